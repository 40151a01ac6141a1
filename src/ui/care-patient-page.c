/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-patient-page"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "care-patient-page.h"
#include "care-record.h"
#include "care-review.h"
#include "care-text.h"

/* Sections other than the patient record itself, loaded in parallel. */
typedef enum
{
  SECTION_ALLERGIES,
  SECTION_PROBLEMS,
  SECTION_MEDICATIONS,
  N_SECTIONS
} Section;

static const struct
{
  const char *name;
  const char *table;
  const char *order_by;
} sections[N_SECTIONS] = {
  [SECTION_ALLERGIES]   = { "allergies",   "allergies",         "substance" },
  [SECTION_PROBLEMS]    = { "problems",    "conditions",        "onset_date" },
  [SECTION_MEDICATIONS] = { "medications", "medication_orders", "drug" },
};

struct _CarePatientPage
{
  AdwBin                parent_instance;

  GtkLabel             *name_label;
  GtkLabel             *summary_label;
  GtkBox               *allergy_banner;
  GtkLabel             *allergy_label;
  AdwPreferencesGroup  *details_group;
  AdwPreferencesGroup  *review_group;
  AdwPreferencesGroup  *allergies_group;
  AdwPreferencesGroup  *problems_group;
  AdwPreferencesGroup  *medications_group;

  GCancellable         *cancellable;
  CareStore            *store;
  char                 *actor;
  char                 *patient_id;
  char                 *mrn;
  GPtrArray            *rows[N_SECTIONS + 1];  /* widgets added, per group; last = details */
  guint                 pending;
};

G_DEFINE_FINAL_TYPE (CarePatientPage, care_patient_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_LOADED, N_PROPS };
static GParamSpec *properties[N_PROPS];

typedef struct
{
  CarePatientPage *self;
  Section          section;
} SectionLoad;

static AdwPreferencesGroup *
group_for (CarePatientPage *self,
           guint            index)
{
  switch (index)
    {
    case SECTION_ALLERGIES:
      return self->allergies_group;
    case SECTION_PROBLEMS:
      return self->problems_group;
    case SECTION_MEDICATIONS:
      return self->medications_group;
    default:
      return self->details_group;
    }
}

static void
clear_group (CarePatientPage *self,
             guint            index)
{
  AdwPreferencesGroup *group = group_for (self, index);

  for (guint i = 0; i < self->rows[index]->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (self->rows[index], i));
  g_ptr_array_set_size (self->rows[index], 0);
}

static void
add_row (CarePatientPage *self,
         guint            index,
         const char      *title,
         const char      *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               subtitle != NULL && *subtitle != '\0' ? subtitle : _("Not recorded"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  adw_preferences_group_add (group_for (self, index), row);
  g_ptr_array_add (self->rows[index], row);
}

static void
add_empty_row (CarePatientPage *self,
               guint            index,
               const char      *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 12);
  adw_preferences_group_add (group_for (self, index), label);
  g_ptr_array_add (self->rows[index], label);
}

static void
set_banner (CarePatientPage *self,
            const char      *css_class,
            const char      *icon,
            const char      *text)
{
  static const char *classes[] = { "has-allergies", "no-known-allergies", "not-recorded" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->allergy_banner), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->allergy_banner), css_class);
  gtk_image_set_from_icon_name (GTK_IMAGE (gtk_widget_get_first_child (GTK_WIDGET (self->allergy_banner))), icon);
  gtk_label_set_label (self->allergy_label, text);
}

static gboolean
is_active_allergy (CareRecord *record)
{
  return g_strcmp0 (care_record_get (record, "clinical_status"), "active") == 0 &&
         g_strcmp0 (care_record_get (record, "verification_status"), "entered-in-error") != 0 &&
         g_strcmp0 (care_record_get (record, "verification_status"), "refuted") != 0;
}

static gboolean
is_no_known_allergy (CareRecord *record)
{
  return g_strcmp0 (care_record_get (record, "code"), "716186003") == 0;
}

