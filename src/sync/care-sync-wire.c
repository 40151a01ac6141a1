/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "care-db-private.h"
#include "care-sync-wire.h"

G_DEFINE_QUARK (care-wire-error-quark, care_wire_error)

void
care_wire_append_string (GString    *out,
                         const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

void
care_wire_append_change (GString          *out,
                         const CareChange *change)
{
  g_string_append (out, "{\"origin\":");
  care_wire_append_string (out, change->origin);
  g_string_append_printf (out, ",\"counter\":%" G_GINT64_FORMAT ",\"hlc\":%" G_GINT64_FORMAT ",\"table\":",
                          change->counter, change->hlc);
  care_wire_append_string (out, change->table);
  g_string_append (out, ",\"record\":");
  care_wire_append_string (out, change->record_id);
  g_string_append (out, ",\"actor\":");
  if (change->actor != NULL)
    care_wire_append_string (out, change->actor);
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ",\"seen\":%" G_GINT64_FORMAT ",\"fields\":", change->seen);
  /* Our own log's JSON, already in the wire shape (care_db_changes_since). */
  g_string_append (out, change->fields);
  g_string_append_c (out, '}');
}

void
care_wire_append_vector (GString    *out,
                         GHashTable *vector)
{
  GHashTableIter iter;
  gpointer key, value;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  g_hash_table_iter_init (&iter, vector);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      care_wire_append_string (out, key);
      g_string_append_printf (out, ":%" G_GINT64_FORMAT, *(gint64 *) value);
    }
  g_string_append_c (out, '}');
}

static gboolean
malformed (GError    **error,
           const char *what)
{
  g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_MALFORMED, _("The request is malformed: %s."), what);
  return FALSE;
}

static GBytes *
gunzip (GBytes  *body,
        GError **error)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize in_len;
  const guint8 *in = g_bytes_get_data (body, &in_len);
  guint8 buffer[64 * 1024];

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult result;
      g_autoptr(GError) local_error = NULL;

      result = g_converter_convert (G_CONVERTER (decompressor), in, in_len, buffer, sizeof buffer,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &local_error);
      if (result == G_CONVERTER_ERROR)
        {
          malformed (error, _("its compressed body is damaged or cut short"));
          return NULL;
        }
      in += read;
      in_len -= read;
      g_byte_array_append (out, buffer, (guint) written);
      if (out->len > CARE_WIRE_MAX_JSON)
        {
          g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_TOO_LARGE, _("The request is too large."));
          return NULL;
        }
      if (result == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0)
        {
          malformed (error, _("its compressed body is cut short"));
          return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

JsonNode *
care_wire_parse_body (GBytes    *body,
                      gboolean   gzipped,
                      GError   **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *data;
  gsize length;

  if (body == NULL)
    {
      malformed (error, _("it has no body"));
      return NULL;
    }
  if (g_bytes_get_size (body) > (gzipped ? CARE_WIRE_MAX_BODY : CARE_WIRE_MAX_JSON))
    {
      g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_TOO_LARGE, _("The request is too large."));
      return NULL;
    }
  plain = gzipped ? gunzip (body, error) : g_bytes_ref (body);
  if (plain == NULL)
    return NULL;

  data = g_bytes_get_data (plain, &length);
  if (length == 0 || !g_utf8_validate_len (data, length, NULL))
    {
      malformed (error, _("its body is not UTF-8 JSON"));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, NULL))
    {
      malformed (error, _("its body is not valid JSON (perhaps cut short)"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      malformed (error, _("its body is not a JSON object"));
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

GBytes *
care_wire_gzip (const char *text,
                gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GByteArray) out = g_byte_array_sized_new ((guint) (length / 4 + 64));
  const guint8 *in = (const guint8 *) text;
  gsize in_len = length;
  guint8 buffer[64 * 1024];

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult result = g_converter_convert (G_CONVERTER (compressor), in, in_len, buffer, sizeof buffer,
                                                     G_CONVERTER_INPUT_AT_END, &read, &written, NULL);

      in += read;
      in_len -= read;
      g_byte_array_append (out, buffer, (guint) written);
      if (result == G_CONVERTER_FINISHED || result == G_CONVERTER_ERROR)
        break;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
care_wire_get_int (JsonObject  *object,
                   const char  *member,
                   gint64      *out,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_autofree char *what = g_strdup_printf (_("“%s” must be a whole number"), member);

      return malformed (error, what);
    }
  *out = json_node_get_int (node);

  return TRUE;
}

const char *
care_wire_get_string (JsonObject  *object,
                      const char  *member,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *what = g_strdup_printf (_("“%s” must be a string"), member);

      malformed (error, what);
      return NULL;
    }

  return json_node_get_string (node);
}

GHashTable *
care_wire_get_vector (JsonObject  *object,
                      const char  *member,
                      GError     **error)
{
  g_autoptr(GHashTable) vector = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonNode *node = json_object_get_member (object, member);
  JsonObject *entries;
  JsonObjectIter iter;
  const char *origin;
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      malformed (error, _("the version vector must be an object"));
      return NULL;
    }
  entries = json_node_get_object (node);
  if (json_object_get_size (entries) > 100000)
    {
      malformed (error, _("the version vector is too long"));
      return NULL;
    }
  json_object_iter_init (&iter, entries);
  while (json_object_iter_next (&iter, &origin, &value))
    {
      gint64 counter;

      if (!g_uuid_string_is_valid (origin) || !JSON_NODE_HOLDS_VALUE (value) ||
          json_node_get_value_type (value) != G_TYPE_INT64 || (counter = json_node_get_int (value)) < 0)
        {
          malformed (error, _("the version vector holds something other than device ids and counts"));
          return NULL;
        }
      g_hash_table_insert (vector, g_strdup (origin), g_memdup2 (&counter, sizeof counter));
    }

  return g_steal_pointer (&vector);
}

