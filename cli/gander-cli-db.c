/* gander-cli-db.c: the commands that run against a database
 *
 * up, up-by-one, up-to, down, down-to, redo, reset, status and version.
 * Semantics come from GanderMigrator (goose's Provider: the current version
 * is the highest applied one, and a run lock keeps concurrent runners
 * apart); the lines printed are goose's own, so scripts that read goose's
 * output keep working.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "gander.h"
#include "gander-cli.h"
#include "gander-cli-run.h"

typedef CliRun Run;

static const char * const db_commands[] = {
  "up", "up-by-one", "up-to", "down", "down-to", "redo", "reset",
  "status", "version",
  /* Gander's */
  "baseline", "repair", "breaker",
  "backup", "backups", "restore", "health",
};

gboolean
cli_is_db_command (const char *command)
{
  for (guint i = 0; i < G_N_ELEMENTS (db_commands); i++)
    if (g_str_equal (command, db_commands[i]))
      return TRUE;
  return FALSE;
}

/* `OK   00001_x.sql (1.23ms)`: goose's Migration.run log line. */
static void
log_result (GanderMigrationResult *result)
{
  g_autofree char *duration = NULL;
  gint64 ns = gander_migration_result_get_duration_us (result) * 1000;

  if (gander_migration_result_get_error (result) != NULL)
    return;
  duration = cli_go_duration_string (cli_goose_truncate_duration (ns));
  if (gander_migration_result_get_empty (result))
    cli_log ("EMPTY %s (%s)", gander_migration_result_get_name (result), duration);
  else
    cli_log ("OK   %s (%s)", gander_migration_result_get_name (result), duration);
}

/* Printed as each migration finishes, like goose, not when the whole run
 * is over: a long run shows its progress. */
static void
on_migration_finished (GanderMigrator        *migrator,
                       GanderMigrationResult *result,
                       gpointer               user_data)
{
  log_result (result);
}

/* The parser's warnings (goose quirks that probably surprise the author)
 * for the section about to run; the migrator keeps the parse, so this costs
 * nothing. */
static void
on_migration_started (GanderMigrator  *migrator,
                      GanderMigration *migration,
                      GanderDirection  direction,
                      gpointer         user_data)
{
  g_autoptr(GanderParsedSql) parsed = gander_migration_parse (migration, direction, NULL);
  const char * const *warnings;

  if (parsed == NULL)
    return;
  warnings = gander_parsed_sql_get_warnings (parsed);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    cli_warn ("%s", warnings[i]);
}

/* What the run does that its caller may not expect but that does not stop
 * it (a malformed section of the other direction, an up-to/down-to target
 * no file carries): a warning line on stderr, and the run goes on. */
static void
on_warning (GanderMigrator *migrator,
            const char     *message,
            gpointer        user_data)
{
  cli_warn ("%s", message);
}

/* goose's clearStatement: comment lines and blank lines are left out of
 * the verbose trace. */
static void
on_executing_statement (GanderMigrator  *migrator,
                        GanderMigration *migration,
                        guint            line,
                        const char      *sql,
                        gpointer         user_data)
{
  g_auto(GStrv) lines = g_strsplit (sql, "\n", -1);
  g_autoptr(GString) cleared = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "--") || *lines[i] == '\0')
        continue;
      if (cleared->len > 0)
        g_string_append_c (cleared, '\n');
      g_string_append (cleared, lines[i]);
    }
  cli_log_gray ("Executing statement: %s", cleared->str);
}

/* Prints the fatal error goose-style and returns the exit status. A
 * -timeout deadline and a signal are reported as what they are, not as the
 * "cancelled" the library sees. */
/* What the policy gate refused exits with status 4: the gate's own codes,
 * and on the managed path every refusal the manager's report names
 * (dirty marker, checksum drift, missing migrations in an environment
 * that makes them errors…). */
gboolean
cli_run_was_refused (CliRun       *run,
                     const GError *error)
{
  g_autoptr(GanderRunReport) report = NULL;

  if (cli_error_is_refusal (error))
    return TRUE;
  if (run->manager == NULL || !run->managed)
    return FALSE;
  report = gander_manager_get_last_report (run->manager);
  return report != NULL && gander_run_report_get_outcome (report) == GANDER_RUN_OUTCOME_REFUSED &&
         gander_run_report_get_error (report) != NULL &&
         g_error_matches (gander_run_report_get_error (report), error->domain, error->code);
}

/* dry-run-first: the plan shown before the run, in the JSON result too. */
static void
add_json_plan (Run         *run,
               JsonBuilder *builder)
{
  if (run->plan == NULL)
    return;
  json_builder_set_member_name (builder, "plan");
  json_builder_begin_object (builder);
  cli_plan_add_json_members (builder, run->plan, run->opts->dir);
  json_builder_end_object (builder);
}

/* A NO TRANSACTION migration that a signal or -timeout stopped is not
 * rolled back: what ran of it stays. NULL when no such migration was
 * running, else the sentence that says so and what to do. */
static char *
half_applied_note (Run       *run,
                   GPtrArray *results)
{
  g_autoptr(GPtrArray) last = NULL;

  if (results == NULL && run->migrator != NULL)
    results = last = gander_migrator_get_last_results (run->migrator);
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      GanderMigrationResult *result = g_ptr_array_index (results, i);
      GanderMigration *migration = gander_migration_result_get_migration (result);
      g_autoptr(GanderParsedSql) parsed = NULL;
      g_autofree char *path = NULL;
      g_autofree char *number = NULL;

      if (gander_migration_result_get_error (result) == NULL || migration == NULL)
        continue;
      parsed = gander_migration_parse (migration, gander_migration_result_get_direction (result),
                                       NULL);
      if (parsed == NULL || gander_parsed_sql_get_use_transaction (parsed))
        continue;
      path = cli_display_path (run->opts->dir, gander_migration_result_get_name (result));
      number = g_strdup_printf ("%" G_GINT64_FORMAT, gander_migration_result_get_version (result));
      /* TRANSLATORS: %s is a migration file, %s its version */
      return g_strdup_printf (_("%s runs without a transaction (-- +goose NO TRANSACTION), "
                                "so it was not rolled back and may be half applied: run "
                                "status (it shows the migration as running), check the "
                                "database by hand, then repair clear-dirty %s"),
                              path, number);
    }
  return NULL;
}

/* Reading the version opens a SQLite file, which creates it: a command
 * that failed before it was created must not leave one behind. */
