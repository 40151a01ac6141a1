/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-test-util"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "care-generator.h"
#include "care-test-util.h"

static char *temp_dir;
static guint counter;

static void
remove_temp_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (temp_dir == NULL || g_getenv ("CAREMESH_KEEP_TEST_FILES"))
    return;

  if ((dir = g_dir_open (temp_dir, 0, NULL)))
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *path = g_build_filename (temp_dir, name, NULL);

        if (g_file_test (path, G_FILE_TEST_IS_DIR))
          {
            g_autoptr(GDir) sub = g_dir_open (path, 0, NULL);
            const char *inner;

            while (sub && (inner = g_dir_read_name (sub)))
              {
                g_autofree char *p = g_build_filename (path, inner, NULL);

                g_unlink (p);
              }
            g_rmdir (path);
          }
        else
          g_unlink (path);
      }
  g_rmdir (temp_dir);
}

char *
care_test_temp_db (void)
{
  if (temp_dir == NULL)
    {
      temp_dir = g_dir_make_tmp ("caremesh-test-XXXXXX", NULL);
      g_assert_nonnull (temp_dir);
      atexit (remove_temp_dir);
    }

  return g_strdup_printf ("%s/test-%u.db", temp_dir, ++counter);
}

void
care_test_assert_integrity (const char *path)
{
  sqlite3 *raw;
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (raw);
}

static const char *
ref (GHashTable *ids,
     const char *table)
{
  const char *id = g_hash_table_lookup (ids, table);

  g_assert_nonnull (id);
  return id;
}

CareFields *
care_test_minimal_fields (const char *table,
                          GHashTable *ids)
{
  CareFields *f = care_fields_new ();

  if (g_str_equal (table, "organizations"))
    {
      care_fields_set (f, "kind", "clinic");
      care_fields_set (f, "name", "Test Valley Clinic");
    }
  else if (g_str_equal (table, "practitioners"))
    {
      care_fields_set (f, "discipline", "physician");
      care_fields_set (f, "organization_id", ref (ids, "organizations"));
      care_fields_set (f, "given_name", "Ada");
      care_fields_set (f, "family_name", "Testwell");
    }
  else if (g_str_equal (table, "patients"))
    {
      care_fields_set (f, "mrn", "9000001");
      care_fields_set (f, "birth_date", "1950-01-02");
      care_fields_set (f, "sex", "female");
      care_fields_set (f, "given_name", "Test");
      care_fields_set (f, "family_name", "Patient");
    }
  else if (g_str_equal (table, "care_team_members"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "practitioner_id", ref (ids, "practitioners"));
      care_fields_set (f, "role", "primary care provider");
    }
  else if (g_str_equal (table, "conditions"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "code_system", "http://snomed.info/sct");
      care_fields_set (f, "code", "44054006");
      care_fields_set (f, "display", "Type 2 diabetes mellitus");
    }
  else if (g_str_equal (table, "allergies"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "severity", "severe");
      care_fields_set (f, "substance", "Penicillin");
    }
  else if (g_str_equal (table, "encounters"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "class", "AMB");
      care_fields_set (f, "start_at", "2026-01-05T09:00:00Z");
      care_fields_set (f, "type", "office visit");
    }
  else if (g_str_equal (table, "medication_orders"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "rxnorm", "861007");
      care_fields_set (f, "drug", "Metformin 500 mg tablet");
    }
  else if (g_str_equal (table, "medication_dispenses"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "order_id", ref (ids, "medication_orders"));
      care_fields_set (f, "drug", "Metformin 500 mg tablet");
    }
  else if (g_str_equal (table, "observations"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "loinc", "4548-4");
      care_fields_set (f, "value_num", "7.2");
      care_fields_set (f, "effective_at", "2026-01-05T09:00:00Z");
      care_fields_set (f, "display", "Hemoglobin A1c");
    }
  else if (g_str_equal (table, "immunizations"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "cvx", "150");
      care_fields_set (f, "occurrence_date", "2025-10-01");
      care_fields_set (f, "vaccine", "Influenza, injectable, quadrivalent");
    }
  else if (g_str_equal (table, "care_plans"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "title", "Diabetes care plan");
    }
  else if (g_str_equal (table, "goals"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "care_plan_id", ref (ids, "care_plans"));
      care_fields_set (f, "measure_loinc", "4548-4");
      care_fields_set (f, "target_high", "7.5");
      care_fields_set (f, "description", "HbA1c below 7.5%");
    }
  else if (g_str_equal (table, "care_tasks"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "care_plan_id", ref (ids, "care_plans"));
      care_fields_set (f, "assignee_id", ref (ids, "practitioners"));
      care_fields_set (f, "description", "Call after lab results");
    }
  else if (g_str_equal (table, "referrals"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "urgency", "routine");
      care_fields_set (f, "to_service", "Nephrology");
    }
  else if (g_str_equal (table, "notes"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "written_at", "2026-01-05T10:00:00Z");
      care_fields_set (f, "body", "Hand-off: recheck blood pressure in two weeks.");
    }
  else if (g_str_equal (table, "patient_links"))
    {
      care_fields_set (f, "surviving_id", ref (ids, "patients"));
      care_fields_set (f, "merged_id", ref (ids, "patients"));
      care_fields_set (f, "linked_at", "2026-01-05T10:00:00Z");
      care_fields_set (f, "reason", "Registered twice");
    }
  else if (g_str_equal (table, "interventions"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "care_plan_id", ref (ids, "care_plans"));
      care_fields_set (f, "description", "Diabetes self-management education");
    }
  else if (g_str_equal (table, "care_needs"))
    {
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "category", "transport");
      care_fields_set (f, "description", "No car; the bus runs twice a day");
    }
  else if (g_str_equal (table, "notifications"))
    {
      care_fields_set (f, "practitioner_id", ref (ids, "practitioners"));
      care_fields_set (f, "patient_id", ref (ids, "patients"));
      care_fields_set (f, "sent_at", "2026-01-05T10:00:00Z");
      care_fields_set (f, "kind", "Mentioned in a care plan discussion");
    }
  else
    g_error ("no minimal record for %s: add one to care-test-util.c", table);

  return f;
}

