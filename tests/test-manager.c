/* test-manager.c: GanderManager's pipeline on SQLite files — policy
 * refusals that leave the database byte-identical, dry runs, validation,
 * retry with backoff, cancellation, auto-migrate, progress.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "gander-circuit-breaker-private.h"
#include "gander-retry-private.h"
#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *migdir;
  char *dbpath;
  char *statedir;
} Fixture;

#define M1 "-- +goose Up\nCREATE TABLE a (x INTEGER);\n-- +goose Down\nDROP TABLE a;\n"
#define M2 "-- +goose Up\nCREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);\n-- +goose Down\nDROP TABLE b;\n"
#define M3 "-- +goose Up\nCREATE TABLE c (x INTEGER);\n-- +goose Down\nDROP TABLE c;\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-manager-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  f->dbpath = g_build_filename (f->tmpdir, "alerts.db", NULL);
  f->statedir = g_build_filename (f->tmpdir, "state", NULL);
  /* breakers persist here: one set per test */
  g_setenv ("GANDER_STATE_DIR", f->statedir, TRUE);
  gander_test_write_file (f->migdir, "00001_a.sql", M1);
  gander_test_write_file (f->migdir, "00002_b.sql", M2);
  gander_test_write_file (f->migdir, "00003_c.sql", M3);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->migdir);
  g_free (f->dbpath);
  g_free (f->statedir);
}

static GanderProfile *
new_profile (Fixture    *f,
             const char *name,
             const char *environment)
{
  return gander_test_new_profile (name, "sqlite3", f->dbpath, f->migdir, environment);
}

/* Everything in the directory of the database: its bytes and the names
 * beside it (journal, lock file), so "nothing written" means nothing. */
static char *
snapshot (Fixture *f)
{
  return gander_test_snapshot_dir (f->tmpdir);
}

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  return gander_test_query_int ("sqlite3", f->dbpath, sql);
}

static void
assert_refused (GanderManager *manager,
                GError        *error,
                gint           code,
                const char    *rule)
{
  g_autoptr(GanderRunReport) report = gander_manager_get_last_report (manager);

  g_assert_error (error, GANDER_ERROR, code);
  g_assert_nonnull (report);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_REFUSED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, rule);
  g_assert_nonnull (gander_run_report_get_error (report));
  g_assert_cmpint (gander_run_report_get_error (report)->code, ==, code);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 0);
  g_assert_nonnull (gander_run_report_get_finished_at (report));
}

/* ------------------------------------------------------------------ */
/* Policy                                                              */

static void
test_refuse_allow_commands (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 2);
  gander_test_profile_set (profile, "allow-commands", "up;status;version");
  manager = gander_test_new_manager (profile);
  before = snapshot (f);

  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, NULL, NULL, &error);
  g_assert_null (report);
  assert_refused (manager, error, GANDER_ERROR_POLICY_DENIED, "allow-commands");
  g_assert_nonnull (strstr (error->message, "allow-commands"));
  g_assert_nonnull (strstr (error->message, "production"));

  /* the gate alone says the same, and allows what is listed */
  g_clear_error (&error);
  g_assert_false (gander_manager_check_policy (manager, GANDER_OPERATION_RESET, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED);
  g_clear_error (&error);
  g_assert_true (gander_manager_check_policy (manager, GANDER_OPERATION_STATUS, NULL, &error));
  g_assert_no_error (error);

  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
}

static void
test_refuse_confirmation (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 2);
  manager = gander_test_new_manager (profile);
  before = snapshot (f);

  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, options, NULL, &error);
  g_assert_null (report);
  assert_refused (manager, error, GANDER_ERROR_CONFIRMATION_REQUIRED, "require-confirmation");
  g_assert_nonnull (strstr (error->message, "--confirm=alerts"));
  g_clear_error (&error);

  gander_run_options_set_confirmation (options, "alert");
  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, options, NULL, &error);
  g_assert_null (report);
  assert_refused (manager, error, GANDER_ERROR_CONFIRMATION_REQUIRED, "require-confirmation");
  g_clear_error (&error);
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);

  /* a dry run writes nothing: it needs no confirmation */
  gander_run_options_set_confirmation (options, NULL);
  gander_run_options_set_dry_run (options, TRUE);
  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_plan_get_n_steps (gander_run_report_get_plan (report)), ==, 1);
  g_clear_object (&report);

  gander_run_options_set_dry_run (options, FALSE);
  gander_run_options_set_confirmation (options, "alerts");
  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
  g_assert_cmpint (gander_run_report_get_from_version (report), ==, 2);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 1);
  g_assert_cmpstr (gander_run_report_get_operation (report), ==, "down");
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 1);
}

static void
test_confirmation_ad_hoc (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, NULL, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_RESET, 0, options, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_CONFIRMATION_REQUIRED, "require-confirmation");
  /* no profile name: the database's file name confirms */
  g_assert_nonnull (strstr (error->message, "--confirm=alerts.db"));
  g_clear_error (&error);

  gander_run_options_set_confirmation (options, "alerts.db");
  report = gander_manager_execute (manager, GANDER_OPERATION_RESET, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 0);
  g_assert_null (gander_run_report_get_profile (report));
  g_assert_cmpstr (gander_run_report_get_environment (report), ==, "production");
}

