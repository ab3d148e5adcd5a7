/* gander-config.c: Gander's configuration files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "gander-config.h"
#include "gander-error.h"
#include "gander-profile-private.h"

/**
 * GanderConfig:
 *
 * The configuration files, read in order (a later file overrides an
 * earlier one), and the profiles they define.
 *
 * gander_config_load_standard() reads `$SYSCONFDIR/gander/gander.conf`,
 * then the `.conf` files of `$SYSCONFDIR/gander/conf.d/` in name order,
 * then `$XDG_CONFIG_HOME/gander/gander.conf`; gander_config_load_file() adds a
 * file the user named (`--config`, `GANDER_CONFIG`). The files are
 * #GKeyFile files with three kinds of groups:
 *
 * |[<!-- language="plain" -->
 * [gander]
 * default-environment=development
 * audit-log=/var/log/gander/audit.jsonl
 *
 * [profile alerts]
 * driver=postgres
 * dbstring=host=/run/postgresql dbname=alerts user=alerts
 * dir=/usr/share/alerts/migrations
 * environment=production
 *
 * [environment production]
 * lock-timeout=5s
 * ]|
 *
 * gander_config_resolve() turns them into the #GanderProfile of one
 * database. Every problem (a malformed line, an unknown group or key, a bad
 * value, a password in `dbstring`) is a %GANDER_ERROR_CONFIG that names the
 * file and the line.
 *
 * Since: 0.2
 */

typedef enum {
  GROUP_GLOBAL,
  GROUP_ENVIRONMENT,
  GROUP_PROFILE,
} GroupKind;

typedef struct {
  char  *key;
  char  *value;
  char  *origin;    /* "FILE:LINE [GROUP]" */
} Entry;

typedef struct {
  GroupKind  kind;
  char      *name;      /* NULL for [gander] */
  char      *origin;    /* "FILE:LINE [GROUP]" of the header */
  GPtrArray *entries;   /* Entry */
} Group;

struct _GanderConfig
{
  GObject    parent_instance;

  GPtrArray *files;     /* char *, NULL-terminated */
  GPtrArray *groups;    /* Group, in file order */
};

G_DEFINE_FINAL_TYPE (GanderConfig, gander_config, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->key);
  g_free (entry->value);
  g_free (entry->origin);
  g_free (entry);
}

static void
group_free (gpointer data)
{
  Group *group = data;

  g_free (group->name);
  g_free (group->origin);
  g_ptr_array_unref (group->entries);
  g_free (group);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Group, group_free)

static void
gander_config_finalize (GObject *object)
{
  GanderConfig *self = GANDER_CONFIG (object);

  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (gander_config_parent_class)->finalize (object);
}

static void
gander_config_class_init (GanderConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_config_finalize;
}

static void
gander_config_init (GanderConfig *self)
{
  self->files = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->groups = g_ptr_array_new_with_free_func (group_free);
}

/**
 * gander_config_new:
 *
 * Creates a configuration with no file read: its profiles hold Gander's
 * built-in defaults.
 *
 * Returns: (transfer full): a new #GanderConfig
 *
 * Since: 0.2
 */
GanderConfig *
gander_config_new (void)
{
  return g_object_new (GANDER_TYPE_CONFIG, NULL);
}

/* --- reading a file --- */

/* Where each group header and key is in the text: GKeyFile keeps no line
 * numbers. Also catches the lines GKeyFile would refuse, with their
 * number. Keys: "GROUP\037KEY" -> line (the last one, as GKeyFile keeps
 * the last value); groups: "GROUP" -> line of the first header. */
