/* gander-health-sqlite.c: the health checks of a SQLite database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-health-private.h"
#include "gander-sqlite-private.h"

/* How many problem rows a message lists. */
#define MAX_LISTED 5

static sqlite3 *
handle (GanderHealthContext *ctx)
{
  return gander_sqlite_database_get_handle (GANDER_SQLITE_DATABASE (ctx->database));
}

static void
interrupt_cb (GCancellable *cancellable,
              gpointer      db)
{
  sqlite3_interrupt (db);
}

/* Called per row; FALSE stops the query. */
typedef gboolean (*RowFunc) (sqlite3_stmt *stmt,
                             gpointer      user_data);

/* Runs the first statement of @sql, handing each row to @row. FALSE with
 * @error when cancelled (sqlite3_interrupt() stops a long check), or
 * with *@why for any other failure. */
static gboolean
query (GanderHealthContext  *ctx,
       const char           *sql,
       RowFunc               row,
       gpointer              user_data,
       char                **why,
       GError              **error)
{
  sqlite3 *db = handle (ctx);
  sqlite3_stmt *stmt = NULL;
  gulong handler = 0;
  int rc;

  if (g_cancellable_is_cancelled (ctx->cancellable))
    {
      gander_set_cancelled_error (error, _("the health checks were cancelled"));
      return FALSE;
    }
  if (db == NULL)
    {
      *why = g_strdup (_("the database is not open"));
      return FALSE;
    }

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK || stmt == NULL)
    {
      *why = g_strdup (rc != SQLITE_OK ? sqlite3_errmsg (db) : _("the query is empty"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  if (ctx->cancellable != NULL)
    handler = g_cancellable_connect (ctx->cancellable, G_CALLBACK (interrupt_cb), db, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!row (stmt, user_data))
      {
        rc = SQLITE_DONE;
        break;
      }
  if (handler != 0)
    g_cancellable_disconnect (ctx->cancellable, handler);

  if (rc != SQLITE_DONE)
    {
      if (g_cancellable_is_cancelled (ctx->cancellable))
        gander_set_cancelled_error (error, _("the health checks were cancelled"));
      else
        *why = g_strdup_printf ("%s (SQLite error %d)", sqlite3_errmsg (db), rc);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static void
skip_absent (GanderHealthContext *ctx,
             GanderHealthOutcome *out)
{
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_SKIPPED,
                             _("%s does not exist yet: nothing to check"), ctx->sqlite_path);
}

static gboolean
connectivity (GanderHealthContext  *ctx,
              GanderHealthOutcome  *out,
              GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *filename;

  /* Opening a file that is not there creates it: a dry run or a refusal
   * must leave nothing behind, so a missing file is checked as empty. */
  if (!gander_database_is_open (ctx->database) && ctx->sqlite_path != NULL &&
      !g_file_test (ctx->sqlite_path, G_FILE_TEST_EXISTS))
    {
      ctx->absent = TRUE;
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                 _("SQLite %s; %s does not exist yet: the first run creates it"),
                                 sqlite3_libversion (), ctx->sqlite_path);
      return TRUE;
    }

  if (!gander_database_open (ctx->database, ctx->cancellable, &local_error))
    {
      if (gander_error_is_cancelled (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL, "%s", local_error->message);
      return TRUE;
    }

  /* an open connection whose file went away or broke fails here */
  if (sqlite3_exec (handle (ctx), "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("cannot read the SQLite database %s: %s"),
                                 ctx->sqlite_path != NULL ? ctx->sqlite_path : ":memory:",
                                 sqlite3_errmsg (handle (ctx)));
      return TRUE;
    }

  filename = sqlite3_db_filename (handle (ctx), "main");
  if (filename != NULL && *filename != '\0')
    {
      g_free (ctx->sqlite_path);
      ctx->sqlite_path = g_strdup (filename);
    }
  else
    g_clear_pointer (&ctx->sqlite_path, g_free);

  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK, _("SQLite %s, %s"),
                             sqlite3_libversion (),
                             ctx->sqlite_path != NULL ? ctx->sqlite_path : _("in memory"));
  return TRUE;
}

/* Whether this process may write @path: the effective uid decides, as it
 * will when SQLite writes. */
static gboolean
can_write (const char *path,
           int        *saved_errno)
{
  if (faccessat (AT_FDCWD, path, W_OK, AT_EACCESS) == 0)
    return TRUE;
  *saved_errno = errno;
  return FALSE;
}

static gboolean
writable (GanderHealthContext  *ctx,
          GanderHealthOutcome  *out,
          GError              **error)
{
  g_autofree char *dir = NULL;
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  int err = 0;

  if (ctx->sqlite_path == NULL)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                 _("in-memory database: always writable"));
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (suffixes) && !ctx->absent; i++)
    {
      g_autofree char *path = g_strconcat (ctx->sqlite_path, suffixes[i], NULL);

      if (i > 0 && !g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (!can_write (path, &err))
        {
          gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                     _("%s is not writable by uid %u: %s; a migration "
                                       "could not change it. Give the user running Gander "
                                       "write access (chmod u+w, chown) or run Gander as "
                                       "the file's owner"),
                                     path, (guint) geteuid (), g_strerror (err));
          return TRUE;
        }
    }

  dir = g_path_get_dirname (ctx->sqlite_path);
  if (!can_write (dir, &err))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("directory %s is not writable by uid %u: %s; SQLite "
                                   "creates its journal (%s-journal or -wal) there during a "
                                   "migration. Give the user running Gander write access "
                                   "to the directory"),
                                 dir, (guint) geteuid (), g_strerror (err),
                                 ctx->sqlite_path);
      return TRUE;
    }

  if (!ctx->absent && sqlite3_db_readonly (handle (ctx), "main") == 1)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("%s is open read-only although the file can be written: "
                                   "the connection string asks for it (mode=ro or "
                                   "immutable=1 in a file: URI). Remove that parameter to "
                                   "migrate"),
                                 ctx->sqlite_path);
      return TRUE;
    }

  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                             ctx->absent ? _("directory %s is writable: the database can be created")
                                         : _("%s and its directory are writable"),
                             ctx->absent ? dir : ctx->sqlite_path);
  return TRUE;
}

