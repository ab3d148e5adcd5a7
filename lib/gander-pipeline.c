/* gander-pipeline.c: the steps of one GanderManager run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "gander-backup-private.h"
#include "gander-circuit-breaker-private.h"
#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-health-private.h"
#include "gander-enum-types.h"
#include "gander-database-private.h"
#include "gander-pipeline-private.h"
#include "gander-plan-private.h"
#include "gander-planner-private.h"
#include "gander-libpq-private.h"
#include "gander-linter.h"
#include "gander-postgres-database.h"
#include "gander-postgres-private.h"
#include "gander-sqlite-database.h"
#include "gander-sqlite-private.h"
#include "gander-profile-private.h"
#include "gander-retry-private.h"
#include "gander-validation.h"

/* Which steps an operation goes through. */
typedef enum {
  KIND_MIGRATE  = 1 << 0,   /* up … reset: plans and applies */
  KIND_READ     = 1 << 1,   /* status, version */
  KIND_VALIDATE = 1 << 2,
  KIND_REPAIR   = 1 << 3,   /* baseline, clear-dirty, accept-checksum */
  KIND_BREAKER  = 1 << 4,   /* breaker-reset */
  KIND_BACKUP   = 1 << 5,   /* backup */
  KIND_RESTORE  = 1 << 6,   /* restore */
  KIND_HEALTH   = 1 << 7,   /* health */
  KIND_PRUNE    = 1 << 8,   /* prune-backups */
  KIND_ALL      = 0x1ff,
} Kind;

typedef gboolean (*StepFunc) (GanderPipeline  *p,
                              GError         **error);

static gboolean step_policy      (GanderPipeline *p, GError **error);
static gboolean step_validate    (GanderPipeline *p, GError **error);
static gboolean step_plan        (GanderPipeline *p, GError **error);
static gboolean step_lint        (GanderPipeline *p, GError **error);
static gboolean step_health_pre  (GanderPipeline *p, GError **error);
static gboolean step_backup      (GanderPipeline *p, GError **error);
static gboolean step_restore     (GanderPipeline *p, GError **error);
static gboolean step_health      (GanderPipeline *p, GError **error);
static gboolean step_prune       (GanderPipeline *p, GError **error);
static gboolean step_apply       (GanderPipeline *p, GError **error);
static gboolean step_health_post (GanderPipeline *p, GError **error);
static void     step_finish      (GanderPipeline *p, const GError *error);
static void     read_version_after (GanderPipeline *p);

/* The pipeline, in order. A step has one job; its weight is its share of
 * the run's #GanderManager:fraction. A step that has nothing to do in a
 * run (step_wanted()) is skipped and announces nothing. The finish step is
 * not in the table: it always runs, last. */
static const struct
{
  const char *name;
  guint       weight;
  Kind        kinds;
  StepFunc    func;
} steps[] = {
  { "policy",      2,  KIND_ALL,                     step_policy },
  { "validate",    5,  KIND_MIGRATE | KIND_VALIDATE, step_validate },
  { "plan",        5,  KIND_MIGRATE,                 step_plan },
  { "lint",        3,  KIND_MIGRATE,                 step_lint },
  { "health-pre",  3,  KIND_MIGRATE,                 step_health_pre },
  { "backup",      15, KIND_MIGRATE | KIND_BACKUP,   step_backup },
  { "restore",     80, KIND_RESTORE,                 step_restore },
  { "health",      80, KIND_HEALTH,                  step_health },
  { "prune",       80, KIND_PRUNE,                   step_prune },
  { "apply",       70, KIND_MIGRATE | KIND_READ | KIND_REPAIR | KIND_BREAKER, step_apply },
  { "health-post", 3,  KIND_MIGRATE,                 step_health_post },
};
#define FINISH_WEIGHT 3

static Kind
operation_kind (GanderOperation op)
{
  switch (op)
    {
    case GANDER_OPERATION_UP:
    case GANDER_OPERATION_UP_BY_ONE:
    case GANDER_OPERATION_UP_TO:
    case GANDER_OPERATION_DOWN:
    case GANDER_OPERATION_DOWN_TO:
    case GANDER_OPERATION_REDO:
    case GANDER_OPERATION_RESET:
      return KIND_MIGRATE;
    case GANDER_OPERATION_STATUS:
    case GANDER_OPERATION_VERSION:
      return KIND_READ;
    case GANDER_OPERATION_VALIDATE:
      return KIND_VALIDATE;
    case GANDER_OPERATION_BASELINE:
    case GANDER_OPERATION_CLEAR_DIRTY:
    case GANDER_OPERATION_ACCEPT_CHECKSUM:
      return KIND_REPAIR;
    case GANDER_OPERATION_BACKUP:
      return KIND_BACKUP;
    case GANDER_OPERATION_RESTORE:
      return KIND_RESTORE;
    case GANDER_OPERATION_HEALTH:
      return KIND_HEALTH;
    case GANDER_OPERATION_PRUNE_BACKUPS:
      return KIND_PRUNE;
    case GANDER_OPERATION_BREAKER_RESET:
    default:
      return KIND_BREAKER;
    }
}

/* "one more from wherever the database is": rerunning one whose attempt
 * committed something would go one step further than asked */
static gboolean
operation_is_relative (GanderOperation op)
{
  return op == GANDER_OPERATION_UP_BY_ONE || op == GANDER_OPERATION_DOWN ||
         op == GANDER_OPERATION_REDO;
}

static gboolean
operation_is_up (GanderOperation op)
{
  return op == GANDER_OPERATION_UP || op == GANDER_OPERATION_UP_BY_ONE ||
         op == GANDER_OPERATION_UP_TO;
}

