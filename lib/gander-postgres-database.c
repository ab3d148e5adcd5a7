/* gander-postgres-database.c: GanderDatabase on PostgreSQL (libpq)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-libpq-private.h"
#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-database-private.h"
#include "gander-postgres-database.h"
#include "gander-postgres-private.h"

/**
 * GanderPostgresDatabase:
 *
 * A #GanderDatabase on PostgreSQL, through libpq.
 *
 * The connection string is a URI (`postgres://user@host:5432/db?sslmode=require`)
 * or a libpq key=value string; an empty one takes everything from libpq's
 * environment variables (`PGHOST`, `PGDATABASE`, …). Service files and
 * `.pgpass` work as they do for psql. The session's `application_name` is
 * `gander` unless the connection string or `PGAPPNAME` says otherwise.
 *
 * The version table is goose's, with goose's DDL and queries, so goose and
 * Gander can take turns on one database. The run lock is the session
 * advisory lock goose's Provider takes (id 4097083626), so the two also
 * exclude each other.
 *
 * libpq (`libpq.so.5`) is loaded when the first PostgreSQL database
 * opens, so programs that never use one do not load it; where it is
 * missing, gander_database_open() fails with %GANDER_ERROR_NOT_SUPPORTED.
 *
 * Inside a transaction, the version-table and side-table writes are sent
 * together with the next statement (normally the `COMMIT`) in one libpq
 * pipeline; an error in one of them is then reported by that statement.
 *
 * Since: 0.1
 */

struct _GanderPostgresDatabase
{
  GanderDatabase parent_instance;

  PGconn   *conn;

  /* interrupt() may run in any thread: it only touches these. */
  GMutex    cancel_lock;
  PGcancel *cancel;
  gint      cancel_requested;   /* atomic */

  guint     statement_timeout;
  guint     lock_timeout;
  /* The timeouts still have to be SET on the session. */
  gboolean  settings_pending;
  /* They were SET inside a transaction, which a rollback would undo. */
  gboolean  settings_in_transaction;

  /* Errors point at the line of the statement: set while running the
   * user's SQL (exec), not Gander's own statements. */
  gboolean  locate_errors;

  /* SQLSTATE of the last failed statement, "" when none. */
  char      last_sqlstate[6];

  /* Writes waiting for the next round trip: PendingCommand */
  GPtrArray *pending;
};

G_DEFINE_FINAL_TYPE (GanderPostgresDatabase, gander_postgres_database, GANDER_TYPE_DATABASE)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* A write held back until the next round trip (see run_write()). */
typedef struct
{
  char  *sql;
  int    n_params;
  char **params;    /* n_params, NULL for SQL NULL */
  char  *what;      /* for errors: "failed to <what>: …" */
} PendingCommand;

static void
pending_command_free (gpointer data)
{
  PendingCommand *command = data;

  for (int i = 0; i < command->n_params; i++)
    g_free (command->params[i]);
  g_free (command->params);
  g_free (command->sql);
  g_free (command->what);
  g_free (command);
}

enum {
  PROP_0,
  PROP_STATEMENT_TIMEOUT,
  PROP_LOCK_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define LOCK_ID_STRING "4097083626"
/* pg_locks shows a bigint advisory key as classid (high 32 bits) and objid
 * (low 32 bits) with objsubid 1. */
#define LOCK_CLASSID_STRING "0"
#define LOCK_OBJID_STRING "4097083626"

#define LOCK_RETRY_FIRST_MS 50
#define LOCK_RETRY_MAX_MS 1000

G_STATIC_ASSERT ((GANDER_POSTGRES_LOCK_ID >> 32) == 0);
G_STATIC_ASSERT ((GANDER_POSTGRES_LOCK_ID & 0xffffffff) == 4097083626u);

static const char *
table_name (GanderPostgresDatabase *self)
{
  return gander_database_get_table_name (GANDER_DATABASE (self));
}

/* Error reporting {{{ */

static guint
line_of_position (const char *sql,
                  long        position)
{
  /* PostgreSQL counts characters, not bytes, from 1. */
  gboolean utf8 = g_utf8_validate (sql, -1, NULL);
  const char *p = sql;
  guint line = 1;

  for (long i = 1; i < position && *p != '\0'; i++)
    {
      if (*p == '\n')
        line++;
      p = utf8 ? g_utf8_next_char (p) : p + 1;
    }
  return line;
}

static GanderError
error_code_for_sqlstate (GanderPostgresDatabase *self,
                         const char             *sqlstate,
                         const char             *primary)
{
  if (sqlstate == NULL || strlen (sqlstate) != 5)
    return self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD
           ? GANDER_ERROR_CONNECTION : GANDER_ERROR_SQL;

  /* connection_exception, and the server going away under us */
  if (g_str_has_prefix (sqlstate, "08") ||
      g_str_equal (sqlstate, "57P01") ||
      g_str_equal (sqlstate, "57P02") ||
      g_str_equal (sqlstate, "57P03"))
    return GANDER_ERROR_CONNECTION;
  if (g_str_has_prefix (sqlstate, "28"))
    return GANDER_ERROR_AUTH;
  if (g_str_equal (sqlstate, "40001") || g_str_equal (sqlstate, "40P01"))
    return GANDER_ERROR_RETRYABLE;
  /* lock_not_available: NOWAIT, and lock_timeout expiring */
  if (g_str_equal (sqlstate, "55P03"))
    return GANDER_ERROR_LOCKED;
  if (g_str_equal (sqlstate, "57014"))
    {
      /* query_canceled: our own PQcancel, statement_timeout, or someone
       * running pg_cancel_backend() on us. */
      if (g_atomic_int_get (&self->cancel_requested))
        return GANDER_ERROR_CANCELLED;
      if (primary != NULL && strstr (primary, "user request") != NULL)
        return GANDER_ERROR_CANCELLED;
      return GANDER_ERROR_TIMEOUT;
    }
  /* idle_in_transaction_session_timeout, idle_session_timeout */
  if (g_str_equal (sqlstate, "25P03") || g_str_equal (sqlstate, "57P05"))
    return GANDER_ERROR_TIMEOUT;
  if (g_str_equal (sqlstate, "25006"))
    return GANDER_ERROR_READ_ONLY;
  /* insufficient_privilege: the message keeps the SQLSTATE */
  if (g_str_equal (sqlstate, "42501"))
    return GANDER_ERROR_PERMISSION_DENIED;
  return GANDER_ERROR_SQL;
}

static void
append_field (GString        *msg,
              const PGresult *result,
              int             field,
              const char     *label)
{
  const char *value = PQresultErrorField (result, field);

  if (value != NULL && *value != '\0')
    g_string_append_printf (msg, "\n%s: %s", label, value);
}

/* Keeps what psql would show: severity, primary message, SQLSTATE, the
 * line of @sql the error points at, DETAIL, HINT and CONTEXT. */
static void
set_error_from_result (GanderPostgresDatabase  *self,
                       const PGresult          *result,
                       const char              *sql,
                       GError                 **error)
{
  const char *sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  const char *severity = PQresultErrorField (result, PG_DIAG_SEVERITY);
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  const char *position = PQresultErrorField (result, PG_DIAG_STATEMENT_POSITION);
  g_autofree char *fallback = NULL;
  g_autoptr(GString) msg = g_string_new (NULL);
  GanderError code;

  g_strlcpy (self->last_sqlstate, sqlstate != NULL ? sqlstate : "",
             sizeof self->last_sqlstate);

  if (primary == NULL)
    {
      /* libpq's own errors (a lost connection) carry only the text */
      const char *text = PQresultErrorMessage (result);

      if ((text == NULL || *text == '\0') && self->conn != NULL)
        text = PQerrorMessage (self->conn);
      fallback = g_strchomp (g_strdup (text != NULL && *text != '\0'
                                       ? text : "unknown error"));
      primary = fallback;
    }

  code = error_code_for_sqlstate (self, sqlstate, primary);

  if (severity != NULL)
    g_string_append_printf (msg, "%s: ", severity);
  g_string_append (msg, primary);
  if (sqlstate != NULL)
    g_string_append_printf (msg, " (SQLSTATE %s)", sqlstate);
  /* a line only means something in the user's SQL, not in Gander's own */
  if (position != NULL && sql != NULL && self->locate_errors)
    {
      guint line = line_of_position (sql, strtol (position, NULL, 10));

      g_string_append_printf (msg, " (line %u of the statement)", line);
      gander_database_set_error_line (GANDER_DATABASE (self), line);
    }
  append_field (msg, result, PG_DIAG_MESSAGE_DETAIL, "DETAIL");
  append_field (msg, result, PG_DIAG_MESSAGE_HINT, "HINT");
  append_field (msg, result, PG_DIAG_CONTEXT, "CONTEXT");

  if (code == GANDER_ERROR_CANCELLED)
    gander_set_cancelled_error (error, "%s", msg->str);
  else
    g_set_error_literal (error, GANDER_ERROR, code, msg->str);
}

static void
set_not_open_error (GError **error)
{
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_CONNECTION,
                       "the PostgreSQL connection is not open");
}

