/* gander-sqlite-private.h: what other parts of libgander need of
 * GanderSqliteDatabase's connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sqlite3.h>

#include "gander-sqlite-database.h"

G_BEGIN_DECLS

/* The open connection (NULL when closed). Same rule as the backend's own
 * methods: one thread at a time, the one running the current operation. */
sqlite3    *gander_sqlite_database_get_handle   (GanderSqliteDatabase *self);

/* The absolute file SQLite opened, or NULL for an in-memory or temporary
 * database (or when closed). */
const char *gander_sqlite_database_get_filename (GanderSqliteDatabase *self);

G_END_DECLS
