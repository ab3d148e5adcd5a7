/* gander-backup-sqlite.c: SQLite backups with the online backup API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-backup-private.h"

gboolean
gander_backup_sqlite_dump (GanderBackupJob  *job,
                           GError          **error)
{
  (void) job;
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED, "not yet");
  return FALSE;
}

gboolean
gander_backup_sqlite_verify (GanderBackupJob  *job,
                             GError          **error)
{
  (void) job;
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED, "not yet");
  return FALSE;
}

gboolean
gander_backup_sqlite_restore (GanderBackupJob  *job,
                              GError          **error)
{
  (void) job;
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED, "not yet");
  return FALSE;
}
