/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-review"

#include "config.h"

#include <glib/gi18n.h>

#include "care-db.h"
#include "care-dialogs.h"
#include "care-duplicates.h"
#include "care-review.h"

/* One item to review, prepared on the store's worker. */
typedef struct
{
  gboolean  duplicate;
  char     *title;
  char     *subtitle;
  /* A conflict: the record and field, and the two values to choose from. */
  char     *table;
  char     *record_id;
  char     *field;
  char     *kept;
  char     *other;
  gboolean  retired_edit;
  /* Duplicates: the two patients, labelled by MRN. */
  char     *patient_a;
  char     *patient_b;
  char     *label_a;
  char     *label_b;
} Item;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->title);
  g_free (item->subtitle);
  g_free (item->table);
  g_free (item->record_id);
  g_free (item->field);
  g_free (item->kept);
  g_free (item->other);
  g_free (item->patient_a);
  g_free (item->patient_b);
  g_free (item->label_a);
  g_free (item->label_b);
  g_free (item);
}

typedef struct
{
  char           *actor;
  char           *patient_id;
  CareReviewKind  kinds;
} Query;

static void
query_free (gpointer data)
{
  Query *query = data;

  g_free (query->actor);
  g_free (query->patient_id);
  g_free (query);
}

static const char *
record_kind (const char *table)
{
  static const struct { const char *table; const char *label; } kinds[] = {
    { "allergies", N_("Allergy") },
    { "medication_orders", N_("Medication") },
    { "conditions", N_("Problem") },
    { "goals", N_("Goal") },
    { "care_tasks", N_("Task") },
    { "referrals", N_("Referral") },
    { "patients", N_("Patient") },
    { "observations", N_("Result") },
    { "encounters", N_("Visit") },
    { "immunizations", N_("Immunization") },
    { "care_plans", N_("Care plan") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].table, table))
      return _(kinds[i].label);

  return table;
}

/* What the record is, in a few words: the drug, the substance, the problem... */
static char *
record_label (CareDb     *db,
              const char *actor,
              const char *table,
              const char *id)
{
  static const char *fields[] = { "drug", "substance", "display", "description", "to_service", "title", "vaccine", NULL };
  g_autoptr(CareRecord) record = care_db_get (db, actor, table, id, NULL);

  if (record == NULL)
    return g_strdup (record_kind (table));

  if (g_str_equal (table, "patients"))
    return g_strdup_printf (_("Patient MRN %s"), care_record_get (record, "mrn"));

  for (guint i = 0; fields[i]; i++)
    if (care_record_get (record, fields[i]))
      return g_strdup_printf ("%s · %s", record_kind (table), care_record_get (record, fields[i]));

  return g_strdup (record_kind (table));
}

static char *
patient_mrn (CareDb     *db,
             const char *actor,
             const char *id)
{
  g_autoptr(CareRecord) patient = id ? care_db_get (db, actor, "patients", id, NULL) : NULL;

  return g_strdup (patient ? care_record_get (patient, "mrn") : "?");
}

static gpointer
load_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Query *query = data;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (item_free);

  if (query->kinds & CARE_REVIEW_CONFLICTS)
    {
      g_autoptr(GPtrArray) conflicts = care_db_conflicts (db, query->actor, query->patient_id, TRUE, error);

      if (conflicts == NULL)
        return NULL;
      for (guint i = 0; i < conflicts->len; i++)
        {
          CareRecord *c = g_ptr_array_index (conflicts, i);
          Item *item = g_new0 (Item, 1);
          g_autofree char *label = record_label (db, query->actor, care_record_get (c, "tbl"), care_record_get (c, "rid"));
          g_autofree char *mrn = patient_mrn (db, query->actor, care_record_get (c, "patient_id"));

          item->table = g_strdup (care_record_get (c, "tbl"));
          item->record_id = g_strdup (care_record_get (c, "rid"));
          item->retired_edit = g_strcmp0 (care_record_get (c, "kind"), "retired-edit") == 0;
          item->field = g_strdup (item->retired_edit ? "retired" : care_record_get (c, "field"));
          item->kept = g_strdup (care_record_get (c, "winner_value"));
          item->other = g_strdup (care_record_get (c, "value"));

          if (query->patient_id == NULL)
            item->title = g_strdup_printf ("MRN %s · %s", mrn, label);
          else
            item->title = g_steal_pointer (&label);

          if (item->retired_edit)
            item->subtitle = g_strdup (_("Deleted on one machine while it was edited on another. Is it still deleted?"));
          else
            /* Translators: a field edited on two machines at once: field, the value shown, the other value, who wrote it */
            item->subtitle = g_strdup_printf (_("%s changed on two machines: “%s” is shown, “%s” was written by %s"),
                                              item->field, item->kept ? item->kept : "–",
                                              item->other ? item->other : "–",
                                              care_record_get (c, "actor") ? care_record_get (c, "actor") : "?");
          g_ptr_array_add (items, item);
        }
    }

  if (query->kinds & CARE_REVIEW_DUPLICATES)
    {
      g_autoptr(GPtrArray) duplicates = care_duplicates_find (db, query->actor, error);

      if (duplicates == NULL)
        return NULL;
      for (guint i = 0; i < duplicates->len; i++)
        {
          CareDuplicate *d = g_ptr_array_index (duplicates, i);
          Item *item = g_new0 (Item, 1);

          item->duplicate = TRUE;
          item->patient_a = g_strdup (d->patient_a);
          item->patient_b = g_strdup (d->patient_b);
          item->label_a = patient_mrn (db, query->actor, d->patient_a);
          item->label_b = patient_mrn (db, query->actor, d->patient_b);
          item->title = g_strdup_printf (_("MRN %s and MRN %s may be the same person"), item->label_a, item->label_b);
          item->subtitle = g_strdup (d->reason);
          g_ptr_array_add (items, item);
        }
    }

  return g_steal_pointer (&items);
}

