/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-plan-checks"

#include "config.h"

#include <math.h>
#include <string.h>

#include "care-chart.h"
#include "care-db.h"
#include "care-plan-checks.h"
#include "care-test-util.h"

/*
 * The care-plan checks on hand-built charts. Today is 2026-08-15. Charts are written
 * as statements separated by ";", words separated by spaces ("_" stands for a space
 * inside a word, "-" for an empty column):
 *
 *   obs VALUE DATE [STATUS [UNIT [LOINC]]]            an observation (LOINC 4548-4, unit %)
 *   goal ID LOINC LOW HIGH [STATUS [PLAN [UNIT]]]    a goal ("HbA1c goal ID" unless named)
 *   med ID DRUG PRESCRIBER [STATUS [RXNORM]]          a medication order
 *   plan ID STATUS [REPLACES [AUTHOR]]                a care plan, titled "Plan ID"
 *
 * Practitioners drA (Ana Ruiz, MD) and drB (Luis Paz, NP) are in every chart.
 */

#define TODAY "2026-08-15"
#define HBA1C "4548-4"

static CareRecord *
new_record (const char *table,
            const char *id)
{
  CareRecord *record = care_record_new (table, id);

  care_record_set (record, "id", id);
  return record;
}

/* A spec word: "-" is no value, "_" a space. */
static char *
word (char      **t,
      guint       n,
      guint       i)
{
  if (i >= n || g_str_equal (t[i], "-"))
    return NULL;
  return g_strdelimit (g_strdup (t[i]), "_", ' ');
}

static void
add_practitioner (CareChart  *chart,
                  const char *id,
                  const char *given,
                  const char *family,
                  const char *credentials)
{
  CareRecord *person = new_record ("practitioners", id);

  care_record_set (person, "given_name", given);
  care_record_set (person, "family_name", family);
  care_record_set (person, "credentials", credentials);
  g_hash_table_insert (chart->practitioners, g_strdup (id), person);
}

static CareChart *
build_chart (const char *spec)
{
  CareChart *chart = care_chart_new (TODAY);
  g_auto(GStrv) statements = g_strsplit (spec != NULL ? spec : "", ";", -1);
  guint n_obs = 0;

  chart->patient = new_record ("patients", "patient-1");
  add_practitioner (chart, "drA", "Ana", "Ruiz", "MD");
  add_practitioner (chart, "drB", "Luis", "Paz", "NP");

  for (guint s = 0; statements[s] != NULL; s++)
    {
      g_autofree char *statement = g_strstrip (g_strdup (statements[s]));
      g_auto(GStrv) t = g_strsplit (statement, " ", -1);
      guint n = g_strv_length (t);
      CareRecord *record;

      if (n == 0 || *t[0] == '\0')
        continue;

      if (g_str_equal (t[0], "obs"))
        {
          g_autofree char *id = g_strdup_printf ("obs-%u", ++n_obs);
          g_autofree char *value = word (t, n, 1);
          g_autofree char *date = word (t, n, 2);
          g_autofree char *status = word (t, n, 3);
          g_autofree char *unit = n > 4 ? word (t, n, 4) : g_strdup ("%");
          g_autofree char *loinc = word (t, n, 5);

          g_assert_cmpuint (n, >=, 3);
          record = new_record ("observations", id);
          care_record_set (record, "loinc", loinc != NULL ? loinc : HBA1C);
          care_record_set (record, "display", "test");
          care_record_set (record, "value_num", value);
          care_record_set (record, "unit", unit);
          care_record_set (record, "effective_at", date);
          care_record_set (record, "status", status != NULL ? status : "final");
          g_ptr_array_add (chart->observations, record);
        }
      else if (g_str_equal (t[0], "goal"))
        {
          g_autofree char *description = g_strdup_printf ("HbA1c goal %s", t[1]);
          g_autofree char *loinc = word (t, n, 2);
          g_autofree char *low = word (t, n, 3);
          g_autofree char *high = word (t, n, 4);
          g_autofree char *status = word (t, n, 5);
          g_autofree char *plan = word (t, n, 6);
          g_autofree char *unit = n > 7 ? word (t, n, 7) : g_strdup ("%");

          g_assert_cmpuint (n, >=, 5);
          record = new_record ("goals", t[1]);
          care_record_set (record, "description", description);
          care_record_set (record, "measure_loinc", loinc);
          care_record_set (record, "target_low", low);
          care_record_set (record, "target_high", high);
          care_record_set (record, "target_unit", unit);
          care_record_set (record, "lifecycle_status", status != NULL ? status : "active");
          care_record_set (record, "care_plan_id", plan);
          g_ptr_array_add (chart->goals, record);
        }
      else if (g_str_equal (t[0], "med"))
        {
          g_autofree char *drug = word (t, n, 2);
          g_autofree char *prescriber = word (t, n, 3);
          g_autofree char *status = word (t, n, 4);
          g_autofree char *rxnorm = word (t, n, 5);

          g_assert_cmpuint (n, >=, 4);
          record = new_record ("medication_orders", t[1]);
          care_record_set (record, "drug", drug);
          care_record_set (record, "prescriber_id", prescriber);
          care_record_set (record, "status", status != NULL ? status : "active");
          care_record_set (record, "rxnorm", rxnorm);
          g_ptr_array_add (chart->medications, record);
        }
      else if (g_str_equal (t[0], "plan"))
        {
          g_autofree char *title = g_strdup_printf ("Plan %s", t[1]);
          g_autofree char *replaces = word (t, n, 3);
          g_autofree char *author = word (t, n, 4);

          g_assert_cmpuint (n, >=, 3);
          record = new_record ("care_plans", t[1]);
          care_record_set (record, "title", title);
          care_record_set (record, "status", t[2]);
          care_record_set (record, "replaces_id", replaces);
          care_record_set (record, "author_id", author);
          g_ptr_array_add (chart->care_plans, record);
        }
      else
        g_error ("unknown statement “%s”", statement);
    }

  return chart;
}

