/* gd-types.h: types shared by gander-daemon's objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gander.h>

G_BEGIN_DECLS

/* Which bus the daemon serves. The session bus has no polkit: only callers
 * with the daemon's own uid are served. On the system bus every call is
 * authorised through polkit, failing closed (uid 0 callers excepted). */
typedef enum {
  GD_BUS_SESSION,
  GD_BUS_SYSTEM,
} GdBusKind;

/* Who called: filled from the bus (GetConnectionCredentials) before any
 * side effect. */
typedef struct {
  char    *sender;   /* unique bus name, ":1.42" */
  guint32  uid;
  guint32  pid;      /* 0 when the bus does not know it */
} GdCaller;

GdCaller *gd_caller_copy (const GdCaller *caller);
void      gd_caller_free (GdCaller       *caller);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdCaller, gd_caller_free)

typedef struct _GdDaemon      GdDaemon;
typedef struct _GdProfile     GdProfile;
typedef struct _GdJob         GdJob;
typedef struct _GdAuth        GdAuth;
typedef struct _GdCredentials GdCredentials;

G_END_DECLS