static gboolean
sqlite_file_is_absent (Run *run)
{
  GanderDatabase *database = gander_migrator_get_database (run->migrator);
  g_autofree char *path = NULL;

  if (!g_str_equal (gander_database_get_dialect (database), "sqlite3"))
    return FALSE;
  path = cli_sqlite_path (run->dsn);
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

/* current_version in a failure document: the version the database was
 * left at. A run that applied or rolled back something read it and kept
 * it up to date; otherwise it is read now (null when that fails too, as
 * when the database cannot be reached, or when a signal or -timeout
 * stopped the command). */
static void
json_add_version_after_failure (Run         *run,
                                JsonBuilder *builder,
                                GPtrArray   *results)
{
  g_autoptr(GError) error = NULL;
  gint64 version = -1;

  if (run->migrator == NULL || run->opts->no_versioning)
    {
      cli_json_add_current_version (builder, FALSE, 0);
      return;
    }
  if (results != NULL && results->len > 0)
    version = gander_migrator_get_current_version (run->migrator);
  else if (!g_cancellable_is_cancelled (run->cancellable) && !sqlite_file_is_absent (run))
    version = gander_migrator_get_db_version (run->migrator, run->cancellable, &error);
  cli_json_add_current_version (builder, version >= 0, version);
}

int
cli_run_fail (Run          *run,
      const GError *error,
      GPtrArray    *results)
{
  g_autofree char *message = NULL;
  int status = CLI_EXIT_FAILURE;
  int sig = run->cancel != NULL ? cli_cancel_get_signal (run->cancel) : 0;
  const char *code = cli_json_error_code (error);

  if (run->cancel != NULL && cli_cancel_timed_out (run->cancel))
    {
      message = g_strdup_printf (_("timed out after %s (-timeout): %s"),
                                 run->opts->timeout_text, error->message);
      code = "timeout";
    }
  else if (sig != 0)
    {
      message = g_strdup_printf (_("interrupted by %s: %s"),
                                 sig == SIGINT ? "SIGINT" : "SIGTERM",
                                 error->message);
      status = 128 + sig;
      code = "cancelled";
    }
  else if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS) &&
           strrchr (error->message, '\n') != NULL)
    {
      /* the library's last line advises its run option: name the flag */
      const char *advice = strrchr (error->message, '\n');

      message = g_strdup_printf ("%.*s\n%s", (int) (advice - error->message), error->message,
                                 _("they are older than the database version: run again with "
                                   "-allow-missing to apply them out of order, or renumber them"));
    }
  else
    message = g_strdup (error->message);

  if ((run->cancel != NULL && cli_cancel_timed_out (run->cancel)) || sig != 0)
    {
      g_autofree char *note = half_applied_note (run, results);

      if (note != NULL)
        {
          char *with_note = g_strconcat (message, "\n", note, NULL);

          g_free (message);
          message = with_note;
        }
    }

  if (status == CLI_EXIT_FAILURE && cli_run_was_refused (run, error))
    status = CLI_EXIT_REFUSED;

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      cli_json_add_results (builder, results);
      json_add_version_after_failure (run, builder, results);
      add_json_plan (run, builder);
      cli_json_end_error (builder, code, message);
    }
  cli_fatal_message (status == CLI_EXIT_REFUSED ? "refused: " : "goose run: ", message);
  return status;
}

/* The results of a run that failed half way: what was applied before the
 * failure is printed like goose prints it, then the error. */
static int
fail_with_partial (Run          *run,
                   const GError *error)
{
  g_autoptr(GPtrArray) partial = gander_migrator_get_last_results (run->migrator);

  return cli_run_fail (run, error, partial);
}

/* Which closing line goose prints after the OK lines. */
typedef enum {
  SUMMARY_NONE,   /* up-by-one, down, redo, reset: only the OK lines */
  SUMMARY_UP,     /* up, up-to */
  SUMMARY_DOWN,   /* down-to (and reset, down with -no-versioning) */
} Summary;

