/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-plan-print"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#include "care-catalog.h"
#include "care-plan-print.h"
#include "care-text.h"

/*
 * The printout is a list of blocks (the title, the patient, the plan's box,
 * section headings, one block per goal, task, need, ...), built once in the
 * patient's language when the CarePlanPrint is made. Pagination lays each block
 * out with Pango for the page's width and places it below the previous one:
 * a block moves whole to the next page when it does not fit (a heading takes
 * the first block of its section with it); only a block taller than a page (a
 * long "what matters to me") is split, and then between lines. Drawing a page
 * replays its placements line by line, so no line is ever cut.
 *
 * Translation: the fixed texts are marked with NC_() for xgettext, each with
 * a context (so they never clash with the app's own texts, and translators
 * know they are read by patients), and translated with tr()/trc(), which read
 * the catalog of the printout's language (care-catalog.h), not the process's:
 * a clinic whose desktop is in English prints in Spanish for a
 * Spanish-speaking patient, from any thread. glibc's uselocale() + dgettext()
 * would need that locale installed (a minimal Debian has only C.UTF-8) and is
 * overridden by the LANGUAGE variable that desktops set; switching LANGUAGE
 * itself is not thread-safe (docs/decisions.md, 25). Messages for the person
 * at the computer (errors) use _() as usual.
 */

#define LETTER_WIDTH  612.0
#define LETTER_HEIGHT 792.0

/* The contexts of the short texts, which other files use with other meanings
 * ("Nurse" the discipline, "Nurse" the role). xgettext reads only literals, so
 * each NC_() spells its context out: keep them equal to these. */
#define CTX_MONTH    "month name"
#define CTX_MEASURE  "goal measure"
#define CTX_WHO      "who does it"
#define CTX_ROLE     "care team role"
#define CTX_NEED     "social need"
#define CTX_GOAL     "goal progress"
#define CTX_REFERRAL "referral status"
/* Every other text of the printout: tr() */
#define CTX_PRINTOUT "patient printout"

typedef enum
{
  BLOCK_TITLE,
  BLOCK_NAME,
  BLOCK_FACTS,
  BLOCK_PLAN,
  BLOCK_HEADING,
  BLOCK_PARAGRAPH,
  BLOCK_ITEM,
  BLOCK_EMPTY,
} BlockKind;

typedef struct
{
  const char *font;
  double      space_before;  /* above, unless first on its page */
  double      indent;        /* from the left margin */
  double      padding;       /* around the text: the plan's box */
  double      space_after;   /* inside the block, under the text: the rules */
  double      line_spacing;  /* a factor of the font's height; 0: the font's */
  guint32     color;         /* 0xRRGGBB */
} BlockStyle;

static const BlockStyle block_styles[] = {
  [BLOCK_TITLE]     = { "Sans Bold 24",   0, 0,  0, 10, 0,   0x1b5e75 },
  [BLOCK_NAME]      = { "Sans Bold 17",   8, 0,  0,  0, 0,   0x1a1a1a },
  [BLOCK_FACTS]     = { "Sans 11.5",      4, 0,  0,  0, 1.3, 0x333333 },
  [BLOCK_PLAN]      = { "Sans 12",       14, 0, 12,  0, 1.3, 0x1a1a1a },
  [BLOCK_HEADING]   = { "Sans Bold 15",  22, 0,  0,  7, 0,   0x1b5e75 },
  [BLOCK_PARAGRAPH] = { "Sans 12",       10, 0,  0,  0, 1.3, 0x1a1a1a },
  [BLOCK_ITEM]      = { "Sans 12",       10, 18, 0,  0, 1.25, 0x1a1a1a },
  [BLOCK_EMPTY]     = { "Sans Italic 12", 10, 0, 0,  0, 0,   0x555555 },
};

#define ACCENT_LIGHT 0xa9c7d2
#define BOX_FILL     0xedf4f6
#define DETAIL_COLOR "#3b474d"

typedef struct
{
  double top;       /* from the block's top */
  double bottom;
  double baseline;
  double x;         /* from the left margin */
} LineBox;

typedef struct _Block Block;
struct _Block
{
  BlockKind    kind;
  char        *markup;
  PangoLayout *layout;     /* of the last pagination */
  GArray      *lines;      /* LineBox */
  double       height;     /* padding and space_after included */
  Block       *heading;    /* the heading of its section, or NULL */
  Block       *continued;  /* a heading's: repeated on the next page */
};

typedef struct
{
  Block *block;
  guint  first_line;
  guint  n_lines;
  double y;             /* the block's top on the page (above the page when continued) */
} Placement;

struct _CarePlanPrint
{
  CareChart    *chart;
  CareCatalog  *catalog;
  CareRecord   *plan;          /* borrowed from the chart */
  GPtrArray    *blocks;        /* Block */
  char         *running_head;  /* on pages after the first */
  char         *footer;        /* "Questions? Call ..." or NULL */

  /* The last pagination */
  PangoContext *context;
  PangoLayout  *bullet;
  PangoLayout  *head_layout;
  PangoLayout  *footer_layout;
  double        width;
  double        height;
  double        margin;        /* left and right */
  double        first_top;     /* where the content starts on page 1 */
  double        top;           /* ... and on the others */
  double        bottom;        /* where it ends */
  double        footer_top;
  double        continued_height;  /* the tallest repeated heading, and its gap */
  GPtrArray    *pages;         /* GArray of Placement, one per page */
};

G_DEFINE_QUARK (care-plan-print-error-quark, care_plan_print_error)

static const char *tr  (CarePlanPrint *self,
                        const char    *msgid) G_GNUC_FORMAT (2);
static const char *trc (CarePlanPrint *self,
                        const char    *context,
                        const char    *msgid) G_GNUC_FORMAT (3);

/* A fixed text of the printout (marked NC_("patient printout", ...)) in the
 * printout's language. */
static const char *
tr (CarePlanPrint *self,
    const char    *msgid)
{
  return care_catalog_pgettext (self->catalog, CTX_PRINTOUT, msgid);
}

static const char *
trc (CarePlanPrint *self,
     const char    *context,
     const char    *msgid)
{
  return care_catalog_pgettext (self->catalog, context, msgid);
}

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->markup);
  g_clear_object (&block->layout);
  g_array_unref (block->lines);
  g_clear_pointer (&block->continued, block_free);
  g_free (block);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text ? text : ""; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/* @value when it holds more than blanks, else NULL. */
