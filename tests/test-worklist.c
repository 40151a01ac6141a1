/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-worklist"

#include "config.h"

#include <stdarg.h>

#include "care-db.h"
#include "care-test-util.h"
#include "care-worklist.h"

#define ACTOR "test:coordinator"
#define TODAY "2030-06-15"

typedef struct
{
  char   *path;
  CareDb *db;
  char   *alder, *birch;              /* clinics */
  char   *nurse, *nurse2, *doctor, *social;
  char   *garcia, *smith, *gone;      /* patients */
} Fixture;

/* Puts a record from NULL-terminated column, value pairs; returns its id. */
static char *
put (CareDb     *db,
     const char *table,
     ...)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  const char *column;
  char *id = NULL;
  va_list args;

  va_start (args, table);
  while ((column = va_arg (args, const char *)) != NULL)
    care_fields_set (fields, column, va_arg (args, const char *));
  va_end (args);

  g_assert_true (care_db_put (db, ACTOR, table, NULL, fields, &id, &error));
  g_assert_no_error (error);

  return id;
}

static void
set_field (CareDb     *db,
           const char *table,
           const char *id,
           const char *column,
           const char *value)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;

  care_fields_set (fields, column, value);
  g_assert_true (care_db_put (db, ACTOR, table, id, fields, NULL, &error));
  g_assert_no_error (error);
}

static void
task (Fixture    *fixture,
      const char *description,
      const char *patient,
      const char *assignee,
      const char *discipline,
      const char *due,
      const char *status,
      const char *priority)
{
  g_free (put (fixture->db, "care_tasks", "patient_id", patient, "description", description,
               "assignee_id", assignee, "discipline", discipline, "due_date", due,
               "status", status, "priority", priority, NULL));
}

