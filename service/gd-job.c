/* gd-job.c: one operation on one profile, exported as
 * /org/gander/Migrator1/jobs/N (PackageKit's transaction model: an object
 * per long operation with its state, progress, signals and Cancel)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "gd-auth.h"
#include "gd-daemon.h"
#include "gd-job.h"
#include "gd-profile.h"

#ifndef G_LOG_DOMAIN
# define G_LOG_DOMAIN "gander-daemon"
#endif

/* PropertiesChanged for Percentage at most every this many µs (~20/s): a
 * fast run on SQLite notifies its fraction far more often than any client
 * can draw. */
#define PERCENTAGE_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
#define PERCENTAGE_UNKNOWN     101

typedef enum {
  JOB_STATE_WAITING_AUTH,
  JOB_STATE_QUEUED,
  JOB_STATE_RUNNING,
  JOB_STATE_FINISHED,
} JobState;

static const char * const state_names[] = {
  "waiting-auth", "queued", "running", "finished",
};

struct _GdJob
{
  GObject              parent_instance;

  GdDaemon            *daemon;        /* not owned: outlives every job */
  GdProfile           *profile;
  GanderOperation      operation;
  gint64               target;
  GanderRunOptions    *options;
  GdCaller            *caller;
  GTimeSpan            timeout;

  guint                id;
  char                *object_path;
  GdBusObjectSkeleton *object;
  GdBusJob            *iface;

  JobState             state;
  GCancellable        *cancellable;
  GanderManager       *manager;
  gboolean             held;          /* gd_daemon_hold() taken */
  gboolean             timed_out;     /* the deadline cancelled the run */
  gboolean             cancel_requested;
  gboolean             in_migration;  /* between migration-started and -finished */

  guint                deadline_id;
  guint                percentage_id;   /* deferred Percentage update */
  guint                pending_percentage;
  gint64               percentage_at;   /* monotonic µs of the last update */
  guint                remove_id;
};

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GdJob, gd_job, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Logging                                                             */

static void job_log (GdJob          *self,
                     GLogLevelFlags  level,
                     const char     *format,
                     ...) G_GNUC_PRINTF (3, 4);

/* One structured line with the job's journald fields (gd_log()). */
static void
job_log (GdJob          *self,
         GLogLevelFlags  level,
         const char     *format,
         ...)
{
  g_autofree char *message = NULL;
  g_autofree char *job = g_strdup_printf ("%u", self->id);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  gd_log (level, gd_profile_get_name (self->profile), job,
          gander_operation_to_string (self->operation), "%s", message);
}

/* ------------------------------------------------------------------ */
/* Properties                                                          */

static gint64
now_us (void)
{
  return g_get_real_time ();
}

static void
set_state (GdJob    *self,
           JobState  state)
{
  self->state = state;
  gd_bus_job_set_state (self->iface, state_names[state]);
}

/* Sends the PropertiesChanged the skeleton batched so far, so a signal
 * that follows finds the properties already updated in every client's
 * cache. */
static void
flush_properties (GdJob *self)
{
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->iface));
}

static void
apply_pending_percentage (GdJob *self)
{
  g_clear_handle_id (&self->percentage_id, g_source_remove);
  self->percentage_at = g_get_monotonic_time ();
  gd_bus_job_set_percentage (self->iface, self->pending_percentage);
}

static gboolean
on_percentage_timeout (gpointer user_data)
{
  GdJob *self = user_data;

  self->percentage_id = 0;
  apply_pending_percentage (self);
  return G_SOURCE_REMOVE;
}

/* Percentage follows the manager's fraction, at most ~20 updates a second:
 * a change that comes too soon waits for the rest of the interval (only
 * the newest value is sent). */
static void
set_percentage (GdJob *self,
                guint  percentage)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wait;

  self->pending_percentage = percentage;
  if (self->percentage_id != 0)
    return;
  if (gd_bus_job_get_percentage (self->iface) == percentage)
    return;
  wait = self->percentage_at + PERCENTAGE_INTERVAL_US - now;
  if (self->percentage_at == 0 || wait <= 0)
    {
      apply_pending_percentage (self);
      return;
    }
  self->percentage_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                            (guint) MAX (1, wait / 1000),
                                            on_percentage_timeout, self, NULL);
}