static const char *
field (CareRecord *record,
       const char *column)
{
  const char *value = care_record_get (record, column);

  return is_blank (value) ? NULL : value;
}

static const char *
field_or (CareRecord *record,
          const char *column,
          const char *fallback)
{
  const char *value = field (record, column);

  return value ? value : fallback;
}

static gboolean
field_is_one_of (CareRecord         *record,
                 const char         *column,
                 const char * const *values)
{
  const char *value = care_record_get (record, column);

  return value != NULL && g_strv_contains (values, value);
}

/* Texts ------------------------------------------------------------------- */

/* "March 3, 2026" in the printout's language, from "2026-03-03" (or the start
 * of an ISO time); the text itself when it is not a date; NULL for NULL. */
static char *
format_date (CarePlanPrint *self,
             const char    *iso)
{
  static const char * const months[] = {
    NC_("month name", "January"), NC_("month name", "February"), NC_("month name", "March"),
    NC_("month name", "April"), NC_("month name", "May"), NC_("month name", "June"),
    NC_("month name", "July"), NC_("month name", "August"), NC_("month name", "September"),
    NC_("month name", "October"), NC_("month name", "November"), NC_("month name", "December"),
  };
  int year, month, day;

  if (is_blank (iso))
    return NULL;

  if (strlen (iso) < 10 || iso[4] != '-' || iso[7] != '-' ||
      !g_ascii_isdigit (iso[0]) || !g_ascii_isdigit (iso[1]) || !g_ascii_isdigit (iso[2]) ||
      !g_ascii_isdigit (iso[3]) || !g_ascii_isdigit (iso[5]) || !g_ascii_isdigit (iso[6]) ||
      !g_ascii_isdigit (iso[8]) || !g_ascii_isdigit (iso[9]))
    return g_strdup (iso);

  year = atoi (iso);
  month = atoi (iso + 5);
  day = atoi (iso + 8);
  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return g_strdup (iso);

  /* Translators: a date in the patient's printout: %1$d is the day, %2$s the
   * month's name, %3$d the year ("March 3, 2026"). Reorder them as your
   * language writes dates, e.g. "%1$d de %2$s de %3$d". */
  return g_strdup_printf (tr (self, NC_("patient printout", "%2$s %1$d, %3$d")), day,
                          trc (self, CTX_MONTH, months[month - 1]), year);
}

/* "8", "7.5", "140 mmHg", "8 %". */
static char *
format_amount (double      value,
               const char *unit)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%.6g", value);
  if (is_blank (unit))
    return g_strdup (number);

  return g_strdup_printf ("%s %s", number, unit);
}

/* The patient's words for what a goal measures, by LOINC code. */
static const char *
measure_name (CarePlanPrint *self,
              const char    *loinc)
{
  static const struct
  {
    const char *loinc;
    const char *name;
  } measures[] = {
    { "4548-4", NC_("goal measure", "HbA1c") },
    { "17856-6", NC_("goal measure", "HbA1c") },
    { "8480-6", NC_("goal measure", "Blood pressure (top number)") },
    { "8462-4", NC_("goal measure", "Blood pressure (bottom number)") },
    { "29463-7", NC_("goal measure", "Weight") },
    { "39156-5", NC_("goal measure", "Body mass index (BMI)") },
    { "2339-0", NC_("goal measure", "Blood sugar") },
    { "2093-3", NC_("goal measure", "Total cholesterol") },
    { "18262-6", NC_("goal measure", "LDL (“bad”) cholesterol") },
    { "13457-7", NC_("goal measure", "LDL (“bad”) cholesterol") },
    { "2085-9", NC_("goal measure", "HDL (“good”) cholesterol") },
    { "2571-8", NC_("goal measure", "Triglycerides") },
    { "33914-3", NC_("goal measure", "Kidney function (eGFR)") },
    { "62238-1", NC_("goal measure", "Kidney function (eGFR)") },
    { "98979-8", NC_("goal measure", "Kidney function (eGFR)") },
    { "14959-1", NC_("goal measure", "Protein in the urine") },
    { "44261-6", NC_("goal measure", "Depression score (PHQ-9)") },
    { "55758-7", NC_("goal measure", "Depression score (PHQ-2)") },
    { "70274-6", NC_("goal measure", "Anxiety score (GAD-7)") },
  };

  if (loinc == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (measures); i++)
    if (g_str_equal (measures[i].loinc, loinc))
      return trc (self, CTX_MEASURE, measures[i].name);

  /* A test we have no words for: as the results name it. */
  for (guint i = 0; i < self->chart->observations->len; i++)
    {
      CareRecord *observation = g_ptr_array_index (self->chart->observations, i);

      if (g_strcmp0 (care_record_get (observation, "loinc"), loinc) == 0 && field (observation, "display"))
        return care_record_get (observation, "display");
    }

  return NULL;
}

/* "HbA1c below 8 %", from the goal's measure and target range; NULL without one. */
static char *
goal_target (CarePlanPrint *self,
             CareRecord    *goal)
{
  const char *measure = measure_name (self, field (goal, "measure_loinc"));
  g_autofree char *unit = care_text_display_unit (field (goal, "target_unit"));
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;

  if (field (goal, "target_low"))
    low = format_amount (care_record_get_double (goal, "target_low"), unit);
  if (field (goal, "target_high"))
    high = format_amount (care_record_get_double (goal, "target_high"), unit);

  if (low != NULL && high != NULL)
    return measure ? g_strdup_printf (tr (self, NC_("patient printout", "%s between %s and %s")),
                                      measure, low, high)
                   : g_strdup_printf (tr (self, NC_("patient printout", "Between %s and %s")), low, high);
  if (high != NULL)
    return measure ? g_strdup_printf (tr (self, NC_("patient printout", "%s below %s")), measure, high)
                   : g_strdup_printf (tr (self, NC_("patient printout", "Below %s")), high);
  if (low != NULL)
    return measure ? g_strdup_printf (tr (self, NC_("patient printout", "%s at or above %s")),
                                      measure, low)
                   : g_strdup_printf (tr (self, NC_("patient printout", "At or above %s")), low);

  return NULL;
}

