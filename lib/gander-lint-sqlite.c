/* gander-lint-sqlite.c: SQLite rules, observed by SQLite itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each statement is compiled (sqlite3_prepare_v2) against a scratch
 * in-memory database that replays the file's schema changes, with an
 * authorizer that records what the statement does: tables created,
 * dropped and altered, pragmas, transaction control, rows updated and
 * deleted. Schema statements are then run on the scratch database, and an
 * ALTER TABLE is told apart (add, drop or rename of a column, rename of
 * the table) by comparing the table before and after.
 *
 * A table the file did not create does not exist in the scratch database:
 * it is "an existing table of unknown schema". When SQLite says "no such
 * table" (or column, index, view, trigger), a stub is made with what the
 * statement needs and the statement is compiled again. What still cannot
 * be compiled for want of schema (a function from an extension, an INSERT
 * with the wrong number of values for a stub) is left alone: only syntax
 * errors and what SQLite refuses whatever the schema are `parse-error`.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "gander-error.h"
#include "gander-lint-private.h"

#define STUB_COLUMN "_gander_stub_"
#define STUB_HOST   "_gander_stub_host_"
#define MAX_STUB_ATTEMPTS 16

typedef struct {
  int   code;
  char *arg1;
  char *arg2;
} AuthEvent;

typedef struct {
  sqlite3    *db;
  gboolean    observing;
  GArray     *events;    /* AuthEvent */
  GHashTable *stubs;     /* lower-case names of stub tables */
} SqliteLint;

static void
auth_event_clear (gpointer data)
{
  AuthEvent *event = data;

  g_free (event->arg1);
  g_free (event->arg2);
}

static int
authorizer (void       *user_data,
            int         code,
            const char *arg1,
            const char *arg2,
            const char *database,
            const char *inner)
{
  SqliteLint *self = user_data;
  AuthEvent event;

  /* only the statement itself: not trigger bodies, views, or the nested
   * statements SQLite writes for ALTER and DROP on its schema table */
  if (!self->observing || inner != NULL)
    return SQLITE_OK;
  if ((code == SQLITE_UPDATE || code == SQLITE_DELETE || code == SQLITE_INSERT ||
       code == SQLITE_READ) && arg1 != NULL && g_ascii_strncasecmp (arg1, "sqlite_", 7) == 0)
    return SQLITE_OK;
  if (code == SQLITE_READ || code == SQLITE_FUNCTION || code == SQLITE_SELECT)
    return SQLITE_OK;
  /* the scratch database never touches a file */
  if (code == SQLITE_ATTACH)
    return SQLITE_DENY;

  event.code = code;
  event.arg1 = g_strdup (arg1);
  event.arg2 = g_strdup (arg2);
  g_array_append_val (self->events, event);
  return SQLITE_OK;
}

gpointer
gander_lint_sqlite_open (GError **error)
{
  SqliteLint *self = g_new0 (SqliteLint, 1);
  int rc;

  rc = sqlite3_open_v2 (":memory:", &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_FAILED,
                   _("cannot open the scratch SQLite database for lint: %s"),
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      sqlite3_close (self->db);
      g_free (self);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  self->events = g_array_new (FALSE, TRUE, sizeof (AuthEvent));
  g_array_set_clear_func (self->events, auth_event_clear);
  self->stubs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_set_authorizer (self->db, authorizer, self);
  return self;
}

void
gander_lint_sqlite_close (gpointer engine)
{
  SqliteLint *self = engine;

  sqlite3_set_authorizer (self->db, NULL, NULL);
  sqlite3_close (self->db);
  g_array_unref (self->events);
  g_hash_table_unref (self->stubs);
  g_free (self);
}

/* ---- the scratch schema ---- */

static gboolean
exec_quiet (SqliteLint *self,
            const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_debug ("lint scratch database: %s: %s", sql, message);
  sqlite3_free (message);
  return rc == SQLITE_OK;
}

static gboolean
table_exists (SqliteLint *self,
              const char *name)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

typedef struct {
  char     *name;
  gboolean  not_null;
  gboolean  has_default;
} ColumnInfo;

static void
column_info_clear (gpointer data)
{
  g_free (((ColumnInfo *) data)->name);
}

static GArray *
table_columns (SqliteLint *self,
               const char *table)
{
  GArray *columns = g_array_new (FALSE, TRUE, sizeof (ColumnInfo));
  sqlite3_stmt *stmt = NULL;

  g_array_set_clear_func (columns, column_info_clear);
  if (sqlite3_prepare_v2 (self->db, "SELECT name, \"notnull\", dflt_value IS NOT NULL "
                          "FROM pragma_table_xinfo(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return columns;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ColumnInfo info;

      info.name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      info.not_null = sqlite3_column_int (stmt, 1) != 0;
      info.has_default = sqlite3_column_int (stmt, 2) != 0;
      g_array_append_val (columns, info);
    }
  sqlite3_finalize (stmt);
  return columns;
}

static gboolean
has_column (GArray     *columns,
            const char *name)
{
  for (guint i = 0; i < columns->len; i++)
    if (g_ascii_strcasecmp (g_array_index (columns, ColumnInfo, i).name, name) == 0)
      return TRUE;
  return FALSE;
}

static GPtrArray *
table_names (SqliteLint *self)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT name FROM sqlite_schema WHERE type = 'table'",
                          -1, &stmt, NULL) != SQLITE_OK)
    return names;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return names;
}

