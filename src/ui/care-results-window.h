/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-chart.h"

G_BEGIN_DECLS

/* Every observation of a patient as a table, newest first, filtered by the
 * test's name and its category. */
GtkWindow *care_results_window_new (GtkWindow *parent,
                                    CareChart *chart);

G_END_DECLS
