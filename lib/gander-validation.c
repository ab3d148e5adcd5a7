/* gander-validation.c: every problem of a set of migrations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-enum-types.h"
#include "gander-migration-private.h"
#include "gander-source-private.h"
#include "gander-sql-parser-private.h"
#include "gander-validation.h"
#include "gander-validation-private.h"

/**
 * GanderValidationIssue:
 *
 * One problem gander_source_validate() found: how bad it is, what kind of
 * problem, where (file, line, version, direction) and a message for a
 * person, which already names the place.
 *
 * Immutable once made, so it may be passed between threads.
 *
 * Since: 0.2
 */
struct _GanderValidationIssue
{
  GObject              parent_instance;

  GanderIssueSeverity  severity;
  GanderIssueKind      kind;
  char                *path;
  guint                line;
  gint64               version;
  gboolean             has_direction;
  GanderDirection      direction;
  char                *message;
};

G_DEFINE_FINAL_TYPE (GanderValidationIssue, gander_validation_issue, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEVERITY,
  PROP_KIND,
  PROP_PATH,
  PROP_LINE,
  PROP_VERSION,
  PROP_HAS_DIRECTION,
  PROP_DIRECTION,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_validation_issue_finalize (GObject *object)
{
  GanderValidationIssue *self = GANDER_VALIDATION_ISSUE (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (gander_validation_issue_parent_class)->finalize (object);
}

static void
gander_validation_issue_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  GanderValidationIssue *self = GANDER_VALIDATION_ISSUE (object);

  switch (prop_id)
    {
    case PROP_SEVERITY:
      g_value_set_enum (value, self->severity);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_LINE:
      g_value_set_uint (value, self->line);
      break;
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;
    case PROP_HAS_DIRECTION:
      g_value_set_boolean (value, self->has_direction);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_validation_issue_class_init (GanderValidationIssueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_validation_issue_finalize;
  object_class->get_property = gander_validation_issue_get_property;

  /**
   * GanderValidationIssue:severity:
   *
   * Whether the problem stops a run (an error) or only deserves a look.
   *
   * Since: 0.2
   */
  properties[PROP_SEVERITY] =
    g_param_spec_enum ("severity", NULL, NULL,
                       GANDER_TYPE_ISSUE_SEVERITY, GANDER_ISSUE_SEVERITY_ERROR,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:kind:
   *
   * What the problem is about; its nick is a stable name.
   *
   * Since: 0.2
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       GANDER_TYPE_ISSUE_KIND, GANDER_ISSUE_KIND_PARSE_ERROR,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:path:
   *
   * The file, as a user would type it (relative to the working directory
   * when below it; a URI for a resource); %NULL if the problem has no
   * file.
   *
   * Since: 0.2
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:line:
   *
   * The 1-based line in the file, or 0 when the problem is not on a line
   * (a file name, a missing section).
   *
   * Since: 0.2
   */
  properties[PROP_LINE] =
    g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:version:
   *
   * The version the file carries, or 0 when its name carries none.
   *
   * Since: 0.2
   */
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:has-direction:
   *
   * Whether the problem belongs to one section (then
   * #GanderValidationIssue:direction says which).
   *
   * Since: 0.2
   */
  properties[PROP_HAS_DIRECTION] =
    g_param_spec_boolean ("has-direction", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:direction:
   *
   * The section the problem belongs to, when
   * #GanderValidationIssue:has-direction is %TRUE.
   *
   * Since: 0.2
   */
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       GANDER_TYPE_DIRECTION, GANDER_DIRECTION_UP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderValidationIssue:message:
   *
   * The problem in words, naming its place (usually `FILE:LINE: …`).
   *
   * Since: 0.2
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_validation_issue_init (GanderValidationIssue *self)
{
}

GanderValidationIssue *
gander_validation_issue_new (GanderIssueSeverity  severity,
                             GanderIssueKind      kind,
                             const char          *path,
                             guint                line,
                             gint64               version,
                             gboolean             has_direction,
                             GanderDirection      direction,
                             const char          *message)
{
  GanderValidationIssue *self = g_object_new (GANDER_TYPE_VALIDATION_ISSUE, NULL);

  self->severity = severity;
  self->kind = kind;
  self->path = g_strdup (path);
  self->line = line;
  self->version = MAX (version, 0);
  self->has_direction = has_direction;
  self->direction = direction;
  self->message = g_strdup (message);
  return self;
}

/**
 * gander_validation_issue_get_severity:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:severity.
 *
 * Returns: the severity
 *
 * Since: 0.2
 */
GanderIssueSeverity
gander_validation_issue_get_severity (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), GANDER_ISSUE_SEVERITY_ERROR);

  return self->severity;
}

/**
 * gander_validation_issue_get_kind:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:kind.
 *
 * Returns: the kind of problem
 *
 * Since: 0.2
 */
GanderIssueKind
gander_validation_issue_get_kind (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), GANDER_ISSUE_KIND_PARSE_ERROR);

  return self->kind;
}

/**
 * gander_validation_issue_get_path:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:path.
 *
 * Returns: (nullable): the file, or %NULL
 *
 * Since: 0.2
 */
const char *
gander_validation_issue_get_path (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), NULL);

  return self->path;
}

/**
 * gander_validation_issue_get_line:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:line.
 *
 * Returns: the 1-based line, or 0
 *
 * Since: 0.2
 */
guint
gander_validation_issue_get_line (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), 0);

  return self->line;
}