static GanderPlanOperation
plan_operation (GanderOperation op)
{
  switch (op)
    {
    case GANDER_OPERATION_UP_BY_ONE:
      return GANDER_PLAN_OPERATION_UP_BY_ONE;
    case GANDER_OPERATION_UP_TO:
      return GANDER_PLAN_OPERATION_UP_TO;
    case GANDER_OPERATION_DOWN:
      return GANDER_PLAN_OPERATION_DOWN;
    case GANDER_OPERATION_DOWN_TO:
      return GANDER_PLAN_OPERATION_DOWN_TO;
    case GANDER_OPERATION_REDO:
      return GANDER_PLAN_OPERATION_REDO;
    case GANDER_OPERATION_RESET:
      return GANDER_PLAN_OPERATION_RESET;
    case GANDER_OPERATION_UP:
    default:
      return GANDER_PLAN_OPERATION_UP;
    }
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

void
gander_pipeline_init (GanderPipeline *p)
{
  memset (p, 0, sizeof *p);
  p->target = -1;
  p->actor_uid = -1;
  p->actor_pid = -1;
}

void
gander_pipeline_clear (GanderPipeline *p)
{
  g_clear_object (&p->profile);
  g_clear_object (&p->migrator);
  g_clear_object (&p->breaker);
  g_clear_object (&p->audit);
  g_clear_object (&p->metrics);
  g_clear_pointer (&p->metrics_file, g_free);
  gander_run_settings_clear (&p->settings);
  g_clear_pointer (&p->confirmation, g_free);
  g_clear_pointer (&p->via, g_free);
  g_clear_pointer (&p->actor_name, g_free);
  g_clear_object (&p->cancellable);
  g_clear_pointer (&p->signal_context, g_main_context_unref);
  g_clear_object (&p->run_cancellable);
  g_clear_object (&p->report);
  g_clear_pointer (&p->status, g_ptr_array_unref);
  g_clear_object (&p->plan);
  g_clear_pointer (&p->refused_rule, g_free);
  g_clear_object (&p->backup_store);
  g_clear_pointer (&p->backup_id, g_free);
}

void
gander_pipeline_set_options (GanderPipeline   *p,
                             GanderRunOptions *options)
{
  gander_run_settings_clear (&p->settings);
  gander_run_settings_init (&p->settings, options);
  if (options == NULL)
    {
      p->via = g_strdup ("library");
      return;
    }
  p->dry_run = gander_run_options_get_dry_run (options);
  p->confirmation = g_strdup (gander_run_options_get_confirmation (options));
  p->via = g_strdup (gander_run_options_get_via (options));
  p->actor_uid = gander_run_options_get_actor_uid (options);
  p->actor_pid = gander_run_options_get_actor_pid (options);
  p->actor_name = g_strdup (gander_run_options_get_actor_name (options));
  p->mark_applied = gander_run_options_get_mark_applied (options);
  p->backup_id = g_strdup (gander_run_options_get_backup_id (options));
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void
warn (GanderPipeline *p,
      const char     *message)
{
  gander_run_report_add_warning (p->report, message);
  if (p->on_warning != NULL)
    p->on_warning (p, message, p->user_data);
}

static void G_GNUC_PRINTF (2, 3)
warnf (GanderPipeline *p,
       const char     *format,
       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  warn (p, message);
}

/* Refuses the run: @rule is the report's refused_rule. */
static gboolean G_GNUC_PRINTF (5, 6)
refuse (GanderPipeline  *p,
        GError         **error,
        const char      *rule,
        GanderError      code,
        const char      *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_free (p->refused_rule);
  p->refused_rule = g_strdup (rule);
  g_set_error_literal (error, GANDER_ERROR, code, message);
  return FALSE;
}

static const char *
origin_of (GanderPipeline *p,
           const char     *key)
{
  const char *origin = gander_profile_get_origin (p->profile, key);

  return origin != NULL ? origin : "built-in";
}

/* A SQLite file that does not exist yet holds nothing: no version, no
 * marker, no drift. Reading it would create it — a refusal or a dry run
 * must leave no file behind — so the checks and the plan use an empty
 * state instead. */
static gboolean
database_absent (GanderPipeline *p)
{
  return gander_database_is_absent (gander_migrator_get_database (p->migrator));
}

/* The name that confirms a destructive command for a profile without a
 * name: the SQLite file's base name, the PostgreSQL dbname. Read from the
 * connection string as given (never shown: only the name is taken). */
static char *
database_name (GanderDatabase *database)
{
  return gander_dsn_database_name (gander_database_get_dialect (database),
                                   gander_database_get_connect_dsn (database));
}

static char *
confirmation_name (GanderPipeline *p)
{
  const char *profile_name = gander_profile_get_name (p->profile);

  if (profile_name != NULL)
    return g_strdup (profile_name);
  return database_name (gander_migrator_get_database (p->migrator));
}

static char *
format_versions (GArray *versions)
{
  GString *text = g_string_new (NULL);
  guint shown = MIN (versions->len, 5);

  for (guint i = 0; i < shown; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "",
                            g_array_index (versions, gint64, i));
  if (versions->len > shown)
    g_string_append_printf (text, ", … (%u in all)", versions->len);
  return g_string_free (text, FALSE);
}

static char *
format_delay (GTimeSpan usec)
{
  if (usec < G_TIME_SPAN_SECOND)
    return g_strdup_printf ("%" G_GINT64_FORMAT "ms", usec / G_TIME_SPAN_MILLISECOND);
  return g_strdup_printf ("%.3gs", (double) usec / G_TIME_SPAN_SECOND);
}

static void
get_retry_policy (GanderPipeline    *p,
                  GanderRetryPolicy *policy)
{
  policy->max_attempts = MAX (gander_profile_get_retry_max_attempts (p->profile), 1);
  policy->initial_delay = gander_profile_get_retry_initial_delay (p->profile);
  policy->max_delay = gander_profile_get_retry_max_delay (p->profile);
  policy->multiplier = gander_profile_get_retry_multiplier (p->profile);
}

/* The run was cancelled (or hit its deadline) where attempt @attempt,
 * which failed with @local_error, would have been tried again. */
static void
set_retry_cancelled (GError                  **error,
                     guint                     attempt,
                     const GanderRetryPolicy  *policy,
                     const GError             *local_error)
{
  gander_set_cancelled_error (error,
                              _("cancelled while waiting to retry after attempt "
                                "%u of %u failed (%s)"),
                              attempt, policy->max_attempts, local_error->message);
}

/* After attempt @attempt of a read failed with @local_error: whether to
 * try again (then it has waited), else FALSE with @error set. A read
 * changes nothing, so every transient failure may run it again. */
static gboolean
retry_read (GanderPipeline  *p,
            guint            attempt,
            GError          *local_error,
            GError         **error)
{
  GanderRetryPolicy policy = { 0, };
  const char *reason = gander_retry_reason (local_error);
  g_autofree char *delay_text = NULL;
  GTimeSpan delay;

  get_retry_policy (p, &policy);
  if (reason == NULL || attempt >= policy.max_attempts)
    {
      g_propagate_error (error, g_error_copy (local_error));
      return FALSE;
    }
  /* it would have been tried again, but the run was cancelled or hit its
   * deadline meanwhile: that is what ended it */
  if (g_cancellable_is_cancelled (p->run_cancellable))
    {
      set_retry_cancelled (error, attempt, &policy, local_error);
      return FALSE;
    }
  if (g_error_matches (local_error, GANDER_ERROR, GANDER_ERROR_CONNECTION))
    gander_database_close (gander_migrator_get_database (p->migrator));
  delay = gander_retry_policy_delay (&policy, attempt, NULL);
  delay_text = format_delay (delay);
  warnf (p, _("reading the database's state, attempt %u of %u failed (%s): %s; "
              "retrying in %s"),
         attempt, policy.max_attempts, reason, local_error->message, delay_text);
  gander_run_report_add_retry (p->report);
  gander_pipeline_count_retry (p, reason);
  if (!gander_database_sleep (p->run_cancellable, delay))
    {
      set_retry_cancelled (error, attempt, &policy, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_status (GanderPipeline  *p,
             GError         **error)
{
  if (p->status != NULL)
    return TRUE;
  if (database_absent (p))
    {
      p->status = g_ptr_array_new_with_free_func (g_object_unref);
      return TRUE;
    }
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      p->status = gander_migrator_status_in (p->migrator, p->signal_context,
                                             p->run_cancellable, &local_error);
      if (p->status != NULL)
        return TRUE;
      if (!retry_read (p, attempt, local_error, error))
        return FALSE;
    }
}

/* The database's version, under the retry policy */
static gint64
read_db_version (GanderPipeline  *p,
                 GError         **error)
{
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 v = gander_migrator_get_db_version_in (p->migrator, p->signal_context,
                                                    p->run_cancellable, &local_error);

      if (v >= 0)
        return v;
      if (!retry_read (p, attempt, local_error, error))
        return -1;
    }
}

static gint64
status_max_applied (GPtrArray *status)
{
  gint64 max = 0;

  for (guint i = 0; i < status->len; i++)
    {
      GanderMigrationStatus *s = g_ptr_array_index (status, i);

      if (gander_migration_status_get_state (s) != GANDER_MIGRATION_STATE_PENDING)
        max = MAX (max, gander_migration_status_get_version (s));
    }
  return max;
}

static gboolean
versioning (GanderPipeline *p)
{
  return !p->settings.no_versioning && !gander_migrator_get_no_versioning (p->migrator);
}

/* ------------------------------------------------------------------ */
/* policy                                                              */

gboolean
gander_pipeline_check_rules (GanderPipeline  *p,
                             gboolean         take_trial,
                             const char     **rule,
                             GError         **error)
{
  const char *command = gander_operation_to_string (p->operation);
  const char *environment = gander_profile_get_environment (p->profile);
  gboolean ok = TRUE;

  g_clear_pointer (&p->refused_rule, g_free);

  if (!gander_profile_command_allowed (p->profile, command))
    {
      ok = refuse (p, error, "allow-commands", GANDER_ERROR_POLICY_DENIED,
                   _("`%s` is not allowed in environment %s (allow-commands, from %s): "
                     "run it where the environment allows it, or add it to "
                     "allow-commands in the [environment %s] group"),
                   command, environment, origin_of (p, "allow-commands"), environment);
    }
  else if (p->dry_run && (operation_kind (p->operation) & (KIND_REPAIR | KIND_BREAKER)))
    {
      /* the repairs write their bookkeeping at once and have nothing to
       * plan: a "dry run" of one would be a real run without the
       * confirmation a real run needs */
      ok = refuse (p, error, "dry-run", GANDER_ERROR_NOT_SUPPORTED,
                   _("`%s` has no dry run: it changes the version table (or the "
                     "breaker) directly; see what it would touch with `status` or "
                     "`breaker status`, then run it without dry-run"),
                   command);
    }
  else if (p->operation == GANDER_OPERATION_RESTORE)
    {
      /* a restore replaces the whole database: confirmed everywhere, a
       * dry run too (it shows what a confirmed one would do) */
      g_autofree char *expected = confirmation_name (p);

      if (expected == NULL)
        ok = refuse (p, error, "require-confirmation", GANDER_ERROR_CONFIRMATION_REQUIRED,
                     _("`restore` replaces the whole database and needs confirmation in "
                       "every environment, but this database has no name to confirm it "
                       "with: use a profile (--profile NAME) and confirm with its name"));
      else if (p->confirmation == NULL)
        ok = refuse (p, error, "require-confirmation", GANDER_ERROR_CONFIRMATION_REQUIRED,
                     _("`restore` replaces the whole database and needs confirmation in "
                       "every environment: rerun with --confirm=%s, or type the name at "
                       "the prompt"), expected);
      else if (!g_str_equal (p->confirmation, expected))
        ok = refuse (p, error, "require-confirmation", GANDER_ERROR_CONFIRMATION_REQUIRED,
                     _("`restore` needs confirmation: \"%s\" does not match the name to "
                       "confirm with; rerun with --confirm=%s"),
                     p->confirmation, expected);
    }
  else if (!p->dry_run && gander_profile_command_needs_confirmation (p->profile, command))
    {
      g_autofree char *expected = confirmation_name (p);

      if (expected == NULL)
        ok = refuse (p, error, "require-confirmation", GANDER_ERROR_CONFIRMATION_REQUIRED,
                     _("`%s` needs confirmation in environment %s (require-confirmation, "
                       "from %s), but this database has no name to confirm it with: "
                       "use a profile (--profile NAME) and confirm with its name"),
                     command, environment, origin_of (p, "require-confirmation"));
      else if (p->confirmation == NULL)
        ok = refuse (p, error, "require-confirmation", GANDER_ERROR_CONFIRMATION_REQUIRED,
                     _("`%s` needs confirmation in environment %s (require-confirmation, "
                       "from %s): rerun with --confirm=%s, or type the name at the prompt"),
                     command, environment, origin_of (p, "require-confirmation"), expected);
      else if (!g_str_equal (p->confirmation, expected))
        ok = refuse (p, error, "require-confirmation", GANDER_ERROR_CONFIRMATION_REQUIRED,
                     _("`%s` needs confirmation in environment %s: \"%s\" does not match "
                       "the name to confirm with; rerun with --confirm=%s"),
                     command, environment, p->confirmation, expected);
    }

  /* The breaker counts migration runs: a dry run is not one, and the
   * read-only and repair commands stay possible while it is open (they
   * are how a human looks and fixes). */
  if (ok && !p->dry_run && operation_kind (p->operation) == KIND_MIGRATE &&
      p->breaker != NULL &&
      !(take_trial ? gander_circuit_breaker_allow (p->breaker, error)
                   : gander_circuit_breaker_peek (p->breaker, error)))
    {
      g_free (p->refused_rule);
      p->refused_rule = g_strdup ("circuit-breaker");
      ok = FALSE;
    }

  if (!ok && rule != NULL)
    *rule = p->refused_rule;
  return ok;
}

static gboolean
step_policy (GanderPipeline  *p,
             GError         **error)
{
  Kind kind = operation_kind (p->operation);

  if (!gander_pipeline_check_rules (p, TRUE, NULL, error))
    return FALSE;

  /* A `running` marker: a NO TRANSACTION migration stopped half-way. Only
   * a human may decide what it did; every change but clear-dirty waits. */
  if ((kind == KIND_MIGRATE || kind == KIND_REPAIR) && versioning (p))
    {
      if (!read_status (p, error))
        return FALSE;
      gander_run_report_set_from_version (p->report, status_max_applied (p->status));
      for (guint i = 0; i < p->status->len && p->operation != GANDER_OPERATION_CLEAR_DIRTY; i++)
        {
          GanderMigrationStatus *s = g_ptr_array_index (p->status, i);
          gint64 v = gander_migration_status_get_version (s);

          if (gander_migration_status_get_state (s) != GANDER_MIGRATION_STATE_RUNNING)
            continue;
          return refuse (p, error, "dirty", GANDER_ERROR_DIRTY,
                         _("migration %" PRId64 " (%s) is marked running: a NO TRANSACTION "
                           "migration was interrupted and may be half applied, so `%s` "
                           "is refused. Check what it did, then run `gander repair "
                           "clear-dirty %" PRId64 "` (with --mark-applied if it completed)"),
                         v, gander_migration_status_get_name (s),
                         gander_operation_to_string (p->operation), v);
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* validate                                                            */

static GanderError
issue_error_code (GanderValidationIssue *issue)
{
  switch (gander_validation_issue_get_kind (issue))
    {
    case GANDER_ISSUE_KIND_INVALID_FILENAME:
      return GANDER_ERROR_INVALID_FILENAME;
    case GANDER_ISSUE_KIND_DUPLICATE_VERSION:
      return GANDER_ERROR_DUPLICATE_VERSION;
    case GANDER_ISSUE_KIND_READ_ERROR:
    case GANDER_ISSUE_KIND_NOT_REGULAR_FILE:
      return GANDER_ERROR_IO;
    case GANDER_ISSUE_KIND_PARSE_ERROR:
    default:
      return GANDER_ERROR_PARSE;
    }
}

static char *
issue_to_string (GanderValidationIssue *issue)
{
  const char *path = gander_validation_issue_get_path (issue);
  guint line = gander_validation_issue_get_line (issue);
  const char *message = gander_validation_issue_get_message (issue);

  /* most messages name their file already */
  if (path == NULL || g_str_has_prefix (message, path))
    return g_strdup (message);
  if (line > 0)
    return g_strdup_printf ("%s:%u: %s", path, line, message);
  return g_strdup_printf ("%s: %s", path, message);
}

static gboolean
step_validate (GanderPipeline  *p,
               GError         **error)
{
  GanderPolicyLevel drift = gander_profile_get_checksum_drift (p->profile);
  const char *environment = gander_profile_get_environment (p->profile);
  gboolean whole = p->operation == GANDER_OPERATION_VALIDATE;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) first = NULL;   /* VALIDATE: the first problem found */
  guint n_errors = 0;

  /* The files. What a migration run executes is parsed again by the plan
   * (from the cache); the other files matter as much as the environment
   * says checksum drift does: a strict environment refuses a broken set. */
  if (whole || drift != GANDER_POLICY_LEVEL_IGNORE)
    {
      GanderSource *source = gander_migrator_get_source (p->migrator);

      issues = gander_source_validate (source,
                                       whole ? GANDER_VALIDATE_FLAGS_NONE
                                             : GANDER_VALIDATE_FLAGS_ERRORS_ONLY,
                                       p->run_cancellable, error);
      if (issues == NULL)
        return FALSE;
      for (guint i = 0; i < issues->len; i++)
        {
          GanderValidationIssue *issue = g_ptr_array_index (issues, i);
          g_autofree char *text = issue_to_string (issue);

          if (gander_validation_issue_get_severity (issue) == GANDER_ISSUE_SEVERITY_ERROR)
            {
              n_errors++;
              if (first == NULL)
                first = g_error_new_literal (GANDER_ERROR, issue_error_code (issue), text);
            }
          warn (p, text);
        }
      if (!whole && n_errors > 0 && drift == GANDER_POLICY_LEVEL_ERROR)
        return refuse (p, error, "validation", first->code,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "%u problem in the migration files refuses the run in "
                                    "environment %s (checksum-drift=error, from %s); first: "
                                    "%s. Run `gander validate` to see every problem",
                                    "%u problems in the migration files refuse the run in "
                                    "environment %s (checksum-drift=error, from %s); first: "
                                    "%s. Run `gander validate` to see every problem",
                                    n_errors),
                       n_errors, environment, origin_of (p, "checksum-drift"),
                       first->message);
    }

  if (!versioning (p))
    goto out;
  if (!read_status (p, error))
    return FALSE;
  gander_run_report_set_from_version (p->report, status_max_applied (p->status));

  /* Missing migrations: what goose's up refuses, named as a rule. */
  if (whole || operation_is_up (p->operation))
    {
      gint64 max = status_max_applied (p->status);
      gboolean allowed = p->settings.allow_missing ||
                         gander_migrator_get_allow_missing (p->migrator) ||
                         gander_profile_get_allow_missing (p->profile);
      g_autoptr(GArray) missing = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < p->status->len; i++)
        {
          GanderMigrationStatus *s = g_ptr_array_index (p->status, i);
          gint64 v = gander_migration_status_get_version (s);

          if (gander_migration_status_get_state (s) == GANDER_MIGRATION_STATE_PENDING && v < max)
            g_array_append_val (missing, v);
        }
      if (missing->len > 0 && !allowed)
        {
          g_autofree char *list = format_versions (missing);
          g_autofree char *message =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u missing migration older than the database's "
                                          "version %" PRId64 ": %s. Apply it out of order with "
                                          "--allow-missing (allow-missing=true in the profile), "
                                          "or check why it was skipped",
                                          "%u missing migrations older than the database's "
                                          "version %" PRId64 ": %s. Apply them out of order with "
                                          "--allow-missing (allow-missing=true in the profile), "
                                          "or check why they were skipped",
                                          missing->len),
                             missing->len, max, list);

          if (!whole)
            return refuse (p, error, "missing-migrations",
                           GANDER_ERROR_MISSING_MIGRATIONS, "%s", message);
          warn (p, message);
          if (first == NULL)
            first = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS, message);
        }
    }

  /* Checksum drift: an applied file edited since. */
  if (drift != GANDER_POLICY_LEVEL_IGNORE)
    for (guint i = 0; i < p->status->len; i++)
      {
        GanderMigrationStatus *s = g_ptr_array_index (p->status, i);
        gint64 v = gander_migration_status_get_version (s);
        g_autofree char *message = NULL;

        if (!gander_migration_status_get_modified (s))
          continue;
        message = g_strdup_printf (_("migration %" PRId64 " (%s) changed since it was "
                                     "applied (checksum drift, checksum-drift=%s in "
                                     "environment %s): restore the file, or if the change "
                                     "is intended run `gander repair accept-checksum "
                                     "%" PRId64 "`"),
                                   v, gander_migration_status_get_name (s),
                                   drift == GANDER_POLICY_LEVEL_ERROR ? "error" : "warn",
                                   environment, v);
        if (drift == GANDER_POLICY_LEVEL_ERROR)
          {
            if (!whole)
              return refuse (p, error, "checksum-drift", GANDER_ERROR_POLICY_DENIED,
                             "%s", message);
            if (first == NULL)
              first = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_POLICY_DENIED, message);
          }
        warn (p, message);
      }

