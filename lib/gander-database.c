/* gander-database.c: the abstract database connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-database.h"
#include "gander-database-private.h"
#include "gander-sqlite-database.h"
#include "gander-postgres-database.h"
#include "gander-postgres-private.h"

/**
 * GanderDatabase:
 *
 * One connection to one database, with goose's version table.
 *
 * A #GanderDatabase is used by one thread at a time. Backends
 * (#GanderSqliteDatabase, #GanderPostgresDatabase) implement the virtual
 * methods; this class keeps the properties every backend shares and checks
 * arguments.
 *
 * Since: 0.1
 */

typedef struct
{
  /* The connection string as given, and the password from
   * gander_database_set_password(): never readable through the API. */
  char     *dsn;
  char     *password;
  /* What the dsn property and gander_database_get_dsn() show. */
  char     *display_dsn;
  char     *table_name;
  guint     lock_wait_timeout;
  gboolean  is_open;
  guint     error_line;
  /* How many gander_database_lock() calls the run lock answers: the
   * backend's lock is taken by the first and released by the last
   * matching unlock, so a caller (the manager's pipeline) can hold it
   * across a backup and the migrator's run. Closing forgets it: the
   * server or the kernel releases the lock with the connection. */
  guint     lock_depth;
} GanderDatabasePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GanderDatabase, gander_database, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DSN,
  PROP_TABLE_NAME,
  PROP_LOCK_WAIT_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* goose's Provider waits 5 s × 60 attempts for its advisory lock. */
#define DEFAULT_LOCK_WAIT_TIMEOUT_MS (300 * 1000)

