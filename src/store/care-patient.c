/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-patient"

#include "config.h"

#include <glib/gi18n.h>

#include "care-patient.h"
#include "care-text.h"

struct _CarePatient
{
  GObject     parent_instance;

  gint64      seq;
  CareRecord *record;
  char       *display_name;
  char       *summary;
};

G_DEFINE_FINAL_TYPE (CarePatient, care_patient, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEQ,
  PROP_LOADED,
  PROP_ID,
  PROP_MRN,
  PROP_DISPLAY_NAME,
  PROP_BIRTH_DATE,
  PROP_SUMMARY,
  PROP_PREFERRED_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
field (CarePatient *self,
       const char  *column)
{
  return self->record ? care_record_get (self->record, column) : NULL;
}

static const char *
sex_abbreviation (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    /* Translators: abbreviation of the administrative sex "female" in the patient list */
    return C_("sex", "F");
  if (g_strcmp0 (sex, "male") == 0)
    /* Translators: abbreviation of the administrative sex "male" in the patient list */
    return C_("sex", "M");
  if (g_strcmp0 (sex, "other") == 0)
    /* Translators: abbreviation of the administrative sex "other" in the patient list */
    return C_("sex", "X");
  return "–";
}

static void
update_derived (CarePatient *self)
{
  const char *given = field (self, "given_name");
  const char *middle = field (self, "middle_name");
  const char *family = field (self, "family_name");
  g_autofree char *today = NULL;
  int age;

  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->summary, g_free);

  if (self->record == NULL)
    return;

  if (middle != NULL && *middle != '\0')
    self->display_name = g_strdup_printf ("%s, %s %s", family ? family : "", given ? given : "", middle);
  else
    self->display_name = g_strdup_printf ("%s, %s", family ? family : "", given ? given : "");

  today = care_text_today ();
  age = care_text_age_in_years (field (self, "birth_date"), today);
  /* Translators: patient list line: birth date, age in years, sex, medical record number */
  self->summary = g_strdup_printf (_("%s · %d y · %s · MRN %s"),
                                   field (self, "birth_date") ? field (self, "birth_date") : "",
                                   MAX (age, 0),
                                   sex_abbreviation (field (self, "sex")),
                                   field (self, "mrn") ? field (self, "mrn") : "");
}

static void
care_patient_finalize (GObject *object)
{
  CarePatient *self = CARE_PATIENT (object);

  g_clear_object (&self->record);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (care_patient_parent_class)->finalize (object);
}

static void
care_patient_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CarePatient *self = CARE_PATIENT (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->record != NULL);
      break;
    case PROP_ID:
      g_value_set_string (value, care_patient_get_id (self));
      break;
    case PROP_MRN:
      g_value_set_string (value, care_patient_get_mrn (self));
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, care_patient_get_display_name (self));
      break;
    case PROP_BIRTH_DATE:
      g_value_set_string (value, care_patient_get_birth_date (self));
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, care_patient_get_summary (self));
      break;
    case PROP_PREFERRED_LANGUAGE:
      g_value_set_string (value, care_patient_get_preferred_language (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_patient_class_init (CarePatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = care_patient_finalize;
  object_class->get_property = care_patient_get_property;

  properties[PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MRN] =
    g_param_spec_string ("mrn", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BIRTH_DATE] =
    g_param_spec_string ("birth-date", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PREFERRED_LANGUAGE] =
    g_param_spec_string ("preferred-language", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
care_patient_init (CarePatient *self)
{
}

CarePatient *
care_patient_new (gint64 seq)
{
  CarePatient *self = g_object_new (CARE_TYPE_PATIENT, NULL);

  self->seq = seq;

  return self;
}

CarePatient *
care_patient_new_from_record (gint64      seq,
                              CareRecord *record)
{
  CarePatient *self = care_patient_new (seq);

  g_return_val_if_fail (CARE_IS_RECORD (record), self);

  self->record = g_object_ref (record);
  update_derived (self);

  return self;
}

void
care_patient_update_from (CarePatient *self,
                          CarePatient *other)
{
  g_return_if_fail (CARE_IS_PATIENT (self));
  g_return_if_fail (CARE_IS_PATIENT (other));

  if (self == other || other->record == NULL)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_set_object (&self->record, other->record);
  update_derived (self);
  for (guint i = PROP_LOADED; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
care_patient_get_seq (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), 0);

  return self->seq;
}

gboolean
care_patient_get_loaded (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), FALSE);

  return self->record != NULL;
}

CareRecord *
care_patient_get_record (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return self->record;
}

const char *
care_patient_get_id (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "id");
}

const char *
care_patient_get_mrn (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "mrn");
}

const char *
care_patient_get_given_name (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "given_name");
}

const char *
care_patient_get_family_name (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "family_name");
}

const char *
care_patient_get_display_name (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return self->display_name;
}

const char *
care_patient_get_birth_date (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "birth_date");
}

const char *
care_patient_get_sex (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "sex");
}

const char *
care_patient_get_phone (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "phone");
}

const char *
care_patient_get_preferred_language (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return field (self, "preferred_language");
}

const char *
care_patient_get_summary (CarePatient *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT (self), NULL);

  return self->summary;
}
