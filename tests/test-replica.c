/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-replica"

#include "config.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "care-chart.h"
#include "care-plan-checks.h"
#include "care-db.h"
#include "care-test-util.h"

#define ACTOR_A "test:nurse-a"
#define ACTOR_B "test:pharmacist-b"

static CareDb *
replica (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(GError) error = NULL;
  CareDb *db = care_db_open (path, &error);

  g_assert_no_error (error);
  return db;
}

/* Everything @from holds that @to lacks, in pages of @page changes. */
static guint
sync_one_way (CareDb *from,
              CareDb *to,
              guint   page)
{
  g_autoptr(GHashTable) vector = care_db_version_vector (to, NULL);
  g_autoptr(GError) error = NULL;
  gint64 cursor = 0;
  guint total = 0;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = care_db_changes_since (from, vector, &cursor, page, &error);
      guint n_new = 0;

      g_assert_no_error (error);
      if (batch->len == 0)
        break;
      g_assert_true (care_db_apply_changes (to, batch, &n_new, &error));
      g_assert_no_error (error);
      total += n_new;
    }

  return total;
}

static void
sync_both (CareDb *a,
           CareDb *b)
{
  sync_one_way (a, b, 7);
  sync_one_way (b, a, 7);
}

static char *
hash (CareDb *db)
{
  g_autoptr(GError) error = NULL;
  char *h = care_db_content_hash (db, &error);

  g_assert_no_error (error);
  return h;
}

static void
assert_same (CareDb *a,
             CareDb *b)
{
  g_autofree char *ha = hash (a);
  g_autofree char *hb = hash (b);

  g_assert_cmpstr (ha, ==, hb);
}

static char *
get (CareDb     *db,
     const char *table,
     const char *id,
     const char *field)
{
  g_autoptr(CareRecord) record = care_db_get (db, "test:reader", table, id, NULL);

  g_assert_nonnull (record);
  return g_strdup (care_record_get (record, field));
}

static void
put1 (CareDb     *db,
      const char *actor,
      const char *table,
      const char *id,
      const char *field,
      const char *value)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;

  care_fields_set (fields, field, value);
  g_assert_true (care_db_put (db, actor, table, id, fields, NULL, &error));
  g_assert_no_error (error);
}

/* A patient with a medication order, written on @db; returns the order id. */
static char *
seed_record (CareDb  *db,
             char   **patient_id)
{
  g_autoptr(CareFields) patient = care_fields_new ();
  g_autoptr(CareFields) order = care_fields_new ();
  g_autoptr(GError) error = NULL;
  char *order_id = NULL;

  *patient_id = care_test_add_patient (db, "Rosa", "Delgado", "1948-05-06", "7000001", "(541) 555-0199");
  care_fields_set (order, "patient_id", *patient_id);
  care_fields_set (order, "drug", "Lisinopril 10 mg tablet");
  care_fields_set (order, "dose", "10 mg");
  care_fields_set (order, "frequency", "once daily");
  care_fields_set (order, "status", "active");
  g_assert_true (care_db_put (db, ACTOR_A, "medication_orders", NULL, order, &order_id, &error));
  g_assert_no_error (error);

  return order_id;
}

static void
test_basic_and_relay (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autoptr(CareDb) c = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autofree char *dose = NULL;

  /* A's records reach C through B; A and C never meet. */
  g_assert_cmpuint (sync_one_way (a, b, 1), ==, 2);
  g_assert_cmpuint (sync_one_way (b, c, 1000), ==, 2);
  assert_same (a, c);
  dose = get (c, "medication_orders", order, "dose");
  g_assert_cmpstr (dose, ==, "10 mg");

  /* Nothing new: nothing moves. */
  g_assert_cmpuint (sync_one_way (a, c, 10), ==, 0);
  g_assert_cmpuint (sync_one_way (c, a, 10), ==, 0);

  /* The patient search index follows merged patients. */
  {
    g_autoptr(GArray) found = care_db_search_patients (c, "test:reader", "delgado", NULL);

    g_assert_cmpuint (found->len, ==, 1);
  }

  /* ...also when the program stops before it indexed them (they are indexed
   * when searched, or when the store is idle). */
  {
    CareDb *d = replica ();
    g_autofree char *path = g_strdup (care_db_get_path (d));
    g_autoptr(GArray) found = NULL;
    g_autoptr(CareDb) reopened = NULL;

    g_assert_cmpuint (sync_one_way (a, d, 1000), ==, 2);
    care_db_close (d);
    reopened = care_db_open (path, NULL);
    g_assert_nonnull (reopened);
    found = care_db_search_patients (reopened, "test:reader", "rosa delgado", NULL);
    g_assert_cmpuint (found->len, ==, 1);
    care_test_assert_integrity (path);
  }
}

