/* gander-migration-result.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-enum-types.h"
#include "gander-migration-result.h"

/**
 * GanderMigrationResult:
 *
 * What happened to one migration in one run: which migration, in which
 * direction, how long it took, whether its section was empty, and the
 * error if it failed. Immutable.
 *
 * Since: 0.1
 */
struct _GanderMigrationResult
{
  GObject          parent_instance;

  GanderMigration *migration;
  GanderDirection  direction;
  gint64           duration_us;
  gboolean         empty;
  GError          *error;
};

G_DEFINE_FINAL_TYPE (GanderMigrationResult, gander_migration_result, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MIGRATION,
  PROP_VERSION,
  PROP_NAME,
  PROP_DIRECTION,
  PROP_DURATION_US,
  PROP_EMPTY,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_migration_result_finalize (GObject *object)
{
  GanderMigrationResult *self = GANDER_MIGRATION_RESULT (object);

  g_clear_object (&self->migration);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (gander_migration_result_parent_class)->finalize (object);
}

static void
gander_migration_result_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  GanderMigrationResult *self = GANDER_MIGRATION_RESULT (object);

  switch (prop_id)
    {
    case PROP_MIGRATION:
      g_value_set_object (value, self->migration);
      break;
    case PROP_VERSION:
      g_value_set_int64 (value, gander_migration_result_get_version (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, gander_migration_result_get_name (self));
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_DURATION_US:
      g_value_set_int64 (value, self->duration_us);
      break;
    case PROP_EMPTY:
      g_value_set_boolean (value, self->empty);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_migration_result_class_init (GanderMigrationResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_migration_result_finalize;
  object_class->get_property = gander_migration_result_get_property;

  /**
   * GanderMigrationResult:migration:
   *
   * The migration that ran.
   *
   * Since: 0.1
   */
  properties[PROP_MIGRATION] =
    g_param_spec_object ("migration", NULL, NULL, GANDER_TYPE_MIGRATION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationResult:version:
   *
   * The migration's version.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationResult:name:
   *
   * The migration's file name.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationResult:direction:
   *
   * Up or down.
   *
   * Since: 0.1
   */
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, GANDER_TYPE_DIRECTION,
                       GANDER_DIRECTION_UP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationResult:duration-us:
   *
   * How long the migration took, in microseconds (the unit is in the name;
   * it replaces 0.1's `duration`).
   *
   * Since: 0.2
   */
  properties[PROP_DURATION_US] =
    g_param_spec_int64 ("duration-us", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationResult:empty:
   *
   * Whether the section held no statements (the version was still
   * recorded or removed).
   *
   * Since: 0.1
   */
  properties[PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationResult:error:
   *
   * Why the migration failed, or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_migration_result_init (GanderMigrationResult *self)
{
}

/**
 * gander_migration_result_new:
 * @migration: the migration
 * @direction: the direction it ran in
 * @duration_us: how long it took, in microseconds
 * @empty: whether the section held no statements
 * @error: (nullable): why it failed, copied
 *
 * Creates a result; the migrator makes these, bindings and tests may too.
 *
 * Returns: (transfer full): a new result
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migration_result_new (GanderMigration *migration,
                             GanderDirection  direction,
                             gint64           duration_us,
                             gboolean         empty,
                             const GError    *error)
{
  GanderMigrationResult *self;

  g_return_val_if_fail (GANDER_IS_MIGRATION (migration), NULL);

  self = g_object_new (GANDER_TYPE_MIGRATION_RESULT, NULL);
  self->migration = g_object_ref (migration);
  self->direction = direction;
  self->duration_us = MAX (duration_us, 0);
  self->empty = empty;
  self->error = error != NULL ? g_error_copy (error) : NULL;
  return self;
}

/**
 * gander_migration_result_get_migration:
 * @self: a #GanderMigrationResult
 *
 * Gets the migration.
 *
 * Returns: (transfer none): the migration
 *
 * Since: 0.1
 */
GanderMigration *
gander_migration_result_get_migration (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), NULL);
  return self->migration;
}

/**
 * gander_migration_result_get_version:
 * @self: a #GanderMigrationResult
 *
 * Gets the migration's version.
 *
 * Returns: the migration's version
 *
 * Since: 0.1
 */
gint64
gander_migration_result_get_version (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), 0);
  return gander_migration_get_version (self->migration);
}

/**
 * gander_migration_result_get_name:
 * @self: a #GanderMigrationResult
 *
 * Gets the migration's file name.
 *
 * Returns: the migration's file name
 *
 * Since: 0.1
 */
const char *
gander_migration_result_get_name (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), NULL);
  return gander_migration_get_name (self->migration);
}

/**
 * gander_migration_result_get_direction:
 * @self: a #GanderMigrationResult
 *
 * Gets the direction.
 *
 * Returns: the direction
 *
 * Since: 0.1
 */
GanderDirection
gander_migration_result_get_direction (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), GANDER_DIRECTION_UP);
  return self->direction;
}

/**
 * gander_migration_result_get_duration_us:
 * @self: a #GanderMigrationResult
 *
 * Gets how long the migration took, in microseconds (see
 * #GanderMigrationResult:duration-us).
 *
 * Returns: the duration in microseconds
 *
 * Since: 0.2
 */
gint64
gander_migration_result_get_duration_us (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), 0);
  return self->duration_us;
}

/**
 * gander_migration_result_get_empty:
 * @self: a #GanderMigrationResult
 *
 * Tells whether the section held no statements.
 *
 * Returns: whether the section held no statements
 *
 * Since: 0.1
 */
gboolean
gander_migration_result_get_empty (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), FALSE);
  return self->empty;
}

/**
 * gander_migration_result_get_error:
 * @self: a #GanderMigrationResult
 *
 * Gets the error, or %NULL if the migration succeeded.
 *
 * Returns: (nullable): the error, or %NULL if the migration succeeded
 *
 * Since: 0.1
 */
const GError *
gander_migration_result_get_error (GanderMigrationResult *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_RESULT (self), NULL);
  return self->error;
}
