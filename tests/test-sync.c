/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sync"

#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "care-bundle.h"
#include "care-db.h"
#include "care-identity.h"
#include "care-sync-wire.h"
#include "care-test-util.h"

/*
 * Sync between real processes over HTTPS on 127.0.0.1 (docs/sync-protocol.md):
 * `caremeshctl serve` on one database, `caremeshctl sync` on another.
 */

#define ACTOR "test:sync"

typedef struct
{
  GSubprocess *process;
  char        *address;
} Server;

static void
server_stop (Server *server)
{
  if (server->process != NULL)
    {
      g_subprocess_send_signal (server->process, SIGTERM);
      g_subprocess_wait (server->process, NULL, NULL);
    }
  g_clear_object (&server->process);
  g_clear_pointer (&server->address, g_free);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_stop)

/* `caremeshctl serve` on @db, on a free port of 127.0.0.1. */
static Server *
serve (const char *db)
{
  Server *server = g_new0 (Server, 1);

  server->process = care_test_serve (db, &server->address);
  return server;
}

static void
pair (const char *a,
      const char *b)
{
  g_autofree char *id_a = care_test_device_id (a);
  g_autofree char *id_b = care_test_device_id (b);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", a, "--device-id", id_b, "--name", "B", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", b, "--device-id", id_a, "--name", "A", NULL), ==, 0);
}

static int
sync_with (const char  *db,
           Server      *server,
           char       **out)
{
  g_autofree char *err = NULL;
  int status = care_test_run_ctl (out, &err, "sync", "--db", db, "--peer", server->address, NULL);

  if (status != 0)
    g_test_message ("sync: %s", err);
  return status;
}

static void
generate (const char *path,
          const char *patients,
          const char *seed)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (care_test_run_ctl (&out, &err, "generate", "--db", path, "--patients", patients,
                                      "--seed", seed, "--as-of", "2026-06-01", NULL), ==, 0);
}

static gint64
count_changes (const char *path)
{
  g_autoptr(CareDb) db = care_db_open (path, NULL);

  return care_db_count_changes (db, NULL);
}

static void
edit (const char *path,
      const char *family_name)
{
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autofree char *mrn = g_strdup_printf ("9%06u", g_str_hash (family_name) % 1000000);
  g_autofree char *patient = care_test_add_patient (db, "Ana", family_name, "1961-02-03", mrn, NULL);

  g_assert_nonnull (patient);
}

