/* test-config.c: profiles, environments, configuration files, durations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "gander.h"
#include "gander-duration-private.h"
#include "gander-profile-private.h"

/* --- durations --- */

static void
test_duration_parse (void)
{
  static const struct { const char *text; GTimeSpan span; } good[] = {
    { "0", 0 },
    { "-0", 0 },
    { "1s", G_TIME_SPAN_SECOND },
    { "1h30m", 90 * G_TIME_SPAN_MINUTE },
    { "500ms", 500 * G_TIME_SPAN_MILLISECOND },
    { "1.5s", 1500 * G_TIME_SPAN_MILLISECOND },
    { "2us", 2 },
    { "2\xc2\xb5s", 2 },
    { "500ns", 1 },       /* rounded up: never "no limit" */
    { "1500ns", 2 },
    { "-1s", -G_TIME_SPAN_SECOND },
    { "10m", 10 * G_TIME_SPAN_MINUTE },
  };
  static const struct { const char *text; const char *says; } bad[] = {
    { "5", "5s" },                 /* a bare number: suggest a unit */
    { "1h5", "unit" },
    { "1x", "“x”" },
    { "", "not a duration" },
    { "ten seconds", "not a duration" },
    { "99999999999999999999h", "not a duration" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      GTimeSpan span = -42;

      g_test_message ("%s", good[i].text);
      g_assert_true (gander_parse_duration (good[i].text, &span, &error));
      g_assert_no_error (error);
      g_assert_cmpint (span, ==, good[i].span);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      GTimeSpan span = -42;

      g_test_message ("%s", bad[i].text);
      g_assert_false (gander_parse_duration (bad[i].text, &span, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, bad[i].says));
      g_assert_cmpint (span, ==, -42);
    }
}

static void
test_duration_format (void)
{
  static const struct { GTimeSpan span; const char *text; } cases[] = {
    { 0, "0s" },
    { 1, "1\xc2\xb5s" },
    { 999, "999\xc2\xb5s" },
    { 1500, "1.5ms" },
    { 500 * G_TIME_SPAN_MILLISECOND, "500ms" },
    { G_TIME_SPAN_SECOND, "1s" },
    { 90 * G_TIME_SPAN_MINUTE, "1h30m0s" },
    { 10 * G_TIME_SPAN_MINUTE, "10m0s" },
    { 1500 * G_TIME_SPAN_MILLISECOND, "1.5s" },
    { -G_TIME_SPAN_SECOND, "-1s" },
    { G_MAXINT64, "2562047788h0m54.775807s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gander_format_duration (cases[i].span);
      GTimeSpan back;

      g_assert_cmpstr (text, ==, cases[i].text);
      /* what is printed parses back to the same span */
      if (cases[i].span != G_MAXINT64)
        {
          g_assert_true (gander_parse_duration (text, &back, NULL));
          g_assert_cmpint (back, ==, cases[i].span);
        }
    }
}

/* --- profiles --- */

#define assert_value(profile, key, value, origin) G_STMT_START { \
  g_assert_cmpstr (gander_profile_get ((profile), (key)), ==, (value)); \
  g_assert_cmpstr (gander_profile_get_origin ((profile), (key)), ==, (origin)); \
} G_STMT_END

static void
test_profile_defaults (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
  g_autoptr(GanderProfile) named = gander_profile_new ("alerts");

  g_assert_null (gander_profile_get_name (profile));
  g_assert_cmpstr (gander_profile_get_name (named), ==, "alerts");

  /* goose's behaviour */
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "development");
  g_assert_null (gander_profile_get_driver (profile));
  g_assert_null (gander_profile_get_dbstring (profile));
  g_assert_cmpstr (gander_profile_get_dir (profile), ==, ".");
  g_assert_null (gander_profile_get_table (profile));
  g_assert_false (gander_profile_get_allow_missing (profile));
  g_assert_true (gander_profile_get_auto_migrate (profile));
  g_assert_false (gander_profile_get_dry_run_first (profile));
  g_assert_cmpint (gander_profile_get_checksum_drift (profile), ==, GANDER_POLICY_LEVEL_WARN);
  g_assert_cmpint (gander_profile_get_unknown_target (profile), ==, GANDER_POLICY_LEVEL_WARN);
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 0);
  g_assert_cmpint (gander_profile_get_statement_timeout (profile), ==, 0);
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, -1);
  g_assert_cmpuint (gander_profile_get_retry_max_attempts (profile), ==, 1);
  g_assert_cmpuint (gander_profile_get_breaker_threshold (profile), ==, 0);
  g_assert_null (gander_profile_get_audit_log (profile));
  g_assert_null (gander_profile_get_metrics_file (profile));
  for (const char * const *c = (const char * const[]) { "up", "down", "reset", "clear-dirty", "breaker-reset", NULL }; *c != NULL; c++)
    {
      g_assert_true (gander_profile_command_allowed (profile, *c));
      g_assert_false (gander_profile_command_needs_confirmation (profile, *c));
    }

  assert_value (profile, "environment", "development", "built-in");
  assert_value (profile, "dir", ".", "built-in");
  assert_value (profile, "timeout", "0", "built-in");
  assert_value (profile, "checksum-drift", "warn", "built-in [environment development]");
  assert_value (profile, "driver", NULL, NULL);
  assert_value (profile, "lock-timeout", NULL, NULL);
  assert_value (profile, "no-such-key", NULL, NULL);
}

