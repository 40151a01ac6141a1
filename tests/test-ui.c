/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>

#include <sqlite3.h>

#include "care-chart.h"
#include "care-db.h"
#include "care-gaps.h"
#include "care-patient.h"
#include "care-test-util.h"
#include "care-text.h"

/*
 * Runs the real caremesh program on a temporary database under the display
 * that make check provides (Xvfb), types into it with xdotool as a person
 * would, and checks what it shows through the state file the window writes
 * when CAREMESH_TEST_STATE is set.
 */

#define ACTOR "test:ui"
#define N_PATIENTS 300

static char *db_path;
static char *state_path;
static GSubprocess *app;
static char *window_id;

static JsonObject *
read_state (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;

  if (!g_file_get_contents (state_path, &text, NULL, NULL) ||
      !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

typedef gboolean (*StateCheck) (JsonObject *state, gconstpointer data);

/* Waits until @check holds for the window's state; fails after 30 s. */
static JsonObject *
wait_state (StateCheck     check,
            gconstpointer  data,
            const char    *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      JsonObject *state = read_state ();

      if (state != NULL && !json_object_get_boolean_member (state, "searching") && check (state, data))
        return state;
      g_clear_pointer (&state, json_object_unref);
      g_usleep (50000);
    }

  {
    g_autofree char *last = NULL;

    g_file_get_contents (state_path, &last, NULL, NULL);
    g_error ("timed out waiting for %s; last state: %s", what, last ? last : "(none)");
  }
  return NULL;
}

static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (args, (char *) "xdotool");
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *) args->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

static void
type_search (const char *text)
{
  /* Ctrl+F focuses and selects the search field, so typing replaces it. */
  xdotool ("windowfocus", "--sync", window_id, NULL);
  xdotool ("key", "--clearmodifiers", "ctrl+f", NULL);
  g_usleep (200000);
  xdotool ("type", "--delay", "40", text, NULL);
}

/* What the store says a search finds: its count and first MRNs. */
static GPtrArray *
expected_search (const char *query,
                 guint      *n_found)
{
  g_autoptr(CareDb) db = care_db_open (db_path, NULL);
  g_autoptr(GArray) seqs = care_db_search_patients (db, ACTOR, query, NULL);
  g_autoptr(GPtrArray) patients = NULL;
  GPtrArray *mrns = g_ptr_array_new_with_free_func (g_free);

  *n_found = seqs->len;
  patients = care_db_load_patients (db, ACTOR, (gint64 *) (gpointer) seqs->data, MIN (seqs->len, 5), NULL);
  for (guint i = 0; i < patients->len; i++)
    g_ptr_array_add (mrns, g_strdup (care_patient_get_mrn (g_ptr_array_index (patients, i))));

  return mrns;
}

static gboolean
check_n_items (JsonObject    *state,
               gconstpointer  data)
{
  return g_str_equal (json_object_get_string_member (state, "list_page"), "list") &&
         json_object_get_int_member (state, "n_items") == GPOINTER_TO_INT (data);
}

static gboolean
check_list_page (JsonObject    *state,
                 gconstpointer  data)
{
  return g_str_equal (json_object_get_string_member (state, "list_page"), data);
}

static gboolean
check_page_mrn (JsonObject    *state,
                gconstpointer  data)
{
  return json_object_get_boolean_member (state, "page_loaded") &&
         g_str_equal (json_object_get_string_member (state, "content_page"), "patient") &&
         g_str_equal (json_object_get_string_member (state, "page_mrn"), data);
}

static gboolean
check_first_mrns_loaded (JsonObject    *state,
                         gconstpointer  data)
{
  JsonArray *mrns = json_object_get_array_member (state, "first_mrns");

  return check_n_items (state, data) && json_array_get_length (mrns) > 0 &&
         *json_array_get_string_element (mrns, 0) != '\0';
}

static void
assert_first_mrns (JsonObject *state,
                   GPtrArray  *expected)
{
  JsonArray *mrns = json_object_get_array_member (state, "first_mrns");

  g_assert_cmpuint (json_array_get_length (mrns), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      const char *shown = json_array_get_string_element (mrns, i);

      /* Rows whose page is still on its way show nothing yet. */
      if (*shown != '\0')
        g_assert_cmpstr (shown, ==, g_ptr_array_index (expected, i));
    }
}

static char *config_home;   /* when set: settings persist in a keyfile there */

