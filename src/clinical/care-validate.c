/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-validate"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "care-clinical-resources.h"
#include "care-text.h"
#include "care-validate.h"

/*
 * The ranges are there to catch typing slips (1400 for 140, a weight in pounds
 * in the kilogram field), not to judge results: a plausible but alarming value
 * is accepted. Ranges, units and the repeat windows are data
 * (rules/observation-ranges.json, rules/duplicate-tests.json), read once.
 */

#define RANGES_PATH RESOURCE_BASE "/clinical/observation-ranges.json"
#define TESTS_PATH  RESOURCE_BASE "/clinical/duplicate-tests.json"

/* Names in the data files that people read; kept here so that they are translated
 * (gettext looks them up by their English text). Loading warns about a name of
 * the data files missing from this list. */
static const char * const data_names[] = {
  /* Translators: names of tests and measurements, offered in a list and used in
   * messages such as "Systolic blood pressure must be from 50 to 300 mm[Hg]." */
  N_("Systolic blood pressure"), N_("Diastolic blood pressure"), N_("Body weight"),
  N_("Body height"), N_("Body mass index"), N_("Hemoglobin A1c"), N_("Glucose"),
  N_("Total cholesterol"), N_("LDL cholesterol"), N_("HDL cholesterol"), N_("Triglycerides"),
  N_("eGFR"), N_("Urine albumin/creatinine ratio"), N_("PHQ-9 total score"),
  N_("PHQ-2 total score"), N_("GAD-7 total score"),
  /* Translators: names of tests that are rarely repeated soon, used in "Lipid
   * panel was done 12 days ago". */
  N_("Lipid panel"), N_("eGFR / creatinine"), N_("TSH"),
  NULL,
};

typedef struct
{
  char     *loinc;
  char     *display;
  GStrv     units;      /* the first is the default */
  double    min;
  double    max;
  gboolean  integer;
} Range;

typedef struct
{
  char *display;
  GStrv loinc;
  int   window_days;
} RepeatRule;

typedef struct
{
  GPtrArray  *ranges;      /* (element-type Range) in file order */
  GHashTable *by_loinc;    /* loinc -> Range */
  GPtrArray  *tests;       /* (element-type RepeatRule) */
} Data;

G_DEFINE_QUARK (care-validate-error-quark, care_validate_error)

/* Data --------------------------------------------------------------------- */

static JsonObject *
load_object (const char *path,
             GError    **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  bytes = g_resource_lookup_data (care_clinical_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), error))
    return NULL;

  root = json_parser_steal_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a JSON object", path);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* A non-empty list of non-empty strings, or NULL. */
static GStrv
string_list (JsonObject *object,
             const char *member)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING ||
          *json_node_get_string (element) == '\0')
        return NULL;
      g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

static gboolean
is_number (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type = node != NULL ? json_node_get_value_type (node) : G_TYPE_INVALID;

  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static void
range_free (gpointer data)
{
  Range *range = data;

  g_free (range->loinc);
  g_free (range->display);
  g_strfreev (range->units);
  g_free (range);
}

static void
repeat_rule_free (gpointer data)
{
  RepeatRule *rule = data;

  g_free (rule->display);
  g_strfreev (rule->loinc);
  g_free (rule);
}

static gboolean
load_ranges (Data    *data,
             GError **error)
{
  g_autoptr(JsonObject) root = load_object (RANGES_PATH, error);
  JsonArray *list;

  if (root == NULL)
    return FALSE;

  list = json_object_get_array_member (root, "observations");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);
      const char *loinc = entry ? json_object_get_string_member_with_default (entry, "loinc", NULL)
                                : NULL;
      const char *display = entry ? json_object_get_string_member_with_default (entry, "display",
                                                                               NULL)
                                  : NULL;
      g_auto(GStrv) units = entry ? string_list (entry, "units") : NULL;
      Range *range;

      if (loinc == NULL || display == NULL || units == NULL || !is_number (entry, "min") ||
          !is_number (entry, "max") || g_hash_table_contains (data->by_loinc, loinc) ||
          json_object_get_double_member (entry, "min") >
          json_object_get_double_member (entry, "max"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: entry %u needs a new “loinc”, a “display”, “units”, and “min” ≤ “max”",
                       RANGES_PATH, i + 1);
          return FALSE;
        }
      if (!g_strv_contains (data_names, display))
        g_warning ("%s: “%s” is not translated", RANGES_PATH, display);

      range = g_new0 (Range, 1);
      range->loinc = g_strdup (loinc);
      range->display = g_strdup (display);
      range->units = g_steal_pointer (&units);
      range->min = json_object_get_double_member (entry, "min");
      range->max = json_object_get_double_member (entry, "max");
      range->integer = json_object_get_boolean_member_with_default (entry, "integer", FALSE);
      g_ptr_array_add (data->ranges, range);
      g_hash_table_insert (data->by_loinc, range->loinc, range);
    }

  return TRUE;
}

