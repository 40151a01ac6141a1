/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-convergence"

#include "config.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "care-db.h"
#include "care-test-util.h"

/*
 * Randomised convergence: replicas in separate SQLite files make random inserts,
 * edits (often of the same field on several replicas), retires and conflict
 * resolutions, and exchange changes pairwise in random pages that are duplicated,
 * reordered and cut off then retried. At the end, after everyone has heard from
 * everyone, every replica has the same state hash, and every write a replica
 * accepted is the current value, a recorded conflict, or was replaced by a writer
 * who had seen it.
 *
 * CAREMESH_FUZZ_SEEDS (default 20), CAREMESH_FUZZ_OPS (default 10000) and
 * CAREMESH_FUZZ_FIRST_SEED (default 1) make longer runs.
 */

#define N_REPLICAS 5

typedef struct
{
  char   *table;
  char   *id;
  char   *origin;   /* device that wrote it */
  gint64  counter;  /* its change number there */
  char   *field;
} Write;

typedef struct
{
  GRand     *rand;
  CareDb    *db[N_REPLICAS];
  char      *path[N_REPLICAS];
  GPtrArray *records[N_REPLICAS];  /* "table id" each replica knows */
  GArray    *writes;               /* Write */
  guint      n_conflicts_seen;
} Fuzz;

static const struct
{
  const char *table;
  const char *fields[4];
} editable[] = {
  { "patients",          { "phone", "family_name", "preferred_language", "city" } },
  { "allergies",         { "severity", "criticality", "reaction", "clinical_status" } },
  { "medication_orders", { "dose", "frequency", "status", "route" } },
  { "conditions",        { "clinical_status", "onset_date", "display", "verification_status" } },
  { "care_tasks",        { "status", "description", "due_date", "priority" } },
};

static void
write_clear (gpointer data)
{
  Write *w = data;

  g_free (w->table);
  g_free (w->id);
  g_free (w->origin);
  g_free (w->field);
}

static void
note_writes (Fuzz       *fuzz,
             int         r,
             const char *table,
             const char *id,
             CareFields *fields)
{
  g_autoptr(GHashTable) vector = care_db_version_vector (fuzz->db[r], NULL);
  gint64 *counter = g_hash_table_lookup (vector, care_db_get_device_id (fuzz->db[r]));

  for (guint i = 0; i < care_fields_get_n (fields); i++)
    {
      Write w = {
        g_strdup (table), g_strdup (id), g_strdup (care_db_get_device_id (fuzz->db[r])), *counter,
        g_strdup (care_fields_get_column (fields, i)),
      };

      g_array_append_val (fuzz->writes, w);
    }
}

static const char *
pick_record (Fuzz       *fuzz,
             int         r,
             const char *table)
{
  GPtrArray *known = fuzz->records[r];
  g_autofree char *prefix = g_strconcat (table, " ", NULL);

  /* A few tries at random, then give up: the caller makes one instead. */
  for (int tries = 0; tries < 20 && known->len > 0; tries++)
    {
      const char *entry = g_ptr_array_index (known, g_rand_int_range (fuzz->rand, 0, known->len));

      if (g_str_has_prefix (entry, prefix))
        return entry + strlen (prefix);
    }

  return NULL;
}

static char *
random_value (Fuzz *fuzz)
{
  static const char *words[] = { "10 mg", "20 mg", "active", "completed", "severe", "mild", "hives",
                                 "García", "Núñez", "(541) 555-0100", "twice daily", "es", "en",
                                 "2026-01-15", "routine", "urgent" };

  return g_strdup (words[g_rand_int_range (fuzz->rand, 0, G_N_ELEMENTS (words))]);
}

static void
op_insert (Fuzz *fuzz,
           int   r)
{
  guint type = g_rand_int_range (fuzz->rand, 0, G_N_ELEMENTS (editable));
  const char *table = editable[type].table;
  const char *patient = pick_record (fuzz, r, "patients");
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (patient == NULL || g_str_equal (table, "patients"))
    {
      g_autofree char *mrn = g_strdup_printf ("%07d", g_rand_int_range (fuzz->rand, 1000000, 9999999));

      table = "patients";
      care_fields_set (fields, "given_name", "Test");
      care_fields_set (fields, "family_name", "Replica");
      care_fields_set (fields, "birth_date", "1970-01-01");
      care_fields_set (fields, "mrn", mrn);
    }
  else
    {
      care_fields_set (fields, "patient_id", patient);
      if (g_str_equal (table, "allergies"))
        care_fields_set (fields, "substance", "Penicillin");
      else if (g_str_equal (table, "medication_orders"))
        care_fields_set (fields, "drug", "Metformin 500 mg tablet");
      else if (g_str_equal (table, "conditions"))
        {
          care_fields_set (fields, "code_system", "http://snomed.info/sct");
          care_fields_set (fields, "code", "44054006");
          care_fields_set (fields, "display", "Type 2 diabetes mellitus");
        }
      else
        care_fields_set (fields, "description", "Call the patient");
    }

  g_assert_true (care_db_put (fuzz->db[r], "fuzz:writer", table, NULL, fields, &id, &error));
  g_assert_no_error (error);
  g_ptr_array_add (fuzz->records[r], g_strdup_printf ("%s %s", table, id));
  note_writes (fuzz, r, table, id, fields);
}

