/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-patient-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

#include "care-labels.h"
#include "care-chart.h"
#include "care-gaps.h"
#include "care-patient-page.h"
#include "care-plan-window.h"
#include "care-record.h"
#include "care-record-editor.h"
#include "care-record-rows.h"
#include "care-results-window.h"
#include "care-review.h"
#include "care-text.h"
#include "care-trend-chart.h"

/*
 * The patient dashboard: everything that matters about one patient, read in one
 * job on the store's worker (care_chart_load()), then drawn. Sections are
 * AdwPreferencesGroups made here, in the order a clinician reads them.
 */

typedef enum
{
  SECTION_SINCE,
  SECTION_GAPS,
  SECTION_PLAN,
  SECTION_WORK,
  SECTION_PROBLEMS,
  SECTION_MEDICATIONS,
  SECTION_ALLERGIES,
  SECTION_ENCOUNTERS,
  SECTION_IMMUNIZATIONS,
  SECTION_TEAM,
  SECTION_DETAILS,
  N_SECTIONS
} Section;

static const struct
{
  const char *name;    /* for tests */
  const char *title;   /* N_() */
  const char *table;   /* records added from the group's header, or NULL */
  const char *add;     /* N_(): the add button's tooltip */
} sections[N_SECTIONS] = {
  [SECTION_SINCE]         = { "since", NULL, NULL, NULL },
  [SECTION_GAPS]          = { "gaps", N_("Care Gaps"), NULL, NULL },
  [SECTION_PLAN]          = { "plan", N_("Care Plan"), NULL, NULL },
  [SECTION_WORK]          = { "work", N_("Upcoming and Overdue"), NULL, NULL },
  [SECTION_PROBLEMS]      = { "problems", N_("Problems"), "conditions", N_("Add Problem") },
  [SECTION_MEDICATIONS]   = { "medications", N_("Medications"), "medication_orders", N_("Add Medication") },
  [SECTION_ALLERGIES]     = { "allergies", N_("Allergies and Intolerances"), "allergies", N_("Add Allergy") },
  [SECTION_ENCOUNTERS]    = { "encounters", N_("Recent Encounters"), "encounters", N_("Add Encounter") },
  [SECTION_IMMUNIZATIONS] = { "immunizations", N_("Immunizations"), "immunizations", N_("Add Immunization") },
  [SECTION_TEAM]          = { "team", N_("Care Team"), NULL, NULL },
  [SECTION_DETAILS]       = { "details", N_("Demographics"), NULL, NULL },
};

/* The trend charts: one per measure, in this order. */
typedef struct
{
  const char *title;      /* N_() */
  const char *loinc;
  const char *loinc2;     /* a second series (diastolic), or NULL */
  double      low, high;  /* the target band by default (NAN: open) */
} Trend;

static const Trend trends[] = {
  { N_("HbA1c"),          "4548-4",  NULL,     NAN,  8.0 },
  { N_("Blood pressure"), "8480-6",  "8462-4", NAN,  140.0 },
  { N_("Weight"),         "29463-7", NULL,     NAN,  NAN },
  { N_("BMI"),            "39156-5", NULL,     18.5, 25.0 },
  { N_("PHQ-9"),          "44261-6", NULL,     NAN,  10.0 },
  { N_("eGFR"),           "33914-3", NULL,     60.0, NAN },
};

struct _CarePatientPage
{
  AdwBin                parent_instance;

  GtkLabel             *name_label;
  GtkLabel             *summary_label;
  GtkLabel             *care_label;
  GtkBox               *allergy_banner;
  GtkLabel             *allergy_label;
  AdwPreferencesGroup  *since_group;
  AdwPreferencesGroup  *review_group;
  GtkBox               *sections_box;

  AdwPreferencesGroup  *groups[N_SECTIONS];
  GPtrArray            *rows[N_SECTIONS];     /* widgets added, per group */
  AdwPreferencesGroup  *trends_group;
  CareTrendChart       *charts[G_N_ELEMENTS (trends)];

  GCancellable         *cancellable;
  CareStore            *store;
  char                 *actor;
  char                 *patient_id;
  char                 *mrn;
  CareChart            *chart;
  GHashTable           *changed_ids;   /* records changed since last looked */
  gint64                since_seq;     /* the mark of the previous opening; -1 never */
  guint                 pending;
  guint                 n_gaps;
  gint64                load_started;  /* monotonic µs, for the draw time */
  double                load_ms;       /* from load to the first frame drawn */
};

G_DEFINE_FINAL_TYPE (CarePatientPage, care_patient_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_LOADED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void reload_after_review (gpointer user_data);
static void open_editor (CarePatientPage *self,
                         const char      *table,
                         CareRecord      *record);

static void
clear_group (CarePatientPage *self,
             guint            index)
{
  for (guint i = 0; i < self->rows[index]->len; i++)
    adw_preferences_group_remove (self->groups[index], g_ptr_array_index (self->rows[index], i));
  g_ptr_array_set_size (self->rows[index], 0);
}

static void
on_row_activated_cb (AdwActionRow    *row,
                     CarePatientPage *self)
{
  CareRecord *record = care_record_row_get_record (GTK_WIDGET (row));

  open_editor (self, care_record_get_table (record), record);
}

/* A row; @record makes it open the record's editor when activated, and marks it
 * when it changed since the user last looked. */
static GtkWidget *
add_record_row (CarePatientPage *self,
                guint            index,
                const char      *title,
                const char      *subtitle,
                CareRecord      *record)
{
  GtkWidget *row = care_record_row_new (title, subtitle != NULL && *subtitle != '\0' ? subtitle : _("Not recorded"),
                                        record, G_CALLBACK (on_row_activated_cb), self);

  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  if (record != NULL && self->changed_ids != NULL && index != SECTION_SINCE &&
      g_hash_table_contains (self->changed_ids, care_record_get_id (record)))
    {
      care_record_row_add_badge (row, _("Changed"), "changed-badge");
      gtk_widget_add_css_class (row, "changed-since");
    }

  adw_preferences_group_add (self->groups[index], row);
  g_ptr_array_add (self->rows[index], row);

  return row;
}

static void
add_row (CarePatientPage *self,
         guint            index,
         const char      *title,
         const char      *subtitle)
{
  add_record_row (self, index, title, subtitle, NULL);
}

static void
add_empty_row (CarePatientPage *self,
               guint            index,
               const char      *text)
{
  GtkWidget *label = care_empty_label_new (text);

  adw_preferences_group_add (self->groups[index], label);
  g_ptr_array_add (self->rows[index], label);
}

static gboolean
is_error (CareRecord *record,
          const char *column)
{
  return g_strcmp0 (care_record_get (record, column), "entered-in-error") == 0;
}

/* "2026-03-02" from a date or a date-time. */
static char *
date_part (const char *value)
{
  return value ? g_strndup (value, 10) : g_strdup ("?");
}

static void
set_banner (CarePatientPage *self,
            const char      *css_class,
            const char      *icon,
            const char      *text)
{
  static const char *classes[] = { "has-allergies", "no-known-allergies", "not-recorded" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->allergy_banner), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->allergy_banner), css_class);
  gtk_image_set_from_icon_name (GTK_IMAGE (gtk_widget_get_first_child (GTK_WIDGET (self->allergy_banner))), icon);
  gtk_label_set_label (self->allergy_label, text);
}

