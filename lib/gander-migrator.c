/* gander-migrator.c: goose Provider semantics over a source and a database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-enum-types.h"
#include "gander-database-private.h"
#include "gander-emitter-private.h"
#include "gander-envsub-private.h"
#include "gander-migration-private.h"
#include "gander-migration-status-private.h"
#include "gander-migrator-private.h"
#include "gander-plan-private.h"
#include "gander-planner-private.h"
#include "gander-sql-parser-private.h"

/**
 * GanderMigrator:
 *
 * Applies and rolls back the migrations of a #GanderSource on a
 * #GanderDatabase with the semantics of goose's Provider API:
 *
 * - the current version is the highest version recorded;
 * - `up` applies every pending migration in ascending order, each in its own
 *   transaction together with its version row (files marked
 *   `NO TRANSACTION` run in autocommit, behind a "running" marker in
 *   Gander's side table so an interruption is detected later);
 * - `down` rolls back the most recently applied migration;
 * - unapplied migrations older than the current version ("missing") are an
 *   error unless #GanderMigrator:allow-missing is set;
 * - every run holds the database's run lock, so concurrent runners apply
 *   each migration exactly once;
 * - the running section of every migration about to run is parsed before
 *   the first one runs, so a malformed file stops the run before it starts;
 *   a malformed section of the other direction, which goose never parses,
 *   is only a #GanderMigrator::warning;
 * - gander_migrator_plan() shows what an operation would do, without doing
 *   it; the operations execute a plan built the same way.
 *
 * When a migration fails the run stops; that migration is rolled back (if it
 * ran in a transaction), the ones before it stay applied, and
 * gander_migrator_get_last_results() lists them followed by the failed one.
 *
 * A migrator runs one operation at a time: starting another one while an
 * operation runs (from another thread, or from a signal handler of the
 * running one) fails at once with %GANDER_ERROR_BUSY. The getters never
 * wait for a running operation: gander_migrator_get_last_results() returns
 * what has run so far.
 *
 * Since: 0.1
 */
struct _GanderMigrator
{
  GObject         parent_instance;

  GanderDatabase *database;
  GanderSource   *source;
  gboolean        allow_missing;
  gboolean        no_versioning;
  gboolean        strict_targets;

  /* Set while an operation runs (atomic): a second one fails with
   * GANDER_ERROR_BUSY instead of waiting, so a handler that calls back
   * into the migrator can never deadlock. */
  gint            running;

  /* Held only for a moment, never across database work or a signal. */
  GMutex          results_mutex;
  GPtrArray      *last_results;

  /* Progress, only touched in the thread that receives signals. */
  gboolean        busy;
  gint64          current_version;
  guint           pending_count;
  double          fraction;

  /* The current version as the last operation left it (run mutex). */
  gint64          last_version;
};

G_DEFINE_FINAL_TYPE (GanderMigrator, gander_migrator, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_SOURCE,
  PROP_ALLOW_MISSING,
  PROP_NO_VERSIONING,
  PROP_STRICT_TARGETS,
  PROP_BUSY,
  PROP_CURRENT_VERSION,
  PROP_PENDING_COUNT,
  PROP_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MIGRATION_STARTED,
  SIGNAL_MIGRATION_FINISHED,
  SIGNAL_EXECUTING_STATEMENT,
  SIGNAL_WARNING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gander_migrator_finalize (GObject *object)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);

  g_clear_object (&self->database);
  g_clear_object (&self->source);
  g_clear_pointer (&self->last_results, g_ptr_array_unref);
  g_mutex_clear (&self->results_mutex);

  G_OBJECT_CLASS (gander_migrator_parent_class)->finalize (object);
}

