/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "care-db.h"

G_BEGIN_DECLS

/**
 * CareGeneratorOptions:
 * @n_patients: how many patients to make (default 2000)
 * @seed: the random seed (default 1)
 * @as_of: the reference "today" as 'YYYY-MM-DD', or %NULL for today's UTC date
 *
 * The same @seed and @as_of always give the same database content: the same
 * ids, values and created_at/updated_at times.
 */
typedef struct
{
  guint       n_patients;
  guint64     seed;
  const char *as_of;
} CareGeneratorOptions;

/* Called on the calling thread every 100 patients or so, and once at the end. */
typedef void (*CareGeneratorProgress) (guint    done,
                                       guint    total,
                                       gpointer user_data);

void     care_generator_options_init (CareGeneratorOptions        *opts);

/**
 * care_generator_run:
 * @db: an open database, normally empty
 * @opts: (nullable): the options; %NULL means the defaults
 * @progress: (nullable): called as patients are written
 *
 * Fills @db with a synthetic rural Oregon CCO: its clinics, pharmacy and hospital,
 * their staff and @opts->n_patients patients with histories. Every record is made
 * up. Patients are committed in batches; on failure the current batch is rolled
 * back and earlier batches stay.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%CARE_DB_ERROR) otherwise
 */
gboolean care_generator_run          (CareDb                      *db,
                                      const CareGeneratorOptions  *opts,
                                      CareGeneratorProgress        progress,
                                      gpointer                     user_data,
                                      GError                     **error);

/**
 * care_generator_add_long_history:
 * @as_of: (nullable): the last day of the history ('YYYY-MM-DD'), %NULL for today
 * @out_id: (out): the new patient's id
 *
 * Adds one synthetic patient with ten years of history for the dashboard's
 * benchmark: 200 encounters (ED visits and two hospital stays among them),
 * 1,400 or so observations, chronic problems, medications with their
 * dispenses and immunizations. MRN "LH-0000001". One transaction.
 */
gboolean care_generator_add_long_history (CareDb      *db,
                                          const char  *as_of,
                                          char       **out_id,
                                          GError     **error);

G_END_DECLS
