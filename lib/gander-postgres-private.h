/* gander-postgres-private.h: private API of the PostgreSQL backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "gander-postgres-database.h"

G_BEGIN_DECLS

/* goose's lock.DefaultLockID (CRC-32 of "goose"): Gander and goose's
 * Provider take the same session advisory lock so they exclude each other. */
#define GANDER_POSTGRES_LOCK_ID G_GINT64_CONSTANT (4097083626)

/* The open connection, or NULL. For health checks and tests that need to
 * read rows; the caller must not close it or use it from another thread. */
PGconn *gander_postgres_database_get_connection (GanderPostgresDatabase *self);

/* Runs one query of Gander's own (extended protocol, @n_params text
 * parameters) on the open connection and returns its rows, or NULL with
 * @error (G_IO_ERROR_CANCELLED when @cancellable fired). Pending writes
 * go first; the session's timeouts apply. For health checks and backups. */
PGresult *gander_postgres_database_query (GanderPostgresDatabase  *self,
                                          const char              *sql,
                                          int                      n_params,
                                          const char * const      *params,
                                          GCancellable            *cancellable,
                                          GError                 **error);

/* Whether the open connection is dead (the server ended the session, the
 * network went away): gander_database_open() then connects again. */
gboolean gander_postgres_database_connection_lost (GanderPostgresDatabase *self);

G_END_DECLS
