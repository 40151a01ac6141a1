/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-trend-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "care-trend-chart.h"

/* One result. The time is in seconds since the epoch (the x axis); the date-time,
 * in local time, is what the labels show. */
typedef struct
{
  gint64     time;
  GDateTime *date_time;
  gboolean   has_time;
  double     value;
  guint      order;     /* position given, so that equal times keep their order */
} Point;

/* Where the last frame put things, for the tooltip and the hover mark. */
typedef struct
{
  gboolean valid;
  double   left, top, right, bottom;    /* the plot area */
  double   v_min, v_max;
  gint64   t_min, t_max;
} Geometry;

struct _CareTrendChart
{
  GtkWidget  parent_instance;

  char      *title;
  char      *unit;
  double     target_low;
  double     target_high;
  GArray    *series[CARE_TREND_CHART_N_SERIES];   /* of Point, oldest first */
  guint      decimals;                            /* of the values shown */

  char      *last_label;
  gsize      last_value_len;                      /* bytes of "7.4 %" in last_label */
  gsize      last_number_len;                     /* bytes of "7.4" */

  Geometry   geometry;
  int        hover;                               /* a point of the main series, or -1 */
};

G_DEFINE_FINAL_TYPE (CareTrendChart, care_trend_chart, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_TITLE, PROP_UNIT, N_PROPS };
static GParamSpec *properties[N_PROPS];

#define MIN_WIDTH      180
#define MIN_HEIGHT     100
#define NAT_WIDTH      260
#define NAT_HEIGHT     120
#define PAD_X          14.0
#define PAD_TOP        11.0
#define PAD_BOTTOM     9.0
#define HEADER_GAP     6.0
#define TICK_GAP       6.0
#define AXIS_GAP       2.0
#define POINT_INSET    5.0
#define LINE_WIDTH     2.0
#define DOT_RADIUS     2.5
#define MAX_TOOLTIP    5

typedef struct
{
  GdkRGBA fg;
  GdkRGBA dim;
  GdkRGBA faint;
  GdkRGBA hairline;
  GdkRGBA grid;
  GdkRGBA line[CARE_TREND_CHART_N_SERIES];
  GdkRGBA band;
  GdkRGBA band_edge;
  GdkRGBA out_of_band;
  GdkRGBA surface;   /* the card, opaque: rings around dots */
} Colors;

static void
point_clear (gpointer data)
{
  Point *point = data;

  g_clear_pointer (&point->date_time, g_date_time_unref);
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const Point *pa = a;
  const Point *pb = b;

  if (pa->time != pb->time)
    return pa->time < pb->time ? -1 : 1;
  return pa->order < pb->order ? -1 : pa->order > pb->order;
}

static gboolean
is_digits (const char *text,
           guint       n)
{
  for (guint i = 0; i < n; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* "YYYY-MM-DD" is a day at local midnight; anything longer an ISO 8601 date-time,
 * local when it names no zone. Returns NULL when @text is neither. */
static GDateTime *
parse_date (const char *text,
            gboolean   *has_time)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GDateTime) date_time = NULL;

  if (text == NULL)
    return NULL;

  if (strlen (text) == 10 && is_digits (text, 4) && text[4] == '-' &&
      is_digits (text + 5, 2) && text[7] == '-' && is_digits (text + 8, 2))
    {
      *has_time = FALSE;
      return g_date_time_new_local (atoi (text), atoi (text + 5), atoi (text + 8), 0, 0, 0);
    }

  local = g_time_zone_new_local ();
  date_time = g_date_time_new_from_iso8601 (text, local);
  if (date_time == NULL)
    return NULL;

  *has_time = TRUE;
  return g_date_time_to_local (date_time);
}

/* Decimals needed to show @value exactly, at most 2. */
static guint
decimals_of (double value)
{
  double scale = 1.0;

  for (guint decimals = 0; decimals < 2; decimals++, scale *= 10.0)
    if (fabs (value * scale - round (value * scale)) < 1e-6)
      return decimals;
  return 2;
}

static char *
format_number (double value,
               guint  decimals)
{
  /* Adding 0.0 turns -0 into 0. */
  return g_strdup_printf ("%.*f", (int) decimals, value + 0.0);
}

static char *
with_unit (const CareTrendChart *self,
           const char           *number)
{
  if (self->unit == NULL || *self->unit == '\0')
    return g_strdup (number);
  return g_strdup_printf ("%s %s", number, self->unit);
}

static const char *
title_or_default (const CareTrendChart *self)
{
  if (self->title == NULL || *self->title == '\0')
    return _("Results");
  return self->title;
}

/* The series the header, tooltip and marks follow: series 0, or 1 alone. */
static GArray *
main_series (const CareTrendChart *self)
{
  return self->series[0]->len > 0 ? self->series[0] : self->series[1];
}

