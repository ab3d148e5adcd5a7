/* test-sql-parser.c: unit tests of the goose SQL parser and ENVSUB
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * test-conformance.c checks the parser against goose's recorded output;
 * this file covers what that data does not: line numbers, warnings, error
 * locations, limits, the ENVSUB grammar in detail and the boxed type.
 * Expected goose behaviour follows GOOSE_SPEC §1 and the upstream source.
 */
#include "config.h"

#include <string.h>

#include "gander.h"
#include "gander-sql-parser-private.h"
#include "gander-envsub-private.h"

#define SEE_DOCS "see https://github.com/pressly/goose#sql-migrations"

static GanderParsedSql *
parse_len (const char       *text,
           gsize             len,
           GanderDirection   direction,
           GError          **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len);

  return gander_sql_parse (bytes, direction, "m.sql", error);
}

static GanderParsedSql *
parse (const char      *text,
       GanderDirection  direction)
{
  g_autoptr(GError) error = NULL;
  GanderParsedSql *parsed = parse_len (text, strlen (text), direction, &error);

  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  return parsed;
}

/* Parses @text in @direction and expects failure; returns the message. */
static char *
parse_error (const char      *text,
             GanderDirection  direction)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) parsed = parse_len (text, strlen (text), direction, &error);

  g_assert_null (parsed);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  return g_strdup (error->message);
}

static void
assert_statements (GanderParsedSql   *parsed,
                   const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < gander_parsed_sql_get_n_statements (parsed); i++)
    g_test_message ("statement %u: «%s»", i, gander_parsed_sql_get_statement (parsed, i));
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (parsed), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (gander_parsed_sql_get_statement (parsed, i), ==, expected[i]);
}

static guint
count_warnings (GanderParsedSql *parsed)
{
  return g_strv_length ((char **) gander_parsed_sql_get_warnings (parsed));
}

/* The one warning that contains @needle; it must start with @where. */
static void
assert_warning (GanderParsedSql *parsed,
                const char      *where,
                const char      *needle)
{
  const char * const *warnings = gander_parsed_sql_get_warnings (parsed);

  for (guint i = 0; warnings[i] != NULL; i++)
    {
      if (strstr (warnings[i], needle) != NULL)
        {
          g_assert_true (g_str_has_prefix (warnings[i], where));
          return;
        }
    }
  for (guint i = 0; warnings[i] != NULL; i++)
    g_test_message ("warning: %s", warnings[i]);
  g_error ("no warning contains «%s»", needle);
}

/* ---- statements and line numbers ---- */

static void
test_basic (void)
{
  const char *text =
    "-- leading comment\n"
    "\n"
    "-- +goose Up\n"
    "-- about the table\n"
    "CREATE TABLE t (\n"
    "  id int -- the key\n"
    ");\n"
    "\n"
    "INSERT INTO t VALUES (1); -- one\n"
    "-- +goose StatementBegin\n"
    "CREATE FUNCTION f() RETURNS int AS $$\n"
    "BEGIN RETURN 1; END;\n"
    "$$ LANGUAGE plpgsql;\n"
    "-- +goose StatementEnd\n"
    "-- +goose Down\n"
    "DROP TABLE t;\n";
  const char * const up[] = {
    "CREATE TABLE t (\n  id int -- the key\n);",
    "INSERT INTO t VALUES (1); -- one",
    "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN RETURN 1; END;\n$$ LANGUAGE plpgsql;",
    NULL
  };
  const char * const down[] = { "DROP TABLE t;", NULL };
  g_autoptr(GanderParsedSql) parsed_up = parse (text, GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) parsed_down = parse (text, GANDER_DIRECTION_DOWN);

  assert_statements (parsed_up, up);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed_up, 0), ==, 5);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed_up, 1), ==, 9);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed_up, 2), ==, 11);
  g_assert_true (gander_parsed_sql_get_use_transaction (parsed_up));
  g_assert_cmpint (gander_parsed_sql_get_direction (parsed_up), ==, GANDER_DIRECTION_UP);
  g_assert_cmpuint (count_warnings (parsed_up), ==, 0);

  assert_statements (parsed_down, down);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed_down, 0), ==, 16);
  g_assert_cmpint (gander_parsed_sql_get_direction (parsed_down), ==, GANDER_DIRECTION_DOWN);
  g_assert_cmpuint (count_warnings (parsed_down), ==, 0);
}

static void
test_statement_lines (void)
{
  /* Once a statement has started, comments and blank lines stay in it; a
   * whitespace-only line starts a statement (goose keeps it, trimmed
   * away later), and the line reported is where the text starts. */
  const char *text =
    "-- +goose Up\n"
    "   \n"
    "-- kept\n"
    "SELECT 1;\n"
    "SELECT\n"
    "\n"
    "  2;\n"
    "-- +goose StatementBegin\n"
    "\n"
    "-- dropped, the block's buffer is empty\n"
    "SELECT 3;\n"
    "-- +goose StatementEnd\n";
  const char * const up[] = {
    "-- kept\nSELECT 1;",
    "SELECT\n\n  2;",
    "SELECT 3;",
    NULL
  };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);

  assert_statements (parsed, up);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 0), ==, 3);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 1), ==, 5);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 2), ==, 11);
}

static void
test_crlf (void)
{
  const char *lf = "-- +goose Up\nSELECT 1;\n-- +goose StatementBegin\nSELECT 2;\nSELECT 3;\n-- +goose StatementEnd\n-- +goose Down\nSELECT 4;\n";
  const char *crlf = "-- +goose Up\r\nSELECT 1;\r\n-- +goose StatementBegin\r\nSELECT 2;\r\nSELECT 3;\r\n-- +goose StatementEnd\r\n-- +goose Down\r\nSELECT 4;\r\n";
  const char * const up[] = { "SELECT 1;", "SELECT 2;\nSELECT 3;", NULL };

  for (int d = GANDER_DIRECTION_UP; d <= GANDER_DIRECTION_DOWN; d++)
    {
      g_autoptr(GanderParsedSql) a = parse (lf, d);
      g_autoptr(GanderParsedSql) b = parse (crlf, d);

      g_assert_cmpuint (gander_parsed_sql_get_n_statements (a), ==,
                        gander_parsed_sql_get_n_statements (b));
      for (guint i = 0; i < gander_parsed_sql_get_n_statements (a); i++)
        {
          g_assert_cmpstr (gander_parsed_sql_get_statement (a, i), ==,
                           gander_parsed_sql_get_statement (b, i));
          g_assert_cmpuint (gander_parsed_sql_get_statement_line (a, i), ==,
                            gander_parsed_sql_get_statement_line (b, i));
        }
      if (d == GANDER_DIRECTION_UP)
        assert_statements (b, up);
    }

  /* Only one '\r' goes; a second one is part of the line (and space). */
  {
    g_autoptr(GanderParsedSql) parsed = parse ("-- +goose Up\nSELECT 1;\r\r\n", GANDER_DIRECTION_UP);
    const char * const expected[] = { "SELECT 1;", NULL };

    assert_statements (parsed, expected);
  }
}

