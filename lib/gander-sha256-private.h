/* gander-sha256-private.h: SHA-256 for migration checksums
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lower-case hex SHA-256 of @data (64 characters). @portable forces the
 * plain C block function, so tests can compare it with the CPU's. */
char            *gander_sha256_hex                 (const void      *data,
                                                    gsize            len,
                                                    gboolean         portable);

G_END_DECLS
