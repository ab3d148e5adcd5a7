/* test-manager-backup.c: GanderManager's backup and health steps on SQLite
 * files — a verified backup before a production run and pruning after it,
 * refusals that leave the database byte-identical (a required backup that
 * fails, a failed health check), optional backups, checks after the run,
 * dry runs, the backup/restore/health/prune-backups operations, metrics,
 * audit records, and the run lock held from the backup to the migrations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *migdir;
  char *dbdir;      /* the database alone, for byte-identical snapshots */
  char *dbpath;
  char *statedir;
  char *backupdir;  /* the default backup directory of profile "alerts" */
} Fixture;

#define M1 "-- +goose Up\nCREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);\n" \
           "-- +goose Down\nDROP TABLE a;\n"
#define M2 "-- +goose Up\nCREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (2);\n" \
           "-- +goose Down\nDROP TABLE b;\n"
#define M3 "-- +goose Up\nCREATE TABLE c (x INTEGER);\n-- +goose Down\nDROP TABLE c;\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-manager-backup-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  f->dbdir = g_build_filename (f->tmpdir, "db", NULL);
  g_assert_cmpint (g_mkdir (f->dbdir, 0755), ==, 0);
  f->dbpath = g_build_filename (f->dbdir, "alerts.db", NULL);
  f->statedir = g_build_filename (f->tmpdir, "state", NULL);
  /* backups and breakers go here: one set per test */
  g_setenv ("GANDER_STATE_DIR", f->statedir, TRUE);
  f->backupdir = g_build_filename (f->statedir, "backups", "alerts", NULL);
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
  g_free (f->dbdir);
  g_free (f->dbpath);
  g_free (f->statedir);
  g_free (f->backupdir);
}

static GanderProfile *
new_profile (Fixture    *f,
             const char *environment)
{
  return gander_test_new_profile ("alerts", "sqlite3", f->dbpath, f->migdir, environment);
}

static gint64
db_version (Fixture *f)
{
  return gander_test_query_int ("sqlite3", f->dbpath,
                                "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied");
}

static char *
snapshot (Fixture *f)
{
  return gander_test_snapshot_dir (f->dbdir);
}

static GanderRunReport *
run (GanderManager     *manager,
     GanderOperation    operation,
     GanderRunOptions  *options)
{
  g_autoptr(GError) error = NULL;
  GanderRunReport *report = gander_manager_execute (manager, operation, 0, options, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
  return report;
}

static guint
n_backups (GanderManager *manager)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = gander_manager_list_backups (manager, &error);

  g_assert_no_error (error);
  return list->len;
}

static GanderHealthResult *
find_health (GanderRunReport *report,
             const char      *name)
{
  GPtrArray *health = gander_run_report_get_health (report);

  for (guint i = 0; i < health->len; i++)
    if (g_str_equal (gander_health_result_get_name (g_ptr_array_index (health, i)), name))
      return g_ptr_array_index (health, i);
  return NULL;
}

/* An unwritable backup directory, even for root: a path under a regular
 * file, so that creating it fails with ENOTDIR. */
static char *
unwritable_dir (Fixture *f)
{
  gander_test_write_file (f->tmpdir, "not-a-directory", "x");
  return g_build_filename (f->tmpdir, "not-a-directory", "backups", NULL);
}

/* ------------------------------------------------------------------ */

/* Production: a fully verified backup of the database as it was, before
 * anything is applied; after the next successful run, pruning keeps
 * backup-keep of them. */
