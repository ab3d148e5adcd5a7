/* test-source.c: GanderSource and GanderMigration
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>

#include "gander-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gander-source-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->dir);
  g_free (f->dir);
}

static void
touch (Fixture    *f,
       const char *name,
       const char *text)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text ? text : "-- +goose Up\n", -1, &error);
  g_assert_no_error (error);
}

static void
test_version_from_filename (void)
{
  struct { const char *name; gint64 version; const char *error; } cases[] = {
    { "00001_init.sql", 1, NULL },
    { "20230826163141_add.sql", 20230826163141, NULL },
    { "1_.sql", 1, NULL },
    { "+5_x.sql", 5, NULL },                 /* goose quirk: ParseInt takes '+' */
    { "007_bond.go", 7, NULL },
    { "0_x.sql", 0, "greater than zero" },
    { "-3_x.sql", 0, "greater than zero" },
    { "init.sql", 0, "no filename separator '_' found" },
    { "x_1.sql", 0, "parsing \"x\": invalid syntax" },
    { "1_x.txt", 0, "does not have .sql or .go file extension" },
    { "99999999999999999999_x.sql", 0, "value out of range" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 version = -1;
      gboolean ok = gander_version_from_filename (cases[i].name, &version, &error);

      if (cases[i].error == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (version, ==, cases[i].version);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME);
          g_assert_nonnull (strstr (error->message, cases[i].error));
          g_assert_nonnull (strstr (error->message, cases[i].name));
        }
    }
}

static void
test_collect_sorted (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (f->dir, "00009_subdir.sql", NULL);

  touch (f, "00010_ten.sql", NULL);
  touch (f, "00002_two.sql", NULL);
  touch (f, "20230826163141_stamp.sql", NULL);
  touch (f, "notes.txt", "not sql");
  touch (f, "schema.sql", "-- no version");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);   /* directories are ignored */

  /* Provider behaviour: names without a version are skipped. */
  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 3);
  g_assert_cmpint (gander_migration_get_version (gander_source_get_migration (source, 0)), ==, 2);
  g_assert_cmpint (gander_migration_get_version (gander_source_get_migration (source, 1)), ==, 10);
  g_assert_cmpint (gander_source_get_max_version (source), ==, 20230826163141);
  g_assert_cmpstr (gander_migration_get_name (gander_source_lookup (source, 10)), ==, "00010_ten.sql");
  g_assert_null (gander_source_lookup (source, 3));
  g_clear_object (&source);

  /* CLI behaviour: every .sql file must carry a version. */
  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME);
  g_assert_nonnull (strstr (error->message, "schema.sql"));
  g_assert_null (source);
}

static void
test_duplicate_versions (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;

  touch (f, "00001_a.sql", NULL);
  touch (f, "001_b.sql", NULL);

  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_null (source);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_DUPLICATE_VERSION);
  g_assert_nonnull (strstr (error->message, "version 1"));
  g_assert_nonnull (strstr (error->message, "00001_a.sql"));
  g_assert_nonnull (strstr (error->message, "001_b.sql"));
}

static void
test_missing_and_empty (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nope", NULL);

  source = gander_source_new_for_uri (missing, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "directory does not exist"));
  g_clear_error (&error);

  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NO_MIGRATIONS);
  g_clear_error (&error);

  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_ALLOW_EMPTY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 0);
  g_assert_cmpint (gander_source_get_max_version (source), ==, 0);
}

static void
test_resource (void)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  GanderMigration *m;

  source = gander_source_new_for_uri ("resource:///org/gander/tests/migrations",
                                      GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 2);
  m = gander_source_get_migration (source, 1);
  g_assert_cmpstr (gander_migration_get_name (m), ==, "00002_second.sql");

  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 1);
  g_assert_cmpstr (gander_parsed_sql_get_statement (up, 0), ==,
                   "CREATE TABLE second (id INTEGER);\nINSERT INTO second VALUES (1);");
}

static void
test_checksum_and_lazy_parse (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) down = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *expected = NULL;
  const char *text = "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2\n";
  GanderMigration *m;

  touch (f, "00001_x.sql", text);
  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  m = gander_source_get_migration (source, 0);

  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  g_assert_cmpstr (gander_migration_get_checksum (m, &error), ==, expected);
  g_assert_no_error (error);
  bytes = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, strlen (text));

  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 1);

  /* The broken Down section only fails when Down is asked for, and the
   * error (file, line, goose's words) is the same every time. */
  down = gander_migration_parse (m, GANDER_DIRECTION_DOWN, &error);
  g_assert_null (down);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "00001_x.sql"));
  g_assert_nonnull (strstr (error->message, "missing semicolon"));
  {
    g_autoptr(GError) again = NULL;
    g_assert_null (gander_migration_parse (m, GANDER_DIRECTION_DOWN, &again));
    g_assert_cmpstr (again->message, ==, error->message);
  }
}

static void
test_from_bytes (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("-- +goose Up\nSELECT 1;\n", 23);
  g_autoptr(GanderMigration) m = gander_migration_new_from_bytes (42, "00042_mem.sql", bytes);
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gander_migration_get_version (m), ==, 42);
  g_assert_null (gander_migration_get_file (m));
  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_parsed_sql_get_statement (up, 0), ==, "SELECT 1;");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/source/version-from-filename", test_version_from_filename);
  g_test_add ("/source/collect-sorted", Fixture, NULL, fixture_setup, test_collect_sorted, fixture_teardown);
  g_test_add ("/source/duplicate-versions", Fixture, NULL, fixture_setup, test_duplicate_versions, fixture_teardown);
  g_test_add ("/source/missing-and-empty", Fixture, NULL, fixture_setup, test_missing_and_empty, fixture_teardown);
  g_test_add_func ("/source/resource", test_resource);
  g_test_add ("/source/checksum-and-lazy-parse", Fixture, NULL, fixture_setup, test_checksum_and_lazy_parse, fixture_teardown);
  g_test_add_func ("/source/from-bytes", test_from_bytes);

  return g_test_run ();
}