static GSubprocess *
spawn_app (const char  *path,
           const char  *state,
           char       **out_window)
{
  g_autoptr(GSubprocessLauncher) launcher = care_test_launcher (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *program = care_test_program ("caremesh");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) search = NULL;
  g_autofree char *out = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "CAREMESH_TEST_STATE", state, TRUE);
  if (config_home != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
      g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
    }
  /* Any free port: tests run side by side with other instances. */
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--db", path, "--sync-port", "0", NULL);
  g_assert_no_error (error);

  search = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "xdotool", "search", "--sync", "--onlyvisible", "--pid",
                             g_subprocess_get_identifier (process), NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (search, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_strstrip (out);
  /* The first line is the main window. */
  *out_window = g_strndup (out, strcspn (out, "\n"));
  g_assert_cmpstr (*out_window, !=, "");

  return process;
}

static void
start_app (void)
{
  g_clear_pointer (&window_id, g_free);
  app = spawn_app (db_path, state_path, &window_id);
}

static void
stop_app (void)
{
  if (app == NULL)
    return;
  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, NULL);
  g_clear_object (&app);
}

static void
test_search_and_open (void)
{
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  guint n_found;

  start_app ();

  /* The whole clinic is listed once the store has opened. */
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (N_PATIENTS), "the full patient list");
  expected = expected_search ("", &n_found);
  assert_first_mrns (state, expected);
  g_clear_pointer (&state, json_object_unref);
  g_clear_pointer (&expected, g_ptr_array_unref);

  /* Typing a name narrows the list to what the store finds, in the same order. */
  expected = expected_search ("garc", &n_found);
  g_assert_cmpuint (n_found, >, 0);
  g_assert_cmpuint (n_found, <, N_PATIENTS);
  type_search ("garc");
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (n_found), "the search for garc");
  assert_first_mrns (state, expected);
  g_clear_pointer (&state, json_object_unref);

  /* Enter opens the first patient: name, allergy banner and sections. */
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_page_mrn, g_ptr_array_index (expected, 0), "the first patient's page");
  {
    g_autoptr(CareDb) db = care_db_open (db_path, NULL);
    g_autoptr(GArray) seqs = care_db_search_patients (db, ACTOR, "garc", NULL);
    g_autoptr(GPtrArray) first = care_db_load_patients (db, ACTOR, (gint64 *) (gpointer) seqs->data, 1, NULL);
    const char *patient_id = care_patient_get_id (g_ptr_array_index (first, 0));
    g_autoptr(GPtrArray) problems = care_db_list (db, ACTOR, "conditions", patient_id, NULL, NULL);
    g_autoptr(GPtrArray) medications = care_db_list (db, ACTOR, "medication_orders", patient_id, NULL, NULL);

    g_assert_cmpint (json_object_get_int_member (state, "problems"), ==, problems->len);
    g_assert_cmpint (json_object_get_int_member (state, "medications"), ==, medications->len);
  }
  g_clear_pointer (&state, json_object_unref);
  g_clear_pointer (&expected, g_ptr_array_unref);

  /* An MRN finds exactly one patient; opening it with Down then Enter. */
  expected = expected_search ("", &n_found);
  {
    const char *mrn = g_ptr_array_index (expected, 3);

    type_search (mrn);
    state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (1), "the search by MRN");
    g_clear_pointer (&state, json_object_unref);
    xdotool ("key", "--clearmodifiers", "Down", NULL);
    g_usleep (200000);
    xdotool ("key", "--clearmodifiers", "Return", NULL);
    state = wait_state (check_page_mrn, mrn, "the patient found by MRN");
    g_clear_pointer (&state, json_object_unref);
  }

  /* Nothing found: the empty state says so. */
  type_search ("zzqxj");
  state = wait_state (check_list_page, "no-results", "the no-results page");
  g_assert_cmpint (json_object_get_int_member (state, "n_items"), ==, 0);

  stop_app ();
}

