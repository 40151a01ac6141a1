/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_SYNC_DEFAULT_PORT 47321

#define CARE_TYPE_SYNC_SERVER (care_sync_server_get_type ())
G_DECLARE_FINAL_TYPE (CareSyncServer, care_sync_server, CARE, SYNC_SERVER, GObject)

/*
 * The sync server (docs/sync-protocol.md): HTTPS with this machine's certificate,
 * answering paired machines only. Runs on the thread-default main context; every
 * database step runs on @store's worker.
 *
 * ::received (guint n_new) is emitted after a paired machine pushed changes that
 * were new here. ::pair-requested (device id, name, certificate PEM, host) when
 * an unpaired machine asks to pair (POST /v1/pair): a person must confirm.
 */
CareSyncServer *care_sync_server_new      (CareStore        *store,
                                           GTlsCertificate  *certificate,
                                           const char       *name);
/* @port 0: any free port. Listens on every interface, or on 127.0.0.1 only with
 * @loopback_only. */
gboolean        care_sync_server_listen   (CareSyncServer   *self,
                                           guint             port,
                                           gboolean          loopback_only,
                                           GError          **error);
guint           care_sync_server_get_port (CareSyncServer   *self);
/* A connection idle this long is closed (default 30 s). Before listening. */
void            care_sync_server_set_idle_timeout (CareSyncServer *self,
                                                   guint           seconds);
const char     *care_sync_server_get_device_id (CareSyncServer *self);

G_END_DECLS
