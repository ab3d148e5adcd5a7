/* gander-sqlite-database.c: GanderDatabase on SQLite
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-database-private.h"
#include "gander-sqlite-database.h"
#include "gander-sqlite-private.h"

/**
 * GanderSqliteDatabase:
 *
 * A #GanderDatabase on one SQLite file, compatible with goose's `sqlite3`
 * dialect: the version table is created and queried with goose's own SQL,
 * so goose and Gander can take turns on the same file.
 *
 * The DSN is a file name, `:memory:` or a `file:` URI. As with goose's
 * drivers, a query string after a plain file name is not part of the name:
 * `app.db?_pragma=foreign_keys(1)` opens `app.db` and runs
 * `PRAGMA foreign_keys(1)` (modernc.org/sqlite's `_pragma`, repeatable);
 * mattn/go-sqlite3's `_foreign_keys`, `_journal_mode`, `_synchronous` and
 * `_busy_timeout` are understood too. Other parameters of a plain name are
 * ignored; those of a `file:` URI go to SQLite (`mode=ro`, `cache=shared`,
 * `immutable=1`, …).
 *
 * The run lock (gander_database_lock()) is an advisory flock(2) on a file
 * `<database>.gander-lock` next to the database, which holds the pid and
 * host of its owner and is removed on unlock. The kernel releases it when
 * its process dies, even by `SIGKILL`. An in-memory database needs no run
 * lock; a database whose directory cannot be written gets none (SQLite
 * could not create its journal there either, so such a database cannot be
 * migrated anyway) and relies on `BEGIN IMMEDIATE` alone.
 *
 * Since: 0.1
 */

typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_INSERT_VERSION,
  STMT_DELETE_VERSION,
  STMT_WRITE_SIDE_ROW,
  STMT_DELETE_SIDE_ROW,
  N_STMTS
} StmtId;

struct _GanderSqliteDatabase
{
  GanderDatabase  parent_instance;

  sqlite3        *db;
  /* The absolute file name SQLite resolved, or NULL for in-memory and
   * temporary databases. */
  char           *filename;
  /* What error messages call the database. */
  char           *display_name;
  guint           busy_timeout;

  /* The busy handler's state: the cancellable of the running call (NULL
   * for calls that take none), when the current wait began, and whether
   * it gave up because of a cancel. */
  GCancellable   *busy_cancellable;
  gint64          busy_since;
  gboolean        busy_cancelled;
  /* How long the handler waited before it gave up, for the error that
   * follows; -1 when it did not give up on a timeout. */
  gint64          busy_gave_up_after;

  /* Statements run once per migration, prepared once per connection for
   * the version table named stmts_table. */
  sqlite3_stmt   *stmts[N_STMTS];
  char           *stmts_table;

  int             lock_fd;
  char           *lock_path;
};

G_DEFINE_FINAL_TYPE (GanderSqliteDatabase, gander_sqlite_database, GANDER_TYPE_DATABASE)