static const Point *
partner_of (const CareTrendChart *self,
            const Point          *point)
{
  GArray *other = self->series[1];

  if (main_series (self) == other)
    return NULL;

  for (guint i = other->len; i > 0; i--)
    {
      const Point *candidate = &g_array_index (other, Point, i - 1);

      if (candidate->time == point->time)
        return candidate;
      if (candidate->time < point->time)
        break;
    }
  return NULL;
}

/* "7.4 %" or, with the second series at the same time, "128/82 mmHg". */
static char *
format_value (const CareTrendChart *self,
              const Point          *point)
{
  g_autofree char *number = format_number (point->value, self->decimals);
  const Point *partner = partner_of (self, point);

  if (partner != NULL)
    {
      g_autofree char *second = format_number (partner->value, self->decimals);
      g_autofree char *pair = g_strdup_printf ("%s/%s", number, second);

      return with_unit (self, pair);
    }
  return with_unit (self, number);
}

static char *
format_short_date (const Point *point)
{
  /* Translators: a result's date in a small chart, as in "2 Mar 2026";
   * see the GDateTime format documentation. */
  return g_date_time_format (point->date_time, _("%-d %b %Y"));
}

static char *
format_long_date (const Point *point)
{
  /* Translators: a result's date read out by a screen reader, as in
   * "2 March 2026"; see the GDateTime format documentation. */
  return g_date_time_format (point->date_time, _("%-d %B %Y"));
}

/* "7.4 % · 2 Mar 2026"; @value_len is set to the byte length of "7.4 %". */
static char *
format_point_label (const CareTrendChart *self,
                    const Point          *point,
                    gboolean              with_time,
                    gsize                *value_len)
{
  g_autofree char *value = format_value (self, point);
  g_autofree char *date = NULL;

  if (with_time && point->has_time)
    /* Translators: a result's date and time in the chart's tooltip; see the
     * GDateTime format documentation. */
    date = g_date_time_format (point->date_time, _("%-d %b %Y, %H:%M"));
  else
    date = format_short_date (point);

  if (value_len != NULL)
    *value_len = strlen (value);

  /* Translators: a result and its date, "7.4 % · 2 Mar 2026". Keep the value
   * first: the chart draws it in bold. */
  return g_strdup_printf (_("%s · %s"), value, date);
}

static char *
format_target_clause (const CareTrendChart *self)
{
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  gboolean has_low = isfinite (self->target_low);
  gboolean has_high = isfinite (self->target_high);

  if (has_low)
    {
      g_autofree char *number = format_number (self->target_low, decimals_of (self->target_low));
      low = with_unit (self, number);
    }
  if (has_high)
    {
      g_autofree char *number = format_number (self->target_high, decimals_of (self->target_high));
      high = with_unit (self, number);
    }

  if (has_low && has_high)
    return g_strdup_printf (_("target between %s and %s"), low, high);
  if (has_high)
    return g_strdup_printf (_("target below %s"), high);
  if (has_low)
    return g_strdup_printf (_("target above %s"), low);
  return NULL;
}

