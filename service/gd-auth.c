/* gd-auth.c: who may call what (polkit on the system bus, the daemon's
 * uid on the session bus)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every mutating method (and, on the system bus, every read-only one)
 * comes through gd_auth_check_async() before it has any side effect.
 *
 * The caller's uid and pid come from the bus (GetConnectionCredentials),
 * never from the message: they are cached per unique name, which the bus
 * never reuses, and the entry goes when NameOwnerChanged says the name
 * left. That keeps the session bus's hot path (Status, ≤ 2 ms) free of an
 * extra round trip.
 *
 * On the system bus polkit decides, asynchronously (as fwupd and
 * PackageKit do), so no thread ever waits on an authentication dialog. The
 * check fails closed: no authority, an error or no answer in time is a
 * refusal. uid 0 is not asked about, as polkit would allow it anyway and
 * root must be able to repair a machine whose polkitd is broken.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "gander-daemon"
#endif

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <polkit/polkit.h>

#include "gd-auth.h"

/* A check without user interaction that polkit has not answered by then
 * is refused; with interaction the user may take a while to type. */
#define GD_AUTH_TIMEOUT_MS              (25 * 1000)
#define GD_AUTH_INTERACTIVE_TIMEOUT_MS  (5 * 60 * 1000)
/* How long a positive answer for the read-only inspect action is reused
 * for the same sender and profile (polling clients call Status often). */
#define GD_AUTH_INSPECT_CACHE_USEC      (5 * G_USEC_PER_SEC)
/* Unique names are never reused, so a stale entry only costs memory; the
 * cap bounds it if a NameOwnerChanged raced a credentials reply. */
#define GD_AUTH_MAX_CALLERS             1024

struct _GdAuth
{
  GObject          parent_instance;

  GDBusConnection *bus;
  GdBusKind        kind;
  guint            timeout_ms;
  guint            name_owner_changed_id;

  GHashTable      *callers;        /* sender → GdCaller */
  GHashTable      *pending;        /* sender → GPtrArray of GTask waiting for credentials */
  GHashTable      *inspect_cache;  /* "sender\nprofile" → gint64 (expiry, monotonic µs) */

  PolkitAuthority *authority;
  gulong           authority_changed_id;
  GPtrArray       *authority_waiters; /* GTask; non-NULL while polkit_authority_get_async() runs */
};

G_DEFINE_FINAL_TYPE (GdAuth, gd_auth, G_TYPE_OBJECT)

typedef struct
{
  char         *action_id;
  char         *profile;
  char         *environment;
  gboolean      interactive;
  char         *sender;
  GdCaller     *caller;

  /* the polkit call: cancelled by the caller's cancellable or the timer */
  GCancellable *check_cancellable;
  gulong        cancelled_id;
  GSource      *timeout_source;
  guint         timeout_ms;
  gboolean      timed_out;
} CheckData;

static void
check_data_free (CheckData *data)
{
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_source_unref (data->timeout_source);
    }
  g_free (data->action_id);
  g_free (data->profile);
  g_free (data->environment);
  g_free (data->sender);
  g_clear_pointer (&data->caller, gd_caller_free);
  g_clear_object (&data->check_cancellable);
  g_free (data);
}