/* Goal achievement --------------------------------------------------------- */

typedef struct
{
  const char *path;
  const char *goal;       /* "goal g1 LOINC LOW HIGH ..." */
  const char *chart;
  const char *expected;   /* NULL: no achievement */
  double      value;      /* NAN: no latest value */
  const char *date;
} AchievementCase;

static const AchievementCase achievement_cases[] = {
  /* In the range, both ends counting. */
  { "in-band", "goal g1 4548-4 6.5 7", "obs 6.8 2026-05-01", "achieved", 6.8, "2026-05-01" },
  { "at-upper-end", "goal g1 4548-4 6.5 7", "obs 7 2026-05-01", "achieved", 7, "2026-05-01" },
  { "at-lower-end", "goal g1 4548-4 6.5 7", "obs 6.5 2026-05-01", "achieved", 6.5, "2026-05-01" },
  { "in-band-after-outside", "goal g1 4548-4 - 7", "obs 9 2026-01-10; obs 6.9 2026-05-01",
    "achieved", 6.9, "2026-05-01" },
  /* Outside: the trend against the value before. */
  { "above-improving", "goal g1 4548-4 - 7", "obs 9.0 2026-01-10; obs 8.2 2026-05-10",
    "improving", 8.2, "2026-05-10" },
  { "above-worsening", "goal g1 4548-4 - 7", "obs 8.2 2026-01-10; obs 9.0 2026-05-10",
    "worsening", 9.0, "2026-05-10" },
  { "below-improving", "goal g1 4548-4 6.5 7", "obs 5.0 2026-01-10; obs 6.0 2026-05-10",
    "improving", 6.0, "2026-05-10" },
  { "below-worsening", "goal g1 4548-4 6.5 7", "obs 6.0 2026-01-10; obs 5.0 2026-05-10",
    "worsening", 5.0, "2026-05-10" },
  { "left-the-range", "goal g1 4548-4 6.5 7", "obs 6.8 2026-01-10; obs 7.4 2026-05-10",
    "worsening", 7.4, "2026-05-10" },
  { "one-value-outside", "goal g1 4548-4 - 7", "obs 8.5 2026-05-10", "not-achieved", 8.5,
    "2026-05-10" },
  { "no-change", "goal g1 4548-4 - 7", "obs 8 2026-01-10; obs 8.0 2026-05-10", "no-change", 8,
    "2026-05-10" },
  { "no-progress-across", "goal g1 4548-4 6 7", "obs 5 2026-01-10; obs 8 2026-05-10",
    "no-progress", 8, "2026-05-10" },
  { "only-last-two-count", "goal g1 4548-4 - 7",
    "obs 12 2025-06-01; obs 8 2026-01-10; obs 9 2026-05-10", "worsening", 9, "2026-05-10" },
  /* Open-ended targets. */
  { "open-high-achieved", "goal g1 33914-3 60 - - - mL/min/{1.73_m2}",
    "obs 75 2026-05-01 final mL/min/{1.73_m2} 33914-3", "achieved", 75, "2026-05-01" },
  { "open-high-improving", "goal g1 33914-3 60 - - - mL/min/{1.73_m2}",
    "obs 50 2026-01-01 final mL/min/{1.73_m2} 33914-3; "
    "obs 55 2026-05-01 final mL/min/{1.73_m2} 33914-3",
    "improving", 55, "2026-05-01" },
  { "open-low-achieved", "goal g1 8480-6 - 130 - - mm[Hg]",
    "obs 400 2025-01-01 final mmHg 8480-6; obs 128 2026-05-01 final mmHg 8480-6", "achieved", 128,
    "2026-05-01" },
  /* The latest by date, whatever the order of the records. */
  { "out-of-order", "goal g1 4548-4 - 7", "obs 8.2 2026-05-10; obs 9.0 2026-01-10",
    "improving", 8.2, "2026-05-10" },
  { "date-time", "goal g1 4548-4 - 7", "obs 9 2026-05-01T08:00:00Z; obs 8 2026-05-01T17:30:00Z",
    "improving", 8, "2026-05-01" },
  /* Records that do not count. */
  { "entered-in-error-ignored", "goal g1 4548-4 - 7",
    "obs 9.0 2026-01-10; obs 8.2 2026-03-10; obs 6.5 2026-06-10 entered-in-error",
    "improving", 8.2, "2026-03-10" },
  { "cancelled-ignored", "goal g1 4548-4 - 7", "obs 8.2 2026-03-10; obs 9.9 2026-06-10 cancelled",
    "not-achieved", 8.2, "2026-03-10" },
  { "future-ignored", "goal g1 4548-4 - 7", "obs 8.2 2026-03-10; obs 6.0 2026-09-10",
    "not-achieved", 8.2, "2026-03-10" },
  { "other-test-ignored", "goal g1 4548-4 - 7",
    "obs 8.2 2026-03-10; obs 6.0 2026-06-10 final % 17856-6",
    "not-achieved", 8.2, "2026-03-10" },
  { "other-unit-ignored", "goal g1 4548-4 - 7",
    "obs 8.2 2026-03-10; obs 48 2026-06-10 final mmol/mol",
    "not-achieved", 8.2, "2026-03-10" },
  { "no-value-ignored", "goal g1 4548-4 - 7", "obs 8.2 2026-03-10; obs - 2026-06-10",
    "not-achieved", 8.2, "2026-03-10" },
  /* Nothing to say. */
  { "no-measure", "goal g1 - - 7", "obs 6.8 2026-05-01", NULL, NAN, NULL },
  { "no-observation", "goal g1 4548-4 - 7", "", NULL, NAN, NULL },
  { "only-void-observations", "goal g1 4548-4 - 7", "obs 6.8 2026-05-01 entered-in-error", NULL,
    NAN, NULL },
  { "no-target", "goal g1 4548-4 - -", "obs 6.8 2026-05-01", NULL, 6.8, "2026-05-01" },
};

