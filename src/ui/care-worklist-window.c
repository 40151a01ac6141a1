/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-worklist-window"

#include "config.h"

#include <glib/gi18n.h>

#include "care-labels.h"
#include "care-record.h"
#include "care-text.h"
#include "care-worklist.h"
#include "care-worklist-window.h"

/* Rows are read from the store's worker in pages; at most MAX_PAGES of them stay
 * cached, so memory stays flat however far one scrolls (as CarePatientList). */
#define PAGE_SIZE 100
#define MAX_PAGES 16

/* The lists and what is above them share one width, clamped on wide screens. */
#define CONTENT_WIDTH 1200
#define CONTENT_TIGHTENING 1200

static const struct
{
  const char *id;
  const char *name;
} disciplines[] = {
  { "physician", N_("Physician") },
  { "nurse-practitioner", N_("Nurse practitioner") },
  { "nurse", N_("Nurse") },
  { "pharmacist", N_("Pharmacist") },
  { "behavioral-health", N_("Behavioral health") },
  { "social-worker", N_("Social worker") },
  { "care-coordinator", N_("Care coordinator") },
  { "front-desk", N_("Front desk") },
};

static const char *
status_name (const char *kind,
             const char *status)
{
  if (g_strcmp0 (kind, "referral") == 0)
    {
      if (g_strcmp0 (status, "active") == 0)
        return C_("referral status", "Sent, waiting");
      if (g_strcmp0 (status, "draft") == 0)
        return C_("referral status", "Draft");
    }
  else
    {
      if (g_strcmp0 (status, "requested") == 0)
        return C_("task status", "Requested");
    }
  if (g_strcmp0 (status, "in-progress") == 0)
    return _("In progress");
  if (g_strcmp0 (status, "on-hold") == 0)
    return _("On hold");

  return status ? status : "";
}

static const char *
priority_name (const char *priority)
{
  if (g_strcmp0 (priority, "urgent") == 0)
    return C_("priority", "Urgent");
  if (g_strcmp0 (priority, "asap") == 0)
    return C_("priority", "ASAP");
  if (g_strcmp0 (priority, "stat") == 0)
    return C_("priority", "STAT");

  return NULL;
}

/* "N open · M overdue" */
static char *
format_counts (guint open,
               guint overdue)
{
  g_autofree char *open_text = g_strdup_printf (ngettext ("%u open", "%u open", open), open);
  g_autofree char *overdue_text = g_strdup_printf (ngettext ("%u overdue", "%u overdue", overdue), overdue);

  return g_strdup_printf (_("%s · %s"), open_text, overdue_text);
}

static void
set_margins (GtkWidget *widget,
             int        top,
             int        sides,
             int        bottom)
{
  gtk_widget_set_margin_top (widget, top);
  gtk_widget_set_margin_bottom (widget, bottom);
  gtk_widget_set_margin_start (widget, sides);
  gtk_widget_set_margin_end (widget, sides);
}

/* CareWorkEntry: one row of a worklist, a placeholder until its page arrives. */

#define CARE_TYPE_WORK_ENTRY (care_work_entry_get_type ())
G_DECLARE_FINAL_TYPE (CareWorkEntry, care_work_entry, CARE, WORK_ENTRY, GObject)

struct _CareWorkEntry
{
  GObject       parent_instance;

  CareWorkItem *item;   /* NULL until loaded */
};

G_DEFINE_FINAL_TYPE (CareWorkEntry, care_work_entry, G_TYPE_OBJECT)

enum { ENTRY_PROP_0, ENTRY_PROP_LOADED, ENTRY_N_PROPS };
static GParamSpec *entry_properties[ENTRY_N_PROPS];

/* Takes @item. */
static void
care_work_entry_set_item (CareWorkEntry *self,
                          CareWorkItem  *item)
{
  g_clear_pointer (&self->item, care_work_item_free);
  self->item = item;
  g_object_notify_by_pspec (G_OBJECT (self), entry_properties[ENTRY_PROP_LOADED]);
}

static void
care_work_entry_finalize (GObject *object)
{
  g_clear_pointer (&CARE_WORK_ENTRY (object)->item, care_work_item_free);

  G_OBJECT_CLASS (care_work_entry_parent_class)->finalize (object);
}

static void
care_work_entry_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case ENTRY_PROP_LOADED:
      g_value_set_boolean (value, CARE_WORK_ENTRY (object)->item != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_work_entry_class_init (CareWorkEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = care_work_entry_finalize;
  object_class->get_property = care_work_entry_get_property;

  entry_properties[ENTRY_PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, ENTRY_N_PROPS, entry_properties);
}

static void
care_work_entry_init (CareWorkEntry *self)
{
}

/* CareWorkModel: a GListModel of CareWorkEntry over care_db_worklist(). Its
 * length is the query's total; get_item() never blocks: it hands out the
 * placeholders of the item's page and asks the worker for that page. */

#define CARE_TYPE_WORK_MODEL (care_work_model_get_type ())
G_DECLARE_FINAL_TYPE (CareWorkModel, care_work_model, CARE, WORK_MODEL, GObject)

struct _CareWorkModel
{
  GObject        parent_instance;

  CareStore     *store;
  CareWorkQuery *query;
  guint          n_items;
  GHashTable    *pages;        /* page number -> GPtrArray of CareWorkEntry */
  GQueue         page_order;   /* page numbers, most recently used first */
  GCancellable  *cancellable;  /* the current query's loads */
  guint          generation;
  gboolean       loading;      /* the first page and the total are on their way */
  gboolean       reset;        /* ...and will replace the list rather than refresh it */
  GError        *error;        /* the last load failed */
};

static void care_work_model_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CareWorkModel, care_work_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, care_work_model_list_init))

enum { MODEL_PROP_0, MODEL_PROP_LOADING, MODEL_N_PROPS };
static GParamSpec *model_properties[MODEL_N_PROPS];

