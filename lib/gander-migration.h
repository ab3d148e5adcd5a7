/* gander-migration.h: one goose SQL migration file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-enums.h"
#include "gander-sql-parser.h"

G_BEGIN_DECLS

#define GANDER_TYPE_MIGRATION (gander_migration_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderMigration, gander_migration, GANDER, MIGRATION, GObject)

GANDER_AVAILABLE_IN_ALL
GanderMigration *gander_migration_new_for_file     (GFile            *file,
                                                    GError          **error);
GANDER_AVAILABLE_IN_ALL
GanderMigration *gander_migration_new_from_bytes   (gint64           version,
                                                    const char      *name,
                                                    GBytes          *contents);
GANDER_AVAILABLE_IN_ALL
gint64           gander_migration_get_version      (GanderMigration  *self);
GANDER_AVAILABLE_IN_ALL
const char      *gander_migration_get_name         (GanderMigration  *self);
GANDER_AVAILABLE_IN_ALL
GFile           *gander_migration_get_file         (GanderMigration  *self);
GANDER_AVAILABLE_IN_ALL
GBytes          *gander_migration_load             (GanderMigration  *self,
                                                    GCancellable     *cancellable,
                                                    GError          **error);
GANDER_AVAILABLE_IN_ALL
const char      *gander_migration_get_checksum     (GanderMigration  *self,
                                                    GError          **error);
GANDER_AVAILABLE_IN_ALL
GanderParsedSql *gander_migration_parse            (GanderMigration  *self,
                                                    GanderDirection   direction,
                                                    GError          **error);

GANDER_AVAILABLE_IN_ALL
gint64           gander_version_from_filename      (const char       *basename,
                                                    GError          **error);

G_END_DECLS
