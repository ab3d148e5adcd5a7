/* gander-test-util.c: helpers shared by the C test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "gander-test-util.h"
#if __has_include ("gander-test-pg.h")
# include "gander-test-pg.h"
# define HAVE_PG_FIXTURE 1
#endif

void
gander_test_rm_rf (const char *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileEnumerator) children = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        {
          g_autofree char *child_path = g_file_get_path (child);
          gander_test_rm_rf (child_path);
        }
    }
  g_file_delete (file, NULL, NULL);
}

gboolean
gander_test_engine_wanted (const char *engine)
{
  if (g_str_equal (engine, "sqlite3"))
    return TRUE;
  /* PostgreSQL: always in CI (where a missing server must fail, not skip),
   * elsewhere when the server binaries exist. */
#ifdef HAVE_PG_FIXTURE
  return g_getenv ("CI") != NULL || gander_test_pg_available ();
#else
  return FALSE;
#endif
}

const char *
gander_test_engine_skip_reason (const char *engine)
{
#ifdef HAVE_PG_FIXTURE
  if (g_str_equal (engine, "postgres"))
    return gander_test_pg_skip_reason ();
#endif
  return "engine unavailable";
}

char *
gander_test_new_dsn (const char *engine,
                     const char *tmpdir)
{
  if (g_str_equal (engine, "sqlite3"))
    return g_build_filename (tmpdir, "test.db", NULL);
#ifdef HAVE_PG_FIXTURE
  if (g_str_equal (engine, "postgres"))
    return gander_test_pg_create_database ();
#endif
  g_assert_not_reached ();
}

static sqlite3 *
sqlite_open (const char *dsn)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (dsn, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);

  if (rc != SQLITE_OK)
    g_error ("cannot open %s: %s", dsn, sqlite3_errstr (rc));
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static PGconn *
pg_open (const char *dsn)
{
  PGconn *conn = PQconnectdb (dsn);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to %s: %s", dsn, PQerrorMessage (conn));
  return conn;
}

static void
pg_quiet (void       *arg,
          const char *message)
{
}

void
gander_test_exec (const char *engine,
                  const char *dsn,
                  const char *sql)
{
  if (g_str_equal (engine, "sqlite3"))
    {
      sqlite3 *db = sqlite_open (dsn);
      char *err = NULL;

      if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
        g_error ("%s: %s", sql, err);
      sqlite3_close (db);
    }
  else
    {
      PGconn *conn = pg_open (dsn);
      PGresult *res;

      PQsetNoticeProcessor (conn, pg_quiet, NULL);
      res = PQexec (conn, sql);
      if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        g_error ("%s: %s", sql, PQerrorMessage (conn));
      PQclear (res);
      PQfinish (conn);
    }
}

gint64
gander_test_query_int (const char *engine,
                       const char *dsn,
                       const char *sql)
{
  gint64 value = -1;

  if (g_str_equal (engine, "sqlite3"))
    {
      sqlite3 *db = sqlite_open (dsn);
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
  else
    {
      PGconn *conn = pg_open (dsn);
      PGresult *res = PQexec (conn, sql);

      if (PQresultStatus (res) != PGRES_TUPLES_OK)
        g_error ("%s: %s", sql, PQerrorMessage (conn));
      if (PQntuples (res) > 0)
        value = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
      PQclear (res);
      PQfinish (conn);
    }
  return value;
}

gboolean
gander_test_table_exists (const char *engine,
                          const char *dsn,
                          const char *table)
{
  g_autofree char *sql = NULL;

  if (g_str_equal (engine, "sqlite3"))
    sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", table);
  else
    sql = g_strdup_printf ("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '%s'", table);
  return gander_test_query_int (engine, dsn, sql) > 0;
}

const char *
gander_test_goose_ddl (const char *engine)
{
  if (g_str_equal (engine, "sqlite3"))
    return "CREATE TABLE goose_db_version (\n"
           "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
           "\t\tversion_id INTEGER NOT NULL,\n"
           "\t\tis_applied INTEGER NOT NULL,\n"
           "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n"
           "\t)";
  return "CREATE TABLE goose_db_version (\n"
         "\t\tid integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,\n"
         "\t\tversion_id bigint NOT NULL,\n"
         "\t\tis_applied boolean NOT NULL,\n"
         "\t\ttstamp timestamp NOT NULL DEFAULT now()\n"
         "\t)";
}

void
gander_test_run_cli_concurrently (guint              n,
                                  const char * const *args)
{
  const char *cli = g_getenv ("GANDER_CLI");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GSubprocess *proc = g_subprocess_newv ((const char * const *) argv->pdata,
                                             G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                             &error);
      g_assert_no_error (error);
      g_ptr_array_add (procs, proc);
    }
  for (guint i = 0; i < n; i++)
    {
      GSubprocess *proc = g_ptr_array_index (procs, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *err_text = NULL;

      g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, &error);
      g_assert_no_error (error);
      if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
        g_error ("runner %u failed (exit %d):\n%s", i,
                 g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1,
                 err_text);
    }
}

