/* gander-sha256.c: SHA-256 for migration checksums
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "gander-sha256-private.h"

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

