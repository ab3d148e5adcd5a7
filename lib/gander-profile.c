/* gander-profile.c: the effective settings for one database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "gander-database.h"
#include "gander-duration-private.h"
#include "gander-enum-types.h"
#include "gander-error.h"
#include "gander-linter.h"
#include "gander-profile-private.h"

/**
 * GanderProfile:
 *
 * The effective settings for one database: where it is (`driver`,
 * `dbstring`, `dir`, `table`), which environment it belongs to and what
 * that environment allows, timeouts, retries, the circuit breaker, and
 * where audit records and metrics go.
 *
 * Every value is kept per layer, and the highest layer that has one wins:
 *
 * 1. built-in defaults (goose's behaviour);
 * 2. the `[gander]` group of the configuration files;
 * 3. the environment: first Gander's built-in defaults for `development`,
 *    `staging` or `production`, then the files' `[environment NAME]` groups;
 * 4. the `[profile NAME]` group;
 * 5. environment variables (gander_profile_apply_environ());
 * 6. gander_profile_set() (command-line flags, applications).
 *
 * Each value remembers where it came from (gander_profile_get_origin()),
 * which is what `gander config` prints. Changing `environment` at any layer
 * replaces the environment layer, so a key set above it keeps its value.
 *
 * Profiles usually come from gander_config_resolve(); an application may
 * also build one directly:
 *
 * |[<!-- language="C" -->
 * g_autoptr(GanderProfile) profile = gander_profile_new ("alerts");
 *
 * if (!gander_profile_set (profile, "driver", "sqlite3", "my-app", error) ||
 *     !gander_profile_set (profile, "dbstring", "/var/lib/my-app/alerts.db", "my-app", error) ||
 *     !gander_profile_set (profile, "environment", "production", "my-app", error))
 *   return NULL;
 * // 10 s, from "built-in [environment production]"
 * lock_timeout = gander_profile_get_lock_timeout (profile);
 * ]|
 *
 * Durations are written as Go writes them (`30s`, `1h30m`, `500ms`; `0` is
 * no limit) and read back as #GTimeSpan. Lists (`allow-commands`,
 * `require-confirmation`) are separated by `;` and name the commands `up`,
 * `up-by-one`, `up-to`, `down`, `down-to`, `redo`, `reset`, `status`,
 * `version`, `validate`, `baseline`, `clear-dirty`, `accept-checksum`,
 * `breaker-reset`, `backup`, `restore`, `health` and `prune-backups`;
 * `repair` stands for `clear-dirty` and `accept-checksum`, `all` for every
 * command.
 *
 * Backups and health checks (see #GanderManager): `backup`
 * (#GanderBackupMode), `backup-verify` (`off`, `quick`, `full`),
 * `backup-keep`, `backup-max-age`, `backup-dir`, `pg-bindir`,
 * `health-before` and `health-after` (`all`, `none` or a list of check
 * names), `health-before-refuse` (#GanderHealthRefuse),
 * `health-after-fail` (`error`, `warn`), `free-space-factor` and
 * `post-check-sql`. Their defaults depend on the environment: production
 * requires a fully verified backup, refuses a run on a health warning and
 * fails a run that leaves a failed check.
 *
 * Lint (see #GanderLinter and `docs/lint.md`): `lint` (#GanderLintMode:
 * `warn` in development, `error` in staging and production) says what an
 * error-severity finding in the migrations a run is about to run does;
 * `lint-disable`, `lint-error` and `lint-warn` list rule ids (separated by
 * `;`) turned off, raised to error or lowered to warning. A rule in more
 * than one list: `lint-disable` wins, then `lint-error`.
 *
 * A `dbstring` read from a configuration file never holds a password:
 * passwords go in `~/.pgpass`, `PGPASSFILE` or the daemon's credential
 * store. (`GOOSE_DBSTRING` and gander_profile_set() still accept one, as
 * goose does; gander_dsn_mask() hides it wherever it is shown.)
 *
 * `password-source` says where the password comes from instead
 * (#GanderPasswordSource): `none` (the default: libpq's `~/.pgpass`,
 * `PGPASSFILE`, peer or certificate authentication), `keyring` (the
 * user's keyring, filled by `gander credentials set PROFILE` or
 * gander_credentials_store()), `credential:NAME` (a systemd credential,
 * `$CREDENTIALS_DIRECTORY/NAME`), `file:PATH` (an absolute path to a file
 * of mode 0600 or stricter owned by the user who connects; one trailing
 * newline is dropped) or `store` (gander-daemon's own store, which only
 * the daemon reads). #GanderManager looks it up when it connects to a
 * PostgreSQL database, unless the connection string holds a password or
 * one was set with gander_database_set_password().
 *
 * A profile is not thread-safe: set it up in one thread, then read it from
 * any.
 *
 * Since: 0.2
 */

typedef enum {
  KIND_STRING,          /* free text (paths) */
  KIND_DRIVER,
  KIND_DBSTRING,
  KIND_TABLE,
  KIND_ENVIRONMENT,
  KIND_BOOL,
  KIND_ALLOW_LIST,      /* commands, "all"; never empty */
  KIND_CONFIRM_LIST,    /* commands, "all"; empty = none */
  KIND_LEVEL,           /* ignore|warn|error */
  KIND_TARGET_LEVEL,    /* warn|error */
  KIND_DURATION,        /* >= 0; 0 = no limit */
  KIND_OPT_DURATION,    /* >= 0, or empty = unset */
  KIND_ATTEMPTS,        /* >= 1 */
  KIND_COUNT,           /* >= 0 */
  KIND_MULTIPLIER,      /* >= 1.0 */
  KIND_BACKUP_MODE,     /* off|optional|required */
  KIND_BACKUP_VERIFY,   /* off|quick|full */
  KIND_CHECKS_BEFORE,   /* all|none|health check names (before) */
  KIND_CHECKS_AFTER,    /* all|none|health check names (after) */
  KIND_REFUSE,          /* fail|warn|never */
  KIND_AFTER_FAIL,      /* error|warn */
  KIND_FACTOR,          /* double >= 0 */
  KIND_SQL_LIST,        /* queries separated by ';' */
  KIND_PASSWORD_SOURCE, /* none|keyring|store|credential:NAME|file:PATH */
  KIND_LINT_MODE,       /* off|warn|error */
  KIND_LINT_RULES,      /* lint rule ids; empty = none */
} KeyKind;

/* Which groups of a configuration file may set a key. */
#define IN_GLOBAL   (1u << 0)
#define IN_ENV      (1u << 1)
#define IN_PROFILE  (1u << 2)
#define ANYWHERE    (IN_GLOBAL | IN_ENV | IN_PROFILE)

typedef struct {
  const char *name;
  KeyKind     kind;
  guint       where;
  const char *builtin;   /* NULL: unset */
} KeyInfo;

/* Sorted by name (gander_profile_list_keys() relies on it). */
static const KeyInfo keys[] = {
  { "allow-commands",       KIND_ALLOW_LIST,   ANYWHERE,   "all" },
  { "allow-missing",        KIND_BOOL,         ANYWHERE,   "false" },
  { "audit-log",            KIND_STRING,       ANYWHERE,   NULL },
  { "auto-migrate",         KIND_BOOL,         ANYWHERE,   "true" },
  { "backup",               KIND_BACKUP_MODE,  ANYWHERE,   "off" },
  { "backup-dir",           KIND_STRING,       ANYWHERE,   NULL },
  { "backup-keep",          KIND_COUNT,        ANYWHERE,   "10" },
  { "backup-max-age",       KIND_DURATION,     ANYWHERE,   "0" },
  { "backup-verify",        KIND_BACKUP_VERIFY, ANYWHERE,  "quick" },
  { "breaker-open",         KIND_DURATION,     ANYWHERE,   "10m" },
  { "breaker-threshold",    KIND_COUNT,        ANYWHERE,   "0" },
  { "checksum-drift",       KIND_LEVEL,        ANYWHERE,   "warn" },
  { "dbstring",             KIND_DBSTRING,     IN_PROFILE, NULL },
  { "dir",                  KIND_STRING,       IN_GLOBAL | IN_PROFILE, "." },
  { "driver",               KIND_DRIVER,       IN_PROFILE, NULL },
  { "dry-run-first",        KIND_BOOL,         ANYWHERE,   "false" },
  { "environment",          KIND_ENVIRONMENT,  IN_GLOBAL | IN_PROFILE, "development" },
  { "free-space-factor",    KIND_FACTOR,       ANYWHERE,   "1.5" },
  { "health-after",         KIND_CHECKS_AFTER, ANYWHERE,   "all" },
  { "health-after-fail",    KIND_AFTER_FAIL,   ANYWHERE,   "warn" },
  { "health-before",        KIND_CHECKS_BEFORE, ANYWHERE,  "all" },
  { "health-before-refuse", KIND_REFUSE,       ANYWHERE,   "fail" },
  { "lint",                 KIND_LINT_MODE,    ANYWHERE,   "warn" },
  { "lint-disable",         KIND_LINT_RULES,   ANYWHERE,   "" },
  { "lint-error",           KIND_LINT_RULES,   ANYWHERE,   "" },
  { "lint-warn",            KIND_LINT_RULES,   ANYWHERE,   "" },
  { "lock-timeout",         KIND_OPT_DURATION, ANYWHERE,   NULL },
  { "metrics-file",         KIND_STRING,       ANYWHERE,   NULL },
  { "password-source",      KIND_PASSWORD_SOURCE, ANYWHERE, NULL },
  { "pg-bindir",            KIND_STRING,       ANYWHERE,   NULL },
  { "post-check-sql",       KIND_SQL_LIST,     ANYWHERE,   NULL },
  { "require-confirmation", KIND_CONFIRM_LIST, ANYWHERE,   "" },
  { "retry-initial-delay",  KIND_DURATION,     ANYWHERE,   "500ms" },
  { "retry-max-attempts",   KIND_ATTEMPTS,     ANYWHERE,   "1" },
  { "retry-max-delay",      KIND_DURATION,     ANYWHERE,   "30s" },
  { "retry-multiplier",     KIND_MULTIPLIER,   ANYWHERE,   "2" },
  { "statement-timeout",    KIND_DURATION,     ANYWHERE,   "0" },
  { "table",                KIND_TABLE,        IN_GLOBAL | IN_PROFILE, NULL },
  { "timeout",              KIND_DURATION,     ANYWHERE,   "0" },
  { "unknown-target",       KIND_TARGET_LEVEL, ANYWHERE,   "warn" },
};

