/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-discovery"

#include "config.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-glib/glib-watch.h>

#include "care-discovery.h"
#include "care-identity.h"

struct _CareDiscovery
{
  GObject              parent_instance;

  char                *device_id;
  char                *name;       /* as announced, after collisions */
  guint                port;       /* 0: announce nothing */
  gboolean             browsing;

  AvahiGLibPoll       *poll;
  AvahiClient         *client;
  AvahiEntryGroup     *group;
  AvahiServiceBrowser *browser;

  GHashTable          *found;      /* device id -> "name\taddress" */
  GHashTable          *ranks;      /* device id -> how good its address is (GINT) */
  GHashTable          *services;   /* "interface/protocol/name" -> device id */
};

G_DEFINE_FINAL_TYPE (CareDiscovery, care_discovery, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_client (CareDiscovery *self);

/* Announcing */

static void publish (CareDiscovery *self);

static void
take_next_name (CareDiscovery *self)
{
  char *next = avahi_alternative_service_name (self->name);

  g_free (self->name);
  self->name = g_strdup (next);
  avahi_free (next);
}

/* Another machine announces the same name: take the next one ("Front desk #2"). */
static void
on_group (AvahiEntryGroup      *group,
          AvahiEntryGroupState  state,
          void                 *user_data)
{
  CareDiscovery *self = user_data;

  if (state == AVAHI_ENTRY_GROUP_COLLISION)
    {
      take_next_name (self);
      avahi_entry_group_reset (group);
      publish (self);
    }
}

static void
publish (CareDiscovery *self)
{
  g_autofree char *txt_id = g_strdup_printf ("id=%s", self->device_id);
  int rc = 0;

  if (self->port == 0)
    return;
  if (self->group == NULL)
    self->group = avahi_entry_group_new (self->client, on_group, self);
  if (self->group == NULL || !avahi_entry_group_is_empty (self->group))
    return;

  for (int tries = 0; tries < 20; tries++)
    {
      rc = avahi_entry_group_add_service (self->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0, self->name,
                                          CARE_DISCOVERY_SERVICE_TYPE, NULL, NULL, (uint16_t) self->port,
                                          txt_id, "v=1", NULL);
      if (rc != AVAHI_ERR_COLLISION)
        break;
      /* The name is taken on this machine already (another instance). */
      take_next_name (self);
    }
  if (rc < 0 || (rc = avahi_entry_group_commit (self->group)) < 0)
    g_debug ("Could not announce this computer on the LAN: %s", avahi_strerror (rc));
}

/* Finding */

static char *
service_key (AvahiIfIndex   interface,
             AvahiProtocol  protocol,
             const char    *name)
{
  return g_strdup_printf ("%d/%d/%s", interface, protocol, name);
}

/* Which of a machine's addresses to dial: one on the LAN first; a link-local
 * IPv6 address cannot be dialled without its interface, so never. */
static int
address_rank (const AvahiAddress *address)
{
  if (address->proto == AVAHI_PROTO_INET)
    return (g_ntohl (address->data.ipv4.address) >> 24) == 127 ? 1 : 3;

  if (address->data.ipv6.address[0] == 0xfe && (address->data.ipv6.address[1] & 0xc0) == 0x80)
    return 0;
  return 2;
}

static void
on_resolved (AvahiServiceResolver   *resolver,
             AvahiIfIndex            interface,
             AvahiProtocol           protocol,
             AvahiResolverEvent      event,
             const char             *name,
             const char             *type,
             const char             *domain,
             const char             *host_name,
             const AvahiAddress     *address,
             uint16_t                port,
             AvahiStringList        *txt,
             AvahiLookupResultFlags  flags,
             void                   *user_data)
{
  CareDiscovery *self = user_data;
  AvahiStringList *id_entry = txt ? avahi_string_list_find (txt, "id") : NULL;
  char *key = NULL, *value = NULL;
  g_autofree char *device_id = NULL;
  char text[AVAHI_ADDRESS_STR_MAX];
  int rank;

  if (event != AVAHI_RESOLVER_FOUND || address == NULL || id_entry == NULL ||
      avahi_string_list_get_pair (id_entry, &key, &value, NULL) != 0 || value == NULL)
    goto out;

  /* Never this machine itself; its other instances (another clinic tried side by
   * side on one computer) count. */
  device_id = care_identity_parse_device_id (value);
  if (device_id == NULL || g_strcmp0 (device_id, self->device_id) == 0)
    goto out;

  rank = address_rank (address);
  if (rank == 0)
    goto out;
  g_hash_table_insert (self->services, service_key (interface, protocol, name), g_strdup (device_id));
  if (g_hash_table_contains (self->ranks, device_id) &&
      GPOINTER_TO_INT (g_hash_table_lookup (self->ranks, device_id)) > rank)
    goto out;

  avahi_address_snprint (text, sizeof text, address);
  g_hash_table_insert (self->ranks, g_strdup (device_id), GINT_TO_POINTER (rank));
  g_hash_table_insert (self->found, g_strdup (device_id),
                       g_strdup_printf (address->proto == AVAHI_PROTO_INET6 ? "%s\t[%s]:%u" : "%s\t%s:%u",
                                        name, text, port));
  g_signal_emit (self, signals[CHANGED], 0);

out:
  avahi_free (key);
  avahi_free (value);
  avahi_service_resolver_free (resolver);
}

/* A machine stopped announcing itself on one interface: it is gone once no
 * interface has it. */
static void
forget (CareDiscovery *self,
        const char    *key)
{
  g_autofree char *stolen_key = NULL;
  g_autofree char *device_id = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!g_hash_table_steal_extended (self->services, key, (gpointer *) &stolen_key, (gpointer *) &device_id))
    return;

  g_hash_table_iter_init (&iter, self->services);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (value, device_id))
      return;

  g_hash_table_remove (self->found, device_id);
  g_hash_table_remove (self->ranks, device_id);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_browse (AvahiServiceBrowser    *browser,
           AvahiIfIndex            interface,
           AvahiProtocol           protocol,
           AvahiBrowserEvent       event,
           const char             *name,
           const char             *type,
           const char             *domain,
           AvahiLookupResultFlags  flags,
           void                   *user_data)
{
  CareDiscovery *self = user_data;

  if (event == AVAHI_BROWSER_NEW)
    avahi_service_resolver_new (self->client, interface, protocol, name, type, domain,
                                AVAHI_PROTO_UNSPEC, 0, on_resolved, self);
  else if (event == AVAHI_BROWSER_REMOVE)
    {
      g_autofree char *key = service_key (interface, protocol, name);

      forget (self, key);
    }
}

