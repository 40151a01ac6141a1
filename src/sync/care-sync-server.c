/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "care-identity.h"
#include "care-sync-server.h"
#include "care-sync-wire.h"

struct _CareSyncServer
{
  GObject          parent_instance;

  CareStore       *store;
  GTlsCertificate *certificate;
  char            *device_id;
  char            *name;
  SoupServer      *server;
  guint            idle_timeout;   /* seconds */
};

G_DEFINE_FINAL_TYPE (CareSyncServer, care_sync_server, G_TYPE_OBJECT)

enum {
  RECEIVED,
  PAIR_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One request on its way through the store's worker. */
typedef struct
{
  CareSyncServer    *self;
  SoupServerMessage *msg;
  char              *path;
  char              *peer_device_id;   /* NULL: no client certificate */
  char              *peer_certificate; /* its PEM */
  GBytes            *body;
  gboolean           gzipped;
  gboolean           accepts_gzip;
} Request;

typedef struct
{
  guint    status;
  GString *json;
  guint    n_new;
  char    *pair_name;   /* a pairing request to show a person */
  guint    pair_port;   /* where the asking machine serves */
} Response;

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->msg);
  g_free (request->path);
  g_free (request->peer_device_id);
  g_free (request->peer_certificate);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

static void
response_free (Response *response)
{
  if (response->json != NULL)
    g_string_free (response->json, TRUE);
  g_free (response->pair_name);
  g_free (response);
}

static Response *
response_error (guint       status,
                const char *code,
                const char *message)
{
  Response *response = g_new0 (Response, 1);

  response->status = status;
  response->json = g_string_new ("{\"error\":");
  care_wire_append_string (response->json, code);
  if (message != NULL)
    {
      g_string_append (response->json, ",\"message\":");
      care_wire_append_string (response->json, message);
    }
  g_string_append_c (response->json, '}');

  return response;
}