static void
show_allergies (CarePatientPage *self,
                GPtrArray       *records)
{
  g_autoptr(GString) banner = g_string_new (NULL);
  gboolean no_known = FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const char *severity = care_record_get (record, "severity");
      const char *reaction = care_record_get (record, "reaction");
      g_autofree char *subtitle = NULL;

      if (!is_active_allergy (record))
        continue;

      if (is_no_known_allergy (record))
        {
          no_known = TRUE;
          continue;
        }

      if (banner->len > 0)
        g_string_append (banner, ", ");
      g_string_append (banner, care_record_get (record, "substance"));
      if (severity != NULL)
        g_string_append_printf (banner, " (%s)", severity);

      /* Translators: allergy details: reaction · severity · criticality */
      subtitle = g_strdup_printf (_("%s · severity %s · criticality %s"),
                                  reaction ? reaction : _("reaction not recorded"),
                                  severity ? severity : "–",
                                  care_record_get (record, "criticality") ? care_record_get (record, "criticality") : "–");
      add_row (self, SECTION_ALLERGIES, care_record_get (record, "substance"), subtitle);
    }

  if (banner->len > 0)
    {
      g_autofree char *text = g_strdup_printf (_("Allergies: %s"), banner->str);

      set_banner (self, "has-allergies", "dialog-warning-symbolic", text);
    }
  else if (no_known)
    {
      set_banner (self, "no-known-allergies", "emblem-ok-symbolic", _("No known allergies"));
      add_empty_row (self, SECTION_ALLERGIES, _("No known allergies (recorded)"));
    }
  else
    {
      set_banner (self, "not-recorded", "dialog-warning-symbolic", _("Allergies not recorded"));
      add_empty_row (self, SECTION_ALLERGIES, _("Allergies have not been recorded for this patient"));
    }
}

/* Orders records whose @user_data column is "active" first; the sort is stable. */
static int
compare_active_first (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  CareRecord *ra = *(CareRecord * const *) a;
  CareRecord *rb = *(CareRecord * const *) b;
  gboolean active_a = g_strcmp0 (care_record_get (ra, user_data), "active") == 0;
  gboolean active_b = g_strcmp0 (care_record_get (rb, user_data), "active") == 0;

  return active_b - active_a;
}

static void
show_problems (CarePatientPage *self,
               GPtrArray       *records)
{
  guint shown = 0;

  /* Active problems first, then resolved and inactive ones. */
  g_ptr_array_sort_with_data (records, compare_active_first, (gpointer) "clinical_status");

  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const char *status = care_record_get (record, "clinical_status");
      const char *onset = care_record_get (record, "onset_date");
      g_autofree char *subtitle = NULL;

      if (g_strcmp0 (care_record_get (record, "verification_status"), "entered-in-error") == 0)
        continue;

      /* Translators: problem details: clinical status · onset date */
      subtitle = g_strdup_printf (_("%s · since %s"), status ? status : "", onset ? onset : "?");
      add_row (self, SECTION_PROBLEMS, care_record_get (record, "display"), subtitle);
      shown++;
    }

  if (shown == 0)
    add_empty_row (self, SECTION_PROBLEMS, _("No problems recorded"));
}

static void
show_medications (CarePatientPage *self,
                  GPtrArray       *records)
{
  guint shown = 0;

  /* Active medications first, then stopped and completed ones. */
  g_ptr_array_sort_with_data (records, compare_active_first, (gpointer) "status");

  for (guint i = 0; i < records->len; i++)
    {
      CareRecord *record = g_ptr_array_index (records, i);
      const char *status = care_record_get (record, "status");
      g_autofree char *subtitle = NULL;

      if (g_strcmp0 (status, "entered-in-error") == 0)
        continue;

      /* Translators: medication details: dose, route, frequency · status */
      subtitle = g_strdup_printf (_("%s %s %s · %s"),
                                  care_record_get (record, "dose") ? care_record_get (record, "dose") : "",
                                  care_record_get (record, "route") ? care_record_get (record, "route") : "",
                                  care_record_get (record, "frequency") ? care_record_get (record, "frequency") : "",
                                  status ? status : "");
      add_row (self, SECTION_MEDICATIONS, care_record_get (record, "drug"), subtitle);
      shown++;
    }

  if (shown == 0)
    add_empty_row (self, SECTION_MEDICATIONS, _("No medications recorded"));
}