static gboolean
load_tests (Data    *data,
            GError **error)
{
  g_autoptr(JsonObject) root = load_object (TESTS_PATH, error);
  JsonArray *list;

  if (root == NULL)
    return FALSE;

  list = json_object_get_array_member (root, "tests");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);
      const char *display = entry ? json_object_get_string_member_with_default (entry, "display",
                                                                               NULL)
                                  : NULL;
      g_auto(GStrv) loinc = entry ? string_list (entry, "loinc") : NULL;
      JsonNode *window = entry ? json_object_get_member (entry, "window_days") : NULL;
      RepeatRule *rule;

      if (display == NULL || loinc == NULL || window == NULL ||
          json_node_get_value_type (window) != G_TYPE_INT64 || json_node_get_int (window) < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: test %u needs a “display”, “loinc” codes and “window_days”",
                       TESTS_PATH, i + 1);
          return FALSE;
        }
      if (!g_strv_contains (data_names, display))
        g_warning ("%s: “%s” is not translated", TESTS_PATH, display);

      rule = g_new0 (RepeatRule, 1);
      rule->display = g_strdup (display);
      rule->loinc = g_steal_pointer (&loinc);
      rule->window_days = (int) json_node_get_int (window);
      g_ptr_array_add (data->tests, rule);
    }

  return TRUE;
}

/* The data, read once for the life of the program. It is compiled in, so a
 * failure is a bug: it is reported, and the checks then know no tests. */
static const Data *
get_data (void)
{
  static gsize loaded = 0;
  static Data data;

  if (g_once_init_enter (&loaded))
    {
      g_autoptr(GError) error = NULL;

      data.ranges = g_ptr_array_new_with_free_func (range_free);
      data.by_loinc = g_hash_table_new (g_str_hash, g_str_equal);
      data.tests = g_ptr_array_new_with_free_func (repeat_rule_free);
      if (!load_ranges (&data, &error) || !load_tests (&data, &error))
        {
          g_critical ("Cannot read the observation checks: %s", error->message);
          g_hash_table_remove_all (data.by_loinc);
          g_ptr_array_set_size (data.ranges, 0);
          g_ptr_array_set_size (data.tests, 0);
        }
      g_once_init_leave (&loaded, 1);
    }

  return &data;
}

static const Range *
find_range (const char *loinc)
{
  return loinc != NULL ? g_hash_table_lookup (get_data ()->by_loinc, loinc) : NULL;
}

/* Values and dates --------------------------------------------------------- */

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/* Reads "7.2", "7,2" (decimal comma), "-3", "140"; not "abc", "", "1e3", "nan",
 * "inf" or "1.234,5". */
static gboolean
parse_value (const char *text,
             double     *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  gboolean separator = FALSE, digit = FALSE;
  char *end = NULL;

  for (char *p = copy; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digit = TRUE;
      else if ((*p == '.' || *p == ',') && !separator)
        {
          separator = TRUE;
          *p = '.';
        }
      else if ((*p == '-' || *p == '+') && p == copy)
        continue;
      else
        return FALSE;
    }

  if (!digit)
    return FALSE;

  *value = g_ascii_strtod (copy, &end);
  return end != NULL && *end == '\0' && isfinite (*value);
}

