/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "care-identity.h"
#include "care-sync-client.h"
#include "care-sync-wire.h"

/*
 * One sync with one peer (docs/sync-protocol.md, "One sync"): hello, pull pages
 * until the peer has nothing more, push pages until it holds everything here.
 * Each step is a callback: network on the main context, database on the store's
 * worker.
 */

G_DEFINE_QUARK (care-sync-error-quark, care_sync_error)

#define TIMEOUT_SECONDS 30

void
care_sync_report_free (CareSyncReport *report)
{
  if (report == NULL)
    return;
  g_free (report->peer_device_id);
  g_free (report->peer_name);
  g_free (report);
}

typedef struct
{
  CareStore       *store;
  GTlsCertificate *certificate;
  char            *name;
  char            *address;
  char            *base_uri;
  char            *expected;
  SoupSession     *session;
  GHashTable      *trusted;        /* device ids paired here */
  char            *seen_device_id; /* the certificate the peer presented */
  GTlsCertificate *seen_certificate;
  GBytes          *hello;
  char            *vector_json;    /* ours, as sent in hello */
  GHashTable      *remote_vector;
  GQueue           pages;          /* pulled, waiting to be applied: (element-type GPtrArray) */
  gboolean         pulling;
  gboolean         applying;
  gboolean         pull_finished;
  gboolean         finished;       /* failed: callbacks still on their way do nothing */
  guint            pages_uncommitted;
  GHashTable      *hello_vector;   /* what the peer held at hello: pushing walks past it */
  GBytes          *next_body;      /* the next push, read and waiting */
  gboolean         preparing;
  guint            pushing;        /* pushes on their way */
  gboolean         push_all_prepared;
  gboolean         checking;
  gboolean         pull_complete;
  gboolean         push_complete;
  gint64           pull_cursor;
  gint64           push_cursor;
  CareSyncReport  *report;
  GError          *failure;        /* kept while the failure is recorded */
} SyncState;

static void
sync_state_free (SyncState *state)
{
  g_clear_object (&state->store);
  g_clear_object (&state->certificate);
  g_free (state->name);
  g_free (state->address);
  g_free (state->base_uri);
  g_free (state->expected);
  g_clear_object (&state->session);
  g_clear_pointer (&state->trusted, g_hash_table_unref);
  g_free (state->seen_device_id);
  g_clear_object (&state->seen_certificate);
  g_clear_pointer (&state->hello, g_bytes_unref);
  g_free (state->vector_json);
  g_clear_pointer (&state->remote_vector, g_hash_table_unref);
  g_queue_clear_full (&state->pages, (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&state->hello_vector, g_hash_table_unref);
  g_clear_pointer (&state->next_body, g_bytes_unref);
  g_clear_pointer (&state->report, care_sync_report_free);
  g_clear_error (&state->failure);
  g_free (state);
}

static void finish_sync (GTask *task, GError *error);

/* Database steps */

typedef struct
{
  GHashTable *trusted;
  GBytes     *hello;
  char       *vector_json;
} Start;

static void
start_free (Start *start)
{
  g_clear_pointer (&start->trusted, g_hash_table_unref);
  g_clear_pointer (&start->hello, g_bytes_unref);
  g_free (start->vector_json);
  g_free (start);
}

static gpointer
job_start (CareDb        *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  SyncState *state = data;
  g_autoptr(GPtrArray) peers = care_identity_list_peers (db, error);
  g_autoptr(GHashTable) vector = NULL;
  g_autofree char *columns = care_wire_columns_fingerprint (db);
  g_autofree char *device_id = care_identity_device_id (state->certificate);
  Start *start;
  GString *out;

  if (peers == NULL || !(vector = care_db_version_vector (db, error)))
    return NULL;

  start = g_new0 (Start, 1);
  start->trusted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < peers->len; i++)
    {
      CarePeer *peer = g_ptr_array_index (peers, i);

      if (peer->revoked_at == 0)
        g_hash_table_add (start->trusted, g_strdup (peer->device_id));
    }

  out = g_string_new ("{\"device\":");
  care_wire_append_string (out, device_id);
  g_string_append (out, ",\"name\":");
  care_wire_append_string (out, state->name);
  g_string_append_printf (out, ",\"schema\":%d,\"columns\":", care_db_get_user_version (db));
  care_wire_append_string (out, columns);
  g_string_append (out, ",\"vector\":");
  care_wire_append_vector (out, vector);
  g_string_append_printf (out, ",\"clock\":%" G_GINT64_FORMAT "}", care_db_now_ms (db));
  start->hello = g_string_free_to_bytes (out);

  out = g_string_new (NULL);
  care_wire_append_vector (out, vector);
  start->vector_json = g_string_free (out, FALSE);

  return start;
}