static void
test_profile_builtin_environments (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
  g_autoptr(GError) error = NULL;
  static const char * const confirmed[] = {
    "down", "down-to", "redo", "reset", "baseline", "breaker-reset",
    "clear-dirty", "accept-checksum", NULL
  };

  g_assert_true (gander_profile_set (profile, "environment", "staging", "--environment", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "staging");
  assert_value (profile, "environment", "staging", "--environment");
  g_assert_false (gander_profile_get_auto_migrate (profile));
  g_assert_true (gander_profile_get_dry_run_first (profile));
  g_assert_cmpint (gander_profile_get_checksum_drift (profile), ==, GANDER_POLICY_LEVEL_ERROR);
  g_assert_cmpint (gander_profile_get_unknown_target (profile), ==, GANDER_POLICY_LEVEL_ERROR);
  g_assert_cmpuint (gander_profile_get_retry_max_attempts (profile), ==, 3);
  g_assert_cmpint (gander_profile_get_retry_initial_delay (profile), ==, 500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (gander_profile_get_retry_max_delay (profile), ==, 30 * G_TIME_SPAN_SECOND);
  g_assert_cmpfloat (gander_profile_get_retry_multiplier (profile), ==, 2.0);
  g_assert_cmpuint (gander_profile_get_breaker_threshold (profile), ==, 3);
  g_assert_cmpint (gander_profile_get_breaker_open (profile), ==, 10 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 0);
  assert_value (profile, "lock-timeout", "10s", "built-in [environment staging]");
  for (guint i = 0; confirmed[i] != NULL; i++)
    {
      g_assert_true (gander_profile_command_allowed (profile, confirmed[i]));
      g_assert_true (gander_profile_command_needs_confirmation (profile, confirmed[i]));
    }
  g_assert_false (gander_profile_command_needs_confirmation (profile, "up"));
  g_assert_false (gander_profile_command_needs_confirmation (profile, "status"));

  g_assert_true (gander_profile_set (profile, "environment", "production", "--environment", &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 30 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (gander_profile_get_statement_timeout (profile), ==, 0);
  g_assert_true (gander_profile_command_needs_confirmation (profile, "down"));
  assert_value (profile, "timeout", "30m", "built-in [environment production]");
  assert_value (profile, "checksum-drift", "error", "built-in [environment production]");

  /* back to goose's behaviour: nothing of production is left */
  g_assert_true (gander_profile_set (profile, "environment", "development", "--environment", &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 0);
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, -1);
  g_assert_false (gander_profile_command_needs_confirmation (profile, "down"));
  assert_value (profile, "timeout", "0", "built-in");

  /* removing the explicit value falls back to the built-in one */
  g_assert_true (gander_profile_set (profile, "environment", "production", NULL, &error));
  assert_value (profile, "environment", "production", "gander_profile_set()");
  g_assert_true (gander_profile_set (profile, "environment", NULL, NULL, &error));
  g_assert_no_error (error);
  assert_value (profile, "environment", "development", "built-in");
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 0);
}

/* built-in < [gander] < environment < profile < environ < explicit */
static void
test_profile_precedence (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
  g_autoptr(GError) error = NULL;
  const char *envp[] = { "GOOSE_TABLE=env_table", NULL };

  /* statement-timeout: not set by any built-in environment */
  assert_value (profile, "statement-timeout", "0", "built-in");
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_GLOBAL, "statement-timeout", "1m",
                                              "/etc/gander/gander.conf:3 [gander]", &error));
  assert_value (profile, "statement-timeout", "1m", "/etc/gander/gander.conf:3 [gander]");
  g_assert_true (gander_profile_add_environment_value (profile, "development", "statement-timeout", "2m",
                                                       "/etc/gander/gander.conf:9 [environment development]", &error));
  assert_value (profile, "statement-timeout", "2m", "/etc/gander/gander.conf:9 [environment development]");
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "statement-timeout", "3m",
                                              "/etc/gander/gander.conf:20 [profile alerts]", &error));
  assert_value (profile, "statement-timeout", "3m", "/etc/gander/gander.conf:20 [profile alerts]");
  g_assert_true (gander_profile_set (profile, "statement-timeout", "4m", "--statement-timeout", &error));
  g_assert_no_error (error);
  assert_value (profile, "statement-timeout", "4m", "--statement-timeout");
  g_assert_cmpint (gander_profile_get_statement_timeout (profile), ==, 4 * G_TIME_SPAN_MINUTE);

  /* the table: [gander] < profile < environ < explicit */
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_GLOBAL, "table", "global_table", "g", &error));
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "table", "profile_table", "p", &error));
  g_assert_cmpstr (gander_profile_get_table (profile), ==, "profile_table");
  g_assert_true (gander_profile_apply_environ (profile, envp, &error));
  g_assert_no_error (error);
  assert_value (profile, "table", "env_table", "GOOSE_TABLE");
  g_assert_true (gander_profile_set (profile, "table", "flag_table", "--table", &error));
  assert_value (profile, "table", "flag_table", "--table");

  /* a built-in environment beats [gander]; the profile beats both */
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_GLOBAL, "checksum-drift", "ignore", "g", &error));
  assert_value (profile, "checksum-drift", "warn", "built-in [environment development]");
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "checksum-drift", "Error", "p", &error));
  assert_value (profile, "checksum-drift", "error", "p");

  /* a change of environment keeps what is set above the environment */
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "lock-timeout", "5s", "p", &error));
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "environment", "production", "p", &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, 5 * G_TIME_SPAN_SECOND);
  assert_value (profile, "checksum-drift", "error", "p");
  assert_value (profile, "timeout", "30m", "built-in [environment production]");
  /* the development group of the file no longer applies */
  assert_value (profile, "statement-timeout", "4m", "--statement-timeout");
  g_assert_true (gander_profile_set (profile, "statement-timeout", NULL, NULL, &error));
  assert_value (profile, "statement-timeout", "3m", "/etc/gander/gander.conf:20 [profile alerts]");
  g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "statement-timeout", NULL, NULL, &error));
  assert_value (profile, "statement-timeout", "1m", "/etc/gander/gander.conf:3 [gander]");
  g_assert_no_error (error);
}

