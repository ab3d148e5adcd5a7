/* gd-manager.h: the Manager object at /org/gander/Migrator1 and the
 * profile store
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "daemon".
 */
#pragma once

#include <gio/gio.h>
#include "gd-types.h"
#include "gd-generated.h"

G_BEGIN_DECLS

#define GD_TYPE_MANAGER (gd_manager_get_type ())
G_DECLARE_FINAL_TYPE (GdManager, gd_manager, GD, MANAGER, GObject)

/* Reads gander.conf and the daemon's profile store and exports one
 * profile object each; a malformed file fails with GANDER_ERROR_CONFIG. */
GdManager       *gd_manager_new              (GdDaemon     *daemon,
                                              GError      **error);
GdBusManager    *gd_manager_get_iface        (GdManager    *self);
GdProfile       *gd_manager_lookup_profile   (GdManager    *self,
                                              const char   *name);
/* Manager.Jobs: the exported jobs' paths, oldest first */
void             gd_manager_set_job_paths    (GdManager    *self,
                                              const char * const *paths);
/* A profile's job ended: a profile that Reload or RemoveProfile dropped
 * while it was busy goes now. */
void             gd_manager_profile_idle     (GdManager    *self,
                                              GdProfile    *profile);
/* Unexports every profile (at exit). */
void             gd_manager_shutdown         (GdManager    *self);

G_END_DECLS
