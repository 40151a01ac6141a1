/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-gaps"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "care-clinical-resources.h"
#include "care-gaps.h"
#include "care-text.h"

/*
 * The rules and every parameter they use (windows, thresholds, codes, value sets,
 * the immunization schedule) are in rules/care-gaps.json, so that next year's
 * measure changes edit data rather than code. The code here only knows how to
 * evaluate each kind of rule ("check"); a rule's id, its place in the list and its
 * parameters come from the file, which is checked in full when first read.
 *
 * Dates are compared as Julian day numbers (GDate). A date-time such as
 * "2026-05-01T10:00:00Z" counts by the date written in it. Records dated after
 * today, and records entered in error or cancelled, are not looked at.
 */

#define RULES_PATH RESOURCE_BASE "/clinical/care-gaps.json"

/* Names in the data file that people read; kept here so that they are translated
 * (gettext looks them up by their English text). Loading warns about any name
 * of the data file missing from this list. */
static const char * const data_names[] = {
  /* Translators: condition names, shown inside sentences such as
   * "3 chronic conditions (diabetes, hypertension, COPD)". */
  N_("diabetes"), N_("hypertension"), N_("heart failure"), N_("COPD"),
  N_("chronic kidney disease"), N_("depression"), N_("bipolar disorder"),
  /* Translators: vaccine names, shown as "Vaccine due: influenza" and
   * "No influenza vaccine this season". */
  N_("pneumococcal"), N_("influenza"), N_("Td/Tdap"), N_("zoster"),
  NULL,
};

typedef struct
{
  JsonNode   *root;         /* sealed: read from any thread */
  JsonObject *value_sets;
  JsonArray  *void_statuses;
  JsonArray  *active_clinical;
  JsonArray  *refuted_verification;
  JsonArray  *rules;
} Rules;

typedef struct
{
  const Rules     *rules;
  const CareChart *chart;
  guint32          today;       /* Julian day */
  guint32          birth;       /* Julian day, 0 when unknown */
  int              age;         /* whole years, -1 when unknown */
  GHashTable      *encounters;  /* id -> CareRecord */
  GPtrArray       *gaps;
} Eval;

typedef void (*CheckFunc) (Eval       *eval,
                           const char *id,
                           JsonObject *rule);

typedef enum
{
  PARAM_INT,          /* a whole number, 0 or more */
  PARAM_NUMBER,
  PARAM_STRING,
  PARAM_CODES,        /* a non-empty list of strings */
  PARAM_VALUE_SET,    /* the name of a value set */
  PARAM_VALUE_SETS,   /* a non-empty list of value set names */
  PARAM_MONTH_DAY,    /* "MM-DD" */
} ParamType;

typedef struct
{
  const char *name;
  ParamType   type;
  gboolean    optional;
} Param;

/* Dates -------------------------------------------------------------------- */

static guint32
julian_from_dmy (int year,
                 int month,
                 int day)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return g_date_get_julian (&date);
}

/* The Julian day of "YYYY-MM-DD", or of the date written in an ISO date-time;
 * 0 when @text is not one. */
static guint32
julian_of (const char *text)
{
  static const guint digits[] = { 0, 1, 2, 3, 5, 6, 8, 9 };
  int year, month, day;

  if (text == NULL || strlen (text) < 10 || text[4] != '-' || text[7] != '-')
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    if (!g_ascii_isdigit (text[digits[i]]))
      return 0;
  if (text[10] != '\0' && text[10] != 'T' && text[10] != ' ')
    return 0;

  year = atoi (text);
  month = atoi (text + 5);
  day = atoi (text + 8);
  if (year < 1000 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return 0;

  return julian_from_dmy (year, month, day);
}

static char *
format_julian (guint32 day)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}

/* @day moved by @months (negative: back); the day of the month is clamped to the
 * end of a shorter month, as GDate does. */
static guint32
shift_months (guint32 day,
              int     months)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  if (months >= 0)
    g_date_add_months (&date, (guint) months);
  else
    g_date_subtract_months (&date, (guint) -months);
  return g_date_get_julian (&date);
}

/* The first day a record of @day is outside a window of @months that counts back
 * from today (a record on the window's first day is inside it). */
static guint32
day_after_window (guint32 day,
                  int     months)
{
  return shift_months (day, months) + 1;
}

/* Numbers as people read them, in the current locale ("9.4", "9,4" in Spanish). */
static char *
format_number (double value)
{
  return g_strdup_printf ("%g", value);
}

/* Helpers ------------------------------------------------------------------ */

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  if (array == NULL || value == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;

  return FALSE;
}

/* Records ------------------------------------------------------------------ */

static gboolean
is_void (Eval       *eval,
         CareRecord *record)
{
  return array_has_string (eval->rules->void_statuses, care_record_get (record, "status"));
}

/* An encounter that has not happened: an appointment, or void. */
static gboolean
is_not_held (Eval       *eval,
             CareRecord *encounter)
{
  return is_void (eval, encounter) ||
         g_strcmp0 (care_record_get (encounter, "status"), "planned") == 0;
}

