/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-record-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "care-record-editor.h"
#include "care-text.h"
#include "care-validate.h"

typedef enum
{
  KIND_TEXT,
  KIND_DATE,         /* YYYY-MM-DD, never in the future */
  KIND_DATE_AHEAD,   /* YYYY-MM-DD, may be in the future (an appointment, an end date) */
  KIND_NUMBER,
  KIND_CHOICE,
  KIND_PRACTITIONER,
  KIND_TEST,         /* an observation's LOINC code, from the ranges data file */
  KIND_VALUE,        /* an observation's value, checked against its code */
  KIND_MEASURE,      /* a goal's measure: a LOINC code from the ranges data file, optional */
  KIND_DECIMAL,      /* a number with decimals ("7,5" accepted) */
} Kind;

typedef struct
{
  const char *value;
  const char *label;   /* N_() */
} Choice;

typedef struct
{
  const char   *column;
  const char   *label;   /* N_() */
  Kind          kind;
  const Choice *choices; /* KIND_CHOICE: NULL-terminated */
  gboolean      required;
} FieldSpec;

typedef struct
{
  const char      *table;
  const char      *add_title;   /* N_() */
  const char      *edit_title;  /* N_() */
  const FieldSpec *fields;      /* column NULL-terminated */
} RecordSpec;

static const Choice condition_status[] = {
  { "active", N_("Active") }, { "recurrence", N_("Recurrence") }, { "relapse", N_("Relapse") },
  { "inactive", N_("Inactive") }, { "remission", N_("Remission") }, { "resolved", N_("Resolved") },
  { NULL, NULL }
};
static const Choice condition_verification[] = {
  { "confirmed", N_("Confirmed") }, { "provisional", N_("Provisional") },
  { "differential", N_("Differential") }, { "unconfirmed", N_("Unconfirmed") },
  { "refuted", N_("Refuted") }, { "entered-in-error", N_("Entered in error") },
  { NULL, NULL }
};
static const Choice allergy_category[] = {
  { "medication", N_("Medication") }, { "food", N_("Food") },
  { "environment", N_("Environment") }, { "biologic", N_("Biologic") },
  { NULL, NULL }
};
static const Choice allergy_type[] = {
  { "allergy", N_("Allergy") }, { "intolerance", N_("Intolerance") }, { NULL, NULL }
};
static const Choice allergy_criticality[] = {
  { "low", N_("Low") }, { "high", N_("High") }, { "unable-to-assess", N_("Unable to assess") }, { NULL, NULL }
};
static const Choice allergy_severity[] = {
  { "mild", N_("Mild") }, { "moderate", N_("Moderate") }, { "severe", N_("Severe") }, { NULL, NULL }
};
static const Choice allergy_status[] = {
  { "active", N_("Active") }, { "inactive", N_("Inactive") }, { "resolved", N_("Resolved") }, { NULL, NULL }
};
static const Choice allergy_verification[] = {
  { "confirmed", N_("Confirmed") }, { "unconfirmed", N_("Unconfirmed") },
  { "refuted", N_("Refuted") }, { "entered-in-error", N_("Entered in error") }, { NULL, NULL }
};
static const Choice medication_status[] = {
  { "active", N_("Active") }, { "on-hold", N_("On hold") }, { "stopped", N_("Stopped") },
  { "completed", N_("Completed") }, { "cancelled", N_("Cancelled") },
  { "entered-in-error", N_("Entered in error") }, { NULL, NULL }
};
static const Choice medication_route[] = {
  { "oral", N_("Oral") }, { "subcutaneous", N_("Subcutaneous") }, { "inhaled", N_("Inhaled") },
  { "topical", N_("Topical") }, { "intramuscular", N_("Intramuscular") }, { "ophthalmic", N_("Eye drops") },
  { NULL, NULL }
};
static const Choice encounter_class[] = {
  { "AMB", N_("Office visit") }, { "VR", N_("Telehealth") }, { "HH", N_("Home visit") },
  { "EMER", N_("Emergency department") }, { "IMP", N_("Hospital stay") }, { "OBSENC", N_("Observation stay") },
  { NULL, NULL }
};
static const Choice encounter_status[] = {
  { "finished", N_("Finished") }, { "planned", N_("Planned (appointment)") },
  { "in-progress", N_("In progress") }, { "cancelled", N_("Cancelled") },
  { "entered-in-error", N_("Entered in error") }, { NULL, NULL }
};
static const Choice immunization_status[] = {
  { "completed", N_("Given") }, { "not-done", N_("Not given") },
  { "entered-in-error", N_("Entered in error") }, { NULL, NULL }
};
/* The vaccines a clinic gives most (CDC CVX codes). */
static const Choice vaccines[] = {
  { "150", N_("Influenza, quadrivalent, preservative free") },
  { "197", N_("Influenza, high-dose, quadrivalent") },
  { "208", N_("COVID-19, mRNA (Pfizer)") },
  { "115", N_("Tdap") },
  { "09", N_("Td (adult)") },
  { "133", N_("Pneumococcal conjugate PCV 13") },
  { "216", N_("Pneumococcal conjugate PCV 20") },
  { "33", N_("Pneumococcal polysaccharide PPV23") },
  { "187", N_("Zoster recombinant") },
  { "20", N_("DTaP") },
  { "10", N_("IPV") },
  { "03", N_("MMR") },
  { "21", N_("Varicella") },
  { "08", N_("Hep B, adolescent or pediatric") },
  { "49", N_("Hib (PRP-OMP)") },
  { "83", N_("Hep A, ped/adol, 2 dose") },
  { "165", N_("HPV9") },
  { "136", N_("Meningococcal MCV4O") },
  { NULL, NULL }
};

