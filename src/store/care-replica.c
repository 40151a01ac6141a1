/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-replica"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>

#include "care-db-private.h"

/*
 * Replication: recording local writes as changes, merging changes from other
 * replicas, version vectors and conflicts. The design and the merge rules are in
 * docs/sync.md; in short, every field's state is a function of the set of changes
 * received (its heads, the winner among them, the losers kept as conflicts), so
 * merging in any order, any number of times, gives the same state.
 */

#define DEFAULT_MAX_AHEAD_MS (10 * 60 * 1000)
#define HLC_PHYSICAL(hlc) ((hlc) >> 16)

typedef struct
{
  gint64 origin;    /* devices.idx */
  gint64 counter;
} ChangeId;

typedef struct
{
  char     *field;
  char     *value;
  GArray   *parents;  /* ChangeId; NULL when none */
  gboolean  in_row;   /* read from the log: the value is not there (see change_value) */
} FieldChange;

/* A change being applied, with its device as a local number. */
typedef struct
{
  gint64      origin;
  gint64      counter;
  gint64      hlc;
  const char *table;
  const char *record_id;
  const char *actor;
  gint64      seen;
  GPtrArray  *fields;  /* FieldChange */
  gboolean    maybe_superseded;  /* some field of it may have been replaced already */
  gboolean    maybe_conflicts;   /* its record has conflicts standing */
  guint       n_merged;          /* fields merged (known to this schema) */
} Incoming;

/* A head of a field: the incoming change, the current winner, or a loser. */
typedef struct
{
  gint64  hlc;
  gint64  origin;
  gint64  counter;
  char   *value;
  char   *actor;
} Head;

/* A field's winner: the change that set it. */
typedef struct
{
  gint64 hlc;
  gint64 origin;
  gint64 counter;
} Clock;

/* The record's row as merging needs it. */
typedef struct
{
  gint64      seq;         /* 0: no row yet */
  GHashTable *clocks;      /* field -> Clock of the winner; "" -> the base clock */
  GHashTable *base_fields; /* fields the base change wrote (read from the log when needed) */
  char       *patient_id;
  gboolean    retired;     /* as stored before this change */
  GHashTable *set;         /* field -> new value (NULL for SQL NULL) */
  gboolean    clocks_changed;
} Row;

/* Fields whose concurrent values a person must review (docs/sync.md). */
static const struct
{
  const char *table;
  const char *fields;
} significant_fields[] = {
  { "allergies", " substance code criticality severity clinical_status verification_status reaction type " },
  { "medication_orders", " drug rxnorm dose route frequency status " },
  { "conditions", " code clinical_status verification_status " },
  { "goals", " target_low target_high target_unit lifecycle_status measure_loinc " },
  { "care_tasks", " assignee_id discipline status due_date " },
  { "referrals", " status urgency " },
  { "interventions", " status discipline " },
  { "care_needs", " status " },
};

static void
field_change_free (gpointer data)
{
  FieldChange *fc = data;

  g_free (fc->field);
  g_free (fc->value);
  g_clear_pointer (&fc->parents, g_array_unref);
  g_free (fc);
}

static FieldChange *
field_change_new (const char *field,
                  const char *value)
{
  FieldChange *fc = g_new0 (FieldChange, 1);

  fc->field = g_strdup (field);
  fc->value = g_strdup (value);

  return fc;
}

static guint
n_parents (const FieldChange *fc)
{
  return fc->parents != NULL ? fc->parents->len : 0;
}

static void
add_parent (FieldChange *fc,
            gint64       origin,
            gint64       counter)
{
  ChangeId id = { origin, counter };

  if (fc->parents == NULL)
    fc->parents = g_array_new (FALSE, FALSE, sizeof (ChangeId));
  g_array_append_val (fc->parents, id);
}

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->clocks, g_hash_table_unref);
  g_clear_pointer (&row->base_fields, g_hash_table_unref);
  g_clear_pointer (&row->patient_id, g_free);
  g_clear_pointer (&row->set, g_hash_table_unref);
}

static void
head_clear (Head *head)
{
  g_clear_pointer (&head->value, g_free);
  g_clear_pointer (&head->actor, g_free);
}

static gboolean
is_significant (const char *table,
                const char *field)
{
  g_autofree char *needle = NULL;

  if (g_str_equal (field, "retired"))
    return TRUE;

  needle = g_strdup_printf (" %s ", field);
  for (guint i = 0; i < G_N_ELEMENTS (significant_fields); i++)
    if (g_str_equal (significant_fields[i].table, table))
      return strstr (significant_fields[i].fields, needle) != NULL;

  return FALSE;
}

CareChange *
care_change_copy (const CareChange *change)
{
  CareChange *copy = g_new0 (CareChange, 1);

  copy->origin = g_strdup (change->origin);
  copy->counter = change->counter;
  copy->hlc = change->hlc;
  copy->table = g_strdup (change->table);
  copy->record_id = g_strdup (change->record_id);
  copy->actor = g_strdup (change->actor);
  copy->seen = change->seen;
  copy->fields = g_strdup (change->fields);
  copy->cursor = change->cursor;

  return copy;
}

void
care_change_free (CareChange *change)
{
  if (change == NULL)
    return;

  g_free (change->origin);
  g_free (change->table);
  g_free (change->record_id);
  g_free (change->actor);
  g_free (change->fields);
  g_free (change);
}

static gboolean fields_from_json (CareDb      *self,
                                  const char  *json,
                                  GPtrArray   *out,
                                  GError     **error);

/* Small statement helpers */

static gboolean
step_done (CareDb        *self,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, what, error);

  return TRUE;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

/* Devices */

static gint64
device_idx (CareDb      *self,
            const char  *uuid,
            GError     **error)
{
  gint64 *cached = g_hash_table_lookup (self->device_idx_by_uuid, uuid);
  sqlite3_stmt *stmt;
  gint64 idx;

  if (cached != NULL)
    return *cached;

  if (!(stmt = _care_db_get_statement (self, "INSERT INTO devices (uuid) VALUES (?)", error)))
    return -1;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, "registering a device", error))
    return -1;

  idx = sqlite3_last_insert_rowid (self->sqlite);
  g_hash_table_insert (self->device_idx_by_uuid, g_strdup (uuid), g_memdup2 (&idx, sizeof idx));
  g_hash_table_insert (self->device_uuid_by_idx, g_memdup2 (&idx, sizeof idx), g_strdup (uuid));

  return idx;
}

static const char *
device_uuid (CareDb *self,
             gint64  idx)
{
  return g_hash_table_lookup (self->device_uuid_by_idx, &idx);
}

/* The clock */

static gint64
next_hlc (CareDb *self)
{
  gint64 physical = care_db_now_ms (self) << 16;

  self->hlc_last = MAX (self->hlc_last + 1, physical);

  return self->hlc_last;
}

gint64
care_db_get_hlc (CareDb *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->hlc_last;
}

void
care_db_set_max_clock_ahead (CareDb *self,
                             gint64  ms)
{
  g_return_if_fail (self != NULL);

  self->max_clock_ahead_ms = ms;
}

static gboolean
query_int64 (CareDb      *self,
             const char  *sql,
             gint64       bind,
             gint64      *out,
             GError     **error)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (bind >= 0)
    sqlite3_bind_int64 (stmt, 1, bind);
  rc = sqlite3_step (stmt);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "reading the change log", error);

  return TRUE;
}

/* What this connection keeps in memory about the replica, read again from the
 * database: at open, and whenever another connection (another program on the
 * same file) committed meanwhile. */
