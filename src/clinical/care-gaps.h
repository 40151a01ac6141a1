/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "care-chart.h"

G_BEGIN_DECLS

/*
 * Care gaps: what a patient is due or overdue for, from the rules and parameters in
 * src/clinical/rules/care-gaps.json (docs/clinical-rules.md lists the rules, their
 * sources and the choices made).
 */
typedef struct
{
  char *rule;    /* stable id from the data file, e.g. "diabetes-no-hba1c" */
  char *title;   /* short and translated, e.g. "HbA1c overdue" */
  char *reason;  /* translated plain words with the dates and values that triggered it */
  char *since;   /* "YYYY-MM-DD" the gap opened, or NULL when not yet overdue or unknown */
} CareGap;

void       care_gap_free     (CareGap         *gap);

/* The care gaps of @chart as of chart->today, in the order of the rules in the data
 * file. A pure function of the chart: no database, safe on any thread.
 * Returns (transfer full) (element-type CareGap), or NULL with @error set when the
 * rules' data cannot be read. */
GPtrArray *care_gaps_compute (const CareChart *chart,
                              GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareGap, care_gap_free)

G_END_DECLS
