/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-worklist"

#include "config.h"

#include <json-glib/json-glib.h>

#include "care-db-private.h"
#include "care-text.h"
#include "care-worklist.h"

/*
 * Worklists: the open tasks and referrals of one person ("My work") or of
 * everyone (the care coordinator's view), quick at 100,000 patients.
 *
 * The order, overdue first and then by due date, is simply the due date
 * ascending with no date last. Each arm of the compound queries below reads one
 * (assignee, status) or (status) range of an index that ends in due_date
 * (care_tasks_assignee, care_tasks_open, referrals_open), so every arm already
 * comes in that order; SQLite merges the arms (MERGE (UNION ALL)) and stops after
 * the page asked for, without sorting. Ties fall to the row number, which every
 * index carries last. The filters (discipline, clinic, words) only test the rows
 * the arms read. tests/test-worklist.c checks the plans.
 *
 * Parameters: ?1 assignee, ?2 discipline, ?3 clinic, ?4 folded words (a JSON
 * array), ?5 include referrals, ?6 limit, ?7 offset, ?8 today.
 */

#define TASK_FROM \
  " FROM care_tasks t CROSS JOIN patients p ON p.id = t.patient_id" \
  " LEFT JOIN practitioners a ON a.id = t.assignee_id"

#define TASK_FILTER \
  " AND t.retired = 0 AND p.retired = 0" \
  " AND (?2 IS NULL OR coalesce(t.discipline, (SELECT x.discipline FROM practitioners x" \
  "                                           WHERE x.id = t.assignee_id)) = ?2)" \
  " AND (?3 IS NULL OR p.primary_organization_id = ?3)" \
  " AND (?4 IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(?4) w WHERE" \
  "   instr(care_fold(t.description) || ' ' || p.sort_key || ' ' || care_fold(p.mrn), w.value) = 0))"

#define REFERRAL_FROM \
  " FROM referrals r CROSS JOIN patients p ON p.id = r.patient_id" \
  " LEFT JOIN practitioners a ON a.id = r.requester_id"

/* Referrals belong to no discipline: a discipline filter leaves them out. */
#define REFERRAL_FILTER \
  " AND ?5 AND ?2 IS NULL AND r.retired = 0 AND p.retired = 0" \
  " AND (?3 IS NULL OR p.primary_organization_id = ?3)" \
  " AND (?4 IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(?4) w WHERE" \
  "   instr(care_fold(r.to_service || ' ' || coalesce(r.reason, '')) || ' ' || p.sort_key || ' ' ||" \
  "         care_fold(p.mrn), w.value) = 0))"

#define TASK_ARM(columns, where) "SELECT " columns TASK_FROM " WHERE " where TASK_FILTER
#define REFERRAL_ARM(columns, where) "SELECT " columns REFERRAL_FROM " WHERE " where REFERRAL_FILTER

#define REFERRAL_ARMS(columns, where) \
  " UNION ALL " REFERRAL_ARM (columns, "r.status = 'draft'" where) \
  " UNION ALL " REFERRAL_ARM (columns, "r.status = 'active'" where) \
  " UNION ALL " REFERRAL_ARM (columns, "r.status = 'on-hold'" where)

/* Everyone's work: care_tasks_open (status, due_date), referrals_open (status, due_date). */
#define ALL_ARMS(task_columns, referral_columns) \
  TASK_ARM (task_columns, "t.status = 'requested'") \
  " UNION ALL " TASK_ARM (task_columns, "t.status = 'in-progress'") \
  REFERRAL_ARMS (referral_columns, "")

/* One person's work: care_tasks_assignee (assignee_id, status, due_date), for
 * their own tasks and for their discipline's queue (assignee_id IS NULL); the
 * referrals they requested. */