/* Pulled pages are applied each in a savepoint of a transaction committed every
 * few pages (and before pushing, and at the end): a sync cut short keeps every
 * page up to the last commit. */
#define PAGES_PER_COMMIT 5

typedef struct
{
  GPtrArray *changes;
  guint      n_new;
  gboolean   commit;
} Apply;

static gpointer
job_apply (CareDb        *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Apply *apply = data;

  if (!care_db_in_transaction (db) && !care_db_begin (db, error))
    return NULL;
  if (!care_db_apply_changes (db, apply->changes, &apply->n_new, error))
    {
      /* The page is undone; the pages before it stay. */
      care_db_commit (db, NULL);
      return NULL;
    }
  if (apply->commit && !care_db_commit (db, error))
    return NULL;

  return GUINT_TO_POINTER (apply->n_new + 1);
}

typedef struct
{
  GHashTable *remote_vector;
  gint64      cursor;
  GBytes     *body;       /* NULL: nothing more to send */
  gboolean    covered;    /* the peer's vector covers everything held here */
} NextPush;

static void
next_push_free (NextPush *next)
{
  g_clear_pointer (&next->remote_vector, g_hash_table_unref);
  g_clear_pointer (&next->body, g_bytes_unref);
  g_free (next);
}

static gboolean
vector_covers (GHashTable *theirs,
               GHashTable *ours)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, ours);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 *held = g_hash_table_lookup (theirs, key);

      if (*(gint64 *) value > 0 && (held == NULL || *held < *(gint64 *) value))
        return FALSE;
    }

  return TRUE;
}

static gpointer
job_next_push (CareDb        *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  NextPush *in = data;
  NextPush *next = g_new0 (NextPush, 1);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GHashTable) ours = NULL;

  next->cursor = in->cursor;
  if (care_db_in_transaction (db) && !care_db_commit (db, error))
    {
      next_push_free (next);
      return NULL;
    }
  if (!(page = care_db_changes_since (db, in->remote_vector, &next->cursor, CARE_WIRE_PAGE_CHANGES, error)) ||
      !(ours = care_db_version_vector (db, error)))
    {
      next_push_free (next);
      return NULL;
    }

  if (page->len > 0)
    {
      GString *out = g_string_sized_new (64 * 1024);
      gsize bytes = 0;
      guint n = 0;

      /* At most a page and about a megabyte. */
      for (; n < page->len && (n == 0 || bytes < CARE_WIRE_PAGE_BYTES); n++)
        {
          CareChange *change = g_ptr_array_index (page, n);

          bytes += strlen (change->fields) + strlen (change->record_id) + 64;
          next->cursor = change->cursor;
        }
      g_string_append_c (out, '{');
      care_wire_append_page (out, page, n);
      g_string_append_c (out, '}');
      /* Compressed here, off the main thread. */
      next->body = care_wire_gzip (out->str, out->len);
      g_string_free (out, TRUE);
    }
  next->covered = vector_covers (in->remote_vector, ours);

  return next;
}

typedef struct
{
  char            *device_id;
  gboolean         synced;
  char            *message;
  GTlsCertificate *certificate;    /* the peer's, when it answered */
  char            *acked_vector;   /* what it holds, when it said */
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->device_id);
  g_free (outcome->message);
  g_clear_object (&outcome->certificate);
  g_free (outcome->acked_vector);
  g_free (outcome);
}

static gpointer
job_record (CareDb        *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  Outcome *outcome = data;

  /* Whatever was pulled stays. */
  if (care_db_in_transaction (db) && !care_db_commit (db, error))
    return NULL;
  if (outcome->device_id == NULL)
    return GINT_TO_POINTER (1);

  if (!care_identity_record_sync (db, outcome->device_id, outcome->synced, outcome->message, error) ||
      (outcome->certificate != NULL && !care_identity_remember_certificate (db, outcome->certificate, error)) ||
      (outcome->acked_vector != NULL && !care_identity_set_acked_vector (db, outcome->device_id, outcome->acked_vector, error)))
    return NULL;

  return GINT_TO_POINTER (1);
}

