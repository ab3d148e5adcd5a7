/* gander-backup-postgres.c: GanderBackup's PostgreSQL engine (pg_dump,
 * pg_restore)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gander-backup-private.h"
#include "gander-database-private.h"
#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-libpq-private.h"
#include "gander-postgres-private.h"

/* The engine runs the PostgreSQL client programs as child processes, in
 * the caller's (worker) thread:
 *
 * - the programs: #GanderBackup:pg-bindir, else `pg_config --bindir`,
 *   else PATH. pg_dump refuses a server of a newer major version, so the
 *   dump compares the two first and names what to install;
 * - the connection: the database's connection string parsed by libpq and
 *   written back in keyword=value form without its password, plus the
 *   `dbname` of the live session when the string has none (so a DSN left
 *   to the environment reaches the same database). The password (set on
 *   the database, in the string, or the one libpq found for the live
 *   session: `PGPASSWORD`, `.pgpass`) goes into a PGPASSFILE of mode 0600
 *   in a private 0700 directory that lives only as long as the child.
 *   Neither the child's argv nor its environment ever holds it, and
 *   `PGPASSWORD` is removed from every child's environment;
 * - a cancel sends SIGTERM (pg_dump and pg_restore then cancel their
 *   server query, so the server session does not linger on a lock wait)
 *   and after a grace period SIGKILL (g_subprocess_force_exit());
 * - stderr is kept and, with every form of the password scrubbed and
 *   gander_dsn_mask() applied, ends up in the error message. */

/* How long a child has after SIGTERM before it is killed. */
#define TERMINATE_GRACE_MS 2000
/* How often the dump's progress estimate looks at the archive. */
#define PROGRESS_INTERVAL_MS 250
/* Beyond this the tool's stderr is cut in error messages. */
#define MAX_STDERR_IN_MESSAGE 2000

/* ------------------------------------------------------------------ */
/* Facts about the live session */

typedef struct
{
  guint  server_version_num;
  char  *server_version;
  char  *dbname;
  gint64 database_size;
} ServerFacts;

static void
server_facts_clear (ServerFacts *facts)
{
  g_clear_pointer (&facts->server_version, g_free);
  g_clear_pointer (&facts->dbname, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServerFacts, server_facts_clear)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static GanderPostgresDatabase *
live_database (GanderBackupJob  *job,
               GError          **error)
{
  if (!GANDER_IS_POSTGRES_DATABASE (job->database) ||
      gander_postgres_database_get_connection (GANDER_POSTGRES_DATABASE (job->database)) == NULL)
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                           _("the PostgreSQL backup needs an open connection to the database"));
      return NULL;
    }
  return GANDER_POSTGRES_DATABASE (job->database);
}

/* A few facts from the live session (never user data). */
static gboolean
read_server_facts (GanderBackupJob  *job,
                   ServerFacts      *facts,
                   GError          **error)
{
  static const char sql[] =
    "SELECT current_setting('server_version_num'), current_setting('server_version'), "
    "current_database(), pg_database_size(current_database())";
  GanderPostgresDatabase *db = GANDER_POSTGRES_DATABASE (job->database);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PGresult) res = gander_postgres_database_query (db, sql, 0, NULL, job->cancellable,
                                                            &local_error);

  if (res == NULL || PQntuples (res) != 1)
    {
      if (gander_error_is_cancelled (local_error))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("cannot read the server version before the backup: %s"),
                     local_error != NULL ? local_error->message : "no row");
      return FALSE;
    }
  facts->server_version_num = (guint) g_ascii_strtoull (PQgetvalue (res, 0, 0), NULL, 10);
  facts->server_version = g_strdup (PQgetvalue (res, 0, 1));
  facts->dbname = g_strdup (PQgetvalue (res, 0, 2));
  facts->database_size = g_ascii_strtoll (PQgetvalue (res, 0, 3), NULL, 10);
  return TRUE;
}

/* The schema version the database is at: the highest version_id of
 * goose's version table, as the migrator counts it (0 without a table). */
static gboolean
read_schema_version (GanderDatabase  *database,
                     gint64          *version,
                     gboolean        *has_table,
                     GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) rows = NULL;

  *version = 0;
  *has_table = FALSE;
  if (!gander_database_version_table_exists (database, &local_error))
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *has_table = TRUE;
  rows = gander_database_list_versions (database, error);
  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    *version = MAX (*version, g_array_index (rows, GanderVersionRow, i).version_id);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Versions: 150004 for 15.4, 90624 for 9.6.24, as server_version_num */

static guint
parse_version_num (const char *text)
{
  const char *p;
  char *end = NULL;
  guint64 major, minor = 0;

  /* "pg_dump (PostgreSQL) 15.4 (Debian 15.4-1)": the first word that
   * starts with a digit */
  for (p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p) && (p == text || *(p - 1) == ' '))
      break;
  if (*p == '\0')
    return 0;
  major = g_ascii_strtoull (p, &end, 10);
  if (major == 0 || major > 999)
    return 0;
  if (major >= 10)
    return (guint) major * 10000;
  if (*end == '.')
    minor = g_ascii_strtoull (end + 1, NULL, 10);
  return (guint) (major * 10000 + MIN (minor, 99) * 100);
}

/* What decides compatibility: 1500 for 15.x, 906 for 9.6.x */
static guint
major_key (guint version_num)
{
  return version_num >= 100000 ? version_num / 10000 * 100 : version_num / 100;
}

