/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-bundle"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "care-bundle.h"
#include "care-identity.h"
#include "care-sync-wire.h"

/*
 * File layout (docs/sync-protocol.md, "USB bundles"):
 *
 *   "CAREMESH-BUNDLE1\n"
 *   u32 length, header JSON  {"from": device id, "to": device id, "created": ms}
 *   secretstream header (24 bytes)
 *   chunks: u32 length, crypto_secretstream_xchacha20poly1305 ciphertext of a
 *           gzip JSON page {"changes": [...]}; the last one, tagged FINAL, is
 *           {"vector": {...}, "count": N}: what the sender held.
 *
 * Key: BLAKE2b keyed with crypto_box_beforenm (recipient's public key, sender's
 * secret key), over the header, so a changed header gives another key. Only the
 * two machines can compute it; a changed, reordered, cut or foreign chunk fails.
 */

G_DEFINE_QUARK (care-bundle-error-quark, care_bundle_error)

#define MAGIC            "CAREMESH-BUNDLE1\n"
#define MAX_HEADER       (64 * 1024)
#define MAX_CHUNK        (CARE_WIRE_MAX_BODY + crypto_secretstream_xchacha20poly1305_ABYTES)

static gboolean
damaged (GError    **error,
         const char *why)
{
  g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_DAMAGED,
               _("This file is not a readable sync bundle (%s). Nothing was applied."), why);
  return FALSE;
}

static gboolean
stream_key (CareDb           *db,
            GTlsCertificate  *peer_certificate,
            GBytes           *header,
            guint8            key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
            GError          **error)
{
  guint8 peer_public[32], own_secret[32], shared[crypto_box_BEFORENMBYTES];

  if (sodium_init () < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not start the cryptography library."));
      return FALSE;
    }
  if (!care_identity_box_public_key (peer_certificate, peer_public))
    {
      g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_NO_KEY,
                   _("The other machine's certificate has no key for bundles; update Caremesh there."));
      return FALSE;
    }
  if (!care_identity_box_secret_key (db, own_secret, error))
    return FALSE;

  if (crypto_box_beforenm (shared, peer_public, own_secret) != 0)
    {
      sodium_memzero (own_secret, sizeof own_secret);
      g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_NO_KEY, _("The other machine's key for bundles is not usable."));
      return FALSE;
    }
  crypto_generichash (key, crypto_secretstream_xchacha20poly1305_KEYBYTES,
                      g_bytes_get_data (header, NULL), g_bytes_get_size (header), shared, sizeof shared);
  sodium_memzero (own_secret, sizeof own_secret);
  sodium_memzero (shared, sizeof shared);

  return TRUE;
}

static gboolean
write_u32 (GOutputStream  *out,
           guint32         value,
           GError        **error)
{
  guint32 be = GUINT32_TO_BE (value);

  return g_output_stream_write_all (out, &be, sizeof be, NULL, NULL, error);
}

static gboolean
push_chunk (GOutputStream                              *out,
            crypto_secretstream_xchacha20poly1305_state *state,
            GString                                     *json,
            guchar                                       tag,
            GError                                     **error)
{
  g_autoptr(GBytes) zipped = care_wire_gzip (json->str, json->len);
  gsize length = g_bytes_get_size (zipped);
  g_autofree guint8 *cipher = g_malloc (length + crypto_secretstream_xchacha20poly1305_ABYTES);
  unsigned long long cipher_len = 0;

  crypto_secretstream_xchacha20poly1305_push (state, cipher, &cipher_len, g_bytes_get_data (zipped, NULL), length,
                                              NULL, 0, tag);

  return write_u32 (out, (guint32) cipher_len, error) &&
         g_output_stream_write_all (out, cipher, cipher_len, NULL, NULL, error);
}

