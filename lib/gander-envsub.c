/* gander-envsub.c: goose's ENVSUB expansion
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * goose expands `-- +goose ENVSUB ON` lines with
 * github.com/mfridman/interpolate v0.0.2. Files have to expand to the same
 * bytes here, so this follows that library's grammar and its corner cases
 * (`$$` is a literal `$`, `$1` is an error, `${X:?m}` is a substring with a
 * bad offset, invalid UTF-8 becomes U+FFFD) rather than POSIX shell rules.
 *
 * The library parses a whole line before it expands anything, so a syntax
 * error anywhere on the line wins over a `${X?msg}` failure earlier on it.
 * We get the same order with two walks over the line: the first only checks
 * the syntax, the second expands.
 *
 * The file also holds the few Go standard library rules the goose parser
 * relies on (UTF-8 decoding, strings.TrimSpace, strconv.Quote and
 * strconv.Atoi), because goose's error texts and statement boundaries
 * depend on them byte for byte.
 */
#include "config.h"

#include <string.h>

#include "gander-error.h"
#include "gander-envsub-private.h"

#define RUNE_EOF ((gint32) -1)

/* utf8.DecodeRune: one rune and its width; invalid or truncated input is
 * GANDER_GO_RUNE_ERROR with width 1. Overlong forms, surrogates and values
 * above U+10FFFF are invalid, as in Go. */
gint32
gander_go_decode_rune (const char *s,
                       gsize       len,
                       gsize      *size)
{
  const guint8 *p = (const guint8 *) s;
  guint8 lo = 0x80, hi = 0xBF;
  gsize need;
  gint32 r;

  if (len == 0)
    {
      *size = 0;
      return GANDER_GO_RUNE_ERROR;
    }

  if (p[0] < 0x80)
    {
      *size = 1;
      return p[0];
    }

  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    {
      need = 2;
      r = p[0] & 0x1F;
    }
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    {
      need = 3;
      r = p[0] & 0x0F;
      if (p[0] == 0xE0)
        lo = 0xA0;
      else if (p[0] == 0xED)
        hi = 0x9F;
    }
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    {
      need = 4;
      r = p[0] & 0x07;
      if (p[0] == 0xF0)
        lo = 0x90;
      else if (p[0] == 0xF4)
        hi = 0x8F;
    }
  else
    {
      *size = 1;
      return GANDER_GO_RUNE_ERROR;
    }

  if (len < need || p[1] < lo || p[1] > hi)
    {
      *size = 1;
      return GANDER_GO_RUNE_ERROR;
    }
  r = (r << 6) | (p[1] & 0x3F);
  for (gsize i = 2; i < need; i++)
    {
      if (p[i] < 0x80 || p[i] > 0xBF)
        {
          *size = 1;
          return GANDER_GO_RUNE_ERROR;
        }
      r = (r << 6) | (p[i] & 0x3F);
    }

  *size = need;
  return r;
}

/* The width of the whitespace rune at @s (unicode.IsSpace, which is also
 * bufio.ScanWords' notion of space), or 0. Matching the encoded bytes is
 * the same as decoding first: every sequence below starts with a lead byte,
 * which never occurs inside another valid rune. */
gsize
gander_go_space_width (const char *s,
                       gsize       len)
{
  const guint8 *p = (const guint8 *) s;

  if (len == 0)
    return 0;

  switch (p[0])
    {
    case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
      return 1;
    case 0xC2:
      /* U+0085, U+00A0 */
      return len >= 2 && (p[1] == 0x85 || p[1] == 0xA0) ? 2 : 0;
    case 0xE1:
      /* U+1680 */
      return len >= 3 && p[1] == 0x9A && p[2] == 0x80 ? 3 : 0;
    case 0xE2:
      if (len < 3)
        return 0;
      /* U+2000..U+200A, U+2028, U+2029, U+202F */
      if (p[1] == 0x80 &&
          ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 ||
           p[2] == 0xAF))
        return 3;
      /* U+205F */
      if (p[1] == 0x81 && p[2] == 0x9F)
        return 3;
      return 0;
    case 0xE3:
      /* U+3000 */
      return len >= 3 && p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
    default:
      return 0;
    }
}

