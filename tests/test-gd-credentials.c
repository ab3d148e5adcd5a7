/* test-gd-credentials.c: gander-daemon's credential store
 * (service/gd-credentials.c) without a bus: the system bus's
 * password-source chain and its 0700/0600 store, the session bus's
 * keyring (libsecret's file backend), and the descriptor reader.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gander.h>
#include <glib/gstdio.h>

#include "../service/gd-credentials.h"
#include "gander-test-util.h"

#define SECRET "daemon-Secret-7"

static char *tmpdir;

static GanderProfile *
pg_profile (const char *name,
            const char *source)
{
  GanderProfile *profile = gander_profile_new (name);
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_profile_set (profile, "driver", "postgres", "test", &error));
  g_assert_true (gander_profile_set (profile, "dbstring", "host=h dbname=d user=u", "test", &error));
  if (source != NULL)
    g_assert_true (gander_profile_set (profile, "password-source", source, "test", &error));
  g_assert_no_error (error);
  return profile;
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  (void) source;
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
lookup (GdCredentials  *creds,
        GanderProfile  *profile,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gd_credentials_lookup_async (creds, profile, NULL, done_cb, &result);
  return gd_credentials_lookup_finish (creds, wait_for (&result), error);
}

static gboolean
store (GdCredentials  *creds,
       GanderProfile  *profile,
       const char     *password,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gd_credentials_store_async (creds, profile, password, NULL, done_cb, &result);
  return gd_credentials_store_finish (creds, wait_for (&result), error);
}

static gboolean
clear (GdCredentials  *creds,
       GanderProfile  *profile,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gd_credentials_clear_async (creds, profile, NULL, done_cb, &result);
  return gd_credentials_clear_finish (creds, wait_for (&result), error);
}

static void
assert_mode (const char *path,
             mode_t      mode)
{
  struct stat st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
  g_assert_cmpint (st.st_uid, ==, geteuid ());
}

static void
test_system_store (void)
{
  g_autofree char *state = g_build_filename (tmpdir, "system-state", NULL);
  g_autofree char *dir = g_build_filename (state, "credentials", NULL);
  g_autofree char *file = g_build_filename (dir, "web%2Fapp", NULL);
  g_autoptr(GdCredentials) creds = gd_credentials_new (GD_BUS_SYSTEM, state);
  g_autoptr(GanderProfile) unset = pg_profile ("web/app", NULL);
  g_autoptr(GanderProfile) explicit_store = pg_profile ("web/app", "store");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  char *password;

  /* nothing stored (no directory yet): none */
  password = lookup (creds, unset, &error);
  g_assert_no_error (error);
  g_assert_null (password);

  g_assert_true (store (creds, unset, SECRET, &error));
  g_assert_no_error (error);
  assert_mode (dir, 0700);
  assert_mode (file, 0600);
  g_assert_true (g_file_get_contents (file, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, SECRET);
  /* no temporary file left beside it */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint n = 0;

    while ((name = g_dir_read_name (d)) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 1);
  }

  password = lookup (creds, explicit_store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gd_credentials_free_secret (password);
  /* replaced */
  g_assert_true (store (creds, explicit_store, "second", &error));
  password = lookup (creds, unset, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "second");
  gd_credentials_free_secret (password);

  /* a file others may read is refused, with the fix */
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);
  g_assert_null (lookup (creds, unset, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_assert_null (strstr (error->message, "second"));
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (file, 0600), ==, 0);
  /* so is a directory others may enter */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_null (lookup (creds, unset, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "chmod 700"));
  g_clear_error (&error);
  g_assert_false (store (creds, unset, SECRET, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  /* and someone else's */
  if (geteuid () == 0)
    {
      g_assert_cmpint (chown (file, 65534, 65534), ==, 0);
      g_assert_null (lookup (creds, unset, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "chown 0"));
      g_clear_error (&error);
      g_assert_cmpint (chown (file, 0, 0), ==, 0);
    }
  /* a link in place of the file is not followed */
  {
    g_autofree char *target = g_build_filename (tmpdir, "elsewhere", NULL);

    g_assert_true (g_file_set_contents (target, "not it", -1, NULL));
    g_assert_cmpint (g_chmod (target, 0600), ==, 0);
    g_remove (file);
    g_assert_cmpint (symlink (target, file), ==, 0);
    g_assert_null (lookup (creds, unset, &error));
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
    g_clear_error (&error);
    /* a store replaces the link, never writes through it */
    g_assert_true (store (creds, unset, SECRET, &error));
    g_assert_no_error (error);
    g_clear_pointer (&contents, g_free);
    g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "not it");
    assert_mode (file, 0600);
  }

  g_assert_true (clear (creds, unset, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_true (clear (creds, unset, &error));
  g_assert_no_error (error);
  password = lookup (creds, unset, &error);
  g_assert_no_error (error);
  g_assert_null (password);
}

static void
test_system_sources (void)
{
  g_autofree char *state = g_build_filename (tmpdir, "system-sources", NULL);
  g_autofree char *pw = g_build_filename (tmpdir, "sources.pw", NULL);
  g_autofree char *file_source = g_strconcat ("file:", pw, NULL);
  g_autoptr(GdCredentials) creds = gd_credentials_new (GD_BUS_SYSTEM, state);
  g_autoptr(GanderProfile) none = pg_profile ("p", "none");
  g_autoptr(GanderProfile) keyring = pg_profile ("p", "keyring");
  g_autoptr(GanderProfile) file = pg_profile ("p", file_source);
  g_autoptr(GanderProfile) sqlite = gander_profile_new ("lite");
  g_autoptr(GError) error = NULL;
  char *password;

  g_assert_null (lookup (creds, none, &error));
  g_assert_no_error (error);
  /* no user keyring on the system bus */
  g_assert_null (lookup (creds, keyring, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "password-source=store"));
  g_clear_error (&error);
  g_assert_false (store (creds, keyring, SECRET, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (pw, SECRET "\n", -1, &error));
  g_assert_cmpint (g_chmod (pw, 0600), ==, 0);
  password = lookup (creds, file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gd_credentials_free_secret (password);
  /* SetPassword for a profile whose source would never read it */
  g_assert_false (store (creds, file, SECRET, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "password-source=store"));
  g_clear_error (&error);
  g_assert_false (store (creds, none, SECRET, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_clear_error (&error);

  /* SQLite has none */
  g_assert_true (gander_profile_set (sqlite, "driver", "sqlite3", "test", &error));
  g_assert_true (gander_profile_set (sqlite, "dbstring", "x.db", "test", &error));
  g_assert_null (lookup (creds, sqlite, &error));
  g_assert_no_error (error);
  g_assert_false (store (creds, sqlite, SECRET, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (clear (creds, sqlite, &error));
  g_assert_no_error (error);
}

static void
test_session_keyring (void)
{
  g_autofree char *state = g_build_filename (tmpdir, "session-state", NULL);
  g_autoptr(GdCredentials) creds = gd_credentials_new (GD_BUS_SESSION, state);
  g_autoptr(GanderProfile) unset = pg_profile ("s", NULL);
  g_autoptr(GanderProfile) keyring = pg_profile ("s", "keyring");
  g_autoptr(GError) error = NULL;
  char *password;

  if (!gander_credentials_is_supported ())
    {
      g_test_skip ("built without libsecret (-Dkeyring=disabled)");
      return;
    }
  password = lookup (creds, unset, &error);
  g_assert_no_error (error);
  g_assert_null (password);
  g_assert_true (store (creds, unset, SECRET, &error));
  g_assert_no_error (error);
  /* the library finds what the daemon stored */
  password = gander_credentials_lookup (keyring, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gd_credentials_free_secret (password);
  password = lookup (creds, keyring, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gd_credentials_free_secret (password);
  /* nothing in the state directory */
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  g_assert_true (clear (creds, keyring, &error));
  g_assert_no_error (error);
  password = lookup (creds, unset, &error);
  g_assert_no_error (error);
  g_assert_null (password);
}

static void
test_read_fd (void)
{
  static const struct {
    gsize len;
    const char *tail;
    gboolean ok;
  } cases[] = {
    { 4096, "", TRUE },
    { 4096, "\n", TRUE },
    { 4096, "\r\n", TRUE },
    { 4097, "", FALSE },
    { 4097, "\n", FALSE },
    { 0, "\n", FALSE },
    { 0, "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strnfill (cases[i].len, 'p');
      g_autofree char *all = g_strconcat (text, cases[i].tail, NULL);
      g_autofree char *path = g_build_filename (tmpdir, "fd-input", NULL);
      g_autoptr(GError) error = NULL;
      char *secret;
      int fd;

      g_assert_true (g_file_set_contents (path, all, -1, NULL));
      fd = g_open (path, O_RDONLY, 0);
      g_assert_cmpint (fd, >=, 0);
      secret = gd_credentials_read_fd (fd, &error);
      close (fd);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (secret, ==, text);
        }
      else
        {
          g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
          g_assert_null (secret);
          g_assert_null (strstr (error->message, "ppp"));
        }
      gd_credentials_free_secret (secret);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("gander-gd-credentials-XXXXXX", &error);
  g_assert_no_error (error);
  gander_test_use_file_keyring (tmpdir);

  g_test_add_func ("/gd-credentials/system/store", test_system_store);
  g_test_add_func ("/gd-credentials/system/sources", test_system_sources);
  g_test_add_func ("/gd-credentials/session/keyring", test_session_keyring);
  g_test_add_func ("/gd-credentials/read-fd", test_read_fd);

  ret = gander_test_run ();
  gander_test_rm_rf (tmpdir);
  g_free (tmpdir);
  return ret;
}