#define QUEUE " AND t.discipline = (SELECT discipline FROM practitioners WHERE id = ?1)"
#define MINE_ARMS(task_columns, referral_columns) \
  TASK_ARM (task_columns, "t.assignee_id = ?1 AND t.status = 'requested'") \
  " UNION ALL " TASK_ARM (task_columns, "t.assignee_id = ?1 AND t.status = 'in-progress'") \
  " UNION ALL " TASK_ARM (task_columns, "t.assignee_id IS NULL AND t.status = 'requested'" QUEUE) \
  " UNION ALL " TASK_ARM (task_columns, "t.assignee_id IS NULL AND t.status = 'in-progress'" QUEUE) \
  REFERRAL_ARMS (referral_columns, " AND r.requester_id = ?1")

#define PAGE_TASK \
  "0, t.seq, t.due_date, t.id, t.patient_id, p.family_name, p.given_name, p.mrn, t.description," \
  " a.given_name, a.family_name, coalesce(t.discipline, a.discipline), t.status, t.priority"
#define PAGE_REFERRAL \
  "1, r.seq, r.due_date, r.id, r.patient_id, p.family_name, p.given_name, p.mrn, r.to_service," \
  " a.given_name, a.family_name, NULL, r.status, r.urgency"
#define PAGE_ORDER " ORDER BY 3 NULLS LAST, 2, 1 LIMIT ?6 OFFSET ?7"

#define COUNT(arms) \
  "SELECT count(*), count(CASE WHEN d < ?8 THEN 1 END) FROM (" arms ")"

#define GROUP_TASK \
  "coalesce(t.discipline, a.discipline) AS disc, p.primary_organization_id AS org, t.due_date AS d"
#define GROUP_REFERRAL "NULL, p.primary_organization_id, r.due_date"
#define GROUP(arms) \
  "SELECT w.disc, w.org, o.name, count(*), count(CASE WHEN w.d < ?8 THEN 1 END)" \
  " FROM (" arms ") w LEFT JOIN organizations o ON o.id = w.org" \
  " GROUP BY w.disc, w.org ORDER BY w.disc IS NULL, w.disc, o.name IS NULL, o.name"

typedef enum
{
  SQL_PAGE,
  SQL_COUNT,
  SQL_GROUP,
  N_SQL
} SqlKind;

/* [mine][kind] */
static const char * const sql[2][N_SQL] = {
  {
    ALL_ARMS (PAGE_TASK, PAGE_REFERRAL) PAGE_ORDER,
    COUNT (ALL_ARMS ("t.due_date AS d", "r.due_date")),
    GROUP (ALL_ARMS (GROUP_TASK, GROUP_REFERRAL)),
  },
  {
    MINE_ARMS (PAGE_TASK, PAGE_REFERRAL) PAGE_ORDER,
    COUNT (MINE_ARMS ("t.due_date AS d", "r.due_date")),
    GROUP (MINE_ARMS (GROUP_TASK, GROUP_REFERRAL)),
  },
};

void
care_work_item_free (CareWorkItem *item)
{
  if (item == NULL)
    return;

  g_free (item->kind);
  g_free (item->record_id);
  g_free (item->patient_id);
  g_free (item->patient_name);
  g_free (item->mrn);
  g_free (item->title);
  g_free (item->assignee_name);
  g_free (item->discipline);
  g_free (item->due_date);
  g_free (item->status);
  g_free (item->priority);
  g_free (item);
}

CareWorkItem *
care_work_item_copy (const CareWorkItem *item)
{
  CareWorkItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = g_new0 (CareWorkItem, 1);
  copy->kind = g_strdup (item->kind);
  copy->record_id = g_strdup (item->record_id);
  copy->patient_id = g_strdup (item->patient_id);
  copy->patient_name = g_strdup (item->patient_name);
  copy->mrn = g_strdup (item->mrn);
  copy->title = g_strdup (item->title);
  copy->assignee_name = g_strdup (item->assignee_name);
  copy->discipline = g_strdup (item->discipline);
  copy->due_date = g_strdup (item->due_date);
  copy->status = g_strdup (item->status);
  copy->priority = g_strdup (item->priority);
  copy->overdue = item->overdue;

  return copy;
}