/* The last label, and what a screen reader says about the chart. */
static void
update_summary (CareTrendChart *self)
{
  GArray *points = main_series (self);
  g_autofree char *label = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GString) description = g_string_new (NULL);

  g_clear_pointer (&self->last_label, g_free);
  self->last_value_len = 0;
  self->last_number_len = 0;

  if (points->len == 0)
    {
      label = g_strdup_printf (_("%s trend: no results"), title_or_default (self));
    }
  else
    {
      const Point *last = &g_array_index (points, Point, points->len - 1);
      g_autofree char *value = format_value (self, last);
      g_autofree char *date = format_long_date (last);
      g_autoptr(GString) recent = g_string_new (NULL);

      self->last_label = format_point_label (self, last, FALSE, &self->last_value_len);
      self->last_number_len = self->last_value_len;
      if (self->unit != NULL && *self->unit != '\0')
        self->last_number_len -= strlen (self->unit) + 1;
      label = g_strdup_printf (ngettext ("%s trend: %u result, last %s on %s",
                                         "%s trend: %u results, last %s on %s", points->len),
                               title_or_default (self), points->len, value, date);

      for (guint i = points->len; i > 0 && i + MAX_TOOLTIP > points->len; i--)
        {
          const Point *point = &g_array_index (points, Point, i - 1);
          g_autofree char *point_value = format_value (self, point);
          g_autofree char *point_date = format_long_date (point);

          if (recent->len > 0)
            g_string_append (recent, "; ");
          /* Translators: a result and its date, "7.4 % on 2 March 2026". */
          g_string_append_printf (recent, _("%s on %s"), point_value, point_date);
        }
      g_string_append_printf (description, _("Recent results: %s"), recent->str);
    }

  target = format_target_clause (self);
  if (target != NULL)
    {
      g_autofree char *with_target = g_strconcat (label, ", ", target, NULL);

      g_free (label);
      label = g_steal_pointer (&with_target);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

static void
update_decimals (CareTrendChart *self)
{
  self->decimals = 0;
  for (guint s = 0; s < CARE_TREND_CHART_N_SERIES; s++)
    for (guint i = 0; i < self->series[s]->len; i++)
      self->decimals = MAX (self->decimals,
                            decimals_of (g_array_index (self->series[s], Point, i).value));
}

static void
points_changed (CareTrendChart *self)
{
  self->hover = -1;
  update_decimals (self);
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
is_outside_target (const CareTrendChart *self,
                   double                value)
{
  return (isfinite (self->target_low) && value < self->target_low) ||
         (isfinite (self->target_high) && value > self->target_high);
}

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;
  return result;
}

/* @top over @bottom, both possibly translucent. */
static GdkRGBA
composite (const GdkRGBA *top,
           const GdkRGBA *bottom)
{
  GdkRGBA result;

  result.alpha = top->alpha + bottom->alpha * (1 - top->alpha);
  if (result.alpha <= 0)
    return (GdkRGBA) { 0, 0, 0, 0 };
  result.red = (top->red * top->alpha + bottom->red * bottom->alpha * (1 - top->alpha)) / result.alpha;
  result.green = (top->green * top->alpha + bottom->green * bottom->alpha * (1 - top->alpha)) / result.alpha;
  result.blue = (top->blue * top->alpha + bottom->blue * bottom->alpha * (1 - top->alpha)) / result.alpha;
  return result;
}

/* Colours come from the style (libadwaita's named colours) so that the dark style
 * and high contrast work; the fallbacks are Adwaita's for a plain GTK theme. */
static void
get_colors (CareTrendChart *self,
            Colors         *colors)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  GdkRGBA success, card, window;
  gboolean dark;

  gtk_style_context_get_color (context, &colors->fg);
  dark = 0.2126 * colors->fg.red + 0.7152 * colors->fg.green + 0.0722 * colors->fg.blue > 0.5;

  colors->dim = with_alpha (&colors->fg, 0.6f);
  colors->faint = with_alpha (&colors->fg, 0.45f);
  colors->hairline = with_alpha (&colors->fg, 0.3f);
  colors->grid = with_alpha (&colors->fg, dark ? 0.1f : 0.08f);

  lookup_color (context, "accent_color", "#1c71d8", &colors->line[0]);
  if (dark)
    lookup_color (context, "purple_1", "#dc8add", &colors->line[1]);
  else
    lookup_color (context, "purple_3", "#9141ac", &colors->line[1]);

  lookup_color (context, "success_color", "#1b8553", &success);
  colors->band = with_alpha (&success, dark ? 0.16f : 0.12f);
  colors->band_edge = with_alpha (&success, 0.5f);
  lookup_color (context, "error_color", "#c01c28", &colors->out_of_band);

  lookup_color (context, "card_bg_color", "#ffffff", &card);
  lookup_color (context, "window_bg_color", dark ? "#242424" : "#fafafa", &window);
  colors->surface = composite (&card, &window);
}

static PangoLayout *
create_layout (CareTrendChart *self,
               const char     *text,
               double          scale,
               PangoWeight     weight)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (weight != PANGO_WEIGHT_NORMAL)
    pango_attr_list_insert (attrs, pango_attr_weight_new (weight));
  /* Figures of equal width, so that numbers line up and do not jitter. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static void
draw_layout (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x), round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static double
nice_step (double raw)
{
  static const double steps[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
  double magnitude = pow (10.0, floor (log10 (raw)));

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (raw <= steps[i] * magnitude * (1 + 1e-9))
      return steps[i] * magnitude;
  return 10.0 * magnitude;
}

static guint
step_decimals (double step)
{
  double scale = 1.0;

  for (guint decimals = 0; decimals < 4; decimals++, scale *= 10.0)
    if (fabs (step * scale - round (step * scale)) < 1e-6)
      return decimals;
  return 4;
}

/* The values the y axis must show: the data and the band's edges. */
static void
value_range (const CareTrendChart *self,
             double               *v_min,
             double               *v_max)
{
  double span;

  *v_min = INFINITY;
  *v_max = -INFINITY;

  for (guint s = 0; s < CARE_TREND_CHART_N_SERIES; s++)
    for (guint i = 0; i < self->series[s]->len; i++)
      {
        double value = g_array_index (self->series[s], Point, i).value;

        *v_min = MIN (*v_min, value);
        *v_max = MAX (*v_max, value);
      }

  if (isfinite (self->target_low))
    {
      *v_min = MIN (*v_min, self->target_low);
      *v_max = MAX (*v_max, self->target_low);
    }
  if (isfinite (self->target_high))
    {
      *v_min = MIN (*v_min, self->target_high);
      *v_max = MAX (*v_max, self->target_high);
    }

  /* A band open on one side shows some of itself even when every result is
   * outside it. */
  span = MAX (*v_max - *v_min, MAX (fabs (*v_max) * 0.1, 1e-3));
  if (isfinite (self->target_low) && !isfinite (self->target_high))
    *v_max = MAX (*v_max, self->target_low + span * 0.3);
  if (isfinite (self->target_high) && !isfinite (self->target_low))
    *v_min = MIN (*v_min, self->target_high - span * 0.3);
}