/* The date of "YYYY-MM-DD" or of an ISO date-time (by the date written in it),
 * as "YYYY-MM-DD"; NULL when @text is neither. */
static char *
date_part (const char *text)
{
  static const guint digits[] = { 0, 1, 2, 3, 5, 6, 8, 9 };
  int year, month, day;

  if (text == NULL || strlen (text) < 10 || text[4] != '-' || text[7] != '-')
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    if (!g_ascii_isdigit (text[digits[i]]))
      return NULL;

  year = atoi (text);
  month = atoi (text + 5);
  day = atoi (text + 8);
  if (year < 1850 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return NULL;

  if (text[10] != '\0')
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) time = NULL;

      if (text[10] != 'T')
        return NULL;
      time = g_date_time_new_from_iso8601 (text, utc);
      if (time == NULL)
        return NULL;
    }

  return g_strndup (text, 10);
}

static guint32
julian_of (const char *date)
{
  GDate parsed;

  g_date_clear (&parsed, 1);
  g_date_set_dmy (&parsed, (GDateDay) atoi (date + 8), (GDateMonth) atoi (date + 5),
                  (GDateYear) atoi (date));
  return g_date_get_julian (&parsed);
}

static char *
format_number (double value)
{
  return g_strdup_printf ("%g", value);
}

/* Public API --------------------------------------------------------------- */

gboolean
care_validate_date (const char  *what,
                    const char  *date,
                    const char  *today,
                    gboolean     allow_future,
                    GError     **error)
{
  g_autofree char *local_today = NULL;
  g_autofree char *day = NULL;

  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (date == NULL || *date == '\0')
    {
      g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_MISSING,
                   /* Translators: %s is a field's name, e.g. "Date given is required." */
                   _("%s is required."), what);
      return FALSE;
    }

  day = date_part (date);
  if (day == NULL)
    {
      g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_INVALID_DATE,
                   /* Translators: a field's name and what was typed in it */
                   _("%s “%s” is not a date: write it as year-month-day, e.g. 2026-05-01."),
                   what, date);
      return FALSE;
    }

  if (today == NULL)
    today = local_today = care_text_today ();

  /* ISO dates compare as text. */
  if (!allow_future && strcmp (day, today) > 0)
    {
      g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_FUTURE_DATE,
                   /* Translators: a field's name, the date typed and today's date */
                   _("%s %s is in the future: it can be today (%s) at the latest."),
                   what, day, today);
      return FALSE;
    }

  return TRUE;
}

gboolean
care_validate_observation (const char  *loinc,
                           const char  *value_text,
                           const char  *unit,
                           const char  *effective_at,
                           const char  *today,
                           double      *value_out,
                           GError     **error)
{
  const Range *range;
  const char *name;
  double value;

  g_return_val_if_fail (loinc != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  range = find_range (loinc);
  /* A test without a range is named by its code. */
  name = range != NULL ? _(range->display) : loinc;

  if (is_blank (value_text))
    {
      g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_MISSING,
                   /* Translators: %s is a test's name */
                   _("Enter a value for %s."), name);
      return FALSE;
    }

  if (!parse_value (value_text, &value))
    {
      g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_INVALID_VALUE,
                   /* Translators: a test's name and what was typed */
                   _("%s: “%s” is not a number. Write it with digits, e.g. 7.2 or 7,2."),
                   name, value_text);
      return FALSE;
    }

  if (range != NULL)
    {
      g_autofree char *min = format_number (range->min);
      g_autofree char *max = format_number (range->max);

      if (unit != NULL && *unit != '\0' &&
          !g_strv_contains ((const char * const *) range->units, unit))
        {
          g_autofree char *allowed = g_strjoinv (", ", range->units);

          g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_UNIT,
                       /* Translators: a test's name, the unit typed, the units allowed */
                       _("%s is not recorded in “%s”: use %s."), name, unit, allowed);
          return FALSE;
        }

      if (range->integer && value != floor (value))
        {
          g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_INVALID_VALUE,
                       /* Translators: a score's name, then the lowest and highest score */
                       _("%s is a whole number from %s to %s."), name, min, max);
          return FALSE;
        }

      if (value < range->min || value > range->max)
        {
          g_autofree char *typed = format_number (value);

          g_set_error (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_RANGE,
                       /* Translators: "Systolic blood pressure 1400 is not plausible: it must
                        * be from 50 to 300 mm[Hg]." */
                       _("%s %s is not plausible: it must be from %s to %s %s."),
                       name, typed, min, max, range->units[0]);
          return FALSE;
        }
    }

  if (!care_validate_date (_("The date"), effective_at, today, FALSE, error))
    return FALSE;

  if (value_out != NULL)
    *value_out = value;
  return TRUE;
}

