/* gander-pipeline-metrics.c: what a GanderManager run adds to the
 * Prometheus metrics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "gander-pipeline-private.h"
#include "gander-sql-parser.h"

/* profile and environment label every family but build_info; an ad-hoc
 * profile is "" (the label is always there, so series line up). */
#define PE(p) "profile", pipeline_profile_label (p), "environment", gander_profile_get_environment ((p)->profile)

static const char *
pipeline_profile_label (GanderPipeline *p)
{
  const char *name = gander_profile_get_name (p->profile);

  return name != NULL ? name : "";
}

void
gander_pipeline_count_retry (GanderPipeline *p,
                             const char     *reason)
{
  if (p->metrics == NULL)
    return;
  {
    const char *labels[] = { PE (p), "reason", reason, NULL };

    gander_metrics_inc (p->metrics, "gander_retries_total", labels, 1);
  }
}

static gboolean
ran_without_transaction (GanderMigrationResult *result)
{
  g_autoptr(GanderParsedSql) parsed =
    gander_migration_parse (gander_migration_result_get_migration (result),
                            gander_migration_result_get_direction (result), NULL);

  return parsed != NULL && !gander_parsed_sql_get_use_transaction (parsed);
}

/* The state the run left: pending and dirty, from the status read before
 * the run and what its results did. FALSE when the run never read it. */
static gboolean
state_after (GanderPipeline *p,
             guint          *pending,
             gboolean       *dirty)
{
  GPtrArray *results = gander_run_report_get_results (p->report);
  gint n_pending = 0;

  if (p->status == NULL)
    return FALSE;
  *dirty = FALSE;
  for (guint i = 0; i < p->status->len; i++)
    {
      GanderMigrationStatus *s = g_ptr_array_index (p->status, i);

      switch (gander_migration_status_get_state (s))
        {
        case GANDER_MIGRATION_STATE_PENDING:
          n_pending++;
          break;
        case GANDER_MIGRATION_STATE_RUNNING:
          *dirty = TRUE;
          break;
        case GANDER_MIGRATION_STATE_APPLIED:
        case GANDER_MIGRATION_STATE_MISSING:
        default:
          break;
        }
    }
  if (p->operation == GANDER_OPERATION_CLEAR_DIRTY &&
      gander_run_report_get_outcome (p->report) == GANDER_RUN_OUTCOME_OK)
    {
      *dirty = FALSE;
      if (!p->mark_applied)
        n_pending++;
    }
  for (guint i = 0; i < results->len; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (results, i);
      gboolean up = gander_migration_result_get_direction (r) == GANDER_DIRECTION_UP;

      if (gander_migration_result_get_error (r) == NULL)
        n_pending += up ? -1 : 1;
      else if (ran_without_transaction (r))
        *dirty = TRUE;
    }
  *pending = (guint) MAX (n_pending, 0);
  return TRUE;
}

