/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-labels"

#include "config.h"

#include <glib/gi18n.h>

#include "care-labels.h"

typedef struct
{
  const char *code;
  const char *label;   /* N_() */
} Label;

static const char *
lookup (const Label *labels,
        gsize        n_labels,
        const char  *code)
{
  for (gsize i = 0; i < n_labels; i++)
    if (g_strcmp0 (labels[i].code, code) == 0)
      return _(labels[i].label);
  return code ? code : "";
}

const char *
care_label_discipline (const char *discipline)
{
  static const Label labels[] = {
    { "physician", N_("Physician") }, { "nurse-practitioner", N_("Nurse practitioner") },
    { "nurse", N_("Nurse") }, { "pharmacist", N_("Pharmacist") },
    { "behavioral-health", N_("Behavioral health") }, { "social-worker", N_("Social worker") },
    { "care-coordinator", N_("Care coordinator") }, { "front-desk", N_("Front desk") },
  };

  return lookup (labels, G_N_ELEMENTS (labels), discipline);
}

const char *
care_label_urgency (const char *urgency)
{
  static const Label labels[] = {
    { "routine", N_("routine") }, { "urgent", N_("urgent") }, { "asap", N_("as soon as possible") },
    { "stat", N_("immediately") },
  };

  return lookup (labels, G_N_ELEMENTS (labels), urgency);
}