out:
  if (whole && first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* plan                                                                */

static gboolean
step_plan (GanderPipeline  *p,
           GError         **error)
{
  const char * const *warnings;
  guint n_steps;

  if (gander_profile_get_unknown_target (p->profile) == GANDER_POLICY_LEVEL_ERROR)
    p->settings.strict_targets = TRUE;

  if (database_absent (p))
    {
      /* the plan of an empty database, without creating its file */
      g_auto(GanderDbState) state = { 0, };
      GanderPlanOptions options = { 0, };
      g_autofree char *side_table =
        gander_database_dup_side_table_name (gander_migrator_get_database (p->migrator));

      gander_db_state_init (&state, FALSE, NULL, NULL);
      options.allow_missing = p->settings.allow_missing ||
                              gander_migrator_get_allow_missing (p->migrator);
      options.no_versioning = !versioning (p);
      options.strict_targets = p->settings.strict_targets ||
                               gander_migrator_get_strict_targets (p->migrator);
      options.side_table = side_table;
      p->plan = gander_planner_build (&state, gander_migrator_get_source (p->migrator),
                                      &options, plan_operation (p->operation),
                                      p->target < 0 ? 0 : p->target);
    }
  else
    /* planning reads the state: as safe to repeat as any read */
    for (guint attempt = 1; p->plan == NULL; attempt++)
      {
        g_autoptr(GError) local_error = NULL;

        p->plan = gander_migrator_plan_with (p->migrator, plan_operation (p->operation),
                                             p->target < 0 ? 0 : p->target, &p->settings,
                                             p->signal_context, p->run_cancellable,
                                             &local_error);
        if (p->plan == NULL && !retry_read (p, attempt, local_error, error))
          return FALSE;
      }
  if (p->plan == NULL)
    return FALSE;
  gander_run_report_set_plan (p->report, p->plan);
  gander_run_report_set_from_version (p->report, gander_plan_get_current_version (p->plan));
  gander_run_report_set_to_version (p->report, gander_plan_get_current_version (p->plan));

  warnings = gander_plan_get_warnings (p->plan);
  for (guint i = 0; warnings[i] != NULL; i++)
    warn (p, warnings[i]);
  if (p->on_plan != NULL)
    p->on_plan (p, p->plan, p->user_data);

  if (!gander_plan_get_can_run (p->plan))
    {
      const GError *plan_error = gander_plan_get_error (p->plan);

      if (plan_error != NULL && g_error_matches (plan_error, GANDER_ERROR, GANDER_ERROR_DIRTY))
        p->refused_rule = g_strdup ("dirty");
      else if (plan_error != NULL &&
               g_error_matches (plan_error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS))
        p->refused_rule = g_strdup ("missing-migrations");
      return gander_plan_check (p->plan, error);
    }

  n_steps = gander_plan_get_n_steps (p->plan);
  if (p->auto_migrate && !gander_profile_get_auto_migrate (p->profile))
    {
      g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autofree char *list = NULL;
      const char *profile_name = gander_profile_get_name (p->profile);

      if (n_steps == 0)
        {
          p->done = TRUE;     /* nothing pending: nothing to refuse */
          return TRUE;
        }
      for (guint i = 0; i < n_steps; i++)
        {
          gint64 v = gander_plan_step_get_version (gander_plan_get_step (p->plan, i));
          g_array_append_val (pending, v);
        }
      list = format_versions (pending);
      return refuse (p, error, "auto-migrate", GANDER_ERROR_POLICY_DENIED,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%u migration is pending (%s), and environment %s does "
                                  "not apply migrations automatically (auto-migrate, from "
                                  "%s): apply it with `gander%s%s up`",
                                  "%u migrations are pending (%s), and environment %s does "
                                  "not apply migrations automatically (auto-migrate, from "
                                  "%s): apply them with `gander%s%s up`",
                                  n_steps),
                     n_steps, list, gander_profile_get_environment (p->profile),
                     origin_of (p, "auto-migrate"),
                     profile_name != NULL ? " --profile " : " DRIVER DBSTRING",
                     profile_name != NULL ? profile_name : "");
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* lint                                                                */

/* A finding about the section a plan step runs: the findings of that
 * direction; for an Up step also `missing-down` (the rollback of what is
 * being applied would do nothing), which the linter files under Down. */
static gboolean
finding_concerns_step (GanderLintFinding *finding,
                       GanderDirection    direction)
{
  gboolean missing_down = g_str_equal (gander_lint_finding_get_rule (finding), "missing-down");

  if (direction == GANDER_DIRECTION_UP)
    return missing_down || gander_lint_finding_get_direction (finding) == GANDER_DIRECTION_UP;
  return !missing_down && gander_lint_finding_get_direction (finding) == direction;
}

static char *
finding_where (GanderLintFinding *finding)
{
  guint line = gander_lint_finding_get_line (finding);

  if (line > 0)
    return g_strdup_printf ("%s:%u", gander_lint_finding_get_file (finding), line);
  return g_strdup (gander_lint_finding_get_file (finding));
}

const char *
gander_pipeline_lint_severity_label (GanderLintFinding *finding)
{
  return gander_lint_finding_get_severity (finding) == GANDER_LINT_SEVERITY_ERROR
    ? "error" : "warning";
}

static gboolean
finding_is_error (GanderLintFinding *finding)
{
  return !gander_lint_finding_get_suppressed (finding) &&
         gander_lint_finding_get_severity (finding) == GANDER_LINT_SEVERITY_ERROR;
}

/* The migrations the plan runs, each in the direction it runs them. With
 * lint=error an error-severity finding refuses the run (nothing has been
 * written: the plan only read); every other finding not silenced by a
 * gander:lint-ignore comment is a warning of the run. */
static gboolean
step_lint (GanderPipeline  *p,
           GError         **error)
{
  GanderDatabase *database = gander_migrator_get_database (p->migrator);
  GanderLintMode mode = gander_profile_get_lint (p->profile);
  const char *environment = gander_profile_get_environment (p->profile);
  g_autoptr(GanderLinter) linter = NULL;
  GanderLintFinding *first_error = NULL;
  GanderLintDialect dialect;
  guint n_errors = 0;
  guint n = gander_plan_get_n_steps (p->plan);
  GPtrArray *all = gander_run_report_get_lint_findings (p->report);

  if (!gander_lint_dialect_from_string (gander_database_get_dialect (database), &dialect))
    return TRUE;
  if (!gander_lint_dialect_is_available (dialect))
    {
      warnf (p, _("lint skipped: this Gander was built without libpg_query, so it cannot "
                  "lint PostgreSQL migrations (install libpg-query-dev and rebuild with "
                  "-Dlint-postgres=enabled, or set lint=off for environment %s)"),
             environment);
      return TRUE;
    }
  linter = gander_linter_new (dialect);
  if (!gander_linter_apply_profile (linter, p->profile, error))
    return FALSE;
  p->linted = TRUE;

  for (guint i = 0; i < n; i++)
    {
      GanderPlanStep *step = gander_plan_get_step (p->plan, i);
      GanderDirection direction = gander_plan_step_get_direction (step);
      g_autoptr(GPtrArray) findings = NULL;
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (p->run_cancellable, error))
        return FALSE;
      findings = gander_linter_lint_migration (linter, gander_plan_step_get_migration (step),
                                               &local_error);
      if (findings == NULL)
        {
          /* the plan has read the file already: this is unlikely, and
           * the apply step will say it better */
          warnf (p, _("lint of %s skipped: %s"), gander_plan_step_get_name (step),
                 local_error->message);
          continue;
        }
      for (guint k = 0; k < findings->len; k++)
        {
          GanderLintFinding *finding = g_ptr_array_index (findings, k);

          if (!finding_concerns_step (finding, direction))
            continue;
          gander_run_report_add_lint_finding (p->report, finding);
          if (finding_is_error (finding) && first_error == NULL)
            first_error = finding;
          if (finding_is_error (finding))
            n_errors++;
        }
    }

  for (guint i = 0; i < all->len; i++)
    {
      GanderLintFinding *finding = g_ptr_array_index (all, i);
      g_autofree char *where = NULL;

      if (gander_lint_finding_get_suppressed (finding) ||
          (mode == GANDER_LINT_MODE_ERROR && finding == first_error))
        continue;
      where = finding_where (finding);
      if (gander_lint_finding_get_severity (finding) == GANDER_LINT_SEVERITY_ERROR)
        /* TRANSLATORS: file:line, rule id, message */
        warnf (p, _("%s: lint error [%s]: %s"), where, gander_lint_finding_get_rule (finding),
               gander_lint_finding_get_message (finding));
      else
        /* TRANSLATORS: file:line, rule id, message */
        warnf (p, _("%s: lint warning [%s]: %s"), where, gander_lint_finding_get_rule (finding),
               gander_lint_finding_get_message (finding));
    }

  if (mode == GANDER_LINT_MODE_ERROR && first_error != NULL)
    {
      g_autofree char *where = finding_where (first_error);
      const char *rule = gander_lint_finding_get_rule (first_error);
      const char *suggestion = gander_lint_finding_get_suggestion (first_error);

      return refuse (p, error, "lint", GANDER_ERROR_POLICY_DENIED,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%u lint error in the migrations to run refuses the run in "
                                  "environment %s (lint=error, from %s); nothing was changed. "
                                  "%s: [%s] %s. Fix: %s. Or, if the statement is right, put "
                                  "`-- gander:lint-ignore %s REASON` on the line before it, or "
                                  "set lint-warn=%s (or lint=warn) for environment %s. "
                                  "`gander lint` lists every finding",
                                  "%u lint errors in the migrations to run refuse the run in "
                                  "environment %s (lint=error, from %s); nothing was changed. "
                                  "First: %s: [%s] %s. Fix: %s. Or, if the statement is right, "
                                  "put `-- gander:lint-ignore %s REASON` on the line before it, "
                                  "or set lint-warn=%s (or lint=warn) for environment %s. "
                                  "`gander lint` lists every finding",
                                  n_errors),
                     n_errors, environment, origin_of (p, "lint"), where, rule,
                     gander_lint_finding_get_message (first_error),
                     suggestion != NULL ? suggestion : _("see docs/lint.md"),
                     rule, rule, environment);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The run lock                                                        */

/* The pipeline holds the run lock from the backup step until finish, so
 * that no other runner changes the database between the copy and the
 * migrations (the migrator's own lock nests inside). A connection lost
 * meanwhile took the lock with it: it is taken again before the next
 * attempt. */
static gboolean
take_run_lock (GanderPipeline  *p,
               GError         **error)
{
  GanderDatabase *database = gander_migrator_get_database (p->migrator);

  if (p->holds_lock && gander_database_holds_lock (database))
    return TRUE;
  if (!gander_database_open (database, p->run_cancellable, error) ||
      !gander_database_lock (database, p->run_cancellable, error))
    return FALSE;
  p->holds_lock = TRUE;
  return TRUE;
}

static void
release_run_lock (GanderPipeline *p)
{
  GanderDatabase *database = gander_migrator_get_database (p->migrator);
  g_autoptr(GError) error = NULL;

  if (!p->holds_lock)
    return;
  p->holds_lock = FALSE;
  /* closed since (a lost connection): the lock went with it */
  if (!gander_database_holds_lock (database))
    return;
  if (!gander_database_unlock (database, &error))
    warnf (p, _("could not release the run lock: %s"), error->message);
}

/* ------------------------------------------------------------------ */
/* Health checks                                                       */

static gboolean
health_wanted (GanderPipeline    *p,
               GanderHealthPhase  phase)
{
  g_auto(GStrv) names = phase == GANDER_HEALTH_PHASE_BEFORE
    ? gander_profile_get_health_before (p->profile)
    : gander_profile_get_health_after (p->profile);

  return names == NULL || names[0] != NULL;
}

/* Whether a migration run's backup step has something to do: the plan
 * changes something in a database that exists. */
static gboolean
backup_wanted (GanderPipeline *p)
{
  if (gander_profile_get_backup_mode (p->profile) == GANDER_BACKUP_MODE_OFF || p->dry_run)
    return FALSE;
  if (p->plan != NULL && gander_plan_get_n_steps (p->plan) == 0)
    return FALSE;
  return !database_absent (p);
}

/* Runs the checks of @phase as the profile sets them up; each result
 * goes into the report, each failure into the audit log. */
static GPtrArray *
run_health (GanderPipeline     *p,
            GanderHealthPhase   phase,
            GError            **error)
{
  g_autoptr(GanderHealth) health = gander_health_new (p->migrator);
  g_auto(GStrv) checks = NULL;
  g_auto(GStrv) queries = gander_profile_get_post_check_sql (p->profile);
  GPtrArray *results;

  if (phase == GANDER_HEALTH_PHASE_BEFORE)
    checks = gander_profile_get_health_before (p->profile);
  else if (phase == GANDER_HEALTH_PHASE_AFTER)
    checks = gander_profile_get_health_after (p->profile);
  gander_health_set_checks (health, (const char * const *) checks);
  gander_health_set_allow_missing (health, p->settings.allow_missing ||
                                           gander_profile_get_allow_missing (p->profile));
  gander_health_set_free_space_factor (health,
                                       gander_profile_get_free_space_factor (p->profile));
  gander_health_set_post_check_sql (health, (const char * const *) queries);
  /* the thorough check where backups are verified thoroughly */
  gander_health_set_integrity (health, gander_profile_get_backup_verify (p->profile) ==
                                       GANDER_BACKUP_VERIFY_FULL);
  if (p->plan != NULL)
    gander_health_set_plan (health, p->plan);
  /* the backup about to be taken needs room too */
  if (phase == GANDER_HEALTH_PHASE_BEFORE && p->backup_store != NULL && backup_wanted (p))
    gander_health_set_backup_directory (health, gander_backup_get_directory (p->backup_store));
  /* on demand: the room the next run's backup needs, where backups are on */
  else if (phase == GANDER_HEALTH_PHASE_ANY && p->backup_store != NULL &&
           gander_profile_get_backup_mode (p->profile) != GANDER_BACKUP_MODE_OFF)
    gander_health_set_backup_directory (health, gander_backup_get_directory (p->backup_store));

  results = gander_health_run (health, phase, p->run_cancellable, error);
  if (results == NULL)
    return NULL;
  for (guint i = 0; i < results->len; i++)
    gander_run_report_add_health (p->report, g_ptr_array_index (results, i));
  gander_pipeline_audit_health (p, results);
  return results;
}

/* "name: message; name: message" of the results with @status */
static char *
describe_results (GPtrArray          *results,
                  GanderHealthStatus  status,
                  guint              *n)
{
  GString *text = g_string_new (NULL);

  *n = 0;
  for (guint i = 0; i < results->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (results, i);

      if (gander_health_result_get_status (r) != status)
        continue;
      g_string_append_printf (text, "%s%s: %s", (*n)++ > 0 ? "; " : "",
                              gander_health_result_get_name (r),
                              gander_health_result_get_message (r));
    }
  return g_string_free (text, FALSE);
}

static void
warn_results (GanderPipeline     *p,
              GPtrArray          *results,
              GanderHealthStatus  status,
              const char         *when)
{
  for (guint i = 0; i < results->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (results, i);

      if (gander_health_result_get_status (r) != status)
        continue;
      if (status == GANDER_HEALTH_STATUS_FAIL)
        /* TRANSLATORS: check name, "before the run" or "after the run", message */
        warnf (p, _("health check %s failed %s: %s"), gander_health_result_get_name (r),
               when, gander_health_result_get_message (r));
      else
        warnf (p, _("health check %s warns %s: %s"), gander_health_result_get_name (r),
               when, gander_health_result_get_message (r));
    }
}

static gboolean
step_health_pre (GanderPipeline  *p,
                 GError         **error)
{
  GanderHealthRefuse level = gander_profile_get_health_before_refuse (p->profile);
  const char *environment = gander_profile_get_environment (p->profile);
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *warned = NULL;
  guint n_failed, n_warned;

  results = run_health (p, GANDER_HEALTH_PHASE_BEFORE, error);
  if (results == NULL)
    return FALSE;
  failed = describe_results (results, GANDER_HEALTH_STATUS_FAIL, &n_failed);
  warned = describe_results (results, GANDER_HEALTH_STATUS_WARN, &n_warned);

  if (n_failed > 0 && level != GANDER_HEALTH_REFUSE_NEVER)
    return refuse (p, error, "health-pre", GANDER_ERROR_HEALTH_CHECK,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u health check failed before the run, so it is refused "
                                "in environment %s (health-before-refuse=%s, from %s); "
                                "nothing was changed. %s. Fix it and run again "
                                "(`gander health` repeats the checks)",
                                "%u health checks failed before the run, so it is refused "
                                "in environment %s (health-before-refuse=%s, from %s); "
                                "nothing was changed. %s. Fix them and run again "
                                "(`gander health` repeats the checks)",
                                n_failed),
                   n_failed, environment, gander_profile_get (p->profile, "health-before-refuse"),
                   origin_of (p, "health-before-refuse"), failed);
  if (n_warned > 0 && level == GANDER_HEALTH_REFUSE_WARN)
    return refuse (p, error, "health-pre", GANDER_ERROR_HEALTH_CHECK,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u health check warns before the run, and environment %s "
                                "refuses a run on a warning (health-before-refuse=warn, "
                                "from %s); nothing was changed. %s. Fix it, or set "
                                "health-before-refuse=fail for this run's environment",
                                "%u health checks warn before the run, and environment %s "
                                "refuses a run on a warning (health-before-refuse=warn, "
                                "from %s); nothing was changed. %s. Fix them, or set "
                                "health-before-refuse=fail for this run's environment",
                                n_warned),
                   n_warned, environment, origin_of (p, "health-before-refuse"), warned);

  warn_results (p, results, GANDER_HEALTH_STATUS_FAIL, _("before the run"));
  warn_results (p, results, GANDER_HEALTH_STATUS_WARN, _("before the run"));
  return TRUE;
}

