/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-text"

#include "config.h"

#include <stdio.h>

#include "care-text.h"

char *
care_text_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autofree char *lower = NULL;
  GString *out;

  if (text == NULL)
    return g_strdup ("");

  lower = g_utf8_casefold (text, -1);
  decomposed = g_utf8_normalize (lower, -1, G_NORMALIZE_NFD);
  if (decomposed == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Combining marks are the accents NFD split off their letters. */
      if (g_unichar_type (c) == G_UNICODE_NON_SPACING_MARK)
        continue;
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

char *
care_text_digits (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

static gboolean
valid_ymd (int y,
           int m,
           int d)
{
  return y >= 1850 && y <= 2200 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

char *
care_text_parse_date (const char *text)
{
  int y, m, d;
  char extra;

  if (text == NULL)
    return NULL;

  while (g_ascii_isspace (*text))
    text++;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && strlen (text) >= 8 &&
      valid_ymd (y, m, d))
    return g_strdup_printf ("%04d-%02d-%02d", y, m, d);

  /* US order, as clinics in Oregon write dates. */
  if (sscanf (text, "%2d/%2d/%4d%c", &m, &d, &y, &extra) == 3 && y >= 1000 && valid_ymd (y, m, d))
    return g_strdup_printf ("%04d-%02d-%02d", y, m, d);

  return NULL;
}

int
care_text_age_in_years (const char *birth_date,
                        const char *today)
{
  int by, bm, bd, ty, tm, td, age;

  if (birth_date == NULL || today == NULL ||
      sscanf (birth_date, "%d-%d-%d", &by, &bm, &bd) != 3 ||
      sscanf (today, "%d-%d-%d", &ty, &tm, &td) != 3)
    return -1;

  age = ty - by;
  if (tm < bm || (tm == bm && td < bd))
    age--;

  return age < 0 ? -1 : age;
}

char *
care_text_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* A UCUM unit as people write it: "mm[Hg]" -> "mmHg", "kg/m2" -> "kg/m²",
 * "mL/min/{1.73_m2}" -> "mL/min/1.73 m²", "{score}" -> "". */
char *
care_text_display_unit (const char *unit)
{
  GString *out = g_string_new (NULL);

  for (const char *p = unit ? unit : ""; *p; p++)
    {
      if (*p == '[' || *p == ']')
        continue;
      if (*p == '{')
        {
          const char *close = strchr (p, '}');
          g_autofree char *inner = close ? g_strndup (p + 1, close - p - 1) : NULL;

          /* An annotation that is only a word ("{score}") is left out. */
          if (inner != NULL && g_ascii_isdigit (inner[0]))
            for (const char *q = inner; *q; q++)
              g_string_append_c (out, *q == '_' ? ' ' : *q);
          p = close ? close : p + strlen (p) - 1;
          continue;
        }
      g_string_append_c (out, *p == '_' ? ' ' : *p);
    }

  /* Squares: m2 -> m². */
  {
    g_autofree char *text = g_string_free (out, FALSE);
    g_auto(GStrv) parts = g_strsplit (text, "m2", -1);

    return g_strjoinv ("m²", parts);
  }
}
