/* test-conformance.c: the SQL parser against goose's observed output
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * $GANDER_CONFORMANCE_DIR/goose-sqlparser/expected.json records what
 * goose v3.27.3's own parser returned for every input file, per
 * direction. Each file is one test case here: statements must match byte
 * for byte, the transaction flag must match, and a failure must carry
 * goose's exact error text. The upstream golden files of
 * testdata/valid-up and testdata/envsub are checked as well.
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "gander.h"

static char *sqlparser_dir;
static JsonParser *expected_parser;
static GPtrArray *golden_dirs;  /* test data, freed after the run */

/* Every variable the inputs mention but expected.json leaves out must be
 * unset (README.md and the "environment_note" of expected.json), or a
 * developer's environment would change the expansions. */
static const char * const unset_variables[] = {
  "ANOTHER_VAR", "NAME", "SET_BUT_EMPTY_VALUE", "XYZ_UNSET",
  "HOME_NOT_SET_XYZ", "SOME_UNSET_VAR", "_UNDERSCORE",
  "GOOSE_Xsuffix", "X", "emp_audit", "emp_stamp",
};

static GBytes *
read_input (const char *relative)
{
  g_autofree char *path = g_build_filename (sqlparser_dir, relative, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static JsonObject *
expected_cases (void)
{
  JsonObject *root = json_node_get_object (json_parser_get_root (expected_parser));

  return json_object_get_object_member (root, "cases");
}

static void
check_direction (const char      *key,
                 GBytes          *input,
                 JsonObject      *expected,
                 GanderDirection  direction)
{
  const char *word = direction == GANDER_DIRECTION_UP ? "up" : "down";
  g_autofree char *error_member = g_strdup_printf ("%s_error", word);
  g_autoptr(GanderParsedSql) parsed = NULL;
  g_autoptr(GError) error = NULL;

  parsed = gander_sql_parse (input, direction, key, &error);

  if (json_object_has_member (expected, error_member))
    {
      const char *want = json_object_get_string_member (expected, error_member);
      g_autofree char *prefix = g_strdup_printf ("%s:", key);

      if (parsed != NULL)
        g_error ("%s (%s): parsed, but goose fails with: %s", key, word, want);
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
      if (strstr (error->message, want) == NULL)
        g_error ("%s (%s): error\n  %s\ndoes not contain goose's\n  %s",
                 key, word, error->message, want);
      /* The message must say where. */
      g_assert_true (g_str_has_prefix (error->message, prefix));
      return;
    }

  if (error != NULL)
    g_error ("%s (%s): goose parses this, we fail: %s", key, word, error->message);
  g_assert_nonnull (parsed);
  g_assert_cmpint (gander_parsed_sql_get_direction (parsed), ==, direction);

  {
    JsonArray *statements = json_object_get_array_member (expected, word);
    guint n = json_array_get_length (statements);

    if (gander_parsed_sql_get_n_statements (parsed) != n)
      {
        for (guint i = 0; i < gander_parsed_sql_get_n_statements (parsed); i++)
          g_test_message ("got statement %u: «%s»", i,
                          gander_parsed_sql_get_statement (parsed, i));
        g_error ("%s (%s): %u statements, goose has %u", key, word,
                 gander_parsed_sql_get_n_statements (parsed), n);
      }
    for (guint i = 0; i < n; i++)
      {
        g_assert_cmpstr (gander_parsed_sql_get_statement (parsed, i), ==,
                         json_array_get_string_element (statements, i));
        g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, i), >=, 1);
      }
  }

  /* use_tx is recorded from the up parse; the flag is file-wide. */
  if (json_object_has_member (expected, "use_tx"))
    g_assert_cmpint (gander_parsed_sql_get_use_transaction (parsed), ==,
                     json_object_get_boolean_member (expected, "use_tx"));

  g_assert_nonnull (gander_parsed_sql_get_warnings (parsed));
}

static void
test_case (gconstpointer data)
{
  const char *key = data;
  JsonObject *expected = json_object_get_object_member (expected_cases (), key);
  g_autoptr(GBytes) input = read_input (key);

  g_assert_nonnull (expected);
  check_direction (key, input, expected, GANDER_DIRECTION_UP);
  check_direction (key, input, expected, GANDER_DIRECTION_DOWN);
}

/* NN.up.golden.sql / NN.down.golden.sql: statement NN, byte for byte, and
 * as many files as statements. */