static const FieldSpec condition_fields[] = {
  { "display", N_("Problem"), KIND_TEXT, NULL, TRUE },
  { "code", N_("Code (SNOMED CT or ICD-10)"), KIND_TEXT, NULL, FALSE },
  { "clinical_status", N_("Status"), KIND_CHOICE, condition_status, TRUE },
  { "verification_status", N_("Verification"), KIND_CHOICE, condition_verification, TRUE },
  { "onset_date", N_("Onset date"), KIND_DATE, NULL, FALSE },
  { "abatement_date", N_("Resolved on"), KIND_DATE, NULL, FALSE },
  { NULL }
};
static const FieldSpec allergy_fields[] = {
  { "substance", N_("Substance"), KIND_TEXT, NULL, TRUE },
  { "category", N_("Category"), KIND_CHOICE, allergy_category, TRUE },
  { "type", N_("Type"), KIND_CHOICE, allergy_type, TRUE },
  { "reaction", N_("Reaction"), KIND_TEXT, NULL, FALSE },
  { "severity", N_("Severity"), KIND_CHOICE, allergy_severity, FALSE },
  { "criticality", N_("Criticality"), KIND_CHOICE, allergy_criticality, FALSE },
  { "clinical_status", N_("Status"), KIND_CHOICE, allergy_status, TRUE },
  { "verification_status", N_("Verification"), KIND_CHOICE, allergy_verification, TRUE },
  { "recorded_date", N_("Recorded on"), KIND_DATE, NULL, FALSE },
  { NULL }
};
static const FieldSpec medication_fields[] = {
  { "drug", N_("Medication"), KIND_TEXT, NULL, TRUE },
  { "dose", N_("Dose"), KIND_TEXT, NULL, TRUE },
  { "route", N_("Route"), KIND_CHOICE, medication_route, TRUE },
  { "frequency", N_("Frequency"), KIND_TEXT, NULL, TRUE },
  { "status", N_("Status"), KIND_CHOICE, medication_status, TRUE },
  { "prescriber_id", N_("Prescriber"), KIND_PRACTITIONER, NULL, FALSE },
  { "start_date", N_("Start date"), KIND_DATE, NULL, FALSE },
  { "end_date", N_("End date"), KIND_DATE_AHEAD, NULL, FALSE },
  { NULL }
};
static const FieldSpec observation_fields[] = {
  { "loinc", N_("Test or measurement"), KIND_TEST, NULL, TRUE },
  { "value_num", N_("Value"), KIND_VALUE, NULL, TRUE },
  { "unit", N_("Unit"), KIND_TEXT, NULL, FALSE },
  { "effective_at", N_("Date"), KIND_DATE, NULL, TRUE },
  { NULL }
};
static const FieldSpec encounter_fields[] = {
  { "class", N_("Kind"), KIND_CHOICE, encounter_class, TRUE },
  { "type", N_("Visit type"), KIND_TEXT, NULL, FALSE },
  { "status", N_("Status"), KIND_CHOICE, encounter_status, TRUE },
  { "start_at", N_("Date"), KIND_DATE_AHEAD, NULL, TRUE },
  { "end_at", N_("Discharge date"), KIND_DATE_AHEAD, NULL, FALSE },
  { "practitioner_id", N_("Seen by"), KIND_PRACTITIONER, NULL, FALSE },
  { "reason", N_("Reason"), KIND_TEXT, NULL, FALSE },
  { NULL }
};
static const FieldSpec immunization_fields[] = {
  { "cvx", N_("Vaccine"), KIND_CHOICE, vaccines, TRUE },
  { "occurrence_date", N_("Date given"), KIND_DATE, NULL, TRUE },
  { "status", N_("Status"), KIND_CHOICE, immunization_status, TRUE },
  { "dose_number", N_("Dose number"), KIND_NUMBER, NULL, FALSE },
  { "lot_number", N_("Lot number"), KIND_TEXT, NULL, FALSE },
  { NULL }
};

static const Choice plan_status[] = {
  { "active", N_("Active") }, { "draft", N_("Draft") }, { "on-hold", N_("On hold") },
  { "completed", N_("Completed") }, { "revoked", N_("Revoked") }, { NULL, NULL }
};
static const Choice goal_status[] = {
  { "active", N_("Active") }, { "proposed", N_("Proposed") }, { "accepted", N_("Accepted") },
  { "on-hold", N_("On hold") }, { "completed", N_("Completed") }, { "cancelled", N_("Cancelled") },
  { NULL, NULL }
};
static const Choice disciplines[] = {
  { "physician", N_("Physician") }, { "nurse-practitioner", N_("Nurse practitioner") },
  { "nurse", N_("Nurse") }, { "pharmacist", N_("Pharmacist") },
  { "behavioral-health", N_("Behavioral health") }, { "social-worker", N_("Social worker") },
  { "care-coordinator", N_("Care coordinator") }, { NULL, NULL }
};
static const Choice intervention_status[] = {
  { "in-progress", N_("In progress") }, { "not-started", N_("Not started") }, { "scheduled", N_("Scheduled") },
  { "on-hold", N_("On hold") }, { "completed", N_("Completed") }, { "cancelled", N_("Cancelled") },
  { "stopped", N_("Stopped") }, { NULL, NULL }
};
static const Choice task_status[] = {
  { "requested", N_("Requested") }, { "in-progress", N_("In progress") },
  { "completed", N_("Completed") }, { "cancelled", N_("Cancelled") }, { NULL, NULL }
};
static const Choice task_priority[] = {
  { "routine", N_("Routine") }, { "urgent", N_("Urgent") }, { "asap", N_("As soon as possible") },
  { NULL, NULL }
};
static const Choice need_category[] = {
  { "transport", N_("Transport") }, { "language", N_("Language") }, { "housing", N_("Housing") },
  { "food", N_("Food") }, { "cost", N_("Cost of care") }, { "other", N_("Other") }, { NULL, NULL }
};
static const Choice need_status[] = {
  { "active", N_("Active") }, { "resolved", N_("Resolved") }, { NULL, NULL }
};
static const Choice referral_urgency[] = {
  { "routine", N_("Routine") }, { "urgent", N_("Urgent") }, { "asap", N_("As soon as possible") },
  { "stat", N_("Immediately (stat)") }, { NULL, NULL }
};
static const Choice referral_status[] = {
  { "active", N_("Sent, waiting") }, { "draft", N_("Draft") }, { "on-hold", N_("On hold") },
  { "completed", N_("Closed: result received") }, { "revoked", N_("Cancelled") }, { NULL, NULL }
};

