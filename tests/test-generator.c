/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-generator"

#include "config.h"

#include <sqlite3.h>

#include "care-db.h"
#include "care-generator.h"
#include "care-test-util.h"

#define N_PATIENTS 400

static char *
generate (guint64     seed,
          const char *as_of)
{
  char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(GError) error = NULL;
  CareGeneratorOptions options;

  care_generator_options_init (&options);
  g_assert_cmpuint (options.n_patients, ==, 2000);
  options.n_patients = N_PATIENTS;
  options.seed = seed;
  options.as_of = as_of;
  g_assert_true (care_generator_run (db, &options, NULL, NULL, &error));
  g_assert_no_error (error);

  return path;
}

static double
query_double (const char *path,
              const char *sql)
{
  sqlite3 *raw;
  sqlite3_stmt *stmt;
  double value;

  g_assert_cmpint (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_double (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (raw);

  return value;
}

static char *shared_path;

static const char *
clinic (void)
{
  if (shared_path == NULL)
    shared_path = generate (1, "2026-06-01");
  return shared_path;
}

static void
test_determinism (void)
{
  g_autofree char *again = generate (1, "2026-06-01");
  g_autofree char *other_seed = generate (2, "2026-06-01");
  g_autofree char *h1 = care_test_content_hash (clinic ());
  g_autofree char *h2 = care_test_content_hash (again);
  g_autofree char *h3 = care_test_content_hash (other_seed);

  g_assert_cmpstr (h1, ==, h2);
  g_assert_cmpstr (h1, !=, h3);

  /* Same ids and the same bookkeeping times too, not only the same content. */
  g_assert_cmpfloat (query_double (clinic (), "SELECT sum(created_at % 1000003) FROM observations"), ==,
                     query_double (again, "SELECT sum(created_at % 1000003) FROM observations"));
}

static void
test_organizations_and_staff (void)
{
  const char *path = clinic ();
  const char *disciplines[] = { "physician", "nurse-practitioner", "nurse", "pharmacist",
                                "behavioral-health", "social-worker", "care-coordinator", "front-desk" };

  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM organizations WHERE kind = 'clinic'"), ==, 3);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM organizations WHERE kind = 'pharmacy'"), >=, 1);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM practitioners"), >=, 20);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM practitioners"), <=, 35);

  for (guint i = 0; i < G_N_ELEMENTS (disciplines); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM practitioners WHERE discipline = '%s'",
                                              disciplines[i]);

      g_test_message ("discipline %s", disciplines[i]);
      g_assert_cmpfloat (query_double (path, sql), >=, 1);
    }
}

static void
test_patients_plausible (void)
{
  const char *path = clinic ();
  double spanish;
  double accented;

  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM patients"), ==, N_PATIENTS);
  g_assert_cmpfloat (query_double (path, "SELECT count(DISTINCT mrn) FROM patients"), ==, N_PATIENTS);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM patients WHERE birth_date > '2026-06-01'"), ==, 0);

  spanish = query_double (path, "SELECT avg(preferred_language = 'es') FROM patients");
  g_assert_cmpfloat (spanish, >=, 0.05);
  g_assert_cmpfloat (spanish, <=, 0.25);

  /* Accented names exist, for accent-insensitive search to matter. */
  accented = query_double (path, "SELECT avg(family_name || given_name GLOB '*[^ -~]*') FROM patients");
  g_assert_cmpfloat (accented, >=, 0.02);

  /* Children and the old are both there. */
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM patients WHERE birth_date > '2010-06-01'"), >=, 10);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM patients WHERE birth_date < '1956-06-01'"), >=, 40);
}

static void
test_clinical_content (void)
{
  const char *path = clinic ();

  /* Chronic disease rises with age: more hypertension among the old than the young. */
  g_assert_cmpfloat (
    query_double (path, "SELECT avg(EXISTS (SELECT 1 FROM conditions c WHERE c.patient_id = p.id AND c.code = '59621000')) "
                        "FROM patients p WHERE birth_date < '1961-06-01'"), >,
    query_double (path, "SELECT avg(EXISTS (SELECT 1 FROM conditions c WHERE c.patient_id = p.id AND c.code = '59621000')) "
                        "FROM patients p WHERE birth_date > '1986-06-01'"));

  /* Diabetics have HbA1c results; values are plausible. */
  g_assert_cmpfloat (
    query_double (path, "SELECT avg(EXISTS (SELECT 1 FROM observations o WHERE o.patient_id = c.patient_id AND o.loinc = '4548-4')) "
                        "FROM conditions c WHERE c.code = '44054006'"), >=, 0.9);
  g_assert_cmpfloat (query_double (path, "SELECT min(value_num) FROM observations WHERE loinc = '4548-4'"), >=, 4);
  g_assert_cmpfloat (query_double (path, "SELECT max(value_num) FROM observations WHERE loinc = '4548-4'"), <=, 16);
  g_assert_cmpfloat (query_double (path, "SELECT min(value_num) FROM observations WHERE loinc = '8480-6'"), >=, 70);
  g_assert_cmpfloat (query_double (path, "SELECT max(value_num) FROM observations WHERE loinc = '8480-6'"), <=, 230);

  /* Some ED visits and hospital stays; care plans for some. */
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM encounters WHERE class = 'EMER'"), >=, 1);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM encounters WHERE class = 'IMP'"), >=, 1);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM care_plans"), >=, 1);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM goals"), >=, 1);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM care_tasks"), >=, 1);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM medication_orders"), >=, N_PATIENTS / 2);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM immunizations"), >=, N_PATIENTS / 2);

  /* Allergies: recorded ones, "no known allergies", and some not recorded at all. */
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM allergies WHERE code = '716186003'"), >=, N_PATIENTS / 5);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM allergies WHERE code IS NOT '716186003'"), >=, N_PATIENTS / 10);
  g_assert_cmpfloat (query_double (path, "SELECT count(*) FROM patients p WHERE NOT EXISTS "
                                         "(SELECT 1 FROM allergies a WHERE a.patient_id = p.id)"), >=, N_PATIENTS / 20);

  care_test_assert_integrity (path);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/generator/determinism", test_determinism);
  g_test_add_func ("/generator/organizations-and-staff", test_organizations_and_staff);
  g_test_add_func ("/generator/patients-plausible", test_patients_plausible);
  g_test_add_func ("/generator/clinical-content", test_clinical_content);

  status = g_test_run ();
  g_free (shared_path);

  return status;
}
