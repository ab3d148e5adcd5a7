/* gander-health.h: health checks before and after a migration run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-health-result.h"
#include "gander-migrator.h"
#include "gander-plan.h"

G_BEGIN_DECLS

#define GANDER_TYPE_HEALTH (gander_health_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderHealth, gander_health, GANDER, HEALTH, GObject)

GANDER_AVAILABLE_IN_0_2
GanderHealth        *gander_health_new                   (GanderMigrator      *migrator);
GANDER_AVAILABLE_IN_0_2
GanderMigrator      *gander_health_get_migrator          (GanderHealth        *self);

GANDER_AVAILABLE_IN_0_2
const char * const  *gander_health_get_checks            (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_checks            (GanderHealth        *self,
                                                          const char * const  *checks);
GANDER_AVAILABLE_IN_0_2
double               gander_health_get_free_space_factor (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_free_space_factor (GanderHealth        *self,
                                                          double               factor);
GANDER_AVAILABLE_IN_0_2
const char          *gander_health_get_backup_directory  (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_backup_directory  (GanderHealth        *self,
                                                          const char          *directory);
GANDER_AVAILABLE_IN_0_2
const char * const  *gander_health_get_post_check_sql    (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_post_check_sql    (GanderHealth        *self,
                                                          const char * const  *queries);
GANDER_AVAILABLE_IN_0_2
gboolean             gander_health_get_integrity         (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_integrity         (GanderHealth        *self,
                                                          gboolean             integrity);
GANDER_AVAILABLE_IN_0_2
GTimeSpan            gander_health_get_lock_age_threshold (GanderHealth       *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_lock_age_threshold (GanderHealth       *self,
                                                           GTimeSpan           threshold);
GANDER_AVAILABLE_IN_0_2
GanderPlan          *gander_health_get_plan              (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_plan              (GanderHealth        *self,
                                                          GanderPlan          *plan);
GANDER_AVAILABLE_IN_0_2
gint64               gander_health_get_target_version    (GanderHealth        *self);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_set_target_version    (GanderHealth        *self,
                                                          gint64               version);

GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_health_run                   (GanderHealth        *self,
                                                          GanderHealthPhase    phase,
                                                          GCancellable        *cancellable,
                                                          GError             **error);
GANDER_AVAILABLE_IN_0_2
void                 gander_health_run_async             (GanderHealth        *self,
                                                          GanderHealthPhase    phase,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_health_run_finish            (GanderHealth        *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

GANDER_AVAILABLE_IN_0_2
const char * const  *gander_health_check_names           (GanderHealthPhase    phase);

G_END_DECLS
