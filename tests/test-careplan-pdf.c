/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-careplan-pdf"

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "care-catalog.h"
#include "care-chart.h"
#include "care-db.h"
#include "care-plan-print.h"
#include "care-test-util.h"

#define ACTOR "test:clinician"

/* The build's compiled catalogs (po/<lang>/LC_MESSAGES/caremesh.mo). */
static char *locale_dir;

/* A small database ------------------------------------------------------------ */

typedef struct
{
  const char *language;      /* the patient's preferred language */
  guint       extra_tasks;   /* "Task number 01" ... */
  const char *plan_status;
  guint       long_priorities;  /* sentences in "what matters to me", 0: one */
} Clinic;

static char *
put (CareDb     *db,
     const char *table,
     const char *id,
     ...)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  char *out_id = NULL;
  va_list ap;

  va_start (ap, id);
  for (const char *column = va_arg (ap, const char *); column != NULL; column = va_arg (ap, const char *))
    care_fields_set (fields, column, va_arg (ap, const char *));
  va_end (ap);

  g_assert_true (care_db_put (db, ACTOR, table, id, fields, &out_id, &error));
  g_assert_no_error (error);
  return out_id;
}

/* Writes a patient with MRN 4455667 and a care plan into a new database at @path. */
static void
make_clinic (const char   *path,
             const Clinic *clinic)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CareDb) db = care_db_open (path, &error);
  g_autofree char *org = NULL, *doctor = NULL, *nurse = NULL, *patient = NULL, *plan = NULL, *old_plan = NULL;
  g_autoptr(GString) priorities = g_string_new (NULL);

  g_assert_no_error (error);

  org = put (db, "organizations", NULL, "name", "Test Valley Clinic", "kind", "clinic",
             "phone", "(541) 555-0100", NULL);
  doctor = put (db, "practitioners", NULL, "given_name", "Ada", "family_name", "Testwell",
                "discipline", "physician", "credentials", "MD", "organization_id", org,
                "phone", "(541) 555-0111", NULL);
  nurse = put (db, "practitioners", NULL, "given_name", "Rosa", "family_name", "Nightly",
               "discipline", "nurse", "credentials", "RN", "organization_id", org,
               "phone", "(541) 555-0122", NULL);

  patient = care_test_add_patient (db, "Lucia", "Ramirez", "1956-03-12", "4455667", "(541) 555-0199");
  g_free (put (db, "patients", patient, "preferred_language", clinic->language,
               "primary_organization_id", org, "primary_practitioner_id", doctor, NULL));

  /* An earlier version, replaced: its goals are not printed, its open tasks are. */
  old_plan = put (db, "care_plans", NULL, "patient_id", patient, "title", "Old diabetes plan",
                  "status", "completed", "period_start", "2025-01-05", NULL);
  for (guint i = 1; i <= clinic->long_priorities; i++)
    g_string_append_printf (priorities, "Sentence %03u of what matters to me, long enough to wrap. ", i);
  if (priorities->len == 0)
    g_string_append (priorities, "Stay well enough to look after my grandchildren.");
  plan = put (db, "care_plans", NULL, "patient_id", patient, "title", "Diabetes care plan",
              "status", clinic->plan_status, "period_start", "2026-01-05", "period_end", "2027-01-05",
              "replaces_id", old_plan, "patient_priorities", priorities->str, NULL);

  g_free (put (db, "goals", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "Keep my blood sugar in a safe range", "measure_loinc", "4548-4",
               "target_high", "8", "target_unit", "%", "due_date", "2026-07-01",
               "lifecycle_status", "active", "achievement_status", "improving", NULL));
  g_free (put (db, "goals", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "Walk thirty minutes five days a week", "due_date", "2026-09-15",
               "lifecycle_status", "active", NULL));
  /* Markup and a control character in a record's text are printed as text. */
  g_free (put (db, "goals", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "Cut salt & sugar <soda>\a", "lifecycle_status", "accepted", NULL));
  g_free (put (db, "goals", NULL, "patient_id", patient, "care_plan_id", old_plan,
               "description", "A goal of the old version", "lifecycle_status", "active", NULL));
  g_free (put (db, "goals", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "A goal given up", "lifecycle_status", "cancelled", NULL));

  g_free (put (db, "interventions", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "Diabetes classes at the clinic", "discipline", "nurse",
               "status", "in-progress", NULL));

  g_free (put (db, "care_tasks", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "Show how to use the new glucose meter", "assignee_id", nurse,
               "due_date", "2026-02-01", "status", "requested", NULL));
  g_free (put (db, "care_tasks", NULL, "patient_id", patient, "care_plan_id", old_plan,
               "description", "Check the kidney blood test", "assignee_id", doctor,
               "due_date", "2026-03-01", "status", "in-progress", NULL));
  g_free (put (db, "care_tasks", NULL, "patient_id", patient, "care_plan_id", plan,
               "description", "A task already done", "assignee_id", doctor, "status", "completed", NULL));
  for (guint i = 1; i <= clinic->extra_tasks; i++)
    {
      g_autofree char *description = g_strdup_printf ("Task number %02u", i);
      g_autofree char *due = g_strdup_printf ("2026-%02u-%02u", 4 + i / 28, 1 + i % 28);

      g_free (put (db, "care_tasks", NULL, "patient_id", patient, "care_plan_id", plan,
                   "description", description, "assignee_id", nurse, "due_date", due, NULL));
    }

  g_free (put (db, "care_needs", NULL, "patient_id", patient, "care_plan_id", plan, "category", "transport",
               "description", "No car: rides to visits are booked with the CCO", "status", "active", NULL));
  g_free (put (db, "referrals", NULL, "patient_id", patient, "requester_id", doctor,
               "to_service", "Eye clinic", "reason", "Yearly diabetic eye exam", "status", "active", NULL));
  g_free (put (db, "care_team_members", NULL, "patient_id", patient, "practitioner_id", doctor,
               "role", "primary care provider", "status", "active", NULL));
  g_free (put (db, "care_team_members", NULL, "patient_id", patient, "practitioner_id", nurse,
               "role", "nurse", "status", "active", NULL));

  /* Another patient whose MRN starts with the first one's. */
  g_free (care_test_add_patient (db, "Other", "Person", "1970-01-01", "44556670", NULL));
}