static void
gander_migrator_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_ALLOW_MISSING:
      g_value_set_boolean (value, self->allow_missing);
      break;
    case PROP_NO_VERSIONING:
      g_value_set_boolean (value, self->no_versioning);
      break;
    case PROP_STRICT_TARGETS:
      g_value_set_boolean (value, self->strict_targets);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_CURRENT_VERSION:
      g_value_set_int64 (value, self->current_version);
      break;
    case PROP_PENDING_COUNT:
      g_value_set_uint (value, self->pending_count);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_migrator_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    case PROP_ALLOW_MISSING:
      gander_migrator_set_allow_missing (self, g_value_get_boolean (value));
      break;
    case PROP_NO_VERSIONING:
      gander_migrator_set_no_versioning (self, g_value_get_boolean (value));
      break;
    case PROP_STRICT_TARGETS:
      gander_migrator_set_strict_targets (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_migrator_class_init (GanderMigratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_migrator_finalize;
  object_class->get_property = gander_migrator_get_property;
  object_class->set_property = gander_migrator_set_property;

  /**
   * GanderMigrator:database:
   *
   * The database migrations are applied to. It is opened on first use.
   *
   * Since: 0.1
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, GANDER_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrator:source:
   *
   * Where the migrations come from.
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, GANDER_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrator:allow-missing:
   *
   * Apply unapplied migrations older than the current version instead of
   * failing with %GANDER_ERROR_MISSING_MIGRATIONS (goose's
   * `-allow-missing`).
   *
   * Since: 0.1
   */
  properties[PROP_ALLOW_MISSING] =
    g_param_spec_boolean ("allow-missing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrator:no-versioning:
   *
   * Run migrations without reading or writing the version table (goose's
   * `-no-versioning`, for seed data): `up` applies every file, `down` rolls
   * back the last file, `down-to` the files above the target.
   *
   * Since: 0.1
   */
  properties[PROP_NO_VERSIONING] =
    g_param_spec_boolean ("no-versioning", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * GanderMigrator:strict-targets:
   *
   * Make `up-to V` and `down-to V` fail with %GANDER_ERROR_NOT_FOUND when
   * no file carries V and the database never recorded it. By default, as
   * goose does, V is a bound (apply everything up to V, roll back
   * everything above it) and the run warns, naming the nearest versions.
   *
   * Since: 0.2
   */
  properties[PROP_STRICT_TARGETS] =
    g_param_spec_boolean ("strict-targets", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * GanderMigrator:busy:
   *
   * Whether an operation is running. Notified in the thread that receives
   * the signals (see gander_migrator_up_async()).
   *
   * Since: 0.1
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrator:current-version:
   *
   * The highest version recorded, as last seen: by a running or finished
   * operation, by gander_migrator_refresh() or by any read-only operation
   * (status, plan, version, has-pending). Call gander_migrator_refresh()
   * (or its async form) once to have it right before anything has run; 0
   * until then.
   *
   * Since: 0.1
   */
  properties[PROP_CURRENT_VERSION] =
    g_param_spec_int64 ("current-version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrator:pending-count:
   *
   * While an operation runs, how many migrations it still has to run.
   * Otherwise how many migration files are not applied (every file with
   * #GanderMigrator:no-versioning), as of the end of the last run, the last
   * gander_migrator_refresh() or the last read-only operation, whichever
   * came last; 0 before any.
   *
   * Since: 0.1
   */
  properties[PROP_PENDING_COUNT] =
    g_param_spec_uint ("pending-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  /**
   * GanderMigrator:fraction:
   *
   * How much of the running operation is done, from 0 to 1.
   *
   * Since: 0.1
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GanderMigrator::migration-started:
   * @self: the migrator
   * @migration: the migration about to run
   * @direction: the direction
   *
   * Emitted before a migration runs.
   *
   * Since: 0.1
   */
  signals[SIGNAL_MIGRATION_STARTED] =
    g_signal_new ("migration-started", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GANDER_TYPE_MIGRATION, GANDER_TYPE_DIRECTION);

  /**
   * GanderMigrator::migration-finished:
   * @self: the migrator
   * @result: what happened
   *
   * Emitted after a migration ran, whether it succeeded or failed.
   *
   * Since: 0.1
   */
  signals[SIGNAL_MIGRATION_FINISHED] =
    g_signal_new ("migration-finished", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GANDER_TYPE_MIGRATION_RESULT);

  /**
   * GanderMigrator::executing-statement:
   * @self: the migrator
   * @migration: the migration
   * @line: the line of the file the statement starts on
   * @sql: the statement
   *
   * Emitted before each statement is sent to the database, for verbose
   * output (goose's `-v`).
   *
   * Since: 0.1
   */
  signals[SIGNAL_EXECUTING_STATEMENT] =
    g_signal_new ("executing-statement", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, GANDER_TYPE_MIGRATION, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * GanderMigrator::warning:
   * @self: the migrator
   * @message: one sentence
   *
   * Emitted when an operation starts, once per warning of its plan (see
   * gander_plan_get_warnings()): something the operation does that its
   * caller may not expect, but that does not stop it. goose's CLI would
   * print such things as `WARN` lines.
   *
   * Since: 0.2
   */
  signals[SIGNAL_WARNING] =
    g_signal_new ("warning", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
gander_migrator_init (GanderMigrator *self)
{
  g_mutex_init (&self->results_mutex);
  self->last_results = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * gander_migrator_new:
 * @database: the database
 * @source: the migrations
 *
 * Creates a migrator that applies the migrations of @source to @database.
 *
 * Returns: (transfer full): a new migrator
 *
 * Since: 0.1
 */
GanderMigrator *
gander_migrator_new (GanderDatabase *database,
                     GanderSource   *source)
{
  g_return_val_if_fail (GANDER_IS_DATABASE (database), NULL);
  g_return_val_if_fail (GANDER_IS_SOURCE (source), NULL);

  return g_object_new (GANDER_TYPE_MIGRATOR,
                       "database", database,
                       "source", source,
                       NULL);
}

/**
 * gander_migrator_get_database:
 * @self: a #GanderMigrator
 *
 * Gets the database.
 *
 * Returns: (transfer none): the database
 *
 * Since: 0.1
 */
GanderDatabase *
gander_migrator_get_database (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  return self->database;
}

/**
 * gander_migrator_get_source:
 * @self: a #GanderMigrator
 *
 * Gets the source.
 *
 * Returns: (transfer none): the source
 *
 * Since: 0.1
 */
GanderSource *
gander_migrator_get_source (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  return self->source;
}

/**
 * gander_migrator_get_allow_missing:
 * @self: a #GanderMigrator
 *
 * Tells whether missing migrations are applied.
 *
 * Returns: whether missing migrations are applied
 *
 * Since: 0.1
 */
gboolean
gander_migrator_get_allow_missing (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  return self->allow_missing;
}

/**
 * gander_migrator_set_allow_missing:
 * @self: a #GanderMigrator
 * @allow_missing: whether to apply missing migrations
 *
 * Sets the #GanderMigrator:allow-missing property.
 *
 * Since: 0.1
 */
void
gander_migrator_set_allow_missing (GanderMigrator *self,
                                   gboolean        allow_missing)
{
  g_return_if_fail (GANDER_IS_MIGRATOR (self));

  allow_missing = !!allow_missing;
  if (self->allow_missing == allow_missing)
    return;
  self->allow_missing = allow_missing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_MISSING]);
}

/**
 * gander_migrator_get_no_versioning:
 * @self: a #GanderMigrator
 *
 * Tells whether the version table is ignored.
 *
 * Returns: whether the version table is ignored
 *
 * Since: 0.1
 */
gboolean
gander_migrator_get_no_versioning (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  return self->no_versioning;
}

/**
 * gander_migrator_set_no_versioning:
 * @self: a #GanderMigrator
 * @no_versioning: whether to ignore the version table
 *
 * Sets the #GanderMigrator:no-versioning property.
 *
 * Since: 0.1
 */
void
gander_migrator_set_no_versioning (GanderMigrator *self,
                                   gboolean        no_versioning)
{
  g_return_if_fail (GANDER_IS_MIGRATOR (self));

  no_versioning = !!no_versioning;
  if (self->no_versioning == no_versioning)
    return;
  self->no_versioning = no_versioning;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NO_VERSIONING]);
}

/**
 * gander_migrator_get_strict_targets:
 * @self: a #GanderMigrator
 *
 * Tells whether unknown up-to/down-to targets are an error.
 *
 * Returns: see #GanderMigrator:strict-targets
 *
 * Since: 0.2
 */
gboolean
gander_migrator_get_strict_targets (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  return self->strict_targets;
}

/**
 * gander_migrator_set_strict_targets:
 * @self: a #GanderMigrator
 * @strict_targets: whether unknown targets are an error
 *
 * Sets #GanderMigrator:strict-targets.
 *
 * Since: 0.2
 */
void
gander_migrator_set_strict_targets (GanderMigrator *self,
                                    gboolean        strict_targets)
{
  g_return_if_fail (GANDER_IS_MIGRATOR (self));

  strict_targets = !!strict_targets;
  if (self->strict_targets == strict_targets)
    return;
  self->strict_targets = strict_targets;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRICT_TARGETS]);
}

/**
 * gander_migrator_get_last_results:
 * @self: a #GanderMigrator
 *
 * The results of the last operation that applied or rolled back
 * migrations, in the order they ran. When that operation failed, the last
 * element is the failed migration, with its error.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): the
 *   results
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_get_last_results (GanderMigrator *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);

  locker = g_mutex_locker_new (&self->results_mutex);
  return g_ptr_array_copy (self->last_results, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

/* Cancellation reaches the caller as G_IO_ERROR_CANCELLED (the GNOME
 * convention), whatever the lower layer that noticed it said. */
static void
normalize_cancelled (GError **error)
{
  if (error == NULL || *error == NULL || !gander_error_is_cancelled (*error) ||
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  (*error)->domain = G_IO_ERROR;
  (*error)->code = G_IO_ERROR_CANCELLED;
}

/* ------------------------------------------------------------------ */
/* One operation at a time                                             */

/* The migrator itself stands for its claim on running an operation. */
typedef GanderMigrator OpClaim;

static void
op_claim_release (OpClaim *self)
{
  g_atomic_int_set (&self->running, 0);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpClaim, op_claim_release)

static OpClaim *
op_claim (GanderMigrator  *self,
          GError         **error)
{
  if (g_atomic_int_compare_and_exchange (&self->running, 0, 1))
    return self;
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_BUSY,
                       _("another operation is running on this migrator; "
                         "wait until it has finished (GanderMigrator:busy "
                         "turns false) and try again"));
  return NULL;
}

#define CLAIM_OR_RETURN(self, error, value) \
  g_autoptr(OpClaim) G_PASTE (claim, __LINE__) = op_claim ((self), (error)); \
  if (G_PASTE (claim, __LINE__) == NULL) \
    return (value)

/* ------------------------------------------------------------------ */
/* Signals and progress, delivered where the caller wants them         */

/* One operation that applies or rolls back migrations. */
typedef struct
{
  /* Where signals and notifications go: the calling thread for
   * synchronous calls, the caller's thread-default context for
   * asynchronous ones. */
  GanderEmitter *emitter;
  GCancellable  *cancellable;
  GError       **error;
  /* The migrator's properties combined with the run's options. */
  gboolean       allow_missing;
  gboolean       no_versioning;
  gboolean       strict_targets;
  const char    *applied_by;
  /* The worker's view of the current version. */
  gint64         version;
} RunContext;

typedef struct
{
  gboolean busy;
  gint64   current_version;
  guint    pending_count;
  double   fraction;
} Progress;

/* Runs where the signals go: the properties only change there. */
static void
set_progress_here (GObject  *object,
                   gpointer  data)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);
  const Progress *p = data;

  g_object_freeze_notify (object);
  if (self->busy != p->busy)
    {
      self->busy = p->busy;
      g_object_notify_by_pspec (object, properties[PROP_BUSY]);
    }
  if (self->current_version != p->current_version)
    {
      self->current_version = p->current_version;
      g_object_notify_by_pspec (object, properties[PROP_CURRENT_VERSION]);
    }
  /* G_MAXUINT: not known (the run failed before reading the database) */
  if (p->pending_count != G_MAXUINT && self->pending_count != p->pending_count)
    {
      self->pending_count = p->pending_count;
      g_object_notify_by_pspec (object, properties[PROP_PENDING_COUNT]);
    }
  if (self->fraction != p->fraction)
    {
      self->fraction = p->fraction;
      g_object_notify_by_pspec (object, properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (object);
}

static void
emit_progress (RunContext *run,
               gboolean    busy,
               guint       pending_count,
               double      fraction)
{
  Progress *p = g_new0 (Progress, 1);

  p->busy = busy;
  p->current_version = run->version;
  p->pending_count = pending_count;
  p->fraction = CLAMP (fraction, 0.0, 1.0);
  gander_emitter_invoke (run->emitter, set_progress_here, p, g_free);
}

/* What current-version and pending-count say at rest: read by refresh()
 * and every read-only operation, computed at the end of a run. */
typedef struct
{
  gint64 current_version;
  guint  pending_count;
} Summary;

static void
set_summary_here (GObject  *object,
                  gpointer  data)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);
  const Summary *summary = data;

  g_object_freeze_notify (object);
  if (self->current_version != summary->current_version)
    {
      self->current_version = summary->current_version;
      g_object_notify_by_pspec (object, properties[PROP_CURRENT_VERSION]);
    }
  if (self->pending_count != summary->pending_count)
    {
      self->pending_count = summary->pending_count;
      g_object_notify_by_pspec (object, properties[PROP_PENDING_COUNT]);
    }
  g_object_thaw_notify (object);
}

/* The files of the source that @applied (version → anything) lacks; every
 * file if NULL (without versioning, `up` always runs them all). */
static guint
count_unapplied (GanderMigrator *self,
                 GHashTable     *applied)
{
  guint n = gander_source_get_n_migrations (self->source);
  guint pending = 0;

  if (applied == NULL)
    return n;
  for (guint i = 0; i < n; i++)
    {
      gint64 v = gander_migration_get_version (gander_source_get_migration (self->source, i));

      if (!g_hash_table_contains (applied, &v))
        pending++;
    }
  return pending;
}

/* Publishes what @state says, in @signal_context (NULL: at once). Called
 * once the operation has given up its claim, so that a notify handler may
 * start the next one. */
static void
publish_summary (GanderMigrator *self,
                 GMainContext   *signal_context,
                 GanderDbState  *state)
{
  g_autoptr(GanderEmitter) emitter = gander_emitter_new (G_OBJECT (self), signal_context);
  Summary *summary = g_new0 (Summary, 1);

  summary->current_version = self->no_versioning ? 0 : state->max_version;
  summary->pending_count = count_unapplied (self, self->no_versioning ? NULL : state->applied);
  gander_emitter_invoke (emitter, set_summary_here, summary, g_free);
}

/* The repair operations (gander-migrator-repair.c) run no plan: they
 * claim the migrator like any operation, say they are busy, and publish
 * what they left behind. */
gboolean
gander_migrator_claim (GanderMigrator  *self,
                       GError         **error)
{
  return op_claim (self, error) != NULL;
}

void
gander_migrator_unclaim (GanderMigrator *self,
                         GanderDbState  *state)
{
  if (state != NULL && state->applied != NULL && !self->no_versioning)
    self->last_version = state->max_version;
  op_claim_release (self);
}

typedef struct
{
  gboolean busy;
  gboolean has_summary;
  Summary  summary;
} BusyUpdate;

static void
set_busy_here (GObject  *object,
               gpointer  data)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);
  const BusyUpdate *update = data;

  g_object_freeze_notify (object);
  if (update->has_summary)
    set_summary_here (object, (gpointer) &update->summary);
  if (self->busy != update->busy)
    {
      self->busy = update->busy;
      g_object_notify_by_pspec (object, properties[PROP_BUSY]);
    }
  g_object_thaw_notify (object);
}

void
gander_migrator_publish_busy (GanderMigrator *self,
                              GanderEmitter  *emitter,
                              gboolean        busy,
                              GanderDbState  *state)
{
  BusyUpdate *update = g_new0 (BusyUpdate, 1);

  update->busy = busy;
  if (state != NULL && state->applied != NULL)
    {
      update->has_summary = TRUE;
      update->summary.current_version = self->no_versioning ? 0 : state->max_version;
      update->summary.pending_count = count_unapplied (self, self->no_versioning ? NULL : state->applied);
    }
  gander_emitter_invoke (emitter, set_busy_here, update, g_free);
}

void
gander_migrator_normalize_cancelled (GError **error)
{
  normalize_cancelled (error);
}

static void
emit_started (RunContext      *run,
              GanderMigration *migration,
              GanderDirection  direction)
{
  GValue args[2] = { G_VALUE_INIT, G_VALUE_INIT };

  g_value_init (&args[0], GANDER_TYPE_MIGRATION);
  g_value_set_object (&args[0], migration);
  g_value_init (&args[1], GANDER_TYPE_DIRECTION);
  g_value_set_enum (&args[1], direction);
  gander_emitter_emit (run->emitter, signals[SIGNAL_MIGRATION_STARTED], 0, 2, args);
  g_value_unset (&args[0]);
  g_value_unset (&args[1]);
}

static void
emit_finished (RunContext            *run,
               GanderMigrationResult *result)
{
  GValue args[1] = { G_VALUE_INIT };

  g_value_init (&args[0], GANDER_TYPE_MIGRATION_RESULT);
  g_value_set_object (&args[0], result);
  gander_emitter_emit (run->emitter, signals[SIGNAL_MIGRATION_FINISHED], 0, 1, args);
  g_value_unset (&args[0]);
}

static void
emit_statement (RunContext      *run,
                GanderMigration *migration,
                guint            line,
                const char      *sql)
{
  GValue args[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };

  g_value_init (&args[0], GANDER_TYPE_MIGRATION);
  g_value_set_object (&args[0], migration);
  g_value_init (&args[1], G_TYPE_UINT);
  g_value_set_uint (&args[1], line);
  g_value_init (&args[2], G_TYPE_STRING);
  g_value_set_string (&args[2], sql);
  gander_emitter_emit (run->emitter, signals[SIGNAL_EXECUTING_STATEMENT], 0, 3, args);
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    g_value_unset (&args[i]);
}

/* ------------------------------------------------------------------ */
/* Running one migration                                               */

/* goose's clearStatement(), for messages only: lines starting with "--"
 * go with the line breaks after them, then empty lines do. The statement
 * sent to the database is never changed. */
static char *
clear_statement (const char *sql)
{
  g_autoptr(GString) pass = g_string_new (NULL);
  GString *out = g_string_new (NULL);
  gsize len;

  for (gsize i = 0, n = strlen (sql); i < n;)
    {
      if ((i == 0 || sql[i - 1] == '\n') && g_str_has_prefix (sql + i, "--"))
        {
          while (i < n && sql[i] != '\n')
            i++;
          while (i < n && (sql[i] == '\r' || sql[i] == '\n'))
            i++;
          continue;
        }
      g_string_append_c (pass, sql[i++]);
    }
  len = pass->len;
  for (gsize i = 0; i < len;)
    {
      if ((i == 0 || pass->str[i - 1] == '\n') && pass->str[i] == '\n')
        {
          while (i < len && (pass->str[i] == '\r' || pass->str[i] == '\n'))
            i++;
          continue;
        }
      g_string_append_c (out, pass->str[i++]);
    }
  return g_string_free (out, FALSE);
}

/* Rewrites a failed migration's error as goose's CLI words it, which
 * operators' log alerts look for ("ERROR 00002_x.sql: failed to run SQL
 * migration: failed to execute SQL query ..."), then Gander's detail
 * (@where: file, line, statement) at the end of the first line, before
 * any DETAIL/HINT lines. @step: goose's words for the failed step, or
 * NULL. */
static void
goose_wrap_run_error (GError          *error,
                      GanderMigration *migration,
                      const char      *step,
                      const char      *where)
{
  const char *message = error->message;
  const char *newline = strchr (message, '\n');
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "ERROR %s: failed to run SQL migration: ",
                          gander_migration_get_name (migration));
  if (step != NULL)
    g_string_append_printf (text, "%s: ", step);
  g_string_append_len (text, message, newline != NULL ? newline - message : (gssize) strlen (message));
  g_string_append_printf (text, "; at %s", where);
  if (newline != NULL)
    g_string_append (text, newline);
  g_free (error->message);
  error->message = g_string_free (text, FALSE);
}

