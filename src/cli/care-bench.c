/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-bench"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "care-bench.h"
#include "care-db.h"
#include "care-generator.h"
#include "care-identity.h"
#include "care-patient.h"
#include "care-record.h"
#include "care-text.h"
#include "care-worklist.h"

#define ACTOR "system:bench"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
percentile (GArray *values,
            double  p)
{
  guint index;

  if (values->len == 0)
    return 0;

  g_array_sort (values, compare_doubles);
  index = (guint) (p * (values->len - 1) + 0.5);

  return g_array_index (values, double, MIN (index, values->len - 1));
}

gboolean
care_bench_pair (const char  *a_path,
                 const char  *b_path,
                 GError     **error)
{
  g_autoptr(CareDb) a = care_db_open (a_path, error);
  g_autoptr(CareDb) b = a ? care_db_open (b_path, error) : NULL;
  g_autoptr(GTlsCertificate) cert_a = NULL;
  g_autoptr(GTlsCertificate) cert_b = NULL;
  g_autofree char *id_a = NULL, *id_b = NULL;

  if (b == NULL || !(cert_a = care_identity_get_certificate (a, error)) ||
      !(cert_b = care_identity_get_certificate (b, error)))
    return FALSE;
  id_a = care_identity_device_id (cert_a);
  id_b = care_identity_device_id (cert_b);

  return care_identity_trust (a, id_b, "B", NULL, error) && care_identity_trust (b, id_a, "A", NULL, error);
}

double
care_bench_peak_rss_mb (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(line = strstr (text, "VmHWM:")))
    return 0;

  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

void
care_bench_remove_db (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);

      g_unlink (name);
    }
}

static double
file_size_mb (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  double total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      if (g_stat (name, &st) == 0)
        total += st.st_size;
    }

  return total / (1024.0 * 1024.0);
}

/* A tiny deterministic generator for choosing queries. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static char *
prefix_of (const char *text,
           guint       n_chars)
{
  const char *end = text;

  for (guint i = 0; i < n_chars && *end; i++)
    end = g_utf8_next_char (end);

  return g_strndup (text, end - text);
}

/* What a person at the front desk types: part of a family name, a given name and
 * part of a family name, an MRN, a birth date or a phone number. */
static char *
make_query (CareRecord *patient,
            guint64    *state)
{
  guint kind = next_random (state) % 100;
  const char *family = care_record_get (patient, "family_name");
  const char *given = care_record_get (patient, "given_name");
  const char *phone = care_record_get (patient, "phone");
  guint n = 2 + next_random (state) % 4;

  if (kind < 40)
    return prefix_of (family, n);
  if (kind < 60)
    {
      g_autofree char *part = prefix_of (family, n);

      return g_strdup_printf ("%s %s", given, part);
    }
  if (kind < 75)
    return prefix_of (care_record_get (patient, "mrn"), 4 + next_random (state) % 4);
  if (kind < 90)
    return g_strdup (care_record_get (patient, "birth_date"));

  return g_strdup (phone && strlen (phone) > 8 ? phone + strlen (phone) - 8 : "555");
}

static int
bench_search (const CareBenchOptions *options)
{
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 state = options->seed;
  guint64 total_hits = 0;

  if (!(db = care_db_open (options->db_path, &error)) ||
      !(patients = care_db_list (db, ACTOR, "patients", NULL, NULL, &error)))
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error->message);
      return 1;
    }

  if (patients->len == 0)
    {
      fprintf (stderr, "caremeshctl bench: %s\n", _("the database has no patients"));
      return 1;
    }

  for (guint i = 0; i < options->queries; i++)
    {
      CareRecord *patient = g_ptr_array_index (patients, next_random (&state) % patients->len);
      g_autofree char *query = make_query (patient, &state);
      g_autoptr(GArray) seqs = NULL;
      g_autoptr(GPtrArray) page = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      /* A search is what the list needs before it can draw: the matches in order
       * and the first page of them. */
      seqs = care_db_search_patients (db, ACTOR, query, &error);
      if (seqs == NULL)
        {
          fprintf (stderr, "caremeshctl bench: %s\n", error->message);
          return 1;
        }
      page = care_db_load_patients (db, ACTOR, (const gint64 *) (gpointer) seqs->data,
                                    MIN (seqs->len, 100), &error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
      total_hits += seqs->len;
    }

  printf ("search_p50 %.2f ms\n", percentile (times, 0.50));
  printf ("search_p95 %.2f ms\n", percentile (times, 0.95));
  printf ("search_max %.2f ms\n", percentile (times, 1.0));
  printf ("search_mean_hits %.0f patients\n", (double) total_hits / options->queries);

  return 0;
}