/* "15", or "9.6" before PostgreSQL 10 */
static char *
major_text (guint version_num)
{
  if (version_num >= 100000)
    return g_strdup_printf ("%u", version_num / 10000);
  return g_strdup_printf ("%u.%u", version_num / 10000, version_num / 100 % 100);
}

/* ------------------------------------------------------------------ */
/* Child processes */

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* the one place a password could travel in the environment */
  g_subprocess_launcher_unsetenv (launcher, "PGPASSWORD");
  return launcher;
}

/* The first line a program prints on stdout, or NULL. For pg_config and
 * --version: quick, no connection. */
static char *
first_line_of_output (const char * const  *argv,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *text = NULL;
  char *newline;

  proc = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (proc == NULL)
    return NULL;
  if (!g_subprocess_communicate (proc, NULL, cancellable, &out, NULL, error))
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      return NULL;
    }
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("%s failed"), argv[0]);
      return NULL;
    }
  text = g_utf8_make_valid (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  newline = strchr (text, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (text);
  if (*text == '\0')
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("%s printed nothing"), argv[0]);
      return NULL;
    }
  return g_steal_pointer (&text);
}

static gboolean
is_program (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) &&
         !g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* pg_dump or pg_restore: pg-bindir, else `pg_config --bindir`, else PATH */
static char *
find_tool (GanderBackupJob  *job,
           const char       *name,
           GError          **error)
{
  g_autofree char *pg_config = NULL;
  g_autofree char *config_bindir = NULL;
  g_autofree char *path = NULL;

  if (job->pg_bindir != NULL && *job->pg_bindir != '\0')
    {
      path = g_build_filename (job->pg_bindir, name, NULL);
      if (is_program (path))
        return g_steal_pointer (&path);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("there is no %s in pg-bindir=%s: set pg-bindir= to the bin "
                     "directory of a PostgreSQL client installation "
                     "(e.g. /usr/lib/postgresql/16/bin), or unset it to use "
                     "`pg_config --bindir` and PATH"),
                   name, job->pg_bindir);
      return NULL;
    }

  pg_config = g_find_program_in_path ("pg_config");
  if (pg_config != NULL)
    {
      const char * const argv[] = { pg_config, "--bindir", NULL };
      g_autoptr(GError) local_error = NULL;

      config_bindir = first_line_of_output (argv, job->cancellable, &local_error);
      if (gander_error_is_cancelled (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (config_bindir != NULL)
        {
          path = g_build_filename (config_bindir, name, NULL);
          if (is_program (path))
            return g_steal_pointer (&path);
          g_clear_pointer (&path, g_free);
        }
      else
        g_debug ("pg_config --bindir: %s", local_error->message);
    }

  path = g_find_program_in_path (name);
  if (path != NULL)
    return g_steal_pointer (&path);

  g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
               _("%s was not found (looked in %s and in PATH): install the "
                 "PostgreSQL client programs (Debian: postgresql-client) or set "
                 "pg-bindir= to the directory that has %s"),
               name,
               config_bindir != NULL ? config_bindir : _("`pg_config --bindir`"),
               name);
  return NULL;
}

/* The first line of `TOOL --version` and its version number. */
static gboolean
tool_version (GanderBackupJob  *job,
              const char       *path,
              char            **text,
              guint            *version_num,
              GError          **error)
{
  const char * const argv[] = { path, "--version", NULL };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *line = first_line_of_output (argv, job->cancellable, &local_error);

  if (line == NULL)
    {
      if (gander_error_is_cancelled (local_error))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("cannot tell the version of %s (`%s --version`: %s): "
                       "set pg-bindir= to the bin directory of a working PostgreSQL "
                       "client installation"),
                     path, path, local_error->message);
      return FALSE;
    }
  *version_num = parse_version_num (line);
  if (*version_num == 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot tell the version of %s: `%s --version` printed “%s”"),
                   path, path, line);
      return FALSE;
    }
  *text = g_steal_pointer (&line);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The child's connection: conninfo without password, a private PGPASSFILE */

typedef struct
{
  char  *conninfo;   /* keyword=value, never a password */
  char  *password;   /* nullable */
  /* forms of secrets to scrub from the tools' output */
  GPtrArray *secrets;
  char  *tmpdir;     /* 0700, holds the passfile */
  char  *passfile;   /* 0600 */
} ChildConnection;

static void
wipe_string (char *text)
{
  if (text != NULL)
    {
      memset (text, 0, strlen (text));
      g_free (text);
    }
}