/* unicode.IsSpace below U+0080: '\t', '\n', '\v', '\f', '\r' and ' '
 * (g_ascii_isspace() leaves out '\v'). */
static inline gboolean
ascii_is_space (char c)
{
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Width of a whitespace rune that ends exactly at @s + @len, or 0. Go's
 * DecodeLastRune agrees with this byte match for the same lead-byte
 * reason as above. */
static gsize
space_width_before (const char *s,
                    gsize       len)
{
  for (gsize w = 1; w <= 3 && w <= len; w++)
    {
      if (gander_go_space_width (s + len - w, w) == w)
        return w;
    }
  return 0;
}

/* strings.TrimSpace on a byte range. Almost every byte of SQL is ASCII,
 * and an ASCII byte is a whole rune (a multi-byte rune begins and ends
 * with bytes >= 0x80), so those are decided here without decoding. */
void
gander_go_trim_space (const char **s,
                      gsize       *len)
{
  const char *p = *s;
  gsize n = *len;
  gsize w;

  while (n > 0)
    {
      if ((guint8) p[0] < 0x80)
        w = ascii_is_space (p[0]) ? 1 : 0;
      else
        w = gander_go_space_width (p, n);
      if (w == 0)
        break;
      p += w;
      n -= w;
    }
  while (n > 0)
    {
      if ((guint8) p[n - 1] < 0x80)
        w = ascii_is_space (p[n - 1]) ? 1 : 0;
      else
        w = space_width_before (p, n);
      if (w == 0)
        break;
      n -= w;
    }

  *s = p;
  *len = n;
}

/* strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the
 * ASCII space. */
static gboolean
go_is_print (gunichar c)
{
  if (c < 0x80)
    return c >= 0x20 && c < 0x7F;

  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SPACE_SEPARATOR:
      return FALSE;
    default:
      return TRUE;
    }
}

/* strconv.Quote, which is what Go's `%q` prints for a string. goose's
 * error messages quote lines and statements this way. */
void
gander_go_quote_append (GString    *out,
                        const char *s,
                        gsize       len)
{
  static const char hex[] = "0123456789abcdef";
  gsize i = 0;

  g_string_append_c (out, '"');
  while (i < len)
    {
      gsize width;
      gint32 r = gander_go_decode_rune (s + i, len - i, &width);

      if (width == 1 && r == GANDER_GO_RUNE_ERROR)
        {
          guint8 b = (guint8) s[i];

          g_string_append (out, "\\x");
          g_string_append_c (out, hex[b >> 4]);
          g_string_append_c (out, hex[b & 0xF]);
        }
      else if (r == '"' || r == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) r);
        }
      else if (go_is_print ((gunichar) r))
        {
          g_string_append_len (out, s + i, width);
        }
      else
        {
          switch (r)
            {
            case '\a': g_string_append (out, "\\a"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            case '\v': g_string_append (out, "\\v"); break;
            default:
              if (r < ' ' || r == 0x7F)
                {
                  g_string_append (out, "\\x");
                  g_string_append_c (out, hex[(r >> 4) & 0xF]);
                  g_string_append_c (out, hex[r & 0xF]);
                }
              else if (r < 0x10000)
                g_string_append_printf (out, "\\u%04x", (guint) r);
              else
                g_string_append_printf (out, "\\U%08x", (guint) r);
              break;
            }
        }
      i += width;
    }
  g_string_append_c (out, '"');
}

char *
gander_go_quote (const char *s,
                 gsize       len)
{
  GString *out = g_string_sized_new (len + 2);

  gander_go_quote_append (out, s, len);
  return g_string_free (out, FALSE);
}

static char *
num_error (const char *s,
           gsize       len,
           const char *why)
{
  g_autofree char *quoted = gander_go_quote (s, len);

  return g_strdup_printf ("strconv.Atoi: parsing %s: %s", quoted, why);
}

