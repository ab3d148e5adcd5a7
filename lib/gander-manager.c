/* gander-manager.c: the production safety pipeline around a GanderMigrator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "gander-credentials-private.h"
#include "gander-error.h"
#include "gander-enum-types.h"
#include "gander-emitter-private.h"
#include "gander-manager.h"
#include "gander-pipeline-private.h"
#include "gander-profile-private.h"
#include "gander-database-private.h"
#include "gander-postgres-database.h"
#include "gander-sqlite-database.h"

/**
 * GanderManager:
 *
 * Runs goose's operations the way production wants them run, for one
 * database described by a #GanderProfile: every operation goes through
 * one pipeline of small steps —
 *
 * 1. `policy`: the environment's rules (`allow-commands`,
 *    `require-confirmation`), and no `running` marker left by an
 *    interrupted `NO TRANSACTION` migration;
 * 2. `validate`: the migration files, missing migrations and checksum
 *    drift (per `checksum-drift`);
 * 3. `plan`: what will run, statement by statement;
 * 4. `lint`: the #GanderLinter on the migrations the plan runs, in the
 *    direction it runs them, with the profile's `lint-disable`,
 *    `lint-error` and `lint-warn`; with `lint=error` (staging, production)
 *    an error-severity finding refuses the run (rule `lint`,
 *    %GANDER_ERROR_POLICY_DENIED), every other finding is a warning of
 *    the run (gander_run_report_get_lint_findings()); `lint=off` skips it;
 * 5. `health-pre`: the #GanderHealth checks the profile's `health-before`
 *    names; a failure (or, with `health-before-refuse=warn`, a warning)
 *    refuses the run (rule `health-pre`, %GANDER_ERROR_HEALTH_CHECK). A dry
 *    run stops here: no lock, no backup, no table, no write;
 * 6. `backup`: when the plan changes something in a database that has a
 *    version table and the profile's `backup` is not `off`, the run lock is taken (and held until `finish`, so no
 *    other runner comes between the copy and the migrations) and a
 *    verified backup is taken with #GanderBackup. If that fails, a
 *    `required` backup refuses the run (rule `backup`,
 *    %GANDER_ERROR_BACKUP), an `optional` one is a warning;
 * 7. `apply`: through the #GanderMigrator, retried with exponential backoff
 *    and full jitter for transient failures that left nothing behind,
 *    within the profile's run timeout;
 * 8. `health-post`: the checks `health-after` names; a failure fails the
 *    run (%GANDER_ERROR_HEALTH_CHECK) with `health-after-fail=error`, else
 *    it is a warning;
 * 9. `finish`: old backups pruned (`backup-keep`, `backup-max-age`) after a
 *    successful run that took one, the run lock released, and the
 *    #GanderRunReport, always — for refusals, failures and cancellations
 *    too.
 *
 * The `backup` operation goes through `policy` and `backup` (whatever the
 * profile's mode), `restore` through `policy` (it needs the confirmation
 * in every environment) and `restore`, `health` through `policy` and the
 * checks of %GANDER_HEALTH_PHASE_ANY (the run fails with
 * %GANDER_ERROR_HEALTH_CHECK if one fails), `prune-backups` through
 * `policy` and `prune`.
 *
 * A refusal happens before anything is written to the database and fails
 * with %GANDER_ERROR_POLICY_DENIED, %GANDER_ERROR_CONFIRMATION_REQUIRED,
 * %GANDER_ERROR_CIRCUIT_OPEN, %GANDER_ERROR_DIRTY (or, for the validation
 * rules, the code of the problem found); the report's
 * gander_run_report_get_refused_rule() names the rule and the message says
 * how to proceed.
 *
 * Progress: #GanderManager:step and #GanderManager:fraction change as the
 * steps start (each has a weight), with #GanderManager::step-changed; the
 * migrator's own signals (migration-started, migration-finished, warning)
 * stay available on #GanderManager:migrator. Signals and notifications of
 * an asynchronous run are delivered in the thread-default main context of
 * the caller that started it.
 *
 * A manager runs one operation at a time: starting another one while one
 * runs fails at once with %GANDER_ERROR_BUSY.
 *
 * Since: 0.2
 */
struct _GanderManager
{
  GObject          parent_instance;

  GanderProfile   *profile;
  GanderMigrator  *migrator;
  GanderCircuitBreaker *breaker;
  gboolean         breaker_set;   /* by the caller: no default made */
  GanderAudit     *audit;
  gboolean         audit_set;
  GanderMetrics   *metrics;
  GMutex           backup_mutex;
  GanderBackup    *backup_store;  /* made on first use */

  gint             running;       /* atomic */

  /* owned by the main context of whoever runs an operation */
  char            *step;
  double           fraction;
  double           step_start;    /* fraction and share of the current step */
  double           step_span;
  gboolean         busy;

  GMutex           report_mutex;
  GanderRunReport *last_report;
};

