/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-plan-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "care-dialogs.h"
#include "care-labels.h"
#include "care-chart.h"
#include "care-plan-checks.h"
#include "care-plan-print.h"
#include "care-plan-window.h"
#include "care-record-editor.h"
#include "care-record-rows.h"
#include "care-text.h"

typedef enum
{
  SECTION_CONFLICTS,
  SECTION_PLAN,
  SECTION_GOALS,
  SECTION_INTERVENTIONS,
  SECTION_TASKS,
  SECTION_NEEDS,
  SECTION_REFERRALS,
  SECTION_MESSAGES,
  SECTION_VERSIONS,
  N_SECTIONS
} Section;

static const struct
{
  const char *name;
  const char *title;   /* N_() */
  const char *table;   /* added from the header's button */
  const char *add;     /* N_() */
} sections[N_SECTIONS] = {
  [SECTION_CONFLICTS]     = { "conflicts", N_("Needs Attention"), NULL, NULL },
  [SECTION_PLAN]          = { "plan", N_("The Plan"), NULL, NULL },
  [SECTION_GOALS]         = { "goals", N_("Goals"), "goals", N_("Add Goal") },
  [SECTION_INTERVENTIONS] = { "interventions", N_("Interventions"), "interventions", N_("Add Intervention") },
  [SECTION_TASKS]         = { "tasks", N_("Tasks"), "care_tasks", N_("Add Task") },
  [SECTION_NEEDS]         = { "needs", N_("Social Needs and Barriers"), "care_needs", N_("Add Need or Barrier") },
  [SECTION_REFERRALS]     = { "referrals", N_("Referrals"), "referrals", N_("New Referral") },
  [SECTION_MESSAGES]      = { "messages", N_("Discussion"), NULL, NULL },
  [SECTION_VERSIONS]      = { "versions", N_("Earlier Versions"), NULL, NULL },
};

struct _CarePlanWindow
{
  AdwWindow            parent_instance;

  CareStore           *store;
  char                *actor;
  char                *user_id;
  char                *patient_id;
  CareChart           *chart;
  CareRecord          *plan;          /* the plan shown */
  char                *shown_plan_id; /* an earlier version chosen, or NULL for the current one */
  GCancellable        *cancellable;
  gboolean             loaded;

  AdwWindowTitle      *title;
  GtkStack            *stack;         /* "loading", "none", "plan" */
  AdwStatusPage       *none_page;
  GtkBox              *box;
  GtkWidget           *revise_button;
  GtkWidget           *print_button;
  GtkWidget           *version_banner;
  GtkLabel            *version_label;
  AdwPreferencesGroup *groups[N_SECTIONS];
  GPtrArray           *rows[N_SECTIONS];

  /* Composing a message */
  GtkTextView         *compose;
  GtkDropDown         *kind_dropdown;
  GtkDropDown         *recipient_dropdown;
  GPtrArray           *recipient_ids;
  GtkWidget           *send_button;
};

G_DEFINE_FINAL_TYPE (CarePlanWindow, care_plan_window, ADW_TYPE_WINDOW)

static void reload (CarePlanWindow *self);

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "–";
}

static gboolean
is_plan_of (CareRecord *record,
            CareRecord *plan)
{
  return g_strcmp0 (care_record_get (record, "care_plan_id"), care_record_get_id (plan)) == 0;
}

/* The patient's current plan: the newest active one. */
static CareRecord *
current_plan (const CareChart *chart)
{
  CareRecord *best = NULL;

  for (guint i = 0; i < chart->care_plans->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (chart->care_plans, i);

      if (g_strcmp0 (care_record_get (plan, "status"), "active") != 0)
        continue;
      if (best == NULL ||
          g_strcmp0 (care_record_get (plan, "created_at"), care_record_get (best, "created_at")) > 0)
        best = plan;
    }

  return best;
}

static void
clear_group (CarePlanWindow *self,
             guint           index)
{
  for (guint i = 0; i < self->rows[index]->len; i++)
    adw_preferences_group_remove (self->groups[index], g_ptr_array_index (self->rows[index], i));
  g_ptr_array_set_size (self->rows[index], 0);
}

static void open_editor (CarePlanWindow *self,
                         const char     *table,
                         CareRecord     *record);

static void
on_row_activated_cb (AdwActionRow   *row,
                     CarePlanWindow *self)
{
  CareRecord *record = care_record_row_get_record (GTK_WIDGET (row));

  open_editor (self, care_record_get_table (record), record);
}

static GtkWidget *
add_row (CarePlanWindow *self,
         guint           index,
         const char     *title,
         const char     *subtitle,
         CareRecord     *record)
{
  /* An earlier version is read, not edited. */
  GtkWidget *row = care_record_row_new (title, subtitle, self->shown_plan_id == NULL ? record : NULL,
                                        G_CALLBACK (on_row_activated_cb), self);

  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 4);
  adw_preferences_group_add (self->groups[index], row);
  g_ptr_array_add (self->rows[index], row);

  return row;
}

static void
add_empty (CarePlanWindow *self,
           guint           index,
           const char     *text)
{
  GtkWidget *label = care_empty_label_new (text);

  adw_preferences_group_add (self->groups[index], label);
  g_ptr_array_add (self->rows[index], label);
}

static const char *
status_name (const char *status)
{
  static const struct { const char *id; const char *name; } names[] = {
    { "active", N_("active") }, { "proposed", N_("proposed") }, { "accepted", N_("accepted") },
    { "on-hold", N_("on hold") }, { "completed", N_("completed") }, { "cancelled", N_("cancelled") },
    { "requested", N_("requested") }, { "in-progress", N_("in progress") }, { "not-started", N_("not started") },
    { "scheduled", N_("scheduled") }, { "stopped", N_("stopped") }, { "resolved", N_("resolved") },
    { "draft", N_("draft") }, { "revoked", N_("cancelled") },
    { "achieved", N_("achieved") }, { "improving", N_("improving") }, { "worsening", N_("worsening") },
    { "no-change", N_("no change") }, { "not-achieved", N_("not achieved") }, { "in-progress", N_("in progress") },
    { "sustaining", N_("sustaining") }, { "no-progress", N_("no progress") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].id, status) == 0)
      return _(names[i].name);
  return status ? status : "";
}

