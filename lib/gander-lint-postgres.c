/* gander-lint-postgres.c: PostgreSQL rules on libpg_query's parse tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "gander-lint-private.h"

#if GANDER_HAVE_PG_QUERY
# include <pg_query.h>
#endif

gboolean
gander_lint_postgres_available (void)
{
  return GANDER_HAVE_PG_QUERY;
}

#if GANDER_HAVE_PG_QUERY

/* ---- reading the JSON tree ---- */

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_true (JsonObject *object,
             const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  return json_node_get_boolean (node);
}

/* A node is `{"TypeName": {…}}`: its type and its fields. */
static const char *
node_type (JsonNode    *node,
           JsonObject **fields)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  *fields = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  json_object_iter_init (&iter, object);
  if (!json_object_iter_next (&iter, &name, &value) || !JSON_NODE_HOLDS_OBJECT (value))
    return NULL;
  *fields = json_node_get_object (value);
  return name;
}

/* `relation: {relname}` of a statement. */
static const char *
relation_name (JsonObject *fields,
               const char *member)
{
  return member_string (member_object (fields, member), "relname");
}

/* The last `String` of a name list (`pg_catalog.int4` → `int4`). */
static const char *
last_name (JsonArray *names)
{
  JsonObject *fields;
  const char *type;

  if (names == NULL || json_array_get_length (names) == 0)
    return NULL;
  type = node_type (json_array_get_element (names, json_array_get_length (names) - 1), &fields);
  if (g_strcmp0 (type, "String") != 0)
    return NULL;
  return member_string (fields, "sval");
}

/* Functions whose value changes per row: as a column default they make
 * PostgreSQL (11 and later too) rewrite the table to fill each row. */
static const char * const volatile_functions[] = {
  "random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1",
  "uuid_generate_v1mc", "uuid_generate_v4", "nextval", "txid_current", "setseed", NULL
};

static const char *
find_volatile_call (JsonNode *node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *found = find_volatile_call (json_array_get_element (array, i));

          if (found != NULL)
            return found;
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &value))
        {
          const char *found;

          if (g_str_equal (name, "FuncCall") && JSON_NODE_HOLDS_OBJECT (value))
            {
              const char *func = last_name (member_array (json_node_get_object (value), "funcname"));

              if (func != NULL && g_strv_contains (volatile_functions, func))
                return func;
            }
          found = find_volatile_call (value);
          if (found != NULL)
            return found;
        }
    }
  return NULL;
}

/* ---- the rules ---- */

static void
check_in_transaction (GanderLintRun *run,
                      guint          line,
                      const char    *what)
{
  if (run->use_tx)
    gander_lint_run_report (run, GANDER_LINT_NEEDS_NO_TRANSACTION, line,
                            _("put the statement in its own migration file that starts with "
                              "'-- +goose NO TRANSACTION'"),
                            _("%s cannot run inside a transaction block, and goose runs this "
                              "file in one: the migration fails when it is applied"), what);
  else if (run->in_explicit_tx)
    gander_lint_run_report (run, GANDER_LINT_NEEDS_NO_TRANSACTION, line,
                            _("move the statement out of the BEGIN … COMMIT block"),
                            _("%s cannot run inside a transaction block, and the file opened one "
                              "with BEGIN: the migration fails when it is applied"), what);
}

static void
check_robust (GanderLintRun *run,
              guint          line,
              gboolean       guarded,
              const char    *what,
              const char    *guard)
{
  if (run->use_tx || guarded)
    return;
  gander_lint_run_report (run, GANDER_LINT_PREFER_ROBUST_STMTS, line,
                          _("write it with IF [NOT] EXISTS so that running the file again after "
                            "a partial failure is safe"),
                          _("%s without %s in a NO TRANSACTION file: if a later statement fails, "
                            "this one stays applied and a retry fails on it"), what, guard);
}

