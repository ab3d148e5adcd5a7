/* gander-plan.c: what an operation will do, before it does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-enum-types.h"
#include "gander-plan-private.h"
#include "gander-sql-parser-private.h"

/**
 * GanderPlanStep:
 *
 * One migration a #GanderPlan runs, in one direction, with the statements
 * that will be sent to the database (after `ENVSUB` expansion) and the line
 * of the file each one starts on. Immutable.
 *
 * Since: 0.2
 */
struct _GanderPlanStep
{
  GObject          parent_instance;

  GanderMigration *migration;
  GanderDirection  direction;
  /* statements and lines are read from it, never copied: a plan of
   * thousands of steps holds each file's text once */
  GanderParsedSql *parsed;
};

G_DEFINE_FINAL_TYPE (GanderPlanStep, gander_plan_step, G_TYPE_OBJECT)

enum {
  STEP_PROP_0,
  STEP_PROP_MIGRATION,
  STEP_PROP_VERSION,
  STEP_PROP_NAME,
  STEP_PROP_DIRECTION,
  STEP_PROP_USE_TRANSACTION,
  STEP_N_PROPS
};

static GParamSpec *step_properties[STEP_N_PROPS];

static void
gander_plan_step_finalize (GObject *object)
{
  GanderPlanStep *self = GANDER_PLAN_STEP (object);

  g_clear_object (&self->migration);
  g_clear_pointer (&self->parsed, gander_parsed_sql_unref);

  G_OBJECT_CLASS (gander_plan_step_parent_class)->finalize (object);
}

static void
gander_plan_step_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GanderPlanStep *self = GANDER_PLAN_STEP (object);

  switch (prop_id)
    {
    case STEP_PROP_MIGRATION:
      g_value_set_object (value, self->migration);
      break;
    case STEP_PROP_VERSION:
      g_value_set_int64 (value, gander_plan_step_get_version (self));
      break;
    case STEP_PROP_NAME:
      g_value_set_string (value, gander_plan_step_get_name (self));
      break;
    case STEP_PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case STEP_PROP_USE_TRANSACTION:
      g_value_set_boolean (value, gander_plan_step_get_use_transaction (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_plan_step_class_init (GanderPlanStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_plan_step_finalize;
  object_class->get_property = gander_plan_step_get_property;

  /**
   * GanderPlanStep:migration:
   *
   * The migration.
   *
   * Since: 0.2
   */
  step_properties[STEP_PROP_MIGRATION] =
    g_param_spec_object ("migration", NULL, NULL, GANDER_TYPE_MIGRATION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlanStep:version:
   *
   * The migration's version.
   *
   * Since: 0.2
   */
  step_properties[STEP_PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlanStep:name:
   *
   * The migration's file name.
   *
   * Since: 0.2
   */
  step_properties[STEP_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlanStep:direction:
   *
   * Which section runs.
   *
   * Since: 0.2
   */
  step_properties[STEP_PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, GANDER_TYPE_DIRECTION, GANDER_DIRECTION_UP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlanStep:use-transaction:
   *
   * Whether the step runs in a transaction (%FALSE for files marked
   * `-- +goose NO TRANSACTION`).
   *
   * Since: 0.2
   */
  step_properties[STEP_PROP_USE_TRANSACTION] =
    g_param_spec_boolean ("use-transaction", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, STEP_N_PROPS, step_properties);
}

static void
gander_plan_step_init (GanderPlanStep *self)
{
}

/**
 * gander_plan_step_get_migration:
 * @self: a #GanderPlanStep
 *
 * Gets the migration.
 *
 * Returns: (transfer none): the migration
 *
 * Since: 0.2
 */
GanderMigration *
gander_plan_step_get_migration (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), NULL);
  return self->migration;
}

/**
 * gander_plan_step_get_version:
 * @self: a #GanderPlanStep
 *
 * Gets the migration's version.
 *
 * Returns: the version
 *
 * Since: 0.2
 */
gint64
gander_plan_step_get_version (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), 0);
  return gander_migration_get_version (self->migration);
}

/**
 * gander_plan_step_get_name:
 * @self: a #GanderPlanStep
 *
 * Gets the migration's file name.
 *
 * Returns: the file name
 *
 * Since: 0.2
 */
const char *
gander_plan_step_get_name (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), NULL);
  return gander_migration_get_name (self->migration);
}

/**
 * gander_plan_step_get_direction:
 * @self: a #GanderPlanStep
 *
 * Gets which section runs.
 *
 * Returns: the direction
 *
 * Since: 0.2
 */
GanderDirection
gander_plan_step_get_direction (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), GANDER_DIRECTION_UP);
  return self->direction;
}