static void
test_different_fields_both_survive (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autofree char *dose = NULL, *frequency = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;

  sync_both (a, b);
  put1 (a, ACTOR_A, "medication_orders", order, "dose", "20 mg");
  put1 (b, ACTOR_B, "medication_orders", order, "frequency", "twice daily");
  sync_both (a, b);

  assert_same (a, b);
  dose = get (b, "medication_orders", order, "dose");
  frequency = get (a, "medication_orders", order, "frequency");
  g_assert_cmpstr (dose, ==, "20 mg");
  g_assert_cmpstr (frequency, ==, "twice daily");
  conflicts = care_db_conflicts (a, "test:reader", NULL, FALSE, NULL);
  g_assert_cmpuint (conflicts->len, ==, 0);
}

static void
test_same_field_conflict_and_resolve (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autoptr(CareDb) c = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autoptr(GPtrArray) on_a = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dose_a = NULL, *dose_b = NULL, *resolved = NULL;
  CareRecord *conflict;

  sync_both (a, b);
  put1 (a, ACTOR_A, "medication_orders", order, "dose", "20 mg");
  put1 (b, ACTOR_B, "medication_orders", order, "dose", "5 mg");
  sync_both (a, b);

  /* One winner on both, the other value kept as a conflict on both. */
  assert_same (a, b);
  dose_a = get (a, "medication_orders", order, "dose");
  dose_b = get (b, "medication_orders", order, "dose");
  g_assert_cmpstr (dose_a, ==, dose_b);
  on_a = care_db_conflicts (a, "test:reader", patient, TRUE, NULL);
  on_b = care_db_conflicts (b, "test:reader", NULL, FALSE, NULL);
  g_assert_cmpuint (on_a->len, ==, 1);
  g_assert_cmpuint (on_b->len, ==, 1);
  conflict = g_ptr_array_index (on_a, 0);
  g_assert_cmpstr (care_record_get (conflict, "field"), ==, "dose");
  g_assert_cmpstr (care_record_get (conflict, "significant"), ==, "1");
  g_assert_cmpstr (care_record_get (conflict, "patient_id"), ==, patient);
  /* Both values, and who wrote the losing one. */
  g_assert_true ((g_str_equal (care_record_get (conflict, "value"), "20 mg") &&
                  g_str_equal (care_record_get (conflict, "winner_value"), "5 mg") &&
                  g_str_equal (care_record_get (conflict, "actor"), ACTOR_A)) ||
                 (g_str_equal (care_record_get (conflict, "value"), "5 mg") &&
                  g_str_equal (care_record_get (conflict, "winner_value"), "20 mg") &&
                  g_str_equal (care_record_get (conflict, "actor"), ACTOR_B)));

  /* A person resolves it on B; the resolution reaches A and C. */
  g_assert_true (care_db_resolve_conflict (b, ACTOR_B, "medication_orders", order, "dose", "10 mg", &error));
  g_assert_no_error (error);
  sync_both (a, b);
  sync_one_way (a, c, 3);
  assert_same (a, b);
  assert_same (a, c);
  after = care_db_conflicts (c, "test:reader", NULL, FALSE, NULL);
  g_assert_cmpuint (after->len, ==, 0);
  resolved = get (c, "medication_orders", order, "dose");
  g_assert_cmpstr (resolved, ==, "10 mg");
}

/* The value change @counter of @origin wrote to @field, as changes_since sends it. */
static char *
sent_value (CareDb     *db,
            const char *record_id,
            gint64      counter_wanted,
            const char *field)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  gint64 cursor = 0;
  guint seen = 0;

  all = care_db_changes_since (db, NULL, &cursor, 100000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      CareChange *change = g_ptr_array_index (all, i);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *entry;

      if (!g_str_equal (change->record_id, record_id) || ++seen != counter_wanted)
        continue;
      /* The wire form: every field carries its value. */
      g_assert_null (strstr (change->fields, ":{}"));
      node = json_from_string (change->fields, &error);
      g_assert_no_error (error);
      entry = json_object_get_object_member (json_node_get_object (node), field);
      g_assert_nonnull (entry);
      return g_strdup (json_object_get_string_member (entry, "v"));
    }
  g_assert_not_reached ();
}

