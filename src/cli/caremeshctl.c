/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "caremeshctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "care-bench.h"
#include "care-catalog.h"
#include "care-chart.h"
#include "care-cli-sync.h"
#include "care-db.h"
#include "care-duplicates.h"
#include "care-generator.h"
#include "care-patient.h"
#include "care-plan-print.h"
#include "care-text.h"

#define ACTOR "system:caremeshctl"

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char  *name;
  CommandFunc  func;
  const char  *args;
  const char  *help;
} Command;

static int cmd_generate (int argc, char **argv);
static int cmd_stats (int argc, char **argv);
static int cmd_hash (int argc, char **argv);
static int cmd_search (int argc, char **argv);
static int cmd_bench (int argc, char **argv);
static int cmd_conflicts (int argc, char **argv);
static int cmd_merge (int argc, char **argv);
static int cmd_duplicates (int argc, char **argv);
static int cmd_careplan_pdf (int argc, char **argv);

static const Command commands[] = {
  { "generate", cmd_generate, "--db PATH [--patients N] [--seed S] [--as-of YYYY-MM-DD]",
    N_("Write a synthetic demo clinic into a new database") },
  { "stats", cmd_stats, "--db PATH", N_("Count the records of each type") },
  { "hash", cmd_hash, "--db PATH", N_("Print a hash of the clinical content") },
  { "search", cmd_search, "--db PATH QUERY", N_("Count the patients a search finds") },
  { "conflicts", cmd_conflicts, "--db PATH [--patient ID] [--review]",
    N_("List concurrent edits kept for review") },
  { "merge", cmd_merge, "--from A.db --into B.db", N_("Exchange changes between two databases, both ways") },
  { "duplicates", cmd_duplicates, "--db PATH", N_("List patients likely registered twice") },
  { "careplan-pdf", cmd_careplan_pdf, "--db PATH --mrn MRN --out FILE.pdf [--language es|en]",
    N_("Print a patient's care plan for the patient, as a PDF") },
  { "id", care_cli_id, "--db PATH [--export FILE]", N_("Print this machine's device id, for pairing") },
  { "trust", care_cli_trust, "--db PATH (--device-id ID | --certificate FILE) --name NAME",
    N_("Pair with another machine (run it on both)") },
  { "untrust", care_cli_untrust, "--db PATH --device-id ID", N_("Unpair a machine") },
  { "peers", care_cli_peers, "--db PATH", N_("List paired machines and their last sync") },
  { "serve", care_cli_serve, "--db PATH [--port P] [--name NAME]", N_("Serve sync to paired machines, without a window") },
  { "sync", care_cli_sync, "--db PATH --peer HOST:PORT", N_("Sync once, both ways, with a paired machine") },
  { "bundle", care_cli_bundle, "export --db PATH --for ID --out FILE [--all] | import --db PATH --in FILE",
    N_("Carry changes on a USB stick to a paired machine") },
  { "bench-peer", care_cli_bench_peer, "--workload DIR", N_("Run the standard peer-sync workload against a serve process") },
  { "bench", cmd_bench, "--db PATH [--patients N] [--queries N] [--runs N] [--no-ui]",
    N_("Measure generation, start-up, search and memory") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: caremeshctl COMMAND [OPTIONS]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n            %s\n", commands[i].name, commands[i].args, _(commands[i].help));
  fprintf (out, "\n%s\n", _("Run “caremeshctl COMMAND --help” for a command's options."));
}

static gboolean
parse (GOptionEntry  *entries,
       const char    *command,
       const char    *parameter,
       int           *argc,
       char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = g_strdup_printf ("caremeshctl %s", command);

  context = g_option_context_new (parameter);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "caremeshctl %s: %s\n", command, error->message);
      fprintf (stderr, _("Run “caremeshctl %s --help” for usage.\n"), command);
      return FALSE;
    }

  return TRUE;
}

