/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "care-bench.h"
#include "care-db.h"
#include "care-generator.h"

/*
 * Replication figures (docs/sync.md):
 *  - merge the whole history of a demo clinic into an empty replica, against plain
 *    SQLite inserting the same rows (same tables and indexes, no replication data)
 *    in one transaction;
 *  - local writes with change recording against the same inserts without;
 *  - bytes of replication data per change on disk.
 */

#define ACTOR "system:bench"

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
median3 (const double *v)
{
  return MAX (MIN (v[0], v[1]), MIN (MAX (v[0], v[1]), v[2]));
}

static gint64
object_bytes (const char *path,
              const char *like)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (%s)", like);
  sqlite3 *raw;
  sqlite3_stmt *stmt;
  gint64 bytes = 0;

  if (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    return 0;
  if (sqlite3_prepare_v2 (raw, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    bytes = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (raw);

  return bytes;
}

/* Copies every record row of @from into @to with plain INSERTs in one transaction;
 * returns the seconds the inserts took (the rows are read beforehand). With
 * @history_order the rows go in the order their records were made (the order a
 * merge of the history makes them: patients, then their records, interleaved);
 * otherwise table by table, the kindest order for SQLite. */
static double
plain_copy (sqlite3  *from,
            sqlite3  *to,
            gboolean  history_order,
            gint64   *n_rows)
{
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint64));  /* table << 32 | row */
  g_autoptr(GHashTable) row_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) tables = g_ptr_array_new ();
  g_autoptr(GPtrArray) sqls = g_ptr_array_new_with_free_func (g_free);
  gint64 start;

  *n_rows = 0;
  for (const char * const *t = care_db_record_types (); *t; t++)
    {
      /* The domain columns only: what a plain database of the same records holds. */
      g_autofree char *select = g_strdup_printf ("SELECT * FROM %s", *t);
      g_autoptr(GString) insert = g_string_new (NULL);
      GPtrArray *table_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      sqlite3_stmt *stmt;
      int n;

      sqlite3_prepare_v2 (from, select, -1, &stmt, NULL);
      n = sqlite3_column_count (stmt);
      g_string_append_printf (insert, "INSERT INTO %s (", *t);
      for (int i = 1; i < n; i++)
        if (!g_str_equal (sqlite3_column_name (stmt, i), "clocks"))
          g_string_append_printf (insert, "%s%s", i > 1 ? ", " : "", sqlite3_column_name (stmt, i));
      g_string_append (insert, ") VALUES (");
      for (int i = 1; i < n; i++)
        if (!g_str_equal (sqlite3_column_name (stmt, i), "clocks"))
          g_string_append_printf (insert, "%s?", i > 1 ? ", " : "");
      g_string_append (insert, ")");

      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          char **values = g_new0 (char *, n + 1);
          int k = 0;

          for (int i = 1; i < n; i++)
            if (!g_str_equal (sqlite3_column_name (stmt, i), "clocks"))
              values[k++] = g_strdup ((const char *) sqlite3_column_text (stmt, i));
          g_hash_table_insert (row_of, g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
                               GSIZE_TO_POINTER (((gsize) tables->len << 32 | table_rows->len) + 1));
          g_ptr_array_add (table_rows, values);
        }
      sqlite3_finalize (stmt);

      g_ptr_array_add (tables, (gpointer) *t);
      g_ptr_array_add (sqls, g_string_free (g_steal_pointer (&insert), FALSE));
      g_ptr_array_add (rows, table_rows);
    }

  /* The order: each record where its first change is in the log, or table by table. */
  if (history_order)
    {
      sqlite3_stmt *stmt;

      sqlite3_prepare_v2 (from, "SELECT rid FROM changes ORDER BY seq", -1, &stmt, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gpointer found = NULL;
          char *rid = NULL;

          if (g_hash_table_steal_extended (row_of, sqlite3_column_text (stmt, 0), (gpointer *) &rid, &found))
            {
              guint64 where = GPOINTER_TO_SIZE (found) - 1;

              g_array_append_val (order, where);
              g_free (rid);
            }
        }
      sqlite3_finalize (stmt);
    }
  else
    for (guint t = 0; t < tables->len; t++)
      for (guint r = 0; r < ((GPtrArray *) g_ptr_array_index (rows, t))->len; r++)
        {
          guint64 where = (guint64) t << 32 | r;

          g_array_append_val (order, where);
        }

  start = g_get_monotonic_time ();
  sqlite3_exec (to, "PRAGMA foreign_keys = OFF; BEGIN", NULL, NULL, NULL);
  {
    g_autofree sqlite3_stmt **stmts = g_new0 (sqlite3_stmt *, tables->len);

    for (guint t = 0; t < tables->len; t++)
      sqlite3_prepare_v2 (to, g_ptr_array_index (sqls, t), -1, &stmts[t], NULL);
    for (guint o = 0; o < order->len; o++)
      {
        guint64 where = g_array_index (order, guint64, o);
        sqlite3_stmt *stmt = stmts[where >> 32];
        char **values = g_ptr_array_index ((GPtrArray *) g_ptr_array_index (rows, where >> 32), where & 0xffffffff);
        int n_params = sqlite3_bind_parameter_count (stmt);

        for (int i = 0; i < n_params; i++)
          {
            if (values[i] != NULL)
              sqlite3_bind_text (stmt, i + 1, values[i], -1, SQLITE_STATIC);
            else
              sqlite3_bind_null (stmt, i + 1);
          }
        sqlite3_step (stmt);
        sqlite3_reset (stmt);
        (*n_rows)++;
      }
    for (guint t = 0; t < tables->len; t++)
      sqlite3_finalize (stmts[t]);
  }
  sqlite3_exec (to, "COMMIT", NULL, NULL, NULL);

  return seconds_since (start);
}