static void
set_cancelled_error (GError **error)
{
  gander_set_cancelled_error (error, "the operation was cancelled");
}

/* The password as written in a URI's user info, before percent-decoding:
 * libpq's URI syntax errors quote raw tokens, which may be that. */
static char *
dup_uri_password (const char *dsn)
{
  const char *authority, *end, *colon;

  if (!g_str_has_prefix (dsn, "postgresql://") &&
      !g_str_has_prefix (dsn, "postgres://"))
    return NULL;

  authority = strstr (dsn, "://") + 3;
  /* libpq looks for the user info up to the first '@' or '/' */
  end = authority + strcspn (authority, "@/");
  if (*end != '@')
    return NULL;
  colon = memchr (authority, ':', end - authority);
  if (colon == NULL || colon + 1 == end)
    return NULL;
  return g_strndup (colon + 1, end - colon - 1);
}

static void
scrub (GString    *text,
       const char *secret)
{
  gsize len;
  gsize from = 0;

  if (secret == NULL || *secret == '\0')
    return;
  len = strlen (secret);
  while (from < text->len)
    {
      const char *hit = strstr (text->str + from, secret);
      gsize at;

      if (hit == NULL)
        break;
      at = hit - text->str;
      g_string_erase (text, at, len);
      g_string_insert (text, at, "xxxxx");
      from = at + 5;
    }
}

static gboolean
looks_like_auth_failure (PGconn     *conn,
                         const char *message)
{
  /* libpq has no SQLSTATE for a failed connection (28P01, 28000): only
   * the server's text, which is English unless the server's lc_messages
   * says otherwise. */
  static const char * const patterns[] = {
    "password authentication failed",
    "authentication failed for user",
    "no password supplied",
    "no pg_hba.conf entry",
    "pg_hba.conf rejects connection",
    "SCRAM authentication",
  };

  if (PQconnectionNeedsPassword (conn))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (patterns); i++)
    if (strstr (message, patterns[i]) != NULL)
      return TRUE;
  /* role "x" does not exist (28000); a missing database (3D000) is a
   * connection problem */
  return strstr (message, "role \"") != NULL && strstr (message, "does not exist") != NULL;
}

static void
set_connect_error (GanderPostgresDatabase  *self,
                   PGconn                  *conn,
                   GError                 **error)
{
  const char *dsn = gander_database_get_connect_dsn (GANDER_DATABASE (self));
  g_autofree char *display = gander_database_dup_display_dsn (GANDER_DATABASE (self));
  g_autofree char *raw_password = NULL;
  g_autofree char *uri_password = NULL;
  g_autofree char *masked = NULL;
  g_autoptr(GString) text = NULL;

  text = g_string_new (conn != NULL ? PQerrorMessage (conn) : "out of memory");
  g_strchomp (text->str);
  g_string_set_size (text, strlen (text->str));

  /* libpq does not print passwords in its messages, but its DSN syntax
   * errors quote pieces of the DSN: scrub every form the password can take
   * (as written, decoded, and the one libpq found in .pgpass). */
  raw_password = dup_uri_password (dsn != NULL ? dsn : "");
  if (raw_password != NULL)
    uri_password = g_uri_unescape_string (raw_password, NULL);
  scrub (text, raw_password);
  scrub (text, uri_password);
  if (conn != NULL)
    scrub (text, PQpass (conn));
  scrub (text, gander_database_get_password (GANDER_DATABASE (self)));
  masked = gander_dsn_mask (text->str);

  g_set_error (error, GANDER_ERROR,
               conn != NULL && looks_like_auth_failure (conn, masked)
               ? GANDER_ERROR_AUTH : GANDER_ERROR_CONNECTION,
               "cannot connect to PostgreSQL (%s): %s",
               *display != '\0' ? display : "parameters from the environment",
               masked);
}

/* }}} */

/* Running statements {{{ */

static void
send_cancel (GanderPostgresDatabase *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->cancel_lock);
  char errbuf[256];

  if (self->cancel == NULL)
    return;
  g_atomic_int_set (&self->cancel_requested, TRUE);
  /* PQcancel is safe to call from any thread while the owner waits */
  if (!PQcancel (self->cancel, errbuf, sizeof errbuf))
    g_debug ("cannot cancel the running statement: %s", errbuf);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  send_cancel (user_data);
}

/* While a cancel is outstanding, it is sent again this often until the
 * result arrives: the server ignores a cancel that reaches it before it
 * has read the query (its backend is then idle), so one sent as the
 * statement goes out can be lost. */
#define CANCEL_RESEND_MS 150
/* How often a wait with no cancel outstanding wakes up to look for one
 * (gander_database_interrupt() comes with no file descriptor to poll). */
#define CANCEL_CHECK_MS  250

/* PQgetResult(), but waiting in poll() so that a cancel that was lost is
 * sent again until the statement ends. @next_resend is the time of the
 * next resend, 0 until a cancel is seen; it lives as long as the request. */
static PGresult *
get_result (GanderPostgresDatabase *self,
            gint64                 *next_resend)
{
  while (PQisBusy (self->conn))
    {
      GPollFD fd = { PQsocket (self->conn), G_IO_IN, 0 };
      gboolean cancelling = g_atomic_int_get (&self->cancel_requested);
      gint64 now;

      if (fd.fd < 0)
        break;
      g_poll (&fd, 1, cancelling ? CANCEL_RESEND_MS : CANCEL_CHECK_MS);

      if (g_atomic_int_get (&self->cancel_requested))
        {
          now = g_get_monotonic_time ();
          if (*next_resend == 0)
            {
              /* the first cancel went out from the cancelling thread */
              *next_resend = now + CANCEL_RESEND_MS * G_TIME_SPAN_MILLISECOND;
            }
          else if (now >= *next_resend && !(fd.revents & G_IO_IN))
            {
              g_debug ("the statement is still running: sending the cancel again");
              send_cancel (self);
              *next_resend = now + CANCEL_RESEND_MS * G_TIME_SPAN_MILLISECOND;
            }
        }
      /* a broken connection: PQgetResult() reports it */
      if (!PQconsumeInput (self->conn))
        break;
    }
  return PQgetResult (self->conn);
}

static void
drain_copy (PGconn        *conn,
            ExecStatusType status)
{
  /* Migrations cannot feed COPY FROM STDIN (goose cannot either); end it
   * with an error rather than hang. */
  if (status == PGRES_COPY_IN)
    {
      PQputCopyEnd (conn, "COPY FROM STDIN is not supported in migrations");
    }
  else if (status == PGRES_COPY_OUT)
    {
      char *buffer = NULL;

      while (PQgetCopyData (conn, &buffer, 0) > 0)
        g_clear_pointer (&buffer, PQfreemem);
    }
}

/* Around every request: a cancel from @cancellable (or from
 * gander_database_interrupt()) reaches the server while we wait. */
static gulong
request_start (GanderPostgresDatabase *self,
               GCancellable           *cancellable)
{
  g_atomic_int_set (&self->cancel_requested, FALSE);
  self->last_sqlstate[0] = '\0';
  if (cancellable == NULL)
    return 0;
  return g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL);
}

