/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Name pools for the synthetic demo clinic (see care-generator.c). Every name is
 * common in its pool; the people they make up are invented. */
typedef enum
{
  CARE_HERITAGE_EUROPEAN,
  CARE_HERITAGE_HISPANIC,
  CARE_HERITAGE_SLAVIC,
  CARE_HERITAGE_VIETNAMESE,
  CARE_N_HERITAGES
} CareHeritage;

typedef struct
{
  const char * const *names;
  guint               n_names;
} CareNameList;

/* Given names fitting someone of @heritage born in @birth_year. */
const CareNameList *care_names_given  (CareHeritage heritage,
                                       gboolean     female,
                                       int          birth_year);
const CareNameList *care_names_family (CareHeritage heritage);

G_END_DECLS