static const char *
language_name (const char *code)
{
  if (g_strcmp0 (code, "es") == 0)
    return _("Spanish");
  if (g_strcmp0 (code, "en") == 0)
    return _("English");
  return code;
}

/* "70 years", or months for the very young. */
static char *
format_age (const char *birth_date,
            const char *today)
{
  int years = care_text_age_in_years (birth_date, today);
  int by, bm, bd, ty, tm, td, months;

  if (years < 0)
    return g_strdup (_("age unknown"));

  if (years >= 2 || sscanf (birth_date, "%d-%d-%d", &by, &bm, &bd) != 3 ||
      sscanf (today, "%d-%d-%d", &ty, &tm, &td) != 3)
    return g_strdup_printf (ngettext ("%d year", "%d years", years), years);

  months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  return g_strdup_printf (ngettext ("%d month", "%d months", months), months);
}

/* "12 Elm St, Sweet Home, OR 97386", leaving out what is missing; NULL if nothing is. */
static char *
format_address (CareRecord *patient)
{
  const char *line = care_record_get (patient, "address_line");
  const char *city = care_record_get (patient, "city");
  const char *state = care_record_get (patient, "state");
  const char *postal = care_record_get (patient, "postal_code");
  g_autofree char *region = g_strjoin (" ", state ? state : "", postal ? postal : "", NULL);
  GString *out = g_string_new (NULL);

  g_strstrip (region);
  if (line && *line)
    g_string_append (out, line);
  if (city && *city)
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", city);
  if (*region)
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", region);

  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

static void reload_after_review (gpointer user_data);

typedef struct
{
  char *actor;
  char *patient_id;
} Query;

static void
query_free (gpointer data)
{
  Query *query = data;

  g_free (query->actor);
  g_free (query->patient_id);
  g_free (query);
}

/* The MRNs of the patients merged with this one, comma separated; "" if none. */
static gpointer
merged_worker (CareDb        *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Query *query = data;
  g_autoptr(GPtrArray) ids = care_db_patient_merged_with (db, query->patient_id);
  GString *mrns = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CareRecord) other = care_db_get (db, query->actor, "patients", g_ptr_array_index (ids, i), NULL);

      if (other != NULL)
        g_string_append_printf (mrns, "%sMRN %s", mrns->len ? ", " : "", care_record_get (other, "mrn"));
    }

  return g_string_free (mrns, FALSE);
}

static gpointer
unmerge_worker (CareDb        *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Query *query = data;

  return care_db_unmerge_patient (db, query->actor, query->patient_id, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_unmerged_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CarePatientPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!care_store_run_finish (CARE_STORE (object), result, &error))
    {
      g_warning ("Undoing a merge failed: %s", error->message);
      return;
    }
  g_signal_emit_by_name (self->store, "changed", "patients");
  reload_after_review (self);
}

static void
on_unmerge_clicked_cb (GtkButton       *button,
                       CarePatientPage *self)
{
  Query *query = g_new0 (Query, 1);

  query->actor = g_strdup (self->actor);
  query->patient_id = g_strdup (self->patient_id);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  care_store_run_async (self->store, unmerge_worker, query, query_free, NULL, NULL,
                        on_unmerged_cb, g_object_ref (self));
}