/**
 * gander_plan_step_get_use_transaction:
 * @self: a #GanderPlanStep
 *
 * Tells whether the step runs in a transaction.
 *
 * Returns: %FALSE for a `NO TRANSACTION` file
 *
 * Since: 0.2
 */
gboolean
gander_plan_step_get_use_transaction (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), TRUE);
  return gander_parsed_sql_get_use_transaction (self->parsed);
}

/**
 * gander_plan_step_get_n_statements:
 * @self: a #GanderPlanStep
 *
 * Gets how many statements the step sends.
 *
 * Returns: the number of statements (0 for an empty section)
 *
 * Since: 0.2
 */
guint
gander_plan_step_get_n_statements (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), 0);
  return gander_parsed_sql_get_n_statements (self->parsed);
}

/**
 * gander_plan_step_get_statements:
 * @self: a #GanderPlanStep
 *
 * Gets the statements the step sends, in order.
 *
 * Returns: (transfer none) (array zero-terminated=1): the statements
 *
 * Since: 0.2
 */
const char * const *
gander_plan_step_get_statements (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), NULL);
  return gander_parsed_sql_peek_statements (self->parsed);
}

/**
 * gander_plan_step_get_statement_line:
 * @self: a #GanderPlanStep
 * @index: a statement index, below gander_plan_step_get_n_statements()
 *
 * Gets the line of the file statement @index starts on.
 *
 * Returns: the 1-based line
 *
 * Since: 0.2
 */
guint
gander_plan_step_get_statement_line (GanderPlanStep *self,
                                     guint           index)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), 0);
  g_return_val_if_fail (index < gander_parsed_sql_get_n_statements (self->parsed), 0);
  return gander_parsed_sql_get_statement_line (self->parsed, index);
}

GanderParsedSql *
gander_plan_step_get_parsed (GanderPlanStep *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN_STEP (self), NULL);
  return self->parsed;
}

/* ------------------------------------------------------------------ */

/**
 * GanderPlan:
 *
 * What an operation of a #GanderMigrator will do, computed without
 * changing anything (see gander_migrator_plan()): the ordered steps, the
 * missing (out-of-order) versions it applies or refuses, warnings, and the
 * reason it cannot run, if any. The migrator's own operations build a
 * plan the same way and execute it, so a dry run shows what runs.
 * Immutable.
 *
 * Since: 0.2
 */
struct _GanderPlan
{
  GObject              parent_instance;

  GanderPlanOperation  operation;
  gint64               target;
  gint64               current_version;
  GPtrArray           *steps;     /* GanderPlanStep */
  GArray              *missing;   /* gint64 */
  GPtrArray           *warnings;  /* char*, NULL-terminated */
  GError              *error;
};