enum {
  PROP_0,
  PROP_BUSY_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_BUSY_TIMEOUT_MS 5000

/* How many virtual machine instructions run between two looks at the
 * GCancellable: small enough to stop within a millisecond, large enough to
 * cost nothing measurable. */
#define PROGRESS_INTERVAL_OPS 1000

#define LOCK_SUFFIX ".gander-lock"

/* The side table column's default, for rows written by hand: UTC text
 * with milliseconds. Gander writes its own rows' time with microseconds
 * (GANDER_SIDE_TIMESTAMP_FORMAT). Spelled for printf formats, hence the
 * doubled %. */
#define SIDE_TABLE_NOW "strftime('%%Y-%%m-%%d %%H:%%M:%%f','now')"

static const struct {
  int         code;
  const char *name;
} sqlite_code_names[] = {
  { SQLITE_ERROR, "SQLITE_ERROR" },
  { SQLITE_INTERNAL, "SQLITE_INTERNAL" },
  { SQLITE_PERM, "SQLITE_PERM" },
  { SQLITE_ABORT, "SQLITE_ABORT" },
  { SQLITE_BUSY, "SQLITE_BUSY" },
  { SQLITE_LOCKED, "SQLITE_LOCKED" },
  { SQLITE_NOMEM, "SQLITE_NOMEM" },
  { SQLITE_READONLY, "SQLITE_READONLY" },
  { SQLITE_INTERRUPT, "SQLITE_INTERRUPT" },
  { SQLITE_IOERR, "SQLITE_IOERR" },
  { SQLITE_CORRUPT, "SQLITE_CORRUPT" },
  { SQLITE_NOTFOUND, "SQLITE_NOTFOUND" },
  { SQLITE_FULL, "SQLITE_FULL" },
  { SQLITE_CANTOPEN, "SQLITE_CANTOPEN" },
  { SQLITE_PROTOCOL, "SQLITE_PROTOCOL" },
  { SQLITE_EMPTY, "SQLITE_EMPTY" },
  { SQLITE_SCHEMA, "SQLITE_SCHEMA" },
  { SQLITE_TOOBIG, "SQLITE_TOOBIG" },
  { SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT" },
  { SQLITE_MISMATCH, "SQLITE_MISMATCH" },
  { SQLITE_MISUSE, "SQLITE_MISUSE" },
  { SQLITE_NOLFS, "SQLITE_NOLFS" },
  { SQLITE_AUTH, "SQLITE_AUTH" },
  { SQLITE_FORMAT, "SQLITE_FORMAT" },
  { SQLITE_RANGE, "SQLITE_RANGE" },
  { SQLITE_NOTADB, "SQLITE_NOTADB" },
  { SQLITE_NOTICE, "SQLITE_NOTICE" },
  { SQLITE_WARNING, "SQLITE_WARNING" },
  /* The extended codes a migration run is likely to meet. */
  { SQLITE_ERROR_MISSING_COLLSEQ, "SQLITE_ERROR_MISSING_COLLSEQ" },
  { SQLITE_ERROR_RETRY, "SQLITE_ERROR_RETRY" },
  { SQLITE_ABORT_ROLLBACK, "SQLITE_ABORT_ROLLBACK" },
  { SQLITE_BUSY_RECOVERY, "SQLITE_BUSY_RECOVERY" },
  { SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY_SNAPSHOT" },
#ifdef SQLITE_BUSY_TIMEOUT
  { SQLITE_BUSY_TIMEOUT, "SQLITE_BUSY_TIMEOUT" },
#endif
  { SQLITE_LOCKED_SHAREDCACHE, "SQLITE_LOCKED_SHAREDCACHE" },
  { SQLITE_READONLY_RECOVERY, "SQLITE_READONLY_RECOVERY" },
  { SQLITE_READONLY_CANTLOCK, "SQLITE_READONLY_CANTLOCK" },
  { SQLITE_READONLY_ROLLBACK, "SQLITE_READONLY_ROLLBACK" },
  { SQLITE_READONLY_DBMOVED, "SQLITE_READONLY_DBMOVED" },
  { SQLITE_READONLY_CANTINIT, "SQLITE_READONLY_CANTINIT" },
  { SQLITE_READONLY_DIRECTORY, "SQLITE_READONLY_DIRECTORY" },
  { SQLITE_CANTOPEN_NOTEMPDIR, "SQLITE_CANTOPEN_NOTEMPDIR" },
  { SQLITE_CANTOPEN_ISDIR, "SQLITE_CANTOPEN_ISDIR" },
  { SQLITE_CANTOPEN_FULLPATH, "SQLITE_CANTOPEN_FULLPATH" },
  { SQLITE_CANTOPEN_SYMLINK, "SQLITE_CANTOPEN_SYMLINK" },
  { SQLITE_CORRUPT_SEQUENCE, "SQLITE_CORRUPT_SEQUENCE" },
  { SQLITE_CORRUPT_INDEX, "SQLITE_CORRUPT_INDEX" },
  { SQLITE_IOERR_READ, "SQLITE_IOERR_READ" },
  { SQLITE_IOERR_SHORT_READ, "SQLITE_IOERR_SHORT_READ" },
  { SQLITE_IOERR_WRITE, "SQLITE_IOERR_WRITE" },
  { SQLITE_IOERR_FSYNC, "SQLITE_IOERR_FSYNC" },
  { SQLITE_IOERR_TRUNCATE, "SQLITE_IOERR_TRUNCATE" },
  { SQLITE_IOERR_DELETE, "SQLITE_IOERR_DELETE" },
  { SQLITE_IOERR_LOCK, "SQLITE_IOERR_LOCK" },
  { SQLITE_IOERR_NOMEM, "SQLITE_IOERR_NOMEM" },
  { SQLITE_CONSTRAINT_CHECK, "SQLITE_CONSTRAINT_CHECK" },
  { SQLITE_CONSTRAINT_FOREIGNKEY, "SQLITE_CONSTRAINT_FOREIGNKEY" },
  { SQLITE_CONSTRAINT_FUNCTION, "SQLITE_CONSTRAINT_FUNCTION" },
  { SQLITE_CONSTRAINT_NOTNULL, "SQLITE_CONSTRAINT_NOTNULL" },
  { SQLITE_CONSTRAINT_PRIMARYKEY, "SQLITE_CONSTRAINT_PRIMARYKEY" },
  { SQLITE_CONSTRAINT_TRIGGER, "SQLITE_CONSTRAINT_TRIGGER" },
  { SQLITE_CONSTRAINT_UNIQUE, "SQLITE_CONSTRAINT_UNIQUE" },
  { SQLITE_CONSTRAINT_ROWID, "SQLITE_CONSTRAINT_ROWID" },
#ifdef SQLITE_CONSTRAINT_DATATYPE
  { SQLITE_CONSTRAINT_DATATYPE, "SQLITE_CONSTRAINT_DATATYPE" },
#endif
};

/* The symbolic name of an (extended) result code, falling back to the
 * primary code's name: the number goes into the message next to it. */
static const char *
sqlite_code_name (int rc)
{
  const char *primary = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (sqlite_code_names); i++)
    {
      if (sqlite_code_names[i].code == rc)
        return sqlite_code_names[i].name;
      if (sqlite_code_names[i].code == (rc & 0xff))
        primary = sqlite_code_names[i].name;
    }
  return primary != NULL ? primary : "SQLITE_UNKNOWN";
}

static GanderError
sqlite_code_to_error (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return GANDER_ERROR_LOCKED;
    case SQLITE_INTERRUPT:
      return GANDER_ERROR_CANCELLED;
    case SQLITE_READONLY:
      return GANDER_ERROR_READ_ONLY;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return GANDER_ERROR_PERMISSION_DENIED;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return GANDER_ERROR_NOT_A_DATABASE;
    case SQLITE_CANTOPEN:
      return GANDER_ERROR_CONNECTION;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOLFS:
      return GANDER_ERROR_IO;
    case SQLITE_NOMEM:
    case SQLITE_MISUSE:
    case SQLITE_INTERNAL:
      return GANDER_ERROR_FAILED;
    default:
      return GANDER_ERROR_SQL;
    }
}

/* @name is the database for errors about the file rather than the SQL
 * (locked, read-only, not a database, I/O), where the reader needs to know
 * which file; a rejected statement is placed by the caller, who knows the
 * migration and line. */
static void
set_sqlite_error (GError     **error,
                  const char  *name,
                  int          rc,
                  const char  *message)
{
  GanderError code = sqlite_code_to_error (rc);

  if (message == NULL || *message == '\0')
    message = sqlite3_errstr (rc);

  switch (code)
    {
    case GANDER_ERROR_CANCELLED:
      gander_set_cancelled_error (error, "%s (SQLite error %s, code %d)",
                                  message, sqlite_code_name (rc), rc);
      break;
    case GANDER_ERROR_LOCKED:
    case GANDER_ERROR_PERMISSION_DENIED:
    case GANDER_ERROR_READ_ONLY:
    case GANDER_ERROR_NOT_A_DATABASE:
    case GANDER_ERROR_CONNECTION:
    case GANDER_ERROR_IO:
      g_set_error (error, GANDER_ERROR, code, "%s: %s (SQLite error %s, code %d)",
                   name, message, sqlite_code_name (rc), rc);
      break;
    default:
      g_set_error (error, GANDER_ERROR, code, "%s (SQLite error %s, code %d)",
                   message, sqlite_code_name (rc), rc);
    }
}

static void
set_db_error (GanderSqliteDatabase  *self,
              int                    rc,
              GError               **error)
{
  if ((rc & 0xff) == SQLITE_BUSY && self->busy_cancelled)
    {
      self->busy_cancelled = FALSE;
      gander_set_cancelled_error (error, "%s: cancelled while waiting for another "
                                  "connection's lock on the database",
                                  self->display_name);
      return;
    }
  if ((rc & 0xff) == SQLITE_BUSY)
    {
      gint64 waited = self->busy_gave_up_after;
      g_autofree char *waited_text = NULL;

      self->busy_gave_up_after = -1;
      if (waited >= 0)
        waited_text = g_strdup_printf (_("Gander waited %u ms for it"),
                                       (guint) MIN (waited / G_TIME_SPAN_MILLISECOND, G_MAXUINT));
      else
        waited_text = g_strdup (_("SQLite could not wait for it here"));
      /* TRANSLATORS: the first %s is the database file, %s (SQLite error
       * %s, code %d) SQLite's own message, the next %s "Gander waited N ms
       * for it", the last %s the file again */
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED,
                   _("%s: %s (SQLite error %s, code %d): another connection "
                     "or process holds a lock on the database file and %s; "
                     "retry when it is done, find it (for example with "
                     "\"fuser %s\"), wait longer with the DSN parameter "
                     "_busy_timeout (milliseconds, now %u), or bound the "
                     "whole run with -timeout"),
                   self->display_name, sqlite3_errmsg (self->db), sqlite_code_name (rc), rc,
                   waited_text, self->display_name, self->busy_timeout);
      return;
    }
  set_sqlite_error (error, self->display_name, rc, sqlite3_errmsg (self->db));
}

