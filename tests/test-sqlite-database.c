/* test-sqlite-database.c: GanderSqliteDatabase against real SQLite files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "gander.h"
#include "gander-database-private.h"

/* goose's sqlite3 dialect (internal/dialects/sqlite3.go), as SQLite keeps
 * it in sqlite_master. */
#define GOOSE_DDL \
  "CREATE TABLE goose_db_version (\n" \
  "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n" \
  "\t\tversion_id INTEGER NOT NULL,\n" \
  "\t\tis_applied INTEGER NOT NULL,\n" \
  "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n" \
  "\t)"

#define LONG_QUERY \
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c " \
  "WHERE x < 1000000000) SELECT count(*) FROM c"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
      g_chmod (path, 0700);
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gander-sqlite-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static GanderDatabase *
open_db (const char *dsn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderDatabase) db = gander_sqlite_database_new (dsn);
  gboolean ok;

  ok = gander_database_open (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return g_steal_pointer (&db);
}

static void
exec_ok (GanderDatabase *db,
         const char     *sql)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = gander_database_exec (db, sql, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
ensure_ok (GanderDatabase *db)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = gander_database_ensure_version_table (db, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* The first column of the first row, read through a connection of its
 * own, or NULL. */
static char *
raw_query (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static void
assert_raw (const char *path,
            const char *sql,
            const char *expected)
{
  g_autofree char *value = raw_query (path, sql);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_tstamp (const char *text)
{
  g_assert_nonnull (text);
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
                                       text, 0, 0));
}

static void
test_basics (void)
{
  g_autoptr(GanderDatabase) db = gander_sqlite_database_new (":memory:");
  g_autoptr(GError) error = NULL;
  guint timeout = 0;

  g_assert_cmpstr (gander_database_get_dialect (db), ==, "sqlite3");
  g_assert_cmpuint (gander_sqlite_database_get_busy_timeout (GANDER_SQLITE_DATABASE (db)), ==, 5000);
  g_object_set (db, "busy-timeout", 250, NULL);
  g_object_get (db, "busy-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 250);

  /* not open yet */
  g_assert_false (gander_database_exec (db, "SELECT 1", NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION);
  g_clear_error (&error);

  g_assert_true (gander_database_open (db, NULL, &error));
  g_assert_no_error (error);
  /* open twice is fine, and so is closing twice */
  g_assert_true (gander_database_open (db, NULL, &error));
  gander_database_close (db);
  gander_database_close (db);
  g_assert_false (gander_database_is_open (db));
}

static void
test_ddl (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exists = TRUE;
  GanderVersionRow *row;

  exists = gander_database_version_table_exists (db, &error);
  g_assert_no_error (error);
  g_assert_false (exists);

  ensure_ok (db);
  exists = gander_database_version_table_exists (db, &error);
  g_assert_true (exists);

  assert_raw (f->path, "SELECT sql FROM sqlite_master WHERE name = 'goose_db_version'", GOOSE_DDL);
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'", "1");
  /* the version 0 row, is_applied stored as the integer 1 */
  assert_raw (f->path, "SELECT group_concat(version_id || ':' || is_applied || ':' || typeof(is_applied)) "
              "FROM goose_db_version", "0:1:integer");
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'goose_db_version_gander'", "1");

  /* a second time changes nothing */
  ensure_ok (db);
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version", "1");

  rows = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = &g_array_index (rows, GanderVersionRow, 0);
  g_assert_cmpint (row->version_id, ==, 0);
  g_assert_true (row->is_applied);
  assert_tstamp (row->tstamp);

  /* a new connection sees the same */
  gander_database_close (db);
  g_clear_object (&db);
  db = open_db (f->path);
  ensure_ok (db);
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version", "1");
}

static void
test_versions (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 inserted[] = { 3, 1, 20260101120000, 2 };
  const gint64 expected[] = { 2, 20260101120000, 3, 0 };

  ensure_ok (db);
  for (guint i = 0; i < G_N_ELEMENTS (inserted); i++)
    {
      g_assert_true (gander_database_insert_version (db, inserted[i], &error));
      g_assert_no_error (error);
    }
  /* goose's DELETE removes every row of a version */
  g_assert_true (gander_database_insert_version (db, 1, &error));
  g_assert_true (gander_database_delete_version (db, 1, &error));
  g_assert_no_error (error);
  /* deleting a version that is not there is no error */
  g_assert_true (gander_database_delete_version (db, 42, &error));
  g_assert_no_error (error);

  rows = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      GanderVersionRow *row = &g_array_index (rows, GanderVersionRow, i);

      g_assert_cmpint (row->version_id, ==, expected[i]);
      g_assert_true (row->is_applied);
      assert_tstamp (row->tstamp);
    }
  assert_raw (f->path, "SELECT group_concat(version_id) FROM "
              "(SELECT version_id FROM goose_db_version ORDER BY id)",
              "0,3,20260101120000,2");
}

static void
test_goose_table (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) side = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exists = FALSE;
  const struct { gint64 version; gboolean applied; } expected[] = {
    { 3, TRUE }, { 2, FALSE }, { 2, TRUE }, { 1, TRUE }, { 0, TRUE },
  };

  /* What goose leaves behind, including an is_applied=0 row of goose
   * before v3.5.0 */
  raw_exec (f->path, GOOSE_DDL);
  raw_exec (f->path,
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1);"
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, 1);"
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, 1);"
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, 0);"
            "INSERT INTO goose_db_version (version_id, is_applied, tstamp) "
            "VALUES (3, 1, '2024-02-29 23:59:59');");

  db = open_db (f->path);
  exists = gander_database_version_table_exists (db, &error);
  g_assert_no_error (error);
  g_assert_true (exists);

  /* no side table yet: empty, no error */
  side = gander_database_list_side_rows (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (side->len, ==, 0);

  rows = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      GanderVersionRow *row = &g_array_index (rows, GanderVersionRow, i);

      g_assert_cmpint (row->version_id, ==, expected[i].version);
      g_assert_cmpint (row->is_applied, ==, expected[i].applied);
      assert_tstamp (row->tstamp);
    }
  g_assert_cmpstr (g_array_index (rows, GanderVersionRow, 0).tstamp, ==, "2024-02-29 23:59:59");

  /* taking over adds the side table and leaves goose's table alone */
  ensure_ok (db);
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version", "5");
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version_gander", "0");
  assert_raw (f->path, "SELECT sql FROM sqlite_master WHERE name = 'goose_db_version'", GOOSE_DDL);
}