static const FieldSpec plan_fields[] = {
  { "title", N_("Title"), KIND_TEXT, NULL, TRUE },
  { "patient_priorities", N_("What matters to the patient"), KIND_TEXT, NULL, FALSE },
  { "description", N_("Summary"), KIND_TEXT, NULL, FALSE },
  { "status", N_("Status"), KIND_CHOICE, plan_status, TRUE },
  { "period_start", N_("Start date"), KIND_DATE_AHEAD, NULL, FALSE },
  { "period_end", N_("Review or end date"), KIND_DATE_AHEAD, NULL, FALSE },
  { NULL }
};
static const FieldSpec goal_fields[] = {
  { "description", N_("Goal"), KIND_TEXT, NULL, TRUE },
  { "measure_loinc", N_("Measured by"), KIND_MEASURE, NULL, FALSE },
  { "target_low", N_("Target at least"), KIND_DECIMAL, NULL, FALSE },
  { "target_high", N_("Target at most"), KIND_DECIMAL, NULL, FALSE },
  { "target_unit", N_("Unit"), KIND_TEXT, NULL, FALSE },
  { "due_date", N_("Due date"), KIND_DATE_AHEAD, NULL, FALSE },
  { "lifecycle_status", N_("Status"), KIND_CHOICE, goal_status, TRUE },
  { "expressed_by", N_("Whose goal"), KIND_TEXT, NULL, FALSE },
  { NULL }
};
static const FieldSpec intervention_fields[] = {
  { "description", N_("Intervention"), KIND_TEXT, NULL, TRUE },
  { "discipline", N_("Delivered by"), KIND_CHOICE, disciplines, FALSE },
  { "status", N_("Status"), KIND_CHOICE, intervention_status, TRUE },
  { NULL }
};
static const FieldSpec task_fields[] = {
  { "description", N_("Task"), KIND_TEXT, NULL, TRUE },
  { "assignee_id", N_("Assigned to"), KIND_PRACTITIONER, NULL, FALSE },
  { "discipline", N_("Or to a discipline"), KIND_CHOICE, disciplines, FALSE },
  { "due_date", N_("Due date"), KIND_DATE_AHEAD, NULL, FALSE },
  { "status", N_("Status"), KIND_CHOICE, task_status, TRUE },
  { "priority", N_("Priority"), KIND_CHOICE, task_priority, TRUE },
  { NULL }
};
static const FieldSpec need_fields[] = {
  { "category", N_("Need or barrier"), KIND_CHOICE, need_category, TRUE },
  { "description", N_("Details and the help arranged"), KIND_TEXT, NULL, FALSE },
  { "status", N_("Status"), KIND_CHOICE, need_status, TRUE },
  { NULL }
};
static const FieldSpec referral_fields[] = {
  { "to_service", N_("Refer to (specialty or service)"), KIND_TEXT, NULL, TRUE },
  { "to_organization", N_("Organization"), KIND_TEXT, NULL, FALSE },
  { "reason", N_("Reason"), KIND_TEXT, NULL, TRUE },
  { "urgency", N_("Urgency"), KIND_CHOICE, referral_urgency, TRUE },
  { "status", N_("Status"), KIND_CHOICE, referral_status, TRUE },
  { "sent_date", N_("Sent on"), KIND_DATE, NULL, FALSE },
  { "due_date", N_("Result expected by"), KIND_DATE_AHEAD, NULL, FALSE },
  { "closed_date", N_("Closed on"), KIND_DATE, NULL, FALSE },
  { "outcome", N_("Outcome (consult note or result)"), KIND_TEXT, NULL, FALSE },
  { NULL }
};

static const RecordSpec specs[] = {
  { "care_plans", N_("New Care Plan"), N_("Edit Care Plan"), plan_fields },
  { "goals", N_("Add Goal"), N_("Edit Goal"), goal_fields },
  { "interventions", N_("Add Intervention"), N_("Edit Intervention"), intervention_fields },
  { "care_tasks", N_("Add Task"), N_("Edit Task"), task_fields },
  { "care_needs", N_("Add Need or Barrier"), N_("Edit Need or Barrier"), need_fields },
  { "referrals", N_("New Referral"), N_("Edit Referral"), referral_fields },
  { "conditions", N_("Add Problem"), N_("Edit Problem"), condition_fields },
  { "allergies", N_("Add Allergy"), N_("Edit Allergy"), allergy_fields },
  { "medication_orders", N_("Add Medication"), N_("Edit Medication"), medication_fields },
  { "observations", N_("Add Result"), N_("Edit Result"), observation_fields },
  { "encounters", N_("Add Encounter"), N_("Edit Encounter"), encounter_fields },
  { "immunizations", N_("Add Immunization"), N_("Edit Immunization"), immunization_fields },
};

/* The choice of test offers blood pressure as one reading of two numbers. */
#define BLOOD_PRESSURE "bp"
#define SYSTOLIC "8480-6"
#define DIASTOLIC "8462-4"

typedef struct
{
  const FieldSpec *spec;
  GtkWidget       *row;
  GPtrArray       *values;  /* choices: the value of each position (NULL: none) */
} Field;

struct _CareRecordEditor
{
  AdwWindow           parent_instance;

  CareStore          *store;
  char               *actor;
  CareChart          *chart;
  const RecordSpec   *spec;
  CareRecord         *record;     /* NULL: adding */
  GArray             *fields;     /* Field */
  GtkLabel           *error_label;
  GtkWidget          *save_button;
  GtkWidget          *delete_button;
  AdwPreferencesGroup *group;
  char               *repeat_reason;  /* given for a test repeated too soon */
  CareFields         *fixed;          /* written with a new record, not shown */
  gboolean            saving;
};

G_DEFINE_FINAL_TYPE (CareRecordEditor, care_record_editor, ADW_TYPE_WINDOW)

enum { SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const RecordSpec *
spec_for (const char *table)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    if (g_strcmp0 (specs[i].table, table) == 0)
      return &specs[i];
  return NULL;
}

gboolean
care_record_editor_can_edit (const char *table)
{
  return spec_for (table) != NULL;
}

static Field *
field_for (CareRecordEditor *self,
           const char       *column)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = &g_array_index (self->fields, Field, i);

      if (g_str_equal (field->spec->column, column))
        return field;
    }
  return NULL;
}