void
care_work_count_free (CareWorkCount *count)
{
  if (count == NULL)
    return;

  g_free (count->discipline);
  g_free (count->organization_id);
  g_free (count->organization_name);
  g_free (count);
}

CareWorkQuery *
care_work_query_copy (const CareWorkQuery *query)
{
  CareWorkQuery *copy;

  g_return_val_if_fail (query != NULL, NULL);

  copy = g_new0 (CareWorkQuery, 1);
  copy->assignee_id = g_strdup (query->assignee_id);
  copy->discipline = g_strdup (query->discipline);
  copy->organization_id = g_strdup (query->organization_id);
  copy->text = g_strdup (query->text);
  copy->include_referrals = query->include_referrals;
  copy->today = g_strdup (query->today);

  return copy;
}

void
care_work_query_free (CareWorkQuery *query)
{
  if (query == NULL)
    return;

  g_free ((char *) query->assignee_id);
  g_free ((char *) query->discipline);
  g_free ((char *) query->organization_id);
  g_free ((char *) query->text);
  g_free ((char *) query->today);
  g_free (query);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text ? text : ""; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/* The folded words of @text as a JSON array, or NULL when there are none. */
static char *
words_json (const char *text)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint n = 0;

  if (is_blank (text))
    return NULL;

  folded = care_text_fold (text);
  words = g_strsplit_set (folded, " \t\n\r", -1);
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      {
        json_builder_add_string_value (builder, words[i]);
        n++;
      }
  json_builder_end_array (builder);

  if (n == 0)
    return NULL;

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static gboolean
empty_to_null (const char **value)
{
  if (*value != NULL && **value == '\0')
    *value = NULL;
  return *value != NULL;
}

/* The statement of @kind for @query, with ?1–?5 and ?8 bound (the values live
 * in @words and @today until the statement is reset). */
static sqlite3_stmt *
prepare (CareDb               *db,
         const CareWorkQuery  *query,
         SqlKind               kind,
         char                **words,
         char                **today,
         GError              **error)
{
  const char *assignee = query->assignee_id;
  const char *discipline = query->discipline;
  const char *organization = query->organization_id;
  gboolean mine = empty_to_null (&assignee);
  sqlite3_stmt *stmt;

  empty_to_null (&discipline);
  empty_to_null (&organization);

  stmt = _care_db_get_statement (db, sql[mine][kind], error);
  if (stmt == NULL)
    return NULL;

  *words = words_json (query->text);
  *today = query->today != NULL ? g_strdup (query->today) : care_text_today ();

  _care_db_bind_value (stmt, 1, assignee);
  _care_db_bind_value (stmt, 2, discipline);
  _care_db_bind_value (stmt, 3, organization);
  if (*words != NULL)
    sqlite3_bind_text (stmt, 4, *words, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int (stmt, 5, query->include_referrals ? 1 : 0);
  sqlite3_bind_text (stmt, 8, *today, -1, SQLITE_STATIC);

  return stmt;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static char *
join_names (sqlite3_stmt *stmt,
            int           first,
            int           second,
            const char   *separator)
{
  const char *a = (const char *) sqlite3_column_text (stmt, first);
  const char *b = (const char *) sqlite3_column_text (stmt, second);

  if (a == NULL && b == NULL)
    return NULL;

  return g_strconcat (a ? a : "", separator, b ? b : "", NULL);
}

static gboolean
count_items (CareDb               *db,
             const CareWorkQuery  *query,
             guint                *total,
             GError              **error)
{
  g_autofree char *words = NULL;
  g_autofree char *today = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare (db, query, SQL_COUNT, &words, &today, error)))
    return FALSE;

  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    *total = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW)
    return _care_db_set_error_from_sqlite (db, rc, "counting open work", error);

  return TRUE;
}

