/* gander-cli.c: `gander`, the goose-compatible command-line tool
 *
 *   gander [OPTIONS] DRIVER DBSTRING COMMAND [ARGS]
 *
 * Flags and GOOSE_* variables are read the way goose v3.27's
 * cmd/goose/main.go reads them: Go flag syntax anywhere on the line, `.env`
 * loaded without overriding the environment, GOOSE_DRIVER prepended and
 * GOOSE_DBSTRING inserted as the second argument.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gander.h"
#include "gander-cli.h"
#include "gander-cli-run.h"

typedef enum {
  FLAG_BOOL,
  FLAG_STRING,
} FlagKind;

typedef struct {
  const char *name;
  FlagKind    kind;
} Flag;

static const Flag flags[] = {
  { "dir", FLAG_STRING },
  { "table", FLAG_STRING },
  { "env", FLAG_STRING },
  { "timeout", FLAG_STRING },
  { "v", FLAG_BOOL },
  { "s", FLAG_BOOL },
  { "allow-missing", FLAG_BOOL },
  { "no-versioning", FLAG_BOOL },
  { "no-color", FLAG_BOOL },
  { "version", FLAG_BOOL },
  { "h", FLAG_BOOL },
  { "help", FLAG_BOOL },
  /* goose's MySQL TLS flags: accepted so command lines keep working */
  { "certfile", FLAG_STRING },
  { "ssl-cert", FLAG_STRING },
  { "ssl-key", FLAG_STRING },
  /* Gander's own */
  { "json", FLAG_BOOL },
  { "exit-code", FLAG_BOOL },
  { "lock-timeout", FLAG_STRING },
  { "statement-timeout", FLAG_STRING },
  { "direction", FLAG_STRING },
  { "dialect", FLAG_STRING },
  /* profiles, environments and the safety pipeline (issue 8) */
  { "profile", FLAG_STRING },
  { "environment", FLAG_STRING },
  { "config", FLAG_STRING },
  { "dry-run", FLAG_BOOL },
  { "confirm", FLAG_STRING },
  { "reason", FLAG_STRING },
  { "metrics-file", FLAG_STRING },
  { "audit-log", FLAG_STRING },
  { "mark-applied", FLAG_BOOL },
  /* the keyring (issue 11) */
  { "password-stdin", FLAG_BOOL },
  /* backups and health checks (issue 9) */
  { "backup", FLAG_STRING },
  { "no-backup", FLAG_BOOL },
  { "backup-dir", FLAG_STRING },
  { "keep", FLAG_STRING },
  { "max-age", FLAG_STRING },
};

/* Every command, for "did you mean". */
static const char * const all_commands[] = {
  "up", "up-by-one", "up-to", "down", "down-to", "redo", "reset", "status",
  "version", "create", "fix", "validate", "env", "parse", "config", "baseline",
  "repair", "breaker", "audit", "credentials", "help", NULL,
};

static const char * const driver_names[] = {
  "sqlite3", "sqlite", "postgres", "pgx", NULL,
};

/* Why ./.env was not loaded (goose ignores a broken one, and so does
 * Gander), told with a usage error, which it may well explain. */
static char *dotenv_problem;

const char *
cli_nearest_command (const char *word)
{
  return cli_nearest_name (word, all_commands);
}

/* Commands goose runs before looking at DRIVER and DBSTRING. */
static const char * const file_commands[] = {
  "create", "fix", "validate", "env", "parse",
  /* Gander's */
  "audit", "lint", "credentials",
};

void
cli_options_clear (CliOptions *opts)
{
  g_clear_pointer (&opts->dir, g_free);
  g_clear_pointer (&opts->table, g_free);
  g_clear_pointer (&opts->env_file, g_free);
  g_clear_pointer (&opts->direction, g_free);
  g_clear_pointer (&opts->dialect, g_free);
  g_clear_pointer (&opts->timeout_text, g_free);
  g_clear_pointer (&opts->lock_timeout_text, g_free);
  g_clear_pointer (&opts->statement_timeout_text, g_free);
  g_clear_pointer (&opts->profile, g_free);
  g_clear_pointer (&opts->environment, g_free);
  g_clear_pointer (&opts->config, g_free);
  g_clear_pointer (&opts->confirm, g_free);
  g_clear_pointer (&opts->reason, g_free);
  g_clear_pointer (&opts->metrics_file, g_free);
  g_clear_pointer (&opts->audit_log, g_free);
  g_clear_pointer (&opts->table_flag, g_free);
  g_clear_pointer (&opts->certfile, g_free);
  g_clear_pointer (&opts->ssl_cert, g_free);
  g_clear_pointer (&opts->ssl_key, g_free);
  g_clear_pointer (&opts->backup, g_free);
  g_clear_pointer (&opts->backup_dir, g_free);
  g_clear_pointer (&opts->keep, g_free);
  g_clear_pointer (&opts->max_age, g_free);
  g_clear_pointer (&opts->args, g_ptr_array_unref);
}

