/* test-breaker.c: GanderCircuitBreaker opens, survives a new process,
 * half-opens after its time, resets, and can be disabled
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gander.h"
#include "gander-circuit-breaker-private.h"
#include "gander-test-util.h"

#define MINUTE (60 * G_USEC_PER_SEC)
/* 2026-11-30T10:00:00Z: a fixed "now" so the assertions can name times */
#define T0 (G_GINT64_CONSTANT (1796032800) * G_USEC_PER_SEC)

typedef struct
{
  char *tmpdir;
  char *state_dir;   /* tmpdir/breakers, not created: the breaker makes it */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("gander-breaker-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->state_dir = g_build_filename (fixture->tmpdir, "state", "breakers", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gander_test_rm_rf (fixture->tmpdir);
  g_free (fixture->state_dir);
  g_free (fixture->tmpdir);
}

static GanderCircuitBreaker *
new_breaker (Fixture *fixture,
             guint    threshold,
             gint64   now)
{
  GanderCircuitBreaker *breaker =
    gander_circuit_breaker_new ("profile:alerts", fixture->state_dir, threshold, 10 * MINUTE);

  gander_circuit_breaker_set_now (breaker, now);
  return breaker;
}

static void
fail_n (GanderCircuitBreaker *breaker,
        guint                 n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gander_circuit_breaker_record_failure (breaker, &error));
      g_assert_no_error (error);
    }
}