/* Network steps. Each step function takes the caller's reference to the task;
 * post() and the store take their own. */

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  SyncState *state = user_data;
  g_autofree char *device_id = care_identity_device_id (certificate);

  state->report->handshakes++;
  g_free (state->seen_device_id);
  state->seen_device_id = g_strdup (device_id);
  g_set_object (&state->seen_certificate, certificate);

  /* Pinned: the certificate is trusted because we paired with its owner. */
  return g_hash_table_contains (state->trusted, device_id) &&
         (state->expected == NULL || g_str_equal (state->expected, device_id));
}

static void
post_full (GTask               *task,
           const char          *path,
           GBytes              *json,
           gboolean             zipped,
           GAsyncReadyCallback  callback)
{
  SyncState *state = g_task_get_task_data (task);
  g_autofree char *uri = g_strconcat (state->base_uri, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, uri);
  g_autoptr(GBytes) body = NULL;

  if (msg == NULL)
    {
      finish_sync (g_object_ref (task), g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE,
                                                     _("“%s” is not an address (use host:port)."), state->address));
      return;
    }

  if (zipped || g_bytes_get_size (json) > 1024)
    {
      body = zipped ? g_bytes_ref (json) : care_wire_gzip (g_bytes_get_data (json, NULL), g_bytes_get_size (json));
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Encoding", "gzip");
    }
  else
    body = g_bytes_ref (json);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_set_tls_client_certificate (msg, state->certificate);
  /* Every request of the protocol may be repeated: a page applied twice changes
   * nothing (docs/sync-protocol.md). Saying so lets libsoup reuse a kept-alive
   * connection for a POST, instead of a new TLS handshake per page. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), state);
  state->report->bytes_sent += g_bytes_get_size (body);

  soup_session_send_and_read_async (state->session, msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    callback, g_object_ref (task));
  /* The session holds the message until it is answered (soup_session_get_async_result_message). */
}

static void
post (GTask               *task,
      const char          *path,
      GBytes              *json,
      GAsyncReadyCallback  callback)
{
  post_full (task, path, json, FALSE, callback);
}

/* The JSON object the peer answered (or, with @page_out, its raw body), or NULL
 * after finishing the sync with an error. */
static JsonObject *
read_answer_full (GTask        *task,
                  GAsyncResult *result,
                  JsonNode    **node_out,
                  GBytes      **page_out)
{
  SyncState *state = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (state->session, result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (state->session, result, &error);
  g_autoptr(JsonNode) node = NULL;
  guint status;

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
          (state->seen_device_id != NULL && !g_hash_table_contains (state->trusted, state->seen_device_id)))
        finish_sync (task, g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_NOT_PAIRED,
                                        _("The computer at %s is not paired with this one."), state->address));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_sync (task, g_steal_pointer (&error));
      else
        finish_sync (task, g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE,
                                        _("Could not reach %s: %s"), state->address, error->message));
      return NULL;
    }

  status = soup_message_get_status (msg);
  /* As it came over the wire: compressed, when it was. */
  {
    goffset length = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));

    state->report->bytes_received += length > 0 ? (guint64) length : g_bytes_get_size (bytes);
  }
  if (page_out != NULL && status == SOUP_STATUS_OK)
    {
      /* A page: read by its own reader. An empty object stands for "answered". */
      *page_out = g_steal_pointer (&bytes);
      *node_out = json_node_init (json_node_alloc (), JSON_NODE_OBJECT);
      json_node_take_object (*node_out, json_object_new ());
      return json_node_get_object (*node_out);
    }
  node = care_wire_parse_body (bytes, FALSE, &error);

  if (status == SOUP_STATUS_FORBIDDEN)
    {
      finish_sync (task, g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_NOT_PAIRED,
                                      _("The computer at %s does not know this one: pair them first."), state->address));
      return NULL;
    }
  if (status != SOUP_STATUS_OK || node == NULL)
    {
      const char *code = NULL, *message = NULL;

      if (node != NULL)
        {
          JsonObject *object = json_node_get_object (node);

          code = json_object_get_string_member_with_default (object, "error", NULL);
          message = json_object_get_string_member_with_default (object, "message", NULL);
        }
      finish_sync (task, g_error_new (CARE_SYNC_ERROR,
                                      g_strcmp0 (code, "incompatible-schema") == 0 ? CARE_SYNC_ERROR_INCOMPATIBLE
                                                                                   : CARE_SYNC_ERROR_REFUSED,
                                      _("%s refused the sync: %s"), state->address,
                                      message ? message : (node ? soup_status_get_phrase (status)
                                                                : _("its answer was not readable"))));
      return NULL;
    }

  *node_out = g_steal_pointer (&node);
  return json_node_get_object (*node_out);
}