static void
test_production_backup_prune (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) first = NULL;
  g_autoptr(GanderRunReport) second = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  GanderBackupInfo *info;
  g_autofree char *copy_dsn = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  gander_test_profile_set (profile, "backup-keep", "1");
  manager = gander_test_new_manager (profile);
  g_assert_cmpint (gander_profile_get_backup_mode (profile), ==, GANDER_BACKUP_MODE_REQUIRED);

  first = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  info = gander_run_report_get_backup (first);
  g_assert_nonnull (info);
  g_assert_true (gander_backup_info_get_verified (info));
  g_assert_cmpstr (gander_backup_info_get_verify_method (info), ==, "integrity_check");
  /* the copy is of the database before the run */
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 1);
  g_assert_cmpint (gander_run_report_get_to_version (first), ==, 2);
  g_assert_cmpstr (gander_backup_info_get_profile (info), ==, "alerts");
  g_assert_cmpstr (gander_backup_info_get_environment (info), ==, "production");
  g_assert_true (g_str_has_prefix (gander_backup_info_get_path (info), f->backupdir));
  g_assert_true (g_file_test (gander_backup_info_get_path (info), G_FILE_TEST_IS_REGULAR));
  copy_dsn = g_strdup (gander_backup_info_get_path (info));
  g_assert_cmpint (gander_test_query_int ("sqlite3", copy_dsn,
                                          "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"),
                   ==, 0);
  g_assert_cmpint (gander_test_query_int ("sqlite3", copy_dsn, "SELECT x FROM a"), ==, 1);
  /* nothing to prune yet: one backup, keep 1 */
  g_assert_cmpuint (gander_run_report_get_pruned (first)->len, ==, 0);
  /* the checks ran, before and after */
  g_assert_nonnull (find_health (first, "connectivity"));
  g_assert_nonnull (find_health (first, "integrity"));
  g_assert_cmpuint (n_backups (manager), ==, 1);

  second = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  g_assert_nonnull (gander_run_report_get_backup (second));
  g_assert_cmpint (gander_backup_info_get_version (gander_run_report_get_backup (second)), ==, 2);
  g_assert_cmpuint (gander_run_report_get_pruned (second)->len, ==, 1);
  g_assert_cmpstr (gander_backup_info_get_id (g_ptr_array_index (gander_run_report_get_pruned (second), 0)),
                   ==, gander_backup_info_get_id (info));
  g_assert_false (g_file_test (gander_backup_info_get_path (info), G_FILE_TEST_EXISTS));
  list = gander_manager_list_backups (manager, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (gander_backup_info_get_id (g_ptr_array_index (list, 0)), ==,
                   gander_backup_info_get_id (gander_run_report_get_backup (second)));
  g_assert_cmpint (db_version (f), ==, 3);
}

/* Nothing to apply, nothing to back up; and a dry run takes no backup. */
static void
test_no_backup_empty_plan_dry_run (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) dry = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GPtrArray *health;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 2);
  manager = gander_test_new_manager (profile);

  gander_run_options_set_dry_run (dry, TRUE);
  before = snapshot (f);
  report = run (manager, GANDER_OPERATION_UP, dry);
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_cmpuint (n_backups (manager), ==, 0);
  /* only the checks before, in the report */
  health = gander_run_report_get_health (report);
  g_assert_cmpuint (health->len, >, 0);
  for (guint i = 0; i < health->len; i++)
    g_assert_cmpint (gander_health_result_get_phase (g_ptr_array_index (health, i)), ==,
                     GANDER_HEALTH_PHASE_BEFORE);
  g_assert_nonnull (find_health (report, "connectivity"));
  g_assert_null (find_health (report, "integrity"));
  g_clear_object (&report);

  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_cmpint (db_version (f), ==, 3);
  g_assert_nonnull (gander_run_report_get_backup (report));
  g_clear_object (&report);

  /* at the latest version: the plan is empty, no backup */
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_cmpuint (gander_plan_get_n_steps (gander_run_report_get_plan (report)), ==, 0);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_cmpuint (n_backups (manager), ==, 1);
}

/* A database with data but no version table (goose never ran here) is
 * backed up before the first run like any other; one without a table of
 * its own (absent, or empty) has nothing to lose and gets none. */
