/* gander-backup-info.c: one backup's manifest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-backup-private.h"

/**
 * GanderBackupInfo:
 *
 * One backup taken by #GanderBackup, as its manifest describes it. A backup
 * is two files in the backup directory: the archive `ID.sqlite3` (an SQLite
 * database file) or `ID.dump` (a `pg_dump --format=custom` archive), and
 * its manifest `ID.json`. Immutable.
 *
 * The manifest is a JSON object whose keys are stable (new keys may be
 * added; none is renamed or removed):
 *
 * - `format`: the manifest format, 1
 * - `id`: the backup's id, its UTC creation time, `20261130T141500.123456Z`
 * - `file`: the archive's base name, in the manifest's directory
 * - `profile`, `environment`: the profile and environment it was taken for
 *   (`null` when none)
 * - `driver`: `sqlite3` or `postgres`
 * - `dsn`: the database's connection string, masked (never a password)
 * - `database`: which database the copy is of: for SQLite the database
 *   file's canonical absolute path, for PostgreSQL `host:port/dbname` as
 *   the live connection reported them (never a password). #GanderBackup
 *   lists, prunes and restores only the backups of its own database;
 *   manifests written before this key existed (without it) count as the
 *   database's own. (Since 0.2)
 * - `table`: goose's version table
 * - `version`: the schema version recorded in the copy (0: none)
 * - `created_at`: ISO 8601 in UTC with microseconds
 * - `size`: the archive's size in bytes
 * - `sha256`: the archive's SHA-256, lower-case hex
 * - `tool_version`: what wrote the archive (`SQLite 3.46.1`,
 *   `pg_dump (PostgreSQL) 16.4`)
 * - `server_version`: the SQLite library's or the PostgreSQL server's version
 * - `verified`: whether the archive passed the check named by `verify_method`
 * - `verify_method`: `integrity_check` or `quick_check` (SQLite),
 *   `pg_restore --list` or `pg_restore --list, data read` (PostgreSQL;
 *   the latter at %GANDER_BACKUP_VERIFY_FULL: the table of contents and
 *   every data block were read), or `sha256` (only the checksum was taken)
 * - `duration_seconds`: how long taking and verifying it took
 * - `gander_version`: the Gander that wrote it
 *
 * Since: 0.2
 */
struct _GanderBackupInfo
{
  GObject    parent_instance;

  char      *id;
  char      *path;
  char      *manifest_path;
  char      *file;
  char      *profile;
  char      *environment;
  char      *driver;
  char      *dsn;
  char      *database;
  char      *table;
  gint64     version;
  GDateTime *created_at;
  guint64    size;
  char      *sha256;
  char      *tool_version;
  char      *server_version;
  gboolean   verified;
  char      *verify_method;
  GTimeSpan  duration;
  char      *gander_version;
};