static int
finish_results (Run        *run,
                GPtrArray  *results,
                Summary     summary)
{
  gint64 version = 0;
  gboolean have_version = FALSE;

  if (run->opts->no_versioning)
    {
      /* goose -no-versioning reports the file version it stopped at */
      if (summary == SUMMARY_UP)
        {
          gint64 max = 0;
          for (guint i = 0; i < results->len; i++)
            max = MAX (max, gander_migration_result_get_version (g_ptr_array_index (results, i)));
          cli_log ("goose: up to current file version: %" G_GINT64_FORMAT, max);
        }
      else if (summary == SUMMARY_DOWN)
        {
          gint64 lowest = G_MAXINT64, remaining = 0;
          g_autoptr(GPtrArray) all = gander_source_get_migrations (run->source);

          for (guint i = 0; i < results->len; i++)
            lowest = MIN (lowest, gander_migration_result_get_version (g_ptr_array_index (results, i)));
          for (guint i = 0; i < all->len; i++)
            {
              gint64 v = gander_migration_get_version (g_ptr_array_index (all, i));
              if (v < lowest)
                remaining = MAX (remaining, v);
            }
          cli_log ("goose: down to current file version: %" G_GINT64_FORMAT, remaining);
        }
    }
  else if (summary != SUMMARY_NONE || run->opts->json)
    {
      /* the migrator tracks it through the run: no extra query */
      version = gander_migrator_get_current_version (run->migrator);
      have_version = TRUE;
      if (summary == SUMMARY_UP && results->len > 0)
        cli_log ("goose: successfully migrated database to version: %" G_GINT64_FORMAT,
                 version);
      else if (summary != SUMMARY_NONE)
        cli_log ("goose: no migrations to run. current version: %" G_GINT64_FORMAT,
                 version);
    }

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      cli_json_add_results (builder, results);
      /* null with -no-versioning: the database is not read */
      cli_json_add_current_version (builder, have_version, version);
      add_json_plan (run, builder);
      if (run->managed && run->report != NULL)
        cli_json_add_backup_and_health (builder, run->report);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

static GPtrArray *
single_result (GanderMigrationResult *result)
{
  GPtrArray *results = g_ptr_array_new_with_free_func (g_object_unref);

  if (result != NULL)
    g_ptr_array_add (results, result);
  return results;
}

/* One operation of the up/down family: the migrator alone on the plain
 * path (goose's behaviour, nothing more), the manager's pipeline
 * otherwise. The results, or NULL with @error set. */
static GPtrArray *
execute (Run              *run,
         GanderOperation   operation,
         gint64            target,
         GError          **error)
{
  g_autoptr(GanderRunReport) report = NULL;
  GanderMigrationResult *one = NULL;

  if (run->managed)
    {
      report = gander_manager_execute (run->manager, operation, target, run->options,
                                       run->cancellable, error);
      g_clear_object (&run->report);
      run->report = report != NULL ? g_object_ref (report)
                                   : gander_manager_get_last_report (run->manager);
      /* the backup taken and the checks that did not pass, also when the
       * run failed after them */
      cli_report_backup_and_health (run, run->report);
      if (report == NULL)
        return NULL;
      return g_ptr_array_ref (gander_run_report_get_results (report));
    }

  switch (operation)
    {
    case GANDER_OPERATION_UP:
      return gander_migrator_up (run->migrator, run->cancellable, error);
    case GANDER_OPERATION_UP_TO:
      return gander_migrator_up_to (run->migrator, target, run->cancellable, error);
    case GANDER_OPERATION_DOWN_TO:
      return gander_migrator_down_to (run->migrator, target, run->cancellable, error);
    case GANDER_OPERATION_REDO:
      return gander_migrator_redo (run->migrator, run->cancellable, error);
    case GANDER_OPERATION_RESET:
      return gander_migrator_reset (run->migrator, run->cancellable, error);
    case GANDER_OPERATION_UP_BY_ONE:
      one = gander_migrator_up_by_one (run->migrator, run->cancellable, error);
      break;
    case GANDER_OPERATION_DOWN:
    default:
      one = gander_migrator_down (run->migrator, run->cancellable, error);
      break;
    }
  return one != NULL ? single_result (one) : NULL;
}

static int
cmd_up (Run    *run,
        gint64  target,
        gboolean up_to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = execute (run, up_to ? GANDER_OPERATION_UP_TO : GANDER_OPERATION_UP, target, &error);
  if (results == NULL)
    return fail_with_partial (run, error);
  return finish_results (run, results, SUMMARY_UP);
}

static int
cmd_up_by_one (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = execute (run, GANDER_OPERATION_UP_BY_ONE, 0, &error);
  if (results == NULL)
    {
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION))
        {
          g_autoptr(GError) goose_error = NULL;
          gint64 version = gander_migrator_get_current_version (run->migrator);

          /* goose: the "no migrations" line, then a failure (exit 1) */
          cli_log ("goose: no migrations to run. current version: %" G_GINT64_FORMAT,
                   version);
          goose_error = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                                             "no next version found");
          return cli_run_fail (run, goose_error, NULL);
        }
      return fail_with_partial (run, error);
    }
  return finish_results (run, results, SUMMARY_NONE);
}

/* After goose's line ("no current version found"), a plain sentence on
 * a line of its own: goose's words are kept for the scripts that look for
 * them, but they do not tell a person what happened. */
static void
explain_no_current_version (GError *error,
                            gint64  version)
{
  g_autofree char *sentence = NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, version);
  char *message;

  if (version == 0)
    sentence = g_strdup (_("Nothing to roll back: no migration is applied to this database."));
  else
    /* TRANSLATORS: %s is a version number */
    sentence = g_strdup_printf (_("Nothing was rolled back: the database's current version "
                                  "is %s, and no migration file has that version (run "
                                  "status to compare files and database)."),
                                number);
  message = g_strconcat (error->message, "\n", sentence, NULL);
  g_free (error->message);
  error->message = message;
}

static int
cmd_down (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = execute (run, GANDER_OPERATION_DOWN, 0, &error);
  if (results == NULL)
    {
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION))
        {
          g_autoptr(GError) goose_error = NULL;
          gint64 version = gander_migrator_get_current_version (run->migrator);

          goose_error = g_error_new (GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                                     "migration %" G_GINT64_FORMAT ": no current version found",
                                     version);
          explain_no_current_version (goose_error, version);
          return cli_run_fail (run, goose_error, NULL);
        }
      return fail_with_partial (run, error);
    }
  return finish_results (run, results, run->opts->no_versioning ? SUMMARY_DOWN : SUMMARY_NONE);
}

static int
cmd_down_to (Run    *run,
             gint64  target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = execute (run, GANDER_OPERATION_DOWN_TO, target, &error);
  if (results == NULL)
    return fail_with_partial (run, error);
  return finish_results (run, results, SUMMARY_DOWN);
}

static int
cmd_redo (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = execute (run, GANDER_OPERATION_REDO, 0, &error);
  if (results == NULL)
    {
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION))
        {
          g_autoptr(GError) goose_error =
            g_error_new_literal (GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                                 "no current version found");
          explain_no_current_version (goose_error,
                                      gander_migrator_get_current_version (run->migrator));
          return cli_run_fail (run, goose_error, NULL);
        }
      return fail_with_partial (run, error);
    }
  return finish_results (run, results, SUMMARY_NONE);
}

static int
cmd_reset (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = execute (run, GANDER_OPERATION_RESET, 0, &error);
  if (results == NULL)
    return fail_with_partial (run, error);
  return finish_results (run, results, run->opts->no_versioning ? SUMMARY_DOWN : SUMMARY_NONE);
}

/* applied-at as the databases render goose's tstamp (`YYYY-MM-DD
 * HH:MM:SS`, UTC): what the ANSIC column is made from. NULL when
 * unknown. */
static char *
applied_at_text (GanderMigrationStatus *status)
{
  GDateTime *at = gander_migration_status_get_applied_at (status);
  int year, month, day;

  if (at == NULL)
    return NULL;
  g_date_time_get_ymd (at, &year, &month, &day);
  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d", year, month, day,
                          g_date_time_get_hour (at), g_date_time_get_minute (at),
                          g_date_time_get_second (at));
}

static const char *
status_column (GanderMigrationStatus *status,
               char                 **to_free)
{
  switch (gander_migration_status_get_state (status))
    {
    case GANDER_MIGRATION_STATE_APPLIED:
      {
        g_autofree char *text = applied_at_text (status);

        *to_free = cli_go_ansic_time (text);
      }
      return *to_free;
    case GANDER_MIGRATION_STATE_RUNNING:
      /* not translated: scripts read this table */
      return "Running (interrupted)";
    case GANDER_MIGRATION_STATE_PENDING:
    default:
      return "Pending";
    }
}