gboolean
care_bundle_export (CareDb           *db,
                    GTlsCertificate  *own_certificate,
                    const char       *recipient_device_id,
                    gboolean          everything,
                    const char       *path,
                    guint            *n_changes,
                    GError          **error)
{
  g_autoptr(GTlsCertificate) peer = care_identity_peer_certificate (db, recipient_device_id);
  g_autoptr(CarePeer) paired = care_identity_lookup_peer (db, recipient_device_id);
  g_autofree char *own_id = care_identity_device_id (own_certificate);
  g_autofree char *partial = g_strconcat (path, ".part", NULL);
  g_autoptr(GHashTable) vector = NULL;
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (partial);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GBytes) header = NULL;
  GOutputStream *out;
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  guint8 stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  gint64 cursor = 0;
  guint count = 0;
  gboolean ok = FALSE;

  if (paired == NULL)
    {
      g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_FOREIGN, _("That machine is not paired with this one."));
      return FALSE;
    }
  if (peer == NULL)
    {
      g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_NO_KEY,
                   _("This machine does not have “%s”'s certificate yet: pair with its pairing file "
                     "(caremeshctl id --export), or sync with it once over the network."), paired->name);
      return FALSE;
    }

  /* What the recipient lacks, as far as we know. */
  if (!everything)
    {
      g_autofree char *acked = care_identity_get_acked_vector (db, recipient_device_id);
      g_autoptr(JsonNode) node = NULL;

      if (acked != NULL)
        {
          g_autofree char *wrapped = g_strdup_printf ("{\"vector\":%s}", acked);
          g_autoptr(GBytes) bytes = g_bytes_new (wrapped, strlen (wrapped));

          node = care_wire_parse_body (bytes, FALSE, NULL);
          if (node != NULL)
            vector = care_wire_get_vector (json_node_get_object (node), "vector", NULL);
        }
    }

  {
    GString *text = g_string_new ("{\"from\":");

    care_wire_append_string (text, own_id);
    g_string_append (text, ",\"to\":");
    care_wire_append_string (text, recipient_device_id);
    g_string_append_printf (text, ",\"created\":%" G_GINT64_FORMAT "}", g_get_real_time () / 1000);
    header = g_string_free_to_bytes (text);
  }
  if (!stream_key (db, peer, header, key, error))
    return FALSE;

  if (!(stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error)))
    goto out;
  out = G_OUTPUT_STREAM (stream);
  crypto_secretstream_xchacha20poly1305_init_push (&state, stream_header, key);
  if (!g_output_stream_write_all (out, MAGIC, strlen (MAGIC), NULL, NULL, error) ||
      !write_u32 (out, (guint32) g_bytes_get_size (header), error) ||
      !g_output_stream_write_all (out, g_bytes_get_data (header, NULL), g_bytes_get_size (header), NULL, NULL, error) ||
      !g_output_stream_write_all (out, stream_header, sizeof stream_header, NULL, NULL, error))
    goto out;

  /* One read transaction: the pages and the final vector agree. */
  if (!care_db_exec (db, "BEGIN", error))
    goto out;
  for (;;)
    {
      g_autoptr(GPtrArray) page = care_db_changes_since (db, vector, &cursor, CARE_WIRE_PAGE_CHANGES, error);
      g_autoptr(GString) json = NULL;

      if (page == NULL)
        break;
      if (page->len == 0)
        {
          ok = TRUE;
          break;
        }
      json = g_string_new ("{");
      care_wire_append_page (json, page, page->len);
      g_string_append_c (json, '}');
      count += page->len;
      if (!push_chunk (out, &state, json, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error))
        break;
    }
  if (ok)
    {
      g_autoptr(GString) json = g_string_new ("{\"vector\":");

      ok = (held = care_db_version_vector (db, error)) != NULL;
      if (ok)
        {
          care_wire_append_vector (json, held);
          g_string_append_printf (json, ",\"count\":%u}", count);
          ok = push_chunk (out, &state, json, crypto_secretstream_xchacha20poly1305_TAG_FINAL, error);
        }
    }
  care_db_exec (db, "COMMIT", NULL);

  if (ok)
    ok = g_output_stream_close (out, NULL, error) && g_rename (partial, path) == 0;
  if (ok && n_changes != NULL)
    *n_changes = count;

out:
  sodium_memzero (key, sizeof key);
  if (!ok)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”."), path);
      g_unlink (partial);
    }

  return ok;
}

static gboolean
read_exact (GInputStream  *in,
            void          *buffer,
            gsize          length,
            gboolean      *at_end,
            GError       **error)
{
  gsize read = 0;

  if (!g_input_stream_read_all (in, buffer, length, &read, NULL, error))
    return FALSE;
  if (at_end != NULL)
    *at_end = read == 0;
  if (read != length && !(at_end != NULL && read == 0))
    return damaged (error, _("it is cut short"));

  return TRUE;
}

static gboolean
read_u32 (GInputStream  *in,
          guint32       *value,
          gboolean      *at_end,
          GError       **error)
{
  guint32 be = 0;

  if (!read_exact (in, &be, sizeof be, at_end, error))
    return FALSE;
  *value = GUINT32_FROM_BE (be);

  return TRUE;
}

