/* test-repair.c: baseline, clear-dirty and accept-checksum on SQLite files
 * and on the temporary PostgreSQL server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>

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
  f->tmpdir = g_dir_make_tmp ("gander-repair-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);

  f->dsn = gander_test_new_dsn (f->engine, f->tmpdir);
  if (f->dsn == NULL)
    return;
  f->db = gander_database_new_for_driver (f->engine, f->dsn, &error);
  g_assert_no_error (error);
  gander_database_set_lock_wait_timeout (f->db, 30000);
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

static GanderRunOptions *
options_by (const char *applied_by)
{
  GanderRunOptions *options = gander_run_options_new ();

  gander_run_options_set_applied_by (options, applied_by);
  return options;
}

/* Rows of goose's version table, newest id first: "3 2 1 0". */
static char *
version_rows (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  GString *s = g_string_new (NULL);

  if (!gander_database_version_table_exists (f->probe, &error))
    {
      g_assert_no_error (error);
      return g_string_free (s, FALSE);
    }
  rows = gander_database_list_versions (f->probe, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      GanderVersionRow *row = &g_array_index (rows, GanderVersionRow, i);
      g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? " " : "", row->version_id);
    }
  return g_string_free (s, FALSE);
}

/* The side row of @version (a copy, cleared by the caller), or FALSE. */
static gboolean
side_row (Fixture       *f,
          gint64         version,
          GanderSideRow *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = gander_database_list_side_rows (f->probe, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      GanderSideRow *row = &g_array_index (rows, GanderSideRow, i);

      if (row->version_id != version)
        continue;
      *out = *row;
      out->filename = g_strdup (row->filename);
      out->checksum = g_strdup (row->checksum);
      out->applied_by = g_strdup (row->applied_by);
      out->applied_at = g_strdup (row->applied_at);
      return TRUE;
    }
  return FALSE;
}

/* Everything the database holds that a repair could change: the SQLite
 * file byte for byte; on PostgreSQL every row of both tables (with
 * goose's tstamp and the side table's microseconds) and the user tables. */
static GBytes *
snapshot (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GString *s;

  if (g_str_equal (f->engine, "sqlite3"))
    {
      char *contents = NULL;
      gsize length = 0;

      g_file_get_contents (f->dsn, &contents, &length, &error);
      g_assert_no_error (error);
      return g_bytes_new_take (contents, length);
    }

  s = g_string_new (NULL);
  if (gander_database_version_table_exists (f->probe, &error))
    {
      g_autoptr(GArray) rows = gander_database_list_versions (f->probe, &error);
      g_autoptr(GArray) side = NULL;

      g_assert_no_error (error);
      for (guint i = 0; i < rows->len; i++)
        {
          GanderVersionRow *row = &g_array_index (rows, GanderVersionRow, i);
          g_string_append_printf (s, "v %" G_GINT64_FORMAT " %d %s\n",
                                  row->version_id, row->is_applied, row->tstamp);
        }
      side = gander_database_list_side_rows (f->probe, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < side->len; i++)
        {
          GanderSideRow *row = &g_array_index (side, GanderSideRow, i);
          g_string_append_printf (s, "s %" G_GINT64_FORMAT " %s %s %d %s %s %" G_GINT64_FORMAT "\n",
                                  row->version_id, row->filename, row->checksum, row->state,
                                  row->applied_by, row->applied_at, row->duration_us);
        }
    }
  g_assert_no_error (error);
  g_string_append_printf (s, "tables %" G_GINT64_FORMAT "\n",
                          gander_test_query_int (f->engine, f->dsn,
                                                 "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"));
  return g_string_free_to_bytes (s);
}

static void
assert_unchanged (Fixture *f,
                  GBytes  *before)
{
  g_autoptr(GBytes) after = snapshot (f);

  g_assert_true (g_bytes_equal (before, after));
}

