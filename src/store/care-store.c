/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-store"

#include "config.h"

#include <glib/gi18n.h>

#include "care-store.h"

struct _CareStore
{
  GObject      parent_instance;

  char        *path;
  char        *device_id;   /* copied to the main thread when opened */
  GThreadPool *pool;        /* one thread; it alone touches db */
  CareDb      *db;
  guint        checkpoint_source;
  gint         jobs_since_checkpoint;  /* atomic */
  gint         last_job_end;           /* atomic: monotonic seconds */
};

G_DEFINE_FINAL_TYPE (CareStore, care_store, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct
{
  GTask             *task;
  CareStoreWorkFunc  func;
  gpointer           data;
  GDestroyNotify     data_free;
  GDestroyNotify     result_free;
  gboolean           batch;   /* may find and leave a transaction open (sync pages) */
} Job;

static gboolean
unref_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* The worker's reference on a task is dropped on the task's own context: were it
 * the last one, the store itself could otherwise be finalized on its worker. */
static void
job_free (Job *job)
{
  GSource *source = g_idle_source_new ();

  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  g_source_set_callback (source, unref_task_cb, job->task, NULL);
  g_source_attach (source, g_task_get_context (job->task));
  g_source_unref (source);
  g_free (job);
}

static void
store_worker (gpointer data,
              gpointer user_data)
{
  Job *job = data;
  CareStore *self = user_data;
  GCancellable *cancellable = g_task_get_cancellable (job->task);
  GError *error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (job->task))
    {
      job_free (job);
      return;
    }

  if (self->db == NULL && g_task_get_source_tag (job->task) != care_store_open_async)
    {
      g_task_return_new_error (job->task, CARE_DB_ERROR, CARE_DB_ERROR_FAILED,
                               _("The database is not open."));
      job_free (job);
      return;
    }

  /* A transaction a sync left open between its pages ends before anything else
   * runs: a person's edit is never held back in it. */
  if (!job->batch && self->db != NULL && care_db_in_transaction (self->db) &&
      !care_db_commit (self->db, &error))
    {
      g_task_return_error (job->task, error);
      job_free (job);
      return;
    }

  result = job->func (self->db, job->data, cancellable, &error);
  g_atomic_int_inc (&self->jobs_since_checkpoint);
  g_atomic_int_set (&self->last_job_end, (gint) (g_get_monotonic_time () / G_USEC_PER_SEC));
  if (error != NULL)
    g_task_return_error (job->task, error);
  else
    g_task_return_pointer (job->task, result, job->result_free);

  job_free (job);
}

/* The write-ahead log is copied back into the database when the store has been
 * idle for two seconds (looked at every five), not in the middle of a sync's
 * commits (checkpointing there cost a page tens of milliseconds). SQLite's own
 * checkpoint stays as a backstop. */
static gpointer
checkpoint_worker (CareDb        *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  care_db_index_pending (db, NULL);
  care_db_exec (db, "PRAGMA wal_checkpoint(PASSIVE)", NULL);
  return GINT_TO_POINTER (1);
}

static gboolean
checkpoint_when_idle (gpointer user_data)
{
  CareStore *self = user_data;
  gint now = (gint) (g_get_monotonic_time () / G_USEC_PER_SEC);

  if (self->db != NULL && g_atomic_int_get (&self->jobs_since_checkpoint) > 0 &&
      now - g_atomic_int_get (&self->last_job_end) >= 2)
    {
      g_atomic_int_set (&self->jobs_since_checkpoint, 0);
      care_store_run_async (self, checkpoint_worker, NULL, NULL, NULL, NULL, NULL, NULL);
      /* The checkpoint is a job too: it must not count as work to checkpoint. */
      g_atomic_int_add (&self->jobs_since_checkpoint, -1);
    }

  return G_SOURCE_CONTINUE;
}

static void
care_store_dispose (GObject *object)
{
  CareStore *self = CARE_STORE (object);

  g_clear_handle_id (&self->checkpoint_source, g_source_remove);

  G_OBJECT_CLASS (care_store_parent_class)->dispose (object);
}

