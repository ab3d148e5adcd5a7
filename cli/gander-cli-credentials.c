/* gander-cli-credentials.c: `credentials set|clear PROFILE`
 *
 * The password of a profile's PostgreSQL database in the user's keyring
 * (gander_credentials_store()), for profiles with password-source=keyring.
 * The secret is read from the terminal with echo off (asked twice) or,
 * with --password-stdin, from standard input up to EOF, as `docker login`
 * does: never from the command line, where every user sees it in
 * /proc/PID/cmdline. It is never printed, and overwritten once stored.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "gander-cli-run.h"

/* --password-stdin: everything up to EOF, one trailing newline dropped */
static char *
read_stdin (GError **error)
{
  return gander_credentials_read_secret_fd (STDIN_FILENO, _("standard input"), error);
}

/* --- the terminal, echo off --- */

static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static void
restore_echo_and_exit (int signo)
{
  if (tty_echo_off)
    tcsetattr (tty_fd, TCSAFLUSH, &tty_saved);
  (void) !write (tty_fd, "\n", 1);
  _exit (128 + signo);
}

static gboolean
tty_write (const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      ssize_t n = write (tty_fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      text += n;
      len -= n;
    }
  return TRUE;
}

/* One line typed without echo; NULL with @error at EOF or on failure. */
static char *
tty_read_secret (const char  *prompt,
                 GError     **error)
{
  char buffer[GANDER_SECRET_MAX + 2];
  struct termios quiet;
  gsize len = 0;
  gboolean eol = FALSE;
  char *secret = NULL;

  if (tcgetattr (tty_fd, &tty_saved) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("cannot turn off the terminal's echo: %s"), g_strerror (saved_errno));
      return NULL;
    }
  quiet = tty_saved;
  quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
  quiet.c_lflag |= ICANON;
  /* echo off (typeahead discarded) before the prompt: what is typed after
   * the prompt is never shown */
  tty_echo_off = 1;
  if (tcsetattr (tty_fd, TCSAFLUSH, &quiet) != 0)
    {
      int saved_errno = errno;

      tty_echo_off = 0;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("cannot turn off the terminal's echo: %s"), g_strerror (saved_errno));
      return NULL;
    }
  tty_write (prompt);
  while (!eol && len < sizeof buffer)
    {
      char c;
      ssize_t n = read (tty_fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (c == '\n' || c == '\r')
        eol = TRUE;
      else
        buffer[len++] = c;
    }
  tcsetattr (tty_fd, TCSAFLUSH, &tty_saved);
  tty_echo_off = 0;
  tty_write ("\n");

  if (!eol && len < sizeof buffer)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("no password typed (end of input)"));
  else if (len > GANDER_SECRET_MAX)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("the password is longer than %d bytes"), GANDER_SECRET_MAX);
  else if (len == 0)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("the password is empty: nothing stored"));
  else
    secret = g_strndup (buffer, len);
  explicit_bzero (buffer, sizeof buffer);
  return secret;
}

static char *
read_terminal (const char  *profile,
               GError     **error)
{
  struct sigaction action = { 0 }, old_int, old_term, old_hup;
  g_autofree char *prompt = NULL;
  char *first = NULL;
  char *second = NULL;

  tty_fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty_fd < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("no terminal to read the password from: pipe it in "
                             "with --password-stdin (printf '%s' \"$PW\" | gander "
                             "credentials set PROFILE --password-stdin)"));
      return NULL;
    }
  /* Ctrl-C while echo is off gives the terminal back as it was */
  action.sa_handler = restore_echo_and_exit;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, &old_int);
  sigaction (SIGTERM, &action, &old_term);
  sigaction (SIGHUP, &action, &old_hup);

  /* TRANSLATORS: the prompt for a password; %s is the profile */
  prompt = g_strdup_printf (_("Password for profile %s: "), profile);
  first = tty_read_secret (prompt, error);
  if (first != NULL)
    {
      second = tty_read_secret (_("Again, to check: "), error);
      if (second != NULL && strcmp (first, second) != 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("the two passwords differ: nothing stored"));
          g_clear_pointer (&first, gander_credentials_free_secret);
        }
      else if (second == NULL)
        g_clear_pointer (&first, gander_credentials_free_secret);
      g_clear_pointer (&second, gander_credentials_free_secret);
    }

  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);
  sigaction (SIGHUP, &old_hup, NULL);
  close (tty_fd);
  tty_fd = -1;
  return first;
}

