/* test-audit.c: GanderAudit writes chained JSON lines that verify, and
 * gander_audit_verify_file() finds the first bad one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gander.h"
#include "gander-audit-private.h"
#include "gander-test-util.h"

typedef struct
{
  char *tmpdir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("gander-audit-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->tmpdir, "audit.jsonl", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gander_test_rm_rf (fixture->tmpdir);
  g_free (fixture->path);
  g_free (fixture->tmpdir);
}

/* No test writes to the real journal. */
static GLogWriterOutput
discard_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  return G_LOG_WRITER_HANDLED;
}

static GanderAudit *
new_audit (const char *path)
{
  GanderAudit *audit = gander_audit_new (path);

  gander_audit_set_journal_writer (audit, discard_writer, NULL);
  return audit;
}

/* A record as the manager builds one: every field of the contract. */
static JsonObject *
full_record (const char *event,
             guint       n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *run_id = g_strdup_printf ("00000000-0000-4000-8000-%012u", n);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  json_builder_set_member_name (b, "run_id");
  json_builder_add_string_value (b, run_id);
  json_builder_set_member_name (b, "actor");
  {
    JsonNode *actor = json_node_new (JSON_NODE_OBJECT);

    json_node_take_object (actor, gander_audit_actor_new ("cli", 1000, 4242));
    json_builder_add_value (b, actor);
  }
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, "db-admin-1");
  json_builder_set_member_name (b, "gander_version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "profile");
  json_builder_add_string_value (b, "alerts");
  json_builder_set_member_name (b, "environment");
  json_builder_add_string_value (b, "production");
  json_builder_set_member_name (b, "driver");
  json_builder_add_string_value (b, "postgres");
  json_builder_set_member_name (b, "dsn");
  json_builder_add_string_value (b, "postgres://alerts:xxxxx@db/alerts");
  json_builder_set_member_name (b, "table");
  json_builder_add_string_value (b, "goose_db_version");
  json_builder_set_member_name (b, "operation");
  json_builder_add_string_value (b, "up");
  json_builder_set_member_name (b, "dry_run");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "from_version");
  json_builder_add_int_value (b, 20260101000000);
  json_builder_set_member_name (b, "target_version");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "to_version");
  json_builder_add_int_value (b, 20261130000000);
  json_builder_set_member_name (b, "migrations");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 20261130000000);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, "20261130000000_add_index.sql");
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  json_builder_set_member_name (b, "direction");
  json_builder_add_string_value (b, "up");
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_double_value (b, 12.5);
  json_builder_set_member_name (b, "result");
  json_builder_add_string_value (b, "failed");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "retries");
  json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, 1234);
  json_builder_set_member_name (b, "result");
  json_builder_add_string_value (b, "failed");
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, "sql");
  json_builder_set_member_name (b, "dbus_name");
  json_builder_add_string_value (b, "org.gander.Migrator1.Error.Sql");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "20261130000000_add_index.sql:3: relation \"x\" does not exist");
  json_builder_set_member_name (b, "sqlstate");
  json_builder_add_string_value (b, "42P01");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, "ticket OPS-1 \"quoted\"\nsecond line");
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
small_record (const char *event,
              guint       n)
{
  JsonObject *record = json_object_new ();

  json_object_set_string_member (record, "event", event);
  json_object_set_int_member (record, "n", n);
  return record;
}

static void
append_ok (GanderAudit *audit,
           JsonObject  *record)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_audit_append (audit, record, &error));
  g_assert_no_error (error);
}

static char **
read_lines (const char *path,
            guint      *n_lines)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  char **lines;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';
  lines = g_strsplit (text, "\n", -1);
  if (n_lines != NULL)
    *n_lines = g_strv_length (lines);
  return lines;
}