static gboolean
is_active_allergy (CareRecord *record)
{
  return g_strcmp0 (care_record_get (record, "clinical_status"), "active") == 0 &&
         g_strcmp0 (care_record_get (record, "verification_status"), "entered-in-error") != 0 &&
         g_strcmp0 (care_record_get (record, "verification_status"), "refuted") != 0;
}

static gboolean
is_no_known_allergy (CareRecord *record)
{
  return g_strcmp0 (care_record_get (record, "code"), "716186003") == 0;
}

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "–";
}

static void
on_no_known_allergies_cb (GtkButton       *button,
                          CarePatientPage *self)
{
  CareFields *fields = care_fields_new ();

  care_fields_set (fields, "patient_id", self->patient_id);
  care_fields_set (fields, "code_system", "http://snomed.info/sct");
  care_fields_set (fields, "code", "716186003");
  care_fields_set (fields, "substance", "No known allergy");
  care_fields_set (fields, "clinical_status", "active");
  care_fields_set (fields, "verification_status", "confirmed");
  care_fields_set (fields, "recorded_date", self->chart->today);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  care_store_put_async (self->store, self->actor, "allergies", NULL, fields, NULL,
                        (GAsyncReadyCallback) reload_after_review, self);
}

static void
show_allergies (CarePatientPage *self,
                GPtrArray       *records)
{
  g_autoptr(GString) banner = g_string_new (NULL);
  gboolean no_known = FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const char *severity = care_record_get (record, "severity");
      const char *reaction = care_record_get (record, "reaction");
      g_autofree char *subtitle = NULL;

      if (!is_active_allergy (record))
        continue;

      if (is_no_known_allergy (record))
        {
          no_known = TRUE;
          continue;
        }

      if (banner->len > 0)
        g_string_append (banner, ", ");
      g_string_append (banner, care_record_get (record, "substance"));
      if (severity != NULL)
        g_string_append_printf (banner, " (%s)", severity);

      /* Translators: allergy details: reaction · severity · criticality */
      subtitle = g_strdup_printf (_("%s · severity %s · criticality %s"),
                                  reaction ? reaction : _("reaction not recorded"),
                                  or_dash (severity), or_dash (care_record_get (record, "criticality")));
      add_record_row (self, SECTION_ALLERGIES, care_record_get (record, "substance"), subtitle, record);
    }

  if (banner->len > 0)
    {
      g_autofree char *text = g_strdup_printf (_("Allergies: %s"), banner->str);

      set_banner (self, "has-allergies", "dialog-warning-symbolic", text);
    }
  else if (no_known)
    {
      set_banner (self, "no-known-allergies", "emblem-ok-symbolic", _("No known allergies"));
      add_empty_row (self, SECTION_ALLERGIES, _("No known allergies (recorded)"));
    }
  else
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_label (_("Record No Known Allergies"));

      set_banner (self, "not-recorded", "dialog-warning-symbolic", _("Allergies not recorded"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Allergies have not been recorded for this patient"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_signal_connect (button, "clicked", G_CALLBACK (on_no_known_allergies_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->groups[SECTION_ALLERGIES], row);
      g_ptr_array_add (self->rows[SECTION_ALLERGIES], row);
    }
}

static gboolean
is_active_condition (CareRecord *record)
{
  const char *status = care_record_get (record, "clinical_status");

  return g_strcmp0 (status, "active") == 0 || g_strcmp0 (status, "recurrence") == 0 ||
         g_strcmp0 (status, "relapse") == 0;
}

static void
show_problems (CarePatientPage *self,
               GPtrArray       *records)
{
  guint shown = 0;

  /* Active problems first, newest onset first; then the others. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = records->len; i-- > 0;)
      {
        CareRecord *record = g_ptr_array_index (records, i);
        const char *onset = care_record_get (record, "onset_date");
        g_autofree char *subtitle = NULL;

        if (is_error (record, "verification_status") || is_active_condition (record) != (pass == 0))
          continue;

        /* Translators: problem details: clinical status · onset date */
        subtitle = g_strdup_printf (_("%s · since %s"), or_dash (care_record_get (record, "clinical_status")),
                                    onset ? onset : "?");
        add_record_row (self, SECTION_PROBLEMS, care_record_get (record, "display"), subtitle, record);
        shown++;
      }

  if (shown == 0)
    add_empty_row (self, SECTION_PROBLEMS, _("No problems recorded"));
}

/* The last dispense of a medication order (by order, else by drug name). */
static CareRecord *
last_dispense (const CareChart *chart,
               CareRecord      *order)
{
  for (guint i = chart->dispenses->len; i-- > 0;)
    {
      CareRecord *dispense = g_ptr_array_index (chart->dispenses, i);

      if (g_strcmp0 (care_record_get (dispense, "status"), "completed") != 0)
        continue;
      if (g_strcmp0 (care_record_get (dispense, "order_id"), care_record_get_id (order)) == 0 ||
          (care_record_get (dispense, "order_id") == NULL &&
           g_strcmp0 (care_record_get (dispense, "drug"), care_record_get (order, "drug")) == 0))
        return dispense;
    }
  return NULL;
}

static void
show_medications (CarePatientPage *self,
                  GPtrArray       *records)
{
  guint shown = 0;

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < records->len; i++)
      {
        CareRecord *record = g_ptr_array_index (records, i);
        const char *status = care_record_get (record, "status");
        CareRecord *dispense;
        g_autofree char *prescriber = NULL;
        g_autofree char *filled = NULL;
        g_autofree char *subtitle = NULL;

        if (is_error (record, "status") || (g_strcmp0 (status, "active") == 0) != (pass == 0))
          continue;

        prescriber = care_chart_practitioner_name (self->chart, care_record_get (record, "prescriber_id"));
        dispense = last_dispense (self->chart, record);
        if (dispense != NULL)
          {
            g_autofree char *date = date_part (care_record_get (dispense, "handed_over_at"));

            /* Translators: the last dispense of a medication: date, days' supply */
            filled = g_strdup_printf (_("last filled %s (%s days)"), date, or_dash (care_record_get (dispense, "days_supply")));
          }

        /* Translators: medication: dose route frequency · status · prescriber · last fill */
        subtitle = g_strdup_printf (_("%s %s %s · %s · %s · %s"),
                                    or_dash (care_record_get (record, "dose")),
                                    care_record_get (record, "route") ? care_record_get (record, "route") : "",
                                    care_record_get (record, "frequency") ? care_record_get (record, "frequency") : "",
                                    status ? status : "",
                                    prescriber ? prescriber : _("prescriber not recorded"),
                                    filled ? filled : _("never filled"));
        add_record_row (self, SECTION_MEDICATIONS, care_record_get (record, "drug"), subtitle, record);
        shown++;
      }

  if (shown == 0)
    add_empty_row (self, SECTION_MEDICATIONS, _("No medications recorded"));
}

