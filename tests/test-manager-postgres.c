/* test-manager-postgres.c: GanderManager on the temporary PostgreSQL
 * server — refusals and dry runs leave the schema dump identical, a
 * lock_timeout is retried once the other session lets go, and a failed
 * NO TRANSACTION migration is never retried.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "gander-test-pg.h"
#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *migdir;
  char *dsn;
  char *dbname;
} Fixture;

#define M1 "-- +goose Up\nCREATE TABLE a (x integer);\n-- +goose Down\nDROP TABLE a;\n"
#define M2 "-- +goose Up\nALTER TABLE a ADD COLUMN y integer;\n-- +goose Down\nALTER TABLE a DROP COLUMN y;\n"
#define M3 "-- +goose Up\nCREATE TABLE c (x integer);\n-- +goose Down\nDROP TABLE c;\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *statedir = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-manager-pg-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  statedir = g_build_filename (f->tmpdir, "state", NULL);
  g_setenv ("GANDER_STATE_DIR", statedir, TRUE);
  gander_test_write_file (f->migdir, "00001_a.sql", M1);
  gander_test_write_file (f->migdir, "00002_b.sql", M2);
  gander_test_write_file (f->migdir, "00003_c.sql", M3);
  f->dsn = gander_test_pg_create_database ();
  if (f->dsn != NULL)
    f->dbname = gander_test_pg_dbname_from_dsn (f->dsn);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->migdir);
  g_free (f->dsn);
  g_free (f->dbname);
}

#define SKIP_IF_NO_SERVER(f) \
  G_STMT_START { if ((f)->dsn == NULL) { g_test_skip (gander_test_pg_skip_reason ()); return; } } G_STMT_END

static GanderProfile *
new_profile (Fixture    *f,
             const char *name,
             const char *environment)
{
  return gander_test_new_profile (name, "postgres", f->dsn, f->migdir, environment);
}

/* The schema and the rows of Gander's tables, as pg_dump sees them. */
static char *
dump (Fixture *f)
{
  g_autofree char *pg_dump = gander_test_pg_find_program ("pg_dump");
  g_autofree char *out = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull (pg_dump);
  {
    const char *argv[] = { pg_dump, "--schema-only", "-d", f->dbname, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_spawn_check_wait_status (status, &error);
    g_assert_no_error (error);
  }
  {
    const char *argv[] = { pg_dump, "--data-only", "-d", f->dbname, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &data, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_spawn_check_wait_status (status, &error);
    g_assert_no_error (error);
  }
  return gander_test_pg_strip_restrict (g_strconcat (out, data, NULL));
}

static void
apply (Fixture *f,
       gint64   version)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "setup", "development");
  g_autoptr(GanderManager) manager = gander_test_new_manager (profile);
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = gander_manager_execute (manager, GANDER_OPERATION_UP_TO, version, NULL, NULL, &error);
  g_assert_no_error (error);
  gander_database_close (gander_migrator_get_database (gander_manager_get_migrator (manager)));
}

static void
test_refusals_leave_dump (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  SKIP_IF_NO_SERVER (f);
  apply (f, 1);
  profile = new_profile (f, NULL, "production");
  manager = gander_test_new_manager (profile);
  before = dump (f);

  /* confirmation: an ad-hoc profile confirms with the dbname */
  report = gander_manager_execute (manager, GANDER_OPERATION_DOWN, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_assert_nonnull (strstr (error->message, f->dbname));
  g_clear_error (&error);

  /* auto-migrate is off in production */
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED);
  g_clear_error (&error);

  /* drift is an error in production (a new manager: the old one has
   * read the file, and would call the edit a change under its feet) */
  gander_test_write_file (f->migdir, "00001_a.sql", M1 "-- edited\n");
  g_clear_object (&manager);
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED);
  g_clear_object (&report);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "checksum-drift");
  g_clear_error (&error);
  g_clear_object (&report);
  gander_test_write_file (f->migdir, "00001_a.sql", M1);
  g_clear_object (&manager);
  manager = gander_test_new_manager (profile);

  /* a dry run, of an up and of a confirmed-only reset */
  gander_run_options_set_dry_run (options, TRUE);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_plan_get_n_steps (gander_run_report_get_plan (report)), ==, 2);
  g_assert_cmpstr (gander_plan_step_get_statements (gander_plan_get_step (gander_run_report_get_plan (report), 0))[0],
                   ==, "ALTER TABLE a ADD COLUMN y integer;");
  g_clear_object (&report);
  report = gander_manager_execute (manager, GANDER_OPERATION_RESET, 0, options, NULL, &error);
  g_assert_no_error (error);

  after = dump (f);
  g_assert_cmpstr (before, ==, after);
}

