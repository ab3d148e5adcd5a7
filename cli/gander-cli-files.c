/* gander-cli-files.c: the commands that never touch a database
 *
 * create, fix, validate, env and parse. create and fix follow goose's CLI
 * file rules (every `.sql` name must carry a version; `.go` files are
 * renamed by fix like goose does, though Gander never runs them).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "gander.h"
#include "gander-cli.h"
#include "gander-cli-run.h"

/* goose v3.27's SQL template for `create`. */
static const char sql_template[] =
  "-- +goose Up\n"
  "SELECT 'up SQL query';\n"
  "\n"
  "-- +goose Down\n"
  "SELECT 'down SQL query';\n";

typedef struct {
  char    *path;
  char    *base;
  gint64   version;
} MigrationFile;

static void
migration_file_free (MigrationFile *file)
{
  g_free (file->path);
  g_free (file->base);
  g_free (file);
}

static int
compare_by_version (gconstpointer a,
                    gconstpointer b)
{
  const MigrationFile *fa = *(MigrationFile * const *) a;
  const MigrationFile *fb = *(MigrationFile * const *) b;

  return fa->version < fb->version ? -1 : fa->version > fb->version;
}

/* goose's legacy collection (create -s, fix): every `.sql` must carry a
 * version, `.go` files without one and `*_test.go` are skipped. Sorted by
 * version; a duplicate version is an error (goose panics). */
static GPtrArray *
collect_files (const char  *dir,
               gboolean     require_any,
               GError     **error)
{
  g_autoptr(GPtrArray) files =
    g_ptr_array_new_with_free_func ((GDestroyNotify) migration_file_free);
  g_autoptr(GDir) gdir = NULL;
  const char *name;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                   _("%s directory does not exist"), dir);
      return NULL;
    }
  gdir = g_dir_open (dir, 0, error);
  if (gdir == NULL)
    return NULL;

  while ((name = g_dir_read_name (gdir)) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      MigrationFile *file;
      gboolean is_sql = g_str_has_suffix (name, ".sql");
      gint64 version;

      if (!is_sql && (!g_str_has_suffix (name, ".go") ||
                      g_str_has_suffix (name, "_test.go")))
        continue;
      version = gander_version_from_filename (name, &local_error);
      if (version < 0)
        {
          g_autofree char *path = cli_go_path_join (dir, name);

          if (!is_sql)
            continue;
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                       _("could not parse SQL migration file \"%s\": %s"),
                       path, local_error->message);
          return NULL;
        }
      file = g_new0 (MigrationFile, 1);
      file->path = cli_go_path_join (dir, name);
      file->base = g_strdup (name);
      file->version = version;
      g_ptr_array_add (files, file);
    }

  g_ptr_array_sort (files, compare_by_version);
  for (guint i = 1; i < files->len; i++)
    {
      MigrationFile *a = g_ptr_array_index (files, i - 1);
      MigrationFile *b = g_ptr_array_index (files, i);

      if (a->version == b->version)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_DUPLICATE_VERSION,
                       _("duplicate version %lld detected:\n%s\n%s"),
                       (long long) a->version, a->path, b->path);
          return NULL;
        }
    }
  if (require_any && files->len == 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NO_MIGRATIONS,
                   "no migration files found in %s", dir);
      return NULL;
    }
  return g_steal_pointer (&files);
}

/* The highest version that is not a timestamp, for -s and fix. */
static gint64
max_sequential_version (GPtrArray *files)
{
  gint64 max = 0;

  for (guint i = 0; i < files->len; i++)
    {
      MigrationFile *file = g_ptr_array_index (files, i);

      if (!cli_goose_is_timestamp (file->version))
        max = MAX (max, file->version);
    }
  return max;
}

static int
fatal_error (const char   *prefix,
             const GError *error)
{
  cli_fatal_message (prefix, error->message);
  return CLI_EXIT_FAILURE;
}

