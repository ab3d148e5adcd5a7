/* test-backup.c: GanderBackup on real SQLite files — a backup restored over
 * a changed database gives back the same schema and rows; a WAL database
 * copied while another connection keeps writing is consistent; truncated
 * and altered archives are caught; lookup by id, prefix and "latest";
 * an archive of another driver is refused; prune keeps exactly what the
 * rules say; modes 0700/0600; cancellation leaves nothing; the async twins
 * notify progress in the caller's context; prune touches only the files
 * Gander names; databases sharing a directory keep to their own backups.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gander.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *dbpath;
  char *backupdir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-backup-XXXXXX", &error);
  g_assert_no_error (error);
  f->dbpath = g_build_filename (f->tmpdir, "app.db", NULL);
  /* two levels that do not exist yet: created with parents */
  f->backupdir = g_build_filename (f->tmpdir, "state", "backups", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->dbpath);
  g_free (f->backupdir);
}

static void
exec_on (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  return gander_test_query_int ("sqlite3", path, sql);
}

/* A goose-managed database at version 3 with @rows rows of @blob bytes. */
static void
make_database (const char *path,
               guint       rows,
               guint       blob)
{
  g_autofree char *sql = NULL;

  exec_on (path, gander_test_goose_ddl ("sqlite3"));
  sql = g_strdup_printf (
    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, 1), (2, 1), (3, 1);"
    "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, payload BLOB);"
    "CREATE INDEX items_name ON items (name);"
    "CREATE VIEW item_names AS SELECT name FROM items;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u) "
    "INSERT INTO items (name, payload) SELECT 'item ' || i, randomblob(%u) FROM n;",
    rows, blob);
  exec_on (path, sql);
}