static void
lint_add_column (GanderLintRun *run,
                 guint          line,
                 const char    *table,
                 JsonObject    *column)
{
  const char *name = member_string (column, "colname");
  const char *type = last_name (member_array (member_object (column, "typeName"), "names"));
  JsonArray *constraints = member_array (column, "constraints");
  gboolean not_null = FALSE, has_default = FALSE, generated = FALSE, identity = FALSE;
  gboolean unique = FALSE;
  const char *volatile_call = NULL;

  for (guint i = 0; constraints != NULL && i < json_array_get_length (constraints); i++)
    {
      JsonObject *c;
      const char *kind;

      if (g_strcmp0 (node_type (json_array_get_element (constraints, i), &c), "Constraint") != 0)
        continue;
      kind = member_string (c, "contype");
      if (g_strcmp0 (kind, "CONSTR_NOTNULL") == 0)
        not_null = TRUE;
      else if (g_strcmp0 (kind, "CONSTR_PRIMARY") == 0)
        not_null = unique = TRUE;
      else if (g_strcmp0 (kind, "CONSTR_UNIQUE") == 0)
        unique = TRUE;
      else if (g_strcmp0 (kind, "CONSTR_DEFAULT") == 0)
        {
          has_default = TRUE;
          volatile_call = find_volatile_call (json_object_get_member (c, "raw_expr"));
        }
      else if (g_strcmp0 (kind, "CONSTR_GENERATED") == 0)
        generated = TRUE;
      else if (g_strcmp0 (kind, "CONSTR_IDENTITY") == 0)
        identity = TRUE;
    }
  if (type != NULL && (g_str_equal (type, "serial") || g_str_equal (type, "bigserial") ||
                       g_str_equal (type, "smallserial") || g_str_equal (type, "serial2") ||
                       g_str_equal (type, "serial4") || g_str_equal (type, "serial8")))
    volatile_call = "nextval";

  if (volatile_call != NULL)
    gander_lint_run_report (run, GANDER_LINT_VOLATILE_DEFAULT, line,
                            _("add the column without a default (or with a constant one), set "
                              "the default with ALTER COLUMN … SET DEFAULT, and fill existing "
                              "rows in batches"),
                            _("column \"%s\" is added to existing table \"%s\" with a volatile "
                              "default (%s()): PostgreSQL rewrites the whole table under an "
                              "ACCESS EXCLUSIVE lock to give each row its own value"),
                            name, table, volatile_call);
  else if (generated || identity)
    gander_lint_run_report (run, GANDER_LINT_VOLATILE_DEFAULT, line,
                            _("add a plain column, fill it in batches, then keep it up to date "
                              "with a trigger or the application"),
                            _("%s column \"%s\" is added to existing table \"%s\": PostgreSQL "
                              "rewrites the whole table under an ACCESS EXCLUSIVE lock to "
                              "compute every row"),
                            generated ? _("stored generated") : _("identity"), name, table);
  else if (not_null && !has_default)
    gander_lint_run_report (run, GANDER_LINT_REQUIRED_COLUMN, line,
                            _("add the column with a DEFAULT, or add it nullable, backfill it, "
                              "then add the NOT NULL constraint"),
                            _("NOT NULL column \"%s\" is added to existing table \"%s\" without "
                              "a default: the statement fails as soon as the table has a row"),
                            name, table);
  if (unique)
    gander_lint_run_report (run, GANDER_LINT_UNIQUE_CONSTRAINT, line,
                            _("add the column without the constraint, CREATE UNIQUE INDEX "
                              "CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX"),
                            _("column \"%s\" is added to existing table \"%s\" with a UNIQUE "
                              "or PRIMARY KEY constraint: its index is built while writes "
                              "wait"),
                            name, table);
}

static gboolean
is_safe_type_target (JsonObject *column)
{
  JsonObject *type_name = member_object (column, "typeName");
  const char *type = last_name (member_array (type_name, "names"));

  /* The old type is not in the file: a change to text or varchar is taken
   * for the widening of a varchar, which changes no stored byte. A USING
   * clause always converts. */
  if (json_object_has_member (column, "raw_default"))
    return FALSE;
  if (member_array (type_name, "arrayBounds") != NULL)
    return FALSE;
  return g_strcmp0 (type, "text") == 0 || g_strcmp0 (type, "varchar") == 0;
}