static gboolean
step_health_post (GanderPipeline  *p,
                  GError         **error)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *failed = NULL;
  guint n_failed;

  results = run_health (p, GANDER_HEALTH_PHASE_AFTER, error);
  if (results == NULL)
    return FALSE;
  warn_results (p, results, GANDER_HEALTH_STATUS_WARN, _("after the run"));
  failed = describe_results (results, GANDER_HEALTH_STATUS_FAIL, &n_failed);
  if (n_failed == 0)
    return TRUE;
  if (!gander_profile_get_health_after_fail_run (p->profile))
    {
      warn_results (p, results, GANDER_HEALTH_STATUS_FAIL, _("after the run"));
      return TRUE;
    }
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_HEALTH_CHECK,
               g_dngettext (GETTEXT_PACKAGE,
                            "%u health check failed after the migrations were applied, "
                            "which fails the run in environment %s (health-after-fail=error, "
                            "from %s): %s. Check the database; a backup taken before the "
                            "run can be restored with `gander restore`",
                            "%u health checks failed after the migrations were applied, "
                            "which fails the run in environment %s (health-after-fail=error, "
                            "from %s): %s. Check the database; a backup taken before the "
                            "run can be restored with `gander restore`",
                            n_failed),
               n_failed, gander_profile_get_environment (p->profile),
               origin_of (p, "health-after-fail"), failed);
  return FALSE;
}

