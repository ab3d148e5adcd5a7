/* gd-daemon.c: gander-daemon's main(): options, the bus name, the object
 * manager, jobs bookkeeping, idle exit and structured logging
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The daemon serves org.gander.Migrator1 on the session bus (default) or
 * the system bus. Everything the clients see is exported below
 * /org/gander/Migrator1 through one GDBusObjectManagerServer. With no
 * job running or queued, no method call in flight and no method call for
 * --idle-timeout seconds (a fraction is fine: tests use 0.5), it releases
 * the name and exits 0; the bus activates it again on demand.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "gd-auth.h"
#include "gd-daemon.h"
#include "gd-manager.h"
#include "gd-profile.h"
#include "gd-credentials.h"
#include "gd-job.h"

#define GD_BUS_NAME             "org.gander.Migrator1"
#define GD_IDLE_TIMEOUT_DEFAULT 300
#define GD_IDLE_TIMEOUT_MAX (7 * 24 * 3600)

struct _GdDaemon
{
  GObject parent_instance;

  GDBusConnection          *connection;
  GdBusKind                 kind;
  GDBusObjectManagerServer *object_manager;
  GdAuth                   *auth;
  GdCredentials            *credentials;
  GanderMetrics            *metrics;
  GdManager                *manager;
  char                     *state_dir;
  guint                     job_keep;

  guint                     next_job_id;
  GPtrArray                *jobs;          /* GdJob, oldest first */
  guint                     holds;

  GTimeSpan                 idle_timeout;  /* µs, a whole number of ms; 0 = never */
  guint                     idle_source;
  GMutex                    last_call_lock;
  gint64                    last_call;     /* monotonic µs, under last_call_lock */
  guint                     filter_id;

  GMainLoop                *loop;
  guint                     own_id;
  gboolean                  name_owned;
  int                       exit_code;
};

G_DEFINE_FINAL_TYPE (GdDaemon, gd_daemon, G_TYPE_OBJECT)

static gboolean verbose;

/* -------------------------------------------------------------------- */
/* logging */

static const char *
priority_of (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "3";
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return "4";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "5";
  if (level & G_LOG_LEVEL_INFO)
    return "6";
  return "7";
}

void
gd_log (GLogLevelFlags  level,
        const char     *profile,
        const char     *job,
        const char     *operation,
        const char     *format,
        ...)
{
  g_autofree char *message = NULL;
  GLogField fields[6];
  gsize n = 0;
  va_list args;

  if ((level & G_LOG_LEVEL_DEBUG) && !verbose)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fields[n++] = (GLogField) { "MESSAGE", message, -1 };
  fields[n++] = (GLogField) { "PRIORITY", priority_of (level), -1 };
  fields[n++] = (GLogField) { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 };
  if (profile != NULL)
    fields[n++] = (GLogField) { "GANDER_PROFILE", profile, -1 };
  if (job != NULL)
    fields[n++] = (GLogField) { "GANDER_JOB", job, -1 };
  if (operation != NULL)
    fields[n++] = (GLogField) { "GANDER_OPERATION", operation, -1 };
  g_log_structured_array (level, fields, n);
}

/* -------------------------------------------------------------------- */
/* idle exit */

/* From the main thread and GDBus's worker thread. */
static void
stamp_call (GdDaemon *self)
{
  g_mutex_lock (&self->last_call_lock);
  self->last_call = g_get_monotonic_time ();
  g_mutex_unlock (&self->last_call_lock);
}

static gint64
get_last_call (GdDaemon *self)
{
  gint64 last;

  g_mutex_lock (&self->last_call_lock);
  last = self->last_call;
  g_mutex_unlock (&self->last_call_lock);
  return last;
}

static void schedule_idle_check (GdDaemon *self, GTimeSpan delay);

