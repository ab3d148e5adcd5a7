/* test-credentials.c: the keyring (libsecret's file backend, no bus), the
 * password-source key and each source, and the password reaching the
 * database object when the manager connects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gander.h>
#include <glib/gstdio.h>

#if GANDER_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "gander-credentials-private.h"
#include "gander-database-private.h"
#include "gander-test-util.h"

#define SECRET "s3cr3t-Пароль-42"

static char *tmpdir;

static GanderProfile *
pg_profile (const char *name,
            const char *dsn)
{
  GanderProfile *profile = gander_profile_new (name);
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_profile_set (profile, "driver", "postgres", "test", &error));
  g_assert_no_error (error);
  g_assert_true (gander_profile_set (profile, "dbstring", dsn, "test", &error));
  g_assert_no_error (error);
  return profile;
}

static void
set_source (GanderProfile *profile,
            const char    *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_profile_set (profile, "password-source", value, "test", &error));
  g_assert_no_error (error);
}

/* A file in tmpdir with @text and @mode; returns its path. */
static char *
write_secret_file (const char *name,
                   const char *text,
                   gssize      len,
                   mode_t      mode)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, text, len, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return g_steal_pointer (&path);
}

static void
assert_no_secret (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (strstr (error->message, "s3cr3t"));
}

/* --- the keyring --- */