typedef struct
{
  PGconn *conn;
  guint   release_after_ms;
} Holder;

static PGconn *
hold_table_lock (Fixture    *f,
                 const char *table)
{
  PGconn *conn = PQconnectdb (f->dsn);
  g_autofree char *sql = g_strdup_printf ("BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", table);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  return conn;
}

static void
release (PGconn *conn)
{
  PGresult *res = PQexec (conn, "ROLLBACK");

  PQclear (res);
  PQfinish (conn);
}

static gpointer
release_later (gpointer data)
{
  Holder *holder = data;

  g_usleep (holder->release_after_ms * 1000);
  release (holder->conn);
  return NULL;
}

static void
test_retry_lock_timeout (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Holder holder = { NULL, 700 };
  GThread *thread;
  GPtrArray *results;

  SKIP_IF_NO_SERVER (f);
  apply (f, 1);
  profile = new_profile (f, "alerts", "staging");
  gander_test_profile_set (profile, "retry-max-attempts", "20");
  gander_test_profile_set (profile, "retry-initial-delay", "100ms");
  gander_test_profile_set (profile, "retry-max-delay", "300ms");
  gander_test_profile_set (profile, "lock-timeout", "100ms");
  /* the retries of the apply step alone (pg_dump would wait too) */
  gander_test_profile_set (profile, "backup", "off");
  manager = gander_test_new_manager (profile);

  holder.conn = hold_table_lock (f, "a");
  thread = g_thread_new ("holder", release_later, &holder);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);

  g_assert_cmpuint (gander_run_report_get_retries (report), >=, 1);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
  results = gander_run_report_get_results (report);
  g_assert_error (gander_migration_result_get_error (g_ptr_array_index (results, 0)),
                  GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_assert_cmpuint (results->len, ==, 2 + gander_run_report_get_retries (report));
  /* (the blocking-locks check warned first) */
  g_assert_true (gander_test_strv_find (gander_run_report_get_warnings (report), "failed (locked)"));
}

#define M_NOTX "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX a_x ON a (x);\n" \
  "-- +goose Down\nDROP INDEX a_x;\n"

static void
test_no_retry_no_transaction (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *holder;

  SKIP_IF_NO_SERVER (f);
  apply (f, 3);
  gander_test_write_file (f->migdir, "00004_index.sql", M_NOTX);
  profile = new_profile (f, "alerts", "staging");
  gander_test_profile_set (profile, "retry-max-attempts", "5");
  gander_test_profile_set (profile, "retry-initial-delay", "10ms");
  gander_test_profile_set (profile, "lock-timeout", "100ms");
  manager = gander_test_new_manager (profile);

  holder = hold_table_lock (f, "a");
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  release (holder);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpuint (gander_run_report_get_retries (report), ==, 0);
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 1);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
}

#define M2_SLEEP "-- +goose Up\nSELECT pg_sleep(2);\nALTER TABLE a ADD COLUMN y integer;\n" \
  "-- +goose Down\nALTER TABLE a DROP COLUMN y;\n"

typedef struct
{
  const char *dsn;
  gboolean    terminated;
} Terminator;