static void
care_store_finalize (GObject *object)
{
  CareStore *self = CARE_STORE (object);

  /* Waits for queued jobs; each holds a reference on self, so none is left. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_pointer (&self->db, care_db_close);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->device_id, g_free);

  G_OBJECT_CLASS (care_store_parent_class)->finalize (object);
}

static void
care_store_class_init (CareStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = care_store_dispose;
  object_class->finalize = care_store_finalize;

  /**
   * CareStore::changed:
   * @table: the record type that was written
   *
   * Emitted on the main thread after a write through this store.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
care_store_init (CareStore *self)
{
  self->pool = g_thread_pool_new (store_worker, self, 1, FALSE, NULL);
}

CareStore *
care_store_new (const char *path)
{
  CareStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (CARE_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->checkpoint_source = g_timeout_add_seconds (5, checkpoint_when_idle, self);

  return self;
}

const char *
care_store_get_path (CareStore *self)
{
  g_return_val_if_fail (CARE_IS_STORE (self), NULL);

  return self->path;
}

const char *
care_store_get_device_id (CareStore *self)
{
  g_return_val_if_fail (CARE_IS_STORE (self), NULL);

  return self->device_id;
}

gboolean
care_store_is_open (CareStore *self)
{
  g_return_val_if_fail (CARE_IS_STORE (self), FALSE);

  return self->device_id != NULL;
}

static void
push_job (CareStore           *self,
          gpointer             source_tag,
          CareStoreWorkFunc    func,
          gpointer             data,
          GDestroyNotify       data_free,
          GDestroyNotify       result_free,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;

  g_thread_pool_push (self->pool, job, NULL);
}

/* Opening */

typedef struct
{
  CareStore *self;
  char      *path;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *od = data;

  g_free (od->path);
  g_free (od);
}

static gpointer
open_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  OpenData *od = data;
  CareDb *opened;

  if (od->self->db != NULL)
    return g_strdup (care_db_get_device_id (od->self->db));

  if (!(opened = care_db_open (od->path, error)))
    return NULL;

  /* Only this thread ever touches the store's db. */
  od->self->db = opened;

  return g_strdup (care_db_get_device_id (opened));
}

void
care_store_open_async (CareStore           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  OpenData *od;

  g_return_if_fail (CARE_IS_STORE (self));

  od = g_new0 (OpenData, 1);
  od->self = self;
  od->path = g_strdup (self->path);
  push_job (self, care_store_open_async, open_worker, od, open_data_free, g_free,
            cancellable, callback, user_data);
}

gboolean
care_store_open_finish (CareStore     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  char *device_id;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  device_id = g_task_propagate_pointer (G_TASK (result), error);
  if (device_id == NULL)
    return FALSE;

  g_free (self->device_id);
  self->device_id = device_id;

  return TRUE;
}

void
care_store_run_async (CareStore           *self,
                      CareStoreWorkFunc    func,
                      gpointer             data,
                      GDestroyNotify       data_free,
                      GDestroyNotify       result_free,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (func != NULL);

  push_job (self, care_store_run_async, func, data, data_free, result_free,
            cancellable, callback, user_data);
}

void
care_store_run_batch_async (CareStore           *self,
                            CareStoreWorkFunc    func,
                            gpointer             data,
                            GDestroyNotify       data_free,
                            GDestroyNotify       result_free,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Job *job;

  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (func != NULL);

  job = g_new0 (Job, 1);
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, care_store_run_async);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  job->batch = TRUE;
  g_thread_pool_push (self->pool, job, NULL);
}

gpointer
care_store_run_finish (CareStore     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Requests: a small argument bag for the typed calls. */

typedef struct
{
  char       *actor;
  char       *table;
  char       *id;
  char       *text;      /* query, or order_by */
  gint64     *seqs;
  guint       n_seqs;
  CareFields *fields;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->actor);
  g_free (request->table);
  g_free (request->id);
  g_free (request->text);
  g_free (request->seqs);
  g_clear_pointer (&request->fields, care_fields_free);
  g_free (request);
}

static Request *
request_new (const char *actor,
             const char *table,
             const char *id,
             const char *text)
{
  Request *request = g_new0 (Request, 1);

  request->actor = g_strdup (actor);
  request->table = g_strdup (table);
  request->id = g_strdup (id);
  request->text = g_strdup (text);

  return request;
}

