/* gander-health.c: health checks before and after a migration run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-enum-types.h"
#include "gander-database-private.h"
#include "gander-health.h"
#include "gander-health-private.h"
#include "gander-planner-private.h"
#include "gander-postgres-database.h"
#include "gander-sqlite-database.h"

/**
 * GanderHealth:
 *
 * Health checks of one database, for the pipeline's `health-pre` and
 * `health-post` steps and for `gander health`.
 *
 * Each check is a small function that returns a #GanderHealthResult: a
 * stable name, ok / warn / fail / skipped, a message that says what is
 * wrong and what to do, and how long it took. A failing check is a
 * result, not an error: gander_health_run() fails only when it is
 * cancelled or given an unknown check name.
 *
 * Before a run (%GANDER_HEALTH_PHASE_BEFORE):
 *
 * - `connectivity`: the database opens; the message has the server
 *   version. When it fails, every other check is %GANDER_HEALTH_STATUS_SKIPPED.
 * - `writable`: PostgreSQL: not a standby, and the session is not
 *   read-only (`default_transaction_read_only`, with where it was set);
 *   SQLite: the file and its directory can be written and the connection
 *   is not read-only (`mode=ro`).
 * - `privileges` (PostgreSQL): the version table and Gander's side table
 *   exist and can be written, or the role may create them in their
 *   schema (PostgreSQL 15 no longer lets every role create in `public`:
 *   the message names the `GRANT` to ask for and the `-table` alternative).
 * - `version-table`: no `running` marker of an unfinished migration, no
 *   applied version without its file and no pending file older than the
 *   database version, unless the migrator allows missing migrations.
 * - `disk-space`: free space of at least #GanderHealth:free-space-factor
 *   times the database size on the database's file system (SQLite) and
 *   on #GanderHealth:backup-directory's. A PostgreSQL server's disk
 *   cannot be seen from the client: only the backup directory is checked.
 * - `blocking-locks` (PostgreSQL): another session's open transaction
 *   holds a lock on a table the #GanderHealth:plan touches (every table
 *   lock without a plan): a warning, the run would wait for it.
 *
 * After a run (%GANDER_HEALTH_PHASE_AFTER):
 *
 * - `target-version`: the database is at #GanderHealth:target-version,
 *   or where the plan should have left it.
 * - `running-marker`: no `running` marker.
 * - `integrity` (SQLite): `PRAGMA quick_check`, or `integrity_check` when
 *   #GanderHealth:integrity is set.
 * - `foreign-keys` (SQLite): `PRAGMA foreign_key_check`.
 * - `invalid-indexes` (PostgreSQL): no invalid index (a failed
 *   `CREATE INDEX CONCURRENTLY` leaves one) outside the system schemas.
 * - `not-valid-constraints` (PostgreSQL): constraints added `NOT VALID`
 *   and never validated: a warning, since that may be on purpose.
 * - `post-check-sql`: each query of #GanderHealth:post-check-sql; no row is
 *   ok, a row fails with its first column in the message. One result per
 *   query: `post-check-sql`, `post-check-sql#2`, ….
 *
 * A check that cannot apply to the database (a PostgreSQL check on
 * SQLite) is neither run nor reported. The checks use the migrator's
 * database connection: do not use it from elsewhere while they run.
 *
 * Since: 0.2
 */

struct _GanderHealth
{
  GObject         parent_instance;

  GanderMigrator *migrator;
  GStrv           checks;
  double          free_space_factor;
  char           *backup_directory;
  GStrv           post_check_sql;
  gboolean        integrity;
  GTimeSpan       lock_age_threshold;
  GanderPlan     *plan;
  gint64          target_version;
  gboolean        allow_missing;   /* a run's, added to the migrator's */
};