static void
test_last_line (void)
{
  g_autoptr(GanderParsedSql) parsed = parse ("-- +goose Up\nSELECT 1;", GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) only_up = parse ("-- +goose Up", GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) only_up_down = parse ("-- +goose Up", GANDER_DIRECTION_DOWN);
  const char * const expected[] = { "SELECT 1;", NULL };

  assert_statements (parsed, expected);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 0), ==, 2);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (only_up), ==, 0);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (only_up_down), ==, 0);
}

static void
test_splitting_quirks (void)
{
  /* No quote awareness, several commands on a line stay together, a lone
   * ';' ends a statement, a block needs no ';'. */
  const char *text =
    "-- +goose Up\n"
    "SELECT 'a;\n"
    "b';\n"
    "SELECT 3; SELECT 3; -- c\n"
    "SELECT 4\n"
    ";\n"
    "SELECT 5 -- comment ;\n"
    ";\n"
    "-- +goose StatementBegin\n"
    "SELECT 6\n"
    "-- +goose StatementEnd\n"
    "SELECT 7; -- +goose is only an annotation at the start\n";
  const char * const up[] = {
    "SELECT 'a;",
    "b';",
    "SELECT 3; SELECT 3; -- c",
    "SELECT 4\n;",
    "SELECT 5 -- comment ;\n;",
    "SELECT 6",
    "SELECT 7; -- +goose is only an annotation at the start",
    NULL
  };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);

  assert_statements (parsed, up);
}

static void
test_whitespace (void)
{
  /* Go's TrimSpace: U+0085, U+00A0, U+3000 are space too; U+200B is not. */
  const char *text =
    "-- +goose Up\n"
    "\xc2\xa0SELECT 1;\xe3\x80\x80\n"
    "\xc2\x85\n"
    "SELECT\xc2\xa0" "2;\n"
    "\xe2\x80\x8bSELECT 3;\n";
  const char * const up[] = {
    "SELECT 1;",
    "SELECT\xc2\xa0" "2;",
    "\xe2\x80\x8bSELECT 3;",
    NULL
  };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);

  assert_statements (parsed, up);
  /* The U+0085 line starts the second statement but holds no text. */
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 1), ==, 4);
}

static void
test_no_transaction (void)
{
  const char *text =
    "-- +goose Up\n"
    "SELECT 1;\n"
    "-- +goose Down\n"
    "SELECT 2;\n"
    "-- +goose no transaction\n";
  g_autoptr(GanderParsedSql) up = parse (text, GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) down = parse (text, GANDER_DIRECTION_DOWN);

  g_assert_false (gander_parsed_sql_get_use_transaction (up));
  g_assert_false (gander_parsed_sql_get_use_transaction (down));
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 1);
}

static void
test_annotation_spellings (void)
{
  const char * const accepted[] = {
    "-- +goose up\nSELECT 1;\n",
    "-- +goose UP\nSELECT 1;\n",
    "--+goose Up\nSELECT 1;\n",
    "---- +goose Up\nSELECT 1;\n",
    "-- +goose Up--\nSELECT 1;\n",
    "-- +goose\tUp\nSELECT 1;\n",
    "-- +goose   UP \t\nSELECT 1;\n",
    "\v-- +goose Up\nSELECT 1;\n",
    "-- +goose Up\n-- +goose statementbegin\nSELECT 1;\n-- +goose STATEMENTEND\n",
    /* strings.EqualFold: U+017F LATIN SMALL LETTER LONG S folds to 's' */
    "-- +goose Up\n-- +goose \xc5\xbftatementBegin\nSELECT 1;\n-- +goose StatementEnd\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GanderParsedSql) parsed = parse (accepted[i], GANDER_DIRECTION_UP);
      const char * const expected[] = { "SELECT 1;", NULL };

      assert_statements (parsed, expected);
    }
}