static void
test_replaced_values_still_sent (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autoptr(CareDb) c = replica ();
  g_autoptr(CareDb) d = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autofree char *first = NULL, *relayed = NULL, *second = NULL, *lost = NULL;

  /* The first change of the order wrote "10 mg"; then the dose changes here and,
   * concurrently, on B. A record's first values live in its row while they hold:
   * replacing them must not change what the first change says. */
  sync_both (a, b);
  put1 (a, ACTOR_A, "medication_orders", order, "dose", "20 mg");
  put1 (b, ACTOR_B, "medication_orders", order, "dose", "5 mg");
  put1 (a, ACTOR_A, "medication_orders", order, "frequency", "twice daily");
  sync_both (a, b);

  first = sent_value (a, order, 1, "dose");
  g_assert_cmpstr (first, ==, "10 mg");
  relayed = sent_value (b, order, 1, "dose");
  g_assert_cmpstr (relayed, ==, "10 mg");
  second = sent_value (b, order, 1, "frequency");
  g_assert_cmpstr (second, ==, "once daily");

  /* A replica that gets only the first change (a transfer cut short) shows the
   * first values, not later ones. */
  {
    g_autoptr(GPtrArray) all = care_db_changes_since (b, NULL, &(gint64) { 0 }, 100000, NULL);
    g_autoptr(GPtrArray) only_first = g_ptr_array_new ();

    for (guint i = 0; i < all->len; i++)
      {
        CareChange *change = g_ptr_array_index (all, i);

        g_ptr_array_add (only_first, change);
        if (g_str_equal (change->record_id, order))
          break;
      }
    g_assert_true (care_db_apply_changes (c, only_first, NULL, NULL));
    lost = get (c, "medication_orders", order, "dose");
    g_assert_cmpstr (lost, ==, "10 mg");
  }

  /* And everything converges from there, and from scratch. */
  sync_both (b, c);
  sync_one_way (c, d, 5);
  assert_same (a, b);
  assert_same (b, c);
  assert_same (c, d);
}

static void
test_non_significant_conflict_kept (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) review = NULL;

  sync_both (a, b);
  put1 (a, ACTOR_A, "patients", patient, "phone", "(541) 555-0101");
  put1 (b, ACTOR_B, "patients", patient, "phone", "(541) 555-0102");
  sync_both (a, b);
  assert_same (a, b);

  all = care_db_conflicts (a, "test:reader", patient, FALSE, NULL);
  review = care_db_conflicts (a, "test:reader", patient, TRUE, NULL);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpuint (review->len, ==, 0);
}

static void
test_retire_against_edit (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autofree char *retired = NULL, *dose = NULL;
  g_autoptr(GPtrArray) flags = NULL;
  g_autoptr(GError) error = NULL;

  sync_both (a, b);
  g_assert_true (care_db_retire (a, ACTOR_A, "medication_orders", order, &error));
  put1 (b, ACTOR_B, "medication_orders", order, "dose", "40 mg");
  sync_both (a, b);
  assert_same (a, b);

  /* Still retired, the edit kept, and flagged for review. */
  retired = get (b, "medication_orders", order, "retired");
  dose = get (a, "medication_orders", order, "dose");
  g_assert_cmpstr (retired, ==, "1");
  g_assert_cmpstr (dose, ==, "40 mg");
  flags = care_db_conflicts (a, "test:reader", patient, TRUE, NULL);
  g_assert_cmpuint (flags->len, ==, 1);
  g_assert_cmpstr (care_record_get (g_ptr_array_index (flags, 0), "kind"), ==, "retired-edit");

  /* Reviewing it (confirming retired) clears the flag everywhere. */
  g_assert_true (care_db_resolve_conflict (b, ACTOR_B, "medication_orders", order, "retired", "1", &error));
  g_assert_no_error (error);
  sync_both (a, b);
  assert_same (a, b);
  g_clear_pointer (&flags, g_ptr_array_unref);
  flags = care_db_conflicts (a, "test:reader", NULL, FALSE, NULL);
  g_assert_cmpuint (flags->len, ==, 0);

  /* Rows are never removed. */
  g_assert_cmpint (care_db_count (a, "medication_orders", NULL), ==, 1);
}