/* g_set_str() arrived in GLib 2.76 */
void
cli_set_str (char       **ptr,
             const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*ptr);
  *ptr = copy;
}

static GString *
help_text (void)
{
  GString *text = g_string_new (NULL);

  g_string_append (text,
    _("Usage: gander [OPTIONS] DRIVER DBSTRING COMMAND [ARGS]\n"
      "       gander [OPTIONS] COMMAND [ARGS]   (GOOSE_DRIVER and GOOSE_DBSTRING set)\n"
      "       gander [OPTIONS] create NAME [sql] | fix | validate | env\n"
      "       gander parse FILE [--direction up|down] [--json]\n"
      "\n"
      "Applies goose SQL migrations to SQLite and PostgreSQL databases. Gander\n"
      "reads the same migration files and keeps the same version table as goose,\n"
      "so the two tools can take turns on one database.\n"
      "\n"));
  g_string_append (text,
    _("Drivers:\n"
      "  sqlite3, sqlite     SQLite; DBSTRING is a file name or a file: URI\n"
      "  postgres, pgx       PostgreSQL; DBSTRING is a URI or a key=value string\n"
      "\n"));
  g_string_append (text,
    _("Commands:\n"
      "  up                   Migrate the DB to the most recent version available\n"
      "  up-by-one            Migrate the DB up by 1\n"
      "  up-to VERSION        Migrate the DB to a specific VERSION\n"
      "  down                 Roll back the version by 1\n"
      "  down-to VERSION      Roll back to a specific VERSION\n"
      "  redo                 Re-run the latest migration\n"
      "  reset                Roll back all migrations\n"
      "  status               Dump the migration status for the current DB\n"
      "  version              Print the current version of the database\n"
      "  create NAME [sql]    Create a new SQL migration file named after the current\n"
      "                       UTC time (or numbered with -s)\n"
      "  fix                  Rename timestamped migrations to sequential versions\n"
      "  validate             Parse every migration file without running it\n"
      "                       (-v prints a summary table)\n"
      "  env                  Print the GOOSE_* environment variables\n"
      "  parse FILE           Show how Gander splits FILE into statements\n"
      "\n"));
  g_string_append (text,
    _("Gander commands (profiles, policy and repair):\n"
      "  config               Print the effective settings and where each one\n"
      "                       comes from (--json for JSON); never a password\n"
      "  baseline VERSION     Record every migration up to VERSION as applied\n"
      "                       without running it (adopt an existing database)\n"
      "  repair clear-dirty VERSION [--mark-applied]\n"
      "                       Remove the \"running\" marker an interrupted\n"
      "                       NO TRANSACTION migration left, after checking the\n"
      "                       database by hand; --mark-applied records it as\n"
      "                       applied instead of pending\n"
      "  repair accept-checksum VERSION\n"
      "                       Record the current checksum of an applied file\n"
      "                       that was edited on purpose\n"
      "  breaker status       Show the circuit breaker of this database\n"
      "  breaker reset        Close it again after the cause is fixed\n"
      "  audit verify FILE    Check the hash chain of an audit log\n"
      "  credentials set PROFILE [--password-stdin]\n"
      "                       Store the password of PROFILE's PostgreSQL database\n"
      "                       in your keyring (for password-source=keyring); typed\n"
      "                       twice with echo off, or read from standard input up\n"
      "                       to EOF with --password-stdin; never an argument\n"
      "  credentials clear PROFILE\n"
      "                       Remove that password from the keyring\n"
      "\n"));
  g_string_append (text,
    _("Gander commands (backups and health checks):\n"
      "  backup               Take a verified backup of the database now\n"
      "  backups              List the backups of this database, newest first\n"
      "                       (--json for their manifests)\n"
      "  backups prune [--keep N] [--max-age D]\n"
      "                       Remove old backups (never the newest verified one)\n"
      "  restore ID           Put backup ID (an id, a unique prefix of one, or\n"
      "                       \"latest\") back into the database; needs --confirm\n"
      "                       or the name typed at the prompt in every environment\n"
      "  health               Run the health checks now (--json for JSON); exit 1\n"
      "                       when one fails\n"
      "In a run that changes the database, a failed health check before it or\n"
      "a failed required backup refuses the run (exit 4, nothing written). For\n"
      "example:\n"
      "  gander --profile alerts backups\n"
      "  gander --profile alerts restore latest --confirm alerts\n"
      "\n"));
  g_string_append (text,
    _("Options (goose's, written -flag, --flag, -flag=value or -flag value,\n"
      "anywhere on the line):\n"
      "  -dir DIR             directory with migration files (default \".\")\n"
      "  -table NAME          version table name (default \"goose_db_version\")\n"
      "  -env FILE            load environment variables from FILE; \"none\" loads\n"
      "                       nothing (default: ./.env if it exists)\n"
      "  -s                   create: use sequential numbering\n"
      "  -allow-missing       apply missing (out-of-order) migrations\n"
      "  -no-versioning       run migrations without reading or writing the\n"
      "                       version table\n"
      "  -timeout DURATION    give up after DURATION, a Go duration such as 30s,\n"
      "                       5m or 1h30m; the running migration is rolled back\n"
      "                       (a NO TRANSACTION one may be left half applied)\n"
      "  -v                   verbose: print each statement as it runs\n"
      "  -no-color            no colours in verbose output\n"
      "  -version             print the version and exit\n"
      "  -h, -help            print this help and exit\n"
      "  -certfile, -ssl-cert, -ssl-key\n"
      "                       accepted for goose compatibility (MySQL only), ignored\n"
      "\n"));
  g_string_append (text, _("Gander options:\n"));
  /* the commands that print a --json document (docs/json.md, docs/json/) */
  g_string_append (text,
    _("  --json               print the result as JSON on stdout (docs/json.md):\n"
      "                       status, version, up, up-by-one, up-to, down,\n"
      "                       down-to, redo, reset, validate, parse, lint,\n"
      "                       config, baseline, repair, breaker, audit verify,\n"
      "                       backup, backups, restore, health\n"));
  g_string_append (text,
    _("  --exit-code          status: exit with status 3 when migrations are pending\n"
      "  --lock-timeout T     how long to wait for another runner's lock (default\n"
      "                       5m; after a second Gander says who holds it), and\n"
      "                       on PostgreSQL the lock_timeout of every statement\n"
      "  --statement-timeout T\n"
      "                       PostgreSQL statement_timeout of every statement\n"
      "                       (T: a Go duration such as 500ms, 10s or 1m, as for\n"
      "                       -timeout)\n"
      "  --direction up|down  parse: which section to show (default up)\n"
      "\n"));
  g_string_append (text,
    _("Profiles and policy:\n"
      "  --profile NAME       take driver, DBSTRING, -dir, -table and the rest from\n"
      "                       [profile NAME] of the configuration; the command\n"
      "                       line then needs only COMMAND [ARGS]\n"
      "  --environment NAME   development (default: goose's behaviour), staging,\n"
      "                       production or an [environment NAME] of the\n"
      "                       configuration (-env stays goose's .env file)\n"
      "  --config FILE        read FILE after /etc/gander/gander.conf,\n"
      "                       /etc/gander/conf.d/*.conf and\n"
      "                       ~/.config/gander/gander.conf\n"
      "  --dry-run            up, up-by-one, up-to, down, down-to, redo, reset:\n"
      "                       print every statement that would run, with file\n"
      "                       and line, and change nothing (--json for JSON)\n"
      "  --confirm NAME       confirm a command the environment guards (down,\n"
      "                       reset, repair… in staging and production) by\n"
      "                       naming the profile, or the database without one;\n"
      "                       on a terminal Gander asks for the name instead\n"
      "  --reason TEXT        why: written to the audit log and the side table\n"
      "  --metrics-file PATH  write Prometheus metrics to PATH (node_exporter's\n"
      "                       textfile collector), counters carried over\n"
      "  --audit-log PATH     append one JSON line per run and per migration\n"
      "Precedence: flags, then GOOSE_*/GANDER_* variables, then the profile,\n"
      "then the environment, then Gander's defaults. For example:\n"
      "  gander --profile alerts --dry-run up\n"
      "  gander --profile alerts --confirm alerts down\n"
      "\n"));
  g_string_append (text,
    _("Backups (Gander's own; goose has none):\n"
      "  --backup MODE        off, optional or required: whether a run that\n"
      "                       changes the database takes a backup first\n"
      "                       (default: off in development, optional in\n"
      "                       staging, required in production); a failed\n"
      "                       required backup refuses the run (exit 4)\n"
      "  --no-backup          as --backup=off; refused (exit 4) where the\n"
      "                       configuration requires a backup\n"
      "  --backup-dir DIR     where backups are kept (default\n"
      "                       $XDG_STATE_HOME/gander/backups/NAME)\n"
      "  --keep N             backups prune: keep the newest N (0: no limit)\n"
      "  --max-age D          backups prune: remove those older than D, a Go\n"
      "                       duration such as 720h\n"
      "\n"));
  g_string_append (text,
    _("Lint (Gander's own; goose has none):\n"
      "  lint [FILE|DIR…]     Find statements that fail at run time or lock and\n"
      "                       rewrite busy tables (default: every file of -dir;\n"
      "                       with DRIVER DBSTRING only the pending ones, read\n"
      "                       only); exit 1 on an error finding (docs/lint.md)\n"
      "  --dialect postgres|sqlite3\n"
      "                       lint: the database's rules (default: from DRIVER\n"
      "                       or GOOSE_DRIVER)\n"
      "\n"));
  g_string_append (text,
    _("Environment:\n"
      "  GOOSE_DRIVER         DRIVER, put in front of the arguments\n"
      "  GOOSE_DBSTRING       DBSTRING, put after DRIVER\n"
      "  GOOSE_MIGRATION_DIR  migrations directory when -dir is not given\n"
      "  GOOSE_TABLE          version table when -table is not given\n"
      "  NO_COLOR             a true value (1, t, true) turns colours off\n"
      "  GANDER_LOCALEDIR     where to look for translations\n"
      "  GANDER_CONFIG        as --config\n"
      "  GANDER_ENVIRONMENT   as --environment\n"
      "  GANDER_AUDIT_LOG     as --audit-log\n"
      "  GANDER_METRICS_FILE  as --metrics-file\n"
      "Variables from .env never override ones already set.\n"
      "\n"));
  g_string_append (text,
    _("Exit status:\n"
      "  0         success\n"
      "  1         failure: a migration or the database failed, a file is\n"
      "            malformed, -timeout expired (as goose)\n"
      "  2         usage error: unknown flag, bad flag value, missing or unknown\n"
      "            command or argument; nothing was done\n"
      "  3         status --exit-code: migrations are pending\n"
      "  4         refused by policy: the environment does not allow the\n"
      "            command, it needs --confirm, the circuit breaker is open;\n"
      "            nothing was written\n"
      "  130, 143  interrupted by SIGINT or SIGTERM; the running migration was\n"
      "            rolled back, unless it is NO TRANSACTION: that one may be\n"
      "            half applied (status shows it as running)\n"
      "\n"));
  g_string_append (text,
    _("Examples:\n"
      "  gander sqlite3 ./app.db status\n"
      "  gander -dir db/migrations postgres \"postgres://app@localhost/app\" up\n"
      "  GOOSE_DRIVER=sqlite3 GOOSE_DBSTRING=./app.db gander up-to 20240101120000\n"
      "  gander -dir db/migrations create add_users_table sql\n"
      "  gander -dir db/migrations validate -v\n"
      "  gander sqlite3 ./app.db status --json --exit-code\n"
      "  gander parse db/migrations/00001_init.sql --direction down --json\n"));
  return text;
}

