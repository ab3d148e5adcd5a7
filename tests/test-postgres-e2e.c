/* test-postgres-e2e.c: GanderMigrator on a real PostgreSQL server: goose's
 * postgres set, the example schema, eight concurrent runners, cancelling a
 * running migration, a schema-qualified version table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>

#include "gander-test-pg.h"
#include "gander-test-util.h"

static char *
new_dsn_or_skip (void)
{
  char *dsn = gander_test_pg_create_database ();

  if (dsn == NULL)
    g_test_skip (gander_test_pg_skip_reason ());
  return dsn;
}

static gint64
db_version (GanderMigrator *m)
{
  g_autoptr(GError) error = NULL;
  gint64 v = -1;

  v = gander_migrator_get_db_version (m, NULL, &error);
  g_assert_no_error (error);
  return v;
}

static GanderMigrator *
migrator_for (const char *dsn,
              const char *dir)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GError) error = NULL;

  source = gander_source_new_for_uri (dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  db = gander_postgres_database_new (dsn);
  return gander_migrator_new (db, source);
}

/* goose's integration harness on its own postgres set: up → version 6 →
 * down-to 0 → up by one ×6. Includes CREATE UNIQUE INDEX CONCURRENTLY in a
 * NO TRANSACTION file and a PL/pgSQL $$ body. */
static void
test_goose_postgres_set (void)
{
  const char *root = g_getenv ("GANDER_CONFORMANCE_DIR");
  g_autofree char *dir = NULL;
  g_autofree char *dsn = NULL;
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  dir = g_build_filename (root ? root : "", "goose-migrations/internal/testing/integration/testdata/migrations/postgres", NULL);
  if (root == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the goose conformance data (../shared/conformance) is not next to this checkout");
      return;
    }
  if ((dsn = new_dsn_or_skip ()) == NULL)
    return;
  m = migrator_for (dsn, dir);

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 6);
  g_assert_true (gander_migration_result_get_empty (results->pdata[3]));
  g_assert_cmpint (db_version (m), ==, 6);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_down_to (m, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 6);
  g_assert_cmpint (db_version (m), ==, 0);

  for (guint i = 1; i <= 6; i++)
    {
      g_autoptr(GanderMigrationResult) r = gander_migrator_up_by_one (m, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gander_migration_result_get_version (r), ==, i);
    }
  g_assert_cmpint (db_version (m), ==, 6);
}

static void
test_examples (void)
{
  const char *root = g_getenv ("GANDER_SOURCE_ROOT");
  g_autofree char *dir = g_build_filename (root, "migrations", NULL);
  g_autofree char *triggers = g_build_filename (root, "migrations", "triggers", "postgres", NULL);
  g_autofree char *dsn = NULL;
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderMigrator) t = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  if ((dsn = new_dsn_or_skip ()) == NULL)
    return;
  m = migrator_for (dsn, dir);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 8);
  g_clear_pointer (&results, g_ptr_array_unref);

  if (g_file_test (triggers, G_FILE_TEST_IS_DIR))
    {
      t = migrator_for (dsn, triggers);
      gander_database_set_table_name (gander_migrator_get_database (t), "gander_triggers_version");
      results = gander_migrator_up (t, NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&results, g_ptr_array_unref);
      results = gander_migrator_down_to (t, 0, NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&results, g_ptr_array_unref);
    }

  results = gander_migrator_redo (m, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_migrator_reset (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 8);
  g_assert_false (gander_test_table_exists ("postgres", dsn, "alerts"));
}

/* Eight `gander up` processes run at once: the advisory lock lets each migration
 * through exactly once. */