/* The value a field holds now: text, or a choice's value; NULL when empty. */
static char *
field_value (Field *field)
{
  if (ADW_IS_COMBO_ROW (field->row))
    {
      guint position = adw_combo_row_get_selected (ADW_COMBO_ROW (field->row));

      if (position == GTK_INVALID_LIST_POSITION || position >= field->values->len)
        return NULL;
      return g_strdup (g_ptr_array_index (field->values, position));
    }
  else
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field->row))));

      return *text != '\0' ? g_steal_pointer (&text) : NULL;
    }
}

static gboolean
field_set (Field      *field,
           const char *value)
{
  if (ADW_IS_COMBO_ROW (field->row))
    {
      for (guint i = 0; i < field->values->len; i++)
        if (g_strcmp0 (g_ptr_array_index (field->values, i), value) == 0)
          {
            adw_combo_row_set_selected (ADW_COMBO_ROW (field->row), i);
            return TRUE;
          }
      return FALSE;
    }

  gtk_editable_set_text (GTK_EDITABLE (field->row), value ? value : "");
  return TRUE;
}

static void
show_error (CareRecordEditor *self,
            Field            *field,
            const char       *message)
{
  for (guint i = 0; i < self->fields->len; i++)
    gtk_widget_remove_css_class (g_array_index (self->fields, Field, i).row, "error");

  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (field != NULL)
    {
      gtk_widget_add_css_class (field->row, "error");
      gtk_widget_grab_focus (field->row);
    }
}

static GtkWidget *
choice_row (Field        *field,
            const char   *title)
{
  GtkStringList *labels = gtk_string_list_new (NULL);
  GtkWidget *row = adw_combo_row_new ();

  field->values = g_ptr_array_new_with_free_func (g_free);
  if (field->spec->kind == KIND_CHOICE)
    {
      if (!field->spec->required)
        {
          gtk_string_list_append (labels, _("Not recorded"));
          g_ptr_array_add (field->values, NULL);
        }
      for (const Choice *c = field->spec->choices; c->value; c++)
        {
          gtk_string_list_append (labels, _(c->label));
          g_ptr_array_add (field->values, g_strdup (c->value));
        }
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_unref (labels);

  return row;
}

typedef struct
{
  char       *name;
  const char *id;
} Named;

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (((const Named *) a)->name, ((const Named *) b)->name);
}

static void
fill_practitioners (CareRecordEditor *self,
                    Field            *field)
{
  GtkStringList *labels = GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (field->row)));
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Named));
  GHashTableIter iter;
  gpointer key, value;

  gtk_string_list_append (labels, _("Not recorded"));
  g_ptr_array_add (field->values, NULL);

  g_hash_table_iter_init (&iter, self->chart->practitioners);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *discipline = care_record_get (value, "discipline");
      Named entry;

      /* Prescribers and clinicians; not the front desk. */
      if (g_strcmp0 (discipline, "front-desk") == 0 && g_strcmp0 (field->spec->column, "prescriber_id") == 0)
        continue;
      if (g_strcmp0 (field->spec->column, "prescriber_id") == 0 &&
          g_strcmp0 (discipline, "physician") != 0 && g_strcmp0 (discipline, "nurse-practitioner") != 0)
        continue;
      entry.name = care_chart_practitioner_name (self->chart, key);
      entry.id = key;
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_names);
  for (guint i = 0; i < entries->len; i++)
    {
      Named *entry = &g_array_index (entries, Named, i);

      gtk_string_list_append (labels, entry->name);
      g_ptr_array_add (field->values, g_strdup (entry->id));
      g_free (entry->name);
    }
}

static void
fill_tests (Field *field)
{
  GtkStringList *labels = GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (field->row)));
  g_autoptr(GPtrArray) codes = care_validate_known_observations ();

  gtk_string_list_append (labels, _("Blood pressure"));
  g_ptr_array_add (field->values, g_strdup (BLOOD_PRESSURE));
  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);

      if (g_str_equal (code, SYSTOLIC) || g_str_equal (code, DIASTOLIC))
        continue;
      gtk_string_list_append (labels, care_validate_observation_display (code));
      g_ptr_array_add (field->values, g_strdup (code));
    }
}

/* A test was chosen: its usual unit goes in the unit row. */
static void
on_test_selected_cb (CareRecordEditor *self)
{
  Field *test = field_for (self, "loinc");
  Field *unit = field_for (self, "unit");
  Field *value = field_for (self, "value_num");
  g_autofree char *code = test ? field_value (test) : NULL;

  if (code == NULL || unit == NULL || value == NULL)
    return;

  if (g_str_equal (code, BLOOD_PRESSURE))
    {
      field_set (unit, "mm[Hg]");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (value->row), _("Value (e.g. 128/82)"));
    }
  else
    {
      field_set (unit, care_validate_default_unit (code));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (value->row), _("Value"));
    }
}

/* A goal measured by a test: its usual unit. */
static void
on_measure_selected_cb (CareRecordEditor *self)
{
  Field *measure = field_for (self, "measure_loinc");
  Field *unit = field_for (self, "target_unit");
  g_autofree char *code = field_value (measure);
  g_autofree char *current = unit ? field_value (unit) : NULL;

  if (code != NULL && unit != NULL && current == NULL)
    field_set (unit, care_validate_default_unit (code));
}

static const char *
current_value (CareRecordEditor *self,
               const char       *column)
{
  if (self->record == NULL)
    return NULL;
  if (g_str_equal (column, "value_num") && care_record_get (self->record, "value_num") == NULL)
    return care_record_get (self->record, "value_text");
  return care_record_get (self->record, column);
}

