/* test-source.c: GanderSource and GanderMigration
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gander.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gander-migration-private.h"
#include "gander-sha256-private.h"
#include "gander-source-private.h"
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
      gint64 version = gander_version_from_filename (cases[i].name, &error);

      if (cases[i].error == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpint (version, ==, cases[i].version);
        }
      else
        {
          g_assert_cmpint (version, ==, -1);
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
  g_autofree char *sub = g_build_filename (f->dir, "subdir.sql", NULL);

  touch (f, "00010_ten.sql", NULL);
  touch (f, "00002_two.sql", NULL);
  touch (f, "20230826163141_stamp.sql", NULL);
  touch (f, "notes.txt", "not sql");
  touch (f, "schema.sql", "-- no version");
  /* a directory whose name carries no version is skipped like any such name */
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);

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

static void
test_local_listing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target_dir = g_build_filename (f->dir, "elsewhere", NULL);
  /* no version: skipped (test_not_regular_files has a versioned one) */
  g_autofree char *link_dir = g_build_filename (f->dir, "dirlink.sql", NULL);
  g_autofree char *target_file = g_build_filename (f->dir, "elsewhere", "real.txt", NULL);
  g_autofree char *link_file = g_build_filename (f->dir, "00006_filelink.sql", NULL);
  g_autofree char *plain = g_build_filename (f->dir, "00001_a.sql", NULL);
  /* no version: skipped (test_dangling_link has a versioned one) */
  g_autofree char *dangling = g_build_filename (f->dir, "dangling.sql", NULL);
  GanderMigration *m;
  GFile *file;

  touch (f, "00001_a.sql", NULL);
  g_assert_cmpint (g_mkdir (target_dir, 0755), ==, 0);
  g_file_set_contents (target_file, "-- +goose Up\nSELECT 6;\n", -1, &error);
  g_assert_no_error (error);
  /* a link counts as what it points to, as GFileEnumerator reports it */
  g_assert_cmpint (symlink (target_dir, link_dir), ==, 0);
  g_assert_cmpint (symlink (target_file, link_file), ==, 0);
  g_assert_cmpint (symlink ("nowhere", dangling), ==, 0);

  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 2);
  g_assert_null (gander_source_lookup (source, 5));
  m = gander_source_lookup (source, 6);
  g_assert_cmpstr (gander_migration_get_checksum (m, &error), ==,
                   "bcfa24a94e920a68c3277cd6d0e5b5dd56633cdab9c5f41c7718d68d0fb0ef06");
  g_assert_no_error (error);

  /* The GFile is made on demand, once, and names the listed path. */
  m = gander_source_lookup (source, 1);
  file = gander_migration_get_file (m);
  g_assert_true (G_IS_FILE (file));
  g_assert_true (gander_migration_get_file (m) == file);
  {
    g_autofree char *path = g_file_get_path (file);
    g_autoptr(GFile) from_property = NULL;

    g_assert_cmpstr (path, ==, plain);
    g_object_get (m, "file", &from_property, NULL);
    g_assert_true (from_property == file);
  }

  /* A file is not a directory. */
  g_clear_object (&source);
  source = gander_source_new_for_uri (plain, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_null (source);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "is not a directory"));
}

/* Entries named like migrations that are not regular files: a directory
 * (or a link to one) used to be skipped without a word, and a FIFO made
 * `up` and `status` wait in open() forever. Both are refused at listing,
 * naming the entry and what to do; a link to a regular file is followed. */
