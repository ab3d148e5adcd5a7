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
  gboolean  dry_run;
  char     *confirmation;
  char     *via;
  gint64    actor_uid;
  gint64    actor_pid;
  char     *actor_name;
  gboolean  mark_applied;
  char     *backup_id;
};

G_DEFINE_FINAL_TYPE (GanderRunOptions, gander_run_options, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APPLIED_BY,
  PROP_REASON,
  PROP_ALLOW_MISSING,
  PROP_STRICT_TARGETS,
  PROP_NO_VERSIONING,
  PROP_DRY_RUN,
  PROP_CONFIRMATION,
  PROP_VIA,
  PROP_ACTOR_UID,
  PROP_ACTOR_PID,
  PROP_ACTOR_NAME,
  PROP_MARK_APPLIED,
  PROP_BACKUP_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_run_options_finalize (GObject *object)
{
  GanderRunOptions *self = GANDER_RUN_OPTIONS (object);

  g_clear_pointer (&self->applied_by, g_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->confirmation, g_free);
  g_clear_pointer (&self->via, g_free);
  g_clear_pointer (&self->actor_name, g_free);
  g_clear_pointer (&self->backup_id, g_free);

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
    case PROP_DRY_RUN:
      g_value_set_boolean (value, self->dry_run);
      break;
    case PROP_CONFIRMATION:
      g_value_set_string (value, self->confirmation);
      break;
    case PROP_VIA:
      g_value_set_string (value, self->via);
      break;
    case PROP_ACTOR_UID:
      g_value_set_int64 (value, self->actor_uid);
      break;
    case PROP_ACTOR_PID:
      g_value_set_int64 (value, self->actor_pid);
      break;
    case PROP_ACTOR_NAME:
      g_value_set_string (value, self->actor_name);
      break;
    case PROP_MARK_APPLIED:
      g_value_set_boolean (value, self->mark_applied);
      break;
    case PROP_BACKUP_ID:
      g_value_set_string (value, self->backup_id);
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
    case PROP_DRY_RUN:
      gander_run_options_set_dry_run (self, g_value_get_boolean (value));
      break;
    case PROP_CONFIRMATION:
      gander_run_options_set_confirmation (self, g_value_get_string (value));
      break;
    case PROP_VIA:
      gander_run_options_set_via (self, g_value_get_string (value));
      break;
    case PROP_ACTOR_UID:
      gander_run_options_set_actor_uid (self, g_value_get_int64 (value));
      break;
    case PROP_ACTOR_PID:
      gander_run_options_set_actor_pid (self, g_value_get_int64 (value));
      break;
    case PROP_ACTOR_NAME:
      gander_run_options_set_actor_name (self, g_value_get_string (value));
      break;
    case PROP_MARK_APPLIED:
      gander_run_options_set_mark_applied (self, g_value_get_boolean (value));
      break;
    case PROP_BACKUP_ID:
      gander_run_options_set_backup_id (self, g_value_get_string (value));
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

  /**
   * GanderRunOptions:dry-run:
   *
   * Stop a #GanderManager run once its plan is made: the plan is returned
   * in the #GanderRunReport and nothing else happens — no run lock, no
   * version table, no write of any kind. The migrator itself ignores it.
   *
   * Since: 0.2
   */
  properties[PROP_DRY_RUN] =
    g_param_spec_boolean ("dry-run", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:confirmation:
   *
   * The name the user typed to confirm a command that the environment
   * wants confirmed (`require-confirmation`): the profile's name, or for a
   * profile without a name the database's (a SQLite file's base name, a
   * PostgreSQL dbname). %NULL, the default, confirms nothing.
   *
   * Since: 0.2
   */
  properties[PROP_CONFIRMATION] =
    g_param_spec_string ("confirmation", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:via:
   *
   * How the run was asked for, for the audit log: `cli`, `library` (the
   * default) or `dbus`.
   *
   * Since: 0.2
   */
  properties[PROP_VIA] =
    g_param_spec_string ("via", NULL, NULL, "library",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:actor-uid:
   *
   * The user id of whoever asked for the run, for the audit log; -1, the
   * default, means this process's user (a D-Bus service sets its caller's).
   *
   * Since: 0.2
   */
  properties[PROP_ACTOR_UID] =
    g_param_spec_int64 ("actor-uid", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:actor-pid:
   *
   * The process id of whoever asked for the run, for the audit log; -1,
   * the default, means this process.
   *
   * Since: 0.2
   */
  properties[PROP_ACTOR_PID] =
    g_param_spec_int64 ("actor-pid", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:actor-name:
   *
   * A name for whoever asked for the run (a D-Bus unique name, a program),
   * for the audit log; %NULL by default.
   *
   * Since: 0.2
   */
  properties[PROP_ACTOR_NAME] =
    g_param_spec_string ("actor-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:mark-applied:
   *
   * For the manager's `clear-dirty`: record the interrupted migration as
   * applied (it completed, a human checked) instead of making it pending
   * again. See gander_migrator_clear_dirty().
   *
   * Since: 0.2
   */
  properties[PROP_MARK_APPLIED] =
    g_param_spec_boolean ("mark-applied", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * GanderRunOptions:backup-id:
   *
   * For the manager's `restore`: the backup to restore — its id, a unique
   * prefix of it, or `latest`. %NULL by default.
   *
   * Since: 0.2
   */
  properties[PROP_BACKUP_ID] =
    g_param_spec_string ("backup-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_run_options_init (GanderRunOptions *self)
{
  self->via = g_strdup ("library");
  self->actor_uid = -1;
  self->actor_pid = -1;
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


/**
 * gander_run_options_get_dry_run:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:dry-run.
 *
 * Returns: the value
 *
 * Since: 0.2
 */
gboolean
gander_run_options_get_dry_run (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), FALSE);
  return self->dry_run;
}

/**
 * gander_run_options_set_dry_run:
 * @self: a #GanderRunOptions
 * @dry_run: the new value
 *
 * Sets #GanderRunOptions:dry-run.
 *
 * Since: 0.2
 */
void
gander_run_options_set_dry_run (GanderRunOptions *self,
                                gboolean          dry_run)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  dry_run = !!dry_run;
  if (self->dry_run == dry_run)
    return;
  self->dry_run = dry_run;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRY_RUN]);
}


/**
 * gander_run_options_get_confirmation:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:confirmation.
 *
 * Returns: (nullable): the value
 *
 * Since: 0.2
 */
const char *
gander_run_options_get_confirmation (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), NULL);
  return self->confirmation;
}

/**
 * gander_run_options_set_confirmation:
 * @self: a #GanderRunOptions
 * @confirmation: (nullable): the new value
 *
 * Sets #GanderRunOptions:confirmation.
 *
 * Since: 0.2
 */
void
gander_run_options_set_confirmation (GanderRunOptions *self,
                                    const char       *confirmation)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  if (g_strcmp0 (self->confirmation, confirmation) == 0)
    return;
  g_free (self->confirmation);
  self->confirmation = g_strdup (confirmation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIRMATION]);
}