#define N_KEYS G_N_ELEMENTS (keys)

typedef struct {
  const char *environment;
  const char *key;
  const char *value;
} BuiltinEnvValue;

#define STAGING_VALUES(env) \
  { env, "allow-commands", "all" }, \
  { env, "require-confirmation", "down;down-to;redo;reset;repair;baseline;breaker-reset" }, \
  { env, "auto-migrate", "false" }, \
  { env, "dry-run-first", "true" }, \
  { env, "checksum-drift", "error" }, \
  { env, "unknown-target", "error" }, \
  { env, "retry-max-attempts", "3" }, \
  { env, "retry-initial-delay", "500ms" }, \
  { env, "retry-max-delay", "30s" }, \
  { env, "retry-multiplier", "2" }, \
  { env, "breaker-threshold", "3" }, \
  { env, "breaker-open", "10m" }, \
  { env, "lock-timeout", "10s" }, \
  /* a statement that fails at run time is refused before anything runs */ \
  { env, "lint", "error" }

static const BuiltinEnvValue builtin_env_values[] = {
  /* goose's behaviour */
  { "development", "allow-commands", "all" },
  { "development", "require-confirmation", "" },
  { "development", "auto-migrate", "true" },
  { "development", "dry-run-first", "false" },
  { "development", "checksum-drift", "warn" },
  { "development", "unknown-target", "warn" },
  { "development", "retry-max-attempts", "1" },
  { "development", "breaker-threshold", "0" },
  { "development", "backup", "off" },
  { "development", "backup-verify", "quick" },
  { "development", "health-before-refuse", "fail" },
  { "development", "health-after-fail", "warn" },
  /* goose would run the file and let it fail: say so, do not refuse */
  { "development", "lint", "warn" },
  STAGING_VALUES ("staging"),
  { "staging", "backup", "optional" },
  { "staging", "backup-verify", "quick" },
  { "staging", "health-before-refuse", "fail" },
  { "staging", "health-after-fail", "warn" },
  STAGING_VALUES ("production"),
  { "production", "timeout", "30m" },
  /* a production migration starts from a verified backup and a healthy
   * database, and a database left unsound fails the run */
  { "production", "backup", "required" },
  { "production", "backup-verify", "full" },
  { "production", "health-before-refuse", "warn" },
  { "production", "health-after-fail", "error" },
};

static const char * const builtin_environments[] = {
  "development", "staging", "production", NULL
};

/* what may be written in a command list: the commands and the aliases */
static const char * const list_words[] = {
  "up", "up-by-one", "up-to", "down", "down-to", "redo", "reset", "status",
  "version", "validate", "baseline", "clear-dirty", "accept-checksum",
  "breaker-reset", "backup", "restore", "health", "prune-backups",
  "repair", "all", NULL
};

static const char * const backup_modes[] = { "off", "optional", "required", NULL };
static const char * const verify_levels[] = { "off", "quick", "full", NULL };
static const char * const refuse_levels[] = { "fail", "warn", "never", NULL };
static const char * const after_fail_levels[] = { "error", "warn", NULL };
static const char * const lint_modes[] = { "off", "warn", "error", NULL };

/* GanderHealth's check names (gander_health_check_names()), per phase:
 * what health-before and health-after may list. */
static const char * const before_checks[] = {
  "connectivity", "writable", "privileges", "version-table", "disk-space",
  "blocking-locks", NULL
};
static const char * const after_checks[] = {
  "target-version", "running-marker", "integrity", "foreign-keys",
  "invalid-indexes", "not-valid-constraints", "post-check-sql", NULL
};

static const char * const drivers[] = {
  "sqlite3", "sqlite", "postgres", "pgx", NULL
};

typedef struct {
  char *value;
  char *origin;
} Slot;

typedef struct {
  char *environment;
  guint key;
  char *value;
  char *origin;
} EnvValue;

struct _GanderProfile
{
  GObject    parent_instance;

  char      *name;
  Slot       slots[N_KEYS][GANDER_N_LAYERS];
  GPtrArray *env_values;     /* EnvValue, from the files, in file order */
  GPtrArray *env_names;      /* char *: environments the files define */
  char      *layered_env;    /* the environment the layer was built for */
};

G_DEFINE_FINAL_TYPE (GanderProfile, gander_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
env_value_free (gpointer data)
{
  EnvValue *ev = data;

  g_free (ev->environment);
  g_free (ev->value);
  g_free (ev->origin);
  g_free (ev);
}

static void
slot_clear (Slot *slot)
{
  g_clear_pointer (&slot->value, g_free);
  g_clear_pointer (&slot->origin, g_free);
}

static void
slot_set (Slot       *slot,
          const char *value,
          const char *origin)
{
  char *v = g_strdup (value);
  char *o = g_strdup (origin);

  slot_clear (slot);
  slot->value = v;
  slot->origin = o;
}

static int
key_index (const char *key)
{
  guint lo = 0, hi = N_KEYS;

  if (key == NULL)
    return -1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      int cmp = strcmp (key, keys[mid].name);

      if (cmp == 0)
        return mid;
      if (cmp < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return -1;
}

static const char * const *
key_names (void)
{
  static const char *names[N_KEYS + 1];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      for (guint i = 0; i < N_KEYS; i++)
        names[i] = keys[i].name;
      g_once_init_leave (&once, 1);
    }
  return names;
}

/* --- nearest names --- */

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

const char *
gander_nearest_word (const char         *word,
                     const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit;

  if (word == NULL || candidates == NULL)
    return NULL;
  /* about one typo in three letters, and always two */
  limit = MAX (2, (guint) strlen (word) / 3);
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      guint d = edit_distance (word, candidates[i]);

      /* "lock" for "lock-timeout": a prefix is a good guess too */
      if (d > limit && strlen (word) >= 3 &&
          g_str_has_prefix (candidates[i], word))
        d = limit;
      if (d < best_distance)
        {
          best = candidates[i];
          best_distance = d;
        }
    }
  return best_distance <= limit ? best : NULL;
}

/* --- values --- */

static char *
join_words (const char * const *words)
{
  return g_strjoinv (", ", (char **) words);
}

static gboolean
value_error (GError     **error,
             const char  *origin,
             const char  *key,
             const char  *value,
             const char  *format,
             ...) G_GNUC_PRINTF (5, 6);

/* "ORIGIN: KEY=VALUE: PROBLEM" */
static gboolean
value_error (GError     **error,
             const char  *origin,
             const char  *key,
             const char  *value,
             const char  *format,
             ...)
{
  va_list args;
  g_autofree char *problem = NULL;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);
  if (value != NULL)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                 /* TRANSLATORS: origin (file:line [group] or a variable),
                  * key, value, problem */
                 _("%s: %s=%s: %s"), origin, key, value, problem);
  else
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                 _("%s: %s: %s"), origin, key, problem);
  return FALSE;
}

static gboolean
parse_bool (const char *text,
            gboolean   *out)
{
  static const char * const yes[] = { "true", "yes", "on", "1" };
  static const char * const no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        {
          *out = TRUE;
          return TRUE;
        }
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        {
          *out = FALSE;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
parse_level (const char        *text,
             GanderPolicyLevel *out)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GANDER_TYPE_POLICY_LEVEL);
  g_autofree char *lower = g_ascii_strdown (text, -1);
  GEnumValue *ev = g_enum_get_value_by_nick (klass, lower);

  if (ev == NULL)
    return FALSE;
  *out = ev->value;
  return TRUE;
}

/* The words of a command list ("down; down-to;redo"), without blanks. */
static GStrv
split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ";,", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static gboolean
list_contains (const char *list,
               const char *command)
{
  g_auto(GStrv) words = NULL;

  if (list == NULL || command == NULL)
    return FALSE;
  words = split_list (list);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_equal (words[i], "all") || g_str_equal (words[i], command))
        return TRUE;
      if (g_str_equal (words[i], "repair") &&
          (g_str_equal (command, "clear-dirty") ||
           g_str_equal (command, "accept-checksum")))
        return TRUE;
    }
  return FALSE;
}

