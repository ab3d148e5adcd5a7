/* gander-plan-private.h: building a GanderPlan
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-plan.h"
#include "gander-sql-parser.h"

G_BEGIN_DECLS

GanderPlan      *gander_plan_new             (GanderPlanOperation  operation,
                                              gint64               target,
                                              gint64               current_version);
void             gander_plan_add_step        (GanderPlan          *self,
                                              GanderMigration     *migration,
                                              GanderDirection      direction,
                                              GanderParsedSql     *parsed);
void             gander_plan_add_missing     (GanderPlan          *self,
                                              gint64               version);
void             gander_plan_add_warning     (GanderPlan          *self,
                                              const char          *warning);
/* The plan cannot run, because of @error (taken). */
void             gander_plan_take_error      (GanderPlan          *self,
                                              GError              *error);
/* FALSE with the plan's error when it cannot run. */
gboolean         gander_plan_check           (GanderPlan          *self,
                                              GError             **error);
GanderParsedSql *gander_plan_step_get_parsed (GanderPlanStep      *self);

G_END_DECLS
