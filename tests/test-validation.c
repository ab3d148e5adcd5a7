/* test-validation.c: gander_source_validate() reports every problem
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gander-test-util.h"

typedef struct
{
  char *dir;
  char *saved_cwd;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gander-validation-XXXXXX", &error);
  g_assert_no_error (error);
  /* paths in issues are relative to the working directory, as typed */
  f->saved_cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (f->dir), ==, 0);
  g_assert_cmpint (g_mkdir ("m", 0755), ==, 0);
  g_unsetenv ("GANDER_TEST_UNSET_VARIABLE");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpint (g_chdir (f->saved_cwd), ==, 0);
  gander_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->saved_cwd);
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* The directory with one of each problem, and two clean files. */
static void
make_messy_directory (void)
{
  write_file ("m/00001_ok.sql", "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n");
  /* same version as 00001_ok.sql; later by path, so it is the duplicate */
  write_file ("m/00001_twin.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n");
  /* both sections broken: both reported */
  write_file ("m/00002_broken.sql",
              "-- +goose Up\nCREATE TABLE b (id int)\n\n-- +goose Down\nDROP TABLE b\n");
  /* a quirk, an unset ENVSUB variable (a defaulted one is fine), no Down */
  write_file ("m/00003_quirks.sql",
              "-- +goose Up\n"
              "SELECT 1;--glued\n"
              "SELECT 2;\n"
              "-- +goose ENVSUB ON\n"
              "CREATE TABLE t_${GANDER_TEST_UNSET_VARIABLE} (id int);\n"
              "CREATE TABLE u_${GANDER_TEST_UNSET_VARIABLE:-x} (id int);\n");
  /* an explicitly empty Down is a choice, not a problem */
  write_file ("m/00004_irreversible.sql", "-- +goose Up\nSELECT 4;\n-- +goose Down\n");
  write_file ("m/notes.sql", "-- not a migration\n");
  write_file ("m/00006_code.go", "package m\n");
  g_assert_cmpint (g_mkdir ("m/00007_dir.sql", 0755), ==, 0);
  g_assert_cmpint (mkfifo ("m/00008_pipe.sql", 0600), ==, 0);
}

typedef struct {
  GanderIssueSeverity  severity;
  GanderIssueKind      kind;
  const char          *path;
  guint                line;
  gint64               version;
  int                  direction;   /* -1: none */
  const char          *text;        /* in the message */
} Expected;

static void
assert_issues (GPtrArray      *issues,
               const Expected *expected,
               guint           n_expected)
{
  for (guint i = 0; i < issues->len; i++)
    {
      GanderValidationIssue *issue = g_ptr_array_index (issues, i);
      g_autofree char *kind = NULL;

      kind = g_enum_to_string (GANDER_TYPE_ISSUE_KIND, gander_validation_issue_get_kind (issue));
      g_test_message ("%u: %s %s:%u v%" G_GINT64_FORMAT ": %s", i, kind,
                      gander_validation_issue_get_path (issue),
                      gander_validation_issue_get_line (issue),
                      gander_validation_issue_get_version (issue),
                      gander_validation_issue_get_message (issue));
    }
  g_assert_cmpuint (issues->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      GanderValidationIssue *issue = g_ptr_array_index (issues, i);

      g_assert_cmpint (gander_validation_issue_get_severity (issue), ==, expected[i].severity);
      g_assert_cmpint (gander_validation_issue_get_kind (issue), ==, expected[i].kind);
      g_assert_cmpstr (gander_validation_issue_get_path (issue), ==, expected[i].path);
      g_assert_cmpuint (gander_validation_issue_get_line (issue), ==, expected[i].line);
      g_assert_cmpint (gander_validation_issue_get_version (issue), ==, expected[i].version);
      if (expected[i].direction < 0)
        g_assert_false (gander_validation_issue_get_has_direction (issue));
      else
        {
          g_assert_true (gander_validation_issue_get_has_direction (issue));
          g_assert_cmpint (gander_validation_issue_get_direction (issue), ==, expected[i].direction);
        }
      g_assert_nonnull (strstr (gander_validation_issue_get_message (issue), expected[i].text));
    }
}

