/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "care-catalog"

#include "config.h"

#include <string.h>

#include "care-catalog.h"

/*
 * A reader of GNU gettext's compiled catalogs (the .mo format of the gettext
 * manual, "The Format of GNU MO Files"): a header of 32-bit words in the
 * writer's byte order (the magic number tells which), then a table of original
 * strings and a table of translations, each entry a length and an offset of a
 * NUL-terminated string. The hash table that speeds up gettext's own lookups is
 * not needed: every text goes into a GHashTable. Every length and offset is
 * checked against the file's size, so a damaged file is refused, not read past.
 *
 * Keys are as gettext writes them: "context\004msgid" for a text with a
 * context. Plural entries ("singular\0plural") are left out: choosing a form
 * needs the catalog's Plural-Forms formula, and no text read this way has one.
 */

#define MO_MAGIC       0x950412deU
#define MO_HEADER_SIZE 28

struct _CareCatalog
{
  char       *language;   /* the catalog found, or NULL */
  GHashTable *texts;      /* key -> translation (UTF-8) */
};

G_DEFINE_QUARK (care-catalog-error-quark, care_catalog_error)

/* Interned, so a reader never holds a freed string. */
static const char *locale_dir_override;

void
care_catalog_set_locale_dir (const char *dir)
{
  g_atomic_pointer_set (&locale_dir_override, dir ? g_intern_string (dir) : NULL);
}

const char *
care_catalog_get_locale_dir (void)
{
  const char *dir = g_atomic_pointer_get (&locale_dir_override);

  return dir ? dir : LOCALEDIR;
}

