/* gander-migration.c: one goose SQL migration file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gander-error.h"
#include "gander-error-private.h"
#include "gander-migration.h"
#include "gander-migration-private.h"
#include "gander-sha256-private.h"
#include "gander-sql-parser-private.h"

/**
 * GanderMigration:
 *
 * One goose SQL migration: a version taken from the file name, the file's
 * contents (read on first use), their SHA-256 checksum and the parsed Up
 * and Down sections (parsed on first use, then kept).
 *
 * Once the checksum is known, a file's contents are only a cache: they are
 * let go, and read again (and checked against the checksum) if they are
 * asked for later. `status` hashes every file and needs nothing else, so a
 * directory of a thousand migrations does not stay in memory.
 *
 * A migration may be shared between threads: the lazily filled fields are
 * protected by a lock.
 *
 * Since: 0.1
 */
struct _GanderMigration
{
  GObject          parent_instance;

  gint64           version;
  char            *name;
  char            *path;      /* a local file, read without GIO */
  char            *display;   /* the path as the user typed its directory */
  GFile           *file;      /* made from path on first use (atomic) */

  GMutex           lock;
  GBytes          *contents;
  char            *checksum;
  GanderParsedSql *parsed[2];
  GError          *parse_error[2];
};

G_DEFINE_FINAL_TYPE (GanderMigration, gander_migration, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VERSION,
  PROP_NAME,
  PROP_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_migration_finalize (GObject *object)
{
  GanderMigration *self = GANDER_MIGRATION (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->display, g_free);
  g_clear_object (&self->file);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_clear_pointer (&self->checksum, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->parsed); i++)
    {
      g_clear_pointer (&self->parsed[i], gander_parsed_sql_unref);
      g_clear_error (&self->parse_error[i]);
    }
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gander_migration_parent_class)->finalize (object);
}

static void
gander_migration_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GanderMigration *self = GANDER_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FILE:
      g_value_set_object (value, gander_migration_get_file (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_migration_class_init (GanderMigrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_migration_finalize;
  object_class->get_property = gander_migration_get_property;

  /**
   * GanderMigration:version:
   *
   * The version: the number before the first `_` of the file name.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderMigration:name:
   *
   * The file's base name, e.g. `00001_create_alerts.sql`.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GanderMigration:file:
   *
   * The file, or %NULL for a migration made from bytes.
   *
   * Since: 0.1
   */
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_migration_init (GanderMigration *self)
{
  g_mutex_init (&self->lock);
}

/* Go's strconv.ParseInt (base 10, 64 bits) with its error wording. */
static gboolean
parse_go_int64 (const char  *text,
                gsize        len,
                gint64      *out,
                char       **err_text)
{
  g_autofree char *copy = g_strndup (text, len);
  const char *p = copy;
  gboolean negative = FALSE;
  guint64 value = 0;
  guint64 limit;

  if (*p == '+' || *p == '-')
    negative = *p++ == '-';
  if (*p == '\0')
    goto syntax;
  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  for (; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        goto syntax;
      if (value > (limit - (guint64) (*p - '0')) / 10)
        {
          *err_text = g_strdup_printf ("strconv.ParseInt: parsing \"%s\": value out of range", copy);
          return FALSE;
        }
      value = value * 10 + (guint64) (*p - '0');
    }
  *out = negative ? (gint64) (0 - value) : (gint64) value;
  return TRUE;

syntax:
  *err_text = g_strdup_printf ("strconv.ParseInt: parsing \"%s\": invalid syntax", copy);
  return FALSE;
}

/**
 * gander_version_from_filename:
 * @basename: a file's base name
 * @error: return location for a #GError
 *
 * Reads a goose version from a file name as goose's `NumericComponent`
 * does: the name must end in `.sql` (or `.go`, which Gander recognises but
 * cannot run), the version is the text before the first `_`, a base-10
 * integer greater than zero.
 *
 * The version is the return value (no out argument), so bindings see a
 * plain number; until 0.2 it came through an out argument.
 *
 * Returns: the version (at least 1), or -1 if @basename carries none
 *   (%GANDER_ERROR_INVALID_FILENAME)
 *
 * Since: 0.1
 */
gint64
gander_version_from_filename (const char  *basename,
                              GError     **error)
{
  const char *sep;
  g_autofree char *err_text = NULL;
  gint64 v = 0;

  g_return_val_if_fail (basename != NULL, -1);

  if (!g_str_has_suffix (basename, ".sql") && !g_str_has_suffix (basename, ".go"))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "%s: migration file does not have .sql or .go file extension",
                   basename);
      return -1;
    }
  sep = strchr (basename, '_');
  if (sep == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "%s: no filename separator '_' found", basename);
      return -1;
    }
  if (!parse_go_int64 (basename, sep - basename, &v, &err_text))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "failed to parse version from migration file: %s: %s",
                   basename, err_text);
      return -1;
    }
  if (v < 1)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "%s: migration version must be greater than zero", basename);
      return -1;
    }
  return v;
}

