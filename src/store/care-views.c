/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-views"

#include "config.h"

#include <json-glib/json-glib.h>

#include "care-db-private.h"

/* "What changed since I last looked": the change log's local arrival order
 * (changes.seq) marks what this machine held when a user last opened a patient;
 * anything that arrived after, from any machine, is new to that user. */

void
care_activity_free (CareActivity *activity)
{
  if (activity == NULL)
    return;

  g_free (activity->table);
  g_free (activity->record_id);
  g_free (activity->actor);
  g_strfreev (activity->fields);
  g_free (activity);
}

gint64
care_db_mark_patient_viewed (CareDb      *self,
                             const char  *actor,
                             const char  *patient_id,
                             GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 previous = -1;
  int rc;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (actor != NULL && patient_id != NULL, -1);

  if (!(stmt = _care_db_get_statement (self, "SELECT seen_seq FROM patient_views WHERE actor = ? AND patient_id = ?", error)))
    return -2;
  sqlite3_bind_text (stmt, 1, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, patient_id, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    previous = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading when the patient was last opened", error);
      return -2;
    }

  if (!(stmt = _care_db_get_statement (self,
                                       "INSERT INTO patient_views (actor, patient_id, seen_seq, seen_at) "
                                       "VALUES (?, ?, (SELECT coalesce (max (seq), 0) FROM changes), ?) "
                                       "ON CONFLICT (actor, patient_id) DO UPDATE SET "
                                       "seen_seq = excluded.seen_seq, seen_at = excluded.seen_at", error)))
    return -2;
  sqlite3_bind_text (stmt, 1, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / 1000);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "noting that the patient was opened", error);
      return -2;
    }

  return previous;
}

static char **
field_names (const char *json,
             gboolean   *added)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  *added = TRUE;
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_new0 (char *, 1);

  object = json_node_get_object (json_parser_get_root (parser));
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &value))
    {
      /* A field that replaced an earlier value names its parents: an edit. */
      if (JSON_NODE_HOLDS_OBJECT (value) && json_object_has_member (json_node_get_object (value), "p"))
        *added = FALSE;
      g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_add (names, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

GPtrArray *
care_db_patient_activity (CareDb      *self,
                          gint64       since_seq,
                          GHashTable  *record_ids,
                          guint        limit,
                          GError     **error)
{
  g_autoptr(GPtrArray) activity = g_ptr_array_new_with_free_func ((GDestroyNotify) care_activity_free);
  const char *device_id = care_db_get_device_id (self);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (record_ids != NULL, NULL);

  /* Newest first; the log's primary key makes this a range scan. */
  if (!(stmt = _care_db_get_statement (self,
                                       "SELECT c.tbl, c.rid, c.hlc, c.actor, d.uuid, c.fields "
                                       "FROM changes c JOIN devices d ON d.idx = c.origin "
                                       "WHERE c.seq > ? ORDER BY c.seq DESC", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since_seq);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *rid = (const char *) sqlite3_column_text (stmt, 1);
      CareActivity *item;

      if (!g_hash_table_contains (record_ids, rid))
        continue;

      item = g_new0 (CareActivity, 1);
      item->table = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      item->record_id = g_strdup (rid);
      item->hlc = sqlite3_column_int64 (stmt, 2);
      item->actor = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      item->this_device = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), device_id) == 0;
      item->fields = field_names ((const char *) sqlite3_column_text (stmt, 5), &item->added);
      item->retired = g_strv_contains ((const char * const *) item->fields, "retired");
      g_ptr_array_add (activity, item);

      if (limit > 0 && activity->len >= limit)
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading recent changes", error);
      return NULL;
    }

  return g_steal_pointer (&activity);
}

/* Notifications: what was sent to one team member (mentions, hand-offs). */

void
care_notification_free (CareNotification *notification)
{
  if (notification == NULL)
    return;

  g_free (notification->id);
  g_free (notification->kind);
  g_free (notification->patient_id);
  g_free (notification->patient_name);
  g_free (notification->author_name);
  g_free (notification->body);
  g_free (notification->sent_at);
  g_free (notification);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

GPtrArray *
care_db_notifications (CareDb      *self,
                       const char  *practitioner_id,
                       guint        limit,
                       guint       *n_unread,
                       GError     **error)
{
  g_autoptr(GPtrArray) notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) care_notification_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (practitioner_id != NULL, NULL);

  if (n_unread != NULL)
    {
      if (!(stmt = _care_db_get_statement (self,
                                           "SELECT count (*) FROM notifications "
                                           "WHERE practitioner_id = ? AND read_at IS NULL AND retired = 0", error)))
        return NULL;
      sqlite3_bind_text (stmt, 1, practitioner_id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      *n_unread = rc == SQLITE_ROW ? (guint) sqlite3_column_int (stmt, 0) : 0;
      sqlite3_reset (stmt);
    }

  /* Unread first, then the newest. */
  if (!(stmt = _care_db_get_statement (self,
                                       "SELECT n.id, n.kind, n.patient_id, p.given_name || ' ' || p.family_name, "
                                       "  a.given_name || ' ' || a.family_name, t.body, n.sent_at, n.read_at IS NOT NULL "
                                       "FROM notifications n "
                                       "LEFT JOIN patients p ON p.id = n.patient_id "
                                       "LEFT JOIN notes t ON t.id = n.note_id "
                                       "LEFT JOIN practitioners a ON a.id = t.author_id "
                                       "WHERE n.practitioner_id = ? AND n.retired = 0 "
                                       "ORDER BY n.read_at IS NOT NULL, n.sent_at DESC LIMIT ?", error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, practitioner_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, limit > 0 ? (int) limit : 50);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CareNotification *notification = g_new0 (CareNotification, 1);

      notification->id = column_text (stmt, 0);
      notification->kind = column_text (stmt, 1);
      notification->patient_id = column_text (stmt, 2);
      notification->patient_name = column_text (stmt, 3);
      notification->author_name = column_text (stmt, 4);
      notification->body = column_text (stmt, 5);
      notification->sent_at = column_text (stmt, 6);
      notification->read = sqlite3_column_int (stmt, 7) != 0;
      g_ptr_array_add (notifications, notification);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _care_db_set_error_from_sqlite (self, rc, "reading notifications", error);
      return NULL;
    }

  return g_steal_pointer (&notifications);
}
