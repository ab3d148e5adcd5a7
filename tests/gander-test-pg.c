/* gander-test-pg.c: a temporary PostgreSQL server for the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <gio/gio.h>

#include "gander-test-pg.h"

/* Child test processes (g_test_trap_subprocess) find the parent's server
 * through these instead of starting their own. */
#define ENV_SOCKET_DIR "GANDER_TEST_PG_SOCKET_DIR"
#define ENV_PORT "GANDER_TEST_PG_PORT"

#define START_ATTEMPTS 3

typedef struct
{
  gboolean       probed;        /* binaries looked for */
  char          *bindir;
  char          *skip_reason;
  GStrv          run_as;        /* argv prefix that becomes `postgres` */
  uid_t          uid;
  gid_t          gid;

  gboolean       started;       /* a server is usable (ours or the parent's) */
  gboolean       owned;         /* we started it and must stop it */
  char          *start_error;   /* why it could not start: do not retry */
  char          *basedir;       /* private 0700 directory holding everything */
  char          *datadir;
  char          *socket_dir;
  char          *logfile;
  guint          port;
  GSubprocess   *watchdog;
  guint          n_databases;
} PgServer;

static PgServer server;
static GRecMutex server_lock;

static gboolean
in_ci (void)
{
  const char *ci = g_getenv ("CI");

  return ci != NULL && *ci != '\0' && g_ascii_strcasecmp (ci, "false") != 0 &&
         !g_str_equal (ci, "0");
}

static gboolean
is_server_bindir (const char *dir)
{
  static const char * const needed[] = { "initdb", "pg_ctl", "postgres" };

  for (gsize i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autofree char *path = g_build_filename (dir, needed[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return FALSE;
    }
  return TRUE;
}

static char *
find_bindir (void)
{
  const char *env = g_getenv ("GANDER_PG_BINDIR");
  g_autofree char *pg_config = g_find_program_in_path ("pg_config");
  g_autoptr(GDir) dir = NULL;
  g_autofree char *best = NULL;
  long best_version = -1;
  const char *name;

  if (env != NULL && *env != '\0')
    return is_server_bindir (env) ? g_strdup (env) : NULL;

  /* Debian keeps initdb and pg_ctl off PATH; pg_config knows where */
  if (pg_config != NULL)
    {
      const char *argv[] = { pg_config, "--bindir", NULL };
      g_autofree char *out = NULL;
      int status = 0;

      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &out, NULL, &status, NULL) &&
          g_spawn_check_wait_status (status, NULL))
        {
          g_strstrip (out);
          if (is_server_bindir (out))
            return g_steal_pointer (&out);
        }
    }

  dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *bin = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
      long version = strtol (name, NULL, 10);

      if (version > best_version && is_server_bindir (bin))
        {
          best_version = version;
          g_free (best);
          best = g_steal_pointer (&bin);
        }
    }
  if (best != NULL)
    return g_steal_pointer (&best);

  /* some distributions put everything on PATH */
  {
    g_autofree char *initdb = g_find_program_in_path ("initdb");

    if (initdb != NULL)
      {
        g_autofree char *bin = g_path_get_dirname (initdb);

        if (is_server_bindir (bin))
          return g_steal_pointer (&bin);
      }
  }
  return NULL;
}

static void
probe (void)
{
  g_autoptr(GPtrArray) run_as = NULL;
  struct passwd *pw;
  char *tool;

  if (server.probed)
    return;
  server.probed = TRUE;

  server.bindir = find_bindir ();
  if (server.bindir == NULL)
    {
      server.skip_reason = g_strdup ("the PostgreSQL server binaries (initdb, pg_ctl, "
                                     "postgres) are not installed; set GANDER_PG_BINDIR "
                                     "or install postgresql");
      return;
    }

  run_as = g_ptr_array_new_with_free_func (g_free);
  server.uid = geteuid ();
  server.gid = getegid ();
  if (geteuid () == 0)
    {
      /* initdb and postgres refuse to run as root */
      pw = getpwnam ("postgres");
      if (pw == NULL)
        {
          server.skip_reason = g_strdup ("running as root, but there is no `postgres` "
                                         "user to run the PostgreSQL server as");
          g_clear_pointer (&server.bindir, g_free);
          return;
        }
      server.uid = pw->pw_uid;
      server.gid = pw->pw_gid;
      if ((tool = g_find_program_in_path ("setpriv")) != NULL)
        {
          g_ptr_array_add (run_as, tool);
          g_ptr_array_add (run_as, g_strdup ("--reuid=postgres"));
          g_ptr_array_add (run_as, g_strdup ("--regid=postgres"));
          g_ptr_array_add (run_as, g_strdup ("--init-groups"));
          g_ptr_array_add (run_as, g_strdup ("--"));
        }
      else if ((tool = g_find_program_in_path ("runuser")) != NULL)
        {
          g_ptr_array_add (run_as, tool);
          g_ptr_array_add (run_as, g_strdup ("-u"));
          g_ptr_array_add (run_as, g_strdup ("postgres"));
          g_ptr_array_add (run_as, g_strdup ("--"));
        }
      else
        {
          server.skip_reason = g_strdup ("running as root, but neither setpriv nor "
                                         "runuser is there to run the server as `postgres`");
          g_clear_pointer (&server.bindir, g_free);
          return;
        }
    }
  g_ptr_array_add (run_as, NULL);
  server.run_as = (GStrv) g_ptr_array_free (g_steal_pointer (&run_as), FALSE);
}

