/* gander-backup-info.h: one backup's manifest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include "gander-version-macros.h"

G_BEGIN_DECLS

#define GANDER_TYPE_BACKUP_INFO (gander_backup_info_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderBackupInfo, gander_backup_info, GANDER, BACKUP_INFO, GObject)

GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_id             (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_path           (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_manifest_path  (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_profile        (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_environment    (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_driver         (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_dsn            (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_database       (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_table          (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
gint64            gander_backup_info_get_version        (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
GDateTime        *gander_backup_info_get_created_at     (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
guint64           gander_backup_info_get_size           (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_sha256         (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_tool_version   (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_server_version (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
gboolean          gander_backup_info_get_verified       (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
const char       *gander_backup_info_get_verify_method  (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan         gander_backup_info_get_duration       (GanderBackupInfo *self);

GANDER_AVAILABLE_IN_0_2
GanderBackupInfo *gander_backup_info_load              (const char       *manifest_path,
                                                         GError          **error);
GANDER_AVAILABLE_IN_0_2
char             *gander_backup_info_to_json           (GanderBackupInfo *self);
GANDER_AVAILABLE_IN_0_2
JsonObject       *gander_backup_info_to_json_object    (GanderBackupInfo *self);

G_END_DECLS