/* @pattern: a code, or a prefix followed by "*" ("E11*" matches "E11.9"). */
static gboolean
code_matches (const char *pattern,
              const char *code)
{
  size_t length = strlen (pattern);

  if (length > 0 && pattern[length - 1] == '*')
    return strncmp (pattern, code, length - 1) == 0;

  return g_str_equal (pattern, code);
}

static gboolean
codes_match (JsonArray  *patterns,
             const char *code)
{
  if (code == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (patterns); i++)
    if (code_matches (json_array_get_string_element (patterns, i), code))
      return TRUE;

  return FALSE;
}

/* CVX codes are written with and without a leading zero ("09", "9"). */
static const char *
cvx_key (const char *cvx)
{
  while (cvx[0] == '0' && cvx[1] != '\0')
    cvx++;
  return cvx;
}

static gboolean
cvx_listed (JsonArray  *list,
            const char *cvx)
{
  if (cvx == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_str_equal (cvx_key (json_array_get_string_element (list, i)), cvx_key (cvx)))
      return TRUE;

  return FALSE;
}

static gboolean
in_value_set (Eval       *eval,
              const char *value_set,
              CareRecord *condition)
{
  JsonObject *set = json_object_get_object_member (eval->rules->value_sets, value_set);
  JsonObject *codes = json_object_get_object_member (set, "codes");
  const char *system = care_record_get (condition, "code_system");
  const char *code = care_record_get (condition, "code");
  JsonObjectIter iter;
  const char *name;
  JsonNode *list;

  /* A code without a system is compared with every system's codes. */
  if (system != NULL && *system != '\0')
    return json_object_has_member (codes, system) &&
           codes_match (json_object_get_array_member (codes, system), code);

  json_object_iter_init (&iter, codes);
  while (json_object_iter_next (&iter, &name, &list))
    if (codes_match (json_node_get_array (list), code))
      return TRUE;

  return FALSE;
}

/* The active condition of @value_set with the earliest onset, or NULL. Active:
 * a clinical status of the data file's list and a verification that is not
 * refuted or entered in error. */
static CareRecord *
find_active_condition (Eval       *eval,
                       const char *value_set)
{
  CareRecord *found = NULL;
  guint32 found_onset = G_MAXUINT32;

  for (guint i = 0; i < eval->chart->conditions->len; i++)
    {
      CareRecord *condition = g_ptr_array_index (eval->chart->conditions, i);
      guint32 onset;

      if (!array_has_string (eval->rules->active_clinical,
                             care_record_get (condition, "clinical_status")) ||
          array_has_string (eval->rules->refuted_verification,
                            care_record_get (condition, "verification_status")) ||
          !in_value_set (eval, value_set, condition))
        continue;

      onset = julian_of (care_record_get (condition, "onset_date"));
      if (onset == 0)
        onset = G_MAXUINT32 - 1;
      if (found == NULL || onset < found_onset)
        {
          found = condition;
          found_onset = onset;
        }
    }

  return found;
}

static const char *
value_set_display (Eval       *eval,
                   const char *value_set)
{
  JsonObject *set = json_object_get_object_member (eval->rules->value_sets, value_set);

  return _(json_object_get_string_member (set, "display"));
}

static gboolean
has_value (CareRecord *observation)
{
  const char *value = care_record_get (observation, "value_num");

  return value != NULL && *value != '\0';
}

/* The latest observation of one of @loinc dated up to today, not void, with a
 * number if @with_value; its day in @day_out. Ties on a day go to the later time. */
static CareRecord *
latest_observation (Eval       *eval,
                    JsonArray  *loinc,
                    gboolean    with_value,
                    const char *unit,
                    guint32    *day_out)
{
  CareRecord *latest = NULL;
  guint32 latest_day = 0;

  for (guint i = 0; i < eval->chart->observations->len; i++)
    {
      CareRecord *observation = g_ptr_array_index (eval->chart->observations, i);
      const char *observation_unit = care_record_get (observation, "unit");
      guint32 day = julian_of (care_record_get (observation, "effective_at"));

      if (day == 0 || day > eval->today || is_void (eval, observation) ||
          !array_has_string (loinc, care_record_get (observation, "loinc")))
        continue;
      if (with_value && !has_value (observation))
        continue;
      /* A value recorded in another unit cannot be compared with the threshold. */
      if (unit != NULL && observation_unit != NULL && *observation_unit != '\0' &&
          !g_str_equal (unit, observation_unit))
        continue;

      if (latest == NULL || day > latest_day ||
          (day == latest_day && g_strcmp0 (care_record_get (observation, "effective_at"),
                                           care_record_get (latest, "effective_at")) >= 0))
        {
          latest = observation;
          latest_day = day;
        }
    }

  *day_out = latest_day;
  return latest;
}

static void
add_gap (Eval       *eval,
         const char *rule,
         const char *title,
         char       *reason,
         guint32     since)
{
  CareGap *gap = g_new0 (CareGap, 1);

  gap->rule = g_strdup (rule);
  gap->title = g_strdup (title);
  gap->reason = reason;
  gap->since = since != 0 ? format_julian (MIN (since, eval->today)) : NULL;
  g_ptr_array_add (eval->gaps, gap);
}

