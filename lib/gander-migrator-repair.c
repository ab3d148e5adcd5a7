/* gander-migrator-repair.c: baseline, clear-dirty and accept-checksum, the
 * operations that change what the version tables say without running a
 * migration
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-database-private.h"
#include "gander-migration-private.h"
#include "gander-migrator-private.h"

/* Each repair takes the run lock, reads the state inside one transaction
 * (on SQLite BEGIN IMMEDIATE: nothing can change it under us), decides,
 * and either commits its writes or rolls back having written nothing. A
 * refusal therefore leaves the database as it was. No migration runs, so
 * none of the per-migration signals are emitted; #GanderMigrator:busy and
 * the summary properties change as for any operation. */

typedef enum
{
  REPAIR_BASELINE,
  REPAIR_CLEAR_DIRTY,
  REPAIR_ACCEPT_CHECKSUM,
} RepairKind;

typedef struct
{
  RepairKind         kind;
  gint64             version;
  gboolean           mark_applied;
  GanderRunSettings  settings;   /* read in the caller's thread */
} RepairRequest;

static void
repair_request_free (RepairRequest *request)
{
  gander_run_settings_clear (&request->settings);
  g_free (request);
}

static const char *
repair_command (RepairKind kind)
{
  switch (kind)
    {
    case REPAIR_BASELINE:
      return "baseline";
    case REPAIR_CLEAR_DIRTY:
      return "clear-dirty";
    case REPAIR_ACCEPT_CHECKSUM:
    default:
      return "accept-checksum";
    }
}

static char *
source_location (GanderSource *source)
{
  GFile *dir = gander_source_get_directory (source);

  return dir != NULL ? g_file_get_parse_name (dir) : g_strdup ("the source");
}

/* "the nearest are 3 and 5", for a version no file carries */
static char *
describe_nearest (GanderSource *source,
                  gint64        version)
{
  guint n = gander_source_get_n_migrations (source);
  gint64 below = -1;
  gint64 above = -1;

  for (guint i = 0; i < n; i++)
    {
      gint64 v = gander_migration_get_version (gander_source_get_migration (source, i));

      if (v < version)
        below = v;
      else if (v > version && above < 0)
        above = v;
    }
  if (n == 0)
    return g_strdup (_("the source holds no migrations"));
  if (below >= 0 && above >= 0)
    return g_strdup_printf (_("the nearest are %" PRId64 " and %" PRId64), below, above);
  return g_strdup_printf (_("the nearest is %" PRId64), below >= 0 ? below : above);
}

/* What can be refused before the database is touched. */
static gboolean
check_request (GanderMigrator       *self,
               const RepairRequest  *request,
               GError              **error)
{
  GanderSource *source = gander_migrator_get_source (self);
  const char *command = repair_command (request->kind);

  if (request->version < 0 || (request->kind == REPAIR_BASELINE && request->version == 0))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   /* TRANSLATORS: %s is a command name (baseline, clear-dirty, accept-checksum) */
                   _("%s: version must be greater than 0 (got %" PRId64 ")"),
                   command, request->version);
      return FALSE;
    }
  if (gander_migrator_get_no_versioning (self) || request->settings.no_versioning)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                   _("%s changes the version table, which is neither read nor "
                     "written when versioning is disabled (-no-versioning)"),
                   command);
      return FALSE;
    }
  if (request->kind != REPAIR_CLEAR_DIRTY &&
      gander_source_lookup (source, request->version) == NULL)
    {
      g_autofree char *where = source_location (source);
      g_autofree char *nearest = describe_nearest (source, request->version);

      if (request->kind == REPAIR_BASELINE)
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                     _("cannot baseline at version %" PRId64 ": no migration in %s "
                       "has this version (%s); baseline records the files up to "
                       "and including one of them"),
                     request->version, where, nearest);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                     _("cannot accept the checksum of version %" PRId64 ": no "
                       "migration in %s has this version (%s); accept-checksum "
                       "records the checksum of the file as it is now"),
                     request->version, where, nearest);
      return FALSE;
    }
  return TRUE;
}

static const char *
settings_applied_by (const RepairRequest *request)
{
  return request->settings.applied_by != NULL ? request->settings.applied_by
                                              : gander_database_applied_by ();
}

static char *
dup_side_table (GanderMigrator *self)
{
  return gander_database_dup_side_table_name (gander_migrator_get_database (self));
}