#define M_NOTX_FAILS \
  "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE d (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n" \
  "-- +goose Down\nDROP TABLE d;\n"

static void
test_refuse_dirty (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gander_test_write_file (f->migdir, "00004_notx.sql", M_NOTX_FAILS);
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  g_clear_object (&report);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 4);
  g_clear_object (&report);

  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_DIRTY, "dirty");
  g_assert_nonnull (strstr (error->message, "clear-dirty 4"));
  g_clear_error (&error);
  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_DIRTY, "dirty");
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
  g_clear_error (&error);
}

static void
test_repair (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderProfile) development = new_profile (f, "alerts", "development");
  g_autoptr(GanderProfile) production = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  /* a NO TRANSACTION migration leaves its marker */
  gander_test_write_file (f->migdir, "00004_notx.sql", M_NOTX_FAILS);
  manager = gander_test_new_manager (development);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  g_clear_object (&manager);

  /* production: repairs are confirmed */
  manager = gander_test_new_manager (production);
  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_CLEAR_DIRTY, 4, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_CONFIRMATION_REQUIRED, "require-confirmation");
  g_clear_error (&error);
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);

  /* it completed, a human says: record it as applied */
  gander_run_options_set_confirmation (options, "alerts");
  gander_run_options_set_mark_applied (options, TRUE);
  report = gander_manager_execute (manager, GANDER_OPERATION_CLEAR_DIRTY, 4, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_run_report_get_operation (report), ==, "clear-dirty");
  g_assert_cmpint (gander_run_report_get_target (report), ==, 4);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 4);
  g_clear_object (&report);

  /* an intended edit of an applied file */
  gander_test_write_file (f->migdir, "00001_a.sql", M1 "-- edited\n");
  g_clear_object (&manager);
  manager = gander_test_new_manager (production);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_POLICY_DENIED, "checksum-drift");
  g_clear_error (&error);
  report = gander_manager_execute (manager, GANDER_OPERATION_ACCEPT_CHECKSUM, 1, options, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  report = gander_manager_execute (manager, GANDER_OPERATION_VALIDATE, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
}

static void
test_baseline (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "development");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = gander_manager_execute (manager, GANDER_OPERATION_BASELINE, 2, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 2);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sqlite_master WHERE name = 'a'"), ==, 0);
  g_clear_object (&report);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 1);
}

static void
test_checksum_drift (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) production = new_profile (f, "alerts", "production");
  g_autoptr(GanderProfile) development = new_profile (f, "alerts", "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char * const *warnings;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  gander_test_write_file (f->migdir, "00001_a.sql", M1 "-- edited\n");

  manager = gander_test_new_manager (production);
  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_POLICY_DENIED, "checksum-drift");
  g_assert_nonnull (strstr (error->message, "accept-checksum 1"));
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
  g_clear_error (&error);
  g_clear_object (&manager);

  /* development only warns, and runs */
  manager = gander_test_new_manager (development);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  warnings = gander_run_report_get_warnings (report);
  g_assert_nonnull (warnings[0]);
  g_assert_nonnull (strstr (warnings[0], "checksum drift"));
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
}

static void
test_refuse_missing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->migdir, "00002_b.sql", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_cmpint (g_unlink (path), ==, 0);
  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 3);
  gander_test_write_file (f->migdir, "00002_b.sql", M2);

  manager = gander_test_new_manager (profile);
  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_MISSING_MIGRATIONS, "missing-migrations");
  g_assert_nonnull (strstr (error->message, "--allow-missing"));
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
  g_clear_error (&error);

  gander_run_options_set_allow_missing (options, TRUE);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 1);
}

static void
test_validation_strict (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  /* broken, and not even part of the run (up-to 1) */
  gander_test_write_file (f->migdir, "00009_broken.sql",
                          "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n");
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP_TO, 1, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_PARSE, "validation");
  g_assert_nonnull (strstr (error->message, "00009_broken.sql"));
  g_assert_false (g_file_test (f->dbpath, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  report = gander_manager_execute (manager, GANDER_OPERATION_VALIDATE, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_clear_object (&report);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
}

/* ------------------------------------------------------------------ */
/* Dry run                                                             */

static void
test_dry_run (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GanderPlan *plan;
  GanderPlanStep *step;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  gander_run_options_set_dry_run (options, TRUE);
  before = snapshot (f);

  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gander_run_report_get_dry_run (report));
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 0);
  g_assert_cmpint (gander_run_report_get_from_version (report), ==, 1);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 1);
  plan = gander_run_report_get_plan (report);
  g_assert_cmpuint (gander_plan_get_n_steps (plan), ==, 2);
  step = gander_plan_get_step (plan, 0);
  g_assert_cmpint (gander_plan_step_get_version (step), ==, 2);
  g_assert_cmpuint (gander_plan_step_get_n_statements (step), ==, 2);
  g_assert_cmpstr (gander_plan_step_get_statements (step)[1], ==, "INSERT INTO b VALUES (1);");
  g_assert_cmpuint (gander_plan_step_get_statement_line (step, 1), ==, 3);
  g_assert_true (gander_plan_step_get_use_transaction (step));

  /* reset needs confirmation in production, but not to look */
  g_clear_object (&report);
  report = gander_manager_execute (manager, GANDER_OPERATION_RESET, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_plan_get_n_steps (gander_run_report_get_plan (report)), ==, 1);

  /* the repairs have no dry run: refused, never run for real (and
   * never without the confirmation production asks for) */
  g_clear_object (&report);
  for (GanderOperation op = GANDER_OPERATION_BASELINE; op <= GANDER_OPERATION_BREAKER_RESET; op++)
    {
      report = gander_manager_execute (manager, op, 2, options, NULL, &error);
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "has no dry run"));
      g_assert_null (report);
      g_clear_error (&error);
    }

  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM goose_db_version"), ==, 2);
}