static gboolean
scan_lines (const char  *path,
            const char  *text,
            GHashTable  *lines,
            GError     **error)
{
  g_auto(GStrv) rows = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; rows[i] != NULL; i++)
    {
      guint line = i + 1;
      char *row = g_strstrip (rows[i]);
      const char *eq;

      if (row[0] == '\0' || row[0] == '#')
        continue;
      if (row[0] == '[')
        {
          gsize len = strlen (row);

          if (row[len - 1] != ']' || len < 3)
            {
              g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                           _("%s:%u: “%s” is not a group header: write "
                             "[gander], [profile NAME] or [environment NAME]"),
                           path, line, row);
              return FALSE;
            }
          g_free (group);
          group = g_strndup (row + 1, len - 2);
          if (!g_hash_table_contains (lines, group))
            g_hash_table_insert (lines, g_strdup (group), GUINT_TO_POINTER (line));
          continue;
        }
      eq = strchr (row, '=');
      if (eq == NULL)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                       _("%s:%u: “%s” is neither a [group] header nor a "
                         "key=value line (comments start with #)"),
                       path, line, row);
          return FALSE;
        }
      if (group == NULL)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                       _("%s:%u: a key before the first group: put it in a "
                         "group such as [gander] or [profile NAME]"),
                       path, line);
          return FALSE;
        }
      {
        g_autofree char *key = g_strstrip (g_strndup (row, eq - row));

        g_hash_table_insert (lines, g_strdup_printf ("%s\037%s", group, key),
                             GUINT_TO_POINTER (line));
      }
    }
  return TRUE;
}

static guint
line_of (GHashTable *lines,
         const char *group,
         const char *key)
{
  g_autofree char *id = key != NULL ? g_strdup_printf ("%s\037%s", group, key)
                                    : g_strdup (group);

  return GPOINTER_TO_UINT (g_hash_table_lookup (lines, id));
}

static char *
make_origin (const char *path,
             guint       line,
             const char *group)
{
  if (line == 0)
    return g_strdup_printf ("%s [%s]", path, group);
  return g_strdup_printf ("%s:%u [%s]", path, line, group);
}

/* "[profile alerts]" -> PROFILE, "alerts"; FALSE for an unknown kind. */
static gboolean
classify_group (const char  *group,
                const char  *origin,
                GroupKind   *kind,
                char       **name,
                GError     **error)
{
  static const char * const kinds[] = { "gander", "profile", "environment", NULL };
  const char *space = strchr (group, ' ');
  g_autofree char *word = space != NULL ? g_strndup (group, space - group) : g_strdup (group);
  g_autofree char *rest = space != NULL ? g_strstrip (g_strdup (space + 1)) : NULL;

  if (g_str_equal (word, "gander") && rest == NULL)
    {
      *kind = GROUP_GLOBAL;
      *name = NULL;
      return TRUE;
    }
  if (g_str_equal (word, "profile") || g_str_equal (word, "environment"))
    {
      if (rest == NULL || rest[0] == '\0' || strchr (rest, ' ') != NULL)
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                       _("%s: a [%s] group needs one name without spaces, "
                         "such as [%s %s]"),
                       origin, word, word,
                       g_str_equal (word, "profile") ? "alerts" : "production");
          return FALSE;
        }
      *kind = g_str_equal (word, "profile") ? GROUP_PROFILE : GROUP_ENVIRONMENT;
      *name = g_steal_pointer (&rest);
      return TRUE;
    }

  {
    const char *near = gander_nearest_word (word, kinds);

    if (near != NULL && !g_str_equal (near, word))
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("%s: unknown group kind “%s”; did you mean “%s”? "
                     "(groups are [gander], [profile NAME] and "
                     "[environment NAME])"),
                   origin, word, near);
    else
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("%s: unknown group [%s] (groups are [gander], "
                     "[profile NAME] and [environment NAME])"),
                   origin, group);
  }
  return FALSE;
}

static GanderLayer
layer_of (GroupKind kind)
{
  switch (kind)
    {
    case GROUP_GLOBAL:
      return GANDER_LAYER_GLOBAL;
    case GROUP_ENVIRONMENT:
      return GANDER_LAYER_ENVIRONMENT;
    case GROUP_PROFILE:
    default:
      return GANDER_LAYER_PROFILE;
    }
}

static gboolean
password_key_error (const char  *origin,
                    const char  *key,
                    GError     **error)
{
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
               _("%s: “%s”: passwords never go in the configuration: put "
                 "it in ~/.pgpass (or the file PGPASSFILE names), or in the "
                 "daemon's credential store"),
               origin, key);
  return FALSE;
}

