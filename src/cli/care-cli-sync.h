/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int care_cli_id      (int argc, char **argv);
int care_cli_trust   (int argc, char **argv);
int care_cli_untrust (int argc, char **argv);
int care_cli_peers   (int argc, char **argv);
int care_cli_serve   (int argc, char **argv);
int care_cli_sync    (int argc, char **argv);
int care_cli_bundle  (int argc, char **argv);

G_END_DECLS
