/* gd-manager.c: org.gander.Migrator1.Manager and the profile store
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Profiles come from gander_config_load_standard() (gander.conf) and from
 * the daemon's own store, STATE_DIR/profiles/NAME.conf (directory 0700,
 * files 0600, the key-file format of gander.conf), which AddProfile writes
 * and RemoveProfile deletes. The files of gander.conf are never written.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gd-auth.h"
#include "gd-daemon.h"
#include "gd-manager.h"
#include "gd-profile.h"
#include "gd-credentials.h"

#define MAX_NAME_LENGTH 64

struct _GdManager
{
  GObject parent_instance;

  GdDaemon     *daemon;        /* owns us */
  GdBusManager *iface;
  GHashTable   *profiles;      /* name → GdProfile */
  GHashTable   *leaving;       /* name set: dropped while busy */
};

G_DEFINE_FINAL_TYPE (GdManager, gd_manager, G_TYPE_OBJECT)

/* One profile as read from the files. */
typedef struct
{
  GanderProfile *profile;
  const char    *source;       /* "config" or "daemon" (static) */
} LoadedProfile;

static void
loaded_profile_free (LoadedProfile *loaded)
{
  g_clear_object (&loaded->profile);
  g_free (loaded);
}

static char *
store_dir (GdManager *self)
{
  return g_build_filename (gd_daemon_get_state_dir (self->daemon), "profiles", NULL);
}

static char *
store_file (GdManager  *self,
            const char *name)
{
  g_autofree char *dir = store_dir (self);
  g_autofree char *base = g_strconcat (name, ".conf", NULL);

  return g_build_filename (dir, base, NULL);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Lists STATE_DIR/profiles/NAME.conf, sorted; a missing directory is an
 * empty store. */
static GPtrArray *
list_store (GdManager  *self,
            GError    **error)
{
  g_autofree char *dir_path = store_dir (self);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *entry;

  dir = g_dir_open (dir_path, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&names);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("cannot read the daemon's profile store %s: %s"),
                   dir_path, local_error->message);
      return NULL;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".conf") && entry[0] != '.')
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - strlen (".conf")));
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

static gboolean
strv_has (char       **strv,
          const char  *name)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, name);
}

/* Reads gander.conf and the store into a fresh GanderConfig. */
static GanderConfig *
load_config (GdManager   *self,
             char      ***config_names,
             GPtrArray  **store_names,
             GError     **error)
{
  g_autoptr(GanderConfig) config = gander_config_new ();
  g_autoptr(GPtrArray) stored = NULL;
  g_autofree char *dir = store_dir (self);

  if (!gander_config_load_standard (config, error))
    return NULL;
  *config_names = gander_config_list_profiles (config);
  stored = list_store (self, error);
  if (stored == NULL)
    {
      g_clear_pointer (config_names, g_strfreev);
      return NULL;
    }
  for (guint i = 0; i < stored->len; i++)
    {
      g_autofree char *base = g_strconcat (g_ptr_array_index (stored, i), ".conf", NULL);
      g_autofree char *path = g_build_filename (dir, base, NULL);

      if (!gander_config_load_file (config, path, error))
        {
          g_clear_pointer (config_names, g_strfreev);
          return NULL;
        }
    }
  *store_names = g_steal_pointer (&stored);
  return g_steal_pointer (&config);
}

/* name → LoadedProfile of every profile the files define. */
static GHashTable *
load_profiles (GdManager  *self,
               GError    **error)
{
  g_autoptr(GHashTable) loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) loaded_profile_free);
  g_auto(GStrv) config_names = NULL;
  g_autoptr(GPtrArray) store_names = NULL;
  g_autoptr(GanderConfig) config = NULL;
  g_auto(GStrv) names = NULL;

  config = load_config (self, &config_names, &store_names, error);
  if (config == NULL)
    return NULL;
  names = gander_config_list_profiles (config);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      LoadedProfile *entry;
      GanderProfile *profile = gander_config_resolve (config, names[i], NULL, error);
      gboolean stored = FALSE;

      if (profile == NULL)
        return NULL;
      for (guint j = 0; j < store_names->len; j++)
        if (g_str_equal (g_ptr_array_index (store_names, j), names[i]))
          stored = TRUE;
      entry = g_new0 (LoadedProfile, 1);
      entry->profile = profile;
      entry->source = stored && !strv_has (config_names, names[i]) ? "daemon" : "config";
      g_hash_table_insert (loaded, g_strdup (names[i]), entry);
    }
  return g_steal_pointer (&loaded);
}