G_DEFINE_FINAL_TYPE (GanderManager, gander_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_MIGRATOR,
  PROP_STEP,
  PROP_FRACTION,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_STEP_CHANGED,
  SIGNAL_WARNING,
  SIGNAL_PLAN_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gander_manager_finalize (GObject *object)
{
  GanderManager *self = GANDER_MANAGER (object);

  g_clear_object (&self->profile);
  g_clear_object (&self->migrator);
  g_clear_object (&self->breaker);
  g_clear_object (&self->audit);
  g_clear_object (&self->metrics);
  g_clear_pointer (&self->step, g_free);
  g_clear_object (&self->last_report);
  g_mutex_clear (&self->report_mutex);
  g_clear_object (&self->backup_store);
  g_mutex_clear (&self->backup_mutex);

  G_OBJECT_CLASS (gander_manager_parent_class)->finalize (object);
}

static void
gander_manager_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GanderManager *self = GANDER_MANAGER (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_MIGRATOR:
      g_value_set_object (value, self->migrator);
      break;
    case PROP_STEP:
      g_value_set_string (value, self->step);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_manager_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GanderManager *self = GANDER_MANAGER (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      self->profile = g_value_dup_object (value);
      break;
    case PROP_MIGRATOR:
      self->migrator = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void on_migrator_fraction (GanderMigrator *migrator,
                                  GParamSpec     *pspec,
                                  GanderManager  *self);
static void on_backup_progress   (GanderBackup   *backup,
                                  GParamSpec     *pspec,
                                  GanderManager  *self);

static void
gander_manager_constructed (GObject *object)
{
  GanderManager *self = GANDER_MANAGER (object);

  G_OBJECT_CLASS (gander_manager_parent_class)->constructed (object);

  g_return_if_fail (GANDER_IS_PROFILE (self->profile));
  g_return_if_fail (GANDER_IS_MIGRATOR (self->migrator));
  g_signal_connect_object (self->migrator, "notify::fraction",
                           G_CALLBACK (on_migrator_fraction), self, G_CONNECT_DEFAULT);
}

static void
gander_manager_class_init (GanderManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gander_manager_constructed;
  object_class->finalize = gander_manager_finalize;
  object_class->get_property = gander_manager_get_property;
  object_class->set_property = gander_manager_set_property;

  /**
   * GanderManager:profile:
   *
   * The settings of the database and of its environment.
   *
   * Since: 0.2
   */
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, GANDER_TYPE_PROFILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderManager:migrator:
   *
   * The migrator that applies the migrations; its per-migration signals
   * report the apply step.
   *
   * Since: 0.2
   */
  properties[PROP_MIGRATOR] =
    g_param_spec_object ("migrator", NULL, NULL, GANDER_TYPE_MIGRATOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderManager:step:
   *
   * The step the running operation is in: `policy`, `validate`, `plan`,
   * `lint`, `health-pre`, `backup`, `apply`, `health-post` or `finish` (and
   * `restore`, `health` and `prune` for those operations); %NULL before
   * the first run.
   *
   * Since: 0.2
   */
  properties[PROP_STEP] =
    g_param_spec_string ("step", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderManager:fraction:
   *
   * How far the running operation is, from 0 to 1, by the weights of its
   * steps; 1 once it is over.
   *
   * Since: 0.2
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderManager:busy:
   *
   * Whether an operation is running.
   *
   * Since: 0.2
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GanderManager::step-changed:
   * @self: the manager
   * @step: the step that starts
   * @fraction: the run's fraction when it starts
   *
   * A step of the pipeline starts. Steps come in pipeline order with a
   * rising fraction; `finish` is always the last.
   *
   * Since: 0.2
   */
  signals[SIGNAL_STEP_CHANGED] =
    g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_DOUBLE);

  /**
   * GanderManager::warning:
   * @self: the manager
   * @message: what is wrong, and what to do about it
   *
   * The pipeline found something that does not stop the run: a problem in
   * a migration file, checksum drift in an environment that only warns, a
   * warning of the plan, a retry. Each is also in the run's report. (The
   * migrator's own #GanderMigrator::warning still fires for the plan it
   * executes.)
   *
   * Since: 0.2
   */
  signals[SIGNAL_WARNING] =
    g_signal_new ("warning", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * GanderManager::plan-ready:
   * @self: the manager
   * @plan: the plan the run made
   *
   * The plan step has made the run's plan: emitted once per run of a
   * migration operation, after the plan's warnings and before anything
   * is applied (also for a dry run, and before the plan is checked, so
   * a plan the run then refuses is seen too). Like every signal of the
   * manager it comes in the caller's main context: a synchronous
   * gander_manager_execute() emits it in the calling thread while the
   * run waits, so a command-line tool can print the plan from here, in
   * the same run as the audit records, metrics and circuit breaker.
   * The same plan is in the run's report (gander_run_report_get_plan()).
   *
   * Since: 0.2
   */
  signals[SIGNAL_PLAN_READY] =
    g_signal_new ("plan-ready", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GANDER_TYPE_PLAN);
}

static void
gander_manager_init (GanderManager *self)
{
  g_mutex_init (&self->report_mutex);
  g_mutex_init (&self->backup_mutex);
  self->metrics = gander_metrics_new ();
}

/* The profile's timeouts and password source, on the connection: one
 * mapping for the CLI, the daemon and applications. */
static void
configure_database (GanderProfile  *profile,
                    GanderDatabase *database)
{
  GTimeSpan lock_timeout = gander_profile_get_lock_timeout (profile);
  GTimeSpan statement_timeout = gander_profile_get_statement_timeout (profile);
  guint lock_ms = 0;

  if (lock_timeout >= 0)
    {
      /* round up, so that a sub-millisecond timeout is not "none" */
      lock_ms = (guint) MIN ((lock_timeout + 999) / 1000, G_MAXUINT);
      gander_database_set_lock_wait_timeout (database, lock_ms);
    }
  if (GANDER_IS_POSTGRES_DATABASE (database))
    {
      GanderPostgresDatabase *pg = GANDER_POSTGRES_DATABASE (database);

      if (lock_timeout >= 0)
        gander_postgres_database_set_lock_timeout (pg, lock_ms);
      if (statement_timeout > 0)
        gander_postgres_database_set_statement_timeout (pg,
          (guint) MIN ((statement_timeout + 999) / 1000, G_MAXUINT));
    }
  else if (GANDER_IS_SQLITE_DATABASE (database) && lock_timeout >= 0)
    gander_sqlite_database_set_busy_timeout (GANDER_SQLITE_DATABASE (database), lock_ms);

  /* password-source: looked up when the database first connects */
  gander_credentials_attach (profile, database);
}

/**
 * gander_manager_new:
 * @profile: the database's settings
 * @error: return location for a #GError
 *
 * Creates a manager for the database @profile describes: its driver,
 * dbstring, table, timeouts and migration directory. Nothing is opened
 * until an operation runs; the directory is listed now, so a missing or
 * malformed directory is reported here.
 *
 * Returns: (transfer full): a new manager, or %NULL with @error set
 *   (%GANDER_ERROR_CONFIG when the profile names no driver or dbstring)
 *
 * Since: 0.2
 */
GanderManager *
gander_manager_new (GanderProfile  *profile,
                    GError        **error)
{
  g_autoptr(GanderDatabase) database = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  const char *driver;
  const char *dbstring;
  const char *table;
  const char *name;

  g_return_val_if_fail (GANDER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  driver = gander_profile_get_driver (profile);
  dbstring = gander_profile_get_dbstring (profile);
  table = gander_profile_get_table (profile);
  name = gander_profile_get_name (profile);
  if (driver == NULL || dbstring == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s has no %s: set %s= in its [profile] group, or %s"),
                   name != NULL ? name : "(ad hoc)",
                   driver == NULL ? "driver" : "dbstring",
                   driver == NULL ? "driver" : "dbstring",
                   driver == NULL ? "GOOSE_DRIVER" : "GOOSE_DBSTRING");
      return NULL;
    }

  database = gander_database_new_for_driver (driver, dbstring, error);
  if (database == NULL)
    return NULL;
  if (table != NULL)
    {
      if (!gander_validate_table_name (table, error))
        return NULL;
      gander_database_set_table_name (database, table);
    }
  configure_database (profile, database);

  source = gander_source_new_for_path (gander_profile_get_dir (profile),
                                       GANDER_SOURCE_FLAGS_STRICT, NULL, error);
  if (source == NULL)
    return NULL;

  migrator = gander_migrator_new (database, source);
  gander_migrator_set_allow_missing (migrator, gander_profile_get_allow_missing (profile));
  return g_object_new (GANDER_TYPE_MANAGER,
                       "profile", profile,
                       "migrator", migrator,
                       NULL);
}

/**
 * gander_manager_new_for_migrator:
 * @profile: the settings whose rules apply
 * @migrator: a migrator over the database and source the caller built
 *
 * Creates a manager over a migrator the caller set up (the command line
 * builds its own from its arguments). The profile's rules and timeouts
 * apply: its lock and statement timeouts are set on the migrator's
 * database when they are set in the profile.
 *
 * Returns: (transfer full): a new manager
 *
 * Since: 0.2
 */
GanderManager *
gander_manager_new_for_migrator (GanderProfile  *profile,
                                 GanderMigrator *migrator)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (GANDER_IS_MIGRATOR (migrator), NULL);

  configure_database (profile, gander_migrator_get_database (migrator));
  return g_object_new (GANDER_TYPE_MANAGER,
                       "profile", profile,
                       "migrator", migrator,
                       NULL);
}

/**
 * gander_manager_get_profile:
 * @self: a #GanderManager
 *
 * Gets #GanderManager:profile.
 *
 * Returns: (transfer none): the profile
 *
 * Since: 0.2
 */
GanderProfile *
gander_manager_get_profile (GanderManager *self)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  return self->profile;
}

/**
 * gander_manager_get_migrator:
 * @self: a #GanderManager
 *
 * Gets #GanderManager:migrator.
 *
 * Returns: (transfer none): the migrator
 *
 * Since: 0.2
 */
GanderMigrator *
gander_manager_get_migrator (GanderManager *self)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  return self->migrator;
}

/* The breaker made from the profile: one per database (the profile's
 * name, else driver and masked DSN), persisted in Gander's state
 * directory. @for_reset: also when the profile turns it off (to reset
 * the state a breaker left before). Returns a new reference. */
static GanderCircuitBreaker *
dup_breaker (GanderManager *self,
             gboolean       for_reset)
{
  guint threshold = gander_profile_get_breaker_threshold (self->profile);
  GTimeSpan open_for = gander_profile_get_breaker_open (self->profile);
  GanderDatabase *database;
  g_autofree char *key = NULL;

  if (self->breaker_set || self->breaker != NULL)
    return self->breaker != NULL ? g_object_ref (self->breaker) : NULL;
  if (threshold == 0 && !for_reset)
    return NULL;
  database = gander_migrator_get_database (self->migrator);
  key = gander_circuit_breaker_make_key (gander_profile_get_name (self->profile),
                                         gander_database_get_dialect (database),
                                         gander_database_get_dsn (database));
  if (threshold == 0)
    return gander_circuit_breaker_new (key, NULL, 1, open_for);
  self->breaker = gander_circuit_breaker_new (key, NULL, threshold, open_for);
  return g_object_ref (self->breaker);
}

/* The backup store of the database: the profile's `backup-dir`, else the
 * default directory of the profile's name or, ad hoc, of the database's
 * name. The profile's backup settings are read again for every run.
 * Returns a new reference. */
static GanderBackup *
dup_backup_store (GanderManager *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->backup_mutex);
  GanderDatabase *database = gander_migrator_get_database (self->migrator);

  if (self->backup_store == NULL)
    {
      const char *name = gander_profile_get_name (self->profile);
      g_autofree char *directory = NULL;

      if (gander_profile_get (self->profile, "backup-dir") != NULL &&
          *gander_profile_get (self->profile, "backup-dir") != '\0')
        directory = gander_profile_get_backup_dir (self->profile);
      else
        {
          g_autofree char *db_name =
            name == NULL ? gander_dsn_backup_directory_name (gander_database_get_dialect (database),
                                                             gander_database_get_connect_dsn (database))
                         : NULL;

          directory = gander_backup_default_directory (name != NULL ? name
                                                       : db_name != NULL ? db_name
                                                       : "default");
        }
      self->backup_store = gander_backup_new (database, directory);
      g_signal_connect_object (self->backup_store, "notify::progress",
                               G_CALLBACK (on_backup_progress), self, G_CONNECT_DEFAULT);
    }
  gander_backup_set_profile_name (self->backup_store, gander_profile_get_name (self->profile));
  gander_backup_set_environment (self->backup_store,
                                 gander_profile_get_environment (self->profile));
  gander_backup_set_verify (self->backup_store, gander_profile_get_backup_verify (self->profile));
  gander_backup_set_pg_bindir (self->backup_store, gander_profile_get_pg_bindir (self->profile));
  /* pg_dump waits for its table locks as long as a statement would */
  if (gander_profile_get_lock_timeout (self->profile) > 0)
    gander_backup_set_lock_wait_timeout (self->backup_store,
      (guint) MIN ((gander_profile_get_lock_timeout (self->profile) + 999) / 1000, G_MAXUINT));
  return g_object_ref (self->backup_store);
}

/**
 * gander_manager_get_backup_store:
 * @self: a #GanderManager
 *
 * Gets the store of the database's backups that runs take, restore, list
 * and prune: in the profile's `backup-dir`, by default
 * gander_backup_default_directory() of the profile's name (for an ad-hoc
 * profile, of the database's name). Its #GanderBackup:verify and
 * #GanderBackup:pg-bindir follow the profile at every run.
 *
 * Returns: (transfer none): the backup store
 *
 * Since: 0.2
 */
GanderBackup *
gander_manager_get_backup_store (GanderManager *self)
{
  g_autoptr(GanderBackup) store = NULL;

  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);

  store = dup_backup_store (self);
  return self->backup_store;
}