static GanderMigrationState
state_of (GanderMigrator *m,
          gint64          version,
          gboolean       *modified)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) status = gander_migrator_status (m, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < status->len; i++)
    {
      GanderMigrationStatus *st = g_ptr_array_index (status, i);

      if (gander_migration_status_get_version (st) != version)
        continue;
      if (modified != NULL)
        *modified = gander_migration_status_get_modified (st);
      return gander_migration_status_get_state (st);
    }
  g_assert_not_reached ();
}

static void
write_four (Fixture *f)
{
  write_migration (f, "00001_users.sql",
                   "-- +goose Up\nCREATE TABLE users (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE users;\n");
  write_migration (f, "00002_posts.sql",
                   "-- +goose Up\nCREATE TABLE posts (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE posts;\n");
  write_migration (f, "00003_tags.sql",
                   "-- +goose Up\nCREATE TABLE tags (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE tags;\n");
  write_migration (f, "00004_likes.sql",
                   "-- +goose Up\nCREATE TABLE likes (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE likes;\n");
}

/* Version 1 applied normally, version 2 NO TRANSACTION and failing after
 * its first statement: the marker stays, the version row never came. */
static GanderMigrator *
make_dirty (Fixture *f)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;

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
  g_assert_cmpint (state_of (m, 2, NULL), ==, GANDER_MIGRATION_STATE_RUNNING);
  return g_steal_pointer (&m);
}

/* ------------------------------------------------------------------ */