static guint64
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode) ? (guint64) st.st_size : 0;
}

/* Compares the free space of @path's file system with @needed; appends
 * to @text. FALSE when there is too little. */
static gboolean
judge_space (const char *what,
             const char *path,
             guint64     needed,
             GString    *text,
             gboolean   *unknown)
{
  g_autofree char *checked = NULL;
  g_autofree char *why = NULL;
  g_autofree char *free_text = NULL;
  guint64 free_bytes = 0;

  if (text->len > 0)
    g_string_append (text, "; ");
  if (!gander_health_free_space (path, &free_bytes, &checked, &why))
    {
      g_string_append (text, why);
      *unknown = TRUE;
      return TRUE;
    }
  free_text = g_format_size (free_bytes);
  if (free_bytes < needed)
    {
      g_autofree char *needed_text = g_format_size (needed);

      g_string_append_printf (text, _("only %s free on the file system of %s (%s), %s needed"),
                              free_text, checked, what, needed_text);
      return FALSE;
    }
  g_string_append_printf (text, _("%s free on the file system of %s (%s)"),
                          free_text, checked, what);
  return TRUE;
}

static gboolean
disk_space (GanderHealthContext  *ctx,
            GanderHealthOutcome  *out,
            GError              **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *wal = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *needed_text = NULL;
  guint64 size;
  guint64 needed;
  gboolean enough = TRUE;
  gboolean unknown = FALSE;

  if (ctx->sqlite_path == NULL)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_SKIPPED,
                                 _("in-memory database: no file system to check"));
      return TRUE;
    }

  wal = g_strconcat (ctx->sqlite_path, "-wal", NULL);
  size = file_size (ctx->sqlite_path) + file_size (wal);
  needed = gander_health_needed_bytes (ctx->free_space_factor, size);
  dir = g_path_get_dirname (ctx->sqlite_path);

  enough &= judge_space (_("the database"), dir, needed, text, &unknown);
  if (ctx->backup_directory != NULL)
    enough &= judge_space (_("the backup directory"), ctx->backup_directory, needed, text, &unknown);

  size_text = g_format_size (size);
  needed_text = g_format_size (needed);
  if (!enough)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                               _("%s. The database and its WAL take %s and free-space-factor "
                                 "%.2g asks for %s free for the backup and the database's "
                                 "growth: free some space, or lower free-space-factor"),
                               text->str, size_text, ctx->free_space_factor, needed_text);
  else
    gander_health_outcome_set (out, unknown ? GANDER_HEALTH_STATUS_WARN : GANDER_HEALTH_STATUS_OK,
                               _("%s; the database takes %s, %.2g × that is %s"),
                               text->str, size_text, ctx->free_space_factor, needed_text);
  return TRUE;
}

typedef struct
{
  guint    n;
  GString *text;
} Rows;

static gboolean
collect_integrity_row (sqlite3_stmt *stmt,
                       gpointer      user_data)
{
  Rows *rows = user_data;
  const char *line = (const char *) sqlite3_column_text (stmt, 0);

  if (rows->n++ < MAX_LISTED)
    g_string_append_printf (rows->text, "\n  %s", line != NULL ? line : "");
  return TRUE;
}