/* goose's words for a failed COMMIT. A backend may defer the version row
 * to the COMMIT's round trip (PostgreSQL's pipeline): its failure is then
 * the row's, as goose would have reported it. */
static const char *
commit_failure_step (const GError *error)
{
  if (g_str_has_prefix (error->message, "failed to insert version "))
    return "failed to insert new goose version";
  if (g_str_has_prefix (error->message, "failed to delete version "))
    return "failed to delete goose version";
  if (g_str_has_prefix (error->message, "failed to "))
    return NULL;
  return "failed to commit transaction";
}

static gboolean
exec_statements (GanderMigrator   *self,
                 RunContext       *run,
                 GanderMigration  *migration,
                 GanderParsedSql  *parsed,
                 GanderDirection   direction,
                 GError          **error)
{
  guint n = gander_parsed_sql_get_n_statements (parsed);
  gboolean verbose = g_signal_has_handler_pending (self, signals[SIGNAL_EXECUTING_STATEMENT], 0, FALSE);

  for (guint i = 0; i < n; i++)
    {
      const char *sql = gander_parsed_sql_get_statement (parsed, i);
      guint line = gander_parsed_sql_get_statement_line (parsed, i);
      g_autoptr(GError) local_error = NULL;

      if (verbose)
        emit_statement (run, migration, line, sql);

      if (!gander_database_exec (self->database, sql, run->cancellable, &local_error))
        {
          g_autofree char *path = gander_migration_dup_display_path (migration);
          g_autofree char *cleared = clear_statement (sql);
          g_autofree char *quoted = gander_go_quote (cleared, strlen (cleared));
          g_autofree char *step = NULL;
          g_autofree char *where = NULL;
          guint inner = gander_database_get_error_line (self->database);

          /* point at the failing line inside a multi-line statement */
          if (inner > 0)
            line += inner - 1;

          step = g_strdup_printf ("failed to execute SQL query %s", quoted);
          where = g_strdup_printf ("%s:%u, migration %" G_GINT64_FORMAT
                                   " (%s), statement %u of %u",
                                   path, line,
                                   gander_migration_get_version (migration),
                                   gander_direction_to_string (direction),
                                   i + 1, n);
          goose_wrap_run_error (local_error, migration, step, where);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  return TRUE;
}

/* @step: set to goose's words when goose's own row write fails */
static gboolean
record (GanderMigrator   *self,
        RunContext       *run,
        GanderMigration  *migration,
        GanderDirection   direction,
        gint64            started,
        const char      **step,
        GError          **error)
{
  gint64 version = gander_migration_get_version (migration);

  if (run->no_versioning)
    return TRUE;

  if (direction == GANDER_DIRECTION_UP)
    {
      GanderSideRow row = { 0, };

      row.version_id = version;
      row.filename = (char *) gander_migration_get_name (migration);
      row.checksum = (char *) gander_migration_get_checksum (migration, error);
      if (row.checksum == NULL)
        return FALSE;
      row.state = GANDER_MIGRATION_STATE_APPLIED;
      row.applied_by = (char *) run->applied_by;
      row.duration_us = g_get_monotonic_time () - started;
      if (!gander_database_insert_version (self->database, version, error))
        {
          *step = "failed to insert new goose version";
          return FALSE;
        }
      return gander_database_write_side_row (self->database, &row, error);
    }

  if (!gander_database_delete_version (self->database, version, error))
    {
      *step = "failed to delete goose version";
      return FALSE;
    }
  return gander_database_delete_side_row (self->database, version, error);
}

static gboolean
mark_running (GanderMigrator   *self,
              RunContext       *run,
              GanderMigration  *migration,
              GError          **error)
{
  GanderSideRow row = { 0, };

  row.version_id = gander_migration_get_version (migration);
  row.filename = (char *) gander_migration_get_name (migration);
  row.checksum = (char *) gander_migration_get_checksum (migration, error);
  if (row.checksum == NULL)
    return FALSE;
  row.state = GANDER_MIGRATION_STATE_RUNNING;
  row.applied_by = (char *) run->applied_by;
  return gander_database_write_side_row (self->database, &row, error);
}

static void emit_warning (RunContext *run,
                          const char *message);

/* A Down section that does not exist undoes nothing: say so, so nobody
 * believes the schema went back with the version. */
static void
warn_no_down_section (RunContext      *run,
                      GanderMigration *migration)
{
  g_autofree char *path = gander_migration_dup_display_path (migration);
  g_autofree char *message =
    g_strdup_printf (_("%s has no '-- +goose Down' section: only the version row of "
                       "migration %" PRId64 " was removed; the database's schema is "
                       "unchanged"),
                     path, gander_migration_get_version (migration));

  emit_warning (run, message);
}


/* goose's -v trace of a migration's transaction ("Begin transaction", …):
 * a debug message marked GANDER_TRACE=goose, which the CLI shows for -v;
 * the library's other debug messages stay behind G_MESSAGES_DEBUG. */
static void
goose_trace (const char *message)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG,
                    "GANDER_TRACE", "goose",
                    "MESSAGE", "%s", message);
}