int
cli_cmd_create (CliOptions  *opts,
                char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *filename = NULL;
  g_autofree char *path = NULL;
  g_autofree char *snake = NULL;
  const char *type = "sql";
  int fd;

  if (argv[0] == NULL)
    return cli_usage_error (_("create must be of form: gander [OPTIONS] [DRIVER DBSTRING] create NAME [sql]"));
  /* goose only looks at TYPE when exactly NAME and TYPE are given */
  if (argv[1] != NULL && argv[2] == NULL)
    type = argv[1];
  if (g_str_equal (type, "go"))
    {
      cli_fatal_message ("goose run: ",
                         _("Go migrations are not supported: Gander runs SQL "
                           "migrations only (create NAME sql)"));
      return CLI_EXIT_FAILURE;
    }
  if (!g_str_equal (type, "sql"))
    return cli_usage_error (_("unknown migration type \"%s\": only sql is supported"), type);

  if (opts->sequential)
    {
      g_autoptr(GPtrArray) files = collect_files (opts->dir, FALSE, &error);

      if (files == NULL)
        return fatal_error ("goose run: ", error);
      version = g_strdup_printf ("%05" G_GINT64_FORMAT,
                                 max_sequential_version (files) + 1);
    }
  else
    {
      /* UTC, as goose does since v3.17 */
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      version = g_date_time_format (now, "%Y%m%d%H%M%S");
    }

  snake = cli_goose_snake_case (argv[0]);
  filename = g_strdup_printf ("%s_%s.%s", version, snake, type);
  path = cli_go_path_join (opts->dir, filename);

  /* O_EXCL: two creates in one second must not overwrite each other */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *message = NULL;

      if (saved == EEXIST)
        message = g_strdup_printf (_("failed to create migration file: %s already exists"),
                                   path);
      else
        message = g_strdup_printf (_("failed to create migration file: %s: %s"),
                                   path, g_strerror (saved));
      cli_fatal_message ("goose run: ", message);
      return CLI_EXIT_FAILURE;
    }
  if (write (fd, sql_template, strlen (sql_template)) != (gssize) strlen (sql_template) ||
      !g_close (fd, &error))
    {
      g_autofree char *message =
        g_strdup_printf (_("failed to write migration file %s: %s"), path,
                         error != NULL ? error->message : g_strerror (errno));
      g_unlink (path);
      cli_fatal_message ("goose run: ", message);
      return CLI_EXIT_FAILURE;
    }

  cli_log ("Created new file: %s", path);
  return CLI_EXIT_OK;
}

int
cli_cmd_fix (CliOptions *opts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = collect_files (opts->dir, TRUE, &error);
  gint64 next;

  if (files == NULL)
    return fatal_error ("goose run: ", error);

  next = max_sequential_version (files) + 1;
  for (guint i = 0; i < files->len; i++)
    {
      MigrationFile *file = g_ptr_array_index (files, i);
      g_autofree char *digits = NULL;
      g_autofree char *number = NULL;
      g_autofree char *new_base = NULL;
      g_autofree char *new_path = NULL;
      const char *at;

      if (!cli_goose_is_timestamp (file->version))
        continue;

      /* goose replaces the first occurrence of the version's digits; it
       * does so over the whole path, Gander over the base name only so a
       * directory that happens to contain the digits is left alone. */
      digits = g_strdup_printf ("%" G_GINT64_FORMAT, file->version);
      number = g_strdup_printf ("%05" G_GINT64_FORMAT, next);
      at = strstr (file->base, digits);
      if (at == NULL)
        continue;   /* cannot happen: the version was read from this name */
      new_base = g_strdup_printf ("%.*s%s%s", (int) (at - file->base), file->base,
                                  number, at + strlen (digits));
      {
        g_autofree char *dirname = g_path_get_dirname (file->path);
        new_path = cli_go_path_join (dirname, new_base);
      }

      if (g_file_test (new_path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *message =
            g_strdup_printf (_("cannot rename %s to %s: the file already exists"),
                             file->base, new_base);
          cli_fatal_message ("goose run: ", message);
          return CLI_EXIT_FAILURE;
        }
      if (g_rename (file->path, new_path) != 0)
        {
          int saved = errno;
          g_autofree char *message =
            g_strdup_printf (_("cannot rename %s to %s: %s"),
                             file->path, new_path, g_strerror (saved));
          cli_fatal_message ("goose run: ", message);
          return CLI_EXIT_FAILURE;
        }
      cli_log ("RENAMED %s => %s", file->base, new_base);
      next++;
    }
  return CLI_EXIT_OK;
}

/* Go's text/tabwriter with padding 3, as goose's `validate -v` uses it:
 * every cell (the last one too) is padded to its column's width plus 3,
 * widths counted in characters. */
static void
print_table (GPtrArray *rows,
             guint      n_columns)
{
  g_autofree glong *widths = g_new0 (glong, n_columns);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c], -1));
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      for (guint c = 0; c < n_columns; c++)
        {
          g_string_append (out, row[c]);
          for (glong pad = g_utf8_strlen (row[c], -1); pad < widths[c] + 3; pad++)
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
  fputs (out->str, stdout);
  fflush (stdout);
}