static void
test_achievement_case (gconstpointer data)
{
  const AchievementCase *c = data;
  g_autofree char *spec = g_strdup_printf ("%s; %s", c->goal, c->chart);
  g_autoptr(CareChart) chart = build_chart (spec);
  g_autofree char *date = NULL;
  double value = 0;
  const char *achievement;

  g_assert_cmpuint (chart->goals->len, ==, 1);
  achievement = care_goal_achievement (chart, g_ptr_array_index (chart->goals, 0), &value, &date);
  g_assert_cmpstr (achievement, ==, c->expected);
  g_assert_cmpstr (date, ==, c->date);
  if (isnan (c->value))
    g_assert_true (isnan (value));
  else
    g_assert_cmpfloat_with_epsilon (value, c->value, 1e-9);

  /* The outputs are optional. */
  g_assert_cmpstr (care_goal_achievement (chart, g_ptr_array_index (chart->goals, 0), NULL, NULL),
                   ==, c->expected);
}

/* Plan conflicts ----------------------------------------------------------- */

typedef struct
{
  const char *path;
  const char *chart;
  const char *expected;   /* "KIND id id | KIND id ...", ids sorted; "" for none */
  const char *message[5]; /* words the messages must hold, NULL-terminated */
} ConflictCase;

#define STATIN_A "med m1 atorvastatin_40_MG_Oral_Tablet drA"
#define STATIN_B "med m2 simvastatin_20_MG_Oral_Tablet drB"