static void
test_backup_before_first_run (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  GanderBackupInfo *info;
  sqlite3 *db = NULL;

  /* absent: no backup, and the run creates it */
  manager = gander_test_new_manager (profile);
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_cmpuint (n_backups (manager), ==, 0);
  g_clear_object (&report);
  g_clear_object (&manager);
  g_assert_cmpint (g_unlink (f->dbpath), ==, 0);

  /* empty file: no backup */
  g_assert_cmpint (sqlite3_open (f->dbpath, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  manager = gander_test_new_manager (profile);
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_cmpuint (n_backups (manager), ==, 0);
  g_assert_cmpint (db_version (f), ==, 3);
  g_clear_object (&report);
  g_clear_object (&manager);
  g_assert_cmpint (g_unlink (f->dbpath), ==, 0);

  /* a table of the application's: backed up (backup=required) */
  g_assert_cmpint (sqlite3_open (f->dbpath, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE app (x INTEGER); INSERT INTO app VALUES (42)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  manager = gander_test_new_manager (profile);
  report = run (manager, GANDER_OPERATION_UP, NULL);
  info = gander_run_report_get_backup (report);
  g_assert_nonnull (info);
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 0);
  g_assert_true (gander_backup_info_get_verified (info));
  g_assert_cmpuint (n_backups (manager), ==, 1);
  g_assert_cmpint (db_version (f), ==, 3);
  g_assert_cmpint (gander_test_query_int ("sqlite3", gander_backup_info_get_path (info),
                                          "SELECT x FROM app"), ==, 42);
}

/* A dry run writes nothing: restore still needs its confirmation and
 * only says which backup it would restore, prune-backups lists what it
 * would remove, backup takes none. */
static void
test_dry_runs (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) dry = gander_run_options_new ();
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *backups_before = NULL;
  g_autofree char *backups_after = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  for (guint i = 0; i < 3; i++)
    {
      g_clear_object (&report);
      report = run (manager, GANDER_OPERATION_BACKUP, NULL);
      if (first == NULL)
        first = g_strdup (gander_backup_info_get_id (gander_run_report_get_backup (report)));
    }
  g_clear_object (&report);
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_clear_object (&report);
  g_assert_cmpint (db_version (f), ==, 3);
  g_assert_cmpuint (n_backups (manager), ==, 3);

  gander_run_options_set_dry_run (dry, TRUE);
  gander_run_options_set_backup_id (dry, first);
  before = snapshot (f);
  backups_before = gander_test_snapshot_dir (f->backupdir);

  /* unconfirmed: refused even as a dry run */
  report = gander_manager_execute (manager, GANDER_OPERATION_RESTORE, 0, dry, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_assert_null (report);
  g_clear_error (&error);

  /* confirmed: says which one, restores nothing */
  gander_run_options_set_confirmation (dry, "alerts");
  report = run (manager, GANDER_OPERATION_RESTORE, dry);
  g_assert_nonnull (gander_run_report_get_backup (report));
  g_assert_cmpstr (gander_backup_info_get_id (gander_run_report_get_backup (report)), ==, first);
  g_assert_true (gander_test_report_has_warning (report, first));
  g_assert_cmpint (db_version (f), ==, 3);
  g_clear_object (&report);

  /* prune: the list, nothing removed */
  gander_test_profile_set (profile, "backup-keep", "1");
  report = run (manager, GANDER_OPERATION_PRUNE_BACKUPS, dry);
  g_assert_cmpuint (gander_run_report_get_pruned (report)->len, ==, 2);
  g_assert_cmpuint (n_backups (manager), ==, 3);
  g_clear_object (&report);

  /* backup: none taken, what would be is said */
  report = run (manager, GANDER_OPERATION_BACKUP, dry);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_true (gander_test_report_has_warning (report, f->backupdir));
  g_clear_object (&report);

  /* health: read-only */
  report = run (manager, GANDER_OPERATION_HEALTH, dry);
  g_assert_nonnull (find_health (report, "connectivity"));
  g_clear_object (&report);

  after = snapshot (f);
  backups_after = gander_test_snapshot_dir (f->backupdir);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpstr (backups_before, ==, backups_after);
  g_assert_cmpuint (n_backups (manager), ==, 3);

  /* the real prune removes what the dry run listed */
  report = run (manager, GANDER_OPERATION_PRUNE_BACKUPS, NULL);
  g_assert_cmpuint (gander_run_report_get_pruned (report)->len, ==, 2);
  g_assert_cmpuint (n_backups (manager), ==, 1);
}

/* Without a profile name, the default backup directory is the
 * database's name and a hash of its identity: two app.db in different
 * directories do not share one; the password is not part of it. */
static void
test_adhoc_directory (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dir_a = g_build_filename (f->tmpdir, "a", NULL);
  g_autofree char *dir_b = g_build_filename (f->tmpdir, "b", NULL);
  g_autofree char *path_a = g_build_filename (dir_a, "app.db", NULL);
  g_autofree char *path_b = g_build_filename (dir_b, "app.db", NULL);
  g_autofree char *base_a = NULL;
  g_autofree char *base_b = NULL;
  g_autofree char *pg1 = NULL;
  g_autofree char *pg2 = NULL;
  g_autofree char *pg3 = NULL;
  g_autofree char *pg4 = NULL;
  GanderManager *managers[2] = { NULL, NULL };
  const char *paths[2] = { path_a, path_b };
  char *bases[2] = { NULL, NULL };

  g_assert_cmpint (g_mkdir (dir_a, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (dir_b, 0755), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
      g_autofree char *from_profile = NULL;
      const char *dir;

      gander_test_profile_set (profile, "driver", "sqlite3");
      gander_test_profile_set (profile, "dbstring", paths[i]);
      gander_test_profile_set (profile, "dir", f->migdir);
      managers[i] = gander_test_new_manager (profile);
      dir = gander_backup_get_directory (gander_manager_get_backup_store (managers[i]));
      from_profile = gander_profile_get_backup_dir (profile);
      g_assert_cmpstr (dir, ==, from_profile);
      bases[i] = g_path_get_basename (dir);
      g_test_message ("%s: %s", paths[i], dir);
      g_assert_true (g_str_has_prefix (bases[i], "app.db-"));
      g_assert_cmpuint (strlen (bases[i]), ==, strlen ("app.db-") + 8);
      g_assert_true (g_str_has_prefix (dir, f->statedir));
      g_object_unref (managers[i]);
    }
  base_a = bases[0];
  base_b = bases[1];
  g_assert_cmpstr (base_a, !=, base_b);

  /* PostgreSQL: host:port/dbname, never the password */
  {
    const char *dsns[4] = {
      "host=db1 port=5432 dbname=app user=u password=one",
      "host=db1 port=5432 dbname=app user=v password=two",
      "host=db2 port=5432 dbname=app user=u password=one",
      "postgres://u:secret@db1:5432/app",
    };
    char **outs[4] = { &pg1, &pg2, &pg3, &pg4 };

    for (guint i = 0; i < 4; i++)
      {
        g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
        g_autofree char *dir = NULL;

        gander_test_profile_set (profile, "driver", "postgres");
        gander_test_profile_set (profile, "dbstring", dsns[i]);
        dir = gander_profile_get_backup_dir (profile);
        *outs[i] = g_path_get_basename (dir);
        g_assert_true (g_str_has_prefix (*outs[i], "app-"));
        g_assert_null (strstr (dir, "one"));
        g_assert_null (strstr (dir, "secret"));
      }
  }
  g_assert_cmpstr (pg1, ==, pg2);
  g_assert_cmpstr (pg1, !=, pg3);
  g_assert_cmpstr (pg1, ==, pg4);
}

/* A required backup that fails refuses the run with nothing changed. */
static void
test_required_backup_fails (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_dir = unwritable_dir (f);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  gander_test_profile_set (profile, "backup-dir", bad_dir);
  manager = gander_test_new_manager (profile);
  g_assert_cmpstr (gander_backup_get_directory (gander_manager_get_backup_store (manager)), ==, bad_dir);

  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  after = snapshot (f);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "backup=required"));
  g_assert_nonnull (strstr (error->message, "not-a-directory"));
  g_assert_null (report);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (db_version (f), ==, 1);

  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_REFUSED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "backup");
  g_assert_cmpint (gander_run_report_get_error (report)->code, ==, GANDER_ERROR_BACKUP);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_cmpuint (gander_run_report_get_results (report)->len, ==, 0);
}

/* An optional backup that fails is a warning; the run goes on. */
static void
test_optional_backup_fails (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "staging");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autofree char *bad_dir = unwritable_dir (f);

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  g_assert_cmpint (gander_profile_get_backup_mode (profile), ==, GANDER_BACKUP_MODE_OPTIONAL);
  gander_test_profile_set (profile, "backup-dir", bad_dir);
  manager = gander_test_new_manager (profile);
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_true (gander_test_report_has_warning (report, "backup=optional"));
  g_assert_cmpint (db_version (f), ==, 3);
}