/* Reads one group into a Group, checking every key and value. */
static Group *
read_group (GKeyFile    *keyfile,
            const char  *path,
            const char  *group_name,
            GHashTable  *lines,
            GError     **error)
{
  g_autoptr(Group) group = g_new0 (Group, 1);
  g_auto(GStrv) keys = NULL;
  g_autoptr(GError) local_error = NULL;

  group->entries = g_ptr_array_new_with_free_func (entry_free);
  group->origin = make_origin (path, line_of (lines, group_name, NULL), group_name);
  if (!classify_group (group_name, group->origin, &group->kind, &group->name, error))
    return NULL;

  keys = g_key_file_get_keys (keyfile, group_name, NULL, &local_error);
  if (keys == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   "%s: %s", group->origin, local_error->message);
      return NULL;
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *origin = make_origin (path, line_of (lines, group_name, keys[i]), group_name);
      g_autofree char *value = NULL;
      const char *key = keys[i];
      Entry *entry;

      /* an invalid escape sets the error and still returns a value */
      value = g_key_file_get_string (keyfile, group_name, key, &local_error);
      if (local_error != NULL)
        {
          if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE))
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("%s: %s (in a value, a backslash starts an escape "
                           "such as \\n: write \\\\ for one backslash)"),
                         origin, local_error->message);
          else
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         "%s: %s", origin, local_error->message);
          return NULL;
        }
      if (group->kind == GROUP_GLOBAL && g_str_equal (key, "default-environment"))
        key = "environment";
      else if (group->kind == GROUP_GLOBAL && g_str_equal (key, "environment"))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                       _("%s: in [gander] the key is “default-environment”"),
                       origin);
          return NULL;
        }
      if (g_str_equal (key, "password") || g_str_equal (key, "passwd") ||
          g_str_equal (key, "pgpassword"))
        {
          password_key_error (origin, key, error);
          return NULL;
        }
      if (!gander_profile_check_value (key, value, layer_of (group->kind), origin, error))
        return NULL;

      entry = g_new0 (Entry, 1);
      entry->key = g_strdup (key);
      entry->value = g_steal_pointer (&value);
      entry->origin = g_steal_pointer (&origin);
      g_ptr_array_add (group->entries, entry);
    }
  return g_steal_pointer (&group);
}

/* Reads PATH; a missing file is FALSE with G_FILE_ERROR_NOENT when
 * MAY_BE_ABSENT, so that the caller can skip it. */
static gboolean
load_one (GanderConfig  *self,
          const char    *path,
          gboolean       may_be_absent,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) names = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, &local_error))
    {
      /* a parent that is not a directory (XDG_CONFIG_HOME=/dev/null, as
       * GLib's isolated tests set it) holds no file either */
      if (may_be_absent &&
          (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
           g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     _("configuration file %s does not exist"), path);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     _("cannot read configuration file: %s"), local_error->message);
      return FALSE;
    }
  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("%s: not UTF-8 text"), path);
      return FALSE;
    }

  if (!scan_lines (path, text, lines, error))
    return FALSE;
  if (!g_key_file_load_from_data (keyfile, text, length, G_KEY_FILE_KEEP_TRANSLATIONS, &local_error))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  names = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      Group *group = read_group (keyfile, path, names[i], lines, error);

      if (group == NULL)
        return FALSE;
      g_ptr_array_add (groups, group);
    }

  /* all or nothing: a file with an error adds no group */
  g_ptr_array_extend_and_steal (self->groups, g_steal_pointer (&groups));
  g_ptr_array_add (self->files, g_strdup (path));
  return TRUE;
}

/**
 * gander_config_load_file:
 * @self: a #GanderConfig
 * @path: (type filename): a configuration file
 * @error: return location for a #GError
 *
 * Reads @path (the file of `--config` or `GANDER_CONFIG`), whose groups
 * override those of the files read before. The file must exist.
 *
 * Returns: %TRUE if the file was read; on %FALSE nothing of it is kept
 *
 * Since: 0.2
 */
