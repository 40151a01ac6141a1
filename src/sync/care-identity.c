/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-identity"

#include "config.h"

#include <glib/gi18n.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <string.h>

#include "care-db-private.h"
#include "care-identity.h"

#define META_CERTIFICATE "tls_certificate"
#define META_KEY         "tls_private_key"
#define META_BOX_KEY     "box_secret_key"    /* libsodium crypto_box secret key, hex */
/* The certificate carries the machine's crypto_box public key as a subject
 * alternative name, so that the device id (the certificate's hash) covers it. */
#define BOX_KEY_URN      "urn:caremesh:box-key:"
#define DEVICE_ID_LEN    52   /* base32 of 32 bytes, no padding */

void
care_peer_free (CarePeer *peer)
{
  if (peer == NULL)
    return;
  g_free (peer->device_id);
  g_free (peer->name);
  g_free (peer->address);
  g_free (peer->last_error);
  g_free (peer);
}

static gboolean
gnutls_failed (int       rc,
               GError  **error)
{
  if (rc >= 0)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Could not make this computer's security certificate: %s"), gnutls_strerror (rc));
  return TRUE;
}

/* A self-signed certificate for both ends of TLS, with an ECDSA P-256 key; it also
 * carries the public half of @box_secret's crypto_box key pair (USB bundles). */
static gboolean
make_identity (char   **certificate_pem,
               char   **key_pem,
               char   **box_secret_hex,
               GError **error)
{
  guint8 box_public[crypto_box_PUBLICKEYBYTES], box_secret[crypto_box_SECRETKEYBYTES];
  char hex[2 * crypto_box_SECRETKEYBYTES + 1];
  g_autofree char *box_urn = NULL;
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t cert_out = { NULL, 0 }, key_out = { NULL, 0 };
  unsigned char serial[16];
  time_t now = time (NULL);
  gboolean ok = FALSE;

  if (gnutls_failed (gnutls_x509_privkey_init (&key), error) ||
      gnutls_failed (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                   GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), error) ||
      gnutls_failed (gnutls_x509_crt_init (&crt), error) ||
      gnutls_failed (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), error))
    goto out;
  serial[0] &= 0x7f;  /* a positive serial number */

  if (sodium_init () < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not start the cryptography library."));
      goto out;
    }
  crypto_box_keypair (box_public, box_secret);
  box_urn = g_strconcat (BOX_KEY_URN, sodium_bin2hex (hex, sizeof hex, box_public, sizeof box_public), NULL);

  if (gnutls_failed (gnutls_x509_crt_set_version (crt, 3), error) ||
      gnutls_failed (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), error) ||
      gnutls_failed (gnutls_x509_crt_set_activation_time (crt, now - 24 * 3600), error) ||
      /* No meaningful expiry: trust is the pinned fingerprint, revoked by unpairing. */
      gnutls_failed (gnutls_x509_crt_set_expiration_time (crt, (time_t) 253402300799), error) ||
      gnutls_failed (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "caremesh", 8), error) ||
      gnutls_failed (gnutls_x509_crt_set_key (crt, key), error) ||
      gnutls_failed (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), error) ||
      gnutls_failed (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), error) ||
      gnutls_failed (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), error) ||
      gnutls_failed (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0), error) ||
      gnutls_failed (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_URI, box_urn, (unsigned) strlen (box_urn),
                                                           GNUTLS_FSAN_SET), error) ||
      gnutls_failed (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), error) ||
      gnutls_failed (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_out), error) ||
      gnutls_failed (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &key_out), error))
    goto out;

  *certificate_pem = g_strndup ((const char *) cert_out.data, cert_out.size);
  *key_pem = g_strndup ((const char *) key_out.data, key_out.size);
  *box_secret_hex = g_strdup (sodium_bin2hex (hex, sizeof hex, box_secret, sizeof box_secret));
  sodium_memzero (hex, sizeof hex);
  ok = TRUE;

out:
  gnutls_free (cert_out.data);
  if (key_out.data != NULL)
    {
      gnutls_memset (key_out.data, 0, key_out.size);
      gnutls_free (key_out.data);
    }
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  sodium_memzero (box_secret, sizeof box_secret);

  return ok;
}

