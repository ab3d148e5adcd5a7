/* gander-backup-postgres.c: PostgreSQL backups with pg_dump/pg_restore
 *
 * A placeholder until the pg_dump engine lands: every call fails with
 * GANDER_ERROR_NOT_SUPPORTED.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-backup-private.h"

static gboolean
not_supported (GError **error)
{
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                       _("backups of PostgreSQL databases are not supported by this build of Gander"));
  return FALSE;
}

gboolean
gander_backup_postgres_dump (GanderBackupJob  *job,
                             GError          **error)
{
  (void) job;
  return not_supported (error);
}

gboolean
gander_backup_postgres_verify (GanderBackupJob  *job,
                               GError          **error)
{
  (void) job;
  return not_supported (error);
}

gboolean
gander_backup_postgres_restore (GanderBackupJob  *job,
                                GError          **error)
{
  (void) job;
  return not_supported (error);
}