/* ------------------------------------------------------------------ */
/* baseline                                                            */

static gboolean
do_baseline (GanderMigrator       *self,
             const RepairRequest  *request,
             GanderDbState        *state,
             GPtrArray            *recorded,
             GError              **error)
{
  GanderDatabase *db = gander_migrator_get_database (self);
  GanderSource *source = gander_migrator_get_source (self);
  g_autofree char *side_table = dup_side_table (self);
  gboolean allow_missing = gander_migrator_get_allow_missing (self) ||
                           request->settings.allow_missing;
  guint n = gander_source_get_n_migrations (source);
  gint64 version = request->version;

  /* A half-applied migration is for clear-dirty to settle, not for a
   * baseline to paper over. */
  if (!gander_planner_check_not_dirty (state, side_table, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      GanderMigration *m = gander_source_get_migration (source, i);
      gint64 v = gander_migration_get_version (m);

      if (v > version)
        break;
      if (!gander_db_state_is_applied (state, v))
        g_ptr_array_add (recorded, g_object_ref (m));
    }
  if (recorded->len == 0)
    return TRUE;

  /* Below the current version, the unapplied files are goose's "missing"
   * migrations: recorded only when the caller allows them, as `up`
   * applies them only then. */
  if (state->max_version > version && !allow_missing)
    {
      GString *list = g_string_new (NULL);

      for (guint i = 0; i < recorded->len; i++)
        {
          GanderMigration *m = g_ptr_array_index (recorded, i);

          g_string_append_printf (list, "\n\tversion %" PRId64 ": %s",
                                  gander_migration_get_version (m),
                                  gander_migration_get_name (m));
        }
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS,
                   _("cannot baseline at version %" PRId64 ": the database is "
                     "already at version %" PRId64 ", and %u migrations up to "
                     "%" PRId64 " were never applied; baseline would record "
                     "them as applied without running them. If their changes "
                     "are already in the database, baseline again with "
                     "missing migrations allowed (-allow-missing); to run "
                     "them instead, use up with -allow-missing:%s"),
                   version, state->max_version, recorded->len, version,
                   list->str);
      g_string_free (list, TRUE);
      g_ptr_array_set_size (recorded, 0);
      return FALSE;
    }

  if (!state->table_exists && !gander_database_create_version_table (db, error))
    return FALSE;
  if (!gander_database_ensure_side_table (db, error))
    return FALSE;

  for (guint i = 0; i < recorded->len; i++)
    {
      GanderMigration *m = g_ptr_array_index (recorded, i);
      GanderSideRow row = { 0, };

      row.version_id = gander_migration_get_version (m);
      row.filename = (char *) gander_migration_get_name (m);
      row.checksum = (char *) gander_migration_get_checksum (m, error);
      if (row.checksum == NULL)
        return FALSE;
      row.state = GANDER_MIGRATION_STATE_APPLIED;
      row.applied_by = (char *) settings_applied_by (request);
      row.duration_us = 0;
      if (!gander_database_insert_version (db, row.version_id, error) ||
          !gander_database_write_side_row (db, &row, error))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* clear-dirty                                                         */

static const char *
state_word (GanderDbState *state,
            gint64         version)
{
  return gander_db_state_is_applied (state, version) ? C_("migration state", "applied")
                                                      : C_("migration state", "pending");
}

static gboolean
do_clear_dirty (GanderMigrator       *self,
                const RepairRequest  *request,
                GanderDbState        *state,
                gboolean             *changed,
                GError              **error)
{
  GanderDatabase *db = gander_migrator_get_database (self);
  GanderSource *source = gander_migrator_get_source (self);
  gint64 version = request->version;
  GanderSideRow *marker = g_hash_table_lookup (state->side, &version);
  gboolean applied = gander_db_state_is_applied (state, version);

  if (marker == NULL || marker->state != GANDER_MIGRATION_STATE_RUNNING)
    {
      GanderMigration *m = gander_source_lookup (source, version);

      if (m == NULL && !applied && marker == NULL)
        {
          g_autofree char *where = source_location (source);

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                       _("cannot clear the marker of version %" PRId64 ": no "
                         "migration in %s has this version and the database "
                         "has not recorded it"),
                       version, where);
        }
      else
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       _("version %" PRId64 " (%s) carries no running marker: it "
                         "is %s, so there is nothing to clear. Only a migration "
                         "that runs without a transaction and did not finish "
                         "has one (status shows it as running)"),
                       version,
                       m != NULL ? gander_migration_get_name (m)
                                 : marker != NULL ? marker->filename : "?",
                       state_word (state, version));
        }
      return FALSE;
    }

  if (request->mark_applied)
    {
      GanderSideRow row = *marker;

      /* The file name and checksum stay those of the file that ran. */
      row.state = GANDER_MIGRATION_STATE_APPLIED;
      row.applied_by = (char *) settings_applied_by (request);
      row.applied_at = NULL;
      row.duration_us = 0;
      if ((!applied && !gander_database_insert_version (db, version, error)) ||
          !gander_database_write_side_row (db, &row, error))
        return FALSE;
    }
  else
    {
      /* Pending again. A marker beside a version row is a rollback that
       * did not finish: "pending" means that row goes too. */
      if (!gander_database_delete_side_row (db, version, error) ||
          (applied && !gander_database_delete_version (db, version, error)))
        return FALSE;
    }
  *changed = TRUE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* accept-checksum                                                     */

