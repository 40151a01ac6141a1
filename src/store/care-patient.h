/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "care-record.h"

G_BEGIN_DECLS

#define CARE_TYPE_PATIENT (care_patient_get_type ())
G_DECLARE_FINAL_TYPE (CarePatient, care_patient, CARE, PATIENT, GObject)

/*
 * A patient as the patient list shows it. A CarePatient may be a placeholder
 * (loaded = FALSE) that the paged list model fills in when its page arrives from
 * the store; its properties are then notified, so bound rows update in place.
 */
CarePatient *care_patient_new                 (gint64       seq);
CarePatient *care_patient_new_from_record     (gint64       seq,
                                               CareRecord  *record);
void         care_patient_update_from         (CarePatient *self,
                                               CarePatient *other);
gint64       care_patient_get_seq             (CarePatient *self);
gboolean     care_patient_get_loaded          (CarePatient *self);
const char  *care_patient_get_id              (CarePatient *self);
const char  *care_patient_get_mrn             (CarePatient *self);
const char  *care_patient_get_given_name      (CarePatient *self);
const char  *care_patient_get_family_name     (CarePatient *self);
/* "Family, Given Middle" */
const char  *care_patient_get_display_name    (CarePatient *self);
const char  *care_patient_get_birth_date      (CarePatient *self);
const char  *care_patient_get_sex             (CarePatient *self);
const char  *care_patient_get_phone           (CarePatient *self);
const char  *care_patient_get_preferred_language (CarePatient *self);
/* e.g. "1956-03-12 · 70 y · F · MRN 1000123" */
const char  *care_patient_get_summary         (CarePatient *self);
CareRecord  *care_patient_get_record          (CarePatient *self);

G_END_DECLS