typedef struct
{
  CareWorkQuery *query;
  guint          offset;
  guint          limit;
  gboolean       want_total;
} PageJob;

typedef struct
{
  GPtrArray *items;
  guint      total;
} PageResult;

typedef struct
{
  CareWorkModel *self;
  guint          generation;
  guint          page;
  gboolean       first;   /* the first page, with the total */
} PageLoad;

static void
page_job_free (gpointer data)
{
  PageJob *job = data;

  care_work_query_free (job->query);
  g_free (job);
}

static void
page_result_free (gpointer data)
{
  PageResult *result = data;

  g_clear_pointer (&result->items, g_ptr_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PageResult, page_result_free)

static gpointer
load_page_worker (CareDb        *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  PageJob *job = data;
  g_autoptr(PageResult) result = g_new0 (PageResult, 1);

  result->items = care_db_worklist (db, job->query, job->offset, job->limit,
                                    job->want_total ? &result->total : NULL, error);
  if (result->items == NULL)
    return NULL;

  return g_steal_pointer (&result);
}

static void
set_loading (CareWorkModel *self,
             gboolean       loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), model_properties[MODEL_PROP_LOADING]);
}

/* Hands @items (taken one by one) to the entries of @page. */
static void
fill_page (CareWorkModel *self,
           guint          page,
           GPtrArray     *items)
{
  GPtrArray *entries = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));

  if (entries == NULL)
    return;

  for (guint i = 0; i < entries->len && i < items->len; i++)
    {
      care_work_entry_set_item (g_ptr_array_index (entries, i), g_ptr_array_index (items, i));
      items->pdata[i] = NULL;
    }
}

static void request_page (CareWorkModel *self,
                          guint          page,
                          gboolean       first);

static GPtrArray *
add_page (CareWorkModel *self,
          guint          page)
{
  guint start = page * PAGE_SIZE;
  guint end = MIN (start + PAGE_SIZE, self->n_items);
  GPtrArray *entries = g_ptr_array_new_full (end - start, g_object_unref);

  for (guint i = start; i < end; i++)
    g_ptr_array_add (entries, g_object_new (CARE_TYPE_WORK_ENTRY, NULL));

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), entries);
  g_queue_push_head (&self->page_order, GUINT_TO_POINTER (page));
  while (g_queue_get_length (&self->page_order) > MAX_PAGES)
    g_hash_table_remove (self->pages, g_queue_pop_tail (&self->page_order));

  return entries;
}

static void
on_page_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PageLoad *load = user_data;
  CareWorkModel *self = load->self;
  g_autoptr(PageResult) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = care_store_run_finish (CARE_STORE (object), result, &error);

  if (load->generation != self->generation || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (loaded == NULL)
    {
      g_warning ("Could not read open work: %s", error->message);
      if (load->first)
        {
          g_clear_error (&self->error);
          self->error = g_steal_pointer (&error);
          set_loading (self, FALSE);
        }
    }
  else if (load->first && (self->reset || loaded->total != self->n_items))
    {
      /* Another list: every row changes. */
      guint old_n_items = self->n_items;

      g_hash_table_remove_all (self->pages);
      g_queue_clear (&self->page_order);
      g_clear_error (&self->error);
      self->n_items = loaded->total;
      if (self->n_items > 0)
        add_page (self, 0);
      fill_page (self, 0, loaded->items);
      set_loading (self, FALSE);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, self->n_items);
    }
  else if (load->first)
    {
      /* The same query, as many items: the rows refresh in place, and the list
       * keeps its scroll position. Other cached pages are read again. */
      g_autoptr(GList) pages = g_hash_table_get_keys (self->pages);

      g_clear_error (&self->error);
      fill_page (self, 0, loaded->items);
      for (GList *l = pages; l != NULL; l = l->next)
        if (GPOINTER_TO_UINT (l->data) != 0)
          request_page (self, GPOINTER_TO_UINT (l->data), FALSE);
      set_loading (self, FALSE);
    }
  else
    fill_page (self, load->page, loaded->items);

  g_object_unref (load->self);
  g_free (load);
}

static void
request_page (CareWorkModel *self,
              guint          page,
              gboolean       first)
{
  PageJob *job = g_new0 (PageJob, 1);
  PageLoad *load = g_new0 (PageLoad, 1);

  job->query = care_work_query_copy (self->query);
  job->offset = page * PAGE_SIZE;
  job->limit = PAGE_SIZE;
  job->want_total = first;

  load->self = g_object_ref (self);
  load->generation = self->generation;
  load->page = page;
  load->first = first;

  care_store_run_async (self->store, load_page_worker, job, page_job_free, page_result_free,
                        self->cancellable, on_page_loaded_cb, load);
}

static GPtrArray *
ensure_page (CareWorkModel *self,
             guint          page)
{
  GPtrArray *entries = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));

  if (entries != NULL)
    {
      if (g_queue_peek_head (&self->page_order) != GUINT_TO_POINTER (page))
        {
          g_queue_remove (&self->page_order, GUINT_TO_POINTER (page));
          g_queue_push_head (&self->page_order, GUINT_TO_POINTER (page));
        }
      return entries;
    }

  entries = add_page (self, page);
  request_page (self, page, FALSE);

  return entries;
}

static GType
care_work_model_get_item_type (GListModel *model)
{
  return CARE_TYPE_WORK_ENTRY;
}

static guint
care_work_model_get_n_items (GListModel *model)
{
  return CARE_WORK_MODEL (model)->n_items;
}

static gpointer
care_work_model_get_item (GListModel *model,
                          guint       position)
{
  CareWorkModel *self = CARE_WORK_MODEL (model);
  GPtrArray *entries;

  if (position >= self->n_items)
    return NULL;

  entries = ensure_page (self, position / PAGE_SIZE);
  if (position % PAGE_SIZE >= entries->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (entries, position % PAGE_SIZE));
}