static void
build_rows (CareRecordEditor *self)
{
  g_autofree char *today = g_strdup (self->chart->today);

  for (const FieldSpec *spec = self->spec->fields; spec->column; spec++)
    {
      Field field = { spec, NULL, NULL };
      g_autofree char *title = spec->required ? g_strdup (_(spec->label))
                                              : g_strdup_printf (_("%s (optional)"), _(spec->label));

      switch (spec->kind)
        {
        case KIND_CHOICE:
        case KIND_PRACTITIONER:
        case KIND_TEST:
        case KIND_MEASURE:
          field.row = choice_row (&field, title);
          break;
        case KIND_TEXT:
        case KIND_NUMBER:
        case KIND_VALUE:
        case KIND_DATE:
        case KIND_DATE_AHEAD:
        default:
          field.row = adw_entry_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field.row), title);
          adw_entry_row_set_activates_default (ADW_ENTRY_ROW (field.row), TRUE);
          break;
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (field.row), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      g_array_append_val (self->fields, field);
      adw_preferences_group_add (self->group, field.row);
    }

  /* Second pass: rows that need the others, and the current values. */
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = &g_array_index (self->fields, Field, i);
      const char *value = current_value (self, field->spec->column);

      if (field->spec->kind == KIND_PRACTITIONER)
        fill_practitioners (self, field);
      else if (field->spec->kind == KIND_MEASURE)
        {
          GtkStringList *labels = GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (field->row)));
          g_autoptr(GPtrArray) codes = care_validate_known_observations ();

          gtk_string_list_append (labels, _("Not measured"));
          g_ptr_array_add (field->values, NULL);
          for (guint j = 0; j < codes->len; j++)
            {
              gtk_string_list_append (labels, care_validate_observation_display (g_ptr_array_index (codes, j)));
              g_ptr_array_add (field->values, g_strdup (g_ptr_array_index (codes, j)));
            }
          g_signal_connect_swapped (field->row, "notify::selected", G_CALLBACK (on_measure_selected_cb), self);
        }
      else if (field->spec->kind == KIND_TEST && self->record != NULL)
        {
          /* A result's test does not change: one recorded under the wrong test is
           * removed and recorded again. */
          GtkStringList *labels = GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (field->row)));
          const char *display = care_validate_observation_display (value);

          gtk_string_list_append (labels, display ? display : care_record_get (self->record, "display"));
          g_ptr_array_add (field->values, g_strdup (value));
          gtk_widget_set_sensitive (field->row, FALSE);
        }
      else if (field->spec->kind == KIND_TEST)
        {
          fill_tests (field);
          g_signal_connect_swapped (field->row, "notify::selected", G_CALLBACK (on_test_selected_cb), self);
        }

      if (value != NULL)
        {
          /* Dates are edited as dates; times of day are kept out of the way. */
          if ((field->spec->kind == KIND_DATE || field->spec->kind == KIND_DATE_AHEAD) && strlen (value) > 10)
            {
              g_autofree char *date = g_strndup (value, 10);

              field_set (field, date);
            }
          else if ((field->spec->kind == KIND_VALUE && care_record_get (self->record, "value_num") != NULL) ||
                   field->spec->kind == KIND_DECIMAL)
            {
              g_autofree char *number = g_strdup_printf ("%g", g_ascii_strtod (value, NULL));

              field_set (field, number);
            }
          else
            field_set (field, value);
        }
      else if (self->record == NULL && (field->spec->kind == KIND_DATE) && field->spec->required)
        field_set (field, today);
    }

  if (self->record == NULL)
    on_test_selected_cb (self);
}

/* Saving */

typedef struct
{
  char       *actor;
  char       *table;
  char       *id;
  GPtrArray  *writes;  /* CareFields, each a new record of table (or the edit of @id) */
  gboolean    retire;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_free (job->actor);
  g_free (job->table);
  g_free (job->id);
  g_clear_pointer (&job->writes, g_ptr_array_unref);
  g_free (job);
}

static gpointer
save_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  SaveJob *job = data;

  if (!care_db_begin (db, error))
    return NULL;

  if (job->retire)
    {
      if (!care_db_retire (db, job->actor, job->table, job->id, error))
        goto failed;
    }
  else
    for (guint i = 0; i < job->writes->len; i++)
      {
        CareFields *fields = g_ptr_array_index (job->writes, i);
        const char *table = care_fields_lookup (fields, "@table");
        g_autoptr(CareFields) clean = care_fields_new ();

        /* "@table" routes a companion record (a note giving a reason). */
        for (guint j = 0; j < care_fields_get_n (fields); j++)
          if (care_fields_get_column (fields, j)[0] != '@')
            care_fields_set (clean, care_fields_get_column (fields, j), care_fields_get_value (fields, j));

        if (!care_db_put (db, job->actor, table ? table : job->table, table ? NULL : (i == 0 ? job->id : NULL),
                          clean, NULL, error))
          goto failed;
      }

  if (!care_db_commit (db, error))
    goto failed;

  return GINT_TO_POINTER (TRUE);

failed:
  care_db_rollback (db);
  return NULL;
}

static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CareRecordEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    {
      show_error (self, NULL, error->message);
      return;
    }

  g_signal_emit_by_name (self->store, "changed", self->spec->table);
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
run_save (CareRecordEditor *self,
          SaveJob          *job)
{
  self->saving = TRUE;
  gtk_widget_set_sensitive (self->save_button, FALSE);
  care_store_run_async (self->store, save_worker, job, save_job_free, NULL, NULL,
                        on_saved_cb, g_object_ref (self));
}

static void try_save (CareRecordEditor *self);

static void
on_reason_changed_cb (GtkEditable     *entry,
                      AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "record", *text != '\0');
}

static void
on_reason_activate_cb (GtkEntry         *entry,
                       AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "record"))
    adw_message_dialog_response (dialog, "record");
}

static void
on_repeat_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       CareRecordEditor *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "record"))
    {
      g_free (self->repeat_reason);
      self->repeat_reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
      try_save (self);
    }
}