GTlsCertificate *
care_identity_get_certificate (CareDb  *db,
                               GError **error)
{
  g_autofree char *certificate_pem = care_db_get_meta (db, META_CERTIFICATE);
  g_autofree char *key_pem = care_db_get_meta (db, META_KEY);
  g_autofree char *box_secret = NULL;
  g_autofree char *both = NULL;

  if (certificate_pem == NULL || key_pem == NULL)
    {
      g_clear_pointer (&certificate_pem, g_free);
      g_clear_pointer (&key_pem, g_free);
      if (!make_identity (&certificate_pem, &key_pem, &box_secret, error))
        return NULL;
      if (!care_db_begin (db, error))
        return NULL;
      if (!care_db_set_meta (db, META_CERTIFICATE, certificate_pem, error) ||
          !care_db_set_meta (db, META_KEY, key_pem, error) ||
          !care_db_set_meta (db, META_BOX_KEY, box_secret, error) ||
          !care_db_commit (db, error))
        {
          care_db_rollback (db);
          return NULL;
        }
      g_debug ("Made this database's TLS identity");
    }

  both = g_strconcat (certificate_pem, key_pem, NULL);
  return g_tls_certificate_new_from_pem (both, -1, error);
}

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char *
care_identity_device_id (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  GString *out = g_string_sized_new (DEVICE_ID_LEN + 1);
  guint buffer = 0, bits = 0;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return g_string_free (out, TRUE);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &digest_len);

  for (gsize i = 0; i < digest_len; i++)
    {
      buffer = (buffer << 8) | digest[i];
      bits += 8;
      while (bits >= 5)
        {
          g_string_append_c (out, base32_alphabet[(buffer >> (bits - 5)) & 31]);
          bits -= 5;
        }
    }
  if (bits > 0)
    g_string_append_c (out, base32_alphabet[(buffer << (5 - bits)) & 31]);

  return g_string_free (out, FALSE);
}

char *
care_identity_format_device_id (const char *device_id)
{
  GString *out = g_string_new (NULL);

  for (const char *p = device_id; p && *p; p++)
    {
      if (p != device_id && (p - device_id) % 4 == 0)
        g_string_append_c (out, '-');
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

char *
care_identity_parse_device_id (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; p && *p; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || c == ' ')
        continue;
      if (strchr (base32_alphabet, c) == NULL || c == '\0')
        return (g_string_free (out, TRUE), NULL);
      g_string_append_c (out, c);
    }
  if (out->len != DEVICE_ID_LEN)
    return (g_string_free (out, TRUE), NULL);

  return g_string_free (out, FALSE);
}

char *
care_identity_pairing_code (const char *device_id_a,
                            const char *device_id_b)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *first = strcmp (device_id_a, device_id_b) < 0 ? device_id_a : device_id_b;
  const char *second = first == device_id_a ? device_id_b : device_id_a;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint64 number = 0;

  g_checksum_update (checksum, (const guchar *) first, -1);
  g_checksum_update (checksum, (const guchar *) second, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (int i = 0; i < 8; i++)
    number = number << 8 | digest[i];
  number %= 1000000;

  return g_strdup_printf ("%03u %03u", (guint) (number / 1000), (guint) (number % 1000));
}

/* Peers */

gboolean
care_identity_trust (CareDb      *db,
                     const char  *device_id,
                     const char  *name,
                     const char  *address,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (device_id != NULL && name != NULL, FALSE);

  stmt = _care_db_get_statement (db,
                                 "INSERT INTO peers (device_id, name, address, paired_at) VALUES (?1, ?2, ?3, ?4) "
                                 "ON CONFLICT (device_id) DO UPDATE SET name = ?2, address = coalesce (?3, address), "
                                 "paired_at = ?4, revoked_at = NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  _care_db_bind_value (stmt, 3, address);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / 1000);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int rc = sqlite3_errcode (db->sqlite);

      sqlite3_reset (stmt);
      return _care_db_set_error_from_sqlite (db, rc, "pairing", error);
    }
  sqlite3_reset (stmt);

  return TRUE;
}

gboolean
care_identity_untrust (CareDb      *db,
                       const char  *device_id,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _care_db_get_statement (db, "UPDATE peers SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / 1000);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int rc = sqlite3_errcode (db->sqlite);

      sqlite3_reset (stmt);
      return _care_db_set_error_from_sqlite (db, rc, "unpairing", error);
    }
  sqlite3_reset (stmt);
  if (sqlite3_changes (db->sqlite) == 0)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_FOUND, _("No paired machine has that device id."));
      return FALSE;
    }

  return TRUE;
}

#define PEER_COLUMNS "device_id, name, address, paired_at, coalesce (revoked_at, 0), " \
                     "coalesce (last_sync_at, 0), coalesce (last_attempt_at, 0), last_error"

static CarePeer *
peer_from_row (sqlite3_stmt *stmt)
{
  CarePeer *peer = g_new0 (CarePeer, 1);

  peer->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  peer->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  peer->address = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  peer->paired_at = sqlite3_column_int64 (stmt, 3);
  peer->revoked_at = sqlite3_column_int64 (stmt, 4);
  peer->last_sync_at = sqlite3_column_int64 (stmt, 5);
  peer->last_attempt_at = sqlite3_column_int64 (stmt, 6);
  peer->last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 7));

  return peer;
}

