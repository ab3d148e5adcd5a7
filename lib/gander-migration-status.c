/* gander-migration-status.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-enum-types.h"
#include "gander-migration-status-private.h"

/**
 * GanderMigrationStatus:
 *
 * The state of one migration file in one database, as `status` shows it:
 * pending, applied (with when) or running (interrupted), plus whether the
 * file changed since it was applied. Immutable.
 *
 * Since: 0.1
 */
struct _GanderMigrationStatus
{
  GObject               parent_instance;

  GanderMigration      *migration;   /* NULL for an orphan */
  gint64                version;
  char                 *name;        /* the orphan's recorded file name */
  char                 *renamed_to;
  GanderMigrationState  state;
  GDateTime            *applied_at;
  char                 *recorded_checksum;
  gboolean              modified;
};

G_DEFINE_FINAL_TYPE (GanderMigrationStatus, gander_migration_status, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MIGRATION,
  PROP_VERSION,
  PROP_NAME,
  PROP_STATE,
  PROP_APPLIED_AT,
  PROP_RECORDED_CHECKSUM,
  PROP_MODIFIED,
  PROP_RENAMED_TO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_migration_status_finalize (GObject *object)
{
  GanderMigrationStatus *self = GANDER_MIGRATION_STATUS (object);

  g_clear_object (&self->migration);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->renamed_to, g_free);
  g_clear_pointer (&self->applied_at, g_date_time_unref);
  g_clear_pointer (&self->recorded_checksum, g_free);

  G_OBJECT_CLASS (gander_migration_status_parent_class)->finalize (object);
}

static void
gander_migration_status_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  GanderMigrationStatus *self = GANDER_MIGRATION_STATUS (object);

  switch (prop_id)
    {
    case PROP_MIGRATION:
      g_value_set_object (value, self->migration);
      break;
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;
    case PROP_NAME:
      g_value_set_string (value, gander_migration_status_get_name (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_APPLIED_AT:
      g_value_set_boxed (value, self->applied_at);
      break;
    case PROP_RECORDED_CHECKSUM:
      g_value_set_string (value, self->recorded_checksum);
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    case PROP_RENAMED_TO:
      g_value_set_string (value, self->renamed_to);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_migration_status_class_init (GanderMigrationStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_migration_status_finalize;
  object_class->get_property = gander_migration_status_get_property;

  /**
   * GanderMigrationStatus:migration:
   *
   * The migration file.
   *
   * Since: 0.1
   */
  properties[PROP_MIGRATION] =
    g_param_spec_object ("migration", NULL, NULL, GANDER_TYPE_MIGRATION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:version:
   *
   * The migration's version.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:name:
   *
   * The migration's file name.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:state:
   *
   * Pending, applied or running.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GANDER_TYPE_MIGRATION_STATE,
                       GANDER_MIGRATION_STATE_PENDING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:applied-at:
   *
   * When the migration was applied (goose's tstamp of its version row),
   * in UTC, or %NULL when pending. A #GDateTime since 0.2 (before, the
   * database's text).
   *
   * Since: 0.1
   */
  properties[PROP_APPLIED_AT] =
    g_param_spec_boxed ("applied-at", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:recorded-checksum:
   *
   * The SHA-256 Gander recorded when it applied the file, or %NULL (pending,
   * or applied by goose).
   *
   * Since: 0.1
   */
  properties[PROP_RECORDED_CHECKSUM] =
    g_param_spec_string ("recorded-checksum", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:modified:
   *
   * Whether the file changed after it was applied.
   *
   * Since: 0.1
   */
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrationStatus:renamed-to:
   *
   * See gander_migration_status_get_renamed_to().
   *
   * Since: 0.2
   */
  properties[PROP_RENAMED_TO] =
    g_param_spec_string ("renamed-to", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_migration_status_init (GanderMigrationStatus *self)
{
}

GanderMigrationStatus *
gander_migration_status_new (GanderMigration      *migration,
                             GanderMigrationState  state,
                             const char           *applied_at,
                             const char           *recorded_checksum,
                             gboolean              modified)
{
  GanderMigrationStatus *self = g_object_new (GANDER_TYPE_MIGRATION_STATUS, NULL);

  self->migration = g_object_ref (migration);
  self->version = gander_migration_get_version (migration);
  self->state = state;
  self->applied_at = gander_parse_db_timestamp (applied_at);
  if (applied_at != NULL && self->applied_at == NULL)
    g_debug ("%s: cannot read the applied-at time \"%s\"",
             gander_migration_get_name (migration), applied_at);
  self->recorded_checksum = g_strdup (recorded_checksum);
  self->modified = modified;
  return self;
}

GanderMigrationStatus *
gander_migration_status_new_missing (gint64      version,
                                     const char *recorded_name,
                                     const char *applied_at,
                                     const char *recorded_checksum,
                                     const char *renamed_to)
{
  GanderMigrationStatus *self = g_object_new (GANDER_TYPE_MIGRATION_STATUS, NULL);

  self->version = version;
  self->name = g_strdup (recorded_name);
  self->state = GANDER_MIGRATION_STATE_MISSING;
  self->applied_at = gander_parse_db_timestamp (applied_at);
  self->recorded_checksum = g_strdup (recorded_checksum);
  self->renamed_to = g_strdup (renamed_to);
  return self;
}

/**
 * gander_migration_status_get_version:
 * @self: a #GanderMigrationStatus
 *
 * Gets the migration's version.
 *
 * Returns: the migration's version
 *
 * Since: 0.1
 */
gint64
gander_migration_status_get_version (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), 0);
  return self->version;
}

/**
 * gander_migration_status_get_name:
 * @self: a #GanderMigrationStatus
 *
 * Gets the migration's file name. For a %GANDER_MIGRATION_STATE_MISSING
 * entry it is the name recorded when the version was applied (Gander's side
 * table), or %NULL when only goose's version table knows the version.
 *
 * Returns: (nullable): the migration's file name
 *
 * Since: 0.1
 */
const char *
gander_migration_status_get_name (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), NULL);
  if (self->migration == NULL)
    return self->name;
  return gander_migration_get_name (self->migration);
}

/**
 * gander_migration_status_get_renamed_to:
 * @self: a #GanderMigrationStatus
 *
 * For a %GANDER_MIGRATION_STATE_MISSING entry: the pending migration file
 * whose content has the checksum recorded when the missing version was
 * applied — the file was most likely renamed (for example by `goose fix`)
 * after it ran, and `up` would apply it a second time.
 *
 * Returns: (nullable): the pending file's name, or %NULL
 *
 * Since: 0.2
 */
const char *
gander_migration_status_get_renamed_to (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), NULL);
  return self->renamed_to;
}

/**
 * gander_migration_status_get_migration:
 * @self: a #GanderMigrationStatus
 *
 * Gets the migration.
 *
 * Returns: (transfer none) (nullable): the migration, or %NULL for a
 *   %GANDER_MIGRATION_STATE_MISSING entry (no file has its version)
 *
 * Since: 0.1
 */
GanderMigration *
gander_migration_status_get_migration (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), NULL);
  return self->migration;
}

/**
 * gander_migration_status_get_state:
 * @self: a #GanderMigrationStatus
 *
 * Gets the state.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
GanderMigrationState
gander_migration_status_get_state (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), GANDER_MIGRATION_STATE_PENDING);
  return self->state;
}

/**
 * gander_migration_status_get_applied_at:
 * @self: a #GanderMigrationStatus
 *
 * Gets when the migration was applied, in UTC (see
 * #GanderMigrationStatus:applied-at).
 *
 * Returns: (transfer none) (nullable): when the migration was applied, or
 *   %NULL when it is pending
 *
 * Since: 0.1
 */
GDateTime *
gander_migration_status_get_applied_at (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), NULL);
  return self->applied_at;
}

