/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "care-chart.h"
#include "care-record.h"

G_BEGIN_DECLS

/*
 * Checks on what a person types before it is saved: plausible ranges and units from
 * src/clinical/rules/observation-ranges.json, dates, and tests repeated too soon
 * (src/clinical/rules/duplicate-tests.json). Messages are translated and say what is
 * wrong and what is allowed, for showing as they are.
 */

#define CARE_VALIDATE_ERROR (care_validate_error_quark ())

typedef enum
{
  CARE_VALIDATE_ERROR_RANGE,         /* outside the plausible range */
  CARE_VALIDATE_ERROR_UNIT,          /* a unit the test is not recorded in */
  CARE_VALIDATE_ERROR_FUTURE_DATE,
  CARE_VALIDATE_ERROR_INVALID_DATE,
  CARE_VALIDATE_ERROR_MISSING,       /* no value, or no date */
  CARE_VALIDATE_ERROR_INVALID_VALUE, /* not a number, or a fraction of a whole-number score */
} CareValidateError;

GQuark      care_validate_error_quark (void);

/* Checks an observation's value before it is saved. @value_text: "7.2" or "7,2";
 * @unit: NULL or "" for the test's default unit; @effective_at: "YYYY-MM-DD" or an
 * ISO date-time, not after @today ("YYYY-MM-DD"; NULL for the local today). A LOINC
 * code not in the data file gets the number and date checks only. On success stores
 * the number in @value_out (may be NULL). */
gboolean    care_validate_observation (const char  *loinc,
                                       const char  *value_text,
                                       const char  *unit,
                                       const char  *effective_at,
                                       const char  *today,
                                       double      *value_out,
                                       GError     **error);
/* @what: the field's translated label, for the message ("Date of birth").
 * @date: "YYYY-MM-DD" or an ISO date-time (counts by its date); @today as above. */
gboolean    care_validate_date        (const char  *what,
                                       const char  *date,
                                       const char  *today,
                                       gboolean     allow_future,
                                       GError     **error);
/* The unit a test is recorded in (UCUM), or NULL when @loinc is not in the data file. */
const char *care_validate_default_unit (const char *loinc);
/* (transfer full) (element-type utf8): the LOINC codes of the data file, in its
 * order, for the UI's choice of test. */
GPtrArray  *care_validate_known_observations (void);
/* The test's translated name, or NULL when @loinc is not in the data file. */
const char *care_validate_observation_display (const char *loinc);
/* The test's name as stored in records (English, as the data file has it), or NULL. */
const char *care_validate_observation_name    (const char *loinc);

/* A recent result of the same test, within the test's window before a new one. */
typedef struct
{
  char       *test;         /* translated name of the test, "Hemoglobin A1c" */
  int         window_days;
  CareRecord *existing;     /* (ref) the most recent earlier result in the window */
  int         days_ago;     /* days from @existing to the new result's date */
} CareRepeatTest;

void            care_repeat_test_free     (CareRepeatTest  *repeat);
/* Whether @chart already has a result of the test @loinc belongs to, dated on or
 * before @date ("YYYY-MM-DD" or ISO date-time of the new result; NULL for
 * chart->today) and at most the test's window earlier. Returns (transfer full), or
 * NULL when there is none or @loinc is not a test that is checked for repeats. */
CareRepeatTest *care_validate_repeat_test (const CareChart *chart,
                                           const char      *loinc,
                                           const char      *date);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareRepeatTest, care_repeat_test_free)

G_END_DECLS