/* Instead of sqlite3_busy_timeout(): the same wait, in short sleeps that
 * a cancel of the running call ends at once. */
static int
busy_cb (void *data,
         int   count)
{
  GanderSqliteDatabase *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 remaining;
  gint64 step;

  if (count == 0)
    {
      self->busy_since = now;
      self->busy_gave_up_after = -1;
    }
  remaining = self->busy_since + (gint64) self->busy_timeout * G_TIME_SPAN_MILLISECOND - now;
  if (g_cancellable_is_cancelled (self->busy_cancellable))
    {
      self->busy_cancelled = TRUE;
      return 0;
    }
  if (remaining <= 0)
    {
      self->busy_gave_up_after = now - self->busy_since;
      return 0;
    }
  /* 1, 2, 4 … 16 ms: a lock is often released within milliseconds */
  step = (gint64) 1000 << MIN (count, 4);
  if (!gander_database_sleep (self->busy_cancellable, MIN (step, remaining)))
    {
      self->busy_cancelled = TRUE;
      return 0;
    }
  return 1;
}

static void
busy_wait_begin (GanderSqliteDatabase *self,
                 GCancellable         *cancellable)
{
  self->busy_cancellable = cancellable;
  self->busy_cancelled = FALSE;
}

static void
busy_wait_end (GanderSqliteDatabase *self)
{
  self->busy_cancellable = NULL;
  self->busy_cancelled = FALSE;
}

static void
set_cancelled_error (GError **error)
{
  gander_set_cancelled_error (error, "the operation was cancelled");
}

static void
finalize_stmts (GanderSqliteDatabase *self)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->stmts_table, g_free);
}

