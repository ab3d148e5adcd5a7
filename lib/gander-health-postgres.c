/* gander-health-postgres.c: the health checks of a PostgreSQL database
 *
 * Each check is one catalog query (one round trip) on the migrator's own
 * connection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-libpq-private.h"
#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-health-private.h"
#include "gander-postgres-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* How many problem rows a message lists. */
#define MAX_LISTED 5

/* Runs @sql; NULL with @error when cancelled, or with *@why otherwise. */
static PGresult *
query (GanderHealthContext  *ctx,
       const char           *sql,
       int                   n_params,
       const char * const   *params,
       char                **why,
       GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  PGresult *result;

  result = gander_postgres_database_query (GANDER_POSTGRES_DATABASE (ctx->database), sql,
                                           n_params, params, ctx->cancellable, &local_error);
  if (result != NULL)
    return result;
  if (gander_error_is_cancelled (local_error))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    *why = g_strdup (local_error->message);
  return NULL;
}

/* The common tail of a check whose query failed: FALSE when cancelled,
 * else a FAIL naming what could not be read. */
static gboolean
query_failed (GanderHealthOutcome *out,
              const char          *what,
              const char          *why)
{
  if (why == NULL)
    return FALSE;
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL, _("cannot read %s: %s"), what, why);
  return TRUE;
}

static gboolean
value_is_true (const PGresult *result,
               int             row,
               int             column)
{
  return !PQgetisnull (result, row, column) &&
         g_str_equal (PQgetvalue (result, row, column), "t");
}

static gboolean
connectivity (GanderHealthContext  *ctx,
              GanderHealthOutcome  *out,
              GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *why = NULL;

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

  result = query (ctx,
                  "SELECT current_setting('server_version'), current_user, current_database()",
                  0, NULL, &why, error);
  if (result == NULL)
    return query_failed (out, _("the server version"), why);
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                             _("PostgreSQL %s, database %s as role %s"),
                             PQgetvalue (result, 0, 0), PQgetvalue (result, 0, 2),
                             PQgetvalue (result, 0, 1));
  return TRUE;
}

/* Where default_transaction_read_only came from, and how to undo it. */
static char *
read_only_advice (const char *source,
                  const char *role,
                  const char *database)
{
  if (g_str_equal (source, "user"))
    return g_strdup_printf (_("it is set for role %s: `ALTER ROLE %s RESET "
                              "default_transaction_read_only;`"), role, role);
  if (g_str_equal (source, "database"))
    return g_strdup_printf (_("it is set for database %s: `ALTER DATABASE %s RESET "
                              "default_transaction_read_only;`"), database, database);
  if (g_str_equal (source, "database user"))
    return g_strdup_printf (_("it is set for role %s in database %s: `ALTER ROLE %s IN "
                              "DATABASE %s RESET default_transaction_read_only;`"),
                            role, database, role, database);
  if (g_str_equal (source, "client"))
    return g_strdup (_("the client set it: remove `-c default_transaction_read_only=on` "
                       "from the connection string's options or PGOPTIONS"));
  if (g_str_equal (source, "configuration file") || g_str_equal (source, "global"))
    return g_strdup (_("the server's configuration sets it (postgresql.conf or ALTER "
                       "SYSTEM): if this is not a server meant to be read-only, set it to "
                       "off and reload"));
  return g_strdup_printf (_("it comes from %s"), source);
}

static gboolean
writable (GanderHealthContext  *ctx,
          GanderHealthOutcome  *out,
          GError              **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *why = NULL;

  result = query (ctx,
                  "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'), "
                  "s.setting, s.source, quote_ident(current_user), "
                  "quote_ident(current_database()) "
                  "FROM pg_settings s WHERE s.name = 'default_transaction_read_only'",
                  0, NULL, &why, error);
  if (result == NULL)
    return query_failed (out, _("whether the server accepts writes"), why);
  if (PQntuples (result) != 1)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("cannot read whether the server accepts writes: "
                                   "pg_settings has no default_transaction_read_only"));
      return TRUE;
    }

  if (value_is_true (result, 0, 0))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("the server is a standby (pg_is_in_recovery() is true): "
                                   "it accepts no writes. Connect to the primary (check the "
                                   "host in the connection string; with several hosts add "
                                   "target_session_attrs=read-write)"));
      return TRUE;
    }
  if (g_str_equal (PQgetvalue (result, 0, 1), "on"))
    {
      g_autofree char *advice = NULL;

      if (g_str_equal (PQgetvalue (result, 0, 2), "on"))
        {
          advice = read_only_advice (PQgetvalue (result, 0, 3), PQgetvalue (result, 0, 4),
                                     PQgetvalue (result, 0, 5));
          gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                     _("the session is read-only: transaction_read_only is on "
                                       "because default_transaction_read_only is on; %s. Then "
                                       "connect again"), advice);
        }
      else
        gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                   _("the session is inside a read-only transaction "
                                     "(transaction_read_only is on): end it (COMMIT or "
                                     "ROLLBACK) before migrating"));
      return TRUE;
    }
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                             _("the server is a primary and the session can write "
                               "(transaction_read_only off)"));
  return TRUE;
}