/* The health operation: every check that needs no run. */
static gboolean
step_health (GanderPipeline  *p,
             GError         **error)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *failed = NULL;
  guint n_failed;

  results = run_health (p, GANDER_HEALTH_PHASE_ANY, error);
  if (results == NULL)
    return FALSE;
  warn_results (p, results, GANDER_HEALTH_STATUS_WARN, _("now"));
  failed = describe_results (results, GANDER_HEALTH_STATUS_FAIL, &n_failed);
  if (n_failed == 0)
    return TRUE;
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_HEALTH_CHECK,
               g_dngettext (GETTEXT_PACKAGE, "%u health check failed: %s",
                            "%u health checks failed: %s", n_failed),
               n_failed, failed);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Backups                                                             */

static gboolean
need_store (GanderPipeline  *p,
            GError         **error)
{
  if (p->backup_store != NULL)
    return TRUE;
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
               _("`%s` needs a backup store, and this run has none"),
               gander_operation_to_string (p->operation));
  return FALSE;
}

/* Whether the open (or openable) database holds a table of its own:
 * SQLite outside sqlite_*, PostgreSQL outside the system schemas. */
static gboolean
has_user_tables (GanderDatabase  *database,
                 GCancellable    *cancellable,
                 gboolean        *out_has,
                 GError         **error)
{
  if (!gander_database_is_open (database) &&
      !gander_database_open (database, cancellable, error))
    return FALSE;

  if (GANDER_IS_SQLITE_DATABASE (database))
    {
      sqlite3 *db = gander_sqlite_database_get_handle (GANDER_SQLITE_DATABASE (database));
      sqlite3_stmt *stmt = NULL;
      int rc;

      rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                   "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' LIMIT 1",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("cannot list the tables of %s: %s"),
                       gander_database_get_dsn (database), sqlite3_errmsg (db));
          sqlite3_finalize (stmt);
          return FALSE;
        }
      *out_has = rc == SQLITE_ROW;
      sqlite3_finalize (stmt);
      return TRUE;
    }
  if (GANDER_IS_POSTGRES_DATABASE (database))
    {
      PGresult *res = gander_postgres_database_query (
        GANDER_POSTGRES_DATABASE (database),
        "SELECT 1 FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' LIMIT 1",
        0, NULL, cancellable, error);

      if (res == NULL)
        return FALSE;
      *out_has = PQntuples (res) > 0;
      PQclear (res);
      return TRUE;
    }
  *out_has = TRUE;
  return TRUE;
}