const char *
gd_auth_action_for_operation (GanderOperation  operation,
                              const char      *environment)
{
  gboolean production = g_strcmp0 (environment, "production") == 0;

  switch (operation)
    {
    case GANDER_OPERATION_UP:
    case GANDER_OPERATION_UP_BY_ONE:
    case GANDER_OPERATION_UP_TO:
      return production ? GD_ACTION_MIGRATE_PRODUCTION : GD_ACTION_MIGRATE;

    case GANDER_OPERATION_DOWN:
    case GANDER_OPERATION_DOWN_TO:
    case GANDER_OPERATION_REDO:
      return production ? GD_ACTION_ROLLBACK_PRODUCTION : GD_ACTION_ROLLBACK;

    case GANDER_OPERATION_RESET:
      return GD_ACTION_RESET;

    case GANDER_OPERATION_BASELINE:
    case GANDER_OPERATION_CLEAR_DIRTY:
    case GANDER_OPERATION_ACCEPT_CHECKSUM:
    case GANDER_OPERATION_BREAKER_RESET:
      return GD_ACTION_REPAIR;

    case GANDER_OPERATION_BACKUP:
    case GANDER_OPERATION_PRUNE_BACKUPS:
      return GD_ACTION_BACKUP;

    case GANDER_OPERATION_RESTORE:
      return GD_ACTION_RESTORE;

    case GANDER_OPERATION_STATUS:
    case GANDER_OPERATION_VERSION:
    case GANDER_OPERATION_VALIDATE:
    case GANDER_OPERATION_HEALTH:
      return GD_ACTION_INSPECT;

    default:
      break;
    }

  /* An operation added to the library but not mapped here must not fall
   * through to the lenient inspect action: ask for the strictest one. */
  g_critical ("gd_auth_action_for_operation: operation %d has no polkit action; using %s",
              (int) operation, GD_ACTION_RESET);
  return GD_ACTION_RESET;
}

/* What an action allows, for refusal messages ("… is required to %s"). */
static const char *
action_purpose (const char *action_id)
{
  static const struct {
    const char *action_id;
    const char *purpose;
  } purposes[] = {
    { GD_ACTION_INSPECT,             N_("read migration state") },
    { GD_ACTION_MIGRATE,             N_("apply migrations") },
    { GD_ACTION_MIGRATE_PRODUCTION,  N_("apply migrations to a production database") },
    { GD_ACTION_ROLLBACK,            N_("roll back migrations") },
    { GD_ACTION_ROLLBACK_PRODUCTION, N_("roll back migrations on a production database") },
    { GD_ACTION_RESET,               N_("roll back every migration (reset)") },
    { GD_ACTION_REPAIR,              N_("repair the version table or reset the circuit breaker") },
    { GD_ACTION_BACKUP,              N_("take or prune backups") },
    { GD_ACTION_RESTORE,             N_("restore a backup") },
    { GD_ACTION_MANAGE_PROFILES,     N_("add, remove or reload profiles") },
    { GD_ACTION_MANAGE_CREDENTIALS,  N_("set or clear a stored database password") },
    { GD_ACTION_CANCEL_JOB,          N_("cancel a job") },
    { GD_ACTION_CANCEL_JOB_OTHER,    N_("cancel another user’s job") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (purposes); i++)
    if (g_str_equal (purposes[i].action_id, action_id))
      return _(purposes[i].purpose);
  return _("perform this operation");
}

/* " on profile “NAME”" or "", for messages */
static char *
profile_suffix (const CheckData *data)
{
  if (data->profile == NULL || *data->profile == '\0')
    return g_strdup ("");
  /* TRANSLATORS: appended to "… is required to apply migrations" */
  return g_strdup_printf (_(" on profile “%s”"), data->profile);
}

static void
log_refusal (const CheckData *data,
             const char      *message)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "GANDER_PROFILE", data->profile != NULL ? data->profile : "",
                    "GANDER_POLKIT_ACTION", data->action_id,
                    "GANDER_SENDER", data->sender != NULL ? data->sender : "",
                    "MESSAGE", "refused: %s", message);
}

static void
return_refusal (GTask      *task,
                char       *message /* owned */)
{
  CheckData *data = g_task_get_task_data (task);

  log_refusal (data, message);
  g_task_return_new_error (task, GANDER_ERROR, GANDER_ERROR_NOT_AUTHORIZED,
                           "%s", message);
  g_free (message);
}

static void
return_caller (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);

  g_debug ("authorised %s (uid %u, pid %u) for %s%s%s", data->sender,
           data->caller->uid, data->caller->pid, data->action_id,
           data->profile != NULL ? " on " : "",
           data->profile != NULL ? data->profile : "");
  g_task_return_pointer (task, gd_caller_copy (data->caller),
                         (GDestroyNotify) gd_caller_free);
}

/* ---- inspect cache --------------------------------------------------- */