static const char *
need_name (const char *category)
{
  static const struct { const char *id; const char *name; } names[] = {
    { "transport", N_("Transport") }, { "language", N_("Language") }, { "housing", N_("Housing") },
    { "food", N_("Food") }, { "cost", N_("Cost of care") }, { "other", N_("Other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].id, category) == 0)
      return _(names[i].name);
  return category ? category : "";
}

/* "HbA1c below 8 %", "Systolic between 110 and 140 mmHg", or NULL. */
static char *
goal_target (CareRecord *goal)
{
  const char *low = care_record_get (goal, "target_low");
  const char *high = care_record_get (goal, "target_high");
  g_autofree char *unit = care_text_display_unit (care_record_get (goal, "target_unit"));

  if (low != NULL && high != NULL)
    return g_strdup_printf (_("target %g–%g %s"), care_record_get_double (goal, "target_low"),
                            care_record_get_double (goal, "target_high"), unit);
  if (high != NULL)
    return g_strdup_printf (_("target below %g %s"), care_record_get_double (goal, "target_high"), unit);
  if (low != NULL)
    return g_strdup_printf (_("target at least %g %s"), care_record_get_double (goal, "target_low"), unit);
  return NULL;
}

static void
show_conflicts (CarePlanWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = care_plan_conflicts (self->chart, &error);

  gtk_widget_set_visible (GTK_WIDGET (self->groups[SECTION_CONFLICTS]), FALSE);
  if (conflicts == NULL)
    {
      g_warning ("Checking the plan failed: %s", error->message);
      return;
    }

  for (guint i = 0; i < conflicts->len; i++)
    {
      CarePlanConflict *conflict = g_ptr_array_index (conflicts, i);
      GtkWidget *row = add_row (self, SECTION_CONFLICTS, conflict->message, NULL, NULL);
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->groups[SECTION_CONFLICTS]), conflicts->len > 0);
}

/* Choosing the problems a plan addresses: the patient's active problems, checked. */

static gpointer
save_addresses_worker (CareDb        *db,
                       gpointer       data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  char **args = data;   /* actor, plan id, addresses */
  g_autoptr(CareFields) fields = care_fields_new ();

  care_fields_set (fields, "addresses", *args[2] ? args[2] : NULL);
  return care_db_put (db, args[0], "care_plans", args[1], fields, NULL, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_addresses_saved_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CarePlanWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    g_warning ("Could not save the problems of the plan: %s", error->message);
  else
    g_signal_emit_by_name (self->store, "changed", "care_plans");
}

static void
on_problems_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         CarePlanWindow   *self)
{
  GtkWidget *list = adw_message_dialog_get_extra_child (dialog);
  g_autoptr(GString) ids = g_string_new (NULL);
  char **args;

  if (!g_str_equal (response, "save") || self->plan == NULL)
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (child), "check");

      if (check != NULL && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        g_string_append_printf (ids, "%s%s", ids->len ? " " : "", (const char *) g_object_get_data (G_OBJECT (child), "id"));
    }

  args = g_new0 (char *, 4);
  args[0] = g_strdup (self->actor);
  args[1] = g_strdup (care_record_get_id (self->plan));
  args[2] = g_strdup (ids->str);
  care_store_run_async (self->store, save_addresses_worker, args, (GDestroyNotify) g_strfreev, NULL, NULL,
                        on_addresses_saved_cb, g_object_ref (self));
}

static void
on_choose_problems_cb (CarePlanWindow *self)
{
  GtkWidget *dialog, *list;
  g_auto(GStrv) chosen = NULL;
  guint n = 0;

  if (self->plan == NULL)
    return;
  chosen = g_strsplit (care_record_get (self->plan, "addresses") ? care_record_get (self->plan, "addresses") : "", " ", -1);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < self->chart->conditions->len; i++)
    {
      CareRecord *condition = g_ptr_array_index (self->chart->conditions, i);
      const char *status = care_record_get (condition, "clinical_status");
      GtkWidget *row, *check;

      if (g_strcmp0 (care_record_get (condition, "verification_status"), "entered-in-error") == 0 ||
          (g_strcmp0 (status, "active") != 0 && g_strcmp0 (status, "recurrence") != 0 && g_strcmp0 (status, "relapse") != 0 &&
           !g_strv_contains ((const char * const *) chosen, care_record_get_id (condition))))
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), care_record_get (condition, "display"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      check = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strv_contains ((const char * const *) chosen, care_record_get_id (condition)));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "check", check);
      g_object_set_data_full (G_OBJECT (row), "id", g_strdup (care_record_get_id (condition)), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      n++;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Problems This Plan Addresses"),
                                   n ? NULL : _("The patient has no active problems on the list. Add them on the dashboard first."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save", n > 0);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_problems_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_plan (CarePlanWindow *self)
{
  CareRecord *plan = self->plan;
  g_autofree char *author = care_chart_practitioner_name (self->chart, care_record_get (plan, "author_id"));
  g_autofree char *period = g_strdup_printf ("%s – %s", or_dash (care_record_get (plan, "period_start")),
                                             care_record_get (plan, "period_end") ? care_record_get (plan, "period_end") : _("ongoing"));
  g_autofree char *subtitle = NULL;
  CareRecord *replaced = care_record_get (plan, "replaces_id") ?
                         care_chart_find (self->chart, "care_plans", care_record_get (plan, "replaces_id")) : NULL;

  /* Translators: a care plan: status · period · author */
  subtitle = g_strdup_printf (_("%s · %s · by %s"), status_name (care_record_get (plan, "status")), period,
                              author ? author : _("author not recorded"));
  add_row (self, SECTION_PLAN, care_record_get (plan, "title"), subtitle, plan);
  add_row (self, SECTION_PLAN, _("What matters to the patient"),
           care_record_get (plan, "patient_priorities") ? care_record_get (plan, "patient_priorities")
                                                        : _("Not recorded yet: ask the patient what matters most to them"),
           NULL);
  if (care_record_get (plan, "description"))
    add_row (self, SECTION_PLAN, _("Summary"), care_record_get (plan, "description"), NULL);

  /* The problems the plan addresses (condition ids, space separated). */
  {
    g_auto(GStrv) ids = g_strsplit (care_record_get (plan, "addresses") ? care_record_get (plan, "addresses") : "", " ", -1);
    g_autoptr(GString) names = g_string_new (NULL);
    GtkWidget *row, *button;

    for (guint i = 0; ids[i]; i++)
      {
        CareRecord *condition = *ids[i] ? care_chart_find (self->chart, "conditions", ids[i]) : NULL;

        if (condition != NULL)
          g_string_append_printf (names, "%s%s", names->len ? ", " : "", care_record_get (condition, "display"));
      }
    row = add_row (self, SECTION_PLAN, _("Problems it addresses"),
                   names->len ? names->str : _("None chosen yet"), NULL);
    if (self->shown_plan_id == NULL)
      {
        button = gtk_button_new_with_mnemonic (_("C_hoose…"));
        gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
        g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_choose_problems_cb), self);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      }
  }
  if (replaced != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Revises the plan of %s"), or_dash (care_record_get (replaced, "period_start")));

      add_row (self, SECTION_PLAN, _("Version"), text, NULL);
    }
}

