/* gander-run-options.h: how one run of a GanderMigrator behaves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"

G_BEGIN_DECLS

#define GANDER_TYPE_RUN_OPTIONS (gander_run_options_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderRunOptions, gander_run_options, GANDER, RUN_OPTIONS, GObject)

GANDER_AVAILABLE_IN_0_2
GanderRunOptions *gander_run_options_new                (void);
GANDER_AVAILABLE_IN_0_2
const char       *gander_run_options_get_applied_by     (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_applied_by     (GanderRunOptions *self,
                                                         const char       *applied_by);
GANDER_AVAILABLE_IN_0_2
const char       *gander_run_options_get_reason         (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_reason         (GanderRunOptions *self,
                                                         const char       *reason);
GANDER_AVAILABLE_IN_0_2
gboolean          gander_run_options_get_allow_missing  (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_allow_missing  (GanderRunOptions *self,
                                                         gboolean          allow_missing);
GANDER_AVAILABLE_IN_0_2
gboolean          gander_run_options_get_strict_targets (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_strict_targets (GanderRunOptions *self,
                                                         gboolean          strict_targets);
GANDER_AVAILABLE_IN_0_2
gboolean          gander_run_options_get_no_versioning  (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_no_versioning  (GanderRunOptions *self,
                                                         gboolean          no_versioning);
GANDER_AVAILABLE_IN_0_2
gboolean          gander_run_options_get_dry_run        (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_dry_run        (GanderRunOptions *self,
                                                         gboolean          dry_run);
GANDER_AVAILABLE_IN_0_2
const char       *gander_run_options_get_confirmation   (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_confirmation   (GanderRunOptions *self,
                                                         const char       *confirmation);
GANDER_AVAILABLE_IN_0_2
const char       *gander_run_options_get_via            (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_via            (GanderRunOptions *self,
                                                         const char       *via);
GANDER_AVAILABLE_IN_0_2
gint64            gander_run_options_get_actor_uid      (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_actor_uid      (GanderRunOptions *self,
                                                         gint64            actor_uid);
GANDER_AVAILABLE_IN_0_2
gint64            gander_run_options_get_actor_pid      (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_actor_pid      (GanderRunOptions *self,
                                                         gint64            actor_pid);
GANDER_AVAILABLE_IN_0_2
const char       *gander_run_options_get_actor_name     (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_actor_name     (GanderRunOptions *self,
                                                         const char       *actor_name);
GANDER_AVAILABLE_IN_0_2
gboolean          gander_run_options_get_mark_applied   (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_mark_applied   (GanderRunOptions *self,
                                                         gboolean          mark_applied);
GANDER_AVAILABLE_IN_0_2
const char       *gander_run_options_get_backup_id      (GanderRunOptions *self);
GANDER_AVAILABLE_IN_0_2
void              gander_run_options_set_backup_id      (GanderRunOptions *self,
                                                         const char       *backup_id);

G_END_DECLS
