/* test-health.c: GanderHealth on real SQLite files — every check passes
 * on a healthy database and fails for a real reason: a read-only
 * connection, a file and a directory the user cannot write, a running
 * marker, an applied version without its file, a damaged page, a broken
 * foreign key, a post-check query that returns a row, a free-space
 * factor no disk can meet, a version that is not the target; SKIPPED
 * after a failed connection; the async twin and cancellation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>
#include <sys/stat.h>

#include <gander.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *migdir;
  char *dbpath;
} Fixture;

#define M1 "-- +goose Up\nCREATE TABLE parent (id INTEGER PRIMARY KEY);\n-- +goose Down\nDROP TABLE parent;\n"
#define M2 "-- +goose Up\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));\n-- +goose Down\nDROP TABLE child;\n"
#define M3 "-- +goose Up\nCREATE TABLE c (x INTEGER);\n-- +goose Down\nDROP TABLE c;\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* the read-only tests' child works in its parent's directory */
  if (g_test_subprocess ())
    return;
  f->tmpdir = g_dir_make_tmp ("gander-health-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  f->dbpath = g_build_filename (f->tmpdir, "app.db", NULL);
  gander_test_write_file (f->migdir, "00001_parent.sql", M1);
  gander_test_write_file (f->migdir, "00002_child.sql", M2);
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
}

static GanderMigrator *
new_migrator_for (const char *dsn,
                  const char *migdir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderDatabase) db = gander_database_new_for_driver ("sqlite3", dsn, &error);
  g_autoptr(GanderSource) source = NULL;

  g_assert_no_error (error);
  source = gander_source_new_for_path (migdir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  return gander_migrator_new (db, source);
}

static GanderMigrator *
new_migrator (Fixture *f)
{
  return new_migrator_for (f->dbpath, f->migdir);
}

