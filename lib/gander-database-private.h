/* gander-database-private.h: helpers shared by the database backends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-database.h"

G_BEGIN_DECLS

/* The version-table and side-table writes. Private since 0.2: only the
 * migrator writes these tables (backends implement the vfuncs, which stay
 * public). Documented in gander-database.c. */
gboolean        gander_database_ensure_version_table (GanderDatabase *self,
                                                      GCancellable   *cancellable,
                                                      GError        **error);
gboolean        gander_database_create_version_table (GanderDatabase *self,
                                                      GError        **error);
gboolean        gander_database_insert_version   (GanderDatabase  *self,
                                                  gint64           version,
                                                  GError         **error);
gboolean        gander_database_delete_version   (GanderDatabase  *self,
                                                  gint64           version,
                                                  GError         **error);
gboolean        gander_database_ensure_side_table (GanderDatabase *self,
                                                   GError        **error);
gboolean        gander_database_write_side_row   (GanderDatabase  *self,
                                                  const GanderSideRow *row,
                                                  GError         **error);
gboolean        gander_database_delete_side_row  (GanderDatabase  *self,
                                                  gint64           version,
                                                  GError         **error);

/* For the backends only: the connection string as given, and the password
 * of gander_database_set_password() (NULL when none). */
const char *gander_database_get_connect_dsn (GanderDatabase *self);
const char *gander_database_get_password    (GanderDatabase *self);

/* A closed SQLite database whose file does not exist yet: it holds
 * nothing, and opening it would create the file, which a read, a refusal
 * or a dry run must not leave behind. */
gboolean    gander_database_is_absent       (GanderDatabase *self);
/* A SQLite database's file, from its connection string (NULL: in memory,
 * or not SQLite). */
char       *gander_database_dup_sqlite_path (GanderDatabase *self);

/* Set the clear functions on arrays returned by list_versions and
 * list_side_rows so callers can just unref them. */
GArray *gander_version_rows_new (void);
GArray *gander_side_rows_new    (void);

void    gander_version_row_clear (GanderVersionRow *row);
void    gander_side_row_clear    (GanderSideRow    *row);

/* The side table's state column, read the same by every backend: an
 * unknown word (a later Gander's, or damage) is "running", the state that
 * makes a human decide, never "pending", which would run it again. */
GanderMigrationState gander_database_state_from_string (const char *text);

/* The side table's timestamps: UTC, microseconds, on every backend. */
#define GANDER_SIDE_TIMESTAMP_FORMAT "%Y-%m-%d %H:%M:%S.%f"
char   *gander_side_timestamp_now    (void);

/* Side-table file names that any byte sequence survives (PostgreSQL
 * refuses text that is not UTF-8); see gander-database.c for the scheme.
 * gander_database_write_side_row() encodes, list_side_rows decodes. */
char   *gander_side_filename_encode  (const char *name);
char   *gander_side_filename_decode  (const char *stored);

/* Sleeps @usec, waking at once when @cancellable fires. Returns FALSE
 * (without setting an error) when it is cancelled. */
gboolean gander_database_sleep (GCancellable *cancellable,
                                gint64        usec);

/* One attempt at a backend's run lock: TRUE with *@acquired set, or FALSE
 * with @error for a failure that waiting will not cure. */
typedef gboolean (*GanderTryLockFunc) (GanderDatabase  *self,
                                       gboolean        *acquired,
                                       gpointer         user_data,
                                       GError         **error);

/* Who holds the run lock, as a phrase for messages (newly allocated). */
typedef char *(*GanderDescribeLockFunc) (GanderDatabase  *self,
                                         gpointer         user_data);

/* The run lock's wait, shared by the backends: tries @try_lock, sleeping
 * between attempts (from @first_delay_us, doubling up to @max_delay_us)
 * until #GanderDatabase:lock-wait-timeout has passed. A cancel during a
 * sleep ends it at once with %G_IO_ERROR_CANCELLED. On timeout it returns
 * FALSE with *@timed_out set and no error: the backend says who holds the
 * lock. After about a second of waiting it logs one notice (level INFO,
 * field GANDER_NOTICE=lock-wait, GANDER_LOCK_HOLDER from @describe,
 * GANDER_LOCK_TIMEOUT_MS), which the CLI shows. */
gboolean gander_database_wait_for_lock (GanderDatabase     *self,
                                        GanderTryLockFunc   try_lock,
                                        GanderDescribeLockFunc describe,
                                        gpointer            user_data,
                                        gint64              first_delay_us,
                                        gint64              max_delay_us,
                                        GCancellable       *cancellable,
                                        gboolean           *timed_out,
                                        GError            **error);

/* Whether this connection holds the run lock: gander_database_lock()
 * nests, counting its calls (see there). */
gboolean gander_database_holds_lock (GanderDatabase *self);

/* `user@host`, for the side table's applied_by column. */
const char *gander_database_applied_by (void);

/* Where in the SQL text given to gander_database_exec() the last failure
 * happened: a 1-based line within that text, or 0 when the backend cannot
 * tell. Backends set it when they report an exec error; exec resets it. */
void    gander_database_set_error_line (GanderDatabase *self,
                                        guint           line);
guint   gander_database_get_error_line (GanderDatabase *self);

/* 1 + the number of newlines in @sql before byte @offset. */
guint   gander_sql_line_at_offset      (const char     *sql,
                                        gsize           offset);

G_END_DECLS
