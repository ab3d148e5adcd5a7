/* gander-backup-sqlite.c: SQLite backups with the online backup API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-database-private.h"
#include "gander-sqlite-private.h"
#include "gander-backup-private.h"

/* How many pages one sqlite3_backup_step() copies: about a hundredth of
 * the database, so progress moves in percents and a cancel is seen within
 * a few MiB, but never so few that the per-step locking shows. */
#define MIN_PAGES_PER_STEP 64
#define MAX_PAGES_PER_STEP 4096

static int
pages_per_step (int page_count)
{
  return CLAMP (page_count / 100, MIN_PAGES_PER_STEP, MAX_PAGES_PER_STEP);
}

typedef struct
{
  GCancellable *cancellable;
  gint64        deadline;   /* monotonic */
} BusyWait;

/* Waits for another connection's lock in short sleeps, until the deadline
 * or a cancel. */
static int
busy_cb (void *data,
         int   count)
{
  BusyWait *wait = data;
  gint64 remaining = wait->deadline - g_get_monotonic_time ();

  if (remaining <= 0 || g_cancellable_is_cancelled (wait->cancellable))
    return 0;
  return gander_database_sleep (wait->cancellable,
                                MIN ((gint64) 1000 << MIN (count, 4), remaining)) ? 1 : 0;
}

/* A long check or copy stops when the job is cancelled. */
static int
progress_cb (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

/* `file:` URI of an absolute path, so that `?` or `#` in a name are not
 * taken for a query; @params is appended as the query. */
static char *
file_uri (const char *path,
          const char *params)
{
  GString *uri = g_string_new ("file:");

  for (const char *p = path; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '?' || *p == '#')
        g_string_append_printf (uri, "%%%02X", (guint) (guchar) *p);
      else
        g_string_append_c (uri, *p);
    }
  g_string_append_printf (uri, "?%s", params);
  return g_string_free (uri, FALSE);
}

/* Opens @path read-only. @immutable: nobody writes it (an archive), so
 * SQLite takes no locks and creates no side files. */
static sqlite3 *
open_read_only (const char  *path,
                gboolean     immutable,
                GError     **error)
{
  g_autofree char *uri = file_uri (path, immutable ? "mode=ro&immutable=1" : "mode=ro");
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  sqlite3 *db = NULL;
  int rc;

#ifdef SQLITE_OPEN_EXRESCODE
  flags |= SQLITE_OPEN_EXRESCODE;
#endif
  rc = sqlite3_open_v2 (uri, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot open %s read-only: %s (SQLite code %d)"), path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc), rc);
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  return db;
}

/* Runs statements that return nothing of interest. */
static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   "%s: %s (SQLite code %d)", what,
                   message != NULL ? message : sqlite3_errstr (rc), rc);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* The schema version a copy records: the version table's highest id, 0
 * without the table (a database goose never touched). */
static gboolean
read_version (sqlite3     *db,
              const char  *path,
              const char  *table,
              gint64      *version,
              GError     **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  *version = 0;
  if (table == NULL)
    table = GANDER_DEFAULT_TABLE_NAME;
  /* the table may come from a manifest: only a valid identifier goes into
   * the SQL (as goose writes it, unquoted) */
  if (!gander_validate_table_name (table, NULL))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot read the version of %s: \"%s\" is not a valid "
                     "version table name"), path, table);
      return FALSE;
    }
  sql = g_strdup_printf ("SELECT COALESCE(MAX(version_id), 0) FROM %s", table);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      if (g_str_has_prefix (sqlite3_errmsg (db), "no such table"))
        return TRUE;
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot read version table \"%s\" of %s: %s (SQLite code %d)"),
                   table, path, sqlite3_errmsg (db), rc);
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int64 (stmt, 0);
  else
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot read version table \"%s\" of %s: %s (SQLite code %d)"),
                   table, path, sqlite3_errmsg (db), rc);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
sync_file (const char  *path,
           GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
               _("cannot write backup archive %s to disk: %s"), path,
               g_strerror (saved_errno));
  return FALSE;
}

/* Copies @src's main database into @dst's with sqlite3_backup_step(), a
 * chunk at a time: progress after each chunk, a cancel seen between them.
 * A lock another connection holds is waited for until @deadline. On
 * failure @dst's write transaction is rolled back (sqlite3_backup_finish). */
