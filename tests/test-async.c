/* test-async.c: GanderMigrator's asynchronous API on every engine (SQLite
 * files; PostgreSQL with the temporary server, cancelled through PQcancel):
 * the thread every signal, notification and callback arrives in, two
 * migrators at once, cancellation at every stage of a run, and the
 * migrator's lifetime when the caller lets go early.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>

#include "gander-test-util.h"

/* The engine of the running test ("sqlite3" or "postgres"), set by the
 * fixture: the helpers below take only a DSN. Tests run one at a time. */
static const char *current_engine = "sqlite3";
#define ENGINE current_engine

static gboolean
is_sqlite (void)
{
  return g_str_equal (current_engine, "sqlite3");
}

/* A query that would run for minutes: only an interrupt ends it. Its text
 * holds 4000000000, which the handlers look for. */
static const char *
endless_query (void)
{
  if (is_sqlite ())
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
           "WHERE x < 4000000000) SELECT count(*) FROM c";
  return "SELECT count(*) FROM pg_sleep(600) WHERE 4000000000 > 0";
}

static char *
endless_migration (void)
{
  return g_strdup_printf ("-- +goose Up\n"
                          "CREATE TABLE t2 (n INTEGER);\n"
                          "INSERT INTO t2 %s;\n"
                          "-- +goose Down\n"
                          "DROP TABLE t2;\n", endless_query ());
}

static gboolean
under_valgrind (void)
{
  return g_getenv ("GANDER_UNDER_VALGRIND") != NULL;
}

/* Rows the busy work of one migration counts through: a few milliseconds
 * natively, so that a run takes long enough to be cancelled in the middle
 * of it; less under valgrind, which is ~50 times slower. */
static guint
work_rows (void)
{
  return under_valgrind () ? 2000 : 60000;
}

/* ------------------------------------------------------------------ */
/* Fixture: one temporary directory, its migrations, one SQLite file    */