/* Columns of the privileges query. */
enum {
  P_ROLE, P_VERSION_NUM, P_SCHEMA, P_SCHEMA_EXISTS, P_CAN_CREATE, P_CAN_USE,
  P_TABLE, P_TABLE_EXISTS, P_TABLE_OK, P_SIDE, P_SIDE_EXISTS, P_SIDE_OK,
};

static const char privileges_sql[] =
  "SELECT quote_ident(current_user), current_setting('server_version_num')::int, "
  "       quote_ident(COALESCE(n.nspname, w.wanted)), n.oid IS NOT NULL, "
  "       COALESCE(has_schema_privilege(n.oid, 'CREATE'), false), "
  "       COALESCE(has_schema_privilege(n.oid, 'USAGE'), false), "
  "       quote_ident(COALESCE(n.nspname, w.wanted)) || '.' || quote_ident($4), "
  "       v.oid IS NOT NULL, "
  "       COALESCE(pg_has_role(v.relowner, 'USAGE') OR "
  "                (has_table_privilege(v.oid, 'SELECT') AND "
  "                 has_table_privilege(v.oid, 'INSERT') AND "
  "                 has_table_privilege(v.oid, 'DELETE')), false), "
  "       quote_ident(COALESCE(n.nspname, w.wanted)) || '.' || quote_ident($5), "
  "       s.oid IS NOT NULL, "
  "       COALESCE(pg_has_role(s.relowner, 'USAGE') OR "
  "                (has_table_privilege(s.oid, 'SELECT') AND "
  "                 has_table_privilege(s.oid, 'INSERT') AND "
  "                 has_table_privilege(s.oid, 'UPDATE') AND "
  "                 has_table_privilege(s.oid, 'DELETE')), false) "
  "FROM (SELECT COALESCE($3, current_schema()) AS wanted) w "
  "LEFT JOIN pg_class v ON v.oid = to_regclass($1) "
  "LEFT JOIN pg_class s ON s.oid = to_regclass($2) "
  "LEFT JOIN pg_namespace n ON n.oid = COALESCE(v.relnamespace, "
  "  (SELECT oid FROM pg_namespace WHERE nspname = w.wanted))";

