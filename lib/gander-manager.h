/* gander-manager.h: the production safety pipeline around a GanderMigrator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-audit.h"
#include "gander-backup.h"
#include "gander-circuit-breaker.h"
#include "gander-metrics.h"
#include "gander-migrator.h"
#include "gander-profile.h"
#include "gander-run-options.h"
#include "gander-run-report.h"

G_BEGIN_DECLS

/**
 * GanderOperation:
 * @GANDER_OPERATION_UP: apply every pending migration
 * @GANDER_OPERATION_UP_BY_ONE: apply the next pending migration
 * @GANDER_OPERATION_UP_TO: apply pending migrations up to a version
 * @GANDER_OPERATION_DOWN: roll back the most recent migration
 * @GANDER_OPERATION_DOWN_TO: roll back the migrations above a version
 * @GANDER_OPERATION_REDO: roll back the most recent migration and apply it
 *   again
 * @GANDER_OPERATION_RESET: roll back every applied migration
 * @GANDER_OPERATION_STATUS: read the state of every migration
 * @GANDER_OPERATION_VERSION: read the database's version
 * @GANDER_OPERATION_VALIDATE: check the migration files and, against the
 *   database, missing migrations and checksum drift
 * @GANDER_OPERATION_BASELINE: record every migration up to a version as
 *   applied without running it
 * @GANDER_OPERATION_CLEAR_DIRTY: clear the `running` marker a failed
 *   `NO TRANSACTION` migration left
 * @GANDER_OPERATION_ACCEPT_CHECKSUM: record an applied migration's current
 *   checksum after an intentional edit
 * @GANDER_OPERATION_BREAKER_RESET: close the database's circuit breaker
 * @GANDER_OPERATION_BACKUP: take a verified backup of the database
 *   (whatever the profile's `backup` mode)
 * @GANDER_OPERATION_RESTORE: restore the backup that
 *   #GanderRunOptions:backup-id names into the database; needs the
 *   confirmation in every environment
 * @GANDER_OPERATION_HEALTH: run every health check that needs no run
 *   (%GANDER_HEALTH_PHASE_ANY)
 * @GANDER_OPERATION_PRUNE_BACKUPS: remove the backups beyond the profile's
 *   `backup-keep` and `backup-max-age`
 *
 * What a #GanderManager runs. The nicks (`up`, `up-by-one`, …,
 * `breaker-reset`, `backup`, `restore`, `health`, `prune-backups`) are the command names of the configuration's
 * `allow-commands` and `require-confirmation` lists, of the audit log's
 * `operation` and of the metrics' `operation` label.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_OPERATION_UP,
  GANDER_OPERATION_UP_BY_ONE,
  GANDER_OPERATION_UP_TO,
  GANDER_OPERATION_DOWN,
  GANDER_OPERATION_DOWN_TO,
  GANDER_OPERATION_REDO,
  GANDER_OPERATION_RESET,
  GANDER_OPERATION_STATUS,
  GANDER_OPERATION_VERSION,
  GANDER_OPERATION_VALIDATE,
  GANDER_OPERATION_BASELINE,
  GANDER_OPERATION_CLEAR_DIRTY,
  GANDER_OPERATION_ACCEPT_CHECKSUM,
  GANDER_OPERATION_BREAKER_RESET,
  GANDER_OPERATION_BACKUP,
  GANDER_OPERATION_RESTORE,
  GANDER_OPERATION_HEALTH,
  GANDER_OPERATION_PRUNE_BACKUPS,
} GanderOperation;

#define GANDER_TYPE_MANAGER (gander_manager_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderManager, gander_manager, GANDER, MANAGER, GObject)

GANDER_AVAILABLE_IN_0_2
GanderManager   *gander_manager_new               (GanderProfile     *profile,
                                                   GError           **error);
GANDER_AVAILABLE_IN_0_2
GanderManager   *gander_manager_new_for_migrator  (GanderProfile     *profile,
                                                   GanderMigrator    *migrator);
GANDER_AVAILABLE_IN_0_2
GanderProfile   *gander_manager_get_profile       (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
GanderMigrator  *gander_manager_get_migrator      (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
void             gander_manager_set_audit         (GanderManager     *self,
                                                   GanderAudit       *audit);
GANDER_AVAILABLE_IN_0_2
GanderAudit     *gander_manager_get_audit         (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
void             gander_manager_set_metrics       (GanderManager     *self,
                                                   GanderMetrics     *metrics);
GANDER_AVAILABLE_IN_0_2
GanderMetrics   *gander_manager_get_metrics       (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
void             gander_manager_set_breaker       (GanderManager     *self,
                                                   GanderCircuitBreaker *breaker);
GANDER_AVAILABLE_IN_0_2
GanderCircuitBreaker *gander_manager_get_breaker  (GanderManager     *self);

GANDER_AVAILABLE_IN_0_2
GanderBackup    *gander_manager_get_backup_store  (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
GPtrArray       *gander_manager_list_backups      (GanderManager     *self,
                                                   GError           **error);
GANDER_AVAILABLE_IN_0_2
const char      *gander_manager_get_step          (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
double           gander_manager_get_fraction      (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
gboolean         gander_manager_get_busy          (GanderManager     *self);
GANDER_AVAILABLE_IN_0_2
GanderRunReport *gander_manager_get_last_report   (GanderManager     *self);

GANDER_AVAILABLE_IN_0_2
gboolean         gander_manager_check_policy      (GanderManager     *self,
                                                   GanderOperation    operation,
                                                   GanderRunOptions  *options,
                                                   GError           **error);
GANDER_AVAILABLE_IN_0_2
GanderRunReport *gander_manager_execute           (GanderManager     *self,
                                                   GanderOperation    operation,
                                                   gint64             target,
                                                   GanderRunOptions  *options,
                                                   GCancellable      *cancellable,
                                                   GError           **error);
GANDER_AVAILABLE_IN_0_2
void             gander_manager_execute_async     (GanderManager     *self,
                                                   GanderOperation    operation,
                                                   gint64             target,
                                                   GanderRunOptions  *options,
                                                   GCancellable      *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer           user_data);
GANDER_AVAILABLE_IN_0_2
GanderRunReport *gander_manager_execute_finish    (GanderManager     *self,
                                                   GAsyncResult      *result,
                                                   GError           **error);
GANDER_AVAILABLE_IN_0_2
GanderRunReport *gander_manager_auto_migrate      (GanderManager     *self,
                                                   GanderRunOptions  *options,
                                                   GCancellable      *cancellable,
                                                   GError           **error);
GANDER_AVAILABLE_IN_0_2
void             gander_manager_auto_migrate_async  (GanderManager     *self,
                                                     GanderRunOptions  *options,
                                                     GCancellable      *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
GANDER_AVAILABLE_IN_0_2
GanderRunReport *gander_manager_auto_migrate_finish (GanderManager     *self,
                                                     GAsyncResult      *result,
                                                     GError           **error);

GANDER_AVAILABLE_IN_0_2
const char      *gander_operation_to_string       (GanderOperation    operation);
GANDER_AVAILABLE_IN_0_2
gboolean         gander_operation_from_string     (const char        *command,
                                                   GanderOperation   *operation);

G_END_DECLS
