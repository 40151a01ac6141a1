/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *db_path;
  guint       patients;     /* generated when the database does not exist */
  guint64     seed;
  guint       queries;      /* random searches */
  guint       ui_runs;      /* cold starts of the app; median reported */
  const char *app_path;     /* the caremesh binary; NULL = next to caremeshctl */
  gboolean    skip_ui;
} CareBenchOptions;

/* Prints one line per figure on stdout: "name value unit". Returns an exit code. */
int care_bench_run (const CareBenchOptions *options,
                    const char             *argv0);

G_END_DECLS
