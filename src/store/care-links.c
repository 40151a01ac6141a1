/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-links"

#include "config.h"

#include <glib/gi18n.h>

#include "care-db-private.h"

/*
 * Merged patients. A person who finds the same patient registered twice links
 * the two records (patient_links, a replicated record type). Links are edges of
 * an undirected graph: every connected group of patients joined by active links
 * is one person, shown as the survivor named by the group's latest link (by
 * linked_at, then link id). That makes the outcome a function of the set of
 * links, so two machines merging the same pair, either way round, or chains
 * of merges made concurrently, all end up showing the same person.
 */

typedef struct
{
  char *surviving;
  char *merged;
  char *linked_at;
  char *id;
} Link;

static void
link_free (gpointer data)
{
  Link *link = data;

  g_free (link->surviving);
  g_free (link->merged);
  g_free (link->linked_at);
  g_free (link->id);
  g_free (link);
}

static const char *
find_root (GHashTable *parent,
           const char *id)
{
  const char *up;

  while ((up = g_hash_table_lookup (parent, id)) != NULL && !g_str_equal (up, id))
    id = up;

  return id;
}

/* Is @a a later link than @b? */
static gboolean
later (Link *a,
       Link *b)
{
  int by_time = g_strcmp0 (a->linked_at, b->linked_at);

  return by_time != 0 ? by_time > 0 : g_strcmp0 (a->id, b->id) > 0;
}

static void
ensure_groups (CareDb *self)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (link_free);
  g_autoptr(GHashTable) parent = NULL;
  g_autoptr(GHashTable) latest = NULL;   /* root -> Link */
  sqlite3_stmt *stmt;
  GHashTableIter iter;
  gpointer key, value;

  if (self->survivor_of != NULL && !self->links_dirty)
    return;

  _care_db_links_clear (self);
  self->links_dirty = FALSE;
  self->survivor_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->merged_away = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  if (self->user_version < 4)
    return;

  stmt = _care_db_get_statement (self,
                                 "SELECT surviving_id, merged_id, linked_at, id FROM patient_links "
                                 "WHERE status = 'active' AND retired = 0 AND surviving_id <> merged_id", NULL);
  if (stmt == NULL)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Link *link = g_new0 (Link, 1);

      link->surviving = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      link->merged = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      link->linked_at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      link->id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      g_ptr_array_add (links, link);
    }
  sqlite3_reset (stmt);

  if (links->len == 0)
    return;

  /* Union-find over the patients the links join. */
  parent = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < links->len; i++)
    {
      Link *link = g_ptr_array_index (links, i);
      const char *a, *b;

      if (!g_hash_table_contains (parent, link->surviving))
        g_hash_table_insert (parent, link->surviving, link->surviving);
      if (!g_hash_table_contains (parent, link->merged))
        g_hash_table_insert (parent, link->merged, link->merged);
      a = find_root (parent, link->surviving);
      b = find_root (parent, link->merged);
      /* The smaller id becomes the root: any order of links, the same groups. */
      if (strcmp (a, b) < 0)
        g_hash_table_insert (parent, (gpointer) b, (gpointer) a);
      else if (strcmp (a, b) > 0)
        g_hash_table_insert (parent, (gpointer) a, (gpointer) b);
    }

  latest = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < links->len; i++)
    {
      Link *link = g_ptr_array_index (links, i);
      const char *root = find_root (parent, link->surviving);
      Link *best = g_hash_table_lookup (latest, root);

      if (best == NULL || later (link, best))
        g_hash_table_insert (latest, (gpointer) root, link);
    }

  g_hash_table_iter_init (&iter, parent);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Link *best = g_hash_table_lookup (latest, find_root (parent, key));

      g_hash_table_insert (self->survivor_of, g_strdup (key), g_strdup (best->surviving));
      if (!g_str_equal (key, best->surviving))
        {
          sqlite3_stmt *seq_stmt = _care_db_get_statement (self, "SELECT seq FROM patients WHERE id = ?", NULL);

          if (seq_stmt == NULL)
            continue;
          sqlite3_bind_text (seq_stmt, 1, key, -1, SQLITE_STATIC);
          if (sqlite3_step (seq_stmt) == SQLITE_ROW)
            {
              gint64 seq = sqlite3_column_int64 (seq_stmt, 0);

              g_hash_table_add (self->merged_away, g_memdup2 (&seq, sizeof seq));
            }
          sqlite3_reset (seq_stmt);
        }
    }
}

