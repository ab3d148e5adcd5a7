/* gander-source.c: the set of migrations in a directory or GResource
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-source.h"
#include "gander-migration-private.h"
#include "gander-source-private.h"
#include "gander-validation.h"
#include "gander-validation-private.h"

/**
 * GanderSource:
 *
 * The migrations found in one directory, local or in a #GResource
 * (`resource:///org/example/migrations`), ordered by version.
 *
 * Only the directory listing happens at construction; files are read and
 * parsed when a migration needs them. Sub-directories are not searched, as
 * in goose.
 *
 * Since: 0.1
 */
struct _GanderSource
{
  GObject    parent_instance;

  GFile     *directory;    /* for a local path: made on first use (atomic) */
  char      *path;         /* a local directory, listed without GIO */
  char      *typed;        /* that directory as the caller named it */
  GPtrArray *migrations;   /* GanderMigration, ascending version */

  /* With GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS: what listing found wrong
   * (GanderValidationIssue), and the files left out of @migrations for
   * carrying a version another file has (GanderMigration). */
  GPtrArray *problems;
  GPtrArray *duplicates;
};

G_DEFINE_FINAL_TYPE (GanderSource, gander_source, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_N_MIGRATIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_source_finalize (GObject *object)
{
  GanderSource *self = GANDER_SOURCE (object);

  g_clear_object (&self->directory);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->typed, g_free);
  g_clear_pointer (&self->migrations, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->duplicates, g_ptr_array_unref);

  G_OBJECT_CLASS (gander_source_parent_class)->finalize (object);
}