/* A failed check before the run refuses it, with nothing changed. */
static void
test_health_pre_refuses (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GanderHealthResult *disk;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  gander_test_profile_set (profile, "free-space-factor", "1e12");
  manager = gander_test_new_manager (profile);

  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  after = snapshot (f);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_HEALTH_CHECK);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "disk-space"));
  g_assert_nonnull (strstr (error->message, "health-before-refuse"));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (db_version (f), ==, 1);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_REFUSED);
  g_assert_cmpstr (gander_run_report_get_refused_rule (report), ==, "health-pre");
  disk = find_health (report, "disk-space");
  g_assert_nonnull (disk);
  g_assert_cmpint (gander_health_result_get_status (disk), ==, GANDER_HEALTH_STATUS_FAIL);
  g_clear_object (&report);
  g_clear_error (&error);

  /* health-before-refuse=never: a warning, and the run goes on */
  gander_test_profile_set (profile, "health-before-refuse", "never");
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_true (gander_test_report_has_warning (report, "disk-space"));
  g_assert_cmpint (db_version (f), ==, 3);
  g_clear_object (&report);

  /* health-before=none: no check */
  gander_test_profile_set (profile, "health-before-refuse", "fail");
  gander_test_profile_set (profile, "health-before", "none");
  gander_test_profile_set (profile, "health-after", "none");
  report = run (manager, GANDER_OPERATION_DOWN, NULL);
  g_assert_cmpuint (gander_run_report_get_health (report)->len, ==, 0);
}