void
_care_db_links_clear (CareDb *self)
{
  g_clear_pointer (&self->survivor_of, g_hash_table_unref);
  g_clear_pointer (&self->merged_away, g_hash_table_unref);
}

GHashTable *
_care_db_merged_away_seqs (CareDb *self)
{
  ensure_groups (self);

  return g_hash_table_size (self->merged_away) > 0 ? self->merged_away : NULL;
}

char *
care_db_patient_survivor (CareDb     *self,
                          const char *patient_id)
{
  const char *survivor;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  ensure_groups (self);
  survivor = g_hash_table_lookup (self->survivor_of, patient_id);

  return g_strdup (survivor ? survivor : patient_id);
}

/* ["id", ...]: @patient_id and everyone merged with it. */
char *
_care_db_patient_group_json (CareDb     *self,
                             const char *patient_id)
{
  g_autoptr(GString) json = g_string_new ("[");
  const char *survivor;
  GHashTableIter iter;
  gpointer key, value;

  ensure_groups (self);
  g_string_append_printf (json, "\"%s\"", patient_id);

  survivor = g_hash_table_lookup (self->survivor_of, patient_id);
  if (survivor != NULL)
    {
      g_hash_table_iter_init (&iter, self->survivor_of);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (g_str_equal (value, survivor) && !g_str_equal (key, patient_id))
          g_string_append_printf (json, ",\"%s\"", (char *) key);
    }
  g_string_append_c (json, ']');

  return g_string_free (g_steal_pointer (&json), FALSE);
}

gboolean
care_db_merge_patients (CareDb      *self,
                        const char  *actor,
                        const char  *surviving_id,
                        const char  *merged_id,
                        const char  *reason,
                        char       **link_id,
                        GError     **error)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (actor != NULL, FALSE);

  if (surviving_id == NULL || merged_id == NULL || g_strcmp0 (surviving_id, merged_id) == 0)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_INVALID, _("Choose two different patients to merge."));
      return FALSE;
    }

  now = g_date_time_new_from_unix_utc (care_db_now_ms (self) / 1000);
  when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  care_fields_set (fields, "surviving_id", surviving_id);
  care_fields_set (fields, "merged_id", merged_id);
  care_fields_set (fields, "status", "active");
  care_fields_set (fields, "reason", reason);
  care_fields_set (fields, "linked_at", when);

  return care_db_put (self, actor, "patient_links", NULL, fields, link_id, error);
}

gboolean
care_db_unmerge_patient (CareDb      *self,
                         const char  *actor,
                         const char  *patient_id,
                         GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);

  stmt = _care_db_get_statement (self,
                                 "SELECT id FROM patient_links WHERE status = 'active' AND retired = 0 "
                                 "AND (surviving_id = ?1 OR merged_id = ?1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  if (ids->len == 0)
    {
      g_set_error (error, CARE_DB_ERROR, CARE_DB_ERROR_NOT_FOUND, _("This patient is not merged with another."));
      return FALSE;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CareFields) fields = care_fields_new ();

      care_fields_set (fields, "status", "undone");
      if (!care_db_put (self, actor, "patient_links", g_ptr_array_index (ids, i), fields, NULL, error))
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
care_db_patient_merged_with (CareDb     *self,
                             const char *patient_id)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *survivor;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, out);
  g_return_val_if_fail (patient_id != NULL, out);

  ensure_groups (self);
  if ((survivor = g_hash_table_lookup (self->survivor_of, patient_id)) == NULL)
    return out;

  g_hash_table_iter_init (&iter, self->survivor_of);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (value, survivor) && !g_str_equal (key, patient_id))
      g_ptr_array_add (out, g_strdup (key));
  g_ptr_array_sort (out, (GCompareFunc) g_strcmp0);

  return out;
}
