/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_TYPE_WORKLIST_WINDOW (care_worklist_window_get_type ())
G_DECLARE_FINAL_TYPE (CareWorklistWindow, care_worklist_window, CARE, WORKLIST_WINDOW, AdwWindow)

/*
 * The open work of the team: "My Work" (what is assigned to the signed-in team
 * member or waits in their discipline's queue, and the referrals they sent) and
 * "All Open Work" (the care coordinator's view, filtered by discipline, clinic
 * and words, with counts per discipline). Lists load page by page from the
 * store's worker as they scroll.
 *
 * ::open-patient (const char *patient_id) is emitted when a row is activated
 * (double click or Enter); the window stays open.
 */
GtkWindow  *care_worklist_window_new         (GtkWindow          *parent,
                                              CareStore          *store,
                                              const char         *actor,
                                              const char         *practitioner_id);
/* Shows "mine" (My Work) or "all" (All Open Work). */
void        care_worklist_window_set_view    (CareWorklistWindow *self,
                                              const char         *view);

/* The list on show, for tests: whether its first page and total have arrived
 * (TRUE too when there is nothing to read: My Work with no one signed in), its
 * number of items, and the titles of the items read so far, in order, one a
 * line (owned by the window, valid until the next call). */
gboolean    care_worklist_window_get_loaded  (CareWorklistWindow *self);
guint       care_worklist_window_get_n_items (CareWorklistWindow *self);
const char *care_worklist_window_get_titles  (CareWorklistWindow *self);

G_END_DECLS
