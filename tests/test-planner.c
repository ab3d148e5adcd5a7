/* test-planner.c: planning from a database state built by hand, without a
 * database
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gander.h>
#include "gander-database-private.h"
#include "gander-planner-private.h"

#include "gander-test-util.h"

typedef struct
{
  char         *dir;
  GanderSource *source;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  f->dir = g_dir_make_tmp ("gander-planner-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint v = 1; v <= 4; v++)
    {
      g_autofree char *name = g_strdup_printf ("00%u_m%u.sql", v, v);
      g_autofree char *text = g_strdup_printf ("-- +goose Up\nCREATE TABLE t%u (id int);\n"
                                               "-- +goose Down\nDROP TABLE t%u;\n", v, v);
      gander_test_write_file (f->dir, name, text);
    }
  f->source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  (void) data;
  g_clear_object (&f->source);
  gander_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* newest first, as the backends list them */
static void
state_with_versions (GanderDbState *state,
                     const gint64  *versions,
                     guint          n)
{
  GArray *rows = gander_version_rows_new ();

  for (guint i = n; i > 0; i--)
    {
      GanderVersionRow row = { versions[i - 1], TRUE, g_strdup ("2026-01-01 00:00:00") };
      g_array_append_val (rows, row);
    }
  gander_db_state_init (state, TRUE, rows, NULL);
}

static gint64
version_at (GPtrArray *plan,
            guint      i)
{
  return gander_migration_get_version (g_ptr_array_index (plan, i));
}

static void
test_plan_up_fresh (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(GanderDbState) state = { 0, };
  GanderPlanOptions options = { FALSE, FALSE };
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  gander_db_state_init (&state, FALSE, NULL, NULL);
  plan = gander_planner_plan_up (&state, f->source, &options, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (version_at (plan, i), ==, i + 1);
}

static void
test_plan_up_missing (Fixture       *f,
                      gconstpointer  data)
{
  static const gint64 applied[] = { 0, 1, 3 };
  g_auto(GanderDbState) state = { 0, };
  GanderPlanOptions options = { FALSE, FALSE };
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  state_with_versions (&state, applied, G_N_ELEMENTS (applied));
  g_assert_cmpint (state.max_version, ==, 3);

  plan = gander_planner_plan_up (&state, f->source, &options, G_MAXINT64, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_MISSING_MIGRATIONS);
  g_assert_null (plan);
  g_clear_error (&error);

  options.allow_missing = TRUE;
  plan = gander_planner_plan_up (&state, f->source, &options, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->len, ==, 2);
  g_assert_cmpint (version_at (plan, 0), ==, 2);
  g_assert_cmpint (version_at (plan, 1), ==, 4);
}

static void
test_plan_down (Fixture       *f,
                gconstpointer  data)
{
  static const gint64 applied[] = { 0, 1, 2, 3 };
  g_auto(GanderDbState) state = { 0, };
  GanderPlanOptions options = { FALSE, FALSE };
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  state_with_versions (&state, applied, G_N_ELEMENTS (applied));

  plan = gander_planner_plan_down (&state, f->source, &options, 1, G_MAXUINT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->len, ==, 2);
  g_assert_cmpint (version_at (plan, 0), ==, 3);
  g_assert_cmpint (version_at (plan, 1), ==, 2);
  g_clear_pointer (&plan, g_ptr_array_unref);

  plan = gander_planner_plan_down (&state, f->source, &options, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->len, ==, 1);
  g_assert_cmpint (version_at (plan, 0), ==, 3);

  /* after 3 was rolled back, the current version is 2 */
  gander_db_state_forget (&state, 3);
  g_assert_cmpint (gander_db_state_max_applied (&state), ==, 2);
}

static void
test_checks (Fixture       *f,
             gconstpointer  data)
{
  static const gint64 applied[] = { 0, 1, 9 };
  g_auto(GanderDbState) state = { 0, };
  g_autoptr(GArray) side = gander_side_rows_new ();
  GanderSideRow marker = { 0, };
  g_autoptr(GArray) rows = gander_version_rows_new ();
  g_autoptr(GError) error = NULL;

  (void) data;
  state_with_versions (&state, applied, G_N_ELEMENTS (applied));
  g_assert_true (gander_planner_check_known_version (&state, f->source, 2, &error));
  g_assert_no_error (error);
  /* recorded but without a file: known */
  g_assert_true (gander_planner_check_known_version (&state, f->source, 9, &error));
  g_assert_no_error (error);
  g_assert_false (gander_planner_check_known_version (&state, f->source, 7, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (gander_planner_check_not_dirty (&state, "side", &error));
  g_assert_no_error (error);
  gander_db_state_clear (&state);

  marker.version_id = 2;
  marker.filename = g_strdup ("002_m2.sql");
  marker.state = GANDER_MIGRATION_STATE_RUNNING;
  g_array_append_val (side, marker);
  gander_db_state_init (&state, TRUE, g_steal_pointer (&rows), g_steal_pointer (&side));
  g_assert_false (gander_planner_check_not_dirty (&state, "my_side", &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DIRTY);
  g_assert_nonnull (strstr (error->message, "`gander repair clear-dirty 2 --mark-applied`"));
  g_assert_nonnull (strstr (error->message, "`gander repair clear-dirty 2`"));
  g_assert_nonnull (strstr (error->message, "version 2 in my_side"));
  g_assert_null (strstr (error->message, "DELETE"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/planner/up/fresh", Fixture, NULL, fixture_set_up, test_plan_up_fresh, fixture_tear_down);
  g_test_add ("/planner/up/missing", Fixture, NULL, fixture_set_up, test_plan_up_missing, fixture_tear_down);
  g_test_add ("/planner/down", Fixture, NULL, fixture_set_up, test_plan_down, fixture_tear_down);
  g_test_add ("/planner/checks", Fixture, NULL, fixture_set_up, test_checks, fixture_tear_down);

  return gander_test_run ();
}
