/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-db.h"

G_BEGIN_DECLS

/*
 * This machine's TLS identity and the machines it trusts (docs/sync-protocol.md).
 * The device id of a machine is the SHA-256 of its certificate in base32; shown in
 * groups of four ("MFRG-GZDF-…"), stored without dashes.
 */

typedef struct
{
  char   *device_id;     /* normalised: 52 base32 characters */
  char   *name;
  char   *address;       /* host:port, or NULL */
  gint64  paired_at;     /* ms since the epoch */
  gint64  revoked_at;    /* 0 while paired */
  gint64  last_sync_at;  /* 0: never */
  gint64  last_attempt_at;
  char   *last_error;    /* NULL after a good sync */
} CarePeer;

void             care_peer_free                 (CarePeer     *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CarePeer, care_peer_free)

/* This database's certificate and key, made on first use. */
GTlsCertificate *care_identity_get_certificate  (CareDb       *db,
                                                 GError      **error);
/* The device id of @certificate (normalised). */
char            *care_identity_device_id        (GTlsCertificate *certificate);
/* "MFRG-GZDF-…" for people. */
char            *care_identity_format_device_id (const char   *device_id);
/* Accepts a device id as people type it (dashes, spaces, any case); NULL when it
 * is not one. */
char            *care_identity_parse_device_id  (const char   *text);
/* The six-digit code both machines show while pairing ("123 456"). */
char            *care_identity_pairing_code     (const char   *device_id_a,
                                                 const char   *device_id_b);

gboolean         care_identity_trust            (CareDb       *db,
                                                 const char   *device_id,
                                                 const char   *name,
                                                 const char   *address,
                                                 GError      **error);
gboolean         care_identity_untrust          (CareDb       *db,
                                                 const char   *device_id,
                                                 GError      **error);
/* The paired (not revoked) peer with @device_id, or NULL. */
CarePeer        *care_identity_lookup_peer      (CareDb       *db,
                                                 const char   *device_id);
/* Every peer ever paired, revoked ones included; (element-type CarePeer). */
GPtrArray       *care_identity_list_peers       (CareDb       *db,
                                                 GError      **error);
gboolean         care_identity_record_sync      (CareDb       *db,
                                                 const char   *device_id,
                                                 gboolean      synced,
                                                 const char   *error_message,
                                                 GError      **error);

/* USB bundles: the crypto_box key pair whose public half the certificate carries. */
gboolean         care_identity_box_public_key   (GTlsCertificate *certificate,
                                                 guint8           public_key[32]);
gboolean         care_identity_box_secret_key   (CareDb       *db,
                                                 guint8        secret_key[32],
                                                 GError      **error);
/* A paired peer's certificate, once seen (a sync or a pairing file); NULL before. */
GTlsCertificate *care_identity_peer_certificate (CareDb       *db,
                                                 const char   *device_id);
gboolean         care_identity_remember_certificate (CareDb          *db,
                                                     GTlsCertificate *certificate,
                                                     GError         **error);
/* What a peer holds, as it last told us (a JSON version vector), or NULL. */
char            *care_identity_get_acked_vector (CareDb       *db,
                                                 const char   *device_id);
gboolean         care_identity_set_acked_vector (CareDb       *db,
                                                 const char   *device_id,
                                                 const char   *vector_json,
                                                 GError      **error);

G_END_DECLS
