/* gander-cli-plan.c: printing a GanderPlan (--dry-run, dry-run-first)
 *
 * The text form reads like a SQL script: every line that is not a
 * statement is a `--` comment, and each statement is printed exactly as it
 * would be sent, after the file and line it starts on. So
 * `gander … --dry-run up > plan.sql` gives a reviewer the whole change, and
 * the JSON form (--json) gives a program the same with stable keys:
 *
 *   { "command", "dry_run": true, "current_version", "target" (null unless
 *     up-to/down-to), "can_run", "reason" (null or why the run would fail),
 *     "missing": [versions], "warnings": [text],
 *     "migrations": [ { "version", "name", "path", "direction",
 *                       "transaction", "statements": [ { "line", "sql" } ] } ],
 *     "error": null or the message }
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "gander.h"
#include "gander-cli.h"
#include "gander-cli-run.h"

/* The file as the user named it, relative to the working directory when
 * it lies below it (as the library's parse messages show it). */
char *
cli_display_path (const char *dir,
                  const char *name)
{
  g_autofree char *joined = cli_go_path_join (dir, name);
  g_autofree char *cwd = NULL;
  gsize len;

  if (!g_path_is_absolute (joined))
    return g_steal_pointer (&joined);
  cwd = g_get_current_dir ();
  len = strlen (cwd);
  if (len > 1 && strncmp (joined, cwd, len) == 0 && joined[len] == '/')
    return g_strdup (joined + len + 1);
  return g_steal_pointer (&joined);
}

const char *
cli_plan_command_name (GanderPlanOperation operation)
{
  switch (operation)
    {
    case GANDER_PLAN_OPERATION_UP: return "up";
    case GANDER_PLAN_OPERATION_UP_BY_ONE: return "up-by-one";
    case GANDER_PLAN_OPERATION_UP_TO: return "up-to";
    case GANDER_PLAN_OPERATION_DOWN: return "down";
    case GANDER_PLAN_OPERATION_DOWN_TO: return "down-to";
    case GANDER_PLAN_OPERATION_REDO: return "redo";
    case GANDER_PLAN_OPERATION_RESET: return "reset";
    default: return "?";
    }
}

gboolean
cli_plan_operation_from_command (const char          *command,
                                 GanderPlanOperation *operation)
{
  static const GanderPlanOperation ops[] = {
    GANDER_PLAN_OPERATION_UP, GANDER_PLAN_OPERATION_UP_BY_ONE,
    GANDER_PLAN_OPERATION_UP_TO, GANDER_PLAN_OPERATION_DOWN,
    GANDER_PLAN_OPERATION_DOWN_TO, GANDER_PLAN_OPERATION_REDO,
    GANDER_PLAN_OPERATION_RESET,
  };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (g_str_equal (command, cli_plan_command_name (ops[i])))
      {
        *operation = ops[i];
        return TRUE;
      }
  return FALSE;
}

static gboolean
has_target (GanderPlan *plan)
{
  GanderPlanOperation op = gander_plan_get_operation (plan);

  return op == GANDER_PLAN_OPERATION_UP_TO || op == GANDER_PLAN_OPERATION_DOWN_TO;
}

/* Every line of a multi-line text as a `--` comment. */
static void
append_comment (GString    *out,
                const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "-- %s\n", lines[i]);
}

