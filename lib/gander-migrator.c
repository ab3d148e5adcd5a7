/* gander-migrator.c: goose Provider semantics over a source and a database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-error.h"
#include "gander-enum-types.h"
#include "gander-database-private.h"
#include "gander-migration-private.h"
#include "gander-migration-status-private.h"
#include "gander-migrator.h"

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
 * - both sections of every migration about to run are parsed before the
 *   first one runs, so a malformed file stops the run before it starts.
 *
 * When a migration fails the run stops; that migration is rolled back (if it
 * ran in a transaction), the ones before it stay applied, and
 * gander_migrator_get_last_results() lists them followed by the failed one.
 *
 * A migrator runs one operation at a time; a second call from another
 * thread waits for the first.
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

  GMutex          run_mutex;
  GPtrArray      *last_results;

  /* Where signals and notifications go during the running operation:
   * NULL for synchronous calls (emit in the calling thread), the caller's
   * thread-default context for asynchronous ones. */
  GMainContext   *signal_context;

  /* Progress, only touched in the thread that receives signals. */
  gboolean        busy;
  gint64          current_version;
  guint           pending_count;
  double          fraction;

  /* The worker's view of the current version during an operation. */
  gint64          op_version;
};

G_DEFINE_FINAL_TYPE (GanderMigrator, gander_migrator, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_SOURCE,
  PROP_ALLOW_MISSING,
  PROP_NO_VERSIONING,
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
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the database says, read once per operation. */
typedef struct
{
  GArray     *rows;       /* GanderVersionRow, id DESC */
  GArray     *side_rows;  /* GanderSideRow */
  GHashTable *applied;    /* version → GanderVersionRow* (newest row) */
  GHashTable *side;       /* version → GanderSideRow* */
  gint64      max_version;
  gboolean    table_exists;
} DbState;

static void
db_state_clear (DbState *state)
{
  g_clear_pointer (&state->applied, g_hash_table_unref);
  g_clear_pointer (&state->side, g_hash_table_unref);
  g_clear_pointer (&state->rows, g_array_unref);
  g_clear_pointer (&state->side_rows, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DbState, db_state_clear)

static void
gander_migrator_finalize (GObject *object)
{
  GanderMigrator *self = GANDER_MIGRATOR (object);

  g_clear_object (&self->database);
  g_clear_object (&self->source);
  g_clear_pointer (&self->last_results, g_ptr_array_unref);
  g_mutex_clear (&self->run_mutex);

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
   * The highest version recorded, as last seen by a running or finished
   * operation (0 before any).
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
   * How many migrations the running operation still has to run.
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
}

static void
gander_migrator_init (GanderMigrator *self)
{
  g_mutex_init (&self->run_mutex);
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

  locker = g_mutex_locker_new (&self->run_mutex);
  return g_ptr_array_copy (self->last_results, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

/* ------------------------------------------------------------------ */
/* Reading the database                                                */

static gboolean
load_state (GanderMigrator  *self,
            DbState         *state,
            GError         **error)
{
  gboolean exists = FALSE;

  state->applied = g_hash_table_new (g_int64_hash, g_int64_equal);
  state->side = g_hash_table_new (g_int64_hash, g_int64_equal);
  state->max_version = 0;

  if (!gander_database_version_table_exists (self->database, &exists, error))
    return FALSE;
  state->table_exists = exists;
  if (!exists)
    {
      state->rows = gander_version_rows_new ();
      state->side_rows = gander_side_rows_new ();
      return TRUE;
    }

  state->rows = gander_database_list_versions (self->database, error);
  if (state->rows == NULL)
    return FALSE;
  state->side_rows = gander_database_list_side_rows (self->database, error);
  if (state->side_rows == NULL)
    return FALSE;

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
  return TRUE;
}

static gboolean
is_applied (DbState *state,
            gint64   version)
{
  return g_hash_table_contains (state->applied, &version);
}

/* A non-transactional migration that never finished leaves its marker in
 * the side table: refuse to go on until a human has looked. */
static gboolean
check_not_dirty (GanderMigrator  *self,
                 DbState         *state,
                 GError         **error)
{
  for (guint i = 0; i < state->side_rows->len; i++)
    {
      GanderSideRow *row = &g_array_index (state->side_rows, GanderSideRow, i);
      g_autofree char *side_table = NULL;

      if (row->state != GANDER_MIGRATION_STATE_RUNNING)
        continue;

      side_table = gander_database_dup_side_table_name (self->database);
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

/* ------------------------------------------------------------------ */
/* Signals and progress, delivered where the caller wants them         */

typedef struct
{
  GanderMigrator *self;
  guint           signal_id;    /* 0: a progress update */
  guint           n_values;
  GValue          values[4];    /* values[0] is the instance */
  gboolean        busy;
  gint64          current_version;
  guint           pending_count;
  double          fraction;
} Emission;

static void
emission_free (Emission *e)
{
  for (guint i = 0; i < e->n_values; i++)
    g_value_unset (&e->values[i]);
  g_object_unref (e->self);
  g_free (e);
}

static void
set_progress_here (GanderMigrator *self,
                   const Emission *e)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (self->busy != e->busy)
    {
      self->busy = e->busy;
      g_object_notify_by_pspec (object, properties[PROP_BUSY]);
    }
  if (self->current_version != e->current_version)
    {
      self->current_version = e->current_version;
      g_object_notify_by_pspec (object, properties[PROP_CURRENT_VERSION]);
    }
  if (self->pending_count != e->pending_count)
    {
      self->pending_count = e->pending_count;
      g_object_notify_by_pspec (object, properties[PROP_PENDING_COUNT]);
    }
  if (self->fraction != e->fraction)
    {
      self->fraction = e->fraction;
      g_object_notify_by_pspec (object, properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (object);
}

static gboolean
emission_dispatch (gpointer data)
{
  Emission *e = data;

  if (e->signal_id == 0)
    set_progress_here (e->self, e);
  else
    g_signal_emitv (e->values, e->signal_id, 0, NULL);
  return G_SOURCE_REMOVE;
}

/* Synchronous calls emit at once; asynchronous ones queue the emission
 * to the caller's context, in order, without waiting for it. Always a
 * source, never g_main_context_invoke(): that runs the function right
 * here, in the worker, whenever the caller's context is the global
 * default one and nobody is iterating it at that moment. */
static void
deliver (GanderMigrator *self,
         Emission       *e)
{
  g_autoptr(GSource) source = NULL;

  if (self->signal_context == NULL)
    {
      emission_dispatch (e);
      emission_free (e);
      return;
    }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emission_dispatch, e, (GDestroyNotify) emission_free);
  g_source_set_static_name (source, "[gander] migrator signal");
  g_source_attach (source, self->signal_context);
}

static Emission *
emission_new (GanderMigrator *self,
              guint           signal_id)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (self);
  e->signal_id = signal_id;
  if (signal_id != 0)
    {
      g_value_init (&e->values[0], GANDER_TYPE_MIGRATOR);
      g_value_set_object (&e->values[0], self);
      e->n_values = 1;
    }
  return e;
}

static void
emit_started (GanderMigrator  *self,
              GanderMigration *migration,
              GanderDirection  direction)
{
  Emission *e = emission_new (self, signals[SIGNAL_MIGRATION_STARTED]);

  g_value_init (&e->values[1], GANDER_TYPE_MIGRATION);
  g_value_set_object (&e->values[1], migration);
  g_value_init (&e->values[2], GANDER_TYPE_DIRECTION);
  g_value_set_enum (&e->values[2], direction);
  e->n_values = 3;
  deliver (self, e);
}

static void
emit_finished (GanderMigrator        *self,
               GanderMigrationResult *result)
{
  Emission *e = emission_new (self, signals[SIGNAL_MIGRATION_FINISHED]);

  g_value_init (&e->values[1], GANDER_TYPE_MIGRATION_RESULT);
  g_value_set_object (&e->values[1], result);
  e->n_values = 2;
  deliver (self, e);
}

static void
emit_statement (GanderMigrator  *self,
                GanderMigration *migration,
                guint            line,
                const char      *sql)
{
  Emission *e = emission_new (self, signals[SIGNAL_EXECUTING_STATEMENT]);

  g_value_init (&e->values[1], GANDER_TYPE_MIGRATION);
  g_value_set_object (&e->values[1], migration);
  g_value_init (&e->values[2], G_TYPE_UINT);
  g_value_set_uint (&e->values[2], line);
  g_value_init (&e->values[3], G_TYPE_STRING);
  g_value_set_string (&e->values[3], sql);
  e->n_values = 4;
  deliver (self, e);
}

static void
emit_progress (GanderMigrator *self,
               gboolean        busy,
               gint64          current_version,
               guint           pending_count,
               double          fraction)
{
  Emission *e = emission_new (self, 0);

  e->busy = busy;
  e->current_version = current_version;
  e->pending_count = pending_count;
  e->fraction = CLAMP (fraction, 0.0, 1.0);
  deliver (self, e);
}

/* ------------------------------------------------------------------ */
/* Running one migration                                               */

static gboolean
exec_statements (GanderMigrator   *self,
                 GanderMigration  *migration,
                 GanderParsedSql  *parsed,
                 GanderDirection   direction,
                 GCancellable     *cancellable,
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
        emit_statement (self, migration, line, sql);

      if (!gander_database_exec (self->database, sql, cancellable, &local_error))
        {
          g_autofree char *path = gander_migration_dup_display_path (migration);
          guint inner = gander_database_get_error_line (self->database);

          /* point at the failing line inside a multi-line statement */
          if (inner > 0)
            line += inner - 1;

          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "%s:%u: migration %" G_GINT64_FORMAT
                                      " (%s) failed at statement %u of %u: ",
                                      path, line,
                                      gander_migration_get_version (migration),
                                      gander_direction_to_string (direction),
                                      i + 1, n);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
record (GanderMigrator   *self,
        GanderMigration  *migration,
        GanderDirection   direction,
        gint64            started,
        GError          **error)
{
  gint64 version = gander_migration_get_version (migration);

  if (self->no_versioning)
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
      row.applied_by = (char *) gander_database_applied_by ();
      row.duration_us = g_get_monotonic_time () - started;
      return gander_database_insert_version (self->database, version, error) &&
             gander_database_write_side_row (self->database, &row, error);
    }

  return gander_database_delete_version (self->database, version, error) &&
         gander_database_delete_side_row (self->database, version, error);
}

static gboolean
mark_running (GanderMigrator   *self,
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
  row.applied_by = (char *) gander_database_applied_by ();
  return gander_database_write_side_row (self->database, &row, error);
}

static gboolean
run_migration (GanderMigrator   *self,
               GanderMigration  *migration,
               GanderDirection   direction,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autoptr(GanderParsedSql) parsed = NULL;
  g_autoptr(GanderMigrationResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 started;
  gboolean ok;
  gboolean statements_failed = FALSE;
  gboolean empty;

  parsed = gander_migration_parse (migration, direction, error);
  if (parsed == NULL)
    return FALSE;
  empty = gander_parsed_sql_get_n_statements (parsed) == 0;

  emit_started (self, migration, direction);
  started = g_get_monotonic_time ();

  if (gander_parsed_sql_get_use_transaction (parsed))
    {
      ok = gander_database_begin (self->database, cancellable, &local_error);
      if (ok)
        {
          ok = exec_statements (self, migration, parsed, direction, cancellable, &local_error);
          statements_failed = !ok;
        }
      ok = ok &&
           record (self, migration, direction, started, &local_error) &&
           gander_database_commit (self->database, &local_error);
      if (!ok)
        gander_database_rollback (self->database, NULL);
    }
  else
    {
      /* Autocommit: each statement is final as soon as it ran. The marker
       * written first stays behind if we never reach the end. */
      ok = self->no_versioning || mark_running (self, migration, &local_error);
      if (ok)
        {
          ok = exec_statements (self, migration, parsed, direction, cancellable, &local_error);
          statements_failed = !ok;
        }
      if (ok && !self->no_versioning)
        {
          ok = gander_database_begin (self->database, cancellable, &local_error) &&
               record (self, migration, direction, started, &local_error) &&
               gander_database_commit (self->database, &local_error);
          if (!ok)
            gander_database_rollback (self->database, NULL);
        }
    }

  /* A statement's error already names file, line and statement; a failure
   * around it (BEGIN, the version row, COMMIT) must still say which
   * migration it happened to. */
  if (!ok && !statements_failed)
    {
      g_autofree char *path = gander_migration_dup_display_path (migration);

      g_prefix_error (&local_error, "%s: migration %" G_GINT64_FORMAT " (%s): ",
                      path, gander_migration_get_version (migration),
                      gander_direction_to_string (direction));
    }

  result = gander_migration_result_new (migration, direction,
                                        g_get_monotonic_time () - started,
                                        empty, local_error);
  g_ptr_array_add (self->last_results, g_object_ref (result));
  emit_finished (self, result);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Planning and running a list                                         */

/* Provider behaviour: every migration about to run is parsed in both
 * directions before the first one runs. */
static gboolean
prepare_plan (GPtrArray  *plan,
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

static gint64
max_applied (DbState *state)
{
  GHashTableIter iter;
  gpointer key;
  gint64 max = 0;

  g_hash_table_iter_init (&iter, state->applied);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    max = MAX (max, *(gint64 *) key);
  return max;
}

static gboolean
run_plan (GanderMigrator  *self,
          GPtrArray       *plan,
          GanderDirection  direction,
          DbState         *state,
          GCancellable    *cancellable,
          GError         **error)
{
  if (!prepare_plan (plan, error))
    return FALSE;

  /* The tables are created only now, once every file of the plan parsed:
   * a malformed migration leaves a new database untouched. */
  if (plan->len > 0 && !self->no_versioning &&
      !gander_database_ensure_version_table (self->database, cancellable, error))
    return FALSE;

  emit_progress (self, TRUE, self->op_version, plan->len, 0.0);
  for (guint i = 0; i < plan->len; i++)
    {
      GanderMigration *m = g_ptr_array_index (plan, i);
      gint64 v = gander_migration_get_version (m);

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CANCELLED,
                       "cancelled before migration %" G_GINT64_FORMAT " (%s); "
                       "%u of %u migrations ran",
                       v, gander_migration_get_name (m), i, plan->len);
          return FALSE;
        }
      if (!run_migration (self, m, direction, cancellable, error))
        return FALSE;

      if (!self->no_versioning && state->applied != NULL)
        {
          if (direction == GANDER_DIRECTION_UP)
            self->op_version = MAX (self->op_version, v);
          else
            {
              g_hash_table_remove (state->applied, &v);
              self->op_version = max_applied (state);
            }
        }
      emit_progress (self, TRUE, self->op_version, plan->len - i - 1,
                     (double) (i + 1) / plan->len);
    }
  return TRUE;
}

/* open, lock, make sure the tables exist, read the state */
static gboolean
begin_operation (GanderMigrator  *self,
                 gboolean         take_lock,
                 gboolean         *locked,
                 DbState          *state,
                 GCancellable     *cancellable,
                 GError          **error)
{
  *locked = FALSE;
  if (take_lock)
    emit_progress (self, TRUE, self->op_version, 0, 0.0);

  if (!gander_database_open (self->database, cancellable, error))
    return FALSE;
  if (self->no_versioning)
    return TRUE;
  if (take_lock)
    {
      if (!gander_database_lock (self->database, cancellable, error))
        return FALSE;
      *locked = TRUE;
    }
  if (!load_state (self, state, error))
    return FALSE;
  self->op_version = state->max_version;
  return TRUE;
}

static void
end_operation (GanderMigrator *self,
               gboolean        locked)
{
  g_autoptr(GError) error = NULL;

  if (locked && !gander_database_unlock (self->database, &error))
    g_warning ("could not release the migration lock: %s", error->message);
  emit_progress (self, FALSE, self->op_version, 0, 1.0);
}

static GPtrArray *
results_copy (GanderMigrator *self)
{
  return g_ptr_array_copy (self->last_results, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
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

/* goose's UpVersions: missing (if allowed) and new migrations up to
 * @target, ascending. */
static GPtrArray *
plan_up (GanderMigrator  *self,
         DbState         *state,
         gint64           target,
         GError         **error)
{
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = gander_source_get_n_migrations (self->source);

  for (guint i = 0; i < n; i++)
    {
      GanderMigration *m = gander_source_get_migration (self->source, i);
      gint64 v = gander_migration_get_version (m);

      if (v > target)
        break;
      if (self->no_versioning)
        {
          g_ptr_array_add (plan, g_object_ref (m));
          continue;
        }
      if (is_applied (state, v))
        continue;
      if (v < state->max_version)
        g_ptr_array_add (missing, g_object_ref (m));
      g_ptr_array_add (plan, g_object_ref (m));
    }

  if (missing->len > 0 && !self->allow_missing)
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

static gboolean
check_known_version (GanderMigrator  *self,
                     DbState         *state,
                     gint64           version,
                     GError         **error)
{
  g_autofree char *where = NULL;

  if (gander_source_lookup (self->source, version) != NULL ||
      (state->applied != NULL && is_applied (state, version)))
    return TRUE;

  where = g_file_get_parse_name (gander_source_get_directory (self->source));
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
               "version %" G_GINT64_FORMAT " not found: no migration in %s has "
               "this version and the database has not recorded it "
               "(known versions: %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
               version, where,
               gander_source_get_n_migrations (self->source) > 0
                 ? gander_migration_get_version (gander_source_get_migration (self->source, 0))
                 : 0,
               gander_source_get_max_version (self->source));
  return FALSE;
}

static GPtrArray *
do_up (GanderMigrator  *self,
       gint64           target,
       gboolean         by_one,
       GCancellable    *cancellable,
       GError         **error)
{
  g_auto(DbState) state = { 0, };
  g_autoptr(GPtrArray) plan = NULL;
  gboolean locked = FALSE;
  gboolean ok;

  g_ptr_array_set_size (self->last_results, 0);
  ok = begin_operation (self, TRUE, &locked, &state, cancellable, error) &&
       (self->no_versioning || check_not_dirty (self, &state, error)) &&
       (target == G_MAXINT64 || check_known_version (self, &state, target, error));
  if (ok)
    {
      plan = plan_up (self, &state, target, error);
      ok = plan != NULL;
    }
  if (ok && by_one)
    {
      if (plan->len == 0)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                       "no next version found: every migration is applied "
                       "(current version %" G_GINT64_FORMAT ")", state.max_version);
          ok = FALSE;
        }
      else
        g_ptr_array_set_size (plan, 1);
    }
  if (ok)
    ok = run_plan (self, plan, GANDER_DIRECTION_UP, &state, cancellable, error);

  end_operation (self, locked);
  return ok ? results_copy (self) : NULL;
}

/* The applied versions to roll back to reach @target, newest first, as
 * goose's Provider does (by insertion order). Every one needs its file. */
static GPtrArray *
plan_down (GanderMigrator  *self,
           DbState         *state,
           gint64           target,
           guint            limit,
           GError         **error)
{
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (self->no_versioning)
    {
      guint n = gander_source_get_n_migrations (self->source);

      for (guint i = n; i > 0 && plan->len < limit; i--)
        {
          GanderMigration *m = gander_source_get_migration (self->source, i - 1);

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

      m = gander_source_lookup (self->source, row->version_id);
      if (m == NULL)
        {
          g_autofree char *where = g_file_get_parse_name (gander_source_get_directory (self->source));

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

static GPtrArray *
do_down (GanderMigrator  *self,
         gint64           target,
         guint            limit,
         gboolean         redo,
         GCancellable    *cancellable,
         GError         **error)
{
  g_auto(DbState) state = { 0, };
  g_autoptr(GPtrArray) plan = NULL;
  gboolean locked = FALSE;
  gboolean ok;

  g_ptr_array_set_size (self->last_results, 0);
  ok = begin_operation (self, TRUE, &locked, &state, cancellable, error) &&
       (self->no_versioning || check_not_dirty (self, &state, error)) &&
       (target == 0 || check_known_version (self, &state, target, error));
  if (ok)
    {
      plan = plan_down (self, &state, target, limit, error);
      ok = plan != NULL;
    }
  if (ok && limit != G_MAXUINT && plan->len == 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION,
                   "no migration to roll back: current version is 0");
      ok = FALSE;
    }
  if (ok)
    ok = run_plan (self, plan, GANDER_DIRECTION_DOWN, &state, cancellable, error);
  if (ok && redo)
    ok = run_plan (self, plan, GANDER_DIRECTION_UP, &state, cancellable, error);

  end_operation (self, locked);
  return ok ? results_copy (self) : NULL;
}

/* ------------------------------------------------------------------ */
/* Public operations                                                   */

/* Set by the worker thread of an asynchronous call: the context of the
 * caller, where signals must go. */
static GPrivate async_signal_context;

static GMutexLocker *
run_lock (GanderMigrator *self)
{
  GMutexLocker *locker = g_mutex_locker_new (&self->run_mutex);

  self->signal_context = g_private_get (&async_signal_context);
  return locker;
}

#define RUN_LOCKED(self) \
  g_autoptr(GMutexLocker) G_PASTE (locker, __LINE__) = run_lock (self)

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
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  RUN_LOCKED (self);
  return do_up (self, G_MAXINT64, FALSE, cancellable, error);
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

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    RUN_LOCKED (self);
    results = do_up (self, G_MAXINT64, TRUE, cancellable, error);
  }
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
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (version < 1)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "version must be greater than 0 (got %" G_GINT64_FORMAT ")", version);
      return NULL;
    }

  RUN_LOCKED (self);
  return do_up (self, version, FALSE, cancellable, error);
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

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    RUN_LOCKED (self);
    results = do_down (self, 0, 1, FALSE, cancellable, error);
  }
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
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (version < 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   "invalid version: must be a valid number or zero: %" G_GINT64_FORMAT,
                   version);
      return NULL;
    }

  RUN_LOCKED (self);
  return do_down (self, version, G_MAXUINT, FALSE, cancellable, error);
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
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  RUN_LOCKED (self);
  return do_down (self, 0, 1, TRUE, cancellable, error);
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
  return gander_migrator_down_to (self, 0, cancellable, error);
}

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
  g_auto(DbState) state = { 0, };
  g_autoptr(GPtrArray) entries = NULL;
  gboolean locked;
  guint n;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  RUN_LOCKED (self);
  if (!begin_operation (self, FALSE, &locked, &state, cancellable, error))
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
          row = g_hash_table_lookup (state.applied, &v);
          side = g_hash_table_lookup (state.side, &v);
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

/**
 * gander_migrator_get_db_version:
 * @self: a #GanderMigrator
 * @version: (out): the highest version recorded, 0 when none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The current version as goose's Provider defines it: the highest version
 * in the version table. A database without the table is at version 0.
 * Not available with #GanderMigrator:no-versioning.
 *
 * Returns: (skip): %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_migrator_get_db_version (GanderMigrator  *self,
                                gint64          *version,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_auto(DbState) state = { 0, };
  gboolean locked;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (version != NULL, FALSE);

  RUN_LOCKED (self);
  if (self->no_versioning)
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                           "the database version is not tracked when versioning is disabled");
      return FALSE;
    }
  if (!begin_operation (self, FALSE, &locked, &state, cancellable, error))
    return FALSE;
  *version = state.max_version;
  return TRUE;
}

/**
 * gander_migrator_has_pending:
 * @self: a #GanderMigrator
 * @has_pending: (out): whether `up` would apply something
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Whether migrations are pending. Like goose's Provider, missing
 * (out-of-order) migrations are an error unless allow-missing is set.
 *
 * Returns: (skip): %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_migrator_has_pending (GanderMigrator  *self,
                             gboolean        *has_pending,
                             GCancellable    *cancellable,
                             GError         **error)
{
  g_auto(DbState) state = { 0, };
  g_autoptr(GPtrArray) plan = NULL;
  gboolean locked;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (has_pending != NULL, FALSE);

  RUN_LOCKED (self);
  if (!begin_operation (self, FALSE, &locked, &state, cancellable, error))
    return FALSE;
  plan = plan_up (self, &state, G_MAXINT64, error);
  if (plan == NULL)
    return FALSE;
  *has_pending = plan->len > 0;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Asynchronous forms                                                  */

typedef enum {
  OP_UP,
  OP_UP_BY_ONE,
  OP_UP_TO,
  OP_DOWN,
  OP_DOWN_TO,
  OP_REDO,
  OP_RESET,
  OP_STATUS,
  OP_DB_VERSION,
  OP_HAS_PENDING,
} OpKind;

typedef struct
{
  OpKind kind;
  gint64 version;
} OpData;

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  GanderMigrator *self = source_object;
  OpData *op = task_data;
  GError *error = NULL;
  gpointer result = NULL;
  GDestroyNotify free_func = (GDestroyNotify) g_ptr_array_unref;

  g_private_set (&async_signal_context, g_task_get_context (task));

  switch (op->kind)
    {
    case OP_UP:
      result = gander_migrator_up (self, cancellable, &error);
      break;
    case OP_UP_BY_ONE:
      result = gander_migrator_up_by_one (self, cancellable, &error);
      free_func = g_object_unref;
      break;
    case OP_UP_TO:
      result = gander_migrator_up_to (self, op->version, cancellable, &error);
      break;
    case OP_DOWN:
      result = gander_migrator_down (self, cancellable, &error);
      free_func = g_object_unref;
      break;
    case OP_DOWN_TO:
      result = gander_migrator_down_to (self, op->version, cancellable, &error);
      break;
    case OP_REDO:
      result = gander_migrator_redo (self, cancellable, &error);
      break;
    case OP_RESET:
      result = gander_migrator_reset (self, cancellable, &error);
      break;
    case OP_STATUS:
      result = gander_migrator_status (self, cancellable, &error);
      break;
    case OP_DB_VERSION:
      {
        gint64 version = 0;

        if (gander_migrator_get_db_version (self, &version, cancellable, &error))
          {
            result = g_memdup2 (&version, sizeof version);
            free_func = g_free;
          }
      }
      break;
    case OP_HAS_PENDING:
      {
        gboolean pending = FALSE;

        if (gander_migrator_has_pending (self, &pending, cancellable, &error))
          {
            g_private_set (&async_signal_context, NULL);
            g_task_return_boolean (task, pending);
            return;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }

  g_private_set (&async_signal_context, NULL);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, free_func);
}

static void
start_op (GanderMigrator      *self,
          OpKind               kind,
          gint64               version,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpData *op;

  g_return_if_fail (GANDER_IS_MIGRATOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = g_new0 (OpData, 1);
  op->kind = kind;
  op->version = version;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, g_free);
  /* Results are reported even if the caller cancels: a cancelled run has
   * still applied what it applied. */
  g_task_set_return_on_cancel (task, FALSE);
  /* A cancelled run reports GANDER_ERROR_CANCELLED from the library, as
   * the synchronous form does; and a run that finished despite a late
   * cancel keeps its results. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, op_thread);
}

static gpointer
finish_op (GanderMigrator  *self,
           GAsyncResult    *result,
           gpointer         source_tag,
           GError         **error)
{
  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gander_migrator_up_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): cancels between migrations, and interrupts the
 *   running statement (its migration then rolls back)
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_up() in a worker thread.
 *
 * Threading: the signals and property notifications of the operation, and
 * @callback, are all delivered in the thread-default main context of the
 * thread that called this function, in the order they happened; never in
 * the worker thread. The migrator stays alive until @callback has run,
 * even if the caller drops its reference.
 *
 * Since: 0.1
 */
void
gander_migrator_up_async (GanderMigrator      *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  start_op (self, OP_UP, 0, gander_migrator_up_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_up_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_up_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_up()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_up_finish (GanderMigrator  *self,
                           GAsyncResult    *result,
                           GError         **error)
{
  return finish_op (self, result, gander_migrator_up_async, error);
}

/**
 * gander_migrator_up_by_one_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_up_by_one() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_up_by_one_async (GanderMigrator      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  start_op (self, OP_UP_BY_ONE, 0, gander_migrator_up_by_one_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_up_by_one_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_up_by_one_async().
 *
 * Returns: (transfer full): as gander_migrator_up_by_one()
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migrator_up_by_one_finish (GanderMigrator  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return finish_op (self, result, gander_migrator_up_by_one_async, error);
}

/**
 * gander_migrator_up_to_async:
 * @self: a #GanderMigrator
 * @version: the last version to apply
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_up_to() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_up_to_async (GanderMigrator      *self,
                             gint64               version,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, OP_UP_TO, version, gander_migrator_up_to_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_up_to_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_up_to_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_up_to()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_up_to_finish (GanderMigrator  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return finish_op (self, result, gander_migrator_up_to_async, error);
}

/**
 * gander_migrator_down_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_down() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_down_async (GanderMigrator      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_op (self, OP_DOWN, 0, gander_migrator_down_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_down_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_down_async().
 *
 * Returns: (transfer full): as gander_migrator_down()
 *
 * Since: 0.1
 */
GanderMigrationResult *
gander_migrator_down_finish (GanderMigrator  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return finish_op (self, result, gander_migrator_down_async, error);
}

/**
 * gander_migrator_down_to_async:
 * @self: a #GanderMigrator
 * @version: the version to stop at
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_down_to() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_down_to_async (GanderMigrator      *self,
                               gint64               version,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_op (self, OP_DOWN_TO, version, gander_migrator_down_to_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_down_to_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_down_to_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_down_to()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_down_to_finish (GanderMigrator  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_op (self, result, gander_migrator_down_to_async, error);
}

/**
 * gander_migrator_redo_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_redo() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_redo_async (GanderMigrator      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_op (self, OP_REDO, 0, gander_migrator_redo_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_redo_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_redo_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_redo()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_redo_finish (GanderMigrator  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return finish_op (self, result, gander_migrator_redo_async, error);
}

/**
 * gander_migrator_reset_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_reset() in a worker thread; see
 * gander_migrator_up_async() for the threading rules.
 *
 * Since: 0.1
 */
void
gander_migrator_reset_async (GanderMigrator      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, OP_RESET, 0, gander_migrator_reset_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_reset_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_reset_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationResult): as
 *   gander_migrator_reset()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_reset_finish (GanderMigrator  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return finish_op (self, result, gander_migrator_reset_async, error);
}

/**
 * gander_migrator_status_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_status() in a worker thread.
 *
 * Since: 0.1
 */
void
gander_migrator_status_async (GanderMigrator      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  start_op (self, OP_STATUS, 0, gander_migrator_status_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_status_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_status_async().
 *
 * Returns: (transfer container) (element-type GanderMigrationStatus): as
 *   gander_migrator_status()
 *
 * Since: 0.1
 */
GPtrArray *
gander_migrator_status_finish (GanderMigrator  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return finish_op (self, result, gander_migrator_status_async, error);
}

/**
 * gander_migrator_get_db_version_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_get_db_version() in a worker thread.
 *
 * Since: 0.1
 */
void
gander_migrator_get_db_version_async (GanderMigrator      *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  start_op (self, OP_DB_VERSION, 0, gander_migrator_get_db_version_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_get_db_version_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @version: (out): the highest version recorded
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_get_db_version_async().
 *
 * Returns: (skip): %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_migrator_get_db_version_finish (GanderMigrator  *self,
                                       GAsyncResult    *result,
                                       gint64          *version,
                                       GError         **error)
{
  g_autofree gint64 *value = finish_op (self, result, gander_migrator_get_db_version_async, error);

  if (value == NULL)
    return FALSE;
  if (version != NULL)
    *version = *value;
  return TRUE;
}

/**
 * gander_migrator_has_pending_async:
 * @self: a #GanderMigrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Runs gander_migrator_has_pending() in a worker thread.
 *
 * Since: 0.1
 */
void
gander_migrator_has_pending_async (GanderMigrator      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  start_op (self, OP_HAS_PENDING, 0, gander_migrator_has_pending_async, cancellable, callback, user_data);
}

/**
 * gander_migrator_has_pending_finish:
 * @self: a #GanderMigrator
 * @result: the result given to the callback
 * @has_pending: (out): whether migrations are pending
 * @error: return location for a #GError
 *
 * Finishes an operation started with gander_migrator_has_pending_async().
 *
 * Returns: (skip): %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gander_migrator_has_pending_finish (GanderMigrator  *self,
                                    GAsyncResult    *result,
                                    gboolean        *has_pending,
                                    GError         **error)
{
  GError *local_error = NULL;
  gboolean value;

  g_return_val_if_fail (GANDER_IS_MIGRATOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gander_migrator_has_pending_async, FALSE);

  value = g_task_propagate_boolean (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (has_pending != NULL)
    *has_pending = value;
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
