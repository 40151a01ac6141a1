/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-duplicates"

#include "config.h"

#include <glib/gi18n.h>

#include "care-duplicates.h"
#include "care-text.h"

/*
 * Two clinics that register the same person while apart create two patients.
 * Candidates are found within blocks that share a birth date or a CCO member id
 * (so the work grows with the clinic, not with its square), then scored:
 *  - same member id: the same person, whatever the spelling;
 *  - same birth date and similar names: family names equal, or one edit apart,
 *    or given and family swapped, with compatible given names;
 *  - same birth date and the same phone number.
 * Twins share a birth date, a family name and often a phone, but not a given
 * name: compatible given names are required for the name rule.
 */

typedef struct
{
  char *id;
  char *mrn;
  char *given;    /* folded, letters only */
  char *family;   /* folded, letters only; first word */
  char *family_all;
  char *birth_date;
  char *phone;    /* last seven digits */
  char *member;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->id);
  g_free (c->mrn);
  g_free (c->given);
  g_free (c->family);
  g_free (c->family_all);
  g_free (c->birth_date);
  g_free (c->phone);
  g_free (c->member);
  g_free (c);
}

void
care_duplicate_free (CareDuplicate *duplicate)
{
  if (duplicate == NULL)
    return;
  g_free (duplicate->patient_a);
  g_free (duplicate->patient_b);
  g_free (duplicate->reason);
  g_free (duplicate);
}

/* Folded, letters only; @first_word: up to the first space or hyphen. */
static char *
name_key (const char *name,
          gboolean    first_word)
{
  g_autofree char *folded = care_text_fold (name);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (first_word && out->len > 0 && (c == ' ' || c == '-'))
        break;
      if (g_unichar_isalpha (c))
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = up;
        }
    }

  return row[lb];
}

/* Given names that could be the same person's: equal, one a prefix of the
 * other (Alex / Alexander), or one edit apart (Jon / John). */
static gboolean
given_compatible (const char *a,
                  const char *b)
{
  gsize la = strlen (a), lb = strlen (b);

  if (la == 0 || lb == 0)
    return FALSE;
  if (g_str_equal (a, b))
    return TRUE;
  if ((la >= 3 && g_str_has_prefix (b, a)) || (lb >= 3 && g_str_has_prefix (a, b)))
    return TRUE;

  return MIN (la, lb) >= 4 && edit_distance (a, b) <= 1;
}

static gboolean
family_similar (Candidate *a,
                Candidate *b)
{
  if (*a->family == '\0' || *b->family == '\0')
    return FALSE;
  if (g_str_equal (a->family, b->family) || g_str_equal (a->family_all, b->family_all))
    return TRUE;

  return MIN (strlen (a->family), strlen (b->family)) >= 4 && edit_distance (a->family, b->family) <= 1;
}

static CareDuplicate *
compare (Candidate *a,
         Candidate *b)
{
  CareDuplicate *d;
  const char *reason = NULL;
  int score = 0;

  if (a->member && b->member && *a->member && g_str_equal (a->member, b->member))
    {
      score = 100;
      reason = _("same CCO member id");
    }
  else if (a->birth_date && b->birth_date && g_str_equal (a->birth_date, b->birth_date))
    {
      gboolean same_phone = *a->phone && g_str_equal (a->phone, b->phone);

      if (family_similar (a, b) && given_compatible (a->given, b->given))
        {
          score = same_phone ? 90 : 80;
          reason = same_phone ? _("same birth date, similar name and same phone")
                              : _("same birth date and similar name");
        }
      else if (g_str_equal (a->family, b->given) && g_str_equal (a->given, b->family) && *a->given)
        {
          score = 75;
          reason = _("same birth date, given and family names swapped");
        }
      else if (same_phone && (family_similar (a, b) || given_compatible (a->given, b->given)))
        {
          score = 70;
          reason = _("same birth date and phone, partly similar name");
        }
    }

  if (reason == NULL)
    return NULL;

  d = g_new0 (CareDuplicate, 1);
  d->patient_a = g_strdup (strcmp (a->id, b->id) < 0 ? a->id : b->id);
  d->patient_b = g_strdup (strcmp (a->id, b->id) < 0 ? b->id : a->id);
  d->reason = g_strdup (reason);
  d->score = score;

  return d;
}

