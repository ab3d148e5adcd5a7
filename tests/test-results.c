/* test-results.c: the result types GanderMigrationStatus and
 * GanderMigrationResult, and the one parser of the databases' timestamp
 * text, without a database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gander.h>
#include "gander-migration-status-private.h"

static GanderMigration *
new_migration (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("-- +goose Up\nSELECT 1;\n", 23);

  return gander_migration_new_from_bytes (7, "00007_x.sql", bytes);
}

static void
assert_utc (GDateTime *dt,
            int        year,
            int        month,
            int        day,
            int        hour,
            int        minute,
            int        second,
            int        usec)
{
  int y, m, d;

  g_assert_nonnull (dt);
  g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, 0);
  g_date_time_get_ymd (dt, &y, &m, &d);
  g_assert_cmpint (y, ==, year);
  g_assert_cmpint (m, ==, month);
  g_assert_cmpint (d, ==, day);
  g_assert_cmpint (g_date_time_get_hour (dt), ==, hour);
  g_assert_cmpint (g_date_time_get_minute (dt), ==, minute);
  g_assert_cmpint (g_date_time_get_second (dt), ==, second);
  g_assert_cmpint (g_date_time_get_microsecond (dt), ==, usec);
}

/* SQLite: datetime('now') and what other writers may have stored */
static void
test_timestamp_sqlite (void)
{
  struct { const char *text; int usec; } cases[] = {
    { "2026-11-30 08:42:36", 0 },
    { "2026-11-30T08:42:36", 0 },
    { "2026-11-30 08:42:36.5", 500000 },
    { "2026-11-30 08:42:36.123", 123000 },
    { "2026-11-30 08:42:36.123456", 123456 },
    /* beyond microseconds: dropped, never rounded into the next second */
    { "2026-11-30 08:42:36.9999999", 999999 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = gander_parse_db_timestamp (cases[i].text);

      g_test_message ("%s", cases[i].text);
      assert_utc (dt, 2026, 11, 30, 8, 42, 36, cases[i].usec);
    }
}

/* PostgreSQL: `timestamp` text as libpq returns it (fraction optional),
 * and `timestamptz` with the session's offset, converted to UTC */
static void
test_timestamp_postgres (void)
{
  struct { const char *text; int usec; } cases[] = {
    { "2026-11-30 08:42:36", 0 },
    { "2026-11-30 08:42:36.000001", 1 },
    { "2026-11-30 08:42:36.12+00", 120000 },
    { "2026-11-30 10:42:36+02", 0 },
    { "2026-11-30 10:42:36+0200", 0 },
    { "2026-11-30 03:12:36.25-05:30", 250000 },
    { "2026-11-30 03:12:21-05:30:15", 0 },
    { "2026-11-30 08:42:36Z", 0 },
  };
  g_autoptr(GDateTime) midnight = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = gander_parse_db_timestamp (cases[i].text);

      g_test_message ("%s", cases[i].text);
      assert_utc (dt, 2026, 11, 30, 8, 42, 36, cases[i].usec);
    }

  /* an offset that crosses midnight (and a year) */
  midnight = gander_parse_db_timestamp ("2027-01-01 01:30:00+02");
  assert_utc (midnight, 2026, 12, 31, 23, 30, 0, 0);
}

static void
test_timestamp_invalid (void)
{
  const char *cases[] = {
    "",
    "2026-11-30",
    "2026-11-30 08:42",
    "2026-11-30 08:42:36 ",
    "2026-11-30 08:42:36.",
    "2026-11-30 08:42:36 BC",
    "2026-11-30 08:42:36+",
    "2026-11-30 08:42:36+2",
    "2026-11-30 08:42:36+24",
    "2026-13-01 00:00:00",
    "2026-02-29 00:00:00",
    "2026-11-30 24:00:00",
    "2026-11-30 08:60:00",
    "0000-01-01 00:00:00",
    "26-11-30 08:42:36",
    "20261130 084236",
    "2026/11/30 08:42:36",
    "Mon Nov 30 08:42:36 2026",
  };

  g_assert_null (gander_parse_db_timestamp (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = gander_parse_db_timestamp (cases[i]);

      g_test_message ("\"%s\"", cases[i]);
      g_assert_null (dt);
    }
}

static void
test_status_applied_at (void)
{
  g_autoptr(GanderMigration) m = new_migration ();
  g_autoptr(GanderMigrationStatus) applied = NULL;
  g_autoptr(GanderMigrationStatus) pending = NULL;
  g_autoptr(GDateTime) from_property = NULL;
  GObjectClass *klass;
  GParamSpec *pspec;

  klass = g_type_class_ref (GANDER_TYPE_MIGRATION_STATUS);
  pspec = g_object_class_find_property (klass, "applied-at");
  g_assert_nonnull (pspec);
  g_assert_cmpint (G_PARAM_SPEC_VALUE_TYPE (pspec), ==, G_TYPE_DATE_TIME);
  g_type_class_unref (klass);

  applied = gander_migration_status_new (m, GANDER_MIGRATION_STATE_APPLIED,
                                         "2026-01-02 03:04:05.25", NULL, FALSE);
  assert_utc (gander_migration_status_get_applied_at (applied), 2026, 1, 2, 3, 4, 5, 250000);
  g_object_get (applied, "applied-at", &from_property, NULL);
  g_assert_true (g_date_time_equal (from_property,
                                    gander_migration_status_get_applied_at (applied)));

  pending = gander_migration_status_new (m, GANDER_MIGRATION_STATE_PENDING, NULL, NULL, FALSE);
  g_assert_null (gander_migration_status_get_applied_at (pending));
}

static void
test_result_duration_us (void)
{
  g_autoptr(GanderMigration) m = new_migration ();
  g_autoptr(GanderMigrationResult) r = NULL;
  g_autoptr(GanderMigrationResult) negative = NULL;
  GObjectClass *klass;
  gint64 us = 0;

  klass = g_type_class_ref (GANDER_TYPE_MIGRATION_RESULT);
  g_assert_nonnull (g_object_class_find_property (klass, "duration-us"));
  /* the unit is in the name: no unit-less twin */
  g_assert_null (g_object_class_find_property (klass, "duration"));
  g_type_class_unref (klass);

  r = gander_migration_result_new (m, GANDER_DIRECTION_UP, 1234567, FALSE, NULL);
  g_assert_cmpint (gander_migration_result_get_duration_us (r), ==, 1234567);
  g_object_get (r, "duration-us", &us, NULL);
  g_assert_cmpint (us, ==, 1234567);

  negative = gander_migration_result_new (m, GANDER_DIRECTION_DOWN, -5, TRUE, NULL);
  g_assert_cmpint (gander_migration_result_get_duration_us (negative), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/results/timestamp/sqlite", test_timestamp_sqlite);
  g_test_add_func ("/results/timestamp/postgres", test_timestamp_postgres);
  g_test_add_func ("/results/timestamp/invalid", test_timestamp_invalid);
  g_test_add_func ("/results/status/applied-at", test_status_applied_at);
  g_test_add_func ("/results/result/duration-us", test_result_duration_us);

  return g_test_run ();
}