int
care_bench_sync (guint       n_patients,
                 const char *work_dir)
{
  g_autofree char *source_path = g_build_filename (work_dir, "bench-sync-source.db", NULL);
  g_autofree char *replica_path = g_build_filename (work_dir, "bench-sync-replica.db", NULL);
  g_autofree char *plain_path = g_build_filename (work_dir, "bench-sync-plain.db", NULL);
  g_autoptr(CareDb) source = NULL;
  g_autoptr(CareDb) replica = NULL;
  g_autoptr(GError) error = NULL;
  CareGeneratorOptions options;
  gint64 n_changes = 0, n_rows = 0, start;
  double merge_s = 0, merge_paged_s = 0, plain_s, plain_table_s;

  care_bench_remove_db (source_path);
  care_bench_remove_db (replica_path);
  care_bench_remove_db (plain_path);

  /* The source: a demo clinic, every record written through the store. */
  care_generator_options_init (&options);
  options.n_patients = n_patients;
  if (!(source = care_db_open (source_path, &error)) ||
      !care_generator_run (source, &options, NULL, NULL, &error) ||
      !(replica = care_db_open (replica_path, &error)))
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error->message);
      return 1;
    }

  /* Merge everything into the empty replica in pages of 10,000 changes: in one
   * transaction, like the plain inserts below (and like a bundle import), and
   * again with a commit after every page (a network sync commits every page). */
  for (guint paged = 0; paged < 2 && error == NULL; paged++)
    {
      CareDb *into = NULL;
      gint64 cursor = 0, count = 0;
      double seconds = 0;

      if (paged)
        {
          g_clear_pointer (&replica, care_db_close);
          care_bench_remove_db (replica_path);
          if (!(replica = care_db_open (replica_path, &error)))
            break;
        }
      into = replica;

      start = g_get_monotonic_time ();
      if (!paged && !care_db_begin (into, &error))
        break;
      seconds += seconds_since (start);
      for (;;)
        {
          g_autoptr(GHashTable) vector = care_db_version_vector (into, NULL);
          g_autoptr(GPtrArray) page = care_db_changes_since (source, vector, &cursor, 10000, &error);

          if (page == NULL || page->len == 0)
            break;
          start = g_get_monotonic_time ();
          if (!care_db_apply_changes (into, page, NULL, &error))
            break;
          seconds += seconds_since (start);
          count += page->len;
        }
      start = g_get_monotonic_time ();
      if (!paged && error == NULL && !care_db_commit (into, &error))
        break;
      seconds += seconds_since (start);
      into = NULL;

      if (paged)
        merge_paged_s = seconds;
      else
        {
          merge_s = seconds;
          n_changes = count;
        }
    }
  if (error != NULL)
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error->message);
      return 1;
    }

  /* Plain SQLite: the same rows into the same tables, one transaction, in the
   * order the history made them (what the merge does, without the replication
   * data) and, for reference, table by table. Each is short, so each runs three
   * times (into a new file each time); the medians count. */
  {
    double runs[2][3];

    for (guint r = 0; r < 3; r++)
      for (guint o = 0; o < 2; o++)
        {
          g_autoptr(CareDb) plain = NULL;
          sqlite3 *from, *to;

          care_bench_remove_db (plain_path);
          plain = care_db_open (plain_path, &error);
          g_clear_pointer (&plain, care_db_close);
          sqlite3_open (source_path, &from);
          sqlite3_open (plain_path, &to);
          /* The same settings as the store's connection. */
          sqlite3_exec (to, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384; "
                            "PRAGMA wal_autocheckpoint = 20000; PRAGMA journal_size_limit = 67108864",
                        NULL, NULL, NULL);
          runs[o][r] = plain_copy (from, to, o == 0, &n_rows);
          sqlite3_close (from);
          sqlite3_close (to);
        }
    plain_s = median3 (runs[0]);
    plain_table_s = median3 (runs[1]);
  }

  printf ("merge_changes %" G_GINT64_FORMAT " changes\n", n_changes);
  printf ("merge_rate %.0f changes/s\n", n_changes / merge_s);
  printf ("plain_insert_rate %.0f rows/s\n", n_rows / plain_s);
  printf ("merge_vs_plain_sqlite %.2f x\n", merge_s / plain_s);
  printf ("plain_insert_rate_table_order %.0f rows/s\n", n_rows / plain_table_s);
  printf ("merge_vs_plain_sqlite_table_order %.2f x\n", merge_s / plain_table_s);
  printf ("merge_rate_commit_per_page %.0f changes/s\n", n_changes / merge_paged_s);
  printf ("merge_vs_plain_sqlite_commit_per_page %.2f x\n", merge_paged_s / plain_s);

  /* Replication data on disk: the change log and its index, per change. */
  {
    gint64 bytes = object_bytes (replica_path, "'changes', 'sqlite_autoindex_changes_1', 'vector', 'devices', "
                                               "'superseded', 'conflicts', 'parked', 'change_values'");

    printf ("change_log_bytes_per_change %.0f bytes\n", (double) bytes / MAX (n_changes, 1));
  }

  return 0;
}

