/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "care-bundle.h"
#include "care-discovery.h"
#include "care-identity.h"
#include "care-sync-server.h"
#include "care-sync-service.h"
#include "care-sync-wire.h"

#define DEBOUNCE_MS         3000      /* after a local change */
#define TICK_SECONDS        15
#define PERIOD_SECONDS      120       /* between syncs with a reachable machine */
#define BACKOFF_MIN_SECONDS 15
#define BACKOFF_MAX_SECONDS (15 * 60)

/* Peers */

struct _CareSyncPeer
{
  GObject   parent_instance;

  char     *device_id;
  char     *name;
  char     *address;
  char     *last_error;
  gint64    last_sync;
  gint64    pending;
  gboolean  syncing;
};

G_DEFINE_FINAL_TYPE (CareSyncPeer, care_sync_peer, G_TYPE_OBJECT)

static void
care_sync_peer_finalize (GObject *object)
{
  CareSyncPeer *self = CARE_SYNC_PEER (object);

  g_free (self->device_id);
  g_free (self->name);
  g_free (self->address);
  g_free (self->last_error);

  G_OBJECT_CLASS (care_sync_peer_parent_class)->finalize (object);
}

static void
care_sync_peer_class_init (CareSyncPeerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = care_sync_peer_finalize;
}

static void
care_sync_peer_init (CareSyncPeer *self)
{
}

const char *care_sync_peer_get_device_id (CareSyncPeer *peer) { return peer->device_id; }
const char *care_sync_peer_get_name (CareSyncPeer *peer) { return peer->name; }
const char *care_sync_peer_get_address (CareSyncPeer *peer) { return peer->address; }
gint64 care_sync_peer_get_last_sync (CareSyncPeer *peer) { return peer->last_sync; }
const char *care_sync_peer_get_last_error (CareSyncPeer *peer) { return peer->last_error; }
gint64 care_sync_peer_get_pending (CareSyncPeer *peer) { return peer->pending; }
gboolean care_sync_peer_get_syncing (CareSyncPeer *peer) { return peer->syncing; }

static char *
describe_age (gint64 ms)
{
  gint64 minutes = (g_get_real_time () / 1000 - ms) / 60000;

  if (ms <= 0)
    return g_strdup (_("Never synced"));
  if (minutes < 1)
    return g_strdup (_("Synced just now"));
  if (minutes < 60)
    return g_strdup_printf (ngettext ("Synced %d minute ago", "Synced %d minutes ago", (int) minutes), (int) minutes);
  if (minutes < 48 * 60)
    return g_strdup_printf (ngettext ("Synced %d hour ago", "Synced %d hours ago", (int) (minutes / 60)),
                            (int) (minutes / 60));
  return g_strdup_printf (ngettext ("Synced %d day ago", "Synced %d days ago", (int) (minutes / 1440)),
                          (int) (minutes / 1440));
}

char *
care_sync_peer_describe (CareSyncPeer *peer)
{
  g_autofree char *age = describe_age (peer->last_sync);
  GString *out = g_string_new (NULL);

  if (peer->syncing)
    g_string_append (out, _("Syncing…"));
  else if (peer->pending > 0)
    {
      guint n = (guint) MIN (peer->pending, G_MAXUINT);

      g_string_append_printf (out, ngettext ("%u change waiting", "%u changes waiting", n), n);
    }
  else
    g_string_append (out, age);
  if (peer->pending > 0 || peer->syncing)
    g_string_append_printf (out, " · %s", age);
  if (peer->last_error != NULL && !peer->syncing)
    g_string_append_printf (out, " · %s", peer->last_error);

  return g_string_free (out, FALSE);
}

/* The service */

typedef struct
{
  gint64   next_attempt;    /* monotonic µs */
  guint    backoff;         /* seconds */
  gboolean syncing;
  gboolean unreachable;
  gboolean refused;
} Runtime;

struct _CareSyncService
{
  GObject           parent_instance;

  CareStore        *store;
  char             *name;
  guint             port;
  GTlsCertificate  *certificate;
  char             *device_id;
  CareSyncServer   *server;
  char             *server_error;
  GCancellable     *cancellable;

