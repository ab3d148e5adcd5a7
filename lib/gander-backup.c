/* gander-backup.c: one database's backup store
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-enum-types.h"
#include "gander-database-private.h"
#include "gander-emitter-private.h"
#include "gander-paths-private.h"
#include "gander-sha256-private.h"
#include "gander-backup-private.h"
#include "gander-libpq-private.h"
#include "gander-postgres-private.h"
#include "gander-sqlite-database.h"
#include "gander-sqlite-private.h"

/**
 * GanderBackup:
 *
 * The backups of one database, kept in one directory: each is an archive
 * (`ID.sqlite3`, a copy of an SQLite database taken with SQLite's online
 * backup API, or `ID.dump`, a `pg_dump --format=custom` archive) and a
 * manifest `ID.json` beside it (see #GanderBackupInfo). The directory is
 * created with mode 0700, the files with mode 0600; both are written under
 * temporary names and renamed into place, so a killed run leaves no half
 * backup: at most an archive without manifest, which gander_backup_list()
 * ignores and gander_backup_prune() removes once it is an hour old.
 *
 * gander_backup_create() takes the database's run lock (it nests inside a
 * lock the caller holds), so no migration runs during the copy, verifies
 * the copy as #GanderBackup:verify says and records the result;
 * gander_backup_restore() puts an archive back into the live database
 * after checking its checksum and driver. #GanderBackup:progress follows
 * both, in the main context of whoever started them.
 *
 * One operation runs at a time per object; another one meanwhile fails with
 * %GANDER_ERROR_BUSY.
 *
 * Since: 0.2
 */
struct _GanderBackup
{
  GObject             parent_instance;

  GanderDatabase     *database;
  char               *directory;
  char               *profile_name;
  char               *environment;
  GanderBackupVerify  verify;
  char               *pg_bindir;
  guint               lock_wait_timeout;
  double              progress;   /* as the caller's context sees it */

  GMutex              mutex;      /* guards the rest */
  gboolean            busy;
  GanderEmitter      *emitter;    /* of the running dump or restore */
  double              reported;   /* the last fraction sent to it */
  double              range_lo;   /* where the current phase's 0..1 maps */
  double              range_hi;
  char               *identity;   /* the database's, once known */
};