typedef struct
{
  char       *tmpdir;
  char       *migdir;
  char       *dsn;
  const char *engine;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->engine = data;
  current_engine = f->engine;
  f->tmpdir = g_dir_make_tmp ("gander-async-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  f->dsn = gander_test_new_dsn (ENGINE, f->tmpdir);
}

/* Another database of the test's engine: a file named @name in the
 * fixture's directory, or a fresh PostgreSQL database. */
static char *
fresh_dsn (Fixture    *f,
           const char *name)
{
  if (is_sqlite ())
    return g_build_filename (f->tmpdir, name, NULL);
  return gander_test_new_dsn (ENGINE, f->tmpdir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->migdir);
  g_free (f->dsn);
}

/* Migration @v creates table t@v and fills it with a count that costs
 * @rows steps of a recursive CTE. The table is the migration's side
 * effect: it exists exactly when the migration is applied. */
static void
write_step (const char *dir,
            guint       v,
            guint       rows)
{
  g_autofree char *name = g_strdup_printf ("%05u_step%u.sql", v, v);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("-- +goose Up\n"
                          "CREATE TABLE t%u (n INTEGER);\n"
                          "INSERT INTO t%u SELECT count(*) FROM (WITH RECURSIVE c(x) AS "
                          "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %u) SELECT x FROM c) AS w;\n"
                          "\n"
                          "-- +goose Down\n"
                          "DROP TABLE t%u;\n",
                          v, v, rows, v);
  gander_test_write_file (dir, name, text);
}

static void
write_steps (const char *dir,
             guint       n)
{
  for (guint v = 1; v <= n; v++)
    write_step (dir, v, work_rows ());
}

static GanderMigrator *
new_migrator (const char *dsn,
              const char *migdir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GanderDatabase) db = NULL;

  db = gander_database_new_for_driver (ENGINE, dsn, &error);
  g_assert_no_error (error);
  source = gander_source_new_for_uri (migdir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  return gander_migrator_new (db, source);
}

static gboolean
has_version_row (const char *dsn,
                 guint       v)
{
  g_autofree char *sql = NULL;

  if ((is_sqlite () && !g_file_test (dsn, G_FILE_TEST_EXISTS)) ||
      !gander_test_table_exists (ENGINE, dsn, GANDER_DEFAULT_TABLE_NAME))
    return FALSE;
  sql = g_strdup_printf ("SELECT count(*) FROM " GANDER_DEFAULT_TABLE_NAME
                         " WHERE version_id = %u", v);
  return gander_test_query_int (ENGINE, dsn, sql) > 0;
}

static gboolean
has_side_row (const char *dsn,
              guint       v)
{
  g_autofree char *sql = NULL;

  if (!gander_test_table_exists (ENGINE, dsn, GANDER_DEFAULT_TABLE_NAME "_gander"))
    return FALSE;
  sql = g_strdup_printf ("SELECT count(*) FROM " GANDER_DEFAULT_TABLE_NAME "_gander"
                         " WHERE version_id = %u", v);
  return gander_test_query_int (ENGINE, dsn, sql) > 0;
}

/* The invariant every interruption must keep: migration v has a version
 * row, and a side-table row, exactly when its table exists; and applied
 * versions are a prefix 1..k, because they run in order. Returns k. */
static guint
assert_consistent (const char *dsn,
                   guint       n)
{
  guint applied = 0;

  if (is_sqlite () && !g_file_test (dsn, G_FILE_TEST_EXISTS))
    return 0;

  for (guint v = 1; v <= n; v++)
    {
      g_autofree char *table = g_strdup_printf ("t%u", v);
      gboolean row = has_version_row (dsn, v);
      gboolean side = has_side_row (dsn, v);
      gboolean effect = gander_test_table_exists (ENGINE, dsn, table);

      if (row != effect || side != effect)
        g_error ("%s: migration %u: version row %s, side row %s, but table %s %s",
                 dsn, v, row ? "present" : "absent", side ? "present" : "absent",
                 table, effect ? "exists" : "does not exist");
      if (row)
        {
          g_assert_cmpuint (applied, ==, v - 1);
          applied = v;
        }
    }
  return applied;
}

/* A cancelled operation reports G_IO_ERROR_CANCELLED, from the synchronous
 * and the asynchronous form alike, wherever the cancel landed. */
static void
assert_cancelled_error (const GError *error)
{
  g_assert_nonnull (error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error ("expected G_IO_ERROR_CANCELLED, got %s %d: %s",
             g_quark_to_string (error->domain), error->code, error->message);
}

/* ------------------------------------------------------------------ */
/* One asynchronous run and everything that arrives for it              */

typedef struct
{
  GanderMigrator *migrator;
  GThread        *thread;      /* where everything must arrive */
  GMainContext   *context;     /* that thread's thread-default context */

  guint           n_started;
  guint           n_finished;
  guint           n_statements;
  guint           n_notify_busy;
  guint           n_notify_fraction;
  guint           n_notify_version;
  guint           n_notify_pending;
  gboolean        was_busy;
  double          last_fraction;
  gboolean        fraction_went_back;

  /* Cancel when this many migration-finished signals have arrived (0:
   * never), or when the endless statement starts. */
  GCancellable   *cancellable;
  guint           cancel_after_finished;
  gboolean        cancel_on_endless;

  /* Set by the callback */
  gboolean        done;
  GPtrArray      *results;
  GError         *error;
  gint64          done_time;
} Run;

static void
assert_in_run_thread (Run *run)
{
  /* The whole point of the async API: nothing arrives in the worker. */
  g_assert_true (g_thread_self () == run->thread);
}

static void
on_started (GanderMigrator  *m,
            GanderMigration *migration,
            GanderDirection  direction,
            Run             *run)
{
  assert_in_run_thread (run);
  g_assert_true (m == run->migrator);
  g_assert_true (GANDER_IS_MIGRATION (migration));
  /* started and finished alternate, in order */
  g_assert_cmpuint (run->n_started, ==, run->n_finished);
  run->n_started++;
}

static void
on_finished (GanderMigrator        *m,
             GanderMigrationResult *result,
             Run                   *run)
{
  assert_in_run_thread (run);
  g_assert_true (GANDER_IS_MIGRATION_RESULT (result));
  g_assert_cmpuint (run->n_finished + 1, ==, run->n_started);
  run->n_finished++;
  if (run->cancellable != NULL && run->n_finished == run->cancel_after_finished)
    g_cancellable_cancel (run->cancellable);
}

static void
on_statement (GanderMigrator  *m,
              GanderMigration *migration,
              guint            line,
              const char      *sql,
              Run             *run)
{
  assert_in_run_thread (run);
  g_assert_cmpuint (line, >, 0);
  g_assert_nonnull (sql);
  run->n_statements++;
  if (run->cancel_on_endless && strstr (sql, "4000000000") != NULL)
    g_cancellable_cancel (run->cancellable);
}

static void
on_notify (GanderMigrator *m,
           GParamSpec     *pspec,
           Run            *run)
{
  const char *name = g_param_spec_get_name (pspec);

  assert_in_run_thread (run);
  if (g_str_equal (name, "busy"))
    {
      run->n_notify_busy++;
      if (gander_migrator_get_busy (m))
        run->was_busy = TRUE;
    }
  else if (g_str_equal (name, "fraction"))
    {
      double fraction = gander_migrator_get_fraction (m);

      run->n_notify_fraction++;
      g_assert_cmpfloat (fraction, >=, 0.0);
      g_assert_cmpfloat (fraction, <=, 1.0);
      if (fraction < run->last_fraction)
        run->fraction_went_back = TRUE;
      run->last_fraction = fraction;
    }
  else if (g_str_equal (name, "current-version"))
    run->n_notify_version++;
  else if (g_str_equal (name, "pending-count"))
    run->n_notify_pending++;
}

static void
run_init (Run            *run,
          GanderMigrator *migrator)
{
  memset (run, 0, sizeof *run);
  run->migrator = migrator;
  run->thread = g_thread_self ();
  run->context = g_main_context_ref_thread_default ();
  g_signal_connect (migrator, "migration-started", G_CALLBACK (on_started), run);
  g_signal_connect (migrator, "migration-finished", G_CALLBACK (on_finished), run);
  g_signal_connect (migrator, "executing-statement", G_CALLBACK (on_statement), run);
  g_signal_connect (migrator, "notify", G_CALLBACK (on_notify), run);
}

/* Only for runs whose migrator is still alive. */
static void
run_clear (Run *run)
{
  if (run->migrator != NULL)
    g_signal_handlers_disconnect_by_data (run->migrator, run);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_error (&run->error);
  g_clear_object (&run->cancellable);
}

static void
up_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  assert_in_run_thread (run);
  g_assert_true (GANDER_IS_MIGRATOR (source));
  run->results = gander_migrator_up_finish (GANDER_MIGRATOR (source), result, &run->error);
  g_assert_true ((run->results == NULL) != (run->error == NULL));

  /* Signals and notifications are delivered in the order they happened,
   * so by now the end of the operation has been seen. */
  g_assert_false (gander_migrator_get_busy (GANDER_MIGRATOR (source)));
  g_assert_cmpuint (run->n_started, ==, run->n_finished);

  run->done = TRUE;
  run->done_time = g_get_monotonic_time ();
}

static void
run_wait (Run *run)
{
  while (!run->done)
    g_main_context_iteration (run->context, TRUE);
}

/* ------------------------------------------------------------------ */
/* Threads                                                              */

static void
check_successful_up (Fixture *f,
                     Run     *run,
                     guint    n)
{
  g_assert_no_error (run->error);
  g_assert_nonnull (run->results);
  g_assert_cmpuint (run->results->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (run->results, i);

      g_assert_cmpint (gander_migration_result_get_version (r), ==, i + 1);
      g_assert_cmpint (gander_migration_result_get_direction (r), ==, GANDER_DIRECTION_UP);
      g_assert_null (gander_migration_result_get_error (r));
    }

  g_assert_cmpuint (run->n_started, ==, n);
  g_assert_cmpuint (run->n_finished, ==, n);
  g_assert_cmpuint (run->n_statements, ==, 2 * n);
  g_assert_true (run->was_busy);
  g_assert_cmpuint (run->n_notify_busy, >=, 2);
  g_assert_cmpuint (run->n_notify_fraction, >=, 2);
  g_assert_cmpuint (run->n_notify_version, >=, 1);
  g_assert_false (run->fraction_went_back);
  g_assert_cmpfloat (gander_migrator_get_fraction (run->migrator), ==, 1.0);
  g_assert_cmpint (gander_migrator_get_current_version (run->migrator), ==, n);
  g_assert_cmpuint (gander_migrator_get_pending_count (run->migrator), ==, 0);
  g_assert_false (gander_migrator_get_busy (run->migrator));
  g_assert_cmpuint (assert_consistent (f->dsn, n), ==, n);
}

static void
test_up_main_thread (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  Run run;

  write_steps (f->migdir, 4);
  m = new_migrator (f->dsn, f->migdir);
  run_init (&run, m);

  gander_migrator_up_async (m, NULL, up_done, &run);
  /* nothing is delivered before the caller's loop runs */
  g_assert_cmpuint (run.n_started, ==, 0);
  g_assert_cmpuint (run.n_notify_busy, ==, 0);
  run_wait (&run);

  check_successful_up (f, &run, 4);
  run_clear (&run);
}

/* The caller is busy (not iterating its context) while the worker runs:
 * a delivery must wait for it, not run in the worker because the context
 * happens to be free to acquire. */
static void
test_up_caller_busy (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  gint64 deadline;
  Run run;

  write_steps (f->migdir, 3);
  m = new_migrator (f->dsn, f->migdir);
  run_init (&run, m);

  gander_migrator_up_async (m, NULL, up_done, &run);
  /* long enough for the whole run to happen meanwhile */
  deadline = g_get_monotonic_time () + (under_valgrind () ? 10 : 1) * G_USEC_PER_SEC;
  /* one query, not assert_consistent(): its separate reads are no
   * snapshot of a database that is changing under them */
  while (g_get_monotonic_time () < deadline && !has_version_row (f->dsn, 3))
    g_usleep (10 * 1000);
  g_usleep (100 * 1000);
  g_assert_cmpuint (run.n_started, ==, 0);
  g_assert_cmpuint (run.n_notify_busy, ==, 0);
  g_assert_false (run.done);
  run_wait (&run);

  check_successful_up (f, &run, 3);
  run_clear (&run);
}

typedef struct
{
  Fixture *f;
  guint    n;
} ThreadData;

/* A second thread with its own context, pushed as thread-default: all
 * deliveries go there, none to the global default context, which no one
 * iterates meanwhile. */
static gpointer
up_in_thread (gpointer user_data)
{
  ThreadData *td = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GanderMigrator) m = NULL;
  Run run;

  g_main_context_push_thread_default (context);

  m = new_migrator (td->f->dsn, td->f->migdir);
  run_init (&run, m);
  g_assert_true (run.context == context);
  gander_migrator_up_async (m, NULL, up_done, &run);
  run_wait (&run);
  check_successful_up (td->f, &run, td->n);
  run_clear (&run);

  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_up_other_thread (Fixture       *f,
                      gconstpointer  data)
{
  ThreadData td = { f, 5 };
  GThread *thread;

  write_steps (f->migdir, td.n);
  thread = g_thread_new ("caller", up_in_thread, &td);
  g_thread_join (thread);

  /* nothing was queued to the main thread's context by mistake */
  g_assert_false (g_main_context_pending (NULL));
}

/* Two migrators on two databases at once, from one context: both are
 * busy at the same time, and each ends with its own migrations applied. */
typedef struct
{
  guint n_busy;
  guint max_busy;
} Overlap;

static void
on_busy (GanderMigrator *m,
         GParamSpec     *pspec,
         Overlap        *overlap)
{
  if (gander_migrator_get_busy (m))
    overlap->n_busy++;
  else
    overlap->n_busy--;
  overlap->max_busy = MAX (overlap->max_busy, overlap->n_busy);
}

static void
test_two_at_once (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *dir_a = g_build_filename (f->tmpdir, "a", NULL);
  g_autofree char *dir_b = g_build_filename (f->tmpdir, "b", NULL);
  g_autofree char *dsn_a = fresh_dsn (f, "a.db");
  g_autofree char *dsn_b = fresh_dsn (f, "b.db");
  g_autoptr(GanderMigrator) a = NULL;
  g_autoptr(GanderMigrator) b = NULL;
  Overlap overlap = { 0, };
  Run run_a, run_b;
  Fixture fa = { f->tmpdir, dir_a, dsn_a, f->engine };
  Fixture fb = { f->tmpdir, dir_b, dsn_b, f->engine };

  g_assert_cmpint (g_mkdir (dir_a, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (dir_b, 0755), ==, 0);
  /* heavier migrations, so that each run lasts long enough to overlap */
  for (guint v = 1; v <= 3; v++)
    {
      write_step (dir_a, v, 5 * work_rows ());
      write_step (dir_b, v, 5 * work_rows ());
    }
  write_step (dir_b, 4, work_rows ());

  a = new_migrator (dsn_a, dir_a);
  b = new_migrator (dsn_b, dir_b);
  run_init (&run_a, a);
  run_init (&run_b, b);
  g_signal_connect (a, "notify::busy", G_CALLBACK (on_busy), &overlap);
  g_signal_connect (b, "notify::busy", G_CALLBACK (on_busy), &overlap);

  gander_migrator_up_async (a, NULL, up_done, &run_a);
  gander_migrator_up_async (b, NULL, up_done, &run_b);
  run_wait (&run_a);
  run_wait (&run_b);

  check_successful_up (&fa, &run_a, 3);
  check_successful_up (&fb, &run_b, 4);
  g_assert_cmpuint (overlap.n_busy, ==, 0);
  g_assert_cmpuint (overlap.max_busy, ==, 2);

  g_signal_handlers_disconnect_by_data (a, &overlap);
  g_signal_handlers_disconnect_by_data (b, &overlap);
  run_clear (&run_a);
  run_clear (&run_b);
}

/* ------------------------------------------------------------------ */
/* Every _async/_finish pair                                            */

typedef struct
{
  GThread      *thread;
  GAsyncResult *result;
} Wait;

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *w = user_data;

  g_assert_true (g_thread_self () == w->thread);
  w->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Wait *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

#define WAIT_INIT { g_thread_self (), NULL }

static void
assert_versions (GPtrArray       *results,
                 GanderDirection  direction,
                 const gint64    *versions,
                 guint            n)
{
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      GanderMigrationResult *r = g_ptr_array_index (results, i);

      g_assert_cmpint (gander_migration_result_get_version (r), ==, versions[i]);
      g_assert_cmpint (gander_migration_result_get_direction (r), ==, direction);
    }
}

static void
test_all_operations (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;

  write_steps (f->migdir, 4);
  m = new_migrator (f->dsn, f->migdir);

  {
    Wait w = WAIT_INIT;
    g_autoptr(GanderMigrationResult) r = NULL;

    gander_migrator_up_by_one_async (m, NULL, got_result, &w);
    r = gander_migrator_up_by_one_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_cmpint (gander_migration_result_get_version (r), ==, 1);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;
    const gint64 expected[] = { 2, 3 };

    gander_migrator_up_to_async (m, 3, NULL, got_result, &w);
    rs = gander_migrator_up_to_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    assert_versions (rs, GANDER_DIRECTION_UP, expected, G_N_ELEMENTS (expected));
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) st = NULL;

    gander_migrator_status_async (m, NULL, got_result, &w);
    st = gander_migrator_status_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (st->len, ==, 4);
    for (guint i = 0; i < 4; i++)
      {
        GanderMigrationStatus *s = g_ptr_array_index (st, i);

        g_assert_cmpint (gander_migration_status_get_version (s), ==, i + 1);
        g_assert_cmpint (gander_migration_status_get_state (s), ==,
                         i < 3 ? GANDER_MIGRATION_STATE_APPLIED : GANDER_MIGRATION_STATE_PENDING);
      }
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    gint64 version = -1;

    gander_migrator_get_db_version_async (m, NULL, got_result, &w);
    version = gander_migrator_get_db_version_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_cmpint (version, ==, 3);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    gboolean pending;

    gander_migrator_has_pending_async (m, NULL, got_result, &w);
    pending = gander_migrator_has_pending_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_true (pending);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;
    const gint64 expected[] = { 4 };

    gander_migrator_up_async (m, NULL, got_result, &w);
    rs = gander_migrator_up_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    assert_versions (rs, GANDER_DIRECTION_UP, expected, G_N_ELEMENTS (expected));
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    gboolean pending;

    gander_migrator_has_pending_async (m, NULL, got_result, &w);
    pending = gander_migrator_has_pending_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_false (pending);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GanderMigrationResult) r = NULL;

    gander_migrator_down_async (m, NULL, got_result, &w);
    r = gander_migrator_down_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_cmpint (gander_migration_result_get_version (r), ==, 4);
    g_assert_cmpint (gander_migration_result_get_direction (r), ==, GANDER_DIRECTION_DOWN);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;
    const gint64 expected[] = { 3, 2 };

    gander_migrator_down_to_async (m, 1, NULL, got_result, &w);
    rs = gander_migrator_down_to_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    assert_versions (rs, GANDER_DIRECTION_DOWN, expected, G_N_ELEMENTS (expected));
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;

    gander_migrator_redo_async (m, NULL, got_result, &w);
    rs = gander_migrator_redo_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rs->len, ==, 2);
    g_assert_cmpint (gander_migration_result_get_direction (g_ptr_array_index (rs, 0)), ==, GANDER_DIRECTION_DOWN);
    g_assert_cmpint (gander_migration_result_get_direction (g_ptr_array_index (rs, 1)), ==, GANDER_DIRECTION_UP);
    g_assert_cmpint (gander_migration_result_get_version (g_ptr_array_index (rs, 1)), ==, 1);
    g_object_unref (w.result);
  }
  g_assert_cmpuint (assert_consistent (f->dsn, 4), ==, 1);
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;
    const gint64 expected[] = { 1 };

    gander_migrator_reset_async (m, NULL, got_result, &w);
    rs = gander_migrator_reset_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    assert_versions (rs, GANDER_DIRECTION_DOWN, expected, G_N_ELEMENTS (expected));
    g_object_unref (w.result);
  }
  g_assert_cmpuint (assert_consistent (f->dsn, 4), ==, 0);
}

