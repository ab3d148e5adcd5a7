/* gander-pipeline-audit.c: what a GanderManager run writes to the audit
 * log
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "gander-enum-types.h"
#include "gander-pipeline-private.h"

static void
set_error (JsonObject   *object,
           const GError *error)
{
  JsonObject *e;
  g_autofree char *dbus_name = NULL;
  const char *sqlstate;

  if (error == NULL)
    {
      json_object_set_null_member (object, "error");
      return;
    }
  e = json_object_new ();
  json_object_set_string_member (e, "code", gander_pipeline_error_label (error));
  dbus_name = g_dbus_error_encode_gerror (error);
  json_object_set_string_member (e, "dbus_name", dbus_name);
  json_object_set_string_member (e, "message", error->message);
  /* the PostgreSQL backend keeps "(SQLSTATE XXXXX)" in its messages */
  sqlstate = strstr (error->message, "(SQLSTATE ");
  if (sqlstate != NULL && strlen (sqlstate) >= 16 && sqlstate[15] == ')')
    {
      g_autofree char *code = g_strndup (sqlstate + 10, 5);
      json_object_set_string_member (e, "sqlstate", code);
    }
  else
    json_object_set_null_member (e, "sqlstate");
  json_object_set_object_member (object, "error", e);
}

static void
set_nullable_string (JsonObject *object,
                     const char *member,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

static void
set_version (JsonObject *object,
             const char *member,
             gint64      version)
{
  if (version >= 0)
    json_object_set_int_member (object, member, version);
  else
    json_object_set_null_member (object, member);
}

/* What every record of the run carries. */
static JsonObject *
record_new (GanderPipeline *p,
            const char     *event)
{
  GanderDatabase *database = gander_migrator_get_database (p->migrator);
  JsonObject *record = json_object_new ();
  JsonObject *actor = gander_audit_make_actor (p->via, p->actor_uid, p->actor_pid);

  json_object_set_string_member (record, "event", event);
  json_object_set_string_member (record, "run_id", gander_run_report_get_run_id (p->report));
  if (p->actor_name != NULL)
    json_object_set_string_member (actor, "name", p->actor_name);
  json_object_set_object_member (record, "actor", actor);
  json_object_set_string_member (record, "host", g_get_host_name ());
  json_object_set_string_member (record, "gander_version", PACKAGE_VERSION);
  set_nullable_string (record, "profile", gander_profile_get_name (p->profile));
  json_object_set_string_member (record, "environment",
                                 gander_profile_get_environment (p->profile));
  json_object_set_string_member (record, "driver", gander_database_get_dialect (database));
  /* read back masked: never the password */
  json_object_set_string_member (record, "dsn", gander_database_get_dsn (database));
  json_object_set_string_member (record, "table", gander_database_get_table_name (database));
  json_object_set_string_member (record, "operation", gander_operation_to_string (p->operation));
  json_object_set_boolean_member (record, "dry_run", p->dry_run);
  set_nullable_string (record, "reason", p->settings.reason);
  return record;
}

static JsonObject *
migration_object (GanderMigrationResult *result)
{
  GanderMigration *migration = gander_migration_result_get_migration (result);
  const GError *error = gander_migration_result_get_error (result);
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "version", gander_migration_result_get_version (result));
  json_object_set_string_member (object, "file", gander_migration_result_get_name (result));
  set_nullable_string (object, "sha256", gander_migration_get_checksum (migration, NULL));
  json_object_set_string_member (object, "direction",
                                 gander_pipeline_direction_label (gander_migration_result_get_direction (result)));
  json_object_set_int_member (object, "duration_ms",
                              gander_migration_result_get_duration_us (result) / 1000);
  json_object_set_string_member (object, "result", error == NULL ? "ok" : "failed");
  return object;
}

static void
append (GanderPipeline *p,
        JsonObject     *record)
{
  g_autoptr(GError) error = NULL;

  if (!gander_audit_append (p->audit, record, &error))
    {
      g_autofree char *message =
        g_strdup_printf (_("could not write the audit log %s: %s"),
                         gander_audit_get_path (p->audit) != NULL
                           ? gander_audit_get_path (p->audit) : "(journal)",
                         error->message);

      /* the run has happened: say so loudly, but do not undo it */
      g_warning ("%s", message);
      gander_run_report_add_warning (p->report, message);
      if (p->on_warning != NULL)
        p->on_warning (p, message, p->user_data);
    }
}

