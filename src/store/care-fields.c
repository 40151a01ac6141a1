/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-fields"

#include "config.h"

#include "care-fields.h"

typedef struct
{
  char *column;
  char *value;
} Field;

struct _CareFields
{
  GArray *fields;
};

static void
field_clear (gpointer data)
{
  Field *field = data;

  g_free (field->column);
  g_free (field->value);
}

CareFields *
care_fields_new (void)
{
  CareFields *self = g_new0 (CareFields, 1);

  self->fields = g_array_sized_new (FALSE, TRUE, sizeof (Field), 16);
  g_array_set_clear_func (self->fields, field_clear);

  return self;
}

void
care_fields_free (CareFields *fields)
{
  if (fields == NULL)
    return;

  g_array_unref (fields->fields);
  g_free (fields);
}

void
care_fields_clear (CareFields *fields)
{
  g_return_if_fail (fields != NULL);

  g_array_set_size (fields->fields, 0);
}

void
care_fields_set (CareFields *fields,
                 const char *column,
                 const char *value)
{
  Field field;

  g_return_if_fail (fields != NULL);
  g_return_if_fail (column != NULL);

  for (guint i = 0; i < fields->fields->len; i++)
    {
      Field *existing = &g_array_index (fields->fields, Field, i);

      if (g_str_equal (existing->column, column))
        {
          g_free (existing->value);
          existing->value = g_strdup (value);
          return;
        }
    }

  field.column = g_strdup (column);
  field.value = g_strdup (value);
  g_array_append_val (fields->fields, field);
}

void
care_fields_set_int (CareFields *fields,
                     const char *column,
                     gint64      value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  care_fields_set (fields, column, buf);
}

void
care_fields_set_double (CareFields *fields,
                        const char *column,
                        double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  care_fields_set (fields, column, buf);
}

guint
care_fields_get_n (CareFields *fields)
{
  g_return_val_if_fail (fields != NULL, 0);

  return fields->fields->len;
}

const char *
care_fields_get_column (CareFields *fields,
                        guint       i)
{
  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (i < fields->fields->len, NULL);

  return g_array_index (fields->fields, Field, i).column;
}

const char *
care_fields_get_value (CareFields *fields,
                       guint       i)
{
  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (i < fields->fields->len, NULL);

  return g_array_index (fields->fields, Field, i).value;
}

gboolean
care_fields_contains (CareFields *fields,
                      const char *column)
{
  g_return_val_if_fail (fields != NULL, FALSE);

  for (guint i = 0; i < fields->fields->len; i++)
    if (g_str_equal (g_array_index (fields->fields, Field, i).column, column))
      return TRUE;

  return FALSE;
}

const char *
care_fields_lookup (CareFields *fields,
                    const char *column)
{
  g_return_val_if_fail (fields != NULL, NULL);

  for (guint i = 0; i < fields->fields->len; i++)
    {
      Field *field = &g_array_index (fields->fields, Field, i);

      if (g_str_equal (field->column, column))
        return field->value;
    }

  return NULL;
}