static void
child_connection_clear (ChildConnection *cc)
{
  if (cc->passfile != NULL && g_unlink (cc->passfile) != 0 && errno != ENOENT)
    g_warning ("cannot remove the temporary password file %s: %s",
               cc->passfile, g_strerror (errno));
  if (cc->tmpdir != NULL && g_rmdir (cc->tmpdir) != 0 && errno != ENOENT)
    g_warning ("cannot remove the temporary directory %s: %s",
               cc->tmpdir, g_strerror (errno));
  g_clear_pointer (&cc->passfile, g_free);
  g_clear_pointer (&cc->tmpdir, g_free);
  g_clear_pointer (&cc->conninfo, g_free);
  g_clear_pointer (&cc->password, wipe_string);
  g_clear_pointer (&cc->secrets, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChildConnection, child_connection_clear)

static void
add_secret (ChildConnection *cc,
            const char      *secret)
{
  if (secret != NULL && *secret != '\0')
    g_ptr_array_add (cc->secrets, g_strdup (secret));
}

/* keyword='value', quoted the way libpq reads it */
static void
append_conninfo (GString    *conninfo,
                 const char *keyword,
                 const char *value)
{
  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');
  g_string_append (conninfo, keyword);
  g_string_append (conninfo, "='");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

/* The URI's password as written (percent-encoded), for scrubbing. */
static char *
dup_raw_uri_password (const char *dsn)
{
  const char *authority, *end, *colon;

  if (!g_str_has_prefix (dsn, "postgresql://") && !g_str_has_prefix (dsn, "postgres://"))
    return NULL;
  authority = strstr (dsn, "://") + 3;
  end = authority + strcspn (authority, "@/");
  if (*end != '@')
    return NULL;
  colon = memchr (authority, ':', end - authority);
  if (colon == NULL || colon + 1 == end)
    return NULL;
  return g_strndup (colon + 1, end - colon - 1);
}

/* A passfile line matching every host, port, database and user: the
 * file only ever serves this one child. */
static char *
passfile_line (const char *password)
{
  GString *line = g_string_new ("*:*:*:*:");

  for (const char *p = password; *p != '\0'; p++)
    {
      if (*p == ':' || *p == '\\')
        g_string_append_c (line, '\\');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '\n');
  return g_string_free (line, FALSE);
}

static gboolean
write_passfile (ChildConnection  *cc,
                GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  char *line = NULL;
  gsize len, done = 0;
  int fd;

  cc->tmpdir = g_dir_make_tmp ("gander-pgpass-XXXXXX", &local_error);
  if (cc->tmpdir == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot create a private directory for the PostgreSQL password file: %s"),
                   local_error->message);
      return FALSE;
    }
  /* g_dir_make_tmp() makes it 0700; say so in case of an odd umask */
  g_chmod (cc->tmpdir, 0700);
  cc->passfile = g_build_filename (cc->tmpdir, "pgpass", NULL);
  fd = g_open (cc->passfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot create the PostgreSQL password file %s: %s"),
                   cc->passfile, g_strerror (saved));
      g_clear_pointer (&cc->passfile, g_free);
      return FALSE;
    }
  line = passfile_line (cc->password);
  len = strlen (line);
  while (done < len)
    {
      gssize n = write (fd, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  wipe_string (line);
  if (done < len || close (fd) != 0)
    {
      int saved = errno;

      if (done < len)
        close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot write the PostgreSQL password file %s: %s"),
                   cc->passfile, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Builds the child's conninfo and, when there is a password, its passfile. */
static gboolean
child_connection_prepare (ChildConnection   *cc,
                          GanderBackupJob   *job,
                          PGconn            *conn,
                          const ServerFacts *facts,
                          const char        *application_name,
                          GError           **error)
{
  const char *dsn = gander_database_get_connect_dsn (job->database);
  const char *set_password = gander_database_get_password (job->database);
  g_autoptr(GString) conninfo = g_string_new (NULL);
  g_autofree char *raw_uri_password = NULL;
  g_autofree char *dsn_password = NULL;
  char *message = NULL;
  PQconninfoOption *options;
  gboolean have_dbname = FALSE;

  cc->secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) wipe_string);
  if (dsn == NULL)
    dsn = "";
  raw_uri_password = dup_raw_uri_password (dsn);
  add_secret (cc, raw_uri_password);

  options = PQconninfoParse (dsn, &message);
  if (options == NULL)
    {
      g_autofree char *display = gander_database_dup_display_dsn (job->database);
      g_autoptr(GString) text = g_string_new (message != NULL ? message : "out of memory");
      g_autofree char *masked = NULL;

      if (message != NULL)
        PQfreemem (message);
      g_strstrip (text->str);
      masked = gander_dsn_mask (text->str);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot pass the connection string (%s) to the PostgreSQL tools: %s"),
                   display, masked);
      return FALSE;
    }

  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL && g_str_equal (o->keyword, "password"))
      dsn_password = g_strdup (o->val);

  /* the live session's password covers PGPASSWORD and .pgpass as well */
  if (set_password != NULL && *set_password != '\0')
    cc->password = g_strdup (set_password);
  else if (dsn_password != NULL && *dsn_password != '\0')
    cc->password = g_strdup (dsn_password);
  else if (PQpass (conn) != NULL && *PQpass (conn) != '\0')
    cc->password = g_strdup (PQpass (conn));
  add_secret (cc, cc->password);
  add_secret (cc, dsn_password);
  add_secret (cc, set_password);
  g_clear_pointer (&dsn_password, wipe_string);

  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (o->val == NULL)
        continue;
      if (g_str_equal (o->keyword, "password"))
        continue;
      /* our passfile must win over the string's own */
      if (g_str_equal (o->keyword, "passfile") && cc->password != NULL)
        continue;
      if (g_str_equal (o->keyword, "sslpassword"))
        {
          PQconninfoFree (options);
          g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                               _("the connection string has an sslpassword, which cannot reach "
                                 "pg_dump without showing it to other users (command line): "
                                 "use a client key without a passphrase for the backup role, "
                                 "or take the backup with pg_dump yourself"));
          return FALSE;
        }
      if (g_str_equal (o->keyword, "application_name") && application_name != NULL)
        continue;
      if (g_str_equal (o->keyword, "dbname"))
        have_dbname = TRUE;
      append_conninfo (conninfo, o->keyword, o->val);
    }
  PQconninfoFree (options);
  if (application_name != NULL)
    append_conninfo (conninfo, "application_name", application_name);
  /* the database the live session is in, whatever the environment says */
  if (!have_dbname && facts->dbname != NULL)
    append_conninfo (conninfo, "dbname", facts->dbname);
  cc->conninfo = g_string_free (g_steal_pointer (&conninfo), FALSE);

  if (cc->password != NULL && !write_passfile (cc, error))
    return FALSE;
  return TRUE;
}