static gboolean
run_migration (GanderMigrator   *self,
               RunContext       *run,
               GanderPlanStep   *step,
               GError          **error)
{
  GanderMigration *migration = gander_plan_step_get_migration (step);
  GanderDirection direction = gander_plan_step_get_direction (step);
  GanderParsedSql *parsed = gander_plan_step_get_parsed (step);
  g_autoptr(GanderMigrationResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  GCancellable *cancellable = run->cancellable;
  gint64 started;
  gboolean ok;
  gboolean statements_failed = FALSE;
  const char *goose_step = NULL;   /* goose's words for a failed BEGIN, row, COMMIT */
  gboolean empty;

  empty = gander_parsed_sql_get_n_statements (parsed) == 0;

  emit_started (run, migration, direction);
  started = g_get_monotonic_time ();

  if (gander_parsed_sql_get_use_transaction (parsed))
    {
      goose_trace ("Begin transaction");
      ok = gander_database_begin (self->database, cancellable, &local_error);
      if (ok)
        {
          ok = exec_statements (self, run, migration, parsed, direction, &local_error);
          statements_failed = !ok;
        }
      else
        goose_step = "failed to begin transaction";
      ok = ok && record (self, run, migration, direction, started, &goose_step, &local_error);
      if (ok)
        goose_trace ("Commit transaction");
      if (ok && !gander_database_commit (self->database, &local_error))
        {
          ok = FALSE;
          goose_step = commit_failure_step (local_error);
        }
      if (!ok)
        {
          goose_trace ("Rollback transaction");
          gander_database_rollback (self->database, NULL);
        }
    }
  else
    {
      /* Autocommit: each statement is final as soon as it ran. The marker
       * written first stays behind if we never reach the end. */
      ok = run->no_versioning || mark_running (self, run, migration, &local_error);
      if (ok)
        {
          ok = exec_statements (self, run, migration, parsed, direction, &local_error);
          statements_failed = !ok;
        }
      if (ok && !run->no_versioning)
        {
          ok = gander_database_begin (self->database, cancellable, &local_error);
          if (!ok)
            goose_step = "failed to begin transaction";
          ok = ok && record (self, run, migration, direction, started, &goose_step, &local_error);
          if (ok && !gander_database_commit (self->database, &local_error))
            {
              ok = FALSE;
              goose_step = commit_failure_step (local_error);
            }
          if (!ok)
            gander_database_rollback (self->database, NULL);
        }
    }

  /* A statement's error already names file, line and statement; a failure
   * around it (BEGIN, the version row, COMMIT) must still say which
   * migration it happened to, in goose's words first. */
  if (!ok && !statements_failed && local_error != NULL)
    {
      g_autofree char *path = gander_migration_dup_display_path (migration);
      g_autofree char *where = g_strdup_printf ("%s, migration %" G_GINT64_FORMAT " (%s)",
                                                path, gander_migration_get_version (migration),
                                                gander_direction_to_string (direction));

      goose_wrap_run_error (local_error, migration, goose_step, where);
    }

  normalize_cancelled (&local_error);
  result = gander_migration_result_new (migration, direction,
                                        g_get_monotonic_time () - started,
                                        empty, local_error);
  g_mutex_lock (&self->results_mutex);
  g_ptr_array_add (self->last_results, g_object_ref (result));
  g_mutex_unlock (&self->results_mutex);
  emit_finished (run, result);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (direction == GANDER_DIRECTION_DOWN && !run->no_versioning &&
      !gander_parsed_sql_has_down_annotation (parsed))
    warn_no_down_section (run, migration);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Running a plan                                                      */

static GanderPlanOptions
plan_options (GanderMigrator *self,
              const char     *side_table)
{
  GanderPlanOptions options = { 0, };

  options.allow_missing = self->allow_missing;
  options.no_versioning = self->no_versioning;
  options.strict_targets = self->strict_targets;
  options.side_table = side_table;
  return options;
}

static GanderPlan *
build_plan (GanderMigrator           *self,
            GanderDbState            *state,
            const GanderPlanOptions  *options,
            GanderPlanOperation       operation,
            gint64                    target)
{
  g_autofree char *side_table = gander_database_dup_side_table_name (self->database);
  GanderPlanOptions with_table = *options;

  with_table.side_table = side_table;
  return gander_planner_build (state, self->source, &with_table, operation, target);
}

static void
emit_warning (RunContext *run,
              const char *message)
{
  GValue args[1] = { G_VALUE_INIT };

  g_value_init (&args[0], G_TYPE_STRING);
  g_value_set_string (&args[0], message);
  gander_emitter_emit (run->emitter, signals[SIGNAL_WARNING], 0, 1, args);
  g_value_unset (&args[0]);
}

static gboolean
run_plan (GanderMigrator  *self,
          RunContext      *run,
          GanderPlan      *plan,
          GanderDbState   *state,
          GError         **error)
{
  guint n = gander_plan_get_n_steps (plan);
  const char * const *warnings = gander_plan_get_warnings (plan);

  for (guint i = 0; warnings[i] != NULL; i++)
    emit_warning (run, warnings[i]);
  if (!gander_plan_check (plan, error))
    return FALSE;

  /* The tables are created only now, once every file of the plan parsed:
   * a malformed migration leaves a new database untouched. */
  if (n > 0 && !run->no_versioning &&
      !gander_database_ensure_version_table (self->database, run->cancellable, error))
    return FALSE;

  emit_progress (run, TRUE, n, 0.0);
  for (guint i = 0; i < n; i++)
    {
      GanderPlanStep *step = gander_plan_get_step (plan, i);
      gint64 v = gander_plan_step_get_version (step);

      if (g_cancellable_is_cancelled (run->cancellable))
        {
          gander_set_cancelled_error (error,
                                      _("cancelled before migration %" PRId64 " (%s); "
                                        "%u of %u migrations ran"),
                                      v, gander_plan_step_get_name (step), i, n);
          return FALSE;
        }
      if (!run_migration (self, run, step, error))
        return FALSE;

      if (!run->no_versioning && state->applied != NULL)
        {
          if (gander_plan_step_get_direction (step) == GANDER_DIRECTION_UP)
            run->version = MAX (run->version, v);
          else
            {
              gander_db_state_forget (state, v);
              run->version = gander_db_state_max_applied (state);
            }
        }
      emit_progress (run, TRUE, n - i - 1, (double) (i + 1) / n);
    }
  return TRUE;
}

/* open, lock, read the state */
static gboolean
begin_run (GanderMigrator  *self,
           RunContext      *run,
           gboolean        *locked,
           GanderDbState   *state,
           GError         **error)
{
  *locked = FALSE;
  emit_progress (run, TRUE, G_MAXUINT, 0.0);

  if (!gander_database_open (self->database, run->cancellable, error))
    return FALSE;
  if (run->no_versioning)
    return TRUE;
  if (!gander_database_lock (self->database, run->cancellable, error))
    return FALSE;
  *locked = TRUE;
  if (!gander_db_state_load (state, self->database, error))
    return FALSE;
  run->version = state->max_version;
  return TRUE;
}

static void
end_run (GanderMigrator *self,
         RunContext     *run,
         gboolean        locked,
         guint           pending_at_rest)
{
  g_autoptr(GError) error = NULL;

  /* A lost connection released the lock with its session: nothing to
   * warn about (the run's own error says what happened). */
  if (locked && !gander_database_unlock (self->database, &error))
    {
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONNECTION))
        g_debug ("could not release the migration lock: %s", error->message);
      else
        g_warning ("could not release the migration lock: %s", error->message);
    }
  /* Done with the connection: a handler of the last notification may
   * start the next operation. */
  self->last_version = run->version;
  op_claim_release (self);
  emit_progress (run, FALSE, pending_at_rest, 1.0);
}

