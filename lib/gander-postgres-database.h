/* gander-postgres-database.h: GanderDatabase on PostgreSQL (libpq)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include "gander-database.h"

G_BEGIN_DECLS

#define GANDER_TYPE_POSTGRES_DATABASE (gander_postgres_database_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderPostgresDatabase, gander_postgres_database, GANDER, POSTGRES_DATABASE, GanderDatabase)

GANDER_AVAILABLE_IN_ALL
GanderDatabase *gander_postgres_database_new                   (const char             *dsn);
GANDER_AVAILABLE_IN_ALL
guint           gander_postgres_database_get_statement_timeout (GanderPostgresDatabase *self);
GANDER_AVAILABLE_IN_ALL
void            gander_postgres_database_set_statement_timeout (GanderPostgresDatabase *self,
                                                                guint                   msec);
GANDER_AVAILABLE_IN_ALL
guint           gander_postgres_database_get_lock_timeout      (GanderPostgresDatabase *self);
GANDER_AVAILABLE_IN_ALL
void            gander_postgres_database_set_lock_timeout      (GanderPostgresDatabase *self,
                                                                guint                   msec);

G_END_DECLS