static int
param_int (JsonObject *rule,
           const char *name)
{
  return (int) json_object_get_int_member_with_default (rule, name, 0);
}

/* The checks --------------------------------------------------------------- */

/* Diabetes without an HbA1c in the window (HEDIS GSD / CMS122 count a missing
 * result as poor control; ADA advises testing at least twice a year). */
static void
check_hba1c_missing (Eval       *eval,
                     const char *id,
                     JsonObject *rule)
{
  int months = param_int (rule, "window_months");
  CareRecord *diabetes, *last;
  guint32 last_day;

  diabetes = find_active_condition (eval, json_object_get_string_member (rule, "condition"));
  if (diabetes == NULL)
    return;

  last = latest_observation (eval, json_object_get_array_member (rule, "loinc"), FALSE, NULL,
                             &last_day);
  if (last != NULL && last_day >= shift_months (eval->today, -months))
    return;

  if (last != NULL)
    {
      g_autofree char *date = format_julian (last_day);

      add_gap (eval, id, _("HbA1c overdue"),
               g_strdup_printf (ngettext ("Diabetic; last HbA1c %s (more than %d month ago)",
                                          "Diabetic; last HbA1c %s (more than %d months ago)",
                                          months), date, months),
               day_after_window (last_day, months));
    }
  else
    {
      /* Open since the diagnosis, when it is known. */
      add_gap (eval, id, _("HbA1c overdue"), g_strdup (_("Diabetic; no HbA1c on record")),
               julian_of (care_record_get (diabetes, "onset_date")));
    }
}

/* Diabetes whose latest HbA1c is above the threshold (HEDIS GSD, CMS122). */
static void
check_hba1c_above (Eval       *eval,
                   const char *id,
                   JsonObject *rule)
{
  const char *unit = json_object_get_string_member (rule, "unit");
  double above = json_object_get_double_member (rule, "above");
  g_autofree char *value_text = NULL;
  g_autofree char *above_text = NULL;
  g_autofree char *date = NULL;
  CareRecord *last;
  guint32 last_day;
  double value;

  if (find_active_condition (eval, json_object_get_string_member (rule, "condition")) == NULL)
    return;

  last = latest_observation (eval, json_object_get_array_member (rule, "loinc"), TRUE, unit,
                             &last_day);
  if (last == NULL || (value = care_record_get_double (last, "value_num")) <= above)
    return;

  value_text = format_number (value);
  above_text = format_number (above);
  date = format_julian (last_day);
  add_gap (eval, id, _("HbA1c poor control"),
           /* Translators: "Diabetic; last HbA1c 9.4 % on 2026-03-01 (above 9 %)". */
           g_strdup_printf (_("Diabetic; last HbA1c %s %s on %s (above %s %s)"), value_text, unit,
                            date, above_text, unit),
           last_day);
}

typedef struct
{
  guint32 day;
  double  systolic;    /* the lowest of the day */
  double  diastolic;
  guint   has_systolic : 1;
  guint   has_diastolic : 1;
} BpVisit;

static int
compare_visits_latest_first (gconstpointer a,
                             gconstpointer b)
{
  const BpVisit *x = *(BpVisit * const *) a;
  const BpVisit *y = *(BpVisit * const *) b;

  return x->day < y->day ? 1 : x->day > y->day ? -1 : 0;
}

/* Blood pressure at or above the thresholds at each of the last visits with a
 * blood pressure (HEDIS CBP / CMS165: the lowest systolic and the lowest diastolic
 * of a day; readings taken in emergency or inpatient encounters do not count). */
