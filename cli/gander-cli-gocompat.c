/* gander-cli-gocompat.c: the Go behaviours a goose user sees
 *
 * goose is a Go program, so what its users read and type follows Go's
 * standard library: durations print as time.Duration.String() does, -timeout
 * parses as time.ParseDuration, bool flags as strconv.ParseBool, `goose env`
 * quotes with %q, paths are joined with filepath.Join. These are small
 * re-implementations written from the documented behaviour.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gander-cli.h"
#include "../lib/gander-duration-private.h"

#define NSEC_PER_USEC  G_GINT64_CONSTANT (1000)
#define NSEC_PER_MSEC  G_GINT64_CONSTANT (1000000)
#define NSEC_PER_SEC   G_GINT64_CONSTANT (1000000000)

/* Writes the fraction v / 10^prec into the end of buf (before *w),
 * without trailing zeros and without the point when it is zero; returns
 * the integer part. */
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
  if (v == 0)
    {
      buf[--(*w)] = '0';
      return;
    }
  while (v > 0)
    {
      buf[--(*w)] = '0' + v % 10;
      v /= 10;
    }
}

/* time.Duration.String() */
char *
cli_go_duration_string (gint64 nsec)
{
  char buf[40];
  int w = sizeof buf;
  gboolean neg = nsec < 0;
  guint64 u = neg ? -(guint64) nsec : (guint64) nsec;

  if (u < (guint64) NSEC_PER_SEC)
    {
      int prec;

      buf[--w] = 's';
      if (u == 0)
        return g_strdup ("0s");
      if (u < (guint64) NSEC_PER_USEC)
        {
          prec = 0;
          buf[--w] = 'n';
        }
      else if (u < (guint64) NSEC_PER_MSEC)
        {
          /* U+00B5 MICRO SIGN, as Go writes it */
          prec = 3;
          buf[--w] = '\xb5';
          buf[--w] = '\xc2';
        }
      else
        {
          prec = 6;
          buf[--w] = 'm';
        }
      u = fmt_frac (buf, &w, u, prec);
      fmt_int (buf, &w, u);
    }
  else
    {
      buf[--w] = 's';
      u = fmt_frac (buf, &w, u, 9);
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

/* time.Duration.Round(): halves round away from zero. */
static gint64
go_duration_round (gint64 d,
                   gint64 m)
{
  gint64 r;

  if (m <= 0)
    return d;
  r = d % m;
  if (d < 0)
    {
      r = -r;
      return r + r < m ? d + r : d - (m - r);
    }
  return r + r < m ? d - r : d + (m - r);
}

/* goose's truncateDuration: fewer digits for longer runs. */
gint64
cli_goose_truncate_duration (gint64 nsec)
{
  static const gint64 steps[] = { NSEC_PER_SEC, NSEC_PER_MSEC, NSEC_PER_USEC };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (nsec > steps[i])
      return go_duration_round (nsec, steps[i] / 100);
  return nsec;
}

static gboolean
duration_error (GError     **error,
                const char  *what,
                const char  *orig)
{
  g_autofree char *quoted = cli_go_quote (orig);

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "time: %s %s", what, quoted);
  return FALSE;
}

/* time.ParseDuration(), with Go's own error texts; the parser is the
 * library's (lib/gander-duration.c, compiled in). */
gboolean
cli_go_parse_duration (const char  *text,
                       gint64      *nsec,
                       GError     **error)
{
  g_autofree char *unit = NULL;

  switch (gander_duration_parse_ns (text, nsec, &unit))
    {
    case GANDER_DURATION_OK:
      return TRUE;
    case GANDER_DURATION_MISSING_UNIT:
      return duration_error (error, "missing unit in duration", text);
    case GANDER_DURATION_UNKNOWN_UNIT:
      {
        g_autofree char *uq = cli_go_quote (unit);
        g_autofree char *tq = cli_go_quote (text);

        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "time: unknown unit %s in duration %s", uq, tq);
        return FALSE;
      }
    case GANDER_DURATION_INVALID:
    default:
      return duration_error (error, "invalid duration", text);
    }
}