static const Expected all_expected[] = {
  { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_DUPLICATE_VERSION,
    "m/00001_twin.sql", 0, 1, -1, "duplicate version 1: m/00001_ok.sql and m/00001_twin.sql" },
  { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_PARSE_ERROR,
    "m/00002_broken.sql", 4, 2, GANDER_DIRECTION_UP, "m/00002_broken.sql:4: failed to parse migration: state 1, direction: up" },
  { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_PARSE_ERROR,
    "m/00002_broken.sql", 5, 2, GANDER_DIRECTION_DOWN, "m/00002_broken.sql:5: failed to parse migration: state 4, direction: down" },
  { GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_GOOSE_QUIRK,
    "m/00003_quirks.sql", 2, 3, -1, "m/00003_quirks.sql:2: ';' followed directly by '--'" },
  { GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_ENVSUB_UNSET,
    "m/00003_quirks.sql", 5, 3, -1, "m/00003_quirks.sql:5: $GANDER_TEST_UNSET_VARIABLE is not set" },
  { GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_MISSING_DOWN,
    "m/00003_quirks.sql", 0, 3, GANDER_DIRECTION_DOWN, "no '-- +goose Down' section" },
  { GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_UNSUPPORTED_GO,
    "m/00006_code.go", 0, 6, -1, "m/00006_code.go: Go migrations are not supported" },
  { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_NOT_REGULAR_FILE,
    "m/00007_dir.sql", 0, 7, -1, "m/00007_dir.sql is named like a migration but is a directory" },
  { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_NOT_REGULAR_FILE,
    "m/00008_pipe.sql", 0, 8, -1, "m/00008_pipe.sql is named like a migration but is a FIFO" },
  { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_INVALID_FILENAME,
    "m/notes.sql", 0, 0, -1, "failed to get version from file \"m/notes.sql\"" },
};

static const GanderSourceFlags collect =
  GANDER_SOURCE_FLAGS_STRICT | GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS;

/* One call reports every problem of the directory, in file order. */
static void
test_every_problem (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;

  make_messy_directory ();

  /* Without COLLECT_PROBLEMS listing still stops at the first problem. */
  source = gander_source_new_for_uri ("m", GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_null (source);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME);
  g_clear_error (&error);

  source = gander_source_new_for_uri ("m", collect, NULL, &error);
  g_assert_no_error (error);
  /* the offending entries are left out of the runnable set */
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 4);
  g_assert_cmpstr (gander_migration_get_name (gander_source_lookup (source, 1)), ==, "00001_ok.sql");

  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  assert_issues (issues, all_expected, G_N_ELEMENTS (all_expected));

  /* a second call gives the same answer from the cached parses */
  g_clear_pointer (&issues, g_ptr_array_unref);
  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  assert_issues (issues, all_expected, G_N_ELEMENTS (all_expected));
}

static void
test_errors_only (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  Expected errors[G_N_ELEMENTS (all_expected)];
  guint n = 0;

  make_messy_directory ();
  for (guint i = 0; i < G_N_ELEMENTS (all_expected); i++)
    if (all_expected[i].severity == GANDER_ISSUE_SEVERITY_ERROR)
      errors[n++] = all_expected[i];

  source = gander_source_new_for_uri ("m", collect, NULL, &error);
  g_assert_no_error (error);
  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_ERRORS_ONLY, NULL, &error);
  g_assert_no_error (error);
  assert_issues (issues, errors, n);
}

/* Without STRICT, names without a version are goose Provider's business
 * (skipped), and a clean set has nothing to report. */
static void
test_clean_and_provider_mode (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;

  write_file ("m/00001_ok.sql", "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n");
  write_file ("m/notes.sql", "-- not a migration\n");
  g_setenv ("GANDER_TEST_SET_VARIABLE", "x", TRUE);
  write_file ("m/00002_env.sql",
              "-- +goose ENVSUB ON\n-- +goose Up\nSELECT '${GANDER_TEST_SET_VARIABLE}';\n"
              "-- +goose Down\nSELECT 2;\n");

  source = gander_source_new_for_uri ("m", GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS, NULL, &error);
  g_assert_no_error (error);
  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (issues->len, ==, 0);
  g_unsetenv ("GANDER_TEST_SET_VARIABLE");
}