static void
test_extract_annotation (void)
{
  /* goose's Test_extractAnnotation, plus the error texts. */
  static const struct {
    const char       *line;
    gboolean          ok;
    GanderAnnotation  annotation;
    const char       *error;
  } cases[] = {
    { "-- +goose Up", TRUE, GANDER_ANNOTATION_UP, NULL },
    { "-- +goose Down", TRUE, GANDER_ANNOTATION_DOWN, NULL },
    { "-- +goose StatementBegin", TRUE, GANDER_ANNOTATION_STATEMENT_BEGIN, NULL },
    { "-- +goose StatementEnd", TRUE, GANDER_ANNOTATION_STATEMENT_END, NULL },
    { "-- +goose NO TRANSACTION", TRUE, GANDER_ANNOTATION_NO_TRANSACTION, NULL },
    { "-- +goose envsub on", TRUE, GANDER_ANNOTATION_ENVSUB_ON, NULL },
    { "-- +goose ENVSUB OFF", TRUE, GANDER_ANNOTATION_ENVSUB_OFF, NULL },
    { "-- +goose   UP \t", TRUE, GANDER_ANNOTATION_UP, NULL },
    { "-- +goose unsupported", FALSE, 0, "\"unsupported\" not supported: invalid annotation" },
    { "-- +goose", FALSE, 0, "empty annotation" },
    { " -- +goose   UP \t", FALSE, 0, "\" -- +goose   UP \\t\" contains leading whitespace: invalid annotation" },
    { "\t-- +goose   UP \t", FALSE, 0, "\"\\t-- +goose   UP \\t\" contains leading whitespace: invalid annotation" },
    { "-- +goose +goose Up", FALSE, 0, "\"  +goose Up\" contains multiple '+goose' annotations: invalid annotation" },
    { "-- +goose Up -- comment", FALSE, 0, "\"Up  comment\" not supported: invalid annotation" },
    { "-- +goose StatementEnd;", FALSE, 0, "\"StatementEnd;\" not supported: invalid annotation" },
    { "-- +goose NO  TRANSACTION", FALSE, 0, "\"NO  TRANSACTION\" not supported: invalid annotation" },
    /* "--" is removed first, so "+go--ose" becomes a second marker */
    { "-- +goose Up +go--ose", FALSE, 0, "\"  Up +goose\" contains multiple '+goose' annotations: invalid annotation" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GanderAnnotation annotation = 0;
      g_autofree char *why = NULL;
      gboolean ok;

      ok = gander_sql_extract_annotation (cases[i].line, strlen (cases[i].line),
                                          &annotation, &why);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        g_assert_cmpint (annotation, ==, cases[i].annotation);
      else
        g_assert_cmpstr (why, ==, cases[i].error);
    }
}

static void
test_ends_with_semicolon (void)
{
  /* goose's TestSemicolons, and its word splitting on Unicode spaces. */
  static const struct {
    const char *line;
    gboolean    result;
  } cases[] = {
    { "END;", TRUE },
    { "END; -- comment", TRUE },
    { "END   ; -- comment", TRUE },
    { "END -- comment", FALSE },
    { "END -- comment ;", FALSE },
    { "END \" ; \" -- comment", FALSE },
    { "SELECT 1;--comment", FALSE },
    { "SELECT 1; /* c */", FALSE },
    { ";", TRUE },
    { "", FALSE },
    { "   ", FALSE },
    { "SELECT 1;\xc2\xa0--\xc2\xa0x", TRUE },
    { "SELECT 1;\xe2\x80\x8b", FALSE },
    { "x;\xe3\x80\x80", TRUE },
    { "-- x;", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (gander_sql_ends_with_semicolon (cases[i].line, strlen (cases[i].line)),
                     ==, cases[i].result);
}

static void
test_direction_independence (void)
{
  /* An unterminated statement is reported only by its own direction. */
  const char *text = "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2\n";
  g_autoptr(GanderParsedSql) up = parse (text, GANDER_DIRECTION_UP);
  g_autofree char *message = parse_error (text, GANDER_DIRECTION_DOWN);

  g_assert_cmpuint (gander_parsed_sql_get_n_statements (up), ==, 1);
  g_assert_nonnull (strstr (message, "m.sql:4: failed to parse migration: state 4, direction: down: "
                                     "unexpected unfinished SQL query: \"SELECT 2\": missing semicolon?"));
}

/* ---- errors ---- */

static void
assert_error (const char      *text,
              GanderDirection  direction,
              const char      *where,
              const char      *goose_text)
{
  g_autofree char *message = parse_error (text, direction);

  g_test_message ("error: %s", message);
  g_assert_true (g_str_has_prefix (message, where));
  g_assert_nonnull (strstr (message, goose_text));
}

static void
test_errors (void)
{
  assert_error ("", GANDER_DIRECTION_UP, "m.sql:1: ",
                "failed to parse migration: must start with '-- +goose Up' annotation, " SEE_DOCS);
  assert_error ("\n\n-- nothing\n", GANDER_DIRECTION_DOWN, "m.sql:3: ",
                "failed to parse migration: must start with '-- +goose Up' annotation, " SEE_DOCS);
  assert_error ("-- +goose Up\nSELECT 1;\n-- +goose Up\n", GANDER_DIRECTION_UP, "m.sql:3: ",
                "duplicate '-- +goose Up' annotations; stateMachine=1, " SEE_DOCS);
  assert_error ("-- +goose Down\n", GANDER_DIRECTION_DOWN, "m.sql:1: ",
                "must start with '-- +goose Up' annotation, stateMachine=0, " SEE_DOCS);
  assert_error ("-- +goose Up\n-- +goose Down\n-- +goose Down\n", GANDER_DIRECTION_UP, "m.sql:3: ",
                "must start with '-- +goose Up' annotation, stateMachine=4, " SEE_DOCS);
  assert_error ("-- +goose StatementBegin\n", GANDER_DIRECTION_UP, "m.sql:1: ",
                "'-- +goose StatementBegin' must be defined after '-- +goose Up' or "
                "'-- +goose Down' annotation, stateMachine=0, " SEE_DOCS);
  assert_error ("-- +goose Up\n-- +goose StatementBegin\n-- +goose StatementBegin\n",
                GANDER_DIRECTION_UP, "m.sql:3: ",
                "'-- +goose StatementBegin' must be defined after '-- +goose Up' or "
                "'-- +goose Down' annotation, stateMachine=2, " SEE_DOCS);
  assert_error ("-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n", GANDER_DIRECTION_DOWN, "m.sql:3: ",
                "'-- +goose StatementEnd' must be defined after '-- +goose StatementBegin', " SEE_DOCS);
  assert_error ("-- +goose Up\n-- see +goose docs\n", GANDER_DIRECTION_UP, "m.sql:2: ",
                "failed to parse annotation line \"-- see +goose docs\": "
                "\"see  docs\" not supported: invalid annotation");
  assert_error ("SELECT 0;\n-- +goose Up\n", GANDER_DIRECTION_UP, "m.sql:1: ",
                "failed to parse migration: unexpected state 0 on line \"SELECT 0;\", " SEE_DOCS);
  assert_error ("-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n\n", GANDER_DIRECTION_DOWN, "m.sql:4: ",
                "failed to parse migration: missing '-- +goose StatementEnd' annotation");
  assert_error ("-- +goose Up\nSELECT 1;\nSELECT\n  2\n-- +goose Down\n", GANDER_DIRECTION_UP, "m.sql:5: ",
                "failed to parse migration: state 1, direction: up: "
                "unexpected unfinished SQL query: \"SELECT\\n  2\": missing semicolon?");
  assert_error ("-- +goose Up\nSELECT 1\n", GANDER_DIRECTION_UP, "m.sql:2: ",
                "failed to parse migration: state 1, direction: up: "
                "unexpected unfinished SQL query: \"SELECT 1\": missing semicolon?");
  /* goose's %q quoting of odd bytes */
  assert_error ("-- +goose Up\n-- +goose Up \x01\xff\xc2\xa0\xe2\x80\x8b\"\\\xc3\xa9\n",
                GANDER_DIRECTION_UP, "m.sql:2: ",
                "failed to parse annotation line \"-- +goose Up \\x01\\xff\\u00a0\\u200b\\\"\\\\\xc3\xa9\": ");

  /* The prefix is where the problem is noticed; the note says where the
   * unfinished statement starts, and agrees with the prefix. */
  {
    g_autofree char *message = parse_error ("-- +goose Up\n\nSELECT\n1\n", GANDER_DIRECTION_UP);

    g_assert_true (g_str_has_prefix (message, "m.sql:4: "));
    g_assert_nonnull (strstr (message, "(the statement that starts on line 3 is still "
                                       "unterminated at the end of the file, line 4)"));
  }
  {
    g_autofree char *message = parse_error ("-- +goose Up\nSELECT 1;\nSELECT\n  2\n-- +goose Down\n",
                                            GANDER_DIRECTION_UP);

    g_assert_true (g_str_has_prefix (message, "m.sql:5: "));
    g_assert_nonnull (strstr (message, "(the statement that starts on line 3 is still "
                                       "unterminated when '-- +goose Down' begins on line 5)"));
  }

  /* Without a file name, "<input>". */
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static ("SELECT 1;\n", 10);
    g_autoptr(GError) error = NULL;
    g_autoptr(GanderParsedSql) parsed = gander_sql_parse (bytes, GANDER_DIRECTION_UP, NULL, &error);

    g_assert_null (parsed);
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
    g_assert_true (g_str_has_prefix (error->message, "<input>:1: failed to parse migration: unexpected state 0"));
  }
}

/* ---- warnings: goose's behaviour is kept, the quirk is reported ---- */

static void
test_warning_uppercase_marker (void)
{
  /* e46: "-- +GOOSE Down" is a comment, the "down" SQL stays in Up. */
  const char *text = "-- +goose Up\nSELECT 1;\n-- +GOOSE Down\nSELECT 2;\n";
  const char * const up[] = { "SELECT 1;", "SELECT 2;", NULL };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) down = parse (text, GANDER_DIRECTION_DOWN);

  assert_statements (parsed, up);
  g_assert_cmpuint (count_warnings (parsed), ==, 1);
  assert_warning (parsed, "m.sql:3: ", "\"-- +GOOSE Down\" is not an annotation");
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (down), ==, 0);
  assert_warning (down, "m.sql:3: ", "+GOOSE Down");

  /* e43: "-- +GOOSE Up" leaves the file without Up: goose's error, and the
   * reason attached to it. */
  {
    g_autofree char *message = parse_error ("-- +GOOSE Up\nSELECT 1;\n", GANDER_DIRECTION_UP);

    g_assert_true (g_str_has_prefix (message, "m.sql:2: failed to parse migration: unexpected state 0"));
    g_assert_nonnull (strstr (message, "m.sql:1: \"-- +GOOSE Up\" is not an annotation"));
  }
}

