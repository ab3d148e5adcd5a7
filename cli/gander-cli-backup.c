/* gander-cli-backup.c: backup, backups, backups prune, restore and health
 *
 * The backup store and the health checks belong to the library
 * (GanderBackup, GanderHealth); the manager runs each command (policy,
 * confirmation, the run lock, audit, metrics). Here they are printed: a
 * log line per backup taken, restored or removed; `backups` and `health`
 * as tables on stdout, or as JSON whose objects carry the manifest's keys
 * (GanderBackupInfo) and the health results' keys (GanderHealthResult).
 * The up/down family prints the same backup line and the health checks
 * that did not pass.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gander-cli-run.h"

/* "2026-11-30 14:15:00" (UTC), or "?" */
static char *
created_text (GanderBackupInfo *info)
{
  GDateTime *at = gander_backup_info_get_created_at (info);

  if (at == NULL)
    return g_strdup ("?");
  return g_date_time_format (at, "%Y-%m-%d %H:%M:%S");
}

/* "12.3 MB", with a plain space (GLib puts a no-break space there, which
 * grep and awk users would not expect) */
static char *
size_text (guint64 size)
{
  g_autofree char *text = g_format_size (size);
  g_auto(GStrv) parts = g_strsplit (text, "\u00a0", -1);

  return g_strjoinv (" ", parts);
}

static const char *
health_status_nick (GanderHealthStatus status)
{
  switch (status)
    {
    case GANDER_HEALTH_STATUS_OK: return "ok";
    case GANDER_HEALTH_STATUS_WARN: return "warn";
    case GANDER_HEALTH_STATUS_FAIL: return "fail";
    case GANDER_HEALTH_STATUS_SKIPPED:
    default: return "skipped";
    }
}

/* `backup 20261130T141500.123456Z written to PATH (12.3 MB, verified)` */
void
cli_log_backup_taken (GanderBackupInfo *info)
{
  g_autofree char *size = size_text (gander_backup_info_get_size (info));

  if (gander_backup_info_get_verified (info))
    cli_log (_("backup %s written to %s (%s, verified)"),
             gander_backup_info_get_id (info), gander_backup_info_get_path (info), size);
  else
    cli_log (_("backup %s written to %s (%s, checksum only, not verified)"),
             gander_backup_info_get_id (info), gander_backup_info_get_path (info), size);
}

/* TRUE when the run already said @message in a warning of its own. */
static gboolean
already_warned (CliRun     *run,
                const char *message)
{
  GHashTableIter iter;
  gpointer key;

  if (run->seen == NULL || message == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, run->seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (strstr (key, message) != NULL)
      return TRUE;
  return FALSE;
}

/* After a run of the up/down family (@report: what it did, or the last
 * report of a failed run, may be NULL): the backup it took and every
 * health check that did not pass, unless the run warned of it already. */
void
cli_report_backup_and_health (CliRun          *run,
                              GanderRunReport *report)
{
  GanderBackupInfo *info;
  GPtrArray *health;

  if (report == NULL)
    return;
  info = gander_run_report_get_backup (report);
  if (info != NULL)
    cli_log_backup_taken (info);
  health = gander_run_report_get_health (report);
  for (guint i = 0; health != NULL && i < health->len; i++)
    {
      GanderHealthResult *result = g_ptr_array_index (health, i);
      GanderHealthStatus status = gander_health_result_get_status (result);
      const char *message = gander_health_result_get_message (result);

      if (status != GANDER_HEALTH_STATUS_WARN && status != GANDER_HEALTH_STATUS_FAIL)
        continue;
      if (already_warned (run, message))
        continue;
      cli_warn (_("health check %s (%s): %s"), gander_health_result_get_name (result),
                health_status_nick (status), message != NULL ? message : "");
    }
}

/* The members the up/down family adds to its JSON on the managed path. */
void
cli_json_add_backup_and_health (JsonBuilder     *builder,
                                GanderRunReport *report)
{
  GanderBackupInfo *info = report != NULL ? gander_run_report_get_backup (report) : NULL;
  GPtrArray *health = report != NULL ? gander_run_report_get_health (report) : NULL;

  json_builder_set_member_name (builder, "backup");
  if (info != NULL)
    json_builder_add_value (builder, cli_json_backup_node (info));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "health");
  json_builder_begin_array (builder);
  for (guint i = 0; health != NULL && i < health->len; i++)
    json_builder_add_value (builder, cli_json_health_node (g_ptr_array_index (health, i)));
  json_builder_end_array (builder);
}

static void
json_add_infos (JsonBuilder *builder,
                const char  *member,
                GPtrArray   *infos)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; infos != NULL && i < infos->len; i++)
    json_builder_add_value (builder, cli_json_backup_node (g_ptr_array_index (infos, i)));
  json_builder_end_array (builder);
}