static void
test_keyring_store_lookup_clear (void)
{
  g_autoptr(GanderProfile) profile =
    pg_profile ("alerts", "host=db.example port=5433 dbname=alerts user=alice");
  g_autoptr(GError) error = NULL;
  char *password;

  if (!gander_credentials_is_supported ())
    {
      g_assert_false (gander_credentials_store (profile, SECRET, NULL, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "-Dkeyring"));
      return;
    }

  /* nothing yet: NULL and no error */
  password = gander_credentials_lookup (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (password);

  g_assert_true (gander_credentials_store (profile, SECRET, NULL, &error));
  g_assert_no_error (error);
  password = gander_credentials_lookup (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);

  /* a second store replaces the first */
  g_assert_true (gander_credentials_store (profile, "another one", NULL, &error));
  g_assert_no_error (error);
  password = gander_credentials_lookup (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "another one");
  gander_credentials_free_secret (password);

  g_assert_true (gander_credentials_clear (profile, NULL, &error));
  g_assert_no_error (error);
  password = gander_credentials_lookup (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (password);
  /* clearing what is not there is fine */
  g_assert_true (gander_credentials_clear (profile, NULL, &error));
  g_assert_no_error (error);

  /* an empty password is refused */
  g_assert_false (gander_credentials_store (profile, "", NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
}

#if GANDER_HAVE_LIBSECRET
/* the attributes of every item of Gander's schema */
static GList *
search_items (void)
{
  g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  static const SecretSchema schema = {
    .name = "org.gander.Migrator1.Password",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = { { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  GList *items;

  items = secret_password_searchv_sync (&schema, none,
                                        SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK |
                                        SECRET_SEARCH_LOAD_SECRETS,
                                        NULL, &error);
  g_assert_no_error (error);
  return items;
}
#endif

static void
test_keyring_attributes (void)
{
#if GANDER_HAVE_LIBSECRET
  g_autoptr(GanderProfile) profile =
    pg_profile ("billing", "postgres://bob:@db2.example:6543/ledger?sslmode=require");
  g_autoptr(GanderProfile) other_host =
    pg_profile ("billing", "postgres://bob@db3.example:6543/ledger");
  g_autoptr(GanderProfile) other_user =
    pg_profile ("billing", "postgres://carol@db2.example:6543/ledger");
  g_autoptr(GanderProfile) other_name =
    pg_profile ("billing-copy", "postgres://bob@db2.example:6543/ledger");
  g_autoptr(GanderProfile) same =
    pg_profile ("billing", "host=db2.example port=6543 dbname=ledger user=bob");
  g_autoptr(GError) error = NULL;
  GList *items;
  gboolean found = FALSE;
  char *password;

  g_assert_true (gander_credentials_store (profile, SECRET, NULL, &error));
  g_assert_no_error (error);

  items = search_items ();
  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretRetrievable *item = l->data;
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (item);
      g_autoptr(SecretValue) value = NULL;
      GHashTableIter iter;
      gpointer key, text;

      if (g_strcmp0 (g_hash_table_lookup (attributes, "profile"), "billing") != 0)
        continue;
      found = TRUE;
      g_assert_cmpstr (g_hash_table_lookup (attributes, "driver"), ==, "postgres");
      g_assert_cmpstr (g_hash_table_lookup (attributes, "host"), ==, "db2.example");
      g_assert_cmpstr (g_hash_table_lookup (attributes, "port"), ==, "6543");
      g_assert_cmpstr (g_hash_table_lookup (attributes, "dbname"), ==, "ledger");
      g_assert_cmpstr (g_hash_table_lookup (attributes, "user"), ==, "bob");
      /* the six attributes (and libsecret's xdg:schema), the secret in
       * none */
      g_hash_table_iter_init (&iter, attributes);
      while (g_hash_table_iter_next (&iter, &key, &text))
        {
          static const char * const known[] = {
            "profile", "driver", "host", "port", "dbname", "user", "xdg:schema", NULL
          };

          g_assert_true (g_strv_contains (known, key));
          g_assert_null (strstr (text, SECRET));
        }
      g_autofree char *label = secret_retrievable_get_label (item);

      g_assert_nonnull (strstr (label, "billing"));
      g_assert_null (strstr (label, SECRET));
      value = secret_retrievable_retrieve_secret_sync (item, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (secret_value_get_text (value), ==, SECRET);
    }
  g_list_free_full (items, g_object_unref);
  g_assert_true (found);

  /* the URI and the key=value form of one database find it */
  password = gander_credentials_lookup (same, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);
  /* another server, user or profile does not */
  password = gander_credentials_lookup (other_host, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (password);
  password = gander_credentials_lookup (other_user, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (password);
  password = gander_credentials_lookup (other_name, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (password);

  /* the keyring file holds the secret encrypted */
  {
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (g_getenv ("SECRET_FILE_TEST_PATH"),
                                        &contents, &len, &error));
    g_assert_no_error (error);
    g_assert_null (g_strstr_len (contents, len, "s3cr3t"));
  }

  g_assert_true (gander_credentials_clear (profile, NULL, &error));
  g_assert_no_error (error);
#else
  g_test_skip ("built without libsecret (-Dkeyring=disabled)");
#endif
}

static void
test_keyring_refusals (void)
{
  g_autoptr(GanderProfile) sqlite = gander_profile_new ("local");
  g_autoptr(GanderProfile) bare = gander_profile_new ("bare");
  g_autoptr(GError) error = NULL;

  if (!gander_credentials_is_supported ())
    {
      g_test_skip ("built without libsecret (-Dkeyring=disabled)");
      return;
    }
  g_assert_true (gander_profile_set (sqlite, "driver", "sqlite3", "test", &error));
  g_assert_true (gander_profile_set (sqlite, "dbstring", "/tmp/x.db", "test", &error));
  g_assert_no_error (error);
  g_assert_false (gander_credentials_store (sqlite, SECRET, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "local"));
  g_clear_error (&error);

  g_assert_null (gander_credentials_lookup (bare, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "driver"));
}

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} AsyncData;

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncData *data = user_data;

  (void) source;
  data->result = g_object_ref (result);
  g_main_loop_quit (data->loop);
}

static GAsyncResult *
wait_result (AsyncData *data)
{
  g_main_loop_run (data->loop);
  return data->result;
}

static void
test_keyring_async (void)
{
  g_autoptr(GanderProfile) profile = pg_profile ("async", "host=/run/pg dbname=a user=u");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncData data = { loop, NULL };
  g_autoptr(GError) error = NULL;
  char *password;

  if (!gander_credentials_is_supported ())
    {
      g_test_skip ("built without libsecret (-Dkeyring=disabled)");
      return;
    }
  gander_credentials_store_async (profile, SECRET, NULL, got_result, &data);
  g_assert_true (gander_credentials_store_finish (wait_result (&data), &error));
  g_assert_no_error (error);
  g_clear_object (&data.result);

  gander_credentials_lookup_async (profile, NULL, got_result, &data);
  password = gander_credentials_lookup_finish (wait_result (&data), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);
  g_clear_object (&data.result);

  gander_credentials_clear_async (profile, NULL, got_result, &data);
  g_assert_true (gander_credentials_clear_finish (wait_result (&data), &error));
  g_assert_no_error (error);
  g_clear_object (&data.result);

  gander_credentials_lookup_async (profile, NULL, got_result, &data);
  password = gander_credentials_lookup_finish (wait_result (&data), &error);
  g_assert_no_error (error);
  g_assert_null (password);
  g_clear_object (&data.result);

  /* cancelled before it starts */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    gander_credentials_store_async (profile, SECRET, cancellable, got_result, &data);
    g_assert_false (gander_credentials_store_finish (wait_result (&data), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_object (&data.result);
  }
}

/* --- the password-source key --- */

static void
test_source_parse (void)
{
  static const struct {
    const char *value;
    const char *stored;
    GanderPasswordSource source;
    const char *argument;
  } good[] = {
    { "none", "none", GANDER_PASSWORD_SOURCE_NONE, NULL },
    { "KeyRing", "keyring", GANDER_PASSWORD_SOURCE_KEYRING, NULL },
    { " store ", "store", GANDER_PASSWORD_SOURCE_STORE, NULL },
    { "credential:alerts-db", "credential:alerts-db", GANDER_PASSWORD_SOURCE_CREDENTIAL, "alerts-db" },
    { "file:/etc/gander/alerts.pw", "file:/etc/gander/alerts.pw", GANDER_PASSWORD_SOURCE_FILE, "/etc/gander/alerts.pw" },
  };
  static const struct {
    const char *value;
    const char *fragment;
  } bad[] = {
    { "keyrnig", "did you mean “keyring”?" },
    { "password", "must be none, keyring, store, credential:NAME or file:PATH" },
    { "credential:", "needs the credential's name" },
    { "credential:../x", "cannot contain “/”" },
    { "credential:..", "cannot contain “/”" },
    { "file:", "needs an absolute path" },
    { "file:alerts.pw", "needs an absolute path" },
    { "", "must be none" },
  };
  g_autoptr(GanderProfile) profile = gander_profile_new ("p");
  const char *argument = "unset";

  g_assert_cmpint (gander_profile_get_password_source (profile, &argument), ==,
                   GANDER_PASSWORD_SOURCE_NONE);
  g_assert_null (argument);
  g_assert_null (gander_profile_get (profile, "password-source"));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gander_profile_set (profile, "password-source", good[i].value,
                                         "--flag", &error));
      g_assert_no_error (error);
      g_assert_cmpstr (gander_profile_get (profile, "password-source"), ==, good[i].stored);
      g_assert_cmpint (gander_profile_get_password_source (profile, &argument), ==,
                       good[i].source);
      g_assert_cmpstr (argument, ==, good[i].argument);
      /* the argument is optional */
      g_assert_cmpint (gander_profile_get_password_source (profile, NULL), ==,
                       good[i].source);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (gander_profile_set (profile, "password-source", bad[i].value,
                                          "--flag", &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
      g_test_message ("%s → %s", bad[i].value, error->message);
      g_assert_nonnull (strstr (error->message, "--flag: password-source"));
      g_assert_nonnull (strstr (error->message, bad[i].fragment));
    }
}

static void
test_source_in_file (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "creds.conf", NULL);
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path,
                                      "[gander]\npassword-source=keyring\n"
                                      "[profile a]\ndriver=postgres\ndbstring=dbname=a\n"
                                      "[profile b]\ndriver=postgres\ndbstring=dbname=b\n"
                                      "password-source=credential:b-db\n"
                                      "[profile c]\ndriver=postgres\ndbstring=dbname=c\n"
                                      "password-source=file:c.pw\n", -1, &error));
  g_assert_no_error (error);
  /* a bad value names the file, its line and group */
  g_assert_false (gander_config_load_file (config, path, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "creds.conf"));
  g_assert_nonnull (strstr (error->message, "password-source=file:c.pw"));
  g_assert_nonnull (strstr (error->message, "absolute path"));
  g_clear_error (&error);
  g_clear_object (&config);

  g_assert_true (g_file_set_contents (path,
                                      "[gander]\npassword-source=keyring\n"
                                      "[profile a]\ndriver=postgres\ndbstring=dbname=a\n"
                                      "[profile b]\ndriver=postgres\ndbstring=dbname=b\n"
                                      "password-source=credential:b-db\n", -1, &error));
  config = gander_config_new ();
  g_assert_true (gander_config_load_file (config, path, &error));
  g_assert_no_error (error);
  profile = gander_config_resolve (config, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_profile_get_password_source (profile, NULL), ==,
                   GANDER_PASSWORD_SOURCE_KEYRING);
  g_clear_object (&profile);
  profile = gander_config_resolve (config, "b", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gander_profile_get_password_source (profile, NULL), ==,
                   GANDER_PASSWORD_SOURCE_CREDENTIAL);
}

/* --- each source --- */

static void
test_source_none (void)
{
  g_autoptr(GanderProfile) profile = pg_profile ("n", "dbname=n");
  g_autoptr(GError) error = NULL;

  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_no_error (error);
  set_source (profile, "none");
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_no_error (error);
}

static void
test_source_keyring (void)
{
  g_autoptr(GanderProfile) profile = pg_profile ("kr", "host=h dbname=kr user=u");
  g_autoptr(GError) error = NULL;
  char *password;

  set_source (profile, "keyring");
  password = gander_credentials_resolve (profile, NULL, &error);
  g_assert_null (password);
  if (!gander_credentials_is_supported ())
    {
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
      return;
    }
  /* nothing stored: say how to store one */
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "gander credentials set kr"));
  g_assert_nonnull (strstr (error->message, "u@h/kr"));
  g_clear_error (&error);

  g_assert_true (gander_credentials_store (profile, SECRET, NULL, &error));
  g_assert_no_error (error);
  password = gander_credentials_resolve (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);
  g_assert_true (gander_credentials_clear (profile, NULL, &error));
  g_assert_no_error (error);
}

static void
test_source_credential (void)
{
  g_autoptr(GanderProfile) profile = pg_profile ("cr", "dbname=cr");
  g_autofree char *dir = g_build_filename (tmpdir, "credentials", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  set_source (profile, "credential:cr-db");
  g_unsetenv ("CREDENTIALS_DIRECTORY");
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "CREDENTIALS_DIRECTORY is not set"));
  g_assert_nonnull (strstr (error->message, "LoadCredential=cr-db"));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_setenv ("CREDENTIALS_DIRECTORY", dir, TRUE);
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "cr-db"));
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* systemd's files are 0400 and may belong to root: not checked */
  path = g_build_filename (dir, "cr-db", NULL);
  g_assert_true (g_file_set_contents (path, SECRET "\n", -1, &error));
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  password = gander_credentials_resolve (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);
  g_unsetenv ("CREDENTIALS_DIRECTORY");
}