static void
show_goals (CarePlanWindow *self)
{
  guint shown = 0;

  for (guint i = 0; i < self->chart->goals->len; i++)
    {
      CareRecord *goal = g_ptr_array_index (self->chart->goals, i);
      g_autofree char *target = goal_target (goal);
      g_autofree char *latest_date = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *latest = NULL;
      const char *achievement;
      double value = NAN;
      GtkWidget *row;

      if (!is_plan_of (goal, self->plan) || g_strcmp0 (care_record_get (goal, "lifecycle_status"), "entered-in-error") == 0)
        continue;

      achievement = care_goal_achievement (self->chart, goal, &value, &latest_date);
      if (!isnan (value))
        {
          g_autofree char *date = latest_date ? g_strndup (latest_date, 10) : g_strdup ("?");

          /* Translators: the latest result for a goal: value and date */
          latest = g_strdup_printf (_("latest %g on %s"), value, date);
        }
      /* Translators: a goal: target · due date · status · latest result */
      subtitle = g_strdup_printf (_("%s · due %s · %s%s%s"), target ? target : _("no measurable target"),
                                  or_dash (care_record_get (goal, "due_date")),
                                  status_name (care_record_get (goal, "lifecycle_status")),
                                  latest ? " · " : "", latest ? latest : "");
      row = add_row (self, SECTION_GOALS, care_record_get (goal, "description"), subtitle, goal);
      if (achievement != NULL)
        care_record_row_add_badge (row, status_name (achievement),
                   g_str_equal (achievement, "achieved") || g_str_equal (achievement, "improving") ||
                   g_str_equal (achievement, "sustaining") ? "achieved-badge" : "overdue-badge");
      shown++;
    }

  if (shown == 0)
    add_empty (self, SECTION_GOALS, _("No goals yet"));
}

static void
show_interventions (CarePlanWindow *self)
{
  guint shown = 0;

  for (guint i = 0; i < self->chart->interventions->len; i++)
    {
      CareRecord *item = g_ptr_array_index (self->chart->interventions, i);
      g_autofree char *subtitle = NULL;

      if (!is_plan_of (item, self->plan))
        continue;
      subtitle = g_strdup_printf ("%s · %s", care_record_get (item, "discipline") ? care_label_discipline (care_record_get (item, "discipline"))
                                                                                  : _("the team"),
                                  status_name (care_record_get (item, "status")));
      add_row (self, SECTION_INTERVENTIONS, care_record_get (item, "description"), subtitle, item);
      shown++;
    }

  if (shown == 0)
    add_empty (self, SECTION_INTERVENTIONS, _("No interventions yet"));
}

static void
show_tasks (CarePlanWindow *self)
{
  guint shown = 0;

  /* Open tasks first (by due date), then the done ones. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < self->chart->tasks->len; i++)
      {
        CareRecord *task = g_ptr_array_index (self->chart->tasks, i);
        const char *status = care_record_get (task, "status");
        const char *due = care_record_get (task, "due_date");
        gboolean open = g_strcmp0 (status, "requested") == 0 || g_strcmp0 (status, "in-progress") == 0;
        g_autofree char *who = care_chart_practitioner_name (self->chart, care_record_get (task, "assignee_id"));
        g_autofree char *subtitle = NULL;
        GtkWidget *row;

        if (!is_plan_of (task, self->plan) || open != (pass == 0))
          continue;
        /* Translators: a task: who · due date · status */
        subtitle = g_strdup_printf (_("%s · due %s · %s"),
                                    who ? who : care_record_get (task, "discipline") ? care_label_discipline (care_record_get (task, "discipline"))
                                                                                     : _("not assigned"),
                                    or_dash (due), status_name (status));
        row = add_row (self, SECTION_TASKS, care_record_get (task, "description"), subtitle, task);
        if (open && due != NULL && strcmp (due, self->chart->today) < 0)
          care_record_row_add_badge (row, _("Overdue"), "overdue-badge");
        shown++;
      }

  if (shown == 0)
    add_empty (self, SECTION_TASKS, _("No tasks yet"));
}

static void
show_needs (CarePlanWindow *self)
{
  guint shown = 0;

  for (guint i = 0; i < self->chart->needs->len; i++)
    {
      CareRecord *need = g_ptr_array_index (self->chart->needs, i);
      const char *plan_id = care_record_get (need, "care_plan_id");
      g_autofree char *subtitle = NULL;

      /* Needs belong to the patient; a plan may name them. */
      if (plan_id != NULL && !is_plan_of (need, self->plan))
        continue;
      subtitle = g_strdup_printf ("%s · %s", or_dash (care_record_get (need, "description")),
                                  status_name (care_record_get (need, "status")));
      add_row (self, SECTION_NEEDS, need_name (care_record_get (need, "category")), subtitle, need);
      shown++;
    }

  if (shown == 0)
    add_empty (self, SECTION_NEEDS, _("None recorded: transport, language, housing, food and cost decide whether a plan works"));
}