/* Skips blanks; returns the position after them. */
static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
    p++;
  return p;
}

/* libpq's key=value form: does any key say "password"? A text that does
 * not parse as key=value pairs (an SQLite path) holds none. */
static gboolean
conninfo_has_password (const char *text)
{
  const char *p = skip_blanks (text);

  while (*p != '\0')
    {
      const char *key = p;
      gsize key_len;

      while (*p != '\0' && *p != '=' && *p != ' ' && *p != '\t' && *p != '\n')
        p++;
      key_len = p - key;
      p = skip_blanks (p);
      if (*p != '=')
        return FALSE;
      if (key_len == strlen ("password") &&
          g_ascii_strncasecmp (key, "password", key_len) == 0)
        return TRUE;
      p = skip_blanks (p + 1);
      if (*p == '\'')
        {
          for (p++; *p != '\0' && *p != '\''; p++)
            if (*p == '\\' && p[1] != '\0')
              p++;
          if (*p == '\'')
            p++;
        }
      else
        {
          while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              p++;
            }
        }
      p = skip_blanks (p);
    }
  return FALSE;
}

/* scheme://user:password@host/db?password=… */
static gboolean
uri_has_password (const char *text)
{
  const char *sep = strstr (text, "://");
  const char *authority, *end, *at, *query;

  if (sep == NULL)
    return FALSE;
  for (const char *s = text; s < sep; s++)
    if (!(g_ascii_isalnum (*s) || *s == '+' || *s == '-' || *s == '.'))
      return FALSE;
  authority = sep + 3;
  end = authority + strcspn (authority, "/?#");
  at = NULL;
  for (const char *s = authority; s < end; s++)
    if (*s == '@')
      at = s;
  if (at != NULL && memchr (authority, ':', at - authority) != NULL)
    return TRUE;

  query = strchr (end, '?');
  if (query != NULL)
    {
      g_auto(GStrv) params = g_strsplit (query + 1, "&", -1);

      for (guint i = 0; params[i] != NULL; i++)
        if (g_ascii_strncasecmp (params[i], "password=", strlen ("password=")) == 0)
          return TRUE;
    }
  return FALSE;
}

static gboolean
dbstring_has_password (const char *text)
{
  return uri_has_password (text) || conninfo_has_password (text);
}

gboolean
gander_dsn_has_password (const char *dsn)
{
  return dsn != NULL && dbstring_has_password (dsn);
}

static gboolean
environment_known (GanderProfile *self,
                   const char    *name)
{
  if (g_strv_contains (builtin_environments, name))
    return TRUE;
  if (self != NULL)
    for (guint i = 0; i < self->env_names->len; i++)
      if (g_str_equal (g_ptr_array_index (self->env_names, i), name))
        return TRUE;
  return FALSE;
}

static GStrv
environment_names (GanderProfile *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **) builtin_environments);
  if (self != NULL)
    for (guint i = 0; i < self->env_names->len; i++)
      g_strv_builder_add (builder, g_ptr_array_index (self->env_names, i));
  return g_strv_builder_end (builder);
}

static gboolean
key_allowed_at (const KeyInfo *info,
                GanderLayer    layer)
{
  switch (layer)
    {
    case GANDER_LAYER_GLOBAL:
      return (info->where & IN_GLOBAL) != 0;
    case GANDER_LAYER_ENVIRONMENT:
      return (info->where & IN_ENV) != 0;
    case GANDER_LAYER_PROFILE:
      return (info->where & IN_PROFILE) != 0;
    case GANDER_LAYER_BUILTIN:
    case GANDER_LAYER_ENVIRON:
    case GANDER_LAYER_EXPLICIT:
    case GANDER_N_LAYERS:
    default:
      return TRUE;
    }
}

/* What a word list holds: its known words and its messages. */
typedef enum {
  WORDS_COMMANDS,       /* allow-commands, require-confirmation */
  WORDS_LINT_RULES,     /* lint-disable, lint-error, lint-warn */
} WordList;

/* A list of words separated by ';' or ',', each one of @what's; empty
 * only when @allow_empty. */
static gboolean
check_word_list (const char  *value,
                 WordList     what,
                 gboolean     allow_empty,
                 const char  *origin,
                 const char  *key,
                 GError     **error)
{
  const char * const *known_words =
    what == WORDS_COMMANDS ? list_words : gander_lint_list_rules ();
  g_auto(GStrv) words = split_list (value);
  const char *near;
  g_autofree char *known = NULL;
  guint i;

  if (words[0] == NULL && !allow_empty)
    {
      g_assert (what == WORDS_COMMANDS);
      return value_error (error, origin, key, value,
                          _("the list is empty, so no command could run; "
                            "write “all” to allow every command"));
    }
  for (i = 0; words[i] != NULL; i++)
    if (!g_strv_contains (known_words, words[i]))
      break;
  if (words[i] == NULL)
    return TRUE;

  near = gander_nearest_word (words[i], known_words);
  known = join_words (known_words);
  switch (what)
    {
    case WORDS_COMMANDS:
      if (near != NULL)
        return value_error (error, origin, key, value,
                            _("unknown command “%s”; did you mean “%s”?"),
                            words[i], near);
      return value_error (error, origin, key, value,
                          _("unknown command “%s” (known: %s)"),
                          words[i], known);
    case WORDS_LINT_RULES:
      if (near != NULL)
        return value_error (error, origin, key, value,
                            _("unknown lint rule “%s”; did you mean “%s”? "
                              "(the rules: %s)"), words[i], near, known);
      return value_error (error, origin, key, value,
                          _("unknown lint rule “%s” (the rules: %s)"),
                          words[i], known);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
check_duration (const char  *value,
                const char  *origin,
                const char  *key,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GTimeSpan span;

  if (!gander_parse_duration (value, &span, &local_error))
    return value_error (error, origin, key, NULL, "%s", local_error->message);
  if (span < 0)
    return value_error (error, origin, key, value,
                        _("a duration here cannot be negative (0 means no limit)"));
  return TRUE;
}

static gboolean
check_word (const char          *value,
            const char * const  *words,
            const char          *origin,
            const char          *key,
            char               **lower,
            GError             **error)
{
  g_autofree char *down = g_ascii_strdown (value, -1);

  if (!g_strv_contains (words, down))
    {
      const char *near = gander_nearest_word (down, words);
      g_autofree char *known = join_words (words);

      if (near != NULL)
        return value_error (error, origin, key, value,
                            _("must be one of %s; did you mean “%s”?"), known, near);
      return value_error (error, origin, key, value, _("must be one of %s"), known);
    }
  *lower = g_steal_pointer (&down);
  return TRUE;
}

/* all, none, or health check names of one phase */
static gboolean
check_checks (const char          *value,
              const char * const  *names,
              const char          *origin,
              const char          *key,
              GError             **error)
{
  g_auto(GStrv) words = split_list (value);
  guint n = g_strv_length (words);

  if (n == 0)
    return value_error (error, origin, key, value,
                        _("the list is empty: write “none” to run no check, "
                          "“all” to run every one"));
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_equal (words[i], "all") || g_str_equal (words[i], "none"))
        {
          if (n > 1)
            return value_error (error, origin, key, value,
                                _("“%s” stands alone: write it, or a list of "
                                  "check names"), words[i]);
          continue;
        }
      if (!g_strv_contains (names, words[i]))
        {
          const char *near = gander_nearest_word (words[i], names);
          g_autofree char *known = join_words (names);

          if (near != NULL)
            return value_error (error, origin, key, value,
                                _("unknown health check “%s”; did you mean “%s”? "
                                  "(known: %s)"), words[i], near, known);
          return value_error (error, origin, key, value,
                              _("unknown health check “%s” (known: all, none, %s)"),
                              words[i], known);
        }
    }
  return TRUE;
}

/* none, keyring, store, credential:NAME or file:PATH (absolute) */
static gboolean
check_password_source (const char  *value,
                       const char  *origin,
                       const char  *key,
                       char       **normalized,
                       GError     **error)
{
  static const char * const words[] = {
    "none", "keyring", "store", "credential:", "file:", NULL
  };
  g_autofree char *down = NULL;

  if (g_str_has_prefix (value, "credential:"))
    {
      const char *name = value + strlen ("credential:");

      if (*name == '\0')
        return value_error (error, origin, key, value,
                            _("credential: needs the credential's name, as "
                              "systemd's LoadCredential= gives it "
                              "(credential:NAME, read from "
                              "$CREDENTIALS_DIRECTORY/NAME)"));
      if (strchr (name, '/') != NULL || g_str_equal (name, ".") ||
          g_str_equal (name, ".."))
        return value_error (error, origin, key, value,
                            _("a credential's name cannot contain “/” or be "
                              "“.” or “..”; for a file anywhere, write "
                              "file:PATH"));
      *normalized = g_strdup (value);
      return TRUE;
    }
  if (g_str_has_prefix (value, "file:"))
    {
      const char *path = value + strlen ("file:");

      if (*path == '\0' || !g_path_is_absolute (path))
        return value_error (error, origin, key, value,
                            _("file: needs an absolute path (file:/etc/gander/"
                              "alerts.pw), to a file of mode 0600 owned by the "
                              "user who connects"));
      *normalized = g_strdup (value);
      return TRUE;
    }

  down = g_ascii_strdown (value, -1);
  if (g_str_equal (down, "none") || g_str_equal (down, "keyring") ||
      g_str_equal (down, "store"))
    {
      *normalized = g_steal_pointer (&down);
      return TRUE;
    }
  {
    const char *near = gander_nearest_word (down, words);

    if (near != NULL && !g_str_has_suffix (near, ":"))
      return value_error (error, origin, key, value,
                          _("must be none, keyring, store, credential:NAME or "
                            "file:PATH; did you mean “%s”?"), near);
    return value_error (error, origin, key, value,
                        _("must be none, keyring, store, credential:NAME or "
                          "file:PATH"));
  }
}