/* A refused request learns the reason, never anything about the data. */
static Response *
response_from_error (const GError *error)
{
  if (error->domain == CARE_WIRE_ERROR && error->code == CARE_WIRE_ERROR_TOO_LARGE)
    return response_error (SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", error->message);
  if (error->domain == CARE_WIRE_ERROR || g_error_matches (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID))
    return response_error (SOUP_STATUS_BAD_REQUEST, "malformed", error->message);
  if (g_error_matches (error, CARE_DB_ERROR, CARE_DB_ERROR_CLOCK))
    return response_error (SOUP_STATUS_CONFLICT, "clock-ahead", error->message);

  return response_error (SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                         _("The other computer could not use its database just now; try again later."));
}

static Response *
response_ok (GString *json)
{
  Response *response = g_new0 (Response, 1);

  response->status = SOUP_STATUS_OK;
  response->json = json;

  return response;
}

static void
append_identity (GString        *out,
                 CareSyncServer *self,
                 CareDb         *db,
                 GError        **error)
{
  g_autoptr(GHashTable) vector = care_db_version_vector (db, error);
  g_autofree char *columns = care_wire_columns_fingerprint (db);

  g_string_append (out, "{\"device\":");
  care_wire_append_string (out, self->device_id);
  g_string_append (out, ",\"name\":");
  care_wire_append_string (out, self->name);
  g_string_append_printf (out, ",\"schema\":%d,\"columns\":", care_db_get_user_version (db));
  care_wire_append_string (out, columns);
  g_string_append (out, ",\"vector\":");
  if (vector != NULL)
    care_wire_append_vector (out, vector);
  else
    g_string_append (out, "{}");
  g_string_append_printf (out, ",\"clock\":%" G_GINT64_FORMAT "}", care_db_now_ms (db));
}

static Response *
handle_hello (CareSyncServer *self,
              CareDb         *db,
              JsonObject     *body,
              GError        **error)
{
  GString *out = g_string_new (NULL);
  gint64 schema;

  if (!care_wire_get_int (body, "schema", &schema, error))
    return (g_string_free (out, TRUE), NULL);
  if (schema < 2)
    {
      g_string_free (out, TRUE);
      return response_error (SOUP_STATUS_CONFLICT, "incompatible-schema",
                             _("The other computer's Caremesh is too old to sync; update it first."));
    }

  append_identity (out, self, db, error);

  return response_ok (out);
}

static Response *
handle_pull (CareSyncServer *self,
             CareDb         *db,
             JsonObject     *body,
             GError        **error)
{
  g_autoptr(GHashTable) vector = care_wire_get_vector (body, "vector", error);
  g_autoptr(GPtrArray) page = NULL;
  gint64 cursor, limit, next;
  GString *out;
  guint sent = 0;

  if (vector == NULL ||
      !care_wire_get_int (body, "cursor", &cursor, error) ||
      !care_wire_get_int (body, "limit", &limit, error))
    return NULL;
  if (cursor < 0 || limit < 1)
    {
      g_set_error (error, CARE_WIRE_ERROR, CARE_WIRE_ERROR_MALFORMED,
                   _("The request is malformed: %s."), _("the cursor and limit must be positive"));
      return NULL;
    }

  next = cursor;
  page = care_db_changes_since (db, vector, &next, (guint) MIN (limit, CARE_WIRE_PAGE_CHANGES), error);
  if (page == NULL)
    return NULL;

  /* At most a page of changes and about a megabyte. */
  {
    gsize bytes = 0;

    for (; sent < page->len && (sent == 0 || bytes < CARE_WIRE_PAGE_BYTES); sent++)
      {
        CareChange *change = g_ptr_array_index (page, sent);

        bytes += strlen (change->fields) + strlen (change->record_id) + 64;
        next = change->cursor;
      }
  }
  out = g_string_sized_new (64 * 1024);
  g_string_append_c (out, '{');
  care_wire_append_page (out, page, sent);
  g_string_append_printf (out, ",\"cursor\":%" G_GINT64_FORMAT ",\"more\":%s}", next,
                          sent < page->len || page->len == (guint) MIN (limit, CARE_WIRE_PAGE_CHANGES) ? "true" : "false");

  return response_ok (out);
}

static Response *
handle_push (CareSyncServer *self,
             CareDb         *db,
             Request        *request,
             GError        **error)
{
  g_autoptr(GPtrArray) changes = care_wire_parse_page (request->body, request->gzipped, NULL, NULL, error);
  g_autoptr(GHashTable) vector = NULL;
  Response *response;
  guint n_new = 0;

  if (changes == NULL || !care_db_apply_changes (db, changes, &n_new, error) ||
      !(vector = care_db_version_vector (db, error)))
    return NULL;

  response = response_ok (g_string_new (NULL));
  g_string_append_printf (response->json, "{\"applied\":%u,\"vector\":", n_new);
  care_wire_append_vector (response->json, vector);
  g_string_append_c (response->json, '}');
  response->n_new = n_new;

  return response;
}

/* On the store's worker. Never fails: every error becomes a response. */
static gpointer
handle_in_worker (CareDb        *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Request *request = data;
  g_autoptr(CarePeer) peer = care_identity_lookup_peer (db, request->peer_device_id);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *body;
  Response *response = NULL;

  if (request->peer_device_id == NULL)
    return response_error (SOUP_STATUS_FORBIDDEN, "not-paired", NULL);

  /* A machine asking to pair: it learns our device id and name, and a person here
   * decides (docs/sync-protocol.md, "Pairing code"). Nothing else. */
  if (g_str_equal (request->path, "/v1/pair"))
    {
      const char *name;

      if (!(node = care_wire_parse_body (request->body, request->gzipped, &local_error)))
        return response_from_error (local_error);
      if (!(name = care_wire_get_string (json_node_get_object (node), "name", &local_error)))
        return response_from_error (local_error);
      response = response_ok (g_string_new ("{\"device\":"));
      care_wire_append_string (response->json, request->self->device_id);
      g_string_append (response->json, ",\"name\":");
      care_wire_append_string (response->json, request->self->name);
      g_string_append_printf (response->json, ",\"status\":\"%s\"}", peer != NULL ? "paired" : "pending");
      if (peer == NULL)
        {
          JsonObject *asking = json_node_get_object (node);
          gint64 port = CARE_SYNC_DEFAULT_PORT;

          /* Where it serves: its port (the host is the one it came from). */
          if (json_object_has_member (asking, "port") &&
              (!care_wire_get_int (asking, "port", &port, &local_error) || port < 1 || port > 65535))
            {
              response_free (response);
              if (local_error == NULL)
                local_error = g_error_new (CARE_WIRE_ERROR, CARE_WIRE_ERROR_MALFORMED, _("The request is malformed: %s."),
                                           _("the port is not a port"));
              return response_from_error (local_error);
            }
          response->pair_name = g_utf8_make_valid (name, MIN (strlen (name), 64));
          response->pair_port = (guint) port;
        }
      return response;
    }

  if (peer == NULL)
    return response_error (SOUP_STATUS_FORBIDDEN, "not-paired", NULL);

  /* A push is a page of changes, read by its own strict reader. */
  if (g_str_equal (request->path, "/v1/push"))
    {
      response = handle_push (request->self, db, request, &local_error);
      return response != NULL ? response : response_from_error (local_error);
    }

  if (!(node = care_wire_parse_body (request->body, request->gzipped, &local_error)))
    return response_from_error (local_error);
  body = json_node_get_object (node);

  if (g_str_equal (request->path, "/v1/hello"))
    {
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_pem (request->peer_certificate, -1, NULL);

      /* Its keys, for USB bundles later. */
      if (certificate != NULL && !care_identity_remember_certificate (db, certificate, &local_error))
        return response_from_error (local_error);
      response = handle_hello (request->self, db, body, &local_error);
    }
  else if (g_str_equal (request->path, "/v1/pull"))
    response = handle_pull (request->self, db, body, &local_error);
  else
    return response_error (SOUP_STATUS_NOT_FOUND, "unknown-request", NULL);

  if (response == NULL)
    response = response_from_error (local_error);

  return response;
}

static void
send_response (SoupServerMessage *msg,
               Response          *response,
               gboolean           accepts_gzip)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, response->status, NULL);
  if (accepts_gzip && response->json->len > 1024)
    {
      g_autoptr(GBytes) zipped = care_wire_gzip (response->json->str, response->json->len);

      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (zipped, NULL), g_bytes_get_size (zipped));
    }
  else
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                      response->json->str, response->json->len);
}

