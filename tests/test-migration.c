/* test-migration.c: GanderMigration, one migration file on its own
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
#include "gander-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static const char good_text[] =
  "-- +goose Up\n"
  "CREATE TABLE a (id int);\n"
  "INSERT INTO a VALUES (1);\n"
  "\n"
  "-- +goose Down\n"
  "DROP TABLE a;\n";

/* Up is fine, Down lacks its ';' (goose: "missing semicolon?"). */
static const char broken_down_text[] =
  "-- +goose Up\n"
  "CREATE TABLE b (id int);\n"
  "\n"
  "-- +goose Down\n"
  "DROP TABLE b\n";

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gander-migration-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gander_test_rm_rf (f->dir);
  g_free (f->dir);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static GanderMigration *
migration_for (Fixture    *f,
               const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GanderMigration *m = gander_migration_new_for_file (file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static gboolean
is_lower_hex (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s) && !(*s >= 'a' && *s <= 'f'))
      return FALSE;
  return TRUE;
}

/* goose's NumericComponent: what carries a version and what does not,
 * with the edges of Go's strconv.ParseInt. */
static void
test_version_from_filename (void)
{
  static const struct {
    const char *name;
    gint64      version;
    const char *error;
  } cases[] = {
    { "00001_init.sql", 1, NULL },
    { "1_x.sql", 1, NULL },
    { "1_.sql", 1, NULL },
    { "1__double.sql", 1, NULL },
    { "1_a_b_c.sql", 1, NULL },
    { "20260101120000_ts.sql", 20260101120000, NULL },
    { "9223372036854775807_max.sql", G_MAXINT64, NULL },
    { "+7_plus.sql", 7, NULL },
    { "0010_octal_looking.sql", 10, NULL },
    { "3_x.go", 3, NULL },
    { "9223372036854775808_x.sql", 0, "value out of range" },
    { "0_zero.sql", 0, "greater than zero" },
    { "000_zero.sql", 0, "greater than zero" },
    { "-1_neg.sql", 0, "greater than zero" },
    { "_x.sql", 0, "parsing \"\": invalid syntax" },
    { "+_x.sql", 0, "parsing \"+\": invalid syntax" },
    { " 1_x.sql", 0, "parsing \" 1\": invalid syntax" },
    { "1a_x.sql", 0, "parsing \"1a\": invalid syntax" },
    { "0x10_hex.sql", 0, "parsing \"0x10\": invalid syntax" },
    { "1_000_x.sql", 1, NULL },
    { "nounderscore.sql", 0, "no filename separator '_' found" },
    { "1_x.SQL", 0, "does not have .sql or .go file extension" },
    { "1_x.sql.bak", 0, "does not have .sql or .go file extension" },
    { "1_x", 0, "does not have .sql or .go file extension" },
    { ".sql", 0, "no filename separator" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 version = -1;
      gboolean ok;

      g_test_message ("%s", cases[i].name);
      version = gander_version_from_filename (cases[i].name, &error);
      ok = version > 0;
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
          /* the file is named, as goose names it */
          g_assert_nonnull (strstr (error->message, cases[i].name));
          g_assert_cmpint (version, ==, -1);
        }
    }

  /* the error is optional */
  g_assert_cmpint (gander_version_from_filename ("5_x.sql", NULL), ==, 5);
  g_assert_cmpint (gander_version_from_filename ("x.sql", NULL), ==, -1);
}

static void
test_new_for_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *bad_path = g_build_filename (f->dir, "notes.sql", NULL);
  g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
  g_autoptr(GanderMigration) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) from_property = NULL;
  g_autofree char *name = NULL;
  gint64 version = 0;

  g_assert_null (gander_migration_new_for_file (bad, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME);
  g_assert_nonnull (strstr (error->message, "notes.sql"));

  m = migration_for (f, "00042_answer.sql");
  g_assert_cmpint (gander_migration_get_version (m), ==, 42);
  g_assert_cmpstr (gander_migration_get_name (m), ==, "00042_answer.sql");
  g_object_get (m, "version", &version, "name", &name, "file", &from_property, NULL);
  g_assert_cmpint (version, ==, 42);
  g_assert_cmpstr (name, ==, "00042_answer.sql");
  g_assert_true (from_property == gander_migration_get_file (m));
}

/* Nothing is read at construction: a migration for a file that does not
 * exist yet is made fine, and reads what is there when first asked. */