static guint
percentage_from_fraction (double fraction)
{
  if (isnan (fraction))
    return PERCENTAGE_UNKNOWN;
  return (guint) CLAMP (floor (fraction * 100.0), 0.0, 100.0);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */

static void
gd_job_dispose (GObject *object)
{
  GdJob *self = GD_JOB (object);

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->percentage_id, g_source_remove);
  g_clear_handle_id (&self->remove_id, g_source_remove);
  if (self->manager != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_signal_handlers_disconnect_by_data (gander_manager_get_migrator (self->manager), self);
      g_clear_object (&self->manager);
    }
  if (self->held)
    {
      self->held = FALSE;
      gd_daemon_release (self->daemon);
    }

  G_OBJECT_CLASS (gd_job_parent_class)->dispose (object);
}

static void
gd_job_finalize (GObject *object)
{
  GdJob *self = GD_JOB (object);

  g_clear_object (&self->profile);
  g_clear_object (&self->options);
  g_clear_pointer (&self->caller, gd_caller_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);
  g_free (self->object_path);

  G_OBJECT_CLASS (gd_job_parent_class)->finalize (object);
}

static gboolean handle_cancel (GdBusJob              *iface,
                               GDBusMethodInvocation *invocation,
                               GdJob                 *self);

static void
gd_job_class_init (GdJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gd_job_dispose;
  object_class->finalize = gd_job_finalize;

  /* GdJob::finished: the job finished, after Completed went out. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
gd_job_init (GdJob *self)
{
  self->cancellable = g_cancellable_new ();
  self->iface = gd_bus_job_skeleton_new ();
}

GdJob *
gd_job_new (GdDaemon         *daemon,
            GdProfile        *profile,
            GanderOperation   operation,
            gint64            target,
            GanderRunOptions *options,
            const GdCaller   *caller,
            GTimeSpan         timeout)
{
  GdJob *self;
  GdBusProfile *profile_iface;
  gint64 current;

  g_return_val_if_fail (GD_IS_DAEMON (daemon), NULL);
  g_return_val_if_fail (GD_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (options == NULL || GANDER_IS_RUN_OPTIONS (options), NULL);
  g_return_val_if_fail (caller != NULL, NULL);

  self = g_object_new (GD_TYPE_JOB, NULL);
  self->daemon = daemon;
  self->profile = g_object_ref (profile);
  self->operation = operation;
  self->target = target;
  self->options = options != NULL ? g_object_ref (options) : gander_run_options_new ();
  self->caller = gd_caller_copy (caller);
  self->timeout = MAX (timeout, 0);
  self->id = gd_daemon_next_job_id (daemon);
  self->object_path = g_strdup_printf ("%s/%u", GD_DAEMON_JOBS_PATH, self->id);

  profile_iface = gd_profile_get_iface (profile);
  current = profile_iface != NULL ? gd_bus_profile_get_current_version (profile_iface) : 0;

  gd_bus_job_set_operation (self->iface, gander_operation_to_string (operation));
  gd_bus_job_set_profile (self->iface, gd_profile_get_object_path (profile));
  gd_bus_job_set_profile_name (self->iface, gd_profile_get_name (profile));
  gd_bus_job_set_target (self->iface, MAX (target, 0));
  gd_bus_job_set_phase (self->iface, "");
  gd_bus_job_set_percentage (self->iface, PERCENTAGE_UNKNOWN);
  gd_bus_job_set_current_version (self->iface, MAX (current, 0));
  gd_bus_job_set_current_file (self->iface, "");
  gd_bus_job_set_started_by_uid (self->iface, caller->uid);
  gd_bus_job_set_created_at (self->iface, now_us ());
  gd_bus_job_set_finished_at (self->iface, 0);
  gd_bus_job_set_result (self->iface, "");
  gd_bus_job_set_error_name (self->iface, "");
  gd_bus_job_set_error_message (self->iface, "");
  gd_bus_job_set_from_version (self->iface, 0);
  gd_bus_job_set_to_version (self->iface, 0);
  gd_bus_job_set_backup_id (self->iface, "");
  gd_bus_job_set_warnings (self->iface, (const char * const []) { NULL });
  set_state (self, JOB_STATE_WAITING_AUTH);

  g_signal_connect_object (self->iface, "handle-cancel",
                           G_CALLBACK (handle_cancel), self, G_CONNECT_DEFAULT);

  gd_daemon_hold (daemon);
  self->held = TRUE;

  job_log (self, G_LOG_LEVEL_INFO, "job %u: %s on profile “%s” requested by uid %u (%s)",
           self->id, gander_operation_to_string (operation),
           gd_profile_get_name (profile), caller->uid,
           caller->sender != NULL ? caller->sender : "?");
  return self;
}

guint
gd_job_get_id (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), 0);
  return self->id;
}

const char *
gd_job_get_object_path (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), NULL);
  return self->object_path;
}

GdBusJob *
gd_job_get_iface (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), NULL);
  return self->iface;
}

/* made on first use: an exporter may as well put gd_job_get_iface() in
 * an object of its own */
GdBusObjectSkeleton *
gd_job_get_object (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), NULL);
  if (self->object == NULL)
    {
      self->object = gd_bus_object_skeleton_new (self->object_path);
      gd_bus_object_skeleton_set_job (self->object, self->iface);
    }
  return self->object;
}

