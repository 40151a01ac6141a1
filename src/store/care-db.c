/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-db"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "care-db.h"
#include "care-db-private.h"
#include "care-patient.h"
#include "care-schema.h"
#include "care-text.h"

/* Columns the store itself keeps; callers may not write them. */
const char * const _care_db_managed_columns[] = {
  "seq", "id", "created_at", "updated_at", "device_id", "sort_key", "clocks", NULL
};

G_DEFINE_QUARK (care-db-error-quark, care_db_error)

gboolean
_care_db_set_error_from_sqlite (CareDb      *self,
                       int          rc,
                       const char  *what,
                       GError     **error)
{
  const char *detail = self && self->sqlite ? sqlite3_errmsg (self->sqlite) : sqlite3_errstr (rc);
  const char *path = self && self->path ? self->path : "";

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_A_DATABASE,
                   _("“%s” is not a Caremesh database (it is not an SQLite file). Nothing was changed."),
                   path);
      break;
    case SQLITE_CORRUPT:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_CORRUPT,
                   _("The database “%s” is damaged (%s). Restore it from a backup; nothing was changed."),
                   path, detail);
      break;
    case SQLITE_FULL:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_FULL,
                   _("The disk holding “%s” is full. The last change was not saved; free some space and try again."),
                   path);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_BUSY,
                   _("The database “%s” is in use by another program. Close it and try again."),
                   path);
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_READ_ONLY,
                   _("The database “%s” cannot be written (read-only file or folder)."),
                   path);
      break;
    case SQLITE_CANTOPEN:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_OPEN,
                   _("Cannot open or create the database “%s”: the folder does not exist or cannot be written."),
                   path);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                   _("The record is incomplete or refers to a missing record (%s)."), detail);
      break;
    case SQLITE_IOERR:
      if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC)
        {
          g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_FULL,
                       _("Writing to “%s” failed; the disk may be full or failing. The last change was not saved."),
                       path);
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_FAILED,
                   _("Database error while %s: %s"), what, detail);
      break;
    }

  return FALSE;
}

sqlite3_stmt *
_care_db_get_statement (CareDb      *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _care_db_set_error_from_sqlite (self, rc, "preparing a query", error);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);

  return stmt;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

gboolean
care_db_exec (CareDb      *self,
              const char  *sql,
              GError     **error)
{
  char *message = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  rc = sqlite3_exec (self->sqlite, sql, NULL, NULL, &message);
  sqlite3_free (message);
  if (rc != SQLITE_OK)
    return _care_db_set_error_from_sqlite (self, rc, "running a statement", error);

  return TRUE;
}

static gboolean
query_int (CareDb      *self,
           const char  *sql,
           gint64      *out,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->sqlite, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        {
          *out = 0;
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    return _care_db_set_error_from_sqlite (self, rc, "reading the database header", error);

  return TRUE;
}

static char *
meta_get (CareDb     *self,
          const char *key)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, "SELECT value FROM meta WHERE key = ?", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return value;
}

static gboolean
meta_set (CareDb      *self,
          const char  *key,
          const char  *value,
          GError     **error)
{
  sqlite3_stmt *stmt = _care_db_get_statement (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "saving settings", error);

  return TRUE;
}

/* Local settings of this installation (never replicated). */
char *
care_db_get_meta (CareDb     *self,
                  const char *key)
{
  g_return_val_if_fail (self != NULL && key != NULL, NULL);

  return meta_get (self, key);
}

gboolean
care_db_set_meta (CareDb      *self,
                  const char  *key,
                  const char  *value,
                  GError     **error)
{
  g_return_val_if_fail (self != NULL && key != NULL && value != NULL, FALSE);

  return meta_set (self, key, value, error);
}

static gboolean
migrate (CareDb      *self,
         int          from,
         int          to,
         GError     **error)
{
  if (!care_db_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (int v = from + 1; v <= to; v++)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", v);

      if (!care_db_exec (self, care_schema_migration ((guint) v), error) ||
          !care_db_exec (self, pragma, error))
        {
          g_prefix_error (error, _("Upgrading the database to version %d failed: "), v);
          care_db_rollback (self);
          return FALSE;
        }
    }

  if (from == 0)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA application_id = %d", CARE_SCHEMA_APPLICATION_ID);
      g_autofree char *device_id = g_uuid_string_random ();

      if (!care_db_exec (self, pragma, error) ||
          !meta_set (self, "device_id", device_id, error))
        {
          care_db_rollback (self);
          return FALSE;
        }
    }

  return care_db_commit (self, error);
}

