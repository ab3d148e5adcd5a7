/* gander-migration.c: one goose SQL migration file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "gander-error.h"
#include "gander-migration.h"
#include "gander-migration-private.h"
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
 * @version: (out) (optional): the version
 * @error: return location for a #GError
 *
 * Reads a goose version from a file name as goose's `NumericComponent`
 * does: the name must end in `.sql` (or `.go`, which Gander recognises but
 * cannot run), the version is the text before the first `_`, a base-10
 * integer greater than zero.
 *
 * Returns: (skip): %TRUE if @basename carries a version
 *
 * Since: 0.1
 */
gboolean
gander_version_from_filename (const char  *basename,
                              gint64      *version,
                              GError     **error)
{
  const char *sep;
  g_autofree char *err_text = NULL;
  gint64 v = 0;

  g_return_val_if_fail (basename != NULL, FALSE);

  if (!g_str_has_suffix (basename, ".sql") && !g_str_has_suffix (basename, ".go"))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "%s: migration file does not have .sql or .go file extension",
                   basename);
      return FALSE;
    }
  sep = strchr (basename, '_');
  if (sep == NULL)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "%s: no filename separator '_' found", basename);
      return FALSE;
    }
  if (!parse_go_int64 (basename, sep - basename, &v, &err_text))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "failed to parse version from migration file: %s: %s",
                   basename, err_text);
      return FALSE;
    }
  if (v < 1)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_FILENAME,
                   "%s: migration version must be greater than zero", basename);
      return FALSE;
    }
  if (version != NULL)
    *version = v;
  return TRUE;
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
  if (!gander_version_from_filename (basename, &version, error))
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
                               gint64      version)
{
  GanderMigration *self;

  self = g_object_new (GANDER_TYPE_MIGRATION, NULL);
  self->version = version;
  self->name = g_strdup (basename);
  self->path = g_strdup (path);
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
  GFile *file = gander_migration_get_file (self);
  char *relative;

  if (file == NULL)
    return g_strdup (self->name);
  if (self->path == NULL)
    return g_file_get_uri (file);

  cwd = g_get_current_dir ();
  cwd_file = g_file_new_for_path (cwd);
  relative = g_file_get_relative_path (cwd_file, file);
  return relative != NULL ? relative : g_strdup (self->path);
}

/* ------------------------------------------------------------------ */
/* SHA-256                                                             */

/* `status` hashes every file on every run, and GChecksum's SHA-256 was a
 * third of its instructions. FIPS 180-4 is short enough to carry: a plain C
 * block function, and the x86 SHA extensions where the CPU has them (about
 * ten times faster). The digest is the same; the tests check both paths
 * against GChecksum. */

static const guint32 sha256_k[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

typedef void (*Sha256Blocks) (guint32       state[8],
                              const guint8 *data,
                              gsize         n_blocks);

#define ROTR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROTR32 (x, 2) ^ ROTR32 (x, 13) ^ ROTR32 (x, 22))
#define BSIG1(x) (ROTR32 (x, 6) ^ ROTR32 (x, 11) ^ ROTR32 (x, 25))
#define SSIG0(x) (ROTR32 (x, 7) ^ ROTR32 (x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR32 (x, 17) ^ ROTR32 (x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* One round with the eight working variables named by position, so that
 * eight calls with rotated names replace the shuffle of FIPS 180-4's
 * loop body. */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, t) \
  G_STMT_START { \
    guint32 t1 = (h) + BSIG1 (e) + CH (e, f, g) + sha256_k[t] + w[t]; \
    (d) += t1; \
    (h) = t1 + BSIG0 (a) + MAJ (a, b, c); \
  } G_STMT_END

