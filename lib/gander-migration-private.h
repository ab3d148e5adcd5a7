/* gander-migration-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-migration.h"

G_BEGIN_DECLS

GanderMigration *gander_migration_new_for_path     (const char      *path,
                                                    const char      *basename,
                                                    gint64           version,
                                                    const char      *display);
char            *gander_migration_dup_display_path (GanderMigration *self);
char            *gander_path_dup_display         (const char      *path);
char            *gander_path_clean_typed         (const char      *path);

G_END_DECLS
