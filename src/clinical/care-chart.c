/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-chart"

#include "config.h"

#include "care-chart.h"
#include "care-db.h"

CareChart *
care_chart_new (const char *today)
{
  CareChart *chart = g_atomic_rc_box_new0 (CareChart);
  GPtrArray **arrays[] = {
    &chart->conditions, &chart->allergies, &chart->medications, &chart->dispenses,
    &chart->observations, &chart->encounters, &chart->immunizations, &chart->care_plans,
    &chart->goals, &chart->tasks, &chart->referrals, &chart->care_team,
    &chart->notes, &chart->interventions, &chart->needs,
  };

  g_return_val_if_fail (today != NULL, NULL);

  chart->today = g_strdup (today);
  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    *arrays[i] = g_ptr_array_new_with_free_func (g_object_unref);
  chart->practitioners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  chart->organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  return chart;
}

static void
care_chart_clear (gpointer data)
{
  CareChart *chart = data;

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
  g_clear_pointer (&chart->notes, g_ptr_array_unref);
  g_clear_pointer (&chart->interventions, g_ptr_array_unref);
  g_clear_pointer (&chart->needs, g_ptr_array_unref);
  g_clear_pointer (&chart->practitioners, g_hash_table_unref);
  g_clear_pointer (&chart->organizations, g_hash_table_unref);
}

CareChart *
care_chart_ref (CareChart *chart)
{
  return g_atomic_rc_box_acquire (chart);
}

void
care_chart_free (CareChart *chart)
{
  if (chart != NULL)
    g_atomic_rc_box_release_full (chart, care_chart_clear);
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

static GPtrArray *
list_live (CareDb      *db,
           const char  *actor,
           const char  *table,
           const char  *patient_id,
           const char  *order_by,
           GError     **error)
{
  g_autoptr(GPtrArray) records = care_db_list (db, actor, table, patient_id, order_by, error);
  GPtrArray *live;

  if (records == NULL)
    return NULL;

  live = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *record = g_ptr_array_index (records, i);

      if (g_strcmp0 (care_record_get (record, "retired"), "1") != 0)
        g_ptr_array_add (live, g_object_ref (record));
    }

  return live;
}

CareChart *
care_chart_load (CareDb      *db,
                 const char  *actor,
                 const char  *patient_id,
                 const char  *today,
                 GError     **error)
{
  g_autoptr(CareChart) chart = NULL;
  static const struct
  {
    const char *table;
    const char *order_by;
    gsize       offset;
  } sections[] = {
    { "conditions",           "onset_date",      G_STRUCT_OFFSET (CareChart, conditions) },
    { "allergies",            "substance",       G_STRUCT_OFFSET (CareChart, allergies) },
    { "medication_orders",    "drug",            G_STRUCT_OFFSET (CareChart, medications) },
    { "medication_dispenses", "handed_over_at",  G_STRUCT_OFFSET (CareChart, dispenses) },
    { "observations",         "effective_at",    G_STRUCT_OFFSET (CareChart, observations) },
    { "encounters",           "start_at",        G_STRUCT_OFFSET (CareChart, encounters) },
    { "immunizations",        "occurrence_date", G_STRUCT_OFFSET (CareChart, immunizations) },
    { "care_plans",           "period_start",    G_STRUCT_OFFSET (CareChart, care_plans) },
    { "goals",                "due_date",        G_STRUCT_OFFSET (CareChart, goals) },
    { "care_tasks",           "due_date",        G_STRUCT_OFFSET (CareChart, tasks) },
    { "referrals",            "sent_date",       G_STRUCT_OFFSET (CareChart, referrals) },
    { "care_team_members",    "start_date",      G_STRUCT_OFFSET (CareChart, care_team) },
    { "notes",                "written_at",      G_STRUCT_OFFSET (CareChart, notes) },
    { "interventions",        NULL,              G_STRUCT_OFFSET (CareChart, interventions) },
    { "care_needs",           NULL,              G_STRUCT_OFFSET (CareChart, needs) },
  };
  struct
  {
    const char *table;
    GHashTable *into;
  } directories[2];

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  chart = care_chart_new (today);
  if (!(chart->patient = care_db_get (db, actor, "patients", patient_id, error)))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      GPtrArray **slot = G_STRUCT_MEMBER_P (chart, sections[i].offset);
      GPtrArray *records = list_live (db, actor, sections[i].table, patient_id, sections[i].order_by, error);

      if (records == NULL)
        return NULL;
      g_ptr_array_unref (*slot);
      *slot = records;
    }

  /* Staff and organisations are few (a clinic's, a region's): all of them. */
  directories[0].table = "practitioners";
  directories[0].into = chart->practitioners;
  directories[1].table = "organizations";
  directories[1].into = chart->organizations;
  for (guint i = 0; i < G_N_ELEMENTS (directories); i++)
    {
      g_autoptr(GPtrArray) records = care_db_list (db, actor, directories[i].table, NULL, NULL, error);

      if (records == NULL)
        return NULL;
      for (guint j = 0; j < records->len; j++)
        {
          CareRecord *record = g_ptr_array_index (records, j);

          g_hash_table_insert (directories[i].into, g_strdup (care_record_get_id (record)), g_object_ref (record));
        }
    }

  return g_steal_pointer (&chart);
}

GHashTable *
care_chart_record_ids (const CareChart *chart)
{
  GHashTable *ids = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *arrays[] = {
    chart->conditions, chart->allergies, chart->medications, chart->dispenses,
    chart->observations, chart->encounters, chart->immunizations, chart->care_plans,
    chart->goals, chart->tasks, chart->referrals, chart->care_team,
    chart->notes, chart->interventions, chart->needs,
  };

  g_hash_table_add (ids, (gpointer) care_record_get_id (chart->patient));
  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    for (guint j = 0; j < arrays[i]->len; j++)
      g_hash_table_add (ids, (gpointer) care_record_get_id (g_ptr_array_index (arrays[i], j)));

  return ids;
}

CareRecord *
care_chart_find (const CareChart *chart,
                 const char      *table,
                 const char      *id)
{
  const struct
  {
    const char *table;
    GPtrArray  *records;
  } arrays[] = {
    { "conditions", chart->conditions }, { "allergies", chart->allergies },
    { "medication_orders", chart->medications }, { "medication_dispenses", chart->dispenses },
    { "observations", chart->observations }, { "encounters", chart->encounters },
    { "immunizations", chart->immunizations }, { "care_plans", chart->care_plans },
    { "goals", chart->goals }, { "care_tasks", chart->tasks }, { "referrals", chart->referrals },
    { "care_team_members", chart->care_team }, { "notes", chart->notes },
    { "interventions", chart->interventions }, { "care_needs", chart->needs },
  };

  if (g_strcmp0 (table, "patients") == 0)
    return g_strcmp0 (care_record_get_id (chart->patient), id) == 0 ? chart->patient : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    if (g_strcmp0 (arrays[i].table, table) == 0)
      for (guint j = 0; j < arrays[i].records->len; j++)
        if (g_strcmp0 (care_record_get_id (g_ptr_array_index (arrays[i].records, j)), id) == 0)
          return g_ptr_array_index (arrays[i].records, j);

  return NULL;
}