static void
test_not_regular_files (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *link_to_file = g_build_filename (f->dir, "00005_ok.sql", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other", NULL);
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *make;
    const char *name;
    const char *what;
  } cases[] = {
    { "dir", "00003_x.sql", "is named like a migration but is a directory" },
    { "link-to-dir", "00004_l.sql", "is named like a migration but is a directory" },
    { "fifo", "00002_f.sql", "is named like a migration but is a FIFO (named pipe)" },
  };

  touch (f, "00001_a.sql", "-- +goose Up\nSELECT 1;\n");
  touch (f, "real.txt", "-- +goose Up\nSELECT 5;\n");
  g_assert_cmpint (symlink ("real.txt", link_to_file), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0755), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, cases[i].name, NULL);
      const GanderSourceFlags modes[] = { GANDER_SOURCE_FLAGS_NONE, GANDER_SOURCE_FLAGS_STRICT };

      g_test_message ("%s", cases[i].make);
      if (g_str_equal (cases[i].make, "dir"))
        g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
      else if (g_str_equal (cases[i].make, "link-to-dir"))
        g_assert_cmpint (symlink ("other", path), ==, 0);
      else
        g_assert_cmpint (mkfifo (path, 0600), ==, 0);

      for (guint k = 0; k < G_N_ELEMENTS (modes); k++)
        {
          source = gander_source_new_for_uri (f->dir, modes[k], NULL, &error);
          g_assert_null (source);
          g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME);
          g_test_message ("%s", error->message);
          g_assert_nonnull (strstr (error->message, path));
          g_assert_nonnull (strstr (error->message, cases[i].what));
          g_assert_nonnull (strstr (error->message, "remove it, or rename it"));
          g_clear_error (&error);
        }

      if (g_str_equal (cases[i].make, "dir"))
        g_assert_cmpint (g_rmdir (path), ==, 0);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }

  /* the link to a regular file is a migration like any other */
  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 2);
  g_assert_cmpint (gander_migration_get_version (gander_source_get_migration (source, 1)), ==, 5);
  {
    g_autoptr(GanderParsedSql) up =
      gander_migration_parse (gander_source_get_migration (source, 1), GANDER_DIRECTION_UP, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (gander_parsed_sql_get_statement (up, 0), ==, "SELECT 5;");
  }
}

/* A cancelled listing says so the GNOME way, for local directories and
 * GResources alike. */
static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *where[] = { f->dir, "resource:///org/gander/tests/migrations" };

  touch (f, "00001_a.sql", NULL);
  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (where); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GanderSource) source =
        gander_source_new_for_uri (where[i], GANDER_SOURCE_FLAGS_NONE, cancellable, &error);

      g_assert_null (source);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

/* A dangling link named like a migration used to be listed: status
 * showed it pending and exited 0 while validate failed. Listing refuses
 * it like other entries that are not regular files, naming the target;
 * validation (COLLECT_PROBLEMS) reports it and lists the rest. */
static void
test_dangling_link (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dangling = g_build_filename (f->dir, "00005_x.sql", NULL);
  g_autofree char *expected = NULL;
  const GanderSourceFlags modes[] = { GANDER_SOURCE_FLAGS_NONE, GANDER_SOURCE_FLAGS_STRICT };
  GPtrArray *problems;
  GanderValidationIssue *issue;

  touch (f, "00001_a.sql", "-- +goose Up\nSELECT 1;\n");
  g_assert_cmpint (symlink ("/nonexistent", dangling), ==, 0);
  expected = g_strdup_printf ("%s is named like a migration but is a symbolic link to "
                              "a missing file (/nonexistent): remove it, or fix the link",
                              dangling);

  for (guint k = 0; k < G_N_ELEMENTS (modes); k++)
    {
      source = gander_source_new_for_uri (f->dir, modes[k], NULL, &error);
      g_assert_null (source);
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME);
      g_test_message ("%s", error->message);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
    }

  source = gander_source_new_for_uri (f->dir,
                                      GANDER_SOURCE_FLAGS_STRICT |
                                      GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS,
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_source_get_n_migrations (source), ==, 1);
  g_assert_null (gander_source_lookup (source, 5));
  problems = gander_source_get_problems (source);
  g_assert_cmpuint (problems->len, ==, 1);
  issue = g_ptr_array_index (problems, 0);
  g_assert_cmpint (gander_validation_issue_get_severity (issue), ==, GANDER_ISSUE_SEVERITY_ERROR);
  g_assert_cmpint (gander_validation_issue_get_kind (issue), ==, GANDER_ISSUE_KIND_NOT_REGULAR_FILE);
  g_assert_cmpint (gander_validation_issue_get_version (issue), ==, 5);
  g_assert_cmpstr (gander_validation_issue_get_message (issue), ==, expected);
  g_clear_object (&source);

  /* fixed, it is a migration like any other */
  touch (f, "target.txt", "-- +goose Up\nSELECT 5;\n");
  g_assert_cmpint (g_unlink (dangling), ==, 0);
  g_assert_cmpint (symlink ("target.txt", dangling), ==, 0);
  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (gander_source_lookup (source, 5));
}

/* Once hashed, a file's bytes are let go and read again when needed; what
 * is read again must still be what the checksum describes. */
