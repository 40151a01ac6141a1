/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-trend-chart"

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <stdio.h>

#include "care-trend-chart.h"

/*
 * CareTrendChart: what it keeps and labels, and what it draws, read back from the
 * pixels of an offscreen render in the light and the dark style. The renders are
 * saved as trend-chart-*.png in the build directory, to look at.
 */

static const char * const hba1c_dates[] = {
  "2025-06-01", "2024-03-15", "2026-03-02", "2024-04-20", "2025-11-10",
};
static const double hba1c_values[] = { 7.6, 9.2, 7.4, 8.7, 7.9 };

typedef struct
{
  guint8 *data;
  gsize   stride;
  int     width;
  int     height;
} Pixels;

static void
pixels_free (Pixels *pixels)
{
  g_free (pixels->data);
  g_free (pixels);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pixels, pixels_free)

static void
wait_until_drawn (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  /* A few more rounds for style changes and the first frame. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* With @width and @height, a window that leaves @child that much room. */
static GtkWindow *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_margin_top (box, 16);
  gtk_widget_set_margin_bottom (box, 16);
  gtk_widget_set_margin_start (box, 16);
  gtk_widget_set_margin_end (box, 16);
  gtk_widget_set_halign (child, GTK_ALIGN_START);
  gtk_widget_set_valign (child, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), child);
  gtk_window_set_child (window, box);
  if (width > 0)
    gtk_window_set_default_size (window, width + 32, height + 32);
  gtk_window_present (window);
  wait_until_drawn (child);

  return window;
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color)
{
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color));
}

static void
on_frame_clock_after_paint_cb (GdkFrameClock *clock,
                               gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Draws a frame: a widget's paintable shows what it last drew, and nothing when
 * it changed since. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_clock_after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  g_signal_handler_disconnect (clock, handler);
}

/* @widget drawn over the window's background, as on a page. */
static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GdkRGBA background;

  wait_for_frame (widget);
  paintable = gtk_widget_paintable_new (widget);
  lookup_color (widget, "window_bg_color", &background);
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
save_png (GdkTexture *texture,
          const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

static Pixels *
download (GdkTexture *texture)
{
  Pixels *pixels = g_new0 (Pixels, 1);

  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);

  return pixels;
}

/* The texture is opaque (drawn over the window's background), so premultiplied
 * ARGB32 in native order is plain BGRA here. */
static void
get_pixel (const Pixels *pixels,
           int           x,
           int           y,
           int          *r,
           int          *g,
           int          *b)
{
  const guint8 *p = pixels->data + (gsize) y * pixels->stride + (gsize) x * 4;

  *b = p[0];
  *g = p[1];
  *r = p[2];
}

static gboolean
is_color (const Pixels  *pixels,
          int            x,
          int            y,
          const GdkRGBA *color,
          int            tolerance)
{
  int r, g, b;

  get_pixel (pixels, x, y, &r, &g, &b);
  return abs (r - (int) round (color->red * 255)) <= tolerance &&
         abs (g - (int) round (color->green * 255)) <= tolerance &&
         abs (b - (int) round (color->blue * 255)) <= tolerance;
}

/* The success colour's tint: green above red and blue. */
static gboolean
is_band (const Pixels *pixels,
         int           x,
         int           y)
{
  int r, g, b;

  get_pixel (pixels, x, y, &r, &g, &b);
  return g > r + 6 && g > b + 2;
}

typedef struct
{
  guint  count;
  int    min_x, max_x, min_y, max_y;
  double sum_x, sum_y;
} Area;

static void
area_add (Area *area,
          int   x,
          int   y)
{
  if (area->count == 0)
    {
      area->min_x = area->max_x = x;
      area->min_y = area->max_y = y;
    }
  area->count++;
  area->min_x = MIN (area->min_x, x);
  area->max_x = MAX (area->max_x, x);
  area->min_y = MIN (area->min_y, y);
  area->max_y = MAX (area->max_y, y);
  area->sum_x += x;
  area->sum_y += y;
}

static Area
find_color (const Pixels  *pixels,
            const GdkRGBA *color)
{
  Area area = { 0, };

  for (int y = 0; y < pixels->height; y++)
    for (int x = 0; x < pixels->width; x++)
      if (is_color (pixels, x, y, color, 12))
        area_add (&area, x, y);
  return area;
}

static Area
find_band (const Pixels *pixels)
{
  Area area = { 0, };

  for (int y = 0; y < pixels->height; y++)
    for (int x = 0; x < pixels->width; x++)
      if (is_band (pixels, x, y))
        area_add (&area, x, y);
  return area;
}