static void
gander_source_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GanderSource *self = GANDER_SOURCE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_object (value, gander_source_get_directory (self));
      break;
    case PROP_N_MIGRATIONS:
      g_value_set_uint (value, self->migrations->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_source_class_init (GanderSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_source_finalize;
  object_class->get_property = gander_source_get_property;

  /**
   * GanderSource:directory:
   *
   * The directory the migrations were found in.
   *
   * Since: 0.1
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_object ("directory", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderSource:n-migrations:
   *
   * How many migrations were found.
   *
   * Since: 0.1
   */
  properties[PROP_N_MIGRATIONS] =
    g_param_spec_uint ("n-migrations", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_source_init (GanderSource *self)
{
  self->migrations = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func (g_object_unref);
  self->duplicates = g_ptr_array_new_with_free_func (g_object_unref);
}

/* @name in the listed directory as a user would type it: `m/x.sql`, or
 * `x.sql` for the working directory, as goose prints it. */
static char *
entry_path (const char *where,
            const char *name)
{
  if (g_str_equal (where, "."))
    return g_strdup (name);
  return g_build_filename (where, name, NULL);
}

/* A listing problem: kept for gander_source_validate() when collecting,
 * the construction's error otherwise. */
static gboolean
listing_problem (GanderSource        *self,
                 GanderSourceFlags    flags,
                 GanderIssueSeverity  severity,
                 GanderIssueKind      kind,
                 const char          *path,
                 gint64               version,
                 gint                 code,
                 const char          *message,
                 GError             **error)
{
  if (flags & GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS)
    {
      g_ptr_array_add (self->problems,
                       gander_validation_issue_new (severity, kind, path, 0, version,
                                                    FALSE, GANDER_DIRECTION_UP, message));
      return TRUE;
    }
  g_set_error_literal (error, GANDER_ERROR, code, message);
  return FALSE;
}

static char *
display_dir (GFile *directory)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(GFile) cwd_file = g_file_new_for_path (cwd);
  char *relative;

  if (!g_file_is_native (directory))
    return g_file_get_uri (directory);
  if (g_file_equal (directory, cwd_file))
    return g_strdup (".");
  relative = g_file_get_relative_path (cwd_file, directory);
  return relative != NULL ? relative : g_file_get_path (directory);
}

typedef struct {
  gint64           version;
  GanderMigration *migration;
} SortEntry;

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  gint64 va = ((const SortEntry *) a)->version;
  gint64 vb = ((const SortEntry *) b)->version;

  return (va > vb) - (va < vb);
}

/* Ascending versions; the keys are read once rather than twice per
 * comparison through a type-checked getter. */
static void
sort_by_version (GPtrArray *migrations)
{
  g_autoptr(GArray) entries = g_array_sized_new (FALSE, FALSE, sizeof (SortEntry),
                                                 migrations->len);

  for (guint i = 0; i < migrations->len; i++)
    {
      SortEntry entry = { 0, };

      entry.migration = g_ptr_array_index (migrations, i);
      entry.version = gander_migration_get_version (entry.migration);
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_entries);
  for (guint i = 0; i < migrations->len; i++)
    migrations->pdata[i] = g_array_index (entries, SortEntry, i).migration;
}

/**
 * gander_source_new_for_file:
 * @directory: the migrations directory
 * @flags: how to collect files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the `.sql` files of @directory and takes their versions from their
 * names.
 *
 * Errors: %GANDER_ERROR_NOT_FOUND if @directory does not exist or is not a
 * directory; %GANDER_ERROR_INVALID_FILENAME for a `.sql` file without a
 * version under %GANDER_SOURCE_FLAGS_STRICT; %GANDER_ERROR_DUPLICATE_VERSION
 * naming both files; %GANDER_ERROR_NO_MIGRATIONS when nothing was found
 * (unless %GANDER_SOURCE_FLAGS_ALLOW_EMPTY).
 *
 * Returns: (transfer full): a new source, or %NULL
 *
 * Since: 0.1
 */
static gboolean finish_listing (GanderSource       *self,
                                GanderSourceFlags   flags,
                                const char         *where,
                                GError            **error);

/* One directory entry named *.sql that is not a directory. */
static gboolean
add_candidate (GanderSource       *self,
               GanderSourceFlags   flags,
               const char         *where,
               const char         *name,
               const char         *dir_path,
               GFile              *child,
               GError            **error)
{
  g_autoptr(GError) name_error = NULL;
  GanderMigration *migration = NULL;
  gint64 version;

  version = gander_version_from_filename (name, &name_error);
  if (version > 0)
    {
      if (dir_path != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_autofree char *display = entry_path (where, name);

          migration = gander_migration_new_for_path (path, name, version, display);
        }
      else
        migration = gander_migration_new_for_file (child, &name_error);
    }
  if (migration == NULL)
    {
      if (flags & GANDER_SOURCE_FLAGS_STRICT)
        {
          g_autofree char *path = entry_path (where, name);
          g_autofree char *message = NULL;

          /* the wording of goose's validate when collecting, of its
           * other commands otherwise */
          if (flags & GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS)
            message = g_strdup_printf (_("failed to get version from file \"%s\": %s"),
                                       path, name_error->message);
          else
            message = g_strdup_printf ("could not parse SQL migration file \"%s\": %s",
                                       path, name_error->message);
          return listing_problem (self, flags, GANDER_ISSUE_SEVERITY_ERROR,
                                  GANDER_ISSUE_KIND_INVALID_FILENAME, path, 0,
                                  GANDER_ERROR_INVALID_FILENAME, message, error);
        }
      g_debug ("skipping %s: %s", name, name_error->message);
      return TRUE;
    }
  if (g_str_has_suffix (name, ".go"))
    {
      g_autofree char *path = entry_path (where, name);
      g_autofree char *message =
        g_strdup_printf (_("%s: Go migrations are not supported by Gander; skipped"), path);

      g_object_unref (migration);
      return listing_problem (self, flags, GANDER_ISSUE_SEVERITY_WARNING,
                              GANDER_ISSUE_KIND_UNSUPPORTED_GO, path, version,
                              GANDER_ERROR_NOT_SUPPORTED, message, error);
    }
  g_ptr_array_add (self->migrations, migration);
  return TRUE;
}

typedef enum {
  ENTRY_REGULAR,
  ENTRY_DIRECTORY,
  ENTRY_FIFO,
  ENTRY_SOCKET,
  ENTRY_DEVICE,
  ENTRY_SPECIAL,
} EntryKind;

static EntryKind
kind_from_mode (mode_t mode)
{
  if (S_ISREG (mode))
    return ENTRY_REGULAR;
  if (S_ISDIR (mode))
    return ENTRY_DIRECTORY;
  if (S_ISFIFO (mode))
    return ENTRY_FIFO;
  if (S_ISSOCK (mode))
    return ENTRY_SOCKET;
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return ENTRY_DEVICE;
  return ENTRY_SPECIAL;
}

static EntryKind
kind_from_d_type (unsigned char d_type)
{
  switch (d_type)
    {
    case DT_REG:
      return ENTRY_REGULAR;
    case DT_DIR:
      return ENTRY_DIRECTORY;
    case DT_FIFO:
      return ENTRY_FIFO;
    case DT_SOCK:
      return ENTRY_SOCKET;
    case DT_CHR:
    case DT_BLK:
      return ENTRY_DEVICE;
    default:
      return ENTRY_SPECIAL;
    }
}

/* An entry named *.sql that is not a regular file (nor a link to one).
 * goose lists it and then fails to read it, or, for a FIFO, waits in
 * open() for a writer that never comes; Gander names it at once. One
 * whose name carries no version is skipped, like any such name. */
static gboolean
add_not_regular (GanderSource       *self,
                 GanderSourceFlags   flags,
                 const char         *where,
                 const char         *name,
                 EntryKind           kind,
                 GError            **error)
{
  g_autofree char *path = entry_path (where, name);
  g_autofree char *message = NULL;
  const char *what;
  gint64 version;

  version = gander_version_from_filename (name, NULL);
  if (version < 0)
    {
      g_debug ("skipping %s: not a regular file", path);
      return TRUE;
    }

  switch (kind)
    {
    case ENTRY_DIRECTORY:
      what = _("a directory");
      break;
    case ENTRY_FIFO:
      what = _("a FIFO (named pipe)");
      break;
    case ENTRY_SOCKET:
      what = _("a socket");
      break;
    case ENTRY_DEVICE:
      what = _("a device");
      break;
    case ENTRY_REGULAR:
    case ENTRY_SPECIAL:
    default:
      what = _("not a regular file");
      break;
    }
  message = g_strdup_printf (_("%s is named like a migration but is %s: remove it, "
                               "or rename it so that its name does not end in .sql"),
                             path, what);
  return listing_problem (self, flags, GANDER_ISSUE_SEVERITY_ERROR,
                          GANDER_ISSUE_KIND_NOT_REGULAR_FILE, path, version,
                          GANDER_ERROR_INVALID_FILENAME, message, error);
}

/* An entry named like a migration that is a symbolic link to nothing.
 * goose lists it (status shows it pending) and fails only when it reads
 * it; Gander names it at once, so that status and validate agree. */
static gboolean
add_dangling_link (GanderSource       *self,
                   GanderSourceFlags   flags,
                   const char         *where,
                   const char         *name,
                   int                 dir_fd,
                   GError            **error)
{
  g_autofree char *path = entry_path (where, name);
  g_autofree char *message = NULL;
  char target[4096];
  ssize_t len;
  gint64 version;

  version = gander_version_from_filename (name, NULL);
  if (version < 0)
    {
      g_debug ("skipping %s: a dangling symbolic link", path);
      return TRUE;
    }

  len = readlinkat (dir_fd, name, target, sizeof target - 1);
  if (len < 0)
    len = 0;
  target[len] = '\0';
  message = g_strdup_printf (_("%s is named like a migration but is a symbolic "
                               "link to a missing file (%s): remove it, or fix "
                               "the link"),
                             path, target);
  return listing_problem (self, flags, GANDER_ISSUE_SEVERITY_ERROR,
                          GANDER_ISSUE_KIND_NOT_REGULAR_FILE, path, version,
                          GANDER_ERROR_INVALID_FILENAME, message, error);
}

/* `.sql` files; `.go` ones too when collecting problems, to say that they
 * are not run (as goose's validate looks at both). */
static gboolean
wanted_name (const char        *name,
             GanderSourceFlags  flags)
{
  if (g_str_has_suffix (name, ".sql"))
    return TRUE;
  return (flags & GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS) && g_str_has_suffix (name, ".go");
}

/* A local directory, listed with readdir(): GFileEnumerator makes a
 * GFileInfo and a GFile for every entry, which is most of the cost of
 * listing a thousand migrations. */
static gboolean
list_local (GanderSource       *self,
            const char         *dir_path,
            GanderSourceFlags   flags,
            const char         *where,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  DIR *dir;
  struct dirent *entry;
  int saved_errno;

  dir = opendir (dir_path);
  if (dir == NULL)
    {
      saved_errno = errno;
      /* goose names the directory exactly as -dir gave it */
      if (saved_errno == ENOENT)
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                     "%s directory does not exist",
                     self->typed != NULL ? self->typed : where);
      else if (saved_errno == ENOTDIR)
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                     "%s is not a directory",
                     self->typed != NULL ? self->typed : where);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                     "%s: cannot list migrations: %s", where, g_strerror (saved_errno));
      return FALSE;
    }

  for (;;)
    {
      EntryKind kind;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          closedir (dir);
          gander_set_cancelled_error (error, "%s: cannot list migrations: %s",
                                      where, local_error->message);
          return FALSE;
        }
      errno = 0;
      entry = readdir (dir);
      if (entry == NULL)
        break;
      if (!wanted_name (entry->d_name, flags))
        continue;

      /* A link counts as what it points to, as in goose (os.Stat). A
       * dangling link is named here; a link that cannot be followed for
       * another reason stays a candidate: reading it names the problem. */
      kind = ENTRY_REGULAR;
      if (entry->d_type == DT_UNKNOWN || entry->d_type == DT_LNK)
        {
          struct stat st;

          if (fstatat (dirfd (dir), entry->d_name, &st, 0) == 0)
            kind = kind_from_mode (st.st_mode);
          else if (errno == ENOENT &&
                   fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   S_ISLNK (st.st_mode))
            {
              if (!add_dangling_link (self, flags, where, entry->d_name, dirfd (dir), error))
                {
                  closedir (dir);
                  return FALSE;
                }
              continue;
            }
        }
      else if (entry->d_type != DT_REG)
        kind = kind_from_d_type (entry->d_type);
      if (kind != ENTRY_REGULAR)
        {
          if (!add_not_regular (self, flags, where, entry->d_name, kind, error))
            {
              closedir (dir);
              return FALSE;
            }
          continue;
        }

      if (!add_candidate (self, flags, where, entry->d_name, dir_path, NULL, error))
        {
          closedir (dir);
          return FALSE;
        }
    }
  saved_errno = errno;
  closedir (dir);
  if (saved_errno != 0)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   "%s: cannot list migrations: %s", where, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Anything else GIO can list: a GResource, a GVfs location. */