/* open and read the state, without the lock: for read-only queries.
 * Gander's side table only where it matters (status): the current version
 * and has-pending read goose's table alone. */
static gboolean
read_state (GanderMigrator  *self,
            GanderDbState   *state,
            gboolean         with_side_rows,
            GCancellable    *cancellable,
            GError         **error)
{
  if (!gander_database_open (self->database, cancellable, error) ||
      (!self->no_versioning &&
       !gander_db_state_load_full (state, self->database, with_side_rows, error)))
    {
      normalize_cancelled (error);
      return FALSE;
    }
  if (self->no_versioning)
    return TRUE;
  self->last_version = state->max_version;
  return TRUE;
}

/* How many files are pending once a run is over: the applied set read at
 * its start, changed by what its results did (G_MAXUINT if the state was
 * never read). */
static guint
pending_after_run (GanderMigrator *self,
                   RunContext     *run,
                   GanderDbState  *state)
{
  g_autoptr(GHashTable) applied = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  GHashTableIter iter;
  gpointer key;

  if (run->no_versioning)
    return gander_source_get_n_migrations (self->source);
  if (state->applied == NULL)
    return G_MAXUINT;
  applied = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, state->applied);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (applied, g_memdup2 (key, sizeof (gint64)));

  locker = g_mutex_locker_new (&self->results_mutex);
  for (guint i = 0; i < self->last_results->len; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (self->last_results, i);
      gint64 v = gander_migration_result_get_version (r);

      if (gander_migration_result_get_error (r) != NULL)
        continue;
      if (gander_migration_result_get_direction (r) == GANDER_DIRECTION_UP)
        g_hash_table_add (applied, g_memdup2 (&v, sizeof v));
      else
        g_hash_table_remove (applied, &v);
    }
  return count_unapplied (self, applied);
}

static GPtrArray *
results_copy (GanderMigrator *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->results_mutex);

  return g_ptr_array_copy (self->last_results, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

static void
results_reset (GanderMigrator *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->results_mutex);

  g_ptr_array_set_size (self->last_results, 0);
}

/* The state is read under the run lock and planned exactly as
 * gander_migrator_plan() plans; the plan is then executed. */
