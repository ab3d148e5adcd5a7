/* gd-status.c: a profile's migration statuses, kept for Status and
 * StatusColumns
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two shapes of one table. Status's aa{sv} (a dictionary per migration)
 * is what a script wants to read; it is also expensive on the bus: for
 * 1000 migrations GDBus spends ~6 ms packing and a client ~16 ms
 * unpacking it, however it was cached. StatusColumns' a{sv} carries the
 * same table as one array per column, mostly arrays of fixed-size numbers
 * that GDBus copies whole, so it costs well under a millisecond; that is
 * the one to poll.
 */
#include "config.h"

#include "gd-status.h"
#include "gd-variant.h"

typedef struct
{
  gint64               version;
  char                *name;
  char                *source;     /* "" when there is no file */
  GanderMigrationState state;      /* MISSING also for applied, file gone */
  gint64               applied_at; /* µs since the epoch; 0: unknown/none */
  guint                flags;      /* GdStatusFlags */
} Row;

struct _GdStatus
{
  GArray     *rows;                /* Row, oldest first */
  GHashTable *index;               /* version (gint64 *) → row index + 1 */
  GVariant   *rows_variant;
  GVariant   *columns_variant;
  gint64      rows_packed_at;      /* monotonic µs */
  gint64      columns_packed_at;
  gboolean    rows_stale;
  gboolean    columns_stale;
};

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_free (row->name);
  g_free (row->source);
}

/* The "no-transaction" flag of a migration: its Up section's annotation
 * (a file that does not parse is reported by Validate, not here). */
static gboolean
migration_no_transaction (GanderMigration *migration)
{
  g_autoptr(GanderParsedSql) parsed = NULL;

  parsed = gander_migration_parse (migration, GANDER_DIRECTION_UP, NULL);
  return parsed != NULL && !gander_parsed_sql_get_use_transaction (parsed);
}

static GVariant *
pack_rows (GdStatus *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_int64 (row->version));
      g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (row->name));
      g_variant_builder_add (&builder, "{sv}", "source", g_variant_new_string (row->source));
      g_variant_builder_add (&builder, "{sv}", "state", g_variant_new_string (gander_migration_state_to_string (row->state)));
      if (row->state != GANDER_MIGRATION_STATE_PENDING && row->applied_at != 0)
        g_variant_builder_add (&builder, "{sv}", "applied-at", g_variant_new_int64 (row->applied_at));
      g_variant_builder_add (&builder, "{sv}", "no-transaction",
                             g_variant_new_boolean (row->flags & GD_STATUS_FLAG_NO_TRANSACTION));
      /* drift is known only where a checksum was recorded and the file is here */
      if (row->flags & GD_STATUS_FLAG_CHECKSUM_RECORDED)
        g_variant_builder_add (&builder, "{sv}", "checksum-drift",
                               g_variant_new_boolean (row->flags & GD_STATUS_FLAG_CHECKSUM_DRIFT));
      g_variant_builder_close (&builder);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static GVariant *
pack_columns (GdStatus *self)
{
  guint n = self->rows->len;
  g_autofree gint64 *versions = g_new (gint64, MAX (n, 1));
  g_autofree gint64 *applied = g_new (gint64, MAX (n, 1));
  g_autofree guint32 *states = g_new (guint32, MAX (n, 1));
  g_autofree guint32 *flags = g_new (guint32, MAX (n, 1));
  g_autofree const char **names = g_new (const char *, n + 1);
  GVariantBuilder builder;

  for (guint i = 0; i < n; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);

      versions[i] = row->version;
      applied[i] = row->state != GANDER_MIGRATION_STATE_PENDING ? row->applied_at : 0;
      states[i] = row->state;
      flags[i] = row->flags;
      names[i] = row->name;
    }
  names[n] = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "version",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, versions, n, sizeof (gint64)));
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_strv (names, n));
  g_variant_builder_add (&builder, "{sv}", "state",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, states, n, sizeof (guint32)));
  g_variant_builder_add (&builder, "{sv}", "applied-at",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, applied, n, sizeof (gint64)));
  g_variant_builder_add (&builder, "{sv}", "flags",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, flags, n, sizeof (guint32)));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