char *
care_test_add_patient (CareDb     *db,
                       const char *given,
                       const char *family,
                       const char *birth_date,
                       const char *mrn,
                       const char *phone)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  care_fields_set (fields, "given_name", given);
  care_fields_set (fields, "family_name", family);
  care_fields_set (fields, "birth_date", birth_date);
  care_fields_set (fields, "mrn", mrn);
  care_fields_set (fields, "phone", phone);
  g_assert_true (care_db_put (db, "test:clinician", "patients", NULL, fields, &id, &error));
  g_assert_no_error (error);

  return id;
}

char *
care_test_program (const char *name)
{
  return g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                           "..", "src", name, NULL);
}

int
care_test_run_ctl (char       **out,
                   char       **err,
                   const char  *first,
                   ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (args, care_test_program ("caremeshctl"));
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error));
  g_assert_no_error (error);

  return g_subprocess_get_exit_status (process);
}

GSubprocess *
care_test_serve (const char  *db,
                 char       **address)
{
  return care_test_serve_with (db, address, "30");
}

/* A server dies with the test: a failed assertion aborts the test before its
 * clean-up, and a server left running would hold meson until its timeout. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocessLauncher *
care_test_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

GSubprocess *
care_test_serve_with (const char  *db,
                      char       **address,
                      const char  *idle_timeout)
{
  g_autofree char *program = care_test_program ("caremeshctl");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = care_test_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  guint port = 0;

  process = g_subprocess_launcher_spawn (launcher, &error,
                                         program, "serve", "--db", db, "--port", "0", "--loopback",
                                         "--name", "Test hub", "--idle-timeout", idle_timeout, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "Serving on port %u", &port), ==, 1);
  *address = g_strdup_printf ("127.0.0.1:%u", port);

  return process;
}

char *
care_test_content_hash (const char *path)
{
  g_autoptr(CareDb) db = care_db_open (path, NULL);

  g_assert_nonnull (db);
  return care_db_content_hash (db, NULL);
}

char *
care_test_device_id (const char *path)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", path, NULL), ==, 0);
  return g_strstrip (g_steal_pointer (&out));
}

void
care_test_generate (CareDb     *db,
                    guint       n_patients,
                    guint64     seed,
                    const char *as_of)
{
  g_autoptr(GError) error = NULL;
  CareGeneratorOptions options;

  g_assert_nonnull (db);
  care_generator_options_init (&options);
  options.n_patients = n_patients;
  options.seed = seed;
  options.as_of = as_of;
  g_assert_true (care_generator_run (db, &options, NULL, NULL, &error));
  g_assert_no_error (error);
}
