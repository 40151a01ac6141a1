/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_TYPE_WINDOW (care_window_get_type ())
G_DECLARE_FINAL_TYPE (CareWindow, care_window, CARE, WINDOW, AdwApplicationWindow)

typedef enum
{
  CARE_WINDOW_MODE_NORMAL,
  CARE_WINDOW_MODE_DEMO,    /* make a demo clinic when the database is empty */
  CARE_WINDOW_MODE_BENCH,   /* measure start-up and scrolling, print figures, quit */
} CareWindowMode;

/* @sync_port: where to serve paired computers (0: any free port; -1: no sync). */
CareWindow *care_window_new (AdwApplication *application,
                             const char     *db_path,
                             CareWindowMode  mode,
                             int             sync_port);

G_END_DECLS
