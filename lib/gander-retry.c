/* gander-retry.c: which failures a run may retry, and when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-error.h"
#include "gander-migration-result.h"
#include "gander-sql-parser.h"
#include "gander-retry-private.h"

const char *
gander_retry_reason (const GError *error)
{
  if (error == NULL || error->domain != GANDER_ERROR)
    return NULL;
  switch (error->code)
    {
    case GANDER_ERROR_RETRYABLE:
      return "retryable";
    case GANDER_ERROR_LOCKED:
      return "locked";
    case GANDER_ERROR_CONNECTION:
      return "connection";
    default:
      return NULL;
    }
}

GTimeSpan
gander_retry_policy_cap (const GanderRetryPolicy *policy,
                         guint                    retry)
{
  double delay;

  g_return_val_if_fail (policy != NULL, 0);

  if (retry == 0 || policy->initial_delay <= 0)
    return 0;
  /* in double, stopping at the cap: a large multiplier or retry count
   * saturates, never overflows */
  delay = (double) policy->initial_delay;
  for (guint i = 1; i < retry && delay < (double) G_MAXINT64 / 2; i++)
    {
      delay *= MAX (policy->multiplier, 1.0);
      if (policy->max_delay > 0 && delay > (double) policy->max_delay)
        break;
    }
  if (policy->max_delay > 0 && delay > (double) policy->max_delay)
    return policy->max_delay;
  if (delay >= (double) G_MAXINT64 / 2)
    return G_MAXINT64 / 2;
  return (GTimeSpan) delay;
}

GTimeSpan
gander_retry_policy_delay (const GanderRetryPolicy *policy,
                           guint                    retry,
                           GRand                   *rand)
{
  GTimeSpan cap = gander_retry_policy_cap (policy, retry);
  double r;

  if (cap <= 0)
    return 0;
  r = rand != NULL ? g_rand_double (rand) : g_random_double ();
  return (GTimeSpan) (r * (double) cap);
}

static gboolean
ran_in_transaction (GanderMigrationResult *result)
{
  GanderMigration *migration = gander_migration_result_get_migration (result);
  g_autoptr(GanderParsedSql) parsed = NULL;

  /* The plan parsed this section before running it, so this reads the
   * cache; a section that cannot be parsed now is treated as the worst
   * case. */
  parsed = gander_migration_parse (migration,
                                   gander_migration_result_get_direction (result),
                                   NULL);
  return parsed != NULL && gander_parsed_sql_get_use_transaction (parsed);
}

gboolean
gander_retry_decide (const GError *error,
                     guint         n_results,
                     gboolean      last_failed,
                     gboolean      last_in_transaction,
                     gboolean      relative)
{
  if (gander_retry_reason (error) == NULL)
    return FALSE;
  if (n_results == 0)
    return TRUE;   /* failed before its first migration: open, lock, tables */

  if (relative)
    {
      /* A lost connection may have taken the COMMIT with it after the
       * server ran it: "one more" again could be one too many. */
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONNECTION))
        return FALSE;
      /* one of "one more" committed: a rerun would do another */
      if (n_results > 1 || !last_failed)
        return FALSE;
    }
  if (!last_failed)
    return TRUE;   /* a target operation: the failure came after the last migration */
  /* the server rolled the failed migration back (a target operation
   * plans again from the state read after reconnecting) */
  return last_in_transaction;
}

gboolean
gander_retry_attempt_may_retry (const GError *error,
                                GPtrArray    *results,
                                gboolean      relative)
{
  GanderMigrationResult *last = NULL;
  gboolean last_failed = FALSE;

  if (results != NULL && results->len > 0)
    {
      last = g_ptr_array_index (results, results->len - 1);
      last_failed = gander_migration_result_get_error (last) != NULL;
    }
  return gander_retry_decide (error, results != NULL ? results->len : 0, last_failed,
                              last_failed && ran_in_transaction (last), relative);
}