static void
op_edit (Fuzz *fuzz,
         int   r)
{
  guint type = g_rand_int_range (fuzz->rand, 0, G_N_ELEMENTS (editable));
  const char *id = pick_record (fuzz, r, editable[type].table);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  guint n = 1 + g_rand_int_range (fuzz->rand, 0, 2);

  if (id == NULL)
    return op_insert (fuzz, r);

  for (guint i = 0; i < n; i++)
    {
      g_free (value);
      value = random_value (fuzz);
      care_fields_set (fields, editable[type].fields[g_rand_int_range (fuzz->rand, 0, 4)], value);
    }

  g_assert_true (care_db_put (fuzz->db[r], "fuzz:writer", editable[type].table, id, fields, NULL, &error));
  g_assert_no_error (error);
  note_writes (fuzz, r, editable[type].table, id, fields);
}

static void
op_retire (Fuzz *fuzz,
           int   r)
{
  guint type = 1 + g_rand_int_range (fuzz->rand, 0, G_N_ELEMENTS (editable) - 1);
  const char *id = pick_record (fuzz, r, editable[type].table);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;

  if (id == NULL)
    return;

  care_fields_set (fields, "retired", g_rand_int_range (fuzz->rand, 0, 4) ? "1" : "0");
  g_assert_true (care_db_put (fuzz->db[r], "fuzz:writer", editable[type].table, id, fields, NULL, &error));
  g_assert_no_error (error);
  note_writes (fuzz, r, editable[type].table, id, fields);
}

static void
op_resolve (Fuzz *fuzz,
            int   r)
{
  g_autoptr(GPtrArray) conflicts = care_db_conflicts (fuzz->db[r], "fuzz:reviewer", NULL, FALSE, NULL);
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  CareRecord *conflict;
  const char *field;

  if (conflicts->len == 0)
    return;
  fuzz->n_conflicts_seen++;

  conflict = g_ptr_array_index (conflicts, g_rand_int_range (fuzz->rand, 0, conflicts->len));
  field = care_record_get (conflict, "field");
  if (*field == '\0')
    field = "retired";
  value = g_rand_boolean (fuzz->rand) ? g_strdup (care_record_get (conflict, "value")) : random_value (fuzz);
  if (g_str_equal (field, "retired"))
    {
      g_free (value);
      value = g_strdup ("1");
    }

  g_assert_true (care_db_resolve_conflict (fuzz->db[r], "fuzz:reviewer", care_record_get (conflict, "tbl"),
                                           care_record_get (conflict, "rid"), field, value, &error));
  g_assert_no_error (error);
  care_fields_set (fields, field, value);
  note_writes (fuzz, r, care_record_get (conflict, "tbl"), care_record_get (conflict, "rid"), fields);
}

static void
learn_records (Fuzz      *fuzz,
               int        r,
               GPtrArray *batch)
{
  for (guint i = 0; i < batch->len; i++)
    {
      CareChange *change = g_ptr_array_index (batch, i);

      /* Records first heard of in this batch can be edited here from now on. */
      if (strstr (change->fields, "\"patient_id\"") != NULL || g_str_equal (change->table, "patients"))
        g_ptr_array_add (fuzz->records[r], g_strdup_printf ("%s %s", change->table, change->record_id));
    }
}

static void
apply_or_die (Fuzz      *fuzz,
              int        to,
              GPtrArray *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (care_db_apply_changes (fuzz->db[to], batch, NULL, &error));
  g_assert_no_error (error);
  learn_records (fuzz, to, batch);
}