static void
show_referrals (CarePlanWindow *self)
{
  guint shown = 0;

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < self->chart->referrals->len; i++)
      {
        CareRecord *referral = g_ptr_array_index (self->chart->referrals, i);
        const char *status = care_record_get (referral, "status");
        const char *due = care_record_get (referral, "due_date");
        gboolean open = g_strcmp0 (status, "active") == 0 || g_strcmp0 (status, "on-hold") == 0 || g_strcmp0 (status, "draft") == 0;
        g_autofree char *subtitle = NULL;
        g_autofree char *title = NULL;
        GtkWidget *row;

        if (g_strcmp0 (status, "entered-in-error") == 0 || open != (pass == 0))
          continue;
        title = g_strdup_printf ("%s%s%s", care_record_get (referral, "to_service"),
                                 care_record_get (referral, "reason") ? ": " : "",
                                 care_record_get (referral, "reason") ? care_record_get (referral, "reason") : "");
        if (open)
          /* Translators: an open referral: urgency · sent date · expected date */
          subtitle = g_strdup_printf (_("%s · sent %s · result expected by %s"), care_label_urgency (care_record_get (referral, "urgency")),
                                      or_dash (care_record_get (referral, "sent_date")), or_dash (due));
        else
          /* Translators: a closed referral: closed date · outcome */
          subtitle = g_strdup_printf (_("closed %s · %s"), or_dash (care_record_get (referral, "closed_date")),
                                      or_dash (care_record_get (referral, "outcome")));
        row = add_row (self, SECTION_REFERRALS, title, subtitle, referral);
        if (open && due != NULL && strcmp (due, self->chart->today) < 0)
          care_record_row_add_badge (row, _("Overdue"), "overdue-badge");
        else if (!open)
          care_record_row_add_badge (row, _("Closed"), "achieved-badge");
        shown++;
      }

  if (shown == 0)
    add_empty (self, SECTION_REFERRALS, _("No referrals"));
}

static void
show_messages (CarePlanWindow *self)
{
  guint shown = 0;

  for (guint i = 0; i < self->chart->notes->len; i++)
    {
      CareRecord *note = g_ptr_array_index (self->chart->notes, i);
      const char *kind = care_record_get (note, "kind");
      g_autofree char *author = care_chart_practitioner_name (self->chart, care_record_get (note, "author_id"));
      g_autofree char *recipient = care_chart_practitioner_name (self->chart, care_record_get (note, "recipient_id"));
      g_autofree char *when = g_strndup (care_record_get (note, "written_at"), 16);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (!is_plan_of (note, self->plan) || g_strcmp0 (kind, "progress") == 0)
        continue;
      g_strdelimit (when, "T", ' ');
      if (g_strcmp0 (kind, "handoff") == 0)
        /* Translators: a hand-off note: from · to · when */
        subtitle = g_strdup_printf (_("Hand-off from %s to %s · %s"), author ? author : _("someone"),
                                    recipient ? recipient : _("the team"), when);
      else
        subtitle = g_strdup_printf ("%s · %s", author ? author : _("someone"), when);
      row = add_row (self, SECTION_MESSAGES, care_record_get (note, "body"), subtitle, NULL);
      if (g_strcmp0 (kind, "handoff") == 0)
        care_record_row_add_badge (row, _("Hand-off"), "changed-badge");
      shown++;
    }

  if (shown == 0)
    add_empty (self, SECTION_MESSAGES, _("No messages yet. Write to the team below; @name tells someone."));
}

static void
on_version_activated_cb (AdwActionRow   *row,
                         CarePlanWindow *self)
{
  g_free (self->shown_plan_id);
  self->shown_plan_id = g_strdup (g_object_get_data (G_OBJECT (row), "plan-id"));
  reload (self);
}

static void
show_versions (CarePlanWindow *self)
{
  guint shown = 0;

  for (guint i = self->chart->care_plans->len; i-- > 0;)
    {
      CareRecord *plan = g_ptr_array_index (self->chart->care_plans, i);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (plan == self->plan || g_strcmp0 (care_record_get (plan, "status"), "entered-in-error") == 0)
        continue;
      subtitle = g_strdup_printf ("%s · %s – %s", status_name (care_record_get (plan, "status")),
                                  or_dash (care_record_get (plan, "period_start")), or_dash (care_record_get (plan, "period_end")));
      row = add_row (self, SECTION_VERSIONS, care_record_get (plan, "title"), subtitle, NULL);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "plan-id", g_strdup (care_record_get_id (plan)), g_free);
      g_signal_connect (row, "activated", G_CALLBACK (on_version_activated_cb), self);
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->groups[SECTION_VERSIONS]), shown > 0);
}

static void
fill_recipients (CarePlanWindow *self)
{
  GtkStringList *names = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->recipient_ids, 0);
  gtk_string_list_append (names, _("The whole team"));
  g_ptr_array_add (self->recipient_ids, NULL);
  for (guint i = 0; i < self->chart->care_team->len; i++)
    {
      CareRecord *member = g_ptr_array_index (self->chart->care_team, i);
      const char *id = care_record_get (member, "practitioner_id");
      g_autofree char *name = care_chart_practitioner_name (self->chart, id);

      if (name == NULL || g_strcmp0 (care_record_get (member, "status"), "active") != 0 ||
          g_strcmp0 (id, self->user_id) == 0)
        continue;
      gtk_string_list_append (names, name);
      g_ptr_array_add (self->recipient_ids, g_strdup (id));
    }
  gtk_drop_down_set_model (self->recipient_dropdown, G_LIST_MODEL (names));
  g_object_unref (names);
}

