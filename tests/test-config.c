/* test-config.c: profiles, environments, configuration files, durations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gander.h"
#include "gander-duration-private.h"
#include "gander-profile-private.h"
#include "gander-test-util.h"

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
    { "require-confirmation", "down,frobnicate", "(known: up, up-by-one, " },
    { "lint-disable", "needs-no-transaction;vacuum", "unknown lint rule “vacuum” (the rules: " },
    { "lint-error", "needs-no-transactoin", "did you mean “needs-no-transaction”? (the rules: " },
    { "lint-warn", "needs-no-transaction, frobnicate", "unknown lint rule “frobnicate”" },
    { "backup", "mandatory", "off, optional, required" },
    { "backup", "requird", "did you mean “required”?" },
    { "backup-verify", "deep", "off, quick, full" },
    { "backup-keep", "-2", "whole number" },
    { "backup-max-age", "7d", "“d”" },
    { "health-before", "connectivity;writeable", "did you mean “writable”?" },
    { "health-before", "integrity", "unknown health check “integrity”" },
    { "health-after", "all;integrity", "stands alone" },
    { "health-after", "", "“none”" },
    { "health-before-refuse", "always", "fail, warn, never" },
    { "health-after-fail", "fail", "error, warn" },
    { "free-space-factor", "-1", "at least 0" },
    { "free-space-factor", "lots", "at least 0" },
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

/* Issue 9's keys: backups and health checks, per environment. */
static void
test_profile_backup_health (void)
{
  static const struct {
    const char        *environment;
    GanderBackupMode   mode;
    const char        *verify;
    GanderHealthRefuse refuse;
    gboolean           fail_run;
  } per_env[] = {
    { "development", GANDER_BACKUP_MODE_OFF, "quick", GANDER_HEALTH_REFUSE_FAIL, FALSE },
    { "staging", GANDER_BACKUP_MODE_OPTIONAL, "quick", GANDER_HEALTH_REFUSE_FAIL, FALSE },
    { "production", GANDER_BACKUP_MODE_REQUIRED, "full", GANDER_HEALTH_REFUSE_WARN, TRUE },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (per_env); i++)
    {
      g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
      g_auto(GStrv) before = NULL;
      g_auto(GStrv) after = NULL;
      g_auto(GStrv) sql = NULL;

      g_assert_true (gander_profile_set (profile, "environment", per_env[i].environment, "t", &error));
      g_assert_no_error (error);
      g_assert_cmpint (gander_profile_get_backup_mode (profile), ==, per_env[i].mode);
      g_assert_cmpstr (gander_profile_get (profile, "backup-verify"), ==, per_env[i].verify);
      g_assert_cmpint (gander_profile_get_health_before_refuse (profile), ==, per_env[i].refuse);
      g_assert_cmpint (gander_profile_get_health_after_fail_run (profile), ==, per_env[i].fail_run);
      g_assert_cmpuint (gander_profile_get_backup_keep (profile), ==, 10);
      g_assert_cmpint (gander_profile_get_backup_max_age (profile), ==, 0);
      g_assert_null (gander_profile_get_pg_bindir (profile));
      g_assert_cmpfloat (gander_profile_get_free_space_factor (profile), ==, 1.5);
      before = gander_profile_get_health_before (profile);
      after = gander_profile_get_health_after (profile);
      sql = gander_profile_get_post_check_sql (profile);
      g_assert_null (before);
      g_assert_null (after);
      g_assert_nonnull (sql);
      g_assert_cmpuint (g_strv_length (sql), ==, 0);
    }

  {
    g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
    g_auto(GStrv) before = NULL;
    g_auto(GStrv) after = NULL;
    g_auto(GStrv) sql = NULL;

    g_assert_true (gander_profile_set (profile, "environment", "production", "t", &error));
    g_assert_true (gander_profile_set (profile, "backup", "Optional", "t", &error));
    g_assert_true (gander_profile_set (profile, "backup-keep", "3", "t", &error));
    g_assert_true (gander_profile_set (profile, "backup-max-age", "168h", "t", &error));
    g_assert_true (gander_profile_set (profile, "pg-bindir", "/usr/lib/postgresql/16/bin", "t", &error));
    g_assert_true (gander_profile_set (profile, "health-before", "connectivity, disk-space;writable", "t", &error));
    g_assert_true (gander_profile_set (profile, "health-after", "none", "t", &error));
    g_assert_true (gander_profile_set (profile, "health-before-refuse", "never", "t", &error));
    g_assert_true (gander_profile_set (profile, "health-after-fail", "warn", "t", &error));
    g_assert_true (gander_profile_set (profile, "free-space-factor", "1e12", "t", &error));
    g_assert_true (gander_profile_set (profile, "post-check-sql",
                                       "SELECT id FROM a WHERE x IS NULL; ; SELECT 1 WHERE 0", "t", &error));
    g_assert_no_error (error);
    g_assert_cmpint (gander_profile_get_backup_mode (profile), ==, GANDER_BACKUP_MODE_OPTIONAL);
    g_assert_cmpstr (gander_profile_get (profile, "backup"), ==, "optional");
    g_assert_cmpuint (gander_profile_get_backup_keep (profile), ==, 3);
    g_assert_cmpint (gander_profile_get_backup_max_age (profile), ==, 168 * G_TIME_SPAN_HOUR);
    g_assert_cmpstr (gander_profile_get_pg_bindir (profile), ==, "/usr/lib/postgresql/16/bin");
    before = gander_profile_get_health_before (profile);
    g_assert_cmpstrv (before, ((const char * const[]) { "connectivity", "disk-space", "writable", NULL }));
    after = gander_profile_get_health_after (profile);
    g_assert_nonnull (after);
    g_assert_cmpuint (g_strv_length (after), ==, 0);
    g_assert_cmpint (gander_profile_get_health_before_refuse (profile), ==, GANDER_HEALTH_REFUSE_NEVER);
    g_assert_false (gander_profile_get_health_after_fail_run (profile));
    g_assert_cmpfloat (gander_profile_get_free_space_factor (profile), ==, 1e12);
    sql = gander_profile_get_post_check_sql (profile);
    g_assert_cmpstrv (sql, ((const char * const[]) { "SELECT id FROM a WHERE x IS NULL",
                                                     "SELECT 1 WHERE 0", NULL }));
    assert_value (profile, "backup-verify", "full", "built-in [environment production]");
  }

  /* the new commands in the lists */
  {
    g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");

    g_assert_true (gander_profile_set (profile, "allow-commands",
                                       "status;backup;restore;health;prune-backups", "t", &error));
    g_assert_no_error (error);
    g_assert_true (gander_profile_command_allowed (profile, "backup"));
    g_assert_true (gander_profile_command_allowed (profile, "prune-backups"));
    g_assert_false (gander_profile_command_allowed (profile, "up"));
  }
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
    "backup", "backup-dir", "backup-keep", "backup-max-age", "backup-verify",
    "breaker-open", "breaker-threshold", "checksum-drift", "dbstring", "dir",
    "driver", "dry-run-first", "environment", "free-space-factor",
    "health-after", "health-after-fail", "health-before", "health-before-refuse",
    "lint", "lint-disable", "lint-error", "lint-warn",
    "lock-timeout", "metrics-file", "password-source", "pg-bindir", "post-check-sql",
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

/* --- configuration files --- */

typedef struct {
  char *dir;        /* a temporary directory */
  char *etc;        /* dir/etc: $GANDER_SYSCONFDIR */
  char *xdg;        /* dir/xdg: $XDG_CONFIG_HOME */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gander-config-XXXXXX", &error);
  g_assert_no_error (error);
  f->etc = g_build_filename (f->dir, "etc", NULL);
  f->xdg = g_build_filename (f->dir, "xdg", NULL);
  g_setenv ("GANDER_SYSCONFDIR", f->etc, TRUE);
  g_setenv ("XDG_CONFIG_HOME", f->xdg, TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unsetenv ("GANDER_SYSCONFDIR");
  gander_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->etc);
  g_free (f->xdg);
}

/* Writes TEXT to DIR/NAME (NAME may hold directories); returns the path. */
static char *
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Loads TEXT as a file and expects GANDER_ERROR_CONFIG mentioning each
 * of the NULL-terminated strings (the file's path is always checked). */
static void
assert_file_refused (Fixture    *f,
                     const char *text,
                     const char *secret,
                     ...)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file (f->dir, "bad.conf", text);
  va_list args;
  const char *needle;

  g_assert_false (gander_config_load_file (config, path, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  va_start (args, secret);
  while ((needle = va_arg (args, const char *)) != NULL)
    {
      if (strstr (error->message, needle) == NULL)
        g_error ("“%s” not in “%s”", needle, error->message);
    }
  va_end (args);
  if (secret != NULL)
    g_assert_null (strstr (error->message, secret));
  /* nothing of a refused file is kept */
  g_assert_cmpuint (g_strv_length ((char **) gander_config_get_files (config)), ==, 0);
}

static void
test_config_standard_files (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *main_file = write_file (f->etc, "gander/gander.conf",
    "# the system's\n"
    "[gander]\n"
    "default-environment=staging\n"
    "statement-timeout=1m\n"
    "audit-log=/var/log/gander/audit.jsonl\n"
    "\n"
    "[profile alerts]\n"
    "driver=sqlite3\n"
    "dbstring=/var/lib/alerts/alerts.db\n"
    "dir=/usr/share/alerts/migrations\n"
    "lock-timeout=2s\n");
  g_autofree char *drop_in_b = write_file (f->etc, "gander/conf.d/20-b.conf",
    "[profile alerts]\n"
    "lock-timeout=4s\n");
  g_autofree char *drop_in_a = write_file (f->etc, "gander/conf.d/10-a.conf",
    "[profile alerts]\n"
    "lock-timeout=3s\n"
    "table=alerts_versions\n");
  g_autofree char *ignored = write_file (f->etc, "gander/conf.d/30-c.conf.disabled",
    "[profile alerts]\nlock-timeout=99s\n");
  g_autofree char *hidden = write_file (f->etc, "gander/conf.d/.40-d.conf",
    "[profile alerts]\nlock-timeout=98s\n");
  g_autofree char *user_file = write_file (f->xdg, "gander/gander.conf",
    "[profile alerts]\n"
    "\n"
    "dir=/home/me/alerts/migrations\n"
    "[profile mine]\n"
    "driver=sqlite3\n"
    "dbstring=./mine.db\n");
  const char *expected_files[] = { main_file, drop_in_a, drop_in_b, user_file, NULL };
  g_autofree char *origin = NULL;

  g_assert_true (gander_config_load_standard (config, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (gander_config_get_files (config), expected_files);

  profile = gander_config_resolve (config, "alerts", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_name (profile), ==, "alerts");
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "staging");
  origin = g_strdup_printf ("%s:3 [gander]", main_file);
  g_assert_cmpstr (gander_profile_get_origin (profile, "environment"), ==, origin);
  g_clear_pointer (&origin, g_free);
  g_assert_cmpint (gander_profile_get_statement_timeout (profile), ==, G_TIME_SPAN_MINUTE);
  origin = g_strdup_printf ("%s:2 [profile alerts]", drop_in_b);
  assert_value (profile, "lock-timeout", "4s", origin);
  g_clear_pointer (&origin, g_free);
  origin = g_strdup_printf ("%s:3 [profile alerts]", drop_in_a);
  assert_value (profile, "table", "alerts_versions", origin);
  g_clear_pointer (&origin, g_free);
  origin = g_strdup_printf ("%s:3 [profile alerts]", user_file);
  assert_value (profile, "dir", "/home/me/alerts/migrations", origin);
  g_clear_pointer (&origin, g_free);
  origin = g_strdup_printf ("%s:9 [profile alerts]", main_file);
  assert_value (profile, "dbstring", "/var/lib/alerts/alerts.db", origin);
  g_assert_cmpstr (gander_profile_get_audit_log (profile), ==, "/var/log/gander/audit.jsonl");
  assert_value (profile, "checksum-drift", "error", "built-in [environment staging]");
  g_clear_object (&profile);

  /* the ad-hoc profile: [gander] only */
  profile = gander_config_resolve (config, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gander_profile_get_name (profile));
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "staging");
  g_assert_null (gander_profile_get_driver (profile));
  g_assert_cmpint (gander_profile_get_lock_timeout (profile), ==, 10 * G_TIME_SPAN_SECOND);
  g_clear_object (&profile);

  /* an environment asked for beats the files */
  profile = gander_config_resolve (config, "mine", "production", &error);
  g_assert_no_error (error);
  assert_value (profile, "environment", "production", "gander_config_resolve()");
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, 30 * G_TIME_SPAN_MINUTE);
  g_clear_object (&profile);
}

static void
test_config_nothing_found (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = NULL;
  g_auto(GStrv) environments = NULL;
  const char *builtin[] = { "development", "staging", "production", NULL };

  g_assert_cmpuint (g_strv_length ((char **) gander_config_get_files (config)), ==, 0);
  g_assert_true (gander_config_load_standard (config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) gander_config_get_files (config)), ==, 0);
  profiles = gander_config_list_profiles (config);
  g_assert_cmpuint (g_strv_length (profiles), ==, 0);
  environments = gander_config_list_environments (config);
  g_assert_cmpstrv (environments, builtin);

  profile = gander_config_resolve (config, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "development");
  g_clear_object (&profile);

  profile = gander_config_resolve (config, "alerts", NULL, &error);
  g_assert_null (profile);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "no configuration file"));
  g_assert_nonnull (strstr (error->message, "[profile alerts]"));
}

