/* gander-enums.h: small enumerations shared by several types
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

/**
 * GanderDirection:
 * @GANDER_DIRECTION_UP: apply (the `-- +goose Up` section)
 * @GANDER_DIRECTION_DOWN: roll back (the `-- +goose Down` section)
 *
 * Which section of a migration runs.
 *
 * Since: 0.1
 */
typedef enum {
  GANDER_DIRECTION_UP,
  GANDER_DIRECTION_DOWN,
} GanderDirection;

/**
 * GanderMigrationState:
 * @GANDER_MIGRATION_STATE_PENDING: not applied
 * @GANDER_MIGRATION_STATE_APPLIED: applied and recorded in the version table
 * @GANDER_MIGRATION_STATE_RUNNING: a non-transactional migration started and
 *   never finished (interrupted or failed half way): it may be half applied
 * @GANDER_MIGRATION_STATE_MISSING: recorded as applied in the database, but
 *   no migration file carries its version any more (deleted or renamed);
 *   reported only by gander_migrator_status_full() with
 *   %GANDER_STATUS_FLAGS_ORPHANS. Since: 0.2
 *
 * The state of one migration in one database.
 *
 * Since: 0.1
 */
typedef enum {
  GANDER_MIGRATION_STATE_PENDING,
  GANDER_MIGRATION_STATE_APPLIED,
  GANDER_MIGRATION_STATE_RUNNING,
  GANDER_MIGRATION_STATE_MISSING,
} GanderMigrationState;

GANDER_AVAILABLE_IN_ALL
const char *gander_direction_to_string (GanderDirection direction);
GANDER_AVAILABLE_IN_ALL
const char *gander_migration_state_to_string (GanderMigrationState state);

G_END_DECLS