static void
print_help (FILE *out)
{
  g_autoptr(GString) text = help_text ();

  fputs (text->str, out);
  fflush (out);
}

int
cli_usage_error (const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s\n", message);
  if (dotenv_problem != NULL)
    /* TRANSLATORS: %s says what is wrong with the file */
    g_printerr (_("note: ./.env was not loaded: %s\n"), dotenv_problem);
  g_printerr (_("Run “gander -h” for usage.\n"));
  return CLI_EXIT_USAGE;
}

/* goose's fatal errors: one log line with a fixed prefix ("goose run: "). */
void
cli_fatal_message (const char *prefix,
                   const char *message)
{
  cli_log_always ("%s%s", prefix, message);
}

/* What the policy gate refuses (exit status 4): nothing was written. */
gboolean
cli_error_is_refusal (const GError *error)
{
  return g_error_matches (error, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED) ||
         g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED) ||
         g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
}

void
cli_print_json (gpointer builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static const Flag *
lookup_flag (const char *name,
             gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    if (strlen (flags[i].name) == len && strncmp (flags[i].name, name, len) == 0)
      return &flags[i];
  return NULL;
}

static gboolean
set_flag (CliOptions  *opts,
          const Flag  *flag,
          const char  *value,
          GError     **error)
{
  gboolean b = FALSE;
  const char *name = flag->name;

  if (flag->kind == FLAG_BOOL && !cli_go_parse_bool (value, &b))
    {
      g_autofree char *quoted = cli_go_quote (value);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("invalid boolean value %s for -%s: parse error"),
                   quoted, name);
      return FALSE;
    }

#define IS(n) g_str_equal (name, n)
  if (IS ("dir"))
    {
      cli_set_str (&opts->dir, value);
      opts->dir_given = TRUE;
    }
  else if (IS ("table"))
    cli_set_str (&opts->table, value);
  else if (IS ("env"))
    cli_set_str (&opts->env_file, value);
  else if (IS ("direction"))
    cli_set_str (&opts->direction, value);
  else if (IS ("dialect"))
    cli_set_str (&opts->dialect, value);
  else if (IS ("timeout"))
    {
      g_autoptr(GError) local_error = NULL;

      if (!cli_go_parse_duration (value, &opts->timeout_ns, &local_error))
        {
          g_autofree char *quoted = cli_go_quote (value);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value %s for flag -%s: %s"),
                       quoted, name, local_error->message);
          return FALSE;
        }
      if (opts->timeout_ns < 0)
        {
          g_autofree char *quoted = cli_go_quote (value);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value %s for flag -%s: %s"), quoted, name,
                       _("a negative duration makes no sense here"));
          return FALSE;
        }
      cli_set_str (&opts->timeout_text, value);
    }
  else if (IS ("lock-timeout") || IS ("statement-timeout"))
    {
      g_autoptr(GError) local_error = NULL;
      gint64 ms;

      if (!cli_parse_ms_or_duration (value, &ms, &local_error))
        {
          g_autofree char *quoted = cli_go_quote (value);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value %s for flag -%s: %s"),
                       quoted, name, local_error->message);
          return FALSE;
        }
      if (IS ("lock-timeout"))
        {
          opts->lock_timeout_ms = ms;
          cli_set_str (&opts->lock_timeout_text, value);
        }
      else
        {
          opts->statement_timeout_ms = ms;
          cli_set_str (&opts->statement_timeout_text, value);
        }
    }
  else if (IS ("profile") || IS ("environment") || IS ("config") ||
           IS ("confirm") || IS ("metrics-file") || IS ("audit-log"))
    {
      /* an empty name would silently mean "none": say so instead */
      if (*value == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value \"\" for flag -%s: it must not be empty"),
                       name);
          return FALSE;
        }
      if (IS ("profile"))
        cli_set_str (&opts->profile, value);
      else if (IS ("environment"))
        cli_set_str (&opts->environment, value);
      else if (IS ("config"))
        cli_set_str (&opts->config, value);
      else if (IS ("confirm"))
        cli_set_str (&opts->confirm, value);
      else if (IS ("metrics-file"))
        cli_set_str (&opts->metrics_file, value);
      else
        cli_set_str (&opts->audit_log, value);
    }
  else if (IS ("reason"))
    cli_set_str (&opts->reason, value);
  else if (IS ("backup"))
    {
      if (!g_str_equal (value, "off") && !g_str_equal (value, "optional") &&
          !g_str_equal (value, "required"))
        {
          g_autofree char *quoted = cli_go_quote (value);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value %s for flag -%s: %s"), quoted, name,
                       _("expected off, optional or required"));
          return FALSE;
        }
      cli_set_str (&opts->backup, value);
    }
  else if (IS ("no-backup"))
    opts->no_backup = b;
  else if (IS ("backup-dir"))
    {
      if (*value == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value \"\" for flag -%s: it must not be empty"),
                       name);
          return FALSE;
        }
      cli_set_str (&opts->backup_dir, value);
    }
  else if (IS ("keep"))
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &n, NULL))
        {
          g_autofree char *quoted = cli_go_quote (value);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value %s for flag -%s: %s"), quoted, name,
                       _("expected a number of backups (0: no limit)"));
          return FALSE;
        }
      cli_set_str (&opts->keep, value);
    }
  else if (IS ("max-age"))
    {
      g_autoptr(GError) local_error = NULL;
      gint64 ns;

      if (!cli_go_parse_duration (value, &ns, &local_error) || ns < 0)
        {
          g_autofree char *quoted = cli_go_quote (value);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid value %s for flag -%s: %s"), quoted, name,
                       local_error != NULL ? local_error->message
                                           : _("a negative duration makes no sense here"));
          return FALSE;
        }
      cli_set_str (&opts->max_age, value);
    }
  else if (IS ("dry-run"))
    opts->dry_run = b;
  else if (IS ("mark-applied"))
    opts->mark_applied = b;
  else if (IS ("password-stdin"))
    opts->password_stdin = b;
  else if (IS ("v"))
    opts->verbose = b;
  else if (IS ("s"))
    opts->sequential = b;
  else if (IS ("allow-missing"))
    {
      opts->allow_missing = b;
      opts->allow_missing_given = TRUE;
    }
  else if (IS ("no-versioning"))
    opts->no_versioning = b;
  else if (IS ("no-color"))
    opts->no_color = b;
  else if (IS ("version"))
    opts->show_version = b;
  else if (IS ("h") || IS ("help"))
    opts->help = b;
  else if (IS ("json"))
    opts->json = b;
  else if (IS ("exit-code"))
    opts->exit_code = b;
  /* certfile, ssl-cert, ssl-key: MySQL only, kept for a warning */
  else if (IS ("certfile"))
    cli_set_str (&opts->certfile, value);
  else if (IS ("ssl-cert"))
    cli_set_str (&opts->ssl_cert, value);
  else if (IS ("ssl-key"))
    cli_set_str (&opts->ssl_key, value);
