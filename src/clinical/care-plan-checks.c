/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-plan-checks"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "care-clinical-resources.h"
#include "care-plan-checks.h"
#include "care-text.h"
#include "care-validate.h"

/*
 * The therapeutic classes are data (rules/therapeutic-classes.json), read once and
 * checked in full; the statuses below are FHIR R4 value sets, which do not change with
 * next year's guidance, so they stay here. docs/clinical-rules.md ("Care plans") gives
 * the reasons for each choice.
 */

#define CLASSES_PATH RESOURCE_BASE "/clinical/therapeutic-classes.json"

/* Names in the data file that people read; kept here so that they are translated
 * (gettext looks them up by their English text). Loading warns about a name of the
 * data file missing from this list. */
static const char * const data_names[] = {
  /* Translators: therapeutic classes of drugs, used in "Different prescribers ordered
   * HMG-CoA reductase inhibitors (statins): ..." */
  N_("HMG-CoA reductase inhibitors (statins)"), N_("ACE inhibitors"),
  N_("angiotensin II receptor blockers (ARBs)"), N_("direct renin inhibitors"),
  N_("proton-pump inhibitors"), N_("selective serotonin reuptake inhibitors (SSRIs)"),
  N_("serotonin-norepinephrine reuptake inhibitors (SNRIs)"), N_("benzodiazepines"),
  N_("benzodiazepine-related hypnotics (Z-drugs)"), N_("opioids"),
  N_("vitamin K antagonists"), N_("heparins"), N_("direct oral anticoagulants (DOACs)"),
  N_("platelet aggregation inhibitors"), N_("sulfonylureas"),
  N_("long-acting (basal) insulins"), N_("beta blockers (including eye drops)"),
  N_("antipsychotics"), N_("NSAIDs"), N_("paracetamol (acetaminophen)"),
  /* Translators: groups of therapeutic classes that duplicate each other, used as
   * above. */
  N_("renin-angiotensin agents (ACE inhibitors, ARBs, aliskiren)"),
  N_("serotonergic antidepressants (SSRIs and SNRIs)"), N_("benzodiazepines and Z-drugs"),
  N_("anticoagulants"),
  NULL,
};

/* Observations that never happened or were withdrawn. */
static const char * const void_statuses[] = { "entered-in-error", "cancelled" };

/* Goals still on the plan: agreed, being worked on, or put to the team (proposed),
 * or paused (on-hold, which resumes with its target). Completed, cancelled, rejected
 * and entered-in-error goals are history. */
static const char * const open_goal_statuses[] = {
  "proposed", "planned", "accepted", "active", "on-hold",
};

/* Plans that are history: their goals do not compete with the current plan's. */
static const char * const ended_plan_statuses[] = {
  "completed", "revoked", "entered-in-error",
};

typedef struct
{
  char      *id;
  char      *name;          /* English, as in the file */
  char      *group;         /* the duplication group: the class's group, or its own id */
  char      *group_name;    /* English: the group's name, or the class's */
  GPtrArray *ingredients;   /* (element-type GStrv) each ingredient's folded words */
} DrugClass;

typedef struct
{
  GPtrArray  *classes;      /* (element-type DrugClass) in file order */
  GHashTable *by_rxnorm;    /* RxNorm ingredient code -> DrugClass */
} Data;

/* Text --------------------------------------------------------------------- */

/* The words of @text folded (lower case, no accents): runs of letters and digits.
 * "Metoprolol Succinate 25 MG" -> metoprolol, succinate, 25, mg. */
static GStrv
fold_words (const char *text)
{
  g_autofree char *folded = care_text_fold (text);
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);

  for (const char *p = folded; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          g_strv_builder_add (words, word->str);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }

  return g_strv_builder_end (words);
}

/* Whether @phrase appears in @words as consecutive whole words. */
static gboolean
has_phrase (const char * const *words,
            const char * const *phrase)
{
  guint n_words = g_strv_length ((GStrv) words);
  guint n_phrase = g_strv_length ((GStrv) phrase);

  if (n_phrase == 0)
    return FALSE;

  for (guint i = 0; i + n_phrase <= n_words; i++)
    {
      guint j = 0;

      while (j < n_phrase && g_str_equal (words[i + j], phrase[j]))
        j++;
      if (j == n_phrase)
        return TRUE;
    }

  return FALSE;
}