static void
test_source_file (void)
{
  g_autoptr(GanderProfile) profile = pg_profile ("fi", "dbname=fi");
  g_autofree char *path = write_secret_file ("fi.pw", SECRET "\r\n", -1, 0600);
  g_autofree char *value = g_strconcat ("file:", path, NULL);
  g_autofree char *big = g_strnfill (GANDER_SECRET_MAX + 1, 'x');
  g_autoptr(GError) error = NULL;
  char *password;

  set_source (profile, value);
  password = gander_credentials_resolve (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);

  /* stricter is fine */
  g_assert_cmpint (g_chmod (path, 0400), ==, 0);
  password = gander_credentials_resolve (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET);
  gander_credentials_free_secret (password);

  /* readable by the group: refused, and how to fix it */
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "0640"));
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_assert_nonnull (strstr (error->message, path));
  assert_no_secret (error);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (path, 0604), ==, 0);
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);

  /* someone else's file: refused (root can make one; others cannot) */
  if (geteuid () == 0)
    {
      g_assert_cmpint (chown (path, 65534, 65534), ==, 0);
      g_assert_null (gander_credentials_resolve (profile, NULL, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "uid 65534"));
      g_assert_nonnull (strstr (error->message, "chown 0"));
      assert_no_secret (error);
      g_clear_error (&error);
      g_assert_cmpint (chown (path, 0, 0), ==, 0);
    }
  else
    g_test_message ("not root: cannot give a file to another uid; the owner check is run as root in CI");

  /* missing, empty, too long */
  g_remove (path);
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_free (write_secret_file ("fi.pw", "\n", -1, 0600));
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);
  g_free (write_secret_file ("fi.pw", big, -1, 0600));
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "longer than 4096"));
  g_assert_null (strstr (error->message, "xxxx"));
  g_clear_error (&error);
  /* exactly 4096 bytes and a newline: fine */
  big[GANDER_SECRET_MAX] = '\n';
  g_free (write_secret_file ("fi.pw", big, -1, 0600));
  password = gander_credentials_resolve (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (password), ==, GANDER_SECRET_MAX);
  gander_credentials_free_secret (password);
  /* a directory */
  g_remove (path);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG);
  g_clear_error (&error);
  g_rmdir (path);
}