gboolean
gander_config_load_file (GanderConfig  *self,
                         const char    *path,
                         GError       **error)
{
  g_return_val_if_fail (GANDER_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return load_one (self, path, FALSE, error);
}

static gboolean
load_if_present (GanderConfig  *self,
                 const char    *path,
                 GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (load_one (self, path, TRUE, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
      g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * gander_config_load_standard:
 * @self: a #GanderConfig
 * @error: return location for a #GError
 *
 * Reads the system's and the user's configuration, each file overriding
 * the ones before it: `$SYSCONFDIR/gander/gander.conf`, the `*.conf` files
 * of `$SYSCONFDIR/gander/conf.d/` sorted by name, and
 * `$XDG_CONFIG_HOME/gander/gander.conf`. `SYSCONFDIR` is the one Gander
 * was built for (usually `/etc`) unless `$GANDER_SYSCONFDIR` names
 * another. A file that does not exist is skipped; one that cannot be read
 * or is malformed is an error.
 *
 * Returns: %TRUE if every file present was read
 *
 * Since: 0.2
 */
gboolean
gander_config_load_standard (GanderConfig  *self,
                             GError       **error)
{
  const char *sysconfdir, *xdg;
  g_autofree char *main_file = NULL;
  g_autofree char *conf_d = NULL;
  g_autofree char *user_file = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GANDER_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sysconfdir = g_getenv ("GANDER_SYSCONFDIR");
  if (sysconfdir == NULL || sysconfdir[0] == '\0')
    sysconfdir = GANDER_SYSCONFDIR;

  main_file = g_build_filename (sysconfdir, "gander", "gander.conf", NULL);
  if (!load_if_present (self, main_file, error))
    return FALSE;

  conf_d = g_build_filename (sysconfdir, "gander", "conf.d", NULL);
  dir = g_dir_open (conf_d, 0, &local_error);
  if (dir != NULL)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.' && g_str_has_suffix (name, ".conf"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (conf_d, g_ptr_array_index (names, i), NULL);

          if (!load_if_present (self, path, error))
            return FALSE;
        }
    }
  else if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) &&
           !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("cannot read the configuration directory: %s"),
                   local_error->message);
      return FALSE;
    }

  /* the variable, not GLib's cached answer, so that it can change */
  xdg = g_getenv ("XDG_CONFIG_HOME");
  if (xdg == NULL || !g_path_is_absolute (xdg))
    xdg = g_get_user_config_dir ();
  user_file = g_build_filename (xdg, "gander", "gander.conf", NULL);
  return load_if_present (self, user_file, error);
}

/**
 * gander_config_get_files:
 * @self: a #GanderConfig
 *
 * Returns: (transfer none) (array zero-terminated=1) (type filename): the
 *   files read, in the order they were read
 *
 * Since: 0.2
 */
const char * const *
gander_config_get_files (GanderConfig *self)
{
  g_return_val_if_fail (GANDER_IS_CONFIG (self), NULL);

  return (const char * const *) self->files->pdata;
}

static char **
list_names (GanderConfig *self,
            GroupKind     kind)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);
      gboolean seen = FALSE;

      if (group->kind != kind)
        continue;
      for (guint j = 0; j < names->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (names, j), group->name);
      if (!seen)
        g_ptr_array_add (names, group->name);
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strdupv ((char **) names->pdata);
}

/**
 * gander_config_list_profiles:
 * @self: a #GanderConfig
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the
 *   `[profile NAME]` groups, sorted
 *
 * Since: 0.2
 */
char **
gander_config_list_profiles (GanderConfig *self)
{
  g_return_val_if_fail (GANDER_IS_CONFIG (self), NULL);

  return list_names (self, GROUP_PROFILE);
}

/**
 * gander_config_list_environments:
 * @self: a #GanderConfig
 *
 * Returns: (transfer full) (array zero-terminated=1): the built-in
 *   environments (`development`, `staging`, `production`), then the others
 *   the files define, sorted
 *
 * Since: 0.2
 */
char **
gander_config_list_environments (GanderConfig *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char * const *builtin = gander_profile_builtin_environments ();
  g_auto(GStrv) defined = NULL;

  g_return_val_if_fail (GANDER_IS_CONFIG (self), NULL);

  g_strv_builder_addv (builder, (const char **) builtin);
  defined = list_names (self, GROUP_ENVIRONMENT);
  for (guint i = 0; defined[i] != NULL; i++)
    if (!g_strv_contains (builtin, defined[i]))
      g_strv_builder_add (builder, defined[i]);
  return g_strv_builder_end (builder);
}