static void
check_goldens (const char      *dir,
               GBytes          *input,
               GanderDirection  direction,
               gboolean         count_must_match)
{
  const char *word = direction == GANDER_DIRECTION_UP ? "up" : "down";
  g_autoptr(GanderParsedSql) parsed = NULL;
  g_autoptr(GError) error = NULL;
  guint n_goldens = 0;

  parsed = gander_sql_parse (input, direction, dir, &error);
  g_assert_no_error (error);

  for (;;)
    {
      g_autofree char *name = g_strdup_printf ("%02u.%s.golden.sql", n_goldens + 1, word);
      g_autofree char *path = g_build_filename (sqlparser_dir, dir, name, NULL);
      g_autofree char *golden = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &golden, &len, NULL))
        break;
      g_assert_cmpuint (n_goldens, <, gander_parsed_sql_get_n_statements (parsed));
      g_assert_cmpmem (gander_parsed_sql_get_statement (parsed, n_goldens),
                       strlen (gander_parsed_sql_get_statement (parsed, n_goldens)),
                       golden, len);
      n_goldens++;
    }

  if (count_must_match)
    g_assert_cmpuint (gander_parsed_sql_get_n_statements (parsed), ==, n_goldens);
}

static void
test_goldens (gconstpointer data)
{
  const char *dir = data;
  g_autofree char *input_name = g_build_filename (dir, "input.sql", NULL);
  g_autoptr(GBytes) input = read_input (input_name);

  check_goldens (dir, input, GANDER_DIRECTION_UP, TRUE);
  /* valid-up has no down goldens; upstream checks only up there. */
  check_goldens (dir, input, GANDER_DIRECTION_DOWN, g_str_has_prefix (dir, "testdata/envsub/"));
}

static void
test_missing (gconstpointer data)
{
  g_test_skip (data);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_golden_tests (const char *group)
{
  g_autofree char *path = g_build_filename (sqlparser_dir, "testdata", group, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  if (golden_dirs == NULL)
    golden_dirs = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup_printf ("testdata/%s/%s", group, name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      char *dir_name = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strdup_printf ("/conformance/goldens/%s", dir_name);

      g_ptr_array_add (golden_dirs, dir_name);
      g_test_add_data_func (test_path, dir_name, test_goldens);
    }
}

int
main (int    argc,
      char **argv)
{
  const char *root = g_getenv ("GANDER_CONFORMANCE_DIR");
  g_autofree char *expected_path = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonObject *environment;
  g_autoptr(GList) keys = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (root != NULL)
    sqlparser_dir = g_build_filename (root, "goose-sqlparser", NULL);
  if (sqlparser_dir == NULL || !g_file_test (sqlparser_dir, G_FILE_TEST_IS_DIR))
    {
      g_test_add_data_func ("/conformance/missing",
                            "GANDER_CONFORMANCE_DIR/goose-sqlparser does not exist: "
                            "no goose conformance data to check against",
                            test_missing);
      ret = g_test_run ();
      g_clear_pointer (&sqlparser_dir, g_free);
      return ret;
    }

  expected_path = g_build_filename (sqlparser_dir, "expected.json", NULL);
  expected_parser = json_parser_new ();
  json_parser_load_from_file (expected_parser, expected_path, &error);
  g_assert_no_error (error);

  object = json_node_get_object (json_parser_get_root (expected_parser));
  for (guint i = 0; i < G_N_ELEMENTS (unset_variables); i++)
    g_unsetenv (unset_variables[i]);
  environment = json_object_get_object_member (object, "environment");
  keys = json_object_get_members (environment);
  for (GList *l = keys; l != NULL; l = l->next)
    g_setenv (l->data, json_object_get_string_member (environment, l->data), TRUE);

  {
    g_autoptr(GList) case_keys = json_object_get_members (expected_cases ());

    case_keys = g_list_sort (case_keys, (GCompareFunc) g_strcmp0);
    for (GList *l = case_keys; l != NULL; l = l->next)
      {
        g_autofree char *test_path = g_strdup_printf ("/conformance/sqlparser/%s",
                                                      (const char *) l->data);

        /* Keys are owned by the parser, which lives until exit. */
        g_test_add_data_func (test_path, l->data, test_case);
      }
  }

  add_golden_tests ("valid-up");
  add_golden_tests ("envsub");

  ret = g_test_run ();

  g_clear_pointer (&golden_dirs, g_ptr_array_unref);
  g_clear_object (&expected_parser);
  g_clear_pointer (&sqlparser_dir, g_free);
  return ret;
}
