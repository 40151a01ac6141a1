/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "caremesh"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "care-application.h"

/* Without a GPU, GTK's GL renderer runs on Mesa's software rasterizer: slower
 * than the cairo renderer for a window like ours, and some 70 MB heavier. Old
 * clinic PCs and virtual machines often have no GPU, so there we choose cairo
 * (unless the user chose a renderer). See docs/decisions.md. */
static void
choose_renderer (void)
{
  g_autoptr(GDir) dri = NULL;
  const char *name;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;

  if ((dri = g_dir_open ("/dev/dri", 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dri)) != NULL)
      if (g_str_has_prefix (name, "renderD") || g_str_has_prefix (name, "card"))
        return;

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(CareApplication) application = NULL;

  choose_renderer ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = care_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
