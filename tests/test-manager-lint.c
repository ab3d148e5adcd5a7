/* test-manager-lint.c: GanderManager's lint step on SQLite files — only
 * the migrations a run is about to run are linted, in the direction it
 * runs them; lint=error refuses an error-severity finding with nothing
 * written, lint=warn and warning-severity findings become warnings of the
 * run; lint-disable, lint-error, lint-warn, lint=off and gander:lint-ignore
 * comments; dry runs; metrics and audit records.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *migdir;
  char *dbdir;      /* the database alone, for byte-identical snapshots */
  char *dbpath;
  char *statedir;
} Fixture;

/* applied before each test; no Down section: linted, it would warn */
#define M1 "-- +goose Up\nCREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);\n"
/* a warning (destructive: a exists before this file) */
#define M2 "-- +goose Up\nCREATE TABLE b (x INTEGER);\nDROP TABLE a;\n" \
           "-- +goose Down\nCREATE TABLE a (x INTEGER);\nDROP TABLE b;\n"
/* an error: VACUUM cannot run inside the transaction goose opens */
#define M3 "-- +goose Up\nCREATE TABLE c (x INTEGER);\nVACUUM;\n" \
           "-- +goose Down\nDROP TABLE c;\n"
#define M3_IGNORED "-- +goose Up\nCREATE TABLE c (x INTEGER);\n" \
                   "-- gander:lint-ignore needs-no-transaction checked by hand\nVACUUM;\n" \
                   "-- +goose Down\nDROP TABLE c;\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-manager-lint-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  f->dbdir = g_build_filename (f->tmpdir, "db", NULL);
  g_assert_cmpint (g_mkdir (f->dbdir, 0755), ==, 0);
  f->dbpath = g_build_filename (f->dbdir, "alerts.db", NULL);
  f->statedir = g_build_filename (f->tmpdir, "state", NULL);
  g_setenv ("GANDER_STATE_DIR", f->statedir, TRUE);
  gander_test_write_file (f->migdir, "00001_a.sql", M1);
  gander_test_write_file (f->migdir, "00002_b.sql", M2);
  gander_test_write_file (f->migdir, "00003_c.sql", M3);
  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->migdir);
  g_free (f->dbdir);
  g_free (f->dbpath);
  g_free (f->statedir);
}

static GanderProfile *
new_profile (Fixture    *f,
             const char *environment)
{
  return gander_test_new_profile ("alerts", "sqlite3", f->dbpath, f->migdir, environment);
}

static GanderRunOptions *
dry_run_options (void)
{
  GanderRunOptions *options = gander_run_options_new ();

  gander_run_options_set_dry_run (options, TRUE);
  return options;
}

/* Runs @operation to @target; expects @code (0: success) and returns the
 * report. */
static GanderRunReport *
execute (GanderManager    *manager,
         GanderOperation   operation,
         gint64            target,
         gboolean          dry_run,
         int               code)
{
  g_autoptr(GanderRunOptions) options = dry_run ? dry_run_options () : NULL;
  g_autoptr(GError) error = NULL;
  GanderRunReport *report = gander_manager_execute (manager, operation, target, options,
                                                    NULL, &error);

  if (code == 0)
    {
      g_assert_no_error (error);
      g_assert_nonnull (report);
      g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
      return report;
    }
  g_assert_error (error, GANDER_ERROR, code);
  g_test_message ("%s", error->message);
  return gander_manager_get_last_report (manager);
}

/* The finding of @rule in the report, or NULL. */
static GanderLintFinding *
find_finding (GanderRunReport *report,
              const char      *rule)
{
  GPtrArray *findings = gander_run_report_get_lint_findings (report);

  for (guint i = 0; i < findings->len; i++)
    if (g_str_equal (gander_lint_finding_get_rule (g_ptr_array_index (findings, i)), rule))
      return g_ptr_array_index (findings, i);
  return NULL;
}

