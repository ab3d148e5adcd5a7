/* gander-cli-run.h: what the database commands share (the files of the
 * tool that use libgander's types; gander-cli.h stays GLib-only for the
 * helper tests)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gander.h>
#include <json-glib/json-glib.h>

#include "gander-cli.h"

G_BEGIN_DECLS

/* One database command being run. */
typedef struct {
  CliOptions       *opts;
  const char       *command;
  CliCancel        *cancel;
  GCancellable     *cancellable;
  GanderDatabase   *database;
  GanderSource     *source;
  GanderMigrator   *migrator;
  GanderProfile    *profile;
  GanderManager    *manager;
  GanderRunOptions *options;
  gboolean          managed;   /* through the manager's pipeline */
  const char       *driver;
  const char       *dsn;
  GanderPlan       *plan;      /* dry-run-first: the plan shown before */
  GHashTable       *seen;      /* the warnings printed so far */
  GanderBackupInfo *backup;    /* restore: the backup named, looked up first */
  GanderRunReport  *report;    /* managed up/down family: what the run did */
} CliRun;

/* gander-cli-db.c */
int          cli_run_fail             (CliRun       *run,
                                       const GError *error,
                                       GPtrArray    *results);

/* gander-cli-json.c: the --json contract (docs/json.md) */
JsonBuilder *cli_json_begin           (const char   *command);
void         cli_json_end             (JsonBuilder  *builder,
                                       const char   *error_message);
void         cli_json_end_error       (JsonBuilder  *builder,
                                       const char   *code,
                                       const char   *message);
void         cli_json_end_gerror      (JsonBuilder  *builder,
                                       const GError *error);
const char  *cli_json_error_code      (const GError *error);
void         cli_json_add_error_object (JsonBuilder *builder,
                                        const char  *code,
                                        const char  *message);
char        *cli_json_time            (GDateTime    *time,
                                       gboolean      microseconds);
void         cli_json_add_time        (JsonBuilder  *builder,
                                       const char   *member,
                                       GDateTime    *time,
                                       gboolean      microseconds);
gint64       cli_json_ms              (GTimeSpan     span);
void         cli_json_add_current_version (JsonBuilder *builder,
                                           gboolean     known,
                                           gint64       version);
void         cli_json_add_results     (JsonBuilder  *builder,
                                       GPtrArray    *results);
JsonNode    *cli_json_backup_node     (GanderBackupInfo   *info);
JsonNode    *cli_json_health_node     (GanderHealthResult *result);

/* gander-cli-plan.c: a GanderPlan as text (a commented SQL script) or JSON. */
char       *cli_display_path          (const char          *dir,
                                       const char          *name);
const char *cli_plan_command_name     (GanderPlanOperation  operation);
gboolean    cli_plan_operation_from_command (const char          *command,
                                             GanderPlanOperation *operation);
char       *cli_plan_to_text          (GanderPlan          *plan,
                                       const char          *dir);
void        cli_plan_print_text       (GanderPlan          *plan,
                                       const char          *dir);
void        cli_plan_add_json_members (gpointer             builder,
                                       GanderPlan          *plan,
                                       const char          *dir);

const char  *cli_nearest_command      (const char   *word);
gboolean     cli_run_was_refused      (CliRun       *run,
                                       const GError *error);
int          cli_run_db_command       (CliOptions    *opts,
                                       GanderProfile *profile,
                                       const char    *driver,
                                       const char    *dsn,
                                       const char    *command,
                                       char         **argv);

/* gander-cli-repair.c */
int          cli_cmd_baseline_done    (CliRun     *run,
                                       gint64      version,
                                       GPtrArray  *recorded,
                                       gint64      current);
int          cli_cmd_clear_dirty_done (CliRun     *run,
                                       gint64      version,
                                       gboolean    mark_applied);
int          cli_cmd_accept_checksum_done (CliRun *run,
                                           gint64  version);

/* gander-cli-breaker.c */
int          cli_cmd_breaker          (CliRun               *run,
                                       GanderCircuitBreaker *breaker);

/* gander-cli-backup.c */
void         cli_log_backup_taken     (GanderBackupInfo *info);
void         cli_report_backup_and_health (CliRun          *run,
                                           GanderRunReport *report);
void         cli_json_add_backup_and_health (JsonBuilder     *builder,
                                             GanderRunReport *report);
int          cli_cmd_backups_list     (CliRun           *run);
GanderBackupInfo *cli_restore_lookup  (CliRun           *run,
                                       const char       *id,
                                       GError          **error);
char        *cli_restore_question     (CliRun           *run,
                                       GanderBackupInfo *info,
                                       const char       *name);
int          cli_cmd_backup_operation (CliRun           *run,
                                       GanderOperation   operation);

/* gander-cli-audit.c */
int          cli_cmd_audit            (CliOptions  *opts,
                                       char       **argv);

/* gander-cli-profile.c */
GanderProfile *cli_profile_build      (CliOptions  *opts,
                                       const char  *driver,
                                       const char  *dsn,
                                       const char  *dsn_origin,
                                       GStrv       *files,
                                       GError     **error);
gboolean     cli_profile_is_goose     (GanderProfile *profile);
int          cli_cmd_config           (CliOptions    *opts,
                                       GanderProfile *profile,
                                       const char * const *files);

G_END_DECLS
