/* test-health-postgres.c: GanderHealth on the temporary PostgreSQL server
 * — every check passes on a healthy database (and how long they take),
 * and each fails for a real reason: a role without CREATE on public
 * (PostgreSQL 15), a role that may not write an existing version table, a
 * transaction of another connection holding a lock on a table the plan
 * touches, default_transaction_read_only set for the role and by the
 * client, an invalid index left by a failed CREATE UNIQUE INDEX
 * CONCURRENTLY, a NOT VALID constraint, a post-check query returning a
 * row, a free-space factor no disk meets, a version that is not the
 * target; SKIPPED after a failed connection; the async twin and a cancel
 * of a running query.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include "gander-test-pg.h"
#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *migdir;
  char *dsn;
  char *dbname;
} Fixture;

#define M1 "-- +goose Up\nCREATE TABLE a (x integer);\n-- +goose Down\nDROP TABLE a;\n"
#define M2 "-- +goose Up\nCREATE TABLE b (x integer);\n-- +goose Down\nDROP TABLE b;\n"
#define M3 "-- +goose Up\nCREATE TABLE c (x integer);\n-- +goose Down\nDROP TABLE c;\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("gander-health-pg-XXXXXX", &error);
  g_assert_no_error (error);
  f->migdir = g_build_filename (f->tmpdir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (f->migdir, 0755), ==, 0);
  gander_test_write_file (f->migdir, "00001_a.sql", M1);
  gander_test_write_file (f->migdir, "00002_b.sql", M2);
  gander_test_write_file (f->migdir, "00003_c.sql", M3);
  f->dsn = gander_test_pg_create_database ();
  if (f->dsn != NULL)
    f->dbname = gander_test_pg_dbname_from_dsn (f->dsn);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->migdir);
  g_free (f->dsn);
  g_free (f->dbname);
}

#define SKIP_IF_NO_SERVER(f) \
  G_STMT_START { if ((f)->dsn == NULL) { g_test_skip (gander_test_pg_skip_reason ()); return; } } G_STMT_END

static GanderMigrator *
new_migrator_for (Fixture    *f,
                  const char *dsn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderDatabase) db = gander_database_new_for_driver ("postgres", dsn, &error);
  g_autoptr(GanderSource) source = NULL;

  g_assert_no_error (error);
  source = gander_source_new_for_path (f->migdir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  return gander_migrator_new (db, source);
}

static GanderMigrator *
new_migrator (Fixture *f)
{
  return new_migrator_for (f, f->dsn);
}

static void
migrate_up (GanderMigrator *migrator)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = gander_migrator_run (migrator, GANDER_PLAN_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A login role of this test's own (roles belong to the cluster), and a
 * DSN of this database that connects as it. */