/* The schema and every table's row count, as one comparable text. */
static char *
dump_database (const char *path)
{
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                     "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                     "ORDER BY type, name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_string_append_printf (out, "%s %s %s %s\n",
                              sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                              sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3));
      if (g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "table"))
        g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_finalize (stmt);
  for (guint i = 0; i < tables->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*), coalesce(sum(length(CAST(%s AS BLOB))), 0) FROM \"%s\"",
                                              "rowid", (char *) g_ptr_array_index (tables, i));
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_string_append_printf (out, "rows %s %lld %lld\n", (char *) g_ptr_array_index (tables, i),
                              sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static GanderBackup *
new_backup (Fixture *f)
{
  g_autoptr(GanderDatabase) db = gander_sqlite_database_new (f->dbpath);
  return gander_backup_new (db, f->backupdir);
}

static GanderBackupInfo *
create_ok (GanderBackup *backup)
{
  g_autoptr(GError) error = NULL;
  GanderBackupInfo *info = gander_backup_create (backup, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

/* Every regular file in @dir, sorted. */
static GPtrArray *
list_dir (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  (void) 0;
  return names;
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* ------------------------------------------------------------------ */

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GanderBackupInfo) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) versions = NULL;
  g_autofree char *before = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *after = NULL;
  g_autofree char *json = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *copy_dump = NULL;
  GanderDatabase *db;
  GStatBuf st;

  make_database (f->dbpath, 200, 100);
  before = dump_database (f->dbpath);

  backup = new_backup (f);
  gander_backup_set_profile_name (backup, "app");
  gander_backup_set_environment (backup, "production");
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_FULL);
  info = create_ok (backup);

  g_assert_cmpstr (gander_backup_info_get_driver (info), ==, "sqlite3");
  g_assert_cmpstr (gander_backup_info_get_profile (info), ==, "app");
  g_assert_cmpstr (gander_backup_info_get_environment (info), ==, "production");
  g_assert_cmpstr (gander_backup_info_get_table (info), ==, "goose_db_version");
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 3);
  g_assert_true (gander_backup_info_get_verified (info));
  g_assert_cmpstr (gander_backup_info_get_verify_method (info), ==, "integrity_check");
  g_assert_true (g_str_has_prefix (gander_backup_info_get_tool_version (info), "SQLite 3."));
  g_assert_cmpstr (gander_backup_info_get_server_version (info), ==, sqlite3_libversion ());
  g_assert_cmpuint (strlen (gander_backup_info_get_sha256 (info)), ==, 64);
  g_assert_cmpint (gander_backup_info_get_duration (info), >, 0);
  g_assert_true (g_regex_match_simple ("^[0-9]{8}T[0-9]{6}\\.[0-9]{6}Z$",
                                       gander_backup_info_get_id (info), 0, 0));
  g_assert_cmpint (g_date_time_get_utc_offset (gander_backup_info_get_created_at (info)), ==, 0);
  g_assert_true (g_str_has_suffix (gander_backup_info_get_path (info), ".sqlite3"));
  g_assert_true (g_path_is_absolute (gander_backup_info_get_path (info)));
  g_assert_cmpint (g_stat (gander_backup_info_get_path (info), &st), ==, 0);
  g_assert_cmpuint ((guint64) st.st_size, ==, gander_backup_info_get_size (info));
  /* the copy is one self-contained file in rollback-journal mode */
  g_assert_cmpint (query_int (gander_backup_info_get_path (info),
                              "SELECT journal_mode = 'delete' FROM pragma_journal_mode"), ==, 1);
  copy_dump = dump_database (gander_backup_info_get_path (info));
  g_assert_cmpstr (copy_dump, ==, before);

  /* the manifest on disk is the object's text, and loads back the same */
  g_assert_true (g_file_get_contents (gander_backup_info_get_manifest_path (info),
                                      &manifest_text, NULL, NULL));
  json = gander_backup_info_to_json (info);
  g_assert_cmpstr (json, ==, manifest_text);
  g_assert_nonnull (strstr (json, "\"duration_seconds\""));
  g_assert_nonnull (strstr (json, "\"gander_version\""));
  loaded = gander_backup_info_load (gander_backup_info_get_manifest_path (info), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_backup_info_get_path (loaded), ==, gander_backup_info_get_path (info));
  g_assert_true (g_date_time_equal (gander_backup_info_get_created_at (loaded),
                                    gander_backup_info_get_created_at (info)));

  /* change everything: rows, a dropped view, a new table, a newer version */
  exec_on (f->dbpath,
           "DELETE FROM items WHERE id % 3 = 0; UPDATE items SET name = 'x';"
           "DROP VIEW item_names; CREATE TABLE extra (a INTEGER); INSERT INTO extra VALUES (1);"
           "INSERT INTO goose_db_version (version_id, is_applied) VALUES (4, 1);");
  changed = dump_database (f->dbpath);
  g_assert_cmpstr (changed, !=, before);

  /* restore into an open connection, as the pipeline holds it: that same
   * connection sees the old contents afterwards */
  db = gander_backup_get_database (backup);
  g_assert_true (gander_database_open (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gander_backup_restore (backup, info, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (gander_backup_get_progress (backup), ==, 1.0);
  versions = gander_database_list_versions (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (versions, GanderVersionRow, 0).version_id, ==, 3);
  gander_database_close (db);

  after = dump_database (f->dbpath);
  g_assert_cmpstr (after, ==, before);
}

/* ------------------------------------------------------------------ */

typedef struct
{
  char          *path;
  gint           stop;
  gint           commits;
} Writer;

/* Keeps committing until told to stop: every transaction adds a row to
 * `log` and bumps `counter`, so a consistent copy has them agree. */
static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (w->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  while (!g_atomic_int_get (&w->stop))
    {
      char *message = NULL;
      int rc = sqlite3_exec (db,
                             "BEGIN IMMEDIATE;"
                             "INSERT INTO log (payload) VALUES (randomblob(2000));"
                             "UPDATE counter SET n = n + 1;"
                             "COMMIT;", NULL, NULL, &message);
      if (rc != SQLITE_OK)
        g_error ("writer: %s", message);
      g_atomic_int_inc (&w->commits);
    }
  sqlite3_close (db);
  return NULL;
}

typedef struct
{
  Writer   *writer;
  gboolean  waited;
  gint      commits_seen;
} WalProbe;

/* Midway through the copy, wait until the writer has committed more: WAL
 * writers are not held up by the backup's snapshot. */
static void
wal_progress_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  WalProbe *probe = data;
  gint64 deadline;
  gint start;

  if (probe->waited || gander_backup_get_progress (GANDER_BACKUP (object)) < 0.3)
    return;
  probe->waited = TRUE;
  start = g_atomic_int_get (&probe->writer->commits);
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get (&probe->writer->commits) < start + 20 &&
         g_get_monotonic_time () < deadline)
    g_usleep (1000);
  probe->commits_seen = g_atomic_int_get (&probe->writer->commits) - start;
}

static void
test_wal_concurrent_writer (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *wal = NULL;
  Writer writer = { 0, };
  WalProbe probe = { 0, };
  const char *copy;

  make_database (f->dbpath, 2000, 2000);
  exec_on (f->dbpath,
           "PRAGMA journal_mode = WAL;"
           "CREATE TABLE log (id INTEGER PRIMARY KEY, payload BLOB);"
           "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);");
  writer.path = f->dbpath;
  thread = g_thread_new ("writer", writer_thread, &writer);
  while (g_atomic_int_get (&writer.commits) < 10)
    g_usleep (1000);

  backup = new_backup (f);
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_FULL);
  probe.writer = &writer;
  g_signal_connect (backup, "notify::progress", G_CALLBACK (wal_progress_cb), &probe);
  info = create_ok (backup);
  g_atomic_int_set (&writer.stop, 1);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_true (probe.waited);
  g_assert_cmpint (probe.commits_seen, >=, 20);
  copy = gander_backup_info_get_path (info);
  g_assert_true (gander_backup_info_get_verified (info));
  /* one consistent snapshot: the counter matches the rows */
  g_assert_cmpint (query_int (copy, "SELECT count(*) FROM log"), ==,
                   query_int (copy, "SELECT n FROM counter"));
  g_assert_cmpint (query_int (copy, "SELECT count(*) FROM items"), ==, 2000);
  g_assert_cmpint (query_int (copy, "SELECT count(*) FROM pragma_integrity_check "
                                    "WHERE integrity_check = 'ok'"), ==, 1);
  g_assert_cmpint (query_int (copy, "SELECT journal_mode = 'delete' FROM pragma_journal_mode"), ==, 1);
  /* nothing but archives and manifests in the directory */
  wal = g_strconcat (copy, "-wal", NULL);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  {
    g_autoptr(GPtrArray) names = list_dir (f->backupdir);
    g_assert_cmpuint (names->len, ==, 2);
  }
}

