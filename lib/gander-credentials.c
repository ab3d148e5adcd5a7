/* gander-credentials.c: database passwords in the user's keyring, and the
 * password-source chain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#if GANDER_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "gander-credentials-private.h"
#include "gander-database-private.h"
#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-libpq-private.h"
#include "gander-postgres-database.h"
#include "gander-profile-private.h"

/**
 * SECTION:gander-credentials
 * @title: Credentials
 * @short_description: database passwords in the user's keyring
 *
 * A database password never goes in Gander's configuration. For a
 * profile whose `password-source` is `keyring`, it lives in the user's
 * keyring (the Secret Service, through libsecret), stored with
 * gander_credentials_store() or `gander credentials set PROFILE`, and
 * #GanderManager looks it up when it connects.
 *
 * The keyring item has the schema `org.gander.Migrator1.Password` and the
 * attributes `profile` (the profile's name), `driver` (`postgres`),
 * `host`, `port`, `dbname` and `user`, as the profile's `dbstring` gives
 * them (empty when it does not): the password of a profile whose
 * connection string names another server or user is not found, so a
 * changed `dbstring` never hands the old server's password to a new one.
 * The secret is never an attribute.
 *
 * gander_credentials_resolve() follows the whole `password-source` chain
 * the way the manager does (`keyring`, `credential:NAME`, `file:PATH`).
 *
 * Built without libsecret (`-Dkeyring=disabled`), the keyring functions
 * fail with %GANDER_ERROR_NOT_SUPPORTED; gander_credentials_is_supported()
 * tells it beforehand.
 *
 * Since: 0.2
 */

/* --- secrets in memory --- */

/**
 * gander_credentials_free_secret:
 * @secret: (nullable) (transfer full): a string that may hold a password
 *
 * Overwrites @secret with zero bytes (in a way the compiler cannot drop)
 * and frees it. %NULL is fine.
 *
 * Since: 0.2
 */
void
gander_credentials_free_secret (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/**
 * gander_credentials_read_secret_fd:
 * @fd: a readable file descriptor (a pipe, a file, standard input)
 * @what: (nullable): what @fd is, for messages: a path, "standard input"
 *
 * Reads a password from @fd up to its end, the way `--password-stdin`
 * options and password files work: at most %GANDER_SECRET_MAX bytes, and
 * one trailing line end is the file's, not the password's, so one `"\n"`
 * or one `"\r\n"` at the end is dropped (a password of its own cannot end
 * in a line feed). Every other byte, spaces and a lone `"\r"` included, is
 * kept. Reads interrupted by a signal (`EINTR`) are retried. @fd is left
 * open.
 *
 * An empty password (after the line end is dropped), a longer one, or one
 * holding a NUL byte fails with %GANDER_ERROR_INVALID_ARGUMENT; a failing
 * read() with %GANDER_ERROR_IO. The messages name @what, never the secret.
 * The buffer the bytes went through is wiped before it is released.
 *
 * Returns: (transfer full) (nullable): the password, to be released with
 *   gander_credentials_free_secret(), or %NULL with @error set
 *
 * Since: 0.2
 */
char *
gander_credentials_read_secret_fd (int          fd,
                                   const char  *what,
                                   GError     **error)
{
  /* room for the longest password and a "\r\n": a longer input fills it
   * without ending in a line end */
  char buffer[GANDER_SECRET_MAX + 2];
  gsize len = 0;
  char *secret = NULL;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (what == NULL)
    what = _("the file descriptor");

  while (len < sizeof buffer)
    {
      ssize_t n = read (fd, buffer + len, sizeof buffer - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          explicit_bzero (buffer, sizeof buffer);
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("cannot read the password from %s: %s"),
                       what, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }

  if (len > 0 && buffer[len - 1] == '\n')
    {
      len--;
      if (len > 0 && buffer[len - 1] == '\r')
        len--;
    }
  if (len > GANDER_SECRET_MAX)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                 _("the password from %s is longer than %d bytes: is it the "
                   "right file?"), what, GANDER_SECRET_MAX);
  else if (len == 0)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                 _("the password from %s is empty"), what);
  else if (memchr (buffer, '\0', len) != NULL)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                 _("the password from %s holds a NUL byte: is it the right "
                   "file?"), what);
  else
    secret = g_strndup (buffer, len);
  explicit_bzero (buffer, sizeof buffer);
  return secret;
}

