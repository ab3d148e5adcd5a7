/* test-migrator.c: goose Provider semantics of GanderMigrator, run on
 * every engine (SQLite always; PostgreSQL with the temporary server).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "gander-database-private.h"
#include "gander-test-util.h"

typedef struct
{
  const char     *engine;   /* "sqlite3" or "postgres" */
  char           *tmpdir;
  char           *migdir;
  char           *dsn;
  GanderDatabase *db;
  GanderDatabase *probe;    /* a second connection for checks */
} Fixture;

static void
write_migration (Fixture    *f,
                 const char *name,
                 const char *text)
{
  g_autofree char *path = g_build_filename (f->migdir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->engine = data;
  f->tmpdir = g_dir_make_tmp ("gander-migrator-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);

  f->dsn = gander_test_new_dsn (f->engine, f->tmpdir);
  if (f->dsn == NULL)
    return;
  f->db = gander_database_new_for_driver (f->engine, f->dsn, &error);
  g_assert_no_error (error);
  f->probe = gander_database_new_for_driver (f->engine, f->dsn, &error);
  g_assert_no_error (error);
  gander_database_open (f->probe, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->db);
  g_clear_object (&f->probe);
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->migdir);
  g_free (f->dsn);
}

#define SKIP_IF_NO_ENGINE(f) \
  G_STMT_START { if ((f)->dsn == NULL) { g_test_skip (gander_test_engine_skip_reason ((f)->engine)); return; } } G_STMT_END

static GanderMigrator *
new_migrator (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderSource) source = NULL;

  source = gander_source_new_for_uri (f->migdir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  return gander_migrator_new (f->db, source);
}

/* Rows of goose's version table, newest id first, as "v:applied" words. */
static char *
version_rows (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  GString *s = g_string_new (NULL);
  gboolean exists = FALSE;

  exists = gander_database_version_table_exists (f->probe, &error);
  g_assert_no_error (error);
  if (!exists)
    return g_string_free (s, FALSE);

  rows = gander_database_list_versions (f->probe, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      GanderVersionRow *row = &g_array_index (rows, GanderVersionRow, i);
      g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? " " : "", row->version_id);
    }
  return g_string_free (s, FALSE);
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  return gander_test_query_int (f->engine, f->dsn, sql);
}

static gboolean
table_exists (Fixture    *f,
              const char *table)
{
  return gander_test_table_exists (f->engine, f->dsn, table);
}

static void
write_basic_set (Fixture *f)
{
  write_migration (f, "00001_users.sql",
                   "-- +goose Up\n"
                   "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                   "INSERT INTO users (id, name) VALUES (1, 'root');\n"
                   "-- +goose Down\n"
                   "DROP TABLE users;\n");
  write_migration (f, "00002_posts.sql",
                   "-- +goose Up\n"
                   "-- +goose StatementBegin\n"
                   "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);\n"
                   "CREATE INDEX posts_title ON posts (title);\n"
                   "-- +goose StatementEnd\n"
                   "-- +goose Down\n"
                   "DROP TABLE posts;\n");
  write_migration (f, "00003_empty.sql", "-- +goose Up\n");
  write_migration (f, "00005_comments.sql",
                   "-- +goose Up\n"
                   "CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT);\n"
                   "-- +goose Down\n"
                   "DROP TABLE comments;\n");
}

static void
test_up_all (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  gint64 version = -1;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 4);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[0]), ==, 1);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[3]), ==, 5);
  g_assert_false (gander_migration_result_get_empty (results->pdata[0]));
  g_assert_true (gander_migration_result_get_empty (results->pdata[2]));
  g_assert_cmpint (gander_migration_result_get_direction (results->pdata[1]), ==, GANDER_DIRECTION_UP);
  g_assert_null (gander_migration_result_get_error (results->pdata[1]));

  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "5 3 2 1 0");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM users"), ==, 1);
  g_assert_true (table_exists (f, "posts"));

  version = gander_migrator_get_db_version (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 5);

  /* Nothing pending: an empty result, no error (goose Provider). */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);

  /* The side table recorded every file's checksum. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM goose_db_version_gander WHERE state = 'applied'"), ==, 4);
}

static void
test_up_by_one_and_down (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;
  gint64 expected[] = { 1, 2, 3, 5 };

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GanderMigrationResult) r = gander_migrator_up_by_one (m, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gander_migration_result_get_version (r), ==, expected[i]);
    }
  g_assert_null (gander_migrator_up_by_one (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION);
  g_clear_error (&error);

  for (guint i = G_N_ELEMENTS (expected); i > 0; i--)
    {
      g_autoptr(GanderMigrationResult) r = gander_migrator_down (m, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gander_migration_result_get_version (r), ==, expected[i - 1]);
      g_assert_cmpint (gander_migration_result_get_direction (r), ==, GANDER_DIRECTION_DOWN);
    }
  g_assert_null (gander_migrator_down (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION);

  {
    g_autofree char *rows = version_rows (f);
    g_assert_cmpstr (rows, ==, "0");
  }
  g_assert_false (table_exists (f, "users"));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM goose_db_version_gander"), ==, 0);
}

static void
test_up_to_down_to (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  results = gander_migrator_up_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Unknown target, strict: refused before anything runs. */
  gander_migrator_set_strict_targets (m, TRUE);
  g_assert_null (gander_migrator_up_to (m, 4, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "version 4"));
  g_clear_error (&error);
  g_assert_null (gander_migrator_up_to (m, 0, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "2 1 0");

  results = gander_migrator_up_to (m, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);

  g_assert_null (gander_migrator_down_to (m, 4, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (gander_migrator_down_to (m, -1, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  gander_migrator_set_strict_targets (m, FALSE);
  results = gander_migrator_down_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[0]), ==, 5);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[1]), ==, 3);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_free (rows);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "2 1 0");

  /* Already there: nothing to do, no error. */
  results = gander_migrator_down_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_down_to (m, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_free (rows);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "0");
}