static void
migrate_up (GanderMigrator *migrator,
            gint64          target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = gander_migrator_run (migrator, target < 0 ? GANDER_PLAN_OPERATION_UP
                                                      : GANDER_PLAN_OPERATION_UP_TO,
                                 MAX (target, 0), NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
assert_names (GPtrArray          *results,
              const char * const *names)
{
  g_assert_cmpuint (results->len, ==, g_strv_length ((GStrv) names));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (gander_health_result_get_name (g_ptr_array_index (results, i)), ==, names[i]);
}

static void
sqlite_exec (const char *path,
             const char *sql)
{
  sqlite3 *db = NULL;
  char *errmsg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
  sqlite3_close (db);
}

static void
test_healthy (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) any = NULL;
  const char * const before_names[] = { "connectivity", "writable", "version-table",
                                        "disk-space", NULL };
  const char * const after_names[] = { "target-version", "running-marker", "integrity",
                                       "foreign-keys", "post-check-sql", "post-check-sql#2",
                                       NULL };
  const char * const post[] = { "SELECT 1 WHERE 0", "SELECT x FROM c WHERE x < 0", NULL };
  gint64 start;

  migrate_up (migrator, -1);
  gander_health_set_target_version (health, 3);
  gander_health_set_post_check_sql (health, post);
  gander_health_set_integrity (health, TRUE);

  start = g_get_monotonic_time ();
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  g_test_message ("SQLite: before + after checks took %.2f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  assert_names (before, before_names);
  assert_names (after, after_names);
  gander_test_health_assert_all_ok (before);
  gander_test_health_assert_all_ok (after);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_OK, sqlite3_libversion ());
  gander_test_health_assert (after, "integrity", GANDER_HEALTH_STATUS_OK, "integrity_check");
  g_assert_cmpint (gander_health_result_get_phase (gander_test_health_find (before, "writable")), ==,
                   GANDER_HEALTH_PHASE_BEFORE);
  g_assert_cmpint (gander_health_result_get_phase (gander_test_health_find (after, "integrity")), ==,
                   GANDER_HEALTH_PHASE_AFTER);

  /* on demand: everything but target-version */
  any = gander_test_health_run (health, GANDER_HEALTH_PHASE_ANY);
  gander_test_health_assert_all_ok (any);
  g_assert_null (gander_test_health_find (any, "target-version"));
  g_assert_nonnull (gander_test_health_find (any, "foreign-keys"));
  g_assert_nonnull (gander_test_health_find (any, "connectivity"));
  /* PostgreSQL's checks do not apply and are not listed */
  g_assert_null (gander_test_health_find (any, "privileges"));
  g_assert_null (gander_test_health_find (any, "blocking-locks"));
  g_assert_null (gander_test_health_find (any, "invalid-indexes"));
}

static void
test_names (void)
{
  const char * const *before = gander_health_check_names (GANDER_HEALTH_PHASE_BEFORE);
  const char * const *after = gander_health_check_names (GANDER_HEALTH_PHASE_AFTER);
  const char * const *any = gander_health_check_names (GANDER_HEALTH_PHASE_ANY);

  g_assert_cmpstr (before[0], ==, "connectivity");
  g_assert_true (g_strv_contains (before, "blocking-locks"));
  g_assert_false (g_strv_contains (before, "integrity"));
  g_assert_cmpstr (after[0], ==, "target-version");
  g_assert_true (g_strv_contains (after, "post-check-sql"));
  g_assert_false (g_strv_contains (any, "target-version"));
  g_assert_cmpuint (g_strv_length ((GStrv) any), ==,
                    g_strv_length ((GStrv) before) + g_strv_length ((GStrv) after) - 1);
  g_assert_cmpstr (gander_health_status_to_string (GANDER_HEALTH_STATUS_SKIPPED), ==, "skipped");
  g_assert_cmpstr (gander_health_phase_to_string (GANDER_HEALTH_PHASE_AFTER), ==, "after");
}

static void
test_absent_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) before = NULL;

  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert_all_ok (before);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_OK, "does not exist yet");
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_OK, "first run creates it");
  /* a dry run's checks create nothing */
  g_assert_false (g_file_test (f->dbpath, G_FILE_TEST_EXISTS));
  g_assert_false (gander_database_is_open (gander_migrator_get_database (migrator)));
}

/* The connection string asks for a read-only connection: this fails as
 * root too, where file modes do not. */
static void
test_read_only_dsn (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autoptr(GanderMigrator) setup = new_migrator (f);
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;

  migrate_up (setup, -1);
  dsn = g_strdup_printf ("file:%s?mode=ro", f->dbpath);
  migrator = new_migrator_for (dsn, f->migdir);
  health = gander_health_new (migrator);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_OK, NULL);
  gander_test_health_assert (before, "writable", GANDER_HEALTH_STATUS_FAIL, "mode=ro");
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_OK, NULL);
}

/* File modes: root ignores them, so as root the checks run in a child
 * that has dropped to `nobody` (the kernel then enforces them). */
static void
drop_privileges (void)
{
  if (geteuid () != 0)
    return;
  g_assert_cmpint (setgroups (0, NULL), ==, 0);
  g_assert_cmpint (setgid (65534), ==, 0);
  g_assert_cmpint (setuid (65534), ==, 0);
}

static void
read_only_child (void)
{
  const char *dir = g_getenv ("GANDER_TEST_RO_DIR");
  const char *what = g_getenv ("GANDER_TEST_RO_WHAT");
  g_autofree char *path = g_build_filename (dir, "app.db", NULL);
  g_autofree char *migdir = g_build_filename (dir, "migrations", NULL);
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  GanderHealthResult *r;

  drop_privileges ();
  migrator = new_migrator_for (path, migdir);
  health = gander_health_new (migrator);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_OK, NULL);
  r = gander_test_health_find (before, "writable");
  g_print ("writable: %s: %s\n", gander_health_status_to_string (gander_health_result_get_status (r)),
           gander_health_result_get_message (r));
  gander_test_health_assert (before, "writable", GANDER_HEALTH_STATUS_FAIL,
                g_str_equal (what, "file") ? "app.db is not writable" : "directory");
}

