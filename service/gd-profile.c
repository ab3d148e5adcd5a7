/* gd-profile.c: one profile's D-Bus object (org.gander.Migrator1.Profile)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The properties are a cache: reading one never opens the database.
 * Refresh() and the end of every job read the database in a worker thread
 * and update them together (one PropertiesChanged). Status's and
 * StatusColumns' answers are cached with them (gd-status.c), so a call
 * with a fresh cache does no database work at all; while a job runs, its
 * finished migrations update that cache. The read-only methods authorise the caller, then run their
 * database work in a worker thread (GTask). The mutating methods live in
 * gd-profile-jobs.c.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixfdlist.h>

#include "gd-auth.h"
#include "gd-daemon.h"
#include "gd-manager.h"
#include "gd-profile.h"
#include "gd-status.h"
#include "gd-variant.h"
#include "gd-credentials.h"
#include "gd-job.h"

typedef void (*RefreshDone) (GdProfile    *self,
                             const GError *error,
                             gpointer      user_data);

typedef struct
{
  RefreshDone func;
  gpointer    user_data;
} RefreshWaiter;

struct _GdProfile
{
  GObject parent_instance;

  GdDaemon             *daemon;        /* owns us (through the manager) */
  GanderProfile        *profile;
  char                 *name;
  char                 *path;
  GdBusObjectSkeleton  *object;
  GdBusProfile         *iface;
  GanderCircuitBreaker *breaker;       /* NULL: breaker-threshold 0 */
  char                 *breaker_key;
  GanderAudit          *audit;         /* NULL: no audit-log */

  GdJob                *active_job;
  GQueue                queue;         /* GdJob, waiting behind it */

  GdStatus             *status;        /* Status's answers; NULL: stale */
  GdBusJob             *watched;       /* the active job's interface */
  gulong                watched_id;    /* its migration-finished handler */
  guint                 generation;    /* bumped when the database may have
                                          changed under a refresh */
  guint                 refresh_generation;
  gboolean              refreshing;
  GArray               *waiting;       /* RefreshWaiter: this refresh */
  GArray               *next_waiting;  /* RefreshWaiter: the next one */
};

G_DEFINE_FINAL_TYPE (GdProfile, gd_profile, G_TYPE_OBJECT)

static void start_refresh (GdProfile *self);

/* -------------------------------------------------------------------- */
/* settings → properties */

static char *
fingerprint (GanderProfile *profile)
{
  g_auto(GStrv) keys = gander_profile_list_keys (profile);
  GString *text = g_string_new (NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    g_string_append_printf (text, "%s=%s\n", keys[i], gander_profile_get (profile, keys[i]) ?: "");
  return g_string_free (text, FALSE);
}

/* The breaker of the database, persisted under STATE_DIR/breakers with
 * the key the library would make (profile name, dialect, masked DSN). */
static void
setup_breaker (GdProfile *self)
{
  guint threshold = gander_profile_get_breaker_threshold (self->profile);
  const char *driver = gander_profile_get_driver (self->profile);
  const char *dbstring = gander_profile_get_dbstring (self->profile);
  g_autoptr(GanderDatabase) database = NULL;
  g_autofree char *dir = NULL;

  g_clear_object (&self->breaker);
  g_clear_pointer (&self->breaker_key, g_free);
  if (driver == NULL || dbstring == NULL)
    return;
  database = gander_database_new_for_driver (driver, dbstring, NULL);
  if (database == NULL)
    return;
  self->breaker_key = gander_circuit_breaker_make_key (self->name,
                                                       gander_database_get_dialect (database),
                                                       gander_database_get_dsn (database));
  if (threshold == 0)
    return;
  dir = g_build_filename (gd_daemon_get_state_dir (self->daemon), "breakers", NULL);
  self->breaker = gander_circuit_breaker_new (self->breaker_key, dir, threshold,
                                              gander_profile_get_breaker_open (self->profile));
}

static void
set_settings (GdProfile     *self,
              GanderProfile *profile,
              const char    *source)
{
  const char *dbstring = gander_profile_get_dbstring (profile);
  g_autofree char *masked = dbstring != NULL ? gander_dsn_mask (dbstring) : NULL;
  const char *audit_path;

  g_set_object (&self->profile, profile);
  gd_bus_profile_set_name (self->iface, self->name);
  gd_bus_profile_set_driver (self->iface, gander_profile_get_driver (profile) ?: "");
  gd_bus_profile_set_environment (self->iface, gander_profile_get_environment (profile) ?: "");
  gd_bus_profile_set_dir (self->iface, gander_profile_get_dir (profile) ?: "");
  gd_bus_profile_set_table (self->iface, gander_profile_get_table (profile) ?: GANDER_DEFAULT_TABLE_NAME);
  gd_bus_profile_set_dsn (self->iface, masked != NULL ? masked : "");
  gd_bus_profile_set_source (self->iface, source);

  setup_breaker (self);
  audit_path = gander_profile_get_audit_log (profile);
  if (audit_path == NULL)
    g_clear_object (&self->audit);
  else if (self->audit == NULL || g_strcmp0 (gander_audit_get_path (self->audit), audit_path) != 0)
    {
      g_clear_object (&self->audit);
      self->audit = gander_audit_new (audit_path);
    }
}

void
gd_profile_update (GdProfile     *self,
                   GanderProfile *profile,
                   const char    *source)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_return_if_fail (GD_IS_PROFILE (self));
  g_return_if_fail (GANDER_IS_PROFILE (profile));

  before = fingerprint (self->profile);
  after = fingerprint (profile);
  gd_bus_profile_set_source (self->iface, source);
  if (g_str_equal (before, after))
    return;
  gd_log (G_LOG_LEVEL_INFO, self->name, NULL, "reload", "profile %s changed", self->name);
  set_settings (self, profile, source);
  /* another database or directory: what we knew is about something else */
  self->generation++;
  g_clear_pointer (&self->status, gd_status_free);
  gd_bus_profile_set_current_version (self->iface, -1);
  gd_bus_profile_set_pending_count (self->iface, 0);
  gd_bus_profile_set_dirty (self->iface, FALSE);
  gd_bus_profile_set_refreshed_at (self->iface, 0);
  gd_bus_profile_set_last_error (self->iface, "");
}