G_DEFINE_FINAL_TYPE (GanderBackupInfo, gander_backup_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PATH,
  PROP_MANIFEST_PATH,
  PROP_PROFILE,
  PROP_ENVIRONMENT,
  PROP_DRIVER,
  PROP_DSN,
  PROP_TABLE,
  PROP_VERSION,
  PROP_CREATED_AT,
  PROP_SIZE,
  PROP_SHA256,
  PROP_TOOL_VERSION,
  PROP_SERVER_VERSION,
  PROP_VERIFIED,
  PROP_VERIFY_METHOD,
  PROP_DURATION,
  PROP_DATABASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_backup_info_finalize (GObject *object)
{
  GanderBackupInfo *self = GANDER_BACKUP_INFO (object);

  g_free (self->id);
  g_free (self->path);
  g_free (self->manifest_path);
  g_free (self->file);
  g_free (self->profile);
  g_free (self->environment);
  g_free (self->driver);
  g_free (self->dsn);
  g_free (self->database);
  g_free (self->table);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_free (self->sha256);
  g_free (self->tool_version);
  g_free (self->server_version);
  g_free (self->verify_method);
  g_free (self->gander_version);

  G_OBJECT_CLASS (gander_backup_info_parent_class)->finalize (object);
}

static void
gander_backup_info_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GanderBackupInfo *self = GANDER_BACKUP_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_MANIFEST_PATH:
      g_value_set_string (value, self->manifest_path);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    case PROP_ENVIRONMENT:
      g_value_set_string (value, self->environment);
      break;
    case PROP_DRIVER:
      g_value_set_string (value, self->driver);
      break;
    case PROP_DSN:
      g_value_set_string (value, self->dsn);
      break;
    case PROP_DATABASE:
      g_value_set_string (value, self->database);
      break;
    case PROP_TABLE:
      g_value_set_string (value, self->table);
      break;
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_SHA256:
      g_value_set_string (value, self->sha256);
      break;
    case PROP_TOOL_VERSION:
      g_value_set_string (value, self->tool_version);
      break;
    case PROP_SERVER_VERSION:
      g_value_set_string (value, self->server_version);
      break;
    case PROP_VERIFIED:
      g_value_set_boolean (value, self->verified);
      break;
    case PROP_VERIFY_METHOD:
      g_value_set_string (value, self->verify_method);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, self->duration);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO_PROP (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static void
gander_backup_info_class_init (GanderBackupInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_backup_info_finalize;
  object_class->get_property = gander_backup_info_get_property;

  /**
   * GanderBackupInfo:id:
   *
   * The backup's id: its UTC creation time, `20261130T141500.123456Z`.
   *
   * Since: 0.2
   */
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:path:
   *
   * The archive's absolute file name.
   *
   * Since: 0.2
   */
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:manifest-path:
   *
   * The manifest's absolute file name.
   *
   * Since: 0.2
   */
  properties[PROP_MANIFEST_PATH] =
    g_param_spec_string ("manifest-path", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:profile:
   *
   * The profile the backup was taken for, or %NULL.
   *
   * Since: 0.2
   */
  properties[PROP_PROFILE] = g_param_spec_string ("profile", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:environment:
   *
   * The environment the backup was taken in, or %NULL.
   *
   * Since: 0.2
   */
  properties[PROP_ENVIRONMENT] =
    g_param_spec_string ("environment", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:driver:
   *
   * The goose dialect of the database: `sqlite3` or `postgres`.
   *
   * Since: 0.2
   */
  properties[PROP_DRIVER] = g_param_spec_string ("driver", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:dsn:
   *
   * The database's connection string, masked.
   *
   * Since: 0.2
   */
  properties[PROP_DSN] = g_param_spec_string ("dsn", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:database:
   *
   * Which database the copy is of: the SQLite file's canonical absolute
   * path, or `host:port/dbname` for PostgreSQL; %NULL in a manifest
   * written before Gander recorded it.
   *
   * Since: 0.2
   */
  properties[PROP_DATABASE] = g_param_spec_string ("database", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:table:
   *
   * goose's version table.
   *
   * Since: 0.2
   */
  properties[PROP_TABLE] = g_param_spec_string ("table", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:version:
   *
   * The schema version recorded in the copy; 0 when it has none.
   *
   * Since: 0.2
   */
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, RO_PROP);
  /**
   * GanderBackupInfo:created-at:
   *
   * When the backup was taken, in UTC.
   *
   * Since: 0.2
   */
  properties[PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, RO_PROP);
  /**
   * GanderBackupInfo:size:
   *
   * The archive's size in bytes.
   *
   * Since: 0.2
   */
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, RO_PROP);
  /**
   * GanderBackupInfo:sha256:
   *
   * The archive's SHA-256, lower-case hex.
   *
   * Since: 0.2
   */
  properties[PROP_SHA256] = g_param_spec_string ("sha256", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:tool-version:
   *
   * What wrote the archive: `SQLite 3.46.1`, `pg_dump (PostgreSQL) 16.4`.
   *
   * Since: 0.2
   */
  properties[PROP_TOOL_VERSION] =
    g_param_spec_string ("tool-version", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:server-version:
   *
   * The SQLite library's or the PostgreSQL server's version.
   *
   * Since: 0.2
   */
  properties[PROP_SERVER_VERSION] =
    g_param_spec_string ("server-version", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:verified:
   *
   * Whether the archive passed the check named by
   * #GanderBackupInfo:verify-method.
   *
   * Since: 0.2
   */
  properties[PROP_VERIFIED] =
    g_param_spec_boolean ("verified", NULL, NULL, FALSE, RO_PROP);
  /**
   * GanderBackupInfo:verify-method:
   *
   * How the archive was checked: `integrity_check`, `quick_check`,
   * `pg_restore --list` or `sha256`.
   *
   * Since: 0.2
   */
  properties[PROP_VERIFY_METHOD] =
    g_param_spec_string ("verify-method", NULL, NULL, NULL, RO_PROP);
  /**
   * GanderBackupInfo:duration:
   *
   * How long taking and verifying the backup took, in microseconds.
   *
   * Since: 0.2
   */
  properties[PROP_DURATION] =
    g_param_spec_int64 ("duration", NULL, NULL, 0, G_MAXINT64, 0, RO_PROP);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_backup_info_init (GanderBackupInfo *self)
{
  (void) self;
}

/* ------------------------------------------------------------------ */
/* Getters                                                             */

/**
 * gander_backup_info_get_id:
 * @self: a #GanderBackupInfo
 *
 * Returns: the backup's id, e.g. `20261130T141500.123456Z`
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_id (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->id;
}

/**
 * gander_backup_info_get_path:
 * @self: a #GanderBackupInfo
 *
 * Returns: the archive's absolute file name
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_path (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->path;
}

/**
 * gander_backup_info_get_manifest_path:
 * @self: a #GanderBackupInfo
 *
 * Returns: the manifest's absolute file name
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_manifest_path (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->manifest_path;
}

/**
 * gander_backup_info_get_profile:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): the profile the backup was taken for
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_profile (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->profile;
}

/**
 * gander_backup_info_get_environment:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): the environment the backup was taken in
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_environment (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->environment;
}

/**
 * gander_backup_info_get_driver:
 * @self: a #GanderBackupInfo
 *
 * Returns: the goose dialect of the database, `sqlite3` or `postgres`
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_driver (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->driver;
}

/**
 * gander_backup_info_get_dsn:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): the database's connection string, masked
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_dsn (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->dsn;
}

/**
 * gander_backup_info_get_database:
 * @self: a #GanderBackupInfo
 *
 * Which database the backup is a copy of (the manifest's `database` key):
 * for SQLite the database file's canonical absolute path, for PostgreSQL
 * `host:port/dbname`. Never holds a password.
 *
 * Returns: (nullable): the database's identity, or %NULL for a manifest
 *   written before Gander recorded it
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_database (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->database;
}

/**
 * gander_backup_info_get_table:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): goose's version table
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_table (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->table;
}

/**
 * gander_backup_info_get_version:
 * @self: a #GanderBackupInfo
 *
 * Returns: the schema version recorded in the copy, 0 when none
 *
 * Since: 0.2
 */
gint64
gander_backup_info_get_version (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), 0);
  return self->version;
}

/**
 * gander_backup_info_get_created_at:
 * @self: a #GanderBackupInfo
 *
 * Returns: (transfer none): when the backup was taken, in UTC
 *
 * Since: 0.2
 */
GDateTime *
gander_backup_info_get_created_at (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->created_at;
}

/**
 * gander_backup_info_get_size:
 * @self: a #GanderBackupInfo
 *
 * Returns: the archive's size in bytes
 *
 * Since: 0.2
 */
guint64
gander_backup_info_get_size (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), 0);
  return self->size;
}

/**
 * gander_backup_info_get_sha256:
 * @self: a #GanderBackupInfo
 *
 * Returns: the archive's SHA-256, lower-case hex
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_sha256 (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->sha256;
}

/**
 * gander_backup_info_get_tool_version:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): what wrote the archive, e.g. `SQLite 3.46.1`
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_tool_version (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->tool_version;
}

/**
 * gander_backup_info_get_server_version:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): the SQLite library's or PostgreSQL server's version
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_server_version (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->server_version;
}

/**
 * gander_backup_info_get_verified:
 * @self: a #GanderBackupInfo
 *
 * Returns: whether the archive passed its verification
 *
 * Since: 0.2
 */
gboolean
gander_backup_info_get_verified (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), FALSE);
  return self->verified;
}

/**
 * gander_backup_info_get_verify_method:
 * @self: a #GanderBackupInfo
 *
 * Returns: (nullable): how the archive was checked: `integrity_check`,
 *   `quick_check`, `pg_restore --list` or `sha256`
 *
 * Since: 0.2
 */
const char *
gander_backup_info_get_verify_method (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);
  return self->verify_method;
}

/**
 * gander_backup_info_get_duration:
 * @self: a #GanderBackupInfo
 *
 * Returns: how long taking and verifying the backup took
 *
 * Since: 0.2
 */
GTimeSpan
gander_backup_info_get_duration (GanderBackupInfo *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), 0);
  return self->duration;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static void
set_nullable_string (JsonObject *object,
                     const char *key,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, key, value);
  else
    json_object_set_null_member (object, key);
}

/**
 * gander_backup_info_to_json_object: (skip)
 * @self: a #GanderBackupInfo
 *
 * The manifest as a JSON object, with the keys documented at
 * #GanderBackupInfo in their stable order.
 *
 * Returns: (transfer full): a new #JsonObject
 *
 * Since: 0.2
 */
JsonObject *
gander_backup_info_to_json_object (GanderBackupInfo *self)
{
  JsonObject *object;
  g_autofree char *created_at = NULL;

  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);

  created_at = g_date_time_format (self->created_at, "%Y-%m-%dT%H:%M:%S.%fZ");
  object = json_object_new ();
  json_object_set_int_member (object, "format", GANDER_BACKUP_MANIFEST_FORMAT);
  json_object_set_string_member (object, "id", self->id);
  json_object_set_string_member (object, "file", self->file);
  set_nullable_string (object, "profile", self->profile);
  set_nullable_string (object, "environment", self->environment);
  json_object_set_string_member (object, "driver", self->driver);
  set_nullable_string (object, "dsn", self->dsn);
  if (self->database != NULL)
    json_object_set_string_member (object, "database", self->database);
  set_nullable_string (object, "table", self->table);
  json_object_set_int_member (object, "version", self->version);
  json_object_set_string_member (object, "created_at", created_at);
  json_object_set_int_member (object, "size", (gint64) self->size);
  json_object_set_string_member (object, "sha256", self->sha256);
  set_nullable_string (object, "tool_version", self->tool_version);
  set_nullable_string (object, "server_version", self->server_version);
  json_object_set_boolean_member (object, "verified", self->verified);
  set_nullable_string (object, "verify_method", self->verify_method);
  json_object_set_double_member (object, "duration_seconds",
                                 (double) self->duration / G_TIME_SPAN_SECOND);
  set_nullable_string (object, "gander_version", self->gander_version);
  return object;
}

