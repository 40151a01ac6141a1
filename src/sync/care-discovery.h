/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CARE_DISCOVERY_SERVICE_TYPE "_caremesh._tcp"

#define CARE_TYPE_DISCOVERY (care_discovery_get_type ())
G_DECLARE_FINAL_TYPE (CareDiscovery, care_discovery, CARE, DISCOVERY, GObject)

/*
 * Finding peers on the LAN with DNS-SD (docs/sync-protocol.md, "Finding each
 * other"): announces this machine's sync server as _caremesh._tcp with its
 * device id in the TXT record, and lists the others announcing themselves,
 * through the Avahi daemon. Where no daemon runs, nothing is announced or found
 * and nothing fails; a daemon that starts (or restarts) later is picked up.
 *
 * An announced device id is a hint, never trust: a sync still checks the
 * certificate it meets against the one paired.
 *
 * ::changed: a machine appeared, moved or left. Main thread only.
 */
CareDiscovery *care_discovery_new          (const char    *device_id,
                                            const char    *name,
                                            guint          port);
/* Also list the other machines (a headless hub only announces itself). */
void           care_discovery_browse       (CareDiscovery *self);
/* The name announced: @name, or "@name #2" when another machine has it. */
const char    *care_discovery_get_name     (CareDiscovery *self);
/* Device id -> "name\taddress" ("host:port", "[v6]:port"), never this machine. */
GHashTable    *care_discovery_get_found    (CareDiscovery *self);

G_END_DECLS
