/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-dialogs"

#include "config.h"

#include <glib/gi18n.h>

#include "care-dialogs.h"

void
care_show_error (GtkWindow  *parent,
                 const char *heading,
                 const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}