/* Errors arrive through _finish with the codes the sync calls give. */
static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GError) error = NULL;

  write_steps (f->migdir, 2);
  m = new_migrator (f->dsn, f->migdir);

  {
    Wait w = WAIT_INIT;
    g_autoptr(GanderMigrationResult) r = NULL;

    gander_migrator_down_async (m, NULL, got_result, &w);
    r = gander_migrator_down_finish (m, wait_result (&w), &error);
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NO_NEXT_VERSION);
    g_assert_null (r);
    g_clear_error (&error);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;

    gander_migrator_set_strict_targets (m, TRUE);
    gander_migrator_up_to_async (m, 99, NULL, got_result, &w);
    rs = gander_migrator_up_to_finish (m, wait_result (&w), &error);
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
    g_assert_null (rs);
    g_clear_error (&error);
    g_object_unref (w.result);
  }
  {
    Wait w = WAIT_INIT;
    gint64 version = -1;

    /* the error of one pair does not leak into the next */
    gander_migrator_get_db_version_async (m, NULL, got_result, &w);
    version = gander_migrator_get_db_version_finish (m, wait_result (&w), &error);
    g_assert_no_error (error);
    g_assert_cmpint (version, ==, 0);
    g_object_unref (w.result);
  }

  /* a failing statement: its migration rolls back, the first stays */
  gander_test_write_file (f->migdir, "00003_broken.sql",
                          "-- +goose Up\nCREATE TABLE t3 (n INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
                          "-- +goose Down\nDROP TABLE t3;\n");
  g_clear_object (&m);
  m = new_migrator (f->dsn, f->migdir);
  {
    Wait w = WAIT_INIT;
    g_autoptr(GPtrArray) rs = NULL;
    g_autoptr(GPtrArray) last = NULL;

    gander_migrator_up_async (m, NULL, got_result, &w);
    rs = gander_migrator_up_finish (m, wait_result (&w), &error);
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_SQL);
    g_assert_nonnull (strstr (error->message, "00003_broken.sql"));
    g_assert_null (rs);
    g_clear_error (&error);
    g_object_unref (w.result);

    last = gander_migrator_get_last_results (m);
    g_assert_cmpuint (last->len, ==, 3);
    g_assert_nonnull (gander_migration_result_get_error (g_ptr_array_index (last, 2)));
  }
  g_assert_cmpuint (assert_consistent (f->dsn, 2), ==, 2);
  g_assert_false (has_version_row (f->dsn, 3));
  g_assert_false (gander_test_table_exists (ENGINE, f->dsn, "t3"));
}

