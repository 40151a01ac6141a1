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

G_END_DECLS