static void
test_bad_database (void)
{
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *good_path = db_path;
  g_autofree char *contents = NULL;
  const char junk[] = "This file is a fax cover sheet, not a clinic database. It is long enough.";

  /* A file that is not a database: the window shows the error; the file stays as it was. */
  db_path = care_test_temp_db ();
  g_assert_true (g_file_set_contents (db_path, junk, -1, NULL));
  start_app ();
  state = wait_state (check_list_page, "error", "the error page");
  stop_app ();

  g_assert_true (g_file_get_contents (db_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, junk);
  g_free (db_path);
  db_path = g_steal_pointer (&good_path);
}


static gboolean check_any_list (JsonObject *state, gconstpointer data);

static gboolean
check_review_on_page (JsonObject    *state,
                      gconstpointer  data)
{
  return check_page_mrn (state, data) && json_object_get_int_member (state, "review") == 1;
}

/* Two machines changed one medication's dose while apart: the patient's page
 * shows it for review. */
static void
test_conflict_shown_for_review (void)
{
  g_autofree char *other_path = care_test_temp_db ();
  g_autoptr(CareDb) a = care_db_open (db_path, NULL);
  g_autoptr(CareDb) b = care_db_open (other_path, NULL);
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *mrn = NULL;
  CareRecord *order;

  g_assert_true (care_db_pull (b, a, 1000, NULL, NULL));
  orders = care_db_list (a, ACTOR, "medication_orders", NULL, NULL, NULL);
  order = g_ptr_array_index (orders, 0);
  {
    g_autoptr(CareFields) here = care_fields_new ();
    g_autoptr(CareFields) there = care_fields_new ();
    g_autoptr(CareRecord) patient = care_db_get (a, ACTOR, "patients", care_record_get (order, "patient_id"), NULL);

    mrn = g_strdup (care_record_get (patient, "mrn"));
    care_fields_set (here, "dose", "20 mg");
    care_fields_set (there, "dose", "5 mg");
    g_assert_true (care_db_put (a, "test:nurse", "medication_orders", care_record_get_id (order), here, NULL, NULL));
    g_assert_true (care_db_put (b, "test:pharmacist", "medication_orders", care_record_get_id (order), there, NULL, NULL));
  }
  g_assert_true (care_db_pull (a, b, 1000, NULL, NULL));
  g_clear_pointer (&a, care_db_close);

  start_app ();
  state = wait_state (check_any_list, NULL, "the patient list");
  g_clear_pointer (&state, json_object_unref);
  type_search (mrn);
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (1), "the search by MRN");
  g_clear_pointer (&state, json_object_unref);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_review_on_page, mrn, "the conflict on the patient's page");
  stop_app ();
}

static gboolean
check_synced_with (JsonObject    *state,
                   gconstpointer  data)
{
  /* 1: CARE_SYNC_STATUS_SYNCED */
  return check_n_items (state, data) && json_object_get_int_member (state, "sync_status") == 1;
}

/* Paired with a computer serving its own clinic: the app syncs on its own, says
 * so, and records that arrive later show up after "sync now", without a restart. */
static void
test_sync_with_paired_computer (void)
{
  g_autofree char *other = care_test_temp_db ();
  g_autofree char *address = NULL, *out = NULL, *err = NULL;
  g_autofree char *id_here = NULL, *id_there = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(JsonObject) state = NULL;
  gint64 here, there;

  g_assert_cmpint (care_test_run_ctl (&out, &err, "generate", "--db", other, "--patients", "12", "--seed", "21", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autoptr(CareDb) a = care_db_open (db_path, NULL);
    g_autoptr(CareDb) b = care_db_open (other, NULL);

    here = care_db_count (a, "patients", NULL);
    there = care_db_count (b, "patients", NULL);
  }
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", db_path, NULL), ==, 0);
  id_here = g_strstrip (g_steal_pointer (&out));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", other, NULL), ==, 0);
  id_there = g_strstrip (g_steal_pointer (&out));
  g_clear_pointer (&err, g_free);

  server = care_test_serve (other, &address);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", db_path, "--device-id", id_there,
                                      "--name", "Clinic B", "--address", address, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", other, "--device-id", id_here,
                                      "--name", "Front desk", NULL), ==, 0);

  start_app ();
  state = wait_state (check_synced_with, GINT_TO_POINTER ((int) (here + there)), "both clinics, synced");
  g_clear_pointer (&state, json_object_unref);

  /* A patient registered over there arrives here on "sync now". */
  {
    g_autoptr(CareDb) b = care_db_open (other, NULL);
    g_autofree char *id = care_test_add_patient (b, "Inés", "Quisbert", "1977-07-07", "8800001", NULL);
  }
  xdotool ("windowfocus", "--sync", window_id, NULL);
  xdotool ("key", "--clearmodifiers", "ctrl+shift+s", NULL);
  state = wait_state (check_synced_with, GINT_TO_POINTER ((int) (here + there + 1)), "the new patient from Clinic B");
  stop_app ();

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  {
    g_autoptr(CareDb) a = care_db_open (db_path, NULL);
    g_autoptr(CareDb) b = care_db_open (other, NULL);
    g_autofree char *hash_a = care_db_content_hash (a, NULL);
    g_autofree char *hash_b = care_db_content_hash (b, NULL);

    g_assert_cmpstr (hash_a, ==, hash_b);
  }
}

static gboolean
check_any_list (JsonObject    *state,
                gconstpointer  data)
{
  return g_str_equal (json_object_get_string_member (state, "list_page"), "list");
}

static int
window_width (const char *window)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *line;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "xdotool", "getwindowgeometry", "--shell", window, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  line = strstr (out, "WIDTH=");
  g_assert_nonnull (line);

  return atoi (line + 6);
}