/* strconv.Atoi on a 64-bit platform, with its exact error texts. Base 10
 * only: no underscores, an optional sign, overflow reported as soon as it
 * happens even if an invalid character follows. */
gboolean
gander_go_atoi (const char  *s,
                gsize        len,
                gint64      *value,
                char       **error_text)
{
  const char *digits = s;
  gsize n = len;
  gboolean neg = FALSE;
  guint64 acc = 0;
  const guint64 cutoff = G_GUINT64_CONSTANT (1) << 63;

  *value = 0;
  if (n > 0 && (digits[0] == '+' || digits[0] == '-'))
    {
      neg = digits[0] == '-';
      digits++;
      n--;
    }
  if (n == 0)
    {
      *error_text = num_error (s, len, "invalid syntax");
      return FALSE;
    }

  for (gsize i = 0; i < n; i++)
    {
      guint8 c = (guint8) digits[i];
      guint64 d, next;

      if (c < '0' || c > '9')
        {
          *error_text = num_error (s, len, "invalid syntax");
          return FALSE;
        }
      d = c - '0';
      /* ParseUint works in uint64 and reports overflow at once. */
      if (acc >= G_MAXUINT64 / 10 + 1)
        {
          *error_text = num_error (s, len, "value out of range");
          return FALSE;
        }
      next = acc * 10 + d;
      if (next < acc * 10)
        {
          *error_text = num_error (s, len, "value out of range");
          return FALSE;
        }
      acc = next;
    }

  if ((!neg && acc >= cutoff) || (neg && acc > cutoff))
    {
      *error_text = num_error (s, len, "value out of range");
      return FALSE;
    }

  if (neg)
    *value = acc == cutoff ? G_MININT64 : -(gint64) acc;
  else
    *value = (gint64) acc;
  return TRUE;
}

/* ---- the interpolate grammar ---- */

typedef struct
{
  const char         *input;
  gsize               len;
  gsize               pos;
  gboolean            evaluate;  /* FALSE during the syntax-only walk */
  GanderEnvsubLookup  lookup;
  gpointer            user_data;
  gboolean            collapsed_dollars;
  GPtrArray          *unset;     /* names expanded to nothing, or NULL */
} Parser;

typedef enum {
  SCAN_TEXT,          /* '$', '\\' or the stop rune */
  SCAN_IDENTIFIER,    /* anything but a letter, a number or '_' */
  SCAN_OFFSET,        /* ':' or '}' */
  SCAN_LENGTH,        /* '}' */
} ScanMode;

static gint32
peek_rune (Parser *p)
{
  gsize size;

  if (p->pos >= p->len)
    return RUNE_EOF;
  return gander_go_decode_rune (p->input + p->pos, p->len - p->pos, &size);
}

static gint32
next_rune (Parser *p)
{
  gsize size;
  gint32 r;

  if (p->pos >= p->len)
    return RUNE_EOF;
  r = gander_go_decode_rune (p->input + p->pos, p->len - p->pos, &size);
  p->pos += size;
  return r;
}

/* Go's `%c` of a rune: out-of-range values (our EOF) print as U+FFFD. */
static void
append_rune (GString *out,
             gint32   r)
{
  if (r < 0 || r > 0x10FFFF)
    r = GANDER_GO_RUNE_ERROR;
  g_string_append_unichar (out, (gunichar) r);
}

static gboolean
is_letter (gint32 r)
{
  return r >= 0 && g_unichar_isalpha ((gunichar) r);
}

