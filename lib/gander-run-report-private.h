/* gander-run-report-private.h: how the pipeline fills a GanderRunReport
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-run-report.h"
#include "gander-migration-result.h"

G_BEGIN_DECLS

/* A report is filled by the one thread that runs the pipeline and handed
 * to its callers only once finished: from then on nothing changes it. */
GanderRunReport *gander_run_report_new              (const char       *operation,
                                                     const char       *profile,
                                                     const char       *environment,
                                                     gboolean          dry_run,
                                                     gint64           target);
void             gander_run_report_set_plan         (GanderRunReport  *self,
                                                     GanderPlan       *plan);
void             gander_run_report_add_result       (GanderRunReport  *self,
                                                     GanderMigrationResult *result);
void             gander_run_report_set_from_version (GanderRunReport  *self,
                                                     gint64            version);
void             gander_run_report_set_to_version   (GanderRunReport  *self,
                                                     gint64            version);
void             gander_run_report_add_retry        (GanderRunReport  *self);
void             gander_run_report_add_warning      (GanderRunReport  *self,
                                                     const char       *warning);
void             gander_run_report_set_backup       (GanderRunReport  *self,
                                                     GanderBackupInfo *backup);
void             gander_run_report_add_health       (GanderRunReport  *self,
                                                     GanderHealthResult *result);
void             gander_run_report_add_pruned       (GanderRunReport  *self,
                                                     GanderBackupInfo *backup);
void             gander_run_report_add_lint_finding (GanderRunReport  *self,
                                                     GanderLintFinding *finding);
/* Ends the report: outcome, the error (copied; NULL for OK), the rule
 * that refused it (REFUSED only), the finish time and the duration. */
void             gander_run_report_finish           (GanderRunReport  *self,
                                                     GanderRunOutcome  outcome,
                                                     const char       *refused_rule,
                                                     const GError     *error);

G_END_DECLS