static char *
new_role (Fixture    *f,
          const char *suffix,
          char      **dsn)
{
  char *role = g_strdup_printf ("%s_%s", f->dbname, suffix);
  g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN", role);

  gander_test_exec ("postgres", f->dsn, sql);
  *dsn = g_strdup_printf ("%s user=%s", f->dsn, role);
  return role;
}

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_healthy (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) any = NULL;
  g_autofree char *backups = NULL;
  const char * const before_names[] = { "connectivity", "writable", "privileges", "version-table",
                                        "disk-space", "blocking-locks", NULL };
  const char * const after_names[] = { "target-version", "running-marker", "invalid-indexes",
                                       "not-valid-constraints", "post-check-sql", NULL };
  const char * const post[] = { "SELECT x FROM a WHERE x < 0", NULL };
  gint64 rounds[11];
  gint64 before_us[11];

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  backups = g_build_filename (f->tmpdir, "backups", NULL);
  migrate_up (migrator);
  gander_health_set_backup_directory (health, backups);
  gander_health_set_target_version (health, 3);
  gander_health_set_post_check_sql (health, post);

  /* the connection is open (the run opened it), as in the pipeline; the
   * machine may be busy: the best and the median of 11 rounds */
  for (guint round = 0; round < G_N_ELEMENTS (rounds); round++)
    {
      g_autoptr(GPtrArray) b = NULL;
      g_autoptr(GPtrArray) a = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 mid;

      b = gander_health_run (health, GANDER_HEALTH_PHASE_BEFORE, NULL, NULL);
      mid = g_get_monotonic_time ();
      a = gander_health_run (health, GANDER_HEALTH_PHASE_AFTER, NULL, NULL);
      rounds[round] = g_get_monotonic_time () - start;
      before_us[round] = mid - start;
      g_assert_nonnull (b);
      g_assert_nonnull (a);
    }
  qsort (rounds, G_N_ELEMENTS (rounds), sizeof rounds[0], compare_int64);
  qsort (before_us, G_N_ELEMENTS (before_us), sizeof before_us[0], compare_int64);
  g_test_message ("PostgreSQL, local socket: before + after checks: best %.2f ms, median %.2f ms "
                  "(before alone: best %.2f ms, median %.2f ms)",
                  rounds[0] / 1000.0, rounds[G_N_ELEMENTS (rounds) / 2] / 1000.0,
                  before_us[0] / 1000.0, before_us[G_N_ELEMENTS (before_us) / 2] / 1000.0);

  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  g_assert_cmpuint (before->len, ==, g_strv_length ((GStrv) before_names));
  for (guint i = 0; before_names[i] != NULL; i++)
    g_assert_cmpstr (gander_health_result_get_name (g_ptr_array_index (before, i)), ==, before_names[i]);
  g_assert_cmpuint (after->len, ==, g_strv_length ((GStrv) after_names));
  for (guint i = 0; after_names[i] != NULL; i++)
    g_assert_cmpstr (gander_health_result_get_name (g_ptr_array_index (after, i)), ==, after_names[i]);
  gander_test_health_assert_all_ok (before);
  gander_test_health_assert_all_ok (after);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_OK, "PostgreSQL ");
  gander_test_health_assert (before, "disk-space", GANDER_HEALTH_STATUS_OK, "cannot be seen");

  any = gander_test_health_run (health, GANDER_HEALTH_PHASE_ANY);
  gander_test_health_assert_all_ok (any);
  g_assert_null (gander_test_health_find (any, "target-version"));
  g_assert_null (gander_test_health_find (any, "integrity"));
  g_assert_null (gander_test_health_find (any, "foreign-keys"));

  /* a new database, not migrated: the superuser may create the tables */
  {
    g_autofree char *fresh_dsn = gander_test_pg_create_database ();
    g_autoptr(GanderMigrator) fresh = new_migrator_for (f, fresh_dsn);
    g_autoptr(GanderHealth) fresh_health = gander_health_new (fresh);
    g_autoptr(GPtrArray) fresh_before = gander_test_health_run (fresh_health, GANDER_HEALTH_PHASE_BEFORE);

    gander_test_health_assert (fresh_before, "privileges", GANDER_HEALTH_STATUS_OK, "may create");
    gander_test_health_assert (fresh_before, "version-table", GANDER_HEALTH_STATUS_OK, "first run");
    gander_test_health_assert (fresh_before, "disk-space", GANDER_HEALTH_STATUS_SKIPPED,
                               "no backup directory");
  }
}

/* PostgreSQL 15 and later: a new role may not create in public. */
static void
test_privileges_create (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autofree char *role = NULL;
  g_autofree char *grant = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) refused = NULL;
  g_autoptr(GPtrArray) granted = NULL;
  const char * const only[] = { "privileges", NULL };

  SKIP_IF_NO_SERVER (f);
  role = new_role (f, "app", &dsn);
  /* what PostgreSQL 15 does by default, also on older servers */
  gander_test_exec ("postgres", f->dsn, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  migrator = new_migrator_for (f, dsn);
  health = gander_health_new (migrator);
  gander_health_set_checks (health, only);
  refused = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  expected = g_strdup_printf ("`GRANT CREATE ON SCHEMA public TO %s;`", role);
  gander_test_health_assert (refused, "privileges", GANDER_HEALTH_STATUS_FAIL,
                             "permission denied to create in schema public");
  gander_test_health_assert (refused, "privileges", GANDER_HEALTH_STATUS_FAIL, expected);
  gander_test_health_assert (refused, "privileges", GANDER_HEALTH_STATUS_FAIL,
                             "-table myschema.goose_db_version");

  grant = g_strdup_printf ("GRANT CREATE ON SCHEMA public TO %s", role);
  gander_test_exec ("postgres", f->dsn, grant);
  granted = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (granted, "privileges", GANDER_HEALTH_STATUS_OK, "may create");
}