/* Whether @words starts with @prefix (all of it, at least one word). */
static gboolean
starts_with_words (const char * const *words,
                   const char * const *prefix)
{
  guint i;

  if (prefix[0] == NULL)
    return FALSE;

  for (i = 0; prefix[i] != NULL; i++)
    if (words[i] == NULL || !g_str_equal (words[i], prefix[i]))
      return FALSE;

  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

static gboolean
in_list (const char * const *list,
         guint               n,
         const char         *value)
{
  for (guint i = 0; i < n && value != NULL; i++)
    if (g_str_equal (list[i], value))
      return TRUE;

  return FALSE;
}

/* A number written in a record ("7", "6.5"); FALSE when the column is empty or not a
 * finite number. */
static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end;

  if (is_blank (text))
    return FALSE;

  *value = g_ascii_strtod (text, &end);
  while (g_ascii_isspace (*end))
    end++;

  return end != text && *end == '\0' && isfinite (*value);
}

static gboolean
nearly_equal (double a,
              double b)
{
  return fabs (a - b) <= 1e-9 * MAX (1.0, MAX (fabs (a), fabs (b)));
}

/* The date part of "YYYY-MM-DD" or an ISO date-time, or NULL when @text is not one. */
static char *
date_part (const char *text)
{
  g_autofree char *date = NULL;
  g_autofree char *parsed = NULL;

  if (text == NULL || strlen (text) < 10 ||
      (text[10] != '\0' && text[10] != 'T' && text[10] != ' '))
    return NULL;

  date = g_strndup (text, 10);
  parsed = care_text_parse_date (date);
  if (parsed == NULL || !g_str_equal (parsed, date))
    return NULL;

  return g_steal_pointer (&date);
}

/* Whether two units name the same unit as people read them ("mm[Hg]" and "mmHg");
 * a unit that is not set matches any. */
static gboolean
same_unit (const char *a,
           const char *b)
{
  g_autofree char *shown_a = NULL;
  g_autofree char *shown_b = NULL;

  if (is_blank (a) || is_blank (b))
    return TRUE;

  shown_a = care_text_display_unit (a);
  shown_b = care_text_display_unit (b);
  return g_strcmp0 (shown_a, shown_b) == 0;
}

/* "a", "a and b", "a, b and c". */
static char *
join_list (GPtrArray *items)
{
  g_autoptr(GString) head = g_string_new (NULL);

  if (items->len == 0)
    return g_strdup ("");
  if (items->len == 1)
    return g_strdup (g_ptr_array_index (items, 0));

  for (guint i = 0; i + 1 < items->len; i++)
    {
      if (i > 0)
        /* Translators: between the items of a list, "a, b and c". */
        g_string_append (head, _(", "));
      g_string_append (head, g_ptr_array_index (items, i));
    }

  /* Translators: the last two items of a list, "a, b and c" (the first %s may
   * itself be "a, b"). */
  return g_strdup_printf (_("%s and %s"), head->str,
                          (const char *) g_ptr_array_index (items, items->len - 1));
}

/* Data --------------------------------------------------------------------- */

static void
drug_class_free (gpointer data)
{
  DrugClass *klass = data;

  g_free (klass->id);
  g_free (klass->name);
  g_free (klass->group);
  g_free (klass->group_name);
  g_ptr_array_unref (klass->ingredients);
  g_free (klass);
}

static gboolean
invalid (GError    **error,
         const char *what,
         const char *problem)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s: %s", CLASSES_PATH, what,
               problem);
  return FALSE;
}

/* A member that is a non-empty string, or NULL. */
static const char *
string_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING ||
      *json_node_get_string (node) == '\0')
    return NULL;

  return json_node_get_string (node);
}

static gboolean
load_groups (JsonObject  *root,
             GHashTable  *groups,
             GError     **error)
{
  JsonNode *node = json_object_get_member (root, "groups");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "groups", "needs a list of groups");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *group = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *id = group != NULL ? string_member (group, "id") : NULL;
      const char *name = group != NULL ? string_member (group, "name") : NULL;

      if (id == NULL || name == NULL)
        return invalid (error, "groups", "each group needs an “id” and a “name”");
      if (g_hash_table_contains (groups, id))
        return invalid (error, id, "the group id is used twice");
      if (!g_strv_contains (data_names, name))
        g_warning ("%s: “%s” is not translated", CLASSES_PATH, name);
      g_hash_table_insert (groups, g_strdup (id), g_strdup (name));
    }

  return TRUE;
}

static gboolean
load_ingredients (JsonObject  *object,
                  DrugClass   *klass,
                  GHashTable  *seen,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (object, "ingredients");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    return invalid (error, klass->id, "needs a non-empty list of “ingredients”");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *name;
      g_autofree char *folded = NULL;
      g_auto(GStrv) words = NULL;

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, klass->id, "an ingredient is not a string");

      name = json_node_get_string (element);
      folded = care_text_fold (name);
      words = fold_words (name);
      if (words[0] == NULL || !g_str_equal (folded, name))
        return invalid (error, klass->id, "ingredients are written in lower case, without accents");
      if (g_hash_table_contains (seen, name))
        return invalid (error, name, "the ingredient is listed twice");

      g_hash_table_add (seen, g_strdup (name));
      g_ptr_array_add (klass->ingredients, g_steal_pointer (&words));
    }

  return TRUE;
}