/* From @from to @to, in pages that are duplicated, shuffled and cut off. */
static void
exchange (Fuzz     *fuzz,
          int       from,
          int       to,
          gboolean  messy)
{
  g_autoptr(GHashTable) vector = care_db_version_vector (fuzz->db[to], NULL);
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint page_size = messy ? 1 + g_rand_int_range (fuzz->rand, 0, 40) : 500;
  gint64 cursor = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *page = care_db_changes_since (fuzz->db[from], vector, &cursor, page_size, &error);

      g_assert_no_error (error);
      if (page->len == 0)
        {
          g_ptr_array_unref (page);
          break;
        }
      g_ptr_array_add (pages, page);
    }

  if (messy)
    for (guint i = pages->len; i > 1; i--)
      {
        guint j = g_rand_int_range (fuzz->rand, 0, i);
        gpointer tmp = pages->pdata[i - 1];

        pages->pdata[i - 1] = pages->pdata[j];
        pages->pdata[j] = tmp;
      }

  for (guint i = 0; i < pages->len; i++)
    {
      GPtrArray *page = g_ptr_array_index (pages, i);
      int fate = messy ? g_rand_int_range (fuzz->rand, 0, 10) : 9;

      if (fate == 0)
        {
          /* Cut off: a prefix arrives, the rest is lost, then the page is retried. */
          g_autoptr(GPtrArray) prefix = g_ptr_array_new ();

          for (guint j = 0; j < page->len / 2; j++)
            g_ptr_array_add (prefix, g_ptr_array_index (page, j));
          apply_or_die (fuzz, to, prefix);
        }
      else if (fate == 1)
        continue;  /* lost entirely: a later exchange brings it */

      apply_or_die (fuzz, to, page);
      if (fate == 2)
        apply_or_die (fuzz, to, page);  /* duplicated */
    }
}

