/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care-bench.h"
#include "care-cli-sync.h"
#include "care-db.h"
#include "care-generator.h"
#include "care-identity.h"

/*
 * Network sync figures (docs/sync-protocol.md): a demo clinic's whole history to
 * an empty machine over loopback TLS, between two caremeshctl processes (wall time,
 * bytes on the wire, peak memory of each side), for two clinic sizes so that the
 * memory can be seen to stay flat; then 100 new changes both ways.
 */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}




static GSubprocess *
serve (const char  *self_exe,
       const char  *db,
       char       **address,
       GError     **error)
{
  g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, error, self_exe, "serve", "--db", db,
                                                     "--port", "0", "--loopback", NULL);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  guint port = 0;

  if (process == NULL)
    return NULL;
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error);
  if (line == NULL || sscanf (line, "Serving on port %u", &port) != 1)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "caremeshctl serve did not start");
      return NULL;
    }
  *address = g_strdup_printf ("127.0.0.1:%u", port);

  return g_steal_pointer (&process);
}

/* Everything in @source to an empty machine: `caremeshctl serve` on the source,
 * `caremeshctl sync --stats` on the new machine. */
static int
initial_sync (const char *self_exe,
              const char *source,
              const char *empty,
              const char *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autofree char *address = NULL, *out = NULL;
  guint64 sent = 0, received = 0;
  long client_kb = 0;
  const char *stats;
  double server_mb;
  gint64 start;

  care_bench_remove_db (empty);
  if (!care_bench_pair (source, empty, &error) || !(server = serve (self_exe, source, &address, &error)))
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error->message);
      return 1;
    }

  start = g_get_monotonic_time ();
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe, "sync", "--db", empty,
                             "--peer", address, "--stats", NULL);
  if (client == NULL || !g_subprocess_communicate_utf8 (client, NULL, NULL, &out, NULL, &error) ||
      g_subprocess_get_exit_status (client) != 0 || !(stats = strstr (out, "stats ")))
    {
      fprintf (stderr, "caremeshctl bench: the initial sync failed%s%s\n", error ? ": " : "", error ? error->message : "");
      return 1;
    }
  printf ("net_initial_sync_%s %.2f s\n", label, (g_get_monotonic_time () - start) / 1e6);

  sscanf (stats, "stats bytes_sent %" G_GUINT64_FORMAT " bytes_received %" G_GUINT64_FORMAT " peak_rss_kb %ld",
          &sent, &received, &client_kb);
  server_mb = care_bench_peak_rss_mb (g_subprocess_get_identifier (server));
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);

  printf ("net_initial_bytes_%s %.2f MB\n", label, (sent + received) / 1e6);
  printf ("net_initial_peak_rss_client_%s %.0f MB\n", label, client_kb / 1024.0);
  printf ("net_initial_peak_rss_server_%s %.0f MB\n", label, server_mb);

  return 0;
}

/* 100 changes made on each side, then one sync both ways, timed in this process
 * (the new machine's store; the source served by another process). */
static int
incremental_sync (const char *self_exe,
                  const char *source,
                  const char *replica)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(CareStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(CareSyncReport) report = NULL;
  g_autofree char *address = NULL;
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (double));
  double ms;

  if (!(server = serve (self_exe, source, &address, &error)) ||
      !care_cli_start_store ("bench", replica, &store, &certificate))
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error ? error->message : "could not open the replica");
      g_array_unref (runs);
      return 1;
    }

  for (guint run = 0; run < 5; run++)
    {
      g_autoptr(CareDb) here = care_db_open (replica, NULL);
      g_autoptr(CareDb) there = care_db_open (source, NULL);
      g_autoptr(GPtrArray) patients_here = here ? care_db_list (here, "system:bench", "patients", NULL, NULL, NULL) : NULL;
      gint64 start;

      /* 50 edits on each side: 100 changes to exchange. */
      for (guint i = 0; patients_here != NULL && i < 50; i++)
        {
          CareRecord *patient = g_ptr_array_index (patients_here, (run * 50 + i) % patients_here->len);
          g_autoptr(CareFields) a = care_fields_new ();
          g_autoptr(CareFields) b = care_fields_new ();
          g_autofree char *phone_a = g_strdup_printf ("(541) 555-%04u", run * 100 + i);
          g_autofree char *phone_b = g_strdup_printf ("(541) 556-%04u", run * 100 + i);

          care_fields_set (a, "phone", phone_a);
          care_fields_set (b, "address_line", phone_b);
          care_db_put (here, "system:bench", "patients", care_record_get_id (patient), a, NULL, NULL);
          care_db_put (there, "system:bench", "patients", care_record_get_id (patient), b, NULL, NULL);
        }
      g_clear_pointer (&here, care_db_close);
      g_clear_pointer (&there, care_db_close);

      start = g_get_monotonic_time ();
      g_clear_pointer (&report, care_sync_report_free);
      if (!(report = care_cli_sync_once (store, certificate, "B", address, NULL, &error)))
        {
          fprintf (stderr, "caremeshctl bench: %s\n", error->message);
          g_array_unref (runs);
          return 1;
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (runs, ms);
    }

  g_array_sort (runs, compare_doubles);
  printf ("net_incremental_100_changes %.0f ms\n", g_array_index (runs, double, runs->len / 2));
  g_array_unref (runs);

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);

  return 0;
}

int
care_bench_net (guint       n_small,
                guint       n_large,
                const char *work_dir)
{
  g_autofree char *self_exe = care_cli_self_path ();
  g_autofree char *small = g_build_filename (work_dir, "bench-net-small.db", NULL);
  g_autofree char *large = g_build_filename (work_dir, "bench-sync-source.db", NULL);
  g_autofree char *empty = g_build_filename (work_dir, "bench-net-empty.db", NULL);
  g_autofree char *label_small = g_strdup_printf ("%u", n_small);
  g_autofree char *label_large = g_strdup_printf ("%u", n_large);
  int status;

  /* The large clinic is the replication benchmark's source (made just before). */
  care_bench_remove_db (small);
  {
    g_autoptr(CareDb) db = NULL;
    g_autoptr(GError) error = NULL;
    CareGeneratorOptions options;

    care_generator_options_init (&options);
    options.n_patients = n_small;
    if (!(db = care_db_open (small, &error)) || !care_generator_run (db, &options, NULL, NULL, &error))
      {
        fprintf (stderr, "caremeshctl bench: %s\n", error->message);
        return 1;
      }
  }

  if ((status = initial_sync (self_exe, small, empty, label_small)) != 0 ||
      (status = initial_sync (self_exe, large, empty, label_large)) != 0 ||
      (status = incremental_sync (self_exe, large, empty)) != 0)
    return status;

  care_bench_remove_db (small);
  care_bench_remove_db (empty);

  return 0;
}