static void
check_read_only (Fixture    *f,
                 const char *what)
{
  g_autoptr(GanderMigrator) setup = new_migrator (f);
  migrate_up (setup, -1);
  gander_database_close (gander_migrator_get_database (setup));
  /* nobody may enter the directory and read the file, not write it */
  g_assert_cmpint (g_chmod (f->tmpdir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (f->migdir, 0755), ==, 0);
  if (g_str_equal (what, "file"))
    g_assert_cmpint (g_chmod (f->dbpath, 0444), ==, 0);
  else
    {
      g_assert_cmpint (g_chmod (f->dbpath, 0666), ==, 0);
      g_assert_cmpint (g_chmod (f->tmpdir, 0555), ==, 0);
    }
  g_setenv ("GANDER_TEST_RO_DIR", f->tmpdir, TRUE);
  g_setenv ("GANDER_TEST_RO_WHAT", what, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_assert_cmpint (g_chmod (f->tmpdir, 0755), ==, 0);
  g_test_trap_assert_passed ();
  if (g_str_equal (what, "file"))
    g_test_trap_assert_stdout ("*writable: fail: */app.db is not writable by uid *Permission denied*");
  else
    g_test_trap_assert_stdout ("*writable: fail: directory * is not writable by uid *Permission denied*");
}

static void
test_read_only_file (Fixture       *f,
                     gconstpointer  data)
{
  if (g_test_subprocess ())
    read_only_child ();
  else
    check_read_only (f, "file");
}

static void
test_read_only_directory (Fixture       *f,
                          gconstpointer  data)
{
  if (g_test_subprocess ())
    read_only_child ();
  else
    check_read_only (f, "directory");
}

#define M_BROKEN "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE d (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n-- +goose Down\nDROP TABLE d;\n"

static void
test_running_marker (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  gander_test_write_file (f->migdir, "00004_broken.sql", M_BROKEN);
  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  /* a NO TRANSACTION migration failing half way leaves its marker */
  results = gander_migrator_run (migrator, GANDER_PLAN_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_nonnull (error);

  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_FAIL, "clear-dirty 4");
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "running-marker", GANDER_HEALTH_STATUS_FAIL, "did not finish");
  gander_test_health_assert (after, "target-version", GANDER_HEALTH_STATUS_SKIPPED, "version 3");
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderMigrator) setup = new_migrator (f);
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) allowed = NULL;
  g_autofree char *gone = g_build_filename (f->migdir, "00002_child.sql", NULL);

  migrate_up (setup, -1);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_FAIL,
                "1 applied version(s) of goose_db_version have no file");
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_FAIL, ": 2 (");

  gander_migrator_set_allow_missing (migrator, TRUE);
  allowed = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (allowed, "version-table", GANDER_HEALTH_STATUS_OK, "allow-missing");
}

static void
test_out_of_order (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->tmpdir, "gaps", NULL);
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderMigrator) later = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) allowed = NULL;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  gander_test_write_file (dir, "00010_a.sql", "-- +goose Up\nCREATE TABLE a (x INTEGER);\n");
  gander_test_write_file (dir, "00030_c.sql", "-- +goose Up\nCREATE TABLE c (x INTEGER);\n");
  migrator = new_migrator_for (f->dbpath, dir);
  migrate_up (migrator, -1);
  /* a file older than the database version, never applied */
  gander_test_write_file (dir, "00020_b.sql", "-- +goose Up\nCREATE TABLE b (x INTEGER);\n");
  later = new_migrator_for (f->dbpath, dir);
  health = gander_health_new (later);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_FAIL,
                "1 pending migration(s) are older than the database version 30: 20");
  gander_migrator_set_allow_missing (later, TRUE);
  allowed = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (allowed, "version-table", GANDER_HEALTH_STATUS_OK, "allow-missing");
}