/* The tables exist (the owner made them) and the role may not write them. */
static void
test_privileges_table (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autofree char *role = NULL;
  g_autofree char *grant = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GanderMigrator) owner = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) refused = NULL;
  g_autoptr(GPtrArray) granted = NULL;
  const char * const only[] = { "privileges", NULL };

  SKIP_IF_NO_SERVER (f);
  owner = new_migrator (f);
  migrate_up (owner);
  role = new_role (f, "reader", &dsn);
  migrator = new_migrator_for (f, dsn);
  health = gander_health_new (migrator);
  gander_health_set_checks (health, only);
  refused = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  expected = g_strdup_printf ("`GRANT SELECT, INSERT, DELETE ON public.goose_db_version TO %s;`", role);
  gander_test_health_assert (refused, "privileges", GANDER_HEALTH_STATUS_FAIL, expected);

  grant = g_strdup_printf ("GRANT SELECT, INSERT, DELETE ON goose_db_version TO %s; "
                           "GRANT SELECT, INSERT, UPDATE, DELETE ON goose_db_version_gander TO %s",
                           role, role);
  gander_test_exec ("postgres", f->dsn, grant);
  granted = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (granted, "privileges", GANDER_HEALTH_STATUS_OK, "may write");
}

static void
test_read_only_role (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autofree char *role = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *client_dsn = NULL;
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderMigrator) client = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GanderHealth) client_health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) client_before = NULL;
  const char * const only[] = { "writable", NULL };

  SKIP_IF_NO_SERVER (f);
  role = new_role (f, "ro", &dsn);
  sql = g_strdup_printf ("ALTER ROLE %s SET default_transaction_read_only = on", role);
  gander_test_exec ("postgres", f->dsn, sql);
  migrator = new_migrator_for (f, dsn);
  health = gander_health_new (migrator);
  gander_health_set_checks (health, only);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  expected = g_strdup_printf ("`ALTER ROLE %s RESET default_transaction_read_only;`", role);
  gander_test_health_assert (before, "writable", GANDER_HEALTH_STATUS_FAIL, "the session is read-only");
  gander_test_health_assert (before, "writable", GANDER_HEALTH_STATUS_FAIL, expected);

  /* the same from the client's options */
  client_dsn = g_strdup_printf ("%s options='-c default_transaction_read_only=on'", f->dsn);
  client = new_migrator_for (f, client_dsn);
  client_health = gander_health_new (client);
  gander_health_set_checks (client_health, only);
  client_before = gander_test_health_run (client_health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (client_before, "writable", GANDER_HEALTH_STATUS_FAIL, "PGOPTIONS");
}

static PGconn *
hold_lock (Fixture    *f,
           const char *sql)
{
  g_autofree char *dsn = g_strdup_printf ("%s application_name=lock-holder", f->dsn);
  g_autofree char *begin = g_strdup_printf ("BEGIN; %s", sql);
  PGconn *conn = PQconnectdb (dsn);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, begin);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  PQclear (res);
  return conn;
}

static void
release (PGconn *conn)
{
  PGresult *res = PQexec (conn, "ROLLBACK");

  PQclear (res);
  PQfinish (conn);
}

#define M4_ALTER_A "-- +goose Up\nALTER TABLE a ADD COLUMN y integer;\n-- +goose Down\nALTER TABLE a DROP COLUMN y;\n"
#define M4_NEW_D "-- +goose Up\nCREATE TABLE d (x integer);\n-- +goose Down\nDROP TABLE d;\n"