static const ConflictCase conflict_cases[] = {
  /* Goals for one measure. */
  { "goals/different-targets", "goal g1 4548-4 - 7; goal g2 4548-4 - 8",
    "goal-targets g1 g2",
    { "Hemoglobin A1c", "“HbA1c goal g1” (at most 7 %)", "“HbA1c goal g2” (at most 8 %)" } },
  { "goals/same-target", "goal g1 4548-4 - 7; goal g2 4548-4 - 7.0", "" },
  { "goals/one-cancelled", "goal g1 4548-4 - 7; goal g2 4548-4 - 8 cancelled", "" },
  { "goals/one-completed", "goal g1 4548-4 - 7; goal g2 4548-4 - 8 completed", "" },
  { "goals/one-entered-in-error", "goal g1 4548-4 - 7; goal g2 4548-4 - 8 entered-in-error", "" },
  { "goals/proposed-counts", "goal g1 4548-4 - 7; goal g2 4548-4 - 8 proposed",
    "goal-targets g1 g2" },
  { "goals/on-hold-counts", "goal g1 4548-4 - 7; goal g2 4548-4 - 8 on-hold",
    "goal-targets g1 g2" },
  { "goals/range-and-open", "goal g1 4548-4 6.5 7; goal g2 4548-4 - 7", "goal-targets g1 g2",
    { "6.5 to 7 %", "at most 7 %" } },
  { "goals/other-unit", "goal g1 4548-4 - 7; goal g2 4548-4 - 7 active - mmol/mol",
    "goal-targets g1 g2" },
  { "goals/three-one-differs", "goal g1 4548-4 - 7; goal g2 4548-4 - 7; goal g3 4548-4 - 8",
    "goal-targets g1 g2 g3" },
  { "goals/other-measures", "goal g1 4548-4 - 7; goal g2 8480-6 - 130", "" },
  { "goals/no-target", "goal g1 4548-4 - 7; goal g2 4548-4 - -", "" },
  { "goals/unknown-measure", "goal g1 1234-5 - 7; goal g2 1234-5 - 8", "goal-targets g1 g2",
    { "LOINC 1234-5" } },
  { "goals/old-plan-version", "plan p1 completed; plan p2 active p1; "
    "goal g1 4548-4 - 8 active p1; goal g2 4548-4 - 7 active p2", "" },
  { "goals/replaced-plan-still-active", "plan p1 active; plan p2 active p1; "
    "goal g1 4548-4 - 8 active p1; goal g2 4548-4 - 7 active p2", "" },
  { "goals/two-revisions", "plan p1 completed; plan p2 active p1; plan p3 active p1; "
    "goal g2 4548-4 - 7 active p2; goal g3 4548-4 - 8 active p3",
    "goal-targets g2 g3 | two-active-plans p2 p3" },

  /* Orders in one class from different prescribers. */
  { "orders/statins-two-prescribers", STATIN_A "; " STATIN_B,
    "same-class-prescribers m1 m2",
    { "HMG-CoA reductase inhibitors (statins)", "atorvastatin 40 MG Oral Tablet by Ana Ruiz, MD",
      "simvastatin 20 MG Oral Tablet by Luis Paz, NP" } },
  { "orders/same-prescriber", "med m1 atorvastatin_40_MG_Oral_Tablet drA; "
    "med m2 simvastatin_20_MG_Oral_Tablet drA", "" },
  { "orders/one-stopped", STATIN_A "; med m2 simvastatin_20_MG_Oral_Tablet drB stopped", "" },
  { "orders/one-on-hold", STATIN_A "; med m2 simvastatin_20_MG_Oral_Tablet drB on-hold", "" },
  { "orders/no-prescriber", STATIN_A "; med m2 simvastatin_20_MG_Oral_Tablet -", "" },
  { "orders/no-prescriber-listed", STATIN_A "; " STATIN_B "; med m3 pravastatin_40_MG -",
    "same-class-prescribers m1 m2 m3", { "pravastatin 40 MG (no prescriber recorded)" } },
  { "orders/unknown-prescriber", STATIN_A "; med m2 simvastatin_20_MG_Oral_Tablet drX",
    "same-class-prescribers m1 m2", { "simvastatin 20 MG Oral Tablet by an unknown prescriber" } },
  { "orders/ace-and-arb", "med m1 lisinopril_10_MG_Oral_Tablet drA; "
    "med m2 losartan_potassium_50_MG_Oral_Tablet drB", "same-class-prescribers m1 m2",
    { "renin-angiotensin" } },
  { "orders/two-ace", "med m1 lisinopril_10_MG_Oral_Tablet drA; med m2 enalapril_5_MG drB",
    "same-class-prescribers m1 m2", { "Different prescribers ordered ACE inhibitors:" } },
  { "orders/different-classes", "med m1 lisinopril_10_MG_Oral_Tablet drA; "
    "med m2 atorvastatin_40_MG_Oral_Tablet drB", "" },
  { "orders/unclassified", "med m1 metformin_500_MG drA; med m2 metformin_1000_MG drB", "" },
  { "orders/anticoagulants", "med m1 warfarin_sodium_5_MG_Oral_Tablet drA; "
    "med m2 apixaban_5_MG_Oral_Tablet drB", "same-class-prescribers m1 m2", { "anticoagulants" } },
  { "orders/eye-drops", "med m1 metoprolol_succinate_25_MG drA; "
    "med m2 timolol_0.5%_Ophthalmic_Solution drB", "same-class-prescribers m1 m2",
    { "beta blockers" } },
  { "orders/ssri-and-snri", "med m1 sertraline_50_MG drA; med m2 duloxetine_30_MG drB",
    "same-class-prescribers m1 m2", { "SSRIs and SNRIs" } },
  { "orders/combination", "med m1 hydrocodone_bitartrate_5_MG_/_acetaminophen_325_MG drA; "
    "med m2 acetaminophen_500_MG_Oral_Tablet drB", "same-class-prescribers m1 m2",
    { "paracetamol (acetaminophen)" } },
  { "orders/by-rxnorm", "med m1 Lipitor drA active 83367; " STATIN_B,
    "same-class-prescribers m1 m2" },
  { "orders/two-groups",
    STATIN_A "; " STATIN_B "; med m3 lisinopril_10_MG drA; med m4 losartan_50_MG drB",
    "same-class-prescribers m1 m2 | same-class-prescribers m3 m4" },

  /* Plans. */
  { "plans/two-active", "plan p1 active - drA; plan p2 active", "two-active-plans p1 p2",
    { "2 care plans are active", "“Plan p1” by Ana Ruiz, MD", "“Plan p2”" } },
  { "plans/one-active", "plan p1 active; plan p2 completed; plan p3 draft", "" },
  { "plans/revised", "plan p1 completed; plan p2 active p1", "" },
  { "plans/revision-not-yet-closed", "plan p1 active; plan p2 active p1", "" },
  { "plans/revision-in-error", "plan p1 active; plan p2 active; plan p3 entered-in-error p1",
    "two-active-plans p1 p2" },

  /* All kinds, in their order. */
  { "all-kinds", "plan p1 active; plan p2 active; " STATIN_A "; " STATIN_B "; "
    "goal g1 4548-4 - 7; goal g2 4548-4 - 8",
    "goal-targets g1 g2 | same-class-prescribers m1 m2 | two-active-plans p1 p2" },
  { "nothing", "", "" },
};

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
test_conflict_case (gconstpointer data)
{
  const ConflictCase *c = data;
  g_autoptr(CareChart) chart = build_chart (c->chart);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = care_plan_conflicts (chart, &error);
  g_autoptr(GString) found = g_string_new (NULL);
  g_autoptr(GString) messages = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (conflicts);

  for (guint i = 0; i < conflicts->len; i++)
    {
      CarePlanConflict *conflict = g_ptr_array_index (conflicts, i);
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();

      g_assert_nonnull (conflict->message);
      for (guint j = 0; j < conflict->record_ids->len; j++)
        g_ptr_array_add (ids, g_ptr_array_index (conflict->record_ids, j));
      g_ptr_array_sort (ids, compare_strings);
      if (i > 0)
        g_string_append (found, " | ");
      g_string_append (found, conflict->kind);
      for (guint j = 0; j < ids->len; j++)
        g_string_append_printf (found, " %s", (const char *) g_ptr_array_index (ids, j));
      g_string_append_printf (messages, "%s\n", conflict->message);
      g_test_message ("%s: %s", conflict->kind, conflict->message);
    }

  g_assert_cmpstr (found->str, ==, c->expected);
  for (guint i = 0; i < G_N_ELEMENTS (c->message) && c->message[i] != NULL; i++)
    if (strstr (messages->str, c->message[i]) == NULL)
      g_error ("“%s” is not in:\n%s", c->message[i], messages->str);
}