GPtrArray *
care_db_worklist (CareDb               *db,
                  const CareWorkQuery  *query,
                  guint                 offset,
                  guint                 limit,
                  guint                *total,
                  GError              **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) care_work_item_free);
  g_autofree char *words = NULL;
  g_autofree char *today = NULL;
  sqlite3_stmt *stmt;
  gboolean one_pass;
  guint n_rows = 0;
  int rc;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* With words to find, every open item is read and tested, for the page as for
   * the count: one pass does both (a few selective words match few items). */
  one_pass = total != NULL && limit > 0 && !is_blank (query->text);

  if (total != NULL && !one_pass && !count_items (db, query, total, error))
    return NULL;

  if (limit == 0)
    return g_steal_pointer (&items);

  if (!(stmt = prepare (db, query, SQL_PAGE, &words, &today, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 6, one_pass ? -1 : (gint64) limit);
  sqlite3_bind_int64 (stmt, 7, one_pass ? 0 : (gint64) offset);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint position = n_rows++;
      const char *patient_id;
      CareWorkItem *item;

      if (one_pass && (position < offset || items->len >= limit))
        continue;

      item = g_new0 (CareWorkItem, 1);
      patient_id = (const char *) sqlite3_column_text (stmt, 4);
      item->kind = g_strdup (sqlite3_column_int (stmt, 0) == 0 ? "task" : "referral");
      item->due_date = column_dup (stmt, 2);
      item->record_id = column_dup (stmt, 3);
      /* A patient merged into another is opened as the survivor (a lookup in
       * the store's cached merge groups); the row keeps the name it was written with. */
      item->patient_id = care_db_patient_survivor (db, patient_id ? patient_id : "");
      item->patient_name = join_names (stmt, 5, 6, ", ");
      item->mrn = column_dup (stmt, 7);
      item->title = column_dup (stmt, 8);
      item->assignee_name = join_names (stmt, 9, 10, " ");
      item->discipline = column_dup (stmt, 11);
      item->status = column_dup (stmt, 12);
      item->priority = column_dup (stmt, 13);
      item->overdue = item->due_date != NULL && strcmp (item->due_date, today) < 0;
      g_ptr_array_add (items, item);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (db, rc, "reading open work", error);
      return NULL;
    }

  if (one_pass)
    *total = n_rows;

  return g_steal_pointer (&items);
}

GPtrArray *
care_db_work_counts (CareDb               *db,
                     const CareWorkQuery  *query,
                     GError              **error)
{
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func ((GDestroyNotify) care_work_count_free);
  g_autofree char *words = NULL;
  g_autofree char *today = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!(stmt = prepare (db, query, SQL_GROUP, &words, &today, error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CareWorkCount *count = g_new0 (CareWorkCount, 1);

      count->discipline = column_dup (stmt, 0);
      count->organization_id = column_dup (stmt, 1);
      count->organization_name = column_dup (stmt, 2);
      count->open = (guint) sqlite3_column_int64 (stmt, 3);
      count->overdue = (guint) sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (counts, count);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (db, rc, "counting open work", error);
      return NULL;
    }

  return g_steal_pointer (&counts);
}

char *
care_db_worklist_plan (CareDb               *db,
                       const CareWorkQuery  *query,
                       GError              **error)
{
  g_autoptr(GString) plan = g_string_new (NULL);
  gboolean mine;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (query != NULL, NULL);

  mine = query->assignee_id != NULL && *query->assignee_id != '\0';
  for (guint kind = 0; kind < N_SQL; kind++)
    {
      g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql[mine][kind], NULL);
      const char *name = kind == SQL_PAGE ? "page" : kind == SQL_COUNT ? "count" : "counts";
      sqlite3_stmt *stmt;
      int rc;

      rc = sqlite3_prepare_v2 (db->sqlite, explain, -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          _care_db_set_error_from_sqlite (db, rc, "explaining a query", error);
          return NULL;
        }
      g_string_append_printf (plan, "%s:\n", name);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_string_append_printf (plan, "  %s\n", (const char *) sqlite3_column_text (stmt, 3));
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          _care_db_set_error_from_sqlite (db, rc, "explaining a query", error);
          return NULL;
        }
    }

  return g_string_free (g_steal_pointer (&plan), FALSE);
}