/* --- the keyring item's attributes --- */

typedef struct {
  char *profile;
  char *driver;
  char *host;
  char *port;
  char *dbname;
  char *user;
} Attributes;

static void
attributes_free (Attributes *a)
{
  if (a == NULL)
    return;
  g_free (a->profile);
  g_free (a->driver);
  g_free (a->host);
  g_free (a->port);
  g_free (a->dbname);
  g_free (a->user);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attributes, attributes_free)

static gboolean
is_postgres (const char *driver)
{
  return driver != NULL &&
         (g_str_equal (driver, "postgres") || g_str_equal (driver, "pgx"));
}

static const char *
profile_label (GanderProfile *profile)
{
  const char *name = gander_profile_get_name (profile);

  return name != NULL ? name : "(ad hoc)";
}

/* The attributes of @profile's item: from its dbstring as written (no
 * defaults of the environment), never the password. */
static Attributes *
profile_attributes (GanderProfile  *profile,
                    GError        **error)
{
  const char *driver = gander_profile_get_driver (profile);
  const char *dsn = gander_profile_get_dbstring (profile);
  g_autoptr(Attributes) a = g_new0 (Attributes, 1);
  PQconninfoOption *options;
  char *message = NULL;

  if (driver == NULL || dsn == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s has no %s, so its password cannot be told "
                     "apart from another database's: set %s= in its "
                     "[profile] group"),
                   profile_label (profile),
                   driver == NULL ? "driver" : "dbstring",
                   driver == NULL ? "driver" : "dbstring");
      return NULL;
    }
  if (!is_postgres (driver))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("profile %s: a %s database has no password (only "
                     "PostgreSQL profiles have one)"),
                   profile_label (profile), driver);
      return NULL;
    }
  if (!gander_libpq_load (error))
    return NULL;

  options = PQconninfoParse (dsn, &message);
  if (options == NULL)
    {
      /* libpq's message may quote the connection string: never shown */
      if (message != NULL)
        {
          explicit_bzero (message, strlen (message));
          PQfreemem (message);
        }
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s: its dbstring does not parse as a PostgreSQL "
                     "connection string; `gander --profile %s config` shows it"),
                   profile_label (profile), profile_label (profile));
      return NULL;
    }
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      char **slot = NULL;

      if (o->val == NULL)
        continue;
      if (g_str_equal (o->keyword, "host"))
        slot = &a->host;
      else if (g_str_equal (o->keyword, "hostaddr") && a->host == NULL)
        slot = &a->host;
      else if (g_str_equal (o->keyword, "port"))
        slot = &a->port;
      else if (g_str_equal (o->keyword, "dbname"))
        slot = &a->dbname;
      else if (g_str_equal (o->keyword, "user"))
        slot = &a->user;
      if (slot != NULL)
        {
          g_free (*slot);
          *slot = g_strdup (o->val);
        }
      else if (g_str_equal (o->keyword, "password"))
        explicit_bzero (o->val, strlen (o->val));
    }
  PQconninfoFree (options);

  a->profile = g_strdup (gander_profile_get_name (profile) != NULL
                         ? gander_profile_get_name (profile) : "");
  a->driver = g_strdup ("postgres");
  if (a->host == NULL)
    a->host = g_strdup ("");
  if (a->port == NULL)
    a->port = g_strdup ("");
  if (a->dbname == NULL)
    a->dbname = g_strdup ("");
  if (a->user == NULL)
    a->user = g_strdup ("");
  return g_steal_pointer (&a);
}

/* "user@host:port/dbname" for messages and the item's label */
static char *
attributes_describe (const Attributes *a)
{
  return g_strdup_printf ("%s%s%s%s%s/%s",
                          a->user, a->user[0] != '\0' ? "@" : "",
                          a->host[0] != '\0' ? a->host : "localhost",
                          a->port[0] != '\0' ? ":" : "", a->port,
                          a->dbname);
}

