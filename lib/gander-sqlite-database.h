/* gander-sqlite-database.h: GanderDatabase on SQLite
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include "gander-database.h"

G_BEGIN_DECLS

#define GANDER_TYPE_SQLITE_DATABASE (gander_sqlite_database_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderSqliteDatabase, gander_sqlite_database, GANDER, SQLITE_DATABASE, GanderDatabase)

GANDER_AVAILABLE_IN_ALL
GanderDatabase *gander_sqlite_database_new              (const char           *dsn);
GANDER_AVAILABLE_IN_ALL
guint           gander_sqlite_database_get_busy_timeout (GanderSqliteDatabase *self);
GANDER_AVAILABLE_IN_ALL
void            gander_sqlite_database_set_busy_timeout (GanderSqliteDatabase *self,
                                                         guint                 msec);

G_END_DECLS