/* Lower case, letters, digits and signs only: "HbA1c below 8%" and "HbA1c
 * below 8 %" say the same. */
static char *
squeeze (const char *text)
{
  g_autofree char *folded = care_text_fold (text);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

static const char *
goal_progress (CarePlanPrint *self,
               CareRecord    *goal)
{
  static const struct
  {
    const char *code;
    const char *text;
  } progress[] = {
    { "in-progress", NC_("goal progress", "Working on it") },
    { "improving", NC_("goal progress", "Getting better") },
    { "worsening", NC_("goal progress", "Needs more work") },
    { "no-change", NC_("goal progress", "No change yet") },
    { "achieved", NC_("goal progress", "Reached") },
    { "sustaining", NC_("goal progress", "Keeping it up") },
    { "not-achieved", NC_("goal progress", "Not reached yet") },
    { "no-progress", NC_("goal progress", "No progress yet") },
    { "not-attainable", NC_("goal progress", "Out of reach for now") },
  };
  const char *achievement = care_record_get (goal, "achievement_status");
  const char *lifecycle = care_record_get (goal, "lifecycle_status");

  if (g_strcmp0 (lifecycle, "on-hold") == 0)
    return trc (self, CTX_GOAL, NC_("goal progress", "On hold for now"));

  for (guint i = 0; i < G_N_ELEMENTS (progress); i++)
    if (g_strcmp0 (achievement, progress[i].code) == 0)
      return trc (self, CTX_GOAL, progress[i].text);

  if (g_strcmp0 (lifecycle, "active") != 0)
    return trc (self, CTX_GOAL, NC_("goal progress", "Starting soon"));

  return trc (self, CTX_GOAL, NC_("goal progress", "Working on it"));
}

static const char *
discipline_name (CarePlanPrint *self,
                 const char    *discipline)
{
  static const struct
  {
    const char *code;
    const char *name;
  } names[] = {
    { "physician", NC_("who does it", "Your doctor") },
    { "nurse-practitioner", NC_("who does it", "Your nurse practitioner") },
    { "nurse", NC_("who does it", "Your nurse") },
    { "pharmacist", NC_("who does it", "Your pharmacist") },
    { "behavioral-health", NC_("who does it", "Your counselor") },
    { "social-worker", NC_("who does it", "Your social worker") },
    { "care-coordinator", NC_("who does it", "Your care coordinator") },
    { "front-desk", NC_("who does it", "The front desk") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].code, discipline) == 0)
      return trc (self, CTX_WHO, names[i].name);

  return is_blank (discipline) ? NULL : discipline;
}

/* A care-team role as the patient reads it; roles typed by hand stay as typed. */
static const char *
role_name (CarePlanPrint *self,
           const char    *role)
{
  static const struct
  {
    const char *role;
    const char *name;
  } names[] = {
    { "primary care provider", NC_("care team role", "Primary care provider") },
    { "nurse", NC_("care team role", "Nurse") },
    { "behavioral health clinician", NC_("care team role", "Counselor") },
    { "care coordinator", NC_("care team role", "Care coordinator") },
    { "clinical pharmacist", NC_("care team role", "Pharmacist") },
    { "pharmacist", NC_("care team role", "Pharmacist") },
    { "social worker", NC_("care team role", "Social worker") },
  };
  g_autofree char *folded = NULL;

  if (is_blank (role))
    return NULL;

  folded = care_text_fold (role);
  g_strstrip (folded);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].role, folded))
      return trc (self, CTX_ROLE, names[i].name);

  return role;
}