/* A failed check after the run: health-after-fail=error fails the run
 * (the migrations stay applied), warn makes it a warning. */
static void
test_health_post (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GanderHealthResult *check;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  /* a row in b is "wrong": M2 inserts one */
  gander_test_profile_set (profile, "post-check-sql", "SELECT 'b holds ' || x FROM b");
  gander_test_profile_set (profile, "health-after", "post-check-sql");
  gander_test_profile_set (profile, "health-after-fail", "error");
  manager = gander_test_new_manager (profile);

  report = gander_manager_execute (manager, GANDER_OPERATION_UP_BY_ONE, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_HEALTH_CHECK);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "b holds 2"));
  g_assert_nonnull (strstr (error->message, "health-after-fail=error"));
  g_assert_cmpint (db_version (f), ==, 2);
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 2);
  check = find_health (report, "post-check-sql");
  g_assert_nonnull (check);
  g_assert_cmpint (gander_health_result_get_status (check), ==, GANDER_HEALTH_STATUS_FAIL);
  g_assert_cmpint (gander_health_result_get_phase (check), ==, GANDER_HEALTH_PHASE_AFTER);
  g_clear_object (&report);
  g_clear_error (&error);

  gander_test_profile_set (profile, "health-after-fail", "warn");
  report = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  g_assert_true (gander_test_report_has_warning (report, "b holds 2"));
  g_assert_cmpint (db_version (f), ==, 3);
}

