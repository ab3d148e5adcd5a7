/* gd-credentials.c: where the daemon keeps and finds database passwords
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Session bus: the user's keyring (libgander's gander_credentials_*()).
 * System bus: no user keyring; the profile's password-source chooses —
 * credential:NAME and file:PATH through gander_credentials_resolve(), and
 * `store`, the daemon's own: STATE_DIR/credentials/PROFILE (directory
 * 0700, file 0600, both the daemon's user's), written here only.
 *
 * With password-source unset, the session bus looks in the keyring (a
 * keyring that cannot be reached then means "no password", so a profile
 * that needs none still works) and the system bus in the store.
 *
 * Every call runs in a GTask worker thread. A secret lives in memory
 * only as long as it must and is overwritten before it is freed; no
 * message carries it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gd-credentials.h"


struct _GdCredentials
{
  GObject    parent_instance;

  GdBusKind  kind;
  char      *state_dir;
};

G_DEFINE_FINAL_TYPE (GdCredentials, gd_credentials, G_TYPE_OBJECT)

static void
gd_credentials_finalize (GObject *object)
{
  GdCredentials *self = GD_CREDENTIALS (object);

  g_clear_pointer (&self->state_dir, g_free);
  G_OBJECT_CLASS (gd_credentials_parent_class)->finalize (object);
}

static void
gd_credentials_class_init (GdCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gd_credentials_finalize;
}

static void
gd_credentials_init (GdCredentials *self)
{
  (void) self;
}

GdCredentials *
gd_credentials_new (GdBusKind   kind,
                    const char *state_dir)
{
  GdCredentials *self;

  g_return_val_if_fail (state_dir != NULL, NULL);

  self = g_object_new (GD_TYPE_CREDENTIALS, NULL);
  self->kind = kind;
  self->state_dir = g_strdup (state_dir);
  return self;
}

/* --- secrets in memory --- */

void
gd_credentials_free_secret (char *secret)
{
  gander_credentials_free_secret (secret);
}

char *
gd_credentials_read_fd (int      fd,
                        GError **error)
{
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return gander_credentials_read_secret_fd (fd, _("the file descriptor"), error);
}

/* --- what the profile asks for --- */

typedef enum {
  WANT_NOTHING,        /* none, or a database without passwords */
  WANT_KEYRING,        /* explicitly */
  WANT_KEYRING_QUIET,  /* unset, session bus: a failure is "none" */
  WANT_STORE,
  WANT_RESOLVE,        /* credential:NAME, file:PATH: the library's */
  WANT_NO_KEYRING,     /* keyring on the system bus */
} Want;

static const char *
profile_name (GanderProfile *profile)
{
  const char *name = gander_profile_get_name (profile);

  return name != NULL ? name : "(ad hoc)";
}

static gboolean
has_passwords (GanderProfile *profile)
{
  const char *driver = gander_profile_get_driver (profile);

  return driver != NULL && (g_str_equal (driver, "postgres") || g_str_equal (driver, "pgx"));
}

static Want
want_for (GdCredentials *self,
          GanderProfile *profile)
{
  const char *raw = gander_profile_get (profile, "password-source");

  if (!has_passwords (profile))
    return WANT_NOTHING;
  if (raw == NULL || *raw == '\0')
    return self->kind == GD_BUS_SESSION ? WANT_KEYRING_QUIET : WANT_STORE;
  switch (gander_profile_get_password_source (profile, NULL))
    {
    case GANDER_PASSWORD_SOURCE_NONE:
      return WANT_NOTHING;
    case GANDER_PASSWORD_SOURCE_KEYRING:
      return self->kind == GD_BUS_SESSION ? WANT_KEYRING : WANT_NO_KEYRING;
    case GANDER_PASSWORD_SOURCE_STORE:
      return WANT_STORE;
    case GANDER_PASSWORD_SOURCE_CREDENTIAL:
    case GANDER_PASSWORD_SOURCE_FILE:
    default:
      return WANT_RESOLVE;
    }
}

static void
no_keyring_error (GanderProfile  *profile,
                  GError        **error)
{
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
               _("profile %s: password-source=keyring, but gander-daemon on the "
                 "system bus has no user keyring: use password-source=store "
                 "(SetPassword fills it), credential:NAME or file:PATH"),
               profile_name (profile));
}

/* --- the store: STATE_DIR/credentials/PROFILE --- */

/* A file name for any profile name: [A-Za-z0-9_.-] kept (not a leading
 * dot), every other byte %XX. */
static char *
store_file_name (GanderProfile *profile)
{
  const char *name = gander_profile_get_name (profile);
  GString *out = g_string_new (NULL);

  /* ad hoc: "%00", which no name maps to */
  if (name == NULL || *name == '\0')
    return g_string_free (g_string_append (out, "%00"), FALSE);
  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = *p;

      if (g_ascii_isalnum (c) || c == '_' || c == '-' || (c == '.' && p != name))
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "%%%02X", c);
    }
  return g_string_free (out, FALSE);
}

static char *
store_dir_path (GdCredentials *self)
{
  return g_build_filename (self->state_dir, "credentials", NULL);
}