#undef IS
  return TRUE;
}

/* Go's flag package syntax, applied to the whole line the way goose's
 * xflag.ParseToEnd does: flags may follow positional arguments. `--` ends
 * the flags (goose keeps the `--` itself as an argument; Gander drops it). */
static gboolean
parse_args (CliOptions  *opts,
            int          argc,
            char       **argv,
            GError     **error)
{
  gboolean flags_done = FALSE;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *name, *eq;
      g_autofree char *flag_name = NULL;
      const Flag *flag;

      if (flags_done || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (opts->args, g_strdup (arg));
          continue;
        }
      name = arg + 1;
      if (name[0] == '-')
        {
          name++;
          if (name[0] == '\0')
            {
              flags_done = TRUE;
              continue;
            }
        }
      if (name[0] == '-' || name[0] == '=')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                       _("bad flag syntax: %s"), arg);
          return FALSE;
        }

      eq = strchr (name, '=');
      flag_name = eq != NULL ? g_strndup (name, eq - name) : g_strdup (name);
      flag = lookup_flag (flag_name, strlen (flag_name));
      if (flag == NULL)
        {
          g_autoptr(GPtrArray) names = g_ptr_array_new ();
          const char *nearest;

          for (guint f = 0; f < G_N_ELEMENTS (flags); f++)
            g_ptr_array_add (names, (gpointer) flags[f].name);
          g_ptr_array_add (names, NULL);
          nearest = cli_nearest_name (flag_name, (const char * const *) names->pdata);
          /* goose's (Go's) words first */
          if (nearest != NULL)
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                         _("flag provided but not defined: -%s (did you mean -%s?)"),
                         flag_name, nearest);
          else
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                         _("flag provided but not defined: -%s"), flag_name);
          return FALSE;
        }

      if (eq != NULL)
        {
          if (!set_flag (opts, flag, eq + 1, error))
            return FALSE;
        }
      else if (flag->kind == FLAG_BOOL)
        {
          set_flag (opts, flag, "true", NULL);
        }
      else if (i + 1 < argc)
        {
          if (!set_flag (opts, flag, argv[++i], error))
            return FALSE;
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("flag needs an argument: -%s"), flag_name);
          return FALSE;
        }
    }
  return TRUE;
}