G_DEFINE_FINAL_TYPE (GanderHealth, gander_health, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MIGRATOR,
  PROP_CHECKS,
  PROP_FREE_SPACE_FACTOR,
  PROP_BACKUP_DIRECTORY,
  PROP_POST_CHECK_SQL,
  PROP_INTEGRITY,
  PROP_LOCK_AGE_THRESHOLD,
  PROP_PLAN,
  PROP_TARGET_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_FREE_SPACE_FACTOR 1.5

/* The checks, in the order they run and are reported. */
static const char * const before_names[] = {
  "connectivity", "writable", "privileges", "version-table", "disk-space",
  "blocking-locks", NULL
};
static const char * const after_names[] = {
  "target-version", "running-marker", "integrity", "foreign-keys",
  "invalid-indexes", "not-valid-constraints", "post-check-sql", NULL
};
static const char * const any_names[] = {
  "connectivity", "writable", "privileges", "version-table", "disk-space",
  "blocking-locks", "running-marker", "integrity", "foreign-keys",
  "invalid-indexes", "not-valid-constraints", "post-check-sql", NULL
};

/**
 * gander_health_check_names:
 * @phase: a #GanderHealthPhase
 *
 * The names of the checks of @phase, in the order they run. The list is
 * the same for every database; a check that does not apply to one (a
 * PostgreSQL check on SQLite) is skipped silently when it runs.
 *
 * Returns: (transfer none) (array zero-terminated=1): the names
 *
 * Since: 0.2
 */
const char * const *
gander_health_check_names (GanderHealthPhase phase)
{
  switch (phase)
    {
    case GANDER_HEALTH_PHASE_BEFORE:
      return before_names;
    case GANDER_HEALTH_PHASE_AFTER:
      return after_names;
    case GANDER_HEALTH_PHASE_ANY:
    default:
      return any_names;
    }
}

/* Helpers for the engine files {{{ */

void
gander_health_outcome_set (GanderHealthOutcome *out,
                           GanderHealthStatus   status,
                           const char          *format,
                           ...)
{
  va_list args;

  g_free (out->message);
  out->status = status;
  va_start (args, format);
  out->message = g_strdup_vprintf (format, args);
  va_end (args);
}

gboolean
gander_health_free_space (const char  *path,
                          guint64     *free_bytes,
                          char       **checked_path,
                          char       **why)
{
  g_autofree char *current = g_canonicalize_filename (path, NULL);
  g_autoptr(GError) error = NULL;

  /* a backup directory is made by the first backup: look at the
   * file system it will be made on */
  while (!g_file_test (current, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (current);

      if (g_str_equal (parent, current))
        {
          g_free (parent);
          break;
        }
      g_free (current);
      current = parent;
    }

  {
    g_autoptr(GFile) file = g_file_new_for_path (current);
    g_autoptr(GFileInfo) info = NULL;

    info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                         NULL, &error);
    if (info == NULL ||
        !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
      {
        *why = g_strdup_printf (_("cannot read the free space of the file system of %s: %s"),
                                current, error != NULL ? error->message : _("not reported"));
        return FALSE;
      }
    *free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  }
  *checked_path = g_steal_pointer (&current);
  return TRUE;
}

static void
add_identifier (GHashTable  *set,
                const char  *text,
                gsize        len,
                gboolean     quoted)
{
  char *word = quoted ? g_strndup (text, len) : g_ascii_strdown (text, len);

  g_hash_table_add (set, word);
}

/* Adds the identifiers of one statement: bare words and "quoted" names,
 * and `a.b` for qualified ones. String literals, comments and dollar
 * quoted bodies are scanned as well: a name in a function body is still
 * a table the run may touch. */
static void
scan_identifiers (GHashTable *set,
                  const char *sql)
{
  const char *p = sql;
  GString *previous = g_string_new (NULL);   /* the last name, for a.b */
  gboolean after_dot = FALSE;

  while (*p != '\0')
    {
      const char *start;
      g_autofree char *name = NULL;

      if (g_ascii_isalpha (*p) || *p == '_' || (guchar) *p >= 0x80)
        {
          start = p;
          while (g_ascii_isalnum (*p) || *p == '_' || *p == '$' || (guchar) *p >= 0x80)
            p++;
          name = g_ascii_strdown (start, p - start);
          add_identifier (set, start, p - start, FALSE);
        }
      else if (*p == '"')
        {
          GString *quoted = g_string_new (NULL);

          p++;
          while (*p != '\0')
            {
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (quoted, '"');
                  p += 2;
                  continue;
                }
              if (*p == '"')
                {
                  p++;
                  break;
                }
              g_string_append_c (quoted, *p++);
            }
          name = g_string_free (quoted, FALSE);
          add_identifier (set, name, strlen (name), TRUE);
        }
      else
        {
          if (*p == '.')
            after_dot = previous->len > 0;
          else if (!g_ascii_isspace (*p))
            {
              after_dot = FALSE;
              g_string_truncate (previous, 0);
            }
          p++;
          continue;
        }

      if (after_dot)
        g_hash_table_add (set, g_strconcat (previous->str, ".", name, NULL));
      g_string_assign (previous, name);
      after_dot = FALSE;
    }
  g_string_free (previous, TRUE);
}

GHashTable *
gander_health_plan_identifiers (GanderPlan *plan)
{
  GHashTable *set;

  if (plan == NULL)
    return NULL;
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < gander_plan_get_n_steps (plan); i++)
    {
      const char * const *statements =
        gander_plan_step_get_statements (gander_plan_get_step (plan, i));

      for (guint j = 0; statements != NULL && statements[j] != NULL; j++)
        scan_identifiers (set, statements[j]);
    }
  return set;
}

/* }}} */

/* Checks every engine shares {{{ */

static void
db_state_free (gpointer data)
{
  GanderDbState *state = data;

  gander_db_state_clear (state);
  g_free (state);
}

/* The version and side tables, read by the first check of the run that
 * needs them; NULL with @out set (or @error, when cancelled) if they
 * cannot be read. */
static GanderDbState *
load_state (GanderHealthContext  *ctx,
            GanderHealthOutcome  *out,
            GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  GanderDbState *state;

  if (ctx->db_state != NULL)
    return ctx->db_state;
  state = g_new0 (GanderDbState, 1);
  if (ctx->absent)
    gander_db_state_init (state, FALSE, NULL, NULL);
  else if (!gander_db_state_load (state, ctx->database, &local_error))
    {
      g_free (state);
      if (gander_error_is_cancelled (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("cannot read the version table %s: %s"),
                                 gander_database_get_table_name (ctx->database),
                                 local_error->message);
      return NULL;
    }
  ctx->db_state = state;
  return state;
}

static void
append_versions (GString    *text,
                 GArray     *versions,
                 guint       limit)
{
  for (guint i = 0; i < versions->len && i < limit; i++)
    g_string_append_printf (text, "%s%" PRId64, i > 0 ? ", " : "",
                            g_array_index (versions, gint64, i));
  if (versions->len > limit)
    g_string_append_printf (text, _(" and %u more"), versions->len - limit);
}

static gint
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The running marker, in the planner's words (what happened, what to
 * check, which repair to run). */