static gboolean
privileges (GanderHealthContext  *ctx,
            GanderHealthOutcome  *out,
            GError              **error)
{
  const char *table = gander_database_get_table_name (ctx->database);
  g_autofree char *side = gander_database_dup_side_table_name (ctx->database);
  const char *dot = strchr (table, '.');
  g_autofree char *schema = dot != NULL ? g_ascii_strdown (table, dot - table) : NULL;
  g_autofree char *bare = g_ascii_strdown (dot != NULL ? dot + 1 : table, -1);
  g_autofree char *bare_side = g_strconcat (bare, "_gander", NULL);
  const char * const params[] = { table, side, schema, bare, bare_side };
  g_autoptr(PGresult) result = NULL;
  g_autofree char *why = NULL;
  const char *role;
  const char *nsp;
  gboolean need_create;

  result = query (ctx, privileges_sql, G_N_ELEMENTS (params), params, &why, error);
  if (result == NULL)
    return query_failed (out, _("the role's privileges"), why);

  role = PQgetvalue (result, 0, P_ROLE);
  nsp = PQgetvalue (result, 0, P_SCHEMA);

  if (PQgetisnull (result, 0, P_SCHEMA))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("no schema of the search_path exists, so the version "
                                   "table %s has nowhere to go: name its schema (`-table "
                                   "myschema.%s`) or fix the role's search_path"),
                                 table, bare);
      return TRUE;
    }
  if (!value_is_true (result, 0, P_SCHEMA_EXISTS))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("schema %s of the version table does not exist: create "
                                   "it (`CREATE SCHEMA %s AUTHORIZATION %s;`) or name another "
                                   "with -table"),
                                 nsp, nsp, role);
      return TRUE;
    }
  if (!value_is_true (result, 0, P_CAN_USE))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("role %s has no USAGE privilege on schema %s, where the "
                                   "version table lives: ask its owner to run `GRANT USAGE "
                                   "ON SCHEMA %s TO %s;`"),
                                 role, nsp, nsp, role);
      return TRUE;
    }
  if (value_is_true (result, 0, P_TABLE_EXISTS) && !value_is_true (result, 0, P_TABLE_OK))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("role %s may not write the version table %s (it needs "
                                   "SELECT, INSERT and DELETE): ask its owner to run `GRANT "
                                   "SELECT, INSERT, DELETE ON %s TO %s;`"),
                                 role, PQgetvalue (result, 0, P_TABLE),
                                 PQgetvalue (result, 0, P_TABLE), role);
      return TRUE;
    }
  if (value_is_true (result, 0, P_SIDE_EXISTS) && !value_is_true (result, 0, P_SIDE_OK))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("role %s may not write Gander's side table %s (it needs "
                                   "SELECT, INSERT, UPDATE and DELETE): ask its owner to run "
                                   "`GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s;`"),
                                 role, PQgetvalue (result, 0, P_SIDE),
                                 PQgetvalue (result, 0, P_SIDE), role);
      return TRUE;
    }

  need_create = !value_is_true (result, 0, P_TABLE_EXISTS) ||
                !value_is_true (result, 0, P_SIDE_EXISTS);
  if (need_create && !value_is_true (result, 0, P_CAN_CREATE))
    {
      const char *missing = !value_is_true (result, 0, P_TABLE_EXISTS)
                            ? PQgetvalue (result, 0, P_TABLE) : PQgetvalue (result, 0, P_SIDE);

      if (g_str_equal (nsp, "public") && atoi (PQgetvalue (result, 0, P_VERSION_NUM)) >= 150000)
        gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                   _("permission denied to create in schema public: role %s "
                                     "cannot create %s there (PostgreSQL 15 and later no "
                                     "longer let every role create in schema public). Ask the "
                                     "database owner to run `GRANT CREATE ON SCHEMA public TO "
                                     "%s;`, or keep the version table in a schema %s may "
                                     "create in: `-table myschema.%s` (the profile's table key)"),
                                   role, missing, role, role, bare);
      else
        gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                   _("permission denied to create in schema %s: role %s "
                                     "cannot create %s there. Ask the schema's owner to run "
                                     "`GRANT CREATE ON SCHEMA %s TO %s;`, or keep the version "
                                     "table in a schema %s may create in: `-table "
                                     "myschema.%s` (the profile's table key)"),
                                   nsp, role, missing, nsp, role, role, bare);
      return TRUE;
    }

  if (need_create)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("role %s may create the version table %s in schema %s"),
                               role, PQgetvalue (result, 0, P_TABLE), nsp);
  else
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("role %s may write the version table %s and %s"),
                               role, PQgetvalue (result, 0, P_TABLE),
                               PQgetvalue (result, 0, P_SIDE));
  return TRUE;
}

static gboolean
disk_space (GanderHealthContext  *ctx,
            GanderHealthOutcome  *out,
            GError              **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *why = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *needed_text = NULL;
  g_autofree char *free_text = NULL;
  g_autofree char *checked = NULL;
  guint64 size;
  guint64 needed;
  guint64 free_bytes = 0;

  result = query (ctx, "SELECT pg_database_size(current_database())", 0, NULL, &why, error);
  if (result == NULL)
    return query_failed (out, _("the database size"), why);
  size = g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10);
  needed = gander_health_needed_bytes (ctx->free_space_factor, size);
  size_text = g_format_size (size);
  needed_text = g_format_size (needed);

  if (ctx->backup_directory == NULL)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_SKIPPED,
                                 _("the database takes %s; the server's disk cannot be seen "
                                   "from the client (check it on the server) and no backup "
                                   "directory is set"), size_text);
      return TRUE;
    }
  if (!gander_health_free_space (ctx->backup_directory, &free_bytes, &checked, &why))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_WARN, "%s", why);
      return TRUE;
    }
  free_text = g_format_size (free_bytes);
  if (free_bytes < needed)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                               _("only %s free on the file system of %s (the backup "
                                 "directory); the database takes %s and free-space-factor "
                                 "%.2g asks for %s: free some space, move backup-dir, or "
                                 "lower free-space-factor. The server's own disk cannot be "
                                 "seen from the client: check it on the server"),
                               free_text, checked, size_text, ctx->free_space_factor,
                               needed_text);
  else
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("%s free on the file system of %s (the backup directory); "
                                 "the database takes %s, %.2g × that is %s. The server's own "
                                 "disk cannot be seen from the client: check it on the server"),
                               free_text, checked, size_text, ctx->free_space_factor,
                               needed_text);
  return TRUE;
}