static void
update_profile_paths (GdManager *self)
{
  g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (self->profiles, NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  guint n = g_hash_table_size (self->profiles);

  qsort (names, n, sizeof (char *), compare_names);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (paths, (gpointer) gd_profile_get_object_path (g_hash_table_lookup (self->profiles, names[i])));
  g_ptr_array_add (paths, NULL);
  gd_bus_manager_set_profiles (self->iface, (const char * const *) paths->pdata);
}

static void
export_profile (GdManager     *self,
                GanderProfile *settings,
                const char    *source)
{
  g_autoptr(GdProfile) profile = gd_profile_new (self->daemon, settings, source);

  g_dbus_object_manager_server_export (gd_daemon_get_object_manager (self->daemon),
                                       G_DBUS_OBJECT_SKELETON (gd_profile_get_object (profile)));
  char *name = g_strdup (gd_profile_get_name (profile));

  g_hash_table_replace (self->profiles, name, g_steal_pointer (&profile));
}

static void
unexport_profile (GdManager  *self,
                  const char *name)
{
  GdProfile *profile = g_hash_table_lookup (self->profiles, name);

  if (profile == NULL)
    return;
  g_dbus_object_manager_server_unexport (gd_daemon_get_object_manager (self->daemon),
                                         gd_profile_get_object_path (profile));
  g_hash_table_remove (self->leaving, name);
  g_hash_table_remove (self->profiles, name);
}

/* Brings the exported profiles in line with @loaded: new ones exported,
 * changed ones updated, vanished ones unexported (a busy one when its job
 * ends). */
static void
apply_profiles (GdManager  *self,
                GHashTable *loaded)
{
  g_autofree const char **current = (const char **) g_hash_table_get_keys_as_array (self->profiles, NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; current[i] != NULL; i++)
    {
      GdProfile *profile = g_hash_table_lookup (self->profiles, current[i]);

      if (g_hash_table_contains (loaded, current[i]))
        continue;
      if (gd_profile_get_active_job (profile) != NULL)
        {
          gd_log (G_LOG_LEVEL_INFO, current[i], NULL, NULL,
                  "profile %s is gone from the configuration; it goes when its job ends",
                  current[i]);
          g_hash_table_add (self->leaving, g_strdup (current[i]));
        }
      else
        {
          gd_log (G_LOG_LEVEL_INFO, current[i], NULL, NULL,
                  "profile %s is gone from the configuration", current[i]);
          unexport_profile (self, current[i]);
        }
    }

  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      LoadedProfile *entry = value;
      GdProfile *profile = g_hash_table_lookup (self->profiles, key);

      g_hash_table_remove (self->leaving, key);
      if (profile != NULL)
        gd_profile_update (profile, entry->profile, entry->source);
      else
        export_profile (self, entry->profile, entry->source);
    }
  update_profile_paths (self);
}

/* -------------------------------------------------------------------- */
/* authorisation of the calls */

typedef void (*AuthorisedFunc) (GdManager             *self,
                                GDBusMethodInvocation *invocation,
                                const GdCaller        *caller,
                                gpointer               data);

typedef struct
{
  GdManager             *self;
  GDBusMethodInvocation *invocation;
  AuthorisedFunc         func;
  gpointer               data;
  GDestroyNotify         data_free;
} AuthCall;

static void
auth_call_free (AuthCall *call)
{
  if (call->data_free != NULL && call->data != NULL)
    call->data_free (call->data);
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call);
}

static void
authorised_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AuthCall *call = user_data;
  GdDaemon *daemon = call->self->daemon;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdCaller) caller = NULL;

  caller = gd_auth_check_finish (GD_AUTH (source), result, &error);
  if (caller == NULL)
    {
      gd_log (G_LOG_LEVEL_INFO, NULL, NULL,
              g_dbus_method_invocation_get_method_name (call->invocation),
              "refused %s: %s", g_dbus_method_invocation_get_method_name (call->invocation),
              error->message);
      g_dbus_method_invocation_return_gerror (call->invocation, error);
    }
  else
    call->func (call->self, call->invocation, caller, call->data);
  auth_call_free (call);
  gd_daemon_release (daemon);
}

/* Authorises @invocation's caller for @action, then calls @func (which
 * answers the call); a refusal answers it with NotAuthorized. */