G_DEFINE_FINAL_TYPE (GanderBackup, gander_backup, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_DIRECTORY,
  PROP_PROFILE_NAME,
  PROP_ENVIRONMENT,
  PROP_VERIFY,
  PROP_PG_BINDIR,
  PROP_LOCK_WAIT_TIMEOUT,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_LOCK_WAIT_TIMEOUT_MS 60000
/* an archive without manifest younger than this may belong to a running
 * backup: prune leaves it alone */
#define ORPHAN_MIN_AGE (G_TIME_SPAN_HOUR)

static void
gander_backup_finalize (GObject *object)
{
  GanderBackup *self = GANDER_BACKUP (object);

  g_clear_object (&self->database);
  g_free (self->directory);
  g_free (self->profile_name);
  g_free (self->environment);
  g_free (self->pg_bindir);
  g_free (self->identity);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (gander_backup_parent_class)->finalize (object);
}

static void
gander_backup_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GanderBackup *self = GANDER_BACKUP (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_PROFILE_NAME:
      g_value_set_string (value, self->profile_name);
      break;
    case PROP_ENVIRONMENT:
      g_value_set_string (value, self->environment);
      break;
    case PROP_VERIFY:
      g_value_set_enum (value, self->verify);
      break;
    case PROP_PG_BINDIR:
      g_value_set_string (value, self->pg_bindir);
      break;
    case PROP_LOCK_WAIT_TIMEOUT:
      g_value_set_uint (value, self->lock_wait_timeout);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_backup_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GanderBackup *self = GANDER_BACKUP (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_DIRECTORY:
      {
        const char *dir = g_value_get_string (value);
        /* absolute, so manifests name their archives the same from any
         * working directory */
        self->directory = dir != NULL ? g_canonicalize_filename (dir, NULL) : NULL;
      }
      break;
    case PROP_PROFILE_NAME:
      gander_backup_set_profile_name (self, g_value_get_string (value));
      break;
    case PROP_ENVIRONMENT:
      gander_backup_set_environment (self, g_value_get_string (value));
      break;
    case PROP_VERIFY:
      gander_backup_set_verify (self, g_value_get_enum (value));
      break;
    case PROP_PG_BINDIR:
      gander_backup_set_pg_bindir (self, g_value_get_string (value));
      break;
    case PROP_LOCK_WAIT_TIMEOUT:
      gander_backup_set_lock_wait_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_backup_constructed (GObject *object)
{
  GanderBackup *self = GANDER_BACKUP (object);

  G_OBJECT_CLASS (gander_backup_parent_class)->constructed (object);

  if (self->directory == NULL)
    {
      g_autofree char *dir = gander_backup_default_directory (self->profile_name);
      self->directory = g_canonicalize_filename (dir, NULL);
    }
}

static void
gander_backup_class_init (GanderBackupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_backup_finalize;
  object_class->get_property = gander_backup_get_property;
  object_class->set_property = gander_backup_set_property;
  object_class->constructed = gander_backup_constructed;

  /**
   * GanderBackup:database:
   *
   * The database whose backups this object takes and restores.
   *
   * Since: 0.2
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, GANDER_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:directory:
   *
   * Where the backups live, absolute; %NULL at construction means
   * gander_backup_default_directory() of #GanderBackup:profile-name.
   *
   * Since: 0.2
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:profile-name:
   *
   * The profile recorded in the manifests of new backups.
   *
   * Since: 0.2
   */
  properties[PROP_PROFILE_NAME] =
    g_param_spec_string ("profile-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:environment:
   *
   * The environment recorded in the manifests of new backups.
   *
   * Since: 0.2
   */
  properties[PROP_ENVIRONMENT] =
    g_param_spec_string ("environment", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:verify:
   *
   * How new backups are checked, and existing ones by
   * gander_backup_verify().
   *
   * Since: 0.2
   */
  properties[PROP_VERIFY] =
    g_param_spec_enum ("verify", NULL, NULL, GANDER_TYPE_BACKUP_VERIFY,
                       GANDER_BACKUP_VERIFY_QUICK,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:pg-bindir:
   *
   * The directory holding `pg_dump` and `pg_restore`; %NULL: the one
   * `pg_config --bindir` names, else `PATH`.
   *
   * Since: 0.2
   */
  properties[PROP_PG_BINDIR] =
    g_param_spec_string ("pg-bindir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:lock-wait-timeout:
   *
   * How long `pg_dump` waits for a table lock (`--lock-wait-timeout`), in
   * milliseconds.
   *
   * Since: 0.2
   */
  properties[PROP_LOCK_WAIT_TIMEOUT] =
    g_param_spec_uint ("lock-wait-timeout", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_LOCK_WAIT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  /**
   * GanderBackup:progress:
   *
   * The fraction of the running backup or restore that is done, 0 to 1.
   * It changes (and is notified) in the thread-default main context of
   * whoever called gander_backup_create(), gander_backup_restore() or
   * their asynchronous twins, never in a worker thread.
   *
   * Since: 0.2
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_backup_init (GanderBackup *self)
{
  g_mutex_init (&self->mutex);
  self->verify = GANDER_BACKUP_VERIFY_QUICK;
  self->lock_wait_timeout = DEFAULT_LOCK_WAIT_TIMEOUT_MS;
}

/* g_set_str() before GLib 2.76 */
static gboolean
replace_string (char       **slot,
                const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

/**
 * gander_backup_new:
 * @database: the database to back up and restore
 * @directory: (type filename) (nullable): where the backups live; %NULL:
 *   gander_backup_default_directory() for the default profile
 *
 * Creates the backup store of @database. Nothing is read or created yet.
 *
 * Returns: (transfer full): a new #GanderBackup
 *
 * Since: 0.2
 */
GanderBackup *
gander_backup_new (GanderDatabase *database,
                   const char     *directory)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (database), NULL);

  return g_object_new (GANDER_TYPE_BACKUP,
                       "database", database,
                       "directory", directory,
                       NULL);
}

/**
 * gander_backup_get_database:
 * @self: a #GanderBackup
 *
 * Returns: (transfer none): the database
 *
 * Since: 0.2
 */
GanderDatabase *
gander_backup_get_database (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  return self->database;
}

/**
 * gander_backup_get_directory:
 * @self: a #GanderBackup
 *
 * Returns: (type filename): the backup directory, absolute
 *
 * Since: 0.2
 */
const char *
gander_backup_get_directory (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  return self->directory;
}

/**
 * gander_backup_get_profile_name:
 * @self: a #GanderBackup
 *
 * Returns: (nullable): the profile recorded in new manifests
 *
 * Since: 0.2
 */
const char *
gander_backup_get_profile_name (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  return self->profile_name;
}

/**
 * gander_backup_set_profile_name:
 * @self: a #GanderBackup
 * @profile_name: (nullable): the profile recorded in new manifests
 *
 * Since: 0.2
 */
void
gander_backup_set_profile_name (GanderBackup *self,
                                const char   *profile_name)
{
  g_return_if_fail (GANDER_IS_BACKUP (self));

  if (replace_string (&self->profile_name, profile_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE_NAME]);
}

/**
 * gander_backup_get_environment:
 * @self: a #GanderBackup
 *
 * Returns: (nullable): the environment recorded in new manifests
 *
 * Since: 0.2
 */
const char *
gander_backup_get_environment (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  return self->environment;
}

/**
 * gander_backup_set_environment:
 * @self: a #GanderBackup
 * @environment: (nullable): the environment recorded in new manifests
 *
 * Since: 0.2
 */
void
gander_backup_set_environment (GanderBackup *self,
                               const char   *environment)
{
  g_return_if_fail (GANDER_IS_BACKUP (self));

  if (replace_string (&self->environment, environment))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

/**
 * gander_backup_get_verify:
 * @self: a #GanderBackup
 *
 * Returns: how backups are verified
 *
 * Since: 0.2
 */
GanderBackupVerify
gander_backup_get_verify (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), GANDER_BACKUP_VERIFY_QUICK);
  return self->verify;
}

/**
 * gander_backup_set_verify:
 * @self: a #GanderBackup
 * @verify: how backups are verified
 *
 * Since: 0.2
 */
void
gander_backup_set_verify (GanderBackup       *self,
                          GanderBackupVerify  verify)
{
  g_return_if_fail (GANDER_IS_BACKUP (self));
  g_return_if_fail (verify <= GANDER_BACKUP_VERIFY_FULL);

  if (self->verify == verify)
    return;
  self->verify = verify;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFY]);
}

/**
 * gander_backup_get_pg_bindir:
 * @self: a #GanderBackup
 *
 * Returns: (type filename) (nullable): where `pg_dump` and `pg_restore` are
 *   looked for first
 *
 * Since: 0.2
 */
const char *
gander_backup_get_pg_bindir (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  return self->pg_bindir;
}

/**
 * gander_backup_set_pg_bindir:
 * @self: a #GanderBackup
 * @pg_bindir: (type filename) (nullable): the directory of `pg_dump` and
 *   `pg_restore`, or %NULL to find them
 *
 * Since: 0.2
 */
void
gander_backup_set_pg_bindir (GanderBackup *self,
                             const char   *pg_bindir)
{
  g_return_if_fail (GANDER_IS_BACKUP (self));

  gboolean changed;

  if (pg_bindir != NULL && *pg_bindir == '\0')
    pg_bindir = NULL;
  /* a running job copies it under the same lock (job_init) */
  g_mutex_lock (&self->mutex);
  changed = replace_string (&self->pg_bindir, pg_bindir);
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PG_BINDIR]);
}

/**
 * gander_backup_get_lock_wait_timeout:
 * @self: a #GanderBackup
 *
 * Returns: how long `pg_dump` waits for a table lock, in milliseconds
 *
 * Since: 0.2
 */
guint
gander_backup_get_lock_wait_timeout (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), 0);
  return self->lock_wait_timeout;
}

/**
 * gander_backup_set_lock_wait_timeout:
 * @self: a #GanderBackup
 * @msec: how long `pg_dump` waits for a table lock, in milliseconds
 *
 * Since: 0.2
 */
void
gander_backup_set_lock_wait_timeout (GanderBackup *self,
                                     guint         msec)
{
  g_return_if_fail (GANDER_IS_BACKUP (self));

  if (self->lock_wait_timeout == msec)
    return;
  self->lock_wait_timeout = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_WAIT_TIMEOUT]);
}

/**
 * gander_backup_get_progress:
 * @self: a #GanderBackup
 *
 * Returns: the fraction of the running backup or restore that is done
 *
 * Since: 0.2
 */
double
gander_backup_get_progress (GanderBackup *self)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), 0.0);
  return self->progress;
}

/**
 * gander_backup_default_directory:
 * @profile_name: (nullable): a profile name; %NULL: `default`
 *
 * Where the backups of a profile live by default:
 * `$XDG_STATE_HOME/gander/backups/NAME` for a user,
 * `/var/lib/gander/backups/NAME` for root, and
 * `$GANDER_STATE_DIR/backups/NAME` when `GANDER_STATE_DIR` is set.
 *
 * Returns: (transfer full) (type filename): the directory (not created)
 *
 * Since: 0.2
 */