static gboolean
marker_outcome (GanderHealthContext *ctx,
                GanderDbState       *state,
                GanderHealthOutcome *out)
{
  g_autofree char *side_table = gander_database_dup_side_table_name (ctx->database);
  g_autoptr(GError) dirty = NULL;

  if (gander_planner_check_not_dirty (state, side_table, &dirty))
    return FALSE;
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL, "%s", dirty->message);
  return TRUE;
}

static gboolean
check_version_table (GanderHealthContext  *ctx,
                     GanderHealthOutcome  *out,
                     GError              **error)
{
  GanderDbState *state;
  g_autoptr(GArray) orphans = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) missing = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) text = g_string_new (NULL);
  const char *table = gander_database_get_table_name (ctx->database);
  g_autofree char *where = g_file_get_parse_name (gander_source_get_directory (ctx->source));
  GHashTableIter iter;
  gpointer key;

  state = load_state (ctx, out, error);
  if (state == NULL)
    return error == NULL || *error == NULL;
  if (!state->table_exists)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                 _("no version table %s yet: the first run creates it"),
                                 table);
      return TRUE;
    }
  if (marker_outcome (ctx, state, out))
    return TRUE;

  /* applied versions whose file is gone: nothing can roll them back */
  g_hash_table_iter_init (&iter, state->applied);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 version = *(gint64 *) key;

      if (version != 0 && gander_source_lookup (ctx->source, version) == NULL)
        g_array_append_val (orphans, version);
    }
  g_array_sort (orphans, compare_int64);

  /* files older than the database version, never applied */
  for (guint i = 0; i < gander_source_get_n_migrations (ctx->source); i++)
    {
      gint64 version = gander_migration_get_version (gander_source_get_migration (ctx->source, i));

      if (version < state->max_version && !gander_db_state_is_applied (state, version))
        g_array_append_val (missing, version);
    }

  if (orphans->len == 0 && missing->len == 0)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                 _("version table %s is consistent: version %" PRId64
                                   ", no running marker, every applied version has its file"),
                                 table, state->max_version);
      return TRUE;
    }

  if (orphans->len > 0)
    {
      g_string_append_printf (text, _("%u applied version(s) of %s have no file in %s: "),
                              orphans->len, table, where);
      append_versions (text, orphans, 10);
      g_string_append (text, _(" (restore the files, or they cannot be rolled back)"));
    }
  if (missing->len > 0)
    {
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append_printf (text, _("%u pending migration(s) are older than the database "
                                      "version %" PRId64 ": "),
                              missing->len, state->max_version);
      append_versions (text, missing, 10);
    }
  if (ctx->allow_missing)
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                 _("%s; allowed: the migrator allows missing migrations "
                                   "(allow-missing)"), text->str);
      return TRUE;
    }
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                             _("%s. Restore or renumber the files, or run with "
                               "allow-missing if this is intended"), text->str);
  return TRUE;
}

static gboolean
check_running_marker (GanderHealthContext  *ctx,
                      GanderHealthOutcome  *out,
                      GError              **error)
{
  GanderDbState *state;
  g_autofree char *side_table = gander_database_dup_side_table_name (ctx->database);

  state = load_state (ctx, out, error);
  if (state == NULL)
    return error == NULL || *error == NULL;
  if (marker_outcome (ctx, state, out))
    return TRUE;
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                             _("no migration is marked running in %s"),
                             state->table_exists ? side_table : _("the database (no version table)"));
  return TRUE;
}

/* Where a plan should leave the database, as a verdict on @current and
 * the applied set. */
static void
judge_plan_target (GanderHealthContext *ctx,
                   GanderDbState       *state,
                   GanderHealthOutcome *out)
{
  GanderPlan *plan = ctx->plan;
  guint n = gander_plan_get_n_steps (plan);
  gint64 before = gander_plan_get_current_version (plan);
  gint64 current = state->max_version;
  gint64 expected = before;
  g_autoptr(GArray) left = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) list = g_string_new (NULL);

  switch (gander_plan_get_operation (plan))
    {
    case GANDER_PLAN_OPERATION_UP:
    case GANDER_PLAN_OPERATION_UP_BY_ONE:
    case GANDER_PLAN_OPERATION_UP_TO:
      for (guint i = 0; i < n; i++)
        expected = MAX (expected, gander_plan_step_get_version (gander_plan_get_step (plan, i)));
      break;
    case GANDER_PLAN_OPERATION_REDO:
      break;
    case GANDER_PLAN_OPERATION_DOWN:
    case GANDER_PLAN_OPERATION_DOWN_TO:
    case GANDER_PLAN_OPERATION_RESET:
    default:
      /* what was rolled back must be gone; what remains is not the plan's */
      for (guint i = 0; i < n; i++)
        {
          gint64 version = gander_plan_step_get_version (gander_plan_get_step (plan, i));

          if (gander_db_state_is_applied (state, version))
            g_array_append_val (left, version);
        }
      if (left->len == 0)
        {
          gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                     _("the database is at version %" PRId64
                                       ": the %u version(s) the plan rolls back are gone"),
                                     current, n);
          return;
        }
      g_array_sort (left, compare_int64);
      append_versions (list, left, 10);
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                 _("the database is at version %" PRId64
                                   ", but version(s) %s, which the run should have rolled "
                                   "back, are still applied: look at the run's errors; "
                                   "`gander status` shows what is applied"),
                                 current, list->str);
      return;
    }

  if (current == expected)
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                               _("the database is at version %" PRId64
                                 ", where the plan leaves it"), current);
  else
    gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                               _("the database is at version %" PRId64
                                 ", not at %" PRId64 " where the plan should have "
                                 "left it: look at the run's errors (or whether another run "
                                 "changed it meanwhile); `gander status` shows what is applied"),
                               current, expected);
}