static void
test_dry_run_new_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  /* a database that does not exist yet stays that way */
  gander_run_options_set_dry_run (options, TRUE);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP_TO, 2, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_plan_get_n_steps (gander_run_report_get_plan (report)), ==, 2);
  g_assert_cmpint (gander_run_report_get_from_version (report), ==, 0);
  g_assert_false (g_file_test (f->dbpath, G_FILE_TEST_EXISTS));
  g_clear_object (&report);

  /* and so does one whose automatic migration is refused */
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED);
  g_assert_false (g_file_test (f->dbpath, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */
/* Retry                                                               */

typedef struct
{
  sqlite3 *db;
  guint    release_after_ms;
} Holder;

static sqlite3 *
hold_write_lock (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->dbpath, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  return db;
}

static gpointer
release_later (gpointer data)
{
  Holder *holder = data;

  g_usleep (holder->release_after_ms * 1000);
  /* the run may be reading at this moment (a health check, a backup, a
   * retried read): the commit waits for its shared lock to go */
  sqlite3_busy_timeout (holder->db, 10000);
  g_assert_cmpint (sqlite3_exec (holder->db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (holder->db);
  return NULL;
}

static void
set_retry (GanderProfile *profile,
           const char    *attempts,
           const char    *initial)
{
  gander_test_profile_set (profile, "retry-max-attempts", attempts);
  gander_test_profile_set (profile, "retry-initial-delay", initial);
  gander_test_profile_set (profile, "retry-max-delay", "400ms");
  gander_test_profile_set (profile, "retry-multiplier", "2");
  gander_test_profile_set (profile, "lock-timeout", "100ms");
  /* the retries alone: no checks or backup between the plan and the
   * apply step, which a slow (sanitizer) build could let outlast the
   * other connection's lock */
  gander_test_profile_set (profile, "health-before", "none");
  gander_test_profile_set (profile, "backup", "off");
}

/* Reading the state is retried too: another connection holds the whole
 * file (BEGIN EXCLUSIVE), so even the first read is refused for a while. */
static void
test_retry_locked_read (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Holder holder = { NULL, 600 };
  GThread *thread;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  set_retry (profile, "20", "100ms");
  manager = gander_test_new_manager (profile);

  g_assert_cmpint (sqlite3_open (f->dbpath, &holder.db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (holder.db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  thread = g_thread_new ("holder", release_later, &holder);
  report = gander_manager_execute (manager, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_retries (report), >=, 1);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 1);
  g_assert_nonnull (strstr (gander_run_report_get_warnings (report)[0], "locked"));
  g_clear_object (&report);

  /* and before a migration run's plan */
  g_assert_cmpint (sqlite3_open (f->dbpath, &holder.db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (holder.db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  thread = g_thread_new ("holder", release_later, &holder);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_retries (report), >=, 1);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
}

static void
test_retry_locked (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Holder holder = { NULL, 600 };
  GThread *thread;
  GPtrArray *results;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  set_retry (profile, "20", "100ms");
  manager = gander_test_new_manager (profile);

  holder.db = hold_write_lock (f);
  thread = g_thread_new ("holder", release_later, &holder);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);

  g_assert_cmpuint (gander_run_report_get_retries (report), >=, 1);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
  results = gander_run_report_get_results (report);
  /* every failed attempt is in the list, then the two that applied */
  g_assert_cmpuint (results->len, ==, 2 + gander_run_report_get_retries (report));
  g_assert_error (gander_migration_result_get_error (g_ptr_array_index (results, 0)),
                  GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_assert_nonnull (strstr (gander_run_report_get_warnings (report)[0], "retrying in"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM b"), ==, 1);
}

#define M_SYNTAX "-- +goose Up\nCREATE TABLE e (x INTEGER);\nCREATE TABLEE oops;\n-- +goose Down\nDROP TABLE e;\n"

static void
test_no_retry_syntax (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  gander_test_write_file (f->migdir, "00004_syntax.sql", M_SYNTAX);
  /* the file must fail when it runs, not be refused by lint first */
  gander_test_profile_set (profile, "lint", "off");
  set_retry (profile, "5", "10ms");
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpuint (gander_run_report_get_retries (report), ==, 0);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 4);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
}

#define M_NOTX "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE f (x INTEGER);\n-- +goose Down\nDROP TABLE f;\n"

static void
test_no_retry_no_transaction (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results;
  sqlite3 *holder;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 3);
  gander_test_write_file (f->migdir, "00004_notx.sql", M_NOTX);
  set_retry (profile, "5", "10ms");
  manager = gander_test_new_manager (profile);

  /* a lock error is transient, but the NO TRANSACTION file had started */
  holder = hold_write_lock (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  sqlite3_exec (holder, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (holder);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpuint (gander_run_report_get_retries (report), ==, 0);
  results = gander_run_report_get_results (report);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (gander_migration_result_get_version (g_ptr_array_index (results, 0)), ==, 4);
}

static void
cancel_on_retry (GanderManager *manager,
                 const char    *message,
                 GCancellable  *cancellable)
{
  if (strstr (message, "retrying in") != NULL)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel_during_backoff (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  sqlite3 *holder;
  gint64 started;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  set_retry (profile, "5", "1m");
  gander_test_profile_set (profile, "retry-max-delay", "1m");
  manager = gander_test_new_manager (profile);
  g_signal_connect (manager, "warning", G_CALLBACK (cancel_on_retry), cancellable);

  holder = hold_write_lock (f);
  started = g_get_monotonic_time ();
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, cancellable, &error);
  sqlite3_exec (holder, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (holder);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* one 100 ms lock wait; the minute-long backoff ends at once */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_TIME_SPAN_SECOND);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_CANCELLED);
  g_assert_cmpuint (gander_run_report_get_retries (report), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM goose_db_version WHERE version_id > 0"), ==, 1);
}

static void
test_run_timeout (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *holder;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  set_retry (profile, "50", "1s");
  gander_test_profile_set (profile, "timeout", "300ms");
  manager = gander_test_new_manager (profile);

  holder = hold_write_lock (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  sqlite3_exec (holder, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (holder);

  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "300ms"));
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
}

/* The deadline fires while an attempt waits on the lock (longer than the
 * whole run may take): the wait ends at once and the run timed out; it is
 * not "database is locked", and nothing was applied. */
static void
test_run_timeout_during_attempt (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  sqlite3 *holder;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  set_retry (profile, "50", "10ms");
  gander_test_profile_set (profile, "lock-timeout", "600ms");
  gander_test_profile_set (profile, "timeout", "200ms");
  manager = gander_test_new_manager (profile);

  holder = hold_write_lock (f);
  g_assert_null (gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error));
  sqlite3_exec (holder, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (holder);

  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "200ms"));
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
  g_assert_cmpint (query_int (f, "SELECT max(version_id) FROM goose_db_version"), ==, 1);
}

static void
test_retry_policy (void)
{
  GanderRetryPolicy policy = { 5, 500 * G_TIME_SPAN_MILLISECOND, 30 * G_TIME_SPAN_SECOND, 2.0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) locked = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_LOCKED, "x");
  g_autoptr(GError) sql = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_SQL, "x");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");

  g_assert_cmpint (gander_retry_policy_cap (&policy, 1), ==, 500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (gander_retry_policy_cap (&policy, 2), ==, G_TIME_SPAN_SECOND);
  g_assert_cmpint (gander_retry_policy_cap (&policy, 3), ==, 2 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (gander_retry_policy_cap (&policy, 7), ==, 30 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (gander_retry_policy_cap (&policy, 1000), ==, 30 * G_TIME_SPAN_SECOND);
  for (guint i = 0; i < 1000; i++)
    {
      GTimeSpan d = gander_retry_policy_delay (&policy, 3, rand);
      g_assert_cmpint (d, >=, 0);
      g_assert_cmpint (d, <=, 2 * G_TIME_SPAN_SECOND);
    }
  policy.max_delay = 0;
  g_assert_cmpint (gander_retry_policy_cap (&policy, 10000), >, 0);

  g_assert_cmpstr (gander_retry_reason (locked), ==, "locked");
  g_assert_null (gander_retry_reason (sql));
  g_assert_null (gander_retry_reason (cancelled));
  g_assert_true (gander_retry_attempt_may_retry (locked, NULL, TRUE));
  g_assert_false (gander_retry_attempt_may_retry (sql, NULL, FALSE));
}

/* Which failed attempts run again: (error, results, last failed, last in
 * a transaction, relative) → retry? */
static void
test_retry_decide (void)
{
  g_autoptr(GError) locked = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_LOCKED, "x");
  g_autoptr(GError) retryable = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_RETRYABLE, "x");
  g_autoptr(GError) connection = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_CONNECTION, "x");
  g_autoptr(GError) sql = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_SQL, "x");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");

  /* not transient: never */
  g_assert_false (gander_retry_decide (sql, 0, FALSE, FALSE, FALSE));
  g_assert_false (gander_retry_decide (cancelled, 0, FALSE, FALSE, FALSE));
  g_assert_false (gander_retry_decide (NULL, 0, FALSE, FALSE, FALSE));

  /* before the first migration: always */
  g_assert_true (gander_retry_decide (connection, 0, FALSE, FALSE, TRUE));
  g_assert_true (gander_retry_decide (locked, 0, FALSE, FALSE, TRUE));

  /* a target operation: a rolled-back migration, or a failure after the
   * last one, whatever the transient cause */
  g_assert_true (gander_retry_decide (connection, 1, TRUE, TRUE, FALSE));
  g_assert_true (gander_retry_decide (connection, 3, TRUE, TRUE, FALSE));
  g_assert_true (gander_retry_decide (connection, 2, FALSE, FALSE, FALSE));
  g_assert_true (gander_retry_decide (retryable, 2, TRUE, TRUE, FALSE));
  /* ... but never a NO TRANSACTION migration that failed */
  g_assert_false (gander_retry_decide (connection, 1, TRUE, FALSE, FALSE));
  g_assert_false (gander_retry_decide (locked, 1, TRUE, FALSE, FALSE));

  /* a relative operation: the server's rollback of its only migration */
  g_assert_true (gander_retry_decide (locked, 1, TRUE, TRUE, TRUE));
  g_assert_true (gander_retry_decide (retryable, 1, TRUE, TRUE, TRUE));
  /* a lost connection may have committed it */
  g_assert_false (gander_retry_decide (connection, 1, TRUE, TRUE, TRUE));
  /* a migration of the attempt committed */
  g_assert_false (gander_retry_decide (locked, 1, FALSE, FALSE, TRUE));
  g_assert_false (gander_retry_decide (connection, 1, FALSE, FALSE, TRUE));
  g_assert_false (gander_retry_decide (locked, 2, TRUE, TRUE, TRUE));
  g_assert_false (gander_retry_decide (locked, 1, TRUE, FALSE, TRUE));
}

/* ------------------------------------------------------------------ */
/* auto-migrate                                                        */

static void
test_auto_migrate (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderProfile) development = new_profile (f, "alerts", "development");
  g_autoptr(GanderProfile) production = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (production);
  before = snapshot (f);
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_POLICY_DENIED, "auto-migrate");
  g_assert_nonnull (strstr (error->message, "2 migrations are pending"));
  g_clear_object (&report);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpuint (gander_plan_get_n_steps (gander_run_report_get_plan (report)), ==, 2);
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
  g_clear_error (&error);
  g_clear_object (&report);
  g_clear_object (&manager);

  manager = gander_test_new_manager (development);
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 2);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
  g_clear_object (&report);
  g_clear_object (&manager);

  /* nothing pending: production has nothing to refuse */
  manager = gander_test_new_manager (production);
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
}

/* ------------------------------------------------------------------ */
/* Progress, async                                                     */

typedef struct
{
  GPtrArray       *steps;
  GArray          *fractions;
  GanderRunReport *report;
  GError          *error;
  gboolean         done;
  GThread         *main_thread;
  gboolean         saw_busy;
  GArray          *notified;   /* every value of :fraction */
} Progress;

static void
on_fraction (GanderManager *manager,
             GParamSpec    *pspec,
             Progress      *progress)
{
  double fraction = gander_manager_get_fraction (manager);

  g_array_append_val (progress->notified, fraction);
}

static void
on_step_changed (GanderManager *manager,
                 const char    *step,
                 double         fraction,
                 Progress      *progress)
{
  g_assert_true (g_thread_self () == progress->main_thread);
  g_ptr_array_add (progress->steps, g_strdup (step));
  g_array_append_val (progress->fractions, fraction);
  g_assert_cmpstr (gander_manager_get_step (manager), ==, step);
  progress->saw_busy |= gander_manager_get_busy (manager);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Progress *progress = data;

  progress->report = gander_manager_execute_finish (GANDER_MANAGER (source), result,
                                                    &progress->error);
  progress->done = TRUE;
}

static void
test_progress_async (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "development");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0, };
  /* no health-pre: the database file does not exist yet (a check would
   * create it); no backup in development */
  const char *expected[] = { "policy", "validate", "plan", "lint", "apply", "health-post", "finish" };

  progress.steps = g_ptr_array_new_with_free_func (g_free);
  progress.fractions = g_array_new (FALSE, FALSE, sizeof (double));
  progress.notified = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (manager, "notify::fraction", G_CALLBACK (on_fraction), &progress);
  progress.main_thread = g_thread_self ();
  g_signal_connect (manager, "step-changed", G_CALLBACK (on_step_changed), &progress);

  g_main_context_push_thread_default (context);
  gander_manager_execute_async (manager, GANDER_OPERATION_UP, 0, NULL, NULL, on_done, &progress);

  /* one at a time */
  report = gander_manager_execute (manager, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BUSY);
  g_assert_null (report);

  while (!progress.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_assert_no_error (progress.error);
  g_assert_cmpuint (gander_run_report_get_results (progress.report)->len, ==, 3);
  g_assert_cmpuint (progress.steps->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (progress.steps, i), ==, expected[i]);
  for (guint i = 1; i < progress.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (progress.fractions, double, i), >,
                       g_array_index (progress.fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (progress.fractions, double, 0), ==, 0.0);
  g_assert_true (progress.saw_busy);
  g_assert_false (gander_manager_get_busy (manager));
  g_assert_cmpfloat (gander_manager_get_fraction (manager), ==, 1.0);
  /* rising all the way, with steps inside apply: one per migration */
  /* validate, plan, apply, one per migration (the last one reaches the
   * start of finish), 1 */
  g_assert_cmpuint (progress.notified->len, >=, 3 + 2 + 1);
  for (guint i = 1; i < progress.notified->len; i++)
    g_assert_cmpfloat (g_array_index (progress.notified, double, i), >,
                       g_array_index (progress.notified, double, i - 1));

  g_array_unref (progress.notified);
  g_clear_object (&progress.report);
  g_ptr_array_unref (progress.steps);
  g_array_unref (progress.fractions);
}

typedef struct
{
  guint       count;
  GanderPlan *plan;
  char       *step;      /* the manager's step when it came */
} PlanSeen;

static void
on_plan_ready (GanderManager *manager,
               GanderPlan    *plan,
               PlanSeen      *seen)
{
  g_assert_true (GANDER_IS_PLAN (plan));
  seen->count++;
  g_set_object (&seen->plan, plan);
  g_free (seen->step);
  seen->step = g_strdup (gander_manager_get_step (manager));
}

/* plan-ready: once per migration run, in the plan step, before apply, for
 * dry runs too; not for read-only operations. */
static void
test_plan_ready (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  PlanSeen seen = { 0, };

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  g_signal_connect (manager, "plan-ready", G_CALLBACK (on_plan_ready), &seen);

  gander_run_options_set_dry_run (options, TRUE);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen.count, ==, 1);
  g_assert_true (seen.plan == gander_run_report_get_plan (report));
  g_assert_cmpuint (gander_plan_get_n_steps (seen.plan), ==, 2);
  g_assert_cmpstr (seen.step, ==, "plan");
  g_clear_object (&report);

  report = gander_manager_execute (manager, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen.count, ==, 1);
  g_clear_object (&report);

  /* a real run: the plan comes before the apply step */
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen.count, ==, 2);
  g_assert_cmpstr (seen.step, ==, "plan");
  g_assert_cmpuint (gander_plan_get_n_steps (seen.plan), ==, 2);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);

  g_clear_object (&seen.plan);
  g_free (seen.step);
}