static void
test_warning_empty_block (void)
{
  /* e01/e37: goose emits "" and the next SQL line disappears. */
  const char *text =
    "-- +goose Up\n"
    "-- +goose StatementBegin\n"
    "-- +goose StatementEnd\n"
    "-- comment\n"
    "\n"
    "SELECT 1;\n"
    "SELECT 2;\n"
    "-- +goose Down\n"
    "SELECT 3;\n";
  const char * const up[] = { "", "SELECT 2;", NULL };
  const char * const down[] = { "SELECT 3;", NULL };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) parsed_down = parse (text, GANDER_DIRECTION_DOWN);

  assert_statements (parsed, up);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 0), ==, 6);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 1), ==, 7);
  assert_warning (parsed, "m.sql:3: ", "skips line 6");
  g_assert_cmpuint (count_warnings (parsed), ==, 1);

  /* Parsing the other direction reports the same quirk. */
  assert_statements (parsed_down, down);
  g_assert_cmpuint (count_warnings (parsed_down), ==, 1);
  assert_warning (parsed_down, "m.sql:3: ", "skips line 6");

  /* A block of comments only is just as empty. */
  {
    g_autoptr(GanderParsedSql) comments = parse ("-- +goose Up\n"
                                                 "-- +goose StatementBegin\n"
                                                 "-- nothing here\n"
                                                 "-- +goose StatementEnd\n"
                                                 "SELECT 1;\n",
                                                 GANDER_DIRECTION_UP);
    const char * const expected[] = { "", NULL };

    assert_statements (comments, expected);
    assert_warning (comments, "m.sql:4: ", "skips line 5");
  }

  /* Followed by another block or by Down, nothing is lost. */
  {
    g_autoptr(GanderParsedSql) harmless = parse ("-- +goose Up\n"
                                                 "-- +goose StatementBegin\n"
                                                 "-- +goose StatementEnd\n"
                                                 "-- +goose StatementBegin\n"
                                                 "SELECT 1;\n"
                                                 "-- +goose StatementEnd\n"
                                                 "-- +goose Down\n"
                                                 "-- +goose StatementBegin\n"
                                                 "-- +goose StatementEnd\n",
                                                 GANDER_DIRECTION_UP);
    const char * const expected[] = { "SELECT 1;", NULL };

    assert_statements (harmless, expected);
    g_assert_cmpuint (count_warnings (harmless), ==, 2);
    assert_warning (harmless, "m.sql:3: ", "empty '-- +goose StatementBegin'");
    g_assert_true (g_str_has_prefix (gander_parsed_sql_get_warnings (harmless)[1], "m.sql:9: "));
  }

  /* Blank lines only: not skipped, so goose emits "" without losing a line. */
  {
    g_autoptr(GanderParsedSql) blank = parse ("-- +goose Up\n"
                                              "-- +goose StatementBegin\n"
                                              "  \n"
                                              "-- +goose StatementEnd\n"
                                              "SELECT 1;\n",
                                              GANDER_DIRECTION_UP);
    const char * const expected[] = { "", "SELECT 1;", NULL };

    assert_statements (blank, expected);
    assert_warning (blank, "m.sql:2: ", "only blank lines");
  }
}

static void
test_warning_glued_block (void)
{
  /* e13: the unterminated "SELECT 1" becomes part of the block. */
  const char *text =
    "-- +goose Up\n"
    "SELECT 1\n"
    "-- +goose StatementBegin\n"
    "SELECT 2;\n"
    "-- +goose StatementEnd\n";
  const char * const up[] = { "SELECT 1\nSELECT 2;", NULL };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) down = parse (text, GANDER_DIRECTION_DOWN);

  assert_statements (parsed, up);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 0), ==, 2);
  assert_warning (parsed, "m.sql:3: ", "starting on line 2 has no terminating ';'");
  assert_warning (down, "m.sql:3: ", "starting on line 2 has no terminating ';'");
}

static void
test_warning_bom (void)
{
  /* e18: goose fails; the message says why. */
  g_autofree char *message = parse_error ("\xef\xbb\xbf-- +goose Up\nSELECT 1;\n", GANDER_DIRECTION_UP);

  g_assert_true (g_str_has_prefix (message, "m.sql:1: failed to parse migration: unexpected state 0 "
                                            "on line \"\\ufeff-- +goose Up\", " SEE_DOCS));
  g_assert_nonnull (strstr (message, "byte order mark"));
}

