/* gd-variant.c: libgander's result objects as D-Bus dictionaries
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gd-variant.h"

gint64
gd_variant_time (GDateTime *time)
{
  if (time == NULL)
    return 0;
  return g_date_time_to_unix (time) * G_USEC_PER_SEC +
         g_date_time_get_microsecond (time);
}

static const char *
enum_nick (GType type,
           int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  /* nicks live as long as the (static) class */
  return v != NULL ? v->value_nick : "unknown";
}

gboolean
gd_plan_operation_from_nick (const char          *nick,
                             GanderPlanOperation *operation)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GANDER_TYPE_PLAN_OPERATION);
  GEnumValue *v;

  if (nick == NULL)
    return FALSE;
  v = g_enum_get_value_by_nick (klass, nick);
  if (v == NULL)
    return FALSE;
  *operation = v->value;
  return TRUE;
}

static char *
file_path (GFile *file)
{
  return file != NULL ? g_file_get_path (file) : NULL;
}

GVariant *
gd_variant_new_plan (GanderPlan *plan)
{
  GVariantBuilder builder;
  guint n = plan != NULL ? gander_plan_get_n_steps (plan) : 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n; i++)
    {
      GanderPlanStep *step = gander_plan_get_step (plan, i);
      GanderMigration *migration = gander_plan_step_get_migration (step);
      const char * const *statements = gander_plan_step_get_statements (step);
      guint n_statements = gander_plan_step_get_n_statements (step);
      g_autofree char *path = migration != NULL ? file_path (gander_migration_get_file (migration)) : NULL;
      GVariantBuilder lines;

      g_variant_builder_init (&lines, G_VARIANT_TYPE ("au"));
      for (guint j = 0; j < n_statements; j++)
        g_variant_builder_add (&lines, "u", gander_plan_step_get_statement_line (step, j));

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "version",
                             g_variant_new_int64 (gander_plan_step_get_version (step)));
      g_variant_builder_add (&builder, "{sv}", "name",
                             g_variant_new_string (gander_plan_step_get_name (step) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "source",
                             g_variant_new_string (path != NULL ? path : ""));
      g_variant_builder_add (&builder, "{sv}", "direction",
                             g_variant_new_string (gander_direction_to_string (gander_plan_step_get_direction (step))));
      g_variant_builder_add (&builder, "{sv}", "no-transaction",
                             g_variant_new_boolean (!gander_plan_step_get_use_transaction (step)));
      g_variant_builder_add (&builder, "{sv}", "statements",
                             g_variant_new_strv (statements, statements != NULL ? (gssize) n_statements : 0));
      g_variant_builder_add (&builder, "{sv}", "lines", g_variant_builder_end (&lines));
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
gd_variant_new_health (GPtrArray *results)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      GanderHealthResult *result = g_ptr_array_index (results, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "name",
                             g_variant_new_string (gander_health_result_get_name (result) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "status",
                             g_variant_new_string (gander_health_status_to_string (gander_health_result_get_status (result))));
      g_variant_builder_add (&builder, "{sv}", "message",
                             g_variant_new_string (gander_health_result_get_message (result) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "duration",
                             g_variant_new_int64 (gander_health_result_get_duration (result)));
      g_variant_builder_add (&builder, "{sv}", "phase",
                             g_variant_new_string (gander_health_phase_to_string (gander_health_result_get_phase (result))));
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
gd_variant_new_backups (GPtrArray *backups)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; backups != NULL && i < backups->len; i++)
    {
      GanderBackupInfo *info = g_ptr_array_index (backups, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "id",
                             g_variant_new_string (gander_backup_info_get_id (info) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "file",
                             g_variant_new_string (gander_backup_info_get_path (info) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "created-at",
                             g_variant_new_int64 (gd_variant_time (gander_backup_info_get_created_at (info))));
      g_variant_builder_add (&builder, "{sv}", "version",
                             g_variant_new_int64 (gander_backup_info_get_version (info)));
      g_variant_builder_add (&builder, "{sv}", "size",
                             g_variant_new_uint64 (gander_backup_info_get_size (info)));
      g_variant_builder_add (&builder, "{sv}", "verified",
                             g_variant_new_boolean (gander_backup_info_get_verified (info)));
      g_variant_builder_add (&builder, "{sv}", "driver",
                             g_variant_new_string (gander_backup_info_get_driver (info) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "environment",
                             g_variant_new_string (gander_backup_info_get_environment (info) ?: ""));
      g_variant_builder_add (&builder, "{sv}", "sha256",
                             g_variant_new_string (gander_backup_info_get_sha256 (info) ?: ""));
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

void
gd_variant_add_finding (GVariantBuilder *builder,
                        const char      *severity,
                        const char      *rule,
                        const char      *message,
                        const char      *source,
                        guint            line,
                        gint64           version,
                        const char      *suggestion)
{
  g_variant_builder_open (builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (builder, "{sv}", "severity", g_variant_new_string (severity));
  g_variant_builder_add (builder, "{sv}", "rule", g_variant_new_string (rule ?: ""));
  g_variant_builder_add (builder, "{sv}", "message", g_variant_new_string (message ?: ""));
  g_variant_builder_add (builder, "{sv}", "source", g_variant_new_string (source ?: ""));
  g_variant_builder_add (builder, "{sv}", "line", g_variant_new_uint32 (line));
  g_variant_builder_add (builder, "{sv}", "version", g_variant_new_int64 (version));
  if (suggestion != NULL && *suggestion != '\0')
    g_variant_builder_add (builder, "{sv}", "suggestion", g_variant_new_string (suggestion));
  g_variant_builder_close (builder);
}

void
gd_variant_add_issue (GVariantBuilder       *builder,
                      GanderValidationIssue *issue)
{
  gd_variant_add_finding (builder,
                          gander_validation_issue_get_severity (issue) == GANDER_ISSUE_SEVERITY_ERROR
                            ? "error" : "warning",
                          enum_nick (GANDER_TYPE_ISSUE_KIND, gander_validation_issue_get_kind (issue)),
                          gander_validation_issue_get_message (issue),
                          gander_validation_issue_get_path (issue),
                          gander_validation_issue_get_line (issue),
                          gander_validation_issue_get_version (issue),
                          NULL);
}

void
gd_variant_add_lint_finding (GVariantBuilder   *builder,
                             GanderLintFinding *finding)
{
  const char *file = gander_lint_finding_get_file (finding);
  g_autofree char *base = file != NULL ? g_path_get_basename (file) : NULL;
  gint64 version = base != NULL ? gander_version_from_filename (base, NULL) : 0;
  GanderLintSeverity severity = gander_lint_finding_get_severity (finding);

  gd_variant_add_finding (builder,
                          severity == GANDER_LINT_SEVERITY_ERROR ? "error"
                          : severity == GANDER_LINT_SEVERITY_WARNING ? "warning" : "info",
                          gander_lint_finding_get_rule (finding),
                          gander_lint_finding_get_message (finding),
                          file,
                          gander_lint_finding_get_line (finding),
                          MAX (version, 0),
                          gander_lint_finding_get_suggestion (finding));
}
