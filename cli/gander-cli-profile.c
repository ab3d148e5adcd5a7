/* gander-cli-profile.c: the effective settings of a command, and `gander config`
 *
 * One GanderProfile per database command, layered as the library layers
 * it: the configuration files (GanderConfig), then the GOOSE_* and GANDER_*
 * variables, then the flags, each value with its origin. With no file, no
 * variable and none of Gander's flags the profile is goose's: the
 * `development` environment with every key at its built-in value, and
 * the command runs exactly as goose's does (cli_profile_is_goose()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gander-cli-run.h"

static const char *
env_or_null (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

/* --lock-timeout and --statement-timeout take milliseconds or a Go
 * duration; the profile takes durations. */
static char *
as_duration (const char *text)
{
  const char *p = text;

  while (*p >= '0' && *p <= '9')
    p++;
  if (p != text && *p == '\0' && !g_str_equal (text, "0"))
    return g_strconcat (text, "ms", NULL);
  return g_strdup (text);
}

static gboolean
set_flag (GanderProfile  *profile,
          const char     *key,
          const char     *value,
          const char     *origin,
          GError        **error)
{
  if (value == NULL)
    return TRUE;
  return gander_profile_set (profile, key, value, origin, error);
}

static void
set_lenient (GanderProfile *profile,
             const char    *key,
             const char    *value,
             const char    *origin)
{
  if (value != NULL && *value != '\0')
    gander_profile_set (profile, key, value, origin, NULL);
}

static int
backup_mode_rank (const char *mode)
{
  if (mode == NULL || g_str_equal (mode, "off"))
    return 0;
  if (g_str_equal (mode, "optional"))
    return 1;
  return 2;
}

/* --backup, --no-backup, --backup-dir, --keep and --max-age: the
 * profile's backup keys, at the flag layer. A flag may ask for more
 * backup than the configuration does, never for less than `required`:
 * that is a refusal (exit 4) naming where the rule comes from. */
static gboolean
apply_backup_flags (GanderProfile  *profile,
                    CliOptions     *opts,
                    GError        **error)
{
  const char *flag = opts->no_backup ? "--no-backup" : "--backup";
  const char *mode = opts->no_backup ? "off" : opts->backup;

  if (opts->no_backup && opts->backup != NULL && !g_str_equal (opts->backup, "off"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--no-backup and --backup=%s contradict each other: give one"),
                   opts->backup);
      return FALSE;
    }
  if (mode != NULL)
    {
      const char *configured = gander_profile_get (profile, "backup");

      if (backup_mode_rank (configured) == 2 && backup_mode_rank (mode) < 2)
        {
          const char *origin = gander_profile_get_origin (profile, "backup");
          g_autofree char *shown = opts->no_backup ? g_strdup (flag)
                                                   : g_strconcat ("--backup=", mode, NULL);

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED,
                       _("%s: environment %s requires a backup before every change "
                         "(backup=required, from %s), which a flag cannot lower "
                         "(rule backup); run without %s, or change backup= in the "
                         "configuration"),
                       shown, gander_profile_get_environment (profile),
                       origin != NULL ? origin : "?", shown);
          return FALSE;
        }
      if (!gander_profile_set (profile, "backup", mode, flag, error))
        return FALSE;
    }
  return set_flag (profile, "backup-dir", opts->backup_dir, "--backup-dir", error) &&
         set_flag (profile, "backup-keep", opts->keep, "--keep", error) &&
         set_flag (profile, "backup-max-age", opts->max_age, "--max-age", error);
}

/* @driver, @dsn: from the command line (or goose's GOOSE_DRIVER and
 * GOOSE_DBSTRING merged into it), NULL when the profile names them. */
