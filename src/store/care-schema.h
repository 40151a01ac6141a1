/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 'CRMH': marks a SQLite file as a Caremesh database (PRAGMA application_id). */
#define CARE_SCHEMA_APPLICATION_ID 0x43524d48

/* Migrations are forward-only: migration i (1-based) takes user_version i-1 to i. */
guint        care_schema_n_migrations (void);
const char  *care_schema_migration    (guint version);

/* Replicated record types in dependency order (parents first), NULL-terminated. */
const char * const *care_schema_record_types (void);

G_END_DECLS
