/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A small trend chart for the patient dashboard (about 260×120): one measurement
 * over time (HbA1c, weight, eGFR…), or two that belong together (systolic and
 * diastolic blood pressure as series 0 and 1). The x axis is time; the target band
 * is shaded, and results of series 0 outside it are marked. It is a card (the
 * "card" style class) unless the class is removed.
 *
 * Dates are ISO 8601: "YYYY-MM-DD" (a day, taken as local midnight) or a date-time
 * ("2026-03-02T10:15:00Z"; without a zone it is local time). Points whose date
 * does not parse or whose value is not finite are left out.
 */

#define CARE_TYPE_TREND_CHART (care_trend_chart_get_type ())
G_DECLARE_FINAL_TYPE (CareTrendChart, care_trend_chart, CARE, TREND_CHART, GtkWidget)

#define CARE_TREND_CHART_N_SERIES 2

CareTrendChart *care_trend_chart_new            (void);

void            care_trend_chart_set_title      (CareTrendChart     *self,
                                                 const char         *title);
const char     *care_trend_chart_get_title      (CareTrendChart     *self);
void            care_trend_chart_set_unit       (CareTrendChart     *self,
                                                 const char         *unit);
const char     *care_trend_chart_get_unit       (CareTrendChart     *self);

/* The shaded target band, for series 0: @low or @high may be NAN or infinite for
 * an open side (HbA1c below 8: -INFINITY, 8); both NAN for no band. */
void            care_trend_chart_set_target     (CareTrendChart     *self,
                                                 double              low,
                                                 double              high);

/* Replaces the points of @series (0 or 1); @dates and @values are copied and need
 * not be sorted. */
void            care_trend_chart_set_points     (CareTrendChart     *self,
                                                 guint               series,
                                                 const char * const *dates,
                                                 const double       *values,
                                                 guint               n_points);
/* Removes the points of both series (title, unit and target stay). */
void            care_trend_chart_clear          (CareTrendChart     *self);
/* Points kept for @series (those with a valid date and a finite value). */
guint           care_trend_chart_get_n_points   (CareTrendChart     *self,
                                                 guint               series);

/* The latest result as the chart draws it at the top right, "7.4 % · 2 Mar 2026"
 * ("128/82 mmHg · …" when series 1 has a point at the same time), or NULL when
 * there are no points. Owned by @self, valid until the points change. */
const char     *care_trend_chart_get_last_label (CareTrendChart     *self);

G_END_DECLS
