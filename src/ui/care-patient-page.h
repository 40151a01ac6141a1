/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_TYPE_PATIENT_PAGE (care_patient_page_get_type ())
G_DECLARE_FINAL_TYPE (CarePatientPage, care_patient_page, CARE, PATIENT_PAGE, AdwBin)

/* Shows the patient @patient_id of @store; loads asynchronously. */
void        care_patient_page_load         (CarePatientPage *self,
                                            CareStore       *store,
                                            const char      *actor,
                                            const char      *patient_id);
const char *care_patient_page_get_patient_id (CarePatientPage *self);
/* TRUE once every section of the current patient has arrived. */
gboolean    care_patient_page_get_loaded   (CarePatientPage *self);
const char *care_patient_page_get_title    (CarePatientPage *self);
const char *care_patient_page_get_mrn      (CarePatientPage *self);
/* Rows in a section: "allergies", "problems", "medications", "encounters",
 * "immunizations", "team", "gaps", "work", "since", "details", "review". */
guint       care_patient_page_count_rows   (CarePatientPage *self,
                                            const char      *section);
const char *care_patient_page_get_allergy_text (CarePatientPage *self);
/* The trend of @loinc (HbA1c 4548-4, systolic 8480-6, ...): points and label. */
guint       care_patient_page_get_trend_points (CarePatientPage *self,
                                                const char      *loinc);
const char *care_patient_page_get_trend_label  (CarePatientPage *self,
                                                const char      *loinc);
/* Milliseconds from the last load's start to the first frame drawn after it. */
double      care_patient_page_get_load_ms      (CarePatientPage *self);
/* Opens the patient's care plan in its own window. */
void        care_patient_page_open_plan        (CarePatientPage *self);
/* Opens the dialog that adds a record of @table ("observations", ...). */
void        care_patient_page_add_record       (CarePatientPage *self,
                                                const char      *table);

G_END_DECLS