char *
gander_backup_default_directory (const char *profile_name)
{
  g_autofree char *state = gander_get_state_dir ();
  g_autofree char *name = NULL;

  if (profile_name == NULL || *profile_name == '\0')
    profile_name = "default";
  /* one directory level per profile, whatever the name holds */
  name = g_strdup (profile_name);
  g_strdelimit (name, "/\\", '_');
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    g_strdelimit (name, ".", '_');
  return g_build_filename (state, "backups", name, NULL);
}

/* ------------------------------------------------------------------ */
/* Operations and progress                                             */

typedef struct
{
  double fraction;
} ProgressUpdate;

static void
set_progress_here (GObject  *object,
                   gpointer  data)
{
  GanderBackup *self = GANDER_BACKUP (object);
  const ProgressUpdate *update = data;

  if (self->progress == update->fraction)
    return;
  self->progress = update->fraction;
  g_object_notify_by_pspec (object, properties[PROP_PROGRESS]);
}

void
gander_backup_report_progress (GanderBackup *backup,
                               double        fraction)
{
  g_autoptr(GanderEmitter) emitter = NULL;
  ProgressUpdate *update;

  g_return_if_fail (GANDER_IS_BACKUP (backup));

  fraction = CLAMP (fraction, 0.0, 1.0);
  g_mutex_lock (&backup->mutex);
  fraction = backup->range_lo + fraction * (backup->range_hi - backup->range_lo);
  /* a notification per percent is plenty, and keeps a fast dump from
   * flooding the caller's main loop */
  if (backup->emitter == NULL ||
      (fraction < 1.0 && fraction > 0.0 && fraction - backup->reported < 0.01) ||
      fraction == backup->reported)
    {
      g_mutex_unlock (&backup->mutex);
      return;
    }
  backup->reported = fraction;
  emitter = gander_emitter_ref (backup->emitter);
  g_mutex_unlock (&backup->mutex);

  update = g_new (ProgressUpdate, 1);
  update->fraction = fraction;
  gander_emitter_invoke (emitter, set_progress_here, update, g_free);
}

/* Claims the object for one dump or restore whose progress goes to
 * @signal_context. */
static gboolean
op_begin (GanderBackup  *self,
          GMainContext  *signal_context,
          GError       **error)
{
  g_mutex_lock (&self->mutex);
  if (self->busy)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BUSY,
                   _("a backup or restore of %s is already running on this "
                     "object; try again when it has finished"), self->directory);
      return FALSE;
    }
  self->busy = TRUE;
  self->emitter = gander_emitter_new (G_OBJECT (self), signal_context);
  self->reported = -1.0;
  self->range_lo = 0.0;
  self->range_hi = 1.0;
  g_mutex_unlock (&self->mutex);

  gander_backup_report_progress (self, 0.0);
  return TRUE;
}

/* The engines report 0..1 of their part; this says which part of the
 * whole operation that is. */
static void
set_phase (GanderBackup *self,
           double        lo,
           double        hi)
{
  g_mutex_lock (&self->mutex);
  self->range_lo = lo;
  self->range_hi = hi;
  g_mutex_unlock (&self->mutex);
}

static void
op_end (GanderBackup *self,
        gboolean      success)
{
  GanderEmitter *emitter;

  if (success)
    {
      set_phase (self, 0.0, 1.0);
      gander_backup_report_progress (self, 1.0);
    }
  g_mutex_lock (&self->mutex);
  emitter = g_steal_pointer (&self->emitter);
  self->busy = FALSE;
  g_mutex_unlock (&self->mutex);
  gander_emitter_unref (emitter);
}

void
gander_backup_job_clear (GanderBackupJob *job)
{
  g_clear_pointer (&job->tool_version, g_free);
  g_clear_pointer (&job->server_version, g_free);
  g_clear_pointer (&job->verify_method, g_free);
  g_clear_pointer (&job->owned_table, g_free);
  g_clear_pointer (&job->owned_pg_bindir, g_free);
}

typedef gboolean (*EngineFunc) (GanderBackupJob *job, GError **error);

typedef struct
{
  const char *driver;
  const char *extension;
  EngineFunc  dump;
  EngineFunc  verify;
  EngineFunc  restore;
} Engine;

static const Engine engines[] = {
  { "sqlite3", ".sqlite3", gander_backup_sqlite_dump, gander_backup_sqlite_verify,
    gander_backup_sqlite_restore },
  { "postgres", ".dump", gander_backup_postgres_dump, gander_backup_postgres_verify,
    gander_backup_postgres_restore },
};

static const Engine *
find_engine (const char  *driver,
             GError     **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (engines); i++)
    if (g_strcmp0 (engines[i].driver, driver) == 0)
      return &engines[i];
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
               _("Gander cannot back up or restore %s databases (only "
                 "sqlite3 and postgres)"), driver != NULL ? driver : "(unknown)");
  return NULL;
}

static void
job_init (GanderBackup       *self,
          GanderBackupJob    *job,
          const char         *archive_path,
          GanderBackupVerify  verify,
          GCancellable       *cancellable)
{
  memset (job, 0, sizeof *job);
  job->backup = self;
  job->database = self->database;
  job->owned_table = g_strdup (gander_database_get_table_name (self->database));
  job->table = job->owned_table;
  job->archive_path = archive_path;
  job->verify = verify;
  /* the manager may set pg-bindir from another thread meanwhile */
  g_mutex_lock (&self->mutex);
  job->owned_pg_bindir = g_strdup (self->pg_bindir);
  job->lock_wait_timeout_ms = self->lock_wait_timeout;
  g_mutex_unlock (&self->mutex);
  job->pg_bindir = job->owned_pg_bindir;
  job->cancellable = cancellable;
}

/* Opens the database unless it is; *@opened says whether we did. */
static gboolean
ensure_open (GanderBackup  *self,
             gboolean      *opened,
             GCancellable  *cancellable,
             GError       **error)
{
  *opened = FALSE;
  if (gander_database_is_open (self->database))
    return TRUE;
  if (!gander_database_open (self->database, cancellable, error))
    return FALSE;
  *opened = TRUE;
  return TRUE;
}

/* The canonical form of an existing path (symbolic links resolved), else
 * the absolute one. */
static char *
canonical_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *copy;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  copy = g_strdup (real);
  free (real);
  return copy;
}

/* Which database @database (open) is, for the manifest's `database` key:
 * the SQLite file's canonical path, PostgreSQL's host:port/dbname as the
 * live connection reports them. NULL when it has none (SQLite in memory).
 * *@db_dir, if given: the SQLite file's directory (else NULL). */
