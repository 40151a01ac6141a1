/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-application"

#include "config.h"

#include <glib/gi18n.h>

#include "care-application.h"
#include "care-db.h"
#include "care-window.h"

struct _CareApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  CareWindowMode  mode;
  int             sync_port;     /* -1: from the settings */
};

G_DEFINE_FINAL_TYPE (CareApplication, care_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Open the clinic database at PATH"), N_("PATH") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the demo clinic (made on first run)"), NULL },
  { "sync-port", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Serve paired computers on PORT (0: any free port)"), N_("PORT") },
  { "bench", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL, N_("Measure start-up and scrolling, then quit"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
  { NULL }
};

static char *
demo_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "caremesh", "demo-clinic.db", NULL);
}

static int
care_application_handle_local_options (GApplication *application,
                                       GVariantDict *options)
{
  CareApplication *self = CARE_APPLICATION (application);
  const char *db = NULL;
  const char *port = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("caremesh %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "db", "^&ay", &db))
    self->db_path = g_strdup (db);

  if (g_variant_dict_contains (options, "demo"))
    {
      self->mode = CARE_WINDOW_MODE_DEMO;
      if (self->db_path == NULL)
        self->db_path = demo_path ();
    }

  if (g_variant_dict_contains (options, "bench"))
    self->mode = CARE_WINDOW_MODE_BENCH;

  /* A string: GApplication cannot tell an integer option set to 0 from one not given. */
  self->sync_port = -1;
  if (g_variant_dict_lookup (options, "sync-port", "&s", &port))
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (port, 10, 0, 65535, &value, NULL))
        {
          g_printerr (_("caremesh: --sync-port must be between 0 and 65535\n"));
          return 2;
        }
      self->sync_port = (int) value;
    }

  /* A second clinic database (to try sync on one machine) is a second, separate
   * instance; only the default database is a single-instance application. */
  if (self->db_path != NULL)
    g_application_set_flags (application, g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
  else
    self->db_path = care_db_default_path ();

  return -1;
}

static void
care_application_activate (GApplication *application)
{
  CareApplication *self = CARE_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      int port = self->sync_port;

      if (port < 0)
        {
          g_autoptr(GSettings) settings = g_settings_new (APP_ID);

          port = (int) g_settings_get_uint (settings, "sync-port");
        }
      window = GTK_WINDOW (care_window_new (ADW_APPLICATION (self), self->db_path, self->mode, port));
    }

  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *application = user_data;
  const char *developers[] = { "The Caremesh developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (application),
                         "application-name", _("Caremesh"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Caremesh developers"),
                         "developers", developers,
                         "comments", _("One shared record and care plan for the whole care team, even where the internet fails."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "website", "https://github.com/caremesh/caremesh",
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  /* Closing each window (rather than quitting outright) lets it save its size
   * and state; the application ends with its last window. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
care_application_startup (GApplication *application)
{
  const char *quit_accels[] = { "<Primary>q", NULL };
  const char *search_accels[] = { "<Primary>f", NULL };
  const char *back_accels[] = { "<Alt>Left", NULL };
  const char *sync_accels[] = { "<Primary><Shift>s", NULL };
  const char *result_accels[] = { "<Primary>r", NULL };
  const char *problem_accels[] = { "<Primary><Shift>p", NULL };
  const char *medication_accels[] = { "<Primary><Shift>m", NULL };
  const char *allergy_accels[] = { "<Primary><Shift>a", NULL };
  const char *plan_accels[] = { "<Alt>p", NULL };
  const char *work_accels[] = { "<Alt>w", NULL };

  G_APPLICATION_CLASS (care_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.show-search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.back", back_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.sync-now", sync_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.add-record::observations", result_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.add-record::conditions", problem_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.add-record::medication_orders", medication_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.add-record::allergies", allergy_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.open-plan", plan_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.show-work::mine", work_accels);
}

static void
care_application_finalize (GObject *object)
{
  CareApplication *self = CARE_APPLICATION (object);

  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (care_application_parent_class)->finalize (object);
}

static void
care_application_class_init (CareApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = care_application_finalize;
  app_class->handle_local_options = care_application_handle_local_options;
  app_class->activate = care_application_activate;
  app_class->startup = care_application_startup;
}

static void
care_application_init (CareApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

CareApplication *
care_application_new (void)
{
  return g_object_new (CARE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}