static void
on_merged_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CarePatientPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *mrns = care_store_run_finish (CARE_STORE (object), result, &error);
  GtkWidget *row, *button;

  if (mrns == NULL || *mrns == '\0')
    return;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Also registered as"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), mrns);
  button = gtk_button_new_with_label (_("Undo Merge"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (on_unmerge_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->details_group, row);
  g_ptr_array_add (self->rows[N_SECTIONS], row);
}

static void
show_patient (CarePatientPage *self,
              CareRecord      *patient)
{
  const char *given = care_record_get (patient, "given_name");
  const char *middle = care_record_get (patient, "middle_name");
  const char *family = care_record_get (patient, "family_name");
  const char *birth_date = care_record_get (patient, "birth_date");
  const char *language = care_record_get (patient, "preferred_language");
  g_autofree char *name = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *today = care_text_today ();
  g_autofree char *address = NULL;
  g_autofree char *language_text = NULL;
  g_autofree char *age_text = NULL;

  name = g_strjoin (" ", given ? given : "", middle && *middle ? middle : "", family ? family : "", NULL);
  /* Collapses the double space left by an empty middle name. */
  if (middle == NULL || *middle == '\0')
    {
      g_free (name);
      name = g_strdup_printf ("%s %s", given ? given : "", family ? family : "");
    }
  gtk_label_set_label (self->name_label, name);

  g_free (self->mrn);
  self->mrn = g_strdup (care_record_get (patient, "mrn"));

  age_text = format_age (birth_date, today);
  /* Translators: under the patient's name: age, sex, MRN */
  summary = g_strdup_printf (_("%s · %s · MRN %s"), age_text,
                             care_record_get (patient, "sex") ? care_record_get (patient, "sex") : "",
                             self->mrn ? self->mrn : "");
  gtk_label_set_label (self->summary_label, summary);

  address = format_address (patient);
  if (g_strcmp0 (care_record_get (patient, "interpreter_needed"), "1") == 0)
    language_text = g_strdup_printf (_("%s (interpreter needed)"), language_name (language));
  else
    language_text = g_strdup (language_name (language));

  clear_group (self, N_SECTIONS);
  add_row (self, N_SECTIONS, _("Birth date"), birth_date);
  add_row (self, N_SECTIONS, _("Sex"), care_record_get (patient, "sex"));
  if (care_record_get (patient, "gender_identity"))
    add_row (self, N_SECTIONS, _("Gender identity"), care_record_get (patient, "gender_identity"));
  add_row (self, N_SECTIONS, _("Preferred language"), language_text);
  add_row (self, N_SECTIONS, _("Phone"), care_record_get (patient, "phone"));
  add_row (self, N_SECTIONS, _("Address"), address);
  add_row (self, N_SECTIONS, _("CCO member ID"), care_record_get (patient, "cco_member_id"));

  /* Registered twice and merged: say so, and let it be undone. */
  {
    Query *query = g_new0 (Query, 1);

    query->actor = g_strdup (self->actor);
    query->patient_id = g_strdup (care_record_get_id (patient));
    g_object_ref (self);
    care_store_run_async (self->store, merged_worker, query, query_free, (GDestroyNotify) g_free,
                          self->cancellable, on_merged_loaded_cb, self);
  }
}

static void
finish_one (CarePatientPage *self)
{
  if (self->pending > 0 && --self->pending == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
on_section_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  SectionLoad *load = user_data;
  CarePatientPage *self = load->self;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  Section section = load->section;

  g_free (load);
  records = care_store_list_finish (CARE_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  clear_group (self, section);
  if (records == NULL)
    add_empty_row (self, section, error->message);
  else if (section == SECTION_ALLERGIES)
    show_allergies (self, records);
  else if (section == SECTION_PROBLEMS)
    show_problems (self, records);
  else
    show_medications (self, records);

  finish_one (self);
}

static void
on_patient_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CarePatientPage *self = user_data;
  g_autoptr(CareRecord) patient = NULL;
  g_autoptr(GError) error = NULL;

  patient = care_store_get_finish (CARE_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (patient == NULL)
    gtk_label_set_label (self->summary_label, error->message);
  else
    show_patient (self, patient);

  finish_one (self);
}

static void
care_patient_page_dispose (GObject *object)
{
  CarePatientPage *self = CARE_PATIENT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), CARE_TYPE_PATIENT_PAGE);

  G_OBJECT_CLASS (care_patient_page_parent_class)->dispose (object);
}

static void
care_patient_page_finalize (GObject *object)
{
  CarePatientPage *self = CARE_PATIENT_PAGE (object);

  for (guint i = 0; i <= N_SECTIONS; i++)
    g_clear_pointer (&self->rows[i], g_ptr_array_unref);
  g_clear_pointer (&self->patient_id, g_free);
  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->mrn, g_free);

  G_OBJECT_CLASS (care_patient_page_parent_class)->finalize (object);
}

