/* gd-profile-jobs.c: the mutating methods of org.gander.Migrator1.Profile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every one goes the same way: parse the options → authorise the caller
 * (before anything else happens) → busy? (Busy, or queue) → a manager →
 * gander_manager_check_policy() (a refusal fails the call: no job) → a job,
 * exported; its path is the answer; then it starts.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include "gd-auth.h"
#include "gd-daemon.h"
#include "gd-job.h"
#include "gd-profile.h"

#ifndef G_LOG_DOMAIN
# define G_LOG_DOMAIN "gander-daemon"
#endif

typedef struct {
  GdProfile             *profile;
  GDBusMethodInvocation *invocation;   /* owned until answered */
  GanderOperation        operation;
  gint64                 target;
  char                  *backup_id;

  gboolean               interactive;
  char                  *confirm;
  char                  *reason;
  gboolean               allow_missing;
  gint64                 timeout;      /* seconds */
  gboolean               queue;
  gboolean               dry_run;

  GdCaller              *caller;
  GanderRunOptions      *options;
} JobCall;

static void
job_call_free (JobCall *call)
{
  g_clear_object (&call->profile);
  g_clear_object (&call->invocation);
  g_free (call->backup_id);
  g_free (call->confirm);
  g_free (call->reason);
  g_clear_pointer (&call->caller, gd_caller_free);
  g_clear_object (&call->options);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobCall, job_call_free)

static void
return_error (JobCall      *call,
              const GError *error)
{
  g_dbus_method_invocation_return_gerror (g_steal_pointer (&call->invocation), error);
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static const struct {
  const char *key;
  const char *type;
} known_options[] = {
  { "interactive",   "b" },
  { "confirm",       "s" },
  { "reason",        "s" },
  { "allow-missing", "b" },
  { "timeout",       "x" },
  { "queue",         "b" },
  { "dry-run",       "b" },
};

static char *
known_option_list (void)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (known_options); i++)
    g_string_append_printf (list, "%s%s (%s)", i > 0 ? ", " : "",
                            known_options[i].key, known_options[i].type);
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* An unknown key or a value of the wrong type names itself, the method
 * and what is accepted, so a typo never goes unnoticed (a misspelt
 * "dry-run" must not run for real). */