static JsonObject *
parse_object (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
sha256_of (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
write_lines (const char  *path,
             char       **lines,
             gboolean     final_newline)
{
  g_autofree char *joined = g_strjoinv ("\n", lines);
  g_autofree char *text = g_strconcat (joined, final_newline ? "\n" : "", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
assert_verify_fails (const char *path,
                     guint       expected_line,
                     int         expected_code,
                     const char *expected_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s:%u: ", path, expected_line);
  guint n_records = 999, bad = 999;

  g_assert_false (gander_audit_verify_file (path, &n_records, &bad, &error));
  g_assert_error (error, GANDER_ERROR, expected_code);
  g_assert_cmpuint (bad, ==, expected_line);
  g_assert_cmpuint (n_records, ==, expected_line - 1);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  if (strstr (error->message, expected_text) == NULL)
    g_error ("\"%s\" not in \"%s\"", expected_text, error->message);
}

/* Field by field: ts first (RFC 3339 UTC, µs), every field of the record
 * as given, in order, prev_sha256 null and last on the first line; the
 * caller's object untouched. */
static void
test_audit_fields (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) record = full_record ("run.end", 1);
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(GList) record_members = NULL;
  g_autoptr(GDateTime) ts = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) after = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *actor, *migration, *error_obj;
  const char *ts_text;
  guint n_lines = 0, i;
  GList *l, *r;

  append_ok (audit, record);
  after = g_date_time_new_now_utc ();
  g_assert_false (json_object_has_member (record, "ts"));
  g_assert_false (json_object_has_member (record, "prev_sha256"));

  lines = read_lines (fixture->path, &n_lines);
  g_assert_cmpuint (n_lines, ==, 1);
  line = parse_object (lines[0]);

  members = json_object_get_members (line);
  record_members = json_object_get_members (record);
  g_assert_cmpuint (g_list_length (members), ==, g_list_length (record_members) + 2);
  g_assert_cmpstr (members->data, ==, "ts");
  g_assert_cmpstr (g_list_last (members)->data, ==, "prev_sha256");
  for (l = members->next, r = record_members, i = 0; r != NULL; l = l->next, r = r->next, i++)
    g_assert_cmpstr (l->data, ==, r->data);

  ts_text = json_object_get_string_member (line, "ts");
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$",
                                       ts_text, 0, 0));
  ts = g_date_time_new_from_iso8601 (ts_text, NULL);
  g_assert_nonnull (ts);
  g_assert_cmpint (g_date_time_compare (ts, before), >=, 0);
  g_assert_cmpint (g_date_time_compare (ts, after), <=, 0);
  g_assert_true (json_object_get_null_member (line, "prev_sha256"));

  g_assert_cmpstr (json_object_get_string_member (line, "event"), ==, "run.end");
  g_assert_cmpstr (json_object_get_string_member (line, "run_id"), ==,
                   "00000000-0000-4000-8000-000000000001");
  actor = json_object_get_object_member (line, "actor");
  g_assert_cmpint (json_object_get_int_member (actor, "uid"), ==, 1000);
  g_assert_true (json_object_has_member (actor, "user"));
  g_assert_cmpint (json_object_get_int_member (actor, "pid"), ==, 4242);
  g_assert_cmpstr (json_object_get_string_member (actor, "via"), ==, "cli");
  g_assert_cmpstr (json_object_get_string_member (line, "host"), ==, "db-admin-1");
  g_assert_cmpstr (json_object_get_string_member (line, "gander_version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (line, "profile"), ==, "alerts");
  g_assert_cmpstr (json_object_get_string_member (line, "environment"), ==, "production");
  g_assert_cmpstr (json_object_get_string_member (line, "driver"), ==, "postgres");
  g_assert_cmpstr (json_object_get_string_member (line, "dsn"), ==, "postgres://alerts:xxxxx@db/alerts");
  g_assert_cmpstr (json_object_get_string_member (line, "table"), ==, "goose_db_version");
  g_assert_cmpstr (json_object_get_string_member (line, "operation"), ==, "up");
  g_assert_false (json_object_get_boolean_member (line, "dry_run"));
  g_assert_cmpint (json_object_get_int_member (line, "from_version"), ==, 20260101000000);
  g_assert_true (json_object_get_null_member (line, "target_version"));
  g_assert_cmpint (json_object_get_int_member (line, "to_version"), ==, 20261130000000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (line, "migrations")), ==, 1);
  migration = json_array_get_object_element (json_object_get_array_member (line, "migrations"), 0);
  g_assert_cmpint (json_object_get_int_member (migration, "version"), ==, 20261130000000);
  g_assert_cmpstr (json_object_get_string_member (migration, "file"), ==, "20261130000000_add_index.sql");
  g_assert_cmpstr (json_object_get_string_member (migration, "sha256"), ==,
                   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  g_assert_cmpstr (json_object_get_string_member (migration, "direction"), ==, "up");
  g_assert_cmpfloat (json_object_get_double_member (migration, "duration_ms"), ==, 12.5);
  g_assert_cmpstr (json_object_get_string_member (migration, "result"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (line, "retries"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (line, "duration_ms"), ==, 1234);
  g_assert_cmpstr (json_object_get_string_member (line, "result"), ==, "failed");
  error_obj = json_object_get_object_member (line, "error");
  g_assert_cmpstr (json_object_get_string_member (error_obj, "code"), ==, "sql");
  g_assert_cmpstr (json_object_get_string_member (error_obj, "dbus_name"), ==, "org.gander.Migrator1.Error.Sql");
  g_assert_cmpstr (json_object_get_string_member (error_obj, "message"), ==,
                   "20261130000000_add_index.sql:3: relation \"x\" does not exist");
  g_assert_cmpstr (json_object_get_string_member (error_obj, "sqlstate"), ==, "42P01");
  /* a newline in a value stays inside the one line */
  g_assert_cmpstr (json_object_get_string_member (line, "reason"), ==,
                   "ticket OPS-1 \"quoted\"\nsecond line");
}

/* A record's own ts is kept; a prev_sha256 it brings is replaced. */
static void
test_audit_own_ts (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) record = small_record ("run.start", 1);
  g_autoptr(JsonObject) line = NULL;
  g_auto(GStrv) lines = NULL;

  json_object_set_string_member (record, "prev_sha256", "forged");
  json_object_set_string_member (record, "ts", "2026-11-30T10:00:00.000001Z");
  append_ok (audit, record);
  lines = read_lines (fixture->path, NULL);
  line = parse_object (lines[0]);
  g_assert_cmpstr (json_object_get_string_member (line, "ts"), ==, "2026-11-30T10:00:00.000001Z");
  g_assert_true (json_object_get_null_member (line, "prev_sha256"));
  g_assert_cmpstr (json_object_get_string_member (record, "prev_sha256"), ==, "forged");
}

/* Each line's prev_sha256 is the SHA-256 of the line before (computed
 * here independently), the first one's null; the log verifies. */
static void
test_audit_chain (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines = 0, n_records = 0, bad = 99;

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(JsonObject) record = i % 2 ? small_record ("migration.applied", i)
                                           : full_record ("run.end", i);

      append_ok (audit, record);
      /* a new object on the same file continues the chain */
      if (i == 2)
        {
          g_clear_object (&audit);
          audit = new_audit (fixture->path);
        }
    }
  g_assert_true (gander_audit_sync (audit, &error));
  g_assert_no_error (error);

  lines = read_lines (fixture->path, &n_lines);
  g_assert_cmpuint (n_lines, ==, 6);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(JsonObject) line = parse_object (lines[i]);

      if (i == 0)
        g_assert_true (json_object_get_null_member (line, "prev_sha256"));
      else
        {
          g_autofree char *expected = sha256_of (lines[i - 1]);

          g_assert_cmpstr (json_object_get_string_member (line, "prev_sha256"), ==, expected);
        }
    }

  g_assert_true (gander_audit_verify_file (fixture->path, &n_records, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, 6);
  g_assert_cmpuint (bad, ==, 0);
}

static void
make_log (const char *path,
          guint       n)
{
  g_autoptr(GanderAudit) audit = new_audit (path);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) record = full_record ("migration.applied", i);

      append_ok (audit, record);
    }
}