static gboolean
list_with_gio (GanderSource       *self,
               GFile              *directory,
               GanderSourceFlags   flags,
               const char         *where,
               GCancellable       *cancellable,
               GError            **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) local_error = NULL;

  enumerator = g_file_enumerate_children (directory,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NONE,
                                          cancellable, &local_error);
  if (enumerator == NULL)
    {
      if (gander_error_is_cancelled (local_error))
        gander_set_cancelled_error (error, "%s: cannot list migrations: %s",
                                    where, local_error->message);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                     "%s directory does not exist", where);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_FOUND,
                     "%s is not a directory", where);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                     "%s: cannot list migrations: %s", where, local_error->message);
      return FALSE;
    }

  for (;;)
    {
      GFileInfo *info;
      GFile *child;
      const char *name;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, &local_error))
        {
          if (gander_error_is_cancelled (local_error))
            gander_set_cancelled_error (error, "%s: cannot list migrations: %s",
                                        where, local_error->message);
          else
            g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       "%s: cannot list migrations: %s", where, local_error->message);
          return FALSE;
        }
      if (info == NULL)
        break;

      name = g_file_info_get_name (info);
      if (!wanted_name (name, flags))
        continue;
      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          if (!add_not_regular (self, flags, where, name, ENTRY_DIRECTORY, error))
            return FALSE;
          continue;
        case G_FILE_TYPE_SPECIAL:
          if (!add_not_regular (self, flags, where, name, ENTRY_SPECIAL, error))
            return FALSE;
          continue;
        case G_FILE_TYPE_UNKNOWN:
        case G_FILE_TYPE_REGULAR:
        case G_FILE_TYPE_SYMBOLIC_LINK:
        case G_FILE_TYPE_SHORTCUT:
        case G_FILE_TYPE_MOUNTABLE:
        default:
          break;
        }

      if (!add_candidate (self, flags, where, name, NULL, child, error))
        return FALSE;
    }
  return TRUE;
}

