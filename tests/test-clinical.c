/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-clinical"

#include "config.h"

#include <stdarg.h>

#include "care-chart.h"
#include "care-db.h"
#include "care-gaps.h"
#include "care-test-util.h"
#include "care-validate.h"

/*
 * The clinical rules on hand-built patients. A patient is written as a few
 * statements, separated by ";":
 *
 *   dx sct|icd CODE [CLINICAL [VERIFICATION [ONSET]]]   a condition
 *   obs LOINC VALUE DATE [STATUS] [@ENC]                 an observation ("-": no value)
 *   bp SYS/DIA DATE [STATUS] [@ENC]                      a systolic and a diastolic
 *   enc LABEL CLASS STATUS START [END]                   an encounter, named LABEL
 *   imm CVX DATE [STATUS]                                an immunization
 *   plan STATUS                                          a care plan
 *   dead DATE                                            the patient died
 *
 * Today is 2026-08-15 unless a case says otherwise; the patient is born
 * 1970-03-10 (56) unless a case says otherwise.
 */

#define TODAY "2026-08-15"
#define BORN  "1970-03-10"

static guint next_id;

/* A record of @table from column, value pairs (NULL-terminated), added to @list. */
static CareRecord *
add_record (GPtrArray  *list,
            const char *table,
            const char *first_column,
            ...)
{
  g_autofree char *id = g_strdup_printf ("%s-%u", table, ++next_id);
  CareRecord *record = care_record_new (table, id);
  va_list args;

  care_record_set (record, "id", id);
  va_start (args, first_column);
  for (const char *column = first_column; column != NULL; column = va_arg (args, const char *))
    care_record_set (record, column, va_arg (args, const char *));
  va_end (args);

  if (list != NULL)
    g_ptr_array_add (list, record);
  return record;
}

static const char *
optional (char **tokens,
          guint  n,
          guint  i,
          const char *fallback)
{
  return i < n ? tokens[i] : fallback;
}

static CareChart *
build_chart (const char *today,
             const char *birth,
             const char *spec)
{
  CareChart *chart = care_chart_new (today ? today : TODAY);
  g_autoptr(GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) statements = g_strsplit (spec ? spec : "", ";", -1);

  chart->patient = add_record (NULL, "patients", "given_name", "Ana", "family_name", "Prueba",
                               "birth_date", birth ? birth : BORN, NULL);

  for (guint s = 0; statements[s] != NULL; s++)
    {
      g_autofree char *statement = g_strstrip (g_strdup (statements[s]));
      g_auto(GStrv) t = g_strsplit_set (statement, " ", -1);
      guint n = g_strv_length (t);
      const char *status = NULL;
      const char *encounter = NULL;

      if (n == 0 || *t[0] == '\0')
        continue;

      /* obs and bp: an optional status and an optional @encounter, in any order. */
      for (guint i = 3; i < n && (g_str_equal (t[0], "obs") || g_str_equal (t[0], "bp")); i++)
        {
          if (t[i][0] == '@')
            {
              encounter = g_hash_table_lookup (labels, t[i] + 1);
              g_assert_nonnull (encounter);
            }
          else if (!g_str_equal (t[0], "obs") || i > 3)
            status = t[i];
        }

      if (g_str_equal (t[0], "dx"))
        {
          g_assert_cmpuint (n, >=, 3);
          add_record (chart->conditions, "conditions",
                      "code_system", g_str_equal (t[1], "icd") ? "http://hl7.org/fhir/sid/icd-10-cm"
                                                               : "http://snomed.info/sct",
                      "code", t[2], "display", "test condition",
                      "clinical_status", optional (t, n, 3, "active"),
                      "verification_status", optional (t, n, 4, "confirmed"),
                      "onset_date", optional (t, n, 5, "2020-01-10"), NULL);
        }
      else if (g_str_equal (t[0], "obs"))
        {
          g_assert_cmpuint (n, >=, 4);
          add_record (chart->observations, "observations", "loinc", t[1], "display", "test",
                      "value_num", g_str_equal (t[2], "-") ? NULL : t[2], "effective_at", t[3],
                      "status", status ? status : "final", "encounter_id", encounter, NULL);
        }
      else if (g_str_equal (t[0], "bp"))
        {
          g_auto(GStrv) values = g_strsplit (t[1], "/", 2);

          g_assert_cmpuint (n, >=, 3);
          g_assert_cmpuint (g_strv_length (values), ==, 2);
          add_record (chart->observations, "observations", "loinc", "8480-6",
                      "value_num", values[0], "unit", "mm[Hg]", "effective_at", t[2],
                      "status", status ? status : "final", "encounter_id", encounter, NULL);
          add_record (chart->observations, "observations", "loinc", "8462-4",
                      "value_num", values[1], "unit", "mm[Hg]", "effective_at", t[2],
                      "status", status ? status : "final", "encounter_id", encounter, NULL);
        }
      else if (g_str_equal (t[0], "enc"))
        {
          CareRecord *record;

          g_assert_cmpuint (n, >=, 5);
          record = add_record (chart->encounters, "encounters", "class", t[2], "status", t[3],
                               "start_at", t[4], "end_at", optional (t, n, 5, NULL), NULL);
          g_hash_table_insert (labels, g_strdup (t[1]), g_strdup (care_record_get_id (record)));
        }
      else if (g_str_equal (t[0], "imm"))
        {
          g_assert_cmpuint (n, >=, 3);
          add_record (chart->immunizations, "immunizations", "cvx", t[1], "vaccine", "test",
                      "occurrence_date", t[2], "status", optional (t, n, 3, "completed"), NULL);
        }
      else if (g_str_equal (t[0], "plan"))
        {
          add_record (chart->care_plans, "care_plans", "title", "Plan", "status", t[1], NULL);
        }
      else if (g_str_equal (t[0], "dead"))
        {
          care_record_set (chart->patient, "deceased_date", t[1]);
        }
      else
        {
          g_error ("Unknown statement “%s”", statement);
        }
    }

  return chart;
}