/**
 * gander_backup_info_to_json:
 * @self: a #GanderBackupInfo
 *
 * The manifest's text: a pretty-printed JSON object with the keys
 * documented at #GanderBackupInfo, in their stable order.
 *
 * Returns: (transfer full): the JSON text, ending in a newline
 *
 * Since: 0.2
 */
char *
gander_backup_info_to_json (GanderBackupInfo *self)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (self), NULL);

  root = json_node_init_object (json_node_alloc (),
                                gander_backup_info_to_json_object (self));
  /* init_object took its own reference */
  json_object_unref (json_node_get_object (root));
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

/* The member @key as a string: NULL when absent or null; FALSE (with
 * @error) when it is something else. */
static gboolean
get_string (JsonObject  *object,
            const char  *manifest_path,
            const char  *key,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                       _("backup manifest %s has no \"%s\"; it is damaged or "
                         "was not written by Gander"), manifest_path, key);
          return FALSE;
        }
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s: \"%s\" is not a string; the "
                     "manifest is damaged"), manifest_path, key);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* An integer member; an absent or null one is 0. */
static gboolean
get_int (JsonObject  *object,
         const char  *manifest_path,
         const char  *key,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s: \"%s\" is not a non-negative "
                     "integer; the manifest is damaged"), manifest_path, key);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