static gboolean
apply_groups (GanderConfig   *self,
              GanderProfile  *profile,
              GroupKind       kind,
              const char     *name,
              GError        **error)
{
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (group->kind != kind || g_strcmp0 (group->name, name) != 0)
        continue;
      for (guint j = 0; j < group->entries->len; j++)
        {
          Entry *entry = g_ptr_array_index (group->entries, j);

          if (!gander_profile_set_at_layer (profile, layer_of (kind), entry->key,
                                            entry->value, entry->origin, error))
            return FALSE;
        }
    }
  return TRUE;
}

/**
 * gander_config_resolve:
 * @self: a #GanderConfig
 * @profile_name: (nullable): a `[profile NAME]` of the files, or %NULL for
 *   an ad-hoc profile (a driver and dbstring given directly)
 * @environment: (nullable): the environment to use, or %NULL for the
 *   profile's `environment`, else `default-environment` of `[gander]`,
 *   else `development`
 * @error: return location for a #GError
 *
 * Builds the settings of one database from the files: built-in defaults,
 * the `[gander]` groups, the environment (Gander's built-in defaults for
 * it, then the files' `[environment NAME]` groups), then the
 * `[profile NAME]` groups. Environment variables and flags come on top:
 * call gander_profile_apply_environ() and gander_profile_set() on the
 * result. An @environment given here is set like a flag (origin
 * `gander_config_resolve()`); a caller that has its own origin for it
 * (`--environment`) passes %NULL and calls gander_profile_set().
 *
 * Returns: (transfer full): the profile, or %NULL with %GANDER_ERROR_CONFIG
 *   if @profile_name or an environment is unknown (the message suggests
 *   the nearest name) or a value does not apply
 *
 * Since: 0.2
 */
GanderProfile *
gander_config_resolve (GanderConfig  *self,
                       const char    *profile_name,
                       const char    *environment,
                       GError       **error)
{
  g_autoptr(GanderProfile) profile = NULL;

  g_return_val_if_fail (GANDER_IS_CONFIG (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (profile_name != NULL)
    {
      g_auto(GStrv) names = gander_config_list_profiles (self);

      if (!g_strv_contains ((const char * const *) names, profile_name))
        {
          const char *near = gander_nearest_word (profile_name, (const char * const *) names);
          g_autofree char *known = g_strjoinv (", ", names);

          if (near != NULL)
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("unknown profile “%s”; did you mean “%s”?"),
                         profile_name, near);
          else if (names[0] != NULL)
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("unknown profile “%s” (the configuration defines: %s)"),
                         profile_name, known);
          else if (self->files->len > 0)
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("unknown profile “%s”: the configuration files "
                           "read define no [profile NAME] group"),
                         profile_name);
          else
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                         _("unknown profile “%s”: no configuration file was "
                           "found (define it in a [profile %s] group of "
                           "gander.conf)"),
                         profile_name, profile_name);
          return NULL;
        }
    }

  profile = gander_profile_new (profile_name);

  /* every environment first, so that any layer may name one */
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (group->kind != GROUP_ENVIRONMENT)
        continue;
      gander_profile_add_environment_name (profile, group->name);
      for (guint j = 0; j < group->entries->len; j++)
        {
          Entry *entry = g_ptr_array_index (group->entries, j);

          if (!gander_profile_add_environment_value (profile, group->name, entry->key,
                                                     entry->value, entry->origin, error))
            return NULL;
        }
    }

  if (!apply_groups (self, profile, GROUP_GLOBAL, NULL, error))
    return NULL;
  if (profile_name != NULL &&
      !apply_groups (self, profile, GROUP_PROFILE, profile_name, error))
    return NULL;
  if (environment != NULL &&
      !gander_profile_set (profile, "environment", environment,
                           "gander_config_resolve()", error))
    return NULL;

  return g_steal_pointer (&profile);
}