/* Frees a string that may hold a password, overwriting it first. */
static void
wipe_secret (char **secret)
{
  if (*secret == NULL)
    return;
  explicit_bzero (*secret, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
gander_database_finalize (GObject *object)
{
  GanderDatabase *self = GANDER_DATABASE (object);
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  gander_database_close (self);
  wipe_secret (&priv->dsn);
  wipe_secret (&priv->password);
  g_clear_pointer (&priv->display_dsn, g_free);
  g_clear_pointer (&priv->table_name, g_free);

  G_OBJECT_CLASS (gander_database_parent_class)->finalize (object);
}

static void
gander_database_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  GanderDatabase *self = GANDER_DATABASE (object);
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_DSN:
      g_value_set_string (value, priv->display_dsn);
      break;
    case PROP_TABLE_NAME:
      g_value_set_string (value, priv->table_name);
      break;
    case PROP_LOCK_WAIT_TIMEOUT:
      g_value_set_uint (value, priv->lock_wait_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_database_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  GanderDatabase *self = GANDER_DATABASE (object);
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_DSN:
      wipe_secret (&priv->dsn);
      g_clear_pointer (&priv->display_dsn, g_free);
      priv->dsn = g_value_dup_string (value);
      priv->display_dsn = priv->dsn != NULL ? gander_dsn_mask (priv->dsn) : NULL;
      break;
    case PROP_TABLE_NAME:
      gander_database_set_table_name (self, g_value_get_string (value));
      break;
    case PROP_LOCK_WAIT_TIMEOUT:
      gander_database_set_lock_wait_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_database_class_init (GanderDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_database_finalize;
  object_class->get_property = gander_database_get_property;
  object_class->set_property = gander_database_set_property;

  /**
   * GanderDatabase:dsn:
   *
   * The connection string: a file name or `file:` URI for SQLite, a URI
   * or key=value string for PostgreSQL. Written as given; read back
   * always with any password replaced by `xxxxx` (since 0.2), so no
   * secret is readable from the object. See also
   * gander_database_set_password().
   *
   * Since: 0.1
   */
  properties[PROP_DSN] =
    g_param_spec_string ("dsn", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderDatabase:table-name:
   *
   * goose's version table, optionally schema-qualified
   * (`myschema.goose_db_version`). Validated: only identifiers made of
   * letters, digits, `_` and `$` are accepted.
   *
   * Since: 0.1
   */
  properties[PROP_TABLE_NAME] =
    g_param_spec_string ("table-name", NULL, NULL, GANDER_DEFAULT_TABLE_NAME,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GanderDatabase:lock-wait-timeout:
   *
   * How long gander_database_lock() waits for another runner to finish,
   * in milliseconds.
   *
   * Since: 0.1
   */
  properties[PROP_LOCK_WAIT_TIMEOUT] =
    g_param_spec_uint ("lock-wait-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_LOCK_WAIT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_database_init (GanderDatabase *self)
{
}

/**
 * gander_database_new_for_driver:
 * @driver: a goose driver name: `sqlite3`, `sqlite`, `postgres` or `pgx`
 * @dsn: the connection string
 * @error: return location for a #GError
 *
 * Creates the backend goose would use for @driver. Nothing is connected
 * until gander_database_open().
 *
 * Returns: (transfer full): a new database, or %NULL with
 *   %GANDER_ERROR_NOT_SUPPORTED for an unknown driver
 *
 * Since: 0.1
 */
GanderDatabase *
gander_database_new_for_driver (const char  *driver,
                                const char  *dsn,
                                GError     **error)
{
  g_return_val_if_fail (driver != NULL, NULL);
  g_return_val_if_fail (dsn != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_str_equal (driver, "sqlite3") || g_str_equal (driver, "sqlite"))
    return gander_sqlite_database_new (dsn);
  if (g_str_equal (driver, "postgres") || g_str_equal (driver, "pgx"))
    return gander_postgres_database_new (dsn);

  g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
               "\"%s\": unknown dialect (supported: sqlite3, sqlite, postgres, pgx)",
               driver);
  return NULL;
}

/**
 * gander_database_get_dialect:
 * @self: a #GanderDatabase
 *
 * goose's dialect name for this backend.
 *
 * Returns: `sqlite3` or `postgres`
 *
 * Since: 0.1
 */
const char *
gander_database_get_dialect (GanderDatabase *self)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  return GANDER_DATABASE_GET_CLASS (self)->get_dialect (self);
}

/**
 * gander_database_get_dsn:
 * @self: a #GanderDatabase
 *
 * The connection string with any password replaced by `xxxxx` (since
 * 0.2; it was the string as given before). The real one, and a password
 * set with gander_database_set_password(), cannot be read back.
 *
 * Returns: (nullable): the masked connection string
 *
 * Since: 0.1
 */
const char *
gander_database_get_dsn (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  return priv->display_dsn;
}

/**
 * gander_database_set_password:
 * @self: a #GanderDatabase
 * @password: (nullable): the password, or %NULL to use the connection
 *   string's (or libpq's `.pgpass` and environment)
 *
 * Sets the password used when the database is opened, overriding one in
 * the connection string, so that a secret from a store never has to be
 * put into a DSN. It cannot be read back; it is overwritten in memory
 * when replaced and when @self is finalized. PostgreSQL passes it as
 * libpq's `password` keyword; SQLite has no passwords and ignores it.
 *
 * Since: 0.2
 */
void
gander_database_set_password (GanderDatabase *self,
                              const char     *password)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_if_fail (GANDER_IS_DATABASE (self));

  wipe_secret (&priv->password);
  priv->password = g_strdup (password);
}

const char *
gander_database_get_connect_dsn (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  return priv->dsn;
}

char *
gander_database_dup_sqlite_path (GanderDatabase *self)
{
  const char *dsn = gander_database_get_connect_dsn (self);
  const char *start;
  const char *query;
  char *path;

  if (dsn == NULL || g_strcmp0 (gander_database_get_dialect (self), "sqlite3") != 0)
    return NULL;
  start = g_str_has_prefix (dsn, "file:") ? dsn + 5 : dsn;
  query = strchr (start, '?');
  path = query != NULL ? g_strndup (start, query - start) : g_strdup (start);
  if (*path == '\0' || g_str_equal (path, ":memory:") ||
      (query != NULL && strstr (query, "mode=memory") != NULL))
    g_clear_pointer (&path, g_free);
  return path;
}

gboolean
gander_database_is_absent (GanderDatabase *self)
{
  g_autofree char *path = NULL;

  if (gander_database_is_open (self))
    return FALSE;
  path = gander_database_dup_sqlite_path (self);
  return path != NULL && !g_file_test (path, G_FILE_TEST_EXISTS);
}

const char *
gander_database_get_password (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  return priv->password;
}

/**
 * gander_database_dup_display_dsn:
 * @self: a #GanderDatabase
 *
 * The connection string with any password replaced by `xxxxx`, fit for
 * logs and messages.
 *
 * Returns: (transfer full): the masked connection string
 *
 * Since: 0.1
 */
char *
gander_database_dup_display_dsn (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  return g_strdup (priv->display_dsn != NULL ? priv->display_dsn : "");
}

/**
 * gander_database_get_table_name:
 * @self: a #GanderDatabase
 *
 * Gets the version table name.
 *
 * Returns: the version table name
 *
 * Since: 0.1
 */
const char *
gander_database_get_table_name (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  return priv->table_name;
}

/**
 * gander_database_set_table_name:
 * @self: a #GanderDatabase
 * @table_name: (nullable): the version table, or %NULL for goose's default
 *
 * Sets the version table name. Call gander_validate_table_name() first on
 * names that come from users: an invalid name makes every later call fail
 * with %GANDER_ERROR_INVALID_ARGUMENT instead of reaching the database.
 *
 * Since: 0.1
 */
void
gander_database_set_table_name (GanderDatabase *self,
                                const char     *table_name)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_if_fail (GANDER_IS_DATABASE (self));

  if (table_name == NULL || *table_name == '\0')
    table_name = GANDER_DEFAULT_TABLE_NAME;
  if (g_strcmp0 (priv->table_name, table_name) == 0)
    return;

  g_free (priv->table_name);
  priv->table_name = g_strdup (table_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TABLE_NAME]);
}

/**
 * gander_database_dup_side_table_name:
 * @self: a #GanderDatabase
 *
 * The name of Gander's side table: the version table's name with
 * `_gander` appended (in the same schema), so that several goose tables in
 * one database each get their own.
 *
 * Returns: (transfer full): the side table name
 *
 * Since: 0.1
 */
char *
gander_database_dup_side_table_name (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  return g_strconcat (priv->table_name, "_gander", NULL);
}

/**
 * gander_database_get_lock_wait_timeout:
 * @self: a #GanderDatabase
 *
 * Gets how long gander_database_lock() waits, in milliseconds.
 *
 * Returns: how long gander_database_lock() waits, in milliseconds
 *
 * Since: 0.1
 */
guint
gander_database_get_lock_wait_timeout (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), 0);

  return priv->lock_wait_timeout;
}