/* The text of a PDF (pdftotext), or NULL when pdftotext is not installed. */
static char *
pdf_text (const char *path)
{
  g_autofree char *program = g_find_program_in_path ("pdftotext");
  g_autoptr(GError) error = NULL;
  const char *argv[] = { program, "-enc", "UTF-8", path, "-", NULL };
  char *out = NULL;
  int status;

  if (program == NULL)
    return NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return out;
}

static void
assert_pdf (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
}

/* Runs careplan-pdf on a fresh clinic; returns the PDF's text, NULL when
 * pdftotext is missing (the test is then marked skipped). */
static char *
print_clinic (const Clinic *clinic,
              const char   *language)
{
  g_autofree char *db = care_test_temp_db ();
  g_autofree char *pdf = g_strconcat (db, ".pdf", NULL);
  g_autofree char *out = NULL, *err = NULL;
  char *text;

  make_clinic (db, clinic);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "careplan-pdf", "--db", db, "--mrn", "4455667", "--out", pdf,
                                      language ? "--language" : NULL, language, NULL), ==, 0);
  /* Only the file's name; nothing about the patient. */
  g_assert_cmpstr (g_strstrip (out), ==, pdf);
  g_assert_null (strstr (err, "Ramirez"));
  assert_pdf (pdf);

  if ((text = pdf_text (pdf)) == NULL)
    g_test_skip ("pdftotext is not installed (poppler-utils)");

  return text;
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in the printout:\n%s", needle, text);
}

static void
assert_lacks (const char *text,
              const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in the printout:\n%s", needle, text);
}

/* careplan-pdf ---------------------------------------------------------------- */