/* ------------------------------------------------------------------ */

/* Rewrites a manifest with @edit applied to its JSON object. */
static void
edit_manifest (const char *manifest_path,
               void      (*edit) (JsonObject *object, gpointer data),
               gpointer    data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_parser_load_from_file (parser, manifest_path, &error);
  g_assert_no_error (error);
  edit (json_node_get_object (json_parser_get_root (parser)), data);
  json_generator_set_root (generator, json_parser_get_root (parser));
  text = json_generator_to_data (generator, NULL);
  g_file_set_contents (manifest_path, text, -1, &error);
  g_assert_no_error (error);
}

typedef struct
{
  const char *sha256;
  gint64      size;
} Checksum;

static void
set_checksum (JsonObject *object,
              gpointer    data)
{
  const Checksum *sum = data;

  json_object_set_string_member (object, "sha256", sum->sha256);
  json_object_set_int_member (object, "size", sum->size);
}

static char *
sha256_of_file (const char *path,
                gsize      *length)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, *length);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GanderBackupInfo) forged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  Checksum sum;
  gsize length;

  make_database (f->dbpath, 500, 1000);
  backup = new_backup (f);
  info = create_ok (backup);
  g_assert_true (gander_backup_verify (backup, info, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (truncate (gander_backup_info_get_path (info),
                             (off_t) gander_backup_info_get_size (info) / 2), ==, 0);
  /* the checksum catches it */
  g_assert_false (gander_backup_verify (backup, info, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message, "checksum mismatch"));
  g_clear_error (&error);

  /* and so does the SQLite check, with a manifest made to match */
  sha256 = sha256_of_file (gander_backup_info_get_path (info), &length);
  sum.sha256 = sha256;
  sum.size = (gint64) length;
  edit_manifest (gander_backup_info_get_manifest_path (info), set_checksum, &sum);
  forged = gander_backup_info_load (gander_backup_info_get_manifest_path (info), &error);
  g_assert_no_error (error);
  g_assert_false (gander_backup_verify (backup, forged, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message, gander_backup_info_get_path (info)));
  g_test_message ("truncated: %s", error->message);
  g_clear_error (&error);

  /* with verification off, only the checksum is compared */
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_OFF);
  g_assert_true (gander_backup_verify (backup, forged, NULL, &error));
  g_assert_no_error (error);
}

static void
test_checksum_mismatch_restore (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  int fd;

  make_database (f->dbpath, 50, 100);
  backup = new_backup (f);
  info = create_ok (backup);
  exec_on (f->dbpath, "DELETE FROM items WHERE id < 10");
  before = dump_database (f->dbpath);

  /* one byte changed in the middle of the archive */
  fd = g_open (gander_backup_info_get_path (info), O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "X", 1, (off_t) gander_backup_info_get_size (info) / 2), ==, 1);
  close (fd);

  g_assert_false (gander_backup_restore (backup, info, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message, "checksum mismatch"));
  g_assert_nonnull (strstr (error->message, gander_backup_info_get_path (info)));
  after = dump_database (f->dbpath);
  g_assert_cmpstr (after, ==, before);
}

/* ------------------------------------------------------------------ */

