/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-db.h"

G_BEGIN_DECLS

#define CARE_TYPE_STORE (care_store_get_type ())
G_DECLARE_FINAL_TYPE (CareStore, care_store, CARE, STORE, GObject)

/**
 * CareStoreWorkFunc:
 *
 * Work that runs on the store's one worker thread, which owns the #CareDb. It
 * must touch only @db and @data. Returns the task's result (or %NULL with
 * @error set). @db is %NULL only for the opening job.
 */
typedef gpointer (*CareStoreWorkFunc) (CareDb        *db,
                                       gpointer       data,
                                       GCancellable  *cancellable,
                                       GError       **error);

/*
 * The application's store: a #CareDb owned by one worker thread, so that SQLite
 * never runs on the GTK main thread. Every call is asynchronous; callbacks run
 * on the thread-default main context of the caller.
 *
 * ::changed (const char *table) is emitted on the main thread after a write made
 * through this store.
 */
CareStore  *care_store_new              (const char           *path);
const char *care_store_get_path         (CareStore            *self);
/* The device id, once opened; NULL before. */
const char *care_store_get_device_id    (CareStore            *self);
gboolean    care_store_is_open          (CareStore            *self);

void        care_store_open_async       (CareStore            *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean    care_store_open_finish      (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

void        care_store_run_async        (CareStore            *self,
                                         CareStoreWorkFunc     func,
                                         gpointer              data,
                                         GDestroyNotify        data_free,
                                         GDestroyNotify        result_free,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* Like care_store_run_async() for a page of a sync: @func may leave a
 * transaction open for the next page (committing every few pages). Any other job
 * commits it before it runs. Finish with care_store_run_finish(). */
void        care_store_run_batch_async  (CareStore            *self,
                                         CareStoreWorkFunc     func,
                                         gpointer              data,
                                         GDestroyNotify        data_free,
                                         GDestroyNotify        result_free,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gpointer    care_store_run_finish       (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Returns (transfer full) GArray of gint64 patient seqs, in list order. */
void        care_store_search_async     (CareStore            *self,
                                         const char           *actor,
                                         const char           *query,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GArray     *care_store_search_finish    (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Returns (transfer full) (element-type CarePatient), in the order of @seqs. */
void        care_store_load_patients_async  (CareStore        *self,
                                             const char       *actor,
                                             const gint64     *seqs,
                                             guint             n_seqs,
                                             GCancellable     *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer          user_data);
GPtrArray  *care_store_load_patients_finish (CareStore        *self,
                                             GAsyncResult     *result,
                                             GError          **error);

void        care_store_get_async        (CareStore            *self,
                                         const char           *actor,
                                         const char           *table,
                                         const char           *id,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
CareRecord *care_store_get_finish       (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Returns (transfer full) (element-type CareRecord). */
void        care_store_list_async       (CareStore            *self,
                                         const char           *actor,
                                         const char           *table,
                                         const char           *patient_id,
                                         const char           *order_by,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GPtrArray  *care_store_list_finish      (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Takes ownership of @fields. Returns the record's id. */
void        care_store_put_async        (CareStore            *self,
                                         const char           *actor,
                                         const char           *table,
                                         const char           *id,
                                         CareFields           *fields,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char       *care_store_put_finish       (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Number of patients. */
void        care_store_count_async      (CareStore            *self,
                                         const char           *table,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gint64      care_store_count_finish     (CareStore            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