static gboolean
do_accept_checksum (GanderMigrator       *self,
                    const RepairRequest  *request,
                    GanderDbState        *state,
                    gboolean             *changed,
                    GError              **error)
{
  GanderDatabase *db = gander_migrator_get_database (self);
  GanderSource *source = gander_migrator_get_source (self);
  gint64 version = request->version;
  GanderMigration *m = gander_source_lookup (source, version);
  GanderSideRow *side = g_hash_table_lookup (state->side, &version);
  GanderSideRow row = { 0, };
  const char *checksum;

  g_assert (m != NULL);   /* check_request() */

  if (side != NULL && side->state == GANDER_MIGRATION_STATE_RUNNING)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY,
                   _("cannot accept the checksum of version %" PRId64 " (%s): "
                     "it runs without a transaction and did not finish. Check "
                     "the schema by hand, settle it with `gander repair "
                     "clear-dirty %" PRId64 "` (add --mark-applied if its "
                     "changes are all in place), then accept the checksum"),
                   version, gander_migration_get_name (m), version);
      return FALSE;
    }
  if (!gander_db_state_is_applied (state, version))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("cannot accept the checksum of version %" PRId64 " (%s): "
                     "it is not applied, so no checksum is recorded for it; "
                     "`up` records the file's checksum when it applies it"),
                   version, gander_migration_get_name (m));
      return FALSE;
    }

  checksum = gander_migration_get_checksum (m, error);
  if (checksum == NULL)
    return FALSE;
  /* Already recorded: nothing to write, and the database stays as it is. */
  if (side != NULL && g_strcmp0 (side->checksum, checksum) == 0 &&
      g_strcmp0 (side->filename, gander_migration_get_name (m)) == 0)
    return TRUE;

  row.version_id = version;
  row.filename = (char *) gander_migration_get_name (m);
  row.checksum = (char *) checksum;
  row.state = GANDER_MIGRATION_STATE_APPLIED;
  row.applied_by = (char *) settings_applied_by (request);
  row.applied_at = NULL;
  row.duration_us = side != NULL ? side->duration_us : 0;
  if (!gander_database_ensure_side_table (db, error) ||
      !gander_database_write_side_row (db, &row, error))
    return FALSE;
  *changed = TRUE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The common frame                                                    */