/* SQLite's affinity rules (datatype3.html, 3.1): a TEXT column keeps a value's
 * text exactly as written. */
static gboolean
is_text_affinity (const char *type)
{
  g_autofree char *upper = g_ascii_strup (type ? type : "", -1);

  return strstr (upper, "INT") == NULL &&
         (strstr (upper, "CHAR") || strstr (upper, "CLOB") || strstr (upper, "TEXT"));
}

static gboolean
load_columns (CareDb      *self,
              GError     **error)
{
  for (const char * const *t = care_schema_record_types (); *t; t++)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(%s)", *t);
      GPtrArray *columns = g_ptr_array_new_with_free_func (g_free);
      sqlite3_stmt *stmt = NULL;
      int rc;

      GPtrArray *required = g_ptr_array_new_with_free_func (g_free);
      GHashTable *text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      rc = sqlite3_prepare_v2 (self->sqlite, sql, -1, &stmt, NULL);
      while (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *name = (const char *) sqlite3_column_text (stmt, 1);

          g_ptr_array_add (columns, g_strdup (name));
          if (is_text_affinity ((const char *) sqlite3_column_text (stmt, 2)))
            g_hash_table_add (text, g_strdup (name));
          /* NOT NULL without a default, not kept by the store: a row made from a
           * partial change needs a placeholder until the record's first change. */
          if (sqlite3_column_int (stmt, 3) && sqlite3_column_type (stmt, 4) == SQLITE_NULL &&
              !g_strv_contains (_care_db_managed_columns, name))
            g_ptr_array_add (required, g_strdup (name));
        }
      sqlite3_finalize (stmt);
      g_hash_table_insert (self->required, g_strdup (*t), required);
      g_hash_table_insert (self->text_columns, g_strdup (*t), text);

      {
        g_autofree char *fk_sql = g_strdup_printf ("PRAGMA foreign_key_list(%s)", *t);
        GPtrArray *references = g_ptr_array_new_with_free_func (g_free);

        /* "column table" pairs: this column holds the id of a record of that table. */
        rc = sqlite3_prepare_v2 (self->sqlite, fk_sql, -1, &stmt, NULL);
        while (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
          g_ptr_array_add (references, g_strdup_printf ("%s %s", sqlite3_column_text (stmt, 3),
                                                        sqlite3_column_text (stmt, 2)));
        sqlite3_finalize (stmt);
        g_hash_table_insert (self->references, g_strdup (*t), references);
      }

      if (rc != SQLITE_OK)
        {
          g_ptr_array_unref (columns);
          return _care_db_set_error_from_sqlite (self, rc, "reading the schema", error);
        }

      g_hash_table_insert (self->columns, g_strdup (*t), columns);
    }

  return TRUE;
}

