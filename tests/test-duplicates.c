/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-duplicates"

#include "config.h"

#include "care-db.h"
#include "care-duplicates.h"
#include "care-test-util.h"

#define ACTOR "test:registrar"
#define N_PLANTED 30

static CareDb *
replica (void)
{
  g_autofree char *path = care_test_temp_db ();
  CareDb *db = care_db_open (path, NULL);

  g_assert_nonnull (db);
  return db;
}

static void
sync_both (CareDb *a,
           CareDb *b)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (care_db_pull (b, a, 500, NULL, &error));
  g_assert_true (care_db_pull (a, b, 500, NULL, &error));
  g_assert_no_error (error);
}

static char *
strip_accents_upper (const char *text)
{
  g_autofree char *folded = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (out, g_unichar_toupper (c));
    }

  return g_string_free (out, FALSE);
}

/* The same person, registered again at another clinic with the usual slips. */
static char *
plant_duplicate (CareDb     *db,
                 CareRecord *original,
                 guint       variation,
                 guint       n)
{
  g_autoptr(CareFields) fields = care_fields_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *mrn = g_strdup_printf ("%07u", 8000000 + n);
  const char *given = care_record_get (original, "given_name");
  const char *family = care_record_get (original, "family_name");
  char *id = NULL;

  care_fields_set (fields, "mrn", mrn);
  care_fields_set (fields, "birth_date", care_record_get (original, "birth_date"));
  care_fields_set (fields, "sex", care_record_get (original, "sex"));

  switch (variation % 5)
    {
    case 0: /* typed without accents, in capitals */
      {
        g_autofree char *g = strip_accents_upper (given);
        g_autofree char *f = strip_accents_upper (family);

        care_fields_set (fields, "given_name", g);
        care_fields_set (fields, "family_name", f);
        care_fields_set (fields, "phone", care_record_get (original, "phone"));
      }
      break;
    case 1: /* given and family swapped */
      care_fields_set (fields, "given_name", family);
      care_fields_set (fields, "family_name", given);
      break;
    case 2: /* a typo in the family name, a new phone */
      {
        g_autofree char *f = g_strdup (family);

        f[strlen (f) > 3 ? 2 : 0] = 'x';
        care_fields_set (fields, "given_name", given);
        care_fields_set (fields, "family_name", f);
        care_fields_set (fields, "phone", "(541) 555-0000");
      }
      break;
    case 3: /* only the member id matches (the birth date was mistyped) */
      care_fields_set (fields, "given_name", given);
      care_fields_set (fields, "family_name", family);
      care_fields_set (fields, "birth_date", "1901-01-01");
      care_fields_set (fields, "cco_member_id", care_record_get (original, "cco_member_id"));
      break;
    default: /* a shortened given name and the same phone */
      {
        g_autofree char *g = g_strndup (given, MAX (3, (int) strlen (given) - 2));

        care_fields_set (fields, "given_name", g);
        care_fields_set (fields, "family_name", family);
        care_fields_set (fields, "phone", care_record_get (original, "phone"));
      }
      break;
    }

  g_assert_true (care_db_put (db, ACTOR, "patients", NULL, fields, &id, &error));
  g_assert_no_error (error);

  return id;
}

static void
test_planted_duplicates (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GHashTable) planted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  guint hits = 0, false_alarms = 0, n = 0;

  care_test_generate (a, 1500, 11, "2026-06-01");
  sync_both (a, b);

  /* Another clinic registers some of the same people again, while apart. */
  patients = care_db_list (a, ACTOR, "patients", NULL, "mrn", NULL);
  for (guint i = 0; n < N_PLANTED && i < patients->len; i += 37)
    {
      CareRecord *original = g_ptr_array_index (patients, i);
      g_autofree char *copy = NULL;

      if (n % 5 == 3 && care_record_get (original, "cco_member_id") == NULL)
        continue;
      copy = plant_duplicate (b, original, n, n);
      g_hash_table_add (planted, strcmp (care_record_get_id (original), copy) < 0
                                   ? g_strconcat (care_record_get_id (original), copy, NULL)
                                   : g_strconcat (copy, care_record_get_id (original), NULL));
      n++;
    }
  g_assert_cmpuint (n, ==, N_PLANTED);
  sync_both (a, b);

  found = care_duplicates_find (a, ACTOR, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < found->len; i++)
    {
      CareDuplicate *d = g_ptr_array_index (found, i);
      g_autofree char *key = g_strconcat (d->patient_a, d->patient_b, NULL);

      if (g_hash_table_contains (planted, key))
        hits++;
      else
        false_alarms++;
    }

  g_test_message ("planted %u, found %u of them, %u other candidates among %u patients",
                  n, hits, false_alarms, patients->len + n);
  /* Every planted pair is found; few false alarms (twins, mostly). */
  g_assert_cmpuint (hits, ==, N_PLANTED);
  g_assert_cmpuint (false_alarms, <=, N_PLANTED / 3);
}