static void
quit_daemon (GdDaemon *self,
             int       exit_code)
{
  self->exit_code = exit_code;
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

static gboolean
idle_check_cb (gpointer user_data)
{
  GdDaemon *self = user_data;
  GTimeSpan idle_for;

  self->idle_source = 0;
  if (self->holds > 0)
    return G_SOURCE_REMOVE;  /* gd_daemon_release() schedules again */

  idle_for = g_get_monotonic_time () - get_last_call (self);
  if (idle_for < self->idle_timeout)
    {
      schedule_idle_check (self, self->idle_timeout - idle_for);
      return G_SOURCE_REMOVE;
    }

  gd_log (G_LOG_LEVEL_MESSAGE, NULL, NULL, NULL,
          "no call for %g s and nothing running: exiting",
          (double) self->idle_timeout / G_USEC_PER_SEC);
  quit_daemon (self, EXIT_SUCCESS);
  return G_SOURCE_REMOVE;
}

/* Checks again in @delay µs: whole seconds through the coarse timer
 * (wakeups grouped with the rest of the system), fractions to the ms. */
static void
schedule_idle_check (GdDaemon  *self,
                     GTimeSpan  delay)
{
  if (self->idle_timeout == 0)
    return;
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->idle_timeout % G_USEC_PER_SEC == 0)
    self->idle_source = g_timeout_add_seconds ((guint) MAX ((delay + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1),
                                               idle_check_cb, self);
  else
    self->idle_source = g_timeout_add ((guint) MAX ((delay + 999) / 1000, 1), idle_check_cb, self);
  g_source_set_name_by_id (self->idle_source, "[gander-daemon] idle exit");
}

/* Runs in GDBus's worker thread for every message: a method call for us
 * counts as activity. */
static GDBusMessage *
message_filter (GDBusConnection *connection,
                GDBusMessage    *message,
                gboolean         incoming,
                gpointer         user_data)
{
  GdDaemon *self = user_data;

  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      stamp_call (self);
      if (verbose)
        gd_log (G_LOG_LEVEL_DEBUG, NULL, NULL, NULL, "call %s.%s on %s from %s",
                g_dbus_message_get_interface (message) ?: "",
                g_dbus_message_get_member (message) ?: "",
                g_dbus_message_get_path (message) ?: "",
                g_dbus_message_get_sender (message) ?: "");
    }
  return message;
}

void
gd_daemon_hold (GdDaemon *self)
{
  g_return_if_fail (GD_IS_DAEMON (self));
  self->holds++;
  g_clear_handle_id (&self->idle_source, g_source_remove);
}

void
gd_daemon_release (GdDaemon *self)
{
  g_return_if_fail (GD_IS_DAEMON (self));
  g_return_if_fail (self->holds > 0);
  if (--self->holds == 0)
    {
      /* the end of the last job or call counts as activity */
      stamp_call (self);
      schedule_idle_check (self, self->idle_timeout);
    }
}

/* -------------------------------------------------------------------- */
/* accessors */

GDBusConnection *
gd_daemon_get_connection (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->connection;
}

GdBusKind
gd_daemon_get_bus_kind (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), GD_BUS_SESSION);
  return self->kind;
}

GDBusObjectManagerServer *
gd_daemon_get_object_manager (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->object_manager;
}

GdAuth *
gd_daemon_get_auth (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->auth;
}

GdCredentials *
gd_daemon_get_credentials (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->credentials;
}

GanderMetrics *
gd_daemon_get_metrics (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->metrics;
}

const char *
gd_daemon_get_state_dir (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->state_dir;
}

guint
gd_daemon_get_job_keep_seconds (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), GD_JOB_KEEP_SECONDS);
  return self->job_keep;
}

GdManager *
gd_daemon_get_manager (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), NULL);
  return self->manager;
}

/* -------------------------------------------------------------------- */
/* jobs */

guint
gd_daemon_next_job_id (GdDaemon *self)
{
  g_return_val_if_fail (GD_IS_DAEMON (self), 0);
  return ++self->next_job_id;
}

static void
update_job_paths (GdDaemon *self)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < self->jobs->len; i++)
    g_ptr_array_add (paths, (gpointer) gd_job_get_object_path (g_ptr_array_index (self->jobs, i)));
  g_ptr_array_add (paths, NULL);
  gd_manager_set_job_paths (self->manager, (const char * const *) paths->pdata);
}

void
gd_daemon_add_job (GdDaemon *self,
                   GdJob    *job)
{
  g_return_if_fail (GD_IS_DAEMON (self));
  g_return_if_fail (GD_IS_JOB (job));

  g_dbus_object_manager_server_export (self->object_manager,
                                       G_DBUS_OBJECT_SKELETON (gd_job_get_object (job)));
  g_ptr_array_add (self->jobs, g_object_ref (job));
  update_job_paths (self);
}

void
gd_daemon_remove_job (GdDaemon *self,
                      GdJob    *job)
{
  g_return_if_fail (GD_IS_DAEMON (self));
  g_return_if_fail (GD_IS_JOB (job));

  g_dbus_object_manager_server_unexport (self->object_manager, gd_job_get_object_path (job));
  /* the array holds the last reference perhaps: drop it last */
  if (g_ptr_array_remove (self->jobs, job))
    update_job_paths (self);
}