static gboolean
load_rxnorm (JsonObject  *object,
             DrugClass   *klass,
             Data        *data,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, "rxnorm");
  JsonArray *ingredients = json_object_get_array_member (object, "ingredients");
  JsonObjectIter iter;
  const char *code;
  JsonNode *value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, klass->id, "“rxnorm” maps ingredient codes to ingredient names");

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &code, &value))
    {
      gboolean listed = FALSE;

      for (const char *p = code; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          return invalid (error, code, "an RxNorm code is digits only");
      if (*code == '\0' || json_node_get_value_type (value) != G_TYPE_STRING)
        return invalid (error, klass->id, "“rxnorm” maps ingredient codes to ingredient names");
      for (guint i = 0; i < json_array_get_length (ingredients); i++)
        if (g_str_equal (json_array_get_string_element (ingredients, i),
                         json_node_get_string (value)))
          listed = TRUE;
      if (!listed)
        return invalid (error, code, "names an ingredient the class does not list");
      if (g_hash_table_contains (data->by_rxnorm, code))
        return invalid (error, code, "the RxNorm code is listed twice");

      g_hash_table_insert (data->by_rxnorm, g_strdup (code), klass);
    }

  return TRUE;
}

static gboolean
load_classes (JsonObject  *root,
              GHashTable  *groups,
              Data        *data,
              GError     **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) ingredients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonNode *node = json_object_get_member (root, "classes");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    return invalid (error, "classes", "needs a non-empty list of classes");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *id = object != NULL ? string_member (object, "id") : NULL;
      const char *name = object != NULL ? string_member (object, "name") : NULL;
      const char *group = NULL;
      DrugClass *klass;

      if (id == NULL || name == NULL)
        return invalid (error, "classes", "each class needs an “id” and a “name”");
      if (g_hash_table_contains (ids, id) || g_hash_table_contains (groups, id))
        return invalid (error, id, "the id is used twice");
      if (json_object_has_member (object, "group"))
        {
          group = string_member (object, "group");
          if (group == NULL || !g_hash_table_contains (groups, group))
            return invalid (error, id, "“group” names no group of the file");
        }
      if (!g_strv_contains (data_names, name))
        g_warning ("%s: “%s” is not translated", CLASSES_PATH, name);

      g_hash_table_add (ids, g_strdup (id));
      klass = g_new0 (DrugClass, 1);
      klass->id = g_strdup (id);
      klass->name = g_strdup (name);
      klass->group = g_strdup (group != NULL ? group : id);
      klass->group_name = g_strdup (group != NULL ? g_hash_table_lookup (groups, group) : name);
      klass->ingredients = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      g_ptr_array_add (data->classes, klass);

      if (!load_ingredients (object, klass, ingredients, error) ||
          !load_rxnorm (object, klass, data, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
load_data (Data    *data,
           GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonNode *root;

  bytes = g_resource_lookup_data (care_clinical_get_resource (), CLASSES_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "the file", "not a JSON object");

  return load_groups (json_node_get_object (root), groups, error) &&
         load_classes (json_node_get_object (root), groups, data, error);
}

/* The classes, read once for the life of the program. They are compiled in, so a
 * failure is a bug: it is reported once, and then NULL with @error set. */
static const Data *
get_data (GError **error)
{
  static gsize loaded = 0;
  static Data data;
  static GError *load_error;

  if (g_once_init_enter (&loaded))
    {
      data.classes = g_ptr_array_new_with_free_func (drug_class_free);
      data.by_rxnorm = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (!load_data (&data, &load_error))
        g_critical ("Cannot read the therapeutic classes: %s", load_error->message);
      g_once_init_leave (&loaded, 1);
    }

  if (load_error != NULL)
    {
      g_propagate_error (error, g_error_copy (load_error));
      return NULL;
    }

  return &data;
}

/* The classes of a drug, in file order, each once: those of the ingredients its name
 * holds and that of its RxNorm ingredient code. (element-type DrugClass) (transfer
 * container) */
static GPtrArray *
classes_of (const Data *data,
            const char *drug_name,
            const char *rxnorm)
{
  GPtrArray *found = g_ptr_array_new ();
  g_auto(GStrv) words = fold_words (drug_name != NULL ? drug_name : "");
  DrugClass *by_code = NULL;

  if (rxnorm != NULL)
    {
      g_autofree char *code = g_strstrip (g_strdup (rxnorm));

      by_code = g_hash_table_lookup (data->by_rxnorm, code);
    }

  for (guint i = 0; i < data->classes->len; i++)
    {
      DrugClass *klass = g_ptr_array_index (data->classes, i);
      gboolean member = klass == by_code;

      for (guint j = 0; !member && j < klass->ingredients->len; j++)
        member = has_phrase ((const char * const *) words,
                             g_ptr_array_index (klass->ingredients, j));
      if (member)
        g_ptr_array_add (found, klass);
    }

  return found;
}

/* Goal achievement --------------------------------------------------------- */

typedef struct
{
  gboolean has_low;
  gboolean has_high;
  double   low;
  double   high;
} Target;

static gboolean
goal_target (CareRecord *goal,
             Target     *target)
{
  target->low = target->high = 0;
  target->has_low = parse_number (care_record_get (goal, "target_low"), &target->low);
  target->has_high = parse_number (care_record_get (goal, "target_high"), &target->high);
  return target->has_low || target->has_high;
}

/* How far @value is outside the target range; 0 inside it (both ends count). */
static double
distance_to_target (const Target *target,
                    double        value)
{
  if (target->has_low && value < target->low)
    return target->low - value;
  if (target->has_high && value > target->high)
    return value - target->high;
  return 0;
}

static int
compare_by_time (gconstpointer a,
                 gconstpointer b)
{
  CareRecord *x = *(CareRecord **) a;
  CareRecord *y = *(CareRecord **) b;
  int order = g_strcmp0 (care_record_get (x, "effective_at"), care_record_get (y, "effective_at"));

  /* Two results at the same time: the id decides, the same way on every machine. */
  return order != 0 ? order : g_strcmp0 (care_record_get_id (x), care_record_get_id (y));
}

const char *
care_goal_achievement (const CareChart *chart,
                       CareRecord      *goal,
                       double          *latest_value,
                       char           **latest_date)
{
  g_autoptr(GPtrArray) usable = g_ptr_array_new ();
  const char *loinc, *unit;
  Target target;
  double now, before, distance_now, distance_before;
  CareRecord *latest;

  if (latest_value != NULL)
    *latest_value = NAN;
  if (latest_date != NULL)
    *latest_date = NULL;

  g_return_val_if_fail (chart != NULL, NULL);
  g_return_val_if_fail (CARE_IS_RECORD (goal), NULL);

  loinc = care_record_get (goal, "measure_loinc");
  if (is_blank (loinc))
    return NULL;
  unit = care_record_get (goal, "target_unit");

  for (guint i = 0; i < chart->observations->len; i++)
    {
      CareRecord *observation = g_ptr_array_index (chart->observations, i);
      g_autofree char *date = date_part (care_record_get (observation, "effective_at"));
      double value;

      if (g_strcmp0 (care_record_get (observation, "loinc"), loinc) != 0 ||
          in_list (void_statuses, G_N_ELEMENTS (void_statuses),
                   care_record_get (observation, "status")) ||
          !parse_number (care_record_get (observation, "value_num"), &value) ||
          date == NULL || strcmp (date, chart->today) > 0 ||
          !same_unit (unit, care_record_get (observation, "unit")))
        continue;
      g_ptr_array_add (usable, observation);
    }

  if (usable->len == 0)
    return NULL;

  g_ptr_array_sort (usable, compare_by_time);
  latest = g_ptr_array_index (usable, usable->len - 1);
  parse_number (care_record_get (latest, "value_num"), &now);
  if (latest_value != NULL)
    *latest_value = now;
  if (latest_date != NULL)
    *latest_date = date_part (care_record_get (latest, "effective_at"));

  if (!goal_target (goal, &target))
    return NULL;

  distance_now = distance_to_target (&target, now);
  if (distance_now == 0)
    return "achieved";
  if (usable->len == 1)
    return "not-achieved";

  parse_number (care_record_get (g_ptr_array_index (usable, usable->len - 2), "value_num"),
                &before);
  distance_before = distance_to_target (&target, before);
  if (nearly_equal (now, before))
    return "no-change";
  if (nearly_equal (distance_now, distance_before))
    return "no-progress";

  return distance_now < distance_before ? "improving" : "worsening";
}

/* Conflicts ---------------------------------------------------------------- */

void
care_plan_conflict_free (CarePlanConflict *conflict)
{
  if (conflict == NULL)
    return;

  g_free (conflict->kind);
  g_free (conflict->message);
  g_clear_pointer (&conflict->record_ids, g_ptr_array_unref);
  g_free (conflict);
}

static CarePlanConflict *
conflict_new (const char *kind,
              char       *message,
              GPtrArray  *records)
{
  CarePlanConflict *conflict = g_new0 (CarePlanConflict, 1);

  conflict->kind = g_strdup (kind);
  conflict->message = message;
  conflict->record_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (conflict->record_ids,
                     g_strdup (care_record_get_id (g_ptr_array_index (records, i))));

  return conflict;
}

static char *
format_number (double value)
{
  return g_strdup_printf ("%g", value);
}

/* "6.5 to 7 %", "at most 7 %", "at least 60 mL/min/1.73 m²". */
static char *
format_target (CareRecord   *goal,
               const Target *target)
{
  g_autofree char *low = format_number (target->low);
  g_autofree char *high = format_number (target->high);
  g_autofree char *unit = care_text_display_unit (care_record_get (goal, "target_unit"));
  g_autofree char *range = NULL;

  if (target->has_low && target->has_high)
    /* Translators: a goal's target range, "6.5 to 7"; a unit may follow. */
    range = g_strdup_printf (_("%s to %s"), low, high);
  else if (target->has_high)
    /* Translators: a goal's target, "at most 7"; a unit may follow. */
    range = g_strdup_printf (_("at most %s"), high);
  else
    /* Translators: a goal's target, "at least 60"; a unit may follow. */
    range = g_strdup_printf (_("at least %s"), low);

  if (is_blank (unit))
    return g_steal_pointer (&range);
  return g_strdup_printf ("%s %s", range, unit);
}

static gboolean
same_target (CareRecord *a,
             CareRecord *b)
{
  Target x, y;

  goal_target (a, &x);
  goal_target (b, &y);
  return x.has_low == y.has_low && x.has_high == y.has_high &&
         (!x.has_low || nearly_equal (x.low, y.low)) &&
         (!x.has_high || nearly_equal (x.high, y.high)) &&
         same_unit (care_record_get (a, "target_unit"), care_record_get (b, "target_unit"));
}

/* The ids of plans that a later version replaces (a version entered in error replaces
 * nothing). */
static GHashTable *
replaced_plans (const CareChart *chart)
{
  GHashTable *replaced = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < chart->care_plans->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (chart->care_plans, i);
      const char *replaces = care_record_get (plan, "replaces_id");

      if (!is_blank (replaces) &&
          g_strcmp0 (care_record_get (plan, "status"), "entered-in-error") != 0)
        g_hash_table_add (replaced, (gpointer) replaces);
    }

  return replaced;
}

/* Whether @goal is on the current plan: open, and in no plan that ended or was
 * replaced. A goal of a plan not in the chart, or of no plan, counts. */
static gboolean
is_current_goal (const CareChart *chart,
                 GHashTable      *replaced,
                 CareRecord      *goal)
{
  const char *status = care_record_get (goal, "lifecycle_status");
  const char *plan_id = care_record_get (goal, "care_plan_id");
  CareRecord *plan;

  if (status != NULL && !in_list (open_goal_statuses, G_N_ELEMENTS (open_goal_statuses), status))
    return FALSE;
  if (is_blank (plan_id))
    return TRUE;
  if (g_hash_table_contains (replaced, plan_id))
    return FALSE;

  plan = care_chart_find (chart, "care_plans", plan_id);
  return plan == NULL || !in_list (ended_plan_statuses, G_N_ELEMENTS (ended_plan_statuses),
                                   care_record_get (plan, "status"));
}

static int
compare_goals (gconstpointer a,
               gconstpointer b)
{
  CareRecord *x = *(CareRecord **) a;
  CareRecord *y = *(CareRecord **) b;
  int order = g_strcmp0 (care_record_get (x, "measure_loinc"),
                         care_record_get (y, "measure_loinc"));

  if (order == 0)
    order = g_strcmp0 (care_record_get (x, "description"), care_record_get (y, "description"));
  return order != 0 ? order : g_strcmp0 (care_record_get_id (x), care_record_get_id (y));
}

static void
add_goal_conflict (GPtrArray *conflicts,
                   GPtrArray *goals)
{
  const char *loinc = care_record_get (g_ptr_array_index (goals, 0), "measure_loinc");
  const char *measure = care_validate_observation_display (loinc);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *fallback = NULL;
  g_autofree char *list = NULL;
  gboolean differ = FALSE;

  for (guint i = 1; i < goals->len && !differ; i++)
    differ = !same_target (g_ptr_array_index (goals, 0), g_ptr_array_index (goals, i));
  if (!differ)
    return;

  for (guint i = 0; i < goals->len; i++)
    {
      CareRecord *goal = g_ptr_array_index (goals, i);
      g_autofree char *target = NULL;
      Target range;

      goal_target (goal, &range);
      target = format_target (goal, &range);
      /* Translators: a goal in a list: its description, then its target, as in
       * "“HbA1c below 7%” (at most 7 %)". */
      g_ptr_array_add (items, g_strdup_printf (_("“%s” (%s)"),
                                               care_record_get (goal, "description"), target));
    }

  if (measure == NULL)
    /* Translators: a test the app has no name for, by its code: "LOINC 1234-5". */
    measure = fallback = g_strdup_printf (_("LOINC %s"), loinc);
  list = join_list (items);
  g_ptr_array_add (conflicts, conflict_new ("goal-targets",
    /* Translators: the first %s is a test ("Hemoglobin A1c"), the second a list of
     * goals with their targets. */
    g_strdup_printf (_("Goals for %s have different targets: %s. Agree on one target."),
                     measure, list), goals));
}

static void
check_goals (const CareChart *chart,
             GHashTable      *replaced,
             GPtrArray       *conflicts)
{
  g_autoptr(GPtrArray) goals = g_ptr_array_new ();
  guint start = 0;

  for (guint i = 0; i < chart->goals->len; i++)
    {
      CareRecord *goal = g_ptr_array_index (chart->goals, i);
      Target target;

      if (!is_blank (care_record_get (goal, "measure_loinc")) && goal_target (goal, &target) &&
          is_current_goal (chart, replaced, goal))
        g_ptr_array_add (goals, goal);
    }

  g_ptr_array_sort (goals, compare_goals);
  for (guint i = 1; i <= goals->len; i++)
    {
      if (i < goals->len &&
          g_str_equal (care_record_get (g_ptr_array_index (goals, i), "measure_loinc"),
                       care_record_get (g_ptr_array_index (goals, start), "measure_loinc")))
        continue;

      if (i - start >= 2)
        {
          g_autoptr(GPtrArray) same = g_ptr_array_new ();

          for (guint j = start; j < i; j++)
            g_ptr_array_add (same, g_ptr_array_index (goals, j));
          add_goal_conflict (conflicts, same);
        }
      start = i;
    }
}

static int
compare_orders (gconstpointer a,
                gconstpointer b)
{
  CareRecord *x = *(CareRecord **) a;
  CareRecord *y = *(CareRecord **) b;
  int order = g_strcmp0 (care_record_get (x, "drug"), care_record_get (y, "drug"));

  return order != 0 ? order : g_strcmp0 (care_record_get_id (x), care_record_get_id (y));
}

static char *
describe_order (const CareChart *chart,
                CareRecord      *order)
{
  const char *drug = care_record_get (order, "drug");
  const char *prescriber = care_record_get (order, "prescriber_id");
  g_autofree char *name = NULL;

  if (is_blank (prescriber))
    /* Translators: an order in a list, "atorvastatin 40 MG Oral Tablet (no
     * prescriber recorded)". */
    return g_strdup_printf (_("%s (no prescriber recorded)"), drug);

  name = care_chart_practitioner_name (chart, prescriber);
  if (name == NULL)
    /* Translators: an order in a list whose prescriber is not in the directory. */
    return g_strdup_printf (_("%s by an unknown prescriber"), drug);

  /* Translators: an order in a list, "atorvastatin 40 MG Oral Tablet by Ana Ruiz, MD". */
  return g_strdup_printf (_("%s by %s"), drug, name);
}

static void
check_orders (const CareChart *chart,
              const Data      *data,
              GPtrArray       *conflicts)
{
  /* group -> (element-type CareRecord) its active orders; group -> class ids seen */
  g_autoptr(GHashTable) orders = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) classes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_hash_table_unref);

  for (guint i = 0; i < chart->medications->len; i++)
    {
      CareRecord *order = g_ptr_array_index (chart->medications, i);
      g_autoptr(GPtrArray) found = NULL;

      if (g_strcmp0 (care_record_get (order, "status"), "active") != 0)
        continue;

      found = classes_of (data, care_record_get (order, "drug"), care_record_get (order, "rxnorm"));
      for (guint j = 0; j < found->len; j++)
        {
          DrugClass *klass = g_ptr_array_index (found, j);
          GPtrArray *list = g_hash_table_lookup (orders, klass->group);
          GHashTable *seen = g_hash_table_lookup (classes, klass->group);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              seen = g_hash_table_new (g_str_hash, g_str_equal);
              g_hash_table_insert (orders, klass->group, list);
              g_hash_table_insert (classes, klass->group, seen);
            }
          /* A combination in two classes of one group is one order of the group. */
          if (list->len == 0 || g_ptr_array_index (list, list->len - 1) != order)
            g_ptr_array_add (list, order);
          g_hash_table_add (seen, klass->name);
        }
    }

  /* Groups in the order of their first class in the file. */
  for (guint i = 0; i < data->classes->len; i++)
    {
      DrugClass *klass = g_ptr_array_index (data->classes, i);
      GPtrArray *list = g_hash_table_lookup (orders, klass->group);
      GHashTable *seen = g_hash_table_lookup (classes, klass->group);
      g_autoptr(GHashTable) prescribers = NULL;
      g_autoptr(GPtrArray) items = NULL;
      g_autofree char *joined = NULL;
      const char *name;

      if (list == NULL)
        continue;

      prescribers = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint j = 0; j < list->len; j++)
        {
          const char *prescriber = care_record_get (g_ptr_array_index (list, j), "prescriber_id");

          if (!is_blank (prescriber))
            g_hash_table_add (prescribers, (gpointer) prescriber);
        }

      if (g_hash_table_size (prescribers) >= 2)
        {
          g_ptr_array_sort (list, compare_orders);
          items = g_ptr_array_new_with_free_func (g_free);
          for (guint j = 0; j < list->len; j++)
            g_ptr_array_add (items, describe_order (chart, g_ptr_array_index (list, j)));
          joined = join_list (items);

          /* One class of the group: its own name; several: the group's. */
          if (g_hash_table_size (seen) == 1)
            {
              GHashTableIter iter;
              gpointer only;

              g_hash_table_iter_init (&iter, seen);
              g_hash_table_iter_next (&iter, &only, NULL);
              name = only;
            }
          else
            name = klass->group_name;

          g_ptr_array_add (conflicts, conflict_new ("same-class-prescribers",
            /* Translators: the first %s is a class of drugs ("opioids"), the second a
             * list of orders with their prescribers. */
            g_strdup_printf (_("Different prescribers ordered %s: %s. Check with them that "
                               "both are meant."), _(name), joined), list));
        }

      /* Done with the group: its later classes must not report it again. */
      g_hash_table_remove (classes, klass->group);
      g_hash_table_remove (orders, klass->group);
    }
}

