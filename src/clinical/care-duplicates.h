/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "care-db.h"

G_BEGIN_DECLS

typedef struct
{
  char *patient_a;  /* ids; a sorts before b */
  char *patient_b;
  char *reason;     /* why they look like one person, for the person reviewing */
  int   score;      /* higher: more likely the same person */
} CareDuplicate;

void       care_duplicate_free  (CareDuplicate *duplicate);

/* Pairs of listed patients that are likely the same person: the same birth date
 * and similar names (accents, case, typos and name order tolerated), the same
 * CCO member id, or the same birth date and phone. Pairs already merged are left
 * out. Returns (element-type CareDuplicate), most likely first. */
GPtrArray *care_duplicates_find (CareDb        *db,
                                 const char    *actor,
                                 GError       **error);

G_END_DECLS
