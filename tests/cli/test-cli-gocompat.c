/* test-cli-gocompat.c: the Go behaviours the gander tool imitates
 *
 * Durations, flag values, %q quoting, paths, goose's snake case and
 * timestamp test, and godotenv's .env syntax: the expected values come from
 * Go's documentation and goose's tests (GOOSE_SPEC §2.3, §4.3–4.5).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "gander-cli.h"

static void
test_duration_string (void)
{
  static const struct { gint64 ns; const char *text; } cases[] = {
    { 0, "0s" },
    { 1, "1ns" },
    { 500, "500ns" },
    { 1500, "1.5µs" },
    { 1000, "1µs" },
    { 1230000, "1.23ms" },
    { 12350000, "12.35ms" },
    { 1230000000, "1.23s" },
    { G_GINT64_CONSTANT (61230000000), "1m1.23s" },
    { G_GINT64_CONSTANT (3723460000000), "1h2m3.46s" },
    { G_GINT64_CONSTANT (3600000000000), "1h0m0s" },
    { G_GINT64_CONSTANT (60000000000), "1m0s" },
    { -1500, "-1.5µs" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cli_go_duration_string (cases[i].ns);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  /* µ is U+00B5 MICRO SIGN, as Go writes it, not U+03BC */
  {
    g_autofree char *text = cli_go_duration_string (1500);
    g_assert_cmpmem (text, 5, "1.5\xc2\xb5", 5);
  }
}

