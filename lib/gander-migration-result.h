/* gander-migration-result.h: what happened to one migration in one run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"
#include "gander-enums.h"
#include "gander-migration.h"

G_BEGIN_DECLS

#define GANDER_TYPE_MIGRATION_RESULT (gander_migration_result_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderMigrationResult, gander_migration_result, GANDER, MIGRATION_RESULT, GObject)

GANDER_AVAILABLE_IN_ALL
GanderMigrationResult *gander_migration_result_new            (GanderMigration       *migration,
                                                               GanderDirection        direction,
                                                               gint64                 duration_us,
                                                               gboolean               empty,
                                                               const GError          *error);
GANDER_AVAILABLE_IN_ALL
GanderMigration       *gander_migration_result_get_migration  (GanderMigrationResult *self);
GANDER_AVAILABLE_IN_ALL
gint64                 gander_migration_result_get_version    (GanderMigrationResult *self);
GANDER_AVAILABLE_IN_ALL
const char            *gander_migration_result_get_name       (GanderMigrationResult *self);
GANDER_AVAILABLE_IN_ALL
GanderDirection        gander_migration_result_get_direction  (GanderMigrationResult *self);
GANDER_AVAILABLE_IN_0_2
gint64                 gander_migration_result_get_duration_us (GanderMigrationResult *self);
GANDER_AVAILABLE_IN_ALL
gboolean               gander_migration_result_get_empty      (GanderMigrationResult *self);
GANDER_AVAILABLE_IN_ALL
const GError          *gander_migration_result_get_error      (GanderMigrationResult *self);

G_END_DECLS