static gboolean
load_state (CareDb  *self,
            GError **error)
{
  sqlite3_stmt *stmt;
  gint64 hlc = 0;
  int rc;

  g_hash_table_remove_all (self->device_idx_by_uuid);
  g_hash_table_remove_all (self->device_uuid_by_idx);
  g_hash_table_remove_all (self->vector_cache);
  g_hash_table_remove_all (self->vector_dirty);
  self->links_dirty = TRUE;

  if (!query_int64 (self, "PRAGMA data_version", -1, &self->data_version, error))
    return FALSE;

  if (!(stmt = _care_db_get_statement (self, "SELECT idx, uuid FROM devices", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 idx = sqlite3_column_int64 (stmt, 0);

      g_hash_table_insert (self->device_idx_by_uuid, column_dup (stmt, 1), g_memdup2 (&idx, sizeof idx));
      g_hash_table_insert (self->device_uuid_by_idx, g_memdup2 (&idx, sizeof idx), column_dup (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "reading devices", error);

  if ((self->device_idx = device_idx (self, self->device_id, error)) < 0)
    return FALSE;

  {
    gint64 any = 0;

    if (!query_int64 (self, "SELECT EXISTS (SELECT 1 FROM superseded)", -1, &any, error))
      return FALSE;
    self->any_superseded = any != 0;
  }

  /* The clock and this device's counter live on in the change log itself, so they
   * survive restarts and a wall clock that steps backwards. After the first time,
   * only the changes logged since are read: the log is in arrival order. */
  if (!query_int64 (self, "SELECT max(hlc) FROM changes WHERE seq > ?", self->log_seq, &hlc, error) ||
      !query_int64 (self, "SELECT coalesce (max(seq), 0) FROM changes", -1, &self->log_seq, error) ||
      !query_int64 (self, "SELECT max(counter) FROM changes WHERE origin = ?", self->device_idx,
                    &self->counter, error))
    return FALSE;
  self->hlc_last = MAX (self->hlc_last, hlc);

  return TRUE;
}

gboolean
_care_replica_init (CareDb  *self,
                    GError **error)
{
  self->device_idx_by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->device_uuid_by_idx = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->max_clock_ahead_ms = DEFAULT_MAX_AHEAD_MS;
  self->vector_cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->vector_dirty = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  return load_state (self, error);
}

/* Another program committed to this file since we last looked (PRAGMA
 * data_version): what we keep in memory may be stale. Call inside the transaction
 * about to use it, so nothing can change in between. */
static gboolean
refresh_if_changed (CareDb  *self,
                    GError **error)
{
  gint64 version = 0;

  if (!query_int64 (self, "PRAGMA data_version", -1, &version, error))
    return FALSE;
  if (version == self->data_version)
    return TRUE;

  return load_state (self, error);
}

/* The held counters and device numbers kept in memory may name changes and
 * devices that a rollback took away: a bundle refused at its last part, after
 * its first parts were applied, must not leave the next good bundle's changes
 * looking held already. The next transaction reads the state again. */
void
_care_replica_forget (CareDb *self)
{
  if (self->vector_cache == NULL)
    return;
  g_hash_table_remove_all (self->vector_cache);
  g_hash_table_remove_all (self->vector_dirty);
  self->data_version = -1;
}

void
_care_replica_clear (CareDb *self)
{
  g_clear_pointer (&self->device_idx_by_uuid, g_hash_table_unref);
  g_clear_pointer (&self->device_uuid_by_idx, g_hash_table_unref);
  g_clear_pointer (&self->vector_cache, g_hash_table_unref);
  g_clear_pointer (&self->vector_dirty, g_hash_table_unref);
}

/* The clock map of a row, stored as JSON {"field":[hlc,origin,counter],...}.
 * Only this file writes it, with field names that are column names, so a small
 * reader of exactly that shape is enough (and much faster than a general parser);
 * anything else reads as empty. */
static GHashTable *
clocks_parse (const char *text)
{
  GHashTable *clocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *p = text;

  if (p == NULL || *p++ != '{')
    return clocks;

  while (*p == '"')
    {
      const char *name = ++p;
      Clock clock;
      char *end;

      while (*p && *p != '"')
        p++;
      if (*p != '"' || p[1] != ':' || p[2] != '[')
        break;
      end = (char *) p;
      p += 3;
      clock.hlc = g_ascii_strtoll (p, &end, 10);
      if (*end != ',')
        break;
      clock.origin = g_ascii_strtoll (end + 1, &end, 10);
      if (*end != ',')
        break;
      clock.counter = g_ascii_strtoll (end + 1, &end, 10);
      if (*end != ']')
        break;
      g_hash_table_insert (clocks, g_strndup (name, strchr (name, '"') - name), g_memdup2 (&clock, sizeof clock));
      p = end + 1;
      if (*p == ',')
        p++;
    }

  return clocks;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static char *
clocks_to_string (GHashTable *clocks)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GString *out = g_string_new ("{");
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, clocks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      Clock *clock = g_hash_table_lookup (clocks, g_ptr_array_index (names, i));

      g_string_append_printf (out, "%s\"%s\":[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                              i ? "," : "", (char *) g_ptr_array_index (names, i),
                              clock->hlc, clock->origin, clock->counter);
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

/* Reading a record's state */

static gboolean
load_row (CareDb      *self,
          const char  *table,
          const char  *record_id,
          GPtrArray   *columns,
          Row         *row,
          GError     **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  memset (row, 0, sizeof *row);
  row->set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  sql = g_strdup_printf ("SELECT seq, clocks, %s, retired FROM %s WHERE id = ?",
                         _care_db_has_column (columns, "patient_id") ? "patient_id" : "NULL", table);
  if (!(stmt = _care_db_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, record_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *clocks = (const char *) sqlite3_column_text (stmt, 1);

      row->seq = sqlite3_column_int64 (stmt, 0);
      row->patient_id = column_dup (stmt, 2);
      row->retired = sqlite3_column_int (stmt, 3) != 0;
      row->clocks = clocks_parse (clocks);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "reading a record", error);

  if (row->clocks == NULL)
    row->clocks = clocks_parse (NULL);
  if (g_str_equal (table, "patients"))
    {
      g_free (row->patient_id);
      row->patient_id = g_strdup (record_id);
    }

  return TRUE;
}

/* The fields the row's base change wrote, from the log. */
static GHashTable *
base_fields (CareDb *self,
             Row    *row)
{
  Clock *base = g_hash_table_lookup (row->clocks, "");

  if (row->base_fields == NULL)
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (field_change_free);
      g_autofree char *json = NULL;
      sqlite3_stmt *stmt;

      /* field -> 1, or 2 when the log has its value in the row */
      row->base_fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (base == NULL)
        return row->base_fields;

      stmt = _care_db_get_statement (self, "SELECT fields FROM changes WHERE origin = ? AND counter = ?", NULL);
      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, base->origin);
          sqlite3_bind_int64 (stmt, 2, base->counter);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            json = column_dup (stmt, 0);
          sqlite3_reset (stmt);
        }
      if (json != NULL && fields_from_json (self, json, fields, NULL))
        for (guint i = 0; i < fields->len; i++)
          {
            FieldChange *fc = g_ptr_array_index (fields, i);

            g_hash_table_insert (row->base_fields, g_strdup (fc->field), GINT_TO_POINTER (fc->in_row ? 2 : 1));
          }
    }

  return row->base_fields;
}

/* The winner of @field; FALSE when the field has none. A row made by one change
 * that won every field it wrote stores only that change's clock (the base):
 * about 300 bytes less per record. */
static gboolean
row_winner (CareDb     *self,
            Row        *row,
            const char *field,
            Head       *head)
{
  Clock *clock = g_hash_table_lookup (row->clocks, field);

  memset (head, 0, sizeof *head);
  if (clock == NULL && *field != '\0' && g_hash_table_contains (row->clocks, "") &&
      g_hash_table_contains (base_fields (self, row), field))
    clock = g_hash_table_lookup (row->clocks, "");
  if (clock == NULL)
    return FALSE;

  head->hlc = clock->hlc;
  head->origin = clock->origin;
  head->counter = clock->counter;

  return TRUE;
}

/* Every field with a winner. */
static GList *
row_fields (CareDb *self,
            Row    *row)
{
  g_autoptr(GHashTable) all = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, row->clocks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (*(char *) key != '\0')
      g_hash_table_add (all, key);
  if (g_hash_table_contains (row->clocks, ""))
    {
      g_hash_table_iter_init (&iter, base_fields (self, row));
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (all, key);
    }

  return g_hash_table_get_keys (all);
}

static void
row_set_winner (Row        *row,
                const char *field,
                const Head *head)
{
  Clock clock = { head->hlc, head->origin, head->counter };

  g_hash_table_insert (row->clocks, g_strdup (field), g_memdup2 (&clock, sizeof clock));
  g_hash_table_insert (row->set, g_strdup (field), g_strdup (head->value));
  row->clocks_changed = TRUE;
}

/* The value the row holds now for @field (set in this merge, or stored). */
static char *
row_value (CareDb      *self,
           const char  *table,
           Row         *row,
           const char  *field,
           GError     **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  if (g_hash_table_contains (row->set, field))
    return g_strdup (g_hash_table_lookup (row->set, field));
  if (row->seq == 0)
    return NULL;

  sql = g_strdup_printf ("SELECT %s FROM %s WHERE seq = ?", field, table);
  if (!(stmt = _care_db_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, row->seq);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    value = column_dup (stmt, 0);
  sqlite3_reset (stmt);

  return value;
}

static char *
change_actor (CareDb *self,
              gint64  origin,
              gint64  counter)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, "SELECT actor FROM changes WHERE origin = ? AND counter = ?", NULL);
  char *actor = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, origin);
  sqlite3_bind_int64 (stmt, 2, counter);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    actor = column_dup (stmt, 0);
  sqlite3_reset (stmt);

  return actor;
}

static gboolean
change_exists (CareDb  *self,
               gint64   origin,
               gint64   counter,
               gint64  *seen)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, "SELECT seen FROM changes WHERE origin = ? AND counter = ?", NULL);
  gboolean exists;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, origin);
  sqlite3_bind_int64 (stmt, 2, counter);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  if (exists && seen != NULL)
    *seen = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return exists;
}

/* A value that lived in the row until it was replaced (migration 5). */
static gboolean
kept_value (CareDb      *self,
            gint64       origin,
            gint64       counter,
            const char  *field,
            char       **value)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, "SELECT value FROM change_values WHERE origin = ? AND counter = ? AND field = ?", NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, origin);
  sqlite3_bind_int64 (stmt, 2, counter);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  if ((found = sqlite3_step (stmt) == SQLITE_ROW))
    *value = column_dup (stmt, 0);
  sqlite3_reset (stmt);

  return found;
}

/* The row's value of @field is about to be replaced: when it is the only copy of
 * what the winning change wrote (a first change logged with its text values in
 * the row), it moves to change_values first, so the change can still be sent. */
static gboolean
keep_replaced_value (CareDb      *self,
                     const char  *table,
                     Row         *row,
                     const char  *field,
                     const Head  *winner,
                     GError     **error)
{
  g_autofree char *value = NULL;
  sqlite3_stmt *stmt;

  if (g_hash_table_contains (row->clocks, field) ||
      GPOINTER_TO_INT (g_hash_table_lookup (base_fields (self, row), field)) != 2)
    return TRUE;

  value = row_value (self, table, row, field, NULL);
  stmt = _care_db_get_statement (self, "INSERT OR IGNORE INTO change_values (origin, counter, field, value) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, winner->origin);
  sqlite3_bind_int64 (stmt, 2, winner->counter);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  _care_db_bind_value (stmt, 4, value);

  return step_done (self, stmt, "keeping a replaced value", error);
}

/* The value @head's change wrote to @field, as that change has it (the row may
 * hold it converted by the column's type: 76 becomes 76.0 in a REAL column). */
static char *
change_value (CareDb     *self,
              const Head *head,
              const char *field,
              Incoming   *in,
              Row        *row)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (field_change_free);
  sqlite3_stmt *stmt;
  g_autofree char *json = NULL;

  stmt = _care_db_get_statement (self, "SELECT fields FROM changes WHERE origin = ? AND counter = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, head->origin);
      sqlite3_bind_int64 (stmt, 2, head->counter);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        json = column_dup (stmt, 0);
      sqlite3_reset (stmt);
    }

  if (json != NULL && fields_from_json (self, json, fields, NULL))
    for (guint i = 0; i < fields->len; i++)
      {
        FieldChange *fc = g_ptr_array_index (fields, i);

        if (g_str_equal (fc->field, field) && !fc->in_row)
          return g_strdup (fc->value);
        if (g_str_equal (fc->field, field))
          break;
      }

  /* Its value lives in the row (or moved to change_values when it was replaced). */
  {
    char *value = NULL;

    if (kept_value (self, head->origin, head->counter, field, &value))
      return value;
  }

  return row_value (self, in->table, row, field, NULL);
}

/* Conflicts */