/* The name in `no such table: main.x`, `no such column: "x"`, … */
static char *
name_after (const char *message,
            const char *prefix)
{
  g_autofree char *name = NULL;
  gsize n;

  if (!g_str_has_prefix (message, prefix))
    return NULL;
  name = g_strdup (message + strlen (prefix));
  n = strlen (name);
  if (n >= 2 && name[0] == '"' && name[n - 1] == '"')
    {
      memmove (name, name + 1, n - 2);
      name[n - 2] = '\0';
    }
  if (g_str_has_prefix (name, "main."))
    memmove (name, name + 5, strlen (name + 5) + 1);
  return *name != '\0' ? g_steal_pointer (&name) : NULL;
}

static gboolean
add_stub_table (SqliteLint *self,
                const char *table)
{
  g_autofree char *sql = NULL;
  char *quoted = sqlite3_mprintf ("%w", table);

  sql = g_strdup_printf ("CREATE TABLE \"%s\" (" STUB_COLUMN ")", quoted);
  sqlite3_free (quoted);
  if (!exec_quiet (self, sql))
    return FALSE;
  g_hash_table_add (self->stubs, g_ascii_strdown (table, -1));
  return TRUE;
}

static gboolean
add_stub_column (SqliteLint *self,
                 const char *table,
                 const char *column)
{
  g_autoptr(GArray) columns = table_columns (self, table);
  char *sql;
  gboolean ok;

  if (has_column (columns, column))
    return FALSE;
  sql = sqlite3_mprintf ("ALTER TABLE \"%w\" ADD COLUMN \"%w\"", table, column);
  ok = exec_quiet (self, sql);
  sqlite3_free (sql);
  return ok;
}

static gboolean
ensure_host (SqliteLint *self)
{
  return table_exists (self, STUB_HOST) ||
         exec_quiet (self, "CREATE TABLE " STUB_HOST " (" STUB_COLUMN ")");
}

