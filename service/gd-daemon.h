/* gd-daemon.h: the daemon object: bus, object manager, profiles, jobs,
 * idle exit
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "daemon".
 */
#pragma once

#include <gio/gio.h>
#include "gd-types.h"
#include "gd-generated.h"   /* gdbus-codegen of data/org.gander.Migrator1.xml,
                               namespace GdBus, object manager on */

G_BEGIN_DECLS

#define GD_DAEMON_PATH          "/org/gander/Migrator1"
#define GD_DAEMON_PROFILES_PATH "/org/gander/Migrator1/profiles"
#define GD_DAEMON_JOBS_PATH     "/org/gander/Migrator1/jobs"
#define GD_JOB_KEEP_SECONDS     60

#define GD_TYPE_DAEMON (gd_daemon_get_type ())
G_DECLARE_FINAL_TYPE (GdDaemon, gd_daemon, GD, DAEMON, GObject)

GDBusConnection          *gd_daemon_get_connection     (GdDaemon  *self);
GdBusKind                 gd_daemon_get_bus_kind       (GdDaemon  *self);
GDBusObjectManagerServer *gd_daemon_get_object_manager (GdDaemon  *self);
GdAuth                   *gd_daemon_get_auth           (GdDaemon  *self);
GdCredentials            *gd_daemon_get_credentials    (GdDaemon  *self);
/* shared by every profile's manager (GetMetrics renders it) */
GanderMetrics            *gd_daemon_get_metrics        (GdDaemon  *self);
const char               *gd_daemon_get_state_dir      (GdDaemon  *self);
/* how long a finished job stays exported (--job-keep, default
 * GD_JOB_KEEP_SECONDS; tests use a short one) */
guint                     gd_daemon_get_job_keep_seconds (GdDaemon *self);

/* Job bookkeeping: ids count from 1 and are never reused; add exports the
 * job's object and adds it to Manager.Jobs; remove unexports it. Each
 * running or queued job holds the daemon (no idle exit). */
guint                     gd_daemon_next_job_id        (GdDaemon  *self);
void                      gd_daemon_add_job            (GdDaemon  *self,
                                                        GdJob     *job);
void                      gd_daemon_remove_job         (GdDaemon  *self,
                                                        GdJob     *job);
void                      gd_daemon_hold               (GdDaemon  *self);
void                      gd_daemon_release            (GdDaemon  *self);

/* Structured logging with journald fields GANDER_PROFILE, GANDER_JOB and
 * GANDER_OPERATION (each may be NULL: then left out). Never pass a
 * password or an unmasked DSN. Debug messages show with --verbose. */
void                      gd_log                       (GLogLevelFlags  level,
                                                        const char     *profile,
                                                        const char     *job,
                                                        const char     *operation,
                                                        const char     *format,
                                                        ...) G_GNUC_PRINTF (5, 6);

/* The Manager object (service/gd-manager.h) */
typedef struct _GdManager GdManager;
GdManager                *gd_daemon_get_manager        (GdDaemon  *self);

G_END_DECLS