static void
check_blood_pressure (Eval       *eval,
                      const char *id,
                      JsonObject *rule)
{
  JsonArray *systolic_codes = json_object_get_array_member (rule, "systolic_loinc");
  JsonArray *diastolic_codes = json_object_get_array_member (rule, "diastolic_loinc");
  JsonArray *excluded = json_object_has_member (rule, "excluded_encounter_classes")
                          ? json_object_get_array_member (rule, "excluded_encounter_classes")
                          : NULL;
  double systolic_limit = json_object_get_double_member (rule, "systolic_at_least");
  double diastolic_limit = json_object_get_double_member (rule, "diastolic_at_least");
  guint n_visits = (guint) MAX (param_int (rule, "visits"), 1);
  g_autoptr(GHashTable) by_day = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autoptr(GPtrArray) visits = g_ptr_array_new ();
  g_autoptr(GString) readings = g_string_new (NULL);
  g_autofree char *systolic_text = NULL;
  g_autofree char *diastolic_text = NULL;
  GHashTableIter iter;
  BpVisit *visit;
  guint run = 0;

  for (guint i = 0; i < eval->chart->observations->len; i++)
    {
      CareRecord *observation = g_ptr_array_index (eval->chart->observations, i);
      const char *loinc = care_record_get (observation, "loinc");
      const char *encounter_id = care_record_get (observation, "encounter_id");
      guint32 day = julian_of (care_record_get (observation, "effective_at"));
      gboolean systolic = array_has_string (systolic_codes, loinc);
      CareRecord *encounter;
      double value;

      if ((!systolic && !array_has_string (diastolic_codes, loinc)) || day == 0 ||
          day > eval->today || is_void (eval, observation) || !has_value (observation))
        continue;

      encounter = encounter_id != NULL ? g_hash_table_lookup (eval->encounters, encounter_id)
                                       : NULL;
      if (encounter != NULL && array_has_string (excluded, care_record_get (encounter, "class")))
        continue;

      visit = g_hash_table_lookup (by_day, GUINT_TO_POINTER (day));
      if (visit == NULL)
        {
          visit = g_new0 (BpVisit, 1);
          visit->day = day;
          g_hash_table_insert (by_day, GUINT_TO_POINTER (day), visit);
        }

      value = care_record_get_double (observation, "value_num");
      if (systolic && (!visit->has_systolic || value < visit->systolic))
        {
          visit->systolic = value;
          visit->has_systolic = TRUE;
        }
      else if (!systolic && (!visit->has_diastolic || value < visit->diastolic))
        {
          visit->diastolic = value;
          visit->has_diastolic = TRUE;
        }
    }

  /* A visit with a blood pressure has both numbers. */
  g_hash_table_iter_init (&iter, by_day);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &visit))
    if (visit->has_systolic && visit->has_diastolic)
      g_ptr_array_add (visits, visit);
  g_ptr_array_sort (visits, compare_visits_latest_first);

  while (run < visits->len)
    {
      visit = g_ptr_array_index (visits, run);
      if (visit->systolic < systolic_limit && visit->diastolic < diastolic_limit)
        break;
      run++;
    }
  if (run < n_visits)
    return;

  for (guint i = 0; i < n_visits; i++)
    {
      g_autofree char *systolic = NULL;
      g_autofree char *diastolic = NULL;
      g_autofree char *date = NULL;

      visit = g_ptr_array_index (visits, i);
      systolic = format_number (visit->systolic);
      diastolic = format_number (visit->diastolic);
      date = format_julian (visit->day);
      if (i > 0)
        g_string_append (readings, ", ");
      /* Translators: one blood pressure reading, "150/95 on 2026-05-10". */
      g_string_append_printf (readings, _("%s/%s on %s"), systolic, diastolic, date);
    }

  systolic_text = format_number (systolic_limit);
  diastolic_text = format_number (diastolic_limit);
  /* The gap opened at the visit that made the run of high readings long enough. */
  visit = g_ptr_array_index (visits, run - n_visits);
  add_gap (eval, id, _("Blood pressure not controlled"),
           g_strdup_printf (ngettext ("Blood pressure %s (%s/%s or above at the last %u visit)",
                                      "Blood pressure %s (%s/%s or above at each of the last "
                                      "%u visits)", n_visits),
                            readings->str, systolic_text, diastolic_text, n_visits),
           visit->day);
}

/* The day someone born on @birth reaches @years and @months of age. */
static guint32
day_of_age (guint32 birth,
            int     years,
            int     months)
{
  return shift_months (birth, years * 12 + months);
}

/* No depression screening in the window from age 12, unless depression or
 * bipolar disorder is an active diagnosis (CMS2 and its exclusions). */
static void
check_depression_screening (Eval       *eval,
                            const char *id,
                            JsonObject *rule)
{
  int months = param_int (rule, "window_months");
  int min_age = param_int (rule, "min_age_years");
  JsonArray *excluded = json_object_has_member (rule, "excluded_conditions")
                          ? json_object_get_array_member (rule, "excluded_conditions")
                          : NULL;
  CareRecord *last;
  guint32 last_day, eligible;

  if (eval->birth == 0 || (eligible = day_of_age (eval->birth, min_age, 0)) > eval->today)
    return;

  for (guint i = 0; excluded != NULL && i < json_array_get_length (excluded); i++)
    if (find_active_condition (eval, json_array_get_string_element (excluded, i)) != NULL)
      return;

  last = latest_observation (eval, json_object_get_array_member (rule, "loinc"), FALSE, NULL,
                             &last_day);
  if (last != NULL && last_day >= shift_months (eval->today, -months))
    return;

  if (last != NULL)
    {
      g_autofree char *date = format_julian (last_day);

      add_gap (eval, id, _("Depression screening due"),
               g_strdup_printf (ngettext ("Last depression screening %s (more than %d month ago)",
                                          "Last depression screening %s (more than %d months ago)",
                                          months), date, months),
               MAX (day_after_window (last_day, months), eligible));
    }
  else
    {
      add_gap (eval, id, _("Depression screening due"),
               g_strdup_printf (_("Age %d; no depression screening (PHQ-2, PHQ-9) on record"),
                                eval->age),
               eligible);
    }
}

/* A hospital stay discharged in the look-back without a follow-up visit within the
 * given days after the discharge day (HEDIS TRC patient engagement, FUH 7-day
 * rate: a visit on the day of discharge does not count). Until the last day a
 * visit counts, it is reported as due (the rule's "due_id"), not yet as a gap. */
