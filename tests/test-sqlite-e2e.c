/* test-sqlite-e2e.c: goose's own migration sets, the example schema and
 * concurrent runners, end to end on real SQLite files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>

#include "gander-test-util.h"

typedef struct
{
  const char *relpath;     /* below the conformance dir, or the source root */
  gboolean    from_source; /* TRUE: relative to the source root */
  guint       n_files;
  const char *check_sql;   /* a query that returns > 0 after up */
} SetSpec;

static const SetSpec sets[] = {
  { "goose-migrations/testdata/migrations", FALSE, 5, "SELECT count(*) FROM posts_view" },
  { "goose-migrations/examples/sql-migrations", FALSE, 3, "SELECT count(*) FROM users WHERE username = 'admin'" },
  { "goose-migrations/internal/testing/integration/testdata/migrations/turso", FALSE, 5, NULL },
  { "goose-migrations/testdata/no-versioning/migrations", FALSE, 3, "SELECT count(*) FROM owners" },
  { "migrations", TRUE, 0, NULL },
};

static char *
set_dir (const SetSpec *spec)
{
  const char *root = spec->from_source ? g_getenv ("GANDER_SOURCE_ROOT")
                                       : g_getenv ("GANDER_CONFORMANCE_DIR");
  if (root == NULL)
    return NULL;
  return g_build_filename (root, spec->relpath, NULL);
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

/* goose's integration harness: up all → version = max → down-to 0 → up by
 * one ×N → redo → reset, then up-to and down-to the middle version. */
static void
test_set (gconstpointer data)
{
  const SetSpec *spec = data;
  g_autofree char *dir = set_dir (spec);
  g_autofree char *tmp = NULL;
  g_autofree char *dbpath = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  guint n;
  gint64 max, mid;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip_printf ("%s not found: the goose conformance data (../shared/conformance) is not next to this checkout",
                          dir ? dir : spec->relpath);
      return;
    }

  tmp = g_dir_make_tmp ("gander-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  dbpath = g_build_filename (tmp, "e2e.db", NULL);

  source = gander_source_new_for_uri (dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  n = gander_source_get_n_migrations (source);
  if (spec->n_files > 0)
    g_assert_cmpuint (n, ==, spec->n_files);
  max = gander_source_get_max_version (source);
  mid = gander_migration_get_version (gander_source_get_migration (source, n / 2));

  db = gander_sqlite_database_new (dbpath);
  m = gander_migrator_new (db, source);

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, n);
  g_assert_cmpint (db_version (m), ==, max);
  if (spec->check_sql != NULL)
    g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, spec->check_sql), >, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_down_to (m, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, n);
  g_assert_cmpint (db_version (m), ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GanderMigrationResult) r = gander_migrator_up_by_one (m, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gander_migration_result_get_version (r), ==,
                       gander_migration_get_version (gander_source_get_migration (source, i)));
    }
  g_assert_cmpint (db_version (m), ==, max);

  results = gander_migrator_redo (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_reset (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, n);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_up_to (m, mid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (db_version (m), ==, mid);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_migrator_down_to (m, mid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (db_version (m), ==, mid);

  /* goose itself could read what we wrote: one row per applied version,
   * plus the version-0 row, all is_applied = 1. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM goose_db_version "
                                            "WHERE is_applied = 1 AND version_id <= %" G_GINT64_FORMAT,
                                            mid);
    g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, sql), ==, n / 2 + 2);
  }

  g_clear_object (&m);
  g_clear_object (&db);
  gander_test_rm_rf (tmp);
}

/* goose's TestNoVersioning: migrations applied with versioning, then the
 * seed applied and rolled back without it. */
static void
test_no_versioning_seed (void)
{
  g_autofree char *root = g_strdup (g_getenv ("GANDER_CONFORMANCE_DIR"));
  g_autofree char *mig = NULL, *seed = NULL, *tmp = NULL, *dbpath = NULL;
  g_autoptr(GanderSource) s1 = NULL, s2 = NULL;
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GanderMigrator) m1 = NULL, m2 = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  mig = g_build_filename (root ? root : "", "goose-migrations/testdata/no-versioning/migrations", NULL);
  seed = g_build_filename (root ? root : "", "goose-migrations/testdata/no-versioning/seed", NULL);
  if (root == NULL || !g_file_test (seed, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the goose conformance data (../shared/conformance) is not next to this checkout");
      return;
    }
  tmp = g_dir_make_tmp ("gander-e2e-XXXXXX", &error);
  dbpath = g_build_filename (tmp, "seed.db", NULL);
  db = gander_sqlite_database_new (dbpath);

  s1 = gander_source_new_for_uri (mig, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  m1 = gander_migrator_new (db, s1);
  results = gander_migrator_up (m1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (db_version (m1), ==, 3);
  g_clear_pointer (&results, g_ptr_array_unref);

  s2 = gander_source_new_for_uri (seed, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  m2 = gander_migrator_new (db, s2);
  gander_migrator_set_no_versioning (m2, TRUE);
  results = gander_migrator_up (m2, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM owners WHERE owner_name LIKE 'seed-user-%'"), ==, 250);
  g_assert_cmpint (db_version (m1), ==, 3);

  results = gander_migrator_down_to (m2, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM owners WHERE owner_name LIKE 'seed-user-%'"), ==, 0);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM owners"), ==, 4);
  g_assert_cmpint (db_version (m1), ==, 3);

  g_clear_object (&m1);
  g_clear_object (&m2);
  g_clear_object (&db);
  gander_test_rm_rf (tmp);
}

/* Four `gander up` processes run on one file at once: every migration is applied
 * exactly once (one version row each, and each migration's side effect
 * happened once). */
static void
test_concurrent_processes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("gander-e2e-XXXXXX", &error);
  g_autofree char *migdir = g_build_filename (tmp, "migrations", NULL);
  g_autofree char *dbpath = g_build_filename (tmp, "race.db", NULL);
  const guint n_migrations = 30, n_procs = 4;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (migdir, 0755), ==, 0);
  for (guint i = 1; i <= n_migrations; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/%05u_m.sql", migdir, i);
      g_autofree char *text = NULL;

      if (i == 1)
        text = g_strdup ("-- +goose Up\nCREATE TABLE applied_log (version INTEGER NOT NULL);\n"
                         "INSERT INTO applied_log VALUES (1);\n"
                         "-- +goose Down\nDROP TABLE applied_log;\n");
      else if (i % 7 == 0)
        text = g_strdup_printf ("-- +goose NO TRANSACTION\n-- +goose Up\n"
                                "CREATE TABLE t%u (id INTEGER);\nINSERT INTO applied_log VALUES (%u);\n"
                                "-- +goose Down\nDROP TABLE t%u;\n", i, i, i);
      else
        text = g_strdup_printf ("-- +goose Up\nCREATE TABLE t%u (id INTEGER);\n"
                                "INSERT INTO applied_log VALUES (%u);\n"
                                "-- +goose Down\nDROP TABLE t%u;\n", i, i, i);
      g_file_set_contents (name, text, -1, &error);
      g_assert_no_error (error);
    }

  {
    const char *args[] = { "-dir", migdir, "sqlite3", dbpath, "up", NULL };
    gander_test_run_cli_concurrently (n_procs, args);
  }

  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM goose_db_version WHERE version_id > 0"), ==, n_migrations);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0"), ==, n_migrations);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM goose_db_version WHERE version_id = 0"), ==, 1);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM applied_log"), ==, n_migrations);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(DISTINCT version) FROM applied_log"), ==, n_migrations);
  g_assert_cmpint (gander_test_query_int ("sqlite3", dbpath, "SELECT count(*) FROM goose_db_version_gander WHERE state = 'applied'"), ==, n_migrations);

  gander_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sqlite-e2e/set/%s", sets[i].relpath);
      g_test_add_data_func (path, &sets[i], test_set);
    }
  g_test_add_func ("/sqlite-e2e/no-versioning-seed", test_no_versioning_seed);
  g_test_add_func ("/sqlite-e2e/concurrent-processes", test_concurrent_processes);

  return gander_test_run ();
}