static void
time_range (const CareTrendChart *self,
            gint64               *t_min,
            gint64               *t_max)
{
  *t_min = G_MAXINT64;
  *t_max = G_MININT64;

  for (guint s = 0; s < CARE_TREND_CHART_N_SERIES; s++)
    if (self->series[s]->len > 0)
      {
        *t_min = MIN (*t_min, g_array_index (self->series[s], Point, 0).time);
        *t_max = MAX (*t_max, g_array_index (self->series[s], Point, self->series[s]->len - 1).time);
      }
}

typedef struct
{
  double step;
  double first;      /* the first grid line, in steps */
  guint  n_ticks;
} Scale;

/* The y range: the values padded a little, widened to whole steps so that grid
 * lines frame the plot, unless that would leave the data a small part of it;
 * then the padded range with the grid lines inside. At most @max_ticks lines. */
static void
choose_scale (double *v_min,
              double *v_max,
              guint   max_ticks,
              Scale  *scale)
{
  double span = *v_max - *v_min;
  double low, high, step, snapped_low = 0, snapped_high = 0;

  if (span < 1e-9)
    span = MAX (fabs (*v_max) * 0.2, 1.0);
  low = *v_min - span * 0.08;
  high = *v_max + span * 0.08;

  step = nice_step ((high - low) / (max_ticks - 1));
  for (guint attempt = 0; attempt < 8; attempt++, step = nice_step (step * 1.01))
    {
      snapped_low = floor (low / step + 1e-9) * step;
      snapped_high = ceil (high / step - 1e-9) * step;
      if (round ((snapped_high - snapped_low) / step) + 1 <= max_ticks)
        break;
    }

  if ((high - low) / (snapped_high - snapped_low) >= 0.6)
    {
      *v_min = snapped_low;
      *v_max = snapped_high;
      scale->step = step;
      scale->first = round (snapped_low / step);
      scale->n_ticks = (guint) round ((snapped_high - snapped_low) / step) + 1;
      return;
    }

  *v_min = low;
  *v_max = high;
  step = nice_step ((high - low) / max_ticks);
  for (guint attempt = 0; attempt < 8; attempt++, step = nice_step (step * 1.01))
    {
      double first = ceil (low / step - 1e-9);
      double last = floor (high / step + 1e-9);

      /* Fewer lines than framed: they no longer mark the plot's edges. */
      if (last - first + 1 <= MAX (max_ticks - 1, 2) || attempt == 7)
        {
          scale->step = step;
          scale->first = first;
          scale->n_ticks = (guint) MAX (0, last - first + 1);
          return;
        }
    }
}

static double
x_of (const Geometry *geometry,
      gint64          time)
{
  double left = geometry->left + POINT_INSET;
  double right = geometry->right - POINT_INSET;

  if (geometry->t_max == geometry->t_min)
    return (left + right) / 2;
  return left + (right - left) * (double) (time - geometry->t_min) /
                                 (double) (geometry->t_max - geometry->t_min);
}

static double
y_of (const Geometry *geometry,
      double          value)
{
  return geometry->bottom - (geometry->bottom - geometry->top) * (value - geometry->v_min) /
                            (geometry->v_max - geometry->v_min);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         width,
             double         height)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

/* The number in bold, the date after the value dimmed. */
static void
emphasize_value (PangoLayout *layout,
                 gsize        number_len,
                 gsize        value_len)
{
  PangoAttrList *attrs = pango_attr_list_copy (pango_layout_get_attributes (layout));
  PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
  PangoAttribute *dim = pango_attr_foreground_alpha_new ((guint16) (0.6 * G_MAXUINT16));

  bold->end_index = number_len;
  dim->start_index = value_len;
  pango_attr_list_insert (attrs, bold);
  pango_attr_list_insert (attrs, dim);
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
}

/* The title at the top left, the last result at the top right. When both do not
 * fit, the title keeps about half the width and the date goes; when even the
 * value is too wide, the text gets a little smaller, and then the title gives
 * way: the number matters most. */