  GListStore       *peers;
  GHashTable       *runtime;       /* device id -> Runtime */
  GPtrArray        *pair_requests; /* CarePairRequest */
  CareDiscovery    *discovery;     /* DNS-SD; NULL until started */
  GHashTable       *found_at;      /* device id -> address it was last found at */
  gboolean          sync_found;    /* sync what is due once the peers are read */

  guint             tick_id;
  guint             debounce_id;
  gboolean          refreshing;
  gboolean          refresh_again;

  CareSyncStatus    status;
  char             *status_text;
};

G_DEFINE_FINAL_TYPE (CareSyncService, care_sync_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DATA_CHANGED,
  PAIR_REQUESTS_CHANGED,
  PEERS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh_peers (CareSyncService *self);
static void on_store_changed (CareSyncService *self, const char *table);
static void sync_peer (CareSyncService *self, CareSyncPeer *peer);
static void sync_due (CareSyncService *self, gboolean force);

static void
pair_request_free (CarePairRequest *request)
{
  g_free (request->device_id);
  g_free (request->name);
  g_free (request->address);
  g_free (request->code);
  g_free (request->certificate_pem);
  g_free (request);
}

static Runtime *
runtime_of (CareSyncService *self,
            const char      *device_id)
{
  Runtime *runtime = g_hash_table_lookup (self->runtime, device_id);

  if (runtime == NULL)
    {
      runtime = g_new0 (Runtime, 1);
      runtime->backoff = BACKOFF_MIN_SECONDS;
      g_hash_table_insert (self->runtime, g_strdup (device_id), runtime);
    }

  return runtime;
}

static void
set_status (CareSyncService *self,
            CareSyncStatus   status,
            const char      *text)
{
  if (self->status == status && g_strcmp0 (self->status_text, text) == 0)
    return;
  self->status = status;
  g_free (self->status_text);
  self->status_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

/* Truthful: "synced" only when every paired machine acknowledged every change. */
static void
update_status (CareSyncService *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->peers));
  guint syncing = 0, unreachable = 0, refused = 0, waiting = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CareSyncPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);
      Runtime *runtime = runtime_of (self, peer->device_id);

      syncing += runtime->syncing;
      unreachable += runtime->unreachable;
      refused += runtime->refused;
      waiting += peer->pending > 0 || peer->last_sync == 0;
    }

  if (self->server_error != NULL)
    set_status (self, CARE_SYNC_STATUS_ERROR, self->server_error);
  else if (n == 0)
    set_status (self, CARE_SYNC_STATUS_NO_PEERS, _("Not paired with any computer"));
  else if (syncing > 0)
    set_status (self, CARE_SYNC_STATUS_SYNCING, _("Syncing…"));
  else if (refused > 0)
    set_status (self, CARE_SYNC_STATUS_ERROR, _("A paired computer refused to sync: see the Sync page"));
  else if (unreachable == n)
    set_status (self, CARE_SYNC_STATUS_OFFLINE, _("Offline: no paired computer can be reached"));
  else if (unreachable > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u paired computer cannot be reached",
                                                         "%u paired computers cannot be reached", unreachable),
                                               unreachable);

      set_status (self, CARE_SYNC_STATUS_WAITING, text);
    }
  else if (waiting > 0)
    set_status (self, CARE_SYNC_STATUS_WAITING, _("Changes waiting to sync"));
  else
    set_status (self, CARE_SYNC_STATUS_SYNCED, _("Synced with every paired computer"));
}

/* Reading the peers (store worker) */

static gint64
count_pending (GHashTable *ours,
               const char *acked_json)
{
  g_autoptr(GHashTable) acked = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 pending = 0;

  if (acked_json != NULL)
    {
      g_autofree char *wrapped = g_strdup_printf ("{\"vector\":%s}", acked_json);
      g_autoptr(GBytes) bytes = g_bytes_new (wrapped, strlen (wrapped));
      g_autoptr(JsonNode) node = care_wire_parse_body (bytes, FALSE, NULL);

      if (node != NULL)
        acked = care_wire_get_vector (json_node_get_object (node), "vector", NULL);
    }

  g_hash_table_iter_init (&iter, ours);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 *held = acked ? g_hash_table_lookup (acked, key) : NULL;

      pending += MAX (0, *(gint64 *) value - (held ? *held : 0));
    }

  return pending;
}