static void
test_idempotent_and_reordered (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autoptr(CareDb) c = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) reversed = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 cursor = 0;
  guint n_new;

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *dose = g_strdup_printf ("%d mg", 10 + i);

      put1 (a, ACTOR_A, "medication_orders", order, "dose", dose);
    }

  all = care_db_changes_since (a, NULL, &cursor, 1000, &error);
  g_assert_cmpuint (all->len, ==, 7);

  /* Twice in order to B; backwards to C. */
  g_assert_true (care_db_apply_changes (b, all, &n_new, &error));
  g_assert_cmpuint (n_new, ==, 7);
  g_assert_true (care_db_apply_changes (b, all, &n_new, &error));
  g_assert_cmpuint (n_new, ==, 0);
  for (guint i = all->len; i > 0; i--)
    g_ptr_array_add (reversed, g_ptr_array_index (all, i - 1));
  for (guint i = 0; i < reversed->len; i++)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, g_ptr_array_index (reversed, i));
      g_assert_true (care_db_apply_changes (c, one, NULL, &error));
      g_assert_no_error (error);
    }

  assert_same (a, b);
  assert_same (a, c);
  {
    g_autofree char *dose = get (c, "medication_orders", order, "dose");
    g_autoptr(GPtrArray) conflicts = care_db_conflicts (c, "test:reader", NULL, FALSE, NULL);

    g_assert_cmpstr (dose, ==, "14 mg");
    g_assert_cmpuint (conflicts->len, ==, 0);
  }

  /* Versions: C holds all of A's changes even though they came backwards. */
  {
    g_autoptr(GHashTable) vector = care_db_version_vector (c, NULL);
    gint64 *held = g_hash_table_lookup (vector, care_db_get_device_id (a));

    g_assert_nonnull (held);
    g_assert_cmpint (*held, ==, 7);
  }
}

static void
test_malformed_batch (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autofree char *before = hash (b);
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad_fields[] = {
    "not json", "[1,2]", "{}", "{\"dose\": 5}", "{\"dose\": {\"v\": \"1\", \"p\": [[\"x\", 1]]}}",
    "{\"dose\": {\"v\": \"1\"}", "{\"dose\": {\"v\": \"1\"}} trailing", "{\"dose\": {\"v\": \"unterminated}}",
    "{\"dose\": {\"v\": \"bad \\q escape\"}}", "{\"dose\": {\"v\": \"\\ud800 lone surrogate\"}}",
    "{\"dose\": {\"v\": \"nul \\u0000 inside\"}}", "{\"dose\": {\"v\": \"a\"}, \"dose\": {\"v\": \"b\"}}",
    "{\"dose\": {\"v\": \"a\", \"v\": \"b\"}}", "{\"dose\": {\"x\": \"a\"}}", "{\"dose\": {\"p\": []}}",
    "{\"dose\": {\"v\": \"a\", \"p\": [[\"6b1f6f3c-9c1e-4c53-8d1e-000000000000\", -1]]}}",
    "{\"dose\": {\"v\": \"a\", \"p\": [[\"6b1f6f3c-9c1e-4c53-8d1e-000000000000\", 1.5]]}}",
    "{\"dose\": {\"v\": \"a\", \"p\": [[\"6b1f6f3c-9c1e-4c53-8d1e-000000000000\", 1],]}}",
    "{\"dose\": {\"v\": \"a\",}}", "{,}", "{\"\": {\"v\": \"a\"}}", "{\"dose\": {\"v\": \"\xff\xfe\"}}",
  };
  gint64 cursor = 0;

  batch = care_db_changes_since (a, NULL, &cursor, 100, &error);
  for (guint i = 0; i < G_N_ELEMENTS (bad_fields); i++)
    {
      CareChange *last = g_ptr_array_index (batch, batch->len - 1);
      char *saved = last->fields;

      last->fields = (char *) bad_fields[i];
      g_assert_false (care_db_apply_changes (b, batch, NULL, &error));
      g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID);
      g_clear_error (&error);
      last->fields = saved;
    }

  /* A well-formed change with every kind of escape goes through, value intact. */
  {
    g_autoptr(CareDb) c = replica ();
    CareChange *last = g_ptr_array_index (batch, batch->len - 1);
    char *saved = last->fields;
    g_autofree char *dose = NULL;

    last->fields = (char *) "{ \"dose\" : { \"v\" : \"5 mg \\\"\\u00e9\\ud83d\\ude00\\n\\/\" } }";
    g_assert_true (care_db_apply_changes (c, batch, NULL, &error));
    g_assert_no_error (error);
    last->fields = saved;
    dose = get (c, "medication_orders", order, "dose");
    g_assert_cmpstr (dose, ==, "5 mg \"\u00e9\U0001F600\n/");
  }

  /* All or nothing: the good change before the bad one was not applied either. */
  after = hash (b);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (care_db_count (b, "patients", NULL), ==, 0);
}

/* Clocks */

static void
test_clock_restart_and_backwards (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (db, &patient);
  gint64 before;

  before = care_db_get_hlc (db);
  g_clear_pointer (&db, care_db_close);

  /* A laptop whose battery died wakes up in 2000. */
  db = care_db_open (path, NULL);
  g_assert_cmpint (care_db_get_hlc (db), ==, before);
  care_db_set_clock_override (db, (gint64) 946684800000);  /* 2000-01-01 */
  put1 (db, ACTOR_A, "medication_orders", order, "dose", "15 mg");
  g_assert_cmpint (care_db_get_hlc (db), >, before);
}

