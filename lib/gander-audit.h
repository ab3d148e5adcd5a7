/* gander-audit.h: a tamper-evident audit log in JSON lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include "gander-version-macros.h"

G_BEGIN_DECLS

/**
 * GANDER_AUDIT_MESSAGE_ID:
 *
 * The journal `MESSAGE_ID` of every audit record #GanderAudit mirrors to
 * the systemd journal: `journalctl MESSAGE_ID=3ab2946215a84290a44eb9ee015afeba`
 * lists them all.
 *
 * Since: 0.2
 */
#define GANDER_AUDIT_MESSAGE_ID "3ab2946215a84290a44eb9ee015afeba"

#define GANDER_TYPE_AUDIT (gander_audit_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderAudit, gander_audit, GANDER, AUDIT, GObject)

GANDER_AVAILABLE_IN_0_2
GanderAudit *gander_audit_new          (const char   *path);
GANDER_AVAILABLE_IN_0_2
const char  *gander_audit_get_path     (GanderAudit  *self);
GANDER_AVAILABLE_IN_0_2
gboolean     gander_audit_append       (GanderAudit  *self,
                                        JsonObject   *record,
                                        GError      **error);
GANDER_AVAILABLE_IN_0_2
gboolean     gander_audit_sync         (GanderAudit  *self,
                                        GError      **error);
GANDER_AVAILABLE_IN_0_2
gboolean     gander_audit_verify_file  (const char   *path,
                                        guint        *n_records,
                                        guint        *first_bad_line,
                                        GError      **error);
GANDER_AVAILABLE_IN_0_2
JsonObject  *gander_audit_make_actor   (const char   *via,
                                        gint64        uid,
                                        gint64        pid);

/**
 * gander_audit_actor_new:
 *
 * The name the API contract gave gander_audit_make_actor(); the same
 * function.
 *
 * Since: 0.2
 */
#define gander_audit_actor_new gander_audit_make_actor

G_END_DECLS