/* ------------------------------------------------------------------ */
/* Cancellation                                                         */

static void
test_cancel_before_start (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  Run run;

  write_steps (f->migdir, 3);
  m = new_migrator (f->dsn, f->migdir);
  run_init (&run, m);
  run.cancellable = g_cancellable_new ();
  g_cancellable_cancel (run.cancellable);

  gander_migrator_up_async (m, run.cancellable, up_done, &run);
  run_wait (&run);

  assert_cancelled_error (run.error);
  g_assert_null (run.results);
  g_assert_cmpuint (run.n_started, ==, 0);
  g_assert_cmpuint (assert_consistent (f->dsn, 3), ==, 0);
  run_clear (&run);

  /* the migrator and the database are usable afterwards */
  run_init (&run, m);
  gander_migrator_up_async (m, NULL, up_done, &run);
  run_wait (&run);
  check_successful_up (f, &run, 3);
  run_clear (&run);
}

/* Synchronous calls emit in the calling thread, so a cancel from
 * migration-finished stops the run exactly between two migrations. */
static void
test_cancel_sync_between (Fixture       *f,
                          gconstpointer  data)
{
  const guint n = 4;

  write_steps (f->migdir, n);
  for (guint k = 1; k < n; k++)
    {
      g_autofree char *dsn_name = g_strdup_printf ("between-%u.db", k);
      g_autofree char *dsn = fresh_dsn (f, dsn_name);
      g_autoptr(GanderMigrator) m = new_migrator (dsn, f->migdir);
      g_autoptr(GPtrArray) rs = NULL;
      g_autoptr(GError) error = NULL;
      Run run;

      run_init (&run, m);
      run.cancellable = g_cancellable_new ();
      run.cancel_after_finished = k;
      rs = gander_migrator_up (m, run.cancellable, &error);
      assert_cancelled_error (error);
      g_assert_null (rs);
      g_assert_cmpuint (run.n_finished, ==, k);
      g_assert_cmpuint (assert_consistent (dsn, n), ==, k);
      run_clear (&run);
    }
}

