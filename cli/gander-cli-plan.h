/* gander-cli-plan.h: printing plans (the files of the tool that use
 * libgander's types; gander-cli.h stays GLib-only for the helper tests)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gander.h>

G_BEGIN_DECLS

/* gander-cli-plan.c: a GanderPlan as text (a commented SQL script) or JSON. */
char       *cli_display_path          (const char          *dir,
                                       const char          *name);
const char *cli_plan_command_name     (GanderPlanOperation  operation);
gboolean    cli_plan_operation_from_command (const char          *command,
                                             GanderPlanOperation *operation);
char       *cli_plan_to_text          (GanderPlan          *plan,
                                       const char          *dir);
void        cli_plan_print_text       (GanderPlan          *plan,
                                       const char          *dir);
void        cli_plan_add_json_members (gpointer             builder,
                                       GanderPlan          *plan,
                                       const char          *dir);

G_END_DECLS