static gboolean
is_number (gint32 r)
{
  if (r < 0)
    return FALSE;
  switch (g_unichar_type ((gunichar) r))
    {
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Parser.scanUntil: advances until the mode's stop rune, and also stops at
 * U+FFFD (so invalid bytes are handed back to the caller one by one). */
static gsize
scan_until (Parser   *p,
            ScanMode  mode,
            gint32    stop)
{
  gsize start = p->pos;

  while (p->pos < p->len)
    {
      gsize size;
      gint32 c = gander_go_decode_rune (p->input + p->pos, p->len - p->pos, &size);
      gboolean done;

      if (c == GANDER_GO_RUNE_ERROR)
        break;

      switch (mode)
        {
        case SCAN_TEXT:
          done = c == '$' || c == '\\' || (stop >= 0 && c == stop);
          break;
        case SCAN_IDENTIFIER:
          done = !is_letter (c) && !is_number (c) && c != '_';
          break;
        case SCAN_OFFSET:
          done = c == ':' || c == '}';
          break;
        case SCAN_LENGTH:
        default:
          done = c == '}';
          break;
        }
      if (done)
        break;
      p->pos += size;
    }

  return start;
}

G_GNUC_PRINTF (2, 3)
static gboolean
set_error (GError     **error,
           const char  *format,
           ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_PARSE, message);
  return FALSE;
}

static gboolean
set_rune_error (GError     **error,
                const char  *prefix,
                gint32       r)
{
  g_autoptr(GString) text = g_string_new (prefix);

  append_rune (text, r);
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_PARSE, text->str);
  return FALSE;
}

static gboolean
scan_identifier (Parser  *p,
                 gsize   *start,
                 gsize   *len,
                 GError **error)
{
  gint32 c = peek_rune (p);

  if (!is_letter (c))
    return set_rune_error (error, "Expected identifier to start with a letter, got ", c);

  *start = scan_until (p, SCAN_IDENTIFIER, -1);
  *len = p->pos - *start;
  return TRUE;
}

static const char *
lookup (Parser *p,
        gsize   start,
        gsize   len)
{
  g_autofree char *name = g_strndup (p->input + start, len);

  if (p->lookup != NULL)
    return p->lookup (name, p->user_data);
  return g_getenv (name);
}

/* A variable that was not set and became nothing: goose does the same
 * without a word, which is worth a warning in `validate`. */
static void
note_unset (Parser *p,
            gsize   start,
            gsize   len)
{
  if (p->unset != NULL)
    g_ptr_array_add (p->unset, g_strndup (p->input + start, len));
}

static gboolean parse_expression (Parser   *p,
                                  gint32    stop,
                                  gboolean  active,
                                  GString  *out,
                                  GError  **error);

static gboolean
parse_substring (Parser      *p,
                 gboolean     active,
                 const char  *value,
                 GString     *out,
                 GError     **error)
{
  gint64 offset = 0, length = 0;
  gboolean has_length = FALSE;
  const char *text;
  gsize start, text_len;
  g_autofree char *why = NULL;

  start = scan_until (p, SCAN_OFFSET, -1);
  text = p->input + start;
  text_len = p->pos - start;
  gander_go_trim_space (&text, &text_len);
  if (!gander_go_atoi (text, text_len, &offset, &why))
    return set_error (error, "Unable to parse offset: %s", why);

  if (peek_rune (p) != '}')
    {
      /* Whatever stopped the offset (normally ':') is skipped unseen. */
      next_rune (p);
      start = scan_until (p, SCAN_LENGTH, -1);
      text = p->input + start;
      text_len = p->pos - start;
      gander_go_trim_space (&text, &text_len);
      if (!gander_go_atoi (text, text_len, &length, &why))
        return set_error (error, "Unable to parse length: %s", why);
      has_length = TRUE;
    }

  if (active)
    {
      gint64 vlen = value != NULL ? (gint64) strlen (value) : 0;
      gint64 from = offset, to;

      if (from < 0)
        from += vlen;
      from = CLAMP (from, 0, vlen);

      if (!has_length)
        {
          to = vlen;
        }
      else if (length >= 0)
        {
          /* Go would overflow and panic on absurd lengths; clamp. */
          to = length > vlen - from ? vlen : from + length;
        }
      else
        {
          to = length + vlen;
          if (to < from)
            to = from;
        }
      if (to > vlen)
        to = vlen;

      if (to > from)
        g_string_append_len (out, value + from, to - from);
    }

  return TRUE;
}