static void
request_sent (GanderPostgresDatabase *self,
              GCancellable           *cancellable)
{
  /* A cancel that arrived before the query reached the server was lost:
   * the server ignores cancel requests while idle. */
  if (g_cancellable_is_cancelled (cancellable))
    send_cancel (self);
}

static void
request_end (GCancellable *cancellable,
             gulong        handler)
{
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
}

static void
set_send_error (GanderPostgresDatabase  *self,
                GError                 **error)
{
  g_autofree char *text = g_strchomp (g_strdup (PQerrorMessage (self->conn)));

  g_set_error (error, GANDER_ERROR,
               PQstatus (self->conn) == CONNECTION_BAD
               ? GANDER_ERROR_CONNECTION : GANDER_ERROR_SQL,
               "cannot send the statement to PostgreSQL: %s", text);
}

static void
set_no_result_error (GanderPostgresDatabase  *self,
                     GError                 **error)
{
  g_autofree char *text = g_strchomp (g_strdup (PQerrorMessage (self->conn)));

  g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION,
               "PostgreSQL returned no result: %s", text);
}

#ifdef LIBPQ_HAS_PIPELINING

/* Sends the pending writes, then @sql unless it is NULL, in one pipeline
 * and reads every answer: one round trip for all of them. The server runs
 * them in order and skips the rest after an error, which is the one
 * reported, as from the statement that failed. Returns the last result
 * (that of @sql when given).
 *
 * The connection stays in blocking mode: a few small statements fit in
 * the socket buffers, so the server never waits for us to read while we
 * wait for it to read. */
static PGresult *
execute_pipeline (GanderPostgresDatabase  *self,
                  const char              *sql,
                  int                      n_params,
                  const char * const      *params,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(GPtrArray) commands = g_steal_pointer (&self->pending);
  g_autoptr(PGresult) last = NULL;
  g_autoptr(PGresult) failure = NULL;
  guint failed_query = 0;
  guint n_sent = 0;
  guint query = 0;
  gboolean sent;
  gboolean exited;
  gint64 next_resend = 0;
  gulong handler;

  self->pending = g_ptr_array_new_with_free_func (pending_command_free);

  handler = request_start (self, cancellable);
  sent = PQenterPipelineMode (self->conn);
  for (guint i = 0; sent && i < commands->len; i++)
    {
      const PendingCommand *command = g_ptr_array_index (commands, i);

      g_debug ("SQL (pipelined): %s", command->sql);
      sent = PQsendQueryParams (self->conn, command->sql, command->n_params, NULL,
                                (const char * const *) command->params, NULL, NULL, 0);
      n_sent += sent ? 1 : 0;
    }
  if (sent && sql != NULL)
    {
      g_debug ("SQL (pipelined): %s", sql);
      sent = PQsendQueryParams (self->conn, sql, n_params, NULL, params, NULL, NULL, 0);
      n_sent += sent ? 1 : 0;
    }
  /* even after a failed send: what went out must be answered before the
   * pipeline can end */
  if (n_sent > 0 && !PQpipelineSync (self->conn))
    sent = FALSE;
  if (sent)
    request_sent (self, cancellable);

  /* Each statement's results end with a NULL, the pipeline with the
   * PGRES_PIPELINE_SYNC result; after an error the server skips to the
   * sync and libpq reports the skipped statements as aborted. */
  while (n_sent > 0)
    {
      PGresult *result = get_result (self, &next_resend);
      ExecStatusType status;

      if (result == NULL)
        {
          if (PQstatus (self->conn) == CONNECTION_BAD || ++query > n_sent)
            break;
          continue;
        }
      status = PQresultStatus (result);
      if (status == PGRES_PIPELINE_SYNC)
        {
          PQclear (result);
          break;
        }
      if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE)
        {
          if (failure == NULL)
            {
              failure = result;
              failed_query = query;
            }
          else
            {
              PQclear (result);
            }
          continue;
        }
      if (status == PGRES_PIPELINE_ABORTED)
        {
          PQclear (result);
          continue;
        }
      g_clear_pointer (&last, PQclear);
      last = result;
    }
  exited = PQexitPipelineMode (self->conn);
  request_end (cancellable, handler);

  if (failure != NULL)
    {
      if (failed_query < commands->len)
        {
          const PendingCommand *command = g_ptr_array_index (commands, failed_query);
          gboolean locate_errors = self->locate_errors;

          /* one of Gander's own writes: no line of the user's SQL */
          self->locate_errors = FALSE;
          set_error_from_result (self, failure, command->sql, error);
          self->locate_errors = locate_errors;
          g_prefix_error (error, "failed to %s: ", command->what);
        }
      else
        {
          set_error_from_result (self, failure, sql, error);
        }
      return NULL;
    }
  if (!sent)
    {
      set_send_error (self, error);
      return NULL;
    }
  if (!exited || last == NULL)
    {
      set_no_result_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&last);
}

#else /* !LIBPQ_HAS_PIPELINING */

static PGresult *
execute_pipeline (GanderPostgresDatabase  *self,
                  const char              *sql,
                  int                      n_params,
                  const char * const      *params,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  /* nothing is ever deferred without pipeline mode */
  g_return_val_if_reached (NULL);
}

#endif

/* Runs @sql and waits for it, keeping the first error of a multi-command
 * string and the last result otherwise. @simple selects the simple-query
 * protocol (several commands, no parameters, one message), which
 * migrations need; our own queries go through the extended protocol with
 * parameters, so table names are the only text ever put into them and
 * those are validated. Pending writes go first: in one pipeline with @sql
 * on the extended protocol, in a round trip of their own before a simple
 * query, which cannot be pipelined. */
static PGresult *
execute (GanderPostgresDatabase  *self,
         const char              *sql,
         gboolean                 simple,
         int                      n_params,
         const char * const      *params,
         GCancellable            *cancellable,
         GError                 **error)
{
  g_autoptr(PGresult) last = NULL;
  g_autoptr(PGresult) failure = NULL;
  gint64 next_resend = 0;
  gulong handler;
  int sent;

  if (self->conn == NULL)
    {
      set_not_open_error (error);
      return NULL;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled_error (error);
      return NULL;
    }

  if (self->pending->len > 0)
    {
      g_autoptr(PGresult) flushed = NULL;

      if (!simple)
        return execute_pipeline (self, sql, n_params, params, cancellable, error);
      flushed = execute_pipeline (self, NULL, 0, NULL, cancellable, error);
      if (flushed == NULL)
        return NULL;
    }

  g_debug ("SQL: %s", sql);

  handler = request_start (self, cancellable);
  if (simple)
    sent = PQsendQuery (self->conn, sql);
  else
    sent = PQsendQueryParams (self->conn, sql, n_params, NULL, params, NULL, NULL, 0);
  if (sent)
    {
      PGresult *result;

      request_sent (self, cancellable);
      while ((result = get_result (self, &next_resend)) != NULL)
        {
          ExecStatusType status = PQresultStatus (result);

          if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE)
            {
              if (failure == NULL)
                failure = result;
              else
                PQclear (result);
              continue;
            }
          drain_copy (self->conn, status);
          g_clear_pointer (&last, PQclear);
          last = result;
        }
    }
  request_end (cancellable, handler);

  if (!sent)
    {
      set_send_error (self, error);
      return NULL;
    }
  if (failure != NULL)
    {
      set_error_from_result (self, failure, sql, error);
      return NULL;
    }
  if (last == NULL)
    {
      set_no_result_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&last);
}

