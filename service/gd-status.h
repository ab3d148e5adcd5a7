/* gd-status.h: a profile's migration statuses, kept for Status and
 * StatusColumns
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A refresh reads the statuses in a worker thread and makes a GdStatus
 * there, with both answers packed. The main thread then owns it: while a
 * job runs, each finished migration updates its row, and the answers are
 * packed again when asked for, at most once per interval, so a client
 * that polls during a job does not make the daemon pack 1000 rows per
 * migration.
 */
#pragma once

#include <gander.h>

G_BEGIN_DECLS

/* StatusColumns' "flags" bits (documented in the XML) */
typedef enum {
  GD_STATUS_FLAG_NO_TRANSACTION    = 1 << 0,
  GD_STATUS_FLAG_CHECKSUM_DRIFT    = 1 << 1,
  GD_STATUS_FLAG_CHECKSUM_RECORDED = 1 << 2,
} GdStatusFlags;

typedef struct _GdStatus GdStatus;

/* @statuses: GanderMigrationStatus, oldest first (may be NULL: none).
 * Parses each migration once (for no-transaction) and packs both
 * answers; safe in a worker thread. */
GdStatus *gd_status_new          (GPtrArray  *statuses);
void      gd_status_free         (GdStatus   *self);

/* A migration of a running job finished: @up applied it (at @applied_at,
 * µs since the epoch), otherwise it was rolled back. Unknown versions are
 * ignored (the refresh after the job reads the truth). */
void      gd_status_mark         (GdStatus   *self,
                                  gint64      version,
                                  gboolean    up,
                                  gint64      applied_at);

/* Status's aa{sv} and StatusColumns' a{sv}, not floating, owned by
 * @self (ref them to keep them). After gd_status_mark() they are packed
 * again only when the last packing is @min_age_us old or older. */
GVariant *gd_status_get_rows     (GdStatus   *self,
                                  GTimeSpan   min_age_us);
GVariant *gd_status_get_columns  (GdStatus   *self,
                                  GTimeSpan   min_age_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdStatus, gd_status_free)

G_END_DECLS