/**
 * gander_run_options_get_via:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:via.
 *
 * Returns: the value, `library` unless set
 *
 * Since: 0.2
 */
const char *
gander_run_options_get_via (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), NULL);
  return self->via;
}

/**
 * gander_run_options_set_via:
 * @self: a #GanderRunOptions
 * @via: (nullable): the new value: `cli`, `library` or `dbus`; %NULL means `library`
 *
 * Sets #GanderRunOptions:via.
 *
 * Since: 0.2
 */
void
gander_run_options_set_via (GanderRunOptions *self,
                           const char       *via)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  if (via == NULL)
    via = "library";
  if (g_strcmp0 (self->via, via) == 0)
    return;
  g_free (self->via);
  self->via = g_strdup (via);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIA]);
}


/**
 * gander_run_options_get_actor_uid:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:actor-uid.
 *
 * Returns: the value (-1: this process)
 *
 * Since: 0.2
 */
gint64
gander_run_options_get_actor_uid (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), -1);
  return self->actor_uid;
}

/**
 * gander_run_options_set_actor_uid:
 * @self: a #GanderRunOptions
 * @actor_uid: the new value, -1 for this process
 *
 * Sets #GanderRunOptions:actor-uid.
 *
 * Since: 0.2
 */
void
gander_run_options_set_actor_uid (GanderRunOptions *self,
                                 gint64            actor_uid)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));
  g_return_if_fail (actor_uid >= -1);

  if (self->actor_uid == actor_uid)
    return;
  self->actor_uid = actor_uid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTOR_UID]);
}