static gboolean
store_loser (CareDb      *self,
             const char  *table,
             const char  *record_id,
             Row         *row,
             const char  *field,
             const Head  *head,
             GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _care_db_get_statement (self,
                                 "INSERT OR REPLACE INTO conflicts (tbl, rid, field, origin, counter, kind, value, hlc, actor, significant, patient_id) "
                                 "VALUES (?, ?, ?, ?, ?, 'value', ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, head->origin);
  sqlite3_bind_int64 (stmt, 5, head->counter);
  _care_db_bind_value (stmt, 6, head->value);
  sqlite3_bind_int64 (stmt, 7, head->hlc);
  _care_db_bind_value (stmt, 8, head->actor);
  sqlite3_bind_int (stmt, 9, is_significant (table, field));
  self->conflicts_stored = TRUE;
  _care_db_bind_value (stmt, 10, row->patient_id);

  return step_done (self, stmt, "recording a conflict", error);
}

/* Removes the loser @id of @field; TRUE if there was one. */
static gboolean
drop_loser (CareDb     *self,
            const char *table,
            const char *record_id,
            const char *field,
            ChangeId   *id)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self,
                                               "DELETE FROM conflicts WHERE tbl = ? AND rid = ? AND field = ? AND origin = ? AND counter = ? AND kind = 'value'",
                                               NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, id->origin);
  sqlite3_bind_int64 (stmt, 5, id->counter);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);

  return sqlite3_changes (self->sqlite) > 0;
}

static GArray *
load_losers (CareDb     *self,
             const char *table,
             const char *record_id,
             const char *field)
{
  GArray *losers = g_array_new (FALSE, TRUE, sizeof (Head));
  sqlite3_stmt *stmt;

  g_array_set_clear_func (losers, (GDestroyNotify) head_clear);
  stmt = _care_db_get_statement (self,
                                 "SELECT hlc, origin, counter, value, actor FROM conflicts "
                                 "WHERE tbl = ? AND rid = ? AND field = ? AND kind = 'value'", NULL);
  if (stmt == NULL)
    return losers;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Head head = {
        .hlc = sqlite3_column_int64 (stmt, 0),
        .origin = sqlite3_column_int64 (stmt, 1),
        .counter = sqlite3_column_int64 (stmt, 2),
        .value = column_dup (stmt, 3),
        .actor = column_dup (stmt, 4),
      };

      g_array_append_val (losers, head);
    }
  sqlite3_reset (stmt);

  return losers;
}

/* Does head @a win over head @b? By (retires, hlc, device id). */
static gboolean
wins_over (CareDb     *self,
           const char *field,
           const Head *a,
           const Head *b)
{
  int by_device;

  if (g_str_equal (field, "retired"))
    {
      gboolean ra = g_strcmp0 (a->value, "1") == 0;
      gboolean rb = g_strcmp0 (b->value, "1") == 0;

      if (ra != rb)
        return ra;
    }

  if (a->hlc != b->hlc)
    return a->hlc > b->hlc;

  by_device = g_strcmp0 (device_uuid (self, a->origin), device_uuid (self, b->origin));
  if (by_device != 0)
    return by_device > 0;

  return a->counter > b->counter;
}

/* Merges one field of an incoming change into the row. */
static gboolean
merge_field (CareDb       *self,
             Incoming     *in,
             FieldChange  *fc,
             Row          *row,
             gboolean      local,
             GError      **error)
{
  Head incoming = { in->hlc, in->origin, in->counter, fc->value, (char *) in->actor };
  Head winner;
  gboolean has_winner = row_winner (self, row, fc->field, &winner);
  gboolean winner_replaced = FALSE;
  gboolean superseded = FALSE;
  g_autoptr(GArray) losers = NULL;
  const Head *best = NULL;
  gboolean ok = TRUE;

  /* Its parents stop being heads, whether or not it is one itself. */
  for (guint i = 0; i < n_parents (fc); i++)
    {
      ChangeId *parent = &g_array_index (fc->parents, ChangeId, i);

      if (has_winner && winner.origin == parent->origin && winner.counter == parent->counter)
        winner_replaced = TRUE;
      else if (!(in->maybe_conflicts && drop_loser (self, in->table, in->record_id, fc->field, parent)) &&
               !change_exists (self, parent->origin, parent->counter, NULL))
        {
          /* Not here yet: when it comes, it comes already replaced. */
          sqlite3_stmt *stmt = _care_db_get_statement (self, "INSERT OR IGNORE INTO superseded (origin, counter, field) VALUES (?, ?, ?)", error);

          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, parent->origin);
          sqlite3_bind_int64 (stmt, 2, parent->counter);
          sqlite3_bind_text (stmt, 3, fc->field, -1, SQLITE_STATIC);
          if (!step_done (self, stmt, "recording history", error))
            return FALSE;
          self->any_superseded = TRUE;
        }
    }

  /* Someone who had this change replaced it already (it arrived late). */
  if (!local && in->maybe_superseded)
    {
      sqlite3_stmt *stmt = _care_db_get_statement (self, "SELECT 1 FROM superseded WHERE origin = ? AND counter = ? AND field = ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, in->origin);
      sqlite3_bind_int64 (stmt, 2, in->counter);
      sqlite3_bind_text (stmt, 3, fc->field, -1, SQLITE_STATIC);
      superseded = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
    }

  if (!has_winner && superseded)
    return TRUE;

  /* The heads now: the newcomer, the standing winner, the standing losers. */
  if (!superseded)
    best = &incoming;
  if (has_winner && !winner_replaced)
    {
      winner.value = change_value (self, &winner, fc->field, in, row);
      if (best == NULL || wins_over (self, fc->field, &winner, best))
        best = &winner;
    }
  losers = in->maybe_conflicts ? load_losers (self, in->table, in->record_id, fc->field)
                                : g_array_new (FALSE, TRUE, sizeof (Head));
  for (guint i = 0; i < losers->len; i++)
    if (best == NULL || wins_over (self, fc->field, &g_array_index (losers, Head, i), best))
      best = &g_array_index (losers, Head, i);

  /* The row's value changes: the replaced winner's value must survive. */
  if (has_winner && best != NULL && best != &winner &&
      !keep_replaced_value (self, in->table, row, fc->field, &winner, error))
    {
      head_clear (&winner);
      return FALSE;
    }

  if (best == NULL)
    {
      /* Every head was replaced by changes still on their way: keep the value. */
    }
  else if (best == &incoming)
    {
      if (has_winner && !winner_replaced)
        {
          winner.actor = change_actor (self, winner.origin, winner.counter);
          ok = store_loser (self, in->table, in->record_id, row, fc->field, &winner, error);
        }
      row_set_winner (row, fc->field, &incoming);
    }
  else if (best == &winner)
    {
      if (!superseded)
        ok = store_loser (self, in->table, in->record_id, row, fc->field, &incoming, error);
    }
  else
    {
      /* The old winner was replaced, and a standing loser is the best head now. */
      Head promoted = *best;
      ChangeId id = { promoted.origin, promoted.counter };

      promoted.value = g_strdup (best->value);
      promoted.actor = g_strdup (best->actor);
      drop_loser (self, in->table, in->record_id, fc->field, &id);
      row_set_winner (row, fc->field, &promoted);
      if (!superseded)
        ok = store_loser (self, in->table, in->record_id, row, fc->field, &incoming, error);
      head_clear (&promoted);
    }

  if (has_winner)
    head_clear (&winner);

  return ok;
}

/* A retired record edited by someone who had not seen it retired (and whose edit
 * the retiring writer had not seen) is flagged for review. Recomputed from the
 * current state each time, so the flags do not depend on arrival order. */