static void
assert_no_finding_in (GanderRunReport *report,
                      const char      *basename)
{
  GPtrArray *findings = gander_run_report_get_lint_findings (report);

  for (guint i = 0; i < findings->len; i++)
    g_assert_false (g_str_has_suffix (gander_lint_finding_get_file (g_ptr_array_index (findings, i)),
                                      basename));
}

static gint64
db_version (Fixture *f)
{
  return gander_test_query_int ("sqlite3", f->dbpath,
                                "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied");
}

/* ------------------------------------------------------------------ */

/* production: the error in 00003 refuses the run before anything is
 * written; the message says where, which rule, and how to go on. */
static void
test_production_refuses (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = gander_test_snapshot_dir (f->dbdir);
  g_autofree char *after = NULL;
  g_autofree char *backups = g_build_filename (f->statedir, "backups", NULL);
  GanderLintFinding *finding;

  g_assert_cmpint (gander_profile_get_lint (profile), ==, GANDER_LINT_MODE_ERROR);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  after = gander_test_snapshot_dir (f->dbdir);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "00003_c.sql:3"));
  g_assert_nonnull (strstr (error->message, "[needs-no-transaction]"));
  g_assert_nonnull (strstr (error->message, "lint=error"));
  g_assert_nonnull (strstr (error->message, "gander:lint-ignore needs-no-transaction"));
  g_assert_nonnull (strstr (error->message, "NO TRANSACTION"));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (db_version (f), ==, 1);
  /* refused before the backup step */
  g_assert_false (g_file_test (backups, G_FILE_TEST_EXISTS));

  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_REFUSED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "lint");
  finding = find_finding (report, "needs-no-transaction");
  g_assert_nonnull (finding);
  g_assert_cmpint (gander_lint_finding_get_severity (finding), ==, GANDER_LINT_SEVERITY_ERROR);
  g_assert_cmpuint (gander_lint_finding_get_line (finding), ==, 3);
  /* the warning of 00002 is reported too; the applied 00001 is not linted */
  g_assert_nonnull (find_finding (report, "destructive"));
  g_assert_true (gander_test_report_has_warning (report, "00002_b.sql:3: lint warning [destructive]"));
  assert_no_finding_in (report, "00001_a.sql");
  g_assert_null (find_finding (report, "missing-down"));
}

/* development: lint=warn, every finding is a warning and the run goes on
 * (a dry run here: VACUUM would fail in the transaction, as goose's would) */
static void
test_development_warns (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "development");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunReport) report = NULL;
  g_autofree char *before = gander_test_snapshot_dir (f->dbdir);
  g_autofree char *after = NULL;

  g_assert_cmpint (gander_profile_get_lint (profile), ==, GANDER_LINT_MODE_WARN);
  g_assert_cmpstr (gander_profile_get_origin (profile, "lint"), ==,
                   "built-in [environment development]");
  report = execute (manager, GANDER_OPERATION_UP, 0, TRUE, 0);
  after = gander_test_snapshot_dir (f->dbdir);
  g_assert_cmpstr (before, ==, after);
  g_assert_true (gander_test_report_has_warning (report, "00003_c.sql:3: lint error [needs-no-transaction]"));
  g_assert_true (gander_test_report_has_warning (report, "00002_b.sql:3: lint warning [destructive]"));
  g_assert_cmpuint (gander_run_report_get_lint_findings (report)->len, ==, 2);
  g_clear_object (&report);

  /* a real run up to 2: the warning, and the migration applied */
  report = execute (manager, GANDER_OPERATION_UP_TO, 2, FALSE, 0);
  g_assert_true (gander_test_report_has_warning (report, "[destructive]"));
  g_assert_false (gander_test_report_has_warning (report, "needs-no-transaction"));
  g_assert_cmpint (db_version (f), ==, 2);
}

/* lint-disable, lint-warn, lint-error, lint=off and gander:lint-ignore
 * (dry runs in production: what the lint step decides) */