GdProfile *
gd_job_get_profile (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), NULL);
  return self->profile;
}

const GdCaller *
gd_job_get_caller (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), NULL);
  return self->caller;
}

GanderOperation
gd_job_get_operation (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), GANDER_OPERATION_UP);
  return self->operation;
}

gboolean
gd_job_is_finished (GdJob *self)
{
  g_return_val_if_fail (GD_IS_JOB (self), TRUE);
  return self->state == JOB_STATE_FINISHED;
}

/* ------------------------------------------------------------------ */
/* Finishing                                                           */

static gboolean
on_remove_timeout (gpointer user_data)
{
  GdJob *self = user_data;

  self->remove_id = 0;
  job_log (self, G_LOG_LEVEL_DEBUG, "job %u: removed after its keep time", self->id);
  gd_daemon_remove_job (self->daemon, self);
  return G_SOURCE_REMOVE;
}

static const char *
result_for_outcome (GanderRunOutcome outcome)
{
  switch (outcome)
    {
    case GANDER_RUN_OUTCOME_OK:
      return "success";
    case GANDER_RUN_OUTCOME_CANCELLED:
      return "cancelled";
    case GANDER_RUN_OUTCOME_REFUSED:
      return "refused";
    case GANDER_RUN_OUTCOME_FAILED:
    default:
      return "failed";
    }
}

static char *
mask (const char *text)
{
  return gander_dsn_mask (text != NULL ? text : "");
}

static void
set_report (GdJob           *self,
            GanderRunReport *report)
{
  const char * const *warnings;
  GanderBackupInfo *backup;
  g_autoptr(GStrvBuilder) masked = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  gd_bus_job_set_from_version (self->iface, MAX (gander_run_report_get_from_version (report), 0));
  gd_bus_job_set_to_version (self->iface, MAX (gander_run_report_get_to_version (report), 0));
  backup = gander_run_report_get_backup (report);
  if (backup != NULL && gander_backup_info_get_id (backup) != NULL)
    gd_bus_job_set_backup_id (self->iface, gander_backup_info_get_id (backup));
  warnings = gander_run_report_get_warnings (report);
  for (gsize i = 0; warnings != NULL && warnings[i] != NULL; i++)
    {
      g_autofree char *one = mask (warnings[i]);

      g_strv_builder_add (masked, one);
    }
  list = g_strv_builder_end (masked);
  gd_bus_job_set_warnings (self->iface, (const char * const *) list);
}

/* Ends the job once: properties, then Completed, then the GObject signal,
 * then the profile moves on to its next queued job. @report may be NULL
 * (the run never started); @error is NULL only on success. */