static void
test_baseline_existing_schema (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderRunOptions) options = options_by ("alice@example");
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  GanderSideRow row = { 0, };

  SKIP_IF_NO_ENGINE (f);
  write_four (f);
  /* the schema of versions 1 and 2, made without goose */
  gander_test_exec (f->engine, f->dsn, "CREATE TABLE users (id INTEGER)");
  gander_test_exec (f->engine, f->dsn, "CREATE TABLE posts (id INTEGER)");
  m = new_migrator (f);

  recorded = gander_migrator_baseline (m, 2, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, ==, 2);
  g_assert_cmpint (gander_migration_get_version (recorded->pdata[0]), ==, 1);
  g_assert_cmpint (gander_migration_get_version (recorded->pdata[1]), ==, 2);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "2 1 0");
  g_assert_cmpint (gander_migrator_get_current_version (m), ==, 2);
  g_assert_cmpuint (gander_migrator_get_pending_count (m), ==, 2);
  g_assert_false (gander_migrator_get_busy (m));

  /* goose's table says so, read directly and as goose reads it */
  g_assert_cmpint (gander_test_query_int (f->engine, f->dsn,
                                          "SELECT count(*) FROM goose_db_version "
                                          "WHERE version_id IN (1, 2) AND is_applied"), ==, 2);
  g_assert_cmpint (gander_migrator_get_db_version (m, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (state_of (m, 1, NULL), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_cmpint (state_of (m, 2, NULL), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_cmpint (state_of (m, 3, NULL), ==, GANDER_MIGRATION_STATE_PENDING);

  g_assert_true (side_row (f, 2, &row));
  g_assert_cmpstr (row.filename, ==, "00002_posts.sql");
  g_assert_cmpstr (row.applied_by, ==, "alice@example");
  g_assert_cmpint (row.state, ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_cmpstr (row.checksum, ==,
                   gander_migration_get_checksum (gander_source_lookup (gander_migrator_get_source (m), 2), NULL));
  gander_side_row_clear (&row);

  /* up runs only the later ones (it would fail on users/posts otherwise) */
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[0]), ==, 3);
  g_assert_cmpint (gander_migration_result_get_version (results->pdata[1]), ==, 4);
  g_assert_true (gander_test_table_exists (f->engine, f->dsn, "likes"));
}

static void
test_baseline_idempotent (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_four (f);
  m = new_migrator (f);
  recorded = gander_migrator_baseline (m, 3, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, ==, 3);
  g_clear_pointer (&recorded, g_ptr_array_unref);

  /* again: nothing missing, nothing written */
  before = snapshot (f);
  recorded = gander_migrator_baseline (m, 3, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, ==, 0);
  assert_unchanged (f, before);
  g_clear_pointer (&recorded, g_ptr_array_unref);

  /* a lower version is already covered */
  recorded = gander_migrator_baseline (m, 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, ==, 0);
  assert_unchanged (f, before);
  g_clear_pointer (&recorded, g_ptr_array_unref);

  /* a higher one adds only what is new */
  recorded = gander_migrator_baseline (m, 4, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, ==, 1);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "4 3 2 1 0");
  g_assert_cmpint (state_of (m, 4, NULL), ==, GANDER_MIGRATION_STATE_APPLIED);
}

static void
test_baseline_refusals (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_users.sql", "-- +goose Up\nCREATE TABLE users (id INTEGER);\n");
  write_migration (f, "00003_tags.sql", "-- +goose Up\nCREATE TABLE tags (id INTEGER);\n");
  write_migration (f, "00005_likes.sql", "-- +goose Up\nCREATE TABLE likes (id INTEGER);\n");
  m = new_migrator (f);

  /* a fresh database stays without tables */
  before = snapshot (f);
  g_assert_null (gander_migrator_baseline (m, 0, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (gander_migrator_baseline (m, -3, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (gander_migrator_baseline (m, 4, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "version 4"));
  g_assert_nonnull (strstr (error->message, "the nearest are 3 and 5"));
  g_clear_error (&error);
  {
    g_autoptr(GanderRunOptions) options = gander_run_options_new ();

    gander_run_options_set_no_versioning (options, TRUE);
    g_assert_null (gander_migrator_baseline (m, 3, options, NULL, &error));
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
    g_clear_error (&error);
  }
  assert_unchanged (f, before);
  g_assert_false (gander_test_table_exists (f->engine, f->dsn, "goose_db_version"));
  g_clear_pointer (&before, g_bytes_unref);

  /* 1 and 5 applied, 3 added later: baseline 3 would record a missing
   * migration without running it */
  write_migration (f, "00003_tags.sql", "-- +goose Up\nSELECT 1;\n");
  {
    g_autofree char *tags = g_build_filename (f->migdir, "00003_tags.sql", NULL);
    g_autofree char *hidden = g_build_filename (f->tmpdir, "00003_tags.sql", NULL);

    g_assert_cmpint (g_rename (tags, hidden), ==, 0);
    g_clear_object (&m);
    m = new_migrator (f);
    results = gander_migrator_up (m, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 2);
    g_assert_cmpint (g_rename (hidden, tags), ==, 0);
    g_clear_object (&m);
    m = new_migrator (f);
  }
  before = snapshot (f);
  g_assert_null (gander_migrator_baseline (m, 3, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS);
  g_assert_nonnull (strstr (error->message, "already at version 5"));
  g_assert_nonnull (strstr (error->message, "00003_tags.sql"));
  g_assert_nonnull (strstr (error->message, "-allow-missing"));
  g_clear_error (&error);
  assert_unchanged (f, before);

  /* allowed: 3 is recorded, 5's rows are left alone */
  {
    g_autoptr(GanderRunOptions) options = options_by ("dba");
    g_autoptr(GPtrArray) recorded = NULL;
    GanderSideRow five_before = { 0, };
    GanderSideRow five_after = { 0, };

    g_assert_true (side_row (f, 5, &five_before));
    gander_run_options_set_allow_missing (options, TRUE);
    recorded = gander_migrator_baseline (m, 3, options, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (recorded->len, ==, 1);
    g_assert_cmpint (gander_migration_get_version (recorded->pdata[0]), ==, 3);
    g_assert_true (side_row (f, 5, &five_after));
    g_assert_cmpstr (five_before.applied_at, ==, five_after.applied_at);
    g_assert_cmpstr (five_before.applied_by, ==, five_after.applied_by);
    g_assert_cmpint (gander_test_query_int (f->engine, f->dsn,
                                            "SELECT count(*) FROM goose_db_version WHERE version_id = 5"), ==, 1);
    gander_side_row_clear (&five_before);
    gander_side_row_clear (&five_after);
    g_assert_false (gander_test_table_exists (f->engine, f->dsn, "tags"));
  }
}

static void
test_baseline_refused_when_dirty (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  before = snapshot (f);
  g_assert_null (gander_migrator_baseline (m, 2, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY);
  g_assert_nonnull (strstr (error->message, "gander repair clear-dirty 2"));
  assert_unchanged (f, before);
}

static void
test_clear_dirty_pending (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  GanderSideRow row = { 0, };

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  g_assert_null (gander_migrator_up (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY);
  g_clear_error (&error);

  /* the human dropped notx_a: the migration is pending again */
  gander_test_exec (f->engine, f->dsn, "DROP TABLE notx_a");
  g_assert_true (gander_migrator_clear_dirty (m, 2, FALSE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (side_row (f, 2, &row));
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");
  g_assert_cmpint (state_of (m, 2, NULL), ==, GANDER_MIGRATION_STATE_PENDING);
  g_assert_cmpuint (gander_migrator_get_pending_count (m), ==, 1);

  /* fixed, it runs again */
  write_migration (f, "00002_notx.sql",
                   "-- +goose NO TRANSACTION\n"
                   "-- +goose Up\nCREATE TABLE notx_a (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE notx_a;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (state_of (m, 2, NULL), ==, GANDER_MIGRATION_STATE_APPLIED);
}

static void
test_clear_dirty_mark_applied (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderRunOptions) options = options_by ("bob@db");
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *marker_checksum = NULL;
  GanderSideRow row = { 0, };
  gboolean modified = TRUE;

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  g_assert_true (side_row (f, 2, &row));
  marker_checksum = g_strdup (row.checksum);
  gander_side_row_clear (&row);

  g_assert_true (gander_migrator_clear_dirty (m, 2, TRUE, options, NULL, &error));
  g_assert_no_error (error);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "2 1 0");
  g_assert_true (side_row (f, 2, &row));
  g_assert_cmpint (row.state, ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_cmpstr (row.applied_by, ==, "bob@db");
  g_assert_cmpstr (row.checksum, ==, marker_checksum);
  g_assert_cmpstr (row.filename, ==, "00002_notx.sql");
  gander_side_row_clear (&row);
  g_assert_cmpint (state_of (m, 2, &modified), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_false (modified);
  g_assert_cmpint (gander_migrator_get_current_version (m), ==, 2);

  /* clean again: up runs (nothing), down works */
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);

  /* nothing left to clear */
  g_assert_false (gander_migrator_clear_dirty (m, 2, TRUE, options, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
}

/* A NO TRANSACTION rollback that failed half-way leaves the marker beside
 * the version row: pending means that row goes too, applied keeps one. */
static void
test_clear_dirty_interrupted_down (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  GanderSideRow row = { 0, };

  SKIP_IF_NO_ENGINE (f);
  write_migration (f, "00001_notx.sql",
                   "-- +goose NO TRANSACTION\n"
                   "-- +goose Up\nCREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE a;\nDROP TABLE nowhere;\nDROP TABLE b;\n");
  m = new_migrator (f);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gander_migrator_down (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  g_assert_true (side_row (f, 1, &row));
  g_assert_cmpint (row.state, ==, GANDER_MIGRATION_STATE_RUNNING);
  gander_side_row_clear (&row);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");
  g_clear_pointer (&rows, g_free);

  /* the human restored table a: applied, with one version row */
  gander_test_exec (f->engine, f->dsn, "CREATE TABLE a (id INTEGER)");
  g_assert_true (gander_migrator_clear_dirty (m, 1, TRUE, NULL, NULL, &error));
  g_assert_no_error (error);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "1 0");
  g_clear_pointer (&rows, g_free);
  g_assert_cmpint (state_of (m, 1, NULL), ==, GANDER_MIGRATION_STATE_APPLIED);

  /* interrupted again; this time the human finished the rollback */
  g_assert_null (gander_migrator_down (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
  g_clear_error (&error);
  gander_test_exec (f->engine, f->dsn, "DROP TABLE b");
  g_assert_true (gander_migrator_clear_dirty (m, 1, FALSE, NULL, NULL, &error));
  g_assert_no_error (error);
  rows = version_rows (f);
  g_assert_cmpstr (rows, ==, "0");
  g_assert_false (side_row (f, 1, &row));
  g_assert_cmpint (state_of (m, 1, NULL), ==, GANDER_MIGRATION_STATE_PENDING);
  g_assert_cmpint (gander_migrator_get_current_version (m), ==, 0);
}

static void
test_clear_dirty_refusals (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  before = snapshot (f);

  /* applied, no marker */
  g_assert_false (gander_migrator_clear_dirty (m, 1, FALSE, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "00001_ok.sql"));
  g_assert_nonnull (strstr (error->message, "no running marker"));
  g_assert_nonnull (strstr (error->message, "applied"));
  g_clear_error (&error);
  g_assert_false (gander_migrator_clear_dirty (m, 1, TRUE, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* unknown */
  g_assert_false (gander_migrator_clear_dirty (m, 99, FALSE, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "99"));
  g_clear_error (&error);
  g_assert_false (gander_migrator_clear_dirty (m, -1, FALSE, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  assert_unchanged (f, before);

  /* pending, no marker (a fresh file) */
  write_migration (f, "00003_more.sql", "-- +goose Up\nSELECT 1;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  g_assert_false (gander_migrator_clear_dirty (m, 3, FALSE, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "pending"));
  g_clear_error (&error);
  assert_unchanged (f, before);
}

static void
test_accept_checksum (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderRunOptions) options = options_by ("carol@ops");
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;
  GanderSideRow row = { 0, };
  gboolean modified = FALSE;
  gint64 duration;

  SKIP_IF_NO_ENGINE (f);
  write_four (f);
  m = new_migrator (f);
  results = gander_migrator_up (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (side_row (f, 2, &row));
  duration = row.duration_us;
  gander_side_row_clear (&row);

  /* an intentional edit of an applied file */
  write_migration (f, "00002_posts.sql",
                   "-- +goose Up\n-- posts, now documented\nCREATE TABLE posts (id INTEGER);\n"
                   "-- +goose Down\nDROP TABLE posts;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  g_assert_cmpint (state_of (m, 2, &modified), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_true (modified);

  g_assert_true (gander_migrator_accept_checksum (m, 2, options, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (m, 2, &modified), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_false (modified);
  g_assert_true (side_row (f, 2, &row));
  g_assert_cmpstr (row.applied_by, ==, "carol@ops");
  g_assert_cmpint (row.state, ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_cmpint (row.duration_us, ==, duration);
  g_assert_cmpstr (row.checksum, ==,
                   gander_migration_get_checksum (gander_source_lookup (gander_migrator_get_source (m), 2), NULL));
  gander_side_row_clear (&row);

  /* already accepted: a success that writes nothing */
  before = snapshot (f);
  g_assert_true (gander_migrator_accept_checksum (m, 2, options, NULL, &error));
  g_assert_no_error (error);
  assert_unchanged (f, before);
  /* the others were never modified */
  g_assert_true (gander_migrator_accept_checksum (m, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_unchanged (f, before);
}

/* goose applied the version (no side table): accepting records a row. */
static void
test_accept_checksum_goose_applied (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;
  GanderSideRow row = { 0, };

  SKIP_IF_NO_ENGINE (f);
  write_four (f);
  gander_test_exec (f->engine, f->dsn, gander_test_goose_ddl (f->engine));
  gander_test_exec (f->engine, f->dsn,
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)");
  gander_test_exec (f->engine, f->dsn,
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, true)");
  g_assert_false (gander_test_table_exists (f->engine, f->dsn, "goose_db_version_gander"));
  m = new_migrator (f);
  g_assert_true (gander_migrator_accept_checksum (m, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (side_row (f, 1, &row));
  g_assert_cmpstr (row.filename, ==, "00001_users.sql");
  g_assert_cmpstr (row.applied_by, ==, gander_database_applied_by ());
  gander_side_row_clear (&row);
}

static void
test_accept_checksum_refusals (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  write_migration (f, "00003_more.sql", "-- +goose Up\nSELECT 1;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  before = snapshot (f);

  /* the marker first */
  g_assert_false (gander_migrator_accept_checksum (m, 2, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY);
  g_assert_nonnull (strstr (error->message, "gander repair clear-dirty 2"));
  g_clear_error (&error);
  /* not applied */
  g_assert_false (gander_migrator_accept_checksum (m, 3, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not applied"));
  g_clear_error (&error);
  /* no file (0 is goose's own row) */
  g_assert_false (gander_migrator_accept_checksum (m, 0, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (gander_migrator_accept_checksum (m, 7, NULL, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "the nearest is 3"));
  g_clear_error (&error);
  assert_unchanged (f, before);

  /* applied, but its file is gone */
  {
    g_autofree char *path = g_build_filename (f->migdir, "00001_ok.sql", NULL);

    g_assert_cmpint (g_unlink (path), ==, 0);
    g_clear_object (&m);
    m = new_migrator (f);
    g_assert_false (gander_migrator_accept_checksum (m, 1, NULL, NULL, &error));
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
    g_clear_error (&error);
    assert_unchanged (f, before);
  }
}

static void
test_cancelled_before_start (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  before = snapshot (f);
  g_cancellable_cancel (cancellable);

  g_assert_null (gander_migrator_baseline (m, 1, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gander_migrator_clear_dirty (m, 2, TRUE, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gander_migrator_accept_checksum (m, 1, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  assert_unchanged (f, before);
  g_assert_false (gander_migrator_get_busy (m));
}

typedef struct
{
  GAsyncResult *result;
  GThread      *thread;
  guint         busy_changes;
  gboolean      busy_elsewhere;
} AsyncWait;

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  AsyncWait *wait = data;

  g_assert_true (g_thread_self () == wait->thread);
  wait->result = g_object_ref (result);
}

static void
on_busy (GObject    *object,
         GParamSpec *pspec,
         gpointer    data)
{
  AsyncWait *wait = data;

  wait->busy_changes++;
  if (g_thread_self () != wait->thread)
    wait->busy_elsewhere = TRUE;
}

static void
wait_for (AsyncWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Held up by another runner's run lock, a cancel ends the wait at once
 * and nothing is written. */
static void
test_cancelled_waiting_for_lock (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recorded = NULL;
  AsyncWait wait = { NULL, g_thread_self (), 0, FALSE };
  gint64 started;

  SKIP_IF_NO_ENGINE (f);
  write_four (f);
  m = new_migrator (f);
  before = snapshot (f);

  gander_database_lock (f->probe, NULL, &error);
  g_assert_no_error (error);
  started = g_get_monotonic_time ();
  gander_migrator_baseline_async (m, 2, NULL, cancellable, got_result, &wait);
  g_timeout_add (300, cancel_later, cancellable);
  wait_for (&wait);
  recorded = gander_migrator_baseline_finish (m, wait.result, &error);
  g_assert_null (recorded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_clear_object (&wait.result);
  gander_database_unlock (f->probe, &error);
  g_assert_no_error (error);
  assert_unchanged (f, before);

  /* and once the lock is free it goes through */
  gander_migrator_baseline_async (m, 2, NULL, NULL, got_result, &wait);
  wait_for (&wait);
  recorded = gander_migrator_baseline_finish (m, wait.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, ==, 2);
  g_clear_object (&wait.result);
}

static void
test_async_twins (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GanderRunOptions) options = options_by ("async@test");
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL, g_thread_self (), 0, FALSE };
  GanderSideRow row = { 0, };
  gboolean modified = TRUE;

  SKIP_IF_NO_ENGINE (f);
  m = make_dirty (f);
  g_signal_connect (m, "notify::busy", G_CALLBACK (on_busy), &wait);

  gander_migrator_clear_dirty_async (m, 2, TRUE, options, NULL, got_result, &wait);
  /* the options were read at the call */
  gander_run_options_set_applied_by (options, "changed@later");
  wait_for (&wait);
  g_assert_true (gander_migrator_clear_dirty_finish (m, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (wait.busy_changes, ==, 2);
  g_assert_false (wait.busy_elsewhere);
  g_assert_false (gander_migrator_get_busy (m));
  g_assert_cmpint (gander_migrator_get_current_version (m), ==, 2);
  g_assert_true (side_row (f, 2, &row));
  g_assert_cmpstr (row.applied_by, ==, "async@test");
  gander_side_row_clear (&row);

  /* a refusal comes through _finish */
  gander_migrator_clear_dirty_async (m, 2, FALSE, NULL, NULL, got_result, &wait);
  wait_for (&wait);
  g_assert_false (gander_migrator_clear_dirty_finish (m, wait.result, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&wait.result);

  write_migration (f, "00001_ok.sql",
                   "-- +goose Up\nCREATE TABLE ok_table (id INTEGER); -- edited\n"
                   "-- +goose Down\nDROP TABLE ok_table;\n");
  write_migration (f, "00003_more.sql", "-- +goose Up\nSELECT 1;\n");
  g_clear_object (&m);
  m = new_migrator (f);
  gander_migrator_accept_checksum_async (m, 1, NULL, NULL, got_result, &wait);
  wait_for (&wait);
  g_assert_true (gander_migrator_accept_checksum_finish (m, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpint (state_of (m, 1, &modified), ==, GANDER_MIGRATION_STATE_APPLIED);
  g_assert_false (modified);

  gander_migrator_baseline_async (m, 3, NULL, NULL, got_result, &wait);
  wait_for (&wait);
  recorded = gander_migrator_baseline_finish (m, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (recorded->len, ==, 1);
  g_assert_cmpint (gander_migration_get_version (recorded->pdata[0]), ==, 3);
  g_assert_cmpuint (gander_migrator_get_pending_count (m), ==, 0);
}

static void
add_tests (const char *engine)
{
  struct { const char *name; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "baseline-existing-schema", test_baseline_existing_schema },
    { "baseline-idempotent", test_baseline_idempotent },
    { "baseline-refusals", test_baseline_refusals },
    { "baseline-refused-when-dirty", test_baseline_refused_when_dirty },
    { "clear-dirty-pending", test_clear_dirty_pending },
    { "clear-dirty-mark-applied", test_clear_dirty_mark_applied },
    { "clear-dirty-interrupted-down", test_clear_dirty_interrupted_down },
    { "clear-dirty-refusals", test_clear_dirty_refusals },
    { "accept-checksum", test_accept_checksum },
    { "accept-checksum-goose-applied", test_accept_checksum_goose_applied },
    { "accept-checksum-refusals", test_accept_checksum_refusals },
    { "cancelled-before-start", test_cancelled_before_start },
    { "cancelled-waiting-for-lock", test_cancelled_waiting_for_lock },
    { "async-twins", test_async_twins },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/repair/%s/%s", engine, tests[i].name);
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
  else
    g_test_message ("PostgreSQL cases not run: %s", gander_test_engine_skip_reason ("postgres"));

  return gander_test_run ();
}