static void
lint_alter_table (GanderLintRun *run,
                  guint          line,
                  JsonObject    *stmt)
{
  const char *table = relation_name (stmt, "relation");
  JsonArray *cmds = member_array (stmt, "cmds");
  gboolean existing;

  if (g_strcmp0 (member_string (stmt, "objtype"), "OBJECT_TABLE") != 0)
    return;
  existing = !gander_lint_run_is_created (run, table);

  for (guint i = 0; cmds != NULL && i < json_array_get_length (cmds); i++)
    {
      JsonObject *cmd;
      const char *subtype;
      const char *column;
      JsonObject *def;

      if (g_strcmp0 (node_type (json_array_get_element (cmds, i), &cmd), "AlterTableCmd") != 0)
        continue;
      subtype = member_string (cmd, "subtype");
      column = member_string (cmd, "name");
      if (subtype == NULL || !existing)
        continue;

      if (g_str_equal (subtype, "AT_AddColumn"))
        {
          if (g_strcmp0 (node_type (json_object_get_member (cmd, "def"), &def), "ColumnDef") == 0)
            lint_add_column (run, line, table, def);
        }
      else if (g_str_equal (subtype, "AT_DropColumn"))
        gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                                _("stop reading and writing the column in the application first; "
                                  "drop it in a later migration, after a backup, once no running "
                                  "code uses it"),
                                _("column \"%s\" of table \"%s\" is dropped: its data is gone, "
                                  "and running code that still uses it fails"),
                                column, table);
      else if (g_str_equal (subtype, "AT_AlterColumnType"))
        {
          if (g_strcmp0 (node_type (json_object_get_member (cmd, "def"), &def), "ColumnDef") == 0 &&
              is_safe_type_target (def))
            continue;
          gander_lint_run_report (run, GANDER_LINT_COLUMN_TYPE_CHANGE, line,
                                  _("add a new column of the new type, backfill it in batches, "
                                    "switch the application over, then drop the old column"),
                                  _("the type of column \"%s\" of table \"%s\" changes: "
                                    "PostgreSQL rewrites the table and its indexes under an "
                                    "ACCESS EXCLUSIVE lock"),
                                  column, table);
        }
      else if (g_str_equal (subtype, "AT_SetNotNull"))
        gander_lint_run_report (run, GANDER_LINT_SET_NOT_NULL, line,
                                _("ADD CONSTRAINT … CHECK (column IS NOT NULL) NOT VALID, then "
                                  "VALIDATE CONSTRAINT in a later statement (PostgreSQL 12 and "
                                  "later then set NOT NULL without a scan)"),
                                _("SET NOT NULL on column \"%s\" of existing table \"%s\" scans "
                                  "the whole table under an ACCESS EXCLUSIVE lock"),
                                column, table);
      else if (g_str_equal (subtype, "AT_AddConstraint") &&
               g_strcmp0 (node_type (json_object_get_member (cmd, "def"), &def), "Constraint") == 0)
        {
          const char *kind = member_string (def, "contype");

          if ((g_strcmp0 (kind, "CONSTR_FOREIGN") == 0 || g_strcmp0 (kind, "CONSTR_CHECK") == 0) &&
              !member_true (def, "skip_validation"))
            gander_lint_run_report (run, GANDER_LINT_CONSTRAINT_NOT_VALID, line,
                                    _("add the constraint with NOT VALID, then VALIDATE "
                                      "CONSTRAINT in a later statement (it takes only a SHARE "
                                      "UPDATE EXCLUSIVE lock)"),
                                    _("%s constraint added to existing table \"%s\" without NOT "
                                      "VALID: every row is checked while writes wait"),
                                    g_str_equal (kind, "CONSTR_FOREIGN") ? "FOREIGN KEY" : "CHECK",
                                    table);
          else if ((g_strcmp0 (kind, "CONSTR_UNIQUE") == 0 ||
                    g_strcmp0 (kind, "CONSTR_PRIMARY") == 0) &&
                   member_string (def, "indexname") == NULL)
            gander_lint_run_report (run, GANDER_LINT_UNIQUE_CONSTRAINT, line,
                                    _("CREATE UNIQUE INDEX CONCURRENTLY first (in a NO "
                                      "TRANSACTION file), then ADD CONSTRAINT … USING INDEX"),
                                    _("%s constraint added to existing table \"%s\": its index "
                                      "is built under an ACCESS EXCLUSIVE lock"),
                                    g_str_equal (kind, "CONSTR_UNIQUE") ? "UNIQUE" : "PRIMARY KEY",
                                    table);
        }
    }
}

