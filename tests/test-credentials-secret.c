/* test-credentials-secret.c: gander_credentials_read_secret_fd(), the one
 * reader behind `credentials set --password-stdin`, password-source=file:
 * and the daemon's SetPassword descriptor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Line ends: one trailing "\n" or "\r\n" is dropped, nothing else (a lone
 * "\r", a second "\n", spaces stay): what the three readers did before
 * they became one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gander.h>

#include "gander-test-util.h"

/* Reads @len bytes of @text through a pipe. */
static char *
read_bytes (const char  *text,
            gsize        len,
            GError     **error)
{
  int fds[2];
  char *secret;

  g_assert_cmpint (pipe (fds), ==, 0);
  /* the pipe holds 64 KiB: every input here fits before the read */
  g_assert_cmpint (write (fds[1], text, len), ==, (gssize) len);
  close (fds[1]);
  secret = gander_credentials_read_secret_fd (fds[0], "the pipe", error);
  close (fds[0]);
  return secret;
}

static char *
read_text (const char  *text,
           GError     **error)
{
  return read_bytes (text, strlen (text), error);
}

static void
test_line_ends (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "pw", "pw" },               /* EOF without a newline */
    { "pw\n", "pw" },             /* newline-terminated */
    { "pw\r\n", "pw" },           /* CRLF: both dropped */
    { "pw\r", "pw\r" },           /* a lone CR is the password's */
    { "pw\n\n", "pw\n" },         /* one newline only */
    { "pw\r\n\r\n", "pw\r\n" },
    { "p\nw", "p\nw" },           /* inside: kept */
    { " pw ", " pw " },
    { "\rpw\n", "\rpw" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      char *secret = read_text (cases[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (secret, ==, cases[i].expected);
      gander_credentials_free_secret (secret);
    }
}

static void
test_empty (void)
{
  static const char *const inputs[] = { "", "\n", "\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (read_text (inputs[i], &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, "the password from the pipe is empty");
    }
}

static void
test_length (void)
{
  static const struct {
    gsize       len;
    const char *tail;
    gsize       expected;       /* the password's length, 0: too long */
  } cases[] = {
    { GANDER_SECRET_MAX, "", GANDER_SECRET_MAX },
    { GANDER_SECRET_MAX, "\n", GANDER_SECRET_MAX },
    { GANDER_SECRET_MAX, "\r\n", GANDER_SECRET_MAX },
    { GANDER_SECRET_MAX - 1, "\r\r\n", GANDER_SECRET_MAX },
    { GANDER_SECRET_MAX + 1, "", 0 },
    { GANDER_SECRET_MAX + 1, "\n", 0 },
    { GANDER_SECRET_MAX + 1, "\r\n", 0 },
    { GANDER_SECRET_MAX, "\r\r\n", 0 },
    { 40000, "\n", 0 },          /* more than the reader's buffer */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strnfill (cases[i].len, 'p');
      g_autofree char *all = g_strconcat (text, cases[i].tail, NULL);
      g_autoptr(GError) error = NULL;
      char *secret = read_text (all, &error);

      if (cases[i].expected > 0)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (strlen (secret), ==, cases[i].expected);
          g_assert_true (g_str_has_prefix (secret, text));
        }
      else
        {
          g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
          g_assert_null (secret);
          g_assert_nonnull (strstr (error->message, "the pipe"));
          g_assert_nonnull (strstr (error->message, "longer than 4096 bytes"));
          g_assert_null (strstr (error->message, "ppp"));
        }
      gander_credentials_free_secret (secret);
    }
}

static void
test_nul (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (read_bytes ("a\0b\n", 4, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "NUL byte"));
}

static void
test_read_error (void)
{
  g_autoptr(GError) error = NULL;
  int fds[2];

  /* the write end cannot be read: EBADF */
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_null (gander_credentials_read_secret_fd (fds[1], NULL, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message,
                                   "cannot read the password from the file descriptor: "));
  close (fds[0]);
  close (fds[1]);
}

/* --- EINTR: a signal without SA_RESTART while read() waits --- */

static volatile sig_atomic_t signals_seen;
static volatile gboolean reader_started;

static void
on_signal (int signum)
{
  (void) signum;
  signals_seen++;
}

typedef struct {
  int     fd;
  char   *secret;
  GError *error;
} Reader;

static void *
reader_thread (void *data)
{
  Reader *reader = data;

  g_atomic_int_set (&reader_started, TRUE);
  reader->secret = gander_credentials_read_secret_fd (reader->fd, "the pipe",
                                                      &reader->error);
  return NULL;
}

static void
test_eintr (void)
{
  struct sigaction action = { 0 }, saved;
  Reader reader = { 0 };
  pthread_t thread;
  int fds[2];

  action.sa_handler = on_signal;
  action.sa_flags = 0;                /* no SA_RESTART: read() fails with EINTR */
  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaction (SIGUSR1, &action, &saved), ==, 0);

  g_assert_cmpint (pipe (fds), ==, 0);
  reader.fd = fds[0];
  signals_seen = 0;
  g_assert_cmpint (pthread_create (&thread, NULL, reader_thread, &reader), ==, 0);
  while (!g_atomic_int_get (&reader_started))
    g_usleep (1000);

  /* signals before any byte, between two writes, and before EOF */
  for (guint i = 0; i < 10; i++)
    {
      g_usleep (5000);
      g_assert_cmpint (pthread_kill (thread, SIGUSR1), ==, 0);
    }
  g_assert_cmpint (write (fds[1], "sec", 3), ==, 3);
  for (guint i = 0; i < 10; i++)
    {
      g_usleep (5000);
      g_assert_cmpint (pthread_kill (thread, SIGUSR1), ==, 0);
    }
  g_assert_cmpint (write (fds[1], "ret\n", 4), ==, 4);
  g_usleep (5000);
  g_assert_cmpint (pthread_kill (thread, SIGUSR1), ==, 0);
  g_usleep (5000);
  close (fds[1]);

  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);
  close (fds[0]);
  g_assert_cmpint (sigaction (SIGUSR1, &saved, NULL), ==, 0);

  g_assert_cmpint (signals_seen, >, 0);
  g_assert_no_error (reader.error);
  g_assert_cmpstr (reader.secret, ==, "secret");
  gander_credentials_free_secret (reader.secret);
}

static void
test_free_secret (void)
{
  gander_credentials_free_secret (NULL);
  gander_credentials_free_secret (g_strdup ("pw"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/credentials/secret-fd/line-ends", test_line_ends);
  g_test_add_func ("/credentials/secret-fd/empty", test_empty);
  g_test_add_func ("/credentials/secret-fd/length", test_length);
  g_test_add_func ("/credentials/secret-fd/nul", test_nul);
  g_test_add_func ("/credentials/secret-fd/read-error", test_read_error);
  g_test_add_func ("/credentials/secret-fd/eintr", test_eintr);
  g_test_add_func ("/credentials/secret-fd/free", test_free_secret);

  return gander_test_run ();
}