static const char *
need_name (CarePlanPrint *self,
           const char    *category)
{
  static const struct
  {
    const char *code;
    const char *name;
  } names[] = {
    { "transport", NC_("social need", "Getting to appointments") },
    { "language", NC_("social need", "Language and interpreters") },
    { "housing", NC_("social need", "Housing") },
    { "food", NC_("social need", "Food") },
    { "cost", NC_("social need", "Paying for care") },
    { "other", NC_("social need", "Other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].code, category) == 0)
      return trc (self, CTX_NEED, names[i].name);

  return is_blank (category) ? trc (self, CTX_NEED, NC_("social need", "Other")) : category;
}

static const char *
referral_status (CarePlanPrint *self,
                 CareRecord    *referral)
{
  if (g_strcmp0 (care_record_get (referral, "status"), "on-hold") == 0)
    return trc (self, CTX_REFERRAL, NC_("referral status", "On hold"));

  return trc (self, CTX_REFERRAL, NC_("referral status", "Sent, waiting to hear back"));
}

/* Blocks ------------------------------------------------------------------ */

/* @text as markup: valid UTF-8, no control characters (a record's text came
 * from anywhere, and Pango refuses markup that holds them), escaped. */
static char *
escape (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);

  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 && *p != '\n')
      *p = ' ';

  return g_markup_escape_text (valid, -1);
}

static Block *
block_new (BlockKind  kind,
           char      *markup)
{
  Block *block = g_new0 (Block, 1);

  block->kind = kind;
  block->markup = markup;
  block->lines = g_array_new (FALSE, TRUE, sizeof (LineBox));
  return block;
}

static Block *
add_block (CarePlanPrint *self,
           BlockKind      kind,
           char          *markup)
{
  Block *block = block_new (kind, markup);
  Block *previous = self->blocks->len > 0 ? g_ptr_array_index (self->blocks, self->blocks->len - 1) : NULL;

  /* The blocks of a section, after its heading. */
  if (previous != NULL && (kind == BLOCK_PARAGRAPH || kind == BLOCK_ITEM || kind == BLOCK_EMPTY))
    block->heading = previous->kind == BLOCK_HEADING ? previous : previous->heading;

  g_ptr_array_add (self->blocks, block);
  return block;
}

static void
add_text (CarePlanPrint *self,
          BlockKind      kind,
          const char    *text)
{
  Block *block = add_block (self, kind, escape (text));

  if (kind == BLOCK_HEADING)
    {
      /* Translators: a section's heading again at the top of the next page */
      g_autofree char *continued = g_strdup_printf (tr (self, NC_("patient printout", "%s (continued)")),
                                                    text);

      block->continued = block_new (BLOCK_HEADING, escape (continued));
    }
}

/* "a  ·  b"; either may be NULL; NULL when both are. */
static char *
join_details (const char *a,
              const char *b)
{
  if (a && b)
    return g_strdup_printf ("%s  ·  %s", a, b);

  return g_strdup (a ? a : b);
}

/* One entry of a list: @title in bold, and under it up to two lines of details
 * in plain text (NULL: none). */
static void
add_item (CarePlanPrint *self,
          const char    *title,
          const char    *details1,
          const char    *details2)
{
  GString *markup = g_string_new (NULL);
  const char *details[] = { details1, details2 };
  char *escaped;

  escaped = escape (title);
  g_string_append_printf (markup, "<b>%s</b>", escaped);
  g_free (escaped);

  for (guint i = 0; i < G_N_ELEMENTS (details); i++)
    {
      if (details[i] == NULL)
        continue;
      escaped = escape (details[i]);
      g_string_append_printf (markup, "\n<span size=\"%d\" foreground=\"%s\">%s</span>",
                              (int) (11 * PANGO_SCALE), DETAIL_COLOR, escaped);
      g_free (escaped);
    }

  add_block (self, BLOCK_ITEM, g_string_free (markup, FALSE));
}

/* The plan to print: active, not replaced by another active version, the newest
 * by start then creation. */
static CareRecord *
find_active_plan (CareChart *chart)
{
  g_autoptr(GHashTable) replaced = g_hash_table_new (g_str_hash, g_str_equal);
  CareRecord *best = NULL;

  for (guint i = 0; i < chart->care_plans->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (chart->care_plans, i);

      if (g_strcmp0 (care_record_get (plan, "status"), "active") == 0 && field (plan, "replaces_id"))
        g_hash_table_add (replaced, (gpointer) care_record_get (plan, "replaces_id"));
    }

  for (guint i = 0; i < chart->care_plans->len; i++)
    {
      CareRecord *plan = g_ptr_array_index (chart->care_plans, i);
      int order;

      if (g_strcmp0 (care_record_get (plan, "status"), "active") != 0 ||
          g_hash_table_contains (replaced, care_record_get_id (plan)))
        continue;

      if (best == NULL)
        {
          best = plan;
          continue;
        }
      order = g_strcmp0 (care_record_get (plan, "period_start"), care_record_get (best, "period_start"));
      if (order == 0)
        {
          double a = care_record_get_double (plan, "created_at");
          double b = care_record_get_double (best, "created_at");

          order = a < b ? -1 : a > b ? 1 : 0;
        }
      if (order == 0)
        order = g_strcmp0 (care_record_get_id (plan), care_record_get_id (best));
      if (order > 0)
        best = plan;
    }

  return best;
}

/* Whether @record belongs on the printout of @plan: it names the plan, or no
 * plan at all (the patient's own). */
static gboolean
in_plan (CareRecord *record,
         CareRecord *plan)
{
  const char *plan_id = field (record, "care_plan_id");

  return plan_id == NULL || g_str_equal (plan_id, care_record_get_id (plan));
}

/* Tasks are not copied into a plan's new version: those of earlier versions count. */
static GHashTable *
plan_versions (CareChart  *chart,
               CareRecord *plan)
{
  GHashTable *ids = g_hash_table_new (g_str_hash, g_str_equal);
  const char *id = care_record_get_id (plan);

  while (id != NULL && !g_hash_table_contains (ids, id))
    {
      CareRecord *version = care_chart_find (chart, "care_plans", id);

      g_hash_table_add (ids, (gpointer) id);
      id = version ? field (version, "replaces_id") : NULL;
    }

  return ids;
}

static gint
compare_due_dates (gconstpointer a,
                   gconstpointer b)
{
  const char *da = care_record_get (*(CareRecord * const *) a, "due_date");
  const char *db = care_record_get (*(CareRecord * const *) b, "due_date");

  /* Those with a date first, soonest first. */
  if (is_blank (da) || is_blank (db))
    return is_blank (da) - is_blank (db);
  return strcmp (da, db);
}

static void
build_header (CarePlanPrint *self)
{
  CareChart *chart = self->chart;
  CareRecord *patient = chart->patient;
  CareRecord *clinic = NULL;
  g_autoptr(GString) name = g_string_new (NULL);
  const char *name_parts[] = { "given_name", "middle_name", "family_name" };
  g_autofree char *birth = format_date (self, care_record_get (patient, "birth_date"));
  g_autofree char *printed = format_date (self, chart->today);
  g_autofree char *start = format_date (self, field (self->plan, "period_start"));
  g_autofree char *end = format_date (self, field (self->plan, "period_end"));
  g_autofree char *provider = NULL;
  g_autofree char *facts = NULL;
  g_autofree char *dob_text = NULL;
  g_autofree char *mrn_text = NULL;
  g_autofree char *printed_text = NULL;
  GString *box = g_string_new (NULL);
  char *escaped;

  /* "Given Middle Family", with no double space where a part is missing. */
  for (guint i = 0; i < G_N_ELEMENTS (name_parts); i++)
    if (field (patient, name_parts[i]))
      {
        g_autofree char *part = g_strstrip (g_strdup (field (patient, name_parts[i])));

        g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", part);
      }

  if (field (patient, "primary_organization_id"))
    clinic = g_hash_table_lookup (chart->organizations, field (patient, "primary_organization_id"));
  provider = care_chart_practitioner_name (chart, field (patient, "primary_practitioner_id"));

  add_text (self, BLOCK_TITLE, tr (self, NC_("patient printout", "My Care Plan")));
  add_text (self, BLOCK_NAME, name->str);

  dob_text = g_strdup_printf (tr (self, NC_("patient printout", "Date of birth: %s")), birth ? birth : "—");
  /* Translators: the MRN, the number the clinic files the patient's record under */
  mrn_text = g_strdup_printf (tr (self, NC_("patient printout", "Medical record number: %s")),
                              field_or (patient, "mrn", "—"));
  printed_text = g_strdup_printf (tr (self, NC_("patient printout", "Printed on %s")),
                                  printed ? printed : chart->today);
  facts = g_strdup_printf ("%s  ·  %s\n%s", dob_text, mrn_text, printed_text);
  add_text (self, BLOCK_FACTS, facts);

  /* The plan's box: its title, its period, the clinic and the provider. */
  escaped = escape (field_or (self->plan, "title", tr (self, NC_("patient printout", "My Care Plan"))));
  g_string_append_printf (box, "<span size=\"%d\" weight=\"bold\">%s</span>", (int) (14 * PANGO_SCALE),
                          escaped);
  g_free (escaped);
  {
    g_autofree char *period = NULL;
    g_autofree char *clinic_line = NULL;
    g_autofree char *provider_line = NULL;

    if (start && end)
      period = g_strdup_printf (tr (self, NC_("patient printout", "From %s to %s")), start, end);
    else if (start)
      period = g_strdup_printf (tr (self, NC_("patient printout", "Since %s")), start);
    else if (end)
      period = g_strdup_printf (tr (self, NC_("patient printout", "Until %s")), end);
    if (clinic && field (clinic, "name"))
      clinic_line = g_strdup_printf (tr (self, NC_("patient printout", "My clinic: %s")),
                                     care_record_get (clinic, "name"));
    if (provider)
      provider_line = g_strdup_printf (tr (self, NC_("patient printout", "My provider: %s")), provider);

    for (guint i = 0; i < 3; i++)
      {
        const char *line = i == 0 ? period : i == 1 ? clinic_line : provider_line;

        if (line == NULL)
          continue;
        escaped = escape (line);
        g_string_append_printf (box, "\n%s", escaped);
        g_free (escaped);
      }
  }
  add_block (self, BLOCK_PLAN, g_string_free (box, FALSE));

  self->running_head = g_strdup_printf ("%s  ·  %s  ·  %s",
                                        tr (self, NC_("patient printout", "My Care Plan")),
                                        name->str, dob_text);

  if (clinic && field (clinic, "phone"))
    self->footer = g_strdup_printf (tr (self, NC_("patient printout", "Questions? Call %s at %s")),
                                    field_or (clinic, "name", ""),
                                    care_record_get (clinic, "phone"));
}

static void
build_goals (CarePlanPrint *self)
{
  static const char * const live[] = { "active", "accepted", "planned", "on-hold", NULL };
  g_autoptr(GPtrArray) goals = g_ptr_array_new ();

  for (guint i = 0; i < self->chart->goals->len; i++)
    {
      CareRecord *goal = g_ptr_array_index (self->chart->goals, i);

      if (in_plan (goal, self->plan) && field_is_one_of (goal, "lifecycle_status", live))
        g_ptr_array_add (goals, goal);
    }
  g_ptr_array_sort (goals, compare_due_dates);

  add_text (self, BLOCK_HEADING, tr (self, NC_("patient printout", "My goals")));
  for (guint i = 0; i < goals->len; i++)
    {
      CareRecord *goal = g_ptr_array_index (goals, i);
      g_autofree char *target = NULL;
      g_autofree char *target_text = NULL;
      g_autofree char *due = format_date (self, field (goal, "due_date"));
      g_autofree char *due_text = NULL;
      g_autofree char *progress_text = NULL;
      g_autofree char *when = NULL;
      const char *description = field (goal, "description");

      target = goal_target (self, goal);
      if (target && description)
        {
          g_autofree char *a = squeeze (target);
          g_autofree char *b = squeeze (description);

          /* The description already says it ("HbA1c below 8%"). */
          if (g_str_equal (a, b))
            g_clear_pointer (&target, g_free);
        }
      if (target)
        target_text = g_strdup_printf (tr (self, NC_("patient printout", "Target: %s")), target);
      if (due)
        due_text = g_strdup_printf (tr (self, NC_("patient printout", "By %s")), due);
      progress_text = g_strdup_printf (tr (self, NC_("patient printout", "How it is going: %s")),
                                       goal_progress (self, goal));

      when = join_details (due_text, progress_text);
      add_item (self, description ? description : target ? target : "—", target_text, when);
    }

  if (goals->len == 0)
    add_text (self, BLOCK_EMPTY, tr (self, NC_("patient printout", "No goals yet")));
}

static void
build_actions (CarePlanPrint *self)
{
  static const char * const live_interventions[] = {
    "not-started", "scheduled", "in-progress", "on-hold", NULL
  };
  static const char * const closed_tasks[] = {
    "completed", "cancelled", "failed", "rejected", "entered-in-error", NULL
  };
  g_autoptr(GHashTable) versions = plan_versions (self->chart, self->plan);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new ();
  g_autoptr(GPtrArray) interventions = g_ptr_array_new ();

  for (guint i = 0; i < self->chart->interventions->len; i++)
    {
      CareRecord *intervention = g_ptr_array_index (self->chart->interventions, i);

      if (in_plan (intervention, self->plan) && field_is_one_of (intervention, "status", live_interventions))
        g_ptr_array_add (interventions, intervention);
    }
  for (guint i = 0; i < self->chart->tasks->len; i++)
    {
      CareRecord *task = g_ptr_array_index (self->chart->tasks, i);
      const char *plan_id = field (task, "care_plan_id");

      if ((plan_id == NULL || g_hash_table_contains (versions, plan_id)) &&
          !field_is_one_of (task, "status", closed_tasks))
        g_ptr_array_add (tasks, task);
    }
  if (interventions->len == 0 && tasks->len == 0)
    return;
  g_ptr_array_sort (tasks, compare_due_dates);

  add_text (self, BLOCK_HEADING, tr (self, NC_("patient printout", "What we will do")));
  for (guint i = 0; i < interventions->len; i++)
    {
      CareRecord *intervention = g_ptr_array_index (interventions, i);
      const char *who = discipline_name (self, care_record_get (intervention, "discipline"));
      g_autofree char *who_text = NULL;

      if (who)
        who_text = g_strdup_printf (tr (self, NC_("patient printout", "Who: %s")), who);
      add_item (self, field_or (intervention, "description", "—"),
                who_text, NULL);
    }
  for (guint i = 0; i < tasks->len; i++)
    {
      CareRecord *task = g_ptr_array_index (tasks, i);
      g_autofree char *assignee = care_chart_practitioner_name (self->chart, field (task, "assignee_id"));
      const char *who = assignee ? assignee : discipline_name (self, care_record_get (task, "discipline"));
      g_autofree char *who_text = NULL;
      g_autofree char *due = format_date (self, field (task, "due_date"));
      g_autofree char *due_text = NULL;
      g_autofree char *details = NULL;

      if (who)
        who_text = g_strdup_printf (tr (self, NC_("patient printout", "Who: %s")), who);
      if (due)
        due_text = g_strdup_printf (tr (self, NC_("patient printout", "By %s")), due);
      details = join_details (who_text, due_text);

      add_item (self, field_or (task, "description", "—"), details, NULL);
    }
}

static void
build_needs (CarePlanPrint *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->chart->needs->len; i++)
    {
      CareRecord *need = g_ptr_array_index (self->chart->needs, i);

      if (!in_plan (need, self->plan) || g_strcmp0 (care_record_get (need, "status"), "active") != 0)
        continue;
      if (!any)
        add_text (self, BLOCK_HEADING,
                  tr (self, NC_("patient printout", "Things that make it harder and the help we arranged")));
      any = TRUE;
      add_item (self, need_name (self, care_record_get (need, "category")),
                field (need, "description"), NULL);
    }
}