/* Checks an open directory or file of the store: the daemon's user owns
 * it, nobody else may use it. */
static gboolean
check_private (int          fd,
               const char  *path,
               gboolean     is_dir,
               GError     **error)
{
  struct stat st;

  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot check %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (is_dir ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED,
                   is_dir ? _("refusing the credential store %s: not a directory")
                          : _("refusing the stored password %s: not a regular file"),
                   path);
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED,
                   _("refusing %s: it belongs to uid %u, not to uid %u that "
                     "gander-daemon runs as; fix it with chown %u %s"),
                   path, (guint) st.st_uid, (guint) geteuid (),
                   (guint) geteuid (), path);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED,
                   _("refusing %s: its mode %04o lets others in; fix it with "
                     "chmod %s %s"),
                   path, (guint) (st.st_mode & 07777), is_dir ? "700" : "600", path);
      return FALSE;
    }
  return TRUE;
}

/* Opens the store's directory (made 0700 when @create and missing);
 * -1 with no error when it does not exist and !@create. */
static int
open_store_dir (GdCredentials  *self,
                gboolean        create,
                GError        **error)
{
  g_autofree char *path = store_dir_path (self);
  int fd;

  if (create)
    {
      if (g_mkdir_with_parents (self->state_dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("cannot create the state directory %s: %s"),
                       self->state_dir, g_strerror (saved_errno));
          return -1;
        }
      if (mkdir (path, 0700) != 0 && errno != EEXIST)
        {
          int saved_errno = errno;

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("cannot create the credential store %s: %s"),
                       path, g_strerror (saved_errno));
          return -1;
        }
    }
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT && !create)
        return -1;
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   saved_errno == ELOOP || saved_errno == ENOTDIR
                   ? _("refusing the credential store %s: %s (it must be a "
                       "real directory, not a link)")
                   : _("cannot open the credential store %s: %s"),
                   path, g_strerror (saved_errno));
      return -1;
    }
  if (!check_private (fd, path, TRUE, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

static char *
store_read (GdCredentials  *self,
            GanderProfile  *profile,
            GError        **error)
{
  g_autofree char *name = store_file_name (profile);
  g_autofree char *dir = store_dir_path (self);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *local_error = NULL;
  char *secret;
  int dfd, fd;

  dfd = open_store_dir (self, FALSE, &local_error);
  if (dfd < 0)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return NULL;
    }
  fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  close (dfd);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return NULL;
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot open the stored password %s: %s"),
                   path, g_strerror (saved_errno));
      return NULL;
    }
  if (!check_private (fd, path, FALSE, error))
    {
      close (fd);
      return NULL;
    }
  secret = gander_credentials_read_secret_fd (fd, path, error);
  close (fd);
  /* a stored file that does not read back is the state directory's fault */
  if (secret == NULL && error != NULL)
    (*error)->code = GANDER_ERROR_IO;
  return secret;
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
store_write (GdCredentials  *self,
             GanderProfile  *profile,
             const char     *password,
             GError        **error)
{
  g_autofree char *name = store_file_name (profile);
  g_autofree char *dir = store_dir_path (self);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = NULL;
  int dfd, fd = -1;
  int saved_errno = 0;

  dfd = open_store_dir (self, TRUE, error);
  if (dfd < 0)
    return FALSE;

  for (guint attempt = 0; attempt < 100 && fd < 0; attempt++)
    {
      g_free (tmp);
      tmp = g_strdup_printf (".%s.%08x", name, g_random_int ());
      fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0)
    {
      saved_errno = errno;
      close (dfd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot create a file in the credential store %s: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }
  if (!write_all (fd, password, strlen (password)) ||
      fsync (fd) != 0)
    saved_errno = errno != 0 ? errno : EIO;
  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno == 0 && renameat (dfd, tmp, dfd, name) != 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      unlinkat (dfd, tmp, 0);
      close (dfd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot store the password of profile %s in %s: %s"),
                   profile_name (profile), path, g_strerror (saved_errno));
      return FALSE;
    }
  /* the rename itself survives a crash */
  fsync (dfd);
  close (dfd);
  return TRUE;
}

static gboolean
store_remove (GdCredentials  *self,
              GanderProfile  *profile,
              GError        **error)
{
  g_autofree char *name = store_file_name (profile);
  g_autofree char *dir = store_dir_path (self);
  GError *local_error = NULL;
  int dfd;

  dfd = open_store_dir (self, FALSE, &local_error);
  if (dfd < 0)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return TRUE;
    }
  if (unlinkat (dfd, name, 0) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      close (dfd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot remove the stored password %s/%s: %s"),
                   dir, name, g_strerror (saved_errno));
      return FALSE;
    }
  fsync (dfd);
  close (dfd);
  return TRUE;
}

/* --- the blocking work, in worker threads --- */

typedef struct {
  GanderProfile *profile;
  char          *password;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->profile);
  gd_credentials_free_secret (data->password);
  g_free (data);
}