static const char *
env_or_null (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
is_file_command (const char *command)
{
  for (guint i = 0; i < G_N_ELEMENTS (file_commands); i++)
    if (g_str_equal (command, file_commands[i]))
      return TRUE;
  return FALSE;
}

/* args[start..] as a NULL-terminated array */
static GStrv
args_tail (GPtrArray *args,
           guint      start)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = start; i < args->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (args, i));
  return g_strv_builder_end (builder);
}

/* `gander help [COMMAND]`: the whole help, or the lines of the help that
 * describe COMMAND (so they are translated once, with the help). */
static int
cmd_help (char **argv)
{
  g_autoptr(GString) text = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  if (argv[0] == NULL)
    {
      print_help (stdout);
      return CLI_EXIT_OK;
    }
  if (argv[1] != NULL)
    return cli_usage_error (_("help takes at most one COMMAND"));

  text = help_text ();
  lines = g_strsplit (text->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize n = strlen (argv[0]);

      /* a command's entry: "  NAME …" at the start of a line */
      if (!g_str_has_prefix (line, "  ") || strncmp (line + 2, argv[0], n) != 0 ||
          (line[2 + n] != ' ' && line[2 + n] != '\0'))
        continue;
      found = TRUE;
      g_print ("%s\n", line);
      /* and its continuation lines, indented further */
      while (lines[i + 1] != NULL && g_str_has_prefix (lines[i + 1], "       "))
        g_print ("%s\n", lines[++i]);
    }
  if (!found)
    {
      g_autofree char *quoted = cli_go_quote (argv[0]);
      const char *nearest = cli_nearest_command (argv[0]);

      if (nearest != NULL)
        return cli_usage_error (_("%s: no such command; did you mean %s?"), quoted, nearest);
      return cli_usage_error (_("%s: no such command"), quoted);
    }
  return CLI_EXIT_OK;
}