/* Drug classes ------------------------------------------------------------- */

#define STATINS      "HMG-CoA reductase inhibitors (statins)"
#define ACE          "ACE inhibitors"
#define ARB          "angiotensin II receptor blockers (ARBs)"
#define SSRI         "selective serotonin reuptake inhibitors (SSRIs)"
#define BETA         "beta blockers (including eye drops)"
#define BASAL        "long-acting (basal) insulins"
#define VKA          "vitamin K antagonists"
#define DOAC         "direct oral anticoagulants (DOACs)"
#define NSAID        "NSAIDs"
#define PARACETAMOL  "paracetamol (acetaminophen)"

static const struct
{
  const char *drug;
  const char *rxnorm;
  const char *expected;
} class_cases[] = {
  /* Every drug the demo generator writes (src/clinical/care-generator.c). */
  { "metformin hydrochloride 500 MG Oral Tablet", "861007", NULL },
  { "insulin glargine 100 UNT/ML Injectable Solution", "261551", BASAL },
  { "lisinopril 10 MG Oral Tablet", "314076", ACE },
  { "losartan potassium 50 MG Oral Tablet", "979485", ARB },
  { "amlodipine 5 MG Oral Tablet", "197361", NULL },
  { "hydrochlorothiazide 25 MG Oral Tablet", "310798", NULL },
  { "atorvastatin 20 MG Oral Tablet", "617312", STATINS },
  { "atorvastatin 40 MG Oral Tablet", "617311", STATINS },
  { "simvastatin 20 MG Oral Tablet", "312961", STATINS },
  { "sertraline 50 MG Oral Tablet", "312940", SSRI },
  { "fluoxetine 20 MG Oral Capsule", "310385", SSRI },
  { "escitalopram 10 MG Oral Tablet", "349332", SSRI },
  { "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "245314", NULL },
  { "fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", "895994", NULL },
  { "tiotropium 0.018 MG Inhalation Powder", "485032", NULL },
  { "furosemide 40 MG Oral Tablet", "313988", NULL },
  { "carvedilol 6.25 MG Oral Tablet", "200031", BETA },
  { "spironolactone 25 MG Oral Tablet", "313096", NULL },
  { "metoprolol succinate 25 MG Extended Release Oral Tablet", "866427", BETA },
  { "apixaban 5 MG Oral Tablet", "1364445", DOAC },
  { "warfarin sodium 5 MG Oral Tablet", "855332", VKA },
  { "amiodarone hydrochloride 200 MG Oral Tablet", "833528", NULL },
  { "acetaminophen 500 MG Oral Tablet", "198440", PARACETAMOL },
  { "ibuprofen 400 MG Oral Tablet", "197805", NSAID },
  { "prednisone 20 MG Oral Tablet", "312617", NULL },
  { "azithromycin 250 MG Oral Tablet", "308460", NULL },
  { "amoxicillin 500 MG Oral Capsule", "308191", NULL },
  { "cephalexin 500 MG Oral Capsule", "309114", NULL },
  /* Names as people type them, combinations, eye drops. */
  { "Atorvastatin Calcium", NULL, STATINS },
  { "ROSUVASTATIN 10 MG", NULL, STATINS },
  { "timolol maleate 0.5% Ophthalmic Solution", NULL, BETA },
  { "hydrocodone bitartrate 5 MG / acetaminophen 325 MG Oral Tablet", NULL, "opioids" },
  { "Hydrocodone/APAP 5-325", NULL, "opioids" },
  { "APAP 325 MG", NULL, PARACETAMOL },
  { "paracetamol 1 g", NULL, PARACETAMOL },
  { "sacubitril 49 MG / valsartan 51 MG Oral Tablet", NULL, ARB },
  { "aspirin 81 MG Delayed Release Oral Tablet", NULL, "platelet aggregation inhibitors" },
  { "naproxen sodium 220 MG", NULL, NSAID },
  { "insulin glargine-yfgn 100 UNT/ML", NULL, BASAL },
  { "insulin lispro 100 UNT/ML", NULL, NULL },
  { "insulin isophane, human 100 UNT/ML", NULL, NULL },
  { "lithium carbonate 300 MG", NULL, NULL },
  { "quetiapine 25 MG", NULL, "antipsychotics" },
  { "zolpidem 5 MG", NULL, "benzodiazepine-related hypnotics (Z-drugs)" },
  { "lorazepam 1 MG", NULL, "benzodiazepines" },
  { "omeprazole 20 MG", NULL, "proton-pump inhibitors" },
  { "glipizide 5 MG", NULL, "sulfonylureas" },
  { "enoxaparin 40 MG/0.4ML", NULL, "heparins" },
  { "aliskiren 150 MG", NULL, "direct renin inhibitors" },
  { "venlafaxine 75 MG", NULL, "serotonin-norepinephrine reuptake inhibitors (SNRIs)" },
  /* Whole words only. */
  { "heparinoid cream", NULL, NULL },
  { "prednisolone 5 MG", NULL, NULL },
  { "sodium chloride 0.9 %", NULL, NULL },
  /* RxNorm ingredient codes. */
  { NULL, "83367", STATINS },
  { "Lipitor", "83367", STATINS },
  { NULL, "29046", ACE },
  { NULL, " 52175 ", ARB },
  { "something new", "999999999", NULL },
  { NULL, NULL, NULL },
  { "", "", NULL },
};

static void
test_drug_classes (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (class_cases); i++)
    {
      const char *found = care_drug_class (class_cases[i].drug, class_cases[i].rxnorm);

      if (g_strcmp0 (found, class_cases[i].expected) != 0)
        g_error ("“%s” (%s): “%s”, expected “%s”", class_cases[i].drug, class_cases[i].rxnorm,
                 found, class_cases[i].expected);
    }
}