/* An applied version no file carries: say so, and when a pending file has
 * the content recorded for it, that it looks renamed (the usual slip:
 * `goose fix` run after the timestamped files were applied). */
static void
warn_orphan (Run                   *run,
             GanderMigrationStatus *status)
{
  gint64 version = gander_migration_status_get_version (status);
  const char *name = gander_migration_status_get_name (status);
  const char *renamed_to = gander_migration_status_get_renamed_to (status);
  const char *dir = run->opts->dir;

  if (renamed_to != NULL)
    cli_warn (_("version %lld (%s) is recorded as applied, but no file in %s "
                "has that version; %s has the same content, so it looks "
                "renamed after it ran (goose fix?). `up` would apply it a "
                "second time: rename it back to %s"),
              (long long) version, name != NULL ? name : "?", dir, renamed_to,
              name != NULL ? name : _("its old name"));
  else if (name != NULL)
    cli_warn (_("version %lld (%s) is recorded as applied, but no file in %s "
                "has that version (deleted or renamed): restore the file, or "
                "`down` cannot roll it back"),
              (long long) version, name, dir);
  else
    cli_warn (_("version %lld is recorded as applied, but no file in %s has "
                "that version (deleted or renamed): restore the file, or "
                "`down` cannot roll it back"),
              (long long) version, dir);
}

static int
cmd_status (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  guint n_pending = 0;
  guint n_orphans = 0;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GString) table = NULL;

  if (run->opts->no_versioning)
    {
      /* goose: the table is never read, every file says so */
      g_autoptr(GPtrArray) all = gander_source_get_migrations (run->source);

      table = g_string_sized_new (MIN (64 * (all->len + 2), CLI_LOG_BLOCK_SIZE + 256));

      cli_log_block_append (table, "    Applied At                  Migration");
      cli_log_block_append (table, "    =======================================");
      for (guint i = 0; i < all->len; i++)
        cli_log_block_append (table, "    %-24s -- %s", "no versioning",
                              gander_migration_get_name (g_ptr_array_index (all, i)));
      cli_log_block_flush (table);
      if (run->opts->json)
        {
          builder = cli_json_begin (run->command);
          json_builder_set_member_name (builder, "migrations");
          json_builder_begin_array (builder);
          for (guint i = 0; i < all->len; i++)
            {
              GanderMigration *m = g_ptr_array_index (all, i);

              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "version");
              json_builder_add_int_value (builder, gander_migration_get_version (m));
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, gander_migration_get_name (m));
              json_builder_set_member_name (builder, "state");
              json_builder_add_string_value (builder, "no-versioning");
              json_builder_set_member_name (builder, "applied_at");
              json_builder_add_null_value (builder);
              json_builder_set_member_name (builder, "checksum_modified");
              json_builder_add_boolean_value (builder, FALSE);
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
          /* the same members as with a version table: nothing is read */
          json_builder_set_member_name (builder, "pending");
          json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "orphans");
          json_builder_begin_array (builder);
          json_builder_end_array (builder);
          cli_json_end (builder, NULL);
        }
      return CLI_EXIT_OK;
    }

  statuses = gander_migrator_status_full (run->migrator, GANDER_STATUS_FLAGS_ORPHANS,
                                          run->cancellable, &error);
  if (statuses == NULL)
    return cli_run_fail (run, error, NULL);

  /* the table in as few writes as its size allows (one for up to ~1600
   * migrations, see CLI_LOG_BLOCK_SIZE) */
  table = g_string_sized_new (MIN (64 * (statuses->len + 2), CLI_LOG_BLOCK_SIZE + 256));
  cli_log_block_append (table, "    Applied At                  Migration");
  cli_log_block_append (table, "    =======================================");
  for (guint i = 0; i < statuses->len; i++)
    {
      GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
      g_autofree char *to_free = NULL;

      /* goose's table lists files only; orphans are reported below */
      if (gander_migration_status_get_state (status) == GANDER_MIGRATION_STATE_MISSING)
        continue;
      cli_log_block_append (table, "    %-24s -- %s", status_column (status, &to_free),
                            gander_migration_status_get_name (status));
    }
  cli_log_block_flush (table);

  for (guint i = 0; i < statuses->len; i++)
    {
      GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
      const char *name = gander_migration_status_get_name (status);

      switch (gander_migration_status_get_state (status))
        {
        case GANDER_MIGRATION_STATE_PENDING:
          n_pending++;
          break;
        case GANDER_MIGRATION_STATE_RUNNING:
          n_pending++;
          cli_warn (_("%s (version %lld) runs without a "
                      "transaction and did not finish: it may be half "
                      "applied. Check the database by hand, complete or "
                      "undo the migration, then clear the marker with: "
                      "gander repair clear-dirty %lld (add --mark-applied "
                      "if you completed it)"),
                    name, (long long) gander_migration_status_get_version (status),
                    (long long) gander_migration_status_get_version (status));
          break;
        case GANDER_MIGRATION_STATE_MISSING:
          n_orphans++;
          warn_orphan (run, status);
          break;
        case GANDER_MIGRATION_STATE_APPLIED:
        default:
          break;
        }
      if (gander_migration_status_get_modified (status))
        {
          const char *recorded = gander_migration_status_get_recorded_checksum (status);

          cli_warn (_("%s (version %lld) was modified after "
                      "it was applied (recorded checksum %.12s…): the "
                      "database may not match the file"),
                    name, (long long) gander_migration_status_get_version (status),
                    recorded != NULL ? recorded : "?");
        }
    }

  if (run->opts->json)
    {
      builder = cli_json_begin (run->command);
      json_builder_set_member_name (builder, "migrations");
      json_builder_begin_array (builder);
      for (guint i = 0; i < statuses->len; i++)
        {
          GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
          GanderMigrationState state = gander_migration_status_get_state (status);
          g_autofree char *applied_at = NULL;

          if (state == GANDER_MIGRATION_STATE_MISSING)
            continue;
          /* RFC 3339, whole seconds on both engines (docs/json.md) */
          applied_at = cli_json_time (gander_migration_status_get_applied_at (status), FALSE);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "version");
          json_builder_add_int_value (builder, gander_migration_status_get_version (status));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, gander_migration_status_get_name (status));
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, gander_migration_state_to_string (state));
          json_builder_set_member_name (builder, "applied_at");
          if (state != GANDER_MIGRATION_STATE_PENDING && applied_at != NULL)
            json_builder_add_string_value (builder, applied_at);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "checksum_modified");
          json_builder_add_boolean_value (builder, gander_migration_status_get_modified (status));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "pending");
      json_builder_add_int_value (builder, n_pending);
      /* Gander's addition: applied versions no file carries */
      json_builder_set_member_name (builder, "orphans");
      json_builder_begin_array (builder);
      for (guint i = 0; i < statuses->len && n_orphans > 0; i++)
        {
          GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
          g_autofree char *applied_at = NULL;

          if (gander_migration_status_get_state (status) != GANDER_MIGRATION_STATE_MISSING)
            continue;
          applied_at = cli_json_time (gander_migration_status_get_applied_at (status), FALSE);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "version");
          json_builder_add_int_value (builder, gander_migration_status_get_version (status));
          json_builder_set_member_name (builder, "name");
          if (gander_migration_status_get_name (status) != NULL)
            json_builder_add_string_value (builder, gander_migration_status_get_name (status));
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "applied_at");
          if (applied_at != NULL)
            json_builder_add_string_value (builder, applied_at);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "renamed_to");
          if (gander_migration_status_get_renamed_to (status) != NULL)
            json_builder_add_string_value (builder, gander_migration_status_get_renamed_to (status));
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      cli_json_end (builder, NULL);
    }

  if (run->opts->exit_code && n_pending > 0)
    return CLI_EXIT_PENDING;
  return CLI_EXIT_OK;
}