static void
authorise (GdManager             *self,
           GDBusMethodInvocation *invocation,
           const char            *action,
           AuthorisedFunc         func,
           gpointer               data,
           GDestroyNotify         data_free)
{
  AuthCall *call = g_new0 (AuthCall, 1);

  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->func = func;
  call->data = data;
  call->data_free = data_free;
  gd_daemon_hold (self->daemon);
  gd_auth_check_async (gd_daemon_get_auth (self->daemon), invocation, action,
                       NULL, NULL, FALSE, NULL, authorised_cb, call);
}

/* -------------------------------------------------------------------- */
/* GetProfile */

static char *
known_names (GdManager *self)
{
  g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (self->profiles, NULL);
  guint n = g_hash_table_size (self->profiles);

  if (n == 0)
    return g_strdup (_("none"));
  qsort (names, n, sizeof (char *), compare_names);
  return g_strjoinv (", ", (char **) names);
}

static void
get_profile_authorised (GdManager             *self,
                        GDBusMethodInvocation *invocation,
                        const GdCaller        *caller,
                        gpointer               data)
{
  const char *name = data;
  GdProfile *profile = g_hash_table_lookup (self->profiles, name);

  if (profile == NULL)
    {
      g_autofree char *known = known_names (self);

      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                                             _("no profile %s; known profiles: %s"), name, known);
      return;
    }
  gd_bus_manager_complete_get_profile (self->iface, invocation,
                                       gd_profile_get_object_path (profile));
}

static gboolean
handle_get_profile (GdBusManager          *iface,
                    GDBusMethodInvocation *invocation,
                    const char            *name,
                    GdManager             *self)
{
  authorise (self, invocation, GD_ACTION_INSPECT, get_profile_authorised,
             g_strdup (name), g_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -------------------------------------------------------------------- */
/* AddProfile */

typedef struct
{
  char     *name;
  GVariant *settings;
} AddProfileData;

static void
add_profile_data_free (AddProfileData *data)
{
  g_free (data->name);
  g_variant_unref (data->settings);
  g_free (data);
}

static gboolean
valid_profile_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > MAX_NAME_LENGTH)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
has_control_chars (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* Checks every setting through GanderProfile (so a bad key or value fails
 * with GANDER_ERROR_CONFIG naming it) and builds the store file's text. */
static char *
build_profile_file (const char  *name,
                    GVariant    *settings,
                    GError     **error)
{
  g_autoptr(GanderConfig) empty = gander_config_new ();
  g_autoptr(GanderProfile) check = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *group = g_strdup_printf ("profile %s", name);
  g_autofree char *origin = g_strdup_printf ("AddProfile %s", name);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  /* an ad-hoc profile with the built-in defaults takes the values */
  check = gander_config_resolve (empty, NULL, NULL, error);
  if (check == NULL)
    return NULL;

  g_variant_iter_init (&iter, settings);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      const char *text;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       _("setting %s of profile %s must be a string (\"s\"), not \"%s\""),
                       key, name, g_variant_get_type_string (value));
          g_variant_unref (value);
          return NULL;
        }
      text = g_variant_get_string (value, NULL);
      if (has_control_chars (text) || has_control_chars (key))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                       _("setting %s of profile %s holds a control character"), key, name);
          g_variant_unref (value);
          return NULL;
        }
      if (!gander_profile_set (check, key, text, origin, error))
        {
          g_variant_unref (value);
          return NULL;
        }
      if (g_str_equal (key, "dbstring"))
        {
          g_autofree char *masked = gander_dsn_mask (text);

          if (g_strcmp0 (masked, text) != 0)
            {
              g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                           _("setting dbstring of profile %s holds a password: leave it out "
                             "and store the password with SetPassword"), name);
              g_variant_unref (value);
              return NULL;
            }
        }
      g_key_file_set_value (key_file, group, key, text);
    }

  if (gander_profile_get_driver (check) == NULL || gander_profile_get_dbstring (check) == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("profile %s needs the settings driver and dbstring"), name);
      return NULL;
    }
  g_key_file_set_comment (key_file, NULL, NULL,
                          " Added over D-Bus by gander-daemon (AddProfile); removed by RemoveProfile",
                          NULL);
  return g_key_file_to_data (key_file, NULL, error);
}