static void
finish (GdJob           *self,
        const char      *result,
        GanderRunReport *report,
        const GError    *error)
{
  g_autoptr(GdJob) keep = g_object_ref (self);
  g_autofree char *error_name = NULL;
  g_autofree char *message = NULL;
  gboolean was_queued = self->state == JOB_STATE_QUEUED;
  guint keep_seconds;

  if (self->state == JOB_STATE_FINISHED)
    return;

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (self->percentage_id != 0)
    apply_pending_percentage (self);
  if (self->manager != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_signal_handlers_disconnect_by_data (gander_manager_get_migrator (self->manager), self);
    }

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* GIO's cancellation has no D-Bus name of its own (GDBus would send
       * org.gtk.GDBus.UnmappedGError.Quark…Code19): a job reports Gander's,
       * org.gander.Migrator1.Error.Cancelled, which a client that
       * registered Gander's domain decodes to GANDER_ERROR_CANCELLED */
      g_autoptr(GError) cancelled = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_CANCELLED,
                                                         error->message);

      error_name = g_dbus_error_encode_gerror (cancelled);
      message = mask (error->message);
    }
  else if (error != NULL)
    {
      error_name = g_dbus_error_encode_gerror (error);
      message = mask (error->message);
    }
  else
    {
      error_name = g_strdup ("");
      message = g_strdup ("");
    }

  if (report != NULL)
    set_report (self, report);
  if (g_strcmp0 (result, "success") == 0)
    {
      self->pending_percentage = 100;
      apply_pending_percentage (self);
    }
  /* -1: the run never read the database's version */
  if (report != NULL && !gander_run_report_get_dry_run (report) &&
      gander_run_report_get_to_version (report) >= 0)
    gd_bus_job_set_current_version (self->iface, gander_run_report_get_to_version (report));
  gd_bus_job_set_current_file (self->iface, "");
  gd_bus_job_set_result (self->iface, result);
  gd_bus_job_set_error_name (self->iface, error_name);
  gd_bus_job_set_error_message (self->iface, message);
  gd_bus_job_set_finished_at (self->iface, now_us ());
  set_state (self, JOB_STATE_FINISHED);
  flush_properties (self);
  gd_bus_job_emit_completed (self->iface, result, error_name, message);

  if (error != NULL)
    job_log (self, g_strcmp0 (result, "failed") == 0 ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE,
             "job %u: %s on profile “%s” finished: %s (%s: %s)", self->id,
             gander_operation_to_string (self->operation),
             gd_profile_get_name (self->profile), result, error_name, message);
  else
    job_log (self, G_LOG_LEVEL_MESSAGE, "job %u: %s on profile “%s” finished: %s",
             self->id, gander_operation_to_string (self->operation),
             gd_profile_get_name (self->profile), result);

  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);

  /* the connection and the pipeline's objects go now, not in 60 s */
  g_clear_object (&self->manager);

  if (was_queued)
    gd_profile_dequeue_job (self->profile, self);
  else if (gd_profile_get_active_job (self->profile) == self)
    gd_profile_set_active_job (self->profile, NULL);

  if (self->held)
    {
      self->held = FALSE;
      gd_daemon_release (self->daemon);
    }

  keep_seconds = gd_daemon_get_job_keep_seconds (self->daemon);
  if (keep_seconds == 0)
    self->remove_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_remove_timeout,
                                       g_object_ref (self), g_object_unref);
  else
    self->remove_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, keep_seconds,
                                                  on_remove_timeout,
                                                  g_object_ref (self), g_object_unref);
}