static void
test_warning_semicolon_comment (void)
{
  /* e17 and e16: the ';' does not end the statement for goose. */
  const char *text =
    "-- +goose Up\n"
    "SELECT 1;--comment\n"
    "SELECT 2;\n"
    "SELECT 3; /* note */\n"
    "SELECT 4;\n"
    "SELECT 5; -- fine\n";
  const char * const up[] = {
    "SELECT 1;--comment\nSELECT 2;",
    "SELECT 3; /* note */\nSELECT 4;",
    "SELECT 5; -- fine",
    NULL
  };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);
  g_autoptr(GanderParsedSql) down = parse (text, GANDER_DIRECTION_DOWN);

  assert_statements (parsed, up);
  g_assert_cmpuint (count_warnings (parsed), ==, 2);
  assert_warning (parsed, "m.sql:2: ", "followed directly by '--'");
  assert_warning (parsed, "m.sql:4: ", "comment after ';'");
  g_assert_cmpuint (count_warnings (down), ==, 2);

  /* At the end of the file it becomes goose's missing-semicolon error. */
  {
    g_autofree char *message = parse_error ("-- +goose Up\nSELECT 1;--c\n", GANDER_DIRECTION_UP);

    g_assert_nonnull (strstr (message, "unexpected unfinished SQL query: \"SELECT 1;--c\""));
    g_assert_nonnull (strstr (message, "m.sql:2: ';' followed directly by '--'"));
  }
}

static void
test_warning_envsub_dollars (void)
{
  const char *text =
    "-- +goose ENVSUB ON\n"
    "-- +goose Up\n"
    "-- +goose StatementBegin\n"
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n"
    "-- +goose StatementEnd\n"
    "-- +goose ENVSUB OFF\n"
    "SELECT '$$';\n";
  const char * const up[] = {
    "CREATE FUNCTION f() RETURNS int AS $ SELECT 1 $ LANGUAGE sql;",
    "SELECT '$$';",
    NULL
  };
  g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);

  assert_statements (parsed, up);
  g_assert_cmpuint (count_warnings (parsed), ==, 1);
  assert_warning (parsed, "m.sql:4: ", "turns '$$' into '$'");
}

/* ---- ENVSUB ---- */

static const char *
test_lookup (const char *name,
             gpointer    user_data)
{
  GHashTable *env = user_data;

  return g_hash_table_lookup (env, name);
}

static void
test_envsub_grammar (void)
{
  static const struct {
    const char *input;
    const char *output;  /* NULL: error */
    const char *error;
  } cases[] = {
    { "plain text", "plain text", NULL },
    { "$V and ${V}", "value and value", NULL },
    { "$V.suffix $Vsuffix", "value.suffix ", NULL },
    { "${UNSET}|$UNSET|", "||", NULL },
    { "${UNSET:-dflt} ${EMPTY:-dflt} ${V:-dflt}", "dflt dflt value", NULL },
    { "${UNSET-dflt} ${EMPTY-dflt} ${V-dflt}", "dflt  value", NULL },
    { "${UNSET:-${ALSO_UNSET:-${V}}}", "value", NULL },
    { "${UNSET:-}", "", NULL },
    { "${V:1} ${V:0:2} ${V: -2} ${V:-2}", "alue va ue value", NULL },
    { "${V:10} ${V:1:100} ${V: -100:2} ${V:1:-1} ${V:3:-4}", " alue va alu ", NULL },
    { "${UNSET:1}", "", NULL },
    { "${V?msg} ${EMPTY?msg}", "value ", NULL },
    /* branches that are not taken are parsed but never evaluated */
    { "${V:-${UNSET?boom}}", "value", NULL },
    { "$$ \\$ \\\\ $( a$", "$ $ \\\\ $( a$", NULL },
    { "\\x \\", "\\x \\", NULL },
    { "}", "}", NULL },
    { "$\xc3\xa9t\xc3\xa9", "summer", NULL },
    { "${V}\xff", "value\xef\xbf\xbd", NULL },
    { "${UNSET?}", NULL, "$UNSET: not set" },
    { "${UNSET?need $V}", NULL, "$UNSET: need value" },
    { "${UNSET?a} $1", NULL, "Expected identifier to start with a letter, got 1" },
    { "$1", NULL, "Expected identifier to start with a letter, got 1" },
    { "$ x", NULL, "Expected identifier to start with a letter, got  " },
    { "${_U}", NULL, "Expected identifier to start with a letter, got _" },
    { "${", NULL, "Expected identifier to start with a letter, got \xef\xbf\xbd" },
    { "$\xff", NULL, "Expected identifier to start with a letter, got \xef\xbf\xbd" },
    { "${V", NULL, "Expected an operator, got \xef\xbf\xbd" },
    { "${V'}", NULL, "Expected an operator, got '" },
    { "${V:-x", NULL, "Expected brace expansion to end with }, got \xef\xbf\xbd" },
    { "${V:-$}", NULL, "Expected identifier to start with a letter, got }" },
    { "${V:?msg}", NULL, "Unable to parse offset: strconv.Atoi: parsing \"?msg\": invalid syntax" },
    { "${V:}", NULL, "Unable to parse offset: strconv.Atoi: parsing \"\": invalid syntax" },
    { "${V:1:x}", NULL, "Unable to parse length: strconv.Atoi: parsing \"x\": invalid syntax" },
    { "${V:1", NULL, "Unable to parse length: strconv.Atoi: parsing \"\": invalid syntax" },
    { "${V:99999999999999999999}", NULL,
      "Unable to parse offset: strconv.Atoi: parsing \"99999999999999999999\": value out of range" },
    { "${V:9223372036854775808}", NULL,
      "Unable to parse offset: strconv.Atoi: parsing \"9223372036854775808\": value out of range" },
    { "${V:-9223372036854775808}", "value", NULL },
    { "${V: -9223372036854775808}", "value", NULL },
    { "${V:+1:1_0}", NULL, "Unable to parse length: strconv.Atoi: parsing \"1_0\": invalid syntax" },
    /* the sign stays in the quoted text */
    { "${V:+}", NULL, "Unable to parse offset: strconv.Atoi: parsing \"+\": invalid syntax" },
    { "${V:1:-}", NULL, "Unable to parse length: strconv.Atoi: parsing \"-\": invalid syntax" },
    { "${V: +x }", NULL, "Unable to parse offset: strconv.Atoi: parsing \"+x\": invalid syntax" },
    { "${V:+0000000000000000001:2}", "al", NULL },
  };
  g_autoptr(GHashTable) env = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (env, "V", "value");
  g_hash_table_insert (env, "EMPTY", "");
  g_hash_table_insert (env, "\xc3\xa9t\xc3\xa9", "summer");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new ("<");
      g_autoptr(GError) error = NULL;
      gboolean ok;
      g_autofree char *escaped = g_strescape (cases[i].input, NULL);

      g_test_message ("input: %s", escaped);
      ok = gander_envsub_expand (cases[i].input, strlen (cases[i].input),
                                 test_lookup, env, out, NULL, &error);
      if (cases[i].output != NULL)
        {
          g_autofree char *want = g_strconcat ("<", cases[i].output, NULL);

          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (out->str, ==, want);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
          g_assert_cmpstr (error->message, ==, cases[i].error);
          g_assert_cmpstr (out->str, ==, "<");
        }
    }
}