static void
test_truncate_duration (void)
{
  static const struct { gint64 in; const char *text; } cases[] = {
    { 500, "500ns" },            /* ≤ 1µs: as is */
    { 1234, "1.23µs" },          /* > 1µs: to 10ns */
    { 1235, "1.24µs" },          /* halves round away from zero */
    { 727512, "727.51µs" },
    { 1234567, "1.23ms" },       /* > 1ms: to 10µs */
    { 12345678, "12.35ms" },
    { 1234567890, "1.23s" },     /* > 1s: to 10ms */
    { G_GINT64_CONSTANT (61234567890), "1m1.23s" },
    { G_GINT64_CONSTANT (3723456789012), "1h2m3.46s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text =
        cli_go_duration_string (cli_goose_truncate_duration (cases[i].in));
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_parse_duration (void)
{
  static const struct { const char *text; gint64 ns; } good[] = {
    { "0", 0 },
    { "+0", 0 },
    { "30s", G_GINT64_CONSTANT (30000000000) },
    { "1h13m", G_GINT64_CONSTANT (4380000000000) },
    { "1.5h", G_GINT64_CONSTANT (5400000000000) },
    { "300ms", 300000000 },
    { "-1.5s", -1500000000 },
    { "2us", 2000 },
    { "2\xc2\xb5s", 2000 },
    { "2\xce\xbcs", 2000 },
    { "7ns", 7 },
    { ".5s", 500000000 },
    { "1h2m3s4ms", G_GINT64_CONSTANT (3723004000000) },
  };
  static const struct { const char *text; const char *message; } bad[] = {
    { "", "time: invalid duration \"\"" },
    { "5", "time: missing unit in duration \"5\"" },
    { "1x", "time: unknown unit \"x\" in duration \"1x\"" },
    { "s", "time: invalid duration \"s\"" },
    { ".s", "time: invalid duration \".s\"" },
    { "-", "time: invalid duration \"-\"" },
    { "99999999999999999999h", "time: invalid duration \"99999999999999999999h\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ns = -42;

      g_assert_true (cli_go_parse_duration (good[i].text, &ns, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ns, ==, good[i].ns);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 ns;

      g_assert_false (cli_go_parse_duration (bad[i].text, &ns, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, bad[i].message);
    }
}

static void
test_ms_or_duration (void)
{
  gint64 ms;
  g_autoptr(GError) error = NULL;

  /* as -timeout: a bare number has no unit (0 aside), and the error
   * suggests one */
  g_assert_false (cli_parse_ms_or_duration ("1500", &ms, &error));
  g_assert_cmpstr (error->message, ==,
                   "time: missing unit in duration \"1500\" (add a unit, as for -timeout: "
                   "1500ms or 1500s)");
  g_clear_error (&error);
  g_assert_true (cli_parse_ms_or_duration ("0", &ms, NULL));
  g_assert_cmpint (ms, ==, 0);
  g_assert_true (cli_parse_ms_or_duration ("1500ms", &ms, NULL));
  g_assert_cmpint (ms, ==, 1500);
  g_assert_true (cli_parse_ms_or_duration ("10s", &ms, NULL));
  g_assert_cmpint (ms, ==, 10000);
  g_assert_true (cli_parse_ms_or_duration ("1us", &ms, NULL));
  g_assert_cmpint (ms, ==, 1);
  g_assert_false (cli_parse_ms_or_duration ("-1s", &ms, &error));
  g_clear_error (&error);
  g_assert_false (cli_parse_ms_or_duration ("ten", &ms, &error));
}

static void
test_parse_bool (void)
{
  static const char * const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char * const no[] = { "0", "f", "F", "FALSE", "false", "False" };
  static const char * const bad[] = { "yes", "no", "", "tRUE", "2" };
  gboolean value;

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      value = FALSE;
      g_assert_true (cli_go_parse_bool (yes[i], &value));
      g_assert_true (value);
      value = TRUE;
      g_assert_true (cli_go_parse_bool (no[i], &value));
      g_assert_false (value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (cli_go_parse_bool (bad[i], &value));
}

static void
test_quote (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "", "\"\"" },
    { ".", "\".\"" },
    { "a\"b\\c", "\"a\\\"b\\\\c\"" },
    { "tab\there\n", "\"tab\\there\\n\"" },
    { "\x01", "\"\\x01\"" },
    { "привет", "\"привет\"" },
    { "bad\xff", "\"bad\\xff\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *q = cli_go_quote (cases[i].in);
      g_assert_cmpstr (q, ==, cases[i].out);
    }
}

static void
test_paths (void)
{
  static const struct { const char *dir, *name, *joined; } cases[] = {
    { ".", "00001_x.sql", "00001_x.sql" },
    { "migrations/", "00001_x.sql", "migrations/00001_x.sql" },
    { "./db//migrations", "a.sql", "db/migrations/a.sql" },
    { "/tmp/../tmp/m", "a.sql", "/tmp/m/a.sql" },
    { "../m", "a.sql", "../m/a.sql" },
    { "", "a.sql", "a.sql" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *joined = cli_go_path_join (cases[i].dir, cases[i].name);
      g_assert_cmpstr (joined, ==, cases[i].joined);
    }
  {
    g_autofree char *a = cli_go_path_clean ("");
    g_autofree char *b = cli_go_path_clean ("/..");
    g_autofree char *c = cli_go_path_clean ("a/../..");
    g_assert_cmpstr (a, ==, ".");
    g_assert_cmpstr (b, ==, "/");
    g_assert_cmpstr (c, ==, "..");
  }
}

static void
test_snake_case (void)
{
  /* GOOSE_SPEC §4.5 */
  static const struct { const char *in, *out; } cases[] = {
    { "add user", "add_user" },
    { "AddUser", "adduser" },
    { "add-user!", "add_user_" },
    { "add-user!!", "add_user" },
    { "v2.0 fix", "v2_0_fix" },
    { "_x_", "x_" },
    { "Добавить Юзера", "добавить_юзера" },
    { "plain", "plain" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = cli_goose_snake_case (cases[i].in);
      g_assert_cmpstr (s, ==, cases[i].out);
    }
}

static void
test_timestamp (void)
{
  /* GOOSE_SPEC §2.3 */
  g_assert_true (cli_goose_is_timestamp (G_GINT64_CONSTANT (20230826163141)));
  g_assert_true (cli_goose_is_timestamp (G_GINT64_CONSTANT (99991231235959)));
  g_assert_true (cli_goose_is_timestamp (G_GINT64_CONSTANT (20240229120000)));
  g_assert_false (cli_goose_is_timestamp (1));
  g_assert_false (cli_goose_is_timestamp (99999));
  g_assert_false (cli_goose_is_timestamp (G_GINT64_CONSTANT (202301011200)));
  g_assert_false (cli_goose_is_timestamp (G_GINT64_CONSTANT (20230229120000)));
  g_assert_false (cli_goose_is_timestamp (G_GINT64_CONSTANT (19691231235959)));
  g_assert_false (cli_goose_is_timestamp (G_GINT64_CONSTANT (19700101000000)));
  g_assert_false (cli_goose_is_timestamp (G_GINT64_CONSTANT (20231301000000)));
  g_assert_false (cli_goose_is_timestamp (G_GINT64_CONSTANT (20230101240000)));
}

static void
test_ansic (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "2024-01-06 09:05:03", "Sat Jan  6 09:05:03 2024" },
    { "2024-01-16 19:05:03.123456", "Tue Jan 16 19:05:03 2024" },
    { "2026-11-24T19:31:20Z", "Tue Nov 24 19:31:20 2026" },
    { "garbage", "garbage" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = cli_go_ansic_time (cases[i].in);
      g_assert_cmpstr (s, ==, cases[i].out);
    }
}

static GHashTable *
dotenv (const char *text)
{
  g_autoptr(GError) error = NULL;
  GHashTable *vars = cli_dotenv_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (vars);
  return vars;
}

static void
test_dotenv (void)
{
  g_autoptr(GHashTable) vars = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("GANDER_TEST_OUTER", "outer", TRUE);
  g_unsetenv ("GANDER_TEST_UNSET");

  vars = dotenv ("# a comment\n"
                 "PLAIN=value\n"
                 "export EXPORTED=yes\n"
                 "SPACED = padded value   \n"
                 "COMMENTED=abc # trailing comment\n"
                 "HASH=abc#def\n"
                 "TWO=a # b # c\n"
                 "SINGLE='$PLAIN \\n raw'\n"
                 "DOUBLE=\"line1\\nline2 \\\"q\\\" $PLAIN ${EXPORTED}\"\n"
                 "ESCAPED=\"\\$PLAIN\"\n"
                 "OUTER=${GANDER_TEST_OUTER}-$GANDER_TEST_UNSET.\n"
                 "YAML: colon\n"
                 "MULTI=\"a\nb\"\n"
                 "EMPTY=\n"
                 "dotted.key=1\r\n"
                 "LAST=end");
  g_assert_cmpstr (g_hash_table_lookup (vars, "PLAIN"), ==, "value");
  g_assert_cmpstr (g_hash_table_lookup (vars, "EXPORTED"), ==, "yes");
  g_assert_cmpstr (g_hash_table_lookup (vars, "SPACED"), ==, "padded value");
  g_assert_cmpstr (g_hash_table_lookup (vars, "COMMENTED"), ==, "abc");
  g_assert_cmpstr (g_hash_table_lookup (vars, "HASH"), ==, "abc#def");
  /* godotenv cuts at the last " #" on the line */
  g_assert_cmpstr (g_hash_table_lookup (vars, "TWO"), ==, "a # b");
  g_assert_cmpstr (g_hash_table_lookup (vars, "SINGLE"), ==, "$PLAIN \\n raw");
  g_assert_cmpstr (g_hash_table_lookup (vars, "DOUBLE"), ==, "line1\nline2 \"q\" value yes");
  g_assert_cmpstr (g_hash_table_lookup (vars, "ESCAPED"), ==, "$PLAIN");
  g_assert_cmpstr (g_hash_table_lookup (vars, "OUTER"), ==, "outer-.");
  g_assert_cmpstr (g_hash_table_lookup (vars, "YAML"), ==, "colon");
  g_assert_cmpstr (g_hash_table_lookup (vars, "MULTI"), ==, "a\nb");
  g_assert_cmpstr (g_hash_table_lookup (vars, "EMPTY"), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (vars, "dotted.key"), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (vars, "LAST"), ==, "end");

  g_assert_null (cli_dotenv_parse ("BAD-NAME=1\n", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (cli_dotenv_parse ("OPEN=\"never closed\n", &error));
  g_assert_nonnull (error);
  g_assert_true (strstr (error->message, "unterminated") != NULL);
}

static void
test_dotenv_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "gander-test.env", NULL);

  g_assert_true (g_file_set_contents (path,
                                      "GANDER_TEST_NEW=from-file\n"
                                      "GANDER_TEST_SET=from-file\n"
                                      "GANDER_TEST_EMPTY=from-file\n", -1, NULL));
  g_unsetenv ("GANDER_TEST_NEW");
  g_setenv ("GANDER_TEST_SET", "from-env", TRUE);
  g_setenv ("GANDER_TEST_EMPTY", "", TRUE);

  g_assert_true (cli_dotenv_load (path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_getenv ("GANDER_TEST_NEW"), ==, "from-file");
  /* never overrides, not even a variable set to "" */
  g_assert_cmpstr (g_getenv ("GANDER_TEST_SET"), ==, "from-env");
  g_assert_cmpstr (g_getenv ("GANDER_TEST_EMPTY"), ==, "");

  g_assert_false (cli_dotenv_load ("/nonexistent/.env", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/go/duration-string", test_duration_string);
  g_test_add_func ("/cli/go/truncate-duration", test_truncate_duration);
  g_test_add_func ("/cli/go/parse-duration", test_parse_duration);
  g_test_add_func ("/cli/go/ms-or-duration", test_ms_or_duration);
  g_test_add_func ("/cli/go/parse-bool", test_parse_bool);
  g_test_add_func ("/cli/go/quote", test_quote);
  g_test_add_func ("/cli/go/paths", test_paths);
  g_test_add_func ("/cli/goose/snake-case", test_snake_case);
  g_test_add_func ("/cli/goose/timestamp", test_timestamp);
  g_test_add_func ("/cli/go/ansic", test_ansic);
  g_test_add_func ("/cli/dotenv/parse", test_dotenv);
  g_test_add_func ("/cli/dotenv/load", test_dotenv_load);

  return g_test_run ();
}