/* Mentions ----------------------------------------------------------------- */

typedef struct
{
  const char *body;
  const char *expected;   /* ids, comma-separated */
  gboolean    twin;       /* a second "Ana Ruiz" is on the team */
} MentionCase;

static const MentionCase mention_cases[] = {
  { "@Ana Ruiz please call the patient", "ana-ruiz" },
  { "@ruiz can you look?", "ana-ruiz" },
  { "@RUIZ", "ana-ruiz" },
  { "@Ana please call", "" },                     /* Ana Ruiz or Ana López */
  { "@Ana López please call", "ana-lopez" },
  { "@ana lopez", "ana-lopez" },
  { "@José can you see her?", "jose" },           /* stored as "Jose" */
  { "@jose", "jose" },
  { "@García", "jose" },                         /* first family name */
  { "@Garcia Lopez", "jose" },
  { "@José García López", "jose" },
  { "@María José, thanks", "maria" },
  { "@maria", "maria" },
  { "@O'Brien", "maria" },
  { "@O’Brien", "maria" },
  { "mail me at ana@example.org", "" },
  { "ana.ruiz@example.org", "" },
  { "see https://example.org/@ruiz", "" },
  { "@Ana Ruiz and again @ruiz", "ana-ruiz" },
  { "@paz then @Ana Ruiz", "luis,ana-ruiz" },
  { "(@paz)", "luis" },
  { "@Ana, @Luis: see below", "luis" },
  { "Thanks @Ana-Ruiz.", "ana-ruiz" },
  { "@Anabel", "" },
  { "@ nobody", "" },
  { "@", "" },
  { "no mention here", "" },
  { "", "" },
  { "@Ana Ruiz please call", "", TRUE },          /* two people named Ana Ruiz */
  { "@paz", "luis", TRUE },
};

