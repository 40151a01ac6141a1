/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
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

/* A page of changes as the members "devices", "actors" and "changes" (see
 * docs/sync-protocol.md, "A page"): device ids and actors once per page, clocks as
 * differences, each change an array: a quarter smaller than an object per change
 * before gzip, 7% after. */
void
care_wire_append_page (GString   *out,
                       GPtrArray *changes,
                       guint      n)
{
  g_autoptr(GHashTable) devices = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) actors = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) device_list = g_ptr_array_new ();
  g_autoptr(GPtrArray) actor_list = g_ptr_array_new ();
  g_autoptr(GArray) last_counter = g_array_new (FALSE, TRUE, sizeof (gint64));
  gint64 previous = 0;

  n = MIN (n, changes->len);
  for (guint i = 0; i < n; i++)
    {
      CareChange *change = g_ptr_array_index (changes, i);

      if (!g_hash_table_contains (devices, change->origin))
        {
          g_hash_table_insert (devices, change->origin, GUINT_TO_POINTER (device_list->len));
          g_ptr_array_add (device_list, change->origin);
        }
      if (change->actor != NULL && !g_hash_table_contains (actors, change->actor))
        {
          g_hash_table_insert (actors, change->actor, GUINT_TO_POINTER (actor_list->len));
          g_ptr_array_add (actor_list, change->actor);
        }
    }

  g_string_append (out, "\"devices\":[");
  for (guint i = 0; i < device_list->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      care_wire_append_string (out, g_ptr_array_index (device_list, i));
    }
  g_string_append (out, "],\"actors\":[");
  for (guint i = 0; i < actor_list->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      care_wire_append_string (out, g_ptr_array_index (actor_list, i));
    }
  g_string_append (out, "],\"changes\":[");
  for (guint i = 0; i < n; i++)
    {
      CareChange *change = g_ptr_array_index (changes, i);

      guint device = GPOINTER_TO_UINT (g_hash_table_lookup (devices, change->origin));

      if (last_counter->len <= device)
        g_array_set_size (last_counter, device + 1);
      if (i > 0)
        g_string_append_c (out, ',');
      /* Counters as differences from the same device's last one in the page. */
      g_string_append_printf (out, "[%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",", device,
                              change->counter - g_array_index (last_counter, gint64, device), change->hlc - previous);
      g_array_index (last_counter, gint64, device) = change->counter;
      care_wire_append_string (out, change->table);
      g_string_append_c (out, ',');
      care_wire_append_string (out, change->record_id);
      if (change->actor != NULL)
        g_string_append_printf (out, ",%u,", GPOINTER_TO_UINT (g_hash_table_lookup (actors, change->actor)));
      else
        g_string_append (out, ",null,");
      g_string_append_printf (out, "%" G_GINT64_FORMAT ",", change->seen);
      /* Our own log's JSON, already in the wire shape (care_db_changes_since). */
      g_string_append (out, change->fields);
      g_string_append_c (out, ']');
      previous = change->hlc;
    }
  g_string_append_c (out, ']');
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