/**
 * gander_manager_list_backups:
 * @self: a #GanderManager
 * @error: return location for a #GError
 *
 * Lists the database's backups (see gander_manager_get_backup_store()).
 *
 * Returns: (transfer container) (element-type GanderBackupInfo): the
 *   backups, newest first (empty when there are none), or %NULL with
 *   @error set when the directory cannot be read
 *
 * Since: 0.2
 */
GPtrArray *
gander_manager_list_backups (GanderManager  *self,
                             GError        **error)
{
  g_autoptr(GanderBackup) store = NULL;

  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = dup_backup_store (self);
  return gander_backup_list (store, error);
}

/* The audit log of the profile (`audit-log`), unless the caller chose. */
static GanderAudit *
dup_audit (GanderManager *self)
{
  const char *path;

  if (!self->audit_set && self->audit == NULL &&
      (path = gander_profile_get_audit_log (self->profile)) != NULL)
    self->audit = gander_audit_new (path);
  return self->audit != NULL ? g_object_ref (self->audit) : NULL;
}

/**
 * gander_manager_set_audit:
 * @self: a #GanderManager
 * @audit: (nullable): where runs are recorded, or %NULL for nowhere
 *
 * Sets the audit log. Without a call, the manager appends to the
 * profile's `audit-log` when it names one.
 *
 * What is recorded: for a run that may change the database, `run.start`
 * before the first change, one `migration.applied` or `migration.failed`
 * per migration and `run.end`; `repair` for baseline, clear-dirty and
 * accept-checksum; `breaker.reset`; `policy.refused` for any refusal. The
 * read-only commands (status, version, validate) are recorded only when
 * refused. The log is synced at the end of each run.
 *
 * Since: 0.2
 */