static const char *
encounter_kind (const char *klass)
{
  if (g_strcmp0 (klass, "EMER") == 0)
    return _("Emergency department");
  if (g_strcmp0 (klass, "IMP") == 0)
    return _("Hospital stay");
  if (g_strcmp0 (klass, "OBSENC") == 0)
    return _("Observation stay");
  if (g_strcmp0 (klass, "VR") == 0)
    return _("Telehealth");
  if (g_strcmp0 (klass, "HH") == 0)
    return _("Home visit");
  return _("Office visit");
}

#define RECENT_ENCOUNTERS 8

static void
show_encounters (CarePatientPage *self,
                 GPtrArray       *records)
{
  guint shown = 0;

  for (guint i = records->len; i-- > 0 && shown < RECENT_ENCOUNTERS;)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const char *klass = care_record_get (record, "class");
      const char *status = care_record_get (record, "status");
      g_autofree char *start = date_part (care_record_get (record, "start_at"));
      g_autofree char *who = care_chart_practitioner_name (self->chart, care_record_get (record, "practitioner_id"));
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (g_strcmp0 (status, "planned") == 0 || g_strcmp0 (status, "cancelled") == 0 || is_error (record, "status"))
        continue;

      /* Translators: an encounter: kind · type, e.g. "Office visit · diabetes follow-up" */
      {
        g_autofree char *type = care_text_fold (care_record_get (record, "type") ? care_record_get (record, "type") : "");
        g_autofree char *kind = care_text_fold (encounter_kind (klass));

        /* "Home visit · home visit" says it once. */
        if (*type == '\0' || g_str_has_prefix (type, kind) || g_str_has_prefix (kind, type))
          title = g_strdup (encounter_kind (klass));
        else
          title = g_strdup_printf (_("%s · %s"), encounter_kind (klass), care_record_get (record, "type"));
      }
      if (care_record_get (record, "end_at") != NULL && (g_strcmp0 (klass, "IMP") == 0 || g_strcmp0 (klass, "OBSENC") == 0))
        {
          g_autofree char *end = date_part (care_record_get (record, "end_at"));

          /* Translators: a hospital stay: admitted – discharged · reason · who */
          subtitle = g_strdup_printf (_("%s – %s · %s · %s"), start, end, or_dash (care_record_get (record, "reason")),
                                      who ? who : "–");
        }
      else
        /* Translators: an encounter: date · reason · who */
        subtitle = g_strdup_printf (_("%s · %s · %s"), start, or_dash (care_record_get (record, "reason")), who ? who : "–");

      row = add_record_row (self, SECTION_ENCOUNTERS, title, subtitle, record);
      /* ED visits and hospital stays stand out: they drive care gaps and cost. */
      if (g_strcmp0 (klass, "EMER") == 0 || g_strcmp0 (klass, "IMP") == 0 || g_strcmp0 (klass, "OBSENC") == 0)
        adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                   care_badge_new (g_strcmp0 (klass, "EMER") == 0 ? _("ED") : _("Hospital"),
                                                   "acute-badge"));
      shown++;
    }

  if (shown == 0)
    add_empty_row (self, SECTION_ENCOUNTERS, _("No encounters recorded"));
}

static void
show_immunizations (CarePatientPage *self,
                    GPtrArray       *records)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint shown = 0;

  /* The latest dose of each vaccine, newest first. */
  for (guint i = records->len; i-- > 0;)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const char *cvx = care_record_get (record, "cvx");
      g_autofree char *subtitle = NULL;
      guint doses = 0;

      if (is_error (record, "status") || g_hash_table_contains (seen, cvx))
        continue;
      g_hash_table_add (seen, (gpointer) cvx);
      for (guint j = 0; j < records->len; j++)
        doses += g_strcmp0 (care_record_get (g_ptr_array_index (records, j), "cvx"), cvx) == 0 &&
                 g_strcmp0 (care_record_get (g_ptr_array_index (records, j), "status"), "completed") == 0;

      if (g_strcmp0 (care_record_get (record, "status"), "not-done") == 0)
        /* Translators: a vaccine not given: date · reason */
        subtitle = g_strdup_printf (_("not given %s · %s"), care_record_get (record, "occurrence_date"),
                                    or_dash (care_record_get (record, "status_reason")));
      else
        /* Translators: a vaccine: last given on DATE · number of doses */
        subtitle = g_strdup_printf (ngettext ("last given %s · %u dose", "last given %s · %u doses", doses),
                                    care_record_get (record, "occurrence_date"), doses);
      add_record_row (self, SECTION_IMMUNIZATIONS, care_record_get (record, "vaccine"), subtitle, record);
      shown++;
    }

  if (shown == 0)
    add_empty_row (self, SECTION_IMMUNIZATIONS, _("No immunizations recorded"));
}

static void
show_team (CarePatientPage *self,
           GPtrArray       *records)
{
  guint shown = 0;

  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *member = g_ptr_array_index (records, i);
      const char *practitioner_id = care_record_get (member, "practitioner_id");
      CareRecord *practitioner = g_hash_table_lookup (self->chart->practitioners, practitioner_id ? practitioner_id : "");
      g_autofree char *name = care_chart_practitioner_name (self->chart, practitioner_id);
      g_autofree char *subtitle = NULL;
      const char *contact;

      if (g_strcmp0 (care_record_get (member, "status"), "active") != 0 || practitioner == NULL)
        continue;

      contact = care_record_get (practitioner, "phone") ? care_record_get (practitioner, "phone")
                                                        : care_record_get (practitioner, "email");
      /* Translators: a care-team member: role · discipline · phone or email */
      subtitle = g_strdup_printf (_("%s · %s · %s"), or_dash (care_record_get (member, "role")),
                                  care_label_discipline (care_record_get (practitioner, "discipline")), or_dash (contact));
      add_record_row (self, SECTION_TEAM, name, subtitle, member);
      shown++;
    }

  if (shown == 0)
    add_empty_row (self, SECTION_TEAM, _("No care team recorded"));
}

static void
show_gaps (CarePatientPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) gaps = care_gaps_compute (self->chart, &error);

  self->n_gaps = 0;
  if (gaps == NULL)
    {
      add_empty_row (self, SECTION_GAPS, error->message);
      return;
    }

  for (guint i = 0; i < gaps->len; i++)
    {
      CareGap *gap = g_ptr_array_index (gaps, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gap->title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), gap->reason);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_group_add (self->groups[SECTION_GAPS], row);
      g_ptr_array_add (self->rows[SECTION_GAPS], row);
      self->n_gaps++;
    }

  if (gaps->len == 0)
    add_empty_row (self, SECTION_GAPS, _("No care gaps: everything due has been done"));
}