static void
on_handled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  Response *response = care_store_run_finish (CARE_STORE (source), result, &error);

  if (response == NULL)
    {
      Response *failed = response_error (SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL);

      send_response (request->msg, failed, FALSE);
      response_free (failed);
    }
  else
    {
      send_response (request->msg, response, request->accepts_gzip);
      if (response->n_new > 0)
        g_signal_emit (request->self, signals[RECEIVED], 0, response->n_new);
      if (response->pair_name != NULL)
        {
          const char *host = soup_server_message_get_remote_host (request->msg);
          g_autofree char *address = host ? g_strdup_printf (strchr (host, ':') ? "[%s]:%u" : "%s:%u", host,
                                                             response->pair_port)
                                          : NULL;

          g_signal_emit (request->self, signals[PAIR_REQUESTED], 0, request->peer_device_id,
                         response->pair_name, request->peer_certificate, address);
        }
      response_free (response);
    }

  soup_server_message_unpause (request->msg);
  request_free (request);
}

static void
reply_now (SoupServerMessage *msg,
           guint              status,
           const char        *code,
           const char        *message)
{
  Response *response = response_error (status, code, message);

  send_response (msg, response, FALSE);
  response_free (response);
}

/* Before the body is read: only POSTs of a bounded, declared size. */
static void
on_early (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      reply_now (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", NULL);
      return;
    }
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      reply_now (msg, SOUP_STATUS_LENGTH_REQUIRED, "length-required", NULL);
      return;
    }
  length = soup_message_headers_get_content_length (headers);
  if (length > CARE_WIRE_MAX_BODY)
    reply_now (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", _("The request is too large."));
}

/* The client's certificate, from its TLS handshake. libsoup 3.2 gives it only to
 * the first message of a connection (a later one on the same kept-alive
 * connection starts without it), so the first one leaves it on the connection's
 * socket, where the next messages find it. A socket is one connection: a new
 * connection is a new GSocket, with nothing on it. */
