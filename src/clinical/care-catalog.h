/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Our texts in one given language, whatever the language of the process: a
 * printout for a Spanish-speaking patient from an English desktop. Reads the
 * compiled catalog (.mo) itself, because gettext translates only into the
 * process's (or a thread's installed) locale, and its LANGUAGE variable
 * overrides any language chosen in code (docs/decisions.md, 25).
 *
 * A catalog is read once and then only read: it may be shared between threads.
 */
typedef struct _CareCatalog CareCatalog;

#define CARE_CATALOG_ERROR (care_catalog_error_quark ())

typedef enum
{
  CARE_CATALOG_ERROR_INVALID,  /* not a .mo file, or a damaged one */
} CareCatalogError;

GQuark       care_catalog_error_quark    (void);

/* Where catalogs are looked up: <dir>/<language>/LC_MESSAGES/caremesh.mo.
 * Default LOCALEDIR; set it (before use) to run from the build tree, whose
 * catalogs are in <builddir>/po. NULL returns to the default. */
void         care_catalog_set_locale_dir (const char  *dir);
const char  *care_catalog_get_locale_dir (void);

/* The catalog for @language ("es", "es-MX", "es_MX"; BCP 47 or POSIX): the
 * region's if there is one, else the language's. Never NULL: without a catalog
 * (English, or a language not translated yet) every text stays as written. */
CareCatalog *care_catalog_new            (const char  *language);
/* A catalog from the bytes of a .mo file; NULL and @error when they are not one. */
CareCatalog *care_catalog_new_from_bytes (GBytes      *bytes,
                                          GError     **error);
void         care_catalog_free           (CareCatalog *self);

/* The language whose catalog was found ("es"), or NULL when there was none. */
const char  *care_catalog_get_language   (CareCatalog *self);
/* The translation of @msgid, or @msgid. A translation whose printf directives
 * differ from the original's is ignored, so a damaged catalog cannot crash a
 * printf. Plural entries (ngettext) are not read: they stay in English. */
const char  *care_catalog_gettext        (CareCatalog *self,
                                          const char  *msgid) G_GNUC_FORMAT (2);
/* As care_catalog_gettext() for a text marked with a context (msgctxt). */
const char  *care_catalog_pgettext       (CareCatalog *self,
                                          const char  *context,
                                          const char  *msgid) G_GNUC_FORMAT (3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CareCatalog, care_catalog_free)

G_END_DECLS