static void
care_work_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = care_work_model_get_item_type;
  iface->get_n_items = care_work_model_get_n_items;
  iface->get_item = care_work_model_get_item;
}

static void
care_work_model_dispose (GObject *object)
{
  CareWorkModel *self = CARE_WORK_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (care_work_model_parent_class)->dispose (object);
}

static void
care_work_model_finalize (GObject *object)
{
  CareWorkModel *self = CARE_WORK_MODEL (object);

  g_clear_pointer (&self->query, care_work_query_free);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_queue_clear (&self->page_order);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (care_work_model_parent_class)->finalize (object);
}

static void
care_work_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case MODEL_PROP_LOADING:
      g_value_set_boolean (value, CARE_WORK_MODEL (object)->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_work_model_class_init (CareWorkModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = care_work_model_dispose;
  object_class->finalize = care_work_model_finalize;
  object_class->get_property = care_work_model_get_property;

  model_properties[MODEL_PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, MODEL_N_PROPS, model_properties);
}

static void
care_work_model_init (CareWorkModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->page_order);
}

/* Reads the list again for @query (taken; NULL: the same query). With @reset,
 * the list is replaced when it arrives (a new filter: back to the top);
 * otherwise rows refresh in place when the number of items is the same. */
static void
care_work_model_load (CareWorkModel *self,
                      CareWorkQuery *query,
                      gboolean       reset)
{
  if (query != NULL)
    {
      care_work_query_free (self->query);
      self->query = query;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->reset = reset;

  set_loading (self, TRUE);
  request_page (self, 0, TRUE);
}

static CareWorkModel *
care_work_model_new (CareStore     *store,
                     CareWorkQuery *query)
{
  CareWorkModel *self = g_object_new (CARE_TYPE_WORK_MODEL, NULL);

  self->store = g_object_ref (store);
  care_work_model_load (self, query, TRUE);

  return self;
}

/* CareWorklistWindow */

struct _CareWorklistWindow
{
  AdwWindow       parent_instance;

  CareStore      *store;
  char           *actor;
  char           *practitioner_id;
  char           *practitioner_name;
  char           *today;
  char           *titles;            /* care_worklist_window_get_titles() */
  GCancellable   *cancellable;       /* the clinics and the practitioner's name */
  GCancellable   *counts_cancellable;
  guint           refresh_id;

  AdwViewStack   *view_stack;

  /* My Work */
  CareWorkModel  *mine_model;        /* NULL with no practitioner */
  GtkStack       *mine_stack;
  GtkLabel       *mine_title;
  GtkLabel       *mine_summary;
  GtkWidget      *mine_hint;
  AdwStatusPage  *mine_error;

  /* All Open Work */
  CareWorkModel  *all_model;
  GtkStack       *all_stack;
  GtkWidget      *all_page;
  GtkSearchEntry *search_entry;
  GtkDropDown    *discipline_dropdown;
  GtkDropDown    *clinic_dropdown;
  GtkStringList  *clinic_names;
  GPtrArray      *clinic_ids;        /* beside the clinic dropdown's rows; [0] is NULL: all */
  GtkLabel       *all_summary;
  GtkWidget      *all_hint;
  GtkFlowBox     *discipline_summary;
  AdwStatusPage  *all_empty;
  AdwStatusPage  *all_error;
};

G_DEFINE_FINAL_TYPE (CareWorklistWindow, care_worklist_window, ADW_TYPE_WINDOW)

enum { OPEN_PATIENT, N_SIGNALS };
static guint signals[N_SIGNALS];

static CareWorkQuery *
mine_query (CareWorklistWindow *self)
{
  CareWorkQuery query = {
    .assignee_id = self->practitioner_id,
    .include_referrals = TRUE,
    .today = self->today,
  };

  return care_work_query_copy (&query);
}

static const char *
selected_discipline (CareWorklistWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->discipline_dropdown);

  return selected >= 1 && selected <= G_N_ELEMENTS (disciplines) ? disciplines[selected - 1].id : NULL;
}

static CareWorkQuery *
all_query (CareWorklistWindow *self,
           gboolean            with_discipline)
{
  guint clinic = gtk_drop_down_get_selected (self->clinic_dropdown);
  CareWorkQuery query = {
    .discipline = with_discipline ? selected_discipline (self) : NULL,
    .organization_id = clinic < self->clinic_ids->len ? g_ptr_array_index (self->clinic_ids, clinic) : NULL,
    .text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
    .include_referrals = TRUE,
    .today = self->today,
  };

  return care_work_query_copy (&query);
}

/* Rows */

typedef struct
{
  GtkWidget *title;
  GtkWidget *patient;
  GtkWidget *who;
  GtkWidget *priority;
  GtkWidget *overdue;
  GtkWidget *due;
} Row;

static GtkWidget *
add_label (GtkBox     *box,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);

  return label;
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  Row *row = g_new0 (Row, 1);

  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  row->title = add_label (GTK_BOX (text), "heading");
  row->patient = add_label (GTK_BOX (text), NULL);
  row->who = add_label (GTK_BOX (text), "dim-label");
  gtk_widget_add_css_class (row->who, "caption");

  row->priority = gtk_label_new (NULL);
  gtk_widget_add_css_class (row->priority, "acute-badge");
  row->overdue = gtk_label_new (_("Overdue"));
  gtk_widget_add_css_class (row->overdue, "overdue-badge");
  row->due = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->due), 1);
  gtk_label_set_width_chars (GTK_LABEL (row->due), 15);
  gtk_widget_add_css_class (row->due, "numeric");
  gtk_widget_set_valign (row->priority, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (row->overdue, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (row->due, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), row->priority);
  gtk_box_append (GTK_BOX (box), row->overdue);
  gtk_box_append (GTK_BOX (box), row->due);

  g_object_set_data_full (G_OBJECT (box), "row", row, g_free);
  gtk_list_item_set_child (list_item, box);
}