const char *
care_validate_default_unit (const char *loinc)
{
  const Range *range = find_range (loinc);

  return range != NULL ? range->units[0] : NULL;
}

GPtrArray *
care_validate_known_observations (void)
{
  const Data *data = get_data ();
  GPtrArray *codes = g_ptr_array_new_full (data->ranges->len, g_free);

  for (guint i = 0; i < data->ranges->len; i++)
    g_ptr_array_add (codes, g_strdup (((Range *) g_ptr_array_index (data->ranges, i))->loinc));

  return codes;
}

const char *
care_validate_observation_display (const char *loinc)
{
  const Range *range = find_range (loinc);

  return range != NULL ? _(range->display) : NULL;
}

const char *
care_validate_observation_name (const char *loinc)
{
  const Range *range = find_range (loinc);

  return range != NULL ? range->display : NULL;
}

void
care_repeat_test_free (CareRepeatTest *repeat)
{
  if (repeat == NULL)
    return;

  g_free (repeat->test);
  g_clear_object (&repeat->existing);
  g_free (repeat);
}

CareRepeatTest *
care_validate_repeat_test (const CareChart *chart,
                           const char      *loinc,
                           const char      *date)
{
  const Data *data = get_data ();
  g_autofree char *day_text = NULL;
  const RepeatRule *rule = NULL;
  CareRepeatTest *repeat;
  CareRecord *existing = NULL;
  guint32 day, existing_day = 0;

  g_return_val_if_fail (chart != NULL, NULL);
  g_return_val_if_fail (loinc != NULL, NULL);

  for (guint i = 0; i < data->tests->len && rule == NULL; i++)
    {
      RepeatRule *candidate = g_ptr_array_index (data->tests, i);

      if (g_strv_contains ((const char * const *) candidate->loinc, loinc))
        rule = candidate;
    }
  if (rule == NULL)
    return NULL;

  day_text = date_part (date != NULL ? date : chart->today);
  if (day_text == NULL)
    return NULL;
  day = julian_of (day_text);

  for (guint i = 0; i < chart->observations->len; i++)
    {
      CareRecord *observation = g_ptr_array_index (chart->observations, i);
      const char *status = care_record_get (observation, "status");
      const char *code = care_record_get (observation, "loinc");
      g_autofree char *when = NULL;
      guint32 when_day;

      if (code == NULL || !g_strv_contains ((const char * const *) rule->loinc, code) ||
          g_strcmp0 (status, "entered-in-error") == 0 || g_strcmp0 (status, "cancelled") == 0 ||
          (when = date_part (care_record_get (observation, "effective_at"))) == NULL)
        continue;

      when_day = julian_of (when);
      if (when_day > day || day - when_day > (guint32) rule->window_days)
        continue;

      if (existing == NULL || when_day > existing_day ||
          (when_day == existing_day && g_strcmp0 (care_record_get (observation, "effective_at"),
                                                  care_record_get (existing, "effective_at")) > 0))
        {
          existing = observation;
          existing_day = when_day;
        }
    }

  if (existing == NULL)
    return NULL;

  repeat = g_new0 (CareRepeatTest, 1);
  repeat->test = g_strdup (_(rule->display));
  repeat->window_days = rule->window_days;
  repeat->existing = g_object_ref (existing);
  repeat->days_ago = (int) (day - existing_day);
  return repeat;
}
