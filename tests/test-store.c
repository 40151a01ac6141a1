/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "care-db.h"
#include "care-schema.h"
#include "care-test-util.h"
#include "care-text.h"

#define ACTOR "test:clinician"

static void
test_migrations_from_empty (void)
{
  /* Every migration, from an empty file up to it, and then onwards to the latest. */
  for (int v = 1; v <= care_db_schema_version (); v++)
    {
      g_autofree char *path = care_test_temp_db ();
      g_autoptr(CareDb) db = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *device_id = NULL;

      db = care_db_open_at_version (path, v, &error);
      g_assert_no_error (error);
      g_assert_cmpint (care_db_get_user_version (db), ==, v);
      g_assert_true (g_uuid_string_is_valid (care_db_get_device_id (db)));
      device_id = g_strdup (care_db_get_device_id (db));
      care_test_assert_integrity (path);
      g_clear_pointer (&db, care_db_close);

      db = care_db_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (care_db_get_user_version (db), ==, care_db_schema_version ());
      /* The device keeps its identity across upgrades and restarts. */
      g_assert_cmpstr (care_db_get_device_id (db), ==, device_id);
      care_test_assert_integrity (path);
    }
}

static void
test_pragmas (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *raw;
  sqlite3_stmt *stmt;

  db = care_db_open (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&db, care_db_close);

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA application_id", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, CARE_SCHEMA_APPLICATION_ID);
  sqlite3_finalize (stmt);
  sqlite3_close (raw);
}

