/* gander-backup.h: one database's backup store
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-database.h"
#include "gander-backup-info.h"

G_BEGIN_DECLS

/**
 * GanderBackupVerify:
 * @GANDER_BACKUP_VERIFY_OFF: only the SHA-256 of the archive is recorded
 *   (and compared when the archive is verified again or restored)
 * @GANDER_BACKUP_VERIFY_QUICK: SQLite: `PRAGMA quick_check` on the copy;
 *   PostgreSQL: `pg_restore --list` reads the archive
 * @GANDER_BACKUP_VERIFY_FULL: SQLite: `PRAGMA integrity_check` on the copy;
 *   PostgreSQL: `pg_restore --list`, then the whole archive is read (every
 *   data block, with pg_restore writing the script to nowhere), which
 *   catches a truncated or damaged archive; it takes about as long as
 *   reading the archive
 *
 * How thoroughly a #GanderBackup checks an archive after taking it (and
 * when asked to verify it again). Every level also reads the goose version
 * table of the copy, except %GANDER_BACKUP_VERIFY_OFF.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_BACKUP_VERIFY_OFF,
  GANDER_BACKUP_VERIFY_QUICK,
  GANDER_BACKUP_VERIFY_FULL,
} GanderBackupVerify;

#define GANDER_TYPE_BACKUP (gander_backup_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderBackup, gander_backup, GANDER, BACKUP, GObject)

GANDER_AVAILABLE_IN_0_2
GanderBackup       *gander_backup_new                  (GanderDatabase      *database,
                                                        const char          *directory);

GANDER_AVAILABLE_IN_0_2
GanderDatabase     *gander_backup_get_database         (GanderBackup        *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_backup_get_directory        (GanderBackup        *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_backup_get_profile_name     (GanderBackup        *self);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_set_profile_name     (GanderBackup        *self,
                                                        const char          *profile_name);
GANDER_AVAILABLE_IN_0_2
const char         *gander_backup_get_environment      (GanderBackup        *self);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_set_environment      (GanderBackup        *self,
                                                        const char          *environment);
GANDER_AVAILABLE_IN_0_2
GanderBackupVerify  gander_backup_get_verify           (GanderBackup        *self);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_set_verify           (GanderBackup        *self,
                                                        GanderBackupVerify   verify);
GANDER_AVAILABLE_IN_0_2
const char         *gander_backup_get_pg_bindir        (GanderBackup        *self);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_set_pg_bindir        (GanderBackup        *self,
                                                        const char          *pg_bindir);
GANDER_AVAILABLE_IN_0_2
guint               gander_backup_get_lock_wait_timeout (GanderBackup       *self);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_set_lock_wait_timeout (GanderBackup       *self,
                                                         guint               msec);
GANDER_AVAILABLE_IN_0_2
double              gander_backup_get_progress         (GanderBackup        *self);

GANDER_AVAILABLE_IN_0_2
GanderBackupInfo   *gander_backup_create               (GanderBackup        *self,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_create_async         (GanderBackup        *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GANDER_AVAILABLE_IN_0_2
GanderBackupInfo   *gander_backup_create_finish        (GanderBackup        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

GANDER_AVAILABLE_IN_0_2
gboolean            gander_backup_restore              (GanderBackup        *self,
                                                        GanderBackupInfo    *info,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
GANDER_AVAILABLE_IN_0_2
void                gander_backup_restore_async        (GanderBackup        *self,
                                                        GanderBackupInfo    *info,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_backup_restore_finish       (GanderBackup        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

GANDER_AVAILABLE_IN_0_2
gboolean            gander_backup_verify               (GanderBackup        *self,
                                                        GanderBackupInfo    *info,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_backup_list                 (GanderBackup        *self,
                                                        GError             **error);
GANDER_AVAILABLE_IN_0_2
GanderBackupInfo   *gander_backup_lookup               (GanderBackup        *self,
                                                        const char          *id,
                                                        GError             **error);
GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_backup_prune                (GanderBackup        *self,
                                                        guint                keep,
                                                        GTimeSpan            max_age,
                                                        GError             **error);

GANDER_AVAILABLE_IN_0_2
char               *gander_backup_default_directory    (const char          *profile_name);

G_END_DECLS