static void
check_discharge_follow_up (Eval       *eval,
                           const char *id,
                           JsonObject *rule)
{
  JsonArray *stay_classes = json_object_get_array_member (rule, "stay_classes");
  JsonArray *follow_up_classes = json_object_get_array_member (rule, "follow_up_classes");
  JsonArray *follow_up_statuses = json_object_get_array_member (rule, "follow_up_statuses");
  const char *due_id = json_object_get_string_member_with_default (rule, "due_id", NULL);
  int days = param_int (rule, "follow_up_days");
  int lookback = param_int (rule, "lookback_days");
  g_autofree char *discharge_text = NULL;
  g_autofree char *due_text = NULL;
  guint32 discharge = 0, due_by;

  /* The latest discharge in the look-back: a stay that ended up to today. */
  for (guint i = 0; i < eval->chart->encounters->len; i++)
    {
      CareRecord *encounter = g_ptr_array_index (eval->chart->encounters, i);
      guint32 end = julian_of (care_record_get (encounter, "end_at"));

      if (end != 0 && end <= eval->today && end + (guint32) lookback >= eval->today &&
          end > discharge && !is_not_held (eval, encounter) &&
          array_has_string (stay_classes, care_record_get (encounter, "class")))
        discharge = end;
    }
  if (discharge == 0)
    return;

  due_by = discharge + (guint32) days;
  for (guint i = 0; i < eval->chart->encounters->len; i++)
    {
      CareRecord *encounter = g_ptr_array_index (eval->chart->encounters, i);
      const char *klass = care_record_get (encounter, "class");
      guint32 start = julian_of (care_record_get (encounter, "start_at"));

      if (start <= discharge || start > eval->today || is_void (eval, encounter))
        continue;

      /* Back in hospital: the follow-up counts from the next discharge. */
      if (array_has_string (stay_classes, klass) && !is_not_held (eval, encounter))
        return;

      if (start <= due_by && array_has_string (follow_up_classes, klass) &&
          array_has_string (follow_up_statuses, care_record_get (encounter, "status")))
        return;
    }

  discharge_text = format_julian (discharge);
  due_text = format_julian (due_by);
  if (eval->today <= due_by)
    {
      if (due_id != NULL)
        add_gap (eval, due_id, _("Post-discharge follow-up due"),
                 g_strdup_printf (_("Discharged %s; a follow-up visit is due by %s"),
                                  discharge_text, due_text),
                 0);
      return;
    }

  add_gap (eval, id, _("No follow-up after discharge"),
           g_strdup_printf (ngettext ("Discharged %s; no follow-up visit within %d day (by %s)",
                                      "Discharged %s; no follow-up visit within %d days (by %s)",
                                      days), discharge_text, days, due_text),
           due_by + 1);
}

/* A vaccine of the schedule: never given from the minimum age on, not given
 * within its interval, or not given this season. */
static void
check_immunization (Eval       *eval,
                    const char *id,
                    JsonObject *rule)
{
  JsonArray *cvx = json_object_get_array_member (rule, "cvx");
  const char *vaccine = _(json_object_get_string_member (rule, "vaccine"));
  const char *season = json_object_get_string_member_with_default (rule, "season_start", NULL);
  int interval = param_int (rule, "interval_years");
  g_autofree char *title = NULL;
  g_autofree char *date = NULL;
  guint32 eligible, last_day = 0;

  if (eval->birth == 0)
    return;
  eligible = day_of_age (eval->birth, param_int (rule, "min_age_years"),
                         param_int (rule, "min_age_months"));
  if (eligible > eval->today)
    return;

  for (guint i = 0; i < eval->chart->immunizations->len; i++)
    {
      CareRecord *immunization = g_ptr_array_index (eval->chart->immunizations, i);
      const char *status = care_record_get (immunization, "status");
      guint32 day = julian_of (care_record_get (immunization, "occurrence_date"));

      /* Only doses given count: not "not-done", nor void. */
      if (day == 0 || day > eval->today || (status != NULL && !g_str_equal (status, "completed")) ||
          !cvx_listed (cvx, care_record_get (immunization, "cvx")))
        continue;
      last_day = MAX (last_day, day);
    }

  /* Translators: a care gap's title; %s is a vaccine name such as "influenza". */
  title = g_strdup_printf (_("Vaccine due: %s"), vaccine);

  if (season != NULL)
    {
      GDate today;
      guint32 season_start;
      int year;

      g_date_clear (&today, 1);
      g_date_set_julian (&today, eval->today);
      year = g_date_get_year (&today);
      season_start = julian_from_dmy (year, atoi (season), atoi (season + 3));
      if (season_start > eval->today)
        season_start = julian_from_dmy (year - 1, atoi (season), atoi (season + 3));
      if (last_day >= season_start)
        return;

      date = format_julian (season_start);
      add_gap (eval, id, title,
               /* Translators: "No influenza vaccine this season (since 2026-08-01)". */
               g_strdup_printf (_("No %s vaccine this season (since %s)"), vaccine, date),
               MAX (season_start, eligible));
      return;
    }

  if (last_day != 0 &&
      (interval == 0 || last_day >= shift_months (eval->today, -12 * interval)))
    return;

  if (last_day != 0)
    {
      date = format_julian (last_day);
      add_gap (eval, id, title,
               g_strdup_printf (ngettext ("Last %s vaccine %s (more than %d year ago)",
                                          "Last %s vaccine %s (more than %d years ago)",
                                          interval), vaccine, date, interval),
               MAX (day_after_window (last_day, 12 * interval), eligible));
      return;
    }

  add_gap (eval, id, title,
           /* Translators: "Age 67; no pneumococcal vaccine on record". */
           g_strdup_printf (_("Age %d; no %s vaccine on record"), eval->age, vaccine), eligible);
}