static void
test_english (void)
{
  Clinic clinic = { "en", 0, "active", 0 };
  g_autofree char *text = print_clinic (&clinic, NULL);

  if (text == NULL)
    return;

  assert_contains (text, "My Care Plan");
  assert_contains (text, "Lucia Ramirez");
  assert_contains (text, "Date of birth: March 12, 1956");
  assert_contains (text, "Medical record number: 4455667");
  assert_contains (text, "Diabetes care plan");
  assert_contains (text, "From January 5, 2026 to January 5, 2027");
  assert_contains (text, "My clinic: Test Valley Clinic");
  assert_contains (text, "My provider: Ada Testwell, MD");

  assert_contains (text, "What matters to me");
  assert_contains (text, "Stay well enough to look after my grandchildren.");

  assert_contains (text, "My goals");
  assert_contains (text, "Keep my blood sugar in a safe range");
  assert_contains (text, "Target: HbA1c below 8 %");
  assert_contains (text, "By July 1, 2026");
  assert_contains (text, "How it is going: Getting better");
  assert_contains (text, "Walk thirty minutes five days a week");
  assert_contains (text, "Cut salt & sugar <soda>");
  assert_lacks (text, "A goal of the old version");
  assert_lacks (text, "A goal given up");

  assert_contains (text, "What we will do");
  assert_contains (text, "Diabetes classes at the clinic");
  assert_contains (text, "Who: Your nurse");
  assert_contains (text, "Show how to use the new glucose meter");
  assert_contains (text, "Who: Rosa Nightly, RN");
  assert_contains (text, "Check the kidney blood test");
  assert_contains (text, "Who: Ada Testwell, MD");
  assert_lacks (text, "A task already done");

  assert_contains (text, "Things that make it harder and the help we arranged");
  assert_contains (text, "Getting to appointments");
  assert_contains (text, "No car: rides to visits are booked with the CCO");

  assert_contains (text, "My referrals");
  assert_contains (text, "Eye clinic");
  assert_contains (text, "Reason: Yearly diabetic eye exam");

  assert_contains (text, "My care team");
  assert_contains (text, "Primary care provider");
  assert_contains (text, "Phone: (541) 555-0122");

  assert_contains (text, "Questions? Call Test Valley Clinic at (541) 555-0100");
  assert_contains (text, "Page 1 of ");
  assert_lacks (text, "Mi plan de cuidado");
}

static void
test_spanish (void)
{
  Clinic clinic = { "es", 0, "active", 0 };
  g_autofree char *text = print_clinic (&clinic, NULL);
  g_autofree char *english = NULL;

  if (text == NULL)
    return;

  assert_contains (text, "Mi plan de cuidado");
  assert_contains (text, "Lucia Ramirez");
  assert_contains (text, "Fecha de nacimiento: 12 de marzo de 1956");
  assert_contains (text, "Lo que me importa");
  assert_contains (text, "Mis metas");
  assert_contains (text, "Keep my blood sugar in a safe range");
  assert_contains (text, "Objetivo: HbA1c por debajo de 8 %");
  assert_contains (text, "Cómo va: Mejorando");
  assert_contains (text, "Walk thirty minutes five days a week");
  assert_contains (text, "Lo que vamos a hacer");
  assert_contains (text, "Show how to use the new glucose meter");
  assert_contains (text, "Check the kidney blood test");
  assert_contains (text, "Quién: Su equipo de enfermería");
  assert_contains (text, "Para el 1 de febrero de 2026");
  assert_contains (text, "Transporte a las citas");
  assert_contains (text, "Mis referencias");
  assert_contains (text, "Estado: Enviada, esperando respuesta");
  assert_contains (text, "Mi equipo de atención");
  assert_contains (text, "Proveedor de atención primaria");
  assert_contains (text, "¿Preguntas? Llame a Test Valley Clinic al (541) 555-0100");
  assert_contains (text, "Página 1 de ");
  assert_lacks (text, "My Care Plan");
  assert_lacks (text, "My goals");

  /* --language wins over the patient's preference. */
  english = print_clinic (&clinic, "en");
  assert_contains (english, "My Care Plan");
  assert_lacks (english, "Mi plan de cuidado");
}

static void
test_many_tasks (void)
{
  Clinic clinic = { "en", 60, "active", 0 };
  g_autofree char *text = print_clinic (&clinic, NULL);
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *pages = NULL;

  if (text == NULL)
    return;

  regex = g_regex_new ("Page 2 of ([0-9]+)", 0, 0, NULL);
  g_assert_true (g_regex_match (regex, text, 0, &match));
  pages = g_match_info_fetch (match, 1);
  g_assert_cmpint (atoi (pages), >=, 2);
  g_assert_cmpint (atoi (pages), <=, 6);
  assert_contains (text, "What we will do (continued)");

  /* Every task, once: none lost or doubled at a page break. */
  for (guint i = 1; i <= 60; i++)
    {
      g_autofree char *description = g_strdup_printf ("Task number %02u", i);
      const char *found = strstr (text, description);

      g_assert_nonnull (found);
      g_assert_null (strstr (found + 1, description));
    }
}