static char *
describe_database (GanderDatabase  *database,
                   char           **db_dir)
{
  if (db_dir != NULL)
    *db_dir = NULL;
  if (GANDER_IS_SQLITE_DATABASE (database))
    {
      const char *filename = gander_sqlite_database_get_filename (GANDER_SQLITE_DATABASE (database));
      char *path;

      if (filename == NULL || *filename == '\0')
        return NULL;
      path = canonical_path (filename);
      if (db_dir != NULL)
        *db_dir = g_path_get_dirname (path);
      return path;
    }
  if (GANDER_IS_POSTGRES_DATABASE (database))
    {
      PGconn *conn = gander_postgres_database_get_connection (GANDER_POSTGRES_DATABASE (database));
      const char *host, *port, *dbname;

      if (conn == NULL)
        return NULL;
      host = PQhost (conn);
      port = PQport (conn);
      dbname = PQdb (conn);
      return g_strdup_printf ("%s:%s/%s", host != NULL ? host : "",
                              port != NULL && *port != '\0' ? port : "5432",
                              dbname != NULL ? dbname : "");
    }
  return NULL;
}

/* The backup directory must not be the SQLite file's own: prune removes
 * files there, and the copies would sit beside the live database. */
static gboolean
check_directory_apart (GanderBackup  *self,
                       const char    *db_dir,
                       GError       **error)
{
  g_autofree char *dir = NULL;

  if (db_dir == NULL)
    return TRUE;
  dir = canonical_path (self->directory);
  if (g_strcmp0 (dir, db_dir) != 0)
    return TRUE;
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
               _("the backup directory %s is the directory of the database "
                 "file itself; set backup-dir to a directory of its own "
                 "(Gander removes old files there)"), self->directory);
  return FALSE;
}

static void
remember_identity (GanderBackup *self,
                   const char   *identity)
{
  g_mutex_lock (&self->mutex);
  if (self->identity == NULL)
    self->identity = g_strdup (identity);
  g_mutex_unlock (&self->mutex);
}

/* The database's identity, opening it for a moment if it is closed; the
 * first answer is kept. *@known says whether it could be told at all
 * (FALSE: the database could not be opened, @error says why); a NULL
 * identity that is known means "no file" (SQLite in memory). *@db_dir as
 * for describe_database(). */
static char *
find_identity (GanderBackup  *self,
               char         **db_dir,
               gboolean      *known,
               GError       **error)
{
  g_autofree char *identity = NULL;
  gboolean opened = FALSE;

  *known = FALSE;
  if (db_dir != NULL)
    *db_dir = NULL;
  if (db_dir == NULL)
    {
      g_mutex_lock (&self->mutex);
      identity = g_strdup (self->identity);
      g_mutex_unlock (&self->mutex);
      if (identity != NULL)
        {
          *known = TRUE;
          return g_steal_pointer (&identity);
        }
    }
  if (!ensure_open (self, &opened, NULL, error))
    return NULL;
  identity = describe_database (self->database, db_dir);
  if (opened)
    gander_database_close (self->database);
  *known = TRUE;
  if (identity != NULL)
    remember_identity (self, identity);
  return g_steal_pointer (&identity);
}

/* Whether @info is a backup of the database called @identity: manifests
 * written before the `database` key existed count as its own. */
static gboolean
is_ours (GanderBackupInfo *info,
         const char       *identity)
{
  const char *database = gander_backup_info_get_database (info);

  return identity == NULL || database == NULL || strcmp (database, identity) == 0;
}

static gboolean
ensure_directory (GanderBackup  *self,
                  GError       **error)
{
  GStatBuf st;
  int saved_errno;

  if (g_mkdir_with_parents (self->directory, 0700) == 0)
    {
      /* a directory that was already there may let others read the
       * copies: tighten it when it is ours */
      if (g_stat (self->directory, &st) == 0 && st.st_uid == getuid () &&
          (st.st_mode & 0077) != 0)
        {
          if (g_chmod (self->directory, 0700) == 0)
            g_debug ("backup directory %s had mode %04o, changed it to 0700",
                     self->directory, (unsigned) (st.st_mode & 07777));
          else
            g_debug ("backup directory %s has mode %04o and cannot be changed "
                     "to 0700: %s", self->directory, (unsigned) (st.st_mode & 07777),
                     g_strerror (errno));
        }
      return TRUE;
    }
  saved_errno = errno;
  g_set_error (error, GANDER_ERROR,
               saved_errno == EACCES || saved_errno == EPERM
               ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
               _("cannot create the backup directory %s: %s; create it "
                 "(mode 0700) or set backup-dir to a writable directory"),
               self->directory, g_strerror (saved_errno));
  return FALSE;
}

/* SHA-256 (hex) and size of a file. */
static gboolean
hash_file (const char  *path,
           char       **sha256,
           guint64     *size,
           GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *contents;
  gsize length;

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, GANDER_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? GANDER_ERROR_NOT_FOUND : GANDER_ERROR_IO,
                   _("cannot read backup archive %s: %s"), path, local_error->message);
      return FALSE;
    }
  contents = g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);
  *sha256 = gander_sha256_hex (contents != NULL ? contents : "", length, FALSE);
  *size = length;
  return TRUE;
}

/* `20261130T141500.123456Z` for @time (UTC). */
static char *
format_id (GDateTime *time)
{
  return g_date_time_format (time, "%Y%m%dT%H%M%S.%fZ");
}

static void
remove_quietly (const char *path)
{
  if (path != NULL && g_unlink (path) != 0 && errno != ENOENT)
    g_debug ("cannot remove %s: %s", path, g_strerror (errno));
}

static gboolean
write_manifest (GanderBackupInfo  *info,
                GError           **error)
{
  g_autofree char *text = gander_backup_info_to_json (info);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (gander_backup_info_get_manifest_path (info),
                                 text, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &local_error))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot write backup manifest %s: %s"),
                   gander_backup_info_get_manifest_path (info), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Creates the archive's temporary file, empty, 0600; picks a free id.
 * *@lock_fd stays open with an flock on the file while the backup runs, so
 * a concurrent prune (remove_orphans) leaves the file alone. */
static gboolean
reserve_names (GanderBackup  *self,
               const Engine  *engine,
               GDateTime    **created_at,
               char         **id,
               char         **tmp_path,
               int           *lock_fd,
               GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  for (guint attempt = 0; attempt < 1000; attempt++)
    {
      g_autoptr(GDateTime) when = g_date_time_add (now, attempt);
      g_autofree char *candidate = format_id (when);
      g_autofree char *base = g_strconcat (candidate, engine->extension, NULL);
      g_autofree char *manifest_base = g_strconcat (candidate, ".json", NULL);
      g_autofree char *tmp_base = g_strconcat (".", base, ".tmp", NULL);
      g_autofree char *final = g_build_filename (self->directory, base, NULL);
      g_autofree char *manifest = g_build_filename (self->directory, manifest_base, NULL);
      g_autofree char *tmp = g_build_filename (self->directory, tmp_base, NULL);
      int fd;

      if (g_file_test (final, G_FILE_TEST_EXISTS) ||
          g_file_test (manifest, G_FILE_TEST_EXISTS))
        continue;
      fd = g_open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EEXIST)
            continue;
          g_set_error (error, GANDER_ERROR,
                       saved_errno == EACCES || saved_errno == EPERM
                       ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                       _("cannot create backup file %s: %s"), tmp,
                       g_strerror (saved_errno));
          return FALSE;
        }
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        g_debug ("cannot lock %s: %s", tmp, g_strerror (errno));
      *lock_fd = fd;
      *created_at = g_steal_pointer (&when);
      *id = g_steal_pointer (&candidate);
      *tmp_path = g_steal_pointer (&tmp);
      return TRUE;
    }
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
               _("cannot pick a name for a new backup in %s: too many "
                 "backups taken at the same time"), self->directory);
  return FALSE;
}

