/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "caremeshctl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care-bundle.h"
#include "care-cli-sync.h"
#include "care-discovery.h"
#include "care-identity.h"
#include "care-store.h"
#include "care-sync-client.h"
#include "care-sync-server.h"

/*
 * caremeshctl id | trust | untrust | peers | serve | sync: the machine's identity,
 * the machines it is paired with, and syncing without a window
 * (docs/sync-protocol.md).
 */

static gboolean
parse_options (GOptionEntry  *entries,
               const char    *command,
               int           *argc,
               char        ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = g_strdup_printf ("caremeshctl %s", command);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "caremeshctl %s: %s\n", command, error->message);
      fprintf (stderr, _("Run “caremeshctl %s --help” for usage.\n"), command);
      return FALSE;
    }

  return TRUE;
}

static gboolean
need (const char *command,
      const char *value,
      const char *option)
{
  if (value == NULL)
    fprintf (stderr, _("caremeshctl %s: %s is required\n"), command, option);

  return value != NULL;
}

/* Opens (or makes) the database and this machine's certificate. */
static CareDb *
open_with_identity (const char        *command,
                    const char        *db_path,
                    GTlsCertificate  **certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CareDb) db = care_db_open (db_path, &error);

  if (db == NULL || !(*certificate = care_identity_get_certificate (db, &error)))
    {
      fprintf (stderr, "caremeshctl %s: %s\n", command, error->message);
      return NULL;
    }

  return g_steal_pointer (&db);
}

int
care_cli_id (int    argc,
             char **argv)
{
  g_autofree char *db_path = NULL, *export_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file (made when missing)"), "PATH" },
    { "export", 0, 0, G_OPTION_ARG_FILENAME, &export_path,
      N_("Also write this machine's pairing file (its certificate) there"), "FILE" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL, *shown = NULL, *pem = NULL;

  if (!parse_options (entries, "id", &argc, &argv) || !need ("id", db_path, "--db PATH"))
    return 2;
  if (!(db = open_with_identity ("id", db_path, &certificate)))
    return 1;

  device_id = care_identity_device_id (certificate);
  shown = care_identity_format_device_id (device_id);
  printf ("%s\n", shown);

  /* The certificate only: public, no key. */
  g_object_get (certificate, "certificate-pem", &pem, NULL);
  if (export_path != NULL && !g_file_set_contents (export_path, pem, -1, &error))
    {
      fprintf (stderr, "caremeshctl id: %s\n", error->message);
      return 1;
    }

  return 0;
}

int
care_cli_trust (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL, *device_text = NULL, *name = NULL, *address = NULL, *certificate_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { "device-id", 0, 0, G_OPTION_ARG_STRING, &device_text, N_("The other machine's device id (caremeshctl id)"), "ID" },
    { "certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate_path,
      N_("Or its pairing file (caremeshctl id --export), needed for USB bundles"), "FILE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("A name for it, such as “Front desk”"), "NAME" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Where to reach it"), "HOST:PORT" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsCertificate) theirs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL, *own = NULL;

  if (!parse_options (entries, "trust", &argc, &argv) || !need ("trust", db_path, "--db PATH") ||
      !need ("trust", device_text ? device_text : certificate_path, "--device-id ID or --certificate FILE") ||
      !need ("trust", name, "--name NAME"))
    return 2;
  if (certificate_path != NULL)
    {
      g_autofree char *pem = NULL;

      if (!g_file_get_contents (certificate_path, &pem, NULL, &error) ||
          !(theirs = g_tls_certificate_new_from_pem (pem, -1, &error)))
        {
          fprintf (stderr, _("caremeshctl trust: “%s” is not a pairing file: %s\n"), certificate_path, error->message);
          return 1;
        }
      device_id = care_identity_device_id (theirs);
      if (device_text != NULL)
        {
          g_autofree char *given = care_identity_parse_device_id (device_text);

          if (g_strcmp0 (given, device_id) != 0)
            {
              fprintf (stderr, _("caremeshctl trust: the pairing file belongs to another device id; nothing was changed\n"));
              return 1;
            }
        }
    }
  else if (!(device_id = care_identity_parse_device_id (device_text)))
    {
      fprintf (stderr, _("caremeshctl trust: “%s” is not a device id (52 letters and digits, as caremeshctl id prints)\n"),
               device_text);
      return 2;
    }
  if (!(db = open_with_identity ("trust", db_path, &certificate)))
    return 1;
  own = care_identity_device_id (certificate);
  if (g_str_equal (own, device_id))
    {
      fprintf (stderr, _("caremeshctl trust: that is this machine's own device id\n"));
      return 2;
    }
  if (!care_identity_trust (db, device_id, name, address, &error) ||
      (theirs != NULL && !care_identity_remember_certificate (db, theirs, &error)))
    {
      fprintf (stderr, "caremeshctl trust: %s\n", error->message);
      return 1;
    }
  {
    g_autofree char *shown = care_identity_format_device_id (device_id);
    g_autofree char *code = care_identity_pairing_code (own, device_id);

    printf (_("Paired with “%s” (%s).\n"), name, shown);
    printf (_("Pairing code %s: the other machine must show the same code.\n"), code);
  }

  return 0;
}