/**
 * gander_database_set_lock_wait_timeout:
 * @self: a #GanderDatabase
 * @msec: milliseconds
 *
 * Sets how long gander_database_lock() waits for another runner.
 *
 * Since: 0.1
 */
void
gander_database_set_lock_wait_timeout (GanderDatabase *self,
                                       guint           msec)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_if_fail (GANDER_IS_DATABASE (self));

  if (priv->lock_wait_timeout == msec)
    return;
  priv->lock_wait_timeout = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_WAIT_TIMEOUT]);
}

/**
 * gander_database_is_open:
 * @self: a #GanderDatabase
 *
 * Tells whether gander_database_open() succeeded and the database was not closed since.
 *
 * Returns: whether gander_database_open() succeeded and the database was
 *   not closed since
 *
 * Since: 0.1
 */
gboolean
gander_database_is_open (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  return priv->is_open;
}

static gboolean
check_open (GanderDatabase  *self,
            GError         **error)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  if (!priv->is_open)
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_CONNECTION,
                           "the database is not open");
      return FALSE;
    }
  return gander_validate_table_name (priv->table_name, error);
}

/**
 * gander_database_open:
 * @self: a #GanderDatabase
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects. Opening an open database does nothing, unless its
 * connection was lost (a PostgreSQL session the server ended): then it
 * connects again.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_database_open (GanderDatabase  *self,
                      GCancellable    *cancellable,
                      GError         **error)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A connection the server or the network ended is closed and opened
   * again: a retry after GANDER_ERROR_CONNECTION needs a live session. */
  if (priv->is_open && GANDER_IS_POSTGRES_DATABASE (self) &&
      gander_postgres_database_connection_lost (GANDER_POSTGRES_DATABASE (self)))
    {
      g_debug ("the connection was lost: connecting again");
      gander_database_close (self);
    }
  if (priv->is_open)
    return TRUE;
  if (!gander_validate_table_name (priv->table_name, error))
    return FALSE;
  if (g_cancellable_is_cancelled (cancellable))
    {
      gander_set_cancelled_error (error, _("cancelled before connecting"));
      return FALSE;
    }
  if (!GANDER_DATABASE_GET_CLASS (self)->open (self, cancellable, error))
    return FALSE;
  priv->is_open = TRUE;
  return TRUE;
}

/**
 * gander_database_close:
 * @self: a #GanderDatabase
 *
 * Disconnects, rolling back an open transaction and releasing the run lock.
 * Closing a closed database does nothing.
 *
 * Since: 0.1
 */
void
gander_database_close (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_if_fail (GANDER_IS_DATABASE (self));

  if (!priv->is_open)
    return;
  GANDER_DATABASE_GET_CLASS (self)->close (self);
  priv->is_open = FALSE;
  priv->lock_depth = 0;
}

