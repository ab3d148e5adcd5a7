/* gander-profile.h: the effective settings for one database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"
#include "gander-backup.h"

G_BEGIN_DECLS

/**
 * GanderPolicyLevel:
 * @GANDER_POLICY_LEVEL_IGNORE: say nothing and go on
 * @GANDER_POLICY_LEVEL_WARN: warn and go on
 * @GANDER_POLICY_LEVEL_ERROR: refuse the run
 *
 * What a run does when a check finds something (the `checksum-drift` and
 * `unknown-target` settings). The nicks (`ignore`, `warn`, `error`) are the
 * values written in configuration files.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_POLICY_LEVEL_IGNORE,
  GANDER_POLICY_LEVEL_WARN,
  GANDER_POLICY_LEVEL_ERROR,
} GanderPolicyLevel;

/**
 * GanderBackupMode:
 * @GANDER_BACKUP_MODE_OFF: no backup
 * @GANDER_BACKUP_MODE_OPTIONAL: take one; if that fails, warn and go on
 * @GANDER_BACKUP_MODE_REQUIRED: take one; if that fails, refuse the run
 *
 * Whether a migration run that changes something takes a backup first
 * (the `backup` setting; the nicks `off`, `optional` and `required` are
 * the values written in configuration files).
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_BACKUP_MODE_OFF,
  GANDER_BACKUP_MODE_OPTIONAL,
  GANDER_BACKUP_MODE_REQUIRED,
} GanderBackupMode;

/**
 * GanderHealthRefuse:
 * @GANDER_HEALTH_REFUSE_FAIL: a failed check refuses the run
 * @GANDER_HEALTH_REFUSE_WARN: a failed check or a warning refuses the run
 * @GANDER_HEALTH_REFUSE_NEVER: no result refuses the run (each becomes a
 *   warning)
 *
 * What the health checks before a run refuse (the `health-before-refuse`
 * setting; nicks `fail`, `warn`, `never`).
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_HEALTH_REFUSE_FAIL,
  GANDER_HEALTH_REFUSE_WARN,
  GANDER_HEALTH_REFUSE_NEVER,
} GanderHealthRefuse;

/**
 * GanderLintMode:
 * @GANDER_LINT_MODE_OFF: a run does not lint
 * @GANDER_LINT_MODE_WARN: every finding of the migrations a run is about to
 *   run is a warning of the run, which goes on
 * @GANDER_LINT_MODE_ERROR: an error-severity finding refuses the run
 *   before anything is written (rule `lint`); warning-severity findings
 *   are warnings of the run
 *
 * What a #GanderManager run does with the lint findings of its pending
 * migrations (the `lint` setting; nicks `off`, `warn`, `error`).
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_LINT_MODE_OFF,
  GANDER_LINT_MODE_WARN,
  GANDER_LINT_MODE_ERROR,
} GanderLintMode;

#define GANDER_TYPE_PROFILE (gander_profile_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderProfile, gander_profile, GANDER, PROFILE, GObject)

GANDER_AVAILABLE_IN_0_2
GanderProfile *gander_profile_new                 (const char          *name);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_name            (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_set                 (GanderProfile       *self,
                                                   const char          *key,
                                                   const char          *value,
                                                   const char          *origin,
                                                   GError             **error);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get                 (GanderProfile       *self,
                                                   const char          *key);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_origin          (GanderProfile       *self,
                                                   const char          *key);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_list_keys           (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_apply_environ       (GanderProfile       *self,
                                                   const char * const  *envp,
                                                   GError             **error);

GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_driver          (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_dbstring        (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_dir             (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_table           (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_environment     (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_get_allow_missing   (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_command_allowed     (GanderProfile       *self,
                                                   const char          *command);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_command_needs_confirmation (GanderProfile *self,
                                                          const char    *command);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_get_auto_migrate    (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_get_dry_run_first   (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
GanderPolicyLevel gander_profile_get_checksum_drift (GanderProfile     *self);
GANDER_AVAILABLE_IN_0_2
GanderPolicyLevel gander_profile_get_unknown_target (GanderProfile     *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_timeout         (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_statement_timeout (GanderProfile     *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_lock_timeout    (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
guint          gander_profile_get_retry_max_attempts (GanderProfile    *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_retry_initial_delay (GanderProfile   *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_retry_max_delay (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
double         gander_profile_get_retry_multiplier (GanderProfile      *self);
GANDER_AVAILABLE_IN_0_2
guint          gander_profile_get_breaker_threshold (GanderProfile     *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_breaker_open    (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_audit_log       (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_metrics_file    (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
GanderBackupMode gander_profile_get_backup_mode   (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
GanderBackupVerify gander_profile_get_backup_verify (GanderProfile     *self);
GANDER_AVAILABLE_IN_0_2
guint          gander_profile_get_backup_keep     (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan      gander_profile_get_backup_max_age  (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
char          *gander_profile_get_backup_dir      (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
const char    *gander_profile_get_pg_bindir       (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_get_health_before   (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_get_health_after    (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
GanderHealthRefuse gander_profile_get_health_before_refuse (GanderProfile *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_profile_get_health_after_fail_run (GanderProfile *self);
GANDER_AVAILABLE_IN_0_2
double         gander_profile_get_free_space_factor (GanderProfile     *self);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_get_post_check_sql  (GanderProfile       *self);

GANDER_AVAILABLE_IN_0_2
GanderLintMode gander_profile_get_lint            (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_get_lint_disable    (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_get_lint_error      (GanderProfile       *self);
GANDER_AVAILABLE_IN_0_2
char         **gander_profile_get_lint_warn       (GanderProfile       *self);

G_END_DECLS