static void
test_two_machines (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *out = NULL;
  g_autofree char *hash_a = NULL, *hash_b = NULL;
  g_autoptr(Server) server = NULL;

  generate (a, "40", "1");
  generate (b, "25", "2");
  pair (a, b);
  /* Each edits while apart. */
  edit (a, "Quispe");
  edit (b, "Mamani");

  server = serve (a);
  g_assert_cmpint (sync_with (b, server, &out), ==, 0);
  g_assert_nonnull (strstr (out, "it holds everything"));

  hash_a = care_test_content_hash (a);
  hash_b = care_test_content_hash (b);
  g_assert_cmpstr (hash_a, ==, hash_b);
  care_test_assert_integrity (a);
  care_test_assert_integrity (b);

  /* Nothing new: nothing moves. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sync_with (b, server, &out), ==, 0);
  g_assert_nonnull (strstr (out, "0 changes received, 0 sent"));
}

/* A whole clinic moves in many pages over kept-alive connections: one TLS
 * handshake per request running side by side (hello and pull, two pushes), not
 * one per page. A later request on a connection is still the paired machine's:
 * were it refused, the sync would fail. */
static void
test_connections_kept_alive (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *hash_a = NULL, *hash_b = NULL;
  g_autoptr(Server) server = NULL;
  guint64 sent = 0, received = 0;
  long rss = 0;
  guint handshakes = 0, n_sent = 0;
  const char *stats;

  generate (b, "150", "3");
  g_assert_cmpint (count_changes (b), >, 6000);   /* at least 7 pages of 1,000 */
  pair (a, b);
  server = serve (a);

  g_assert_cmpint (care_test_run_ctl (&out, &err, "sync", "--db", b, "--peer", server->address, "--stats", NULL), ==, 0);
  g_assert_nonnull ((stats = strstr (out, "stats ")));
  g_assert_cmpint (sscanf (stats, "stats bytes_sent %" G_GUINT64_FORMAT " bytes_received %" G_GUINT64_FORMAT
                           " peak_rss_kb %ld handshakes %u", &sent, &received, &rss, &handshakes), ==, 4);
  g_assert_nonnull (strstr (out, "it holds everything"));
  g_assert_cmpint (sscanf (strstr (out, "received, ") + strlen ("received, "), "%u sent", &n_sent), ==, 1);
  g_assert_cmpint (n_sent, >, 6000);
  g_assert_cmpuint (handshakes, >=, 1);
  g_assert_cmpuint (handshakes, <=, 3);

  hash_a = care_test_content_hash (a);
  hash_b = care_test_content_hash (b);
  g_assert_cmpstr (hash_a, ==, hash_b);
}

/* A's edits reach C through B; A and C never meet. */
static void
test_relay (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *c = care_test_temp_db ();
  g_autofree char *out = NULL;
  g_autofree char *hash_a = NULL, *hash_c = NULL;
  g_autoptr(Server) server_a = NULL;
  g_autoptr(Server) server_b = NULL;

  generate (a, "20", "3");
  {
    g_autoptr(CareDb) db = care_db_open (c, NULL);   /* an empty new machine */
  }
  pair (a, b);
  pair (b, c);
  edit (c, "Condori");

  server_a = serve (a);
  g_assert_cmpint (sync_with (b, server_a, &out), ==, 0);
  g_clear_pointer (&out, g_free);
  server_b = serve (b);
  g_assert_cmpint (sync_with (c, server_b, &out), ==, 0);
  g_clear_pointer (&out, g_free);
  /* C's edit goes back to A through B. */
  g_assert_cmpint (sync_with (b, server_a, &out), ==, 0);

  hash_a = care_test_content_hash (a);
  hash_c = care_test_content_hash (c);
  g_assert_cmpstr (hash_a, ==, hash_c);
}

/* An HTTPS client of the test's own, with a certificate of its own. */
typedef struct
{
  SoupSession     *session;
  GTlsCertificate *certificate;
  char            *device_id;
} Client;

static void
client_free (Client *client)
{
  g_clear_object (&client->session);
  g_clear_object (&client->certificate);
  g_free (client->device_id);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static Client *
client_new (gboolean with_certificate)
{
  g_autofree char *path = care_test_temp_db ();
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  Client *client = g_new0 (Client, 1);

  client->session = soup_session_new ();
  if (with_certificate)
    {
      client->certificate = care_identity_get_certificate (db, NULL);
      client->device_id = care_identity_device_id (client->certificate);
    }

  return client;
}

static gboolean
accept_any (SoupMessage          *msg,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return TRUE;
}

/* POSTs @body to @path; returns the status and the answer. */
static guint
post (Client      *client,
      Server      *server,
      const char  *path,
      const char  *body,
      gssize       length,
      char       **answer)
{
  g_autofree char *uri = g_strdup_printf ("https://%s%s", server->address, path);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  if (client->certificate != NULL)
    soup_message_set_tls_client_certificate (msg, client->certificate);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  reply = soup_session_send_and_read (client->session, msg, NULL, &error);
  g_assert_no_error (error);
  *answer = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));

  return soup_message_get_status (msg);
}

