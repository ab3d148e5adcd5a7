/* gander-cli-lint.c: `gander lint [FILE…]`
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <json-glib/json-glib.h>

#include "gander-cli.h"
#include "gander-cli-run.h"

typedef struct {
  guint errors;
  guint warnings;
  guint suppressed;
  guint files;
} LintCounts;

/* The dialect: --dialect, else the driver (DRIVER on the command line or
 * GOOSE_DRIVER). */
static gboolean
resolve_dialect (CliOptions        *opts,
                 const char        *driver,
                 GanderLintDialect *dialect)
{
  if (opts->dialect != NULL)
    {
      if (!g_str_equal (opts->dialect, "postgres") && !g_str_equal (opts->dialect, "sqlite3"))
        {
          cli_usage_error (_("invalid value \"%s\" for flag -dialect: expected postgres or sqlite3"),
                           opts->dialect);
          return FALSE;
        }
      return gander_lint_dialect_from_string (opts->dialect, dialect);
    }
  if (driver != NULL && gander_lint_dialect_from_string (driver, dialect))
    return TRUE;
  if (driver != NULL)
    cli_usage_error (_("lint: driver \"%s\" has no lint rules: use --dialect postgres or "
                       "--dialect sqlite3"), driver);
  else
    cli_usage_error (_("lint: which database? Give --dialect postgres or --dialect sqlite3 "
                       "(or a driver: gander DRIVER DBSTRING lint, GOOSE_DRIVER)"));
  return FALSE;
}

static void
count_finding (GanderLintFinding *finding,
               LintCounts        *counts)
{
  if (gander_lint_finding_get_suppressed (finding))
    counts->suppressed++;
  else if (gander_lint_finding_get_severity (finding) == GANDER_LINT_SEVERITY_ERROR)
    counts->errors++;
  else
    counts->warnings++;
}

/* file:line: warning: [rule] message, then the suggestion as a note. */
static void
print_finding (GanderLintFinding *finding,
               gboolean           verbose)
{
  guint line = gander_lint_finding_get_line (finding);
  g_autofree char *where = NULL;
  const char *suggestion = gander_lint_finding_get_suggestion (finding);
  const char *level;

  if (gander_lint_finding_get_suppressed (finding))
    {
      const char *reason = gander_lint_finding_get_suppression_reason (finding);

      if (!verbose)
        return;
      where = line > 0 ? g_strdup_printf ("%s:%u", gander_lint_finding_get_file (finding), line)
                       : g_strdup (gander_lint_finding_get_file (finding));
      /* TRANSLATORS: a finding silenced by a gander:lint-ignore comment */
      g_print (_("%s: suppressed: [%s] %s (%s)\n"), where, gander_lint_finding_get_rule (finding),
               gander_lint_finding_get_message (finding),
               reason != NULL ? reason : _("no reason given"));
      return;
    }

  where = line > 0 ? g_strdup_printf ("%s:%u", gander_lint_finding_get_file (finding), line)
                   : g_strdup (gander_lint_finding_get_file (finding));
  /* the words a compiler prints, which editors and CI annotate */
  level = gander_lint_finding_get_severity (finding) == GANDER_LINT_SEVERITY_ERROR ? "error" : "warning";
  g_print ("%s: %s: [%s] %s\n", where, level, gander_lint_finding_get_rule (finding),
           gander_lint_finding_get_message (finding));
  if (suggestion != NULL)
    g_print ("%s: note: %s\n", where, suggestion);
}

static void
add_json_finding (JsonBuilder       *builder,
                  GanderLintFinding *finding)
{
  const char *reason = gander_lint_finding_get_suppression_reason (finding);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, gander_lint_finding_get_file (finding));
  json_builder_set_member_name (builder, "line");
  json_builder_add_int_value (builder, gander_lint_finding_get_line (finding));
  json_builder_set_member_name (builder, "direction");
  json_builder_add_string_value (builder, gander_direction_to_string (gander_lint_finding_get_direction (finding)));
  json_builder_set_member_name (builder, "statement");
  json_builder_add_int_value (builder, gander_lint_finding_get_statement_index (finding));
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, gander_lint_finding_get_rule (finding));
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, gander_lint_finding_get_severity (finding) ==
                                 GANDER_LINT_SEVERITY_ERROR ? "error" : "warning");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, gander_lint_finding_get_message (finding));
  json_builder_set_member_name (builder, "suggestion");
  json_builder_add_string_value (builder, gander_lint_finding_get_suggestion (finding));
  json_builder_set_member_name (builder, "suppressed");
  json_builder_add_boolean_value (builder, gander_lint_finding_get_suppressed (finding));
  json_builder_set_member_name (builder, "suppression_reason");
  if (reason != NULL)
    json_builder_add_string_value (builder, reason);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

