/* gander-run-options.c: how one run of a GanderMigrator behaves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-run-options.h"

/**
 * GanderRunOptions:
 *
 * Settings for one run of gander_migrator_run(): who applies it and why,
 * and switches that add to the migrator's own properties. The migrator
 * reads them when the run starts; changing them afterwards does not
 * affect a run already started.
 *
 * Since: 0.2
 */
struct _GanderRunOptions
{
  GObject   parent_instance;

  char     *applied_by;
  char     *reason;
  gboolean  allow_missing;
  gboolean  strict_targets;
  gboolean  no_versioning;
};

G_DEFINE_FINAL_TYPE (GanderRunOptions, gander_run_options, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APPLIED_BY,
  PROP_REASON,
  PROP_ALLOW_MISSING,
  PROP_STRICT_TARGETS,
  PROP_NO_VERSIONING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_run_options_finalize (GObject *object)
{
  GanderRunOptions *self = GANDER_RUN_OPTIONS (object);

  g_clear_pointer (&self->applied_by, g_free);
  g_clear_pointer (&self->reason, g_free);

  G_OBJECT_CLASS (gander_run_options_parent_class)->finalize (object);
}

static void
gander_run_options_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GanderRunOptions *self = GANDER_RUN_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_APPLIED_BY:
      g_value_set_string (value, self->applied_by);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_ALLOW_MISSING:
      g_value_set_boolean (value, self->allow_missing);
      break;
    case PROP_STRICT_TARGETS:
      g_value_set_boolean (value, self->strict_targets);
      break;
    case PROP_NO_VERSIONING:
      g_value_set_boolean (value, self->no_versioning);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_run_options_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  GanderRunOptions *self = GANDER_RUN_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_APPLIED_BY:
      gander_run_options_set_applied_by (self, g_value_get_string (value));
      break;
    case PROP_REASON:
      gander_run_options_set_reason (self, g_value_get_string (value));
      break;
    case PROP_ALLOW_MISSING:
      gander_run_options_set_allow_missing (self, g_value_get_boolean (value));
      break;
    case PROP_STRICT_TARGETS:
      gander_run_options_set_strict_targets (self, g_value_get_boolean (value));
      break;
    case PROP_NO_VERSIONING:
      gander_run_options_set_no_versioning (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_run_options_class_init (GanderRunOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_run_options_finalize;
  object_class->get_property = gander_run_options_get_property;
  object_class->set_property = gander_run_options_set_property;


  /**
   * GanderRunOptions:applied-by:
   *
   * Who the side table records as having applied the migrations of the run
   * (its `applied_by` column). %NULL, the default, records the current
   * process's `user@host`.
   *
   * Since: 0.2
   */
  properties[PROP_APPLIED_BY] =
    g_param_spec_string ("applied-by", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:reason:
   *
   * Why the run happens, free text for the caller's records (a ticket, a
   * deploy id); %NULL by default.
   *
   * The migrator does not write it to the database: neither goose's
   * version table nor Gander's side table has a column for it, and no
   * #GanderMigrationResult or signal carries it. It is copied when the run
   * starts (a later change does not reach that run) and carried with the
   * run, but recorded nowhere yet: the manager's audit log (not available
   * yet) is meant to record it. Signal handlers that want it read it from
   * the options object the caller passed.
   *
   * Since: 0.2
   */
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:allow-missing:
   *
   * Apply missing (out-of-order) migrations, in addition to
   * #GanderMigrator:allow-missing.
   *
   * Since: 0.2
   */
  properties[PROP_ALLOW_MISSING] =
    g_param_spec_boolean ("allow-missing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:strict-targets:
   *
   * Make `up-to V` / `down-to V` with a V that no file carries and the
   * database never recorded an error (%GANDER_ERROR_NOT_FOUND) instead of a
   * bound with a warning (goose), in addition to
   * #GanderMigrator:strict-targets.
   *
   * Since: 0.2
   */
  properties[PROP_STRICT_TARGETS] =
    g_param_spec_boolean ("strict-targets", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:no-versioning:
   *
   * Run without the version table, in addition to
   * #GanderMigrator:no-versioning.
   *
   * Since: 0.2
   */
  properties[PROP_NO_VERSIONING] =
    g_param_spec_boolean ("no-versioning", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_run_options_init (GanderRunOptions *self)
{
}

/**
 * gander_run_options_new:
 *
 * Creates options with the defaults: the current user, no reason, every
 * switch off.
 *
 * Returns: (transfer full): new options
 *
 * Since: 0.2
 */
GanderRunOptions *
gander_run_options_new (void)
{
  return g_object_new (GANDER_TYPE_RUN_OPTIONS, NULL);
}


/**
 * gander_run_options_get_applied_by:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:applied-by.
 *
 * Returns: (nullable): the value
 *
 * Since: 0.2
 */
const char *
gander_run_options_get_applied_by (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), NULL);
  return self->applied_by;
}

/**
 * gander_run_options_set_applied_by:
 * @self: a #GanderRunOptions
 * @applied_by: (nullable): the new value
 *
 * Sets #GanderRunOptions:applied-by.
 *
 * Since: 0.2
 */
void
gander_run_options_set_applied_by (GanderRunOptions *self,
                                  const char       *applied_by)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  if (g_strcmp0 (self->applied_by, applied_by) == 0)
    return;
  g_free (self->applied_by);
  self->applied_by = g_strdup (applied_by);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPLIED_BY]);
}