/* Columns of the lock query. */
enum {
  L_PID, L_USER, L_APP, L_STATE, L_AGE, L_XACT_START, L_QUERY_START, L_MODE,
  L_SCHEMA, L_TABLE, L_QUALIFIED,
};

/* Table locks that other sessions' open transactions hold, oldest
 * transaction first. */
static const char locks_sql[] =
  "SELECT a.pid, COALESCE(a.usename, '?'), COALESCE(a.application_name, ''), "
  "       COALESCE(a.state, '?'), "
  "       floor(extract(epoch FROM now() - a.xact_start))::bigint, "
  "       to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
  "       COALESCE(to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '?'), "
  "       l.mode, n.nspname, c.relname, "
  "       quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
  "FROM pg_locks l "
  "JOIN pg_stat_activity a ON a.pid = l.pid "
  "JOIN pg_class c ON c.oid = l.relation "
  "JOIN pg_namespace n ON n.oid = c.relnamespace "
  "WHERE l.locktype = 'relation' AND l.granted "
  "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
  "  AND l.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL "
  "  AND c.relkind NOT IN ('i', 'I') "
  "  AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
  "  AND n.nspname !~ '^pg_(toast|temp_)' "
  "  AND now() - a.xact_start >= $1::bigint * interval '1 microsecond' "
  "ORDER BY a.xact_start, a.pid, n.nspname, c.relname";

static gboolean
touches (GHashTable *identifiers,
         const char *schema,
         const char *table)
{
  g_autofree char *qualified = NULL;

  if (identifiers == NULL)
    return TRUE;
  if (g_hash_table_contains (identifiers, table))
    return TRUE;
  qualified = g_strconcat (schema, ".", table, NULL);
  return g_hash_table_contains (identifiers, qualified);
}

static char *
format_age (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf ("%" PRId64 "s", seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%" PRId64 "m%02" PRId64 "s",
                            seconds / 60, seconds % 60);
  return g_strdup_printf ("%" PRId64 "h%02" PRId64 "m",
                          seconds / 3600, (seconds % 3600) / 60);
}

static gboolean
blocking_locks (GanderHealthContext  *ctx,
                GanderHealthOutcome  *out,
                GError              **error)
{
  g_autofree char *threshold = g_strdup_printf ("%" PRId64, ctx->lock_age_threshold);
  const char * const params[] = { threshold };
  g_autoptr(GHashTable) identifiers = gander_health_plan_identifiers (ctx->plan);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) pids = g_string_new (NULL);
  g_autofree char *why = NULL;
  const char *last_pid = NULL;
  guint n_sessions = 0;
  guint n_other = 0;
  int n;

  /* the run writes the version and side tables too */
  if (identifiers != NULL)
    {
      const char *table = gander_database_get_table_name (ctx->database);
      const char *dot = strchr (table, '.');

      g_hash_table_add (identifiers, g_ascii_strdown (table, -1));
      g_hash_table_add (identifiers, g_strconcat (dot != NULL ? dot + 1 : table, "_gander", NULL));
      g_hash_table_add (identifiers, g_ascii_strdown (dot != NULL ? dot + 1 : table, -1));
    }

  result = query (ctx, locks_sql, 1, params, &why, error);
  if (result == NULL)
    return query_failed (out, _("the locks of other sessions (pg_locks)"), why);

  n = PQntuples (result);
  for (int i = 0; i < n; i++)
    {
      const char *pid = PQgetvalue (result, i, L_PID);

      if (!touches (identifiers, PQgetvalue (result, i, L_SCHEMA), PQgetvalue (result, i, L_TABLE)))
        {
          n_other++;
          continue;
        }
      if (last_pid == NULL || !g_str_equal (last_pid, pid))
        {
          g_autofree char *age = format_age (g_ascii_strtoll (PQgetvalue (result, i, L_AGE), NULL, 10));
          const char *app = PQgetvalue (result, i, L_APP);

          n_sessions++;
          g_string_append_printf (text,
                                  _("\n  pid %s (user %s, application %s, %s) has had a "
                                    "transaction open for %s (since %s UTC, its last query "
                                    "started %s UTC) and holds"),
                                  pid, PQgetvalue (result, i, L_USER),
                                  *app != '\0' ? app : _("not set"),
                                  PQgetvalue (result, i, L_STATE), age,
                                  PQgetvalue (result, i, L_XACT_START),
                                  PQgetvalue (result, i, L_QUERY_START));
          g_string_append_printf (pids, "%s%s", pids->len > 0 ? ", " : "", pid);
          last_pid = pid;
        }
      else
        g_string_append_c (text, ',');
      g_string_append_printf (text, " %s on %s", PQgetvalue (result, i, L_MODE),
                              PQgetvalue (result, i, L_QUALIFIED));
    }

  if (n_sessions > 0)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_WARN,
                                 _("%u other session(s) hold locks on tables %s:%s\nThe "
                                   "migration would wait for them (or fail at lock_timeout). "
                                   "Ask their owners to commit or roll back, or end them: "
                                   "`SELECT pg_cancel_backend(pid);` cancels a running query, "
                                   "`SELECT pg_terminate_backend(pid);` ends an idle "
                                   "transaction (pid: %s)"),
                                 n_sessions,
                                 ctx->plan != NULL ? _("the plan touches") : _("of this database"),
                                 text->str, pids->str);
      return TRUE;
    }
  if (n_other > 0)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("%u lock(s) of other open transactions, none on a table the "
                                 "plan touches"), n_other);
  else
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("no other open transaction holds a table lock"));
  return TRUE;
}

