/* gander-migration-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-migration.h"

G_BEGIN_DECLS

char *gander_migration_dup_display_path (GanderMigration *self);

G_END_DECLS