static char *
inspect_key (const CheckData *data)
{
  return g_strconcat (data->sender, "\n",
                      data->profile != NULL ? data->profile : "", NULL);
}

static gboolean
inspect_cached (GdAuth          *self,
                const CheckData *data)
{
  g_autofree char *key = NULL;
  gpointer expiry;

  if (!g_str_equal (data->action_id, GD_ACTION_INSPECT))
    return FALSE;
  key = inspect_key (data);
  if (!g_hash_table_lookup_extended (self->inspect_cache, key, NULL, &expiry))
    return FALSE;
  if (*(gint64 *) expiry > g_get_monotonic_time ())
    return TRUE;
  g_hash_table_remove (self->inspect_cache, key);
  return FALSE;
}

static void
inspect_remember (GdAuth          *self,
                  const CheckData *data)
{
  gint64 *expiry;

  if (!g_str_equal (data->action_id, GD_ACTION_INSPECT))
    return;
  if (g_hash_table_size (self->inspect_cache) >= GD_AUTH_MAX_CALLERS)
    g_hash_table_remove_all (self->inspect_cache);
  expiry = g_new (gint64, 1);
  *expiry = g_get_monotonic_time () + GD_AUTH_INSPECT_CACHE_USEC;
  g_hash_table_insert (self->inspect_cache, inspect_key (data), expiry);
}

static void
inspect_forget_sender (GdAuth     *self,
                       const char *sender)
{
  GHashTableIter iter;
  const char *key;
  gsize len = strlen (sender);

  g_hash_table_iter_init (&iter, self->inspect_cache);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (strncmp (key, sender, len) == 0 && key[len] == '\n')
      g_hash_table_iter_remove (&iter);
}

/* ---- polkit ---------------------------------------------------------- */

static gboolean
check_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);

  data->timed_out = TRUE;
  g_cancellable_cancel (data->check_cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  GCancellable *check_cancellable = user_data;

  g_cancellable_cancel (check_cancellable);
}

static void
polkit_check_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GdAuth *self = g_task_get_source_object (task);
  CheckData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(PolkitAuthorizationResult) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *where = profile_suffix (data);

  if (data->cancelled_id != 0)
    {
      g_cancellable_disconnect (cancellable, data->cancelled_id);
      data->cancelled_id = 0;
    }
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_clear_pointer (&data->timeout_source, g_source_unref);
    }

  answer = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source),
                                                        result, &error);
  if (answer == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The authorisation check for %s was cancelled"),
                                   data->action_id);
          return;
        }
      if (data->timed_out)
        {
          return_refusal (task, g_strdup_printf (
              _("Refused (fail closed): polkit did not answer within %.1f s whether uid %u may %s%s (%s). "
                "Check that polkitd is running and healthy."),
              data->timeout_ms / 1000.0,
              data->caller->uid, action_purpose (data->action_id), where, data->action_id));
          return;
        }
      return_refusal (task, g_strdup_printf (
          _("Refused (fail closed): could not ask polkit whether uid %u may %s%s (%s): %s. "
            "Check that polkitd is installed and running on the system bus, or call as root."),
          data->caller->uid, action_purpose (data->action_id), where, data->action_id,
          error->message));
      return;
    }

  if (polkit_authorization_result_get_is_authorized (answer))
    {
      inspect_remember (self, data);
      return_caller (task);
      return;
    }

  if (polkit_authorization_result_get_dismissed (answer))
    {
      return_refusal (task, g_strdup_printf (
          _("%s is required to %s%s; the authentication dialog was dismissed."),
          data->action_id, action_purpose (data->action_id), where));
      return;
    }

  if (polkit_authorization_result_get_is_challenge (answer))
    {
      if (!data->interactive)
        return_refusal (task, g_strdup_printf (
            _("%s is required to %s%s and polkit needs uid %u to authenticate: "
              "call again with the option interactive=true (a{sv} {\"interactive\": <true>}) "
              "from a session with a polkit authentication agent."),
            data->action_id, action_purpose (data->action_id), where, data->caller->uid));
      else
        return_refusal (task, g_strdup_printf (
            _("%s is required to %s%s and polkit needs uid %u to authenticate, "
              "but no authentication agent answered: run the call from a desktop session "
              "or start pkttyagent."),
            data->action_id, action_purpose (data->action_id), where, data->caller->uid));
      return;
    }

  return_refusal (task, g_strdup_printf (
      _("%s is required to %s%s; polkit refused it to uid %u. "
        "Ask an administrator to grant the action (a polkit rule) or to run it."),
      data->action_id, action_purpose (data->action_id), where, data->caller->uid));
}