/* A paragraph taller than a page is split between lines, under its heading again. */
static void
test_long_text (void)
{
  Clinic clinic = { "en", 0, "active", 150 };
  g_autofree char *text = print_clinic (&clinic, NULL);

  if (text == NULL)
    return;

  assert_contains (text, "What matters to me (continued)");
  assert_contains (text, "Page 3 of ");
  for (guint i = 1; i <= 150; i++)
    {
      g_autofree char *sentence = g_strdup_printf ("Sentence %03u of", i);
      const char *found = strstr (text, sentence);

      g_assert_nonnull (found);
      g_assert_null (strstr (found + 1, sentence));
    }
  assert_contains (text, "Keep my blood sugar in a safe range");
}

static void
test_errors (void)
{
  Clinic clinic = { "en", 0, "active", 0 };
  Clinic no_plan = { "en", 0, "completed", 0 };
  g_autofree char *db = care_test_temp_db ();
  g_autofree char *db_no_plan = care_test_temp_db ();
  g_autofree char *pdf = g_strconcat (db, ".pdf", NULL);
  g_autofree char *out = NULL, *err = NULL;

  make_clinic (db, &clinic);
  make_clinic (db_no_plan, &no_plan);

  /* No such MRN; the start of one is not one. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "careplan-pdf", "--db", db, "--mrn", "999999", "--out", pdf,
                                      NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no patient has this MRN"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "careplan-pdf", "--db", db, "--mrn", "44556", "--out", pdf,
                                      NULL), ==, 1);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_assert_null (strstr (err, "Ramirez"));
  g_assert_null (strstr (out, "Ramirez"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No active plan. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "careplan-pdf", "--db", db_no_plan, "--mrn", "4455667",
                                      "--out", pdf, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no active care plan"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Usage. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "careplan-pdf", "--db", db, "--mrn", "4455667", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--out FILE.pdf"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "careplan-pdf", "--bogus", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "careplan-pdf"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

/* The layout, in this process -------------------------------------------------- */

static CareRecord *
record (const char *table,
        const char *id,
        ...)
{
  CareRecord *r = care_record_new (table, id);
  va_list ap;

  va_start (ap, id);
  for (const char *column = va_arg (ap, const char *); column != NULL; column = va_arg (ap, const char *))
    care_record_set (r, column, va_arg (ap, const char *));
  va_end (ap);

  return r;
}

/* A chart built by hand: sections with nothing in them are left out, but for
 * the goals; of two active plans (revised on two machines at once), the newest. */
static void
test_minimal_chart (void)
{
  g_autoptr(CareChart) chart = care_chart_new ("2026-02-01");
  g_autofree char *db = care_test_temp_db ();
  g_autofree char *pdf = g_strconcat (db, ".pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  chart->patient = record ("patients", "p1", "given_name", "Min", "family_name", "Imal", "mrn", "77",
                           "birth_date", "1990-12-31", NULL);
  g_ptr_array_add (chart->care_plans, record ("care_plans", "c1", "patient_id", "p1", "title", "Older plan",
                                              "status", "active", "period_start", "2025-01-01", NULL));
  g_ptr_array_add (chart->care_plans, record ("care_plans", "c2", "patient_id", "p1", "title", "Newer plan",
                                              "status", "active", "period_start", "2026-01-01", NULL));
  g_ptr_array_add (chart->care_plans, record ("care_plans", "c3", "patient_id", "p1", "title", "A draft",
                                              "status", "draft", "period_start", "2026-01-02", NULL));

  g_assert_true (care_plan_print_to_pdf (chart, "en", pdf, &error));
  g_assert_no_error (error);
  assert_pdf (pdf);
  if ((text = pdf_text (pdf)) == NULL)
    {
      g_test_skip ("pdftotext is not installed (poppler-utils)");
      return;
    }

  assert_contains (text, "Min Imal");
  assert_contains (text, "Date of birth: December 31, 1990");
  assert_contains (text, "Newer plan");
  assert_contains (text, "Since January 1, 2026");
  assert_contains (text, "My goals");
  assert_contains (text, "No goals yet");
  assert_contains (text, "Page 1 of 1");
  assert_lacks (text, "Older plan");
  assert_lacks (text, "A draft");
  assert_lacks (text, "What matters to me");
  assert_lacks (text, "What we will do");
  assert_lacks (text, "Things that make it harder");
  assert_lacks (text, "My referrals");
  assert_lacks (text, "My care team");
  assert_lacks (text, "Questions?");
}

static CareChart *
load_chart (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CareDb) db = care_db_open (path, &error);
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) records = NULL;
  const char *id = NULL;
  CareChart *chart;

  g_assert_no_error (error);
  records = care_db_list (db, ACTOR, "patients", NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (care_record_get (g_ptr_array_index (records, i), "mrn"), "4455667") == 0)
      id = care_record_get_id (g_ptr_array_index (records, i));
  g_assert_nonnull (id);

  chart = care_chart_load (db, ACTOR, id, "2026-02-01", &error);
  g_assert_no_error (error);
  return chart;
}

