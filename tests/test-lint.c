/* test-lint.c: every rule of GanderLinter, its safe twins, suppressions,
 * line numbers, bodies that are not linted, goose's own migration sets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PostgreSQL rules need libpg_query, not a server.
 */
#include "config.h"

#include <gander.h>
#include <string.h>

#include "gander-test-util.h"

#define PG GANDER_LINT_DIALECT_POSTGRES
#define SQ GANDER_LINT_DIALECT_SQLITE3
#define DOWN "-- +goose Down\nSELECT 1;\n"

typedef struct {
  const char        *name;
  GanderLintDialect  dialect;
  const char        *rule;
  guint              expected;       /* unsuppressed findings of the rule */
  guint              line;           /* line of the first one, 0 = not checked */
  const char        *sql;
  guint              server_version;
} Case;

static const Case cases[] = {
  /* needs-no-transaction */
  { "concurrent-index-in-tx", PG, "needs-no-transaction", 1, 2,
    "-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n" DOWN },
  { "concurrent-index-no-tx", PG, "needs-no-transaction", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\n" DOWN },
  { "drop-index-concurrently-in-tx", PG, "needs-no-transaction", 1, 2,
    "-- +goose Up\nDROP INDEX CONCURRENTLY i;\n" DOWN },
  { "reindex-concurrently", PG, "needs-no-transaction", 1, 2,
    "-- +goose Up\nREINDEX INDEX CONCURRENTLY i;\n" DOWN },
  { "reindex-plain", PG, "needs-no-transaction", 0, 0,
    "-- +goose Up\nREINDEX INDEX i;\n" DOWN },
  { "vacuum", PG, "needs-no-transaction", 1, 2, "-- +goose Up\nVACUUM t;\n" DOWN },
  { "analyze", PG, "needs-no-transaction", 0, 0, "-- +goose Up\nANALYZE t;\n" DOWN },
  { "create-database", PG, "needs-no-transaction", 1, 2, "-- +goose Up\nCREATE DATABASE x;\n" DOWN },
  { "alter-system", PG, "needs-no-transaction", 1, 2, "-- +goose Up\nALTER SYSTEM SET work_mem = '8MB';\n" DOWN },
  { "enum-add-value-pg11", PG, "needs-no-transaction", 1, 2,
    "-- +goose Up\nALTER TYPE mood ADD VALUE 'meh';\n" DOWN, 110000 },
  { "enum-add-value-current", PG, "needs-no-transaction", 0, 0,
    "-- +goose Up\nALTER TYPE mood ADD VALUE 'meh';\n" DOWN },
  { "concurrent-in-explicit-tx", PG, "needs-no-transaction", 1, 4,
    "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nCOMMIT;\n" DOWN },
  { "concurrent-in-down", PG, "needs-no-transaction", 1, 4,
    "-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP INDEX CONCURRENTLY i;\n" },
  { "vacuum-in-tx", SQ, "needs-no-transaction", 1, 2, "-- +goose Up\nVACUUM;\n" DOWN },
  { "vacuum-no-tx", SQ, "needs-no-transaction", 0, 0, "-- +goose NO TRANSACTION\n-- +goose Up\nVACUUM;\n" DOWN },
  { "vacuum-in-explicit-tx", SQ, "needs-no-transaction", 1, 4,
    "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nVACUUM;\nCOMMIT;\n" DOWN },
  { "vacuum-in-down", SQ, "needs-no-transaction", 1, 4,
    "-- +goose Up\nALTER TABLE t ADD COLUMN b int;\n-- +goose Down\nVACUUM;\nALTER TABLE t DROP COLUMN b;\n" },
  { "vacuum-suppressed", SQ, "needs-no-transaction", 0, 0,
    "-- +goose Up\n-- gander:lint-ignore needs-no-transaction the runner wraps this one\nVACUUM;\n" DOWN },

  /* transaction-nesting */
  { "begin-commit", PG, "transaction-nesting", 2, 2, "-- +goose Up\nBEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n" DOWN },
  { "begin-commit-no-tx", PG, "transaction-nesting", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nCREATE TABLE IF NOT EXISTS t (a int);\nCOMMIT;\n" DOWN },
  { "savepoint", PG, "transaction-nesting", 0, 0,
    "-- +goose Up\nSAVEPOINT a;\nCREATE TABLE t (a int);\nRELEASE SAVEPOINT a;\n" DOWN },
  { "end", PG, "transaction-nesting", 1, 2, "-- +goose Up\nEND;\n" DOWN },
  { "begin-commit", SQ, "transaction-nesting", 2, 2, "-- +goose Up\nBEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n" DOWN },
  { "begin-commit-no-tx", SQ, "transaction-nesting", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nCREATE TABLE IF NOT EXISTS t (a int);\nCOMMIT;\n" DOWN },
  { "savepoint", SQ, "transaction-nesting", 0, 0,
    "-- +goose Up\nSAVEPOINT a;\nCREATE TABLE t (a int);\nRELEASE a;\n" DOWN },

  /* require-concurrent-index */
  { "create-index", PG, "require-concurrent-index", 1, 2, "-- +goose Up\nCREATE INDEX i ON users (email);\n" DOWN },
  { "create-index-created-table", PG, "require-concurrent-index", 0, 0,
    "-- +goose Up\nCREATE TABLE users (email text);\nCREATE INDEX i ON users (email);\n" DOWN },
  { "create-index-concurrently", PG, "require-concurrent-index", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);\n" DOWN },
  { "drop-index", PG, "require-concurrent-index", 1, 2, "-- +goose Up\nDROP INDEX i;\n" DOWN },
  { "drop-index-created", PG, "require-concurrent-index", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nDROP INDEX i;\n" DOWN },
  { "create-index-suppressed", PG, "require-concurrent-index", 0, 0,
    "-- +goose Up\n-- gander:lint-ignore require-concurrent-index ten rows\nCREATE INDEX i ON users (email);\n" DOWN },

  /* volatile-default */
  { "random-default", PG, "volatile-default", 1, 2,
    "-- +goose Up\nALTER TABLE t ADD COLUMN r float8 DEFAULT random();\n" DOWN },
  { "uuid-default", PG, "volatile-default", 1, 2,
    "-- +goose Up\nALTER TABLE t ADD COLUMN u uuid NOT NULL DEFAULT gen_random_uuid();\n" DOWN },
  { "now-default", PG, "volatile-default", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now();\n" DOWN },
  { "stored-generated", PG, "volatile-default", 1, 2,
    "-- +goose Up\nALTER TABLE t ADD COLUMN d int GENERATED ALWAYS AS (a * 2) STORED;\n" DOWN },
  { "serial", PG, "volatile-default", 1, 2, "-- +goose Up\nALTER TABLE t ADD COLUMN id bigserial;\n" DOWN },
  { "random-default-created-table", PG, "volatile-default", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN r float8 DEFAULT random();\n" DOWN },

  /* column-type-change */
  { "to-bigint", PG, "column-type-change", 1, 2, "-- +goose Up\nALTER TABLE t ALTER COLUMN a TYPE bigint;\n" DOWN },
  { "to-text", PG, "column-type-change", 0, 0, "-- +goose Up\nALTER TABLE t ALTER COLUMN a TYPE text;\n" DOWN },
  { "to-longer-varchar", PG, "column-type-change", 0, 0,
    "-- +goose Up\nALTER TABLE t ALTER COLUMN a TYPE varchar(200);\n" DOWN },
  { "to-text-using", PG, "column-type-change", 1, 2,
    "-- +goose Up\nALTER TABLE t ALTER COLUMN a TYPE text USING a::text;\n" DOWN },
  { "created-table", PG, "column-type-change", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;\n" DOWN },

  /* set-not-null */
  { "existing", PG, "set-not-null", 1, 2, "-- +goose Up\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n" DOWN },
  { "created-table", PG, "set-not-null", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n" DOWN },
  { "check-not-valid", PG, "set-not-null", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;\n" DOWN },

  /* constraint-not-valid */
  { "foreign-key", PG, "constraint-not-valid", 1, 2,
    "-- +goose Up\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);\n" DOWN },
  { "foreign-key-not-valid", PG, "constraint-not-valid", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;\n" DOWN },
  { "check", PG, "constraint-not-valid", 1, 2, "-- +goose Up\nALTER TABLE t ADD CHECK (a > 0);\n" DOWN },
  { "check-not-valid", PG, "constraint-not-valid", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;\n" DOWN },

  /* unique-constraint */
  { "add-unique", PG, "unique-constraint", 1, 2, "-- +goose Up\nALTER TABLE t ADD CONSTRAINT u UNIQUE (a);\n" DOWN },
  { "add-primary-key", PG, "unique-constraint", 1, 2, "-- +goose Up\nALTER TABLE t ADD PRIMARY KEY (id);\n" DOWN },
  { "using-index", PG, "unique-constraint", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_a_idx;\n" DOWN },
  { "created-table", PG, "unique-constraint", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT u UNIQUE (a);\n" DOWN },

  /* required-column */
  { "not-null-no-default", PG, "required-column", 1, 2,
    "-- +goose Up\nALTER TABLE t ADD COLUMN b int NOT NULL;\n" DOWN },
  { "not-null-default", PG, "required-column", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0;\n" DOWN },
  { "created-table", PG, "required-column", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;\n" DOWN },
  { "not-null-no-default", SQ, "required-column", 1, 2,
    "-- +goose Up\nALTER TABLE t ADD COLUMN b int NOT NULL;\n" DOWN },
  { "not-null-default", SQ, "required-column", 0, 0,
    "-- +goose Up\nALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0;\n" DOWN },
  { "created-table", SQ, "required-column", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;\n" DOWN },

  /* destructive */
  { "drop-table", PG, "destructive", 1, 2, "-- +goose Up\nDROP TABLE t;\n" DOWN },
  { "drop-column", PG, "destructive", 1, 2, "-- +goose Up\nALTER TABLE t DROP COLUMN a;\n" DOWN },
  { "drop-schema", PG, "destructive", 1, 2, "-- +goose Up\nDROP SCHEMA s CASCADE;\n" DOWN },
  { "truncate", PG, "destructive", 1, 2, "-- +goose Up\nTRUNCATE t;\n" DOWN },
  { "drop-database", PG, "destructive", 1, 3,
    "-- +goose NO TRANSACTION\n-- +goose Up\nDROP DATABASE IF EXISTS x;\n" DOWN },
  { "drop-in-down", PG, "destructive", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n" },
  { "drop-created-table", PG, "destructive", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nDROP TABLE t;\n" DOWN },
  { "drop-table-file-suppressed", PG, "destructive", 0, 0,
    "-- gander:lint-ignore destructive,rename the old tables are empty\n-- +goose Up\nDROP TABLE t;\nALTER TABLE u RENAME TO v;\n" DOWN },
  { "drop-table", SQ, "destructive", 1, 2, "-- +goose Up\nDROP TABLE t;\n" DOWN },
  { "drop-column", SQ, "destructive", 1, 2, "-- +goose Up\nALTER TABLE t DROP COLUMN a;\n" DOWN },
  { "drop-in-down", SQ, "destructive", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n" },
  { "drop-created-table", SQ, "destructive", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;\nDROP TABLE t;\n" DOWN },

  /* rename */
  { "rename-table", PG, "rename", 1, 2, "-- +goose Up\nALTER TABLE t RENAME TO u;\n" DOWN },
  { "rename-column", PG, "rename", 1, 2, "-- +goose Up\nALTER TABLE t RENAME COLUMN a TO b;\n" DOWN },
  { "rename-created", PG, "rename", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME TO u;\nALTER TABLE u RENAME COLUMN b TO c;\n" DOWN },
  { "rename-table", SQ, "rename", 1, 2, "-- +goose Up\nALTER TABLE t RENAME TO u;\n" DOWN },
  { "rename-column", SQ, "rename", 1, 2, "-- +goose Up\nALTER TABLE t RENAME COLUMN a TO b;\n" DOWN },
  { "rename-created", SQ, "rename", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME TO u;\nALTER TABLE u RENAME COLUMN b TO c;\n" DOWN },
  { "rename-column-suppressed", SQ, "rename", 0, 0,
    "-- +goose Up\n-- gander:lint-ignore rename no code reads it yet\nALTER TABLE t RENAME COLUMN a TO b;\n" DOWN },

  /* fk-pragma-in-tx */
  { "pragma-in-tx", SQ, "fk-pragma-in-tx", 1, 2, "-- +goose Up\nPRAGMA foreign_keys = OFF;\n" DOWN },
  { "pragma-no-tx", SQ, "fk-pragma-in-tx", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nPRAGMA foreign_keys = OFF;\n" DOWN },
  { "pragma-query", SQ, "fk-pragma-in-tx", 0, 0, "-- +goose Up\nPRAGMA foreign_keys;\n" DOWN },

  /* unbounded-dml */
  { "update", PG, "unbounded-dml", 1, 2, "-- +goose Up\nUPDATE t SET a = 1;\n" DOWN },
  { "delete", PG, "unbounded-dml", 1, 2, "-- +goose Up\nDELETE FROM t;\n" DOWN },
  { "update-where", PG, "unbounded-dml", 0, 0, "-- +goose Up\nUPDATE t SET a = 1 WHERE a IS NULL;\n" DOWN },
  { "update-created", PG, "unbounded-dml", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nUPDATE t SET a = 1;\n" DOWN },
  { "update", SQ, "unbounded-dml", 1, 2, "-- +goose Up\nUPDATE t SET a = 1, b = 2;\n" DOWN },
  { "delete", SQ, "unbounded-dml", 1, 2, "-- +goose Up\nDELETE FROM t;\n" DOWN },
  { "update-where", SQ, "unbounded-dml", 0, 0,
    "-- +goose Up\nUPDATE t SET a = (SELECT max(b) FROM u) WHERE a IS NULL;\n" DOWN },
  { "update-subquery-where", SQ, "unbounded-dml", 1, 2,
    "-- +goose Up\nUPDATE t SET a = (SELECT max(b) FROM u WHERE u.c = 1);\n" DOWN },
  { "update-created", SQ, "unbounded-dml", 0, 0,
    "-- +goose Up\nCREATE TABLE t (a int);\nUPDATE t SET a = 1;\n" DOWN },
  { "trigger-body", SQ, "unbounded-dml", 0, 0,
    "-- +goose Up\n-- +goose StatementBegin\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM u; END;\n-- +goose StatementEnd\n" DOWN },

  /* prefer-robust-stmts */
  { "create-table-no-tx", PG, "prefer-robust-stmts", 1, 3,
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE t (a int);\n" DOWN },
  { "create-table-if-not-exists", PG, "prefer-robust-stmts", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE IF NOT EXISTS t (a int);\nDROP INDEX CONCURRENTLY IF EXISTS i;\n" DOWN },
  { "create-table-in-tx", PG, "prefer-robust-stmts", 0, 0, "-- +goose Up\nCREATE TABLE t (a int);\n" DOWN },
  { "create-table-no-tx", SQ, "prefer-robust-stmts", 1, 3,
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE t (a int);\n" DOWN },
  { "drop-index-no-tx", SQ, "prefer-robust-stmts", 1, 3,
    "-- +goose NO TRANSACTION\n-- +goose Up\nDROP INDEX i;\n" DOWN },
  { "if-exists", SQ, "prefer-robust-stmts", 0, 0,
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE IF NOT EXISTS t (a int PRIMARY KEY);\n"
    "CREATE INDEX IF NOT EXISTS i ON t (a);\nDROP INDEX IF EXISTS j;\n" DOWN },
  { "create-table-in-tx", SQ, "prefer-robust-stmts", 0, 0, "-- +goose Up\nCREATE TABLE t (a int);\n" DOWN },

  /* missing-down */
  { "no-down", PG, "missing-down", 1, 0, "-- +goose Up\nCREATE TABLE t (a int);\n" },
  { "empty-down", PG, "missing-down", 1, 3, "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\n" },
  { "down", PG, "missing-down", 0, 0, "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n" },
  { "both-empty", PG, "missing-down", 0, 0, "-- +goose Up\n-- +goose Down\n" },
  { "no-down", SQ, "missing-down", 1, 0, "-- +goose Up\nCREATE TABLE t (a int);\n" },
  { "no-down-suppressed", SQ, "missing-down", 0, 0,
    "-- gander:lint-ignore missing-down data fix, nothing to undo\n-- +goose Up\nCREATE TABLE t (a int);\n" },
  { "down", SQ, "missing-down", 0, 0, "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n" },

  /* parse-error */
  { "typo", PG, "parse-error", 1, 3, "-- +goose Up\nCREATE TABLE t (a int);\nSELEC 1;\n" DOWN },
  { "typo", SQ, "parse-error", 1, 3, "-- +goose Up\nCREATE TABLE t (a int);\nSELEC 1;\n" DOWN },
  { "unterminated-block", PG, "parse-error", 1, 0,
    "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE t (a int);\n" },
  { "unterminated-block", SQ, "parse-error", 1, 0,
    "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE t (a int);\n" },
  { "garbage", PG, "parse-error", 1, 2, "-- +goose Up\n\x01\xff ';;\n" DOWN },
  { "garbage", SQ, "parse-error", 1, 2, "-- +goose Up\n\x01\xff ';;\n" DOWN },
  { "unknown-function", SQ, "parse-error", 0, 0,
    "-- +goose Up\nCREATE TABLE t (id text DEFAULT (uuid7()));\nINSERT INTO t SELECT * FROM other;\n" DOWN },
  { "valid", PG, "parse-error", 0, 0, "-- +goose Up\nCREATE TABLE t (a int);\n" DOWN },
  { "valid", SQ, "parse-error", 0, 0, "-- +goose Up\nCREATE TABLE t (a int);\n" DOWN },
};

static GPtrArray *
lint_text (GanderLintDialect  dialect,
           const char        *sql,
           guint              server_version)
{
  g_autoptr(GanderLinter) linter = gander_linter_new (dialect);
  g_autoptr(GBytes) bytes = g_bytes_new (sql, strlen (sql));
  g_autoptr(GanderMigration) migration = gander_migration_new_from_bytes (1, "00001_case.sql", bytes);
  g_autoptr(GError) error = NULL;
  GPtrArray *findings;

  gander_linter_set_server_version (linter, server_version);
  findings = gander_linter_lint_migration (linter, migration, &error);
  g_assert_no_error (error);
  g_assert_nonnull (findings);
  return findings;
}

static gboolean
skip_unavailable (GanderLintDialect dialect)
{
  if (gander_lint_dialect_is_available (dialect))
    return FALSE;
  g_test_skip ("this build has no PostgreSQL lint (libpg_query was not found at build time)");
  return TRUE;
}

static void
dump (GPtrArray *findings)
{
  for (guint i = 0; i < findings->len; i++)
    {
      GanderLintFinding *f = g_ptr_array_index (findings, i);

      g_test_message ("%s:%u: [%s]%s %s", gander_lint_finding_get_file (f),
                      gander_lint_finding_get_line (f), gander_lint_finding_get_rule (f),
                      gander_lint_finding_get_suppressed (f) ? " (suppressed)" : "",
                      gander_lint_finding_get_message (f));
    }
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GPtrArray) findings = NULL;
  guint n = 0, first_line = 0, suppressed = 0;

  if (skip_unavailable (c->dialect))
    return;
  findings = lint_text (c->dialect, c->sql, c->server_version);
  dump (findings);
  for (guint i = 0; i < findings->len; i++)
    {
      GanderLintFinding *f = g_ptr_array_index (findings, i);

      if (!g_str_equal (gander_lint_finding_get_rule (f), c->rule))
        continue;
      g_assert_cmpstr (gander_lint_finding_get_file (f), ==, "00001_case.sql");
      g_assert_nonnull (gander_lint_finding_get_message (f));
      g_assert_nonnull (gander_lint_finding_get_suggestion (f));
      g_assert_cmpint (gander_lint_finding_get_severity (f), ==,
                       gander_lint_rule_get_default_severity (c->rule));
      if (gander_lint_finding_get_suppressed (f))
        {
          suppressed++;
          g_assert_nonnull (gander_lint_finding_get_suppression_reason (f));
          continue;
        }
      if (n++ == 0)
        first_line = gander_lint_finding_get_line (f);
    }
  g_assert_cmpuint (n, ==, c->expected);
  if (c->line != 0)
    g_assert_cmpuint (first_line, ==, c->line);
  /* a suppressed case still shows its finding */
  if (strstr (c->name, "suppressed") != NULL)
    g_assert_cmpuint (suppressed, >=, 1);
}

/* Lines inside a StatementBegin block are the lines of the commands. */
static void
test_block_lines (gconstpointer data)
{
  GanderLintDialect dialect = GPOINTER_TO_INT (data);
  const char *sql =
    "-- +goose Up\n"                     /* 1 */
    "-- +goose StatementBegin\n"         /* 2 */
    "CREATE TABLE a (x int);\n"          /* 3 */
    "\n"                                 /* 4 */
    "-- a comment\n"                     /* 5 */
    "UPDATE b SET x = 1;\n"              /* 6 */
    "  DELETE\n"                         /* 7 */
    "    FROM c;\n"                      /* 8 */
    "-- +goose StatementEnd\n"           /* 9 */
    "\n"                                 /* 10 */
    "DELETE FROM d;\n"                   /* 11 */
    DOWN;
  g_autoptr(GPtrArray) findings = NULL;
  guint expected[] = { 6, 7, 11 };
  guint expected_index[] = { 1, 1, 2 };

  if (skip_unavailable (dialect))
    return;
  findings = lint_text (dialect, sql, 0);
  dump (findings);
  g_assert_cmpuint (findings->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      GanderLintFinding *f = g_ptr_array_index (findings, i);

      g_assert_cmpstr (gander_lint_finding_get_rule (f), ==, "unbounded-dml");
      g_assert_cmpuint (gander_lint_finding_get_line (f), ==, expected[i]);
      g_assert_cmpuint (gander_lint_finding_get_statement_index (f), ==, expected_index[i]);
      g_assert_cmpint (gander_lint_finding_get_direction (f), ==, GANDER_DIRECTION_UP);
    }
}

/* A suppression covers the statement after it, not the ones further on. */
static void
test_suppression_scope (gconstpointer data)
{
  GanderLintDialect dialect = GPOINTER_TO_INT (data);
  const char *sql =
    "-- +goose Up\n"
    "-- gander:lint-ignore unbounded-dml,destructive backfill of a 10-row table\n"
    "UPDATE t SET a = 1;\n"
    "UPDATE u SET a = 1;\n"
    DOWN;
  g_autoptr(GPtrArray) findings = NULL;
  GanderLintFinding *f;

  if (skip_unavailable (dialect))
    return;
  findings = lint_text (dialect, sql, 0);
  dump (findings);
  g_assert_cmpuint (findings->len, ==, 2);
  f = g_ptr_array_index (findings, 0);
  g_assert_true (gander_lint_finding_get_suppressed (f));
  g_assert_cmpstr (gander_lint_finding_get_suppression_reason (f), ==, "backfill of a 10-row table");
  g_assert_cmpuint (gander_lint_finding_get_line (f), ==, 3);
  f = g_ptr_array_index (findings, 1);
  g_assert_false (gander_lint_finding_get_suppressed (f));
  g_assert_null (gander_lint_finding_get_suppression_reason (f));
  g_assert_cmpuint (gander_lint_finding_get_line (f), ==, 4);
}

/* The SQL inside PL/pgSQL bodies and DO blocks is not linted. */
static void
test_bodies (void)
{
  const char *sql =
    "-- +goose Up\n"
    "-- +goose StatementBegin\n"
    "CREATE OR REPLACE FUNCTION purge() RETURNS void AS $$\n"
    "BEGIN\n"
    "  DELETE FROM events;\n"
    "  DROP TABLE old_events;\n"
    "  CREATE INDEX CONCURRENTLY i ON events (a);\n"
    "  COMMIT;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql;\n"
    "-- +goose StatementEnd\n"
    "-- +goose StatementBegin\n"
    "DO $$\n"
    "BEGIN\n"
    "  UPDATE accounts SET flag = true;\n"
    "  ALTER TABLE accounts RENAME TO users;\n"
    "  EXECUTE 'VACUUM';\n"
    "END\n"
    "$$;\n"
    "-- +goose StatementEnd\n"
    "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE SQL\n"
    "  RETURN a + b;\n"
    "-- +goose Down\n"
    "DROP FUNCTION purge();\n";
  g_autoptr(GPtrArray) findings = NULL;

  if (skip_unavailable (PG))
    return;
  findings = lint_text (PG, sql, 0);
  dump (findings);
  g_assert_cmpuint (findings->len, ==, 0);
}

static void
assert_no_errors (GanderLintDialect  dialect,
                  const char        *dir)
{
  g_autoptr(GanderLinter) linter = gander_linter_new (dialect);
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;

  source = gander_source_new_for_path (dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), >, 0);
  findings = gander_linter_lint_source (linter, source, NULL, &error);
  g_assert_no_error (error);
  dump (findings);
  for (guint i = 0; i < findings->len; i++)
    {
      GanderLintFinding *f = g_ptr_array_index (findings, i);

      if (gander_lint_finding_get_severity (f) == GANDER_LINT_SEVERITY_ERROR)
        g_error ("%s:%u: [%s] %s", gander_lint_finding_get_file (f), gander_lint_finding_get_line (f),
                 gander_lint_finding_get_rule (f), gander_lint_finding_get_message (f));
    }
}

static const struct {
  const char        *relpath;
  GanderLintDialect  dialect;
} conformance_sets[] = {
  { "goose-migrations/testdata/migrations", SQ },
  { "goose-migrations/testdata/no-versioning/migrations", SQ },
  { "goose-migrations/testdata/no-versioning/seed", SQ },
  { "goose-migrations/examples/sql-migrations", SQ },
  { "goose-migrations/examples/sql-migrations", PG },
  { "goose-migrations/internal/testing/integration/testdata/migrations/turso", SQ },
  { "goose-migrations/internal/testing/integration/testdata/migrations/postgres", PG },
};

static void
test_conformance (void)
{
  const char *root = g_getenv ("GANDER_CONFORMANCE_DIR");

  for (gsize i = 0; i < G_N_ELEMENTS (conformance_sets); i++)
    {
      g_autofree char *dir = NULL;

      if (root == NULL || !g_file_test ((dir = g_build_filename (root, conformance_sets[i].relpath, NULL)),
                                        G_FILE_TEST_IS_DIR))
        {
          g_test_skip ("the goose conformance data (../shared/conformance) is not next to this checkout");
          return;
        }
      if (!gander_lint_dialect_is_available (conformance_sets[i].dialect))
        continue;
      g_test_message ("%s (%s)", dir, conformance_sets[i].dialect == PG ? "postgres" : "sqlite3");
      assert_no_errors (conformance_sets[i].dialect, dir);
    }
}

static void
test_examples (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("GANDER_SOURCE_ROOT"), "migrations", NULL);

  assert_no_errors (SQ, dir);
  if (gander_lint_dialect_is_available (PG))
    assert_no_errors (PG, dir);
}

/* A statement that makes its own rows (CREATE TABLE … AS WITH RECURSIVE)
 * would take the replay in the scratch database minutes: it is cut short,
 * and the file is still linted. */
static void
test_sqlite_endless_replay (void)
{
  g_autoptr(GPtrArray) findings = NULL;
  gint64 started = g_get_monotonic_time ();

  findings = lint_text (SQ,
                        "-- +goose Up\n"
                        "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                        "SELECT x + 1 FROM c WHERE x < 4000000000) SELECT count(*) AS n FROM c;\n"
                        "UPDATE t SET x = 1;\n"
                        "-- +goose Down\n"
                        "DROP TABLE slow;\n", 0);
  gboolean unbounded = FALSE;

  dump (findings);
  /* the statement after it was still looked at */
  for (guint i = 0; i < findings->len; i++)
    unbounded |= g_str_equal (gander_lint_finding_get_rule (g_ptr_array_index (findings, i)),
                              "unbounded-dml");
  g_assert_true (unbounded);
  /* a bound, not a timing: minutes without the cut */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_TIME_SPAN_SECOND);
}

static const struct {
  const char        *rule;
  GanderLintSeverity severity;
} default_severities[] = {
  /* the rules whose statements fail at run time are errors */
  { "needs-no-transaction", GANDER_LINT_SEVERITY_ERROR },
  { "transaction-nesting", GANDER_LINT_SEVERITY_ERROR },
  { "parse-error", GANDER_LINT_SEVERITY_ERROR },
  { "destructive", GANDER_LINT_SEVERITY_WARNING },
  { "no-such-rule", GANDER_LINT_SEVERITY_OFF },
};

static const struct {
  const char        *rule;
  GanderLintDialect  dialect;
  gboolean           applies;
} applies_to[] = {
  { "fk-pragma-in-tx", SQ, TRUE },
  { "fk-pragma-in-tx", PG, FALSE },
  { "set-not-null", SQ, FALSE },
};

static const struct {
  const char        *text;
  gboolean           known;
  GanderLintDialect  dialect;
} dialect_names[] = {
  { "pgx", TRUE, PG },
  { "sqlite", TRUE, SQ },
  { "mysql", FALSE, 0 },
};

static void
test_severities (void)
{
  const char * const *rules = gander_lint_list_rules ();
  g_autoptr(GanderLinter) linter = gander_linter_new (SQ);
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GanderMigration) migration = NULL;

  g_assert_cmpuint (g_strv_length ((char **) rules), ==, 16);
  for (guint i = 0; i < G_N_ELEMENTS (default_severities); i++)
    {
      g_test_message ("default severity of %s", default_severities[i].rule);
      g_assert_cmpint (gander_lint_rule_get_default_severity (default_severities[i].rule), ==,
                       default_severities[i].severity);
    }
  for (guint i = 0; i < G_N_ELEMENTS (applies_to); i++)
    {
      g_test_message ("%s applies to %s", applies_to[i].rule,
                      applies_to[i].dialect == PG ? "postgres" : "sqlite3");
      g_assert_cmpint (gander_lint_rule_applies_to (applies_to[i].rule, applies_to[i].dialect), ==,
                       applies_to[i].applies);
    }
  for (guint i = 0; i < G_N_ELEMENTS (dialect_names); i++)
    {
      GanderLintDialect dialect = (GanderLintDialect) -1;

      g_test_message ("dialect %s", dialect_names[i].text);
      g_assert_cmpint (gander_lint_dialect_from_string (dialect_names[i].text, &dialect), ==,
                       dialect_names[i].known);
      if (dialect_names[i].known)
        g_assert_cmpint (dialect, ==, dialect_names[i].dialect);
    }

  g_assert_false (gander_linter_set_rule_severity (linter, "no-such-rule", GANDER_LINT_SEVERITY_ERROR, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no-such-rule"));
  g_clear_error (&error);

  /* raised, and turned off */
  g_assert_true (gander_linter_set_rule_severity (linter, "unbounded-dml", GANDER_LINT_SEVERITY_ERROR, &error));
  g_assert_true (gander_linter_disable_rule (linter, "missing-down", &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "unbounded-dml"), ==, GANDER_LINT_SEVERITY_ERROR);
  g_assert_cmpint (gander_linter_get_rule_severity (linter, "missing-down"), ==, GANDER_LINT_SEVERITY_OFF);
  bytes = g_bytes_new_static ("-- +goose Up\nDELETE FROM t;\n", 28);
  migration = gander_migration_new_from_bytes (7, "00007_x.sql", bytes);
  findings = gander_linter_lint_migration (linter, migration, &error);
  g_assert_no_error (error);
  dump (findings);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_cmpstr (gander_lint_finding_get_rule (g_ptr_array_index (findings, 0)), ==, "unbounded-dml");
  g_assert_cmpint (gander_lint_finding_get_severity (g_ptr_array_index (findings, 0)), ==,
                   GANDER_LINT_SEVERITY_ERROR);
}

static void
test_unavailable (void)
{
  g_autoptr(GanderLinter) linter = gander_linter_new (PG);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("-- +goose Up\nSELECT 1;\n", 23);
  g_autoptr(GanderMigration) migration = gander_migration_new_from_bytes (1, "00001_x.sql", bytes);
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;

  findings = gander_linter_lint_migration (linter, migration, &error);
  if (gander_lint_dialect_is_available (PG))
    {
      g_assert_no_error (error);
      g_assert_nonnull (findings);
      return;
    }
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "libpg_query"));
  g_assert_null (findings);
}

static void
test_source_and_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gander-lint-XXXXXX", &error);
  g_autofree char *one = g_build_filename (dir, "00001_a.sql", NULL);
  g_autofree char *two = g_build_filename (dir, "00002_b.sql", NULL);
  g_autofree char *odd = g_build_filename (dir, "fix.sql", NULL);
  g_autoptr(GanderLinter) linter = gander_linter_new (SQ);
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (one, "-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n", -1, NULL));
  g_assert_true (g_file_set_contents (two, "-- +goose Up\nBEGIN;\nDROP TABLE u;\n" DOWN, -1, NULL));
  g_assert_true (g_file_set_contents (odd, "-- +goose Up\nVACUUM;\n" DOWN, -1, NULL));

  source = gander_source_new_for_path (dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  findings = gander_linter_lint_source (linter, source, NULL, &error);
  g_assert_no_error (error);
  dump (findings);
  g_assert_cmpuint (findings->len, ==, 2);
  g_assert_cmpstr (gander_lint_finding_get_rule (g_ptr_array_index (findings, 0)), ==, "transaction-nesting");
  g_assert_true (g_str_has_suffix (gander_lint_finding_get_file (g_ptr_array_index (findings, 0)), "00002_b.sql"));
  g_assert_cmpstr (gander_lint_finding_get_rule (g_ptr_array_index (findings, 1)), ==, "destructive");
  g_clear_pointer (&findings, g_ptr_array_unref);

  /* a file whose name carries no version */
  file = g_file_new_for_path (odd);
  findings = gander_linter_lint_file (linter, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_cmpstr (gander_lint_finding_get_rule (g_ptr_array_index (findings, 0)), ==, "needs-no-transaction");
  g_clear_pointer (&findings, g_ptr_array_unref);

  g_cancellable_cancel (cancellable);
  findings = gander_linter_lint_source (linter, source, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (findings);

  gander_test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/lint/%s/%s/%s",
                                               cases[i].dialect == PG ? "postgres" : "sqlite3",
                                               cases[i].rule, cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_data_func ("/lint/postgres/block-lines", GINT_TO_POINTER (PG), test_block_lines);
  g_test_add_data_func ("/lint/sqlite3/block-lines", GINT_TO_POINTER (SQ), test_block_lines);
  g_test_add_data_func ("/lint/postgres/suppression-scope", GINT_TO_POINTER (PG), test_suppression_scope);
  g_test_add_data_func ("/lint/sqlite3/suppression-scope", GINT_TO_POINTER (SQ), test_suppression_scope);
  g_test_add_func ("/lint/postgres/bodies", test_bodies);
  g_test_add_func ("/lint/postgres/unavailable", test_unavailable);
  g_test_add_func ("/lint/conformance", test_conformance);
  g_test_add_func ("/lint/examples", test_examples);
  g_test_add_func ("/lint/severities", test_severities);
  g_test_add_func ("/lint/sqlite/endless-replay", test_sqlite_endless_replay);
  g_test_add_func ("/lint/source-and-file", test_source_and_file);

  return gander_test_run ();
}