static void
polkit_check (GdAuth *self,
              GTask  *task /* owned */)
{
  CheckData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(PolkitSubject) subject = NULL;
  g_autoptr(PolkitDetails) details = NULL;
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  subject = polkit_system_bus_name_new (data->sender);
  details = polkit_details_new ();
  if (data->profile != NULL)
    polkit_details_insert (details, "profile", data->profile);
  if (data->environment != NULL)
    polkit_details_insert (details, "environment", data->environment);
  if (data->interactive)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  data->check_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (cancellable,
                                                G_CALLBACK (caller_cancelled_cb),
                                                data->check_cancellable, NULL);
  data->timeout_ms = data->interactive ? GD_AUTH_INTERACTIVE_TIMEOUT_MS : self->timeout_ms;
  data->timeout_source = g_timeout_source_new (data->timeout_ms);
  g_source_set_callback (data->timeout_source, check_timeout_cb, task, NULL);
  g_source_set_static_name (data->timeout_source, "[gander-daemon] polkit timeout");
  g_source_attach (data->timeout_source, g_task_get_context (task));

  polkit_authority_check_authorization (self->authority, subject,
                                        data->action_id, details, flags,
                                        data->check_cancellable,
                                        polkit_check_cb, task);
}

static void
authority_changed_cb (PolkitAuthority *authority,
                      gpointer         user_data)
{
  GdAuth *self = user_data;

  /* actions or authorisations changed: ask again */
  g_hash_table_remove_all (self->inspect_cache);
}

static void
authority_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GdAuth) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->authority_waiters);
  PolkitAuthority *authority;

  authority = polkit_authority_get_finish (result, &error);
  if (authority != NULL && self->authority == NULL)
    {
      self->authority = authority;
      self->authority_changed_id = g_signal_connect (authority, "changed",
                                                     G_CALLBACK (authority_changed_cb),
                                                     self);
    }
  else
    g_clear_object (&authority);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      CheckData *data = g_task_get_task_data (task);
      g_autofree char *where = NULL;

      if (self->authority != NULL)
        {
          polkit_check (self, task);
          continue;
        }
      /* no authority: the next call tries again */
      where = profile_suffix (data);
      return_refusal (task, g_strdup_printf (
          _("Refused (fail closed): polkit is not available to decide whether uid %u may %s%s (%s): %s. "
            "Check that polkitd is installed and the system bus is running, or call as root."),
          data->caller->uid, action_purpose (data->action_id), where, data->action_id,
          error != NULL ? error->message : _("no authority")));
      g_object_unref (task);
    }
}

static void
system_bus_check (GdAuth *self,
                  GTask  *task /* owned */)
{
  CheckData *data = g_task_get_task_data (task);

  if (data->caller->uid == 0)
    {
      return_caller (task);
      g_object_unref (task);
      return;
    }

  if (inspect_cached (self, data))
    {
      return_caller (task);
      g_object_unref (task);
      return;
    }

  if (self->authority != NULL)
    {
      polkit_check (self, task);
      return;
    }

  if (self->authority_waiters == NULL)
    {
      self->authority_waiters = g_ptr_array_new ();
      polkit_authority_get_async (NULL, authority_ready_cb, g_object_ref (self));
    }
  g_ptr_array_add (self->authority_waiters, task);
}

/* ---- the caller's credentials ---------------------------------------- */

