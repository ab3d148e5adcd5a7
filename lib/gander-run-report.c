/* gander-run-report.c: what one GanderManager run did
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-run-report-private.h"

/**
 * GanderRunReport:
 *
 * The record of one run of a #GanderManager: what was asked (operation,
 * target, dry run), what the pipeline planned and did (plan, one
 * #GanderMigrationResult per migration executed, retries, warnings), how
 * it ended (outcome, error, the rule that refused it) and when.
 *
 * A report is complete and never changes once a manager hands it out:
 * gander_manager_execute() returns it on success, and
 * gander_manager_get_last_report() gives the one of the last run whatever
 * its outcome — a refusal and a failure have a report too.
 *
 * Since: 0.2
 */
struct _GanderRunReport
{
  GObject           parent_instance;

  char             *run_id;
  char             *operation;
  char             *profile;
  char             *environment;
  GanderRunOutcome  outcome;
  gboolean          dry_run;
  GanderPlan       *plan;
  GPtrArray        *results;
  gint64            from_version;
  gint64            to_version;
  gint64            target;
  guint             retries;
  char             *refused_rule;
  GError           *error;
  GPtrArray        *warnings;     /* NULL-terminated */
  GDateTime        *started_at;
  GDateTime        *finished_at;
  gint64            started_mono;
  GTimeSpan         duration;
  GanderBackupInfo *backup;
  GPtrArray        *health;       /* GanderHealthResult */
  GPtrArray        *pruned;       /* GanderBackupInfo */
  GPtrArray        *lint;         /* GanderLintFinding */
};

G_DEFINE_FINAL_TYPE (GanderRunReport, gander_run_report, G_TYPE_OBJECT)

static void
gander_run_report_finalize (GObject *object)
{
  GanderRunReport *self = GANDER_RUN_REPORT (object);

  g_clear_pointer (&self->run_id, g_free);
  g_clear_pointer (&self->operation, g_free);
  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->environment, g_free);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->refused_rule, g_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->finished_at, g_date_time_unref);
  g_clear_object (&self->backup);
  g_clear_pointer (&self->health, g_ptr_array_unref);
  g_clear_pointer (&self->pruned, g_ptr_array_unref);
  g_clear_pointer (&self->lint, g_ptr_array_unref);

  G_OBJECT_CLASS (gander_run_report_parent_class)->finalize (object);
}

static void
gander_run_report_class_init (GanderRunReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gander_run_report_finalize;
}

static void
gander_run_report_init (GanderRunReport *self)
{
  self->results = g_ptr_array_new_with_free_func (g_object_unref);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, NULL);
  self->health = g_ptr_array_new_with_free_func (g_object_unref);
  self->pruned = g_ptr_array_new_with_free_func (g_object_unref);
  self->lint = g_ptr_array_new_with_free_func (g_object_unref);
  self->from_version = -1;
  self->to_version = -1;
  self->target = -1;
}

GanderRunReport *
gander_run_report_new (const char *operation,
                       const char *profile,
                       const char *environment,
                       gboolean    dry_run,
                       gint64      target)
{
  GanderRunReport *self = g_object_new (GANDER_TYPE_RUN_REPORT, NULL);

  self->run_id = g_uuid_string_random ();
  self->operation = g_strdup (operation);
  self->profile = g_strdup (profile);
  self->environment = g_strdup (environment);
  self->dry_run = !!dry_run;
  self->target = target;
  self->started_at = g_date_time_new_now_utc ();
  self->started_mono = g_get_monotonic_time ();
  return self;
}

void
gander_run_report_set_plan (GanderRunReport *self,
                            GanderPlan      *plan)
{
  g_set_object (&self->plan, plan);
}

void
gander_run_report_add_result (GanderRunReport       *self,
                              GanderMigrationResult *result)
{
  g_ptr_array_add (self->results, g_object_ref (result));
}