static void
test_profile_file_environments (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
  g_autoptr(GError) error = NULL;

  /* a file's [environment production] adds to the built-in one */
  g_assert_true (gander_profile_add_environment_value (profile, "production", "timeout", "1h",
                                                       "/etc/gander/gander.conf:7 [environment production]", &error));
  /* a new environment starts from the built-in defaults */
  g_assert_true (gander_profile_add_environment_value (profile, "canary", "require-confirmation", "down;repair",
                                                       "/etc/gander/conf.d/10-canary.conf:2 [environment canary]", &error));
  g_assert_no_error (error);

  g_assert_true (gander_profile_set (profile, "environment", "production", "--environment", &error));
  assert_value (profile, "timeout", "1h", "/etc/gander/gander.conf:7 [environment production]");
  assert_value (profile, "checksum-drift", "error", "built-in [environment production]");

  g_assert_true (gander_profile_set (profile, "environment", "canary", "--environment", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "canary");
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 0);
  g_assert_true (gander_profile_command_needs_confirmation (profile, "clear-dirty"));
  g_assert_true (gander_profile_command_needs_confirmation (profile, "accept-checksum"));
  g_assert_false (gander_profile_command_needs_confirmation (profile, "reset"));
  g_assert_cmpint (gander_profile_get_checksum_drift (profile), ==, GANDER_POLICY_LEVEL_WARN);

  /* a value added to the current environment applies at once */
  g_assert_true (gander_profile_add_environment_value (profile, "canary", "checksum-drift", "ignore", "c", &error));
  assert_value (profile, "checksum-drift", "ignore", "c");

  /* unknown: the nearest name, and the list */
  g_assert_false (gander_profile_set (profile, "environment", "prodution", "--environment", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "--environment"));
  g_assert_nonnull (strstr (error->message, "did you mean “production”?"));
  g_assert_nonnull (strstr (error->message, "canary"));
  g_clear_error (&error);
  g_assert_false (gander_profile_set (profile, "environment", "qa", "GANDER_ENVIRONMENT", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_null (strstr (error->message, "did you mean"));
  g_clear_error (&error);
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "canary");

  /* keys that make no sense in an environment */
  g_assert_false (gander_profile_add_environment_value (profile, "canary", "environment", "production", "x:1", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (gander_profile_add_environment_value (profile, "canary", "dbstring", "/tmp/a.db", "x:2", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "x:2"));
  g_assert_nonnull (strstr (error->message, "[profile NAME]"));
}

static void
test_profile_unknown_key (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (gander_profile_set (profile, "lock-timout", "5s", "--lock-timout", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "--lock-timout"));
  g_assert_nonnull (strstr (error->message, "did you mean “lock-timeout”?"));
  g_clear_error (&error);

  g_assert_false (gander_profile_set (profile, "allow_missing", "true", "x", &error));
  g_assert_nonnull (strstr (error->message, "“allow-missing”"));
  g_clear_error (&error);

  g_assert_false (gander_profile_set (profile, "password", "secret", "x", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);

  g_assert_false (gander_profile_set (profile, "zzzzzzzzzz", "1", "x", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_null (strstr (error->message, "did you mean"));
}

static void
test_profile_bad_values (void)
{
  static const struct { const char *key, *value, *says; } bad[] = {
    { "allow-missing", "maybe", "true or false" },
    { "auto-migrate", "", "true or false" },
    { "checksum-drift", "fatal", "ignore, warn or error" },
    { "unknown-target", "ignore", "warn or error" },
    { "timeout", "30", "30s" },
    { "lock-timeout", "10 s", "not a duration" },
    { "breaker-open", "1y", "“y”" },
    { "statement-timeout", "-5s", "negative" },
    { "retry-max-attempts", "0", "at least 1" },
    { "retry-max-attempts", "three", "at least 1" },
    { "breaker-threshold", "-1", "whole number" },
    { "retry-multiplier", "0.5", "from 1" },
    { "retry-multiplier", "2x", "from 1" },
    { "driver", "postgress", "did you mean “postgres”?" },
    { "driver", "mysql", "sqlite3 and postgres" },
    { "table", "bad table;", "table" },
    { "allow-commands", "", "“all”" },
    { "allow-commands", "up;donw", "did you mean “down”?" },
    { "require-confirmation", "down;frobnicate", "unknown command “frobnicate”" },
  };
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *before = gander_profile_get (profile, bad[i].key);
      g_autofree char *kept = g_strdup (before);

      g_test_message ("%s=%s", bad[i].key, bad[i].value);
      g_assert_false (gander_profile_set (profile, bad[i].key, bad[i].value, "f.conf:4 [profile p]", &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "f.conf:4 [profile p]"));
      g_assert_nonnull (strstr (error->message, bad[i].key));
      g_assert_nonnull (strstr (error->message, bad[i].says));
      /* a refused value changes nothing */
      g_assert_cmpstr (gander_profile_get (profile, bad[i].key), ==, kept);
    }
}

static void
test_profile_values_normalized (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_profile_set (profile, "allow-missing", "Yes", "x", &error));
  g_assert_cmpstr (gander_profile_get (profile, "allow-missing"), ==, "true");
  g_assert_true (gander_profile_get_allow_missing (profile));
  g_assert_true (gander_profile_set (profile, "auto-migrate", " off ", "x", &error));
  g_assert_false (gander_profile_get_auto_migrate (profile));
  g_assert_true (gander_profile_set (profile, "dry-run-first", "1", "x", &error));
  g_assert_true (gander_profile_get_dry_run_first (profile));
  g_assert_true (gander_profile_set (profile, "checksum-drift", "IGNORE", "x", &error));
  g_assert_cmpint (gander_profile_get_checksum_drift (profile), ==, GANDER_POLICY_LEVEL_IGNORE);
  g_assert_true (gander_profile_set (profile, "unknown-target", "error", "x", &error));
  g_assert_cmpint (gander_profile_get_unknown_target (profile), ==, GANDER_POLICY_LEVEL_ERROR);
  g_assert_true (gander_profile_set (profile, "timeout", "1h30m", "x", &error));
  g_assert_cmpstr (gander_profile_get (profile, "timeout"), ==, "1h30m");
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 90 * G_TIME_SPAN_MINUTE);
  g_assert_true (gander_profile_set (profile, "lock-timeout", "0", "x", &error));
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, 0);
  g_assert_true (gander_profile_set (profile, "lock-timeout", "", "x", &error));
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, -1);
  g_assert_true (gander_profile_set (profile, "retry-max-attempts", "5", "x", &error));
  g_assert_cmpuint (gander_profile_get_retry_max_attempts (profile), ==, 5);
  g_assert_true (gander_profile_set (profile, "retry-initial-delay", "250ms", "x", &error));
  g_assert_cmpint (gander_profile_get_retry_initial_delay (profile), ==, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (gander_profile_set (profile, "retry-max-delay", "1m", "x", &error));
  g_assert_cmpint (gander_profile_get_retry_max_delay (profile), ==, G_TIME_SPAN_MINUTE);
  g_assert_true (gander_profile_set (profile, "retry-multiplier", "1.5", "x", &error));
  g_assert_cmpfloat (gander_profile_get_retry_multiplier (profile), ==, 1.5);
  g_assert_true (gander_profile_set (profile, "breaker-threshold", "7", "x", &error));
  g_assert_cmpuint (gander_profile_get_breaker_threshold (profile), ==, 7);
  g_assert_true (gander_profile_set (profile, "breaker-open", "90s", "x", &error));
  g_assert_cmpint (gander_profile_get_breaker_open (profile), ==, 90 * G_TIME_SPAN_SECOND);
  g_assert_true (gander_profile_set (profile, "audit-log", "/var/log/gander/audit.jsonl", "x", &error));
  g_assert_cmpstr (gander_profile_get_audit_log (profile), ==, "/var/log/gander/audit.jsonl");
  g_assert_true (gander_profile_set (profile, "audit-log", "", "x", &error));
  g_assert_null (gander_profile_get_audit_log (profile));
  g_assert_true (gander_profile_set (profile, "metrics-file", "/tmp/g.prom", "x", &error));
  g_assert_cmpstr (gander_profile_get_metrics_file (profile), ==, "/tmp/g.prom");
  g_assert_true (gander_profile_set (profile, "driver", "postgres", "x", &error));
  g_assert_cmpstr (gander_profile_get_driver (profile), ==, "postgres");
  g_assert_true (gander_profile_set (profile, "dir", "db/migrations", "x", &error));
  g_assert_cmpstr (gander_profile_get_dir (profile), ==, "db/migrations");
  g_assert_true (gander_profile_set (profile, "table", "public.goose_db_version", "x", &error));
  g_assert_cmpstr (gander_profile_get_table (profile), ==, "public.goose_db_version");
  g_assert_no_error (error);
}

static void
test_profile_commands (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_profile_set (profile, "allow-commands", "up; up-to ;status,version;repair", "x", &error));
  g_assert_no_error (error);
  g_assert_true (gander_profile_command_allowed (profile, "up"));
  g_assert_true (gander_profile_command_allowed (profile, "up-to"));
  g_assert_true (gander_profile_command_allowed (profile, "status"));
  g_assert_true (gander_profile_command_allowed (profile, "version"));
  g_assert_true (gander_profile_command_allowed (profile, "clear-dirty"));
  g_assert_true (gander_profile_command_allowed (profile, "accept-checksum"));
  g_assert_false (gander_profile_command_allowed (profile, "up-by-one"));
  g_assert_false (gander_profile_command_allowed (profile, "down"));
  g_assert_false (gander_profile_command_allowed (profile, "baseline"));
  g_assert_false (gander_profile_command_allowed (profile, "repair-everything"));

  g_assert_true (gander_profile_set (profile, "require-confirmation", "all", "x", &error));
  g_assert_true (gander_profile_command_needs_confirmation (profile, "status"));
  g_assert_true (gander_profile_set (profile, "require-confirmation", "clear-dirty", "x", &error));
  g_assert_true (gander_profile_command_needs_confirmation (profile, "clear-dirty"));
  g_assert_false (gander_profile_command_needs_confirmation (profile, "accept-checksum"));
  g_assert_true (gander_profile_set (profile, "require-confirmation", "", "x", &error));
  g_assert_false (gander_profile_command_needs_confirmation (profile, "reset"));
  g_assert_no_error (error);
}

static void
test_profile_password_refused (void)
{
  static const char * const with_password[] = {
    "postgres://alerts:s3cr3t-pw@db.example.com:5432/alerts",
    "postgresql://alerts:s3cr3t-pw@/alerts?host=/run/postgresql",
    "postgres://db.example.com/alerts?user=alerts&password=s3cr3t-pw",
    "host=/run/postgresql dbname=alerts user=alerts password=s3cr3t-pw",
    "host=db dbname=alerts password = 's3cr3t-pw with spaces' user=alerts",
    "password='s3cr3t-pw \\' quoted' dbname=alerts",
  };
  static const char * const without_password[] = {
    "postgres://alerts@db.example.com:5432/alerts?sslmode=require",
    "host=/run/postgresql dbname=alerts user=alerts",
    "host=db application_name='password=not-a-key' dbname=alerts",
    "/var/lib/alerts/password=x.db",
    "file:alerts.db?mode=ro",
    "./app.db",
  };
  g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");

  for (guint i = 0; i < G_N_ELEMENTS (with_password); i++)
    {
      for (GanderLayer layer = GANDER_LAYER_GLOBAL; layer <= GANDER_LAYER_PROFILE; layer++)
        {
          g_autoptr(GError) error = NULL;

          if (layer == GANDER_LAYER_ENVIRONMENT)
            g_assert_false (gander_profile_add_environment_value (profile, "production", "dbstring", with_password[i],
                                                                  "/etc/gander/gander.conf:5 [environment production]", &error));
          else
            g_assert_false (gander_profile_set_at_layer (profile, layer, "dbstring", with_password[i],
                                                         "/etc/gander/gander.conf:5 [profile alerts]", &error));
          g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
          g_test_message ("%s", error->message);
          g_assert_nonnull (strstr (error->message, "/etc/gander/gander.conf:5"));
          if (layer == GANDER_LAYER_PROFILE)
            {
              g_assert_nonnull (strstr (error->message, "password"));
              g_assert_nonnull (strstr (error->message, "~/.pgpass"));
              g_assert_nonnull (strstr (error->message, "PGPASSFILE"));
              g_assert_nonnull (strstr (error->message, "credential store"));
            }
          g_assert_null (strstr (error->message, "s3cr3t"));
        }
    }
  g_assert_null (gander_profile_get_dbstring (profile));

  for (guint i = 0; i < G_N_ELEMENTS (without_password); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gander_profile_set_at_layer (profile, GANDER_LAYER_PROFILE, "dbstring", without_password[i],
                                                  "f:1", &error));
      g_assert_no_error (error);
      g_assert_cmpstr (gander_profile_get_dbstring (profile), ==, without_password[i]);
    }

  /* goose's ways keep working: GOOSE_DBSTRING and explicit values */
  {
    g_autoptr(GError) error = NULL;
    const char *envp[] = { "GOOSE_DBSTRING=postgres://a:pw@h/db", NULL };

    g_assert_true (gander_profile_apply_environ (profile, envp, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (gander_profile_get_origin (profile, "dbstring"), ==, "GOOSE_DBSTRING");
    g_assert_true (gander_profile_set (profile, "dbstring", "user=a password=pw", "DBSTRING", &error));
    g_assert_no_error (error);
  }
}

static void
test_profile_environ (void)
{
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *envp[] = {
    "GANDER_ENVIRONMENT=staging",
    "GANDER_AUDIT_LOG=/var/log/gander/audit.jsonl",
    "GANDER_METRICS_FILE=/var/lib/node-exporter/gander.prom",
    "GOOSE_DRIVER=sqlite3",
    "GOOSE_DBSTRING=./app.db",
    "GOOSE_MIGRATION_DIR=db/migrations",
    "GOOSE_TABLE=",                 /* empty: unset, as goose reads it */
    "GANDER_LOCK_TIMEOUT=1s",       /* not one of ours */
    NULL
  };
  const char *bad_envp[] = { "GANDER_ENVIRONMENT=prod", NULL };
  const char *bad_driver[] = { "GOOSE_DRIVER=sqlite4", NULL };

  g_assert_true (gander_profile_apply_environ (profile, envp, &error));
  g_assert_no_error (error);
  assert_value (profile, "environment", "staging", "GANDER_ENVIRONMENT");
  assert_value (profile, "audit-log", "/var/log/gander/audit.jsonl", "GANDER_AUDIT_LOG");
  assert_value (profile, "metrics-file", "/var/lib/node-exporter/gander.prom", "GANDER_METRICS_FILE");
  assert_value (profile, "driver", "sqlite3", "GOOSE_DRIVER");
  assert_value (profile, "dbstring", "./app.db", "GOOSE_DBSTRING");
  assert_value (profile, "dir", "db/migrations", "GOOSE_MIGRATION_DIR");
  assert_value (profile, "table", NULL, NULL);
  assert_value (profile, "lock-timeout", "10s", "built-in [environment staging]");

  /* a flag beats the variable */
  g_assert_true (gander_profile_set (profile, "environment", "production", "--environment", &error));
  assert_value (profile, "environment", "production", "--environment");

  g_assert_false (gander_profile_apply_environ (profile, bad_envp, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "GANDER_ENVIRONMENT"));
  g_assert_nonnull (strstr (error->message, "“production”"));
  g_clear_error (&error);
  g_assert_false (gander_profile_apply_environ (profile, bad_driver, &error));
  g_assert_nonnull (strstr (error->message, "GOOSE_DRIVER"));
  g_clear_error (&error);

  /* NULL: this process's environment */
  g_setenv ("GOOSE_TABLE", "from_process", TRUE);
  g_assert_true (gander_profile_apply_environ (profile, NULL, &error));
  g_assert_no_error (error);
  g_unsetenv ("GOOSE_TABLE");
  assert_value (profile, "table", "from_process", "GOOSE_TABLE");
}

static void
test_profile_list_keys (void)
{
  static const char * const expected[] = {
    "allow-commands", "allow-missing", "audit-log", "auto-migrate",
    "breaker-open", "breaker-threshold", "checksum-drift", "dbstring", "dir",
    "driver", "dry-run-first", "environment", "lock-timeout", "metrics-file",
    "require-confirmation", "retry-initial-delay", "retry-max-attempts",
    "retry-max-delay", "retry-multiplier", "statement-timeout", "table",
    "timeout", "unknown-target", NULL
  };
  g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
  g_auto(GStrv) keys = gander_profile_list_keys (profile);

  g_assert_cmpstrv (keys, expected);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_assert_true (gander_profile_is_known_key (keys[i]));
      if (keys[i + 1] != NULL)
        g_assert_cmpint (strcmp (keys[i], keys[i + 1]), <, 0);
    }
  g_assert_false (gander_profile_is_known_key ("password"));
}

static void
test_profile_nearest (void)
{
  static const char * const words[] = { "development", "staging", "production", NULL };

  g_assert_cmpstr (gander_nearest_word ("prod", words), ==, "production");
  g_assert_cmpstr (gander_nearest_word ("stagign", words), ==, "staging");
  g_assert_cmpstr (gander_nearest_word ("Development", words), ==, "development");
  g_assert_null (gander_nearest_word ("qa", words));
  g_assert_null (gander_nearest_word ("x", words));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/config/duration/parse", test_duration_parse);
  g_test_add_func ("/config/duration/format", test_duration_format);
  g_test_add_func ("/config/profile/defaults", test_profile_defaults);
  g_test_add_func ("/config/profile/builtin-environments", test_profile_builtin_environments);
  g_test_add_func ("/config/profile/precedence", test_profile_precedence);
  g_test_add_func ("/config/profile/file-environments", test_profile_file_environments);
  g_test_add_func ("/config/profile/unknown-key", test_profile_unknown_key);
  g_test_add_func ("/config/profile/bad-values", test_profile_bad_values);
  g_test_add_func ("/config/profile/values-normalized", test_profile_values_normalized);
  g_test_add_func ("/config/profile/commands", test_profile_commands);
  g_test_add_func ("/config/profile/password-refused", test_profile_password_refused);
  g_test_add_func ("/config/profile/environ", test_profile_environ);
  g_test_add_func ("/config/profile/list-keys", test_profile_list_keys);
  g_test_add_func ("/config/profile/nearest", test_profile_nearest);

  return g_test_run ();
}