/* What gander_backup_prune() would remove, removing nothing (a dry run):
 * the same rule — beyond the newest @keep or older than @max_age, never
 * the newest verified one (or, with none verified, the newest). */
static GPtrArray *
prune_selection (GanderBackup  *store,
                 guint          keep,
                 GTimeSpan      max_age,
                 GError       **error)
{
  g_autoptr(GPtrArray) list = gander_backup_list (store, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GPtrArray *selected;
  GanderBackupInfo *protected = NULL;

  if (list == NULL)
    return NULL;
  for (guint i = 0; i < list->len && protected == NULL; i++)
    if (gander_backup_info_get_verified (g_ptr_array_index (list, i)))
      protected = g_ptr_array_index (list, i);
  if (protected == NULL && list->len > 0)
    protected = g_ptr_array_index (list, 0);

  selected = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < list->len; i++)
    {
      GanderBackupInfo *info = g_ptr_array_index (list, i);
      gboolean beyond_keep = keep > 0 && i >= keep;
      gboolean too_old = max_age > 0 &&
        g_date_time_difference (now, gander_backup_info_get_created_at (info)) > max_age;

      if (info != protected && (beyond_keep || too_old))
        g_ptr_array_add (selected, g_object_ref (info));
    }
  return selected;
}

static gboolean
step_backup (GanderPipeline  *p,
             GError         **error)
{
  gboolean migrating = operation_kind (p->operation) == KIND_MIGRATE;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!need_store (p, error))
    return FALSE;
  if (!migrating && database_absent (p))
    {
      g_autofree char *path =
        gander_database_dup_sqlite_path (gander_migrator_get_database (p->migrator));

      /* opening it would create an empty one */
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                   _("the database file %s does not exist: there is nothing to back up"),
                   path);
      return FALSE;
    }
  /* from here until finish nobody else migrates this database */
  if (migrating && !take_run_lock (p, error))
    return FALSE;
  if (migrating)
    {
      GanderDatabase *database = gander_migrator_get_database (p->migrator);
      g_autoptr(GError) tables_error = NULL;
      gboolean has_tables = TRUE;

      /* nothing to lose: a database file that does not exist yet, or one
       * without a single table of its own. A database with data but no
       * version table (goose never ran here, or the table was dropped) is
       * backed up like any other. */
      if (database_absent (p) ||
          (has_user_tables (database, p->run_cancellable, &has_tables, &tables_error) &&
           !has_tables))
        {
          g_debug ("no backup: %s holds no table yet", gander_database_get_dsn (database));
          return TRUE;
        }
      if (tables_error != NULL && gander_error_is_cancelled (tables_error))
        {
          g_propagate_error (error, g_steal_pointer (&tables_error));
          return FALSE;
        }
      /* any other error: the backup itself says what is wrong */
    }
  else if (p->dry_run)
    {
      g_autofree char *what = gander_database_dup_display_dsn (gander_migrator_get_database (p->migrator));

      /* a dry run takes nothing: it says what would be taken */
      warnf (p, _("dry run: a backup of %s would be written to %s"), what,
             gander_backup_get_directory (p->backup_store));
      return TRUE;
    }

  info = gander_backup_create_full (p->backup_store, p->signal_context, p->run_cancellable,
                                    &local_error);
  if (info == NULL)
    {
      if (!migrating || gander_error_is_cancelled (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (gander_profile_get_backup_mode (p->profile) == GANDER_BACKUP_MODE_REQUIRED)
        return refuse (p, error, "backup", GANDER_ERROR_BACKUP,
                       _("environment %s takes a verified backup before a migration run "
                         "(backup=required, from %s), and it failed, so the run is refused "
                         "and nothing was changed: %s. Fix the cause and run again, or, "
                         "if a run without a backup is acceptable, use --backup=optional"),
                       gander_profile_get_environment (p->profile),
                       origin_of (p, "backup"), local_error->message);
      warnf (p, _("the backup before the run failed (backup=optional, from %s): %s; "
                  "the run goes on without one"),
             origin_of (p, "backup"), local_error->message);
      return TRUE;
    }
  gander_run_report_set_backup (p->report, info);
  p->backup_taken = TRUE;
  gander_pipeline_audit_backup (p, info);
  return TRUE;
}

static gboolean
step_restore (GanderPipeline  *p,
              GError         **error)
{
  g_autoptr(GanderBackupInfo) info = NULL;

  if (!need_store (p, error))
    return FALSE;
  if (p->backup_id == NULL || p->backup_id[0] == '\0')
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("`restore` needs the id of the backup to restore (or “latest”): "
                     "`gander backups` lists them"));
      return FALSE;
    }
  info = gander_backup_lookup (p->backup_store, p->backup_id, error);
  if (info == NULL)
    return FALSE;
  gander_run_report_set_backup (p->report, info);
  if (!database_absent (p))
    {
      gint64 v = gander_migrator_get_db_version_in (p->migrator, p->signal_context,
                                                    p->run_cancellable, NULL);

      if (v >= 0)
        gander_run_report_set_from_version (p->report, v);
    }

  if (p->dry_run)
    {
      /* the backup in the report is the one a confirmed run restores;
       * nothing is written */
      warnf (p, _("dry run: backup %s (version %" PRId64 ") would be restored; "
                  "nothing was changed"),
             gander_backup_info_get_id (info), gander_backup_info_get_version (info));
      return TRUE;
    }
  gander_pipeline_audit_start (p);
  if (!gander_backup_restore_full (p->backup_store, info, p->signal_context,
                                   p->run_cancellable, error))
    {
      read_version_after (p);
      return FALSE;
    }
  /* the migrator's idea of the database was of the one replaced */
  gander_migrator_refresh_in (p->migrator, p->signal_context, NULL, NULL);
  read_version_after (p);
  return TRUE;
}