/* Asynchronously, the handler runs in the caller's thread while the
 * worker goes on: the cancel lands between two migrations or inside the
 * next one, whose transaction then rolls back. Either way the version
 * table must match the schema, and the rest applies cleanly afterwards. */
static void
test_cancel_from_finished_handler (Fixture       *f,
                                   gconstpointer  data)
{
  const guint n = 5;

  write_steps (f->migdir, n);
  for (guint k = 1; k < n; k++)
    {
      g_autofree char *dsn_name = g_strdup_printf ("finished-%u.db", k);
      g_autofree char *dsn = fresh_dsn (f, dsn_name);
      g_autoptr(GanderMigrator) m = new_migrator (dsn, f->migdir);
      guint applied;
      Run run;

      run_init (&run, m);
      run.cancellable = g_cancellable_new ();
      run.cancel_after_finished = k;
      gander_migrator_up_async (m, run.cancellable, up_done, &run);
      run_wait (&run);

      applied = assert_consistent (dsn, n);
      g_assert_cmpuint (applied, >=, k);
      if (run.error != NULL)
        assert_cancelled_error (run.error);
      else
        g_assert_cmpuint (applied, ==, n);
      g_test_message ("cancel after migration %u finished: %u applied", k, applied);
      run_clear (&run);

      run_init (&run, m);
      gander_migrator_up_async (m, NULL, up_done, &run);
      run_wait (&run);
      g_assert_no_error (run.error);
      g_assert_cmpuint (run.results->len, ==, n - applied);
      g_assert_cmpuint (assert_consistent (dsn, n), ==, n);
      run_clear (&run);
    }
}