static void
test_redo_reset (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  g_assert_null (gander_migrator_redo (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION);
  g_clear_error (&error);

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_redo (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (gander_migration_result_get_direction (results->pdata[0]), ==, GANDER_DIRECTION_DOWN);
  g_assert_cmpint (gander_migration_result_get_direction (results->pdata[1]), ==, GANDER_DIRECTION_UP);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[1]), ==, 5);
  g_clear_pointer (&results, g_ptr_array_unref);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "5 3 2 1 0");

  results = gander_migrator_reset (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 4);
  g_free (rows);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "0");
  g_assert_false (table_exists (f, "users"));
  g_assert_false (table_exists (f, "comments"));
}

static void
test_allow_missing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderMigrator) m2 = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  gboolean pending = FALSE;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* A file older than the database version arrives (a merged branch). */
  write_migration (f, "00004_missing.sql",
                   "-- +goose Up\nCREATE TABLE missing_one (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE missing_one;\n");
  write_migration (f, "00006_new.sql",
                   "-- +goose Up\nCREATE TABLE new_one (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE new_one;\n");
  m2 = new_migrator (f);

  g_assert_null (gander_migrator_up (m2, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS);
  g_assert_nonnull (strstr (error->message, "00004_missing.sql"));
  /* goose's words first; then what to do, naming the library's option */
  g_assert_true (g_str_has_prefix (error->message,
                                   "error: found 1 missing migrations before current version 5:\n\tversion 4: "));
  g_assert_true (g_str_has_suffix (error->message,
                                   "\nthey are older than the database version: set the allow-missing "
                                   "run option (GanderRunOptions:allow-missing) to apply them out of "
                                   "order, or renumber them"));
  g_clear_error (&error);
  g_assert_false (gander_migrator_has_pending (m2, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS);
  g_clear_error (&error);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "5 3 2 1 0");

  gander_migrator_set_allow_missing (m2, TRUE);
  pending = gander_migrator_has_pending (m2, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pending);
  results = gander_migrator_up (m2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[0]), ==, 4);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[1]), ==, 6);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Rollback follows insertion order: 6, 4, 5, 3, 2, 1 (goose TestAllowMissing). */
  results = gander_migrator_down_to (m2, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 6);
  {
    gint64 order[] = { 6, 4, 5, 3, 2, 1 };
    for (guint i = 0; i < G_N_ELEMENTS (order); i++)
      g_assert_cmpint (gander_migration_result_get_version (results->pdata[i]), ==, order[i]);
  }
}

static void
test_failure_rolls_back (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_ok.sql",
                   "-- +goose Up\nCREATE TABLE ok_table (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE ok_table;\n");
  write_migration (f, "00002_bad.sql",
                   "-- +goose Up\n"
                   "CREATE TABLE half_done (id INTEGER);\n"
                   "INSERT INTO half_done (id) VALUES (1);\n"
                   "\n"
                   "INSERT INTO no_such_table (id) VALUES (1);\n"
                   "-- +goose Down\nDROP TABLE half_done;\n");
  write_migration (f, "00003_never.sql",
                   "-- +goose Up\nCREATE TABLE never (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE never;\n");
  m = new_migrator (f);

  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  /* goose's words first (log alerts grep them), the cleared statement
   * quoted as goose quotes it, the database's own words, then where:
   * file, line, version and statement */
  g_assert_true (g_str_has_prefix (error->message,
                                   "ERROR 00002_bad.sql: failed to run SQL migration: "
                                   "failed to execute SQL query "
                                   "\"INSERT INTO no_such_table (id) VALUES (1);\": "));
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_assert_nonnull (strstr (error->message,
                            "00002_bad.sql:5, migration 2 (up), statement 3 of 3"));

  results = gander_migrator_get_last_results (m);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_null (gander_migration_result_get_error (results->pdata[0]));
  g_assert_nonnull (gander_migration_result_get_error (results->pdata[1]));
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[1]), ==, 2);

  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");
  g_assert_true (table_exists (f, "ok_table"));
  g_assert_false (table_exists (f, "half_done"));
  g_assert_false (table_exists (f, "never"));
}

/* A failure after the statements (here: goose's version row is refused)
 * still names the migration, and leaves nothing of it behind. */
static void
test_version_row_failure (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  results = gander_migrator_up_to (m, 1, NULL, &error);
  g_assert_no_error (error);

  if (g_str_equal (f->engine, "sqlite3"))
    gander_test_exec (f->engine, f->dsn,
                      "CREATE TRIGGER refuse_two BEFORE INSERT ON goose_db_version "
                      "WHEN NEW.version_id = 2 BEGIN SELECT RAISE (ABORT, 'no version 2 here'); END");
  else
    gander_test_exec (f->engine, f->dsn,
                      "CREATE FUNCTION refuse_two () RETURNS trigger LANGUAGE plpgsql AS $$ "
                      "BEGIN IF NEW.version_id = 2 THEN RAISE EXCEPTION 'no version 2 here'; END IF; "
                      "RETURN NEW; END $$;"
                      "CREATE TRIGGER refuse_two BEFORE INSERT ON goose_db_version "
                      "FOR EACH ROW EXECUTE FUNCTION refuse_two ()");

  g_assert_null (gander_migrator_up (m, NULL, &error));
  /* goose's words first (log alerts grep them), then where */
  g_assert_true (g_str_has_prefix (error->message,
                                   "ERROR 00002_posts.sql: failed to run SQL migration: "
                                   "failed to insert new goose version: "));
  g_assert_nonnull (strstr (error->message, "; at "));
  g_assert_nonnull (strstr (error->message, "00002_posts.sql, migration 2 (up)"));
  g_assert_nonnull (strstr (error->message, "failed to insert version 2"));
  g_assert_nonnull (strstr (error->message, "no version 2 here"));
  g_assert_false (table_exists (f, "posts"));
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM goose_db_version_gander WHERE version_id = 2"), ==, 0);
}