static gboolean
invalid_indexes (GanderHealthContext  *ctx,
                 GanderHealthOutcome  *out,
                 GError              **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *why = NULL;
  int n;

  result = query (ctx,
                  "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
                  "       quote_ident(tn.nspname) || '.' || quote_ident(t.relname) "
                  "FROM pg_index i "
                  "JOIN pg_class c ON c.oid = i.indexrelid "
                  "JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "JOIN pg_class t ON t.oid = i.indrelid "
                  "JOIN pg_namespace tn ON tn.oid = t.relnamespace "
                  "WHERE NOT i.indisvalid "
                  "  AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                  "  AND n.nspname !~ '^pg_(toast|temp_)' "
                  "ORDER BY 1",
                  0, NULL, &why, error);
  if (result == NULL)
    return query_failed (out, _("the indexes (pg_index)"), why);

  n = PQntuples (result);
  if (n == 0)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK, _("no invalid index"));
      return TRUE;
    }
  for (int i = 0; i < n && i < MAX_LISTED; i++)
    g_string_append_printf (text, _("\n  %s on %s"), PQgetvalue (result, i, 0),
                            PQgetvalue (result, i, 1));
  if (n > MAX_LISTED)
    g_string_append (text, "\n  …");
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                             _("%d invalid index(es):%s\nA failed CREATE INDEX CONCURRENTLY "
                               "(or REINDEX CONCURRENTLY) leaves one behind, unless it is "
                               "still being built by another session: it is never used but "
                               "slows every write. Drop it (`DROP INDEX CONCURRENTLY %s;`) "
                               "and create it again once the cause is fixed (duplicate rows "
                               "for a unique index), or rebuild it with `REINDEX INDEX "
                               "CONCURRENTLY %s;`"),
                             n, text->str, PQgetvalue (result, 0, 0), PQgetvalue (result, 0, 0));
  return TRUE;
}