static void
build_referrals (CarePlanPrint *self)
{
  static const char * const open[] = { "active", "on-hold", NULL };
  gboolean any = FALSE;

  for (guint i = 0; i < self->chart->referrals->len; i++)
    {
      CareRecord *referral = g_ptr_array_index (self->chart->referrals, i);
      g_autofree char *service = NULL;
      g_autofree char *reason = NULL;
      g_autofree char *status = NULL;

      if (!field_is_one_of (referral, "status", open))
        continue;
      if (!any)
        add_text (self, BLOCK_HEADING, tr (self, NC_("patient printout", "My referrals")));
      any = TRUE;

      if (field (referral, "to_organization"))
        service = g_strdup_printf ("%s — %s",
                                   field_or (referral, "to_service", ""),
                                   care_record_get (referral, "to_organization"));
      else
        service = g_strdup (field_or (referral, "to_service", "—"));
      if (field (referral, "reason"))
        reason = g_strdup_printf (tr (self, NC_("patient printout", "Reason: %s")),
                                  care_record_get (referral, "reason"));
      status = g_strdup_printf (tr (self, NC_("patient printout", "Status: %s")),
                                referral_status (self, referral));
      add_item (self, service, reason, status);
    }
}

static void
build_team (CarePlanPrint *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->chart->care_team->len; i++)
    {
      CareRecord *member = g_ptr_array_index (self->chart->care_team, i);
      const char *practitioner_id = field (member, "practitioner_id");
      CareRecord *practitioner = NULL;
      g_autofree char *name = NULL;
      g_autofree char *phone = NULL;
      g_autofree char *details = NULL;
      const char *role;

      if (practitioner_id != NULL)
        practitioner = g_hash_table_lookup (self->chart->practitioners, practitioner_id);
      if (g_strcmp0 (care_record_get (member, "status"), "active") != 0 || practitioner == NULL)
        continue;
      if (!any)
        add_text (self, BLOCK_HEADING, tr (self, NC_("patient printout", "My care team")));
      any = TRUE;

      name = care_chart_practitioner_name (self->chart, practitioner_id);
      role = role_name (self, care_record_get (member, "role"));
      if (role == NULL)
        role = discipline_name (self, care_record_get (practitioner, "discipline"));
      if (field (practitioner, "phone"))
        phone = g_strdup_printf (tr (self, NC_("patient printout", "Phone: %s")),
                                 care_record_get (practitioner, "phone"));
      details = join_details (role, phone);
      add_item (self, name, details, NULL);
    }
}