/* A file that disappears between listing and validation is an issue of
 * its own, not a failure of the whole call. */
static void
test_unreadable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  static const Expected expected[] = {
    { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_READ_ERROR,
      "m/00001_gone.sql", 0, 1, -1, "m/00001_gone.sql: cannot read migration 1" },
    { GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_PARSE_ERROR,
      "m/00002_nul.sql", 2, 2, GANDER_DIRECTION_UP, "m/00002_nul.sql:2: a NUL byte (column 7)" },
  };

  write_file ("m/00001_gone.sql", "-- +goose Up\nSELECT 1;\n");
  g_file_set_contents ("m/00002_nul.sql", "-- +goose Up\nSELECT\0 1;\n-- +goose Down\n",
                       sizeof "-- +goose Up\nSELECT\0 1;\n-- +goose Down\n" - 1, &error);
  g_assert_no_error (error);
  source = gander_source_new_for_uri ("m", collect, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink ("m/00001_gone.sql"), ==, 0);
  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  assert_issues (issues, expected, G_N_ELEMENTS (expected));
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) issues = NULL;

  write_file ("m/00001_ok.sql", "-- +goose Up\nSELECT 1;\n");
  source = gander_source_new_for_uri ("m", collect, NULL, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, cancellable, &error);
  g_assert_null (issues);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
on_validated (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  *out = g_object_ref (result);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  make_messy_directory ();
  source = gander_source_new_for_uri ("m", collect, NULL, &error);
  g_assert_no_error (error);

  gander_source_validate_async (source, GANDER_VALIDATE_FLAGS_NONE, NULL, on_validated, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  issues = gander_source_validate_finish (source, result, &error);
  g_assert_no_error (error);
  assert_issues (issues, all_expected, G_N_ELEMENTS (all_expected));
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  gander_source_validate_async (source, GANDER_VALIDATE_FLAGS_NONE, cancellable,
                                on_validated, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (gander_source_validate_finish (source, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The issue is a plain GObject: its properties say what the getters say. */
static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  GanderIssueSeverity severity;
  GanderIssueKind kind;
  GanderDirection direction;
  gboolean has_direction;
  guint line;
  gint64 version;

  write_file ("m/00005_x.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2\n");
  source = gander_source_new_for_uri ("m", collect, NULL, &error);
  g_assert_no_error (error);
  issues = gander_source_validate (source, GANDER_VALIDATE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (issues->len, ==, 1);
  g_object_get (g_ptr_array_index (issues, 0),
                "severity", &severity, "kind", &kind, "path", &path, "line", &line,
                "version", &version, "has-direction", &has_direction,
                "direction", &direction, "message", &message, NULL);
  g_assert_cmpint (severity, ==, GANDER_ISSUE_SEVERITY_ERROR);
  g_assert_cmpint (kind, ==, GANDER_ISSUE_KIND_PARSE_ERROR);
  g_assert_cmpstr (path, ==, "m/00005_x.sql");
  g_assert_cmpuint (line, ==, 4);
  g_assert_cmpint (version, ==, 5);
  g_assert_true (has_direction);
  g_assert_cmpint (direction, ==, GANDER_DIRECTION_DOWN);
  g_assert_true (g_str_has_prefix (message, "m/00005_x.sql:4: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/validation/every-problem", test_every_problem);
  ADD ("/validation/errors-only", test_errors_only);
  ADD ("/validation/clean-and-provider-mode", test_clean_and_provider_mode);
  ADD ("/validation/unreadable", test_unreadable);
  ADD ("/validation/cancelled", test_cancelled);
  ADD ("/validation/async", test_async);
  ADD ("/validation/properties", test_properties);

#undef ADD

  return g_test_run ();
}