static gboolean
not_valid_constraints (GanderHealthContext  *ctx,
                       GanderHealthOutcome  *out,
                       GError              **error)
{
  g_autoptr(GHashTable) identifiers = gander_health_plan_identifiers (ctx->plan);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *why = NULL;
  gboolean by_run = FALSE;
  int first_by_run = -1;
  int n;

  result = query (ctx,
                  "SELECT c.conname, quote_ident(c.conname), "
                  "       quote_ident(n.nspname) || '.' || quote_ident(t.relname) "
                  "FROM pg_constraint c "
                  "JOIN pg_class t ON t.oid = c.conrelid "
                  "JOIN pg_namespace n ON n.oid = t.relnamespace "
                  "WHERE NOT c.convalidated "
                  "  AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                  "  AND n.nspname !~ '^pg_(toast|temp_)' "
                  "ORDER BY 3, 1",
                  0, NULL, &why, error);
  if (result == NULL)
    return query_failed (out, _("the constraints (pg_constraint)"), why);

  n = PQntuples (result);
  if (n == 0)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK, _("no NOT VALID constraint"));
      return TRUE;
    }
  for (int i = 0; i < n; i++)
    {
      /* the plan's statements name it: this run added it */
      gboolean mine = identifiers != NULL &&
                      (g_hash_table_contains (identifiers, PQgetvalue (result, i, 0)) ||
                       g_hash_table_contains (identifiers, PQgetvalue (result, i, 1)));

      if (mine && first_by_run < 0)
        first_by_run = i;
      by_run |= mine;
      if (i < MAX_LISTED)
        g_string_append_printf (text, _("\n  %s on %s%s"), PQgetvalue (result, i, 1),
                                PQgetvalue (result, i, 2),
                                mine ? _(" (added by this run)") : "");
    }
  if (n > MAX_LISTED)
    g_string_append (text, "\n  …");
  if (first_by_run < 0)
    first_by_run = 0;
  gander_health_outcome_set (out, by_run ? GANDER_HEALTH_STATUS_FAIL : GANDER_HEALTH_STATUS_WARN,
                             _("%d constraint(s) added NOT VALID and never validated: rows "
                               "written before them are not checked:%s\nIf that is not on "
                               "purpose (a later migration validating them), validate them: "
                               "`ALTER TABLE %s VALIDATE CONSTRAINT %s;` (it takes only a "
                               "SHARE UPDATE EXCLUSIVE lock)"),
                             n, text->str, PQgetvalue (result, first_by_run, 2),
                             PQgetvalue (result, first_by_run, 1));
  return TRUE;
}

static gboolean
post_check (GanderHealthContext  *ctx,
            const char           *sql,
            GanderHealthOutcome  *out,
            GError              **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autoptr(PGresult) begin = NULL;
  g_autofree char *why = NULL;
  PGconn *conn = gander_postgres_database_get_connection (GANDER_POSTGRES_DATABASE (ctx->database));
  const char *end_sql = NULL;

  /* a check reads: the query runs in a read-only transaction rolled back
   * after it, so one that writes fails ("cannot execute … in a read-only
   * transaction") and changes nothing. Inside a transaction already (not
   * ours to end), a savepoint rolled back instead. */
  if (conn != NULL && PQtransactionStatus (conn) == PQTRANS_IDLE)
    {
      begin = query (ctx, "BEGIN READ ONLY", 0, NULL, &why, error);
      end_sql = "ROLLBACK";
    }
  else if (conn != NULL && PQtransactionStatus (conn) == PQTRANS_INTRANS)
    {
      begin = query (ctx, "SAVEPOINT gander_post_check", 0, NULL, &why, error);
      end_sql = "ROLLBACK TO SAVEPOINT gander_post_check";
    }
  if (end_sql != NULL && begin == NULL)
    {
      if (why == NULL)
        return FALSE;
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("post-check-sql query was not run: cannot start its "
                                   "read-only transaction: %s (query: %s)"), why, sql);
      return TRUE;
    }

  result = query (ctx, sql, 0, NULL, &why, error);
  if (end_sql != NULL)
    {
      g_autoptr(PGresult) end = NULL;
      g_autoptr(GError) end_error = NULL;

      /* also after a failure or a cancellation: never leave it open */
      end = gander_postgres_database_query (GANDER_POSTGRES_DATABASE (ctx->database), end_sql,
                                            0, NULL, NULL, &end_error);
      if (end == NULL)
        g_debug ("post-check-sql: %s failed: %s", end_sql, end_error->message);
    }
  if (result == NULL)
    {
      if (why == NULL)
        return FALSE;
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("post-check-sql query failed: %s (query: %s)"), why, sql);
      return TRUE;
    }
  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                               _("post-check-sql query returned a row: %s (query: %s)"),
                               PQgetisnull (result, 0, 0) ? "NULL" : PQgetvalue (result, 0, 0),
                               sql);
  else
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("post-check-sql query returned no rows (query: %s)"), sql);
  return TRUE;
}

const GanderHealthEngine gander_health_postgres_engine = {
  .connectivity = connectivity,
  .writable = writable,
  .privileges = privileges,
  .disk_space = disk_space,
  .blocking_locks = blocking_locks,
  .invalid_indexes = invalid_indexes,
  .not_valid_constraints = not_valid_constraints,
  .post_check = post_check,
};