static char *
lookup_sync (GdCredentials  *self,
             GanderProfile  *profile,
             GCancellable   *cancellable,
             GError        **error)
{
  switch (want_for (self, profile))
    {
    case WANT_NOTHING:
      return NULL;
    case WANT_KEYRING:
      return gander_credentials_lookup (profile, cancellable, error);
    case WANT_KEYRING_QUIET:
      {
        g_autoptr(GError) local_error = NULL;
        char *password;

        if (!gander_credentials_is_supported ())
          return NULL;
        password = gander_credentials_lookup (profile, cancellable, &local_error);
        if (local_error != NULL)
          {
            if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
              {
                g_propagate_error (error, g_steal_pointer (&local_error));
                return NULL;
              }
            /* the profile did not ask for the keyring: none */
            g_debug ("profile %s: no password from the keyring: %s",
                     profile_name (profile), local_error->message);
          }
        return password;
      }
    case WANT_STORE:
      return store_read (self, profile, error);
    case WANT_RESOLVE:
      return gander_credentials_resolve (profile, cancellable, error);
    case WANT_NO_KEYRING:
    default:
      no_keyring_error (profile, error);
      return NULL;
    }
}

static gboolean
store_sync (GdCredentials  *self,
            GanderProfile  *profile,
            const char     *password,
            GCancellable   *cancellable,
            GError        **error)
{
  if (!has_passwords (profile))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("profile %s: a %s database has no password"),
                   profile_name (profile),
                   gander_profile_get_driver (profile) != NULL
                   ? gander_profile_get_driver (profile) : "(no driver)");
      return FALSE;
    }
  if (*password == '\0')
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("the password for profile %s is empty: nothing stored "
                     "(ClearPassword forgets a stored one)"),
                   profile_name (profile));
      return FALSE;
    }
  switch (want_for (self, profile))
    {
    case WANT_KEYRING:
    case WANT_KEYRING_QUIET:
      return gander_credentials_store (profile, password, cancellable, error);
    case WANT_STORE:
      return store_write (self, profile, password, error);
    case WANT_NO_KEYRING:
      no_keyring_error (profile, error);
      return FALSE;
    case WANT_NOTHING:
    case WANT_RESOLVE:
    default:
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s takes its password from password-source=%s, "
                     "so a password stored here would never be used: set "
                     "password-source=%s in its configuration first"),
                   profile_name (profile),
                   gander_profile_get (profile, "password-source"),
                   self->kind == GD_BUS_SESSION ? "keyring" : "store");
      return FALSE;
    }
}

static gboolean
clear_sync (GdCredentials  *self,
            GanderProfile  *profile,
            GCancellable   *cancellable,
            GError        **error)
{
  Want want = want_for (self, profile);

  if (!has_passwords (profile))
    return TRUE;
  if (want == WANT_KEYRING ||
      (want == WANT_KEYRING_QUIET && gander_credentials_is_supported ()))
    {
      if (!gander_credentials_clear (profile, cancellable, error))
        return FALSE;
    }
  /* a stored file goes whatever the source says now */
  return store_remove (self, profile, error);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CallData *data = task_data;
  GError *error = NULL;
  char *password;

  password = lookup_sync (GD_CREDENTIALS (source_object), data->profile, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) gd_credentials_free_secret);
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CallData *data = task_data;
  GError *error = NULL;

  if (store_sync (GD_CREDENTIALS (source_object), data->profile, data->password,
                  cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
clear_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CallData *data = task_data;
  GError *error = NULL;

  if (clear_sync (GD_CREDENTIALS (source_object), data->profile, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
start (GdCredentials       *self,
       GanderProfile       *profile,
       const char          *password,
       gpointer             tag,
       GTaskThreadFunc      func,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);

  g_task_set_source_tag (task, tag);
  data->profile = g_object_ref (profile);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);
  g_task_run_in_thread (task, func);
}

void
gd_credentials_lookup_async (GdCredentials       *self,
                             GanderProfile       *profile,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (GD_IS_CREDENTIALS (self));
  g_return_if_fail (GANDER_IS_PROFILE (profile));

  start (self, profile, NULL, gd_credentials_lookup_async, lookup_thread,
         cancellable, callback, user_data);
}

char *
gd_credentials_lookup_finish (GdCredentials  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gd_credentials_store_async (GdCredentials       *self,
                            GanderProfile       *profile,
                            const char          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GD_IS_CREDENTIALS (self));
  g_return_if_fail (GANDER_IS_PROFILE (profile));
  g_return_if_fail (password != NULL);

  start (self, profile, password, gd_credentials_store_async, store_thread,
         cancellable, callback, user_data);
}

gboolean
gd_credentials_store_finish (GdCredentials  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
gd_credentials_clear_async (GdCredentials       *self,
                            GanderProfile       *profile,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GD_IS_CREDENTIALS (self));
  g_return_if_fail (GANDER_IS_PROFILE (profile));

  start (self, profile, NULL, gd_credentials_clear_async, clear_thread,
         cancellable, callback, user_data);
}

gboolean
gd_credentials_clear_finish (GdCredentials  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
