/* gander-retry-private.h: which failures a run may retry, and when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The profile's retry-* settings. */
typedef struct
{
  guint     max_attempts;    /* 1 = no retry */
  GTimeSpan initial_delay;
  GTimeSpan max_delay;       /* 0 = no cap */
  double    multiplier;
} GanderRetryPolicy;

/* The `reason` label of a transient failure — "retryable" (serialization
 * failure, deadlock), "locked" (lock timeout, SQLite busy) or
 * "connection" — or NULL when running the same thing again cannot help. */
const char *gander_retry_reason         (const GError            *error);

/* The longest wait before retry number @retry (1 = the first retry):
 * initial × multiplier^(retry−1), capped at max_delay. */
GTimeSpan   gander_retry_policy_cap     (const GanderRetryPolicy *policy,
                                         guint                    retry);

/* "Full jitter": a uniform draw in [0, cap], so that runners that failed
 * together do not come back together. @rand NULL: GLib's global one. */
GTimeSpan   gander_retry_policy_delay   (const GanderRetryPolicy *policy,
                                         guint                    retry,
                                         GRand                   *rand);

/* Whether the failed attempt whose migration results are @results (the
 * last one failed; none at all when it failed before the first migration)
 * left nothing behind that running it again could repeat: the failed
 * migration ran in a transaction (rolled back), and for a @relative
 * operation (up-by-one, down, redo: "one more from wherever we are") no
 * migration of the attempt committed. A NO TRANSACTION migration that
 * failed may have run statements in autocommit and left its `running`
 * marker: never clean. */
gboolean    gander_retry_attempt_is_clean (GPtrArray             *results,
                                           gboolean               relative);

G_END_DECLS