static void
draw_header (CareTrendChart *self,
             GtkSnapshot    *snapshot,
             const Colors   *colors,
             double          width,
             double         *header_height)
{
  static const double scales[] = { 1.0, 0.9 };
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) last = NULL;
  double available = width - 2 * PAD_X;
  double spacing = self->last_label != NULL ? 10 : 0;
  int title_width, title_height, last_width = 0, last_height = 0;

  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      gboolean is_last_try = i + 1 == G_N_ELEMENTS (scales);
      double room;

      g_clear_object (&title);
      g_clear_object (&last);
      title = create_layout (self, title_or_default (self), scales[i], PANGO_WEIGHT_BOLD);
      pango_layout_get_pixel_size (title, &title_width, &title_height);
      if (self->last_label == NULL)
        break;

      last = create_layout (self, self->last_label, scales[i], PANGO_WEIGHT_NORMAL);
      emphasize_value (last, self->last_number_len, self->last_value_len);
      pango_layout_get_pixel_size (last, &last_width, &last_height);
      if (last_width + spacing + MIN (title_width, available * 0.45) <= available)
        break;

      {
        g_autofree char *value = g_strndup (self->last_label, self->last_value_len);

        pango_layout_set_text (last, value, -1);
        pango_layout_get_pixel_size (last, &last_width, NULL);
      }
      room = available - spacing - MIN (title_width, is_last_try ? 40 : available * 0.35);
      if (last_width <= room)
        break;
      if (is_last_try)
        {
          pango_layout_set_width (last, (int) MAX (1, room) * PANGO_SCALE);
          pango_layout_set_ellipsize (last, PANGO_ELLIPSIZE_END);
          pango_layout_get_pixel_size (last, &last_width, NULL);
        }
    }

  pango_layout_set_width (title, (int) MAX (1, available - last_width - spacing) * PANGO_SCALE);
  pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);

  draw_layout (snapshot, title, PAD_X, PAD_TOP, &colors->fg);
  if (last != NULL)
    draw_layout (snapshot, last, width - PAD_X - last_width,
                 PAD_TOP + (title_height - last_height) / 2.0, &colors->fg);

  *header_height = MAX (title_height, last_height);
}

static void
draw_empty (CareTrendChart *self,
            GtkSnapshot    *snapshot,
            const Colors   *colors,
            double          width,
            double          height,
            double          top)
{
  g_autoptr(PangoLayout) layout = create_layout (self, _("No results"), 0.9, PANGO_WEIGHT_NORMAL);
  int text_width, text_height;

  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  draw_layout (snapshot, layout, (width - text_width) / 2,
               top + (height - PAD_BOTTOM - top - text_height) / 2, &colors->faint);
}

/* The first and last dates under the plot, when there is room for both. */
static void
draw_time_axis (CareTrendChart *self,
                GtkSnapshot    *snapshot,
                const Colors   *colors,
                const Geometry *geometry,
                double          y)
{
  g_autoptr(GDateTime) first = g_date_time_new_from_unix_local (geometry->t_min);
  g_autoptr(GDateTime) last = g_date_time_new_from_unix_local (geometry->t_max);
  const char *date_format;
  g_autofree char *first_text = NULL;
  g_autofree char *last_text = NULL;
  g_autoptr(PangoLayout) first_layout = NULL;
  g_autoptr(PangoLayout) last_layout = NULL;
  int first_width, last_width, text_height;

  if (geometry->t_max - geometry->t_min > 300 * 86400)
    /* Translators: a month on the time axis of a small chart, "Mar 2026". */
    date_format = _("%b %Y");
  else
    /* Translators: a day on the time axis of a small chart, "2 Mar". */
    date_format = _("%-d %b");

  first_text = g_date_time_format (first, date_format);
  last_text = g_date_time_format (last, date_format);
  first_layout = create_layout (self, first_text, 0.75, PANGO_WEIGHT_NORMAL);
  last_layout = create_layout (self, last_text, 0.75, PANGO_WEIGHT_NORMAL);
  pango_layout_get_pixel_size (first_layout, &first_width, &text_height);
  pango_layout_get_pixel_size (last_layout, &last_width, NULL);

  if (first_width + last_width + 12 <= geometry->right - geometry->left &&
      g_strcmp0 (first_text, last_text) != 0)
    draw_layout (snapshot, first_layout, geometry->left, y, &colors->dim);
  draw_layout (snapshot, last_layout, geometry->right - last_width, y, &colors->dim);
}