GdStatus *
gd_status_new (GPtrArray *statuses)
{
  GdStatus *self = g_new0 (GdStatus, 1);

  self->rows = g_array_sized_new (FALSE, TRUE, sizeof (Row), statuses != NULL ? statuses->len : 0);
  g_array_set_clear_func (self->rows, row_clear);
  self->index = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; statuses != NULL && i < statuses->len; i++)
    {
      GanderMigrationStatus *status = g_ptr_array_index (statuses, i);
      GanderMigration *migration = gander_migration_status_get_migration (status);
      GanderMigrationState state = gander_migration_status_get_state (status);
      GFile *file = migration != NULL ? gander_migration_get_file (migration) : NULL;
      Row row = { 0 };

      row.version = gander_migration_status_get_version (status);
      row.name = g_strdup (gander_migration_status_get_name (status) ?: "");
      row.source = file != NULL ? g_file_get_path (file) : NULL;
      if (row.source == NULL)
        row.source = g_strdup ("");
      /* applied, but its file is gone: missing, as goose's status says */
      if (state == GANDER_MIGRATION_STATE_APPLIED && migration == NULL)
        state = GANDER_MIGRATION_STATE_MISSING;
      row.state = state;
      if (state != GANDER_MIGRATION_STATE_PENDING)
        row.applied_at = gd_variant_time (gander_migration_status_get_applied_at (status));
      if (migration != NULL && migration_no_transaction (migration))
        row.flags |= GD_STATUS_FLAG_NO_TRANSACTION;
      if (state != GANDER_MIGRATION_STATE_PENDING && migration != NULL &&
          gander_migration_status_get_recorded_checksum (status) != NULL)
        {
          row.flags |= GD_STATUS_FLAG_CHECKSUM_RECORDED;
          if (gander_migration_status_get_modified (status))
            row.flags |= GD_STATUS_FLAG_CHECKSUM_DRIFT;
        }
      g_array_append_val (self->rows, row);
    }
  /* the array no longer grows: its rows' versions can be the keys */
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      g_hash_table_insert (self->index, &row->version, GUINT_TO_POINTER (i + 1));
    }
  self->rows_variant = pack_rows (self);
  self->columns_variant = pack_columns (self);
  return self;
}

void
gd_status_free (GdStatus *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->rows_variant, g_variant_unref);
  g_clear_pointer (&self->columns_variant, g_variant_unref);
  g_hash_table_unref (self->index);
  g_array_unref (self->rows);
  g_free (self);
}

void
gd_status_mark (GdStatus *self,
                gint64    version,
                gboolean  up,
                gint64    applied_at)
{
  gpointer found;
  Row *row;

  g_return_if_fail (self != NULL);

  found = g_hash_table_lookup (self->index, &version);
  if (found == NULL)
    return;
  row = &g_array_index (self->rows, Row, GPOINTER_TO_UINT (found) - 1);
  if (up)
    {
      row->state = GANDER_MIGRATION_STATE_APPLIED;
      row->applied_at = applied_at;
      /* the run records the file's checksum as it applies it */
      row->flags &= ~GD_STATUS_FLAG_CHECKSUM_DRIFT;
      if (row->source[0] != '\0')
        row->flags |= GD_STATUS_FLAG_CHECKSUM_RECORDED;
    }
  else
    {
      /* rolled back; a row without a file stays as it is until the
       * refresh after the job (goose cannot roll those back anyway) */
      if (row->source[0] == '\0')
        return;
      row->state = GANDER_MIGRATION_STATE_PENDING;
      row->applied_at = 0;
      row->flags &= ~(GD_STATUS_FLAG_CHECKSUM_DRIFT | GD_STATUS_FLAG_CHECKSUM_RECORDED);
    }
  self->rows_stale = TRUE;
  self->columns_stale = TRUE;
}

static GVariant *
get_packed (GdStatus  *self,
            GVariant **variant,
            gint64    *packed_at,
            gboolean  *stale,
            GTimeSpan  min_age_us,
            GVariant *(*pack) (GdStatus *))
{
  gint64 now;

  if (!*stale)
    return *variant;
  now = g_get_monotonic_time ();
  if (now - *packed_at < min_age_us)
    return *variant;
  g_clear_pointer (variant, g_variant_unref);
  *variant = pack (self);
  *packed_at = now;
  *stale = FALSE;
  return *variant;
}

GVariant *
gd_status_get_rows (GdStatus  *self,
                    GTimeSpan  min_age_us)
{
  g_return_val_if_fail (self != NULL, NULL);
  return get_packed (self, &self->rows_variant, &self->rows_packed_at, &self->rows_stale,
                     min_age_us, pack_rows);
}

GVariant *
gd_status_get_columns (GdStatus  *self,
                       GTimeSpan  min_age_us)
{
  g_return_val_if_fail (self != NULL, NULL);
  return get_packed (self, &self->columns_variant, &self->columns_packed_at,
                     &self->columns_stale, min_age_us, pack_columns);
}