static CareTrendChart *
new_hba1c_chart (void)
{
  CareTrendChart *chart = care_trend_chart_new ();

  care_trend_chart_set_title (chart, "HbA1c");
  care_trend_chart_set_unit (chart, "%");
  care_trend_chart_set_target (chart, -INFINITY, 8.0);
  care_trend_chart_set_points (chart, 0, hba1c_dates, hba1c_values, G_N_ELEMENTS (hba1c_values));

  return chart;
}

static void
test_points (void)
{
  g_autoptr(CareTrendChart) chart = g_object_ref_sink (new_hba1c_chart ());
  static const char * const bad_dates[] = { "2026-01-05", "yesterday", "2026-02-30", NULL, "2026-01-06" };
  static const double bad_values[] = { 1.0, 2.0, 3.0, 4.0, NAN };
  static const char * const tied_dates[] = { "2026-01-05", "2026-01-05", "2026-01-04T23:00:00Z" };
  static const double tied_values[] = { 1.5, 2.5, 9.25 };
  static const char * const systolic_dates[] = { "2026-02-01T09:30:00Z", "2026-03-02T10:15:00Z" };
  static const double systolic[] = { 150, 128 };
  static const char * const diastolic_dates[] = { "2026-03-02T10:15:00Z", "2026-02-01T09:30:00Z" };
  static const double diastolic[] = { 82, 95 };

  /* Given unsorted, the latest by date is the last. */
  g_assert_cmpuint (care_trend_chart_get_n_points (chart, 0), ==, 5);
  g_assert_cmpuint (care_trend_chart_get_n_points (chart, 1), ==, 0);
  g_assert_cmpstr (care_trend_chart_get_last_label (chart), ==, "7.4 % · 2 Mar 2026");

  /* Bad dates and values are left out. */
  care_trend_chart_set_points (chart, 0, bad_dates, bad_values, G_N_ELEMENTS (bad_values));
  g_assert_cmpuint (care_trend_chart_get_n_points (chart, 0), ==, 1);
  g_assert_cmpstr (care_trend_chart_get_last_label (chart), ==, "1 % · 5 Jan 2026");

  /* Equal times keep their order; all values show as many decimals as the most
   * precise one needs. */
  care_trend_chart_set_points (chart, 0, tied_dates, tied_values, G_N_ELEMENTS (tied_values));
  g_assert_cmpstr (care_trend_chart_get_last_label (chart), ==, "2.50 % · 5 Jan 2026");

  /* Blood pressure: the second series at the same time joins the label. */
  care_trend_chart_set_title (chart, "Blood pressure");
  care_trend_chart_set_unit (chart, "mmHg");
  care_trend_chart_set_points (chart, 0, systolic_dates, systolic, G_N_ELEMENTS (systolic));
  care_trend_chart_set_points (chart, 1, diastolic_dates, diastolic, G_N_ELEMENTS (diastolic));
  g_assert_cmpuint (care_trend_chart_get_n_points (chart, 1), ==, 2);
  g_assert_cmpstr (care_trend_chart_get_last_label (chart), ==, "128/82 mmHg · 2 Mar 2026");
  g_assert_cmpstr (care_trend_chart_get_title (chart), ==, "Blood pressure");

  care_trend_chart_clear (chart);
  g_assert_cmpuint (care_trend_chart_get_n_points (chart, 0), ==, 0);
  g_assert_cmpuint (care_trend_chart_get_n_points (chart, 1), ==, 0);
  g_assert_null (care_trend_chart_get_last_label (chart));
}

static void
test_size (void)
{
  g_autoptr(CareTrendChart) chart = g_object_ref_sink (care_trend_chart_new ());
  int minimum, natural;

  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 180);
  g_assert_cmpint (natural, ==, 260);
  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 100);
  g_assert_cmpint (natural, ==, 120);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (chart)), ==, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Reads the HbA1c chart back from its pixels. */