/* The error names the line of the file the failing command is on, even
 * inside a multi-command StatementBegin block. */
static void
test_error_line_in_block (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_block.sql",
                   "-- +goose Up\n"                          /* 1 */
                   "-- +goose StatementBegin\n"              /* 2 */
                   "CREATE TABLE blk (id INTEGER);\n"        /* 3 */
                   "INSERT INTO blk VALUES (1);\n"           /* 4 */
                   "INSERT INTO blk_missing VALUES (2);\n"   /* 5 */
                   "-- +goose StatementEnd\n"
                   "-- +goose Down\nDROP TABLE blk;\n");
  m = new_migrator (f);

  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "00001_block.sql:5, migration 1 (up), statement 1 of 1"));
  g_assert_false (table_exists (f, "blk"));
}

static void
collect_warning (GanderMigrator *m,
                 const char     *message,
                 GString        *log)
{
  g_string_append_printf (log, "%s\n", message);
}

/* Only the direction being run may stop a run (goose parses just that
 * one). A malformed running section refuses the whole run before
 * anything is applied; the other section's problem is a warning. */
static void
test_parse_error_stops_before_running (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_ok.sql",
                   "-- +goose Up\nCREATE TABLE ok_table (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE ok_table;\n");
  /* The Up section lacks its semicolon: the whole run is refused before
   * applying anything. */
  write_migration (f, "00002_broken_up.sql",
                   "-- +goose Up\nCREATE TABLE b (id INTEGER)\n"
                   "-- +goose Down\nDROP TABLE b;\n");
  m = new_migrator (f);

  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  /* goose's words first, then where */
  g_assert_true (g_str_has_prefix (error->message,
                                   "ERROR 00002_broken_up.sql: failed to parse SQL migration file: "
                                   "failed to parse migration: state 1, direction: up: "));
  g_assert_nonnull (strstr (error->message, "missing semicolon"));
  g_assert_nonnull (strstr (error->message, "; at "));
  g_assert_nonnull (strstr (error->message, "00002_broken_up.sql:3"));
  g_assert_false (table_exists (f, "ok_table"));
  rows = version_rows (f);
  /* a new database stays untouched: not even the version table */
  g_assert_cmpstr (rows, ==, "");
  g_assert_false (table_exists (f, "goose_db_version"));
  g_assert_false (table_exists (f, "goose_db_version_gander"));
}