static void
referral (Fixture    *fixture,
          const char *service,
          const char *patient,
          const char *requester,
          const char *due,
          const char *status)
{
  g_free (put (fixture->db, "referrals", "patient_id", patient, "to_service", service,
               "requester_id", requester, "reason", "Follow-up", "due_date", due, "status", status, NULL));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CareDb *db;

  fixture->path = care_test_temp_db ();
  fixture->db = db = care_db_open (fixture->path, &error);
  g_assert_no_error (error);

  fixture->alder = put (db, "organizations", "name", "Alder Clinic", "kind", "clinic", NULL);
  fixture->birch = put (db, "organizations", "name", "Birch Clinic", "kind", "clinic", NULL);
  fixture->nurse = put (db, "practitioners", "given_name", "Diane", "family_name", "Kowalski",
                        "discipline", "nurse", "organization_id", fixture->alder, NULL);
  fixture->nurse2 = put (db, "practitioners", "given_name", "Marcus", "family_name", "Bell",
                         "discipline", "nurse", "organization_id", fixture->birch, NULL);
  fixture->doctor = put (db, "practitioners", "given_name", "Samuel", "family_name", "Okafor",
                         "discipline", "physician", "organization_id", fixture->alder, NULL);
  fixture->social = put (db, "practitioners", "given_name", "Carlos", "family_name", "Medina",
                         "discipline", "social-worker", "organization_id", fixture->birch, NULL);

  fixture->garcia = care_test_add_patient (db, "María José", "García López", "1956-03-12", "1000123", NULL);
  fixture->smith = care_test_add_patient (db, "John", "Smith", "1971-07-30", "2000456", NULL);
  fixture->gone = care_test_add_patient (db, "Gone", "Away", "1980-01-01", "3000789", NULL);
  set_field (db, "patients", fixture->garcia, "primary_organization_id", fixture->alder);
  set_field (db, "patients", fixture->smith, "primary_organization_id", fixture->birch);
  set_field (db, "patients", fixture->gone, "primary_organization_id", fixture->birch);

  /* Open tasks. */
  task (fixture, "Diabetic foot exam", fixture->garcia, fixture->nurse, "nurse", "2030-06-01", "requested", "routine");
  task (fixture, "Teach home blood pressure monitoring", fixture->smith, fixture->nurse, "nurse", "2030-06-20",
        "in-progress", "routine");
  task (fixture, "Call after discharge", fixture->smith, fixture->nurse, "nurse", "2030-05-01", "requested", "urgent");
  /* Waiting in the nurses' queue: every nurse's work. */
  task (fixture, "Teach daily weights", fixture->garcia, NULL, "nurse", "2030-07-01", "requested", "routine");
  task (fixture, "Check inhaler technique", fixture->smith, fixture->nurse, "nurse", NULL, "requested", "routine");
  task (fixture, "Review eGFR trend", fixture->garcia, fixture->doctor, "physician", "2030-06-10", "requested", "routine");
  /* No discipline of its own: its assignee's. Due today: not yet overdue. */
  task (fixture, "Sign care plan", fixture->garcia, fixture->doctor, NULL, TODAY, "in-progress", "routine");
  task (fixture, "Screen for food needs", fixture->smith, NULL, "social-worker", "2030-06-30", "requested", "routine");
  task (fixture, "Llamar a la señora Núñez", fixture->smith, fixture->social, "social-worker", "2030-06-16",
        "requested", "routine");

  /* Closed or retired: never listed. */
  task (fixture, "Done already", fixture->garcia, fixture->nurse, "nurse", "2030-01-01", "completed", "routine");
  task (fixture, "Not needed", fixture->garcia, fixture->nurse, "nurse", "2030-01-02", "cancelled", "routine");
  {
    g_autoptr(GError) retire_error = NULL;
    g_autofree char *id = put (db, "care_tasks", "patient_id", fixture->smith, "description", "Entered by mistake",
                               "assignee_id", fixture->nurse, "discipline", "nurse", "due_date", "2030-01-03", NULL);

    g_assert_true (care_db_retire (db, ACTOR, "care_tasks", id, &retire_error));
    g_assert_no_error (retire_error);
  }
  /* The task of a retired patient. */
  task (fixture, "Task of a removed patient", fixture->gone, fixture->nurse2, "nurse", "2030-06-02", "requested", "routine");
  {
    g_autoptr(GError) retire_error = NULL;

    g_assert_true (care_db_retire (db, ACTOR, "patients", fixture->gone, &retire_error));
    g_assert_no_error (retire_error);
  }

  referral (fixture, "cardiology", fixture->garcia, fixture->doctor, "2030-06-05", "active");
  referral (fixture, "nephrology", fixture->smith, fixture->doctor, "2030-08-01", "on-hold");
  referral (fixture, "endocrinology", fixture->garcia, fixture->doctor, "2030-06-03", "completed");
  referral (fixture, "pulmonology", fixture->smith, fixture->doctor, NULL, "draft");
  referral (fixture, "physical therapy", fixture->smith, fixture->doctor, "2030-06-04", "revoked");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  care_db_close (fixture->db);
  g_free (fixture->path);
  g_free (fixture->alder);
  g_free (fixture->birch);
  g_free (fixture->nurse);
  g_free (fixture->nurse2);
  g_free (fixture->doctor);
  g_free (fixture->social);
  g_free (fixture->garcia);
  g_free (fixture->smith);
  g_free (fixture->gone);
}