int
care_cli_untrust (int    argc,
                  char **argv)
{
  g_autofree char *db_path = NULL, *device_text = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { "device-id", 0, 0, G_OPTION_ARG_STRING, &device_text, N_("The machine to unpair"), "ID" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;

  if (!parse_options (entries, "untrust", &argc, &argv) || !need ("untrust", db_path, "--db PATH") ||
      !need ("untrust", device_text, "--device-id ID"))
    return 2;
  if (!(device_id = care_identity_parse_device_id (device_text)))
    {
      fprintf (stderr, _("caremeshctl untrust: “%s” is not a device id\n"), device_text);
      return 2;
    }
  if (!(db = care_db_open (db_path, &error)) || !care_identity_untrust (db, device_id, &error))
    {
      fprintf (stderr, "caremeshctl untrust: %s\n", error->message);
      return 1;
    }
  printf (_("Unpaired. That machine can no longer sync with this one.\n"));

  return 0;
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) when = NULL;

  if (ms <= 0)
    return g_strdup (_("never"));
  when = g_date_time_new_from_unix_local (ms / 1000);

  return g_date_time_format (when, "%Y-%m-%d %H:%M");
}

int
care_cli_peers (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = NULL;

  if (!parse_options (entries, "peers", &argc, &argv) || !need ("peers", db_path, "--db PATH"))
    return 2;
  if (!(db = care_db_open (db_path, &error)) || !(peers = care_identity_list_peers (db, &error)))
    {
      fprintf (stderr, "caremeshctl peers: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < peers->len; i++)
    {
      CarePeer *peer = g_ptr_array_index (peers, i);
      g_autofree char *shown = care_identity_format_device_id (peer->device_id);
      g_autofree char *last = format_time (peer->last_sync_at);

      printf ("%s\t%s\t%s\t%s: %s%s%s\n", peer->name, shown, peer->address ? peer->address : "-",
              peer->revoked_at ? _("unpaired") : _("last synced"), peer->revoked_at ? "" : last,
              peer->last_error ? "\t" : "", peer->last_error ? peer->last_error : "");
    }
  if (peers->len == 0)
    printf (_("No paired machines.\n"));

  return 0;
}

typedef struct
{
  GMainLoop      *loop;
  GAsyncResult   *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gpointer
job_certificate (CareDb        *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return care_identity_get_certificate (db, error);
}

/* Opens the store and loads the certificate through it. */
gboolean
care_cli_start_store (const char        *command,
             const char        *db_path,
             CareStore        **store_out,
             GTlsCertificate  **certificate)
{
  g_autoptr(CareStore) store = care_store_new (db_path);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait wait = { loop, NULL };

  care_store_open_async (store, NULL, on_done, &wait);
  g_main_loop_run (loop);
  if (!care_store_open_finish (store, wait.result, &error))
    {
      g_clear_object (&wait.result);
      fprintf (stderr, "caremeshctl %s: %s\n", command, error->message);
      return FALSE;
    }
  g_clear_object (&wait.result);

  care_store_run_async (store, job_certificate, NULL, NULL, g_object_unref, NULL, on_done, &wait);
  g_main_loop_run (loop);
  *certificate = care_store_run_finish (store, wait.result, &error);
  g_clear_object (&wait.result);
  if (*certificate == NULL)
    {
      fprintf (stderr, "caremeshctl %s: %s\n", command, error->message);
      return FALSE;
    }

  *store_out = g_steal_pointer (&store);
  return TRUE;
}

/* A headless machine has no screen to confirm on: it says how to pair from here. */
static void
on_pair_requested (CareSyncServer *server,
                   const char     *device_id,
                   const char     *name,
                   const char     *certificate_pem,
                   const char     *host,
                   const char     *db_path)
{
  g_autofree char *shown = care_identity_format_device_id (device_id);
  g_autofree char *code = care_identity_pairing_code (care_sync_server_get_device_id (server), device_id);

  printf (_("“%s” (at %s) asks to pair; pairing code %s.\n"
            "If the other screen shows the same code: caremeshctl trust --db %s --device-id %s --name \"%s\"\n"),
          name, host ? host : "?", code, db_path, shown, name);
  fflush (stdout);
}

/* This program's path, to start another caremeshctl (a server for benchmarks).
 * A program rebuilt while it runs reads as "… (deleted)": the new one is meant. */
char *
care_cli_self_path (void)
{
  char *path = g_file_read_link ("/proc/self/exe", NULL);

  if (path != NULL && g_str_has_suffix (path, " (deleted)"))
    path[strlen (path) - strlen (" (deleted)")] = '\0';

  return path != NULL ? path : g_strdup ("caremeshctl");
}

/* One sync, run to its end on a main loop of its own. */
CareSyncReport *
care_cli_sync_once (CareStore        *store,
                    GTlsCertificate  *certificate,
                    const char       *name,
                    const char       *address,
                    const char       *expected_device_id,
                    GError          **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, NULL };
  CareSyncReport *report;

  care_sync_peer_async (store, certificate, name, address, expected_device_id, NULL, on_done, &wait);
  g_main_loop_run (loop);
  report = care_sync_peer_finish (wait.result, error);
  g_clear_object (&wait.result);

  return report;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
care_cli_serve (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL, *name = NULL;
  gint64 port = CARE_SYNC_DEFAULT_PORT, idle_timeout = 30;
  gboolean loopback = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file (made when missing)"), "PATH" },
    { "port", 'p', 0, G_OPTION_ARG_INT64, &port, N_("TCP port (default 47321; 0: any free port)"), "P" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("This machine's name as others see it"), "NAME" },
    { "loopback", 0, 0, G_OPTION_ARG_NONE, &loopback, N_("Listen on 127.0.0.1 only"), NULL },
    { "no-announce", 0, 0, G_OPTION_ARG_NONE, &quiet, N_("Do not announce this machine on the LAN (DNS-SD)"), NULL },
    { "idle-timeout", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &idle_timeout,
      N_("Close a connection idle this many seconds (default 30)"), "S" },
    { NULL }
  };
  g_autoptr(CareStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(CareSyncServer) server = NULL;
  g_autoptr(CareDiscovery) discovery = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  if (!parse_options (entries, "serve", &argc, &argv) || !need ("serve", db_path, "--db PATH"))
    return 2;
  if (port < 0 || port > 65535)
    {
      fprintf (stderr, _("caremeshctl serve: --port must be between 0 and 65535\n"));
      return 2;
    }
  if (!care_cli_start_store ("serve", db_path, &store, &certificate))
    return 1;

  server = care_sync_server_new (store, certificate, name);
  care_sync_server_set_idle_timeout (server, (guint) CLAMP (idle_timeout, 1, 3600));
  g_signal_connect (server, "pair-requested", G_CALLBACK (on_pair_requested), db_path);
  if (!care_sync_server_listen (server, (guint) port, loopback, &error))
    {
      fprintf (stderr, "caremeshctl serve: %s\n", error->message);
      return 1;
    }

  shown = care_identity_format_device_id (care_sync_server_get_device_id (server));
  printf (_("Serving on port %u as %s\n"), care_sync_server_get_port (server), shown);
  fflush (stdout);

  /* Laptops on the LAN find a hub by itself (when Avahi runs); one that serves
   * 127.0.0.1 only could not be reached from them. */
  if (!loopback && !quiet)
    discovery = care_discovery_new (care_sync_server_get_device_id (server), name ? name : g_get_host_name (),
                                    care_sync_server_get_port (server));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_stop_signal, loop);
  g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  g_main_loop_run (loop);

  return 0;
}

int
care_cli_sync (int    argc,
               char **argv)
{
  g_autofree char *db_path = NULL, *peer = NULL, *device_text = NULL, *name = NULL;
  gboolean stats = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { "peer", 0, 0, G_OPTION_ARG_STRING, &peer, N_("The machine to sync with"), "HOST:PORT" },
    { "stats", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &stats, N_("Print bytes and memory (for benchmarks)"), NULL },
    { "device-id", 0, 0, G_OPTION_ARG_STRING, &device_text, N_("Only if it is this machine"), "ID" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("This machine's name as others see it"), "NAME" },
    { NULL }
  };
  g_autoptr(CareStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CareSyncReport) report = NULL;
  g_autofree char *expected = NULL;

  if (!parse_options (entries, "sync", &argc, &argv) || !need ("sync", db_path, "--db PATH") ||
      !need ("sync", peer, "--peer HOST:PORT"))
    return 2;
  if (device_text != NULL && !(expected = care_identity_parse_device_id (device_text)))
    {
      fprintf (stderr, _("caremeshctl sync: “%s” is not a device id\n"), device_text);
      return 2;
    }
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, _("caremeshctl sync: no database at “%s”\n"), db_path);
      return 1;
    }
  if (!care_cli_start_store ("sync", db_path, &store, &certificate))
    return 1;

  report = care_cli_sync_once (store, certificate, name, peer, expected, &error);

  if (report == NULL)
    {
      fprintf (stderr, "caremeshctl sync: %s\n", error->message);
      return 1;
    }

  if (stats)
    {
      g_autofree char *status = NULL;
      const char *line;

      g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
      line = status ? strstr (status, "VmHWM:") : NULL;
      printf ("stats bytes_sent %" G_GUINT64_FORMAT " bytes_received %" G_GUINT64_FORMAT " peak_rss_kb %ld"
              " handshakes %u\n",
              report->bytes_sent, report->bytes_received, line ? strtol (line + 6, NULL, 10) : 0L,
              report->handshakes);
    }
  printf (_("Synced with “%s”: %u changes received, %u sent; %s\n"), report->peer_name,
          report->n_received, report->n_sent,
          report->synced ? _("it holds everything this machine has.") : _("not every change was acknowledged."));

  return report->synced ? 0 : 1;
}