/* Every file whose version an earlier file (by path) has already is
 * moved to self->duplicates, with a problem naming both. */
static void
collect_duplicates (GanderSource *self)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  guint i = 0;

  while (i < self->migrations->len)
    {
      gint64 version = gander_migration_get_version (g_ptr_array_index (self->migrations, i));
      guint end = i + 1;
      g_autofree char *first_path = NULL;
      guint first = i;

      while (end < self->migrations->len &&
             gander_migration_get_version (g_ptr_array_index (self->migrations, end)) == version)
        end++;

      /* the first by path stays, as goose's validate sees them in order */
      for (guint k = i; k < end; k++)
        {
          g_autofree char *pk = gander_migration_dup_display_path (g_ptr_array_index (self->migrations, k));

          if (first_path == NULL || g_strcmp0 (pk, first_path) < 0)
            {
              g_free (first_path);
              first_path = g_steal_pointer (&pk);
              first = k;
            }
        }
      for (guint k = i; k < end; k++)
        {
          GanderMigration *m = g_ptr_array_index (self->migrations, k);

          if (k == first)
            g_ptr_array_add (kept, g_object_ref (m));
          else
            {
              g_autofree char *path = gander_migration_dup_display_path (m);
              g_autofree char *message =
                g_strdup_printf (_("duplicate version %lld: %s and %s"),
                                 (long long) version, first_path, path);

              g_ptr_array_add (self->duplicates, g_object_ref (m));
              g_ptr_array_add (self->problems,
                               gander_validation_issue_new (GANDER_ISSUE_SEVERITY_ERROR,
                                                            GANDER_ISSUE_KIND_DUPLICATE_VERSION,
                                                            path, 0, version, FALSE,
                                                            GANDER_DIRECTION_UP, message));
            }
        }
      i = end;
    }
  g_ptr_array_unref (self->migrations);
  self->migrations = g_steal_pointer (&kept);
}