static gboolean
check_target_version (GanderHealthContext  *ctx,
                      GanderHealthOutcome  *out,
                      GError              **error)
{
  GanderDbState *state;

  state = load_state (ctx, out, error);
  if (state == NULL)
    return error == NULL || *error == NULL;

  if (ctx->target_version >= 0)
    {
      if (state->max_version == ctx->target_version)
        gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK,
                                   _("the database is at the target version %" PRId64),
                                   state->max_version);
      else
        gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL,
                                   _("the database is at version %" PRId64
                                     ", not at the target version %" PRId64
                                     ": look at the run's errors (or whether another run "
                                     "changed it meanwhile); `gander status` shows what is "
                                     "applied"),
                                   state->max_version, ctx->target_version);
      return TRUE;
    }
  if (ctx->plan != NULL)
    {
      judge_plan_target (ctx, state, out);
      return TRUE;
    }
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_SKIPPED,
                             _("no target to compare with (the database is at version %"
                               PRId64 "): set the target-version or the plan"),
                             state->max_version);
  return TRUE;
}

/* }}} */

/* Running the checks {{{ */

static void
context_free (GanderHealthContext *ctx)
{
  g_clear_object (&ctx->database);
  g_clear_object (&ctx->source);
  g_clear_object (&ctx->plan);
  g_clear_object (&ctx->cancellable);
  g_free (ctx->backup_directory);
  g_free (ctx->sqlite_path);
  g_clear_pointer (&ctx->db_state, db_state_free);
  g_free (ctx);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GanderHealthContext, context_free)

typedef struct
{
  GanderHealthContext *ctx;
  GanderHealthPhase    phase;
  GStrv                checks;
  GStrv                post_check_sql;
} RunData;

static void
run_data_free (RunData *data)
{
  g_clear_pointer (&data->ctx, context_free);
  g_strfreev (data->checks);
  g_strfreev (data->post_check_sql);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunData, run_data_free)

/* A SQLite database's file from its connection string, before it is
 * opened (NULL in memory). */
static char *
sqlite_path_from_dsn (GanderDatabase *database)
{
  const char *dsn = gander_database_get_connect_dsn (database);
  const char *start;
  const char *query;
  g_autofree char *path = NULL;

  if (dsn == NULL)
    return NULL;
  start = g_str_has_prefix (dsn, "file:") ? dsn + 5 : dsn;
  query = strchr (start, '?');
  path = query != NULL ? g_strndup (start, query - start) : g_strdup (start);
  if (*path == '\0' || g_str_equal (path, ":memory:") ||
      (query != NULL && strstr (query, "mode=memory") != NULL))
    return NULL;
  if (g_str_has_prefix (dsn, "file:"))
    {
      char *unescaped = g_uri_unescape_string (path, NULL);

      if (unescaped != NULL)
        {
          g_free (path);
          path = unescaped;
        }
    }
  return g_canonicalize_filename (path, NULL);
}

static RunData *
run_data_new (GanderHealth      *self,
              GanderHealthPhase  phase,
              GCancellable      *cancellable)
{
  RunData *data = g_new0 (RunData, 1);
  GanderHealthContext *ctx = g_new0 (GanderHealthContext, 1);

  ctx->database = g_object_ref (gander_migrator_get_database (self->migrator));
  ctx->source = g_object_ref (gander_migrator_get_source (self->migrator));
  ctx->allow_missing = gander_migrator_get_allow_missing (self->migrator) || self->allow_missing;
  ctx->plan = self->plan != NULL ? g_object_ref (self->plan) : NULL;
  ctx->target_version = self->target_version;
  ctx->free_space_factor = self->free_space_factor;
  ctx->backup_directory = g_strdup (self->backup_directory);
  ctx->integrity = self->integrity;
  ctx->lock_age_threshold = self->lock_age_threshold;
  ctx->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (GANDER_IS_SQLITE_DATABASE (ctx->database))
    ctx->sqlite_path = sqlite_path_from_dsn (ctx->database);

  data->ctx = ctx;
  data->phase = phase;
  data->checks = g_strdupv (self->checks);
  data->post_check_sql = g_strdupv (self->post_check_sql);
  return data;
}

static gboolean
validate_checks (const char * const  *checks,
                 GError             **error)
{
  for (guint i = 0; checks != NULL && checks[i] != NULL; i++)
    if (!g_strv_contains (any_names, checks[i]) && !g_str_equal (checks[i], "target-version"))
      {
        g_autofree char *known = g_strjoinv (", ", (GStrv) any_names);

        g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                     _("unknown health check \"%s\": the checks are %s and target-version"),
                     checks[i], known);
        return FALSE;
      }
  return TRUE;
}