static void
test_config_missing_file (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "nope.conf", NULL);

  g_assert_false (gander_config_load_file (config, path, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_clear_error (&error);

  /* a directory is not a file */
  g_assert_false (gander_config_load_file (config, f->dir, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_clear_error (&error);

  /* an unreadable standard file is an error, not skipped (unless root) */
  if (getuid () != 0)
    {
      g_autofree char *main_file = write_file (f->etc, "gander/gander.conf", "[gander]\n");

      g_assert_cmpint (g_chmod (main_file, 0), ==, 0);
      g_assert_false (gander_config_load_standard (config, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, main_file));
    }
  else
    g_test_message ("running as root: an unreadable file cannot be made, that check is left out");
}

static void
test_config_explicit_file_last (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *main_file = write_file (f->etc, "gander/gander.conf",
    "[profile alerts]\ndriver=sqlite3\ndbstring=a.db\n");
  g_autofree char *explicit = write_file (f->dir, "mine.conf",
    "[profile alerts]\ndbstring=b.db\n");

  g_assert_true (gander_config_load_standard (config, &error));
  g_assert_true (gander_config_load_file (config, explicit, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gander_config_get_files (config)[1], ==, explicit);
  profile = gander_config_resolve (config, "alerts", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_dbstring (profile), ==, "b.db");
  g_assert_cmpstr (gander_profile_get_driver (profile), ==, "sqlite3");
}

static void
test_config_environments (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *main_file = write_file (f->etc, "gander/gander.conf",
    "[profile alerts]\n"
    "driver=postgres\n"
    "dbstring=host=/run/postgresql dbname=alerts\n"
    "environment=canary\n"
    "[environment production]\n"
    "timeout=1h\n"
    "[profile typo]\n"
    "environment=prodution\n");
  g_autofree char *drop_in = write_file (f->etc, "gander/conf.d/canary.conf",
    "[environment canary]\n"
    "require-confirmation=down;reset\n"
    "checksum-drift=ignore\n");
  g_auto(GStrv) environments = NULL;
  g_auto(GStrv) profiles = NULL;
  const char *expected_envs[] = { "development", "staging", "production", "canary", NULL };
  const char *expected_profiles[] = { "alerts", "typo", NULL };
  g_autofree char *origin = NULL;

  g_assert_true (gander_config_load_standard (config, &error));
  g_assert_no_error (error);
  environments = gander_config_list_environments (config);
  g_assert_cmpstrv (environments, expected_envs);
  profiles = gander_config_list_profiles (config);
  g_assert_cmpstrv (profiles, expected_profiles);

  /* an environment of a later file is known to an earlier file's profile */
  profile = gander_config_resolve (config, "alerts", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "canary");
  g_assert_true (gander_profile_command_needs_confirmation (profile, "reset"));
  g_assert_false (gander_profile_command_needs_confirmation (profile, "redo"));
  origin = g_strdup_printf ("%s:3 [environment canary]", drop_in);
  assert_value (profile, "checksum-drift", "ignore", origin);
  g_clear_object (&profile);

  profile = gander_config_resolve (config, "alerts", "production", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_profile_get_timeout (profile), ==, G_TIME_SPAN_HOUR);
  g_assert_cmpint (gander_profile_get_checksum_drift (profile), ==, GANDER_POLICY_LEVEL_ERROR);
  g_clear_object (&profile);

  /* unknown environments: in a file (with its line), or asked for */
  profile = gander_config_resolve (config, "typo", NULL, &error);
  g_assert_null (profile);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_clear_pointer (&origin, g_free);
  origin = g_strdup_printf ("%s:8 [profile typo]", main_file);
  g_assert_nonnull (strstr (error->message, origin));
  g_assert_nonnull (strstr (error->message, "did you mean “production”?"));
  g_clear_error (&error);

  profile = gander_config_resolve (config, "alerts", "canari", &error);
  g_assert_null (profile);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "did you mean “canary”?"));
  g_clear_error (&error);

  /* unknown profiles */
  profile = gander_config_resolve (config, "alert", NULL, &error);
  g_assert_null (profile);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "did you mean “alerts”?"));
  g_clear_error (&error);
  profile = gander_config_resolve (config, "billing", NULL, &error);
  g_assert_null (profile);
  g_assert_nonnull (strstr (error->message, "alerts, typo"));
}