static char *
stmt_sql (GanderSqliteDatabase *self,
          StmtId                id)
{
  GanderDatabase *database = GANDER_DATABASE (self);
  const char *table = gander_database_get_table_name (database);
  g_autofree char *side = NULL;

  switch (id)
    {
    case STMT_BEGIN:
      /* Takes the write lock at once, so two runners serialise here
       * instead of failing later when a deferred transaction upgrades. */
      return g_strdup ("BEGIN IMMEDIATE");
    case STMT_COMMIT:
      return g_strdup ("COMMIT");
    case STMT_ROLLBACK:
      return g_strdup ("ROLLBACK");
    case STMT_INSERT_VERSION:
      return g_strdup_printf ("INSERT INTO %s (version_id, is_applied) VALUES (?, ?)", table);
    case STMT_DELETE_VERSION:
      return g_strdup_printf ("DELETE FROM %s WHERE version_id=?", table);
    case STMT_WRITE_SIDE_ROW:
      side = gander_database_dup_side_table_name (database);
      return g_strdup_printf ("INSERT OR REPLACE INTO %s (version_id, filename, "
                              "checksum, state, applied_by, applied_at, "
                              "duration_us) VALUES (?, ?, ?, ?, ?, ?, ?)", side);
    case STMT_DELETE_SIDE_ROW:
      side = gander_database_dup_side_table_name (database);
      return g_strdup_printf ("DELETE FROM %s WHERE version_id=?", side);
    case N_STMTS:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* Returns a reset statement from the cache, preparing it on first use.
 * SQLite re-prepares it by itself when the schema changes. */
static sqlite3_stmt *
get_stmt (GanderSqliteDatabase  *self,
          StmtId                 id,
          GError               **error)
{
  const char *table = gander_database_get_table_name (GANDER_DATABASE (self));
  g_autofree char *sql = NULL;
  int rc;

  if (g_strcmp0 (self->stmts_table, table) != 0)
    {
      finalize_stmts (self);
      self->stmts_table = g_strdup (table);
    }
  if (self->stmts[id] != NULL)
    return self->stmts[id];

  sql = stmt_sql (self, id);
  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &self->stmts[id], NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      g_clear_pointer (&self->stmts[id], sqlite3_finalize);
      return NULL;
    }
  return self->stmts[id];
}

/* Runs a cached statement that returns no rows and resets it. */
static gboolean
step_stmt (GanderSqliteDatabase  *self,
           sqlite3_stmt          *stmt,
           GError               **error)
{
  int rc = sqlite3_step (stmt);
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW;

  if (!ok)
    set_db_error (self, rc, error);
  sqlite3_reset (stmt);
  /* Text was bound SQLITE_STATIC: drop the pointers with the call. */
  sqlite3_clear_bindings (stmt);
  return ok;
}

static gboolean
run_cached (GanderSqliteDatabase  *self,
            StmtId                 id,
            GError               **error)
{
  sqlite3_stmt *stmt = get_stmt (self, id, error);

  return stmt != NULL && step_stmt (self, stmt, error);
}

static int
progress_cb (void *data)
{
  return g_cancellable_is_cancelled (data);
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  GanderSqliteDatabase *self = data;

  sqlite3_interrupt (self->db);
}

/* Runs every command of @sql in turn; rows are discarded. */
static gboolean
run_sql (GanderSqliteDatabase  *self,
         const char            *sql,
         GCancellable          *cancellable,
         GError               **error)
{
  const char *tail = sql;

  while (*tail != '\0')
    {
      sqlite3_stmt *stmt = NULL;
      const char *next = NULL;
      int rc;

      /* sqlite3_interrupt() is forgotten when no statement runs, so a
       * cancellation between two commands must be caught here. */
      if (g_cancellable_is_cancelled (cancellable))
        {
          set_cancelled_error (error);
          return FALSE;
        }

      rc = sqlite3_prepare_v2 (self->db, tail, -1, &stmt, &next);
      if (rc != SQLITE_OK)
        {
#if SQLITE_VERSION_NUMBER >= 3038000
          int offset = sqlite3_error_offset (self->db);
#else
          int offset = -1;  /* sqlite3_error_offset() came with 3.38 */
#endif
          const char *start = tail;

          /* SQLite points at the offending token when it knows it;
           * otherwise the command's first non-blank byte is the best guess */
          while (g_ascii_isspace (*start))
            start++;
          gander_database_set_error_line (GANDER_DATABASE (self),
                                          gander_sql_line_at_offset (sql, offset >= 0
                                                                            ? (gsize) (tail - sql) + offset
                                                                            : (gsize) (start - sql)));
          set_db_error (self, rc, error);
          return FALSE;
        }
      if (stmt == NULL)
        {
          /* only white space or comments were left */
          if (next == NULL || next == tail)
            break;
          tail = next;
          continue;
        }

      do
        rc = sqlite3_step (stmt);
      while (rc == SQLITE_ROW);

      if (rc != SQLITE_DONE)
        {
          const char *start = tail;

          /* the failing command starts at its first non-blank byte */
          while (g_ascii_isspace (*start))
            start++;
          gander_database_set_error_line (GANDER_DATABASE (self),
                                          gander_sql_line_at_offset (sql, start - sql));
          set_db_error (self, rc, error);
          sqlite3_finalize (stmt);
          return FALSE;
        }
      sqlite3_finalize (stmt);
      tail = next;
    }
  return TRUE;
}

static gboolean
table_exists (GanderSqliteDatabase  *self,
              const char            *qualified,
              gboolean              *exists,
              GError               **error)
{
  const char *dot = strchr (qualified, '.');
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* Names are validated identifiers (gander_validate_table_name()), so the
   * schema can go into the text unquoted, as goose puts the table name. An
   * unqualified name resolves to temp before main, as in goose's queries. */
  if (dot != NULL)
    sql = g_strdup_printf ("SELECT 1 FROM %.*s.sqlite_master "
                           "WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                           (int) (dot - qualified), qualified);
  else
    sql = g_strdup ("SELECT 1 FROM sqlite_temp_master "
                    "WHERE type = 'table' AND name = ?1 COLLATE NOCASE "
                    "UNION ALL SELECT 1 FROM sqlite_master "
                    "WHERE type = 'table' AND name = ?1 COLLATE NOCASE");

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, dot != NULL ? dot + 1 : qualified, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (self, rc, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *exists = rc == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return TRUE;
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* DSN handling */

static gboolean
is_plain_word (const char *value)
{
  if (value == NULL || *value == '\0')
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* Splits @dsn the way goose's SQLite drivers do. @pragmas receives the
 * bodies of PRAGMA commands to run after opening. */
static gboolean
parse_dsn (const char  *dsn,
           char       **open_name,
           GPtrArray   *pragmas,
           gint64      *busy_timeout,
           GError     **error)
{
  const char *query = strchr (dsn, '?');
  g_autoptr(GError) local_error = NULL;
  GUriParamsIter iter;
  char *key = NULL;
  char *value = NULL;

  *busy_timeout = -1;
  if (query == NULL || query == dsn)
    {
      *open_name = g_strdup (dsn);
      return TRUE;
    }

  /* SQLite reads a file: URI's parameters itself (it ignores the ones it
   * does not know); a plain name loses its query string. */
  if (g_str_has_prefix (dsn, "file:"))
    *open_name = g_strdup (dsn);
  else
    *open_name = g_strndup (dsn, query - dsn);

  g_uri_params_iter_init (&iter, query + 1, -1, "&", G_URI_PARAMS_NONE);
  while (g_uri_params_iter_next (&iter, &key, &value, &local_error))
    {
      g_autofree char *k = g_steal_pointer (&key);
      g_autofree char *v = g_steal_pointer (&value);
      const char *pragma = NULL;

      if (g_str_equal (k, "_pragma"))
        {
          g_ptr_array_add (pragmas, g_steal_pointer (&v));
          continue;
        }
      if (g_str_equal (k, "_busy_timeout") || g_str_equal (k, "_timeout"))
        {
          guint64 msec;

          if (!g_ascii_string_to_unsigned (v, 10, 0, G_MAXINT, &msec, NULL))
            {
              g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                           "invalid SQLite DSN parameter %s=%s: expected "
                           "milliseconds", k, v);
              return FALSE;
            }
          *busy_timeout = msec;
          continue;
        }

      if (g_str_equal (k, "_foreign_keys") || g_str_equal (k, "_fk"))
        pragma = "foreign_keys";
      else if (g_str_equal (k, "_journal_mode") || g_str_equal (k, "_journal"))
        pragma = "journal_mode";
      else if (g_str_equal (k, "_synchronous") || g_str_equal (k, "_sync"))
        pragma = "synchronous";
      if (pragma == NULL)
        continue;
      if (!is_plain_word (v))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       "invalid SQLite DSN parameter %s=%s", k, v);
          return FALSE;
        }
      g_ptr_array_add (pragmas, g_strdup_printf ("%s = %s", pragma, v));
    }
  if (local_error != NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "invalid SQLite DSN parameters \"%s\": %s",
                   query + 1, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Runs one DSN pragma. Changing the journal mode needs the file to
 * itself, and SQLite reports SQLITE_BUSY for that without asking the busy
 * handler while other connections hold it open (a WAL database keeps a
 * shared lock for as long as it is open): runners starting together would
 * fail. Such a pragma is retried until @deadline instead, reading the
 * header again each time, since once another runner has switched the
 * file there is nothing left to change. */
static gboolean
run_pragma (GanderSqliteDatabase  *self,
            const char            *body,
            GCancellable          *cancellable,
            gint64                 deadline,
            GError               **error)
{
  g_autofree char *sql = g_strconcat ("PRAGMA ", body, NULL);
  gint64 delay_us = 1000;

  for (;;)
    {
      sqlite3_stmt *stmt = NULL;
      const char *tail = NULL;
      gint64 now;
      int rc;

      rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, &tail);
      if (rc == SQLITE_OK && (stmt == NULL || *tail != '\0'))
        {
          /* one PRAGMA per parameter, nothing smuggled after it */
          sqlite3_finalize (stmt);
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       "invalid SQLite DSN parameter _pragma=%s: expected a "
                       "single pragma such as foreign_keys(1)", body);
          return FALSE;
        }
      if (rc == SQLITE_OK)
        {
          do
            rc = sqlite3_step (stmt);
          while (rc == SQLITE_ROW);
        }
      sqlite3_finalize (stmt);
      if (rc == SQLITE_OK || rc == SQLITE_DONE)
        return TRUE;

      now = g_get_monotonic_time ();
      if ((rc & 0xff) == SQLITE_BUSY && !self->busy_cancelled && now < deadline)
        {
          if (!gander_database_sleep (cancellable, MIN (delay_us, deadline - now)))
            {
              gander_set_cancelled_error (error, "cancelled while applying the SQLite "
                                          "DSN parameter _pragma=%s", body);
              return FALSE;
            }
          delay_us = MIN (delay_us * 2, 50 * 1000);
          /* a failure here is the same busy state, seen at the next try */
          sqlite3_exec (self->db, "PRAGMA schema_version", NULL, NULL, NULL);
          continue;
        }

      {
        g_autoptr(GError) local_error = NULL;

        set_db_error (self, rc, &local_error);
        if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "SQLite DSN parameter _pragma=%s: ", body);
        else
          g_set_error (error, GANDER_ERROR, local_error->code,
                       "SQLite DSN parameter _pragma=%s failed: %s",
                       body, local_error->message);
        return FALSE;
      }
    }
}

/* A `_pragma=busy_timeout(N)` in the DSN installed SQLite's own busy
 * handler: take its value and put ours back. */
static void
adopt_busy_timeout_pragma (GanderSqliteDatabase *self)
{
  sqlite3_stmt *stmt = NULL;
  int value = 0;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA busy_timeout", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (value > 0)
    {
      gander_sqlite_database_set_busy_timeout (self, value);
      sqlite3_busy_handler (self->db, busy_cb, self);
    }
}

/* The run lock */

static void
write_lock_holder (int fd)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *since = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");
  g_autofree char *text = g_strdup_printf ("pid %d on host %s, since %s\n",
                                           (int) getpid (), g_get_host_name (),
                                           since);

  /* Only informs the runner that has to wait: failures do not matter. */
  if (ftruncate (fd, 0) == 0 && pwrite (fd, text, strlen (text), 0) < 0)
    g_debug ("cannot record the run lock's holder: %s", g_strerror (errno));
}