static gboolean
repair (GanderMigrator       *self,
        const RepairRequest  *request,
        GMainContext         *signal_context,
        GPtrArray           **recorded_out,
        GCancellable         *cancellable,
        GError              **error)
{
  GanderDatabase *db = gander_migrator_get_database (self);
  g_autoptr(GanderEmitter) emitter = NULL;
  g_autoptr(GPtrArray) recorded = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GanderDbState) state = { 0, };
  g_auto(GanderDbState) after = { 0, };
  gboolean locked = FALSE;
  gboolean in_transaction = FALSE;
  gboolean changed = FALSE;
  gboolean ok;

  if (!check_request (self, request, error))
    return FALSE;
  if (!gander_migrator_claim (self, error))
    return FALSE;
  emitter = gander_emitter_new (G_OBJECT (self), signal_context);
  gander_migrator_publish_busy (self, emitter, TRUE, NULL);

  ok = gander_database_open (db, cancellable, error) &&
       (locked = gander_database_lock (db, cancellable, error)) &&
       (in_transaction = gander_database_begin (db, cancellable, error)) &&
       gander_db_state_load (&state, db, error);
  if (ok)
    {
      switch (request->kind)
        {
        case REPAIR_BASELINE:
          ok = do_baseline (self, request, &state, recorded, error);
          changed = ok && recorded->len > 0;
          break;
        case REPAIR_CLEAR_DIRTY:
          ok = do_clear_dirty (self, request, &state, &changed, error);
          break;
        case REPAIR_ACCEPT_CHECKSUM:
        default:
          ok = do_accept_checksum (self, request, &state, &changed, error);
          break;
        }
    }
  /* The last moment a cancel can still leave everything as it was. */
  if (ok && changed && g_cancellable_is_cancelled (cancellable))
    {
      gander_set_cancelled_error (error, _("%s of version %" PRId64 " was cancelled "
                                           "before it was committed: nothing changed"),
                                  repair_command (request->kind), request->version);
      ok = FALSE;
    }
  if (in_transaction)
    {
      if (ok && changed)
        ok = gander_database_commit (db, error);
      else
        gander_database_rollback (db, NULL);
    }
  /* What current-version and pending-count say now: goose's table only. */
  if (ok && !gander_db_state_load_full (&after, db, FALSE, NULL))
    gander_db_state_clear (&after);
  if (locked)
    {
      g_autoptr(GError) unlock_error = NULL;

      if (!gander_database_unlock (db, &unlock_error))
        g_warning ("could not release the migration lock: %s", unlock_error->message);
    }
  gander_migrator_unclaim (self, ok ? &after : NULL);
  gander_migrator_publish_busy (self, emitter, FALSE, ok ? &after : NULL);

  if (!ok)
    {
      gander_migrator_normalize_cancelled (error);
      return FALSE;
    }
  if (recorded_out != NULL)
    *recorded_out = g_steal_pointer (&recorded);
  return TRUE;
}