static void
on_open_plan_cb (CarePatientPage *self)
{
  const char *user_id = g_str_has_prefix (self->actor, "practitioner:") ? self->actor + strlen ("practitioner:") : NULL;
  CarePlanWindow *window = care_plan_window_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->store,
                                                 self->actor, user_id, self->patient_id);

  gtk_window_present (GTK_WINDOW (window));
}

/* The care plan in one row: its title and what is open; the plan itself opens
 * in its own window. */
static void
show_plan_summary (CarePatientPage *self)
{
  const CareChart *chart = self->chart;
  CareRecord *plan = NULL;
  guint n_active = 0, goals = 0, tasks = 0;
  g_autofree char *subtitle = NULL;
  GtkWidget *row, *button;

  for (guint i = 0; i < chart->care_plans->len; i++)
    {
      CareRecord *candidate = g_ptr_array_index (chart->care_plans, i);

      if (g_strcmp0 (care_record_get (candidate, "status"), "active") != 0)
        continue;
      n_active++;
      if (plan == NULL || g_strcmp0 (care_record_get (candidate, "created_at"), care_record_get (plan, "created_at")) > 0)
        plan = candidate;
    }

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (plan != NULL)
    {
      for (guint i = 0; i < chart->goals->len; i++)
        goals += g_strcmp0 (care_record_get (g_ptr_array_index (chart->goals, i), "care_plan_id"), care_record_get_id (plan)) == 0 &&
                 g_strcmp0 (care_record_get (g_ptr_array_index (chart->goals, i), "lifecycle_status"), "active") == 0;
      for (guint i = 0; i < chart->tasks->len; i++)
        {
          const char *status = care_record_get (g_ptr_array_index (chart->tasks, i), "status");

          tasks += g_strcmp0 (status, "requested") == 0 || g_strcmp0 (status, "in-progress") == 0;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), care_record_get (plan, "title"));
      /* Translators: the care plan's summary on the dashboard */
      subtitle = g_strdup_printf (_("%u active goals · %u open tasks · since %s"), goals, tasks,
                                  or_dash (care_record_get (plan, "period_start")));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (n_active > 1)
        care_record_row_add_badge (row, _("Two active versions"), "overdue-badge");
      button = gtk_button_new_with_mnemonic (_("Open _Plan"));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No care plan yet"));
      button = gtk_button_new_with_mnemonic (_("Start a _Plan"));
    }
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_open_plan_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->groups[SECTION_PLAN], row);
  g_ptr_array_add (self->rows[SECTION_PLAN], row);
}

/* Work: tasks, appointments and referrals still open, overdue first. */
typedef struct
{
  char       *due;      /* YYYY-MM-DD or "9999" when none */
  char       *title;
  char       *subtitle;
  gboolean    overdue;
  CareRecord *record;
} WorkItem;

static void
work_item_free (gpointer data)
{
  WorkItem *item = data;

  g_free (item->due);
  g_free (item->title);
  g_free (item->subtitle);
  g_clear_object (&item->record);
  g_free (item);
}

static int
compare_work (gconstpointer a,
              gconstpointer b)
{
  const WorkItem *wa = *(WorkItem * const *) a;
  const WorkItem *wb = *(WorkItem * const *) b;

  if (wa->overdue != wb->overdue)
    return wb->overdue - wa->overdue;
  return g_strcmp0 (wa->due, wb->due);
}

static void
show_work (CarePatientPage *self)
{
  const CareChart *chart = self->chart;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (work_item_free);

  for (guint i = 0; i < chart->tasks->len; i++)
    {
      CareRecord *task = g_ptr_array_index (chart->tasks, i);
      const char *status = care_record_get (task, "status");
      const char *due = care_record_get (task, "due_date");
      g_autofree char *who = care_chart_practitioner_name (chart, care_record_get (task, "assignee_id"));
      WorkItem *item;

      if (g_strcmp0 (status, "requested") != 0 && g_strcmp0 (status, "in-progress") != 0)
        continue;
      item = g_new0 (WorkItem, 1);
      item->due = g_strdup (due ? due : "9999");
      item->overdue = due != NULL && strcmp (due, chart->today) < 0;
      item->title = g_strdup (care_record_get (task, "description"));
      /* Translators: a task: due date · assignee · status */
      item->subtitle = g_strdup_printf (_("Task due %s · %s · %s"), due ? due : _("no date"),
                                        who ? who : care_label_discipline (care_record_get (task, "discipline")),
                                        status);
      item->record = g_object_ref (task);
      g_ptr_array_add (items, item);
    }

  for (guint i = 0; i < chart->encounters->len; i++)
    {
      CareRecord *visit = g_ptr_array_index (chart->encounters, i);
      g_autofree char *date = date_part (care_record_get (visit, "start_at"));
      g_autofree char *who = care_chart_practitioner_name (chart, care_record_get (visit, "practitioner_id"));
      WorkItem *item;

      if (g_strcmp0 (care_record_get (visit, "status"), "planned") != 0)
        continue;
      item = g_new0 (WorkItem, 1);
      item->due = g_strdup (date);
      /* A planned visit whose day has passed was missed or never closed. */
      item->overdue = strcmp (date, chart->today) < 0;
      item->title = g_strdup_printf (_("Appointment: %s"), care_record_get (visit, "type") ? care_record_get (visit, "type")
                                                                                            : encounter_kind (care_record_get (visit, "class")));
      /* Translators: an appointment: date · with whom */
      item->subtitle = g_strdup_printf (item->overdue ? _("%s · %s · not checked in") : _("%s · %s"), date, who ? who : "–");
      item->record = g_object_ref (visit);
      g_ptr_array_add (items, item);
    }

  for (guint i = 0; i < chart->referrals->len; i++)
    {
      CareRecord *referral = g_ptr_array_index (chart->referrals, i);
      const char *status = care_record_get (referral, "status");
      const char *due = care_record_get (referral, "due_date");
      WorkItem *item;

      if (g_strcmp0 (status, "active") != 0 && g_strcmp0 (status, "on-hold") != 0 && g_strcmp0 (status, "draft") != 0)
        continue;
      item = g_new0 (WorkItem, 1);
      item->due = g_strdup (due ? due : "9999");
      item->overdue = due != NULL && strcmp (due, chart->today) < 0;
      item->title = g_strdup_printf (_("Referral: %s"), care_record_get (referral, "to_service"));
      /* Translators: a referral: sent date · urgency · due date */
      item->subtitle = g_strdup_printf (_("Sent %s · %s · result due %s"), or_dash (care_record_get (referral, "sent_date")),
                                        care_label_urgency (care_record_get (referral, "urgency")), due ? due : "–");
      item->record = g_object_ref (referral);
      g_ptr_array_add (items, item);
    }

  g_ptr_array_sort (items, compare_work);
  for (guint i = 0; i < items->len; i++)
    {
      WorkItem *item = g_ptr_array_index (items, i);
      GtkWidget *row = add_record_row (self, SECTION_WORK, item->title, item->subtitle, item->record);

      if (item->overdue)
        care_record_row_add_badge (row, _("Overdue"), "overdue-badge");
    }

  if (items->len == 0)
    add_empty_row (self, SECTION_WORK, _("No open tasks, appointments or referrals"));
}