/**
 * gander_migration_new_for_file:
 * @file: a `.sql` file whose name carries a goose version
 * @error: return location for a #GError
 *
 * Creates a migration for @file. The file is not read until needed.
 *
 * Returns: (transfer full): a new migration, or %NULL if the name carries no
 *   version (%GANDER_ERROR_INVALID_FILENAME)
 *
 * Since: 0.1
 */
GanderMigration *
gander_migration_new_for_file (GFile   *file,
                               GError **error)
{
  g_autofree char *basename = NULL;
  GanderMigration *self;
  gint64 version;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  basename = g_file_get_basename (file);
  version = gander_version_from_filename (basename, error);
  if (version < 0)
    return NULL;

  self = g_object_new (GANDER_TYPE_MIGRATION, NULL);
  self->version = version;
  self->name = g_steal_pointer (&basename);
  if (g_file_is_native (file))
    self->path = g_file_get_path (file);
  self->file = g_object_ref (file);
  return self;
}

/* For GanderSource listing a local directory: the name was checked
 * already, and the GFile is only made if someone asks for it. */
GanderMigration *
gander_migration_new_for_path (const char *path,
                               const char *basename,
                               gint64      version,
                               const char *display)
{
  GanderMigration *self;

  self = g_object_new (GANDER_TYPE_MIGRATION, NULL);
  self->version = version;
  self->name = g_strdup (basename);
  self->path = g_strdup (path);
  self->display = g_strdup (display);
  return self;
}

/**
 * gander_migration_new_from_bytes:
 * @version: the version, greater than zero
 * @name: a name to show, e.g. `00001_init.sql`
 * @contents: the SQL text
 *
 * Creates a migration from memory, e.g. one built into an application.
 *
 * Returns: (transfer full): a new migration
 *
 * Since: 0.1
 */
