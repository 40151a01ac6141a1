/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-bench"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <signal.h>

#include "care-bench.h"
#include "care-cli-sync.h"
#include "care-db.h"
#include "care-identity.h"

/*
 * caremeshctl bench-peer --workload DIR: the standard peer-sync workload
 * (../shared/bench/PEER-WORKLOAD.md), run between this process (replica A) and a
 * `caremeshctl serve` process (replica B) over loopback HTTPS.
 *
 * Mapping onto the record: a patient with the workload's id; given, family, mrn,
 * birth date, sex (F/M as female/male), phone, address (address line); clinic as
 * the patient's primary organization and primary_provider as the primary
 * practitioner, each a record found by name; notes as a progress note on the
 * patient. updated_at is the store's own.
 */

#define ACTOR "system:bench-peer"

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static GPtrArray *
read_ndjson (const char  *path,
             GError     **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (*lines[i] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, error))
        {
          g_ptr_array_unref (objects);
          return NULL;
        }
      g_ptr_array_add (objects, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return objects;
}

/* A workload record, kept as plain strings (a JSON tree of 10,000 of them would
 * dominate this process's memory). */
typedef struct
{
  char *id, *mrn, *given, *family, *birth_date, *sex, *phone, *address;
  char *clinic, *primary_provider, *updated_at, *notes;
} Record;

static void
record_free (Record *r)
{
  char **fields[] = { &r->id, &r->mrn, &r->given, &r->family, &r->birth_date, &r->sex, &r->phone, &r->address,
                      &r->clinic, &r->primary_provider, &r->updated_at, &r->notes };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_free (*fields[i]);
  g_free (r);
}

static GPtrArray *
read_records (const char  *path,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, error);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GPtrArray) records = NULL;
  char *line;

  if (stream == NULL)
    return NULL;
  lines = g_data_input_stream_new (G_INPUT_STREAM (stream));
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  /* One line at a time: never the whole file as a tree. */
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error)) != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *text = line;
      JsonObject *o;
      Record *r;

      if (*text == '\0')
        continue;
      if (!json_parser_load_from_data (parser, text, -1, error))
        return NULL;
      o = json_node_get_object (json_parser_get_root (parser));
      r = g_new0 (Record, 1);
#define TAKE(name) r->name = g_strdup (json_object_get_string_member_with_default (o, #name, ""))
      TAKE (id); TAKE (mrn); TAKE (given); TAKE (family); TAKE (birth_date); TAKE (sex); TAKE (phone);
      TAKE (address); TAKE (clinic); TAKE (primary_provider); TAKE (updated_at); TAKE (notes);
#undef TAKE
      g_ptr_array_add (records, r);
    }
  if (error != NULL && *error != NULL)
    return NULL;

  return g_steal_pointer (&records);
}


static const char *
sex_of (const char *code)
{
  return g_strcmp0 (code, "F") == 0 ? "female" : g_strcmp0 (code, "M") == 0 ? "male" : "unknown";
}

/* The id of the organization or practitioner named @name, made on first use. */
static const char *
named_record (CareDb      *db,
              GHashTable  *cache,
              const char  *table,
              const char  *name)
{
  const char *id = g_hash_table_lookup (cache, name);
  g_autoptr(CareFields) fields = NULL;
  char *made = NULL;

  if (id != NULL)
    return id;
  fields = care_fields_new ();
  if (g_str_equal (table, "organizations"))
    care_fields_set (fields, "name", name);
  else
    {
      care_fields_set (fields, "given_name", "");
      care_fields_set (fields, "family_name", name);
      care_fields_set (fields, "discipline", g_str_has_prefix (name, "NURSE") ? "nurse" : "physician");
    }
  if (!care_db_put (db, ACTOR, table, NULL, fields, &made, NULL))
    return NULL;
  g_hash_table_insert (cache, g_strdup (name), made);

  return made;
}