/* Waits for the session that runs pg_sleep, lets it sleep a second, then
 * ends it from the server side, once. */
static gpointer
terminate_sleeper (gpointer data)
{
  Terminator *t = data;
  PGconn *conn = PQconnectdb (t->dsn);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  for (guint i = 0; i < 200 && !t->terminated; i++)
    {
      PGresult *res = PQexec (conn,
                              "SELECT pid FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                              "AND query LIKE '%pg_sleep(2)%'");

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
      if (PQntuples (res) > 0)
        {
          g_autofree char *sql = NULL;
          PGresult *kill;

          g_usleep (G_USEC_PER_SEC);
          sql = g_strdup_printf ("SELECT pg_terminate_backend(%s)", PQgetvalue (res, 0, 0));
          kill = PQexec (conn, sql);
          g_assert_cmpint (PQresultStatus (kill), ==, PGRES_TUPLES_OK);
          PQclear (kill);
          t->terminated = TRUE;
        }
      PQclear (res);
      if (!t->terminated)
        g_usleep (50 * 1000);
    }
  PQfinish (conn);
  return NULL;
}

/* A session the server ends during a migration: the manager connects
 * again, the retry plans from what the database says and succeeds, and
 * the same manager keeps working afterwards. */
static void
test_retry_connection_lost (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Terminator terminator = { f->dsn, FALSE };
  const char *connection[] = { "profile", "alerts", "environment", "staging",
                               "reason", "connection", NULL };
  GThread *thread;
  double value = -1;

  SKIP_IF_NO_SERVER (f);
  apply (f, 1);
  gander_test_write_file (f->migdir, "00002_b.sql", M2_SLEEP);
  profile = new_profile (f, "alerts", "staging");
  gander_test_profile_set (profile, "retry-max-attempts", "3");
  gander_test_profile_set (profile, "retry-initial-delay", "10ms");
  manager = gander_test_new_manager (profile);

  thread = g_thread_new ("terminator", terminate_sleeper, &terminator);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_thread_join (thread);
  g_assert_true (terminator.terminated);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_retries (report), ==, 1);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
  g_assert_true (gander_test_strv_find (gander_run_report_get_warnings (report), "(connection)"));
  g_assert_true (gander_metrics_lookup (gander_manager_get_metrics (manager),
                                        "gander_retries_total", connection, &value));
  g_assert_cmpfloat (value, ==, 1);
  g_clear_object (&report);

  report = gander_manager_execute (manager, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
}

/* A password in the connection string (goose's GOOSE_DBSTRING allows one)
 * never reaches the audit log or the metrics. */
static void
test_audit_no_password (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderDatabase) database = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *audit_path = g_build_filename (f->tmpdir, "audit.jsonl", NULL);
  g_autofree char *metrics_path = g_build_filename (f->tmpdir, "gander.prom", NULL);
  g_autofree char *audit = NULL;
  g_autofree char *metrics = NULL;
  guint n_records = 0;

  SKIP_IF_NO_SERVER (f);
  dsn = g_strdup_printf ("%s password=sekrit-pw-1", f->dsn);
  database = gander_database_new_for_driver ("postgres", dsn, &error);
  g_assert_no_error (error);
  source = gander_source_new_for_path (f->migdir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  migrator = gander_migrator_new (database, source);
  profile = gander_profile_new (NULL);
  gander_test_profile_set (profile, "environment", "production");
  gander_test_profile_set (profile, "audit-log", audit_path);
  gander_test_profile_set (profile, "metrics-file", metrics_path);
  manager = gander_manager_new_for_migrator (profile, migrator);

  /* refused (auto-migrate), then a failure, then confirmed success */
  report = gander_manager_auto_migrate (manager, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED);
  g_clear_error (&error);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);

  g_assert_true (gander_audit_verify_file (audit_path, &n_records, NULL, &error));
  g_assert_no_error (error);
  /* refused; run.start, 3 migrations, run.end (no backup: the database
   * had no version table yet) */
  g_assert_cmpuint (n_records, ==, 1 + 1 + 3 + 1);
  g_assert_true (g_file_get_contents (audit_path, &audit, NULL, NULL));
  g_assert_true (g_file_get_contents (metrics_path, &metrics, NULL, NULL));
  g_assert_null (strstr (audit, "sekrit"));
  g_assert_null (strstr (metrics, "sekrit"));
  g_assert_nonnull (strstr (audit, "\"driver\":\"postgres\""));
  g_assert_nonnull (strstr (audit, f->dbname));
}