gboolean
gander_test_pg_available (void)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);
  const char *socket_dir = g_getenv (ENV_SOCKET_DIR);

  if (socket_dir != NULL && *socket_dir != '\0')
    return TRUE;
  probe ();
  return server.bindir != NULL;
}

const char *
gander_test_pg_skip_reason (void)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);

  probe ();
  if (server.start_error != NULL)
    return server.start_error;
  return server.skip_reason != NULL ? server.skip_reason : "PostgreSQL is available";
}

/* Runs argv (prefixed with run_as when @as_postgres), returning its merged
 * output in *@output. */
static gboolean
run_tool (gboolean             as_postgres,
          const char * const  *argv,
          char               **output,
          GError             **error)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;

  if (as_postgres)
    for (char **p = server.run_as; *p != NULL; p++)
      g_ptr_array_add (full, *p);
  for (const char * const *p = argv; *p != NULL; p++)
    g_ptr_array_add (full, (gpointer) *p);
  g_ptr_array_add (full, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  /* the postgres user must be able to stand in its working directory */
  if (server.basedir != NULL)
    g_subprocess_launcher_set_cwd (launcher, server.basedir);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full->pdata, error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return FALSE;
  if (output != NULL)
    *output = g_strdup (out != NULL ? out : "");
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *command = g_strjoinv (" ", (char **) full->pdata);

      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "`%s` failed:\n%s", command, out != NULL ? out : "");
      return FALSE;
    }
  return TRUE;
}

static guint
pick_free_port (GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return 0;
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_bind (socket, address, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
become_session_leader (gpointer user_data)
{
  /* out of the test's process group, so the signal that kills a timed-out
   * test does not kill the watchdog before it cleaned up */
  setsid ();
}

/* A process that waits for EOF on a pipe only we hold the write end of (it
 * is close-on-exec, so no other child inherits it), then stops the server
 * and removes its directory: a killed or crashed test still cleans up. */
static gboolean
start_watchdog (GError **error)
{
  static const char script[] =
    "trap '' HUP INT TERM PIPE\n"
    "cat >/dev/null\n"
    "dir=$1; shift\n"
    "\"$@\" >/dev/null 2>&1\n"
    "rm -rf \"$dir\"\n";
  g_autofree char *pg_ctl = g_build_filename (server.bindir, "pg_ctl", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  g_ptr_array_add (argv, (gpointer) "/bin/sh");
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) script);
  g_ptr_array_add (argv, (gpointer) "gander-test-pg-watchdog");
  g_ptr_array_add (argv, server.basedir);
  for (char **p = server.run_as; *p != NULL; p++)
    g_ptr_array_add (argv, *p);
  g_ptr_array_add (argv, pg_ctl);
  g_ptr_array_add (argv, (gpointer) "-D");
  g_ptr_array_add (argv, server.datadir);
  g_ptr_array_add (argv, (gpointer) "-m");
  g_ptr_array_add (argv, (gpointer) "immediate");
  g_ptr_array_add (argv, (gpointer) "-w");
  g_ptr_array_add (argv, (gpointer) "stop");
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, become_session_leader, NULL, NULL);
  g_subprocess_launcher_set_cwd (launcher, "/");
  server.watchdog = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  error);
  return server.watchdog != NULL;
}

static char *
read_log_tail (void)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (server.logfile == NULL ||
      !g_file_get_contents (server.logfile, &contents, &length, NULL))
    return g_strdup ("(no server log)");
  if (length > 2000)
    return g_strdup (contents + length - 2000);
  return g_steal_pointer (&contents);
}

static gboolean
init_cluster (GError **error)
{
  g_autofree char *initdb = g_build_filename (server.bindir, "initdb", NULL);
  const char * const argv[] = {
    initdb, "-D", server.datadir, "-U", "postgres",
    /* sockets trusted, TCP by password: tests of authentication use TCP */
    "--auth-local=trust", "--auth-host=scram-sha-256",
    "-N", "-E", "UTF8", "--locale=C",
    NULL
  };

  return run_tool (TRUE, argv, NULL, error);
}