GanderMigration *
gander_migration_new_from_bytes (gint64      version,
                                 const char *name,
                                 GBytes     *contents)
{
  GanderMigration *self;

  g_return_val_if_fail (version > 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  self = g_object_new (GANDER_TYPE_MIGRATION, NULL);
  self->version = version;
  self->name = g_strdup (name);
  self->contents = g_bytes_ref (contents);
  return self;
}

/**
 * gander_migration_get_version:
 * @self: a #GanderMigration
 *
 * Gets the version.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
gint64
gander_migration_get_version (GanderMigration *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION (self), 0);

  return self->version;
}

/**
 * gander_migration_get_name:
 * @self: a #GanderMigration
 *
 * Gets the file's base name.
 *
 * Returns: the file's base name
 *
 * Since: 0.1
 */
const char *
gander_migration_get_name (GanderMigration *self)
{
  g_return_val_if_fail (GANDER_IS_MIGRATION (self), NULL);

  return self->name;
}

/**
 * gander_migration_get_file:
 * @self: a #GanderMigration
 *
 * Gets the file, or %NULL for a migration made from bytes.
 *
 * Returns: (transfer none) (nullable): the file, or %NULL for a migration
 *   made from bytes
 *
 * Since: 0.1
 */
GFile *
gander_migration_get_file (GanderMigration *self)
{
  GFile *file;

  g_return_val_if_fail (GANDER_IS_MIGRATION (self), NULL);

  file = g_atomic_pointer_get (&self->file);
  if (file == NULL && self->path != NULL)
    {
      g_autoptr(GFile) made = g_file_new_for_path (self->path);

      /* Another thread may have been first: keep its object, which a
       * caller may hold already. */
      if (g_atomic_pointer_compare_and_exchange (&self->file, NULL, made))
        g_steal_pointer (&made);
      file = g_atomic_pointer_get (&self->file);
    }
  return file;
}

/* A path as a user would type it: relative to the working directory when
 * the file is below it (as goose prints `migrations/00001_x.sql`). */
char *
gander_migration_dup_display_path (GanderMigration *self)
{
  g_autofree char *cwd = NULL;
  g_autoptr(GFile) cwd_file = NULL;
  GFile *file;
  char *relative;

  if (self->display != NULL)
    return g_strdup (self->display);
  /* a local file: no GFile, which would set up GIO's virtual file system
   * (the parser asks for every file's display path) */
  if (self->path != NULL)
    return gander_path_dup_display (self->path);

  file = gander_migration_get_file (self);
  if (file == NULL)
    return g_strdup (self->name);
  if (self->path == NULL)
    return g_file_get_uri (file);

  cwd = g_get_current_dir ();
  cwd_file = g_file_new_for_path (cwd);
  relative = g_file_get_relative_path (cwd_file, file);
  return relative != NULL ? relative : g_strdup (self->path);
}

/* What g_file_get_relative_path() answers for the working directory and a
 * local @path (both canonicalised as GLocalFile does), or the canonical
 * path when it is not below; "." for the working directory itself. */
char *
gander_path_dup_display (const char *path)
{
  g_autofree char *here = g_get_current_dir ();
  g_autofree char *cwd = g_canonicalize_filename (here, NULL);
  g_autofree char *full = g_canonicalize_filename (path, cwd);
  gsize n = strlen (cwd);

  if (g_str_equal (full, cwd))
    return g_strdup (".");
  if (n > 0 && cwd[n - 1] == G_DIR_SEPARATOR)
    n--;
  if (strncmp (full, cwd, n) == 0 && full[n] == G_DIR_SEPARATOR)
    return g_strdup (full + n + 1);
  return g_steal_pointer (&full);
}

/* @path cleaned the way Go's filepath.Clean does it, lexically (goose
 * joins paths with filepath.Join, which cleans): `./m/` → `m`, `a//b` →
 * `a/b`, `a/../b` → `b`, `/..` → `/`; an empty result is ".". The path
 * otherwise stays as the user typed it: relative or absolute, links not
 * resolved. */
char *
gander_path_clean_typed (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, G_DIR_SEPARATOR_S, -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  gboolean rooted = g_path_is_absolute (path);
  GString *out = g_string_new (rooted ? G_DIR_SEPARATOR_S : "");

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = parts[i];

      if (*part == '\0' || g_str_equal (part, "."))
        continue;
      if (g_str_equal (part, ".."))
        {
          if (kept->len > 0 &&
              !g_str_equal (g_ptr_array_index (kept, kept->len - 1), ".."))
            {
              g_ptr_array_remove_index (kept, kept->len - 1);
              continue;
            }
          if (rooted)
            continue;
        }
      g_ptr_array_add (kept, (gpointer) part);
    }
  for (guint i = 0; i < kept->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, G_DIR_SEPARATOR);
      g_string_append (out, g_ptr_array_index (kept, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '.');
  return g_string_free (out, FALSE);
}

static char *
sha256_hex (GBytes *bytes)
{
  gsize len = 0;
  const void *data = g_bytes_get_data (bytes, &len);

  return gander_sha256_hex (data, len, FALSE);
}

/* A local file's bytes, in a buffer of their size. O_NONBLOCK: a FIFO
 * put in place of a migration after it was listed must fail here, not
 * block in open() until a writer comes (a regular file ignores the flag). */
static GBytes *
read_local (const char  *path,
            gint        *code,
            GError     **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize size, len = 0;
  int saved_errno;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT)
        *code = GANDER_ERROR_NOT_FOUND;
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           S_ISDIR (st.st_mode) ?
                           "it is a directory, not a migration file; remove or rename it" :
                           "it is not a regular file (a FIFO, socket or device); "
                           "remove or rename it");
      return NULL;
    }

  /* The size fstat() gave, plus one byte to see the end of the file; a
   * file that grows meanwhile is read to its end all the same. */
  size = (gsize) st.st_size + 1;
  data = g_malloc (size);
  for (;;)
    {
      gssize n;

      if (len == size)
        {
          size *= 2;
          data = g_realloc (data, size);
        }
      n = read (fd, data + len, size - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          g_close (fd, NULL);
          g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
      /* exactly the size fstat() gave, one byte short of what was asked:
       * that is the end, no read() needed to hear it (status reads every
       * file: one system call per file fewer) */
      if (len == (gsize) st.st_size && size == len + 1)
        break;
    }
  g_close (fd, NULL);
  if (len + 1 < size)
    data = g_realloc (data, MAX (len, 1));
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* The file's bytes, in a buffer of their size: g_file_load_contents()
 * grows its buffer in 8 KiB steps and a 300-byte migration would keep
 * 16 KiB. A resource is looked up without a copy. */
static GBytes *
read_file (GanderMigration  *self,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  GBytes *bytes = NULL;
  gint code = GANDER_ERROR_IO;
  GFile *file;

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_autofree char *where = gander_migration_dup_display_path (self);

      gander_set_cancelled_error (error, "%s: cannot read migration %" G_GINT64_FORMAT
                                  ": the operation was cancelled",
                                  where, self->version);
      return NULL;
    }
  if (self->path != NULL)
    bytes = read_local (self->path, &code, &local_error);
  else
    {
      file = gander_migration_get_file (self);
      if (g_file_has_uri_scheme (file, "resource"))
        bytes = g_file_load_bytes (file, cancellable, NULL, &local_error);
      else if (g_file_load_contents (file, cancellable, &data, &len, NULL, &local_error))
        bytes = g_bytes_new_take (g_realloc (g_steal_pointer (&data), len + 1), len);

      if (bytes == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        code = GANDER_ERROR_NOT_FOUND;
    }

  if (bytes == NULL)
    {
      g_autofree char *where = gander_migration_dup_display_path (self);

      if (gander_error_is_cancelled (local_error))
        gander_set_cancelled_error (error, "%s: cannot read migration %" G_GINT64_FORMAT ": %s",
                                    where, self->version, local_error->message);
      else
        g_set_error (error, GANDER_ERROR, code,
                     "%s: cannot read migration %" G_GINT64_FORMAT ": %s",
                     where, self->version, local_error->message);
    }
  return bytes;
}

/* --- checksums of local files, kept across GanderMigration objects ---
 *
 * gander-daemon refreshes a profile's status with a new GanderSource each
 * time, and status hashes every file (the modified check, the rename check
 * of orphans): without this, each refresh read and hashed every migration
 * again. A file's checksum is kept under its path with the stat() fields
 * a write or a replacement changes (device, inode, size, mtime, ctime, all
 * to the nanosecond) and found again only while they all match.
 *
 * File times come from a coarse clock: two writes a few milliseconds apart
 * can leave the same ctime. A file whose ctime is less than
 * CHECKSUM_CACHE_SETTLE old is therefore never cached (git's "racily
 * clean" problem): any later change gets a later ctime. A wrong entry
 * could not go unnoticed anyway: whatever is parsed or run is read again
 * and checked against the checksum (load_locked()). */

#define CHECKSUM_CACHE_SETTLE (2 * G_TIME_SPAN_SECOND)
#define CHECKSUM_CACHE_MAX    65536

typedef struct
{
  dev_t   dev;
  ino_t   ino;
  off_t   size;
  gint64  mtime_ns;
  gint64  ctime_ns;
} FileStamp;

typedef struct
{
  FileStamp  stamp;
  char      *checksum;
} CachedChecksum;

static GMutex checksum_cache_lock;
static GHashTable *checksum_cache;   /* path → CachedChecksum */
static guint checksum_cache_hits;
static guint checksum_cache_misses;

static void
cached_checksum_free (gpointer data)
{
  CachedChecksum *entry = data;

  g_free (entry->checksum);
  g_free (entry);
}

static gboolean
file_stamp (const char *path,
            FileStamp  *stamp)
{
  struct stat st;

  if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  stamp->dev = st.st_dev;
  stamp->ino = st.st_ino;
  stamp->size = st.st_size;
  stamp->mtime_ns = (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  stamp->ctime_ns = (gint64) st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
  return TRUE;
}

static gboolean
file_stamp_equal (const FileStamp *a,
                  const FileStamp *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* The checksum kept for @path while its stamp is @stamp, or NULL. */
static char *
checksum_cache_lookup (const char      *path,
                       const FileStamp *stamp)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&checksum_cache_lock);
  CachedChecksum *entry = checksum_cache != NULL ? g_hash_table_lookup (checksum_cache, path) : NULL;

  if (entry == NULL || !file_stamp_equal (&entry->stamp, stamp))
    {
      checksum_cache_misses++;
      return NULL;
    }
  checksum_cache_hits++;
  return g_strdup (entry->checksum);
}

/* Keeps @checksum of @path, read between two stat() calls that gave
 * @before and @after: a file that changed meanwhile, or too recently, is
 * not kept. */
static void
checksum_cache_insert (const char      *path,
                       const FileStamp *before,
                       const FileStamp *after,
                       const char      *checksum)
{
  g_autoptr(GMutexLocker) locker = NULL;
  CachedChecksum *entry;
  gint64 now_ns = g_get_real_time () * 1000;

  if (!file_stamp_equal (before, after) ||
      now_ns - after->ctime_ns < CHECKSUM_CACHE_SETTLE * 1000 ||
      now_ns - after->mtime_ns < CHECKSUM_CACHE_SETTLE * 1000)
    return;
  locker = g_mutex_locker_new (&checksum_cache_lock);
  if (checksum_cache == NULL)
    checksum_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_checksum_free);
  /* a long-lived process over many directories: start again rather than
   * grow without bound */
  if (g_hash_table_size (checksum_cache) >= CHECKSUM_CACHE_MAX)
    g_hash_table_remove_all (checksum_cache);
  entry = g_new0 (CachedChecksum, 1);
  entry->stamp = *after;
  entry->checksum = g_strdup (checksum);
  g_hash_table_insert (checksum_cache, g_strdup (path), entry);
}