static gboolean
parse_options (JobCall   *call,
               GVariant  *options,
               GError   **error)
{
  const char *method = g_dbus_method_invocation_get_method_name (call->invocation);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      const char *type = NULL;

      for (gsize i = 0; i < G_N_ELEMENTS (known_options); i++)
        if (g_str_equal (key, known_options[i].key))
          type = known_options[i].type;
      if (type == NULL)
        {
          g_autofree char *known = known_option_list ();

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       _("Unknown option “%s” for %s(); the options are: %s"),
                       key, method, known);
          return FALSE;
        }
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE (type)))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                       _("Option “%s” of %s() must be of type “%s”, not “%s”"),
                       key, method, type, g_variant_get_type_string (value));
          return FALSE;
        }

      if (g_str_equal (key, "interactive"))
        call->interactive = g_variant_get_boolean (value);
      else if (g_str_equal (key, "confirm"))
        {
          g_free (call->confirm);
          call->confirm = g_variant_dup_string (value, NULL);
        }
      else if (g_str_equal (key, "reason"))
        {
          g_free (call->reason);
          call->reason = g_variant_dup_string (value, NULL);
        }
      else if (g_str_equal (key, "allow-missing"))
        call->allow_missing = g_variant_get_boolean (value);
      else if (g_str_equal (key, "queue"))
        call->queue = g_variant_get_boolean (value);
      else if (g_str_equal (key, "dry-run"))
        call->dry_run = g_variant_get_boolean (value);
      else if (g_str_equal (key, "timeout"))
        {
          call->timeout = g_variant_get_int64 (value);
          /* g_timeout_add() counts milliseconds in a guint */
          if (call->timeout < 0 || call->timeout > G_MAXUINT / 1000)
            {
              g_autofree char *given = g_strdup_printf ("%" G_GINT64_FORMAT, call->timeout);

              g_set_error (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                           _("Option “timeout” of %s() is %s s; it must be between "
                             "0 (no deadline) and %u seconds"),
                           method, given, G_MAXUINT / 1000);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The flow                                                            */

static char *
user_name_for_uid (guint32 uid)
{
  struct passwd pwd, *found = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buffer = NULL;

  if (size <= 0)
    size = 16384;
  buffer = g_malloc (size);
  if (getpwuid_r ((uid_t) uid, &pwd, buffer, size, &found) == 0 &&
      found != NULL && found->pw_name != NULL && found->pw_name[0] != '\0')
    return g_strdup (found->pw_name);
  return g_strdup_printf ("uid %u", uid);
}

static GanderRunOptions *
run_options_for (JobCall *call)
{
  GanderRunOptions *options = gander_run_options_new ();
  g_autofree char *user = user_name_for_uid (call->caller->uid);

  gander_run_options_set_via (options, "dbus");
  gander_run_options_set_actor_uid (options, call->caller->uid);
  if (call->caller->pid != 0)
    gander_run_options_set_actor_pid (options, call->caller->pid);
  gander_run_options_set_actor_name (options, user);
  gander_run_options_set_applied_by (options, user);
  if (call->reason != NULL)
    gander_run_options_set_reason (options, call->reason);
  if (call->confirm != NULL)
    gander_run_options_set_confirmation (options, call->confirm);
  gander_run_options_set_allow_missing (options, call->allow_missing);
  gander_run_options_set_dry_run (options, call->dry_run);
  if (call->backup_id != NULL)
    gander_run_options_set_backup_id (options, call->backup_id);
  return options;
}

/* Busy unless the caller asked to queue; the message names the job in the
 * way so the caller can watch or cancel it. */
static gboolean
check_busy (JobCall  *call,
            GError  **error)
{
  GdJob *active = gd_profile_get_active_job (call->profile);

  if (active == NULL || call->queue)
    return TRUE;
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_BUSY,
               _("Profile “%s” is busy with job %s (%s); wait for it to finish, "
                 "cancel it, or pass the option queue=true to run after it"),
               gd_profile_get_name (call->profile), gd_job_get_object_path (active),
               gander_operation_to_string (gd_job_get_operation (active)));
  return FALSE;
}

static void
on_manager (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(JobCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderManager) manager = NULL;
  g_autoptr(GdJob) job = NULL;
  GdDaemon *daemon = gd_profile_get_daemon (call->profile);
  GdJob *active;

  manager = gd_profile_get_manager_finish (call->profile, result, &error);
  if (manager == NULL)
    {
      return_error (call, error);
      return;
    }
  if (!gander_manager_check_policy (manager, call->operation, call->options, &error))
    {
      /* the library words it for the command line: say what to send here */
      if (g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED))
        g_prefix_error (&error, _("Pass the option confirm=“%s” to %s(): "),
                        gd_profile_get_name (call->profile),
                        g_dbus_method_invocation_get_method_name (call->invocation));
      gd_log (G_LOG_LEVEL_INFO, gd_profile_get_name (call->profile), NULL,
              gander_operation_to_string (call->operation),
              "%s on profile “%s” refused before any job: %s",
              gander_operation_to_string (call->operation),
              gd_profile_get_name (call->profile), error->message);
      return_error (call, error);
      return;
    }
  /* again: another call may have started a job while we waited */
  if (!check_busy (call, &error))
    {
      return_error (call, error);
      return;
    }

  job = gd_job_new (daemon, call->profile, call->operation, call->target,
                    call->options, call->caller, call->timeout * G_TIME_SPAN_SECOND);
  /* authorised already: the job shows up "queued" (behind the active job,
   * or for the moment until it starts below) */
  gd_job_set_queued (job);
  active = gd_profile_get_active_job (call->profile);
  if (active != NULL)
    gd_profile_enqueue_job (call->profile, job);
  gd_daemon_add_job (daemon, job);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(o)", gd_job_get_object_path (job)));
  if (active == NULL)
    gd_job_start (job);
}

static void
on_authorised (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(JobCall) call = user_data;
  g_autoptr(GError) error = NULL;
  GdProfile *profile;

  call->caller = gd_auth_check_finish (GD_AUTH (source), result, &error);
  if (call->caller == NULL)
    {
      return_error (call, error);
      return;
    }
  gd_log (G_LOG_LEVEL_DEBUG, gd_profile_get_name (call->profile), NULL,
          gander_operation_to_string (call->operation),
          "%s on profile “%s”: uid %u authorised",
          gander_operation_to_string (call->operation),
          gd_profile_get_name (call->profile), call->caller->uid);
  if (!check_busy (call, &error))
    {
      return_error (call, error);
      return;
    }
  call->options = run_options_for (call);
  profile = call->profile;
  gd_profile_get_manager_async (profile, NULL, on_manager, g_steal_pointer (&call));
}