static void
update_row (GtkListItem *list_item)
{
  CareWorkEntry *entry = gtk_list_item_get_item (list_item);
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (list_item)), "row");
  CareWorkItem *item = entry != NULL ? entry->item : NULL;
  g_autofree char *title = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *who = NULL;
  g_autofree char *due = NULL;
  const char *priority;
  const char *status;

  if (item == NULL)
    {
      gtk_label_set_label (GTK_LABEL (row->title), "…");
      gtk_label_set_label (GTK_LABEL (row->patient), "");
      gtk_label_set_label (GTK_LABEL (row->who), "");
      gtk_label_set_label (GTK_LABEL (row->due), "");
      gtk_widget_set_visible (row->priority, FALSE);
      gtk_widget_set_visible (row->overdue, FALSE);
      return;
    }

  status = status_name (item->kind, item->status);
  if (g_strcmp0 (item->kind, "referral") == 0)
    {
      title = g_strdup_printf (_("Referral: %s"), item->title);
      if (item->assignee_name != NULL)
        /* Translators: a referral: who sent it · its status */
        who = g_strdup_printf (_("Requested by %s · %s"), item->assignee_name, status);
      else
        who = g_strdup (status);
    }
  else
    {
      title = g_strdup (item->title);
      if (item->assignee_name != NULL)
        /* Translators: a task: its assignee · discipline · status */
        who = g_strdup_printf (_("%s · %s · %s"), item->assignee_name, care_label_discipline (item->discipline), status);
      else
        /* Translators: a task waiting in its discipline's queue: discipline · status */
        who = g_strdup_printf (_("Unassigned · %s · %s"), care_label_discipline (item->discipline), status);
    }
  /* Translators: a patient's name · medical record number */
  patient = g_strdup_printf (_("%s · MRN %s"), item->patient_name ? item->patient_name : "–",
                             item->mrn ? item->mrn : "–");
  if (item->due_date != NULL)
    /* Translators: a task's due date (YYYY-MM-DD) */
    due = g_strdup_printf (_("Due %s"), item->due_date);
  else
    due = g_strdup (_("No due date"));

  gtk_label_set_label (GTK_LABEL (row->title), title);
  gtk_label_set_label (GTK_LABEL (row->patient), patient);
  gtk_label_set_label (GTK_LABEL (row->who), who);
  gtk_label_set_label (GTK_LABEL (row->due), due);
  if (item->overdue)
    gtk_widget_remove_css_class (row->due, "dim-label");
  else
    gtk_widget_add_css_class (row->due, "dim-label");

  priority = priority_name (item->priority);
  gtk_label_set_label (GTK_LABEL (row->priority), priority ? priority : "");
  gtk_widget_set_visible (row->priority, priority != NULL);
  gtk_widget_set_visible (row->overdue, item->overdue);
}

static void
on_entry_loaded_cb (CareWorkEntry *entry,
                    GParamSpec    *pspec,
                    GtkListItem   *list_item)
{
  update_row (list_item);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  CareWorkEntry *entry = gtk_list_item_get_item (list_item);

  update_row (list_item);
  g_signal_connect_object (entry, "notify::loaded", G_CALLBACK (on_entry_loaded_cb), list_item, 0);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  CareWorkEntry *entry = gtk_list_item_get_item (list_item);

  if (entry != NULL)
    g_signal_handlers_disconnect_by_func (entry, on_entry_loaded_cb, list_item);
}

static void
on_list_view_activate_cb (GtkListView        *list_view,
                          guint               position,
                          CareWorklistWindow *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list_view));
  g_autoptr(CareWorkEntry) entry = g_list_model_get_item (model, position);

  if (entry != NULL && entry->item != NULL && entry->item->patient_id != NULL)
    g_signal_emit (self, signals[OPEN_PATIENT], 0, entry->item->patient_id);
}

static GtkWidget *
make_list (CareWorklistWindow *self,
           CareWorkModel      *model,
           const char         *accessible_label)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkSingleSelection *selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (model)));
  GtkWidget *view, *clamp, *scroller;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  /* Nothing is chosen until someone does: selecting row 0 would load it. */
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);

  view = gtk_list_view_new (GTK_SELECTION_MODEL (selection), factory);
  gtk_list_view_set_show_separators (GTK_LIST_VIEW (view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  g_signal_connect (view, "activate", G_CALLBACK (on_list_view_activate_cb), self);

  clamp = adw_clamp_scrollable_new ();
  adw_clamp_scrollable_set_maximum_size (ADW_CLAMP_SCROLLABLE (clamp), CONTENT_WIDTH);
  adw_clamp_scrollable_set_tightening_threshold (ADW_CLAMP_SCROLLABLE (clamp), CONTENT_TIGHTENING);
  adw_clamp_scrollable_set_child (ADW_CLAMP_SCROLLABLE (clamp), view);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);

  return scroller;
}

/* Loading, empty, error or the list */
static void
show_model_state (GtkStack      *stack,
                  CareWorkModel *model,
                  AdwStatusPage *error_page,
                  GtkWidget     *hint)
{
  gtk_widget_set_visible (hint, model->error == NULL && model->n_items > 0);

  if (model->loading)
    {
      /* A new filter keeps showing the old list until the new one arrives. */
      if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "list") != 0)
        gtk_stack_set_visible_child_name (stack, "loading");
    }
  else if (model->error != NULL)
    {
      adw_status_page_set_description (error_page, model->error->message);
      gtk_stack_set_visible_child_name (stack, "error");
    }
  else
    gtk_stack_set_visible_child_name (stack, model->n_items > 0 ? "list" : "empty");
}