G_DEFINE_FINAL_TYPE (GanderPlan, gander_plan, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_OPERATION,
  PROP_TARGET,
  PROP_CURRENT_VERSION,
  PROP_CAN_RUN,
  PROP_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_plan_finalize (GObject *object)
{
  GanderPlan *self = GANDER_PLAN (object);

  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->missing, g_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (gander_plan_parent_class)->finalize (object);
}

static void
gander_plan_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  GanderPlan *self = GANDER_PLAN (object);

  switch (prop_id)
    {
    case PROP_OPERATION:
      g_value_set_enum (value, self->operation);
      break;
    case PROP_TARGET:
      g_value_set_int64 (value, self->target);
      break;
    case PROP_CURRENT_VERSION:
      g_value_set_int64 (value, self->current_version);
      break;
    case PROP_CAN_RUN:
      g_value_set_boolean (value, self->error == NULL);
      break;
    case PROP_REASON:
      g_value_set_string (value, gander_plan_get_reason (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_plan_class_init (GanderPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_plan_finalize;
  object_class->get_property = gander_plan_get_property;

  /**
   * GanderPlan:operation:
   *
   * The operation planned.
   *
   * Since: 0.2
   */
  properties[PROP_OPERATION] =
    g_param_spec_enum ("operation", NULL, NULL, GANDER_TYPE_PLAN_OPERATION,
                       GANDER_PLAN_OPERATION_UP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlan:target:
   *
   * The version given to `up-to` or `down-to` (0 otherwise).
   *
   * Since: 0.2
   */
  properties[PROP_TARGET] =
    g_param_spec_int64 ("target", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlan:current-version:
   *
   * The database version when the plan was made.
   *
   * Since: 0.2
   */
  properties[PROP_CURRENT_VERSION] =
    g_param_spec_int64 ("current-version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlan:can-run:
   *
   * Whether the operation would run; see #GanderPlan:reason otherwise.
   *
   * Since: 0.2
   */
  properties[PROP_CAN_RUN] =
    g_param_spec_boolean ("can-run", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderPlan:reason:
   *
   * Why the operation would not run (%NULL when it would).
   *
   * Since: 0.2
   */
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_plan_init (GanderPlan *self)
{
  self->steps = g_ptr_array_new_with_free_func (g_object_unref);
  self->missing = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, NULL);
}

GanderPlan *
gander_plan_new (GanderPlanOperation operation,
                 gint64              target,
                 gint64              current_version)
{
  GanderPlan *self = g_object_new (GANDER_TYPE_PLAN, NULL);

  self->operation = operation;
  self->target = target;
  self->current_version = current_version;
  return self;
}

void
gander_plan_add_step (GanderPlan      *self,
                      GanderMigration *migration,
                      GanderDirection  direction,
                      GanderParsedSql *parsed)
{
  GanderPlanStep *step;

  g_return_if_fail (GANDER_IS_PLAN (self));
  g_return_if_fail (GANDER_IS_MIGRATION (migration));
  g_return_if_fail (parsed != NULL);

  step = g_object_new (GANDER_TYPE_PLAN_STEP, NULL);
  step->migration = g_object_ref (migration);
  step->direction = direction;
  step->parsed = gander_parsed_sql_ref (parsed);
  g_ptr_array_add (self->steps, step);
}

void
gander_plan_add_missing (GanderPlan *self,
                         gint64      version)
{
  g_return_if_fail (GANDER_IS_PLAN (self));
  g_array_append_val (self->missing, version);
}

void
gander_plan_add_warning (GanderPlan *self,
                         const char *warning)
{
  g_return_if_fail (GANDER_IS_PLAN (self));
  g_return_if_fail (warning != NULL);

  self->warnings->pdata[self->warnings->len - 1] = g_strdup (warning);
  g_ptr_array_add (self->warnings, NULL);
}

void
gander_plan_take_error (GanderPlan *self,
                        GError     *error)
{
  g_return_if_fail (GANDER_IS_PLAN (self));
  g_return_if_fail (error != NULL);

  /* the first reason is the one that counts */
  if (self->error != NULL)
    {
      g_error_free (error);
      return;
    }
  self->error = error;
}

gboolean
gander_plan_check (GanderPlan  *self,
                   GError     **error)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), FALSE);

  if (self->error == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (self->error));
  return FALSE;
}

/**
 * gander_plan_get_operation:
 * @self: a #GanderPlan
 *
 * Gets the operation planned.
 *
 * Returns: the operation
 *
 * Since: 0.2
 */
GanderPlanOperation
gander_plan_get_operation (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), GANDER_PLAN_OPERATION_UP);
  return self->operation;
}

/**
 * gander_plan_get_target:
 * @self: a #GanderPlan
 *
 * Gets the version given to `up-to` or `down-to`.
 *
 * Returns: the target version (0 for other operations)
 *
 * Since: 0.2
 */
gint64
gander_plan_get_target (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), 0);
  return self->target;
}

/**
 * gander_plan_get_current_version:
 * @self: a #GanderPlan
 *
 * Gets the database version when the plan was made.
 *
 * Returns: the highest version recorded (0 when none)
 *
 * Since: 0.2
 */
gint64
gander_plan_get_current_version (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), 0);
  return self->current_version;
}