/* -------------------------------------------------------------------- */
/* the object */

static void
gd_daemon_finalize (GObject *object)
{
  GdDaemon *self = GD_DAEMON (object);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->filter_id != 0)
    g_dbus_connection_remove_filter (self->connection, self->filter_id);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_object (&self->manager);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->auth);
  g_clear_object (&self->credentials);
  g_clear_object (&self->metrics);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_free (self->state_dir);
  g_mutex_clear (&self->last_call_lock);

  G_OBJECT_CLASS (gd_daemon_parent_class)->finalize (object);
}

static void
gd_daemon_class_init (GdDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gd_daemon_finalize;
}

static void
gd_daemon_init (GdDaemon *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->metrics = gander_metrics_new ();
  self->job_keep = GD_JOB_KEEP_SECONDS;
  self->idle_timeout = GD_IDLE_TIMEOUT_DEFAULT * G_USEC_PER_SEC;
  g_mutex_init (&self->last_call_lock);
  self->exit_code = EXIT_SUCCESS;
}

/* STATE_DIR: $STATE_DIRECTORY (systemd; the first of a list) if set, else
 * /var/lib/gander on the system bus and $XDG_STATE_HOME/gander on the
 * session bus. */
static char *
find_state_dir (GdBusKind kind)
{
  const char *env = g_getenv ("STATE_DIRECTORY");

  if (env != NULL && *env != '\0')
    {
      const char *colon = strchr (env, ':');
      return colon != NULL ? g_strndup (env, colon - env) : g_strdup (env);
    }
  if (kind == GD_BUS_SYSTEM)
    return g_strdup ("/var/lib/gander");
  return g_build_filename (g_get_user_state_dir (), "gander", NULL);
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  GdDaemon *self = user_data;

  self->name_owned = TRUE;
  gd_log (G_LOG_LEVEL_INFO, NULL, NULL, NULL, "serving %s on the %s bus",
          name, self->kind == GD_BUS_SYSTEM ? "system" : "session");
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  GdDaemon *self = user_data;

  if (!self->name_owned)
    {
      gd_log (G_LOG_LEVEL_WARNING, NULL, NULL, NULL,
              "cannot own %s: another daemon serves it (use --replace) or the bus "
              "policy does not allow this user to own it", name);
      quit_daemon (self, EXIT_FAILURE);
      return;
    }
  gd_log (G_LOG_LEVEL_MESSAGE, NULL, NULL, NULL, "%s was taken over by another daemon: exiting", name);
  self->name_owned = FALSE;
  quit_daemon (self, EXIT_SUCCESS);
}

static gboolean
on_signal (gpointer user_data)
{
  GdDaemon *self = user_data;

  gd_log (G_LOG_LEVEL_MESSAGE, NULL, NULL, NULL, "terminated by a signal: exiting");
  quit_daemon (self, EXIT_SUCCESS);
  return G_SOURCE_CONTINUE;
}

static gboolean
gd_daemon_start (GdDaemon  *self,
                 gboolean   replace,
                 GError   **error)
{
  GBusNameOwnerFlags flags = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT;

  /* The library keeps its own state (the default backup directories) in
   * $GANDER_STATE_DIR, else /var/lib/gander for root and $XDG_STATE_HOME
   * for anyone else: point it at the daemon's, so that the gander user's
   * backups land in StateDirectory= and a daemon run with a temporary
   * STATE_DIRECTORY writes nothing elsewhere. Set before the bus's worker
   * thread starts (g_setenv is not thread-safe). */
  self->state_dir = find_state_dir (self->kind);
  if (g_getenv ("GANDER_STATE_DIR") == NULL)
    g_setenv ("GANDER_STATE_DIR", self->state_dir, TRUE);

  self->connection = g_bus_get_sync (self->kind == GD_BUS_SYSTEM ? G_BUS_TYPE_SYSTEM
                                                                  : G_BUS_TYPE_SESSION,
                                     NULL, error);
  if (self->connection == NULL)
    return FALSE;
  g_dbus_connection_set_exit_on_close (self->connection, FALSE);

  if (g_mkdir_with_parents (self->state_dir, 0700) != 0)
    gd_log (G_LOG_LEVEL_WARNING, NULL, NULL, NULL, "cannot create the state directory %s: %s",
            self->state_dir, g_strerror (errno));

  self->auth = gd_auth_new (self->connection, self->kind);
  self->credentials = gd_credentials_new (self->kind, self->state_dir);
  self->object_manager = g_dbus_object_manager_server_new (GD_DAEMON_PATH);

  self->manager = gd_manager_new (self, error);
  if (self->manager == NULL)
    return FALSE;

  stamp_call (self);
  self->filter_id = g_dbus_connection_add_filter (self->connection, message_filter, self, NULL);
  g_dbus_object_manager_server_set_connection (self->object_manager, self->connection);

  if (replace)
    flags |= G_BUS_NAME_OWNER_FLAGS_REPLACE;
  self->own_id = g_bus_own_name_on_connection (self->connection, GD_BUS_NAME, flags,
                                               on_name_acquired, on_name_lost,
                                               self, NULL);
  schedule_idle_check (self, self->idle_timeout);
  return TRUE;
}