static char *
read_lock_holder (int fd)
{
  char buf[256];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

  if (n <= 0)
    return g_strdup ("a process that has not said who it is yet");
  buf[n] = '\0';
  g_strchomp (buf);
  return g_strdup (buf);
}

/* Whether @fd still is the file at @path: an unlock removes the file while
 * holding it, so a waiter that opened it before may wake up holding a lock
 * on a file nobody else will ever open. */
static gboolean
is_current_lock_file (int         fd,
                      const char *path)
{
  struct stat fd_st, path_st;

  return fstat (fd, &fd_st) == 0 && stat (path, &path_st) == 0 &&
         fd_st.st_dev == path_st.st_dev && fd_st.st_ino == path_st.st_ino;
}

static void
release_lock (GanderSqliteDatabase *self)
{
  if (self->lock_fd < 0)
    return;
  /* Remove the file while still holding it, so nobody can take a lock
   * on it that a later runner would not see. */
  if (g_unlink (self->lock_path) != 0 && errno != ENOENT)
    g_debug ("cannot remove %s: %s", self->lock_path, g_strerror (errno));
  close (self->lock_fd);
  self->lock_fd = -1;
  g_clear_pointer (&self->lock_path, g_free);
}

/* GObject */

static void
gander_sqlite_database_close (GanderDatabase *database)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);

  if (self->db != NULL)
    {
      if (!sqlite3_get_autocommit (self->db))
        {
          g_autoptr(GError) local_error = NULL;

          if (!run_cached (self, STMT_ROLLBACK, &local_error))
            g_debug ("rollback on close failed: %s", local_error->message);
        }
      finalize_stmts (self);
      /* _v2: nothing of ours is left unfinalized, but a caller's leaked
       * statement must not make close fail and keep the file open. */
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  release_lock (self);
  g_clear_pointer (&self->filename, g_free);
  g_clear_pointer (&self->display_name, g_free);
}

static void
gander_sqlite_database_finalize (GObject *object)
{
  /* The parent's finalize would close us after our fields are gone. */
  gander_database_close (GANDER_DATABASE (object));

  G_OBJECT_CLASS (gander_sqlite_database_parent_class)->finalize (object);
}

static void
gander_sqlite_database_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (object);

  switch (prop_id)
    {
    case PROP_BUSY_TIMEOUT:
      g_value_set_uint (value, self->busy_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_sqlite_database_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (object);

  switch (prop_id)
    {
    case PROP_BUSY_TIMEOUT:
      gander_sqlite_database_set_busy_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* GanderDatabase */

static const char *
gander_sqlite_database_get_dialect (GanderDatabase *database)
{
  return "sqlite3";
}

static void
set_open_error (const char  *open_name,
                sqlite3     *db,
                int          rc,
                GError     **error)
{
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  g_autofree char *dir = NULL;

  /* SQLite only says "unable to open database file": say why when we can. */
  if ((rc & 0xff) == SQLITE_CANTOPEN && !g_str_has_prefix (open_name, "file:"))
    {
      dir = g_path_get_dirname (open_name);
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION,
                       "cannot open SQLite database %s: directory %s does "
                       "not exist (SQLite error %s, code %d)",
                       open_name, dir, sqlite_code_name (rc), rc);
          return;
        }
    }
  /* the file or its directory is not ours to open */
  if ((rc & 0xff) == SQLITE_CANTOPEN && db != NULL && sqlite3_system_errno (db) == EACCES)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED,
                   "cannot open SQLite database %s: %s: %s (SQLite error %s, code %d)",
                   open_name, g_strerror (EACCES), message, sqlite_code_name (rc), rc);
      return;
    }
  g_set_error (error, GANDER_ERROR, sqlite_code_to_error (rc),
               "cannot open SQLite database %s: %s (SQLite error %s, code %d)",
               open_name, message, sqlite_code_name (rc), rc);
}

/* the connection's page cache, KiB (SQLite's default: 2000) */
#define GANDER_SQLITE_CACHE_KIB 512