/* Overwrites the b-tree page header of @table's root page. */
static void
damage_table (const char *path,
              const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT rootpage, (SELECT page_size FROM pragma_page_size) "
                                          "FROM sqlite_schema WHERE name = '%s'", table);
  gint64 root, page_size;
  const guint8 garbage[8] = { 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  int fd;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  root = sqlite3_column_int64 (stmt, 0);
  page_size = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  fd = open (path, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, garbage, sizeof garbage, (root - 1) * page_size), ==, sizeof garbage);
  close (fd);
}

static void
test_integrity (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderMigrator) setup = new_migrator (f);
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) after = NULL;

  migrate_up (setup, -1);
  gander_database_close (gander_migrator_get_database (setup));
  sqlite_exec (f->dbpath, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                          "INSERT INTO c SELECT i FROM n");
  damage_table (f->dbpath, "c");

  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "integrity", GANDER_HEALTH_STATUS_FAIL, "quick_check");
  gander_test_health_assert (after, "integrity", GANDER_HEALTH_STATUS_FAIL, "gander restore latest");
}

static void
test_foreign_keys (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) after = NULL;

  migrate_up (migrator, -1);
  /* foreign keys are off by default in SQLite: nothing stopped this */
  sqlite_exec (f->dbpath, "INSERT INTO child VALUES (1, 42)");
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "foreign-keys", GANDER_HEALTH_STATUS_FAIL, "child row 1 refers to a missing row of parent");
  gander_test_health_assert (after, "integrity", GANDER_HEALTH_STATUS_OK, NULL);
}

static void
test_post_check_sql (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) after = NULL;
  const char * const post[] = {
    "SELECT 'children without parent: ' || count(*) FROM child "
    "WHERE parent_id NOT IN (SELECT id FROM parent) HAVING count(*) > 0",
    "SELECT id FROM parent WHERE id < 0",
    "SELECT * FROM no_such_table",
    "   ",
    /* a check that writes is refused, not run */
    "DELETE FROM child RETURNING id",
    NULL
  };
  const char * const only[] = { "post-check-sql", NULL };

  migrate_up (migrator, -1);
  sqlite_exec (f->dbpath, "INSERT INTO child VALUES (1, 42), (2, 43)");
  gander_health_set_post_check_sql (health, post);
  g_assert_cmpuint (g_strv_length ((GStrv) gander_health_get_post_check_sql (health)), ==, 4);
  gander_health_set_checks (health, only);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  g_assert_cmpuint (after->len, ==, 4);
  gander_test_health_assert (after, "post-check-sql#4", GANDER_HEALTH_STATUS_FAIL, "read-only");
  g_assert_cmpint (gander_test_query_int ("sqlite3", f->dbpath, "SELECT count(*) FROM child"), ==, 2);
  gander_test_health_assert (after, "post-check-sql", GANDER_HEALTH_STATUS_FAIL, "children without parent: 2");
  gander_test_health_assert (after, "post-check-sql#2", GANDER_HEALTH_STATUS_OK, NULL);
  gander_test_health_assert (after, "post-check-sql#3", GANDER_HEALTH_STATUS_FAIL, "no such table");
}

static void
test_disk_space (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) ok = NULL;
  g_autoptr(GPtrArray) full = NULL;
  g_autofree char *backups = g_build_filename (f->tmpdir, "backups", "app", NULL);
  const char * const only[] = { "disk-space", NULL };

  migrate_up (migrator, -1);
  gander_health_set_checks (health, only);
  gander_health_set_backup_directory (health, backups);
  ok = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  g_assert_cmpuint (ok->len, ==, 1);
  gander_test_health_assert (ok, "disk-space", GANDER_HEALTH_STATUS_OK, "backup directory");

  /* no disk has 10^15 times a database's size free */
  gander_health_set_free_space_factor (health, 1e9);
  full = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (full, "disk-space", GANDER_HEALTH_STATUS_FAIL, "lower free-space-factor");
  gander_test_health_assert (full, "disk-space", GANDER_HEALTH_STATUS_FAIL, "free on the file system of");
  g_assert_false (g_file_test (backups, G_FILE_TEST_EXISTS));
}

