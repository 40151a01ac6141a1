/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

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
  gboolean    skip_sync;
  guint       sync_patients; /* demo clinic merged into an empty replica */
} CareBenchOptions;

/* Replication figures (care-bench-sync.c); files are made in @work_dir. */
int care_bench_sync         (guint       n_patients,
                             const char *work_dir);
int care_bench_local_writes (guint       n_writes,
                             const char *work_dir);
/* Network sync figures (care-bench-net.c): a @n_small and the @n_large clinic of
 * care_bench_sync() to an empty machine over loopback TLS, then 100 changes. */
int care_bench_net          (guint       n_small,
                             guint       n_large,
                             const char *work_dir);

/* Shared by the benchmarks: pairs two database files with each other (as A and
 * B); a process's peak resident memory ("self" or a pid) in MB; removes a
 * database file with its -wal and -shm. */
gboolean care_bench_pair         (const char  *a_path,
                                  const char  *b_path,
                                  GError     **error);
double   care_bench_peak_rss_mb  (const char  *pid);
void     care_bench_remove_db    (const char  *path);

/* Prints one line per figure on stdout: "name value unit". Returns an exit code. */
int care_bench_run (const CareBenchOptions *options,
                    const char             *argv0);

G_END_DECLS