static void
test_contents_reloaded (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GanderSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *text = "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n";
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  GanderMigration *m;

  touch (f, "00001_x.sql", text);
  touch (f, "00002_y.sql", text);
  source = gander_source_new_for_uri (f->dir, GANDER_SOURCE_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);

  /* hashed only (what `status` does), then the file changes */
  m = gander_source_get_migration (source, 0);
  g_assert_cmpstr (gander_migration_get_checksum (m, &error), ==, expected);
  touch (f, "00001_x.sql", "-- +goose Up\nDROP TABLE everything;\n");
  g_assert_null (gander_migration_parse (m, GANDER_DIRECTION_UP, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "00001_x.sql"));
  g_assert_nonnull (strstr (error->message, "changed on disk"));
  g_clear_error (&error);
  g_assert_null (gander_migration_load (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_clear_error (&error);
  /* the checksum itself still describes what was first read */
  g_assert_cmpstr (gander_migration_get_checksum (m, NULL), ==, expected);

  /* back as it was: read again and parsed */
  touch (f, "00001_x.sql", text);
  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_parsed_sql_get_statement (up, 0), ==, "SELECT 1;");
  bytes = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), text, strlen (text));
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&up, gander_parsed_sql_unref);

  /* parsed and hashed (what `up` does): later changes are not seen */
  m = gander_source_get_migration (source, 1);
  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_migration_get_checksum (m, &error), ==, expected);
  touch (f, "00002_y.sql", "-- +goose Up\nDROP TABLE everything;\n");
  g_clear_pointer (&up, gander_parsed_sql_unref);
  up = gander_migration_parse (m, GANDER_DIRECTION_DOWN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_parsed_sql_get_statement (up, 0), ==, "SELECT 2;");
}

static void
test_sha256 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 buf[4096];

  for (gsize i = 0; i < sizeof buf; i++)
    buf[i] = (guint8) g_rand_int_range (rand, 0, 256);

  /* every length around the padding boundaries, then some long ones */
  for (gsize len = 0; len <= sizeof buf; len = len < 300 ? len + 1 : len * 2 + 13)
    {
      g_autofree char *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, len);
      g_autofree char *fast = gander_sha256_hex (buf, len, FALSE);
      g_autofree char *portable = gander_sha256_hex (buf, len, TRUE);

      g_assert_cmpstr (fast, ==, expected);
      g_assert_cmpstr (portable, ==, expected);
    }
}

/* A local directory by path fails exactly as through a GFile, but names
 * the files under the directory as the caller typed it (Go-cleaned, as
 * goose's filepath.Join): absolute stays absolute, `base/./../base` is
 * `base`, `.` names the bare file. */