/* A statement that would run for minutes is interrupted: its migration
 * rolls back (including the table created before it), the one before
 * stays applied, and the run ends at once. */
static void
test_cancel_during_statement (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  Run run;

  write_step (f->migdir, 1, work_rows ());
  {
    g_autofree char *endless = endless_migration ();

    gander_test_write_file (f->migdir, "00002_endless.sql", endless);
  }
  write_step (f->migdir, 3, work_rows ());

  m = new_migrator (f->dsn, f->migdir);
  run_init (&run, m);
  run.cancellable = g_cancellable_new ();
  run.cancel_on_endless = TRUE;
  started = g_get_monotonic_time ();
  gander_migrator_up_async (m, run.cancellable, up_done, &run);
  run_wait (&run);

  assert_cancelled_error (run.error);
  g_assert_cmpuint (run.n_started, ==, 2);
  g_assert_cmpuint (run.n_finished, ==, 2);
  /* interrupted, not waited out */
  g_assert_cmpint (run.done_time - started, <, (under_valgrind () ? 120 : 20) * G_USEC_PER_SEC);
  g_assert_cmpuint (assert_consistent (f->dsn, 3), ==, 1);
  g_assert_false (gander_test_table_exists (ENGINE, f->dsn, "t2"));
  run_clear (&run);

  /* nothing is left locked or half open */
  status = gander_migrator_status (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status->len, ==, 3);
  g_assert_cmpint (gander_migration_status_get_state (g_ptr_array_index (status, 1)), ==,
                   GANDER_MIGRATION_STATE_PENDING);
}

typedef struct
{
  GCancellable *cancellable;
  gulong        delay_us;
} Canceller;

static gpointer
cancel_later (gpointer user_data)
{
  Canceller *c = user_data;

  if (c->delay_us > 0)
    g_usleep (c->delay_us);
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

/* Cancel from another thread at many moments of one run: while opening,
 * while taking the lock, inside statements, between migrations, after
 * the last one. Every outcome must leave a consistent database that a
 * second run completes. */
static void
test_cancel_many_points (Fixture       *f,
                         gconstpointer  data)
{
  const guint n = 5;
  /* a PostgreSQL point costs a fresh database */
  guint n_points = under_valgrind () ? 6 : is_sqlite () ? 24 : 8;
  guint histogram[6] = { 0, };
  gint64 full_run_us;

  write_steps (f->migdir, n);

  /* how long one uncancelled run takes, to spread the points over it */
  {
    g_autofree char *dsn = fresh_dsn (f, "timing.db");
    g_autoptr(GanderMigrator) m = new_migrator (dsn, f->migdir);
    gint64 started = g_get_monotonic_time ();
    Run run;

    run_init (&run, m);
    gander_migrator_up_async (m, NULL, up_done, &run);
    run_wait (&run);
    g_assert_no_error (run.error);
    full_run_us = run.done_time - started;
    run_clear (&run);
  }

  for (guint i = 0; i < n_points; i++)
    {
      g_autofree char *dsn_name = g_strdup_printf ("point-%u.db", i);
      g_autofree char *dsn = fresh_dsn (f, dsn_name);
      g_autoptr(GanderMigrator) m = new_migrator (dsn, f->migdir);
      Canceller c = { NULL, 0 };
      GThread *thread;
      guint applied;
      Run run;

      run_init (&run, m);
      run.cancellable = g_cancellable_new ();
      c.cancellable = run.cancellable;
      /* from 0 to 1.2 times the length of a full run */
      c.delay_us = (gulong) (full_run_us * 1.2 * i / (n_points - 1));
      thread = g_thread_new ("canceller", cancel_later, &c);
      gander_migrator_up_async (m, run.cancellable, up_done, &run);
      run_wait (&run);
      g_thread_join (thread);

      applied = assert_consistent (dsn, n);
      if (run.error != NULL)
        assert_cancelled_error (run.error);
      else
        g_assert_cmpuint (applied, ==, n);
      histogram[applied]++;
      run_clear (&run);

      /* and a second run finishes the job */
      run_init (&run, m);
      gander_migrator_up_async (m, NULL, up_done, &run);
      run_wait (&run);
      g_assert_no_error (run.error);
      g_assert_cmpuint (run.results->len, ==, n - applied);
      g_assert_cmpuint (assert_consistent (dsn, n), ==, n);
      run_clear (&run);
    }

  g_test_message ("full run %" G_GINT64_FORMAT " us; runs stopped after 0..5 "
                  "migrations: %u %u %u %u %u %u", full_run_us,
                  histogram[0], histogram[1], histogram[2],
                  histogram[3], histogram[4], histogram[5]);
  /* the earliest point stops before anything is applied */
  g_assert_cmpuint (histogram[0], >=, 1);
}

/* ------------------------------------------------------------------ */
/* Calling back into a running migrator                                 */

typedef struct
{
  Run      run;
  gboolean probed;
  guint    last_results_len;
  GError  *status_error;
  gboolean second_done;
  GError  *second_error;
} Probe;

/* Another thread tries a second operation while the worker is stuck in
 * the endless statement: it must be refused at once. */
static gpointer
second_up_thread (gpointer data)
{
  Probe *p = data;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) rs = NULL;

  rs = gander_migrator_up (p->run.migrator, cancellable, &p->second_error);
  g_assert_null (rs);
  p->second_done = TRUE;
  return NULL;
}