static gboolean
ensure_parent_folder (const char  *path,
                      GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_OPEN,
                   _("Cannot create the folder “%s” for the database: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

static void
fold_sql_function (sqlite3_context  *context,
                   int               argc,
                   sqlite3_value   **argv)
{
  g_autofree char *folded = care_text_fold ((const char *) sqlite3_value_text (argv[0]));

  sqlite3_result_text (context, folded, -1, SQLITE_TRANSIENT);
}

/*
 * SQLite's locks are POSIX record locks, and those belong to the process: a
 * close() of any descriptor of the file, anywhere in the process, drops them all.
 * A GTK file chooser showing the database's folder does that (it reads a few
 * bytes of each file to guess its type). Another program closing the database
 * afterwards (caremeshctl, a backup with sqlite3) then believes it was the last
 * user: it deletes the write-ahead log from under this one, and every later
 * write here goes to a deleted file, lost. So each connection also holds the
 * read locks that say "in use" as open-file-description locks, which only its
 * own descriptors can drop: SQLite's shared lock on the database file and the
 * "in use" byte of its -shm file (the offsets of SQLite's os_unix.c).
 */
#define SQLITE_SHARED_FIRST (0x40000000 + 2)
#define SQLITE_SHARED_SIZE  510
#define SQLITE_SHM_DMS      128

static int
hold_read_lock (const char *path,
                off_t       start,
                off_t       length)
{
#ifdef F_OFD_SETLK
  struct flock lock = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = length };
  int fd = g_open (path, O_RDWR | O_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  if (fcntl (fd, F_OFD_SETLK, &lock) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
#else
  return -1;
#endif
}

static void
guard_locks (CareDb *self)
{
  g_autofree char *shm = g_strconcat (self->path, "-shm", NULL);

  self->guard_fds[0] = hold_read_lock (self->path, SQLITE_SHARED_FIRST, SQLITE_SHARED_SIZE);
  self->guard_fds[1] = hold_read_lock (shm, SQLITE_SHM_DMS, 1);
  if (self->guard_fds[0] < 0 || self->guard_fds[1] < 0)
    g_debug ("The database's locks are not guarded: %s", g_strerror (errno));
}

/* Before SQLite closes: so that the last connection may still fold the log into
 * the database file and remove it. */
static void
release_locks (CareDb *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->guard_fds); i++)
    if (self->guard_fds[i] >= 0)
      {
        close (self->guard_fds[i]);
        self->guard_fds[i] = -1;
      }
}

CareDb *
care_db_open_at_version (const char  *path,
                         int          target_version,
                         GError     **error)
{
  g_autoptr(CareDb) self = NULL;
  gint64 app_id = 0, user_version = 0, n_objects = 0;
  int latest = care_db_schema_version ();
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (target_version >= 0 && target_version <= latest, NULL);

  self = g_new0 (CareDb, 1);
  self->guard_fds[0] = self->guard_fds[1] = -1;
  self->path = g_strdup (path);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  self->columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  self->required = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->references = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  self->text_columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_OPEN,
                   _("“%s” is a folder, not a database file."), path);
      return NULL;
    }

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !ensure_parent_folder (path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &self->sqlite,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _care_db_set_error_from_sqlite (self, rc, "opening", error);
      return NULL;
    }

  sqlite3_extended_result_codes (self->sqlite, 1);
  sqlite3_busy_timeout (self->sqlite, 5000);
  sqlite3_create_function (self->sqlite, "care_fold", 1,
                           SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                           NULL, fold_sql_function, NULL, NULL);

  /* Reading the header is the first access to the file: this is where a file
   * that is not SQLite at all is recognised. */
  if (!query_int (self, "PRAGMA application_id", &app_id, error) ||
      !query_int (self, "PRAGMA user_version", &user_version, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
    return NULL;

  if (n_objects > 0 && app_id != CARE_SCHEMA_APPLICATION_ID)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_A_DATABASE,
                   _("“%s” is an SQLite database of another program, not a Caremesh database. Nothing was changed."),
                   path);
      return NULL;
    }

  if (user_version > latest)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_TOO_NEW,
                   _("“%s” was written by a newer version of Caremesh (database version %d; this version understands up to %d). "
                     "Update Caremesh to open it; nothing was changed."),
                   path, (int) user_version, latest);
      return NULL;
    }

  if (sqlite3_db_readonly (self->sqlite, "main") == 1)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_READ_ONLY,
                   _("The database “%s” cannot be written (read-only file or folder)."), path);
      return NULL;
    }

  if (!care_db_exec (self, "PRAGMA journal_mode = WAL", error) ||
      /* References are checked by the store on local writes (check_references):
       * changes merged from other replicas may bring a child before its parent. */
      !care_db_exec (self, "PRAGMA foreign_keys = OFF", error) ||
      !care_db_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      /* 16 MB of page cache: merges and searches stay fast, and the window's
       * memory stays small (mapping the file would count it all as resident). */
      !care_db_exec (self, "PRAGMA cache_size = -16384", error) ||
      /* Checkpoints every 80 MB of log rather than 4: a sync's many small
       * transactions copy their hot pages back less often (10-15% faster merges);
       * the log file is trimmed back to 64 MB. The app's store also checkpoints
       * whenever it has been idle for a second (care-store.c). */
      !care_db_exec (self, "PRAGMA wal_autocheckpoint = 20000", error) ||
      !care_db_exec (self, "PRAGMA journal_size_limit = 67108864", error))
    return NULL;

  if (user_version < target_version &&
      !migrate (self, (int) user_version, target_version, error))
    return NULL;

  self->user_version = MAX ((int) user_version, target_version);

  if (self->user_version >= 1)
    {
      self->device_id = meta_get (self, "device_id");
      if (!load_columns (self, error))
        return NULL;
    }

  if (self->user_version >= 9)
    {
      gint64 pending = 0;

      if (!query_int (self, "SELECT EXISTS (SELECT 1 FROM patient_search_pending)", &pending, error))
        return NULL;
      self->search_pending = pending != 0;
    }

  if (self->user_version >= 2)
    {
      if (!_care_replica_init (self, error))
        return NULL;
      if (user_version < self->user_version &&
          !_care_replica_after_migration (self, (int) user_version, error))
        return NULL;
    }

  guard_locks (self);

  return g_steal_pointer (&self);
}