/* Validates VALUE for the key at INDEX; *normalized receives the form
 * stored (booleans and levels in lower case, blanks trimmed). */
static gboolean
check_value (GanderProfile  *self,
             guint           index,
             const char     *raw,
             GanderLayer     layer,
             const char     *origin,
             char          **normalized,
             GError        **error)
{
  const KeyInfo *info = &keys[index];
  g_autofree char *value = g_strstrip (g_strdup (raw));
  const char *key = info->name;

  if (!key_allowed_at (info, layer))
    {
      if (info->where & IN_GLOBAL)
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     /* TRANSLATORS: origin (it names the group), key */
                     _("%s: “%s” cannot be set in this group (put it in a "
                       "[profile NAME] group or in [gander])"),
                     origin, key);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     /* TRANSLATORS: origin (it names the group), key */
                     _("%s: “%s” cannot be set in this group (put it in a "
                       "[profile NAME] group)"),
                     origin, key);
      return FALSE;
    }

  switch (info->kind)
    {
    case KIND_STRING:
      break;

    case KIND_DRIVER:
      if (!g_strv_contains (drivers, value))
        {
          const char *near = gander_nearest_word (value, drivers);

          if (near != NULL)
            return value_error (error, origin, key, value,
                                _("unknown driver; did you mean “%s”?"), near);
          return value_error (error, origin, key, value,
                              _("unknown driver (Gander supports sqlite3 and postgres)"));
        }
      break;

    case KIND_DBSTRING:
      if (layer <= GANDER_LAYER_PROFILE && dbstring_has_password (value))
        {
          /* never the value: it holds the password */
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                       _("%s: dbstring holds a password. Passwords never go "
                         "in the configuration: put it in ~/.pgpass (or the "
                         "file PGPASSFILE names), or in the daemon's "
                         "credential store, and remove it from dbstring"),
                       origin);
          return FALSE;
        }
      break;

    case KIND_TABLE:
      {
        g_autoptr(GError) local_error = NULL;

        if (!gander_validate_table_name (value, &local_error))
          return value_error (error, origin, key, value, "%s", local_error->message);
      }
      break;

    case KIND_ENVIRONMENT:
      if (!environment_known (self, value))
        {
          g_auto(GStrv) names = environment_names (self);
          const char *near = gander_nearest_word (value, (const char * const *) names);
          g_autofree char *known = join_words ((const char * const *) names);

          if (near != NULL)
            return value_error (error, origin, key, value,
                                _("unknown environment; did you mean “%s”? "
                                  "(known: %s; define others with an "
                                  "[environment NAME] group)"),
                                near, known);
          return value_error (error, origin, key, value,
                              _("unknown environment (known: %s; define "
                                "others with an [environment NAME] group)"),
                              known);
        }
      break;

    case KIND_BOOL:
      {
        gboolean b;

        if (!parse_bool (value, &b))
          return value_error (error, origin, key, value,
                              _("not a boolean (write true or false)"));
        g_free (value);
        value = g_strdup (b ? "true" : "false");
      }
      break;

    case KIND_ALLOW_LIST:
    case KIND_CONFIRM_LIST:
      if (!check_word_list (value, WORDS_COMMANDS, info->kind == KIND_CONFIRM_LIST,
                            origin, key, error))
        return FALSE;
      break;

    case KIND_LEVEL:
    case KIND_TARGET_LEVEL:
      {
        GanderPolicyLevel level;

        if (!parse_level (value, &level) ||
            (info->kind == KIND_TARGET_LEVEL && level == GANDER_POLICY_LEVEL_IGNORE))
          return value_error (error, origin, key, value,
                              info->kind == KIND_LEVEL
                              ? _("must be ignore, warn or error")
                              : _("must be warn or error"));
        {
          char *lower = g_ascii_strdown (value, -1);

          g_free (value);
          value = lower;
        }
      }
      break;

    case KIND_OPT_DURATION:
      if (value[0] == '\0')
        break;
      G_GNUC_FALLTHROUGH;
    case KIND_DURATION:
      if (!check_duration (value, origin, key, error))
        return FALSE;
      break;

    case KIND_ATTEMPTS:
    case KIND_COUNT:
      {
        guint64 n;
        guint min = info->kind == KIND_ATTEMPTS ? 1 : 0;

        if (!g_ascii_string_to_unsigned (value, 10, min, G_MAXUINT, &n, NULL))
          return value_error (error, origin, key, value,
                              info->kind == KIND_ATTEMPTS
                              ? _("write a whole number of at least 1 (1 = no retry)")
                              : _("write a whole number (0 = off)"));
      }
      break;

    case KIND_MULTIPLIER:
      {
        char *end = NULL;
        double d = value[0] != '\0' ? g_ascii_strtod (value, &end) : 0;

        if (end == NULL || *end != '\0' || !(d >= 1.0 && d <= 1000.0))
          return value_error (error, origin, key, value,
                              _("write a number from 1 to 1000, such as 2 or 1.5"));
      }
      break;

    case KIND_FACTOR:
      {
        char *end = NULL;
        double d = value[0] != '\0' ? g_ascii_strtod (value, &end) : -1;

        if (end == NULL || *end != '\0' || !(d >= 0.0) || isinf (d))
          return value_error (error, origin, key, value,
                              _("write a number of at least 0, such as 1.5 "
                                "(0 = no disk space check)"));
      }
      break;

    case KIND_BACKUP_MODE:
    case KIND_BACKUP_VERIFY:
    case KIND_REFUSE:
    case KIND_AFTER_FAIL:
      {
        const char * const *words =
          info->kind == KIND_BACKUP_MODE ? backup_modes
          : info->kind == KIND_BACKUP_VERIFY ? verify_levels
          : info->kind == KIND_REFUSE ? refuse_levels : after_fail_levels;
        char *lower = NULL;

        if (!check_word (value, words, origin, key, &lower, error))
          return FALSE;
        g_free (value);
        value = lower;
      }
      break;

    case KIND_CHECKS_BEFORE:
    case KIND_CHECKS_AFTER:
      if (!check_checks (value,
                         info->kind == KIND_CHECKS_BEFORE ? before_checks : after_checks,
                         origin, key, error))
        return FALSE;
      break;

    case KIND_SQL_LIST:
      break;

    case KIND_PASSWORD_SOURCE:
      {
        char *checked = NULL;

        if (!check_password_source (value, origin, key, &checked, error))
          return FALSE;
        g_free (value);
        value = checked;
      }
      break;

    case KIND_LINT_MODE:
      {
        char *lower = NULL;

        if (!check_word (value, lint_modes, origin, key, &lower, error))
          return FALSE;
        g_free (value);
        value = lower;
      }
      break;

    case KIND_LINT_RULES:
      if (!check_word_list (value, WORDS_LINT_RULES, TRUE, origin, key, error))
        return FALSE;
      break;

    default:
      g_assert_not_reached ();
    }

  if (normalized != NULL)
    *normalized = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
unknown_key_error (const char  *key,
                   const char  *origin,
                   GError     **error)
{
  const char *near = gander_nearest_word (key, key_names ());

  if (near != NULL)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                 _("%s: unknown key “%s”; did you mean “%s”?"),
                 origin, key, near);
  else
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                 _("%s: unknown key “%s” (gander.conf.example lists every key)"),
                 origin, key);
  return FALSE;
}

gboolean
gander_profile_is_known_key (const char *key)
{
  return key_index (key) >= 0;
}

const char * const *
gander_profile_builtin_environments (void)
{
  return builtin_environments;
}

gboolean
gander_profile_check_value (const char   *key,
                            const char   *value,
                            GanderLayer   layer,
                            const char   *origin,
                            GError      **error)
{
  int index = key_index (key);

  if (index < 0)
    return unknown_key_error (key, origin, error);
  /* environment names are checked once every file is read */
  if (keys[index].kind == KIND_ENVIRONMENT)
    {
      if (!key_allowed_at (&keys[index], layer))
        return check_value (NULL, index, value, layer, origin, NULL, error);
      return TRUE;
    }
  return check_value (NULL, index, value, layer, origin, NULL, error);
}

/* --- layers --- */

static int
top_layer (GanderProfile *self,
           guint          index)
{
  for (int layer = GANDER_N_LAYERS - 1; layer >= 0; layer--)
    if (self->slots[index][layer].value != NULL)
      return layer;
  return -1;
}