static void
draw_series (CareTrendChart *self,
             cairo_t        *cr,
             const Colors   *colors,
             const Geometry *geometry,
             guint           s)
{
  GArray *points = self->series[s];
  gboolean marks_target = points == main_series (self);
  gboolean sparse;

  if (points->len == 0)
    return;

  gdk_cairo_set_source_rgba (cr, &colors->line[s]);
  if (points->len > 1)
    {
      cairo_set_line_width (cr, LINE_WIDTH);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      for (guint i = 0; i < points->len; i++)
        {
          const Point *point = &g_array_index (points, Point, i);

          cairo_line_to (cr, x_of (geometry, point->time), y_of (geometry, point->value));
        }
      cairo_stroke (cr);
    }

  /* Every result gets a dot while they are far enough apart to tell. */
  sparse = points->len == 1 ||
           (geometry->right - geometry->left - 2 * POINT_INSET) / (points->len - 1) >= 9;

  for (guint i = 0; i < points->len; i++)
    {
      const Point *point = &g_array_index (points, Point, i);
      gboolean outside = marks_target && is_outside_target (self, point->value);
      gboolean is_last = i == points->len - 1;
      gboolean hovered = marks_target && (int) i == self->hover;
      double radius = DOT_RADIUS;
      double x = x_of (geometry, point->time);
      double y = y_of (geometry, point->value);

      if (!sparse && !outside && !is_last && !hovered)
        continue;
      if (is_last || hovered)
        radius += 1.0;
      else if (outside)
        radius += 0.5;

      /* A ring of the card's colour sets the dot off the line. */
      gdk_cairo_set_source_rgba (cr, &colors->surface);
      cairo_arc (cr, x, y, radius + 1.5, 0, 2 * G_PI);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, outside ? &colors->out_of_band : &colors->line[s]);
      cairo_arc (cr, x, y, radius, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
care_trend_chart_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  CareTrendChart *self = CARE_TREND_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  Geometry *geometry = &self->geometry;
  g_autoptr(PangoLayout) probe = NULL;
  Colors colors;
  Scale scale;
  double header_height, plot_top, plot_bottom, band_top, band_bottom;
  int tick_height, axis_height, tick_width = 0;
  guint max_ticks, tick_decimals;
  gboolean show_axis;
  cairo_t *cr;

  geometry->valid = FALSE;
  get_colors (self, &colors);
  draw_header (self, snapshot, &colors, width, &header_height);

  if (main_series (self)->len == 0)
    {
      draw_empty (self, snapshot, &colors, width, height, PAD_TOP + header_height);
      return;
    }

  /* Vertical layout: the header, the plot, the time axis. The top tick's label
   * is centred on the plot's top edge, so the plot starts half a label lower. */
  probe = create_layout (self, "0", 0.75, PANGO_WEIGHT_NORMAL);
  pango_layout_get_pixel_size (probe, NULL, &tick_height);
  axis_height = tick_height;
  plot_top = PAD_TOP + header_height + HEADER_GAP + tick_height / 2.0;
  plot_bottom = height - PAD_BOTTOM - axis_height - AXIS_GAP;
  time_range (self, &geometry->t_min, &geometry->t_max);
  show_axis = geometry->t_max > geometry->t_min && plot_bottom - plot_top >= 32;
  if (!show_axis)
    plot_bottom = height - PAD_BOTTOM - tick_height / 2.0;
  plot_top = round (plot_top);
  plot_bottom = round (plot_bottom);
  if (plot_bottom - plot_top < 8)
    return;

  /* The y scale: grid lines at least 16 px apart. */
  value_range (self, &geometry->v_min, &geometry->v_max);
  max_ticks = CLAMP ((guint) ((plot_bottom - plot_top) / 16) + 1, 2, 5);
  choose_scale (&geometry->v_min, &geometry->v_max, max_ticks, &scale);
  tick_decimals = step_decimals (scale.step);

  /* The plot starts after the widest tick label. */
  for (guint k = 0; k < scale.n_ticks; k++)
    {
      g_autofree char *text = format_number ((scale.first + k) * scale.step, tick_decimals);
      int text_width;

      pango_layout_set_text (probe, text, -1);
      pango_layout_get_pixel_size (probe, &text_width, NULL);
      tick_width = MAX (tick_width, text_width);
    }

  geometry->left = PAD_X + tick_width + TICK_GAP;
  geometry->right = width - PAD_X;
  geometry->top = plot_top;
  geometry->bottom = plot_bottom;
  geometry->valid = TRUE;

  /* The target band, only within the plot. */
  band_top = isfinite (self->target_high) ? round (y_of (geometry, self->target_high)) : geometry->top;
  band_bottom = isfinite (self->target_low) ? round (y_of (geometry, self->target_low)) : geometry->bottom;
  band_top = CLAMP (band_top, geometry->top, geometry->bottom);
  band_bottom = CLAMP (band_bottom, geometry->top, geometry->bottom);
  if (band_bottom > band_top && (isfinite (self->target_low) || isfinite (self->target_high)))
    {
      append_rect (snapshot, &colors.band, geometry->left, band_top,
                   geometry->right - geometry->left, band_bottom - band_top);
      if (isfinite (self->target_high) && band_top > geometry->top)
        append_rect (snapshot, &colors.band_edge, geometry->left, band_top,
                     geometry->right - geometry->left, 1);
      if (isfinite (self->target_low) && band_bottom < geometry->bottom)
        append_rect (snapshot, &colors.band_edge, geometry->left, band_bottom - 1,
                     geometry->right - geometry->left, 1);
    }

  /* Grid lines and their labels. */
  for (guint k = 0; k < scale.n_ticks; k++)
    {
      double tick = (scale.first + k) * scale.step;
      g_autofree char *text = format_number (tick, tick_decimals);
      double y = round (y_of (geometry, tick));
      int text_width;

      append_rect (snapshot, &colors.grid, geometry->left, MIN (y, geometry->bottom - 1),
                   geometry->right - geometry->left, 1);
      pango_layout_set_text (probe, text, -1);
      pango_layout_get_pixel_size (probe, &text_width, NULL);
      draw_layout (snapshot, probe, geometry->left - TICK_GAP - text_width, y - tick_height / 2.0,
                   &colors.dim);
    }

  if (show_axis)
    draw_time_axis (self, snapshot, &colors, geometry, geometry->bottom + AXIS_GAP);

  /* The hovered result: a hairline down the plot. */
  if (self->hover >= 0 && (guint) self->hover < main_series (self)->len)
    {
      const Point *point = &g_array_index (main_series (self), Point, self->hover);

      append_rect (snapshot, &colors.hairline, floor (x_of (geometry, point->time)), geometry->top,
                   1, geometry->bottom - geometry->top);
    }

  /* Lines and dots need paths, which GTK 4.8 only has through cairo. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (geometry->left - 8, geometry->top - 8,
                                                                 geometry->right - geometry->left + 16,
                                                                 geometry->bottom - geometry->top + 16));
  for (guint s = CARE_TREND_CHART_N_SERIES; s > 0; s--)
    if (self->series[s - 1] != main_series (self))
      draw_series (self, cr, &colors, geometry, s - 1);
  draw_series (self, cr, &colors, geometry, main_series (self) == self->series[0] ? 0 : 1);
  cairo_destroy (cr);
}

/* The result of the main series nearest to @x, or -1. */
static int
nearest_point (CareTrendChart *self,
               double          x)
{
  GArray *points = main_series (self);
  double best = G_MAXDOUBLE;
  int nearest = -1;

  if (!self->geometry.valid)
    return -1;

  for (guint i = 0; i < points->len; i++)
    {
      double distance = fabs (x_of (&self->geometry, g_array_index (points, Point, i).time) - x);

      if (distance < best)
        {
          best = distance;
          nearest = (int) i;
        }
    }
  return nearest;
}

static gboolean
in_plot (CareTrendChart *self,
         double          x,
         double          y)
{
  const Geometry *geometry = &self->geometry;

  return geometry->valid && x >= geometry->left - POINT_INSET && x <= geometry->right + POINT_INSET &&
         y >= geometry->top - POINT_INSET && y <= geometry->bottom + POINT_INSET;
}

static gboolean
care_trend_chart_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard_tooltip,
                                GtkTooltip *tooltip)
{
  CareTrendChart *self = CARE_TREND_CHART (widget);
  GArray *points = main_series (self);
  g_autoptr(GString) text = g_string_new (NULL);

  if (points->len == 0)
    return FALSE;

  if (!keyboard_tooltip && in_plot (self, x, y))
    {
      int nearest = nearest_point (self, x);
      const Point *point = &g_array_index (points, Point, nearest);
      g_autofree char *label = format_point_label (self, point, TRUE, NULL);
      double point_x = x_of (&self->geometry, point->time);
      double previous_x = nearest > 0
        ? x_of (&self->geometry, g_array_index (points, Point, nearest - 1).time) : self->geometry.left - POINT_INSET;
      double next_x = (guint) nearest + 1 < points->len
        ? x_of (&self->geometry, g_array_index (points, Point, nearest + 1).time) : self->geometry.right + POINT_INSET;
      double from = (previous_x + point_x) / 2;
      double to = (point_x + next_x) / 2;

      g_string_append (text, label);
      if (isfinite (self->target_high) && point->value > self->target_high)
        g_string_append_printf (text, "\n%s", _("Above target"));
      else if (isfinite (self->target_low) && point->value < self->target_low)
        g_string_append_printf (text, "\n%s", _("Below target"));

      /* The tooltip follows the pointer from one result to the next. */
      gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) {
                                  (int) floor (from), (int) self->geometry.top,
                                  MAX (1, (int) ceil (to - from)),
                                  (int) (self->geometry.bottom - self->geometry.top) });
    }
  else
    {
      g_string_append (text, _("Recent results"));
      for (guint i = points->len; i > 0 && i + MAX_TOOLTIP > points->len; i--)
        {
          g_autofree char *label = format_point_label (self, &g_array_index (points, Point, i - 1),
                                                       FALSE, NULL);

          g_string_append_printf (text, "\n%s", label);
        }
    }

  gtk_tooltip_set_text (tooltip, text->str);
  return TRUE;
}