/**
 * gander_plan_get_n_steps:
 * @self: a #GanderPlan
 *
 * Gets how many migrations the plan runs.
 *
 * Returns: the number of steps
 *
 * Since: 0.2
 */
guint
gander_plan_get_n_steps (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), 0);
  return self->steps->len;
}

/**
 * gander_plan_get_step:
 * @self: a #GanderPlan
 * @index: a step index, below gander_plan_get_n_steps()
 *
 * Gets one step.
 *
 * Returns: (transfer none): the step
 *
 * Since: 0.2
 */
GanderPlanStep *
gander_plan_get_step (GanderPlan *self,
                      guint       index)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, index);
}

/**
 * gander_plan_get_steps:
 * @self: a #GanderPlan
 *
 * Gets the steps, in the order they run.
 *
 * Returns: (transfer container) (element-type GanderPlanStep): the steps
 *
 * Since: 0.2
 */
GPtrArray *
gander_plan_get_steps (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), NULL);
  return g_ptr_array_copy (self->steps, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

/**
 * gander_plan_get_missing:
 * @self: a #GanderPlan
 * @n_missing: (out): the number of versions
 *
 * Gets the missing versions: files older than the database version that
 * were never applied (goose's out-of-order migrations), ascending. `up`
 * applies them with allow-missing and refuses to run otherwise.
 *
 * Returns: (transfer none) (array length=n_missing): the versions
 *
 * Since: 0.2
 */
const gint64 *
gander_plan_get_missing (GanderPlan *self,
                         gsize      *n_missing)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), NULL);
  g_return_val_if_fail (n_missing != NULL, NULL);

  *n_missing = self->missing->len;
  return (const gint64 *) (gpointer) self->missing->data;
}

/**
 * gander_plan_get_warnings:
 * @self: a #GanderPlan
 *
 * Gets what the operation will do that its caller may not expect, but
 * that does not stop it (for example a malformed section of a file that
 * runs in the other direction).
 *
 * Returns: (transfer none) (array zero-terminated=1): the warnings, one
 *   sentence each
 *
 * Since: 0.2
 */
const char * const *
gander_plan_get_warnings (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), NULL);
  return (const char * const *) self->warnings->pdata;
}

/**
 * gander_plan_get_can_run:
 * @self: a #GanderPlan
 *
 * Tells whether the operation would run.
 *
 * Returns: %FALSE when running it would fail before changing anything;
 *   gander_plan_get_reason() says why
 *
 * Since: 0.2
 */
gboolean
gander_plan_get_can_run (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), FALSE);
  return self->error == NULL;
}

/**
 * gander_plan_get_reason:
 * @self: a #GanderPlan
 *
 * Gets why the operation would not run: the message of the error running
 * it would fail with.
 *
 * Returns: (nullable): the reason, or %NULL when the plan can run
 *
 * Since: 0.2
 */
const char *
gander_plan_get_reason (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), NULL);
  return self->error != NULL ? self->error->message : NULL;
}

/**
 * gander_plan_get_error_code:
 * @self: a #GanderPlan
 *
 * Gets the code of the error running the plan would fail with, such as
 * %GANDER_ERROR_MISSING_MIGRATIONS, %GANDER_ERROR_DIRTY or
 * %GANDER_ERROR_PARSE. Only meaningful when gander_plan_get_can_run() is
 * %FALSE.
 *
 * Returns: the code, in the %GANDER_ERROR domain
 *
 * Since: 0.2
 */
GanderError
gander_plan_get_error_code (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), GANDER_ERROR_FAILED);

  if (self->error == NULL || self->error->domain != GANDER_ERROR)
    return GANDER_ERROR_FAILED;
  return self->error->code;
}

/**
 * gander_plan_get_error:
 * @self: a #GanderPlan
 *
 * Gets the error running the plan would fail with.
 *
 * Returns: (nullable) (transfer none): the error, or %NULL when the plan
 *   can run
 *
 * Since: 0.2
 */
const GError *
gander_plan_get_error (GanderPlan *self)
{
  g_return_val_if_fail (GANDER_IS_PLAN (self), NULL);
  return self->error;
}
