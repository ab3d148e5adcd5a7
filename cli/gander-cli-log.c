/* gander-cli-log.c: goose's logger
 *
 * goose prints through Go's standard `log` package with its default flags:
 * every message goes to stderr, prefixed with the local date and time as
 * `YYYY/MM/DD HH:MM:SS `. Scripts written against goose read these lines,
 * so Gander writes them the same way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gander-cli.h"

#define GRAY  "\033[90m"
#define RESET "\033[0m"

static gboolean use_color;
static gboolean quiet;
static gboolean lib_verbose;
static GMutex log_lock;

void
cli_log_set_color (gboolean color)
{
  use_color = color;
}

/* --json: stdout carries the result, so the informational goose lines are
 * dropped; warnings and errors still reach stderr. */
void
cli_log_set_quiet (gboolean q)
{
  quiet = q;
}

/* Go's log package formats the local time of every line. The stamp only
 * changes once a second, and a run can log a line per migration, so the
 * text of the current second is kept (under log_lock). The local zone is
 * read once, as Go does at start-up. */
static GTimeZone *local_zone;
static gint64 stamp_second = G_MININT64;
static char stamp_text[32];

static const char *
current_stamp (void)
{
  gint64 second = g_get_real_time () / G_USEC_PER_SEC;

  if (second != stamp_second)
    {
      g_autoptr(GDateTime) now = NULL;
      g_autofree char *text = NULL;

      if (local_zone == NULL)
        local_zone = g_time_zone_new_local ();
      now = g_date_time_new_from_unix_utc (second);
      if (now != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_timezone (now, local_zone);

          if (local != NULL)
            text = g_date_time_format (local, "%Y/%m/%d %H:%M:%S ");
        }
      g_strlcpy (stamp_text, text != NULL ? text : "", sizeof stamp_text);
      stamp_second = second;
    }
  return stamp_text;
}

/* Appends one logger line (stamp, message, newline) to @line; log_lock
 * held. */
static void
append_line (GString    *line,
             gboolean    gray,
             const char *message)
{
  gsize len = strlen (message);
  gboolean color = gray && use_color;

  g_string_append (line, current_stamp ());
  if (color)
    g_string_append (line, GRAY);
  g_string_append_len (line, message, len);
  if (color)
    g_string_append (line, RESET);
  if (len == 0 || message[len - 1] != '\n')
    g_string_append_c (line, '\n');
}

static void
write_line (gboolean    gray,
            const char *message)
{
  g_autoptr(GString) line = g_string_sized_new (strlen (message) + 48);

  g_mutex_lock (&log_lock);
  append_line (line, gray, message);
  /* One write per line, as Go's logger does: stderr is unbuffered, so
   * separate pieces would each be a system call, and lines written by
   * several processes to one file would interleave. */
  fwrite (line->str, 1, line->len, stderr);
  fflush (stderr);
  g_mutex_unlock (&log_lock);
}

/* A block of lines for one write: `status` logs a line per migration, and
 * a thousand write() calls cost more than building the table. The bytes
 * are those cli_log() would write line by line, stamps included. A block
 * that outgrows CLI_LOG_BLOCK_SIZE is written out at once (whole lines),
 * so memory stays the same however many migrations there are. */
void
cli_log_block_append (GString    *block,
                      const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (quiet)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&log_lock);
  append_line (block, FALSE, message);
  g_mutex_unlock (&log_lock);
  if (block->len >= CLI_LOG_BLOCK_SIZE)
    cli_log_block_flush (block);
}

/* Writes what cli_log_block_append() collected and empties @block. */
void
cli_log_block_flush (GString *block)
{
  if (block->len == 0)
    return;
  g_mutex_lock (&log_lock);
  fwrite (block->str, 1, block->len, stderr);
  fflush (stderr);
  g_mutex_unlock (&log_lock);
  g_string_truncate (block, 0);
}

void
cli_log (const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (quiet)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  write_line (FALSE, message);
}

void
cli_log_always (const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  write_line (FALSE, message);
}

/* goose -v prints its transaction and statement traces in gray. */
void
cli_log_gray (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (quiet)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  write_line (TRUE, message);
}

void
cli_warn (const char *format,
          ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: prefix of a warning line; %s is the warning */
  line = g_strdup_printf (_("warning: %s"), message);
  write_line (FALSE, line);
}

static GLogWriterOutput
lib_log_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *message = NULL;
  const char *domain = NULL;
  const char *notice = NULL;
  const char *holder = NULL;
  const char *timeout_ms = NULL;
  const char *trace = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "GANDER_NOTICE"))
        notice = fields[i].value;
      else if (g_str_equal (fields[i].key, "GANDER_LOCK_HOLDER"))
        holder = fields[i].value;
      else if (g_str_equal (fields[i].key, "GANDER_LOCK_TIMEOUT_MS"))
        timeout_ms = fields[i].value;
      else if (g_str_equal (fields[i].key, "GANDER_TRACE"))
        trace = fields[i].value;
    }
  /* GLib's and GIO's own chatter keeps its usual treatment */
  if (message == NULL || domain == NULL || !g_str_has_prefix (domain, "Gander"))
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  /* a runner waiting for another one's lock says so, after about a
   * second, instead of waiting in silence for minutes */
  if (g_strcmp0 (notice, "lock-wait") == 0 && holder != NULL && timeout_ms != NULL)
    {
      g_autofree char *limit =
        cli_go_duration_string (g_ascii_strtoll (timeout_ms, NULL, 10) * 1000 * 1000);

      /* TRANSLATORS: the first %s says who holds the lock ("held by pid
       * 123 on host db1, since …"), the second is a duration such as 5m0s */
      cli_log_always (_("waiting for another migration run to release the lock on "
                        "this database (%s); giving up after %s (--lock-timeout, "
                        "default 5m)"), holder, limit);
      return G_LOG_WRITER_HANDLED;
    }

  switch (log_level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_DEBUG:
    case G_LOG_LEVEL_INFO:
      /* -v: what goose's -v shows (a migration's transaction; the
       * statements come from the migrator's signal), in goose's gray */
      if (g_strcmp0 (trace, "goose") == 0)
        {
          if (lib_verbose)
            cli_log_gray ("%s", message);
          return G_LOG_WRITER_HANDLED;
        }
      /* the library's own catalog, lock and connection chatter: only
       * under G_MESSAGES_DEBUG, in GLib's usual format */
      return g_log_writer_default (log_level, fields, n_fields, user_data);
    case G_LOG_LEVEL_MESSAGE:
      cli_log ("%s", message);
      return G_LOG_WRITER_HANDLED;
    case G_LOG_LEVEL_WARNING:
      cli_warn ("%s", message);
      return G_LOG_WRITER_HANDLED;
    default:
      /* criticals and errors keep GLib's handling (G_DEBUG=fatal-*) */
      return g_log_writer_default (log_level, fields, n_fields, user_data);
    }
}

/* Routes GLib logging (the library's g_debug traces among it) through the
 * goose logger; called once, before anything logs. */
void
cli_log_install_lib_writer (gboolean verbose)
{
  lib_verbose = verbose;
  /* debug output (G_MESSAGES_DEBUG) must never mix with --json on stdout */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (lib_log_writer, NULL, NULL);
}