GBytes *
care_wire_gunzip (GBytes  *body,
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
  plain = gzipped ? care_wire_gunzip (body, error) : g_bytes_ref (body);
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

/* Reading a page: a strict reader of exactly its shape, which hands each change's
 * fields object on as the text it was (the store reads that strictly too). A
 * general JSON parser building a tree of every page was most of a sync's cost. */

typedef struct
{
  const char *p;
  const char *end;
  GString    *buf;
} PageReader;

static void
page_ws (PageReader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static gboolean
page_expect (PageReader *r,
             char        c)
{
  page_ws (r);
  if (r->p >= r->end || *r->p != c)
    return FALSE;
  r->p++;
  return TRUE;
}

static gboolean
page_peek (PageReader *r,
           char        c)
{
  page_ws (r);
  return r->p < r->end && *r->p == c;
}

/* A JSON string, unescaped into r->buf (UTF-8 checked; no NUL). */
static gboolean
page_string (PageReader *r)
{
  if (!page_expect (r, '"'))
    return FALSE;
  g_string_truncate (r->buf, 0);
  while (r->p < r->end && *r->p != '"')
    {
      if ((guchar) *r->p < 0x20)
        return FALSE;
      if (*r->p != '\\')
        {
          g_string_append_c (r->buf, *r->p++);
          continue;
        }
      if (++r->p >= r->end)
        return FALSE;
      switch (*r->p++)
        {
        case '"': g_string_append_c (r->buf, '"'); break;
        case '\\': g_string_append_c (r->buf, '\\'); break;
        case '/': g_string_append_c (r->buf, '/'); break;
        case 'b': g_string_append_c (r->buf, '\b'); break;
        case 'f': g_string_append_c (r->buf, '\f'); break;
        case 'n': g_string_append_c (r->buf, '\n'); break;
        case 'r': g_string_append_c (r->buf, '\r'); break;
        case 't': g_string_append_c (r->buf, '\t'); break;
        case 'u':
          {
            gunichar c = 0, low = 0;

            for (int i = 0; i < 4; i++, r->p++)
              {
                if (r->p >= r->end || !g_ascii_isxdigit (*r->p))
                  return FALSE;
                c = c * 16 + (gunichar) g_ascii_xdigit_value (*r->p);
              }
            if (c >= 0xd800 && c <= 0xdbff)
              {
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
                  return FALSE;
                r->p += 2;
                for (int i = 0; i < 4; i++, r->p++)
                  {
                    if (!g_ascii_isxdigit (*r->p))
                      return FALSE;
                    low = low * 16 + (gunichar) g_ascii_xdigit_value (*r->p);
                  }
                if (low < 0xdc00 || low > 0xdfff)
                  return FALSE;
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
              }
            else if ((c >= 0xdc00 && c <= 0xdfff) || c == 0)
              return FALSE;
            g_string_append_unichar (r->buf, c);
            break;
          }
        default:
          return FALSE;
        }
    }
  if (r->p >= r->end)
    return FALSE;
  r->p++;

  return g_utf8_validate (r->buf->str, r->buf->len, NULL);
}

static gboolean
page_int (PageReader *r,
          gint64     *out)
{
  char *end;

  page_ws (r);
  if (r->p >= r->end || !(g_ascii_isdigit (*r->p) || (*r->p == '-' && r->p + 1 < r->end && g_ascii_isdigit (r->p[1]))))
    return FALSE;
  errno = 0;
  *out = g_ascii_strtoll (r->p, &end, 10);
  if (errno != 0 || end > r->end || end == r->p || *end == '.' || *end == 'e' || *end == 'E')
    return FALSE;
  r->p = end;

  return TRUE;
}

/* Skips one object, respecting strings; returns its text. */
static gboolean
page_object_text (PageReader  *r,
                  const char **start,
                  gsize       *length)
{
  int depth = 0;

  page_ws (r);
  if (r->p >= r->end || *r->p != '{')
    return FALSE;
  *start = r->p;
  while (r->p < r->end)
    {
      char c = *r->p++;

      if (c == '"')
        {
          while (r->p < r->end && *r->p != '"')
            r->p += *r->p == '\\' ? 2 : 1;
          if (r->p >= r->end)
            return FALSE;
          r->p++;
        }
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        {
          if (--depth == 0)
            {
              *length = r->p - *start;
              return c == '}';
            }
        }
    }

  return FALSE;
}

static gboolean
page_strings (PageReader *r,
              GPtrArray  *out)
{
  if (!page_expect (r, '['))
    return FALSE;
  if (page_expect (r, ']'))
    return TRUE;
  do
    {
      if (!page_string (r) || out->len >= CARE_WIRE_PAGE_CHANGES * 10)
        return FALSE;
      g_ptr_array_add (out, g_strndup (r->buf->str, r->buf->len));
    }
  while (page_expect (r, ','));

  return page_expect (r, ']');
}

typedef struct
{
  gint64  device;
  gint64  actor;     /* -1: null */
  CareChange *change;
} RawChange;

static gboolean
page_changes (PageReader *r,
              GArray     *out)
{
  if (!page_expect (r, '['))
    return FALSE;
  if (page_expect (r, ']'))
    return TRUE;
  do
    {
      RawChange raw = { 0, -1, g_new0 (CareChange, 1) };
      const char *fields;
      gsize length;

      g_array_append_val (out, raw);
      if (out->len > CARE_WIRE_PAGE_CHANGES * 10 ||
          !page_expect (r, '[') || !page_int (r, &raw.device) || !page_expect (r, ',') ||
          !page_int (r, &raw.change->counter) || !page_expect (r, ',') ||
          !page_int (r, &raw.change->hlc) || !page_expect (r, ',') ||
          !page_string (r))
        return FALSE;
      raw.change->table = g_strndup (r->buf->str, r->buf->len);
      if (!page_expect (r, ',') || !page_string (r))
        return FALSE;
      raw.change->record_id = g_strndup (r->buf->str, r->buf->len);
      if (!page_expect (r, ','))
        return FALSE;
      page_ws (r);
      if (r->end - r->p >= 4 && strncmp (r->p, "null", 4) == 0)
        r->p += 4;
      else if (!page_int (r, &raw.actor) || raw.actor < 0)
        return FALSE;
      if (!page_expect (r, ',') || !page_int (r, &raw.change->seen) || !page_expect (r, ',') ||
          !page_object_text (r, &fields, &length) || !page_expect (r, ']'))
        return FALSE;
      raw.change->fields = g_strndup (fields, length);
      g_array_index (out, RawChange, out->len - 1) = raw;
    }
  while (page_expect (r, ','));

  return page_expect (r, ']');
}

static void
raw_change_clear (RawChange *raw)
{
  g_clear_pointer (&raw->change, care_change_free);
}

GPtrArray *
care_wire_parse_page (GBytes    *body,
                      gboolean   gzipped,
                      gint64    *cursor,
                      gboolean  *more,
                      GError   **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) actors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) raw = g_array_new (FALSE, TRUE, sizeof (RawChange));
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GArray) counters = NULL;
  gboolean seen_devices = FALSE, seen_actors = FALSE, seen_changes = FALSE, seen_cursor = FALSE, seen_more = FALSE;
  gint64 hlc = 0;
  PageReader r;
  gsize length;

  g_array_set_clear_func (raw, (GDestroyNotify) raw_change_clear);
  if (body == NULL || g_bytes_get_size (body) > (gzipped ? CARE_WIRE_MAX_BODY : CARE_WIRE_MAX_JSON))
    {
      g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_TOO_LARGE, _("The request is too large."));
      return NULL;
    }
  if (!(plain = gzipped ? care_wire_gunzip (body, error) : g_bytes_ref (body)))
    return NULL;
  r.p = g_bytes_get_data (plain, &length);
  r.end = r.p + length;
  r.buf = buf;

  if (r.p == NULL || !page_expect (&r, '{'))
    goto malformed;
  if (!page_peek (&r, '}'))
    do
      {
        gboolean ok = FALSE;

        if (!page_string (&r) || !page_expect (&r, ':'))
          goto malformed;
        if (g_str_equal (buf->str, "devices") && !seen_devices)
          ok = seen_devices = page_strings (&r, devices);
        else if (g_str_equal (buf->str, "actors") && !seen_actors)
          ok = seen_actors = page_strings (&r, actors);
        else if (g_str_equal (buf->str, "changes") && !seen_changes)
          ok = seen_changes = page_changes (&r, raw);
        else if (g_str_equal (buf->str, "cursor") && cursor != NULL && !seen_cursor)
          ok = seen_cursor = page_int (&r, cursor) && *cursor >= 0;
        else if (g_str_equal (buf->str, "more") && more != NULL && !seen_more)
          {
            page_ws (&r);
            if (r.end - r.p >= 4 && strncmp (r.p, "true", 4) == 0)
              *more = TRUE, r.p += 4, ok = seen_more = TRUE;
            else if (r.end - r.p >= 5 && strncmp (r.p, "false", 5) == 0)
              *more = FALSE, r.p += 5, ok = seen_more = TRUE;
          }
        if (!ok)
          goto malformed;
      }
    while (page_expect (&r, ','));
  if (!page_expect (&r, '}'))
    goto malformed;
  page_ws (&r);
  if (r.p != r.end || !seen_devices || !seen_actors || !seen_changes ||
      (cursor != NULL && !seen_cursor) || (more != NULL && !seen_more))
    goto malformed;

  /* Indices resolved, clocks and counters summed. */
  counters = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_array_set_size (counters, devices->len);
  changes = g_ptr_array_new_full (raw->len, (GDestroyNotify) care_change_free);
  for (guint i = 0; i < raw->len; i++)
    {
      RawChange *entry = &g_array_index (raw, RawChange, i);

      if (entry->device < 0 || entry->device >= devices->len || entry->actor >= (gint64) actors->len)
        goto malformed;
      entry->change->origin = g_strdup (g_ptr_array_index (devices, entry->device));
      entry->change->actor = entry->actor >= 0 ? g_strdup (g_ptr_array_index (actors, entry->actor)) : NULL;
      hlc += entry->change->hlc;
      entry->change->hlc = hlc;
      g_array_index (counters, gint64, entry->device) += entry->change->counter;
      entry->change->counter = g_array_index (counters, gint64, entry->device);
      g_ptr_array_add (changes, g_steal_pointer (&entry->change));
    }

  return g_steal_pointer (&changes);

malformed:
  g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_MALFORMED, _("The request is malformed: %s."),
               _("its page of changes is not in the expected shape (perhaps cut short)"));
  return NULL;
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
