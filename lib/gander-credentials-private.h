/* gander-credentials-private.h: password sources for the manager
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-credentials.h"
#include "gander-database.h"

G_BEGIN_DECLS

/* Makes @database ask the profile's password-source for its password when
 * it first connects (PostgreSQL only; not when a password was set or the
 * connection string holds one). */
void     gander_credentials_attach         (GanderProfile  *profile,
                                            GanderDatabase *database);

G_END_DECLS
