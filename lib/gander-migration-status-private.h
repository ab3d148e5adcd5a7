/* gander-migration-status-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-migration-status.h"

G_BEGIN_DECLS

GanderMigrationStatus *gander_migration_status_new (GanderMigration      *migration,
                                                    GanderMigrationState  state,
                                                    const char           *applied_at,
                                                    const char           *recorded_checksum,
                                                    gboolean              modified);

G_END_DECLS