void
gander_manager_set_audit (GanderManager *self,
                          GanderAudit   *audit)
{
  g_return_if_fail (GANDER_IS_MANAGER (self));
  g_return_if_fail (audit == NULL || GANDER_IS_AUDIT (audit));

  g_set_object (&self->audit, audit);
  self->audit_set = TRUE;
}

/**
 * gander_manager_get_audit:
 * @self: a #GanderManager
 *
 * Gets the audit log runs are recorded in.
 *
 * Returns: (transfer none) (nullable): the audit log, %NULL for none
 *
 * Since: 0.2
 */
GanderAudit *
gander_manager_get_audit (GanderManager *self)
{
  g_autoptr(GanderAudit) audit = NULL;

  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);

  audit = dup_audit (self);
  return self->audit;
}

/**
 * gander_manager_set_metrics:
 * @self: a #GanderManager
 * @metrics: (nullable): where runs are counted, or %NULL for nowhere
 *
 * Sets the metrics every run (except dry runs) updates: migrations
 * applied, failed and rolled back, their durations, the run's duration
 * and result, retries, the schema version, pending migrations, the dirty
 * marker and the breaker's state, labelled with the profile's name (""
 * for an ad-hoc profile) and environment. A manager starts with a
 * #GanderMetrics of its own; when the profile names a `metrics-file` it
 * is written there (node_exporter's textfile format) after every run.
 *
 * Since: 0.2
 */
