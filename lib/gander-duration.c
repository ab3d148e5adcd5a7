/* gander-duration.c: Go-style durations ("1h30m", "500ms")
 *
 * Gander's users come from goose, a Go program, so durations in flags and
 * configuration files follow time.ParseDuration and print as
 * time.Duration.String(). The parser core uses GLib alone because the CLI
 * compiles this file into its own helpers (which keep Go's exact error
 * texts); gander_parse_duration(), the library's form with GANDER_ERROR,
 * is only built inside the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "gander-duration-private.h"

#ifdef GANDER_COMPILATION
#include <glib/gi18n-lib.h>
#include "gander-error.h"
#endif

#define BIT63 (G_GUINT64_CONSTANT (1) << 63)

GanderDurationStatus
gander_duration_parse_ns (const char  *text,
                          gint64      *nsec,
                          char       **unit_out)
{
  static const struct { const char *name; guint64 ns; } units[] = {
    { "ns", 1 },
    { "us", 1000 },
    { "\xc2\xb5s", 1000 },   /* U+00B5 MICRO SIGN */
    { "\xce\xbcs", 1000 },   /* U+03BC GREEK SMALL LETTER MU */
    { "ms", 1000000 },
    { "s", G_GUINT64_CONSTANT (1000000000) },
    { "m", G_GUINT64_CONSTANT (60000000000) },
    { "h", G_GUINT64_CONSTANT (3600000000000) },
  };
  const char *s = text;
  guint64 total = 0;
  gboolean neg = FALSE;

  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  if (g_str_equal (s, "0"))
    {
      *nsec = 0;
      return GANDER_DURATION_OK;
    }
  if (*s == '\0')
    return GANDER_DURATION_INVALID;

  while (*s != '\0')
    {
      guint64 v = 0, f = 0, unit = 0;
      double scale = 1;
      gboolean pre = FALSE, post = FALSE, overflow = FALSE;
      gsize unit_len = 0;

      if (!(*s == '.' || g_ascii_isdigit (*s)))
        return GANDER_DURATION_INVALID;

      for (; g_ascii_isdigit (*s); s++)
        {
          pre = TRUE;
          if (v > (G_MAXUINT64 >> 1) / 10)
            return GANDER_DURATION_INVALID;
          v = v * 10 + (*s - '0');
          if (v > (G_MAXUINT64 >> 1))
            return GANDER_DURATION_INVALID;
        }
      if (*s == '.')
        {
          s++;
          for (; g_ascii_isdigit (*s); s++)
            {
              post = TRUE;
              if (overflow)
                continue;
              if (f > (G_MAXUINT64 >> 1) / 10)
                {
                  /* Go drops the digits it cannot hold */
                  overflow = TRUE;
                  continue;
                }
              f = f * 10 + (*s - '0');
              scale *= 10;
            }
        }
      if (!pre && !post)
        return GANDER_DURATION_INVALID;

      while (s[unit_len] != '\0' && s[unit_len] != '.' &&
             !g_ascii_isdigit (s[unit_len]))
        unit_len++;
      if (unit_len == 0)
        return GANDER_DURATION_MISSING_UNIT;
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (strlen (units[i].name) == unit_len &&
            strncmp (units[i].name, s, unit_len) == 0)
          unit = units[i].ns;
      if (unit == 0)
        {
          if (unit_out != NULL)
            *unit_out = g_strndup (s, unit_len);
          return GANDER_DURATION_UNKNOWN_UNIT;
        }
      s += unit_len;

      if (v > BIT63 / unit)
        return GANDER_DURATION_INVALID;
      v *= unit;
      if (f > 0)
        {
          v += (guint64) ((double) f * ((double) unit / scale));
          if (v > BIT63)
            return GANDER_DURATION_INVALID;
        }
      total += v;
      if (total > BIT63)
        return GANDER_DURATION_INVALID;
    }

  if (neg)
    {
      *nsec = total == BIT63 ? G_MININT64 : -(gint64) total;
      return GANDER_DURATION_OK;
    }
  if (total > G_MAXINT64)
    return GANDER_DURATION_INVALID;
  *nsec = (gint64) total;
  return GANDER_DURATION_OK;
}

