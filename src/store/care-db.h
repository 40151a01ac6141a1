/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-fields.h"
#include "care-record.h"

G_BEGIN_DECLS

/**
 * CareDb:
 *
 * One SQLite connection to a Caremesh database, used synchronously.
 *
 * A CareDb is not thread-safe: it belongs to exactly one thread. The application
 * uses it only through #CareStore, whose worker thread owns it; the command-line
 * tool and the tests use it directly.
 *
 * Every call that reads or writes patient data names the acting user (@actor, a
 * practitioner id or a "system:..." name), so that audit and permissions can attach
 * to the store without touching callers.
 *
 * Every write of a replicated record goes through care_db_put(): it is the one
 * place where changes are made.
 */
typedef struct _CareDb CareDb;

#define CARE_DB_ERROR (care_db_error_quark ())

typedef enum
{
  CARE_DB_ERROR_OPEN,          /* cannot open or create the file (permissions, missing folder) */
  CARE_DB_ERROR_NOT_A_DATABASE,/* the file is not SQLite, or not a Caremesh database */
  CARE_DB_ERROR_TOO_NEW,       /* made by a newer Caremesh: schema version is unknown */
  CARE_DB_ERROR_CORRUPT,       /* SQLite reports corruption */
  CARE_DB_ERROR_FULL,          /* the disk (or the database's size limit) is full */
  CARE_DB_ERROR_BUSY,          /* locked by another program for too long */
  CARE_DB_ERROR_READ_ONLY,     /* the file or its folder cannot be written */
  CARE_DB_ERROR_INVALID,       /* the caller asked for something invalid (unknown table/column, bad value) */
  CARE_DB_ERROR_NOT_FOUND,     /* no such record */
  CARE_DB_ERROR_CLOCK,         /* a peer's clock is too far ahead: its changes were refused */
  CARE_DB_ERROR_FAILED,        /* anything else */
} CareDbError;

GQuark      care_db_error_quark        (void);

/* Latest schema version this build knows (PRAGMA user_version). */
int         care_db_schema_version     (void);

char       *care_db_default_path       (void);

CareDb     *care_db_open               (const char   *path,
                                        GError      **error);
/* Open with migrations stopped at @target_version (tests of each migration). */
CareDb     *care_db_open_at_version    (const char   *path,
                                        int           target_version,
                                        GError      **error);
void        care_db_close              (CareDb       *db);

const char *care_db_get_path           (CareDb       *db);
const char *care_db_get_device_id      (CareDb       *db);
int         care_db_get_user_version   (CareDb       *db);

/* Transactions: writes between begin and commit are applied all or nothing. */
/* How long a write waits for another program's lock before failing (default 5 s). */
void        care_db_set_busy_timeout   (CareDb       *db,
                                        int           timeout_ms);

/* Local settings of this installation (the meta table; never replicated). */
char       *care_db_get_meta           (CareDb       *db,
                                        const char   *key);
gboolean    care_db_set_meta           (CareDb       *db,
                                        const char   *key,
                                        const char   *value,
                                        GError      **error);

gboolean    care_db_begin              (CareDb       *db,
                                        GError      **error);
gboolean    care_db_commit             (CareDb       *db,
                                        GError      **error);
void        care_db_rollback           (CareDb       *db);
gboolean    care_db_in_transaction     (CareDb       *db);

/* Replicated record types ("tables"), in dependency order. NULL-terminated. */
const char * const *care_db_record_types (void);
gboolean    care_db_is_record_type     (const char   *table);

/**
 * care_db_put:
 * @id: (nullable): the record's UUID; %NULL creates a new record with a fresh UUID
 * @out_id: (out) (optional): the record's id
 *
 * Inserts the record, or updates the named fields of an existing one. Columns are
 * checked against the schema; created_at, updated_at and device_id are set here.
 * When @id names an existing record, only the fields in @fields change.
 */
gboolean    care_db_put                (CareDb       *db,
                                        const char   *actor,
                                        const char   *table,
                                        const char   *id,
                                        CareFields   *fields,
                                        char        **out_id,
                                        GError      **error);