static void
check_render (gboolean dark)
{
  CareTrendChart *chart = new_hba1c_chart ();
  GtkWindow *window;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) bare_texture = NULL;
  g_autoptr(Pixels) pixels = NULL;
  g_autoptr(Pixels) bare = NULL;
  GdkRGBA accent, error, card;
  Area line, out, band, bare_band;
  int r, g, b;

  set_dark (dark);
  g_object_ref (chart);
  window = show_in_window (GTK_WIDGET (chart), 0, 0);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (chart)), ==, 260);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (chart)), ==, 120);
  g_assert_cmpint (adw_style_manager_get_dark (adw_style_manager_get_default ()), ==, dark);

  texture = render (GTK_WIDGET (chart));
  save_png (texture, dark ? "trend-chart-dark.png" : "trend-chart-light.png");
  pixels = download (texture);
  g_assert_cmpint (pixels->width, ==, 260);

  lookup_color (GTK_WIDGET (chart), "accent_color", &accent);
  lookup_color (GTK_WIDGET (chart), "error_color", &error);
  lookup_color (GTK_WIDGET (chart), "card_bg_color", &card);

  /* The card's background, in its padding: no tint, dark in the dark style. */
  g_assert_false (is_band (pixels, 4, 60));
  get_pixel (pixels, 4, 60, &r, &g, &b);
  if (dark)
    g_assert_cmpint (r + g + b, <, 3 * 100);
  else
    g_assert_cmpint (r + g + b, >, 3 * 230);

  /* The line, in the accent colour, across the plot: the first result at the
   * left, the last at the right. */
  line = find_color (pixels, &accent);
  g_assert_cmpuint (line.count, >, 80);
  g_assert_cmpint (line.min_x, <, 70);
  g_assert_cmpint (line.max_x, >, 235);

  /* The band: below 8 %, so it reaches the plot's bottom, and the two results
   * above 8 % are marked in the error colour above it. */
  band = find_band (pixels);
  g_assert_cmpuint (band.count, >, 2000);
  g_assert_cmpint (band.min_x, >=, line.min_x - 10);
  g_assert_cmpint (band.max_x, <=, 260 - 10);
  out = find_color (pixels, &error);
  g_assert_cmpuint (out.count, >, 10);
  g_assert_cmpint (out.max_y, <, band.min_y);
  g_assert_cmpint (line.max_y, >, band.min_y);

  /* Time, not order: both marked results are from spring 2024, close together
   * at the left, where spacing by order would put the second a quarter in. */
  g_assert_cmpint (out.max_x, <, line.min_x + (line.max_x - line.min_x) * 0.12);

  /* Without a target there is no band, and nothing is marked. */
  care_trend_chart_set_target (chart, NAN, NAN);
  bare_texture = render (GTK_WIDGET (chart));
  bare = download (bare_texture);
  bare_band = find_band (bare);
  g_assert_cmpuint (find_color (bare, &accent).count, >, 80);
  g_assert_cmpuint (bare_band.count, <, band.count / 20);
  g_assert_cmpuint (find_color (bare, &error).count, ==, 0);

  gtk_window_destroy (window);
  g_assert_finalize_object (chart);
  set_dark (FALSE);
}

static void
test_render_light (void)
{
  check_render (FALSE);
}

static void
test_render_dark (void)
{
  check_render (TRUE);
}

static void
test_render_empty (void)
{
  CareTrendChart *chart = g_object_ref (care_trend_chart_new ());
  GtkWindow *window;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) pixels = NULL;
  GdkRGBA accent;
  guint text = 0;
  int r0, g0, b0;

  care_trend_chart_set_title (chart, "LDL");
  window = show_in_window (GTK_WIDGET (chart), 0, 0);
  texture = render (GTK_WIDGET (chart));
  pixels = download (texture);
  lookup_color (GTK_WIDGET (chart), "accent_color", &accent);

  g_assert_cmpuint (find_color (pixels, &accent).count, ==, 0);
  g_assert_cmpuint (find_band (pixels).count, ==, 0);

  /* "No results" in the middle. */
  get_pixel (pixels, 4, 60, &r0, &g0, &b0);
  for (int y = 50; y < 90; y++)
    for (int x = 80; x < 180; x++)
      {
        int r, g, b;

        get_pixel (pixels, x, y, &r, &g, &b);
        text += abs (r - r0) + abs (g - g0) + abs (b - b0) > 60;
      }
  g_assert_cmpuint (text, >, 40);

  gtk_window_destroy (window);
  g_assert_finalize_object (chart);
}

static GtkWidget *
gallery_chart (const char         *title,
               const char         *unit,
               double              low,
               double              high,
               const char * const *dates,
               const double       *values,
               const double       *second,
               guint               n_points)
{
  CareTrendChart *chart = care_trend_chart_new ();

  care_trend_chart_set_title (chart, title);
  care_trend_chart_set_unit (chart, unit);
  care_trend_chart_set_target (chart, low, high);
  care_trend_chart_set_points (chart, 0, dates, values, n_points);
  if (second != NULL)
    care_trend_chart_set_points (chart, 1, dates, second, n_points);

  return GTK_WIDGET (chart);
}

/* Moves the pointer over @widget as far as its motion controller can tell. */
static void
hover (GtkWidget *widget,
       double     x,
       double     y)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        {
          g_signal_emit_by_name (controller, "motion", x, y);
          found = TRUE;
        }
    }
  g_assert_true (found);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* The dashboard's cards side by side, and one at its minimum size, to look at. */