/* A backup's fields: what it is and how to find it (never the DSN: the
 * record's own `dsn` is the masked one). */
static void
set_backup (JsonObject       *record,
            GanderBackupInfo *info)
{
  g_autofree char *file = g_path_get_basename (gander_backup_info_get_path (info));
  GDateTime *created = gander_backup_info_get_created_at (info);
  g_autofree char *created_text = created != NULL
    ? g_date_time_format_iso8601 (created) : NULL;

  json_object_set_string_member (record, "id", gander_backup_info_get_id (info));
  json_object_set_string_member (record, "file", file);
  json_object_set_int_member (record, "size", (gint64) gander_backup_info_get_size (info));
  set_nullable_string (record, "sha256", gander_backup_info_get_sha256 (info));
  json_object_set_int_member (record, "version", gander_backup_info_get_version (info));
  set_nullable_string (record, "created_at", created_text);
}

void
gander_pipeline_audit_backup (GanderPipeline   *p,
                              GanderBackupInfo *info)
{
  g_autoptr(JsonObject) created = NULL;

  if (p->audit == NULL)
    return;
  created = record_new (p, "backup.created");
  set_backup (created, info);
  json_object_set_string_member (created, "directory",
                                 gander_backup_get_directory (p->backup_store));
  json_object_set_int_member (created, "duration_ms",
                              gander_backup_info_get_duration (info) / 1000);
  append (p, created);
  if (gander_backup_info_get_verified (info))
    {
      g_autoptr(JsonObject) verified = record_new (p, "backup.verified");

      set_backup (verified, info);
      set_nullable_string (verified, "verify_method",
                           gander_backup_info_get_verify_method (info));
      append (p, verified);
    }
}

void
gander_pipeline_audit_health (GanderPipeline *p,
                              GPtrArray      *results)
{
  if (p->audit == NULL)
    return;
  for (guint i = 0; i < results->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (results, i);
      g_autoptr(JsonObject) record = NULL;
      g_autoptr(GEnumClass) phases = NULL;
      GEnumValue *phase;

      if (gander_health_result_get_status (r) != GANDER_HEALTH_STATUS_FAIL)
        continue;
      phases = g_type_class_ref (GANDER_TYPE_HEALTH_PHASE);
      phase = g_enum_get_value (phases, gander_health_result_get_phase (r));
      record = record_new (p, "health.failed");
      json_object_set_string_member (record, "check", gander_health_result_get_name (r));
      json_object_set_string_member (record, "phase", phase != NULL ? phase->value_nick : "any");
      json_object_set_string_member (record, "message", gander_health_result_get_message (r));
      json_object_set_int_member (record, "duration_ms",
                                  gander_health_result_get_duration (r) / 1000);
      append (p, record);
    }
}

void
gander_pipeline_audit_start (GanderPipeline *p)
{
  g_autoptr(JsonObject) record = NULL;

  if (p->audit == NULL || p->audit_started)
    return;
  record = record_new (p, "run.start");
  set_version (record, "from_version", gander_run_report_get_from_version (p->report));
  set_version (record, "target_version", gander_run_report_get_target (p->report));
  append (p, record);
  p->audit_started = TRUE;
}

