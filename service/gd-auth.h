/* gd-auth.h: who may call what (polkit on the system bus, the daemon's
 * uid on the session bus)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "auth".
 */
#pragma once

#include <gio/gio.h>
#include "gd-types.h"

G_BEGIN_DECLS

#define GD_TYPE_AUTH (gd_auth_get_type ())
G_DECLARE_FINAL_TYPE (GdAuth, gd_auth, GD, AUTH, GObject)

/* polkit action ids (data/org.gander.Migrator1.policy) */
#define GD_ACTION_INSPECT              "org.gander.migrator1.inspect"
#define GD_ACTION_MIGRATE              "org.gander.migrator1.migrate"
#define GD_ACTION_MIGRATE_PRODUCTION   "org.gander.migrator1.migrate-production"
#define GD_ACTION_ROLLBACK             "org.gander.migrator1.rollback"
#define GD_ACTION_ROLLBACK_PRODUCTION  "org.gander.migrator1.rollback-production"
#define GD_ACTION_RESET                "org.gander.migrator1.reset"
#define GD_ACTION_REPAIR               "org.gander.migrator1.repair"
#define GD_ACTION_BACKUP               "org.gander.migrator1.backup"
#define GD_ACTION_RESTORE              "org.gander.migrator1.restore"
#define GD_ACTION_MANAGE_PROFILES      "org.gander.migrator1.manage-profiles"
#define GD_ACTION_MANAGE_CREDENTIALS   "org.gander.migrator1.manage-credentials"
#define GD_ACTION_CANCEL_JOB           "org.gander.migrator1.cancel-job"
#define GD_ACTION_CANCEL_JOB_OTHER     "org.gander.migrator1.cancel-job-other-user"

/* @bus: the connection the daemon serves (the system bus for polkit). */
GdAuth     *gd_auth_new                  (GDBusConnection       *bus,
                                          GdBusKind              kind);

/* The action a mutating operation needs: up/up-by-one/up-to → migrate,
 * down/down-to/redo → rollback (the -production variants when
 * @environment is "production"), reset → reset, baseline/clear-dirty/
 * accept-checksum/breaker-reset → repair, backup/prune-backups → backup,
 * restore → restore; read-only operations → inspect. */
const char *gd_auth_action_for_operation (GanderOperation        operation,
                                          const char            *environment);

/* Authorises the caller of @invocation for @action_id before any side
 * effect. Session bus: the caller's uid must be the daemon's uid (else
 * GANDER_ERROR_NOT_AUTHORIZED). System bus: uid 0 is allowed; anyone else
 * goes through polkit_authority_check_authorization() (asynchronous, with
 * details "profile" and "environment" when given, and user interaction
 * only when @interactive); no polkit answer → refused (fail closed).
 * The finish function returns the caller (uid, pid, sender) or NULL with
 * GANDER_ERROR_NOT_AUTHORIZED whose message names the action (and the
 * profile), or G_IO_ERROR_CANCELLED when @cancellable was cancelled.
 * Without interaction polkit has 25 s to answer (gd_auth_set_timeout()),
 * with it 5 minutes. A positive answer for GD_ACTION_INSPECT is reused for
 * 5 s for the same sender and profile; the caller's credentials are cached
 * until it leaves the bus. */
void        gd_auth_check_async          (GdAuth                *self,
                                          GDBusMethodInvocation *invocation,
                                          const char            *action_id,
                                          const char            *profile,
                                          const char            *environment,
                                          gboolean               interactive,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
GdCaller   *gd_auth_check_finish         (GdAuth                *self,
                                          GAsyncResult          *result,
                                          GError               **error);

/* The longest wait for polkit's answer to a check without user
 * interaction (default 25 s; 0 restores it); no answer by then is a
 * refusal. Interactive checks wait up to 5 minutes. */
void        gd_auth_set_timeout          (GdAuth                *self,
                                          guint                  timeout_ms);
/* How many callers' credentials are cached (for tests). */
guint       gd_auth_get_n_cached_callers (GdAuth                *self);

G_END_DECLS