/* A dry run's JSON: what the run's lint step found ("lint_findings"). */
void
cli_lint_add_json_findings (gpointer   builder,
                            GPtrArray *findings)
{
  json_builder_set_member_name (builder, "lint_findings");
  json_builder_begin_array (builder);
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    add_json_finding (builder, g_ptr_array_index (findings, i));
  json_builder_end_array (builder);
}

/* One argument: a directory (every migration in it) or a file. */
static GPtrArray *
lint_path (GanderLinter  *linter,
           const char    *path,
           LintCounts    *counts,
           GError       **error)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GanderSource) source = gander_source_new_for_path (path,
                                                                   GANDER_SOURCE_FLAGS_ALLOW_EMPTY,
                                                                   NULL, error);

      if (source == NULL)
        return NULL;
      counts->files += gander_source_get_n_migrations (source);
      return gander_linter_lint_source (linter, source, NULL, error);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      counts->files++;
      return gander_linter_lint_file (linter, file, NULL, error);
    }
}

/* `validate` with a known dialect (--dialect, GOOSE_DRIVER) also lints:
 * its findings are printed as warnings and never change validate's exit
 * status, which stays goose's. */
void
cli_lint_warn_source (CliOptions   *opts,
                      GanderSource *source,
                      GFile        *only)
{
  g_autoptr(GanderLinter) linter = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  GanderLintDialect dialect;
  const char *name = opts->dialect != NULL ? opts->dialect : g_getenv ("GOOSE_DRIVER");

  if (!gander_lint_dialect_from_string (name, &dialect))
    return;
  linter = gander_linter_new (dialect);
  findings = gander_linter_lint_source (linter, source, NULL, &error);
  if (findings == NULL)
    {
      cli_warn (_("lint skipped: %s"), error->message);
      return;
    }
  for (guint i = 0; i < findings->len; i++)
    {
      GanderLintFinding *finding = g_ptr_array_index (findings, i);
      guint line = gander_lint_finding_get_line (finding);

      if (gander_lint_finding_get_suppressed (finding))
        continue;
      if (only != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_path (gander_lint_finding_get_file (finding));

          if (!g_file_equal (file, only))
            continue;
        }
      if (line > 0)
        cli_warn ("%s:%u: [%s] %s", gander_lint_finding_get_file (finding), line,
                  gander_lint_finding_get_rule (finding), gander_lint_finding_get_message (finding));
      else
        cli_warn ("%s: [%s] %s", gander_lint_finding_get_file (finding),
                  gander_lint_finding_get_rule (finding), gander_lint_finding_get_message (finding));
    }
}

/* A failure before any finding: the JSON document says it too. */
static int
lint_failed (CliOptions *opts,
             GError     *error)
{
  if (opts->json)
    {
      g_autoptr(JsonBuilder) failed = cli_json_begin ("lint");

      cli_json_end_gerror (failed, error);
    }
  g_printerr ("gander lint: %s\n", error->message);
  return CLI_EXIT_FAILURE;
}

/* Lints @paths (files and directories), or with @migrator the migrations
 * its database has not applied; prints the findings and returns the exit
 * status. */
