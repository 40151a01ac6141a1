/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CareFields:
 *
 * An ordered set of column = value pairs for care_db_put(). Values are text (or
 * NULL for SQL NULL); numbers are stored as numbers by the column's affinity.
 * Setting the same column twice keeps the last value.
 */
typedef struct _CareFields CareFields;

CareFields *care_fields_new        (void);
void        care_fields_free       (CareFields *fields);
void        care_fields_clear      (CareFields *fields);
void        care_fields_set        (CareFields *fields,
                                    const char *column,
                                    const char *value);
void        care_fields_set_int    (CareFields *fields,
                                    const char *column,
                                    gint64      value);
void        care_fields_set_double (CareFields *fields,
                                    const char *column,
                                    double      value);
guint       care_fields_get_n      (CareFields *fields);
const char *care_fields_get_column (CareFields *fields,
                                    guint       i);
const char *care_fields_get_value  (CareFields *fields,
                                    guint       i);
const char *care_fields_lookup     (CareFields *fields,
                                    const char *column);
gboolean    care_fields_contains   (CareFields *fields,
                                    const char *column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareFields, care_fields_free)

G_END_DECLS