GanderProfile *
cli_profile_build (CliOptions  *opts,
                   const char  *driver,
                   const char  *dsn,
                   const char  *dsn_origin,
                   GStrv       *files,
                   GError     **error)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  const char *config_file = opts->config != NULL ? opts->config : env_or_null ("GANDER_CONFIG");
  g_autofree char *lock_timeout = NULL;
  g_autofree char *statement_timeout = NULL;

  if (!gander_config_load_standard (config, error))
    return NULL;
  if (config_file != NULL && !gander_config_load_file (config, config_file, error))
    return NULL;
  if (files != NULL)
    *files = g_strdupv ((char **) gander_config_get_files (config));
  profile = gander_config_resolve (config, opts->profile, NULL, error);
  if (profile == NULL)
    return NULL;
  /* The variables, as gander_profile_apply_environ() reads them, but
   * goose's own ones leniently (see below) */
  if (!set_flag (profile, "environment", env_or_null ("GANDER_ENVIRONMENT"),
                 "GANDER_ENVIRONMENT", error) ||
      !set_flag (profile, "audit-log", env_or_null ("GANDER_AUDIT_LOG"), "GANDER_AUDIT_LOG",
                 error) ||
      !set_flag (profile, "metrics-file", env_or_null ("GANDER_METRICS_FILE"),
                 "GANDER_METRICS_FILE", error))
    return NULL;
  set_lenient (profile, "driver", env_or_null ("GOOSE_DRIVER"), "GOOSE_DRIVER");
  set_lenient (profile, "dbstring", env_or_null ("GOOSE_DBSTRING"), "GOOSE_DBSTRING");
  set_lenient (profile, "dir", env_or_null ("GOOSE_MIGRATION_DIR"), "GOOSE_MIGRATION_DIR");
  set_lenient (profile, "table", env_or_null ("GOOSE_TABLE"), "GOOSE_TABLE");

  if (opts->lock_timeout_text != NULL)
    lock_timeout = as_duration (opts->lock_timeout_text);
  if (opts->statement_timeout_text != NULL)
    statement_timeout = as_duration (opts->statement_timeout_text);

  /* What goose's own flags and arguments say is checked where goose checks
   * it, with goose's messages (a bad driver fails when the database is
   * made, exit 1): here they only count as the values they are. */
  if (opts->dir_given &&
      !(g_str_equal (opts->dir, ".") && env_or_null ("GOOSE_MIGRATION_DIR") != NULL))
    set_lenient (profile, "dir", opts->dir, "-dir");
  set_lenient (profile, "driver", driver, dsn_origin);
  set_lenient (profile, "dbstring", dsn, dsn_origin);
  set_lenient (profile, "table", opts->table_flag, "-table");
  set_lenient (profile, "timeout", opts->timeout_text, "-timeout");
  if (opts->allow_missing_given)
    set_lenient (profile, "allow-missing", opts->allow_missing ? "true" : "false",
                 "-allow-missing");

  if (!set_flag (profile, "environment", opts->environment, "--environment", error) ||
      !set_flag (profile, "lock-timeout", lock_timeout, "--lock-timeout", error) ||
      !set_flag (profile, "statement-timeout", statement_timeout, "--statement-timeout",
                 error) ||
      !set_flag (profile, "audit-log", opts->audit_log, "--audit-log", error) ||
      !set_flag (profile, "metrics-file", opts->metrics_file, "--metrics-file", error) ||
      !apply_backup_flags (profile, opts, error))
    return NULL;
  return g_steal_pointer (&profile);
}

/* The keys goose's own flags and variables set: they change where and
 * how long, never the rules. */
static gboolean
is_goose_key (const char *key)
{
  static const char * const keys[] = {
    "driver", "dbstring", "dir", "table", "environment", "allow-missing",
    "timeout", "lock-timeout", "statement-timeout", NULL,
  };

  return g_strv_contains (keys, key);
}

/* TRUE when nothing asks for more than goose does: the development
 * environment, no profile, every rule at its built-in value, no audit
 * log, no metrics. Such a command takes the plain path (the migrator
 * alone: the same queries, output and speed as before issue 8). */
gboolean
cli_profile_is_goose (GanderProfile *profile)
{
  g_auto(GStrv) keys = NULL;

  if (gander_profile_get_name (profile) != NULL ||
      !g_str_equal (gander_profile_get_environment (profile), "development"))
    return FALSE;
  keys = gander_profile_list_keys (profile);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *origin = gander_profile_get_origin (profile, keys[i]);

      if (is_goose_key (keys[i]) || origin == NULL)
        continue;
      if (!g_str_has_prefix (origin, "built-in"))
        return FALSE;
    }
  return TRUE;
}

/* `gander config`: every effective setting and where it came from. The
 * dbstring is shown masked: never a password. */
int
cli_cmd_config (CliOptions          *opts,
                GanderProfile       *profile,
                const char * const  *files)
{
  g_auto(GStrv) keys = gander_profile_list_keys (profile);
  const char *name = gander_profile_get_name (profile);

  if (opts->json)
    {
      g_autoptr(JsonBuilder) builder = cli_json_begin ("config");

      json_builder_set_member_name (builder, "profile");
      if (name != NULL)
        json_builder_add_string_value (builder, name);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "files");
      json_builder_begin_array (builder);
      for (guint i = 0; files != NULL && files[i] != NULL; i++)
        json_builder_add_string_value (builder, files[i]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "settings");
      json_builder_begin_object (builder);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          const char *value = gander_profile_get (profile, keys[i]);
          const char *origin = gander_profile_get_origin (profile, keys[i]);
          g_autofree char *masked = NULL;

          if (value != NULL && g_str_equal (keys[i], "dbstring"))
            value = masked = gander_dsn_mask (value);
          json_builder_set_member_name (builder, keys[i]);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "value");
          if (value != NULL)
            json_builder_add_string_value (builder, value);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "origin");
          if (origin != NULL)
            json_builder_add_string_value (builder, origin);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
      cli_json_end (builder, NULL);
      return CLI_EXIT_OK;
    }

  {
    g_autoptr(GString) out = g_string_new (NULL);

    g_string_append_printf (out, "# profile: %s\n", name != NULL ? name : _("(none)"));
    for (guint i = 0; files != NULL && files[i] != NULL; i++)
      g_string_append_printf (out, "# file: %s\n", files[i]);
    for (guint i = 0; keys[i] != NULL; i++)
      {
        const char *value = gander_profile_get (profile, keys[i]);
        const char *origin = gander_profile_get_origin (profile, keys[i]);
        g_autofree char *masked = NULL;
        g_autofree char *line = NULL;

        if (value != NULL && g_str_equal (keys[i], "dbstring"))
          value = masked = gander_dsn_mask (value);
        line = g_strdup_printf ("%s=%s", keys[i], value != NULL ? value : "");
        g_string_append_printf (out, "%-44s # %s\n", line,
                                origin != NULL ? origin : _("unset"));
      }
    fputs (out->str, stdout);
    fflush (stdout);
  }
  return CLI_EXIT_OK;
}
