/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-store.h"
#include "care-sync-client.h"
#include "care-sync-server.h"

G_BEGIN_DECLS

typedef enum
{
  CARE_SYNC_STATUS_NO_PEERS,   /* nothing to sync with */
  CARE_SYNC_STATUS_SYNCED,     /* every paired machine acknowledged every change here */
  CARE_SYNC_STATUS_SYNCING,
  CARE_SYNC_STATUS_WAITING,    /* changes not yet acknowledged; next attempt scheduled */
  CARE_SYNC_STATUS_OFFLINE,    /* no paired machine reachable */
  CARE_SYNC_STATUS_ERROR,      /* a paired machine refused, or this machine cannot serve */
} CareSyncStatus;

/* One paired machine as the Sync page shows it. */
#define CARE_TYPE_SYNC_PEER (care_sync_peer_get_type ())
G_DECLARE_FINAL_TYPE (CareSyncPeer, care_sync_peer, CARE, SYNC_PEER, GObject)

const char     *care_sync_peer_get_device_id (CareSyncPeer *peer);
const char     *care_sync_peer_get_name      (CareSyncPeer *peer);
const char     *care_sync_peer_get_address   (CareSyncPeer *peer);
gint64          care_sync_peer_get_last_sync (CareSyncPeer *peer);   /* ms; 0: never */
const char     *care_sync_peer_get_last_error (CareSyncPeer *peer);
gint64          care_sync_peer_get_pending   (CareSyncPeer *peer);   /* changes it has not acknowledged */
gboolean        care_sync_peer_get_syncing   (CareSyncPeer *peer);
/* "Synced 5 minutes ago", "3 changes waiting · Could not reach …", for people. */
char           *care_sync_peer_describe      (CareSyncPeer *peer);

/* A machine asking to pair, waiting for a person here. */
typedef struct
{
  char *device_id;
  char *name;
  char *address;
  char *code;
  char *certificate_pem;
} CarePairRequest;

#define CARE_TYPE_SYNC_SERVICE (care_sync_service_get_type ())
G_DECLARE_FINAL_TYPE (CareSyncService, care_sync_service, CARE, SYNC_SERVICE, GObject)

/*
 * Sync in the app: serves paired machines, syncs with each of them soon after a
 * local change and periodically (backing off from unreachable ones), announces
 * itself and finds others on the LAN (DNS-SD _caremesh._tcp, when Avahi runs),
 * and keeps a truthful status. Main thread only; database work goes through
 * @store.
 *
 * ::data-changed: changes from another machine were merged here.
 * ::pair-requests-changed: a machine asked to pair, or a request was settled.
 */
CareSyncService *care_sync_service_new              (CareStore        *store,
                                                     const char       *name,
                                                     guint             port);
/* After the store is open. */
void             care_sync_service_start            (CareSyncService  *self);
CareSyncStatus   care_sync_service_get_status       (CareSyncService  *self);
const char      *care_sync_service_get_status_text  (CareSyncService  *self);
const char      *care_sync_service_get_device_id    (CareSyncService  *self);
const char      *care_sync_service_get_name         (CareSyncService  *self);
guint            care_sync_service_get_port         (CareSyncService  *self);
/* (element-type CareSyncPeer) */
GListModel      *care_sync_service_get_peers        (CareSyncService  *self);
/* (element-type CarePairRequest), owned by the service */
GPtrArray       *care_sync_service_get_pair_requests (CareSyncService *self);
/* Machines announcing themselves on the LAN that are not paired: "name\taddress". */
GPtrArray       *care_sync_service_get_nearby       (CareSyncService  *self);

void             care_sync_service_sync_now         (CareSyncService  *self);
/* Asks the machine at @address to pair; see care_sync_request_pairing_async(). */
void             care_sync_service_request_pairing_async  (CareSyncService     *self,
                                                           const char          *address,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
CarePairOffer   *care_sync_service_request_pairing_finish (CareSyncService     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* A person confirmed the code: trust that machine (and keep its certificate). */
void             care_sync_service_pair             (CareSyncService  *self,
                                                     const char       *device_id,
                                                     const char       *name,
                                                     const char       *address,
                                                     const char       *certificate_pem);
void             care_sync_service_refuse_pairing   (CareSyncService  *self,
                                                     const char       *device_id);
void             care_sync_service_unpair           (CareSyncService  *self,
                                                     const char       *device_id);

/* USB bundles: what @device_id lacks, to @path; or a bundle from @path applied.
 * Finish both with care_sync_service_bundle_finish(): the number of changes
 * written, or applied that were new. */
void             care_sync_service_export_bundle_async (CareSyncService     *self,
                                                        const char          *device_id,
                                                        const char          *path,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
void             care_sync_service_import_bundle_async (CareSyncService     *self,
                                                        const char          *path,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gssize           care_sync_service_bundle_finish    (CareSyncService  *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

G_END_DECLS