/* Writes @contents to @path: 0600, in a 0700 directory, atomically. */
static gboolean
write_private_file (const char  *path,
                    const char  *contents,
                    GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot create the daemon's profile store %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("cannot write %s: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
add_profile_authorised (GdManager             *self,
                        GDBusMethodInvocation *invocation,
                        const GdCaller        *caller,
                        gpointer               user_data)
{
  AddProfileData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) loaded = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  LoadedProfile *entry;

  if (g_hash_table_contains (self->profiles, data->name))
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                                             _("a profile named %s exists already"), data->name);
      return;
    }
  contents = build_profile_file (data->name, data->settings, &error);
  if (contents == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  path = store_file (self, data->name);
  if (!write_private_file (path, contents, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  /* read back through the configuration, as a restart would */
  loaded = load_profiles (self, &error);
  entry = loaded != NULL ? g_hash_table_lookup (loaded, data->name) : NULL;
  if (entry == NULL)
    {
      g_unlink (path);
      if (error == NULL)
        g_set_error (&error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     _("profile %s could not be read back from %s"), data->name, path);
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  export_profile (self, entry->profile, "daemon");
  update_profile_paths (self);
  gd_log (G_LOG_LEVEL_MESSAGE, data->name, NULL, "add-profile",
          "profile %s added by uid %u", data->name, caller->uid);
  gd_bus_manager_complete_add_profile (self->iface, invocation,
                                       gd_profile_get_object_path (g_hash_table_lookup (self->profiles, data->name)));
}

static gboolean
handle_add_profile (GdBusManager          *iface,
                    GDBusMethodInvocation *invocation,
                    const char            *name,
                    GVariant              *settings,
                    GdManager             *self)
{
  AddProfileData *data;

  if (!valid_profile_name (name))
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                                             _("profile name \"%s\" is not valid: use 1 to %u of "
                                               "A-Z, a-z, 0-9, _ and -"), name, MAX_NAME_LENGTH);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  data = g_new0 (AddProfileData, 1);
  data->name = g_strdup (name);
  data->settings = g_variant_ref (settings);
  authorise (self, invocation, GD_ACTION_MANAGE_PROFILES, add_profile_authorised,
             data, (GDestroyNotify) add_profile_data_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -------------------------------------------------------------------- */
/* RemoveProfile */

static GdProfile *
lookup_by_path (GdManager  *self,
                const char *path)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->profiles);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (gd_profile_get_object_path (value), path))
      return value;
  return NULL;
}

static void
credential_cleared_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autofree char *name = user_data;
  g_autoptr(GError) error = NULL;

  if (!gd_credentials_clear_finish (GD_CREDENTIALS (source), result, &error))
    gd_log (G_LOG_LEVEL_WARNING, name, NULL, "remove-profile",
            "the stored password of removed profile %s was not cleared: %s",
            name, error->message);
}

static void
remove_profile_authorised (GdManager             *self,
                           GDBusMethodInvocation *invocation,
                           const GdCaller        *caller,
                           gpointer               user_data)
{
  const char *path = user_data;
  GdProfile *profile = lookup_by_path (self, path);
  g_autofree char *name = NULL;
  g_autofree char *file = NULL;

  /* it may have gone while the caller was being authorised */
  if (profile == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                                             _("no profile at %s"), path);
      return;
    }
  name = g_strdup (gd_profile_get_name (profile));
  if (!g_str_equal (gd_bus_profile_get_source (gd_profile_get_iface (profile)), "daemon"))
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_POLICY_DENIED,
                                             _("profile %s comes from gander.conf: remove it "
                                               "there and call Reload"), name);
      return;
    }
  if (gd_profile_get_active_job (profile) != NULL)
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_BUSY,
                                             _("profile %s is busy with a job; remove it "
                                               "when the job has ended"), name);
      return;
    }
  file = store_file (self, name);
  if (g_unlink (file) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_IO,
                                             _("cannot remove %s: %s"), file, g_strerror (saved));
      return;
    }
  gd_credentials_clear_async (gd_daemon_get_credentials (self->daemon),
                              gd_profile_get_profile (profile), NULL,
                              credential_cleared_cb, g_strdup (name));
  unexport_profile (self, name);
  update_profile_paths (self);
  gd_log (G_LOG_LEVEL_MESSAGE, name, NULL, "remove-profile",
          "profile %s removed by uid %u", name, caller->uid);
  gd_bus_manager_complete_remove_profile (self->iface, invocation);
}