/* One table row of `validate -v`, for a file whose sections both parse. */
static char **
validate_row (GanderMigration *migration)
{
  g_autoptr(GanderParsedSql) up = gander_migration_parse (migration, GANDER_DIRECTION_UP, NULL);
  g_autoptr(GanderParsedSql) down = gander_migration_parse (migration, GANDER_DIRECTION_DOWN, NULL);
  char **row;

  if (up == NULL || down == NULL)
    return NULL;
  row = g_new0 (char *, 6);
  row[0] = g_strdup ("sql");
  row[1] = g_strdup (gander_parsed_sql_get_use_transaction (up) ? "✔" : "✘");
  row[2] = g_strdup_printf ("%u", gander_parsed_sql_get_n_statements (up));
  row[3] = g_strdup_printf ("%u", gander_parsed_sql_get_n_statements (down));
  row[4] = g_strdup (gander_migration_get_name (migration));
  return row;
}

typedef struct {
  char  *path;
  char **row;
} ValidateRow;

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const ValidateRow *ra = a;
  const ValidateRow *rb = b;

  return strcmp (ra->path, rb->path);
}

static void
validate_row_clear (gpointer data)
{
  ValidateRow *row = data;

  g_free (row->path);
  g_strfreev (row->row);
}

/* Whether @path names the same file as @only (NULL: every file). */
static gboolean
is_selected (GFile      *only,
             const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (only == NULL)
    return TRUE;
  if (path == NULL)
    return FALSE;
  file = g_file_new_for_path (path);
  return g_file_equal (file, only);
}

/* The GanderError code a validation problem would fail a run with. */
static const char *
issue_error_code (GanderIssueKind kind)
{
  switch (kind)
    {
    case GANDER_ISSUE_KIND_PARSE_ERROR: return "parse";
    case GANDER_ISSUE_KIND_INVALID_FILENAME: return "invalid-filename";
    case GANDER_ISSUE_KIND_DUPLICATE_VERSION: return "duplicate-version";
    case GANDER_ISSUE_KIND_UNSUPPORTED_GO: return "not-supported";
    case GANDER_ISSUE_KIND_READ_ERROR:
    case GANDER_ISSUE_KIND_NOT_REGULAR_FILE:
    default: return "io";
    }
}

static const char *
enum_nick (GType       type,
           int         value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *found = g_enum_get_value (klass, value);

  g_type_class_unref (klass);
  return found != NULL ? found->value_nick : "unknown";
}

/* `validate --json`: every problem, then each migration whose sections
 * both parse (what -v shows as a table). */