void
gander_run_report_set_from_version (GanderRunReport *self,
                                    gint64           version)
{
  self->from_version = version;
}

void
gander_run_report_set_to_version (GanderRunReport *self,
                                  gint64           version)
{
  self->to_version = version;
}

void
gander_run_report_add_retry (GanderRunReport *self)
{
  self->retries++;
}

void
gander_run_report_add_warning (GanderRunReport *self,
                               const char      *warning)
{
  g_ptr_array_insert (self->warnings, self->warnings->len - 1, g_strdup (warning));
}

void
gander_run_report_set_backup (GanderRunReport  *self,
                              GanderBackupInfo *backup)
{
  g_set_object (&self->backup, backup);
}

void
gander_run_report_add_health (GanderRunReport    *self,
                              GanderHealthResult *result)
{
  g_ptr_array_add (self->health, g_object_ref (result));
}

void
gander_run_report_add_lint_finding (GanderRunReport   *self,
                                    GanderLintFinding *finding)
{
  g_ptr_array_add (self->lint, g_object_ref (finding));
}

void
gander_run_report_add_pruned (GanderRunReport  *self,
                              GanderBackupInfo *backup)
{
  g_ptr_array_add (self->pruned, g_object_ref (backup));
}

void
gander_run_report_finish (GanderRunReport  *self,
                          GanderRunOutcome  outcome,
                          const char       *refused_rule,
                          const GError     *error)
{
  self->outcome = outcome;
  g_clear_pointer (&self->refused_rule, g_free);
  if (outcome == GANDER_RUN_OUTCOME_REFUSED)
    self->refused_rule = g_strdup (refused_rule);
  g_clear_error (&self->error);
  if (error != NULL && outcome != GANDER_RUN_OUTCOME_OK)
    self->error = g_error_copy (error);
  g_clear_pointer (&self->finished_at, g_date_time_unref);
  self->finished_at = g_date_time_new_now_utc ();
  self->duration = g_get_monotonic_time () - self->started_mono;
}

/**
 * gander_run_report_get_run_id:
 * @self: a #GanderRunReport
 *
 * Gets the run's id: a random UUID, the `run_id` of its audit records.
 *
 * Returns: the id
 *
 * Since: 0.2
 */
const char *
gander_run_report_get_run_id (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->run_id;
}

/**
 * gander_run_report_get_operation:
 * @self: a #GanderRunReport
 *
 * Gets the command the run carried out, by its command name (`up`,
 * `down-to`, `clear-dirty`, …: the nick of its #GanderOperation).
 *
 * Returns: the command name
 *
 * Since: 0.2
 */
const char *
gander_run_report_get_operation (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->operation;
}

/**
 * gander_run_report_get_profile:
 * @self: a #GanderRunReport
 *
 * Gets the name of the profile the run used.
 *
 * Returns: (nullable): the name, %NULL for an ad-hoc profile
 *
 * Since: 0.2
 */
const char *
gander_run_report_get_profile (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->profile;
}

/**
 * gander_run_report_get_environment:
 * @self: a #GanderRunReport
 *
 * Gets the environment whose rules applied to the run.
 *
 * Returns: the environment's name
 *
 * Since: 0.2
 */
const char *
gander_run_report_get_environment (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->environment;
}

/**
 * gander_run_report_get_outcome:
 * @self: a #GanderRunReport
 *
 * Gets how the run ended.
 *
 * Returns: the outcome
 *
 * Since: 0.2
 */
GanderRunOutcome
gander_run_report_get_outcome (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), GANDER_RUN_OUTCOME_FAILED);
  return self->outcome;
}

/**
 * gander_run_report_get_dry_run:
 * @self: a #GanderRunReport
 *
 * Gets whether the run was a dry run (#GanderRunOptions:dry-run): it
 * stopped after the plan.
 *
 * Returns: %TRUE for a dry run
 *
 * Since: 0.2
 */