/* Makes what @message says is missing; TRUE if compiling again may work. */
static gboolean
make_missing (SqliteLint *self,
              const char *message)
{
  g_autofree char *name = NULL;
  gboolean ok = FALSE;
  char *sql = NULL;

  if ((name = name_after (message, "no such table: ")) != NULL)
    return !table_exists (self, name) && add_stub_table (self, name);

  if ((name = name_after (message, "no such column: ")) != NULL)
    {
      const char *dot = strrchr (name, '.');
      GHashTableIter iter;
      gpointer stub;

      if (dot != NULL)
        {
          g_autofree char *table = g_strndup (name, dot - name);
          g_autofree char *lower = g_ascii_strdown (table, -1);

          return g_hash_table_contains (self->stubs, lower) && add_stub_column (self, table, dot + 1);
        }
      /* which table lacks it is not said: every stub may have it */
      g_hash_table_iter_init (&iter, self->stubs);
      while (g_hash_table_iter_next (&iter, &stub, NULL))
        ok = add_stub_column (self, stub, name) || ok;
      return ok;
    }

  if (g_str_has_prefix (message, "table ") && strstr (message, " has no column named ") != NULL)
    {
      const char *mid = strstr (message, " has no column named ");
      g_autofree char *table = g_strndup (message + 6, mid - (message + 6));
      g_autofree char *lower = g_ascii_strdown (table, -1);

      return g_hash_table_contains (self->stubs, lower) &&
             add_stub_column (self, table, mid + strlen (" has no column named "));
    }

  if ((name = name_after (message, "no such index: ")) != NULL)
    {
      if (!ensure_host (self))
        return FALSE;
      sql = sqlite3_mprintf ("CREATE INDEX \"%w\" ON " STUB_HOST " (" STUB_COLUMN ")", name);
    }
  else if ((name = name_after (message, "no such view: ")) != NULL)
    sql = sqlite3_mprintf ("CREATE VIEW \"%w\" AS SELECT 1 AS " STUB_COLUMN, name);
  else if ((name = name_after (message, "no such trigger: ")) != NULL)
    {
      if (!ensure_host (self))
        return FALSE;
      sql = sqlite3_mprintf ("CREATE TRIGGER \"%w\" AFTER INSERT ON " STUB_HOST
                             " BEGIN SELECT 1; END", name);
    }
  if (sql == NULL)
    return FALSE;
  ok = exec_quiet (self, sql);
  sqlite3_free (sql);
  return ok;
}

/* ---- what the authorizer cannot say ---- */

/* The statement's verb (the first of SELECT, INSERT, UPDATE, DELETE, … at
 * the top level, past a WITH clause) and whether a WHERE follows it at the
 * top level. Strings, quoted names, comments and parentheses are skipped. */
static void
scan_statement (const char  *sql,
                gsize        len,
                char        *first,
                gsize        first_size,
                char        *verb,
                gsize        verb_size,
                gboolean    *has_where,
                gsize       *end)
{
  static const char * const verbs[] = { "select", "insert", "update", "delete", "replace", "values", NULL };
  gsize i = 0;
  int depth = 0;

  *first = '\0';
  *verb = '\0';
  *end = 0;
  *has_where = FALSE;
  while (i < len)
    {
      char c = sql[i];

      if (c == '-' && i + 1 < len && sql[i + 1] == '-')
        {
          while (i < len && sql[i] != '\n')
            i++;
        }
      else if (c == '/' && i + 1 < len && sql[i + 1] == '*')
        {
          i += 2;
          while (i + 1 < len && !(sql[i] == '*' && sql[i + 1] == '/'))
            i++;
          i += 2;
        }
      else if (c == '\'' || c == '"' || c == '`' || c == '[')
        {
          char close = c == '[' ? ']' : c;

          i++;
          while (i < len && sql[i] != close)
            i++;
          i++;
        }
      else if (c == ';' && depth == 0 && *first != '\0' && !g_str_equal (first, "create"))
        {
          *end = i + 1;
          return;
        }
      else if (c == '(')
        depth++, i++;
      else if (c == ')')
        depth--, i++;
      else if (g_ascii_isalpha (c) || c == '_')
        {
          gsize start = i;
          char word[16];
          gsize n;

          while (i < len && (g_ascii_isalnum (sql[i]) || sql[i] == '_' || sql[i] == '$'))
            i++;
          n = MIN (i - start, sizeof word - 1);
          for (gsize k = 0; k < n; k++)
            word[k] = g_ascii_tolower (sql[start + k]);
          word[n] = '\0';
          if (depth != 0)
            continue;
          if (*first == '\0')
            g_strlcpy (first, word, first_size);
          if (*verb == '\0' && g_strv_contains (verbs, word))
            g_strlcpy (verb, word, verb_size);
          else if (*verb != '\0' && g_str_equal (word, "where"))
            *has_where = TRUE;
        }
      else
        i++;
    }
}

/* ---- one statement ---- */

