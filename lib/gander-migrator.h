/* gander-migrator.h: goose Provider semantics over a source and a database
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
#include "gander-source.h"
#include "gander-migration-result.h"
#include "gander-migration-status.h"
#include "gander-plan.h"
#include "gander-run-options.h"

G_BEGIN_DECLS

/**
 * GanderStatusFlags:
 * @GANDER_STATUS_FLAGS_NONE: one entry per migration file, as
 *   gander_migrator_status() returns
 * @GANDER_STATUS_FLAGS_ORPHANS: also one %GANDER_MIGRATION_STATE_MISSING
 *   entry per version the database records as applied that no file carries
 *
 * What gander_migrator_status_full() reports.
 *
 * Since: 0.2
 */
typedef enum /*< flags >*/ {
  GANDER_STATUS_FLAGS_NONE    = 0,
  GANDER_STATUS_FLAGS_ORPHANS = 1 << 0,
} GanderStatusFlags;

#define GANDER_TYPE_MIGRATOR (gander_migrator_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderMigrator, gander_migrator, GANDER, MIGRATOR, GObject)

GANDER_AVAILABLE_IN_ALL
GanderMigrator        *gander_migrator_new               (GanderDatabase  *database,
                                                          GanderSource    *source);
GANDER_AVAILABLE_IN_ALL
GanderDatabase        *gander_migrator_get_database      (GanderMigrator  *self);
GANDER_AVAILABLE_IN_ALL
GanderSource          *gander_migrator_get_source        (GanderMigrator  *self);
GANDER_AVAILABLE_IN_ALL
gboolean               gander_migrator_get_allow_missing (GanderMigrator  *self);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_set_allow_missing (GanderMigrator  *self,
                                                          gboolean         allow_missing);
GANDER_AVAILABLE_IN_ALL
gboolean               gander_migrator_get_no_versioning (GanderMigrator  *self);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_set_no_versioning (GanderMigrator  *self,
                                                          gboolean         no_versioning);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_get_last_results  (GanderMigrator  *self);

GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_up                (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GanderMigrationResult *gander_migrator_up_by_one         (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_up_to             (GanderMigrator  *self,
                                                          gint64           version,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GanderMigrationResult *gander_migrator_down              (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_down_to           (GanderMigrator  *self,
                                                          gint64           version,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_redo              (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_reset             (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_status            (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_0_2
GPtrArray             *gander_migrator_status_full       (GanderMigrator   *self,
                                                          GanderStatusFlags flags,
                                                          GCancellable     *cancellable,
                                                          GError          **error);
GANDER_AVAILABLE_IN_ALL
gint64                 gander_migrator_get_db_version    (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
GANDER_AVAILABLE_IN_ALL
gboolean               gander_migrator_has_pending       (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);

GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_refresh           (GanderMigrator  *self,
                                                          GCancellable    *cancellable,
                                                          GError         **error);

GANDER_AVAILABLE_IN_ALL
gboolean               gander_migrator_get_busy            (GanderMigrator *self);
GANDER_AVAILABLE_IN_ALL
gint64                 gander_migrator_get_current_version (GanderMigrator *self);
GANDER_AVAILABLE_IN_ALL
guint                  gander_migrator_get_pending_count   (GanderMigrator *self);
GANDER_AVAILABLE_IN_ALL
double                 gander_migrator_get_fraction        (GanderMigrator *self);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_up_async (GanderMigrator *self,  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_up_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_up_by_one_async (GanderMigrator *self,  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GanderMigrationResult *gander_migrator_up_by_one_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_up_to_async (GanderMigrator *self, gint64 version, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_up_to_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_down_async (GanderMigrator *self,  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GanderMigrationResult *gander_migrator_down_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_down_to_async (GanderMigrator *self, gint64 version, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_down_to_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_redo_async (GanderMigrator *self,  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_redo_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_reset_async (GanderMigrator *self,  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_reset_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_status_async (GanderMigrator *self,  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
GPtrArray             *gander_migrator_status_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_get_db_version_async  (GanderMigrator *self, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
gint64                 gander_migrator_get_db_version_finish (GanderMigrator *self, GAsyncResult *result, GError **error);
GANDER_AVAILABLE_IN_ALL
void                   gander_migrator_has_pending_async     (GanderMigrator *self, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_ALL
gboolean               gander_migrator_has_pending_finish    (GanderMigrator *self, GAsyncResult *result, GError **error);


GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_get_strict_targets (GanderMigrator  *self);
GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_set_strict_targets (GanderMigrator  *self,
                                                           gboolean         strict_targets);
GANDER_AVAILABLE_IN_0_2
GPtrArray             *gander_migrator_run               (GanderMigrator       *self,
                                                          GanderPlanOperation   operation,
                                                          gint64                target,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_run_async         (GanderMigrator       *self,
                                                          GanderPlanOperation   operation,
                                                          gint64                target,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
GPtrArray             *gander_migrator_run_finish        (GanderMigrator       *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
GanderPlan            *gander_migrator_plan              (GanderMigrator       *self,
                                                          GanderPlanOperation   operation,
                                                          gint64                target,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_plan_async        (GanderMigrator       *self,
                                                          GanderPlanOperation   operation,
                                                          gint64                target,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
GanderPlan            *gander_migrator_plan_finish       (GanderMigrator       *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_refresh_async         (GanderMigrator *self, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_refresh_finish        (GanderMigrator *self, GAsyncResult *result, GError **error);

GANDER_AVAILABLE_IN_0_2
GPtrArray             *gander_migrator_baseline          (GanderMigrator       *self,
                                                          gint64                version,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_baseline_async    (GanderMigrator       *self,
                                                          gint64                version,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
GPtrArray             *gander_migrator_baseline_finish   (GanderMigrator       *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_clear_dirty       (GanderMigrator       *self,
                                                          gint64                version,
                                                          gboolean              mark_applied,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_clear_dirty_async (GanderMigrator       *self,
                                                          gint64                version,
                                                          gboolean              mark_applied,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_clear_dirty_finish (GanderMigrator      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_accept_checksum   (GanderMigrator       *self,
                                                          gint64                version,
                                                          GanderRunOptions     *options,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
GANDER_AVAILABLE_IN_0_2
void                   gander_migrator_accept_checksum_async  (GanderMigrator       *self,
                                                               gint64                version,
                                                               GanderRunOptions     *options,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
gboolean               gander_migrator_accept_checksum_finish (GanderMigrator       *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

G_END_DECLS