static void
show_trends (CarePatientPage *self)
{
  const CareChart *chart = self->chart;

  for (guint t = 0; t < G_N_ELEMENTS (trends); t++)
    {
      CareTrendChart *view = self->charts[t];
      double low = trends[t].low, high = trends[t].high;
      const char *codes[2] = { trends[t].loinc, trends[t].loinc2 };
      const char *unit = NULL;

      care_trend_chart_clear (view);
      for (guint s = 0; s < 2 && codes[s] != NULL; s++)
        {
          g_autoptr(GPtrArray) dates = g_ptr_array_new ();
          g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

          for (guint i = 0; i < chart->observations->len; i++)
            {
              CareRecord *observation = g_ptr_array_index (chart->observations, i);
              double value;

              if (g_strcmp0 (care_record_get (observation, "loinc"), codes[s]) != 0 ||
                  care_record_get (observation, "value_num") == NULL ||
                  is_error (observation, "status") || g_strcmp0 (care_record_get (observation, "status"), "cancelled") == 0)
                continue;
              value = care_record_get_double (observation, "value_num");
              g_ptr_array_add (dates, (gpointer) care_record_get (observation, "effective_at"));
              g_array_append_val (values, value);
              unit = care_record_get (observation, "unit");
            }
          g_ptr_array_add (dates, NULL);
          care_trend_chart_set_points (view, s, (const char * const *) dates->pdata,
                                       (const double *) (gpointer) values->data, values->len);
        }

      /* The patient's own goal for the measure, when there is one, sets the band. */
      for (guint i = 0; i < chart->goals->len; i++)
        {
          CareRecord *goal = g_ptr_array_index (chart->goals, i);

          if (g_strcmp0 (care_record_get (goal, "measure_loinc"), trends[t].loinc) == 0 &&
              g_strcmp0 (care_record_get (goal, "lifecycle_status"), "active") == 0)
            {
              low = care_record_get (goal, "target_low") ? care_record_get_double (goal, "target_low") : NAN;
              high = care_record_get (goal, "target_high") ? care_record_get_double (goal, "target_high") : NAN;
            }
        }

      {
        g_autofree char *shown = care_text_display_unit (unit);

        care_trend_chart_set_unit (view, shown);
      }
      care_trend_chart_set_target (view, low, high);
    }
}

static const char *
table_noun (const char *table)
{
  static const struct { const char *table; const char *noun; } nouns[] = {
    { "patients", N_("Demographics") }, { "conditions", N_("Problem") }, { "allergies", N_("Allergy") },
    { "medication_orders", N_("Medication") }, { "medication_dispenses", N_("Dispense") },
    { "observations", N_("Result") }, { "encounters", N_("Encounter") }, { "immunizations", N_("Immunization") },
    { "care_plans", N_("Care plan") }, { "goals", N_("Goal") }, { "care_tasks", N_("Task") },
    { "referrals", N_("Referral") }, { "care_team_members", N_("Care team") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (nouns); i++)
    if (g_strcmp0 (nouns[i].table, table) == 0)
      return _(nouns[i].noun);
  return table;
}

/* "7.4 %", "6" (a score's "{score}" unit is UCUM's annotation, not for reading). */
static char *
format_value (CareRecord *observation)
{
  const char *unit = care_record_get (observation, "unit");
  g_autofree char *number = NULL;

  if (care_record_get (observation, "value_num") == NULL)
    return g_strdup (or_dash (care_record_get (observation, "value_text")));

  number = g_strdup_printf ("%g", care_record_get_double (observation, "value_num"));
  {
    g_autofree char *shown = care_text_display_unit (unit);

    if (*shown == '\0')
      return g_steal_pointer (&number);
    return g_strdup_printf ("%s %s", number, shown);
  }
}

/* What a record is, in a few words: "Hemoglobin A1c 7.4 %", "Penicillin". */
static char *
record_label (const CareChart *chart,
              const char      *table,
              const char      *id)
{
  CareRecord *record = care_chart_find (chart, table, id);
  static const char *columns[] = { "display", "substance", "drug", "vaccine", "description", "to_service", "title", "type", NULL };

  if (record == NULL)
    return g_strdup ("");
  if (g_strcmp0 (table, "patients") == 0)
    return g_strdup ("");
  if (g_strcmp0 (table, "observations") == 0)
    {
      g_autofree char *value = format_value (record);

      return g_strdup_printf ("%s %s", or_dash (care_record_get (record, "display")), value);
    }
  if (g_strcmp0 (table, "care_team_members") == 0)
    {
      char *name = care_chart_practitioner_name (chart, care_record_get (record, "practitioner_id"));

      return name ? name : g_strdup ("");
    }
  for (guint i = 0; columns[i]; i++)
    if (care_record_get (record, columns[i]) != NULL)
      return g_strdup (care_record_get (record, columns[i]));
  return g_strdup ("");
}

/* "Dr. Ana Ruiz", "demo data", or the name the writing machine gave. */
static char *
actor_name (const CareChart *chart,
            const char      *actor)
{
  char *name;

  if (actor == NULL)
    return g_strdup (_("someone"));
  if (g_str_has_prefix (actor, "practitioner:") &&
      (name = care_chart_practitioner_name (chart, actor + strlen ("practitioner:"))) != NULL)
    return name;
  if (g_str_equal (actor, "system:generator"))
    return g_strdup (_("the demo clinic's generator"));
  if (g_str_has_prefix (actor, "local:"))
    return g_strdup (_("a user"));
  return g_strdup (actor);
}

#define SINCE_SHOWN 12

static void
show_since (CarePatientPage *self,
            GPtrArray       *activity)
{
  g_autoptr(GHashTable) shown_records = g_hash_table_new (g_str_hash, g_str_equal);
  guint shown = 0, more = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->since_group), activity != NULL && activity->len > 0);
  if (activity == NULL || activity->len == 0)
    return;

  /* Newest first, one row per record. */
  for (guint i = 0; i < activity->len; i++)
    {
      CareActivity *item = g_ptr_array_index (activity, i);
      g_autofree char *label = NULL, *who = NULL, *title = NULL, *subtitle = NULL, *when = NULL;
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local ((item->hlc >> 16) / 1000);
      CareRecord *record;

      if (!g_hash_table_add (shown_records, item->record_id))
        continue;
      if (shown >= SINCE_SHOWN)
        {
          more++;
          continue;
        }

      label = record_label (self->chart, item->table, item->record_id);
      who = actor_name (self->chart, item->actor);
      when = time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
      if (item->retired)
        /* Translators: "Medication removed: Metformin" */
        title = g_strdup_printf (_("%s removed: %s"), table_noun (item->table), label);
      else if (item->added)
        title = g_strdup_printf (_("%s added: %s"), table_noun (item->table), label);
      else
        title = g_strdup_printf (_("%s changed: %s"), table_noun (item->table), label);
      /* Translators: who changed it · on which computer · when */
      subtitle = g_strdup_printf (_("by %s · %s · %s"), who,
                                  item->this_device ? _("on this computer") : _("from another computer"), when);
      record = care_chart_find (self->chart, item->table, item->record_id);
      add_record_row (self, SECTION_SINCE, title, subtitle,
                      record && g_strcmp0 (item->table, "patients") != 0 ? record : NULL);
      shown++;
    }

  if (more > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("and %u more record changed", "and %u more records changed", more), more);

      add_empty_row (self, SECTION_SINCE, text);
    }
}