/* SET the timeouts on the session, at the first statement that can. */
static gboolean
apply_settings (GanderPostgresDatabase  *self,
                GError                 **error)
{
  PGTransactionStatusType status;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *statement_timeout = NULL;
  g_autofree char *lock_timeout = NULL;
  g_autofree char *sql = NULL;

  if (!self->settings_pending || self->conn == NULL)
    return TRUE;
  status = PQtransactionStatus (self->conn);
  /* A failed transaction refuses SET; the rollback will bring us back. */
  if (status == PQTRANS_INERROR)
    return TRUE;

  /* 0 means the server's default: RESET goes back to what the role,
   * database or PGOPTIONS chose */
  statement_timeout = self->statement_timeout == 0
                      ? g_strdup ("RESET statement_timeout")
                      : g_strdup_printf ("SET statement_timeout = %u", self->statement_timeout);
  lock_timeout = self->lock_timeout == 0
                 ? g_strdup ("RESET lock_timeout")
                 : g_strdup_printf ("SET lock_timeout = %u", self->lock_timeout);
  sql = g_strconcat (statement_timeout, "; ", lock_timeout, NULL);
  result = execute (self, sql, TRUE, 0, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  self->settings_pending = FALSE;
  if (status == PQTRANS_INTRANS)
    self->settings_in_transaction = TRUE;
  return TRUE;
}

static PGresult *
run (GanderPostgresDatabase  *self,
     const char              *sql,
     int                      n_params,
     const char * const      *params,
     GCancellable            *cancellable,
     GError                 **error)
{
  if (!apply_settings (self, error))
    return NULL;
  return execute (self, sql, FALSE, n_params, params, cancellable, error);
}

static gboolean
run_command (GanderPostgresDatabase  *self,
             const char              *sql,
             int                      n_params,
             const char * const      *params,
             GError                 **error)
{
  g_autoptr(PGresult) result = run (self, sql, n_params, params, NULL, error);

  return result != NULL;
}

/* Our own writes inside a transaction (goose's version row, the side-table
 * row) need no answer before the transaction ends: they wait and go to the
 * server in one pipeline with the next statement, usually the COMMIT, so
 * they add no round trip to a migration. A failure is then reported by
 * that statement, as "failed to <what>: …" (goose's wording), and a
 * rollback drops what still waits, as it would undo it. Outside a
 * transaction (the NO TRANSACTION marker must be there at once), in a
 * failed one, or without pipeline mode they run at once. */
static gboolean
run_write (GanderPostgresDatabase  *self,
           const char              *what,
           const char              *sql,
           int                      n_params,
           const char * const      *params,
           GError                 **error)
{
  if (self->conn != NULL &&
      gander_libpq_has_pipelining () &&
      PQtransactionStatus (self->conn) == PQTRANS_INTRANS)
    {
      PendingCommand *command;

      if (!apply_settings (self, error))
        return FALSE;
      command = g_new0 (PendingCommand, 1);
      command->sql = g_strdup (sql);
      command->n_params = n_params;
      command->params = g_new0 (char *, n_params);
      for (int i = 0; i < n_params; i++)
        command->params[i] = g_strdup (params[i]);
      command->what = g_strdup (what);
      g_debug ("SQL (deferred): %s", sql);
      g_ptr_array_add (self->pending, command);
      return TRUE;
    }

  if (!run_command (self, sql, n_params, params, error))
    {
      g_prefix_error (error, "failed to %s: ", what);
      return FALSE;
    }
  return TRUE;
}

/* After the transaction ends: timeouts SET inside a rolled-back one are
 * gone and must be SET again. */
static void
transaction_ended (GanderPostgresDatabase *self,
                   gboolean                committed)
{
  if (self->settings_in_transaction && !committed)
    self->settings_pending = TRUE;
  self->settings_in_transaction = FALSE;
}

static gboolean
is_duplicate_object (GanderPostgresDatabase *self)
{
  /* A concurrent CREATE TABLE that won the race: duplicate_table, the
   * table's row type as duplicate_object, or a unique violation on
   * pg_type / pg_class while both were in flight. */
  return g_str_equal (self->last_sqlstate, "42P07") ||
         g_str_equal (self->last_sqlstate, "42710") ||
         g_str_equal (self->last_sqlstate, "23505");
}

typedef gboolean (*ExistsFunc) (GanderDatabase  *db,
                                gboolean        *exists,
                                GError         **error);

/* Runs a CREATE TABLE; *@lost_race tells whether another session created
 * the table first (the statement failed with a duplicate-object error and
 * @exists_func now finds the table). Inside a transaction a savepoint keeps
 * the transaction usable after that error. */
static gboolean
create_table (GanderPostgresDatabase  *self,
              const char              *sql,
              ExistsFunc               exists_func,
              gboolean                *lost_race,
              GError                 **error)
{
  gboolean savepoint = PQtransactionStatus (self->conn) == PQTRANS_INTRANS;
  g_autoptr(GError) local_error = NULL;
  gboolean exists = FALSE;

  *lost_race = FALSE;
  if (savepoint && !run_command (self, "SAVEPOINT gander_create_table", 0, NULL, error))
    return FALSE;

  if (run_command (self, sql, 0, NULL, &local_error))
    return !savepoint ||
           run_command (self, "RELEASE SAVEPOINT gander_create_table", 0, NULL, error);

  if (!is_duplicate_object (self))
    {
      char sqlstate[sizeof self->last_sqlstate];

      /* the caller explains the failure by its SQLSTATE */
      g_strlcpy (sqlstate, self->last_sqlstate, sizeof sqlstate);
      if (savepoint)
        run_command (self, "ROLLBACK TO SAVEPOINT gander_create_table", 0, NULL, NULL);
      g_strlcpy (self->last_sqlstate, sqlstate, sizeof self->last_sqlstate);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (savepoint &&
      !run_command (self, "ROLLBACK TO SAVEPOINT gander_create_table", 0, NULL, error))
    return FALSE;
  if (!exists_func (GANDER_DATABASE (self), &exists, error))
    return FALSE;
  if (!exists)
    {
      /* something else by that name: a view, a type */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("another session created the table first: %s", local_error->message);
  *lost_race = TRUE;
  return TRUE;
}

/* }}} */

/* GanderDatabase vfuncs {{{ */

static const char *
gander_postgres_database_get_dialect (GanderDatabase *db)
{
  return "postgres";
}

static void
notice_processor (void       *arg,
                  const char *message)
{
  g_autofree char *text = g_strchomp (g_strdup (message));

  g_debug ("PostgreSQL: %s", text);
}

/* The connect_timeout of the connection's options (DSN, PGCONNECT_TIMEOUT,
 * service file) in milliseconds, or 0 when none is set. libpq applies it
 * only in its blocking connect, so the poll loop does it here. */
static gint64
connect_timeout_ms (PGconn *conn)
{
  PQconninfoOption *options = PQconninfo (conn);
  gint64 msec = 0;

  for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, "connect_timeout") && o->val != NULL)
      {
        gint64 seconds = g_ascii_strtoll (o->val, NULL, 10);

        /* libpq reads values below 2 as 2 */
        if (seconds > 0)
          msec = MAX (seconds, 2) * 1000;
        break;
      }
  PQconninfoFree (options);
  return msec;
}

/* libpq's non-blocking connect, waiting in poll() on its socket and on
 * @cancellable, so that a cancel (SIGINT, -timeout) and the deadline stop
 * a server that accepts the connection but never answers: the blocking
 * PQconnectdbParams() would wait for it forever. The deadline is the
 * effective connect_timeout of the connection (DSN, PGCONNECT_TIMEOUT,
 * service file), as libpq's blocking connect has it; without one only
 * @cancellable ends the wait. #GanderDatabase:lock-wait-timeout is not a
 * connect deadline: it bounds the wait for another runner's lock. */
static gboolean
connect_poll (GanderPostgresDatabase  *self,
              PGconn                  *conn,
              GCancellable            *cancellable,
              GError                 **error)
{
  GanderDatabase *db = GANDER_DATABASE (self);
  gint64 timeout_ms = connect_timeout_ms (conn);
  /* G_MAXINT64: no deadline */
  gint64 deadline = G_MAXINT64;
  /* what to do first after PQconnectStart */
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;

  if (timeout_ms > 0)
    deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      GPollFD fds[2];
      guint n_fds = 0;
      gboolean have_cancel_fd = FALSE;
      gint64 now;
      int sock;

      if (status == PGRES_POLLING_OK)
        return TRUE;
      if (status == PGRES_POLLING_FAILED)
        {
          set_connect_error (self, conn, error);
          return FALSE;
        }

      sock = PQsocket (conn);
      if (sock >= 0)
        {
          fds[n_fds].fd = sock;
          fds[n_fds].events = (status == PGRES_POLLING_READING ? G_IO_IN : G_IO_OUT) |
                              G_IO_ERR | G_IO_HUP;
          fds[n_fds].revents = 0;
          n_fds++;
        }
      if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[n_fds]))
        {
          have_cancel_fd = TRUE;
          n_fds++;
        }

      now = g_get_monotonic_time ();
      /* without a socket there is nothing to wait for (and, without a
       * deadline, nothing that would end the wait) */
      if (sock >= 0 && now < deadline && !g_cancellable_is_cancelled (cancellable))
        {
          /* without a cancel fd, wake up now and then to look */
          gint64 wait_ms = deadline == G_MAXINT64 ? -1 : (deadline - now + 999) / 1000;

          if (cancellable != NULL && !have_cancel_fd)
            wait_ms = wait_ms < 0 ? 10 : MIN (wait_ms, 10);
          g_poll (fds, n_fds, (gint) MIN (wait_ms, G_MAXINT));
        }
      if (have_cancel_fd)
        g_cancellable_release_fd (cancellable);

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_autofree char *display = gander_database_dup_display_dsn (db);

          gander_set_cancelled_error (error, "cancelled while connecting to PostgreSQL (%s)",
                                      *display != '\0' ? display : "parameters from the environment");
          return FALSE;
        }
      if (sock < 0 || fds[0].revents != 0)
        {
          status = PQconnectPoll (conn);
          continue;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          g_autofree char *display = gander_database_dup_display_dsn (db);

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_TIMEOUT,
                       _("cannot connect to PostgreSQL (%s): the server did not "
                         "answer within %u ms (connect_timeout); "
                         "check that host and port are a PostgreSQL server, or "
                         "raise connect_timeout"),
                       *display != '\0' ? display : _("parameters from the environment"),
                       (guint) MIN (timeout_ms, G_MAXUINT));
          return FALSE;
        }
    }
}