/* Consumes @invocation. */
static void
start_call (GdProfile             *profile,
            GDBusMethodInvocation *invocation,
            GanderOperation        operation,
            gint64                 target,
            const char            *backup_id,
            GVariant              *options)
{
  g_autoptr(JobCall) call = g_new0 (JobCall, 1);
  g_autoptr(GError) error = NULL;
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  const char *action;

  call->profile = g_object_ref (profile);
  call->invocation = invocation;
  call->operation = operation;
  call->target = target;
  call->backup_id = g_strdup (backup_id);

  gd_log (G_LOG_LEVEL_DEBUG, gd_profile_get_name (profile), NULL,
          gander_operation_to_string (operation), "%s() on profile “%s” from %s",
          g_dbus_method_invocation_get_method_name (invocation),
          gd_profile_get_name (profile), g_dbus_method_invocation_get_sender (invocation));

  if (!parse_options (call, options, &error))
    {
      return_error (call, error);
      return;
    }
  if (target < 0)
    {
      g_autofree char *given = g_strdup_printf ("%" G_GINT64_FORMAT, target);

      g_set_error (&error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                   _("Version %s given to %s() is negative; versions are 0 or more"),
                   given, g_dbus_method_invocation_get_method_name (invocation));
      return_error (call, error);
      return;
    }
  if (operation == GANDER_OPERATION_RESTORE && (backup_id == NULL || backup_id[0] == '\0'))
    {
      g_set_error_literal (&error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                           _("Restore() needs a backup id, a unique prefix of one, or "
                             "“latest”; ListBackups() shows them"));
      return_error (call, error);
      return;
    }
  /* the caller's flag for interactive authorisation counts like the option */
  if ((g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0)
    call->interactive = TRUE;

  action = gd_auth_action_for_operation (operation, gd_profile_get_environment (profile));
  gd_auth_check_async (gd_daemon_get_auth (gd_profile_get_daemon (profile)),
                       call->invocation, action,
                       gd_profile_get_name (profile), gd_profile_get_environment (profile),
                       call->interactive, NULL, on_authorised, call);
  g_steal_pointer (&call);
}

/* ------------------------------------------------------------------ */
/* Handlers                                                            */

#define HANDLER(name, operation)                                          \
  static gboolean                                                         \
  handle_##name (GdBusProfile          *iface,                           \
                 GDBusMethodInvocation *invocation,                      \
                 GVariant              *options,                         \
                 GdProfile             *profile)                         \
  {                                                                       \
    start_call (profile, invocation, operation, 0, NULL, options);        \
    return G_DBUS_METHOD_INVOCATION_HANDLED;                              \
  }

#define HANDLER_VERSION(name, operation)                                  \
  static gboolean                                                         \
  handle_##name (GdBusProfile          *iface,                           \
                 GDBusMethodInvocation *invocation,                      \
                 gint64                 version,                         \
                 GVariant              *options,                         \
                 GdProfile             *profile)                         \
  {                                                                       \
    start_call (profile, invocation, operation, version, NULL, options);  \
    return G_DBUS_METHOD_INVOCATION_HANDLED;                              \
  }

HANDLER (up, GANDER_OPERATION_UP)
HANDLER (up_by_one, GANDER_OPERATION_UP_BY_ONE)
HANDLER_VERSION (up_to, GANDER_OPERATION_UP_TO)
HANDLER (down, GANDER_OPERATION_DOWN)
HANDLER_VERSION (down_to, GANDER_OPERATION_DOWN_TO)
HANDLER (redo, GANDER_OPERATION_REDO)
HANDLER (reset, GANDER_OPERATION_RESET)
HANDLER (backup, GANDER_OPERATION_BACKUP)
HANDLER (prune_backups, GANDER_OPERATION_PRUNE_BACKUPS)
HANDLER_VERSION (baseline, GANDER_OPERATION_BASELINE)
HANDLER_VERSION (clear_dirty, GANDER_OPERATION_CLEAR_DIRTY)
HANDLER_VERSION (accept_checksum, GANDER_OPERATION_ACCEPT_CHECKSUM)
HANDLER (reset_breaker, GANDER_OPERATION_BREAKER_RESET)

static gboolean
handle_restore (GdBusProfile          *iface,
                GDBusMethodInvocation *invocation,
                const char            *id,
                GVariant              *options,
                GdProfile             *profile)
{
  start_call (profile, invocation, GANDER_OPERATION_RESTORE, 0, id, options);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
gd_profile_jobs_connect (GdProfile *self)
{
  GdBusProfile *iface;
  static const struct {
    const char *signal;
    GCallback   handler;
  } handlers[] = {
    { "handle-up", G_CALLBACK (handle_up) },
    { "handle-up-by-one", G_CALLBACK (handle_up_by_one) },
    { "handle-up-to", G_CALLBACK (handle_up_to) },
    { "handle-down", G_CALLBACK (handle_down) },
    { "handle-down-to", G_CALLBACK (handle_down_to) },
    { "handle-redo", G_CALLBACK (handle_redo) },
    { "handle-reset", G_CALLBACK (handle_reset) },
    { "handle-backup", G_CALLBACK (handle_backup) },
    { "handle-restore", G_CALLBACK (handle_restore) },
    { "handle-prune-backups", G_CALLBACK (handle_prune_backups) },
    { "handle-baseline", G_CALLBACK (handle_baseline) },
    { "handle-clear-dirty", G_CALLBACK (handle_clear_dirty) },
    { "handle-accept-checksum", G_CALLBACK (handle_accept_checksum) },
    { "handle-reset-breaker", G_CALLBACK (handle_reset_breaker) },
  };

  g_return_if_fail (GD_IS_PROFILE (self));

  iface = gd_profile_get_iface (self);
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_connect_object (iface, handlers[i].signal, handlers[i].handler,
                             self, G_CONNECT_DEFAULT);
}