CareDb *
care_db_open (const char  *path,
              GError     **error)
{
  return care_db_open_at_version (path, care_db_schema_version (), error);
}

void
care_db_close (CareDb *self)
{
  if (self == NULL)
    return;

  _care_replica_clear (self);
  _care_db_links_clear (self);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->columns, g_hash_table_unref);
  g_clear_pointer (&self->required, g_hash_table_unref);
  g_clear_pointer (&self->text_columns, g_hash_table_unref);
  g_clear_pointer (&self->references, g_hash_table_unref);
  release_locks (self);
  if (self->sqlite != NULL)
    sqlite3_close (self->sqlite);
  g_free (self->path);
  g_free (self->device_id);
  g_free (self);
}

int
care_db_schema_version (void)
{
  return (int) care_schema_n_migrations ();
}

char *
care_db_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "caremesh", "caremesh.db", NULL);
}

const char *
care_db_get_path (CareDb *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->path;
}

const char *
care_db_get_device_id (CareDb *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->device_id;
}

int
care_db_get_user_version (CareDb *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->user_version;
}

void
care_db_set_busy_timeout (CareDb *self,
                          int     timeout_ms)
{
  g_return_if_fail (self != NULL);

  sqlite3_busy_timeout (self->sqlite, timeout_ms);
}

gboolean
care_db_begin (CareDb  *self,
               GError **error)
{
  return care_db_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
care_db_in_transaction (CareDb *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return !sqlite3_get_autocommit (self->sqlite);
}

gboolean
care_db_commit (CareDb  *self,
                GError **error)
{
  if (!care_db_exec (self, "COMMIT", error))
    {
      care_db_rollback (self);
      return FALSE;
    }

  return TRUE;
}

void
care_db_rollback (CareDb *self)
{
  g_return_if_fail (self != NULL);

  if (!sqlite3_get_autocommit (self->sqlite))
    sqlite3_exec (self->sqlite, "ROLLBACK", NULL, NULL, NULL);
  _care_replica_forget (self);
}

const char * const *
care_db_record_types (void)
{
  return care_schema_record_types ();
}

gboolean
care_db_is_record_type (const char *table)
{
  if (table == NULL)
    return FALSE;

  for (const char * const *t = care_schema_record_types (); *t; t++)
    if (g_str_equal (*t, table))
      return TRUE;

  return FALSE;
}

void
care_db_set_clock_override (CareDb *self,
                            gint64  now_ms)
{
  g_return_if_fail (self != NULL);

  self->clock_override_ms = now_ms;
}

gint64
care_db_now_ms (CareDb *self)
{
  if (self != NULL && self->clock_override_ms != 0)
    return self->clock_override_ms;

  return g_get_real_time () / 1000;
}

GPtrArray *
_care_db_table_columns (CareDb      *self,
               const char  *table,
               GError     **error)
{
  GPtrArray *columns = NULL;

  if (care_db_is_record_type (table))
    columns = g_hash_table_lookup (self->columns, table);

  if (columns == NULL || columns->len == 0)
    g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                 _("Unknown record type “%s”."), table ? table : "(null)");

  return columns;
}