static gint64
to_usec (GDateTime *dt)
{
  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

/* N-1 failures keep it closed; the Nth opens it; the refusal says since
 * when, after how many failures, when it half-opens and how to reset. The
 * state file is 0600 in a 0700 directory. */
static void
test_breaker_opens_after_threshold (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) breaker = new_breaker (fixture, 3, T0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) opened = NULL;
  g_autoptr(GDateTime) half_open = NULL;
  GStatBuf st;

  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);
  /* nothing written while nothing failed */
  g_assert_false (g_file_test (fixture->state_dir, G_FILE_TEST_EXISTS));
  g_assert_null (gander_circuit_breaker_get_opened_at (breaker));

  fail_n (breaker, 2);
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_CLOSED);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 2);
  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);

  fail_n (breaker, 1);
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_OPEN);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 3);
  opened = gander_circuit_breaker_get_opened_at (breaker);
  half_open = gander_circuit_breaker_get_half_open_at (breaker);
  g_assert_cmpint (to_usec (opened), ==, T0);
  g_assert_cmpint (to_usec (half_open), ==, T0 + 10 * MINUTE);

  g_assert_false (gander_circuit_breaker_allow (breaker, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_assert_nonnull (strstr (error->message, "profile:alerts"));
  g_assert_nonnull (strstr (error->message, "since 2026-11-30 10:00:00 UTC"));
  g_assert_nonnull (strstr (error->message, "after 3 consecutive failed runs"));
  g_assert_nonnull (strstr (error->message, "half-opens at 2026-11-30 10:10:00 UTC"));
  g_assert_nonnull (strstr (error->message, "gander breaker reset"));
  g_clear_error (&error);

  /* still open one second before the end of the period */
  gander_circuit_breaker_set_now (breaker, T0 + 10 * MINUTE - G_USEC_PER_SEC);
  g_assert_false (gander_circuit_breaker_allow (breaker, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_clear_error (&error);

  g_assert_cmpint (g_stat (fixture->state_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (gander_circuit_breaker_get_state_file (breaker), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_str_has_prefix (gander_circuit_breaker_get_state_file (breaker),
                                   fixture->state_dir));
}

/* A success resets the count: failures must be consecutive. */
static void
test_breaker_success_resets_count (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) breaker = new_breaker (fixture, 3, T0);
  g_autoptr(GError) error = NULL;

  fail_n (breaker, 2);
  g_assert_true (gander_circuit_breaker_record_success (breaker, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 0);
  g_assert_false (g_file_test (gander_circuit_breaker_get_state_file (breaker), G_FILE_TEST_EXISTS));
  fail_n (breaker, 2);
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_CLOSED);
  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);
}

/* Another instance on the same key and directory (what a new process
 * makes) sees the open breaker; one on another key does not. */
static void
test_breaker_second_instance (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) first = new_breaker (fixture, 2, T0);
  g_autoptr(GanderCircuitBreaker) second = new_breaker (fixture, 2, T0 + MINUTE);
  g_autoptr(GanderCircuitBreaker) other = NULL;
  g_autoptr(GError) error = NULL;

  fail_n (first, 2);
  g_assert_cmpint (gander_circuit_breaker_get_state (second), ==, GANDER_BREAKER_STATE_OPEN);
  g_assert_false (gander_circuit_breaker_allow (second, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_clear_error (&error);

  other = gander_circuit_breaker_new ("profile:billing", fixture->state_dir, 2, 10 * MINUTE);
  g_assert_cmpint (gander_circuit_breaker_get_state (other), ==, GANDER_BREAKER_STATE_CLOSED);
  g_assert_true (gander_circuit_breaker_allow (other, &error));
  g_assert_no_error (error);
}

/* A real new process, finding the state through $GANDER_STATE_DIR (the
 * default state directory), refuses to run, then counts its own failure. */
static void
test_breaker_new_process (Fixture       *fixture,
                          gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GanderCircuitBreaker) breaker =
        gander_circuit_breaker_new ("profile:alerts", NULL, 2, 10 * MINUTE);
      g_autoptr(GError) error = NULL;

      g_assert_true (g_str_has_suffix (gander_circuit_breaker_get_state_dir (breaker),
                                       "/state/breakers"));
      g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_OPEN);
      g_assert_false (gander_circuit_breaker_allow (breaker, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
      g_assert_true (gander_circuit_breaker_record_failure (breaker, NULL));
      return;
    }
  else
    {
      g_autofree char *state_root = g_build_filename (fixture->tmpdir, "state", NULL);
      g_autoptr(GanderCircuitBreaker) breaker = NULL;

      g_setenv ("GANDER_STATE_DIR", state_root, TRUE);
      breaker = gander_circuit_breaker_new ("profile:alerts", NULL, 2, 10 * MINUTE);
      g_assert_cmpstr (gander_circuit_breaker_get_state_dir (breaker), ==, fixture->state_dir);
      /* opened now (real clock), so the child sees it open */
      fail_n (breaker, 2);

      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_unsetenv ("GANDER_STATE_DIR");

      g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_OPEN);
      g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 3);
    }
}

/* After the open period: half-open, one trial. A failed trial opens it
 * for another whole period; a successful one closes it. */
static void
test_breaker_half_open (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) breaker = new_breaker (fixture, 2, T0);
  g_autoptr(GanderCircuitBreaker) rival = new_breaker (fixture, 2, T0);
  g_autoptr(GDateTime) opened = NULL;
  g_autoptr(GDateTime) half_open = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 t1 = T0 + 10 * MINUTE;
  const gint64 t2 = t1 + 3 * MINUTE;

  fail_n (breaker, 2);
  gander_circuit_breaker_set_now (breaker, t1);
  gander_circuit_breaker_set_now (rival, t1);
  /* readers see half-open before anyone has asked for the trial */
  g_assert_cmpint (gander_circuit_breaker_get_state (rival), ==, GANDER_BREAKER_STATE_HALF_OPEN);

  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_HALF_OPEN);
  /* the trial belongs to the first caller: asking again is fine ... */
  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);
  /* ... another process is refused while the trial runs */
  g_assert_false (gander_circuit_breaker_allow (rival, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_assert_nonnull (strstr (error->message, "half-open"));
  g_assert_nonnull (strstr (error->message, "trial run"));
  g_clear_error (&error);

  /* the trial fails: open again, for a whole period from now */
  gander_circuit_breaker_set_now (breaker, t2);
  fail_n (breaker, 1);
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_OPEN);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 3);
  opened = gander_circuit_breaker_get_opened_at (breaker);
  half_open = gander_circuit_breaker_get_half_open_at (breaker);
  g_assert_cmpint (to_usec (opened), ==, t2);
  g_assert_cmpint (to_usec (half_open), ==, t2 + 10 * MINUTE);
  gander_circuit_breaker_set_now (rival, t2 + 10 * MINUTE - 1);
  g_assert_false (gander_circuit_breaker_allow (rival, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_assert_nonnull (strstr (error->message, "after 3 consecutive failed runs"));
  g_clear_error (&error);

  /* the next trial, by the other process, succeeds: closed */
  gander_circuit_breaker_set_now (rival, t2 + 10 * MINUTE);
  g_assert_true (gander_circuit_breaker_allow (rival, &error));
  g_assert_no_error (error);
  g_assert_true (gander_circuit_breaker_record_success (rival, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_CLOSED);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 0);
  g_assert_null (gander_circuit_breaker_get_opened_at (breaker));
  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);
}