static GPtrArray *
do_run (GanderMigrator      *self,
        RunContext          *run,
        GanderPlanOperation  operation,
        gint64               target)
{
  g_auto(GanderDbState) state = { 0, };
  g_autoptr(GanderPlan) plan = NULL;
  gboolean locked = FALSE;
  gboolean ok;

  results_reset (self);
  ok = begin_run (self, run, &locked, &state, run->error);
  if (ok)
    {
      GanderPlanOptions options = { 0, };

      options.allow_missing = run->allow_missing;
      options.no_versioning = run->no_versioning;
      options.strict_targets = run->strict_targets;
      plan = build_plan (self, &state, &options, operation, target);
      ok = run_plan (self, run, plan, &state, run->error);
    }
  end_run (self, run, locked, pending_after_run (self, run, &state));
  return ok ? results_copy (self) : NULL;
}

static gboolean
check_target (GanderPlanOperation   operation,
              gint64                target,
              GError              **error)
{
  if (operation == GANDER_PLAN_OPERATION_UP_TO && target < 1)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "version must be greater than 0 (got %" G_GINT64_FORMAT ")", target);
      return FALSE;
    }
  if (operation == GANDER_PLAN_OPERATION_DOWN_TO && target < 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "invalid version: must be a valid number or zero: %" G_GINT64_FORMAT,
                   target);
      return FALSE;
    }
  if ((guint) operation > GANDER_PLAN_OPERATION_RESET)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("unknown operation %d"), (int) operation);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Public operations                                                   */

GPtrArray *
gander_migrator_execute (GanderMigrator           *self,
                         GanderPlanOperation       operation,
                         gint64                    version,
                         const GanderRunSettings  *settings,
                         GMainContext             *signal_context,
                         GCancellable         *cancellable,
                         GError              **error)
{
  RunContext run = { 0, };
  GPtrArray *results;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_target (operation, version, error))
    return NULL;
  if (op_claim (self, error) == NULL)
    return NULL;
  run.emitter = gander_emitter_new (G_OBJECT (self), signal_context);
  run.cancellable = cancellable;
  run.version = self->last_version;
  run.error = error;
  run.allow_missing = self->allow_missing || (settings != NULL && settings->allow_missing);
  run.no_versioning = self->no_versioning || (settings != NULL && settings->no_versioning);
  run.strict_targets = self->strict_targets || (settings != NULL && settings->strict_targets);
  run.applied_by = settings != NULL && settings->applied_by != NULL
    ? settings->applied_by : gander_database_applied_by ();

  if (operation == GANDER_PLAN_OPERATION_UP || operation == GANDER_PLAN_OPERATION_UP_BY_ONE ||
      operation == GANDER_PLAN_OPERATION_REDO || operation == GANDER_PLAN_OPERATION_RESET)
    version = 0;
  results = do_run (self, &run, operation, version);

  /* end_run() released the claim */
  gander_emitter_unref (run.emitter);
  normalize_cancelled (error);
  return results;
}


void
gander_run_settings_init (GanderRunSettings *settings,
                          GanderRunOptions  *options)
{
  memset (settings, 0, sizeof *settings);
  if (options == NULL)
    return;
  settings->applied_by = g_strdup (gander_run_options_get_applied_by (options));
  settings->reason = g_strdup (gander_run_options_get_reason (options));
  settings->allow_missing = gander_run_options_get_allow_missing (options);
  settings->strict_targets = gander_run_options_get_strict_targets (options);
  settings->no_versioning = gander_run_options_get_no_versioning (options);
}

void
gander_run_settings_clear (GanderRunSettings *settings)
{
  g_clear_pointer (&settings->applied_by, g_free);
  g_clear_pointer (&settings->reason, g_free);
}

/**
 * gander_migrator_run:
 * @self: a #GanderMigrator
 * @operation: what to do
 * @target: the version for %GANDER_PLAN_OPERATION_UP_TO and
 *   %GANDER_PLAN_OPERATION_DOWN_TO; ignored otherwise
 * @options: (nullable): settings for this run; %NULL for the defaults
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs @operation: builds its plan under the run lock, exactly as
 * gander_migrator_plan() would, and executes it. The per-operation
 * functions (gander_migrator_up() and the others) are this with default
 * options. The switches of @options add to the migrator's properties.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): one
 *   result per migration run, in order, or %NULL on error
 *
 * Since: 0.2
 */
GPtrArray *
gander_migrator_run (GanderMigrator       *self,
                     GanderPlanOperation   operation,
                     gint64                target,
                     GanderRunOptions     *options,
                     GCancellable         *cancellable,
                     GError              **error)
{
  g_auto(GanderRunSettings) settings = { 0, };

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), NULL);

  gander_run_settings_init (&settings, options);
  return gander_migrator_execute (self, operation, target, &settings, NULL, cancellable, error);
}

/**
 * gander_migrator_up:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Applies every pending migration, ascending.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): one
 *   result per migration applied (empty when nothing was pending), or
 *   %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_up (GanderMigrator  *self,
                    GCancellable    *cancellable,
                    GError         **error)
{
  return gander_migrator_execute (self, GANDER_PLAN_OPERATION_UP, 0, NULL, NULL, cancellable, error);
}

/**
 * gander_migrator_up_by_one:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Applies the next pending migration; %GANDER_ERROR_NO_NEXT_VERSION when
 * none is pending.
 *
 * Returns: (transfer full): the result, or %NULL on error
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migrator_up_by_one (GanderMigrator  *self,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_autoptr(GPtrArray) results = NULL;

  results = gander_migrator_execute (self, GANDER_PLAN_OPERATION_UP_BY_ONE, 0, NULL, NULL, cancellable, error);
  if (results == NULL)
    return NULL;
  return g_object_ref (g_ptr_array_index (results, 0));
}

/**
 * gander_migrator_up_to:
 * @self: a #GanderMigrator
 * @version: the last version to apply; must be a version of the source
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Applies pending migrations up to and including @version. Unlike goose,
 * a @version that no migration carries is an error
 * (%GANDER_ERROR_NOT_FOUND): a mistyped timestamp would otherwise apply
 * everything.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): the
 *   results, or %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_up_to (GanderMigrator  *self,
                       gint64           version,
                       GCancellable    *cancellable,
                       GError         **error)
{
  return gander_migrator_execute (self, GANDER_PLAN_OPERATION_UP_TO, version, NULL, NULL, cancellable, error);
}

/**
 * gander_migrator_down:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Rolls back the most recently applied migration.
 *
 * Returns: (transfer full): the result, or %NULL on error
 *   (%GANDER_ERROR_NO_NEXT_VERSION at version 0)
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migrator_down (GanderMigrator  *self,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autoptr(GPtrArray) results = NULL;

  results = gander_migrator_execute (self, GANDER_PLAN_OPERATION_DOWN, 0, NULL, NULL, cancellable, error);
  if (results == NULL)
    return NULL;
  return g_object_ref (g_ptr_array_index (results, 0));
}

/**
 * gander_migrator_down_to:
 * @self: a #GanderMigrator
 * @version: the version to stop at (it stays applied); 0 rolls back all
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Rolls back applied migrations newer than @version, most recently applied
 * first.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): the
 *   results, or %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_down_to (GanderMigrator  *self,
                         gint64           version,
                         GCancellable    *cancellable,
                         GError         **error)
{
  return gander_migrator_execute (self, GANDER_PLAN_OPERATION_DOWN_TO, version, NULL, NULL, cancellable, error);
}

/**
 * gander_migrator_redo:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Rolls back the most recently applied migration and applies it again.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): the
 *   down and the up result, or %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_redo (GanderMigrator  *self,
                      GCancellable    *cancellable,
                      GError         **error)
{
  return gander_migrator_execute (self, GANDER_PLAN_OPERATION_REDO, 0, NULL, NULL, cancellable, error);
}

/**
 * gander_migrator_reset:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Rolls back every applied migration.
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): the
 *   results, or %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_reset (GanderMigrator  *self,
                       GCancellable    *cancellable,
                       GError         **error)
{
  return gander_migrator_execute (self, GANDER_PLAN_OPERATION_RESET, 0, NULL, NULL, cancellable, error);
}

/* Hashing the files is most of status's own work, and it does not depend
 * on the database: a second thread hashes from the last file down while
 * this one reads the version tables and then walks up from the first file,
 * finding the rest done. GanderMigration locks each file: whoever gets
 * there first reads it, once. */