/* strconv.ParseBool() */
gboolean
cli_go_parse_bool (const char *text,
                   gboolean   *value)
{
  static const char * const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char * const no[] = { "0", "f", "F", "FALSE", "false", "False" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_str_equal (text, yes[i]))
        {
          *value = TRUE;
          return TRUE;
        }
      if (g_str_equal (text, no[i]))
        {
          *value = FALSE;
          return TRUE;
        }
    }
  return FALSE;
}

/* strconv.Quote(), the %q verb */
char *
cli_go_quote (const char *text)
{
  GString *out = g_string_new ("\"");
  const char *p = text;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);
      const char *next;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\a': g_string_append (out, "\\a"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\v': g_string_append (out, "\\v"); break;
        default:
          if (c < 0x80 ? g_ascii_isprint (c) : g_unichar_isprint (c))
            g_string_append_len (out, p, next - p);
          else if (c < 0x80)
            g_string_append_printf (out, "\\x%02x", c);
          else if (c < 0x10000)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_printf (out, "\\U%08x", c);
        }
      p = next;
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* filepath.Clean() on Unix: purely lexical. */
char *
cli_go_path_clean (const char *path)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  gboolean rooted;
  GString *out;

  if (path == NULL || *path == '\0')
    return g_strdup (".");

  rooted = path[0] == '/';
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *e = parts[i];

      if (*e == '\0' || g_str_equal (e, "."))
        continue;
      if (g_str_equal (e, ".."))
        {
          if (kept->len > 0 &&
              !g_str_equal (g_ptr_array_index (kept, kept->len - 1), ".."))
            g_ptr_array_remove_index (kept, kept->len - 1);
          else if (!rooted)
            g_ptr_array_add (kept, (gpointer) e);
          continue;
        }
      g_ptr_array_add (kept, (gpointer) e);
    }

  out = g_string_new (rooted ? "/" : "");
  for (guint i = 0; i < kept->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (kept, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '.');
  return g_string_free (out, FALSE);
}

/* filepath.Join() of two elements. */
char *
cli_go_path_join (const char *dir,
                  const char *name)
{
  g_autofree char *joined = NULL;

  if (dir == NULL || *dir == '\0')
    return cli_go_path_clean (name);
  if (name == NULL || *name == '\0')
    return cli_go_path_clean (dir);
  joined = g_strconcat (dir, "/", name, NULL);
  return cli_go_path_clean (joined);
}

/* goose's snakeCase() for `create NAME`: runs of letters and digits are
 * kept, lower-cased; any other run becomes one `_`; leading separators go;
 * a single trailing separator character leaves a `_` but a longer trailing
 * run is dropped (goose's own quirk, kept so names match). */
char *
cli_goose_snake_case (const char *name)
{
  GString *out = g_string_new (NULL);
  const char *p = name;
  gboolean seen_word = FALSE;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        {
          seen_word = TRUE;
          g_string_append_unichar (out, g_unichar_tolower (c));
          p = g_utf8_next_char (p);
          continue;
        }

      {
        guint run = 0;

        while (*p != '\0' && !g_unichar_isalnum (g_utf8_get_char (p)))
          {
            run++;
            p = g_utf8_next_char (p);
          }
        if (!seen_word)
          continue;
        if (*p != '\0' || run == 1)
          g_string_append_c (out, '_');
      }
    }
  return g_string_free (out, FALSE);
}

/* goose's "timestamped" test: the version reads as 20060102150405 and is
 * after the Unix epoch. */
gboolean
cli_goose_is_timestamp (gint64 version)
{
  char text[32];
  int year, month, day, hour, min, sec;

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, version);
  if (strlen (text) != 14)
    return FALSE;
  if (sscanf (text, "%4d%2d%2d%2d%2d%2d", &year, &month, &day,
              &hour, &min, &sec) != 6)
    return FALSE;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59)
    return FALSE;
  if (day > g_date_get_days_in_month (month, year))
    return FALSE;
  /* strictly after 1970-01-01 00:00:00 */
  return version > G_GINT64_CONSTANT (19700101000000);
}

