/* gander-migration-status.h: one line of `status`
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

#define GANDER_TYPE_MIGRATION_STATUS (gander_migration_status_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderMigrationStatus, gander_migration_status, GANDER, MIGRATION_STATUS, GObject)

GANDER_AVAILABLE_IN_ALL
gint64                gander_migration_status_get_version          (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_ALL
const char           *gander_migration_status_get_name             (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_ALL
GanderMigration      *gander_migration_status_get_migration        (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_ALL
GanderMigrationState  gander_migration_status_get_state            (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_ALL
GDateTime            *gander_migration_status_get_applied_at       (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_ALL
const char           *gander_migration_status_get_recorded_checksum (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_ALL
gboolean              gander_migration_status_get_modified         (GanderMigrationStatus *self);
GANDER_AVAILABLE_IN_0_2
const char           *gander_migration_status_get_renamed_to       (GanderMigrationStatus *self);

G_END_DECLS