/**
 * gander_run_options_get_actor_pid:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:actor-pid.
 *
 * Returns: the value (-1: this process)
 *
 * Since: 0.2
 */
gint64
gander_run_options_get_actor_pid (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), -1);
  return self->actor_pid;
}

/**
 * gander_run_options_set_actor_pid:
 * @self: a #GanderRunOptions
 * @actor_pid: the new value, -1 for this process
 *
 * Sets #GanderRunOptions:actor-pid.
 *
 * Since: 0.2
 */
void
gander_run_options_set_actor_pid (GanderRunOptions *self,
                                 gint64            actor_pid)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));
  g_return_if_fail (actor_pid >= -1);

  if (self->actor_pid == actor_pid)
    return;
  self->actor_pid = actor_pid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTOR_PID]);
}


/**
 * gander_run_options_get_actor_name:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:actor-name.
 *
 * Returns: (nullable): the value
 *
 * Since: 0.2
 */
const char *
gander_run_options_get_actor_name (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), NULL);
  return self->actor_name;
}

/**
 * gander_run_options_set_actor_name:
 * @self: a #GanderRunOptions
 * @actor_name: (nullable): the new value
 *
 * Sets #GanderRunOptions:actor-name.
 *
 * Since: 0.2
 */
void
gander_run_options_set_actor_name (GanderRunOptions *self,
                                  const char       *actor_name)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  if (g_strcmp0 (self->actor_name, actor_name) == 0)
    return;
  g_free (self->actor_name);
  self->actor_name = g_strdup (actor_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTOR_NAME]);
}


/**
 * gander_run_options_get_mark_applied:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:mark-applied.
 *
 * Returns: the value
 *
 * Since: 0.2
 */
gboolean
gander_run_options_get_mark_applied (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), FALSE);
  return self->mark_applied;
}

/**
 * gander_run_options_set_mark_applied:
 * @self: a #GanderRunOptions
 * @mark_applied: the new value
 *
 * Sets #GanderRunOptions:mark-applied.
 *
 * Since: 0.2
 */
void
gander_run_options_set_mark_applied (GanderRunOptions *self,
                                     gboolean          mark_applied)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  mark_applied = !!mark_applied;
  if (self->mark_applied == mark_applied)
    return;
  self->mark_applied = mark_applied;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARK_APPLIED]);
}

/**
 * gander_run_options_get_backup_id:
 * @self: a #GanderRunOptions
 *
 * Gets #GanderRunOptions:backup-id.
 *
 * Returns: (nullable): the value
 *
 * Since: 0.2
 */
const char *
gander_run_options_get_backup_id (GanderRunOptions *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_OPTIONS (self), NULL);
  return self->backup_id;
}

/**
 * gander_run_options_set_backup_id:
 * @self: a #GanderRunOptions
 * @backup_id: (nullable): the new value
 *
 * Sets #GanderRunOptions:backup-id.
 *
 * Since: 0.2
 */
void
gander_run_options_set_backup_id (GanderRunOptions *self,
                                  const char       *backup_id)
{
  g_return_if_fail (GANDER_IS_RUN_OPTIONS (self));

  if (g_strcmp0 (self->backup_id, backup_id) == 0)
    return;
  g_free (self->backup_id);
  self->backup_id = g_strdup (backup_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKUP_ID]);
}
