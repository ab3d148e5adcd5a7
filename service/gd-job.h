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

/* Takes a new id from the daemon; State "waiting-auth" until
 * gd_job_authorised() … the owner of the flow decides. Emits the GObject
 * signal "finished" (no arguments) once, after Completed went out. */
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
GdProfile      *gd_job_get_profile      (GdJob            *self);
const GdCaller *gd_job_get_caller       (GdJob            *self);
GanderOperation gd_job_get_operation    (GdJob            *self);
gboolean        gd_job_is_finished      (GdJob            *self);

/* queued → running: gets a manager from the profile, runs
 * gander_manager_execute_async(), maps the manager's step/fraction and the
 * migrator's migration-started/-finished to properties and signals. */
void            gd_job_start            (GdJob            *self);
void            gd_job_set_queued       (GdJob            *self);
void            gd_job_cancel           (GdJob            *self);

G_END_DECLS