static gboolean
copy_pages (GanderBackupJob  *job,
            sqlite3          *dst,
            sqlite3          *src,
            const char       *dst_name,
            const char       *src_name,
            gint64            deadline,
            GError          **error)
{
  sqlite3_backup *backup;
  int step = MIN_PAGES_PER_STEP;
  gboolean first = TRUE;
  int rc;

  backup = sqlite3_backup_init (dst, "main", src, "main");
  if (backup == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot copy %s into %s: %s (SQLite code %d)"),
                   src_name, dst_name, sqlite3_errmsg (dst), sqlite3_errcode (dst));
      return FALSE;
    }
  for (;;)
    {
      int total, remaining;

      rc = sqlite3_backup_step (backup, step);
      total = sqlite3_backup_pagecount (backup);
      remaining = sqlite3_backup_remaining (backup);
      if (rc == SQLITE_DONE)
        break;
      if (rc == SQLITE_OK)
        {
          if (first)
            {
              step = pages_per_step (total);
              first = FALSE;
            }
          if (total > 0)
            gander_backup_report_progress (job->backup, 1.0 - (double) remaining / total);
        }
      else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        {
          if (g_get_monotonic_time () >= deadline)
            {
              g_set_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED,
                           _("cannot copy %s into %s: another connection "
                             "holds a lock on the database and did not "
                             "release it in time; try again when it is idle"),
                           src_name, dst_name);
              break;
            }
          if (!gander_database_sleep (job->cancellable, 10 * G_TIME_SPAN_MILLISECOND))
            {
              gander_set_cancelled_error (error, _("copy of %s into %s cancelled"),
                                          src_name, dst_name);
              break;
            }
          continue;
        }
      else
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                       _("cannot copy %s into %s: %s (SQLite code %d)"),
                       src_name, dst_name, sqlite3_errstr (rc), rc);
          break;
        }
      if (g_cancellable_is_cancelled (job->cancellable))
        {
          gander_set_cancelled_error (error, _("copy of %s into %s cancelled"),
                                      src_name, dst_name);
          break;
        }
    }
  if (rc == SQLITE_DONE)
    {
      rc = sqlite3_backup_finish (backup);
      if (rc != SQLITE_OK)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                       _("cannot copy %s into %s: %s (SQLite code %d)"),
                       src_name, dst_name, sqlite3_errmsg (dst), rc);
          return FALSE;
        }
      return TRUE;
    }
  sqlite3_backup_finish (backup);
  return FALSE;
}

static gboolean
dump (GanderBackupJob  *job,
      sqlite3          *src,
      const char       *src_name,
      gint64            deadline,
      GError          **error)
{
  g_autofree char *what = NULL;
  sqlite3 *dst = NULL;
  gboolean ok;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  int rc;

  if (!read_version (src, src_name, job->table, &job->version, error))
    return FALSE;

#ifdef SQLITE_OPEN_EXRESCODE
  flags |= SQLITE_OPEN_EXRESCODE;
#endif
  /* the caller created the file, empty, with mode 0600 */
  rc = sqlite3_open_v2 (job->archive_path, &dst, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("cannot open backup archive %s: %s (SQLite code %d)"),
                   job->archive_path,
                   dst != NULL ? sqlite3_errmsg (dst) : sqlite3_errstr (rc), rc);
      sqlite3_close_v2 (dst);
      return FALSE;
    }
  what = g_strdup_printf (_("cannot prepare backup archive %s"), job->archive_path);
  /* A temporary file that is deleted if anything fails: no journal, no
   * syncs while copying, one fsync at the end. */
  ok = exec_sql (dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", what, error) &&
       copy_pages (job, dst, src, job->archive_path, src_name, deadline, error);
  /* the copy carries the source's journal mode in its header: a WAL copy
   * would need -wal and -shm files beside it to be read */
  if (ok)
    ok = exec_sql (dst, "PRAGMA journal_mode = DELETE", what, error);
  sqlite3_close_v2 (dst);
  return ok && sync_file (job->archive_path, error);
}