/* The engine's function for a check, NULL when it does not apply. */
static GanderHealthCheckFunc
lookup_check (const GanderHealthEngine *engine,
              const char               *name)
{
  if (g_str_equal (name, "connectivity"))
    return engine->connectivity;
  if (g_str_equal (name, "writable"))
    return engine->writable;
  if (g_str_equal (name, "privileges"))
    return engine->privileges;
  if (g_str_equal (name, "version-table"))
    return check_version_table;
  if (g_str_equal (name, "disk-space"))
    return engine->disk_space;
  if (g_str_equal (name, "blocking-locks"))
    return engine->blocking_locks;
  if (g_str_equal (name, "target-version"))
    return check_target_version;
  if (g_str_equal (name, "running-marker"))
    return check_running_marker;
  if (g_str_equal (name, "integrity"))
    return engine->integrity;
  if (g_str_equal (name, "foreign-keys"))
    return engine->foreign_keys;
  if (g_str_equal (name, "invalid-indexes"))
    return engine->invalid_indexes;
  if (g_str_equal (name, "not-valid-constraints"))
    return engine->not_valid_constraints;
  return NULL;
}

/* A database of another backend (an application's own GanderDatabase
 * subclass): what the generic API can tell. */
static gboolean
generic_connectivity (GanderHealthContext  *ctx,
                      GanderHealthOutcome  *out,
                      GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  if (gander_database_open (ctx->database, ctx->cancellable, &local_error))
    {
      gander_health_outcome_set (out, GANDER_HEALTH_STATUS_OK, _("connected (%s)"),
                                 gander_database_get_dialect (ctx->database));
      return TRUE;
    }
  if (gander_error_is_cancelled (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  gander_health_outcome_set (out, GANDER_HEALTH_STATUS_FAIL, _("cannot connect: %s"),
                             local_error->message);
  return TRUE;
}

static const GanderHealthEngine generic_engine = {
  .connectivity = generic_connectivity,
};

static const GanderHealthEngine *
engine_for (GanderDatabase *database)
{
  if (GANDER_IS_SQLITE_DATABASE (database))
    return &gander_health_sqlite_engine;
  if (GANDER_IS_POSTGRES_DATABASE (database))
    return &gander_health_postgres_engine;
  return &generic_engine;
}

static GanderHealthPhase
phase_of (const char *name)
{
  return g_strv_contains (before_names, name) ? GANDER_HEALTH_PHASE_BEFORE
                                              : GANDER_HEALTH_PHASE_AFTER;
}

static gboolean
set_cancelled_if_cancelled (GCancellable  *cancellable,
                            GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  gander_set_cancelled_error (error, _("the health checks were cancelled"));
  return TRUE;
}

static gboolean
run_one (GanderHealthContext    *ctx,
         GanderHealthCheckFunc   func,
         const char             *name,
         GPtrArray              *results,
         GanderHealthStatus     *status,
         GError                **error)
{
  GanderHealthOutcome out = { GANDER_HEALTH_STATUS_OK, NULL };
  gint64 start = g_get_monotonic_time ();

  if (!func (ctx, &out, error))
    {
      g_free (out.message);
      return FALSE;
    }
  g_ptr_array_add (results,
                   gander_health_result_new (name, phase_of (name), out.status, out.message,
                                             g_get_monotonic_time () - start));
  if (status != NULL)
    *status = out.status;
  g_free (out.message);
  return TRUE;
}

static gboolean
any_selected (const char * const *names,
              GStrv               checks)
{
  if (checks == NULL)
    return TRUE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strv_contains ((const char * const *) checks, names[i]))
      return TRUE;
  return FALSE;
}

static GPtrArray *
run_checks (RunData       *data,
            GError       **error)
{
  GanderHealthContext *ctx = data->ctx;
  const GanderHealthEngine *engine = engine_for (ctx->database);
  const char * const *names = gander_health_check_names (data->phase);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *no_connection = NULL;
  gboolean connected = FALSE;

  if (!validate_checks ((const char * const *) data->checks, error))
    return NULL;
  if (set_cancelled_if_cancelled (ctx->cancellable, error))
    return NULL;
  /* none of this phase's checks chosen (`health-before=none`): nothing
   * to report, not even a connection failure */
  if (!any_selected (names, data->checks))
    return g_steal_pointer (&results);

  /* Every check needs the connection: connectivity runs first in any
   * phase, and is reported when asked for or when it fails. */
  {
    g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_object_unref);
    GanderHealthStatus status = GANDER_HEALTH_STATUS_FAIL;
    gboolean wanted = g_strv_contains (names, "connectivity") &&
                      (data->checks == NULL ||
                       g_strv_contains ((const char * const *) data->checks, "connectivity"));

    if (!run_one (ctx, engine->connectivity, "connectivity", first, &status, error))
      return NULL;
    connected = status != GANDER_HEALTH_STATUS_FAIL;
    if (wanted || !connected)
      g_ptr_array_add (results, g_object_ref (g_ptr_array_index (first, 0)));
    if (!connected)
      no_connection = g_strdup (_("not run: no connection"));
  }

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];
      GanderHealthCheckFunc func;

      if (g_str_equal (name, "connectivity"))
        continue;
      if (data->checks != NULL && !g_strv_contains ((const char * const *) data->checks, name))
        continue;
      if (set_cancelled_if_cancelled (ctx->cancellable, error))
        return NULL;

      if (g_str_equal (name, "post-check-sql"))
        {
          for (guint q = 0; data->post_check_sql != NULL && data->post_check_sql[q] != NULL; q++)
            {
              g_autofree char *qname = q == 0 ? g_strdup (name)
                                              : g_strdup_printf ("%s#%u", name, q + 1);
              GanderHealthOutcome out = { GANDER_HEALTH_STATUS_OK, NULL };
              gint64 start = g_get_monotonic_time ();

              if (engine->post_check == NULL)
                break;
              if (set_cancelled_if_cancelled (ctx->cancellable, error))
                return NULL;
              if (!connected)
                gander_health_outcome_set (&out, GANDER_HEALTH_STATUS_SKIPPED, "%s", no_connection);
              else if (!engine->post_check (ctx, data->post_check_sql[q], &out, error))
                {
                  g_free (out.message);
                  return NULL;
                }
              g_ptr_array_add (results,
                               gander_health_result_new (qname, GANDER_HEALTH_PHASE_AFTER,
                                                         out.status, out.message,
                                                         g_get_monotonic_time () - start));
              g_free (out.message);
            }
          continue;
        }

      func = lookup_check (engine, name);
      if (func == NULL)
        continue;
      if (!connected)
        {
          g_ptr_array_add (results,
                           gander_health_result_new (name, phase_of (name),
                                                     GANDER_HEALTH_STATUS_SKIPPED,
                                                     no_connection, 0));
          continue;
        }
      if (!run_one (ctx, func, name, results, NULL, error))
        return NULL;
    }
  return g_steal_pointer (&results);
}