static const char *
language_name (const char *code)
{
  if (g_strcmp0 (code, "es") == 0)
    return _("Spanish");
  if (g_strcmp0 (code, "en") == 0)
    return _("English");
  return code;
}

static const char *
sex_name (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return _("female");
  if (g_strcmp0 (sex, "male") == 0)
    return _("male");
  if (g_strcmp0 (sex, "other") == 0)
    return _("other");
  return _("sex unknown");
}

/* "70 years", or months for the very young. */
static char *
format_age (const char *birth_date,
            const char *today)
{
  int years = care_text_age_in_years (birth_date, today);
  int by, bm, bd, ty, tm, td, months;

  if (years < 0)
    return g_strdup (_("age unknown"));

  if (years >= 2 || sscanf (birth_date, "%d-%d-%d", &by, &bm, &bd) != 3 ||
      sscanf (today, "%d-%d-%d", &ty, &tm, &td) != 3)
    return g_strdup_printf (ngettext ("%d year", "%d years", years), years);

  months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  return g_strdup_printf (ngettext ("%d month", "%d months", months), months);
}

/* "12 Elm St, Sweet Home, OR 97386", leaving out what is missing; NULL if nothing is. */
static char *
format_address (CareRecord *patient)
{
  const char *line = care_record_get (patient, "address_line");
  const char *city = care_record_get (patient, "city");
  const char *state = care_record_get (patient, "state");
  const char *postal = care_record_get (patient, "postal_code");
  g_autofree char *region = g_strjoin (" ", state ? state : "", postal ? postal : "", NULL);
  GString *out = g_string_new (NULL);

  g_strstrip (region);
  if (line && *line)
    g_string_append (out, line);
  if (city && *city)
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", city);
  if (*region)
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", region);

  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

typedef struct
{
  char *actor;
  char *patient_id;
} Query;

static void
query_free (gpointer data)
{
  Query *query = data;

  g_free (query->actor);
  g_free (query->patient_id);
  g_free (query);
}

/* The MRNs of the patients merged with this one, comma separated; "" if none. */
static gpointer
merged_worker (CareDb        *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Query *query = data;
  g_autoptr(GPtrArray) ids = care_db_patient_merged_with (db, query->patient_id);
  GString *mrns = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CareRecord) other = care_db_get (db, query->actor, "patients", g_ptr_array_index (ids, i), NULL);

      if (other != NULL)
        g_string_append_printf (mrns, "%sMRN %s", mrns->len ? ", " : "", care_record_get (other, "mrn"));
    }

  return g_string_free (mrns, FALSE);
}

static gpointer
unmerge_worker (CareDb        *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Query *query = data;

  return care_db_unmerge_patient (db, query->actor, query->patient_id, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_unmerged_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CarePatientPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    {
      g_warning ("Undoing a merge failed: %s", error->message);
      return;
    }
  g_signal_emit_by_name (self->store, "changed", "patients");
  reload_after_review (self);
}

static void
on_unmerge_clicked_cb (GtkButton       *button,
                       CarePatientPage *self)
{
  Query *query = g_new0 (Query, 1);

  query->actor = g_strdup (self->actor);
  query->patient_id = g_strdup (self->patient_id);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  care_store_run_async (self->store, unmerge_worker, query, query_free, NULL, NULL,
                        on_unmerged_cb, g_object_ref (self));
}

static void
on_merged_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CarePatientPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *mrns = care_store_run_finish (CARE_STORE (object), result, &error);
  GtkWidget *row, *button;

  if (mrns == NULL || *mrns == '\0')
    return;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Also registered as"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), mrns);
  button = gtk_button_new_with_label (_("Undo Merge"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (on_unmerge_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->groups[SECTION_DETAILS], row);
  g_ptr_array_add (self->rows[SECTION_DETAILS], row);
}

static void
show_patient (CarePatientPage *self,
              CareRecord      *patient)
{
  const CareChart *chart = self->chart;
  const char *given = care_record_get (patient, "given_name");
  const char *middle = care_record_get (patient, "middle_name");
  const char *family = care_record_get (patient, "family_name");
  const char *preferred = care_record_get (patient, "preferred_name");
  const char *birth_date = care_record_get (patient, "birth_date");
  const char *language = care_record_get (patient, "preferred_language");
  CareRecord *clinic = g_hash_table_lookup (chart->organizations,
                                            care_record_get (patient, "primary_organization_id") ? care_record_get (patient, "primary_organization_id") : "");
  g_autofree char *provider = care_chart_practitioner_name (chart, care_record_get (patient, "primary_practitioner_id"));
  g_autofree char *name = NULL, *summary = NULL, *care = NULL, *address = NULL, *language_text = NULL, *age_text = NULL;

  if (middle != NULL && *middle != '\0')
    name = g_strdup_printf ("%s %s %s", given ? given : "", middle, family ? family : "");
  else
    name = g_strdup_printf ("%s %s", given ? given : "", family ? family : "");
  if (preferred != NULL && *preferred != '\0')
    {
      /* Translators: a name with the name the patient likes to be called */
      char *with = g_strdup_printf (_("%s (“%s”)"), name, preferred);

      g_free (name);
      name = with;
    }
  gtk_label_set_label (self->name_label, name);

  g_free (self->mrn);
  self->mrn = g_strdup (care_record_get (patient, "mrn"));

  age_text = format_age (birth_date, chart->today);
  if (g_strcmp0 (care_record_get (patient, "interpreter_needed"), "1") == 0)
    language_text = g_strdup_printf (_("%s (interpreter needed)"), language_name (language));
  else
    language_text = g_strdup (language_name (language));

  /* Translators: under the patient's name: age · sex · MRN · preferred language */
  summary = g_strdup_printf (_("%s · %s · MRN %s · speaks %s"), age_text, sex_name (care_record_get (patient, "sex")),
                             self->mrn ? self->mrn : "", language_text);
  gtk_label_set_label (self->summary_label, summary);

  /* Translators: the patient's primary clinic and provider */
  care = g_strdup_printf (_("Primary care: %s · %s"),
                          clinic ? care_record_get (clinic, "name") : _("no clinic recorded"),
                          provider ? provider : _("no provider recorded"));
  gtk_label_set_label (self->care_label, care);

  address = format_address (patient);
  add_row (self, SECTION_DETAILS, _("Birth date"), birth_date);
  add_row (self, SECTION_DETAILS, _("Sex"), sex_name (care_record_get (patient, "sex")));
  if (care_record_get (patient, "gender_identity"))
    add_row (self, SECTION_DETAILS, _("Gender identity"), care_record_get (patient, "gender_identity"));
  add_row (self, SECTION_DETAILS, _("Preferred language"), language_text);
  add_row (self, SECTION_DETAILS, _("Phone"), care_record_get (patient, "phone"));
  add_row (self, SECTION_DETAILS, _("Address"), address);
  add_row (self, SECTION_DETAILS, _("CCO member ID"), care_record_get (patient, "cco_member_id"));

  /* Registered twice and merged: say so, and let it be undone. */
  {
    Query *query = g_new0 (Query, 1);

    query->actor = g_strdup (self->actor);
    query->patient_id = g_strdup (care_record_get_id (patient));
    g_object_ref (self);
    care_store_run_async (self->store, merged_worker, query, query_free, (GDestroyNotify) g_free,
                          self->cancellable, on_merged_loaded_cb, self);
  }
}

/* Loading: one job reads the chart, what changed since the user last looked, and
 * notes that they look now. */

typedef struct
{
  char      *actor;
  char      *patient_id;
  char      *today;
  gboolean   mark;        /* a new opening (not a reload of the same patient) */
  gint64     since_seq;   /* for a reload: the mark of the opening */
} LoadJob;

typedef struct
{
  CareChart *chart;
  GPtrArray *activity;
  gint64     since_seq;
} Loaded;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_free (job->actor);
  g_free (job->patient_id);
  g_free (job->today);
  g_free (job);
}

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_pointer (&loaded->chart, care_chart_free);
  g_clear_pointer (&loaded->activity, g_ptr_array_unref);
  g_free (loaded);
}