void
gander_migration_checksum_cache_stats (guint *hits,
                                       guint *misses)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&checksum_cache_lock);

  if (hits != NULL)
    *hits = checksum_cache_hits;
  if (misses != NULL)
    *misses = checksum_cache_misses;
}

void
gander_migration_checksum_cache_clear (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&checksum_cache_lock);

  g_clear_pointer (&checksum_cache, g_hash_table_unref);
  checksum_cache_hits = checksum_cache_misses = 0;
}

static GBytes *
load_locked (GanderMigration  *self,
             GCancellable     *cancellable,
             GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->contents != NULL)
    return self->contents;

  bytes = read_file (self, cancellable, error);
  if (bytes == NULL)
    return NULL;

  /* Read again after being let go: whatever is parsed or returned now must
   * be what the checksum describes. */
  if (self->checksum != NULL)
    {
      g_autofree char *now = sha256_hex (bytes);

      if (strcmp (now, self->checksum) != 0)
        {
          g_autofree char *where = gander_migration_dup_display_path (self);

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       "%s: migration %" G_GINT64_FORMAT " changed on disk while it "
                       "was in use (SHA-256 %s when first read, now %s)",
                       where, self->version, self->checksum, now);
          return NULL;
        }
    }

  self->contents = g_steal_pointer (&bytes);
  return self->contents;
}