static void
finish_with_error (GdJob        *self,
                   const GError *error)
{
  if (self->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GError) timeout = NULL;

      timeout = g_error_new (GANDER_ERROR, GANDER_ERROR_TIMEOUT,
                             _("Job %u (%s on profile “%s”) did not finish within its "
                               "timeout of %u s and was cancelled; "
                               "give it a longer “timeout” option or none"),
                             self->id, gander_operation_to_string (self->operation),
                             gd_profile_get_name (self->profile),
                             (guint) (self->timeout / G_TIME_SPAN_SECOND));
      finish (self, "failed", NULL, timeout);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    finish (self, "cancelled", NULL, error);
  else
    finish (self, "failed", NULL, error);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

static void
on_manager_step (GanderManager *manager,
                 GParamSpec    *pspec,
                 GdJob         *self)
{
  const char *step = gander_manager_get_step (manager);

  gd_bus_job_set_phase (self->iface, step != NULL ? step : "");
}

static void
on_manager_fraction (GanderManager *manager,
                     GParamSpec    *pspec,
                     GdJob         *self)
{
  /* The finish step starts at the fraction of a complete run and the
   * manager ends every run at 1, whatever its outcome: neither is progress.
   * Percentage keeps the last real one; finish() sets 100 on success. */
  if (g_strcmp0 (gander_manager_get_step (manager), "finish") == 0 ||
      !gander_manager_get_busy (manager))
    return;
  set_percentage (self, percentage_from_fraction (gander_manager_get_fraction (manager)));
}

static void
on_manager_warning (GanderManager *manager,
                    const char    *message,
                    GdJob         *self)
{
  const char * const *old = gd_bus_job_get_warnings (self->iface);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *masked = mask (message);
  g_auto(GStrv) list = NULL;

  if (old != NULL)
    g_strv_builder_addv (builder, (const char **) old);
  g_strv_builder_add (builder, masked);
  list = g_strv_builder_end (builder);
  gd_bus_job_set_warnings (self->iface, (const char * const *) list);
}

static void
on_migrator_version (GanderMigrator *migrator,
                     GParamSpec     *pspec,
                     GdJob          *self)
{
  if (!self->in_migration)
    gd_bus_job_set_current_version (self->iface,
                                    MAX (gander_migrator_get_current_version (migrator), 0));
}

static char *
migration_source (GanderMigration *migration)
{
  GFile *file = gander_migration_get_file (migration);

  if (file != NULL)
    {
      char *path = g_file_get_path (file);

      return path != NULL ? path : g_file_get_uri (file);
    }
  return g_strdup (gander_migration_get_name (migration));
}

static void
on_migration_started (GanderMigrator  *migrator,
                      GanderMigration *migration,
                      GanderDirection  direction,
                      GdJob           *self)
{
  g_autofree char *source = migration_source (migration);
  gint64 version = gander_migration_get_version (migration);

  self->in_migration = TRUE;
  gd_bus_job_set_current_version (self->iface, version);
  gd_bus_job_set_current_file (self->iface, source);
  if (self->percentage_id != 0)
    apply_pending_percentage (self);
  flush_properties (self);
  gd_bus_job_emit_migration_started (self->iface, version, source,
                                     gander_direction_to_string (direction));
}

static void
on_migration_finished (GanderMigrator        *migrator,
                       GanderMigrationResult *result,
                       GdJob                 *self)
{
  GanderMigration *migration = gander_migration_result_get_migration (result);
  g_autofree char *source = migration != NULL ? migration_source (migration)
                                              : g_strdup (gander_migration_result_get_name (result));
  gboolean success = gander_migration_result_get_error (result) == NULL;
  GanderDirection direction = gander_migration_result_get_direction (result);

  /* an applied migration is the database's version now; after a rollback
   * the migrator's current-version says which one is (notified next) */
  self->in_migration = FALSE;
  if (success && direction == GANDER_DIRECTION_UP)
    gd_bus_job_set_current_version (self->iface, gander_migration_result_get_version (result));
  else if (!success)
    gd_bus_job_set_current_version (self->iface,
                                    MAX (gander_migrator_get_current_version (migrator), 0));
  gd_bus_job_set_current_file (self->iface, "");
  flush_properties (self);
  gd_bus_job_emit_migration_finished (self->iface,
                                      gander_migration_result_get_version (result),
                                      source != NULL ? source : "",
                                      gander_direction_to_string (direction),
                                      success,
                                      gander_migration_result_get_duration_us (result));
}

static void
on_executed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GdJob) self = user_data;
  GanderManager *manager = GANDER_MANAGER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderRunReport) report = NULL;
  GanderRunReport *last;
  const char *outcome;

  report = gander_manager_execute_finish (manager, result, &error);
  if (self->state == JOB_STATE_FINISHED)
    return;
  /* a failed run returns no report: the manager keeps it (a new ref) */
  if (report == NULL)
    report = gander_manager_get_last_report (manager);
  last = report;

  if (last == NULL)
    {
      finish_with_error (self, error);
      return;
    }
  outcome = result_for_outcome (gander_run_report_get_outcome (last));
  if (error == NULL && g_strcmp0 (outcome, "success") != 0)
    {
      const GError *report_error = gander_run_report_get_error (last);

      if (report_error != NULL)
        error = g_error_copy (report_error);
      else
        error = g_error_new (GANDER_ERROR, GANDER_ERROR_FAILED,
                             _("Job %u (%s on profile “%s”) ended as “%s” without an error"),
                             self->id, gander_operation_to_string (self->operation),
                             gd_profile_get_name (self->profile), outcome);
    }
  if (self->timed_out && g_strcmp0 (outcome, "cancelled") == 0)
    {
      set_report (self, last);
      finish_with_error (self, error);
      return;
    }
  finish (self, outcome, last, error);
}