/* Pagination --------------------------------------------------------------- */

static void
set_color (cairo_t *cr,
           guint32  rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0);
}

static PangoLayout *
new_layout (CarePlanPrint *self,
            const char    *font,
            double         width)
{
  PangoLayout *layout = pango_layout_new (self->context);
  PangoFontDescription *description = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, description);
  pango_font_description_free (description);
  if (width > 0)
    pango_layout_set_width (layout, pango_units_from_double (width));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);

  return layout;
}

static void
layout_block (CarePlanPrint *self,
              Block         *block,
              double         content_width)
{
  const BlockStyle *style = &block_styles[block->kind];
  PangoLayoutIter *iter;

  g_clear_object (&block->layout);
  block->layout = new_layout (self, style->font,
                              MAX (content_width - style->indent - 2 * style->padding, 36));
  if (style->line_spacing > 0)
    pango_layout_set_line_spacing (block->layout, (float) style->line_spacing);
  pango_layout_set_markup (block->layout, block->markup, -1);

  g_array_set_size (block->lines, 0);
  iter = pango_layout_get_iter (block->layout);
  do
    {
      PangoRectangle logical;
      LineBox line;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      line.top = style->padding + pango_units_to_double (logical.y);
      line.bottom = style->padding + pango_units_to_double (logical.y + logical.height);
      line.baseline = style->padding + pango_units_to_double (pango_layout_iter_get_baseline (iter));
      line.x = style->indent + style->padding + pango_units_to_double (logical.x);
      g_array_append_val (block->lines, line);
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);

  block->height = g_array_index (block->lines, LineBox, block->lines->len - 1).bottom + style->padding +
                  style->space_after;
}

static GArray *
new_page (CarePlanPrint *self)
{
  GArray *page = g_array_new (FALSE, FALSE, sizeof (Placement));

  g_ptr_array_add (self->pages, page);
  return page;
}

static void
place (GArray *page,
       Block  *block,
       guint   first_line,
       guint   n_lines,
       double  y)
{
  Placement placement = { block, first_line, n_lines, y };

  g_array_append_val (page, placement);
}

/* Height of the part of @block that must be on the same page as a heading above it. */
static double
first_part_height (CarePlanPrint *self,
                   Block         *block,
                   double         page_space)
{
  if (block->height <= page_space)
    return block->height;

  return g_array_index (block->lines, LineBox, 0).bottom;
}

/* A new page for @block (NULL: a heading), under its section's heading again
 * ("My goals (continued)"); returns where @block goes. */
static double
start_page (CarePlanPrint  *self,
            GArray        **page,
            Block          *block)
{
  double y = self->top;

  *page = new_page (self);
  if (block != NULL && block->heading != NULL)
    {
      place (*page, block->heading->continued, 0, block->heading->continued->lines->len, y);
      y += block->heading->continued->height + block_styles[block->kind].space_before;
    }

  return y;
}