/**
 * gander_database_exec:
 * @self: a #GanderDatabase
 * @sql: SQL text, possibly several commands separated by `;`
 * @cancellable: (nullable): cancels the running statement
 * @error: return location for a #GError
 *
 * Runs @sql without parameters and discards any rows. When @cancellable
 * is cancelled, before or while the statement runs, it fails with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_database_exec (GanderDatabase  *self,
                      const char      *sql,
                      GCancellable    *cancellable,
                      GError         **error)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);

  if (!check_open (self, error))
    return FALSE;
  if (g_cancellable_is_cancelled (cancellable))
    {
      gander_set_cancelled_error (error, _("the statement was cancelled before it started"));
      return FALSE;
    }
  priv->error_line = 0;
  return GANDER_DATABASE_GET_CLASS (self)->exec (self, sql, cancellable, error);
}

/**
 * gander_database_begin:
 * @self: a #GanderDatabase
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Starts a transaction. On SQLite it takes the write lock at once
 * (`BEGIN IMMEDIATE`).
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_database_begin (GanderDatabase  *self,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  if (g_cancellable_is_cancelled (cancellable))
    {
      gander_set_cancelled_error (error, _("cancelled before the transaction began"));
      return FALSE;
    }
  return GANDER_DATABASE_GET_CLASS (self)->begin (self, cancellable, error);
}

/**
 * gander_database_commit:
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Commits the transaction started with gander_database_begin().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_database_commit (GanderDatabase  *self,
                        GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->commit (self, error);
}

/**
 * gander_database_rollback:
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Rolls back the open transaction. Safe to call after a failed statement and when no transaction is open.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_database_rollback (GanderDatabase  *self,
                          GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->rollback (self, error);
}

/**
 * gander_database_lock:
 * @self: a #GanderDatabase
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Takes the run lock that keeps concurrent runners (other processes, other
 * connections, goose's Provider on PostgreSQL) from applying the same
 * migrations. Waits at most #GanderDatabase:lock-wait-timeout, then fails
 * with %GANDER_ERROR_LOCKED.
 *
 * The lock nests: while this connection holds it, another call only counts
 * (and returns at once), and the lock is released by the unlock that
 * matches the first call. Closing the database releases it whatever the
 * count.
 *
 * Returns: %TRUE when the lock is held
 *
 * Since: 0.1
 */
gboolean
gander_database_lock (GanderDatabase  *self,
                      GCancellable    *cancellable,
                      GError         **error)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  if (g_cancellable_is_cancelled (cancellable))
    {
      gander_set_cancelled_error (error, _("cancelled before taking the run lock"));
      return FALSE;
    }
  if (priv->lock_depth > 0)
    {
      priv->lock_depth++;
      return TRUE;
    }
  if (!GANDER_DATABASE_GET_CLASS (self)->lock (self, cancellable, error))
    return FALSE;
  priv->lock_depth = 1;
  return TRUE;
}

/* Whether this connection holds the run lock (see gander_database_lock()). */
gboolean
gander_database_holds_lock (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  return priv->is_open && priv->lock_depth > 0;
}

/**
 * gander_database_unlock:
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Releases the run lock, or one count of it when gander_database_lock()
 * was called more than once.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_database_unlock (GanderDatabase  *self,
                        GError         **error)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  if (priv->lock_depth > 1)
    {
      priv->lock_depth--;
      return TRUE;
    }
  priv->lock_depth = 0;
  return GANDER_DATABASE_GET_CLASS (self)->unlock (self, error);
}

/**
 * gander_database_interrupt:
 * @self: a #GanderDatabase
 *
 * Aborts the statement running on this connection, from any thread. The
 * statement fails with %G_IO_ERROR_CANCELLED.
 *
 * Since: 0.1
 */
void
gander_database_interrupt (GanderDatabase *self)
{
  g_return_if_fail (GANDER_IS_DATABASE (self));

  GANDER_DATABASE_GET_CLASS (self)->interrupt (self);
}

/**
 * GanderDatabaseClass::version_table_exists:
 * @self: a #GanderDatabase
 * @exists: (out): whether the version table exists
 * @error: return location for a #GError
 *
 * Looks up whether goose's version table exists, without creating it.
 * Backends implement this; callers use
 * gander_database_version_table_exists(), which returns the answer.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */

/**
 * gander_database_version_table_exists:
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Looks up whether goose's version table exists, without creating it.
 *
 * The answer is the return value; on error it is %FALSE and @error is set,
 * so C callers that must tell "absent" from "failed" check @error. Until
 * 0.2 the answer came through an out argument.
 *
 * Returns: whether the version table exists (%FALSE on error)
 *
 * Since: 0.1
 */
gboolean
gander_database_version_table_exists (GanderDatabase  *self,
                                      GError         **error)
{
  gboolean exists = FALSE;

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, error))
    return FALSE;
  if (!GANDER_DATABASE_GET_CLASS (self)->version_table_exists (self, &exists, error))
    return FALSE;
  return exists;
}

