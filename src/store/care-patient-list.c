/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-patient-list"

#include "config.h"

#include "care-patient.h"
#include "care-patient-list.h"

#define PAGE_SIZE 100
/* At most this many pages stay cached: memory stays flat however far one scrolls. */
#define MAX_PAGES 16

struct _CarePatientList
{
  GObject       parent_instance;

  CareStore    *store;
  char         *actor;
  char         *query;
  GArray       *seqs;           /* gint64, the matching patients in list order */
  GHashTable   *pages;          /* page number -> GPtrArray of CarePatient */
  GQueue        page_order;     /* page numbers, most recently used first */
  GCancellable *cancellable;    /* for the current search and its page loads */
  guint         generation;
  gboolean      searching;
};

static void care_patient_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CarePatientList, care_patient_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, care_patient_list_model_init))

enum { PROP_0, PROP_QUERY, PROP_SEARCHING, PROP_N_ITEMS, N_PROPS };
static GParamSpec *properties[N_PROPS];

typedef struct
{
  CarePatientList *self;
  guint            generation;
  guint            page;
} PageLoad;

static void
set_searching (CarePatientList *self,
               gboolean         searching)
{
  if (self->searching == searching)
    return;

  self->searching = searching;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCHING]);
}

static void
on_page_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PageLoad *load = user_data;
  CarePatientList *self = load->self;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *placeholders;

  loaded = care_store_load_patients_finish (CARE_STORE (object), result, &error);

  if (loaded != NULL && load->generation == self->generation &&
      (placeholders = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (load->page))))
    {
      for (guint i = 0; i < placeholders->len && i < loaded->len; i++)
        care_patient_update_from (g_ptr_array_index (placeholders, i), g_ptr_array_index (loaded, i));
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not load a page of patients: %s", error->message);

  g_object_unref (self);
  g_free (load);
}

static GPtrArray *
ensure_page (CarePatientList *self,
             guint            page)
{
  GPtrArray *placeholders = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  guint start = page * PAGE_SIZE;
  guint end = MIN (start + PAGE_SIZE, self->seqs->len);
  PageLoad *load;

  if (placeholders != NULL)
    {
      /* Most recently used pages stay at the head. */
      if (g_queue_peek_head (&self->page_order) != GUINT_TO_POINTER (page))
        {
          g_queue_remove (&self->page_order, GUINT_TO_POINTER (page));
          g_queue_push_head (&self->page_order, GUINT_TO_POINTER (page));
        }
      return placeholders;
    }

  placeholders = g_ptr_array_new_full (end - start, g_object_unref);
  for (guint i = start; i < end; i++)
    g_ptr_array_add (placeholders, care_patient_new (g_array_index (self->seqs, gint64, i)));

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), placeholders);
  g_queue_push_head (&self->page_order, GUINT_TO_POINTER (page));

  while (g_queue_get_length (&self->page_order) > MAX_PAGES)
    g_hash_table_remove (self->pages, g_queue_pop_tail (&self->page_order));

  load = g_new0 (PageLoad, 1);
  load->self = g_object_ref (self);
  load->generation = self->generation;
  load->page = page;
  care_store_load_patients_async (self->store, self->actor,
                                  &g_array_index (self->seqs, gint64, start), end - start,
                                  self->cancellable, on_page_loaded_cb, load);

  return placeholders;
}

static GType
care_patient_list_get_item_type (GListModel *model)
{
  return CARE_TYPE_PATIENT;
}

static guint
care_patient_list_get_n_items (GListModel *model)
{
  return CARE_PATIENT_LIST (model)->seqs->len;
}

static gpointer
care_patient_list_get_item (GListModel *model,
                            guint       position)
{
  CarePatientList *self = CARE_PATIENT_LIST (model);
  GPtrArray *page;

  if (position >= self->seqs->len)
    return NULL;

  page = ensure_page (self, position / PAGE_SIZE);

  return g_object_ref (g_ptr_array_index (page, position % PAGE_SIZE));
}

static void
care_patient_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = care_patient_list_get_item_type;
  iface->get_n_items = care_patient_list_get_n_items;
  iface->get_item = care_patient_list_get_item;
}

static void
on_search_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CarePatientList) self = user_data;
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GError) error = NULL;
  guint old_len;

  seqs = care_store_search_finish (CARE_STORE (object), result, &error);
  if (seqs == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Patient search failed: %s", error->message);
          set_searching (self, FALSE);
        }
      return;
    }

  old_len = self->seqs->len;
  g_array_unref (self->seqs);
  self->seqs = g_steal_pointer (&seqs);
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->page_order);

  set_searching (self, FALSE);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->seqs->len);
  if (old_len != self->seqs->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
start_search (CarePatientList *self)
{
  /* A newer search makes the older one and its page loads pointless. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;

  set_searching (self, TRUE);
  care_store_search_async (self->store, self->actor, self->query, self->cancellable,
                           on_search_done_cb, g_object_ref (self));
}

static void
care_patient_list_dispose (GObject *object)
{
  CarePatientList *self = CARE_PATIENT_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (care_patient_list_parent_class)->dispose (object);
}

static void
care_patient_list_finalize (GObject *object)
{
  CarePatientList *self = CARE_PATIENT_LIST (object);

  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->seqs, g_array_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_queue_clear (&self->page_order);

  G_OBJECT_CLASS (care_patient_list_parent_class)->finalize (object);
}

static void
care_patient_list_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CarePatientList *self = CARE_PATIENT_LIST (object);

  switch (prop_id)
    {
    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;
    case PROP_SEARCHING:
      g_value_set_boolean (value, self->searching);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->seqs->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
care_patient_list_class_init (CarePatientListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = care_patient_list_dispose;
  object_class->finalize = care_patient_list_finalize;
  object_class->get_property = care_patient_list_get_property;

  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEARCHING] =
    g_param_spec_boolean ("searching", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
care_patient_list_init (CarePatientList *self)
{
  self->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->page_order);
}

CarePatientList *
care_patient_list_new (CareStore  *store,
                       const char *actor)
{
  CarePatientList *self;

  g_return_val_if_fail (CARE_IS_STORE (store), NULL);
  g_return_val_if_fail (actor != NULL, NULL);

  self = g_object_new (CARE_TYPE_PATIENT_LIST, NULL);
  self->store = g_object_ref (store);
  self->actor = g_strdup (actor);

  return self;
}

void
care_patient_list_set_query (CarePatientList *self,
                             const char      *query)
{
  g_return_if_fail (CARE_IS_PATIENT_LIST (self));

  g_free (self->query);
  self->query = g_strdup (query ? query : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);

  start_search (self);
}

const char *
care_patient_list_get_query (CarePatientList *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_LIST (self), NULL);

  return self->query;
}

gboolean
care_patient_list_get_searching (CarePatientList *self)
{
  g_return_val_if_fail (CARE_IS_PATIENT_LIST (self), FALSE);

  return self->searching;
}

void
care_patient_list_refresh (CarePatientList *self)
{
  g_return_if_fail (CARE_IS_PATIENT_LIST (self));

  start_search (self);
}

int
care_patient_list_find_loaded (CarePatientList *self,
                               const char      *id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (CARE_IS_PATIENT_LIST (self), -1);

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *page = value;

      for (guint i = 0; i < page->len; i++)
        if (g_strcmp0 (care_patient_get_id (g_ptr_array_index (page, i)), id) == 0)
          return (int) (GPOINTER_TO_UINT (key) * PAGE_SIZE + i);
    }

  return -1;
}