static gboolean
gander_sqlite_database_open (GanderDatabase  *database,
                             GCancellable    *cancellable,
                             GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  const char *dsn = gander_database_get_connect_dsn (database);
  g_autoptr(GPtrArray) pragmas = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *open_name = NULL;
  const char *filename;
  gint64 dsn_busy_timeout = -1;
  /* a journal mode change waits as long as the run lock would */
  gint64 pragma_deadline = g_get_monotonic_time () +
                           (gint64) gander_database_get_lock_wait_timeout (database) *
                           G_TIME_SPAN_MILLISECOND;
  sqlite3 *db = NULL;
  /* NOMUTEX: one thread at a time uses a connection (DESIGN.md), and
   * sqlite3_interrupt() needs no mutex. goose's drivers create the file. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
              SQLITE_OPEN_NOMUTEX;
  int rc;

  if (dsn == NULL || *dsn == '\0')
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                           "no SQLite database file name given");
      return FALSE;
    }
  if (!parse_dsn (dsn, &open_name, pragmas, &dsn_busy_timeout, error))
    return FALSE;

#ifdef SQLITE_OPEN_EXRESCODE
  flags |= SQLITE_OPEN_EXRESCODE;
#endif
  rc = sqlite3_open_v2 (open_name, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_open_error (open_name, db, rc, error);
      sqlite3_close_v2 (db);
      return FALSE;
    }

  self->db = db;
  sqlite3_extended_result_codes (db, 1);
  if (dsn_busy_timeout >= 0)
    gander_sqlite_database_set_busy_timeout (self, dsn_busy_timeout);
  /* before anything reads the file: the pragmas too wait for a lock */
  sqlite3_busy_handler (db, busy_cb, self);

  filename = sqlite3_db_filename (db, "main");
  self->filename = filename != NULL && *filename != '\0' ? g_strdup (filename) : NULL;
  self->display_name = g_strdup (self->filename != NULL ? self->filename : open_name);

  /* Opening is lazy: read page 1 now so that a file that is no database
   * fails here, naming the file, and not in the middle of a migration. */
  busy_wait_begin (self, cancellable);
  if (!run_sql (self, "PRAGMA schema_version", NULL, error))
    {
      busy_wait_end (self);
      gander_sqlite_database_close (database);
      return FALSE;
    }
  /* A migration run touches few pages more than once: SQLite's default
   * 2 MiB page cache was the largest single part of a CLI run's peak
   * memory. Before the DSN's pragmas, so `_pragma=cache_size(N)` wins. */
  if (!run_sql (self, "PRAGMA cache_size = -" G_STRINGIFY (GANDER_SQLITE_CACHE_KIB), NULL, error))
    {
      busy_wait_end (self);
      gander_sqlite_database_close (database);
      return FALSE;
    }
  for (guint i = 0; i < pragmas->len; i++)
    if (!run_pragma (self, g_ptr_array_index (pragmas, i), cancellable,
                     pragma_deadline, error))
      {
        busy_wait_end (self);
        gander_sqlite_database_close (database);
        return FALSE;
      }
  busy_wait_end (self);
  if (pragmas->len > 0)
    adopt_busy_timeout_pragma (self);

  g_debug ("opened SQLite database %s", self->display_name);
  return TRUE;
}

static gboolean
gander_sqlite_database_exec (GanderDatabase  *database,
                             const char      *sql,
                             GCancellable    *cancellable,
                             GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  gulong handler = 0;
  gboolean ok;

  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    g_debug ("exec: %s", sql);

  if (cancellable == NULL)
    return run_sql (self, sql, NULL, error);

  busy_wait_begin (self, cancellable);
  /* The signal interrupts a running statement at once; the progress
   * handler closes the window in which an interrupt arriving just before
   * a statement starts would be forgotten. */
  handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
  sqlite3_progress_handler (self->db, PROGRESS_INTERVAL_OPS, progress_cb, cancellable);
  ok = run_sql (self, sql, cancellable, error);
  sqlite3_progress_handler (self->db, 0, NULL, NULL);
  g_cancellable_disconnect (cancellable, handler);
  busy_wait_end (self);
  return ok;
}

static gboolean
gander_sqlite_database_begin (GanderDatabase  *database,
                              GCancellable    *cancellable,
                              GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  gboolean ok;

  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled_error (error);
      return FALSE;
    }
  /* BEGIN IMMEDIATE waits here for another connection's write lock */
  busy_wait_begin (self, cancellable);
  ok = run_cached (self, STMT_BEGIN, error);
  busy_wait_end (self);
  return ok;
}

static gboolean
gander_sqlite_database_commit (GanderDatabase  *database,
                               GError         **error)
{
  return run_cached (GANDER_SQLITE_DATABASE (database), STMT_COMMIT, error);
}

static gboolean
gander_sqlite_database_rollback (GanderDatabase  *database,
                                 GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);

  /* SQLite rolls back by itself after some errors (interrupt, full disk,
   * I/O): then there is nothing left to roll back. */
  if (sqlite3_get_autocommit (self->db))
    return TRUE;
  return run_cached (self, STMT_ROLLBACK, error);
}

typedef struct
{
  char *path;
  char *holder;   /* who held it at the last attempt */
} LockAttempt;

/* One non-blocking attempt at the flock; see gander_database_wait_for_lock(). */
static gboolean
try_lock_file (GanderDatabase  *database,
               gboolean        *acquired,
               gpointer         user_data,
               GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  LockAttempt *attempt = user_data;
  const char *path = attempt->path;

  for (;;)
    {
      int fd, saved_errno;

      /* O_NOFOLLOW: the directory may be shared, and the file is written. */
      fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
      /* A stale file of another user, left by a killed run: flock() needs
       * no write access, only the holder's note is lost. */
      if (fd < 0 && errno == EACCES)
        {
          fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (fd < 0)
            errno = EACCES;
        }
      if (fd < 0)
        {
          saved_errno = errno;
          if (saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS)
            {
              g_debug ("cannot create %s (%s): running without a run lock",
                       path, g_strerror (saved_errno));
              *acquired = TRUE;
              return TRUE;
            }
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       "cannot create the run lock file %s: %s",
                       path, g_strerror (saved_errno));
          return FALSE;
        }

      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          if (is_current_lock_file (fd, path))
            {
              write_lock_holder (fd);
              self->lock_fd = fd;
              self->lock_path = g_strdup (path);
              *acquired = TRUE;
              return TRUE;
            }
          /* The holder removed it as we were waiting: take the new one. */
          close (fd);
          continue;
        }

      saved_errno = errno;
      if (saved_errno != EWOULDBLOCK && saved_errno != EINTR)
        {
          close (fd);
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       "cannot lock %s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
      g_free (attempt->holder);
      attempt->holder = read_lock_holder (fd);
      close (fd);
      *acquired = FALSE;
      return TRUE;
    }
}

static char *
describe_lock_file (GanderDatabase *database,
                    gpointer        user_data)
{
  LockAttempt *attempt = user_data;

  return g_strdup_printf ("held by %s", attempt->holder != NULL ? attempt->holder : "?");
}