static gboolean
handle_remove_profile (GdBusManager          *iface,
                       GDBusMethodInvocation *invocation,
                       const char            *path,
                       GdManager             *self)
{
  if (lookup_by_path (self, path) == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                                             _("no profile at %s"), path);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorise (self, invocation, GD_ACTION_MANAGE_PROFILES, remove_profile_authorised,
             g_strdup (path), g_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -------------------------------------------------------------------- */
/* Reload, GetMetrics */

static void
reload_authorised (GdManager             *self,
                   GDBusMethodInvocation *invocation,
                   const GdCaller        *caller,
                   gpointer               data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) loaded = load_profiles (self, &error);

  if (loaded == NULL)
    {
      gd_log (G_LOG_LEVEL_WARNING, NULL, NULL, "reload",
              "reload failed, the profiles stay as they were: %s", error->message);
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  apply_profiles (self, loaded);
  gd_log (G_LOG_LEVEL_INFO, NULL, NULL, "reload", "configuration reloaded: %u profiles",
          g_hash_table_size (loaded));
  gd_bus_manager_complete_reload (self->iface, invocation);
}

static gboolean
handle_reload (GdBusManager          *iface,
               GDBusMethodInvocation *invocation,
               GdManager             *self)
{
  authorise (self, invocation, GD_ACTION_MANAGE_PROFILES, reload_authorised, NULL, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The profile a sample line of the exposition format is about: every
 * family with a profile has it as its first label. NULL for comments and
 * families without one (gander_build_info). */
static char *
sample_profile (const char *line)
{
  const char *start;
  GString *name;

  if (line[0] == '#' || (start = strstr (line, "{profile=\"")) == NULL)
    return NULL;
  start += strlen ("{profile=\"");
  name = g_string_new (NULL);
  for (const char *c = start; *c != '\0' && *c != '"'; c++)
    {
      if (*c == '\\' && c[1] != '\0')
        c++;
      g_string_append_c (name, *c);
    }
  return g_string_free (name, FALSE);
}

/* @text with only the samples whose profile @names holds (@keep) or does
 * not hold (!@keep); comments and samples without a profile stay. */
static char *
filter_samples (const char *text,
                GHashTable *names,
                gboolean    keep)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *profile = sample_profile (lines[i]);

      if (lines[i][0] == '\0')
        continue;
      if (profile != NULL && g_hash_table_contains (names, profile) != keep)
        continue;
      g_string_append (out, lines[i]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* The daemon's runs, plus what each profile's metrics-file holds (the
 * CLI's runs, and the daemon's own once written there). A profile with a
 * file is taken from the file alone, so that a daemon run is not counted
 * twice; from a file only its profiles' series are taken (several
 * profiles, of other configurations too, may share one). Merging into one
 * GanderMetrics keeps each family's HELP/TYPE once and each series once. */
static char *
collect_metrics (GdManager *self)
{
  g_autoptr(GanderMetrics) all = gander_metrics_new ();
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_hash_table_unref);
  g_autoptr(GHashTable) with_file = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *own = NULL;
  g_autofree char *own_rest = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->profiles);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *file = gander_profile_get_metrics_file (gd_profile_get_profile (value));
      GHashTable *names;

      if (file == NULL || file[0] == '\0')
        continue;
      names = g_hash_table_lookup (files, file);
      if (names == NULL)
        {
          names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (files, g_strdup (file), names);
        }
      g_hash_table_add (names, g_strdup (key));
      g_hash_table_add (with_file, g_strdup (key));
    }

  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *contents = NULL;
      g_autofree char *mine = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (key, &contents, NULL, &error))
        {
          /* no run wrote it yet */
          if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            gd_log (G_LOG_LEVEL_WARNING, NULL, NULL, "get-metrics",
                    "metrics file %s left out of GetMetrics: %s", (const char *) key,
                    error->message);
          continue;
        }
      mine = filter_samples (contents, value, TRUE);
      if (!gander_metrics_merge_text (all, mine, &error))
        gd_log (G_LOG_LEVEL_WARNING, NULL, NULL, "get-metrics",
                "metrics file %s left out of GetMetrics: %s", (const char *) key,
                error->message);
    }

  own = gander_metrics_to_text (gd_daemon_get_metrics (self->daemon));
  own_rest = filter_samples (own, with_file, FALSE);
  /* our own text: it always parses */
  if (!gander_metrics_merge_text (all, own_rest, NULL))
    g_return_val_if_reached (g_steal_pointer (&own));
  return gander_metrics_to_text (all);
}

static void
get_metrics_authorised (GdManager             *self,
                        GDBusMethodInvocation *invocation,
                        const GdCaller        *caller,
                        gpointer               data)
{
  g_autofree char *text = collect_metrics (self);

  gd_bus_manager_complete_get_metrics (self->iface, invocation, text);
}