int
care_cli_bundle (int    argc,
                 char **argv)
{
  g_autofree char *db_path = NULL, *for_text = NULL, *out_path = NULL, *in_path = NULL;
  gboolean everything = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), "PATH" },
    { "for", 0, 0, G_OPTION_ARG_STRING, &for_text, N_("export: the paired machine it is for"), "ID" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("export: the bundle file to write"), "FILE" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &everything, N_("export: every change, not only what it lacks"), NULL },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in_path, N_("import: the bundle file to read"), "FILE" },
    { NULL }
  };
  g_autoptr(CareDb) db = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  const char *action;

  if (!parse_options (entries, "bundle", &argc, &argv) || !need ("bundle", db_path, "--db PATH"))
    return 2;
  action = argc > 1 ? argv[1] : "";
  if (!g_str_equal (action, "export") && !g_str_equal (action, "import"))
    {
      fprintf (stderr, _("caremeshctl bundle: say export or import\n"));
      return 2;
    }
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, _("caremeshctl bundle: no database at “%s”\n"), db_path);
      return 1;
    }

  if (g_str_equal (action, "export"))
    {
      g_autofree char *device_id = NULL;
      guint n = 0;

      if (!need ("bundle export", for_text, "--for ID") || !need ("bundle export", out_path, "--out FILE"))
        return 2;
      if (!(device_id = care_identity_parse_device_id (for_text)))
        {
          fprintf (stderr, _("caremeshctl bundle: “%s” is not a device id\n"), for_text);
          return 2;
        }
      if (!(db = open_with_identity ("bundle", db_path, &certificate)))
        return 1;
      if (!care_bundle_export (db, certificate, device_id, everything, out_path, &n, &error))
        {
          fprintf (stderr, "caremeshctl bundle: %s\n", error->message);
          return 1;
        }
      printf (ngettext ("Wrote %u change to “%s”.\n", "Wrote %u changes to “%s”.\n", n), n, out_path);
    }
  else
    {
      g_autofree char *sender = NULL;
      guint n = 0;

      if (!need ("bundle import", in_path, "--in FILE"))
        return 2;
      if (!(db = open_with_identity ("bundle", db_path, &certificate)))
        return 1;
      if (!care_bundle_import (db, certificate, in_path, &n, &sender, &error))
        {
          fprintf (stderr, "caremeshctl bundle: %s\n", error->message);
          return 1;
        }
      printf (ngettext ("Applied %u new change.\n", "Applied %u new changes.\n", n), n);
    }

  return 0;
}