void
gander_manager_set_metrics (GanderManager *self,
                            GanderMetrics *metrics)
{
  g_return_if_fail (GANDER_IS_MANAGER (self));
  g_return_if_fail (metrics == NULL || GANDER_IS_METRICS (metrics));

  g_set_object (&self->metrics, metrics);
}

/**
 * gander_manager_get_metrics:
 * @self: a #GanderManager
 *
 * Gets the metrics runs update (for a service that exports them:
 * gander_metrics_to_text()).
 *
 * Returns: (transfer none) (nullable): the metrics
 *
 * Since: 0.2
 */
GanderMetrics *
gander_manager_get_metrics (GanderManager *self)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  return self->metrics;
}

/**
 * gander_manager_set_breaker:
 * @self: a #GanderManager
 * @breaker: (nullable): the circuit breaker of this database, or %NULL for
 *   none
 *
 * Sets the circuit breaker that guards migration runs. Without a call,
 * the manager makes one from the profile (`breaker-threshold`,
 * `breaker-open`) when its threshold is above 0, keyed by the profile's
 * name, or by the driver and masked DSN of an ad-hoc profile.
 *
 * The breaker gates and counts migration runs only (up … reset): dry
 * runs, refusals and cancelled runs are not counted, and the read-only
 * and repair commands are allowed while it is open.
 *
 * Since: 0.2
 */
void
gander_manager_set_breaker (GanderManager        *self,
                            GanderCircuitBreaker *breaker)
{
  g_return_if_fail (GANDER_IS_MANAGER (self));
  g_return_if_fail (breaker == NULL || GANDER_IS_CIRCUIT_BREAKER (breaker));

  g_set_object (&self->breaker, breaker);
  self->breaker_set = TRUE;
}

/**
 * gander_manager_get_breaker:
 * @self: a #GanderManager
 *
 * Gets the circuit breaker that guards migration runs: the one set with
 * gander_manager_set_breaker(), or the one made from the profile.
 *
 * Returns: (transfer none) (nullable): the breaker, %NULL when there is
 *   none
 *
 * Since: 0.2
 */
GanderCircuitBreaker *
gander_manager_get_breaker (GanderManager *self)
{
  g_autoptr(GanderCircuitBreaker) breaker = NULL;

  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);

  breaker = dup_breaker (self, FALSE);
  return self->breaker;
}

/**
 * gander_manager_get_step:
 * @self: a #GanderManager
 *
 * Gets #GanderManager:step.
 *
 * Returns: (nullable): the step
 *
 * Since: 0.2
 */
const char *
gander_manager_get_step (GanderManager *self)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  return self->step;
}

/**
 * gander_manager_get_fraction:
 * @self: a #GanderManager
 *
 * Gets #GanderManager:fraction.
 *
 * Returns: the fraction, 0 to 1
 *
 * Since: 0.2
 */
double
gander_manager_get_fraction (GanderManager *self)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), 0.0);
  return self->fraction;
}

/**
 * gander_manager_get_busy:
 * @self: a #GanderManager
 *
 * Gets #GanderManager:busy.
 *
 * Returns: whether an operation runs
 *
 * Since: 0.2
 */
gboolean
gander_manager_get_busy (GanderManager *self)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), FALSE);
  return self->busy;
}

/**
 * gander_manager_get_last_report:
 * @self: a #GanderManager
 *
 * Gets the report of the last run that finished, whatever its outcome:
 * the way to learn why a run was refused or failed.
 *
 * Returns: (transfer full) (nullable): the report, %NULL before the first
 *   run has finished
 *
 * Since: 0.2
 */
GanderRunReport *
gander_manager_get_last_report (GanderManager *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);

  locker = g_mutex_locker_new (&self->report_mutex);
  return self->last_report != NULL ? g_object_ref (self->last_report) : NULL;
}

/* ------------------------------------------------------------------ */
/* Progress, in the caller's main context                              */

typedef struct
{
  char     *step;     /* NULL: keep */
  double    fraction;
  double    span;
  gboolean  busy;
  gboolean  signal;   /* emit step-changed */
} Progress;

static void
progress_free (Progress *progress)
{
  g_free (progress->step);
  g_free (progress);
}