/**
 * gander_validation_issue_get_version:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:version.
 *
 * Returns: the version, or 0
 *
 * Since: 0.2
 */
gint64
gander_validation_issue_get_version (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), 0);

  return self->version;
}

/**
 * gander_validation_issue_get_has_direction:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:has-direction.
 *
 * Returns: whether the problem belongs to one section
 *
 * Since: 0.2
 */
gboolean
gander_validation_issue_get_has_direction (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), FALSE);

  return self->has_direction;
}

/**
 * gander_validation_issue_get_direction:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:direction; meaningful only when
 * gander_validation_issue_get_has_direction() is %TRUE.
 *
 * Returns: the section
 *
 * Since: 0.2
 */
GanderDirection
gander_validation_issue_get_direction (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), GANDER_DIRECTION_UP);

  return self->direction;
}

/**
 * gander_validation_issue_get_message:
 * @self: a #GanderValidationIssue
 *
 * Gets #GanderValidationIssue:message.
 *
 * Returns: the message
 *
 * Since: 0.2
 */
const char *
gander_validation_issue_get_message (GanderValidationIssue *self)
{
  g_return_val_if_fail (GANDER_IS_VALIDATION_ISSUE (self), NULL);

  return self->message;
}

/* ---- validation ---- */

/* The line of a parse error, whose message reads `PATH:LINE: …`. */
static guint
line_of_message (const char *message,
                 const char *path)
{
  const char *p;
  guint64 line;

  if (path == NULL || !g_str_has_prefix (message, path) || message[strlen (path)] != ':')
    return 0;
  p = message + strlen (path) + 1;
  if (!g_ascii_isdigit (*p))
    return 0;
  line = g_ascii_strtoull (p, NULL, 10);
  return line <= G_MAXUINT ? (guint) line : 0;
}

static void
add_issue (GPtrArray           *issues,
           GanderValidateFlags  flags,
           GanderIssueSeverity  severity,
           GanderIssueKind      kind,
           const char          *path,
           guint                line,
           gint64               version,
           gboolean             has_direction,
           GanderDirection      direction,
           const char          *message)
{
  if (severity == GANDER_ISSUE_SEVERITY_WARNING && (flags & GANDER_VALIDATE_FLAGS_ERRORS_ONLY))
    return;
  g_ptr_array_add (issues, gander_validation_issue_new (severity, kind, path, line, version,
                                                        has_direction, direction, message));
}