static CareGap *
find_gap (GPtrArray  *gaps,
          const char *rule)
{
  for (guint i = 0; i < gaps->len; i++)
    {
      CareGap *gap = g_ptr_array_index (gaps, i);

      if (g_str_equal (gap->rule, rule))
        return gap;
    }

  return NULL;
}

static GPtrArray *
compute (CareChart *chart)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *gaps = care_gaps_compute (chart, &error);

  g_assert_no_error (error);
  g_assert_nonnull (gaps);
  for (guint i = 0; i < gaps->len; i++)
    {
      CareGap *gap = g_ptr_array_index (gaps, i);

      g_assert_nonnull (gap->rule);
      g_assert_nonnull (gap->title);
      g_assert_cmpstr (gap->title, !=, "");
      g_assert_nonnull (gap->reason);
      g_assert_cmpstr (gap->reason, !=, "");
      if (gap->since != NULL)
        g_assert_cmpstr (gap->since, <=, chart->today);
    }

  return gaps;
}

/* Care gaps ---------------------------------------------------------------- */

#define DIABETES "dx sct 44054006"
#define NONE     "-"

typedef struct
{
  const char *path;
  const char *chart;        /* statements, see the top of the file */
  const char *rule;         /* the rule looked at */
  gboolean    fires;
  const char *reason_has;   /* "|"-separated texts the reason contains, or NULL */
  const char *since;        /* expected since, NONE for NULL, NULL not checked */
  const char *today;        /* NULL: TODAY */
  const char *birth;        /* NULL: BORN */
} GapCase;