/*
 * gander_database_create_version_table (private since 0.2):
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Runs goose's CREATE TABLE and inserts the version-0 row. The caller holds
 * the transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_create_version_table (GanderDatabase  *self,
                                      GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->create_version_table (self, error);
}

/*
 * gander_database_ensure_version_table (private since 0.2):
 * @self: a #GanderDatabase
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates goose's version table with its version-0 row, and Gander's side
 * table, in one transaction when they do not exist yet.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_ensure_version_table (GanderDatabase  *self,
                                      GCancellable    *cancellable,
                                      GError         **error)
{
  GanderDatabaseClass *klass;
  gboolean exists = FALSE;

  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  klass = GANDER_DATABASE_GET_CLASS (self);
  if (!klass->version_table_exists (self, &exists, error))
    return FALSE;
  if (exists)
    return klass->ensure_side_table (self, error);

  if (!klass->begin (self, cancellable, error))
    return FALSE;
  /* Another runner may have created it between our check and our write
   * lock: look again inside the transaction. */
  if (!klass->version_table_exists (self, &exists, error) ||
      (!exists && !klass->create_version_table (self, error)) ||
      !klass->ensure_side_table (self, error) ||
      !klass->commit (self, error))
    {
      klass->rollback (self, NULL);
      return FALSE;
    }
  return TRUE;
}

/*
 * gander_database_insert_version (private since 0.2):
 * @self: a #GanderDatabase
 * @version: the version applied
 * @error: return location for a #GError
 *
 * Records @version as applied, with goose's INSERT.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_insert_version (GanderDatabase  *self,
                                gint64           version,
                                GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->insert_version (self, version, error);
}

/*
 * gander_database_delete_version (private since 0.2):
 * @self: a #GanderDatabase
 * @version: the version rolled back
 * @error: return location for a #GError
 *
 * Deletes every row of @version, with goose's DELETE.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_delete_version (GanderDatabase  *self,
                                gint64           version,
                                GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->delete_version (self, version, error);
}

/**
 * gander_database_list_versions: (skip)
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Every row of the version table, newest id first (goose's ListMigrations).
 *
 * Returns: (transfer full) (element-type GanderVersionRow): the rows
 *
 * Since: 0.1
 */
GArray *
gander_database_list_versions (GanderDatabase  *self,
                               GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  if (!check_open (self, error))
    return NULL;
  return GANDER_DATABASE_GET_CLASS (self)->list_versions (self, error);
}

/*
 * gander_database_ensure_side_table (private since 0.2):
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Creates Gander's side table if it does not exist.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_ensure_side_table (GanderDatabase  *self,
                                   GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->ensure_side_table (self, error);
}

/* The side table's file names. PostgreSQL refuses text that is not valid
 * UTF-8, but a file name is any byte sequence. A name that is valid UTF-8
 * and does not start with '%' is stored as it is (every name goose
 * accepts starts with its version's digits, so all existing rows are of
 * this kind). Any other name is stored as '%' followed by the name with
 * '%' and every byte of an invalid sequence written as %XX (upper-case
 * hex): a stored name starting with '%' is always of this form, so
 * decoding is unambiguous and every byte sequence round-trips. */
char *
gander_side_filename_encode (const char *name)
{
  GString *out;
  const char *p;

  if (name == NULL)
    return NULL;
  if (name[0] != '%' && g_utf8_validate (name, -1, NULL))
    return g_strdup (name);

  out = g_string_new ("%");
  p = name;
  while (*p != '\0')
    {
      const char *end = NULL;

      if (*p == '%')
        {
          g_string_append (out, "%25");
          p++;
          continue;
        }
      /* the valid run up to the next '%' or invalid byte */
      g_utf8_validate (p, -1, &end);
      if (end == p)
        {
          g_string_append_printf (out, "%%%02X", (guchar) *p);
          p++;
          continue;
        }
      for (const char *q = p; q < end; q++)
        {
          if (*q == '%')
            {
              end = q;
              break;
            }
        }
      g_string_append_len (out, p, end - p);
      p = end;
    }
  return g_string_free (out, FALSE);
}

char *
gander_side_filename_decode (const char *stored)
{
  GString *out;

  if (stored == NULL || stored[0] != '%')
    return g_strdup (stored);

  out = g_string_new (NULL);
  for (const char *p = stored + 1; *p != '\0'; p++)
    {
      if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 +
                                          g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        {
          /* not written by the encoder: keep the text as it is */
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

char *
gander_side_timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, GANDER_SIDE_TIMESTAMP_FORMAT);
}

/* @text as the side table keeps it: UTC, microseconds. A time without a
 * zone is UTC already. NULL when it is no date and time. */
static char *
normalize_timestamp (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) in_utc = NULL;
  g_autofree char *iso = g_strdup (text);

  /* ISO 8601 wants the T that SQL renderings leave out */
  if (strlen (iso) > 10 && iso[10] == ' ')
    iso[10] = 'T';
  parsed = g_date_time_new_from_iso8601 (iso, utc);
  if (parsed == NULL)
    return NULL;
  in_utc = g_date_time_to_utc (parsed);
  return g_date_time_format (in_utc, GANDER_SIDE_TIMESTAMP_FORMAT);
}

