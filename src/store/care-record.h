/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CARE_TYPE_RECORD (care_record_get_type ())
G_DECLARE_FINAL_TYPE (CareRecord, care_record, CARE, RECORD, GObject)

/* One row of a replicated record type, as read from the store: column -> text. */
CareRecord *care_record_new        (const char *table,
                                    const char *id);
const char *care_record_get_table  (CareRecord *self);
const char *care_record_get_id     (CareRecord *self);
/* Returns NULL for a missing column or SQL NULL. */
const char *care_record_get        (CareRecord *self,
                                    const char *column);
double      care_record_get_double (CareRecord *self,
                                    const char *column);
void        care_record_set        (CareRecord *self,
                                    const char *column,
                                    const char *value);
/* (transfer none): column names in schema order */
const GPtrArray *care_record_get_columns (CareRecord *self);

G_END_DECLS