static void
on_mine_loading_cb (CareWorklistWindow *self)
{
  show_model_state (self->mine_stack, self->mine_model, self->mine_error, self->mine_hint);
}

static gboolean
filters_set (CareWorklistWindow *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));

  return gtk_drop_down_get_selected (self->discipline_dropdown) > 0 ||
         gtk_drop_down_get_selected (self->clinic_dropdown) > 0 ||
         *g_strstrip (text) != '\0';
}

static void
on_all_loading_cb (CareWorklistWindow *self)
{
  gboolean filtered = filters_set (self);

  adw_status_page_set_title (self->all_empty, filtered ? _("No Matching Work") : _("No Open Work"));
  adw_status_page_set_description (self->all_empty,
                                   filtered ? _("No open task or referral matches these filters.")
                                            : _("There are no open tasks or referrals."));
  show_model_state (self->all_stack, self->all_model, self->all_error, self->all_hint);
}

/* Summaries */

static void
on_summary_button_clicked_cb (GtkButton          *button,
                              CareWorklistWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "discipline-index"));

  /* A second click on the chosen discipline shows all of them again. */
  gtk_drop_down_set_selected (self->discipline_dropdown,
                              gtk_drop_down_get_selected (self->discipline_dropdown) == index ? 0 : index);
}

static GtkWidget *
make_summary_item (const char *name,
                   guint       open,
                   guint       overdue,
                   const char *tooltip)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label;
  g_autofree char *number = g_strdup_printf ("%u", open);
  g_autofree char *late = g_strdup_printf (ngettext ("%u overdue", "%u overdue", overdue), overdue);

  /* The discipline, then its open and overdue work on one line. */
  label = gtk_label_new (name);
  gtk_widget_add_css_class (label, "caption");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (number);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "numeric");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (line), label);
  label = gtk_label_new (late);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, overdue > 0 ? "error" : "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_BASELINE);
  gtk_box_append (GTK_BOX (line), label);
  gtk_box_append (GTK_BOX (box), line);
  gtk_widget_set_tooltip_text (box, tooltip);

  return box;
}

static void
show_all_counts (CareWorklistWindow *self,
                 GPtrArray          *counts)
{
  const char *chosen = selected_discipline (self);
  guint open = 0, overdue = 0;
  GtkWidget *child;
  g_autofree char *summary = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->discipline_summary))) != NULL)
    gtk_flow_box_remove (self->discipline_summary, child);

  /* Each discipline, and then referrals (of no discipline), with the clinics in
   * the tooltip. */
  for (guint d = 0; d <= G_N_ELEMENTS (disciplines); d++)
    {
      const char *id = d < G_N_ELEMENTS (disciplines) ? disciplines[d].id : NULL;
      g_autoptr(GString) tooltip = g_string_new (NULL);
      guint d_open = 0, d_overdue = 0;
      GtkWidget *item;

      for (guint i = 0; i < counts->len; i++)
        {
          CareWorkCount *count = g_ptr_array_index (counts, i);
          g_autofree char *line = NULL;

          if (g_strcmp0 (count->discipline, id) != 0)
            continue;
          d_open += count->open;
          d_overdue += count->overdue;
          line = format_counts (count->open, count->overdue);
          if (tooltip->len > 0)
            g_string_append_c (tooltip, '\n');
          /* Translators: a clinic's or discipline's name: its open and overdue work */
          g_string_append_printf (tooltip, C_("summary", "%s: %s"),
                                  count->organization_name ? count->organization_name : _("No clinic"), line);
        }
      if (id != NULL && g_strcmp0 (chosen, id) == 0)
        g_string_append_printf (tooltip, "\n%s", _("Click to show every discipline"));
      else if (id != NULL)
        g_string_append_printf (tooltip, "\n%s", _("Click to show only this discipline"));

      if (chosen == NULL || g_strcmp0 (chosen, id) == 0)
        {
          open += d_open;
          overdue += d_overdue;
        }
      if (d_open == 0)
        continue;

      item = make_summary_item (id != NULL ? _(disciplines[d].name) : C_("work summary", "Referrals"),
                                d_open, d_overdue, tooltip->str);
      if (id != NULL)
        {
          GtkWidget *button = gtk_button_new ();
          g_autofree char *counts_text = format_counts (d_open, d_overdue);
          g_autofree char *label = g_strdup_printf (C_("summary", "%s: %s"), _(disciplines[d].name), counts_text);

          gtk_widget_add_css_class (button, "flat");
          if (g_strcmp0 (chosen, id) == 0)
            gtk_widget_add_css_class (item, "accent");
          gtk_button_set_child (GTK_BUTTON (button), item);
          g_object_set_data (G_OBJECT (button), "discipline-index", GUINT_TO_POINTER (d + 1));
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
          g_signal_connect (button, "clicked", G_CALLBACK (on_summary_button_clicked_cb), self);
          item = button;
        }
      else
        /* Where a flat button's padding puts the others. */
        set_margins (item, 5, 10, 5);
      gtk_flow_box_append (self->discipline_summary, item);
      /* The button inside takes the focus; its flow box child need not. */
      gtk_widget_set_focusable (gtk_widget_get_parent (item), FALSE);
    }

  summary = format_counts (open, overdue);
  gtk_label_set_label (self->all_summary, summary);
}

static void
show_mine_counts (CareWorklistWindow *self,
                  GPtrArray          *counts)
{
  guint open = 0, overdue = 0;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < counts->len; i++)
    {
      CareWorkCount *count = g_ptr_array_index (counts, i);

      open += count->open;
      overdue += count->overdue;
    }

  summary = format_counts (open, overdue);
  gtk_label_set_label (self->mine_summary, summary);
}

static gpointer
count_work_worker (CareDb        *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return care_db_work_counts (db, data, error);
}