static gboolean
parse_brace_expansion (Parser   *p,
                       gboolean  active,
                       GString  *out,
                       GError  **error)
{
  gsize name_start = 0, name_len = 0;
  const char *value = NULL;
  gint32 op;
  gint32 c;

  next_rune (p);  /* the '{' */

  if (!scan_identifier (p, &name_start, &name_len, error))
    return FALSE;

  if (active)
    value = lookup (p, name_start, name_len);

  if (peek_rune (p) == '}')
    {
      next_rune (p);
      if (active && value != NULL)
        g_string_append (out, value);
      else if (active)
        note_unset (p, name_start, name_len);
      return TRUE;
    }

  op = next_rune (p);
  if (op == ':')
    {
      if (peek_rune (p) == '-')
        {
          next_rune (p);
          op = 'd';  /* ":-" */
        }
    }
  else if (op != '?' && op != '-')
    {
      return set_rune_error (error, "Expected an operator, got ", op);
    }

  switch (op)
    {
    case 'd':
    case '-':
      {
        /* ":-" falls back when unset or empty, "-" only when unset. */
        gboolean use_default = active &&
          (value == NULL || (op == 'd' && value[0] == '\0'));

        if (!parse_expression (p, '}', use_default, out, error))
          return FALSE;
        if (active && !use_default)
          g_string_append (out, value);
      }
      break;

    case ':':
      if (active && value == NULL)
        note_unset (p, name_start, name_len);
      if (!parse_substring (p, active, value, out, error))
        return FALSE;
      break;

    case '?':
    default:
      if (active && value == NULL)
        {
          g_autoptr(GString) message = g_string_new (NULL);
          g_autofree char *name = g_strndup (p->input + name_start, name_len);

          if (!parse_expression (p, '}', TRUE, message, error))
            return FALSE;
          return set_error (error, "$%s: %s", name,
                            message->len > 0 ? message->str : "not set");
        }
      if (!parse_expression (p, '}', FALSE, NULL, error))
        return FALSE;
      if (active)
        g_string_append (out, value);
      break;
    }

  c = next_rune (p);
  if (c != '}')
    return set_rune_error (error, "Expected brace expansion to end with }, got ", c);

  return TRUE;
}

static gboolean
parse_expansion (Parser   *p,
                 gboolean  active,
                 GString  *out,
                 GError  **error)
{
  gsize start, len;

  next_rune (p);  /* the '$' */

  if (peek_rune (p) == '{')
    return parse_brace_expansion (p, active, out, error);

  if (!scan_identifier (p, &start, &len, error))
    return FALSE;

  if (active)
    {
      const char *value = lookup (p, start, len);

      if (value != NULL)
        g_string_append (out, value);
      else
        note_unset (p, start, len);
    }
  return TRUE;
}

/* Parser.parseExpression: text and expansions up to @stop (or the end of
 * the input when @stop is negative). Output is produced only when @active,
 * which is how the unchosen branch of `${X:-...}` stays silent. */
static gboolean
parse_expression (Parser   *p,
                  gint32    stop,
                  gboolean  active,
                  GString  *out,
                  GError  **error)
{
  for (;;)
    {
      gint32 c = peek_rune (p);
      const char *rest = p->input + p->pos;
      gsize left = p->len - p->pos;
      gsize start;

      if (c == RUNE_EOF || (stop >= 0 && c == stop))
        break;

      /* Escapes come first: nothing after them is an expansion. */
      if (left >= 2 && rest[0] == '\\' && rest[1] == '\\')
        {
          p->pos += 2;
          if (active)
            g_string_append (out, "\\\\");
          continue;
        }
      if (left >= 2 && (rest[0] == '\\' || rest[0] == '$') && rest[1] == '$')
        {
          if (rest[0] == '$')
            p->collapsed_dollars = TRUE;
          p->pos += 2;
          if (active)
            g_string_append_c (out, '$');
          continue;
        }
      /* Shell command substitutions are left alone. */
      if (left >= 2 && rest[0] == '$' && rest[1] == '(')
        {
          p->pos += 2;
          if (active)
            g_string_append (out, "$(");
          continue;
        }

      /* A '$' that is not the last byte starts an expansion. */
      if (c == '$' && p->pos + 1 < p->len)
        {
          if (!parse_expansion (p, active, out, error))
            return FALSE;
          continue;
        }

      /* One rune, re-encoded (invalid bytes become U+FFFD), then plain
       * text up to the next '$', '\\' or stop rune. */
      c = next_rune (p);
      if (active)
        append_rune (out, c);
      start = scan_until (p, SCAN_TEXT, stop);
      if (active)
        g_string_append_len (out, p->input + start, p->pos - start);
    }

  return TRUE;
}