static gpointer
job_read_peers (CareDb        *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GPtrArray) peers = care_identity_list_peers (db, error);
  g_autoptr(GHashTable) ours = NULL;
  GPtrArray *out;

  if (peers == NULL || !(ours = care_db_version_vector (db, error)))
    return NULL;

  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < peers->len; i++)
    {
      CarePeer *row = g_ptr_array_index (peers, i);
      g_autofree char *acked = NULL;
      CareSyncPeer *peer;

      if (row->revoked_at != 0)
        continue;
      acked = care_identity_get_acked_vector (db, row->device_id);
      peer = g_object_new (CARE_TYPE_SYNC_PEER, NULL);
      peer->device_id = g_strdup (row->device_id);
      peer->name = g_strdup (row->name);
      peer->address = g_strdup (row->address);
      peer->last_error = g_strdup (row->last_error);
      peer->last_sync = row->last_sync_at;
      peer->pending = count_pending (ours, acked);
      g_ptr_array_add (out, peer);
    }

  return out;
}

static void
on_peers_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CareSyncService) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = care_store_run_finish (CARE_STORE (source), result, &error);

  self->refreshing = FALSE;
  if (peers == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the paired computers: %s", error->message);
      return;
    }

  for (guint i = 0; i < peers->len; i++)
    {
      CareSyncPeer *peer = g_ptr_array_index (peers, i);
      const char *found = self->discovery ? g_hash_table_lookup (care_discovery_get_found (self->discovery),
                                                                  peer->device_id)
                                          : NULL;

      peer->syncing = runtime_of (self, peer->device_id)->syncing;
      /* Found on the LAN: that address is the current one. */
      if (found != NULL)
        {
          g_free (peer->address);
          peer->address = g_strdup (strchr (found, '\t') + 1);
        }
    }
  g_list_store_splice (self->peers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->peers)),
                       peers->pdata, peers->len);
  update_status (self);
  g_signal_emit (self, signals[PEERS_CHANGED], 0);
  if (self->sync_found)
    {
      self->sync_found = FALSE;
      sync_due (self, FALSE);
    }

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      refresh_peers (self);
    }
}

static void
refresh_peers (CareSyncService *self)
{
  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }
  self->refreshing = TRUE;
  care_store_run_async (self->store, job_read_peers, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                        self->cancellable, on_peers_read, g_object_ref (self));
}

/* Syncing */

typedef struct
{
  CareSyncService *self;
  char            *device_id;
} SyncContext;

static void
on_peer_synced (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncContext *context = user_data;
  CareSyncService *self = context->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(CareSyncReport) report = care_sync_peer_finish (result, &error);
  Runtime *runtime = runtime_of (self, context->device_id);

  runtime->syncing = FALSE;
  if (report != NULL)
    {
      runtime->unreachable = FALSE;
      runtime->refused = FALSE;
      runtime->backoff = BACKOFF_MIN_SECONDS;
      runtime->next_attempt = g_get_monotonic_time () + (gint64) PERIOD_SECONDS * G_USEC_PER_SEC;
      if (report->n_received > 0)
        {
          g_signal_emit (self, signals[DATA_CHANGED], 0);
          /* Relay soon: the other paired machines lack what just arrived. */
          on_store_changed (self, NULL);
        }
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      runtime->unreachable = g_error_matches (error, CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE);
      runtime->refused = !runtime->unreachable;
      runtime->next_attempt = g_get_monotonic_time () + (gint64) runtime->backoff * G_USEC_PER_SEC;
      runtime->backoff = MIN (runtime->backoff * 2, BACKOFF_MAX_SECONDS);
      g_debug ("Sync failed: %s", error->message);
    }

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    refresh_peers (self);

  g_object_unref (context->self);
  g_free (context->device_id);
  g_free (context);
}

