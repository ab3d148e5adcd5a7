/* gander-credentials-private.h: password sources for the manager
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-credentials.h"
#include "gander-database.h"

G_BEGIN_DECLS

/* The largest secret read from a file or a descriptor, in bytes. */
#define GANDER_SECRET_MAX 4096

/* Reads a secret from @fd up to EOF: at most GANDER_SECRET_MAX bytes, one
 * trailing "\n" (or "\r\n") dropped. Empty, longer or holding a NUL byte
 * → @code of GANDER_ERROR, its message naming @what (never the secret).
 * Free the result with gander_credentials_wipe(). */
char    *gander_credentials_read_secret_fd (int          fd,
                                            const char  *what,
                                            int          code,
                                            GError     **error);

/* Overwrites and frees a string that may hold a secret (NULL is fine). */
void     gander_credentials_wipe           (char        *secret);

/* Makes @database ask the profile's password-source for its password when
 * it first connects (PostgreSQL only; not when a password was set or the
 * connection string holds one). */
void     gander_credentials_attach         (GanderProfile  *profile,
                                            GanderDatabase *database);

G_END_DECLS
