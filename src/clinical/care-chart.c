/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-chart"

#include "config.h"

#include "care-chart.h"

CareChart *
care_chart_new (const char *today)
{
  CareChart *chart = g_new0 (CareChart, 1);
  GPtrArray **arrays[] = {
    &chart->conditions, &chart->allergies, &chart->medications, &chart->dispenses,
    &chart->observations, &chart->encounters, &chart->immunizations, &chart->care_plans,
    &chart->goals, &chart->tasks, &chart->referrals, &chart->care_team,
  };

  g_return_val_if_fail (today != NULL, NULL);

  chart->today = g_strdup (today);
  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    *arrays[i] = g_ptr_array_new_with_free_func (g_object_unref);
  chart->practitioners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  chart->organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  return chart;
}

void
care_chart_free (CareChart *chart)
{
  if (chart == NULL)
    return;

  g_free (chart->today);
  g_clear_object (&chart->patient);
  g_clear_pointer (&chart->conditions, g_ptr_array_unref);
  g_clear_pointer (&chart->allergies, g_ptr_array_unref);
  g_clear_pointer (&chart->medications, g_ptr_array_unref);
  g_clear_pointer (&chart->dispenses, g_ptr_array_unref);
  g_clear_pointer (&chart->observations, g_ptr_array_unref);
  g_clear_pointer (&chart->encounters, g_ptr_array_unref);
  g_clear_pointer (&chart->immunizations, g_ptr_array_unref);
  g_clear_pointer (&chart->care_plans, g_ptr_array_unref);
  g_clear_pointer (&chart->goals, g_ptr_array_unref);
  g_clear_pointer (&chart->tasks, g_ptr_array_unref);
  g_clear_pointer (&chart->referrals, g_ptr_array_unref);
  g_clear_pointer (&chart->care_team, g_ptr_array_unref);
  g_clear_pointer (&chart->practitioners, g_hash_table_unref);
  g_clear_pointer (&chart->organizations, g_hash_table_unref);
  g_free (chart);
}

char *
care_chart_practitioner_name (const CareChart *chart,
                              const char      *id)
{
  CareRecord *practitioner;
  const char *credentials;

  if (id == NULL || (practitioner = g_hash_table_lookup (chart->practitioners, id)) == NULL)
    return NULL;

  credentials = care_record_get (practitioner, "credentials");
  if (credentials != NULL && *credentials != '\0')
    return g_strdup_printf ("%s %s, %s", care_record_get (practitioner, "given_name"),
                            care_record_get (practitioner, "family_name"), credentials);

  return g_strdup_printf ("%s %s", care_record_get (practitioner, "given_name"),
                          care_record_get (practitioner, "family_name"));
}