static char *
store_directory (CliRun *run)
{
  GanderBackup *store = gander_manager_get_backup_store (run->manager);
  char *directory = NULL;

  if (store != NULL)
    g_object_get (store, "directory", &directory, NULL);
  return directory;
}

/* `gander backups`: newest first, one line each. */
int
cli_cmd_backups_list (CliRun *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autofree char *directory = store_directory (run);
  g_autoptr(GString) out = NULL;

  infos = gander_manager_list_backups (run->manager, &error);
  if (infos == NULL)
    return cli_run_fail (run, error, NULL);

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "directory");
      json_builder_add_string_value (builder, directory != NULL ? directory : "");
      json_add_infos (builder, "backups", infos);
      cli_json_end (builder, NULL);
      return CLI_EXIT_OK;
    }

  if (infos->len == 0)
    {
      cli_log (_("no backups in %s yet; `gander backup` takes one"),
               directory != NULL ? directory : "?");
      return CLI_EXIT_OK;
    }
  out = g_string_new (NULL);
  g_string_append_printf (out, "# %s\n", directory != NULL ? directory : "?");
  /* column titles are not translated: scripts read this table */
  g_string_append_printf (out, "%-26s %-19s %14s %10s  %s\n",
                          "ID", "CREATED (UTC)", "VERSION", "SIZE", "VERIFIED");
  for (guint i = 0; i < infos->len; i++)
    {
      GanderBackupInfo *info = g_ptr_array_index (infos, i);
      g_autofree char *created = created_text (info);
      g_autofree char *size = size_text (gander_backup_info_get_size (info));
      g_autofree char *verified = NULL;

      if (gander_backup_info_get_verified (info))
        verified = g_strdup_printf ("yes (%s)", gander_backup_info_get_verify_method (info));
      else
        verified = g_strdup ("no (sha256 only)");
      g_string_append_printf (out, "%-26s %-19s %14" PRId64 " %10s  %s\n",
                              gander_backup_info_get_id (info), created,
                              gander_backup_info_get_version (info), size, verified);
    }
  fputs (out->str, stdout);
  fflush (stdout);
  return CLI_EXIT_OK;
}

/* restore ID: the backup it names, looked up before anyone is asked to
 * confirm (an unknown id is a failure, exit 1, naming `gander backups`). */
GanderBackupInfo *
cli_restore_lookup (CliRun      *run,
                    const char  *id,
                    GError     **error)
{
  GanderBackup *store = gander_manager_get_backup_store (run->manager);

  return gander_backup_lookup (store, id, error);
}

/* The question restore asks at the terminal. */
char *
cli_restore_question (CliRun           *run,
                      GanderBackupInfo *info,
                      const char       *name)
{
  g_autofree char *created = created_text (info);

  return g_strdup_printf (_("“restore” replaces the whole database %s with backup %s "
                            "(version %" PRId64 ", taken %s UTC) in the %s environment "
                            "and needs confirmation."),
                          name, gander_backup_info_get_id (info),
                          gander_backup_info_get_version (info), created,
                          gander_profile_get_environment (run->profile));
}

static void
print_health_table (GPtrArray *results)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < results->len; i++)
    {
      GanderHealthResult *result = g_ptr_array_index (results, i);
      const char *message = gander_health_result_get_message (result);
      g_autofree char *duration =
        cli_go_duration_string (cli_goose_truncate_duration (gander_health_result_get_duration (result) * 1000));
      g_auto(GStrv) lines = g_strsplit (message != NULL ? message : "", "\n", -1);

      /* "µs" is two bytes: pad by characters, not with printf's width */
      glong pad = MAX (0, 10 - g_utf8_strlen (duration, -1));

      g_string_append_printf (out, "%-7s %-24s %*s%s  %s\n",
                              health_status_nick (gander_health_result_get_status (result)),
                              gander_health_result_get_name (result), (int) pad, "",
                              duration, lines[0]);
      for (guint j = 1; lines[j] != NULL; j++)
        g_string_append_printf (out, "%44s%s\n", "", lines[j]);
    }
  fputs (out->str, stdout);
  fflush (stdout);
}

/* `gander health`: every check that needs no run. Exit 0 when each is ok
 * or only warns, 1 when one fails, 4 when the policy refuses. */