static void
test_target_version (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GPtrArray) wrong = NULL;
  g_autoptr(GPtrArray) short_run = NULL;
  g_autoptr(GPtrArray) full_run = NULL;
  g_autoptr(GError) error = NULL;
  const char * const only[] = { "target-version", NULL };

  gander_health_set_checks (health, only);
  plan = gander_migrator_plan (migrator, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  gander_health_set_plan (health, plan);

  /* the run stopped short of the plan */
  migrate_up (migrator, 2);
  short_run = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (short_run, "target-version", GANDER_HEALTH_STATUS_FAIL,
                "at version 2, not at 3 where the plan");

  migrate_up (migrator, -1);
  full_run = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (full_run, "target-version", GANDER_HEALTH_STATUS_OK, "version 3");

  gander_health_set_target_version (health, 5);
  wrong = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (wrong, "target-version", GANDER_HEALTH_STATUS_FAIL, "not at the target version 5");
}

static void
test_down_plan (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GPtrArray) before_run = NULL;
  g_autoptr(GPtrArray) after_run = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const char * const only[] = { "target-version", NULL };

  migrate_up (migrator, -1);
  gander_health_set_checks (health, only);
  plan = gander_migrator_plan (migrator, GANDER_PLAN_OPERATION_DOWN_TO, 1, NULL, &error);
  g_assert_no_error (error);
  gander_health_set_plan (health, plan);
  before_run = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (before_run, "target-version", GANDER_HEALTH_STATUS_FAIL, "2, 3");
  results = gander_migrator_run (migrator, GANDER_PLAN_OPERATION_DOWN_TO, 1, NULL, NULL, &error);
  g_assert_no_error (error);
  after_run = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after_run, "target-version", GANDER_HEALTH_STATUS_OK, "version 1");
}

static void
test_no_connection (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  /* a file that is no database */
  gander_test_write_file (f->tmpdir, "app.db", "this is not an SQLite database, only some text that is long enough to be read as a header of one hundred bytes or so.");
  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_FAIL, "not a database");
  for (guint i = 1; i < before->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (before, i);

      g_assert_cmpint (gander_health_result_get_status (r), ==, GANDER_HEALTH_STATUS_SKIPPED);
      g_assert_true (g_str_has_prefix (gander_health_result_get_message (r), "not run: no connection"));
    }
  g_assert_cmpuint (before->len, ==, 4);

  /* connectivity is not an after check, but its failure is reported */
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "connectivity", GANDER_HEALTH_STATUS_FAIL, "not a database");
  gander_test_health_assert (after, "integrity", GANDER_HEALTH_STATUS_SKIPPED, "no connection");
}

/* health-before=none: nothing runs, nothing connects */
static void
test_none_selected (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) other_phase = NULL;
  const char * const empty[] = { NULL };
  const char * const after_only[] = { "integrity", NULL };

  gander_test_write_file (f->tmpdir, "app.db", "this is not an SQLite database, only some text that is long enough to be read as a header of one hundred bytes or so.");
  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  gander_health_set_checks (health, empty);
  none = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  g_assert_cmpuint (none->len, ==, 0);
  gander_health_set_checks (health, after_only);
  other_phase = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  g_assert_cmpuint (other_phase->len, ==, 0);
  g_assert_false (gander_database_is_open (gander_migrator_get_database (migrator)));
}

