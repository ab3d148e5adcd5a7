/* gander-plan.h: what an operation will do, before it does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"
#include "gander-enums.h"
#include "gander-error.h"
#include "gander-migration.h"

G_BEGIN_DECLS

/**
 * GanderPlanOperation:
 * @GANDER_PLAN_OPERATION_UP: apply every pending migration
 * @GANDER_PLAN_OPERATION_UP_BY_ONE: apply the next pending migration
 * @GANDER_PLAN_OPERATION_UP_TO: apply pending migrations up to a version
 * @GANDER_PLAN_OPERATION_DOWN: roll back the most recently applied migration
 * @GANDER_PLAN_OPERATION_DOWN_TO: roll back the migrations above a version
 * @GANDER_PLAN_OPERATION_REDO: roll back the most recent one and apply it again
 * @GANDER_PLAN_OPERATION_RESET: roll back every applied migration
 *
 * The operations a #GanderMigrator plans and runs.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_PLAN_OPERATION_UP,
  GANDER_PLAN_OPERATION_UP_BY_ONE,
  GANDER_PLAN_OPERATION_UP_TO,
  GANDER_PLAN_OPERATION_DOWN,
  GANDER_PLAN_OPERATION_DOWN_TO,
  GANDER_PLAN_OPERATION_REDO,
  GANDER_PLAN_OPERATION_RESET,
} GanderPlanOperation;

#define GANDER_TYPE_PLAN_STEP (gander_plan_step_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderPlanStep, gander_plan_step, GANDER, PLAN_STEP, GObject)

GANDER_AVAILABLE_IN_0_2
GanderMigration     *gander_plan_step_get_migration       (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
gint64               gander_plan_step_get_version         (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
const char          *gander_plan_step_get_name            (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
GanderDirection      gander_plan_step_get_direction       (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
gboolean             gander_plan_step_get_use_transaction (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
guint                gander_plan_step_get_n_statements    (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
const char * const  *gander_plan_step_get_statements      (GanderPlanStep *self);
GANDER_AVAILABLE_IN_0_2
guint                gander_plan_step_get_statement_line  (GanderPlanStep *self,
                                                           guint           index);

#define GANDER_TYPE_PLAN (gander_plan_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderPlan, gander_plan, GANDER, PLAN, GObject)

GANDER_AVAILABLE_IN_0_2
GanderPlanOperation  gander_plan_get_operation       (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
gint64               gander_plan_get_target          (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
gint64               gander_plan_get_current_version (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
guint                gander_plan_get_n_steps         (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
GanderPlanStep      *gander_plan_get_step            (GanderPlan *self,
                                                      guint       index);
GANDER_AVAILABLE_IN_0_2
GPtrArray           *gander_plan_get_steps           (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
const gint64        *gander_plan_get_missing         (GanderPlan *self,
                                                      gsize      *n_missing);
GANDER_AVAILABLE_IN_0_2
const char * const  *gander_plan_get_warnings        (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
gboolean             gander_plan_get_can_run         (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
const char          *gander_plan_get_reason          (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
GanderError          gander_plan_get_error_code      (GanderPlan *self);
GANDER_AVAILABLE_IN_0_2
const GError        *gander_plan_get_error           (GanderPlan *self);

G_END_DECLS