static GanderBackupInfo *
do_create (GanderBackup  *self,
           GCancellable  *cancellable,
           GError       **error)
{
  const char *driver = gander_database_get_dialect (self->database);
  g_auto(GanderBackupJob) job = { 0, };
  g_autoptr(GDateTime) created_at = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GanderBackupInfo) info = NULL;
  g_autofree char *id = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *archive_path = NULL;
  g_autofree char *archive_base = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *created_text = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *environment = NULL;
  const Engine *engine;
  GanderBackupVerify verify = self->verify;
  gint64 start = g_get_monotonic_time ();
  gboolean opened = FALSE;
  gboolean locked = FALSE;
  gboolean ok = FALSE;
  guint64 size = 0;
  g_autofree char *identity = NULL;
  g_autofree char *db_dir = NULL;
  int lock_fd = -1;

  engine = find_engine (driver, error);
  if (engine == NULL)
    return NULL;
  profile = g_strdup (self->profile_name);
  environment = g_strdup (self->environment);

  if (!ensure_open (self, &opened, cancellable, error))
    return NULL;
  identity = describe_database (self->database, &db_dir);
  if (identity != NULL)
    remember_identity (self, identity);
  if (!check_directory_apart (self, db_dir, error) ||
      !ensure_directory (self, error))
    goto out;
  if (!gander_database_lock (self->database, cancellable, error))
    goto out;
  locked = TRUE;

  if (!reserve_names (self, engine, &created_at, &id, &tmp_path, &lock_fd, error))
    goto out;
  archive_base = g_strconcat (id, engine->extension, NULL);
  archive_path = g_build_filename (self->directory, archive_base, NULL);
  manifest_path = g_strconcat (self->directory, G_DIR_SEPARATOR_S, id, ".json", NULL);

  job_init (self, &job, tmp_path, verify, cancellable);
  g_debug ("backing up %s into %s", driver, archive_path);
  /* checking the copy reads it all once more, without steps to report */
  set_phase (self, 0.0, verify != GANDER_BACKUP_VERIFY_OFF ? 0.9 : 1.0);
  if (!engine->dump (&job, error))
    goto out;
  set_phase (self, 0.9, 1.0);
  if (verify != GANDER_BACKUP_VERIFY_OFF && !engine->verify (&job, error))
    goto out;
  if (job.verify_method == NULL)
    job.verify_method = g_strdup ("sha256");
  if (!hash_file (tmp_path, &sha256, &size, error))
    goto out;
  if (g_rename (tmp_path, archive_path) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot rename backup archive %s to %s: %s"),
                   tmp_path, archive_path, g_strerror (saved_errno));
      goto out;
    }
  g_clear_pointer (&tmp_path, g_free);

  dsn = gander_database_dup_display_dsn (self->database);
  created_text = g_date_time_format (created_at, "%Y-%m-%dT%H:%M:%S.%fZ");
  object = json_object_new ();
  json_object_set_int_member (object, "format", GANDER_BACKUP_MANIFEST_FORMAT);
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "file", archive_base);
  if (profile != NULL)
    json_object_set_string_member (object, "profile", profile);
  if (environment != NULL)
    json_object_set_string_member (object, "environment", environment);
  json_object_set_string_member (object, "driver", driver);
  if (dsn != NULL)
    json_object_set_string_member (object, "dsn", dsn);
  if (identity != NULL)
    json_object_set_string_member (object, "database", identity);
  json_object_set_string_member (object, "table", job.table);
  json_object_set_int_member (object, "version", MAX (job.version, 0));
  json_object_set_string_member (object, "created_at", created_text);
  json_object_set_int_member (object, "size", (gint64) size);
  json_object_set_string_member (object, "sha256", sha256);
  if (job.tool_version != NULL)
    json_object_set_string_member (object, "tool_version", job.tool_version);
  if (job.server_version != NULL)
    json_object_set_string_member (object, "server_version", job.server_version);
  /* with verification off, nothing but the checksum vouches for it */
  json_object_set_boolean_member (object, "verified", verify != GANDER_BACKUP_VERIFY_OFF);
  json_object_set_string_member (object, "verify_method", job.verify_method);
  json_object_set_double_member (object, "duration_seconds",
                                 (double) (g_get_monotonic_time () - start) / G_TIME_SPAN_SECOND);
  json_object_set_string_member (object, "gander_version", PACKAGE_VERSION);
  info = gander_backup_info_new_from_json (manifest_path, object, error);
  if (info == NULL || !write_manifest (info, error))
    {
      remove_quietly (archive_path);
      goto out;
    }
  ok = TRUE;
  g_debug ("backup %s written to %s (%" G_GUINT64_FORMAT " bytes, %s)",
           id, archive_path, size, job.verify_method);

out:
  if (!ok)
    remove_quietly (tmp_path);
  if (lock_fd >= 0)
    close (lock_fd);
  if (locked)
    {
      g_autoptr(GError) unlock_error = NULL;
      if (!gander_database_unlock (self->database, &unlock_error))
        g_debug ("cannot release the run lock after the backup: %s",
                 unlock_error->message);
    }
  if (opened)
    gander_database_close (self->database);
  return ok ? g_steal_pointer (&info) : NULL;
}

GanderBackupInfo *
gander_backup_create_full (GanderBackup  *self,
                           GMainContext  *signal_context,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GanderBackupInfo *info;

  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op_begin (self, signal_context, error))
    return NULL;
  info = do_create (self, cancellable, error);
  op_end (self, info != NULL);
  return info;
}

/**
 * gander_backup_create:
 * @self: a #GanderBackup
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Takes a backup: opens the database if needed, takes its run lock (nested
 * inside the caller's, if it holds it), writes the archive under a
 * temporary name in #GanderBackup:directory (created with mode 0700 if
 * missing), verifies it as #GanderBackup:verify says, records its SHA-256
 * and size and writes the manifest. A backup that fails verification is
 * deleted and the call fails with %GANDER_ERROR_BACKUP; a cancelled one
 * fails with %G_IO_ERROR_CANCELLED; neither leaves files behind.
 *
 * Returns: (transfer full): the new backup, or %NULL with @error set
 *
 * Since: 0.2
 */
