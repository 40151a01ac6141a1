/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-sync-window"

#include "config.h"

#include <glib/gi18n.h>

#include "care-dialogs.h"
#include "care-identity.h"
#include "care-sync-window.h"

/*
 * The Sync page: this computer's device id and status, machines asking to pair,
 * paired machines (last sync, waiting changes, last error; sync now, unpair),
 * machines found on the LAN, and pairing by address.
 */

struct _CareSyncWindow
{
  AdwPreferencesWindow  parent_instance;

  CareSyncService      *service;
  AdwPreferencesGroup  *this_group;
  AdwActionRow         *status_row;
  AdwActionRow         *id_row;
  AdwPreferencesGroup  *requests_group;
  AdwPreferencesGroup  *peers_group;
  AdwPreferencesGroup  *pair_group;
  AdwEntryRow          *address_row;
  AdwPreferencesGroup  *bundle_group;
  GPtrArray            *dynamic_rows;   /* (GtkWidget*, group) pairs removed on refresh */
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (CareSyncWindow, care_sync_window, ADW_TYPE_PREFERENCES_WINDOW)

static void rebuild (CareSyncWindow *self);

static void
add_row (CareSyncWindow      *self,
         AdwPreferencesGroup *group,
         GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->dynamic_rows, row);
  g_ptr_array_add (self->dynamic_rows, group);
}

static GtkWidget *
row_button (const char *label,
            const char *style,
            const char *accessible)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);

  return button;
}

/* Pairing */

typedef struct
{
  CareSyncWindow *self;
  char           *address;
} PairAttempt;

static void
pair_attempt_free (PairAttempt *attempt)
{
  g_object_unref (attempt->self);
  g_free (attempt->address);
  g_free (attempt);
}

static void
on_pair_response (AdwMessageDialog *dialog,
                  const char       *response,
                  CarePairOffer    *offer)
{
  CareSyncWindow *self = g_object_get_data (G_OBJECT (dialog), "window");
  const char *address = g_object_get_data (G_OBJECT (dialog), "address");
  g_autofree char *pem = NULL;

  if (!g_str_equal (response, "pair"))
    return;
  g_object_get (offer->certificate, "certificate-pem", &pem, NULL);
  care_sync_service_pair (self->service, offer->device_id, offer->name, address, pem);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Paired. Confirm the same code on the other computer too.")));
}

static void
show_toast (CareSyncWindow *self,
            const char     *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

static void
on_pairing_answered (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PairAttempt *attempt = user_data;
  CareSyncWindow *self = attempt->self;
  g_autoptr(GError) error = NULL;
  CarePairOffer *offer = care_sync_service_request_pairing_finish (self->service, result, &error);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->pair_group), TRUE);
  if (offer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        care_show_error (GTK_WINDOW (self), _("Could Not Pair"), error->message);
      pair_attempt_free (attempt);
      return;
    }

  {
    g_autofree char *name = g_markup_escape_text (offer->name, -1);

    body = g_strdup_printf (_("“%s” now shows a pairing code. Pair only if it is the same as this one:\n\n"
                              "<span size=\"xx-large\" weight=\"bold\">%s</span>\n\nThen confirm on “%s” too."),
                            name, offer->code, name);
  }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Compare the Pairing Code"), body));
  adw_message_dialog_set_body_use_markup (dialog, TRUE);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "pair", _("_Pair"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "pair", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "window", g_object_ref (self), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "address", g_strdup (attempt->address), g_free);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_pair_response), offer,
                         (GClosureNotify) care_pair_offer_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  pair_attempt_free (attempt);
}

static void
request_pairing (CareSyncWindow *self,
                 const char     *address)
{
  PairAttempt *attempt;
  g_autofree char *target = NULL;

  if (address == NULL || *address == '\0')
    return;
  /* A bare host gets the usual port. */
  target = strrchr (address, ':') != NULL && strrchr (address, ']') < strrchr (address, ':')
           ? g_strdup (address)
           : g_strdup_printf ("%s:%u", address, CARE_SYNC_DEFAULT_PORT);

  attempt = g_new0 (PairAttempt, 1);
  attempt->self = g_object_ref (self);
  attempt->address = g_strdup (target);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pair_group), FALSE);
  care_sync_service_request_pairing_async (self->service, target, self->cancellable, on_pairing_answered, attempt);
}