static void
sync_peer (CareSyncService *self,
           CareSyncPeer    *peer)
{
  Runtime *runtime = runtime_of (self, peer->device_id);
  SyncContext *context;

  if (runtime->syncing || self->certificate == NULL)
    return;
  if (peer->address == NULL)
    {
      runtime->unreachable = TRUE;
      runtime->next_attempt = g_get_monotonic_time () + (gint64) BACKOFF_MAX_SECONDS * G_USEC_PER_SEC;
      update_status (self);
      return;
    }

  runtime->syncing = TRUE;
  peer->syncing = TRUE;
  context = g_new0 (SyncContext, 1);
  context->self = g_object_ref (self);
  context->device_id = g_strdup (peer->device_id);
  care_sync_peer_async (self->store, self->certificate, self->name, peer->address, peer->device_id,
                        self->cancellable, on_peer_synced, context);
  update_status (self);
  g_signal_emit (self, signals[PEERS_CHANGED], 0);
}

/* Every peer that is due (@force: every peer not syncing). */
static void
sync_due (CareSyncService *self,
          gboolean         force)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->peers)); i++)
    {
      g_autoptr(CareSyncPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);

      if (force || runtime_of (self, peer->device_id)->next_attempt <= now)
        sync_peer (self, peer);
    }
}

static gboolean
on_tick (gpointer user_data)
{
  CareSyncService *self = user_data;

  sync_due (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_debounced (gpointer user_data)
{
  CareSyncService *self = user_data;
  gint64 now = g_get_monotonic_time ();

  self->debounce_id = 0;
  /* A local change: every reachable machine soon; unreachable ones keep backing off. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->peers)); i++)
    {
      g_autoptr(CareSyncPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);
      Runtime *runtime = runtime_of (self, peer->device_id);

      if (!runtime->unreachable || runtime->next_attempt <= now)
        sync_peer (self, peer);
    }
  refresh_peers (self);

  return G_SOURCE_REMOVE;
}

static void
on_store_changed (CareSyncService *self,
                  const char      *table)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, on_debounced, self);
}

void
care_sync_service_sync_now (CareSyncService *self)
{
  g_return_if_fail (CARE_IS_SYNC_SERVICE (self));

  sync_due (self, TRUE);
}

/* Serving */

static void
on_received (CareSyncService *self,
             guint            n_new)
{
  g_signal_emit (self, signals[DATA_CHANGED], 0);
  on_store_changed (self, NULL);
}

static void
on_pair_requested (CareSyncService *self,
                   const char      *device_id,
                   const char      *name,
                   const char      *certificate_pem,
                   const char      *address)
{
  CarePairRequest *request;

  for (guint i = 0; i < self->pair_requests->len; i++)
    if (g_str_equal (((CarePairRequest *) g_ptr_array_index (self->pair_requests, i))->device_id, device_id))
      return;
  /* A handful at most: anyone on the LAN can ask. */
  if (self->pair_requests->len >= 5)
    g_ptr_array_remove_index (self->pair_requests, 0);

  request = g_new0 (CarePairRequest, 1);
  request->device_id = g_strdup (device_id);
  request->name = g_strdup (name);
  request->address = g_strdup (address);
  request->code = care_identity_pairing_code (self->device_id, device_id);
  request->certificate_pem = g_strdup (certificate_pem);
  g_ptr_array_add (self->pair_requests, request);
  g_signal_emit (self, signals[PAIR_REQUESTS_CHANGED], 0);
}

/* DNS-SD: machines found on the LAN (a paired one's address may have changed) */

/* A machine found on the LAN, or found at a new address, is tried at once: a
 * laptop back at the clinic, or a hub paired by id alone, need not wait out its
 * backoff (up to 15 minutes). */
static void
on_discovery_changed (CareSyncService *self)
{
  GHashTable *found = care_discovery_get_found (self->discovery);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->found_at);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (found, key))
      g_hash_table_iter_remove (&iter);

  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *address = strchr (value, '\t') + 1;
      Runtime *runtime;

      if (g_strcmp0 (g_hash_table_lookup (self->found_at, key), address) == 0)
        continue;
      g_hash_table_insert (self->found_at, g_strdup (key), g_strdup (address));
      runtime = runtime_of (self, key);
      runtime->next_attempt = 0;
      runtime->backoff = BACKOFF_MIN_SECONDS;
      self->sync_found = TRUE;
    }

  refresh_peers (self);
}