/* Which variables expand to nothing because they are unset: what
 * `validate` warns about. A default, or a set (even empty) variable, is
 * not reported; an unchosen branch is never looked at. */
static void
test_envsub_unset (void)
{
  static const struct {
    const char *input;
    const char *unset;   /* names, space-separated */
  } cases[] = {
    { "plain text", "" },
    { "$V ${V} ${EMPTY}", "" },
    { "$NOPE", "NOPE" },
    { "${NOPE}", "NOPE" },
    { "${NOPE:1}", "NOPE" },
    { "${NOPE:-d} ${NOPE-d} ${EMPTY:-d}", "" },
    { "${V:-$NOPE}", "" },
    { "${NOPE:-$ALSO}", "ALSO" },
    { "$A and ${B} and $A", "A B A" },
    { "$$NOPE \\$NOPE", "" },
  };
  g_autoptr(GHashTable) env = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (env, "V", "value");
  g_hash_table_insert (env, "EMPTY", "");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GPtrArray) unset = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      g_autofree char *joined = NULL;

      g_test_message ("input: %s", cases[i].input);
      g_assert_true (gander_envsub_expand_full (cases[i].input, strlen (cases[i].input),
                                                test_lookup, env, out, NULL, unset, &error));
      g_assert_no_error (error);
      g_ptr_array_add (unset, NULL);
      joined = g_strjoinv (" ", (char **) unset->pdata);
      g_assert_cmpstr (joined, ==, cases[i].unset);
    }
}

static void
test_envsub_parser (void)
{
  g_setenv ("GANDER_TEST_TABLE", "people", TRUE);
  g_unsetenv ("GANDER_TEST_UNSET");

  /* Expansion applies to statement lines only (not to skipped leading
   * comments), from the line after ENVSUB ON, until ENVSUB OFF. */
  {
    const char *text =
      "-- +goose Up\n"
      "SELECT '$GANDER_TEST_TABLE';\n"
      "-- +goose ENVSUB ON\n"
      "-- skipped comment: $1\n"
      "CREATE TABLE ${GANDER_TEST_TABLE} (\n"
      "  -- kept comment: ${GANDER_TEST_UNSET:-none}\n"
      "  id int);\n"
      "-- +goose ENVSUB OFF\n"
      "SELECT '$GANDER_TEST_TABLE';\n";
    const char * const up[] = {
      "SELECT '$GANDER_TEST_TABLE';",
      "CREATE TABLE people (\n  -- kept comment: none\n  id int);",
      "SELECT '$GANDER_TEST_TABLE';",
      NULL
    };
    g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_UP);

    assert_statements (parsed, up);
  }

  /* goose's TestEnvsubError */
  {
    const char *text =
      "\n"
      "-- +goose ENVSUB ON\n"
      "-- +goose Up\n"
      "CREATE TABLE post (\n"
      "\tid int NOT NULL,\n"
      "\ttitle text,\n"
      "\t${GANDER_TEST_UNSET?required env var not set} text,\n"
      "\tPRIMARY KEY(id)\n"
      ");\n";
    g_autofree char *message = parse_error (text, GANDER_DIRECTION_UP);

    g_assert_true (g_str_has_prefix (message, "m.sql:7: variable substitution failed: "
                                              "$GANDER_TEST_UNSET: required env var not set:\n"
                                              "\t${GANDER_TEST_UNSET?required env var not set} text,"));
  }

  /* e51: expansion runs before the direction filter, so a bad line in
   * Down also fails the up parse. */
  {
    const char *text =
      "-- +goose ENVSUB ON\n"
      "-- +goose Up\n"
      "SELECT 1;\n"
      "-- +goose Down\n"
      "SELECT $1;\n";

    assert_error (text, GANDER_DIRECTION_UP, "m.sql:5: ",
                  "variable substitution failed: Expected identifier to start with a letter, got 1:\nSELECT $1;");
  }

  /* ...except after a StatementEnd, where goose's other-direction pass
   * stays in the END state and appends (so expands) nothing. */
  {
    const char *text =
      "-- +goose ENVSUB ON\n"
      "-- +goose Up\n"
      "-- +goose StatementBegin\n"
      "SELECT 1;\n"
      "-- +goose StatementEnd\n"
      "SELECT $1;\n"
      "-- +goose Down\n"
      "SELECT 2;\n";
    const char * const down[] = { "SELECT 2;", NULL };
    g_autoptr(GanderParsedSql) parsed = parse (text, GANDER_DIRECTION_DOWN);

    assert_statements (parsed, down);
    assert_error (text, GANDER_DIRECTION_UP, "m.sql:6: ",
                  "variable substitution failed: Expected identifier to start with a letter, got 1");
  }

  g_unsetenv ("GANDER_TEST_TABLE");
}

/* A NUL byte inside a statement used to cut the statement short there
 * without a word (the text is a C string); it is a parse error naming the
 * file, line and column, and only for the direction whose statement holds
 * it. */
static void
test_nul_byte (void)
{
  static const char text[] =
    "-- +goose Up\n"
    "CREATE TABLE a (id int);\n"
    "INSERT INTO a VALUES (1);\0 DROP TABLE a;\n"
    "-- +goose Down\n"
    "DROP TABLE a;\n";
  static const char in_down[] =
    "-- +goose Up\n"
    "CREATE TABLE a (id int);\n"
    "-- +goose Down\n"
    "-- +goose StatementBegin\n"
    "DROP\0 TABLE a;\n"
    "-- +goose StatementEnd\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GanderParsedSql) down = NULL;
  g_autoptr(GanderParsedSql) up2 = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, sizeof text - 1);
  g_autoptr(GanderParsedSql) both_up = NULL;
  g_autoptr(GanderParsedSql) both_down = NULL;
  g_autoptr(GError) up_error = NULL;
  g_autoptr(GError) down_error = NULL;

  up = parse_len (text, sizeof text - 1, GANDER_DIRECTION_UP, &error);
  g_assert_null (up);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "m.sql:3: a NUL byte (column 26)"));
  g_clear_error (&error);

  /* The other direction is not affected. */
  down = parse_len (text, sizeof text - 1, GANDER_DIRECTION_DOWN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (down), ==, 1);

  gander_sql_parse_both (bytes, "m.sql", &both_up, &up_error, &both_down, &down_error);
  g_assert_null (both_up);
  g_assert_error (up_error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_assert_cmpstr (up_error->message, ==, "m.sql:3: a NUL byte (column 26) inside a statement: "
                   "the statement would end there and the rest of it would be lost; "
                   "remove the byte (a binary or UTF-16 file?)");
  g_assert_no_error (down_error);
  g_assert_nonnull (both_down);

  /* Inside a StatementBegin block of the Down section. */
  up2 = parse_len (in_down, sizeof in_down - 1, GANDER_DIRECTION_UP, &error);
  g_assert_no_error (error);
  g_clear_pointer (&down, gander_parsed_sql_unref);
  down = parse_len (in_down, sizeof in_down - 1, GANDER_DIRECTION_DOWN, &error);
  g_assert_null (down);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "m.sql:5: a NUL byte (column 5)"));
}