static void
test_unpaired_learns_nothing (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *c = care_test_temp_db ();
  g_autofree char *out = NULL, *err = NULL, *answer = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(Client) stranger = client_new (TRUE);
  g_autoptr(Client) anonymous = client_new (FALSE);
  const char *hello = "{\"device\":\"X\",\"name\":\"x\",\"schema\":6,\"columns\":\"\",\"vector\":{},\"clock\":0}";

  generate (a, "10", "4");
  {
    g_autoptr(CareDb) db = care_db_open (c, NULL);
  }
  server = serve (a);

  /* C trusts A, A does not know C: refused, and C holds nothing of A's. */
  {
    g_autofree char *id_a = care_test_device_id (a);

    g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", c, "--device-id", id_a, "--name", "A", NULL), ==, 0);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "sync", "--db", c, "--peer", server->address, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "does not know this one"));
  {
    g_autoptr(CareDb) db = care_db_open (c, NULL);

    g_assert_cmpint (care_db_count (db, "patients", NULL), ==, 0);
  }

  /* A stranger's certificate, or none: 403 and nothing but the refusal. */
  g_assert_cmpuint (post (stranger, server, "/v1/hello", hello, -1, &answer), ==, 403);
  g_assert_cmpstr (answer, ==, "{\"error\":\"not-paired\"}");
  g_clear_pointer (&answer, g_free);
  g_assert_cmpuint (post (stranger, server, "/v1/pull", "{\"vector\":{},\"cursor\":0,\"limit\":1000}", -1, &answer), ==, 403);
  g_assert_cmpstr (answer, ==, "{\"error\":\"not-paired\"}");
  g_clear_pointer (&answer, g_free);
  g_assert_cmpuint (post (anonymous, server, "/v1/pull", "{\"vector\":{},\"cursor\":0,\"limit\":1000}", -1, &answer), ==, 403);
  g_assert_cmpstr (answer, ==, "{\"error\":\"not-paired\"}");
  g_clear_pointer (&answer, g_free);

  /* Unpairing revokes: a paired machine is refused from then on. */
  {
    g_autofree char *id_c = care_test_device_id (c);

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", a, "--device-id", id_c, "--name", "C", NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (care_test_run_ctl (&out, &err, "sync", "--db", c, "--peer", server->address, NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (care_test_run_ctl (&out, &err, "untrust", "--db", a, "--device-id", id_c, NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    edit (a, "Huanca");
    g_assert_cmpint (care_test_run_ctl (&out, &err, "sync", "--db", c, "--peer", server->address, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "does not know this one"));
  }
}

static void
test_malformed_requests (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *before = NULL, *after = NULL, *answer = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(Client) client = client_new (TRUE);
  g_autofree char *huge = NULL;
  const char *bad[][2] = {
    { "/v1/push", "this is not json" },
    /* cut short */
    { "/v1/push", "{\"devices\":[\"6f1c2a52-1111-4aaa-8bbb-123456789abc\"],\"actors\":[],\"changes\":[[0,1," },
    { "/v1/push", "[1, 2, 3]" },
    /* wrongly typed */
    { "/v1/push", "{\"devices\":[],\"actors\":[],\"changes\":\"many\"}" },
    { "/v1/push", "{\"devices\":[7],\"actors\":[],\"changes\":[]}" },
    { "/v1/push", "{\"devices\":[\"6f1c2a52-1111-4aaa-8bbb-123456789abc\"],\"actors\":[],"
                  "\"changes\":[[0,\"1\",1,\"patients\",\"6f1c2a52-2222-4aaa-8bbb-123456789abc\",null,0,{}]]}" },
    /* an index past the page's devices */
    { "/v1/push", "{\"devices\":[\"6f1c2a52-1111-4aaa-8bbb-123456789abc\"],\"actors\":[],"
                  "\"changes\":[[3,1,1,\"patients\",\"6f1c2a52-2222-4aaa-8bbb-123456789abc\",null,0,{}]]}" },
    /* well shaped, but a field without its value (only a log may say that) */
    { "/v1/push", "{\"devices\":[\"6f1c2a52-1111-4aaa-8bbb-123456789abc\"],\"actors\":[],"
                  "\"changes\":[[0,1,1,\"patients\",\"6f1c2a52-2222-4aaa-8bbb-123456789abc\",null,0,{\"family_name\":{}}]]}" },
    /* an unknown member */
    { "/v1/push", "{\"devices\":[],\"actors\":[],\"changes\":[],\"extra\":1}" },
    { "/v1/pull", "{\"vector\":[],\"cursor\":0,\"limit\":10}" },
    { "/v1/pull", "{\"vector\":{},\"cursor\":\"zero\",\"limit\":10}" },
    { "/v1/pull", "{\"vector\":{\"not a device\":3},\"cursor\":0,\"limit\":10}" },
    { "/v1/hello", "{\"schema\":1.5}" },
  };

  generate (a, "10", "5");
  {
    g_autoptr(CareDb) db = care_db_open (a, NULL);

    g_assert_true (care_identity_trust (db, client->device_id, "Test client", NULL, NULL));
  }
  before = care_test_content_hash (a);
  server = serve (a);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint status = post (client, server, bad[i][0], bad[i][1], -1, &answer);

      g_test_message ("%s %s -> %u %s", bad[i][0], bad[i][1], status, answer);
      g_assert_cmpuint (status, ==, 400);
      g_assert_nonnull (strstr (answer, "\"error\":\"malformed\""));
      g_assert_nonnull (strstr (answer, "\"message\":"));
      g_clear_pointer (&answer, g_free);
    }

  /* Too large: refused before it is read. */
  huge = g_malloc (CARE_WIRE_MAX_BODY + 2);
  memset (huge, ' ', CARE_WIRE_MAX_BODY + 1);
  huge[CARE_WIRE_MAX_BODY + 1] = '\0';
  g_assert_cmpuint (post (client, server, "/v1/push", huge, -1, &answer), ==, 413);
  g_clear_pointer (&answer, g_free);

  /* Nothing applied, and the server still serves. */
  after = care_test_content_hash (a);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (post (client, server, "/v1/hello",
                          "{\"device\":\"X\",\"name\":\"x\",\"schema\":6,\"columns\":\"\",\"vector\":{},\"clock\":0}",
                          -1, &answer), ==, 200);
  g_assert_nonnull (strstr (answer, "\"name\":\"Test hub\""));
}