static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunReport) report = NULL;
  GanderLintFinding *finding;

  /* the dry run shows the refusal a real run would meet */
  report = execute (manager, GANDER_OPERATION_UP, 0, TRUE, GANDER_ERROR_POLICY_DENIED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "lint");
  g_assert_true (gander_run_report_get_dry_run (report));
  g_clear_object (&report);

  /* up-to 2 does not run 00003: nothing to refuse */
  report = execute (manager, GANDER_OPERATION_UP_TO, 2, TRUE, 0);
  g_assert_null (find_finding (report, "needs-no-transaction"));
  g_assert_nonnull (find_finding (report, "destructive"));
  g_clear_object (&report);

  /* lint-error raises a warning rule */
  gander_test_profile_set (profile, "lint-error", "destructive");
  report = execute (manager, GANDER_OPERATION_UP_TO, 2, TRUE, GANDER_ERROR_POLICY_DENIED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "lint");
  g_clear_object (&report);
  gander_test_profile_set (profile, "lint-error", NULL);

  /* lint-warn lowers an error rule */
  gander_test_profile_set (profile, "lint-warn", "needs-no-transaction");
  report = execute (manager, GANDER_OPERATION_UP, 0, TRUE, 0);
  finding = find_finding (report, "needs-no-transaction");
  g_assert_nonnull (finding);
  g_assert_cmpint (gander_lint_finding_get_severity (finding), ==, GANDER_LINT_SEVERITY_WARNING);
  g_assert_true (gander_test_report_has_warning (report, "00003_c.sql:3: lint warning [needs-no-transaction]"));
  g_clear_object (&report);
  gander_test_profile_set (profile, "lint-warn", NULL);

  /* lint-disable turns rules off (a list; disable wins over lint-error) */
  gander_test_profile_set (profile, "lint-disable", "needs-no-transaction; destructive");
  gander_test_profile_set (profile, "lint-error", "destructive");
  report = execute (manager, GANDER_OPERATION_UP, 0, TRUE, 0);
  g_assert_cmpuint (gander_run_report_get_lint_findings (report)->len, ==, 0);
  g_clear_object (&report);
  gander_test_profile_set (profile, "lint-disable", NULL);
  gander_test_profile_set (profile, "lint-error", NULL);

  /* lint=off: no lint step */
  gander_test_profile_set (profile, "lint", "off");
  report = execute (manager, GANDER_OPERATION_UP, 0, TRUE, 0);
  g_assert_cmpuint (gander_run_report_get_lint_findings (report)->len, ==, 0);
  g_assert_false (gander_test_report_has_warning (report, "lint"));
  g_clear_object (&report);
  gander_test_profile_set (profile, "lint", NULL);

  /* a gander:lint-ignore comment: reported as suppressed, not refused */
  gander_test_write_file (f->migdir, "00003_c.sql", M3_IGNORED);
  g_clear_object (&manager);
  manager = gander_test_new_manager (profile);
  report = execute (manager, GANDER_OPERATION_UP, 0, TRUE, 0);
  finding = find_finding (report, "needs-no-transaction");
  g_assert_nonnull (finding);
  g_assert_true (gander_lint_finding_get_suppressed (finding));
  g_assert_cmpstr (gander_lint_finding_get_suppression_reason (finding), ==, "checked by hand");
  g_assert_false (gander_test_report_has_warning (report, "needs-no-transaction"));
}

/* A down run lints the Down sections of what it rolls back, and only
 * those. */
static void
test_down (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  GanderLintFinding *finding;

  gander_test_write_file (f->migdir, "00002_b.sql",
                          "-- +goose Up\nCREATE TABLE b (x INTEGER);\nDROP TABLE a;\n"
                          "-- +goose Down\nDROP TABLE b;\nVACUUM;\n");
  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 2);
  manager = gander_test_new_manager (profile);

  report = execute (manager, GANDER_OPERATION_DOWN, 0, TRUE, GANDER_ERROR_POLICY_DENIED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "lint");
  finding = find_finding (report, "needs-no-transaction");
  g_assert_nonnull (finding);
  g_assert_cmpint (gander_lint_finding_get_direction (finding), ==, GANDER_DIRECTION_DOWN);
  g_assert_cmpuint (gander_lint_finding_get_line (finding), ==, 6);
  /* the Up section's drop is not what a rollback runs */
  g_assert_null (find_finding (report, "destructive"));
  assert_no_finding_in (report, "00003_c.sql");
}

