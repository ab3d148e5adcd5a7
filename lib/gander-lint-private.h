/* gander-lint-private.h: what the engine-specific linters share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-linter.h"
#include "gander-sql-parser.h"

G_BEGIN_DECLS

/* Stable rule ids (docs/lint.md describes each). */
#define GANDER_LINT_NEEDS_NO_TRANSACTION     "needs-no-transaction"
#define GANDER_LINT_TRANSACTION_NESTING      "transaction-nesting"
#define GANDER_LINT_REQUIRE_CONCURRENT_INDEX "require-concurrent-index"
#define GANDER_LINT_VOLATILE_DEFAULT         "volatile-default"
#define GANDER_LINT_COLUMN_TYPE_CHANGE       "column-type-change"
#define GANDER_LINT_SET_NOT_NULL             "set-not-null"
#define GANDER_LINT_CONSTRAINT_NOT_VALID     "constraint-not-valid"
#define GANDER_LINT_UNIQUE_CONSTRAINT        "unique-constraint"
#define GANDER_LINT_REQUIRED_COLUMN          "required-column"
#define GANDER_LINT_DESTRUCTIVE              "destructive"
#define GANDER_LINT_RENAME                   "rename"
#define GANDER_LINT_FK_PRAGMA_IN_TX          "fk-pragma-in-tx"
#define GANDER_LINT_UNBOUNDED_DML            "unbounded-dml"
#define GANDER_LINT_PREFER_ROBUST_STMTS      "prefer-robust-stmts"
#define GANDER_LINT_MISSING_DOWN             "missing-down"
#define GANDER_LINT_PARSE_ERROR              "parse-error"

/* One section of one file being linted. The engines read the statements,
 * keep what the file created in `created` (table names as the engine
 * folds them, without schema) and report through gander_lint_run_report(),
 * which applies severities, sections and suppressions. */
typedef struct
{
  GanderLinter    *linter;
  const char      *path;
  GanderDirection  direction;
  gboolean         use_tx;
  GHashTable      *created;            /* tables the file created */
  GHashTable      *created_indexes;    /* indexes the file created */
  gboolean         in_explicit_tx;     /* BEGIN seen in a NO TRANSACTION file */
  guint            stmt_index;         /* 1-based, in the section */
  guint            stmt_line;          /* where the current statement starts */
  guint            stmt_end_line;
  guint            stmt_prev_end_line; /* end of the one before, or the section's start */
  gpointer         engine;             /* the engine's own state */
  /* owned by the linter's file pass */
  GPtrArray       *findings;
  GHashTable      *file_suppressions;  /* rule → reason */
  GPtrArray       *line_suppressions;  /* LintSuppression, by line */
} GanderLintRun;

void      gander_lint_run_report       (GanderLintRun *run,
                                        const char    *rule,
                                        guint          line,
                                        const char    *suggestion,
                                        const char    *format,
                                        ...) G_GNUC_PRINTF (5, 6);
void      gander_lint_run_begin_statement (GanderLintRun   *run,
                                           GanderParsedSql *parsed,
                                           guint            index);
gboolean  gander_lint_run_is_created   (GanderLintRun *run,
                                        const char    *table);
guint     gander_lint_line_at          (const char    *text,
                                        gsize          offset,
                                        guint          first_line);
gsize     gander_lint_skip_blanks      (const char    *text,
                                        gsize          offset);

/* PostgreSQL (gander-lint-postgres.c). Without libpg_query, _available()
 * is FALSE and _section() is never called. */
gboolean  gander_lint_postgres_available (void);
void      gander_lint_postgres_section   (GanderLintRun   *run,
                                          GanderParsedSql *parsed);

/* SQLite (gander-lint-sqlite.c): one scratch database per file, shared by
 * its two sections (the Down section sees what Up made). */
gpointer  gander_lint_sqlite_open      (GError        **error);
void      gander_lint_sqlite_close     (gpointer        engine);
void      gander_lint_sqlite_section   (GanderLintRun   *run,
                                        GanderParsedSql *parsed);

G_END_DECLS