static void
on_manager (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GdJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GanderManager) manager = NULL;
  GanderMigrator *migrator;

  manager = gd_profile_get_manager_finish (GD_PROFILE (source), result, &error);
  if (self->state == JOB_STATE_FINISHED)
    return;
  if (manager == NULL)
    {
      finish_with_error (self, error);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      finish_with_error (self, error);
      return;
    }

  self->manager = g_steal_pointer (&manager);
  migrator = gander_manager_get_migrator (self->manager);
  g_signal_connect_object (self->manager, "notify::step",
                           G_CALLBACK (on_manager_step), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "notify::fraction",
                           G_CALLBACK (on_manager_fraction), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "warning",
                           G_CALLBACK (on_manager_warning), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (migrator, "migration-started",
                           G_CALLBACK (on_migration_started), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (migrator, "migration-finished",
                           G_CALLBACK (on_migration_finished), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (migrator, "notify::current-version",
                           G_CALLBACK (on_migrator_version), self, G_CONNECT_DEFAULT);

  gander_manager_execute_async (self->manager, self->operation, self->target,
                                self->options, self->cancellable,
                                on_executed, g_object_ref (self));
}

static gboolean
on_deadline (gpointer user_data)
{
  GdJob *self = user_data;

  self->deadline_id = 0;
  self->timed_out = TRUE;
  job_log (self, G_LOG_LEVEL_WARNING, "job %u: deadline of %" G_GINT64_FORMAT " s reached, cancelling",
           self->id, self->timeout / G_TIME_SPAN_SECOND);
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

void
gd_job_start (GdJob *self)
{
  g_return_if_fail (GD_IS_JOB (self));
  g_return_if_fail (self->state == JOB_STATE_WAITING_AUTH || self->state == JOB_STATE_QUEUED);

  if (gd_profile_get_active_job (self->profile) != self)
    gd_profile_set_active_job (self->profile, self);

  set_state (self, JOB_STATE_RUNNING);
  gd_bus_job_set_percentage (self->iface, 0);
  self->percentage_at = 0;
  job_log (self, G_LOG_LEVEL_INFO, "job %u: %s on profile “%s” started",
           self->id, gander_operation_to_string (self->operation),
           gd_profile_get_name (self->profile));

  if (self->timeout > 0)
    {
      guint ms = (guint) MIN (self->timeout / G_TIME_SPAN_MILLISECOND, (GTimeSpan) G_MAXUINT);

      self->deadline_id = g_timeout_add_full (G_PRIORITY_DEFAULT, ms, on_deadline, self, NULL);
    }

  gd_profile_get_manager_async (self->profile, self->cancellable,
                                on_manager, g_object_ref (self));
}

void
gd_job_set_queued (GdJob *self)
{
  g_return_if_fail (GD_IS_JOB (self));

  /* both the flow and gd_profile_enqueue_job() may say so */
  if (self->state == JOB_STATE_QUEUED)
    return;
  g_return_if_fail (self->state == JOB_STATE_WAITING_AUTH);
  set_state (self, JOB_STATE_QUEUED);
  job_log (self, G_LOG_LEVEL_INFO, "job %u: queued", self->id);
}

void
gd_job_cancel (GdJob *self)
{
  g_return_if_fail (GD_IS_JOB (self));

  if (self->state == JOB_STATE_FINISHED)
    return;
  self->cancel_requested = TRUE;
  job_log (self, G_LOG_LEVEL_MESSAGE, "job %u: cancel requested (state %s)",
           self->id, state_names[self->state]);
  g_cancellable_cancel (self->cancellable);

  /* a job that is not running has no run to report the cancellation */
  if (self->state == JOB_STATE_QUEUED || self->state == JOB_STATE_WAITING_AUTH)
    {
      g_autoptr(GError) error = NULL;

      g_cancellable_set_error_if_cancelled (self->cancellable, &error);
      finish (self, "cancelled", NULL, error);
    }
}

/* ------------------------------------------------------------------ */
/* Cancel()                                                            */

typedef struct {
  GdJob                 *job;
  GDBusMethodInvocation *invocation;
  gboolean               other_checked;  /* second round: other user's job */
} CancelCall;

static void
cancel_call_free (CancelCall *call)
{
  g_clear_object (&call->job);
  g_clear_object (&call->invocation);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CancelCall, cancel_call_free)

/* Answers a Cancel() of a finished job, consuming *@invocation. */
static gboolean
return_if_finished (GdJob                  *self,
                    GDBusMethodInvocation **invocation)
{
  if (self->state != JOB_STATE_FINISHED)
    return FALSE;
  g_dbus_method_invocation_return_error (g_steal_pointer (invocation), GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                                         _("Job %u has already finished (result “%s”); "
                                           "there is nothing to cancel"),
                                         self->id, gd_bus_job_get_result (self->iface));
  return TRUE;
}

static gboolean
invocation_is_interactive (GDBusMethodInvocation *invocation)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);

  return (g_dbus_message_get_flags (message) &
          G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
}

static void check_cancel (CancelCall *call,
                          const char *action);

static void
on_cancel_authorised (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CancelCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdCaller) caller = NULL;
  GdJob *self = call->job;

  caller = gd_auth_check_finish (GD_AUTH (source), result, &error);
  if (caller == NULL)
    {
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&call->invocation), error);
      return;
    }
  if (return_if_finished (self, &call->invocation))
    return;
  /* the own-job action was granted; another user's job needs its own */
  if (caller->uid != self->caller->uid && !call->other_checked)
    {
      call->other_checked = TRUE;
      check_cancel (g_steal_pointer (&call), GD_ACTION_CANCEL_JOB_OTHER);
      return;
    }

  job_log (self, G_LOG_LEVEL_MESSAGE, "job %u: Cancel() by uid %u (%s)",
           self->id, caller->uid, caller->sender != NULL ? caller->sender : "?");
  gd_job_cancel (self);
  gd_bus_job_complete_cancel (self->iface, g_steal_pointer (&call->invocation));
}

static void
check_cancel (CancelCall *call,
              const char *action)
{
  GdJob *self = call->job;

  gd_auth_check_async (gd_daemon_get_auth (self->daemon), call->invocation, action,
                       gd_profile_get_name (self->profile),
                       gd_profile_get_environment (self->profile),
                       invocation_is_interactive (call->invocation),
                       NULL, on_cancel_authorised, call);
}

static gboolean
handle_cancel (GdBusJob              *iface,
               GDBusMethodInvocation *invocation,
               GdJob                 *self)
{
  CancelCall *call;

  /* the handler owns @invocation until it answers */
  if (return_if_finished (self, &invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;

  call = g_new0 (CancelCall, 1);
  call->job = g_object_ref (self);
  call->invocation = invocation;
  check_cancel (call, GD_ACTION_CANCEL_JOB);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}