static void
start_discovery (CareSyncService *self)
{
  self->discovery = care_discovery_new (self->device_id, self->name,
                                        self->server ? care_sync_server_get_port (self->server) : 0);
  g_signal_connect_object (self->discovery, "changed", G_CALLBACK (on_discovery_changed), self, G_CONNECT_SWAPPED);
  care_discovery_browse (self->discovery);
}

/* Start */

static gpointer
job_certificate (CareDb        *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return care_identity_get_certificate (db, error);
}

static void
on_certificate (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CareSyncService) self = user_data;
  g_autoptr(GError) error = NULL;

  self->certificate = care_store_run_finish (CARE_STORE (source), result, &error);
  if (self->certificate == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->server_error = g_strdup_printf (_("Sync is off: %s"), error->message);
      update_status (self);
      return;
    }
  self->device_id = care_identity_device_id (self->certificate);

  self->server = care_sync_server_new (self->store, self->certificate, self->name);
  g_signal_connect_object (self->server, "received", G_CALLBACK (on_received), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server, "pair-requested", G_CALLBACK (on_pair_requested), self, G_CONNECT_SWAPPED);
  if (!care_sync_server_listen (self->server, self->port, FALSE, &error))
    {
      self->server_error = g_strdup_printf (_("Other computers cannot reach this one: port %u is in use (%s)"),
                                            self->port, error->message);
      g_clear_object (&self->server);
    }

  start_discovery (self);
  g_signal_connect_object (self->store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  self->tick_id = g_timeout_add_seconds (TICK_SECONDS, on_tick, self);
  refresh_peers (self);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (500, on_debounced, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
care_sync_service_start (CareSyncService *self)
{
  g_return_if_fail (CARE_IS_SYNC_SERVICE (self));

  care_store_run_async (self->store, job_certificate, NULL, NULL, g_object_unref,
                        self->cancellable, on_certificate, g_object_ref (self));
}

/* Pairing */

void
care_sync_service_request_pairing_async (CareSyncService     *self,
                                         const char          *address,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (CARE_IS_SYNC_SERVICE (self));

  if (self->certificate == NULL)
    {
      g_task_report_new_error (self, callback, user_data, care_sync_service_request_pairing_async,
                               CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE, _("Sync has not started yet."));
      return;
    }
  care_sync_request_pairing_async (self->certificate, self->name, care_sync_service_get_port (self),
                                   address, cancellable, callback, user_data);
}

CarePairOffer *
care_sync_service_request_pairing_finish (CareSyncService  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *device_id;
  char *name;
  char *address;
  char *certificate_pem;
  gboolean revoke;
} PeerChange;

static void
peer_change_free (PeerChange *change)
{
  g_free (change->device_id);
  g_free (change->name);
  g_free (change->address);
  g_free (change->certificate_pem);
  g_free (change);
}

static gpointer
job_change_peer (CareDb        *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  PeerChange *change = data;
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (change->revoke)
    return care_identity_untrust (db, change->device_id, error) ? GINT_TO_POINTER (1) : NULL;

  if (change->certificate_pem != NULL)
    certificate = g_tls_certificate_new_from_pem (change->certificate_pem, -1, NULL);
  if (!care_identity_trust (db, change->device_id, change->name, change->address, error) ||
      (certificate != NULL && !care_identity_remember_certificate (db, certificate, error)))
    return NULL;

  return GINT_TO_POINTER (1);
}

static void
on_peer_changed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CareSyncService) self = user_data;
  g_autoptr(GError) error = NULL;

  if (care_store_run_finish (CARE_STORE (source), result, &error) == NULL)
    g_warning ("Could not save the pairing: %s", error->message);
  refresh_peers (self);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (200, on_debounced, self);
}

