/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-store.h"

G_BEGIN_DECLS

/*
 * What replication leaves for a person to decide: concurrent edits of clinically
 * significant fields, records retired on one machine while edited on another, and
 * patients registered twice. Each item can be settled from its row; settling is a
 * change that replicates.
 */

typedef enum
{
  CARE_REVIEW_CONFLICTS  = 1 << 0,
  CARE_REVIEW_DUPLICATES = 1 << 1,
} CareReviewKind;

/* Fills @group (emptied first) with the items of @patient_id (or of everyone, when
 * NULL), asynchronously. @on_changed runs after a person settled one. */
void care_review_fill_async (AdwPreferencesGroup *group,
                             CareStore           *store,
                             const char          *actor,
                             const char          *patient_id,
                             CareReviewKind       kinds,
                             GCancellable        *cancellable,
                             GCallback            on_changed,
                             gpointer             user_data);

/* Items shown in @group (0 while loading or when there are none). */
guint care_review_count (AdwPreferencesGroup *group);

/* A window listing everything waiting for review. */
GtkWindow *care_review_window_new (GtkWindow  *parent,
                                   CareStore  *store,
                                   const char *actor);

G_END_DECLS