/* The window cancels its jobs when it goes away: a job that was not cancelled
 * finishes with the window still there. */
static GPtrArray *
finish_counts (GObject      *object,
               GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *counts = care_store_run_finish (CARE_STORE (object), result, &error);

  if (counts == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not count open work: %s", error->message);

  return counts;
}

static void
on_all_counts_loaded_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GPtrArray) counts = finish_counts (object, result);

  if (counts != NULL)
    show_all_counts (CARE_WORKLIST_WINDOW (user_data), counts);
}

static void
on_mine_counts_loaded_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GPtrArray) counts = finish_counts (object, result);

  if (counts != NULL)
    show_mine_counts (CARE_WORKLIST_WINDOW (user_data), counts);
}

static void
load_counts (CareWorklistWindow *self)
{
  g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);
  self->counts_cancellable = g_cancellable_new ();

  /* Per discipline whatever discipline is chosen: the summary shows them all. */
  care_store_run_async (self->store, count_work_worker, all_query (self, FALSE),
                        (GDestroyNotify) care_work_query_free, (GDestroyNotify) g_ptr_array_unref,
                        self->counts_cancellable, on_all_counts_loaded_cb, self);

  if (self->practitioner_id != NULL)
    care_store_run_async (self->store, count_work_worker, mine_query (self),
                          (GDestroyNotify) care_work_query_free, (GDestroyNotify) g_ptr_array_unref,
                          self->counts_cancellable, on_mine_counts_loaded_cb, self);
}

static void
on_filters_changed_cb (CareWorklistWindow *self)
{
  /* Dropdowns let go of their models when the window goes away. */
  if (self->all_model == NULL)
    return;

  care_work_model_load (self->all_model, all_query (self, TRUE), TRUE);
  load_counts (self);
}

/* Clinics and the practitioner */

static void
on_organizations_loaded_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  CareWorklistWindow *self;
  g_autoptr(GPtrArray) organizations = NULL;
  g_autoptr(GError) error = NULL;

  organizations = care_store_list_finish (CARE_STORE (object), result, &error);
  if (organizations == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the clinics: %s", error->message);
      return;
    }

  self = CARE_WORKLIST_WINDOW (user_data);
  for (guint i = 0; i < organizations->len; i++)
    {
      CareRecord *organization = g_ptr_array_index (organizations, i);

      if (g_strcmp0 (care_record_get (organization, "kind"), "clinic") != 0 ||
          g_strcmp0 (care_record_get (organization, "retired"), "1") == 0)
        continue;
      g_ptr_array_add (self->clinic_ids, g_strdup (care_record_get_id (organization)));
      gtk_string_list_append (self->clinic_names, care_record_get (organization, "name"));
    }
}

static void
on_practitioner_loaded_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  CareWorklistWindow *self;
  g_autoptr(CareRecord) practitioner = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  practitioner = care_store_get_finish (CARE_STORE (object), result, &error);
  if (practitioner == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the team member: %s", error->message);
      return;
    }

  self = CARE_WORKLIST_WINDOW (user_data);
  g_free (self->practitioner_name);
  self->practitioner_name = g_strdup_printf ("%s %s", care_record_get (practitioner, "given_name"),
                                             care_record_get (practitioner, "family_name"));
  /* Translators: the signed-in team member: name · discipline */
  title = g_strdup_printf (_("%s · %s"), self->practitioner_name,
                           care_label_discipline (care_record_get (practitioner, "discipline")));
  gtk_label_set_label (self->mine_title, title);
}

/* Changes */

static gboolean
refresh_cb (gpointer user_data)
{
  CareWorklistWindow *self = user_data;

  self->refresh_id = 0;
  /* A window left open overnight: what is overdue moves on. */
  g_free (self->today);
  self->today = care_text_today ();

  if (self->mine_model != NULL)
    care_work_model_load (self->mine_model, mine_query (self), FALSE);
  care_work_model_load (self->all_model, all_query (self, TRUE), FALSE);
  load_counts (self);

  return G_SOURCE_REMOVE;
}

static void
on_store_changed_cb (CareStore          *store,
                     const char         *table,
                     CareWorklistWindow *self)
{
  static const char * const tables[] = {
    "care_tasks", "referrals", "patients", "practitioners", "organizations", "patient_links", NULL
  };

  if (!g_strv_contains (tables, table) || self->refresh_id != 0)
    return;

  /* A burst of writes (a sync) refreshes once. */
  self->refresh_id = g_timeout_add (500, refresh_cb, self);
}

static gboolean
focus_search_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  CareWorklistWindow *self = CARE_WORKLIST_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "all");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));

  return TRUE;
}

/* Building */

static GtkWidget *
make_status_page (const char *icon,
                  const char *title,
                  const char *description)
{
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), icon);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (page), description);
  gtk_widget_set_vexpand (page, TRUE);

  return page;
}

static GtkWidget *
make_loading_page (void)
{
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  C_("worklist", "Loading"), -1);

  return spinner;
}

static GtkWidget *
clamped (GtkWidget *child)
{
  GtkWidget *clamp = adw_clamp_new ();

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), CONTENT_WIDTH);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), CONTENT_TIGHTENING);
  adw_clamp_set_child (ADW_CLAMP (clamp), child);

  return clamp;
}

/* A line of counts, and how to open a patient at its end. */
static GtkWidget *
make_summary_line (GtkLabel  **summary,
                   GtkWidget **hint,
                   const char *css_class)
{
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (line), label);
  *summary = GTK_LABEL (label);

  label = gtk_label_new (_("Double-click a row to open the patient"));
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_visible (label, FALSE);
  gtk_box_append (GTK_BOX (line), label);
  *hint = label;

  return line;
}