/* Stops @process with SIGKILL once @path holds more than @threshold changes. */
static void
kill_when (GSubprocess *process,
           const char  *path,
           gint64       threshold)
{
  for (int i = 0; i < 3000; i++)
    {
      sqlite3 *raw = NULL;
      sqlite3_stmt *stmt = NULL;
      gint64 n = 0;

      if (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
          sqlite3_prepare_v2 (raw, "SELECT count(*) FROM changes", -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW)
        n = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      sqlite3_close (raw);
      if (n > threshold)
        break;
      g_usleep (2000);
    }
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

static void
test_killed_mid_transfer (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *program = care_test_program ("caremeshctl");
  g_autofree char *out = NULL;
  g_autofree char *hash_a = NULL, *hash_b = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 total, partial;

  generate (a, "300", "6");
  {
    g_autoptr(CareDb) db = care_db_open (b, NULL);
  }
  pair (a, b);
  total = count_changes (a);
  server = serve (a);

  /* The client dies (kill -9) after a few pages. */
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             program, "sync", "--db", b, "--peer", server->address, NULL);
  g_assert_no_error (error);
  kill_when (client, b, 2000);
  care_test_assert_integrity (b);
  partial = count_changes (b);
  g_test_message ("client killed with %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " changes", partial, total);
  g_assert_cmpint (partial, >, 0);
  g_assert_cmpint (partial, <, total);

  /* The server dies (kill -9) in the next transfer, and comes back. */
  g_clear_object (&client);
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             program, "sync", "--db", b, "--peer", server->address, NULL);
  g_assert_no_error (error);
  kill_when (server->process, b, partial + 2000);
  g_subprocess_wait (client, NULL, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 1);
  care_test_assert_integrity (a);
  care_test_assert_integrity (b);
  g_clear_pointer (&server, server_stop);

  /* Resumed: everything arrives, nothing twice. */
  server = serve (a);
  g_assert_cmpint (sync_with (b, server, &out), ==, 0);
  g_assert_cmpint (count_changes (b), ==, total);
  hash_a = care_test_content_hash (a);
  hash_b = care_test_content_hash (b);
  g_assert_cmpstr (hash_a, ==, hash_b);
}

/* Pairs @a and @b with pairing files (what USB bundles need). */
static void
pair_with_files (const char *a,
                 const char *b)
{
  g_autofree char *pem_a = g_strconcat (a, ".pem", NULL);
  g_autofree char *pem_b = g_strconcat (b, ".pem", NULL);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", a, "--export", pem_a, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "id", "--db", b, "--export", pem_b, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", a, "--certificate", pem_b, "--name", "B", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Pairing code"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", b, "--certificate", pem_a, "--name", "A", NULL), ==, 0);
}

