/* gander-paths-private.h: where libgander keeps its own state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The directory for Gander's persistent state (circuit breakers; later
 * backups and the credential store): $GANDER_STATE_DIR when set (tests,
 * packagers), else /var/lib/gander for root, else
 * $XDG_STATE_HOME/gander (g_get_user_state_dir()). Not created here: each
 * user creates the subdirectory it needs, with the mode it needs. */
char            *gander_get_state_dir              (void);

G_END_DECLS
