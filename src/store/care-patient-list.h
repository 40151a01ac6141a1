/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_TYPE_PATIENT_LIST (care_patient_list_get_type ())
G_DECLARE_FINAL_TYPE (CarePatientList, care_patient_list, CARE, PATIENT_LIST, GObject)

/*
 * A GListModel of CarePatient for a search over the store. It holds only the
 * matching patients' row numbers; patients themselves are read a page at a time,
 * on demand, on the store's worker, and only a bounded number of pages is kept.
 * get_item() never waits: it returns a placeholder that is filled in when its
 * page arrives.
 */
CarePatientList *care_patient_list_new       (CareStore       *store,
                                              const char      *actor);
void             care_patient_list_set_query (CarePatientList *self,
                                              const char      *query);
const char      *care_patient_list_get_query (CarePatientList *self);
/* TRUE while a search is under way. */
gboolean         care_patient_list_get_searching (CarePatientList *self);
/* Runs the current query again (after data changed). */
void             care_patient_list_refresh   (CarePatientList *self);
/* Position of the patient with @id among loaded pages, or -1. */
int              care_patient_list_find_loaded (CarePatientList *self,
                                                const char      *id);

G_END_DECLS