static CareCatalog *
catalog_new_empty (void)
{
  CareCatalog *self = g_new0 (CareCatalog, 1);

  self->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
care_catalog_free (CareCatalog *self)
{
  if (self == NULL)
    return;

  g_free (self->language);
  g_hash_table_unref (self->texts);
  g_free (self);
}

/* The .mo reader ---------------------------------------------------------- */

typedef struct
{
  const guint8 *data;
  gsize         size;
  gboolean      swap;
} MoFile;

static gboolean
read_word (const MoFile *mo,
           guint64       offset,
           guint32      *out)
{
  guint32 word;

  if (offset > mo->size || mo->size - offset < 4)
    return FALSE;
  memcpy (&word, mo->data + offset, 4);
  *out = mo->swap ? GUINT32_SWAP_LE_BE (word) : word;
  return TRUE;
}

/* Entry @index of the table at @table: the string, NUL-terminated within the
 * file; its length (without the NUL) in @length. */
static const char *
read_string (const MoFile *mo,
             guint32       table,
             guint32       index,
             guint32      *length)
{
  guint32 offset;

  if (!read_word (mo, (guint64) table + 8 * (guint64) index, length) ||
      !read_word (mo, (guint64) table + 8 * (guint64) index + 4, &offset))
    return NULL;
  if ((guint64) offset + *length >= mo->size || mo->data[(gsize) offset + *length] != '\0')
    return NULL;

  return (const char *) mo->data + offset;
}

/* "charset=ISO-8859-1" in the catalog's header entry, or NULL. */
static char *
header_charset (const char *header)
{
  const char *start = strstr (header, "charset=");
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen ("charset=");
  for (end = start; *end != '\0' && !g_ascii_isspace (*end) && *end != ';'; end++)
    ;

  return end > start ? g_strndup (start, end - start) : NULL;
}

/* The printf directives of @format, each as "argument:type" ("1:d", "2:s"),
 * or NULL when a directive is not one printf takes (or is %n). Types
 * that take the same argument are one type: %i is %d, %x is %u. */
static GPtrArray *
format_directives (const char *format)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  guint next = 1;

  for (const char *p = format; *p != '\0'; p++)
    {
      guint position = 0;
      const char *q;
      char length[3] = "";
      char type;

      if (*p != '%')
        continue;
      p++;
      if (*p == '%')
        continue;

      /* "%2$s": an argument by its number. */
      for (q = p; g_ascii_isdigit (*q); q++)
        position = position * 10 + (guint) (*q - '0');
      if (q > p && *q == '$' && position > 0 && position < 100)
        p = q + 1;
      else
        position = 0;

      while (*p != '\0' && strchr ("-+ #0'I", *p) != NULL)
        p++;
      /* Width and precision: digits, or "*" (an int argument of their own). */
      for (guint part = 0; part < 2; part++)
        {
          if (part == 1)
            {
              if (*p != '.')
                break;
              p++;
            }
          if (*p == '*')
            {
              guint star = 0;

              p++;
              for (q = p; g_ascii_isdigit (*q); q++)
                star = star * 10 + (guint) (*q - '0');
              if (q > p && *q == '$' && star > 0 && star < 100)
                p = q + 1;
              else
                star = next++;
              g_ptr_array_add (found, g_strdup_printf ("%02u:*", star));
            }
          else
            while (g_ascii_isdigit (*p))
              p++;
        }

      if (*p == 'h' || *p == 'l')
        {
          length[0] = *p++;
          if (*p == length[0])
            length[1] = *p++;
        }
      else if (*p != '\0' && strchr ("LqjzZt", *p) != NULL)
        length[0] = *p++;

      switch (*p)
        {
        case 'd': case 'i':
          type = 'd';
          break;
        case 'o': case 'u': case 'x': case 'X':
          type = 'u';
          break;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
          type = 'f';
          break;
        case 'c': case 's': case 'p': case 'C': case 'S':
          type = *p;
          break;
        default:
          return NULL;  /* %n, or not a directive */
        }

      g_ptr_array_add (found, g_strdup_printf ("%02u:%s%c", position ? position : next++, length, type));
    }

  return g_steal_pointer (&found);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Whether printf would take the same arguments for @translation as for
 * @original, when @original is a printf format. */
static gboolean
same_directives (const char *original,
                 const char *translation)
{
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;

  if (strchr (original, '%') == NULL && strchr (translation, '%') == NULL)
    return TRUE;
  /* Not a printf format ("%-d %B %Y" is for g_date_time_format()). */
  if ((a = format_directives (original)) == NULL)
    return TRUE;
  if ((b = format_directives (translation)) == NULL)
    return FALSE;
  if (a->len != b->len)
    return FALSE;

  g_ptr_array_sort (a, compare_strings);
  g_ptr_array_sort (b, compare_strings);
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      return FALSE;

  return TRUE;
}

CareCatalog *
care_catalog_new_from_bytes (GBytes  *bytes,
                             GError **error)
{
  g_autoptr(CareCatalog) self = NULL;
  g_autofree char *charset = NULL;
  MoFile mo;
  guint32 magic, revision, n_strings, originals, translations;
  gboolean utf8 = TRUE;

  g_return_val_if_fail (bytes != NULL, NULL);

  mo.data = g_bytes_get_data (bytes, &mo.size);
  mo.swap = FALSE;
  if (mo.size < MO_HEADER_SIZE || !read_word (&mo, 0, &magic))
    goto invalid;
  if (magic != MO_MAGIC)
    {
      if (GUINT32_SWAP_LE_BE (magic) != MO_MAGIC)
        goto invalid;
      mo.swap = TRUE;
    }
  /* Major revisions 0 and 1 share the tables read here (1 adds strings that
   * depend on the system, which our catalogs do not have). */
  if (!read_word (&mo, 4, &revision) || (revision >> 16) > 1 ||
      !read_word (&mo, 8, &n_strings) || !read_word (&mo, 12, &originals) ||
      !read_word (&mo, 16, &translations))
    goto invalid;
  if ((guint64) n_strings * 8 > mo.size ||
      (guint64) originals + (guint64) n_strings * 8 > mo.size ||
      (guint64) translations + (guint64) n_strings * 8 > mo.size)
    goto invalid;

  self = catalog_new_empty ();
  for (guint32 i = 0; i < n_strings; i++)
    {
      guint32 key_length, text_length;
      const char *key = read_string (&mo, originals, i, &key_length);
      const char *text = read_string (&mo, translations, i, &text_length);
      g_autofree char *converted = NULL;
      const char *msgid;

      if (key == NULL || text == NULL)
        goto invalid;

      /* The header: the catalog's own description, with its charset. */
      if (*key == '\0')
        {
          g_clear_pointer (&charset, g_free);
          charset = header_charset (text);
          utf8 = charset == NULL || g_ascii_strcasecmp (charset, "UTF-8") == 0 ||
                 g_ascii_strcasecmp (charset, "UTF8") == 0;
          continue;
        }
      /* Untranslated; or a plural entry ("singular\0plural"), whose forms are
       * chosen by the catalog's Plural-Forms formula, which is not read. */
      if (*text == '\0' || strlen (key) < key_length)
        continue;

      if (!utf8)
        {
          if (!(converted = g_convert (text, -1, "UTF-8", charset, NULL, NULL, NULL)))
            continue;
          text = converted;
        }
      if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (text, -1, NULL))
        continue;

      msgid = strchr (key, '\004') ? strchr (key, '\004') + 1 : key;
      if (!same_directives (msgid, text))
        {
          g_debug ("Ignoring the translation of “%s”: its printf directives differ", msgid);
          continue;
        }

      g_hash_table_replace (self->texts, g_strdup (key), g_strdup (text));
    }

  return g_steal_pointer (&self);

invalid:
  g_set_error_literal (error, CARE_CATALOG_ERROR, CARE_CATALOG_ERROR_INVALID,
                       "Not a translation catalog, or a damaged one");
  return NULL;
}