static void
show_all (CarePlanWindow *self)
{
  const char *current_id;

  for (guint i = 0; i < N_SECTIONS; i++)
    clear_group (self, i);

  /* The plan shown: an earlier version chosen, or the current one. */
  self->plan = NULL;
  if (self->shown_plan_id != NULL)
    self->plan = care_chart_find (self->chart, "care_plans", self->shown_plan_id);
  if (self->plan == NULL)
    {
      g_clear_pointer (&self->shown_plan_id, g_free);
      self->plan = current_plan (self->chart);
    }

  current_id = self->plan ? care_record_get_id (self->plan) : NULL;
  gtk_widget_set_visible (self->version_banner, self->shown_plan_id != NULL);
  gtk_widget_set_sensitive (self->revise_button, self->plan != NULL && self->shown_plan_id == NULL);
  gtk_widget_set_sensitive (self->print_button, current_plan (self->chart) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->compose), self->shown_plan_id == NULL);
  gtk_widget_set_visible (gtk_widget_get_parent (self->send_button), self->shown_plan_id == NULL);
  for (guint i = 0; i < N_SECTIONS; i++)
    if (sections[i].table != NULL)
      gtk_widget_set_sensitive (adw_preferences_group_get_header_suffix (self->groups[i]), self->shown_plan_id == NULL);

  if (self->plan == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }

  if (self->shown_plan_id != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("An earlier version, %s"), status_name (care_record_get (self->plan, "status")));

      gtk_label_set_label (self->version_label, text);
    }

  show_conflicts (self);
  show_plan (self);
  show_goals (self);
  show_interventions (self);
  show_tasks (self);
  show_needs (self);
  show_referrals (self);
  show_messages (self);
  show_versions (self);
  fill_recipients (self);
  (void) current_id;
  gtk_stack_set_visible_child_name (self->stack, "plan");
}

/* Loading */

typedef struct
{
  char *actor;
  char *patient_id;
} LoadJob;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_free (job->actor);
  g_free (job->patient_id);
  g_free (job);
}

static gpointer
load_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  LoadJob *job = data;
  g_autofree char *today = care_text_today ();

  return care_chart_load (db, job->actor, job->patient_id, today, error);
}