/* A version table timestamp (`YYYY-MM-DD HH:MM:SS[.frac][zone]`, or with a
 * `T`) in Go's time.ANSIC layout, `Mon Jan _2 15:04:05 2006`. The names are
 * English on purpose: scripts read this table. */
static char *
format_ansic_time (const char *db_timestamp)
{
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  static const char * const weekdays[] = {
    "", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
  };
  int year, month, day, hour, min, sec;
  char sep;

  if (sscanf (db_timestamp, "%4d-%2d-%2d%c%2d:%2d:%2d", &year, &month, &day,
              &sep, &hour, &min, &sec) != 7 ||
      (sep != ' ' && sep != 'T') ||
      !g_date_valid_dmy (day, month, year))
    return g_strdup (db_timestamp);

  {
    g_autoptr(GDate) date = g_date_new_dmy (day, month, year);

    return g_strdup_printf ("%s %s %2d %02d:%02d:%02d %d",
                            weekdays[g_date_get_weekday (date)],
                            months[month - 1], day, hour, min, sec, year);
  }
}

char *
cli_go_ansic_time (const char *db_timestamp)
{
  /* `status` formats one timestamp per applied migration, and a run of
   * `up` gives many rows the same one: the last answer is kept. */
  static GMutex lock;
  static char *last_in, *last_out;
  g_autoptr(GMutexLocker) locker = NULL;

  if (db_timestamp == NULL)
    return g_strdup ("");

  locker = g_mutex_locker_new (&lock);
  if (last_in == NULL || strcmp (last_in, db_timestamp) != 0)
    {
      g_free (last_in);
      g_free (last_out);
      last_in = g_strdup (db_timestamp);
      last_out = format_ansic_time (db_timestamp);
    }
  return g_strdup (last_out);
}

/* --lock-timeout and --statement-timeout: a Go duration, as -timeout
 * takes; a bare number other than 0 is an error suggesting a unit (it used
 * to mean milliseconds, which -timeout never did). */
gboolean
cli_parse_ms_or_duration (const char  *text,
                          gint64      *msec,
                          GError     **error)
{
  gint64 ns;
  guint64 plain;
  g_autoptr(GError) local_error = NULL;

  if (!cli_go_parse_duration (text, &ns, &local_error))
    {
      if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &plain, NULL))
        /* TRANSLATORS: the first %s is Go's error, then the number given
         * with two units, for example "1500ms" and "1500s" */
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s (add a unit, as for -timeout: %sms or %ss)"),
                     local_error->message, text, text);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (ns < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("a negative duration makes no sense here"));
      return FALSE;
    }
  /* round up so that 500us is not read as "no timeout" */
  *msec = (ns + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
  if (*msec > G_MAXUINT)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("the duration is too long"));
      return FALSE;
    }
  return TRUE;
}

/* Edit distance (insertions, deletions, substitutions, and swaps of two
 * neighbours: "stauts") between two short ASCII words. */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *d = g_new0 (guint, (la + 1) * (lb + 1));

#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
        guint best = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);

        best = MIN (best, D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          best = MIN (best, D (i - 2, j - 2) + 1);
        D (i, j) = best;
      }
  return D (la, lb);
#undef D
}

/* The candidate a mistyped @word most likely meant, for "did you mean":
 * at most two edits away (one for words of three letters or fewer), and
 * closer than any other; NULL if none is. */
const char *
cli_nearest_name (const char         *word,
                  const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  gboolean tie = FALSE;
  guint limit = strlen (word) <= 3 ? 1 : 2;

  if (word == NULL || strlen (word) > 64)
    return NULL;
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      guint distance = edit_distance (word, candidates[i]);

      if (distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
          tie = FALSE;
        }
      else if (distance == best_distance)
        tie = TRUE;
    }
  if (best == NULL || best_distance == 0 || best_distance > limit || tie)
    return NULL;
  return best;
}