static void
test_seeing_wins (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = seed_record (a, &patient);
  g_autofree char *dose = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;

  /* A's clock runs 5 minutes ahead (within bounds); B edits after seeing A's value. */
  care_db_set_clock_override (a, g_get_real_time () / 1000 + 5 * 60 * 1000);
  put1 (a, ACTOR_A, "medication_orders", order, "dose", "20 mg");
  sync_both (a, b);
  put1 (b, ACTOR_B, "medication_orders", order, "dose", "25 mg");
  sync_both (a, b);

  dose = get (a, "medication_orders", order, "dose");
  g_assert_cmpstr (dose, ==, "25 mg");
  conflicts = care_db_conflicts (a, "test:reader", NULL, FALSE, NULL);
  g_assert_cmpuint (conflicts->len, ==, 0);
}

static void
test_peer_far_ahead (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient = NULL;
  g_autofree char *order = NULL;
  g_autofree char *before = hash (b);
  g_autofree char *after = NULL;
  g_autoptr(GHashTable) vector = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  gint64 hlc_before = care_db_get_hlc (b);
  gint64 cursor = 0;

  /* A's clock is three days ahead. */
  care_db_set_clock_override (a, g_get_real_time () / 1000 + 3 * 24 * 3600 * (gint64) 1000);
  order = seed_record (a, &patient);

  vector = care_db_version_vector (b, NULL);
  batch = care_db_changes_since (a, vector, &cursor, 100, NULL);
  g_assert_false (care_db_apply_changes (b, batch, NULL, &error));
  g_assert_error (error, CARE_DB_ERROR, CARE_DB_ERROR_CLOCK);
  /* The message names the machine whose clock is wrong. */
  g_assert_nonnull (strstr (error->message, care_db_get_device_id (a)));

  /* Nothing applied, our clock not dragged ahead, and A still holds its changes. */
  after = hash (b);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (care_db_get_hlc (b), ==, hlc_before);
  g_assert_cmpint (care_db_count_changes (a, NULL), ==, 2);

  /* Once A's clock is right, its changes go through; later edits win as they should. */
  care_db_set_clock_override (a, 0);
  put1 (a, ACTOR_A, "medication_orders", order, "dose", "30 mg");
  g_clear_error (&error);
  care_db_set_max_clock_ahead (b, (gint64) 4 * 24 * 3600 * 1000);
  sync_one_way (a, b, 100);
  assert_same (a, b);
}

/* A newer peer's field */

static void
test_newer_field_parked (void)
{
  g_autofree char *old_path = care_test_temp_db ();
  g_autoptr(CareDb) newer = replica ();
  /* Schema 3 added patients.preferred_name. */
  g_autoptr(CareDb) older = care_db_open_at_version (old_path, 2, NULL);
  g_autofree char *patient = care_test_add_patient (newer, "Guadalupe", "Ortega", "1961-02-03", "7000002", NULL);
  g_autofree char *preferred = NULL;

  g_assert_nonnull (older);
  put1 (newer, ACTOR_A, "patients", patient, "preferred_name", "Lupe");
  sync_one_way (newer, older, 100);

  /* The older replica keeps the change and shows the rest of the record. */
  {
    g_autofree char *family = get (older, "patients", patient, "family_name");

    g_assert_cmpstr (family, ==, "Ortega");
  }

  /* After it upgrades, the kept field is there. */
  g_clear_pointer (&older, care_db_close);
  older = care_db_open (old_path, NULL);
  g_assert_nonnull (older);
  preferred = get (older, "patients", patient, "preferred_name");
  g_assert_cmpstr (preferred, ==, "Lupe");
  assert_same (newer, older);
}

static void
test_migration_records_existing_rows (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) v1 = care_db_open_at_version (path, 1, NULL);
  g_autoptr(CareDb) other = replica ();
  g_autoptr(CareFields) fields = care_fields_new ();

  /* Rows written before replication existed get their first change on upgrade. */
  g_assert_true (care_db_exec (v1, "INSERT INTO organizations (id, created_at, updated_at, device_id, name) "
                                   "VALUES ('2b1c0a6e-0000-4000-8000-000000000001', 0, 0, 'x', 'Brownsville Clinic')", NULL));
  g_clear_pointer (&v1, care_db_close);
  v1 = care_db_open (path, NULL);
  g_assert_cmpint (care_db_count_changes (v1, NULL), ==, 1);
  sync_one_way (v1, other, 10);
  assert_same (v1, other);
}

/* Another program writes the same file (a command-line tool while the app runs):
 * each connection notices, and neither reuses a change number nor misses one. */