static JsonObject *
read_answer (GTask        *task,
             GAsyncResult *result,
             JsonNode    **node_out)
{
  return read_answer_full (task, result, node_out, NULL);
}

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  care_store_run_finish (CARE_STORE (source), result, &error);
  if (error != NULL)
    g_warning ("Could not save the sync status: %s", error->message);

  if (state->failure != NULL)
    g_task_return_error (task, g_steal_pointer (&state->failure));
  else
    g_task_return_pointer (task, g_steal_pointer (&state->report), (GDestroyNotify) care_sync_report_free);
}

/* Ends the sync (with @error, or with the report), recording the outcome first. */
static void
finish_sync (GTask  *task,
             GError *error)
{
  SyncState *state = g_task_get_task_data (task);
  const char *device_id = state->report->peer_device_id ? state->report->peer_device_id : state->expected;
  Outcome *outcome;

  state->failure = error;
  outcome = g_new0 (Outcome, 1);
  /* Nothing to record about a machine that is not (or no longer) paired; the
   * job still commits whatever was pulled. */
  if (device_id != NULL && g_hash_table_contains (state->trusted, device_id) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      outcome->device_id = g_strdup (device_id);
      outcome->synced = error == NULL && state->report->synced;
      outcome->message = error != NULL ? g_strdup (error->message)
                                       : state->report->synced ? NULL : g_strdup (_("Not every change was acknowledged."));
      if (state->report->peer_device_id != NULL && state->seen_certificate != NULL)
        outcome->certificate = g_object_ref (state->seen_certificate);
      if (state->remote_vector != NULL && state->report->peer_device_id != NULL)
        {
          GString *vector = g_string_new (NULL);

          care_wire_append_vector (vector, state->remote_vector);
          outcome->acked_vector = g_string_free (vector, FALSE);
        }
    }
  care_store_run_async (state->store, job_record, outcome, (GDestroyNotify) outcome_free, NULL,
                        NULL, on_recorded, task);
}

/* Pushing: the next page is read while the last ones are on their way, and two
 * travel at once, so the peer always has the next one waiting. The pages walk our log past what the peer held at hello; at the end, the
 * peer's last answer must cover everything here. */

#define PUSHES_IN_FLIGHT 2

static void pump_push (GTask *task);

/* Pulling and pushing run side by side after hello (the peer applies our pages
 * while we apply theirs); the sync ends when both are done. Takes the caller's
 * reference. */
static void
maybe_finish (GTask *task)
{
  SyncState *state = g_task_get_task_data (task);

  if (state->push_complete && state->pull_complete && !state->finished)
    {
      state->finished = TRUE;
      finish_sync (task, NULL);
      return;
    }
  g_object_unref (task);
}

static void
on_pushed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) vector = NULL;
  JsonObject *answer;
  gint64 applied;

  state->pushing--;
  if (state->finished)
    {
      g_autoptr(GBytes) unwanted = soup_session_send_and_read_finish (state->session, result, NULL);

      return;
    }
  if ((answer = read_answer (task, result, &node)) == NULL)
    {
      state->finished = TRUE;
      g_steal_pointer (&task);
      return;
    }
  if (!care_wire_get_int (answer, "applied", &applied, &error) ||
      !(vector = care_wire_get_vector (answer, "vector", &error)))
    {
      state->finished = TRUE;
      finish_sync (g_steal_pointer (&task), g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_REFUSED,
                                                         _("%s answered a push unreadably."), state->address));
      return;
    }
  state->report->n_sent += (guint) MAX (applied, 0);
  /* Answers may come back in any order (two pushes travel at once): what the peer
   * holds is the most any of them said. */
  if (vector != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, vector);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gint64 *held = g_hash_table_lookup (state->remote_vector, key);

          if (held == NULL || *held < *(gint64 *) value)
            g_hash_table_insert (state->remote_vector, g_strdup (key), g_memdup2 (value, sizeof (gint64)));
        }
    }

  pump_push (g_steal_pointer (&task));
}

