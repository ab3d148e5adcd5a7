/* gander-error-private.h: helpers shared by every part of libgander
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     gander_set_cancelled_error (GError     **error,
                                     const char  *format,
                                     ...) G_GNUC_PRINTF (2, 3);
gboolean gander_error_is_cancelled  (const GError *error);

/* Binds the library's text domain (once; gander-i18n.c). */
void gander_i18n_ensure (void);

G_END_DECLS
