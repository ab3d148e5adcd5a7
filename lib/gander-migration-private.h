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

/* The process-wide cache of local files' checksums (path + stat):
 * lookups that found one and that did not, since the last clear. */
void             gander_migration_checksum_cache_stats (guint *hits,
                                                        guint *misses);
void             gander_migration_checksum_cache_clear (void);

G_END_DECLS
