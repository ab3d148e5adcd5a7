/* gander-run-report.h: what one GanderManager run did
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"
#include "gander-plan.h"
#include "gander-backup-info.h"
#include "gander-health-result.h"
#include "gander-linter.h"

G_BEGIN_DECLS

/**
 * GanderRunOutcome:
 * @GANDER_RUN_OUTCOME_OK: the run did what it was asked (a dry run: the
 *   plan was made)
 * @GANDER_RUN_OUTCOME_FAILED: the run started and failed
 * @GANDER_RUN_OUTCOME_CANCELLED: the caller cancelled the run
 * @GANDER_RUN_OUTCOME_REFUSED: a rule of the environment refused the run
 *   before anything was written (see gander_run_report_get_refused_rule())
 *
 * How a #GanderManager run ended. The nicks (`ok`, `failed`, `cancelled`,
 * `refused`) are the `result` of the audit log and the metrics.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_RUN_OUTCOME_OK,
  GANDER_RUN_OUTCOME_FAILED,
  GANDER_RUN_OUTCOME_CANCELLED,
  GANDER_RUN_OUTCOME_REFUSED,
} GanderRunOutcome;

#define GANDER_TYPE_RUN_REPORT (gander_run_report_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderRunReport, gander_run_report, GANDER, RUN_REPORT, GObject)

GANDER_AVAILABLE_IN_0_2
const char          *gander_run_report_get_run_id       (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
const char          *gander_run_report_get_operation    (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GanderRunOutcome     gander_run_report_get_outcome      (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
gboolean             gander_run_report_get_dry_run      (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GanderPlan          *gander_run_report_get_plan         (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_run_report_get_results      (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
gint64               gander_run_report_get_from_version (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
gint64               gander_run_report_get_to_version   (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
gint64               gander_run_report_get_target       (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
guint                gander_run_report_get_retries      (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
const char          *gander_run_report_get_refused_rule (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
const GError        *gander_run_report_get_error        (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
const char * const  *gander_run_report_get_warnings     (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GDateTime           *gander_run_report_get_started_at   (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GDateTime           *gander_run_report_get_finished_at  (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan            gander_run_report_get_duration     (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
const char          *gander_run_report_get_profile      (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
const char          *gander_run_report_get_environment  (GanderRunReport *self);

GANDER_AVAILABLE_IN_0_2
GanderBackupInfo    *gander_run_report_get_backup       (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_run_report_get_health       (GanderRunReport *self);
GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_run_report_get_pruned       (GanderRunReport *self);

GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_run_report_get_lint_findings (GanderRunReport *self);

GANDER_AVAILABLE_IN_0_2
const char          *gander_run_outcome_to_string       (GanderRunOutcome outcome);

G_END_DECLS