static gboolean
is_driver_name (const char *word)
{
  return g_strv_contains (driver_names, word);
}

static int run_with_profile (CliOptions  *opts,
                             const char  *driver,
                             const char  *dsn,
                             const char  *command,
                             char       **argv);

static int
run_file_command (CliOptions  *opts,
                  const char  *command,
                  char       **argv)
{
  if (g_str_equal (command, "create"))
    return cli_cmd_create (opts, argv);
  if (g_str_equal (command, "fix"))
    return cli_cmd_fix (opts);
  if (g_str_equal (command, "validate"))
    return cli_cmd_validate (opts);
  if (g_str_equal (command, "env"))
    return cli_cmd_env (opts);
  if (g_str_equal (command, "audit"))
    return cli_cmd_audit (opts, argv);
  if (g_str_equal (command, "lint"))
    {
      /* with a database (GOOSE_DRIVER and GOOSE_DBSTRING, ./.env, or a
       * profile): the pending migrations, and the profile's rule lists */
      if (opts->profile != NULL ||
          (env_or_null ("GOOSE_DRIVER") != NULL && env_or_null ("GOOSE_DBSTRING") != NULL))
        return run_with_profile (opts, NULL, NULL, command, argv);
      return cli_cmd_lint (opts, env_or_null ("GOOSE_DRIVER"), argv);
    }
  if (g_str_equal (command, "credentials"))
    return cli_cmd_credentials (opts, argv);
  return cli_cmd_parse (opts, argv);
}

/* A command that needs the effective settings: the database commands and
 * `config`. @driver, @dsn: as given on the command line (NULL: from the
 * profile or the GOOSE_* variables). */