static JsonObject *
last_event (GPtrArray  *records,
            const char *event)
{
  int found = -1;

  for (int i = gander_test_find_event (records, event, 0); i >= 0;
       i = gander_test_find_event (records, event, i + 1))
    found = i;
  g_assert_cmpint (found, >=, 0);
  return g_ptr_array_index (records, found);
}

static void
test_metrics_audit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *audit_path = g_build_filename (f->tmpdir, "audit.jsonl", NULL);
  g_autofree char *metrics_path = g_build_filename (f->tmpdir, "gander.prom", NULL);
  g_autofree char *text = NULL;
  const char *nnt[] = { "profile", "alerts", "environment", "staging",
                        "rule", "needs-no-transaction", "severity", "error", NULL };
  const char *destructive[] = { "profile", "alerts", "environment", "staging",
                                "rule", "destructive", "severity", "warning", NULL };
  JsonObject *record, *lint, *finding;

  gander_test_profile_set (profile, "audit-log", audit_path);
  gander_test_profile_set (profile, "metrics-file", metrics_path);
  gander_test_profile_set (profile, "backup", "off");
  manager = gander_test_new_manager (profile);

  /* refused: both findings counted, the refusal's record lists them */
  report = execute (manager, GANDER_OPERATION_UP, 0, FALSE, GANDER_ERROR_POLICY_DENIED);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_lint_findings_total", nnt), ==, 1);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_lint_findings_total", destructive), ==, 1);
  g_assert_true (g_file_get_contents (metrics_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "# TYPE gander_lint_findings_total counter"));
  g_assert_nonnull (strstr (text, "gander_lint_findings_total{profile=\"alerts\",environment=\"staging\","
                                  "rule=\"needs-no-transaction\",severity=\"error\"} 1"));
  records = gander_test_read_audit (audit_path);
  record = last_event (records, "policy.refused");
  g_assert_cmpstr (json_object_get_string_member (record, "rule"), ==, "lint");
  lint = json_object_get_object_member (record, "lint");
  g_assert_nonnull (lint);
  g_assert_cmpint (json_object_get_int_member (lint, "errors"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (lint, "warnings"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (lint, "suppressed"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (lint, "findings")), ==, 2);
  finding = json_array_get_object_element (json_object_get_array_member (lint, "findings"), 0);
  g_assert_cmpstr (json_object_get_string_member (finding, "rule"), ==, "destructive");
  g_assert_cmpstr (json_object_get_string_member (finding, "severity"), ==, "warning");
  g_assert_cmpint (json_object_get_int_member (finding, "line"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (finding, "direction"), ==, "up");
  g_clear_pointer (&records, g_ptr_array_unref);
  g_clear_object (&report);

  /* a dry run counts nothing */
  report = execute (manager, GANDER_OPERATION_UP_TO, 2, TRUE, 0);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_lint_findings_total", destructive), ==, 1);
  g_clear_object (&report);

  /* a run that goes on: its warning counted, its run.end records it */
  report = execute (manager, GANDER_OPERATION_UP_TO, 2, FALSE, 0);
  g_assert_cmpint (db_version (f), ==, 2);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_lint_findings_total", destructive), ==, 2);
  records = gander_test_read_audit (audit_path);
  record = last_event (records, "run.end");
  lint = json_object_get_object_member (record, "lint");
  g_assert_nonnull (lint);
  g_assert_cmpint (json_object_get_int_member (lint, "errors"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (lint, "warnings"), ==, 1);
  g_clear_pointer (&records, g_ptr_array_unref);
  g_clear_object (&report);

  /* lint=off: no lint member */
  gander_test_profile_set (profile, "lint", "off");
  gander_test_write_file (f->migdir, "00003_c.sql", "-- +goose Up\nCREATE TABLE c (x INTEGER);\n"
                                                    "-- +goose Down\nDROP TABLE c;\n");
  g_clear_object (&manager);
  manager = gander_test_new_manager (profile);
  report = execute (manager, GANDER_OPERATION_UP, 0, FALSE, 0);
  records = gander_test_read_audit (audit_path);
  record = last_event (records, "run.end");
  g_assert_false (json_object_has_member (record, "lint"));
}

/* The configuration keys: defaults per environment, and unknown rules. */
static void
test_config (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
  g_autoptr(GanderLinter) linter = gander_linter_new (GANDER_LINT_DIALECT_SQLITE3);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) disabled = NULL;

  g_assert_cmpint (gander_profile_get_lint (profile), ==, GANDER_LINT_MODE_WARN);
  gander_test_profile_set (profile, "environment", "staging");
  g_assert_cmpint (gander_profile_get_lint (profile), ==, GANDER_LINT_MODE_ERROR);
  gander_test_profile_set (profile, "environment", "production");
  g_assert_cmpint (gander_profile_get_lint (profile), ==, GANDER_LINT_MODE_ERROR);
  gander_test_profile_set (profile, "lint", "OFF");
  g_assert_cmpint (gander_profile_get_lint (profile), ==, GANDER_LINT_MODE_OFF);
  g_assert_cmpstr (gander_profile_get (profile, "lint"), ==, "off");

  g_assert_false (gander_profile_set (profile, "lint", "strict", "conf:3 [gander]", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "conf:3 [gander]: lint=strict"));
  g_assert_nonnull (strstr (error->message, "off, warn, error"));
  g_clear_error (&error);

  g_assert_false (gander_profile_set (profile, "lint-disable", "destructive;destructiv",
                                      "conf:4 [gander]", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "conf:4 [gander]: lint-disable="));
  g_assert_nonnull (strstr (error->message, "“destructiv”"));
  g_assert_nonnull (strstr (error->message, "did you mean “destructive”"));
  g_assert_nonnull (strstr (error->message, "needs-no-transaction, transaction-nesting"));
  g_clear_error (&error);
  g_assert_false (gander_profile_set (profile, "lint-error", "no-such-rule", "t", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "“no-such-rule”"));
  g_assert_nonnull (strstr (error->message, "parse-error"));
  g_clear_error (&error);

  gander_test_profile_set (profile, "lint-disable", " rename , missing-down;");
  disabled = gander_profile_get_lint_disable (profile);
  g_assert_cmpuint (g_strv_length (disabled), ==, 2);
  g_assert_cmpstr (disabled[0], ==, "rename");
  g_assert_cmpstr (disabled[1], ==, "missing-down");
  gander_test_profile_set (profile, "lint-warn", "parse-error");
  gander_test_profile_set (profile, "lint-error", "unbounded-dml");
  g_assert_true (gander_linter_apply_profile (linter, profile, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "rename"), ==, GANDER_LINT_SEVERITY_OFF);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "missing-down"), ==, GANDER_LINT_SEVERITY_OFF);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "parse-error"), ==, GANDER_LINT_SEVERITY_WARNING);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "unbounded-dml"), ==, GANDER_LINT_SEVERITY_ERROR);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "destructive"), ==, GANDER_LINT_SEVERITY_WARNING);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *path; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "/manager-lint/production-refuses", test_production_refuses },
    { "/manager-lint/development-warns", test_development_warns },
    { "/manager-lint/settings", test_settings },
    { "/manager-lint/down", test_down },
    { "/manager-lint/metrics-audit", test_metrics_audit },
    { "/manager-lint/config", test_config },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add (tests[i].path, Fixture, NULL, fixture_setup, tests[i].func, fixture_teardown);
  return gander_test_run ();
}