/**
 * gander_migration_status_get_recorded_checksum:
 * @self: a #GanderMigrationStatus
 *
 * Gets the checksum recorded when the file was applied.
 *
 * Returns: (nullable): the checksum recorded when the file was applied
 *
 * Since: 0.1
 */
const char *
gander_migration_status_get_recorded_checksum (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), NULL);
  return self->recorded_checksum;
}

/**
 * gander_migration_status_get_modified:
 * @self: a #GanderMigrationStatus
 *
 * Tells whether the file changed after it was applied.
 *
 * Returns: whether the file changed after it was applied
 *
 * Since: 0.1
 */
gboolean
gander_migration_status_get_modified (GanderMigrationStatus *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION_STATUS (self), FALSE);
  return self->modified;
}

/* Reads decimal digits: exactly @n_digits of them, or any number if 0. */
static gboolean
read_number (const char **p,
             guint        n_digits,
             int         *value)
{
  int v = 0;
  guint n = 0;

  while (g_ascii_isdigit ((*p)[n]) && (n_digits == 0 || n < n_digits))
    {
      v = v * 10 + ((*p)[n] - '0');
      n++;
    }
  if (n == 0 || (n_digits != 0 && n != n_digits))
    return FALSE;
  *p += n;
  *value = v;
  return TRUE;
}

static gboolean
expect (const char **p,
        char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

GDateTime *
gander_parse_db_timestamp (const char *text)
{
  g_autoptr(GDateTime) whole = NULL;
  const char *p = text;
  int year, month, day, hour, minute, second;
  gint64 usec = 0;
  int offset_s = 0;

  if (text == NULL)
    return NULL;

  if (!read_number (&p, 4, &year) || !expect (&p, '-') ||
      !read_number (&p, 2, &month) || !expect (&p, '-') ||
      !read_number (&p, 2, &day))
    return NULL;
  if (*p != ' ' && *p != 'T')
    return NULL;
  p++;
  if (!read_number (&p, 2, &hour) || !expect (&p, ':') ||
      !read_number (&p, 2, &minute) || !expect (&p, ':') ||
      !read_number (&p, 2, &second))
    return NULL;

  /* fraction: microseconds kept, further digits dropped (not rounded,
   * so a time never moves into the next second) */
  if (*p == '.')
    {
      guint n = 0;

      p++;
      if (!g_ascii_isdigit (*p))
        return NULL;
      for (; g_ascii_isdigit (*p); p++, n++)
        if (n < 6)
          usec = usec * 10 + (*p - '0');
      for (; n < 6; n++)
        usec *= 10;
    }

  /* offset: PostgreSQL's timestamptz text (+00, +05:30, -03:30:15), or Z */
  if (*p == 'Z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int sign = *p == '-' ? -1 : 1;
      int oh, om = 0, os = 0;

      p++;
      if (!read_number (&p, 2, &oh))
        return NULL;
      if (*p == ':' || g_ascii_isdigit (*p))
        {
          expect (&p, ':');
          if (!read_number (&p, 2, &om))
            return NULL;
          if (expect (&p, ':') && !read_number (&p, 2, &os))
            return NULL;
        }
      if (oh > 23 || om > 59 || os > 59)
        return NULL;
      offset_s = sign * (oh * 3600 + om * 60 + os);
    }
  if (*p != '\0')
    return NULL;

  /* g_date_time_new_utc() checks the ranges (month 13, 25:00, Feb 30);
   * 60 s (a leap second) it refuses too */
  whole = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (whole == NULL)
    return NULL;
  return g_date_time_add (whole, usec - (gint64) offset_s * G_USEC_PER_SEC);
}