/* A trial whose process died without a record lapses after one period. */
static void
test_breaker_stale_trial (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) dead = new_breaker (fixture, 1, T0);
  g_autoptr(GanderCircuitBreaker) next = new_breaker (fixture, 1, T0);
  g_autoptr(GError) error = NULL;

  fail_n (dead, 1);
  gander_circuit_breaker_set_now (dead, T0 + 10 * MINUTE);
  g_assert_true (gander_circuit_breaker_allow (dead, &error));
  g_assert_no_error (error);
  g_clear_object (&dead);

  gander_circuit_breaker_set_now (next, T0 + 20 * MINUTE - 1);
  g_assert_false (gander_circuit_breaker_allow (next, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_clear_error (&error);
  gander_circuit_breaker_set_now (next, T0 + 20 * MINUTE);
  g_assert_true (gander_circuit_breaker_allow (next, &error));
  g_assert_no_error (error);
}

/* Reset closes an open breaker at once and removes the file; a second
 * reset is harmless. */
static void
test_breaker_reset (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) breaker = new_breaker (fixture, 1, T0);
  g_autoptr(GanderCircuitBreaker) other = new_breaker (fixture, 1, T0);
  g_autoptr(GError) error = NULL;

  fail_n (breaker, 1);
  g_assert_cmpint (gander_circuit_breaker_get_state (other), ==, GANDER_BREAKER_STATE_OPEN);
  g_assert_true (gander_circuit_breaker_reset (other, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (gander_circuit_breaker_get_state_file (breaker), G_FILE_TEST_EXISTS));
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_CLOSED);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==, 0);
  g_assert_true (gander_circuit_breaker_allow (breaker, &error));
  g_assert_no_error (error);
  g_assert_true (gander_circuit_breaker_reset (other, &error));
  g_assert_no_error (error);
}

/* Threshold 0: every run allowed, nothing read or written, even when a
 * state file says open (the setting wins over old state). */
static void
test_breaker_disabled (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) off = new_breaker (fixture, 0, T0);
  g_autoptr(GanderCircuitBreaker) on = new_breaker (fixture, 1, T0);
  g_autoptr(GError) error = NULL;

  fail_n (off, 10);
  g_assert_false (g_file_test (fixture->state_dir, G_FILE_TEST_EXISTS));
  g_assert_true (gander_circuit_breaker_allow (off, &error));
  g_assert_no_error (error);
  g_assert_true (gander_circuit_breaker_record_success (off, &error));
  g_assert_no_error (error);

  fail_n (on, 1);
  g_assert_false (gander_circuit_breaker_allow (on, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN);
  g_clear_error (&error);
  g_assert_true (gander_circuit_breaker_allow (off, &error));
  g_assert_no_error (error);
}

/* A corrupt state file is not guessed at: allow() refuses with an error
 * naming the file and the way out, the state reads as open with a warning,
 * and reset() repairs it. */
static void
test_breaker_corrupt_file (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GanderCircuitBreaker) breaker = new_breaker (fixture, 3, T0);
  g_autoptr(GError) error = NULL;
  const char *path = gander_circuit_breaker_get_state_file (breaker);
  const char *bad[] = {
    "{ not json",
    "[1, 2]",
    "{\"state\": \"ajar\", \"consecutive_failures\": 1}",
    "{\"state\": \"open\", \"consecutive_failures\": 1}",
    "{\"state\": \"closed\"}",
  };

  g_assert_cmpint (g_mkdir_with_parents (fixture->state_dir, 0700), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));

      g_assert_false (gander_circuit_breaker_allow (breaker, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "corrupt"));
      g_assert_nonnull (strstr (error->message, "gander breaker reset"));
      g_clear_error (&error);

      g_assert_false (gander_circuit_breaker_record_failure (breaker, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
      g_clear_error (&error);

      g_test_expect_message ("Gander", G_LOG_LEVEL_WARNING, "*state file*is corrupt*");
      g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_OPEN);
      g_test_assert_expected_messages ();

      g_assert_true (gander_circuit_breaker_reset (breaker, &error));
      g_assert_no_error (error);
      g_assert_true (gander_circuit_breaker_allow (breaker, &error));
      g_assert_no_error (error);
    }
}