static int
cmd_version (Run *run)
{
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  if (run->opts->no_versioning)
    {
      version = gander_source_get_max_version (run->source);
      cli_log ("goose: file version %" G_GINT64_FORMAT, version);
    }
  else
    {
      version = gander_migrator_get_db_version (run->migrator, run->cancellable, &error);
      if (version < 0)
        return cli_run_fail (run, error, NULL);
      cli_log ("goose: version %" G_GINT64_FORMAT, version);
    }

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, version);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

/* --dry-run: the plan, on stdout, and nothing else. The manager reads it
 * without the run lock and creates nothing (not even a SQLite file that
 * does not exist yet); a run that could not start (nothing to roll back,
 * missing migrations, a dirty marker, a rule of the environment) fails as
 * the real command would, after the plan shows why. */
static int
cmd_dry_run (Run             *run,
             GanderOperation  operation,
             gint64           target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  GanderPlan *plan;
  int status;

  report = gander_manager_execute (run->manager, operation, target, run->options,
                                   run->cancellable, &error);
  if (report == NULL)
    report = gander_manager_get_last_report (run->manager);
  plan = report != NULL ? gander_run_report_get_plan (report) : NULL;
  if (plan == NULL)
    return cli_run_fail (run, error, NULL);

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "dry_run");
      json_builder_add_boolean_value (builder, TRUE);
      cli_plan_add_json_members (builder, plan, run->opts->dir);
      cli_lint_add_json_findings (builder, gander_run_report_get_lint_findings (report));
      /* the plan's current_version is the document's */
      g_object_set_data (G_OBJECT (builder), "gander-cli-json-current-version",
                         GINT_TO_POINTER (1));
      cli_json_end_gerror (builder, error);
    }
  else
    cli_plan_print_text (plan, run->opts->dir);
  /* a dry run runs the checks before a run: those that did not pass */
  cli_report_backup_and_health (run, report);

  if (error != NULL)
    {
      gboolean json = run->opts->json;

      /* the JSON above carries the error already */
      run->opts->json = FALSE;
      status = cli_run_fail (run, error, NULL);
      run->opts->json = json;
      return status;
    }
  if (gander_plan_get_n_steps (plan) == 0)
    cli_log ("goose: no migrations to run. current version: %" G_GINT64_FORMAT,
             gander_plan_get_current_version (plan));
  else
    cli_log (g_dngettext (GETTEXT_PACKAGE,
                          "dry run: %u migration would run from version %" PRId64 "; nothing was changed",
                          "dry run: %u migrations would run from version %" PRId64 "; nothing was changed",
                          gander_plan_get_n_steps (plan)),
             gander_plan_get_n_steps (plan), gander_plan_get_current_version (plan));
  return CLI_EXIT_OK;
}

/* goose's own wording for a bad VERSION argument. */
static gboolean
parse_target (const char  *command,
              char       **argv,
              gint64      *target)
{
  const char *arg = argv[0];

  if (arg == NULL)
    {
      cli_usage_error (_("%s must be of form: gander DRIVER DBSTRING [OPTIONS] %s VERSION"),
                       command, command);
      return FALSE;
    }
  if (!g_ascii_string_to_signed (arg, 10, G_MININT64, G_MAXINT64, target, NULL))
    {
      cli_usage_error (_("version must be a number (got '%s')"), arg);
      return FALSE;
    }
  return TRUE;
}

/* How the user typed a command the policy knows by another name. */
static const char *
command_display_name (const char *policy_name)
{
  if (g_str_equal (policy_name, "clear-dirty"))
    return "repair clear-dirty";
  if (g_str_equal (policy_name, "accept-checksum"))
    return "repair accept-checksum";
  if (g_str_equal (policy_name, "breaker-reset"))
    return "breaker reset";
  if (g_str_equal (policy_name, "prune-backups"))
    return "backups prune";
  if (g_str_equal (policy_name, "breaker-status"))
    return "breaker status";
  return policy_name;
}

/* The policy gate, before anything is opened: the environment's rules,
 * and for a guarded command the confirmation — --confirm NAME, or the name
 * typed at a prompt when there is a terminal (the plan of a dry-run-first
 * environment is printed before the question). Returns -1 to go on, else
 * the exit status. */
