/* gander-cli-cancel.c: -timeout and SIGINT/SIGTERM
 *
 * Both end in the same place: one GCancellable that every library call of
 * the command gets. Cancelling it makes the database interrupt the running
 * statement (sqlite3_interrupt, PQcancel) and the migration's transaction
 * roll back, so the process can exit without leaving half a migration.
 *
 * There is no main loop in the tool, so g_unix_signal_add() cannot be used.
 * Instead SIGINT and SIGTERM are blocked in every thread and one small
 * thread takes them with sigwait(): the cancellation runs in ordinary thread
 * context, not in a signal handler. A second signal ends the process at once
 * (the database rolls back an uncommitted transaction on its own).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "gander-cli.h"

struct _CliCancel
{
  GCancellable *cancellable;

  /* -timeout */
  GThread  *timer;
  gint64    deadline;     /* g_get_monotonic_time () scale */
  GMutex    lock;
  GCond     cond;
  gboolean  done;
  gint      timed_out;    /* atomic */

  /* signals */
  pthread_t signal_thread;
  gboolean  have_signal_thread;
  sigset_t  signals;
  sigset_t  old_mask;
  gint      signo;        /* atomic */
  gint      stopping;     /* atomic */
};

static gpointer
timer_thread (gpointer data)
{
  CliCancel *self = data;
  gboolean expired = FALSE;

  g_mutex_lock (&self->lock);
  while (!self->done)
    {
      if (!g_cond_wait_until (&self->cond, &self->lock, self->deadline) &&
          !self->done)
        {
          expired = TRUE;
          break;
        }
    }
  g_mutex_unlock (&self->lock);

  if (expired)
    {
      g_atomic_int_set (&self->timed_out, 1);
      g_cancellable_cancel (self->cancellable);
    }
  return NULL;
}

static void *
signal_thread (void *data)
{
  CliCancel *self = data;

  for (;;)
    {
      int sig = 0;

      if (sigwait (&self->signals, &sig) != 0)
        continue;
      if (g_atomic_int_get (&self->stopping))
        return NULL;
      if (g_atomic_int_get (&self->signo) != 0)
        {
          /* Second signal: the user does not want to wait for the
           * rollback. The database discards the open transaction itself. */
          _exit (128 + sig);
        }
      g_atomic_int_set (&self->signo, sig);
      g_cancellable_cancel (self->cancellable);
    }
  return NULL;
}

/* Must run before any other thread exists, so that all of them inherit the
 * blocked signal mask. */
CliCancel *
cli_cancel_new (gint64 timeout_ns)
{
  CliCancel *self = g_new0 (CliCancel, 1);

  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  sigemptyset (&self->signals);
  sigaddset (&self->signals, SIGINT);
  sigaddset (&self->signals, SIGTERM);
  if (pthread_sigmask (SIG_BLOCK, &self->signals, &self->old_mask) == 0 &&
      pthread_create (&self->signal_thread, NULL, signal_thread, self) == 0)
    self->have_signal_thread = TRUE;

  if (timeout_ns > 0)
    {
      self->deadline = g_get_monotonic_time () + timeout_ns / 1000;
      self->timer = g_thread_new ("gander-timeout", timer_thread, self);
    }
  return self;
}

GCancellable *
cli_cancel_get_cancellable (CliCancel *self)
{
  return self->cancellable;
}

gboolean
cli_cancel_timed_out (CliCancel *self)
{
  return g_atomic_int_get (&self->timed_out) != 0;
}

int
cli_cancel_get_signal (CliCancel *self)
{
  return g_atomic_int_get (&self->signo);
}

void
cli_cancel_free (CliCancel *self)
{
  if (self == NULL)
    return;

  if (self->timer != NULL)
    {
      g_mutex_lock (&self->lock);
      self->done = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->timer);
    }

  if (self->have_signal_thread)
    {
      /* Wake the thread with a signal it is waiting for and tell it to
       * stop; then put the mask back. */
      g_atomic_int_set (&self->stopping, 1);
      pthread_kill (self->signal_thread, SIGTERM);
      pthread_join (self->signal_thread, NULL);
      pthread_sigmask (SIG_SETMASK, &self->old_mask, NULL);
    }

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_clear_object (&self->cancellable);
  g_free (self);
}