static void
test_remembers_window_and_patient (void)
{
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *settings = NULL;
  const char *mrn;
  guint n_found;

  config_home = g_strconcat (db_path, ".config", NULL);
  keyfile = g_build_filename (config_home, "glib-2.0", "settings", "keyfile", NULL);

  all = expected_search ("", &n_found);
  mrn = g_ptr_array_index (all, 2);

  start_app ();
  state = wait_state (check_any_list, NULL, "the patient list");
  g_clear_pointer (&state, json_object_unref);
  type_search (mrn);
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (1), "the search by MRN");
  g_clear_pointer (&state, json_object_unref);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_page_mrn, mrn, "the patient's page");
  g_clear_pointer (&state, json_object_unref);

  xdotool ("windowsize", "--sync", window_id, "1000", "700", NULL);
  g_usleep (300000);

  /* Ctrl+Q closes the window, which saves its size and the open patient. */
  xdotool ("key", "--clearmodifiers", "ctrl+q", NULL);
  g_assert_true (g_subprocess_wait (app, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 0);
  g_clear_object (&app);

  g_assert_true (g_file_get_contents (keyfile, &settings, NULL, NULL));
  g_assert_nonnull (strstr (settings, "window-width=1000"));
  g_assert_nonnull (strstr (settings, "window-height=700"));
  g_assert_nonnull (strstr (settings, "last-patient-id="));

  /* Started again: same size, same patient open. */
  g_unlink (state_path);
  start_app ();
  state = wait_state (check_page_mrn, mrn, "the last patient, reopened");
  g_assert_cmpint (window_width (window_id), ==, 1000);
  stop_app ();

  g_clear_pointer (&config_home, g_free);
}

static void
test_two_instances (void)
{
  g_autofree char *other_db = care_test_temp_db ();
  g_autofree char *other_state = g_strconcat (other_db, ".state.json", NULL);
  g_autofree char *other_window = NULL;
  g_autoptr(GSubprocess) other = NULL;
  g_autoptr(JsonObject) state = NULL;
  char *saved_state = NULL;  /* borrowed: state_path is put back */

  /* A second clinic database opens in its own process, beside the first. */
  start_app ();
  other = spawn_app (other_db, other_state, &other_window);
  g_assert_cmpstr (other_window, !=, window_id);

  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (N_PATIENTS), "the first clinic");
  g_clear_pointer (&state, json_object_unref);

  saved_state = state_path;
  state_path = other_state;
  state = wait_state (check_list_page, "empty", "the second, empty clinic");
  state_path = saved_state;

  g_subprocess_send_signal (other, SIGTERM);
  g_subprocess_wait (other, NULL, NULL);
  stop_app ();
}

/* "Open a Bundle…" on the Sync page (below the only paired computer), a path
 * typed into the file chooser. */