static gboolean
go_valid_utf8 (const char *s,
               gsize       len)
{
  gsize i = 0;

  while (i < len)
    {
      gsize size;

      if ((guint8) s[i] < 0x80)
        {
          i++;
          continue;
        }
      if (gander_go_decode_rune (s + i, len - i, &size) == GANDER_GO_RUNE_ERROR &&
          size == 1)
        return FALSE;
      i += size;
    }
  return TRUE;
}

/**
 * gander_envsub_expand:
 * @text: the line to expand
 * @len: its length in bytes
 * @lookup: (nullable): how to read variables; %NULL for the process
 *   environment
 * @user_data: data for @lookup
 * @out: where the expanded line is appended
 * @collapsed_dollars: (out) (optional): set to %TRUE when the line held a
 *   `$$` that became `$`
 * @error: return location for an error
 *
 * Expands @text the way goose's `-- +goose ENVSUB ON` does. On failure the
 * error message is the library's own text (goose adds its prefix) and @out
 * is left unchanged.
 *
 * Returns: %TRUE on success
 */
gboolean
gander_envsub_expand (const char          *text,
                      gsize                len,
                      GanderEnvsubLookup   lookup_func,
                      gpointer             user_data,
                      GString             *out,
                      gboolean            *collapsed_dollars,
                      GError             **error)
{
  return gander_envsub_expand_full (text, len, lookup_func, user_data, out,
                                    collapsed_dollars, NULL, error);
}

/* gander_envsub_expand(), also adding to @unset (when not %NULL) the name
 * of every variable that was not set and expanded to nothing (`$X`,
 * `${X}`, `${X:offset}`; not `${X:-default}` nor `${X-default}`). */
gboolean
gander_envsub_expand_full (const char          *text,
                           gsize                len,
                           GanderEnvsubLookup   lookup_func,
                           gpointer             user_data,
                           GString             *out,
                           gboolean            *collapsed_dollars,
                           GPtrArray           *unset,
                           GError             **error)
{
  Parser p = {
    .input = text,
    .len = len,
    .lookup = lookup_func,
    .user_data = user_data,
  };

  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (collapsed_dollars != NULL)
    *collapsed_dollars = FALSE;

  /* Fast path: without '$' or '\\' a line expands to itself, except that
   * invalid UTF-8 would be rewritten; let the full walk handle that. */
  if (memchr (text, '$', len) == NULL && memchr (text, '\\', len) == NULL &&
      go_valid_utf8 (text, len))
    {
      g_string_append_len (out, text, len);
      return TRUE;
    }

  /* Walk 1: syntax only, like interpolate's Parse(). */
  p.evaluate = FALSE;
  if (!parse_expression (&p, RUNE_EOF, FALSE, NULL, error))
    return FALSE;

  /* Walk 2: expand, like Expression.Expand(). */
  {
    g_autoptr(GString) result = g_string_sized_new (len + 16);

    p.pos = 0;
    p.evaluate = TRUE;
    p.unset = unset;
    if (!parse_expression (&p, RUNE_EOF, TRUE, result, error))
      return FALSE;
    g_string_append_len (out, result->str, result->len);
  }

  if (collapsed_dollars != NULL)
    *collapsed_dollars = p.collapsed_dollars;
  return TRUE;
}