static gboolean
step_prune (GanderPipeline  *p,
            GError         **error)
{
  g_autoptr(GPtrArray) removed = NULL;

  if (!need_store (p, error))
    return FALSE;
  if (p->dry_run)
    removed = prune_selection (p->backup_store,
                               gander_profile_get_backup_keep (p->profile),
                               gander_profile_get_backup_max_age (p->profile), error);
  else
    removed = gander_backup_prune (p->backup_store,
                                   gander_profile_get_backup_keep (p->profile),
                                   gander_profile_get_backup_max_age (p->profile), error);
  if (removed == NULL)
    return FALSE;
  for (guint i = 0; i < removed->len; i++)
    gander_run_report_add_pruned (p->report, g_ptr_array_index (removed, i));
  return TRUE;
}

/* After a successful migration run that took a backup. A failure is a
 * warning: the run itself succeeded. */
static void
prune_after_run (GanderPipeline *p)
{
  g_autoptr(GError) error = NULL;

  if (!step_prune (p, &error))
    warnf (p, _("could not prune old backups after the run: %s"), error->message);
}

/* ------------------------------------------------------------------ */
/* apply                                                               */

static void
add_results (GanderPipeline *p,
             GPtrArray      *results)
{
  for (guint i = 0; results != NULL && i < results->len; i++)
    gander_run_report_add_result (p->report, g_ptr_array_index (results, i));
}

static void
read_version_after (GanderPipeline *p)
{
  gint64 version;

  if (!versioning (p))
    return;
  /* the version the run left, whatever happened: one short query (a
   * database that cannot be read now keeps the last one known) */
  version = gander_migrator_get_db_version_in (p->migrator, p->signal_context, NULL, NULL);
  if (version >= 0)
    gander_run_report_set_to_version (p->report, version);
}

static gboolean
apply_migrations (GanderPipeline  *p,
                  GError         **error)
{
  GanderRetryPolicy policy = { 0, };
  GanderPlanOperation op = plan_operation (p->operation);
  gint64 target = p->target < 0 ? 0 : p->target;

  get_retry_policy (p, &policy);

  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GPtrArray) attempted = NULL;
      g_autofree char *delay_text = NULL;
      const char *reason;
      GTimeSpan delay;

      results = gander_migrator_execute (p->migrator, op, target, &p->settings,
                                         p->signal_context, p->run_cancellable,
                                         &local_error);
      attempted = results != NULL ? g_ptr_array_ref (results)
                                  : gander_migrator_get_last_results (p->migrator);
      add_results (p, attempted);
      if (results != NULL)
        {
          read_version_after (p);
          return TRUE;
        }

      reason = gander_retry_reason (local_error);
      if (reason == NULL || attempt >= policy.max_attempts ||
          !gander_retry_attempt_may_retry (local_error, attempted,
                                           operation_is_relative (p->operation)))
        {
          read_version_after (p);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* It would be tried again, but the run was cancelled or hit its
       * deadline after the attempt failed on its own (a lock wait that
       * ended just before the deadline): the cancellation ended the run,
       * so a deadline reports a timeout, not this attempt's error. */
      if (g_cancellable_is_cancelled (p->run_cancellable))
        {
          read_version_after (p);
          set_retry_cancelled (error, attempt, &policy, local_error);
          return FALSE;
        }

      /* A lost connection is not used again: the next attempt connects
       * anew (the server rolled back what the session had not committed,
       * and released its lock). */
      if (g_error_matches (local_error, GANDER_ERROR, GANDER_ERROR_CONNECTION))
        gander_database_close (gander_migrator_get_database (p->migrator));

      /* Nothing of the attempt remains: wait, then plan again from the
       * database's state (a target operation continues where it is) */
      delay = gander_retry_policy_delay (&policy, attempt, NULL);
      delay_text = format_delay (delay);
      warnf (p, _("attempt %u of %u failed (%s): %s; retrying in %s"),
             attempt, policy.max_attempts, reason, local_error->message, delay_text);
      gander_run_report_add_retry (p->report);
      gander_pipeline_count_retry (p, reason);
      if (!gander_database_sleep (p->run_cancellable, delay))
        {
          read_version_after (p);
          set_retry_cancelled (error, attempt, &policy, local_error);
          return FALSE;
        }
      /* the connection closed above took the run's lock with it */
      if (p->holds_lock && !take_run_lock (p, error))
        {
          read_version_after (p);
          return FALSE;
        }
    }
}

static gboolean
step_apply (GanderPipeline  *p,
            GError         **error)
{
  Kind kind = operation_kind (p->operation);

  /* from here on the database may change: the audit log says who began */
  if (kind == KIND_MIGRATE)
    gander_pipeline_audit_start (p);

  switch (kind)
    {
    case KIND_MIGRATE:
      return apply_migrations (p, error);

    case KIND_READ:
      if (p->operation == GANDER_OPERATION_STATUS)
        {
          if (!read_status (p, error))
            return FALSE;
          if (versioning (p))
            {
              gint64 v = status_max_applied (p->status);

              gander_run_report_set_from_version (p->report, v);
              gander_run_report_set_to_version (p->report, v);
            }
        }
      else
        {
          gint64 v = read_db_version (p, error);

          if (v < 0)
            return FALSE;
          gander_run_report_set_from_version (p->report, v);
          gander_run_report_set_to_version (p->report, v);
        }
      return TRUE;

    case KIND_BREAKER:
      if (p->breaker == NULL)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                       _("this database has no circuit breaker to reset"));
          return FALSE;
        }
      return gander_circuit_breaker_reset (p->breaker, error);

    case KIND_REPAIR:
      {
        GanderRepairKind repair = p->operation == GANDER_OPERATION_BASELINE
          ? GANDER_REPAIR_BASELINE
          : p->operation == GANDER_OPERATION_CLEAR_DIRTY
          ? GANDER_REPAIR_CLEAR_DIRTY : GANDER_REPAIR_ACCEPT_CHECKSUM;
        g_autoptr(GPtrArray) recorded = NULL;
        gboolean ok;

        ok = gander_migrator_repair_in (p->migrator, repair, p->target, p->mark_applied,
                                        &p->settings, p->signal_context, &recorded,
                                        p->run_cancellable, error);
        read_version_after (p);
        return ok;
      }

    case KIND_BACKUP:
    case KIND_RESTORE:
    case KIND_HEALTH:
    case KIND_PRUNE:
    case KIND_VALIDATE:
    case KIND_ALL:
    default:
      /* validate has no apply step: never reached */
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                   "`%s` has no apply step", gander_operation_to_string (p->operation));
      return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* finish                                                              */