static gboolean
update_review_flags (CareDb      *self,
                     const char  *table,
                     const char  *record_id,
                     Row         *row,
                     GError     **error)
{
  g_autofree char *retired = row_value (self, table, row, "retired", NULL);
  g_autoptr(GList) fields = NULL;
  sqlite3_stmt *stmt;
  Head retire;

  gint64 retire_seen = 0;

  stmt = _care_db_get_statement (self, "DELETE FROM conflicts WHERE tbl = ? AND rid = ? AND kind = 'retired-edit'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, "reviewing a retired record", error))
    return FALSE;

  if (g_strcmp0 (retired, "1") != 0 || !row_winner (self, row, "retired", &retire))
    return TRUE;
  change_exists (self, retire.origin, retire.counter, &retire_seen);

  fields = row_fields (self, row);
  for (GList *l = fields; l != NULL; l = l->next)
    {
      Head edit;
      gint64 edit_seen = 0;

      if (g_str_equal (l->data, "retired") || !row_winner (self, row, l->data, &edit))
        continue;
      if (edit.origin == retire.origin && edit.counter == retire.counter)
        continue;
      change_exists (self, edit.origin, edit.counter, &edit_seen);

      if (edit.hlc > retire_seen && edit_seen < retire.hlc)
        {
          stmt = _care_db_get_statement (self,
                                         "INSERT OR IGNORE INTO conflicts (tbl, rid, field, origin, counter, kind, value, hlc, actor, significant, patient_id) "
                                         "VALUES (?, ?, '', ?, ?, 'retired-edit', NULL, ?, NULL, 1, ?)", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 3, retire.origin);
          sqlite3_bind_int64 (stmt, 4, retire.counter);
          sqlite3_bind_int64 (stmt, 5, retire.hlc);
          _care_db_bind_value (stmt, 6, row->patient_id);
          return step_done (self, stmt, "reviewing a retired record", error);
        }
    }

  return TRUE;
}

static void
append_int (GString *out,
            int      value)
{
  char digits[16];
  int n = 0;

  do
    digits[n++] = (char) ('0' + value % 10);
  while ((value /= 10) > 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

static gboolean
write_row (CareDb      *self,
           Incoming    *in,
           Row         *row,
           gboolean     local,
           GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *clocks = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  sqlite3_stmt *stmt;
  const char *origin_uuid = device_uuid (self, in->origin);
  gint64 seq = row->seq;
  int index = 5;

  if (!row->clocks_changed)
    return TRUE;

  /* A new row whose every field is won by the one change that wrote it all keeps
   * just that change's clock. */
  if (seq == 0 && in->n_merged == in->fields->len && g_hash_table_size (row->clocks) == in->n_merged)
    {
      GHashTableIter clock_iter;
      gpointer value;
      gboolean all_incoming = TRUE;

      g_hash_table_iter_init (&clock_iter, row->clocks);
      while (all_incoming && g_hash_table_iter_next (&clock_iter, NULL, &value))
        all_incoming = ((Clock *) value)->origin == in->origin && ((Clock *) value)->counter == in->counter;
      if (all_incoming && in->n_merged > 0)
        {
          Clock base = { in->hlc, in->origin, in->counter };

          g_hash_table_remove_all (row->clocks);
          g_hash_table_insert (row->clocks, g_strdup (""), g_memdup2 (&base, sizeof base));
        }
    }
  clocks = clocks_to_string (row->clocks);

  /* Sorted, so the statement text (and its cache entry) is stable. */
  g_hash_table_iter_init (&iter, row->set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);

  /* The statement text depends only on the table and the set of fields, so it is
   * built with plain appends (this runs once per change). */
  if (seq > 0)
    {
      g_string_append (sql, "UPDATE ");
      g_string_append (sql, in->table);
      g_string_append (sql, " SET updated_at = ?1, device_id = ?2, clocks = ?3");
      for (guint i = 0; i < names->len; i++)
        {
          g_string_append (sql, ", ");
          g_string_append (sql, g_ptr_array_index (names, i));
          g_string_append (sql, " = ?");
          append_int (sql, index++);
        }
      g_string_append (sql, " WHERE seq = ?4");
    }
  else
    {
      /* Until a record's first change arrives from a peer, its required fields hold
       * a placeholder; a local write must give them. */
      GPtrArray *required = local ? NULL : g_hash_table_lookup (self->required, in->table);

      g_string_append (sql, "INSERT INTO ");
      g_string_append (sql, in->table);
      g_string_append (sql, " (updated_at, device_id, clocks, id, created_at");
      for (guint i = 0; i < names->len; i++)
        {
          g_string_append (sql, ", ");
          g_string_append (sql, g_ptr_array_index (names, i));
        }
      for (guint i = 0; required && i < required->len; i++)
        if (!g_hash_table_contains (row->set, g_ptr_array_index (required, i)))
          {
            g_string_append (sql, ", ");
            g_string_append (sql, g_ptr_array_index (required, i));
          }
      g_string_append (sql, ") VALUES (?1, ?2, ?3, ?4, ?1");
      for (guint i = 0; i < names->len; i++)
        {
          g_string_append (sql, ", ?");
          append_int (sql, index++);
        }
      for (guint i = 0; required && i < required->len; i++)
        if (!g_hash_table_contains (row->set, g_ptr_array_index (required, i)))
          g_string_append (sql, ", ''");
      g_string_append (sql, ")");
    }

  if (!(stmt = _care_db_get_statement (self, sql->str, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, HLC_PHYSICAL (in->hlc));
  sqlite3_bind_text (stmt, 2, origin_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, clocks, -1, SQLITE_STATIC);
  if (seq > 0)
    sqlite3_bind_int64 (stmt, 4, seq);
  else
    sqlite3_bind_text (stmt, 4, in->record_id, -1, SQLITE_STATIC);
  for (guint i = 0; i < names->len; i++)
    _care_db_bind_value (stmt, (int) i + 5, g_hash_table_lookup (row->set, g_ptr_array_index (names, i)));

  if (!step_done (self, stmt, "saving a record", error))
    return FALSE;

  if (seq == 0)
    row->seq = sqlite3_last_insert_rowid (self->sqlite);

  if (g_str_equal (in->table, "patient_links"))
    self->links_dirty = TRUE;

  if (g_str_equal (in->table, "patients"))
    return _care_db_reindex_patient (self, row->seq, error);

  return TRUE;
}

/* The change log */

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

/* {"field":{"v":"value"|null,"p":[["device",counter],...]},...} in field order.
 * With @in_row_table, the fields of that table whose column keeps text exactly
 * are written {} (their value is in the row: see "Where values live" in
 * docs/sync.md). */
static char *
fields_to_json (CareDb     *self,
                GPtrArray  *fields,
                const char *in_row_table)
{
  GHashTable *text = in_row_table ? g_hash_table_lookup (self->text_columns, in_row_table) : NULL;
  GString *out = g_string_new ("{");

  for (guint i = 0; i < fields->len; i++)
    {
      FieldChange *fc = g_ptr_array_index (fields, i);

      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, fc->field);
      if (text != NULL && n_parents (fc) == 0 && g_hash_table_contains (text, fc->field))
        {
          g_string_append (out, ":{}");
          continue;
        }
      g_string_append (out, ":{\"v\":");
      if (fc->value != NULL)
        append_json_string (out, fc->value);
      else
        g_string_append (out, "null");
      if (n_parents (fc) > 0)
        {
          g_string_append (out, ",\"p\":[");
          for (guint j = 0; j < n_parents (fc); j++)
            {
              ChangeId *parent = &g_array_index (fc->parents, ChangeId, j);

              g_string_append_printf (out, "%s[\"%s\",%" G_GINT64_FORMAT "]", j ? "," : "",
                                      device_uuid (self, parent->origin), parent->counter);
            }
          g_string_append_c (out, ']');
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

/* A strict reader for exactly the shape of a change's fields:
 *   {"field":{"v":"text"|null,"p":[["device",counter],...]},...}
 * (RFC 8259 strings with every escape; "p" optional; members in any order.)
 * Changes arrive by the hundred thousand during a first sync, and a general JSON
 * parser building a tree for each was most of the cost of merging. Anything else
 * is refused as malformed. */
typedef struct
{
  const char *p;
  GString    *buf;
  const char *str;  /* the string read: into buf, or straight from the input */
  gsize       len;
} Reader;

static void
skip_ws (Reader *r)
{
  while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
    r->p++;
}

static gboolean
expect (Reader *r,
        char    c)
{
  skip_ws (r);
  if (*r->p != c)
    return FALSE;
  r->p++;
  return TRUE;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Reader   *r,
           gunichar *out)
{
  gunichar value = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = hex_digit (r->p[i]);

      if (d < 0)
        return FALSE;
      value = value * 16 + (gunichar) d;
    }
  r->p += 4;
  *out = value;

  return TRUE;
}

/* Reads a JSON string into r->buf (UTF-8, validated). */
static gboolean
read_string (Reader *r)
{
  skip_ws (r);
  if (*r->p != '"')
    return FALSE;
  r->p++;
  g_string_truncate (r->buf, 0);

  /* Most strings have no escapes: read them where they are. */
  {
    const char *start = r->p, *end = start;

    while (*end != '"' && *end != '\\' && (guchar) *end >= 0x20)
      end++;
    if (*end == '"')
      {
        r->p = end + 1;
        r->str = start;
        r->len = end - start;
        return g_utf8_validate (start, r->len, NULL);
      }
  }

  for (;;)
    {
      const char *start = r->p;

      while (*r->p != '"' && *r->p != '\\' && (guchar) *r->p >= 0x20)
        r->p++;
      g_string_append_len (r->buf, start, r->p - start);

      if (*r->p == '"')
        {
          r->p++;
          r->str = r->buf->str;
          r->len = r->buf->len;
          return g_utf8_validate (r->buf->str, r->buf->len, NULL);
        }
      if (*r->p != '\\')
        return FALSE;  /* control character or end of input */

      r->p++;
      switch (*r->p++)
        {
        case '"': g_string_append_c (r->buf, '"'); break;
        case '\\': g_string_append_c (r->buf, '\\'); break;
        case '/': g_string_append_c (r->buf, '/'); break;
        case 'b': g_string_append_c (r->buf, '\b'); break;
        case 'f': g_string_append_c (r->buf, '\f'); break;
        case 'n': g_string_append_c (r->buf, '\n'); break;
        case 'r': g_string_append_c (r->buf, '\r'); break;
        case 't': g_string_append_c (r->buf, '\t'); break;
        case 'u':
          {
            gunichar c, low;

            if (!read_hex4 (r, &c))
              return FALSE;
            if (c >= 0xd800 && c <= 0xdbff)
              {
                if (r->p[0] != '\\' || r->p[1] != 'u')
                  return FALSE;
                r->p += 2;
                if (!read_hex4 (r, &low) || low < 0xdc00 || low > 0xdfff)
                  return FALSE;
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (c >= 0xdc00 && c <= 0xdfff)
              return FALSE;
            if (c == 0)
              return FALSE;  /* no NUL inside a value */
            g_string_append_unichar (r->buf, c);
            break;
          }
        default:
          return FALSE;
        }
    }
}

static gboolean
read_counter (Reader *r,
              gint64 *out)
{
  char *end;
  gint64 value;

  skip_ws (r);
  if (!g_ascii_isdigit (*r->p))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoll (r->p, &end, 10);
  if (errno != 0 || value < 1 || *end == '.' || *end == 'e' || *end == 'E')
    return FALSE;
  r->p = end;
  *out = value;

  return TRUE;
}

static gboolean
read_parents (CareDb       *self,
              Reader       *r,
              FieldChange  *fc,
              GError      **error)
{
  if (!expect (r, '['))
    return FALSE;
  skip_ws (r);
  if (*r->p == ']')
    {
      r->p++;
      return TRUE;
    }

  do
    {
      ChangeId id;

      char uuid[37];

      if (!expect (r, '[') || !read_string (r) || r->len != 36)
        return FALSE;
      memcpy (uuid, r->str, 36);
      uuid[36] = '\0';
      if (!g_uuid_string_is_valid (uuid) || (id.origin = device_idx (self, uuid, error)) < 0)
        return FALSE;
      if (!expect (r, ',') || !read_counter (r, &id.counter) || !expect (r, ']'))
        return FALSE;
      add_parent (fc, id.origin, id.counter);
    }
  while (expect (r, ','));

  return *(r->p - 1) == ',' ? FALSE : expect (r, ']');
}

static gboolean
fields_contain (GPtrArray  *fields,
                const char *name)
{
  for (guint i = 0; i < fields->len; i++)
    if (g_str_equal (((FieldChange *) g_ptr_array_index (fields, i))->field, name))
      return TRUE;

  return FALSE;
}

static const char *
field_value (GPtrArray  *fields,
             const char *name)
{
  for (guint i = 0; i < fields->len; i++)
    if (g_str_equal (((FieldChange *) g_ptr_array_index (fields, i))->field, name))
      return ((FieldChange *) g_ptr_array_index (fields, i))->value;

  return NULL;
}

static int
compare_fields (gconstpointer a,
                gconstpointer b)
{
  return strcmp ((*(FieldChange * const *) a)->field, (*(FieldChange * const *) b)->field);
}

static gboolean
fields_from_json (CareDb      *self,
                  const char  *json,
                  GPtrArray   *out,
                  GError     **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  Reader r = { json, buf };
  guint first = out->len;

  if (!expect (&r, '{'))
    goto malformed;

  do
    {
      FieldChange *fc;
      gboolean has_value = FALSE;

      if (!read_string (&r) || r.len == 0 || !expect (&r, ':') || !expect (&r, '{'))
        goto malformed;
      fc = g_new0 (FieldChange, 1);
      fc->field = g_strndup (r.str, r.len);
      g_ptr_array_add (out, fc);

      /* {} only in this replica's own log: the value lives in the row. */
      if (expect (&r, '}'))
        {
          fc->in_row = TRUE;
          continue;
        }

      do
        {
          if (!read_string (&r) || !expect (&r, ':'))
            goto malformed;
          if (r.len == 1 && r.str[0] == 'v' && !has_value)
            {
              skip_ws (&r);
              if (strncmp (r.p, "null", 4) == 0)
                r.p += 4;
              else if (read_string (&r))
                fc->value = g_strndup (r.str, r.len);
              else
                goto malformed;
              has_value = TRUE;
            }
          else if (r.len == 1 && r.str[0] == 'p' && n_parents (fc) == 0)
            {
              if (!read_parents (self, &r, fc, error))
                {
                  if (error != NULL && *error != NULL)
                    return FALSE;
                  goto malformed;
                }
            }
          else
            goto malformed;
        }
      while (expect (&r, ','));

      if (!has_value || *(r.p - 1) == ',' || !expect (&r, '}'))
        goto malformed;
    }
  while (expect (&r, ','));

  if (*(r.p - 1) == ',' || !expect (&r, '}'))
    goto malformed;
  skip_ws (&r);
  if (*r.p != '\0')
    goto malformed;

  /* Sorted by name, so merging never depends on how a peer wrote its JSON (our
   * own writers sort already); a field named twice is malformed. */
  for (guint i = first + 1; i < out->len; i++)
    if (compare_fields (&out->pdata[i - 1], &out->pdata[i]) > 0)
      {
        g_qsort_with_data (out->pdata + first, out->len - first, sizeof (gpointer),
                           (GCompareDataFunc) compare_fields, NULL);
        break;
      }
  for (guint i = first + 1; i < out->len; i++)
    if (compare_fields (&out->pdata[i - 1], &out->pdata[i]) == 0)
      goto malformed;

  return TRUE;

malformed:
  g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID, _("A change's fields are malformed."));
  return FALSE;
}

static gboolean
log_change (CareDb      *self,
            Incoming    *in,
            const char  *fields_json,
            GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _care_db_get_statement (self,
                                 "INSERT INTO changes (origin, counter, hlc, tbl, rid, actor, seen, fields) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, in->origin);
  sqlite3_bind_int64 (stmt, 2, in->counter);
  sqlite3_bind_int64 (stmt, 3, in->hlc);
  sqlite3_bind_text (stmt, 4, in->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, in->record_id, -1, SQLITE_STATIC);
  _care_db_bind_value (stmt, 6, in->actor);
  sqlite3_bind_int64 (stmt, 7, in->seen);
  sqlite3_bind_text (stmt, 8, fields_json, -1, SQLITE_STATIC);

  return step_done (self, stmt, "recording a change", error);
}

/* The vector holds, per origin, the complete prefix of its changes held here. It
 * is kept in memory during a batch and written when the batch commits; beside it,
 * the highest counter held, so that in-order arrival needs no look-ups. */
typedef struct
{
  gint64 held;      /* complete prefix */
  gint64 max_seen;  /* highest counter held, holes or not */
} VectorEntry;

static VectorEntry *
vector_entry (CareDb      *self,
              gint64       origin,
              GError     **error)
{
  VectorEntry *entry = g_hash_table_lookup (self->vector_cache, &origin);
  VectorEntry fresh = { 0, 0 };

  if (entry != NULL)
    return entry;

  if (!query_int64 (self, "SELECT counter FROM vector WHERE origin = ?", origin, &fresh.held, error) ||
           !query_int64 (self, "SELECT max(counter) FROM changes WHERE origin = ?", origin, &fresh.max_seen, error))
    return NULL;

  entry = g_memdup2 (&fresh, sizeof fresh);
  g_hash_table_insert (self->vector_cache, g_memdup2 (&origin, sizeof origin), entry);

  return entry;
}

/* Whether the change is held here already. */
static gboolean
change_held (CareDb  *self,
             gint64   origin,
             gint64   counter,
             GError **error)
{
  VectorEntry *entry;

  /* This device's own changes are all here. */
  if (origin == self->device_idx)
    return counter <= self->counter;

  if ((entry = vector_entry (self, origin, error)) == NULL)
    return FALSE;
  if (counter <= entry->held)
    return TRUE;
  if (counter > entry->max_seen)
    return FALSE;

  return change_exists (self, origin, counter, NULL);
}

static gboolean
advance_vector (CareDb      *self,
                gint64       origin,
                gint64       counter,
                GError     **error)
{
  VectorEntry *entry = vector_entry (self, origin, error);

  if (entry == NULL)
    return FALSE;

  entry->max_seen = MAX (entry->max_seen, counter);
  if (counter != entry->held + 1)
    return TRUE;

  /* Filling a hole may complete a longer prefix. */
  entry->held = counter;
  while (entry->held < entry->max_seen && change_exists (self, origin, entry->held + 1, NULL))
    entry->held++;
  g_hash_table_add (self->vector_dirty, g_memdup2 (&origin, sizeof origin));

  return TRUE;
}

static gboolean
flush_vector (CareDb  *self,
              GError **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->vector_dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      sqlite3_stmt *stmt = _care_db_get_statement (self, "INSERT OR REPLACE INTO vector (origin, counter) VALUES (?, ?)", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, *(gint64 *) key);
      sqlite3_bind_int64 (stmt, 2, ((VectorEntry *) g_hash_table_lookup (self->vector_cache, key))->held);
      if (!step_done (self, stmt, "updating the version vector", error))
        return FALSE;
    }
  g_hash_table_remove_all (self->vector_dirty);

  return TRUE;
}

static gboolean
park_field (CareDb      *self,
            Incoming    *in,
            const char  *field,
            GError     **error)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, "INSERT OR IGNORE INTO parked (origin, counter, field) VALUES (?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, in->origin);
  sqlite3_bind_int64 (stmt, 2, in->counter);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);

  return step_done (self, stmt, "keeping a field for a newer version", error);
}

/* Merges the fields of @in into its record. @row is loaded already. */
static gboolean
merge_change (CareDb      *self,
              Incoming    *in,
              GPtrArray   *columns,
              Row         *row,
              gboolean     local,
              GError     **error)
{
  gboolean touched_retired = FALSE;
  sqlite3_stmt *stmt;

  /* At most two look-ups per change instead of two per field, and none for a new
   * record: conflicts need a row, and superseded changes are rare. */
  in->maybe_conflicts = FALSE;
  if (row->seq > 0)
    {
      stmt = _care_db_get_statement (self, "SELECT 1 FROM conflicts WHERE tbl = ? AND rid = ? AND kind = 'value' LIMIT 1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, in->table, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, in->record_id, -1, SQLITE_STATIC);
      in->maybe_conflicts = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
    }

  in->maybe_superseded = FALSE;
  if (!local && self->any_superseded)
    {
      stmt = _care_db_get_statement (self, "SELECT 1 FROM superseded WHERE origin = ? AND counter = ? LIMIT 1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, in->origin);
      sqlite3_bind_int64 (stmt, 2, in->counter);
      in->maybe_superseded = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
    }

  for (guint i = 0; i < in->fields->len; i++)
    {
      FieldChange *fc = g_ptr_array_index (in->fields, i);

      if (g_strv_contains (_care_db_managed_columns, fc->field))
        continue;
      if (!_care_db_has_column (columns, fc->field))
        {
          /* A newer peer's field: kept, applied after this replica migrates. */
          if (!park_field (self, in, fc->field, error))
            return FALSE;
          continue;
        }
      if (!merge_field (self, in, fc, row, local, error))
        return FALSE;
      in->n_merged++;
      touched_retired |= g_str_equal (fc->field, "retired");
    }

  if (!write_row (self, in, row, local, error))
    return FALSE;

  /* Review flags matter only around retired records (flags exist only while the
   * record is retired, and un-retiring it touches the field). */
  if (touched_retired || row->retired)
    return update_review_flags (self, in->table, in->record_id, row, error);

  return TRUE;
}

/* A record's first change, when it makes a new row and every field it writes is a
 * column here: every field's winner is this change, so the row keeps just its
 * clock (the base) and nothing else is read or decided. This is what a first sync
 * and a new local record do, hundreds of thousands of times; the general path
 * (merge_change) gives the same row, with a hash table per record on the way.
 * Fails with SQLITE_CONSTRAINT_UNIQUE when the row exists after all. */
static gboolean
insert_new_record (CareDb      *self,
                   Incoming    *in,
                   GPtrArray   *columns,
                   gboolean     local,
                   gboolean    *handled,
                   GError     **error)
{
  GPtrArray *required = local ? NULL : g_hash_table_lookup (self->required, in->table);
  gboolean is_patient = g_str_equal (in->table, "patients");
  g_autofree char *sort_key = NULL;
  g_autoptr(GString) sql = NULL;
  char key[1024], clocks[96];
  gsize key_len;
  sqlite3_stmt *stmt;
  gint64 seq;

  *handled = FALSE;
  if (in->fields->len == 0)
    return TRUE;

  /* The statement depends on the table and the set of fields (sorted already). */
  /* Local writes get no placeholders: a different statement. */
  key_len = g_strlcpy (key, local ? "new-local:" : "new:", sizeof key);
  key_len += g_strlcpy (key + key_len, in->table, sizeof key - MIN (key_len, sizeof key));
  for (guint i = 0; i < in->fields->len; i++)
    {
      FieldChange *fc = g_ptr_array_index (in->fields, i);

      if (key_len < sizeof key)
        key[key_len++] = ' ';
      key_len += g_strlcpy (key + MIN (key_len, sizeof key), fc->field, sizeof key - MIN (key_len, sizeof key));
    }
  if (key_len >= sizeof key)
    return TRUE;

  /* A statement is cached only for a set of fields that are all columns here. */
  if (!(stmt = g_hash_table_lookup (self->statements, key)))
    {
      int index = 5;

      for (guint i = 0; i < in->fields->len; i++)
        {
          FieldChange *fc = g_ptr_array_index (in->fields, i);

          if (g_strv_contains (_care_db_managed_columns, fc->field) || !_care_db_has_column (columns, fc->field))
            return TRUE;
        }

      /* Until a record's first change arrives from a peer, its required fields hold
       * a placeholder; a local write must give them. */
      sql = g_string_new ("INSERT INTO ");
      g_string_append_printf (sql, "%s (updated_at, device_id, clocks, id, created_at", in->table);
      for (guint i = 0; i < in->fields->len; i++)
        g_string_append_printf (sql, ", %s", ((FieldChange *) g_ptr_array_index (in->fields, i))->field);
      if (is_patient)
        g_string_append (sql, ", sort_key");
      for (guint i = 0; required && i < required->len; i++)
        if (!fields_contain (in->fields, g_ptr_array_index (required, i)))
          g_string_append_printf (sql, ", %s", (char *) g_ptr_array_index (required, i));
      g_string_append (sql, ") VALUES (?1, ?2, ?3, ?4, ?1");
      for (guint i = 0; i < in->fields->len; i++)
        g_string_append_printf (sql, ", ?%d", index++);
      if (is_patient)
        g_string_append_printf (sql, ", ?%d", index++);
      for (guint i = 0; required && i < required->len; i++)
        if (!fields_contain (in->fields, g_ptr_array_index (required, i)))
          g_string_append (sql, ", ''");
      g_string_append (sql, ")");
      if (sqlite3_prepare_v3 (self->sqlite, sql->str, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        return _care_db_set_error_from_sqlite (self, sqlite3_errcode (self->sqlite), "preparing a query", error);
      g_hash_table_insert (self->statements, g_strdup (key), stmt);
    }
  else
    sqlite3_reset (stmt);

  *handled = TRUE;
  g_snprintf (clocks, sizeof clocks, "{\"\":[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]}",
              in->hlc, in->origin, in->counter);
  sqlite3_bind_int64 (stmt, 1, HLC_PHYSICAL (in->hlc));
  sqlite3_bind_text (stmt, 2, device_uuid (self, in->origin), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, clocks, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, in->record_id, -1, SQLITE_STATIC);
  for (guint i = 0; i < in->fields->len; i++)
    {
      const char *value = ((FieldChange *) g_ptr_array_index (in->fields, i))->value;

      if (value != NULL)
        sqlite3_bind_text (stmt, (int) i + 5, value, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, (int) i + 5);
    }
  /* A patient's list order and search entry are made with it, not after it. */
  if (is_patient)
    {
      sort_key = _care_db_patient_sort_key (field_value (in->fields, "given_name"), field_value (in->fields, "family_name"));
      sqlite3_bind_text (stmt, (int) in->fields->len + 5, sort_key, -1, SQLITE_STATIC);
    }

  if (!step_done (self, stmt, "saving a record", error))
    return FALSE;
  seq = sqlite3_last_insert_rowid (self->sqlite);
  in->n_merged = in->fields->len;

  if (g_str_equal (in->table, "patient_links"))
    self->links_dirty = TRUE;
  /* A patient from another machine is indexed for search later, in one go
   * (care_db_index_pending()): not in the middle of a sync's pages. */
  if (is_patient && !local && self->user_version >= 9)
    {
      if (!(stmt = _care_db_get_statement (self, "INSERT OR IGNORE INTO patient_search_pending (seq) VALUES (?)", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, seq);
      if (!step_done (self, stmt, "noting a patient to index", error))
        return FALSE;
      self->search_pending = TRUE;
      return TRUE;
    }
  if (is_patient)
    return _care_db_index_new_patient (self, seq, field_value (in->fields, "given_name"),
                                       field_value (in->fields, "middle_name"), field_value (in->fields, "family_name"),
                                       field_value (in->fields, "mrn"), field_value (in->fields, "phone"),
                                       field_value (in->fields, "cco_member_id"), error);

  return TRUE;
}

static gboolean
in_transaction (CareDb *self)
{
  return !sqlite3_get_autocommit (self->sqlite);
}

static void new_row (Row        *row,
                     const char *table,
                     const char *record_id);

gboolean
_care_replica_write_local (CareDb      *self,
                           const char  *actor,
                           const char  *table,
                           const char  *id,
                           CareFields  *fields,
                           gboolean     resolve,
                           gboolean     is_new,
                           GError     **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (field_change_free);
  g_autofree char *json = NULL;
  gboolean own_transaction = !in_transaction (self);
  GPtrArray *columns = _care_db_table_columns (self, table, error);
  Incoming in = { 0 };
  Row row;
  gboolean ok = FALSE;

  if (columns == NULL)
    return FALSE;

  if (own_transaction && !care_db_begin (self, error))
    return FALSE;
  if (!refresh_if_changed (self, error))
    {
      if (own_transaction)
        care_db_rollback (self);
      return FALSE;
    }

  /* A record made here, with an id made here, has no row yet: nothing to read. */
  if (is_new)
    new_row (&row, table, id);
  else if (!load_row (self, table, id, columns, &row, error))
    goto out;

  in.origin = self->device_idx;
  in.counter = self->counter + 1;
  in.hlc = next_hlc (self);
  in.table = table;
  in.record_id = id;
  in.actor = actor;
  in.fields = changes;

  /* What the writer had: the record's latest clock, and each field's winner (and,
   * when resolving, every concurrent value) as the parents it replaces. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, row.clocks);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      in.seen = MAX (in.seen, ((Clock *) value)->hlc);
  }

  for (guint i = 0; i < care_fields_get_n (fields); i++)
    {
      FieldChange *fc = field_change_new (care_fields_get_column (fields, i), care_fields_get_value (fields, i));
      Head winner;

      if (row_winner (self, &row, fc->field, &winner))
        {
          add_parent (fc, winner.origin, winner.counter);
        }
      if (resolve)
        {
          g_autoptr(GArray) losers = load_losers (self, table, id, fc->field);

          for (guint j = 0; j < losers->len; j++)
            {
              Head *loser = &g_array_index (losers, Head, j);

              add_parent (fc, loser->origin, loser->counter);
            }
        }
      g_ptr_array_add (changes, fc);
    }
  g_ptr_array_sort (changes, compare_fields);

  if (is_new)
    {
      gboolean handled;

      if (!insert_new_record (self, &in, columns, TRUE, &handled, error))
        goto out;
      json = fields_to_json (self, changes, handled ? table : NULL);
      if (!log_change (self, &in, json, error) ||
          (!handled && !merge_change (self, &in, columns, &row, TRUE, error)))
        goto out;
    }
  else
    {
      json = fields_to_json (self, changes, NULL);
      if (!log_change (self, &in, json, error) ||
          !merge_change (self, &in, columns, &row, TRUE, error))
        goto out;
    }

  self->counter = in.counter;
  ok = TRUE;

out:
  row_clear (&row);
  if (own_transaction)
    {
      if (ok)
        ok = care_db_commit (self, error);
      else
        care_db_rollback (self);
    }
  if (!ok)
    self->hlc_last = MAX (self->hlc_last, 0);

  return ok;
}

static gboolean
is_first_change (Incoming *in)
{
  for (guint i = 0; i < in->fields->len; i++)
    if (n_parents (g_ptr_array_index (in->fields, i)) > 0)
      return FALSE;

  return in->fields->len > 0;
}

static void
new_row (Row        *row,
         const char *table,
         const char *record_id)
{
  memset (row, 0, sizeof *row);
  row->set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  row->clocks = clocks_parse (NULL);
  /* patient_id: the change itself says, when it has one. */
  if (g_str_equal (table, "patients"))
    row->patient_id = g_strdup (record_id);
}

static gboolean
apply_one (CareDb            *self,
           const CareChange  *change,
           gboolean          *is_new,
           GError           **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (field_change_free);
  GPtrArray *columns = NULL;
  Incoming in = { 0 };
  Row row;
  gboolean ok;

  *is_new = FALSE;
  if ((in.origin = device_idx (self, change->origin, error)) < 0)
    return FALSE;
  if (change_held (self, in.origin, change->counter, error))
    return TRUE;
  if (error != NULL && *error != NULL)
    return FALSE;

  *is_new = TRUE;
  in.counter = change->counter;
  in.hlc = change->hlc;
  in.table = change->table;
  in.record_id = change->record_id;
  in.actor = change->actor;
  in.seen = change->seen;
  in.fields = fields;

  if (!fields_from_json (self, change->fields, fields, error))
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    if (((FieldChange *) g_ptr_array_index (fields, i))->in_row)
      {
        g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID, _("A change's fields are malformed."));
        return FALSE;
      }
  if (!advance_vector (self, in.origin, in.counter, error))
    return FALSE;

  /* An edit made after seeing this one must win over it. */
  self->hlc_last = MAX (self->hlc_last, change->hlc);

  if (!care_db_is_record_type (change->table) ||
      !(columns = g_hash_table_lookup (self->columns, change->table)))
    {
      /* A record type of a newer version: kept whole. */
      return log_change (self, &in, change->fields, error) &&
             park_field (self, &in, "*", error);
    }

  /* A record's first change (no field replaces anything) usually makes a record
   * this replica has never seen: try that first, without reading. If the row
   * exists after all, the insert fails on its id and the change is merged the
   * usual way; nothing else was written meanwhile (a new row has no conflicts). */
  if (!self->any_superseded && is_first_change (&in))
    {
      GError *local_error = NULL;
      gboolean handled;

      if (insert_new_record (self, &in, columns, FALSE, &handled, &local_error))
        {
          if (handled)
            {
              g_autofree char *json = fields_to_json (self, fields, in.table);

              return log_change (self, &in, json, error);
            }
        }
      else if (sqlite3_extended_errcode (self->sqlite) != SQLITE_CONSTRAINT_UNIQUE)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      g_clear_error (&local_error);
    }

  if (!log_change (self, &in, change->fields, error))
    return FALSE;

  if (!load_row (self, in.table, in.record_id, columns, &row, error))
    {
      row_clear (&row);
      return FALSE;
    }
  ok = merge_change (self, &in, columns, &row, FALSE, error);
  row_clear (&row);

  return ok;
}

static gboolean
check_change (CareDb            *self,
              const CareChange  *change,
              gint64             now_ms,
              GError           **error)
{
  if (change->origin == NULL || !g_uuid_string_is_valid (change->origin) ||
      change->record_id == NULL || !g_uuid_string_is_valid (change->record_id) ||
      change->table == NULL || change->fields == NULL || change->counter < 1 || change->hlc < 0 ||
      strspn (change->table, "abcdefghijklmnopqrstuvwxyz_") != strlen (change->table))
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                   _("A change in the batch is malformed; nothing was applied."));
      return FALSE;
    }

  if (HLC_PHYSICAL (change->hlc) > now_ms + self->max_clock_ahead_ms)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (HLC_PHYSICAL (change->hlc) / 1000);
      g_autofree char *text = when ? g_date_time_format (when, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");

      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_CLOCK,
                   _("The clock of device %s is ahead of this computer's (its changes are dated %s). "
                     "Nothing from it was applied: set that computer's date and time correctly, then sync again; "
                     "its changes wait there until then."),
                   change->origin, text);
      return FALSE;
    }

  return TRUE;
}

gboolean
care_db_apply_changes (CareDb     *self,
                       GPtrArray  *changes,
                       guint      *n_new,
                       GError    **error)
{
  gint64 now_ms;
  gint64 saved_hlc;
  gboolean nested;
  guint count = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  if (self->user_version < 2)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID, _("This database cannot replicate."));
      return FALSE;
    }

  /* The whole batch is checked before anything is applied. */
  now_ms = care_db_now_ms (self);
  for (guint i = 0; i < changes->len; i++)
    if (!check_change (self, g_ptr_array_index (changes, i), now_ms, error))
      return FALSE;

  /* References between records are checked on local writes (care_db_put);
   * changes from other replicas may arrive child before parent, in any order. */
  /* Inside a caller's transaction (a bundle applied whole), the batch is a
   * savepoint: still all of it or nothing. */
  saved_hlc = self->hlc_last;
  nested = in_transaction (self);
  if (!(nested ? care_db_exec (self, "SAVEPOINT apply_changes", error) : care_db_begin (self, error)))
    ok = FALSE;
  else if (!refresh_if_changed (self, error))
    ok = FALSE;

  for (guint i = 0; ok && i < changes->len; i++)
    {
      gboolean is_new;

      ok = apply_one (self, g_ptr_array_index (changes, i), &is_new, error);
      count += is_new;
    }

  if (ok)
    ok = flush_vector (self, error);
  if (ok)
    ok = nested ? care_db_exec (self, "RELEASE apply_changes", error) : care_db_commit (self, error);
  else if (nested)
    care_db_exec (self, "ROLLBACK TO apply_changes; RELEASE apply_changes", NULL);
  else
    care_db_rollback (self);

  if (!ok)
    {
      /* Nothing of the batch stayed: neither may the memory of it. */
      self->hlc_last = saved_hlc;
      _care_replica_forget (self);
    }


  if (ok && n_new != NULL)
    *n_new = count;

  return ok;
}

/* The fields of a logged change with every value in place: those kept in the row
 * (or, once replaced, in change_values) are read from there. */
static char *
full_fields (CareDb      *self,
             gint64       seq,
             CareChange  *change,
             GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (field_change_free);
  GPtrArray *columns = g_hash_table_lookup (self->columns, change->table);
  gint64 origin = device_idx (self, change->origin, NULL);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!fields_from_json (self, change->fields, fields, error))
    return NULL;
  if (columns == NULL)
    goto damaged;

  /* Replaced values first (rare), then the row, read once. */
  if ((stmt = _care_db_get_statement (self, "SELECT field, value FROM change_values WHERE origin = ? AND counter = ?", error)) == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, origin);
  sqlite3_bind_int64 (stmt, 2, change->counter);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (guint i = 0; i < fields->len; i++)
      {
        FieldChange *fc = g_ptr_array_index (fields, i);

        if (fc->in_row && g_strcmp0 (fc->field, (const char *) sqlite3_column_text (stmt, 0)) == 0)
          {
            fc->value = column_dup (stmt, 1);
            fc->in_row = FALSE;
          }
      }
  sqlite3_reset (stmt);

  sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?", change->table);
  if (!(stmt = _care_db_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, change->record_id, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        goto damaged;
      _care_db_set_error_from_sqlite (self, rc, "reading a change's values", error);
      return NULL;
    }
  for (guint i = 0; i < fields->len; i++)
    {
      FieldChange *fc = g_ptr_array_index (fields, i);
      int n = sqlite3_column_count (stmt), column = 0;

      if (!fc->in_row)
        continue;
      while (column < n && !g_str_equal (sqlite3_column_name (stmt, column), fc->field))
        column++;
      if (column == n)
        {
          sqlite3_reset (stmt);
          goto damaged;
        }
      fc->value = column_dup (stmt, column);
    }
  sqlite3_reset (stmt);

  return fields_to_json (self, fields, NULL);

damaged:
  g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_CORRUPT,
               _("The change log names a field this database lacks; the database may be damaged."));
  return NULL;
}

/* How many changes of one origin a peer may lack for them to be looked up by
 * counter rather than read in log order. */
#define NARROW_GAP 4000

static GPtrArray *
changes_since_in_snapshot (CareDb      *self,
                       GHashTable  *vector,
                       gint64      *cursor,
                       guint        limit,
                       GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) care_change_free);
  /* origin -> the counter the peer holds, for the origins it lacks changes of */
  g_autoptr(GHashTable) lacking = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  gint64 first_lacking = G_MAXINT64;
  gboolean start_known = TRUE;
  GHashTableIter iter;
  gpointer key, value;
  sqlite3_stmt *stmt;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (cursor != NULL, NULL);

  if (limit == 0)
    return g_steal_pointer (&out);

  /* The answer: the first @limit changes past the cursor, in local (log) order,
   * that the vector does not cover. Per origin, what the peer lacks is past its
   * held counter. Where that is only a few changes (an incremental sync), the
   * (origin, counter) index finds the first of them, and the log is read from
   * there; otherwise (a whole history) from the cursor on. Either way a page reads
   * about as many log rows as it returns, not the whole log. */
  g_hash_table_iter_init (&iter, self->device_uuid_by_idx);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 *found = vector ? g_hash_table_lookup (vector, value) : NULL;
      gint64 held = found ? *found : 0, newest = 0, first = 0;

      if (!query_int64 (self, "SELECT max(counter) FROM changes WHERE origin = ?", *(gint64 *) key, &newest, error))
        return NULL;
      if (newest <= held)
        continue;
      if (newest - held > NARROW_GAP)
        {
          start_known = FALSE;
          g_hash_table_insert (lacking, g_memdup2 (key, sizeof (gint64)), g_memdup2 (&held, sizeof held));
          continue;
        }

      if (!(stmt = _care_db_get_statement (self, "SELECT coalesce (min(seq), 0) FROM changes "
                                                 "WHERE origin = ? AND counter > ? AND seq > ?", error)))
        return NULL;
      sqlite3_bind_int64 (stmt, 1, *(gint64 *) key);
      sqlite3_bind_int64 (stmt, 2, held);
      sqlite3_bind_int64 (stmt, 3, *cursor);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        first = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (first == 0)
        continue;   /* all it lacks is before the cursor: sent already */
      first_lacking = MIN (first_lacking, first);
      g_hash_table_insert (lacking, g_memdup2 (key, sizeof (gint64)), g_memdup2 (&held, sizeof held));
    }

  if (g_hash_table_size (lacking) == 0)
    return g_steal_pointer (&out);

  if (!(stmt = _care_db_get_statement (self, "SELECT seq, origin, counter, hlc, tbl, rid, actor, seen, fields "
                                             "FROM changes WHERE seq > ? ORDER BY seq", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start_known ? MAX (*cursor, first_lacking - 1) : *cursor);
  while (out->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 origin = sqlite3_column_int64 (stmt, 1);
      gint64 *held = g_hash_table_lookup (lacking, &origin);
      CareChange *change;

      if (held == NULL || sqlite3_column_int64 (stmt, 2) <= *held)
        continue;

      change = g_new0 (CareChange, 1);
      change->origin = g_strdup (device_uuid (self, origin));
      change->counter = sqlite3_column_int64 (stmt, 2);
      change->hlc = sqlite3_column_int64 (stmt, 3);
      change->table = column_dup (stmt, 4);
      change->record_id = column_dup (stmt, 5);
      change->actor = column_dup (stmt, 6);
      change->seen = sqlite3_column_int64 (stmt, 7);
      change->fields = column_dup (stmt, 8);
      change->cursor = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (out, change);

      /* Values kept in the row go out in the change, as it was made. */
      if (change->fields != NULL && strstr (change->fields, ":{}") != NULL)
        {
          char *full = full_fields (self, change->cursor, change, error);

          if (full == NULL)
            {
              sqlite3_reset (stmt);
              return NULL;
            }
          g_free (change->fields);
          change->fields = full;
        }
    }
  sqlite3_reset (stmt);
  if (out->len < limit && rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading changes", error);
      return NULL;
    }

  /* Everything up to the last change returned has been considered. When fewer
   * than @limit came back, nothing past the cursor is missing for this peer. */
  if (out->len > 0)
    *cursor = ((CareChange *) g_ptr_array_index (out, out->len - 1))->cursor;

  return g_steal_pointer (&out);
}

/* One read transaction for the whole page: one snapshot, and one lock instead of
 * one per statement. */
GPtrArray *
care_db_changes_since (CareDb      *self,
                       GHashTable  *vector,
                       gint64      *cursor,
                       guint        limit,
                       GError     **error)
{
  gboolean own = !in_transaction (self);
  GPtrArray *page;

  g_return_val_if_fail (self != NULL, NULL);

  if (own && !care_db_exec (self, "BEGIN", error))
    return NULL;
  page = refresh_if_changed (self, error) ? changes_since_in_snapshot (self, vector, cursor, limit, error) : NULL;
  if (own)
    care_db_exec (self, page != NULL ? "COMMIT" : "ROLLBACK", NULL);

  return page;
}


gboolean
care_db_pull (CareDb      *into,
              CareDb      *from,
              guint        page_size,
              guint       *n_new,
              GError     **error)
{
  g_autoptr(GHashTable) vector = NULL;
  gint64 cursor = 0;
  guint total = 0;

  g_return_val_if_fail (into != NULL && from != NULL, FALSE);

  if (!(vector = care_db_version_vector (into, error)))
    return FALSE;

  for (;;)
    {
      g_autoptr(GPtrArray) page = care_db_changes_since (from, vector, &cursor, page_size, error);
      guint applied = 0;

      if (page == NULL)
        return FALSE;
      if (page->len == 0)
        break;
      if (!care_db_apply_changes (into, page, &applied, error))
        return FALSE;
      total += applied;
    }

  if (n_new != NULL)
    *n_new = total;

  return TRUE;
}

GHashTable *
care_db_version_vector (CareDb  *self,
                        GError **error)
{
  g_autoptr(GHashTable) vector = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);

  if (!refresh_if_changed (self, error) ||
      !(stmt = _care_db_get_statement (self, "SELECT origin, counter FROM vector", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 counter = sqlite3_column_int64 (stmt, 1);

      g_hash_table_insert (vector, g_strdup (device_uuid (self, sqlite3_column_int64 (stmt, 0))),
                           g_memdup2 (&counter, sizeof counter));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading the version vector", error);
      return NULL;
    }

  /* This device's own changes are all here, always. */
  if (self->counter > 0)
    g_hash_table_insert (vector, g_strdup (self->device_id), g_memdup2 (&self->counter, sizeof self->counter));

  return g_steal_pointer (&vector);
}

GPtrArray *
care_db_conflicts (CareDb      *self,
                   const char  *actor,
                   const char  *patient_id,
                   gboolean     significant_only,
                   GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  g_string_append (sql, "SELECT c.tbl, c.rid, c.field, c.kind, c.value, c.hlc, c.actor, d.uuid, c.significant, "
                        "c.patient_id, c.counter FROM conflicts c JOIN devices d ON d.idx = c.origin WHERE 1");
  if (patient_id != NULL)
    g_string_append (sql, " AND c.patient_id = ?1");
  if (significant_only)
    g_string_append (sql, " AND c.significant = 1");
  g_string_append (sql, " ORDER BY c.hlc DESC, c.tbl, c.rid, c.field");

  if (!(stmt = _care_db_get_statement (self, sql->str, error)))
    return NULL;
  if (patient_id != NULL)
    sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      static const char *names[] = { "tbl", "rid", "field", "kind", "value", "hlc", "actor",
                                     "device", "significant", "patient_id", "counter" };
      CareRecord *record = care_record_new ("conflicts", NULL);

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        care_record_set (record, names[i], (const char *) sqlite3_column_text (stmt, (int) i));
      g_ptr_array_add (out, record);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading conflicts", error);
      return NULL;
    }

  /* The value each conflict lost to, as its change wrote it, for showing both. */
  for (guint i = 0; i < out->len; i++)
    {
      CareRecord *record = g_ptr_array_index (out, i);
      const char *table = care_record_get (record, "tbl");
      const char *field = care_record_get (record, "field");
      GPtrArray *columns = g_hash_table_lookup (self->columns, table);
      Row row;
      Head winner;
      Incoming in = { 0 };

      if (*field == '\0' || columns == NULL || !_care_db_has_column (columns, field))
        continue;
      if (!load_row (self, table, care_record_get (record, "rid"), columns, &row, NULL))
        {
          row_clear (&row);
          continue;
        }
      in.table = table;
      if (row_winner (self, &row, field, &winner))
        {
          g_autofree char *value = change_value (self, &winner, field, &in, &row);

          care_record_set (record, "winner_value", value);
        }
      row_clear (&row);
    }

  /* Two machines that wrote the same value disagree about nothing: such heads are
   * kept (merging needs them) but not shown to people. */
  for (guint i = out->len; i > 0; i--)
    {
      CareRecord *record = g_ptr_array_index (out, i - 1);

      if (g_strcmp0 (care_record_get (record, "kind"), "value") == 0 &&
          g_strcmp0 (care_record_get (record, "value"), care_record_get (record, "winner_value")) == 0)
        g_ptr_array_remove_index (out, i - 1);
    }

  return g_steal_pointer (&out);
}

gboolean
care_db_resolve_conflict (CareDb      *self,
                          const char  *actor,
                          const char  *table,
                          const char  *id,
                          const char  *field,
                          const char  *value,
                          GError     **error)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  GPtrArray *columns;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (actor != NULL, FALSE);

  if (!(columns = _care_db_table_columns (self, table, error)))
    return FALSE;
  if (field == NULL || !_care_db_has_column (columns, field) || g_strv_contains (_care_db_managed_columns, field))
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID, _("“%s” is not a field of %s."), field, table);
      return FALSE;
    }

  care_fields_set (fields, field, value);

  return _care_replica_write_local (self, actor, table, id, fields, TRUE, FALSE, error);
}

