/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "care-db.h"
#include "care-test-util.h"

#define run_ctl care_test_run_ctl

static void
test_usage (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_ctl (&out, &err, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "Usage: caremeshctl"));
  g_assert_nonnull (strstr (err, "generate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "frobnicate", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "stats"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "stats", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--db PATH is required"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "generate", "--db", "/tmp/x.db", "--patients", "many", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "generate", "--bogus", NULL), ==, 2);
}

static void
test_generate_and_stats (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *hash1 = NULL;
  g_autofree char *hash2 = NULL;

  g_assert_cmpint (run_ctl (&out, &err, "generate", "--db", path, "--patients", "50", "--seed", "7",
                            "--as-of", "2026-06-01", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", path, NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("^patients +50$", out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^organizations +[1-9]", out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^observations +[1-9]", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&hash1, &err, "hash", "--db", path, NULL), ==, 0);
  g_assert_cmpuint (strlen (g_strstrip (hash1)), ==, 64);
  g_clear_pointer (&err, g_free);

  /* Never into a database that already holds records: nothing changes. */
  g_assert_cmpint (run_ctl (&out, &err, "generate", "--db", path, "--patients", "10", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already holds records"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (&hash2, &err, "hash", "--db", path, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (hash2), ==, hash1);
}

static void
test_bad_files (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no database"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (path, "%PDF-1.4 this is a scanned referral letter, not a database", -1, NULL));
  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a Caremesh database"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "generate", "--db", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a Caremesh database"));
}

static void
test_merge_and_conflicts (void)
{
  g_autofree char *a = care_test_temp_db ();
  g_autofree char *b = care_test_temp_db ();
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *ha = NULL, *hb = NULL;

  g_assert_cmpint (run_ctl (&out, &err, "generate", "--db", a, "--patients", "30", "--seed", "1", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (&out, &err, "generate", "--db", b, "--patients", "20", "--seed", "2", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Both ways: afterwards both files hold both clinics. */
  g_assert_cmpint (run_ctl (&out, &err, "merge", "--from", a, "--into", b, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "both hold the same record now"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (&ha, &err, "hash", "--db", a, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (&hb, &err, "hash", "--db", b, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpstr (ha, ==, hb);
  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", a, NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("^patients +50$", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing more to move the second time. */
  g_assert_cmpint (run_ctl (&out, &err, "merge", "--from", a, "--into", b, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 changes to"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "conflicts", "--db", a, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 conflicts"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "duplicates", "--db", a, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "likely duplicate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (&out, &err, "merge", "--from", a, NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (&out, &err, "merge", "--from", a, "--into", "/nonexistent/x.db", NULL), ==, 1);
}

/* The app keeps its database open while other programs (caremeshctl, a backup
 * with sqlite3) open and close it, and while something in the app itself reads
 * the database's files, as a file chooser showing their folder does. The app's
 * later writes must still reach the file. */
static void
test_open_elsewhere_keeps_writes (void)
{
  g_autofree char *path = care_test_temp_db ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(CareDb) db = care_db_open (path, NULL);
  g_autofree char *first = NULL, *second = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_assert_nonnull (db);
  first = care_test_add_patient (db, "Ana", "Quispe", "1961-02-03", "7000001", NULL);
  g_assert_nonnull (first);

  /* In this process: each file opened, a few bytes read, closed. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      char bytes[16];
      int fd = g_open (file, O_RDONLY, 0);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (read (fd, bytes, sizeof bytes), >=, 0);
      close (fd);
    }

  /* Another program opens and closes the database. */
  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", path, NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("^patients +1$", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* This connection writes on; the other program sees it, before and after the
   * connection closes. */
  second = care_test_add_patient (db, "Rosa", "Mamani", "1950-01-02", "7000002", NULL);
  g_assert_nonnull (second);
  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", path, NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("^patients +2$", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&db, care_db_close);
  g_assert_cmpint (run_ctl (&out, &err, "stats", "--db", path, NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("^patients +2$", out, G_REGEX_MULTILINE, 0));
  care_test_assert_integrity (path);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/generate-and-stats", test_generate_and_stats);
  g_test_add_func ("/cli/bad-files", test_bad_files);
  g_test_add_func ("/cli/merge-and-conflicts", test_merge_and_conflicts);
  g_test_add_func ("/cli/open-elsewhere-keeps-writes", test_open_elsewhere_keeps_writes);

  return g_test_run ();
}