/* The items' titles in order, "|" separated; overdue ones marked with "!". */
static char *
list (Fixture             *fixture,
      const CareWorkQuery *query,
      guint                offset,
      guint                limit,
      guint               *total)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = care_db_worklist (fixture->db, query, offset, limit, total, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (items);
  for (guint i = 0; i < items->len; i++)
    {
      CareWorkItem *item = g_ptr_array_index (items, i);

      g_string_append_printf (out, "%s%s%s", i ? "|" : "", item->title, item->overdue ? "!" : "");
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_list(fixture, query, expected) \
  G_STMT_START { \
    g_autofree char *found = list (fixture, query, 0, 100, NULL); \
    g_test_message ("-> %s", found); \
    g_assert_cmpstr (found, ==, expected); \
  } G_STMT_END

#define ALL_OPEN \
  "Call after discharge!|Diabetic foot exam!|cardiology!|Review eGFR trend!|Sign care plan|" \
  "Llamar a la señora Núñez|Teach home blood pressure monitoring|Screen for food needs|" \
  "Teach daily weights|nephrology|pulmonology|Check inhaler technique"

static void
test_my_work (Fixture       *fixture,
              gconstpointer  data)
{
  CareWorkQuery query = { .include_referrals = TRUE, .today = TODAY };

  /* Overdue first, oldest first; then by due date; no due date last. The
   * nurses' queue shows for every nurse; closed, retired work and the work of a
   * retired patient never. */
  query.assignee_id = fixture->nurse;
  assert_list (fixture, &query, "Call after discharge!|Diabetic foot exam!|Teach home blood pressure monitoring|"
                                "Teach daily weights|Check inhaler technique");
  query.assignee_id = fixture->nurse2;
  assert_list (fixture, &query, "Teach daily weights");

  /* A physician's own tasks (one by its assignee's discipline) and the referrals
   * they sent that are still open. */
  query.assignee_id = fixture->doctor;
  assert_list (fixture, &query, "cardiology!|Review eGFR trend!|Sign care plan|nephrology|pulmonology");
  query.include_referrals = FALSE;
  assert_list (fixture, &query, "Review eGFR trend!|Sign care plan");

  query.assignee_id = fixture->social;
  assert_list (fixture, &query, "Llamar a la señora Núñez|Screen for food needs");
}

static void
test_item_fields (Fixture       *fixture,
                  gconstpointer  data)
{
  CareWorkQuery query = { .assignee_id = fixture->nurse, .include_referrals = TRUE, .today = TODAY };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = care_db_worklist (fixture->db, &query, 0, 100, NULL, &error);
  CareWorkItem *item;

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 5);

  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->kind, ==, "task");
  g_assert_cmpstr (item->patient_id, ==, fixture->smith);
  g_assert_cmpstr (item->patient_name, ==, "Smith, John");
  g_assert_cmpstr (item->mrn, ==, "2000456");
  g_assert_cmpstr (item->assignee_name, ==, "Diane Kowalski");
  g_assert_cmpstr (item->discipline, ==, "nurse");
  g_assert_cmpstr (item->due_date, ==, "2030-05-01");
  g_assert_cmpstr (item->status, ==, "requested");
  g_assert_cmpstr (item->priority, ==, "urgent");
  g_assert_true (item->overdue);
  g_assert_nonnull (item->record_id);

  /* In the queue: no one assigned yet. */
  item = g_ptr_array_index (items, 3);
  g_assert_cmpstr (item->title, ==, "Teach daily weights");
  g_assert_null (item->assignee_name);
  g_assert_cmpstr (item->patient_name, ==, "García López, María José");
  g_assert_false (item->overdue);

  item = g_ptr_array_index (items, 4);
  g_assert_null (item->due_date);
  g_assert_false (item->overdue);

  /* A referral: its requester and urgency; no discipline. */
  query.assignee_id = fixture->doctor;
  g_clear_pointer (&items, g_ptr_array_unref);
  items = care_db_worklist (fixture->db, &query, 0, 1, NULL, &error);
  g_assert_no_error (error);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->kind, ==, "referral");
  g_assert_cmpstr (item->title, ==, "cardiology");
  g_assert_cmpstr (item->assignee_name, ==, "Samuel Okafor");
  g_assert_null (item->discipline);
  g_assert_cmpstr (item->status, ==, "active");
  g_assert_cmpstr (item->priority, ==, "routine");
}