/* A high-risk patient (emergency visits, hospital stays or several chronic
 * conditions, all counted by the data file's parameters) with no active care plan. */
static void
check_care_plan (Eval       *eval,
                 const char *id,
                 JsonObject *rule)
{
  JsonArray *ed_classes = json_object_get_array_member (rule, "ed_classes");
  JsonArray *stay_classes = json_object_get_array_member (rule, "stay_classes");
  JsonArray *chronic = json_object_get_array_member (rule, "chronic_conditions");
  JsonArray *plan_statuses = json_object_get_array_member (rule, "care_plan_statuses");
  int months = param_int (rule, "window_months");
  guint32 window_start = shift_months (eval->today, -months);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  int n_ed = 0, n_stays = 0;

  for (guint i = 0; i < eval->chart->care_plans->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (eval->chart->care_plans, i);

      if (array_has_string (plan_statuses, care_record_get (plan, "status")))
        return;
    }

  for (guint i = 0; i < eval->chart->encounters->len; i++)
    {
      CareRecord *encounter = g_ptr_array_index (eval->chart->encounters, i);
      const char *klass = care_record_get (encounter, "class");
      guint32 start = julian_of (care_record_get (encounter, "start_at"));
      guint32 end = julian_of (care_record_get (encounter, "end_at"));

      if (start == 0 || start > eval->today || is_not_held (eval, encounter))
        continue;

      if (array_has_string (ed_classes, klass) && start >= window_start)
        n_ed++;
      /* A stay counts when any of it is in the window (still in hospital: today). */
      else if (array_has_string (stay_classes, klass) &&
               (end != 0 ? end : eval->today) >= window_start)
        n_stays++;
    }

  for (guint i = 0; i < json_array_get_length (chronic); i++)
    {
      const char *value_set = json_array_get_string_element (chronic, i);

      if (find_active_condition (eval, value_set) != NULL)
        g_ptr_array_add (names, (gpointer) value_set_display (eval, value_set));
    }

  if (n_ed >= param_int (rule, "min_ed_visits"))
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%d emergency visit in %d months",
                                                       "%d emergency visits in %d months", n_ed),
                                             n_ed, months));
  if (n_stays >= param_int (rule, "min_stays"))
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%d hospital stay in %d months",
                                                       "%d hospital stays in %d months", n_stays),
                                             n_stays, months));
  if ((int) names->len >= param_int (rule, "min_chronic_conditions"))
    {
      g_autofree char *list = NULL;

      g_ptr_array_add (names, NULL);
      list = g_strjoinv (", ", (char **) names->pdata);
      g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u chronic condition (%s)",
                                                         "%u chronic conditions (%s)",
                                                         names->len - 1),
                                               names->len - 1, list));
    }
  if (parts->len == 0)
    return;

  g_ptr_array_add (parts, NULL);
  joined = g_strjoinv ("; ", (char **) parts->pdata);
  add_gap (eval, id, _("High-risk patient without a care plan"),
           /* Translators: %s lists why, e.g. "2 emergency visits in 12 months; 3 chronic
            * conditions (diabetes, hypertension, COPD)". */
           g_strdup_printf (_("High risk: %s; no active care plan"), joined), 0);
}

/* The rules' data ---------------------------------------------------------- */

static const struct
{
  const char *name;
  CheckFunc   func;
  Param       params[10];   /* up to the first with a NULL name */
} checks[] = {
  { "hba1c-missing", check_hba1c_missing,
    { { "condition", PARAM_VALUE_SET }, { "loinc", PARAM_CODES },
      { "window_months", PARAM_INT } } },
  { "hba1c-above", check_hba1c_above,
    { { "condition", PARAM_VALUE_SET }, { "loinc", PARAM_CODES }, { "unit", PARAM_STRING },
      { "above", PARAM_NUMBER } } },
  { "blood-pressure", check_blood_pressure,
    { { "systolic_loinc", PARAM_CODES }, { "diastolic_loinc", PARAM_CODES },
      { "systolic_at_least", PARAM_NUMBER }, { "diastolic_at_least", PARAM_NUMBER },
      { "visits", PARAM_INT }, { "excluded_encounter_classes", PARAM_CODES, TRUE } } },
  { "depression-screening", check_depression_screening,
    { { "min_age_years", PARAM_INT }, { "loinc", PARAM_CODES }, { "window_months", PARAM_INT },
      { "excluded_conditions", PARAM_VALUE_SETS, TRUE } } },
  { "discharge-follow-up", check_discharge_follow_up,
    { { "due_id", PARAM_STRING, TRUE }, { "stay_classes", PARAM_CODES },
      { "follow_up_classes", PARAM_CODES }, { "follow_up_statuses", PARAM_CODES },
      { "follow_up_days", PARAM_INT }, { "lookback_days", PARAM_INT } } },
  { "immunization", check_immunization,
    { { "vaccine", PARAM_STRING }, { "cvx", PARAM_CODES }, { "min_age_years", PARAM_INT, TRUE },
      { "min_age_months", PARAM_INT, TRUE }, { "interval_years", PARAM_INT, TRUE },
      { "season_start", PARAM_MONTH_DAY, TRUE } } },
  { "care-plan", check_care_plan,
    { { "window_months", PARAM_INT }, { "ed_classes", PARAM_CODES }, { "min_ed_visits", PARAM_INT },
      { "stay_classes", PARAM_CODES }, { "min_stays", PARAM_INT },
      { "chronic_conditions", PARAM_VALUE_SETS }, { "min_chronic_conditions", PARAM_INT },
      { "care_plan_statuses", PARAM_CODES } } },
};