static int
check_gate (Run             *run,
            GanderOperation  operation,
            gint64           target)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  gboolean ask = FALSE;
  GanderPlanOperation plan_op;
  const char *shown = command_display_name (run->command);

  if (run->opts->confirm != NULL)
    gander_run_options_set_confirmation (run->options, run->opts->confirm);
  if (!gander_manager_check_policy (run->manager, operation, run->options, &error))
    {
      /* the run itself refuses, so that the refusal is audited and
       * counted like any other */
      if (!g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED) ||
          run->opts->confirm != NULL || !cli_confirm_can_prompt ())
        return -1;
      ask = TRUE;
      g_clear_error (&error);
    }

  /* dry-run-first: what will run, before it runs (and before the question) */
  if (!run->opts->dry_run && gander_profile_get_dry_run_first (run->profile) &&
      cli_plan_operation_from_command (run->command, &plan_op))
    {
      run->plan = gander_migrator_plan (run->migrator, plan_op, target, run->cancellable, &error);
      if (run->plan == NULL)
        {
          /* At a prompt, a person sees the failure itself. Otherwise the
           * run meets the same failure in its own plan step, where it is
           * audited, counted in the metrics and seen by the circuit
           * breaker (a crash loop against a database that is down must
           * open it). */
          if (ask)
            return cli_run_fail (run, error, NULL);
          g_clear_error (&error);
          return -1;
        }
      if (!run->opts->json)
        cli_plan_print_text (run->plan, run->opts->dir);
    }

  if (ask)
    {
      const char *profile_name = gander_profile_get_name (run->profile);
      g_autofree char *name = cli_confirmation_name (profile_name, run->driver, run->dsn);
      g_autofree char *question = NULL;

      if (run->backup != NULL)
        question = cli_restore_question (run, run->backup, name != NULL ? name : "?");
      else
        question = g_strdup_printf (_("“%s” changes %s in the %s environment and needs confirmation."),
                                    shown, name != NULL ? name : "?",
                                    gander_profile_get_environment (run->profile));

      answer = cli_confirm_prompt (question, name != NULL ? name : "?", run->cancellable, &error);
      if (answer == NULL)
        return cli_run_fail (run, error, NULL);
      /* the manager compares it with the name and refuses a wrong one */
      gander_run_options_set_confirmation (run->options, answer);
    }
  return -1;
}

/* --statement-timeout is PostgreSQL's (the library maps the profile's
 * timeouts onto the connection; this only says when one cannot apply). */
static void
warn_timeouts (GanderDatabase *database,
               CliOptions     *opts)
{
  if (!GANDER_IS_POSTGRES_DATABASE (database) && opts->statement_timeout_ms >= 0)
    cli_warn (_("--statement-timeout applies to PostgreSQL only; "
                "use -timeout to bound the whole command"));
}

/* goose's -certfile, -ssl-cert and -ssl-key set up MySQL's TLS; with
 * PostgreSQL they would silently do nothing: say where libpq takes them. */
static void
warn_tls_flags (GanderDatabase *database,
                CliOptions     *opts)
{
  const struct { const char *flag; const char *value; const char *key; } tls[] = {
    { "certfile", opts->certfile, "sslrootcert" },
    { "ssl-cert", opts->ssl_cert, "sslcert" },
    { "ssl-key", opts->ssl_key, "sslkey" },
  };

  if (!GANDER_IS_POSTGRES_DATABASE (database))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (tls); i++)
    if (tls[i].value != NULL)
      /* TRANSLATORS: -%s is goose's flag, %s= the libpq DSN key, then the
       * key again with the flag's value, as an example */
      cli_warn (_("-%s is goose's MySQL TLS flag and does nothing with PostgreSQL: "
                  "put %s= in DBSTRING instead (libpq), for example \"%s=%s "
                  "sslmode=verify-full\""),
                tls[i].flag, tls[i].key, tls[i].key, tls[i].value);
}

/* The name the configuration, the policy, the audit log and the metrics
 * know a command by (see the API contract of issue 8), and its VERSION
 * argument. Returns -1 to go on, else the exit status (usage errors). */
static int
resolve_command (const char   *command,
                 char        **argv,
                 const char  **policy_name,
                 const char  **subcommand,
                 gint64       *version,
                 const char  **backup_id)
{
  *policy_name = command;
  *subcommand = NULL;
  *backup_id = NULL;
  if (g_str_equal (command, "backup") || g_str_equal (command, "health"))
    {
      if (argv[0] != NULL)
        return cli_usage_error (_("%s takes no arguments (got '%s')"), command, argv[0]);
      return -1;
    }
  if (g_str_equal (command, "backups"))
    {
      if (argv[0] == NULL)
        return -1;
      if (!g_str_equal (argv[0], "prune") || argv[1] != NULL)
        return cli_usage_error (_("backups must be of form: gander DRIVER DBSTRING "
                                  "[OPTIONS] backups [prune [--keep N] [--max-age D]]"));
      *subcommand = argv[0];
      *policy_name = "prune-backups";
      return -1;
    }
  if (g_str_equal (command, "restore"))
    {
      if (argv[0] == NULL || argv[1] != NULL || *argv[0] == '\0')
        return cli_usage_error (_("restore must be of form: gander DRIVER DBSTRING "
                                  "[OPTIONS] restore ID|latest [--confirm NAME] "
                                  "(`gander backups` lists the ids)"));
      *backup_id = argv[0];
      return -1;
    }
  if (g_str_equal (command, "up-to") || g_str_equal (command, "down-to") ||
      g_str_equal (command, "baseline"))
    return parse_target (command, argv, version) ? -1 : CLI_EXIT_USAGE;
  if (g_str_equal (command, "repair"))
    {
      if (argv[0] == NULL ||
          (!g_str_equal (argv[0], "clear-dirty") && !g_str_equal (argv[0], "accept-checksum")))
        return cli_usage_error (_("repair must be of form: gander DRIVER DBSTRING "
                                  "[OPTIONS] repair clear-dirty|accept-checksum VERSION"));
      *subcommand = argv[0];
      *policy_name = argv[0];
      return parse_target (argv[0], argv + 1, version) ? -1 : CLI_EXIT_USAGE;
    }
  if (g_str_equal (command, "breaker"))
    {
      if (argv[0] == NULL || (!g_str_equal (argv[0], "status") && !g_str_equal (argv[0], "reset")))
        return cli_usage_error (_("breaker must be of form: gander DRIVER DBSTRING "
                                  "[OPTIONS] breaker status|reset"));
      *subcommand = argv[0];
      *policy_name = g_str_equal (argv[0], "reset") ? "breaker-reset" : "breaker-status";
    }
  return -1;
}

/* The Gander-only commands of issue 9: always through the manager. */
static gboolean
is_backup_operation (GanderOperation operation)
{
  return operation == GANDER_OPERATION_BACKUP || operation == GANDER_OPERATION_RESTORE ||
         operation == GANDER_OPERATION_HEALTH || operation == GANDER_OPERATION_PRUNE_BACKUPS;
}

/* Messages of the run, each shown once: the manager repeats some of the
 * migrator's (a plan's warnings) in its own signal. */
static void
on_run_warning (GObject    *object,
                const char *message,
                gpointer    user_data)
{
  GHashTable *seen = user_data;

  if (!g_hash_table_add (seen, g_strdup (message)))
    return;
  cli_warn ("%s", message);
}

