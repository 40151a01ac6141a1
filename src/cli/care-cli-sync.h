/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-store.h"
#include "care-sync-client.h"

G_BEGIN_DECLS

int care_cli_id      (int argc, char **argv);
int care_cli_trust   (int argc, char **argv);
int care_cli_untrust (int argc, char **argv);
int care_cli_peers   (int argc, char **argv);
int care_cli_serve   (int argc, char **argv);
int care_cli_sync    (int argc, char **argv);
int care_cli_bundle  (int argc, char **argv);

int care_cli_bench_peer (int argc, char **argv);

char           *care_cli_self_path   (void);
gboolean        care_cli_start_store (const char        *command,
                                      const char        *db_path,
                                      CareStore        **store,
                                      GTlsCertificate  **certificate);
CareSyncReport *care_cli_sync_once   (CareStore         *store,
                                      GTlsCertificate   *certificate,
                                      const char        *name,
                                      const char        *address,
                                      const char        *expected_device_id,
                                      GError           **error);

G_END_DECLS