static void
drop_request (CareSyncService *self,
              const char      *device_id)
{
  for (guint i = 0; i < self->pair_requests->len; i++)
    if (g_str_equal (((CarePairRequest *) g_ptr_array_index (self->pair_requests, i))->device_id, device_id))
      {
        g_ptr_array_remove_index (self->pair_requests, i);
        g_signal_emit (self, signals[PAIR_REQUESTS_CHANGED], 0);
        return;
      }
}

void
care_sync_service_pair (CareSyncService *self,
                        const char      *device_id,
                        const char      *name,
                        const char      *address,
                        const char      *certificate_pem)
{
  PeerChange *change = g_new0 (PeerChange, 1);

  change->device_id = g_strdup (device_id);
  change->name = g_strdup (name);
  change->address = g_strdup (address);
  change->certificate_pem = g_strdup (certificate_pem);
  runtime_of (self, device_id)->next_attempt = 0;
  care_store_run_async (self->store, job_change_peer, change, (GDestroyNotify) peer_change_free, NULL,
                        self->cancellable, on_peer_changed, g_object_ref (self));
  drop_request (self, device_id);
}

void
care_sync_service_refuse_pairing (CareSyncService *self,
                                  const char      *device_id)
{
  drop_request (self, device_id);
}

void
care_sync_service_unpair (CareSyncService *self,
                          const char      *device_id)
{
  PeerChange *change = g_new0 (PeerChange, 1);

  change->device_id = g_strdup (device_id);
  change->revoke = TRUE;
  care_store_run_async (self->store, job_change_peer, change, (GDestroyNotify) peer_change_free, NULL,
                        self->cancellable, on_peer_changed, g_object_ref (self));
}

/* USB bundles */

typedef struct
{
  GTlsCertificate *certificate;
  char            *device_id;   /* export: for whom; import: from whom (out) */
  char            *path;
  guint            count;
} BundleJob;

static void
bundle_job_free (BundleJob *job)
{
  g_clear_object (&job->certificate);
  g_free (job->device_id);
  g_free (job->path);
  g_free (job);
}

static gpointer
job_export_bundle (CareDb        *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  BundleJob *job = data;

  if (!care_bundle_export (db, job->certificate, job->device_id, FALSE, job->path, &job->count, error))
    return NULL;

  return GUINT_TO_POINTER (job->count + 1);
}

static gpointer
job_import_bundle (CareDb        *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  BundleJob *job = data;

  if (!care_bundle_import (db, job->certificate, job->path, &job->count, NULL, error))
    return NULL;

  return GUINT_TO_POINTER (job->count + 1);
}

static void
on_bundle_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CareSyncService *self = g_task_get_source_object (task);
  GError *error = NULL;
  gpointer count = care_store_run_finish (CARE_STORE (source), result, &error);

  if (count == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_get_source_tag (task) == care_sync_service_import_bundle_async && GPOINTER_TO_UINT (count) > 1)
    {
      g_signal_emit (self, signals[DATA_CHANGED], 0);
      refresh_peers (self);
    }
  g_task_return_int (task, GPOINTER_TO_UINT (count) - 1);
}

static void
run_bundle_job (CareSyncService     *self,
                gpointer             source_tag,
                CareStoreWorkFunc    func,
                const char          *device_id,
                const char          *path,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);
  BundleJob *job;

  g_task_set_source_tag (task, source_tag);
  if (self->certificate == NULL)
    {
      g_task_return_new_error (task, CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE, _("Sync has not started yet."));
      g_object_unref (task);
      return;
    }
  job = g_new0 (BundleJob, 1);
  job->certificate = g_object_ref (self->certificate);
  job->device_id = g_strdup (device_id);
  job->path = g_strdup (path);
  care_store_run_async (self->store, func, job, (GDestroyNotify) bundle_job_free, NULL,
                        self->cancellable, on_bundle_done, task);
}