/* The backup operation, then restore: confirmed even in development. */
static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GanderRunReport) taken = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *id;

  /* a database that does not exist: nothing to back up, and no file made */
  manager = gander_test_new_manager (profile);
  report = gander_manager_execute (manager, GANDER_OPERATION_BACKUP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (f->dbpath, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  g_clear_object (&manager);

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  g_assert_cmpint (gander_profile_get_backup_mode (profile), ==, GANDER_BACKUP_MODE_OFF);

  /* the operation takes one whatever the mode */
  taken = run (manager, GANDER_OPERATION_BACKUP, NULL);
  g_assert_nonnull (gander_run_report_get_backup (taken));
  id = gander_backup_info_get_id (gander_run_report_get_backup (taken));
  g_assert_cmpint (gander_backup_info_get_version (gander_run_report_get_backup (taken)), ==, 1);
  g_assert_cmpuint (n_backups (manager), ==, 1);

  g_clear_object (&report);
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_cmpint (db_version (f), ==, 3);
  g_assert_null (gander_run_report_get_backup (report));
  g_clear_object (&report);

  /* unconfirmed: refused, nothing changed */
  gander_run_options_set_backup_id (options, id);
  before = snapshot (f);
  report = gander_manager_execute (manager, GANDER_OPERATION_RESTORE, 0, options, NULL, &error);
  after = snapshot (f);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED);
  g_assert_cmpstr (before, ==, after);
  g_clear_error (&error);

  /* an unknown id */
  gander_run_options_set_confirmation (options, "alerts");
  gander_run_options_set_backup_id (options, "19991231T000000");
  report = gander_manager_execute (manager, GANDER_OPERATION_RESTORE, 0, options, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_cmpint (db_version (f), ==, 3);
  g_clear_error (&error);

  gander_run_options_set_backup_id (options, "latest");
  report = run (manager, GANDER_OPERATION_RESTORE, options);
  g_assert_cmpstr (gander_backup_info_get_id (gander_run_report_get_backup (report)), ==, id);
  g_assert_cmpint (gander_run_report_get_from_version (report), ==, 3);
  g_assert_cmpint (gander_run_report_get_to_version (report), ==, 1);
  g_assert_cmpint (db_version (f), ==, 1);
  g_assert_false (gander_test_table_exists ("sqlite3", f->dbpath, "b"));
  g_clear_object (&report);

  /* the manager goes on from the restored state */
  report = run (manager, GANDER_OPERATION_UP, NULL);
  g_assert_cmpint (gander_run_report_get_from_version (report), ==, 1);
  g_assert_cmpint (db_version (f), ==, 3);
}

/* The health operation: every check that needs no run. */
static void
test_health_operation (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GanderHealthResult *check;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 2);
  manager = gander_test_new_manager (profile);
  report = run (manager, GANDER_OPERATION_HEALTH, NULL);
  g_assert_nonnull (find_health (report, "connectivity"));
  g_assert_nonnull (find_health (report, "integrity"));
  g_assert_null (find_health (report, "target-version"));
  g_assert_null (gander_run_report_get_backup (report));
  /* backups on: the room for the next one is checked too */
  check = find_health (report, "disk-space");
  g_assert_nonnull (check);
  g_assert_nonnull (strstr (gander_health_result_get_message (check), "the backup directory"));
  g_clear_object (&report);

  gander_test_profile_set (profile, "backup", "off");
  report = run (manager, GANDER_OPERATION_HEALTH, NULL);
  check = find_health (report, "disk-space");
  g_assert_nonnull (check);
  g_assert_null (strstr (gander_health_result_get_message (check), "the backup directory"));
  g_clear_object (&report);
  gander_test_profile_set (profile, "backup", "required");

  gander_test_profile_set (profile, "post-check-sql", "SELECT 'one row'");
  report = gander_manager_execute (manager, GANDER_OPERATION_HEALTH, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_HEALTH_CHECK);
  g_assert_nonnull (strstr (error->message, "one row"));
  report = gander_manager_get_last_report (manager);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_FAILED);
  check = find_health (report, "post-check-sql");
  g_assert_nonnull (check);
  g_assert_cmpint (gander_health_result_get_status (check), ==, GANDER_HEALTH_STATUS_FAIL);
  g_assert_cmpint (db_version (f), ==, 2);
}

static void
test_prune_backups (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "development");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *newest = NULL;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  for (guint i = 0; i < 3; i++)
    {
      g_clear_object (&report);
      report = run (manager, GANDER_OPERATION_BACKUP, NULL);
    }
  newest = g_strdup (gander_backup_info_get_id (gander_run_report_get_backup (report)));
  g_clear_object (&report);
  g_assert_cmpuint (n_backups (manager), ==, 3);

  gander_test_profile_set (profile, "backup-keep", "1");
  report = run (manager, GANDER_OPERATION_PRUNE_BACKUPS, NULL);
  g_assert_cmpuint (gander_run_report_get_pruned (report)->len, ==, 2);
  list = gander_manager_list_backups (manager, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (gander_backup_info_get_id (g_ptr_array_index (list, 0)), ==, newest);
  g_clear_object (&report);

  /* nothing more to remove */
  report = run (manager, GANDER_OPERATION_PRUNE_BACKUPS, NULL);
  g_assert_cmpuint (gander_run_report_get_pruned (report)->len, ==, 0);
}