static void
test_go_quote (void)
{
  static const struct {
    const char *in;
    gsize       len;
    const char *out;
  } cases[] = {
    { "abc", 3, "\"abc\"" },
    { "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
    { "\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"" },
    { "\x01\x7f", 2, "\"\\x01\\x7f\"" },
    { "\0", 1, "\"\\x00\"" },
    { "\xff\xc3", 2, "\"\\xff\\xc3\"" },
    { "\xc3\xa9\xe2\x82\xac", 5, "\"\xc3\xa9\xe2\x82\xac\"" },
    { "\xef\xbb\xbf\xc2\xa0\xc2\xad", 7, "\"\\ufeff\\u00a0\\u00ad\"" },
    { "\xf3\xa0\x80\x81", 4, "\"\\U000e0001\"" },
    { "\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\"" },
    { "\xed\xa0\x80", 3, "\"\\xed\\xa0\\x80\"" },
    { "\xc0\xaf", 2, "\"\\xc0\\xaf\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *quoted = gander_go_quote (cases[i].in, cases[i].len);

      g_assert_cmpstr (quoted, ==, cases[i].out);
    }
}

/* ---- limits and size ---- */

static void
test_large_input (void)
{
  const guint n = 20000;
  g_autoptr(GString) text = g_string_new ("-- +goose Up\n");
  g_autoptr(GanderParsedSql) parsed = NULL;
  g_autoptr(GanderParsedSql) down = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "INSERT INTO t VALUES (%u,\n  'row %u');\n", i, i);
  g_string_append (text, "-- +goose Down\n-- +goose StatementBegin\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "DELETE FROM t WHERE id = %u;\n", i);
  g_string_append (text, "-- +goose StatementEnd\n");
  bytes = g_string_free_to_bytes (g_steal_pointer (&text));

  parsed = gander_sql_parse (bytes, GANDER_DIRECTION_UP, "big.sql", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (parsed), ==, n);
  g_assert_cmpstr (gander_parsed_sql_get_statement (parsed, 0), ==, "INSERT INTO t VALUES (0,\n  'row 0');");
  g_assert_cmpstr (gander_parsed_sql_get_statement (parsed, n - 1), ==,
                   "INSERT INTO t VALUES (19999,\n  'row 19999');");
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 0), ==, 2);
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, n - 1), ==, 2 + 2 * (n - 1));

  down = gander_sql_parse (bytes, GANDER_DIRECTION_DOWN, "big.sql", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (down), ==, 1);
  g_assert_true (g_str_has_prefix (gander_parsed_sql_get_statement (down, 0), "DELETE FROM t WHERE id = 0;\n"));
  g_assert_true (g_str_has_suffix (gander_parsed_sql_get_statement (down, 0), "DELETE FROM t WHERE id = 19999;"));
  g_assert_cmpuint (gander_parsed_sql_get_statement_line (down, 0), ==, 2 * n + 4);
}

static GBytes *
long_line_file (gsize        line_len,
                const char  *line_end)
{
  GString *text = g_string_new ("-- +goose Up\nSELECT 1;\n-- ");
  gsize fill = line_len - 3 - strlen (line_end) + (g_str_has_suffix (line_end, "\n") ? 1 : 0);

  /* A comment line of exactly @line_len bytes before its '\n'. */
  g_string_set_size (text, text->len + fill);
  memset (text->str + text->len - fill, 'x', fill);
  g_string_append (text, line_end);
  g_string_append (text, "SELECT 2;\n");
  return g_string_free_to_bytes (text);
}