gboolean
gander_backup_sqlite_dump (GanderBackupJob  *job,
                           GError          **error)
{
  GanderSqliteDatabase *database;
  const char *filename;
  gint64 deadline;
  BusyWait wait;
  sqlite3 *src;
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_SQLITE_DATABASE (job->database), FALSE);

  database = GANDER_SQLITE_DATABASE (job->database);
  filename = gander_sqlite_database_get_filename (database);
  deadline = g_get_monotonic_time () +
             (gint64) gander_database_get_lock_wait_timeout (job->database) *
             G_TIME_SPAN_MILLISECOND;
  job->tool_version = g_strdup_printf ("SQLite %s", sqlite3_libversion ());
  job->server_version = g_strdup (sqlite3_libversion ());

  if (filename == NULL)
    {
      /* in memory: only the connection itself sees it, and nobody else
       * writes it meanwhile */
      src = gander_sqlite_database_get_handle (database);
      if (src == NULL)
        {
          g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_CONNECTION,
                               _("cannot back up a closed SQLite database"));
          return FALSE;
        }
      return dump (job, src, ":memory:", deadline, error);
    }

  /* A connection of our own, holding one read transaction from the first
   * page to the last: the copy is one consistent snapshot, and the backup
   * never restarts because someone wrote meanwhile (in WAL mode writers go
   * on; in rollback mode they wait for the copy). */
  src = open_read_only (filename, FALSE, error);
  if (src == NULL)
    return FALSE;
  wait.cancellable = job->cancellable;
  wait.deadline = deadline;
  sqlite3_busy_handler (src, busy_cb, &wait);
  ok = exec_sql (src, "BEGIN; SELECT count(*) FROM sqlite_master",
                 filename, error);
  if (!ok && g_cancellable_is_cancelled (job->cancellable))
    {
      g_clear_error (error);
      gander_set_cancelled_error (error, _("backup of %s cancelled"), filename);
    }
  if (ok)
    ok = dump (job, src, filename, deadline, error);
  sqlite3_close_v2 (src);
  return ok;
}

gboolean
gander_backup_sqlite_verify (GanderBackupJob  *job,
                             GError          **error)
{
  const char *method = job->verify == GANDER_BACKUP_VERIFY_FULL ? "integrity_check" : "quick_check";
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s", method);
  g_autoptr(GString) problems = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  GStatBuf st;
  gint64 page_count = 0, page_size = 0;
  guint n_problems = 0;
  sqlite3 *db;
  int rc;

  db = open_read_only (job->archive_path, TRUE, error);
  if (db == NULL)
    return FALSE;
  sqlite3_progress_handler (db, 10000, progress_cb, job->cancellable);

  /* a copy cut short: SQLite reads missing pages as zeros, say it plainly */
  if (sqlite3_prepare_v2 (db, "SELECT page_count, page_size FROM pragma_page_count, pragma_page_size",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      page_count = sqlite3_column_int64 (stmt, 0);
      page_size = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (g_stat (job->archive_path, &st) == 0 && (gint64) st.st_size < page_count * page_size)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup archive %s is truncated: %" PRId64
                     " bytes, its header says %" PRId64 " pages of %"
                     PRId64 " bytes; take a new backup"),
                   job->archive_path, (gint64) st.st_size, page_count, page_size);
      sqlite3_close_v2 (db);
      return FALSE;
    }

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, 0);

          if (g_strcmp0 (text, "ok") == 0)
            continue;
          if (n_problems++ < 3)
            g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "",
                                    text != NULL ? text : "(null)");
        }
    }
  if (rc != SQLITE_DONE)
    {
      if (g_cancellable_is_cancelled (job->cancellable))
        gander_set_cancelled_error (error, _("verification of %s cancelled"),
                                    job->archive_path);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("backup archive %s failed %s: %s (SQLite code %d); the "
                       "copy is damaged, take a new backup"),
                     job->archive_path, method, sqlite3_errmsg (db), rc);
      sqlite3_finalize (stmt);
      sqlite3_close_v2 (db);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (n_problems > 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup archive %s failed %s with %u problem(s): %s; the "
                     "copy is damaged, take a new backup"),
                   job->archive_path, method, n_problems, problems->str);
      sqlite3_close_v2 (db);
      return FALSE;
    }
  if (!read_version (db, job->archive_path, job->table, &job->version, error))
    {
      sqlite3_close_v2 (db);
      return FALSE;
    }
  sqlite3_close_v2 (db);
  g_free (job->verify_method);
  job->verify_method = g_strdup (method);
  return TRUE;
}

gboolean
gander_backup_sqlite_restore (GanderBackupJob  *job,
                              GError          **error)
{
  GanderSqliteDatabase *database;
  g_autofree char *display = NULL;
  sqlite3 *live, *src;
  gint64 deadline;
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_SQLITE_DATABASE (job->database), FALSE);

  database = GANDER_SQLITE_DATABASE (job->database);
  live = gander_sqlite_database_get_handle (database);
  if (live == NULL)
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_CONNECTION,
                           _("cannot restore into a closed SQLite database"));
      return FALSE;
    }
  display = gander_database_dup_display_dsn (job->database);
  deadline = g_get_monotonic_time () +
             (gint64) gander_database_get_lock_wait_timeout (job->database) *
             G_TIME_SPAN_MILLISECOND;
  src = open_read_only (job->archive_path, TRUE, error);
  if (src == NULL)
    return FALSE;
  /* into the open connection, in one write transaction: other connections
   * see the old contents or the new, and a cancel rolls it all back */
  ok = copy_pages (job, live, src, display, job->archive_path, deadline, error);
  sqlite3_close_v2 (src);
  return ok;
}