typedef struct
{
  GanderSource *source;
  GThread      *thread;
  gint          stop;
} ChecksumPrefetch;

static gpointer
prefetch_checksums (gpointer data)
{
  ChecksumPrefetch *prefetch = data;

  for (guint i = gander_source_get_n_migrations (prefetch->source);
       i > 0 && !g_atomic_int_get (&prefetch->stop); i--)
    {
      /* an unreadable file is status's to report, or not */
      gander_migration_get_checksum (gander_source_get_migration (prefetch->source, i - 1),
                                     NULL);
    }
  return NULL;
}

static void
checksum_prefetch_start (ChecksumPrefetch *prefetch,
                         GanderSource     *source)
{
  prefetch->source = source;
  prefetch->stop = 0;
  prefetch->thread = g_thread_new ("gander-checksums", prefetch_checksums, prefetch);
}

static void
checksum_prefetch_stop (ChecksumPrefetch *prefetch)
{
  if (prefetch->thread == NULL)
    return;
  g_atomic_int_set (&prefetch->stop, 1);
  g_clear_pointer (&prefetch->thread, g_thread_join);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChecksumPrefetch, checksum_prefetch_stop)

/**
 * gander_migrator_status:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The state of every migration file, ascending. Reads the database in two
 * queries and never writes to it: a database without a version table shows
 * every migration as pending.
 *
 * Returns: (transfer container) (element-type GanderMigrationStatus): one
 *   entry per migration file, or %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_status (GanderMigrator  *self,
                        GCancellable    *cancellable,
                        GError         **error)
{
  return gander_migrator_status_in (self, NULL, cancellable, error);
}

/**
 * gander_migrator_status_full:
 * @self: a #GanderMigrator
 * @flags: what to report besides the migration files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like gander_migrator_status(); with %GANDER_STATUS_FLAGS_ORPHANS the
 * result also holds, sorted in by version, one
 * %GANDER_MIGRATION_STATE_MISSING entry for every version the database
 * records as applied that no migration file carries (goose's `status`
 * never shows those). When the checksum recorded for such a version
 * matches a pending file, gander_migration_status_get_renamed_to() names
 * that file: it was most likely renamed after it ran, and `up` would run
 * it again.
 *
 * Returns: (transfer container) (element-type GanderMigrationStatus): the
 *   entries, ascending by version, or %NULL on error
 *
 * Since: 0.2
 */
GPtrArray *
gander_migrator_status_full (GanderMigrator     *self,
                             GanderStatusFlags   flags,
                             GCancellable       *cancellable,
                             GError            **error)
{
  return gander_migrator_status_full_in (self, flags, NULL, cancellable, error);
}

static int
compare_status_version (gconstpointer a,
                        gconstpointer b)
{
  gint64 va = gander_migration_status_get_version (*(GanderMigrationStatus **) a);
  gint64 vb = gander_migration_status_get_version (*(GanderMigrationStatus **) b);

  return va < vb ? -1 : va > vb ? 1 : 0;
}

/* The pending file whose content has @checksum (a renamed migration). */
static const char *
pending_file_with_checksum (GPtrArray  *entries,
                            const char *checksum)
{
  if (checksum == NULL || checksum[0] == '\0')
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      GanderMigrationStatus *s = g_ptr_array_index (entries, i);
      GanderMigration *m = gander_migration_status_get_migration (s);
      const char *current;

      if (m == NULL || gander_migration_status_get_state (s) != GANDER_MIGRATION_STATE_PENDING)
        continue;
      current = gander_migration_get_checksum (m, NULL);
      if (current != NULL && g_strcmp0 (current, checksum) == 0)
        return gander_migration_status_get_name (s);
    }
  return NULL;
}

/* Adds a MISSING entry for every applied version without a file. */
static void
add_orphans (GanderMigrator *self,
             GanderDbState  *state,
             GPtrArray      *entries)
{
  GHashTableIter iter;
  gpointer key, value;
  guint n_files = entries->len;

  if (self->no_versioning || state->applied == NULL)
    return;
  g_hash_table_iter_init (&iter, state->applied);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 v = *(gint64 *) key;
      GanderVersionRow *row = value;
      GanderSideRow *side;

      /* version 0 is goose's own initial row, never a migration */
      if (v == 0 || gander_source_lookup (self->source, v) != NULL)
        continue;
      side = state->side != NULL ? g_hash_table_lookup (state->side, &v) : NULL;
      g_ptr_array_add (entries,
                       gander_migration_status_new_missing (
                         v,
                         side != NULL ? side->filename : NULL,
                         row->tstamp,
                         side != NULL ? side->checksum : NULL,
                         side != NULL ? pending_file_with_checksum (entries, side->checksum) : NULL));
    }
  if (entries->len > n_files)
    g_ptr_array_sort (entries, compare_status_version);
}

static GPtrArray *
status_claimed (GanderMigrator  *self,
                GanderDbState   *state,
                GCancellable    *cancellable,
                GError         **error)
{
  g_auto(ChecksumPrefetch) prefetch = { NULL, NULL, 0 };
  g_autoptr(GPtrArray) entries = NULL;
  guint n;

  CLAIM_OR_RETURN (self, error, NULL);
  /* a thread costs more than hashing a handful of small files */
  if (!self->no_versioning && gander_source_get_n_migrations (self->source) >= 8)
    checksum_prefetch_start (&prefetch, self->source);
  if (!read_state (self, state, TRUE, cancellable, error))
    return NULL;

  n = gander_source_get_n_migrations (self->source);
  entries = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      GanderMigration *m = gander_source_get_migration (self->source, i);
      gint64 v = gander_migration_get_version (m);
      GanderVersionRow *row = NULL;
      GanderSideRow *side = NULL;
      GanderMigrationState st = GANDER_MIGRATION_STATE_PENDING;
      const char *recorded = NULL;
      gboolean modified = FALSE;

      if (!self->no_versioning)
        {
          row = g_hash_table_lookup (state->applied, &v);
          side = g_hash_table_lookup (state->side, &v);
        }
      if (row != NULL)
        st = GANDER_MIGRATION_STATE_APPLIED;
      if (side != NULL && side->state == GANDER_MIGRATION_STATE_RUNNING)
        st = GANDER_MIGRATION_STATE_RUNNING;
      /* A side row outlives a rollback done by goose: only trust it while
       * the version is applied (or running). */
      if (side != NULL && st != GANDER_MIGRATION_STATE_PENDING)
        {
          const char *current;

          recorded = side->checksum;
          current = gander_migration_get_checksum (m, NULL);
          modified = current != NULL && g_strcmp0 (current, recorded) != 0;
        }

      g_ptr_array_add (entries,
                       gander_migration_status_new (m, st,
                                                    row != NULL ? row->tstamp : NULL,
                                                    recorded, modified));
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
gander_migrator_status_in (GanderMigrator  *self,
                           GMainContext    *signal_context,
                           GCancellable    *cancellable,
                           GError         **error)
{
  return gander_migrator_status_full_in (self, GANDER_STATUS_FLAGS_NONE,
                                         signal_context, cancellable, error);
}

GPtrArray *
gander_migrator_status_full_in (GanderMigrator     *self,
                                GanderStatusFlags   flags,
                                GMainContext       *signal_context,
                                GCancellable       *cancellable,
                                GError            **error)
{
  g_auto(GanderDbState) state = { 0, };
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = status_claimed (self, &state, cancellable, error);
  if (entries == NULL)
    return NULL;
  if (flags & GANDER_STATUS_FLAGS_ORPHANS)
    add_orphans (self, &state, entries);
  publish_summary (self, signal_context, &state);
  return g_steal_pointer (&entries);
}

/**
 * gander_migrator_plan:
 * @self: a #GanderMigrator
 * @operation: the operation to plan
 * @target: the version for %GANDER_PLAN_OPERATION_UP_TO and
 *   %GANDER_PLAN_OPERATION_DOWN_TO; ignored otherwise
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Works out what @operation would do now, without doing it (a dry run):
 * reads the database like gander_migrator_status() does, takes no lock and
 * never writes (a new database stays without a version table). The
 * operations of the migrator build their plan the same way, under the
 * run lock, and execute it.
 *
 * That the operation would be refused (missing migrations, a dirty
 * database, a malformed file, nothing to roll back) is not an error
 * here: the plan says so (gander_plan_get_can_run()).
 *
 * Returns: (transfer full): the plan, or %NULL when the database cannot
 *   be read or @target is invalid
 *
 * Since: 0.2
 */
GanderPlan *
gander_migrator_plan (GanderMigrator       *self,
                      GanderPlanOperation   operation,
                      gint64                target,
                      GCancellable         *cancellable,
                      GError              **error)
{
  return gander_migrator_plan_in (self, operation, target, NULL, cancellable, error);
}

GanderPlan *
gander_migrator_plan_in (GanderMigrator       *self,
                         GanderPlanOperation   operation,
                         gint64                target,
                         GMainContext         *signal_context,
                         GCancellable         *cancellable,
                         GError              **error)
{
  return gander_migrator_plan_with (self, operation, target, NULL, signal_context,
                                    cancellable, error);
}

GanderPlan *
gander_migrator_plan_with (GanderMigrator           *self,
                           GanderPlanOperation       operation,
                           gint64                    target,
                           const GanderRunSettings  *settings,
                           GMainContext             *signal_context,
                           GCancellable             *cancellable,
                           GError                  **error)
{
  g_auto(GanderDbState) state = { 0, };
  GanderPlan *plan;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_target (operation, target, error))
    return NULL;
  if (operation != GANDER_PLAN_OPERATION_UP_TO && operation != GANDER_PLAN_OPERATION_DOWN_TO)
    target = 0;

  {
    CLAIM_OR_RETURN (self, error, NULL);
    if (!read_state (self, &state, TRUE, cancellable, error))
      return NULL;
    GanderPlanOptions options = plan_options (self, NULL);

    /* the run's switches add to the migrator's, as gander_migrator_execute() does */
    if (settings != NULL)
      {
        options.allow_missing = options.allow_missing || settings->allow_missing;
        options.no_versioning = options.no_versioning || settings->no_versioning;
        options.strict_targets = options.strict_targets || settings->strict_targets;
      }
    plan = build_plan (self, &state, &options, operation, target);
  }
  publish_summary (self, signal_context, &state);
  return plan;
}

