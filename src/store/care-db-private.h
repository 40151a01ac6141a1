/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "care-db.h"

G_BEGIN_DECLS

struct _CareDb
{
  sqlite3    *sqlite;
  char       *path;
  char       *device_id;
  GHashTable *statements;  /* SQL text -> sqlite3_stmt, finalized on close */
  GHashTable *columns;     /* table -> GPtrArray of column names, from PRAGMA table_info */
  GHashTable *required;    /* table -> GPtrArray of NOT NULL columns without a default */
  GHashTable *text_columns; /* table -> set of its columns with TEXT affinity */
  GHashTable *references;  /* table -> GPtrArray of "column parent_table" */
  gint64      clock_override_ms;
  int         user_version;
  int         guard_fds[2]; /* the locks no other close() can drop (care-db.c); -1: none */

  /* Replication (care-replica.c) */
  gint64      device_idx;   /* this device in the devices table */
  gint64      data_version; /* PRAGMA data_version when the state below was read */
  gint64      log_seq;      /* the change log's last row when the clock was last read */
  gint64      hlc_last;     /* the hybrid logical clock: last value used or seen */
  gint64      counter;      /* this device's last change number */
  GHashTable *device_idx_by_uuid;  /* char* -> gint64* */
  GHashTable *device_uuid_by_idx;  /* gint64* -> char* */
  gint64      max_clock_ahead_ms;
  gboolean    conflicts_stored;
  gboolean    any_superseded;
  GHashTable *vector_cache;  /* origin idx -> complete prefix held (gint64*) */
  GHashTable *vector_dirty;  /* origin idx set, written at the end of a batch */

  /* Merged patients (care-links.c), worked out again after links change. */
  gboolean    links_dirty;
  gboolean    search_pending;  /* patient_search_pending has rows */
  GHashTable *survivor_of;     /* patient id -> survivor id, for patients in a group */
  GHashTable *merged_away;     /* seqs (gint64*) of patients shown as another */
};

extern const char * const _care_db_managed_columns[];

gboolean      _care_db_set_error_from_sqlite (CareDb        *self,
                                              int            rc,
                                              const char    *what,
                                              GError       **error);
sqlite3_stmt *_care_db_get_statement         (CareDb        *self,
                                              const char    *sql,
                                              GError       **error);
GPtrArray    *_care_db_table_columns         (CareDb        *self,
                                              const char    *table,
                                              GError       **error);
gboolean      _care_db_has_column            (GPtrArray     *columns,
                                              const char    *column);
void          _care_db_bind_value            (sqlite3_stmt  *stmt,
                                              int            index,
                                              const char    *value);
char         *_care_db_patient_sort_key      (const char    *given,
                                              const char    *family);
gboolean      _care_db_index_new_patient     (CareDb        *self,
                                              gint64         seq,
                                              const char    *given,
                                              const char    *middle,
                                              const char    *family,
                                              const char    *mrn,
                                              const char    *phone,
                                              const char    *member,
                                              GError       **error);
gboolean      _care_db_reindex_patient       (CareDb        *self,
                                              gint64         seq,
                                              GError       **error);
CareRecord   *_care_db_record_from_row       (const char    *table,
                                              sqlite3_stmt  *stmt);

/* care-links.c */
char         *_care_db_patient_group_json    (CareDb        *self,
                                              const char    *patient_id);
GHashTable   *_care_db_merged_away_seqs      (CareDb        *self);
void          _care_db_links_clear           (CareDb        *self);

/* care-replica.c */
gboolean      _care_replica_init             (CareDb        *self,
                                              GError       **error);
void          _care_replica_clear            (CareDb        *self);
/* After a rollback: what is kept in memory may describe writes that are gone. */
void          _care_replica_forget           (CareDb        *self);
/* Records and applies a local write (the body of care_db_put). */
gboolean      _care_replica_write_local      (CareDb        *self,
                                              const char    *actor,
                                              const char    *table,
                                              const char    *id,
                                              CareFields    *fields,
                                              gboolean       resolve,
                                              gboolean       is_new,
                                              GError       **error);
/* After a migration: records rows that have no change yet, and applies parked fields. */
gboolean      _care_replica_after_migration  (CareDb        *self,
                                              int            from_version,
                                              GError       **error);
gboolean      _care_replica_hash_conflicts   (CareDb        *self,
                                              GChecksum     *checksum,
                                              GError       **error);

G_END_DECLS
