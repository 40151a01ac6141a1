/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-search"

#include "config.h"

#include "care-db.h"
#include "care-patient.h"
#include "care-test-util.h"

#define ACTOR "test:front-desk"

typedef struct
{
  char   *path;
  CareDb *db;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->path = care_test_temp_db ();
  fixture->db = care_db_open (fixture->path, &error);
  g_assert_no_error (error);

  g_free (care_test_add_patient (fixture->db, "María José", "García López", "1956-03-12", "1000123", "(541) 555-0123"));
  g_free (care_test_add_patient (fixture->db, "Jesús", "Hernández", "1988-11-02", "1000456", "(458) 555-9876"));
  g_free (care_test_add_patient (fixture->db, "Robert", "Garcia", "1971-07-30", "1000789", "(541) 555-4411"));
  g_free (care_test_add_patient (fixture->db, "Zoë", "O'Brien", "2015-02-14", "2000001", "(541) 555-7700"));
  g_free (care_test_add_patient (fixture->db, "Anna", "Garner", "1956-03-12", "2000002", NULL));
  g_free (care_test_add_patient (fixture->db, "Gary", "Smith", "1990-01-01", "3000003", "541.555.1212"));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  care_db_close (fixture->db);
  g_free (fixture->path);
}

/* The MRNs a query finds, in list order, comma separated. */
static char *
search (Fixture    *fixture,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seqs = care_db_search_patients (fixture->db, ACTOR, query, &error);
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  patients = care_db_load_patients (fixture->db, ACTOR, (gint64 *) (gpointer) seqs->data, seqs->len, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < patients->len; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", care_patient_get_mrn (g_ptr_array_index (patients, i)));

  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_search(fixture, query, expected) \
  G_STMT_START { \
    g_autofree char *found = search (fixture, query); \
    g_test_message ("%s -> %s", query, found); \
    g_assert_cmpstr (found, ==, expected); \
  } G_STMT_END

static void
test_all_sorted (Fixture       *fixture,
                 gconstpointer  data)
{
  /* Sorted by family then given name, accents ignored: García López and Garcia
   * sort together, before Garner. */
  assert_search (fixture, "", "1000789,1000123,2000002,1000456,2000001,3000003");
  assert_search (fixture, "   ", "1000789,1000123,2000002,1000456,2000001,3000003");
}

static void
test_accents_and_case (Fixture       *fixture,
                       gconstpointer  data)
{
  assert_search (fixture, "garcia", "1000789,1000123");
  assert_search (fixture, "GARCÍA", "1000789,1000123");
  assert_search (fixture, "hernandez", "1000456");
  assert_search (fixture, "jesus", "1000456");
  assert_search (fixture, "zoe", "2000001");
  assert_search (fixture, "Zoë", "2000001");
}

static void
test_prefixes (Fixture       *fixture,
               gconstpointer  data)
{
  assert_search (fixture, "gar", "1000789,1000123,2000002,3000003");
  assert_search (fixture, "garc", "1000789,1000123");
  /* Every word must match; order and commas do not matter. */
  assert_search (fixture, "maria garc", "1000123");
  assert_search (fixture, "García, María", "1000123");
  assert_search (fixture, "lop", "1000123");
  assert_search (fixture, "obrien", "2000001");
  assert_search (fixture, "o'brien", "2000001");
  assert_search (fixture, "brien", "2000001");
  assert_search (fixture, "xyz", "");
}

static void
test_mrn (Fixture       *fixture,
          gconstpointer  data)
{
  assert_search (fixture, "1000456", "1000456");
  assert_search (fixture, "10004", "1000456");
  assert_search (fixture, "2000", "2000002,2000001");
}

static void
test_birth_date (Fixture       *fixture,
                 gconstpointer  data)
{
  assert_search (fixture, "1956-03-12", "1000123,2000002");
  assert_search (fixture, "03/12/1956", "1000123,2000002");
  assert_search (fixture, "3/12/1956", "1000123,2000002");
  assert_search (fixture, "1988-11-02", "1000456");
  assert_search (fixture, "1988-11-03", "");
}

static void
test_phone (Fixture       *fixture,
            gconstpointer  data)
{
  assert_search (fixture, "(541) 555-0123", "1000123");
  assert_search (fixture, "541-555-0123", "1000123");
  assert_search (fixture, "555-9876", "1000456");
  assert_search (fixture, "5551212", "3000003");
  assert_search (fixture, "4411", "1000789");
}

static void
test_hostile_queries (Fixture       *fixture,
                      gconstpointer  data)
{
  /* FTS syntax and SQL in a query are just text. */
  assert_search (fixture, "\"", "");
  assert_search (fixture, "garcia OR smith", "");
  assert_search (fixture, "*", "");
  assert_search (fixture, "NEAR(garcia smith)", "");
  assert_search (fixture, "'; DROP TABLE patients; --", "");
  assert_search (fixture, "", "1000789,1000123,2000002,1000456,2000001,3000003");
}

static void
test_update_reindexes (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *id = care_test_add_patient (fixture->db, "Lena", "Marsh", "2001-05-05", "4000004", NULL);
  g_autoptr(CareFields) fields = care_fields_new ();

  assert_search (fixture, "marsh", "4000004");
  care_fields_set (fields, "family_name", "Núñez");
  g_assert_true (care_db_put (fixture->db, ACTOR, "patients", id, fields, NULL, NULL));
  assert_search (fixture, "marsh", "");
  assert_search (fixture, "nunez", "4000004");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/search/all-sorted", test_all_sorted);
  ADD ("/search/accents-and-case", test_accents_and_case);
  ADD ("/search/prefixes", test_prefixes);
  ADD ("/search/mrn", test_mrn);
  ADD ("/search/birth-date", test_birth_date);
  ADD ("/search/phone", test_phone);
  ADD ("/search/hostile-queries", test_hostile_queries);
  ADD ("/search/update-reindexes", test_update_reindexes);
#undef ADD

  return g_test_run ();
}