gboolean
_care_db_has_column (GPtrArray  *columns,
            const char *column)
{
  for (guint i = 0; i < columns->len; i++)
    if (g_str_equal (g_ptr_array_index (columns, i), column))
      return TRUE;

  return FALSE;
}

void
_care_db_bind_value (sqlite3_stmt *stmt,
            int           index,
            const char   *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
}


/* @text without anything but letters and digits, or "" when that changes nothing. */
static char *
squash (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean changed = FALSE;

  for (const char *p = text ? text : ""; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || g_unichar_ismark (c))
        g_string_append_unichar (out, c);
      else
        changed = TRUE;
    }

  if (!changed)
    g_string_truncate (out, 0);

  return g_string_free (out, FALSE);
}

/* The patient's sort key and its row in the local search index follow every
 * write of the patient. */
char *
_care_db_patient_sort_key (const char *given,
                           const char *family)
{
  g_autofree char *raw = g_strdup_printf ("%s\x1f%s", family ? family : "", given ? given : "");

  return care_text_fold (raw);
}

/* What the search index holds for a patient. */
static void
index_texts (const char  *given,
             const char  *middle,
             const char  *family,
             const char  *mrn,
             const char  *phone,
             const char  *member,
             char       **name,
             char       **ids)
{
  g_autofree char *squashed_family = squash (family);
  g_autofree char *squashed_given = squash (given);
  g_autofree char *digits = care_text_digits (phone);
  gsize n_digits = strlen (digits);

  /* Names with an apostrophe, hyphen or space are also found written as one word:
   * "obrien" finds O'Brien, "garcialopez" García López. */
  *name = g_strjoin (" ", given ? given : "", middle ? middle : "", family ? family : "",
                     squashed_family, squashed_given, NULL);
  /* Phone numbers are found by all ten digits, the last seven and the last four. */
  *ids = g_strdup_printf ("%s %s %s %s %s", mrn ? mrn : "", member ? member : "", digits,
                          n_digits > 7 ? digits + n_digits - 7 : "",
                          n_digits > 4 ? digits + n_digits - 4 : "");
}