static void
print_validate_json (const char   *target,
                     GanderSource *source,
                     GPtrArray    *issues,
                     GFile        *only,
                     const GError *fatal)
{
  g_autoptr(JsonBuilder) builder = cli_json_begin ("validate");
  g_autoptr(GString) messages = g_string_new (NULL);
  const char *first_code = NULL;
  guint n_errors = 0, n_warnings = 0;

  json_builder_set_member_name (builder, "dir");
  json_builder_add_string_value (builder, target);
  json_builder_set_member_name (builder, "issues");
  json_builder_begin_array (builder);
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      GanderValidationIssue *issue = g_ptr_array_index (issues, i);
      GanderIssueSeverity severity = gander_validation_issue_get_severity (issue);
      GanderIssueKind kind = gander_validation_issue_get_kind (issue);
      const char *path = gander_validation_issue_get_path (issue);
      const char *message = gander_validation_issue_get_message (issue);
      guint line = gander_validation_issue_get_line (issue);
      gint64 version = gander_validation_issue_get_version (issue);

      if (!is_selected (only, path))
        continue;
      if (severity == GANDER_ISSUE_SEVERITY_ERROR)
        {
          n_errors++;
          if (first_code == NULL)
            first_code = issue_error_code (kind);
          if (messages->len > 0)
            g_string_append_c (messages, '\n');
          g_string_append (messages, message);
        }
      else
        n_warnings++;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder, severity == GANDER_ISSUE_SEVERITY_ERROR ? "error" : "warning");
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, enum_nick (GANDER_TYPE_ISSUE_KIND, kind));
      json_builder_set_member_name (builder, "path");
      if (path != NULL)
        json_builder_add_string_value (builder, path);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "line");
      if (line > 0)
        json_builder_add_int_value (builder, line);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "version");
      if (version > 0)
        json_builder_add_int_value (builder, version);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "direction");
      if (gander_validation_issue_get_has_direction (issue))
        json_builder_add_string_value (builder,
                                       gander_direction_to_string (gander_validation_issue_get_direction (issue)));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "errors");
  json_builder_add_int_value (builder, n_errors);
  json_builder_set_member_name (builder, "warnings");
  json_builder_add_int_value (builder, n_warnings);

  json_builder_set_member_name (builder, "migrations");
  json_builder_begin_array (builder);
  for (guint i = 0; source != NULL && i < gander_source_get_n_migrations (source); i++)
    {
      GanderMigration *migration = gander_source_get_migration (source, i);
      GFile *file = gander_migration_get_file (migration);
      g_autoptr(GanderParsedSql) up = NULL;
      g_autoptr(GanderParsedSql) down = NULL;

      if (only != NULL && (file == NULL || !g_file_equal (file, only)))
        continue;
      up = gander_migration_parse (migration, GANDER_DIRECTION_UP, NULL);
      down = gander_migration_parse (migration, GANDER_DIRECTION_DOWN, NULL);
      if (up == NULL || down == NULL)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, gander_migration_get_version (migration));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, gander_migration_get_name (migration));
      json_builder_set_member_name (builder, "transaction");
      json_builder_add_boolean_value (builder, gander_parsed_sql_get_use_transaction (up));
      json_builder_set_member_name (builder, "up_statements");
      json_builder_add_int_value (builder, gander_parsed_sql_get_n_statements (up));
      json_builder_set_member_name (builder, "down_statements");
      json_builder_add_int_value (builder, gander_parsed_sql_get_n_statements (down));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (fatal != NULL)
    cli_json_end_gerror (builder, fatal);
  else if (n_errors > 0)
    cli_json_end_error (builder, first_code, messages->str);
  else
    cli_json_end (builder, NULL);
}

/* goose's validate over every `.sql` and `.go` file of DIR (or DIR itself
 * when it is a file): a printer over gander_source_validate(). Errors go
 * out as `goose validate: …`, warnings as `warning: …` (a missing Down
 * section only with -v: goose does not mind, and many sets never roll
 * back), then with -v the table, in file order. */