/* Draws every page of @print on a recording surface: nothing outside the page. */
static void
assert_pages_inside (CarePlanPrint *print,
                     double         width,
                     double         height)
{
  cairo_rectangle_t extents = { 0, 0, width, height };

  for (guint page = 0; page < care_plan_print_get_n_pages (print); page++)
    {
      cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
      cairo_t *cr = cairo_create (surface);
      double x, y, w, h;

      care_plan_print_draw_page (print, cr, page);
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_recording_surface_ink_extents (surface, &x, &y, &w, &h);
      g_assert_cmpfloat (w, >, 0);
      g_assert_cmpfloat (x, >=, 0);
      g_assert_cmpfloat (y, >=, 0);
      g_assert_cmpfloat (x + w, <=, extents.width);
      g_assert_cmpfloat (y + h, <=, extents.height);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
}

static void
test_layout (void)
{
  Clinic clinic = { "en", 60, "active", 0 };
  Clinic no_plan = { "en", 0, "completed", 0 };
  g_autofree char *db = care_test_temp_db ();
  g_autofree char *db_no_plan = care_test_temp_db ();
  g_autoptr(CareChart) chart = NULL;
  g_autoptr(CareChart) chart_no_plan = NULL;
  g_autoptr(CarePlanPrint) print = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  guint letter, small;

  make_clinic (db, &clinic);
  make_clinic (db_no_plan, &no_plan);
  chart = load_chart (db);
  chart_no_plan = load_chart (db_no_plan);

  g_assert_null (care_plan_print_new (chart_no_plan, "en", &error));
  g_assert_error (error, CARE_PLAN_PRINT_ERROR, CARE_PLAN_PRINT_ERROR_NO_PLAN);
  g_clear_error (&error);

  print = care_plan_print_new (chart, "en", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (care_plan_print_get_n_pages (print), ==, 0);

  surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cr = cairo_create (surface);
  letter = care_plan_print_paginate (print, cr, 612, 792);
  g_assert_cmpuint (letter, >=, 2);
  g_assert_cmpuint (care_plan_print_get_n_pages (print), ==, letter);
  assert_pages_inside (print, 612, 792);

  /* A smaller page (A6): more pages, and again nothing outside them. */
  small = care_plan_print_paginate (print, cr, 298, 420);
  g_assert_cmpuint (small, >, letter);
  assert_pages_inside (print, 298, 420);

  /* Laid out again for Letter: the same as the first time. */
  g_assert_cmpuint (care_plan_print_paginate (print, cr, 612, 792), ==, letter);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  /* A paragraph taller than the page. */
  {
    Clinic wordy = { "en", 0, "active", 60 };
    g_autofree char *db_wordy = care_test_temp_db ();
    g_autoptr(CareChart) chart_wordy = NULL;
    g_autoptr(CarePlanPrint) print_wordy = NULL;

    make_clinic (db_wordy, &wordy);
    chart_wordy = load_chart (db_wordy);
    print_wordy = care_plan_print_new (chart_wordy, "en", &error);
    g_assert_no_error (error);
    surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cr = cairo_create (surface);
    g_assert_cmpuint (care_plan_print_paginate (print_wordy, cr, 298, 420), >, 3);
    assert_pages_inside (print_wordy, 298, 420);
    cairo_destroy (cr);
    cairo_surface_destroy (surface);
  }

  /* A PDF that cannot be written leaves nothing behind. */
  g_assert_false (care_plan_print_to_pdf (chart, "en", "/nonexistent-folder/plan.pdf", &error));
  g_assert_nonnull (error);
}

/* The catalog reader ------------------------------------------------------------ */

typedef struct
{
  const char *key;
  gsize       key_length;
  const char *value;
  gsize       value_length;
} Entry;

#define ENTRY(k, v) { k, sizeof (k) - 1, v, sizeof (v) - 1 }

static void
append_word (GByteArray *bytes,
             guint32     word,
             gboolean    big_endian)
{
  guint32 raw = big_endian ? GUINT32_TO_BE (word) : GUINT32_TO_LE (word);

  g_byte_array_append (bytes, (const guint8 *) &raw, 4);
}

/* A .mo file of @entries, as msgfmt writes them (without the optional hash table). */
static GBytes *
make_mo (const Entry *entries,
         guint        n,
         gboolean     big_endian)
{
  GByteArray *bytes = g_byte_array_new ();
  guint32 offset = 28 + 16 * n;

  append_word (bytes, 0x950412de, big_endian);
  append_word (bytes, 0, big_endian);
  append_word (bytes, n, big_endian);
  append_word (bytes, 28, big_endian);
  append_word (bytes, 28 + 8 * n, big_endian);
  append_word (bytes, 0, big_endian);
  append_word (bytes, 0, big_endian);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        gsize length = pass == 0 ? entries[i].key_length : entries[i].value_length;

        append_word (bytes, (guint32) length, big_endian);
        append_word (bytes, offset, big_endian);
        offset += (guint32) length + 1;
      }
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        g_byte_array_append (bytes, (const guint8 *) (pass == 0 ? entries[i].key : entries[i].value),
                             (guint) (pass == 0 ? entries[i].key_length : entries[i].value_length));
        g_byte_array_append (bytes, (const guint8 *) "", 1);
      }

  return g_byte_array_free_to_bytes (bytes);
}