static void
test_two_connections_one_file (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) app = care_db_open (path, NULL);
  g_autoptr(CareDb) tool = care_db_open (path, NULL);
  g_autoptr(CareDb) peer = replica ();
  g_autofree char *patient = NULL, *other = NULL, *third = NULL;

  patient = care_test_add_patient (app, "Rosa", "Delgado", "1948-05-06", "7000001", NULL);
  other = care_test_add_patient (tool, "Luz", "Mamani", "1950-01-01", "7000002", NULL);
  third = care_test_add_patient (app, "Eva", "Choque", "1952-02-02", "7000003", NULL);

  /* The peer gets all three, and sends back nothing twice. */
  g_assert_cmpuint (sync_one_way (app, peer, 2), ==, 3);
  g_assert_cmpuint (sync_one_way (peer, tool, 2), ==, 0);
  g_assert_cmpuint (sync_one_way (peer, app, 2), ==, 0);
  put1 (peer, ACTOR_B, "patients", other, "phone", "(541) 555-0100");
  g_assert_cmpuint (sync_one_way (peer, tool, 2), ==, 1);
  g_assert_cmpuint (sync_one_way (peer, app, 2), ==, 0);
  assert_same (app, peer);
  g_assert_cmpint (care_db_count_changes (app, NULL), ==, 4);
}

/* "Changed since you last looked": what arrives from another machine after a user
 * opened the patient is listed, by whom and whether it was made here; the
 * chart loads every section of the patient. */
