/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-async"

#include "config.h"

#include "care-patient.h"
#include "care-patient-list.h"
#include "care-store.h"
#include "care-test-util.h"

#define ACTOR "test:clinician"

static void
on_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
on_changed_cb (CareStore  *store,
               const char *table,
               char      **out)
{
  g_free (*out);
  *out = g_strdup (table);
}

static char *
make_db (guint n_patients)
{
  char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);

  care_db_begin (db, NULL);
  for (guint i = 0; i < n_patients; i++)
    {
      g_autofree char *given = g_strdup_printf ("Given%04u", i);
      g_autofree char *family = g_strdup_printf ("Family%04u", i);
      g_autofree char *mrn = g_strdup_printf ("%07u", 5000000 + i);

      g_free (care_test_add_patient (db, given, family, "1970-01-01", mrn, NULL));
    }
  g_assert_true (care_db_commit (db, NULL));

  return path;
}

static CareStore *
open_store (const char *path)
{
  CareStore *store = care_store_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  care_store_open_async (store, NULL, on_done_cb, &result);
  g_assert_true (care_store_open_finish (store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (care_store_is_open (store));

  return store;
}

static void
test_open_put_get (void)
{
  g_autofree char *path = make_db (0);
  g_autoptr(CareStore) store = open_store (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CareRecord) record = NULL;
  g_autofree char *id = NULL;
  g_autofree char *changed = NULL;
  CareFields *fields = care_fields_new ();

  g_signal_connect (store, "changed", G_CALLBACK (on_changed_cb), &changed);

  care_fields_set (fields, "name", "Brownsville Rural Health");
  care_store_put_async (store, ACTOR, "organizations", NULL, fields, NULL, on_done_cb, &result);
  id = care_store_put_finish (store, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_cmpstr (changed, ==, "organizations");
  g_clear_object (&result);

  care_store_get_async (store, ACTOR, "organizations", id, NULL, on_done_cb, &result);
  record = care_store_get_finish (store, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (care_record_get (record, "name"), ==, "Brownsville Rural Health");
  g_clear_object (&result);

  /* Errors come back through the callback, not as crashes. */
  fields = care_fields_new ();
  care_fields_set (fields, "no_such_column", "x");
  care_store_put_async (store, ACTOR, "organizations", NULL, fields, NULL, on_done_cb, &result);
  g_assert_null (care_store_put_finish (store, wait_result (&result), &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
}

static void
test_open_error (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "not a database at all, but long enough to look like a header", -1, NULL));
  store = care_store_new (path);
  care_store_open_async (store, NULL, on_done_cb, &result);
  g_assert_false (care_store_open_finish (store, wait_result (&result), &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_A_DATABASE);
  g_clear_object (&result);
  g_clear_error (&error);

  /* Later calls fail cleanly too. */
  care_store_search_async (store, ACTOR, "", NULL, on_done_cb, &result);
  g_assert_null (care_store_search_finish (store, wait_result (&result), &error));
  g_assert_nonnull (error);
}

static void
wait_search (CarePatientList *list)
{
  /* Searching becomes TRUE synchronously and FALSE when the results are in. */
  while (care_patient_list_get_searching (list))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_patient_list_paging (void)
{
  g_autofree char *path = make_db (1234);
  g_autoptr(CareStore) store = open_store (path);
  g_autoptr(CarePatientList) list = care_patient_list_new (store, ACTOR);
  g_autoptr(CarePatient) last = NULL;
  g_autoptr(CarePatient) first = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  care_patient_list_set_query (list, "");
  wait_search (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1234);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == CARE_TYPE_PATIENT);

  /* get_item() does not wait: a placeholder first, filled when its page arrives. */
  last = g_list_model_get_item (G_LIST_MODEL (list), 1233);
  g_assert_nonnull (last);
  g_assert_false (care_patient_get_loaded (last));
  while (!care_patient_get_loaded (last))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (care_patient_get_mrn (last), ==, "5001233");
  g_assert_cmpstr (care_patient_get_display_name (last), ==, "Family1233, Given1233");

  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  while (!care_patient_get_loaded (first))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (care_patient_get_mrn (first), ==, "5000000");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 1234));

  /* Walking the whole list loads every page, but only a bounded number stays. */
  for (guint i = 0; i < 1234; i++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));

  /* A search replaces the contents. */
  care_patient_list_set_query (list, "family12");
  wait_search (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 34);  /* Family1200 to Family1233 */

  /* Rapid typing: only the last query's results count. */
  care_patient_list_set_query (list, "f");
  care_patient_list_set_query (list, "fa");
  care_patient_list_set_query (list, "family0001");
  wait_search (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);

  care_patient_list_set_query (list, "nobody");
  wait_search (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
}

static gpointer
job_leave_open (CareDb        *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  if (!care_db_in_transaction (db) && !care_db_begin (db, error))
    return NULL;
  g_free (care_test_add_patient (db, "Left", "Open", "1980-01-01", "8100001", NULL));

  return GINT_TO_POINTER (1);
}

static gpointer
job_count (CareDb        *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  return GINT_TO_POINTER (care_db_in_transaction (db) ? 0 : 2);
}

/* A sync page may leave its transaction open for the next one; any other job
 * (a person's edit) commits it first, so nothing waits uncommitted behind it. */
static void
test_batch_transaction_committed_before_other_jobs (void)
{
  g_autofree char *path = make_db (1);
  g_autoptr(CareStore) store = open_store (path);
  g_autoptr(GAsyncResult) first = NULL, second = NULL;

  care_store_run_batch_async (store, job_leave_open, NULL, NULL, NULL, NULL, on_done_cb, &first);
  g_assert_nonnull (care_store_run_finish (store, wait_result (&first), NULL));
  {
    g_autoptr(CareDb) other = care_db_open (path, NULL);

    /* Still open: another connection does not see it. */
    g_assert_cmpint (care_db_count (other, "patients", NULL), ==, 1);
  }
  care_store_run_async (store, job_count, NULL, NULL, NULL, NULL, on_done_cb, &second);
  g_assert_cmpint (GPOINTER_TO_INT (care_store_run_finish (store, wait_result (&second), NULL)), ==, 2);
  {
    g_autoptr(CareDb) other = care_db_open (path, NULL);

    g_assert_cmpint (care_db_count (other, "patients", NULL), ==, 2);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store-async/open-put-get", test_open_put_get);
  g_test_add_func ("/store-async/open-error", test_open_error);
  g_test_add_func ("/store-async/patient-list-paging", test_patient_list_paging);
  g_test_add_func ("/store-async/batch-transaction-committed", test_batch_transaction_committed_before_other_jobs);

  return g_test_run ();
}
