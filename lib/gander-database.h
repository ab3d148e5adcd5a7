/* gander-database.h: an abstract connection to one database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-enums.h"

G_BEGIN_DECLS

#define GANDER_TYPE_DATABASE (gander_database_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GanderDatabase, gander_database, GANDER, DATABASE, GObject)

/**
 * GANDER_DEFAULT_TABLE_NAME:
 *
 * goose's default version table name.
 *
 * Since: 0.1
 */
#define GANDER_DEFAULT_TABLE_NAME "goose_db_version"

/**
 * GanderVersionRow:
 * @version_id: the migration version (0 for the row created with the table)
 * @is_applied: goose's is_applied column (old goose wrote %FALSE rows)
 * @tstamp: the tstamp column as the database renders it, in UTC for SQLite
 *   (`YYYY-MM-DD HH:MM:SS`)
 *
 * One row of goose's version table.
 *
 * Since: 0.1
 */
typedef struct {
  gint64    version_id;
  gboolean  is_applied;
  char     *tstamp;
} GanderVersionRow;

/**
 * GanderSideRow:
 * @version_id: the migration version
 * @filename: the migration's base name
 * @checksum: SHA-256 of the file, lower-case hex
 * @state: %GANDER_MIGRATION_STATE_RUNNING while a non-transactional
 *   migration runs, %GANDER_MIGRATION_STATE_APPLIED after
 * @applied_by: who applied it (`user@host`)
 * @applied_at: when, in UTC as `YYYY-MM-DD HH:MM:SS.ffffff` (rows written
 *   before 0.2 may have fewer decimals); when writing, %NULL for now
 * @duration_us: how long applying took, in microseconds
 *
 * One row of Gander's side table, which keeps what goose's version table
 * cannot: checksum, author, duration and the running marker.
 *
 * Since: 0.1
 */
typedef struct {
  gint64                version_id;
  char                 *filename;
  char                 *checksum;
  GanderMigrationState  state;
  char                 *applied_by;
  char                 *applied_at;
  gint64                duration_us;
} GanderSideRow;

/**
 * GanderDatabaseClass:
 * @parent_class: the parent class
 * @get_dialect: the goose dialect name (`sqlite3`, `postgres`)
 * @open: connect; called once
 * @close: disconnect; must be safe to call when not open
 * @exec: run SQL text that may hold several commands, without parameters
 * @begin: start a transaction
 * @commit: commit it
 * @rollback: roll it back; must be safe to call after a failed statement
 * @lock: take the run lock that keeps concurrent runners apart, waiting at
 *   most #GanderDatabase:lock-wait-timeout
 * @unlock: release it
 * @interrupt: abort the statement running in another thread (thread-safe)
 * @version_table_exists: whether the version table exists
 * @create_version_table: goose's CREATE TABLE plus the version-0 row (the
 *   caller holds the transaction)
 * @insert_version: goose's INSERT of `(version, true)`
 * @delete_version: goose's DELETE of every row of a version
 * @list_versions: every row of the version table, newest id first
 * @ensure_side_table: create Gander's side table if missing
 * @write_side_row: insert or replace one side-table row
 * @delete_side_row: delete one side-table row
 * @list_side_rows: every side-table row, ascending version
 *
 * The virtual methods a database backend implements. Every method runs in
 * the thread that owns the connection; only @interrupt may be called from
 * another thread.
 *
 * Since: 0.1
 */
struct _GanderDatabaseClass
{
  GObjectClass parent_class;