static void
test_by_path_names (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *base = g_path_get_basename (f->dir);
  g_autofree char *old_cwd = g_get_current_dir ();
  const char *cwds[] = { NULL, "/", NULL };
  g_autofree char *dotted = g_build_filename (base, ".", "..", base, NULL);
  guint n_duplicates = 0;

  cwds[0] = parent;
  touch (f, "00001_a.sql", NULL);
  touch (f, "1_b.sql", NULL);   /* a duplicate version: the error names both */

  for (guint i = 0; i < G_N_ELEMENTS (cwds); i++)
    {
      const char *cwd = cwds[i] != NULL ? cwds[i] : f->dir;
      const char *names[] = { f->dir, base, dotted, "." };

      g_assert_cmpint (g_chdir (cwd), ==, 0);
      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          g_autoptr(GFile) dir = g_file_new_for_path (names[j]);
          g_autoptr(GError) by_file = NULL;
          g_autoptr(GError) by_path = NULL;

          g_assert_null (gander_source_new_for_file (dir, GANDER_SOURCE_FLAGS_NONE, NULL, &by_file));
          g_assert_null (gander_source_new_for_path (names[j], GANDER_SOURCE_FLAGS_NONE, NULL, &by_path));
          /* duplicates, or (from /) not found, or nothing in / */
          g_assert_nonnull (by_file);
          g_assert_error (by_path, by_file->domain, by_file->code);
          if (g_error_matches (by_path, GANDER_ERROR, GANDER_ERROR_DUPLICATE_VERSION))
            {
              g_autofree char *typed = gander_path_clean_typed (names[j]);
              g_autofree char *a = g_str_equal (typed, ".")
                ? g_strdup ("00001_a.sql") : g_build_filename (typed, "00001_a.sql", NULL);
              g_autofree char *b = g_str_equal (typed, ".")
                ? g_strdup ("1_b.sql") : g_build_filename (typed, "1_b.sql", NULL);
              g_autofree char *expected =
                g_strdup_printf ("found duplicate migration version 1:\n\texisting: %s\n\tcurrent: %s", a, b);

              g_assert_cmpstr (by_path->message, ==, expected);
              n_duplicates++;
            }
          else if (g_error_matches (by_path, GANDER_ERROR, GANDER_ERROR_NOT_FOUND))
            {
              /* goose names a missing -dir exactly as given */
              g_autofree char *expected = g_strdup_printf ("%s directory does not exist", names[j]);

              g_assert_cmpstr (by_path->message, ==, expected);
            }
          else
            g_assert_cmpstr (by_path->message, ==, by_file->message);
        }
    }
  /* from the parent: three names of the directory; from /: its full
   * path; from inside: its full path and "." */
  g_assert_cmpuint (n_duplicates, ==, 6);
  g_assert_cmpint (g_chdir (parent), ==, 0);
  {
    g_autofree char *dup = g_build_filename (f->dir, "1_b.sql", NULL);

    g_assert_cmpint (g_remove (dup), ==, 0);
  }
  {
    g_autoptr(GanderSource) source = gander_source_new_for_path (dotted, GANDER_SOURCE_FLAGS_NONE, NULL, NULL);
    g_autoptr(GFile) expected = g_file_new_for_path (f->dir);
    g_autoptr(GFile) got = NULL;
    g_autofree char *shown = NULL;
    g_autofree char *expected_shown = g_build_filename (base, "00001_a.sql", NULL);

    g_assert_nonnull (source);
    g_assert_true (g_file_equal (gander_source_get_directory (source), expected));
    g_object_get (source, "directory", &got, NULL);
    g_assert_true (got == gander_source_get_directory (source));
    shown = gander_migration_dup_display_path (gander_source_get_migration (source, 0));
    g_assert_cmpstr (shown, ==, expected_shown);
  }
  g_assert_cmpint (g_chdir (old_cwd), ==, 0);
}

/* Listing, hashing and parsing a local directory never sets up GIO's
 * virtual file system (0.6 to 1.3 MiB of a short run's peak memory): checked in
 * a fresh process, where nothing else has. */
static void
test_by_path_without_gvfs (Fixture       *f,
                           gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      const char *dir = g_getenv ("GANDER_TEST_SOURCE_DIR");
      g_autoptr(GanderSource) source = NULL;
      g_autoptr(GanderParsedSql) up = NULL;
      g_autoptr(GError) error = NULL;
      GanderMigration *m;

      source = gander_source_new_for_path (dir, GANDER_SOURCE_FLAGS_STRICT, NULL, &error);
      g_assert_no_error (error);
      m = gander_source_get_migration (source, 0);
      g_assert_nonnull (gander_migration_get_checksum (m, &error));
      up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_type_from_name ("GLocalVfs"), ==, 0);
      /* the check means something: a GFile does set it up */
      g_assert_nonnull (gander_source_get_directory (source));
      g_assert_cmpuint (g_type_from_name ("GLocalVfs"), !=, 0);
      return;
    }
  touch (f, "00001_a.sql", "-- +goose Up\nSELECT 1;\n");
  g_setenv ("GANDER_TEST_SOURCE_DIR", f->dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
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
  g_test_add ("/source/local-listing", Fixture, NULL, fixture_setup, test_local_listing, fixture_teardown);
  g_test_add ("/source/not-regular-files", Fixture, NULL, fixture_setup, test_not_regular_files, fixture_teardown);
  g_test_add ("/source/cancelled", Fixture, NULL, fixture_setup, test_cancelled, fixture_teardown);
  g_test_add ("/source/dangling-link", Fixture, NULL, fixture_setup, test_dangling_link, fixture_teardown);
  g_test_add ("/source/contents-reloaded", Fixture, NULL, fixture_setup, test_contents_reloaded, fixture_teardown);
  g_test_add_func ("/source/sha256", test_sha256);
  g_test_add ("/source/by-path-names", Fixture, NULL, fixture_setup, test_by_path_names, fixture_teardown);
  g_test_add ("/source/by-path-without-gvfs", Fixture, NULL, fixture_setup, test_by_path_without_gvfs, fixture_teardown);

  return g_test_run ();
}