static void
test_blocking_locks (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderMigrator) other = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GanderHealth) other_health = NULL;
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GanderPlan) other_plan = NULL;
  g_autoptr(GPtrArray) warned = NULL;
  g_autoptr(GPtrArray) unrelated = NULL;
  g_autoptr(GPtrArray) no_plan = NULL;
  g_autoptr(GPtrArray) young = NULL;
  g_autoptr(GPtrArray) released = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *cancel_hint = NULL;
  g_autofree char *other_dir = NULL;
  const char * const only[] = { "blocking-locks", NULL };
  PGconn *holder;

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  migrate_up (migrator);
  /* the next migration alters a; another one only creates d */
  gander_test_write_file (f->migdir, "00004_alter_a.sql", M4_ALTER_A);
  g_clear_object (&migrator);
  migrator = new_migrator (f);
  plan = gander_migrator_plan (migrator, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_plan_get_n_steps (plan), ==, 1);

  /* an idle transaction that has read a */
  holder = hold_lock (f, "SELECT count(*) FROM a");
  pid = g_strdup_printf ("pid %d ", PQbackendPID (holder));
  cancel_hint = g_strdup_printf ("(pid: %d)", PQbackendPID (holder));

  health = gander_health_new (migrator);
  gander_health_set_checks (health, only);
  gander_health_set_plan (health, plan);
  warned = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (warned, "blocking-locks", GANDER_HEALTH_STATUS_WARN, pid);
  gander_test_health_assert (warned, "blocking-locks", GANDER_HEALTH_STATUS_WARN, "AccessShareLock on public.a");
  gander_test_health_assert (warned, "blocking-locks", GANDER_HEALTH_STATUS_WARN, "application lock-holder");
  gander_test_health_assert (warned, "blocking-locks", GANDER_HEALTH_STATUS_WARN, "idle in transaction");
  gander_test_health_assert (warned, "blocking-locks", GANDER_HEALTH_STATUS_WARN, "SELECT pg_cancel_backend(pid);");
  gander_test_health_assert (warned, "blocking-locks", GANDER_HEALTH_STATUS_WARN, cancel_hint);

  /* older than the threshold only */
  gander_health_set_lock_age_threshold (health, G_TIME_SPAN_HOUR);
  young = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (young, "blocking-locks", GANDER_HEALTH_STATUS_OK, NULL);
  gander_health_set_lock_age_threshold (health, 0);

  /* a plan that does not touch a */
  other_dir = g_build_filename (f->tmpdir, "other", NULL);
  g_assert_cmpint (g_mkdir (other_dir, 0755), ==, 0);
  gander_test_write_file (other_dir, "00001_a.sql", M1);
  gander_test_write_file (other_dir, "00002_b.sql", M2);
  gander_test_write_file (other_dir, "00003_c.sql", M3);
  gander_test_write_file (other_dir, "00004_new_d.sql", M4_NEW_D);
  {
    g_autoptr(GanderDatabase) db = gander_database_new_for_driver ("postgres", f->dsn, &error);
    g_autoptr(GanderSource) source = gander_source_new_for_path (other_dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);

    g_assert_no_error (error);
    other = gander_migrator_new (db, source);
  }
  other_plan = gander_migrator_plan (other, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  other_health = gander_health_new (other);
  gander_health_set_checks (other_health, only);
  gander_health_set_plan (other_health, other_plan);
  unrelated = gander_test_health_run (other_health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (unrelated, "blocking-locks", GANDER_HEALTH_STATUS_OK,
                             "none on a table the plan touches");

  /* without a plan every table lock counts */
  gander_health_set_plan (other_health, NULL);
  no_plan = gander_test_health_run (other_health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (no_plan, "blocking-locks", GANDER_HEALTH_STATUS_WARN, "public.a");

  release (holder);
  released = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (released, "blocking-locks", GANDER_HEALTH_STATUS_OK, NULL);
}

static void
test_invalid_index (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  migrate_up (migrator);
  gander_test_exec ("postgres", f->dsn, "INSERT INTO a VALUES (1), (1)");
  /* fails on the duplicates and leaves the index behind, invalid */
  g_assert_false (gander_test_pg_exec (f->dbname, "CREATE UNIQUE INDEX CONCURRENTLY a_x_key ON a (x)", &error));
  g_assert_nonnull (error);

  health = gander_health_new (migrator);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "invalid-indexes", GANDER_HEALTH_STATUS_FAIL, "public.a_x_key on public.a");
  gander_test_health_assert (after, "invalid-indexes", GANDER_HEALTH_STATUS_FAIL,
                             "`DROP INDEX CONCURRENTLY public.a_x_key;`");
  gander_test_health_assert (after, "not-valid-constraints", GANDER_HEALTH_STATUS_OK, NULL);
}

#define M4_NOT_VALID "-- +goose Up\nALTER TABLE a ADD CONSTRAINT a_x_positive CHECK (x > 0) NOT VALID;\n" \
                     "-- +goose Down\nALTER TABLE a DROP CONSTRAINT a_x_positive;\n"

static void
test_not_valid (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GanderPlan) plan = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) by_run = NULL;
  g_autoptr(GPtrArray) on_demand = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_SERVER (f);
  gander_test_write_file (f->migdir, "00004_not_valid.sql", M4_NOT_VALID);
  migrator = new_migrator (f);
  plan = gander_migrator_plan (migrator, GANDER_PLAN_OPERATION_UP, 0, NULL, &error);
  g_assert_no_error (error);
  results = gander_migrator_run (migrator, GANDER_PLAN_OPERATION_UP, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  health = gander_health_new (migrator);
  gander_health_set_plan (health, plan);
  by_run = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (by_run, "not-valid-constraints", GANDER_HEALTH_STATUS_FAIL,
                             "a_x_positive on public.a (added by this run)");
  gander_test_health_assert (by_run, "not-valid-constraints", GANDER_HEALTH_STATUS_FAIL,
                             "`ALTER TABLE public.a VALIDATE CONSTRAINT a_x_positive;`");
  gander_test_health_assert (by_run, "target-version", GANDER_HEALTH_STATUS_OK, "version 4");

  /* on demand, nobody knows who added it: a warning */
  gander_health_set_plan (health, NULL);
  on_demand = gander_test_health_run (health, GANDER_HEALTH_PHASE_ANY);
  gander_test_health_assert (on_demand, "not-valid-constraints", GANDER_HEALTH_STATUS_WARN,
                             "never validated");
}

