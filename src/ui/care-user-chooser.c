/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-user-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "care-labels.h"
#include "care-user-chooser.h"

#define META_KEY "current_practitioner_id"

char *
care_user_actor (const char *practitioner_id)
{
  return practitioner_id && *practitioner_id ? g_strconcat ("practitioner:", practitioner_id, NULL)
                                             : g_strdup ("local:user");
}

typedef struct
{
  char *id;
  char *name;
} User;

static void
user_free (gpointer data)
{
  User *user = data;

  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->name);
  g_free (user);
}

static char *
display_name (CareRecord *practitioner)
{
  const char *credentials = care_record_get (practitioner, "credentials");

  if (credentials && *credentials)
    return g_strdup_printf ("%s %s, %s", care_record_get (practitioner, "given_name"),
                            care_record_get (practitioner, "family_name"), credentials);
  return g_strdup_printf ("%s %s", care_record_get (practitioner, "given_name"),
                          care_record_get (practitioner, "family_name"));
}

static gpointer
load_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  User *user = g_new0 (User, 1);
  g_autoptr(CareRecord) practitioner = NULL;

  user->id = care_db_get_meta (db, META_KEY);
  if (user->id != NULL && *user->id != '\0' &&
      (practitioner = care_db_get (db, "local:user", "practitioners", user->id, NULL)) != NULL)
    user->name = display_name (practitioner);
  else
    g_clear_pointer (&user->id, g_free);

  return user;
}

typedef struct
{
  CareUserLoaded callback;
  gpointer       user_data;
} Callback;

static void
on_loaded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  Callback *callback = data;
  User *user = care_store_run_finish (CARE_STORE (object), result, NULL);

  callback->callback (user ? user->id : NULL, user ? user->name : NULL, callback->user_data);
  user_free (user);
  g_free (callback);
}

void
care_user_load_async (CareStore      *store,
                      CareUserLoaded  callback,
                      gpointer        user_data)
{
  Callback *data = g_new0 (Callback, 1);

  data->callback = callback;
  data->user_data = user_data;
  care_store_run_async (store, load_worker, NULL, NULL, user_free, NULL, on_loaded_cb, data);
}

/* The chooser */

typedef struct
{
  GtkWindow      *window;
  CareStore      *store;
  AdwPreferencesGroup *group;
  char           *current_id;
  CareUserLoaded  chosen;
  gpointer        user_data;
} Chooser;

static void
chooser_free (gpointer data)
{
  Chooser *chooser = data;

  g_clear_object (&chooser->store);
  g_free (chooser->current_id);
  g_free (chooser);
}

static gpointer
staff_worker (CareDb        *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  return care_db_list (db, "local:user", "practitioners", NULL, "family_name", error);
}

static gpointer
save_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  return care_db_set_meta (db, META_KEY, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

typedef struct
{
  Chooser   *chooser;
  GtkWindow *window;   /* (owned) keeps the chooser alive */
  char      *id;
  char      *name;
} Choice;

static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Choice *choice = data;
  g_autoptr(GError) error = NULL;

  if (care_store_run_finish (CARE_STORE (object), result, &error))
    {
      choice->chooser->chosen (choice->id, choice->name, choice->chooser->user_data);
      gtk_window_destroy (choice->chooser->window);
    }
  else
    g_warning ("Could not save who is using Caremesh: %s", error->message);

  g_object_unref (choice->window);
  g_free (choice->id);
  g_free (choice->name);
  g_free (choice);
}

static void
on_row_activated_cb (AdwActionRow *row,
                     Chooser      *chooser)
{
  Choice *choice = g_new0 (Choice, 1);

  choice->chooser = chooser;
  choice->window = g_object_ref (chooser->window);
  choice->id = g_strdup (g_object_get_data (G_OBJECT (row), "id"));
  choice->name = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  care_store_run_async (chooser->store, save_worker, g_strdup (choice->id), g_free, NULL, NULL,
                        on_saved_cb, choice);
}

static void
on_staff_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(GtkWindow) window = data;
  Chooser *chooser = g_object_get_data (G_OBJECT (window), "chooser");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) staff = care_store_run_finish (CARE_STORE (object), result, &error);

  if (chooser == NULL)
    return;
  if (staff == NULL)
    {
      adw_preferences_group_set_description (chooser->group, error->message);
      return;
    }

  for (guint i = 0; i < staff->len; i++)
    {
      CareRecord *practitioner = g_ptr_array_index (staff, i);
      g_autofree char *name = display_name (practitioner);
      GtkWidget *row = adw_action_row_new ();

      if (g_strcmp0 (care_record_get (practitioner, "active"), "0") == 0 ||
          g_strcmp0 (care_record_get (practitioner, "retired"), "1") == 0)
        continue;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), care_label_discipline (care_record_get (practitioner, "discipline")));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "id", g_strdup (care_record_get_id (practitioner)), g_free);
      if (g_strcmp0 (care_record_get_id (practitioner), chooser->current_id) == 0)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("object-select-symbolic"));
      g_signal_connect (row, "activated", G_CALLBACK (on_row_activated_cb), chooser);
      adw_preferences_group_add (chooser->group, row);
    }
}

GtkWindow *
care_user_chooser_new (GtkWindow      *parent,
                       CareStore      *store,
                       const char     *current_id,
                       CareUserLoaded  chosen,
                       gpointer        user_data)
{
  Chooser *chooser = g_new0 (Chooser, 1);
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();

  chooser->window = GTK_WINDOW (window);
  chooser->store = g_object_ref (store);
  chooser->current_id = g_strdup (current_id);
  chooser->chosen = chosen;
  chooser->user_data = user_data;
  chooser->group = ADW_PREFERENCES_GROUP (group);
  g_object_set_data_full (G_OBJECT (window), "chooser", chooser, chooser_free);

  gtk_window_set_title (GTK_WINDOW (window), _("Who Is Using Caremesh?"));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 460, 600);

  adw_preferences_group_set_description (chooser->group,
                                         _("Your tasks, your notifications and the name on your edits follow this choice. "
                                           "Choose again when someone else takes over this computer."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), chooser->group);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);

  care_store_run_async (store, staff_worker, NULL, NULL, (GDestroyNotify) g_ptr_array_unref, NULL,
                        on_staff_loaded_cb, g_object_ref (window));

  return GTK_WINDOW (window);
}