static int
bundle (const char  *action,
        const char  *db,
        const char  *file,
        const char  *for_db,
        char       **out,
        char       **err)
{
  g_autofree char *for_id = for_db ? care_test_device_id (for_db) : NULL;

  if (g_str_equal (action, "export"))
    return care_test_run_ctl (out, err, "bundle", "export", "--db", db, "--for", for_id, "--out", file, NULL);
  return care_test_run_ctl (out, err, "bundle", "import", "--db", db, "--in", file, NULL);
}

static void
test_bundles (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *c = care_test_temp_db ();
  g_autofree char *a_to_b = g_strconcat (a, ".bundle", NULL);
  g_autofree char *b_to_a = g_strconcat (b, ".bundle", NULL);
  g_autofree char *damaged = g_strconcat (a, ".damaged", NULL);
  g_autofree char *cut = g_strconcat (a, ".cut", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *hash_a = NULL, *hash_b = NULL, *before = NULL, *after = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  generate (a, "30", "7");
  generate (b, "10", "8");
  generate (c, "5", "9");
  pair_with_files (a, b);
  pair_with_files (c, b);   /* C is paired with B, not with A */

  /* There and back: both hold everything. */
  g_assert_cmpint (bundle ("export", a, a_to_b, b, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (bundle ("import", b, a_to_b, NULL, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (bundle ("export", b, b_to_a, a, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (bundle ("import", a, b_to_a, NULL, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  hash_a = care_test_content_hash (a);
  hash_b = care_test_content_hash (b);
  g_assert_cmpstr (hash_a, ==, hash_b);

  /* What B told A it holds: the next bundle for B carries only what is new. */
  edit (a, "Choque");
  g_assert_cmpint (bundle ("export", a, a_to_b, b, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Wrote 1 change"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* One changed byte, a cut file, a file for someone else, a stranger's file:
   * refused in plain words, nothing applied. */
  before = care_test_content_hash (b);
  g_assert_true (g_file_get_contents (a_to_b, &contents, &length, NULL));
  contents[length - 20] ^= 0x01;
  g_assert_true (g_file_set_contents (damaged, contents, (gssize) length, NULL));
  g_assert_cmpint (bundle ("import", b, damaged, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "was changed after it was made"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (cut, contents, (gssize) length / 2, NULL));
  g_assert_cmpint (bundle ("import", b, cut, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "Nothing was applied"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (bundle ("import", c, a_to_b, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "made for another machine"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    g_autofree char *c_to_b = g_strconcat (c, ".bundle", NULL);
    g_autofree char *id_c = care_test_device_id (c);

    /* B unpairs C: C's bundle is now a stranger's. */
    g_assert_cmpint (bundle ("export", c, c_to_b, b, &out, &err), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (care_test_run_ctl (&out, &err, "untrust", "--db", b, "--device-id", id_c, NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (bundle ("import", b, c_to_b, NULL, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "not paired with this one"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  after = care_test_content_hash (b);
  g_assert_cmpstr (before, ==, after);
  care_test_assert_integrity (b);

  /* In one program (the app keeps its database open), a bundle refused at its
   * last part after its first parts were applied leaves nothing behind, in the
   * file or in memory: the intact bundle then applies its change. */
  {
    g_autoptr(CareDb) db = care_db_open (b, NULL);
    g_autoptr(GTlsCertificate) certificate = care_identity_get_certificate (db, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *sender = NULL;
    guint n_new = 0;

    g_assert_nonnull (certificate);
    g_assert_false (care_bundle_import (db, certificate, damaged, &n_new, &sender, &error));
    g_assert_error (error, CARE_BUNDLE_ERROR, CARE_BUNDLE_ERROR_DAMAGED);
    g_clear_error (&error);
    g_assert_true (care_bundle_import (db, certificate, a_to_b, &n_new, &sender, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_new, ==, 1);
  }
  g_clear_pointer (&after, g_free);
  after = care_test_content_hash (b);
  g_assert_cmpstr (after, !=, before);
  g_clear_pointer (&hash_a, g_free);
  hash_a = care_test_content_hash (a);
  g_assert_cmpstr (after, ==, hash_a);
}

/* A client that connects and sends nothing (or stops halfway) is cut off after
 * the idle timeout; the server goes on serving others. */
static void
test_slow_client_cut_off (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *address = NULL, *out = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) silent = NULL;
  g_autoptr(GSocketConnection) halfway = NULL;
  g_autoptr(GError) error = NULL;
  char buffer[64];
  gssize n;
  gint64 start;

  generate (a, "5", "10");
  {
    g_autoptr(CareDb) db = care_db_open (b, NULL);
  }
  pair (a, b);
  process = care_test_serve_with (a, &address, "2");

  silent = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  g_assert_no_error (error);
  halfway = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  g_assert_no_error (error);
  /* The start of a TLS ClientHello, then nothing. */
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (halfway)),
                                            "\x16\x03\x01\x02\x00\x01", 6, NULL, NULL, &error));

  start = g_get_monotonic_time ();
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (silent)), buffer, sizeof buffer, NULL, &error);
  g_assert_cmpint (n, <=, 0);   /* closed (or reset) by the server */
  g_clear_error (&error);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (halfway)), buffer, sizeof buffer, NULL, &error);
  g_assert_cmpint (n, <=, 0);
  g_clear_error (&error);
  g_assert_cmpint ((g_get_monotonic_time () - start) / G_USEC_PER_SEC, <, 20);

  /* Meanwhile and after, a paired machine syncs. */
  {
    Server server = { process, address };

    g_assert_cmpint (sync_with (b, &server, &out), ==, 0);
  }
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

/* An unpaired machine asks to pair: the server shows the request with the code
 * both screens compute, trusts nothing, and a person's `trust` then lets it in. */
static void
test_pairing_request (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *program = care_test_program ("caremeshctl");
  g_autofree char *line = NULL, *answer = NULL, *expected = NULL, *server_id = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(Client) laptop = client_new (TRUE);
  g_autoptr(GError) error = NULL;
  Server server = { NULL, NULL };
  guint port = 0;

  generate (a, "5", "12");
  {
    g_autofree char *shown = care_test_device_id (a);

    server_id = care_identity_parse_device_id (shown);
  }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "serve", "--db", a, "--port", "0",
                              "--loopback", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_cmpint (sscanf (line, "Serving on port %u", &port), ==, 1);
  server.process = process;
  server.address = g_strdup_printf ("127.0.0.1:%u", port);

  g_assert_cmpuint (post (laptop, &server, "/v1/pair", "{\"name\":\"Laptop 7\",\"port\":5555}", -1, &answer), ==, 200);
  g_assert_nonnull (strstr (answer, "\"status\":\"pending\""));
  g_assert_nonnull (strstr (answer, server_id));

  /* The server side shows who asks, where it serves, and the code. */
  g_clear_pointer (&line, g_free);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  expected = care_identity_pairing_code (laptop->device_id, server_id);
  g_assert_nonnull (strstr (line, "Laptop 7"));
  g_assert_nonnull (strstr (line, "127.0.0.1:5555"));
  g_assert_nonnull (strstr (line, expected));

  /* Asking trusts nothing. */
  g_clear_pointer (&answer, g_free);
  g_assert_cmpuint (post (laptop, &server, "/v1/pull", "{\"vector\":{},\"cursor\":0,\"limit\":10}", -1, &answer), ==, 403);

  /* A person confirms (the command the server printed): now it may sync. */
  g_assert_cmpint (care_test_run_ctl (&out, &err, "trust", "--db", a, "--device-id", laptop->device_id,
                                      "--name", "Laptop 7", NULL), ==, 0);
  g_clear_pointer (&answer, g_free);
  g_assert_cmpuint (post (laptop, &server, "/v1/pull", "{\"vector\":{},\"cursor\":0,\"limit\":10}", -1, &answer), ==, 200);
  g_assert_nonnull (strstr (answer, "\"changes\":["));

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_free (server.address);
}

/* Device ids and pairing codes, as people read and type them. */
static void
test_identity (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autofree char *id = NULL, *again = NULL, *shown = NULL, *parsed = NULL, *lower = NULL;
  g_autofree char *code_ab = NULL, *code_ba = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  guint8 box[32];

  {
    g_autoptr(CareDb) db = care_db_open (path, NULL);

    certificate = care_identity_get_certificate (db, NULL);
    g_assert_nonnull (certificate);
    id = care_identity_device_id (certificate);
  }
  /* The same machine after a restart. */
  {
    g_autoptr(CareDb) db = care_db_open (path, NULL);
    g_autoptr(GTlsCertificate) reopened = care_identity_get_certificate (db, NULL);

    again = care_identity_device_id (reopened);
  }
  g_assert_cmpstr (id, ==, again);
  g_assert_cmpuint (strlen (id), ==, 52);
  /* The certificate carries the key for bundles, so the id covers it. */
  g_assert_true (care_identity_box_public_key (certificate, box));

  shown = care_identity_format_device_id (id);
  g_assert_cmpuint (strlen (shown), ==, 52 + 12);
  parsed = care_identity_parse_device_id (shown);
  g_assert_cmpstr (parsed, ==, id);
  lower = g_ascii_strdown (shown, -1);
  g_free (parsed);
  parsed = care_identity_parse_device_id (lower);
  g_assert_cmpstr (parsed, ==, id);
  g_assert_null (care_identity_parse_device_id ("ABCD"));
  g_assert_null (care_identity_parse_device_id ("not a device id at all, not a device id at all, not a d"));

  /* Both screens show the same code, whichever side computes it. */
  code_ab = care_identity_pairing_code (id, "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3D");
  code_ba = care_identity_pairing_code ("MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3D", id);
  g_assert_cmpstr (code_ab, ==, code_ba);
  g_assert_cmpuint (strlen (code_ab), ==, 7);
  g_assert_true (g_ascii_isdigit (code_ab[0]) && code_ab[3] == ' ' && g_ascii_isdigit (code_ab[6]));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/identity", test_identity);
  g_test_add_func ("/sync/two-machines", test_two_machines);
  g_test_add_func ("/sync/relay", test_relay);
  g_test_add_func ("/sync/connections-kept-alive", test_connections_kept_alive);
  g_test_add_func ("/sync/unpaired-learns-nothing", test_unpaired_learns_nothing);
  g_test_add_func ("/sync/malformed-requests", test_malformed_requests);
  g_test_add_func ("/sync/killed-mid-transfer", test_killed_mid_transfer);
  g_test_add_func ("/sync/bundles", test_bundles);
  g_test_add_func ("/sync/slow-client-cut-off", test_slow_client_cut_off);
  g_test_add_func ("/sync/pairing-request", test_pairing_request);

  return g_test_run ();
}