static void
caller_known (GdAuth *self,
              GTask  *task /* owned */)
{
  CheckData *data = g_task_get_task_data (task);

  if (self->kind == GD_BUS_SYSTEM)
    {
      system_bus_check (self, task);
      return;
    }

  if (data->caller->uid != (guint32) getuid ())
    {
      g_autofree char *where = profile_suffix (data);

      return_refusal (task, g_strdup_printf (
          _("Refused: this gander-daemon is on the session bus and is served only to uid %u; "
            "the caller %s runs as uid %u (needed: %s, to %s%s). "
            "Use the daemon of your own session, or the system bus daemon with polkit."),
          (guint) getuid (), data->sender, data->caller->uid,
          data->action_id, action_purpose (data->action_id), where));
      g_object_unref (task);
      return;
    }

  return_caller (task);
  g_object_unref (task);
}

/* One GetConnectionCredentials call per sender in flight, shared by every
 * check that arrived meanwhile. */
typedef struct
{
  GdAuth    *self;     /* owned */
  char      *sender;
  GPtrArray *waiters;  /* GTask, owned */
  gboolean   gone;     /* the sender left the bus before the answer */
} Lookup;

static void
unref_task (gpointer task)
{
  if (task != NULL)
    g_object_unref (task);
}

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->self);
  g_free (lookup->sender);
  g_clear_pointer (&lookup->waiters, g_ptr_array_unref);
  g_free (lookup);
}

static void
credentials_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Lookup *lookup = user_data;
  GdAuth *self = lookup->self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GError) error = NULL;
  guint32 uid = 0, pid = 0;
  gboolean have_uid = FALSE;

  if (g_hash_table_lookup (self->pending, lookup->sender) == lookup)
    g_hash_table_steal (self->pending, lookup->sender);

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      dict = g_variant_get_child_value (reply, 0);
      have_uid = g_variant_lookup (dict, "UnixUserID", "u", &uid);
      if (!g_variant_lookup (dict, "ProcessID", "u", &pid))
        pid = 0;
    }

  if (have_uid && !lookup->gone)
    {
      GdCaller *caller = g_new0 (GdCaller, 1);

      caller->sender = g_strdup (lookup->sender);
      caller->uid = uid;
      caller->pid = pid;
      if (g_hash_table_size (self->callers) >= GD_AUTH_MAX_CALLERS)
        g_hash_table_remove_all (self->callers);
      g_hash_table_replace (self->callers, caller->sender, caller);
    }

  for (guint i = 0; i < lookup->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (lookup->waiters, i);
      CheckData *data = g_task_get_task_data (task);

      g_ptr_array_index (lookup->waiters, i) = NULL;
      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          continue;
        }
      if (!have_uid)
        {
          g_autofree char *where = profile_suffix (data);

          return_refusal (task, g_strdup_printf (
              _("Refused (fail closed): the bus did not tell who %s is, so it cannot be allowed to %s%s (%s): %s"),
              lookup->sender, action_purpose (data->action_id), where, data->action_id,
              error != NULL ? error->message : _("no UnixUserID in GetConnectionCredentials")));
          g_object_unref (task);
          continue;
        }
      data->caller = g_new0 (GdCaller, 1);
      data->caller->sender = g_strdup (lookup->sender);
      data->caller->uid = uid;
      data->caller->pid = pid;
      caller_known (self, task);
    }

  lookup_free (lookup);
}

static void
lookup_caller (GdAuth *self,
               GTask  *task /* owned */)
{
  CheckData *data = g_task_get_task_data (task);
  const GdCaller *cached;
  Lookup *lookup;

  cached = g_hash_table_lookup (self->callers, data->sender);
  if (cached != NULL)
    {
      data->caller = gd_caller_copy (cached);
      caller_known (self, task);
      return;
    }

  lookup = g_hash_table_lookup (self->pending, data->sender);
  if (lookup != NULL)
    {
      g_ptr_array_add (lookup->waiters, task);
      return;
    }

  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->sender = g_strdup (data->sender);
  lookup->waiters = g_ptr_array_new_with_free_func (unref_task);
  g_ptr_array_add (lookup->waiters, task);
  g_hash_table_insert (self->pending, lookup->sender, lookup);

  g_dbus_connection_call (self->bus,
                          "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionCredentials",
                          g_variant_new ("(s)", data->sender),
                          G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          credentials_cb, lookup);
}