static void
test_changed_since_last_looked (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *patient_id = NULL;
  g_autofree char *order_id = seed_record (a, &patient_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) activity = NULL;
  g_autoptr(CareChart) chart = NULL;
  g_autoptr(GHashTable) ids = NULL;
  CareActivity *item;
  gint64 mark;

  sync_both (a, b);

  /* First opening on A: nothing to compare with. */
  mark = care_db_mark_patient_viewed (a, ACTOR_A, patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mark, ==, -1);

  /* B changes the dose and adds an observation; A receives them. */
  put1 (b, ACTOR_B, "medication_orders", order_id, "dose", "20 mg");
  {
    g_autoptr(CareFields) fields = care_fields_new ();

    care_fields_set (fields, "patient_id", patient_id);
    care_fields_set (fields, "loinc", "4548-4");
    care_fields_set (fields, "display", "Hemoglobin A1c");
    care_fields_set (fields, "value_num", "7.9");
    care_fields_set (fields, "unit", "%");
    care_fields_set (fields, "effective_at", "2026-05-02");
    g_assert_true (care_db_put (b, ACTOR_B, "observations", NULL, fields, NULL, &error));
    g_assert_no_error (error);
  }
  sync_both (a, b);

  chart = care_chart_load (a, ACTOR_A, patient_id, "2026-06-01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chart->medications->len, ==, 1);
  g_assert_cmpuint (chart->observations->len, ==, 1);
  g_assert_cmpstr (care_record_get (g_ptr_array_index (chart->medications, 0), "dose"), ==, "20 mg");
  ids = care_chart_record_ids (chart);

  /* The second opening returns the first's mark; both changes are newer. */
  mark = care_db_mark_patient_viewed (a, ACTOR_A, patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mark, >, 0);
  activity = care_db_patient_activity (a, mark, ids, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (activity->len, ==, 2);
  item = g_ptr_array_index (activity, 0);   /* newest first */
  g_assert_cmpstr (item->table, ==, "observations");
  g_assert_true (item->added);
  g_assert_false (item->this_device);
  g_assert_cmpstr (item->actor, ==, ACTOR_B);
  item = g_ptr_array_index (activity, 1);
  g_assert_cmpstr (item->record_id, ==, order_id);
  g_assert_false (item->added);
  g_assert_true (g_strv_contains ((const char * const *) item->fields, "dose"));

  /* A third opening: nothing new since the second. */
  mark = care_db_mark_patient_viewed (a, ACTOR_A, patient_id, &error);
  g_clear_pointer (&activity, g_ptr_array_unref);
  activity = care_db_patient_activity (a, mark, ids, 0, &error);
  g_assert_cmpuint (activity->len, ==, 0);

  /* Another user's mark is their own. */
  g_assert_cmpint (care_db_mark_patient_viewed (a, "test:someone-else", patient_id, &error), ==, -1);
}

/* A shared care plan edited on two machines at once (issue 6 §6): a goal's
 * target changed on A and a task added on B both survive; A and B reassigning
 * the same task leave one assignee and a conflict for a person; messages
 * written on both are all kept; revising the plan on both leaves two active
 * versions, which the plan flags. */
static void
test_care_plan_concurrent_edits (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *patient = care_test_add_patient (a, "Rosa", "Delgado", "1948-05-06", "7000002", NULL);
  g_autofree char *nurse = NULL, *pharmacist = NULL, *worker = NULL;
  g_autofree char *plan = NULL, *goal = NULL, *task = NULL, *target = NULL, *assignee = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) plans = NULL;
  guint n_active = 0;

  /* Three team members, a plan with a goal and a task, on A; B gets it all. */
  {
    const char *names[][3] = { { "Grace", "Pena", "nurse" }, { "Priya", "Raman", "pharmacist" }, { "Maya", "Rosenthal", "social-worker" } };
    char **out[] = { &nurse, &pharmacist, &worker };

    for (guint i = 0; i < 3; i++)
      {
        care_fields_clear (fields);
        care_fields_set (fields, "given_name", names[i][0]);
        care_fields_set (fields, "family_name", names[i][1]);
        care_fields_set (fields, "discipline", names[i][2]);
        g_assert_true (care_db_put (a, ACTOR_A, "practitioners", NULL, fields, out[i], &error));
        g_assert_no_error (error);
      }
  }
  care_fields_clear (fields);
  care_fields_set (fields, "patient_id", patient);
  care_fields_set (fields, "title", "Diabetes and heart failure");
  g_assert_true (care_db_put (a, ACTOR_A, "care_plans", NULL, fields, &plan, &error));
  care_fields_clear (fields);
  care_fields_set (fields, "patient_id", patient);
  care_fields_set (fields, "care_plan_id", plan);
  care_fields_set (fields, "description", "HbA1c below 8 %");
  care_fields_set (fields, "measure_loinc", "4548-4");
  care_fields_set (fields, "target_high", "8");
  g_assert_true (care_db_put (a, ACTOR_A, "goals", NULL, fields, &goal, &error));
  care_fields_clear (fields);
  care_fields_set (fields, "patient_id", patient);
  care_fields_set (fields, "care_plan_id", plan);
  care_fields_set (fields, "description", "Review medications after discharge");
  care_fields_set (fields, "assignee_id", nurse);
  g_assert_true (care_db_put (a, ACTOR_A, "care_tasks", NULL, fields, &task, &error));
  g_assert_no_error (error);
  sync_both (a, b);

  /* Apart: A tightens the goal and reassigns the task to the pharmacist; B adds
   * a task and reassigns the same task to the social worker; both write. */
  put1 (a, ACTOR_A, "goals", goal, "target_high", "7.5");
  put1 (a, ACTOR_A, "care_tasks", task, "assignee_id", pharmacist);
  put1 (b, ACTOR_B, "care_tasks", task, "assignee_id", worker);
  care_fields_clear (fields);
  care_fields_set (fields, "patient_id", patient);
  care_fields_set (fields, "care_plan_id", plan);
  care_fields_set (fields, "description", "Arrange transport to cardiology");
  care_fields_set (fields, "discipline", "social-worker");
  g_assert_true (care_db_put (b, ACTOR_B, "care_tasks", NULL, fields, NULL, &error));
  for (guint i = 0; i < 2; i++)
    {
      care_fields_clear (fields);
      care_fields_set (fields, "patient_id", patient);
      care_fields_set (fields, "care_plan_id", plan);
      care_fields_set (fields, "kind", "message");
      care_fields_set (fields, "body", i == 0 ? "Bus pass arranged @Maya" : "Weight up 2 kg, calling today");
      care_fields_set (fields, "written_at", "2026-06-01T10:00:00Z");
      g_assert_true (care_db_put (i == 0 ? a : b, i == 0 ? ACTOR_A : ACTOR_B, "notes", NULL, fields, NULL, &error));
    }
  g_assert_no_error (error);
  sync_both (a, b);
  assert_same (a, b);

  /* The target change and the new task both survive. */
  target = get (b, "goals", goal, "target_high");
  g_assert_cmpfloat (g_ascii_strtod (target, NULL), ==, 7.5);
  tasks = care_db_list (a, "test:reader", "care_tasks", patient, NULL, &error);
  g_assert_cmpuint (tasks->len, ==, 2);
  notes = care_db_list (a, "test:reader", "notes", patient, NULL, &error);
  g_assert_cmpuint (notes->len, ==, 2);

  /* The reassignment: one winner, the other kept as a conflict for review. */
  assignee = get (a, "care_tasks", task, "assignee_id");
  g_assert_true (g_str_equal (assignee, pharmacist) || g_str_equal (assignee, worker));
  conflicts = care_db_conflicts (a, "test:reader", patient, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  g_assert_cmpstr (care_record_get (g_ptr_array_index (conflicts, 0), "field"), ==, "assignee_id");
  g_assert_cmpstr (care_record_get (g_ptr_array_index (conflicts, 0), "value"), ==,
                   g_str_equal (assignee, pharmacist) ? worker : pharmacist);

  /* A mention written on A reaches the person's notifications on B. */
  {
    g_autofree char *note = NULL;
    g_autoptr(GPtrArray) on_b = NULL;
    guint unread = 0;

    care_fields_clear (fields);
    care_fields_set (fields, "patient_id", patient);
    care_fields_set (fields, "care_plan_id", plan);
    care_fields_set (fields, "kind", "message");
    care_fields_set (fields, "body", "@Priya Raman please reconcile the discharge medications");
    care_fields_set (fields, "written_at", "2026-06-01T11:00:00Z");
    care_fields_set (fields, "author_id", nurse);
    g_assert_true (care_db_put (a, ACTOR_A, "notes", NULL, fields, &note, &error));
    care_fields_clear (fields);
    care_fields_set (fields, "practitioner_id", pharmacist);
    care_fields_set (fields, "patient_id", patient);
    care_fields_set (fields, "note_id", note);
    care_fields_set (fields, "kind", "mention");
    care_fields_set (fields, "sent_at", "2026-06-01T11:00:00Z");
    g_assert_true (care_db_put (a, ACTOR_A, "notifications", NULL, fields, NULL, &error));
    g_assert_no_error (error);
    sync_both (a, b);
    on_b = care_db_notifications (b, pharmacist, 0, &unread, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (unread, ==, 1);
    g_assert_cmpuint (on_b->len, ==, 1);
    g_assert_cmpstr (((CareNotification *) g_ptr_array_index (on_b, 0))->author_name, ==, "Grace Pena");
    g_assert_nonnull (strstr (((CareNotification *) g_ptr_array_index (on_b, 0))->body, "reconcile"));
  }

  /* Both revise the plan apart: two active versions after the sync. */
  for (guint i = 0; i < 2; i++)
    {
      CareDb *db = i == 0 ? a : b;

      care_fields_clear (fields);
      care_fields_set (fields, "patient_id", patient);
      care_fields_set (fields, "title", "Diabetes and heart failure");
      care_fields_set (fields, "replaces_id", plan);
      g_assert_true (care_db_put (db, i == 0 ? ACTOR_A : ACTOR_B, "care_plans", NULL, fields, NULL, &error));
      put1 (db, i == 0 ? ACTOR_A : ACTOR_B, "care_plans", plan, "status", "completed");
    }
  sync_both (a, b);
  assert_same (a, b);
  plans = care_db_list (b, "test:reader", "care_plans", patient, NULL, &error);
  for (guint i = 0; i < plans->len; i++)
    n_active += g_strcmp0 (care_record_get (g_ptr_array_index (plans, i), "status"), "active") == 0;
  g_assert_cmpuint (n_active, ==, 2);
  {
    g_autoptr(CareChart) chart = care_chart_load (b, "test:reader", patient, "2026-06-01", &error);
    g_autoptr(GPtrArray) flagged = care_plan_conflicts (chart, &error);
    gboolean two_plans = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < flagged->len; i++)
      two_plans |= g_str_equal (((CarePlanConflict *) g_ptr_array_index (flagged, i))->kind, "two-active-plans");
    g_assert_true (two_plans);
  }
  (void) ids;
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/replica/basic-and-relay", test_basic_and_relay);
  g_test_add_func ("/replica/changed-since-last-looked", test_changed_since_last_looked);
  g_test_add_func ("/replica/care-plan-concurrent-edits", test_care_plan_concurrent_edits);
  g_test_add_func ("/replica/different-fields", test_different_fields_both_survive);
  g_test_add_func ("/replica/same-field-conflict-and-resolve", test_same_field_conflict_and_resolve);
  g_test_add_func ("/replica/replaced-values-still-sent", test_replaced_values_still_sent);
  g_test_add_func ("/replica/non-significant-conflict", test_non_significant_conflict_kept);
  g_test_add_func ("/replica/retire-against-edit", test_retire_against_edit);
  g_test_add_func ("/replica/idempotent-and-reordered", test_idempotent_and_reordered);
  g_test_add_func ("/replica/malformed-batch", test_malformed_batch);
  g_test_add_func ("/replica/clock/restart-and-backwards", test_clock_restart_and_backwards);
  g_test_add_func ("/replica/clock/seeing-wins", test_seeing_wins);
  g_test_add_func ("/replica/clock/peer-far-ahead", test_peer_far_ahead);
  g_test_add_func ("/replica/newer-field-parked", test_newer_field_parked);
  g_test_add_func ("/replica/migration-records-existing-rows", test_migration_records_existing_rows);
  g_test_add_func ("/replica/two-connections-one-file", test_two_connections_one_file);

  return g_test_run ();
}