static const char * const change_members[] = {
  "origin", "counter", "hlc", "table", "record", "actor", "seen", "fields", NULL
};

GPtrArray *
care_wire_get_changes (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) care_change_free);
  JsonNode *node = json_object_get_member (object, "changes");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      malformed (error, _("“changes” must be a list"));
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > CARE_WIRE_PAGE_CHANGES * 10)
    {
      g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_TOO_LARGE, _("The request holds too many changes."));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(CareChange) change = g_new0 (CareChange, 1);
      JsonObject *entry;
      JsonNode *actor, *fields;
      JsonObjectIter iter;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          malformed (error, _("a change is not an object"));
          return NULL;
        }
      entry = json_node_get_object (element);
      json_object_iter_init (&iter, entry);
      while (json_object_iter_next (&iter, &name, NULL))
        if (!g_strv_contains (change_members, name))
          {
            g_autofree char *what = g_strdup_printf (_("a change has an unknown member “%s”"), name);

            malformed (error, what);
            return NULL;
          }

      actor = json_object_get_member (entry, "actor");
      fields = json_object_get_member (entry, "fields");
      if (!(change->origin = g_strdup (care_wire_get_string (entry, "origin", error))) ||
          !care_wire_get_int (entry, "counter", &change->counter, error) ||
          !care_wire_get_int (entry, "hlc", &change->hlc, error) ||
          !(change->table = g_strdup (care_wire_get_string (entry, "table", error))) ||
          !(change->record_id = g_strdup (care_wire_get_string (entry, "record", error))) ||
          !care_wire_get_int (entry, "seen", &change->seen, error))
        return NULL;
      if (actor == NULL || !(JSON_NODE_HOLDS_NULL (actor) ||
                             (JSON_NODE_HOLDS_VALUE (actor) && json_node_get_value_type (actor) == G_TYPE_STRING)))
        {
          malformed (error, _("a change's “actor” must be a string or null"));
          return NULL;
        }
      if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
        {
          malformed (error, _("a change's “fields” must be an object"));
          return NULL;
        }
      change->actor = JSON_NODE_HOLDS_NULL (actor) ? NULL : g_strdup (json_node_get_string (actor));
      /* The store reads the fields strictly (care-replica.c). */
      change->fields = json_to_string (fields, FALSE);
      g_ptr_array_add (changes, g_steal_pointer (&change));
    }

  return g_steal_pointer (&changes);
}

char *
care_wire_columns_fingerprint (CareDb *db)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (const char * const *t = care_db_record_types (); *t; t++)
    {
      GPtrArray *columns = _care_db_table_columns (db, *t, NULL);

      g_checksum_update (checksum, (const guchar *) *t, -1);
      g_checksum_update (checksum, (const guchar *) ":", 1);
      for (guint i = 0; columns != NULL && i < columns->len; i++)
        {
          g_checksum_update (checksum, g_ptr_array_index (columns, i), -1);
          g_checksum_update (checksum, (const guchar *) ",", 1);
        }
      g_checksum_update (checksum, (const guchar *) ";", 1);
    }

  return g_strdup (g_checksum_get_string (checksum));
}
