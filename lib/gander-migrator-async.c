/* gander-migrator-async.c: the _async/_finish forms of GanderMigrator's
 * operations, run in a GTask worker thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-migrator-private.h"

/* Each operation runs the synchronous code in a worker thread and passes
 * the caller's thread-default context down, so the signals and property
 * notifications of the run reach the caller there, in order, before the
 * callback. */

/* The operations that change the database are GanderPlanOperation values;
 * the read-only queries follow them. */
typedef enum {
  OP_UP = GANDER_PLAN_OPERATION_UP,
  OP_UP_BY_ONE = GANDER_PLAN_OPERATION_UP_BY_ONE,
  OP_UP_TO = GANDER_PLAN_OPERATION_UP_TO,
  OP_DOWN = GANDER_PLAN_OPERATION_DOWN,
  OP_DOWN_TO = GANDER_PLAN_OPERATION_DOWN_TO,
  OP_REDO = GANDER_PLAN_OPERATION_REDO,
  OP_RESET = GANDER_PLAN_OPERATION_RESET,
  OP_STATUS,
  OP_DB_VERSION,
  OP_HAS_PENDING,
  OP_PLAN,
  OP_RUN,
  OP_REFRESH,
} OpKind;

typedef struct
{
  OpKind              kind;
  gint64              version;
  GanderPlanOperation operation;  /* OP_PLAN, OP_RUN */
  GanderRunSettings   settings;   /* read in the caller's thread */
} OpData;

static void
op_data_free (OpData *op)
{
  gander_run_settings_clear (&op->settings);
  g_free (op);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  GanderMigrator *self = source_object;
  OpData *op = task_data;
  GError *error = NULL;
  gpointer result = NULL;
  GDestroyNotify free_func = (GDestroyNotify) g_ptr_array_unref;

  switch (op->kind)
    {
    case OP_UP:
    case OP_UP_TO:
    case OP_DOWN_TO:
    case OP_REDO:
    case OP_RESET:
      result = gander_migrator_execute (self, (GanderPlanOperation) op->kind, op->version,
                                        &op->settings, g_task_get_context (task),
                                        cancellable, &error);
      break;
    case OP_RUN:
      result = gander_migrator_execute (self, op->operation, op->version, &op->settings,
                                        g_task_get_context (task), cancellable, &error);
      break;
    case OP_UP_BY_ONE:
    case OP_DOWN:
      {
        g_autoptr(GPtrArray) results = NULL;

        results = gander_migrator_execute (self, (GanderPlanOperation) op->kind, op->version,
                                           &op->settings, g_task_get_context (task),
                                           cancellable, &error);
        if (results != NULL)
          result = g_object_ref (g_ptr_array_index (results, 0));
        free_func = g_object_unref;
      }
      break;
    case OP_STATUS:
      result = gander_migrator_status_in (self, g_task_get_context (task), cancellable, &error);
      break;
    case OP_PLAN:
      result = gander_migrator_plan_in (self, op->operation, op->version,
                                        g_task_get_context (task), cancellable, &error);
      free_func = g_object_unref;
      break;
    case OP_DB_VERSION:
      {
        gint64 version = gander_migrator_get_db_version_in (self, g_task_get_context (task),
                                                            cancellable, &error);

        if (error == NULL)
          {
            result = g_memdup2 (&version, sizeof version);
            free_func = g_free;
          }
      }
      break;
    case OP_HAS_PENDING:
      {
        gboolean pending = gander_migrator_has_pending_in (self, g_task_get_context (task),
                                                           cancellable, &error);

        if (error == NULL)
          {
            g_task_return_boolean (task, pending);
            return;
          }
      }
      break;
    case OP_REFRESH:
      if (gander_migrator_refresh_in (self, g_task_get_context (task), cancellable, &error))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      break;
    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, free_func);
}