gboolean
gander_run_report_get_dry_run (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), FALSE);
  return self->dry_run;
}

/**
 * gander_run_report_get_plan:
 * @self: a #GanderRunReport
 *
 * Gets the plan the run made before applying anything: for a dry run the
 * whole answer (every step, statement and line), for `auto-migrate`
 * refused by the environment the pending migrations.
 *
 * Returns: (transfer none) (nullable): the plan, %NULL when the run
 *   stopped before planning or the operation has no plan
 *
 * Since: 0.2
 */
GanderPlan *
gander_run_report_get_plan (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->plan;
}

/**
 * gander_run_report_get_results:
 * @self: a #GanderRunReport
 *
 * Gets one result per migration the run executed, in order. A failed
 * attempt that was retried keeps its failed result in the list, before
 * the results of the next attempt.
 *
 * Returns: (transfer none) (element-type GanderMigrationResult): the
 *   results, possibly empty
 *
 * Since: 0.2
 */
GPtrArray *
gander_run_report_get_results (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->results;
}

/**
 * gander_run_report_get_from_version:
 * @self: a #GanderRunReport
 *
 * Gets the database's version when the run started.
 *
 * Returns: the version, -1 when the run never read it
 *
 * Since: 0.2
 */
gint64
gander_run_report_get_from_version (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), -1);
  return self->from_version;
}

/**
 * gander_run_report_get_to_version:
 * @self: a #GanderRunReport
 *
 * Gets the database's version when the run ended (for a dry run or a
 * refusal, the version it started from).
 *
 * Returns: the version, -1 when the run never read it
 *
 * Since: 0.2
 */
gint64
gander_run_report_get_to_version (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), -1);
  return self->to_version;
}

/**
 * gander_run_report_get_target:
 * @self: a #GanderRunReport
 *
 * Gets the version the caller asked for (`up-to`, `down-to`, the repair
 * commands).
 *
 * Returns: the version, -1 when the operation takes none
 *
 * Since: 0.2
 */
gint64
gander_run_report_get_target (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), -1);
  return self->target;
}

/**
 * gander_run_report_get_retries:
 * @self: a #GanderRunReport
 *
 * Gets how many times the apply step was retried after a transient
 * failure.
 *
 * Returns: the number of retries
 *
 * Since: 0.2
 */
guint
gander_run_report_get_retries (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), 0);
  return self->retries;
}

/**
 * gander_run_report_get_refused_rule:
 * @self: a #GanderRunReport
 *
 * Gets the rule that refused the run: `allow-commands`,
 * `require-confirmation`, `circuit-breaker`, `dirty`, `checksum-drift`,
 * `missing-migrations`, `validation` or `auto-migrate`.
 *
 * Returns: (nullable): the rule, %NULL unless the outcome is
 *   %GANDER_RUN_OUTCOME_REFUSED
 *
 * Since: 0.2
 */
const char *
gander_run_report_get_refused_rule (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->refused_rule;
}

/**
 * gander_run_report_get_error:
 * @self: a #GanderRunReport
 *
 * Gets the error the run ended with.
 *
 * Returns: (nullable): the error, %NULL when the outcome is
 *   %GANDER_RUN_OUTCOME_OK
 *
 * Since: 0.2
 */
const GError *
gander_run_report_get_error (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->error;
}

/**
 * gander_run_report_get_warnings:
 * @self: a #GanderRunReport
 *
 * Gets the warnings of the run, in order: each was also emitted as
 * #GanderManager::warning.
 *
 * Returns: (array zero-terminated=1) (transfer none): the warnings
 *
 * Since: 0.2
 */
const char * const *
gander_run_report_get_warnings (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return (const char * const *) self->warnings->pdata;
}

/**
 * gander_run_report_get_started_at:
 * @self: a #GanderRunReport
 *
 * Gets when the run started.
 *
 * Returns: (transfer none): the time, UTC
 *
 * Since: 0.2
 */