static int
compare_plans (gconstpointer a,
               gconstpointer b)
{
  CareRecord *x = *(CareRecord **) a;
  CareRecord *y = *(CareRecord **) b;
  int order = g_strcmp0 (care_record_get (x, "period_start"), care_record_get (y, "period_start"));

  return order != 0 ? order : g_strcmp0 (care_record_get_id (x), care_record_get_id (y));
}

static void
check_plans (const CareChart *chart,
             GHashTable      *replaced,
             GPtrArray       *conflicts)
{
  g_autoptr(GPtrArray) active = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  for (guint i = 0; i < chart->care_plans->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (chart->care_plans, i);

      if (g_strcmp0 (care_record_get (plan, "status"), "active") == 0 &&
          !g_hash_table_contains (replaced, care_record_get_id (plan)))
        g_ptr_array_add (active, plan);
    }

  if (active->len < 2)
    return;

  g_ptr_array_sort (active, compare_plans);
  for (guint i = 0; i < active->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (active, i);
      g_autofree char *author = care_chart_practitioner_name (chart,
                                                              care_record_get (plan, "author_id"));

      if (author != NULL)
        /* Translators: a care plan in a list, "“Diabetes care” by Ana Ruiz, MD". */
        g_ptr_array_add (items, g_strdup_printf (_("“%s” by %s"),
                                                 care_record_get (plan, "title"), author));
      else
        /* Translators: a care plan in a list, by its title. */
        g_ptr_array_add (items, g_strdup_printf (_("“%s”"), care_record_get (plan, "title")));
    }

  joined = join_list (items);
  g_ptr_array_add (conflicts, conflict_new ("two-active-plans",
    /* Translators: %u is the number of plans (2 or more), %s a list of plan titles. */
    g_strdup_printf (ngettext ("%u care plan is active: %s. It may have been revised on two "
                               "machines at once; keep one version.",
                               "%u care plans are active: %s. The plan may have been revised "
                               "on two machines at once; keep one version.", active->len),
                     active->len, joined), active));
}