static void
on_address_apply (CareSyncWindow *self)
{
  request_pairing (self, gtk_editable_get_text (GTK_EDITABLE (self->address_row)));
}

static void
on_nearby_pair (GtkButton      *button,
                CareSyncWindow *self)
{
  request_pairing (self, g_object_get_data (G_OBJECT (button), "address"));
}

static void
on_request_pair (GtkButton      *button,
                 CareSyncWindow *self)
{
  CarePairRequest *request = g_object_get_data (G_OBJECT (button), "request");

  care_sync_service_pair (self->service, request->device_id, request->name, request->address,
                          request->certificate_pem);
}

static void
on_request_refuse (GtkButton      *button,
                   CareSyncWindow *self)
{
  CarePairRequest *request = g_object_get_data (G_OBJECT (button), "request");

  care_sync_service_refuse_pairing (self->service, request->device_id);
}

static void
on_unpair_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CareSyncWindow   *self)
{
  if (g_str_equal (response, "unpair"))
    care_sync_service_unpair (self->service, g_object_get_data (G_OBJECT (dialog), "device-id"));
}

static void
on_unpair (GtkButton      *button,
           CareSyncWindow *self)
{
  CareSyncPeer *peer = g_object_get_data (G_OBJECT (button), "peer");
  g_autofree char *body = g_strdup_printf (_("“%s” will no longer sync with this computer, and must be paired again "
                                             "to sync. Records already shared stay on both."),
                                           care_sync_peer_get_name (peer));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Unpair?"), body));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "unpair", _("_Unpair"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "unpair", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "device-id", g_strdup (care_sync_peer_get_device_id (peer)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_unpair_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_sync_now (CareSyncWindow *self)
{
  care_sync_service_sync_now (self->service);
}

static void
on_copy_id (CareSyncWindow *self)
{
  g_autofree char *shown = care_identity_format_device_id (care_sync_service_get_device_id (self->service));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), shown);
  show_toast (self, _("Device ID copied"));
}

/* USB bundles */

static void
on_bundle_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CareSyncWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = care_sync_service_bundle_finish (CARE_SYNC_SERVICE (source), result, &error);
  gboolean exported = g_task_get_source_tag (G_TASK (result)) == care_sync_service_export_bundle_async;
  g_autofree char *text = NULL;

  if (n < 0)
    {
      care_show_error (GTK_WINDOW (self), exported ? _("Bundle Not Saved") : _("Bundle Not Opened"), error->message);
      return;
    }
  if (exported)
    text = g_strdup_printf (ngettext ("Saved %u change for the other computer.", "Saved %u changes for the other computer.",
                                      (gulong) n), (guint) n);
  else
    text = g_strdup_printf (ngettext ("Applied %u new change.", "Applied %u new changes.", (gulong) n), (guint) n);
  show_toast (self, text);
}

/* The local file a person chose, or NULL (cancelled, or not a local file). */
static char *
chosen_path (GtkNativeDialog *chooser,
             int              response)
{
  g_autoptr(GFile) file = NULL;

  if (response != GTK_RESPONSE_ACCEPT || !(file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))))
    return NULL;
  return g_file_get_path (file);
}

static void
on_export_chosen (GtkNativeDialog *chooser,
                  int              response,
                  CareSyncWindow  *self)
{
  g_autofree char *path = chosen_path (chooser, response);

  if (path != NULL)
    care_sync_service_export_bundle_async (self->service, g_object_get_data (G_OBJECT (chooser), "device-id"), path,
                                           on_bundle_done, g_object_ref (self));
  g_object_unref (chooser);
}

