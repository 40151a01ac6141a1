/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "care-chart.h"
#include "care-record.h"

G_BEGIN_DECLS

/*
 * Checks on a shared care plan (docs/clinical-rules.md, "Care plans"): how far a goal
 * is from its target, what on the plan a person must look at (goals and orders that
 * disagree, a plan revised on two machines at once), the therapeutic class of a drug
 * (src/clinical/rules/therapeutic-classes.json) and the team members a discussion
 * message mentions. Pure functions of their arguments: no database, any thread.
 */

/* The achievement of @goal (a goals row) computed from the latest observation of its
 * measure, as a FHIR goal-achievement code:
 *   "achieved"      the latest value is within [target_low, target_high] (both ends
 *                   count; an end that is not set is open);
 *   "not-achieved"  outside, and there is no earlier value;
 *   "improving"     outside, and nearer the target than the value before;
 *   "worsening"     outside, and farther from the target than the value before;
 *   "no-change"     outside, and the same value as before;
 *   "no-progress"   outside, a different value but no nearer (it jumped across the
 *                   target range).
 * Returns NULL when the goal has no measure, no target (neither end set), or no usable
 * observation. Usable: the goal's LOINC code, a number, not entered in error or
 * cancelled, not dated after chart->today, and in the goal's unit when both say one.
 * @latest_value (may be NULL): the latest usable value, NAN when there is none.
 * @latest_date (may be NULL): (transfer full) its date, "YYYY-MM-DD", or NULL. */
const char *care_goal_achievement (const CareChart *chart,
                                   CareRecord      *goal,
                                   double          *latest_value,
                                   char           **latest_date);

typedef struct
{
  char      *kind;        /* "goal-targets" | "same-class-prescribers" | "two-active-plans" */
  char      *message;     /* translated plain words naming the goals, drugs or plans */
  GPtrArray *record_ids;  /* (element-type utf8) the records involved */
} CarePlanConflict;

void        care_plan_conflict_free (CarePlanConflict *conflict);

/* What on @chart's plan a person must look at, in this order:
 *  - "goal-targets": two or more open goals (lifecycle proposed, planned, accepted,
 *    active or on-hold) of current plans for the same measure with different targets,
 *    one conflict per measure;
 *  - "same-class-prescribers": active medication orders in one duplication group of
 *    the classes file (a class, or a group such as ACE inhibitors + ARBs) from two or
 *    more different prescribers, one conflict per group;
 *  - "two-active-plans": more than one active care plan that no other plan replaces
 *    (two machines revised the plan at once).
 * Returns (transfer full) (element-type CarePlanConflict), empty when there is
 * nothing, or NULL with @error set when the classes file cannot be read. */
GPtrArray  *care_plan_conflicts     (const CareChart  *chart,
                                     GError          **error);

/* The therapeutic class of a drug, translated, e.g. "HMG-CoA reductase inhibitors
 * (statins)", or NULL when it is in none. @drug_name: matched by ingredient words
 * ("atorvastatin 40 MG Oral Tablet"); @rxnorm: an RxNorm ingredient code; either may
 * be NULL. A combination product is in the class of each ingredient; this names the
 * first in the file's order. */
const char *care_drug_class         (const char *drug_name,
                                     const char *rxnorm);

/* The people @body mentions: "@Ana Ruiz", "@ruiz", "@Ana", matched with case and
 * accents ignored against @team (element-type CareRecord, practitioners rows:
 * given_name, family_name). A mention that fits several people mentions none, unless
 * it is the full "given family" name of exactly one. An e-mail address
 * ("ana@example.org") is not a mention. Returns (transfer full) (element-type utf8) the
 * ids mentioned, each once, in order of first appearance. */
GPtrArray  *care_note_mentions      (const char *body,
                                     GPtrArray  *team);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CarePlanConflict, care_plan_conflict_free)

G_END_DECLS
