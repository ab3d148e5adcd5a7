/* gander-planner.c: what an operation would do, from the database state,
 * the source and the options; no connection, no signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-error.h"
#include "gander-database-private.h"
#include "gander-migration-private.h"
#include "gander-planner-private.h"

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
      side_rows = gander_database_list_side_rows (database, error);
      if (side_rows == NULL)
        return FALSE;
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
                   "migration %" G_GINT64_FORMAT " (%s) did not finish: it runs "
                   "without a transaction (NO TRANSACTION) and was interrupted or "
                   "failed after it started at %s (by %s), so the database may hold "
                   "part of it. Check the schema by hand, complete or undo that "
                   "migration, then clear the marker with: DELETE FROM %s WHERE "
                   "version_id = %" G_GINT64_FORMAT ";",
                   row->version_id, row->filename,
                   row->applied_at ? row->applied_at : "an unknown time",
                   row->applied_by ? row->applied_by : "an unknown user",
                   side_table, row->version_id);
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

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS,
                   "found %u missing (out-of-order) migration%s lower than the "
                   "database version (%" G_GINT64_FORMAT "); apply them with "
                   "allow-missing or renumber them:%s",
                   missing->len, missing->len == 1 ? "" : "s",
                   state->max_version, list);
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

/* Provider behaviour: every migration about to run is parsed in both
 * directions before the first one runs. */
gboolean
gander_planner_prepare (GPtrArray  *plan,
                        GError    **error)
{
  for (guint i = 0; i < plan->len; i++)
    {
      GanderMigration *m = g_ptr_array_index (plan, i);
      g_autoptr(GanderParsedSql) up = NULL;
      g_autoptr(GanderParsedSql) down = NULL;

      up = gander_migration_parse (m, GANDER_DIRECTION_UP, error);
      if (up == NULL)
        return FALSE;
      down = gander_migration_parse (m, GANDER_DIRECTION_DOWN, error);
      if (down == NULL)
        return FALSE;
      if (gander_migration_get_checksum (m, error) == NULL)
        return FALSE;
    }
  return TRUE;
}