static void
report_in_transaction (GanderLintRun *run,
                       guint          line,
                       const char    *what)
{
  if (run->use_tx)
    gander_lint_run_report (run, GANDER_LINT_NEEDS_NO_TRANSACTION, line,
                            _("put the statement in its own migration file that starts with "
                              "'-- +goose NO TRANSACTION'"),
                            _("%s cannot run inside a transaction, and goose runs this file in "
                              "one: the migration fails when it is applied"), what);
  else if (run->in_explicit_tx)
    gander_lint_run_report (run, GANDER_LINT_NEEDS_NO_TRANSACTION, line,
                            _("move the statement out of the BEGIN … COMMIT block"),
                            _("%s cannot run inside a transaction, and the file opened one with "
                              "BEGIN: the migration fails when it is applied"), what);
}

static void
report_unbounded (GanderLintRun *run,
                  guint          line,
                  const char    *verb,
                  const char    *table)
{
  gander_lint_run_report (run, GANDER_LINT_UNBOUNDED_DML, line,
                          _("add a WHERE clause; backfill large tables in batches outside the "
                            "schema migration"),
                          _("%s without WHERE touches every row of \"%s\" in one transaction, "
                            "holding the database's write lock until it ends"),
                          g_str_equal (verb, "update") ? "UPDATE" : "DELETE", table);
}

static gboolean
is_created (GanderLintRun *run,
            const char    *table)
{
  g_autofree char *lower = table != NULL ? g_ascii_strdown (table, -1) : NULL;

  return gander_lint_run_is_created (run, lower);
}

static void
set_created (GanderLintRun *run,
             const char    *table,
             gboolean       created)
{
  char *lower = g_ascii_strdown (table, -1);

  if (created)
    g_hash_table_add (run->created, lower);
  else
    {
      g_hash_table_remove (run->created, lower);
      g_free (lower);
    }
}

/* An ALTER TABLE has run on @table: what did it do? */
static void
report_alter (GanderLintRun *run,
              SqliteLint    *self,
              guint          line,
              const char    *table,
              GPtrArray     *tables_before,
              GArray        *columns_before)
{
  gboolean existing = !is_created (run, table);
  g_autoptr(GArray) columns = NULL;

  if (!table_exists (self, table))
    {
      g_autoptr(GPtrArray) tables = table_names (self);
      const char *renamed = NULL;

      for (guint i = 0; i < tables->len; i++)
        if (!g_ptr_array_find_with_equal_func (tables_before, g_ptr_array_index (tables, i),
                                               g_str_equal, NULL))
          renamed = g_ptr_array_index (tables, i);
      if (renamed != NULL)
        {
          g_autofree char *lower = g_ascii_strdown (table, -1);

          /* a stub keeps being one under its new name */
          if (g_hash_table_remove (self->stubs, lower))
            g_hash_table_add (self->stubs, g_ascii_strdown (renamed, -1));
        }
      if (!existing)
        {
          set_created (run, table, FALSE);
          if (renamed != NULL)
            set_created (run, renamed, TRUE);
        }
      else
        gander_lint_run_report (run, GANDER_LINT_RENAME, line,
                                _("create the new table (or a view under the new name), move the "
                                  "application over, then drop the old name in a later migration"),
                                _("table \"%s\" is renamed to \"%s\": running code that uses the "
                                  "old name fails until it is deployed again"),
                                table, renamed != NULL ? renamed : "?");
      return;
    }
  if (!existing)
    return;

  columns = table_columns (self, table);
  if (columns->len > columns_before->len)
    {
      for (guint i = 0; i < columns->len; i++)
        {
          ColumnInfo *info = &g_array_index (columns, ColumnInfo, i);

          if (has_column (columns_before, info->name) || !info->not_null || info->has_default)
            continue;
          gander_lint_run_report (run, GANDER_LINT_REQUIRED_COLUMN, line,
                                  _("give the column a DEFAULT, or add it nullable and fill it"),
                                  _("NOT NULL column \"%s\" is added to existing table \"%s\" "
                                    "without a default: SQLite refuses it as soon as the table "
                                    "has a row"),
                                  info->name, table);
        }
    }
  else if (columns->len < columns_before->len)
    {
      for (guint i = 0; i < columns_before->len; i++)
        {
          ColumnInfo *info = &g_array_index (columns_before, ColumnInfo, i);

          if (!has_column (columns, info->name))
            gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                                    _("stop using the column in the application first; drop it "
                                      "in a later migration, after a backup"),
                                    _("column \"%s\" of table \"%s\" is dropped: its data is "
                                      "gone, and running code that still uses it fails"),
                                    info->name, table);
        }
    }
  else
    {
      for (guint i = 0; i < columns_before->len && i < columns->len; i++)
        {
          const char *was = g_array_index (columns_before, ColumnInfo, i).name;
          const char *now = g_array_index (columns, ColumnInfo, i).name;

          if (g_ascii_strcasecmp (was, now) != 0)
            gander_lint_run_report (run, GANDER_LINT_RENAME, line,
                                    _("add a new column, write both, backfill, move the "
                                      "application over, then drop the old column later"),
                                    _("column \"%s\" of table \"%s\" is renamed to \"%s\": "
                                      "running code that uses the old name fails"),
                                    was, table, now);
        }
    }
}