/* }}} */

/* GObject {{{ */

static void
gander_health_finalize (GObject *object)
{
  GanderHealth *self = GANDER_HEALTH (object);

  g_clear_object (&self->migrator);
  g_clear_object (&self->plan);
  g_strfreev (self->checks);
  g_strfreev (self->post_check_sql);
  g_free (self->backup_directory);

  G_OBJECT_CLASS (gander_health_parent_class)->finalize (object);
}

static void
gander_health_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GanderHealth *self = GANDER_HEALTH (object);

  switch (prop_id)
    {
    case PROP_MIGRATOR:
      g_value_set_object (value, self->migrator);
      break;
    case PROP_CHECKS:
      g_value_set_boxed (value, self->checks);
      break;
    case PROP_FREE_SPACE_FACTOR:
      g_value_set_double (value, self->free_space_factor);
      break;
    case PROP_BACKUP_DIRECTORY:
      g_value_set_string (value, self->backup_directory);
      break;
    case PROP_POST_CHECK_SQL:
      g_value_set_boxed (value, self->post_check_sql);
      break;
    case PROP_INTEGRITY:
      g_value_set_boolean (value, self->integrity);
      break;
    case PROP_LOCK_AGE_THRESHOLD:
      g_value_set_int64 (value, self->lock_age_threshold);
      break;
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_TARGET_VERSION:
      g_value_set_int64 (value, self->target_version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_health_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GanderHealth *self = GANDER_HEALTH (object);

  switch (prop_id)
    {
    case PROP_MIGRATOR:
      self->migrator = g_value_dup_object (value);
      break;
    case PROP_CHECKS:
      gander_health_set_checks (self, g_value_get_boxed (value));
      break;
    case PROP_FREE_SPACE_FACTOR:
      gander_health_set_free_space_factor (self, g_value_get_double (value));
      break;
    case PROP_BACKUP_DIRECTORY:
      gander_health_set_backup_directory (self, g_value_get_string (value));
      break;
    case PROP_POST_CHECK_SQL:
      gander_health_set_post_check_sql (self, g_value_get_boxed (value));
      break;
    case PROP_INTEGRITY:
      gander_health_set_integrity (self, g_value_get_boolean (value));
      break;
    case PROP_LOCK_AGE_THRESHOLD:
      gander_health_set_lock_age_threshold (self, g_value_get_int64 (value));
      break;
    case PROP_PLAN:
      gander_health_set_plan (self, g_value_get_object (value));
      break;
    case PROP_TARGET_VERSION:
      gander_health_set_target_version (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_health_class_init (GanderHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_health_finalize;
  object_class->get_property = gander_health_get_property;
  object_class->set_property = gander_health_set_property;

  /**
   * GanderHealth:migrator:
   *
   * The migrator whose database, source and allow-missing setting the
   * checks use.
   *
   * Since: 0.2
   */
  properties[PROP_MIGRATOR] =
    g_param_spec_object ("migrator", NULL, NULL, GANDER_TYPE_MIGRATOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:checks:
   *
   * The names of the checks to run (see gander_health_check_names());
   * the others are neither run nor reported. %NULL runs them all. An
   * unknown name makes gander_health_run() fail with
   * %GANDER_ERROR_INVALID_ARGUMENT.
   *
   * Since: 0.2
   */
  properties[PROP_CHECKS] =
    g_param_spec_boxed ("checks", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:free-space-factor:
   *
   * How much free space `disk-space` wants, as a multiple of the database
   * size: on the SQLite database's file system, and on the backup
   * directory's when #GanderHealth:backup-directory is set. 0 disables
   * the comparison.
   *
   * Since: 0.2
   */
  properties[PROP_FREE_SPACE_FACTOR] =
    g_param_spec_double ("free-space-factor", NULL, NULL, 0, G_MAXDOUBLE,
                         DEFAULT_FREE_SPACE_FACTOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:backup-directory:
   *
   * Where backups go: `disk-space` checks its file system too (its
   * nearest existing parent while it does not exist).
   *
   * Since: 0.2
   */
  properties[PROP_BACKUP_DIRECTORY] =
    g_param_spec_string ("backup-directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:post-check-sql:
   *
   * Queries run after a run (and on demand): each one that returns a row
   * fails, with the first column of its first row in the message; no row
   * is ok. Write them so that a row means trouble, such as
   * `SELECT 'orders without customer: ' || count(*) FROM orders … HAVING count(*) > 0`.
   *
   * Since: 0.2
   */
  properties[PROP_POST_CHECK_SQL] =
    g_param_spec_boxed ("post-check-sql", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:integrity:
   *
   * Whether the SQLite `integrity` check runs the thorough
   * `PRAGMA integrity_check` instead of `PRAGMA quick_check`.
   *
   * Since: 0.2
   */
  properties[PROP_INTEGRITY] =
    g_param_spec_boolean ("integrity", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:lock-age-threshold:
   *
   * How long (µs) another session's transaction must have been open for
   * its locks to count in `blocking-locks`; 0 counts every open
   * transaction.
   *
   * Since: 0.2
   */
  properties[PROP_LOCK_AGE_THRESHOLD] =
    g_param_spec_int64 ("lock-age-threshold", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:plan:
   *
   * The plan of the run: `blocking-locks` looks at the tables its
   * statements name, `target-version` at where it leaves the database.
   *
   * Since: 0.2
   */
  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, GANDER_TYPE_PLAN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealth:target-version:
   *
   * The version `target-version` expects; -1 takes it from
   * #GanderHealth:plan, or skips the check without a plan.
   *
   * Since: 0.2
   */
  properties[PROP_TARGET_VERSION] =
    g_param_spec_int64 ("target-version", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_health_init (GanderHealth *self)
{
  self->free_space_factor = DEFAULT_FREE_SPACE_FACTOR;
  self->target_version = -1;
}

/* }}} */

/* Public API {{{ */

/**
 * gander_health_new:
 * @migrator: the migrator whose database to check
 *
 * Creates the health checks of @migrator's database. The checks read the
 * migrator's database, source and allow-missing setting when they run.
 *
 * Returns: (transfer full): a new #GanderHealth
 *
 * Since: 0.2
 */
GanderHealth *
gander_health_new (GanderMigrator *migrator)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (migrator), NULL);

  return g_object_new (GANDER_TYPE_HEALTH, "migrator", migrator, NULL);
}

/**
 * gander_health_get_migrator:
 * @self: a #GanderHealth
 *
 * Gets the migrator whose database the checks look at.
 *
 * Returns: (transfer none): the migrator
 *
 * Since: 0.2
 */
GanderMigrator *
gander_health_get_migrator (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  return self->migrator;
}

/**
 * gander_health_get_checks:
 * @self: a #GanderHealth
 *
 * Gets the names of the checks to run (see #GanderHealth:checks).
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the names,
 *   or %NULL for all
 *
 * Since: 0.2
 */
const char * const *
gander_health_get_checks (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  return (const char * const *) self->checks;
}

/**
 * gander_health_set_checks:
 * @self: a #GanderHealth
 * @checks: (nullable) (array zero-terminated=1): check names, or %NULL for all
 *
 * Sets which checks run (see #GanderHealth:checks).
 *
 * Since: 0.2
 */
void
gander_health_set_checks (GanderHealth       *self,
                          const char * const *checks)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));

  g_strfreev (self->checks);
  self->checks = g_strdupv ((GStrv) checks);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKS]);
}

/**
 * gander_health_get_free_space_factor:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:free-space-factor.
 *
 * Returns: the factor
 *
 * Since: 0.2
 */
double
gander_health_get_free_space_factor (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), DEFAULT_FREE_SPACE_FACTOR);
  return self->free_space_factor;
}

/**
 * gander_health_set_free_space_factor:
 * @self: a #GanderHealth
 * @factor: free space wanted, as a multiple of the database size (≥ 0)
 *
 * Sets #GanderHealth:free-space-factor.
 *
 * Since: 0.2
 */
void
gander_health_set_free_space_factor (GanderHealth *self,
                                     double        factor)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));
  g_return_if_fail (factor >= 0);

  if (self->free_space_factor == factor)
    return;
  self->free_space_factor = factor;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FREE_SPACE_FACTOR]);
}