static void
test_post_check_and_target (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) after = NULL;
  const char * const post[] = {
    "SELECT 'rows in a with x <= 0: ' || count(*) FROM a WHERE x <= 0 HAVING count(*) > 0",
    "SELECT x FROM a WHERE x > 100",
    "SELECT * FROM no_such_table",
    /* a check that writes fails in its read-only transaction */
    "WITH gone AS (DELETE FROM a RETURNING x) SELECT count(*) FROM gone",
    NULL
  };
  gint64 rows;

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  migrate_up (migrator);
  gander_test_exec ("postgres", f->dsn, "INSERT INTO a VALUES (0), (-1), (5)");
  rows = gander_test_query_int ("postgres", f->dsn, "SELECT count(*) FROM a");
  health = gander_health_new (migrator);
  gander_health_set_post_check_sql (health, post);
  gander_health_set_target_version (health, 4);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "post-check-sql#4", GANDER_HEALTH_STATUS_FAIL,
                             "read-only transaction");
  g_assert_cmpint (gander_test_query_int ("postgres", f->dsn, "SELECT count(*) FROM a"), ==, rows);
  g_assert_cmpint (rows, >=, 3);
  gander_test_health_assert (after, "post-check-sql", GANDER_HEALTH_STATUS_FAIL, "rows in a with x <= 0: 2");
  gander_test_health_assert (after, "post-check-sql#2", GANDER_HEALTH_STATUS_OK, NULL);
  gander_test_health_assert (after, "post-check-sql#3", GANDER_HEALTH_STATUS_FAIL, "does not exist");
  gander_test_health_assert (after, "target-version", GANDER_HEALTH_STATUS_FAIL,
                             "at version 3, not at the target version 4");
  /* a failed query leaves the connection usable */
  gander_test_health_assert (after, "invalid-indexes", GANDER_HEALTH_STATUS_OK, NULL);
}