/* What every backend stores for @row, so both store the same: file name
 * and checksum required (NULL is the caller's mistake, an empty string is
 * stored as it is), the file name encoded (gander_side_filename_encode()),
 * applied_by defaulting to this process's user@host, applied_at to now,
 * and a given applied_at normalized to UTC with microseconds. */
static gboolean
prepare_side_row (const GanderSideRow  *row,
                  GanderSideRow        *stored,
                  GError              **error)
{
  if (row->filename == NULL || row->checksum == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("cannot record version %" PRId64 " in the side table: "
                     "its %s is missing"),
                   row->version_id, row->filename == NULL ? "file name" : "checksum");
      return FALSE;
    }
  *stored = *row;
  stored->filename = gander_side_filename_encode (row->filename);
  stored->checksum = g_strdup (row->checksum);
  stored->applied_by = g_strdup (row->applied_by != NULL ? row->applied_by
                                                         : gander_database_applied_by ());
  if (row->applied_at == NULL)
    {
      stored->applied_at = gander_side_timestamp_now ();
    }
  else if ((stored->applied_at = normalize_timestamp (row->applied_at)) == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("cannot record version %" PRId64 " in the side table: "
                     "applied_at \"%s\" is not a date and time (expected "
                     "YYYY-MM-DD HH:MM:SS[.ffffff], UTC unless a zone is given)"),
                   row->version_id, row->applied_at);
      gander_side_row_clear (stored);
      return FALSE;
    }
  return TRUE;
}

/*
 * gander_database_write_side_row (private since 0.2):
 * @self: a #GanderDatabase
 * @row: the row to insert or replace
 * @error: return location for a #GError
 *
 * Inserts @row into Gander's side table, replacing the row of the same
 * version. Both backends store the same: the file name and checksum must
 * be set (an empty string is stored as it is), @row's applied_at (UTC
 * unless it names a zone) or else now, kept in UTC with microseconds
 * (`YYYY-MM-DD HH:MM:SS.ffffff`), and @row's applied_by or else
 * `user@host`. A file name that is not valid UTF-8 is stored escaped and
 * read back as it was by gander_database_list_side_rows().
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_write_side_row (GanderDatabase       *self,
                                const GanderSideRow  *row,
                                GError              **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (row != NULL, FALSE);

  GanderSideRow stored = { 0, };
  gboolean ok;

  if (!check_open (self, error))
    return FALSE;
  if (!prepare_side_row (row, &stored, error))
    return FALSE;
  ok = GANDER_DATABASE_GET_CLASS (self)->write_side_row (self, &stored, error);
  gander_side_row_clear (&stored);
  return ok;
}

/*
 * gander_database_delete_side_row (private since 0.2):
 * @self: a #GanderDatabase
 * @version: the version
 * @error: return location for a #GError
 *
 * Deletes the side-table row of @version.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_database_delete_side_row (GanderDatabase  *self,
                                 gint64           version,
                                 GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;
  return GANDER_DATABASE_GET_CLASS (self)->delete_side_row (self, version, error);
}

/**
 * gander_database_list_side_rows: (skip)
 * @self: a #GanderDatabase
 * @error: return location for a #GError
 *
 * Every row of Gander's side table, ascending version. An absent side table
 * gives an empty array (goose may have created the database).
 *
 * Returns: (transfer full) (element-type GanderSideRow): the rows
 *
 * Since: 0.1
 */
GArray *
gander_database_list_side_rows (GanderDatabase  *self,
                                GError         **error)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (self), NULL);

  GArray *rows;

  if (!check_open (self, error))
    return NULL;
  rows = GANDER_DATABASE_GET_CLASS (self)->list_side_rows (self, error);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      GanderSideRow *row = &g_array_index (rows, GanderSideRow, i);
      char *name = gander_side_filename_decode (row->filename);

      g_free (row->filename);
      row->filename = name;
    }
  return rows;
}

static gboolean
is_identifier (const char *s,
               gsize       len)
{
  if (len == 0 || len > 63)
    return FALSE;
  if (!(g_ascii_isalpha (s[0]) || s[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (s[i]) || s[i] == '_' || s[i] == '$'))
      return FALSE;
  return TRUE;
}

/**
 * gander_validate_table_name:
 * @table_name: a version table name, optionally `schema.table`
 * @error: return location for a #GError
 *
 * Checks that @table_name is a plain identifier or a schema-qualified one,
 * so it can be put into SQL text without any risk of injection: letters,
 * digits, `_` and `$`, starting with a letter or `_`, at most 63 bytes per
 * part (PostgreSQL's limit).
 *
 * Returns: %TRUE if the name is acceptable
 *
 * Since: 0.1
 */
gboolean
gander_validate_table_name (const char  *table_name,
                            GError     **error)
{
  const char *dot;

  g_return_val_if_fail (table_name != NULL, FALSE);

  dot = strchr (table_name, '.');
  if (dot == NULL
      ? is_identifier (table_name, strlen (table_name))
      : (is_identifier (table_name, dot - table_name) &&
         is_identifier (dot + 1, strlen (dot + 1))))
    return TRUE;

  g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
               "invalid version table name \"%s\": expected an identifier "
               "or schema.identifier made of letters, digits and _",
               table_name);
  return FALSE;
}

