/* gander-migration-status-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-migration-status.h"

G_BEGIN_DECLS

/* @applied_at: goose's tstamp as the database renders it (parsed with
 * gander_parse_db_timestamp()) */
GanderMigrationStatus *gander_migration_status_new (GanderMigration      *migration,
                                                    GanderMigrationState  state,
                                                    const char           *applied_at,
                                                    const char           *recorded_checksum,
                                                    gboolean              modified);

/* An applied version no migration file carries (an orphan). */
GanderMigrationStatus *gander_migration_status_new_missing (gint64      version,
                                                            const char *recorded_name,
                                                            const char *applied_at,
                                                            const char *recorded_checksum,
                                                            const char *renamed_to);

/* A timestamp as SQLite (`YYYY-MM-DD HH:MM:SS[.fff…]`) or PostgreSQL
 * (`timestamp` / `timestamptz` text from libpq, fraction and offset
 * optional, `T` accepted for the space) render it, as a UTC GDateTime;
 * text without an offset is UTC (goose's tables store UTC). NULL if @text
 * is NULL or not such a timestamp. */
GDateTime *gander_parse_db_timestamp (const char *text);

G_END_DECLS
