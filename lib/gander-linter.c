/* gander-linter.c: the rules, their severities, suppressions, files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-enum-types.h"
#include "gander-linter.h"
#include "gander-lint-finding-private.h"
#include "gander-lint-private.h"
#include "gander-database-private.h"
#include "gander-migration-private.h"
#include "gander-migration-status.h"
#include "gander-migrator.h"
#include "gander-source.h"
#include "gander-sql-parser-private.h"

/**
 * GanderLinter:
 *
 * Finds the statements of goose migrations that fail at run time or hurt
 * a busy database: an index built without `CONCURRENTLY`, a `NOT NULL`
 * column without a default, `CREATE INDEX CONCURRENTLY` in a
 * transactional file, a dropped column, … (every rule is described in
 * `docs/lint.md`).
 *
 * Statements come from Gander's goose parser, so lines match the file.
 * PostgreSQL statements are parsed with PostgreSQL's own grammar
 * (libpg_query, an optional dependency: see
 * gander_lint_dialect_is_available()); SQLite statements are compiled by
 * SQLite against a scratch in-memory database that replays the file's
 * schema changes, and what they do is observed through SQLite's
 * authorizer. "An existing table" is one the file did not create before
 * the statement.
 *
 * Each rule has a default severity (gander_lint_rule_get_default_severity())
 * which gander_linter_set_rule_severity() changes or turns off. Inside a
 * file, `-- gander:lint-ignore RULE[,RULE] reason` on the lines before a
 * statement silences those rules for that statement; before the
 * `-- +goose Up` line it silences them for the whole file. Silenced
 * findings are still returned, marked suppressed.
 *
 * Since: 0.2
 */

typedef enum {
  APPLIES_PG     = 1 << 0,
  APPLIES_SQLITE = 1 << 1,
  UP_ONLY        = 1 << 2,
} RuleFlags;

typedef struct {
  const char         *id;
  GanderLintSeverity  severity;
  RuleFlags           flags;
} RuleInfo;

#define BOTH (APPLIES_PG | APPLIES_SQLITE)

/* Errors for what fails at run time, warnings for what hurts. Rules that
 * judge what a change does to existing data look at Up sections only: a
 * Down section undoes, and is expected to drop what Up made. */
static const RuleInfo rules[] = {
  { GANDER_LINT_NEEDS_NO_TRANSACTION,     GANDER_LINT_SEVERITY_ERROR,   BOTH },
  { GANDER_LINT_TRANSACTION_NESTING,      GANDER_LINT_SEVERITY_ERROR,   BOTH },
  { GANDER_LINT_REQUIRE_CONCURRENT_INDEX, GANDER_LINT_SEVERITY_WARNING, APPLIES_PG | UP_ONLY },
  { GANDER_LINT_VOLATILE_DEFAULT,         GANDER_LINT_SEVERITY_WARNING, APPLIES_PG | UP_ONLY },
  { GANDER_LINT_COLUMN_TYPE_CHANGE,       GANDER_LINT_SEVERITY_WARNING, APPLIES_PG | UP_ONLY },
  { GANDER_LINT_SET_NOT_NULL,             GANDER_LINT_SEVERITY_WARNING, APPLIES_PG | UP_ONLY },
  { GANDER_LINT_CONSTRAINT_NOT_VALID,     GANDER_LINT_SEVERITY_WARNING, APPLIES_PG | UP_ONLY },
  { GANDER_LINT_UNIQUE_CONSTRAINT,        GANDER_LINT_SEVERITY_WARNING, APPLIES_PG | UP_ONLY },
  { GANDER_LINT_REQUIRED_COLUMN,          GANDER_LINT_SEVERITY_WARNING, BOTH | UP_ONLY },
  { GANDER_LINT_DESTRUCTIVE,              GANDER_LINT_SEVERITY_WARNING, BOTH | UP_ONLY },
  { GANDER_LINT_RENAME,                   GANDER_LINT_SEVERITY_WARNING, BOTH | UP_ONLY },
  { GANDER_LINT_FK_PRAGMA_IN_TX,          GANDER_LINT_SEVERITY_WARNING, APPLIES_SQLITE },
  { GANDER_LINT_UNBOUNDED_DML,            GANDER_LINT_SEVERITY_WARNING, BOTH | UP_ONLY },
  { GANDER_LINT_PREFER_ROBUST_STMTS,      GANDER_LINT_SEVERITY_WARNING, BOTH },
  { GANDER_LINT_MISSING_DOWN,             GANDER_LINT_SEVERITY_WARNING, BOTH },
  { GANDER_LINT_PARSE_ERROR,              GANDER_LINT_SEVERITY_ERROR,   BOTH },
};