static void
on_export (GtkButton      *button,
           CareSyncWindow *self)
{
  CareSyncPeer *peer = g_object_get_data (G_OBJECT (button), "peer");
  g_autofree char *title = g_strdup_printf (_("Save a Bundle for %s"), care_sync_peer_get_name (peer));
  g_autofree char *name = g_strdup_printf ("%s.cmb", care_sync_peer_get_name (peer));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                                               _("_Save"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "device-id", g_strdup (care_sync_peer_get_device_id (peer)), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_import_chosen (GtkNativeDialog *chooser,
                  int              response,
                  CareSyncWindow  *self)
{
  g_autofree char *path = chosen_path (chooser, response);

  if (path != NULL)
    care_sync_service_import_bundle_async (self->service, path, on_bundle_done, g_object_ref (self));
  g_object_unref (chooser);
}

static void
on_import (CareSyncWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open a Bundle"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));

  g_signal_connect (chooser, "response", G_CALLBACK (on_import_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Filling in */

static void
rebuild (CareSyncWindow *self)
{
  GListModel *peers = care_sync_service_get_peers (self->service);
  GPtrArray *requests = care_sync_service_get_pair_requests (self->service);
  g_autoptr(GPtrArray) nearby = care_sync_service_get_nearby (self->service);
  g_autofree char *shown = care_identity_format_device_id (care_sync_service_get_device_id (self->service));
  g_autofree char *port = g_strdup_printf (_("Port %u"), care_sync_service_get_port (self->service));

  for (guint i = 0; i + 1 < self->dynamic_rows->len; i += 2)
    adw_preferences_group_remove (g_ptr_array_index (self->dynamic_rows, i + 1), g_ptr_array_index (self->dynamic_rows, i));
  g_ptr_array_set_size (self->dynamic_rows, 0);

  adw_action_row_set_subtitle (self->status_row, care_sync_service_get_status_text (self->service));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), care_sync_service_get_name (self->service));
  adw_action_row_set_subtitle (self->id_row, shown ? shown : "");
  adw_preferences_group_set_description (self->this_group, care_sync_service_get_port (self->service) ? port : NULL);

  /* Machines asking to pair. */
  gtk_widget_set_visible (GTK_WIDGET (self->requests_group), requests->len > 0);
  for (guint i = 0; i < requests->len; i++)
    {
      CarePairRequest *request = g_ptr_array_index (requests, i);
      g_autofree char *title = g_strdup_printf (_("“%s” asks to pair"), request->name);
      g_autofree char *subtitle = g_strdup_printf (_("Pairing code %s. Pair only if the other screen shows the same code."),
                                                   request->code);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *refuse = row_button (_("_Refuse"), NULL, _("Refuse pairing"));
      GtkWidget *pair = row_button (_("_Pair"), "suggested-action", _("Pair"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      g_object_set_data (G_OBJECT (refuse), "request", request);
      g_object_set_data (G_OBJECT (pair), "request", request);
      g_signal_connect (refuse, "clicked", G_CALLBACK (on_request_refuse), self);
      g_signal_connect (pair, "clicked", G_CALLBACK (on_request_pair), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), refuse);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), pair);
      add_row (self, self->requests_group, row);
    }

  /* Paired machines. */
  for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
    {
      g_autoptr(CareSyncPeer) peer = g_list_model_get_item (peers, i);
      g_autofree char *subtitle = care_sync_peer_describe (peer);
      g_autofree char *label = g_strdup_printf (_("Unpair %s"), care_sync_peer_get_name (peer));
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *unpair = row_button (_("_Unpair"), NULL, label);
      g_autofree char *export_label = g_strdup_printf (_("Save a Bundle for %s"), care_sync_peer_get_name (peer));
      GtkWidget *export = gtk_button_new_from_icon_name ("document-save-symbolic");
      GtkWidget *icon = gtk_image_new_from_icon_name (care_sync_peer_get_syncing (peer) ? "emblem-synchronizing-symbolic"
                                                      : care_sync_peer_get_last_error (peer) ? "dialog-warning-symbolic"
                                                      : care_sync_peer_get_pending (peer) > 0 ? "document-send-symbolic"
                                                      : "emblem-ok-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), care_sync_peer_get_name (peer));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      g_object_set_data_full (G_OBJECT (unpair), "peer", g_object_ref (peer), g_object_unref);
      g_signal_connect (unpair, "clicked", G_CALLBACK (on_unpair), self);
      gtk_widget_set_valign (export, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (export, "flat");
      gtk_widget_set_tooltip_text (export, export_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (export), GTK_ACCESSIBLE_PROPERTY_LABEL, export_label, -1);
      g_object_set_data_full (G_OBJECT (export), "peer", g_object_ref (peer), g_object_unref);
      g_signal_connect (export, "clicked", G_CALLBACK (on_export), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), export);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), unpair);
      add_row (self, self->peers_group, row);
    }
  if (g_list_model_get_n_items (peers) == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No paired computers yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Pair with another computer below, on both computers."));
      add_row (self, self->peers_group, row);
    }

  /* Found on the LAN. */
  for (guint i = 0; i < nearby->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (nearby, i), "\t", 2);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *label = g_strdup_printf (_("Pair with %s"), parts[0]);
      GtkWidget *pair = row_button (_("_Pair…"), NULL, label);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), parts[0]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("On this network"));
      g_object_set_data_full (G_OBJECT (pair), "address", g_strdup (parts[1]), g_free);
      g_signal_connect (pair, "clicked", G_CALLBACK (on_nearby_pair), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), pair);
      add_row (self, self->pair_group, row);
    }
}