static GPtrArray *
mention_team (gboolean twin)
{
  GPtrArray *team = g_ptr_array_new_with_free_func (g_object_unref);
  const struct { const char *id, *given, *family; } people[] = {
    { "ana-ruiz", "Ana", "Ruiz" }, { "ana-lopez", "Ana", "López" },
    { "jose", "Jose", "García López" }, { "luis", "Luis", "Paz" },
    { "maria", "María José", "O'Brien" }, { "ana-ruiz-2", "Ana", "Ruiz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (people) - (twin ? 0 : 1); i++)
    {
      CareRecord *person = new_record ("practitioners", people[i].id);

      care_record_set (person, "given_name", people[i].given);
      care_record_set (person, "family_name", people[i].family);
      g_ptr_array_add (team, person);
    }

  return team;
}

static void
test_mentions (void)
{
  g_autoptr(GPtrArray) team = mention_team (FALSE);
  g_autoptr(GPtrArray) twins = mention_team (TRUE);
  g_autoptr(GPtrArray) none = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (mention_cases); i++)
    {
      const MentionCase *c = &mention_cases[i];
      g_autoptr(GPtrArray) ids = care_note_mentions (c->body, c->twin ? twins : team);
      g_autoptr(GString) found = g_string_new (NULL);

      for (guint j = 0; j < ids->len; j++)
        g_string_append_printf (found, "%s%s", j > 0 ? "," : "",
                                (const char *) g_ptr_array_index (ids, j));
      if (!g_str_equal (found->str, c->expected))
        g_error ("“%s”: “%s”, expected “%s”", c->body, found->str, c->expected);
    }

  none = care_note_mentions (NULL, team);
  g_assert_cmpuint (none->len, ==, 0);
  g_clear_pointer (&none, g_ptr_array_unref);
  none = care_note_mentions ("@ruiz", NULL);
  g_assert_cmpuint (none->len, ==, 0);
}

/* The demo clinic ---------------------------------------------------------- */

static const char * const achievement_codes[] = {
  "achieved", "not-achieved", "improving", "worsening", "no-change", "no-progress", NULL
};

/* The checks run on every generated patient, and what they report names records of
 * the chart. */
static void
test_generated_clinic (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  guint n_goals = 0, n_achieved = 0;

  care_test_generate (db, 120, 11, TODAY);

  patients = care_db_list (db, "test:plan-checks", "patients", NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint p = 0; p < patients->len; p++)
    {
      const char *id = care_record_get_id (g_ptr_array_index (patients, p));
      g_autoptr(CareChart) chart = care_chart_load (db, "test:plan-checks", id, TODAY, &error);
      g_autoptr(GPtrArray) conflicts = NULL;
      g_autoptr(GHashTable) ids = NULL;

      g_assert_no_error (error);
      conflicts = care_plan_conflicts (chart, &error);
      g_assert_no_error (error);
      ids = care_chart_record_ids (chart);
      for (guint i = 0; i < conflicts->len; i++)
        {
          CarePlanConflict *conflict = g_ptr_array_index (conflicts, i);

          g_test_message ("%s: %s", conflict->kind, conflict->message);
          g_assert_cmpuint (conflict->record_ids->len, >=, 2);
          for (guint j = 0; j < conflict->record_ids->len; j++)
            g_assert_true (g_hash_table_contains (ids,
                                                  g_ptr_array_index (conflict->record_ids, j)));
        }

      for (guint i = 0; i < chart->goals->len; i++)
        {
          CareRecord *goal = g_ptr_array_index (chart->goals, i);
          const char *achievement = care_goal_achievement (chart, goal, NULL, NULL);

          n_goals++;
          if (achievement == NULL)
            continue;
          n_achieved++;
          g_assert_true (g_strv_contains (achievement_codes, achievement));
        }
    }

  g_test_message ("%u goals, %u with an achievement", n_goals, n_achieved);
  g_assert_cmpuint (n_achieved, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (achievement_cases); i++)
    {
      g_autofree char *test_path = g_strdup_printf ("/plan/achievement/%s",
                                                    achievement_cases[i].path);

      g_test_add_data_func (test_path, &achievement_cases[i], test_achievement_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (conflict_cases); i++)
    {
      g_autofree char *test_path = g_strdup_printf ("/plan/conflicts/%s", conflict_cases[i].path);

      g_test_add_data_func (test_path, &conflict_cases[i], test_conflict_case);
    }
  g_test_add_func ("/plan/drug-classes", test_drug_classes);
  g_test_add_func ("/plan/mentions", test_mentions);
  g_test_add_func ("/plan/generated-clinic", test_generated_clinic);

  return g_test_run ();
}
