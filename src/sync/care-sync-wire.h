/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "care-db.h"

G_BEGIN_DECLS

/* The JSON of sync protocol version 1 (docs/sync-protocol.md). */

#define CARE_WIRE_MAX_BODY     (8 * 1024 * 1024)   /* bytes on the wire */
#define CARE_WIRE_MAX_JSON     (32 * 1024 * 1024)  /* bytes once unzipped */
#define CARE_WIRE_PAGE_CHANGES 1000
#define CARE_WIRE_PAGE_BYTES   (1024 * 1024)

#define CARE_WIRE_ERROR (care_wire_error_quark ())
GQuark care_wire_error_quark (void);

typedef enum
{
  CARE_WIRE_ERROR_MALFORMED,
  CARE_WIRE_ERROR_TOO_LARGE,
} CareWireError;

void        care_wire_append_string  (GString           *out,
                                      const char        *text);
/* The first @n changes as the members "devices", "actors" and "changes". */
void        care_wire_append_page    (GString           *out,
                                      GPtrArray         *changes,
                                      guint              n);
void        care_wire_append_vector  (GString           *out,
                                      GHashTable        *vector);

/* The JSON object in a request or response body, gzip or not; anything else
 * (not JSON, not an object, too large, truncated) is an error. */
JsonNode   *care_wire_parse_body     (GBytes            *body,
                                      gboolean           gzipped,
                                      GError           **error);
GBytes     *care_wire_gzip           (const char        *text,
                                      gsize              length);

/* Members of a parsed object, checked for type. */
GHashTable *care_wire_get_vector     (JsonObject        *object,
                                      const char        *member,
                                      GError           **error);
gboolean    care_wire_get_int        (JsonObject        *object,
                                      const char        *member,
                                      gint64            *out,
                                      GError           **error);
const char *care_wire_get_string     (JsonObject        *object,
                                      const char        *member,
                                      GError           **error);
/* A page (a pull answer with @cursor and @more, or a push without), read
 * strictly; (element-type CareChange). */
GPtrArray  *care_wire_parse_page     (GBytes            *body,
                                      gboolean           gzipped,
                                      gint64            *cursor,
                                      gboolean          *more,
                                      GError           **error);
GBytes     *care_wire_gunzip         (GBytes            *body,
                                      GError           **error);

/* A fingerprint of the record tables and their columns. */
char       *care_wire_columns_fingerprint (CareDb      *db);

G_END_DECLS