static void
test_foreign_keys (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;

  /* An allergy of a patient that does not exist is refused, and nothing stays. */
  care_fields_set (fields, "patient_id", "6b1f6f3c-9c1e-4c53-8d1e-000000000000");
  care_fields_set (fields, "substance", "Penicillin");
  g_assert_false (care_db_put (db, ACTOR, "allergies", NULL, fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
  g_assert_cmpint (care_db_count (db, "allergies", NULL), ==, 0);
}

static void
test_crud_every_type (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  db = care_db_open (path, &error);
  g_assert_no_error (error);

  for (const char * const *t = care_db_record_types (); *t; t++)
    {
      g_autoptr(CareFields) fields = care_test_minimal_fields (*t, ids);
      g_autoptr(CareFields) update = care_fields_new ();
      g_autoptr(CareRecord) record = NULL;
      g_autoptr(GPtrArray) list = NULL;
      g_autofree char *id = NULL;
      const char *column;
      const char *value;

      g_test_message ("record type %s", *t);
      g_assert_true (care_db_put (db, ACTOR, *t, NULL, fields, &id, &error));
      g_assert_no_error (error);
      g_assert_true (g_uuid_string_is_valid (id));
      g_hash_table_insert (ids, (gpointer) *t, g_strdup (id));

      /* Read back: every field written is there, and the bookkeeping is set. */
      record = care_db_get (db, ACTOR, *t, id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (care_record_get_id (record), ==, id);
      for (guint i = 0; i < care_fields_get_n (fields); i++)
        g_assert_cmpstr (care_record_get (record, care_fields_get_column (fields, i)), ==,
                         care_fields_get_value (fields, i));
      g_assert_cmpstr (care_record_get (record, "device_id"), ==, care_db_get_device_id (db));
      g_assert_nonnull (care_record_get (record, "created_at"));
      g_clear_object (&record);

      /* Update one field: only it changes. */
      column = care_fields_get_column (fields, care_fields_get_n (fields) - 1);
      value = care_fields_get_value (fields, care_fields_get_n (fields) - 1);
      care_fields_set (update, column, "updated value");
      g_assert_true (care_db_put (db, ACTOR, *t, id, update, NULL, &error));
      g_assert_no_error (error);
      record = care_db_get (db, ACTOR, *t, id, &error);
      g_assert_cmpstr (care_record_get (record, column), ==, "updated value");
      g_assert_cmpstr (care_record_get (record, care_fields_get_column (fields, 0)), ==,
                       care_fields_get_value (fields, 0));
      g_assert_cmpstr (value, !=, "updated value");

      list = care_db_list (db, ACTOR, *t, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (list->len, ==, 1);
      g_assert_cmpint (care_db_count (db, *t, NULL), ==, 1);
    }

  /* Per-patient lists hold only that patient's records. */
  {
    g_autoptr(GPtrArray) mine = care_db_list (db, ACTOR, "allergies",
                                               g_hash_table_lookup (ids, "patients"), NULL, &error);
    g_autoptr(GPtrArray) none = care_db_list (db, ACTOR, "allergies",
                                               "6b1f6f3c-9c1e-4c53-8d1e-000000000000", NULL, &error);

    g_assert_cmpuint (mine->len, ==, 1);
    g_assert_cmpuint (none->len, ==, 0);
  }

  care_test_assert_integrity (path);
}

static void
test_put_validation (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;

  care_fields_set (fields, "name", "Clinic");
  g_assert_false (care_db_put (db, ACTOR, "no_such_table", NULL, fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* Hostile column names never reach SQL. */
  care_fields_set (fields, "name = 'x'; DROP TABLE patients; --", "x");
  g_assert_false (care_db_put (db, ACTOR, "organizations", NULL, fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* The store's own bookkeeping is not writable. */
  care_fields_clear (fields);
  care_fields_set (fields, "name", "Clinic");
  care_fields_set (fields, "device_id", "forged");
  g_assert_false (care_db_put (db, ACTOR, "organizations", NULL, fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
  g_clear_error (&error);

  care_fields_clear (fields);
  care_fields_set (fields, "name", "Clinic");
  g_assert_false (care_db_put (db, ACTOR, "organizations", "not-a-uuid", fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* A required field missing. */
  care_fields_clear (fields);
  care_fields_set (fields, "kind", "clinic");
  g_assert_false (care_db_put (db, ACTOR, "organizations", NULL, fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);

  g_assert_cmpint (care_db_count (db, "organizations", NULL), ==, 0);
}

static void
test_not_sqlite (void)
{
  g_autofree char *path = care_test_temp_db ();
  const char text[] = "MRN,Name\n1,This is a spreadsheet export, not a database\n";
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  CareDb *db;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  db = care_db_open (path, &error);
  g_assert_null (db);
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "not a Caremesh database"));

  /* Nothing overwritten. */
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);
}

static void
test_other_sqlite (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(GError) error = NULL;
  sqlite3 *raw;
  CareDb *db;

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "CREATE TABLE invoices (n INTEGER)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);

  db = care_db_open (path, &error);
  g_assert_null (db);
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_A_DATABASE);
}

static void
test_newer_schema (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autofree char *pragma = NULL;
  g_autoptr(GError) error = NULL;
  CareDb *db;
  sqlite3 *raw;

  db = care_db_open (path, &error);
  g_assert_no_error (error);
  care_db_close (db);

  /* As if a newer Caremesh had upgraded this file. */
  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  pragma = g_strdup_printf ("PRAGMA user_version = %d", care_db_schema_version () + 1);
  g_assert_cmpint (sqlite3_exec (raw, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);

  db = care_db_open (path, &error);
  g_assert_null (db);
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version"));

  /* Still untouched: the version stays what the newer program wrote. */
  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt;

    sqlite3_prepare_v2 (raw, "PRAGMA user_version", -1, &stmt, NULL);
    sqlite3_step (stmt);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, care_db_schema_version () + 1);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (raw);
}

static void
test_unwritable_location (void)
{
  g_autofree char *file = care_test_temp_db ();
  g_autofree char *inside_file = NULL;
  g_autoptr(GError) error = NULL;
  CareDb *db;

  /* A "folder" that is really a file: cannot be created, whoever we are. */
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  inside_file = g_build_filename (file, "clinic.db", NULL);
  db = care_db_open (inside_file, &error);
  g_assert_null (db);
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_OPEN);
  g_clear_error (&error);

  /* A folder given where a file is expected. */
  db = care_db_open (g_get_tmp_dir (), &error);
  g_assert_null (db);
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_OPEN);
}

static void
test_disk_full (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *hash_before = NULL;
  g_autofree char *hash_after = NULL;
  gint64 before;
  gboolean failed = FALSE;

  {
    g_autoptr(CareFields) org = care_test_minimal_fields ("organizations", ids);
    char *id = NULL;

    g_assert_true (care_db_put (db, ACTOR, "organizations", NULL, org, &id, NULL));
    g_hash_table_insert (ids, (gpointer) "organizations", id);
  }
  before = care_db_count (db, "organizations", NULL);
  hash_before = care_db_content_hash (db, NULL);

  /* SQLite's own size limit stands in for a full disk: the same SQLITE_FULL. */
  {
    g_autofree char *pragma = NULL;
    sqlite3 *raw;
    sqlite3_stmt *stmt;
    int pages;

    g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
    sqlite3_prepare_v2 (raw, "PRAGMA page_count", -1, &stmt, NULL);
    sqlite3_step (stmt);
    pages = sqlite3_column_int (stmt, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (raw);
    pragma = g_strdup_printf ("PRAGMA max_page_count = %d", pages + 2);
    g_assert_true (care_db_exec (db, pragma, NULL));
  }

  g_assert_true (care_db_begin (db, NULL));
  for (int i = 0; i < 2000 && !failed; i++)
    {
      g_autoptr(CareFields) fields = care_fields_new ();
      g_autofree char *name = g_strdup_printf ("Clinic %d with a long name to fill pages quickly %0200d", i, i);

      care_fields_set (fields, "name", name);
      failed = !care_db_put (db, ACTOR, "organizations", NULL, fields, NULL, &error);
    }
  g_assert_true (failed);
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "full"));
  care_db_rollback (db);

  /* The batch is gone as a whole; what was there before is intact. */
  g_assert_cmpint (care_db_count (db, "organizations", NULL), ==, before);
  hash_after = care_db_content_hash (db, NULL);
  g_assert_cmpstr (hash_before, ==, hash_after);
  care_test_assert_integrity (path);
}

static void
test_locked (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  sqlite3 *other;

  /* Another program holds the write lock. */
  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  care_db_set_busy_timeout (db, 100);
  care_fields_set (fields, "name", "Clinic");
  g_assert_false (care_db_put (db, ACTOR, "organizations", NULL, fields, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "in use"));
  g_clear_error (&error);

  /* Once released, the same write goes through. */
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  g_assert_true (care_db_put (db, ACTOR, "organizations", NULL, fields, NULL, &error));
  g_assert_no_error (error);
}

static void
test_content_hash (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autofree char *empty = care_db_content_hash (db, NULL);
  g_autofree char *one = NULL;
  g_autofree char *again = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *id = NULL;

  care_fields_set (fields, "name", "Sweet Home Family Clinic");
  g_assert_true (care_db_put (db, ACTOR, "organizations", NULL, fields, &id, NULL));
  one = care_db_content_hash (db, NULL);
  g_assert_cmpstr (empty, !=, one);

  /* Rewriting the same value changes only bookkeeping, not content. */
  care_db_set_clock_override (db, care_db_now_ms (db) + 5000);
  g_assert_true (care_db_put (db, ACTOR, "organizations", id, fields, NULL, NULL));
  again = care_db_content_hash (db, NULL);
  g_assert_cmpstr (one, ==, again);

  care_fields_set (fields, "name", "Sweet Home Clinic");
  g_assert_true (care_db_put (db, ACTOR, "organizations", id, fields, NULL, NULL));
  changed = care_db_content_hash (db, NULL);
  g_assert_cmpstr (one, !=, changed);
}

/* Units as people read them, for the dashboard and the results table. */
static void
test_display_units (void)
{
  static const char *cases[][2] = {
    { "mm[Hg]", "mmHg" }, { "kg/m2", "kg/m²" }, { "mL/min/{1.73_m2}", "mL/min/1.73 m²" },
    { "{score}", "" }, { "%", "%" }, { "mg/dL", "mg/dL" }, { NULL, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = care_text_display_unit (cases[i][0]);

      g_assert_cmpstr (shown, ==, cases[i][1]);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/migrations-from-empty", test_migrations_from_empty);
  g_test_add_func ("/store/pragmas", test_pragmas);
  g_test_add_func ("/store/foreign-keys", test_foreign_keys);
  g_test_add_func ("/store/crud-every-type", test_crud_every_type);
  g_test_add_func ("/store/put-validation", test_put_validation);
  g_test_add_func ("/store/bad-input/not-sqlite", test_not_sqlite);
  g_test_add_func ("/store/bad-input/other-sqlite", test_other_sqlite);
  g_test_add_func ("/store/bad-input/newer-schema", test_newer_schema);
  g_test_add_func ("/store/bad-input/unwritable-location", test_unwritable_location);
  g_test_add_func ("/store/bad-input/disk-full", test_disk_full);
  g_test_add_func ("/store/bad-input/locked", test_locked);
  g_test_add_func ("/store/content-hash", test_content_hash);
  g_test_add_func ("/store/display-units", test_display_units);

  return g_test_run ();
}
