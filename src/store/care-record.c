/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-record"

#include "config.h"

#include <stdlib.h>

#include "care-record.h"

struct _CareRecord
{
  GObject     parent_instance;

  char       *table;
  char       *id;
  GPtrArray  *columns;  /* (element-type utf8) in schema order */
  GHashTable *values;   /* column -> value (NULL for SQL NULL) */
};

G_DEFINE_FINAL_TYPE (CareRecord, care_record, G_TYPE_OBJECT)

static void
care_record_finalize (GObject *object)
{
  CareRecord *self = CARE_RECORD (object);

  g_clear_pointer (&self->table, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);

  G_OBJECT_CLASS (care_record_parent_class)->finalize (object);
}

static void
care_record_class_init (CareRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = care_record_finalize;
}

static void
care_record_init (CareRecord *self)
{
  self->columns = g_ptr_array_new_with_free_func (g_free);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

CareRecord *
care_record_new (const char *table,
                 const char *id)
{
  CareRecord *self;

  g_return_val_if_fail (table != NULL, NULL);

  self = g_object_new (CARE_TYPE_RECORD, NULL);
  self->table = g_strdup (table);
  self->id = g_strdup (id);

  return self;
}

const char *
care_record_get_table (CareRecord *self)
{
  g_return_val_if_fail (CARE_IS_RECORD (self), NULL);

  return self->table;
}

const char *
care_record_get_id (CareRecord *self)
{
  g_return_val_if_fail (CARE_IS_RECORD (self), NULL);

  return self->id;
}

const char *
care_record_get (CareRecord *self,
                 const char *column)
{
  g_return_val_if_fail (CARE_IS_RECORD (self), NULL);
  g_return_val_if_fail (column != NULL, NULL);

  return g_hash_table_lookup (self->values, column);
}

double
care_record_get_double (CareRecord *self,
                        const char *column)
{
  const char *value = care_record_get (self, column);

  return value != NULL ? g_ascii_strtod (value, NULL) : 0.0;
}

void
care_record_set (CareRecord *self,
                 const char *column,
                 const char *value)
{
  char *key = NULL;

  g_return_if_fail (CARE_IS_RECORD (self));
  g_return_if_fail (column != NULL);

  if (!g_hash_table_lookup_extended (self->values, column, (gpointer *) &key, NULL))
    {
      key = g_strdup (column);
      g_ptr_array_add (self->columns, key);
    }

  /* The table's keys point into self->columns, which owns them. */
  g_hash_table_insert (self->values, key, g_strdup (value));

  if (g_str_equal (column, "id"))
    {
      g_free (self->id);
      self->id = g_strdup (value);
    }
}

const GPtrArray *
care_record_get_columns (CareRecord *self)
{
  g_return_val_if_fail (CARE_IS_RECORD (self), NULL);

  return self->columns;
}
