/* gander-migrator-private.h: what the migrator's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-migrator.h"
#include "gander-emitter-private.h"
#include "gander-planner-private.h"

G_BEGIN_DECLS

/* A GanderRunOptions read once, when the run is asked for (for an async
 * run: in the caller's thread). */
typedef struct
{
  char     *applied_by;
  char     *reason;
  gboolean  allow_missing;
  gboolean  strict_targets;
  gboolean  no_versioning;
} GanderRunSettings;

void gander_run_settings_init  (GanderRunSettings *settings,
                                GanderRunOptions  *options);
void gander_run_settings_clear (GanderRunSettings *settings);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GanderRunSettings, gander_run_settings_clear)

/* Runs @op (validated here) under the run lock. Signals and property notifications go to
 * @signal_context, in order (NULL: at once, in the calling thread).
 * Returns the results of the run (for UP_BY_ONE and DOWN, one). */
GPtrArray *gander_migrator_execute (GanderMigrator    *self,
                                    GanderPlanOperation op,
                                    gint64             version,
                                    const GanderRunSettings *settings,
                                    GMainContext      *signal_context,
                                    GCancellable      *cancellable,
                                    GError           **error);

/* The read-only operations, with the context that receives the
 * notifications of current-version and pending-count (NULL: at once, in
 * the calling thread): the public functions pass NULL, their _async forms
 * the caller's context. */
GPtrArray  *gander_migrator_status_full_in    (GanderMigrator      *self,
                                              GanderStatusFlags    flags,
                                              GMainContext        *signal_context,
                                              GCancellable        *cancellable,
                                              GError             **error);
GPtrArray  *gander_migrator_status_in         (GanderMigrator      *self,
                                               GMainContext        *signal_context,
                                               GCancellable        *cancellable,
                                               GError             **error);
GanderPlan *gander_migrator_plan_in           (GanderMigrator      *self,
                                               GanderPlanOperation  operation,
                                               gint64               target,
                                               GMainContext        *signal_context,
                                               GCancellable        *cancellable,
                                               GError             **error);
/* gander_migrator_plan_in() with a run's switches added to the
 * migrator's (as gander_migrator_execute() adds them): the plan a run
 * with @settings would execute. */
GanderPlan *gander_migrator_plan_with         (GanderMigrator      *self,
                                               GanderPlanOperation  operation,
                                               gint64               target,
                                               const GanderRunSettings *settings,
                                               GMainContext        *signal_context,
                                               GCancellable        *cancellable,
                                               GError             **error);
gint64      gander_migrator_get_db_version_in (GanderMigrator      *self,
                                               GMainContext        *signal_context,
                                               GCancellable        *cancellable,
                                               GError             **error);
gboolean    gander_migrator_has_pending_in    (GanderMigrator      *self,
                                               GMainContext        *signal_context,
                                               GCancellable        *cancellable,
                                               GError             **error);
gboolean    gander_migrator_refresh_in        (GanderMigrator      *self,
                                               GMainContext        *signal_context,
                                               GCancellable        *cancellable,
                                               GError             **error);

/* For operations that run no plan (repair, in gander-migrator-repair.c):
 * claim the migrator (GANDER_ERROR_BUSY when another operation runs),
 * give the claim up (remembering the version @state, if any, holds), and publish #GanderMigrator:busy through @emitter,
 * with current-version and pending-count from @state when it is not NULL
 * (after the claim is given up, so that a handler may start the next
 * operation). */
gboolean gander_migrator_claim        (GanderMigrator *self,
                                       GError        **error);
void     gander_migrator_unclaim      (GanderMigrator *self,
                                       GanderDbState  *state);
void     gander_migrator_publish_busy (GanderMigrator *self,
                                       GanderEmitter  *emitter,
                                       gboolean        busy,
                                       GanderDbState  *state);
/* The repair operations of gander-migrator-repair.c for callers that
 * run in a worker thread of their own (the manager): notifications go to
 * @signal_context (NULL: at once, in the calling thread). @recorded
 * (nullable) receives baseline's recorded migrations. */
typedef enum
{
  GANDER_REPAIR_BASELINE,
  GANDER_REPAIR_CLEAR_DIRTY,
  GANDER_REPAIR_ACCEPT_CHECKSUM,
} GanderRepairKind;

gboolean gander_migrator_repair_in    (GanderMigrator          *self,
                                       GanderRepairKind         kind,
                                       gint64                   version,
                                       gboolean                 mark_applied,
                                       const GanderRunSettings *settings,
                                       GMainContext            *signal_context,
                                       GPtrArray              **recorded,
                                       GCancellable            *cancellable,
                                       GError                 **error);

/* Whatever layer noticed a cancel, the caller sees G_IO_ERROR_CANCELLED. */
void     gander_migrator_normalize_cancelled (GError **error);

G_END_DECLS