/* -------------------------------------------------------------------- */
/* accessors */

GdDaemon *
gd_profile_get_daemon (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->daemon;
}

GanderProfile *
gd_profile_get_profile (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->profile;
}

const char *
gd_profile_get_name (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->name;
}

const char *
gd_profile_get_environment (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return gander_profile_get_environment (self->profile);
}

const char *
gd_profile_get_object_path (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->path;
}

GdBusObjectSkeleton *
gd_profile_get_object (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->object;
}

GdBusProfile *
gd_profile_get_iface (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->iface;
}

/* -------------------------------------------------------------------- */
/* a manager for one run or query */

typedef struct
{
  GanderProfile        *profile;
  GanderMetrics        *metrics;
  GanderAudit          *audit;
  GanderCircuitBreaker *breaker;
  char                 *password;
} ManagerData;

static void
manager_data_free (ManagerData *data)
{
  g_clear_object (&data->profile);
  g_clear_object (&data->metrics);
  g_clear_object (&data->audit);
  g_clear_object (&data->breaker);
  g_clear_pointer (&data->password, gd_credentials_free_secret);
  g_free (data);
}

/* Worker thread: the source directory is read and the database object
 * made here (no connection yet). */
static void
build_manager_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  ManagerData *data = task_data;
  g_autoptr(GanderManager) manager = NULL;
  GError *error = NULL;

  manager = gander_manager_new (data->profile, &error);
  if (manager == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->password != NULL)
    gander_database_set_password (gander_migrator_get_database (gander_manager_get_migrator (manager)),
                                  data->password);
  gander_manager_set_metrics (manager, data->metrics);
  gander_manager_set_audit (manager, data->audit);
  if (data->breaker != NULL)
    gander_manager_set_breaker (manager, data->breaker);
  g_task_return_pointer (task, g_steal_pointer (&manager), g_object_unref);
}

static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ManagerData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->password = gd_credentials_lookup_finish (GD_CREDENTIALS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, build_manager_thread);
}

void
gd_profile_get_manager_async (GdProfile           *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ManagerData *data;

  g_return_if_fail (GD_IS_PROFILE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gd_profile_get_manager_async);
  data = g_new0 (ManagerData, 1);
  data->profile = g_object_ref (self->profile);
  data->metrics = g_object_ref (gd_daemon_get_metrics (self->daemon));
  data->audit = self->audit != NULL ? g_object_ref (self->audit) : NULL;
  data->breaker = self->breaker != NULL ? g_object_ref (self->breaker) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) manager_data_free);

  gd_credentials_lookup_async (gd_daemon_get_credentials (self->daemon), self->profile,
                               cancellable, password_found_cb, g_steal_pointer (&task));
}

GanderManager *
gd_profile_get_manager_finish (GdProfile     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -------------------------------------------------------------------- */
/* Refresh */

typedef struct
{
  gint64    version;
  guint     pending;
  gboolean  dirty;
  GdStatus *status;
  char     *breaker_state;
} RefreshResult;

static void
refresh_result_free (RefreshResult *result)
{
  g_clear_pointer (&result->status, gd_status_free);
  g_free (result->breaker_state);
  g_free (result);
}

static const char *
breaker_state_nick (GanderBreakerState state)
{
  switch (state)
    {
    case GANDER_BREAKER_STATE_OPEN:
      return "open";
    case GANDER_BREAKER_STATE_HALF_OPEN:
      return "half-open";
    case GANDER_BREAKER_STATE_CLOSED:
    default:
      return "closed";
    }
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GanderManager *manager = task_data;
  GanderMigrator *migrator = gander_manager_get_migrator (manager);
  GanderCircuitBreaker *breaker = gander_manager_get_breaker (manager);
  g_autoptr(GPtrArray) statuses = NULL;
  RefreshResult *result;
  GError *error = NULL;
  gint64 version;

  statuses = gander_migrator_status_full (migrator, GANDER_STATUS_FLAGS_ORPHANS, cancellable, &error);
  if (statuses == NULL)
    {
      gander_database_close (gander_migrator_get_database (migrator));
      g_task_return_error (task, error);
      return;
    }
  version = gander_migrator_get_db_version (migrator, cancellable, &error);
  gander_database_close (gander_migrator_get_database (migrator));
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_new0 (RefreshResult, 1);
  result->version = version;
  for (guint i = 0; i < statuses->len; i++)
    {
      GanderMigrationState state = gander_migration_status_get_state (g_ptr_array_index (statuses, i));

      if (state == GANDER_MIGRATION_STATE_PENDING)
        result->pending++;
      else if (state == GANDER_MIGRATION_STATE_RUNNING)
        result->dirty = TRUE;
    }
  result->status = gd_status_new (statuses);
  /* a fresh look at the state file, which every process shares */
  if (breaker != NULL)
    {
      g_autoptr(GanderCircuitBreaker) reader =
        gander_circuit_breaker_new (gander_circuit_breaker_get_key (breaker),
                                    gander_circuit_breaker_get_state_dir (breaker),
                                    gander_circuit_breaker_get_threshold (breaker),
                                    gander_circuit_breaker_get_open_duration (breaker));
      result->breaker_state = g_strdup (breaker_state_nick (gander_circuit_breaker_get_state (reader)));
    }
  else
    result->breaker_state = g_strdup ("closed");
  g_task_return_pointer (task, result, (GDestroyNotify) refresh_result_free);
}

static void
finish_waiters (GdProfile    *self,
                GArray       *waiters,
                const GError *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      RefreshWaiter *waiter = &g_array_index (waiters, RefreshWaiter, i);
      if (waiter->func != NULL)
        waiter->func (self, error, waiter->user_data);
    }
  g_array_set_size (waiters, 0);
}