static void
record_audit (GanderPipeline *p)
{
  GanderRunReport *report = p->report;
  GanderRunOutcome outcome = gander_run_report_get_outcome (report);
  GPtrArray *results = gander_run_report_get_results (report);
  g_autoptr(JsonObject) record = NULL;
  JsonArray *migrations = json_array_new ();
  const char *event;

  switch (p->operation)
    {
    case GANDER_OPERATION_STATUS:
    case GANDER_OPERATION_VERSION:
    case GANDER_OPERATION_VALIDATE:
    case GANDER_OPERATION_HEALTH:
      /* reading changes nothing: only a refusal is worth a record (a
       * failed health check has its own, written when it ran) */
      if (outcome != GANDER_RUN_OUTCOME_REFUSED)
        {
          json_array_unref (migrations);
          return;
        }
      break;
    default:
      break;
    }

  if (outcome == GANDER_RUN_OUTCOME_REFUSED)
    event = "policy.refused";
  else if (p->operation == GANDER_OPERATION_BREAKER_RESET)
    event = "breaker.reset";
  else if (p->operation == GANDER_OPERATION_BASELINE ||
           p->operation == GANDER_OPERATION_CLEAR_DIRTY ||
           p->operation == GANDER_OPERATION_ACCEPT_CHECKSUM)
    event = "repair";
  else if (p->operation == GANDER_OPERATION_RESTORE)
    event = "restore";
  else
    event = "run.end";

  /* the backups pruned, by prune-backups or after a successful run (a
   * dry run's list is what would have been: nothing was removed) */
  if (!p->dry_run)
  {
    GPtrArray *pruned = gander_run_report_get_pruned (report);

    for (guint i = 0; i < pruned->len; i++)
      {
        g_autoptr(JsonObject) m = record_new (p, "backup.pruned");

        set_backup (m, g_ptr_array_index (pruned, i));
        append (p, m);
      }
  }

  /* one record per migration, in the order they ran */
  for (guint i = 0; i < results->len; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (results, i);
      const GError *error = gander_migration_result_get_error (r);
      g_autoptr(JsonObject) m = record_new (p, error == NULL ? "migration.applied"
                                                              : "migration.failed");
      JsonObject *migration = migration_object (r);
      GList *members = json_object_get_members (migration);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (m, l->data,
                                json_node_copy (json_object_get_member (migration, l->data)));
      g_list_free (members);
      set_error (m, error);
      append (p, m);
      json_array_add_object_element (migrations, migration);
    }

  record = record_new (p, event);
  set_version (record, "from_version", gander_run_report_get_from_version (report));
  set_version (record, "target_version", gander_run_report_get_target (report));
  set_version (record, "to_version", gander_run_report_get_to_version (report));
  json_object_set_array_member (record, "migrations", migrations);
  json_object_set_int_member (record, "retries", gander_run_report_get_retries (report));
  json_object_set_int_member (record, "duration_ms", gander_run_report_get_duration (report) / 1000);
  json_object_set_string_member (record, "result", gander_run_outcome_to_string (outcome));
  set_nullable_string (record, "rule", gander_run_report_get_refused_rule (report));
  set_error (record, gander_run_report_get_error (report));
  /* what the lint step found in the migrations the run was about to run */
  if (p->linted)
    {
      GPtrArray *lint = gander_run_report_get_lint_findings (report);
      JsonObject *summary = json_object_new ();
      JsonArray *findings = json_array_new ();
      guint errors = 0, warnings = 0, suppressed = 0;

      for (guint i = 0; i < lint->len; i++)
        {
          GanderLintFinding *f = g_ptr_array_index (lint, i);
          JsonObject *o = json_object_new ();

          if (gander_lint_finding_get_suppressed (f))
            suppressed++;
          else if (gander_lint_finding_get_severity (f) == GANDER_LINT_SEVERITY_ERROR)
            errors++;
          else
            warnings++;
          json_object_set_string_member (o, "file", gander_lint_finding_get_file (f));
          json_object_set_int_member (o, "line", gander_lint_finding_get_line (f));
          json_object_set_string_member (o, "direction",
                                         gander_pipeline_direction_label (gander_lint_finding_get_direction (f)));
          json_object_set_string_member (o, "rule", gander_lint_finding_get_rule (f));
          json_object_set_string_member (o, "severity", gander_pipeline_lint_severity_label (f));
          json_object_set_boolean_member (o, "suppressed", gander_lint_finding_get_suppressed (f));
          set_nullable_string (o, "suppression_reason",
                               gander_lint_finding_get_suppression_reason (f));
          json_array_add_object_element (findings, o);
        }
      json_object_set_int_member (summary, "errors", errors);
      json_object_set_int_member (summary, "warnings", warnings);
      json_object_set_int_member (summary, "suppressed", suppressed);
      json_object_set_array_member (summary, "findings", findings);
      json_object_set_object_member (record, "lint", summary);
    }
  /* the backup restored, or taken by this run */
  if (gander_run_report_get_backup (report) != NULL)
    {
      JsonObject *backup = json_object_new ();

      set_backup (backup, gander_run_report_get_backup (report));
      json_object_set_object_member (record, "backup", backup);
    }
  append (p, record);

  {
    g_autoptr(GError) error = NULL;

    if (!gander_audit_sync (p->audit, &error))
      g_warning ("could not sync the audit log: %s", error->message);
  }
}

void
gander_pipeline_record_audit (GanderPipeline *p)
{
  if (p->audit != NULL)
    record_audit (p);
}
