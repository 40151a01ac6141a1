/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-record-rows"

#include "config.h"

#include "care-record-editor.h"
#include "care-record-rows.h"

GtkWidget *
care_record_row_new (const char *title,
                     const char *subtitle,
                     CareRecord *record,
                     GCallback   on_activated,
                     gpointer    user_data)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (record != NULL && on_activated != NULL && care_record_editor_can_edit (care_record_get_table (record)))
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("document-edit-symbolic");

      gtk_widget_add_css_class (icon, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "care-record", g_object_ref (record), g_object_unref);
      g_signal_connect (row, "activated", on_activated, user_data);
    }

  return row;
}

CareRecord *
care_record_row_get_record (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "care-record");
}

GtkWidget *
care_badge_new (const char *text,
                const char *css_class)
{
  GtkWidget *badge = gtk_label_new (text);

  gtk_widget_add_css_class (badge, css_class);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  return badge;
}

void
care_record_row_add_badge (GtkWidget  *row,
                           const char *text,
                           const char *css_class)
{
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), care_badge_new (text, css_class));
}

GtkWidget *
care_empty_label_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  return label;
}