static void
test_config_unknown_key (Fixture       *f,
                         gconstpointer  data)
{
  assert_file_refused (f, "[gander]\n\n[profile alerts]\ndriver=sqlite3\nlock-timout=5s\n", NULL,
                       ":5 [profile alerts]", "“lock-timout”", "did you mean “lock-timeout”?", NULL);
  assert_file_refused (f, "[environment production]\n# comment\nretry-max-atempts=3\n", NULL,
                       ":3 [environment production]", "retry-max-attempts", NULL);
  assert_file_refused (f, "[gander]\nenvironment=production\n", NULL,
                       ":2 [gander]", "default-environment", NULL);
  assert_file_refused (f, "[gander]\ndriver=sqlite3\n", NULL,
                       ":2 [gander]", "[profile NAME]", NULL);
  assert_file_refused (f, "[environment canary]\ndbstring=x.db\n", NULL,
                       ":2 [environment canary]", NULL);
  assert_file_refused (f, "[profile a]\ndbstring[ru]=x.db\n", NULL,
                       ":2 [profile a]", "unknown key", NULL);
}

static void
test_config_unknown_group (Fixture       *f,
                           gconstpointer  data)
{
  assert_file_refused (f, "[gander]\n[profiel alerts]\ndriver=sqlite3\n", NULL,
                       ":2 [profiel alerts]", "did you mean “profile”?", NULL);
  assert_file_refused (f, "[database alerts]\n", NULL,
                       ":1 [database alerts]", "[profile NAME]", NULL);
  assert_file_refused (f, "[profile]\ndriver=sqlite3\n", NULL,
                       ":1 [profile]", "needs one name", NULL);
  assert_file_refused (f, "[gander extra]\n", NULL, ":1", NULL);
}