static void
test_lazy_load (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GanderMigration) m = migration_for (f, "00001_later.sql");
  g_autoptr(GanderMigration) m2 = migration_for (f, "00002_later.sql");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autofree char *path = NULL;

  g_assert_null (gander_migration_load (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "00001_later.sql"));
  g_assert_nonnull (strstr (error->message, "cannot read migration 1"));
  g_clear_error (&error);
  g_assert_null (gander_migration_get_checksum (m, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A failed read is not cached: the file appears, and is read. */
  path = write_file (f, "00001_later.sql", good_text);
  g_free (write_file (f, "00002_later.sql", good_text));
  bytes = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   good_text, strlen (good_text));

  /* Before a checksum the bytes stay: a second load is the same buffer. */
  again = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_get_data (again, NULL) == g_bytes_get_data (bytes, NULL));

  /* A cancelled load reads nothing and says so the GNOME way. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_null (gander_migration_load (m2, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_nonnull (strstr (error->message, "00002_later.sql"));
  }
}

/* The checksum is the SHA-256 of the file's bytes in 64 lower-case hex
 * digits; the same bytes give the same checksum however they arrive. */
static void
test_checksum (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GanderMigration) m = NULL;
  g_autoptr(GanderMigration) same = NULL;
  g_autoptr(GanderMigration) other = NULL;
  g_autoptr(GanderMigration) from_bytes = NULL;
  g_autoptr(GanderMigration) empty = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (good_text, strlen (good_text));
  g_autoptr(GBytes) no_bytes = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, good_text, -1);
  const char *sum, *sum2;

  g_free (write_file (f, "00001_a.sql", good_text));
  g_free (write_file (f, "00002_a_copy.sql", good_text));
  g_free (write_file (f, "00003_b.sql", broken_down_text));
  m = migration_for (f, "00001_a.sql");
  same = migration_for (f, "00002_a_copy.sql");
  other = migration_for (f, "00003_b.sql");

  sum = gander_migration_get_checksum (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sum), ==, 64);
  g_assert_true (is_lower_hex (sum));
  g_assert_cmpstr (sum, ==, expected);

  /* stable: the same string on every call, even with the file gone */
  g_assert_cmpint (g_unlink (g_file_peek_path (gander_migration_get_file (m))), ==, 0);
  sum2 = gander_migration_get_checksum (m, &error);
  g_assert_no_error (error);
  g_assert_true (sum2 == sum);

  g_assert_cmpstr (gander_migration_get_checksum (same, NULL), ==, expected);
  g_assert_cmpstr (gander_migration_get_checksum (other, NULL), !=, expected);

  from_bytes = gander_migration_new_from_bytes (9, "00009_mem.sql", bytes);
  g_assert_cmpstr (gander_migration_get_checksum (from_bytes, NULL), ==, expected);

  /* the SHA-256 of nothing */
  empty = gander_migration_new_from_bytes (10, "00010_empty.sql", no_bytes);
  g_assert_cmpstr (gander_migration_get_checksum (empty, NULL), ==,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Each direction is parsed on its own terms: a broken Down does not stop
 * Up. Results and errors are kept, so a later call neither reads nor
 * parses again. */
static void
test_parse_per_direction (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GanderMigration) m = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GanderParsedSql) up_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_message = NULL;
  g_autofree char *path = write_file (f, "00003_b.sql", broken_down_text);

  m = migration_for (f, "00003_b.sql");

  g_assert_null (gander_migration_parse (m, GANDER_DIRECTION_DOWN, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_test_message ("%s", error->message);
  /* the file and the line, then goose's own words */
  g_assert_nonnull (strstr (error->message, "00003_b.sql:5: "));
  g_assert_nonnull (strstr (error->message, "missing semicolon?"));
  first_message = g_strdup (error->message);
  g_clear_error (&error);

  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 1);
  g_assert_cmpstr (gander_parsed_sql_get_statement (up, 0), ==, "CREATE TABLE b (id int);");
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (up, 0), ==, 2);
  g_assert_cmpint (gander_parsed_sql_get_direction (up), ==, GANDER_DIRECTION_UP);

  /* Cached: the file is fixed on disk, then removed, and the answers stay
   * what they were. */
  g_file_set_contents (path, good_text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (path), ==, 0);

  g_assert_null (gander_migration_parse (m, GANDER_DIRECTION_DOWN, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, first_message);
  g_clear_error (&error);
  up_again = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_true (up_again == up);
}

/* Once hashed, the bytes are let go; they are read again when needed and
 * must still be what the checksum describes. */