static const Entry sample[] = {
  ENTRY ("", "Content-Type: text/plain; charset=UTF-8\n"),
  ENTRY ("My goals", "Mis metas"),
  ENTRY ("month name\004May", "mayo"),
  ENTRY ("%2$s %1$d, %3$d", "%1$d de %2$s de %3$d"),
  ENTRY ("Page %u of %u", "Página %u de %u"),
  ENTRY ("Who: %s", "Quién: %d"),          /* would crash a printf: ignored */
  ENTRY ("Phone: %s", "Teléfono: %s %s"),  /* one argument too many: ignored */
  ENTRY ("Target: %s", "Objetivo: %n"),    /* %n: ignored */
  ENTRY ("%u file\0%u files", "%u archivo\0%u archivos"),
  ENTRY ("Untranslated", ""),
  ENTRY ("%-d %B %Y", "%-d de %B de %Y"),  /* not printf: g_date_time_format() */
};

static void
test_catalog_read (void)
{
  for (guint big_endian = 0; big_endian < 2; big_endian++)
    {
      g_autoptr(GBytes) bytes = make_mo (sample, G_N_ELEMENTS (sample), big_endian);
      g_autoptr(GError) error = NULL;
      g_autoptr(CareCatalog) catalog = care_catalog_new_from_bytes (bytes, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (care_catalog_gettext (catalog, "My goals"), ==, "Mis metas");
      g_assert_cmpstr (care_catalog_pgettext (catalog, "month name", "May"), ==, "mayo");
      g_assert_cmpstr (care_catalog_gettext (catalog, "May"), ==, "May");
      g_assert_cmpstr (care_catalog_pgettext (catalog, "other context", "May"), ==, "May");
      g_assert_cmpstr (care_catalog_gettext (catalog, "%2$s %1$d, %3$d"), ==, "%1$d de %2$s de %3$d");
      g_assert_cmpstr (care_catalog_gettext (catalog, "Page %u of %u"), ==, "Página %u de %u");
      g_assert_cmpstr (care_catalog_gettext (catalog, "Who: %s"), ==, "Who: %s");
      g_assert_cmpstr (care_catalog_gettext (catalog, "Phone: %s"), ==, "Phone: %s");
      g_assert_cmpstr (care_catalog_gettext (catalog, "Target: %s"), ==, "Target: %s");
      g_assert_cmpstr (care_catalog_gettext (catalog, "%u file"), ==, "%u file");
      g_assert_cmpstr (care_catalog_gettext (catalog, "%-d %B %Y"), ==, "%-d de %B de %Y");
      g_assert_cmpstr (care_catalog_gettext (catalog, "Untranslated"), ==, "Untranslated");
      g_assert_cmpstr (care_catalog_gettext (catalog, "Not in the catalog"), ==, "Not in the catalog");
      g_assert_null (care_catalog_get_language (catalog));
    }
}

static void
ignore_message (const char     *domain,
                GLogLevelFlags  level,
                const char     *message,
                gpointer        user_data)
{
}

static void
test_catalog_damaged (void)
{
  g_autoptr(GBytes) good = make_mo (sample, G_N_ELEMENTS (sample), FALSE);
  gsize size;
  const guint8 *data = g_bytes_get_data (good, &size);
  guint handler = g_log_set_handler ("care-catalog", G_LOG_LEVEL_DEBUG, ignore_message, NULL);

  /* Every cut short: refused, never read past the end. */
  for (gsize length = 0; length < size; length++)
    {
      g_autoptr(GBytes) cut = g_bytes_new (data, length);
      g_autoptr(GError) error = NULL;
      g_autoptr(CareCatalog) catalog = care_catalog_new_from_bytes (cut, &error);

      g_assert_null (catalog);
      g_assert_error (error, CARE_CATALOG_ERROR, CARE_CATALOG_ERROR_INVALID);
    }

  /* One byte changed anywhere in the tables: refused or read within bounds. */
  for (gsize at = 0; at < 28 + 16 * G_N_ELEMENTS (sample); at++)
    for (guint value = 0; value < 3; value++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, size);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(CareCatalog) catalog = NULL;

        copy[at] = value == 0 ? 0xff : value == 1 ? 0x00 : copy[at] ^ 0x40;
        bytes = g_bytes_new (copy, size);
        catalog = care_catalog_new_from_bytes (bytes, NULL);
        if (catalog)
          care_catalog_gettext (catalog, "My goals");
      }

  g_log_remove_handler ("care-catalog", handler);
}