#if GANDER_HAVE_LIBSECRET

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    .name = "org.gander.Migrator1.Password",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "driver", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "dbname", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* A table of the attributes; the strings stay @a's. */
static GHashTable *
attributes_table (const Attributes *a)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (table, (gpointer) "profile", a->profile);
  g_hash_table_insert (table, (gpointer) "driver", a->driver);
  g_hash_table_insert (table, (gpointer) "host", a->host);
  g_hash_table_insert (table, (gpointer) "port", a->port);
  g_hash_table_insert (table, (gpointer) "dbname", a->dbname);
  g_hash_table_insert (table, (gpointer) "user", a->user);
  return table;
}

/* libsecret's error after @what ("cannot store the password of profile
 * alerts in the keyring"); its messages never hold the secret */
static void
keyring_error (GError     **error,
               GError      *cause,
               const char  *what)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, cause);
      return;
    }
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_FAILED,
               /* TRANSLATORS: what failed, libsecret's message */
               _("%s: %s. Is a Secret Service (gnome-keyring, KeePassXC) "
                 "running and unlocked in this session?"),
               what, cause->message);
  g_error_free (cause);
}

#else

static gboolean
not_supported (GError **error)
{
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                       _("this Gander was built without keyring support "
                         "(libsecret; meson option -Dkeyring): use "
                         "password-source=credential:NAME or file:PATH, or "
                         "~/.pgpass"));
  return FALSE;
}

#endif

/**
 * gander_credentials_is_supported:
 *
 * Whether this build of Gander can reach the keyring (it was built with
 * libsecret). Whether a Secret Service is running is another matter: the
 * functions report that when they are called.
 *
 * Returns: %TRUE when the keyring functions are available
 *
 * Since: 0.2
 */
gboolean
gander_credentials_is_supported (void)
{
  return GANDER_HAVE_LIBSECRET;
}

/**
 * gander_credentials_store:
 * @profile: the profile of a PostgreSQL database
 * @password: the password
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stores @password in the user's keyring (the default collection) for
 * @profile's database, replacing the one stored before. Blocks: see
 * gander_credentials_store_async().
 *
 * Returns: %TRUE on success; %FALSE with %GANDER_ERROR_NOT_SUPPORTED when
 *   Gander was built without libsecret, %GANDER_ERROR_CONFIG or
 *   %GANDER_ERROR_INVALID_ARGUMENT when @profile names no PostgreSQL
 *   database, %GANDER_ERROR_FAILED when the keyring cannot be reached
 *
 * Since: 0.2
 */
gboolean
gander_credentials_store (GanderProfile  *profile,
                          const char     *password,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(Attributes) a = NULL;

  g_return_val_if_fail (GANDER_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*password == '\0')
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("the password for profile %s is empty: nothing stored "
                     "(gander credentials clear forgets a stored one)"),
                   profile_label (profile));
      return FALSE;
    }
#if GANDER_HAVE_LIBSECRET
  {
    g_autoptr(GHashTable) table = NULL;
    g_autofree char *where = NULL;
    g_autofree char *label = NULL;
    GError *local_error = NULL;

    a = profile_attributes (profile, error);
    if (a == NULL)
      return FALSE;
    table = attributes_table (a);
    where = attributes_describe (a);
    /* TRANSLATORS: the keyring item's label: profile, user@host:port/db */
    label = g_strdup_printf (_("Gander: database password of profile %s (%s)"),
                             profile_label (profile), where);
    if (!secret_password_storev_sync (password_schema (), table,
                                      SECRET_COLLECTION_DEFAULT, label,
                                      password, cancellable, &local_error))
      {
        g_autofree char *what =
          g_strdup_printf (_("cannot store the password of profile %s in the keyring"),
                           profile_label (profile));

        keyring_error (error, local_error, what);
        return FALSE;
      }
    return TRUE;
  }
#else
  (void) a;
  (void) cancellable;
  return not_supported (error);
#endif
}

/**
 * gander_credentials_lookup:
 * @profile: the profile of a PostgreSQL database
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds @profile's password in the user's keyring. Blocks: see
 * gander_credentials_lookup_async().
 *
 * Returns: (transfer full) (nullable): the password (overwrite it before
 *   you free it, if you can), or %NULL with no error when the keyring
 *   holds none for @profile, or %NULL with @error set (as for
 *   gander_credentials_store())
 *
 * Since: 0.2
 */