static void
refresh_finished (GdProfile    *self,
                  const GError *error)
{
  g_autoptr(GArray) waiters = g_steal_pointer (&self->waiting);

  self->waiting = g_steal_pointer (&self->next_waiting);
  self->next_waiting = g_array_new (FALSE, TRUE, sizeof (RefreshWaiter));
  self->refreshing = FALSE;
  finish_waiters (self, waiters, error);
  /* calls that came during this refresh get one of their own */
  if (self->waiting->len > 0)
    start_refresh (self);
  gd_daemon_release (self->daemon);
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GdProfile) self = user_data;
  g_autoptr(GError) error = NULL;
  RefreshResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (self->refresh_generation != self->generation)
    {
      /* read before a job ended or the settings changed: worthless; its
       * callers wait for the next refresh, which starts now */
      g_clear_pointer (&result, refresh_result_free);
      g_array_prepend_vals (self->next_waiting, self->waiting->data, self->waiting->len);
      g_array_set_size (self->waiting, 0);
      refresh_finished (self, NULL);
      return;
    }
  if (result == NULL)
    {
      gd_log (G_LOG_LEVEL_INFO, self->name, NULL, "refresh",
              "refreshing profile %s failed: %s", self->name, error->message);
      gd_bus_profile_set_last_error (self->iface, error->message);
      refresh_finished (self, error);
      return;
    }
  gd_bus_profile_set_current_version (self->iface, result->version);
  gd_bus_profile_set_pending_count (self->iface, result->pending);
  gd_bus_profile_set_dirty (self->iface, result->dirty);
  gd_bus_profile_set_breaker_state (self->iface, result->breaker_state);
  gd_bus_profile_set_refreshed_at (self->iface, g_get_real_time ());
  gd_bus_profile_set_last_error (self->iface, "");
  g_clear_pointer (&self->status, gd_status_free);
  self->status = g_steal_pointer (&result->status);
  refresh_result_free (result);
  refresh_finished (self, NULL);
}

static void
refresh_got_manager_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GdProfile) self = user_data;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  manager = gd_profile_get_manager_finish (self, result, &error);
  if (manager == NULL)
    {
      gd_bus_profile_set_last_error (self->iface, error->message);
      refresh_finished (self, error);
      return;
    }
  task = g_task_new (self, NULL, refresh_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, refresh_got_manager_cb);
  g_task_set_task_data (task, g_steal_pointer (&manager), g_object_unref);
  g_task_run_in_thread (task, refresh_thread);
}

static void
start_refresh (GdProfile *self)
{
  self->refreshing = TRUE;
  self->refresh_generation = self->generation;
  gd_daemon_hold (self->daemon);
  gd_profile_get_manager_async (self, NULL, refresh_got_manager_cb, g_object_ref (self));
}

/* Reads the database again; @func (may be NULL) is called once the cached
 * properties are updated (or the refresh failed). A call made while a
 * refresh runs waits for the next one, which starts when this one ends. */
static void
refresh_full (GdProfile   *self,
              RefreshDone  func,
              gpointer     user_data)
{
  RefreshWaiter waiter = { func, user_data };

  g_array_append_val (self->refreshing ? self->next_waiting : self->waiting, waiter);
  if (!self->refreshing)
    start_refresh (self);
}

void
gd_profile_refresh (GdProfile *self)
{
  g_return_if_fail (GD_IS_PROFILE (self));
  refresh_full (self, NULL, NULL);
}

/* -------------------------------------------------------------------- */
/* the read-only methods */

typedef enum {
  QUERY_REFRESH,
  QUERY_STATUS,
  QUERY_STATUS_COLUMNS,
  QUERY_PLAN,
  QUERY_VALIDATE,
  QUERY_HEALTH,
  QUERY_LIST_BACKUPS,
} QueryKind;

static const char * const query_names[] = {
  "refresh", "status", "status-columns", "plan", "validate", "health", "list-backups",
};

typedef struct
{
  GdProfile             *self;
  GDBusMethodInvocation *invocation;
  QueryKind              kind;
  GanderProfile         *profile;      /* the settings when the call came */
  GanderPlanOperation    plan_operation;
  gint64                 target;
  gboolean               allow_missing;
  gboolean               allow_missing_set;
  gboolean               lint;
  gboolean               pending_only;
  char                 **checks;
  gboolean               interactive;
} Query;

static void
query_free (Query *query)
{
  g_clear_object (&query->self);
  g_clear_object (&query->invocation);
  g_clear_object (&query->profile);
  g_strfreev (query->checks);
  g_free (query);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Query, query_free)

static void
query_reply (Query    *query,
             GVariant *result)
{
  g_dbus_method_invocation_return_value (query->invocation, g_variant_new ("(@aa{sv})", result));
}

/* While a job runs, its progress makes the cache stale with every
 * migration; packing 1000 rows for each would cost more than the job.
 * Then an answer may be this old (the Job's signals are exact). */
#define STATUS_MAX_AGE_IN_JOB (100 * G_TIME_SPAN_MILLISECOND)

static void
status_reply (Query *query)
{
  GdProfile *self = query->self;
  GTimeSpan age = self->active_job != NULL ? STATUS_MAX_AGE_IN_JOB : 0;

  if (query->kind == QUERY_STATUS_COLUMNS)
    g_dbus_method_invocation_return_value (query->invocation,
                                           g_variant_new ("(@a{sv})",
                                                          gd_status_get_columns (self->status, age)));
  else
    query_reply (query, gd_status_get_rows (self->status, age));
}

/* Validate's findings against the database: interrupted migrations,
 * applied ones whose file is gone, out-of-order pending ones, drift. */