/* Tampering is found at the right line, with the reason. */
static void
test_audit_tamper (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) original = NULL;
  char *saved;

  make_log (fixture->path, 6);
  original = read_lines (fixture->path, NULL);

  /* a changed value in line 3: line 4's hash no longer matches */
  lines = g_strdupv (original);
  saved = lines[2];
  {
    g_auto(GStrv) parts = g_strsplit (saved, "\"result\":\"failed\"", 2);

    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    lines[2] = g_strjoinv ("\"result\":\"ok\"", parts);
  }
  g_free (saved);
  write_lines (fixture->path, lines, TRUE);
  assert_verify_fails (fixture->path, 4, GANDER_ERROR_FAILED, "hash mismatch");
  g_clear_pointer (&lines, g_strfreev);

  /* the first line changed: found at line 2 */
  lines = g_strdupv (original);
  saved = lines[0];
  lines[0] = g_strconcat (" ", saved, NULL);
  g_free (saved);
  write_lines (fixture->path, lines, TRUE);
  assert_verify_fails (fixture->path, 2, GANDER_ERROR_FAILED, "hash mismatch");
  g_clear_pointer (&lines, g_strfreev);

  /* line 2 removed: the old line 3, now line 2, does not chain to line 1 */
  lines = g_strdupv (original);
  saved = lines[1];
  memmove (&lines[1], &lines[2], sizeof (char *) * 5);
  g_free (saved);
  write_lines (fixture->path, lines, TRUE);
  assert_verify_fails (fixture->path, 2, GANDER_ERROR_FAILED, "hash mismatch");
  g_clear_pointer (&lines, g_strfreev);

  /* not JSON at line 5 */
  lines = g_strdupv (original);
  g_free (lines[4]);
  lines[4] = g_strdup ("{\"event\": \"run.end\", oops");
  write_lines (fixture->path, lines, TRUE);
  assert_verify_fails (fixture->path, 5, GANDER_ERROR_PARSE, "not JSON");
  g_clear_pointer (&lines, g_strfreev);

  /* a field missing at line 3 (the chain itself intact up to there) */
  {
    g_autoptr(JsonObject) line = NULL;
    g_autoptr(JsonNode) node = NULL;

    lines = g_strdupv (original);
    line = parse_object (lines[2]);
    json_object_remove_member (line, "event");
    node = json_node_init_object (json_node_alloc (), line);
    g_free (lines[2]);
    lines[2] = json_to_string (node, FALSE);
    write_lines (fixture->path, lines, TRUE);
    assert_verify_fails (fixture->path, 3, GANDER_ERROR_PARSE, "\"event\" field is missing");
    g_clear_pointer (&lines, g_strfreev);
  }

  /* a forged first line inserted in the middle */
  {
    g_autoptr(GPtrArray) with_insert = g_ptr_array_new ();

    for (guint i = 0; original[i] != NULL; i++)
      {
        if (i == 3)
          g_ptr_array_add (with_insert, (char *) "{\"ts\":\"2026-11-30T10:00:00.000000Z\",\"event\":\"run.start\",\"prev_sha256\":null}");
        g_ptr_array_add (with_insert, original[i]);
      }
    g_ptr_array_add (with_insert, NULL);
    write_lines (fixture->path, (char **) with_insert->pdata, TRUE);
    assert_verify_fails (fixture->path, 4, GANDER_ERROR_FAILED, "null");
  }

  /* the original verifies again */
  write_lines (fixture->path, original, TRUE);
  g_assert_true (gander_audit_verify_file (fixture->path, NULL, NULL, NULL));
}