/* --- the command --- */

static void
note_source (GanderProfile *profile,
             const char    *name)
{
  const char *source = gander_profile_get (profile, "password-source");

  if (gander_profile_get_password_source (profile, NULL) == GANDER_PASSWORD_SOURCE_KEYRING)
    return;
  /* TRANSLATORS: profile, its password-source (or "none") */
  cli_log_always (_("note: profile %s has password-source=%s, so Gander does not "
                    "read the keyring for it: add password-source=keyring to its "
                    "[profile %s] group"),
                  name, source != NULL ? source : "none", name);
}

int
cli_cmd_credentials (CliOptions  *opts,
                     char       **argv)
{
  g_autoptr(GanderProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  const char *action = argv[0];
  const char *name;

  if (action == NULL || (!g_str_equal (action, "set") && !g_str_equal (action, "clear")))
    return cli_usage_error (_("usage: gander credentials set PROFILE [--password-stdin]\n"
                              "       gander credentials clear PROFILE"));
  name = argv[1];
  if (name == NULL)
    return cli_usage_error (_("credentials %s needs the PROFILE's name"), action);
  if (argv[2] != NULL)
    return cli_usage_error (_("credentials %s takes one PROFILE; the password is never "
                              "an argument (it would be visible to every user): type "
                              "it when asked, or use --password-stdin"), action);
  if (opts->profile != NULL && !g_str_equal (opts->profile, name))
    return cli_usage_error (_("credentials %s %s: --profile names another profile (%s)"),
                            action, name, opts->profile);
  if (opts->password_stdin && g_str_equal (action, "clear"))
    return cli_usage_error (_("credentials clear reads no password: leave out --password-stdin"));

  cli_set_str (&opts->profile, name);
  profile = cli_profile_build (opts, NULL, NULL, "command line", NULL, &error);
  if (profile == NULL)
    {
      g_printerr ("%s\n", error->message);
      return CLI_EXIT_USAGE;
    }
  if (!gander_credentials_is_supported ())
    {
      g_autoptr(GError) local_error = NULL;

      gander_credentials_clear (profile, NULL, &local_error);
      cli_fatal_message ("", local_error->message);
      return CLI_EXIT_FAILURE;
    }

  if (g_str_equal (action, "set"))
    {
      char *password;
      gboolean ok;

      /* the profile is checked before anyone types a password */
      if (gander_profile_get_driver (profile) == NULL ||
          gander_profile_get_dbstring (profile) == NULL)
        return cli_usage_error (_("profile %s names no %s: add %s= to its [profile %s] group"),
                                name,
                                gander_profile_get_driver (profile) == NULL ? "driver" : "dbstring",
                                gander_profile_get_driver (profile) == NULL ? "driver" : "dbstring",
                                name);
      if (!g_str_equal (gander_profile_get_driver (profile), "postgres") &&
          !g_str_equal (gander_profile_get_driver (profile), "pgx"))
        {
          cli_fatal_message ("", _("only PostgreSQL profiles have a password"));
          return CLI_EXIT_USAGE;
        }
      password = opts->password_stdin ? read_stdin (&error) : read_terminal (name, &error);
      if (password == NULL)
        {
          cli_fatal_message ("", error->message);
          return CLI_EXIT_FAILURE;
        }
      ok = gander_credentials_store (profile, password, NULL, &error);
      gander_credentials_free_secret (password);
      if (!ok)
        {
          cli_fatal_message ("", error->message);
          return g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONFIG) ||
                 g_error_matches (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT)
                 ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
        }
      cli_log_always (_("password of profile %s stored in the keyring"), name);
      note_source (profile, name);
      return CLI_EXIT_OK;
    }

  {
    g_autofree char *before = gander_credentials_lookup (profile, NULL, &error);

    if (error != NULL)
      {
        cli_fatal_message ("", error->message);
        return g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONFIG) ||
               g_error_matches (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT)
               ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
      }
    if (before == NULL)
      {
        cli_log_always (_("the keyring holds no password for profile %s: nothing to clear"),
                        name);
        return CLI_EXIT_OK;
      }
    explicit_bzero (before, strlen (before));
    if (!gander_credentials_clear (profile, NULL, &error))
      {
        cli_fatal_message ("", error->message);
        return CLI_EXIT_FAILURE;
      }
    cli_log_always (_("password of profile %s removed from the keyring"), name);
    return CLI_EXIT_OK;
  }
}