static void
test_catalog_languages (void)
{
  g_autofree char *es = g_build_filename (locale_dir, "es", "LC_MESSAGES", "caremesh.mo", NULL);
  const struct
  {
    const char *language;
    const char *found;
  } cases[] = {
    { "es", "es" }, { "es-MX", "es" }, { "es_US.UTF-8", "es" }, { "ES", "es" }, { "es-419", "es" },
    { "en", NULL }, { "fr", NULL }, { NULL, NULL }, { "", NULL }, { "../es", NULL },
    { "es/../../x", NULL }, { "e", NULL },
  };

  g_assert_true (g_file_test (es, G_FILE_TEST_IS_REGULAR));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CareCatalog) catalog = care_catalog_new (cases[i].language);

      g_assert_cmpstr (care_catalog_get_language (catalog), ==, cases[i].found);
      g_assert_cmpstr (care_catalog_pgettext (catalog, "patient printout", "My Care Plan"), ==,
                       cases[i].found ? "Mi plan de cuidado" : "My Care Plan");
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* This process's and caremeshctl's catalogs: the build's. */
  locale_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                 "..", "po", NULL);
  g_setenv ("CAREMESH_LOCALEDIR", locale_dir, TRUE);
  care_catalog_set_locale_dir (locale_dir);

  g_test_add_func ("/careplan-pdf/english", test_english);
  g_test_add_func ("/careplan-pdf/spanish", test_spanish);
  g_test_add_func ("/careplan-pdf/many-tasks", test_many_tasks);
  g_test_add_func ("/careplan-pdf/long-text", test_long_text);
  g_test_add_func ("/careplan-pdf/errors", test_errors);
  g_test_add_func ("/careplan-pdf/layout", test_layout);
  g_test_add_func ("/careplan-pdf/minimal-chart", test_minimal_chart);
  g_test_add_func ("/catalog/read", test_catalog_read);
  g_test_add_func ("/catalog/damaged", test_catalog_damaged);
  g_test_add_func ("/catalog/languages", test_catalog_languages);

  return g_test_run ();
}
