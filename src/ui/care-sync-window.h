/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-sync-service.h"

G_BEGIN_DECLS

#define CARE_TYPE_SYNC_WINDOW (care_sync_window_get_type ())
G_DECLARE_FINAL_TYPE (CareSyncWindow, care_sync_window, CARE, SYNC_WINDOW, AdwPreferencesWindow)

GtkWindow *care_sync_window_new (GtkWindow       *parent,
                                 CareSyncService *service);

G_END_DECLS