static void
on_motion_motion_cb (GtkEventControllerMotion *motion,
                     double                    x,
                     double                    y,
                     gpointer                  user_data)
{
  CareTrendChart *self = user_data;
  int hover = in_plot (self, x, y) ? nearest_point (self, x) : -1;

  if (hover != self->hover)
    {
      self->hover = hover;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_motion_leave_cb (GtkEventControllerMotion *motion,
                    gpointer                  user_data)
{
  CareTrendChart *self = user_data;

  if (self->hover != -1)
    {
      self->hover = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
care_trend_chart_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = NAT_WIDTH;
    }
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = NAT_HEIGHT;
    }
}

static void
care_trend_chart_finalize (GObject *object)
{
  CareTrendChart *self = CARE_TREND_CHART (object);

  g_free (self->title);
  g_free (self->unit);
  g_free (self->last_label);
  for (guint s = 0; s < CARE_TREND_CHART_N_SERIES; s++)
    g_array_unref (self->series[s]);

  G_OBJECT_CLASS (care_trend_chart_parent_class)->finalize (object);
}

static void
care_trend_chart_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CareTrendChart *self = CARE_TREND_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_trend_chart_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CareTrendChart *self = CARE_TREND_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      care_trend_chart_set_title (self, g_value_get_string (value));
      break;
    case PROP_UNIT:
      care_trend_chart_set_unit (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_trend_chart_class_init (CareTrendChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = care_trend_chart_finalize;
  object_class->get_property = care_trend_chart_get_property;
  object_class->set_property = care_trend_chart_set_property;

  widget_class->measure = care_trend_chart_measure;
  widget_class->snapshot = care_trend_chart_snapshot;
  widget_class->query_tooltip = care_trend_chart_query_tooltip;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_UNIT] =
    g_param_spec_string ("unit", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "trendchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
care_trend_chart_init (CareTrendChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->target_low = NAN;
  self->target_high = NAN;
  self->hover = -1;
  for (guint s = 0; s < CARE_TREND_CHART_N_SERIES; s++)
    {
      self->series[s] = g_array_new (FALSE, FALSE, sizeof (Point));
      g_array_set_clear_func (self->series[s], point_clear);
    }

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion_motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_motion_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  update_summary (self);
}

CareTrendChart *
care_trend_chart_new (void)
{
  return g_object_new (CARE_TYPE_TREND_CHART, NULL);
}

void
care_trend_chart_set_title (CareTrendChart *self,
                            const char     *title)
{
  g_return_if_fail (CARE_IS_TREND_CHART (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
care_trend_chart_get_title (CareTrendChart *self)
{
  g_return_val_if_fail (CARE_IS_TREND_CHART (self), NULL);

  return self->title;
}

void
care_trend_chart_set_unit (CareTrendChart *self,
                           const char     *unit)
{
  g_return_if_fail (CARE_IS_TREND_CHART (self));

  if (g_strcmp0 (self->unit, unit) == 0)
    return;

  g_free (self->unit);
  self->unit = g_strdup (unit);
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIT]);
}

const char *
care_trend_chart_get_unit (CareTrendChart *self)
{
  g_return_val_if_fail (CARE_IS_TREND_CHART (self), NULL);

  return self->unit;
}

void
care_trend_chart_set_target (CareTrendChart *self,
                             double          low,
                             double          high)
{
  g_return_if_fail (CARE_IS_TREND_CHART (self));
  g_return_if_fail (!(low > high));

  self->target_low = isfinite (low) ? low : NAN;
  self->target_high = isfinite (high) ? high : NAN;
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
care_trend_chart_set_points (CareTrendChart     *self,
                             guint               series,
                             const char * const *dates,
                             const double       *values,
                             guint               n_points)
{
  GArray *points;

  g_return_if_fail (CARE_IS_TREND_CHART (self));
  g_return_if_fail (series < CARE_TREND_CHART_N_SERIES);
  g_return_if_fail (n_points == 0 || (dates != NULL && values != NULL));

  points = self->series[series];
  g_array_set_size (points, 0);

  for (guint i = 0; i < n_points; i++)
    {
      Point point = { 0, };

      if (!isfinite (values[i]))
        continue;
      point.date_time = parse_date (dates[i], &point.has_time);
      if (point.date_time == NULL)
        {
          g_debug ("Result %u of series %u has no valid date; left out", i, series);
          continue;
        }
      point.time = g_date_time_to_unix (point.date_time);
      point.value = values[i];
      point.order = i;
      g_array_append_val (points, point);
    }
  g_array_sort (points, compare_points);

  points_changed (self);
}

void
care_trend_chart_clear (CareTrendChart *self)
{
  g_return_if_fail (CARE_IS_TREND_CHART (self));

  for (guint s = 0; s < CARE_TREND_CHART_N_SERIES; s++)
    g_array_set_size (self->series[s], 0);
  points_changed (self);
}

guint
care_trend_chart_get_n_points (CareTrendChart *self,
                               guint           series)
{
  g_return_val_if_fail (CARE_IS_TREND_CHART (self), 0);
  g_return_val_if_fail (series < CARE_TREND_CHART_N_SERIES, 0);

  return self->series[series]->len;
}

const char *
care_trend_chart_get_last_label (CareTrendChart *self)
{
  g_return_val_if_fail (CARE_IS_TREND_CHART (self), NULL);

  return self->last_label;
}