GanderSource *
gander_source_new_for_file (GFile              *directory,
                            GanderSourceFlags   flags,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GanderSource) self = NULL;
  g_autofree char *where = NULL;
  const char *dir_path;
  gboolean ok;

  g_return_val_if_fail (G_IS_FILE (directory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  where = display_dir (directory);
  self = g_object_new (GANDER_TYPE_SOURCE, NULL);
  self->directory = g_object_ref (directory);

  /* a GVfs location may have a FUSE path; it is still GIO's to list */
  dir_path = g_file_is_native (directory) ? g_file_peek_path (directory) : NULL;
  if (dir_path != NULL)
    ok = list_local (self, dir_path, flags, where, cancellable, error);
  else
    ok = list_with_gio (self, directory, flags, where, cancellable, error);
  if (!ok || !finish_listing (self, flags, where, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Sorted, no duplicate versions, not empty unless allowed. */
static gboolean
finish_listing (GanderSource       *self,
                GanderSourceFlags   flags,
                const char         *where,
                GError            **error)
{
  sort_by_version (self->migrations);

  if (flags & GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS)
    collect_duplicates (self);
  else
    {
      for (guint i = 1; i < self->migrations->len; i++)
        {
          GanderMigration *a = g_ptr_array_index (self->migrations, i - 1);
          GanderMigration *b = g_ptr_array_index (self->migrations, i);

          if (gander_migration_get_version (a) == gander_migration_get_version (b))
            {
              g_autofree char *pa = gander_migration_dup_display_path (a);
              g_autofree char *pb = gander_migration_dup_display_path (b);
              /* Directory order is arbitrary: name the files in a stable order. */
              gboolean swap = g_strcmp0 (pa, pb) > 0;

              g_set_error (error, GANDER_ERROR, GANDER_ERROR_DUPLICATE_VERSION,
                           "found duplicate migration version %" G_GINT64_FORMAT
                           ":\n\texisting: %s\n\tcurrent: %s",
                           gander_migration_get_version (a),
                           swap ? pb : pa, swap ? pa : pb);
              return FALSE;
            }
        }
    }

  if (self->migrations->len == 0 && !(flags & GANDER_SOURCE_FLAGS_ALLOW_EMPTY))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NO_MIGRATIONS,
                   "no migration files found in %s", where);
      return FALSE;
    }
  return TRUE;
}

/**
 * gander_source_new_for_path:
 * @path: (type filename): a local directory, absolute or relative to the
 *   working directory
 * @flags: how to collect files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like gander_source_new_for_file() for a local directory, but listed and
 * read without GIO's virtual file system, which a short-lived program
 * would otherwise initialise (0.6 to 1.3 MiB of resident memory) just to
 * name a directory. #GanderSource:directory is made when first asked for.
 *
 * Returns: (transfer full): a new source, or %NULL
 *
 * Since: 0.2
 */
GanderSource *
gander_source_new_for_path (const char         *path,
                            GanderSourceFlags   flags,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GanderSource) self = NULL;
  g_autofree char *where = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* the same canonical path as g_file_new_for_path() makes */
  self = g_object_new (GANDER_TYPE_SOURCE, NULL);
  self->path = g_canonicalize_filename (path, NULL);
  self->typed = g_strdup (path);
  /* messages name the directory as the user typed it (Go-cleaned, as
   * goose's filepath.Join does), not its canonical form */
  where = gander_path_clean_typed (path);

  if (!list_local (self, self->path, flags, where, cancellable, error) ||
      !finish_listing (self, flags, where, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * gander_source_new_for_uri:
 * @uri_or_path: a local path, or a URI such as `resource:///org/x/migrations`
 * @flags: how to collect files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like gander_source_new_for_file() for a path or URI string.
 *
 * Returns: (transfer full): a new source, or %NULL
 *
 * Since: 0.1
 */
GanderSource *
gander_source_new_for_uri (const char         *uri_or_path,
                           GanderSourceFlags   flags,
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_autoptr(GFile) directory = NULL;

  g_return_val_if_fail (uri_or_path != NULL, NULL);

  if (!g_str_has_prefix (uri_or_path, "resource:") && strstr (uri_or_path, "://") == NULL)
    return gander_source_new_for_path (uri_or_path, flags, cancellable, error);

  directory = g_file_new_for_uri (uri_or_path);
  return gander_source_new_for_file (directory, flags, cancellable, error);
}

/**
 * gander_source_get_directory:
 * @self: a #GanderSource
 *
 * Gets the directory.
 *
 * Returns: (transfer none): the directory
 *
 * Since: 0.1
 */
GFile *
gander_source_get_directory (GanderSource *self)
{
  GFile *directory;

  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);

  directory = g_atomic_pointer_get (&self->directory);
  if (directory == NULL && self->path != NULL)
    {
      g_autoptr(GFile) made = g_file_new_for_path (self->path);

      /* another thread may have been first: keep its object */
      if (g_atomic_pointer_compare_and_exchange (&self->directory, NULL, made))
        g_steal_pointer (&made);
      directory = g_atomic_pointer_get (&self->directory);
    }
  return directory;
}

/**
 * gander_source_get_n_migrations:
 * @self: a #GanderSource
 *
 * Gets the number of migrations.
 *
 * Returns: the number of migrations
 *
 * Since: 0.1
 */
guint
gander_source_get_n_migrations (GanderSource *self)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), 0);

  return self->migrations->len;
}