static void
test_table_names (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exists = FALSE;
  GanderSideRow side = { .version_id = 5, .filename = "00005_x.sql", .checksum = "ab",
                         .state = GANDER_MIGRATION_STATE_APPLIED };

  /* statements cached for one table must not be used for another */
  ensure_ok (db);
  g_assert_true (gander_database_insert_version (db, 1, &error));

  gander_database_set_table_name (db, "main.other_versions");
  exists = gander_database_version_table_exists (db, &error);
  g_assert_no_error (error);
  g_assert_false (exists);
  ensure_ok (db);
  exists = gander_database_version_table_exists (db, &error);
  g_assert_true (exists);
  g_assert_true (gander_database_insert_version (db, 5, &error));
  g_assert_true (gander_database_write_side_row (db, &side, &error));
  g_assert_no_error (error);

  assert_raw (f->path, "SELECT group_concat(version_id) FROM other_versions", "0,5");
  assert_raw (f->path, "SELECT group_concat(version_id) FROM other_versions_gander", "5");
  assert_raw (f->path, "SELECT group_concat(version_id) FROM goose_db_version", "0,1");

  rows = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);

  /* SQLite's names ignore case, and so does the existence check */
  gander_database_set_table_name (db, "Other_Versions");
  exists = gander_database_version_table_exists (db, &error);
  g_assert_true (exists);

  /* an unknown schema is an error, not a missing table */
  gander_database_set_table_name (db, "nosuchschema.goose_db_version");
  g_assert_false (gander_database_version_table_exists (db, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "nosuchschema"));
}