static gboolean
gander_postgres_database_open (GanderDatabase  *db,
                               GCancellable    *cancellable,
                               GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  const char *dsn = gander_database_get_connect_dsn (db);
  /* Entries before "dbname" are defaults the DSN (expanded in place of
   * dbname) can override; libpq's environment variables, service file and
   * .pgpass fill in what neither sets. pgx, which goose uses, always talks
   * UTF-8. */
  const char *password = gander_database_get_password (db);
  /* after dbname: gander_database_set_password() overrides the DSN's */
  const char * const keywords[] = {
    "fallback_application_name", "client_encoding", "dbname",
    password != NULL ? "password" : NULL, NULL
  };
  const char *values[] = {
    "gander", "UTF8", dsn != NULL ? dsn : "", password, NULL
  };
  PGconn *conn;

  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled_error (error);
      return FALSE;
    }
  if (!gander_libpq_load (error))
    return FALSE;

  conn = PQconnectStartParams (keywords, values, 1);
  if (conn == NULL || PQstatus (conn) == CONNECTION_BAD)
    {
      set_connect_error (self, conn, error);
      g_clear_pointer (&conn, PQfinish);
      return FALSE;
    }
  if (!connect_poll (self, conn, cancellable, error))
    {
      g_clear_pointer (&conn, PQfinish);
      return FALSE;
    }

  PQsetNoticeProcessor (conn, notice_processor, NULL);
  self->conn = conn;
  g_mutex_lock (&self->cancel_lock);
  self->cancel = PQgetCancel (conn);
  g_mutex_unlock (&self->cancel_lock);

  self->settings_in_transaction = FALSE;
  self->settings_pending = self->statement_timeout != 0 || self->lock_timeout != 0;
  if (!apply_settings (self, error))
    {
      GANDER_DATABASE_GET_CLASS (self)->close (db);
      return FALSE;
    }
  return TRUE;
}

static void
gander_postgres_database_close (GanderDatabase *db)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);

  g_mutex_lock (&self->cancel_lock);
  g_clear_pointer (&self->cancel, PQfreeCancel);
  g_mutex_unlock (&self->cancel_lock);
  /* Ending the session rolls back an open transaction and releases
   * session advisory locks. */
  g_clear_pointer (&self->conn, PQfinish);
  g_ptr_array_set_size (self->pending, 0);
  self->settings_pending = FALSE;
  self->settings_in_transaction = FALSE;
}

static gboolean
gander_postgres_database_exec (GanderDatabase  *db,
                               const char      *sql,
                               GCancellable    *cancellable,
                               GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autoptr(PGresult) result = NULL;

  if (!apply_settings (self, error))
    return FALSE;
  self->locate_errors = TRUE;
  result = execute (self, sql, TRUE, 0, NULL, cancellable, error);
  self->locate_errors = FALSE;
  return result != NULL;
}

static gboolean
gander_postgres_database_begin (GanderDatabase  *db,
                                GCancellable    *cancellable,
                                GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autoptr(PGresult) result = NULL;

  if (!apply_settings (self, error))
    return FALSE;
  /* the simple-query protocol: one message and one answer, where the
   * extended one sends Parse, Bind, Execute and Sync */
  result = execute (self, "BEGIN", TRUE, 0, NULL, cancellable, error);
  return result != NULL;
}

static gboolean
gander_postgres_database_commit (GanderDatabase  *db,
                                 GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autoptr(PGresult) result = NULL;

  /* After pending writes, in their pipeline; alone, as a simple query. */
  result = execute (self, "COMMIT", self->pending->len == 0, 0, NULL, NULL, error);
  if (result == NULL)
    {
      /* A failed COMMIT (deferred constraint, lost connection) ends the
       * transaction all the same. A pending write that failed made the
       * server skip the COMMIT: end the failed transaction here, so a
       * failed commit always leaves none open. */
      if (self->conn != NULL &&
          PQtransactionStatus (self->conn) == PQTRANS_INERROR)
        {
          g_autoptr(PGresult) rolled_back = NULL;

          rolled_back = execute (self, "ROLLBACK", TRUE, 0, NULL, NULL, NULL);
        }
      transaction_ended (self, FALSE);
      return FALSE;
    }
  /* COMMIT of a failed transaction "succeeds" and rolls back */
  if (g_str_equal (PQcmdStatus (result), "ROLLBACK"))
    {
      transaction_ended (self, FALSE);
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_SQL,
                           "the transaction was rolled back instead of "
                           "committed: a statement in it had failed");
      return FALSE;
    }
  transaction_ended (self, TRUE);
  return TRUE;
}

static gboolean
gander_postgres_database_rollback (GanderDatabase  *db,
                                   GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autoptr(PGresult) result = NULL;

  /* what still waits would be undone anyway */
  g_ptr_array_set_size (self->pending, 0);
  if (self->conn == NULL)
    {
      set_not_open_error (error);
      return FALSE;
    }
  if (PQstatus (self->conn) == CONNECTION_BAD)
    {
      /* the server rolled back when the session ended */
      transaction_ended (self, FALSE);
      return TRUE;
    }
  if (PQtransactionStatus (self->conn) == PQTRANS_IDLE)
    return TRUE;

  result = execute (self, "ROLLBACK", TRUE, 0, NULL, NULL, error);
  transaction_ended (self, FALSE);
  return result != NULL;
}

static const char *
or_unknown (const PGresult *result,
            int             row,
            int             column)
{
  if (PQgetisnull (result, row, column))
    return "unknown";
  return PQgetvalue (result, row, column);
}

/* Who holds goose's advisory lock in this database, for the error message.
 * Roles without pg_read_all_stats see little of other roles' sessions. */
