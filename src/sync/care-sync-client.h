/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_SYNC_ERROR (care_sync_error_quark ())
GQuark care_sync_error_quark (void);

typedef enum
{
  CARE_SYNC_ERROR_NOT_PAIRED,    /* either side does not trust the other */
  CARE_SYNC_ERROR_UNREACHABLE,   /* no answer, or the connection broke */
  CARE_SYNC_ERROR_REFUSED,       /* the peer refused a request (message says why) */
  CARE_SYNC_ERROR_INCOMPATIBLE,  /* the schemas cannot sync */
} CareSyncError;

typedef struct
{
  char    *peer_device_id;
  char    *peer_name;
  guint    n_received;   /* changes new here */
  guint    n_sent;       /* changes the peer found new */
  gboolean synced;       /* the peer acknowledged every change this machine holds */
  guint64  bytes_sent;   /* HTTP bodies as sent on the wire (compressed) */
  guint64  bytes_received;
  guint    handshakes;   /* TLS connections opened: one per parallel request, not per page */
} CareSyncReport;

void            care_sync_report_free (CareSyncReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareSyncReport, care_sync_report_free)

/*
 * Syncs once, both ways, with the machine at @address ("host:port"), which must be
 * paired (and, with @expected_device_id, be that machine). Network steps run on
 * the thread-default main context, database steps on @store's worker. Each page
 * is committed as it arrives: a sync cut short resumes where it stopped.
 */
void            care_sync_peer_async  (CareStore           *store,
                                       GTlsCertificate     *certificate,
                                       const char          *name,
                                       const char          *address,
                                       const char          *expected_device_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
CareSyncReport *care_sync_peer_finish (GAsyncResult        *result,
                                       GError             **error);

/* What a machine answered when asked to pair (POST /v1/pair). */
typedef struct
{
  char            *device_id;
  char            *name;
  char            *code;          /* the pairing code both screens show */
  GTlsCertificate *certificate;
  gboolean         paired;        /* it already trusts this machine */
} CarePairOffer;

void            care_pair_offer_free  (CarePairOffer *offer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CarePairOffer, care_pair_offer_free)

/* Asks the machine at @address to pair: it shows this machine's name and the
 * pairing code to a person there, and keeps @own_port (where this machine
 * serves; 0: the usual one) for reaching it. Trusts nothing by itself. */
void            care_sync_request_pairing_async  (GTlsCertificate     *certificate,
                                                  const char          *name,
                                                  guint                own_port,
                                                  const char          *address,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
CarePairOffer  *care_sync_request_pairing_finish (GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