static const char * const rule_ids[] = {
  GANDER_LINT_NEEDS_NO_TRANSACTION,
  GANDER_LINT_TRANSACTION_NESTING,
  GANDER_LINT_REQUIRE_CONCURRENT_INDEX,
  GANDER_LINT_VOLATILE_DEFAULT,
  GANDER_LINT_COLUMN_TYPE_CHANGE,
  GANDER_LINT_SET_NOT_NULL,
  GANDER_LINT_CONSTRAINT_NOT_VALID,
  GANDER_LINT_UNIQUE_CONSTRAINT,
  GANDER_LINT_REQUIRED_COLUMN,
  GANDER_LINT_DESTRUCTIVE,
  GANDER_LINT_RENAME,
  GANDER_LINT_FK_PRAGMA_IN_TX,
  GANDER_LINT_UNBOUNDED_DML,
  GANDER_LINT_PREFER_ROBUST_STMTS,
  GANDER_LINT_MISSING_DOWN,
  GANDER_LINT_PARSE_ERROR,
  NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (rules) + 1 == G_N_ELEMENTS (rule_ids));

static const RuleInfo *
lookup_rule (const char *id)
{
  if (id == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_str_equal (rules[i].id, id))
      return &rules[i];
  return NULL;
}

/**
 * gander_lint_list_rules:
 *
 * Lists the ids of every lint rule, in the order `docs/lint.md` describes
 * them.
 *
 * Returns: (transfer none) (array zero-terminated=1): the rule ids
 *
 * Since: 0.2
 */
const char * const *
gander_lint_list_rules (void)
{
  return rule_ids;
}

/**
 * gander_lint_rule_get_default_severity:
 * @rule: a rule id
 *
 * Gets the severity @rule has unless a linter changes it: error for the
 * rules whose statements fail at run time (`needs-no-transaction`,
 * `transaction-nesting`, `parse-error`), warning for the others.
 *
 * Returns: the default severity, or %GANDER_LINT_SEVERITY_OFF for an
 *   unknown id
 *
 * Since: 0.2
 */
GanderLintSeverity
gander_lint_rule_get_default_severity (const char *rule)
{
  const RuleInfo *info = lookup_rule (rule);

  return info != NULL ? info->severity : GANDER_LINT_SEVERITY_OFF;
}

/**
 * gander_lint_rule_applies_to:
 * @rule: a rule id
 * @dialect: a dialect
 *
 * Tells whether @rule is checked for @dialect (`fk-pragma-in-tx` is
 * SQLite's, `require-concurrent-index` PostgreSQL's, …).
 *
 * Returns: %TRUE if the rule exists and applies to @dialect
 *
 * Since: 0.2
 */
gboolean
gander_lint_rule_applies_to (const char        *rule,
                             GanderLintDialect  dialect)
{
  const RuleInfo *info = lookup_rule (rule);

  if (info == NULL)
    return FALSE;
  return (info->flags & (dialect == GANDER_LINT_DIALECT_POSTGRES ? APPLIES_PG : APPLIES_SQLITE)) != 0;
}

/**
 * gander_lint_dialect_is_available:
 * @dialect: a dialect
 *
 * Tells whether this build of Gander can lint @dialect. SQLite always
 * can; PostgreSQL needs libpg_query at build time (`-Dlint-postgres`).
 * Linting an unavailable dialect fails with %GANDER_ERROR_NOT_SUPPORTED.
 *
 * Returns: %TRUE if @dialect can be linted
 *
 * Since: 0.2
 */
gboolean
gander_lint_dialect_is_available (GanderLintDialect dialect)
{
  if (dialect == GANDER_LINT_DIALECT_POSTGRES)
    return gander_lint_postgres_available ();
  return TRUE;
}

/**
 * gander_lint_dialect_from_string:
 * @name: a dialect or goose driver name
 * @dialect: (out): where to store the dialect
 *
 * Reads a dialect from its nick or from a goose driver name: `postgres`,
 * `pgx`, `postgresql` and `redshift`-free PostgreSQL spellings give
 * %GANDER_LINT_DIALECT_POSTGRES; `sqlite3` and `sqlite` give
 * %GANDER_LINT_DIALECT_SQLITE3.
 *
 * Returns: %TRUE if @name names a dialect
 *
 * Since: 0.2
 */
gboolean
gander_lint_dialect_from_string (const char        *name,
                                 GanderLintDialect *dialect)
{
  g_return_val_if_fail (dialect != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (name, "postgres") == 0 || g_ascii_strcasecmp (name, "pgx") == 0 ||
      g_ascii_strcasecmp (name, "postgresql") == 0)
    {
      *dialect = GANDER_LINT_DIALECT_POSTGRES;
      return TRUE;
    }
  if (g_ascii_strcasecmp (name, "sqlite3") == 0 || g_ascii_strcasecmp (name, "sqlite") == 0)
    {
      *dialect = GANDER_LINT_DIALECT_SQLITE3;
      return TRUE;
    }
  return FALSE;
}