/* The environment chosen by the layers that may choose it. */
static const char *
chosen_environment (GanderProfile *self)
{
  int index = key_index ("environment");
  int layer = top_layer (self, index);

  return layer >= 0 ? self->slots[index][layer].value : "development";
}

/* Rebuilds GANDER_LAYER_ENVIRONMENT for the chosen environment: the
 * built-in defaults of that name first, then the files' groups. */
static void
relayer_environment (GanderProfile *self)
{
  const char *env = chosen_environment (self);

  for (guint i = 0; i < N_KEYS; i++)
    slot_clear (&self->slots[i][GANDER_LAYER_ENVIRONMENT]);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_env_values); i++)
    {
      const BuiltinEnvValue *bv = &builtin_env_values[i];
      g_autofree char *origin = NULL;

      if (!g_str_equal (bv->environment, env))
        continue;
      origin = g_strdup_printf ("built-in [environment %s]", env);
      slot_set (&self->slots[key_index (bv->key)][GANDER_LAYER_ENVIRONMENT],
                bv->value, origin);
    }

  for (guint i = 0; i < self->env_values->len; i++)
    {
      EnvValue *ev = g_ptr_array_index (self->env_values, i);

      if (g_str_equal (ev->environment, env))
        slot_set (&self->slots[ev->key][GANDER_LAYER_ENVIRONMENT],
                  ev->value, ev->origin);
    }

  g_free (self->layered_env);
  self->layered_env = g_strdup (env);
}

gboolean
gander_profile_set_at_layer (GanderProfile  *self,
                             GanderLayer     layer,
                             const char     *key,
                             const char     *value,
                             const char     *origin,
                             GError        **error)
{
  g_autofree char *normalized = NULL;
  int index;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (layer < GANDER_N_LAYERS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (origin == NULL)
    origin = "gander_profile_set()";
  index = key_index (key);
  if (index < 0)
    return unknown_key_error (key, origin, error);
  if (layer == GANDER_LAYER_ENVIRONMENT)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   "%s: %s: the environment layer is set through "
                   "gander_profile_add_environment_value()", origin, key);
      return FALSE;
    }

  if (value == NULL)
    slot_clear (&self->slots[index][layer]);
  else
    {
      if (!check_value (self, index, value, layer, origin, &normalized, error))
        return FALSE;
      slot_set (&self->slots[index][layer], normalized, origin);
    }

  if (keys[index].kind == KIND_ENVIRONMENT &&
      g_strcmp0 (self->layered_env, chosen_environment (self)) != 0)
    relayer_environment (self);
  return TRUE;
}

void
gander_profile_add_environment_name (GanderProfile *self,
                                     const char    *environment)
{
  g_return_if_fail (GANDER_IS_PROFILE (self));
  g_return_if_fail (environment != NULL);

  if (!environment_known (self, environment))
    g_ptr_array_add (self->env_names, g_strdup (environment));
}

gboolean
gander_profile_add_environment_value (GanderProfile  *self,
                                      const char     *environment,
                                      const char     *key,
                                      const char     *value,
                                      const char     *origin,
                                      GError        **error)
{
  g_autofree char *normalized = NULL;
  EnvValue *ev;
  int index;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (environment != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  index = key_index (key);
  if (index < 0)
    return unknown_key_error (key, origin, error);
  if (!check_value (self, index, value, GANDER_LAYER_ENVIRONMENT, origin,
                    &normalized, error))
    return FALSE;

  gander_profile_add_environment_name (self, environment);
  ev = g_new0 (EnvValue, 1);
  ev->environment = g_strdup (environment);
  ev->key = index;
  ev->value = g_steal_pointer (&normalized);
  ev->origin = g_strdup (origin);
  g_ptr_array_add (self->env_values, ev);

  if (g_strcmp0 (self->layered_env, environment) == 0)
    relayer_environment (self);
  return TRUE;
}

/* --- GObject --- */

static void
gander_profile_finalize (GObject *object)
{
  GanderProfile *self = GANDER_PROFILE (object);

  for (guint i = 0; i < N_KEYS; i++)
    for (guint layer = 0; layer < GANDER_N_LAYERS; layer++)
      slot_clear (&self->slots[i][layer]);
  g_clear_pointer (&self->env_values, g_ptr_array_unref);
  g_clear_pointer (&self->env_names, g_ptr_array_unref);
  g_clear_pointer (&self->layered_env, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (gander_profile_parent_class)->finalize (object);
}

static void
gander_profile_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GanderProfile *self = GANDER_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_profile_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GanderProfile *self = GANDER_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_profile_class_init (GanderProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_profile_finalize;
  object_class->get_property = gander_profile_get_property;
  object_class->set_property = gander_profile_set_property;

  /**
   * GanderProfile:name:
   *
   * The profile's name (`[profile NAME]`), or %NULL for an ad-hoc profile
   * (a driver and dbstring given directly, without `--profile`).
   *
   * Since: 0.2
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_profile_init (GanderProfile *self)
{
  self->env_values = g_ptr_array_new_with_free_func (env_value_free);
  self->env_names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < N_KEYS; i++)
    if (keys[i].builtin != NULL)
      slot_set (&self->slots[i][GANDER_LAYER_BUILTIN], keys[i].builtin, "built-in");
  relayer_environment (self);
}

/* --- public API --- */

/**
 * gander_profile_new:
 * @name: (nullable): the profile's name, or %NULL for an ad-hoc profile
 *
 * Creates a profile that holds the built-in defaults: the `development`
 * environment, which behaves as goose does.
 *
 * Returns: (transfer full): a new #GanderProfile
 *
 * Since: 0.2
 */
GanderProfile *
gander_profile_new (const char *name)
{
  return g_object_new (GANDER_TYPE_PROFILE, "name", name, NULL);
}

/**
 * gander_profile_get_name:
 * @self: a #GanderProfile
 *
 * Returns: (nullable): the profile's name, or %NULL for an ad-hoc profile
 *
 * Since: 0.2
 */
const char *
gander_profile_get_name (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);

  return self->name;
}

/**
 * gander_profile_set:
 * @self: a #GanderProfile
 * @key: a setting, such as `lock-timeout`
 * @value: (nullable): its value as a configuration file writes it, or
 *   %NULL to remove the value set by an earlier call
 * @origin: (nullable): where the value comes from, as `gander config`
 *   shows it (`--lock-timeout`, `my-app`); %NULL for "gander_profile_set()"
 * @error: return location for a #GError
 *
 * Sets @key at the highest layer, above the configuration files and the
 * environment variables (this is where command-line flags go).
 *
 * The value is checked for the key: a wrong one fails with
 * %GANDER_ERROR_CONFIG naming @origin, @key and what is allowed, and an
 * unknown key with the nearest known one. Setting `environment` replaces
 * the environment's defaults beneath every value set at a higher layer.
 *
 * Returns: %TRUE if @key now has @value
 *
 * Since: 0.2
 */
gboolean
gander_profile_set (GanderProfile  *self,
                    const char     *key,
                    const char     *value,
                    const char     *origin,
                    GError        **error)
{
  return gander_profile_set_at_layer (self, GANDER_LAYER_EXPLICIT, key, value,
                                      origin, error);
}

/**
 * gander_profile_get:
 * @self: a #GanderProfile
 * @key: a setting, such as `lock-timeout`
 *
 * The effective value of @key as text (booleans as `true`/`false`,
 * durations as written).
 *
 * Returns: (nullable): the value, or %NULL if @key is unknown or has none
 *
 * Since: 0.2
 */
const char *
gander_profile_get (GanderProfile *self,
                    const char    *key)
{
  int index, layer;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  index = key_index (key);
  if (index < 0)
    return NULL;
  layer = top_layer (self, index);
  return layer >= 0 ? self->slots[index][layer].value : NULL;
}

/**
 * gander_profile_get_origin:
 * @self: a #GanderProfile
 * @key: a setting, such as `lock-timeout`
 *
 * Where the effective value of @key comes from: `built-in`,
 * `built-in [environment production]`,
 * `/etc/gander/gander.conf:12 [profile alerts]`, `GANDER_ENVIRONMENT`,
 * `--lock-timeout`…
 *
 * Returns: (nullable): the origin, or %NULL if @key is unknown or has no
 *   value
 *
 * Since: 0.2
 */
const char *
gander_profile_get_origin (GanderProfile *self,
                           const char    *key)
{
  int index, layer;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  index = key_index (key);
  if (index < 0)
    return NULL;
  layer = top_layer (self, index);
  return layer >= 0 ? self->slots[index][layer].origin : NULL;
}

/**
 * gander_profile_list_keys:
 * @self: a #GanderProfile
 *
 * Every setting a profile knows, whether it has a value or not.
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys, sorted
 *
 * Since: 0.2
 */
char **
gander_profile_list_keys (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);

  return g_strdupv ((char **) key_names ());
}

/**
 * gander_profile_apply_environ:
 * @self: a #GanderProfile
 * @envp: (nullable) (array zero-terminated=1): an environment as
 *   g_get_environ() returns it, or %NULL for this process's
 * @error: return location for a #GError
 *
 * Reads the variables that configure a run, above the configuration files
 * and below gander_profile_set(): `GANDER_ENVIRONMENT`, `GANDER_AUDIT_LOG`,
 * `GANDER_METRICS_FILE`, `GOOSE_DRIVER`, `GOOSE_DBSTRING`,
 * `GOOSE_MIGRATION_DIR` and `GOOSE_TABLE`. An empty variable counts as
 * unset, as goose does. The origin of each value is the variable's name.
 *
 * Returns: %TRUE if every variable held a valid value
 *
 * Since: 0.2
 */
gboolean
gander_profile_apply_environ (GanderProfile       *self,
                              const char * const  *envp,
                              GError             **error)
{
  static const struct { const char *variable; const char *key; } map[] = {
    { "GANDER_ENVIRONMENT", "environment" },
    { "GANDER_AUDIT_LOG", "audit-log" },
    { "GANDER_METRICS_FILE", "metrics-file" },
    { "GOOSE_DRIVER", "driver" },
    { "GOOSE_DBSTRING", "dbstring" },
    { "GOOSE_MIGRATION_DIR", "dir" },
    { "GOOSE_TABLE", "table" },
  };
  g_auto(GStrv) own = NULL;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (envp == NULL)
    envp = (const char * const *) (own = g_get_environ ());

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      const char *value = g_environ_getenv ((char **) envp, map[i].variable);

      if (value == NULL || value[0] == '\0')
        continue;
      if (!gander_profile_set_at_layer (self, GANDER_LAYER_ENVIRON, map[i].key,
                                        value, map[i].variable, error))
        return FALSE;
    }
  return TRUE;
}