static void
test_other_direction_only_warns (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GanderMigrationResult) result = NULL;
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autofree char *rows = NULL;
  const char * const *plan_warnings;

  SKIP_IF_NO_ENGINE (f);
  /* goose's reproduction: the Down section lacks its semicolon */
  write_migration (f, "001_a.sql",
                   "-- +goose Up\nCREATE TABLE a (id int);\n\n"
                   "-- +goose Down\nDROP TABLE a\n");
  m = new_migrator (f);
  g_signal_connect (m, "warning", G_CALLBACK (collect_warning), warnings);

  plan = gander_migrator_plan (m, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gander_plan_get_can_run (plan));
  plan_warnings = gander_plan_get_warnings (plan);
  g_assert_cmpuint (g_strv_length ((char **) plan_warnings), ==, 1);
  g_assert_nonnull (strstr (plan_warnings[0], "down section of 001_a.sql"));

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_true (table_exists (f, "a"));
  g_assert_nonnull (strstr (warnings->str, "down section of 001_a.sql"));
  g_assert_nonnull (strstr (warnings->str, "missing semicolon"));

  /* rolling it back needs the Down section: refused, nothing changes */
  g_assert_null (gander_migrator_down (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_clear_error (&error);
  /* and redo runs both directions, so it is refused too */
  g_assert_null (gander_migrator_redo (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_clear_error (&error);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");

  /* a malformed Up section does not stop a down */
  write_migration (f, "001_a.sql",
                   "-- +goose Up\nCREATE TABLE a (id int)\n\n"
                   "-- +goose Down\nDROP TABLE a;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  g_string_truncate (warnings, 0);
  g_signal_connect (m, "warning", G_CALLBACK (collect_warning), warnings);
  result = gander_migrator_down (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_result_get_version (result), ==, 1);
  g_assert_false (table_exists (f, "a"));
  g_assert_nonnull (strstr (warnings->str, "up section of 001_a.sql"));
}

static void
test_no_transaction_interrupted_is_dirty (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderMigrator) m2 = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_ok.sql",
                   "-- +goose Up\nCREATE TABLE ok_table (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE ok_table;\n");
  write_migration (f, "00002_notx.sql",
                   "-- +goose NO TRANSACTION\n"
                   "-- +goose Up\n"
                   "CREATE TABLE notx_a (id INTEGER);\n"
                   "INSERT INTO nowhere VALUES (1);\n"
                   "-- +goose Down\nDROP TABLE notx_a;\n");
  m = new_migrator (f);

  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  /* Autocommit: the first statement stayed; the version row was never
   * written; the marker says so. */
  g_assert_true (table_exists (f, "notx_a"));
  {
    g_autofree char *rows = version_rows (f);
    g_assert_cmpstr (rows, ==, "1 0");
  }

  m2 = new_migrator (f);
  status = gander_migrator_status (m2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_status_get_state (status->pdata[0]), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_cmpint (gander_migration_status_get_state (status->pdata[1]), ==, GANDER_MIGRATION_STATE_RUNNING);

  g_assert_null (gander_migrator_up (m2, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY);
  g_assert_nonnull (strstr (error->message, "00002_notx.sql"));
  g_assert_nonnull (strstr (error->message, "gander repair clear-dirty 2"));
  g_assert_nonnull (strstr (error->message, "goose_db_version_gander"));
  g_clear_error (&error);
  g_assert_null (gander_migrator_down (m2, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY);
}

static void
test_status_and_checksum (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderMigrator) m2 = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  /* A fresh database: status reads, never writes. */
  status = gander_migrator_status (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status->len, ==, 4);
  for (guint i = 0; i < status->len; i++)
    {
      g_assert_cmpint (gander_migration_status_get_state (status->pdata[i]), ==, GANDER_MIGRATION_STATE_PENDING);
      g_assert_null (gander_migration_status_get_applied_at (status->pdata[i]));
    }
  g_assert_false (table_exists (f, "goose_db_version"));
  g_clear_pointer (&status, g_ptr_array_unref);

  results = gander_migrator_up_to (m, 2, NULL, &error);
  g_assert_no_error (error);

  /* Edit an applied file afterwards. */
  write_migration (f, "00001_users.sql",
                   "-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"
                   "-- +goose Down\nDROP TABLE users;\n");
  m2 = new_migrator (f);
  status = gander_migrator_status (m2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_status_get_state (status->pdata[0]), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_nonnull (gander_migration_status_get_applied_at (status->pdata[0]));
  g_assert_true (gander_migration_status_get_modified (status->pdata[0]));
  g_assert_cmpuint (strlen (gander_migration_status_get_recorded_checksum (status->pdata[0])), ==, 64);
  g_assert_false (gander_migration_status_get_modified (status->pdata[1]));
  g_assert_cmpint (gander_migration_status_get_state (status->pdata[2]), ==, GANDER_MIGRATION_STATE_PENDING);
  g_assert_false (gander_migration_status_get_modified (status->pdata[2]));
}

static void
test_no_versioning (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GanderMigrationResult) r = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_seed.sql",
                   "-- +goose Up\nCREATE TABLE seed (id INTEGER);\nINSERT INTO seed VALUES (1);\n"
                   "-- +goose Down\nDROP TABLE seed;\n");
  write_migration (f, "00002_more.sql",
                   "-- +goose Up\nINSERT INTO seed VALUES (2);\n"
                   "-- +goose Down\nDELETE FROM seed WHERE id = 2;\n");
  m = new_migrator (f);
  gander_migrator_set_no_versioning (m, TRUE);

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_false (table_exists (f, "goose_db_version"));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM seed"), ==, 2);

  r = gander_migrator_down (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_result_get_version (r), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM seed"), ==, 1);

  g_assert_cmpint (gander_migrator_get_db_version (m, NULL, &error), ==, -1);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
  g_assert_false (table_exists (f, "goose_db_version"));
}

typedef struct
{
  guint    started;
  guint    finished;
  guint    statements;
  GString *log;
} SignalLog;

static void
on_started (GanderMigrator  *m,
            GanderMigration *migration,
            GanderDirection  direction,
            SignalLog       *log)
{
  log->started++;
  g_string_append_printf (log->log, "start %" G_GINT64_FORMAT " %s;",
                          gander_migration_get_version (migration),
                          gander_direction_to_string (direction));
}

static void
on_finished (GanderMigrator        *m,
             GanderMigrationResult *result,
             SignalLog             *log)
{
  log->finished++;
  g_string_append_printf (log->log, "done %" G_GINT64_FORMAT ";",
                          gander_migration_result_get_version (result));
}

static void
on_statement (GanderMigrator  *m,
              GanderMigration *migration,
              guint            line,
              const char      *sql,
              SignalLog       *log)
{
  log->statements++;
  g_assert_cmpuint (line, >, 0);
  g_assert_nonnull (sql);
}

static void
test_signals (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  SignalLog log = { 0, 0, 0, g_string_new (NULL) };

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  g_signal_connect (m, "migration-started", G_CALLBACK (on_started), &log);
  g_signal_connect (m, "migration-finished", G_CALLBACK (on_finished), &log);
  g_signal_connect (m, "executing-statement", G_CALLBACK (on_statement), &log);

  results = gander_migrator_up_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log.started, ==, 2);
  g_assert_cmpuint (log.finished, ==, 2);
  g_assert_cmpuint (log.statements, ==, 3);
  g_assert_cmpstr (log.log->str, ==, "start 1 up;done 1;start 2 up;done 2;");
  g_string_free (log.log, TRUE);
}

/* What a handler saw when it called back into the running migrator. */
typedef struct
{
  guint     calls;
  guint     last_results_len[8];
  GError   *up_error;
  GError   *status_error;
  GError   *version_error;
  gboolean  busy_seen;
} Reentry;

static void
on_finished_reenter (GanderMigrator        *m,
                     GanderMigrationResult *result,
                     Reentry               *r)
{
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) status = NULL;

  /* getters never wait for the operation that emits this */
  last = gander_migrator_get_last_results (m);
  g_assert_cmpuint (r->calls, <, G_N_ELEMENTS (r->last_results_len));
  r->last_results_len[r->calls] = last->len;
  g_assert_true (g_ptr_array_index (last, last->len - 1) == result);
  r->busy_seen = r->busy_seen || gander_migrator_get_busy (m);

  /* a second operation fails at once instead of deadlocking */
  again = gander_migrator_up (m, NULL, r->calls == 0 ? &r->up_error : NULL);
  g_assert_null (again);
  status = gander_migrator_status (m, NULL, r->calls == 0 ? &r->status_error : NULL);
  g_assert_null (status);
  g_assert_cmpint (gander_migrator_get_db_version (m, NULL,
                                                   r->calls == 0 ? &r->version_error : NULL), ==, -1);
  r->calls++;
}

static void
on_busy_cleared_start_next (GanderMigrator *m,
                            GParamSpec     *pspec,
                            guint          *n_started)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  if (gander_migrator_get_busy (m) || *n_started > 0)
    return;
  /* the operation has let go by the time it says it is no longer busy */
  (*n_started)++;
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
}

static void
test_reentrant_handler (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GanderMigrationResult) down = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  Reentry r = { 0, };
  guint n_started = 0;
  gulong id;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  id = g_signal_connect (m, "migration-finished", G_CALLBACK (on_finished_reenter), &r);

  results = gander_migrator_up_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpuint (r.calls, ==, 2);
  g_assert_cmpuint (r.last_results_len[0], ==, 1);
  g_assert_cmpuint (r.last_results_len[1], ==, 2);
  g_assert_true (r.busy_seen);
  g_assert_error (r.up_error, GANDER_ERROR, GANDER_ERROR_BUSY);
  g_assert_error (r.status_error, GANDER_ERROR, GANDER_ERROR_BUSY);
  g_assert_error (r.version_error, GANDER_ERROR, GANDER_ERROR_BUSY);
  g_clear_error (&r.up_error);
  g_clear_error (&r.status_error);
  g_clear_error (&r.version_error);
  /* the refused calls changed nothing */
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "2 1 0");
  g_signal_handler_disconnect (m, id);

  /* and the migrator is free again once it says so */
  g_signal_connect (m, "notify::busy", G_CALLBACK (on_busy_cleared_start_next), &n_started);
  down = gander_migrator_down (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_result_get_version (down), ==, 2);
  g_assert_cmpuint (n_started, ==, 1);
  g_clear_pointer (&rows, g_free);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "5 3 2 1 0");
}