/* A truncated log: an incomplete last line is reported, and nothing is
 * chained to it; a log whose beginning was cut off is reported at line 1. */
static void
test_audit_truncated (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = NULL;
  g_autoptr(JsonObject) record = small_record ("run.end", 9);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GStatBuf before, after;

  make_log (fixture->path, 4);
  g_assert_cmpint (g_stat (fixture->path, &before), ==, 0);
  g_assert_cmpint (truncate (fixture->path, before.st_size - 20), ==, 0);
  assert_verify_fails (fixture->path, 4, GANDER_ERROR_PARSE, "incomplete last line");

  audit = new_audit (fixture->path);
  g_assert_false (gander_audit_append (audit, record, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_nonnull (strstr (error->message, "incomplete line"));
  g_assert_nonnull (strstr (error->message, "gander audit verify"));
  g_clear_error (&error);
  g_assert_cmpint (g_stat (fixture->path, &after), ==, 0);
  g_assert_cmpint (after.st_size, ==, before.st_size - 20);

  /* cut at the start: the first line left points at a missing line */
  g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  make_log (fixture->path, 4);
  lines = read_lines (fixture->path, NULL);
  write_lines (fixture->path, lines + 1, TRUE);
  assert_verify_fails (fixture->path, 1, GANDER_ERROR_FAILED, "beginning of the log");
}

/* Created 0640 (the umask may only take more away). */
static void
test_audit_mode (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) record = small_record ("run.start", 1);
  GStatBuf st;
  mode_t old = umask (0);

  append_ok (audit, record);
  umask (old);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
}

typedef struct
{
  const char *path;
  guint       n;
} WriterData;

static gpointer
writer_thread (gpointer user_data)
{
  WriterData *data = user_data;
  g_autoptr(GanderAudit) audit = new_audit (data->path);

  for (guint i = 0; i < data->n; i++)
    {
      g_autoptr(JsonObject) record = full_record ("migration.applied", i);

      append_ok (audit, record);
    }
  return NULL;
}

/* Two writers (threads, then processes) on one file, each its own
 * O_APPEND descriptor: no line lost or torn, the chain whole. */
static void
test_audit_two_writers (Fixture       *fixture,
                        gconstpointer  data)
{
  WriterData wd = { fixture->path, 60 };
  g_autoptr(GError) error = NULL;
  GThread *threads[2];
  pid_t pids[2];
  guint n_records = 0, bad = 0;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("audit-writer", writer_thread, &wd);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_true (gander_audit_verify_file (fixture->path, &n_records, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, 120);

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        {
          GanderAudit *audit = new_audit (fixture->path);
          int status = 0;

          for (guint j = 0; j < 60; j++)
            {
              JsonObject *record = full_record ("migration.applied", j);

              if (!gander_audit_append (audit, record, NULL))
                status = 1;
              json_object_unref (record);
            }
          g_object_unref (audit);
          _exit (status);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  g_assert_true (gander_audit_verify_file (fixture->path, &n_records, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, 240);
  g_assert_cmpuint (bad, ==, 0);
}

static void
assert_log_whole (const char *path,
                  guint       expected)
{
  g_autoptr(GError) error = NULL;
  guint n_records = 0, bad = 0;

  g_assert_true (gander_audit_verify_file (path, &n_records, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, expected);
  g_assert_cmpuint (bad, ==, 0);
}

static gboolean
first_prev_is_null (const char *path)
{
  g_auto(GStrv) lines = read_lines (path, NULL);
  g_autoptr(JsonObject) first = parse_object (lines[0]);

  return json_object_get_null_member (first, "prev_sha256");
}

/* The descriptor stays open between records, yet records follow the path:
 * a log renamed away (then recreated by us, or replaced by another file)
 * or truncated in place gets the next record in the file the path names,
 * and a new or empty file starts a new chain, prev_sha256 null. */
static void
test_audit_rotation (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(GanderAudit) other = NULL;
  g_autofree char *rotated = g_strconcat (fixture->path, ".1", NULL);
  g_autofree char *replacement = g_strconcat (fixture->path, ".new", NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) last = NULL;
  g_autofree char *expected = NULL;
  guint n_lines = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) record = small_record ("migration.applied", i);

      append_ok (audit, record);
    }

  /* logrotate's default: rename; the next record creates the path anew */
  g_assert_cmpint (g_rename (fixture->path, rotated), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) record = small_record ("migration.applied", 10 + i);

      append_ok (audit, record);
    }
  assert_log_whole (rotated, 3);
  assert_log_whole (fixture->path, 2);
  g_assert_true (first_prev_is_null (fixture->path));

  /* copytruncate: same file, emptied under the open descriptor */
  g_assert_cmpint (truncate (fixture->path, 0), ==, 0);
  {
    g_autoptr(JsonObject) record = small_record ("run.start", 20);

    append_ok (audit, record);
  }
  assert_log_whole (fixture->path, 1);
  g_assert_true (first_prev_is_null (fixture->path));

  /* replaced by another log (written by another object): the next record
   * chains to that file's last line */
  other = new_audit (replacement);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) record = small_record ("run.end", 30 + i);

      append_ok (other, record);
    }
  g_assert_cmpint (g_rename (replacement, fixture->path), ==, 0);
  lines = read_lines (fixture->path, &n_lines);
  g_assert_cmpuint (n_lines, ==, 2);
  expected = sha256_of (lines[1]);
  {
    g_autoptr(JsonObject) record = small_record ("run.end", 40);

    append_ok (audit, record);
  }
  g_clear_pointer (&lines, g_strfreev);
  lines = read_lines (fixture->path, &n_lines);
  g_assert_cmpuint (n_lines, ==, 3);
  last = parse_object (lines[2]);
  g_assert_cmpstr (json_object_get_string_member (last, "prev_sha256"), ==, expected);
  assert_log_whole (fixture->path, 3);
  assert_log_whole (rotated, 3);
}

