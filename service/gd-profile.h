/* gd-profile.h: one profile's D-Bus object
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "daemon" (gd-profile.c: properties, Refresh, read-only
 * methods, SetPassword/ClearPassword); helper "jobs" owns
 * gd-profile-jobs.c (the mutating methods).
 */
#pragma once

#include <gio/gio.h>
#include "gd-types.h"
#include "gd-generated.h"

G_BEGIN_DECLS

#define GD_TYPE_PROFILE (gd_profile_get_type ())
G_DECLARE_FINAL_TYPE (GdProfile, gd_profile, GD, PROFILE, GObject)

/* @source: "config" or "daemon" */
GdProfile       *gd_profile_new                (GdDaemon       *daemon,
                                                GanderProfile  *profile,
                                                const char     *source);
GdDaemon        *gd_profile_get_daemon         (GdProfile      *self);
GanderProfile   *gd_profile_get_profile        (GdProfile      *self);
const char      *gd_profile_get_name           (GdProfile      *self);
const char      *gd_profile_get_environment    (GdProfile      *self);
const char      *gd_profile_get_object_path    (GdProfile      *self);
GdBusObjectSkeleton *gd_profile_get_object     (GdProfile      *self);
GdBusProfile    *gd_profile_get_iface          (GdProfile      *self);

/* Reload: new settings for the same name (@source "config" or "daemon");
 * the cached properties follow, the cached Status is dropped when they
 * changed. */
void             gd_profile_update             (GdProfile      *self,
                                                GanderProfile  *profile,
                                                const char     *source);

/* A fresh GanderManager for one run or query: built from the profile,
 * wired to the daemon's metrics, the profile's audit log and the
 * profile's persistent circuit breaker, with the stored password (looked
 * up through GdCredentials; may be asynchronous, hence the pair). One
 * manager per job; read-only methods may share one when idle. */
void             gd_profile_get_manager_async  (GdProfile      *self,
                                                GCancellable   *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer        user_data);
GanderManager   *gd_profile_get_manager_finish (GdProfile      *self,
                                                GAsyncResult   *result,
                                                GError        **error);

/* The running job (NULL when idle) and the queue behind it. Setting the
 * active job updates Busy and ActiveJob; clearing it starts the next
 * queued job, then refreshes the cached properties. */
GdJob           *gd_profile_get_active_job     (GdProfile      *self);
void             gd_profile_set_active_job     (GdProfile      *self,
                                                GdJob          *job);
void             gd_profile_enqueue_job        (GdProfile      *self,
                                                GdJob          *job);
/* removes a queued (not running) job; FALSE if it was not queued */
gboolean         gd_profile_dequeue_job        (GdProfile      *self,
                                                GdJob          *job);

/* Re-reads the database state into the cached properties (in a worker
 * thread; one PropertiesChanged). */
void             gd_profile_refresh            (GdProfile      *self);

/* gd-profile-jobs.c ("jobs"): connects the handle-up … handle-reset-breaker
 * signals of the profile's skeleton. Called once by gd_profile_new(). */
void             gd_profile_jobs_connect       (GdProfile      *self);

G_END_DECLS