/* Worklists: 200 "My work" first pages of random practitioners and the
 * coordinator's first page with each discipline filter, each with its total, as
 * the window asks for them; then the coordinator's summary counts. */
static int
bench_worklist (const CareBenchOptions *options)
{
  static const char * const disciplines[] = {
    NULL, "physician", "nurse-practitioner", "nurse", "pharmacist", "behavioral-health",
    "social-worker", "care-coordinator", "front-desk",
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) practitioners = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *today = care_text_today ();
  guint64 state = options->seed;
  guint64 total_items = 0;
  guint n_runs = 0;
  double counts_ms;
  gint64 start;

  if (!(db = care_db_open (options->db_path, &error)) ||
      !(practitioners = care_db_list (db, ACTOR, "practitioners", NULL, NULL, &error)))
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < 200 + G_N_ELEMENTS (disciplines); i++)
    {
      CareWorkQuery query = { .include_referrals = TRUE, .today = today };
      g_autoptr(GPtrArray) page = NULL;
      guint total = 0;
      double ms;

      if (i < 200)
        {
          if (practitioners->len == 0)
            continue;
          query.assignee_id = care_record_get_id (g_ptr_array_index (practitioners,
                                                                     next_random (&state) % practitioners->len));
        }
      else
        query.discipline = disciplines[i - 200];

      start = g_get_monotonic_time ();
      if (!(page = care_db_worklist (db, &query, 0, 100, &total, &error)))
        {
          fprintf (stderr, "caremeshctl bench: %s\n", error->message);
          return 1;
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
      total_items += total;
      n_runs++;
    }

  {
    CareWorkQuery query = { .include_referrals = TRUE, .today = today };

    start = g_get_monotonic_time ();
    if (!(counts = care_db_work_counts (db, &query, &error)))
      {
        fprintf (stderr, "caremeshctl bench: %s\n", error->message);
        return 1;
      }
    counts_ms = (g_get_monotonic_time () - start) / 1000.0;
  }

  printf ("worklist_p50 %.2f ms\n", percentile (times, 0.50));
  printf ("worklist_p95 %.2f ms\n", percentile (times, 0.95));
  printf ("worklist_max %.2f ms\n", percentile (times, 1.0));
  printf ("worklist_mean_items %.0f items\n", n_runs ? (double) total_items / n_runs : 0);
  printf ("worklist_counts %.2f ms\n", counts_ms);

  return 0;
}

static char *
find_app (const CareBenchOptions *options,
          const char             *argv0)
{
  g_autofree char *dir = NULL;
  g_autofree char *candidate = NULL;

  if (options->app_path != NULL)
    return g_strdup (options->app_path);

  /* caremeshctl and caremesh sit side by side, in the build tree (src/) and installed. */
  {
    g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

    dir = g_path_get_dirname (self_exe ? self_exe : argv0);
  }
  candidate = g_build_filename (dir, "caremesh", NULL);
  if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&candidate);

  return g_find_program_in_path ("caremesh");
}

/* Starts the app in benchmark mode; it prints "name value unit" lines and quits. */
/* The long-history patient the dashboard figure opens (added once). */
static char *
long_history_patient (const char  *db_path,
                      GError     **error)
{
  g_autoptr(CareDb) db = care_db_open (db_path, error);
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  char *id = NULL;

  if (db == NULL || !(seqs = care_db_search_patients (db, "bench", "Longhistory Harriet", error)))
    return NULL;
  if (seqs->len > 0 && (patients = care_db_load_patients (db, "bench", (gint64 *) (gpointer) seqs->data, 1, error)) &&
      patients->len > 0)
    return g_strdup (care_patient_get_id (g_ptr_array_index (patients, 0)));

  if (!care_generator_add_long_history (db, NULL, &id, error))
    return NULL;
  care_db_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
  return id;
}