static char *
describe_lock_holders (GanderPostgresDatabase *self)
{
  static const char sql[] =
    "SELECT a.pid, a.application_name, a.usename,"
    " to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
    " a.state,"
    " to_char(COALESCE(a.state_change, a.query_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1"
    " AND l.pid <> pg_backend_pid()"
    " ORDER BY a.pid";
  const char * const params[] = { LOCK_CLASSID_STRING, LOCK_OBJID_STRING };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  result = run (self, sql, G_N_ELEMENTS (params), params, NULL, &local_error);
  if (result == NULL)
    return g_strdup_printf ("the holder is unknown (%s)", local_error->message);
  if (PQntuples (result) == 0)
    return g_strdup ("the session holding it is not visible to this role, "
                     "or it was released just now");

  for (int i = 0; i < PQntuples (result); i++)
    {
      const char *app = PQgetvalue (result, i, 1);

      g_string_append_printf (text, "%sheld by pid %s (application_name \"%s\", "
                              "user %s, connected since %s UTC, %s since %s UTC)",
                              i > 0 ? "; " : "",
                              PQgetvalue (result, i, 0),
                              app,
                              or_unknown (result, i, 2),
                              or_unknown (result, i, 3),
                              or_unknown (result, i, 4),
                              or_unknown (result, i, 5));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct
{
  GCancellable *cancellable;
  guint         attempts;
} LockAttempt;

/* One pg_try_advisory_lock(); see gander_database_wait_for_lock(). Trying
 * and backing off rather than blocking in pg_advisory_lock() gives the
 * wait a deadline and lets a cancel end it without a PQcancel. */
static gboolean
try_advisory_lock (GanderDatabase  *db,
                   gboolean        *acquired,
                   gpointer         user_data,
                   GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  LockAttempt *attempt = user_data;
  const char * const params[] = { LOCK_ID_STRING };
  g_autoptr(PGresult) result = NULL;

  /* gander_database_interrupt() while we slept */
  if (attempt->attempts++ > 0 && g_atomic_int_get (&self->cancel_requested))
    {
      gander_set_cancelled_error (error, "cancelled while waiting for the run lock");
      return FALSE;
    }
  result = run (self, "SELECT pg_try_advisory_lock($1)", 1, params, attempt->cancellable, error);
  if (result == NULL)
    return FALSE;
  *acquired = PQntuples (result) == 1 && g_str_equal (PQgetvalue (result, 0, 0), "t");
  return TRUE;
}

static char *
describe_advisory_lock (GanderDatabase *db,
                        gpointer        user_data)
{
  return describe_lock_holders (GANDER_POSTGRES_DATABASE (db));
}

static gboolean
gander_postgres_database_lock (GanderDatabase  *db,
                               GCancellable    *cancellable,
                               GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  guint timeout_ms = gander_database_get_lock_wait_timeout (db);
  LockAttempt attempt = { cancellable, 0 };
  g_autofree char *holders = NULL;
  gboolean timed_out = FALSE;

  if (gander_database_wait_for_lock (db, try_advisory_lock, describe_advisory_lock, &attempt,
                                     LOCK_RETRY_FIRST_MS * G_TIME_SPAN_MILLISECOND,
                                     LOCK_RETRY_MAX_MS * G_TIME_SPAN_MILLISECOND,
                                     cancellable, &timed_out, error))
    return TRUE;
  if (!timed_out)
    return FALSE;

  holders = describe_lock_holders (self);
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_LOCKED,
               "another migration run holds the lock on this database "
               "(PostgreSQL advisory lock %s) and it was not released within %u ms: %s",
               LOCK_ID_STRING, timeout_ms, holders);
  return FALSE;
}

static gboolean
gander_postgres_database_unlock (GanderDatabase  *db,
                                 GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  const char * const params[] = { LOCK_ID_STRING };
  g_autoptr(PGresult) result = NULL;

  /* a session lock lives as long as its session: a lost connection has
   * released it already */
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    return TRUE;
  result = run (self, "SELECT pg_advisory_unlock($1)", 1, params, NULL, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) != 1 || !g_str_equal (PQgetvalue (result, 0, 0), "t"))
    g_debug ("the advisory lock %s was not held by this session", LOCK_ID_STRING);
  return TRUE;
}

static void
gander_postgres_database_interrupt (GanderDatabase *db)
{
  send_cancel (GANDER_POSTGRES_DATABASE (db));
}

static gboolean
query_bool (GanderPostgresDatabase  *self,
            const char              *sql,
            int                      n_params,
            const char * const      *params,
            gboolean                *value,
            GError                 **error)
{
  g_autoptr(PGresult) result = run (self, sql, n_params, params, NULL, error);

  if (result == NULL)
    return FALSE;
  *value = PQntuples (result) == 1 && g_str_equal (PQgetvalue (result, 0, 0), "t");
  return TRUE;
}

static gboolean
gander_postgres_database_version_table_exists (GanderDatabase  *db,
                                               gboolean        *exists,
                                               GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  const char *table = table_name (self);
  const char *dot = strchr (table, '.');

  /* goose's TableExists, with parameters instead of quoted literals. The
   * names are folded to lower case the way PostgreSQL folds the unquoted
   * name in goose's other statements, which goose itself forgets. */
  if (dot != NULL)
    {
      g_autofree char *schema = g_ascii_strdown (table, dot - table);
      g_autofree char *name = g_ascii_strdown (dot + 1, -1);
      const char * const params[] = { schema, name };

      return query_bool (self,
                         "SELECT EXISTS ( SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2 )",
                         2, params, exists, error);
    }
  else
    {
      g_autofree char *name = g_ascii_strdown (table, -1);
      const char * const params[] = { name };

      return query_bool (self,
                         "SELECT EXISTS ( SELECT 1 FROM pg_tables WHERE (current_schema() IS NULL OR schemaname = current_schema()) AND tablename = $1 )",
                         1, params, exists, error);
    }
}

/* An identifier as it must be written in SQL: bare when PostgreSQL would
 * keep it as it is, else double-quoted. */
static char *
quote_identifier (const char *name)
{
  gboolean bare = *name != '\0' && (g_ascii_islower (*name) || *name == '_');
  GString *quoted;

  for (const char *p = name; bare && *p != '\0'; p++)
    bare = g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_' || *p == '$';
  if (bare)
    return g_strdup (name);

  quoted = g_string_new ("\"");
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (quoted, '"');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

/* The schema a CREATE TABLE of the version table goes to: the one in the
 * name, else current_schema(); NULL when that cannot be asked. */
static char *
version_table_schema (GanderPostgresDatabase *self)
{
  const char *table = table_name (self);
  const char *dot = strchr (table, '.');
  g_autoptr(PGresult) result = NULL;

  if (dot != NULL)
    return g_ascii_strdown (table, dot - table);
  if (PQtransactionStatus (self->conn) == PQTRANS_INERROR)
    return NULL;
  result = run (self, "SELECT current_schema()", 0, NULL, NULL, NULL);
  if (result == NULL || PQntuples (result) != 1 || PQgetisnull (result, 0, 0))
    return NULL;
  return g_strdup (PQgetvalue (result, 0, 0));
}

/* Adds what to do to a failed CREATE TABLE of the version table: the
 * GRANT to ask for, or the schema to create. */
static void
explain_create_failure (GanderPostgresDatabase  *self,
                        GError                 **error)
{
  g_autofree char *sqlstate = g_strdup (self->last_sqlstate);
  g_autofree char *schema = NULL;
  g_autofree char *quoted_schema = NULL;
  g_autofree char *hint = NULL;
  const char *table = table_name (self);
  const char *dot = strchr (table, '.');
  const char *bare_table = dot != NULL ? dot + 1 : table;

  if (error == NULL || *error == NULL)
    return;

  if (g_str_equal (sqlstate, "42501"))
    {
      const char *user = self->conn != NULL ? PQuser (self->conn) : NULL;
      g_autofree char *quoted_user = user != NULL && *user != '\0'
                                     ? quote_identifier (user) : g_strdup ("CURRENT_USER");

      schema = version_table_schema (self);
      quoted_schema = quote_identifier (schema != NULL ? schema : "public");
      /* TRANSLATORS: the first %s is a schema, the second a role */
      hint = g_strdup_printf (_("HINT: the role may not create tables in schema %s: "
                                "have its owner or a superuser run "
                                "\"GRANT CREATE ON SCHEMA %s TO %s;\", or keep "
                                "the version table in a schema the role may "
                                "write to with -table otherschema.%s"),
                              quoted_schema, quoted_schema, quoted_user, bare_table);
    }
  else if (g_str_equal (sqlstate, "3F000") && dot != NULL)
    {
      schema = g_ascii_strdown (table, dot - table);
      quoted_schema = quote_identifier (schema);
      hint = g_strdup_printf (_("HINT: schema %s, named in the version table "
                                "name \"%s\", does not exist: create it with "
                                "\"CREATE SCHEMA %s;\", or choose an existing "
                                "schema with -table"),
                              quoted_schema, table, quoted_schema);
    }
  if (hint != NULL)
    {
      g_autofree char *message = g_strconcat ((*error)->message, "\n", hint, NULL);

      g_free ((*error)->message);
      (*error)->message = g_steal_pointer (&message);
    }
}

static gboolean
gander_postgres_database_create_version_table (GanderDatabase  *db,
                                               GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *sql = NULL;
  gboolean lost_race;

  /* goose's DDL, byte for byte (internal/dialects/postgres.go) */
  sql = g_strdup_printf ("CREATE TABLE %s (\n"
                         "\t\tid integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,\n"
                         "\t\tversion_id bigint NOT NULL,\n"
                         "\t\tis_applied boolean NOT NULL,\n"
                         "\t\ttstamp timestamp NOT NULL DEFAULT now()\n"
                         "\t)",
                         table_name (self));
  if (!create_table (self, sql, gander_postgres_database_version_table_exists,
                     &lost_race, error))
    {
      explain_create_failure (self, error);
      /* goose's wording (database/store.go) */
      g_prefix_error (error, _("failed to create version table \"%s\": "), table_name (self));
      return FALSE;
    }
  /* the session that created it also wrote its version-0 row */
  if (lost_race)
    return TRUE;
  return gander_database_insert_version (db, 0, error);
}

static gboolean
gander_postgres_database_insert_version (GanderDatabase  *db,
                                         gint64           version,
                                         GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *sql = NULL;
  g_autofree char *what = NULL;
  char version_text[32];
  const char * const params[] = { version_text, "true" };

  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);
  what = g_strdup_printf ("insert version %s", version_text);
  sql = g_strdup_printf ("INSERT INTO %s (version_id, is_applied) VALUES ($1, $2)",
                         table_name (self));
  return run_write (self, what, sql, 2, params, error);
}