gboolean
care_db_retire (CareDb      *self,
                const char  *actor,
                const char  *table,
                const char  *id,
                GError     **error)
{
  g_autoptr(CareFields) fields = care_fields_new ();

  care_fields_set (fields, "retired", "1");

  return care_db_put (self, actor, table, id, fields, NULL, error);
}

gint64
care_db_count_changes (CareDb  *self,
                       GError **error)
{
  gint64 count = 0;

  g_return_val_if_fail (self != NULL, -1);

  if (!query_int64 (self, "SELECT count(*) FROM changes", -1, &count, error))
    return -1;

  return count;
}

gboolean
_care_replica_hash_conflicts (CareDb     *self,
                              GChecksum  *checksum,
                              GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _care_db_get_statement (self,
                                 "SELECT c.tbl, c.rid, c.field, d.uuid, c.counter, c.kind, c.value "
                                 "FROM conflicts c JOIN devices d ON d.idx = c.origin "
                                 "ORDER BY c.tbl, c.rid, c.field, d.uuid, c.counter, c.kind", error);
  if (stmt == NULL)
    return FALSE;

  g_checksum_update (checksum, (const guchar *) "conflicts", -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < 7; i++)
        {
          const guchar *text = sqlite3_column_text (stmt, i);

          g_checksum_update (checksum, (const guchar *) (text ? "\x02" : "\x01"), 1);
          if (text != NULL)
            g_checksum_update (checksum, text, sqlite3_column_bytes (stmt, i));
          g_checksum_update (checksum, (const guchar *) "\x1f", 1);
        }
      g_checksum_update (checksum, (const guchar *) "\x1e", 1);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "hashing", error);

  return TRUE;
}