static void
test_concurrent_processes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("gander-pg-e2e-XXXXXX", &error);
  g_autofree char *migdir = g_build_filename (tmp, "migrations", NULL);
  g_autofree char *dsn = NULL;
  const guint n_migrations = 25, n_procs = 8;

  g_assert_no_error (error);
  if ((dsn = new_dsn_or_skip ()) == NULL)
    return;
  g_assert_cmpint (g_mkdir (migdir, 0755), ==, 0);
  for (guint i = 1; i <= n_migrations; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/%05u_m.sql", migdir, i);
      g_autofree char *text = NULL;

      if (i == 1)
        text = g_strdup ("-- +goose Up\nCREATE TABLE applied_log (version INTEGER NOT NULL);\n"
                         "INSERT INTO applied_log VALUES (1);\n"
                         "-- +goose Down\nDROP TABLE applied_log;\n");
      else if (i % 6 == 0)
        text = g_strdup_printf ("-- +goose NO TRANSACTION\n-- +goose Up\n"
                                "CREATE TABLE t%u (id INTEGER);\n"
                                "CREATE INDEX CONCURRENTLY t%u_id ON t%u (id);\n"
                                "INSERT INTO applied_log VALUES (%u);\n"
                                "-- +goose Down\nDROP TABLE t%u;\n", i, i, i, i, i);
      else
        text = g_strdup_printf ("-- +goose Up\nCREATE TABLE t%u (id INTEGER);\n"
                                "INSERT INTO applied_log VALUES (%u);\nSELECT pg_sleep(0.01);\n"
                                "-- +goose Down\nDROP TABLE t%u;\n", i, i, i);
      g_file_set_contents (name, text, -1, &error);
      g_assert_no_error (error);
    }

  {
    const char *args[] = { "-dir", migdir, "postgres", dsn, "up", NULL };
    gander_test_run_cli_concurrently (n_procs, args);
  }

  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT count(*) FROM goose_db_version WHERE version_id > 0"), ==, n_migrations);
  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT count(DISTINCT version_id) FROM goose_db_version"), ==, n_migrations + 1);
  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT count(*) FROM applied_log"), ==, n_migrations);
  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT count(DISTINCT version) FROM applied_log"), ==, n_migrations);
  gander_test_rm_rf (tmp);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* A GCancellable interrupts a running statement (PQcancel); the
 * migration's transaction rolls back and the version table keeps what it
 * had. */
static void
test_cancel_running_migration (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("gander-pg-e2e-XXXXXX", &error);
  g_autofree char *migdir = g_build_filename (tmp, "migrations", NULL);
  g_autofree char *dsn = NULL;
  g_autofree char *p1 = NULL, *p2 = NULL;
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GThread) thread = NULL;
  gint64 before, after;

  if ((dsn = new_dsn_or_skip ()) == NULL)
    return;
  g_assert_cmpint (g_mkdir (migdir, 0755), ==, 0);
  p1 = g_build_filename (migdir, "00001_a.sql", NULL);
  p2 = g_build_filename (migdir, "00002_slow.sql", NULL);
  g_file_set_contents (p1, "-- +goose Up\nCREATE TABLE a (id INTEGER);\n-- +goose Down\nDROP TABLE a;\n", -1, NULL);
  g_file_set_contents (p2, "-- +goose Up\nCREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(30);\n"
                           "-- +goose Down\nDROP TABLE slow;\n", -1, NULL);
  m = migrator_for (dsn, migdir);

  thread = g_thread_new ("canceller", cancel_later, cancellable);
  before = g_get_monotonic_time ();
  g_assert_null (gander_migrator_up (m, cancellable, &error));
  after = g_get_monotonic_time ();
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "00002_slow.sql"));
  /* interrupted, not waited out */
  g_assert_cmpint (after - before, <, 20 * G_USEC_PER_SEC);

  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT max(version_id) FROM goose_db_version"), ==, 1);
  g_assert_true (gander_test_table_exists ("postgres", dsn, "a"));
  g_assert_false (gander_test_table_exists ("postgres", dsn, "slow"));
  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT count(*) FROM goose_db_version_gander WHERE version_id = 2"), ==, 0);
  gander_test_rm_rf (tmp);
}

static void
test_schema_qualified_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("gander-pg-e2e-XXXXXX", &error);
  g_autofree char *p1 = NULL;
  g_autofree char *dsn = NULL;
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;

  if ((dsn = new_dsn_or_skip ()) == NULL)
    return;
  p1 = g_build_filename (tmp, "00001_a.sql", NULL);
  g_file_set_contents (p1, "-- +goose Up\nCREATE TABLE public.a (id INTEGER);\n-- +goose Down\nDROP TABLE public.a;\n", -1, NULL);
  gander_test_exec ("postgres", dsn, "CREATE SCHEMA ops");

  m = migrator_for (dsn, tmp);
  gander_database_set_table_name (gander_migrator_get_database (m), "ops.goose_db_version");
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT max(version_id) FROM ops.goose_db_version"), ==, 1);
  g_assert_cmpint (gander_test_query_int ("postgres", dsn, "SELECT count(*) FROM ops.goose_db_version_gander"), ==, 1);
  g_assert_false (gander_test_table_exists ("postgres", dsn, "goose_db_version"));
  gander_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/postgres-e2e/goose-postgres-set", test_goose_postgres_set);
  g_test_add_func ("/postgres-e2e/examples", test_examples);
  g_test_add_func ("/postgres-e2e/concurrent-processes", test_concurrent_processes);
  g_test_add_func ("/postgres-e2e/cancel-running-migration", test_cancel_running_migration);
  g_test_add_func ("/postgres-e2e/schema-qualified-table", test_schema_qualified_table);

  return gander_test_run ();
}