static void
on_next_push (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  GError *error = NULL;
  NextPush *next = care_store_run_finish (CARE_STORE (source), result, &error);

  state->preparing = FALSE;
  if (state->finished)
    {
      g_clear_error (&error);
      g_clear_pointer (&next, next_push_free);
      return;
    }
  if (next == NULL)
    {
      state->finished = TRUE;
      finish_sync (g_steal_pointer (&task), error);
      return;
    }

  if (state->checking)
    {
      /* The end: synced only when the peer's own answer shows it holds everything
       * here (and nothing new was written meanwhile). */
      state->report->synced = next->covered && next->body == NULL;
      next_push_free (next);
      state->push_complete = TRUE;
      maybe_finish (g_steal_pointer (&task));
      return;
    }

  state->push_cursor = next->cursor;
  if (next->body != NULL)
    state->next_body = g_steal_pointer (&next->body);
  else
    state->push_all_prepared = TRUE;
  next_push_free (next);
  pump_push (g_steal_pointer (&task));
}

static void
prepare_push (GTask      *task,
              GHashTable *remote_vector)
{
  SyncState *state = g_task_get_task_data (task);
  NextPush *in = g_new0 (NextPush, 1);

  in->remote_vector = g_hash_table_ref (remote_vector);
  in->cursor = state->push_cursor;
  state->preparing = TRUE;
  care_store_run_async (state->store, job_next_push, in,
                        (GDestroyNotify) next_push_free, (GDestroyNotify) next_push_free,
                        g_task_get_cancellable (task), on_next_push, g_object_ref (task));
}

/* Takes the caller's reference. */
static void
pump_push (GTask *task)
{
  SyncState *state = g_task_get_task_data (task);

  if (state->hello_vector == NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      /* A copy: the peer's answers grow remote_vector as the pushes land. */
      state->hello_vector = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, state->remote_vector);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (state->hello_vector, g_strdup (key), g_memdup2 (value, sizeof (gint64)));
    }

  if (state->pushing < PUSHES_IN_FLIGHT && state->next_body != NULL)
    {
      g_autoptr(GBytes) body = g_steal_pointer (&state->next_body);

      state->pushing++;
      post_full (task, "/v1/push", body, TRUE, on_pushed);
    }
  if (!state->preparing && !state->push_all_prepared && state->next_body == NULL)
    prepare_push (task, state->hello_vector);

  if (state->pushing == 0 && !state->preparing && state->push_all_prepared && state->next_body == NULL &&
      !state->checking)
    {
      state->checking = TRUE;
      prepare_push (task, state->remote_vector);
    }

  g_object_unref (task);
}

/* Pulling: the next page is asked for while this one is applied (at most one
 * page waits), so the network and the database work at once. */

static void pump_pull (GTask *task);

static void
apply_free (Apply *apply)
{
  g_clear_pointer (&apply->changes, g_ptr_array_unref);
  g_free (apply);
}

static void
on_applied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer applied = care_store_run_finish (CARE_STORE (source), result, &error);

  state->applying = FALSE;
  if (state->finished)
    {
      g_clear_error (&error);
      return;
    }
  if (applied == NULL)
    {
      state->finished = TRUE;
      finish_sync (g_steal_pointer (&task), error);
      return;
    }
  state->report->n_received += GPOINTER_TO_UINT (applied) - 1;
  pump_pull (g_steal_pointer (&task));
}

static void
on_pulled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GBytes) page = NULL;
  gboolean more = FALSE;

  state->pulling = FALSE;
  if (state->finished)
    {
      /* Failed meanwhile: the answer is not wanted. */
      g_autoptr(GBytes) unwanted = soup_session_send_and_read_finish (state->session, result, NULL);

      return;
    }
  if (read_answer_full (task, result, &node, &page) == NULL)
    {
      state->finished = TRUE;
      g_steal_pointer (&task);
      return;
    }
  if (!(changes = care_wire_parse_page (page, FALSE, &state->pull_cursor, &more, &error)))
    {
      state->finished = TRUE;
      finish_sync (g_steal_pointer (&task), g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_REFUSED,
                                                         _("%s sent changes that could not be read; nothing of them was applied."),
                                                         state->address));
      return;
    }
  if (!more || changes->len == 0)
    state->pull_finished = TRUE;
  if (changes->len > 0)
    g_queue_push_tail (&state->pages, g_steal_pointer (&changes));

  pump_pull (g_steal_pointer (&task));
}