static void
test_status_version (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GanderOperation op;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 2);
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_VERSION, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 2);
  g_clear_object (&report);
  report = gander_manager_execute (manager, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_from_version (report), ==, 2);
  g_assert_cmpstr (gander_run_report_get_operation (report), ==, "status");

  g_assert_true (gander_operation_from_string ("up-by-one", &op));
  g_assert_cmpint (op, ==, GANDER_OPERATION_UP_BY_ONE);
  g_assert_cmpstr (gander_operation_to_string (GANDER_OPERATION_BREAKER_RESET), ==, "breaker-reset");
  g_assert_false (gander_operation_from_string ("sideways", &op));
  /* issue 9's, appended */
  g_assert_cmpstr (gander_operation_to_string (GANDER_OPERATION_BACKUP), ==, "backup");
  g_assert_cmpstr (gander_operation_to_string (GANDER_OPERATION_RESTORE), ==, "restore");
  g_assert_cmpstr (gander_operation_to_string (GANDER_OPERATION_HEALTH), ==, "health");
  g_assert_true (gander_operation_from_string ("prune-backups", &op));
  g_assert_cmpint (op, ==, GANDER_OPERATION_PRUNE_BACKUPS);
  g_assert_cmpint (GANDER_OPERATION_BACKUP, ==, GANDER_OPERATION_BREAKER_RESET + 1);
}