CarePeer *
care_identity_lookup_peer (CareDb     *db,
                           const char *device_id)
{
  sqlite3_stmt *stmt;
  CarePeer *peer = NULL;

  if (device_id == NULL)
    return NULL;
  stmt = _care_db_get_statement (db, "SELECT " PEER_COLUMNS " FROM peers WHERE device_id = ? AND revoked_at IS NULL", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    peer = peer_from_row (stmt);
  sqlite3_reset (stmt);

  return peer;
}

GPtrArray *
care_identity_list_peers (CareDb  *db,
                          GError **error)
{
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func ((GDestroyNotify) care_peer_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _care_db_get_statement (db, "SELECT " PEER_COLUMNS " FROM peers ORDER BY revoked_at IS NOT NULL, name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (peers, peer_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (db, rc, "listing paired machines", error);
      return NULL;
    }

  return g_steal_pointer (&peers);
}

gboolean
care_identity_record_sync (CareDb      *db,
                           const char  *device_id,
                           gboolean     synced,
                           const char  *error_message,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time () / 1000;

  stmt = _care_db_get_statement (db,
                                 "UPDATE peers SET last_attempt_at = ?1, "
                                 "last_sync_at = CASE WHEN ?2 THEN ?1 ELSE last_sync_at END, "
                                 "last_error = ?3 WHERE device_id = ?4", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int (stmt, 2, synced);
  _care_db_bind_value (stmt, 3, error_message);
  sqlite3_bind_text (stmt, 4, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int rc = sqlite3_errcode (db->sqlite);

      sqlite3_reset (stmt);
      return _care_db_set_error_from_sqlite (db, rc, "saving the sync status", error);
    }
  sqlite3_reset (stmt);

  return TRUE;
}

/* USB bundles */

gboolean
care_identity_box_public_key (GTlsCertificate *certificate,
                              guint8           public_key[32])
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t in;
  gboolean found = FALSE;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || gnutls_x509_crt_init (&crt) < 0)
    return FALSE;
  in.data = der->data;
  in.size = der->len;
  if (gnutls_x509_crt_import (crt, &in, GNUTLS_X509_FMT_DER) >= 0)
    for (unsigned i = 0; !found && i < 16; i++)
      {
        char name[256];
        size_t size = sizeof name - 1;
        size_t length = 0;
        int type = gnutls_x509_crt_get_subject_alt_name (crt, i, name, &size, NULL);

        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
          break;
        if (type != GNUTLS_SAN_URI)
          continue;
        name[size] = '\0';
        if (g_str_has_prefix (name, BOX_KEY_URN) &&
            sodium_hex2bin (public_key, 32, name + strlen (BOX_KEY_URN), strlen (name + strlen (BOX_KEY_URN)),
                            NULL, &length, NULL) == 0 && length == 32)
          found = TRUE;
      }
  gnutls_x509_crt_deinit (crt);

  return found;
}

gboolean
care_identity_box_secret_key (CareDb  *db,
                              guint8   secret_key[32],
                              GError **error)
{
  g_autofree char *hex = care_db_get_meta (db, META_BOX_KEY);
  size_t length = 0;

  if (hex == NULL || sodium_hex2bin (secret_key, 32, hex, strlen (hex), NULL, &length, NULL) != 0 || length != 32)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("This machine's keys for USB bundles are missing; its database may be damaged."));
      return FALSE;
    }

  return TRUE;
}

GTlsCertificate *
care_identity_peer_certificate (CareDb     *db,
                                const char *device_id)
{
  sqlite3_stmt *stmt;
  g_autofree char *pem = NULL;

  stmt = _care_db_get_statement (db, "SELECT certificate FROM peers WHERE device_id = ? AND revoked_at IS NULL", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    pem = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return pem != NULL ? g_tls_certificate_new_from_pem (pem, -1, NULL) : NULL;
}

/* Keeps @certificate of a paired peer (seen during a sync, or from a pairing file);
 * it must be the one the device id names. */
gboolean
care_identity_remember_certificate (CareDb           *db,
                                    GTlsCertificate  *certificate,
                                    GError          **error)
{
  g_autofree char *device_id = care_identity_device_id (certificate);
  g_autofree char *pem = NULL;
  sqlite3_stmt *stmt;

  g_object_get (certificate, "certificate-pem", &pem, NULL);
  stmt = _care_db_get_statement (db, "UPDATE peers SET certificate = ? WHERE device_id = ? AND certificate IS NULL", error);
  if (stmt == NULL || pem == NULL)
    return stmt != NULL;
  sqlite3_bind_text (stmt, 1, pem, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int rc = sqlite3_errcode (db->sqlite);

      sqlite3_reset (stmt);
      return _care_db_set_error_from_sqlite (db, rc, "saving a certificate", error);
    }
  sqlite3_reset (stmt);

  return TRUE;
}

gboolean
care_identity_set_acked_vector (CareDb      *db,
                                const char  *device_id,
                                const char  *vector_json,
                                GError     **error)
{
  sqlite3_stmt *stmt = _care_db_get_statement (db, "UPDATE peers SET acked_vector = ? WHERE device_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, vector_json, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int rc = sqlite3_errcode (db->sqlite);

      sqlite3_reset (stmt);
      return _care_db_set_error_from_sqlite (db, rc, "saving what a peer holds", error);
    }
  sqlite3_reset (stmt);

  return TRUE;
}

char *
care_identity_get_acked_vector (CareDb     *db,
                                const char *device_id)
{
  sqlite3_stmt *stmt = _care_db_get_statement (db, "SELECT acked_vector FROM peers WHERE device_id = ?", NULL);
  char *json = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return json;
}