/* After a migration: rows written before replication existed get their first
 * change, and fields parked for this version are merged now. */
gboolean
_care_replica_after_migration (CareDb      *self,
                               int          from_version,
                               GError     **error)
{
  g_autoptr(GPtrArray) parked = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  if (!care_db_begin (self, error))
    return FALSE;

  if (from_version < 2)
    for (const char * const *t = care_db_record_types (); ok && *t; t++)
      {
        g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE clocks IS NULL", *t);
        g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
        GPtrArray *columns = g_hash_table_lookup (self->columns, *t);

        /* A record type of a later version than this database has yet. */
        if (columns == NULL || columns->len == 0)
          continue;

        if (!(stmt = _care_db_get_statement (self, sql, error)))
          {
            ok = FALSE;
            break;
          }
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_ptr_array_add (rows, _care_db_record_from_row (*t, stmt));
        sqlite3_reset (stmt);

        for (guint i = 0; ok && i < rows->len; i++)
          {
            CareRecord *record = g_ptr_array_index (rows, i);
            const GPtrArray *names = care_record_get_columns (record);
            g_autoptr(CareFields) fields = care_fields_new ();

            for (guint j = 0; j < names->len; j++)
              if (!g_strv_contains (_care_db_managed_columns, g_ptr_array_index (names, j)))
                care_fields_set (fields, g_ptr_array_index (names, j),
                                 care_record_get (record, g_ptr_array_index (names, j)));
            ok = _care_replica_write_local (self, "system:migration", *t, care_record_get_id (record),
                                            fields, FALSE, FALSE, error);
          }
      }

  /* Parked fields whose column exists now. */
  if (ok && (stmt = _care_db_get_statement (self,
                                            "SELECT p.origin, p.counter, p.field, c.tbl FROM parked p "
                                            "JOIN changes c ON c.origin = p.origin AND c.counter = p.counter", error)))
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *table = (const char *) sqlite3_column_text (stmt, 3);
          const char *field = (const char *) sqlite3_column_text (stmt, 2);
          GPtrArray *columns = g_hash_table_lookup (self->columns, table);

          if (columns != NULL && (g_str_equal (field, "*") || _care_db_has_column (columns, field)))
            g_ptr_array_add (parked, g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s",
                                                      (gint64) sqlite3_column_int64 (stmt, 0),
                                                      (gint64) sqlite3_column_int64 (stmt, 1), field));
        }
      sqlite3_reset (stmt);
    }
  else
    ok = FALSE;

  for (guint i = 0; ok && i < parked->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (parked, i), " ", 3);
      gint64 origin = g_ascii_strtoll (parts[0], NULL, 10);
      gint64 counter = g_ascii_strtoll (parts[1], NULL, 10);
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (field_change_free);
      g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (field_change_free);
      g_autofree char *table = NULL, *rid = NULL, *actor = NULL, *json = NULL;
      Incoming in = { 0 };
      Row row;

      stmt = _care_db_get_statement (self, "SELECT hlc, tbl, rid, actor, seen, fields FROM changes WHERE origin = ? AND counter = ?", error);
      if (stmt == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_int64 (stmt, 1, origin);
      sqlite3_bind_int64 (stmt, 2, counter);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          in.hlc = sqlite3_column_int64 (stmt, 0);
          table = column_dup (stmt, 1);
          rid = column_dup (stmt, 2);
          actor = column_dup (stmt, 3);
          in.seen = sqlite3_column_int64 (stmt, 4);
          json = column_dup (stmt, 5);
        }
      sqlite3_reset (stmt);
      if (json == NULL || !fields_from_json (self, json, fields, error))
        {
          ok = json != NULL ? FALSE : TRUE;
          continue;
        }

      for (guint j = 0; j < fields->len; j++)
        {
          FieldChange *fc = g_ptr_array_index (fields, j);

          if (g_str_equal (parts[2], "*") || g_str_equal (fc->field, parts[2]))
            g_ptr_array_add (wanted, g_ptr_array_steal_index (fields, j--));
        }

      in.origin = origin;
      in.counter = counter;
      in.table = table;
      in.record_id = rid;
      in.actor = actor;
      in.fields = wanted;

      if (!load_row (self, table, rid, g_hash_table_lookup (self->columns, table), &row, error))
        ok = FALSE;
      else
        ok = merge_change (self, &in, g_hash_table_lookup (self->columns, table), &row, FALSE, error);
      row_clear (&row);

      if (ok && (stmt = _care_db_get_statement (self, "DELETE FROM parked WHERE origin = ? AND counter = ? AND field = ?", error)))
        {
          sqlite3_bind_int64 (stmt, 1, origin);
          sqlite3_bind_int64 (stmt, 2, counter);
          sqlite3_bind_text (stmt, 3, parts[2], -1, SQLITE_STATIC);
          ok = step_done (self, stmt, "applying a kept field", error);
        }
    }

  if (ok)
    return care_db_commit (self, error);

  care_db_rollback (self);
  return FALSE;
}