static void
on_loaded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CarePlanWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  CareChart *chart = care_store_run_finish (CARE_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (chart == NULL)
    {
      adw_status_page_set_title (self->none_page, _("Cannot read the care plan"));
      adw_status_page_set_description (self->none_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }

  g_clear_pointer (&self->chart, care_chart_free);
  self->chart = chart;
  {
    g_autofree char *title = g_strdup_printf (_("Care Plan — %s %s"), care_record_get (chart->patient, "given_name"),
                                              care_record_get (chart->patient, "family_name"));

    adw_window_title_set_title (self->title, title);
    gtk_window_set_title (GTK_WINDOW (self), title);
  }
  show_all (self);
  self->loaded = TRUE;
}

static void
reload (CarePlanWindow *self)
{
  LoadJob *job = g_new0 (LoadJob, 1);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loaded = FALSE;

  job->actor = g_strdup (self->actor);
  job->patient_id = g_strdup (self->patient_id);
  care_store_run_async (self->store, load_worker, job, load_job_free, (GDestroyNotify) care_chart_free,
                        self->cancellable, on_loaded_cb, self);
}

static void
on_store_changed_cb (CarePlanWindow *self)
{
  if (self->chart != NULL)
    reload (self);
}

/* Editing */

static void
open_editor (CarePlanWindow *self,
             const char     *table,
             CareRecord     *record)
{
  CareRecordEditor *editor;

  if (self->chart == NULL)
    return;

  editor = care_record_editor_new (GTK_WINDOW (self), self->store, self->actor, self->chart, table, record);
  if (record == NULL)
    {
      g_autofree char *today = care_text_today ();

      if (g_str_equal (table, "care_plans"))
        {
          care_record_editor_set_value (editor, "title", _("Care plan"));
          care_record_editor_set_value (editor, "period_start", today);
          if (self->user_id != NULL)
            care_record_editor_set_fixed (editor, "author_id", self->user_id);
          care_record_editor_set_fixed (editor, "intent", "plan");
        }
      else if (self->plan != NULL && !g_str_equal (table, "referrals"))
        care_record_editor_set_fixed (editor, "care_plan_id", care_record_get_id (self->plan));

      /* A new task is the writer's own until they give it to someone else. */
      if (g_str_equal (table, "care_tasks") && self->user_id != NULL)
        {
          care_record_editor_set_fixed (editor, "requester_id", self->user_id);
          care_record_editor_set_value (editor, "assignee_id", self->user_id);
        }
      if (g_str_equal (table, "referrals"))
        {
          care_record_editor_set_value (editor, "sent_date", today);
          if (self->user_id != NULL)
            care_record_editor_set_fixed (editor, "requester_id", self->user_id);
        }
    }
  gtk_window_present (GTK_WINDOW (editor));
}

static void
on_add_clicked_cb (GtkButton      *button,
                   CarePlanWindow *self)
{
  open_editor (self, g_object_get_data (G_OBJECT (button), "table"), NULL);
}

static void
on_new_plan_clicked_cb (CarePlanWindow *self)
{
  open_editor (self, "care_plans", NULL);
}

/* Revising: the plan is kept as an earlier version; a new one carries its open
 * goals, interventions and needs, and its open tasks move over. */

typedef struct
{
  char *actor;
  char *user_id;
  char *plan_id;
  char *today;
} ReviseJob;

static void
revise_job_free (gpointer data)
{
  ReviseJob *job = data;

  g_free (job->actor);
  g_free (job->user_id);
  g_free (job->plan_id);
  g_free (job->today);
  g_free (job);
}

static gboolean
copy_children (CareDb      *db,
               const char  *actor,
               const char  *table,
               CareRecord  *old_plan,
               const char  *new_plan_id,
               const char  *status_column,
               const char * const *open_statuses,
               gboolean     move,
               GError     **error)
{
  g_autoptr(GPtrArray) records = care_db_list (db, actor, table, care_record_get (old_plan, "patient_id"), NULL, error);

  if (records == NULL)
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const GPtrArray *columns = care_record_get_columns (record);
      g_autoptr(CareFields) fields = care_fields_new ();

      if (g_strcmp0 (care_record_get (record, "care_plan_id"), care_record_get_id (old_plan)) != 0 ||
          g_strcmp0 (care_record_get (record, "retired"), "1") == 0 ||
          !g_strv_contains (open_statuses, care_record_get (record, status_column) ? care_record_get (record, status_column) : ""))
        continue;

      if (move)
        {
          care_fields_set (fields, "care_plan_id", new_plan_id);
          if (!care_db_put (db, actor, table, care_record_get_id (record), fields, NULL, error))
            return FALSE;
          continue;
        }

      for (guint c = 0; c < columns->len; c++)
        {
          const char *column = g_ptr_array_index (columns, c);
          static const char *skip[] = { "seq", "id", "created_at", "updated_at", "device_id", "retired", "clocks", NULL };

          if (g_strv_contains (skip, column) || care_record_get (record, column) == NULL)
            continue;
          care_fields_set (fields, column, care_record_get (record, column));
        }
      care_fields_set (fields, "care_plan_id", new_plan_id);
      if (!care_db_put (db, actor, table, NULL, fields, NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gpointer
revise_worker (CareDb        *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  static const char * const open_goals[] = { "active", "proposed", "accepted", "planned", "on-hold", NULL };
  static const char * const open_interventions[] = { "in-progress", "not-started", "scheduled", "on-hold", NULL };
  static const char * const open_needs[] = { "active", NULL };
  static const char * const open_tasks[] = { "requested", "in-progress", NULL };
  ReviseJob *job = data;
  g_autoptr(CareRecord) old_plan = NULL;
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autofree char *new_id = NULL;
  static const char *copied[] = { "patient_id", "title", "description", "intent", "addresses", "patient_priorities", NULL };

  if (!care_db_begin (db, error))
    return NULL;
  if (!(old_plan = care_db_get (db, job->actor, "care_plans", job->plan_id, error)))
    goto failed;

  for (guint i = 0; copied[i]; i++)
    if (care_record_get (old_plan, copied[i]) != NULL)
      care_fields_set (fields, copied[i], care_record_get (old_plan, copied[i]));
  care_fields_set (fields, "status", "active");
  care_fields_set (fields, "period_start", job->today);
  care_fields_set (fields, "replaces_id", job->plan_id);
  if (job->user_id != NULL)
    care_fields_set (fields, "author_id", job->user_id);
  if (!care_db_put (db, job->actor, "care_plans", NULL, fields, &new_id, error))
    goto failed;

  care_fields_clear (fields);
  care_fields_set (fields, "status", "completed");
  care_fields_set (fields, "period_end", job->today);
  if (!care_db_put (db, job->actor, "care_plans", job->plan_id, fields, NULL, error))
    goto failed;

  if (!copy_children (db, job->actor, "goals", old_plan, new_id, "lifecycle_status", open_goals, FALSE, error) ||
      !copy_children (db, job->actor, "interventions", old_plan, new_id, "status", open_interventions, FALSE, error) ||
      !copy_children (db, job->actor, "care_needs", old_plan, new_id, "status", open_needs, FALSE, error) ||
      !copy_children (db, job->actor, "care_tasks", old_plan, new_id, "status", open_tasks, TRUE, error))
    goto failed;

  if (!care_db_commit (db, error))
    goto failed;
  return GINT_TO_POINTER (TRUE);

failed:
  care_db_rollback (db);
  return NULL;
}

static void
on_revised_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CarePlanWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    {
      care_show_error (GTK_WINDOW (self), _("The plan was not revised"), error->message);
      return;
    }
  g_signal_emit_by_name (self->store, "changed", "care_plans");
}

static void
on_revise_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       CarePlanWindow   *self)
{
  ReviseJob *job;

  if (!g_str_equal (response, "revise") || self->plan == NULL)
    return;

  job = g_new0 (ReviseJob, 1);
  job->actor = g_strdup (self->actor);
  job->user_id = g_strdup (self->user_id);
  job->plan_id = g_strdup (care_record_get_id (self->plan));
  job->today = care_text_today ();
  care_store_run_async (self->store, revise_worker, job, revise_job_free, NULL, NULL, on_revised_cb, g_object_ref (self));
}

static void
on_revise_clicked_cb (CarePlanWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Start a New Version of the Plan?"),
                                              _("The current plan is kept, read-only, as an earlier version. The new "
                                                "version starts today with its open goals, interventions and needs; "
                                                "its open tasks move to it."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "revise", _("_Start New Version"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revise", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_revise_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_current_clicked_cb (CarePlanWindow *self)
{
  g_clear_pointer (&self->shown_plan_id, g_free);
  reload (self);
}

/* The discussion: a message, or a hand-off to one person; @mentions and
 * hand-offs become notifications that replicate with the message. */

typedef struct
{
  char       *actor;
  CareFields *note;
  GPtrArray  *notify;   /* practitioner ids */
  char       *kind;
} SendJob;

static void
send_job_free (gpointer data)
{
  SendJob *job = data;

  g_free (job->actor);
  g_free (job->kind);
  care_fields_free (job->note);
  g_ptr_array_unref (job->notify);
  g_free (job);
}

static gpointer
send_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  SendJob *job = data;
  g_autofree char *note_id = NULL;

  if (!care_db_begin (db, error))
    return NULL;
  if (!care_db_put (db, job->actor, "notes", NULL, job->note, &note_id, error))
    goto failed;

  for (guint i = 0; i < job->notify->len; i++)
    {
      g_autoptr(CareFields) fields = care_fields_new ();

      care_fields_set (fields, "practitioner_id", g_ptr_array_index (job->notify, i));
      care_fields_set (fields, "patient_id", care_fields_lookup (job->note, "patient_id"));
      care_fields_set (fields, "note_id", note_id);
      care_fields_set (fields, "kind", job->kind);
      care_fields_set (fields, "sent_at", care_fields_lookup (job->note, "written_at"));
      if (!care_db_put (db, job->actor, "notifications", NULL, fields, NULL, error))
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
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CarePlanWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (self->send_button, TRUE);
  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    {
      care_show_error (GTK_WINDOW (self), _("The message was not sent"), error->message);
      return;
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->compose), "", -1);
  g_signal_emit_by_name (self->store, "changed", "notes");
}

static void
on_send_clicked_cb (CarePlanWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->compose);
  GtkTextIter start, end;
  g_autofree char *body = NULL;
  g_autoptr(GPtrArray) team = g_ptr_array_new ();
  g_autoptr(GPtrArray) mentioned = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean handoff = gtk_drop_down_get_selected (self->kind_dropdown) == 1;
  guint recipient = gtk_drop_down_get_selected (self->recipient_dropdown);
  const char *recipient_id = recipient < self->recipient_ids->len ? g_ptr_array_index (self->recipient_ids, recipient) : NULL;
  SendJob *job;
  GHashTableIter iter;
  gpointer value;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  if (*body == '\0' || self->plan == NULL)
    return;

  job = g_new0 (SendJob, 1);
  job->actor = g_strdup (self->actor);
  job->kind = g_strdup (handoff ? "handoff" : "mention");
  job->note = care_fields_new ();
  job->notify = g_ptr_array_new_with_free_func (g_free);
  care_fields_set (job->note, "patient_id", self->patient_id);
  care_fields_set (job->note, "care_plan_id", care_record_get_id (self->plan));
  care_fields_set (job->note, "kind", handoff ? "handoff" : "message");
  care_fields_set (job->note, "body", body);
  {
    g_autofree char *written = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

    care_fields_set (job->note, "written_at", written);
  }
  if (self->user_id != NULL)
    care_fields_set (job->note, "author_id", self->user_id);
  if (recipient_id != NULL)
    {
      care_fields_set (job->note, "recipient_id", recipient_id);
      g_ptr_array_add (job->notify, g_strdup (recipient_id));
    }

  /* Anyone on the staff can be mentioned, not only the care team. */
  g_hash_table_iter_init (&iter, self->chart->practitioners);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (team, value);
  mentioned = care_note_mentions (body, team);
  for (guint i = 0; i < mentioned->len; i++)
    {
      const char *id = g_ptr_array_index (mentioned, i);

      if (g_strcmp0 (id, self->user_id) != 0 && !g_ptr_array_find_with_equal_func (job->notify, id, g_str_equal, NULL))
        g_ptr_array_add (job->notify, g_strdup (id));
    }

  gtk_widget_set_sensitive (self->send_button, FALSE);
  care_store_run_async (self->store, send_worker, job, send_job_free, NULL, NULL, on_sent_cb, g_object_ref (self));
}

static void
on_kind_changed_cb (CarePlanWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->recipient_dropdown), gtk_drop_down_get_selected (self->kind_dropdown) == 1);
}

/* Printing, in the patient's language */

static void
on_begin_print_cb (GtkPrintOperation *operation,
                   GtkPrintContext   *context,
                   CarePlanPrint     *print)
{
  guint pages = care_plan_print_paginate (print, gtk_print_context_get_cairo_context (context),
                                          gtk_print_context_get_width (context),
                                          gtk_print_context_get_height (context));

  gtk_print_operation_set_n_pages (operation, MAX (pages, 1));
}

static void
on_draw_page_cb (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page,
                 CarePlanPrint     *print)
{
  care_plan_print_draw_page (print, gtk_print_context_get_cairo_context (context), page);
}

static void
on_print_clicked_cb (CarePlanWindow *self)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;
  const char *language = care_record_get (self->chart->patient, "preferred_language");
  CarePlanPrint *print = care_plan_print_new (self->chart, language ? language : "en", &error);
  g_autofree char *name = NULL;

  if (print == NULL)
    {
      care_show_error (GTK_WINDOW (self), _("Nothing to print"), error->message);
      return;
    }

  operation = gtk_print_operation_new ();
  name = g_strdup_printf ("care-plan-%s", care_record_get (self->chart->patient, "mrn"));
  gtk_print_operation_set_job_name (operation, name);
  gtk_print_operation_set_export_filename (operation, "care-plan.pdf");
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print_cb), print);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page_cb), print);
  g_object_set_data_full (G_OBJECT (operation), "print", print, (GDestroyNotify) care_plan_print_free);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, GTK_WINDOW (self), &error) ==
      GTK_PRINT_OPERATION_RESULT_ERROR)
    g_warning ("Printing failed: %s", error->message);
}