int
gander_test_run (void)
{
  int ret = g_test_run ();

#ifdef HAVE_PG_FIXTURE
  gander_test_pg_stop ();
#endif
  return ret;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char *
gander_test_snapshot_dir (const char *dir_path)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      const char *entry = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir_path, entry, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autofree char *sum = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_string_append_printf (text, "%s/\n", entry);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_string_append_printf (text, "%s %s\n", entry, sum);
    }
  return g_string_free (text, FALSE);
}

GPtrArray *
gander_test_read_audit (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (records, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return records;
}

int
gander_test_find_event (GPtrArray  *records,
                        const char *event,
                        guint       start)
{
  for (guint i = start; i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (records, i), "event"),
                   event) == 0)
      return (int) i;
  return -1;
}

gboolean
gander_test_strv_find (const char * const *strv,
                       const char         *needle)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

void
gander_test_write_file (const char *dir,
                        const char *name,
                        const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

void
gander_test_profile_set (GanderProfile *profile,
                         const char    *key,
                         const char    *value)
{
  g_autoptr(GError) error = NULL;

  gander_profile_set (profile, key, value, "test", &error);
  g_assert_no_error (error);
}

GanderProfile *
gander_test_new_profile (const char *name,
                         const char *driver,
                         const char *dsn,
                         const char *dir,
                         const char *environment)
{
  GanderProfile *profile = gander_profile_new (name);

  gander_test_profile_set (profile, "driver", driver);
  gander_test_profile_set (profile, "dbstring", dsn);
  gander_test_profile_set (profile, "dir", dir);
  gander_test_profile_set (profile, "environment", environment);
  return profile;
}

GanderManager *
gander_test_new_manager (GanderProfile *profile)
{
  g_autoptr(GError) error = NULL;
  GanderManager *manager = gander_manager_new (profile, &error);

  g_assert_no_error (error);
  g_assert_nonnull (manager);
  return manager;
}

void
gander_test_apply_with_migrator (const char *driver,
                                 const char *dsn,
                                 const char *dir,
                                 gint64      version)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderDatabase) db = gander_database_new_for_driver (driver, dsn, &error);
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GPtrArray) results = NULL;

  g_assert_no_error (error);
  source = gander_source_new_for_path (dir, 0, NULL, &error);
  g_assert_no_error (error);
  migrator = gander_migrator_new (db, source);
  results = gander_migrator_up_to (migrator, version, NULL, &error);
  g_assert_no_error (error);
  gander_database_close (db);
}

gboolean
gander_test_report_has_warning (GanderRunReport *report,
                                const char      *needle)
{
  return gander_test_strv_find (gander_run_report_get_warnings (report), needle);
}

double
gander_test_metric (GanderManager      *manager,
                    const char         *name,
                    const char * const *labels)
{
  double value = -1;

  if (!gander_metrics_lookup (gander_manager_get_metrics (manager), name, labels, &value))
    return -1;
  return value;
}

GPtrArray *
gander_test_health_run (GanderHealth      *health,
                        GanderHealthPhase  phase)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = gander_health_run (health, phase, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  for (guint i = 0; i < results->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (results, i);

      g_test_message ("%s: %s: %s (%" G_GINT64_FORMAT " us)",
                      gander_health_result_get_name (r),
                      gander_health_status_to_string (gander_health_result_get_status (r)),
                      gander_health_result_get_message (r),
                      gander_health_result_get_duration (r));
    }
  return results;
}

GanderHealthResult *
gander_test_health_find (GPtrArray  *results,
                         const char *name)
{
  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (gander_health_result_get_name (g_ptr_array_index (results, i)), name))
      return g_ptr_array_index (results, i);
  return NULL;
}

void
gander_test_health_assert (GPtrArray          *results,
                           const char         *name,
                           GanderHealthStatus  status,
                           const char         *fragment)
{
  GanderHealthResult *r = gander_test_health_find (results, name);

  if (r == NULL)
    g_error ("no result named %s", name);
  g_assert_cmpstr (gander_health_status_to_string (gander_health_result_get_status (r)), ==,
                   gander_health_status_to_string (status));
  if (fragment != NULL && strstr (gander_health_result_get_message (r), fragment) == NULL)
    g_error ("%s: \"%s\" not in \"%s\"", name, fragment, gander_health_result_get_message (r));
}

void
gander_test_health_assert_all_ok (GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (results, i);

      if (gander_health_result_get_status (r) != GANDER_HEALTH_STATUS_OK)
        g_error ("%s is %s: %s", gander_health_result_get_name (r),
                 gander_health_status_to_string (gander_health_result_get_status (r)),
                 gander_health_result_get_message (r));
    }
}

void
gander_test_use_file_keyring (const char *dir)
{
  g_autofree char *keyring = g_build_filename (dir, "keyring", NULL);

  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);
}
