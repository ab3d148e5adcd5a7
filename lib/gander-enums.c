/* gander-enums.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-enums.h"

/**
 * gander_direction_to_string:
 * @direction: a #GanderDirection
 *
 * The word goose uses for @direction.
 *
 * Returns: `up` or `down`
 *
 * Since: 0.1
 */
const char *
gander_direction_to_string (GanderDirection direction)
{
  return direction == GANDER_DIRECTION_DOWN ? "down" : "up";
}

/**
 * gander_migration_state_to_string:
 * @state: a #GanderMigrationState
 *
 * The word Gander uses for @state in JSON output and in its side table.
 *
 * Returns: `pending`, `applied`, `running` or `missing`
 *
 * Since: 0.1
 */
const char *
gander_migration_state_to_string (GanderMigrationState state)
{
  switch (state)
    {
    case GANDER_MIGRATION_STATE_APPLIED:
      return "applied";
    case GANDER_MIGRATION_STATE_RUNNING:
      return "running";
    case GANDER_MIGRATION_STATE_MISSING:
      return "missing";
    case GANDER_MIGRATION_STATE_PENDING:
    default:
      return "pending";
    }
}
