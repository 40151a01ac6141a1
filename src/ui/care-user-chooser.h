/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-store.h"

G_BEGIN_DECLS

/*
 * Who is using Caremesh on this computer: a team member chosen from the staff
 * list. Their work list, notifications and the name on their edits follow the
 * choice, which this computer keeps (meta "current_practitioner_id"); it is not
 * a password sign-in (docs/decisions.md).
 */

/* Loads the current user: the callback gets (transfer full) the practitioner id
 * or NULL, and their display name or NULL. */
typedef void (*CareUserLoaded) (const char *practitioner_id,
                                const char *name,
                                gpointer    user_data);

void       care_user_load_async (CareStore      *store,
                                 CareUserLoaded  callback,
                                 gpointer        user_data);

/* A dialog listing the staff; choosing one saves it and calls @chosen. */
GtkWindow *care_user_chooser_new (GtkWindow      *parent,
                                  CareStore      *store,
                                  const char     *current_id,
                                  CareUserLoaded  chosen,
                                  gpointer        user_data);

/* "practitioner:ID", or "local:user" when nobody was chosen. */
char      *care_user_actor (const char *practitioner_id);

G_END_DECLS