int
cli_cmd_validate (CliOptions *opts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (ValidateRow));
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GFile) only = NULL;
  g_autofree char *dir = NULL;
  const char *target = opts->dir;
  guint n_errors = 0;

  g_array_set_clear_func (found, validate_row_clear);

  if (!g_file_test (target, G_FILE_TEST_EXISTS))
    {
      g_set_error (&error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                   _("%s directory does not exist"), target);
      if (opts->json)
        print_validate_json (target, NULL, NULL, NULL, error);
      return fatal_error ("goose validate: ", error);
    }
  if (g_file_test (target, G_FILE_TEST_IS_DIR))
    dir = g_strdup (target);
  else
    {
      /* One file: its directory is validated and only its issues shown. */
      g_autofree char *base = g_path_get_basename (target);

      if (!g_str_has_suffix (base, ".sql") && !g_str_has_suffix (base, ".go"))
        {
          g_autoptr(GError) name_error = NULL;
          g_autofree char *message = NULL;

          gander_version_from_filename (base, &name_error);
          message = g_strdup_printf (_("failed to get version from file \"%s\": %s"),
                                     target, name_error->message);
          if (opts->json)
            {
              g_autoptr(GError) json_error =
                g_error_new_literal (GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME, message);

              print_validate_json (target, NULL, NULL, NULL, json_error);
            }
          cli_fatal_message ("goose validate: ", message);
          return CLI_EXIT_FAILURE;
        }
      dir = g_path_get_dirname (target);
      only = g_file_new_for_path (target);
    }

  source = gander_source_new_for_path (dir,
                                       GANDER_SOURCE_FLAGS_STRICT |
                                       GANDER_SOURCE_FLAGS_ALLOW_EMPTY |
                                       GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS,
                                       NULL, &error);
  if (source != NULL)
    issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, NULL, &error);
  if (issues == NULL)
    {
      if (opts->json)
        print_validate_json (target, NULL, NULL, NULL, error);
      return fatal_error ("goose validate: ", error);
    }

  for (guint i = 0; i < issues->len; i++)
    {
      GanderValidationIssue *issue = g_ptr_array_index (issues, i);
      const char *message = gander_validation_issue_get_message (issue);

      if (!is_selected (only, gander_validation_issue_get_path (issue)))
        continue;
      if (gander_validation_issue_get_severity (issue) == GANDER_ISSUE_SEVERITY_ERROR)
        {
          n_errors++;
          cli_fatal_message ("goose validate: ", message);
        }
      else
        cli_warn ("%s", message);
    }
  if (n_errors == 0)
    cli_lint_warn_source (opts, source, only);

  if (opts->json)
    print_validate_json (target, source, issues, only, NULL);
  else if (opts->verbose)
    {
      g_ptr_array_add (rows, g_strsplit ("Type Txn Up Down Name", " ", -1));
      g_ptr_array_add (rows, g_strsplit ("──── ─── ── ──── ────", " ", -1));
      for (guint i = 0; i < gander_source_get_n_migrations (source); i++)
        {
          GanderMigration *migration = gander_source_get_migration (source, i);
          GFile *file = gander_migration_get_file (migration);
          ValidateRow row = { NULL, NULL };

          if (only != NULL && (file == NULL || !g_file_equal (file, only)))
            continue;
          row.row = validate_row (migration);
          if (row.row == NULL)
            continue;
          row.path = g_strdup (gander_migration_get_name (migration));
          g_array_append_val (found, row);
        }
      /* in file order, as goose lists them */
      g_array_sort (found, compare_rows);
      for (guint i = 0; i < found->len; i++)
        g_ptr_array_add (rows, g_steal_pointer (&g_array_index (found, ValidateRow, i).row));
      print_table (rows, 5);
    }
  return n_errors > 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

static const char *
env_or (const char *name,
        const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : fallback;
}

/* `goose env`: the variables goose reads, quoted like Go's %q. The DSN is
 * masked: it may hold a password. */