static void
paginate_blocks (CarePlanPrint *self)
{
  /* The room for blocks on a page after a repeated heading. */
  double page_space = self->bottom - self->top - self->continued_height;
  GArray *page = new_page (self);
  double y = self->first_top;
  gboolean at_top = TRUE;

  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (self->blocks, i);
      double gap = at_top ? 0 : block_styles[block->kind].space_before;
      const LineBox *lines = (const LineBox *) (gpointer) block->lines->data;
      guint first = 0;

      /* Whole, on this page or the next: everything that fits on a page. */
      if (block->height <= page_space)
        {
          double keep = 0;

          if (block->kind == BLOCK_HEADING && i + 1 < self->blocks->len)
            {
              Block *next = g_ptr_array_index (self->blocks, i + 1);

              keep = block_styles[next->kind].space_before + first_part_height (self, next, page_space);
            }
          if (!at_top && y + gap + block->height + keep > self->bottom)
            {
              y = start_page (self, &page, block->kind == BLOCK_HEADING ? (Block *) NULL : block);
              gap = 0;
            }
          place (page, block, 0, block->lines->len, y + gap);
          y += gap + block->height;
          at_top = FALSE;
          continue;
        }

      /* Taller than a page: as many lines as fit, then on. */
      while (first < block->lines->len)
        {
          double start = y + gap;
          guint n = 0;

          while (first + n < block->lines->len &&
                 start + lines[first + n].bottom - lines[first].top <= self->bottom)
            n++;
          if (n == 0 && !at_top)
            {
              y = start_page (self, &page, block);
              gap = 0;
              at_top = TRUE;
              continue;
            }
          n = MAX (n, 1);  /* one line taller than a page: it cannot be helped */

          place (page, block, first, n, start - lines[first].top);
          y = start + lines[first + n - 1].bottom - lines[first].top;
          first += n;
          gap = 0;
          at_top = FALSE;
          if (first < block->lines->len)
            {
              y = start_page (self, &page, block);
              at_top = TRUE;
            }
        }
      y += block_styles[block->kind].space_after + block_styles[block->kind].padding;
    }
}

static void
clear_pagination (CarePlanPrint *self)
{
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_object (&self->bullet);
  g_clear_object (&self->head_layout);
  g_clear_object (&self->footer_layout);
  g_clear_object (&self->context);
  for (guint i = 0; self->blocks && i < self->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (self->blocks, i);

      g_clear_object (&block->layout);
      if (block->continued)
        g_clear_object (&block->continued->layout);
    }
}

static void
draw_placement (CarePlanPrint   *self,
                cairo_t         *cr,
                const Placement *placement)
{
  Block *block = placement->block;
  const BlockStyle *style = &block_styles[block->kind];
  const LineBox *lines = (const LineBox *) (gpointer) block->lines->data;
  guint last = placement->first_line + placement->n_lines - 1;
  double content_width = self->width - 2 * self->margin;

  if (block->kind == BLOCK_PLAN && placement->first_line == 0 && last == block->lines->len - 1)
    {
      double x = self->margin, y = placement->y, w = content_width, h = block->height, r = 6;

      cairo_new_sub_path (cr);
      cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
      cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
      cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
      cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
      cairo_close_path (cr);
      set_color (cr, BOX_FILL);
      cairo_fill (cr);
    }

  set_color (cr, style->color);
  for (guint j = placement->first_line; j <= last; j++)
    {
      cairo_move_to (cr, self->margin + lines[j].x, placement->y + lines[j].baseline);
      pango_cairo_show_layout_line (cr, pango_layout_get_line_readonly (block->layout, (int) j));
    }

  if (block->kind == BLOCK_ITEM && placement->first_line == 0)
    {
      PangoLayoutIter *iter = pango_layout_get_iter (self->bullet);
      double baseline = pango_units_to_double (pango_layout_iter_get_baseline (iter));

      pango_layout_iter_free (iter);
      set_color (cr, block_styles[BLOCK_TITLE].color);
      cairo_move_to (cr, self->margin + 3, placement->y + lines[0].baseline - baseline);
      pango_cairo_show_layout (cr, self->bullet);
    }

  if ((block->kind == BLOCK_HEADING || block->kind == BLOCK_TITLE) && last == block->lines->len - 1)
    {
      double width = block->kind == BLOCK_TITLE ? 2.5 : 0.75;
      double y = placement->y + lines[last].bottom + style->space_after / 2;

      set_color (cr, block->kind == BLOCK_TITLE ? style->color : ACCENT_LIGHT);
      cairo_set_line_width (cr, width);
      cairo_move_to (cr, self->margin, y);
      cairo_line_to (cr, self->margin + content_width, y);
      cairo_stroke (cr);
    }
}

/* Public API -------------------------------------------------------------- */