static gboolean
require_db (const char *command,
            const char *db_path)
{
  if (db_path == NULL)
    {
      fprintf (stderr, _("caremeshctl %s: --db PATH is required\n"), command);
      return FALSE;
    }

  return TRUE;
}

static CareDb *
open_existing (const char *command,
               const char *db_path)
{
  g_autoptr(GError) error = NULL;
  CareDb *db;

  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, _("caremeshctl %s: no database at “%s”\n"), command, db_path);
      return NULL;
    }

  if (!(db = care_db_open (db_path, &error)))
    fprintf (stderr, "caremeshctl %s: %s\n", command, error->message);

  return db;
}

/* The usual start of a command on an existing database: options, --db, open.
 * Returns 0, or the exit status to end with (2: usage, 1: the database). */
static int
open_command_db (GOptionEntry   *entries,
                 const char     *command,
                 const char     *parameter,
                 int            *argc,
                 char         ***argv,
                 char          **db_path,
                 CareDb        **db)
{
  if (!parse (entries, command, parameter, argc, argv) || !require_db (command, *db_path))
    return 2;
  if (!(*db = open_existing (command, *db_path)))
    return 1;

  return 0;
}

static void
on_generate_progress (guint    done,
                      guint    total,
                      gpointer user_data)
{
  if (isatty (fileno (stderr)))
    fprintf (stderr, "\r%u / %u", done, total);
}

