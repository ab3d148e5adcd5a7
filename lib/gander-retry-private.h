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

/* Whether an attempt that failed with @error may run again. Its
 * @n_results migration results (0 when it failed before the first
 * migration: open, lock, tables — always safe) end with one that failed
 * (@last_failed; else the failure came after the last migration) and ran
 * in a transaction (@last_in_transaction).
 *
 * Only transient failures (gander_retry_reason()) are retried. RETRYABLE
 * and LOCKED come from the server, which rolled the transaction back. A
 * lost CONNECTION may have taken a COMMIT the server did run: a target
 * operation (up, up-to, down-to, reset) plans again from the state it
 * reads after reconnecting, which is safe; a @relative operation
 * (up-by-one, down, redo: "one more from wherever we are") never retries
 * it once a migration began, nor after any migration of the attempt
 * committed. A NO TRANSACTION migration that failed may have run
 * statements in autocommit and left its `running` marker: never. */
gboolean    gander_retry_decide          (const GError           *error,
                                          guint                   n_results,
                                          gboolean                last_failed,
                                          gboolean                last_in_transaction,
                                          gboolean                relative);

/* gander_retry_decide() for an attempt's GanderMigrationResults (NULL or
 * empty: it failed before its first migration). */
gboolean    gander_retry_attempt_may_retry (const GError         *error,
                                            GPtrArray            *results,
                                            gboolean              relative);

G_END_DECLS