static gboolean
start_postmaster (GError **error)
{
  g_autofree char *pg_ctl = g_build_filename (server.bindir, "pg_ctl", NULL);
  g_autofree char *quoted_dir = g_shell_quote (server.socket_dir);
  g_autofree char *options = NULL;

  options = g_strdup_printf ("-p %u -k %s -c listen_addresses=127.0.0.1 "
                             "-c fsync=off -c full_page_writes=off "
                             "-c synchronous_commit=off",
                             server.port, quoted_dir);
  {
    const char * const argv[] = {
      pg_ctl, "-D", server.datadir, "-l", server.logfile, "-w", "-t", "60",
      "-o", options, "start", NULL
    };
    g_autoptr(GError) local_error = NULL;

    if (run_tool (TRUE, argv, NULL, &local_error))
      return TRUE;

    {
      g_autofree char *log = read_log_tail ();

      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s\nserver log:\n%s",
                   local_error->message, log);
    }
    return FALSE;
  }
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, NULL, NULL);
}

static void
export_environment (void)
{
  g_autofree char *port = g_strdup_printf ("%u", server.port);
  static const char * const unset[] = {
    "PGHOSTADDR", "PGPASSWORD", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS",
    "PGAPPNAME", "PGSSLMODE", "PGREQUIRESSL", "PGTARGETSESSIONATTRS",
    "PGCLIENTENCODING", "PGTZ", "PGDATESTYLE",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (unset); i++)
    g_unsetenv (unset[i]);
  g_setenv ("PGHOST", server.socket_dir, TRUE);
  g_setenv ("PGPORT", port, TRUE);
  g_setenv ("PGUSER", "postgres", TRUE);
  g_setenv ("PGDATABASE", "postgres", TRUE);
  g_setenv (ENV_SOCKET_DIR, server.socket_dir, TRUE);
  g_setenv (ENV_PORT, port, TRUE);
}

static void
stop_at_exit (void)
{
  gander_test_pg_stop ();
}

static gboolean
start_own_server (GError **error)
{
  static gboolean atexit_registered;
  g_autoptr(GError) last_error = NULL;

  server.basedir = g_dir_make_tmp ("gander-pg-XXXXXX", error);
  if (server.basedir == NULL)
    return FALSE;
  if (geteuid () == 0 && chown (server.basedir, server.uid, server.gid) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot give %s to the postgres user: %s",
                   server.basedir, g_strerror (saved_errno));
      remove_tree (server.basedir);
      return FALSE;
    }
  server.datadir = g_build_filename (server.basedir, "data", NULL);
  server.socket_dir = g_strdup (server.basedir);
  server.logfile = g_build_filename (server.basedir, "server.log", NULL);
  server.owned = TRUE;

  if (!atexit_registered)
    {
      atexit (stop_at_exit);
      atexit_registered = TRUE;
    }

  /* setenv() is only safe before GSubprocess starts GLib's worker thread:
   * export now, with the first port we try */
  server.port = pick_free_port (error);
  if (server.port == 0)
    {
      remove_tree (server.basedir);
      return FALSE;
    }
  export_environment ();

  if (!start_watchdog (error))
    {
      remove_tree (server.basedir);
      return FALSE;
    }
  if (!init_cluster (error))
    return FALSE;

  /* another program may take the port between our probe and the bind */
  for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
    {
      if (attempt > 0)
        {
          g_clear_error (&last_error);
          server.port = pick_free_port (&last_error);
          if (server.port == 0)
            continue;
          export_environment ();
        }
      if (start_postmaster (&last_error))
        {
          g_test_message ("PostgreSQL test server on %s, port %u",
                          server.socket_dir, server.port);
          return TRUE;
        }
    }
  g_propagate_error (error, g_steal_pointer (&last_error));
  return FALSE;
}

gboolean
gander_test_pg_start (GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);
  const char *parent_dir = g_getenv (ENV_SOCKET_DIR);
  const char *parent_port = g_getenv (ENV_PORT);
  g_autoptr(GError) local_error = NULL;

  if (server.started)
    return TRUE;
  if (server.start_error != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, server.start_error);
      return FALSE;
    }

  /* a parent test process's server */
  if (parent_dir != NULL && parent_port != NULL)
    {
      guint port = (guint) strtoul (parent_port, NULL, 10);
      g_autofree char *socket = g_strdup_printf ("%s/.s.PGSQL.%u", parent_dir, port);

      if (g_file_test (socket, G_FILE_TEST_EXISTS))
        {
          server.socket_dir = g_strdup (parent_dir);
          server.port = port;
          server.owned = FALSE;
          server.started = TRUE;
          probe ();
          return TRUE;
        }
    }

  probe ();
  if (server.bindir == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, server.skip_reason);
      return FALSE;
    }

  if (!start_own_server (&local_error))
    {
      server.start_error = g_strdup_printf ("cannot start the PostgreSQL test server: %s",
                                            local_error->message);
      gander_test_pg_stop ();
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, server.start_error);
      return FALSE;
    }
  server.started = TRUE;
  return TRUE;
}