static gboolean
gander_sqlite_database_lock (GanderDatabase  *database,
                             GCancellable    *cancellable,
                             GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  guint timeout_ms = gander_database_get_lock_wait_timeout (database);
  g_autofree char *path = NULL;
  g_autofree char *holder = NULL;
  LockAttempt attempt = { NULL, NULL };
  gboolean timed_out = FALSE;
  gboolean ok;

  if (self->lock_fd >= 0)
    return TRUE;
  if (self->filename == NULL)
    {
      /* Nobody else can see an in-memory database. */
      return TRUE;
    }

  path = attempt.path = g_strconcat (self->filename, LOCK_SUFFIX, NULL);
  ok = gander_database_wait_for_lock (database, try_lock_file, describe_lock_file, &attempt,
                                      1000, 50 * 1000, cancellable,
                                      &timed_out, error);
  holder = g_steal_pointer (&attempt.holder);
  if (ok)
    return TRUE;
  if (timed_out)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED,
                 "%s is locked by another migration run (%s, lock file %s); "
                 "gave up after %u ms",
                 self->filename, holder, path, timeout_ms);
  else if (holder != NULL && error != NULL && *error != NULL &&
           g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (error, "%s (held by %s): ", self->filename, holder);
  return FALSE;
}

static gboolean
gander_sqlite_database_unlock (GanderDatabase  *database,
                               GError         **error)
{
  release_lock (GANDER_SQLITE_DATABASE (database));
  return TRUE;
}

static void
gander_sqlite_database_interrupt (GanderDatabase *database)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);

  if (self->db != NULL)
    sqlite3_interrupt (self->db);
}

static gboolean
gander_sqlite_database_version_table_exists (GanderDatabase  *database,
                                             gboolean        *exists,
                                             GError         **error)
{
  const char *table = gander_database_get_table_name (database);

  if (!table_exists (GANDER_SQLITE_DATABASE (database), table, exists, error))
    {
      g_prefix_error (error, _("failed to read version table \"%s\": "), table);
      return FALSE;
    }
  return TRUE;
}

static gboolean
gander_sqlite_database_insert_version (GanderDatabase  *database,
                                       gint64           version,
                                       GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  sqlite3_stmt *stmt = get_stmt (self, STMT_INSERT_VERSION, error);

  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, version);
      /* goose binds Go's true, which its drivers store as 1 */
      sqlite3_bind_int (stmt, 2, 1);
    }
  if (stmt == NULL || !step_stmt (self, stmt, error))
    {
      /* the same words as the PostgreSQL backend (and goose's store) */
      g_prefix_error (error, "failed to insert version %" G_GINT64_FORMAT ": ", version);
      return FALSE;
    }
  return TRUE;
}

static gboolean
gander_sqlite_database_create_version_table (GanderDatabase  *database,
                                             GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  g_autofree char *sql = NULL;

  /* goose's sqlite3 dialect, byte for byte, tabs included: the text is
   * kept in sqlite_master and both tools must see the same table. */
  sql = g_strdup_printf ("CREATE TABLE %s (\n"
                         "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
                         "\t\tversion_id INTEGER NOT NULL,\n"
                         "\t\tis_applied INTEGER NOT NULL,\n"
                         "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n"
                         "\t)",
                         gander_database_get_table_name (database));
  if (!run_sql (self, sql, NULL, error))
    {
      /* goose's wording (database/store.go) */
      g_prefix_error (error, _("failed to create version table \"%s\": "),
                      gander_database_get_table_name (database));
      return FALSE;
    }
  return gander_sqlite_database_insert_version (database, 0, error);
}

static gboolean
gander_sqlite_database_delete_version (GanderDatabase  *database,
                                       gint64           version,
                                       GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  sqlite3_stmt *stmt = get_stmt (self, STMT_DELETE_VERSION, error);

  if (stmt != NULL)
    sqlite3_bind_int64 (stmt, 1, version);
  if (stmt == NULL || !step_stmt (self, stmt, error))
    {
      g_prefix_error (error, "failed to delete version %" G_GINT64_FORMAT ": ", version);
      return FALSE;
    }
  return TRUE;
}

static GArray *
gander_sqlite_database_list_versions (GanderDatabase  *database,
                                      GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  g_autoptr(GArray) rows = gander_version_rows_new ();
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* goose's ListMigrations with tstamp added; same order */
  sql = g_strdup_printf ("SELECT version_id, is_applied, tstamp from %s ORDER BY id DESC",
                         gander_database_get_table_name (database));
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GanderVersionRow row = {
        .version_id = sqlite3_column_int64 (stmt, 0),
        .is_applied = sqlite3_column_int64 (stmt, 1) != 0,
        .tstamp = dup_column_text (stmt, 2),
      };

      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&rows);
}

static gboolean
gander_sqlite_database_ensure_side_table (GanderDatabase  *database,
                                          GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  g_autofree char *side = gander_database_dup_side_table_name (database);
  g_autofree char *sql = NULL;
  gboolean exists = FALSE;

  /* Look first: a database that is only read (status on a read-only
   * file) must not need a write. */
  if (!table_exists (self, side, &exists, error))
    return FALSE;
  if (exists)
    return TRUE;

  /* No CHECK on state: a later Gander may know more states, and SQLite
   * cannot alter a constraint in place. */
  sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS %s (\n"
                         "  version_id INTEGER PRIMARY KEY,\n"
                         "  filename TEXT NOT NULL,\n"
                         "  checksum TEXT NOT NULL,\n"
                         "  state TEXT NOT NULL,\n"
                         "  applied_by TEXT NOT NULL,\n"
                         "  applied_at TEXT NOT NULL DEFAULT (" SIDE_TABLE_NOW "),\n"
                         "  duration_us INTEGER NOT NULL DEFAULT 0\n"
                         ")", side);
  return run_sql (self, sql, NULL, error);
}

