/* metrics-writer.c: records the metrics of a made-up run and writes them
 * with gander_metrics_write_textfile(), as `gander --metrics-file` does;
 * test-metrics-textfile.py checks the files it leaves.
 *
 *   metrics-writer PATH SCHEMA_VERSION [ROUNDS]
 *
 * Each round records the same amounts and writes PATH once. Exit status 1
 * with the error on stderr when a write fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "gander.h"

static void
record_run (GanderMetrics *metrics,
            const char    *profile,
            const char    *environment,
            double         schema_version)
{
  const char * const base[] = { "profile", profile, "environment", environment, NULL };
  const char * const up[] = { "profile", profile, "environment", environment, "direction", "up", NULL };
  const char * const down[] = { "profile", profile, "environment", environment, "direction", "down", NULL };
  const char * const failed[] = {
    "profile", profile, "environment", environment, "direction", "up", "error", "sql", NULL
  };
  const char * const locked[] = { "profile", profile, "environment", environment, "reason", "locked", NULL };
  const char * const ok[] = { "profile", profile, "environment", environment, "result", "ok", NULL };
  const char * const run[] = {
    "profile", profile, "environment", environment, "operation", "up", "result", "ok", NULL
  };

  gander_metrics_inc (metrics, "gander_migrations_applied_total", up, 3);
  gander_metrics_inc (metrics, "gander_migrations_applied_total", down, 1);
  gander_metrics_inc (metrics, "gander_migrations_failed_total", failed, 1);
  gander_metrics_inc (metrics, "gander_migrations_rolled_back_total", base, 1);
  gander_metrics_inc (metrics, "gander_retries_total", locked, 2);
  gander_metrics_set (metrics, "gander_schema_version", base, schema_version);
  gander_metrics_set (metrics, "gander_migrations_pending", base, 0);
  gander_metrics_set (metrics, "gander_dirty", base, 0);
  gander_metrics_set (metrics, "gander_circuit_breaker_state", base, 0);
  gander_metrics_set (metrics, "gander_last_success_timestamp_seconds", base, 1764500000.5);
  gander_metrics_set (metrics, "gander_last_run_timestamp_seconds", ok, 1764500000.5);
  gander_metrics_observe (metrics, "gander_migration_duration_seconds", up, 0.003);
  gander_metrics_observe (metrics, "gander_migration_duration_seconds", up, 0.25);
  gander_metrics_observe (metrics, "gander_migration_duration_seconds", up, 42);
  gander_metrics_observe (metrics, "gander_migration_duration_seconds", down, 1000);
  gander_metrics_observe (metrics, "gander_run_duration_seconds", run, 1.5);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  double schema_version;
  guint rounds = 1;

  if (argc < 3 || argc > 4)
    {
      fprintf (stderr, "usage: %s PATH SCHEMA_VERSION [ROUNDS]\n", argv[0]);
      return 2;
    }
  schema_version = g_ascii_strtod (argv[2], NULL);
  if (argc == 4)
    rounds = (guint) g_ascii_strtoull (argv[3], NULL, 10);

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(GError) error = NULL;

      record_run (metrics, "app", "production", schema_version);
      record_run (metrics, "we\"ird\\pro\nfile", "staging", schema_version);
      record_run (metrics, "", "development", schema_version);
      if (!gander_metrics_write_textfile (metrics, argv[1], &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
    }
  return 0;
}
