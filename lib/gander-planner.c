/* gander-planner.c: what an operation would do, from the database state,
 * the source and the options; no connection, no signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "gander-error.h"
#include "gander-database-private.h"
#include "gander-migration-private.h"
#include "gander-plan-private.h"
#include "gander-planner-private.h"

#include <glib/gi18n-lib.h>

void
gander_db_state_init (GanderDbState *state,
                      gboolean       table_exists,
                      GArray        *rows,
                      GArray        *side_rows)
{
  state->applied = g_hash_table_new (g_int64_hash, g_int64_equal);
  state->side = g_hash_table_new (g_int64_hash, g_int64_equal);
  state->max_version = 0;
  state->table_exists = table_exists;
  state->rows = rows != NULL ? rows : gander_version_rows_new ();
  state->side_rows = side_rows != NULL ? side_rows : gander_side_rows_new ();

  /* Rows come newest first: the first row seen for a version is its
   * latest. Like goose's Provider, any row counts as applied, including
   * is_applied=false rows that goose ≤ 3.4 wrote. */
  for (guint i = 0; i < state->rows->len; i++)
    {
      GanderVersionRow *row = &g_array_index (state->rows, GanderVersionRow, i);

      if (!g_hash_table_contains (state->applied, &row->version_id))
        g_hash_table_insert (state->applied, &row->version_id, row);
      state->max_version = MAX (state->max_version, row->version_id);
    }
  for (guint i = 0; i < state->side_rows->len; i++)
    {
      GanderSideRow *row = &g_array_index (state->side_rows, GanderSideRow, i);
      g_hash_table_insert (state->side, &row->version_id, row);
    }
}

gboolean
gander_db_state_load (GanderDbState   *state,
                      GanderDatabase  *database,
                      GError         **error)
{
  return gander_db_state_load_full (state, database, TRUE, error);
}

/* @with_side_rows FALSE: goose's table only, for what needs no more (the
 * current version, has-pending); the state then has no side rows. */
gboolean
gander_db_state_load_full (GanderDbState   *state,
                           GanderDatabase  *database,
                           gboolean         with_side_rows,
                           GError         **error)
{
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) side_rows = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean exists;

  exists = gander_database_version_table_exists (database, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (exists)
    {
      rows = gander_database_list_versions (database, error);
      if (rows == NULL)
        return FALSE;
      if (with_side_rows)
        {
          side_rows = gander_database_list_side_rows (database, error);
          if (side_rows == NULL)
            return FALSE;
        }
    }
  gander_db_state_init (state, exists, g_steal_pointer (&rows), g_steal_pointer (&side_rows));
  return TRUE;
}

void
gander_db_state_clear (GanderDbState *state)
{
  g_clear_pointer (&state->applied, g_hash_table_unref);
  g_clear_pointer (&state->side, g_hash_table_unref);
  g_clear_pointer (&state->rows, g_array_unref);
  g_clear_pointer (&state->side_rows, g_array_unref);
}

gboolean
gander_db_state_is_applied (GanderDbState *state,
                            gint64         version)
{
  return state->applied != NULL && g_hash_table_contains (state->applied, &version);
}

gint64
gander_db_state_max_applied (GanderDbState *state)
{
  GHashTableIter iter;
  gpointer key;
  gint64 max = 0;

  if (state->applied == NULL)
    return 0;
  g_hash_table_iter_init (&iter, state->applied);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    max = MAX (max, *(gint64 *) key);
  return max;
}

void
gander_db_state_forget (GanderDbState *state,
                        gint64         version)
{
  if (state->applied != NULL)
    g_hash_table_remove (state->applied, &version);
}

/* Refuse to go on until a human has looked. */
gboolean
gander_planner_check_not_dirty (GanderDbState  *state,
                                const char     *side_table,
                                GError        **error)
{
  for (guint i = 0; state->side_rows != NULL && i < state->side_rows->len; i++)
    {
      GanderSideRow *row = &g_array_index (state->side_rows, GanderSideRow, i);

      if (row->state != GANDER_MIGRATION_STATE_RUNNING)
        continue;

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY,
                   _("migration %" PRId64 " (%s) did not finish: it runs "
                     "without a transaction (NO TRANSACTION) and was interrupted or "
                     "failed after it started at %s (by %s), so the database may hold "
                     "part of it. Check the schema by hand and complete or undo that "
                     "migration, then record what you did: `gander repair clear-dirty "
                     "%" PRId64 " --mark-applied` if all of its changes are in place "
                     "(it is recorded as applied), or `gander repair clear-dirty "
                     "%" PRId64 "` if none are (it is pending again). The marker is "
                     "the row of version %" PRId64 " in %s."),
                   row->version_id, row->filename,
                   row->applied_at ? row->applied_at : _("an unknown time"),
                   row->applied_by ? row->applied_by : _("an unknown user"),
                   row->version_id, row->version_id, row->version_id, side_table);
      return FALSE;
    }
  return TRUE;
}