static char *
plan_steps_text (GanderPlan *plan)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < gander_plan_get_n_steps (plan); i++)
    {
      GanderPlanStep *step = gander_plan_get_step (plan, i);

      g_string_append_printf (s, "%s%" G_GINT64_FORMAT " %s", i ? ";" : "",
                              gander_plan_step_get_version (step),
                              gander_direction_to_string (gander_plan_step_get_direction (step)));
    }
  return g_string_free (s, FALSE);
}

static char *
results_text (GPtrArray *results)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < results->len; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (results, i);

      g_string_append_printf (s, "%s%" G_GINT64_FORMAT " %s", i ? ";" : "",
                              gander_migration_result_get_version (r),
                              gander_direction_to_string (gander_migration_result_get_direction (r)));
    }
  return g_string_free (s, FALSE);
}

/* Plans, then runs the same operation: the run does what the plan said. */
static void
assert_plan_then_run (GanderMigrator      *m,
                      GanderPlanOperation  operation,
                      gint64               target,
                      const char          *expected)
{
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GanderMigrationResult) one = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *planned = NULL;
  g_autofree char *ran = NULL;

  plan = gander_migrator_plan (m, operation, target, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gander_plan_get_can_run (plan));
  g_assert_null (gander_plan_get_reason (plan));
  planned = plan_steps_text (plan);
  g_assert_cmpstr (planned, ==, expected);

  switch (operation)
    {
    case GANDER_PLAN_OPERATION_UP:
      results = gander_migrator_up (m, NULL, &error);
      break;
    case GANDER_PLAN_OPERATION_DOWN:
      one = gander_migrator_down (m, NULL, &error);
      results = gander_migrator_get_last_results (m);
      break;
    case GANDER_PLAN_OPERATION_DOWN_TO:
      results = gander_migrator_down_to (m, target, NULL, &error);
      break;
    case GANDER_PLAN_OPERATION_REDO:
      results = gander_migrator_redo (m, NULL, &error);
      break;
    case GANDER_PLAN_OPERATION_UP_TO:
      results = gander_migrator_up_to (m, target, NULL, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  ran = results_text (results);
  g_assert_cmpstr (ran, ==, planned);
}

static void
test_plan_matches_run (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  GanderPlanStep *step;
  const char * const *statements;
  const gint64 *missing;
  gsize n_missing = 0;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  /* a plan on a fresh database reads and creates nothing */
  plan = gander_migrator_plan (m, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (table_exists (f, "goose_db_version"));
  g_assert_false (table_exists (f, "goose_db_version_gander"));
  g_assert_cmpint (gander_plan_get_current_version (plan), ==, 0);
  g_assert_cmpuint (gander_plan_get_n_steps (plan), ==, 4);
  step = gander_plan_get_step (plan, 0);
  g_assert_cmpstr (gander_plan_step_get_name (step), ==, "00001_users.sql");
  g_assert_true (gander_plan_step_get_use_transaction (step));
  statements = gander_plan_step_get_statements (step);
  g_assert_cmpuint (g_strv_length ((char **) statements), ==, 2);
  g_assert_cmpuint (gander_plan_step_get_n_statements (step), ==, 2);
  g_assert_true (g_str_has_prefix (statements[0], "CREATE TABLE users"));
  g_assert_cmpuint (gander_plan_step_get_statement_line (step, 0), ==, 2);
  g_assert_true (g_str_has_prefix (statements[1], "INSERT INTO users"));
  g_assert_cmpuint (gander_plan_step_get_statement_line (step, 1), ==, 3);
  g_assert_cmpuint (gander_plan_step_get_n_statements (gander_plan_get_step (plan, 2)), ==, 0);
  g_clear_object (&plan);

  /* nothing to roll back: the plan says why, and changes nothing */
  plan = gander_migrator_plan (m, GANDER_PLAN_OPERATION_DOWN, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gander_plan_get_can_run (plan));
  g_assert_cmpint (gander_plan_get_error_code (plan), ==, GANDER_ERROR_NO_NEXT_VERSION);
  g_assert_nonnull (gander_plan_get_reason (plan));
  g_assert_false (table_exists (f, "goose_db_version"));
  g_clear_object (&plan);

  assert_plan_then_run (m, GANDER_PLAN_OPERATION_UP_TO, 2, "1 up;2 up");
  assert_plan_then_run (m, GANDER_PLAN_OPERATION_UP, 0, "3 up;5 up");
  assert_plan_then_run (m, GANDER_PLAN_OPERATION_REDO, 0, "5 down;5 up");
  assert_plan_then_run (m, GANDER_PLAN_OPERATION_DOWN_TO, 1, "5 down;3 down;2 down");
  assert_plan_then_run (m, GANDER_PLAN_OPERATION_DOWN, 0, "1 down");
  assert_plan_then_run (m, GANDER_PLAN_OPERATION_UP, 0, "1 up;2 up;3 up;5 up");

  /* an out-of-order file: listed as missing, refused without allow-missing */
  write_migration (f, "00004_late.sql",
                   "-- +goose Up\nCREATE TABLE late (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE late;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  plan = gander_migrator_plan (m, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gander_plan_get_can_run (plan));
  g_assert_cmpint (gander_plan_get_error_code (plan), ==, GANDER_ERROR_MISSING_MIGRATIONS);
  missing = gander_plan_get_missing (plan, &n_missing);
  g_assert_cmpuint (n_missing, ==, 1);
  g_assert_cmpint (missing[0], ==, 4);
  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS);
  g_assert_cmpstr (error->message, ==, gander_plan_get_reason (plan));
  g_clear_error (&error);
  g_clear_object (&plan);

  gander_migrator_set_allow_missing (m, TRUE);
  assert_plan_then_run (m, GANDER_PLAN_OPERATION_UP, 0, "4 up");
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "4 5 3 2 1 0");
}

/* goose treats an up-to/down-to version no file carries as a bound; Gander
 * does the same, warning with the nearest versions, and keeps the strict
 * refusal as an option (per run or on the migrator). */
static void
test_unknown_target_is_bound (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderRunOptions) strict = gander_run_options_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);   /* versions 1, 2, 3, 5 */
  m = new_migrator (f);
  g_signal_connect (m, "warning", G_CALLBACK (collect_warning), warnings);

  gander_run_options_set_strict_targets (strict, TRUE);
  g_assert_null (gander_migrator_run (m, GANDER_PLAN_OPERATION_UP_TO, 4, strict, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (table_exists (f, "goose_db_version"));

  plan = gander_migrator_plan (m, GANDER_PLAN_OPERATION_UP_TO, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gander_plan_get_can_run (plan));
  g_assert_cmpuint (gander_plan_get_n_steps (plan), ==, 3);
  g_assert_nonnull (strstr (gander_plan_get_warnings (plan)[0], "3 below, 5 above"));

  results = gander_migrator_up_to (m, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_nonnull (strstr (warnings->str, "no migration has version 4"));
  g_assert_nonnull (strstr (warnings->str, "3 below, 5 above"));
  g_clear_pointer (&results, g_ptr_array_unref);

  results = gander_migrator_up_to (m, 99, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_nonnull (strstr (warnings->str, "5 below, none above"));
  g_clear_pointer (&results, g_ptr_array_unref);

  g_string_truncate (warnings, 0);
  results = gander_migrator_down_to (m, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[0]), ==, 5);
  g_assert_nonnull (strstr (warnings->str, "rolling back every migration above it"));
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "3 2 1 0");

  gander_migrator_set_strict_targets (m, TRUE);
  g_assert_null (gander_migrator_down_to (m, 1000, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
}

/* The side table records who applied a migration: the run's applied-by,
 * or the current user@host by default. */
static void
test_run_options_applied_by (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderRunOptions) options = gander_run_options_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GArray) side = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);

  gander_run_options_set_applied_by (options, "deploy-bot@ci");
  gander_run_options_set_reason (options, "ticket 42");
  g_assert_cmpstr (gander_run_options_get_reason (options), ==, "ticket 42");
  results = gander_migrator_run (m, GANDER_PLAN_OPERATION_UP_TO, 2, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_migrator_run (m, GANDER_PLAN_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);

  side = gander_database_list_side_rows (f->probe, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (side->len, ==, 4);
  for (guint i = 0; i < side->len; i++)
    {
      GanderSideRow *row = &g_array_index (side, GanderSideRow, i);

      if (row->version_id <= 2)
        g_assert_cmpstr (row->applied_by, ==, "deploy-bot@ci");
      else
        g_assert_cmpstr (row->applied_by, ==, gander_database_applied_by ());
    }
}

static void
test_cancelled_before_start (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  g_cancellable_cancel (cancellable);

  g_assert_null (gander_migrator_up (m, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  rows = version_rows (f);
  g_assert_true (g_str_equal (rows, "0") || g_str_equal (rows, ""));
  g_assert_false (table_exists (f, "users"));
}

static void
cancel_on_finished (GanderMigrator        *m,
                    GanderMigrationResult *result,
                    GCancellable          *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
cancel_on_sleep (GanderMigrator  *m,
                 GanderMigration *migration,
                 guint            line,
                 const char      *sql,
                 GCancellable    *cancellable)
{
  if (strstr (sql, "long statement") != NULL)
    g_cancellable_cancel (cancellable);
}

/* Cancellation says G_IO_ERROR_CANCELLED wherever it lands: between two
 * migrations (the migrator notices) and inside a statement (the backend
 * does); the result of the interrupted migration says so too. */
static void
test_cancelled_error_code (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GCancellable) between = g_cancellable_new ();
  g_autoptr(GCancellable) inside = g_cancellable_new ();
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  const char *long_sql;
  gulong id;

  SKIP_IF_NO_ENGINE (f);
  long_sql = g_str_equal (f->engine, "postgres")
    ? "SELECT pg_sleep(120) /* long statement */;\n"
    : "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000) "
      "SELECT count(*) /* long statement */ FROM c;\n";
  write_basic_set (f);
  m = new_migrator (f);

  id = g_signal_connect (m, "migration-finished", G_CALLBACK (cancel_on_finished), between);
  g_assert_null (gander_migrator_up (m, between, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "1 of 4 migrations ran"));
  g_clear_error (&error);
  g_signal_handler_disconnect (m, id);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");

  {
    g_autofree char *text = g_strconcat ("-- +goose Up\n", long_sql,
                                         "-- +goose Down\nSELECT 1;\n", NULL);
    write_migration (f, "00006_long.sql", text);
  }
  g_clear_object (&m);
  m = new_migrator (f);
  id = g_signal_connect (m, "executing-statement", G_CALLBACK (cancel_on_sleep), inside);
  g_assert_null (gander_migrator_up (m, inside, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_signal_handler_disconnect (m, id);
  last = gander_migrator_get_last_results (m);
  g_assert_cmpuint (last->len, ==, 4);
  g_assert_cmpint (gander_migration_result_get_version (g_ptr_array_index (last, 3)), ==, 6);
  g_assert_error ((GError *) gander_migration_result_get_error (g_ptr_array_index (last, 3)),
                  G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_pointer (&rows, g_free);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "5 3 2 1 0");
}

static void
test_goose_table_interop (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 version;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);

  /* goose created the table and applied 1 and 2 (one of them with an old
   * is_applied=false row that goose ≤ 3.4 wrote): gander takes over. */
  gander_test_exec (f->engine, f->dsn, gander_test_goose_ddl (f->engine));
  gander_test_exec (f->engine, f->dsn,
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);"
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, true);"
                    "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);"
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, false);");

  m = new_migrator (f);
  version = gander_migrator_get_db_version (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 2);

  status = gander_migrator_status (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_status_get_state (status->pdata[0]), ==, GANDER_MIGRATION_STATE_APPLIED);
  /* goose wrote no checksum: nothing to compare, so not "modified" */
  g_assert_null (gander_migration_status_get_recorded_checksum (status->pdata[0]));
  g_assert_false (gander_migration_status_get_modified (status->pdata[0]));

  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  {
    g_autofree char *rows = version_rows (f);
    g_assert_cmpstr (rows, ==, "5 3 2 1 0");
  }
}

/* The current version and has-pending need goose's table only: they work
 * even when Gander's side table cannot be read (status, which shows the
 * checksums, cannot), and do not pay for reading it. */
static void
test_version_reads_goose_table_only (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pending = FALSE;
  gint64 version = 0;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  results = gander_migrator_up_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  gander_test_exec (f->engine, f->dsn,
                    "DROP TABLE goose_db_version_gander;"
                    "CREATE TABLE goose_db_version_gander (unrelated INTEGER);");

  version = gander_migrator_get_db_version (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 2);
  pending = gander_migrator_has_pending (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pending);

  status = gander_migrator_status (m, NULL, &error);
  g_assert_null (status);
  g_assert_nonnull (error);
}

/* Issue 7 item 16: applied-at is a UTC GDateTime, read from the
 * database's own text (compared as seconds since the epoch, which both
 * engines compute from the stored tstamp), and durations carry their unit. */
static void
test_applied_at_and_duration_us (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started_us, elapsed_us, sum_us = 0;
  const char *epoch_sql;

  SKIP_IF_NO_ENGINE (f);
  write_basic_set (f);
  m = new_migrator (f);
  started_us = g_get_monotonic_time ();
  results = gander_migrator_up_to (m, 2, NULL, &error);
  elapsed_us = g_get_monotonic_time () - started_us;
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  for (guint i = 0; i < results->len; i++)
    {
      gint64 us = -1;

      g_object_get (results->pdata[i], "duration-us", &us, NULL);
      g_assert_cmpint (us, ==, gander_migration_result_get_duration_us (results->pdata[i]));
      g_assert_cmpint (us, >, 0);
      sum_us += us;
    }
  g_assert_cmpint (sum_us, <=, elapsed_us);

  /* a row with a fraction, as another writer may leave it */
  gander_test_exec (f->engine, f->dsn,
                    "UPDATE goose_db_version SET tstamp = '2026-01-02 03:04:05.678' "
                    "WHERE version_id = 2");
  epoch_sql = g_str_equal (f->engine, "postgres")
    ? "SELECT floor(extract(epoch FROM tstamp))::bigint FROM goose_db_version WHERE version_id = 1"
    : "SELECT strftime('%s', tstamp) FROM goose_db_version WHERE version_id = 1";

  status = gander_migrator_status (m, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < status->len; i++)
    {
      GanderMigrationStatus *s = status->pdata[i];
      GDateTime *at = gander_migration_status_get_applied_at (s);
      g_autoptr(GDateTime) from_property = NULL;

      g_object_get (s, "applied-at", &from_property, NULL);
      g_assert_true (at == from_property);
      if (i >= 2)
        {
          g_assert_null (at);
          continue;
        }
      g_assert_nonnull (at);
      g_assert_cmpint (g_date_time_get_utc_offset (at), ==, 0);
    }
  g_assert_cmpint (g_date_time_to_unix (gander_migration_status_get_applied_at (status->pdata[0])),
                   ==, count_rows (f, epoch_sql));
  {
    GDateTime *at = gander_migration_status_get_applied_at (status->pdata[1]);
    int y, mo, d;

    g_date_time_get_ymd (at, &y, &mo, &d);
    g_assert_cmpint (y * 10000 + mo * 100 + d, ==, 20260102);
    g_assert_cmpint (g_date_time_get_hour (at) * 10000 + g_date_time_get_minute (at) * 100 +
                     g_date_time_get_second (at), ==, 30405);
  }
}

/* Issue 7 item 16: current-version and pending-count are right before any
 * operation has run: refresh() reads them (no lock, nothing created), and
 * so does every read-only operation; a run leaves the count at rest. */
typedef struct
{
  guint n_version;
  guint n_pending;
} Notified;

static void
on_summary_notify (GObject    *object,
                   GParamSpec *pspec,
                   Notified   *n)
{
  if (g_str_equal (pspec->name, "current-version"))
    n->n_version++;
  else
    n->n_pending++;
}

static GanderMigrator *
watched_migrator (Fixture  *f,
                  Notified *n)
{
  GanderMigrator *m = new_migrator (f);

  memset (n, 0, sizeof *n);
  g_signal_connect (m, "notify::current-version", G_CALLBACK (on_summary_notify), n);
  g_signal_connect (m, "notify::pending-count", G_CALLBACK (on_summary_notify), n);
  return m;
}

static void
assert_summary (GanderMigrator *m,
                gint64          version,
                guint           pending)
{
  g_assert_cmpint (gander_migrator_get_current_version (m), ==, version);
  g_assert_cmpuint (gander_migrator_get_pending_count (m), ==, pending);
}

static void
test_refresh (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GanderMigrationResult) r = NULL;
  g_autoptr(GError) error = NULL;
  Notified n;

  SKIP_IF_NO_ENGINE (f);
  for (guint v = 1; v <= 3; v++)
    {
      g_autofree char *name = g_strdup_printf ("%05u_t%u.sql", v, v);
      g_autofree char *text = g_strdup_printf ("-- +goose Up\nCREATE TABLE t%u (id INTEGER);\n"
                                               "-- +goose Down\nDROP TABLE t%u;\n", v, v);

      write_migration (f, name, text);
    }

  /* a new database: nothing is created, every file is pending */
  m = watched_migrator (f, &n);
  g_assert_true (gander_migrator_refresh (m, NULL, &error));
  g_assert_no_error (error);
  assert_summary (m, 0, 3);
  g_assert_cmpuint (n.n_version, ==, 0);
  g_assert_cmpuint (n.n_pending, ==, 1);
  g_assert_false (table_exists (f, "goose_db_version"));
  g_assert_false (table_exists (f, "goose_db_version_gander"));
  g_clear_object (&m);

  /* 2 of 3 applied, a new migrator: right after refresh() */
  m = new_migrator (f);
  results = gander_migrator_up_to (m, 2, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&m);
  m = watched_migrator (f, &n);
  assert_summary (m, 0, 0);
  /* another connection holds the run lock: refresh() does not wait */
  g_assert_true (gander_database_lock (f->probe, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_migrator_refresh (m, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_unlock (f->probe, &error));
  assert_summary (m, 2, 1);
  g_assert_cmpuint (n.n_version, ==, 1);
  g_assert_cmpuint (n.n_pending, ==, 1);
  /* unchanged: no new notification */
  g_assert_true (gander_migrator_refresh (m, NULL, &error));
  g_assert_cmpuint (n.n_version + n.n_pending, ==, 2);
  g_clear_object (&m);

  /* the first read-only operation does the same */
  m = watched_migrator (f, &n);
  g_assert_cmpint (gander_migrator_get_db_version (m, NULL, &error), ==, 2);
  assert_summary (m, 2, 1);
  g_clear_object (&m);
  m = watched_migrator (f, &n);
  g_assert_true (gander_migrator_has_pending (m, NULL, &error));
  assert_summary (m, 2, 1);
  g_clear_object (&m);
  m = watched_migrator (f, &n);
  status = gander_migrator_status (m, NULL, &error);
  g_assert_no_error (error);
  assert_summary (m, 2, 1);
  g_clear_object (&m);
  m = watched_migrator (f, &n);
  plan = gander_migrator_plan (m, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  assert_summary (m, 2, 1);

  /* a run that cannot start (the run lock is held) leaves them alone */
  g_assert_true (gander_database_lock (f->probe, NULL, &error));
  gander_database_set_lock_wait_timeout (f->db, 100);
  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (gander_database_unlock (f->probe, &error));
  assert_summary (m, 2, 1);

  /* a run leaves the count at rest, not 0: after down, 2 are pending */
  r = gander_migrator_down (m, NULL, &error);
  g_assert_no_error (error);
  assert_summary (m, 1, 2);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  assert_summary (m, 3, 0);
}

static void
add_tests (const char *engine)
{
  struct { const char *name; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "up-all", test_up_all },
    { "up-by-one-and-down", test_up_by_one_and_down },
    { "up-to-down-to", test_up_to_down_to },
    { "redo-reset", test_redo_reset },
    { "allow-missing", test_allow_missing },
    { "failure-rolls-back", test_failure_rolls_back },
    { "error-line-in-block", test_error_line_in_block },
    { "version-row-failure", test_version_row_failure },
    { "parse-error-stops-before-running", test_parse_error_stops_before_running },
    { "other-direction-only-warns", test_other_direction_only_warns },
    { "no-transaction-interrupted-is-dirty", test_no_transaction_interrupted_is_dirty },
    { "status-and-checksum", test_status_and_checksum },
    { "no-versioning", test_no_versioning },
    { "signals", test_signals },
    { "reentrant-handler", test_reentrant_handler },
    { "plan-matches-run", test_plan_matches_run },
    { "unknown-target-is-bound", test_unknown_target_is_bound },
    { "run-options-applied-by", test_run_options_applied_by },
    { "cancelled-before-start", test_cancelled_before_start },
    { "cancelled-error-code", test_cancelled_error_code },
    { "goose-table-interop", test_goose_table_interop },
    { "version-reads-goose-table-only", test_version_reads_goose_table_only },
    { "applied-at-and-duration-us", test_applied_at_and_duration_us },
    { "refresh", test_refresh },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/migrator/%s/%s", engine, tests[i].name);
      g_test_add (path, Fixture, engine, fixture_setup, tests[i].func, fixture_teardown);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  add_tests ("sqlite3");
  if (gander_test_engine_wanted ("postgres"))
    add_tests ("postgres");

  return gander_test_run ();
}