/* Settling an item */

typedef struct
{
  char *actor;
  Item *item;
  char *choice;     /* the value chosen, or the surviving patient */
} Action;

static void
action_free (gpointer data)
{
  Action *action = data;

  g_free (action->actor);
  g_free (action->choice);
  g_free (action);
}

static gpointer
settle_worker (CareDb        *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Action *action = data;
  Item *item = action->item;
  gboolean ok;

  if (item->duplicate)
    ok = care_db_merge_patients (db, action->actor, action->choice,
                                 g_str_equal (action->choice, item->patient_a) ? item->patient_b : item->patient_a,
                                 item->subtitle, NULL, error);
  else
    ok = care_db_resolve_conflict (db, action->actor, item->table, item->record_id, item->field,
                                   action->choice, error);

  return ok ? GINT_TO_POINTER (TRUE) : NULL;
}

typedef struct
{
  AdwPreferencesGroup *group;
  CareStore           *store;
  char                *actor;
  char                *patient_id;
  CareReviewKind       kinds;
  GCallback            on_changed;
  gpointer             user_data;
  GPtrArray           *rows;
  GPtrArray           *items;
} Fill;

static void fill_reload (Fill *fill);

static void
fill_free (gpointer data)
{
  Fill *fill = data;

  g_clear_object (&fill->store);
  g_free (fill->actor);
  g_free (fill->patient_id);
  g_clear_pointer (&fill->rows, g_ptr_array_unref);
  g_clear_pointer (&fill->items, g_ptr_array_unref);
  g_free (fill);
}

static void
on_settled_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fill *fill = user_data;
  g_autoptr(AdwPreferencesGroup) group = fill->group;  /* the reference taken when asked */
  g_autoptr(GError) error = NULL;

  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (fill->group));

      if (GTK_IS_WINDOW (root))
        care_show_error (GTK_WINDOW (root), _("Could not save the decision"), error->message);
      return;
    }

  /* Views of the record follow, and so does this list. */
  g_signal_emit_by_name (fill->store, "changed", "patients");
  if (fill->on_changed != NULL)
    ((void (*) (gpointer)) fill->on_changed) (fill->user_data);
  fill_reload (fill);
}

static void
on_choice_clicked_cb (GtkButton *button,
                      Fill      *fill)
{
  Item *item = g_object_get_data (G_OBJECT (button), "item");
  Action *action = g_new0 (Action, 1);

  action->actor = g_strdup (fill->actor);
  action->item = item;
  action->choice = g_strdup (g_object_get_data (G_OBJECT (button), "choice"));

  gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (button)), FALSE);
  /* The group (and with it this filler) stays until the answer comes. */
  g_object_ref (fill->group);
  care_store_run_async (fill->store, settle_worker, action, action_free, NULL, NULL, on_settled_cb, fill);
}

static GtkWidget *
choice_button (Fill       *fill,
               Item       *item,
               const char *label,
               const char *choice,
               gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  g_object_set_data (G_OBJECT (button), "item", item);
  g_object_set_data_full (G_OBJECT (button), "choice", g_strdup (choice), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_choice_clicked_cb), fill);

  return button;
}

static void
clear_rows (Fill *fill)
{
  for (guint i = 0; i < fill->rows->len; i++)
    adw_preferences_group_remove (fill->group, g_ptr_array_index (fill->rows, i));
  g_ptr_array_set_size (fill->rows, 0);
}

