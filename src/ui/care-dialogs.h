/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Something failed: @heading says what, @message why, in full (a toast would cut
 * it short); the person closes it. */
void care_show_error (GtkWindow  *parent,
                      const char *heading,
                      const char *message);

G_END_DECLS