static void
open_bundle_on_sync_page (const char *path)
{
  xdotool ("mousemove", "--sync", "491", "619", "click", "1", NULL);
  g_usleep (1500000);
  xdotool ("type", "--delay", "20", path, NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
}

static gboolean
check_dialogs (JsonObject    *state,
               gconstpointer  data)
{
  return json_object_get_int_member (state, "message_dialogs") == GPOINTER_TO_INT (data);
}

/* A USB bundle made from the Sync page: the save button beside a paired computer,
 * a file name typed into the file chooser; the other computer applies it. Then
 * one back, opened on the Sync page: a damaged copy is refused, the real one
 * applied. */
static void
test_bundles_on_sync_page (void)
{
  g_autofree char *other = care_test_temp_db ();
  g_autofree char *pem_here = g_strconcat (db_path, ".pem", NULL);
  g_autofree char *pem_there = g_strconcat (other, ".pem", NULL);
  g_autofree char *bundle = g_strconcat (other, ".bundle", NULL);
  g_autofree char *back = g_strconcat (db_path, ".back.cmb", NULL);
  g_autofree char *damaged = g_strconcat (db_path, ".damaged.cmb", NULL);
  g_autofree char *id_here = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonObject) state = NULL;
  gint64 before, after, deadline;

  {
    g_autoptr(CareDb) b = care_db_open (other, NULL);

    g_assert_nonnull (b);
  }
  /* Only this pairing on the Sync page: earlier tests' peers are unpaired. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "peers", "--db", db_path, NULL), ==, 0);
  {
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 3);
        g_autofree char *o = NULL, *e = NULL;

        if (g_strv_length (fields) >= 2)
          care_test_run_ctl (&o, &e, "untrust", "--db", db_path, "--device-id", fields[1], NULL);
      }
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* Paired with pairing files: bundles need each other's certificate. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", db_path, "--export", pem_here, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", other, "--export", pem_there, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", db_path, "--certificate", pem_there,
                                      "--name", "Far clinic", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", other, "--certificate", pem_here,
                                      "--name", "Front desk", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autoptr(CareDb) a = care_db_open (db_path, NULL);
    g_autoptr(CareDb) b = care_db_open (other, NULL);

    before = care_db_count (b, "patients", NULL);
    g_assert_cmpint (before, <, care_db_count (a, "patients", NULL));
  }

  start_app ();
  state = wait_state (check_any_list, NULL, "the patient list");
  g_clear_pointer (&state, json_object_unref);

  /* Without a window manager, windows open at the top left: the sync button is
   * the first in the list's header bar, the save button beside the only paired
   * computer on the Sync page. */
  xdotool ("mousemove", "--sync", "28", "27", "click", "1", NULL);
  g_usleep (1500000);
  xdotool ("mousemove", "--sync", "461", "327", "click", "1", NULL);
  g_usleep (1500000);
  xdotool ("key", "--clearmodifiers", "ctrl+a", NULL);
  xdotool ("type", "--delay", "20", bundle, NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!g_file_test (bundle, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (100000);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_EXISTS));
  stop_app ();

  g_assert_cmpint (care_test_run_ctl (&out, &err, "bundle", "import", "--db", other, "--in", bundle, NULL), ==, 0);
  {
    g_autoptr(CareDb) a = care_db_open (db_path, NULL);
    g_autoptr(CareDb) b = care_db_open (other, NULL);
    g_autofree char *patient = NULL;

    after = care_db_count (b, "patients", NULL);
    g_assert_cmpint (after, ==, care_db_count (a, "patients", NULL));

    /* The far clinic registers a patient, and sends a bundle back. */
    patient = care_test_add_patient (b, "Rosa", "Quispe", "1950-01-02", "8800001", NULL);
    g_assert_nonnull (patient);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", db_path, NULL), ==, 0);
  id_here = g_strstrip (g_steal_pointer (&out));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "bundle", "export", "--db", other, "--for", id_here,
                                      "--out", back, NULL), ==, 0);
  /* And a copy damaged on the way (one byte near the end). */
  {
    g_autofree char *bytes = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (back, &bytes, &length, NULL));
    g_assert_cmpuint (length, >, 64);
    bytes[length - 40] ^= 0x5a;
    g_assert_true (g_file_set_contents (damaged, bytes, (gssize) length, NULL));
  }

  start_app ();
  state = wait_state (check_n_items, GINT_TO_POINTER ((int) after), "the patient list before the bundle");
  g_clear_pointer (&state, json_object_unref);
  xdotool ("mousemove", "--sync", "28", "27", "click", "1", NULL);
  g_usleep (1500000);

  /* The damaged one: refused in a dialog that says why, and nothing applied. */
  open_bundle_on_sync_page (damaged);
  state = wait_state (check_dialogs, GINT_TO_POINTER (1), "the dialog refusing the damaged bundle");
  g_clear_pointer (&state, json_object_unref);
  {
    g_autoptr(CareDb) a = care_db_open (db_path, NULL);

    g_assert_cmpint (care_db_count (a, "patients", NULL), ==, after);
  }
  xdotool ("key", "--clearmodifiers", "Escape", NULL);
  state = wait_state (check_dialogs, GINT_TO_POINTER (0), "the dialog closed");
  g_clear_pointer (&state, json_object_unref);
  /* Without a window manager the Escape may have reached the Sync page and closed
   * it too: open it again (if it is still open, this lands on its header bar). */
  xdotool ("mousemove", "--sync", "28", "27", "click", "1", NULL);
  g_usleep (1500000);

  /* The bundle as it was made: the patient is in the list at once. */
  open_bundle_on_sync_page (back);
  state = wait_state (check_n_items, GINT_TO_POINTER ((int) after + 1), "the patient from the bundle in the list");
  stop_app ();
  {
    g_autoptr(CareDb) a = care_db_open (db_path, NULL);

    g_assert_cmpint (care_db_count (a, "patients", NULL), ==, after + 1);
  }
}

static gboolean
check_editor (JsonObject    *state,
              gconstpointer  data)
{
  return json_object_get_boolean_member (state, "editor_open") == GPOINTER_TO_INT (data);
}

static gboolean
check_editor_error (JsonObject    *state,
                    gconstpointer  data)
{
  return json_object_get_boolean_member (state, "editor_open") &&
         *json_object_get_string_member (state, "editor_error") != '\0';
}