/* Every migration baseline would record: the pending ones up to @version. */
static GPtrArray *
pending_up_to (Run     *run,
               gint64   version,
               GError **error)
{
  g_autoptr(GPtrArray) statuses = NULL;
  GPtrArray *pending = g_ptr_array_new_with_free_func (g_free);

  statuses = gander_migrator_status (run->migrator, run->cancellable, error);
  if (statuses == NULL)
    {
      g_ptr_array_unref (pending);
      return NULL;
    }
  for (guint i = 0; i < statuses->len; i++)
    {
      GanderMigrationStatus *s = g_ptr_array_index (statuses, i);

      if (gander_migration_status_get_version (s) <= version &&
          gander_migration_status_get_state (s) == GANDER_MIGRATION_STATE_PENDING)
        g_ptr_array_add (pending, g_strdup (gander_migration_status_get_name (s)));
    }
  return pending;
}

/* status and version on the managed path: the manager's run first. */
static gboolean
execute_read (Run              *run,
              GanderOperation   operation,
              GError          **error)
{
  g_autoptr(GanderRunReport) report =
    gander_manager_execute (run->manager, operation, 0, run->options, run->cancellable, error);

  return report != NULL;
}

/* `breaker status`: the manager's breaker, or for an environment without
 * one (breaker-threshold 0) the same key's state file read as it is. */
static int
cmd_breaker_status (Run *run)
{
  GanderCircuitBreaker *breaker = gander_manager_get_breaker (run->manager);
  g_autoptr(GanderCircuitBreaker) own = NULL;

  if (breaker == NULL)
    {
      GanderDatabase *database = gander_migrator_get_database (run->migrator);
      g_autofree char *key =
        gander_circuit_breaker_make_key (gander_profile_get_name (run->profile),
                                         gander_database_get_dialect (database),
                                         gander_database_get_dsn (database));

      breaker = own = gander_circuit_breaker_new (key, NULL, 0,
                                                  gander_profile_get_breaker_open (run->profile));
    }
  return cli_cmd_breaker (run, breaker);
}

/* baseline, repair clear-dirty, repair accept-checksum and breaker reset:
 * through the manager (policy, confirmation, audit), on every path. */
static int
cmd_manager_operation (Run             *run,
                       GanderOperation  operation,
                       gint64           target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GanderRunReport) report = NULL;

  if (operation == GANDER_OPERATION_BASELINE)
    {
      /* what will be recorded, read before: the library does not list it
       * (not when the gate refuses: nothing is read then) */
      if (gander_manager_check_policy (run->manager, operation, run->options, NULL))
        {
          recorded = pending_up_to (run, target, &error);
          if (recorded == NULL)
            return cli_run_fail (run, error, NULL);
        }
    }
  report = gander_manager_execute (run->manager, operation, target, run->options,
                                   run->cancellable, &error);
  if (report == NULL)
    return cli_run_fail (run, error, NULL);

  switch (operation)
    {
    case GANDER_OPERATION_BASELINE:
      if (recorded == NULL)
        recorded = g_ptr_array_new_with_free_func (g_free);
      return cli_cmd_baseline_done (run, target, recorded,
                                    gander_run_report_get_to_version (report));
    case GANDER_OPERATION_CLEAR_DIRTY:
      return cli_cmd_clear_dirty_done (run, target, run->opts->mark_applied);
    case GANDER_OPERATION_ACCEPT_CHECKSUM:
      return cli_cmd_accept_checksum_done (run, target);
    case GANDER_OPERATION_BREAKER_RESET:
    default:
      cli_log (_("breaker reset: runs are allowed again"));
      return cmd_breaker_status (run);
    }
}