static int
run_with_profile (CliOptions  *opts,
                  const char  *driver,
                  const char  *dsn,
                  const char  *command,
                  char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderProfile) profile = NULL;
  g_auto(GStrv) files = NULL;

  /* a configuration error names its file, line, group and key: the
   * usage hint would only distract (still exit 2: nothing was done) */
  profile = cli_profile_build (opts, driver, dsn, "command line", &files, &error);
  if (profile == NULL && cli_error_is_refusal (error))
    {
      /* a flag the environment does not allow (--no-backup where a
       * backup is required): refused, nothing was done */
      if (opts->json)
        {
          g_autoptr(JsonBuilder) builder = cli_json_begin (command);
          cli_json_end_gerror (builder, error);
        }
      cli_fatal_message ("refused: ", error->message);
      return CLI_EXIT_REFUSED;
    }
  if (profile == NULL)
    {
      g_printerr ("%s\n", error->message);
      return CLI_EXIT_USAGE;
    }
  if (g_str_equal (command, "config"))
    {
      if (argv[0] != NULL)
        return cli_usage_error (_("config takes no arguments"));
      return cli_cmd_config (opts, profile, (const char * const *) files);
    }

  /* goose's flags and variables were read the goose way already; what
   * they left unset comes from the configuration */
  if (driver == NULL)
    driver = gander_profile_get_driver (profile);
  if (dsn == NULL)
    dsn = gander_profile_get_dbstring (profile);
  if (driver == NULL || dsn == NULL)
    {
      const char *name = gander_profile_get_name (profile);

      if (name != NULL)
        return cli_usage_error (_("profile %s names no %s: add %s= to its [profile %s] group"),
                                name, driver == NULL ? "driver" : "dbstring",
                                driver == NULL ? "driver" : "dbstring", name);
      return cli_usage_error (_("expected DRIVER DBSTRING COMMAND, or COMMAND "
                                "with GOOSE_DRIVER and GOOSE_DBSTRING set"));
    }
  if (!opts->dir_given && env_or_null ("GOOSE_MIGRATION_DIR") == NULL)
    cli_set_str (&opts->dir, gander_profile_get_dir (profile));
  if (opts->table == NULL || *opts->table == '\0')
    cli_set_str (&opts->table, gander_profile_get_table (profile));
  if (!opts->allow_missing_given)
    opts->allow_missing = gander_profile_get_allow_missing (profile);
  if (g_str_equal (command, "lint"))
    return cli_cmd_lint_database (opts, profile, driver, dsn, argv);
  return cli_run_db_command (opts, profile, driver, dsn, command, argv);
}