static gboolean
integrity (GanderHealthContext  *ctx,
           GanderHealthOutcome  *out,
           GError              **error)
{
  const char *pragma = ctx->integrity ? "integrity_check" : "quick_check";
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s(%d)", pragma, MAX_LISTED + 1);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *why = NULL;
  Rows rows = { 0, text };

  if (ctx->absent)
    {
      skip_absent (ctx, out);
      return TRUE;
    }
  if (!query (ctx, sql, collect_integrity_row, &rows, &why, error))
    {
      if (why == NULL)
        return FALSE;
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("PRAGMA %s failed on %s: %s. Restore the latest backup "
                                   "(`gander restore latest`) or repair the file"),
                                 pragma, ctx->sqlite_path, why);
      return TRUE;
    }
  if (rows.n == 1 && g_str_equal (text->str, "\n  ok"))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK, _("PRAGMA %s: ok"), pragma);
      return TRUE;
    }
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                             _("PRAGMA %s found the database damaged:%s\nStop writing to "
                               "%s, then restore the latest backup (`gander restore "
                               "latest`) or recover it (sqlite3 %s .recover)"),
                             pragma, text->str,
                             ctx->sqlite_path != NULL ? ctx->sqlite_path : ":memory:",
                             ctx->sqlite_path != NULL ? ctx->sqlite_path : ":memory:");
  return TRUE;
}

static gboolean
collect_fk_row (sqlite3_stmt *stmt,
                gpointer      user_data)
{
  Rows *rows = user_data;

  if (rows->n++ < MAX_LISTED)
    g_string_append_printf (rows->text,
                            _("\n  %s row %s refers to a missing row of %s"),
                            (const char *) sqlite3_column_text (stmt, 0),
                            sqlite3_column_type (stmt, 1) == SQLITE_NULL
                              ? "(no rowid)" : (const char *) sqlite3_column_text (stmt, 1),
                            (const char *) sqlite3_column_text (stmt, 2));
  return TRUE;
}

static gboolean
foreign_keys (GanderHealthContext  *ctx,
              GanderHealthOutcome  *out,
              GError              **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *why = NULL;
  Rows rows = { 0, text };

  if (ctx->absent)
    {
      skip_absent (ctx, out);
      return TRUE;
    }
  if (!query (ctx, "PRAGMA foreign_key_check", collect_fk_row, &rows, &why, error))
    {
      if (why == NULL)
        return FALSE;
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("PRAGMA foreign_key_check failed: %s"), why);
      return TRUE;
    }
  if (rows.n == 0)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                 _("PRAGMA foreign_key_check: no violations"));
      return TRUE;
    }
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                             _("PRAGMA foreign_key_check found %u row(s) whose foreign key "
                               "points at nothing:%s%s\nFix the rows (or the migration that "
                               "left them), then run the check again"),
                             rows.n, text->str, rows.n > MAX_LISTED ? "\n  …" : "");
  return TRUE;
}

static gboolean
first_value (sqlite3_stmt *stmt,
             gpointer      user_data)
{
  char **value = user_data;
  const char *text = (const char *) sqlite3_column_text (stmt, 0);

  *value = g_strdup (text != NULL ? text : "NULL");
  return FALSE;
}

static gboolean
post_check (GanderHealthContext  *ctx,
            const char           *sql,
            GanderHealthOutcome  *out,
            GError              **error)
{
  g_autofree char *value = NULL;
  g_autofree char *why = NULL;

  if (ctx->absent)
    {
      skip_absent (ctx, out);
      return TRUE;
    }
  /* a check reads: a query that would write (or attach, or change a
   * setting) runs on the live connection in autocommit, so it is refused
   * before it runs */
  if (handle (ctx) != NULL)
    {
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (handle (ctx), sql, -1, &stmt, NULL) == SQLITE_OK &&
          stmt != NULL && !sqlite3_stmt_readonly (stmt))
        {
          sqlite3_finalize (stmt);
          gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                     _("post-check-sql query was not run: it would write to "
                                       "the database, and a check must be a read-only query "
                                       "(SELECT …); rewrite it (query: %s)"), sql);
          return TRUE;
        }
      sqlite3_finalize (stmt);
    }
  if (!query (ctx, sql, first_value, &value, &why, error))
    {
      if (why == NULL)
        return FALSE;
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("post-check-sql query failed: %s (query: %s)"), why, sql);
      return TRUE;
    }
  if (value != NULL)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                               _("post-check-sql query returned a row: %s (query: %s)"),
                               value, sql);
  else
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("post-check-sql query returned no rows (query: %s)"), sql);
  return TRUE;
}

const GanderHealthEngine gander_health_sqlite_engine = {
  .connectivity = connectivity,
  .writable = writable,
  .disk_space = disk_space,
  .integrity = integrity,
  .foreign_keys = foreign_keys,
  .post_check = post_check,
};