#define SINCE_READ 200

static gpointer
load_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  LoadJob *job = data;
  g_autoptr(CareChart) chart = care_chart_load (db, job->actor, job->patient_id, job->today, error);
  g_autoptr(GHashTable) ids = NULL;
  Loaded *loaded;
  gint64 since = job->since_seq;

  if (chart == NULL)
    return NULL;

  if (job->mark)
    {
      since = care_db_mark_patient_viewed (db, job->actor, job->patient_id, error);
      if (since < -1)
        return NULL;
    }

  loaded = g_new0 (Loaded, 1);
  loaded->since_seq = since;
  /* The first opening has nothing to compare with. */
  if (since >= 0)
    {
      ids = care_chart_record_ids (chart);
      if (!(loaded->activity = care_db_patient_activity (db, since, ids, SINCE_READ, error)))
        {
          loaded_free (loaded);
          return NULL;
        }
      /* What this user did here, they know. */
      for (guint i = loaded->activity->len; i-- > 0;)
        {
          CareActivity *item = g_ptr_array_index (loaded->activity, i);

          if (item->this_device && g_strcmp0 (item->actor, job->actor) == 0)
            g_ptr_array_remove_index (loaded->activity, i);
        }
    }
  loaded->chart = g_steal_pointer (&chart);

  return loaded;
}

static void
on_first_frame_cb (GdkFrameClock   *clock,
                   CarePatientPage *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_cb, self);
  if (self->load_started != 0)
    {
      self->load_ms = (g_get_monotonic_time () - self->load_started) / 1000.0;
      self->load_started = 0;
      g_debug ("Dashboard drawn %.1f ms after it was asked for", self->load_ms);
    }
}

static void
on_loaded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CarePatientPage *self = user_data;
  g_autoptr(GError) error = NULL;
  Loaded *loaded = care_store_run_finish (CARE_STORE (object), result, &error);
  CareChart *chart;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  for (guint i = 0; i < N_SECTIONS; i++)
    clear_group (self, i);

  if (loaded == NULL)
    {
      gtk_label_set_label (self->summary_label, error->message);
      self->pending = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
      return;
    }

  g_clear_pointer (&self->chart, care_chart_free);
  self->chart = chart = g_steal_pointer (&loaded->chart);
  self->since_seq = loaded->since_seq;
  g_clear_pointer (&self->changed_ids, g_hash_table_unref);
  self->changed_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; loaded->activity && i < loaded->activity->len; i++)
    g_hash_table_add (self->changed_ids, g_strdup (((CareActivity *) g_ptr_array_index (loaded->activity, i))->record_id));

  show_patient (self, chart->patient);
  show_since (self, loaded->activity);
  show_allergies (self, chart->allergies);
  show_gaps (self);
  show_plan_summary (self);
  show_trends (self);
  show_work (self);
  show_problems (self, chart->conditions);
  show_medications (self, chart->medications);
  show_encounters (self, chart->encounters);
  show_immunizations (self, chart->immunizations);
  show_team (self, chart->care_team);
  loaded_free (loaded);

  if (gtk_widget_get_frame_clock (GTK_WIDGET (self)) != NULL)
    g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint", G_CALLBACK (on_first_frame_cb), self);
  self->pending = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
on_editor_saved_cb (CarePatientPage *self)
{
  reload_after_review (self);
}

static void
open_editor (CarePatientPage *self,
             const char      *table,
             CareRecord      *record)
{
  CareRecordEditor *editor;

  if (self->chart == NULL || !care_record_editor_can_edit (table))
    return;

  editor = care_record_editor_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->store,
                                   self->actor, self->chart, table, record);
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
on_add_clicked_cb (GtkButton       *button,
                   CarePatientPage *self)
{
  open_editor (self, g_object_get_data (G_OBJECT (button), "table"), NULL);
}

static void
on_result_activated_cb (CareRecord *observation,
                        gpointer    user_data)
{
  open_editor (CARE_PATIENT_PAGE (user_data), "observations", observation);
}

static void
on_all_results_clicked_cb (CarePatientPage *self)
{
  GtkWindow *window;

  if (self->chart == NULL)
    return;
  window = care_results_window_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->chart,
                                    on_result_activated_cb, self);
  gtk_window_present (window);
}

static void
care_patient_page_dispose (GObject *object)
{
  CarePatientPage *self = CARE_PATIENT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->chart, care_chart_free);
  g_clear_pointer (&self->changed_ids, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CARE_TYPE_PATIENT_PAGE);

  G_OBJECT_CLASS (care_patient_page_parent_class)->dispose (object);
}

static void
care_patient_page_finalize (GObject *object)
{
  CarePatientPage *self = CARE_PATIENT_PAGE (object);

  for (guint i = 0; i < N_SECTIONS; i++)
    g_clear_pointer (&self->rows[i], g_ptr_array_unref);
  g_clear_pointer (&self->patient_id, g_free);
  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->mrn, g_free);

  G_OBJECT_CLASS (care_patient_page_parent_class)->finalize (object);
}

