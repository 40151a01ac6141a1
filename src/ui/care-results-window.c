/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-results-window"

#include "config.h"

#include <glib/gi18n.h>

#include "care-results-window.h"
#include "care-text.h"

typedef struct
{
  GtkCustomFilter *filter;
  GtkEditable     *search;
  GtkDropDown     *category;
  GtkLabel        *count;
  GtkFilterListModel *filtered;
  CareResultActivated activated;
  gpointer        user_data;
  GtkWindow      *window;
} Results;

static const char *categories[] = { NULL, "vital-signs", "laboratory", "survey" };

static void
results_free (gpointer data)
{
  Results *results = data;

  g_clear_object (&results->filter);
  g_free (results);
}

static gboolean
match_cb (gpointer item,
          gpointer user_data)
{
  Results *results = user_data;
  CareRecord *record = item;
  guint category = gtk_drop_down_get_selected (results->category);
  const char *text = gtk_editable_get_text (results->search);

  if (category > 0 && category < G_N_ELEMENTS (categories) &&
      g_strcmp0 (care_record_get (record, "category"), categories[category]) != 0)
    return FALSE;

  if (*text != '\0')
    {
      g_autofree char *needle = care_text_fold (text);
      g_autofree char *display = care_text_fold (care_record_get (record, "display") ? care_record_get (record, "display") : "");

      if (strstr (display, needle) == NULL && g_strcmp0 (care_record_get (record, "loinc"), text) != 0)
        return FALSE;
    }

  return TRUE;
}

static void
update_count (Results *results)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (results->filtered));
  g_autofree char *text = g_strdup_printf (ngettext ("%u result", "%u results", n), n);

  gtk_label_set_label (results->count, text);
}

static void
on_filter_changed_cb (Results *results)
{
  gtk_filter_changed (GTK_FILTER (results->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (results);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (user_data) == 2 ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (user_data) == 2 || GPOINTER_TO_INT (user_data) == 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  CareRecord *record = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  switch (GPOINTER_TO_INT (user_data))
    {
    case 0:
      text = g_strndup (care_record_get (record, "effective_at"), 10);
      break;
    case 1:
      text = g_strdup (care_record_get (record, "display"));
      break;
    case 2:
      text = care_record_get (record, "value_num") ? g_strdup_printf ("%g", care_record_get_double (record, "value_num"))
                                                   : g_strdup (care_record_get (record, "value_text"));
      break;
    case 3:
      text = care_text_display_unit (care_record_get (record, "unit"));
      break;
    default:
      text = g_strdup (care_record_get (record, "status"));
      break;
    }
  gtk_label_set_label (label, text ? text : "");
}

static void
on_activate_cb (GtkColumnView *view,
                guint          position,
                Results       *results)
{
  g_autoptr(CareRecord) record = g_list_model_get_item (G_LIST_MODEL (results->filtered), position);
  GtkWindow *window = results->window;

  if (record != NULL && results->activated != NULL)
    {
      results->activated (record, results->user_data);
      gtk_window_destroy (window);
    }
}

GtkWindow *
care_results_window_new (GtkWindow           *parent,
                         CareChart           *chart,
                         CareResultActivated  activated,
                         gpointer             user_data)
{
  static const char *titles[] = { N_("Date"), N_("Test"), N_("Value"), N_("Unit"), N_("Status") };
  const char *category_names[] = { _("All categories"), _("Vital signs"), _("Laboratory"), _("Surveys"), NULL };
  GtkWidget *window, *box, *header, *bar, *search, *dropdown, *scroller, *view, *count;
  GListStore *store = g_list_store_new (CARE_TYPE_RECORD);
  Results *results = g_new0 (Results, 1);
  g_autofree char *title = NULL;

  /* Newest first. */
  for (guint i = chart->observations->len; i-- > 0;)
    {
      CareRecord *record = g_ptr_array_index (chart->observations, i);

      if (g_strcmp0 (care_record_get (record, "status"), "entered-in-error") != 0)
        g_list_store_append (store, record);
    }

  window = adw_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 620);
  title = g_strdup_printf (_("Results — %s %s"), care_record_get (chart->patient, "given_name"),
                           care_record_get (chart->patient, "family_name"));
  gtk_window_set_title (GTK_WINDOW (window), title);
  g_object_set_data_full (G_OBJECT (window), "results", results, results_free);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (bar, 12);
  gtk_widget_set_margin_bottom (bar, 12);
  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  search = gtk_search_entry_new ();
  gtk_widget_set_hexpand (search, TRUE);
  g_object_set (search, "placeholder-text", _("Filter by test, e.g. HbA1c or glucose"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (search), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Filter results by test"), -1);
  dropdown = gtk_drop_down_new_from_strings (category_names);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Category"), -1);
  count = gtk_label_new (NULL);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_box_append (GTK_BOX (bar), search);
  gtk_box_append (GTK_BOX (bar), dropdown);
  gtk_box_append (GTK_BOX (bar), count);
  gtk_box_append (GTK_BOX (box), bar);

  results->search = GTK_EDITABLE (search);
  results->activated = activated;
  results->user_data = user_data;
  results->window = GTK_WINDOW (window);
  results->category = GTK_DROP_DOWN (dropdown);
  results->count = GTK_LABEL (count);
  /* The filter model owns the store and the filter. */
  results->filter = gtk_custom_filter_new (match_cb, results, NULL);
  results->filtered = gtk_filter_list_model_new (G_LIST_MODEL (store), GTK_FILTER (g_object_ref (results->filter)));

  view = gtk_column_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (results->filtered)))));
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (view), TRUE);
  gtk_widget_add_css_class (view, "data-table");
  gtk_widget_set_tooltip_text (view, _("Double-click a result to correct or remove it"));
  g_signal_connect (view, "activate", G_CALLBACK (on_activate_cb), results);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (_(titles[i]), factory);
      gtk_column_view_column_set_expand (column, i == 1);
      gtk_column_view_column_set_resizable (column, TRUE);
      if (i != 1)
        gtk_column_view_column_set_fixed_width (column, i == 0 ? 110 : 90);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
      g_object_unref (column);
    }

  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (window), box);

  g_signal_connect_swapped (search, "search-changed", G_CALLBACK (on_filter_changed_cb), results);
  g_signal_connect_swapped (dropdown, "notify::selected", G_CALLBACK (on_filter_changed_cb), results);
  g_object_set_data_full (G_OBJECT (window), "filtered", results->filtered, g_object_unref);
  update_count (results);

  return GTK_WINDOW (window);
}