/* Construction */

static void
care_plan_window_dispose (GObject *object)
{
  CarePlanWindow *self = CARE_PLAN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->chart, care_chart_free);

  G_OBJECT_CLASS (care_plan_window_parent_class)->dispose (object);
}

static void
care_plan_window_finalize (GObject *object)
{
  CarePlanWindow *self = CARE_PLAN_WINDOW (object);

  for (guint i = 0; i < N_SECTIONS; i++)
    g_clear_pointer (&self->rows[i], g_ptr_array_unref);
  g_clear_pointer (&self->recipient_ids, g_ptr_array_unref);
  g_free (self->actor);
  g_free (self->user_id);
  g_free (self->patient_id);
  g_free (self->shown_plan_id);

  G_OBJECT_CLASS (care_plan_window_parent_class)->finalize (object);
}

/* Ctrl+N a plan (when there is none), Ctrl+G a goal, Ctrl+T a task, Ctrl+I an
 * intervention, Ctrl+Shift+R a referral. */
static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  CarePlanWindow *self = CARE_PLAN_WINDOW (widget);
  const char *table = g_variant_get_string (parameter, NULL);

  if (self->chart == NULL || self->shown_plan_id != NULL)
    return;
  if (g_str_equal (table, "care_plans") != (self->plan == NULL))
    return;
  open_editor (self, table, NULL);
}

static void
care_plan_window_class_init (CarePlanWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = care_plan_window_dispose;
  object_class->finalize = care_plan_window_finalize;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_install_action (widget_class, "plan.add", "s", add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "plan.add", "s", "care_plans");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "plan.add", "s", "goals");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "plan.add", "s", "care_tasks");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "plan.add", "s", "interventions");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "plan.add", "s", "referrals");
}

static GtkWidget *
build_compose (CarePlanWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *kinds[] = { _("Message"), _("Hand-off"), NULL };

  self->compose = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->compose, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->compose, 8);
  gtk_text_view_set_bottom_margin (self->compose, 8);
  gtk_text_view_set_left_margin (self->compose, 8);
  gtk_text_view_set_right_margin (self->compose, 8);
  gtk_widget_set_size_request (GTK_WIDGET (self->compose), -1, 72);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->compose), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message to the care team"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->compose));
  gtk_box_append (GTK_BOX (box), frame);

  self->kind_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (kinds));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->kind_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Kind of message"), -1);
  g_signal_connect_swapped (self->kind_dropdown, "notify::selected", G_CALLBACK (on_kind_changed_cb), self);
  self->recipient_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->recipient_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Hand off to"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->recipient_dropdown), FALSE);
  self->send_button = gtk_button_new_with_mnemonic (_("_Send"));
  gtk_widget_add_css_class (self->send_button, "suggested-action");
  gtk_widget_set_halign (self->send_button, GTK_ALIGN_END);
  gtk_widget_set_hexpand (self->send_button, TRUE);
  g_signal_connect_swapped (self->send_button, "clicked", G_CALLBACK (on_send_clicked_cb), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->kind_dropdown));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->recipient_dropdown));
  gtk_box_append (GTK_BOX (bar), self->send_button);
  gtk_box_append (GTK_BOX (box), bar);

  return box;
}