static void
mask_uri_password (GString *out)
{
  /* scheme://user:password@host… → scheme://user:xxxxx@host… */
  char *scheme_end = strstr (out->str, "://");
  char *authority, *at, *colon, *slash;

  if (scheme_end == NULL)
    return;
  authority = scheme_end + 3;
  slash = strchr (authority, '/');
  at = strchr (authority, '@');
  if (at == NULL || (slash != NULL && at > slash))
    {
      /* user@ may be absent but a later '@' in the path is not a password */
      at = NULL;
    }
  if (at == NULL)
    return;
  colon = memchr (authority, ':', at - authority);
  if (colon == NULL)
    return;
  g_string_erase (out, colon + 1 - out->str, at - colon - 1);
  g_string_insert (out, colon + 1 - out->str, "xxxxx");
}

static void
mask_param (GString    *out,
            const char *key)
{
  /* key=value in a query string or a libpq key=value string */
  gsize keylen = strlen (key);
  gsize i = 0;

  while (i < out->len)
    {
      char *p = strstr (out->str + i, key);
      gsize start, end;
      gboolean boundary;

      if (p == NULL)
        return;
      start = p - out->str;
      boundary = start == 0 || strchr ("?&; \t", out->str[start - 1]) != NULL;
      end = start + keylen;
      while (end < out->len && (out->str[end] == ' ' || out->str[end] == '\t'))
        end++;
      if (!boundary || end >= out->len || out->str[end] != '=')
        {
          i = start + keylen;
          continue;
        }
      end++;
      while (end < out->len && (out->str[end] == ' ' || out->str[end] == '\t'))
        end++;
      {
        gsize vstart = end;
        if (end < out->len && out->str[end] == '\'')
          {
            end++;
            while (end < out->len && out->str[end] != '\'')
              end += out->str[end] == '\\' ? 2 : 1;
            end = MIN (end + 1, out->len);
          }
        else
          {
            while (end < out->len && strchr ("& \t", out->str[end]) == NULL)
              end++;
          }
        g_string_erase (out, vstart, end - vstart);
        g_string_insert (out, vstart, "xxxxx");
        i = vstart + 5;
      }
    }
}

/**
 * gander_dsn_mask:
 * @dsn: a connection string
 *
 * Replaces the password in a URI (`postgres://u:secret@h/db`) or in
 * key=value form (`password=secret`, `?password=secret`) by `xxxxx`.
 *
 * Returns: (transfer full): the masked string
 *
 * Since: 0.1
 */
char *
gander_dsn_mask (const char *dsn)
{
  GString *out;

  g_return_val_if_fail (dsn != NULL, NULL);

  out = g_string_new (dsn);
  mask_uri_password (out);
  mask_param (out, "password");
  mask_param (out, "sslpassword");
  return g_string_free (out, FALSE);
}

GArray *
gander_version_rows_new (void)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (GanderVersionRow));

  g_array_set_clear_func (rows, (GDestroyNotify) gander_version_row_clear);
  return rows;
}

GArray *
gander_side_rows_new (void)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (GanderSideRow));

  g_array_set_clear_func (rows, (GDestroyNotify) gander_side_row_clear);
  return rows;
}

void
gander_version_row_clear (GanderVersionRow *row)
{
  g_clear_pointer (&row->tstamp, g_free);
}

void
gander_side_row_clear (GanderSideRow *row)
{
  g_clear_pointer (&row->filename, g_free);
  g_clear_pointer (&row->checksum, g_free);
  g_clear_pointer (&row->applied_by, g_free);
  g_clear_pointer (&row->applied_at, g_free);
}

gboolean
gander_database_sleep (GCancellable *cancellable,
                       gint64        usec)
{
  GPollFD pollfd;

  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  if (usec <= 0)
    return TRUE;
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      /* wakes the moment the cancellable fires */
      g_poll (&pollfd, 1, (gint) MIN ((usec + 999) / 1000, G_MAXINT));
      g_cancellable_release_fd (cancellable);
    }
  else
    {
      /* no fd to watch: short steps, so a cancel is seen within 10 ms */
      gint64 end = g_get_monotonic_time () + usec;

      for (gint64 now = g_get_monotonic_time ();
           now < end && !g_cancellable_is_cancelled (cancellable);
           now = g_get_monotonic_time ())
        g_usleep (MIN (end - now, 10 * 1000));
    }
  return !g_cancellable_is_cancelled (cancellable);
}