static gboolean
check_systolic_points (JsonObject    *state,
                       gconstpointer  data)
{
  return json_object_get_boolean_member (state, "page_loaded") &&
         json_object_get_int_member (state, "systolic_points") == GPOINTER_TO_INT (data);
}

static gboolean
check_since (JsonObject    *state,
             gconstpointer  data)
{
  return check_page_mrn (state, data) && json_object_get_int_member (state, "since") > 0;
}

static void
open_by_mrn (const char *mrn)
{
  g_autoptr(JsonObject) state = NULL;

  type_search (mrn);
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (1), "the search by MRN");
  xdotool ("key", "--clearmodifiers", "Down", NULL);
  g_usleep (200000);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
}

static guint
count_where (sqlite3    *sql,
             const char *query,
             const char *patient_id)
{
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (sql, query, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return n;
}

/* The dashboard of a patient with history: the allergy banner and every section
 * show what the store holds; a blood pressure typed in is checked (1400 refused),
 * then saved and drawn on the chart; a change made elsewhere is shown as new the
 * next time the patient is opened. */
static void
test_dashboard (void)
{
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *patient_id = NULL, *mrn = NULL, *other_mrn = NULL, *allergy = NULL;
  g_autofree char *today = care_text_today ();
  g_autoptr(CareChart) chart = NULL;
  g_autoptr(GPtrArray) gaps = NULL;
  sqlite3 *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_systolic, n_problems, n_team, n_immunizations, n_encounters;

  /* The patient with the longest blood-pressure history among those with an allergy. */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &sql, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (sql,
                                       "SELECT p.id, p.mrn, a.substance FROM patients p JOIN allergies a ON a.patient_id = p.id "
                                       "WHERE a.code IS NOT '716186003' AND a.clinical_status = 'active' AND a.retired = 0 "
                                       "ORDER BY (SELECT count (*) FROM observations o WHERE o.patient_id = p.id "
                                       "AND o.loinc = '8480-6') DESC LIMIT 1", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  patient_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  mrn = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  allergy = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (sql, "SELECT mrn FROM patients WHERE id != ?1 LIMIT 1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  other_mrn = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  n_systolic = count_where (sql, "SELECT count (*) FROM observations WHERE patient_id = ? AND loinc = '8480-6' "
                                 "AND value_num IS NOT NULL AND retired = 0", patient_id);
  n_problems = count_where (sql, "SELECT count (*) FROM conditions WHERE patient_id = ? AND retired = 0 "
                                 "AND verification_status != 'entered-in-error'", patient_id);
  n_team = count_where (sql, "SELECT count (*) FROM care_team_members WHERE patient_id = ? AND retired = 0 "
                             "AND status = 'active'", patient_id);
  n_immunizations = count_where (sql, "SELECT count (DISTINCT cvx) FROM immunizations WHERE patient_id = ? "
                                      "AND retired = 0 AND status != 'entered-in-error'", patient_id);
  n_encounters = count_where (sql, "SELECT min (8, count (*)) FROM encounters WHERE patient_id = ? AND retired = 0 "
                                   "AND status NOT IN ('planned', 'cancelled', 'entered-in-error')", patient_id);
  g_assert_cmpuint (n_systolic, >=, 2);
  {
    g_autoptr(CareDb) db = care_db_open (db_path, NULL);

    chart = care_chart_load (db, ACTOR, patient_id, today, NULL);
    g_assert_nonnull (chart);
    gaps = care_gaps_compute (chart, NULL);
    g_assert_nonnull (gaps);
  }

  start_app ();
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (N_PATIENTS), "the full patient list");
  g_clear_pointer (&state, json_object_unref);
  open_by_mrn (mrn);
  state = wait_state (check_page_mrn, mrn, "the dashboard");

  /* Every section shows what the record holds. */
  g_assert_true (g_str_has_prefix (json_object_get_string_member (state, "allergy_banner"), "Allergies: "));
  g_assert_nonnull (strstr (json_object_get_string_member (state, "allergy_banner"), allergy));
  g_assert_cmpint (json_object_get_int_member (state, "problems"), ==, n_problems);
  g_assert_cmpint (json_object_get_int_member (state, "team"), ==, n_team);
  g_assert_cmpint (json_object_get_int_member (state, "immunizations"), ==, n_immunizations);
  g_assert_cmpint (json_object_get_int_member (state, "encounters"), ==, n_encounters);
  g_assert_cmpint (json_object_get_int_member (state, "gaps"), ==, gaps->len);
  g_assert_cmpint (json_object_get_int_member (state, "systolic_points"), ==, n_systolic);
  g_assert_cmpint (json_object_get_int_member (state, "details"), >=, 6);
  g_assert_cmpint (json_object_get_int_member (state, "since"), ==, 0);
  g_clear_pointer (&state, json_object_unref);

  /* Ctrl+R records a result; blood pressure comes first. 1400 is refused. */
  xdotool ("windowfocus", "--sync", window_id, NULL);
  xdotool ("key", "--clearmodifiers", "ctrl+r", NULL);
  state = wait_state (check_editor, GINT_TO_POINTER (TRUE), "the result editor");
  g_clear_pointer (&state, json_object_unref);
  g_usleep (300000);
  xdotool ("type", "--delay", "40", "1400/80", NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_editor_error, NULL, "the refusal of a systolic of 1400");
  g_assert_nonnull (strstr (json_object_get_string_member (state, "editor_error"), "300"));
  g_clear_pointer (&state, json_object_unref);
  g_assert_cmpuint (count_where (sql, "SELECT count (*) FROM observations WHERE patient_id = ? AND loinc = '8480-6' "
                                      "AND value_num IS NOT NULL AND retired = 0", patient_id), ==, n_systolic);

  /* A plausible reading is saved and drawn. */
  xdotool ("key", "--clearmodifiers", "ctrl+a", NULL);
  xdotool ("type", "--delay", "40", "128/82", NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_systolic_points, GINT_TO_POINTER (n_systolic + 1), "the new reading on the chart");
  g_assert_false (json_object_get_boolean_member (state, "editor_open"));
  g_assert_nonnull (strstr (json_object_get_string_member (state, "systolic_label"), "128"));
  g_clear_pointer (&state, json_object_unref);
  g_assert_cmpuint (count_where (sql, "SELECT count (*) FROM observations WHERE patient_id = ? AND loinc = '8462-4' "
                                      "AND value_num = 82 AND retired = 0", patient_id), ==, 1);

  /* Someone else records a result while this user looks elsewhere: it is
   * shown as new when they come back. */
  open_by_mrn (other_mrn);
  state = wait_state (check_page_mrn, other_mrn, "another patient");
  g_clear_pointer (&state, json_object_unref);
  {
    g_autoptr(CareDb) db = care_db_open (db_path, NULL);
    g_autoptr(CareFields) fields = care_fields_new ();
    g_autoptr(GError) error = NULL;

    care_fields_set (fields, "patient_id", patient_id);
    care_fields_set (fields, "loinc", "44261-6");
    care_fields_set (fields, "display", "PHQ-9 total score");
    care_fields_set (fields, "category", "survey");
    care_fields_set (fields, "value_num", "4");
    care_fields_set (fields, "effective_at", today);
    g_assert_true (care_db_put (db, "practitioner:someone-else", "observations", NULL, fields, NULL, &error));
    g_assert_no_error (error);
  }
  open_by_mrn (mrn);
  state = wait_state (check_since, mrn, "the change shown as new");
  g_assert_cmpint (json_object_get_int_member (state, "since"), ==, 1);
  g_clear_pointer (&state, json_object_unref);

  sqlite3_close (sql);
  stop_app ();
}

static gboolean
check_plan (JsonObject    *state,
            gconstpointer  data)
{
  const char *want = data;

  if (!json_object_has_member (state, "plan_loaded") || !json_object_get_boolean_member (state, "plan_loaded") ||
      json_object_get_boolean_member (state, "editor_open"))
    return FALSE;
  if (g_str_equal (want, "none"))
    return !json_object_get_boolean_member (state, "plan_exists");
  if (g_str_equal (want, "plan"))
    return json_object_get_boolean_member (state, "plan_exists");
  if (g_str_equal (want, "goal"))
    return json_object_get_int_member (state, "plan_goals") == 1;
  return json_object_get_int_member (state, "plan_tasks") == 1;
}

static gboolean
check_work (JsonObject    *state,
            gconstpointer  data)
{
  return json_object_has_member (state, "work_loaded") && json_object_get_boolean_member (state, "work_loaded") &&
         json_object_get_int_member (state, "work_items") > 0;
}

static char *
query_text (const char *sql,
            const char *arg)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return out;
}