static gboolean
run_app_once (const char  *app,
              const char  *db_path,
              const char  *patient_id,
              const char  *renderer,
              GHashTable  *figures,
              GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *t0 = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
  g_auto(GStrv) lines = NULL;

  g_subprocess_launcher_setenv (launcher, "CAREMESH_BENCH_T0", t0, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  if (patient_id != NULL)
    g_subprocess_launcher_setenv (launcher, "CAREMESH_BENCH_PATIENT", patient_id, TRUE);
  if (renderer != NULL)
    g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", renderer, TRUE);
  process = g_subprocess_launcher_spawn (launcher, error, app, "--db", db_path, "--bench", NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return FALSE;

  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "caremesh --bench failed");
      return FALSE;
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (lines[i], " ", 3);
      GArray *values;
      double value;

      if (g_strv_length (parts) != 3)
        continue;
      /* Figures under a forced renderer get its name as a suffix: first_frame_gl. */
      if (renderer != NULL)
        {
          g_autofree char *plain = parts[0];

          parts[0] = g_strdup_printf ("%s_%s", plain, renderer);
        }
      if (!(values = g_hash_table_lookup (figures, parts[0])))
        {
          values = g_array_new (FALSE, FALSE, sizeof (double));
          g_hash_table_insert (figures, g_strdup_printf ("%s %s", parts[0], parts[2]), values);
          g_hash_table_insert (figures, g_strdup (parts[0]), g_array_ref (values));
        }
      value = g_ascii_strtod (parts[1], NULL);
      g_array_append_val (values, value);
    }

  return TRUE;
}

static int
bench_ui (const CareBenchOptions *options,
          const char             *argv0)
{
  g_autoptr(GHashTable) figures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) g_array_unref);
  g_autofree char *app = find_app (options, argv0);
  const char *names[] = { "first_frame", "rss_after_start", "rss_after_scroll", "scroll_time", "dashboard_draw",
                          "first_frame_gl", "rss_after_start_gl", "rss_after_scroll_gl",
                          "scroll_time_gl", "dashboard_draw_gl" };
  g_autofree char *patient_id = NULL;
  const char *renderers[] = { NULL, "gl" };

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      fprintf (stderr, "caremeshctl bench: %s\n",
               _("no display: start-up and memory figures skipped (run under xvfb-run)"));
      return 0;
    }

  if (app == NULL)
    {
      fprintf (stderr, "caremeshctl bench: %s\n", _("cannot find the caremesh program (use --app)"));
      return 1;
    }

  {
    g_autoptr(GError) error = NULL;

    if (!(patient_id = long_history_patient (options->db_path, &error)))
      {
        fprintf (stderr, "caremeshctl bench: %s\n", error->message);
        return 1;
      }
  }

  /* The renderer caremesh chooses (cairo when there is no GPU) and GTK's GL
   * renderer (without a GPU: Mesa's software llvmpipe), alternating so that
   * both see the same machine load. */
  for (guint run = 0; run < options->ui_runs; run++)
    for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
      {
        g_autoptr(GError) error = NULL;

        if (!run_app_once (app, options->db_path, patient_id, renderers[r], figures, &error))
          {
            fprintf (stderr, "caremeshctl bench: %s\n", error->message);
            return 1;
          }
      }

  /* Medians over the runs: machines here are shared and noisy. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, figures);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const char *name = key;
          gsize len = strlen (names[i]);

          if (strncmp (name, names[i], len) == 0 && name[len] == ' ')
            printf ("%s %.1f %s\n", names[i], percentile (value, 0.5), name + len + 1);
        }
    }

  return 0;
}

int
care_bench_run (const CareBenchOptions *options,
                const char             *argv0)
{
  int status;

  if (!g_file_test (options->db_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(CareDb) db = NULL;
      g_autoptr(GError) error = NULL;
      CareGeneratorOptions generator;
      gint64 start = g_get_monotonic_time ();

      care_generator_options_init (&generator);
      generator.n_patients = options->patients;
      generator.seed = options->seed;

      if (!(db = care_db_open (options->db_path, &error)) ||
          !care_generator_run (db, &generator, NULL, NULL, &error))
        {
          fprintf (stderr, "caremeshctl bench: %s\n", error->message);
          return 1;
        }
      care_db_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
      printf ("generate_patients %u patients\n", options->patients);
      printf ("generation_time %.1f s\n", (g_get_monotonic_time () - start) / 1e6);
    }

  printf ("db_size %.1f MB\n", file_size_mb (options->db_path));

  if ((status = bench_search (options)) != 0 ||
      (status = bench_worklist (options)) != 0)
    return status;

  if (!options->skip_sync)
    {
      g_autofree char *dir = g_path_get_dirname (options->db_path);

      if ((status = care_bench_sync (options->sync_patients, dir)) != 0 ||
          (status = care_bench_local_writes (100000, dir)) != 0 ||
          (status = care_bench_net (MIN (2000, options->sync_patients), options->sync_patients, dir)) != 0)
        return status;
    }

  if (!options->skip_ui)
    return bench_ui (options, argv0);

  return 0;
}