static void
sha256_blocks_c (guint32       state[8],
                 const guint8 *data,
                 gsize         n_blocks)
{
  for (; n_blocks > 0; n_blocks--, data += 64)
    {
      guint32 w[64];
      guint32 a = state[0], b = state[1], c = state[2], d = state[3];
      guint32 e = state[4], f = state[5], g = state[6], h = state[7];

      for (guint t = 0; t < 16; t++)
        w[t] = (guint32) data[4 * t] << 24 | (guint32) data[4 * t + 1] << 16 |
               (guint32) data[4 * t + 2] << 8 | (guint32) data[4 * t + 3];
      for (guint t = 16; t < 64; t++)
        w[t] = SSIG1 (w[t - 2]) + w[t - 7] + SSIG0 (w[t - 15]) + w[t - 16];

      for (guint t = 0; t < 64; t += 8)
        {
          SHA256_ROUND (a, b, c, d, e, f, g, h, t);
          SHA256_ROUND (h, a, b, c, d, e, f, g, t + 1);
          SHA256_ROUND (g, h, a, b, c, d, e, f, t + 2);
          SHA256_ROUND (f, g, h, a, b, c, d, e, t + 3);
          SHA256_ROUND (e, f, g, h, a, b, c, d, t + 4);
          SHA256_ROUND (d, e, f, g, h, a, b, c, t + 5);
          SHA256_ROUND (c, d, e, f, g, h, a, b, t + 6);
          SHA256_ROUND (b, c, d, e, f, g, h, a, t + 7);
        }

      state[0] += a; state[1] += b; state[2] += c; state[3] += d;
      state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>

/* SHA256RNDS2 runs two rounds on the state split as ABEF and CDGH (A in
 * the top lane) with the message words plus constants in the low lanes;
 * SHA256MSG1/MSG2 extend the message schedule four words at a time. */
__attribute__((target ("sha,ssse3,sse4.1")))
static void
sha256_blocks_x86 (guint32       state[8],
                   const guint8 *data,
                   gsize         n_blocks)
{
  const __m128i bswap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef, cdgh, tmp;

  tmp = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) &state[0]), 0xB1);  /* B A D C */
  cdgh = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) &state[4]), 0x1B); /* H G F E */
  abef = _mm_alignr_epi8 (tmp, cdgh, 8);
  cdgh = _mm_blend_epi16 (cdgh, tmp, 0xF0);

  for (; n_blocks > 0; n_blocks--, data += 64)
    {
      __m128i abef_saved = abef, cdgh_saved = cdgh;
      __m128i w[4];

      for (guint g = 0; g < 16; g++)
        {
          __m128i m, wk;

          if (g < 4)
            m = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (data + 16 * g)), bswap);
          else
            {
              /* W[t..t+3] from W[t-16..t-13], W[t-15..t-12], W[t-7..t-4]
               * and W[t-4..t-1] */
              m = _mm_sha256msg1_epu32 (w[g % 4], w[(g + 1) % 4]);
              m = _mm_add_epi32 (m, _mm_alignr_epi8 (w[(g + 3) % 4], w[(g + 2) % 4], 4));
              m = _mm_sha256msg2_epu32 (m, w[(g + 3) % 4]);
            }
          w[g % 4] = m;

          wk = _mm_add_epi32 (m, _mm_loadu_si128 ((const __m128i *) &sha256_k[4 * g]));
          cdgh = _mm_sha256rnds2_epu32 (cdgh, abef, wk);
          wk = _mm_shuffle_epi32 (wk, 0x0E);
          abef = _mm_sha256rnds2_epu32 (abef, cdgh, wk);
        }

      abef = _mm_add_epi32 (abef, abef_saved);
      cdgh = _mm_add_epi32 (cdgh, cdgh_saved);
    }

  tmp = _mm_shuffle_epi32 (abef, 0x1B);   /* A B E F */
  cdgh = _mm_shuffle_epi32 (cdgh, 0xB1);  /* G H C D */
  _mm_storeu_si128 ((__m128i *) &state[0], _mm_blend_epi16 (tmp, cdgh, 0xF0));
  _mm_storeu_si128 ((__m128i *) &state[4], _mm_alignr_epi8 (cdgh, tmp, 8));
}