/**
 * gander_health_get_backup_directory:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:backup-directory.
 *
 * Returns: (nullable): the directory
 *
 * Since: 0.2
 */
const char *
gander_health_get_backup_directory (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  return self->backup_directory;
}

/**
 * gander_health_set_backup_directory:
 * @self: a #GanderHealth
 * @directory: (nullable) (type filename): where backups go
 *
 * Sets #GanderHealth:backup-directory.
 *
 * Since: 0.2
 */
void
gander_health_set_backup_directory (GanderHealth *self,
                                    const char   *directory)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));

  if (g_strcmp0 (self->backup_directory, directory) == 0)
    return;
  g_free (self->backup_directory);
  self->backup_directory = g_strdup (directory);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKUP_DIRECTORY]);
}

/**
 * gander_health_get_post_check_sql:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:post-check-sql.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the queries
 *
 * Since: 0.2
 */
const char * const *
gander_health_get_post_check_sql (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  return (const char * const *) self->post_check_sql;
}

/**
 * gander_health_set_post_check_sql:
 * @self: a #GanderHealth
 * @queries: (nullable) (array zero-terminated=1): the queries
 *
 * Sets #GanderHealth:post-check-sql. Empty strings are left out.
 *
 * Since: 0.2
 */
void
gander_health_set_post_check_sql (GanderHealth       *self,
                                  const char * const *queries)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (GANDER_IS_HEALTH (self));

  for (guint i = 0; queries != NULL && queries[i] != NULL; i++)
    {
      g_autofree char *query = g_strstrip (g_strdup (queries[i]));

      if (*query != '\0')
        g_strv_builder_add (builder, query);
    }
  g_strfreev (self->post_check_sql);
  self->post_check_sql = g_strv_builder_end (builder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POST_CHECK_SQL]);
}

