/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "care-db.h"

G_BEGIN_DECLS

/* A fresh path for a database file in a temporary folder removed at exit. */
char       *care_test_temp_db          (void);
/* PRAGMA integrity_check says "ok", from a separate connection. */
void        care_test_assert_integrity (const char *path);
/* The smallest valid record of @table; @ids maps a table to an existing record's
 * id, for the references. The last field is always free text. */
CareFields *care_test_minimal_fields   (const char *table,
                                        GHashTable *ids);
/* Adds a patient; returns its id. */
char       *care_test_add_patient      (CareDb     *db,
                                        const char *given,
                                        const char *family,
                                        const char *birth_date,
                                        const char *mrn,
                                        const char *phone);
/* The demo clinic generator's @n_patients into @db (made with @seed, as of
 * @as_of, "YYYY-MM-DD"). */
void        care_test_generate         (CareDb     *db,
                                        guint       n_patients,
                                        guint64     seed,
                                        const char *as_of);
/* care_db_content_hash() of the database at @path. */
char       *care_test_content_hash     (const char *path);
/* `caremeshctl id`: the device id of the database at @path, as people see it. */
char       *care_test_device_id        (const char *path);
/* Path of a program built in src/ (G_TEST_BUILDDIR is tests/). */
char       *care_test_program          (const char *name);
/* Runs caremeshctl with the arguments (NULL-terminated); returns its exit status
 * and output. */
int         care_test_run_ctl          (char      **out,
                                        char      **err,
                                        const char *first,
                                        ...);

/* Its children are killed when the test dies (a failed assertion): none is left
 * holding meson until its timeout. */
GSubprocessLauncher *care_test_launcher (GSubprocessFlags flags);

/* `caremeshctl serve` on @db on a free port of 127.0.0.1; its "host:port". */
GSubprocess *care_test_serve           (const char  *db,
                                        char       **address);
GSubprocess *care_test_serve_with      (const char  *db,
                                        char       **address,
                                        const char  *idle_timeout);

G_END_DECLS
