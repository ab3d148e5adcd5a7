/* test-backup-postgres.c: GanderBackup's PostgreSQL engine against the
 * temporary server and the real pg_dump/pg_restore — a dump restored over
 * a changed database gives back the same schema and rows, damaged archives
 * fail verification, the password never shows in the child's command
 * line or environment (looked at while pg_dump runs) nor in errors, a
 * pg_dump older than the server is refused with what to install, a dump
 * waiting on a lock can be cancelled and times out with a clear message.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gander.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "gander-backup-private.h"
#include "gander-test-pg.h"
#include "gander-test-util.h"

#define SECRET "Backup-Secret-913"
#define ROLE "gander_backup_pw"

typedef struct
{
  char *tmpdir;
  char *dsn;
  char *dbname;
  char *archive;
  GanderDatabase *database;
  GanderBackupJob job;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-backup-pg-XXXXXX", &error);
  g_assert_no_error (error);
  f->archive = g_build_filename (f->tmpdir, "backup.dump", NULL);
  f->dsn = gander_test_pg_create_database ();
  if (f->dsn != NULL)
    f->dbname = gander_test_pg_dbname_from_dsn (f->dsn);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_backup_job_clear (&f->job);
  if (f->database != NULL)
    gander_database_close (f->database);
  g_clear_object (&f->database);
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->archive);
  g_free (f->dsn);
  g_free (f->dbname);
}

/* the error first: it says why */
#define ASSERT_OK(call) \
  G_STMT_START { gboolean ok_ = (call); g_assert_no_error (error); g_assert_true (ok_); } G_STMT_END

#define SKIP_IF_NO_SERVER(f) \
  G_STMT_START { if ((f)->dsn == NULL) { g_test_skip (gander_test_pg_skip_reason ()); return; } } G_STMT_END

/* A schema with the version table at 3, a foreign key, a view, an index
 * and a sequence; with 20000 rows the data outweighs the table of contents
 * in the archive. */
static void
create_schema_rows (Fixture *f,
                    guint    n_rows)
{
  g_autofree char *sql = g_strdup_printf (
    "%s;\n"
    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true);\n"
    "CREATE TABLE a (id serial PRIMARY KEY, name text NOT NULL, note text);\n"
    "CREATE TABLE b (id serial PRIMARY KEY, a_id integer REFERENCES a (id), v numeric);\n"
    "CREATE INDEX b_v ON b (v);\n"
    "CREATE VIEW v AS SELECT a.name, b.v FROM a JOIN b ON b.a_id = a.id;\n"
    "INSERT INTO a (name, note) SELECT 'n' || i, md5(i::text) || md5((i * 7)::text) "
    "  FROM generate_series (1, %u) AS i;\n"
    "INSERT INTO b (a_id, v) SELECT i, i / 3.0 FROM generate_series (1, %u) AS i;\n",
    gander_test_goose_ddl ("postgres"), n_rows, n_rows / 4);

  gander_test_exec ("postgres", f->dsn, sql);
}

static void
create_schema (Fixture *f)
{
  create_schema_rows (f, 400);
}

static void
open_database (Fixture    *f,
               const char *dsn)
{
  g_autoptr(GError) error = NULL;

  f->database = gander_database_new_for_driver ("postgres", dsn, &error);
  g_assert_no_error (error);
  g_assert_true (gander_database_open (f->database, NULL, &error));
  g_assert_no_error (error);
  /* the caller of an engine holds the run lock */
  g_assert_true (gander_database_lock (f->database, NULL, &error));
  g_assert_no_error (error);
}

static void
job_init (Fixture            *f,
          GanderBackupVerify  verify)
{
  gander_backup_job_clear (&f->job);
  memset (&f->job, 0, sizeof f->job);
  f->job.database = f->database;
  f->job.table = gander_database_get_table_name (f->database);
  f->job.archive_path = f->archive;
  f->job.verify = verify;
  f->job.lock_wait_timeout_ms = 60000;
}