static const GapCase gap_cases[] = {
  /* Diabetes without an HbA1c in 6 months: 2026-02-15 is the window's first day. */
  { "hba1c-missing/at-boundary", DIABETES "; obs 4548-4 7.0 2026-02-15", "diabetes-no-hba1c",
    FALSE },
  { "hba1c-missing/inside", DIABETES "; obs 4548-4 7.0 2026-02-16", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/outside", DIABETES "; obs 4548-4 7.0 2026-02-14", "diabetes-no-hba1c", TRUE,
    "2026-02-14|6 months", "2026-08-15" },
  { "hba1c-missing/long-ago", DIABETES "; obs 4548-4 7.0 2025-10-01", "diabetes-no-hba1c", TRUE,
    "2025-10-01", "2026-04-02" },
  { "hba1c-missing/never", DIABETES " active confirmed 2021-04-03", "diabetes-no-hba1c", TRUE,
    "no HbA1c", "2021-04-03" },
  { "hba1c-missing/entered-in-error", DIABETES "; obs 4548-4 7.0 2026-06-01 entered-in-error;"
    "obs 4548-4 7.1 2025-12-01", "diabetes-no-hba1c", TRUE, "2025-12-01", "2026-06-02" },
  { "hba1c-missing/cancelled", DIABETES "; obs 4548-4 - 2026-06-01 cancelled",
    "diabetes-no-hba1c", TRUE, "no HbA1c" },
  { "hba1c-missing/future-result", DIABETES "; obs 4548-4 7.0 2026-09-01", "diabetes-no-hba1c",
    TRUE,
    "no HbA1c" },
  { "hba1c-missing/result-without-value", DIABETES "; obs 4548-4 - 2026-06-01", "diabetes-no-hba1c",
    FALSE },
  { "hba1c-missing/date-time", DIABETES "; obs 4548-4 7.0 2026-02-15T23:30:00Z",
    "diabetes-no-hba1c",
    FALSE },
  { "hba1c-missing/hplc-code", DIABETES "; obs 17856-6 7.0 2026-05-01", "diabetes-no-hba1c",
    FALSE },
  { "hba1c-missing/not-diabetic", "dx sct 59621000", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/type-1", "dx sct 46635009", "diabetes-no-hba1c", TRUE },
  { "hba1c-missing/icd-10", "dx icd E11.9", "diabetes-no-hba1c", TRUE },
  { "hba1c-missing/icd-10-e13", "dx icd E13", "diabetes-no-hba1c", TRUE },
  { "hba1c-missing/icd-10-gestational", "dx icd O24.4", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/icd-10-wrong-system", "dx sct E11.9", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/recurrence", DIABETES " recurrence", "diabetes-no-hba1c", TRUE },
  { "hba1c-missing/resolved", DIABETES " resolved", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/remission", DIABETES " remission", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/refuted", DIABETES " active refuted", "diabetes-no-hba1c", FALSE },
  { "hba1c-missing/dx-entered-in-error", DIABETES " active entered-in-error", "diabetes-no-hba1c",
    FALSE },
  { "hba1c-missing/provisional", DIABETES " active provisional", "diabetes-no-hba1c", TRUE },

  /* Diabetic whose latest HbA1c is above 9 %. */
  { "hba1c-high/above", DIABETES "; obs 4548-4 9.4 2026-07-01", "diabetes-hba1c-high", TRUE,
    "9.4|2026-07-01|9", "2026-07-01" },
  { "hba1c-high/at-threshold", DIABETES "; obs 4548-4 9.0 2026-07-01", "diabetes-hba1c-high",
    FALSE },
  { "hba1c-high/just-above", DIABETES "; obs 4548-4 9.1 2026-07-01", "diabetes-hba1c-high", TRUE,
    "9.1" },
  { "hba1c-high/improved", DIABETES "; obs 4548-4 10.1 2026-01-01; obs 4548-4 7.5 2026-07-01",
    "diabetes-hba1c-high", FALSE },
  { "hba1c-high/worsened", DIABETES "; obs 4548-4 7.5 2026-01-01; obs 4548-4 11.2 2026-07-01",
    "diabetes-hba1c-high", TRUE, "11.2|2026-07-01" },
  { "hba1c-high/latest-entered-in-error", DIABETES "; obs 4548-4 8.0 2026-05-01;"
    "obs 4548-4 9.8 2026-07-01 entered-in-error", "diabetes-hba1c-high", FALSE },
  { "hba1c-high/earlier-entered-in-error", DIABETES "; obs 4548-4 9.8 2026-05-01;"
    "obs 4548-4 8.0 2026-07-01 entered-in-error", "diabetes-hba1c-high", TRUE, "9.8|2026-05-01" },
  { "hba1c-high/not-diabetic", "obs 4548-4 10.0 2026-07-01", "diabetes-hba1c-high", FALSE },
  { "hba1c-high/no-result", DIABETES, "diabetes-hba1c-high", FALSE },
  { "hba1c-high/old-result", DIABETES "; obs 4548-4 9.6 2024-01-05", "diabetes-hba1c-high", TRUE,
    "2024-01-05" },

  /* Blood pressure ≥ 140/90 at each of the last two visits with a blood pressure. */
  { "bp/both-high", "bp 150/85 2026-05-01; bp 130/92 2026-07-01", "bp-uncontrolled", TRUE,
    "150/85 on 2026-05-01|130/92 on 2026-07-01|140/90", "2026-07-01" },
  { "bp/last-controlled", "bp 150/95 2026-05-01; bp 138/88 2026-07-01", "bp-uncontrolled", FALSE },
  { "bp/earlier-controlled", "bp 138/88 2026-05-01; bp 150/95 2026-07-01", "bp-uncontrolled",
    FALSE },
  { "bp/at-threshold", "bp 140/80 2026-05-01; bp 120/90 2026-07-01", "bp-uncontrolled", TRUE },
  { "bp/just-below", "bp 139/89 2026-05-01; bp 139/89 2026-07-01", "bp-uncontrolled", FALSE },
  { "bp/one-visit", "bp 180/110 2026-07-01", "bp-uncontrolled", FALSE },
  { "bp/no-readings", "", "bp-uncontrolled", FALSE },
  /* Several readings a day: the lowest systolic and the lowest diastolic. */
  { "bp/lowest-of-the-day", "bp 150/95 2026-05-01; bp 150/95 2026-07-01T09:00:00Z;"
    "bp 135/85 2026-07-01T09:20:00Z", "bp-uncontrolled", FALSE },
  { "bp/lowest-of-each", "bp 150/95 2026-05-01; bp 150/80 2026-07-01; bp 130/95 2026-07-01",
    "bp-uncontrolled", FALSE },
  { "bp/lowest-still-high", "bp 150/95 2026-05-01; bp 160/100 2026-07-01; bp 145/92 2026-07-01",
    "bp-uncontrolled", TRUE, "145/92 on 2026-07-01" },
  /* Emergency and inpatient readings do not count. */
  { "bp/emergency-reading", "enc ed EMER finished 2026-07-01T03:00:00Z 2026-07-01T07:00:00Z;"
    "bp 120/80 2026-03-01; bp 150/95 2026-05-01; bp 160/100 2026-07-01 @ed", "bp-uncontrolled",
    FALSE },
  { "bp/inpatient-reading", "enc stay IMP finished 2026-06-28 2026-07-02;"
    "bp 120/80 2026-03-01; bp 150/95 2026-05-01; bp 160/100 2026-07-01 @stay", "bp-uncontrolled",
    FALSE },
  { "bp/office-reading", "enc visit AMB finished 2026-07-01;"
    "bp 120/80 2026-03-01; bp 150/95 2026-05-01; bp 160/100 2026-07-01 @visit", "bp-uncontrolled",
    TRUE, "160/100 on 2026-07-01|150/95 on 2026-05-01" },
  { "bp/entered-in-error", "bp 150/95 2026-03-01; bp 120/70 2026-05-01 entered-in-error;"
    "bp 160/100 2026-07-01", "bp-uncontrolled", TRUE, "150/95 on 2026-03-01", "2026-07-01" },
  { "bp/future-reading", "bp 150/95 2026-05-01; bp 150/95 2026-07-01; bp 120/80 2026-09-01",
    "bp-uncontrolled", TRUE },
  /* Three high visits in a row: open since the second. */
  { "bp/since-second-of-run", "bp 120/80 2025-11-01; bp 142/91 2026-01-10; bp 145/92 2026-04-01;"
    "bp 150/95 2026-07-01", "bp-uncontrolled", TRUE, NULL, "2026-04-01" },

  /* Depression screening in 12 months from age 12: 2025-08-15 is the first day. */
  { "screening/at-boundary", "obs 44261-6 3 2025-08-15", "depression-screening", FALSE },
  { "screening/inside", "obs 55758-7 1 2025-08-16", "depression-screening", FALSE },
  { "screening/outside", "obs 44261-6 3 2025-08-14", "depression-screening", TRUE,
    "2025-08-14|12 months", "2026-08-15" },
  { "screening/phq-a", "obs 89204-2 4 2026-01-01", "depression-screening", FALSE },
  { "screening/never", "", "depression-screening", TRUE, "Age 56", "1982-03-10" },
  { "screening/entered-in-error", "obs 44261-6 3 2026-01-01 entered-in-error",
    "depression-screening", TRUE },
  { "screening/gad-7-is-not-depression", "obs 70274-6 3 2026-01-01", "depression-screening", TRUE },
  { "screening/turns-12-today", "", "depression-screening", TRUE, "Age 12", "2026-08-15", NULL,
    "2014-08-15" },
  { "screening/11-years-old", "", "depression-screening", FALSE, NULL, NULL, NULL, "2014-08-16" },
  { "screening/excluded-depression", "dx sct 35489007", "depression-screening", FALSE },
  { "screening/excluded-major-depression-icd", "dx icd F33.1", "depression-screening", FALSE },
  { "screening/excluded-bipolar", "dx icd F31.9", "depression-screening", FALSE },
  { "screening/depression-in-remission", "dx sct 35489007 remission", "depression-screening",
    TRUE },
  { "screening/depression-refuted", "dx sct 35489007 active refuted", "depression-screening",
    TRUE },

  /* Discharge without a follow-up visit within 7 days: due until day 7, a gap from day 8. */
  { "discharge/day-5-due", "enc s IMP finished 2026-08-06T10:00:00Z 2026-08-10T12:00:00Z",
    "discharge-follow-up-due", TRUE, "2026-08-10|2026-08-17", NONE },
  { "discharge/day-5-not-yet-a-gap", "enc s IMP finished 2026-08-06 2026-08-10",
    "discharge-no-follow-up", FALSE },
  { "discharge/day-7-due", "enc s IMP finished 2026-08-01 2026-08-08", "discharge-follow-up-due",
    TRUE, "2026-08-15", NONE },
  { "discharge/day-7-not-yet-a-gap", "enc s IMP finished 2026-08-01 2026-08-08",
    "discharge-no-follow-up", FALSE },
  { "discharge/day-8-gap", "enc s IMP finished 2026-08-01 2026-08-07", "discharge-no-follow-up",
    TRUE, "2026-08-07|7 days", "2026-08-15" },
  { "discharge/day-8-no-longer-due", "enc s IMP finished 2026-08-01 2026-08-07",
    "discharge-follow-up-due", FALSE },
  { "discharge/follow-up-day-7", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f AMB finished 2026-07-08T15:00:00Z", "discharge-no-follow-up", FALSE },
  { "discharge/follow-up-day-1-video", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f VR finished 2026-07-02", "discharge-no-follow-up", FALSE },
  { "discharge/follow-up-home", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f HH finished 2026-07-04", "discharge-no-follow-up", FALSE },
  { "discharge/follow-up-discharge-day",
    "enc s IMP finished 2026-06-27T08:00:00Z 2026-07-01T10:00:00Z;"
    "enc f AMB finished 2026-07-01T16:00:00Z", "discharge-no-follow-up", TRUE, "2026-07-01",
    "2026-07-09" },
  { "discharge/follow-up-day-8", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f AMB finished 2026-07-09", "discharge-no-follow-up", TRUE },
  { "discharge/follow-up-only-booked", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f AMB planned 2026-07-05", "discharge-no-follow-up", TRUE },
  { "discharge/follow-up-cancelled", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f AMB cancelled 2026-07-05", "discharge-no-follow-up", TRUE },
  { "discharge/follow-up-in-emergency", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc f EMER finished 2026-07-05", "discharge-no-follow-up", TRUE },
  { "discharge/90-days-ago", "enc s IMP finished 2026-05-10 2026-05-17", "discharge-no-follow-up",
    TRUE, "2026-05-17" },
  { "discharge/91-days-ago", "enc s IMP finished 2026-05-10 2026-05-16", "discharge-no-follow-up",
    FALSE },
  { "discharge/observation-stay", "enc s OBSENC finished 2026-06-30 2026-07-01",
    "discharge-no-follow-up", TRUE },
  { "discharge/emergency-visit-is-not-a-stay", "enc s EMER finished 2026-07-01 2026-07-01",
    "discharge-no-follow-up", FALSE },
  { "discharge/still-in-hospital", "enc s IMP in-progress 2026-08-01", "discharge-no-follow-up",
    FALSE },
  { "discharge/stay-entered-in-error", "enc s IMP entered-in-error 2026-06-27 2026-07-01",
    "discharge-no-follow-up", FALSE },
  { "discharge/readmitted", "enc s IMP finished 2026-06-27 2026-07-01;"
    "enc t IMP in-progress 2026-07-05", "discharge-no-follow-up", FALSE },
  { "discharge/latest-stay-counts", "enc s IMP finished 2026-06-01 2026-06-03;"
    "enc f AMB finished 2026-06-05; enc t IMP finished 2026-07-20 2026-07-25",
    "discharge-no-follow-up", TRUE, "2026-07-25", "2026-08-02" },

  /* Influenza this season (from August 1st) from 6 months of age. */
  { "flu/at-season-start", "imm 150 2026-08-01", "immunization-influenza", FALSE },
  { "flu/last-season", "imm 150 2026-07-31", "immunization-influenza", TRUE,
    "influenza|2026-08-01", "2026-08-01" },
  { "flu/before-august", "imm 197 2025-10-01", "immunization-influenza", FALSE, NULL, NULL,
    "2026-07-15" },
  { "flu/before-august-not-given", "imm 150 2025-07-31", "immunization-influenza", TRUE,
    "2025-08-01", "2025-08-01", "2026-07-15" },
  { "flu/trivalent", "imm 140 2026-08-10", "immunization-influenza", FALSE },
  { "flu/not-done", "imm 150 2026-08-10 not-done", "immunization-influenza", TRUE },
  { "flu/entered-in-error", "imm 150 2026-08-10 entered-in-error", "immunization-influenza", TRUE },
  { "flu/other-vaccine", "imm 115 2026-08-10", "immunization-influenza", TRUE },
  { "flu/5-months-old", "", "immunization-influenza", FALSE, NULL, NULL, NULL, "2026-03-16" },
  { "flu/6-months-old", "", "immunization-influenza", TRUE, NULL, "2026-08-15", NULL,
    "2026-02-15" },

  /* Pneumococcal ever from 65. */
  { "pneumococcal/turns-65-today", "", "immunization-pneumococcal", TRUE, "Age 65|pneumococcal",
    "2026-08-15", NULL, "1961-08-15" },
  { "pneumococcal/64", "", "immunization-pneumococcal", FALSE, NULL, NULL, NULL, "1961-08-16" },
  { "pneumococcal/70-with-ppsv23", "imm 33 2012-05-01", "immunization-pneumococcal", FALSE, NULL,
    NULL, NULL, "1956-01-01" },
  { "pneumococcal/70-with-pcv20", "imm 216 2023-05-01", "immunization-pneumococcal", FALSE, NULL,
    NULL, NULL, "1956-01-01" },
  { "pneumococcal/70-never", "imm 150 2025-10-01", "immunization-pneumococcal", TRUE, "Age 70",
    "2021-01-01", NULL, "1956-01-01" },

  /* Td or Tdap every 10 years from 19: 2016-08-15 is the first day. */
  { "td/at-boundary", "imm 115 2016-08-15", "immunization-td", FALSE },
  { "td/outside", "imm 115 2016-08-14", "immunization-td", TRUE, "Td/Tdap|2016-08-14|10 years",
    "2026-08-15" },
  { "td/cvx-without-zero", "imm 9 2020-01-01", "immunization-td", FALSE },
  { "td/cvx-with-zero", "imm 09 2020-01-01", "immunization-td", FALSE },
  { "td/never", "", "immunization-td", TRUE, "Age 56", "1989-03-10" },
  { "td/18-years-old", "", "immunization-td", FALSE, NULL, NULL, NULL, "2008-01-01" },

  /* Recombinant zoster from 50. */
  { "zoster/50", "", "immunization-zoster", TRUE, "zoster", "2026-08-15", NULL, "1976-08-15" },
  { "zoster/49", "", "immunization-zoster", FALSE, NULL, NULL, NULL, "1976-08-16" },
  { "zoster/given", "imm 187 2024-02-01; imm 187 2024-06-01", "immunization-zoster", FALSE },

  /* High risk without an active care plan. */
  { "care-plan/two-ed-visits", "enc a EMER finished 2025-09-01; enc b EMER finished 2026-03-01",
    "high-risk-no-care-plan", TRUE, "2 emergency visits", NONE },
  { "care-plan/ed-at-boundary", "enc a EMER finished 2025-08-15; enc b EMER finished 2026-03-01",
    "high-risk-no-care-plan", TRUE },
  { "care-plan/ed-outside", "enc a EMER finished 2025-08-14; enc b EMER finished 2026-03-01",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/one-ed-visit", "enc b EMER finished 2026-03-01", "high-risk-no-care-plan", FALSE },
  { "care-plan/ed-cancelled",
    "enc a EMER entered-in-error 2025-09-01; enc b EMER finished 2026-03-01",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/one-stay", "enc s IMP finished 2026-01-10 2026-01-14", "high-risk-no-care-plan",
    TRUE,
    "1 hospital stay" },
  { "care-plan/stay-ended-in-window", "enc s IMP finished 2025-08-10 2025-08-16",
    "high-risk-no-care-plan", TRUE },
  { "care-plan/stay-before-window", "enc s IMP finished 2025-08-01 2025-08-14",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/active-plan", "enc s IMP finished 2026-01-10 2026-01-14; plan active",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/draft-plan", "enc s IMP finished 2026-01-10 2026-01-14; plan draft",
    "high-risk-no-care-plan", TRUE },
  { "care-plan/three-chronic", "dx sct 44054006; dx icd I10; dx sct 13645005",
    "high-risk-no-care-plan", TRUE, "3 chronic conditions|diabetes|hypertension|COPD" },
  { "care-plan/two-chronic", "dx sct 44054006; dx icd I10", "high-risk-no-care-plan", FALSE },
  { "care-plan/same-condition-twice", "dx sct 44054006; dx icd E11.9; dx icd I10",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/chronic-one-resolved", "dx sct 44054006; dx icd I10; dx sct 13645005 resolved",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/not-chronic", "dx sct 44054006; dx icd I10; dx sct 195967001",
    "high-risk-no-care-plan", FALSE },
  { "care-plan/chronic-with-plan",
    "dx sct 84114007; dx sct 709044004; dx sct 35489007; plan active",
    "high-risk-no-care-plan", FALSE },
};

static void
test_gap_case (gconstpointer data)
{
  const GapCase *c = data;
  g_autoptr(CareChart) chart = build_chart (c->today, c->birth, c->chart);
  g_autoptr(GPtrArray) gaps = compute (chart);
  CareGap *gap = find_gap (gaps, c->rule);

  if (!c->fires)
    {
      if (gap != NULL)
        g_test_fail_printf ("“%s” fired: %s", c->rule, gap->reason);
      return;
    }

  if (gap == NULL)
    {
      g_test_fail_printf ("“%s” did not fire", c->rule);
      return;
    }

  if (c->reason_has != NULL)
    {
      g_auto(GStrv) texts = g_strsplit (c->reason_has, "|", -1);

      for (guint i = 0; texts[i] != NULL; i++)
        if (strstr (gap->reason, texts[i]) == NULL)
          g_test_fail_printf ("reason “%s” does not mention “%s”", gap->reason, texts[i]);
    }

  if (c->since != NULL && g_str_equal (c->since, NONE))
    g_assert_null (gap->since);
  else if (c->since != NULL)
    g_assert_cmpstr (gap->since, ==, c->since);
}

/* Everything done: nothing is due. */
static void
test_gaps_up_to_date (void)
{
  g_autoptr(CareChart) chart = NULL;
  g_autoptr(GPtrArray) gaps = NULL;

  chart = build_chart (NULL, NULL,
                       DIABETES "; dx icd I10; obs 4548-4 6.8 2026-06-01;"
                       "bp 128/78 2026-03-01; bp 150/96 2026-05-01; bp 131/82 2026-06-01;"
                       "obs 44261-6 2 2026-06-01; imm 150 2026-08-05; imm 115 2019-04-01;"
                       "imm 187 2022-01-01; plan active");
  gaps = compute (chart);

  for (guint i = 0; i < gaps->len; i++)
    g_test_message ("unexpected gap %s: %s", ((CareGap *) gaps->pdata[i])->rule,
                    ((CareGap *) gaps->pdata[i])->reason);
  g_assert_cmpuint (gaps->len, ==, 0);
}

/* Every rule at once: listed in the data file's order, each once. */
static void
test_gaps_order (void)
{
  static const char * const expected[] = {
    "diabetes-no-hba1c", "diabetes-hba1c-high", "bp-uncontrolled", "depression-screening",
    "discharge-no-follow-up", "immunization-pneumococcal", "immunization-influenza",
    "immunization-td", "immunization-zoster", "high-risk-no-care-plan",
  };
  g_autoptr(CareChart) chart = build_chart (NULL, "1950-01-01",
                                            DIABETES "; obs 4548-4 9.5 2025-01-01;"
                                            "bp 150/95 2026-05-01; bp 150/95 2026-06-01;"
                                            "enc s IMP finished 2026-06-20 2026-07-01");
  g_autoptr(GPtrArray) gaps = compute (chart);

  g_assert_cmpuint (gaps->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < gaps->len; i++)
    g_assert_cmpstr (((CareGap *) g_ptr_array_index (gaps, i))->rule, ==, expected[i]);
}

static void
test_gaps_deceased (void)
{
  g_autoptr(CareChart) chart = build_chart (NULL, "1940-01-01", DIABETES "; dead 2026-05-01");
  g_autoptr(GPtrArray) gaps = compute (chart);

  g_assert_cmpuint (gaps->len, ==, 0);
}

static void
test_gaps_no_birth_date (void)
{
  g_autoptr(CareChart) chart = care_chart_new (TODAY);
  g_autoptr(GPtrArray) gaps = NULL;

  /* No patient record at all: only rules that need no age can fire. */
  add_record (chart->conditions, "conditions", "code_system", "http://snomed.info/sct",
              "code", "44054006", "clinical_status", "active", NULL);
  gaps = compute (chart);
  g_assert_cmpuint (gaps->len, ==, 1);
  g_assert_cmpstr (((CareGap *) g_ptr_array_index (gaps, 0))->rule, ==, "diabetes-no-hba1c");
  g_assert_null (((CareGap *) g_ptr_array_index (gaps, 0))->since);
}

static void
test_gaps_bad_today (void)
{
  g_autoptr(CareChart) chart = build_chart ("15/08/2026", NULL, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) gaps = care_gaps_compute (chart, &error);

  g_assert_null (gaps);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Validation --------------------------------------------------------------- */

#define OK (-1)

typedef struct
{
  const char *loinc;
  const char *value;
  const char *unit;
  const char *date;
  int         code;         /* CareValidateError, or OK */
  double      expected;     /* the value read, when OK */
  const char *message_has;  /* "|"-separated */
} ValidateCase;

static const ValidateCase validate_cases[] = {
  { "8480-6", "1400", "mm[Hg]", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0,
    "Systolic blood pressure|1400|50|300|mm[Hg]" },
  { "8480-6", "120", "mm[Hg]", "2026-08-01", OK, 120 },
  { "8480-6", "120", "mmHg", "2026-08-01", OK, 120 },
  { "8480-6", " 120 ", NULL, "2026-08-01", OK, 120 },
  { "8480-6", "50", "", "2026-08-01", OK, 50 },
  { "8480-6", "300", "mm[Hg]", "2026-08-01", OK, 300 },
  { "8480-6", "49.9", "mm[Hg]", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "50|300" },
  { "8480-6", "301", "mm[Hg]", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "50|300" },
  { "8462-4", "15", "mm[Hg]", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "Diastolic|20|200" },
  { "8480-6", "120", "mm[Hg]", "2026-08-16", CARE_VALIDATE_ERROR_FUTURE_DATE, 0,
    "2026-08-16|2026-08-15" },
  { "8480-6", "120", "mm[Hg]", "2026-08-15", OK, 120 },
  { "8480-6", "120", "mm[Hg]", "2026-08-15T23:59:00Z", OK, 120 },
  { "8480-6", "120", "mm[Hg]", "2026-08-16T00:10:00Z", CARE_VALIDATE_ERROR_FUTURE_DATE, 0 },
  { "8480-6", "120", "mm[Hg]", "2026-02-30", CARE_VALIDATE_ERROR_INVALID_DATE, 0, "2026-02-30" },
  { "8480-6", "120", "mm[Hg]", "08/01/2026", CARE_VALIDATE_ERROR_INVALID_DATE, 0 },
  { "8480-6", "120", "mm[Hg]", "2026-08-01T25:00:00Z", CARE_VALIDATE_ERROR_INVALID_DATE, 0 },
  { "8480-6", "120", "mm[Hg]", NULL, CARE_VALIDATE_ERROR_MISSING, 0 },
  { "4548-4", "7,2", "%", "2026-08-01", OK, 7.2 },
  { "4548-4", "7.2", "%", "2026-08-01", OK, 7.2 },
  { "4548-4", "7.2", NULL, "2026-08-01", OK, 7.2 },
  { "4548-4", ",5", "%", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "3|20|%" },
  { "4548-4", "7.2", "mmol/mol", "2026-08-01", CARE_VALIDATE_ERROR_UNIT, 0, "mmol/mol|%" },
  { "29463-7", "154", "lb", "2026-08-01", CARE_VALIDATE_ERROR_UNIT, 0, "lb|kg" },
  { "29463-7", "0,4", "kg", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "0.5|400" },
  { "4548-4", "abc", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0, "abc" },
  { "4548-4", "", "%", "2026-08-01", CARE_VALIDATE_ERROR_MISSING, 0, "Hemoglobin A1c" },
  { "4548-4", "   ", "%", "2026-08-01", CARE_VALIDATE_ERROR_MISSING, 0 },
  { "4548-4", NULL, "%", "2026-08-01", CARE_VALIDATE_ERROR_MISSING, 0 },
  { "4548-4", "nan", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "NaN", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "inf", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "-inf", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "7e0", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "0x7", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "7.2.1", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "7,2%", "%", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
  { "4548-4", "-7", "%", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0 },
  { "44261-6", "9.5", "{score}", "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0,
    "PHQ-9|whole number|0|27" },
  { "44261-6", "9", "{score}", "2026-08-01", OK, 9 },
  { "44261-6", "27", NULL, "2026-08-01", OK, 27 },
  { "44261-6", "28", NULL, "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "0|27" },
  { "55758-7", "7", NULL, "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "0|6" },
  { "70274-6", "21", NULL, "2026-08-01", OK, 21 },
  { "39156-5", "27,4", "kg/m2", "2026-08-01", OK, 27.4 },
  { "33914-3", "0", "mL/min/{1.73_m2}", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0 },
  { "18262-6", "600", "mg/dL", "2026-08-01", CARE_VALIDATE_ERROR_RANGE, 0, "5|500|mg/dL" },
  /* A code without a range: only the number and the date are checked. */
  { "99999-9", "12345", "things", "2026-08-01", OK, 12345 },
  { "99999-9", "abc", NULL, "2026-08-01", CARE_VALIDATE_ERROR_INVALID_VALUE, 0 },
};

static void
test_validate_case (gconstpointer data)
{
  const ValidateCase *c = data;
  g_autoptr(GError) error = NULL;
  double value = -12345;
  gboolean ok;

  ok = care_validate_observation (c->loinc, c->value, c->unit, c->date, TODAY, &value, &error);
  if (c->code == OK)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpfloat_with_epsilon (value, c->expected, 1e-9);
      return;
    }

  g_assert_false (ok);
  g_assert_error (error, CARE_VALIDATE_ERROR, c->code);
  g_assert_cmpfloat (value, ==, -12345);
  g_test_message ("%s", error->message);
  if (c->message_has != NULL)
    {
      g_auto(GStrv) texts = g_strsplit (c->message_has, "|", -1);

      for (guint i = 0; texts[i] != NULL; i++)
        if (strstr (error->message, texts[i]) == NULL)
          g_test_fail_printf ("message “%s” does not mention “%s”", error->message, texts[i]);
    }
}

static void
test_validate_date (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *today = NULL;

  g_assert_true (care_validate_date ("Onset date", "2026-08-15", TODAY, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (care_validate_date ("Due date", "2027-01-01", TODAY, TRUE, &error));
  g_assert_no_error (error);

  g_assert_false (care_validate_date ("Onset date", "2026-08-16", TODAY, FALSE, &error));
  g_assert_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_FUTURE_DATE);
  g_assert_nonnull (strstr (error->message, "Onset date"));
  g_clear_error (&error);

  g_assert_false (care_validate_date ("Onset date", "yesterday", TODAY, TRUE, &error));
  g_assert_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_INVALID_DATE);
  g_assert_nonnull (strstr (error->message, "yesterday"));
  g_clear_error (&error);

  g_assert_false (care_validate_date ("Onset date", "0026-08-01", TODAY, FALSE, &error));
  g_assert_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_INVALID_DATE);
  g_clear_error (&error);

  g_assert_false (care_validate_date ("Onset date", "", TODAY, FALSE, &error));
  g_assert_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_MISSING);
  g_clear_error (&error);

  /* Without a today, the local one: tomorrow is always refused. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);

    today = g_date_time_format (tomorrow, "%Y-%m-%d");
    g_assert_false (care_validate_date ("Date", today, NULL, FALSE, &error));
    g_assert_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_FUTURE_DATE);
  }
}

static void
test_validate_data (void)
{
  static const char * const required[] = {
    "8480-6", "8462-4", "4548-4", "29463-7", "39156-5", "44261-6", "33914-3", "18262-6",
    "8302-2", "2093-3", "2085-9", "2571-8", "2339-0", "55758-7", "70274-6", "14959-1",
  };
  g_autoptr(GPtrArray) codes = care_validate_known_observations ();

  g_assert_cmpuint (codes->len, ==, G_N_ELEMENTS (required));
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      g_assert_true (g_ptr_array_find_with_equal_func (codes, required[i], g_str_equal, NULL));
      g_assert_nonnull (care_validate_observation_display (required[i]));
      g_assert_nonnull (care_validate_default_unit (required[i]));
    }
  g_assert_cmpstr (g_ptr_array_index (codes, 0), ==, "8480-6");

  g_assert_cmpstr (care_validate_default_unit ("8480-6"), ==, "mm[Hg]");
  g_assert_cmpstr (care_validate_default_unit ("44261-6"), ==, "{score}");
  g_assert_cmpstr (care_validate_default_unit ("4548-4"), ==, "%");
  g_assert_null (care_validate_default_unit ("99999-9"));
  g_assert_cmpstr (care_validate_observation_display ("4548-4"), ==, "Hemoglobin A1c");
  g_assert_null (care_validate_observation_display ("99999-9"));
}

/* Repeated tests ----------------------------------------------------------- */

typedef struct
{
  const char *path;
  const char *chart;
  const char *loinc;      /* of the new result */
  const char *date;       /* of the new result; NULL: today */
  int         days_ago;   /* -1: no warning */
  const char *test;
  int         window_days;
} RepeatCase;

static const RepeatCase repeat_cases[] = {
  { "hba1c-89-days", "obs 4548-4 7.0 2026-05-18", "4548-4", TODAY, 89, "Hemoglobin A1c", 90 },
  { "hba1c-90-days", "obs 4548-4 7.0 2026-05-17", "4548-4", TODAY, 90, "Hemoglobin A1c", 90 },
  { "hba1c-91-days", "obs 4548-4 7.0 2026-05-16", "4548-4", TODAY, -1 },
  { "hba1c-same-day", "obs 4548-4 7.0 2026-08-15T08:00:00Z", "4548-4", NULL, 0, "Hemoglobin A1c",
    90 },
  { "hba1c-most-recent",
    "obs 4548-4 7.0 2026-06-01; obs 4548-4 7.0 2026-07-01; obs 4548-4 7.0 2026-05-20",
    "4548-4", "2026-08-15T10:00:00Z", 45, "Hemoglobin A1c", 90 },
  { "hba1c-entered-in-error", "obs 4548-4 7.0 2026-08-01 entered-in-error", "4548-4", TODAY, -1 },
  { "hba1c-later-only", "obs 4548-4 7.0 2026-08-01", "4548-4", "2026-07-01", -1 },
  { "hba1c-backdated", "obs 4548-4 7.0 2026-05-01; obs 4548-4 7.0 2026-08-01", "4548-4",
    "2026-07-01", 61, "Hemoglobin A1c", 90 },
  { "lipid-panel-ldl-then-total", "obs 18262-6 130 2026-01-27", "2093-3", TODAY, 200, "Lipid panel",
    365 },
  { "lipid-panel-outside", "obs 18262-6 130 2025-08-14", "2093-3", TODAY, -1 },
  { "egfr", "obs 33914-3 55 2026-07-01", "33914-3", TODAY, 45, "eGFR / creatinine", 90 },
  { "urine-albumin", "obs 14959-1 25 2026-01-01", "14959-1", TODAY, 226,
    "Urine albumin/creatinine ratio", 365 },
  { "different-test", "obs 18262-6 130 2026-07-01", "4548-4", TODAY, -1 },
  { "blood-pressure-never", "bp 120/80 2026-08-14; bp 122/81 2026-08-15", "8480-6", TODAY, -1 },
  { "phq-9-never", "obs 44261-6 4 2026-08-01", "44261-6", TODAY, -1 },
  { "weight-never", "obs 29463-7 80 2026-08-01", "29463-7", TODAY, -1 },
};

static void
test_repeat_case (gconstpointer data)
{
  const RepeatCase *c = data;
  g_autoptr(CareChart) chart = build_chart (NULL, NULL, c->chart);
  g_autoptr(CareRepeatTest) repeat = care_validate_repeat_test (chart, c->loinc, c->date);

  if (c->days_ago < 0)
    {
      if (repeat != NULL)
        g_test_fail_printf ("warned: %s %d days ago", repeat->test, repeat->days_ago);
      return;
    }

  g_assert_nonnull (repeat);
  g_assert_cmpint (repeat->days_ago, ==, c->days_ago);
  g_assert_cmpstr (repeat->test, ==, c->test);
  g_assert_cmpint (repeat->window_days, ==, c->window_days);
  g_assert_true (CARE_IS_RECORD (repeat->existing));
  g_assert_true (g_ptr_array_find (chart->observations, repeat->existing, NULL));
}

/* The demo clinic ---------------------------------------------------------- */

static const char * const known_rules[] = {
  "diabetes-no-hba1c", "diabetes-hba1c-high", "bp-uncontrolled", "depression-screening",
  "discharge-no-follow-up", "discharge-follow-up-due", "immunization-pneumococcal",
  "immunization-influenza", "immunization-td", "immunization-zoster", "high-risk-no-care-plan",
  NULL
};

/* The generator's records: every observation passes the checks as it is (so the
 * ranges accept the generator's units), and the rules run on every patient. */
static void
test_generated_clinic (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GHashTable) fired = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) observations = NULL;
  GHashTableIter iter;
  gpointer key, count;

  care_test_generate (db, 60, 7, TODAY);

  observations = care_db_list (db, "test:clinical", "observations", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (observations->len, >, 100);
  for (guint i = 0; i < observations->len; i++)
    {
      CareRecord *observation = g_ptr_array_index (observations, i);
      const char *loinc = care_record_get (observation, "loinc");
      double value;

      g_assert_nonnull (care_validate_default_unit (loinc));
      if (!care_validate_observation (loinc, care_record_get (observation, "value_num"),
                                      care_record_get (observation, "unit"),
                                      care_record_get (observation, "effective_at"), TODAY,
                                      &value, &error))
        g_error ("%s %s %s: %s", loinc, care_record_get (observation, "value_num"),
                 care_record_get (observation, "unit"), error->message);
    }

  patients = care_db_list (db, "test:clinical", "patients", NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint p = 0; p < patients->len; p++)
    {
      CareRecord *patient = g_ptr_array_index (patients, p);
      const char *id = care_record_get_id (patient);
      g_autoptr(CareChart) chart = care_chart_new (TODAY);
      g_autoptr(GPtrArray) gaps = NULL;
      struct { const char *table; GPtrArray **list; } tables[] = {
        { "conditions", &chart->conditions }, { "observations", &chart->observations },
        { "encounters", &chart->encounters }, { "immunizations", &chart->immunizations },
        { "care_plans", &chart->care_plans },
      };

      chart->patient = g_object_ref (patient);
      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          g_clear_pointer (tables[t].list, g_ptr_array_unref);
          *tables[t].list = care_db_list (db, "test:clinical", tables[t].table, id, NULL, &error);
          g_assert_no_error (error);
        }

      gaps = compute (chart);
      for (guint i = 0; i < gaps->len; i++)
        {
          const char *rule = ((CareGap *) g_ptr_array_index (gaps, i))->rule;
          guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (fired, rule));

          g_assert_true (g_strv_contains (known_rules, rule));
          g_hash_table_replace (fired, g_strdup (rule), GUINT_TO_POINTER (seen + 1));
        }
    }

  /* The demo clinic's care is good but not perfect: several kinds of gap show. */
  g_hash_table_iter_init (&iter, fired);
  while (g_hash_table_iter_next (&iter, &key, &count))
    g_test_message ("%s: %u patients", (const char *) key, GPOINTER_TO_UINT (count));
  g_assert_cmpuint (g_hash_table_size (fired), >=, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (gap_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/gaps/%s", gap_cases[i].path);

      g_test_add_data_func (path, &gap_cases[i], test_gap_case);
    }
  g_test_add_func ("/gaps/up-to-date", test_gaps_up_to_date);
  g_test_add_func ("/gaps/order", test_gaps_order);
  g_test_add_func ("/gaps/deceased", test_gaps_deceased);
  g_test_add_func ("/gaps/no-birth-date", test_gaps_no_birth_date);
  g_test_add_func ("/gaps/bad-today", test_gaps_bad_today);

  for (guint i = 0; i < G_N_ELEMENTS (validate_cases); i++)
    {
      const ValidateCase *c = &validate_cases[i];
      g_autofree char *path = g_strdup_printf ("/validate/observation/%u-%s-%s", i, c->loinc,
                                               c->code == OK ? "ok" : "refused");

      g_test_add_data_func (path, c, test_validate_case);
    }
  g_test_add_func ("/validate/date", test_validate_date);
  g_test_add_func ("/validate/data", test_validate_data);

  for (guint i = 0; i < G_N_ELEMENTS (repeat_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/repeat/%s", repeat_cases[i].path);

      g_test_add_data_func (path, &repeat_cases[i], test_repeat_case);
    }

  g_test_add_func ("/clinical/generated-clinic", test_generated_clinic);

  return g_test_run ();
}