/* Local writes: 100,000 observations through the store (with change recording)
 * and the same rows with plain INSERTs (without). */
int
care_bench_local_writes (guint       n_writes,
                         const char *work_dir)
{
  g_autofree char *with_path = g_build_filename (work_dir, "bench-local-with.db", NULL);
  g_autofree char *without_path = g_build_filename (work_dir, "bench-local-without.db", NULL);
  g_autofree char *patient = NULL;
  g_autoptr(CareDb) with = NULL;
  g_autoptr(GError) error = NULL;
  double with_s, without_s;
  gint64 start;

  care_bench_remove_db (with_path);
  care_bench_remove_db (without_path);

  with = care_db_open (with_path, &error);
  {
    g_autoptr(CareFields) fields = care_fields_new ();

    care_fields_set (fields, "given_name", "Bench");
    care_fields_set (fields, "family_name", "Patient");
    care_fields_set (fields, "birth_date", "1950-01-01");
    care_fields_set (fields, "mrn", "9999999");
    care_db_put (with, ACTOR, "patients", NULL, fields, &patient, &error);
  }

  /* Batches of 1,000 in a transaction, as a busy import would write. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_writes && error == NULL; i++)
    {
      g_autoptr(CareFields) fields = care_fields_new ();
      char value[32], when[32];

      if (i % 1000 == 0)
        care_db_begin (with, NULL);
      g_snprintf (value, sizeof value, "%u", 110 + i % 60);
      g_snprintf (when, sizeof when, "2026-%02u-%02uT09:00:00Z", 1 + i % 12, 1 + i % 28);
      care_fields_set (fields, "patient_id", patient);
      care_fields_set (fields, "loinc", "8480-6");
      care_fields_set (fields, "display", "Systolic blood pressure");
      care_fields_set (fields, "value_num", value);
      care_fields_set (fields, "unit", "mm[Hg]");
      care_fields_set (fields, "effective_at", when);
      care_db_put (with, ACTOR, "observations", NULL, fields, NULL, &error);
      if (i % 1000 == 999 || i == n_writes - 1)
        care_db_commit (with, NULL);
    }
  with_s = seconds_since (start);
  if (error != NULL)
    {
      fprintf (stderr, "caremeshctl bench: %s\n", error->message);
      return 1;
    }

  {
    g_autoptr(CareDb) plain_db = care_db_open (without_path, &error);
    g_autoptr(CareFields) fields = care_fields_new ();
    sqlite3 *raw;
    sqlite3_stmt *stmt;

    /* The same patient, for the references. */
    care_fields_set (fields, "given_name", "Bench");
    care_fields_set (fields, "family_name", "Patient");
    care_fields_set (fields, "birth_date", "1950-01-01");
    care_fields_set (fields, "mrn", "9999999");
    care_db_put (plain_db, ACTOR, "patients", patient, fields, NULL, NULL);
    g_clear_pointer (&plain_db, care_db_close);
    sqlite3_open (without_path, &raw);
    /* Without change recording, but with the same checks: the referenced patient
     * must exist (SQLite's foreign keys do what the store checks). */
    sqlite3_exec (raw, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                       "PRAGMA wal_autocheckpoint = 20000; PRAGMA journal_size_limit = 67108864; "
                       "PRAGMA cache_size = -16384", NULL, NULL, NULL);
    sqlite3_prepare_v2 (raw, "INSERT INTO observations (id, created_at, updated_at, device_id, patient_id, loinc, display, "
                             "value_num, unit, effective_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
    start = g_get_monotonic_time ();
    for (guint i = 0; i < n_writes; i++)
      {
        g_autofree char *id = g_uuid_string_random ();
        char value[32], when[32];

        if (i % 1000 == 0)
          sqlite3_exec (raw, "BEGIN", NULL, NULL, NULL);
        g_snprintf (value, sizeof value, "%u", 110 + i % 60);
        g_snprintf (when, sizeof when, "2026-%02u-%02uT09:00:00Z", 1 + i % 12, 1 + i % 28);
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, g_get_real_time () / 1000);
        sqlite3_bind_int64 (stmt, 3, g_get_real_time () / 1000);
        sqlite3_bind_text (stmt, 4, "00000000-0000-4000-8000-000000000000", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 5, patient, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 6, "8480-6", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 7, "Systolic blood pressure", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 8, value, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 9, "mm[Hg]", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 10, when, -1, SQLITE_STATIC);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          g_error ("plain insert failed: %s", sqlite3_errmsg (raw));
        sqlite3_reset (stmt);
        if (i % 1000 == 999 || i == n_writes - 1)
          sqlite3_exec (raw, "COMMIT", NULL, NULL, NULL);
      }
    without_s = seconds_since (start);
    sqlite3_finalize (stmt);
    sqlite3_close (raw);
  }

  printf ("local_write_rate %.0f writes/s\n", n_writes / with_s);
  printf ("local_write_overhead %.2f x\n", with_s / without_s);

  return 0;
}