/* The notice a waiting runner gives after about a second: structured, at
 * INFO level, so a host application sees it only if it asks (the CLI
 * does, by its GANDER_NOTICE field). */
static void
log_lock_wait (GanderDatabase         *self,
               GanderDescribeLockFunc  describe,
               gpointer                user_data,
               guint                   timeout_ms)
{
  g_autofree char *holder = describe != NULL ? describe (self, user_data) : NULL;
  g_autofree char *timeout = g_strdup_printf ("%u", timeout_ms);
  g_autofree char *message = NULL;
  const GLogField fields[] = {
    { "MESSAGE", NULL, -1 },
    { "PRIORITY", "6", -1 },
    { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 },
    { "GANDER_NOTICE", "lock-wait", -1 },
    { "GANDER_LOCK_HOLDER", NULL, -1 },
    { "GANDER_LOCK_TIMEOUT_MS", NULL, -1 },
  };
  GLogField copy[G_N_ELEMENTS (fields)];

  if (holder == NULL)
    holder = g_strdup ("holder unknown");
  message = g_strdup_printf ("waiting for the run lock (%s); giving up after %u ms",
                             holder, timeout_ms);
  memcpy (copy, fields, sizeof fields);
  copy[0].value = message;
  copy[4].value = holder;
  copy[5].value = timeout;
  g_log_structured_array (G_LOG_LEVEL_INFO, copy, G_N_ELEMENTS (copy));
}

gboolean
gander_database_wait_for_lock (GanderDatabase        *self,
                               GanderTryLockFunc      try_lock,
                               GanderDescribeLockFunc describe,
                               gpointer               user_data,
                               gint64                 first_delay_us,
                               gint64                 max_delay_us,
                               GCancellable          *cancellable,
                               gboolean              *timed_out,
                               GError               **error)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);
  gint64 deadline = g_get_monotonic_time () +
                    (gint64) priv->lock_wait_timeout * G_TIME_SPAN_MILLISECOND;
  gint64 delay_us = first_delay_us;
  gint64 notice_at = g_get_monotonic_time () + G_TIME_SPAN_SECOND;
  gboolean noticed = FALSE;

  *timed_out = FALSE;
  for (;;)
    {
      gboolean acquired = FALSE;
      gint64 now;

      if (!try_lock (self, &acquired, user_data, error))
        return FALSE;
      if (acquired)
        return TRUE;
      now = g_get_monotonic_time ();
      if (now >= deadline)
        {
          *timed_out = TRUE;
          return FALSE;
        }
      if (!noticed && now >= notice_at)
        {
          noticed = TRUE;
          log_lock_wait (self, describe, user_data, priv->lock_wait_timeout);
        }
      /* short sleeps first: a run often finishes within milliseconds */
      if (!gander_database_sleep (cancellable, MIN (delay_us, deadline - now)))
        {
          gander_set_cancelled_error (error, _("cancelled while waiting for the run lock"));
          return FALSE;
        }
      delay_us = MIN (delay_us * 2, max_delay_us);
    }
}

GanderMigrationState
gander_database_state_from_string (const char *text)
{
  if (g_strcmp0 (text, gander_migration_state_to_string (GANDER_MIGRATION_STATE_APPLIED)) == 0)
    return GANDER_MIGRATION_STATE_APPLIED;
  if (g_strcmp0 (text, gander_migration_state_to_string (GANDER_MIGRATION_STATE_PENDING)) == 0)
    return GANDER_MIGRATION_STATE_PENDING;
  /* "running", NULL, or a word of a later Gander: a human must look
   * rather than have the migration run again. */
  return GANDER_MIGRATION_STATE_RUNNING;
}

const char *
gander_database_applied_by (void)
{
  static char *applied_by;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      applied_by = g_strdup_printf ("%s@%s", g_get_user_name (), g_get_host_name ());
      g_once_init_leave (&initialized, 1);
    }
  return applied_by;
}

void
gander_database_set_error_line (GanderDatabase *self,
                                guint           line)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  priv->error_line = line;
}

guint
gander_database_get_error_line (GanderDatabase *self)
{
  GanderDatabasePrivate *priv = gander_database_get_instance_private (self);

  return priv->error_line;
}

guint
gander_sql_line_at_offset (const char *sql,
                           gsize       offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset && sql[i] != '\0'; i++)
    if (sql[i] == '\n')
      line++;
  return line;
}