static gboolean
create_records (CareDb     *db,
                GPtrArray  *records,
                GError    **error)
{
  g_autoptr(GHashTable) organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) practitioners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < records->len; i++)
    {
      Record *r = g_ptr_array_index (records, i);
      g_autoptr(CareFields) patient = care_fields_new ();
      g_autoptr(CareFields) note = care_fields_new ();
      const char *id = r->id;

      if (i % 100 == 0 && !care_db_begin (db, error))
        return FALSE;
      care_fields_set (patient, "mrn", r->mrn);
      care_fields_set (patient, "given_name", r->given);
      care_fields_set (patient, "family_name", r->family);
      care_fields_set (patient, "birth_date", r->birth_date);
      care_fields_set (patient, "sex", sex_of (r->sex));
      care_fields_set (patient, "phone", r->phone);
      care_fields_set (patient, "address_line", r->address);
      care_fields_set (patient, "primary_organization_id",
                       named_record (db, organizations, "organizations", r->clinic));
      care_fields_set (patient, "primary_practitioner_id",
                       named_record (db, practitioners, "practitioners",
                                     r->primary_provider));
      care_fields_set (note, "patient_id", id);
      care_fields_set (note, "body", r->notes);
      care_fields_set (note, "written_at", r->updated_at);
      if (!care_db_put (db, ACTOR, "patients", id, patient, NULL, error) ||
          !care_db_put (db, ACTOR, "notes", NULL, note, NULL, error))
        {
          care_db_rollback (db);
          return FALSE;
        }
      if ((i % 100 == 99 || i == records->len - 1) && !care_db_commit (db, error))
        return FALSE;
    }

  return TRUE;
}