gboolean
care_bundle_import (CareDb           *db,
                    GTlsCertificate  *own_certificate,
                    const char       *path,
                    guint            *n_new,
                    char            **sender_device_id,
                    GError          **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *own_id = care_identity_device_id (own_certificate);
  g_autoptr(GBytes) header = NULL;
  g_autoptr(JsonNode) header_node = NULL;
  g_autoptr(GTlsCertificate) peer = NULL;
  g_autoptr(CarePeer) paired = NULL;
  g_autofree char *from = NULL;
  g_autofree char *held = NULL;
  GInputStream *in;
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  guint8 stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  char magic[sizeof MAGIC - 1];
  guint32 length;
  guint total_new = 0;
  gboolean final = FALSE, ok = FALSE;

  if (!(stream = g_file_read (file, NULL, error)))
    return FALSE;
  in = G_INPUT_STREAM (stream);

  if (!read_exact (in, magic, sizeof magic, NULL, error))
    return FALSE;
  if (memcmp (magic, MAGIC, sizeof magic) != 0)
    return damaged (error, _("it does not start like one"));
  if (!read_u32 (in, &length, NULL, error))
    return FALSE;
  if (length == 0 || length > MAX_HEADER)
    return damaged (error, _("its header is damaged"));
  {
    g_autofree guint8 *bytes = g_malloc (length);
    JsonObject *object;
    const char *to, *sender;

    if (!read_exact (in, bytes, length, NULL, error))
      return FALSE;
    header = g_bytes_new_take (g_steal_pointer (&bytes), length);
    if (!(header_node = care_wire_parse_body (header, FALSE, NULL)))
      return damaged (error, _("its header is damaged"));
    object = json_node_get_object (header_node);
    if (!(to = care_wire_get_string (object, "to", NULL)) || !(sender = care_wire_get_string (object, "from", NULL)))
      return damaged (error, _("its header is damaged"));
    if (!g_str_equal (to, own_id))
      {
        g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_NOT_FOR_US,
                     _("This bundle was made for another machine. Nothing was applied."));
        return FALSE;
      }
    from = g_strdup (sender);
  }

  /* Only from a paired machine whose keys we hold. */
  paired = care_identity_lookup_peer (db, from);
  peer = paired ? care_identity_peer_certificate (db, from) : NULL;
  if (paired == NULL)
    {
      g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_FOREIGN,
                   _("This bundle comes from a machine that is not paired with this one. Nothing was applied."));
      return FALSE;
    }
  if (peer == NULL)
    {
      g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_NO_KEY,
                   _("This machine does not have “%s”'s certificate yet: pair with its pairing file "
                     "(caremeshctl id --export), or sync with it once over the network."), paired->name);
      return FALSE;
    }
  if (!stream_key (db, peer, header, key, error))
    return FALSE;

  if (!read_exact (in, stream_header, sizeof stream_header, NULL, error))
    goto out;
  if (crypto_secretstream_xchacha20poly1305_init_pull (&state, stream_header, key) != 0)
    {
      damaged (error, _("its header is damaged"));
      goto out;
    }

  /* All of it or nothing: one transaction around every page. */
  if (!care_db_begin (db, error))
    goto out;
  for (;;)
    {
      g_autofree guint8 *cipher = NULL, *plain = NULL;
      g_autoptr(GBytes) zipped = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GPtrArray) changes = NULL;
      unsigned long long plain_len = 0;
      unsigned char tag = 0;
      gboolean at_end = FALSE;
      guint n = 0;

      if (!read_u32 (in, &length, &at_end, error))
        break;
      if (at_end)
        {
          if (!final)
            damaged (error, _("it is cut short"));
          else
            ok = TRUE;
          break;
        }
      if (final)
        {
          damaged (error, _("something follows its end"));
          break;
        }
      if (length < crypto_secretstream_xchacha20poly1305_ABYTES || length > MAX_CHUNK)
        {
          damaged (error, _("a part of it has an impossible size"));
          break;
        }
      cipher = g_malloc (length);
      plain = g_malloc (length);
      if (!read_exact (in, cipher, length, NULL, error))
        break;
      if (crypto_secretstream_xchacha20poly1305_pull (&state, plain, &plain_len, &tag, cipher, length, NULL, 0) != 0)
        {
          g_set_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_DAMAGED,
                       _("This bundle was changed after it was made, or was not made by “%s”. Nothing was applied."),
                       paired->name);
          break;
        }
      zipped = g_bytes_new_take (g_steal_pointer (&plain), plain_len);

      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        {
          g_autoptr(GHashTable) vector = NULL;
          GString *text;

          if (!(node = care_wire_parse_body (zipped, TRUE, NULL)) ||
              !(vector = care_wire_get_vector (json_node_get_object (node), "vector", NULL)))
            {
              damaged (error, _("its end is not readable"));
              break;
            }
          text = g_string_new (NULL);
          care_wire_append_vector (text, vector);
          held = g_string_free (text, FALSE);
          final = TRUE;
          continue;
        }

      if (!(changes = care_wire_parse_page (zipped, TRUE, NULL, NULL, NULL)))
        {
          damaged (error, _("a part of it is not readable"));
          break;
        }
      if (!care_db_apply_changes (db, changes, &n, error))
        break;
      total_new += n;
    }

  /* What the sender held: the next bundle for it needs only the rest. */
  if (ok)
    ok = care_identity_set_acked_vector (db, from, held, error) && care_db_commit (db, error);
  else
    care_db_rollback (db);

  if (ok && n_new != NULL)
    *n_new = total_new;
  if (ok && sender_device_id != NULL)
    *sender_device_id = g_steal_pointer (&from);

out:
  sodium_memzero (key, sizeof key);
  return ok;
}