static void
add_database_findings (GVariantBuilder *builder,
                       GanderProfile   *profile,
                       GPtrArray       *statuses,
                       gboolean         allow_missing,
                       GHashTable      *pending)
{
  GanderPolicyLevel drift = gander_profile_get_checksum_drift (profile);
  gint64 max_applied = 0;

  for (guint i = 0; i < statuses->len; i++)
    {
      GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
      if (gander_migration_status_get_state (status) != GANDER_MIGRATION_STATE_PENDING)
        max_applied = MAX (max_applied, gander_migration_status_get_version (status));
    }

  for (guint i = 0; i < statuses->len; i++)
    {
      GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
      GanderMigration *migration = gander_migration_status_get_migration (status);
      GanderMigrationState state = gander_migration_status_get_state (status);
      gint64 version = gander_migration_status_get_version (status);
      const char *name = gander_migration_status_get_name (status) ?: "";
      g_autofree char *path = NULL;
      g_autofree char *message = NULL;

      if (migration != NULL && gander_migration_get_file (migration) != NULL)
        path = g_file_get_path (gander_migration_get_file (migration));

      if (state == GANDER_MIGRATION_STATE_PENDING)
        {
          g_hash_table_add (pending, g_memdup2 (&version, sizeof version));
          if (version < max_applied)
            {
              message = g_strdup_printf (_("migration %s (version %" PRId64 ") is pending "
                                           "but older than the applied version %" PRId64
                                           "; apply it with allow-missing"),
                                         name, version, max_applied);
              gd_variant_add_finding (builder, allow_missing ? "warning" : "error",
                                      "missing-migrations", message, path, 0, version, NULL);
            }
        }
      else if (state == GANDER_MIGRATION_STATE_RUNNING)
        {
          message = g_strdup_printf (_("migration %s (version %" PRId64 ") was interrupted "
                                       "half way (NO TRANSACTION): check the database, then "
                                       "ClearDirty"), name, version);
          gd_variant_add_finding (builder, "error", "dirty", message, path, 0, version, NULL);
        }
      else if (state == GANDER_MIGRATION_STATE_MISSING || migration == NULL)
        {
          const char *renamed = gander_migration_status_get_renamed_to (status);

          if (renamed != NULL)
            message = g_strdup_printf (_("version %" PRId64 " is applied but its file "
                                         "is not in the migrations directory; %s has its "
                                         "checksum (renamed?)"), version, renamed);
          else
            message = g_strdup_printf (_("version %" PRId64 " is applied but its file "
                                         "is not in the migrations directory"), version);
          gd_variant_add_finding (builder, "warning", "missing-file", message, NULL, 0, version, NULL);
        }
      else if (gander_migration_status_get_modified (status) && drift != GANDER_POLICY_LEVEL_IGNORE)
        {
          message = g_strdup_printf (_("migration %s (version %" PRId64 ") changed "
                                       "after it was applied (checksum drift); AcceptChecksum "
                                       "records the new one"), name, version);
          gd_variant_add_finding (builder, drift == GANDER_POLICY_LEVEL_ERROR ? "error" : "warning",
                                  "checksum-drift", message, path, 0, version, NULL);
        }
    }
}

static void
add_lint_findings (GVariantBuilder *builder,
                   GanderProfile   *profile,
                   GanderSource    *source,
                   GHashTable      *pending,
                   GCancellable    *cancellable)
{
  const char *driver = gander_profile_get_driver (profile);
  const char *lint_setting = gander_profile_get (profile, "lint");
  const char *disabled = gander_profile_get (profile, "lint-disable");
  g_autoptr(GanderLinter) linter = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  GanderLintDialect dialect;

  if (g_strcmp0 (lint_setting, "off") == 0)
    return;
  if (driver == NULL || !gander_lint_dialect_from_string (driver, &dialect) ||
      !gander_lint_dialect_is_available (dialect))
    {
      g_autofree char *message = g_strdup_printf (_("lint is not available for driver %s"),
                                                  driver != NULL ? driver : "(none)");
      gd_variant_add_finding (builder, "info", "lint", message, NULL, 0, 0, NULL);
      return;
    }
  linter = gander_linter_new (dialect);
  if (disabled != NULL)
    {
      g_auto(GStrv) rules = g_strsplit_set (disabled, ";,", -1);

      for (guint i = 0; rules[i] != NULL; i++)
        {
          g_autoptr(GError) rule_error = NULL;

          g_strstrip (rules[i]);
          if (*rules[i] != '\0' && !gander_linter_disable_rule (linter, rules[i], &rule_error))
            gd_variant_add_finding (builder, "warning", "lint", rule_error->message, NULL, 0, 0, NULL);
        }
    }
  findings = gander_linter_lint_source (linter, source, cancellable, &error);
  if (findings == NULL)
    {
      gd_variant_add_finding (builder, "error", "lint", error->message, NULL, 0, 0, NULL);
      return;
    }
  for (guint i = 0; i < findings->len; i++)
    {
      GanderLintFinding *finding = g_ptr_array_index (findings, i);
      const char *file = gander_lint_finding_get_file (finding);

      if (gander_lint_finding_get_suppressed (finding))
        continue;
      if (pending != NULL && file != NULL)
        {
          g_autofree char *base = g_path_get_basename (file);
          gint64 version = gander_version_from_filename (base, NULL);

          if (!g_hash_table_contains (pending, &version))
            continue;
        }
      gd_variant_add_lint_finding (builder, finding);
    }
}

static GVariant *
run_validate (Query          *query,
              GanderManager  *manager,
              GCancellable   *cancellable,
              GError        **error)
{
  GanderMigrator *migrator = gander_manager_get_migrator (manager);
  GanderSource *source = gander_migrator_get_source (migrator);
  g_autoptr(GHashTable) pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GError) db_error = NULL;
  GVariantBuilder builder;
  gboolean allow_missing = gander_profile_get_allow_missing (query->profile);

  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, cancellable, error);
  if (issues == NULL)
    return NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  statuses = gander_migrator_status_full (migrator, GANDER_STATUS_FLAGS_ORPHANS, cancellable, &db_error);
  gander_database_close (gander_migrator_get_database (migrator));
  if (statuses != NULL)
    add_database_findings (&builder, query->profile, statuses, allow_missing, pending);
  else if (g_error_matches (db_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_variant_builder_clear (&builder);
      g_propagate_error (error, g_steal_pointer (&db_error));
      return NULL;
    }
  else
    gd_variant_add_finding (&builder, "error", "database", db_error->message, NULL, 0, 0, NULL);

  for (guint i = 0; i < issues->len; i++)
    {
      GanderValidationIssue *issue = g_ptr_array_index (issues, i);
      gint64 version = gander_validation_issue_get_version (issue);

      /* an issue tied to an applied migration is not one to act on now */
      if (query->pending_only && statuses != NULL && version > 0 &&
          !g_hash_table_contains (pending, &version))
        continue;
      gd_variant_add_issue (&builder, issue);
    }
  if (query->lint)
    add_lint_findings (&builder, query->profile, source,
                       query->pending_only && statuses != NULL ? pending : NULL, cancellable);
  return g_variant_builder_end (&builder);
}