/* Everything wrong with one file. FALSE only when cancelled. */
static gboolean
validate_migration (GanderMigration      *migration,
                    GanderValidateFlags   flags,
                    GPtrArray            *issues,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autofree char *path = gander_migration_dup_display_path (migration);
  gint64 version = gander_migration_get_version (migration);
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GanderParsedSql) down = NULL;
  GanderParsedSql *parsed[2];
  GanderParsedSql *any;
  g_autoptr(GHashTable) seen = NULL;

  if (g_cancellable_is_cancelled (cancellable))
    {
      gander_set_cancelled_error (error, _("validation of %s was cancelled"), path);
      return FALSE;
    }

  /* Reading first: a file that cannot be read has nothing else to say. */
  {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GBytes) bytes = gander_migration_load (migration, cancellable, &local_error);

    if (bytes == NULL)
      {
        if (gander_error_is_cancelled (local_error))
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        add_issue (issues, flags, GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_READ_ERROR,
                   path, 0, version, FALSE, GANDER_DIRECTION_UP, local_error->message);
        return TRUE;
      }
  }

  for (guint i = 0; i < 2; i++)
    {
      GanderDirection direction = i == 0 ? GANDER_DIRECTION_UP : GANDER_DIRECTION_DOWN;
      g_autoptr(GError) local_error = NULL;

      parsed[i] = gander_migration_parse (migration, direction, &local_error);
      if (i == 0)
        up = parsed[i];
      else
        down = parsed[i];
      if (parsed[i] != NULL)
        continue;
      if (g_error_matches (local_error, GANDER_ERROR, GANDER_ERROR_PARSE))
        add_issue (issues, flags, GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_PARSE_ERROR,
                   path, line_of_message (local_error->message, path), version,
                   TRUE, direction, local_error->message);
      else
        {
          /* read again after being let go, and changed meanwhile */
          add_issue (issues, flags, GANDER_ISSUE_SEVERITY_ERROR, GANDER_ISSUE_KIND_READ_ERROR,
                     path, 0, version, FALSE, GANDER_DIRECTION_UP, local_error->message);
          return TRUE;
        }
    }

  any = parsed[0] != NULL ? parsed[0] : parsed[1];
  if (any == NULL)
    return TRUE;   /* both errors already carry the quirks seen */

  /* Each section's result holds the quirks of both; each once. */
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < 2; i++)
    {
      const char * const *warnings;

      if (parsed[i] == NULL)
        continue;
      warnings = gander_parsed_sql_get_warnings (parsed[i]);
      for (guint w = 0; warnings[w] != NULL; w++)
        if (g_hash_table_add (seen, (gpointer) warnings[w]))
          add_issue (issues, flags, GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_GOOSE_QUIRK,
                     path, gander_parsed_sql_get_warning_line (parsed[i], w), version,
                     FALSE, GANDER_DIRECTION_UP, warnings[w]);
    }

  {
    GArray *lines = NULL;
    const char * const *unset = gander_parsed_sql_get_unset_variables (any, &lines);

    for (guint i = 0; unset[i] != NULL; i++)
      {
        guint line = g_array_index (lines, guint, i);
        g_autofree char *message =
          g_strdup_printf (_("%s:%u: $%s is not set: -- +goose ENVSUB ON replaces it "
                             "with nothing (goose does the same); set it, or give a "
                             "default with ${%s:-…}"),
                           path, line, unset[i], unset[i]);

        add_issue (issues, flags, GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_ENVSUB_UNSET,
                   path, line, version, FALSE, GANDER_DIRECTION_UP, message);
      }
  }

  if (!gander_parsed_sql_has_down_annotation (any))
    {
      g_autofree char *message =
        g_strdup_printf (_("%s: no '-- +goose Down' section: down cannot undo migration "
                           "%" PRId64 " (add an empty one to say that is meant)"),
                         path, version);

      add_issue (issues, flags, GANDER_ISSUE_SEVERITY_WARNING, GANDER_ISSUE_KIND_MISSING_DOWN,
                 path, 0, version, TRUE, GANDER_DIRECTION_DOWN, message);
    }
  return TRUE;
}

