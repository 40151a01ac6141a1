/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-chart.h"

G_BEGIN_DECLS

/* Every observation of a patient as a table, newest first, filtered by the
 * test's name and its category. */
typedef void (*CareResultActivated) (CareRecord *observation,
                                     gpointer    user_data);

/* @activated runs when a row is activated (double click, Enter); the window
 * then closes. */
GtkWindow *care_results_window_new (GtkWindow           *parent,
                                    CareChart           *chart,
                                    CareResultActivated  activated,
                                    gpointer             user_data);

G_END_DECLS