static void
test_disk_space (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autofree char *backups = NULL;
  const char * const only[] = { "disk-space", NULL };

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  health = gander_health_new (migrator);
  backups = g_build_filename (f->tmpdir, "backups", "db", NULL);
  gander_health_set_backup_directory (health, backups);
  gander_health_set_checks (health, only);
  /* a database is several MB: 10^9 times that is no disk */
  gander_health_set_free_space_factor (health, 1e9);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "disk-space", GANDER_HEALTH_STATUS_FAIL, "(the backup directory)");
  gander_test_health_assert (before, "disk-space", GANDER_HEALTH_STATUS_FAIL, "server's own disk");
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderMigrator) later = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) allowed = NULL;
  g_autofree char *gone = NULL;

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  migrate_up (migrator);
  gone = g_build_filename (f->migdir, "00003_c.sql", NULL);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  later = new_migrator (f);
  health = gander_health_new (later);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "version-table", GANDER_HEALTH_STATUS_FAIL, "have no file");
  gander_migrator_set_allow_missing (later, TRUE);
  allowed = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (allowed, "version-table", GANDER_HEALTH_STATUS_OK, "allow-missing");
}

static void
test_no_connection (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GPtrArray) before = NULL;

  SKIP_IF_NO_SERVER (f);
  /* nothing listens on port 1 */
  migrator = new_migrator_for (f, "host=127.0.0.1 port=1 dbname=nothing user=nobody connect_timeout=5");
  health = gander_health_new (migrator);
  before = gander_test_health_run (health, GANDER_HEALTH_PHASE_BEFORE);
  gander_test_health_assert (before, "connectivity", GANDER_HEALTH_STATUS_FAIL, NULL);
  g_assert_cmpuint (before->len, ==, 6);
  for (guint i = 1; i < before->len; i++)
    {
      GanderHealthResult *r = g_ptr_array_index (before, i);

      g_assert_cmpint (gander_health_result_get_status (r), ==, GANDER_HEALTH_STATUS_SKIPPED);
      g_assert_cmpstr (gander_health_result_get_message (r), ==, "not run: no connection");
    }
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *results;
  GError    *error;
} AsyncData;

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncData *data = user_data;

  data->results = gander_health_run_finish (GANDER_HEALTH (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static gboolean
cancel_later (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_async_and_cancel (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderMigrator) migrator = NULL;
  g_autoptr(GanderHealth) health = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) after = NULL;
  AsyncData async = { loop, NULL, NULL };
  const char * const slow[] = { "SELECT 'slept' FROM pg_sleep(30)", NULL };
  gint64 start;

  SKIP_IF_NO_SERVER (f);
  migrator = new_migrator (f);
  migrate_up (migrator);
  health = gander_health_new (migrator);

  gander_health_run_async (health, GANDER_HEALTH_PHASE_BEFORE, NULL, run_done, &async);
  g_main_loop_run (loop);
  g_assert_no_error (async.error);
  gander_test_health_assert (async.results, "connectivity", GANDER_HEALTH_STATUS_OK, "PostgreSQL");
  gander_test_health_assert (async.results, "blocking-locks", GANDER_HEALTH_STATUS_OK, NULL);
  g_clear_pointer (&async.results, g_ptr_array_unref);

  /* a cancel reaches the server and ends the running query */
  gander_health_set_post_check_sql (health, slow);
  start = g_get_monotonic_time ();
  gander_health_run_async (health, GANDER_HEALTH_PHASE_AFTER, cancellable, run_done, &async);
  g_timeout_add (300, cancel_later, cancellable);
  g_main_loop_run (loop);
  g_assert_error (async.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (async.results);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
  g_clear_error (&async.error);

  gander_health_set_post_check_sql (health, NULL);
  after = gander_test_health_run (health, GANDER_HEALTH_PHASE_AFTER);
  gander_test_health_assert (after, "running-marker", GANDER_HEALTH_STATUS_OK, NULL);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/health/postgres/healthy", test_healthy);
  ADD ("/health/postgres/privileges/create", test_privileges_create);
  ADD ("/health/postgres/privileges/table", test_privileges_table);
  ADD ("/health/postgres/read-only", test_read_only_role);
  ADD ("/health/postgres/blocking-locks", test_blocking_locks);
  ADD ("/health/postgres/invalid-index", test_invalid_index);
  ADD ("/health/postgres/not-valid", test_not_valid);
  ADD ("/health/postgres/post-check-and-target", test_post_check_and_target);
  ADD ("/health/postgres/disk-space", test_disk_space);
  ADD ("/health/postgres/missing-file", test_missing_file);
  ADD ("/health/postgres/no-connection", test_no_connection);
  ADD ("/health/postgres/async-and-cancel", test_async_and_cancel);

  return gander_test_run ();
}