static void
test_coordinator_filters (Fixture       *fixture,
                          gconstpointer  data)
{
  CareWorkQuery query = { .include_referrals = TRUE, .today = TODAY };

  assert_list (fixture, &query, ALL_OPEN);

  /* By discipline: a task's own, else its assignee's; referrals have none. */
  query.discipline = "nurse";
  assert_list (fixture, &query, "Call after discharge!|Diabetic foot exam!|Teach home blood pressure monitoring|"
                                "Teach daily weights|Check inhaler technique");
  query.discipline = "physician";
  assert_list (fixture, &query, "Review eGFR trend!|Sign care plan");
  query.discipline = "pharmacist";
  assert_list (fixture, &query, "");
  query.discipline = "";
  assert_list (fixture, &query, ALL_OPEN);

  /* By the patient's clinic. */
  query.discipline = NULL;
  query.organization_id = fixture->alder;
  assert_list (fixture, &query, "Diabetic foot exam!|cardiology!|Review eGFR trend!|Sign care plan|Teach daily weights");
  query.discipline = "nurse";
  assert_list (fixture, &query, "Diabetic foot exam!|Teach daily weights");
  query.organization_id = fixture->birch;
  assert_list (fixture, &query, "Call after discharge!|Teach home blood pressure monitoring|Check inhaler technique");
  query.discipline = NULL;
  query.organization_id = NULL;

  /* Without referrals. */
  query.include_referrals = FALSE;
  assert_list (fixture, &query,
               "Call after discharge!|Diabetic foot exam!|Review eGFR trend!|Sign care plan|"
               "Llamar a la señora Núñez|Teach home blood pressure monitoring|Screen for food needs|"
               "Teach daily weights|Check inhaler technique");
}

static void
test_text (Fixture       *fixture,
           gconstpointer  data)
{
  CareWorkQuery query = { .include_referrals = TRUE, .today = TODAY };

  /* Patient names, folded: "garcia" finds García. */
  query.text = "garcia";
  assert_list (fixture, &query, "Diabetic foot exam!|cardiology!|Review eGFR trend!|Sign care plan|Teach daily weights");
  query.text = "  GARCÍA   maria ";
  assert_list (fixture, &query, "Diabetic foot exam!|cardiology!|Review eGFR trend!|Sign care plan|Teach daily weights");
  /* Every word must match. */
  query.text = "garcia foot";
  assert_list (fixture, &query, "Diabetic foot exam!");
  query.text = "garcia smith";
  assert_list (fixture, &query, "");
  /* The description, folded too; a referral's service. */
  query.text = "nunez";
  assert_list (fixture, &query, "Llamar a la señora Núñez");
  query.text = "CARDIO";
  assert_list (fixture, &query, "cardiology!");
  /* The MRN. */
  query.text = "2000456";
  assert_list (fixture, &query, "Call after discharge!|Llamar a la señora Núñez|Teach home blood pressure monitoring|"
                                "Screen for food needs|nephrology|pulmonology|Check inhaler technique");
  /* With the other filters. */
  query.text = "garcia";
  query.discipline = "nurse";
  assert_list (fixture, &query, "Diabetic foot exam!|Teach daily weights");
  query.assignee_id = fixture->doctor;
  query.discipline = NULL;
  assert_list (fixture, &query, "cardiology!|Review eGFR trend!|Sign care plan");
  /* Nothing to search for: no filter. Quotes and wildcards are only text. */
  query.assignee_id = NULL;
  query.text = "   ";
  assert_list (fixture, &query, ALL_OPEN);
  query.text = "\"%_'";
  assert_list (fixture, &query, "");
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  CareWorkQuery query = { .include_referrals = TRUE, .today = TODAY };
  g_autoptr(GString) pages = g_string_new (NULL);
  guint total = 0;

  {
    g_autofree char *page = list (fixture, &query, 2, 3, &total);

    g_assert_cmpstr (page, ==, "cardiology!|Review eGFR trend!|Sign care plan");
    g_assert_cmpuint (total, ==, 12);
  }
  {
    g_autofree char *page = list (fixture, &query, 11, 5, &total);

    g_assert_cmpstr (page, ==, "Check inhaler technique");
    g_assert_cmpuint (total, ==, 12);
  }
  {
    g_autofree char *page = list (fixture, &query, 20, 5, &total);

    g_assert_cmpstr (page, ==, "");
    g_assert_cmpuint (total, ==, 12);
  }
  {
    /* Only the count. */
    g_autofree char *page = NULL;

    total = 0;
    page = list (fixture, &query, 0, 0, &total);
    g_assert_cmpstr (page, ==, "");
    g_assert_cmpuint (total, ==, 12);
  }

  /* Pages of 5 put together are the whole list, in order. */
  for (guint offset = 0; offset < 12; offset += 5)
    {
      g_autofree char *page = list (fixture, &query, offset, 5, NULL);

      g_string_append_printf (pages, "%s%s", offset ? "|" : "", page);
    }
  g_assert_cmpstr (pages->str, ==, ALL_OPEN);

  /* The total follows the filters. */
  query.discipline = "nurse";
  g_free (list (fixture, &query, 0, 1, &total));
  g_assert_cmpuint (total, ==, 5);
  query.discipline = NULL;
  query.assignee_id = fixture->doctor;
  g_free (list (fixture, &query, 0, 1, &total));
  g_assert_cmpuint (total, ==, 5);
  query.text = "garcia";
  g_free (list (fixture, &query, 0, 1, &total));
  g_assert_cmpuint (total, ==, 3);

  /* Pages of a search, counted in the same pass. */
  query.assignee_id = NULL;
  query.text = "2000456";
  {
    g_autofree char *page = list (fixture, &query, 2, 2, &total);

    g_assert_cmpstr (page, ==, "Teach home blood pressure monitoring|Screen for food needs");
    g_assert_cmpuint (total, ==, 7);
  }
  {
    g_autofree char *page = list (fixture, &query, 6, 10, &total);

    g_assert_cmpstr (page, ==, "Check inhaler technique");
    g_assert_cmpuint (total, ==, 7);
  }
  {
    g_autofree char *page = list (fixture, &query, 7, 10, &total);

    g_assert_cmpstr (page, ==, "");
    g_assert_cmpuint (total, ==, 7);
  }
  {
    g_autofree char *page = list (fixture, &query, 0, 0, &total);

    g_assert_cmpstr (page, ==, "");
    g_assert_cmpuint (total, ==, 7);
  }
}