static gboolean
handle_get_metrics (GdBusManager          *iface,
                    GDBusMethodInvocation *invocation,
                    GdManager             *self)
{
  authorise (self, invocation, GD_ACTION_INSPECT, get_metrics_authorised, NULL, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -------------------------------------------------------------------- */

GdBusManager *
gd_manager_get_iface (GdManager *self)
{
  g_return_val_if_fail (GD_IS_MANAGER (self), NULL);
  return self->iface;
}

GdProfile *
gd_manager_lookup_profile (GdManager  *self,
                           const char *name)
{
  g_return_val_if_fail (GD_IS_MANAGER (self), NULL);
  return g_hash_table_lookup (self->profiles, name);
}

void
gd_manager_set_job_paths (GdManager          *self,
                          const char * const *paths)
{
  g_return_if_fail (GD_IS_MANAGER (self));
  gd_bus_manager_set_jobs (self->iface, paths);
}

void
gd_manager_profile_idle (GdManager *self,
                         GdProfile *profile)
{
  g_autofree char *name = NULL;

  g_return_if_fail (GD_IS_MANAGER (self));
  name = g_strdup (gd_profile_get_name (profile));
  if (!g_hash_table_contains (self->leaving, name) ||
      g_hash_table_lookup (self->profiles, name) != profile)
    return;
  gd_log (G_LOG_LEVEL_INFO, name, NULL, NULL,
          "profile %s, gone from the configuration, is removed now its job ended", name);
  unexport_profile (self, name);
  update_profile_paths (self);
}

void
gd_manager_shutdown (GdManager *self)
{
  g_autofree const char **names = NULL;

  g_return_if_fail (GD_IS_MANAGER (self));
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->iface));
  names = (const char **) g_hash_table_get_keys_as_array (self->profiles, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup (names[i]);
      unexport_profile (self, name);
    }
}

static void
gd_manager_finalize (GObject *object)
{
  GdManager *self = GD_MANAGER (object);

  g_clear_pointer (&self->profiles, g_hash_table_unref);
  g_clear_pointer (&self->leaving, g_hash_table_unref);
  g_clear_object (&self->iface);

  G_OBJECT_CLASS (gd_manager_parent_class)->finalize (object);
}

static void
gd_manager_class_init (GdManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gd_manager_finalize;
}

static void
gd_manager_init (GdManager *self)
{
  self->profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->leaving = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GdManager *
gd_manager_new (GdDaemon  *daemon,
                GError   **error)
{
  g_autoptr(GdManager) self = g_object_new (GD_TYPE_MANAGER, NULL);
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *no_jobs[] = { NULL };

  self->daemon = daemon;
  self->iface = gd_bus_manager_skeleton_new ();
  gd_bus_manager_set_daemon_version (self->iface, PACKAGE_VERSION);
  gd_bus_manager_set_bus_type (self->iface,
                               gd_daemon_get_bus_kind (daemon) == GD_BUS_SYSTEM ? "system" : "session");
  gd_bus_manager_set_jobs (self->iface, no_jobs);
  /* answered from the main loop, never a GDBus worker thread */
  g_dbus_interface_skeleton_set_flags (G_DBUS_INTERFACE_SKELETON (self->iface),
                                       G_DBUS_INTERFACE_SKELETON_FLAGS_NONE);
  g_signal_connect_object (self->iface, "handle-get-profile", G_CALLBACK (handle_get_profile), self, 0);
  g_signal_connect_object (self->iface, "handle-add-profile", G_CALLBACK (handle_add_profile), self, 0);
  g_signal_connect_object (self->iface, "handle-remove-profile", G_CALLBACK (handle_remove_profile), self, 0);
  g_signal_connect_object (self->iface, "handle-reload", G_CALLBACK (handle_reload), self, 0);
  g_signal_connect_object (self->iface, "handle-get-metrics", G_CALLBACK (handle_get_metrics), self, 0);

  /* beside the ObjectManager at the same path, which cannot export an
   * object at its own path */
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->iface),
                                         gd_daemon_get_connection (daemon), GD_DAEMON_PATH,
                                         error))
    return NULL;

  /* a broken configuration file must not keep the daemon (and the fix,
   * Reload) away: start without profiles and say why */
  loaded = load_profiles (self, &local_error);
  if (loaded == NULL)
    {
      gd_log (G_LOG_LEVEL_WARNING, NULL, NULL, NULL,
              "no profiles loaded: %s", local_error->message);
      loaded = g_hash_table_new (g_str_hash, g_str_equal);
    }
  apply_profiles (self, loaded);
  return g_steal_pointer (&self);
}