static char *
add (CareDb     *db,
     const char *given,
     const char *family,
     const char *mrn)
{
  return care_test_add_patient (db, given, family, "1975-04-04", mrn, NULL);
}

static void
add_allergy (CareDb     *db,
             const char *patient,
             const char *substance)
{
  g_autoptr(CareFields) fields = care_fields_new ();

  care_fields_set (fields, "patient_id", patient);
  care_fields_set (fields, "substance", substance);
  g_assert_true (care_db_put (db, ACTOR, "allergies", NULL, fields, NULL, NULL));
}

static guint
search_count (CareDb     *db,
              const char *query)
{
  g_autoptr(GArray) seqs = care_db_search_patients (db, ACTOR, query, NULL);

  return seqs->len;
}

static void
assert_same (CareDb *a,
             CareDb *b)
{
  g_autofree char *ha = care_db_content_hash (a, NULL);
  g_autofree char *hb = care_db_content_hash (b, NULL);

  g_assert_cmpstr (ha, ==, hb);
}

static void
test_concurrent_merges_converge (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *p = add (a, "Marisol", "Quintero", "7100001");
  g_autofree char *q = add (b, "Marisol", "Quintero", "7200001");
  g_autofree char *survivor_a = NULL, *survivor_b = NULL;
  g_autoptr(GPtrArray) allergies = NULL;
  g_autoptr(GError) error = NULL;

  add_allergy (a, p, "Penicillin");
  add_allergy (b, q, "Latex");
  sync_both (a, b);
  g_assert_cmpuint (search_count (a, "quintero"), ==, 2);

  /* Each clinic merges the pair, the opposite way round, while apart. */
  g_assert_true (care_db_merge_patients (a, ACTOR, p, q, "same person", NULL, &error));
  care_db_set_clock_override (b, care_db_now_ms (b) + 2000);
  g_assert_true (care_db_merge_patients (b, ACTOR, q, p, "same person", NULL, &error));
  g_assert_no_error (error);
  sync_both (a, b);
  assert_same (a, b);

  survivor_a = care_db_patient_survivor (a, p);
  survivor_b = care_db_patient_survivor (b, p);
  g_assert_cmpstr (survivor_a, ==, survivor_b);
  g_assert_cmpuint (search_count (a, "quintero"), ==, 1);
  g_assert_cmpuint (search_count (b, "quintero"), ==, 1);

  /* Both records' data shows on the survivor. */
  allergies = care_db_list (a, ACTOR, "allergies", survivor_a, NULL, NULL);
  g_assert_cmpuint (allergies->len, ==, 2);

  /* Nothing left to review for this pair. */
  {
    g_autoptr(GPtrArray) candidates = care_duplicates_find (a, ACTOR, NULL);

    g_assert_cmpuint (candidates->len, ==, 0);
  }

  /* Unmerging on one machine splits them everywhere. */
  g_assert_true (care_db_unmerge_patient (b, ACTOR, p, &error));
  g_assert_no_error (error);
  sync_both (a, b);
  assert_same (a, b);
  g_assert_cmpuint (search_count (a, "quintero"), ==, 2);
}

static void
test_chain_merges (void)
{
  g_autoptr(CareDb) a = replica ();
  g_autoptr(CareDb) b = replica ();
  g_autofree char *p = add (a, "Tomás", "Villa", "7300001");
  g_autofree char *q = add (a, "Tomas", "Villa", "7300002");
  g_autofree char *r = add (b, "TOMAS", "VILLA", "7300003");
  g_autofree char *sp = NULL, *sq = NULL, *sr = NULL;

  sync_both (a, b);
  g_assert_cmpuint (search_count (a, "villa"), ==, 3);

  g_assert_true (care_db_merge_patients (a, ACTOR, q, p, NULL, NULL, NULL));
  g_assert_true (care_db_merge_patients (b, ACTOR, r, q, NULL, NULL, NULL));
  sync_both (a, b);
  assert_same (a, b);

  sp = care_db_patient_survivor (b, p);
  sq = care_db_patient_survivor (b, q);
  sr = care_db_patient_survivor (a, r);
  g_assert_cmpstr (sp, ==, sq);
  g_assert_cmpstr (sq, ==, sr);
  g_assert_cmpuint (search_count (a, "villa"), ==, 1);
  g_assert_cmpuint (search_count (b, "villa"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/duplicates/planted", test_planted_duplicates);
  g_test_add_func ("/duplicates/concurrent-merges-converge", test_concurrent_merges_converge);
  g_test_add_func ("/duplicates/chain-merges", test_chain_merges);

  return g_test_run ();
}
