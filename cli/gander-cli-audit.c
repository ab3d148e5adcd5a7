/* gander-cli-audit.c: `gander audit verify FILE`
 *
 * Checks the hash chain of an audit log (see GanderAudit) without touching
 * a database: exit 0 when every line is a record chained to the one before,
 * 1 with FILE:LINE and why at the first line that is not.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-cli-run.h"

int
cli_cmd_audit (CliOptions  *opts,
               char       **argv)
{
  g_autoptr(GError) error = NULL;
  guint n_records = 0;
  guint first_bad_line = 0;
  gboolean ok;
  const char *path;

  if (argv[0] == NULL || !g_str_equal (argv[0], "verify") || argv[1] == NULL ||
      argv[2] != NULL)
    return cli_usage_error (_("audit must be of form: gander audit verify FILE"));
  path = argv[1];

  cli_log_set_quiet (opts->json);
  ok = gander_audit_verify_file (path, &n_records, &first_bad_line, &error);
  if (ok)
    cli_log (g_dngettext (GETTEXT_PACKAGE,
                          "audit: %s: %u record, the chain is whole",
                          "audit: %s: %u records, the chain is whole", n_records),
             path, n_records);
  else
    cli_fatal_message ("audit: ", error->message);

  if (opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin ("audit verify");

      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, ok);
      json_builder_set_member_name (builder, "records");
      json_builder_add_int_value (builder, n_records);
      json_builder_set_member_name (builder, "first_bad_line");
      if (first_bad_line > 0)
        json_builder_add_int_value (builder, first_bad_line);
      else
        json_builder_add_null_value (builder);
      cli_json_end_gerror (builder, ok ? NULL : error);
    }
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