static void
test_reread_after_release (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GanderMigration) m = NULL;
  g_autoptr(GanderMigration) m2 = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autofree char *path = write_file (f, "00001_a.sql", good_text);
  g_autofree char *path2 = write_file (f, "00002_a.sql", good_text);
  const char *sum;
  const char *changed = "-- +goose Up\nDROP TABLE everything;\n";

  m = migration_for (f, "00001_a.sql");
  sum = gander_migration_get_checksum (m, &error);
  g_assert_no_error (error);

  /* Let go: with the file gone, loading fails, so nothing was kept. */
  g_assert_cmpint (g_rename (path, path2), ==, 0);
  g_assert_null (gander_migration_load (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Back, unchanged: read again and accepted. */
  g_assert_cmpint (g_rename (path2, path), ==, 0);
  bytes = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   good_text, strlen (good_text));
  g_clear_pointer (&bytes, g_bytes_unref);

  /* Changed underneath: refused, with both checksums named. */
  g_file_set_contents (path, changed, -1, &error);
  g_assert_no_error (error);
  g_assert_null (gander_migration_load (m, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "00001_a.sql"));
  g_assert_nonnull (strstr (error->message, "changed on disk"));
  g_assert_nonnull (strstr (error->message, sum));
  g_clear_error (&error);

  /* Parsing needs the bytes as well, and refuses the changed ones rather
   * than run SQL the checksum does not describe. */
  g_assert_null (gander_migration_parse (m, GANDER_DIRECTION_UP, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpstr (gander_migration_get_checksum (m, NULL), ==, sum);

  /* Parsed before the checksum: the parse holds, the bytes go after the
   * checksum, and the file is still checked when read again. */
  g_file_set_contents (path, good_text, -1, &error);
  g_assert_no_error (error);
  m2 = migration_for (f, "00001_a.sql");
  up = gander_migration_parse (m2, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 2);
  g_assert_cmpstr (gander_migration_get_checksum (m2, NULL), ==, sum);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_null (gander_migration_load (m2, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
}

/* A migration compiled into the test's GResource (test-resources). */
static void
test_resource (void)
{
  g_autoptr(GFile) file =
    g_file_new_for_uri ("resource:///org/gander/tests/migrations/00002_second.sql");
  g_autoptr(GanderMigration) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GanderParsedSql) down = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *shown = NULL;

  m = gander_migration_new_for_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_migration_get_version (m), ==, 2);
  g_assert_cmpstr (gander_migration_get_name (m), ==, "00002_second.sql");
  g_assert_true (gander_migration_get_file (m) == file);

  shown = gander_migration_dup_display_path (m);
  g_assert_cmpstr (shown, ==, "resource:///org/gander/tests/migrations/00002_second.sql");

  bytes = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_assert_cmpstr (gander_migration_get_checksum (m, NULL), ==, expected);

  /* let go after the checksum, and read again from the resource */
  again = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, bytes));

  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 1);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (up, 0), ==, 3);
  down = gander_migration_parse (m, GANDER_DIRECTION_DOWN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gander_parsed_sql_get_statement (down, 0), ==, "DROP TABLE second;");
}

/* A migration from memory: no file, and its bytes are never let go, since
 * there is nowhere to read them from again. */
static void
test_from_bytes (void)
{
  g_autoptr(GBytes) contents = g_bytes_new (broken_down_text, strlen (broken_down_text));
  g_autoptr(GanderMigration) m = gander_migration_new_from_bytes (7, "00007_mem.sql", contents);
  g_autoptr(GBytes) loaded = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = gander_migration_dup_display_path (m);
  GFile *file = (GFile *) 0x1;

  g_assert_cmpint (gander_migration_get_version (m), ==, 7);
  g_assert_cmpstr (gander_migration_get_name (m), ==, "00007_mem.sql");
  g_assert_null (gander_migration_get_file (m));
  g_object_get (m, "file", &file, NULL);
  g_assert_null (file);
  g_assert_cmpstr (shown, ==, "00007_mem.sql");

  loaded = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == contents);
  g_assert_nonnull (gander_migration_get_checksum (m, NULL));
  after = gander_migration_load (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (after == contents);

  up = gander_migration_parse (m, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_assert_null (gander_migration_parse (m, GANDER_DIRECTION_DOWN, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  /* errors name the migration by its name */
  g_assert_true (g_str_has_prefix (error->message, "00007_mem.sql:5: "));
}

/* A FIFO or a directory put where a migration file was listed must fail
 * at once: open() on a FIFO would otherwise wait for a writer forever. */
static void
test_not_regular_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *fifo = g_build_filename (f->dir, "00002_fifo.sql", NULL);
  g_autofree char *dir = g_build_filename (f->dir, "00003_dir.sql", NULL);
  g_autoptr(GanderMigration) m_fifo = NULL;
  g_autoptr(GanderMigration) m_dir = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  m_fifo = migration_for (f, "00002_fifo.sql");
  m_dir = migration_for (f, "00003_dir.sql");

  g_assert_null (gander_migration_get_checksum (m_fifo, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "00002_fifo.sql"));
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_assert_nonnull (strstr (error->message, "remove or rename it"));
  g_clear_error (&error);

  g_assert_null (gander_migration_parse (m_dir, GANDER_DIRECTION_UP, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "00003_dir.sql"));
  g_assert_nonnull (strstr (error->message, "is a directory"));
}

/* Several threads asking at once get one parse, one checksum. */
static gpointer
parse_in_thread (gpointer data)
{
  GanderMigration *m = data;
  GanderParsedSql *up = gander_migration_parse (m, GANDER_DIRECTION_UP, NULL);

  g_assert_nonnull (gander_migration_get_checksum (m, NULL));
  return up;
}

static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GanderMigration) m = NULL;
  GThread *threads[8];
  GanderParsedSql *first = NULL;

  g_free (write_file (f, "00001_a.sql", good_text));
  m = migration_for (f, "00001_a.sql");
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("parse", parse_in_thread, m);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      GanderParsedSql *up = g_thread_join (threads[i]);

      g_assert_nonnull (up);
      if (first == NULL)
        first = gander_parsed_sql_ref (up);
      g_assert_true (up == first);
      gander_parsed_sql_unref (up);
    }
  gander_parsed_sql_unref (first);
}