/* The daemon */

static void
forget_all (CareDiscovery *self)
{
  gboolean had_any = g_hash_table_size (self->found) > 0;

  g_hash_table_remove_all (self->found);
  g_hash_table_remove_all (self->ranks);
  g_hash_table_remove_all (self->services);
  if (had_any)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_client (AvahiClient      *client,
           AvahiClientState  state,
           void             *user_data)
{
  CareDiscovery *self = user_data;

  /* Called from avahi_client_new() already, before it returns. */
  self->client = client;

  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
      publish (self);
      if (self->browsing && self->browser == NULL)
        self->browser = avahi_service_browser_new (client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                   CARE_DISCOVERY_SERVICE_TYPE, NULL, 0, on_browse, self);
      break;

    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      /* The host name changes: announce again once it is settled. */
      if (self->group != NULL)
        avahi_entry_group_reset (self->group);
      break;

    case AVAHI_CLIENT_FAILURE:
      /* The daemon went away (restarted, stopped): wait for it to come back.
       * The client's groups and browsers go with it. */
      self->group = NULL;
      self->browser = NULL;
      forget_all (self);
      if (avahi_client_errno (client) == AVAHI_ERR_DISCONNECTED)
        {
          avahi_client_free (client);
          self->client = NULL;
          start_client (self);
        }
      break;

    case AVAHI_CLIENT_CONNECTING:
    default:
      break;
    }
}

static void
start_client (CareDiscovery *self)
{
  int error = 0;

  /* NO_FAIL: without a daemon yet, wait for one instead of giving up. */
  if (avahi_client_new (avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL, on_client, self, &error) == NULL)
    g_debug ("No DNS-SD (%s): paired computers are reached at the address given when pairing",
             avahi_strerror (error));
}

/* Object */

static void
care_discovery_finalize (GObject *object)
{
  CareDiscovery *self = CARE_DISCOVERY (object);

  /* The client frees its groups, browsers and resolvers. */
  g_clear_pointer (&self->client, avahi_client_free);
  g_clear_pointer (&self->poll, avahi_glib_poll_free);
  g_clear_pointer (&self->found, g_hash_table_unref);
  g_clear_pointer (&self->ranks, g_hash_table_unref);
  g_clear_pointer (&self->services, g_hash_table_unref);
  g_free (self->device_id);
  g_free (self->name);

  G_OBJECT_CLASS (care_discovery_parent_class)->finalize (object);
}

static void
care_discovery_class_init (CareDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = care_discovery_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
care_discovery_init (CareDiscovery *self)
{
  self->found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ranks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

CareDiscovery *
care_discovery_new (const char *device_id,
                    const char *name,
                    guint       port)
{
  CareDiscovery *self;
  gsize length;

  g_return_val_if_fail (device_id != NULL, NULL);
  g_return_val_if_fail (name != NULL && g_utf8_validate (name, -1, NULL), NULL);

  self = g_object_new (CARE_TYPE_DISCOVERY, NULL);
  self->device_id = g_strdup (device_id);
  /* A DNS label holds 63 bytes, and a collision adds " #2". */
  length = MIN (strlen (name), 56);
  while (length > 0 && !g_utf8_validate_len (name, length, NULL))
    length--;
  self->name = g_strndup (name, length);
  self->port = port;
  self->poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
  start_client (self);

  return self;
}

void
care_discovery_browse (CareDiscovery *self)
{
  g_return_if_fail (CARE_IS_DISCOVERY (self));

  self->browsing = TRUE;
  if (self->client != NULL && avahi_client_get_state (self->client) == AVAHI_CLIENT_S_RUNNING &&
      self->browser == NULL)
    on_client (self->client, AVAHI_CLIENT_S_RUNNING, self);
}

const char *
care_discovery_get_name (CareDiscovery *self)
{
  g_return_val_if_fail (CARE_IS_DISCOVERY (self), NULL);

  return self->name;
}

GHashTable *
care_discovery_get_found (CareDiscovery *self)
{
  g_return_val_if_fail (CARE_IS_DISCOVERY (self), NULL);

  return self->found;
}