/* Two objects on one file, taking turns: each notices the other's lines
 * (the size moved) and reads the last line back; after sync (which closes
 * the file) the next record reopens it and the chain goes on. */
static void
test_audit_interleaved (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GanderAudit) a = new_audit (fixture->path);
  g_autoptr(GanderAudit) b = new_audit (fixture->path);

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) record = full_record ("migration.applied", i);

      append_ok (i % 3 == 0 ? b : a, record);
      if (i == 5)
        g_assert_true (gander_audit_sync (a, NULL));
    }
  assert_log_whole (fixture->path, 10);
}

/* An in-place edit of the last line that keeps its length does not get
 * the next record chained to the edited bytes: the writer remembers the
 * hash of the line it wrote, so the edit shows up in verification. */
static void
test_audit_edit_in_place (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) first = small_record ("run.start", 1);
  g_autoptr(JsonObject) second = small_record ("run.end", 2);
  GStatBuf st;
  int fd;

  append_ok (audit, first);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  fd = g_open (fixture->path, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  /* "n":1 -> "n":7, same length */
  g_assert_cmpint (pwrite (fd, "7", 1, st.st_size - 1 - strlen (",\"prev_sha256\":null}") - 1), ==, 1);
  close (fd);
  assert_log_whole (fixture->path, 1);   /* one line alone proves nothing */

  append_ok (audit, second);
  assert_verify_fails (fixture->path, 2, GANDER_ERROR_FAILED, "hash mismatch");
}