static void
start_op_full (GanderMigrator      *self,
               OpKind               kind,
               GanderPlanOperation  operation,
               gint64               version,
               GanderRunOptions    *options,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpData *op;

  g_return_if_fail (GANDER_IS_MIGRATOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = g_new0 (OpData, 1);
  op->kind = kind;
  op->operation = operation;
  op->version = version;
  gander_run_settings_init (&op->settings, options);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_data_free);
  /* Results are reported even if the caller cancels: a cancelled run has
   * still applied what it applied. */
  g_task_set_return_on_cancel (task, FALSE);
  /* A cancelled run reports the library's own G_IO_ERROR_CANCELLED (with
   * what ran, in its message), as the synchronous form does; and a run
   * that finished despite a late cancel keeps its results. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, op_thread);
}

static void
start_op (GanderMigrator      *self,
          OpKind               kind,
          gint64               version,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  start_op_full (self, kind, GANDER_PLAN_OPERATION_UP, version, NULL, source_tag,
                 cancellable, callback, user_data);
}

static gpointer
finish_op (GanderMigrator  *self,
           GAsyncResult    *result,
           gpointer         source_tag,
           GError         **error)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gander_migrator_up_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): cancels between migrations, and interrupts the
 *   running statement (its migration then rolls back)
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_up() in a worker thread.
 *
 * Threading: the signals and property notifications of the operation, and
 * @callback, are all delivered in the thread-default main context of the
 * thread that called this function, in the order they happened; never in
 * the worker thread. The migrator stays alive until @callback has run,
 * even if the caller drops its reference.
 *
 * Since: 0.1
 */
void
gander_migrator_up_async (GanderMigrator      *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  start_op (self, OP_UP, 0, gander_migrator_up_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_up_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_up_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_up()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_up_finish (GanderMigrator  *self,
                           GAsyncResult    *result,
                           GError         **error)
{
  return finish_op (self, result, gander_migrator_up_async, error);
}

/**
 * gander_migrator_up_by_one_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_up_by_one() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_up_by_one_async (GanderMigrator      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  start_op (self, OP_UP_BY_ONE, 0, gander_migrator_up_by_one_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_up_by_one_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_up_by_one_async().
 *
 * Returns: (transfer full): as gander_migrator_up_by_one()
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migrator_up_by_one_finish (GanderMigrator  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return finish_op (self, result, gander_migrator_up_by_one_async, error);
}

/**
 * gander_migrator_up_to_async:
 * @self: a #GanderMigrator
 * @version: the last version to apply
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_up_to() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_up_to_async (GanderMigrator      *self,
                             gint64               version,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, OP_UP_TO, version, gander_migrator_up_to_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_up_to_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_up_to_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_up_to()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_up_to_finish (GanderMigrator  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return finish_op (self, result, gander_migrator_up_to_async, error);
}

/**
 * gander_migrator_down_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_down() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_down_async (GanderMigrator      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_op (self, OP_DOWN, 0, gander_migrator_down_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_down_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_down_async().
 *
 * Returns: (transfer full): as gander_migrator_down()
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migrator_down_finish (GanderMigrator  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return finish_op (self, result, gander_migrator_down_async, error);
}

/**
 * gander_migrator_down_to_async:
 * @self: a #GanderMigrator
 * @version: the version to stop at
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_down_to() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_down_to_async (GanderMigrator      *self,
                               gint64               version,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_op (self, OP_DOWN_TO, version, gander_migrator_down_to_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_down_to_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_down_to_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_down_to()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_down_to_finish (GanderMigrator  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_op (self, result, gander_migrator_down_to_async, error);
}

/**
 * gander_migrator_redo_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_redo() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_redo_async (GanderMigrator      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_op (self, OP_REDO, 0, gander_migrator_redo_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_redo_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_redo_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_redo()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_redo_finish (GanderMigrator  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return finish_op (self, result, gander_migrator_redo_async, error);
}

/**
 * gander_migrator_reset_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_reset() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_reset_async (GanderMigrator      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, OP_RESET, 0, gander_migrator_reset_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_reset_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_reset_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_reset()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_reset_finish (GanderMigrator  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return finish_op (self, result, gander_migrator_reset_async, error);
}

/**
 * gander_migrator_status_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_status() in a worker thread.
 *
 * Since: 0.1
 */
void
gander_migrator_status_async (GanderMigrator      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  start_op (self, OP_STATUS, 0, gander_migrator_status_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_status_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_status_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationStatus): as
 *   gander_migrator_status()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_status_finish (GanderMigrator  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return finish_op (self, result, gander_migrator_status_async, error);
}

/**
 * gander_migrator_get_db_version_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_get_db_version() in a worker thread.
 *
 * Since: 0.1
 */
void
gander_migrator_get_db_version_async (GanderMigrator      *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  start_op (self, OP_DB_VERSION, 0, gander_migrator_get_db_version_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_get_db_version_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_get_db_version_async().
 *
 * Returns: the highest version recorded, 0 when none, or -1 on error (as
 *   gander_migrator_get_db_version())
 *
 * Since: 0.1
 */
gint64
gander_migrator_get_db_version_finish (GanderMigrator  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_autofree gint64 *value = finish_op (self, result, gander_migrator_get_db_version_async, error);

  return value != NULL ? *value : -1;
}

/**
 * gander_migrator_has_pending_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_has_pending() in a worker thread.
 *
 * Since: 0.1
 */
void
gander_migrator_has_pending_async (GanderMigrator      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  start_op (self, OP_HAS_PENDING, 0, gander_migrator_has_pending_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_has_pending_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_has_pending_async().
 *
 * Returns: %TRUE if migrations are pending, %FALSE if none are or on error
 *   (as gander_migrator_has_pending())
 *
 * Since: 0.1
 */
gboolean
gander_migrator_has_pending_finish (GanderMigrator  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gander_migrator_has_pending_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gander_migrator_plan_async:
 * @self: a #GanderMigrator
 * @operation: the operation to plan
 * @target: the version for up-to and down-to
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_plan() in a worker thread.
 *
 * Since: 0.2
 */
void
gander_migrator_plan_async (GanderMigrator      *self,
                            GanderPlanOperation  operation,
                            gint64               target,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_op_full (self, OP_PLAN, operation, target, NULL, gander_migrator_plan_async,
                 cancellable, callback, user_data);
}

/**
 * gander_migrator_plan_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_plan_async().
 *
 * Returns: (transfer full): as gander_migrator_plan()
 *
 * Since: 0.2
 */
GanderPlan *
gander_migrator_plan_finish (GanderMigrator  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return finish_op (self, result, gander_migrator_plan_async, error);
}

/**
 * gander_migrator_run_async:
 * @self: a #GanderMigrator
 * @operation: what to do
 * @target: the version for up-to and down-to
 * @options: (nullable): settings for this run, read before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_run() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.2
 */
void
gander_migrator_run_async (GanderMigrator      *self,
                           GanderPlanOperation  operation,
                           gint64               target,
                           GanderRunOptions    *options,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options));

  start_op_full (self, OP_RUN, operation, target, options, gander_migrator_run_async,
                 cancellable, callback, user_data);
}

/**
 * gander_migrator_run_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_run_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_run()
 *
 * Since: 0.2
 */
GPtrArray *
gander_migrator_run_finish (GanderMigrator  *self,
                            GAsyncResult    *result,
                            GError         **error)
{
  return finish_op (self, result, gander_migrator_run_async, error);
}

/**
 * gander_migrator_refresh_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_refresh() in a worker thread. The notifications of
 * #GanderMigrator:current-version and #GanderMigrator:pending-count are
 * delivered in the thread-default main context of the caller, before
 * @callback.
 *
 * Since: 0.2
 */
void
gander_migrator_refresh_async (GanderMigrator      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_op (self, OP_REFRESH, 0, gander_migrator_refresh_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_refresh_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_refresh_async().
 *
 * Returns: %TRUE on success, %FALSE if the database cannot be read
 *
 * Since: 0.2
 */
gboolean
gander_migrator_refresh_finish (GanderMigrator  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gander_migrator_refresh_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