static void
test_metrics_audit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *audit_path = g_build_filename (f->tmpdir, "audit.jsonl", NULL);
  g_autofree char *metrics_path = g_build_filename (f->tmpdir, "gander.prom", NULL);
  g_autofree char *text = NULL;
  const char *pe[] = { "profile", "alerts", "environment", "production", NULL };
  const char *disk[] = { "profile", "alerts", "environment", "production", "check", "disk-space", NULL };
  GanderBackupInfo *info;
  JsonObject *record;
  int i;

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  gander_test_profile_set (profile, "audit-log", audit_path);
  gander_test_profile_set (profile, "metrics-file", metrics_path);
  gander_test_profile_set (profile, "backup-keep", "1");
  manager = gander_test_new_manager (profile);

  report = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  info = gander_run_report_get_backup (report);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_backup_size_bytes", pe), ==,
                     (double) gander_backup_info_get_size (info));
  g_assert_cmpfloat (gander_test_metric (manager, "gander_backup_duration_seconds", pe), >, 0);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_backup_last_success_timestamp_seconds", pe), ==,
                     (double) g_date_time_to_unix (gander_backup_info_get_created_at (info)));
  g_assert_true (g_file_get_contents (metrics_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "gander_backup_size_bytes{profile=\"alerts\",environment=\"production\"}"));

  records = gander_test_read_audit (audit_path);
  i = gander_test_find_event (records, "backup.created", 0);
  g_assert_cmpint (i, >=, 0);
  /* the backup comes before the first change */
  g_assert_cmpint (i, <, gander_test_find_event (records, "run.start", 0));
  record = g_ptr_array_index (records, i);
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, gander_backup_info_get_id (info));
  g_assert_cmpstr (json_object_get_string_member (record, "sha256"), ==,
                   gander_backup_info_get_sha256 (info));
  g_assert_cmpint (json_object_get_int_member (record, "size"), ==, gander_backup_info_get_size (info));
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 1);
  g_assert_true (g_str_has_suffix (gander_backup_info_get_path (info),
                                   json_object_get_string_member (record, "file")));
  i = gander_test_find_event (records, "backup.verified", 0);
  g_assert_cmpint (i, >=, 0);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, i), "verify_method"),
                   ==, "integrity_check");
  g_assert_cmpint (gander_test_find_event (records, "backup.pruned", 0), <, 0);
  g_clear_pointer (&records, g_ptr_array_unref);
  g_clear_object (&report);

  /* the second run prunes the first backup */
  report = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  records = gander_test_read_audit (audit_path);
  i = gander_test_find_event (records, "backup.pruned", 0);
  g_assert_cmpint (i, >=, 0);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, i), "id"), ==,
                   gander_backup_info_get_id (g_ptr_array_index (gander_run_report_get_pruned (report), 0)));
  g_clear_pointer (&records, g_ptr_array_unref);
  g_clear_object (&report);

  /* a restore is audited as such */
  gander_run_options_set_confirmation (options, "alerts");
  gander_run_options_set_backup_id (options, "latest");
  report = run (manager, GANDER_OPERATION_RESTORE, options);
  records = gander_test_read_audit (audit_path);
  i = gander_test_find_event (records, "restore", 0);
  g_assert_cmpint (i, >=, 0);
  record = g_ptr_array_index (records, i);
  g_assert_cmpstr (json_object_get_string_member (record, "result"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (record, "backup"), "id"),
                   ==, gander_backup_info_get_id (gander_run_report_get_backup (report)));
  g_clear_pointer (&records, g_ptr_array_unref);
  g_clear_object (&report);

  /* a failed check is counted and audited */
  gander_test_profile_set (profile, "free-space-factor", "1e12");
  report = gander_manager_execute (manager, GANDER_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_HEALTH_CHECK);
  g_assert_cmpfloat (gander_test_metric (manager, "gander_health_check_failures_total", disk), ==, 1);
  records = gander_test_read_audit (audit_path);
  i = gander_test_find_event (records, "health.failed", 0);
  g_assert_cmpint (i, >=, 0);
  record = g_ptr_array_index (records, i);
  g_assert_cmpstr (json_object_get_string_member (record, "check"), ==, "disk-space");
  g_assert_cmpstr (json_object_get_string_member (record, "phase"), ==, "before");
  g_assert_cmpint (gander_test_find_event (records, "policy.refused", i), >, i);
  {
    guint n = 0, bad_line = 0;

    g_clear_error (&error);
    g_assert_true (gander_audit_verify_file (audit_path, &n, &bad_line, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, records->len);
  }
}