/* --- database names --- */

static gboolean
is_sqlite (const char *driver)
{
  return driver != NULL && g_str_has_prefix (driver, "sqlite");
}

char *
gander_dsn_database_name (const char *driver,
                          const char *dsn)
{
  if (dsn == NULL || *dsn == '\0' || driver == NULL)
    return NULL;

  if (is_sqlite (driver))
    {
      const char *start = g_str_has_prefix (dsn, "file:") ? dsn + 5 : dsn;
      const char *query = strchr (start, '?');
      g_autofree char *path = query != NULL ? g_strndup (start, query - start)
                                            : g_strdup (start);

      if (*path == '\0' || g_str_equal (path, ":memory:") ||
          (query != NULL && strstr (query, "mode=memory") != NULL))
        return NULL;
      return g_path_get_basename (path);
    }

  if (g_str_has_prefix (dsn, "postgres://") || g_str_has_prefix (dsn, "postgresql://"))
    {
      g_autofree char *path = NULL;

      if (!g_uri_split (dsn, G_URI_FLAGS_NONE, NULL, NULL, NULL, NULL,
                        &path, NULL, NULL, NULL) ||
          path == NULL || path[0] != '/' || path[1] == '\0')
        return NULL;
      return g_strdup (path + 1);
    }
  else
    {
      g_auto(GStrv) words = g_strsplit_set (dsn, " \t\n", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (g_str_has_prefix (words[i], "dbname=") && words[i][7] != '\0')
          {
            char *name = g_strdup (words[i] + 7);

            /* 'quoted' values: the common unspaced form */
            if (name[0] == '\'' && strlen (name) > 1 && name[strlen (name) - 1] == '\'')
              {
                memmove (name, name + 1, strlen (name) - 2);
                name[strlen (name) - 2] = '\0';
              }
            return name;
          }
    }
  return NULL;
}

/* One word of a key=value conninfo, unquoted; NULL when absent. */
static char *
conninfo_word (const char *dsn,
               const char *key)
{
  g_auto(GStrv) words = g_strsplit_set (dsn, " \t\n", -1);
  g_autofree char *prefix = g_strconcat (key, "=", NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_has_prefix (words[i], prefix))
      {
        char *value = g_strdup (words[i] + strlen (prefix));
        gsize len = strlen (value);

        if (len > 1 && value[0] == '\'' && value[len - 1] == '\'')
          {
            memmove (value, value + 1, len - 2);
            value[len - 2] = '\0';
          }
        return value;
      }
  return NULL;
}

char *
gander_dsn_backup_directory_name (const char *driver,
                                  const char *dsn)
{
  g_autofree char *name = gander_dsn_database_name (driver, dsn);
  g_autofree char *identity = NULL;
  g_autofree char *digest = NULL;

  if (name == NULL)
    return NULL;

  if (is_sqlite (driver))
    {
      const char *start = g_str_has_prefix (dsn, "file:") ? dsn + 5 : dsn;
      const char *query = strchr (start, '?');
      g_autofree char *path = query != NULL ? g_strndup (start, query - start)
                                            : g_strdup (start);

      /* absolute and lexically canonical: ./app.db and /srv/a/app.db are
       * one database when run from /srv/a */
      identity = g_canonicalize_filename (path, NULL);
    }
  else if (g_str_has_prefix (dsn, "postgres://") || g_str_has_prefix (dsn, "postgresql://"))
    {
      g_autofree char *host = NULL;
      gint port = -1;
      g_autofree char *port_text = NULL;

      /* the password is never part of the identity */
      if (!g_uri_split (dsn, G_URI_FLAGS_NONE, NULL, NULL, &host, &port,
                        NULL, NULL, NULL, NULL))
        return NULL;
      port_text = port > 0 ? g_strdup_printf ("%d", port) : g_strdup ("");

      identity = g_strdup_printf ("%s:%s/%s", host != NULL ? host : "", port_text, name);
    }
  else
    {
      g_autofree char *host = conninfo_word (dsn, "host");
      g_autofree char *port = conninfo_word (dsn, "port");

      identity = g_strdup_printf ("%s:%s/%s", host != NULL ? host : "",
                                  port != NULL ? port : "", name);
    }

  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, identity, -1);
  return g_strdup_printf ("%s-%.8s", name, digest);
}

/* --- typed getters --- */

/* The effective value, or NULL when it is unset or empty. */
static const char *
get_nonempty (GanderProfile *self,
              const char    *key)
{
  const char *value = gander_profile_get (self, key);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

static gboolean
get_bool (GanderProfile *self,
          const char    *key)
{
  const char *value = gander_profile_get (self, key);
  gboolean b = FALSE;

  if (value == NULL || !parse_bool (value, &b))
    parse_bool (keys[key_index (key)].builtin, &b);
  return b;
}

static GTimeSpan
get_duration (GanderProfile *self,
              const char    *key,
              GTimeSpan      unset)
{
  const char *value = get_nonempty (self, key);
  GTimeSpan span;

  if (value == NULL || !gander_parse_duration (value, &span, NULL))
    return unset;
  return span;
}

static guint
get_uint (GanderProfile *self,
          const char    *key)
{
  const char *value = gander_profile_get (self, key);
  guint64 n = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &n, NULL))
    g_ascii_string_to_unsigned (keys[key_index (key)].builtin, 10, 0, G_MAXUINT, &n, NULL);
  return n;
}

/* The index of the effective value in @words (lower case, as stored),
 * else @fallback. */
static int
get_word (GanderProfile      *self,
          const char         *key,
          const char * const *words,
          int                 fallback)
{
  const char *value = gander_profile_get (self, key);

  for (int i = 0; value != NULL && words[i] != NULL; i++)
    if (g_str_equal (value, words[i]))
      return i;
  return fallback;
}

/* all -> NULL, none -> empty, else the names */
static GStrv
get_checks (GanderProfile *self,
            const char    *key)
{
  const char *value = gander_profile_get (self, key);
  g_auto(GStrv) words = NULL;

  if (value == NULL)
    return NULL;
  words = split_list (value);
  if (words[0] == NULL || g_str_equal (words[0], "all"))
    return NULL;
  if (g_str_equal (words[0], "none"))
    return g_new0 (char *, 1);
  return g_steal_pointer (&words);
}

static GanderPolicyLevel
get_level (GanderProfile *self,
           const char    *key)
{
  const char *value = gander_profile_get (self, key);
  GanderPolicyLevel level = GANDER_POLICY_LEVEL_WARN;

  if (value == NULL || !parse_level (value, &level))
    return GANDER_POLICY_LEVEL_WARN;
  return level;
}

/**
 * gander_profile_get_driver:
 * @self: a #GanderProfile
 *
 * Returns: (nullable): the driver (`sqlite3`, `postgres`…), or %NULL
 *
 * Since: 0.2
 */
const char *
gander_profile_get_driver (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_nonempty (self, "driver");
}

/**
 * gander_profile_get_dbstring:
 * @self: a #GanderProfile
 *
 * The database to open, as goose's DBSTRING argument. One read from a
 * configuration file never holds a password; one from `GOOSE_DBSTRING` or
 * gander_profile_set() may, as goose allows: show it only through
 * gander_dsn_mask().
 *
 * Returns: (nullable): the dbstring, or %NULL
 *
 * Since: 0.2
 */
const char *
gander_profile_get_dbstring (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_nonempty (self, "dbstring");
}

/**
 * gander_profile_get_dir:
 * @self: a #GanderProfile
 *
 * Returns: the migrations directory (`.` unless set)
 *
 * Since: 0.2
 */
