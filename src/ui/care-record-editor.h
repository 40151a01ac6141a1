/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-chart.h"
#include "care-store.h"

G_BEGIN_DECLS

#define CARE_TYPE_RECORD_EDITOR (care_record_editor_get_type ())
G_DECLARE_FINAL_TYPE (CareRecordEditor, care_record_editor, CARE, RECORD_EDITOR, AdwWindow)

/*
 * A dialog that adds or edits one of a patient's records (problems, allergies,
 * medications, observations, encounters, immunizations). Values are checked
 * before saving (plausible ranges, dates, a test repeated too soon asks for a
 * reason); the write goes through the store and so replicates. ::saved is
 * emitted after the write.
 *
 * @record: (nullable): the record to edit; NULL adds one to @table.
 */
CareRecordEditor *care_record_editor_new   (GtkWindow   *parent,
                                            CareStore   *store,
                                            const char  *actor,
                                            CareChart   *chart,
                                            const char  *table,
                                            CareRecord  *record);
/* Whether the dashboard offers adding and editing @table. */
gboolean          care_record_editor_can_edit (const char *table);
/* Sets the row for @column (test hook and for preset values): a choice's value,
 * or the text of an entry. */
gboolean          care_record_editor_set_value (CareRecordEditor *self,
                                                const char       *column,
                                                const char       *value);
/* A field written with a new record without being shown (care_plan_id, ...). */
void              care_record_editor_set_fixed (CareRecordEditor *self,
                                                const char       *column,
                                                const char       *value);
/* Test hook: the message shown for the last refused save, or NULL. */
const char       *care_record_editor_get_error (CareRecordEditor *self);

G_END_DECLS