/* A forked child appending through the object it inherited (whose file
 * is open, its flock() shared with the parent's descriptor) opens its
 * own, so parent and children still exclude each other. */
static void
test_audit_fork_inherited (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) start = small_record ("run.start", 0);
  pid_t pids[2];

  append_ok (audit, start);
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        {
          int status = 0;

          for (guint j = 0; j < 40; j++)
            {
              JsonObject *record = full_record ("migration.applied", j);

              if (!gander_audit_append (audit, record, NULL))
                status = 1;
              json_object_unref (record);
            }
          _exit (status);
        }
    }
  for (guint j = 0; j < 40; j++)
    {
      g_autoptr(JsonObject) record = full_record ("migration.applied", 100 + j);

      append_ok (audit, record);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  assert_log_whole (fixture->path, 121);
}

/* The last line is found from the end: a log with a 32 GiB (sparse)
 * beginning is appended to at once. Reading the whole file would take
 * minutes or run out of memory. */
static void
test_audit_reads_from_end (Fixture       *fixture,
                           gconstpointer  data)
{
  const goffset hole = G_GINT64_CONSTANT (32) << 30;
  const char *last = "{\"ts\":\"2026-11-30T10:00:00.000000Z\",\"event\":\"run.end\",\"prev_sha256\":null}";
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) record = small_record ("run.start", 2);
  g_autoptr(JsonObject) line = NULL;
  g_autofree char *expected = sha256_of (last);
  g_autofree char *tail = g_strconcat ("\n", last, "\n", NULL);
  char buf[4096];
  gssize n;
  int fd;

  fd = g_open (fixture->path, O_RDWR | O_CREAT, 0640);
  g_assert_cmpint (fd, >=, 0);
  if (ftruncate (fd, hole) != 0)
    {
      g_test_skip_printf ("cannot make a %" G_GINT64_FORMAT "-byte sparse file here: %s",
                          hole, g_strerror (errno));
      close (fd);
      return;
    }
  g_assert_cmpint (pwrite (fd, tail, strlen (tail), hole), ==, (gssize) strlen (tail));

  append_ok (audit, record);

  /* the new line is at the end, chained to the line before it */
  n = pread (fd, buf, sizeof buf - 1, hole + (goffset) strlen (tail));
  close (fd);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_suffix (buf, "\n"));
  buf[n - 1] = '\0';
  line = parse_object (buf);
  g_assert_cmpstr (json_object_get_string_member (line, "prev_sha256"), ==, expected);
}