static char *
quote_value (const char *value)
{
  GString *out = g_string_new ("'");

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

char *
gander_test_pg_find_program (const char *name)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);
  char *path;

  if (!gander_test_pg_start (NULL))
    return NULL;
  path = server.bindir != NULL ? g_build_filename (server.bindir, name, NULL) : NULL;
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (path);
      path = g_find_program_in_path (name);
    }
  return path;
}

gboolean
gander_test_pg_exec (const char  *dbname,
                     const char  *sql,
                     GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);
  g_autofree char *psql = NULL;
  g_autofree char *port = NULL;

  if (!gander_test_pg_start (error))
    return FALSE;

  psql = server.bindir != NULL ? g_build_filename (server.bindir, "psql", NULL) : NULL;
  if (psql == NULL || !g_file_test (psql, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (psql);
      psql = g_find_program_in_path ("psql");
    }
  if (psql == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "psql is not installed");
      return FALSE;
    }

  port = g_strdup_printf ("%u", server.port);
  {
    const char * const argv[] = {
      psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
      "-h", server.socket_dir, "-p", port, "-U", "postgres",
      "-d", dbname != NULL ? dbname : "postgres",
      "-c", sql, NULL
    };

    return run_tool (FALSE, argv, NULL, error);
  }
}

char *
gander_test_pg_create_database (void)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *host = NULL;

  if (!gander_test_pg_start (&error))
    {
      /* only a machine without PostgreSQL may skip, and never in CI */
      if (server.bindir == NULL && server.start_error == NULL && !in_ci ())
        return NULL;
      g_error ("PostgreSQL tests cannot run%s: %s",
               in_ci () ? " (CI is set, so this is a failure, not a skip)" : "",
               error->message);
    }

  name = g_strdup_printf ("gander_test_%ld_%u", (long) getpid (), ++server.n_databases);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  if (!gander_test_pg_exec ("postgres", sql, &error))
    g_error ("cannot create the test database %s: %s", name, error->message);

  host = quote_value (server.socket_dir);
  return g_strdup_printf ("host=%s port=%u user=postgres dbname=%s",
                          host, server.port, name);
}

char *
gander_test_pg_dbname_from_dsn (const char *dsn)
{
  const char *p = strstr (dsn, "dbname=");
  const char *end;

  if (p == NULL)
    return NULL;
  p += strlen ("dbname=");
  end = p + strcspn (p, " \t");
  return g_strndup (p, end - p);
}

const char *
gander_test_pg_get_socket_dir (void)
{
  return server.started ? server.socket_dir : NULL;
}

guint
gander_test_pg_get_port (void)
{
  return server.started ? server.port : 0;
}

char *
gander_test_pg_strip_restrict (char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], "\\restrict ") &&
        !g_str_has_prefix (lines[i], "\\unrestrict "))
      g_string_append_printf (out, "%s\n", lines[i]);
  g_free (text);
  return g_string_free (out, FALSE);
}

void
gander_test_pg_stop (void)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&server_lock);

  if (!server.owned)
    {
      server.started = FALSE;
      return;
    }

  if (server.datadir != NULL && g_file_test (server.datadir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *pg_ctl = g_build_filename (server.bindir, "pg_ctl", NULL);
      const char * const argv[] = {
        pg_ctl, "-D", server.datadir, "-m", "immediate", "-w", "stop", NULL
      };
      g_autofree char *pidfile = g_build_filename (server.datadir, "postmaster.pid", NULL);

      if (g_file_test (pidfile, G_FILE_TEST_EXISTS))
        run_tool (TRUE, argv, NULL, NULL);
    }

  /* closing the pipe lets the watchdog finish: it finds the server
   * stopped and removes the directory */
  if (server.watchdog != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (server.watchdog), NULL, NULL);
      g_subprocess_wait (server.watchdog, NULL, NULL);
      g_clear_object (&server.watchdog);
    }
  if (server.basedir != NULL)
    remove_tree (server.basedir);

  /* the exported PG* variables stay: children check that the socket
   * exists before using a server */
  g_clear_pointer (&server.basedir, g_free);
  g_clear_pointer (&server.datadir, g_free);
  g_clear_pointer (&server.socket_dir, g_free);
  g_clear_pointer (&server.logfile, g_free);
  server.port = 0;
  server.owned = FALSE;
  server.started = FALSE;
}