gboolean
gander_planner_check_known_version (GanderDbState  *state,
                                    GanderSource   *source,
                                    gint64          version,
                                    GError        **error)
{
  g_autofree char *where = NULL;

  if (gander_source_lookup (source, version) != NULL ||
      gander_db_state_is_applied (state, version))
    return TRUE;

  where = g_file_get_parse_name (gander_source_get_directory (source));
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
               "version %" G_GINT64_FORMAT " not found: no migration in %s has "
               "this version and the database has not recorded it "
               "(known versions: %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
               version, where,
               gander_source_get_n_migrations (source) > 0
                 ? gander_migration_get_version (gander_source_get_migration (source, 0))
                 : 0,
               gander_source_get_max_version (source));
  return FALSE;
}

static char *
format_versions (GPtrArray *migrations)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < migrations->len; i++)
    {
      GanderMigration *m = g_ptr_array_index (migrations, i);
      g_autofree char *path = gander_migration_dup_display_path (m);

      g_string_append_printf (s, "\n\tversion %" G_GINT64_FORMAT ": %s",
                              gander_migration_get_version (m), path);
    }
  return g_string_free (s, FALSE);
}

GPtrArray *
gander_planner_plan_up (GanderDbState            *state,
                        GanderSource             *source,
                        const GanderPlanOptions  *options,
                        gint64                    target,
                        GError                  **error)
{
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = gander_source_get_n_migrations (source);

  for (guint i = 0; i < n; i++)
    {
      GanderMigration *m = gander_source_get_migration (source, i);
      gint64 v = gander_migration_get_version (m);

      if (v > target)
        break;
      if (options->no_versioning)
        {
          g_ptr_array_add (plan, g_object_ref (m));
          continue;
        }
      if (gander_db_state_is_applied (state, v))
        continue;
      if (v < state->max_version)
        g_ptr_array_add (missing, g_object_ref (m));
      g_ptr_array_add (plan, g_object_ref (m));
    }

  if (missing->len > 0 && !options->allow_missing)
    {
      g_autofree char *list = format_versions (missing);

      /* goose's line and list first; the advice is the last line, with
       * no newline in it: the CLI puts its flag in its place */
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS,
                   "error: found %u missing migrations before current version %" G_GINT64_FORMAT ":%s\n%s",
                   missing->len, state->max_version, list,
                   _("they are older than the database version: set the allow-missing run "
                     "option (GanderRunOptions:allow-missing) to apply them out of order, "
                     "or renumber them"));
      return NULL;
    }
  return g_steal_pointer (&plan);
}

/* As goose's Provider does: by insertion order. Every one needs its file. */
GPtrArray *
gander_planner_plan_down (GanderDbState            *state,
                          GanderSource             *source,
                          const GanderPlanOptions  *options,
                          gint64                    target,
                          guint                     limit,
                          GError                  **error)
{
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (options->no_versioning)
    {
      guint n = gander_source_get_n_migrations (source);

      for (guint i = n; i > 0 && plan->len < limit; i--)
        {
          GanderMigration *m = gander_source_get_migration (source, i - 1);

          if (gander_migration_get_version (m) <= target)
            break;
          g_ptr_array_add (plan, g_object_ref (m));
        }
      return g_steal_pointer (&plan);
    }

  for (guint i = 0; i < state->rows->len && plan->len < limit; i++)
    {
      GanderVersionRow *row = &g_array_index (state->rows, GanderVersionRow, i);
      GanderMigration *m;

      if (row->version_id == 0)
        break;
      if (row->version_id <= target)
        continue;
      if (!g_hash_table_add (seen, &row->version_id))
        continue;

      m = gander_source_lookup (source, row->version_id);
      if (m == NULL)
        {
          g_autofree char *where = g_file_get_parse_name (gander_source_get_directory (source));

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                       "version %" G_GINT64_FORMAT " is applied but no migration "
                       "file in %s has it, so it cannot be rolled back",
                       row->version_id, where);
          return NULL;
        }
      g_ptr_array_add (plan, g_object_ref (m));
    }
  return g_steal_pointer (&plan);
}

/* The nearest versions below and above @version, among the files and the
 * recorded versions (0: none). */