const char *
gander_profile_get_dir (GanderProfile *self)
{
  const char *dir;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  dir = get_nonempty (self, "dir");
  return dir != NULL ? dir : ".";
}

/**
 * gander_profile_get_table:
 * @self: a #GanderProfile
 *
 * Returns: (nullable): the version table, or %NULL for goose's default
 *   (`goose_db_version`)
 *
 * Since: 0.2
 */
const char *
gander_profile_get_table (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_nonempty (self, "table");
}

/**
 * gander_profile_get_environment:
 * @self: a #GanderProfile
 *
 * Returns: the environment's name (`development` unless set)
 *
 * Since: 0.2
 */
const char *
gander_profile_get_environment (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return chosen_environment (self);
}

/**
 * gander_profile_get_allow_missing:
 * @self: a #GanderProfile
 *
 * Returns: whether migrations older than the database's version may be
 *   applied out of order (goose's `-allow-missing`)
 *
 * Since: 0.2
 */
gboolean
gander_profile_get_allow_missing (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  return get_bool (self, "allow-missing");
}

/**
 * gander_profile_command_allowed:
 * @self: a #GanderProfile
 * @command: a command name, such as `down-to` or `clear-dirty`
 *
 * Whether `allow-commands` lets @command run (`all`, or a list in which
 * `repair` stands for `clear-dirty` and `accept-checksum`).
 *
 * Returns: %TRUE if @command may run
 *
 * Since: 0.2
 */
gboolean
gander_profile_command_allowed (GanderProfile *self,
                                const char    *command)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (command != NULL, FALSE);
  return list_contains (gander_profile_get (self, "allow-commands"), command);
}

/**
 * gander_profile_command_needs_confirmation:
 * @self: a #GanderProfile
 * @command: a command name, such as `down-to` or `clear-dirty`
 *
 * Whether `require-confirmation` names @command (`repair` stands for
 * `clear-dirty` and `accept-checksum`, `all` for every command).
 *
 * Returns: %TRUE if @command runs only once confirmed
 *
 * Since: 0.2
 */
gboolean
gander_profile_command_needs_confirmation (GanderProfile *self,
                                           const char    *command)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (command != NULL, FALSE);
  return list_contains (gander_profile_get (self, "require-confirmation"), command);
}

/**
 * gander_profile_get_auto_migrate:
 * @self: a #GanderProfile
 *
 * Returns: whether gander_manager_auto_migrate() may apply migrations
 *
 * Since: 0.2
 */
gboolean
gander_profile_get_auto_migrate (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  return get_bool (self, "auto-migrate");
}

/**
 * gander_profile_get_dry_run_first:
 * @self: a #GanderProfile
 *
 * Returns: whether the plan is printed before it is applied
 *
 * Since: 0.2
 */
gboolean
gander_profile_get_dry_run_first (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  return get_bool (self, "dry-run-first");
}

/**
 * gander_profile_get_checksum_drift:
 * @self: a #GanderProfile
 *
 * Returns: what a run does when an applied migration's file has changed
 *
 * Since: 0.2
 */
GanderPolicyLevel
gander_profile_get_checksum_drift (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_POLICY_LEVEL_WARN);
  return get_level (self, "checksum-drift");
}

/**
 * gander_profile_get_unknown_target:
 * @self: a #GanderProfile
 *
 * Returns: what `up-to` and `down-to` do with a version no file has:
 *   %GANDER_POLICY_LEVEL_WARN or %GANDER_POLICY_LEVEL_ERROR
 *
 * Since: 0.2
 */
GanderPolicyLevel
gander_profile_get_unknown_target (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_POLICY_LEVEL_WARN);
  return get_level (self, "unknown-target");
}

/**
 * gander_profile_get_timeout:
 * @self: a #GanderProfile
 *
 * Returns: the deadline of a whole run, 0 for none
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_timeout (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_duration (self, "timeout", 0);
}

/**
 * gander_profile_get_statement_timeout:
 * @self: a #GanderProfile
 *
 * Returns: the limit for one statement, 0 for none
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_statement_timeout (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_duration (self, "statement-timeout", 0);
}

/**
 * gander_profile_get_lock_timeout:
 * @self: a #GanderProfile
 *
 * Returns: how long a statement waits for a lock, 0 for no limit, or -1
 *   when unset (the database's own default stays)
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_lock_timeout (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), -1);
  return get_duration (self, "lock-timeout", -1);
}

/**
 * gander_profile_get_retry_max_attempts:
 * @self: a #GanderProfile
 *
 * Returns: how many times a migration is tried; 1 = no retry
 *
 * Since: 0.2
 */
guint
gander_profile_get_retry_max_attempts (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 1);
  return MAX (get_uint (self, "retry-max-attempts"), 1);
}

/**
 * gander_profile_get_retry_initial_delay:
 * @self: a #GanderProfile
 *
 * Returns: the wait before the first retry
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_retry_initial_delay (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_duration (self, "retry-initial-delay", 500 * G_TIME_SPAN_MILLISECOND);
}

/**
 * gander_profile_get_retry_max_delay:
 * @self: a #GanderProfile
 *
 * Returns: the longest wait between two tries
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_retry_max_delay (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_duration (self, "retry-max-delay", 30 * G_TIME_SPAN_SECOND);
}

/**
 * gander_profile_get_retry_multiplier:
 * @self: a #GanderProfile
 *
 * Returns: the factor by which the wait grows after each try (at least 1)
 *
 * Since: 0.2
 */
double
gander_profile_get_retry_multiplier (GanderProfile *self)
{
  const char *value;
  double d;
  char *end = NULL;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), 2.0);
  value = gander_profile_get (self, "retry-multiplier");
  if (value == NULL)
    return 2.0;
  d = g_ascii_strtod (value, &end);
  return end != NULL && *end == '\0' && d >= 1.0 ? d : 2.0;
}

/**
 * gander_profile_get_breaker_threshold:
 * @self: a #GanderProfile
 *
 * Returns: how many failed runs in a row open the circuit breaker; 0 turns
 *   the breaker off
 *
 * Since: 0.2
 */
guint
gander_profile_get_breaker_threshold (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_uint (self, "breaker-threshold");
}

/**
 * gander_profile_get_breaker_open:
 * @self: a #GanderProfile
 *
 * Returns: how long an open breaker refuses runs before it lets one try
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_breaker_open (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_duration (self, "breaker-open", 10 * G_TIME_SPAN_MINUTE);
}

/**
 * gander_profile_get_audit_log:
 * @self: a #GanderProfile
 *
 * Returns: (nullable): the audit log file, or %NULL for none (the journal
 *   still gets the records)
 *
 * Since: 0.2
 */
const char *
gander_profile_get_audit_log (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_nonempty (self, "audit-log");
}

/**
 * gander_profile_get_metrics_file:
 * @self: a #GanderProfile
 *
 * Returns: (nullable): the Prometheus textfile to write after each run,
 *   or %NULL for none
 *
 * Since: 0.2
 */
const char *
gander_profile_get_metrics_file (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_nonempty (self, "metrics-file");
}

/**
 * gander_profile_get_backup_mode:
 * @self: a #GanderProfile
 *
 * Whether a migration run takes a backup first (`backup`): off in
 * development, optional in staging (a failed backup is a warning), required
 * in production (a failed backup refuses the run). A backup is taken only
 * when the run's plan changes something.
 *
 * Returns: the backup mode
 *
 * Since: 0.2
 */
GanderBackupMode
gander_profile_get_backup_mode (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_BACKUP_MODE_OFF);
  return get_word (self, "backup", backup_modes, GANDER_BACKUP_MODE_OFF);
}

/**
 * gander_profile_get_backup_verify:
 * @self: a #GanderProfile
 *
 * How a backup is verified (`backup-verify`): full (SQLite's
 * `integrity_check`) in production, quick (`quick_check`) elsewhere;
 * PostgreSQL archives are listed with `pg_restore --list`, and full also
 * reads every data block back.
 *
 * Returns: the verification level
 *
 * Since: 0.2
 */
GanderBackupVerify
gander_profile_get_backup_verify (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_BACKUP_VERIFY_QUICK);
  return get_word (self, "backup-verify", verify_levels, GANDER_BACKUP_VERIFY_QUICK);
}

/**
 * gander_profile_get_backup_keep:
 * @self: a #GanderProfile
 *
 * How many backups pruning keeps (`backup-keep`, 10 unless set).
 *
 * Returns: the count, 0 for no count limit
 *
 * Since: 0.2
 */
guint
gander_profile_get_backup_keep (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_uint (self, "backup-keep");
}

/**
 * gander_profile_get_backup_max_age:
 * @self: a #GanderProfile
 *
 * How old a backup may grow before pruning removes it (`backup-max-age`).
 * Pruning never removes the newest verified backup.
 *
 * Returns: the age, 0 for no age limit
 *
 * Since: 0.2
 */
GTimeSpan
gander_profile_get_backup_max_age (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), 0);
  return get_duration (self, "backup-max-age", 0);
}