/**
 * gander_run_options_get_reason:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:reason.
 *
 * Returns: (nullable): the value
 *
 * Since: 0.2
 */
const char *
gander_run_options_get_reason (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), NULL);
  return self->reason;
}

/**
 * gander_run_options_set_reason:
 * @self: a #GanderRunOptions
 * @reason: (nullable): the new value
 *
 * Sets #GanderRunOptions:reason.
 *
 * Since: 0.2
 */
void
gander_run_options_set_reason (GanderRunOptions *self,
                              const char       *reason)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  if (g_strcmp0 (self->reason, reason) == 0)
    return;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}


/**
 * gander_run_options_get_allow_missing:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:allow-missing.
 *
 * Returns: the value
 *
 * Since: 0.2
 */
gboolean
gander_run_options_get_allow_missing (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), FALSE);
  return self->allow_missing;
}

/**
 * gander_run_options_set_allow_missing:
 * @self: a #GanderRunOptions
 * @allow_missing: the new value
 *
 * Sets #GanderRunOptions:allow-missing.
 *
 * Since: 0.2
 */
void
gander_run_options_set_allow_missing (GanderRunOptions *self,
                                     gboolean          allow_missing)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  allow_missing = !!allow_missing;
  if (self->allow_missing == allow_missing)
    return;
  self->allow_missing = allow_missing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_MISSING]);
}


/**
 * gander_run_options_get_strict_targets:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:strict-targets.
 *
 * Returns: the value
 *
 * Since: 0.2
 */
gboolean
gander_run_options_get_strict_targets (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), FALSE);
  return self->strict_targets;
}

/**
 * gander_run_options_set_strict_targets:
 * @self: a #GanderRunOptions
 * @strict_targets: the new value
 *
 * Sets #GanderRunOptions:strict-targets.
 *
 * Since: 0.2
 */
void
gander_run_options_set_strict_targets (GanderRunOptions *self,
                                      gboolean          strict_targets)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  strict_targets = !!strict_targets;
  if (self->strict_targets == strict_targets)
    return;
  self->strict_targets = strict_targets;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRICT_TARGETS]);
}


/**
 * gander_run_options_get_no_versioning:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:no-versioning.
 *
 * Returns: the value
 *
 * Since: 0.2
 */
gboolean
gander_run_options_get_no_versioning (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), FALSE);
  return self->no_versioning;
}

/**
 * gander_run_options_set_no_versioning:
 * @self: a #GanderRunOptions
 * @no_versioning: the new value
 *
 * Sets #GanderRunOptions:no-versioning.
 *
 * Since: 0.2
 */
void
gander_run_options_set_no_versioning (GanderRunOptions *self,
                                     gboolean          no_versioning)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  no_versioning = !!no_versioning;
  if (self->no_versioning == no_versioning)
    return;
  self->no_versioning = no_versioning;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NO_VERSIONING]);
}
