/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-discovery"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "care-db.h"
#include "care-store.h"
#include "care-sync-service.h"
#include "care-test-util.h"

/*
 * Finding each other on the LAN (DNS-SD through a real Avahi daemon): a headless
 * hub (`caremeshctl serve`, another process) announces itself; the app's sync
 * service finds it, reaches a paired hub at the address found, lists an unpaired
 * one as nearby, and forgets a hub that stops.
 *
 * The daemon is the system's when one runs. Otherwise the test starts its own,
 * on a private message bus, which needs root (Avahi keeps its pid file in
 * /run/avahi-daemon); CI runs as root. Without either, the test is skipped and
 * says why.
 */

#define AVAHI_NAME "org.freedesktop.Avahi"

static GSubprocess *bus_daemon;
static GSubprocess *avahi_daemon;
static char *private_dir;

static gboolean
name_has_owner (GDBusConnection *bus,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

static char *
avahi_program (void)
{
  char *program = g_find_program_in_path ("avahi-daemon");

  if (program == NULL && g_file_test ("/usr/sbin/avahi-daemon", G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup ("/usr/sbin/avahi-daemon");
  return program;
}

static gboolean
run_quietly (const char * const *argv)
{
  int status = -1;

  return g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* Whether the system's daemon answers on the system bus. Asked by another
 * program: this one may set the bus address only while it has no threads. */
static gboolean
system_avahi_runs (void)
{
  const char *argv[] = { "dbus-send", "--system", "--print-reply", "--dest=" AVAHI_NAME, "/",
                         "org.freedesktop.Avahi.Server.GetVersionString", NULL };

  return run_quietly (argv);
}

/* `avahi-daemon --check`: a daemon runs (its pid file says so). */
static gboolean
some_avahi_runs (void)
{
  g_autofree char *program = avahi_program ();
  const char *argv[] = { program, "--check", NULL };

  return program != NULL && run_quietly (argv);
}

static char *
write_file (const char *name,
            const char *text)
{
  char *path = g_build_filename (private_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static GSubprocess *
spawn_avahi (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *avahi = avahi_program ();
  g_autofree char *conf = g_build_filename (private_dir, "avahi.conf", NULL);
  GSubprocess *process;

  launcher = care_test_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = g_subprocess_launcher_spawn (launcher, &error, avahi, "--no-drop-root", "--no-chroot", "--no-rlimits",
                                         "-f", conf, NULL);
  g_assert_no_error (error);
  return process;
}

/* A message bus of our own standing in for the system bus, and an Avahi daemon
 * on it. NULL, or why not. Runs before any thread: it sets the environment. */
static char *
start_private_avahi (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bus_conf = NULL, *avahi_conf = NULL, *socket = NULL, *address = NULL, *bus_xml = NULL;
  g_autofree char *dbus_program = g_find_program_in_path ("dbus-daemon");
  g_autofree char *avahi = avahi_program ();

  if (dbus_program == NULL || avahi == NULL)
    return g_strdup ("avahi-daemon or dbus-daemon is not installed");
  if (geteuid () != 0)
    return g_strdup ("no Avahi daemon runs, and starting one needs root");
  /* One left by a test that failed a moment ago is on its way out. */
  for (int i = 0; some_avahi_runs (); i++)
    {
      if (i == 30)
        return g_strdup ("an Avahi daemon runs, but not on the system bus");
      g_usleep (100 * 1000);
    }

  private_dir = g_dir_make_tmp ("caremesh-avahi-XXXXXX", NULL);
  socket = g_build_filename (private_dir, "bus", NULL);
  address = g_strconcat ("unix:path=", socket, NULL);
  /* For this process's Avahi clients and every program it starts. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);

  bus_xml = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                             " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                             "<busconfig>\n"
                             "  <type>system</type>\n"
                             "  <listen>%s</listen>\n"
                             "  <auth>EXTERNAL</auth>\n"
                             "  <policy context=\"default\">\n"
                             "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                             "    <allow eavesdrop=\"true\"/>\n"
                             "    <allow own=\"*\"/>\n"
                             "    <allow user=\"*\"/>\n"
                             "  </policy>\n"
                             "</busconfig>\n", address);
  bus_conf = write_file ("bus.conf", bus_xml);
  avahi_conf = write_file ("avahi.conf",
                           "[server]\nuse-ipv4=yes\nuse-ipv6=no\nenable-dbus=yes\n"
                           "ratelimit-interval-usec=1000000\nratelimit-burst=1000\n"
                           "[wide-area]\nenable-wide-area=no\n"
                           "[publish]\npublish-hinfo=no\npublish-workstation=no\n");

  launcher = care_test_launcher (G_SUBPROCESS_FLAGS_NONE);
  bus_daemon = g_subprocess_launcher_spawn (launcher, &error, dbus_program, "--nofork", "--nopidfile",
                                            "--config-file", bus_conf, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (50 * 1000);

  avahi_daemon = spawn_avahi ();

  bus = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 100; i++)
    {
      if (name_has_owner (bus, AVAHI_NAME))
        return NULL;
      /* It quits when another daemon holds its pid file, say. */
      if (g_subprocess_get_identifier (avahi_daemon) == NULL)
        break;
      g_usleep (100 * 1000);
    }

  return g_strdup ("the Avahi daemon did not start");
}

static void
stop_private_avahi (void)
{
  if (avahi_daemon != NULL)
    {
      g_subprocess_send_signal (avahi_daemon, SIGTERM);
      g_subprocess_wait (avahi_daemon, NULL, NULL);
    }
  if (bus_daemon != NULL)
    {
      g_subprocess_send_signal (bus_daemon, SIGTERM);
      g_subprocess_wait (bus_daemon, NULL, NULL);
    }
  g_clear_object (&avahi_daemon);
  g_clear_object (&bus_daemon);
  if (private_dir != NULL)
    {
      const char *files[] = { "bus.conf", "avahi.conf", "bus" };

      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (private_dir, files[i], NULL);

          g_unlink (path);
        }
      g_rmdir (private_dir);
    }
  g_clear_pointer (&private_dir, g_free);
}

/* Helpers */

static void
trust (const char *db,
       const char *other,
       const char *name)
{
  g_autofree char *id = care_test_device_id (other);
  g_autofree char *out = NULL, *err = NULL;

  /* No address: where the other one is, only the LAN can tell. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", db, "--device-id", id, "--name", name, NULL), ==, 0);
}

/* `caremeshctl serve` on every interface, announced as @name; its port. */
static GSubprocess *
serve_announced (const char *db,
                 const char *name,
                 guint      *port)
{
  g_autoptr(GSubprocessLauncher) launcher = care_test_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *program = care_test_program ("caremeshctl");
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  process = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--db", db, "--port", "0",
                                         "--name", name, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "Serving on port %u", port), ==, 1);

  return process;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds, for at most @seconds. */
static gboolean
wait_for (Condition condition,
          gpointer  data,
          guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  return TRUE;
}

typedef struct
{
  CareSyncService *service;
  const char      *text;     /* looked for */
} Look;

static gboolean
nearby_has (gpointer data)
{
  Look *look = data;
  g_autoptr(GPtrArray) nearby = care_sync_service_get_nearby (look->service);

  for (guint i = 0; i < nearby->len; i++)
    if (strstr (g_ptr_array_index (nearby, i), look->text) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
nearby_lacks (gpointer data)
{
  return !nearby_has (data);
}

static gboolean
peer_at (gpointer data)
{
  Look *look = data;
  GListModel *peers = care_sync_service_get_peers (look->service);

  for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
    {
      g_autoptr(CareSyncPeer) peer = g_list_model_get_item (peers, i);
      const char *address = care_sync_peer_get_address (peer);

      if (address != NULL && g_str_has_suffix (address, look->text))
        return TRUE;
    }
  return FALSE;
}

static const char *laptop_path;

static gboolean
laptop_has (gpointer data)
{
  g_autofree char *hash = care_test_content_hash (laptop_path);

  return g_str_equal (hash, data);
}

static gboolean
is_synced (gpointer data)
{
  return care_sync_service_get_status (data) == CARE_SYNC_STATUS_SYNCED;
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (care_store_open_finish (CARE_STORE (source), result, &error));
  g_assert_no_error (error);
}

static gboolean
store_is_open (gpointer data)
{
  return care_store_is_open (data);
}

static CareStore *
open_store (const char *path)
{
  CareStore *store = care_store_new (path);

  care_store_open_async (store, NULL, on_opened, NULL);
  g_assert_true (wait_for (store_is_open, store, 10));
  return store;
}

/* Tests */

static void
test_hub_found_on_the_lan (void)
{
  g_autofree char *hub = care_test_temp_db ();
  g_autofree char *laptop = care_test_temp_db ();
  g_autofree char *visitor = care_test_temp_db ();
  g_autofree char *hub_name = g_strdup_printf ("Caremesh test hub %u", g_random_int_range (1000, 9999));
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *port_suffix = NULL, *hash_hub = NULL, *hash_laptop = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(CareStore) laptop_store = NULL, visitor_store = NULL;
  g_autoptr(CareSyncService) laptop_service = NULL, visitor_service = NULL;
  Look look;
  guint port = 0;

  g_assert_cmpint (care_test_run_ctl (&out, &err, "generate", "--db", hub, "--patients", "12", "--seed", "4",
                                      "--as-of", "2026-06-01", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", laptop, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", visitor, NULL), ==, 0);
  trust (laptop, hub, "Hub");
  trust (hub, laptop, "Laptop");

  server = serve_announced (hub, hub_name, &port);
  port_suffix = g_strdup_printf (":%u", port);
  laptop_path = laptop;

  laptop_store = open_store (laptop);
  visitor_store = open_store (visitor);
  laptop_service = care_sync_service_new (laptop_store, "Caremesh test laptop", 0);
  visitor_service = care_sync_service_new (visitor_store, "Caremesh test visitor", 0);
  care_sync_service_start (laptop_service);
  care_sync_service_start (visitor_service);

  /* The paired hub is reached where the LAN says it is: it was paired without
   * an address. */
  look = (Look) { laptop_service, port_suffix };
  g_assert_true (wait_for (peer_at, &look, 20));
  /* Found: tried at once, not after the backoff of a peer without an address. */
  g_assert_true (wait_for (is_synced, laptop_service, 10));
  hash_hub = care_test_content_hash (hub);
  hash_laptop = care_test_content_hash (laptop);
  g_assert_cmpstr (hash_hub, ==, hash_laptop);

  /* An unpaired machine sees the hub and the laptop, by name and address, to pair
   * with; the laptop sees the visitor but not the hub it is paired with already,
   * and never itself. */
  look = (Look) { visitor_service, hub_name };
  g_assert_true (wait_for (nearby_has, &look, 20));
  look.text = port_suffix;
  g_assert_true (nearby_has (&look));
  look.text = "Caremesh test laptop";
  g_assert_true (wait_for (nearby_has, &look, 20));
  look = (Look) { laptop_service, "Caremesh test visitor" };
  g_assert_true (wait_for (nearby_has, &look, 20));
  look.text = hub_name;
  g_assert_false (nearby_has (&look));
  look.text = "Caremesh test laptop";
  g_assert_false (nearby_has (&look));

  /* The hub stops: it says goodbye, and is no longer offered. */
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  look = (Look) { visitor_service, hub_name };
  g_assert_true (wait_for (nearby_lacks, &look, 20));

  /* The hub comes back (at another port, as a machine may come back at another
   * address) with a patient registered meanwhile: the laptop has it soon, long
   * before its next periodic sync. */
  {
    g_autoptr(CareDb) db = care_db_open (hub, NULL);
    g_autofree char *patient = care_test_add_patient (db, "Rosa", "Quispe", "1950-01-02", "8800002", NULL);

    g_assert_nonnull (patient);
  }
  g_clear_object (&server);
  server = serve_announced (hub, hub_name, &port);
  g_free (port_suffix);
  port_suffix = g_strdup_printf (":%u", port);
  look = (Look) { laptop_service, port_suffix };
  g_assert_true (wait_for (peer_at, &look, 20));
  g_clear_pointer (&hash_hub, g_free);
  hash_hub = care_test_content_hash (hub);
  g_assert_true (wait_for (laptop_has, (gpointer) hash_hub, 10));

  /* The daemon restarts (a network change, an upgrade): what it knew is gone, and
   * the app announces itself and looks again once it is back. */
  if (avahi_daemon != NULL)
    {
      g_subprocess_send_signal (avahi_daemon, SIGTERM);
      g_subprocess_wait (avahi_daemon, NULL, NULL);
      g_clear_object (&avahi_daemon);
      look = (Look) { visitor_service, "Caremesh test laptop" };
      g_assert_true (wait_for (nearby_lacks, &look, 10));

      avahi_daemon = spawn_avahi ();
      g_assert_true (wait_for (nearby_has, &look, 30));
    }
}

static char *why_not;

static void
test_skipped (void)
{
  g_test_skip (why_not);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!system_avahi_runs ())
    why_not = start_private_avahi ();

  if (why_not != NULL)
    g_test_add_func ("/discovery/hub-found-on-the-lan", test_skipped);
  else
    g_test_add_func ("/discovery/hub-found-on-the-lan", test_hub_found_on_the_lan);

  status = g_test_run ();
  stop_private_avahi ();
  g_free (why_not);
  return status;
}
