/* gander-cli-breaker.c: `breaker status` and `breaker reset`
 *
 * The circuit breaker of a database lives in a small state file (see
 * GanderCircuitBreaker); neither command connects to the database.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include "gander-cli-run.h"

static const char *
state_nick (GanderBreakerState state)
{
  switch (state)
    {
    case GANDER_BREAKER_STATE_OPEN: return "open";
    case GANDER_BREAKER_STATE_HALF_OPEN: return "half-open";
    case GANDER_BREAKER_STATE_CLOSED:
    default: return "closed";
    }
}

static char *
format_time (GDateTime *time)
{
  return time != NULL ? g_date_time_format_iso8601 (time) : NULL;
}

static int
print_state (CliRun               *run,
             GanderCircuitBreaker *breaker)
{
  GanderBreakerState state = gander_circuit_breaker_get_state (breaker);
  guint failures = gander_circuit_breaker_get_consecutive_failures (breaker);
  guint threshold = gander_circuit_breaker_get_threshold (breaker);
  g_autofree char *open_for = cli_go_duration_string (gander_circuit_breaker_get_open_duration (breaker) * 1000);
  g_autoptr(GDateTime) opened_at = gander_circuit_breaker_get_opened_at (breaker);
  g_autoptr(GDateTime) half_open_at = gander_circuit_breaker_get_half_open_at (breaker);
  g_autofree char *opened_text = format_time (opened_at);
  g_autofree char *half_open_text = format_time (half_open_at);

  if (threshold == 0)
    cli_log (_("breaker %s: %s, %u consecutive failed runs; it never opens in this "
               "environment (breaker-threshold 0)"),
             gander_circuit_breaker_get_key (breaker), state_nick (state), failures);
  else if (state == GANDER_BREAKER_STATE_OPEN)
    cli_log (_("breaker %s: open since %s after %u consecutive failed runs; "
               "it allows one trial run from %s (gander breaker reset closes it now)"),
             gander_circuit_breaker_get_key (breaker),
             opened_text != NULL ? opened_text : "?", failures,
             half_open_text != NULL ? half_open_text : "?");
  else
    cli_log (_("breaker %s: %s, %u of %u consecutive failed runs open it for %s"),
             gander_circuit_breaker_get_key (breaker), state_nick (state), failures,
             threshold, open_for);

  if (run->opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin (run->command);

      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, gander_circuit_breaker_get_key (breaker));
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, state_nick (state));
      json_builder_set_member_name (builder, "consecutive_failures");
      json_builder_add_int_value (builder, failures);
      json_builder_set_member_name (builder, "threshold");
      json_builder_add_int_value (builder, threshold);
      json_builder_set_member_name (builder, "open_duration_ms");
      json_builder_add_int_value (builder,
                                  cli_json_ms (gander_circuit_breaker_get_open_duration (breaker)));
      /* the state file keeps microseconds: so does the JSON */
      cli_json_add_time (builder, "opened_at", opened_at, TRUE);
      cli_json_add_time (builder, "half_open_at", half_open_at, TRUE);
      cli_json_end (builder, NULL);
    }
  return CLI_EXIT_OK;
}

/* Prints the breaker's state (--json: as JSON). */
int
cli_cmd_breaker (CliRun               *run,
                 GanderCircuitBreaker *breaker)
{
  return print_state (run, breaker);
}