/* The tool's stderr for an error message: secrets scrubbed, passwords in
 * connection strings masked, one line, not too long. */
static char *
clean_output (const ChildConnection *cc,
              GBytes                *bytes)
{
  g_autofree char *text = NULL;
  g_autoptr(GString) s = NULL;
  g_autofree char *masked = NULL;
  char *p;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return g_strdup (_("(no output)"));
  text = g_utf8_make_valid (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  s = g_string_new (text);
  for (guint i = 0; cc != NULL && cc->secrets != NULL && i < cc->secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (cc->secrets, i);
      gsize from = 0;
      const char *hit;

      while ((hit = strstr (s->str + from, secret)) != NULL)
        {
          gsize at = hit - s->str;

          g_string_erase (s, at, strlen (secret));
          g_string_insert (s, at, "xxxxx");
          from = at + 5;
        }
    }
  masked = gander_dsn_mask (s->str);
  g_strstrip (masked);
  /* one line: "pg_dump: error: …; pg_dump: detail: …" */
  g_string_assign (s, "");
  for (p = masked; *p != '\0'; p++)
    {
      if (*p == '\n')
        {
          while (*(p + 1) == '\n')
            p++;
          g_string_append (s, s->len > 0 && s->str[s->len - 1] == ';' ? " " : "; ");
        }
      else if (*p != '\r')
        g_string_append_c (s, *p);
    }
  if (s->len > MAX_STDERR_IN_MESSAGE)
    {
      const char *cut = g_utf8_find_prev_char (s->str, s->str + MAX_STDERR_IN_MESSAGE);

      g_string_truncate (s, cut != NULL ? (gsize) (cut - s->str) : MAX_STDERR_IN_MESSAGE);
      g_string_append (s, "…");
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

typedef struct
{
  GanderBackupJob *job;
  const ChildConnection *cc;   /* nullable */
  const char * const *argv;
  gboolean want_stdout;
  /* progress estimate: the size of @progress_path against @progress_total */
  const char *progress_path;
  gint64 progress_total;
  double last_progress;
  /* lock watch: the child's session (by its application_name) waiting on
   * a lock for longer than @lock_timeout_ms is cancelled through @watch */
  GanderPostgresDatabase *watch;
  const char *watch_application_name;
  guint lock_timeout_ms;
  gint64 waiting_since;
  gboolean lock_timed_out;
  gboolean self_blocked;       /* it waited on a lock of the live session */
  char *waited_for;            /* what it waited for: "table public.a", … */

  /* out */
  GBytes *out;
  GBytes *err;
  int exit_status;             /* -1 when killed by a signal */

  /* internal */
  gboolean done;
  gboolean exited;
  gboolean grace_over;
  GError *error;
} ToolRun;

static void
tool_run_clear (ToolRun *run)
{
  g_clear_pointer (&run->out, g_bytes_unref);
  g_clear_pointer (&run->err, g_bytes_unref);
  g_clear_pointer (&run->waited_for, g_free);
  g_clear_error (&run->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ToolRun, tool_run_clear)

static void
report_progress (GanderBackupJob *job,
                 double           fraction)
{
  if (job->backup != NULL)
    gander_backup_report_progress (job->backup, fraction);
}

static void
communicate_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ToolRun *run = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result,
                                   &run->out, &run->err, &run->error);
  run->done = TRUE;
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ToolRun *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->exited = TRUE;
}

static gboolean
grace_over (gpointer user_data)
{
  ToolRun *run = user_data;

  run->grace_over = TRUE;
  return G_SOURCE_REMOVE;
}

/* The first value of a query on the live session, or NULL. */
static char *
query_value (GanderPostgresDatabase *db,
             const char             *sql,
             const char             *param)
{
  const char * const params[] = { param, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = gander_postgres_database_query (db, sql, param != NULL ? 1 : 0,
                                                            params, NULL, &error);

  if (res == NULL)
    {
      g_debug ("lock watch: %s", error->message);
      return NULL;
    }
  if (PQntuples (res) == 0 || PQgetisnull (res, 0, 0))
    return NULL;
  return g_strdup (PQgetvalue (res, 0, 0));
}

/* The object whose lock the session @pid waits for, for messages: "table
 * public.a", "index public.a_pkey", or the lock type ("transaction id …")
 * for locks on no relation; NULL when it no longer waits. */
static char *
describe_awaited_lock (ToolRun    *run,
                       const char *pid)
{
  return query_value (run->watch,
                      "SELECT CASE WHEN l.relation IS NULL THEN l.locktype "
                      "ELSE CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' "
                      "WHEN 'i' THEN 'index ' WHEN 'I' THEN 'index ' "
                      "WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' "
                      "WHEN 'm' THEN 'materialized view ' ELSE 'relation ' END "
                      "|| l.relation::regclass::text END "
                      "FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation "
                      "WHERE l.pid = $1::int AND NOT l.granted LIMIT 1",
                      pid);
}

/* pg_restore's script sets lock_timeout = 0 first thing, so a table that
 * another session holds would make it wait forever: the live session
 * watches the child's and cancels its statement once it has waited on a
 * lock for longer than lock-wait-timeout. */
static void
watch_locks (ToolRun *run)
{
  /* "PID" or "PID self" when the lock it waits for is the live session's
   * own: we wait for the child, the child for us, and no timeout (not
   * even lock-wait-timeout=0, "no limit") may leave that to run forever */
  g_autofree char *waiting = query_value (run->watch,
                                          "SELECT pid::text || CASE WHEN pg_backend_pid () "
                                          "= ANY (pg_blocking_pids (pid)) THEN ' self' "
                                          "ELSE '' END FROM pg_stat_activity "
                                          "WHERE application_name = $1 "
                                          "AND wait_event_type = 'Lock' LIMIT 1",
                                          run->watch_application_name);
  g_auto(GStrv) parts = NULL;
  const char *pid;
  gboolean self = FALSE;
  gint64 now = g_get_monotonic_time ();

  if (waiting == NULL)
    {
      run->waiting_since = 0;
      return;
    }
  parts = g_strsplit (waiting, " ", 2);
  pid = parts[0];
  self = parts[1] != NULL;
  if (run->waiting_since == 0)
    run->waiting_since = now;
  if (self && !run->self_blocked)
    {
      g_autofree char *done = NULL;

      /* named before the cancel ends the wait */
      g_free (run->waited_for);
      run->waited_for = describe_awaited_lock (run, pid);
      done = query_value (run->watch,
                                           "SELECT pg_cancel_backend ($1::int)::text", pid);

      g_debug ("%s waited on a lock of the session that started it: cancelled (%s)",
               run->watch_application_name, done != NULL ? done : "failed");
      run->self_blocked = TRUE;
      return;
    }
  if (run->lock_timeout_ms == 0)
    return;
  if (!run->lock_timed_out &&
      now - run->waiting_since >= (gint64) run->lock_timeout_ms * G_TIME_SPAN_MILLISECOND)
    {
      g_autofree char *done = NULL;

      g_free (run->waited_for);
      run->waited_for = describe_awaited_lock (run, pid);
      done = query_value (run->watch, "SELECT pg_cancel_backend ($1::int)::text", pid);

      g_debug ("%s waited on a lock for more than %u ms: cancelled (%s)",
               run->watch_application_name, run->lock_timeout_ms, done != NULL ? done : "failed");
      run->lock_timed_out = TRUE;
    }
}

/* pg_dump reports no progress: the archive's size against the database's
 * is a rough guess (the custom format compresses, so it lags), held below
 * 1 until the dump is done. */
static gboolean
progress_tick (gpointer user_data)
{
  ToolRun *run = user_data;
  GStatBuf st;

  if (run->watch != NULL)
    watch_locks (run);
  if (run->progress_path != NULL && g_stat (run->progress_path, &st) == 0 &&
      run->progress_total > 0)
    {
      double fraction = MIN (0.95, (double) st.st_size / (double) run->progress_total);

      if (fraction >= run->last_progress + 0.01)
        {
          run->last_progress = fraction;
          report_progress (run->job, fraction);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* SIGTERM: pg_dump and pg_restore cancel their server query and exit;
 * SIGKILL if they have not after the grace period. */
static void
terminate (GSubprocess  *proc,
           GMainContext *context,
           ToolRun      *run)
{
  g_autoptr(GSource) timeout = NULL;

  run->exited = FALSE;
  run->grace_over = FALSE;
  g_subprocess_wait_async (proc, NULL, wait_done, run);
  g_subprocess_send_signal (proc, SIGTERM);
  timeout = g_timeout_source_new (TERMINATE_GRACE_MS);
  g_source_set_callback (timeout, grace_over, run, NULL);
  g_source_attach (timeout, context);
  while (!run->exited && !run->grace_over)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  if (!run->exited)
    {
      g_subprocess_force_exit (proc);
      while (!run->exited)
        g_main_context_iteration (context, TRUE);
    }
}

/* Runs a tool to its end (or until the job's cancellable fires: then the
 * tool is stopped and %G_IO_ERROR_CANCELLED returned). A tool that ran
 * and failed is not an error here: see @run->exit_status. */
static gboolean
tool_run (ToolRun  *run,
          GError  **error)
{
  GanderBackupJob *job = run->job;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSource) ticker = NULL;
  g_autoptr(GError) spawn_error = NULL;
  g_autofree char *command = g_path_get_basename (run->argv[0]);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return FALSE;

  launcher = new_launcher ((run->want_stdout ? G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                             : G_SUBPROCESS_FLAGS_STDOUT_SILENCE) |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (run->cc != NULL && run->cc->passfile != NULL)
    g_subprocess_launcher_setenv (launcher, "PGPASSFILE", run->cc->passfile, TRUE);
  g_main_context_push_thread_default (context);
  proc = g_subprocess_launcher_spawnv (launcher, run->argv, &spawn_error);
  if (proc == NULL)
    {
      g_main_context_pop_thread_default (context);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot run %s: %s"), run->argv[0], spawn_error->message);
      return FALSE;
    }
  g_debug ("running %s (pid %s)", command, g_subprocess_get_identifier (proc));

  g_subprocess_communicate_async (proc, NULL, job->cancellable, communicate_done, run);
  if (run->progress_path != NULL || run->watch != NULL)
    {
      ticker = g_timeout_source_new (PROGRESS_INTERVAL_MS);
      g_source_set_callback (ticker, progress_tick, run, NULL);
      g_source_attach (ticker, context);
    }
  while (!run->done)
    g_main_context_iteration (context, TRUE);
  if (ticker != NULL)
    g_source_destroy (ticker);

  if (run->error != NULL)
    {
      gboolean cancelled = g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      terminate (proc, context, run);
      g_main_context_pop_thread_default (context);
      if (cancelled)
        gander_set_cancelled_error (error, _("cancelled while %s was running; it was stopped"),
                                    command);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("lost contact with %s: %s"), command, run->error->message);
      return FALSE;
    }
  g_main_context_pop_thread_default (context);

  if (g_subprocess_get_if_exited (proc))
    run->exit_status = g_subprocess_get_exit_status (proc);
  else
    run->exit_status = -1;
  return TRUE;
}

static char *
describe_exit (const ToolRun *run)
{
  if (run->exit_status < 0)
    return g_strdup (_("killed by a signal"));
  return g_strdup_printf (_("exit status %d"), run->exit_status);
}

static char *
display_dsn (GanderBackupJob *job)
{
  g_autofree char *display = gander_database_dup_display_dsn (job->database);

  if (display == NULL || *display == '\0')
    return g_strdup (_("parameters from the environment"));
  return g_steal_pointer (&display);
}

/* ------------------------------------------------------------------ */
/* Dump */

/* The caller creates the archive empty and 0600; making sure here costs
 * nothing, and pg_dump keeps the mode of a file it truncates. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot create the backup file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* pg_dump bounds its LOCK TABLE statements with statement_timeout; the
 * restore session has lock_timeout. The server's words are English unless
 * its lc_messages says otherwise; the statement is not translated. */
static gboolean
looks_like_lock_timeout (const char *text)
{
  return strstr (text, "lock timeout") != NULL ||
         strstr (text, "could not obtain lock") != NULL ||
         (strstr (text, "statement timeout") != NULL && strstr (text, "LOCK TABLE") != NULL);
}

/**
 * gander_backup_postgres_dump:
 * @job: the job: an open PostgreSQL database, the archive path to write
 * @error: return location for a #GError
 *
 * Writes a custom-format archive of the database with `pg_dump
 * --format=custom --no-password --lock-wait-timeout=MS` into
 * @job->archive_path (mode 0600), after checking that pg_dump's major
 * version is not older than the server's.
 *
 * Sets @job->tool_version (`pg_dump --version`), @job->server_version
 * (the server's `server_version`) and @job->version. pg_restore cannot
 * read rows out of an archive without restoring it, so @job->version is
 * the live database's schema version when the dump starts; the caller
 * holds the run lock, so no migration can change it while pg_dump takes
 * its snapshot, and the archive holds the same version.
 *
 * On failure the caller removes the archive. A table locked by
 * another session for longer than @job->lock_wait_timeout_ms makes the
 * dump fail with a message that says so.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_backup_postgres_dump (GanderBackupJob  *job,
                             GError          **error)
{
  g_auto(ServerFacts) facts = { 0, };
  g_auto(ChildConnection) cc = { 0, };
  g_auto(ToolRun) run = { 0, };
  g_autofree char *pg_dump = NULL;
  g_autofree char *dump_version = NULL;
  g_autofree char *file_arg = NULL;
  g_autofree char *dbname_arg = NULL;
  g_autofree char *timeout_arg = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  guint dump_version_num = 0;
  gint64 version = 0;
  gboolean has_table = FALSE;
  GanderPostgresDatabase *db;
  PGconn *conn;

  g_return_val_if_fail (job != NULL && job->archive_path != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return FALSE;
  report_progress (job, 0.0);

  db = live_database (job, error);
  if (db == NULL || !read_server_facts (job, &facts, error))
    return FALSE;
  conn = gander_postgres_database_get_connection (db);
  pg_dump = find_tool (job, "pg_dump", error);
  if (pg_dump == NULL || !tool_version (job, pg_dump, &dump_version, &dump_version_num, error))
    return FALSE;

  if (major_key (dump_version_num) < major_key (facts.server_version_num))
    {
      g_autofree char *server_major = major_text (facts.server_version_num);
      g_autofree char *dump_major = major_text (dump_version_num);

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("%s is %s, older than the PostgreSQL %s server (%s), and pg_dump "
                     "cannot dump a server newer than itself: install pg_dump %s or "
                     "newer (Debian/Ubuntu: postgresql-client-%s) and set "
                     "pg-bindir=/usr/lib/postgresql/%s/bin, or put that pg_dump first "
                     "in PATH"),
                   pg_dump, dump_version, server_major, facts.server_version,
                   server_major, server_major, server_major);
      return FALSE;
    }

  if (!read_schema_version (job->database, &version, &has_table, error))
    {
      g_prefix_error (error, _("cannot read the schema version before the backup: "));
      return FALSE;
    }

  if (!child_connection_prepare (&cc, job, conn, &facts, NULL, error))
    return FALSE;
  if (!create_private_file (job->archive_path, error))
    return FALSE;

  file_arg = g_strconcat ("--file=", job->archive_path, NULL);
  dbname_arg = g_strconcat ("--dbname=", cc.conninfo, NULL);
  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, pg_dump);
  g_ptr_array_add (argv, (gpointer) "--format=custom");
  g_ptr_array_add (argv, (gpointer) "--no-password");
  /* 0 is pg_dump's "wait forever" too, but say nothing then */
  if (job->lock_wait_timeout_ms > 0)
    {
      timeout_arg = g_strdup_printf ("--lock-wait-timeout=%u", job->lock_wait_timeout_ms);
      g_ptr_array_add (argv, timeout_arg);
    }
  g_ptr_array_add (argv, file_arg);
  if (*cc.conninfo != '\0')
    g_ptr_array_add (argv, dbname_arg);
  g_ptr_array_add (argv, NULL);

  run.job = job;
  run.cc = &cc;
  run.argv = (const char * const *) argv->pdata;
  run.progress_path = job->archive_path;
  run.progress_total = facts.database_size;
  if (!tool_run (&run, error))
    return FALSE;
  if (run.exit_status != 0)
    {
      g_autofree char *display = display_dsn (job);
      g_autofree char *output = clean_output (&cc, run.err);
      g_autofree char *status = describe_exit (&run);

      if (looks_like_lock_timeout (output))
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("pg_dump of %s could not lock a table within lock-wait-timeout "
                       "(%u ms): another session holds a conflicting lock; retry when "
                       "it is released, or raise lock-wait-timeout (%s: %s)"),
                     display, job->lock_wait_timeout_ms, status, output);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("pg_dump of %s into %s failed (%s): %s"),
                     display, job->archive_path, status, output);
      return FALSE;
    }

  g_free (job->tool_version);
  job->tool_version = g_steal_pointer (&dump_version);
  g_free (job->server_version);
  job->server_version = g_steal_pointer (&facts.server_version);
  job->version = version;
  /* verify then accepts a copy without version table */
  job->no_version_table = !has_table;
  report_progress (job, 1.0);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Verify */

/* Whether a `pg_restore --list` line is the TABLE entry of @schema.@table
 * (@schema NULL: in any schema). Lines look like
 * "216; 1259 16390 TABLE public goose_db_version postgres". */
static gboolean
toc_line_is_table (const char *line,
                   const char *schema,
                   const char *table)
{
  g_auto(GStrv) words = NULL;
  guint n;

  if (*line == ';' || *line == '\0')
    return FALSE;
  words = g_strsplit (line, " ", -1);
  n = g_strv_length (words);
  for (guint i = 0; i + 2 < n; i++)
    if (g_str_equal (words[i], "TABLE"))
      return (schema == NULL || g_str_equal (words[i + 1], schema)) &&
             g_str_equal (words[i + 2], table);
  return FALSE;
}

static gboolean
toc_has_table (GBytes     *toc,
               const char *qualified)
{
  g_autofree char *folded = g_ascii_strdown (qualified, -1);
  g_autofree char *text = NULL;
  const char *dot = strrchr (folded, '.');
  g_autofree char *schema = dot != NULL ? g_strndup (folded, dot - folded) : NULL;
  const char *table = dot != NULL ? dot + 1 : folded;
  g_auto(GStrv) lines = NULL;

  if (toc == NULL)
    return FALSE;
  text = g_utf8_make_valid (g_bytes_get_data (toc, NULL), g_bytes_get_size (toc));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (toc_line_is_table (lines[i], schema, table))
      return TRUE;
  return FALSE;
}

/* Whether `pg_restore --list` printed at least one entry (a line that is
 * not a `;` comment): an archive pg_restore reads but finds nothing in is
 * no backup. */
static gboolean
toc_has_entries (GBytes *toc)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (toc == NULL)
    return FALSE;
  text = g_utf8_make_valid (g_bytes_get_data (toc, NULL), g_bytes_get_size (toc));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      while (g_ascii_isspace (*line))
        line++;
      if (*line != '\0' && *line != ';')
        return TRUE;
    }
  return FALSE;
}

/**
 * gander_backup_postgres_verify:
 * @job: the job: the archive to check, the verify level, the version table
 * @error: return location for a #GError
 *
 * Checks a custom-format archive: `pg_restore --list` must read its table
 * of contents, which must have entries and name the version table (`TABLE
 * schema table`; in any schema when the table name is not
 * schema-qualified) unless @job->no_version_table says the live database
 * had none when it was dumped (a database goose never touched). At
 * %GANDER_BACKUP_VERIFY_FULL pg_restore also reads every data block into
 * /dev/null, which catches a truncated or damaged archive that the table
 * of contents alone does not show.
 *
 * Sets @job->verify_method. @job->version is left as it is: it comes from
 * the dump (see gander_backup_postgres_dump()).
 *
 * Returns: %TRUE when the archive passed
 */
gboolean
gander_backup_postgres_verify (GanderBackupJob  *job,
                               GError          **error)
{
  g_autofree char *pg_restore = NULL;
  gboolean full;

  g_return_val_if_fail (job != NULL && job->archive_path != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return FALSE;
  pg_restore = find_tool (job, "pg_restore", error);
  if (pg_restore == NULL)
    return FALSE;
  full = job->verify == GANDER_BACKUP_VERIFY_FULL;

  {
    const char * const argv[] = { pg_restore, "--list", job->archive_path, NULL };
    g_auto(ToolRun) run = { 0, };

    run.job = job;
    run.argv = argv;
    run.want_stdout = TRUE;
    if (!tool_run (&run, error))
      return FALSE;
    if (run.exit_status != 0)
      {
        g_autofree char *output = clean_output (NULL, run.err);
        g_autofree char *status = describe_exit (&run);

        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("backup %s is not a readable pg_dump archive: "
                       "`pg_restore --list` failed (%s): %s"),
                     job->archive_path, status, output);
        return FALSE;
      }
    if (!toc_has_entries (run.out))
      {
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("backup %s has an empty table of contents (`pg_restore "
                       "--list` lists nothing): it holds no database; take a new "
                       "backup"), job->archive_path);
        return FALSE;
      }
    if (job->table != NULL && !job->no_version_table &&
        !toc_has_table (run.out, job->table))
      {
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("backup %s has no version table %s in its table of contents "
                       "(`pg_restore --list`): it is not a backup of this schema, or "
                       "the table was not dumped (a role without access to it?)"),
                     job->archive_path, job->table);
        return FALSE;
      }
  }

  if (full)
    {
      /* the script goes to stdout, which is /dev/null: only reading the
       * archive matters */
      const char * const argv[] = { pg_restore, "--file=-", job->archive_path, NULL };
      g_auto(ToolRun) run = { 0, };

      run.job = job;
      run.argv = argv;
      if (!tool_run (&run, error))
        return FALSE;
      if (run.exit_status != 0)
        {
          g_autofree char *output = clean_output (NULL, run.err);
          g_autofree char *status = describe_exit (&run);

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                       _("backup %s is damaged: reading its data with pg_restore "
                         "failed (%s): %s"),
                       job->archive_path, status, output);
          return FALSE;
        }
    }

  g_free (job->verify_method);
  job->verify_method = g_strdup (full ? "pg_restore --list, data read" : "pg_restore --list");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Restore */