/* A restore replaces the database: confirmed in every environment, even
 * development (which confirms nothing else). */
static void
test_restore_needs_confirmation (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "development");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  gander_run_options_set_backup_id (options, "latest");
  g_assert_cmpstr (gander_run_options_get_backup_id (options), ==, "latest");
  g_assert_false (gander_manager_check_policy (manager, GANDER_OPERATION_RESTORE, options, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_assert_nonnull (strstr (error->message, "--confirm=alerts"));
  g_clear_error (&error);

  report = gander_manager_execute (manager, GANDER_OPERATION_RESTORE, 0, options, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_assert_null (report);
  g_clear_error (&error);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_REFUSED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "require-confirmation");
  g_clear_object (&report);

  gander_run_options_set_confirmation (options, "alert");
  g_assert_false (gander_manager_check_policy (manager, GANDER_OPERATION_RESTORE, options, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_clear_error (&error);
  gander_run_options_set_confirmation (options, "alerts");
  g_assert_true (gander_manager_check_policy (manager, GANDER_OPERATION_RESTORE, options, &error));
  g_assert_no_error (error);
  /* the other new commands need none in development */
  g_assert_true (gander_manager_check_policy (manager, GANDER_OPERATION_BACKUP, NULL, &error));
  g_assert_true (gander_manager_check_policy (manager, GANDER_OPERATION_PRUNE_BACKUPS, NULL, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* Circuit breaker                                                     */

/* A half-open breaker's one trial: a policy check only looks, and a run
 * that was refused after taking it hands it back. */
static void
test_breaker_trial_free (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderManager) other = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  gint64 later = g_get_real_time () + 2 * G_TIME_SPAN_HOUR;

  gander_test_write_file (f->migdir, "00004_syntax.sql", M_SYNTAX);
  /* the file must fail when it runs, not be refused by lint first */
  gander_test_profile_set (profile, "lint", "off");
  gander_test_profile_set (profile, "breaker-threshold", "1");
  gander_test_profile_set (profile, "breaker-open", "1h");
  manager = gander_test_new_manager (profile);
  other = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  gander_circuit_breaker_set_now (gander_manager_get_breaker (manager), later);
  gander_circuit_breaker_set_now (gander_manager_get_breaker (other), later);
  g_assert_cmpint (gander_circuit_breaker_get_state (gander_manager_get_breaker (manager)), ==,
                   GANDER_BREAKER_STATE_HALF_OPEN);

  /* both may run: neither check takes the trial */
  g_assert_true (gander_manager_check_policy (manager, GANDER_OPERATION_UP, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_manager_check_policy (other, GANDER_OPERATION_UP, NULL, &error));
  g_assert_no_error (error);

  /* the trial run is refused later (auto-migrate is off in production) */
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_POLICY_DENIED, "auto-migrate");
  g_clear_error (&error);

  /* ... and the other manager may make it */
  g_assert_true (gander_manager_check_policy (other, GANDER_OPERATION_UP, NULL, &error));
  g_assert_no_error (error);
  report = gander_manager_execute (other, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  g_assert_cmpint (gander_circuit_breaker_get_state (gander_manager_get_breaker (other)), ==,
                   GANDER_BREAKER_STATE_OPEN);
}

static void
test_breaker (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderManager) other = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gander_test_write_file (f->migdir, "00004_syntax.sql", M_SYNTAX);
  gander_test_profile_set (profile, "breaker-threshold", "2");
  gander_test_profile_set (profile, "breaker-open", "1h");
  /* production's lint would refuse the broken file before it fails (a
   * refusal is not a failure the breaker counts): this test wants it run */
  gander_test_profile_set (profile, "lint", "off");
  manager = gander_test_new_manager (profile);
  g_assert_nonnull (gander_manager_get_breaker (manager));

  for (guint i = 0; i < 2; i++)
    {
      report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
      g_clear_error (&error);
    }
  g_assert_cmpint (gander_circuit_breaker_get_state (gander_manager_get_breaker (manager)), ==,
                   GANDER_BREAKER_STATE_OPEN);

  /* the next run is refused, and so is one from another manager (another
   * process would read the same state file) */
  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  assert_refused (manager, error, GANDER_ERROR_CIRCUIT_OPEN, "circuit-breaker");
  g_clear_error (&error);
  other = gander_test_new_manager (profile);
  report = gander_manager_execute (other, GANDER_OPERATION_DOWN_TO, 1, NULL, NULL, &error);
  /* confirmation comes first in production */
  assert_refused (other, error, GANDER_ERROR_CONFIRMATION_REQUIRED, "require-confirmation");
  g_clear_error (&error);
  gander_run_options_set_confirmation (options, "alerts");
  report = gander_manager_execute (other, GANDER_OPERATION_DOWN_TO, 1, options, NULL, &error);
  assert_refused (other, error, GANDER_ERROR_CIRCUIT_OPEN, "circuit-breaker");
  g_clear_error (&error);
  g_assert_false (gander_manager_check_policy (other, GANDER_OPERATION_UP, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_clear_error (&error);
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);

  /* looking is still allowed */
  report = gander_manager_execute (other, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);

  /* reset: confirmed in production, then runs go through again */
  report = gander_manager_execute (other, GANDER_OPERATION_BREAKER_RESET, 0, NULL, NULL, &error);
  assert_refused (other, error, GANDER_ERROR_CONFIRMATION_REQUIRED, "require-confirmation");
  g_clear_error (&error);
  report = gander_manager_execute (other, GANDER_OPERATION_BREAKER_RESET, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  g_assert_cmpint (gander_circuit_breaker_get_state (gander_manager_get_breaker (manager)), ==,
                   GANDER_BREAKER_STATE_CLOSED);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
}

/* ------------------------------------------------------------------ */
/* Metrics and audit                                                   */

static GPtrArray *
read_audit (const char *path)
{
  return gander_test_read_audit (path);
}

static const char *
event_of (GPtrArray *records,
          guint      i)
{
  return json_object_get_string_member (g_ptr_array_index (records, i), "event");
}

static void
test_metrics_audit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "alerts", "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *audit_path = g_build_filename (f->tmpdir, "audit.jsonl", NULL);
  g_autofree char *metrics_path = g_build_filename (f->tmpdir, "gander.prom", NULL);
  g_autofree char *text = NULL;
  const char *up[] = { "profile", "alerts", "environment", "production", "direction", "up", NULL };
  const char *pe[] = { "profile", "alerts", "environment", "production", NULL };
  JsonObject *end;
  guint n_records = 0, bad_line = 0;
  const char *run_id;

  gander_test_profile_set (profile, "audit-log", audit_path);
  gander_test_profile_set (profile, "metrics-file", metrics_path);
  manager = gander_test_new_manager (profile);
  gander_run_options_set_reason (options, "TICKET-42");
  gander_run_options_set_via (options, "cli");

  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, options, NULL, &error);
  g_assert_no_error (error);
  run_id = gander_run_report_get_run_id (report);

  g_assert_cmpfloat (gander_test_metric (manager, "gander_migrations_applied_total", up), ==, 3);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_schema_version", pe), ==, 3);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_migrations_pending", pe), ==, 0);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_dirty", pe), ==, 0);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_circuit_breaker_state", pe), ==, 0);
  g_assert_true (g_file_get_contents (metrics_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "gander_migrations_applied_total{"));
  g_assert_nonnull (strstr (text, "gander_run_duration_seconds_count{"));

  g_assert_true (gander_audit_verify_file (audit_path, &n_records, &bad_line, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, 5);
  records = read_audit (audit_path);
  g_assert_cmpstr (event_of (records, 0), ==, "run.start");
  for (guint i = 1; i <= 3; i++)
    {
      JsonObject *m = g_ptr_array_index (records, i);

      g_assert_cmpstr (event_of (records, i), ==, "migration.applied");
      g_assert_cmpint (json_object_get_int_member (m, "version"), ==, i);
      g_assert_cmpuint (strlen (json_object_get_string_member (m, "sha256")), ==, 64);
      g_assert_cmpstr (json_object_get_string_member (m, "direction"), ==, "up");
      g_assert_cmpstr (json_object_get_string_member (m, "result"), ==, "ok");
    }
  end = g_ptr_array_index (records, 4);
  g_assert_cmpstr (event_of (records, 4), ==, "run.end");
  g_assert_cmpstr (json_object_get_string_member (end, "run_id"), ==, run_id);
  g_assert_cmpstr (json_object_get_string_member (end, "result"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (end, "operation"), ==, "up");
  g_assert_cmpstr (json_object_get_string_member (end, "environment"), ==, "production");
  g_assert_cmpstr (json_object_get_string_member (end, "profile"), ==, "alerts");
  g_assert_cmpstr (json_object_get_string_member (end, "reason"), ==, "TICKET-42");
  g_assert_cmpstr (json_object_get_string_member (end, "driver"), ==, "sqlite3");
  g_assert_cmpint (json_object_get_int_member (end, "from_version"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (end, "to_version"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (end, "migrations")), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (end, "actor"), "via"),
                   ==, "cli");
  g_assert_true (json_object_get_null_member (end, "error"));
  g_clear_object (&report);
  g_clear_pointer (&records, g_ptr_array_unref);

  /* a refusal is recorded too, and counted */
  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  records = read_audit (audit_path);
  g_assert_cmpuint (records->len, ==, 6);
  end = g_ptr_array_index (records, 5);
  g_assert_cmpstr (event_of (records, 5), ==, "policy.refused");
  g_assert_cmpstr (json_object_get_string_member (end, "rule"), ==, "require-confirmation");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (end, "error"), "code"),
                   ==, "confirmation-required");
  {
    const char *refused[] = { "profile", "alerts", "environment", "production", "result", "refused", NULL };

    g_assert_cmpfloat (gander_test_metric (manager, "gander_last_run_timestamp_seconds", refused), >, 0);
  }
}

static void
test_metrics_retry_failure (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, NULL, "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Holder holder = { NULL, 400 };
  GThread *thread;
  const char *locked[] = { "profile", "", "environment", "staging", "reason", "locked", NULL };
  const char *failed[] = { "profile", "", "environment", "staging", "direction", "up",
                           "error", "sql", NULL };

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  set_retry (profile, "20", "50ms");
  manager = gander_test_new_manager (profile);
  holder.db = hold_write_lock (f);
  thread = g_thread_new ("holder", release_later, &holder);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_retries_total", locked), ==,
                     gander_run_report_get_retries (report));
  g_clear_object (&report);

  gander_test_write_file (f->migdir, "00004_syntax.sql", M_SYNTAX);
  /* the file must fail when it runs, not be refused by lint first */
  gander_test_profile_set (profile, "lint", "off");
  g_clear_object (&manager);
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_migrations_failed_total", failed), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *path; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "/manager/policy/allow-commands", test_refuse_allow_commands },
    { "/manager/policy/confirmation", test_refuse_confirmation },
    { "/manager/policy/confirmation-ad-hoc", test_confirmation_ad_hoc },
    { "/manager/policy/dirty", test_refuse_dirty },
    { "/manager/policy/restore-confirmation", test_restore_needs_confirmation },
    { "/manager/validate/checksum-drift", test_checksum_drift },
    { "/manager/validate/missing", test_refuse_missing },
    { "/manager/validate/strict", test_validation_strict },
    { "/manager/dry-run", test_dry_run },
    { "/manager/dry-run-new-file", test_dry_run_new_file },
    { "/manager/retry/locked", test_retry_locked },
    { "/manager/retry/locked-read", test_retry_locked_read },
    { "/manager/retry/never-syntax", test_no_retry_syntax },
    { "/manager/retry/never-no-transaction", test_no_retry_no_transaction },
    { "/manager/retry/cancel-during-backoff", test_cancel_during_backoff },
    { "/manager/timeout", test_run_timeout },
    { "/manager/timeout-during-attempt", test_run_timeout_during_attempt },
    { "/manager/auto-migrate", test_auto_migrate },
    { "/manager/progress-async", test_progress_async },
    { "/manager/status-version", test_status_version },
    { "/manager/plan-ready", test_plan_ready },
    { "/manager/breaker", test_breaker },
    { "/manager/breaker/trial-free", test_breaker_trial_free },
    { "/manager/repair", test_repair },
    { "/manager/baseline", test_baseline },
    { "/manager/metrics-audit", test_metrics_audit },
    { "/manager/metrics-retry-failure", test_metrics_retry_failure },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/manager/retry/policy", test_retry_policy);
  g_test_add_func ("/manager/retry/decide", test_retry_decide);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add (tests[i].path, Fixture, NULL, fixture_setup, tests[i].func, fixture_teardown);
  return gander_test_run ();
}