/* The catalog names to try for @language, most specific first ("es_MX", "es"),
 * or NULL when @language is not a language tag (it names a file path). */
static GStrv
catalog_names (const char *language)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) subtags = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *primary = NULL;
  gsize length;

  if (language == NULL)
    return NULL;

  /* POSIX "es_MX.UTF-8@euro": the part before the encoding and modifier. */
  length = strcspn (language, ".@");
  if (length == 0 || length > 35)
    return NULL;
  tag = g_strndup (language, length);
  for (char *p = tag; *p != '\0'; p++)
    {
      if (*p == '_')
        *p = '-';
      else if (!g_ascii_isalnum (*p) && *p != '-')
        return NULL;
    }

  subtags = g_strsplit (tag, "-", -1);
  length = strlen (subtags[0]);
  if (length < 2 || length > 8)
    return NULL;
  for (const char *p = subtags[0]; *p != '\0'; p++)
    if (!g_ascii_isalpha (*p))
      return NULL;
  primary = g_ascii_strdown (subtags[0], -1);

  /* The region: the first subtag of two letters or three digits ("zh-Hant-TW"). */
  for (guint i = 1; subtags[i] != NULL; i++)
    {
      const char *s = subtags[i];
      gboolean region = (strlen (s) == 2 && g_ascii_isalpha (s[0]) && g_ascii_isalpha (s[1])) ||
                        (strlen (s) == 3 && g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) &&
                         g_ascii_isdigit (s[2]));

      if (region)
        {
          g_autofree char *upper = g_ascii_strup (s, -1);
          g_autofree char *name = g_strdup_printf ("%s_%s", primary, upper);

          g_strv_builder_add (names, name);
          break;
        }
    }
  g_strv_builder_add (names, primary);

  return g_strv_builder_end (names);
}

CareCatalog *
care_catalog_new (const char *language)
{
  g_auto(GStrv) names = catalog_names (language);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (care_catalog_get_locale_dir (), names[i], "LC_MESSAGES",
                                                GETTEXT_PACKAGE ".mo", NULL);
      g_autoptr(GMappedFile) file = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      CareCatalog *self;

      if (!(file = g_mapped_file_new (path, FALSE, &error)))
        {
          if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            g_warning ("Cannot read the catalog %s: %s", path, error->message);
          continue;
        }

      bytes = g_mapped_file_get_bytes (file);
      if (!(self = care_catalog_new_from_bytes (bytes, &error)))
        {
          g_warning ("Ignoring the catalog %s: %s", path, error->message);
          continue;
        }
      self->language = g_strdup (names[i]);
      return self;
    }

  return catalog_new_empty ();
}

const char *
care_catalog_get_language (CareCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->language;
}

const char *
care_catalog_gettext (CareCatalog *self,
                      const char  *msgid)
{
  const char *text;

  g_return_val_if_fail (self != NULL, msgid);
  g_return_val_if_fail (msgid != NULL, NULL);

  text = g_hash_table_lookup (self->texts, msgid);
  return text ? text : msgid;
}

const char *
care_catalog_pgettext (CareCatalog *self,
                       const char  *context,
                       const char  *msgid)
{
  g_autofree char *key = NULL;
  const char *text;

  g_return_val_if_fail (self != NULL, msgid);
  g_return_val_if_fail (context != NULL, msgid);
  g_return_val_if_fail (msgid != NULL, NULL);

  key = g_strconcat (context, "\004", msgid, NULL);
  text = g_hash_table_lookup (self->texts, key);
  return text ? text : msgid;
}