GanderBackupInfo *
gander_backup_create (GanderBackup  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return gander_backup_create_full (self, NULL, cancellable, error);
}

/* The caller's context, where the async operations deliver progress. */
static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GanderBackupInfo *info;

  info = gander_backup_create_full (source_object, task_data, cancellable, &error);
  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, g_object_unref);
}

/**
 * gander_backup_create_async:
 * @self: a #GanderBackup
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the backup is done
 * @user_data: data for @callback
 *
 * Takes a backup in a worker thread; see gander_backup_create().
 * #GanderBackup:progress changes in the thread-default main context of the
 * caller. Do not use the database otherwise until @callback runs.
 *
 * Since: 0.2
 */
void
gander_backup_create_async (GanderBackup        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GANDER_IS_BACKUP (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gander_backup_create_async);
  g_task_set_task_data (task, g_main_context_ref_thread_default (),
                        (GDestroyNotify) g_main_context_unref);
  g_task_run_in_thread (task, create_thread);
}

/**
 * gander_backup_create_finish:
 * @self: a #GanderBackup
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the new backup, or %NULL with @error set
 *
 * Since: 0.2
 */
GanderBackupInfo *
gander_backup_create_finish (GanderBackup  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gander_backup_create_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The checks every use of an existing archive starts with: the engine for
 * its driver, the archive present and its checksum the manifest's. */
static const Engine *
check_archive (GanderBackupInfo  *info,
               GError           **error)
{
  g_autofree char *sha256 = NULL;
  const Engine *engine;
  guint64 size = 0;

  engine = find_engine (gander_backup_info_get_driver (info), error);
  if (engine == NULL)
    return NULL;
  if (!g_file_test (gander_backup_info_get_path (info), G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup %s: its archive %s is missing; remove the "
                     "manifest %s or restore another backup"),
                   gander_backup_info_get_id (info), gander_backup_info_get_path (info),
                   gander_backup_info_get_manifest_path (info));
      return NULL;
    }
  if (!hash_file (gander_backup_info_get_path (info), &sha256, &size, error))
    return NULL;
  if (g_strcmp0 (sha256, gander_backup_info_get_sha256 (info)) != 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup %s: checksum mismatch: %s has SHA-256 %s (%"
                     PRIu64 " bytes), its manifest %s records %s (%"
                     PRIu64 " bytes); the archive was damaged or "
                     "changed, use another backup"),
                   gander_backup_info_get_id (info), gander_backup_info_get_path (info),
                   sha256, size, gander_backup_info_get_manifest_path (info),
                   gander_backup_info_get_sha256 (info), gander_backup_info_get_size (info));
      return NULL;
    }
  return engine;
}

static gboolean
do_restore (GanderBackup      *self,
            GanderBackupInfo  *info,
            GCancellable      *cancellable,
            GError           **error)
{
  const char *driver = gander_database_get_dialect (self->database);
  g_auto(GanderBackupJob) job = { 0, };
  const Engine *engine;
  gboolean opened = FALSE;
  gboolean ok;

  if (g_strcmp0 (gander_backup_info_get_driver (info), driver) != 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                   _("backup %s: archive of a %s database cannot be restored "
                     "into %s; pick a backup of this database"),
                   gander_backup_info_get_id (info),
                   gander_backup_info_get_driver (info), driver);
      return FALSE;
    }
  engine = check_archive (info, error);
  if (engine == NULL)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!ensure_open (self, &opened, cancellable, error))
    return FALSE;
  {
    g_autofree char *identity = describe_database (self->database, NULL);

    if (identity != NULL)
      remember_identity (self, identity);
    if (!is_ours (info, identity))
      {
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_BACKUP,
                     _("backup %s is a copy of %s, not of %s; it cannot be "
                       "restored into this database: pick a backup of %s "
                       "(`gander backups` lists them)"),
                     gander_backup_info_get_id (info),
                     gander_backup_info_get_database (info), identity, identity);
        if (opened)
          gander_database_close (self->database);
        return FALSE;
      }
  }
  if (!gander_database_lock (self->database, cancellable, error))
    {
      if (opened)
        gander_database_close (self->database);
      return FALSE;
    }

  job_init (self, &job, gander_backup_info_get_path (info), self->verify, cancellable);
  g_debug ("restoring backup %s from %s", gander_backup_info_get_id (info),
           gander_backup_info_get_path (info));
  ok = engine->restore (&job, error);

  {
    g_autoptr(GError) unlock_error = NULL;
    if (!gander_database_unlock (self->database, &unlock_error))
      g_debug ("cannot release the run lock after the restore: %s",
               unlock_error->message);
  }
  if (opened)
    gander_database_close (self->database);
  return ok;
}

gboolean
gander_backup_restore_full (GanderBackup      *self,
                            GanderBackupInfo  *info,
                            GMainContext      *signal_context,
                            GCancellable      *cancellable,
                            GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_BACKUP (self), FALSE);
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (info), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!op_begin (self, signal_context, error))
    return FALSE;
  ok = do_restore (self, info, cancellable, error);
  op_end (self, ok);
  return ok;
}

/**
 * gander_backup_restore:
 * @self: a #GanderBackup
 * @info: the backup to restore (see gander_backup_lookup())
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Replaces the live database's contents with the backup's. First checks
 * that the archive's SHA-256 is the manifest's and that it comes from a
 * database of the same driver (%GANDER_ERROR_BACKUP otherwise). SQLite:
 * the archive is copied into the open connection with the online backup
 * API, under the run lock, in one transaction (a cancelled or failed
 * restore leaves the database as it was). PostgreSQL: `pg_restore --clean
 * --if-exists --single-transaction --exit-on-error`.
 *
 * Returns: %TRUE when the database now holds the backup's contents
 *
 * Since: 0.2
 */
gboolean
gander_backup_restore (GanderBackup      *self,
                       GanderBackupInfo  *info,
                       GCancellable      *cancellable,
                       GError           **error)
{
  return gander_backup_restore_full (self, info, NULL, cancellable, error);
}

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GanderBackupInfo *info = g_object_get_data (G_OBJECT (task), "gander-backup-info");
  GError *error = NULL;

  if (gander_backup_restore_full (source_object, info, task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * gander_backup_restore_async:
 * @self: a #GanderBackup
 * @info: the backup to restore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the restore is done
 * @user_data: data for @callback
 *
 * Restores a backup in a worker thread; see gander_backup_restore().
 * #GanderBackup:progress changes in the thread-default main context of the
 * caller. Do not use the database otherwise until @callback runs.
 *
 * Since: 0.2
 */
void
gander_backup_restore_async (GanderBackup        *self,
                             GanderBackupInfo    *info,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GANDER_IS_BACKUP (self));
  g_return_if_fail (GANDER_IS_BACKUP_INFO (info));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gander_backup_restore_async);
  g_task_set_task_data (task, g_main_context_ref_thread_default (),
                        (GDestroyNotify) g_main_context_unref);
  g_object_set_data_full (G_OBJECT (task), "gander-backup-info",
                          g_object_ref (info), g_object_unref);
  g_task_run_in_thread (task, restore_thread);
}