/* Writes the fraction v / 10^prec before buf[*w], without trailing zeros
 * and without the point when it is zero; returns the integer part. */
static guint64
fmt_frac (char    *buf,
          int     *w,
          guint64  v,
          int      prec)
{
  gboolean print = FALSE;

  for (int i = 0; i < prec; i++)
    {
      int digit = v % 10;

      print = print || digit != 0;
      if (print)
        buf[--(*w)] = '0' + digit;
      v /= 10;
    }
  if (print)
    buf[--(*w)] = '.';
  return v;
}

static void
fmt_int (char    *buf,
         int     *w,
         guint64  v)
{
  do
    {
      buf[--(*w)] = '0' + v % 10;
      v /= 10;
    }
  while (v > 0);
}

char *
gander_format_duration (GTimeSpan span)
{
  char buf[40];
  int w = sizeof buf;
  gboolean neg = span < 0;
  guint64 u = neg ? -(guint64) span : (guint64) span;

  if (u == 0)
    return g_strdup ("0s");
  buf[--w] = 's';
  if (u < (guint64) G_TIME_SPAN_MILLISECOND)
    {
      /* U+00B5 MICRO SIGN, as Go writes it */
      buf[--w] = '\xb5';
      buf[--w] = '\xc2';
      fmt_int (buf, &w, u);
    }
  else if (u < (guint64) G_TIME_SPAN_SECOND)
    {
      buf[--w] = 'm';
      u = fmt_frac (buf, &w, u, 3);
      fmt_int (buf, &w, u);
    }
  else
    {
      u = fmt_frac (buf, &w, u, 6);
      fmt_int (buf, &w, u % 60);
      u /= 60;
      if (u > 0)
        {
          buf[--w] = 'm';
          fmt_int (buf, &w, u % 60);
          u /= 60;
          if (u > 0)
            {
              buf[--w] = 'h';
              fmt_int (buf, &w, u);
            }
        }
    }
  if (neg)
    buf[--w] = '-';
  return g_strndup (buf + w, sizeof buf - w);
}

#ifdef GANDER_COMPILATION
gboolean
gander_parse_duration (const char  *text,
                       GTimeSpan   *out,
                       GError     **error)
{
  g_autofree char *unit = NULL;
  gint64 ns = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  switch (gander_duration_parse_ns (text, &ns, &unit))
    {
    case GANDER_DURATION_OK:
      break;
    case GANDER_DURATION_MISSING_UNIT:
      if (strspn (text, "0123456789.") == strlen (text))
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     _("“%s” is not a duration: a number needs a unit, "
                       "such as %ss, %sm or %sh (units: ns, us, ms, s, m, h)"),
                     text, text, text, text);
      else
        g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                     _("“%s” is not a duration: every number needs a unit "
                       "(units: ns, us, ms, s, m, h)"),
                     text);
      return FALSE;
    case GANDER_DURATION_UNKNOWN_UNIT:
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("“%s” is not a duration: unknown unit “%s” "
                     "(units: ns, us, ms, s, m, h)"),
                   text, unit);
      return FALSE;
    case GANDER_DURATION_INVALID:
    default:
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIG,
                   _("“%s” is not a duration (write it as Go does: "
                     "30s, 5m, 1h30m, 500ms, or 0)"),
                   text);
      return FALSE;
    }

  /* round away from zero: a non-zero duration never becomes 0 µs */
  if (ns > 0)
    *out = ns / 1000 + (ns % 1000 != 0);
  else
    *out = ns / 1000 - (ns % 1000 != 0);
  return TRUE;
}
#endif