/* ------------------------------------------------------------------ */
/* Backups and health checks (issue 9)                                 */

static gboolean
file_has (const char *path,
          const char *needle)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return strstr (text, needle) != NULL;
}

/* Production takes a verified pg_dump archive before applying, prunes
 * after success by backup-keep, and the password of the connection string
 * reaches no manifest, audit record or metric. */
static void
test_backup_production (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderDatabase) database = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) first = NULL;
  g_autoptr(GanderRunReport) second = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *audit_path = g_build_filename (f->tmpdir, "audit.jsonl", NULL);
  g_autofree char *metrics_path = g_build_filename (f->tmpdir, "gander.prom", NULL);
  g_autofree char *first_id = NULL;
  const char *pe[] = { "profile", "alerts", "environment", "production", NULL };
  GanderBackupInfo *info;
  double value = -1;

  SKIP_IF_NO_SERVER (f);
  apply (f, 1);
  dsn = g_strdup_printf ("%s password=sekrit-pw-2", f->dsn);
  database = gander_database_new_for_driver ("postgres", dsn, &error);
  g_assert_no_error (error);
  source = gander_source_new_for_path (f->migdir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  migrator = gander_migrator_new (database, source);
  profile = gander_profile_new ("alerts");
  gander_test_profile_set (profile, "environment", "production");
  gander_test_profile_set (profile, "audit-log", audit_path);
  gander_test_profile_set (profile, "metrics-file", metrics_path);
  gander_test_profile_set (profile, "backup-keep", "1");
  manager = gander_manager_new_for_migrator (profile, migrator);

  first = gander_manager_execute (manager, GANDER_OPERATION_UP_BY_ONE, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  info = gander_run_report_get_backup (first);
  g_assert_nonnull (info);
  first_id = g_strdup (gander_backup_info_get_id (info));
  g_assert_true (gander_backup_info_get_verified (info));
  /* production: full (the archive's data read back too) */
  g_assert_true (g_str_has_prefix (gander_backup_info_get_verify_method (info), "pg_restore --list"));
  g_assert_cmpstr (gander_backup_info_get_driver (info), ==, "postgres");
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 1);
  g_assert_cmpint (gander_run_report_get_to_version (first), ==, 2);
  g_assert_true (g_file_test (gander_backup_info_get_path (info), G_FILE_TEST_IS_REGULAR));
  g_assert_false (file_has (gander_backup_info_get_manifest_path (info), "sekrit"));
  g_assert_nonnull (gander_run_report_get_health (first));
  g_assert_cmpuint (gander_run_report_get_health (first)->len, >, 0);

  second = gander_manager_execute (manager, GANDER_OPERATION_UP_BY_ONE, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_run_report_get_pruned (second)->len, ==, 1);
  g_assert_cmpstr (gander_backup_info_get_id (g_ptr_array_index (gander_run_report_get_pruned (second), 0)),
                   ==, first_id);
  list = gander_manager_list_backups (manager, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (gander_backup_info_get_version (g_ptr_array_index (list, 0)), ==, 2);

  g_assert_true (gander_metrics_lookup (gander_manager_get_metrics (manager),
                                        "gander_backup_size_bytes", pe, &value));
  g_assert_cmpfloat (value, ==, (double) gander_backup_info_get_size (gander_run_report_get_backup (second)));
  records = gander_test_read_audit (audit_path);
  g_assert_cmpint (gander_test_find_event (records, "backup.created", 0), >=, 0);
  g_assert_cmpint (gander_test_find_event (records, "backup.verified", 0), >=, 0);
  g_assert_cmpint (gander_test_find_event (records, "backup.pruned", 0), >=, 0);
  g_assert_false (file_has (audit_path, "sekrit"));
  g_assert_false (file_has (metrics_path, "sekrit"));
}

/* A required backup that fails refuses the run: the schema dump is the
 * same as before. */
static void
test_backup_required_fails (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (f->tmpdir, "a-file", NULL);
  g_autofree char *bad_dir = g_build_filename (file, "backups", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  SKIP_IF_NO_SERVER (f);
  apply (f, 1);
  gander_test_write_file (f->tmpdir, "a-file", "not a directory");
  profile = new_profile (f, "alerts", "production");
  gander_test_profile_set (profile, "backup-dir", bad_dir);
  manager = gander_test_new_manager (profile);

  before = dump (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  after = dump (f);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_cmpstr (before, ==, after);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_REFUSED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "backup");
}

/* The backup operation and a confirmed restore on PostgreSQL. */
static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *at_one = NULL;
  g_autofree char *restored = NULL;

  SKIP_IF_NO_SERVER (f);
  apply (f, 1);
  profile = new_profile (f, "alerts", "development");
  manager = gander_test_new_manager (profile);
  at_one = dump (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_BACKUP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (gander_run_report_get_backup (report));
  g_clear_object (&report);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 3);
  g_clear_object (&report);

  gander_run_options_set_backup_id (options, "latest");
  report = gander_manager_execute (manager, GANDER_OPERATION_RESTORE, 0, options, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_clear_error (&error);
  gander_run_options_set_confirmation (options, "alerts");
  report = gander_manager_execute (manager, GANDER_OPERATION_RESTORE, 0, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 1);
  /* the archive's objects are as they were (pg_restore --clean leaves
   * alone a table created since, which the archive does not name) */
  g_assert_cmpint (gander_test_query_int ("postgres", f->dsn,
                                          "SELECT COUNT(*) FROM information_schema.columns "
                                          "WHERE table_name = 'a' AND column_name = 'y'"), ==, 0);
  g_assert_cmpint (gander_test_query_int ("postgres", f->dsn,
                                          "SELECT MAX(version_id) FROM goose_db_version"), ==, 1);
  restored = dump (f);
  g_assert_nonnull (strstr (restored, "CREATE TABLE public.c"));
  g_assert_null (strstr (at_one, "CREATE TABLE public.c"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/manager-postgres/refusals-leave-dump", Fixture, NULL,
              fixture_setup, test_refusals_leave_dump, fixture_teardown);
  g_test_add ("/manager-postgres/retry/lock-timeout", Fixture, NULL,
              fixture_setup, test_retry_lock_timeout, fixture_teardown);
  g_test_add ("/manager-postgres/retry/never-no-transaction", Fixture, NULL,
              fixture_setup, test_no_retry_no_transaction, fixture_teardown);
  g_test_add ("/manager-postgres/retry/connection-lost", Fixture, NULL,
              fixture_setup, test_retry_connection_lost, fixture_teardown);
  g_test_add ("/manager-postgres/audit-no-password", Fixture, NULL,
              fixture_setup, test_audit_no_password, fixture_teardown);
  g_test_add ("/manager-postgres/backup/production", Fixture, NULL,
              fixture_setup, test_backup_production, fixture_teardown);
  g_test_add ("/manager-postgres/backup/required-fails", Fixture, NULL,
              fixture_setup, test_backup_required_fails, fixture_teardown);
  g_test_add ("/manager-postgres/backup/restore", Fixture, NULL,
              fixture_setup, test_backup_restore, fixture_teardown);
  return gander_test_run ();
}