static void
lint_drop (GanderLintRun *run,
           guint          line,
           JsonObject    *stmt)
{
  const char *kind = member_string (stmt, "removeType");
  JsonArray *objects = member_array (stmt, "objects");
  gboolean concurrent = member_true (stmt, "concurrent");
  gboolean missing_ok = member_true (stmt, "missing_ok");

  if (kind == NULL)
    return;
  check_robust (run, line, missing_ok, "DROP", "IF EXISTS");

  if (g_str_equal (kind, "OBJECT_INDEX"))
    {
      if (concurrent)
        check_in_transaction (run, line, "DROP INDEX CONCURRENTLY");
      else
        {
          gboolean all_created = objects != NULL;

          for (guint i = 0; objects != NULL && i < json_array_get_length (objects); i++)
            {
              JsonObject *list;
              const char *name = NULL;

              if (g_strcmp0 (node_type (json_array_get_element (objects, i), &list), "List") == 0)
                name = last_name (member_array (list, "items"));
              if (name == NULL || !g_hash_table_contains (run->created_indexes, name))
                all_created = FALSE;
            }
          if (!all_created)
            gander_lint_run_report (run, GANDER_LINT_REQUIRE_CONCURRENT_INDEX, line,
                                    _("DROP INDEX CONCURRENTLY, in a file with '-- +goose NO "
                                      "TRANSACTION'"),
                                    _("DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE "
                                      "lock on the table: reads and writes wait"));
        }
    }
  else if (g_str_equal (kind, "OBJECT_TABLE"))
    {
      for (guint i = 0; objects != NULL && i < json_array_get_length (objects); i++)
        {
          JsonObject *list;
          const char *name = NULL;

          if (g_strcmp0 (node_type (json_array_get_element (objects, i), &list), "List") == 0)
            name = last_name (member_array (list, "items"));
          if (name == NULL)
            continue;
          if (gander_lint_run_is_created (run, name))
            {
              g_hash_table_remove (run->created, name);
              continue;
            }
          gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                                  _("make sure nothing uses the table and a backup exists; drop "
                                    "it in a migration of its own, or rename it first and drop it "
                                    "later"),
                                  _("table \"%s\" is dropped with all its data"), name);
        }
    }
  else if (g_str_equal (kind, "OBJECT_SCHEMA"))
    gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                            _("make sure nothing uses the schema and a backup exists; drop it in "
                              "a migration of its own"),
                            _("a schema is dropped with everything in it"));
}