static char *
counts_string (Fixture             *fixture,
               const CareWorkQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) counts = care_db_work_counts (fixture->db, query, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < counts->len; i++)
    {
      CareWorkCount *count = g_ptr_array_index (counts, i);

      g_string_append_printf (out, "%s%s/%s %u %u", i ? ", " : "", count->discipline ? count->discipline : "-",
                              count->organization_name ? count->organization_name : "-", count->open, count->overdue);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  CareWorkQuery query = { .include_referrals = TRUE, .today = TODAY };
  g_autofree char *all = counts_string (fixture, &query);
  g_autofree char *alder = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *tasks_only = NULL;

  /* Per discipline, then per clinic; referrals (no discipline) last. */
  g_assert_cmpstr (all, ==,
                   "nurse/Alder Clinic 2 1, nurse/Birch Clinic 3 1, physician/Alder Clinic 2 1, "
                   "social-worker/Birch Clinic 2 0, -/Alder Clinic 1 1, -/Birch Clinic 2 0");

  query.organization_id = fixture->alder;
  alder = counts_string (fixture, &query);
  g_assert_cmpstr (alder, ==, "nurse/Alder Clinic 2 1, physician/Alder Clinic 2 1, -/Alder Clinic 1 1");

  query.organization_id = NULL;
  query.assignee_id = fixture->nurse;
  mine = counts_string (fixture, &query);
  g_assert_cmpstr (mine, ==, "nurse/Alder Clinic 2 1, nurse/Birch Clinic 3 1");

  query.assignee_id = NULL;
  query.include_referrals = FALSE;
  tasks_only = counts_string (fixture, &query);
  g_assert_cmpstr (tasks_only, ==,
                   "nurse/Alder Clinic 2 1, nurse/Birch Clinic 3 1, physician/Alder Clinic 2 1, "
                   "social-worker/Birch Clinic 2 0");
}