void
care_sync_service_export_bundle_async (CareSyncService     *self,
                                       const char          *device_id,
                                       const char          *path,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  run_bundle_job (self, care_sync_service_export_bundle_async, job_export_bundle, device_id, path, callback, user_data);
}

void
care_sync_service_import_bundle_async (CareSyncService     *self,
                                       const char          *path,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  run_bundle_job (self, care_sync_service_import_bundle_async, job_import_bundle, NULL, path, callback, user_data);
}

gssize
care_sync_service_bundle_finish (CareSyncService  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

/* Accessors */

CareSyncStatus care_sync_service_get_status (CareSyncService *self) { return self->status; }
const char *care_sync_service_get_status_text (CareSyncService *self) { return self->status_text; }
const char *care_sync_service_get_device_id (CareSyncService *self) { return self->device_id; }
const char *care_sync_service_get_name (CareSyncService *self) { return self->name; }
GListModel *care_sync_service_get_peers (CareSyncService *self) { return G_LIST_MODEL (self->peers); }
GPtrArray *care_sync_service_get_pair_requests (CareSyncService *self) { return self->pair_requests; }

guint
care_sync_service_get_port (CareSyncService *self)
{
  return self->server ? care_sync_server_get_port (self->server) : 0;
}

GPtrArray *
care_sync_service_get_nearby (CareSyncService *self)
{
  GPtrArray *nearby = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (self->discovery == NULL)
    return nearby;
  g_hash_table_iter_init (&iter, care_discovery_get_found (self->discovery));
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean paired = FALSE;

      for (guint i = 0; !paired && i < g_list_model_get_n_items (G_LIST_MODEL (self->peers)); i++)
        {
          g_autoptr(CareSyncPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);

          paired = g_str_equal (peer->device_id, key);
        }
      if (!paired)
        g_ptr_array_add (nearby, g_strdup (value));
    }

  return nearby;
}

static void
care_sync_service_dispose (GObject *object)
{
  CareSyncService *self = CARE_SYNC_SERVICE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_object (&self->discovery);
  g_clear_object (&self->server);
  g_clear_object (&self->store);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (care_sync_service_parent_class)->dispose (object);
}

static void
care_sync_service_finalize (GObject *object)
{
  CareSyncService *self = CARE_SYNC_SERVICE (object);

  g_free (self->name);
  g_free (self->device_id);
  g_free (self->server_error);
  g_free (self->status_text);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->peers);
  g_clear_pointer (&self->runtime, g_hash_table_unref);
  g_clear_pointer (&self->pair_requests, g_ptr_array_unref);
  g_clear_pointer (&self->found_at, g_hash_table_unref);

  G_OBJECT_CLASS (care_sync_service_parent_class)->finalize (object);
}

static void
care_sync_service_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CareSyncService *self = CARE_SYNC_SERVICE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_sync_service_class_init (CareSyncServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = care_sync_service_dispose;
  object_class->finalize = care_sync_service_finalize;
  object_class->get_property = care_sync_service_get_property;

  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, CARE_SYNC_STATUS_ERROR, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DATA_CHANGED] = g_signal_new ("data-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[PAIR_REQUESTS_CHANGED] = g_signal_new ("pair-requests-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[PEERS_CHANGED] = g_signal_new ("peers-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
care_sync_service_init (CareSyncService *self)
{
  self->cancellable = g_cancellable_new ();
  self->peers = g_list_store_new (CARE_TYPE_SYNC_PEER);
  self->runtime = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pair_requests = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_request_free);
  self->found_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->status_text = g_strdup (_("Not paired with any computer"));
}

CareSyncService *
care_sync_service_new (CareStore  *store,
                       const char *name,
                       guint       port)
{
  CareSyncService *self = g_object_new (CARE_TYPE_SYNC_SERVICE, NULL);

  self->store = g_object_ref (store);
  self->name = g_strdup (name && *name ? name : g_get_host_name ());
  self->port = port;

  return self;
}