/* Processes failing at the same time all count: the read-modify-write is
 * serialised by the lock (without it, increments are lost). */
static void
test_breaker_concurrent_processes (Fixture       *fixture,
                                   gconstpointer  data)
{
  const guint n_children = 4, n_failures = 40;
  g_autoptr(GanderCircuitBreaker) breaker =
    gander_circuit_breaker_new ("profile:alerts", fixture->state_dir, 100000, 10 * MINUTE);
  pid_t pids[4];

  for (guint i = 0; i < n_children; i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        {
          GanderCircuitBreaker *child =
            gander_circuit_breaker_new ("profile:alerts", fixture->state_dir, 100000, 10 * MINUTE);
          int status = 0;

          for (guint j = 0; j < n_failures; j++)
            if (!gander_circuit_breaker_record_failure (child, NULL))
              status = 1;
          g_object_unref (child);
          _exit (status);
        }
    }
  for (guint i = 0; i < n_children; i++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  g_assert_cmpint (gander_circuit_breaker_get_state (breaker), ==, GANDER_BREAKER_STATE_CLOSED);
  g_assert_cmpuint (gander_circuit_breaker_get_consecutive_failures (breaker), ==,
                    n_children * n_failures);
}

static void
test_breaker_make_key (void)
{
  g_autofree char *profile = gander_circuit_breaker_make_key ("alerts", "postgres", "dbname=x");
  g_autofree char *pg = gander_circuit_breaker_make_key (NULL, "pgx",
                                                         "postgres://u:secret@db/alerts");
  g_autofree char *pg2 = gander_circuit_breaker_make_key ("", "postgres",
                                                          "postgres://u:xxxxx@db/alerts");
  g_autofree char *kv = gander_circuit_breaker_make_key (NULL, "postgres",
                                                         "host=db password=secret dbname=a");
  g_autofree char *lite = gander_circuit_breaker_make_key (NULL, "sqlite", "app.db");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *expected_lite = g_strconcat ("sqlite3:", cwd, "/app.db", NULL);

  g_assert_cmpstr (profile, ==, "profile:alerts");
  g_assert_cmpstr (pg, ==, "postgres:postgres://u:xxxxx@db/alerts");
  g_assert_cmpstr (pg, ==, pg2);
  g_assert_null (strstr (kv, "secret"));
  g_assert_cmpstr (lite, ==, expected_lite);
}

static void
test_breaker_state_enum (void)
{
  GEnumClass *klass = g_type_class_ref (GANDER_TYPE_BREAKER_STATE);

  g_assert_cmpstr (g_enum_get_value (klass, 0)->value_nick, ==, "closed");
  g_assert_cmpstr (g_enum_get_value (klass, 1)->value_nick, ==, "half-open");
  g_assert_cmpstr (g_enum_get_value (klass, 2)->value_nick, ==, "open");
  g_type_class_unref (klass);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/breaker/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("opens-after-threshold", test_breaker_opens_after_threshold);
  ADD ("success-resets-count", test_breaker_success_resets_count);
  ADD ("second-instance", test_breaker_second_instance);
  ADD ("new-process", test_breaker_new_process);
  ADD ("half-open", test_breaker_half_open);
  ADD ("stale-trial", test_breaker_stale_trial);
  ADD ("reset", test_breaker_reset);
  ADD ("disabled", test_breaker_disabled);
  ADD ("corrupt-file", test_breaker_corrupt_file);
  ADD ("concurrent-processes", test_breaker_concurrent_processes);
#undef ADD
  g_test_add_func ("/breaker/make-key", test_breaker_make_key);
  g_test_add_func ("/breaker/state-enum", test_breaker_state_enum);

  return gander_test_run ();
}