/**
 * gander_backup_postgres_restore:
 * @job: the job: an open PostgreSQL database, the archive to restore
 * @error: return location for a #GError
 *
 * Restores the archive into the live database with `pg_restore --clean
 * --if-exists --single-transaction --exit-on-error --no-password`: every
 * object in the archive is dropped and recreated with its data and owner,
 * in one transaction, so a failure changes nothing. Objects the archive
 * does not have (a table created after the backup) are left alone.
 * A statement of pg_restore that waits on another session's lock for
 * longer than @job->lock_wait_timeout_ms is cancelled (pg_restore's script
 * resets lock_timeout, so the live session watches it), and the restore
 * fails instead of waiting forever.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_backup_postgres_restore (GanderBackupJob  *job,
                                GError          **error)
{
  g_auto(ServerFacts) facts = { 0, };
  g_auto(ChildConnection) cc = { 0, };
  g_auto(ToolRun) run = { 0, };
  g_autofree char *pg_restore = NULL;
  g_autofree char *dbname_arg = NULL;
  g_autofree char *application_name = NULL;
  static gint counter = 0;
  GanderPostgresDatabase *db;
  PGconn *conn;

  g_return_val_if_fail (job != NULL && job->archive_path != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return FALSE;
  report_progress (job, 0.0);

  db = live_database (job, error);
  if (db == NULL || !read_server_facts (job, &facts, error))
    return FALSE;
  conn = gander_postgres_database_get_connection (db);
  pg_restore = find_tool (job, "pg_restore", error);
  if (pg_restore == NULL)
    return FALSE;
  /* a name the lock watch finds the restore's session by */
  application_name = g_strdup_printf ("gander-restore-%ld-%d", (long) getpid (),
                                      g_atomic_int_add (&counter, 1));
  if (!child_connection_prepare (&cc, job, conn, &facts, application_name, error))
    return FALSE;

  /* without --dbname pg_restore would print the script instead */
  dbname_arg = g_strconcat ("--dbname=", cc.conninfo, NULL);

  {
    const char * const argv[] = {
      pg_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
      "--no-password", dbname_arg, job->archive_path, NULL
    };

    run.job = job;
    run.cc = &cc;
    run.argv = argv;
    run.watch = db;
    run.watch_application_name = application_name;
    run.lock_timeout_ms = job->lock_wait_timeout_ms;
    if (!tool_run (&run, error))
      return FALSE;
  }
  if (run.exit_status != 0)
    {
      g_autofree char *display = display_dsn (job);
      g_autofree char *output = clean_output (&cc, run.err);
      g_autofree char *status = describe_exit (&run);
      g_autofree char *why = NULL;
      /* TRANSLATORS: what a lock was waited for when no object is known */
      const char *what = run.waited_for != NULL ? run.waited_for : _("an object of the database");

      if (run.self_blocked)
        why = g_strdup_printf (_("; it waited for a lock on %s that Gander's own connection "
                                 "to %s holds (a transaction of that connection used %s and "
                                 "is still open), and was stopped rather than left waiting "
                                 "forever: commit or roll back that transaction before the "
                                 "restore, or restore through a connection of its own"),
                               what, display, what);
      else if (run.lock_timed_out || looks_like_lock_timeout (output))
        why = run.waited_for != NULL
              ? g_strdup_printf (_("; another session held a lock on %s for longer than "
                                   "lock-wait-timeout: retry when it is released, or raise "
                                   "lock-wait-timeout"), run.waited_for)
              : g_strdup (_("; another session held a lock for longer than lock-wait-timeout: "
                            "retry when it is released, or raise lock-wait-timeout"));
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("restoring %s into %s failed, nothing was changed (pg_restore "
                     "runs in one transaction); pg_restore %s: %s%s"),
                   job->archive_path, display, status, output, why != NULL ? why : "");
      return FALSE;
    }
  report_progress (job, 1.0);
  return TRUE;
}