static GVariant *
run_health (Query          *query,
            GanderManager  *manager,
            GCancellable   *cancellable,
            GError        **error)
{
  GanderMigrator *migrator = gander_manager_get_migrator (manager);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_auto(GStrv) queries = gander_profile_get_post_check_sql (query->profile);
  g_autoptr(GPtrArray) results = NULL;

  /* GanderHealth adds the migrator's allow-missing to its own (the
   * manager set the profile's): the option overrides it, as in Plan */
  if (query->allow_missing_set)
    gander_migrator_set_allow_missing (migrator, query->allow_missing);
  gander_health_set_checks (health, (const char * const *) query->checks);
  gander_health_set_free_space_factor (health, gander_profile_get_free_space_factor (query->profile));
  gander_health_set_post_check_sql (health, (const char * const *) queries);
  gander_health_set_integrity (health, gander_profile_get_backup_verify (query->profile) ==
                                       GANDER_BACKUP_VERIFY_FULL);
  if (gander_profile_get_backup_mode (query->profile) != GANDER_BACKUP_MODE_OFF)
    gander_health_set_backup_directory (health,
                                        gander_backup_get_directory (gander_manager_get_backup_store (manager)));
  results = gander_health_run (health, GANDER_HEALTH_PHASE_ANY, cancellable, error);
  gander_database_close (gander_migrator_get_database (migrator));
  if (results == NULL)
    return NULL;
  return gd_variant_new_health (results);
}

static GVariant *
run_plan (Query          *query,
          GanderManager  *manager,
          GCancellable   *cancellable,
          GError        **error)
{
  GanderMigrator *migrator = gander_manager_get_migrator (manager);
  g_autoptr(GanderPlan) plan = NULL;

  if (query->allow_missing_set)
    gander_migrator_set_allow_missing (migrator, query->allow_missing);
  plan = gander_migrator_plan (migrator, query->plan_operation, query->target, cancellable, error);
  gander_database_close (gander_migrator_get_database (migrator));
  if (plan == NULL)
    return NULL;
  if (!gander_plan_get_can_run (plan) && gander_plan_get_error (plan) != NULL)
    {
      g_propagate_error (error, g_error_copy (gander_plan_get_error (plan)));
      return NULL;
    }
  return gd_variant_new_plan (plan);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Query *query = g_object_get_data (G_OBJECT (task), "query");
  GanderManager *manager = task_data;
  GError *error = NULL;
  GVariant *result = NULL;

  switch (query->kind)
    {
    case QUERY_PLAN:
      result = run_plan (query, manager, cancellable, &error);
      break;
    case QUERY_VALIDATE:
      result = run_validate (query, manager, cancellable, &error);
      break;
    case QUERY_HEALTH:
      result = run_health (query, manager, cancellable, &error);
      break;
    case QUERY_LIST_BACKUPS:
      {
        g_autoptr(GPtrArray) backups = gander_manager_list_backups (manager, &error);
        if (backups != NULL)
          result = gd_variant_new_backups (backups);
      }
      break;
    case QUERY_REFRESH:
    case QUERY_STATUS:
    case QUERY_STATUS_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_variant_ref_sink (result), (GDestroyNotify) g_variant_unref);
}

static void
query_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(Query) query = user_data;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result == NULL)
    g_dbus_method_invocation_return_gerror (query->invocation, error);
  else
    query_reply (query, result);
  gd_daemon_release (query->self->daemon);
}

static void
query_got_manager_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Query *query = user_data;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  manager = gd_profile_get_manager_finish (query->self, result, &error);
  if (manager == NULL)
    {
      g_dbus_method_invocation_return_gerror (query->invocation, error);
      gd_daemon_release (query->self->daemon);
      query_free (query);
      return;
    }
  task = g_task_new (query->self, NULL, query_done_cb, query);
  g_task_set_source_tag (task, query_got_manager_cb);
  g_object_set_data (G_OBJECT (task), "query", query);
  g_task_set_task_data (task, g_steal_pointer (&manager), g_object_unref);
  g_task_run_in_thread (task, query_thread);
}

static void
refreshed_for_query (GdProfile    *self,
                     const GError *error,
                     gpointer      user_data)
{
  g_autoptr(Query) query = user_data;

  if (error != NULL)
    g_dbus_method_invocation_return_gerror (query->invocation, error);
  else if (query->kind == QUERY_REFRESH)
    gd_bus_profile_complete_refresh (self->iface, query->invocation);
  else if (self->status != NULL)
    status_reply (query);
  else
    /* the settings changed (Reload) while it ran: the answer was dropped */
    g_dbus_method_invocation_return_error (query->invocation, GANDER_ERROR, GANDER_ERROR_BUSY,
                                           _("profile %s changed while its status was read; "
                                             "call again"), self->name);
  gd_daemon_release (self->daemon);
}

static void
query_authorised_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Query *query = user_data;
  GdProfile *self = query->self;
  g_autoptr(GdCaller) caller = NULL;
  g_autoptr(GError) error = NULL;

  caller = gd_auth_check_finish (GD_AUTH (source), result, &error);
  if (caller == NULL)
    {
      gd_log (G_LOG_LEVEL_INFO, self->name, NULL, query_names[query->kind],
              "refused %s on profile %s: %s", query_names[query->kind], self->name, error->message);
      g_dbus_method_invocation_return_gerror (query->invocation, error);
      gd_daemon_release (self->daemon);
      query_free (query);
      return;
    }
  gd_log (G_LOG_LEVEL_DEBUG, self->name, NULL, query_names[query->kind],
          "%s on profile %s for uid %u", query_names[query->kind], self->name, caller->uid);

  switch (query->kind)
    {
    case QUERY_STATUS:
    case QUERY_STATUS_COLUMNS:
      if (self->status != NULL)
        {
          status_reply (query);
          gd_daemon_release (self->daemon);
          query_free (query);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case QUERY_REFRESH:
      refresh_full (self, refreshed_for_query, query);
      return;
    case QUERY_PLAN:
    case QUERY_VALIDATE:
    case QUERY_HEALTH:
    case QUERY_LIST_BACKUPS:
    default:
      gd_profile_get_manager_async (self, NULL, query_got_manager_cb, query);
      return;
    }
}

/* Reads @options: each key must be one of @allowed with its type, else
 * GANDER_ERROR_INVALID_ARGUMENT naming it. */