static gboolean
gander_postgres_database_delete_version (GanderDatabase  *db,
                                         gint64           version,
                                         GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *sql = NULL;
  g_autofree char *what = NULL;
  char version_text[32];
  const char * const params[] = { version_text };

  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);
  what = g_strdup_printf ("delete version %s", version_text);
  sql = g_strdup_printf ("DELETE FROM %s WHERE version_id=$1", table_name (self));
  return run_write (self, what, sql, 1, params, error);
}

static gint64
value_int64 (const PGresult *result,
             int             row,
             int             column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static char *
value_dup (const PGresult *result,
           int             row,
           int             column)
{
  if (PQgetisnull (result, row, column))
    return NULL;
  return g_strdup (PQgetvalue (result, row, column));
}

static GArray *
gander_postgres_database_list_versions (GanderDatabase  *db,
                                        GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autoptr(GArray) rows = gander_version_rows_new ();
  g_autoptr(PGresult) result = NULL;
  g_autofree char *sql = NULL;

  /* goose's ListMigrations plus the tstamp column, rendered like SQLite's
   * so callers see one format; the serial-era table allows NULL there. */
  sql = g_strdup_printf ("SELECT version_id, is_applied,"
                         " to_char(tstamp, 'YYYY-MM-DD HH24:MI:SS')"
                         " from %s ORDER BY id DESC",
                         table_name (self));
  result = run (self, sql, 0, NULL, NULL, error);
  if (result == NULL)
    {
      /* as the SQLite backend words it: which table, then why */
      g_prefix_error (error, _("failed to read version table \"%s\": "), table_name (self));
      return NULL;
    }

  for (int i = 0; i < PQntuples (result); i++)
    {
      GanderVersionRow row = {
        .version_id = value_int64 (result, i, 0),
        .is_applied = g_str_equal (PQgetvalue (result, i, 1), "t"),
        .tstamp = value_dup (result, i, 2),
      };

      g_array_append_val (rows, row);
    }
  return g_steal_pointer (&rows);
}

static gboolean
side_table_exists (GanderDatabase  *db,
                   gboolean        *exists,
                   GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *side = gander_database_dup_side_table_name (db);
  const char * const params[] = { side };

  /* to_regclass() resolves the name exactly as our statements will:
   * through search_path when unqualified, folding case. */
  return query_bool (self, "SELECT to_regclass($1) IS NOT NULL", 1, params, exists, error);
}

static gboolean
gander_postgres_database_ensure_side_table (GanderDatabase  *db,
                                            GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *side = gander_database_dup_side_table_name (db);
  g_autofree char *sql = NULL;
  gboolean exists = FALSE;
  gboolean lost_race;

  /* Look first: CREATE TABLE IF NOT EXISTS still needs the CREATE
   * privilege on the schema, which a role that only migrates data may
   * lack once the table is there. */
  if (!side_table_exists (db, &exists, error))
    return FALSE;
  if (exists)
    return TRUE;

  sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS %s (\n"
                         "  version_id bigint PRIMARY KEY,\n"
                         "  filename text NOT NULL,\n"
                         "  checksum text NOT NULL,\n"
                         "  state text NOT NULL,\n"
                         "  applied_by text NOT NULL,\n"
                         "  applied_at timestamp NOT NULL DEFAULT (now() at time zone 'utc'),\n"
                         "  duration_us bigint NOT NULL DEFAULT 0\n"
                         ")",
                         side);
  return create_table (self, sql, side_table_exists, &lost_race, error);
}

static gboolean
gander_postgres_database_write_side_row (GanderDatabase       *db,
                                         const GanderSideRow  *row,
                                         GError              **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *side = gander_database_dup_side_table_name (db);
  g_autofree char *sql = NULL;
  g_autofree char *what = NULL;
  char version_text[32];
  char duration_text[32];
  const char * const params[] = {
    /* gander_database_write_side_row() filled in every value */
    version_text,
    row->filename,
    row->checksum,
    gander_migration_state_to_string (row->state),
    row->applied_by,
    row->applied_at,
    duration_text,
  };

  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, row->version_id);
  g_snprintf (duration_text, sizeof duration_text, "%" G_GINT64_FORMAT, row->duration_us);
  sql = g_strdup_printf ("INSERT INTO %s"
                         " (version_id, filename, checksum, state, applied_by, applied_at, duration_us)"
                         " VALUES ($1, $2, $3, $4, $5, $6::timestamp, $7)"
                         " ON CONFLICT (version_id) DO UPDATE SET"
                         " filename = EXCLUDED.filename, checksum = EXCLUDED.checksum,"
                         " state = EXCLUDED.state, applied_by = EXCLUDED.applied_by,"
                         " applied_at = EXCLUDED.applied_at, duration_us = EXCLUDED.duration_us",
                         side);
  what = g_strdup_printf ("write the %s row of version %s", side, version_text);
  return run_write (self, what, sql, G_N_ELEMENTS (params), params, error);
}

static gboolean
gander_postgres_database_delete_side_row (GanderDatabase  *db,
                                          gint64           version,
                                          GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *side = gander_database_dup_side_table_name (db);
  g_autofree char *sql = NULL;
  g_autofree char *what = NULL;
  char version_text[32];
  const char * const params[] = { version_text };
  gboolean exists = FALSE;

  /* a database goose created has no side table: nothing to delete, and
   * the error must not abort the caller's transaction */
  if (!side_table_exists (db, &exists, error))
    return FALSE;
  if (!exists)
    return TRUE;

  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);
  what = g_strdup_printf ("delete the %s row of version %s", side, version_text);
  sql = g_strdup_printf ("DELETE FROM %s WHERE version_id=$1", side);
  return run_write (self, what, sql, 1, params, error);
}

