/* gander-sqlite-private.h: private API of the SQLite backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sqlite3.h>

#include "gander-sqlite-database.h"

G_BEGIN_DECLS

/* The open connection, or NULL. For health checks and backups that need
 * to read rows or copy pages; the caller must not close it and must use
 * it only from the thread that runs the database's operations. */
sqlite3    *gander_sqlite_database_get_handle   (GanderSqliteDatabase *self);

/* The absolute file SQLite opened, or NULL for an in-memory or temporary
 * database (or when closed). */
const char *gander_sqlite_database_get_filename (GanderSqliteDatabase *self);

G_END_DECLS