static void
post_pull (GTask *task)
{
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GString *out = g_string_new ("{\"vector\":");

  /* Our vector as sent in hello: the cursor walks the peer's log past it. */
  g_string_append (out, state->vector_json);
  g_string_append_printf (out, ",\"cursor\":%" G_GINT64_FORMAT ",\"limit\":%d}", state->pull_cursor, CARE_WIRE_PAGE_CHANGES);
  body = g_string_free_to_bytes (out);
  state->pulling = TRUE;
  post (task, "/v1/pull", body, on_pulled);
}

/* Takes the caller's reference. */
static void
pump_pull (GTask *task)
{
  SyncState *state = g_task_get_task_data (task);

  if (!state->applying && state->pages.length > 0)
    {
      Apply *apply = g_new0 (Apply, 1);

      apply->changes = g_queue_pop_head (&state->pages);
      apply->commit = ++state->pages_uncommitted >= PAGES_PER_COMMIT;
      if (apply->commit)
        state->pages_uncommitted = 0;
      state->applying = TRUE;
      care_store_run_batch_async (state->store, job_apply, apply, (GDestroyNotify) apply_free, NULL,
                            g_task_get_cancellable (task), on_applied, g_object_ref (task));
    }
  if (!state->pulling && !state->pull_finished && state->pages.length == 0)
    post_pull (task);

  if (!state->applying && !state->pulling && state->pull_finished && state->pages.length == 0)
    {
      state->pull_complete = TRUE;
      maybe_finish (task);
    }
  else
    g_object_unref (task);
}

static void
on_hello (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *answer = read_answer (task, result, &node);
  const char *name;
  gint64 schema;

  if (answer == NULL)
    {
      g_steal_pointer (&task);
      return;
    }
  if (!(name = care_wire_get_string (answer, "name", &error)) ||
      !care_wire_get_int (answer, "schema", &schema, &error) ||
      !(state->remote_vector = care_wire_get_vector (answer, "vector", &error)))
    {
      finish_sync (g_steal_pointer (&task), g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_REFUSED,
                                                         _("%s answered unreadably: %s"), state->address, error->message));
      return;
    }
  if (schema < 2)
    {
      finish_sync (g_steal_pointer (&task), g_error_new (CARE_SYNC_ERROR, CARE_SYNC_ERROR_INCOMPATIBLE,
                                                         _("The computer at %s runs a Caremesh too old to sync; update it first."),
                                                         state->address));
      return;
    }

  state->report->peer_device_id = g_strdup (state->seen_device_id);
  state->report->peer_name = g_strdup (name);
  pump_push (g_object_ref (task));
  pump_pull (g_steal_pointer (&task));
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  SyncState *state = g_task_get_task_data (task);
  GError *error = NULL;
  Start *start = care_store_run_finish (CARE_STORE (source), result, &error);

  if (start == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  state->trusted = g_steal_pointer (&start->trusted);
  state->hello = g_steal_pointer (&start->hello);
  state->vector_json = g_steal_pointer (&start->vector_json);
  start_free (start);

  post (task, "/v1/hello", state->hello, on_hello);
  g_object_unref (task);
}

void
care_sync_peer_async (CareStore           *store,
                      GTlsCertificate     *certificate,
                      const char          *name,
                      const char          *address,
                      const char          *expected_device_id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  SyncState *state = g_new0 (SyncState, 1);

  g_task_set_source_tag (task, care_sync_peer_async);
  state->store = g_object_ref (store);
  state->certificate = g_object_ref (certificate);
  state->name = g_strdup (name ? name : g_get_host_name ());
  state->address = g_strdup (address);
  state->base_uri = g_strconcat ("https://", address, NULL);
  state->expected = g_strdup (expected_device_id);
  state->session = soup_session_new_with_options ("timeout", TIMEOUT_SECONDS, "idle-timeout", 60,
                                                  "user-agent", "caremesh/" PACKAGE_VERSION, NULL);
  state->report = g_new0 (CareSyncReport, 1);
  g_task_set_task_data (task, state, (GDestroyNotify) sync_state_free);

  care_store_run_async (store, job_start, state, NULL, (GDestroyNotify) start_free,
                        cancellable, on_started, task);
}

CareSyncReport *
care_sync_peer_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Pairing requests */

void
care_pair_offer_free (CarePairOffer *offer)
{
  if (offer == NULL)
    return;
  g_free (offer->device_id);
  g_free (offer->name);
  g_free (offer->code);
  g_clear_object (&offer->certificate);
  g_free (offer);
}