static GArray *
gander_postgres_database_list_side_rows (GanderDatabase  *db,
                                         GError         **error)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (db);
  g_autofree char *side = gander_database_dup_side_table_name (db);
  g_autoptr(GArray) rows = gander_side_rows_new ();
  g_autoptr(PGresult) result = NULL;
  g_autofree char *sql = NULL;
  gboolean exists = FALSE;

  if (!side_table_exists (db, &exists, error))
    return NULL;
  if (!exists)
    return g_steal_pointer (&rows);

  sql = g_strdup_printf ("SELECT version_id, filename, checksum, state, applied_by,"
                         " to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS.US'), duration_us"
                         " FROM %s ORDER BY version_id",
                         side);
  result = run (self, sql, 0, NULL, NULL, error);
  if (result == NULL)
    return NULL;

  for (int i = 0; i < PQntuples (result); i++)
    {
      GanderSideRow row = {
        .version_id = value_int64 (result, i, 0),
        .filename = value_dup (result, i, 1),
        .checksum = value_dup (result, i, 2),
        .state = gander_database_state_from_string (PQgetvalue (result, i, 3)),
        .applied_by = value_dup (result, i, 4),
        .applied_at = value_dup (result, i, 5),
        .duration_us = value_int64 (result, i, 6),
      };

      g_array_append_val (rows, row);
    }
  return g_steal_pointer (&rows);
}

/* }}} */

/* GObject {{{ */

static void
gander_postgres_database_finalize (GObject *object)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (object);

  /* close now, while the mutex still exists: the parent's finalize would
   * do it too late */
  gander_database_close (GANDER_DATABASE (self));
  g_mutex_clear (&self->cancel_lock);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (gander_postgres_database_parent_class)->finalize (object);
}

static void
gander_postgres_database_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (object);

  switch (prop_id)
    {
    case PROP_STATEMENT_TIMEOUT:
      g_value_set_uint (value, self->statement_timeout);
      break;
    case PROP_LOCK_TIMEOUT:
      g_value_set_uint (value, self->lock_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_postgres_database_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  GanderPostgresDatabase *self = GANDER_POSTGRES_DATABASE (object);

  switch (prop_id)
    {
    case PROP_STATEMENT_TIMEOUT:
      gander_postgres_database_set_statement_timeout (self, g_value_get_uint (value));
      break;
    case PROP_LOCK_TIMEOUT:
      gander_postgres_database_set_lock_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_postgres_database_class_init (GanderPostgresDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GanderDatabaseClass *database_class = GANDER_DATABASE_CLASS (klass);

  object_class->finalize = gander_postgres_database_finalize;
  object_class->get_property = gander_postgres_database_get_property;
  object_class->set_property = gander_postgres_database_set_property;

  database_class->get_dialect = gander_postgres_database_get_dialect;
  database_class->open = gander_postgres_database_open;
  database_class->close = gander_postgres_database_close;
  database_class->exec = gander_postgres_database_exec;
  database_class->begin = gander_postgres_database_begin;
  database_class->commit = gander_postgres_database_commit;
  database_class->rollback = gander_postgres_database_rollback;
  database_class->lock = gander_postgres_database_lock;
  database_class->unlock = gander_postgres_database_unlock;
  database_class->interrupt = gander_postgres_database_interrupt;
  database_class->version_table_exists = gander_postgres_database_version_table_exists;
  database_class->create_version_table = gander_postgres_database_create_version_table;
  database_class->insert_version = gander_postgres_database_insert_version;
  database_class->delete_version = gander_postgres_database_delete_version;
  database_class->list_versions = gander_postgres_database_list_versions;
  database_class->ensure_side_table = gander_postgres_database_ensure_side_table;
  database_class->write_side_row = gander_postgres_database_write_side_row;
  database_class->delete_side_row = gander_postgres_database_delete_side_row;
  database_class->list_side_rows = gander_postgres_database_list_side_rows;

  /**
   * GanderPostgresDatabase:statement-timeout:
   *
   * The session's `statement_timeout` in milliseconds, 0 for the server's
   * default. A statement running longer fails with %GANDER_ERROR_TIMEOUT.
   *
   * Since: 0.1
   */
  properties[PROP_STATEMENT_TIMEOUT] =
    g_param_spec_uint ("statement-timeout", NULL, NULL,
                       0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * GanderPostgresDatabase:lock-timeout:
   *
   * The session's `lock_timeout` in milliseconds, 0 for the server's
   * default. A statement waiting longer for a table lock (an `ALTER TABLE`
   * behind a long transaction) fails with %GANDER_ERROR_LOCKED instead of
   * queueing every later query of the table behind it.
   *
   * Since: 0.1
   */
  properties[PROP_LOCK_TIMEOUT] =
    g_param_spec_uint ("lock-timeout", NULL, NULL,
                       0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_postgres_database_init (GanderPostgresDatabase *self)
{
  g_mutex_init (&self->cancel_lock);
  self->pending = g_ptr_array_new_with_free_func (pending_command_free);
}

/* }}} */

/**
 * gander_postgres_database_new:
 * @dsn: a libpq connection URI or key=value string; empty for libpq's
 *   environment variables
 *
 * Creates a PostgreSQL database. Nothing is connected until
 * gander_database_open().
 *
 * Returns: (transfer full): a new #GanderPostgresDatabase
 *
 * Since: 0.1
 */
GanderDatabase *
gander_postgres_database_new (const char *dsn)
{
  return g_object_new (GANDER_TYPE_POSTGRES_DATABASE,
                       "dsn", dsn != NULL ? dsn : "",
                       NULL);
}

/**
 * gander_postgres_database_get_statement_timeout:
 * @self: a #GanderPostgresDatabase
 *
 * Gets the statement timeout in milliseconds, 0 for the server's default.
 *
 * Returns: the statement timeout in milliseconds, 0 for the server's default
 *
 * Since: 0.1
 */
guint
gander_postgres_database_get_statement_timeout (GanderPostgresDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_POSTGRES_DATABASE (self), 0);

  return self->statement_timeout;
}

/**
 * gander_postgres_database_set_statement_timeout:
 * @self: a #GanderPostgresDatabase
 * @msec: milliseconds, 0 for the server's default
 *
 * Sets #GanderPostgresDatabase:statement-timeout. On an open connection it
 * takes effect from the next statement.
 *
 * Since: 0.1
 */
void
gander_postgres_database_set_statement_timeout (GanderPostgresDatabase *self,
                                                guint                   msec)
{
  g_return_if_fail (GANDER_IS_POSTGRES_DATABASE (self));
  g_return_if_fail (msec <= G_MAXINT);

  if (self->statement_timeout == msec)
    return;
  self->statement_timeout = msec;
  self->settings_pending = self->conn != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATEMENT_TIMEOUT]);
}

/**
 * gander_postgres_database_get_lock_timeout:
 * @self: a #GanderPostgresDatabase
 *
 * Gets the lock timeout in milliseconds, 0 for the server's default.
 *
 * Returns: the lock timeout in milliseconds, 0 for the server's default
 *
 * Since: 0.1
 */
guint
gander_postgres_database_get_lock_timeout (GanderPostgresDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_POSTGRES_DATABASE (self), 0);

  return self->lock_timeout;
}

/**
 * gander_postgres_database_set_lock_timeout:
 * @self: a #GanderPostgresDatabase
 * @msec: milliseconds, 0 for the server's default
 *
 * Sets #GanderPostgresDatabase:lock-timeout. On an open connection it takes
 * effect from the next statement.
 *
 * Since: 0.1
 */
void
gander_postgres_database_set_lock_timeout (GanderPostgresDatabase *self,
                                           guint                   msec)
{
  g_return_if_fail (GANDER_IS_POSTGRES_DATABASE (self));
  g_return_if_fail (msec <= G_MAXINT);

  if (self->lock_timeout == msec)
    return;
  self->lock_timeout = msec;
  self->settings_pending = self->conn != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_TIMEOUT]);
}

PGconn *
gander_postgres_database_get_connection (GanderPostgresDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_POSTGRES_DATABASE (self), NULL);

  return self->conn;
}

gboolean
gander_postgres_database_connection_lost (GanderPostgresDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_POSTGRES_DATABASE (self), FALSE);

  return self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD;
}

PGresult *
gander_postgres_database_query (GanderPostgresDatabase  *self,
                                const char              *sql,
                                int                      n_params,
                                const char * const      *params,
                                GCancellable            *cancellable,
                                GError                 **error)
{
  g_return_val_if_fail (GANDER_IS_POSTGRES_DATABASE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return run (self, sql, n_params, params, cancellable, error);
}