/* From the backup step to the migrations, nobody else may take the run
 * lock: checked from the step-changed handler when apply starts. */
typedef struct
{
  Fixture  *f;
  gboolean  checked;
  gboolean  locked_out;
} LockProbe;

static void
probe_lock (GanderManager *manager,
            const char    *step,
            double         fraction,
            LockProbe     *probe)
{
  g_autoptr(GanderDatabase) other = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (step, "apply"))
    return;
  other = gander_database_new_for_driver ("sqlite3", probe->f->dbpath, &error);
  g_assert_no_error (error);
  gander_database_set_lock_wait_timeout (other, 0);
  g_assert_true (gander_database_open (other, NULL, &error));
  g_assert_no_error (error);
  probe->checked = TRUE;
  if (gander_database_lock (other, NULL, &error))
    {
      g_assert_true (gander_database_unlock (other, NULL));
      probe->locked_out = FALSE;
    }
  else
    {
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
      probe->locked_out = TRUE;
    }
  gander_database_close (other);
}

static void
test_lock_held (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = new_profile (f, "production");
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autofree char *lock_path = g_strconcat (f->dbpath, ".gander-lock", NULL);
  LockProbe probe = { f, FALSE, FALSE };

  gander_test_apply_with_migrator ("sqlite3", f->dbpath, f->migdir, 1);
  manager = gander_test_new_manager (profile);
  g_signal_connect (manager, "step-changed", G_CALLBACK (probe_lock), &probe);
  report = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  g_assert_nonnull (gander_run_report_get_backup (report));
  g_assert_true (probe.checked);
  g_assert_true (probe.locked_out);
  /* released at the finish */
  g_assert_false (g_file_test (lock_path, G_FILE_TEST_EXISTS));
  g_clear_object (&report);

  /* the control: without a backup step nobody holds it between steps */
  gander_test_profile_set (profile, "backup", "off");
  probe.checked = probe.locked_out = FALSE;
  report = run (manager, GANDER_OPERATION_UP_BY_ONE, NULL);
  g_assert_null (gander_run_report_get_backup (report));
  g_assert_true (probe.checked);
  g_assert_false (probe.locked_out);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *path; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "/manager-backup/production-backup-prune", test_production_backup_prune },
    { "/manager-backup/empty-plan-dry-run", test_no_backup_empty_plan_dry_run },
    { "/manager-backup/first-run", test_backup_before_first_run },
    { "/manager-backup/dry-runs", test_dry_runs },
    { "/manager-backup/adhoc-directory", test_adhoc_directory },
    { "/manager-backup/required-fails", test_required_backup_fails },
    { "/manager-backup/optional-fails", test_optional_backup_fails },
    { "/manager-backup/health-pre", test_health_pre_refuses },
    { "/manager-backup/health-post", test_health_post },
    { "/manager-backup/backup-restore", test_backup_restore },
    { "/manager-backup/health-operation", test_health_operation },
    { "/manager-backup/prune-backups", test_prune_backups },
    { "/manager-backup/metrics-audit", test_metrics_audit },
    { "/manager-backup/lock-held", test_lock_held },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add (tests[i].path, Fixture, NULL, fixture_setup, tests[i].func, fixture_teardown);
  return gander_test_run ();
}