GPtrArray *
care_plan_conflicts (const CareChart  *chart,
                     GError          **error)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GHashTable) replaced = NULL;
  const Data *data;

  g_return_val_if_fail (chart != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((data = get_data (error)) == NULL)
    return NULL;

  conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) care_plan_conflict_free);
  replaced = replaced_plans (chart);
  check_goals (chart, replaced, conflicts);
  check_orders (chart, data, conflicts);
  check_plans (chart, replaced, conflicts);

  return g_steal_pointer (&conflicts);
}

/* Drug classes ------------------------------------------------------------- */

const char *
care_drug_class (const char *drug_name,
                 const char *rxnorm)
{
  const Data *data = get_data (NULL);
  g_autoptr(GPtrArray) found = NULL;

  if (data == NULL)
    return NULL;

  found = classes_of (data, drug_name, rxnorm);
  if (found->len == 0)
    return NULL;

  return _(((DrugClass *) g_ptr_array_index (found, 0))->name);
}

/* Mentions ----------------------------------------------------------------- */

/* At most this many words after "@" are looked at: enough for "@Ana María García
 * López". */
#define MENTION_WORDS 4

typedef struct
{
  gboolean full;    /* the whole "given family" name */
  guint    words;   /* how many words of the mention it used */
} Match;