/* A nurse starts a care plan for a patient who has none, adds a goal and a
 * task (hers by default), and finds the task in her work list. */
static void
test_care_plan (void)
{
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *nurse = query_text ("SELECT id FROM practitioners WHERE discipline = 'nurse' ORDER BY family_name LIMIT 1", NULL);
  g_autofree char *patient = query_text ("SELECT id FROM patients p WHERE NOT EXISTS (SELECT 1 FROM care_plans c "
                                         "WHERE c.patient_id = p.id) ORDER BY mrn LIMIT 1", NULL);
  g_autofree char *mrn = query_text ("SELECT mrn FROM patients WHERE id = ?", patient);
  g_autofree char *assignee = NULL, *plan = NULL;

  g_assert_nonnull (nurse);
  g_assert_nonnull (patient);
  {
    g_autoptr(CareDb) db = care_db_open (db_path, NULL);

    g_assert_true (care_db_set_meta (db, "current_practitioner_id", nurse, NULL));
  }

  start_app ();
  state = wait_state (check_first_mrns_loaded, GINT_TO_POINTER (N_PATIENTS), "the full patient list");
  g_assert_cmpstr (json_object_get_string_member (state, "user_id"), ==, nurse);
  g_clear_pointer (&state, json_object_unref);
  open_by_mrn (mrn);
  state = wait_state (check_page_mrn, mrn, "the patient without a plan");
  g_clear_pointer (&state, json_object_unref);

  /* Alt+P opens the plan: there is none; Ctrl+N starts one, Enter saves it. */
  xdotool ("key", "--clearmodifiers", "alt+p", NULL);
  state = wait_state (check_plan, "none", "the empty care plan");
  g_clear_pointer (&state, json_object_unref);
  xdotool ("key", "--clearmodifiers", "ctrl+n", NULL);
  state = wait_state (check_editor, GINT_TO_POINTER (TRUE), "the new plan's editor");
  g_clear_pointer (&state, json_object_unref);
  g_usleep (300000);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_plan, "plan", "the new plan");
  g_clear_pointer (&state, json_object_unref);
  plan = query_text ("SELECT id FROM care_plans WHERE patient_id = ? AND status = 'active'", patient);
  g_assert_nonnull (plan);

  /* Ctrl+G: a goal. */
  xdotool ("key", "--clearmodifiers", "ctrl+g", NULL);
  state = wait_state (check_editor, GINT_TO_POINTER (TRUE), "the goal's editor");
  g_clear_pointer (&state, json_object_unref);
  g_usleep (300000);
  xdotool ("type", "--delay", "30", "Walk 20 minutes a day", NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_plan, "goal", "the goal on the plan");
  g_clear_pointer (&state, json_object_unref);

  /* Ctrl+T: a task, assigned to the nurse by default. */
  xdotool ("key", "--clearmodifiers", "ctrl+t", NULL);
  state = wait_state (check_editor, GINT_TO_POINTER (TRUE), "the task's editor");
  g_clear_pointer (&state, json_object_unref);
  g_usleep (300000);
  xdotool ("type", "--delay", "30", "Call about the walking plan", NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);
  state = wait_state (check_plan, "task", "the task on the plan");
  g_clear_pointer (&state, json_object_unref);
  assignee = query_text ("SELECT assignee_id FROM care_tasks WHERE description = 'Call about the walking plan'", NULL);
  g_assert_cmpstr (assignee, ==, nurse);

  /* Her work list has it. */
  xdotool ("key", "--clearmodifiers", "Escape", NULL);
  g_usleep (300000);
  xdotool ("windowfocus", "--sync", window_id, NULL);
  xdotool ("key", "--clearmodifiers", "alt+w", NULL);
  state = wait_state (check_work, NULL, "the nurse's work list");
  g_assert_nonnull (strstr (json_object_get_string_member (state, "work_titles"), "Call about the walking plan"));
  g_clear_pointer (&state, json_object_unref);

  stop_app ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xdotool_path = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display\n");
      return 0;
    }

  xdotool_path = g_find_program_in_path ("xdotool");
  g_assert_nonnull (xdotool_path);

  db_path = care_test_temp_db ();
  state_path = g_strconcat (db_path, ".state.json", NULL);
  db = care_db_open (db_path, &error);
  g_assert_no_error (error);
  care_test_generate (db, N_PATIENTS, 3, "2026-06-01");
  g_clear_pointer (&db, care_db_close);

  g_test_add_func ("/ui/search-and-open", test_search_and_open);
  g_test_add_func ("/ui/dashboard", test_dashboard);
  g_test_add_func ("/ui/care-plan", test_care_plan);
  g_test_add_func ("/ui/bad-database", test_bad_database);
  g_test_add_func ("/ui/remembers-window-and-patient", test_remembers_window_and_patient);
  g_test_add_func ("/ui/two-instances", test_two_instances);
  g_test_add_func ("/ui/conflict-shown-for-review", test_conflict_shown_for_review);
  g_test_add_func ("/ui/sync-with-paired-computer", test_sync_with_paired_computer);
  g_test_add_func ("/ui/bundles-on-sync-page", test_bundles_on_sync_page);

  status = g_test_run ();
  stop_app ();
  g_free (window_id);

  return status;
}