static void
lint_statement (GanderLintRun *run,
                guint          line,
                const char    *type,
                JsonObject    *stmt)
{
  if (g_str_equal (type, "CreateStmt"))
    {
      const char *table = relation_name (stmt, "relation");

      check_robust (run, line, member_true (stmt, "if_not_exists"), "CREATE TABLE", "IF NOT EXISTS");
      if (table != NULL)
        g_hash_table_add (run->created, g_strdup (table));
    }
  else if (g_str_equal (type, "CreateTableAsStmt"))
    {
      const char *table = relation_name (member_object (stmt, "into"), "rel");

      check_robust (run, line, member_true (stmt, "if_not_exists"), "CREATE TABLE AS", "IF NOT EXISTS");
      if (table != NULL)
        g_hash_table_add (run->created, g_strdup (table));
    }
  else if (g_str_equal (type, "IndexStmt"))
    {
      const char *table = relation_name (stmt, "relation");
      const char *index = member_string (stmt, "idxname");
      gboolean concurrent = member_true (stmt, "concurrent");

      check_robust (run, line, member_true (stmt, "if_not_exists"), "CREATE INDEX", "IF NOT EXISTS");
      if (concurrent)
        check_in_transaction (run, line, "CREATE INDEX CONCURRENTLY");
      else if (!gander_lint_run_is_created (run, table))
        gander_lint_run_report (run, GANDER_LINT_REQUIRE_CONCURRENT_INDEX, line,
                                _("CREATE INDEX CONCURRENTLY, in a file with '-- +goose NO "
                                  "TRANSACTION'"),
                                _("CREATE INDEX without CONCURRENTLY on existing table \"%s\" "
                                  "blocks every write to it until the index is built"),
                                table != NULL ? table : "?");
      if (index != NULL)
        g_hash_table_add (run->created_indexes, g_strdup (index));
    }
  else if (g_str_equal (type, "CreateSeqStmt"))
    check_robust (run, line, member_true (stmt, "if_not_exists"), "CREATE SEQUENCE", "IF NOT EXISTS");
  else if (g_str_equal (type, "CreateSchemaStmt"))
    check_robust (run, line, member_true (stmt, "if_not_exists"), "CREATE SCHEMA", "IF NOT EXISTS");
  else if (g_str_equal (type, "CreateExtensionStmt"))
    check_robust (run, line, member_true (stmt, "if_not_exists"), "CREATE EXTENSION", "IF NOT EXISTS");
  else if (g_str_equal (type, "ViewStmt"))
    check_robust (run, line, member_true (stmt, "replace"), "CREATE VIEW", "OR REPLACE");
  else if (g_str_equal (type, "CreateFunctionStmt"))
    check_robust (run, line, member_true (stmt, "replace"), "CREATE FUNCTION", "OR REPLACE");
  else if (g_str_equal (type, "AlterTableStmt"))
    lint_alter_table (run, line, stmt);
  else if (g_str_equal (type, "DropStmt"))
    lint_drop (run, line, stmt);
  else if (g_str_equal (type, "RenameStmt"))
    {
      const char *kind = member_string (stmt, "renameType");
      const char *table = relation_name (stmt, "relation");
      const char *newname = member_string (stmt, "newname");

      if (g_strcmp0 (kind, "OBJECT_TABLE") == 0)
        {
          if (gander_lint_run_is_created (run, table))
            {
              g_hash_table_remove (run->created, table);
              if (newname != NULL)
                g_hash_table_add (run->created, g_strdup (newname));
            }
          else
            gander_lint_run_report (run, GANDER_LINT_RENAME, line,
                                    _("create the new table (or a view under the new name), move "
                                      "the application over, then drop the old name in a later "
                                      "migration"),
                                    _("table \"%s\" is renamed to \"%s\": running code that uses "
                                      "the old name fails until it is deployed again"),
                                    table, newname);
        }
      else if (g_strcmp0 (kind, "OBJECT_COLUMN") == 0 &&
               g_strcmp0 (member_string (stmt, "relationType"), "OBJECT_TABLE") == 0 &&
               !gander_lint_run_is_created (run, table))
        gander_lint_run_report (run, GANDER_LINT_RENAME, line,
                                _("add a new column, write both, backfill, move the application "
                                  "over, then drop the old column later"),
                                _("column \"%s\" of table \"%s\" is renamed to \"%s\": running "
                                  "code that uses the old name fails"),
                                member_string (stmt, "subname"), table, newname);
    }
  else if (g_str_equal (type, "TruncateStmt"))
    {
      JsonArray *relations = member_array (stmt, "relations");

      for (guint i = 0; relations != NULL && i < json_array_get_length (relations); i++)
        {
          JsonObject *rv;
          const char *name = NULL;

          if (g_strcmp0 (node_type (json_array_get_element (relations, i), &rv), "RangeVar") == 0)
            name = member_string (rv, "relname");
          if (name != NULL && !gander_lint_run_is_created (run, name))
            gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                                    _("make sure the data is not needed and a backup exists, or "
                                      "delete the rows that must go with a WHERE clause"),
                                    _("table \"%s\" is truncated: all its rows are gone"), name);
        }
    }
  else if (g_str_equal (type, "TransactionStmt"))
    {
      const char *kind = member_string (stmt, "kind");
      gboolean opens = g_strcmp0 (kind, "TRANS_STMT_BEGIN") == 0 || g_strcmp0 (kind, "TRANS_STMT_START") == 0;
      gboolean closes = g_strcmp0 (kind, "TRANS_STMT_COMMIT") == 0 || g_strcmp0 (kind, "TRANS_STMT_ROLLBACK") == 0 ||
                        g_strcmp0 (kind, "TRANS_STMT_PREPARE") == 0;

      if (!opens && !closes && g_strcmp0 (kind, "TRANS_STMT_COMMIT_PREPARED") != 0 &&
          g_strcmp0 (kind, "TRANS_STMT_ROLLBACK_PREPARED") != 0)
        return;   /* SAVEPOINT, RELEASE, ROLLBACK TO nest fine */
      if (run->use_tx)
        gander_lint_run_report (run, GANDER_LINT_TRANSACTION_NESTING, line,
                                _("remove it: goose already runs the file in a transaction (or "
                                  "mark the file '-- +goose NO TRANSACTION' to manage "
                                  "transactions yourself)"),
                                _("transaction control inside a file goose runs in a transaction: "
                                  "it ends goose's transaction early, or is ignored with a "
                                  "warning, and the version is recorded outside it"));
      else if (opens)
        run->in_explicit_tx = TRUE;
      else
        run->in_explicit_tx = FALSE;
    }
  else if (g_str_equal (type, "VacuumStmt"))
    {
      if (member_true (stmt, "is_vacuumcmd"))
        check_in_transaction (run, line, "VACUUM");
    }
  else if (g_str_equal (type, "ReindexStmt"))
    {
      JsonArray *params = member_array (stmt, "params");

      for (guint i = 0; params != NULL && i < json_array_get_length (params); i++)
        {
          JsonObject *def;

          if (g_strcmp0 (node_type (json_array_get_element (params, i), &def), "DefElem") == 0 &&
              g_strcmp0 (member_string (def, "defname"), "concurrently") == 0)
            check_in_transaction (run, line, "REINDEX CONCURRENTLY");
        }
    }
  else if (g_str_equal (type, "CreatedbStmt"))
    check_in_transaction (run, line, "CREATE DATABASE");
  else if (g_str_equal (type, "DropdbStmt"))
    {
      check_in_transaction (run, line, "DROP DATABASE");
      check_robust (run, line, member_true (stmt, "missing_ok"), "DROP DATABASE", "IF EXISTS");
      gander_lint_run_report (run, GANDER_LINT_DESTRUCTIVE, line,
                              _("drop databases by hand, after a backup, not in a migration"),
                              _("database \"%s\" is dropped with all its data"),
                              member_string (stmt, "dbname"));
    }
  else if (g_str_equal (type, "AlterSystemStmt"))
    check_in_transaction (run, line, "ALTER SYSTEM");
  else if (g_str_equal (type, "AlterEnumStmt"))
    {
      guint version = gander_linter_get_server_version (run->linter);

      if (member_string (stmt, "oldVal") == NULL && version != 0 && version < 120000)
        check_in_transaction (run, line, "ALTER TYPE … ADD VALUE (before PostgreSQL 12)");
    }
  else if (g_str_equal (type, "UpdateStmt") || g_str_equal (type, "DeleteStmt"))
    {
      const char *table = relation_name (stmt, "relation");

      if (json_object_has_member (stmt, "whereClause") || gander_lint_run_is_created (run, table))
        return;
      gander_lint_run_report (run, GANDER_LINT_UNBOUNDED_DML, line,
                              _("add a WHERE clause; backfill large tables in batches outside the "
                                "schema migration"),
                              _("%s without WHERE touches every row of \"%s\" in one "
                                "transaction, holding row locks until it ends"),
                              g_str_equal (type, "UpdateStmt") ? "UPDATE" : "DELETE", table);
    }
  /* DoStmt, CreateFunctionStmt bodies and everything else: one statement
   * whose inside is not ours to judge. */
}

