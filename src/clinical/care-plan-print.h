/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "care-chart.h"

G_BEGIN_DECLS

/*
 * The patient's copy of their care plan, laid out with Pango and drawn with
 * cairo: no GTK, so the app (GtkPrintOperation) and caremeshctl share it.
 *
 * Lays out the active care plan of a chart for the patient, in a language
 * ("en", "es"; BCP 47 or POSIX). The fixed texts come from that language's
 * catalog when there is one (care-catalog.h; the process's own language is not
 * used), else stay in English. The patient's and the team's records are
 * printed as they were written.
 *
 * A CarePlanPrint holds a reference on the chart and is used by one thread at a
 * time.
 */
typedef struct _CarePlanPrint CarePlanPrint;

#define CARE_PLAN_PRINT_ERROR (care_plan_print_error_quark ())

typedef enum
{
  CARE_PLAN_PRINT_ERROR_NO_PLAN,  /* the patient has no active care plan */
  CARE_PLAN_PRINT_ERROR_FAILED,   /* the PDF could not be made or written */
} CarePlanPrintError;

GQuark         care_plan_print_error_quark (void);

/* NULL and CARE_PLAN_PRINT_ERROR_NO_PLAN when the patient has no active care
 * plan. With two active plans (two machines revised it at once), the newest. */
CarePlanPrint *care_plan_print_new         (CareChart      *chart,
                                            const char     *language,
                                            GError        **error);
void           care_plan_print_free        (CarePlanPrint  *self);

/* Lays out for pages of @width x @height in @cr's user units, which must be
 * points (GtkPrintOperation: gtk_print_operation_set_unit (op, GTK_UNIT_POINTS)),
 * and returns the number of pages (at least 1). @cr is only used to make the
 * Pango context; the layout does not depend on its device. Call again when the
 * page size changes. */
guint          care_plan_print_paginate    (CarePlanPrint  *self,
                                            cairo_t        *cr,
                                            double          width,
                                            double          height);
guint          care_plan_print_get_n_pages (CarePlanPrint  *self);
/* Draws page @page (from 0) of the last pagination onto @cr. */
void           care_plan_print_draw_page   (CarePlanPrint  *self,
                                            cairo_t        *cr,
                                            guint           page);

/* Writes the whole printout as a PDF of US Letter pages (612 x 792 pt) to
 * @path, whole or not at all: an error leaves no new or partial file. */
gboolean       care_plan_print_to_pdf      (CareChart      *chart,
                                            const char     *language,
                                            const char     *path,
                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CarePlanPrint, care_plan_print_free)

G_END_DECLS