static char *
schema_dump (Fixture *f)
{
  g_autofree char *pg_dump = gander_test_pg_find_program ("pg_dump");
  g_autofree char *dbname_arg = g_strconcat ("--dbname=", f->dsn, NULL);
  const char *argv[] = { pg_dump, "--schema-only", "--no-password", dbname_arg, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  g_assert_nonnull (pg_dump);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "CREATE TABLE public.a"));
  return gander_test_pg_strip_restrict (g_steal_pointer (&out));
}

static char *
row_counts (Fixture *f)
{
  return g_strdup_printf ("a=%" G_GINT64_FORMAT " b=%" G_GINT64_FORMAT " sum=%" G_GINT64_FORMAT
                          " goose=%" G_GINT64_FORMAT " max=%" G_GINT64_FORMAT,
                          gander_test_query_int ("postgres", f->dsn, "SELECT count(*) FROM a"),
                          gander_test_query_int ("postgres", f->dsn, "SELECT count(*) FROM b"),
                          gander_test_query_int ("postgres", f->dsn,
                                                 "SELECT sum(length(a::text)) FROM a"),
                          gander_test_query_int ("postgres", f->dsn,
                                                 "SELECT count(*) FROM goose_db_version"),
                          gander_test_query_int ("postgres", f->dsn,
                                                 "SELECT max(version_id) FROM goose_db_version"));
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *schema_before = NULL;
  g_autofree char *schema_after = NULL;
  g_autofree char *counts_before = NULL;
  g_autofree char *counts_after = NULL;

  SKIP_IF_NO_SERVER (f);
  create_schema (f);
  open_database (f, f->dsn);
  schema_before = schema_dump (f);
  counts_before = row_counts (f);

  job_init (f, GANDER_BACKUP_VERIFY_QUICK);
  ASSERT_OK (gander_backup_postgres_dump (&f->job, &error));
  g_assert_true (g_str_has_prefix (f->job.tool_version, "pg_dump (PostgreSQL) "));
  g_assert_nonnull (f->job.server_version);
  g_assert_true (g_ascii_isdigit (f->job.server_version[0]));
  g_assert_cmpint (f->job.version, ==, 3);
  assert_mode (f->archive, 0600);

  ASSERT_OK (gander_backup_postgres_verify (&f->job, &error));
  g_assert_cmpstr (f->job.verify_method, ==, "pg_restore --list");
  f->job.verify = GANDER_BACKUP_VERIFY_FULL;
  ASSERT_OK (gander_backup_postgres_verify (&f->job, &error));
  g_assert_cmpstr (f->job.verify_method, ==, "pg_restore --list, data read");

  /* change rows, columns, objects and the version table */
  gander_test_exec ("postgres", f->dsn,
                    "DELETE FROM b WHERE id % 2 = 0;"
                    "DROP VIEW v;"
                    "ALTER TABLE a DROP COLUMN note;"
                    "INSERT INTO a (name) VALUES ('late');"
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (4, true);");
  counts_after = row_counts (f);
  g_assert_cmpstr (counts_after, !=, counts_before);
  g_clear_pointer (&counts_after, g_free);

  f->job.verify = GANDER_BACKUP_VERIFY_QUICK;
  ASSERT_OK (gander_backup_postgres_restore (&f->job, &error));
  schema_after = schema_dump (f);
  counts_after = row_counts (f);
  g_assert_cmpstr (schema_after, ==, schema_before);
  g_assert_cmpstr (counts_after, ==, counts_before);

  /* the live connection still works after its tables were replaced */
  g_assert_true (gander_database_version_table_exists (f->database, &error));
  g_assert_no_error (error);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (to, contents, len, &error));
  g_assert_no_error (error);
}