static void
test_unknown_check (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const char * const checks[] = { "writable", "writeable", NULL };

  gander_health_set_checks (health, checks);
  results = gander_health_run (health, GANDER_HEALTH_PHASE_BEFORE, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "\"writeable\""));
  g_assert_null (results);
}

static void
test_json (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char * const only[] = { "writable", NULL };

  gander_health_set_checks (health, only);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  g_assert_cmpuint (before->len, ==, 1);
  object = gander_health_result_to_json_object (g_ptr_array_index (before, 0));
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "writable");
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (object, "phase"), ==, "before");
  g_assert_true (json_object_has_member (object, "message"));
  g_assert_cmpfloat (json_object_get_double_member (object, "duration_seconds"), >=, 0);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *results;
  GError    *error;
} AsyncData;

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncData *data = user_data;

  data->results = gander_health_run_finish (GANDER_HEALTH (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncData async = { loop, NULL, NULL };

  migrate_up (migrator, -1);
  gander_health_set_target_version (health, 2);
  gander_health_run_async (health, GANDER_HEALTH_PHASE_AFTER, NULL, run_done, &async);
  g_main_loop_run (loop);
  g_assert_no_error (async.error);
  gander_test_health_assert (async.results, "target-version", GANDER_HEALTH_STATUS_FAIL, "version 3");
  gander_test_health_assert (async.results, "integrity", GANDER_HEALTH_STATUS_OK, NULL);
  g_ptr_array_unref (async.results);
}

static gboolean
cancel_later (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = new_migrator (f);
  g_autoptr(GanderHealth) health = gander_health_new (migrator);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  AsyncData async = { loop, NULL, NULL };
  /* never ends on its own */
  const char * const post[] = {
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n WHERE i < 0",
    NULL
  };
  gint64 start;

  migrate_up (migrator, -1);

  g_cancellable_cancel (cancelled);
  results = gander_health_run (health, GANDER_HEALTH_PHASE_BEFORE, cancelled, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (results);

  /* a cancel stops a query that is running */
  gander_health_set_post_check_sql (health, post);
  start = g_get_monotonic_time ();
  gander_health_run_async (health, GANDER_HEALTH_PHASE_AFTER, cancellable, run_done, &async);
  g_timeout_add (200, cancel_later, cancellable);
  g_main_loop_run (loop);
  g_assert_error (async.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (async.results);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  g_clear_error (&async.error);

  /* the connection is still usable */
  gander_health_set_post_check_sql (health, NULL);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (results, "integrity", GANDER_HEALTH_STATUS_OK, NULL);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/health/names", test_names);
  ADD ("/health/sqlite/healthy", test_healthy);
  ADD ("/health/sqlite/absent-file", test_absent_file);
  ADD ("/health/sqlite/read-only-dsn", test_read_only_dsn);
  ADD ("/health/sqlite/read-only-file", test_read_only_file);
  ADD ("/health/sqlite/read-only-directory", test_read_only_directory);
  ADD ("/health/sqlite/running-marker", test_running_marker);
  ADD ("/health/sqlite/missing-file", test_missing_file);
  ADD ("/health/sqlite/out-of-order", test_out_of_order);
  ADD ("/health/sqlite/integrity", test_integrity);
  ADD ("/health/sqlite/foreign-keys", test_foreign_keys);
  ADD ("/health/sqlite/post-check-sql", test_post_check_sql);
  ADD ("/health/sqlite/disk-space", test_disk_space);
  ADD ("/health/sqlite/target-version", test_target_version);
  ADD ("/health/sqlite/down-plan", test_down_plan);
  ADD ("/health/sqlite/no-connection", test_no_connection);
  ADD ("/health/sqlite/none-selected", test_none_selected);
  ADD ("/health/sqlite/unknown-check", test_unknown_check);
  ADD ("/health/sqlite/json", test_json);
  ADD ("/health/sqlite/async", test_async);
  ADD ("/health/sqlite/cancel", test_cancel);

  return gander_test_run ();
}