/* A file's bytes can be read again and checked once the checksum is known;
 * a migration made from bytes has nowhere to read them from. */
static void
release_contents_locked (GanderMigration *self)
{
  if (self->checksum != NULL && (self->path != NULL || self->file != NULL))
    g_clear_pointer (&self->contents, g_bytes_unref);
}

/**
 * gander_migration_load:
 * @self: a #GanderMigration
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the file. Later calls return the same bytes: once the checksum is
 * known the file may be read again, and if it no longer matches the
 * checksum the call fails with %GANDER_ERROR_IO.
 *
 * Returns: (transfer full): the file's contents
 *
 * Since: 0.1
 */
GBytes *
gander_migration_load (GanderMigration  *self,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GBytes *bytes;

  g_return_val_if_fail (GANDER_IS_MIGRATION (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  bytes = load_locked (self, cancellable, error);
  if (bytes == NULL)
    return NULL;
  bytes = g_bytes_ref (bytes);
  release_contents_locked (self);
  return bytes;
}

/**
 * gander_migration_get_checksum:
 * @self: a #GanderMigration
 * @error: return location for a #GError
 *
 * The SHA-256 of the file's bytes, in lower-case hex; reads the file if it
 * was not read yet.
 *
 * Returns: (nullable): the checksum, or %NULL if the file cannot be read
 *
 * Since: 0.1
 */
const char *
gander_migration_get_checksum (GanderMigration  *self,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GBytes *bytes;

  g_return_val_if_fail (GANDER_IS_MIGRATION (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (self->checksum != NULL)
    return self->checksum;
  /* a local file hashed before, unchanged since, is not read again */
  if (self->path != NULL && self->contents == NULL)
    {
      FileStamp before, after;

      if (file_stamp (self->path, &before))
        {
          self->checksum = checksum_cache_lookup (self->path, &before);
          if (self->checksum != NULL)
            return self->checksum;
          bytes = load_locked (self, NULL, error);
          if (bytes == NULL)
            return NULL;
          self->checksum = sha256_hex (bytes);
          if (file_stamp (self->path, &after))
            checksum_cache_insert (self->path, &before, &after, self->checksum);
          release_contents_locked (self);
          return self->checksum;
        }
    }
  bytes = load_locked (self, NULL, error);
  if (bytes == NULL)
    return NULL;
  self->checksum = sha256_hex (bytes);
  release_contents_locked (self);
  return self->checksum;
}

/**
 * gander_migration_parse:
 * @self: a #GanderMigration
 * @direction: which section
 * @error: return location for a #GError
 *
 * Splits one section into statements as goose does; reads the file if it
 * was not read yet. Both sections are parsed at the first call; the
 * results, or the errors, are kept for later calls.
 *
 * Returns: (transfer full): the parsed section, or %NULL with
 *   %GANDER_ERROR_PARSE naming the file and line
 *
 * Since: 0.1
 */
GanderParsedSql *
gander_migration_parse (GanderMigration  *self,
                        GanderDirection   direction,
                        GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GBytes *bytes;
  guint i = direction == GANDER_DIRECTION_DOWN ? 1 : 0;

  g_return_val_if_fail (GANDER_IS_MIGRATION (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (self->parsed[i] != NULL)
    return gander_parsed_sql_ref (self->parsed[i]);
  if (self->parse_error[i] != NULL)
    {
      g_propagate_error (error, g_error_copy (self->parse_error[i]));
      return NULL;
    }

  bytes = load_locked (self, NULL, error);
  if (bytes == NULL)
    return NULL;

  /* Parsing one section passes over the other for its warnings anyway,
   * and `up` wants both before it runs anything: both are kept. */
  {
    g_autofree char *where = gander_migration_dup_display_path (self);

    gander_sql_parse_both (bytes, where,
                           &self->parsed[0], &self->parse_error[0],
                           &self->parsed[1], &self->parse_error[1]);
  }
  release_contents_locked (self);
  if (self->parsed[i] == NULL)
    {
      g_propagate_error (error, g_error_copy (self->parse_error[i]));
      return NULL;
    }
  return gander_parsed_sql_ref (self->parsed[i]);
}