/* Sets a fixed clock (milliseconds since the epoch) for created_at/updated_at;
 * 0 returns to the real clock. Used by the deterministic generator and tests. */
void        care_db_set_clock_override (CareDb       *db,
                                        gint64        now_ms);
gint64      care_db_now_ms             (CareDb       *db);

CareRecord *care_db_get                (CareDb       *db,
                                        const char   *actor,
                                        const char   *table,
                                        const char   *id,
                                        GError      **error);

/* All records of @table whose patient_id is @patient_id (or all records when
 * @patient_id is NULL and the table has no patient_id), ordered by @order_by
 * (a column name, may be NULL). Returns (element-type CareRecord). */
GPtrArray  *care_db_list               (CareDb       *db,
                                        const char   *actor,
                                        const char   *table,
                                        const char   *patient_id,
                                        const char   *order_by,
                                        GError      **error);

gint64      care_db_count              (CareDb       *db,
                                        const char   *table,
                                        GError      **error);

/* Patients: search and paging (see care-patient-list.c). */
GArray     *care_db_search_patients    (CareDb       *db,
                                        const char   *actor,
                                        const char   *query,
                                        GError      **error);
GPtrArray  *care_db_load_patients      (CareDb       *db,
                                        const char   *actor,
                                        const gint64 *seqs,
                                        guint         n_seqs,
                                        GError      **error);

/* SHA-256 over the clinical content of every record type (ids and domain columns;
 * not the local bookkeeping created_at/updated_at/device_id). */
char       *care_db_content_hash       (CareDb       *db,
                                        GError      **error);

/* Low level, for tests and tools: run SQL with no results. */
gboolean    care_db_exec               (CareDb       *db,
                                        const char   *sql,
                                        GError      **error);

/* Replication (docs/sync.md) */

/**
 * CareChange:
 *
 * One write of one record by one device, as stored and as exchanged.
 * @fields is JSON: { "field": { "v": "value" or null, "p": [["device", counter], ...] }, ... }
 */
typedef struct
{
  char   *origin;     /* device id (UUID) */
  gint64  counter;    /* that device's change number, from 1 */
  gint64  hlc;        /* hybrid logical clock: physical ms << 16 | logical */
  char   *table;
  char   *record_id;
  char   *actor;
  gint64  seen;       /* highest hlc of this record the writer had applied */
  char   *fields;
  gint64  cursor;     /* set by care_db_changes_since: the cursor just past this change */
} CareChange;

CareChange *care_change_copy           (const CareChange *change);
void        care_change_free           (CareChange   *change);

/* Default 10 minutes. */
void        care_db_set_max_clock_ahead (CareDb      *db,
                                         gint64       ms);
gint64      care_db_get_hlc            (CareDb       *db);

/* (element-type utf8 gint64*): per origin device, the complete prefix of its
 * changes this replica holds, this device included. */
GHashTable *care_db_version_vector     (CareDb       *db,
                                        GError      **error);
/* Changes this replica holds that @vector does not cover, in local order, from
 * *@cursor on, at most @limit; *@cursor is advanced past what is returned.
 * Returns (element-type CareChange); empty when there is nothing more. */
GPtrArray  *care_db_changes_since      (CareDb       *db,
                                        GHashTable   *vector,
                                        gint64       *cursor,
                                        guint         limit,
                                        GError      **error);
/* Merges a batch in one transaction: all or nothing. Changes already held are
 * skipped. @n_new: (out) (optional): how many were new. */
gboolean    care_db_apply_changes      (CareDb       *db,
                                        GPtrArray    *changes,
                                        guint        *n_new,
                                        GError      **error);
/* Everything @from holds that @into lacks, in pages of @page_size changes, each
 * page applied in its own transaction (an interrupted pull keeps what it applied). */
gboolean    care_db_pull               (CareDb       *into,
                                        CareDb       *from,
                                        guint         page_size,
                                        guint        *n_new,
                                        GError      **error);
/* Unresolved conflicts, as records of type "conflicts" (tbl, rid, field, kind,
 * value, hlc, actor, device, significant, patient_id, winner_value). */