/* Every record on @db with the workload's 11 values (updated_at aside). */
static gboolean
records_match (CareDb    *db,
               GPtrArray *records)
{
  g_autoptr(GPtrArray) notes = care_db_list (db, ACTOR, "notes", NULL, NULL, NULL);
  g_autoptr(GHashTable) note_of = g_hash_table_new (g_str_hash, g_str_equal);

  if (notes == NULL)
    return FALSE;
  for (guint i = 0; i < notes->len; i++)
    g_hash_table_insert (note_of, (gpointer) care_record_get (g_ptr_array_index (notes, i), "patient_id"),
                         g_ptr_array_index (notes, i));

  for (guint i = 0; i < records->len; i++)
    {
      Record *r = g_ptr_array_index (records, i);
      g_autoptr(CareRecord) p = care_db_get (db, ACTOR, "patients", r->id, NULL);
      g_autoptr(CareRecord) org = NULL;
      g_autoptr(CareRecord) who = NULL;
      CareRecord *note;

      if (p == NULL)
        return FALSE;
      org = care_db_get (db, ACTOR, "organizations", care_record_get (p, "primary_organization_id"), NULL);
      who = care_db_get (db, ACTOR, "practitioners", care_record_get (p, "primary_practitioner_id"), NULL);
      note = g_hash_table_lookup (note_of, care_record_get_id (p));
      if (org == NULL || who == NULL || note == NULL ||
          g_strcmp0 (care_record_get (p, "mrn"), r->mrn) != 0 ||
          g_strcmp0 (care_record_get (p, "given_name"), r->given) != 0 ||
          g_strcmp0 (care_record_get (p, "family_name"), r->family) != 0 ||
          g_strcmp0 (care_record_get (p, "birth_date"), r->birth_date) != 0 ||
          g_strcmp0 (care_record_get (p, "sex"), sex_of (r->sex)) != 0 ||
          g_strcmp0 (care_record_get (p, "phone"), r->phone) != 0 ||
          g_strcmp0 (care_record_get (p, "address_line"), r->address) != 0 ||
          g_strcmp0 (care_record_get (org, "name"), r->clinic) != 0 ||
          g_strcmp0 (care_record_get (who, "family_name"), r->primary_provider) != 0 ||
          g_strcmp0 (care_record_get (note, "body"), r->notes) != 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
apply_edits (const char  *path,
             GPtrArray   *edits,
             const char  *side,
             GError     **error)
{
  g_autoptr(CareDb) db = care_db_open (path, error);

  if (db == NULL || !care_db_begin (db, error))
    return FALSE;
  for (guint i = 0; i < edits->len; i++)
    {
      JsonObject *edit = g_ptr_array_index (edits, i);
      JsonObject *mine = json_object_get_object_member (edit, side);
      g_autoptr(CareFields) fields = care_fields_new ();

      if (json_object_has_member (mine, "phone"))
        care_fields_set (fields, "phone", json_object_get_string_member (mine, "phone"));
      if (json_object_has_member (mine, "address"))
        care_fields_set (fields, "address_line", json_object_get_string_member (mine, "address"));
      if (!care_db_put (db, side[0] == 'a' ? "bench:a" : "bench:b", "patients",
                        json_object_get_string_member (edit, "id"), fields, NULL, error))
        {
          care_db_rollback (db);
          return FALSE;
        }
    }

  return care_db_commit (db, error);
}

/* Whether @value of @field is kept as a conflict on @patient. */
static gboolean
kept_as_conflict (GPtrArray  *conflicts,
                  const char *field,
                  const char *value)
{
  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      CareRecord *conflict = g_ptr_array_index (conflicts, i);

      if (g_strcmp0 (care_record_get (conflict, "field"), field) == 0 &&
          g_strcmp0 (care_record_get (conflict, "value"), value) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
judge_edits (CareDb    *db,
             GPtrArray *edits,
             GString   *json)
{
  guint diff_total = 0, diff_merged = 0, diff_conflict = 0, diff_lost = 0;
  guint same_total = 0, same_kept = 0, same_lost = 0, same_bad = 0, same_later_won = 0;

  for (guint i = 0; i < edits->len; i++)
    {
      JsonObject *edit = g_ptr_array_index (edits, i);
      const char *id = json_object_get_string_member (edit, "id");
      JsonObject *a = json_object_get_object_member (edit, "a");
      JsonObject *b = json_object_get_object_member (edit, "b");
      g_autoptr(CareRecord) p = care_db_get (db, ACTOR, "patients", id, NULL);
      g_autoptr(GPtrArray) conflicts = care_db_conflicts (db, ACTOR, id, FALSE, NULL);
      const char *phone = p ? care_record_get (p, "phone") : NULL;

      if (g_str_equal (json_object_get_string_member (edit, "kind"), "diff"))
        {
          const char *address = p ? care_record_get (p, "address_line") : NULL;
          gboolean has_a = g_strcmp0 (phone, json_object_get_string_member (a, "phone")) == 0;
          gboolean has_b = g_strcmp0 (address, json_object_get_string_member (b, "address")) == 0;

          diff_total++;
          if (has_a && has_b)
            diff_merged++;
          else if ((has_a || kept_as_conflict (conflicts, "phone", json_object_get_string_member (a, "phone"))) &&
                   (has_b || kept_as_conflict (conflicts, "address_line", json_object_get_string_member (b, "address"))))
            diff_conflict++;
          else
            diff_lost++;
        }
      else
        {
          const char *va = json_object_get_string_member (a, "phone");
          const char *vb = json_object_get_string_member (b, "phone");
          gboolean a_won = g_strcmp0 (phone, va) == 0, b_won = g_strcmp0 (phone, vb) == 0;
          const char *loser = a_won ? vb : va;
          gboolean b_later = g_strcmp0 (json_object_get_string_member (b, "updated_at"),
                                        json_object_get_string_member (a, "updated_at")) > 0;

          same_total++;
          if (!a_won && !b_won)
            same_bad++;
          else if (kept_as_conflict (conflicts, "phone", loser))
            same_kept++;
          else
            same_lost++;
          if ((b_won && b_later) || (a_won && !b_later))
            same_later_won++;
        }
    }

  g_string_append_printf (json, "\"edits\":{\"diff_total\":%u,\"diff_merged\":%u,\"diff_kept_as_conflict\":%u,"
                          "\"diff_lost_silently\":%u,\"same_total\":%u,\"same_loser_kept\":%u,"
                          "\"same_loser_lost_silently\":%u,\"same_bad_value\":%u,\"same_later_edit_won\":%u}",
                          diff_total, diff_merged, diff_conflict, diff_lost, same_total, same_kept, same_lost,
                          same_bad, same_later_won);
}


static int
fail (const char   *what,
      const GError *error)
{
  fprintf (stderr, "caremeshctl bench-peer: %s: %s\n", what, error ? error->message : "?");
  return 1;
}

int
care_cli_bench_peer (int    argc,
                     char **argv)
{
  g_autofree char *workload = NULL;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "workload", 0, 0, G_OPTION_ARG_FILENAME, &workload, N_("Folder made by make-workload.mjs"), "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, N_("Keep the two databases (their folder goes to stderr)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(CareStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(CareSyncReport) initial = NULL;
  g_autoptr(CareSyncReport) merge = NULL;
  g_autofree char *dir = NULL, *a_path = NULL, *b_path = NULL, *path = NULL, *address = NULL;
  g_autofree char *self_exe = care_cli_self_path ();
  g_autoptr(GString) json = g_string_new (NULL);
  double create_ms, initial_ms, edit_ms, merge_ms, server_rss = 0;
  gboolean initial_ok, converged;
  gint64 start;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || workload == NULL)
    {
      fprintf (stderr, "caremeshctl bench-peer: %s\n", error ? error->message : "--workload DIR is required");
      return 2;
    }

  path = g_build_filename (workload, "records.ndjson", NULL);
  if (!(records = read_records (path, &error)))
    return fail (path, error);
  g_free (path);
  path = g_build_filename (workload, "edits.ndjson", NULL);
  if (!(edits = read_ndjson (path, &error)))
    return fail (path, error);

  if (!(dir = g_dir_make_tmp ("caremesh-peer-XXXXXX", &error)))
    return fail ("temporary folder", error);
  a_path = g_build_filename (dir, "a.db", NULL);
  b_path = g_build_filename (dir, "b.db", NULL);
  if (!care_bench_pair (a_path, b_path, &error))
    return fail ("pairing", error);

  /* 1. The records on A, through the store, 100 per transaction. */
  {
    g_autoptr(CareDb) a = care_db_open (a_path, &error);

    start = g_get_monotonic_time ();
    if (a == NULL || !create_records (a, records, &error))
      return fail ("creating the records", error);
    create_ms = ms_since (start);
  }

  /* 2. B: a separate `caremeshctl serve` with an empty database; A syncs to it. */
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe, "serve", "--db", b_path,
                             "--port", "0", "--loopback", NULL);
  if (server == NULL)
    return fail ("starting replica B", error);
  {
    g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
    g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
    guint port = 0;

    if (line == NULL || sscanf (line, "Serving on port %u", &port) != 1)
      return fail ("starting replica B", error);
    address = g_strdup_printf ("127.0.0.1:%u", port);
  }
  if (!care_cli_start_store ("bench-peer", a_path, &store, &certificate))
    return 1;

  start = g_get_monotonic_time ();
  if (!(initial = care_cli_sync_once (store, certificate, "A", address, NULL, &error)))
    return fail ("initial sync", error);
  initial_ms = ms_since (start);
  {
    g_autoptr(CareDb) b = care_db_open (b_path, &error);

    initial_ok = b != NULL && records_match (b, records);
  }

  /* 3. The edit plan: A's on A, B's on B (while B serves). */
  start = g_get_monotonic_time ();
  if (!apply_edits (a_path, edits, "a", &error) || !apply_edits (b_path, edits, "b", &error))
    return fail ("editing", error);
  edit_ms = ms_since (start);

  /* 4. Both ways, until both agree. */
  start = g_get_monotonic_time ();
  if (!(merge = care_cli_sync_once (store, certificate, "A", address, NULL, &error)))
    return fail ("merging", error);
  merge_ms = ms_since (start);

  server_rss = care_bench_peak_rss_mb (g_subprocess_get_identifier (server));
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_clear_object (&store);

  {
    g_autoptr(CareDb) a = care_db_open (a_path, &error);
    g_autoptr(CareDb) b = a ? care_db_open (b_path, &error) : NULL;
    g_autofree char *hash_a = b ? care_db_content_hash (a, NULL) : NULL;
    g_autofree char *hash_b = b ? care_db_content_hash (b, NULL) : NULL;

    if (b == NULL)
      return fail ("reading the replicas", error);
    converged = hash_a != NULL && g_strcmp0 (hash_a, hash_b) == 0;

    g_string_append_printf (json, "{\"peer\":\"caremesh\",\"variant\":\"https-loopback-gzip\",\"n\":%u,"
                            "\"create_ms\":%.0f,\"initial_sync_ms\":%.0f,\"initial_bytes\":%" G_GUINT64_FORMAT ","
                            "\"initial_ok\":%s,\"edit_ms\":%.0f,\"merge_ms\":%.0f,\"merge_bytes\":%" G_GUINT64_FORMAT ","
                            "\"converged\":%s,",
                            records->len, create_ms, initial_ms, initial->bytes_sent + initial->bytes_received,
                            initial_ok ? "true" : "false", edit_ms, merge_ms, merge->bytes_sent + merge->bytes_received,
                            converged ? "true" : "false");
    judge_edits (a, edits, json);
  }
  g_string_append_printf (json, ",\"peak_rss_mb\":%.1f,\"server_peak_rss_mb\":%.1f,"
                          "\"notes\":\"two processes, mutual TLS on 127.0.0.1, pages of 1,000 changes, gzip; "
                          "notes as a progress note, clinic and provider as records\"}",
                          care_bench_peak_rss_mb ("self"), server_rss);
  printf ("RESULT %s\n", json->str);

  if (keep)
    fprintf (stderr, "caremeshctl bench-peer: the databases are in %s\n", dir);
  else
  {
    care_bench_remove_db (a_path);
    care_bench_remove_db (b_path);
    g_rmdir (dir);
  }

  return converged && initial_ok ? 0 : 1;
}