static void
care_plan_window_init (CarePlanWindow *self)
{
  GtkWidget *outer, *header, *scroller, *clamp, *new_button, *current_button;

  self->recipient_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 760);

  outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Care Plan"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  self->print_button = gtk_button_new_from_icon_name ("printer-symbolic");
  gtk_widget_set_tooltip_text (self->print_button, _("Print or Save as PDF for the Patient"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->print_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Print or Save as PDF for the Patient"), -1);
  g_signal_connect_swapped (self->print_button, "clicked", G_CALLBACK (on_print_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->print_button);
  self->revise_button = gtk_button_new_with_mnemonic (_("_Revise…"));
  gtk_widget_set_tooltip_text (self->revise_button, _("Start a new version of the plan"));
  g_signal_connect_swapped (self->revise_button, "clicked", G_CALLBACK (on_revise_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->revise_button);
  gtk_box_append (GTK_BOX (outer), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, adw_status_page_new (), "loading");

  /* No plan yet */
  self->none_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->none_page, "view-list-bullet-symbolic");
  adw_status_page_set_title (self->none_page, _("No Care Plan Yet"));
  adw_status_page_set_description (self->none_page,
                                   _("A shared plan lets the whole team — clinic, pharmacy, behavioral health and "
                                     "social work — work from the same goals and tasks."));
  new_button = gtk_button_new_with_mnemonic (_("_Start a Care Plan"));
  gtk_widget_add_css_class (new_button, "pill");
  gtk_widget_add_css_class (new_button, "suggested-action");
  gtk_widget_set_halign (new_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (new_button, "clicked", G_CALLBACK (on_new_plan_clicked_cb), self);
  adw_status_page_set_child (self->none_page, new_button);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->none_page), "none");

  /* The plan */
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 860);
  self->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 18));
  gtk_widget_set_margin_top (GTK_WIDGET (self->box), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->box), 24);
  gtk_widget_set_margin_start (GTK_WIDGET (self->box), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->box), 12);

  /* Reading an earlier version */
  self->version_banner = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->version_banner, "version-banner");
  self->version_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->version_label), TRUE);
  gtk_label_set_xalign (self->version_label, 0);
  current_button = gtk_button_new_with_mnemonic (_("_Current Plan"));
  g_signal_connect_swapped (current_button, "clicked", G_CALLBACK (on_current_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->version_banner), GTK_WIDGET (self->version_label));
  gtk_box_append (GTK_BOX (self->version_banner), current_button);
  gtk_widget_set_visible (self->version_banner, FALSE);
  gtk_box_append (self->box, self->version_banner);

  for (guint i = 0; i < N_SECTIONS; i++)
    {
      GtkWidget *group = adw_preferences_group_new ();

      self->rows[i] = g_ptr_array_new ();
      self->groups[i] = ADW_PREFERENCES_GROUP (group);
      adw_preferences_group_set_title (self->groups[i], _(sections[i].title));
      if (sections[i].table != NULL)
        {
          GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");

          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_tooltip_text (button, _(sections[i].add));
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _(sections[i].add), -1);
          g_object_set_data (G_OBJECT (button), "table", (gpointer) sections[i].table);
          g_signal_connect (button, "clicked", G_CALLBACK (on_add_clicked_cb), self);
          adw_preferences_group_set_header_suffix (self->groups[i], button);
        }
      if (i == SECTION_CONFLICTS)
        gtk_widget_add_css_class (group, "plan-conflicts");
      gtk_box_append (self->box, group);
      if (i == SECTION_MESSAGES)
        gtk_box_append (self->box, build_compose (self));
    }
  adw_preferences_group_set_description (self->groups[SECTION_CONFLICTS],
                                         _("Parts of the plan that disagree with each other: decide which is right."));

  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->box));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_stack_add_named (self->stack, scroller, "plan");
  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_box_append (GTK_BOX (outer), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), outer);
}

CarePlanWindow *
care_plan_window_new (GtkWindow  *parent,
                      CareStore  *store,
                      const char *actor,
                      const char *user_id,
                      const char *patient_id)
{
  CarePlanWindow *self;

  g_return_val_if_fail (CARE_IS_STORE (store), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  self = g_object_new (CARE_TYPE_PLAN_WINDOW, "transient-for", parent, "destroy-with-parent", TRUE, NULL);
  self->store = g_object_ref (store);
  self->actor = g_strdup (actor);
  self->user_id = g_strdup (user_id);
  self->patient_id = g_strdup (patient_id);
  g_signal_connect_swapped (store, "changed", G_CALLBACK (on_store_changed_cb), self);
  reload (self);

  return self;
}

gboolean
care_plan_window_get_loaded (CarePlanWindow *self)
{
  g_return_val_if_fail (CARE_IS_PLAN_WINDOW (self), FALSE);

  return self->loaded;
}

guint
care_plan_window_count_rows (CarePlanWindow *self,
                             const char     *section)
{
  g_return_val_if_fail (CARE_IS_PLAN_WINDOW (self), 0);

  for (guint i = 0; i < N_SECTIONS; i++)
    if (g_str_equal (sections[i].name, section))
      {
        guint n = 0;

        for (guint j = 0; j < self->rows[i]->len; j++)
          n += ADW_IS_ACTION_ROW (g_ptr_array_index (self->rows[i], j));
        return n;
      }
  return 0;
}

const char *
care_plan_window_get_plan_id (CarePlanWindow *self)
{
  g_return_val_if_fail (CARE_IS_PLAN_WINDOW (self), NULL);

  return self->plan ? care_record_get_id (self->plan) : NULL;
}

void
care_plan_window_add (CarePlanWindow *self,
                      const char     *table)
{
  g_return_if_fail (CARE_IS_PLAN_WINDOW (self));

  open_editor (self, table, NULL);
}
