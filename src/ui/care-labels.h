/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Coded values as people read them, translated: "nurse-practitioner" ->
 * "Nurse practitioner"; unknown codes come back as they are ("" for NULL). */
const char *care_label_discipline (const char *discipline);
/* "routine", "urgent", "as soon as possible", "immediately" (lower case: they
 * go inside sentences). */
const char *care_label_urgency    (const char *urgency);

G_END_DECLS