typedef struct
{
  SoupSession     *session;
  SoupMessage     *msg;
  GTlsCertificate *own;
  GTlsCertificate *theirs;
  char            *address;
} PairState;

static void
pair_state_free (PairState *state)
{
  g_clear_object (&state->session);
  g_clear_object (&state->msg);
  g_clear_object (&state->own);
  g_clear_object (&state->theirs);
  g_free (state->address);
  g_free (state);
}

/* Any certificate, kept: the person compares the pairing code it gives. */
static gboolean
on_pair_accept_certificate (SoupMessage          *msg,
                            GTlsCertificate      *certificate,
                            GTlsCertificateFlags  errors,
                            gpointer              user_data)
{
  PairState *state = user_data;

  g_set_object (&state->theirs, certificate);
  return TRUE;
}

static void
on_pair_answered (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PairState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (state->session, result, &error);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CarePairOffer) offer = NULL;
  g_autofree char *own_id = NULL;
  JsonObject *answer;
  const char *device, *name, *status;

  if (bytes == NULL)
    {
      g_task_return_new_error (task, CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE,
                               _("Could not reach %s: %s"), state->address, error->message);
      return;
    }
  if (soup_message_get_status (state->msg) != SOUP_STATUS_OK ||
      !(node = care_wire_parse_body (bytes, FALSE, NULL)) ||
      !(device = care_wire_get_string ((answer = json_node_get_object (node)), "device", NULL)) ||
      !(name = care_wire_get_string (answer, "name", NULL)) ||
      !(status = care_wire_get_string (answer, "status", NULL)) || state->theirs == NULL)
    {
      g_task_return_new_error (task, CARE_SYNC_ERROR, CARE_SYNC_ERROR_REFUSED,
                               _("The computer at %s did not answer like Caremesh."), state->address);
      return;
    }

  offer = g_new0 (CarePairOffer, 1);
  offer->device_id = care_identity_device_id (state->theirs);
  /* It must name the certificate it showed. */
  if (g_strcmp0 (device, offer->device_id) != 0)
    {
      g_task_return_new_error (task, CARE_SYNC_ERROR, CARE_SYNC_ERROR_REFUSED,
                               _("The computer at %s did not answer like Caremesh."), state->address);
      return;
    }
  own_id = care_identity_device_id (state->own);
  offer->name = g_strdup (name);
  offer->code = care_identity_pairing_code (own_id, offer->device_id);
  offer->certificate = g_object_ref (state->theirs);
  offer->paired = g_str_equal (status, "paired");

  g_task_return_pointer (task, g_steal_pointer (&offer), (GDestroyNotify) care_pair_offer_free);
}

void
care_sync_request_pairing_async (GTlsCertificate     *certificate,
                                 const char          *name,
                                 guint                own_port,
                                 const char          *address,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  PairState *state = g_new0 (PairState, 1);
  g_autofree char *uri = g_strconcat ("https://", address, "/v1/pair", NULL);
  g_autoptr(GBytes) body = NULL;
  GString *json = g_string_new ("{\"name\":");

  g_task_set_source_tag (task, care_sync_request_pairing_async);
  g_task_set_task_data (task, state, (GDestroyNotify) pair_state_free);
  state->own = g_object_ref (certificate);
  state->address = g_strdup (address);
  state->session = soup_session_new_with_options ("timeout", TIMEOUT_SECONDS, NULL);
  state->msg = soup_message_new (SOUP_METHOD_POST, uri);
  if (state->msg == NULL)
    {
      g_string_free (json, TRUE);
      g_task_return_new_error (task, CARE_SYNC_ERROR, CARE_SYNC_ERROR_UNREACHABLE,
                               _("“%s” is not an address (use host:port)."), address);
      g_object_unref (task);
      return;
    }

  care_wire_append_string (json, name ? name : g_get_host_name ());
  if (own_port > 0)
    g_string_append_printf (json, ",\"port\":%u", own_port);
  g_string_append_c (json, '}');
  body = g_string_free_to_bytes (json);
  soup_message_set_request_body_from_bytes (state->msg, "application/json", body);
  soup_message_set_tls_client_certificate (state->msg, certificate);
  g_signal_connect (state->msg, "accept-certificate", G_CALLBACK (on_pair_accept_certificate), state);
  soup_session_send_and_read_async (state->session, state->msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_pair_answered, task);
}

CarePairOffer *
care_sync_request_pairing_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