/* Every write is the current value, a recorded conflict, or was knowingly replaced. */
static void
check_writes_kept (Fuzz *fuzz)
{
  CareDb *db = fuzz->db[0];
  g_autoptr(GHashTable) replaced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  sqlite3 *raw;
  sqlite3_stmt *stmt;
  gint64 cursor = 0;

  all = care_db_changes_since (db, NULL, &cursor, G_MAXUINT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      CareChange *change = g_ptr_array_index (all, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *fields;
      g_autoptr(GList) names = NULL;

      g_assert_true (json_parser_load_from_data (parser, change->fields, -1, NULL));
      fields = json_node_get_object (json_parser_get_root (parser));
      names = json_object_get_members (fields);
      for (GList *l = names; l; l = l->next)
        {
          JsonObject *field = json_object_get_object_member (fields, l->data);
          JsonArray *parents = json_object_has_member (field, "p") ? json_object_get_array_member (field, "p") : NULL;

          for (guint j = 0; parents && j < json_array_get_length (parents); j++)
            {
              JsonArray *p = json_array_get_array_element (parents, j);

              g_hash_table_add (replaced, g_strdup_printf ("%s %" G_GINT64_FORMAT " %s",
                                                           json_array_get_string_element (p, 0),
                                                           json_array_get_int_element (p, 1),
                                                           (char *) l->data));
            }
        }
    }

  g_assert_cmpint (sqlite3_open_v2 (fuzz->path[0], &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_prepare_v2 (raw, "SELECT idx, uuid FROM devices", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (devices, g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < fuzz->writes->len; i++)
    {
      Write *w = &g_array_index (fuzz->writes, Write, i);
      g_autofree char *key = g_strdup_printf ("%s %" G_GINT64_FORMAT " %s", w->origin, w->counter, w->field);
      g_autofree char *sql = NULL;
      const char *idx = g_hash_table_lookup (devices, w->origin);
      gboolean current = FALSE, conflict = FALSE;

      if (g_hash_table_contains (replaced, key))
        continue;

      /* The row's clock map: the field's own entry, or the base clock ("") when the
       * field has none (the base change wrote every field it won). */
      sql = g_strdup_printf ("SELECT clocks FROM %s WHERE id = ?", w->table);
      g_assert_cmpint (sqlite3_prepare_v2 (raw, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, w->id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonObject *clocks;
          JsonArray *clock = NULL;

          g_assert_true (json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 0), -1, NULL));
          clocks = json_node_get_object (json_parser_get_root (parser));
          if (json_object_has_member (clocks, w->field))
            clock = json_object_get_array_member (clocks, w->field);
          else if (json_object_has_member (clocks, ""))
            clock = json_object_get_array_member (clocks, "");
          current = clock != NULL &&
                    json_array_get_int_element (clock, 1) == g_ascii_strtoll (idx, NULL, 10) &&
                    json_array_get_int_element (clock, 2) == w->counter;
        }
      sqlite3_finalize (stmt);

      if (!current)
        {
          sqlite3_prepare_v2 (raw, "SELECT 1 FROM conflicts WHERE tbl = ? AND rid = ? AND field = ? AND origin = ? AND counter = ?",
                              -1, &stmt, NULL);
          sqlite3_bind_text (stmt, 1, w->table, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, w->id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, w->field, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, idx, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 5, w->counter);
          conflict = sqlite3_step (stmt) == SQLITE_ROW;
          sqlite3_finalize (stmt);
        }

      if (!current && !conflict)
        g_error ("write lost: %s.%s of %s by %s #%" G_GINT64_FORMAT, w->table, w->field, w->id, w->origin, w->counter);
    }

  sqlite3_close (raw);
}

static void
run_seed (gconstpointer data)
{
  guint seed = GPOINTER_TO_UINT (data);
  const char *ops_env = g_getenv ("CAREMESH_FUZZ_OPS");
  guint n_ops = ops_env ? (guint) atoi (ops_env) : 10000;
  Fuzz fuzz = { 0 };

  g_test_message ("seed %u, %u operations (CAREMESH_FUZZ_FIRST_SEED=%u reproduces it first)", seed, n_ops, seed);

  fuzz.rand = g_rand_new_with_seed (seed);
  fuzz.writes = g_array_new (FALSE, TRUE, sizeof (Write));
  g_array_set_clear_func (fuzz.writes, write_clear);
  for (int r = 0; r < N_REPLICAS; r++)
    {
      g_autoptr(GError) error = NULL;

      fuzz.path[r] = care_test_temp_db ();
      fuzz.db[r] = care_db_open (fuzz.path[r], &error);
      g_assert_no_error (error);
      fuzz.records[r] = g_ptr_array_new_with_free_func (g_free);
      /* Fast but still real files: durability is not what this test is about. */
      care_db_exec (fuzz.db[r], "PRAGMA synchronous = OFF", NULL);
    }

  for (guint op = 0; op < n_ops; op++)
    {
      int r = g_rand_int_range (fuzz.rand, 0, N_REPLICAS);
      int kind = g_rand_int_range (fuzz.rand, 0, 100);

      /* Writes come in bursts between exchanges, so the same fields get edited
       * on several replicas before they hear of each other. */
      if (kind < 20)
        op_insert (&fuzz, r);
      else if (kind < 80)
        op_edit (&fuzz, r);
      else if (kind < 85)
        op_retire (&fuzz, r);
      else if (kind < 88)
        op_resolve (&fuzz, r);
      else
        {
          int to = (r + 1 + g_rand_int_range (fuzz.rand, 0, N_REPLICAS - 1)) % N_REPLICAS;

          exchange (&fuzz, r, to, TRUE);
        }
    }

  /* Everyone hears from everyone (a ring twice is enough). */
  for (int round = 0; round < 2; round++)
    for (int r = 0; r < N_REPLICAS; r++)
      exchange (&fuzz, r, (r + 1) % N_REPLICAS, FALSE);

  {
    g_autofree char *first = care_db_content_hash (fuzz.db[0], NULL);

    for (int r = 1; r < N_REPLICAS; r++)
      {
        g_autofree char *other = care_db_content_hash (fuzz.db[r], NULL);

        if (g_strcmp0 (first, other) != 0)
          g_error ("seed %u: replica %d differs from replica 0", seed, r);
      }
  }

  check_writes_kept (&fuzz);
  g_test_message ("seed %u: %u writes checked, conflicts seen %u times", seed, fuzz.writes->len,
                  fuzz.n_conflicts_seen);
  g_assert_cmpuint (fuzz.n_conflicts_seen, >, 0);

  for (int r = 0; r < N_REPLICAS; r++)
    {
      care_db_close (fuzz.db[r]);
      g_free (fuzz.path[r]);
      g_ptr_array_unref (fuzz.records[r]);
    }
  g_array_unref (fuzz.writes);
  g_rand_free (fuzz.rand);
}

int
main (int    argc,
      char **argv)
{
  const char *seeds_env = g_getenv ("CAREMESH_FUZZ_SEEDS");
  const char *first_env = g_getenv ("CAREMESH_FUZZ_FIRST_SEED");
  guint n_seeds = seeds_env ? (guint) atoi (seeds_env) : 20;
  guint first = first_env ? (guint) atoi (first_env) : 1;

  g_test_init (&argc, &argv, NULL);

  for (guint s = first; s < first + n_seeds; s++)
    {
      g_autofree char *path = g_strdup_printf ("/convergence/seed-%u", s);

      g_test_add_data_func (path, GUINT_TO_POINTER (s), run_seed);
    }

  return g_test_run ();
}