static void
assert_verify_fails (Fixture            *f,
                     const char         *path,
                     GanderBackupVerify  verify,
                     const char         *expected)
{
  g_autoptr(GError) error = NULL;

  f->job.archive_path = path;
  f->job.verify = verify;
  g_assert_false (gander_backup_postgres_verify (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_verify_damaged (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *middle = g_build_filename (f->tmpdir, "middle.dump", NULL);
  g_autofree char *truncated = g_build_filename (f->tmpdir, "truncated.dump", NULL);
  g_autofree char *garbage = g_build_filename (f->tmpdir, "garbage.dump", NULL);
  gsize len = 0;

  SKIP_IF_NO_SERVER (f);
  create_schema_rows (f, 20000);
  open_database (f, f->dsn);
  job_init (f, GANDER_BACKUP_VERIFY_FULL);
  ASSERT_OK (gander_backup_postgres_dump (&f->job, &error));
  ASSERT_OK (gander_backup_postgres_verify (&f->job, &error));

  g_assert_true (g_file_get_contents (f->archive, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 100000);

  /* bytes overwritten in the middle: inside the compressed data */
  memset (contents + len / 2, 0x5a, 256);
  g_assert_true (g_file_set_contents (middle, contents, len, &error));
  g_assert_no_error (error);
  assert_verify_fails (f, middle, GANDER_BACKUP_VERIFY_FULL, "is damaged");

  /* cut in half */
  copy_file (f->archive, truncated);
  g_assert_cmpint (truncate (truncated, len / 2), ==, 0);
  assert_verify_fails (f, truncated, GANDER_BACKUP_VERIFY_FULL, "is damaged");

  /* not an archive at all */
  g_assert_true (g_file_set_contents (garbage, "PGDMP but not really", -1, &error));
  g_assert_no_error (error);
  assert_verify_fails (f, garbage, GANDER_BACKUP_VERIFY_QUICK, "pg_restore --list");

  /* an archive of another database: no version table in it */
  f->job.archive_path = f->archive;
  f->job.table = "other_version_table";
  assert_verify_fails (f, f->archive, GANDER_BACKUP_VERIFY_QUICK, "no version table other_version_table");
  /* schema-qualified: the schema must match too */
  f->job.table = "elsewhere.goose_db_version";
  assert_verify_fails (f, f->archive, GANDER_BACKUP_VERIFY_QUICK, "elsewhere.goose_db_version");
  f->job.table = "public.goose_db_version";
  f->job.archive_path = f->archive;
  ASSERT_OK (gander_backup_postgres_verify (&f->job, &error));
}

/* ------------------------------------------------------------------ */
/* Watching the pg_dump child */

/* The pid of our child named @comm, or 0. */
static pid_t
find_child (const char *comm)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  g_autofree char *needle = g_strdup_printf ("(%s) ", comm);

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *after;
      char state;
      long ppid = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      after = strstr (stat, needle);
      if (after == NULL)
        continue;
      if (sscanf (after + strlen (needle), "%c %ld", &state, &ppid) == 2 && ppid == getpid ())
        return (pid_t) atol (name);
    }
  return 0;
}

/* /proc/PID/FILE with its NUL separators made newlines */
static char *
read_proc (pid_t       pid,
           const char *file)
{
  g_autofree char *path = g_strdup_printf ("/proc/%ld/%s", (long) pid, file);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < len; i++)
    if (contents[i] == '\0')
      contents[i] = '\n';
  return contents;
}

static gint64
pg_dump_sessions (Fixture    *f,
                  const char *condition)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_stat_activity "
                                          "WHERE application_name = 'pg_dump' AND datname = '%s'%s",
                                          f->dbname, condition);

  return gander_test_query_int ("postgres", f->dsn, sql);
}