static gboolean
is_string_array (JsonNode *node,
                 gboolean  allow_empty)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0 && !allow_empty)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING ||
          *json_node_get_string (element) == '\0')
        return FALSE;
    }

  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *rule,
         const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: rule “%s”: %s", RULES_PATH,
               rule, what);
  return FALSE;
}

static gboolean
check_param (Rules       *rules,
             const char  *rule_id,
             JsonObject  *rule,
             const Param *param,
             GError     **error)
{
  g_autofree char *what = NULL;
  JsonNode *node = json_object_get_member (rule, param->name);
  GType type = node != NULL ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (param->optional)
        return TRUE;
      what = g_strdup_printf ("“%s” is missing", param->name);
      return invalid (error, rule_id, what);
    }

  switch (param->type)
    {
    case PARAM_INT:
      if (type == G_TYPE_INT64 && json_node_get_int (node) >= 0)
        return TRUE;
      break;

    case PARAM_NUMBER:
      if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
        return TRUE;
      break;

    case PARAM_STRING:
      if (type == G_TYPE_STRING && *json_node_get_string (node) != '\0')
        return TRUE;
      break;

    case PARAM_CODES:
      if (is_string_array (node, FALSE))
        return TRUE;
      break;

    case PARAM_VALUE_SET:
      if (type == G_TYPE_STRING && json_object_has_member (rules->value_sets,
                                                           json_node_get_string (node)))
        return TRUE;
      break;

    case PARAM_VALUE_SETS:
      if (is_string_array (node, FALSE))
        {
          JsonArray *names = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (names); i++)
            if (!json_object_has_member (rules->value_sets,
                                         json_array_get_string_element (names, i)))
              goto bad;
          return TRUE;
        }
      break;

    case PARAM_MONTH_DAY:
      if (type == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (node);

          if (strlen (text) == 5 && text[2] == '-' && g_ascii_isdigit (text[0]) &&
              g_ascii_isdigit (text[1]) && g_ascii_isdigit (text[3]) && g_ascii_isdigit (text[4]) &&
              g_date_valid_dmy ((GDateDay) atoi (text + 3), (GDateMonth) atoi (text), 2000))
            return TRUE;
        }
      break;

    default:
      g_assert_not_reached ();
    }

bad:
  what = g_strdup_printf ("“%s” has the wrong type or names an unknown value set", param->name);
  return invalid (error, rule_id, what);
}

static gboolean
check_rules (Rules   *rules,
             GError **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, rules->value_sets);
  while (json_object_iter_next (&iter, &name, &node))
    {
      JsonObject *set = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *codes;
      JsonObjectIter code_iter;
      const char *system;
      JsonNode *list;

      if (set == NULL ||
          json_object_get_string_member_with_default (set, "display", NULL) == NULL ||
          !JSON_NODE_HOLDS_OBJECT (json_object_get_member (set, "codes")))
        return invalid (error, name, "a value set needs “display” and “codes”");
      if (!g_strv_contains (data_names, json_object_get_string_member (set, "display")))
        g_warning ("%s: value set “%s” has a display name that is not translated",
                   RULES_PATH, name);

      codes = json_object_get_object_member (set, "codes");
      json_object_iter_init (&code_iter, codes);
      while (json_object_iter_next (&code_iter, &system, &list))
        if (!is_string_array (list, TRUE))
          return invalid (error, name, "a value set's codes are lists of strings");
    }

  for (guint i = 0; i < json_array_get_length (rules->rules); i++)
    {
      JsonNode *rule_node = json_array_get_element (rules->rules, i);
      JsonObject *rule = JSON_NODE_HOLDS_OBJECT (rule_node) ? json_node_get_object (rule_node)
                                                             : NULL;
      const char *id = rule ? json_object_get_string_member_with_default (rule, "id", NULL) : NULL;
      const char *check = rule ? json_object_get_string_member_with_default (rule, "check", NULL)
                               : NULL;
      const char *due_id;
      gboolean found = FALSE;

      if (id == NULL || *id == '\0' || check == NULL)
        return invalid (error, id ? id : "?", "a rule needs an “id” and a “check”");
      if (!g_hash_table_add (ids, (gpointer) id))
        return invalid (error, id, "the id is used twice");

      for (guint c = 0; c < G_N_ELEMENTS (checks) && !found; c++)
        {
          if (!g_str_equal (checks[c].name, check))
            continue;
          found = TRUE;
          for (guint p = 0; checks[c].params[p].name != NULL; p++)
            if (!check_param (rules, id, rule, &checks[c].params[p], error))
              return FALSE;
        }
      if (!found)
        return invalid (error, id, "unknown “check”");

      due_id = json_object_get_string_member_with_default (rule, "due_id", NULL);
      if (due_id != NULL && !g_hash_table_add (ids, (gpointer) due_id))
        return invalid (error, due_id, "the id is used twice");

      if (g_str_equal (check, "immunization") &&
          !g_strv_contains (data_names, json_object_get_string_member (rule, "vaccine")))
        g_warning ("%s: rule “%s” has a vaccine name that is not translated", RULES_PATH, id);
    }

  return TRUE;
}