/**
 * gander_source_get_migration:
 * @self: a #GanderSource
 * @index: a position, below gander_source_get_n_migrations()
 *
 * Gets the migration at @index in ascending version order.
 *
 * Returns: (transfer none): the migration at @index in ascending version
 *   order
 *
 * Since: 0.1
 */
GanderMigration *
gander_source_get_migration (GanderSource *self,
                             guint         index)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);
  g_return_val_if_fail (index < self->migrations->len, NULL);

  return g_ptr_array_index (self->migrations, index);
}

/**
 * gander_source_get_migrations:
 * @self: a #GanderSource
 *
 * Gets the migrations in ascending version order.
 *
 * Returns: (transfer container) (element-type GanderMigration): the
 *   migrations in ascending version order
 *
 * Since: 0.1
 */
GPtrArray *
gander_source_get_migrations (GanderSource *self)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);

  return g_ptr_array_copy (self->migrations, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

/**
 * gander_source_lookup:
 * @self: a #GanderSource
 * @version: a version
 *
 * Gets the migration with @version, or %NULL.
 *
 * Returns: (transfer none) (nullable): the migration with @version, or %NULL
 *
 * Since: 0.1
 */
GanderMigration *
gander_source_lookup (GanderSource *self,
                      gint64        version)
{
  guint lo = 0, hi;

  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);

  hi = self->migrations->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      GanderMigration *m = g_ptr_array_index (self->migrations, mid);
      gint64 v = gander_migration_get_version (m);

      if (v == version)
        return m;
      if (v < version)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

/**
 * gander_source_get_max_version:
 * @self: a #GanderSource
 *
 * Gets the highest version, or 0 when there are no migrations.
 *
 * Returns: the highest version, or 0 when there are no migrations
 *
 * Since: 0.1
 */
gint64
gander_source_get_max_version (GanderSource *self)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), 0);

  if (self->migrations->len == 0)
    return 0;
  return gander_migration_get_version (g_ptr_array_index (self->migrations,
                                                          self->migrations->len - 1));
}

/* Listing problems kept under GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS. */
GPtrArray *
gander_source_get_problems (GanderSource *self)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);

  return self->problems;
}

/* Files left out for a duplicate version (COLLECT_PROBLEMS only). */
GPtrArray *
gander_source_get_duplicates (GanderSource *self)
{
  g_return_val_if_fail (GANDER_IS_SOURCE (self), NULL);

  return self->duplicates;
}