static void
test_merged_patient (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *twin = care_test_add_patient (fixture->db, "Maria", "Garcia", "1956-03-12", "1000999", NULL);
  CareWorkQuery query = { .assignee_id = fixture->nurse2, .today = TODAY };
  g_autoptr(GPtrArray) items = NULL;
  CareWorkItem *item;

  task (fixture, "Registered twice", twin, fixture->nurse2, "nurse", "2030-06-01", "requested", "routine");
  g_assert_true (care_db_merge_patients (fixture->db, ACTOR, fixture->garcia, twin, "same person", NULL, &error));
  g_assert_no_error (error);

  /* The task opens the surviving patient and names the one it was written on. */
  items = care_db_worklist (fixture->db, &query, 0, 100, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->title, ==, "Registered twice");
  g_assert_cmpstr (item->patient_id, ==, fixture->garcia);
  g_assert_cmpstr (item->patient_name, ==, "Garcia, Maria");
  g_assert_cmpstr (item->mrn, ==, "1000999");
}

static void
test_plans_use_indexes (Fixture       *fixture,
                        gconstpointer  data)
{
  CareWorkQuery all = { .include_referrals = TRUE, .today = TODAY };
  CareWorkQuery mine = { .assignee_id = fixture->nurse, .include_referrals = TRUE, .today = TODAY };
  g_autoptr(GError) error = NULL;
  g_autofree char *all_plan = care_db_worklist_plan (fixture->db, &all, &error);
  g_autofree char *mine_plan = NULL;
  g_autofree char *all_page = NULL;
  g_autofree char *mine_page = NULL;

  g_assert_no_error (error);
  mine_plan = care_db_worklist_plan (fixture->db, &mine, &error);
  g_assert_no_error (error);
  g_test_message ("all:\n%s\nmine:\n%s", all_plan, mine_plan);

  /* Every arm reads an index range; none reads a whole table. */
  g_assert_nonnull (strstr (all_plan, "SEARCH t USING INDEX care_tasks_open (status=?)"));
  g_assert_nonnull (strstr (all_plan, "SEARCH r USING INDEX referrals_open (status=?)"));
  g_assert_nonnull (strstr (mine_plan, "SEARCH t USING INDEX care_tasks_assignee (assignee_id=? AND status=?)"));
  g_assert_nonnull (strstr (mine_plan, "SEARCH r USING INDEX referrals_open (status=?)"));
  g_assert_null (strstr (all_plan, "SCAN t"));
  g_assert_null (strstr (all_plan, "SCAN r"));
  g_assert_null (strstr (all_plan, "SCAN p"));
  g_assert_null (strstr (mine_plan, "SCAN t"));
  g_assert_null (strstr (mine_plan, "SCAN r"));
  g_assert_null (strstr (mine_plan, "SCAN p"));

  /* A page is a merge of arms already in order: nothing is sorted. */
  all_page = g_strndup (all_plan, strstr (all_plan, "count:") - all_plan);
  mine_page = g_strndup (mine_plan, strstr (mine_plan, "count:") - mine_plan);
  g_assert_nonnull (strstr (all_page, "MERGE (UNION ALL)"));
  g_assert_null (strstr (all_page, "B-TREE"));
  g_assert_null (strstr (mine_page, "B-TREE"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/worklist/my-work", test_my_work);
  ADD ("/worklist/item-fields", test_item_fields);
  ADD ("/worklist/coordinator-filters", test_coordinator_filters);
  ADD ("/worklist/text", test_text);
  ADD ("/worklist/paging", test_paging);
  ADD ("/worklist/counts", test_counts);
  ADD ("/worklist/merged-patient", test_merged_patient);
  ADD ("/worklist/plans-use-indexes", test_plans_use_indexes);
#undef ADD

  return g_test_run ();
}