static void
render_gallery (gboolean dark)
{
  static const char * const bp_dates[] = {
    "2025-04-02T09:00:00Z", "2025-05-14T10:30:00Z", "2025-07-01T08:45:00Z", "2025-08-20T09:10:00Z",
    "2025-10-08T11:00:00Z", "2025-12-03T09:20:00Z", "2026-01-21T10:05:00Z", "2026-03-02T10:15:00Z",
  };
  static const double systolic[] = { 152, 146, 141, 138, 144, 134, 131, 128 };
  static const double diastolic[] = { 94, 91, 88, 86, 90, 84, 83, 82 };
  static const char * const egfr_dates[] = { "2026-01-12" };
  static const double egfr[] = { 58 };
  static const char * const uacr_dates[] = { "2025-02-01", "2025-08-01", "2026-02-01" };
  static const double uacr[] = { 4.1, 3.2, 2.6 };
  g_autoptr(GPtrArray) weight_dates = g_ptr_array_new_with_free_func (g_free);
  double weight[40];
  GtkWidget *flow = gtk_flow_box_new ();
  GtkWindow *window;
  g_autoptr(GdkTexture) texture = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (weight); i++)
    {
      g_autoptr(GDateTime) day = g_date_time_new_utc (2025, 3, 1, 0, 0, 0);
      g_autoptr(GDateTime) later = g_date_time_add_days (day, (int) (i * 9 + (i % 3) * 2));

      g_ptr_array_add (weight_dates, g_date_time_format (later, "%Y-%m-%d"));
      weight[i] = 92.0 - i * 0.18 + sin (i * 0.9) * 0.8;
    }

  set_dark (dark);
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), gallery_chart ("HbA1c", "%", -INFINITY, 8, hba1c_dates,
                                                           hba1c_values, NULL, G_N_ELEMENTS (hba1c_values)));
  gtk_flow_box_append (GTK_FLOW_BOX (flow), gallery_chart ("Blood pressure", "mmHg", NAN, 140, bp_dates,
                                                           systolic, diastolic, G_N_ELEMENTS (systolic)));
  gtk_flow_box_append (GTK_FLOW_BOX (flow), gallery_chart ("eGFR", "mL/min", 60, INFINITY, egfr_dates,
                                                           egfr, NULL, G_N_ELEMENTS (egfr)));
  gtk_flow_box_append (GTK_FLOW_BOX (flow), gallery_chart ("Weight", "kg", NAN, NAN,
                                                           (const char * const *) weight_dates->pdata,
                                                           weight, NULL, G_N_ELEMENTS (weight)));
  gtk_flow_box_append (GTK_FLOW_BOX (flow), gallery_chart ("Urine albumin/creatinine ratio", "mg/mmol",
                                                           NAN, 3, uacr_dates, uacr, NULL,
                                                           G_N_ELEMENTS (uacr)));
  gtk_flow_box_append (GTK_FLOW_BOX (flow), gallery_chart ("LDL cholesterol", "mmol/L", NAN, 2.6,
                                                           NULL, NULL, NULL, 0));
  window = show_in_window (flow, 0, 0);
  /* The pointer over the weight chart, to see the hover mark. */
  hover (gtk_flow_box_child_get_child (gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), 3)), 150, 70);
  texture = render (flow);
  save_png (texture, dark ? "trend-chart-gallery-dark.png" : "trend-chart-gallery-light.png");

  gtk_window_destroy (window);
}

static void
render_small (gboolean dark)
{
  static const char * const dates[] = {
    "2025-04-02T09:00:00Z", "2025-05-14T10:30:00Z", "2025-07-01T08:45:00Z", "2025-08-20T09:10:00Z",
    "2026-03-02T10:15:00Z",
  };
  static const double systolic[] = { 152, 146, 141, 138, 128 };
  static const double diastolic[] = { 94, 91, 88, 86, 82 };
  GtkWidget *chart = gallery_chart ("Blood pressure", "mmHg", NAN, 140, dates, systolic, diastolic,
                                    G_N_ELEMENTS (systolic));
  GtkWindow *window;
  g_autoptr(GdkTexture) texture = NULL;

  set_dark (dark);
  window = show_in_window (chart, 180, 100);
  g_assert_cmpint (gtk_widget_get_width (chart), ==, 180);
  g_assert_cmpint (gtk_widget_get_height (chart), ==, 100);
  texture = render (chart);
  save_png (texture, dark ? "trend-chart-small-dark.png" : "trend-chart-small-light.png");
  gtk_window_destroy (window);
}

static void
test_gallery (void)
{
  render_gallery (FALSE);
  render_gallery (TRUE);
  render_small (FALSE);
  render_small (TRUE);
  set_dark (FALSE);
}

int
main (int    argc,
      char **argv)
{
  /* Dates in the labels do not depend on where the test runs. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/trend-chart/points", test_points);
  g_test_add_func ("/trend-chart/size", test_size);
  g_test_add_func ("/trend-chart/render-light", test_render_light);
  g_test_add_func ("/trend-chart/render-dark", test_render_dark);
  g_test_add_func ("/trend-chart/render-empty", test_render_empty);
  g_test_add_func ("/trend-chart/gallery", test_gallery);

  return g_test_run ();
}