/* Waits until pg_dump's session waits for a lock (so it has connected). */
static void
wait_for_blocked_dump (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (pg_dump_sessions (f, " AND wait_event_type = 'Lock'") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* Another session that holds ACCESS EXCLUSIVE on table a. */
static PGconn *
lock_table_a (Fixture *f)
{
  PGconn *conn = PQconnectdb (f->dsn);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  return conn;
}

typedef struct
{
  GanderBackupJob *job;
  GError *error;
  gboolean ok;
} DumpThread;

static gpointer
dump_thread (gpointer user_data)
{
  DumpThread *t = user_data;

  t->ok = gander_backup_postgres_dump (t->job, &t->error);
  return NULL;
}

static char *
password_dsn (Fixture *f,
              gboolean uri)
{
  gander_test_exec ("postgres", f->dsn,
                    "DROP ROLE IF EXISTS " ROLE ";"
                    "CREATE ROLE " ROLE " LOGIN SUPERUSER PASSWORD '" SECRET "'");
  if (uri)
    return g_strdup_printf ("postgres://" ROLE ":" SECRET "@127.0.0.1:%u/%s?sslmode=disable",
                            gander_test_pg_get_port (), f->dbname);
  return g_strdup_printf ("host=127.0.0.1 port=%u user=" ROLE " password='" SECRET "' "
                          "dbname=%s sslmode=disable",
                          gander_test_pg_get_port (), f->dbname);
}

static void
test_password_hidden (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *environ_text = NULL;
  g_autofree char *passfile = NULL;
  g_autofree char *passdir = NULL;
  g_autofree char *passfile_text = NULL;
  DumpThread t = { &f->job, NULL, FALSE };
  GThread *thread;
  PGconn *locker;
  PGresult *res;
  const char *p;
  pid_t pid = 0;
  gint64 deadline;

  SKIP_IF_NO_SERVER (f);
  create_schema (f);
  dsn = password_dsn (f, FALSE);
  open_database (f, dsn);
  job_init (f, GANDER_BACKUP_VERIFY_QUICK);
  /* a password in our own environment must not reach the child either */
  g_setenv ("PGPASSWORD", SECRET, TRUE);

  locker = lock_table_a (f);
  thread = g_thread_new ("dump", dump_thread, &t);
  wait_for_blocked_dump (f);
  pid = find_child ("pg_dump");
  g_assert_cmpint (pid, >, 0);

  cmdline = read_proc (pid, "cmdline");
  environ_text = read_proc (pid, "environ");
  g_test_message ("pg_dump argv: %s", cmdline);
  g_assert_null (strstr (cmdline, SECRET));
  g_assert_null (strstr (environ_text, SECRET));
  g_assert_null (strstr (environ_text, "PGPASSWORD="));
  g_assert_nonnull (strstr (cmdline, "--no-password\n"));
  g_assert_nonnull (strstr (cmdline, "--format=custom\n"));
  g_assert_nonnull (strstr (cmdline, "--lock-wait-timeout=60000\n"));
  g_assert_nonnull (strstr (cmdline, "user='" ROLE "'"));

  /* the password travels in a private file that lives while pg_dump runs */
  p = strstr (environ_text, "PGPASSFILE=");
  g_assert_nonnull (p);
  passfile = g_strndup (p + strlen ("PGPASSFILE="), strcspn (p + strlen ("PGPASSFILE="), "\n"));
  passdir = g_path_get_dirname (passfile);
  assert_mode (passfile, 0600);
  assert_mode (passdir, 0700);
  g_assert_true (g_file_get_contents (passfile, &passfile_text, NULL, NULL));
  g_assert_nonnull (strstr (passfile_text, SECRET));

  res = PQexec (locker, "ROLLBACK");
  PQclear (res);
  g_thread_join (thread);
  g_assert_no_error (t.error);
  g_assert_true (t.ok);
  g_assert_cmpint (f->job.version, ==, 3);
  g_assert_false (g_file_test (passfile, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (passdir, G_FILE_TEST_EXISTS));

  /* the child is gone */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (find_child ("pg_dump") != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  g_unsetenv ("PGPASSWORD");
  PQfinish (locker);
}

/* A table locked for longer than lock-wait-timeout: a clear failure,
 * without the password of the URI, and nothing left behind. */
static void
test_lock_timeout (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  PGconn *locker;

  SKIP_IF_NO_SERVER (f);
  create_schema (f);
  dsn = password_dsn (f, TRUE);
  open_database (f, dsn);
  job_init (f, GANDER_BACKUP_VERIFY_QUICK);
  f->job.lock_wait_timeout_ms = 300;

  locker = lock_table_a (f);
  g_assert_false (gander_backup_postgres_dump (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "lock-wait-timeout (300 ms)"));
  g_assert_nonnull (strstr (error->message, "another session"));
  g_assert_nonnull (strstr (error->message, f->dbname));
  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (f->job.tool_version);

  /* the restore takes the same timeout as its lock_timeout */
  g_clear_error (&error);
  PQfinish (locker);
  f->job.lock_wait_timeout_ms = 60000;
  ASSERT_OK (gander_backup_postgres_dump (&f->job, &error));
  locker = lock_table_a (f);
  f->job.lock_wait_timeout_ms = 300;
  g_assert_false (gander_backup_postgres_restore (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "nothing was changed"));
  g_assert_nonnull (strstr (error->message, "lock-wait-timeout"));
  g_assert_nonnull (strstr (error->message, "another session held a lock on table "));
  g_assert_null (strstr (error->message, SECRET));
  PQfinish (locker);
}

/* pg_restore waiting on a lock that the live session itself holds can
 * never get it (the session waits for pg_restore): even with
 * lock-wait-timeout 0 ("no limit") it is stopped and named, not left to
 * hang. */
static void
test_self_block (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 started;

  SKIP_IF_NO_SERVER (f);
  create_schema (f);
  open_database (f, f->dsn);
  job_init (f, GANDER_BACKUP_VERIFY_QUICK);
  ASSERT_OK (gander_backup_postgres_dump (&f->job, &error));

  /* an open transaction of the live session that has read table a */
  ASSERT_OK (gander_database_begin (f->database, NULL, &error));
  ASSERT_OK (gander_database_exec (f->database, "SELECT count(*) FROM a", NULL, &error));
  f->job.lock_wait_timeout_ms = 0;
  started = g_get_monotonic_time ();
  g_assert_false (gander_backup_postgres_restore (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "nothing was changed"));
  /* names the table and says what to do */
  g_assert_nonnull (strstr (error->message, "a lock on table "));
  g_assert_nonnull (strstr (error->message, "Gander's own connection"));
  g_assert_nonnull (strstr (error->message, "commit or roll back that transaction"));
  /* found by the watch (one tick), not by a timeout */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_TIME_SPAN_SECOND);
  g_clear_error (&error);
  ASSERT_OK (gander_database_rollback (f->database, &error));
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  DumpThread t = { &f->job, NULL, FALSE };
  GThread *thread;
  PGconn *locker;
  gint64 started, deadline;

  SKIP_IF_NO_SERVER (f);
  create_schema (f);
  open_database (f, f->dsn);
  job_init (f, GANDER_BACKUP_VERIFY_QUICK);
  f->job.cancellable = cancellable;

  locker = lock_table_a (f);
  thread = g_thread_new ("dump", dump_thread, &t);
  wait_for_blocked_dump (f);
  g_assert_cmpint (find_child ("pg_dump"), >, 0);

  started = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_false (t.ok);
  g_assert_error (t.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", t.error->message);
  g_clear_error (&t.error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (find_child ("pg_dump"), ==, 0);

  /* its session stops waiting for the lock, which we still hold: pg_dump
   * cancelled its query on SIGTERM (after a SIGKILL the server session
   * would wait on until the lock is released) */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (pg_dump_sessions (f, "") != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  PQfinish (locker);

  /* a cancelled job fails before starting anything */
  g_assert_false (gander_backup_postgres_dump (&f->job, &t.error));
  g_assert_error (t.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&t.error);
}

static void
write_script (const char *path,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
test_pg_dump_too_old (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bindir = g_build_filename (f->tmpdir, "old-bin", NULL);
  g_autofree char *script = g_build_filename (bindir, "pg_dump", NULL);
  g_autofree char *expected = NULL;
  gint64 server_major;

  SKIP_IF_NO_SERVER (f);
  open_database (f, f->dsn);
  job_init (f, GANDER_BACKUP_VERIFY_QUICK);
  server_major = gander_test_query_int ("postgres", f->dsn,
                                        "SELECT current_setting('server_version_num')::int / 10000");
  g_assert_cmpint (server_major, >=, 10);

  /* an empty pg-bindir */
  g_assert_cmpint (g_mkdir (bindir, 0755), ==, 0);
  f->job.pg_bindir = bindir;
  g_assert_false (gander_backup_postgres_dump (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_assert_nonnull (strstr (error->message, "no pg_dump in pg-bindir="));
  g_assert_nonnull (strstr (error->message, bindir));
  g_clear_error (&error);

  /* a pg_dump of PostgreSQL 9.6, which would fail if it were asked to dump */
  write_script (script, "#!/bin/sh\n"
                        "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 9.6.24'; exit 0; fi\n"
                        "echo 'should not have been run' >&2; exit 3\n");
  g_assert_false (gander_backup_postgres_dump (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "pg_dump (PostgreSQL) 9.6.24"));
  expected = g_strdup_printf ("older than the PostgreSQL %" G_GINT64_FORMAT " server", server_major);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("postgresql-client-%" G_GINT64_FORMAT, server_major);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_nonnull (strstr (error->message, "pg-bindir="));
  g_assert_false (g_file_test (f->archive, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* a newer one is fine as far as versions go (and then its failure shows) */
  write_script (script, "#!/bin/sh\n"
                        "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 99.1'; exit 0; fi\n"
                        "echo \"pg_dump: error: no dump today ($*)\" >&2; exit 3\n");
  g_assert_false (gander_backup_postgres_dump (&f->job, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "exit status 3"));
  g_assert_nonnull (strstr (error->message, "pg_dump: error: no dump today"));
}

/* ------------------------------------------------------------------ */
/* Through GanderBackup */

static void
progress_changed (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  GArray *values = user_data;
  double progress = gander_backup_get_progress (GANDER_BACKUP (object));

  g_array_append_val (values, progress);
}

/* The whole path through the public object with a password in the URI:
 * manifest and info without it, progress from 0 to 1, a restore. */
static void
test_public_api (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autoptr(GArray) progress = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dsn = NULL;
  g_autofree char *dir = g_build_filename (f->tmpdir, "backups", NULL);
  g_autofree char *manifest = NULL;
  g_autofree char *json = NULL;
  g_autofree char *counts_before = NULL;
  g_autofree char *counts_after = NULL;
  gboolean ok;

  SKIP_IF_NO_SERVER (f);
  create_schema (f);
  dsn = password_dsn (f, TRUE);
  open_database (f, dsn);
  counts_before = row_counts (f);

  backup = gander_backup_new (f->database, dir);
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_FULL);
  g_signal_connect (backup, "notify::progress", G_CALLBACK (progress_changed), progress);
  info = gander_backup_create (backup, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);

  g_assert_cmpstr (gander_backup_info_get_driver (info), ==, "postgres");
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 3);
  g_assert_true (gander_backup_info_get_verified (info));
  g_assert_cmpstr (gander_backup_info_get_verify_method (info), ==, "pg_restore --list, data read");
  g_assert_true (g_str_has_prefix (gander_backup_info_get_tool_version (info), "pg_dump (PostgreSQL) "));
  g_assert_true (g_str_has_suffix (gander_backup_info_get_path (info), ".dump"));
  g_assert_null (strstr (gander_backup_info_get_dsn (info), SECRET));
  assert_mode (gander_backup_info_get_path (info), 0600);
  g_assert_true (g_file_get_contents (gander_backup_info_get_manifest_path (info), &manifest, NULL, NULL));
  g_assert_null (strstr (manifest, SECRET));
  json = gander_backup_info_to_json (info);
  g_assert_null (strstr (json, SECRET));

  g_assert_cmpuint (progress->len, >=, 2);
  g_assert_cmpfloat (g_array_index (progress, double, progress->len - 1), ==, 1.0);
  for (guint i = 1; i < progress->len; i++)
    g_assert_cmpfloat (g_array_index (progress, double, i), >=, g_array_index (progress, double, i - 1));

  gander_test_exec ("postgres", f->dsn, "DELETE FROM b; DELETE FROM goose_db_version WHERE version_id = 3");
  ok = gander_backup_restore (backup, info, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  counts_after = row_counts (f);
  g_assert_cmpstr (counts_after, ==, counts_before);
}

/* A database goose never touched (user tables, no version table) can be
 * backed up: verification does not ask for the version table then; the
 * manifest names the database as host:port/dbname, without password. */
static void
test_no_version_table (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderBackup) backup = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *dir = g_build_filename (f->tmpdir, "backups", NULL);
  g_autofree char *suffix = NULL;
  gboolean ok;

  SKIP_IF_NO_SERVER (f);
  gander_test_exec ("postgres", f->dsn,
                    "CREATE TABLE customers (id serial PRIMARY KEY, name text);"
                    "INSERT INTO customers (name) VALUES ('a'), ('b');");
  dsn = password_dsn (f, TRUE);
  open_database (f, dsn);
  g_assert_false (gander_database_version_table_exists (f->database, &error));
  g_assert_no_error (error);

  backup = gander_backup_new (f->database, dir);
  gander_backup_set_verify (backup, GANDER_BACKUP_VERIFY_QUICK);
  info = gander_backup_create (backup, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpint (gander_backup_info_get_version (info), ==, 0);
  g_assert_true (gander_backup_info_get_verified (info));
  /* host:port/dbname from the live connection */
  suffix = g_strconcat ("/", f->dbname, NULL);
  g_assert_nonnull (gander_backup_info_get_database (info));
  g_assert_true (g_str_has_suffix (gander_backup_info_get_database (info), suffix));
  g_assert_nonnull (strchr (gander_backup_info_get_database (info), ':'));
  g_assert_null (strstr (gander_backup_info_get_database (info), SECRET));

  /* verified again later, from the manifest */
  ok = gander_backup_verify (backup, info, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/backup-postgres/round-trip", Fixture, NULL,
              fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/backup-postgres/verify-damaged", Fixture, NULL,
              fixture_setup, test_verify_damaged, fixture_teardown);
  g_test_add ("/backup-postgres/password-hidden", Fixture, NULL,
              fixture_setup, test_password_hidden, fixture_teardown);
  g_test_add ("/backup-postgres/lock-timeout", Fixture, NULL,
              fixture_setup, test_lock_timeout, fixture_teardown);
  g_test_add ("/backup-postgres/self-block", Fixture, NULL,
              fixture_setup, test_self_block, fixture_teardown);
  g_test_add ("/backup-postgres/cancel", Fixture, NULL,
              fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/backup-postgres/pg-dump-too-old", Fixture, NULL,
              fixture_setup, test_pg_dump_too_old, fixture_teardown);
  g_test_add ("/backup-postgres/public-api", Fixture, NULL,
              fixture_setup, test_public_api, fixture_teardown);
  g_test_add ("/backup-postgres/no-version-table", Fixture, NULL,
              fixture_setup, test_no_version_table, fixture_teardown);
  return gander_test_run ();
}