static GtkWidget *
build_mine_page (CareWorklistWindow *self)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *box, *header, *label, *page;

  self->mine_stack = GTK_STACK (stack);

  page = make_status_page ("avatar-default-symbolic", _("Who Are You?"),
                           _("Choose who you are to see the tasks assigned to you, the work waiting for your "
                             "discipline and the referrals you sent."));
  gtk_stack_add_named (self->mine_stack, page, "choose");
  gtk_stack_add_named (self->mine_stack, make_loading_page (), "loading");
  page = make_status_page ("emblem-ok-symbolic", _("Nothing to Do"),
                           _("No open tasks or referrals for you or your discipline."));
  gtk_stack_add_named (self->mine_stack, page, "empty");
  page = make_status_page ("dialog-error-symbolic", _("Could Not Read the Work"), NULL);
  self->mine_error = ADW_STATUS_PAGE (page);
  gtk_stack_add_named (self->mine_stack, page, "error");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  set_margins (header, 12, 18, 12);
  label = gtk_label_new (_("My Work"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "title-4");
  self->mine_title = GTK_LABEL (label);
  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (GTK_BOX (header), make_summary_line (&self->mine_summary, &self->mine_hint, "dim-label"));
  gtk_box_append (GTK_BOX (box), clamped (header));
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  if (self->mine_model != NULL)
    gtk_box_append (GTK_BOX (box), make_list (self, self->mine_model, _("My Work")));
  gtk_stack_add_named (self->mine_stack, box, "list");

  gtk_stack_set_visible_child_name (self->mine_stack, self->mine_model != NULL ? "loading" : "choose");

  return stack;
}

static GtkWidget *
build_all_page (CareWorklistWindow *self)
{
  g_autoptr(GtkStringList) discipline_names = gtk_string_list_new (NULL);
  GtkWidget *box, *top, *bar, *widget, *page;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->all_page = box;
  top = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  set_margins (bar, 12, 18, 6);
  widget = gtk_search_entry_new ();
  gtk_widget_set_hexpand (widget, TRUE);
  g_object_set (widget, "placeholder-text", _("Search by patient, MRN or task"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search open work by patient, MRN or task"), -1);
  gtk_search_entry_set_key_capture_widget (GTK_SEARCH_ENTRY (widget), box);
  self->search_entry = GTK_SEARCH_ENTRY (widget);
  gtk_box_append (GTK_BOX (bar), widget);

  gtk_string_list_append (discipline_names, _("All disciplines"));
  for (guint i = 0; i < G_N_ELEMENTS (disciplines); i++)
    gtk_string_list_append (discipline_names, _(disciplines[i].name));
  widget = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (discipline_names)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  C_("filter", "Discipline"), -1);
  gtk_widget_set_tooltip_text (widget, C_("filter", "Discipline"));
  self->discipline_dropdown = GTK_DROP_DOWN (widget);
  gtk_box_append (GTK_BOX (bar), widget);

  self->clinic_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->clinic_names, _("All clinics"));
  widget = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->clinic_names)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  C_("filter", "Clinic"), -1);
  gtk_widget_set_tooltip_text (widget, _("The patient’s clinic"));
  self->clinic_dropdown = GTK_DROP_DOWN (widget);
  gtk_box_append (GTK_BOX (bar), widget);
  gtk_box_append (GTK_BOX (top), bar);

  widget = make_summary_line (&self->all_summary, &self->all_hint, "heading");
  set_margins (widget, 6, 18, 0);
  gtk_box_append (GTK_BOX (top), widget);

  widget = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (widget), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (widget), 9);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (widget), 0);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (widget), 0);
  set_margins (widget, 0, 12, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Open work per discipline"), -1);
  self->discipline_summary = GTK_FLOW_BOX (widget);
  gtk_box_append (GTK_BOX (top), widget);
  gtk_box_append (GTK_BOX (box), clamped (top));
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  widget = gtk_stack_new ();
  self->all_stack = GTK_STACK (widget);
  gtk_stack_add_named (self->all_stack, make_loading_page (), "loading");
  page = make_status_page ("edit-find-symbolic", _("No Open Work"), NULL);
  self->all_empty = ADW_STATUS_PAGE (page);
  gtk_stack_add_named (self->all_stack, page, "empty");
  page = make_status_page ("dialog-error-symbolic", _("Could Not Read the Work"), NULL);
  self->all_error = ADW_STATUS_PAGE (page);
  gtk_stack_add_named (self->all_stack, page, "error");
  gtk_stack_add_named (self->all_stack, make_list (self, self->all_model, _("All Open Work")), "list");
  gtk_stack_set_visible_child_name (self->all_stack, "loading");
  gtk_box_append (GTK_BOX (box), widget);

  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_filters_changed_cb), self);
  g_signal_connect_swapped (self->discipline_dropdown, "notify::selected",
                            G_CALLBACK (on_filters_changed_cb), self);
  g_signal_connect_swapped (self->clinic_dropdown, "notify::selected",
                            G_CALLBACK (on_filters_changed_cb), self);

  return box;
}

static void
build (CareWorklistWindow *self)
{
  GtkWidget *box, *header, *title, *switcher_bar;
  AdwViewStackPage *page;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = adw_view_switcher_title_new ();
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (title), _("Open Work"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);

  self->view_stack = ADW_VIEW_STACK (adw_view_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->view_stack), TRUE);
  page = adw_view_stack_add_titled (self->view_stack, build_mine_page (self), "mine", _("My Work"));
  adw_view_stack_page_set_icon_name (page, "avatar-default-symbolic");
  page = adw_view_stack_add_titled (self->view_stack, build_all_page (self), "all", _("All Open Work"));
  adw_view_stack_page_set_icon_name (page, "view-list-symbolic");
  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (title), self->view_stack);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->view_stack));

  /* Narrow windows: the switcher moves to the bottom. */
  switcher_bar = adw_view_switcher_bar_new ();
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (switcher_bar), self->view_stack);
  g_object_bind_property (title, "title-visible", switcher_bar, "reveal", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (box), switcher_bar);

  adw_window_set_content (ADW_WINDOW (self), box);

  /* The coordinator's view when no one has said who they are. */
  if (self->practitioner_id == NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, "all");
}