static void
test_lookup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) a = NULL;
  g_autoptr(GanderBackupInfo) b = NULL;
  g_autoptr(GanderBackupInfo) c = NULL;
  g_autoptr(GanderBackupInfo) found = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;

  make_database (f->dbpath, 10, 10);
  backup = new_backup (f);

  found = gander_backup_lookup (backup, "latest", &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_null (found);
  g_clear_error (&error);

  a = create_ok (backup);
  b = create_ok (backup);
  c = create_ok (backup);
  list = gander_backup_list (backup, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (gander_backup_info_get_id (g_ptr_array_index (list, 0)), ==,
                   gander_backup_info_get_id (c));
  g_assert_cmpstr (gander_backup_info_get_id (g_ptr_array_index (list, 2)), ==,
                   gander_backup_info_get_id (a));

  found = gander_backup_lookup (backup, gander_backup_info_get_id (b), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_backup_info_get_id (found), ==, gander_backup_info_get_id (b));
  g_clear_object (&found);

  found = gander_backup_lookup (backup, "latest", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_backup_info_get_id (found), ==, gander_backup_info_get_id (c));
  g_clear_object (&found);

  /* the id without its final "Z" is a prefix of that one only */
  prefix = g_strndup (gander_backup_info_get_id (a), strlen (gander_backup_info_get_id (a)) - 1);
  found = gander_backup_lookup (backup, prefix, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_backup_info_get_id (found), ==, gander_backup_info_get_id (a));
  g_clear_object (&found);

  /* the century fits all three */
  found = gander_backup_lookup (backup, "20", &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ambiguous"));
  g_assert_nonnull (strstr (error->message, gander_backup_info_get_id (a)));
  g_assert_null (found);
  g_clear_error (&error);

  found = gander_backup_lookup (backup, "19991231T000000.000000Z", &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no backup 19991231T000000.000000Z"));
  g_assert_nonnull (strstr (error->message, gander_backup_get_directory (backup)));
  g_assert_null (found);
}

static void
set_driver_postgres (JsonObject *object,
                     gpointer    data)
{
  json_object_set_string_member (object, "driver", "postgres");
}

static void
test_other_driver (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GanderBackupInfo) edited = NULL;
  g_autoptr(GError) error = NULL;

  make_database (f->dbpath, 10, 10);
  backup = new_backup (f);
  info = create_ok (backup);
  edit_manifest (gander_backup_info_get_manifest_path (info), set_driver_postgres, NULL);

  edited = gander_backup_lookup (backup, "latest", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_backup_info_get_driver (edited), ==, "postgres");
  g_assert_false (gander_backup_restore (backup, edited, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message,
                            "archive of a postgres database cannot be restored into sqlite3"));
}

/* ------------------------------------------------------------------ */

typedef struct
{
  const char *id;
  const char *file;
  const char *created_at;
  gboolean    verified;
} Forgery;

static void
forge (JsonObject *object,
       gpointer    data)
{
  const Forgery *forgery = data;

  json_object_set_string_member (object, "id", forgery->id);
  json_object_set_string_member (object, "file", forgery->file);
  json_object_set_string_member (object, "created_at", forgery->created_at);
  json_object_set_boolean_member (object, "verified", forgery->verified);
}

/* A copy of @info's backup that claims to be @days_ago days old. */
static char *
forge_backup (GanderBackupInfo *info,
              const char       *dir,
              double            days_ago,
              gboolean          verified)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) when = g_date_time_add (now, (GTimeSpan) (-days_ago * G_TIME_SPAN_DAY));
  g_autofree char *id = g_date_time_format (when, "%Y%m%dT%H%M%S.%fZ");
  g_autofree char *created_at = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.%fZ");
  g_autofree char *file = g_strconcat (id, ".sqlite3", NULL);
  g_autofree char *archive = g_build_filename (dir, file, NULL);
  g_autofree char *manifest_name = g_strconcat (id, ".json", NULL);
  g_autofree char *manifest = g_build_filename (dir, manifest_name, NULL);
  g_autofree char *contents = NULL;
  gsize length;
  Forgery forgery = { id, file, created_at, verified };

  g_assert_true (g_file_get_contents (gander_backup_info_get_path (info), &contents, &length, NULL));
  g_assert_true (g_file_set_contents (archive, contents, (gssize) length, NULL));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (gander_backup_info_get_manifest_path (info), &contents, &length, NULL));
  g_assert_true (g_file_set_contents (manifest, contents, (gssize) length, NULL));
  edit_manifest (manifest, forge, &forgery);
  return g_steal_pointer (&id);
}

static GStrv
ids_of (GPtrArray *infos)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < infos->len; i++)
    g_strv_builder_add (builder, gander_backup_info_get_id (g_ptr_array_index (infos, i)));
  return g_strv_builder_end (builder);
}