char *
gander_credentials_lookup (GanderProfile  *profile,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

#if GANDER_HAVE_LIBSECRET
  {
    g_autoptr(Attributes) a = profile_attributes (profile, error);
    g_autoptr(GHashTable) table = NULL;
    GError *local_error = NULL;
    char *found;
    char *password;

    if (a == NULL)
      return NULL;
    table = attributes_table (a);
    found = secret_password_lookupv_sync (password_schema (), table,
                                          cancellable, &local_error);
    if (local_error != NULL)
      {
        g_autofree char *what =
          g_strdup_printf (_("cannot read the password of profile %s from the keyring"),
                           profile_label (profile));

        keyring_error (error, local_error, what);
        return NULL;
      }
    if (found == NULL)
      return NULL;
    /* libsecret's memory goes back to libsecret (it wipes it) */
    password = g_strdup (found);
    secret_password_free (found);
    return password;
  }
#else
  (void) cancellable;
  not_supported (error);
  return NULL;
#endif
}

/**
 * gander_credentials_clear:
 * @profile: the profile of a PostgreSQL database
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes @profile's password from the user's keyring. Removing one that
 * is not there is not an error. Blocks: see
 * gander_credentials_clear_async().
 *
 * Returns: %TRUE on success (as for gander_credentials_store() otherwise)
 *
 * Since: 0.2
 */
gboolean
gander_credentials_clear (GanderProfile  *profile,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_return_val_if_fail (GANDER_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

#if GANDER_HAVE_LIBSECRET
  {
    g_autoptr(Attributes) a = profile_attributes (profile, error);
    g_autoptr(GHashTable) table = NULL;
    GError *local_error = NULL;

    if (a == NULL)
      return FALSE;
    table = attributes_table (a);
    secret_password_clearv_sync (password_schema (), table, cancellable,
                                 &local_error);
    if (local_error != NULL)
      {
        g_autofree char *what =
          g_strdup_printf (_("cannot remove the password of profile %s from the keyring"),
                           profile_label (profile));

        keyring_error (error, local_error, what);
        return FALSE;
      }
    return TRUE;
  }
#else
  (void) cancellable;
  return not_supported (error);
#endif
}

/* --- the asynchronous twins: the blocking calls in a worker thread --- */

typedef enum {
  CALL_STORE,
  CALL_LOOKUP,
  CALL_CLEAR,
} CallKind;

typedef struct {
  CallKind       kind;
  GanderProfile *profile;
  char          *password;     /* CALL_STORE's */
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->profile);
  gander_credentials_free_secret (data->password);
  g_free (data);
}

/* The blocking call @task_data names, its result returned to @task. */
static void
call_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CallData *data = task_data;
  GError *error = NULL;
  char *password = NULL;
  gboolean ok = FALSE;

  (void) source_object;
  switch (data->kind)
    {
    case CALL_STORE:
      ok = gander_credentials_store (data->profile, data->password, cancellable, &error);
      break;
    case CALL_LOOKUP:
      /* NULL without an error: the keyring holds none */
      password = gander_credentials_lookup (data->profile, cancellable, &error);
      ok = error == NULL;
      break;
    case CALL_CLEAR:
      ok = gander_credentials_clear (data->profile, cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    g_task_return_error (task, error);
  else if (data->kind == CALL_LOOKUP)
    g_task_return_pointer (task, password, (GDestroyNotify) gander_credentials_free_secret);
  else
    g_task_return_boolean (task, TRUE);
}

/* @tag: the public _async function, checked by its _finish */
static void
start_call (CallKind             kind,
            GanderProfile       *profile,
            const char          *password,
            gpointer             tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);

  g_task_set_source_tag (task, tag);
  data->kind = kind;
  data->profile = g_object_ref (profile);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);
  g_task_run_in_thread (task, call_thread);
}