/* ---- GanderLinter ---- */

struct _GanderLinter
{
  GObject            parent_instance;

  GanderLintDialect  dialect;
  guint              server_version;
  GHashTable        *severities;   /* rule id (static) → severity + 1 */
};

G_DEFINE_FINAL_TYPE (GanderLinter, gander_linter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIALECT,
  PROP_SERVER_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_linter_finalize (GObject *object)
{
  GanderLinter *self = GANDER_LINTER (object);

  g_clear_pointer (&self->severities, g_hash_table_unref);

  G_OBJECT_CLASS (gander_linter_parent_class)->finalize (object);
}

static void
gander_linter_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GanderLinter *self = GANDER_LINTER (object);

  switch (prop_id)
    {
    case PROP_DIALECT:
      g_value_set_enum (value, self->dialect);
      break;
    case PROP_SERVER_VERSION:
      g_value_set_uint (value, self->server_version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_linter_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GanderLinter *self = GANDER_LINTER (object);

  switch (prop_id)
    {
    case PROP_DIALECT:
      gander_linter_set_dialect (self, g_value_get_enum (value));
      break;
    case PROP_SERVER_VERSION:
      gander_linter_set_server_version (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_linter_class_init (GanderLinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_linter_finalize;
  object_class->get_property = gander_linter_get_property;
  object_class->set_property = gander_linter_set_property;

  /**
   * GanderLinter:dialect:
   *
   * The database engine whose rules apply.
   *
   * Since: 0.2
   */
  properties[PROP_DIALECT] =
    g_param_spec_enum ("dialect", NULL, NULL,
                       GANDER_TYPE_LINT_DIALECT, GANDER_LINT_DIALECT_SQLITE3,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GanderLinter:server-version:
   *
   * The PostgreSQL server version the migrations will run on, as
   * `server_version_num` (`110000` for 11.0), or 0 for a current server.
   * Only `ALTER TYPE … ADD VALUE` depends on it: before 12 it cannot run
   * inside a transaction block.
   *
   * Since: 0.2
   */
  properties[PROP_SERVER_VERSION] =
    g_param_spec_uint ("server-version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_linter_init (GanderLinter *self)
{
  self->severities = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * gander_linter_new:
 * @dialect: the database engine whose rules apply
 *
 * Makes a linter with every rule at its default severity.
 *
 * Returns: (transfer full): a new #GanderLinter
 *
 * Since: 0.2
 */
GanderLinter *
gander_linter_new (GanderLintDialect dialect)
{
  return g_object_new (GANDER_TYPE_LINTER, "dialect", dialect, NULL);
}

/**
 * gander_linter_get_dialect:
 * @self: a #GanderLinter
 *
 * Gets #GanderLinter:dialect.
 *
 * Returns: the dialect
 *
 * Since: 0.2
 */
GanderLintDialect
gander_linter_get_dialect (GanderLinter *self)
{
  g_return_val_if_fail (GANDER_IS_LINTER (self), GANDER_LINT_DIALECT_SQLITE3);
  return self->dialect;
}

/**
 * gander_linter_set_dialect:
 * @self: a #GanderLinter
 * @dialect: the dialect
 *
 * Sets #GanderLinter:dialect.
 *
 * Since: 0.2
 */
void
gander_linter_set_dialect (GanderLinter      *self,
                           GanderLintDialect  dialect)
{
  g_return_if_fail (GANDER_IS_LINTER (self));
  g_return_if_fail (dialect == GANDER_LINT_DIALECT_POSTGRES || dialect == GANDER_LINT_DIALECT_SQLITE3);

  if (self->dialect == dialect)
    return;
  self->dialect = dialect;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIALECT]);
}

/**
 * gander_linter_get_server_version:
 * @self: a #GanderLinter
 *
 * Gets #GanderLinter:server-version.
 *
 * Returns: the server version number, or 0
 *
 * Since: 0.2
 */
guint
gander_linter_get_server_version (GanderLinter *self)
{
  g_return_val_if_fail (GANDER_IS_LINTER (self), 0);
  return self->server_version;
}

/**
 * gander_linter_set_server_version:
 * @self: a #GanderLinter
 * @server_version: a `server_version_num`, or 0 for a current server
 *
 * Sets #GanderLinter:server-version.
 *
 * Since: 0.2
 */
void
gander_linter_set_server_version (GanderLinter *self,
                                  guint         server_version)
{
  g_return_if_fail (GANDER_IS_LINTER (self));

  if (self->server_version == server_version)
    return;
  self->server_version = server_version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_VERSION]);
}

static gboolean
check_rule (const char       *rule,
            const RuleInfo  **info,
            GError          **error)
{
  *info = lookup_rule (rule);
  if (*info != NULL)
    return TRUE;
  {
    g_autofree char *known = g_strjoinv (", ", (char **) rule_ids);

    g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                 _("unknown lint rule \"%s\"; the rules are: %s"), rule, known);
  }
  return FALSE;
}

/**
 * gander_linter_set_rule_severity:
 * @self: a #GanderLinter
 * @rule: a rule id
 * @severity: its new severity; %GANDER_LINT_SEVERITY_OFF turns it off
 * @error: return location for a #GError
 *
 * Raises or lowers one rule, as an environment's `lint` settings do.
 *
 * Returns: %TRUE, or %FALSE with %GANDER_ERROR_INVALID_ARGUMENT for an
 *   unknown rule
 *
 * Since: 0.2
 */
gboolean
gander_linter_set_rule_severity (GanderLinter        *self,
                                 const char          *rule,
                                 GanderLintSeverity   severity,
                                 GError             **error)
{
  const RuleInfo *info;

  g_return_val_if_fail (GANDER_IS_LINTER (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (severity <= GANDER_LINT_SEVERITY_ERROR, FALSE);

  if (!check_rule (rule, &info, error))
    return FALSE;
  g_hash_table_insert (self->severities, (gpointer) info->id, GINT_TO_POINTER (severity + 1));
  return TRUE;
}

/**
 * gander_linter_get_rule_severity:
 * @self: a #GanderLinter
 * @rule: a rule id
 *
 * Gets the severity findings of @rule get from @self.
 *
 * Returns: the severity; %GANDER_LINT_SEVERITY_OFF for a rule turned off
 *   or unknown
 *
 * Since: 0.2
 */
GanderLintSeverity
gander_linter_get_rule_severity (GanderLinter *self,
                                 const char   *rule)
{
  const RuleInfo *info;
  gpointer value;

  g_return_val_if_fail (GANDER_IS_LINTER (self), GANDER_LINT_SEVERITY_OFF);

  info = lookup_rule (rule);
  if (info == NULL)
    return GANDER_LINT_SEVERITY_OFF;
  value = g_hash_table_lookup (self->severities, info->id);
  return value != NULL ? (GanderLintSeverity) (GPOINTER_TO_INT (value) - 1) : info->severity;
}

/**
 * gander_linter_disable_rule:
 * @self: a #GanderLinter
 * @rule: a rule id
 * @error: return location for a #GError
 *
 * Turns @rule off (as the `lint-disable` setting does).
 *
 * Returns: %TRUE, or %FALSE for an unknown rule
 *
 * Since: 0.2
 */
gboolean
gander_linter_disable_rule (GanderLinter  *self,
                            const char    *rule,
                            GError       **error)
{
  return gander_linter_set_rule_severity (self, rule, GANDER_LINT_SEVERITY_OFF, error);
}

/* ---- reporting ---- */

typedef struct {
  guint  line;
  char **rules;
  char  *reason;
} LintSuppression;

static void
lint_suppression_free (gpointer data)
{
  LintSuppression *s = data;

  g_strfreev (s->rules);
  g_free (s->reason);
  g_free (s);
}

/* The file's suppression comments. Before `-- +goose Up` (or the first
 * SQL line) a comment is about the whole file; after it, about the next
 * statement. */
static void
scan_suppressions (GBytes     *contents,
                   GHashTable *file_suppressions,
                   GPtrArray  *line_suppressions,
                   guint      *down_line)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (contents, &len);
  const char *end = data + len;
  const char *p = data;
  gboolean header = TRUE;
  guint line = 0;

  *down_line = 0;
  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *q;
      gsize n;

      if (eol == NULL)
        eol = end;
      line++;
      n = eol - p;
      q = p;
      while (q < eol && g_ascii_isspace (*q))
        q++;
      if (q + 2 <= eol && q[0] == '-' && q[1] == '-')
        {
          const char *c = q + 2;

          while (c < eol && (*c == ' ' || *c == '\t'))
            c++;
          if (eol - c >= 6 && g_ascii_strncasecmp (c, "+goose", 6) == 0)
            {
              const char *w = c + 6;

              while (w < eol && (*w == ' ' || *w == '\t'))
                w++;
              if (eol - w >= 2 && g_ascii_strncasecmp (w, "up", 2) == 0 &&
                  (w + 2 == eol || g_ascii_isspace (w[2])))
                header = FALSE;
              else if (eol - w >= 4 && g_ascii_strncasecmp (w, "down", 4) == 0 &&
                       (w + 4 == eol || g_ascii_isspace (w[4])) && *down_line == 0)
                *down_line = line;
            }
          else if (eol - c >= 18 && strncmp (c, "gander:lint-ignore", 18) == 0 &&
                   (c + 18 == eol || g_ascii_isspace (c[18])))
            {
              g_autofree char *rest = g_strndup (c + 18, eol - (c + 18));
              g_auto(GStrv) words = NULL;
              char *reason;
              char *list;

              g_strstrip (rest);
              list = rest;
              reason = list;
              while (*reason != '\0' && !g_ascii_isspace (*reason))
                reason++;
              if (*reason != '\0')
                *reason++ = '\0';
              g_strstrip (reason);
              words = g_strsplit (list, ",", -1);
              if (header)
                {
                  for (guint i = 0; words[i] != NULL; i++)
                    if (*words[i] != '\0')
                      g_hash_table_insert (file_suppressions, g_strdup (words[i]),
                                           *reason != '\0' ? g_utf8_make_valid (reason, -1) : NULL);
                }
              else
                {
                  LintSuppression *s = g_new0 (LintSuppression, 1);

                  s->line = line;
                  s->rules = g_steal_pointer (&words);
                  s->reason = *reason != '\0' ? g_utf8_make_valid (reason, -1) : NULL;
                  g_ptr_array_add (line_suppressions, s);
                }
            }
        }
      else if (q < eol)
        header = FALSE;
      (void) n;
      p = eol + 1;
    }
}

/* Is @rule silenced for the current statement? A comment counts for the
 * statement that follows it (or holds it, inside a StatementBegin
 * block), not for one that ended before it. */
static gboolean
find_suppression (GanderLintRun  *run,
                  const char     *rule,
                  guint           line,
                  const char    **reason)
{
  if (g_hash_table_lookup_extended (run->file_suppressions, rule, NULL, (gpointer *) reason))
    return TRUE;
  if (line == 0 || run->stmt_index == 0)
    return FALSE;
  for (guint i = 0; i < run->line_suppressions->len; i++)
    {
      LintSuppression *s = g_ptr_array_index (run->line_suppressions, i);
      GanderLintRun *r = run;

      if (s->line >= r->stmt_end_line || s->line <= r->stmt_prev_end_line)
        continue;
      if (s->line >= line)
        continue;   /* below the offending line */
      if (g_strv_contains ((const char * const *) s->rules, rule))
        {
          *reason = s->reason;
          return TRUE;
        }
    }
  return FALSE;
}

void
gander_lint_run_report (GanderLintRun *run,
                        const char    *rule,
                        guint          line,
                        const char    *suggestion,
                        const char    *format,
                        ...)
{
  const RuleInfo *info = lookup_rule (rule);
  GanderLintSeverity severity;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  const char *reason = NULL;
  gboolean suppressed;
  va_list args;

  g_return_if_fail (info != NULL);

  if ((info->flags & UP_ONLY) && run->direction != GANDER_DIRECTION_UP)
    return;
  severity = gander_linter_get_rule_severity (run->linter, rule);
  if (severity == GANDER_LINT_SEVERITY_OFF)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  /* the engines quote the file's bytes, which need not be UTF-8 */
  message = g_utf8_make_valid (text, -1);

  suppressed = find_suppression (run, rule, line, &reason);
  g_ptr_array_add (run->findings,
                   gander_lint_finding_new (rule, severity, run->path, line, run->direction,
                                            run->stmt_index, message, suggestion,
                                            suppressed, reason));
}

/* Statement @index (0-based) of @parsed becomes the current one. */
void
gander_lint_run_begin_statement (GanderLintRun   *run,
                                 GanderParsedSql *parsed,
                                 guint            index)
{
  const char *text = gander_parsed_sql_get_statement (parsed, index);
  gsize len = strlen (text);
  guint lines = 0;

  if (run->stmt_index > 0)
    run->stmt_prev_end_line = run->stmt_end_line;
  run->stmt_index = index + 1;
  run->stmt_line = gander_parsed_sql_get_statement_line (parsed, index);
  while (len > 0 && text[len - 1] == '\n')
    len--;
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\n')
      lines++;
  run->stmt_end_line = run->stmt_line + lines;
}

gboolean
gander_lint_run_is_created (GanderLintRun *run,
                            const char    *table)
{
  return table != NULL && g_hash_table_contains (run->created, table);
}

/* The line of byte @offset of @text, whose first byte is on @first_line. */
guint
gander_lint_line_at (const char *text,
                     gsize       offset,
                     guint       first_line)
{
  guint line = first_line;

  for (gsize i = 0; i < offset && text[i] != '\0'; i++)
    if (text[i] == '\n')
      line++;
  return line;
}

/* Past white space and SQL comments from @offset. */
gsize
gander_lint_skip_blanks (const char *text,
                         gsize       offset)
{
  for (;;)
    {
      while (g_ascii_isspace (text[offset]))
        offset++;
      if (text[offset] == '-' && text[offset + 1] == '-')
        {
          while (text[offset] != '\0' && text[offset] != '\n')
            offset++;
          continue;
        }
      if (text[offset] == '/' && text[offset + 1] == '*')
        {
          const char *close = strstr (text + offset + 2, "*/");

          offset = close != NULL ? (gsize) (close - text) + 2 : strlen (text);
          continue;
        }
      return offset;
    }
}

/**
 * gander_linter_apply_profile:
 * @self: a #GanderLinter
 * @profile: the settings of a database
 * @error: return location for a #GError
 *
 * Sets the severities @profile asks for: the rules of `lint-warn` become
 * warnings, those of `lint-error` errors, those of `lint-disable` are
 * turned off (in that order, so a rule in two lists gets the last). The
 * other rules keep the severity @self gave them. `lint` itself (what a
 * run does with an error) is the #GanderManager's business, not the
 * linter's.
 *
 * Returns: %TRUE, or %FALSE with %GANDER_ERROR_CONFIG if a list names an
 *   unknown rule (a profile checks its values, so only a profile of
 *   another Gander version can)
 *
 * Since: 0.2
 */
gboolean
gander_linter_apply_profile (GanderLinter   *self,
                             GanderProfile  *profile,
                             GError        **error)
{
  static const struct { const char *key; GanderLintSeverity severity; } lists[] = {
    { "lint-warn", GANDER_LINT_SEVERITY_WARNING },
    { "lint-error", GANDER_LINT_SEVERITY_ERROR },
    { "lint-disable", GANDER_LINT_SEVERITY_OFF },
  };

  g_return_val_if_fail (GANDER_IS_LINTER (self), FALSE);
  g_return_val_if_fail (GANDER_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_auto(GStrv) ids = lists[i].severity == GANDER_LINT_SEVERITY_OFF
        ? gander_profile_get_lint_disable (profile)
        : lists[i].severity == GANDER_LINT_SEVERITY_ERROR
        ? gander_profile_get_lint_error (profile)
        : gander_profile_get_lint_warn (profile);

      for (guint k = 0; ids[k] != NULL; k++)
        {
          g_autoptr(GError) local_error = NULL;

          if (!gander_linter_set_rule_severity (self, ids[k], lists[i].severity, &local_error))
            {
              const char *origin = gander_profile_get_origin (profile, lists[i].key);

              g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG, "%s: %s: %s",
                           origin != NULL ? origin : "built-in", lists[i].key,
                           local_error->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* ---- one file ---- */

static guint
line_of_parse_error (const char *message,
                     const char *path,
                     const char **rest)
{
  const char *p;
  guint64 line;
  char *after = NULL;

  *rest = message;
  if (path == NULL || !g_str_has_prefix (message, path) || message[strlen (path)] != ':')
    return 0;
  p = message + strlen (path) + 1;
  if (!g_ascii_isdigit (*p))
    {
      *rest = p[0] == ' ' ? p + 1 : p;
      return 0;
    }
  line = g_ascii_strtoull (p, &after, 10);
  if (after != NULL && after[0] == ':')
    *rest = after[1] == ' ' ? after + 2 : after + 1;
  return line <= G_MAXUINT ? (guint) line : 0;
}

static int
compare_findings (gconstpointer a,
                  gconstpointer b)
{
  GanderLintFinding *fa = *(GanderLintFinding * const *) a;
  GanderLintFinding *fb = *(GanderLintFinding * const *) b;
  guint la = gander_lint_finding_get_line (fa);
  guint lb = gander_lint_finding_get_line (fb);

  la = la == 0 ? G_MAXUINT : la;
  lb = lb == 0 ? G_MAXUINT : lb;
  return la < lb ? -1 : la > lb;
}

static gboolean
lint_migration (GanderLinter    *self,
                GanderMigration *migration,
                const char      *path,
                GPtrArray       *out,
                GCancellable    *cancellable,
                GError         **error)
{
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GHashTable) created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) created_indexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) file_suppressions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) line_suppressions = g_ptr_array_new_with_free_func (lint_suppression_free);
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func (g_object_unref);
  GanderParsedSql *parsed[2] = { NULL, NULL };
  gboolean has_down = FALSE;
  gpointer engine = NULL;
  guint down_line = 0;
  GanderLintRun run = { 0 };

  if (!gander_lint_dialect_is_available (self->dialect))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                   _("%s: PostgreSQL lint is not available: this Gander was built without "
                     "libpg_query (install libpg-query-dev and rebuild with "
                     "-Dlint-postgres=enabled), or lint with --dialect sqlite3"),
                   path);
      return FALSE;
    }

  contents = gander_migration_load (migration, cancellable, error);
  if (contents == NULL)
    return FALSE;

  run.linter = self;
  run.path = path;
  run.created = created;
  run.created_indexes = created_indexes;
  run.findings = findings;
  run.file_suppressions = file_suppressions;
  run.line_suppressions = line_suppressions;

  scan_suppressions (contents, file_suppressions, line_suppressions, &down_line);

  if (self->dialect == GANDER_LINT_DIALECT_SQLITE3)
    {
      engine = gander_lint_sqlite_open (error);
      if (engine == NULL)
        return FALSE;
    }

  for (guint i = 0; i < 2; i++)
    {
      GanderDirection direction = i == 0 ? GANDER_DIRECTION_UP : GANDER_DIRECTION_DOWN;
      g_autoptr(GError) local_error = NULL;

      run.direction = direction;
      run.stmt_index = 0;
      run.in_explicit_tx = FALSE;
      parsed[i] = gander_migration_parse (migration, direction, &local_error);
      if (parsed[i] == NULL)
        {
          const char *rest;
          guint line;

          if (!g_error_matches (local_error, GANDER_ERROR, GANDER_ERROR_PARSE))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              if (engine != NULL)
                gander_lint_sqlite_close (engine);
              return FALSE;
            }
          line = line_of_parse_error (local_error->message, path, &rest);
          /* goose parses both sections in one pass: the same error twice */
          if (i == 1 && parsed[0] == NULL)
            continue;
          gander_lint_run_report (&run, GANDER_LINT_PARSE_ERROR, line,
                                  _("fix the goose annotations so that the file parses"),
                                  "%s", rest);
          continue;
        }
      has_down = has_down || gander_parsed_sql_has_down_annotation (parsed[i]);
      run.use_tx = gander_parsed_sql_get_use_transaction (parsed[i]);
      run.stmt_prev_end_line = direction == GANDER_DIRECTION_DOWN ? down_line : 0;
      if (self->dialect == GANDER_LINT_DIALECT_POSTGRES)
        gander_lint_postgres_section (&run, parsed[i]);
      else
        {
          run.engine = engine;
          gander_lint_sqlite_section (&run, parsed[i]);
        }
    }
  if (engine != NULL)
    gander_lint_sqlite_close (engine);

  if (parsed[0] != NULL && parsed[1] != NULL)
    {
      guint n_up = gander_parsed_sql_get_n_statements (parsed[0]);
      guint n_down = gander_parsed_sql_get_n_statements (parsed[1]);

      run.direction = GANDER_DIRECTION_DOWN;
      run.stmt_index = 0;
      if (!has_down)
        gander_lint_run_report (&run, GANDER_LINT_MISSING_DOWN, 0,
                                _("add a '-- +goose Down' section that undoes the Up section"),
                                _("no '-- +goose Down' section: a rollback of this migration "
                                  "does nothing and leaves its changes in place"));
      else if (n_up > 0 && n_down == 0)
        gander_lint_run_report (&run, GANDER_LINT_MISSING_DOWN, down_line,
                                _("write the statements that undo the Up section, or suppress "
                                  "this rule with a reason if it cannot be undone"),
                                _("the '-- +goose Down' section is empty: a rollback of this "
                                  "migration does nothing and leaves its changes in place"));
    }
  g_clear_pointer (&parsed[0], gander_parsed_sql_unref);
  g_clear_pointer (&parsed[1], gander_parsed_sql_unref);

  g_ptr_array_sort (findings, compare_findings);
  for (guint i = 0; i < findings->len; i++)
    g_ptr_array_add (out, g_object_ref (g_ptr_array_index (findings, i)));
  return TRUE;
}

/**
 * gander_linter_lint_migration:
 * @self: a #GanderLinter
 * @migration: a migration
 * @error: return location for a #GError
 *
 * Lints both sections of @migration. Problems of the file itself
 * (annotations goose cannot parse, SQL the engine cannot parse) are
 * findings (`parse-error`), not errors.
 *
 * Returns: (transfer container) (element-type GanderLintFinding): the
 *   findings, in line order (findings about the whole file last); %NULL
 *   if the file cannot be read, or with %GANDER_ERROR_NOT_SUPPORTED when
 *   the dialect is not available in this build
 *
 * Since: 0.2
 */
GPtrArray *
gander_linter_lint_migration (GanderLinter     *self,
                              GanderMigration  *migration,
                              GError          **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = NULL;

  g_return_val_if_fail (GANDER_IS_LINTER (self), NULL);
  g_return_val_if_fail (GANDER_IS_MIGRATION (migration), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = gander_migration_dup_display_path (migration);
  if (!lint_migration (self, migration, path, out, NULL, error))
    return NULL;
  return g_steal_pointer (&out);
}

/**
 * gander_linter_lint_source:
 * @self: a #GanderLinter
 * @source: a source of migrations
 * @cancellable: (nullable): a #GCancellable, checked between files
 * @error: return location for a #GError
 *
 * Lints every migration of @source, in version order.
 *
 * Returns: (transfer container) (element-type GanderLintFinding): the
 *   findings; %NULL on a read error, when cancelled, or when the dialect
 *   is not available
 *
 * Since: 0.2
 */
GPtrArray *
gander_linter_lint_source (GanderLinter  *self,
                           GanderSource  *source,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  g_return_val_if_fail (GANDER_IS_LINTER (self), NULL);
  g_return_val_if_fail (GANDER_IS_SOURCE (source), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = gander_source_get_n_migrations (source);
  for (guint i = 0; i < n; i++)
    {
      GanderMigration *migration = gander_source_get_migration (source, i);
      g_autofree char *path = gander_migration_dup_display_path (migration);

      if (g_cancellable_is_cancelled (cancellable))
        {
          gander_set_cancelled_error (error, _("lint of %s was cancelled"), path);
          return NULL;
        }
      if (!lint_migration (self, migration, path, out, cancellable, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * gander_linter_lint_pending:
 * @self: a #GanderLinter
 * @migrator: the migrations and the database they go to
 * @n_applied: (out) (optional): where to store how many migrations were
 *   skipped because the database has them applied already
 * @cancellable: (nullable): a #GCancellable, checked between files
 * @error: return location for a #GError
 *
 * Lints the migrations of @migrator's source that its database has not
 * applied, in version order (what `gander DRIVER DBSTRING lint` does).
 * The applied versions are read as gander_migrator_status() reads them:
 * nothing is written, no version table is created, and a SQLite database
 * file that does not exist is not created (every migration is then
 * pending).
 *
 * Returns: (transfer container) (element-type GanderLintFinding): the
 *   findings; %NULL when the database cannot be read, a file cannot be
 *   read, when cancelled, or when the dialect is not available
 *
 * Since: 0.2
 */
GPtrArray *
gander_linter_lint_pending (GanderLinter    *self,
                            GanderMigrator  *migrator,
                            guint           *n_applied,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  GanderSource *source;
  guint applied = 0;

  g_return_val_if_fail (GANDER_IS_LINTER (self), NULL);
  g_return_val_if_fail (GANDER_IS_MIGRATOR (migrator), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = gander_migrator_get_source (migrator);
  if (gander_database_is_absent (gander_migrator_get_database (migrator)))
    {
      for (guint i = 0; i < gander_source_get_n_migrations (source); i++)
        g_ptr_array_add (pending, gander_source_get_migration (source, i));
    }
  else
    {
      g_autoptr(GPtrArray) statuses = gander_migrator_status (migrator, cancellable, error);

      if (statuses == NULL)
        return NULL;
      for (guint i = 0; i < statuses->len; i++)
        {
          GanderMigrationStatus *status = g_ptr_array_index (statuses, i);

          if (gander_migration_status_get_state (status) == GANDER_MIGRATION_STATE_PENDING)
            g_ptr_array_add (pending, gander_migration_status_get_migration (status));
          else
            applied++;
        }
    }

  for (guint i = 0; i < pending->len; i++)
    {
      GanderMigration *migration = g_ptr_array_index (pending, i);
      g_autofree char *path = gander_migration_dup_display_path (migration);

      if (g_cancellable_is_cancelled (cancellable))
        {
          gander_set_cancelled_error (error, _("lint of %s was cancelled"), path);
          return NULL;
        }
      if (!lint_migration (self, migration, path, out, cancellable, error))
        return NULL;
    }
  if (n_applied != NULL)
    *n_applied = applied;
  return g_steal_pointer (&out);
}

/**
 * gander_linter_lint_file:
 * @self: a #GanderLinter
 * @file: a goose SQL migration file (its name need not carry a version)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lints one file.
 *
 * Returns: (transfer container) (element-type GanderLintFinding): the
 *   findings; %NULL if the file cannot be read or the dialect is not
 *   available
 *
 * Since: 0.2
 */
GPtrArray *
gander_linter_lint_file (GanderLinter  *self,
                         GFile         *file,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GanderMigration) migration = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *path = NULL;
  gint64 version;

  g_return_val_if_fail (GANDER_IS_LINTER (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  basename = g_file_get_basename (file);
  version = gander_version_from_filename (basename, NULL);
  if (version < 0)
    version = 0;
  if (g_file_is_native (file))
    {
      g_autofree char *local = g_file_get_path (file);

      migration = gander_migration_new_for_path (local, basename, version, NULL);
      path = gander_migration_dup_display_path (migration);
    }
  else
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GBytes) bytes = NULL;

      if (!g_file_load_contents (file, cancellable, &data, &len, NULL, error))
        return NULL;
      bytes = g_bytes_new_take (g_steal_pointer (&data), len);
      migration = gander_migration_new_from_bytes (version, basename, bytes);
      path = g_file_get_uri (file);
    }
  if (!lint_migration (self, migration, path, out, cancellable, error))
    return NULL;
  return g_steal_pointer (&out);
}