/**
 * gander_backup_restore_finish:
 * @self: a #GanderBackup
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the database now holds the backup's contents
 *
 * Since: 0.2
 */
gboolean
gander_backup_restore_finish (GanderBackup  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (GANDER_IS_BACKUP (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gander_backup_restore_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gander_backup_verify:
 * @self: a #GanderBackup
 * @info: a backup
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks an existing backup again: its archive's SHA-256 must be the
 * manifest's, and unless #GanderBackup:verify is
 * %GANDER_BACKUP_VERIFY_OFF the archive must pass that level's check.
 * The database is not touched.
 *
 * Returns: %TRUE when the backup is sound; %FALSE with
 *   %GANDER_ERROR_BACKUP saying what is wrong
 *
 * Since: 0.2
 */
gboolean
gander_backup_verify (GanderBackup      *self,
                      GanderBackupInfo  *info,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_auto(GanderBackupJob) job = { 0, };
  const Engine *engine;

  g_return_val_if_fail (GANDER_IS_BACKUP (self), FALSE);
  g_return_val_if_fail (GANDER_IS_BACKUP_INFO (info), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  engine = check_archive (info, error);
  if (engine == NULL)
    return FALSE;
  if (self->verify == GANDER_BACKUP_VERIFY_OFF)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  job_init (self, &job, gander_backup_info_get_path (info), self->verify, cancellable);
  if (gander_backup_info_get_table (info) != NULL)
    job.table = gander_backup_info_get_table (info);
  /* a copy of a database without version table has version 0 */
  job.no_version_table = gander_backup_info_get_version (info) == 0;
  return engine->verify (&job, error);
}

/* ------------------------------------------------------------------ */
/* Listing and pruning                                                 */

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  GanderBackupInfo *x = *(GanderBackupInfo * const *) a;
  GanderBackupInfo *y = *(GanderBackupInfo * const *) b;
  int c = g_date_time_compare (gander_backup_info_get_created_at (y),
                               gander_backup_info_get_created_at (x));

  return c != 0 ? c : g_strcmp0 (gander_backup_info_get_id (y),
                                 gander_backup_info_get_id (x));
}

static GPtrArray *
list_directory (GanderBackup  *self,
                const char    *identity,
                GError       **error);

/**
 * gander_backup_list:
 * @self: a #GanderBackup
 * @error: return location for a #GError
 *
 * The backups of #GanderBackup:database in #GanderBackup:directory, newest
 * first. A manifest that cannot be read is skipped (with a debug message),
 * an archive without manifest ignored; a directory that does not exist
 * holds no backups. Backups of other databases that share the directory
 * (their manifest's `database` differs, see #GanderBackupInfo) are left
 * out; a manifest without `database` (written before Gander recorded it)
 * counts as this database's. Telling which database this is opens it for a
 * moment if it is closed (once per object); when it cannot be opened, every
 * backup in the directory is listed.
 *
 * Returns: (transfer container) (element-type GanderBackupInfo): the
 *   backups, or %NULL with @error set when the directory cannot be read
 *
 * Since: 0.2
 */
GPtrArray *
gander_backup_list (GanderBackup  *self,
                    GError       **error)
{
  g_autoptr(GError) identity_error = NULL;
  g_autofree char *identity = NULL;
  gboolean known;

  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* nothing to sort out: do not open (and so create) the database */
  if (!g_file_test (self->directory, G_FILE_TEST_EXISTS))
    return g_ptr_array_new_with_free_func (g_object_unref);
  identity = find_identity (self, NULL, &known, &identity_error);
  if (!known)
    g_debug ("listing every backup in %s: cannot tell which database this "
             "is: %s", self->directory, identity_error->message);
  return list_directory (self, identity, error);
}

static GPtrArray *
list_directory (GanderBackup  *self,
                const char    *identity,
                GError       **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (self->directory, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&list);
      g_set_error (error, GANDER_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                   ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                   _("cannot read the backup directory %s: %s"),
                   self->directory, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) load_error = NULL;
      GanderBackupInfo *info;

      if (name[0] == '.' || !g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (self->directory, name, NULL);
      info = gander_backup_info_load (path, &load_error);
      if (info == NULL)
        {
          g_debug ("skipping %s: %s", path, load_error->message);
          continue;
        }
      if (!is_ours (info, identity))
        {
          g_debug ("skipping %s: a backup of %s, not of %s", path,
                   gander_backup_info_get_database (info), identity);
          g_object_unref (info);
          continue;
        }
      g_ptr_array_add (list, info);
    }
  g_ptr_array_sort (list, compare_newest_first);
  return g_steal_pointer (&list);
}

/**
 * gander_backup_lookup:
 * @self: a #GanderBackup
 * @id: a backup id, a prefix of exactly one, or `latest`
 * @error: return location for a #GError
 *
 * Finds one backup. %GANDER_ERROR_NOT_FOUND when no backup has this id (or
 * prefix), when the prefix fits several (the message lists them) and, for
 * `latest`, when there is none.
 *
 * Returns: (transfer full): the backup, or %NULL with @error set
 *
 * Since: 0.2
 */
GanderBackupInfo *
gander_backup_lookup (GanderBackup  *self,
                      const char    *id,
                      GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GString) names = NULL;

  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = gander_backup_list (self, error);
  if (list == NULL)
    return NULL;
  if (g_ascii_strcasecmp (id, "latest") == 0)
    {
      if (list->len == 0)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                       _("no backups in %s; take one with `gander backup`"),
                       self->directory);
          return NULL;
        }
      return g_object_ref (g_ptr_array_index (list, 0));
    }

  matches = g_ptr_array_new ();
  for (guint i = 0; i < list->len; i++)
    {
      GanderBackupInfo *info = g_ptr_array_index (list, i);

      if (strcmp (gander_backup_info_get_id (info), id) == 0)
        return g_object_ref (info);
      if (*id != '\0' && g_str_has_prefix (gander_backup_info_get_id (info), id))
        g_ptr_array_add (matches, info);
    }
  if (matches->len == 1)
    return g_object_ref (g_ptr_array_index (matches, 0));
  if (matches->len == 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                   _("no backup %s in %s; `gander backups` lists them"),
                   id, self->directory);
      return NULL;
    }
  names = g_string_new (NULL);
  for (guint i = 0; i < matches->len && i < 5; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            gander_backup_info_get_id (g_ptr_array_index (matches, i)));
  if (matches->len > 5)
    g_string_append (names, ", …");
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
               _("backup id prefix %s is ambiguous in %s: it fits %u backups "
                 "(%s); give more of the id"),
               id, self->directory, matches->len, names->str);
  return NULL;
}