int
cli_run_db_command (CliOptions    *opts,
                    GanderProfile *profile,
                    const char    *driver,
                    const char    *dsn,
                    const char    *command,
                    char         **argv)
{
  g_autoptr(CliCancel) cancel = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderDatabase) database = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) run_options = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* after source: stopped (joined) before the source goes */
  Run run = { 0, };
  gint64 target = 0;
  int status;
  GanderOperation operation = GANDER_OPERATION_UP;
  const char *policy_name = command;
  const char *subcommand = NULL;
  const char *backup_id = NULL;

  run.opts = opts;
  run.seen = seen;
  run.command = command;
  run.profile = profile;
  run.driver = driver;
  run.dsn = dsn;

  /* stdout carries the JSON result: goose's informational lines go */
  cli_log_set_quiet (opts->json);

  /* The deadline covers the whole command; the signal thread must exist
   * before any other thread so they all inherit its signal mask. */
  cancel = cli_cancel_new (opts->timeout_ns);
  run.cancel = cancel;
  run.cancellable = cli_cancel_get_cancellable (cancel);

  database = gander_database_new_for_driver (driver, dsn, &error);
  if (database == NULL)
    {
      g_autofree char *masked = gander_dsn_mask (dsn);
      g_autofree char *quoted = cli_go_quote (masked);
      g_autofree char *prefix = g_strdup_printf ("-dbstring=%s: ", quoted);

      if (opts->json)
        {
          g_autoptr(JsonBuilder) builder = cli_json_begin (command);

          cli_json_end_gerror (builder, error);
        }
      cli_fatal_message (prefix, error->message);
      return CLI_EXIT_FAILURE;
    }
  /* after the driver, as goose opens the database first */
  if (!cli_is_db_command (command))
    {
      g_autofree char *quoted = cli_go_quote (command);
      const char *nearest = cli_nearest_command (command);

      if (nearest != NULL)
        /* TRANSLATORS: the first %s is the quoted word, the second a command */
        return cli_usage_error (_("%s: no such command; did you mean %s?"), quoted, nearest);
      return cli_usage_error (_("%s: no such command"), quoted);
    }
  status = resolve_command (command, argv, &policy_name, &subcommand, &target, &backup_id);
  if (status >= 0)
    return status;
  if (subcommand != NULL)
    run.command = policy_name;
  if (!g_str_equal (policy_name, "breaker-status") && !g_str_equal (policy_name, "backups") &&
      !gander_operation_from_string (policy_name, &operation))
    g_assert_not_reached ();

  if (opts->dry_run && !cli_plan_operation_from_command (command, &(GanderPlanOperation) { 0 }) &&
      !g_str_equal (command, "status") && !g_str_equal (command, "version") &&
      !g_str_equal (policy_name, "breaker-status") && !g_str_equal (policy_name, "backups"))
    return cli_usage_error (_("--dry-run is for up, up-by-one, up-to, down, down-to, "
                              "redo and reset; %s has no plan to show"),
                            command_display_name (policy_name));

  if (opts->table != NULL)
    {
      if (!gander_validate_table_name (opts->table, &error))
        return cli_usage_error ("-table: %s", error->message);
      gander_database_set_table_name (database, opts->table);
    }
  warn_timeouts (database, opts);
  warn_tls_flags (database, opts);

  /* Files first: a missing directory or a broken file name must not leave
   * a new database file or version table behind. */
  /* by path: naming the directory through a GFile would set up GIO's
   * virtual file system, 0.6 to 1.3 MiB of a short run's peak memory */
  source = gander_source_new_for_path (opts->dir, GANDER_SOURCE_FLAGS_STRICT,
                                       run.cancellable, &error);
  if (source == NULL)
    {
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_NO_MIGRATIONS))
        {
          /* goose's exact words, which scripts look for, plus where */
          g_autoptr(GError) goose_error =
            g_error_new (GANDER_ERROR, GANDER_ERROR_NO_MIGRATIONS,
                         "no migration files found in %s", opts->dir);
          return cli_run_fail (&run, goose_error, NULL);
        }
      return cli_run_fail (&run, error, NULL);
    }
  run.source = source;

  migrator = gander_migrator_new (database, source);
  gander_migrator_set_allow_missing (migrator, opts->allow_missing);
  gander_migrator_set_no_versioning (migrator, opts->no_versioning);
  run.migrator = migrator;
  /* the profile's lock and statement timeouts go onto the connection here */
  manager = gander_manager_new_for_migrator (profile, migrator);
  run.manager = manager;
  run.managed = opts->dry_run || !cli_profile_is_goose (profile);

  run_options = gander_run_options_new ();
  gander_run_options_set_via (run_options, "cli");
  gander_run_options_set_reason (run_options, opts->reason);
  gander_run_options_set_allow_missing (run_options, opts->allow_missing);
  gander_run_options_set_no_versioning (run_options, opts->no_versioning);
  gander_run_options_set_dry_run (run_options, opts->dry_run);
  gander_run_options_set_mark_applied (run_options, opts->mark_applied);
  run.options = run_options;

  g_signal_connect (migrator, "migration-started",
                    G_CALLBACK (on_migration_started), NULL);
  g_signal_connect (migrator, "migration-finished",
                    G_CALLBACK (on_migration_finished), NULL);
  if (opts->verbose)
    g_signal_connect (migrator, "executing-statement",
                      G_CALLBACK (on_executing_statement), NULL);
  if (run.managed || is_backup_operation (operation))
    {
      g_signal_connect (migrator, "warning", G_CALLBACK (on_run_warning), seen);
      g_signal_connect (manager, "warning", G_CALLBACK (on_run_warning), seen);
    }
  else
    g_signal_connect (migrator, "warning", G_CALLBACK (on_warning), NULL);

  if (g_str_equal (policy_name, "breaker-status"))
    {
      status = cmd_breaker_status (&run);
      goto out;
    }
  if (g_str_equal (policy_name, "backups"))
    {
      status = cli_cmd_backups_list (&run);
      goto out;
    }
  if (backup_id != NULL)
    {
      /* before anyone is asked to confirm: an unknown id fails (exit 1) */
      run.backup = cli_restore_lookup (&run, backup_id, &error);
      if (run.backup == NULL)
        {
          status = cli_run_fail (&run, error, NULL);
          goto out;
        }
      /* "latest" means the backup shown at the prompt, not a newer one */
      gander_run_options_set_backup_id (run_options, gander_backup_info_get_id (run.backup));
    }
  if (opts->dry_run && operation != GANDER_OPERATION_STATUS &&
      operation != GANDER_OPERATION_VERSION)
    {
      status = cmd_dry_run (&run, operation, target);
      goto out;
    }
  if (run.managed || subcommand != NULL || operation == GANDER_OPERATION_BASELINE ||
      is_backup_operation (operation))
    {
      status = check_gate (&run, operation, target);
      if (status >= 0)
        goto out;
    }
  else if (!gander_database_open (database, run.cancellable, &error))
    {
      /* goose opens the database before anything else: its errors first */
      status = cli_run_fail (&run, error, NULL);
      goto out;
    }

  switch (operation)
    {
    case GANDER_OPERATION_UP:
      status = cmd_up (&run, 0, FALSE);
      break;
    case GANDER_OPERATION_UP_TO:
      status = cmd_up (&run, target, TRUE);
      break;
    case GANDER_OPERATION_UP_BY_ONE:
      status = cmd_up_by_one (&run);
      break;
    case GANDER_OPERATION_DOWN:
      status = cmd_down (&run);
      break;
    case GANDER_OPERATION_DOWN_TO:
      status = cmd_down_to (&run, target);
      break;
    case GANDER_OPERATION_REDO:
      status = cmd_redo (&run);
      break;
    case GANDER_OPERATION_RESET:
      status = cmd_reset (&run);
      break;
    case GANDER_OPERATION_STATUS:
    case GANDER_OPERATION_VERSION:
      /* on the managed path the manager reads first: its rules may
       * refuse (and record that they did) */
      if (run.managed && !execute_read (&run, operation, &error))
        status = cli_run_fail (&run, error, NULL);
      else if (operation == GANDER_OPERATION_STATUS)
        status = cmd_status (&run);
      else
        status = cmd_version (&run);
      break;
    case GANDER_OPERATION_BACKUP:
    case GANDER_OPERATION_RESTORE:
    case GANDER_OPERATION_HEALTH:
    case GANDER_OPERATION_PRUNE_BACKUPS:
      status = cli_cmd_backup_operation (&run, operation);
      break;
    case GANDER_OPERATION_BASELINE:
    case GANDER_OPERATION_CLEAR_DIRTY:
    case GANDER_OPERATION_ACCEPT_CHECKSUM:
    case GANDER_OPERATION_BREAKER_RESET:
    case GANDER_OPERATION_VALIDATE:
    default:
      status = cmd_manager_operation (&run, operation, target);
      break;
    }

out:
  g_clear_object (&run.plan);
  g_clear_object (&run.report);
  g_clear_object (&run.backup);
  g_clear_object (&manager);
  g_clear_object (&migrator);
  gander_database_close (database);
  return status;
}
