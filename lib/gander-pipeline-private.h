/* gander-pipeline-private.h: the steps of one GanderManager run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-backup.h"
#include "gander-health.h"
#include "gander-manager.h"
#include "gander-migrator-private.h"
#include "gander-run-report-private.h"

G_BEGIN_DECLS

/* One run of the pipeline. The manager fills the first block (a snapshot:
 * nothing here is shared with another run), calls gander_pipeline_run()
 * in the thread that does the work, and reads the report. Steps report
 * progress and warnings through the two callbacks, which must not block
 * (the manager queues them to its users' main context). */
typedef struct _GanderPipeline GanderPipeline;

/* @span: the share of the run the step stands for */
typedef void (*GanderPipelineStepFunc)    (GanderPipeline *pipeline,
                                           const char     *step,
                                           double          fraction,
                                           double          span,
                                           gpointer        user_data);
typedef void (*GanderPipelineWarningFunc) (GanderPipeline *pipeline,
                                           const char     *message,
                                           gpointer        user_data);
/* the plan step made @plan, before anything runs */
typedef void (*GanderPipelinePlanFunc)    (GanderPipeline *pipeline,
                                           GanderPlan     *plan,
                                           gpointer        user_data);

struct _GanderPipeline
{
  /* set up by the caller */
  GanderProfile             *profile;
  GanderMigrator            *migrator;
  GanderCircuitBreaker      *breaker;        /* nullable: none */
  GanderAudit               *audit;          /* nullable: none */
  GanderMetrics             *metrics;        /* nullable: none */
  char                      *metrics_file;   /* nullable: no textfile */
  GanderOperation            operation;
  gint64                     target;
  gboolean                   auto_migrate;   /* gander_manager_auto_migrate() */
  GanderRunSettings          settings;       /* applied-by, reason, switches */
  gboolean                   dry_run;
  char                      *confirmation;
  char                      *via;
  gint64                     actor_uid;
  gint64                     actor_pid;
  char                      *actor_name;
  gboolean                   mark_applied;   /* clear-dirty */
  GanderBackup              *backup_store;   /* nullable: the manager's */
  char                      *backup_id;      /* restore: id, prefix, latest */
  GCancellable              *cancellable;    /* the caller's, nullable */
  GMainContext              *signal_context; /* where the migrator's signals go */
  GanderPipelineStepFunc     on_step;
  GanderPipelineWarningFunc  on_warning;
  GanderPipelinePlanFunc     on_plan;        /* nullable */
  gpointer                   user_data;

  /* filled as the steps run */
  GCancellable              *run_cancellable; /* child of cancellable + deadline */
  gboolean                   deadline_hit;
  GanderRunReport           *report;
  GPtrArray                 *status;          /* GanderMigrationStatus, once read */
  GanderPlan                *plan;
  gboolean                   done;            /* nothing left to do (dry run) */
  char                      *refused_rule;    /* set with the error of a refusal */
  gboolean                   audit_started;   /* run.start written */
  gboolean                   holds_lock;      /* the run lock, from the backup
                                               * step until finish */
  gboolean                   backup_taken;    /* by this run: prune after */
  gboolean                   linted;          /* the lint step ran */
};

void             gander_pipeline_init          (GanderPipeline   *pipeline);
void             gander_pipeline_clear         (GanderPipeline   *pipeline);
/* Reads @options into the snapshot. */
void             gander_pipeline_set_options   (GanderPipeline   *pipeline,
                                                GanderRunOptions *options);

/* Runs every step that applies to the operation, the finish step always.
 * Returns the report (transfer full), also on failure, and sets @error
 * unless its outcome is OK. */
GanderRunReport *gander_pipeline_run           (GanderPipeline   *pipeline,
                                                GError          **error);

/* The policy rules that need no database: allow-commands, confirmation,
 * the breaker (@take_trial: take a half-open breaker's trial, as a run
 * does; else only look). FALSE with the error and *@rule on refusal. */
gboolean         gander_pipeline_check_rules   (GanderPipeline   *pipeline,
                                                gboolean          take_trial,
                                                const char      **rule,
                                                GError          **error);

/* gander-pipeline-metrics.c: the run's metrics, once its report is
 * finished (the finish step), and a retry's counter. */
void             gander_pipeline_record_metrics (GanderPipeline  *pipeline);
void             gander_pipeline_count_retry    (GanderPipeline  *pipeline,
                                                 const char      *reason);

/* gander-pipeline-audit.c: run.start when the apply step begins; the
 * other records of the run at its finish. */
void             gander_pipeline_audit_start    (GanderPipeline  *pipeline);
void             gander_pipeline_record_audit   (GanderPipeline  *pipeline);
/* backup.created and backup.verified, as soon as the backup is taken;
 * health.failed for each failed check, as soon as the checks ran */
void             gander_pipeline_audit_backup   (GanderPipeline   *pipeline,
                                                 GanderBackupInfo *info);
void             gander_pipeline_audit_health   (GanderPipeline   *pipeline,
                                                 GPtrArray        *results);

/* Words both write: `up`/`down`; the error's GanderError nick or
 * `cancelled`. */
const char      *gander_pipeline_direction_label (GanderDirection direction);
const char      *gander_pipeline_error_label    (const GError    *error);
/* `error` or `warning`, as `gander lint --json` says */
const char      *gander_pipeline_lint_severity_label (GanderLintFinding *finding);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GanderPipeline, gander_pipeline_clear)

G_END_DECLS