static gboolean
finish_boolean_call (GAsyncResult  *result,
                     gpointer       tag,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gander_credentials_store_async:
 * @profile: the profile of a PostgreSQL database
 * @password: the password (copied)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the password is stored
 * @user_data: (closure): data for @callback
 *
 * Runs gander_credentials_store() in a worker thread.
 *
 * Since: 0.2
 */
void
gander_credentials_store_async (GanderProfile       *profile,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (GANDER_IS_PROFILE (profile));
  g_return_if_fail (password != NULL);

  start_call (CALL_STORE, profile, password, gander_credentials_store_async,
              cancellable, callback, user_data);
}

/**
 * gander_credentials_store_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes gander_credentials_store_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
gander_credentials_store_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return finish_boolean_call (result, gander_credentials_store_async, error);
}

/**
 * gander_credentials_lookup_async:
 * @profile: the profile of a PostgreSQL database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the lookup is done
 * @user_data: (closure): data for @callback
 *
 * Runs gander_credentials_lookup() in a worker thread.
 *
 * Since: 0.2
 */
void
gander_credentials_lookup_async (GanderProfile       *profile,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (GANDER_IS_PROFILE (profile));

  start_call (CALL_LOOKUP, profile, NULL, gander_credentials_lookup_async,
              cancellable, callback, user_data);
}

/**
 * gander_credentials_lookup_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes gander_credentials_lookup_async().
 *
 * Returns: (transfer full) (nullable): the password, or %NULL (with no
 *   error when the keyring holds none)
 *
 * Since: 0.2
 */
char *
gander_credentials_lookup_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gander_credentials_lookup_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gander_credentials_clear_async:
 * @profile: the profile of a PostgreSQL database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the password is removed
 * @user_data: (closure): data for @callback
 *
 * Runs gander_credentials_clear() in a worker thread.
 *
 * Since: 0.2
 */
void
gander_credentials_clear_async (GanderProfile       *profile,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (GANDER_IS_PROFILE (profile));

  start_call (CALL_CLEAR, profile, NULL, gander_credentials_clear_async,
              cancellable, callback, user_data);
}

/**
 * gander_credentials_clear_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes gander_credentials_clear_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
gander_credentials_clear_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return finish_boolean_call (result, gander_credentials_clear_async, error);
}

/* --- the password-source chain --- */

/* A file that holds a password: a regular file, owned by the effective
 * uid, no access for group or others. Checked on the open descriptor. */
static char *
read_password_file (GanderProfile  *profile,
                    const char     *path,
                    gboolean        check_owner,
                    GError        **error)
{
  struct stat st;
  char *secret;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s: cannot open the password file %s: %s"),
                   profile_label (profile), path, g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s: cannot read the password file %s: %s"),
                   profile_label (profile), path, g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s: the password file %s is not a regular file"),
                   profile_label (profile), path);
      return NULL;
    }
  if (check_owner && st.st_uid != geteuid ())
    {
      close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED,
                   _("profile %s: refusing the password file %s: it belongs "
                     "to uid %u, not to uid %u who connects; make it yours "
                     "(chown %u %s) or point password-source elsewhere"),
                   profile_label (profile), path, (guint) st.st_uid,
                   (guint) geteuid (), (guint) geteuid (), path);
      return NULL;
    }
  if (check_owner && (st.st_mode & 077) != 0)
    {
      close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED,
                   _("profile %s: refusing the password file %s: its mode "
                     "%04o lets others read or change it; run chmod 600 %s"),
                   profile_label (profile), path,
                   (guint) (st.st_mode & 07777), path);
      return NULL;
    }
  secret = gander_credentials_read_secret_fd (fd, path, error);
  close (fd);
  /* what is wrong with the file is the profile's configuration */
  if (secret == NULL && error != NULL)
    (*error)->code = GANDER_ERROR_CONFIG;
  return secret;
}

/**
 * gander_credentials_resolve:
 * @profile: a profile
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds @profile's password the way #GanderManager does when it connects,
 * following its `password-source` (gander_profile_get_password_source()):
 *
 * - `none`: %NULL, no error (libpq's own ways apply);
 * - `keyring`: gander_credentials_lookup(); nothing stored is a
 *   %GANDER_ERROR_CONFIG that says how to store one;
 * - `credential:NAME`: the file `$CREDENTIALS_DIRECTORY/NAME` (systemd's
 *   `LoadCredential=`); %GANDER_ERROR_CONFIG when the variable is unset or
 *   the file is missing;
 * - `file:PATH`: the file, refused (%GANDER_ERROR_PERMISSION_DENIED) unless
 *   it is owned by the effective user and has mode 0600 or stricter;
 * - `store`: %GANDER_ERROR_NOT_SUPPORTED: only gander-daemon reads its
 *   store.
 *
 * One trailing newline of a file is dropped; an empty file or one of more
 * than 4096 bytes is an error. Blocks (file and keyring I/O).
 *
 * Returns: (transfer full) (nullable): the password, or %NULL
 *
 * Since: 0.2
 */