static gboolean
check_options (GVariant            *options,
               const char * const  *allowed,
               const char * const  *types,
               GError             **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (options == NULL)
    return TRUE;
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      gboolean known = FALSE;

      for (guint i = 0; allowed[i] != NULL; i++)
        if (g_str_equal (key, allowed[i]))
          {
            known = TRUE;
            if (!g_variant_is_of_type (value, G_VARIANT_TYPE (types[i])))
              {
                g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                             _("option %s must be of type \"%s\", not \"%s\""),
                             key, types[i], g_variant_get_type_string (value));
                g_variant_unref (value);
                return FALSE;
              }
          }
      if (!known)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       _("unknown option %s (known: %s)"), key, list);
          g_variant_unref (value);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
start_query (GdProfile             *self,
             GDBusMethodInvocation *invocation,
             QueryKind              kind,
             Query                 *query_in)
{
  Query *query = query_in != NULL ? query_in : g_new0 (Query, 1);

  query->self = g_object_ref (self);
  query->invocation = g_object_ref (invocation);
  query->kind = kind;
  query->profile = g_object_ref (self->profile);
  gd_daemon_hold (self->daemon);
  gd_auth_check_async (gd_daemon_get_auth (self->daemon), invocation, GD_ACTION_INSPECT,
                       self->name, gander_profile_get_environment (self->profile),
                       query->interactive, NULL, query_authorised_cb, query);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_refresh (GdBusProfile          *iface,
                GDBusMethodInvocation *invocation,
                GdProfile             *self)
{
  return start_query (self, invocation, QUERY_REFRESH, NULL);
}

static gboolean
handle_status (GdBusProfile          *iface,
               GDBusMethodInvocation *invocation,
               GdProfile             *self)
{
  return start_query (self, invocation, QUERY_STATUS, NULL);
}

static gboolean
handle_status_columns (GdBusProfile          *iface,
                       GDBusMethodInvocation *invocation,
                       GdProfile             *self)
{
  return start_query (self, invocation, QUERY_STATUS_COLUMNS, NULL);
}

static gboolean
handle_list_backups (GdBusProfile          *iface,
                     GDBusMethodInvocation *invocation,
                     GdProfile             *self)
{
  return start_query (self, invocation, QUERY_LIST_BACKUPS, NULL);
}

static gboolean
handle_plan (GdBusProfile          *iface,
             GDBusMethodInvocation *invocation,
             const char            *operation,
             gint64                 target,
             GVariant              *options,
             GdProfile             *self)
{
  static const char * const allowed[] = { "allow-missing", "interactive", NULL };
  static const char * const types[] = { "b", "b", NULL };
  g_autoptr(Query) query = g_new0 (Query, 1);
  g_autoptr(GError) error = NULL;

  if (!gd_plan_operation_from_nick (operation, &query->plan_operation))
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                                             _("Plan cannot plan \"%s\": use up, up-by-one, up-to, "
                                               "down, down-to, redo or reset"), operation);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (!check_options (options, allowed, types, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  query->target = target;
  query->allow_missing_set = g_variant_lookup (options, "allow-missing", "b", &query->allow_missing);
  g_variant_lookup (options, "interactive", "b", &query->interactive);
  return start_query (self, invocation, QUERY_PLAN, g_steal_pointer (&query));
}

static gboolean
handle_validate (GdBusProfile          *iface,
                 GDBusMethodInvocation *invocation,
                 GVariant              *options,
                 GdProfile             *self)
{
  static const char * const allowed[] = { "lint", "pending-only", "interactive", NULL };
  static const char * const types[] = { "b", "b", "b", NULL };
  g_autoptr(Query) query = g_new0 (Query, 1);
  g_autoptr(GError) error = NULL;

  if (!check_options (options, allowed, types, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  query->lint = TRUE;
  g_variant_lookup (options, "lint", "b", &query->lint);
  g_variant_lookup (options, "pending-only", "b", &query->pending_only);
  g_variant_lookup (options, "interactive", "b", &query->interactive);
  return start_query (self, invocation, QUERY_VALIDATE, g_steal_pointer (&query));
}

static gboolean
handle_health (GdBusProfile          *iface,
               GDBusMethodInvocation *invocation,
               GVariant              *options,
               GdProfile             *self)
{
  static const char * const allowed[] = { "checks", "allow-missing", "interactive", NULL };
  static const char * const types[] = { "as", "b", "b", NULL };
  g_autoptr(Query) query = g_new0 (Query, 1);
  g_autoptr(GError) error = NULL;

  if (!check_options (options, allowed, types, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_variant_lookup (options, "checks", "^as", &query->checks);
  query->allow_missing_set = g_variant_lookup (options, "allow-missing", "b", &query->allow_missing);
  g_variant_lookup (options, "interactive", "b", &query->interactive);
  return start_query (self, invocation, QUERY_HEALTH, g_steal_pointer (&query));
}

/* -------------------------------------------------------------------- */
/* SetPassword, ClearPassword */

typedef struct
{
  GdProfile             *self;
  GDBusMethodInvocation *invocation;
  int                    fd;           /* -1: none (ClearPassword) */
} CredentialCall;

static void
credential_call_free (CredentialCall *call)
{
  if (call->fd >= 0)
    close (call->fd);
  g_clear_object (&call->invocation);
  g_clear_object (&call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CredentialCall, credential_call_free)

static void
credential_call_done (CredentialCall *call,
                      const GError   *error,
                      gboolean        has_credential)
{
  GdProfile *self = call->self;

  if (error != NULL)
    g_dbus_method_invocation_return_gerror (call->invocation, error);
  else
    {
      gd_bus_profile_set_has_credential (self->iface, has_credential);
      gd_log (G_LOG_LEVEL_MESSAGE, self->name, NULL,
              has_credential ? "set-password" : "clear-password",
              has_credential ? "password of profile %s stored" : "password of profile %s cleared",
              self->name);
      g_dbus_method_invocation_return_value (call->invocation, NULL);
    }
  gd_daemon_release (self->daemon);
}

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CredentialCall) call = user_data;
  g_autoptr(GError) error = NULL;

  gd_credentials_store_finish (GD_CREDENTIALS (source), result, &error);
  credential_call_done (call, error, TRUE);
}

static void
password_cleared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CredentialCall) call = user_data;
  g_autoptr(GError) error = NULL;

  gd_credentials_clear_finish (GD_CREDENTIALS (source), result, &error);
  credential_call_done (call, error, FALSE);
}

/* Worker thread: reading the descriptor may block until the client
 * closes its end. */
static void
read_secret_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  CredentialCall *call = task_data;
  GError *error = NULL;
  char *secret = gd_credentials_read_fd (call->fd, &error);

  close (call->fd);
  call->fd = -1;
  if (secret == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) gd_credentials_free_secret);
}

static void
secret_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CredentialCall) call = user_data;
  GdProfile *self = call->self;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = g_task_propagate_pointer (G_TASK (result), &error);
  if (secret == NULL)
    {
      credential_call_done (call, error, FALSE);
      return;
    }
  gd_credentials_store_async (gd_daemon_get_credentials (self->daemon), self->profile, secret,
                              NULL, password_stored_cb, g_steal_pointer (&call));
  gd_credentials_free_secret (secret);
}