static void
request_init (RepairRequest    *request,
              RepairKind        kind,
              gint64            version,
              gboolean          mark_applied,
              GanderRunOptions *options)
{
  request->kind = kind;
  request->version = version;
  request->mark_applied = !!mark_applied;
  gander_run_settings_init (&request->settings, options);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * gander_migrator_baseline:
 * @self: a #GanderMigrator
 * @version: the version the existing database already matches; a file
 *   of the source must carry it
 * @options: (nullable): settings for this run: #GanderRunOptions:applied-by
 *   is recorded, #GanderRunOptions:allow-missing is honoured
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adopts a database whose schema already holds the changes of the
 * migrations up to @version (made by hand, or by another tool): records
 * every file up to and including @version that is not applied yet as
 * applied, in goose's version table and in Gander's side table (with its
 * checksum and #GanderRunOptions:applied-by), without running any of them.
 * `up` then applies only the later ones. The version table is created
 * when the database has none. Everything happens in one transaction under
 * the run lock; rows of versions above @version are never touched.
 *
 * Running it again is harmless: the versions already recorded are left as
 * they are, and an empty array is returned when nothing was missing.
 *
 * It is refused, with nothing written, when no file carries @version
 * (%GANDER_ERROR_NOT_FOUND), when a migration's running marker is present
 * (%GANDER_ERROR_DIRTY: see gander_migrator_clear_dirty()), and when the
 * database is already at a higher version and files up to @version were
 * never applied (%GANDER_ERROR_MISSING_MIGRATIONS, unless allow-missing is
 * set here or on the migrator: those are goose's missing migrations, and
 * baseline would record them without running them).
 *
 * Returns: (transfer container) (element-type GanderMigration): the
 *   migrations recorded as applied, ascending (empty when none was
 *   missing), or %NULL on error
 *
 * Since: 0.2
 */
GPtrArray *
gander_migrator_baseline (GanderMigrator    *self,
                          gint64             version,
                          GanderRunOptions  *options,
                          GCancellable      *cancellable,
                          GError           **error)
{
  RepairRequest request = { 0, };
  GPtrArray *recorded = NULL;
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  request_init (&request, REPAIR_BASELINE, version, FALSE, options);
  ok = repair (self, &request, NULL, &recorded, cancellable, error);
  gander_run_settings_clear (&request.settings);
  return ok ? recorded : NULL;
}

/**
 * gander_migrator_clear_dirty:
 * @self: a #GanderMigrator
 * @version: the version whose running marker to clear
 * @mark_applied: %TRUE to record the migration as applied, %FALSE to make
 *   it pending again
 * @options: (nullable): settings for this run: #GanderRunOptions:applied-by
 *   is recorded
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Settles a migration that runs without a transaction (`NO TRANSACTION`)
 * and did not finish, once a human has checked the schema and completed
 * or undone what it did. Such a migration leaves a running marker in
 * Gander's side table, and every operation refuses to run
 * (%GANDER_ERROR_DIRTY) until it is cleared.
 *
 * With @mark_applied %FALSE the marker goes and the migration is pending
 * again, as the hand-typed `DELETE` of earlier versions left it; if the
 * migration was being rolled back (its version row is still in goose's
 * table), that row goes too, so that it is pending either way. With
 * @mark_applied %TRUE it is recorded as applied: goose's version row is
 * written if missing, and the side row keeps the file name and checksum
 * of the file that ran, with #GanderRunOptions:applied-by and now.
 *
 * Under the run lock, in one transaction. Refused, with nothing written,
 * when @version carries no running marker (%GANDER_ERROR_INVALID_ARGUMENT;
 * %GANDER_ERROR_NOT_FOUND when neither a file nor the database knows it).
 * The file itself is not needed.
 *
 * Returns: %TRUE when the marker was cleared
 *
 * Since: 0.2
 */
gboolean
gander_migrator_clear_dirty (GanderMigrator    *self,
                             gint64             version,
                             gboolean           mark_applied,
                             GanderRunOptions  *options,
                             GCancellable      *cancellable,
                             GError           **error)
{
  RepairRequest request = { 0, };
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  request_init (&request, REPAIR_CLEAR_DIRTY, version, mark_applied, options);
  ok = repair (self, &request, NULL, NULL, cancellable, error);
  gander_run_settings_clear (&request.settings);
  return ok;
}

/**
 * gander_migrator_accept_checksum:
 * @self: a #GanderMigrator
 * @version: an applied version whose file was edited on purpose
 * @options: (nullable): settings for this run: #GanderRunOptions:applied-by
 *   is recorded
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Records the SHA-256 of @version's file as it is now in Gander's side
 * table, after an intentional edit of an applied migration, so that
 * gander_migrator_status() no longer reports it as modified. The side row
 * then names #GanderRunOptions:applied-by and the time of acceptance.
 * A version goose applied (no side row yet) gets one.
 *
 * Under the run lock, in one transaction. When the recorded checksum
 * already matches the file nothing is written and %TRUE is returned.
 * Refused, with nothing written, when no file carries @version
 * (%GANDER_ERROR_NOT_FOUND), when it is not applied
 * (%GANDER_ERROR_INVALID_ARGUMENT) and when it carries a running marker
 * (%GANDER_ERROR_DIRTY: see gander_migrator_clear_dirty()).
 *
 * Returns: %TRUE when the file's checksum is the recorded one
 *
 * Since: 0.2
 */
gboolean
gander_migrator_accept_checksum (GanderMigrator    *self,
                                 gint64             version,
                                 GanderRunOptions  *options,
                                 GCancellable      *cancellable,
                                 GError           **error)
{
  RepairRequest request = { 0, };
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  request_init (&request, REPAIR_ACCEPT_CHECKSUM, version, FALSE, options);
  ok = repair (self, &request, NULL, NULL, cancellable, error);
  gander_run_settings_clear (&request.settings);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Async forms                                                         */

static void
repair_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GanderMigrator *self = source_object;
  RepairRequest *request = task_data;
  g_autoptr(GPtrArray) recorded = NULL;
  GError *error = NULL;

  if (!repair (self, request, g_task_get_context (task), &recorded, cancellable, &error))
    g_task_return_error (task, error);
  else if (request->kind == REPAIR_BASELINE)
    g_task_return_pointer (task, g_steal_pointer (&recorded), (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_repair (GanderMigrator      *self,
              RepairKind           kind,
              gint64               version,
              gboolean             mark_applied,
              GanderRunOptions    *options,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RepairRequest *request;

  g_return_if_fail (GANDER_IS_MIGRATOR (self));
  g_return_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (RepairRequest, 1);
  request_init (request, kind, version, mark_applied, options);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) repair_request_free);
  /* A repair that committed despite a late cancel reports its success,
   * and a cancelled one the library's own message. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, repair_thread);
}

static gboolean
check_task (GanderMigrator *self,
            GAsyncResult   *result,
            gpointer        source_tag)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return TRUE;
}

/**
 * gander_migrator_baseline_async:
 * @self: a #GanderMigrator
 * @version: see gander_migrator_baseline()
 * @options: (nullable): settings for this run, read before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_baseline() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.2
 */
void
gander_migrator_baseline_async (GanderMigrator      *self,
                                gint64               version,
                                GanderRunOptions    *options,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  start_repair (self, REPAIR_BASELINE, version, FALSE, options,
                gander_migrator_baseline_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_baseline_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_baseline_async().
 *
 * Returns: (transfer container) (element-type GanderMigration): as
 *   gander_migrator_baseline()
 *
 * Since: 0.2
 */
GPtrArray *
gander_migrator_baseline_finish (GanderMigrator  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  if (!check_task (self, result, gander_migrator_baseline_async))
    return NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gander_migrator_clear_dirty_async:
 * @self: a #GanderMigrator
 * @version: see gander_migrator_clear_dirty()
 * @mark_applied: see gander_migrator_clear_dirty()
 * @options: (nullable): settings for this run, read before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_clear_dirty() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.2
 */
void
gander_migrator_clear_dirty_async (GanderMigrator      *self,
                                   gint64               version,
                                   gboolean             mark_applied,
                                   GanderRunOptions    *options,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  start_repair (self, REPAIR_CLEAR_DIRTY, version, mark_applied, options,
                gander_migrator_clear_dirty_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_clear_dirty_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_clear_dirty_async().
 *
 * Returns: as gander_migrator_clear_dirty()
 *
 * Since: 0.2
 */
gboolean
gander_migrator_clear_dirty_finish (GanderMigrator  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  if (!check_task (self, result, gander_migrator_clear_dirty_async))
    return FALSE;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gander_migrator_accept_checksum_async:
 * @self: a #GanderMigrator
 * @version: see gander_migrator_accept_checksum()
 * @options: (nullable): settings for this run, read before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_accept_checksum() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.2
 */
void
gander_migrator_accept_checksum_async (GanderMigrator      *self,
                                       gint64               version,
                                       GanderRunOptions    *options,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  start_repair (self, REPAIR_ACCEPT_CHECKSUM, version, FALSE, options,
                gander_migrator_accept_checksum_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_accept_checksum_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_accept_checksum_async().
 *
 * Returns: as gander_migrator_accept_checksum()
 *
 * Since: 0.2
 */
gboolean
gander_migrator_accept_checksum_finish (GanderMigrator  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  if (!check_task (self, result, gander_migrator_accept_checksum_async))
    return FALSE;
  return g_task_propagate_boolean (G_TASK (result), error);
}

G_STATIC_ASSERT ((int) GANDER_REPAIR_BASELINE == (int) REPAIR_BASELINE);
G_STATIC_ASSERT ((int) GANDER_REPAIR_CLEAR_DIRTY == (int) REPAIR_CLEAR_DIRTY);
G_STATIC_ASSERT ((int) GANDER_REPAIR_ACCEPT_CHECKSUM == (int) REPAIR_ACCEPT_CHECKSUM);

gboolean
gander_migrator_repair_in (GanderMigrator          *self,
                           GanderRepairKind         kind,
                           gint64                   version,
                           gboolean                 mark_applied,
                           const GanderRunSettings *settings,
                           GMainContext            *signal_context,
                           GPtrArray              **recorded,
                           GCancellable            *cancellable,
                           GError                 **error)
{
  RepairRequest request = { 0, };
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  request.kind = (RepairKind) kind;
  request.version = version;
  request.mark_applied = !!mark_applied;
  if (settings != NULL)
    {
      request.settings = *settings;
      request.settings.applied_by = g_strdup (settings->applied_by);
      request.settings.reason = g_strdup (settings->reason);
    }
  ok = repair (self, &request, signal_context, recorded, cancellable, error);
  gander_run_settings_clear (&request.settings);
  return ok;
}