static void
care_worklist_window_dispose (GObject *object)
{
  CareWorklistWindow *self = CARE_WORKLIST_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  /* The lists keep their models until they go too: no more news from them. */
  if (self->mine_model != NULL)
    g_signal_handlers_disconnect_by_data (self->mine_model, self);
  if (self->all_model != NULL)
    g_signal_handlers_disconnect_by_data (self->all_model, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->mine_model);
  g_clear_object (&self->all_model);
  g_clear_object (&self->clinic_names);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (care_worklist_window_parent_class)->dispose (object);
}

static void
care_worklist_window_finalize (GObject *object)
{
  CareWorklistWindow *self = CARE_WORKLIST_WINDOW (object);

  g_free (self->actor);
  g_free (self->practitioner_id);
  g_free (self->practitioner_name);
  g_free (self->today);
  g_free (self->titles);
  g_clear_pointer (&self->clinic_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (care_worklist_window_parent_class)->finalize (object);
}

static void
care_worklist_window_class_init (CareWorklistWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = care_worklist_window_dispose;
  object_class->finalize = care_worklist_window_finalize;

  /**
   * CareWorklistWindow::open-patient:
   * @patient_id: the patient the activated row is about (a merged patient's survivor)
   *
   * Emitted when a row is activated, so the main window can open the patient.
   */
  signals[OPEN_PATIENT] =
    g_signal_new ("open-patient", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, focus_search_cb, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
care_worklist_window_init (CareWorklistWindow *self)
{
  self->clinic_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->clinic_ids, NULL);
  self->today = care_text_today ();

  gtk_window_set_title (GTK_WINDOW (self), _("Open Work"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1180, 780);
}

GtkWindow *
care_worklist_window_new (GtkWindow  *parent,
                          CareStore  *store,
                          const char *actor,
                          const char *practitioner_id)
{
  CareWorklistWindow *self;
  CareWorkQuery all = { .include_referrals = TRUE };

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CARE_IS_STORE (store), NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  self = g_object_new (CARE_TYPE_WORKLIST_WINDOW, NULL);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
    }
  self->store = g_object_ref (store);
  self->actor = g_strdup (actor);
  if (practitioner_id != NULL && *practitioner_id != '\0')
    self->practitioner_id = g_strdup (practitioner_id);
  self->cancellable = g_cancellable_new ();

  all.today = self->today;
  self->all_model = care_work_model_new (store, care_work_query_copy (&all));
  if (self->practitioner_id != NULL)
    self->mine_model = care_work_model_new (store, mine_query (self));

  build (self);

  g_signal_connect_object (self->all_model, "notify::loading", G_CALLBACK (on_all_loading_cb), self,
                           G_CONNECT_SWAPPED);
  if (self->mine_model != NULL)
    {
      g_signal_connect_object (self->mine_model, "notify::loading", G_CALLBACK (on_mine_loading_cb), self,
                               G_CONNECT_SWAPPED);
      care_store_get_async (store, actor, "practitioners", self->practitioner_id, self->cancellable,
                            on_practitioner_loaded_cb, self);
    }
  care_store_list_async (store, actor, "organizations", NULL, "name", self->cancellable,
                         on_organizations_loaded_cb, self);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed_cb), self, 0);
  load_counts (self);

  return GTK_WINDOW (self);
}

void
care_worklist_window_set_view (CareWorklistWindow *self,
                               const char         *view)
{
  g_return_if_fail (CARE_IS_WORKLIST_WINDOW (self));
  g_return_if_fail (g_strcmp0 (view, "mine") == 0 || g_strcmp0 (view, "all") == 0);

  adw_view_stack_set_visible_child_name (self->view_stack, view);
}

static CareWorkModel *
visible_model (CareWorklistWindow *self)
{
  const char *view = adw_view_stack_get_visible_child_name (self->view_stack);

  return g_strcmp0 (view, "mine") == 0 ? self->mine_model : self->all_model;
}

gboolean
care_worklist_window_get_loaded (CareWorklistWindow *self)
{
  CareWorkModel *model;

  g_return_val_if_fail (CARE_IS_WORKLIST_WINDOW (self), FALSE);

  model = visible_model (self);

  return model == NULL || (!model->loading && model->error == NULL);
}

guint
care_worklist_window_get_n_items (CareWorklistWindow *self)
{
  CareWorkModel *model;

  g_return_val_if_fail (CARE_IS_WORKLIST_WINDOW (self), 0);

  model = visible_model (self);

  return model != NULL ? model->n_items : 0;
}

const char *
care_worklist_window_get_titles (CareWorklistWindow *self)
{
  g_autoptr(GString) titles = g_string_new (NULL);
  CareWorkModel *model;

  g_return_val_if_fail (CARE_IS_WORKLIST_WINDOW (self), NULL);

  /* Only what has been read: asking for more would load it. */
  model = visible_model (self);
  for (guint page = 0; model != NULL && page * PAGE_SIZE < model->n_items; page++)
    {
      GPtrArray *entries = g_hash_table_lookup (model->pages, GUINT_TO_POINTER (page));

      for (guint i = 0; entries != NULL && i < entries->len; i++)
        {
          CareWorkEntry *entry = g_ptr_array_index (entries, i);

          if (entry->item != NULL)
            g_string_append_printf (titles, "%s%s", titles->len > 0 ? "\n" : "", entry->item->title);
        }
    }

  g_free (self->titles);
  self->titles = g_string_free (g_steal_pointer (&titles), FALSE);

  return self->titles;
}
