/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "care-record.h"

#include "care-db.h"

G_BEGIN_DECLS

/*
 * Everything the dashboard shows about one patient, read in one go on the
 * store's worker (care_db_load_chart()) and then only read. The clinical rules
 * (care gaps, duplicate tests) work on a chart, never on the database, so they
 * can be tested with hand-built patients.
 *
 * Record arrays hold CareRecord (element-type), retired records left out. Their
 * columns are those of docs/data-model.md / src/store/care-schema.c, all text
 * (care_record_get(); care_record_get_double() for numbers).
 */
typedef struct
{
  char       *today;           /* "YYYY-MM-DD": the day the rules count from */
  CareRecord *patient;
  GPtrArray  *conditions;      /* by onset_date */
  GPtrArray  *allergies;
  GPtrArray  *medications;     /* medication_orders */
  GPtrArray  *dispenses;       /* medication_dispenses, by handed_over_at */
  GPtrArray  *observations;    /* by effective_at, oldest first */
  GPtrArray  *encounters;      /* by start_at, oldest first; status "planned" = an appointment */
  GPtrArray  *immunizations;   /* by occurrence_date */
  GPtrArray  *care_plans;
  GPtrArray  *goals;
  GPtrArray  *tasks;           /* care_tasks */
  GPtrArray  *referrals;
  GPtrArray  *care_team;       /* care_team_members */
  GPtrArray  *notes;           /* by written_at, oldest first: progress notes, hand-offs, messages */
  GPtrArray  *interventions;
  GPtrArray  *needs;           /* care_needs: the patient's social needs (barriers) */
  GHashTable *practitioners;   /* id -> CareRecord, those the records above name */
  GHashTable *organizations;   /* id -> CareRecord */
} CareChart;

/* Reference counted (a dialog may outlive the page's reload): care_chart_free()
 * drops a reference. */
CareChart *care_chart_new  (const char *today);
CareChart *care_chart_ref  (CareChart  *chart);
void       care_chart_free (CareChart  *chart);

/* A practitioner's display name ("Dr. Ana Ruiz, MD" style: given family,
 * credentials), or NULL when @id is unknown. */
char      *care_chart_practitioner_name (const CareChart *chart,
                                         const char      *id);

/* Reads one patient's chart (runs on the store's worker). @today: "YYYY-MM-DD". */
CareChart *care_chart_load (CareDb      *db,
                            const char  *actor,
                            const char  *patient_id,
                            const char  *today,
                            GError     **error);
/* The ids of the patient and every record in the chart: a set that borrows
 * the chart's strings. */
GHashTable *care_chart_record_ids (const CareChart *chart);
/* The chart's record @id of @table (a table name), or NULL. (transfer none) */
CareRecord *care_chart_find (const CareChart *chart,
                             const char      *table,
                             const char      *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareChart, care_chart_free)

G_END_DECLS