static void
care_patient_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CarePatientPage *self = CARE_PATIENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, care_patient_page_get_loaded (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_patient_page_class_init (CarePatientPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = care_patient_page_dispose;
  object_class->finalize = care_patient_page_finalize;
  object_class->get_property = care_patient_page_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/care-patient-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, care_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, allergy_banner);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, allergy_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, since_group);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, review_group);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, sections_box);
}

static AdwPreferencesGroup *
new_group (CarePatientPage *self,
           const char      *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->sections_box, group);

  return ADW_PREFERENCES_GROUP (group);
}

static void
care_patient_page_init (CarePatientPage *self)
{
  GtkWidget *flow, *button;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_SECTIONS; i++)
    {
      self->rows[i] = g_ptr_array_new ();

      if (i == SECTION_SINCE)
        {
          self->groups[i] = self->since_group;
          continue;
        }

      /* The trends come after the work, before the problem list. */
      if (i == SECTION_PROBLEMS)
        {
          self->trends_group = new_group (self, _("Results"));
          button = gtk_button_new_with_mnemonic (_("_All Results"));
          gtk_widget_add_css_class (button, "flat");
          g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_all_results_clicked_cb), self);
          adw_preferences_group_set_header_suffix (self->trends_group, button);

          flow = gtk_flow_box_new ();
          gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
          gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
          gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 1);
          gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 3);
          gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
          gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
          for (guint t = 0; t < G_N_ELEMENTS (trends); t++)
            {
              self->charts[t] = care_trend_chart_new ();
              care_trend_chart_set_title (self->charts[t], _(trends[t].title));
              gtk_widget_add_css_class (GTK_WIDGET (self->charts[t]), "card");
              gtk_flow_box_append (GTK_FLOW_BOX (flow), GTK_WIDGET (self->charts[t]));
            }
          adw_preferences_group_add (self->trends_group, flow);
        }

      self->groups[i] = new_group (self, _(sections[i].title));
      if (sections[i].table != NULL)
        {
          button = gtk_button_new_from_icon_name ("list-add-symbolic");
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_tooltip_text (button, _(sections[i].add));
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _(sections[i].add), -1);
          g_object_set_data (G_OBJECT (button), "table", (gpointer) sections[i].table);
          g_signal_connect (button, "clicked", G_CALLBACK (on_add_clicked_cb), self);
          adw_preferences_group_set_header_suffix (self->groups[i], button);
        }
    }
  self->since_seq = -1;
}

void
care_patient_page_load (CarePatientPage *self,
                        CareStore       *store,
                        const char      *actor,
                        const char      *patient_id)
{
  LoadJob *job;
  gboolean same;

  g_return_if_fail (CARE_IS_PATIENT_PAGE (self));
  g_return_if_fail (CARE_IS_STORE (store));
  g_return_if_fail (patient_id != NULL);

  /* Results for the previous patient must never land on this one. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  same = g_strcmp0 (self->patient_id, patient_id) == 0 && self->chart != NULL;
  g_set_object (&self->store, store);
  if (self->actor != actor)
    {
      g_free (self->actor);
      self->actor = g_strdup (actor);
    }
  if (!same)
    {
      g_free (self->patient_id);
      self->patient_id = g_strdup (patient_id);
      g_clear_pointer (&self->mrn, g_free);
    }
  self->pending = 1;
  self->load_started = g_get_monotonic_time ();
  self->load_ms = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  job = g_new0 (LoadJob, 1);
  job->actor = g_strdup (actor);
  job->patient_id = g_strdup (patient_id);
  job->today = care_text_today ();
  /* A reload of the patient on screen keeps showing what changed since the
   * user opened it; opening it anew moves the mark. */
  job->mark = !same;
  job->since_seq = same ? self->since_seq : -1;
  care_store_run_async (store, load_worker, job, load_job_free, loaded_free, self->cancellable,
                        on_loaded_cb, self);

  /* Decisions replication left for a person, on this patient's records. */
  gtk_widget_set_visible (GTK_WIDGET (self->review_group), FALSE);
  care_review_fill_async (self->review_group, store, actor, patient_id, CARE_REVIEW_CONFLICTS,
                          self->cancellable, G_CALLBACK (reload_after_review), self);
}

/* A decision or an edit changed the record: show it as it is now. */
static void
reload_after_review (gpointer user_data)
{
  CarePatientPage *self = user_data;
  g_autofree char *id = g_strdup (self->patient_id);

  if (self->store != NULL && id != NULL)
    care_patient_page_load (self, self->store, self->actor, id);
}

const char *
care_patient_page_get_patient_id (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return self->patient_id;
}

gboolean
care_patient_page_get_loaded (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), FALSE);

  return self->patient_id != NULL && self->pending == 0;
}

const char *
care_patient_page_get_title (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return gtk_label_get_label (self->name_label);
}

const char *
care_patient_page_get_mrn (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return self->mrn;
}

guint
care_patient_page_count_rows (CarePatientPage *self,
                              const char      *section)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), 0);

  if (g_str_equal (section, "review"))
    return care_review_count (self->review_group);

  for (guint i = 0; i < N_SECTIONS; i++)
    if (g_str_equal (sections[i].name, section))
      {
        guint n = 0;

        /* Only real rows count, not the "none recorded" labels. */
        for (guint j = 0; j < self->rows[i]->len; j++)
          n += ADW_IS_ACTION_ROW (g_ptr_array_index (self->rows[i], j)) &&
               (i != SECTION_ALLERGIES || care_record_row_get_record (g_ptr_array_index (self->rows[i], j)) != NULL);
        return n;
      }

  return 0;
}

const char *
care_patient_page_get_allergy_text (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return gtk_label_get_label (self->allergy_label);
}

guint
care_patient_page_get_trend_points (CarePatientPage *self,
                                    const char      *loinc)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), 0);

  for (guint t = 0; t < G_N_ELEMENTS (trends); t++)
    if (g_strcmp0 (trends[t].loinc, loinc) == 0)
      return care_trend_chart_get_n_points (self->charts[t], 0);
  return 0;
}

const char *
care_patient_page_get_trend_label (CarePatientPage *self,
                                   const char      *loinc)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  for (guint t = 0; t < G_N_ELEMENTS (trends); t++)
    if (g_strcmp0 (trends[t].loinc, loinc) == 0)
      return care_trend_chart_get_last_label (self->charts[t]);
  return NULL;
}

double
care_patient_page_get_load_ms (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), 0);

  return self->load_ms;
}

void
care_patient_page_add_record (CarePatientPage *self,
                              const char      *table)
{
  g_return_if_fail (CARE_IS_PATIENT_PAGE (self));

  open_editor (self, table, NULL);
}

void
care_patient_page_open_plan (CarePatientPage *self)
{
  g_return_if_fail (CARE_IS_PATIENT_PAGE (self));

  if (self->store != NULL && self->patient_id != NULL)
    on_open_plan_cb (self);
}