static void
name_owner_changed_cb (GDBusConnection *connection,
                       const char      *sender_name,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  GdAuth *self = user_data;
  const char *name, *old_owner, *new_owner;
  Lookup *lookup;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  /* a unique name leaving the bus */
  if (name[0] != ':' || *new_owner != '\0')
    return;

  g_hash_table_remove (self->callers, name);
  inspect_forget_sender (self, name);
  lookup = g_hash_table_lookup (self->pending, name);
  if (lookup != NULL)
    lookup->gone = TRUE;
}

/* ---- the object -------------------------------------------------------- */

void
gd_auth_check_async (GdAuth                *self,
                     GDBusMethodInvocation *invocation,
                     const char            *action_id,
                     const char            *profile,
                     const char            *environment,
                     gboolean               interactive,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;
  const char *sender;

  g_return_if_fail (GD_IS_AUTH (self));
  g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));
  g_return_if_fail (action_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gd_auth_check_async);
  data = g_new0 (CheckData, 1);
  data->action_id = g_strdup (action_id);
  data->profile = g_strdup (profile);
  data->environment = g_strdup (environment);
  data->interactive = interactive;
  sender = g_dbus_method_invocation_get_sender (invocation);
  data->sender = g_strdup (sender);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  if (sender == NULL)
    {
      /* a peer-to-peer connection: the daemon never serves one */
      return_refusal (task, g_strdup_printf (
          _("Refused: the call for %s came without a sender (not through a message bus); "
            "call gander-daemon through the session or system bus."),
          action_id));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  lookup_caller (self, g_steal_pointer (&task));
}

GdCaller *
gd_auth_check_finish (GdAuth        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (GD_IS_AUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gd_auth_check_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
gd_auth_dispose (GObject *object)
{
  GdAuth *self = GD_AUTH (object);

  if (self->name_owner_changed_id != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->bus, self->name_owner_changed_id);
      self->name_owner_changed_id = 0;
    }
  if (self->authority != NULL)
    {
      g_clear_signal_handler (&self->authority_changed_id, self->authority);
      g_clear_object (&self->authority);
    }

  G_OBJECT_CLASS (gd_auth_parent_class)->dispose (object);
}

static void
gd_auth_finalize (GObject *object)
{
  GdAuth *self = GD_AUTH (object);

  /* every pending lookup and polkit_authority_get_async() holds a
   * reference, so nothing is in flight here */
  g_hash_table_unref (self->callers);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->inspect_cache);
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (gd_auth_parent_class)->finalize (object);
}

static void
gd_auth_class_init (GdAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gd_auth_dispose;
  object_class->finalize = gd_auth_finalize;
}

static void
gd_auth_init (GdAuth *self)
{
  self->callers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) gd_caller_free);
  self->pending = g_hash_table_new (g_str_hash, g_str_equal);
  self->inspect_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->timeout_ms = GD_AUTH_TIMEOUT_MS;
}

void
gd_auth_set_timeout (GdAuth *self,
                     guint   timeout_ms)
{
  g_return_if_fail (GD_IS_AUTH (self));

  self->timeout_ms = timeout_ms != 0 ? timeout_ms : GD_AUTH_TIMEOUT_MS;
}

guint
gd_auth_get_n_cached_callers (GdAuth *self)
{
  g_return_val_if_fail (GD_IS_AUTH (self), 0);

  return g_hash_table_size (self->callers);
}

GdAuth *
gd_auth_new (GDBusConnection *bus,
             GdBusKind        kind)
{
  GdAuth *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), NULL);

  self = g_object_new (GD_TYPE_AUTH, NULL);
  self->bus = g_object_ref (bus);
  self->kind = kind;
  self->name_owner_changed_id =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged",
                                        "/org/freedesktop/DBus", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        name_owner_changed_cb, self, NULL);
  return self;
}