/**
 * gander_migrator_get_db_version:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The current version as goose's Provider defines it: the highest version
 * in the version table. A database without the table is at version 0.
 * Not available with #GanderMigrator:no-versioning.
 *
 * The value is returned directly, so that bindings see a plain number:
 * `-1` means failure and @error says why (a version is never negative).
 * Until 0.2 the version came through an out parameter and the return
 * value only said whether the call succeeded.
 *
 * Returns: the highest version recorded, 0 when none, or -1 on error
 *
 * Since: 0.1
 */
gint64
gander_migrator_get_db_version (GanderMigrator  *self,
                                GCancellable    *cancellable,
                                GError         **error)
{
  return gander_migrator_get_db_version_in (self, NULL, cancellable, error);
}

gint64
gander_migrator_get_db_version_in (GanderMigrator  *self,
                                   GMainContext    *signal_context,
                                   GCancellable    *cancellable,
                                   GError         **error)
{
  g_auto(GanderDbState) state = { 0, };

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), -1);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    CLAIM_OR_RETURN (self, error, -1);
    if (self->no_versioning)
      {
        g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                             "the database version is not tracked when versioning is disabled");
        return -1;
      }
    if (!read_state (self, &state, FALSE, cancellable, error))
      return -1;
  }
  publish_summary (self, signal_context, &state);
  return state.max_version;
}

/**
 * gander_migrator_has_pending:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Whether migrations are pending, that is whether `up` would apply
 * something. Like goose's Provider, missing (out-of-order) migrations are
 * an error unless allow-missing is set.
 *
 * The answer is the return value, so that `if (migrator.has_pending(null))`
 * reads naturally in every language; on error the result is %FALSE and
 * @error is set (bindings raise it). Until 0.2 the answer came through an
 * out parameter and the return value only said whether the call succeeded.
 *
 * Returns: %TRUE if migrations are pending, %FALSE if none are or on error
 *
 * Since: 0.1
 */
gboolean
gander_migrator_has_pending (GanderMigrator  *self,
                             GCancellable    *cancellable,
                             GError         **error)
{
  return gander_migrator_has_pending_in (self, NULL, cancellable, error);
}

gboolean
gander_migrator_has_pending_in (GanderMigrator  *self,
                                GMainContext    *signal_context,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_auto(GanderDbState) state = { 0, };
  g_autoptr(GPtrArray) plan = NULL;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    CLAIM_OR_RETURN (self, error, FALSE);
    if (!read_state (self, &state, FALSE, cancellable, error))
      return FALSE;
  }
  /* the properties are right even when the plan is refused (missing
   * migrations): they say what the database holds */
  publish_summary (self, signal_context, &state);
  {
    GanderPlanOptions options = plan_options (self, NULL);

    plan = gander_planner_plan_up (&state, self->source, &options, G_MAXINT64, error);
  }
  if (plan == NULL)
    return FALSE;
  return plan->len > 0;
}

/**
 * gander_migrator_refresh:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the database's state and updates #GanderMigrator:current-version
 * and #GanderMigrator:pending-count, so that they are right before any
 * operation has run (a user interface can show them at once). Like
 * gander_migrator_status(), it takes no lock and never writes: a database
 * without a version table is at version 0 with every file pending, and
 * stays without one. Every read-only operation (status, plan, version,
 * has-pending) updates the two properties the same way.
 *
 * The properties are notified in the calling thread, after the database
 * has been read; starting another operation from such a handler is fine.
 *
 * Returns: %TRUE on success, %FALSE if the database cannot be read
 *
 * Since: 0.2
 */
gboolean
gander_migrator_refresh (GanderMigrator  *self,
                         GCancellable    *cancellable,
                         GError         **error)
{
  return gander_migrator_refresh_in (self, NULL, cancellable, error);
}

gboolean
gander_migrator_refresh_in (GanderMigrator  *self,
                            GMainContext    *signal_context,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_auto(GanderDbState) state = { 0, };

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    CLAIM_OR_RETURN (self, error, FALSE);
    if (!read_state (self, &state, FALSE, cancellable, error))
      return FALSE;
  }
  publish_summary (self, signal_context, &state);
  return TRUE;
}

/**
 * gander_migrator_get_busy:
 * @self: a #GanderMigrator
 *
 * Tells whether an operation is running (see #GanderMigrator:busy).
 *
 * Returns: whether an operation is running (see #GanderMigrator:busy)
 *
 * Since: 0.1
 */
gboolean
gander_migrator_get_busy (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  return self->busy;
}

/**
 * gander_migrator_get_current_version:
 * @self: a #GanderMigrator
 *
 * Gets #GanderMigrator:current-version.
 *
 * Returns: see #GanderMigrator:current-version
 *
 * Since: 0.1
 */
gint64
gander_migrator_get_current_version (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), 0);
  return self->current_version;
}

/**
 * gander_migrator_get_pending_count:
 * @self: a #GanderMigrator
 *
 * Gets #GanderMigrator:pending-count.
 *
 * Returns: see #GanderMigrator:pending-count
 *
 * Since: 0.1
 */
guint
gander_migrator_get_pending_count (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), 0);
  return self->pending_count;
}

/**
 * gander_migrator_get_fraction:
 * @self: a #GanderMigrator
 *
 * Gets #GanderMigrator:fraction.
 *
 * Returns: see #GanderMigrator:fraction
 *
 * Since: 0.1
 */
double
gander_migrator_get_fraction (GanderMigrator *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), 0.0);
  return self->fraction;
}