/**
 * gander_health_get_integrity:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:integrity.
 *
 * Returns: whether `integrity` runs `PRAGMA integrity_check`
 *
 * Since: 0.2
 */
gboolean
gander_health_get_integrity (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), FALSE);
  return self->integrity;
}

/**
 * gander_health_set_integrity:
 * @self: a #GanderHealth
 * @integrity: %TRUE for `PRAGMA integrity_check`
 *
 * Sets #GanderHealth:integrity.
 *
 * Since: 0.2
 */
void
gander_health_set_integrity (GanderHealth *self,
                             gboolean      integrity)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));

  integrity = !!integrity;
  if (self->integrity == integrity)
    return;
  self->integrity = integrity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTEGRITY]);
}

/**
 * gander_health_get_lock_age_threshold:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:lock-age-threshold.
 *
 * Returns: the threshold in microseconds
 *
 * Since: 0.2
 */
GTimeSpan
gander_health_get_lock_age_threshold (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), 0);
  return self->lock_age_threshold;
}

/**
 * gander_health_set_lock_age_threshold:
 * @self: a #GanderHealth
 * @threshold: microseconds (≥ 0)
 *
 * Sets #GanderHealth:lock-age-threshold.
 *
 * Since: 0.2
 */
void
gander_health_set_lock_age_threshold (GanderHealth *self,
                                      GTimeSpan     threshold)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));
  g_return_if_fail (threshold >= 0);

  if (self->lock_age_threshold == threshold)
    return;
  self->lock_age_threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_AGE_THRESHOLD]);
}

/**
 * gander_health_get_plan:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:plan.
 *
 * Returns: (transfer none) (nullable): the plan
 *
 * Since: 0.2
 */
GanderPlan *
gander_health_get_plan (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  return self->plan;
}

/**
 * gander_health_set_plan:
 * @self: a #GanderHealth
 * @plan: (nullable): the plan of the run
 *
 * Sets #GanderHealth:plan.
 *
 * Since: 0.2
 */
void
gander_health_set_plan (GanderHealth *self,
                        GanderPlan   *plan)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));
  g_return_if_fail (plan == NULL || GANDER_IS_PLAN (plan));

  if (g_set_object (&self->plan, plan))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
}

/**
 * gander_health_get_target_version:
 * @self: a #GanderHealth
 *
 * Gets #GanderHealth:target-version.
 *
 * Returns: the version, or -1
 *
 * Since: 0.2
 */
gint64
gander_health_get_target_version (GanderHealth *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), -1);
  return self->target_version;
}

/**
 * gander_health_set_target_version:
 * @self: a #GanderHealth
 * @version: the version expected after the run, or -1
 *
 * Sets #GanderHealth:target-version.
 *
 * Since: 0.2
 */
void
gander_health_set_target_version (GanderHealth *self,
                                  gint64        version)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));
  g_return_if_fail (version >= -1);

  if (self->target_version == version)
    return;
  self->target_version = version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET_VERSION]);
}

/**
 * gander_health_run:
 * @self: a #GanderHealth
 * @phase: which checks
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs the checks of @phase (those of #GanderHealth:checks among them)
 * on the migrator's database, opening it if needed (a SQLite file that
 * does not exist is not created: it is checked as an empty database).
 *
 * Returns: (transfer container) (element-type GanderHealthResult): one
 *   result per check run, in order; %NULL with @error only when cancelled
 *   (%G_IO_ERROR_CANCELLED) or for an unknown check name
 *   (%GANDER_ERROR_INVALID_ARGUMENT)
 *
 * Since: 0.2
 */
GPtrArray *
gander_health_run (GanderHealth       *self,
                   GanderHealthPhase   phase,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_autoptr(RunData) data = NULL;

  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = run_data_new (self, phase, cancellable);
  return run_checks (data, error);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *results = run_checks (task_data, &error);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * gander_health_run_async:
 * @self: a #GanderHealth
 * @phase: which checks
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the checks are done
 * @user_data: data for @callback
 *
 * Runs gander_health_run() in a worker thread. The settings are read
 * now; the database must not be used elsewhere until @callback runs.
 *
 * Since: 0.2
 */
void
gander_health_run_async (GanderHealth        *self,
                         GanderHealthPhase    phase,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GANDER_IS_HEALTH (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gander_health_run_async);
  g_task_set_task_data (task, run_data_new (self, phase, cancellable),
                        (GDestroyNotify) run_data_free);
  /* the checks report cancellation themselves, once the database lets go */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

/**
 * gander_health_run_finish:
 * @self: a #GanderHealth
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes gander_health_run_async().
 *
 * Returns: (transfer container) (element-type GanderHealthResult): the
 *   results, as gander_health_run() returns them
 *
 * Since: 0.2
 */
GPtrArray *
gander_health_run_finish (GanderHealth  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (GANDER_IS_HEALTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gander_health_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* }}} */

void
gander_health_set_allow_missing (GanderHealth *self,
                                 gboolean      allow_missing)
{
  g_return_if_fail (GANDER_IS_HEALTH (self));
  self->allow_missing = !!allow_missing;
}