/* A patient just inserted (with its sort key): its first search entry. */
gboolean
_care_db_index_new_patient (CareDb      *self,
                            gint64       seq,
                            const char  *given,
                            const char  *middle,
                            const char  *family,
                            const char  *mrn,
                            const char  *phone,
                            const char  *member,
                            GError     **error)
{
  g_autofree char *name = NULL, *ids = NULL;
  sqlite3_stmt *stmt;
  int rc;

  index_texts (given, middle, family, mrn, phone, member, &name, &ids);
  if (!(stmt = _care_db_get_statement (self, "INSERT INTO patient_search (rowid, name, ids) VALUES (?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ids, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "indexing a patient", error);

  return TRUE;
}

gboolean
_care_db_reindex_patient (CareDb      *self,
                 gint64       seq,
                 GError     **error)
{
  static const char select_sql[] =
    "SELECT given_name, middle_name, family_name, mrn, phone, cco_member_id FROM patients WHERE seq = ?";
  sqlite3_stmt *stmt;
  g_autofree char *given = NULL, *middle = NULL, *family = NULL, *mrn = NULL;
  g_autofree char *phone = NULL, *member = NULL, *sort_key = NULL;
  g_autofree char *name = NULL, *ids = NULL;
  int rc;

  if (!(stmt = _care_db_get_statement (self, select_sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return _care_db_set_error_from_sqlite (self, rc, "indexing a patient", error);
    }
  given = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  middle = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  family = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  mrn = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  phone = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  member = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  sqlite3_reset (stmt);

  sort_key = _care_db_patient_sort_key (given, family);
  index_texts (given, middle, family, mrn, phone, member, &name, &ids);

  if (!(stmt = _care_db_get_statement (self, "UPDATE patients SET sort_key = ? WHERE seq = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, sort_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "indexing a patient", error);

  if (!(stmt = _care_db_get_statement (self, "INSERT OR REPLACE INTO patient_search (rowid, name, ids) VALUES (?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ids, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "indexing a patient", error);

  return TRUE;
}

gboolean
care_db_index_pending (CareDb  *self,
                       GError **error)
{
  g_autoptr(GArray) seqs = NULL;
  sqlite3_stmt *stmt;
  gboolean own_transaction;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->search_pending)
    return TRUE;

  if (!(stmt = _care_db_get_statement (self, "SELECT seq FROM patient_search_pending", error)))
    return FALSE;
  seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (seqs, seq);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _care_db_set_error_from_sqlite (self, rc, "reading the patients to index", error);

  own_transaction = !care_db_in_transaction (self);
  if (own_transaction && !care_db_begin (self, error))
    return FALSE;
  for (guint i = 0; i < seqs->len; i++)
    if (!_care_db_reindex_patient (self, g_array_index (seqs, gint64, i), error))
      goto failed;
  if (!care_db_exec (self, "DELETE FROM patient_search_pending", error) ||
      (own_transaction && !care_db_commit (self, error)))
    goto failed;

  self->search_pending = FALSE;
  return TRUE;

failed:
  if (own_transaction)
    care_db_rollback (self);
  return FALSE;
}

/* Every reference a local write sets must name an existing record. */
static gboolean
check_references (CareDb      *self,
                  const char  *table,
                  CareFields  *fields,
                  GError     **error)
{
  GPtrArray *references = g_hash_table_lookup (self->references, table);

  for (guint i = 0; references != NULL && i < references->len; i++)
    {
      g_auto(GStrv) pair = g_strsplit (g_ptr_array_index (references, i), " ", 2);
      const char *value = care_fields_lookup (fields, pair[0]);
      g_autofree char *sql = NULL;
      sqlite3_stmt *stmt;
      gboolean found;

      if (value == NULL)
        continue;

      sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?", pair[1]);
      if (!(stmt = _care_db_get_statement (self, sql, error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
      found = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);

      if (!found)
        {
          g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                       _("The record refers to a missing record (%s of %s)."), pair[0], table);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
care_db_put (CareDb      *self,
             const char  *actor,
             const char  *table,
             const char  *id,
             CareFields  *fields,
             char       **out_id,
             GError     **error)
{
  g_autofree char *new_id = NULL;
  GPtrArray *columns;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (actor != NULL && *actor != '\0', FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  if (!(columns = _care_db_table_columns (self, table, error)))
    return FALSE;

  n = care_fields_get_n (fields);
  for (guint i = 0; i < n; i++)
    {
      const char *column = care_fields_get_column (fields, i);

      if (g_strv_contains (_care_db_managed_columns, column) || !_care_db_has_column (columns, column))
        {
          g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                       _("“%s” is not a field of %s that can be written."), column, table);
          return FALSE;
        }
    }

  if (id != NULL && !g_uuid_string_is_valid (id))
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                   _("“%s” is not a valid record id."), id);
      return FALSE;
    }

  if (!check_references (self, table, fields, error))
    return FALSE;

  if (id == NULL)
    id = new_id = g_uuid_string_random ();

  /* The row, its change and (for patients) the search index are one unit. */
  if (!_care_replica_write_local (self, actor, table, id, fields, FALSE, new_id != NULL, error))
    return FALSE;

  if (out_id != NULL)
    *out_id = g_strdup (id);

  return TRUE;
}

CareRecord *
_care_db_record_from_row (const char   *table,
                 sqlite3_stmt *stmt)
{
  CareRecord *record = care_record_new (table, NULL);
  int n = sqlite3_column_count (stmt);

  for (int i = 0; i < n; i++)
    {
      const char *name = sqlite3_column_name (stmt, i);

      if (g_str_equal (name, "seq") || g_str_equal (name, "sort_key"))
        continue;
      care_record_set (record, name, (const char *) sqlite3_column_text (stmt, i));
    }

  return record;
}

CareRecord *
care_db_get (CareDb      *self,
             const char  *actor,
             const char  *table,
             const char  *id,
             GError     **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  CareRecord *record = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (actor != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!_care_db_table_columns (self, table, error))
    return NULL;

  sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?", table);
  if (!(stmt = _care_db_get_statement (self, sql, error)))
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = _care_db_record_from_row (table, stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_FOUND, _("The record was not found."));
  else
    _care_db_set_error_from_sqlite (self, rc, "reading a record", error);
  sqlite3_reset (stmt);

  return record;
}

GPtrArray *
care_db_list (CareDb      *self,
              const char  *actor,
              const char  *table,
              const char  *patient_id,
              const char  *order_by,
              GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) sql = NULL;
  GPtrArray *columns;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  if (!(columns = _care_db_table_columns (self, table, error)))
    return NULL;

  if (order_by != NULL && !_care_db_has_column (columns, order_by))
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                   _("“%s” is not a field of %s."), order_by, table);
      return NULL;
    }

  if (patient_id != NULL && !_care_db_has_column (columns, "patient_id"))
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID,
                   _("Records of type %s do not belong to a patient."), table);
      return NULL;
    }

  sql = g_string_new (NULL);
  g_string_append_printf (sql, "SELECT * FROM %s", table);
  /* A patient merged with others shows all of their records. */
  if (patient_id != NULL)
    g_string_append (sql, " WHERE patient_id IN (SELECT value FROM json_each (?))");
  g_string_append_printf (sql, " ORDER BY %s, seq", order_by ? order_by : "seq");

  if (!(stmt = _care_db_get_statement (self, sql->str, error)))
    return NULL;
  if (patient_id != NULL)
    {
      g_autofree char *group = _care_db_patient_group_json (self, patient_id);

      sqlite3_bind_text (stmt, 1, group, -1, SQLITE_TRANSIENT);
    }

  records = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, _care_db_record_from_row (table, stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading records", error);
      return NULL;
    }

  return g_steal_pointer (&records);
}

gint64
care_db_count (CareDb      *self,
               const char  *table,
               GError     **error)
{
  g_autofree char *sql = NULL;
  gint64 count = 0;

  g_return_val_if_fail (self != NULL, -1);

  if (!_care_db_table_columns (self, table, error))
    return -1;

  sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  if (!query_int (self, sql, &count, error))
    return -1;

  return count;
}

/* Turns what a person typed into an FTS5 query: every word must match the start
 * of a word of the name (or of an id, for digits), accents and case ignored. */
static char *
build_match_query (const char *query)
{
  g_autofree char *folded = care_text_fold (query);
  g_autofree char *digits = care_text_digits (query);
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);
  gboolean only_digits = TRUE;

  for (const char *p = query; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalpha (c))
        {
          only_digits = FALSE;
          break;
        }
    }

  /* "(541) 555-0123", "555 0123", "1000123": one run of digits. */
  if (only_digits)
    {
      if (*digits == '\0')
        return NULL;
      return g_strdup_printf ("ids : \"%s\"*", digits);
    }

  for (const char *p = folded; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }

      if (word->len > 0)
        {
          gboolean has_digit = FALSE;

          for (const char *w = word->str; *w; w++)
            has_digit |= g_ascii_isdigit (*w);

          if (match->len > 0)
            g_string_append (match, " AND ");
          /* Words with digits may be ids (member ids such as OR123456789); words of
           * letters alone are names only, so "or" does not find every member id. */
          g_string_append_printf (match, "%s : \"%s\"*", has_digit ? "{name ids}" : "name", word->str);
          g_string_truncate (word, 0);
        }

      if (c == 0)
        break;
    }

  return match->len > 0 ? g_string_free (g_steal_pointer (&match), FALSE) : NULL;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text ? text : ""; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

GArray *
care_db_search_patients (CareDb      *self,
                         const char  *actor,
                         const char  *query,
                         GError     **error)
{
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *date = NULL;
  g_autofree char *match = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  /* Patients that arrived by sync are indexed before anyone searches. */
  if (!care_db_index_pending (self, error))
    return NULL;

  if (is_blank (query))
    {
      stmt = _care_db_get_statement (self, "SELECT seq FROM patients ORDER BY sort_key, seq", error);
    }
  else if ((date = care_text_parse_date (query)) != NULL)
    {
      stmt = _care_db_get_statement (self, "SELECT seq FROM patients WHERE birth_date = ? ORDER BY sort_key, seq", error);
      if (stmt)
        sqlite3_bind_text (stmt, 1, date, -1, SQLITE_STATIC);
    }
  else if ((match = build_match_query (query)) != NULL)
    {
      stmt = _care_db_get_statement (self,
                            "SELECT p.seq FROM patient_search s JOIN patients p ON p.seq = s.rowid "
                            "WHERE patient_search MATCH ? ORDER BY p.sort_key, p.seq", error);
      if (stmt)
        sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
    }
  else
    {
      /* Only punctuation: nothing can match. */
      return g_steal_pointer (&seqs);
    }

  if (stmt == NULL)
    return NULL;

  {
    /* Patients merged into another are found as that one. */
    GHashTable *hidden = _care_db_merged_away_seqs (self);

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 seq = sqlite3_column_int64 (stmt, 0);

        if (hidden == NULL || !g_hash_table_contains (hidden, &seq))
          g_array_append_val (seqs, seq);
      }
    sqlite3_reset (stmt);
  }

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "searching", error);
      return NULL;
    }

  return g_steal_pointer (&seqs);
}

GPtrArray *
care_db_load_patients (CareDb        *self,
                       const char    *actor,
                       const gint64  *seqs,
                       guint          n_seqs,
                       GError       **error)
{
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GHashTable) by_seq = NULL;
  g_autoptr(GString) list = g_string_new ("[");
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  for (guint i = 0; i < n_seqs; i++)
    g_string_append_printf (list, "%s%" G_GINT64_FORMAT, i ? "," : "", seqs[i]);
  g_string_append_c (list, ']');

  stmt = _care_db_get_statement (self, "SELECT * FROM patients WHERE seq IN (SELECT value FROM json_each(?))", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, list->str, -1, SQLITE_STATIC);

  by_seq = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(CareRecord) record = _care_db_record_from_row ("patients", stmt);
      gint64 *seq = g_new (gint64, 1);

      *seq = sqlite3_column_int64 (stmt, 0);
      g_hash_table_insert (by_seq, seq, care_patient_new_from_record (*seq, record));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading patients", error);
      return NULL;
    }

  /* In the order asked for; a patient that is gone comes back as a placeholder. */
  patients = g_ptr_array_new_full (n_seqs, g_object_unref);
  for (guint i = 0; i < n_seqs; i++)
    {
      CarePatient *patient = g_hash_table_lookup (by_seq, &seqs[i]);

      g_ptr_array_add (patients, patient ? g_object_ref (patient) : care_patient_new (seqs[i]));
    }

  return g_steal_pointer (&patients);
}