static void
set_progress_here (GObject  *object,
                   gpointer  data)
{
  GanderManager *self = GANDER_MANAGER (object);
  Progress *progress = data;

  g_object_freeze_notify (object);
  if (progress->signal)
    {
      self->step_start = progress->fraction;
      self->step_span = progress->span;
    }
  if (progress->step != NULL && g_strcmp0 (self->step, progress->step) != 0)
    {
      g_free (self->step);
      self->step = g_strdup (progress->step);
      g_object_notify_by_pspec (object, properties[PROP_STEP]);
    }
  if (self->fraction != progress->fraction)
    {
      self->fraction = progress->fraction;
      g_object_notify_by_pspec (object, properties[PROP_FRACTION]);
    }
  if (self->busy != progress->busy)
    {
      self->busy = progress->busy;
      g_object_notify_by_pspec (object, properties[PROP_BUSY]);
    }
  g_object_thaw_notify (object);
  if (progress->signal)
    g_signal_emit (object, signals[SIGNAL_STEP_CHANGED], 0,
                   progress->step, progress->fraction);
}

static void
queue_progress (GanderEmitter *emitter,
                const char    *step,
                double         fraction,
                double         span,
                gboolean       busy,
                gboolean       signal)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->step = g_strdup (step);
  progress->fraction = fraction;
  progress->span = span;
  progress->busy = busy;
  progress->signal = signal;
  gander_emitter_invoke (emitter, set_progress_here, progress,
                         (GDestroyNotify) progress_free);
}

static void
on_pipeline_step (GanderPipeline *pipeline,
                  const char     *step,
                  double          fraction,
                  double          span,
                  gpointer        user_data)
{
  queue_progress (user_data, step, fraction, span, TRUE, TRUE);
}

/* The apply step's share of the fraction follows the migrator's own
 * (notified in the same main context as ours). */
static void
on_migrator_fraction (GanderMigrator *migrator,
                      GParamSpec     *pspec,
                      GanderManager  *self)
{
  double fraction;

  /* the migrator ends every run at 1 (busy false), a failed or
   * cancelled one too: that is not progress of the apply step */
  if (!self->busy || g_strcmp0 (self->step, "apply") != 0 ||
      !gander_migrator_get_busy (migrator))
    return;
  fraction = self->step_start +
             self->step_span * CLAMP (gander_migrator_get_fraction (migrator), 0.0, 1.0);
  if (fraction <= self->fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

/* So do the backup and restore steps' shares follow the backup's
 * progress (notified in the same context: the pipeline passes it). */
static void
on_backup_progress (GanderBackup  *backup,
                    GParamSpec    *pspec,
                    GanderManager *self)
{
  double fraction;

  if (!self->busy ||
      (g_strcmp0 (self->step, "backup") != 0 && g_strcmp0 (self->step, "restore") != 0))
    return;
  fraction = self->step_start +
             self->step_span * CLAMP (gander_backup_get_progress (backup), 0.0, 1.0);
  if (fraction <= self->fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
on_pipeline_warning (GanderPipeline *pipeline,
                     const char     *message,
                     gpointer        user_data)
{
  GValue args[1] = { G_VALUE_INIT };

  g_value_init (&args[0], G_TYPE_STRING);
  g_value_set_string (&args[0], message);
  gander_emitter_emit (user_data, signals[SIGNAL_WARNING], 0, 1, args);
  g_value_unset (&args[0]);
}

static void
on_pipeline_plan (GanderPipeline *pipeline,
                  GanderPlan     *plan,
                  gpointer        user_data)
{
  GValue args[1] = { G_VALUE_INIT };

  g_value_init (&args[0], GANDER_TYPE_PLAN);
  g_value_set_object (&args[0], plan);
  gander_emitter_emit (user_data, signals[SIGNAL_PLAN_READY], 0, 1, args);
  g_value_unset (&args[0]);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

/* One request, read in the caller's thread. */
typedef struct
{
  GanderPipeline  pipeline;
  GanderEmitter  *emitter;
} Request;

static void
request_free (Request *request)
{
  gander_pipeline_clear (&request->pipeline);
  g_clear_pointer (&request->emitter, gander_emitter_unref);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static Request *
request_new (GanderManager    *self,
             GanderOperation   operation,
             gint64            target,
             gboolean          auto_migrate,
             GanderRunOptions *options,
             GCancellable     *cancellable,
             GMainContext     *context)
{
  Request *request = g_new0 (Request, 1);
  GanderPipeline *p = &request->pipeline;

  gander_pipeline_init (p);
  p->profile = g_object_ref (self->profile);
  p->migrator = g_object_ref (self->migrator);
  p->breaker = dup_breaker (self, operation == GANDER_OPERATION_BREAKER_RESET);
  p->audit = dup_audit (self);
  p->metrics = self->metrics != NULL ? g_object_ref (self->metrics) : NULL;
  p->metrics_file = g_strdup (gander_profile_get_metrics_file (self->profile));
  p->backup_store = dup_backup_store (self);
  p->operation = operation;
  p->target = target;
  p->auto_migrate = auto_migrate;
  gander_pipeline_set_options (p, options);
  p->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  p->signal_context = context != NULL ? g_main_context_ref (context) : NULL;
  request->emitter = gander_emitter_new (G_OBJECT (self), context);
  p->on_step = on_pipeline_step;
  p->on_warning = on_pipeline_warning;
  p->on_plan = on_pipeline_plan;
  p->user_data = request->emitter;
  return request;
}

static gboolean
check_operation (GanderOperation   operation,
                 gint64            target,
                 GError          **error)
{
  GEnumClass *klass = g_type_class_ref (GANDER_TYPE_OPERATION);
  gboolean known = g_enum_get_value (klass, operation) != NULL;

  g_type_class_unref (klass);
  if (!known)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("unknown operation %d"), (int) operation);
      return FALSE;
    }
  if (operation == GANDER_OPERATION_UP_TO && target < 1)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "version must be greater than 0 (got %" G_GINT64_FORMAT ")", target);
      return FALSE;
    }
  if (operation == GANDER_OPERATION_DOWN_TO && target < 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "invalid version: must be a valid number or zero: %" G_GINT64_FORMAT,
                   target);
      return FALSE;
    }
  return TRUE;
}

static gboolean
takes_target (GanderOperation operation)
{
  return operation == GANDER_OPERATION_UP_TO || operation == GANDER_OPERATION_DOWN_TO ||
         operation == GANDER_OPERATION_BASELINE || operation == GANDER_OPERATION_CLEAR_DIRTY ||
         operation == GANDER_OPERATION_ACCEPT_CHECKSUM;
}

static gboolean
claim (GanderManager  *self,
       GError        **error)
{
  if (!g_atomic_int_compare_and_exchange (&self->running, 0, 1))
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_BUSY,
                           _("the manager is already running an operation; "
                             "start the next one when it has finished"));
      return FALSE;
    }
  return TRUE;
}