static GTlsCertificate *
connection_peer_certificate (SoupServerMessage *msg)
{
  GTlsCertificate *certificate = soup_server_message_get_tls_peer_certificate (msg);
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL)
    return certificate;
  if (certificate == NULL)
    return g_object_get_data (G_OBJECT (socket), "care-peer-certificate");

  g_object_set_data_full (G_OBJECT (socket), "care-peer-certificate", g_object_ref (certificate), g_object_unref);
  return certificate;
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CareSyncServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GTlsCertificate *peer_certificate = connection_peer_certificate (msg);
  const char *encoding = soup_message_headers_get_one (headers, "Content-Encoding");
  Request *request;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      reply_now (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", NULL);
      return;
    }
  if (peer_certificate == NULL)
    {
      reply_now (msg, SOUP_STATUS_FORBIDDEN, "not-paired", NULL);
      return;
    }
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "gzip") != 0)
    {
      reply_now (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "malformed", NULL);
      return;
    }

  request = g_new0 (Request, 1);
  request->self = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->path = g_strdup (path);
  request->peer_device_id = care_identity_device_id (peer_certificate);
  g_object_get (peer_certificate, "certificate-pem", &request->peer_certificate, NULL);
  request->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  request->gzipped = encoding != NULL;
  request->accepts_gzip = soup_message_headers_header_contains (headers, "Accept-Encoding", "gzip");

  soup_server_message_pause (msg);
  care_store_run_async (self->store, handle_in_worker, request, NULL, (GDestroyNotify) response_free,
                        NULL, on_handled, request);
}

/* Any certificate may complete the handshake; whether its owner is paired is
 * decided per request (handle_in_worker), so that a stranger gets a clear 403. */
static gboolean
on_accept_certificate (SoupServerMessage    *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return TRUE;
}

/* libsoup makes a connection's first message as it accepts it (before TLS), and
 * each next one as the last ends: the socket gets the idle timeout here, so that a
 * client that stops sending (or never starts) is cut off. libsoup's server has no
 * timeout of its own. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  CareSyncServer *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_set_timeout (socket, self->idle_timeout);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
}

static void
care_sync_server_dispose (GObject *object)
{
  CareSyncServer *self = CARE_SYNC_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->store);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (care_sync_server_parent_class)->dispose (object);
}

static void
care_sync_server_finalize (GObject *object)
{
  CareSyncServer *self = CARE_SYNC_SERVER (object);

  g_free (self->device_id);
  g_free (self->name);

  G_OBJECT_CLASS (care_sync_server_parent_class)->finalize (object);
}

static void
care_sync_server_class_init (CareSyncServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = care_sync_server_dispose;
  object_class->finalize = care_sync_server_finalize;

  signals[RECEIVED] = g_signal_new ("received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* (device id, name it gives, certificate PEM, "host:port" where it serves) of an
   * unpaired machine asking to pair. */
  signals[PAIR_REQUESTED] = g_signal_new ("pair-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 4,
                                          G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
care_sync_server_init (CareSyncServer *self)
{
  self->idle_timeout = 30;
}

CareSyncServer *
care_sync_server_new (CareStore       *store,
                      GTlsCertificate *certificate,
                      const char      *name)
{
  CareSyncServer *self;

  g_return_val_if_fail (CARE_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_object_new (CARE_TYPE_SYNC_SERVER, NULL);
  self->store = g_object_ref (store);
  self->certificate = g_object_ref (certificate);
  self->device_id = care_identity_device_id (certificate);
  self->name = g_strdup (name ? name : g_get_host_name ());

  return self;
}

gboolean
care_sync_server_listen (CareSyncServer  *self,
                         guint            port,
                         gboolean         loopback_only,
                         GError         **error)
{
  g_return_val_if_fail (CARE_IS_SYNC_SERVER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  self->server = soup_server_new ("tls-certificate", self->certificate,
                                  "tls-auth-mode", G_TLS_AUTHENTICATION_REQUESTED,
                                  "server-header", NULL,
                                  NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), self);
  soup_server_add_early_handler (self->server, "/v1", on_early, self, NULL);
  soup_server_add_handler (self->server, "/v1", on_request, self, NULL);

  if (loopback_only)
    return soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, error);

  return soup_server_listen_all (self->server, port, SOUP_SERVER_LISTEN_HTTPS, error);
}

guint
care_sync_server_get_port (CareSyncServer *self)
{
  g_autoptr(GSList) uris = NULL;
  guint port = 0;

  g_return_val_if_fail (CARE_IS_SYNC_SERVER (self), 0);

  if (self->server == NULL)
    return 0;
  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  return port;
}

void
care_sync_server_set_idle_timeout (CareSyncServer *self,
                                   guint           seconds)
{
  self->idle_timeout = seconds;
}

const char *
care_sync_server_get_device_id (CareSyncServer *self)
{
  return self->device_id;
}