static int
health_done (CliRun          *run,
             GanderRunReport *report,
             const GError    *error)
{
  GPtrArray *results = report != NULL ? gander_run_report_get_health (report) : NULL;
  guint n[4] = { 0, };
  const char *overall;

  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      GanderHealthStatus status = gander_health_result_get_status (g_ptr_array_index (results, i));

      if ((guint) status < G_N_ELEMENTS (n))
        n[status]++;
    }
  overall = n[GANDER_HEALTH_STATUS_FAIL] > 0 ? "fail" :
            n[GANDER_HEALTH_STATUS_WARN] > 0 ? "warn" : "ok";

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, error != NULL && results == NULL ? "fail" : overall);
      json_builder_set_member_name (builder, "checks");
      json_builder_begin_array (builder);
      for (guint i = 0; results != NULL && i < results->len; i++)
        json_builder_add_value (builder, cli_json_health_node (g_ptr_array_index (results, i)));
      json_builder_end_array (builder);
      cli_json_end_gerror (builder, error);
    }
  else if (results != NULL && results->len > 0)
    print_health_table (results);

  if (results != NULL)
    cli_log (_("health: %u checks: %u ok, %u warned, %u failed, %u skipped"),
             results->len, n[GANDER_HEALTH_STATUS_OK], n[GANDER_HEALTH_STATUS_WARN],
             n[GANDER_HEALTH_STATUS_FAIL], n[GANDER_HEALTH_STATUS_SKIPPED]);

  if (error != NULL)
    {
      gboolean json = run->opts->json;
      int status;

      /* the JSON above carries the error already */
      run->opts->json = FALSE;
      status = cli_run_fail (run, error, NULL);
      run->opts->json = json;
      return status;
    }
  return CLI_EXIT_OK;
}

static int
backup_done (CliRun          *run,
             GanderRunReport *report)
{
  GanderBackupInfo *info = gander_run_report_get_backup (report);

  if (info != NULL)
    cli_log_backup_taken (info);
  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "backup");
      if (info != NULL)
        json_builder_add_value (builder, cli_json_backup_node (info));
      else
        json_builder_add_null_value (builder);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

static int
restore_done (CliRun          *run,
              GanderRunReport *report)
{
  GanderBackupInfo *info = gander_run_report_get_backup (report);
  g_autofree char *created = info != NULL ? created_text (info) : NULL;
  gint64 version = gander_run_report_get_to_version (report);

  if (info != NULL)
    cli_log (_("restore: backup %s (taken %s UTC) is back in place; current version: %" PRId64),
             gander_backup_info_get_id (info), created, version);
  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "backup");
      if (info != NULL)
        json_builder_add_value (builder, cli_json_backup_node (info));
      else
        json_builder_add_null_value (builder);
      cli_json_add_current_version (builder, TRUE, version);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

static int
prune_done (CliRun          *run,
            GanderRunReport *report)
{
  GPtrArray *pruned = gander_run_report_get_pruned (report);
  guint n = pruned != NULL ? pruned->len : 0;

  for (guint i = 0; i < n; i++)
    {
      GanderBackupInfo *info = g_ptr_array_index (pruned, i);
      g_autofree char *created = created_text (info);
      g_autofree char *size = size_text (gander_backup_info_get_size (info));

      cli_log (_("removed backup %s (taken %s UTC, version %" PRId64 ", %s)"),
               gander_backup_info_get_id (info), created,
               gander_backup_info_get_version (info), size);
    }
  if (n == 0)
    cli_log (_("backups prune: nothing to remove"));
  else
    cli_log (g_dngettext (GETTEXT_PACKAGE, "backups prune: %u backup removed",
                          "backups prune: %u backups removed", n), n);
  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_add_infos (builder, "removed", pruned);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

/* backup, restore, health and backups prune through the manager (after
 * the policy gate in gander-cli-db.c). */
int
cli_cmd_backup_operation (CliRun          *run,
                          GanderOperation  operation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderRunReport) report = NULL;

  report = gander_manager_execute (run->manager, operation, 0, run->options,
                                   run->cancellable, &error);
  if (operation == GANDER_OPERATION_HEALTH)
    {
      if (report == NULL)
        report = gander_manager_get_last_report (run->manager);
      return health_done (run, report, error);
    }
  if (report == NULL)
    {
      g_autoptr(GanderRunReport) last = gander_manager_get_last_report (run->manager);

      /* a backup taken before a later step failed is still there */
      if (last != NULL && operation == GANDER_OPERATION_BACKUP &&
          gander_run_report_get_backup (last) != NULL)
        cli_log_backup_taken (gander_run_report_get_backup (last));
      return cli_run_fail (run, error, NULL);
    }
  switch (operation)
    {
    case GANDER_OPERATION_BACKUP:
      return backup_done (run, report);
    case GANDER_OPERATION_RESTORE:
      return restore_done (run, report);
    case GANDER_OPERATION_PRUNE_BACKUPS:
    default:
      return prune_done (run, report);
    }
}