static void
test_config_malformed (Fixture       *f,
                       gconstpointer  data)
{
  assert_file_refused (f, "[gander]\naudit-log=/tmp/a\nthis line is wrong\n", NULL,
                       "bad.conf:3:", "key=value", NULL);
  assert_file_refused (f, "# a comment\ndriver=sqlite3\n[profile a]\n", NULL,
                       "bad.conf:2:", "before the first group", NULL);
  assert_file_refused (f, "[gander]\n\n[profile alerts\n", NULL,
                       "bad.conf:3:", "group header", NULL);
  /* what only GKeyFile sees: the file is named, and the line when known */
  assert_file_refused (f, "[profile a]\ndir=C:\\qdir\n", NULL,
                       "bad.conf:2 [profile a]", "write \\\\ for one backslash", NULL);
  assert_file_refused (f, "[gander]\naudit-log=\xff\xfe\n", NULL, "UTF-8", NULL);
}

static void
test_config_bad_values (Fixture       *f,
                        gconstpointer  data)
{
  assert_file_refused (f, "[profile a]\ndriver=sqlite3\ntimeout=5\n", NULL,
                       "bad.conf:3 [profile a]", "timeout", "5s", NULL);
  assert_file_refused (f, "[environment staging]\nbreaker-open=ten minutes\n", NULL,
                       "bad.conf:2 [environment staging]", "breaker-open", "not a duration", NULL);
  assert_file_refused (f, "[environment production]\n\nchecksum-drift=fatal\n", NULL,
                       "bad.conf:3 [environment production]", "checksum-drift=fatal",
                       "ignore, warn or error", NULL);
  assert_file_refused (f, "[gander]\nunknown-target=ignore\n", NULL,
                       "bad.conf:2 [gander]", "warn or error", NULL);
  assert_file_refused (f, "[profile a]\nallow-missing=sometimes\n", NULL,
                       "bad.conf:2 [profile a]", "true or false", NULL);
  assert_file_refused (f, "[environment production]\nallow-commands=up;status;rollback\n", NULL,
                       "bad.conf:2", "“rollback”", NULL);
}