static void
gd_daemon_stop (GdDaemon *self)
{
  g_clear_handle_id (&self->own_id, g_bus_unown_name);
  if (self->manager != NULL)
    gd_manager_shutdown (self->manager);
  if (self->object_manager != NULL)
    g_dbus_object_manager_server_set_connection (self->object_manager, NULL);
  /* replies and the name's release reach the bus before we go */
  if (self->connection != NULL && !g_dbus_connection_is_closed (self->connection))
    g_dbus_connection_flush_sync (self->connection, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdDaemon) self = NULL;
  gboolean opt_session = FALSE;
  gboolean opt_system = FALSE;
  gboolean opt_replace = FALSE;
  gboolean opt_version = FALSE;
  double opt_idle_timeout = GD_IDLE_TIMEOUT_DEFAULT;
  int opt_job_keep = GD_JOB_KEEP_SECONDS;
  const GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &opt_session,
      N_("Serve the session bus (the default)"), NULL },
    { "system", 0, 0, G_OPTION_ARG_NONE, &opt_system,
      N_("Serve the system bus (authorisation through polkit)"), NULL },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &opt_replace,
      N_("Replace a running daemon"), NULL },
    { "idle-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_idle_timeout,
      N_("Exit after SECONDS without calls or jobs (0: never; default 300; "
         "fractions such as 0.5 are fine)"), N_("SECONDS") },
    { "job-keep", 0, 0, G_OPTION_ARG_INT, &opt_job_keep,
      N_("Keep a finished job exported for SECONDS (default 60)"), N_("SECONDS") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      N_("Log every call at debug level"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("The D-Bus service of Gander (org.gander.Migrator1)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gander-daemon: %s\n", error->message);
      return 2;
    }
  if (opt_version)
    {
      g_print ("gander-daemon %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (opt_session && opt_system)
    {
      g_printerr ("gander-daemon: %s\n", _("--session and --system exclude each other"));
      return 2;
    }
  if (!(opt_idle_timeout >= 0) || opt_job_keep < 0)
    {
      g_printerr ("gander-daemon: %s\n", _("--idle-timeout and --job-keep take 0 or more seconds"));
      return 2;
    }
  /* a week at most keeps the milliseconds of a timer in a guint */
  if (opt_idle_timeout > GD_IDLE_TIMEOUT_MAX)
    {
      g_printerr ("gander-daemon: ");
      g_printerr (_("--idle-timeout takes at most %u seconds (0: never exit)"), GD_IDLE_TIMEOUT_MAX);
      g_printerr ("\n");
      return 2;
    }
  if (verbose)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  /* names org.gander.Migrator1.Error.<Code> on the bus */
  (void) gander_error_quark ();

  self = g_object_new (GD_TYPE_DAEMON, NULL);
  self->kind = opt_system ? GD_BUS_SYSTEM : GD_BUS_SESSION;
  /* to the next whole ms: a positive timeout never becomes "never" */
  self->idle_timeout = (GTimeSpan) ceil (opt_idle_timeout * 1000.0) * 1000;
  self->job_keep = (guint) opt_job_keep;
  self->loop = g_main_loop_new (NULL, FALSE);

  if (!gd_daemon_start (self, opt_replace, &error))
    {
      g_printerr ("gander-daemon: %s\n", error->message);
      gd_daemon_stop (self);
      return EXIT_FAILURE;
    }

  g_unix_signal_add (SIGTERM, on_signal, self);
  g_unix_signal_add (SIGINT, on_signal, self);
  g_main_loop_run (self->loop);

  gd_daemon_stop (self);
  return self->exit_code;
}