static void
on_loaded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fill *fill = user_data;
  g_autoptr(AdwPreferencesGroup) group = fill->group;  /* the reference taken when asked */
  g_autoptr(GError) error = NULL;
  GPtrArray *items = care_store_run_finish (CARE_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  clear_rows (fill);
  g_clear_pointer (&fill->items, g_ptr_array_unref);
  fill->items = items;

  if (items == NULL || items->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (fill->group), fill->patient_id == NULL);
      if (fill->patient_id == NULL)
        {
          GtkWidget *label = gtk_label_new (error ? error->message : _("Nothing waits for review."));

          gtk_widget_add_css_class (label, "dim-label");
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          adw_preferences_group_add (fill->group, label);
          g_ptr_array_add (fill->rows, label);
        }
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (fill->group), TRUE);
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row),
                                    item->duplicate ? "system-users-symbolic" : "dialog-warning-symbolic");

      if (item->duplicate)
        {
          g_autofree char *keep_a = g_strdup_printf (_("Keep MRN %s"), item->label_a);
          g_autofree char *keep_b = g_strdup_printf (_("Keep MRN %s"), item->label_b);

          gtk_box_append (GTK_BOX (box), choice_button (fill, item, keep_a, item->patient_a, FALSE));
          gtk_box_append (GTK_BOX (box), choice_button (fill, item, keep_b, item->patient_b, FALSE));
        }
      else if (item->retired_edit)
        {
          gtk_box_append (GTK_BOX (box), choice_button (fill, item, _("Keep Deleted"), "1", TRUE));
          gtk_box_append (GTK_BOX (box), choice_button (fill, item, _("Restore"), "0", FALSE));
        }
      else
        {
          g_autofree char *keep = g_strdup_printf (_("Keep “%s”"), item->kept ? item->kept : "–");
          g_autofree char *use = g_strdup_printf (_("Use “%s”"), item->other ? item->other : "–");

          gtk_box_append (GTK_BOX (box), choice_button (fill, item, keep, item->kept, TRUE));
          gtk_box_append (GTK_BOX (box), choice_button (fill, item, use, item->other, FALSE));
        }

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
      adw_preferences_group_add (fill->group, row);
      g_ptr_array_add (fill->rows, row);
    }
}

static void
fill_reload (Fill *fill)
{
  Query *query = g_new0 (Query, 1);

  query->actor = g_strdup (fill->actor);
  query->patient_id = g_strdup (fill->patient_id);
  query->kinds = fill->kinds;
  g_object_ref (fill->group);
  care_store_run_async (fill->store, load_worker, query, query_free, (GDestroyNotify) g_ptr_array_unref,
                        NULL, on_loaded_cb, fill);
}

void
care_review_fill_async (AdwPreferencesGroup *group,
                        CareStore           *store,
                        const char          *actor,
                        const char          *patient_id,
                        CareReviewKind       kinds,
                        GCancellable        *cancellable,
                        GCallback            on_changed,
                        gpointer             user_data)
{
  Fill *fill;

  g_return_if_fail (ADW_IS_PREFERENCES_GROUP (group));
  g_return_if_fail (CARE_IS_STORE (store));

  /* One filler per group: it lives as long as the group. */
  fill = g_object_get_data (G_OBJECT (group), "care-review-fill");
  if (fill == NULL)
    {
      fill = g_new0 (Fill, 1);
      fill->group = group;
      fill->rows = g_ptr_array_new ();
      g_object_set_data_full (G_OBJECT (group), "care-review-fill", fill, fill_free);
    }

  g_set_object (&fill->store, store);
  g_free (fill->actor);
  fill->actor = g_strdup (actor);
  g_free (fill->patient_id);
  fill->patient_id = g_strdup (patient_id);
  fill->kinds = kinds;
  fill->on_changed = on_changed;
  fill->user_data = user_data;

  fill_reload (fill);
}

GtkWindow *
care_review_window_new (GtkWindow  *parent,
                        CareStore  *store,
                        const char *actor)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *conflicts = adw_preferences_group_new ();
  GtkWidget *duplicates = adw_preferences_group_new ();

  gtk_window_set_title (GTK_WINDOW (window), _("Needs Review"));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 640);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (conflicts), _("Edits Made on Two Machines at Once"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (conflicts),
                                         _("Clinically significant fields that two people changed while their machines were apart. Choose the value that is right."));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (duplicates), _("Patients Registered Twice"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (duplicates),
                                         _("Merging shows both records' data on the patient you keep; it can be undone."));
  /* Wider than a preferences page: each row holds two values and two choices. */
  gtk_box_append (GTK_BOX (page), conflicts);
  gtk_box_append (GTK_BOX (page), duplicates);
  gtk_widget_set_margin_top (page, 24);
  gtk_widget_set_margin_bottom (page, 24);
  gtk_widget_set_margin_start (page, 12);
  gtk_widget_set_margin_end (page, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), page);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);

  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (window), box);

  care_review_fill_async (ADW_PREFERENCES_GROUP (conflicts), store, actor, NULL, CARE_REVIEW_CONFLICTS, NULL, NULL, NULL);
  care_review_fill_async (ADW_PREFERENCES_GROUP (duplicates), store, actor, NULL, CARE_REVIEW_DUPLICATES, NULL, NULL, NULL);

  return GTK_WINDOW (window);
}

guint
care_review_count (AdwPreferencesGroup *group)
{
  Fill *fill = g_object_get_data (G_OBJECT (group), "care-review-fill");

  return fill != NULL && fill->items != NULL ? fill->items->len : 0;
}