/* A password reaching the audit code is masked, with a warning naming the
 * field; its value appears nowhere in the file. */
static void
test_audit_no_password (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) record = small_record ("run.start", 1);
  g_autoptr(JsonObject) error_obj = json_object_new ();
  g_autofree char *text = NULL;

  json_object_set_string_member (record, "dsn", "postgres://alerts:s3cret-pw@db/alerts");
  json_object_set_string_member (error_obj, "message",
                                 "connection to host=db password=hunter2 dbname=a failed");
  json_object_set_object_member (record, "error", g_steal_pointer (&error_obj));

  g_test_expect_message ("Gander", G_LOG_LEVEL_WARNING, "*field \"dsn\"*password*masked*");
  g_test_expect_message ("Gander", G_LOG_LEVEL_WARNING, "*field \"message\"*password*masked*");
  append_ok (audit, record);
  g_test_assert_expected_messages ();

  g_assert_true (g_file_get_contents (fixture->path, &text, NULL, NULL));
  g_assert_null (strstr (text, "s3cret-pw"));
  g_assert_null (strstr (text, "hunter2"));
  g_assert_nonnull (strstr (text, "postgres://alerts:xxxxx@db/alerts"));
  g_assert_nonnull (strstr (text, "password=xxxxx"));
  g_assert_true (gander_audit_verify_file (fixture->path, NULL, NULL, NULL));
}

typedef struct
{
  GHashTable *fields;   /* key → value of the last record */
  guint       calls;
  GLogLevelFlags level;
} Journal;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  Journal *journal = user_data;

  journal->calls++;
  journal->level = log_level;
  g_hash_table_remove_all (journal->fields);
  for (gsize i = 0; i < n_fields; i++)
    {
      g_assert_cmpint (fields[i].length, ==, -1);
      g_hash_table_insert (journal->fields, g_strdup (fields[i].key),
                           g_strdup (fields[i].value));
    }
  return G_LOG_WRITER_HANDLED;
}

/* The journal copy: fixed MESSAGE_ID, the event, run id and result as
 * fields, and the very line written; also without a log file. */
static void
test_audit_journal (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = gander_audit_new (fixture->path);
  g_autoptr(GanderAudit) journal_only = gander_audit_new (NULL);
  g_autoptr(JsonObject) record = full_record ("run.end", 7);
  g_autoptr(JsonObject) start = small_record ("run.start", 8);
  g_auto(GStrv) lines = NULL;
  Journal journal = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free), 0, 0 };

  gander_audit_set_journal_writer (audit, capture_writer, &journal);
  append_ok (audit, record);
  lines = read_lines (fixture->path, NULL);
  g_assert_cmpuint (journal.calls, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "MESSAGE_ID"), ==,
                   "3ab2946215a84290a44eb9ee015afeba");
  g_assert_cmpstr (GANDER_AUDIT_MESSAGE_ID, ==, "3ab2946215a84290a44eb9ee015afeba");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_EVENT"), ==, "run.end");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_RUN_ID"), ==,
                   "00000000-0000-4000-8000-000000000007");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_RESULT"), ==, "failed");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_PROFILE"), ==, "alerts");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_OPERATION"), ==, "up");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_RECORD"), ==, lines[0]);
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_AUDIT_LOG"), ==, fixture->path);
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "PRIORITY"), ==, "5");
  g_assert_nonnull (strstr (g_hash_table_lookup (journal.fields, "MESSAGE"), "run.end"));

  gander_audit_set_journal_writer (journal_only, capture_writer, &journal);
  append_ok (journal_only, start);
  g_assert_cmpuint (journal.calls, ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "GANDER_EVENT"), ==, "run.start");
  g_assert_cmpstr (g_hash_table_lookup (journal.fields, "PRIORITY"), ==, "6");
  g_assert_false (g_hash_table_contains (journal.fields, "GANDER_RESULT"));
  g_assert_false (g_hash_table_contains (journal.fields, "GANDER_AUDIT_LOG"));
  g_assert_null (gander_audit_get_path (journal_only));
  g_assert_true (gander_audit_sync (journal_only, NULL));

  g_hash_table_unref (journal.fields);
}