/**
 * gander_profile_get_backup_dir:
 * @self: a #GanderProfile
 *
 * Where the database's backups go (`backup-dir`). Unset, it is
 * gander_backup_default_directory() of the profile's name — or, for an
 * ad-hoc profile, of `NAME-HASH`: NAME the database's name (the SQLite
 * file's base name, the PostgreSQL dbname) and HASH the first 8 hex digits
 * of the SHA-256 of the database's identity (SQLite: the file's absolute
 * path; PostgreSQL: `host:port/dbname` as the connection string gives
 * them, never the password), so two databases of the same name keep their
 * backups apart.
 *
 * Returns: (transfer full): the directory
 *
 * Since: 0.2
 */
char *
gander_profile_get_backup_dir (GanderProfile *self)
{
  const char *dir;
  g_autofree char *name = NULL;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  dir = get_nonempty (self, "backup-dir");
  if (dir != NULL)
    return g_strdup (dir);
  if (self->name != NULL)
    return gander_backup_default_directory (self->name);
  name = gander_dsn_backup_directory_name (gander_profile_get_driver (self),
                                           gander_profile_get_dbstring (self));
  return gander_backup_default_directory (name != NULL ? name : "default");
}

/**
 * gander_profile_get_pg_bindir:
 * @self: a #GanderProfile
 *
 * Where `pg_dump` and `pg_restore` are (`pg-bindir`).
 *
 * Returns: (nullable): the directory, or %NULL to ask `pg_config
 *   --bindir`, then search `PATH`
 *
 * Since: 0.2
 */
const char *
gander_profile_get_pg_bindir (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_nonempty (self, "pg-bindir");
}

/**
 * gander_profile_get_health_before:
 * @self: a #GanderProfile
 *
 * The health checks a migration run makes before it changes anything
 * (`health-before`: `all`, `none` or a list of check names such as
 * `connectivity, writable, disk-space`).
 *
 * Returns: (transfer full) (nullable) (array zero-terminated=1): the
 *   check names; %NULL for every check, an empty array for none
 *
 * Since: 0.2
 */
char **
gander_profile_get_health_before (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_checks (self, "health-before");
}

/**
 * gander_profile_get_health_after:
 * @self: a #GanderProfile
 *
 * The health checks a migration run makes once it has applied its plan
 * (`health-after`), as gander_profile_get_health_before().
 *
 * Returns: (transfer full) (nullable) (array zero-terminated=1): the
 *   check names; %NULL for every check, an empty array for none
 *
 * Since: 0.2
 */
char **
gander_profile_get_health_after (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_checks (self, "health-after");
}

/**
 * gander_profile_get_health_before_refuse:
 * @self: a #GanderProfile
 *
 * Which results of the checks before a run refuse it
 * (`health-before-refuse`): a failure (development, staging), a warning
 * too (production), or never (each result is then a warning of the run).
 *
 * Returns: the refusal level
 *
 * Since: 0.2
 */
GanderHealthRefuse
gander_profile_get_health_before_refuse (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_HEALTH_REFUSE_FAIL);
  return get_word (self, "health-before-refuse", refuse_levels, GANDER_HEALTH_REFUSE_FAIL);
}

/**
 * gander_profile_get_health_after_fail_run:
 * @self: a #GanderProfile
 *
 * Whether a failed check after a run fails the run
 * (`health-after-fail=error`, production's default) or is a warning
 * (`warn`).
 *
 * Returns: %TRUE if a failed check after the run fails it
 *
 * Since: 0.2
 */
gboolean
gander_profile_get_health_after_fail_run (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), FALSE);
  return get_word (self, "health-after-fail", after_fail_levels, 1) == 0;
}

/**
 * gander_profile_get_free_space_factor:
 * @self: a #GanderProfile
 *
 * The free disk space the `disk-space` check asks for, as a multiple of
 * the database's size (`free-space-factor`, 1.5 unless set).
 *
 * Returns: the factor, at least 0
 *
 * Since: 0.2
 */
double
gander_profile_get_free_space_factor (GanderProfile *self)
{
  const char *value;
  char *end = NULL;
  double d;

  g_return_val_if_fail (GANDER_IS_PROFILE (self), 1.5);
  value = get_nonempty (self, "free-space-factor");
  if (value == NULL)
    return 1.5;
  d = g_ascii_strtod (value, &end);
  return end != NULL && *end == '\0' && d >= 0.0 ? d : 1.5;
}

/**
 * gander_profile_get_post_check_sql:
 * @self: a #GanderProfile
 *
 * The queries of the `post-check-sql` health check (`post-check-sql`,
 * separated by `;`): each must return no row for the database to be
 * sound; a row fails the check and its first column is in the message.
 *
 * Returns: (transfer full) (array zero-terminated=1): the queries, an
 *   empty array when none is set
 *
 * Since: 0.2
 */
char **
gander_profile_get_post_check_sql (GanderProfile *self)
{
  const char *value;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  value = get_nonempty (self, "post-check-sql");
  if (value == NULL)
    return g_new0 (char *, 1);
  parts = g_strsplit (value, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

/**
 * gander_profile_get_password_source:
 * @self: a #GanderProfile
 * @argument: (out) (optional) (nullable) (transfer none): the credential's
 *   name for %GANDER_PASSWORD_SOURCE_CREDENTIAL, the path for
 *   %GANDER_PASSWORD_SOURCE_FILE, else %NULL
 *
 * Where the database's password comes from when nothing else gives one
 * (`password-source`): `none` (the default: `~/.pgpass`, `PGPASSFILE`,
 * peer or certificate authentication), `keyring` (the user's keyring,
 * see gander_credentials_store()), `credential:NAME` (systemd's
 * `LoadCredential=`: `$CREDENTIALS_DIRECTORY/NAME`), `store` (the
 * credential store of gander-daemon, filled by its `SetPassword`) or
 * `file:PATH` (a file of mode 0600 or stricter owned by the user who
 * connects). #GanderManager looks the password up when it connects to a
 * PostgreSQL database; SQLite has no password and ignores the setting.
 *
 * Returns: the password source
 *
 * Since: 0.2
 */
GanderPasswordSource
gander_profile_get_password_source (GanderProfile  *self,
                                    const char    **argument)
{
  const char *value;

  if (argument != NULL)
    *argument = NULL;
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_PASSWORD_SOURCE_NONE);

  value = get_nonempty (self, "password-source");
  if (value == NULL || g_str_equal (value, "none"))
    return GANDER_PASSWORD_SOURCE_NONE;
  if (g_str_equal (value, "keyring"))
    return GANDER_PASSWORD_SOURCE_KEYRING;
  if (g_str_equal (value, "store"))
    return GANDER_PASSWORD_SOURCE_STORE;
  if (g_str_has_prefix (value, "credential:"))
    {
      if (argument != NULL)
        *argument = value + strlen ("credential:");
      return GANDER_PASSWORD_SOURCE_CREDENTIAL;
    }
  if (g_str_has_prefix (value, "file:"))
    {
      if (argument != NULL)
        *argument = value + strlen ("file:");
      return GANDER_PASSWORD_SOURCE_FILE;
    }
  return GANDER_PASSWORD_SOURCE_NONE;
}

/**
 * gander_profile_get_lint:
 * @self: a #GanderProfile
 *
 * What a migration run does with the lint findings of the migrations it
 * is about to run (`lint`): %GANDER_LINT_MODE_WARN in development (every
 * finding is a warning of the run, as goose would run the file anyway),
 * %GANDER_LINT_MODE_ERROR in staging and production (an error-severity
 * finding refuses the run before anything is written, with rule `lint`).
 * See `docs/lint.md`.
 *
 * Returns: the lint mode
 *
 * Since: 0.2
 */
GanderLintMode
gander_profile_get_lint (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), GANDER_LINT_MODE_WARN);
  return get_word (self, "lint", lint_modes, GANDER_LINT_MODE_WARN);
}

static GStrv
get_words (GanderProfile *self,
           const char    *key)
{
  const char *value = gander_profile_get (self, key);

  return value != NULL ? split_list (value) : g_new0 (char *, 1);
}

/**
 * gander_profile_get_lint_disable:
 * @self: a #GanderProfile
 *
 * The lint rules a run does not check (`lint-disable`, rule ids separated
 * by `;`).
 *
 * Returns: (transfer full) (array zero-terminated=1): the rule ids, an
 *   empty array when none is set
 *
 * Since: 0.2
 */
char **
gander_profile_get_lint_disable (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_words (self, "lint-disable");
}

/**
 * gander_profile_get_lint_error:
 * @self: a #GanderProfile
 *
 * The lint rules raised to error severity (`lint-error`), such as
 * `destructive` for a database where a dropped column must never pass
 * unreviewed.
 *
 * Returns: (transfer full) (array zero-terminated=1): the rule ids, an
 *   empty array when none is set
 *
 * Since: 0.2
 */
char **
gander_profile_get_lint_error (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_words (self, "lint-error");
}

/**
 * gander_profile_get_lint_warn:
 * @self: a #GanderProfile
 *
 * The lint rules lowered to warning severity (`lint-warn`).
 *
 * Returns: (transfer full) (array zero-terminated=1): the rule ids, an
 *   empty array when none is set
 *
 * Since: 0.2
 */
char **
gander_profile_get_lint_warn (GanderProfile *self)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (self), NULL);
  return get_words (self, "lint-warn");
}