static void
credential_authorised_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(CredentialCall) call = user_data;
  GdProfile *self = call->self;
  g_autoptr(GdCaller) caller = NULL;
  g_autoptr(GError) error = NULL;

  caller = gd_auth_check_finish (GD_AUTH (source), result, &error);
  if (caller == NULL)
    {
      credential_call_done (call, error, FALSE);
      return;
    }
  if (call->fd >= 0)
    {
      g_autoptr(GTask) task = NULL;
      CredentialCall *owned = g_steal_pointer (&call);

      /* the call is the task's data until the secret is read; the
       * callback gets it back */
      task = g_task_new (self, NULL, secret_read_cb, owned);
      g_task_set_source_tag (task, credential_authorised_cb);
      g_task_set_task_data (task, owned, NULL);
      g_task_run_in_thread (task, read_secret_thread);
      return;
    }
  gd_credentials_clear_async (gd_daemon_get_credentials (self->daemon), self->profile,
                              NULL, password_cleared_cb, g_steal_pointer (&call));
}

static void
start_credential_call (GdProfile             *self,
                       GDBusMethodInvocation *invocation,
                       int                    fd)
{
  CredentialCall *call = g_new0 (CredentialCall, 1);

  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->fd = fd;
  gd_daemon_hold (self->daemon);
  gd_auth_check_async (gd_daemon_get_auth (self->daemon), invocation, GD_ACTION_MANAGE_CREDENTIALS,
                       self->name, gander_profile_get_environment (self->profile),
                       FALSE, NULL, credential_authorised_cb, call);
}

static gboolean
handle_set_password (GdBusProfile          *iface,
                     GDBusMethodInvocation *invocation,
                     GUnixFDList           *fd_list,
                     GVariant              *handle,
                     GdProfile             *self)
{
  g_autoptr(GError) error = NULL;
  gint32 index = g_variant_get_handle (handle);
  int fd = -1;

  if (fd_list != NULL && index >= 0 && index < g_unix_fd_list_get_length (fd_list))
    fd = g_unix_fd_list_get (fd_list, index, &error);
  if (fd < 0)
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                                             _("SetPassword needs a file descriptor to read the "
                                               "password from%s%s"),
                                             error != NULL ? ": " : "",
                                             error != NULL ? error->message : "");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  start_credential_call (self, invocation, fd);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_clear_password (GdBusProfile          *iface,
                       GDBusMethodInvocation *invocation,
                       GdProfile             *self)
{
  start_credential_call (self, invocation, -1);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
credential_looked_up_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GdProfile) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = gd_credentials_lookup_finish (GD_CREDENTIALS (source), result, &error);

  if (error != NULL)
    gd_log (G_LOG_LEVEL_INFO, self->name, NULL, NULL,
            "cannot tell whether profile %s has a password: %s", self->name, error->message);
  gd_bus_profile_set_has_credential (self->iface, secret != NULL);
  if (secret != NULL)
    gd_credentials_free_secret (secret);
  gd_daemon_release (self->daemon);
}

/* -------------------------------------------------------------------- */
/* jobs */

GdJob *
gd_profile_get_active_job (GdProfile *self)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), NULL);
  return self->active_job;
}

/* A migration of the active job finished: the cached answers follow. */
static void
on_job_migration_finished (GdBusJob   *job,
                           gint64      version,
                           const char *source,
                           const char *direction,
                           gboolean    success,
                           gint64      duration,
                           GdProfile  *self)
{
  if (success && self->status != NULL)
    gd_status_mark (self->status, version, g_strcmp0 (direction, "up") == 0, g_get_real_time ());
}

/* Whether @job (ended) changed the database only through the migrations
 * it reported, all of them successfully: then the table it kept up to
 * date is the database's. A restore, a baseline or a repair changes the
 * version table behind the rows' backs; a failed run may have left what
 * it did not report (an interrupted NO TRANSACTION migration). */