static gboolean
cpu_has_sha (void)
{
  unsigned int eax, ebx, ecx, edx;

  if (!__get_cpuid (1, &eax, &ebx, &ecx, &edx) ||
      !(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1))
    return FALSE;
  if (!__get_cpuid_count (7, 0, &eax, &ebx, &ecx, &edx))
    return FALSE;
  return (ebx & bit_SHA) != 0;
}
#endif

static Sha256Blocks
sha256_blocks_for_cpu (void)
{
#ifdef HAVE_SHA256_X86
  /* -1 until asked; any thread may ask first, all get the same answer */
  static gint has_sha = -1;
  gint has = g_atomic_int_get (&has_sha);

  if (has < 0)
    {
      has = cpu_has_sha () ? 1 : 0;
      g_atomic_int_set (&has_sha, has);
    }
  if (has)
    return sha256_blocks_x86;
#endif
  return sha256_blocks_c;
}

/* The lower-case hex SHA-256 of @data, with the fastest block function
 * this CPU has or, for the tests, the portable one. */
char *
gander_sha256_hex (const void *data,
                   gsize       len,
                   gboolean    portable)
{
  static const char hex[] = "0123456789abcdef";
  guint32 state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  };
  Sha256Blocks blocks = portable ? sha256_blocks_c : sha256_blocks_for_cpu ();
  const guint8 *p = data;
  gsize full = len / 64;
  gsize rest = len % 64;
  guint8 tail[128] = { 0, };
  gsize tail_len = rest < 56 ? 64 : 128;
  guint64 bits = (guint64) len * 8;
  char *out;

  if (full > 0)
    blocks (state, p, full);

  /* the rest, a 1 bit, zeros and the length in bits, big-endian */
  if (rest > 0)
    memcpy (tail, p + full * 64, rest);
  tail[rest] = 0x80;
  for (guint i = 0; i < 8; i++)
    tail[tail_len - 1 - i] = (guint8) (bits >> (8 * i));
  blocks (state, tail, tail_len / 64);

  out = g_malloc (65);
  for (guint i = 0; i < 8; i++)
    for (guint j = 0; j < 4; j++)
      {
        guint8 byte = (guint8) (state[i] >> (24 - 8 * j));

        out[8 * i + 2 * j] = hex[byte >> 4];
        out[8 * i + 2 * j + 1] = hex[byte & 0x0F];
      }
  out[64] = '\0';
  return out;
}

static char *
sha256_hex (GBytes *bytes)
{
  gsize len = 0;
  const void *data = g_bytes_get_data (bytes, &len);

  return gander_sha256_hex (data, len, FALSE);
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

  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    code = GANDER_ERROR_CANCELLED;
  else if (self->path != NULL)
    {
      if (g_file_get_contents (self->path, &data, &len, &local_error))
        bytes = g_bytes_new_take (g_steal_pointer (&data), len);
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        code = GANDER_ERROR_NOT_FOUND;
    }
  else
    {
      file = gander_migration_get_file (self);
      if (g_file_has_uri_scheme (file, "resource"))
        bytes = g_file_load_bytes (file, cancellable, NULL, &local_error);
      else if (g_file_load_contents (file, cancellable, &data, &len, NULL, &local_error))
        bytes = g_bytes_new_take (g_realloc (g_steal_pointer (&data), len + 1), len);

      if (bytes == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        code = GANDER_ERROR_NOT_FOUND;
      else if (bytes == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        code = GANDER_ERROR_CANCELLED;
    }

  if (bytes == NULL)
    {
      g_autofree char *where = gander_migration_dup_display_path (self);

      g_set_error (error, GANDER_ERROR, code,
                   "%s: cannot read migration %" G_GINT64_FORMAT ": %s",
                   where, self->version, local_error->message);
    }
  return bytes;
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