static int
compare_duplicates (gconstpointer a,
                    gconstpointer b)
{
  const CareDuplicate *x = *(CareDuplicate * const *) a;
  const CareDuplicate *y = *(CareDuplicate * const *) b;

  if (x->score != y->score)
    return y->score - x->score;
  return strcmp (x->patient_a, y->patient_a);
}

static void
compare_block (GPtrArray  *block,
               GHashTable *seen,
               GPtrArray  *out,
               CareDb     *db)
{
  for (guint i = 0; i < block->len; i++)
    for (guint j = i + 1; j < block->len; j++)
      {
        Candidate *a = g_ptr_array_index (block, i);
        Candidate *b = g_ptr_array_index (block, j);
        g_autofree char *key = NULL;
        g_autofree char *sa = NULL, *sb = NULL;
        CareDuplicate *d;

        if (!(d = compare (a, b)))
          continue;

        /* Already one person, or already listed from another block. */
        sa = care_db_patient_survivor (db, d->patient_a);
        sb = care_db_patient_survivor (db, d->patient_b);
        key = g_strconcat (d->patient_a, d->patient_b, NULL);
        if (g_str_equal (sa, sb) || g_hash_table_contains (seen, key))
          {
            care_duplicate_free (d);
            continue;
          }
        g_hash_table_add (seen, g_steal_pointer (&key));
        g_ptr_array_add (out, d);
      }
}

GPtrArray *
care_duplicates_find (CareDb      *db,
                      const char  *actor,
                      GError     **error)
{
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (candidate_free);
  g_autoptr(GHashTable) by_birth = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) by_member = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) care_duplicate_free);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  if (!(patients = care_db_list (db, actor, "patients", NULL, NULL, error)))
    return NULL;

  for (guint i = 0; i < patients->len; i++)
    {
      CareRecord *p = g_ptr_array_index (patients, i);
      g_autofree char *digits = care_text_digits (care_record_get (p, "phone"));
      Candidate *c;
      GPtrArray *block;

      if (g_strcmp0 (care_record_get (p, "retired"), "1") == 0)
        continue;

      c = g_new0 (Candidate, 1);
      c->id = g_strdup (care_record_get_id (p));
      c->given = name_key (care_record_get (p, "given_name"), TRUE);
      c->family = name_key (care_record_get (p, "family_name"), TRUE);
      c->family_all = name_key (care_record_get (p, "family_name"), FALSE);
      c->birth_date = g_strdup (care_record_get (p, "birth_date"));
      c->phone = g_strdup (strlen (digits) >= 7 ? digits + strlen (digits) - 7 : "");
      c->member = g_strdup (care_record_get (p, "cco_member_id"));
      g_ptr_array_add (candidates, c);

      if (c->birth_date != NULL)
        {
          if (!(block = g_hash_table_lookup (by_birth, c->birth_date)))
            g_hash_table_insert (by_birth, c->birth_date, (block = g_ptr_array_new ()));
          g_ptr_array_add (block, c);
        }
      if (c->member != NULL && *c->member != '\0')
        {
          if (!(block = g_hash_table_lookup (by_member, c->member)))
            g_hash_table_insert (by_member, c->member, (block = g_ptr_array_new ()));
          g_ptr_array_add (block, c);
        }
    }

  g_hash_table_iter_init (&iter, by_member);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    compare_block (value, seen, out, db);
  g_hash_table_iter_init (&iter, by_birth);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    compare_block (value, seen, out, db);

  g_ptr_array_sort (out, compare_duplicates);

  return g_steal_pointer (&out);
}