static void
test_source_store (void)
{
  g_autoptr(GanderProfile) profile = pg_profile ("st", "dbname=st");
  g_autoptr(GError) error = NULL;

  set_source (profile, "store");
  g_assert_null (gander_credentials_resolve (profile, NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "gander-daemon"));
}

/* --- the manager hands the password to the database --- */

static GanderManager *
manager_for (GanderProfile *profile)
{
  g_autofree char *migdir = g_build_filename (tmpdir, "migrations", NULL);
  g_autoptr(GError) error = NULL;
  GanderManager *manager;

  g_autofree char *file = g_build_filename (migdir, "00001_a.sql", NULL);

  g_mkdir_with_parents (migdir, 0700);
  g_assert_true (g_file_set_contents (file, "-- +goose Up\nCREATE TABLE a (x integer);\n"
                                      "-- +goose Down\nDROP TABLE a;\n", -1, &error));
  g_assert_true (gander_profile_set (profile, "dir", migdir, "test", &error));
  manager = gander_manager_new (profile, &error);
  g_assert_no_error (error);
  return manager;
}

static void
test_manager_resolves (void)
{
  /* a socket directory with no server: the connection fails, after the
   * password was looked up */
  g_autofree char *nowhere = g_build_filename (tmpdir, "no-server", NULL);
  g_autofree char *dsn = g_strdup_printf ("host=%s dbname=m user=u connect_timeout=2", nowhere);
  g_autofree char *path = write_secret_file ("m.pw", SECRET "\n", -1, 0600);
  g_autofree char *value = g_strconcat ("file:", path, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir (nowhere, 0700);
  {
    g_autoptr(GanderProfile) profile = pg_profile ("m", dsn);
    g_autoptr(GanderManager) manager = NULL;
    GanderDatabase *database;

    set_source (profile, value);
    manager = manager_for (profile);
    database = gander_migrator_get_database (gander_manager_get_migrator (manager));
    g_assert_true (gander_database_has_password_func (database));
    /* nothing is read before it connects */
    g_assert_null (gander_database_get_password (database));
    g_assert_false (gander_database_open (database, NULL, &error));
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION);
    assert_no_secret (error);
    g_clear_error (&error);
    g_assert_cmpstr (gander_database_get_password (database), ==, SECRET);
    /* asked once */
    g_assert_false (gander_database_has_password_func (database));
  }

  /* a refused file fails the connection with the reason, before libpq */
  {
    g_autoptr(GanderProfile) profile = pg_profile ("m", dsn);
    g_autoptr(GanderManager) manager = NULL;
    GanderDatabase *database;

    g_assert_cmpint (g_chmod (path, 0644), ==, 0);
    set_source (profile, value);
    manager = manager_for (profile);
    database = gander_migrator_get_database (gander_manager_get_migrator (manager));
    g_assert_false (gander_database_open (database, NULL, &error));
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
    g_assert_null (gander_database_get_password (database));

    /* a password set by the caller wins: the file is not read */
    gander_database_set_password (database, "explicit");
    g_assert_false (gander_database_open (database, NULL, &error));
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_CONNECTION);
    g_clear_error (&error);
    g_assert_cmpstr (gander_database_get_password (database), ==, "explicit");
    g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  }

  /* store outside the daemon: said so */
  {
    g_autoptr(GanderProfile) profile = pg_profile ("m", dsn);
    g_autoptr(GanderManager) manager = NULL;
    g_autoptr(GanderRunReport) report = NULL;

    set_source (profile, "store");
    manager = manager_for (profile);
    report = gander_manager_execute (manager, GANDER_OPERATION_STATUS, 0, NULL, NULL, &error);
    g_assert_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED);
    g_assert_nonnull (strstr (error->message, "gander-daemon"));
    g_clear_error (&error);
  }

  /* a connection string with a password, or SQLite: nothing attached */
  {
    g_autofree char *with_password = g_strdup_printf ("%s password=inline", dsn);
    g_autoptr(GanderProfile) profile = gander_profile_new (NULL);
    g_autoptr(GanderManager) manager = NULL;

    g_assert_true (gander_profile_set (profile, "driver", "postgres", "test", &error));
    g_assert_true (gander_profile_set (profile, "dbstring", with_password, "test", &error));
    g_assert_no_error (error);
    set_source (profile, value);
    manager = manager_for (profile);
    g_assert_false (gander_database_has_password_func (
      gander_migrator_get_database (gander_manager_get_migrator (manager))));
  }
  {
    g_autofree char *db = g_build_filename (tmpdir, "m.db", NULL);
    g_autoptr(GanderProfile) profile = gander_profile_new ("lite");
    g_autoptr(GanderManager) manager = NULL;

    g_assert_true (gander_profile_set (profile, "driver", "sqlite3", "test", &error));
    g_assert_true (gander_profile_set (profile, "dbstring", db, "test", &error));
    g_assert_no_error (error);
    set_source (profile, "store");
    manager = manager_for (profile);
    g_assert_false (gander_database_has_password_func (
      gander_migrator_get_database (gander_manager_get_migrator (manager))));
  }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("gander-credentials-XXXXXX", &error);
  g_assert_no_error (error);
  gander_test_use_file_keyring (tmpdir);
  g_unsetenv ("CREDENTIALS_DIRECTORY");

  g_test_add_func ("/credentials/keyring/store-lookup-clear", test_keyring_store_lookup_clear);
  g_test_add_func ("/credentials/keyring/attributes", test_keyring_attributes);
  g_test_add_func ("/credentials/keyring/refusals", test_keyring_refusals);
  g_test_add_func ("/credentials/keyring/async", test_keyring_async);
  g_test_add_func ("/credentials/source/parse", test_source_parse);
  g_test_add_func ("/credentials/source/in-file", test_source_in_file);
  g_test_add_func ("/credentials/source/none", test_source_none);
  g_test_add_func ("/credentials/source/keyring", test_source_keyring);
  g_test_add_func ("/credentials/source/credential", test_source_credential);
  g_test_add_func ("/credentials/source/file", test_source_file);
  g_test_add_func ("/credentials/source/store", test_source_store);
  g_test_add_func ("/credentials/manager-resolves", test_manager_resolves);

  ret = gander_test_run ();
  gander_test_rm_rf (tmpdir);
  g_free (tmpdir);
  return ret;
}