static int
compare_issue_paths (gconstpointer a,
                     gconstpointer b)
{
  GanderValidationIssue *ia = *(GanderValidationIssue * const *) a;
  GanderValidationIssue *ib = *(GanderValidationIssue * const *) b;

  return g_strcmp0 (ia->path, ib->path);
}

/**
 * gander_source_validate:
 * @self: a #GanderSource
 * @flags: what to report
 * @cancellable: (nullable): a #GCancellable, checked between files
 * @error: return location for a #GError
 *
 * Looks at every migration of @self and reports every problem found, not
 * only the first: parse errors of each section, files that cannot be
 * read, goose quirks (the parser's warnings), `-- +goose ENVSUB ON`
 * variables that are not set, missing Down sections; and, for a source
 * made with %GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS, what listing found:
 * duplicate versions, names without a version (under
 * %GANDER_SOURCE_FLAGS_STRICT), directories or FIFOs named like
 * migrations, Go migrations.
 *
 * The issues are ordered by file path, and within a file in the order
 * they were found (listing, then Up, then Down, then warnings). The
 * parsed sections stay cached in the migrations, so running @self
 * afterwards does not parse again.
 *
 * This reads every file: call it from a worker thread, or use
 * gander_source_validate_async().
 *
 * The array holds a reference on each issue and drops it when freed
 * (g_ptr_array_unref()).
 *
 * Returns: (transfer container) (element-type GanderValidationIssue): the
 *   issues, empty when there is nothing to say; %NULL only when cancelled
 *   (%G_IO_ERROR_CANCELLED)
 *
 * Since: 0.2
 */
GPtrArray *
gander_source_validate (GanderSource         *self,
                        GanderValidateFlags   flags,
                        GCancellable         *cancellable,
                        GError              **error)
{
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *problems;
  GPtrArray *duplicates;
  guint n;

  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  problems = gander_source_get_problems (self);
  for (guint i = 0; i < problems->len; i++)
    {
      GanderValidationIssue *issue = g_ptr_array_index (problems, i);

      if (issue->severity == GANDER_ISSUE_SEVERITY_ERROR ||
          !(flags & GANDER_VALIDATE_FLAGS_ERRORS_ONLY))
        g_ptr_array_add (issues, g_object_ref (issue));
    }

  n = gander_source_get_n_migrations (self);
  for (guint i = 0; i < n; i++)
    if (!validate_migration (gander_source_get_migration (self, i), flags, issues,
                             cancellable, error))
      return NULL;

  duplicates = gander_source_get_duplicates (self);
  for (guint i = 0; i < duplicates->len; i++)
    if (!validate_migration (g_ptr_array_index (duplicates, i), flags, issues,
                             cancellable, error))
      return NULL;

  /* stable: a file's issues keep the order they were found in */
  g_ptr_array_sort (issues, compare_issue_paths);
  return g_steal_pointer (&issues);
}

static void
validate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *issues = gander_source_validate (source_object,
                                              GPOINTER_TO_UINT (task_data),
                                              cancellable, &error);

  if (issues == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, issues, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * gander_source_validate_async:
 * @self: a #GanderSource
 * @flags: what to report
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done, in the
 *   thread-default main context of the caller
 * @user_data: data for @callback
 *
 * Runs gander_source_validate() in a worker thread.
 *
 * Since: 0.2
 */
void
gander_source_validate_async (GanderSource         *self,
                              GanderValidateFlags   flags,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GANDER_IS_SOURCE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gander_source_validate_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (flags), NULL);
  g_task_run_in_thread (task, validate_thread);
}

/**
 * gander_source_validate_finish:
 * @self: a #GanderSource
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gander_source_validate_async().
 *
 * Returns: (transfer container) (element-type GanderValidationIssue): the
 *   issues, or %NULL when cancelled
 *
 * Since: 0.2
 */
GPtrArray *
gander_source_validate_finish (GanderSource  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, gander_source_validate_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
