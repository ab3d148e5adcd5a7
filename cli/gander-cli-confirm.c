/* gander-cli-confirm.c: a person confirms a guarded command by typing a name
 *
 * The question goes to the controlling terminal (/dev/tty), not to stdout,
 * so that `--json` output and redirected logs stay clean, and the answer
 * is read from it too. Without a terminal nobody can answer: the command
 * then needs --confirm=NAME.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "gander.h"
#include "gander-cli.h"

/* Both ends at a terminal: someone is there to answer. */
gboolean
cli_confirm_can_prompt (void)
{
  return isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
}

static gboolean
write_all (int         fd,
           const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      ssize_t n = write (fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      text += n;
      len -= n;
    }
  return TRUE;
}

/* One line from @fd, waiting also on @cancellable (SIGINT, SIGTERM and
 * -timeout cancel it: the signal thread owns those signals, so a plain
 * read() would not wake up). */
static char *
read_line (int            fd,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  GPollFD fds[2] = { { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 }, { -1, 0, 0 } };
  guint nfds = 1;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    nfds = 2;

  for (;;)
    {
      char c;
      ssize_t n;

      if (g_poll (fds, nfds, -1) < 0 && errno != EINTR)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          if (nfds == 2)
            g_cancellable_release_fd (cancellable);
          return NULL;
        }
      if (fds[0].revents == 0)
        continue;
      n = read (fd, &c, 1);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0 || c == '\n')
        break;
      if (line->len < 4096)
        g_string_append_c (line, c);
    }
  if (nfds == 2)
    g_cancellable_release_fd (cancellable);
  return g_strstrip (g_string_free (g_steal_pointer (&line), FALSE));
}

/* Asks on the terminal. Returns what was typed (possibly empty), or NULL
 * with @error set when the terminal cannot be used or the wait was
 * cancelled. */
char *
cli_confirm_prompt (const char    *question,
                    const char    *name,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *prompt = NULL;
  char *answer;
  int fd;

  fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED,
                   _("cannot ask for confirmation: /dev/tty: %s; run again with "
                     "--confirm=%s"), g_strerror (saved), name);
      return NULL;
    }
  prompt = g_strdup_printf (_("%s\nType %s to go on, anything else to stop: "),
                            question, name);
  if (!write_all (fd, prompt))
    {
      int saved = errno;

      close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED,
                   _("cannot ask for confirmation: /dev/tty: %s; run again with "
                     "--confirm=%s"), g_strerror (saved), name);
      return NULL;
    }
  answer = read_line (fd, cancellable, error);
  if (answer == NULL)
    write_all (fd, "\n");
  close (fd);
  return answer;
}

/* The file a SQLite DBSTRING names (a file name, or a `file:` URI without
 * its query). */
char *
cli_sqlite_path (const char *dsn)
{
  const char *q;

  if (g_str_has_prefix (dsn, "file:"))
    {
      dsn += strlen ("file:");
      /* file:///abs and file://localhost/abs */
      if (g_str_has_prefix (dsn, "///"))
        dsn += 2;
      else if (g_str_has_prefix (dsn, "//localhost/"))
        dsn += strlen ("//localhost");
      q = strchr (dsn, '?');
      if (q == NULL)
        q = strchr (dsn, '#');
      return q != NULL ? g_strndup (dsn, q - dsn) : g_strdup (dsn);
    }
  return g_strdup (dsn);
}

static char *
sqlite_name (const char *dsn)
{
  g_autofree char *path = cli_sqlite_path (dsn);

  return g_path_get_basename (path);
}

/* dbname of a libpq URI or key=value string, as the manager reads it
 * (NULL without one: the manager then asks for a profile). */
static char *
postgres_name (const char *dsn)
{
  if (g_str_has_prefix (dsn, "postgres://") || g_str_has_prefix (dsn, "postgresql://"))
    {
      g_autofree char *path = NULL;

      if (!g_uri_split (dsn, G_URI_FLAGS_NONE, NULL, NULL, NULL, NULL, &path, NULL, NULL, NULL) ||
          path == NULL || path[0] != '/' || path[1] == '\0')
        return NULL;
      return g_strdup (path + 1);
    }
  else
    {
      g_auto(GStrv) words = g_strsplit_set (dsn, " \t\n", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (g_str_has_prefix (words[i], "dbname=") && words[i][7] != '\0')
          return g_strdup (words[i] + 7);
    }
  return NULL;
}

/* The name a person types to confirm a guarded command: the profile's, or
 * for a database named on the command line, the database's own name. */
char *
cli_confirmation_name (const char *profile,
                       const char *driver,
                       const char *dsn)
{
  if (profile != NULL)
    return g_strdup (profile);
  if (dsn == NULL)
    return NULL;
  if (driver != NULL && g_str_has_prefix (driver, "sqlite"))
    return sqlite_name (dsn);
  return postgres_name (dsn);
}
