/* gd-job.h: one operation on one profile, exported as
 * /org/gander/Migrator1/jobs/N
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "jobs".
 */
#pragma once

#include <gio/gio.h>
#include "gd-types.h"
#include "gd-generated.h"

G_BEGIN_DECLS

#define GD_TYPE_JOB (gd_job_get_type ())
G_DECLARE_FINAL_TYPE (GdJob, gd_job, GD, JOB, GObject)

/* Takes a new id from the daemon (gd_daemon_next_job_id()) and holds the
 * daemon (gd_daemon_hold(); released once the job has finished). State
 * "waiting-auth" until the flow (gd-profile-jobs.c, which authorises the
 * caller BEFORE it creates a job) queues or starts it. The creator exports
 * it with gd_daemon_add_job(), which exports gd_job_get_object(); a
 * finished job removes itself with gd_daemon_remove_job() after
 * gd_daemon_get_job_keep_seconds(). Emits the GObject signal "finished"
 * (no arguments) once, after Completed went out. @timeout: a deadline for
 * the run (0: none). */
GdJob          *gd_job_new              (GdDaemon         *daemon,
                                         GdProfile        *profile,
                                         GanderOperation   operation,
                                         gint64            target,
                                         GanderRunOptions *options,
                                         const GdCaller   *caller,
                                         GTimeSpan         timeout);
guint           gd_job_get_id           (GdJob            *self);
const char     *gd_job_get_object_path  (GdJob            *self);
GdBusJob       *gd_job_get_iface        (GdJob            *self);
/* the object skeleton at gd_job_get_object_path() holding the Job
 * interface: what gd_daemon_add_job() exports */
GdBusObjectSkeleton *gd_job_get_object  (GdJob            *self);
GdProfile      *gd_job_get_profile      (GdJob            *self);
const GdCaller *gd_job_get_caller       (GdJob            *self);
GanderOperation gd_job_get_operation    (GdJob            *self);
gboolean        gd_job_is_finished      (GdJob            *self);

/* queued → running (makes the job its profile's active job if it is not
 * yet): gets a manager from the profile, runs
 * gander_manager_execute_async(), maps the manager's step/fraction and the
 * migrator's migration-started/-finished to properties and signals. */
void            gd_job_start            (GdJob            *self);
/* State "queued"; the caller also gd_profile_enqueue_job()s it */
void            gd_job_set_queued       (GdJob            *self);
/* Cancels without asking anyone (Cancel() authorises first): a queued job
 * is dequeued and finishes "cancelled" at once; a running one has its
 * GCancellable cancelled and finishes when the run returns. */
void            gd_job_cancel           (GdJob            *self);

G_END_DECLS