GPtrArray  *care_db_conflicts          (CareDb       *db,
                                        const char   *actor,
                                        const char   *patient_id,
                                        gboolean      significant_only,
                                        GError      **error);
/* A person chose @value for a field with concurrent values: replaces them all. */
gboolean    care_db_resolve_conflict   (CareDb       *db,
                                        const char   *actor,
                                        const char   *table,
                                        const char   *id,
                                        const char   *field,
                                        const char   *value,
                                        GError      **error);
/* The same person registered twice: from now on @merged_id's records show on
 * @surviving_id, and @merged_id is no longer listed. Replicates; reversible. */
gboolean    care_db_merge_patients     (CareDb       *db,
                                        const char   *actor,
                                        const char   *surviving_id,
                                        const char   *merged_id,
                                        const char   *reason,
                                        char        **link_id,
                                        GError      **error);
/* Undoes every merge that joined @patient_id to others. */
gboolean    care_db_unmerge_patient    (CareDb       *db,
                                        const char   *actor,
                                        const char   *patient_id,
                                        GError      **error);
/* Everyone merged with @patient_id (ids, itself excluded). */
GPtrArray  *care_db_patient_merged_with (CareDb      *db,
                                         const char  *patient_id);
/* The patient shown for @patient_id: itself, or the survivor of its group. */
char       *care_db_patient_survivor   (CareDb       *db,
                                        const char   *patient_id);

/* Adds the patients merged from other machines since the last call to the
 * search index (searching does it first; the app's store does it when idle).
 * Merges leave it for later: it is a tenth of a sync's page otherwise. */
gboolean    care_db_index_pending      (CareDb       *db,
                                        GError      **error);

/* Tombstone: the record stays, retired. */
gboolean    care_db_retire             (CareDb       *db,
                                        const char   *actor,
                                        const char   *table,
                                        const char   *id,
                                        GError      **error);
gint64      care_db_count_changes      (CareDb       *db,
                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareDb, care_db_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareChange, care_change_free)

/* One change to a patient's records, as the dashboard's "changed since you
 * last looked" shows it. */
typedef struct
{
  char     *table;
  char     *record_id;
  gint64    hlc;          /* when (care_db_hlc_to_ms() style: ms << 16) */
  char     *actor;        /* who, as the writing machine named them */
  char    **fields;       /* the fields it set */
  gboolean  added;        /* the record's first change */
  gboolean  retired;      /* it retired the record */
  gboolean  this_device;  /* made on this machine */
} CareActivity;

void        care_activity_free        (CareActivity *activity);

/* Notes that @actor opened @patient_id now; returns the mark of the previous
 * opening (a changes.seq), -1 if never, -2 on error. Local, not replicated. */
gint64      care_db_mark_patient_viewed (CareDb      *db,
                                         const char  *actor,
                                         const char  *patient_id,
                                         GError     **error);
/* Changes that arrived on this machine after @since_seq to the records whose ids
 * are in @record_ids (a set), newest first, at most @limit (0: all).
 * Returns (element-type CareActivity). */
GPtrArray  *care_db_patient_activity  (CareDb      *db,
                                       gint64       since_seq,
                                       GHashTable  *record_ids,
                                       guint        limit,
                                       GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareActivity, care_activity_free)

/* A notification for one team member, with what it points at. */
typedef struct
{
  char     *id;
  char     *kind;          /* mention | handoff | assignment */
  char     *patient_id;
  char     *patient_name;
  char     *author_name;   /* who wrote the message, or NULL */
  char     *body;          /* the message, or NULL */
  char     *sent_at;
  gboolean  read;
} CareNotification;

void        care_notification_free    (CareNotification *notification);
/* The notifications of @practitioner_id, unread first then newest, at most
 * @limit (0: 50); @n_unread (optional) counts the unread ones.
 * Returns (element-type CareNotification). */
GPtrArray  *care_db_notifications     (CareDb      *db,
                                       const char  *practitioner_id,
                                       guint        limit,
                                       guint       *n_unread,
                                       GError     **error);

G_END_DECLS