static int
lint_and_print (CliOptions         *opts,
                GanderLinter       *linter,
                const char * const *paths,
                GanderMigrator     *migrator)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonBuilder) builder = NULL;
  GanderLintDialect dialect = gander_linter_get_dialect (linter);
  LintCounts counts = { 0 };
  guint n_applied = 0;

  if (migrator != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) findings =
        gander_linter_lint_pending (linter, migrator, &n_applied, NULL, &error);
      GanderSource *source = gander_migrator_get_source (migrator);

      gander_database_close (gander_migrator_get_database (migrator));
      if (findings == NULL)
        return lint_failed (opts, error);
      counts.files = gander_source_get_n_migrations (source) - n_applied;
      for (guint k = 0; k < findings->len; k++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (findings, k)));
    }
  else
    for (guint i = 0; paths[i] != NULL; i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) findings = NULL;

        if (!g_file_test (paths[i], G_FILE_TEST_EXISTS))
          g_set_error (&error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                       _("%s: no such file or directory"), paths[i]);
        else
          findings = lint_path (linter, paths[i], &counts, &error);
        if (findings == NULL)
          return lint_failed (opts, error);
        for (guint k = 0; k < findings->len; k++)
          g_ptr_array_add (all, g_object_ref (g_ptr_array_index (findings, k)));
      }

  for (guint i = 0; i < all->len; i++)
    count_finding (g_ptr_array_index (all, i), &counts);

  if (opts->json)
    {
      builder = cli_json_begin ("lint");
      json_builder_set_member_name (builder, "dialect");
      json_builder_add_string_value (builder, dialect == GANDER_LINT_DIALECT_POSTGRES ? "postgres" : "sqlite3");
      json_builder_set_member_name (builder, "files");
      json_builder_add_int_value (builder, counts.files);
      if (migrator != NULL)
        {
          /* only with a database: the migrations not linted */
          json_builder_set_member_name (builder, "applied_skipped");
          json_builder_add_int_value (builder, n_applied);
        }
      json_builder_set_member_name (builder, "errors");
      json_builder_add_int_value (builder, counts.errors);
      json_builder_set_member_name (builder, "warnings");
      json_builder_add_int_value (builder, counts.warnings);
      json_builder_set_member_name (builder, "suppressed");
      json_builder_add_int_value (builder, counts.suppressed);
      json_builder_set_member_name (builder, "findings");
      json_builder_begin_array (builder);
      for (guint i = 0; i < all->len; i++)
        add_json_finding (builder, g_ptr_array_index (all, i));
      json_builder_end_array (builder);
      if (counts.errors > 0)
        {
          /* the GanderError a run refuses with for the same findings
           * (lint=error): `up --json` and the dry run say policy-denied */
          g_autoptr(GError) found =
            g_error_new_literal (GANDER_ERROR, GANDER_ERROR_POLICY_DENIED,
                                 g_dngettext (GETTEXT_PACKAGE, "a lint rule found an error",
                                              "lint rules found errors", counts.errors));

          cli_json_end_gerror (builder, found);
        }
      else
        cli_json_end (builder, NULL);
    }
  else
    {
      for (guint i = 0; i < all->len; i++)
        print_finding (g_ptr_array_index (all, i), opts->verbose);
      if (migrator != NULL)
        /* TRANSLATORS: the summary after the findings: files linted,
         * errors, warnings, findings silenced by comments, migrations the
         * database has applied (not linted) */
        g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                 "gander lint: %u files, %u errors, %u warnings, %u suppressed; "
                                 "%u applied migration skipped\n",
                                 "gander lint: %u files, %u errors, %u warnings, %u suppressed; "
                                 "%u applied migrations skipped\n",
                                 n_applied),
                    counts.files, counts.errors, counts.warnings, counts.suppressed, n_applied);
      else
        /* TRANSLATORS: the summary after the findings: files linted,
         * errors, warnings, findings silenced by comments */
        g_printerr (_("gander lint: %u files, %u errors, %u warnings, %u suppressed\n"),
                    counts.files, counts.errors, counts.warnings, counts.suppressed);
    }
  return counts.errors > 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int
cli_cmd_lint (CliOptions  *opts,
              const char  *driver,
              char       **argv)
{
  g_autoptr(GanderLinter) linter = NULL;
  GanderLintDialect dialect;
  const char *dir_only[] = { opts->dir, NULL };
  const char * const *paths = argv != NULL && argv[0] != NULL ? (const char * const *) argv : dir_only;

  if (!resolve_dialect (opts, driver, &dialect))
    return CLI_EXIT_USAGE;
  linter = gander_linter_new (dialect);
  return lint_and_print (opts, linter, paths, NULL);
}

int
cli_cmd_lint_database (CliOptions    *opts,
                       GanderProfile *profile,
                       const char    *driver,
                       const char    *dsn,
                       char         **argv)
{
  g_autoptr(GanderLinter) linter = NULL;
  g_autoptr(GanderDatabase) database = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GError) error = NULL;
  GanderLintDialect dialect;

  if (!resolve_dialect (opts, driver, &dialect))
    return CLI_EXIT_USAGE;
  linter = gander_linter_new (dialect);
  /* the profile's lint-disable, lint-error and lint-warn */
  if (!gander_linter_apply_profile (linter, profile, &error))
    {
      g_printerr ("%s\n", error->message);
      return CLI_EXIT_USAGE;
    }
  /* files named: those, whatever the database holds */
  if (argv != NULL && argv[0] != NULL)
    return lint_and_print (opts, linter, (const char * const *) argv, NULL);

  /* else the migrations of -dir the database has not applied */
  database = gander_database_new_for_driver (driver, dsn, &error);
  if (database == NULL)
    {
      g_autofree char *masked = gander_dsn_mask (dsn);
      g_autofree char *quoted = cli_go_quote (masked);
      g_autofree char *prefix = g_strdup_printf ("-dbstring=%s: ", quoted);

      if (opts->json)
        {
          g_autoptr(JsonBuilder) failed = cli_json_begin ("lint");

          cli_json_end_gerror (failed, error);
        }
      cli_fatal_message (prefix, error->message);
      return CLI_EXIT_FAILURE;
    }
  if (opts->table != NULL && *opts->table != '\0')
    {
      if (!gander_validate_table_name (opts->table, &error))
        return cli_usage_error ("-table: %s", error->message);
      gander_database_set_table_name (database, opts->table);
    }
  source = gander_source_new_for_path (opts->dir, GANDER_SOURCE_FLAGS_ALLOW_EMPTY, NULL, &error);
  if (source == NULL)
    return lint_failed (opts, error);
  migrator = gander_migrator_new (database, source);
  return lint_and_print (opts, linter, NULL, migrator);
}