static void
setup_i18n (void)
{
  const char *localedir = g_getenv ("GANDER_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE,
                  localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
main (int    argc,
      char **argv)
{
  g_auto(CliOptions) opts = { 0 };
  g_autoptr(GError) error = NULL;
  GPtrArray *args;
  gboolean merged_driver, merged_dsn;
  const char *no_color_env;
  gboolean no_color_value = FALSE;
  gboolean had_driver = FALSE, had_dsn = FALSE;
  gboolean driver_from_dotenv = FALSE, dsn_from_dotenv = FALSE;

  setup_i18n ();

  /* SQLite's memory statistics take a global mutex on every allocation,
   * and re-reading the schema after each ALTER TABLE allocates a lot: off,
   * this alone is ~15% of `up` on SQLite (bench/). The library cannot do
   * this for its host application, but the tool owns its process. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);

  opts.dir = g_strdup (".");
  opts.lock_timeout_ms = -1;
  opts.statement_timeout_ms = -1;
  opts.args = g_ptr_array_new_with_free_func (g_free);

  if (!parse_args (&opts, argc, argv, &error))
    return cli_usage_error ("%s", error->message);

  if (opts.help)
    {
      print_help (stdout);
      return CLI_EXIT_OK;
    }
  if (opts.show_version)
    {
      g_print ("gander version: %s\n", PACKAGE_VERSION);
      return CLI_EXIT_OK;
    }

  /* .env first, so its values count as environment from here on */
  if (opts.env_file == NULL || *opts.env_file == '\0')
    {
      g_autoptr(GError) dotenv_error = NULL;

      had_driver = env_or_null ("GOOSE_DRIVER") != NULL;
      had_dsn = env_or_null ("GOOSE_DBSTRING") != NULL;
      /* best effort, as goose: a broken file is only told with a usage
       * error (below), which it may explain */
      if (!cli_dotenv_load (".env", &dotenv_error) &&
          !g_error_matches (dotenv_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        dotenv_problem = g_strdup (dotenv_error->message);
      driver_from_dotenv = !had_driver && env_or_null ("GOOSE_DRIVER") != NULL;
      dsn_from_dotenv = !had_dsn && env_or_null ("GOOSE_DBSTRING") != NULL;
    }
  else if (!g_str_equal (opts.env_file, "none") &&
           !cli_dotenv_load (opts.env_file, &error))
    {
      cli_fatal_message ("failed to load env file: ", error->message);
      return CLI_EXIT_FAILURE;
    }

  /* goose: GOOSE_MIGRATION_DIR wins over "." even when -dir=. is explicit */
  if (g_str_equal (opts.dir, ".") && env_or_null ("GOOSE_MIGRATION_DIR") != NULL)
    cli_set_str (&opts.dir, env_or_null ("GOOSE_MIGRATION_DIR"));
  if (opts.table != NULL && *opts.table != '\0')
    opts.table_flag = g_strdup (opts.table);
  if ((opts.table == NULL || *opts.table == '\0'))
    cli_set_str (&opts.table, env_or_null ("GOOSE_TABLE"));

  no_color_env = env_or_null ("NO_COLOR");
  if (no_color_env != NULL)
    cli_go_parse_bool (no_color_env, &no_color_value);
  cli_log_set_color (!opts.no_color && !no_color_value && isatty (STDERR_FILENO));
  cli_log_install_lib_writer (opts.verbose);

  args = opts.args;
  if (args->len == 0)
    {
      print_help (stderr);
      return CLI_EXIT_USAGE;
    }

  if (g_str_equal (g_ptr_array_index (args, 0), "help"))
    {
      g_auto(GStrv) rest = args_tail (args, 1);
      return cmd_help (rest);
    }

  /* goose matches the file commands before it merges GOOSE_DRIVER and
   * GOOSE_DBSTRING into the arguments */
  if (is_file_command (g_ptr_array_index (args, 0)))
    {
      g_auto(GStrv) rest = args_tail (args, 1);
      return run_file_command (&opts, g_ptr_array_index (args, 0), rest);
    }

  /* `config`, and any command with --profile: DRIVER and DBSTRING may
   * come from the profile (or GOOSE_DRIVER and GOOSE_DBSTRING) */
  {
    const char *first = g_ptr_array_index (args, 0);

    if (g_str_equal (first, "config") ||
        (opts.profile != NULL && cli_is_db_command (first)))
      {
        g_auto(GStrv) rest = args_tail (args, 1);
        return run_with_profile (&opts, NULL, NULL, first, rest);
      }
  }

  /* goose's mergeArgs */
  merged_driver = env_or_null ("GOOSE_DRIVER") != NULL;
  merged_dsn = env_or_null ("GOOSE_DBSTRING") != NULL;
  if (merged_driver)
    g_ptr_array_insert (args, 0, g_strdup (env_or_null ("GOOSE_DRIVER")));
  if (merged_dsn)
    g_ptr_array_insert (args, 1, g_strdup (env_or_null ("GOOSE_DBSTRING")));
  if (args->len < 3)
    {
      const char *first = g_ptr_array_index (args, 0);
      const char *nearest = NULL;

      /* name what is missing: most often the DBSTRING */
      if (merged_driver && !merged_dsn)
        return cli_usage_error (_("missing DBSTRING: GOOSE_DRIVER is set (%s) but "
                                  "GOOSE_DBSTRING is not; set GOOSE_DBSTRING, or give "
                                  "DRIVER DBSTRING COMMAND"),
                                env_or_null ("GOOSE_DRIVER"));
      if (!merged_driver && !merged_dsn && is_driver_name (first))
        return cli_usage_error (_("missing DBSTRING after DRIVER %s: expected DRIVER "
                                  "DBSTRING COMMAND"), first);
      if (args->len == 1 && !merged_driver && !merged_dsn)
        nearest = cli_nearest_command (first);
      if (nearest != NULL)
        {
          g_autofree char *quoted = cli_go_quote (first);

          return cli_usage_error (_("%s: no such command; did you mean %s?"), quoted, nearest);
        }
      return cli_usage_error (_("expected DRIVER DBSTRING COMMAND, or COMMAND "
                                "with GOOSE_DRIVER and GOOSE_DBSTRING set"));
    }

  /* GOOSE_DRIVER and GOOSE_DBSTRING go in front of the arguments, so a
   * DRIVER DBSTRING on the command line as well is read as the command */
  if (merged_driver && is_driver_name (g_ptr_array_index (args, 2)))
    {
      g_autofree char *quoted = cli_go_quote (g_ptr_array_index (args, 2));

      if (driver_from_dotenv || dsn_from_dotenv)
        return cli_usage_error (_("%s: no such command\n"
                                  "note: GOOSE_DRIVER=%s came from ./.env and goes in front "
                                  "of the arguments, so the DRIVER DBSTRING given here are "
                                  "read as COMMAND; leave them out, or run with -env none"),
                                quoted, env_or_null ("GOOSE_DRIVER"));
      return cli_usage_error (_("%s: no such command\n"
                                "note: GOOSE_DRIVER=%s is set and goes in front of the "
                                "arguments, so the DRIVER DBSTRING given here are read as "
                                "COMMAND; leave them out, or unset GOOSE_DRIVER and "
                                "GOOSE_DBSTRING"),
                              quoted, env_or_null ("GOOSE_DRIVER"));
    }

  {
    g_auto(GStrv) rest = args_tail (args, 3);
    const char *command = g_ptr_array_index (args, 2);

    if (g_str_equal (command, "lint"))
      return run_with_profile (&opts, g_ptr_array_index (args, 0), g_ptr_array_index (args, 1),
                               command, rest);
    if (is_file_command (command))
      return run_file_command (&opts, command, rest);
    /* what came from the variables is in the profile already */
    return run_with_profile (&opts, merged_driver ? NULL : g_ptr_array_index (args, 0),
                             merged_dsn ? NULL : g_ptr_array_index (args, 1),
                             command, rest);
  }
}