static void
test_prune (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) real = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed_ids = NULL;
  g_auto(GStrv) left_ids = NULL;
  g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL, *d5 = NULL, *d8 = NULL;
  g_autofree char *orphan_old = NULL, *orphan_new = NULL, *tmp_old = NULL;
  struct timeval old_times[2];

  make_database (f->dbpath, 10, 10);
  backup = new_backup (f);
  real = create_ok (backup);
  /* the real one: 0 days old, verified; then older forged ones */
  d1 = forge_backup (real, f->backupdir, 1, TRUE);
  d2 = forge_backup (real, f->backupdir, 2, FALSE);
  d3 = forge_backup (real, f->backupdir, 3, TRUE);
  d5 = forge_backup (real, f->backupdir, 5, FALSE);
  d8 = forge_backup (real, f->backupdir, 8, TRUE);

  /* nothing beyond the rules */
  removed = gander_backup_prune (backup, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);
  g_clear_pointer (&removed, g_ptr_array_unref);

  /* keep 5: the 8-day one goes */
  removed = gander_backup_prune (backup, 5, 0, &error);
  g_assert_no_error (error);
  removed_ids = ids_of (removed);
  g_assert_cmpstrv (removed_ids, ((const char *[]) { d8, NULL }));
  g_clear_pointer (&removed, g_ptr_array_unref);
  g_clear_pointer (&removed_ids, g_strfreev);

  /* older than 2.5 days: the 3- and 5-day ones */
  removed = gander_backup_prune (backup, 0, (GTimeSpan) (2.5 * G_TIME_SPAN_DAY), &error);
  g_assert_no_error (error);
  removed_ids = ids_of (removed);
  g_assert_cmpstrv (removed_ids, ((const char *[]) { d3, d5, NULL }));
  g_clear_pointer (&removed, g_ptr_array_unref);
  g_clear_pointer (&removed_ids, g_strfreev);

  /* keep 1 and a day: the real one stays (newest, verified) */
  removed = gander_backup_prune (backup, 1, G_TIME_SPAN_DAY / 2, &error);
  g_assert_no_error (error);
  removed_ids = ids_of (removed);
  g_assert_cmpstrv (removed_ids, ((const char *[]) { d1, d2, NULL }));
  g_clear_pointer (&removed, g_ptr_array_unref);
  g_clear_pointer (&removed_ids, g_strfreev);

  /* archives and manifests gone together */
  left = gander_backup_list (backup, &error);
  g_assert_no_error (error);
  left_ids = ids_of (left);
  g_assert_cmpstrv (left_ids, ((const char *[]) { gander_backup_info_get_id (real), NULL }));
  g_clear_pointer (&left, g_ptr_array_unref);
  g_clear_pointer (&left_ids, g_strfreev);
  {
    g_autoptr(GPtrArray) names = list_dir (f->backupdir);
    g_assert_cmpuint (names->len, ==, 2);
  }

  /* the newest verified one survives even when every rule says go; a
   * newer unverified one goes */
  {
    g_autofree char *v5 = forge_backup (real, f->backupdir, 5, TRUE);
    g_autofree char *u1 = forge_backup (real, f->backupdir, 1, FALSE);
    g_autofree char *u9 = NULL;
    g_autofree char *u10 = NULL;
    g_autoptr(GanderBackupInfo) v5_info = NULL;

    g_assert_cmpint (g_unlink (gander_backup_info_get_manifest_path (real)), ==, 0);
    g_assert_cmpint (g_unlink (gander_backup_info_get_path (real)), ==, 0);
    removed = gander_backup_prune (backup, 0, G_TIME_SPAN_DAY / 2, &error);
    g_assert_no_error (error);
    removed_ids = ids_of (removed);
    g_assert_cmpstrv (removed_ids, ((const char *[]) { u1, NULL }));
    g_clear_pointer (&removed, g_ptr_array_unref);
    g_clear_pointer (&removed_ids, g_strfreev);
    left = gander_backup_list (backup, &error);
    g_assert_no_error (error);
    left_ids = ids_of (left);
    g_assert_cmpstrv (left_ids, ((const char *[]) { v5, NULL }));
    g_clear_pointer (&left, g_ptr_array_unref);
    g_clear_pointer (&left_ids, g_strfreev);

    /* with no verified backup at all, the newest one stays */
    v5_info = gander_backup_lookup (backup, v5, &error);
    g_assert_no_error (error);
    u9 = forge_backup (v5_info, f->backupdir, 9, FALSE);
    u10 = forge_backup (v5_info, f->backupdir, 10, FALSE);
    g_assert_cmpint (g_unlink (gander_backup_info_get_manifest_path (v5_info)), ==, 0);
    g_assert_cmpint (g_unlink (gander_backup_info_get_path (v5_info)), ==, 0);
    removed = gander_backup_prune (backup, 0, 1, &error);
    g_assert_no_error (error);
    removed_ids = ids_of (removed);
    g_assert_cmpstrv (removed_ids, ((const char *[]) { u10, NULL }));
    g_clear_pointer (&removed, g_ptr_array_unref);
    g_clear_pointer (&removed_ids, g_strfreev);
    left = gander_backup_list (backup, &error);
    g_assert_no_error (error);
    left_ids = ids_of (left);
    g_assert_cmpstrv (left_ids, ((const char *[]) { u9, NULL }));
  }

  /* archives without manifest: removed once an hour old, not before */
  orphan_old = g_build_filename (f->backupdir, "20200101T000000.000000Z.sqlite3", NULL);
  orphan_new = g_build_filename (f->backupdir, "20200101T000001.000000Z.sqlite3", NULL);
  tmp_old = g_build_filename (f->backupdir, ".20200101T000002.000000Z.sqlite3.tmp", NULL);
  g_assert_true (g_file_set_contents (orphan_old, "x", 1, NULL));
  g_assert_true (g_file_set_contents (orphan_new, "x", 1, NULL));
  g_assert_true (g_file_set_contents (tmp_old, "x", 1, NULL));
  old_times[0].tv_sec = old_times[1].tv_sec = time (NULL) - 2 * 3600;
  old_times[0].tv_usec = old_times[1].tv_usec = 0;
  g_assert_cmpint (utimes (orphan_old, old_times), ==, 0);
  g_assert_cmpint (utimes (tmp_old, old_times), ==, 0);
  g_clear_pointer (&removed, g_ptr_array_unref);
  removed = gander_backup_prune (backup, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);
  g_assert_false (g_file_test (orphan_old, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (tmp_old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (orphan_new, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autofree char *parent = g_path_get_dirname (f->backupdir);
  mode_t old_umask;

  make_database (f->dbpath, 10, 10);
  /* a permissive umask must not widen anything */
  old_umask = umask (0);
  backup = new_backup (f);
  info = create_ok (backup);
  umask (old_umask);

  g_assert_cmpuint (file_mode (f->backupdir), ==, 0700);
  g_assert_cmpuint (file_mode (parent), ==, 0700);
  g_assert_cmpuint (file_mode (gander_backup_info_get_path (info)), ==, 0600);
  g_assert_cmpuint (file_mode (gander_backup_info_get_manifest_path (info)), ==, 0600);
}

/* ------------------------------------------------------------------ */

static void
cancel_at_progress (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    data)
{
  if (gander_backup_get_progress (GANDER_BACKUP (object)) >= 0.2)
    g_cancellable_cancel (data);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GanderBackupInfo) none = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gulong handler;

  /* about 8 MiB: over a hundred steps */
  make_database (f->dbpath, 2000, 4000);
  backup = new_backup (f);
  handler = g_signal_connect (backup, "notify::progress", G_CALLBACK (cancel_at_progress), cancellable);
  none = gander_backup_create (backup, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (none);
  g_clear_error (&error);
  names = list_dir (f->backupdir);
  g_assert_cmpuint (names->len, ==, 0);
  g_clear_pointer (&names, g_ptr_array_unref);

  /* a cancelled restore leaves the database as it was */
  g_signal_handler_disconnect (backup, handler);
  info = create_ok (backup);
  exec_on (f->dbpath, "DELETE FROM items WHERE id > 100; VACUUM");
  before = dump_database (f->dbpath);
  g_cancellable_reset (cancellable);
  g_signal_connect (backup, "notify::progress", G_CALLBACK (cancel_at_progress), cancellable);
  g_assert_false (gander_backup_restore (backup, info, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  after = dump_database (f->dbpath);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (query_int (f->dbpath, "SELECT count(*) FROM pragma_integrity_check "
                                         "WHERE integrity_check = 'ok'"), ==, 1);
  names = list_dir (f->backupdir);
  g_assert_cmpuint (names->len, ==, 2);
}

/* ------------------------------------------------------------------ */

typedef struct
{
  GMainContext *context;
  GThread      *thread;
  GArray       *values;     /* double */
  gboolean      wrong_place;
  GAsyncResult *result;
} AsyncProbe;

static void
record_progress (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  AsyncProbe *probe = data;
  double value = gander_backup_get_progress (GANDER_BACKUP (object));

  if (g_thread_self () != probe->thread ||
      !g_main_context_is_owner (probe->context))
    probe->wrong_place = TRUE;
  g_array_append_val (probe->values, value);
}

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  AsyncProbe *probe = data;

  probe->result = g_object_ref (result);
}

static void
check_progress (AsyncProbe *probe)
{
  g_assert_false (probe->wrong_place);
  g_assert_cmpuint (probe->values->len, >=, 3);
  g_assert_cmpfloat (g_array_index (probe->values, double, probe->values->len - 1), ==, 1.0);
  for (guint i = 1; i < probe->values->len; i++)
    if (g_array_index (probe->values, double, i) != 0.0)
      g_assert_cmpfloat (g_array_index (probe->values, double, i), >=,
                         g_array_index (probe->values, double, i - 1));
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AsyncProbe probe = { 0, };

  make_database (f->dbpath, 1000, 2000);
  before = dump_database (f->dbpath);
  backup = new_backup (f);

  probe.context = g_main_context_new ();
  probe.thread = g_thread_self ();
  probe.values = g_array_new (FALSE, FALSE, sizeof (double));
  g_main_context_push_thread_default (probe.context);
  g_signal_connect (backup, "notify::progress", G_CALLBACK (record_progress), &probe);

  gander_backup_create_async (backup, NULL, got_result, &probe);
  while (probe.result == NULL)
    g_main_context_iteration (probe.context, TRUE);
  info = gander_backup_create_finish (backup, probe.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_clear_object (&probe.result);
  /* every notification queued by the worker has been delivered */
  while (g_main_context_iteration (probe.context, FALSE))
    ;
  check_progress (&probe);
  g_assert_cmpfloat (gander_backup_get_progress (backup), ==, 1.0);

  exec_on (f->dbpath, "DELETE FROM items; DROP INDEX items_name");
  g_array_set_size (probe.values, 0);
  gander_backup_restore_async (backup, info, NULL, got_result, &probe);
  while (probe.result == NULL)
    g_main_context_iteration (probe.context, TRUE);
  g_assert_true (gander_backup_restore_finish (backup, probe.result, &error));
  g_assert_no_error (error);
  g_clear_object (&probe.result);
  while (g_main_context_iteration (probe.context, FALSE))
    ;
  check_progress (&probe);
  after = dump_database (f->dbpath);
  g_assert_cmpstr (after, ==, before);

  g_main_context_pop_thread_default (probe.context);
  g_main_context_unref (probe.context);
  g_array_unref (probe.values);
}

/* ------------------------------------------------------------------ */

static void
test_list_missing (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = new_backup (f);
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = NULL;

  list = gander_backup_list (backup, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_false (g_file_test (f->backupdir, G_FILE_TEST_EXISTS));
  g_clear_pointer (&list, g_ptr_array_unref);

  /* a broken manifest is skipped, the good one listed */
  make_database (f->dbpath, 10, 10);
  info = create_ok (backup);
  broken = g_build_filename (f->backupdir, "20200101T000000.000000Z.json", NULL);
  g_assert_true (g_file_set_contents (broken, "{ \"format\": 1, ", -1, NULL));
  list = gander_backup_list (backup, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);

  g_assert_null (gander_backup_info_load (broken, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message, broken));
}

static void
test_verify_off (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;

  make_database (f->dbpath, 10, 10);
  backup = new_backup (f);
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_OFF);
  info = create_ok (backup);
  g_assert_false (gander_backup_info_get_verified (info));
  g_assert_cmpstr (gander_backup_info_get_verify_method (info), ==, "sha256");
  /* the version comes from the snapshot, verified or not */
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 3);
}

static void
test_default_directory (void)
{
  g_autofree char *dir = NULL;

  g_setenv ("GANDER_STATE_DIR", "/srv/gander-state", TRUE);
  dir = gander_backup_default_directory ("billing");
  g_assert_cmpstr (dir, ==, "/srv/gander-state/backups/billing");
  g_clear_pointer (&dir, g_free);
  dir = gander_backup_default_directory ("../evil/name");
  g_assert_cmpstr (dir, ==, "/srv/gander-state/backups/.._evil_name");
  g_unsetenv ("GANDER_STATE_DIR");
}

/* ------------------------------------------------------------------ */

static void
set_old_mtime (const char *path)
{
  struct timeval old_times[2];

  old_times[0].tv_sec = old_times[1].tv_sec = time (NULL) - 2 * 3600;
  old_times[0].tv_usec = old_times[1].tv_usec = 0;
  g_assert_cmpint (utimes (path, old_times), ==, 0);
}

/* prune removes only what Gander names, and not a running backup's
 * temporary file (it holds an flock on it) */
static void
test_prune_foreign_files (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) error = NULL;
  const char *foreign[] = {
    "customer-data.sqlite3", "notes.dump", ".customer.sqlite3.tmp",
    "2020.sqlite3", "20200101T000000.000000Z.sqlite3.bak",
    "x20200101T000000.000000Z.sqlite3", "20200101T000000.000000Z.db",
  };
  g_autofree char *ours = NULL;
  g_autofree char *running = NULL;
  int fd;

  make_database (f->dbpath, 10, 10);
  backup = new_backup (f);
  info = create_ok (backup);
  for (gsize i = 0; i < G_N_ELEMENTS (foreign); i++)
    {
      g_autofree char *path = g_build_filename (f->backupdir, foreign[i], NULL);
      g_assert_true (g_file_set_contents (path, "precious", -1, NULL));
      set_old_mtime (path);
    }
  ours = g_build_filename (f->backupdir, "20200101T000000.000000Z.dump", NULL);
  g_assert_true (g_file_set_contents (ours, "x", 1, NULL));
  set_old_mtime (ours);
  /* an old temporary file that a backup still writes (flock held) */
  running = g_build_filename (f->backupdir, ".20200101T000001.000000Z.sqlite3.tmp", NULL);
  g_assert_true (g_file_set_contents (running, "x", 1, NULL));
  set_old_mtime (running);
  fd = g_open (running, O_RDWR | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  removed = gander_backup_prune (backup, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (foreign); i++)
    {
      g_autofree char *path = g_build_filename (f->backupdir, foreign[i], NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_error ("prune removed %s, which Gander did not write", foreign[i]);
    }
  g_assert_false (g_file_test (ours, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (running, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (gander_backup_info_get_path (info), G_FILE_TEST_EXISTS));

  /* once the backup is done with it, it goes */
  close (fd);
  g_clear_pointer (&removed, g_ptr_array_unref);
  removed = gander_backup_prune (backup, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (running, G_FILE_TEST_EXISTS));
}

/* the database file's own directory is no backup directory */
static void
test_directory_is_database_dir (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GanderDatabase) db = NULL;
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *foreign = g_build_filename (f->tmpdir, "customer-data.sqlite3", NULL);

  make_database (f->dbpath, 10, 10);
  g_assert_true (g_file_set_contents (foreign, "precious", -1, NULL));
  set_old_mtime (foreign);
  db = gander_sqlite_database_new (f->dbpath);
  backup = gander_backup_new (db, f->tmpdir);

  info = gander_backup_create (backup, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_null (info);
  g_assert_nonnull (strstr (error->message, "directory of the database file"));
  g_clear_error (&error);

  removed = gander_backup_prune (backup, 1, 0, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_null (removed);
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
}

static void
drop_database_key (JsonObject *object,
                   gpointer    data)
{
  json_object_remove_member (object, "database");
}

/* two databases sharing one directory: each sees, prunes and restores
 * only its own backups */
static void
test_other_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *other_path = g_build_filename (f->tmpdir, "other.db", NULL);
  g_autofree char *real_path = NULL;
  g_autoptr(GanderDatabase) other_db = NULL;
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackup) other = NULL;
  g_autoptr(GanderBackupInfo) mine = NULL;
  g_autoptr(GanderBackupInfo) theirs = NULL;
  g_autoptr(GanderBackupInfo) theirs_old = NULL;
  g_autoptr(GanderBackupInfo) latest = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(GStrv) ids = NULL;

  make_database (f->dbpath, 10, 10);
  make_database (other_path, 3, 10);
  backup = new_backup (f);
  other_db = gander_sqlite_database_new (other_path);
  other = gander_backup_new (other_db, f->backupdir);

  theirs_old = create_ok (other);
  mine = create_ok (backup);
  theirs = create_ok (other);
  /* realpath() allocates with malloc, which g_free() frees */
  real_path = realpath (f->dbpath, NULL);
  g_assert_cmpstr (gander_backup_info_get_database (mine), ==, real_path);
  g_assert_cmpstr (gander_backup_info_get_database (theirs), !=, real_path);

  list = gander_backup_list (backup, &error);
  g_assert_no_error (error);
  ids = ids_of (list);
  g_assert_cmpstrv (ids, ((const char *[]) { gander_backup_info_get_id (mine), NULL }));
  g_clear_pointer (&ids, g_strfreev);
  latest = gander_backup_lookup (backup, "latest", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_backup_info_get_id (latest), ==, gander_backup_info_get_id (mine));

  /* restoring the other database's backup here is refused, naming both */
  before = dump_database (f->dbpath);
  g_assert_false (gander_backup_restore (backup, theirs, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message, gander_backup_info_get_database (theirs)));
  g_assert_nonnull (strstr (error->message, real_path));
  g_clear_error (&error);
  after = dump_database (f->dbpath);
  g_assert_cmpstr (after, ==, before);

  /* keep 1 here removes nothing of the other's */
  removed = gander_backup_prune (backup, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);
  g_clear_pointer (&removed, g_ptr_array_unref);
  removed = gander_backup_prune (other, 1, 0, &error);
  g_assert_no_error (error);
  ids = ids_of (removed);
  g_assert_cmpstrv (ids, ((const char *[]) { gander_backup_info_get_id (theirs_old), NULL }));
  g_clear_pointer (&ids, g_strfreev);
  g_assert_true (g_file_test (gander_backup_info_get_path (mine), G_FILE_TEST_EXISTS));

  /* a manifest from before the key existed counts as this database's */
  edit_manifest (gander_backup_info_get_manifest_path (theirs), drop_database_key, NULL);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = gander_backup_list (backup, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  /* the newest is the other's, now without the key */
  g_assert_null (gander_backup_info_get_database (g_ptr_array_index (list, 0)));
}

/* user tables but no goose version table: backed up at version 0 */
static void
test_no_version_table (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  exec_on (f->dbpath, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
                      "INSERT INTO customers (name) VALUES ('a'), ('b');");
  backup = new_backup (f);
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_FULL);
  info = gander_backup_create (backup, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 0);
  g_assert_true (gander_backup_info_get_verified (info));
  g_assert_true (gander_backup_verify (backup, info, NULL, &error));
  g_assert_no_error (error);
}

/* an existing directory open to others is tightened to 0700 */
static void
test_directory_mode_tightened (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;

  make_database (f->dbpath, 10, 10);
  g_assert_cmpint (g_mkdir_with_parents (f->backupdir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (f->backupdir, 0755), ==, 0);
  backup = new_backup (f);
  info = create_ok (backup);
  g_assert_cmpuint (file_mode (f->backupdir), ==, 0700);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/backup/sqlite/round-trip", test_round_trip);
  ADD ("/backup/sqlite/wal-concurrent-writer", test_wal_concurrent_writer);
  ADD ("/backup/sqlite/truncated", test_truncated);
  ADD ("/backup/sqlite/checksum-mismatch-restore", test_checksum_mismatch_restore);
  ADD ("/backup/lookup", test_lookup);
  ADD ("/backup/other-driver", test_other_driver);
  ADD ("/backup/prune", test_prune);
  ADD ("/backup/permissions", test_permissions);
  ADD ("/backup/sqlite/cancel", test_cancel);
  ADD ("/backup/sqlite/async", test_async);
  ADD ("/backup/list-missing", test_list_missing);
  ADD ("/backup/sqlite/verify-off", test_verify_off);
  ADD ("/backup/prune-foreign-files", test_prune_foreign_files);
  ADD ("/backup/directory-is-database-dir", test_directory_is_database_dir);
  ADD ("/backup/sqlite/other-database", test_other_database);
  ADD ("/backup/sqlite/no-version-table", test_no_version_table);
  ADD ("/backup/directory-mode-tightened", test_directory_mode_tightened);
  g_test_add_func ("/backup/default-directory", test_default_directory);

  return gander_test_run ();
}