char *
cli_plan_to_text (GanderPlan *plan,
                  const char *dir)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint n_steps = gander_plan_get_n_steps (plan);
  const char * const *warnings = gander_plan_get_warnings (plan);
  const char *command = cli_plan_command_name (gander_plan_get_operation (plan));

  if (has_target (plan))
    g_string_append_printf (out, "-- gander plan: %s %" G_GINT64_FORMAT
                            " from version %" G_GINT64_FORMAT ": %u %s\n",
                            command, gander_plan_get_target (plan),
                            gander_plan_get_current_version (plan), n_steps,
                            n_steps == 1 ? "migration" : "migrations");
  else
    g_string_append_printf (out, "-- gander plan: %s from version %" G_GINT64_FORMAT
                            ": %u %s\n",
                            command, gander_plan_get_current_version (plan), n_steps,
                            n_steps == 1 ? "migration" : "migrations");
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("warning: %s", warnings[i]);
      append_comment (out, line);
    }
  if (!gander_plan_get_can_run (plan) && gander_plan_get_reason (plan) != NULL)
    {
      g_autofree char *line = g_strdup_printf ("cannot run: %s", gander_plan_get_reason (plan));
      append_comment (out, line);
    }

  for (guint i = 0; i < n_steps; i++)
    {
      GanderPlanStep *step = gander_plan_get_step (plan, i);
      const char * const *statements = gander_plan_step_get_statements (step);
      guint n = gander_plan_step_get_n_statements (step);
      g_autofree char *path = cli_display_path (dir, gander_plan_step_get_name (step));

      g_string_append_printf (out, "\n-- %s: version %" G_GINT64_FORMAT ", %s, %s, "
                              "%u %s\n",
                              gander_plan_step_get_name (step),
                              gander_plan_step_get_version (step),
                              gander_direction_to_string (gander_plan_step_get_direction (step)),
                              gander_plan_step_get_use_transaction (step)
                                ? "transaction" : "no transaction",
                              n, n == 1 ? "statement" : "statements");
      for (guint j = 0; j < n; j++)
        {
          const char *sql = statements[j];
          gsize len = strlen (sql);

          g_string_append_printf (out, "-- %s:%u\n", path,
                                  gander_plan_step_get_statement_line (step, j));
          g_string_append (out, sql);
          if (len == 0 || sql[len - 1] != '\n')
            g_string_append_c (out, '\n');
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
cli_plan_print_text (GanderPlan *plan,
                     const char *dir)
{
  g_autofree char *text = cli_plan_to_text (plan, dir);

  fputs (text, stdout);
  fflush (stdout);
}

/* The "plan" members (see the top of the file) of an open JSON object. */
void
cli_plan_add_json_members (gpointer    builder_ptr,
                           GanderPlan *plan,
                           const char *dir)
{
  JsonBuilder *builder = builder_ptr;
  const char * const *warnings = gander_plan_get_warnings (plan);
  const gint64 *missing;
  gsize n_missing = 0;

  json_builder_set_member_name (builder, "current_version");
  json_builder_add_int_value (builder, gander_plan_get_current_version (plan));
  json_builder_set_member_name (builder, "target");
  if (has_target (plan))
    json_builder_add_int_value (builder, gander_plan_get_target (plan));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "can_run");
  json_builder_add_boolean_value (builder, gander_plan_get_can_run (plan));
  json_builder_set_member_name (builder, "reason");
  if (gander_plan_get_reason (plan) != NULL)
    json_builder_add_string_value (builder, gander_plan_get_reason (plan));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "missing");
  json_builder_begin_array (builder);
  missing = gander_plan_get_missing (plan, &n_missing);
  for (gsize i = 0; i < n_missing; i++)
    json_builder_add_int_value (builder, missing[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "warnings");
  json_builder_begin_array (builder);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    json_builder_add_string_value (builder, warnings[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "migrations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < gander_plan_get_n_steps (plan); i++)
    {
      GanderPlanStep *step = gander_plan_get_step (plan, i);
      const char * const *statements = gander_plan_step_get_statements (step);
      g_autofree char *path = cli_display_path (dir, gander_plan_step_get_name (step));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, gander_plan_step_get_version (step));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, gander_plan_step_get_name (step));
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "direction");
      json_builder_add_string_value (builder,
                                     gander_direction_to_string (gander_plan_step_get_direction (step)));
      json_builder_set_member_name (builder, "transaction");
      json_builder_add_boolean_value (builder, gander_plan_step_get_use_transaction (step));
      json_builder_set_member_name (builder, "statements");
      json_builder_begin_array (builder);
      for (guint j = 0; j < gander_plan_step_get_n_statements (step); j++)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "line");
          json_builder_add_int_value (builder, gander_plan_step_get_statement_line (step, j));
          json_builder_set_member_name (builder, "sql");
          json_builder_add_string_value (builder, statements[j]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}