static void
nearest_versions (GanderDbState *state,
                  GanderSource  *source,
                  gint64         version,
                  gint64        *below,
                  gint64        *above)
{
  guint n = gander_source_get_n_migrations (source);

  *below = 0;
  *above = 0;
  for (guint i = 0; i < n; i++)
    {
      gint64 v = gander_migration_get_version (gander_source_get_migration (source, i));

      if (v < version)
        *below = MAX (*below, v);
      else if (v > version && (*above == 0 || v < *above))
        *above = v;
    }
  if (state->applied != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, state->applied);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          gint64 v = *(gint64 *) key;

          if (v == 0)
            continue;
          if (v < version)
            *below = MAX (*below, v);
          else if (v > version && (*above == 0 || v < *above))
            *above = v;
        }
    }
}

/* goose treats an unknown target as a bound; say so, naming the versions
 * around it, since a mistyped timestamp is the usual cause. */
static void
warn_unknown_target (GanderPlan    *plan,
                     GanderDbState *state,
                     GanderSource  *source,
                     gboolean       up,
                     gint64         target)
{
  g_autofree char *below_text = NULL;
  g_autofree char *above_text = NULL;
  g_autofree char *warning = NULL;
  gint64 below, above;

  nearest_versions (state, source, target, &below, &above);
  below_text = below > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, below) : g_strdup (_("none"));
  above_text = above > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, above) : g_strdup (_("none"));
  if (up)
    warning = g_strdup_printf (_("no migration has version %" PRId64
                                 ": applying every pending migration up to it, as goose "
                                 "does (nearest versions: %s below, %s above)"),
                               target, below_text, above_text);
  else
    warning = g_strdup_printf (_("no migration has version %" PRId64
                                 ": rolling back every migration above it, as goose "
                                 "does (nearest versions: %s below, %s above)"),
                               target, below_text, above_text);
  gander_plan_add_warning (plan, warning);
}

/* A parse error that stops a run, as goose's CLI words it ("ERROR
 * 00002_x.sql: failed to parse SQL migration file: failed to parse
 * migration: ..."), which log alerts look for; the parser's "FILE:LINE: "
 * moves to the end of the first line, before the quirk warnings. */
static void
goose_wrap_parse_error (GError          *error,
                        GanderMigration *m)
{
  g_autofree char *path = gander_migration_dup_display_path (m);
  const char *message = error->message;
  const char *body = message;
  const char *newline;
  g_autofree char *where = NULL;
  GString *text;

  if (!g_error_matches (error, GANDER_ERROR, GANDER_ERROR_PARSE))
    return;
  if (g_str_has_prefix (message, path) && message[strlen (path)] == ':')
    {
      const char *p = message + strlen (path) + 1;
      const char *digits = p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p > digits && g_str_has_prefix (p, ": "))
        {
          where = g_strndup (message, p - message);
          body = p + 2;
        }
    }
  newline = strchr (body, '\n');
  text = g_string_new (NULL);
  g_string_append_printf (text, "ERROR %s: failed to parse SQL migration file: ",
                          gander_migration_get_name (m));
  g_string_append_len (text, body, newline != NULL ? newline - body : (gssize) strlen (body));
  g_string_append_printf (text, "; at %s", where != NULL ? where : path);
  if (newline != NULL)
    g_string_append (text, newline);
  g_free (error->message);
  error->message = g_string_free (text, FALSE);
}

/* Adds one step: its running section must parse; the other one only
 * matters if it runs too (redo), otherwise its problem is a warning. */
static void
add_step (GanderPlan      *plan,
          GanderMigration *m,
          GanderDirection  direction,
          gboolean         other_runs)
{
  g_autoptr(GanderParsedSql) parsed = NULL;
  g_autoptr(GanderParsedSql) other = NULL;
  g_autoptr(GError) error = NULL;
  GanderDirection other_direction = direction == GANDER_DIRECTION_UP
    ? GANDER_DIRECTION_DOWN : GANDER_DIRECTION_UP;

  parsed = gander_migration_parse (m, direction, &error);
  if (parsed == NULL)
    {
      goose_wrap_parse_error (error, m);
      gander_plan_take_error (plan, g_steal_pointer (&error));
      return;
    }
  other = gander_migration_parse (m, other_direction, &error);
  if (other == NULL && !other_runs)
    {
      g_autofree char *warning = NULL;

      /* the parse error stops at the first problem; the last line says
       * where to see them all, without naming a program (the CLI's
       * command is `validate`, the library's gander_source_validate()) */
      warning = g_strdup_printf (_("the %s section of %s is malformed; it does not run "
                                   "now, so it is ignored: %s\n"
                                   "validate the migrations to see every problem"),
                                 gander_direction_to_string (other_direction),
                                 gander_migration_get_name (m), error->message);
      gander_plan_add_warning (plan, warning);
      g_clear_error (&error);
    }
  else if (other == NULL)
    {
      goose_wrap_parse_error (error, m);
      gander_plan_take_error (plan, g_steal_pointer (&error));
      return;
    }
  if (gander_migration_get_checksum (m, &error) == NULL)
    {
      gander_plan_take_error (plan, g_steal_pointer (&error));
      return;
    }
  gander_plan_add_step (plan, m, direction, parsed);
}