/* Characters that join the words of one mention: "@Ana Ruiz", "@García-López",
 * "@O'Brien". Anything else ends it. */
static gboolean
joins_words (gunichar c)
{
  return c == ' ' || c == '\t' || c == 0x00A0 || c == '-' || c == '\'' || c == 0x2019;
}

/* Whether the "@" at @at starts a mention: not inside a word, an address or a path
 * ("ana@example.org"). */
static gboolean
starts_mention (const char *body,
                const char *at)
{
  gunichar previous, next;

  next = g_utf8_get_char (at + 1);
  if (!g_unichar_isalnum (next))
    return FALSE;
  if (at == body)
    return TRUE;

  previous = g_utf8_get_char (g_utf8_find_prev_char (body, at));
  return !g_unichar_isalnum (previous) &&
         (previous >= 0x80 || strchr ("._%+-/=", (int) previous) == NULL);
}

/* The folded words of the mention after @at ("@"), at most MENTION_WORDS. */
static GStrv
mention_words (const char *at)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = at + 1;
  guint words = 1;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char (p);
      const char *after = p;

      if (g_unichar_isalnum (c) || g_unichar_ismark (c))
        {
          g_string_append_unichar (text, c);
          p = g_utf8_next_char (p);
          continue;
        }

      /* Joiners count only when a word follows them: "@Ana, please" ends at "Ana". */
      while (*after != '\0' && joins_words (g_utf8_get_char (after)))
        after = g_utf8_next_char (after);
      if (after == p || !g_unichar_isalnum (g_utf8_get_char (after)) || words == MENTION_WORDS)
        break;

      g_string_append_c (text, ' ');
      words++;
      p = after;
    }

  return fold_words (text->str);
}