static void
care_patient_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CarePatientPage *self = CARE_PATIENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, care_patient_page_get_loaded (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_patient_page_class_init (CarePatientPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = care_patient_page_dispose;
  object_class->finalize = care_patient_page_finalize;
  object_class->get_property = care_patient_page_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/care-patient-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, allergy_banner);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, allergy_label);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, details_group);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, review_group);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, allergies_group);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, problems_group);
  gtk_widget_class_bind_template_child (widget_class, CarePatientPage, medications_group);
}

static void
care_patient_page_init (CarePatientPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i <= N_SECTIONS; i++)
    self->rows[i] = g_ptr_array_new ();
}

static void reload_after_review (gpointer user_data);

void
care_patient_page_load (CarePatientPage *self,
                        CareStore       *store,
                        const char      *actor,
                        const char      *patient_id)
{
  g_return_if_fail (CARE_IS_PATIENT_PAGE (self));
  g_return_if_fail (CARE_IS_STORE (store));
  g_return_if_fail (patient_id != NULL);

  /* Results for the previous patient must never land on this one. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_set_object (&self->store, store);
  if (self->actor != actor)
    {
      g_free (self->actor);
      self->actor = g_strdup (actor);
    }
  g_free (self->patient_id);
  self->patient_id = g_strdup (patient_id);
  g_clear_pointer (&self->mrn, g_free);
  self->pending = N_SECTIONS + 1;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  care_store_get_async (store, actor, "patients", patient_id, self->cancellable,
                        on_patient_loaded_cb, self);

  /* Decisions replication left for a person, on this patient's records. */
  gtk_widget_set_visible (GTK_WIDGET (self->review_group), FALSE);
  care_review_fill_async (self->review_group, store, actor, patient_id, CARE_REVIEW_CONFLICTS,
                          self->cancellable, G_CALLBACK (reload_after_review), self);

  for (guint i = 0; i < N_SECTIONS; i++)
    {
      SectionLoad *load = g_new0 (SectionLoad, 1);

      load->self = self;
      load->section = i;
      care_store_list_async (store, actor, sections[i].table, patient_id, sections[i].order_by,
                             self->cancellable, on_section_loaded_cb, load);
    }
}

/* A decision changed the record: show it as it is now. */
static void
reload_after_review (gpointer user_data)
{
  CarePatientPage *self = user_data;
  g_autofree char *id = g_strdup (self->patient_id);

  if (self->store != NULL && id != NULL)
    care_patient_page_load (self, self->store, self->actor, id);
}

const char *
care_patient_page_get_patient_id (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return self->patient_id;
}

gboolean
care_patient_page_get_loaded (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), FALSE);

  return self->patient_id != NULL && self->pending == 0;
}

const char *
care_patient_page_get_title (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return gtk_label_get_label (self->name_label);
}

const char *
care_patient_page_get_mrn (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return self->mrn;
}

guint
care_patient_page_count_rows (CarePatientPage *self,
                              const char      *section)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), 0);

  if (g_str_equal (section, "review"))
    return care_review_count (self->review_group);

  for (guint i = 0; i < N_SECTIONS; i++)
    if (g_str_equal (sections[i].name, section))
      {
        guint n = 0;

        /* Only real rows count, not the "none recorded" labels. */
        for (guint j = 0; j < self->rows[i]->len; j++)
          n += ADW_IS_ACTION_ROW (g_ptr_array_index (self->rows[i], j));
        return n;
      }

  return 0;
}

const char *
care_patient_page_get_allergy_text (CarePatientPage *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_PAGE (self), NULL);

  return gtk_label_get_label (self->allergy_label);
}