static void
test_config_password_refused (Fixture       *f,
                              gconstpointer  data)
{
  static const char * const files[] = {
    "[profile alerts]\ndriver=postgres\ndbstring=postgres://alerts:hunter2-secret@db/alerts\n",
    "[profile alerts]\ndriver=postgres\ndbstring=host=db dbname=alerts password=hunter2-secret\n",
    "[profile alerts]\ndriver=postgres\ndbstring=host=db password='hunter2-secret x' dbname=alerts\n",
    "[profile alerts]\ndriver=postgres\ndbstring=postgres://db/alerts?password=hunter2-secret\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    assert_file_refused (f, files[i], "hunter2", "bad.conf:3 [profile alerts]", "~/.pgpass",
                         "PGPASSFILE", "credential store", NULL);
  assert_file_refused (f, "[profile alerts]\ndriver=postgres\npassword=hunter2-secret\n", "hunter2",
                       "bad.conf:3 [profile alerts]", "~/.pgpass", NULL);
}

/* Every key is documented in data/gander.conf.example, and the example,
 * uncommented, is a valid file. */
static void
test_config_example (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *example = g_build_filename (g_getenv ("GANDER_SOURCE_ROOT"), "data",
                                               "gander.conf.example", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) uncommented = g_string_new (NULL);
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderProfile) plain = gander_profile_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) setting = g_regex_new ("^#([a-z][a-z-]*=|\\[)", 0, 0, NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_true (g_file_get_contents (example, &text, NULL, &error));
  g_assert_no_error (error);

  /* as shipped, it sets nothing */
  path = write_file (f->dir, "example.conf", text);
  g_assert_true (gander_config_load_file (config, path, &error));
  g_assert_no_error (error);
  {
    g_auto(GStrv) none = gander_config_list_profiles (config);

    g_assert_cmpuint (g_strv_length (none), ==, 0);
  }
  g_clear_object (&config);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_regex_match (setting, lines[i], 0, NULL))
        {
          const char *eq = strchr (lines[i], '=');

          g_string_append_printf (uncommented, "%s\n", lines[i] + 1);
          if (lines[i][1] != '[' && eq != NULL)
            g_hash_table_add (seen, g_strndup (lines[i] + 1, eq - lines[i] - 1));
        }
      else
        g_string_append_printf (uncommented, "%s\n", lines[i]);
    }
  g_free (path);
  path = write_file (f->dir, "example-uncommented.conf", uncommented->str);
  config = gander_config_new ();
  g_assert_true (gander_config_load_file (config, path, &error));
  g_assert_no_error (error);
  profile = gander_config_resolve (config, "alerts", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_profile_get_environment (profile), ==, "production");

  keys = gander_profile_list_keys (plain);
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_str_equal (keys[i], "environment") || !g_hash_table_contains (seen, "default-environment"))
      {
        if (!g_hash_table_contains (seen, keys[i]))
          g_error ("%s is not in gander.conf.example", keys[i]);
      }
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
  g_test_add_func ("/config/profile/backup-health", test_profile_backup_health);
  g_test_add_func ("/config/profile/password-refused", test_profile_password_refused);
  g_test_add_func ("/config/profile/environ", test_profile_environ);
  g_test_add_func ("/config/profile/list-keys", test_profile_list_keys);
  g_test_add_func ("/config/profile/nearest", test_profile_nearest);

  g_test_add ("/config/file/standard-files", Fixture, NULL, fixture_set_up, test_config_standard_files, fixture_tear_down);
  g_test_add ("/config/file/nothing-found", Fixture, NULL, fixture_set_up, test_config_nothing_found, fixture_tear_down);
  g_test_add ("/config/file/missing-file", Fixture, NULL, fixture_set_up, test_config_missing_file, fixture_tear_down);
  g_test_add ("/config/file/explicit-file-last", Fixture, NULL, fixture_set_up, test_config_explicit_file_last, fixture_tear_down);
  g_test_add ("/config/file/environments", Fixture, NULL, fixture_set_up, test_config_environments, fixture_tear_down);
  g_test_add ("/config/file/unknown-key", Fixture, NULL, fixture_set_up, test_config_unknown_key, fixture_tear_down);
  g_test_add ("/config/file/unknown-group", Fixture, NULL, fixture_set_up, test_config_unknown_group, fixture_tear_down);
  g_test_add ("/config/file/malformed", Fixture, NULL, fixture_set_up, test_config_malformed, fixture_tear_down);
  g_test_add ("/config/file/bad-values", Fixture, NULL, fixture_set_up, test_config_bad_values, fixture_tear_down);
  g_test_add ("/config/file/password-refused", Fixture, NULL, fixture_set_up, test_config_password_refused, fixture_tear_down);
  g_test_add ("/config/file/example", Fixture, NULL, fixture_set_up, test_config_example, fixture_tear_down);

  return g_test_run ();
}