int
cli_cmd_env (CliOptions *opts)
{
  g_autofree char *masked = gander_dsn_mask (env_or ("GOOSE_DBSTRING", ""));
  const struct { const char *name; const char *value; } vars[] = {
    { "GOOSE_DRIVER", env_or ("GOOSE_DRIVER", "") },
    { "GOOSE_DBSTRING", masked },
    { "GOOSE_MIGRATION_DIR", env_or ("GOOSE_MIGRATION_DIR", ".") },
    { "GOOSE_TABLE", env_or ("GOOSE_TABLE", GANDER_DEFAULT_TABLE_NAME) },
    { "NO_COLOR", env_or ("NO_COLOR", "false") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_autofree char *quoted = cli_go_quote (vars[i].value);
      g_print ("%s=%s\n", vars[i].name, quoted);
    }
  return CLI_EXIT_OK;
}

static void
print_parse_json (const char      *path,
                  GanderParsedSql *parsed,
                  const GError    *error)
{
  g_autoptr(JsonBuilder) builder = cli_json_begin ("parse");

  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, path);
  if (parsed != NULL)
    {
      const char * const *warnings = gander_parsed_sql_get_warnings (parsed);

      json_builder_set_member_name (builder, "direction");
      json_builder_add_string_value (builder,
                                     gander_direction_to_string (gander_parsed_sql_get_direction (parsed)));
      json_builder_set_member_name (builder, "use_tx");
      json_builder_add_boolean_value (builder, gander_parsed_sql_get_use_transaction (parsed));
      json_builder_set_member_name (builder, "statements");
      json_builder_begin_array (builder);
      for (guint i = 0; i < gander_parsed_sql_get_n_statements (parsed); i++)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "line");
          json_builder_add_int_value (builder, gander_parsed_sql_get_statement_line (parsed, i));
          json_builder_set_member_name (builder, "sql");
          json_builder_add_string_value (builder, gander_parsed_sql_get_statement (parsed, i));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "warnings");
      json_builder_begin_array (builder);
      for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
        json_builder_add_string_value (builder, warnings[i]);
      json_builder_end_array (builder);
    }
  cli_json_end_gerror (builder, parsed == NULL ? error : NULL);
}

static void
print_parse_listing (const char      *path,
                     GanderParsedSql *parsed)
{
  guint n = gander_parsed_sql_get_n_statements (parsed);
  const char * const *warnings = gander_parsed_sql_get_warnings (parsed);

  g_print (_("File: %s\n"), path);
  g_print (_("Direction: %s\n"),
           gander_direction_to_string (gander_parsed_sql_get_direction (parsed)));
  g_print (_("Transaction: %s\n"),
           gander_parsed_sql_get_use_transaction (parsed) ? _("yes") : _("no (NO TRANSACTION)"));
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u statement\n", "%u statements\n", n), n);
  for (guint i = 0; i < n; i++)
    {
      g_print ("\n");
      g_print (_("-- statement %u, line %u\n"), i + 1,
               gander_parsed_sql_get_statement_line (parsed, i));
      g_print ("%s\n", gander_parsed_sql_get_statement (parsed, i));
    }
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    cli_warn ("%s", warnings[i]);
}

int
cli_cmd_parse (CliOptions  *opts,
               char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) parsed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  const char *path = argv[0];
  GanderDirection direction = GANDER_DIRECTION_UP;
  gsize length;

  if (path == NULL)
    return cli_usage_error (_("parse must be of form: gander parse FILE [--direction up|down] [--json]"));
  if (opts->direction != NULL)
    {
      if (g_str_equal (opts->direction, "down"))
        direction = GANDER_DIRECTION_DOWN;
      else if (!g_str_equal (opts->direction, "up"))
        return cli_usage_error (_("--direction must be up or down (got \"%s\")"),
                                opts->direction);
    }

  /* a FIFO would block the read until a writer comes */
  if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_set_error (&error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                 _("%s is not a regular file"), path);
  else if (g_file_get_contents (path, &contents, &length, &error))
    {
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
      parsed = gander_sql_parse (bytes, direction, path, &error);
    }
  if (parsed == NULL)
    {
      if (opts->json)
        print_parse_json (path, NULL, error);
      cli_fatal_message ("", error->message);
      return CLI_EXIT_FAILURE;
    }

  if (opts->json)
    {
      const char * const *warnings = gander_parsed_sql_get_warnings (parsed);

      print_parse_json (path, parsed, NULL);
      for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
        cli_warn ("%s", warnings[i]);
    }
  else
    print_parse_listing (path, parsed);
  return CLI_EXIT_OK;
}
