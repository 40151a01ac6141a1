/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "care-db.h"

G_BEGIN_DECLS

/**
 * CareWorkQuery:
 * @assignee_id: (nullable): a practitioner's "My work": the tasks assigned to them,
 *   the tasks assigned to their discipline with no one assigned yet and, with
 *   @include_referrals, the open referrals they requested. %NULL: everyone's work
 *   (the care coordinator's view).
 * @discipline: (nullable): only the work of this discipline (a task's discipline,
 *   else its assignee's). Referrals belong to no discipline: a discipline filter
 *   leaves them out.
 * @organization_id: (nullable): only the patients whose primary clinic this is
 * @text: (nullable): every word must appear, folded and accent-free
 *   (care_text_fold()), in the task's description (a referral's service and
 *   reason), the patient's name or the MRN
 * @include_referrals: open referrals (draft, active, on-hold) are items too
 * @today: (nullable): "YYYY-MM-DD", what is due before it is overdue; %NULL: today
 *
 * Which open work to list. Open tasks are those requested or in progress, and
 * never retired, nor of a retired patient.
 */
typedef struct
{
  const char *assignee_id;
  const char *discipline;
  const char *organization_id;
  const char *text;
  gboolean    include_referrals;
  const char *today;
} CareWorkQuery;

/**
 * CareWorkItem:
 * @kind: "task" or "referral"
 * @record_id: the care_tasks or referrals record
 * @patient_id: the patient to open: for a patient since merged into another
 *   (care_db_merge_patients()), the surviving patient
 * @patient_name: "Family, Given" and @mrn: as the record names the patient
 *   (for a merged patient, the registration the task was written on)
 * @title: a task's description; a referral's service ("cardiology")
 * @assignee_name: (nullable): "Given Family" of a task's assignee (%NULL when it
 *   waits in its discipline's queue), of a referral's requester
 * @discipline: (nullable): a task's discipline (else its assignee's); %NULL for referrals
 * @due_date: (nullable): "YYYY-MM-DD"
 * @status: the record's status
 * @priority: a task's priority, a referral's urgency: routine, urgent, asap, stat
 * @overdue: due before today
 *
 * One item of a worklist.
 */
typedef struct
{
  char     *kind;
  char     *record_id;
  char     *patient_id;
  char     *patient_name;
  char     *mrn;
  char     *title;
  char     *assignee_name;
  char     *discipline;
  char     *due_date;
  char     *status;
  char     *priority;
  gboolean  overdue;
} CareWorkItem;

/**
 * CareWorkCount:
 * @discipline: (nullable): as #CareWorkItem; %NULL for referrals
 * @organization_id: (nullable): the patients' primary clinic, %NULL when none
 * @organization_name: (nullable): its name
 * @open: open items
 * @overdue: of them, overdue
 */
typedef struct
{
  char  *discipline;
  char  *organization_id;
  char  *organization_name;
  guint  open;
  guint  overdue;
} CareWorkCount;

void          care_work_item_free   (CareWorkItem        *item);
CareWorkItem *care_work_item_copy   (const CareWorkItem  *item);
void          care_work_count_free  (CareWorkCount       *count);

/* A copy of @query whose strings belong to it; free with care_work_query_free(). */
CareWorkQuery *care_work_query_copy (const CareWorkQuery *query);
void           care_work_query_free (CareWorkQuery       *query);

/**
 * care_db_worklist:
 * @offset: the first item to return
 * @limit: at most this many items (0: none, only @total)
 * @total: (out) (optional): how many items match in all
 *
 * Open work matching @query: overdue first (the oldest due first), then by due
 * date, work with no due date last; ties in the order they were recorded. Reads
 * only the items asked for: the first page of any list is quick however long it is.
 *
 * Returns: (transfer full) (element-type CareWorkItem): the items, or %NULL with
 * @error set.
 */
GPtrArray    *care_db_worklist      (CareDb              *db,
                                     const CareWorkQuery *query,
                                     guint                offset,
                                     guint                limit,
                                     guint               *total,
                                     GError             **error);

/**
 * care_db_work_counts:
 *
 * The open items matching @query, counted per discipline and per clinic, for
 * the coordinator's summary: one #CareWorkCount per (discipline, clinic) with
 * work, ordered by discipline then clinic name.
 *
 * Returns: (transfer full) (element-type CareWorkCount), or %NULL with @error set.
 */
GPtrArray    *care_db_work_counts   (CareDb              *db,
                                     const CareWorkQuery *query,
                                     GError             **error);

/* What SQLite plans for @query's statements (EXPLAIN QUERY PLAN), one line a
 * step: for tests and tools that check the indexes are used. */
char         *care_db_worklist_plan (CareDb              *db,
                                     const CareWorkQuery *query,
                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareWorkItem, care_work_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareWorkCount, care_work_count_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareWorkQuery, care_work_query_free)

G_END_DECLS