/* In the thread that does the work. */
static GanderRunReport *
run_request (GanderManager  *self,
             Request        *request,
             GError        **error)
{
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) local_error = NULL;

  queue_progress (request->emitter, NULL, 0.0, 0.0, TRUE, FALSE);
  report = gander_pipeline_run (&request->pipeline, &local_error);

  g_mutex_lock (&self->report_mutex);
  g_set_object (&self->last_report, report);
  g_mutex_unlock (&self->report_mutex);

  g_atomic_int_set (&self->running, 0);
  queue_progress (request->emitter, NULL, 1.0, 0.0, FALSE, FALSE);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&report);
}

static GanderRunReport *
execute_sync (GanderManager     *self,
              GanderOperation    operation,
              gint64             target,
              gboolean           auto_migrate,
              GanderRunOptions  *options,
              GCancellable      *cancellable,
              GError           **error)
{
  g_autoptr(Request) request = NULL;

  if (!check_operation (operation, target, error) || !claim (self, error))
    return NULL;
  request = request_new (self, operation, takes_target (operation) ? target : -1,
                         auto_migrate, options, cancellable, NULL);
  return run_request (self, request, error);
}

/**
 * gander_manager_check_policy:
 * @self: a #GanderManager
 * @operation: the operation about to run
 * @options: (nullable): its options (dry run, confirmation)
 * @error: return location for a #GError
 *
 * Checks the environment's rules that need no database — whether
 * @operation is allowed, whether it needs a confirmation @options does
 * not carry, whether the circuit breaker is open — without running
 * anything. The command line uses it for `status` and `version`, and to
 * decide whether to prompt for the confirmation.
 *
 * Returns: %TRUE when the rules allow @operation; %FALSE with
 *   %GANDER_ERROR_POLICY_DENIED, %GANDER_ERROR_CONFIRMATION_REQUIRED or
 *   %GANDER_ERROR_CIRCUIT_OPEN otherwise
 *
 * Since: 0.2
 */
gboolean
gander_manager_check_policy (GanderManager     *self,
                             GanderOperation    operation,
                             GanderRunOptions  *options,
                             GError           **error)
{
  g_auto(GanderPipeline) p = { 0, };

  g_return_val_if_fail (GANDER_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* any target: only the operation matters here */
  if (!check_operation (operation, G_MAXINT64, error))
    return FALSE;
  gander_pipeline_init (&p);
  p.profile = g_object_ref (self->profile);
  p.migrator = g_object_ref (self->migrator);
  p.breaker = dup_breaker (self, FALSE);
  p.operation = operation;
  gander_pipeline_set_options (&p, options);
  /* a look, not a run: the half-open breaker's trial stays free */
  return gander_pipeline_check_rules (&p, FALSE, NULL, error);
}

/**
 * gander_manager_execute:
 * @self: a #GanderManager
 * @operation: what to run
 * @target: the version for up-to, down-to and the repair operations;
 *   ignored by the others
 * @options: (nullable): the run's options, read before anything runs
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs @operation through the pipeline (see #GanderManager). With
 * #GanderRunOptions:dry-run it stops once the plan is made: the report
 * holds the plan, and the database is not locked, not created, not
 * written.
 *
 * Returns: (transfer full): the run's report, or %NULL with @error set
 *   when it was refused, failed or was cancelled; the report of such a
 *   run is gander_manager_get_last_report()
 *
 * Since: 0.2
 */
GanderRunReport *
gander_manager_execute (GanderManager     *self,
                        GanderOperation    operation,
                        gint64             target,
                        GanderRunOptions  *options,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return execute_sync (self, operation, target, FALSE, options, cancellable, error);
}

/**
 * gander_manager_auto_migrate:
 * @self: a #GanderManager
 * @options: (nullable): the run's options
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * For applications at start-up: applies every pending migration (`up`)
 * where the environment allows it (`auto-migrate`, on in development).
 * Elsewhere nothing runs: with migrations pending, the run is refused
 * (rule `auto-migrate`, %GANDER_ERROR_POLICY_DENIED) and the report's
 * plan lists them; with none, it succeeds having done nothing.
 *
 * Returns: (transfer full): the run's report, or %NULL with @error set
 *
 * Since: 0.2
 */
GanderRunReport *
gander_manager_auto_migrate (GanderManager     *self,
                             GanderRunOptions  *options,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return execute_sync (self, GANDER_OPERATION_UP, -1, TRUE, options, cancellable, error);
}

/* ------------------------------------------------------------------ */
/* Async                                                               */

static void
execute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GanderManager *self = source_object;
  GError *error = NULL;
  GanderRunReport *report = run_request (self, task_data, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, g_object_unref);
}

