/* test-credentials-postgres.c: a password from password-source reaches a
 * real PostgreSQL server that asks for one (TCP, scram-sha-256).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <gander.h>
#include <glib/gstdio.h>

#include "gander-test-pg.h"
#include "gander-test-util.h"

#define ROLE "gander_cred"
#define SECRET "pg-Secret-9q"

static char *tmpdir;

typedef struct {
  char *dbname;
  char *tcp_dsn;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dsn = gander_test_pg_create_database ();
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  if (dsn == NULL)
    return;
  f->dbname = gander_test_pg_dbname_from_dsn (dsn);
  sql = g_strdup_printf ("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" ROLE "') "
                         "THEN CREATE ROLE " ROLE " LOGIN PASSWORD '" SECRET "'; END IF; END $$; "
                         "ALTER DATABASE \"%s\" OWNER TO " ROLE ";", f->dbname);
  g_assert_true (gander_test_pg_exec (NULL, sql, &error));
  g_assert_no_error (error);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup ("ALTER SCHEMA public OWNER TO " ROLE ";");
  g_assert_true (gander_test_pg_exec (f->dbname, sql, &error));
  g_assert_no_error (error);
  f->tcp_dsn = g_strdup_printf ("host=127.0.0.1 port=%u dbname=%s user=" ROLE,
                                gander_test_pg_get_port (), f->dbname);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  (void) data;
  g_free (f->dbname);
  g_free (f->tcp_dsn);
}

#define SKIP_IF_NO_SERVER(f) \
  G_STMT_START { if ((f)->dbname == NULL) { g_test_skip (gander_test_pg_skip_reason ()); return; } } G_STMT_END

static GanderProfile *
make_profile (Fixture    *f,
              const char *source)
{
  g_autofree char *migdir = g_build_filename (tmpdir, "migrations", NULL);
  g_autofree char *file = g_build_filename (migdir, "00001_a.sql", NULL);
  GanderProfile *profile = gander_profile_new ("pgcred");
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (migdir, 0700);
  g_assert_true (g_file_set_contents (file, "-- +goose Up\nCREATE TABLE a (x integer);\n"
                                      "-- +goose Down\nDROP TABLE a;\n", -1, &error));
  g_assert_true (gander_profile_set (profile, "driver", "postgres", "test", &error));
  g_assert_true (gander_profile_set (profile, "dbstring", f->tcp_dsn, "test", &error));
  g_assert_true (gander_profile_set (profile, "dir", migdir, "test", &error));
  if (source != NULL)
    g_assert_true (gander_profile_set (profile, "password-source", source, "test", &error));
  g_assert_no_error (error);
  return profile;
}

static GanderRunReport *
run (GanderProfile    *profile,
     GanderOperation   operation,
     GError          **error)
{
  g_autoptr(GanderManager) manager = gander_manager_new (profile, error);

  if (manager == NULL)
    return NULL;
  return gander_manager_execute (manager, operation, 0, NULL, NULL, error);
}

static void
test_without_password (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  SKIP_IF_NO_SERVER (f);
  /* the server asks for a password: none given, none found */
  g_setenv ("PGPASSFILE", "/nonexistent", TRUE);
  profile = make_profile (f, NULL);
  report = run (profile, GANDER_OPERATION_STATUS, &error);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == GANDER_ERROR);
  g_assert_true (error->code == GANDER_ERROR_AUTH || error->code == GANDER_ERROR_CONNECTION);
}

static void
test_file_source (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (tmpdir, "pg.pw", NULL);
  g_autofree char *source = g_strconcat ("file:", path, NULL);
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  SKIP_IF_NO_SERVER (f);
  g_setenv ("PGPASSFILE", "/nonexistent", TRUE);
  g_assert_true (g_file_set_contents_full (path, SECRET "\n", -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, &error));
  profile = make_profile (f, source);
  report = run (profile, GANDER_OPERATION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
  g_clear_object (&report);

  /* a wrong password: refused by the server, and not in the message */
  g_assert_true (g_file_set_contents_full (path, "wrong-" SECRET "\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  report = run (profile, GANDER_OPERATION_STATUS, &error);
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_AUTH);
  g_assert_null (strstr (error->message, SECRET));
  g_clear_error (&error);
  g_clear_object (&report);
  g_remove (path);
}

static void
test_keyring_source (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  SKIP_IF_NO_SERVER (f);
  if (!gander_credentials_is_supported ())
    {
      g_test_skip ("built without libsecret (-Dkeyring=disabled)");
      return;
    }
  g_setenv ("PGPASSFILE", "/nonexistent", TRUE);
  profile = make_profile (f, "keyring");
  g_assert_true (gander_credentials_store (profile, SECRET, NULL, &error));
  g_assert_no_error (error);
  report = run (profile, GANDER_OPERATION_UP, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_run_report_get_outcome (report), ==, GANDER_RUN_OUTCOME_OK);
  g_assert_true (gander_credentials_clear (profile, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("gander-credentials-pg-XXXXXX", &error);
  g_assert_no_error (error);
  gander_test_use_file_keyring (tmpdir);
  g_unsetenv ("PGPASSWORD");

  g_test_add ("/credentials-postgres/without-password", Fixture, NULL,
              fixture_setup, test_without_password, fixture_teardown);
  g_test_add ("/credentials-postgres/file", Fixture, NULL,
              fixture_setup, test_file_source, fixture_teardown);
  g_test_add ("/credentials-postgres/keyring", Fixture, NULL,
              fixture_setup, test_keyring_source, fixture_teardown);

  ret = gander_test_run ();
  gander_test_rm_rf (tmpdir);
  g_free (tmpdir);
  return ret;
}