/* How well the mention @words names @person; words 0 when it does not. */
static Match
match_person (const char * const *words,
              CareRecord         *person)
{
  g_auto(GStrv) given = fold_words (care_record_get (person, "given_name"));
  g_auto(GStrv) family = fold_words (care_record_get (person, "family_name"));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full = NULL;
  Match match = { FALSE, 0 };

  g_strv_builder_addv (builder, (const char **) given);
  g_strv_builder_addv (builder, (const char **) family);
  full = g_strv_builder_end (builder);

  if (given[0] != NULL && family[0] != NULL &&
      starts_with_words (words, (const char * const *) full))
    {
      match.full = TRUE;
      match.words = g_strv_length (full);
      return match;
    }

  /* Part of the name: the given name or the family name, whole or its first word
   * ("@Ana" for Ana María, "@García" for García López). */
  if (starts_with_words (words, (const char * const *) given))
    match.words = MAX (match.words, g_strv_length (given));
  if (starts_with_words (words, (const char * const *) family))
    match.words = MAX (match.words, g_strv_length (family));
  if (match.words == 0 && words[0] != NULL &&
      ((given[0] != NULL && g_str_equal (words[0], given[0])) ||
       (family[0] != NULL && g_str_equal (words[0], family[0]))))
    match.words = 1;

  return match;
}