char *
care_db_content_hash (CareDb      *self,
                      GError     **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (self != NULL, NULL);

  for (const char * const *t = care_schema_record_types (); *t; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY id", *t);
      GPtrArray *columns = g_hash_table_lookup (self->columns, *t);

      /* A record type of a later version than this database has yet. */
      if (columns == NULL || columns->len == 0)
        continue;
      sqlite3_stmt *stmt = NULL;
      int rc;

      g_checksum_update (checksum, (const guchar *) *t, -1);

      rc = sqlite3_prepare_v2 (self->sqlite, sql, -1, &stmt, NULL);
      while (rc == SQLITE_OK || rc == SQLITE_ROW)
        {
          int n;

          if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
            break;

          n = sqlite3_column_count (stmt);

          for (int i = 0; i < n; i++)
            {
              const char *name = sqlite3_column_name (stmt, i);
              int type = sqlite3_column_type (stmt, i);
              const guchar *text;

              if (g_strv_contains (_care_db_managed_columns, name) && !g_str_equal (name, "id"))
                continue;

              text = sqlite3_column_text (stmt, i);
              g_checksum_update (checksum, (const guchar *) name, -1);
              g_checksum_update (checksum, (const guchar *) (type == SQLITE_NULL ? "\x01" : "\x02"), 1);
              if (text != NULL)
                g_checksum_update (checksum, text, sqlite3_column_bytes (stmt, i));
              g_checksum_update (checksum, (const guchar *) "\x1f", 1);
            }
          g_checksum_update (checksum, (const guchar *) "\x1e", 1);
        }
      sqlite3_finalize (stmt);

      if (rc != SQLITE_DONE)
        {
          _care_db_set_error_from_sqlite (self, rc, "hashing", error);
          return NULL;
        }
    }

  if (self->user_version >= 2 && !_care_replica_hash_conflicts (self, checksum, error))
    return NULL;

  return g_strdup (g_checksum_get_string (checksum));
}