static Rules *
load_rules (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree Rules *rules = NULL;
  JsonObject *object, *active;

  bytes = g_resource_lookup_data (care_clinical_get_resource (), RULES_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), error))
    return NULL;

  root = json_parser_steal_root (parser);
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "value_sets")) ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "active_condition")) ||
      !is_string_array (json_object_get_member (object, "void_statuses"), TRUE) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "rules")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: needs “void_statuses”, “active_condition”, “value_sets” and “rules”",
                   RULES_PATH);
      return NULL;
    }

  active = json_object_get_object_member (object, "active_condition");
  if (!is_string_array (json_object_get_member (active, "clinical_status"), FALSE) ||
      !is_string_array (json_object_get_member (active, "excluded_verification_status"), TRUE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: “active_condition” needs “clinical_status” and "
                   "“excluded_verification_status” lists", RULES_PATH);
      return NULL;
    }

  rules = g_new0 (Rules, 1);
  rules->value_sets = json_object_get_object_member (object, "value_sets");
  rules->void_statuses = json_object_get_array_member (object, "void_statuses");
  rules->active_clinical = json_object_get_array_member (active, "clinical_status");
  rules->refuted_verification = json_object_get_array_member (active,
                                                              "excluded_verification_status");
  rules->rules = json_object_get_array_member (object, "rules");
  if (!check_rules (rules, error))
    return NULL;

  rules->root = g_steal_pointer (&root);
  return g_steal_pointer (&rules);
}

/* The rules, read once for the life of the program; they come from a resource
 * compiled into it, so they are never freed. */
static const Rules *
get_rules (GError **error)
{
  static gsize loaded = 0;
  static Rules *rules;
  static GError *load_error;

  if (g_once_init_enter (&loaded))
    {
      rules = load_rules (&load_error);
      if (rules == NULL)
        g_critical ("Cannot read the care-gap rules: %s", load_error->message);
      g_once_init_leave (&loaded, 1);
    }

  if (rules == NULL)
    {
      g_propagate_error (error, g_error_copy (load_error));
      return NULL;
    }

  return rules;
}

/* Public API --------------------------------------------------------------- */

void
care_gap_free (CareGap *gap)
{
  if (gap == NULL)
    return;

  g_free (gap->rule);
  g_free (gap->title);
  g_free (gap->reason);
  g_free (gap->since);
  g_free (gap);
}

GPtrArray *
care_gaps_compute (const CareChart *chart,
                   GError         **error)
{
  g_autoptr(GHashTable) encounters = NULL;
  g_autoptr(GPtrArray) gaps = NULL;
  const Rules *rules;
  const char *birth_date = NULL;
  const char *deceased = NULL;
  Eval eval = { 0 };

  g_return_val_if_fail (chart != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((rules = get_rules (error)) == NULL)
    return NULL;

  eval.today = julian_of (chart->today);
  if (eval.today == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The chart's today is not a date");
      return NULL;
    }

  gaps = g_ptr_array_new_with_free_func ((GDestroyNotify) care_gap_free);
  if (chart->patient != NULL)
    {
      birth_date = care_record_get (chart->patient, "birth_date");
      deceased = care_record_get (chart->patient, "deceased_date");
    }
  /* Nothing is due for someone who has died. */
  if (deceased != NULL && *deceased != '\0')
    return g_steal_pointer (&gaps);

  encounters = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < chart->encounters->len; i++)
    {
      CareRecord *encounter = g_ptr_array_index (chart->encounters, i);

      if (care_record_get_id (encounter) != NULL)
        g_hash_table_insert (encounters, (gpointer) care_record_get_id (encounter), encounter);
    }

  eval.rules = rules;
  eval.chart = chart;
  eval.birth = julian_of (birth_date);
  if (eval.birth > eval.today)
    eval.birth = 0;
  eval.age = eval.birth != 0 ? care_text_age_in_years (birth_date, chart->today) : -1;
  eval.encounters = encounters;
  eval.gaps = gaps;

  for (guint i = 0; i < json_array_get_length (rules->rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules->rules, i);
      const char *check = json_object_get_string_member (rule, "check");

      if (!json_object_get_boolean_member_with_default (rule, "enabled", TRUE))
        continue;

      for (guint c = 0; c < G_N_ELEMENTS (checks); c++)
        if (g_str_equal (checks[c].name, check))
          checks[c].func (&eval, json_object_get_string_member (rule, "id"), rule);
    }

  return g_steal_pointer (&gaps);
}