/* Runs in the caller's thread while the worker sits in the endless
 * statement: nothing here may wait for the worker. */
static void
on_statement_probe (GanderMigrator  *m,
                    GanderMigration *migration,
                    guint            line,
                    const char      *sql,
                    Probe           *p)
{
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) status = NULL;

  if (p->probed || strstr (sql, "4000000000") == NULL)
    return;
  p->probed = TRUE;

  last = gander_migrator_get_last_results (m);
  p->last_results_len = last->len;
  status = gander_migrator_status (m, NULL, &p->status_error);
  g_assert_null (status);
  /* the worker cannot leave the statement before the cancel below */
  g_thread_join (g_thread_new ("second-up", second_up_thread, p));
  g_cancellable_cancel (p->run.cancellable);
}

static void
test_busy_while_running (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderMigrator) m = NULL;
  Probe p;

  write_step (f->migdir, 1, work_rows ());
  {
    g_autofree char *endless = endless_migration ();

    gander_test_write_file (f->migdir, "00002_endless.sql", endless);
  }

  m = new_migrator (f->dsn, f->migdir);
  memset (&p, 0, sizeof p);
  run_init (&p.run, m);
  p.run.cancellable = g_cancellable_new ();
  g_signal_connect (m, "executing-statement", G_CALLBACK (on_statement_probe), &p);
  gander_migrator_up_async (m, p.run.cancellable, up_done, &p.run);
  run_wait (&p.run);

  g_assert_true (p.probed);
  g_assert_true (p.second_done);
  g_assert_cmpuint (p.last_results_len, ==, 1);
  g_assert_error (p.status_error, GANDER_ERROR, GANDER_ERROR_BUSY);
  g_assert_error (p.second_error, GANDER_ERROR, GANDER_ERROR_BUSY);
  assert_cancelled_error (p.run.error);
  g_assert_cmpuint (assert_consistent (f->dsn, 2), ==, 1);
  g_clear_error (&p.status_error);
  g_clear_error (&p.second_error);
  g_signal_handlers_disconnect_by_data (m, &p);
  run_clear (&p.run);
}

/* ------------------------------------------------------------------ */
/* Lifetime                                                             */

typedef struct
{
  GThread        *thread;
  gboolean        done;
  gboolean        alive_in_callback;
  GanderMigrator *weak;
  GError         *error;
  guint           n_results;
  guint           n_finished;
} Lifetime;

static void
lifetime_finished (GanderMigrator        *m,
                   GanderMigrationResult *result,
                   Lifetime              *lt)
{
  g_assert_true (g_thread_self () == lt->thread);
  lt->n_finished++;
}

static void
lifetime_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Lifetime *lt = user_data;
  g_autoptr(GPtrArray) rs = NULL;

  g_assert_true (g_thread_self () == lt->thread);
  lt->alive_in_callback = lt->weak != NULL && G_OBJECT (lt->weak) == source;
  rs = gander_migrator_up_finish (GANDER_MIGRATOR (source), result, &lt->error);
  lt->n_results = rs != NULL ? rs->len : 0;
  lt->done = TRUE;
}