static void
care_sync_window_dispose (GObject *object)
{
  CareSyncWindow *self = CARE_SYNC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->service);
  g_clear_pointer (&self->dynamic_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (care_sync_window_parent_class)->dispose (object);
}

static void
care_sync_window_class_init (CareSyncWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = care_sync_window_dispose;
}

static void
care_sync_window_init (CareSyncWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  GtkWidget *sync_now = gtk_button_new_with_mnemonic (_("_Sync Now"));
  GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");

  self->cancellable = g_cancellable_new ();
  self->dynamic_rows = g_ptr_array_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Sync"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 720);
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (self), FALSE);

  self->this_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->this_group, _("This Computer"));
  self->status_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_group_add (self->this_group, GTK_WIDGET (self->status_row));
  self->id_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->id_row), _("Device ID"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self->id_row), 2);
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "flat");
  gtk_widget_set_tooltip_text (copy, _("Copy Device ID"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Device ID"), -1);
  g_signal_connect_swapped (copy, "clicked", G_CALLBACK (on_copy_id), self);
  adw_action_row_add_suffix (self->id_row, copy);
  adw_preferences_group_add (self->this_group, GTK_WIDGET (self->id_row));
  adw_preferences_page_add (page, self->this_group);

  self->requests_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->requests_group, _("Asking to Pair"));
  adw_preferences_page_add (page, self->requests_group);

  self->peers_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->peers_group, _("Paired Computers"));
  gtk_widget_set_valign (sync_now, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (sync_now, "clicked", G_CALLBACK (on_sync_now), self);
  adw_preferences_group_set_header_suffix (self->peers_group, sync_now);
  adw_preferences_page_add (page, self->peers_group);

  self->pair_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->pair_group, _("Pair a Computer"));
  adw_preferences_group_set_description (self->pair_group,
                                         _("Both computers must run Caremesh. Each shows a pairing code: "
                                           "pair only when the codes match."));
  self->address_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_row), _("Address (name or IP, and port)"));
  adw_entry_row_set_show_apply_button (self->address_row, TRUE);
  g_signal_connect_swapped (self->address_row, "apply", G_CALLBACK (on_address_apply), self);
  g_signal_connect_swapped (self->address_row, "entry-activated", G_CALLBACK (on_address_apply), self);
  adw_preferences_group_add (self->pair_group, GTK_WIDGET (self->address_row));
  adw_preferences_page_add (page, self->pair_group);

  self->bundle_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->bundle_group, _("No Network"));
  adw_preferences_group_set_description (self->bundle_group,
                                         _("Carry changes on a USB stick: save a bundle for a paired computer "
                                           "(the save button beside it), and open it there. Only that computer "
                                           "can read it."));
  {
    GtkWidget *row = adw_action_row_new ();
    GtkWidget *open = row_button (_("_Open a Bundle…"), NULL, _("Open a bundle from a paired computer"));

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Bundle from another computer"));
    g_signal_connect_swapped (open, "clicked", G_CALLBACK (on_import), self);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
    adw_preferences_group_add (self->bundle_group, row);
  }
  adw_preferences_page_add (page, self->bundle_group);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}

GtkWindow *
care_sync_window_new (GtkWindow       *parent,
                      CareSyncService *service)
{
  CareSyncWindow *self = g_object_new (CARE_TYPE_SYNC_WINDOW,
                                       "transient-for", parent,
                                       "modal", FALSE,
                                       NULL);

  self->service = g_object_ref (service);
  g_signal_connect_object (service, "peers-changed", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (service, "pair-requests-changed", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (service, "notify::status", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  rebuild (self);

  return GTK_WINDOW (self);
}
