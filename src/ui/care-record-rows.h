/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-record.h"

G_BEGIN_DECLS

/*
 * Records as rows of an AdwPreferencesGroup, as the patient page and the care
 * plan window show them. A row for a record the record editor can edit shows the
 * edit icon and, when activated, calls @on_activated (AdwActionRow *row,
 * gpointer user_data); care_record_row_get_record() gives its record.
 */
GtkWidget  *care_record_row_new        (const char *title,
                                        const char *subtitle,
                                        CareRecord *record,
                                        GCallback   on_activated,
                                        gpointer    user_data);
CareRecord *care_record_row_get_record (GtkWidget  *row);
/* A small label beside the row's text ("Overdue", "Changed"), in @css_class. */
GtkWidget  *care_badge_new             (const char *text,
                                        const char *css_class);
void        care_record_row_add_badge  (GtkWidget  *row,
                                        const char *text,
                                        const char *css_class);
/* What a section says when it has nothing to show. */
GtkWidget  *care_empty_label_new       (const char *text);

G_END_DECLS