static gpointer
search_worker (CareDb        *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Request *request = data;

  return care_db_search_patients (db, request->actor, request->text, error);
}

void
care_store_search_async (CareStore           *self,
                         const char          *actor,
                         const char          *query,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (actor != NULL);

  push_job (self, care_store_search_async, search_worker,
            request_new (actor, NULL, NULL, query), request_free,
            (GDestroyNotify) g_array_unref, cancellable, callback, user_data);
}

GArray *
care_store_search_finish (CareStore     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
load_patients_worker (CareDb        *db,
                      gpointer       data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Request *request = data;

  return care_db_load_patients (db, request->actor, request->seqs, request->n_seqs, error);
}

void
care_store_load_patients_async (CareStore           *self,
                                const char          *actor,
                                const gint64        *seqs,
                                guint                n_seqs,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Request *request;

  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (actor != NULL);

  request = request_new (actor, NULL, NULL, NULL);
  request->seqs = g_memdup2 (seqs, sizeof (gint64) * n_seqs);
  request->n_seqs = n_seqs;
  push_job (self, care_store_load_patients_async, load_patients_worker, request, request_free,
            (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
care_store_load_patients_finish (CareStore     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
get_worker (CareDb        *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  Request *request = data;

  return care_db_get (db, request->actor, request->table, request->id, error);
}

void
care_store_get_async (CareStore           *self,
                      const char          *actor,
                      const char          *table,
                      const char          *id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (actor != NULL);

  push_job (self, care_store_get_async, get_worker,
            request_new (actor, table, id, NULL), request_free,
            g_object_unref, cancellable, callback, user_data);
}

CareRecord *
care_store_get_finish (CareStore     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
list_worker (CareDb        *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Request *request = data;

  return care_db_list (db, request->actor, request->table, request->id, request->text, error);
}

void
care_store_list_async (CareStore           *self,
                       const char          *actor,
                       const char          *table,
                       const char          *patient_id,
                       const char          *order_by,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (actor != NULL);

  push_job (self, care_store_list_async, list_worker,
            request_new (actor, table, patient_id, order_by), request_free,
            (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
care_store_list_finish (CareStore     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
put_worker (CareDb        *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  Request *request = data;
  char *id = NULL;

  if (!care_db_put (db, request->actor, request->table, request->id, request->fields, &id, error))
    return NULL;

  return id;
}

static void
on_put_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *outer = user_data;
  CareStore *self = CARE_STORE (object);
  GError *error = NULL;
  char *id;

  id = g_task_propagate_pointer (G_TASK (result), &error);
  if (id == NULL)
    g_task_return_error (outer, error);
  else
    {
      g_signal_emit (self, signals[CHANGED], 0, g_task_get_task_data (outer));
      g_task_return_pointer (outer, id, g_free);
    }

  g_object_unref (outer);
}

void
care_store_put_async (CareStore           *self,
                      const char          *actor,
                      const char          *table,
                      const char          *id,
                      CareFields          *fields,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  Request *request;
  GTask *outer;

  g_return_if_fail (CARE_IS_STORE (self));
  g_return_if_fail (actor != NULL);
  g_return_if_fail (fields != NULL);

  /* The outer task emits ::changed on the caller's thread before completing. */
  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, care_store_put_async);
  g_task_set_task_data (outer, g_strdup (table), g_free);

  request = request_new (actor, table, id, NULL);
  request->fields = fields;
  push_job (self, care_store_put_async, put_worker, request, request_free, g_free,
            cancellable, on_put_done_cb, outer);
}

char *
care_store_put_finish (CareStore     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
count_worker (CareDb        *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Request *request = data;
  gint64 count = care_db_count (db, request->table, error);

  if (count < 0)
    return NULL;

  return g_memdup2 (&count, sizeof count);
}

void
care_store_count_async (CareStore           *self,
                        const char          *table,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (CARE_IS_STORE (self));

  push_job (self, care_store_count_async, count_worker,
            request_new ("system:count", table, NULL, NULL), request_free, g_free,
            cancellable, callback, user_data);
}

gint64
care_store_count_finish (CareStore     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autofree gint64 *count = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  count = g_task_propagate_pointer (G_TASK (result), error);

  return count ? *count : -1;
}
