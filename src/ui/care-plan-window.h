/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "care-store.h"

G_BEGIN_DECLS

#define CARE_TYPE_PLAN_WINDOW (care_plan_window_get_type ())
G_DECLARE_FINAL_TYPE (CarePlanWindow, care_plan_window, CARE, PLAN_WINDOW, AdwWindow)

/*
 * A patient's shared care plan: the active plan's goals (with their achievement
 * from the latest result), interventions, tasks, the patient's priorities and
 * social needs, referrals, the team's discussion, and earlier versions. Every
 * edit goes through the store and replicates; conflicts between goals or
 * prescribers, and two active plans, are flagged on the plan.
 *
 * @user_id: (nullable): the signed-in team member (authors discussion messages).
 */
CarePlanWindow *care_plan_window_new (GtkWindow  *parent,
                                      CareStore  *store,
                                      const char *actor,
                                      const char *user_id,
                                      const char *patient_id);

/* Test hooks. */
gboolean    care_plan_window_get_loaded  (CarePlanWindow *self);
/* Rows in a section: "goals", "interventions", "tasks", "needs", "referrals",
 * "messages", "conflicts", "versions". */
guint       care_plan_window_count_rows  (CarePlanWindow *self,
                                          const char     *section);
const char *care_plan_window_get_plan_id (CarePlanWindow *self);
/* Opens the dialog that adds a record of @table to the plan. */
void        care_plan_window_add         (CarePlanWindow *self,
                                          const char     *table);

G_END_DECLS