  const char *(*get_dialect)          (GanderDatabase  *self);
  gboolean    (*open)                 (GanderDatabase  *self,
                                       GCancellable    *cancellable,
                                       GError         **error);
  void        (*close)                (GanderDatabase  *self);
  gboolean    (*exec)                 (GanderDatabase  *self,
                                       const char      *sql,
                                       GCancellable    *cancellable,
                                       GError         **error);
  gboolean    (*begin)                (GanderDatabase  *self,
                                       GCancellable    *cancellable,
                                       GError         **error);
  gboolean    (*commit)               (GanderDatabase  *self,
                                       GError         **error);
  gboolean    (*rollback)             (GanderDatabase  *self,
                                       GError         **error);
  gboolean    (*lock)                 (GanderDatabase  *self,
                                       GCancellable    *cancellable,
                                       GError         **error);
  gboolean    (*unlock)               (GanderDatabase  *self,
                                       GError         **error);
  void        (*interrupt)            (GanderDatabase  *self);
  gboolean    (*version_table_exists) (GanderDatabase  *self,
                                       gboolean        *exists,
                                       GError         **error);
  gboolean    (*create_version_table) (GanderDatabase  *self,
                                       GError         **error);
  gboolean    (*insert_version)       (GanderDatabase  *self,
                                       gint64           version,
                                       GError         **error);
  gboolean    (*delete_version)       (GanderDatabase  *self,
                                       gint64           version,
                                       GError         **error);
  GArray     *(*list_versions)        (GanderDatabase  *self,
                                       GError         **error);
  gboolean    (*ensure_side_table)    (GanderDatabase  *self,
                                       GError         **error);
  gboolean    (*write_side_row)       (GanderDatabase  *self,
                                       const GanderSideRow *row,
                                       GError         **error);
  gboolean    (*delete_side_row)      (GanderDatabase  *self,
                                       gint64           version,
                                       GError         **error);
  GArray     *(*list_side_rows)       (GanderDatabase  *self,
                                       GError         **error);

  /*< private >*/
  gpointer padding[16];
};

GANDER_AVAILABLE_IN_ALL
GanderDatabase *gander_database_new_for_driver   (const char      *driver,
                                                  const char      *dsn,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
const char     *gander_database_get_dialect      (GanderDatabase  *self);
GANDER_AVAILABLE_IN_ALL
const char     *gander_database_get_dsn          (GanderDatabase  *self);
GANDER_AVAILABLE_IN_ALL
char           *gander_database_dup_display_dsn  (GanderDatabase  *self);
GANDER_AVAILABLE_IN_0_2
void            gander_database_set_password     (GanderDatabase  *self,
                                                  const char      *password);
GANDER_AVAILABLE_IN_ALL
const char     *gander_database_get_table_name   (GanderDatabase  *self);
GANDER_AVAILABLE_IN_ALL
void            gander_database_set_table_name   (GanderDatabase  *self,
                                                  const char      *table_name);
GANDER_AVAILABLE_IN_ALL
char           *gander_database_dup_side_table_name (GanderDatabase *self);
GANDER_AVAILABLE_IN_ALL
guint           gander_database_get_lock_wait_timeout (GanderDatabase *self);
GANDER_AVAILABLE_IN_ALL
void            gander_database_set_lock_wait_timeout (GanderDatabase *self,
                                                       guint           msec);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_is_open          (GanderDatabase  *self);

GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_open             (GanderDatabase  *self,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
void            gander_database_close            (GanderDatabase  *self);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_exec             (GanderDatabase  *self,
                                                  const char      *sql,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_begin            (GanderDatabase  *self,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_commit           (GanderDatabase  *self,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_rollback         (GanderDatabase  *self,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_lock             (GanderDatabase  *self,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_unlock           (GanderDatabase  *self,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
void            gander_database_interrupt        (GanderDatabase  *self);
GANDER_AVAILABLE_IN_ALL
gboolean        gander_database_version_table_exists (GanderDatabase *self,
                                                      GError        **error);
GANDER_AVAILABLE_IN_ALL
GArray         *gander_database_list_versions    (GanderDatabase  *self,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
GArray         *gander_database_list_side_rows   (GanderDatabase  *self,
                                                  GError         **error);

GANDER_AVAILABLE_IN_ALL
gboolean        gander_validate_table_name       (const char      *table_name,
                                                  GError         **error);
GANDER_AVAILABLE_IN_ALL
char           *gander_dsn_mask                  (const char      *dsn);

G_END_DECLS