static void
record_metrics (GanderPipeline *p)
{
  GanderRunReport *report = p->report;
  GanderRunOutcome outcome = gander_run_report_get_outcome (report);
  const char *result = gander_run_outcome_to_string (outcome);
  GPtrArray *results = gander_run_report_get_results (report);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint pending = 0;
  gboolean dirty = FALSE;

  for (guint i = 0; i < results->len; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (results, i);
      GanderDirection direction = gander_migration_result_get_direction (r);
      const GError *error = gander_migration_result_get_error (r);

      if (error == NULL)
        {
          const char *labels[] = { PE (p), "direction", gander_pipeline_direction_label (direction), NULL };
          const char *pe[] = { PE (p), NULL };

          gander_metrics_inc (p->metrics, "gander_migrations_applied_total", labels, 1);
          gander_metrics_observe (p->metrics, "gander_migration_duration_seconds", labels,
                                  (double) gander_migration_result_get_duration_us (r) /
                                  G_USEC_PER_SEC);
          if (direction == GANDER_DIRECTION_DOWN)
            gander_metrics_inc (p->metrics, "gander_migrations_rolled_back_total", pe, 1);
        }
      else
        {
          const char *labels[] = { PE (p), "direction", gander_pipeline_direction_label (direction),
                                   "error", gander_pipeline_error_label (error), NULL };

          gander_metrics_inc (p->metrics, "gander_migrations_failed_total", labels, 1);
        }
    }

  {
    const char *labels[] = { PE (p), "operation", gander_operation_to_string (p->operation),
                             "result", result, NULL };

    gander_metrics_observe (p->metrics, "gander_run_duration_seconds", labels,
                            (double) gander_run_report_get_duration (report) / G_USEC_PER_SEC);
  }
  {
    const char *labels[] = { PE (p), "result", result, NULL };

    gander_metrics_set (p->metrics, "gander_last_run_timestamp_seconds", labels, now);
  }
  {
    const char *labels[] = { PE (p), NULL };

    if (outcome == GANDER_RUN_OUTCOME_OK)
      gander_metrics_set (p->metrics, "gander_last_success_timestamp_seconds", labels, now);
    if (gander_run_report_get_to_version (report) >= 0)
      gander_metrics_set (p->metrics, "gander_schema_version", labels,
                          gander_run_report_get_to_version (report));
    if (state_after (p, &pending, &dirty))
      {
        gander_metrics_set (p->metrics, "gander_migrations_pending", labels, pending);
        gander_metrics_set (p->metrics, "gander_dirty", labels, dirty ? 1 : 0);
      }
    if (p->breaker != NULL)
      gander_metrics_set (p->metrics, "gander_circuit_breaker_state", labels,
                          gander_circuit_breaker_get_state (p->breaker));
  }

  /* the backup this run took (not one it restored) */
  if (gander_run_report_get_backup (report) != NULL && p->operation != GANDER_OPERATION_RESTORE)
    {
      GanderBackupInfo *info = gander_run_report_get_backup (report);
      GDateTime *created = gander_backup_info_get_created_at (info);
      const char *labels[] = { PE (p), NULL };

      gander_metrics_set (p->metrics, "gander_backup_duration_seconds", labels,
                          (double) gander_backup_info_get_duration (info) / G_USEC_PER_SEC);
      gander_metrics_set (p->metrics, "gander_backup_size_bytes", labels,
                          (double) gander_backup_info_get_size (info));
      gander_metrics_set (p->metrics, "gander_backup_last_success_timestamp_seconds", labels,
                          created != NULL ? (double) g_date_time_to_unix (created) : (double) now);
    }

  {
    GPtrArray *lint = gander_run_report_get_lint_findings (report);

    for (guint i = 0; i < lint->len; i++)
      {
        GanderLintFinding *f = g_ptr_array_index (lint, i);
        const char *labels[] = { PE (p), "rule", gander_lint_finding_get_rule (f),
                                 "severity", gander_pipeline_lint_severity_label (f), NULL };

        if (!gander_lint_finding_get_suppressed (f))
          gander_metrics_inc (p->metrics, "gander_lint_findings_total", labels, 1);
      }
  }

  {
    GPtrArray *health = gander_run_report_get_health (report);

    for (guint i = 0; i < health->len; i++)
      {
        GanderHealthResult *r = g_ptr_array_index (health, i);
        const char *labels[] = { PE (p), "check", gander_health_result_get_name (r), NULL };

        if (gander_health_result_get_status (r) == GANDER_HEALTH_STATUS_FAIL)
          gander_metrics_inc (p->metrics, "gander_health_check_failures_total", labels, 1);
      }
  }
}

void
gander_pipeline_record_metrics (GanderPipeline *p)
{
  g_autoptr(GError) error = NULL;

  if (p->metrics == NULL || p->dry_run)
    return;
  record_metrics (p);
  if (p->metrics_file != NULL &&
      !gander_metrics_write_textfile (p->metrics, p->metrics_file, &error))
    {
      g_autofree char *message =
        g_strdup_printf (_("could not write the metrics file %s: %s"),
                         p->metrics_file, error->message);

      gander_run_report_add_warning (p->report, message);
      if (p->on_warning != NULL)
        p->on_warning (p, message, p->user_data);
    }
}