static gboolean
is_known (GanderDbState *state,
          GanderSource  *source,
          gint64         version)
{
  return gander_source_lookup (source, version) != NULL ||
         gander_db_state_is_applied (state, version);
}

GanderPlan *
gander_planner_build (GanderDbState            *state,
                      GanderSource             *source,
                      const GanderPlanOptions  *options,
                      GanderPlanOperation       operation,
                      gint64                    target)
{
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GPtrArray) migrations = NULL;
  g_autoptr(GError) error = NULL;
  gboolean up = operation == GANDER_PLAN_OPERATION_UP ||
                operation == GANDER_PLAN_OPERATION_UP_BY_ONE ||
                operation == GANDER_PLAN_OPERATION_UP_TO;
  gboolean has_target = operation == GANDER_PLAN_OPERATION_UP_TO ||
                        (operation == GANDER_PLAN_OPERATION_DOWN_TO && target != 0);
  GanderPlanOptions relaxed;

  plan = gander_plan_new (operation, has_target ? target : 0, state->max_version);

  if (!options->no_versioning &&
      !gander_planner_check_not_dirty (state, options->side_table, &error))
    gander_plan_take_error (plan, g_steal_pointer (&error));

  if (has_target && !is_known (state, source, target))
    {
      if (options->strict_targets)
        {
          gander_planner_check_known_version (state, source, target, &error);
          gander_plan_take_error (plan, g_steal_pointer (&error));
        }
      else
        warn_unknown_target (plan, state, source, up, target);
    }

  if (up)
    {
      gint64 bound = operation == GANDER_PLAN_OPERATION_UP_TO ? target : G_MAXINT64;

      /* the steps even when missing migrations stop the plan: a dry run
       * shows what allow-missing would apply */
      relaxed = *options;
      relaxed.allow_missing = TRUE;
      migrations = gander_planner_plan_up (state, source, &relaxed, bound, NULL);
      for (guint i = 0; !options->no_versioning && i < migrations->len; i++)
        {
          gint64 v = gander_migration_get_version (g_ptr_array_index (migrations, i));

          if (v < state->max_version)
            gander_plan_add_missing (plan, v);
        }
      if (!options->allow_missing)
        {
          g_autoptr(GPtrArray) strict = gander_planner_plan_up (state, source, options,
                                                                 bound, &error);

          if (strict == NULL)
            gander_plan_take_error (plan, g_steal_pointer (&error));
        }

      if (operation == GANDER_PLAN_OPERATION_UP_BY_ONE)
        {
          if (migrations->len == 0)
            gander_plan_take_error (plan,
              g_error_new (GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                           "no next version found: every migration is applied "
                           "(current version %" G_GINT64_FORMAT ")", state->max_version));
          else
            g_ptr_array_set_size (migrations, 1);
        }
      for (guint i = 0; i < migrations->len; i++)
        add_step (plan, g_ptr_array_index (migrations, i), GANDER_DIRECTION_UP, FALSE);
      return g_steal_pointer (&plan);
    }

  switch (operation)
    {
    case GANDER_PLAN_OPERATION_DOWN:
    case GANDER_PLAN_OPERATION_REDO:
      migrations = gander_planner_plan_down (state, source, options, 0, 1, &error);
      break;
    case GANDER_PLAN_OPERATION_DOWN_TO:
      migrations = gander_planner_plan_down (state, source, options, target, G_MAXUINT, &error);
      break;
    case GANDER_PLAN_OPERATION_RESET:
      migrations = gander_planner_plan_down (state, source, options, 0, G_MAXUINT, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (migrations == NULL)
    {
      gander_plan_take_error (plan, g_steal_pointer (&error));
      return g_steal_pointer (&plan);
    }
  if (migrations->len == 0 &&
      (operation == GANDER_PLAN_OPERATION_DOWN || operation == GANDER_PLAN_OPERATION_REDO))
    gander_plan_take_error (plan,
      g_error_new_literal (GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                           "no migration to roll back: current version is 0"));

  for (guint i = 0; i < migrations->len; i++)
    add_step (plan, g_ptr_array_index (migrations, i), GANDER_DIRECTION_DOWN,
              operation == GANDER_PLAN_OPERATION_REDO);
  if (operation == GANDER_PLAN_OPERATION_REDO)
    for (guint i = 0; i < migrations->len; i++)
      add_step (plan, g_ptr_array_index (migrations, i), GANDER_DIRECTION_UP, TRUE);
  return g_steal_pointer (&plan);
}