static gboolean
is_unresolved_schema (const char *message)
{
  /* what a real database with the full schema (and its extensions) may
   * well compile: not the file's fault as far as the linter can tell */
  return strstr (message, "no such ") != NULL ||
         strstr (message, "has no column named") != NULL ||
         strstr (message, "ambiguous column name") != NULL ||
         strstr (message, "columns but") != NULL ||
         strstr (message, "values for") != NULL ||
         strstr (message, "already exists") != NULL ||
         strstr (message, "not authorized") != NULL;
}

/* sqlite3_progress_handler(): stop a replay after ~5 million VM steps */
static int
replay_budget_spent (void *user_data)
{
  guint *calls = user_data;

  return ++*calls > 5000;
}

/* One SQL command starting at @sql (inside the goose statement @text).
 * Returns where the next one starts, or NULL to stop. */

static const char *
lint_command (GanderLintRun *run,
              SqliteLint    *self,
              const char    *text,
              const char    *sql)
{
  guint replay_steps;
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;
  guint line;
  int rc = SQLITE_OK;
  char first[16], verb[16];
  gboolean has_where;
  gboolean reported_dml = FALSE;
  gsize end = 0;
  gboolean schema_change = FALSE, creates_or_drops = FALSE, temp = FALSE;
  const char *altered = NULL;
  g_autoptr(GPtrArray) tables_before = NULL;
  g_autoptr(GArray) columns_before = NULL;
  g_autofree char *altered_copy = NULL;
  g_autofree char *message = NULL;
  const char *what = NULL;
  int offset = -1;

  sql = text + gander_lint_skip_blanks (text, sql - text);
  if (*sql == '\0')
    return NULL;
  line = gander_lint_line_at (text, sql - text, run->stmt_line);
  /* what the command is, up to its end (a data statement's first ';') */
  scan_statement (sql, strlen (sql), first, sizeof first, verb, sizeof verb, &has_where, &end);

  for (guint attempt = 0; attempt < MAX_STUB_ATTEMPTS; attempt++)
    {
      g_array_set_size (self->events, 0);
      self->observing = TRUE;
      rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, &tail);
      self->observing = FALSE;
      if (rc == SQLITE_OK)
        break;
      /* making a stub runs SQL, which replaces the error */
      g_free (message);
      message = g_strdup (sqlite3_errmsg (self->db));
#if SQLITE_VERSION_NUMBER >= 3038000
      offset = sqlite3_error_offset (self->db);
#endif
      /* Stubs (each one a schema change, the costly part) only for the
       * schema statements; SQLite resolves names after the grammar has
       * accepted the whole command, so a data statement that fails on a
       * missing name has no syntax error, and its rule is decided below.
       * A transactional Down section is only checked for what fails
       * whatever the schema: no stubs there either. */
      if (!g_str_equal (first, "create") && !g_str_equal (first, "drop") &&
          !g_str_equal (first, "alter"))
        break;
      if (run->direction == GANDER_DIRECTION_DOWN && run->use_tx)
        break;
      if (!make_missing (self, message))
        break;
    }
  if (rc != SQLITE_OK)
    {
      g_autofree char *missing = name_after (message, "no such table: ");

      if (missing != NULL && !has_where && !is_created (run, missing) &&
          (g_str_equal (verb, "update") || g_str_equal (verb, "delete")))
        report_unbounded (run, line, verb, missing);
      else if (is_unresolved_schema (message))
        g_debug ("%s:%u: not linted, the scratch database lacks its schema: %s",
                 run->path, line, message);
      else
        gander_lint_run_report (run, GANDER_LINT_PARSE_ERROR,
                                offset >= 0 ? gander_lint_line_at (sql, offset, line) : line,
                                _("fix the SQL: SQLite rejects it when the migration runs"),
                                _("SQLite cannot compile this statement: %s"), message);
      /* a data statement ends at its first ';'; elsewhere where the next
       * command starts is unknown */
      return end > 0 && sql[end] != '\0' ? sql + end : NULL;
    }
  if (stmt == NULL)
    return tail != NULL && *tail != '\0' && tail > sql ? tail : NULL;

  scan_statement (sql, tail - sql, first, sizeof first, verb, sizeof verb, &has_where, &end);

  if (g_str_equal (first, "vacuum"))
    report_in_transaction (run, line, "VACUUM");

  for (guint i = 0; i < self->events->len; i++)
    {
      AuthEvent *event = &g_array_index (self->events, AuthEvent, i);

      switch (event->code)
        {
        case SQLITE_TRANSACTION:
          if (run->use_tx)
            gander_lint_run_report (run, GANDER_LINT_TRANSACTION_NESTING, line,
                                    _("remove it: goose already runs the file in a transaction "
                                      "(or mark the file '-- +goose NO TRANSACTION' to manage "
                                      "transactions yourself)"),
                                    _("%s inside a file goose runs in a transaction: SQLite "
                                      "refuses to nest transactions, or it ends goose's early"),
                                    event->arg1);
          else
            run->in_explicit_tx = g_strcmp0 (event->arg1, "BEGIN") == 0;
          break;

        case SQLITE_PRAGMA:
          if (event->arg1 != NULL && g_ascii_strcasecmp (event->arg1, "foreign_keys") == 0 &&
              event->arg2 != NULL && (run->use_tx || run->in_explicit_tx))
            gander_lint_run_report (run, GANDER_LINT_FK_PRAGMA_IN_TX, line,
                                    _("set it in a '-- +goose NO TRANSACTION' file, outside "
                                      "BEGIN … COMMIT, or on the connection (DSN "
                                      "_foreign_keys / _pragma)"),
                                    _("PRAGMA foreign_keys inside a transaction does nothing: "
                                      "SQLite ignores it until the transaction ends"));
          break;

        case SQLITE_CREATE_TABLE:
          what = what != NULL ? what : "CREATE TABLE";
          schema_change = creates_or_drops = TRUE;
          if (event->arg1 != NULL)
            set_created (run, event->arg1, TRUE);
          break;
        case SQLITE_CREATE_INDEX:
        case SQLITE_CREATE_VIEW:
        case SQLITE_CREATE_TRIGGER:
        case SQLITE_DROP_INDEX:
        case SQLITE_DROP_VIEW:
        case SQLITE_DROP_TRIGGER:
          what = what != NULL ? what :
                 event->code == SQLITE_CREATE_INDEX ? "CREATE INDEX" :
                 event->code == SQLITE_CREATE_VIEW ? "CREATE VIEW" :
                 event->code == SQLITE_CREATE_TRIGGER ? "CREATE TRIGGER" :
                 event->code == SQLITE_DROP_INDEX ? "DROP INDEX" :
                 event->code == SQLITE_DROP_VIEW ? "DROP VIEW" : "DROP TRIGGER";
          schema_change = creates_or_drops = TRUE;
          break;
        case SQLITE_CREATE_TEMP_TABLE:
        case SQLITE_CREATE_TEMP_INDEX:
        case SQLITE_CREATE_TEMP_VIEW:
        case SQLITE_CREATE_TEMP_TRIGGER:
        case SQLITE_DROP_TEMP_TABLE:
        case SQLITE_DROP_TEMP_INDEX:
        case SQLITE_DROP_TEMP_VIEW:
        case SQLITE_DROP_TEMP_TRIGGER:
          schema_change = temp = TRUE;
          break;
        case SQLITE_CREATE_VTABLE:
        case SQLITE_DROP_VTABLE:
          schema_change = TRUE;
          break;

        case SQLITE_DROP_TABLE:
          what = what != NULL ? what : "DROP TABLE";
          schema_change = creates_or_drops = TRUE;
          if (event->arg1 == NULL)
            break;
          if (is_created (run, event->arg1))
            set_created (run, event->arg1, FALSE);
          else
            gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                                    _("make sure nothing uses the table and a backup exists; "
                                      "drop it in a migration of its own, or rename it first "
                                      "and drop it later"),
                                    _("table \"%s\" is dropped with all its data"), event->arg1);
          break;

        case SQLITE_ALTER_TABLE:
          schema_change = TRUE;
          altered = event->arg2;
          break;

        case SQLITE_UPDATE:
        case SQLITE_DELETE:
          if (event->arg1 == NULL || has_where || is_created (run, event->arg1) ||
              !g_str_equal (verb, event->code == SQLITE_UPDATE ? "update" : "delete"))
            break;
          /* one finding per statement, not one per column set */
          if (reported_dml)
            break;
          reported_dml = TRUE;
          report_unbounded (run, line, event->code == SQLITE_UPDATE ? "update" : "delete",
                            event->arg1);
          break;

        default:
          break;
        }
    }

  /* Replay the schema change, so later statements see it. A transactional
   * Down section's rules need no replay (its Up-only rules are off, and a
   * rerun check is for NO TRANSACTION files): it is only compiled. */
  if (schema_change && (run->direction == GANDER_DIRECTION_UP || !run->use_tx))
    {
      if (altered != NULL && run->direction == GANDER_DIRECTION_UP)
        {
          altered_copy = g_strdup (altered);
          tables_before = table_names (self);
          columns_before = table_columns (self, altered_copy);
        }
      /* the scratch database holds no rows, but a statement can make its
       * own (CREATE TABLE … AS WITH RECURSIVE …): replaying may never
       * take longer than a few million VM steps */
      replay_steps = 0;
      sqlite3_progress_handler (self->db, 1000, replay_budget_spent, &replay_steps);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        ;
      sqlite3_progress_handler (self->db, 0, NULL, NULL);
      if (rc != SQLITE_DONE)
        g_debug ("%s:%u: the scratch database could not replay the statement: %s",
                 run->path, line, sqlite3_errmsg (self->db));
      if (altered_copy != NULL && rc == SQLITE_DONE)
        report_alter (run, self, line, altered_copy, tables_before, columns_before);
    }
  sqlite3_finalize (stmt);

  /* Run twice, would it fail? SQLite answers: compile it again. */
  if (creates_or_drops && !temp && !run->use_tx)
    {
      sqlite3_stmt *again = NULL;

      if (sqlite3_prepare_v2 (self->db, sql, tail - sql, &again, NULL) != SQLITE_OK)
        gander_lint_run_report (run, GANDER_LINT_PREFER_ROBUST_STMTS, line,
                                _("write it with IF [NOT] EXISTS so that running the file again "
                                  "after a partial failure is safe"),
                                _("%s without %s in a NO TRANSACTION file: if a later statement "
                                  "fails, this one stays applied and a retry fails on it"),
                                what != NULL ? what : "CREATE",
                                what != NULL && what[0] == 'D' ? "IF EXISTS" : "IF NOT EXISTS");
      sqlite3_finalize (again);
    }

  return tail != NULL && *tail != '\0' ? tail : NULL;
}

void
gander_lint_sqlite_section (GanderLintRun   *run,
                            GanderParsedSql *parsed)
{
  SqliteLint *self = run->engine;
  guint n = gander_parsed_sql_get_n_statements (parsed);

  for (guint i = 0; i < n; i++)
    {
      const char *text = gander_parsed_sql_get_statement (parsed, i);
      const char *sql = text;

      gander_lint_run_begin_statement (run, parsed, i);
      while (sql != NULL)
        sql = lint_command (run, self, text, sql);
    }
}