static void
test_line_limit (void)
{
  const gsize limit = 4 * 1024 * 1024;

  /* One byte below bufio.Scanner's 4 MiB buffer: fine. */
  {
    g_autoptr(GBytes) bytes = long_line_file (limit - 1, "\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(GanderParsedSql) parsed = gander_sql_parse (bytes, GANDER_DIRECTION_UP, "long.sql", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (gander_parsed_sql_get_n_statements (parsed), ==, 2);
    g_assert_cmpuint (gander_parsed_sql_get_statement_line (parsed, 1), ==, 4);
  }

  /* At the limit (the '\r' of CRLF counts): goose's scanner error. */
  {
    const char *ends[] = { "\n", "\r\n" };

    for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
      {
        g_autoptr(GBytes) bytes = long_line_file (limit, ends[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(GanderParsedSql) parsed = gander_sql_parse (bytes, GANDER_DIRECTION_DOWN, "long.sql", &error);

        g_assert_null (parsed);
        g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
        g_assert_cmpstr (error->message, ==,
                         "long.sql:3: failed to scan migration: bufio.Scanner: token too long");
      }
  }

  /* A last line without '\n' has the same limit. */
  {
    GString *text = g_string_new ("-- +goose Up\n");
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GanderParsedSql) parsed = NULL;

    g_string_set_size (text, text->len + limit);
    memset (text->str + text->len - limit, ' ', limit);
    bytes = g_string_free_to_bytes (text);
    parsed = gander_sql_parse (bytes, GANDER_DIRECTION_UP, "long.sql", &error);
    g_assert_null (parsed);
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
    g_assert_true (g_str_has_prefix (error->message, "long.sql:2: failed to scan migration"));
  }
}

/* ---- the boxed type ---- */

static void
test_refcount (void)
{
  GanderParsedSql *parsed = parse ("-- +goose Up\nSELECT 1;\n", GANDER_DIRECTION_UP);
  GanderParsedSql *copy;
  GType type = gander_parsed_sql_get_type ();

  g_assert_true (G_TYPE_IS_BOXED (type));
  g_assert_cmpstr (g_type_name (type), ==, "GanderParsedSql");

  g_assert_true (gander_parsed_sql_ref (parsed) == parsed);
  copy = g_boxed_copy (GANDER_TYPE_PARSED_SQL, parsed);
  g_assert_true (copy == parsed);
  gander_parsed_sql_unref (parsed);
  g_boxed_free (GANDER_TYPE_PARSED_SQL, copy);

  /* Still alive with the last reference. */
  g_assert_cmpstr (gander_parsed_sql_get_statement (parsed, 0), ==, "SELECT 1;");
  g_assert_nonnull (gander_parsed_sql_get_warnings (parsed));
  g_assert_null (gander_parsed_sql_get_warnings (parsed)[0]);
  gander_parsed_sql_unref (parsed);
}

static void
assert_same_parse (GanderParsedSql *a,
                   const GError    *a_error,
                   GanderParsedSql *b,
                   const GError    *b_error)
{
  const char * const *wa;
  const char * const *wb;

  if (a == NULL)
    {
      g_assert_null (b);
      g_assert_nonnull (a_error);
      g_assert_nonnull (b_error);
      g_assert_true (a_error->domain == b_error->domain);
      g_assert_cmpint (a_error->code, ==, b_error->code);
      g_assert_cmpstr (a_error->message, ==, b_error->message);
      return;
    }
  g_assert_nonnull (b);
  g_assert_cmpint (gander_parsed_sql_get_direction (a), ==, gander_parsed_sql_get_direction (b));
  g_assert_cmpint (gander_parsed_sql_get_use_transaction (a), ==,
                   gander_parsed_sql_get_use_transaction (b));
  g_assert_cmpuint (gander_parsed_sql_get_n_statements (a), ==,
                    gander_parsed_sql_get_n_statements (b));
  for (guint i = 0; i < gander_parsed_sql_get_n_statements (a); i++)
    {
      g_assert_cmpstr (gander_parsed_sql_get_statement (a, i), ==,
                       gander_parsed_sql_get_statement (b, i));
      g_assert_cmpuint (gander_parsed_sql_get_statement_line (a, i), ==,
                        gander_parsed_sql_get_statement_line (b, i));
    }
  wa = gander_parsed_sql_get_warnings (a);
  wb = gander_parsed_sql_get_warnings (b);
  g_assert_cmpuint (g_strv_length ((char **) wa), ==, g_strv_length ((char **) wb));
  for (guint i = 0; wa[i] != NULL; i++)
    g_assert_cmpstr (wa[i], ==, wb[i]);
}

static void
check_parse_both (GBytes     *contents,
                  const char *name)
{
  g_autoptr(GanderParsedSql) up = NULL;
  g_autoptr(GanderParsedSql) down = NULL;
  g_autoptr(GanderParsedSql) both_up = NULL;
  g_autoptr(GanderParsedSql) both_down = NULL;
  g_autoptr(GError) up_error = NULL;
  g_autoptr(GError) down_error = NULL;
  g_autoptr(GError) both_up_error = NULL;
  g_autoptr(GError) both_down_error = NULL;

  up = gander_sql_parse (contents, GANDER_DIRECTION_UP, name, &up_error);
  down = gander_sql_parse (contents, GANDER_DIRECTION_DOWN, name, &down_error);
  gander_sql_parse_both (contents, name, &both_up, &both_up_error, &both_down, &both_down_error);

  assert_same_parse (up, up_error, both_up, both_up_error);
  assert_same_parse (down, down_error, both_down, both_down_error);
}

static void
check_parse_both_in (const char *dir_path,
                     guint      *n_files)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        check_parse_both_in (path, n_files);
      else if (g_str_has_suffix (name, ".sql"))
        {
          g_autofree char *text = NULL;
          gsize len;
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GError) error = NULL;

          g_file_get_contents (path, &text, &len, &error);
          g_assert_no_error (error);
          bytes = g_bytes_new (text, len);
          check_parse_both (bytes, name);
          (*n_files)++;
        }
    }
}

/* gander_sql_parse_both() (what GanderMigration uses) gives exactly what
 * one gander_sql_parse() per direction gives: results, errors, warnings. */
static void
test_parse_both (void)
{
  const char *inputs[] = {
    "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n",
    "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2\n",
    "-- +goose Up\nSELECT 1\n-- +goose Down\nSELECT 2;\n",
    "-- +goose Down\nSELECT 2;\n",
    "-- +goose Up\n-- +goose StatementBegin\n-- +goose StatementEnd\nSELECT 1;\n"
    "-- +goose Down\n-- +GOOSE Down\nSELECT 2;\n",
    "\xEF\xBB\xBF-- +goose Up\nSELECT 1;\n",
    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (c);\n",
    "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n",
    "-- +goose Up\nSELECT 1;--c\nSELECT 2; /* x */\n-- +goose Down\nSELECT 3;\n",
    "",
  };
  const char *root = g_getenv ("GANDER_CONFORMANCE_DIR");
  guint n_files = 0;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (inputs[i], strlen (inputs[i]));

      check_parse_both (bytes, "inline.sql");
    }

  if (root != NULL)
    {
      g_autofree char *dir = g_build_filename (root, "goose-sqlparser", NULL);

      check_parse_both_in (dir, &n_files);
    }
  g_test_message ("%u conformance files compared", n_files);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sql-parser/basic", test_basic);
  g_test_add_func ("/sql-parser/statement-lines", test_statement_lines);
  g_test_add_func ("/sql-parser/crlf", test_crlf);
  g_test_add_func ("/sql-parser/last-line", test_last_line);
  g_test_add_func ("/sql-parser/splitting-quirks", test_splitting_quirks);
  g_test_add_func ("/sql-parser/whitespace", test_whitespace);
  g_test_add_func ("/sql-parser/no-transaction", test_no_transaction);
  g_test_add_func ("/sql-parser/annotation-spellings", test_annotation_spellings);
  g_test_add_func ("/sql-parser/extract-annotation", test_extract_annotation);
  g_test_add_func ("/sql-parser/ends-with-semicolon", test_ends_with_semicolon);
  g_test_add_func ("/sql-parser/direction-independence", test_direction_independence);
  g_test_add_func ("/sql-parser/errors", test_errors);
  g_test_add_func ("/sql-parser/warnings/uppercase-marker", test_warning_uppercase_marker);
  g_test_add_func ("/sql-parser/warnings/empty-block", test_warning_empty_block);
  g_test_add_func ("/sql-parser/warnings/glued-block", test_warning_glued_block);
  g_test_add_func ("/sql-parser/warnings/bom", test_warning_bom);
  g_test_add_func ("/sql-parser/warnings/semicolon-comment", test_warning_semicolon_comment);
  g_test_add_func ("/sql-parser/warnings/envsub-dollars", test_warning_envsub_dollars);
  g_test_add_func ("/sql-parser/envsub/grammar", test_envsub_grammar);
  g_test_add_func ("/sql-parser/envsub/parser", test_envsub_parser);
  g_test_add_func ("/sql-parser/go-quote", test_go_quote);
  g_test_add_func ("/sql-parser/nul-byte", test_nul_byte);
  g_test_add_func ("/sql-parser/envsub-unset", test_envsub_unset);
  g_test_add_func ("/sql-parser/large-input", test_large_input);
  g_test_add_func ("/sql-parser/line-limit", test_line_limit);
  g_test_add_func ("/sql-parser/refcount", test_refcount);
  g_test_add_func ("/sql-parser/parse-both", test_parse_both);

  return g_test_run ();
}