GanderBackupInfo *
gander_backup_info_new_from_json (const char  *manifest_path,
                                  JsonObject  *object,
                                  GError     **error)
{
  g_autoptr(GanderBackupInfo) self = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *dir = NULL;
  JsonNode *node;
  gint64 format = 0, size = 0;

  g_return_val_if_fail (manifest_path != NULL, NULL);
  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (GANDER_TYPE_BACKUP_INFO, NULL);
  self->manifest_path = g_canonicalize_filename (manifest_path, NULL);

  if (!get_int (object, manifest_path, "format", &format, error))
    return NULL;
  if (format != GANDER_BACKUP_MANIFEST_FORMAT)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s has format %" PRId64
                     ", this Gander reads format %d; use the Gander that "
                     "wrote it"), manifest_path, format,
                   GANDER_BACKUP_MANIFEST_FORMAT);
      return NULL;
    }
  if (!get_string (object, manifest_path, "id", TRUE, &self->id, error) ||
      !get_string (object, manifest_path, "file", TRUE, &self->file, error) ||
      !get_string (object, manifest_path, "profile", FALSE, &self->profile, error) ||
      !get_string (object, manifest_path, "environment", FALSE, &self->environment, error) ||
      !get_string (object, manifest_path, "driver", TRUE, &self->driver, error) ||
      !get_string (object, manifest_path, "dsn", FALSE, &self->dsn, error) ||
      !get_string (object, manifest_path, "database", FALSE, &self->database, error) ||
      !get_string (object, manifest_path, "table", FALSE, &self->table, error) ||
      !get_int (object, manifest_path, "version", &self->version, error) ||
      !get_string (object, manifest_path, "created_at", TRUE, &created_at, error) ||
      !get_int (object, manifest_path, "size", &size, error) ||
      !get_string (object, manifest_path, "sha256", TRUE, &self->sha256, error) ||
      !get_string (object, manifest_path, "tool_version", FALSE, &self->tool_version, error) ||
      !get_string (object, manifest_path, "server_version", FALSE, &self->server_version, error) ||
      !get_string (object, manifest_path, "verify_method", FALSE, &self->verify_method, error) ||
      !get_string (object, manifest_path, "gander_version", FALSE, &self->gander_version, error))
    return NULL;
  self->size = (guint64) size;

  /* the archive lies beside its manifest: a name with a directory part
   * could make prune remove a file elsewhere */
  if (*self->file == '\0' || strchr (self->file, '/') != NULL ||
      strcmp (self->file, ".") == 0 || strcmp (self->file, "..") == 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s: \"file\" must be the base name of "
                     "an archive in the same directory, not \"%s\""),
                   manifest_path, self->file);
      return NULL;
    }
  dir = g_path_get_dirname (self->manifest_path);
  self->path = g_build_filename (dir, self->file, NULL);

  self->created_at = g_date_time_new_from_iso8601 (created_at, NULL);
  if (self->created_at == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s: \"created_at\" is not an ISO 8601 "
                     "time with a time zone: \"%s\""), manifest_path, created_at);
      return NULL;
    }
  else
    {
      GDateTime *utc = g_date_time_to_utc (self->created_at);
      g_date_time_unref (self->created_at);
      self->created_at = utc;
    }

  node = json_object_get_member (object, "verified");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                       _("backup manifest %s: \"verified\" is not true or "
                         "false; the manifest is damaged"), manifest_path);
          return NULL;
        }
      self->verified = json_node_get_boolean (node);
    }
  node = json_object_get_member (object, "duration_seconds");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
       json_node_get_value_type (node) == G_TYPE_INT64))
    self->duration = (GTimeSpan) (json_node_get_double (node) * G_TIME_SPAN_SECOND + 0.5);

  return g_steal_pointer (&self);
}

/**
 * gander_backup_info_load:
 * @manifest_path: (type filename): a manifest file, `ID.json`
 * @error: return location for a #GError
 *
 * Reads a backup's manifest.
 *
 * Returns: (transfer full): the backup, or %NULL with %GANDER_ERROR_BACKUP
 *   naming the file when it is not a manifest Gander can read
 *   (%GANDER_ERROR_NOT_FOUND when it does not exist)
 *
 * Since: 0.2
 */
GanderBackupInfo *
gander_backup_info_load (const char  *manifest_path,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  JsonNode *root;

  g_return_val_if_fail (manifest_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (manifest_path, &contents, &length, &local_error))
    {
      g_set_error (error, GANDER_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? GANDER_ERROR_NOT_FOUND : GANDER_ERROR_IO,
                   _("cannot read backup manifest %s: %s"),
                   manifest_path, local_error->message);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, contents, (gssize) length, &local_error))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s is not valid JSON: %s"),
                   manifest_path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup manifest %s does not hold a JSON object"),
                   manifest_path);
      return NULL;
    }
  return gander_backup_info_new_from_json (manifest_path, json_node_get_object (root), error);
}