static void
step_finish (GanderPipeline *p,
             const GError   *error)
{
  GanderRunOutcome outcome;

  if (error == NULL)
    outcome = GANDER_RUN_OUTCOME_OK;
  else if (p->refused_rule != NULL)
    outcome = GANDER_RUN_OUTCOME_REFUSED;
  else if (gander_error_is_cancelled (error))
    outcome = GANDER_RUN_OUTCOME_CANCELLED;
  else
    outcome = GANDER_RUN_OUTCOME_FAILED;

  release_run_lock (p);
  /* old backups go only once a run that took a new one has succeeded */
  if (outcome == GANDER_RUN_OUTCOME_OK && p->backup_taken &&
      operation_kind (p->operation) == KIND_MIGRATE)
    prune_after_run (p);

  /* The breaker learns how migration runs end. Refusals and dry runs ran
   * nothing; a cancelled run says nothing about the database (a cancelled
   * half-open trial is handed back for the next run). A run
   * that hit its deadline failed. */
  if (p->breaker != NULL && operation_kind (p->operation) == KIND_MIGRATE && !p->dry_run &&
      (outcome == GANDER_RUN_OUTCOME_OK || outcome == GANDER_RUN_OUTCOME_FAILED))
    {
      g_autoptr(GError) breaker_error = NULL;
      gboolean recorded = outcome == GANDER_RUN_OUTCOME_OK
        ? gander_circuit_breaker_record_success (p->breaker, &breaker_error)
        : gander_circuit_breaker_record_failure (p->breaker, &breaker_error);

      if (!recorded)
        warnf (p, _("could not record the run in the circuit breaker: %s"),
               breaker_error->message);
    }
  /* a refused or cancelled half-open trial hands the trial back */
  else if (p->breaker != NULL && operation_kind (p->operation) == KIND_MIGRATE && !p->dry_run)
    {
      g_autoptr(GError) breaker_error = NULL;

      if (!gander_circuit_breaker_release_trial (p->breaker, &breaker_error))
        warnf (p, _("could not hand back the circuit breaker's trial run: %s"),
               breaker_error->message);
    }

  if (gander_run_report_get_to_version (p->report) < 0)
    gander_run_report_set_to_version (p->report,
                                      gander_run_report_get_from_version (p->report));
  gander_run_report_finish (p->report, outcome, p->refused_rule, error);
  gander_pipeline_record_metrics (p);
  gander_pipeline_record_audit (p);
}

/* ------------------------------------------------------------------ */
/* Words for the records                                               */

const char *
gander_pipeline_direction_label (GanderDirection direction)
{
  return direction == GANDER_DIRECTION_UP ? "up" : "down";
}

/* The error's code as a word: the GanderError nick (`locked`, `sql`), or
 * `cancelled` */
const char *
gander_pipeline_error_label (const GError *error)
{
  GEnumClass *klass;
  GEnumValue *value;
  const char *nick = "failed";

  if (error == NULL)
    return "none";
  if (gander_error_is_cancelled (error))
    return "cancelled";
  if (error->domain != GANDER_ERROR)
    return nick;
  klass = g_type_class_ref (GANDER_TYPE_ERROR);
  value = g_enum_get_value (klass, error->code);
  if (value != NULL)
    nick = value->value_nick;   /* enum classes live for the process */
  g_type_class_unref (klass);
  return nick;
}

/* ------------------------------------------------------------------ */
/* The run deadline (profile `timeout`)                                */

typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gboolean      stop;
  gint64        deadline;     /* monotonic */
  GCancellable *cancellable;  /* the run's */
  gboolean     *hit;
  GThread      *thread;
} Deadline;

static gpointer
deadline_thread (gpointer data)
{
  Deadline *d = data;
  gboolean fire = FALSE;

  g_mutex_lock (&d->mutex);
  while (!d->stop)
    if (!g_cond_wait_until (&d->cond, &d->mutex, d->deadline))
      {
        fire = !d->stop;
        break;
      }
  g_mutex_unlock (&d->mutex);
  if (fire)
    {
      *d->hit = TRUE;
      g_cancellable_cancel (d->cancellable);
    }
  return NULL;
}

static void
deadline_start (Deadline     *d,
                GTimeSpan     timeout,
                GCancellable *cancellable,
                gboolean     *hit)
{
  memset (d, 0, sizeof *d);
  if (timeout <= 0)
    return;
  g_mutex_init (&d->mutex);
  g_cond_init (&d->cond);
  d->deadline = g_get_monotonic_time () + timeout;
  d->cancellable = cancellable;
  d->hit = hit;
  d->thread = g_thread_new ("gander-deadline", deadline_thread, d);
}

static void
deadline_stop (Deadline *d)
{
  if (d->thread == NULL)
    return;
  g_mutex_lock (&d->mutex);
  d->stop = TRUE;
  g_cond_signal (&d->cond);
  g_mutex_unlock (&d->mutex);
  g_thread_join (d->thread);
  g_mutex_clear (&d->mutex);
  g_cond_clear (&d->cond);
}

static void
cancel_child (GCancellable *parent,
              gpointer      child)
{
  g_cancellable_cancel (G_CANCELLABLE (child));
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

/* Whether step @i runs in this run (asked again as the run goes: the
 * backup step knows only after the plan whether it changes anything). */
static gboolean
step_wanted (GanderPipeline *p,
             guint           i)
{
  Kind kind = operation_kind (p->operation);
  const char *name = steps[i].name;

  if (!(steps[i].kinds & kind) || steps[i].func == NULL)
    return FALSE;
  if (kind != KIND_MIGRATE)
    return TRUE;
  /* a dry run stops after the checks before: no lock, no backup, no write */
  if (p->dry_run && !g_str_equal (name, "policy") && !g_str_equal (name, "validate") &&
      !g_str_equal (name, "plan") && !g_str_equal (name, "lint") &&
      !g_str_equal (name, "health-pre"))
    return FALSE;
  if (g_str_equal (name, "lint"))
    /* before the plan (the run's weights) it may well have work */
    return gander_profile_get_lint (p->profile) != GANDER_LINT_MODE_OFF &&
           (p->plan == NULL || gander_plan_get_n_steps (p->plan) > 0);
  if (g_str_equal (name, "health-pre"))
    /* a database that does not exist yet has nothing to check, and a
     * check must not create its file */
    return health_wanted (p, GANDER_HEALTH_PHASE_BEFORE) && !database_absent (p);
  if (g_str_equal (name, "health-post"))
    return health_wanted (p, GANDER_HEALTH_PHASE_AFTER);
  if (g_str_equal (name, "backup"))
    return backup_wanted (p);
  return TRUE;
}

GanderRunReport *
gander_pipeline_run (GanderPipeline  *p,
                     GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  guint total = FINISH_WEIGHT;
  guint done = 0;
  gulong handler = 0;
  Deadline deadline;

  p->report = gander_run_report_new (gander_operation_to_string (p->operation),
                                     gander_profile_get_name (p->profile),
                                     gander_profile_get_environment (p->profile),
                                     p->dry_run, p->target);

  /* the run's cancellable: the caller's cancel and the deadline both end it */
  p->run_cancellable = g_cancellable_new ();
  if (p->cancellable != NULL)
    handler = g_cancellable_connect (p->cancellable, G_CALLBACK (cancel_child),
                                     g_object_ref (p->run_cancellable), g_object_unref);
  deadline_start (&deadline, p->dry_run ? 0 : gander_profile_get_timeout (p->profile),
                  p->run_cancellable, &p->deadline_hit);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (step_wanted (p, i))
      total += steps[i].weight;

  for (guint i = 0; i < G_N_ELEMENTS (steps) && !p->done; i++)
    {
      if (!step_wanted (p, i))
        continue;
      if (g_cancellable_is_cancelled (p->run_cancellable))
        {
          gander_set_cancelled_error (&local_error, _("cancelled before the %s step"),
                                      steps[i].name);
          break;
        }
      if (p->on_step != NULL)
        p->on_step (p, steps[i].name, (double) done / total,
                    (double) steps[i].weight / total, p->user_data);
      if (!steps[i].func (p, &local_error))
        break;
      done += steps[i].weight;
    }

  deadline_stop (&deadline);
  if (handler != 0)
    g_cancellable_disconnect (p->cancellable, handler);

  /* the deadline ended it, not the caller: a timeout, which is a failure */
  if (local_error != NULL && gander_error_is_cancelled (local_error) && p->deadline_hit &&
      !g_cancellable_is_cancelled (p->cancellable))
    {
      GError *timeout_error =
        g_error_new (GANDER_ERROR, GANDER_ERROR_TIMEOUT,
                     _("the run took longer than its timeout (%s, from %s): %s"),
                     gander_profile_get ( p->profile, "timeout"),
                     origin_of (p, "timeout"), local_error->message);

      g_clear_error (&local_error);
      local_error = timeout_error;
    }

  if (p->on_step != NULL)
    p->on_step (p, "finish", (double) (total - FINISH_WEIGHT) / total,
                (double) FINISH_WEIGHT / total, p->user_data);
  step_finish (p, local_error);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return g_object_ref (p->report);
}