static void
wait_finalized (Lifetime *lt)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* The last reference may be dropped by the worker after the callback;
   * queued deliveries hold references too until they are dispatched. */
  while (lt->weak != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
test_lifetime_drop_ref (Fixture       *f,
                        gconstpointer  data)
{
  Lifetime lt = { g_thread_self (), };
  GanderMigrator *m;

  write_steps (f->migdir, 3);
  m = new_migrator (f->dsn, f->migdir);
  lt.weak = m;
  g_object_add_weak_pointer (G_OBJECT (m), (gpointer *) &lt.weak);
  g_signal_connect (m, "migration-finished", G_CALLBACK (lifetime_finished), &lt);

  gander_migrator_up_async (m, NULL, lifetime_done, &lt);
  g_object_unref (m);

  while (!lt.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (lt.error);
  g_assert_true (lt.alive_in_callback);
  g_assert_cmpuint (lt.n_results, ==, 3);
  g_assert_cmpuint (lt.n_finished, ==, 3);
  wait_finalized (&lt);
  g_assert_cmpuint (assert_consistent (f->dsn, 3), ==, 3);
}

/* The same while a long statement runs and is cancelled: the callback
 * still comes, with the cancellation, and the migrator goes away after. */
static void
test_lifetime_drop_ref_and_cancel (Fixture       *f,
                                   gconstpointer  data)
{
  Lifetime lt = { g_thread_self (), };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller c = { cancellable, 200 * 1000 };
  GanderMigrator *m;
  GThread *thread;

  write_step (f->migdir, 1, work_rows ());
  {
    g_autofree char *endless = endless_migration ();

    gander_test_write_file (f->migdir, "00002_endless.sql", endless);
  }

  m = new_migrator (f->dsn, f->migdir);
  lt.weak = m;
  g_object_add_weak_pointer (G_OBJECT (m), (gpointer *) &lt.weak);
  g_signal_connect (m, "migration-finished", G_CALLBACK (lifetime_finished), &lt);

  gander_migrator_up_async (m, cancellable, lifetime_done, &lt);
  g_object_unref (m);
  thread = g_thread_new ("canceller", cancel_later, &c);

  while (!lt.done)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  assert_cancelled_error (lt.error);
  g_clear_error (&lt.error);
  g_assert_true (lt.alive_in_callback);
  wait_finalized (&lt);
  g_assert_cmpuint (assert_consistent (f->dsn, 2), <=, 1);
  g_assert_false (gander_test_table_exists (ENGINE, f->dsn, "t2"));
}

/* ------------------------------------------------------------------ */
/* refresh_async: the properties before anything has run               */

typedef struct
{
  GThread *thread;
  Wait    *wait;
  guint    n_version;
  guint    n_pending;
  gboolean after_callback;
  gboolean wrong_thread;
} SummaryWatch;

static void
on_summary (GObject      *object,
            GParamSpec   *pspec,
            SummaryWatch *watch)
{
  if (g_thread_self () != watch->thread)
    watch->wrong_thread = TRUE;
  if (watch->wait->result != NULL)
    watch->after_callback = TRUE;
  if (g_str_equal (pspec->name, "current-version"))
    watch->n_version++;
  else
    watch->n_pending++;
}

static void
test_refresh_async (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  write_steps (f->migdir, 3);
  {
    g_autoptr(GanderMigrator) m0 = new_migrator (f->dsn, f->migdir);

    results = gander_migrator_up_to (m0, 2, NULL, &error);
    g_assert_no_error (error);
  }

  /* refresh_async(), then status_async() on a second new migrator */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GanderMigrator) m = new_migrator (f->dsn, f->migdir);
      Wait w = WAIT_INIT;
      SummaryWatch watch = { g_thread_self (), &w, 0, 0, FALSE, FALSE };

      g_signal_connect (m, "notify::current-version", G_CALLBACK (on_summary), &watch);
      g_signal_connect (m, "notify::pending-count", G_CALLBACK (on_summary), &watch);
      if (i == 0)
        gander_migrator_refresh_async (m, NULL, got_result, &w);
      else
        gander_migrator_status_async (m, NULL, got_result, &w);
      /* nothing arrives before the caller's main loop runs */
      g_usleep (50 * 1000);
      g_assert_cmpuint (watch.n_version + watch.n_pending, ==, 0);

      if (i == 0)
        g_assert_true (gander_migrator_refresh_finish (m, wait_result (&w), &error));
      else
        {
          g_autoptr(GPtrArray) status = gander_migrator_status_finish (m, wait_result (&w), &error);

          g_assert_nonnull (status);
        }
      g_assert_no_error (error);
      g_assert_cmpuint (watch.n_version, ==, 1);
      g_assert_cmpuint (watch.n_pending, ==, 1);
      g_assert_false (watch.wrong_thread);
      g_assert_false (watch.after_callback);
      g_assert_cmpint (gander_migrator_get_current_version (m), ==, 2);
      g_assert_cmpuint (gander_migrator_get_pending_count (m), ==, 1);
      g_signal_handlers_disconnect_by_data (m, &watch);
      g_object_unref (w.result);
    }
  /* refresh() created nothing and changed nothing */
  g_assert_cmpuint (assert_consistent (f->dsn, 3), ==, 2);
}

typedef struct
{
  const char *engine;
  void      (*func) (Fixture *f, gconstpointer data);
} Case;

/* Every test, on an engine whose server could not start, is skipped. */
static void
run_case (Fixture       *f,
          gconstpointer  data)
{
  const Case *c = data;

  if (f->dsn == NULL)
    {
      g_test_skip (gander_test_engine_skip_reason (c->engine));
      return;
    }
  c->func (f, NULL);
}

static void
fixture_setup_case (Fixture       *f,
                    gconstpointer  data)
{
  fixture_setup (f, ((const Case *) data)->engine);
}

static GPtrArray *all_cases;

static void
add_tests (const char *engine)
{
  static const struct { const char *path; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "threads/main-thread", test_up_main_thread },
    { "threads/caller-busy", test_up_caller_busy },
    { "threads/other-thread", test_up_other_thread },
    { "threads/two-at-once", test_two_at_once },
    { "operations/all", test_all_operations },
    { "operations/errors", test_errors },
    { "cancel/before-start", test_cancel_before_start },
    { "cancel/sync-between-migrations", test_cancel_sync_between },
    { "cancel/from-migration-finished", test_cancel_from_finished_handler },
    { "cancel/during-statement", test_cancel_during_statement },
    { "cancel/many-points", test_cancel_many_points },
    { "busy/while-running", test_busy_while_running },
    { "refresh/async", test_refresh_async },
    { "lifetime/drop-ref", test_lifetime_drop_ref },
    { "lifetime/drop-ref-and-cancel", test_lifetime_drop_ref_and_cancel },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/async/%s/%s", engine, tests[i].path);
      /* lives as long as the test suite; freed after g_test_run() */
      Case *c = g_new0 (Case, 1);

      if (all_cases == NULL)
        all_cases = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (all_cases, c);

      c->engine = engine;
      c->func = tests[i].func;
      g_test_add (path, Fixture, c, fixture_setup_case, run_case, fixture_teardown);
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  add_tests ("sqlite3");
  if (gander_test_engine_wanted ("postgres"))
    add_tests ("postgres");

  ret = gander_test_run ();
  g_clear_pointer (&all_cases, g_ptr_array_unref);
  return ret;
}
