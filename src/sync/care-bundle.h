/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-db.h"

G_BEGIN_DECLS

/*
 * Sync bundles: changes carried on a USB stick between paired machines that have
 * no network (docs/sync-protocol.md, "USB bundles"). A bundle is made for one
 * paired machine, encrypted and authenticated with a key only the two of them
 * can compute (libsodium crypto_box keys; the public halves are in their
 * certificates). Both functions block: run them on the store's worker.
 */

#define CARE_BUNDLE_ERROR (care_bundle_error_quark ())
GQuark care_bundle_error_quark (void);

typedef enum
{
  CARE_BUNDLE_ERROR_NO_KEY,       /* the other machine's certificate is not known yet */
  CARE_BUNDLE_ERROR_NOT_FOR_US,   /* made for another machine */
  CARE_BUNDLE_ERROR_FOREIGN,      /* from a machine that is not paired */
  CARE_BUNDLE_ERROR_DAMAGED,      /* not a bundle, changed, or cut short */
} CareBundleError;

/* Writes to @path (atomically) the changes @recipient lacks as far as this
 * machine knows, or every change with @everything. */
gboolean care_bundle_export (CareDb           *db,
                             GTlsCertificate  *own_certificate,
                             const char       *recipient_device_id,
                             gboolean          everything,
                             const char       *path,
                             guint            *n_changes,
                             GError          **error);
/* Applies a bundle made for this machine: all of it, or (on any error) none. */
gboolean care_bundle_import (CareDb           *db,
                             GTlsCertificate  *own_certificate,
                             const char       *path,
                             guint            *n_new,
                             char            **sender_device_id,
                             GError          **error);

G_END_DECLS