char *
gander_credentials_resolve (GanderProfile  *profile,
                            GCancellable   *cancellable,
                            GError        **error)
{
  const char *argument = NULL;

  g_return_val_if_fail (GANDER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  switch (gander_profile_get_password_source (profile, &argument))
    {
    case GANDER_PASSWORD_SOURCE_NONE:
      return NULL;

    case GANDER_PASSWORD_SOURCE_KEYRING:
      {
        GError *local_error = NULL;
        char *password = gander_credentials_lookup (profile, cancellable, &local_error);

        if (local_error != NULL)
          {
            g_propagate_error (error, local_error);
            return NULL;
          }
        if (password == NULL)
          {
            g_autoptr(Attributes) a = profile_attributes (profile, NULL);
            g_autofree char *where = a != NULL ? attributes_describe (a) : g_strdup ("?");

            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("profile %s: password-source=keyring, but the keyring "
                           "holds no password for %s; store one with `gander "
                           "credentials set %s`"),
                         profile_label (profile), where, profile_label (profile));
          }
        return password;
      }

    case GANDER_PASSWORD_SOURCE_CREDENTIAL:
      {
        const char *dir = g_getenv ("CREDENTIALS_DIRECTORY");
        g_autofree char *path = NULL;

        if (dir == NULL || *dir == '\0')
          {
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("profile %s: password-source=credential:%s, but "
                           "CREDENTIALS_DIRECTORY is not set: systemd sets it "
                           "for a unit with LoadCredential=%s:PATH (or "
                           "ImportCredential=); outside such a unit use "
                           "file:PATH or keyring"),
                         profile_label (profile), argument, argument);
            return NULL;
          }
        path = g_build_filename (dir, argument, NULL);
        if (!g_file_test (path, G_FILE_TEST_EXISTS))
          {
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("profile %s: password-source=credential:%s, but "
                           "there is no %s: does the unit have "
                           "LoadCredential=%s:PATH?"),
                         profile_label (profile), argument, path, argument);
            return NULL;
          }
        /* systemd made the directory and the file for this service */
        return read_password_file (profile, path, FALSE, error);
      }

    case GANDER_PASSWORD_SOURCE_FILE:
      return read_password_file (profile, argument, TRUE, error);

    case GANDER_PASSWORD_SOURCE_STORE:
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                   _("profile %s: password-source=store is gander-daemon's "
                     "credential store, which only the daemon reads (its "
                     "SetPassword method fills it), and no password was given "
                     "to this connection; run the migration through "
                     "gander-daemon, or use keyring, credential:NAME or "
                     "file:PATH here"),
                   profile_label (profile));
      return NULL;

    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* --- the manager's hook --- */

static char *
resolve_for_database (GanderDatabase  *database,
                      GCancellable    *cancellable,
                      gpointer         user_data,
                      GError         **error)
{
  GanderProfile *profile = user_data;

  (void) database;
  return gander_credentials_resolve (profile, cancellable, error);
}

void
gander_credentials_attach (GanderProfile  *profile,
                           GanderDatabase *database)
{
  g_return_if_fail (GANDER_IS_PROFILE (profile));
  g_return_if_fail (GANDER_IS_DATABASE (database));

  if (!GANDER_IS_POSTGRES_DATABASE (database))
    return;   /* SQLite has no password */
  if (gander_profile_get_password_source (profile, NULL) == GANDER_PASSWORD_SOURCE_NONE)
    return;
  /* a password given by the caller or in the connection string wins */
  if (gander_database_get_password (database) != NULL ||
      gander_dsn_has_password (gander_database_get_connect_dsn (database)))
    return;
  gander_database_set_password_func (database, resolve_for_database,
                                     g_object_ref (profile), g_object_unref);
}
