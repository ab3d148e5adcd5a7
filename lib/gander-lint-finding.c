/* gander-lint-finding.c: one thing `gander lint` found
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-enum-types.h"
#include "gander-linter.h"
#include "gander-lint-finding-private.h"

/**
 * GanderLintFinding:
 *
 * One finding of a #GanderLinter: the rule (a stable id such as
 * `require-concurrent-index`), how much it matters, where it is (file,
 * line, section, statement number), what is wrong and why, and the safe
 * way to write it. A finding silenced by a `-- gander:lint-ignore`
 * comment is still reported, marked suppressed with the comment's reason,
 * so a reviewer sees it.
 *
 * Immutable once made, so it may be passed between threads.
 *
 * Since: 0.2
 */
struct _GanderLintFinding
{
  GObject             parent_instance;

  char               *rule;
  GanderLintSeverity  severity;
  char               *file;
  guint               line;
  GanderDirection     direction;
  guint               statement_index;
  char               *message;
  char               *suggestion;
  gboolean            suppressed;
  char               *suppression_reason;
};

G_DEFINE_FINAL_TYPE (GanderLintFinding, gander_lint_finding, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RULE,
  PROP_SEVERITY,
  PROP_FILE,
  PROP_LINE,
  PROP_DIRECTION,
  PROP_STATEMENT_INDEX,
  PROP_MESSAGE,
  PROP_SUGGESTION,
  PROP_SUPPRESSED,
  PROP_SUPPRESSION_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_lint_finding_finalize (GObject *object)
{
  GanderLintFinding *self = GANDER_LINT_FINDING (object);

  g_clear_pointer (&self->rule, g_free);
  g_clear_pointer (&self->file, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->suggestion, g_free);
  g_clear_pointer (&self->suppression_reason, g_free);

  G_OBJECT_CLASS (gander_lint_finding_parent_class)->finalize (object);
}

static void
gander_lint_finding_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  GanderLintFinding *self = GANDER_LINT_FINDING (object);

  switch (prop_id)
    {
    case PROP_RULE:
      g_value_set_string (value, self->rule);
      break;
    case PROP_SEVERITY:
      g_value_set_enum (value, self->severity);
      break;
    case PROP_FILE:
      g_value_set_string (value, self->file);
      break;
    case PROP_LINE:
      g_value_set_uint (value, self->line);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_STATEMENT_INDEX:
      g_value_set_uint (value, self->statement_index);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_SUGGESTION:
      g_value_set_string (value, self->suggestion);
      break;
    case PROP_SUPPRESSED:
      g_value_set_boolean (value, self->suppressed);
      break;
    case PROP_SUPPRESSION_REASON:
      g_value_set_string (value, self->suppression_reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_lint_finding_class_init (GanderLintFindingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_lint_finding_finalize;
  object_class->get_property = gander_lint_finding_get_property;

  /**
   * GanderLintFinding:rule:
   *
   * The rule's stable id (`destructive`, `parse-error`, …); see
   * gander_lint_list_rules().
   *
   * Since: 0.2
   */
  properties[PROP_RULE] =
    g_param_spec_string ("rule", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:severity:
   *
   * The severity the linter gave the rule (never
   * %GANDER_LINT_SEVERITY_OFF: a rule that is off reports nothing).
   *
   * Since: 0.2
   */
  properties[PROP_SEVERITY] =
    g_param_spec_enum ("severity", NULL, NULL,
                       GANDER_TYPE_LINT_SEVERITY, GANDER_LINT_SEVERITY_WARNING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:file:
   *
   * The file, as a user would type it.
   *
   * Since: 0.2
   */
  properties[PROP_FILE] =
    g_param_spec_string ("file", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:line:
   *
   * The 1-based line of the statement in the file (inside a
   * `StatementBegin` block, the line of the offending command), or 0 for
   * a finding about the whole file.
   *
   * Since: 0.2
   */
  properties[PROP_LINE] =
    g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:direction:
   *
   * The section the statement is in.
   *
   * Since: 0.2
   */
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       GANDER_TYPE_DIRECTION, GANDER_DIRECTION_UP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:statement-index:
   *
   * The 1-based number of the goose statement in its section (as in
   * Gander's run errors, "statement i of n"), or 0 for a finding about
   * the whole file.
   *
   * Since: 0.2
   */
  properties[PROP_STATEMENT_INDEX] =
    g_param_spec_uint ("statement-index", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:message:
   *
   * What is wrong and why it is dangerous, without the place.
   *
   * Since: 0.2
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:suggestion:
   *
   * The safe way to write it.
   *
   * Since: 0.2
   */
  properties[PROP_SUGGESTION] =
    g_param_spec_string ("suggestion", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:suppressed:
   *
   * Whether a `-- gander:lint-ignore` comment silenced the finding; a
   * suppressed finding never makes `gander lint` fail.
   *
   * Since: 0.2
   */
  properties[PROP_SUPPRESSED] =
    g_param_spec_boolean ("suppressed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderLintFinding:suppression-reason:
   *
   * The reason the suppression comment gave, when
   * #GanderLintFinding:suppressed is %TRUE; %NULL if it gave none.
   *
   * Since: 0.2
   */
  properties[PROP_SUPPRESSION_REASON] =
    g_param_spec_string ("suppression-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_lint_finding_init (GanderLintFinding *self)
{
}

GanderLintFinding *
gander_lint_finding_new (const char         *rule,
                         GanderLintSeverity  severity,
                         const char         *file,
                         guint               line,
                         GanderDirection     direction,
                         guint               statement_index,
                         const char         *message,
                         const char         *suggestion,
                         gboolean            suppressed,
                         const char         *suppression_reason)
{
  GanderLintFinding *self = g_object_new (GANDER_TYPE_LINT_FINDING, NULL);

  self->rule = g_strdup (rule);
  self->severity = severity;
  self->file = g_strdup (file);
  self->line = line;
  self->direction = direction;
  self->statement_index = statement_index;
  self->message = g_strdup (message);
  self->suggestion = g_strdup (suggestion);
  self->suppressed = suppressed;
  self->suppression_reason = g_strdup (suppression_reason);
  return self;
}

/**
 * gander_lint_finding_get_rule:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:rule.
 *
 * Returns: the rule id
 *
 * Since: 0.2
 */
const char *
gander_lint_finding_get_rule (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), NULL);
  return self->rule;
}

/**
 * gander_lint_finding_get_severity:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:severity.
 *
 * Returns: the severity
 *
 * Since: 0.2
 */
GanderLintSeverity
gander_lint_finding_get_severity (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), GANDER_LINT_SEVERITY_WARNING);
  return self->severity;
}

/**
 * gander_lint_finding_get_file:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:file.
 *
 * Returns: the file
 *
 * Since: 0.2
 */
const char *
gander_lint_finding_get_file (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), NULL);
  return self->file;
}

/**
 * gander_lint_finding_get_line:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:line.
 *
 * Returns: the 1-based line, or 0
 *
 * Since: 0.2
 */
guint
gander_lint_finding_get_line (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), 0);
  return self->line;
}

/**
 * gander_lint_finding_get_direction:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:direction.
 *
 * Returns: the section
 *
 * Since: 0.2
 */
GanderDirection
gander_lint_finding_get_direction (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), GANDER_DIRECTION_UP);
  return self->direction;
}

/**
 * gander_lint_finding_get_statement_index:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:statement-index.
 *
 * Returns: the 1-based statement number, or 0
 *
 * Since: 0.2
 */
guint
gander_lint_finding_get_statement_index (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), 0);
  return self->statement_index;
}

/**
 * gander_lint_finding_get_message:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:message.
 *
 * Returns: the message
 *
 * Since: 0.2
 */
const char *
gander_lint_finding_get_message (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), NULL);
  return self->message;
}

/**
 * gander_lint_finding_get_suggestion:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:suggestion.
 *
 * Returns: (nullable): the safe rewrite
 *
 * Since: 0.2
 */
const char *
gander_lint_finding_get_suggestion (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), NULL);
  return self->suggestion;
}

/**
 * gander_lint_finding_get_suppressed:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:suppressed.
 *
 * Returns: whether a comment silenced the finding
 *
 * Since: 0.2
 */
gboolean
gander_lint_finding_get_suppressed (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), FALSE);
  return self->suppressed;
}

/**
 * gander_lint_finding_get_suppression_reason:
 * @self: a #GanderLintFinding
 *
 * Gets #GanderLintFinding:suppression-reason.
 *
 * Returns: (nullable): the reason given in the suppression comment
 *
 * Since: 0.2
 */
const char *
gander_lint_finding_get_suppression_reason (GanderLintFinding *self)
{
  g_return_val_if_fail (GANDER_IS_LINT_FINDING (self), NULL);
  return self->suppression_reason;
}
