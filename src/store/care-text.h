/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lower-case, accent-free form of @text for sorting and matching: "García" -> "garcia". */
char     *care_text_fold          (const char *text);
/* Only the ASCII digits of @text: "(541) 555-0123" -> "5415550123". */
char     *care_text_digits        (const char *text);
/* Reads "1956-03-12", "03/12/1956" or "3/12/1956" into "1956-03-12"; NULL if not a date. */
char     *care_text_parse_date    (const char *text);
/* Whole years between ISO dates @birth_date and @today ("YYYY-MM-DD"); -1 if invalid. */
int       care_text_age_in_years  (const char *birth_date,
                                   const char *today);
char     *care_text_today         (void);

/* A UCUM unit as people read it: "mm[Hg]" -> "mmHg", "kg/m2" -> "kg/m²",
 * "mL/min/{1.73_m2}" -> "mL/min/1.73 m²", "{score}" -> "". */
char     *care_text_display_unit  (const char *unit);

G_END_DECLS