static gboolean
better_match (Match a,
              Match b)
{
  return a.full != b.full ? a.full : a.words > b.words;
}

/* The one person of @team the mention at @at names, or NULL (no one, or several). */
static CareRecord *
resolve_mention (const char *at,
                 GPtrArray  *team)
{
  g_auto(GStrv) words = mention_words (at);
  CareRecord *best = NULL;
  Match best_match = { FALSE, 0 };
  gboolean tie = FALSE;

  for (guint i = 0; i < team->len; i++)
    {
      CareRecord *person = g_ptr_array_index (team, i);
      Match match = match_person ((const char * const *) words, person);

      if (match.words == 0)
        continue;
      if (best == NULL || better_match (match, best_match))
        {
          best = person;
          best_match = match;
          tie = FALSE;
        }
      else if (!better_match (best_match, match) &&
               g_strcmp0 (care_record_get_id (best), care_record_get_id (person)) != 0)
        tie = TRUE;
    }

  return tie ? NULL : best;
}

GPtrArray *
care_note_mentions (const char *body,
                    GPtrArray  *team)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  if (body == NULL || team == NULL || !g_utf8_validate (body, -1, NULL))
    return ids;

  for (const char *at = strchr (body, '@'); at != NULL; at = strchr (at + 1, '@'))
    {
      CareRecord *person;
      const char *id;

      if (!starts_mention (body, at) || (person = resolve_mention (at, team)) == NULL)
        continue;

      id = care_record_get_id (person);
      if (!g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (id));
    }

  return ids;
}