static void
ask_repeat_reason (CareRecordEditor *self,
                   CareRepeatTest   *repeat)
{
  const char *value = care_record_get (repeat->existing, "value_num");
  const char *unit = care_record_get (repeat->existing, "unit");
  g_autofree char *date = g_strndup (care_record_get (repeat->existing, "effective_at"), 10);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog, *entry;

  /* Translators: a test repeated too soon: "Hemoglobin A1c was done 12 days ago" */
  heading = g_strdup_printf (ngettext ("%s was done %d day ago", "%s was done %d days ago", repeat->days_ago),
                             repeat->test, repeat->days_ago);
  /* Translators: the earlier result: value, unit, date; then the window in days */
  body = g_strdup_printf (_("The last result was %s %s on %s. Repeating this test within %d days is rarely needed.\n\n"
                            "To record it anyway, say why."),
                          value ? value : care_record_get (repeat->existing, "value_text"),
                          unit ? unit : "", date, repeat->window_days);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "record", _("_Record Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "record", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "record", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason, e.g. result lost, or the specialist asked for it"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason for repeating the test"), -1);
  g_signal_connect (entry, "changed", G_CALLBACK (on_reason_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (on_reason_activate_cb), dialog);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_repeat_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static CareFields *
observation_fields_for (const char *code,
                        const char *value_text,
                        double      value,
                        const char *unit,
                        const char *date,
                        const char *patient_id)
{
  CareFields *fields = care_fields_new ();
  static const char *vitals[] = { SYSTOLIC, DIASTOLIC, "29463-7", "39156-5", "8302-2", NULL };
  static const char *surveys[] = { "44261-6", "55758-7", "89204-2", "70274-6", "75626-2", NULL };

  care_fields_set (fields, "patient_id", patient_id);
  care_fields_set (fields, "loinc", code);
  /* Records keep the English name; screens translate it. */
  care_fields_set (fields, "display", care_validate_observation_name (code));
  care_fields_set (fields, "category", g_strv_contains (vitals, code) ? "vital-signs"
                                       : g_strv_contains (surveys, code) ? "survey" : "laboratory");
  care_fields_set_double (fields, "value_num", value);
  care_fields_set (fields, "unit", unit ? unit : care_validate_default_unit (code));
  care_fields_set (fields, "status", "final");
  care_fields_set (fields, "effective_at", date);
  (void) value_text;

  return fields;
}

/* Observations: checked values, blood pressure as two, a repeat asks why. */
static gboolean
collect_observation (CareRecordEditor *self,
                     SaveJob          *job)
{
  Field *test = field_for (self, "loinc");
  Field *value_field = field_for (self, "value_num");
  Field *unit_field = field_for (self, "unit");
  Field *date_field = field_for (self, "effective_at");
  g_autofree char *code = field_value (test);
  g_autofree char *value_text = field_value (value_field);
  g_autofree char *unit = field_value (unit_field);
  g_autofree char *date = field_value (date_field);
  g_autoptr(GError) error = NULL;
  const char *patient_id = care_record_get_id (self->chart->patient);
  const char *check_code;

  if (code == NULL)
    {
      show_error (self, test, _("Choose the test or measurement."));
      return FALSE;
    }
  if (value_text == NULL)
    {
      show_error (self, value_field, _("Enter the value."));
      return FALSE;
    }
  if (!care_validate_date (_("The date"), date, self->chart->today, FALSE, &error))
    {
      show_error (self, date_field, error->message);
      return FALSE;
    }

  if (g_str_equal (code, BLOOD_PRESSURE))
    {
      g_auto(GStrv) parts = g_strsplit (value_text, "/", 2);
      double systolic, diastolic;

      if (g_strv_length (parts) != 2)
        {
          show_error (self, value_field, _("Enter blood pressure as systolic/diastolic, e.g. 128/82."));
          return FALSE;
        }
      g_strstrip (parts[0]);
      g_strstrip (parts[1]);
      if (!care_validate_observation (SYSTOLIC, parts[0], unit, date, self->chart->today, &systolic, &error) ||
          !care_validate_observation (DIASTOLIC, parts[1], unit, date, self->chart->today, &diastolic, &error))
        {
          show_error (self, value_field, error->message);
          return FALSE;
        }
      if (diastolic >= systolic)
        {
          show_error (self, value_field, _("The diastolic pressure must be lower than the systolic."));
          return FALSE;
        }
      g_ptr_array_add (job->writes, observation_fields_for (SYSTOLIC, parts[0], systolic, unit, date, patient_id));
      g_ptr_array_add (job->writes, observation_fields_for (DIASTOLIC, parts[1], diastolic, unit, date, patient_id));
      check_code = NULL;
    }
  else
    {
      double value;

      if (!care_validate_observation (code, value_text, unit, date, self->chart->today, &value, &error))
        {
          show_error (self, g_error_matches (error, CARE_VALIDATE_ERROR, CARE_VALIDATE_ERROR_UNIT) ? unit_field : value_field,
                      error->message);
          return FALSE;
        }
      g_ptr_array_add (job->writes, observation_fields_for (code, value_text, value, unit, date, patient_id));
      check_code = code;
    }

  /* A new result of a test done recently: warn, with the earlier one, and let
   * the person go on with a reason (kept as a note on the patient). */
  if (check_code != NULL && self->record == NULL)
    {
      g_autoptr(CareRepeatTest) repeat = care_validate_repeat_test (self->chart, check_code, date);

      if (repeat != NULL && self->repeat_reason == NULL)
        {
          show_error (self, NULL, NULL);
          ask_repeat_reason (self, repeat);
          return FALSE;
        }
      if (repeat != NULL)
        {
          CareFields *note = care_fields_new ();
          g_autofree char *body = NULL;
          g_autoptr(GDateTime) clock = g_date_time_new_now_utc ();
          g_autofree char *now = g_date_time_format (clock, "%Y-%m-%dT%H:%M:%SZ");

          /* Translators: a note kept with a repeated test: test name, days since the last one, the reason given */
          body = g_strdup_printf (_("%s repeated %d days after the last result. Reason: %s"),
                                  repeat->test, repeat->days_ago, self->repeat_reason);
          care_fields_set (note, "@table", "notes");
          care_fields_set (note, "patient_id", patient_id);
          care_fields_set (note, "kind", "progress");
          care_fields_set (note, "body", body);
          care_fields_set (note, "written_at", now);
          g_ptr_array_add (job->writes, note);
        }
    }

  return TRUE;
}

static gboolean
collect_generic (CareRecordEditor *self,
                 SaveJob          *job)
{
  CareFields *fields = care_fields_new ();

  g_ptr_array_add (job->writes, fields);
  if (self->record == NULL)
    {
      care_fields_set (fields, "patient_id", care_record_get_id (self->chart->patient));
      for (guint i = 0; i < care_fields_get_n (self->fixed); i++)
        care_fields_set (fields, care_fields_get_column (self->fixed, i), care_fields_get_value (self->fixed, i));
    }

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = &g_array_index (self->fields, Field, i);
      g_autofree char *value = field_value (field);
      g_autoptr(GError) error = NULL;

      if (value == NULL && field->spec->required)
        {
          g_autofree char *message = g_strdup_printf (_("%s is required."), _(field->spec->label));

          show_error (self, field, message);
          return FALSE;
        }

      if (value != NULL && (field->spec->kind == KIND_DATE || field->spec->kind == KIND_DATE_AHEAD) &&
          !care_validate_date (_(field->spec->label), value, self->chart->today,
                               field->spec->kind == KIND_DATE_AHEAD, &error))
        {
          show_error (self, field, error->message);
          return FALSE;
        }

      /* A result keeps its test; its value is checked against it. */
      if (field->spec->kind == KIND_TEST)
        continue;
      if (value != NULL && field->spec->kind == KIND_VALUE)
        {
          const char *code = care_record_get (self->record, "loinc");
          g_autofree char *unit = field_value (field_for (self, "unit"));
          g_autofree char *date = field_value (field_for (self, "effective_at"));
          double number;

          if (!care_validate_observation (code, value, unit, date ? date : self->chart->today, self->chart->today,
                                          &number, &error))
            {
              show_error (self, field, error->message);
              return FALSE;
            }
          if (care_record_get (self->record, "value_num") == NULL ||
              number != care_record_get_double (self->record, "value_num"))
            care_fields_set_double (fields, "value_num", number);
          continue;
        }

      if (value != NULL && field->spec->kind == KIND_DECIMAL)
        {
          g_autofree char *dotted = g_strdelimit (g_strdup (value), ",", '.');
          char *end = NULL;
          double number = g_ascii_strtod (dotted, &end);

          if (end == dotted || *end != '\0' || !isfinite (number))
            {
              g_autofree char *message = g_strdup_printf (_("%s must be a number."), _(field->spec->label));

              show_error (self, field, message);
              return FALSE;
            }
          if (self->record != NULL && care_record_get (self->record, field->spec->column) != NULL &&
              number == care_record_get_double (self->record, field->spec->column))
            continue;
          care_fields_set_double (fields, field->spec->column, number);
          continue;
        }

      if (value != NULL && field->spec->kind == KIND_NUMBER)
        {
          char *end = NULL;
          gint64 number = g_ascii_strtoll (value, &end, 10);

          if (end == NULL || *end != '\0' || number < 0 || number > 1000)
            {
              g_autofree char *message = g_strdup_printf (_("%s must be a whole number."), _(field->spec->label));

              show_error (self, field, message);
              return FALSE;
            }
        }

      /* An edit writes only what changed, so it merges field by field. */
      if (self->record != NULL && g_strcmp0 (value, current_value (self, field->spec->column)) == 0)
        continue;
      if (self->record != NULL && value != NULL && strlen (value) == 10 &&
          (field->spec->kind == KIND_DATE || field->spec->kind == KIND_DATE_AHEAD) &&
          g_str_has_prefix (current_value (self, field->spec->column) ? current_value (self, field->spec->column) : "", value))
        continue;
      care_fields_set (fields, field->spec->column, value);
    }

  /* A few tables carry fields the form does not show. */
  if (self->record == NULL)
    {
      if (g_str_equal (self->spec->table, "conditions"))
        {
          const char *code = care_fields_lookup (fields, "code");

          care_fields_set (fields, "code_system", code && g_ascii_isalpha (code[0]) ? "http://hl7.org/fhir/sid/icd-10-cm"
                                                                                    : "http://snomed.info/sct");
          if (code == NULL)
            care_fields_set (fields, "code", "");
          care_fields_set (fields, "recorded_date", self->chart->today);
        }
      else if (g_str_equal (self->spec->table, "immunizations"))
        {
          const char *cvx = care_fields_lookup (fields, "cvx");

          for (const Choice *c = vaccines; c->value; c++)
            if (g_strcmp0 (c->value, cvx) == 0)
              care_fields_set (fields, "vaccine", c->label);
        }
      else if (g_str_equal (self->spec->table, "medication_orders"))
        care_fields_set (fields, "authored_on", self->chart->today);
    }
  else if (g_str_equal (self->spec->table, "immunizations") && care_fields_contains (fields, "cvx"))
    {
      const char *cvx = care_fields_lookup (fields, "cvx");

      for (const Choice *c = vaccines; c->value; c++)
        if (g_strcmp0 (c->value, cvx) == 0)
          care_fields_set (fields, "vaccine", c->label);
    }

  /* A goal's range is a range; a task has someone to do it. */
  if (g_str_equal (self->spec->table, "goals"))
    {
      g_autofree char *low = field_value (field_for (self, "target_low"));
      g_autofree char *high = field_value (field_for (self, "target_high"));

      if (low && high && g_ascii_strtod (g_strdelimit (low, ",", '.'), NULL) > g_ascii_strtod (g_strdelimit (high, ",", '.'), NULL))
        {
          show_error (self, field_for (self, "target_low"), _("The lower target is above the upper one."));
          return FALSE;
        }
    }
  if (g_str_equal (self->spec->table, "care_tasks"))
    {
      g_autofree char *assignee = field_value (field_for (self, "assignee_id"));
      g_autofree char *discipline = field_value (field_for (self, "discipline"));

      if (assignee == NULL && discipline == NULL)
        {
          show_error (self, field_for (self, "assignee_id"), _("Assign the task to a person or to a discipline."));
          return FALSE;
        }
    }

  /* An encounter's discharge comes after its start. */
  if (g_str_equal (self->spec->table, "encounters"))
    {
      g_autofree char *start = field_value (field_for (self, "start_at"));
      g_autofree char *end = field_value (field_for (self, "end_at"));
      g_autofree char *status = field_value (field_for (self, "status"));

      if (start && end && strncmp (end, start, 10) < 0)
        {
          show_error (self, field_for (self, "end_at"), _("The discharge date is before the visit's date."));
          return FALSE;
        }
      if (start && strncmp (start, self->chart->today, 10) > 0 && g_strcmp0 (status, "planned") != 0)
        {
          show_error (self, field_for (self, "start_at"),
                      _("A visit in the future can only be planned: set its status to “Planned (appointment)”."));
          return FALSE;
        }
    }

  return TRUE;
}

static void
try_save (CareRecordEditor *self)
{
  SaveJob *job;
  gboolean ok;

  if (self->saving)
    return;

  job = g_new0 (SaveJob, 1);
  job->actor = g_strdup (self->actor);
  job->table = g_strdup (self->spec->table);
  job->id = self->record ? g_strdup (care_record_get_id (self->record)) : NULL;
  job->writes = g_ptr_array_new_with_free_func ((GDestroyNotify) care_fields_free);

  if (g_str_equal (self->spec->table, "observations") && self->record == NULL)
    ok = collect_observation (self, job);
  else
    ok = collect_generic (self, job);

  if (!ok)
    {
      save_job_free (job);
      return;
    }

  /* Nothing changed: nothing to write. */
  if (self->record != NULL && job->writes->len == 1 &&
      care_fields_get_n (g_ptr_array_index (job->writes, 0)) == 0)
    {
      save_job_free (job);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  show_error (self, NULL, NULL);
  run_save (self, job);
}

static void
on_save_clicked_cb (CareRecordEditor *self)
{
  /* A reason given for an earlier attempt does not carry over to new values. */
  g_clear_pointer (&self->repeat_reason, g_free);
  try_save (self);
}

static void
on_delete_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       CareRecordEditor *self)
{
  SaveJob *job;

  if (!g_str_equal (response, "delete"))
    return;

  job = g_new0 (SaveJob, 1);
  job->actor = g_strdup (self->actor);
  job->table = g_strdup (self->spec->table);
  job->id = g_strdup (care_record_get_id (self->record));
  job->retire = TRUE;
  run_save (self, job);
}

static void
on_delete_clicked_cb (CareRecordEditor *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove This Entry?"),
                                              _("Use this for an entry made in error. It is marked as removed on every "
                                                "computer and kept in the record's history. To end a problem or a "
                                                "medication instead, change its status."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_delete_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Typing starts in the first field to fill: for a new result its value (the
 * test chosen most, blood pressure, is preselected). */
static gboolean
focus_first_cb (gpointer user_data)
{
  CareRecordEditor *self = user_data;
  Field *first = &g_array_index (self->fields, Field, 0);

  if (self->record == NULL && g_str_equal (self->spec->table, "observations"))
    first = field_for (self, "value_num");
  gtk_widget_grab_focus (first->row);

  return G_SOURCE_REMOVE;
}

static void
on_map_cb (CareRecordEditor *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, focus_first_cb, g_object_ref (self), g_object_unref);
}

static void
care_record_editor_dispose (GObject *object)
{
  CareRecordEditor *self = CARE_RECORD_EDITOR (object);

  g_clear_object (&self->store);
  g_clear_object (&self->record);
  g_clear_pointer (&self->chart, care_chart_free);

  G_OBJECT_CLASS (care_record_editor_parent_class)->dispose (object);
}

static void
care_record_editor_finalize (GObject *object)
{
  CareRecordEditor *self = CARE_RECORD_EDITOR (object);

  for (guint i = 0; i < self->fields->len; i++)
    g_clear_pointer (&g_array_index (self->fields, Field, i).values, g_ptr_array_unref);
  g_array_unref (self->fields);
  g_free (self->actor);
  g_free (self->repeat_reason);
  g_clear_pointer (&self->fixed, care_fields_free);

  G_OBJECT_CLASS (care_record_editor_parent_class)->finalize (object);
}

static void
care_record_editor_class_init (CareRecordEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = care_record_editor_dispose;
  object_class->finalize = care_record_editor_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
care_record_editor_init (CareRecordEditor *self)
{
  self->fields = g_array_new (FALSE, TRUE, sizeof (Field));
  self->fixed = care_fields_new ();
}

CareRecordEditor *
care_record_editor_new (GtkWindow  *parent,
                        CareStore  *store,
                        const char *actor,
                        CareChart  *chart,
                        const char *table,
                        CareRecord *record)
{
  CareRecordEditor *self;
  GtkWidget *box, *header, *cancel, *page, *scroller, *clamp, *content;

  g_return_val_if_fail (CARE_IS_STORE (store), NULL);
  g_return_val_if_fail (chart != NULL, NULL);
  g_return_val_if_fail (spec_for (table) != NULL, NULL);

  self = g_object_new (CARE_TYPE_RECORD_EDITOR,
                       "modal", TRUE,
                       "transient-for", parent,
                       "default-width", 520,
                       "default-height", 620,
                       NULL);
  self->store = g_object_ref (store);
  self->actor = g_strdup (actor);
  self->chart = care_chart_ref (chart);
  self->spec = spec_for (table);
  self->record = record ? g_object_ref (record) : NULL;
  gtk_window_set_title (GTK_WINDOW (self), _(record ? self->spec->edit_title : self->spec->add_title));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 560);
  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "editor-error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->error_label));

  page = adw_preferences_group_new ();
  self->group = ADW_PREFERENCES_GROUP (page);
  {
    g_autofree char *patient = g_strdup_printf ("%s %s", care_record_get (chart->patient, "given_name"),
                                                care_record_get (chart->patient, "family_name"));

    adw_preferences_group_set_description (self->group, patient);
  }
  gtk_box_append (GTK_BOX (content), page);
  build_rows (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);

  if (record != NULL)
    {
      self->delete_button = gtk_button_new_with_mnemonic (_("_Remove Entry Made in Error…"));
      gtk_widget_add_css_class (self->delete_button, "destructive-action");
      gtk_widget_set_halign (self->delete_button, GTK_ALIGN_CENTER);
      gtk_widget_set_margin_top (self->delete_button, 12);
      g_signal_connect_swapped (self->delete_button, "clicked", G_CALLBACK (on_delete_clicked_cb), self);
      gtk_box_append (GTK_BOX (content), self->delete_button);
    }

  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);

  return self;
}

gboolean
care_record_editor_set_value (CareRecordEditor *self,
                              const char       *column,
                              const char       *value)
{
  Field *field;

  g_return_val_if_fail (CARE_IS_RECORD_EDITOR (self), FALSE);

  field = field_for (self, column);
  return field != NULL && field_set (field, value);
}

void
care_record_editor_set_fixed (CareRecordEditor *self,
                              const char       *column,
                              const char       *value)
{
  g_return_if_fail (CARE_IS_RECORD_EDITOR (self));

  care_fields_set (self->fixed, column, value);
}

const char *
care_record_editor_get_error (CareRecordEditor *self)
{
  g_return_val_if_fail (CARE_IS_RECORD_EDITOR (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_label (self->error_label) : NULL;
}