/* The statements the rules look at, as keys of the JSON tree. Most of a
 * migration set is INSERT and SELECT, whose trees (every value of a
 * VALUES list) cost far more to load than to parse: they are not loaded. */
static const char * const judged_keys[] = {
  "{\"CreateStmt\":", "{\"CreateTableAsStmt\":", "{\"IndexStmt\":", "{\"CreateSeqStmt\":",
  "{\"CreateSchemaStmt\":", "{\"CreateExtensionStmt\":", "{\"ViewStmt\":",
  "{\"CreateFunctionStmt\":", "{\"AlterTableStmt\":", "{\"DropStmt\":", "{\"RenameStmt\":",
  "{\"TruncateStmt\":", "{\"TransactionStmt\":", "{\"VacuumStmt\":", "{\"ReindexStmt\":",
  "{\"CreatedbStmt\":", "{\"DropdbStmt\":", "{\"AlterSystemStmt\":", "{\"AlterEnumStmt\":",
  "{\"UpdateStmt\":", "{\"DeleteStmt\":", NULL
};

static gboolean
has_judged_statement (const char *tree)
{
  for (guint i = 0; judged_keys[i] != NULL; i++)
    if (strstr (tree, judged_keys[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
lint_text (GanderLintRun *run,
           JsonParser    *parser,
           const char    *text)
{
  PgQueryParseResult result = pg_query_parse (text);
  g_autoptr(GError) error = NULL;
  JsonArray *stmts;

  if (result.error != NULL)
    {
      gsize offset = result.error->cursorpos > 0 ? (gsize) result.error->cursorpos - 1 : 0;

      if (offset > strlen (text))
        offset = strlen (text);
      gander_lint_run_report (run, GANDER_LINT_PARSE_ERROR,
                              gander_lint_line_at (text, offset, run->stmt_line),
                              _("fix the SQL: PostgreSQL rejects it when the migration runs"),
                              _("PostgreSQL cannot parse this statement: %s"),
                              result.error->message);
      pg_query_free_parse_result (result);
      return;
    }

  if (!has_judged_statement (result.parse_tree))
    {
      pg_query_free_parse_result (result);
      return;
    }
  if (!json_parser_load_from_data (parser, result.parse_tree, -1, &error))
    {
      g_warning ("libpg_query gave a parse tree json-glib cannot read: %s", error->message);
      pg_query_free_parse_result (result);
      return;
    }
  pg_query_free_parse_result (result);

  stmts = member_array (json_node_get_object (json_parser_get_root (parser)), "stmts");
  for (guint i = 0; stmts != NULL && i < json_array_get_length (stmts); i++)
    {
      JsonObject *raw = json_array_get_object_element (stmts, i);
      JsonObject *stmt;
      const char *type = node_type (json_object_get_member (raw, "stmt"), &stmt);
      gsize location = 0;
      guint line;

      if (json_object_has_member (raw, "stmt_location"))
        location = (gsize) MAX (json_object_get_int_member (raw, "stmt_location"), 0);
      if (location > strlen (text))
        location = strlen (text);
      line = gander_lint_line_at (text, gander_lint_skip_blanks (text, location), run->stmt_line);
      if (type != NULL)
        lint_statement (run, line, type, stmt);
    }
}

void
gander_lint_postgres_section (GanderLintRun   *run,
                              GanderParsedSql *parsed)
{
  guint n = gander_parsed_sql_get_n_statements (parsed);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  for (guint i = 0; i < n; i++)
    {
      gander_lint_run_begin_statement (run, parsed, i);
      lint_text (run, parser, gander_parsed_sql_get_statement (parsed, i));
    }
}

#else  /* !GANDER_HAVE_PG_QUERY */

void
gander_lint_postgres_section (GanderLintRun   *run,
                              GanderParsedSql *parsed)
{
  g_assert_not_reached ();
}

#endif