/* Whether @text is exactly a backup id, `YYYYMMDDTHHMMSS.ffffffZ`. */
static gboolean
is_backup_id (const char *text,
              gsize       length)
{
  static const char pattern[] = "dddddddd" "T" "dddddd" "." "dddddd" "Z";

  if (length != sizeof pattern - 1)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (pattern[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != pattern[i])
      return FALSE;
  return TRUE;
}

/* Whether @name is one Gander writes for an archive, `ID.EXT` or the
 * temporary `.ID.EXT.tmp`; *@id_length: the id's length. */
static gboolean
is_archive_name (const char *name,
                 gboolean   *temporary,
                 gsize      *id_length)
{
  gsize length = strlen (name);
  const char *start = name;

  *temporary = name[0] == '.' && g_str_has_suffix (name, ".tmp");
  if (*temporary)
    {
      start = name + 1;
      length -= 1 + strlen (".tmp");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      gsize ext_length = strlen (engines[i].extension);

      if (length > ext_length &&
          strncmp (start + length - ext_length, engines[i].extension, ext_length) == 0 &&
          is_backup_id (start, length - ext_length))
        {
          *id_length = length - ext_length;
          return TRUE;
        }
    }
  return FALSE;
}

/* Archives (and temporary files) a killed run left without manifest, once
 * they are old enough not to belong to a backup being taken. Only names
 * Gander writes are touched (see is_archive_name()), and never a file
 * another process holds an flock on (a backup running now). */
static void
remove_orphans (GanderBackup *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->directory, 0, NULL);
  gint64 now = g_get_real_time ();
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *id = NULL;
      g_autofree char *manifest = NULL;
      gboolean temporary;
      gsize id_length;
      GStatBuf st;
      int fd;

      if (!is_archive_name (name, &temporary, &id_length))
        continue;
      id = g_strndup (temporary ? name + 1 : name, id_length);
      manifest = g_strconcat (self->directory, G_DIR_SEPARATOR_S, id, ".json", NULL);
      if (!temporary && g_file_test (manifest, G_FILE_TEST_EXISTS))
        continue;
      path = g_build_filename (self->directory, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (now - (gint64) st.st_mtime * G_USEC_PER_SEC < ORPHAN_MIN_AGE)
        continue;
      fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          g_debug ("leaving %s alone: a running backup holds it", path);
          close (fd);
          continue;
        }
      g_debug ("removing %s: an archive without manifest, left by an "
               "interrupted backup", path);
      remove_quietly (path);
      close (fd);
    }
}

/**
 * gander_backup_prune:
 * @self: a #GanderBackup
 * @keep: how many of the newest backups to keep; 0: no count limit
 * @max_age: remove backups older than this; 0: no age limit
 * @error: return location for a #GError
 *
 * Removes the backups beyond the newest @keep and those older than
 * @max_age, archive and manifest, but never the newest verified backup (or,
 * when none is verified, the newest one): a prune never leaves zero
 * backups where there was one. Only this database's backups count (see
 * gander_backup_list()); the database is opened for a moment if it is
 * closed, and a prune that cannot tell which database it is fails rather
 * than remove another one's backups. Archives that an interrupted backup
 * left without manifest are removed once they are an hour old; only files
 * named as Gander names them (`ID.sqlite3`, `ID.dump`, `.ID.EXT.tmp` with
 * an id such as `20261130T141500.123456Z`) are ever removed. A directory
 * that is the SQLite database file's own is refused with
 * %GANDER_ERROR_BACKUP.
 *
 * A backup that cannot be removed does not stop the prune: the others are
 * still removed. When at least one backup was removed, the failures are
 * only logged (debug) and the removed ones returned without @error; when
 * every removal failed, the call fails with the first failure.
 *
 * Returns: (transfer container) (element-type GanderBackupInfo): the
 *   removed backups, newest first; %NULL with @error set when the
 *   directory cannot be read, the database cannot be told, or nothing
 *   could be removed of what had to go
 *
 * Since: 0.2
 */
GPtrArray *
gander_backup_prune (GanderBackup  *self,
                     guint          keep,
                     GTimeSpan      max_age,
                     GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GanderBackupInfo *protected = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *db_dir = NULL;
  gboolean known;

  g_return_val_if_fail (GANDER_IS_BACKUP (self), NULL);
  g_return_val_if_fail (max_age >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (self->directory, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&removed);
  identity = find_identity (self, &db_dir, &known, error);
  if (!known)
    {
      g_prefix_error (error, _("cannot prune %s: cannot tell which backups are "
                               "this database's: "), self->directory);
      return NULL;
    }
  if (!check_directory_apart (self, db_dir, error))
    return NULL;
  list = list_directory (self, identity, error);
  if (list == NULL)
    return NULL;
  for (guint i = 0; i < list->len && protected == NULL; i++)
    if (gander_backup_info_get_verified (g_ptr_array_index (list, i)))
      protected = g_ptr_array_index (list, i);
  if (protected == NULL && list->len > 0)
    protected = g_ptr_array_index (list, 0);

  for (guint i = 0; i < list->len; i++)
    {
      GanderBackupInfo *info = g_ptr_array_index (list, i);
      gboolean beyond_keep = keep > 0 && i >= keep;
      gboolean too_old = max_age > 0 &&
        g_date_time_difference (now, gander_backup_info_get_created_at (info)) > max_age;

      if (info == protected || !(beyond_keep || too_old))
        continue;
      /* the manifest first: an archive left alone is an orphan that the
       * next prune removes, a manifest left alone would be listed */
      if (g_unlink (gander_backup_info_get_manifest_path (info)) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_debug ("cannot remove backup manifest %s: %s",
                   gander_backup_info_get_manifest_path (info), g_strerror (saved_errno));
          if (first_error == NULL)
            g_set_error (&first_error, GANDER_ERROR,
                         saved_errno == EACCES || saved_errno == EPERM
                         ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                         _("cannot remove backup manifest %s: %s; check the "
                           "permissions of %s"),
                         gander_backup_info_get_manifest_path (info),
                         g_strerror (saved_errno), self->directory);
          continue;
        }
      if (g_unlink (gander_backup_info_get_path (info)) != 0 && errno != ENOENT)
        g_debug ("cannot remove backup archive %s: %s",
                 gander_backup_info_get_path (info), g_strerror (errno));
      g_debug ("pruned backup %s", gander_backup_info_get_id (info));
      g_ptr_array_add (removed, g_object_ref (info));
    }
  remove_orphans (self);
  if (first_error != NULL && removed->len == 0)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return NULL;
    }
  return g_steal_pointer (&removed);
}