static void
start_async (GanderManager       *self,
             GanderOperation      operation,
             gint64               target,
             gboolean             auto_migrate,
             GanderRunOptions    *options,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  /* a cancelled run still reports through its own error and report */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);

  if (!check_operation (operation, target, &error) || !claim (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task,
                        request_new (self, operation, takes_target (operation) ? target : -1,
                                     auto_migrate, options, cancellable, context),
                        (GDestroyNotify) request_free);
  g_task_run_in_thread (task, execute_thread);
}

static GanderRunReport *
finish_async (GanderManager  *self,
              GAsyncResult   *result,
              gpointer        source_tag,
              GError        **error)
{
  g_return_val_if_fail (GANDER_IS_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gander_manager_execute_async:
 * @self: a #GanderManager
 * @operation: what to run
 * @target: as for gander_manager_execute()
 * @options: (nullable): the run's options, read before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_manager_execute() in a worker thread. Signals and property
 * notifications of the manager and of its migrator are delivered in the
 * thread-default main context of the caller, before @callback.
 *
 * Since: 0.2
 */
void
gander_manager_execute_async (GanderManager       *self,
                              GanderOperation      operation,
                              gint64               target,
                              GanderRunOptions    *options,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (GANDER_IS_MANAGER (self));
  g_return_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_async (self, operation, target, FALSE, options, gander_manager_execute_async,
               cancellable, callback, user_data);
}

/**
 * gander_manager_execute_finish:
 * @self: a #GanderManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes gander_manager_execute_async().
 *
 * Returns: (transfer full): as gander_manager_execute()
 *
 * Since: 0.2
 */
GanderRunReport *
gander_manager_execute_finish (GanderManager  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return finish_async (self, result, gander_manager_execute_async, error);
}

/**
 * gander_manager_auto_migrate_async:
 * @self: a #GanderManager
 * @options: (nullable): the run's options, read before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_manager_auto_migrate() in a worker thread, as
 * gander_manager_execute_async() does.
 *
 * Since: 0.2
 */
void
gander_manager_auto_migrate_async (GanderManager       *self,
                                   GanderRunOptions    *options,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (GANDER_IS_MANAGER (self));
  g_return_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_async (self, GANDER_OPERATION_UP, -1, TRUE, options,
               gander_manager_auto_migrate_async, cancellable, callback, user_data);
}

/**
 * gander_manager_auto_migrate_finish:
 * @self: a #GanderManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes gander_manager_auto_migrate_async().
 *
 * Returns: (transfer full): as gander_manager_auto_migrate()
 *
 * Since: 0.2
 */
GanderRunReport *
gander_manager_auto_migrate_finish (GanderManager  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return finish_async (self, result, gander_manager_auto_migrate_async, error);
}

/* ------------------------------------------------------------------ */
/* Operation names                                                     */

/**
 * gander_operation_to_string:
 * @operation: a #GanderOperation
 *
 * Gets the command name of @operation (its nick): `up`, `up-by-one`, …,
 * `breaker-reset`.
 *
 * Returns: the command name
 *
 * Since: 0.2
 */
const char *
gander_operation_to_string (GanderOperation operation)
{
  GEnumClass *klass = g_type_class_ref (GANDER_TYPE_OPERATION);
  GEnumValue *value = g_enum_get_value (klass, operation);
  const char *nick = value != NULL ? value->value_nick : "unknown";

  /* enum classes are never freed once created: the nick stays valid */
  g_type_class_unref (klass);
  return nick;
}

/**
 * gander_operation_from_string:
 * @command: a command name, such as `down-to`
 * @operation: (out): the operation
 *
 * Finds the operation a command name stands for.
 *
 * Returns: %TRUE if @command names an operation
 *
 * Since: 0.2
 */
gboolean
gander_operation_from_string (const char      *command,
                              GanderOperation *operation)
{
  GEnumClass *klass;
  GEnumValue *value;

  g_return_val_if_fail (command != NULL, FALSE);

  klass = g_type_class_ref (GANDER_TYPE_OPERATION);
  value = g_enum_get_value_by_nick (klass, command);
  if (value != NULL && operation != NULL)
    *operation = value->value;
  g_type_class_unref (klass);
  return value != NULL;
}