/* A fresh GanderMigration of @path, its checksum (asserted non-NULL). */
static char *
fresh_checksum (const char *path)
{
  g_autoptr(GanderMigration) m = gander_migration_new_for_path (path, "00001_c.sql", 1, NULL);
  g_autoptr(GError) error = NULL;
  const char *checksum = gander_migration_get_checksum (m, &error);

  g_assert_no_error (error);
  g_assert_nonnull (checksum);
  return g_strdup (checksum);
}

static char *
checksum_of_text (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GanderMigration) m = gander_migration_new_from_bytes (1, "00001_c.sql", bytes);

  return g_strdup (gander_migration_get_checksum (m, NULL));
}

static void
assert_cache (guint hits,
              guint misses)
{
  guint h, m;

  gander_migration_checksum_cache_stats (&h, &m);
  g_assert_cmpuint (h, ==, hits);
  g_assert_cmpuint (m, ==, misses);
}

/* A file's checksum is kept across GanderMigration objects (a daemon's
 * refresh makes new ones) while its stat() is unchanged, and only once
 * its ctime is a few seconds old: a file written just now could change
 * again within the same clock tick. */
static void
test_checksum_cache (Fixture       *f,
                     gconstpointer  data)
{
  static const char other_text[] =   /* as long as good_text */
    "-- +goose Up\n"
    "CREATE TABLE b (id int);\n"
    "INSERT INTO b VALUES (2);\n"
    "\n"
    "-- +goose Down\n"
    "DROP TABLE b;\n";
  g_autofree char *path = write_file (f, "00001_c.sql", good_text);
  g_autofree char *good = checksum_of_text (good_text);
  g_autofree char *other = checksum_of_text (other_text);
  g_autoptr(GanderMigration) held = NULL;
  g_autoptr(GError) error = NULL;
  char *checksum;

  G_STATIC_ASSERT (sizeof good_text == sizeof other_text);
  gander_migration_checksum_cache_clear ();

  /* written just now: hashed each time, not kept */
  for (guint i = 1; i <= 2; i++)
    {
      checksum = fresh_checksum (path);
      g_assert_cmpstr (checksum, ==, good);
      g_free (checksum);
      assert_cache (0, i);
    }

  /* settled: kept by the first, found by the next ones */
  g_usleep (2200 * G_TIME_SPAN_MILLISECOND);
  for (guint i = 0; i < 3; i++)
    {
      checksum = fresh_checksum (path);
      g_assert_cmpstr (checksum, ==, good);
      g_free (checksum);
      assert_cache (i, 3);
    }
  held = gander_migration_new_for_path (path, "00001_c.sql", 1, NULL);
  g_assert_cmpstr (gander_migration_get_checksum (held, NULL), ==, good);
  assert_cache (3, 3);

  /* rewritten with as many bytes: a new ctime, hashed again */
  g_free (write_file (f, "00001_c.sql", other_text));
  checksum = fresh_checksum (path);
  g_assert_cmpstr (checksum, ==, other);
  g_free (checksum);
  assert_cache (3, 4);
  /* what was taken from the cache is still checked against the file */
  g_assert_null (gander_migration_load (held, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "changed on disk"));

  gander_migration_checksum_cache_clear ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/migration/version-from-filename", test_version_from_filename);
  ADD ("/migration/new-for-file", test_new_for_file);
  ADD ("/migration/lazy-load", test_lazy_load);
  ADD ("/migration/checksum", test_checksum);
  ADD ("/migration/parse-per-direction", test_parse_per_direction);
  ADD ("/migration/reread-after-release", test_reread_after_release);
  g_test_add_func ("/migration/resource", test_resource);
  g_test_add_func ("/migration/from-bytes", test_from_bytes);
  ADD ("/migration/not-regular-file", test_not_regular_file);
  ADD ("/migration/threads", test_threads);
  ADD ("/migration/checksum-cache", test_checksum_cache);

#undef ADD

  return g_test_run ();
}