static int
cmd_generate (int    argc,
              char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *as_of = NULL;
  gint64 patients = 2000, seed = 1;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file to create"), "PATH" },
    { "patients", 'n', 0, G_OPTION_ARG_INT64, &patients, N_("Number of patients (default 2000)"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 1)"), "S" },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of, N_("The day the clinic's history ends (default today)"), "YYYY-MM-DD" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  CareGeneratorOptions options;
  gint64 count;
  gint64 start;

  if (!parse (entries, "generate", NULL, &argc, &argv) || !require_db ("generate", db_path))
    return 2;

  if (patients < 1 || patients > 1000000)
    {
      fprintf (stderr, _("caremeshctl generate: --patients must be between 1 and 1000000\n"));
      return 2;
    }

  if (!(db = care_db_open (db_path, &error)))
    {
      fprintf (stderr, "caremeshctl generate: %s\n", error->message);
      return 1;
    }

  /* Never mix a demo clinic into a database that already holds records. */
  if ((count = care_db_count (db, "patients", &error)) != 0 ||
      (count = care_db_count (db, "organizations", &error)) != 0)
    {
      if (count < 0)
        fprintf (stderr, "caremeshctl generate: %s\n", error->message);
      else
        fprintf (stderr, _("caremeshctl generate: “%s” already holds records; choose a new file. Nothing was changed.\n"),
                 db_path);
      return 1;
    }

  care_generator_options_init (&options);
  options.n_patients = (guint) patients;
  options.seed = (guint64) seed;
  options.as_of = as_of;

  start = g_get_monotonic_time ();
  if (!care_generator_run (db, &options, on_generate_progress, NULL, &error))
    {
      fprintf (stderr, "\ncaremeshctl generate: %s\n", error->message);
      return 1;
    }
  if (isatty (fileno (stderr)))
    fprintf (stderr, "\n");

  printf (_("Generated a demo clinic with %u patients in %.1f s: %s\n"), options.n_patients,
          (g_get_monotonic_time () - start) / 1e6, db_path);

  return 0;
}

static int
cmd_stats (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  int status;

  if ((status = open_command_db (entries, "stats", NULL, &argc, &argv, &db_path, &db)))
    return status;

  for (const char * const *t = care_db_record_types (); *t; t++)
    {
      g_autoptr(GError) error = NULL;
      gint64 count = care_db_count (db, *t, &error);

      if (count < 0)
        {
          fprintf (stderr, "caremeshctl stats: %s\n", error->message);
          return 1;
        }
      printf ("%-22s %" G_GINT64_FORMAT "\n", *t, count);
    }

  return 0;
}

static int
cmd_hash (int    argc,
          char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  int status;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;

  if ((status = open_command_db (entries, "hash", NULL, &argc, &argv, &db_path, &db)))
    return status;

  if (!(hash = care_db_content_hash (db, &error)))
    {
      fprintf (stderr, "caremeshctl hash: %s\n", error->message);
      return 1;
    }
  printf ("%s\n", hash);

  return 0;
}

static int
cmd_search (int    argc,
            char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seqs = NULL;

  if (!parse (entries, "search", "QUERY", &argc, &argv) || !require_db ("search", db_path))
    return 2;
  if (argc != 2)
    {
      fprintf (stderr, _("caremeshctl search: give exactly one QUERY\n"));
      return 2;
    }
  if (!(db = open_existing ("search", db_path)))
    return 1;

  if (!(seqs = care_db_search_patients (db, ACTOR, argv[1], &error)))
    {
      fprintf (stderr, "caremeshctl search: %s\n", error->message);
      return 1;
    }

  /* Only a count: patient details are not printed. */
  printf ("%u\n", seqs->len);

  return 0;
}

static int
cmd_conflicts (int    argc,
               char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *patient = NULL;
  gboolean review = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { "patient", 0, 0, G_OPTION_ARG_STRING, &patient, N_("Only this patient's (patient id)"), "ID" },
    { "review", 0, 0, G_OPTION_ARG_NONE, &review, N_("Only the clinically significant ones"), NULL },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  int status;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;

  if ((status = open_command_db (entries, "conflicts", NULL, &argc, &argv, &db_path, &db)))
    return status;

  if (!(conflicts = care_db_conflicts (db, ACTOR, patient, review, &error)))
    {
      fprintf (stderr, "caremeshctl conflicts: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < conflicts->len; i++)
    {
      CareRecord *c = g_ptr_array_index (conflicts, i);
      gboolean flag = g_strcmp0 (care_record_get (c, "kind"), "retired-edit") == 0;

      if (flag)
        printf ("%s %s %s: %s\n", care_record_get (c, "tbl"), care_record_get (c, "rid"),
                g_strcmp0 (care_record_get (c, "significant"), "1") == 0 ? "[review]" : "",
                _("retired on one machine while edited on another"));
      else
        printf ("%s %s %s %s: “%s” (kept) vs “%s” (by %s on device %s)\n",
                care_record_get (c, "tbl"), care_record_get (c, "rid"), care_record_get (c, "field"),
                g_strcmp0 (care_record_get (c, "significant"), "1") == 0 ? "[review]" : "",
                care_record_get (c, "winner_value") ? care_record_get (c, "winner_value") : "",
                care_record_get (c, "value") ? care_record_get (c, "value") : "",
                care_record_get (c, "actor") ? care_record_get (c, "actor") : "?",
                care_record_get (c, "device"));
    }
  printf (ngettext ("%u conflict\n", "%u conflicts\n", conflicts->len), conflicts->len);

  return 0;
}

static int
cmd_merge (int    argc,
           char **argv)
{
  g_autofree char *from_path = NULL;
  g_autofree char *into_path = NULL;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from_path, N_("One database"), "A.db" },
    { "into", 0, 0, G_OPTION_ARG_FILENAME, &into_path, N_("The other database"), "B.db" },
    { NULL }
  };
  g_autoptr(CareDb) a = NULL;
  g_autoptr(CareDb) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash_a = NULL;
  g_autofree char *hash_b = NULL;
  guint to_b = 0, to_a = 0;
  int status = 0;

  if (!parse (entries, "merge", NULL, &argc, &argv))
    return 2;
  if (from_path == NULL || into_path == NULL)
    {
      fprintf (stderr, _("caremeshctl merge: --from and --into are required\n"));
      return 2;
    }
  if (!(a = open_existing ("merge", from_path)) || !(b = open_existing ("merge", into_path)))
    return 1;

  /* Each way on its own: a refusal one way (a wrong clock) does not stop the other. */
  if (!care_db_pull (b, a, 1000, &to_b, &error))
    {
      fprintf (stderr, "caremeshctl merge: %s → %s: %s\n", from_path, into_path, error->message);
      g_clear_error (&error);
      status = 1;
    }
  if (!care_db_pull (a, b, 1000, &to_a, &error))
    {
      fprintf (stderr, "caremeshctl merge: %s → %s: %s\n", into_path, from_path, error->message);
      g_clear_error (&error);
      status = 1;
    }

  hash_a = care_db_content_hash (a, NULL);
  hash_b = care_db_content_hash (b, NULL);
  printf (ngettext ("%u change to %s, ", "%u changes to %s, ", to_b), to_b, into_path);
  printf (ngettext ("%u change to %s; ", "%u changes to %s; ", to_a), to_a, from_path);
  printf ("%s\n", g_strcmp0 (hash_a, hash_b) == 0 ? _("both hold the same record now") : _("they still differ"));

  return status;
}

static int
cmd_duplicates (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  int status;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  if ((status = open_command_db (entries, "duplicates", NULL, &argc, &argv, &db_path, &db)))
    return status;

  if (!(found = care_duplicates_find (db, ACTOR, &error)))
    {
      fprintf (stderr, "caremeshctl duplicates: %s\n", error->message);
      return 1;
    }

  /* Record numbers (MRNs), not names: enough to look both up in the app. */
  for (guint i = 0; i < found->len; i++)
    {
      CareDuplicate *d = g_ptr_array_index (found, i);
      g_autoptr(CareRecord) a = care_db_get (db, ACTOR, "patients", d->patient_a, NULL);
      g_autoptr(CareRecord) b = care_db_get (db, ACTOR, "patients", d->patient_b, NULL);

      printf ("MRN %s  MRN %s  %d  %s\n", a ? care_record_get (a, "mrn") : "?", b ? care_record_get (b, "mrn") : "?",
              d->score, d->reason);
    }
  printf (ngettext ("%u likely duplicate\n", "%u likely duplicates\n", found->len), found->len);

  return 0;
}

/* The one patient whose record number is @mrn (merged-away records are not
 * found), or NULL with a message on stderr that names no patient. */
static CarePatient *
find_patient_by_mrn (CareDb     *db,
                     const char *mrn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  CarePatient *found = NULL;
  guint n_found = 0;

  /* The search finds ids by their start: keep only exact matches. */
  if (!(seqs = care_db_search_patients (db, ACTOR, mrn, &error)) ||
      !(patients = care_db_load_patients (db, ACTOR, (const gint64 *) (gpointer) seqs->data, seqs->len,
                                          &error)))
    {
      fprintf (stderr, "caremeshctl careplan-pdf: %s\n", error->message);
      return NULL;
    }
  for (guint i = 0; i < patients->len; i++)
    {
      CarePatient *patient = g_ptr_array_index (patients, i);
      CareRecord *record = care_patient_get_record (patient);

      if (record == NULL || g_strcmp0 (care_patient_get_mrn (patient), mrn) != 0 ||
          g_strcmp0 (care_record_get (record, "retired"), "1") == 0)
        continue;
      found = patient;
      n_found++;
    }

  if (n_found == 0)
    fprintf (stderr, _("caremeshctl careplan-pdf: no patient has this MRN\n"));
  else if (n_found > 1)
    fprintf (stderr, _("caremeshctl careplan-pdf: more than one patient has this MRN; open the patient in "
                       "Caremesh to merge or correct the records\n"));

  return n_found == 1 ? g_object_ref (found) : NULL;
}

static int
cmd_careplan_pdf (int    argc,
                  char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *mrn = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *language = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { "mrn", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"), "MRN" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, N_("PDF file to write"), "FILE.pdf" },
    { "language", 0, 0, G_OPTION_ARG_STRING, &language,
      N_("Language of the printout (default: the patient's preferred language)"), "es|en" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(CarePatient) patient = NULL;
  g_autoptr(CareChart) chart = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *today = NULL;
  const char *locale_dir;

  if (!parse (entries, "careplan-pdf", NULL, &argc, &argv))
    return 2;
  if (db_path == NULL || mrn == NULL || out_path == NULL || argc > 1)
    {
      fprintf (stderr, _("caremeshctl careplan-pdf: --db PATH, --mrn MRN and --out FILE.pdf are required\n"));
      fprintf (stderr, _("Run “caremeshctl %s --help” for usage.\n"), "careplan-pdf");
      return 2;
    }
  if (!(db = open_existing ("careplan-pdf", db_path)))
    return 1;

  if (!(patient = find_patient_by_mrn (db, mrn)))
    return 1;

  today = care_text_today ();
  if (!(chart = care_chart_load (db, ACTOR, care_patient_get_id (patient), today, &error)))
    {
      fprintf (stderr, "caremeshctl careplan-pdf: %s\n", error->message);
      return 1;
    }

  /* Running from the build tree: its catalogs are in <builddir>/po. */
  if ((locale_dir = g_getenv ("CAREMESH_LOCALEDIR")) != NULL && *locale_dir != '\0')
    care_catalog_set_locale_dir (locale_dir);
  if (language == NULL)
    language = g_strdup (care_record_get (chart->patient, "preferred_language"));

  if (!care_plan_print_to_pdf (chart, language, out_path, &error))
    {
      fprintf (stderr, "caremeshctl careplan-pdf: %s\n", error->message);
      return 1;
    }

  /* Only the file's name: what it holds is for the patient. */
  printf ("%s\n", out_path);

  return 0;
}

static int
cmd_bench (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *app_path = NULL;
  gint64 patients = 100000, queries = 1000, runs = 5, seed = 1;
  gboolean no_ui = FALSE, no_sync = FALSE;
  gint64 sync_patients = 10000;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file (generated when missing)"), "PATH" },
    { "patients", 'n', 0, G_OPTION_ARG_INT64, &patients, N_("Patients to generate (default 100000)"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 1)"), "S" },
    { "queries", 'q', 0, G_OPTION_ARG_INT64, &queries, N_("Random searches (default 1000)"), "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT64, &runs, N_("Cold starts of the app (default 5)"), "N" },
    { "app", 0, 0, G_OPTION_ARG_FILENAME, &app_path, N_("The caremesh program"), "PATH" },
    { "no-ui", 0, 0, G_OPTION_ARG_NONE, &no_ui, N_("Skip the figures that need a display"), NULL },
    { "no-sync", 0, 0, G_OPTION_ARG_NONE, &no_sync, N_("Skip the replication figures"), NULL },
    { "sync-patients", 0, 0, G_OPTION_ARG_INT64, &sync_patients, N_("Patients in the clinic merged into an empty replica (default 10000)"), "N" },
    { NULL }
  };
  CareBenchOptions options = { 0 };

  if (!parse (entries, "bench", NULL, &argc, &argv) || !require_db ("bench", db_path))
    return 2;
  if (patients < 1 || queries < 1 || runs < 1)
    {
      fprintf (stderr, _("caremeshctl bench: --patients, --queries and --runs must be positive\n"));
      return 2;
    }

  options.db_path = db_path;
  options.patients = (guint) patients;
  options.seed = (guint64) seed;
  options.queries = (guint) queries;
  options.ui_runs = (guint) runs;
  options.app_path = app_path;
  options.skip_ui = no_ui;
  options.skip_sync = no_sync;
  options.sync_patients = (guint) MAX (sync_patients, 1);

  return care_bench_run (&options, argv[0]);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("caremeshctl %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].func (argc - 1, argv + 1);

  fprintf (stderr, _("caremeshctl: unknown command “%s”\n\n"), argv[1]);
  print_usage (stderr);

  return 2;
}
