/* gander-cli-repair.c: what baseline, repair clear-dirty and repair
 * accept-checksum print
 *
 * The commands that change what the database records without running a
 * migration. The manager runs each (policy, confirmation, one transaction
 * under the run lock, audit); here they say, in a log line per change,
 * what was recorded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include "gander-cli-run.h"

/* @recorded: the names of the files recorded (read before the run). */
int
cli_cmd_baseline_done (CliRun    *run,
                       gint64     version,
                       GPtrArray *recorded,
                       gint64     current)
{
  for (guint i = 0; i < recorded->len; i++)
    cli_log (_("recorded as applied without running it: %s"),
             (const char *) g_ptr_array_index (recorded, i));
  if (recorded->len == 0)
    cli_log (_("baseline: nothing to record, every migration up to %" PRId64
               " is applied; current version: %" PRId64), version, current);
  else
    cli_log (g_dngettext (GETTEXT_PACKAGE,
                          "baseline: %u migration recorded; current version: %" PRId64,
                          "baseline: %u migrations recorded; current version: %" PRId64,
                          recorded->len),
             recorded->len, current);

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, version);
      json_builder_set_member_name (builder, "recorded");
      json_builder_begin_array (builder);
      for (guint i = 0; i < recorded->len; i++)
        {
          const char *name = g_ptr_array_index (recorded, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "version");
          json_builder_add_int_value (builder, gander_version_from_filename (name, NULL));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, name);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      cli_json_add_current_version (builder, TRUE, current);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

static const char *
file_name_or_version (CliRun *run,
                      gint64  version,
                      char  **to_free)
{
  GanderMigration *m = gander_source_lookup (run->source, version);

  if (m != NULL)
    return gander_migration_get_name (m);
  *to_free = g_strdup_printf ("%" PRId64, version);
  return *to_free;
}

static void
json_repair_result (CliRun     *run,
                    gint64      version,
                    const char *member,
                    gboolean    value)
{
  g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, version);
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
  cli_json_end (builder, NULL);
}

int
cli_cmd_clear_dirty_done (CliRun   *run,
                          gint64    version,
                          gboolean  mark_applied)
{
  g_autofree char *to_free = NULL;
  const char *name;

  name = file_name_or_version (run, version, &to_free);
  if (mark_applied)
    cli_log (_("repair: cleared the running marker of %s (version %" PRId64 "); "
               "it is recorded as applied"), name, version);
  else
    cli_log (_("repair: cleared the running marker of %s (version %" PRId64 "); "
               "it is pending again"), name, version);
  if (run->opts->json)
    json_repair_result (run, version, "mark_applied", mark_applied);
  return CLI_EXIT_OK;
}

int
cli_cmd_accept_checksum_done (CliRun *run,
                              gint64  version)
{
  g_autofree char *to_free = NULL;
  const char *name;

  name = file_name_or_version (run, version, &to_free);
  cli_log (_("repair: recorded the current checksum of %s (version %" PRId64 ")"),
           name, version);
  if (run->opts->json)
    json_repair_result (run, version, "accepted", TRUE);
  return CLI_EXIT_OK;
}