GDateTime *
gander_run_report_get_started_at (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->started_at;
}

/**
 * gander_run_report_get_finished_at:
 * @self: a #GanderRunReport
 *
 * Gets when the run ended.
 *
 * Returns: (transfer none) (nullable): the time, UTC
 *
 * Since: 0.2
 */
GDateTime *
gander_run_report_get_finished_at (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->finished_at;
}

/**
 * gander_run_report_get_duration:
 * @self: a #GanderRunReport
 *
 * Gets how long the run took, measured on the monotonic clock.
 *
 * Returns: the duration in microseconds
 *
 * Since: 0.2
 */
GTimeSpan
gander_run_report_get_duration (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), 0);
  return self->duration;
}

/**
 * gander_run_report_get_backup:
 * @self: a #GanderRunReport
 *
 * Gets the backup the run took (a migration run in an environment that
 * takes backups, the `backup` operation) or restored (`restore`).
 *
 * Returns: (transfer none) (nullable): the backup's manifest, %NULL when
 *   the run took or restored none
 *
 * Since: 0.2
 */
GanderBackupInfo *
gander_run_report_get_backup (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->backup;
}

/**
 * gander_run_report_get_health:
 * @self: a #GanderRunReport
 *
 * Gets the results of the health checks the run made: those before it
 * (`health-before`), then those after it (`health-after`), or those of
 * the `health` operation, in the order they ran.
 *
 * Returns: (transfer none) (element-type GanderHealthResult): the
 *   results, empty when no check ran
 *
 * Since: 0.2
 */
GPtrArray *
gander_run_report_get_health (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->health;
}

/**
 * gander_run_report_get_pruned:
 * @self: a #GanderRunReport
 *
 * Gets the backups the run removed: after a successful migration run
 * that took a backup, or by the `prune-backups` operation, per
 * `backup-keep` and `backup-max-age`.
 *
 * Returns: (transfer none) (element-type GanderBackupInfo): the removed
 *   backups' manifests, empty when none was removed
 *
 * Since: 0.2
 */
GPtrArray *
gander_run_report_get_pruned (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->pruned;
}

/**
 * gander_run_report_get_lint_findings:
 * @self: a #GanderRunReport
 *
 * Gets the lint findings of the migrations the run was about to run, in
 * the direction it would run them (the `lint` step, after `plan`; see
 * `docs/lint.md`): those silenced by a `gander:lint-ignore` comment too
 * (gander_lint_finding_get_suppressed()). The others are also among the
 * run's warnings, unless an error-severity one refused the run
 * (gander_run_report_get_refused_rule() is then `lint`). Empty when the
 * profile's `lint` is `off`, for operations that run no migration, and
 * when the dialect cannot be linted in this build.
 *
 * Returns: (transfer none) (element-type GanderLintFinding): the findings
 *
 * Since: 0.2
 */
GPtrArray *
gander_run_report_get_lint_findings (GanderRunReport *self)
{
  g_return_val_if_fail (GANDER_IS_RUN_REPORT (self), NULL);
  return self->lint;
}

/**
 * gander_run_outcome_to_string:
 * @outcome: a #GanderRunOutcome
 *
 * Gets the word the audit log and the metrics use for @outcome.
 *
 * Returns: `ok`, `failed`, `cancelled` or `refused`
 *
 * Since: 0.2
 */
const char *
gander_run_outcome_to_string (GanderRunOutcome outcome)
{
  switch (outcome)
    {
    case GANDER_RUN_OUTCOME_OK:
      return "ok";
    case GANDER_RUN_OUTCOME_FAILED:
      return "failed";
    case GANDER_RUN_OUTCOME_CANCELLED:
      return "cancelled";
    case GANDER_RUN_OUTCOME_REFUSED:
      return "refused";
    default:
      g_return_val_if_reached ("failed");
    }
}