static gboolean
job_kept_the_table (GdJob *job)
{
  if (job == NULL || g_strcmp0 (gd_bus_job_get_result (gd_job_get_iface (job)), "success") != 0)
    return FALSE;
  switch (gd_job_get_operation (job))
    {
    case GANDER_OPERATION_UP:
    case GANDER_OPERATION_UP_BY_ONE:
    case GANDER_OPERATION_UP_TO:
    case GANDER_OPERATION_DOWN:
    case GANDER_OPERATION_DOWN_TO:
    case GANDER_OPERATION_REDO:
    case GANDER_OPERATION_RESET:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
watch_job (GdProfile *self,
           GdJob     *job)
{
  if (self->watched != NULL)
    g_clear_signal_handler (&self->watched_id, self->watched);
  g_clear_object (&self->watched);
  if (job == NULL)
    return;
  self->watched = g_object_ref (gd_job_get_iface (job));
  self->watched_id = g_signal_connect (self->watched, "migration-finished",
                                       G_CALLBACK (on_job_migration_finished), self);
}

void
gd_profile_set_active_job (GdProfile *self,
                           GdJob     *job)
{
  g_return_if_fail (GD_IS_PROFILE (self));
  g_return_if_fail (job == NULL || GD_IS_JOB (job));

  g_autoptr(GdProfile) keep = NULL;

  if (job == self->active_job)
    return;
  /* the manager may drop a profile that left the configuration */
  keep = g_object_ref (self);
  if (job != NULL)
    {
      g_set_object (&self->active_job, job);
      watch_job (self, job);
      gd_bus_profile_set_busy (self->iface, TRUE);
      gd_bus_profile_set_active_job (self->iface, gd_job_get_object_path (job));
      return;
    }

  /* what we knew is from before the job (or read while it ran): the
   * refresh below reads the database again. Until it is done, a run that
   * succeeded and changed only what its finished migrations reported
   * leaves a table that is already right (but for applied-at, which is
   * when the daemon heard of each): calls get that, not a wait. */
  if (!job_kept_the_table (self->active_job))
    g_clear_pointer (&self->status, gd_status_free);
  g_clear_object (&self->active_job);
  watch_job (self, NULL);
  self->generation++;
  if (!g_queue_is_empty (&self->queue))
    {
      g_autoptr(GdJob) next = g_queue_pop_head (&self->queue);

      g_set_object (&self->active_job, next);
      watch_job (self, next);
      gd_bus_profile_set_active_job (self->iface, gd_job_get_object_path (next));
      gd_job_start (next);
    }
  else
    {
      gd_bus_profile_set_busy (self->iface, FALSE);
      gd_bus_profile_set_active_job (self->iface, "/");
    }
  gd_profile_refresh (self);
  if (self->active_job == NULL)
    gd_manager_profile_idle (gd_daemon_get_manager (self->daemon), self);
}

void
gd_profile_enqueue_job (GdProfile *self,
                        GdJob     *job)
{
  g_return_if_fail (GD_IS_PROFILE (self));
  g_return_if_fail (GD_IS_JOB (job));

  g_queue_push_tail (&self->queue, g_object_ref (job));
  gd_job_set_queued (job);
}

gboolean
gd_profile_dequeue_job (GdProfile *self,
                        GdJob     *job)
{
  g_return_val_if_fail (GD_IS_PROFILE (self), FALSE);

  if (!g_queue_remove (&self->queue, job))
    return FALSE;
  g_object_unref (job);
  return TRUE;
}

/* -------------------------------------------------------------------- */

static void
gd_profile_dispose (GObject *object)
{
  GdProfile *self = GD_PROFILE (object);

  g_queue_clear_full (&self->queue, g_object_unref);
  g_clear_object (&self->active_job);

  G_OBJECT_CLASS (gd_profile_parent_class)->dispose (object);
}

static void
gd_profile_finalize (GObject *object)
{
  GdProfile *self = GD_PROFILE (object);

  if (self->watched != NULL)
    g_clear_signal_handler (&self->watched_id, self->watched);
  g_clear_object (&self->watched);
  g_clear_object (&self->object);
  g_clear_object (&self->iface);
  g_clear_object (&self->profile);
  g_clear_object (&self->breaker);
  g_clear_object (&self->audit);
  g_clear_pointer (&self->status, gd_status_free);
  g_clear_pointer (&self->waiting, g_array_unref);
  g_clear_pointer (&self->next_waiting, g_array_unref);
  g_free (self->breaker_key);
  g_free (self->name);
  g_free (self->path);

  G_OBJECT_CLASS (gd_profile_parent_class)->finalize (object);
}

static void
gd_profile_class_init (GdProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gd_profile_dispose;
  object_class->finalize = gd_profile_finalize;
}

static void
gd_profile_init (GdProfile *self)
{
  g_queue_init (&self->queue);
  self->waiting = g_array_new (FALSE, TRUE, sizeof (RefreshWaiter));
  self->next_waiting = g_array_new (FALSE, TRUE, sizeof (RefreshWaiter));
}

GdProfile *
gd_profile_new (GdDaemon      *daemon,
                GanderProfile *profile,
                const char    *source)
{
  GdProfile *self;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (GD_IS_DAEMON (daemon), NULL);
  g_return_val_if_fail (GANDER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (gander_profile_get_name (profile) != NULL, NULL);

  self = g_object_new (GD_TYPE_PROFILE, NULL);
  self->daemon = daemon;
  self->name = g_strdup (gander_profile_get_name (profile));
  escaped = g_dbus_escape_object_path (self->name);
  self->path = g_strconcat (GD_DAEMON_PROFILES_PATH "/", escaped, NULL);

  self->iface = gd_bus_profile_skeleton_new ();
  set_settings (self, profile, source);
  gd_bus_profile_set_current_version (self->iface, -1);
  gd_bus_profile_set_active_job (self->iface, "/");
  gd_bus_profile_set_breaker_state (self->iface, "closed");
  gd_bus_profile_set_last_error (self->iface, "");

  g_signal_connect_object (self->iface, "handle-refresh", G_CALLBACK (handle_refresh), self, 0);
  g_signal_connect_object (self->iface, "handle-status", G_CALLBACK (handle_status), self, 0);
  g_signal_connect_object (self->iface, "handle-status-columns", G_CALLBACK (handle_status_columns), self, 0);
  g_signal_connect_object (self->iface, "handle-plan", G_CALLBACK (handle_plan), self, 0);
  g_signal_connect_object (self->iface, "handle-validate", G_CALLBACK (handle_validate), self, 0);
  g_signal_connect_object (self->iface, "handle-health", G_CALLBACK (handle_health), self, 0);
  g_signal_connect_object (self->iface, "handle-list-backups", G_CALLBACK (handle_list_backups), self, 0);
  g_signal_connect_object (self->iface, "handle-set-password", G_CALLBACK (handle_set_password), self, 0);
  g_signal_connect_object (self->iface, "handle-clear-password", G_CALLBACK (handle_clear_password), self, 0);
  /* HasCredential: looked up once; SetPassword/ClearPassword keep it */
  gd_daemon_hold (daemon);
  gd_credentials_lookup_async (gd_daemon_get_credentials (daemon), profile, NULL,
                               credential_looked_up_cb, g_object_ref (self));
  gd_profile_jobs_connect (self);

  self->object = gd_bus_object_skeleton_new (self->path);
  gd_bus_object_skeleton_set_profile (self->object, self->iface);
  return self;
}