static gboolean
gander_sqlite_database_write_side_row (GanderDatabase       *database,
                                       const GanderSideRow  *row,
                                       GError              **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  sqlite3_stmt *stmt = get_stmt (self, STMT_WRITE_SIDE_ROW, error);

  /* gander_database_write_side_row() filled in every value */
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, row->version_id);
      sqlite3_bind_text (stmt, 2, row->filename, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row->checksum, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, gander_migration_state_to_string (row->state), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, row->applied_by, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, row->applied_at, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, row->duration_us);
    }
  if (stmt == NULL || !step_stmt (self, stmt, error))
    {
      g_autofree char *side = gander_database_dup_side_table_name (database);

      g_prefix_error (error, "failed to write the %s row of version %" G_GINT64_FORMAT ": ",
                      side, row->version_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
gander_sqlite_database_delete_side_row (GanderDatabase  *database,
                                        gint64           version,
                                        GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  sqlite3_stmt *stmt = get_stmt (self, STMT_DELETE_SIDE_ROW, error);

  if (stmt != NULL)
    sqlite3_bind_int64 (stmt, 1, version);
  if (stmt == NULL || !step_stmt (self, stmt, error))
    {
      g_autofree char *side = gander_database_dup_side_table_name (database);

      g_prefix_error (error, "failed to delete the %s row of version %" G_GINT64_FORMAT ": ",
                      side, version);
      return FALSE;
    }
  return TRUE;
}

static GArray *
gander_sqlite_database_list_side_rows (GanderDatabase  *database,
                                       GError         **error)
{
  GanderSqliteDatabase *self = GANDER_SQLITE_DATABASE (database);
  g_autoptr(GArray) rows = gander_side_rows_new ();
  g_autofree char *side = gander_database_dup_side_table_name (database);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean exists = FALSE;
  int rc;

  /* goose-created databases have no side table */
  if (!table_exists (self, side, &exists, error))
    return NULL;
  if (!exists)
    return g_steal_pointer (&rows);

  sql = g_strdup_printf ("SELECT version_id, filename, checksum, state, "
                         "applied_by, applied_at, duration_us FROM %s "
                         "ORDER BY version_id", side);
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GanderSideRow row = {
        .version_id = sqlite3_column_int64 (stmt, 0),
        .filename = dup_column_text (stmt, 1),
        .checksum = dup_column_text (stmt, 2),
        .state = gander_database_state_from_string ((const char *) sqlite3_column_text (stmt, 3)),
        .applied_by = dup_column_text (stmt, 4),
        .applied_at = dup_column_text (stmt, 5),
        .duration_us = sqlite3_column_int64 (stmt, 6),
      };

      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&rows);
}

static void
gander_sqlite_database_class_init (GanderSqliteDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GanderDatabaseClass *database_class = GANDER_DATABASE_CLASS (klass);

  object_class->finalize = gander_sqlite_database_finalize;
  object_class->get_property = gander_sqlite_database_get_property;
  object_class->set_property = gander_sqlite_database_set_property;

  database_class->get_dialect = gander_sqlite_database_get_dialect;
  database_class->open = gander_sqlite_database_open;
  database_class->close = gander_sqlite_database_close;
  database_class->exec = gander_sqlite_database_exec;
  database_class->begin = gander_sqlite_database_begin;
  database_class->commit = gander_sqlite_database_commit;
  database_class->rollback = gander_sqlite_database_rollback;
  database_class->lock = gander_sqlite_database_lock;
  database_class->unlock = gander_sqlite_database_unlock;
  database_class->interrupt = gander_sqlite_database_interrupt;
  database_class->version_table_exists = gander_sqlite_database_version_table_exists;
  database_class->create_version_table = gander_sqlite_database_create_version_table;
  database_class->insert_version = gander_sqlite_database_insert_version;
  database_class->delete_version = gander_sqlite_database_delete_version;
  database_class->list_versions = gander_sqlite_database_list_versions;
  database_class->ensure_side_table = gander_sqlite_database_ensure_side_table;
  database_class->write_side_row = gander_sqlite_database_write_side_row;
  database_class->delete_side_row = gander_sqlite_database_delete_side_row;
  database_class->list_side_rows = gander_sqlite_database_list_side_rows;

  /**
   * GanderSqliteDatabase:busy-timeout:
   *
   * How long a statement waits for another connection's lock on the file
   * before failing with %GANDER_ERROR_LOCKED, in milliseconds. The wait
   * is a busy handler that sleeps in short steps and ends at once with
   * %G_IO_ERROR_CANCELLED when the call's #GCancellable fires. A
   * `_busy_timeout` DSN parameter (or `_pragma=busy_timeout(N)`) overrides
   * it when the database is opened.
   *
   * Since: 0.1
   */
  properties[PROP_BUSY_TIMEOUT] =
    g_param_spec_uint ("busy-timeout", NULL, NULL,
                       0, G_MAXINT, DEFAULT_BUSY_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_sqlite_database_init (GanderSqliteDatabase *self)
{
  self->busy_timeout = DEFAULT_BUSY_TIMEOUT_MS;
  self->busy_gave_up_after = -1;
  self->lock_fd = -1;
}

/**
 * gander_sqlite_database_new:
 * @dsn: a file name, `:memory:` or a `file:` URI, optionally followed by
 *   goose driver parameters such as `?_pragma=foreign_keys(1)`
 *
 * Creates a SQLite database connection. Nothing is opened until
 * gander_database_open(), which creates the file if it does not exist, as
 * goose does.
 *
 * Returns: (transfer full): a new #GanderSqliteDatabase
 *
 * Since: 0.1
 */
GanderDatabase *
gander_sqlite_database_new (const char *dsn)
{
  g_return_val_if_fail (dsn != NULL, NULL);

  return g_object_new (GANDER_TYPE_SQLITE_DATABASE, "dsn", dsn, NULL);
}

/**
 * gander_sqlite_database_get_busy_timeout:
 * @self: a #GanderSqliteDatabase
 *
 * Gets the busy timeout in milliseconds.
 *
 * Returns: the busy timeout in milliseconds
 *
 * Since: 0.1
 */
guint
gander_sqlite_database_get_busy_timeout (GanderSqliteDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_SQLITE_DATABASE (self), 0);

  return self->busy_timeout;
}

/**
 * gander_sqlite_database_set_busy_timeout:
 * @self: a #GanderSqliteDatabase
 * @msec: milliseconds; 0 fails at once when the file is locked
 *
 * Sets #GanderSqliteDatabase:busy-timeout, also on an open connection.
 *
 * Since: 0.1
 */
void
gander_sqlite_database_set_busy_timeout (GanderSqliteDatabase *self,
                                         guint                 msec)
{
  g_return_if_fail (GANDER_IS_SQLITE_DATABASE (self));

  msec = MIN (msec, (guint) G_MAXINT);
  if (self->busy_timeout == msec)
    return;
  /* busy_cb() reads it at every wait */
  self->busy_timeout = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY_TIMEOUT]);
}

/* Private: gander-sqlite-private.h */

sqlite3 *
gander_sqlite_database_get_handle (GanderSqliteDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_SQLITE_DATABASE (self), NULL);
  return self->db;
}

const char *
gander_sqlite_database_get_filename (GanderSqliteDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_SQLITE_DATABASE (self), NULL);
  return self->filename;
}