CarePlanPrint *
care_plan_print_new (CareChart   *chart,
                     const char  *language,
                     GError     **error)
{
  CarePlanPrint *self;
  CareRecord *plan;

  g_return_val_if_fail (chart != NULL, NULL);
  g_return_val_if_fail (chart->patient != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((plan = find_active_plan (chart)) == NULL)
    {
      g_set_error_literal (error, CARE_PLAN_PRINT_ERROR, CARE_PLAN_PRINT_ERROR_NO_PLAN,
                           _("The patient has no active care plan to print"));
      return NULL;
    }

  self = g_new0 (CarePlanPrint, 1);
  self->chart = care_chart_ref (chart);
  self->catalog = care_catalog_new (language);
  self->plan = plan;
  self->blocks = g_ptr_array_new_with_free_func (block_free);

  build_header (self);
  if (field (plan, "patient_priorities"))
    {
      g_autofree char *priorities = g_strstrip (g_strdup (care_record_get (plan, "patient_priorities")));

      add_text (self, BLOCK_HEADING, tr (self, NC_("patient printout", "What matters to me")));
      add_text (self, BLOCK_PARAGRAPH, priorities);
    }
  build_goals (self);
  build_actions (self);
  build_needs (self);
  build_referrals (self);
  build_team (self);

  return self;
}

void
care_plan_print_free (CarePlanPrint *self)
{
  if (self == NULL)
    return;

  clear_pagination (self);
  g_ptr_array_unref (self->blocks);
  g_free (self->running_head);
  g_free (self->footer);
  care_catalog_free (self->catalog);
  care_chart_free (self->chart);
  g_free (self);
}

guint
care_plan_print_paginate (CarePlanPrint *self,
                          cairo_t       *cr,
                          double         width,
                          double         height)
{
  cairo_font_options_t *options;
  g_autoptr(PangoLayout) label_layout = NULL;
  g_autofree char *label = NULL;
  double content_width;
  double margin_top, margin_bottom;
  int label_width, label_height, footer_height;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (cr != NULL, 0);
  g_return_val_if_fail (width > 0 && height > 0, 0);

  clear_pagination (self);
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->width = width;
  self->height = height;
  self->margin = MIN (54, width / 8);
  margin_top = MIN (48, height / 14);
  margin_bottom = MIN (40, height / 16);
  content_width = width - 2 * self->margin;

  /* Points, and no hinting: the same line breaks on paper, in a PDF and in a
   * preview, whatever device @cr draws to. */
  self->context = pango_cairo_create_context (cr);
  pango_cairo_context_set_resolution (self->context, 72);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (self->context, options);
  cairo_font_options_destroy (options);

  self->bullet = new_layout (self, "Sans Bold 12", -1);
  pango_layout_set_text (self->bullet, "•", -1);

  self->head_layout = new_layout (self, "Sans 9.5", content_width);
  pango_layout_set_ellipsize (self->head_layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_text (self->head_layout, self->running_head, -1);

  /* The footer: who to call on the left (wrapped, never cut: the phone number
   * matters most), the page on the right. */
  label = g_strdup_printf (tr (self, NC_("patient printout", "Page %u of %u")), 888, 888);
  label_layout = new_layout (self, "Sans 10", -1);
  pango_layout_set_text (label_layout, label, -1);
  pango_layout_get_size (label_layout, &label_width, &label_height);
  self->footer_layout = new_layout (self, "Sans 10",
                                    MAX (content_width - pango_units_to_double (label_width) - 18, 72));
  pango_layout_set_text (self->footer_layout, self->footer ? self->footer : "", -1);
  pango_layout_get_size (self->footer_layout, NULL, &footer_height);

  self->footer_top = height - margin_bottom - pango_units_to_double (MAX (footer_height, label_height)) - 6;
  self->bottom = self->footer_top - 14;
  self->first_top = margin_top;
  self->top = margin_top + 32;
  /* A page too small for anything still gets its lines, one per page. */
  if (self->bottom <= self->top)
    self->bottom = self->top + 1;

  self->continued_height = 0;
  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (self->blocks, i);

      layout_block (self, block, content_width);
      if (block->continued)
        {
          layout_block (self, block->continued, content_width);
          self->continued_height = MAX (self->continued_height,
                                        block->continued->height + block_styles[BLOCK_ITEM].space_before);
        }
    }
  paginate_blocks (self);

  return self->pages->len;
}

guint
care_plan_print_get_n_pages (CarePlanPrint *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->pages ? self->pages->len : 0;
}

void
care_plan_print_draw_page (CarePlanPrint *self,
                           cairo_t       *cr,
                           guint          page)
{
  GArray *placements;
  g_autofree char *page_text = NULL;
  g_autoptr(PangoLayout) page_layout = NULL;
  int page_width;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (self->pages != NULL && page < self->pages->len);

  placements = g_ptr_array_index (self->pages, page);
  cairo_save (cr);

  if (page > 0)
    {
      set_color (cr, 0x555555);
      cairo_move_to (cr, self->margin, self->first_top);
      pango_cairo_show_layout (cr, self->head_layout);
      set_color (cr, ACCENT_LIGHT);
      cairo_set_line_width (cr, 0.5);
      cairo_move_to (cr, self->margin, self->top - 12);
      cairo_line_to (cr, self->width - self->margin, self->top - 12);
      cairo_stroke (cr);
    }

  for (guint i = 0; i < placements->len; i++)
    draw_placement (self, cr, &g_array_index (placements, Placement, i));

  /* The footer: who to call, and the page. */
  set_color (cr, ACCENT_LIGHT);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, self->margin, self->footer_top);
  cairo_line_to (cr, self->width - self->margin, self->footer_top);
  cairo_stroke (cr);

  set_color (cr, 0x333333);
  cairo_move_to (cr, self->margin, self->footer_top + 6);
  pango_cairo_show_layout (cr, self->footer_layout);

  page_text = g_strdup_printf (tr (self, NC_("patient printout", "Page %u of %u")),
                               page + 1, self->pages->len);
  page_layout = new_layout (self, "Sans 10", -1);
  pango_layout_set_text (page_layout, page_text, -1);
  pango_layout_get_size (page_layout, &page_width, NULL);
  cairo_move_to (cr, self->width - self->margin - pango_units_to_double (page_width), self->footer_top + 6);
  pango_cairo_show_layout (cr, page_layout);

  cairo_restore (cr);
}

static cairo_status_t
append_to_bytes (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
care_plan_print_to_pdf (CareChart   *chart,
                        const char  *language,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(CarePlanPrint) self = NULL;
  g_autoptr(GByteArray) pdf = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  guint n_pages;

  g_return_val_if_fail (chart != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(self = care_plan_print_new (chart, language, error)))
    return FALSE;

  /* In memory first, then written whole: never half a printout on disk. */
  pdf = g_byte_array_new ();
  surface = cairo_pdf_surface_create_for_stream (append_to_bytes, pdf, LETTER_WIDTH, LETTER_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  tr (self, NC_("patient printout", "My Care Plan")));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Caremesh " PACKAGE_VERSION);
  cr = cairo_create (surface);

  n_pages = care_plan_print_paginate (self, cr, LETTER_WIDTH, LETTER_HEIGHT);
  for (guint i = 0; i < n_pages; i++)
    {
      care_plan_print_draw_page (self, cr, i);
      cairo_show_page (cr);
    }

  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CARE_PLAN_PRINT_ERROR, CARE_PLAN_PRINT_ERROR_FAILED,
                   _("Could not make the PDF: %s"), cairo_status_to_string (status));
      return FALSE;
    }

  /* Only the person who printed it can read it: it holds health information. */
  return g_file_set_contents_full (path, (const char *) pdf->data, pdf->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