/* A record without an event is refused; nothing is written. */
static void
test_audit_needs_event (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GanderAudit) audit = new_audit (fixture->path);
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_int_member (record, "event", 3);
  g_assert_false (gander_audit_append (audit, record, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  /* sync before any record: nothing to do */
  g_assert_true (gander_audit_sync (audit, NULL));
}

static void
test_audit_verify_edges (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n_records = 9, bad = 9;

  g_assert_false (gander_audit_verify_file (fixture->path, &n_records, &bad, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND);
  g_assert_cmpuint (n_records, ==, 0);
  g_assert_cmpuint (bad, ==, 0);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (fixture->path, "", 0, NULL));
  g_assert_true (gander_audit_verify_file (fixture->path, &n_records, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, 0);

  g_assert_true (g_file_set_contents (fixture->path, "\n", 1, NULL));
  assert_verify_fails (fixture->path, 1, GANDER_ERROR_PARSE, "empty line");
  g_assert_true (g_file_set_contents (fixture->path, "[1]\n", -1, NULL));
  assert_verify_fails (fixture->path, 1, GANDER_ERROR_PARSE, "not a JSON object");
  g_assert_true (g_file_set_contents (fixture->path,
                                      "{\"ts\":\"yesterday\",\"event\":\"x\",\"prev_sha256\":null}\n",
                                      -1, NULL));
  assert_verify_fails (fixture->path, 1, GANDER_ERROR_PARSE, "RFC 3339");
  g_assert_true (g_file_set_contents (fixture->path,
                                      "{\"ts\":\"2026-11-30T10:00:00Z\",\"event\":\"x\"}\n",
                                      -1, NULL));
  assert_verify_fails (fixture->path, 1, GANDER_ERROR_PARSE, "\"prev_sha256\" field is missing");
}

static void
test_audit_actor (void)
{
  g_autoptr(JsonObject) self_actor = gander_audit_actor_new (NULL, -1, -1);
  g_autoptr(JsonObject) root_actor = gander_audit_make_actor ("dbus", 0, 1);
  g_autoptr(JsonObject) nobody = gander_audit_make_actor ("cli", 2147480000, 2);
  g_autoptr(GList) members = json_object_get_members (self_actor);

  g_assert_cmpuint (g_list_length (members), ==, 4);
  g_assert_cmpstr (g_list_nth_data (members, 0), ==, "uid");
  g_assert_cmpstr (g_list_nth_data (members, 1), ==, "user");
  g_assert_cmpstr (g_list_nth_data (members, 2), ==, "pid");
  g_assert_cmpstr (g_list_nth_data (members, 3), ==, "via");
  g_assert_cmpint (json_object_get_int_member (self_actor, "uid"), ==, getuid ());
  g_assert_cmpint (json_object_get_int_member (self_actor, "pid"), ==, getpid ());
  g_assert_cmpstr (json_object_get_string_member (self_actor, "via"), ==, "library");
  g_assert_cmpstr (json_object_get_string_member (root_actor, "user"), ==, "root");
  g_assert_cmpstr (json_object_get_string_member (root_actor, "via"), ==, "dbus");
  g_assert_true (json_object_get_null_member (nobody, "user"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/audit/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("fields", test_audit_fields);
  ADD ("own-ts", test_audit_own_ts);
  ADD ("chain", test_audit_chain);
  ADD ("tamper", test_audit_tamper);
  ADD ("truncated", test_audit_truncated);
  ADD ("mode", test_audit_mode);
  ADD ("two-writers", test_audit_two_writers);
  ADD ("rotation", test_audit_rotation);
  ADD ("interleaved", test_audit_interleaved);
  ADD ("edit-in-place", test_audit_edit_in_place);
  ADD ("fork-inherited", test_audit_fork_inherited);
  ADD ("reads-from-end", test_audit_reads_from_end);
  ADD ("no-password", test_audit_no_password);
  ADD ("journal", test_audit_journal);
  ADD ("needs-event", test_audit_needs_event);
  ADD ("verify-edges", test_audit_verify_edges);
#undef ADD
  g_test_add_func ("/audit/actor", test_audit_actor);

  return gander_test_run ();
}