static void
test_side_rows (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  GanderSideRow r2 = {
    .version_id = 2, .filename = "00002_b.sql", .checksum = "bbbb",
    .state = GANDER_MIGRATION_STATE_RUNNING, .applied_by = "alice@host",
    .duration_us = 0,
  };
  GanderSideRow r1 = {
    .version_id = 1, .filename = "00001_a.sql", .checksum = "aaaa",
    .state = GANDER_MIGRATION_STATE_APPLIED, .applied_by = NULL,
    .duration_us = 1234,
  };
  GanderSideRow *row;

  ensure_ok (db);
  g_assert_true (gander_database_write_side_row (db, &r2, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_write_side_row (db, &r1, &error));
  g_assert_no_error (error);

  rows = gander_database_list_side_rows (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  row = &g_array_index (rows, GanderSideRow, 0);
  g_assert_cmpint (row->version_id, ==, 1);
  g_assert_cmpstr (row->filename, ==, "00001_a.sql");
  g_assert_cmpstr (row->checksum, ==, "aaaa");
  g_assert_cmpint (row->state, ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_nonnull (strchr (row->applied_by, '@'));
  g_assert_cmpint (row->duration_us, ==, 1234);
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}$",
                                       row->applied_at, 0, 0));
  row = &g_array_index (rows, GanderSideRow, 1);
  g_assert_cmpint (row->version_id, ==, 2);
  g_assert_cmpint (row->state, ==, GANDER_MIGRATION_STATE_RUNNING);
  g_assert_cmpstr (row->applied_by, ==, "alice@host");
  g_clear_pointer (&rows, g_array_unref);
  assert_raw (f->path, "SELECT state FROM goose_db_version_gander WHERE version_id = 2", "running");

  /* the running marker becomes applied: replaced, not duplicated */
  r2.state = GANDER_MIGRATION_STATE_APPLIED;
  r2.duration_us = 99;
  g_assert_true (gander_database_write_side_row (db, &r2, &error));
  g_assert_no_error (error);
  assert_raw (f->path, "SELECT state || ':' || duration_us FROM goose_db_version_gander "
              "WHERE version_id = 2", "applied:99");
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version_gander", "2");

  g_assert_true (gander_database_delete_side_row (db, 1, &error));
  g_assert_no_error (error);
  rows = gander_database_list_side_rows (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpint (g_array_index (rows, GanderSideRow, 0).version_id, ==, 2);
  g_clear_pointer (&rows, g_array_unref);

  /* a missing checksum is reported, not stored */
  r1.checksum = NULL;
  g_assert_false (gander_database_write_side_row (db, &r1, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "version 1"));
  g_assert_nonnull (strstr (error->message, "checksum"));
}

/* A state word Gander does not know (a later version's, or a hand edit)
 * reads as running: a human decides, the migration is not run again. */
static void
test_side_rows_unknown_state (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  GanderSideRow r = {
    .version_id = 1, .filename = "00001_a.sql", .checksum = "aaaa",
    .state = GANDER_MIGRATION_STATE_APPLIED,
  };
  const struct { const char *word; GanderMigrationState state; } cases[] = {
    { "rolling-back", GANDER_MIGRATION_STATE_RUNNING },
    { "", GANDER_MIGRATION_STATE_RUNNING },
    { "APPLIED", GANDER_MIGRATION_STATE_RUNNING },
    { "pending", GANDER_MIGRATION_STATE_PENDING },
    { "applied", GANDER_MIGRATION_STATE_APPLIED },
    { "running", GANDER_MIGRATION_STATE_RUNNING },
  };

  ensure_ok (db);
  g_assert_true (gander_database_write_side_row (db, &r, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE goose_db_version_gander SET state = '%s'",
                                              cases[i].word);

      raw_exec (f->path, sql);
      rows = gander_database_list_side_rows (db, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 1);
      g_assert_cmpint (g_array_index (rows, GanderSideRow, 0).state, ==, cases[i].state);
      g_clear_pointer (&rows, g_array_unref);
    }
}

/* What both engines store for a side row: see the twin in
 * test-postgres-database.c, which checks the same values. */
static void
test_side_rows_values (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) before = NULL;
  g_autoptr(GDateTime) after = NULL;
  g_autofree char *before_text = NULL;
  g_autofree char *after_text = NULL;
  GanderSideRow given = {
    .version_id = 1, .filename = "00001_a.sql", .checksum = "",
    .state = GANDER_MIGRATION_STATE_APPLIED, .applied_by = "",
    .applied_at = "2026-01-02 03:04:05.25", .duration_us = 7,
  };
  GanderSideRow zoned = {
    .version_id = 2, .filename = "00002_b.sql", .checksum = "bb",
    .state = GANDER_MIGRATION_STATE_APPLIED, .applied_at = "2026-01-02T05:04:05+02:00",
  };
  GanderSideRow now = {
    .version_id = 3, .filename = "00003_c.sql", .checksum = "cc",
    .state = GANDER_MIGRATION_STATE_APPLIED,
  };
  GanderSideRow bad = {
    .version_id = 4, .filename = "00004_d.sql", .checksum = "dd",
    .state = GANDER_MIGRATION_STATE_APPLIED, .applied_at = "yesterday",
  };
  GanderSideRow *row;

  ensure_ok (db);
  g_assert_true (gander_database_write_side_row (db, &given, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_write_side_row (db, &zoned, &error));
  g_assert_no_error (error);
  before = g_date_time_new_now_utc ();
  g_assert_true (gander_database_write_side_row (db, &now, &error));
  after = g_date_time_new_now_utc ();
  g_assert_no_error (error);
  g_assert_false (gander_database_write_side_row (db, &bad, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "yesterday"));
  g_clear_error (&error);
  bad.applied_at = NULL;
  bad.filename = NULL;
  g_assert_false (gander_database_write_side_row (db, &bad, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  rows = gander_database_list_side_rows (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  row = &g_array_index (rows, GanderSideRow, 0);
  /* empty strings stay empty; the given time is kept, in microseconds */
  g_assert_cmpstr (row->checksum, ==, "");
  g_assert_cmpstr (row->applied_by, ==, "");
  g_assert_cmpstr (row->applied_at, ==, "2026-01-02 03:04:05.250000");
  /* a time with a zone is stored in UTC */
  row = &g_array_index (rows, GanderSideRow, 1);
  g_assert_cmpstr (row->applied_at, ==, "2026-01-02 03:04:05.000000");
  /* no time: now, UTC, microseconds */
  row = &g_array_index (rows, GanderSideRow, 2);
  before_text = g_date_time_format (before, "%Y-%m-%d %H:%M:%S.%f");
  after_text = g_date_time_format (after, "%Y-%m-%d %H:%M:%S.%f");
  g_assert_cmpstr (row->applied_at, >=, before_text);
  g_assert_cmpstr (row->applied_at, <=, after_text);
  g_assert_cmpstr (row->applied_by, ==, gander_database_applied_by ());
}

/* A file name that is not UTF-8 round-trips through the side table (the
 * scheme is PostgreSQL's need; SQLite stores the same). */
static void
test_side_rows_filename_bytes (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "00001_\xff\xfe.sql", "00002_100%.sql", "%00003_odd.sql",
                          "00004_caf\xc3\xa9.sql", "00005_\xc3(%41.sql" };

  ensure_ok (db);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GanderSideRow r = { .version_id = i + 1, .filename = (char *) names[i], .checksum = "x",
                          .state = GANDER_MIGRATION_STATE_APPLIED };

      g_assert_true (gander_database_write_side_row (db, &r, &error));
      g_assert_no_error (error);
    }
  rows = gander_database_list_side_rows (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (g_array_index (rows, GanderSideRow, i).filename, ==, names[i]);
  /* valid names are stored as they are, the others escaped */
  assert_raw (f->path, "SELECT filename FROM goose_db_version_gander WHERE version_id = 1",
              "%00001_%FF%FE.sql");
  assert_raw (f->path, "SELECT filename FROM goose_db_version_gander WHERE version_id = 2",
              "00002_100%.sql");
  assert_raw (f->path, "SELECT filename FROM goose_db_version_gander WHERE version_id = 3",
              "%%2500003_odd.sql");
  assert_raw (f->path, "SELECT filename FROM goose_db_version_gander WHERE version_id = 4",
              "00004_caf\xc3\xa9.sql");
  assert_raw (f->path, "SELECT filename FROM goose_db_version_gander WHERE version_id = 5",
              "%00005_%C3(%2541.sql");
}

/* goose's words for a failed version-table write, the same on both
 * engines. */
static void
test_version_write_errors (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GError) error = NULL;

  ensure_ok (db);
  g_assert_true (gander_database_insert_version (db, 6, &error));
  exec_ok (db, "DROP TABLE goose_db_version");
  g_assert_false (gander_database_insert_version (db, 7, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_true (g_str_has_prefix (error->message, "failed to insert version 7: "));
  g_clear_error (&error);
  g_assert_false (gander_database_delete_version (db, 7, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_true (g_str_has_prefix (error->message, "failed to delete version 7: "));
}

static void
test_exec (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);

  exec_ok (db, "");
  exec_ok (db, "   \n\t ");
  exec_ok (db, "-- only a comment\n");
  exec_ok (db, "/* block */");
  exec_ok (db,
           "CREATE TABLE t (a INTEGER, b TEXT);\n"
           "INSERT INTO t VALUES (1, 'one; not a separator');\n"
           "  -- a comment between\n"
           "INSERT INTO t VALUES (2, 'two')\n"
           ";\n;;  \n"
           "SELECT * FROM t;  -- rows are discarded\n"
           "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
           "  UPDATE t SET b = upper(b) WHERE a = NEW.a;\n"
           "END;\n"
           "INSERT INTO t VALUES (3, 'three');\n"
           "/* trailing */  \n");
  assert_raw (f->path, "SELECT group_concat(a || '=' || b, ',') FROM t",
              "1=one; not a separator,2=two,3=THREE");
}

static void
test_error_syntax (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GError) error = NULL;

  exec_ok (db, "CREATE TABLE t (a INTEGER PRIMARY KEY)");
  /* the first command runs, the second fails, the third never runs */
  g_assert_false (gander_database_exec (db, "INSERT INTO t VALUES (1); SELEC 1; INSERT INTO t VALUES (2);",
                                        NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_cmpstr (error->message, ==,
                   "near \"SELEC\": syntax error (SQLite error SQLITE_ERROR, code 1)");
  g_clear_error (&error);
  assert_raw (f->path, "SELECT group_concat(a) FROM t", "1");

  g_assert_false (gander_database_exec (db, "INSERT INTO t VALUES (1)", NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_cmpstr (error->message, ==,
                   "UNIQUE constraint failed: t.a (SQLite error SQLITE_CONSTRAINT_PRIMARYKEY, code 1555)");
  g_clear_error (&error);

  g_assert_false (gander_database_exec (db, "SELECT * FROM missing", NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "no such table: missing"));
}

static void
test_error_not_a_database (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');

  g_assert_true (g_file_set_contents (f->path, garbage, -1, &error));
  db = gander_sqlite_database_new (f->path);
  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_A_DATABASE);
  g_assert_true (g_str_has_prefix (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "file is not a database"));
  g_assert_nonnull (strstr (error->message, "SQLITE_NOTADB, code 26"));
  g_assert_false (gander_database_is_open (db));
}

static void
assert_read_only (GanderDatabase *db,
                  const char     *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  gboolean exists = FALSE;

  /* reading works, including the side-table check that status needs */
  exists = gander_database_version_table_exists (db, &error);
  g_assert_no_error (error);
  g_assert_true (exists);
  g_assert_true (gander_database_ensure_version_table (db, NULL, &error));
  g_assert_no_error (error);
  rows = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);

  g_assert_false (gander_database_insert_version (db, 1, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "readonly"));
  g_clear_error (&error);

  g_assert_false (gander_database_exec (db, "CREATE TABLE t (a)", NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_error_read_only (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GanderDatabase) setup = open_db (f->path);
  g_autoptr(GanderDatabase) db = NULL;
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", f->path);

  ensure_ok (setup);
  gander_database_close (setup);

  /* works for root too, who ignores file modes */
  db = open_db (uri);
  assert_read_only (db, f->path);
  gander_database_close (db);
  g_clear_object (&db);

  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (f->path, 0444), ==, 0);
      db = open_db (f->path);
      assert_read_only (db, f->path);
    }
}

/* A file we may not open is GANDER_ERROR_PERMISSION_DENIED, with SQLite's
 * code and words. Root opens anything: then a child that gave up root
 * (the fixture's directory is 0700) does the opening. */
static void
test_error_permission_denied (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderDatabase) setup = open_db (f->path);
  pid_t child;
  int status = 0;

  ensure_ok (setup);
  gander_database_close (setup);
  if (geteuid () != 0)
    g_assert_cmpint (g_chmod (f->path, 0), ==, 0);

  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      g_autoptr(GanderDatabase) db = NULL;
      g_autoptr(GError) error = NULL;

      if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        _exit (3);
      db = gander_sqlite_database_new (f->path);
      if (gander_database_open (db, NULL, &error))
        _exit (1);
      if (!g_error_matches (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED) ||
          strstr (error->message, "SQLITE_CANTOPEN") == NULL ||
          strstr (error->message, g_strerror (EACCES)) == NULL ||
          strstr (error->message, f->path) == NULL)
        {
          g_printerr ("unexpected error: %s (%s %d)\n", error->message,
                      g_quark_to_string (error->domain), error->code);
          _exit (2);
        }
      _exit (0);
    }
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) == 3)
    {
      g_test_skip ("cannot give up root here");
      return;
    }
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
test_error_missing_directory (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, "nope", NULL);
  g_autofree char *path = g_build_filename (dir, "test.db", NULL);
  g_autoptr(GanderDatabase) db = gander_sqlite_database_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "directory"));
  g_assert_nonnull (strstr (error->message, "SQLITE_CANTOPEN"));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* a directory is no database either */
  g_clear_object (&db);
  db = gander_sqlite_database_new (f->dir);
  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, f->dir));
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GanderDatabase) a = open_db (f->path);
  g_autoptr(GanderDatabase) b = open_db (f->path);
  g_autoptr(GError) error = NULL;
  gint64 start;

  gander_sqlite_database_set_busy_timeout (GANDER_SQLITE_DATABASE (b), 100);
  g_assert_true (gander_database_begin (a, NULL, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_false (gander_database_begin (b, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_assert_true (g_str_has_prefix (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "SQLITE_BUSY"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 90 * 1000);
  g_clear_error (&error);

  g_assert_true (gander_database_commit (a, &error));
  g_assert_true (gander_database_begin (b, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_commit (b, &error));
  g_assert_no_error (error);
}

/* SQLITE_BUSY after the wait says what holds the file, how long Gander
 * waited and what to do; reading the version table says so. */
static void
test_busy_explained (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderDatabase) a = open_db (f->path);
  g_autoptr(GanderDatabase) b = open_db (f->path);
  g_autoptr(GError) error = NULL;
  g_autofree char *fuser = g_strdup_printf ("fuser %s", f->path);
  const char *waited;

  ensure_ok (a);
  gander_sqlite_database_set_busy_timeout (GANDER_SQLITE_DATABASE (b), 150);
  /* an exclusive lock keeps even readers out of a rollback-journal file */
  g_assert_true (gander_database_exec (a, "BEGIN EXCLUSIVE", NULL, &error));
  g_assert_no_error (error);

  g_assert_false (gander_database_version_table_exists (b, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message,
                                   "failed to read version table \"goose_db_version\": "));
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "database is locked (SQLite error SQLITE_BUSY, code 5)"));
  g_assert_nonnull (strstr (error->message, "another connection or process holds a lock "
                                            "on the database file"));
  waited = strstr (error->message, "Gander waited ");
  g_assert_nonnull (waited);
  g_assert_cmpuint (g_ascii_strtoull (waited + strlen ("Gander waited "), NULL, 10), >=, 150);
  g_assert_nonnull (strstr (waited, " ms for it"));
  g_assert_nonnull (strstr (error->message, fuser));
  g_assert_nonnull (strstr (error->message, "_busy_timeout"));
  g_assert_nonnull (strstr (error->message, "now 150"));
  g_assert_nonnull (strstr (error->message, "-timeout"));
  g_clear_error (&error);

  g_assert_true (gander_database_exec (a, "COMMIT", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_version_table_exists (b, &error));
  g_assert_no_error (error);
}

/* A version table that cannot be created says which, in goose's words. */
static void
test_create_version_table_context (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GanderDatabase) setup = open_db (f->path);
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", f->path);

  /* a database file without the version table */
  g_assert_true (gander_database_exec (setup, "CREATE TABLE t (a)", NULL, &error));
  g_assert_no_error (error);
  gander_database_close (setup);

  db = open_db (uri);
  g_assert_false (gander_database_ensure_version_table (db, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_READ_ONLY);
  g_assert_true (g_str_has_prefix (error->message,
                                   "failed to create version table \"goose_db_version\": "));
  g_assert_nonnull (strstr (error->message, "readonly"));
}

static gint64 max_cancel_latency (void);

typedef struct {
  GanderDatabase *db;
  GCancellable   *cancellable;
  gboolean        use_exec;
  GError         *error;
  gint64          returned_at;
} BusyCall;

static gpointer
busy_call_thread (gpointer data)
{
  BusyCall *call = data;

  if (call->use_exec)
    gander_database_exec (call->db, "INSERT INTO t VALUES (2)", call->cancellable, &call->error);
  else
    gander_database_begin (call->db, call->cancellable, &call->error);
  call->returned_at = g_get_monotonic_time ();
  return NULL;
}

/* While another connection holds the write lock, a cancel ends the wait
 * for it at once, not after the busy timeout (5 s by default). */
static void
test_busy_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderDatabase) a = open_db (f->path);
  g_autoptr(GanderDatabase) b = open_db (f->path);
  g_autoptr(GError) error = NULL;

  exec_ok (a, "CREATE TABLE t (a)");
  g_assert_cmpuint (gander_sqlite_database_get_busy_timeout (GANDER_SQLITE_DATABASE (b)), ==, 5000);
  g_assert_true (gander_database_begin (a, NULL, &error));
  exec_ok (a, "INSERT INTO t VALUES (1)");

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      BusyCall call = { b, cancellable, i == 1, NULL, 0 };
      GThread *thread = g_thread_new ("busy", busy_call_thread, &call);
      gint64 cancelled_at;

      g_usleep (200 * 1000);
      g_assert_cmpint (call.returned_at, ==, 0);   /* still waiting */
      cancelled_at = g_get_monotonic_time ();
      g_cancellable_cancel (cancellable);
      g_thread_join (thread);
      g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_nonnull (strstr (call.error->message, f->path));
      g_test_message ("%s returned %" G_GINT64_FORMAT " us after the cancel: %s",
                      i == 1 ? "exec" : "begin", call.returned_at - cancelled_at,
                      call.error->message);
      g_assert_cmpint (call.returned_at - cancelled_at, <, MIN (1000 * 1000, max_cancel_latency ()));
      g_clear_error (&call.error);
    }

  /* without a cancel the wait still ends at the busy timeout */
  gander_sqlite_database_set_busy_timeout (GANDER_SQLITE_DATABASE (b), 100);
  g_assert_false (gander_database_begin (b, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_clear_error (&error);

  /* and once the lock is released b goes ahead */
  g_assert_true (gander_database_commit (a, &error));
  g_assert_true (gander_database_begin (b, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_rollback (b, &error));
}

static void
test_rollback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GError) error = NULL;
  GanderSideRow side = { .version_id = 1, .filename = "00001_a.sql", .checksum = "aa",
                         .state = GANDER_MIGRATION_STATE_APPLIED };

  ensure_ok (db);

  /* no transaction open: nothing to do */
  g_assert_true (gander_database_rollback (db, &error));
  g_assert_no_error (error);

  g_assert_true (gander_database_begin (db, NULL, &error));
  exec_ok (db, "CREATE TABLE t (a); INSERT INTO t VALUES (1);");
  g_assert_true (gander_database_insert_version (db, 1, &error));
  g_assert_true (gander_database_write_side_row (db, &side, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_rollback (db, &error));
  g_assert_no_error (error);
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 't'", "0");
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version", "1");
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version_gander", "0");

  /* after a failed statement */
  g_assert_true (gander_database_begin (db, NULL, &error));
  exec_ok (db, "CREATE TABLE t (a)");
  g_assert_false (gander_database_exec (db, "CREATE TABLE t (a)", NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  g_assert_true (gander_database_rollback (db, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_rollback (db, &error));
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 't'", "0");

  /* commit keeps it */
  g_assert_true (gander_database_begin (db, NULL, &error));
  exec_ok (db, "CREATE TABLE t (a)");
  g_assert_true (gander_database_insert_version (db, 1, &error));
  g_assert_true (gander_database_commit (db, &error));
  g_assert_no_error (error);
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version", "2");

  /* close rolls back what is open */
  g_assert_true (gander_database_begin (db, NULL, &error));
  g_assert_true (gander_database_insert_version (db, 2, &error));
  gander_database_close (db);
  assert_raw (f->path, "SELECT count(*) FROM goose_db_version", "2");
}

typedef struct {
  GCancellable   *cancellable;
  GanderDatabase *db;
} CancelData;

/* How long a cancelled statement may take to stop. Valgrind schedules
 * threads unfairly: the cancelling thread may wait many seconds for its
 * turn while the query spins. */
static gint64
max_cancel_latency (void)
{
  return (g_getenv ("GANDER_UNDER_VALGRIND") != NULL ? 300 : 10) * G_USEC_PER_SEC;
}

static gpointer
cancel_later (gpointer user_data)
{
  CancelData *data = user_data;

  g_usleep (100 * 1000);
  if (data->cancellable != NULL)
    g_cancellable_cancel (data->cancellable);
  else
    gander_database_interrupt (data->db);
  return NULL;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelData cancel = { cancellable, db };
  GThread *thread;
  gint64 start;

  ensure_ok (db);
  g_assert_true (gander_database_begin (db, NULL, &error));
  exec_ok (db, "CREATE TABLE t (a)");

  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, &cancel);
  g_assert_false (gander_database_exec (db, "INSERT INTO t VALUES (1);" LONG_QUERY,
                                        cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, max_cancel_latency ());
  g_clear_error (&error);

  g_assert_true (gander_database_rollback (db, &error));
  g_assert_no_error (error);
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 't'", "0");

  /* already cancelled: nothing runs */
  g_assert_false (gander_database_exec (db, "CREATE TABLE t (a)", cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 't'", "0");

  /* gander_database_interrupt() from another thread, no cancellable */
  cancel.cancellable = NULL;
  start = g_get_monotonic_time ();
  thread = g_thread_new ("interrupt", cancel_later, &cancel);
  g_assert_false (gander_database_exec (db, LONG_QUERY, NULL, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "SQLITE_INTERRUPT"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, max_cancel_latency ());
  g_clear_error (&error);

  /* the connection stays usable */
  g_cancellable_reset (cancellable);
  exec_ok (db, "CREATE TABLE t (a)");
  g_assert_true (gander_database_exec (db, "INSERT INTO t VALUES (1)", cancellable, &error));
  g_assert_no_error (error);
}

/* A cancelled exec with no error location must not crash (it used to
 * dereference *error), and must not run the statement. */
static void
test_cancelled_null_error (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (gander_database_exec (db, "CREATE TABLE t (a)", cancellable, NULL));
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 't'", "0");

  g_assert_false (gander_database_exec (db, "CREATE TABLE t (a)", cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gander_database_begin (db, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gander_database_lock (db, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static char *
lock_path (Fixture *f)
{
  return g_strconcat (f->path, ".gander-lock", NULL);
}

typedef struct {
  GanderDatabase *db;
  GError         *error;
  gboolean        ok;
  gint64          waited;
} LockData;

static gpointer
lock_in_thread (gpointer user_data)
{
  LockData *data = user_data;
  gint64 start = g_get_monotonic_time ();

  data->ok = gander_database_lock (data->db, NULL, &data->error);
  data->waited = g_get_monotonic_time () - start;
  return NULL;
}

static void
test_lock_threads (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderDatabase) a = open_db (f->path);
  g_autoptr(GanderDatabase) b = open_db (f->path);
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_file = lock_path (f);
  g_autofree char *holder = g_strdup_printf ("pid %d on host %s", (int) getpid (), g_get_host_name ());
  LockData lock = { b, NULL, FALSE, 0 };
  GThread *thread;

  g_assert_true (gander_database_lock (a, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (lock_file, G_FILE_TEST_IS_REGULAR));
  /* locking again nests: the lock stays until the matching unlock */
  g_assert_true (gander_database_lock (a, NULL, &error));
  g_assert_true (gander_database_holds_lock (a));

  /* b gives up after its timeout and says who holds the lock */
  gander_database_set_lock_wait_timeout (b, 200);
  thread = g_thread_new ("lock", lock_in_thread, &lock);
  g_thread_join (thread);
  g_assert_false (lock.ok);
  g_assert_error (lock.error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_assert_nonnull (strstr (lock.error->message, f->path));
  g_assert_nonnull (strstr (lock.error->message, holder));
  g_assert_cmpint (lock.waited, >=, 190 * 1000);
  g_clear_error (&lock.error);

  /* b waits, and gets it once a lets go */
  gander_database_set_lock_wait_timeout (b, 30 * 1000);
  thread = g_thread_new ("lock", lock_in_thread, &lock);
  g_usleep (100 * 1000);
  g_assert_true (gander_database_unlock (a, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_holds_lock (a));
  g_assert_true (g_file_test (lock_file, G_FILE_TEST_IS_REGULAR));
  g_usleep (100 * 1000);
  g_assert_true (gander_database_unlock (a, &error));
  g_assert_no_error (error);
  g_assert_false (gander_database_holds_lock (a));
  g_thread_join (thread);
  g_assert_no_error (lock.error);
  g_assert_true (lock.ok);
  g_assert_cmpint (lock.waited, >=, 150 * 1000);
  g_assert_cmpint (lock.waited, <, 10 * G_USEC_PER_SEC);

  /* now a waits */
  gander_database_set_lock_wait_timeout (a, 50);
  g_assert_false (gander_database_lock (a, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_clear_error (&error);

  /* close releases it, whatever the count, and the lock file goes away */
  g_assert_true (gander_database_lock (b, NULL, &error));
  gander_database_close (b);
  g_assert_false (gander_database_holds_lock (b));
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));
  g_assert_true (gander_database_lock (a, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_unlock (a, &error));
  g_assert_true (gander_database_unlock (a, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));
}

typedef struct {
  GCancellable *cancellable;
  guint         delay_ms;
  gint64        cancelled_at;
} TimedCancel;

static gpointer
cancel_timed (gpointer data)
{
  TimedCancel *tc = data;

  g_usleep (tc->delay_ms * 1000);
  tc->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (tc->cancellable);
  return NULL;
}

/* A cancel ends the wait for the run lock at once: the wait sleeps on the
 * cancellable, not through steps of up to 50 ms. Seven tries, most of
 * which must return within 10 ms: a wait that only looks between its
 * 50 ms sleeps does so one time in five, and a loaded machine may delay
 * the odd return of the right one. */
static void
test_lock_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderDatabase) a = open_db (f->path);
  g_autoptr(GanderDatabase) b = open_db (f->path);
  g_autoptr(GError) error = NULL;
  guint prompt = 0;

  g_assert_true (gander_database_lock (a, NULL, &error));
  gander_database_set_lock_wait_timeout (b, 60 * 1000);
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      TimedCancel tc = { cancellable, 150 + 7 * i, 0 };
      GThread *thread = g_thread_new ("cancel", cancel_timed, &tc);
      gint64 returned_at;

      g_assert_false (gander_database_lock (b, cancellable, &error));
      returned_at = g_get_monotonic_time ();
      g_thread_join (thread);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_nonnull (strstr (error->message, "held by pid"));
      g_clear_error (&error);
      g_test_message ("returned %" G_GINT64_FORMAT " us after the cancel",
                      returned_at - tc.cancelled_at);
      if (returned_at - tc.cancelled_at < 10 * 1000)
        prompt++;
    }
  if (g_getenv ("GANDER_UNDER_VALGRIND") == NULL)
    g_assert_cmpuint (prompt, >=, 5);
}

/* Eight runners start together on a new file whose DSN switches it to
 * WAL: switching the journal mode needs the file to itself and SQLite
 * reports SQLITE_BUSY for it without asking the busy handler. Every
 * runner must wait its turn, none may fail. Processes, not threads: the
 * shared-memory WAL index is per process as in real use. */
static void
test_wal_concurrent_open (Fixture       *f,
                          gconstpointer  data)
{
  enum { N_RUNNERS = 8, N_ROUNDS = 3 };

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      g_autofree char *name = g_strdup_printf ("wal-%u.db", round);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autofree char *dsn = g_strdup_printf ("%s?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)",
                                              path);
      pid_t children[N_RUNNERS];
      int go[2];

      g_assert_cmpint (pipe (go), ==, 0);
      for (guint i = 0; i < N_RUNNERS; i++)
        {
          children[i] = fork ();
          g_assert_cmpint (children[i], >=, 0);
          if (children[i] == 0)
            {
              g_autoptr(GanderDatabase) db = NULL;
              g_autoptr(GError) error = NULL;
              char byte;

              close (go[1]);
              /* all start when the parent closes its end */
              if (read (go[0], &byte, 1) < 0)
                _exit (2);
              db = gander_sqlite_database_new (dsn);
              if (!gander_database_open (db, NULL, &error) ||
                  !gander_database_lock (db, NULL, &error) ||
                  !gander_database_ensure_version_table (db, NULL, &error) ||
                  !gander_database_unlock (db, &error))
                {
                  g_printerr ("runner %u: %s\n", i, error->message);
                  _exit (1);
                }
              _exit (0);
            }
        }
      close (go[0]);
      close (go[1]);
      for (guint i = 0; i < N_RUNNERS; i++)
        {
          int status = 0;

          g_assert_cmpint (waitpid (children[i], &status, 0), ==, children[i]);
          g_assert_true (WIFEXITED (status));
          g_assert_cmpint (WEXITSTATUS (status), ==, 0);
        }
      assert_raw (path, "PRAGMA journal_mode", "wal");
      assert_raw (path, "SELECT count(*) FROM goose_db_version", "1");
    }
}

static gpointer
end_read_later (gpointer data)
{
  sqlite3 *reader = data;

  g_usleep (400 * 1000);
  g_assert_cmpint (sqlite3_exec (reader, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  return NULL;
}

/* Switching to WAL needs the file to itself: while another connection
 * reads (longer than the busy timeout), the open waits for the switch
 * within the lock-wait deadline instead of failing with SQLITE_BUSY. */
static void
test_wal_switch_waits (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = g_strdup_printf ("%s?_pragma=journal_mode(WAL)&_busy_timeout=50", f->path);
  g_autofree char *path2 = NULL;
  g_autofree char *dsn2 = NULL;
  sqlite3 *reader = NULL;
  GThread *thread;
  gint64 start;

  raw_exec (f->path, "CREATE TABLE t (a); INSERT INTO t VALUES (1)");
  g_assert_cmpint (sqlite3_open_v2 (f->path, &reader, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (reader, "BEGIN; SELECT * FROM t", NULL, NULL, NULL), ==, SQLITE_OK);

  start = g_get_monotonic_time ();
  thread = g_thread_new ("reader", end_read_later, reader);
  db = gander_sqlite_database_new (dsn);
  gander_database_open (db, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 350 * 1000);
  assert_raw (f->path, "PRAGMA journal_mode", "wal");
  g_clear_object (&db);

  sqlite3_close (reader);
  reader = NULL;

  /* the wait ends at the lock-wait deadline, with SQLite's words */
  path2 = g_build_filename (f->dir, "other.db", NULL);
  dsn2 = g_strdup_printf ("%s?_pragma=journal_mode(WAL)&_busy_timeout=50", path2);
  raw_exec (path2, "CREATE TABLE t (a)");
  g_assert_cmpint (sqlite3_open_v2 (path2, &reader, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (reader, "BEGIN; SELECT * FROM t", NULL, NULL, NULL), ==, SQLITE_OK);
  db = gander_sqlite_database_new (dsn2);
  gander_database_set_lock_wait_timeout (db, 200);
  start = g_get_monotonic_time ();
  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "journal_mode(WAL)"));
  g_assert_nonnull (strstr (error->message, "SQLITE_BUSY"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  sqlite3_exec (reader, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (reader);
}

static void
test_lock_killed_holder (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_text = NULL;
  int fds[2];
  char answer = 0;
  pid_t child;
  int status = 0;

  g_assert_cmpint (pipe (fds), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      g_autoptr(GanderDatabase) held = gander_sqlite_database_new (f->path);
      char ok = 'y';

      close (fds[0]);
      if (!gander_database_open (held, NULL, NULL) ||
          !gander_database_lock (held, NULL, NULL))
        ok = 'n';
      if (write (fds[1], &ok, 1) != 1 || ok != 'y')
        _exit (1);
      for (;;)
        pause ();
    }

  close (fds[1]);
  g_assert_cmpint (read (fds[0], &answer, 1), ==, 1);
  close (fds[0]);
  g_assert_cmpint (answer, ==, 'y');

  gander_database_set_lock_wait_timeout (db, 50);
  g_assert_false (gander_database_lock (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED);
  pid_text = g_strdup_printf ("pid %d ", (int) child);
  g_assert_nonnull (strstr (error->message, pid_text));
  g_clear_error (&error);

  /* the kernel drops a dead process's lock; its stale file is taken over */
  g_assert_cmpint (kill (child, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFSIGNALED (status));

  gander_database_set_lock_wait_timeout (db, 5000);
  g_assert_true (gander_database_lock (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_database_unlock (db, &error));
}

static void
test_lock_symlink (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = open_db (f->path);
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_file = lock_path (f);
  g_autofree char *target = g_build_filename (f->dir, "victim", NULL);

  /* the lock file is written: never through a planted link */
  g_assert_true (g_file_set_contents (target, "precious", -1, NULL));
  g_assert_cmpint (symlink (target, lock_file), ==, 0);
  g_assert_false (gander_database_lock (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, lock_file));
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "precious");
  }
}

static void
test_lock_unwritable_directory (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_file = lock_path (f);

  if (geteuid () == 0)
    {
      g_test_skip ("root writes into any directory");
      return;
    }

  db = open_db (f->path);
  ensure_ok (db);
  g_assert_cmpint (g_chmod (f->dir, 0500), ==, 0);
  /* no lock file can exist: run without one (SQLite could not write its
   * journal here either) */
  g_assert_true (gander_database_lock (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));
  g_assert_true (gander_database_unlock (db, &error));
  g_assert_cmpint (g_chmod (f->dir, 0700), ==, 0);
}

/* Several runners on one file: lock, read, plan, apply, unlock. Each
 * migration must be applied exactly once. */
typedef struct {
  const char *path;
  GError     *error;
} RunnerData;

static gboolean
runner_apply (GanderDatabase  *db,
              GError         **error)
{
  g_autoptr(GArray) rows = NULL;
  gint64 max = 0;

  if (!gander_database_lock (db, NULL, error))
    return FALSE;
  if (!gander_database_ensure_version_table (db, NULL, error) ||
      (rows = gander_database_list_versions (db, error)) == NULL)
    {
      gander_database_unlock (db, NULL);
      return FALSE;
    }
  for (guint i = 0; i < rows->len; i++)
    max = MAX (max, g_array_index (rows, GanderVersionRow, i).version_id);
  for (gint64 v = max + 1; v <= 5; v++)
    {
      g_autofree char *sql = g_strdup_printf ("CREATE TABLE t%" G_GINT64_FORMAT " (a)", v);

      if (!gander_database_begin (db, NULL, error) ||
          !gander_database_exec (db, sql, NULL, error) ||
          !gander_database_insert_version (db, v, error) ||
          !gander_database_commit (db, error))
        {
          gander_database_rollback (db, NULL);
          gander_database_unlock (db, NULL);
          return FALSE;
        }
    }
  return gander_database_unlock (db, error);
}

static gpointer
runner_thread (gpointer user_data)
{
  RunnerData *data = user_data;
  g_autoptr(GanderDatabase) db = gander_sqlite_database_new (data->path);

  gander_database_set_lock_wait_timeout (db, 30 * 1000);
  if (gander_database_open (db, NULL, &data->error))
    runner_apply (db, &data->error);
  return NULL;
}

static void
test_lock_runners (Fixture       *f,
                   gconstpointer  data)
{
  RunnerData runners[4];
  GThread *threads[G_N_ELEMENTS (runners)];

  for (guint i = 0; i < G_N_ELEMENTS (runners); i++)
    {
      runners[i] = (RunnerData) { f->path, NULL };
      threads[i] = g_thread_new ("runner", runner_thread, &runners[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (runners); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (runners[i].error);
    }
  assert_raw (f->path, "SELECT group_concat(version_id) FROM "
              "(SELECT version_id FROM goose_db_version ORDER BY id)",
              "0,1,2,3,4,5");
}

static void
test_memory (void)
{
  g_autoptr(GanderDatabase) db = open_db (":memory:");
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_database_lock (db, NULL, &error));
  g_assert_no_error (error);
  ensure_ok (db);
  g_assert_true (gander_database_insert_version (db, 7, &error));
  rows = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (g_array_index (rows, GanderVersionRow, 0).version_id, ==, 7);
  g_assert_true (gander_database_unlock (db, &error));
}

static gboolean
query_is (GanderDatabase *db,
          const char     *check)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = gander_database_exec (db, check, NULL, &error);

  if (!ok)
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  return ok;
}

/* The page cache is bounded (peak memory of a CLI run), and a DSN pragma
 * still chooses its own. */
static void
test_cache_size (Fixture       *f,
                 gconstpointer  data)
{
  const char *dsns[] = { "", "?_pragma=cache_size(-4000)" };
  const char *expected[] = { "-512", "-4000" };

  for (guint i = 0; i < G_N_ELEMENTS (dsns); i++)
    {
      g_autofree char *dsn = g_strconcat ("file:", f->path, dsns[i], NULL);
      g_autoptr(GanderDatabase) db = open_db (dsn);

      exec_ok (db, "DROP TABLE IF EXISTS cs; "
                   "CREATE TABLE cs AS SELECT cache_size AS n FROM pragma_cache_size");
      assert_raw (f->path, "SELECT n FROM cs", expected[i]);
    }
}

static void
test_dsn (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  /* fails unless foreign keys are on: a CHECK cannot read a pragma, a
   * foreign key violation can be provoked */
  const char *fk_check =
    "CREATE TABLE IF NOT EXISTS p (id INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS c (p INTEGER REFERENCES p (id));"
    "INSERT INTO c VALUES (42);";

  /* modernc.org/sqlite's _pragma, on a plain name: the query string is
   * not part of the file name */
  dsn = g_strdup_printf ("%s?_pragma=foreign_keys(1)&_pragma=busy_timeout%%3D1234", f->path);
  db = open_db (dsn);
  g_assert_false (query_is (db, fk_check));
  /* the pragma's timeout is kept, under Gander's cancellable busy wait */
  g_assert_cmpuint (gander_sqlite_database_get_busy_timeout (GANDER_SQLITE_DATABASE (db)), ==, 1234);
  g_assert_false (g_file_test (dsn, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_clear_object (&db);
  g_clear_pointer (&dsn, g_free);

  /* without it, foreign keys are off (SQLite's default) */
  db = open_db (f->path);
  g_assert_true (query_is (db, fk_check));
  g_clear_object (&db);

  /* mattn/go-sqlite3's names, on a file: URI */
  dsn = g_strdup_printf ("file:%s?_foreign_keys=on&_busy_timeout=777&cache=private", f->path);
  db = open_db (dsn);
  g_assert_cmpuint (gander_sqlite_database_get_busy_timeout (GANDER_SQLITE_DATABASE (db)), ==, 777);
  g_assert_false (query_is (db, fk_check));
  g_clear_object (&db);
  g_clear_pointer (&dsn, g_free);

  /* one pragma per parameter */
  dsn = g_strdup_printf ("%s?_pragma=foreign_keys(1)%%3B%%20DROP%%20TABLE%%20c", f->path);
  db = gander_sqlite_database_new (dsn);
  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&db);
  g_clear_pointer (&dsn, g_free);
  assert_raw (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'c'", "1");

  dsn = g_strdup_printf ("%s?_pragma=no_such_thing(", f->path);
  db = gander_sqlite_database_new (dsn);
  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "_pragma=no_such_thing("));
  g_clear_error (&error);
  g_clear_object (&db);
  g_clear_pointer (&dsn, g_free);

  dsn = g_strdup_printf ("%s?_busy_timeout=soon", f->path);
  db = gander_sqlite_database_new (dsn);
  g_assert_false (gander_database_open (db, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&db);

  /* the run lock uses the real file name of a URI */
  g_clear_pointer (&dsn, g_free);
  dsn = g_strdup_printf ("file:%s", f->path);
  db = open_db (dsn);
  g_assert_true (gander_database_lock (db, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *lock_file = lock_path (f);
    g_assert_true (g_file_test (lock_file, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_factory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderDatabase) a = gander_database_new_for_driver ("sqlite3", ":memory:", &error);
  g_autoptr(GanderDatabase) b = gander_database_new_for_driver ("sqlite", ":memory:", &error);

  g_assert_no_error (error);
  g_assert_true (GANDER_IS_SQLITE_DATABASE (a));
  g_assert_true (GANDER_IS_SQLITE_DATABASE (b));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) \
  g_test_add ("/sqlite/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/sqlite/basics", test_basics);
  g_test_add_func ("/sqlite/factory", test_factory);
  g_test_add_func ("/sqlite/memory", test_memory);
  ADD ("lock/killed-holder", test_lock_killed_holder);
  ADD ("ddl", test_ddl);
  ADD ("versions", test_versions);
  ADD ("goose-table", test_goose_table);
  ADD ("table-names", test_table_names);
  ADD ("side-rows", test_side_rows);
  ADD ("side-rows/unknown-state", test_side_rows_unknown_state);
  ADD ("side-rows/values", test_side_rows_values);
  ADD ("side-rows/filename-bytes", test_side_rows_filename_bytes);
  ADD ("versions/write-errors", test_version_write_errors);
  ADD ("exec", test_exec);
  ADD ("errors/syntax", test_error_syntax);
  ADD ("errors/not-a-database", test_error_not_a_database);
  ADD ("errors/read-only", test_error_read_only);
  ADD ("errors/permission-denied", test_error_permission_denied);
  ADD ("errors/missing-directory", test_error_missing_directory);
  ADD ("busy", test_busy);
  ADD ("busy/explained", test_busy_explained);
  ADD ("errors/create-version-table", test_create_version_table_context);
  ADD ("busy/cancel", test_busy_cancel);
  ADD ("rollback", test_rollback);
  ADD ("cancel", test_cancel);
  ADD ("cancel/null-error", test_cancelled_null_error);
  ADD ("lock/threads", test_lock_threads);
  ADD ("lock/cancel", test_lock_cancel);
  ADD ("lock/runners", test_lock_runners);
  ADD ("lock/symlink", test_lock_symlink);
  ADD ("lock/unwritable-directory", test_lock_unwritable_directory);
  ADD ("dsn", test_dsn);
  ADD ("cache-size", test_cache_size);
  ADD ("dsn/wal-concurrent-open", test_wal_concurrent_open);
  ADD ("dsn/wal-switch-waits", test_wal_switch_waits);

#undef ADD

  return g_test_run ();
}
