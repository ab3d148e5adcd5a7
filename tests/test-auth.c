/* test-auth.c: gander-daemon's authorisation (service/gd-auth.c) against a
 * private bus with python-dbusmock's polkitd
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One private dbus-daemon plays the system bus (its config lets every uid
 * connect). This process exports a small test interface whose Check method
 * runs gd_auth_check_async() for the caller, with a GdAuth of either kind
 * on that bus. Callers are this process itself (uid 0 in CI) and a Python
 * client run as uid 65534 through setpriv, since root bypasses polkit.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>

#include "gd-auth.h"
#include "gander-test-util.h"

#define TEST_PATH   "/org/gander/AuthTest"
#define TEST_IFACE  "org.gander.AuthTest"
#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define NOT_AUTHORIZED "org.gander.Migrator1.Error.NotAuthorized"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='" TEST_IFACE "'>"
  "    <method name='Check'>"
  "      <arg name='kind' type='s' direction='in'/>"
  "      <arg name='action' type='s' direction='in'/>"
  "      <arg name='profile' type='s' direction='in'/>"
  "      <arg name='environment' type='s' direction='in'/>"
  "      <arg name='interactive' type='b' direction='in'/>"
  "      <arg name='cancel_ms' type='u' direction='in'/>"
  "      <arg name='uid' type='u' direction='out'/>"
  "      <arg name='pid' type='u' direction='out'/>"
  "      <arg name='sender' type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* The client as another uid: reads one request per line ("kind action
 * profile environment interactive cancel_ms", "-" for an empty string),
 * answers "OK uid pid sender" or "ERR name message"; "SENDER" answers its
 * unique name. Passed with -c, so uid 65534 needs no access to any file. */
static const char client_py[] =
  "import sys\n"
  "from gi.repository import Gio, GLib\n"
  "flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |\n"
  "         Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)\n"
  "bus = Gio.DBusConnection.new_for_address_sync(sys.argv[1], flags, None, None)\n"
  "dest = sys.argv[2]\n"
  "for line in sys.stdin:\n"
  "    w = line.split()\n"
  "    if not w:\n"
  "        break\n"
  "    if w[0] == 'SENDER':\n"
  "        print('OK', bus.get_unique_name(), flush=True)\n"
  "        continue\n"
  "    a = ['' if x == '-' else x for x in w]\n"
  "    args = GLib.Variant('(ssssbu)', (a[0], a[1], a[2], a[3], a[4] == '1', int(a[5])))\n"
  "    try:\n"
  "        r = bus.call_sync(dest, '" TEST_PATH "', '" TEST_IFACE "', 'Check', args,\n"
  "                          GLib.VariantType('(uus)'), 0, 60000, None)\n"
  "        uid, pid, sender = r.unpack()\n"
  "        print('OK', uid, pid, sender, flush=True)\n"
  "    except GLib.Error as e:\n"
  "        name = Gio.DBusError.get_remote_error(e) or 'local'\n"
  "        Gio.DBusError.strip_remote_error(e)\n"
  "        print('ERR', name, e.message.replace('\\n', ' '), flush=True)\n";

typedef struct
{
  char             *tmpdir;
  char             *address;
  GSubprocess      *bus_daemon;
  GSubprocess      *polkitd;
  char             *polkitd_log;
  GDBusConnection  *service;        /* exports TEST_PATH */
  GDBusConnection  *self_client;    /* this process as a caller */
  GdAuth           *system_auth;
  GdAuth           *session_auth;
  guint             registration_id;
} Env;

static Env env;

/* ---- helpers ------------------------------------------------------------ */

static void
iterate_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
timeout_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
sleep_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_flag_cb, &done);
  iterate_until (&done);
}

static gboolean
name_has_owner (const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (env.service, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

static void
polkit_mock_call (const char *method,
                  GVariant   *args)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (env.service, POLKIT_NAME, POLKIT_PATH,
                                       "org.freedesktop.DBus.Mock", method, args,
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
}

static void
set_allowed (const char *first, ...)
{
  GVariantBuilder builder;
  va_list ap;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("as"));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_variant_builder_add (&builder, "s", a);
  va_end (ap);
  polkit_mock_call ("SetAllowed", g_variant_new ("(as)", &builder));
}

/* dbus-daemon and polkitd go when this process does, even on a crash */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
polkitd_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (env.polkitd != NULL)
    return;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  env.polkitd = g_subprocess_launcher_spawn (launcher, &error,
                                             "/usr/bin/python3", "-m", "dbusmock",
                                             "--template", "polkitd",
                                             "--logfile", env.polkitd_log, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!name_has_owner (POLKIT_NAME))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (g_subprocess_get_identifier (env.polkitd) == NULL)
        g_error ("python3 -m dbusmock --template polkitd exited at once; is python3-dbusmock installed?");
      sleep_ms (20);
    }
  /* polkit cancels a check it gave up on; the template lacks the method */
  polkit_mock_call ("AddMethod",
                    g_variant_new ("(sssss)", "org.freedesktop.PolicyKit1.Authority",
                                   "CancelCheckAuthorization", "s", "", ""));
}

static void
polkitd_stop (void)
{
  if (env.polkitd == NULL)
    return;
  g_subprocess_send_signal (env.polkitd, SIGTERM);
  g_subprocess_wait (env.polkitd, NULL, NULL);
  g_clear_object (&env.polkitd);
  while (name_has_owner (POLKIT_NAME))
    sleep_ms (10);
}

/* ---- the service side ------------------------------------------------- */

typedef struct
{
  GDBusMethodInvocation *invocation;
  GCancellable          *cancellable;
  guint                  cancel_id;
} CheckCall;

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CheckCall *call = user_data;
  g_autoptr(GdCaller) caller = NULL;
  GError *error = NULL;

  caller = gd_auth_check_finish (GD_AUTH (source), result, &error);
  if (caller == NULL)
    g_dbus_method_invocation_take_error (call->invocation, error);
  else
    g_dbus_method_invocation_return_value (call->invocation,
                                           g_variant_new ("(uus)", caller->uid,
                                                          caller->pid, caller->sender));
  if (call->cancel_id != 0)
    g_source_remove (call->cancel_id);
  g_clear_object (&call->cancellable);
  g_free (call);
}

static gboolean
cancel_cb (gpointer user_data)
{
  CheckCall *call = user_data;

  call->cancel_id = 0;
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  const char *kind, *action, *profile, *environment;
  gboolean interactive;
  guint32 cancel_ms;
  CheckCall *call;

  g_variant_get (parameters, "(&s&s&s&sbu)", &kind, &action, &profile,
                 &environment, &interactive, &cancel_ms);
  call = g_new0 (CheckCall, 1);
  call->invocation = invocation;
  call->cancellable = g_cancellable_new ();
  if (cancel_ms > 0)
    call->cancel_id = g_timeout_add (cancel_ms, cancel_cb, call);
  gd_auth_check_async (g_str_equal (kind, "session") ? env.session_auth : env.system_auth,
                       invocation, action,
                       *profile != '\0' ? profile : NULL,
                       *environment != '\0' ? environment : NULL,
                       interactive, call->cancellable, check_done, call);
}

static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { 0 } };

/* ---- callers ---------------------------------------------------------- */

typedef struct
{
  gboolean  ok;
  guint32   uid;
  guint32   pid;
  char     *sender;
  char     *error_name;
  char     *message;
} Answer;

static void
answer_clear (Answer *a)
{
  g_free (a->sender);
  g_free (a->error_name);
  g_free (a->message);
  memset (a, 0, sizeof *a);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static void
self_call_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Answer *a = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      a->ok = TRUE;
      g_variant_get (reply, "(uus)", &a->uid, &a->pid, &a->sender);
    }
  else
    {
      a->error_name = g_dbus_error_get_remote_error (error);
      g_dbus_error_strip_remote_error (error);
      a->message = g_strdup (error->message);
    }
  a->sender = a->sender != NULL ? a->sender : g_strdup ("");
}

/* this process (uid 0 in CI) calls Check */
static void
self_check (Answer     *a,
            const char *kind,
            const char *action,
            const char *profile,
            const char *environment)
{
  g_dbus_connection_call (env.self_client,
                          g_dbus_connection_get_unique_name (env.service),
                          TEST_PATH, TEST_IFACE, "Check",
                          g_variant_new ("(ssssbu)", kind, action, profile,
                                         environment, FALSE, 0),
                          G_VARIANT_TYPE ("(uus)"), G_DBUS_CALL_FLAGS_NONE,
                          30000, NULL, self_call_cb, a);
  while (a->sender == NULL)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  GSubprocess      *process;
  GOutputStream    *in;
  GDataInputStream *out;
  uid_t             uid;
  char             *sender;
} Client;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **line = user_data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                     result, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*line);
}

static char *
client_request (Client     *client,
                const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request = g_strconcat (line, "\n", NULL);
  char *reply = NULL;

  g_output_stream_write_all (client->in, request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_data_input_stream_read_line_async (client->out, G_PRIORITY_DEFAULT, NULL,
                                       read_line_cb, &reply);
  while (reply == NULL)
    g_main_context_iteration (NULL, TRUE);
  return reply;
}

/* a client process running as uid 65534 when we are root, else as us */
static Client *
client_new (void)
{
  Client *client = g_new0 (Client, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  const char *dest = g_dbus_connection_get_unique_name (env.service);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (getuid () == 0)
    {
      g_ptr_array_add (argv, (char *) "setpriv");
      g_ptr_array_add (argv, (char *) "--reuid=65534");
      g_ptr_array_add (argv, (char *) "--regid=65534");
      g_ptr_array_add (argv, (char *) "--clear-groups");
      g_ptr_array_add (argv, (char *) "--");
      client->uid = 65534;
    }
  else
    client->uid = getuid ();
  g_ptr_array_add (argv, (char *) "/usr/bin/python3");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) client_py);
  g_ptr_array_add (argv, env.address);
  g_ptr_array_add (argv, (char *) dest);
  g_ptr_array_add (argv, NULL);

  client->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  client->in = g_object_ref (g_subprocess_get_stdin_pipe (client->process));
  client->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (client->process));

  reply = client_request (client, "SENDER");
  g_assert_true (g_str_has_prefix (reply, "OK :"));
  client->sender = g_strdup (reply + 3);
  return client;
}

static void
client_free (Client *client)
{
  g_output_stream_close (client->in, NULL, NULL);
  g_subprocess_wait (client->process, NULL, NULL);
  g_object_unref (client->in);
  g_object_unref (client->out);
  g_object_unref (client->process);
  g_free (client->sender);
  g_free (client);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_check_full (Client     *client,
                   Answer     *a,
                   const char *kind,
                   const char *action,
                   const char *profile,
                   const char *environment,
                   gboolean    interactive,
                   guint       cancel_ms)
{
  g_autofree char *line = NULL;
  g_autofree char *reply = NULL;

  line = g_strdup_printf ("%s %s %s %s %d %u", kind, action,
                          profile != NULL ? profile : "-",
                          environment != NULL ? environment : "-",
                          interactive ? 1 : 0, cancel_ms);
  reply = client_request (client, line);
  if (g_str_has_prefix (reply, "OK "))
    {
      g_auto(GStrv) w = g_strsplit (reply, " ", 4);

      g_assert_cmpuint (g_strv_length (w), ==, 4);
      a->ok = TRUE;
      a->uid = (guint32) g_ascii_strtoull (w[1], NULL, 10);
      a->pid = (guint32) g_ascii_strtoull (w[2], NULL, 10);
      a->sender = g_strdup (w[3]);
    }
  else
    {
      g_auto(GStrv) w = g_strsplit (reply, " ", 3);

      g_assert_cmpstr (w[0], ==, "ERR");
      g_assert_cmpuint (g_strv_length (w), ==, 3);
      a->error_name = g_strdup (w[1]);
      a->message = g_strdup (w[2]);
    }
}

static void
client_check (Client     *client,
              Answer     *a,
              const char *kind,
              const char *action,
              const char *profile,
              const char *environment)
{
  client_check_full (client, a, kind, action, profile, environment, FALSE, 0);
}

#define assert_allowed(a, client) G_STMT_START {                     \
  if (!(a)->ok)                                                       \
    g_error ("expected allowed, got %s: %s", (a)->error_name, (a)->message); \
  g_assert_cmpuint ((a)->uid, ==, (client)->uid);                     \
  g_assert_cmpuint ((a)->pid, ==, (guint32) atoi (g_subprocess_get_identifier ((client)->process))); \
  g_assert_cmpstr ((a)->sender, ==, (client)->sender);                \
} G_STMT_END

#define assert_refused(a, needle) G_STMT_START {                      \
  g_assert_false ((a)->ok);                                           \
  g_assert_cmpstr ((a)->error_name, ==, NOT_AUTHORIZED);              \
  if (strstr ((a)->message, (needle)) == NULL)                        \
    g_error ("refusal “%s” does not say “%s”", (a)->message, (needle)); \
} G_STMT_END

/* ---- tests ------------------------------------------------------------ */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* p50 and p99 of @n round trips of Check by this process, in us */
static void
time_self_checks (const char *kind,
                  const char *action,
                  guint       n,
                  gint64     *p50,
                  gint64     *p99)
{
  g_autofree gint64 *times = g_new (gint64, n);

  for (guint i = 0; i < n; i++)
    {
      g_auto(Answer) a = { 0, };
      gint64 start = g_get_monotonic_time ();

      self_check (&a, kind, action, "timing", "");
      times[i] = g_get_monotonic_time () - start;
      g_assert_true (a.ok);
    }
  qsort (times, n, sizeof (gint64), compare_gint64);
  *p50 = times[n / 2];
  *p99 = times[(n * 99) / 100];
}



static const char * const all_actions[] = {
  GD_ACTION_INSPECT, GD_ACTION_MIGRATE, GD_ACTION_MIGRATE_PRODUCTION,
  GD_ACTION_ROLLBACK, GD_ACTION_ROLLBACK_PRODUCTION, GD_ACTION_RESET,
  GD_ACTION_REPAIR, GD_ACTION_BACKUP, GD_ACTION_RESTORE,
  GD_ACTION_MANAGE_PROFILES, GD_ACTION_MANAGE_CREDENTIALS,
  GD_ACTION_CANCEL_JOB, GD_ACTION_CANCEL_JOB_OTHER,
};

static void
test_action_for_operation (void)
{
  static const struct {
    GanderOperation op;
    const char *plain;
    const char *production;
  } cases[] = {
    { GANDER_OPERATION_UP,              GD_ACTION_MIGRATE,  GD_ACTION_MIGRATE_PRODUCTION },
    { GANDER_OPERATION_UP_BY_ONE,       GD_ACTION_MIGRATE,  GD_ACTION_MIGRATE_PRODUCTION },
    { GANDER_OPERATION_UP_TO,           GD_ACTION_MIGRATE,  GD_ACTION_MIGRATE_PRODUCTION },
    { GANDER_OPERATION_DOWN,            GD_ACTION_ROLLBACK, GD_ACTION_ROLLBACK_PRODUCTION },
    { GANDER_OPERATION_DOWN_TO,         GD_ACTION_ROLLBACK, GD_ACTION_ROLLBACK_PRODUCTION },
    { GANDER_OPERATION_REDO,            GD_ACTION_ROLLBACK, GD_ACTION_ROLLBACK_PRODUCTION },
    { GANDER_OPERATION_RESET,           GD_ACTION_RESET,    GD_ACTION_RESET },
    { GANDER_OPERATION_BASELINE,        GD_ACTION_REPAIR,   GD_ACTION_REPAIR },
    { GANDER_OPERATION_CLEAR_DIRTY,     GD_ACTION_REPAIR,   GD_ACTION_REPAIR },
    { GANDER_OPERATION_ACCEPT_CHECKSUM, GD_ACTION_REPAIR,   GD_ACTION_REPAIR },
    { GANDER_OPERATION_BREAKER_RESET,   GD_ACTION_REPAIR,   GD_ACTION_REPAIR },
    { GANDER_OPERATION_BACKUP,          GD_ACTION_BACKUP,   GD_ACTION_BACKUP },
    { GANDER_OPERATION_PRUNE_BACKUPS,   GD_ACTION_BACKUP,   GD_ACTION_BACKUP },
    { GANDER_OPERATION_RESTORE,         GD_ACTION_RESTORE,  GD_ACTION_RESTORE },
    { GANDER_OPERATION_STATUS,          GD_ACTION_INSPECT,  GD_ACTION_INSPECT },
    { GANDER_OPERATION_VERSION,         GD_ACTION_INSPECT,  GD_ACTION_INSPECT },
    { GANDER_OPERATION_VALIDATE,        GD_ACTION_INSPECT,  GD_ACTION_INSPECT },
    { GANDER_OPERATION_HEALTH,          GD_ACTION_INSPECT,  GD_ACTION_INSPECT },
  };

  /* every operation of the library is mapped (a new one must be added) */
  g_assert_cmpuint (G_N_ELEMENTS (cases), ==, GANDER_OPERATION_PRUNE_BACKUPS + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (gd_auth_action_for_operation (cases[i].op, NULL), ==, cases[i].plain);
      g_assert_cmpstr (gd_auth_action_for_operation (cases[i].op, "development"), ==, cases[i].plain);
      g_assert_cmpstr (gd_auth_action_for_operation (cases[i].op, "staging"), ==, cases[i].plain);
      g_assert_cmpstr (gd_auth_action_for_operation (cases[i].op, "production"), ==, cases[i].production);
    }
}

/* Each action on its own: allowed when polkit allows exactly it, refused
 * (naming it) when polkit allows everything else. */
static void
test_polkit_per_action (void)
{
  g_autoptr(Client) client = NULL;

  polkitd_start ();
  client = client_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (all_actions); i++)
    {
      g_auto(Answer) allowed = { 0, };
      g_auto(Answer) refused = { 0, };
      g_auto(Answer) none = { 0, };
      GVariantBuilder others;

      set_allowed (all_actions[i], NULL);
      /* inspect answers are cached per profile: use a fresh one each time */
      client_check (client, &allowed, "system", all_actions[i], "shop", "staging");
      assert_allowed (&allowed, client);

      g_variant_builder_init (&others, G_VARIANT_TYPE ("as"));
      for (gsize j = 0; j < G_N_ELEMENTS (all_actions); j++)
        if (j != i)
          g_variant_builder_add (&others, "s", all_actions[j]);
      polkit_mock_call ("SetAllowed", g_variant_new ("(as)", &others));
      client_check (client, &refused, "system", all_actions[i], "shop2", "staging");
      assert_refused (&refused, all_actions[i]);
      assert_refused (&refused, "shop2");

      set_allowed (NULL);
      client_check (client, &none, "system", all_actions[i], "shop3", NULL);
      assert_refused (&none, all_actions[i]);
    }
}

/* The production variants are separate actions: migrate does not imply
 * migrate-production, and the other way round. */
static void
test_polkit_production (void)
{
  g_autoptr(Client) client = client_new ();
  struct {
    GanderOperation op;
  } ops[] = { { GANDER_OPERATION_UP }, { GANDER_OPERATION_DOWN } };

  polkitd_start ();
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      const char *plain = gd_auth_action_for_operation (ops[i].op, "staging");
      const char *prod = gd_auth_action_for_operation (ops[i].op, "production");
      g_auto(Answer) a = { 0, };
      g_auto(Answer) b = { 0, };
      g_auto(Answer) c = { 0, };
      g_auto(Answer) d = { 0, };

      g_assert_cmpstr (plain, !=, prod);
      set_allowed (plain, NULL);
      client_check (client, &a, "system", plain, "shop", "staging");
      assert_allowed (&a, client);
      client_check (client, &b, "system", prod, "shop", "production");
      assert_refused (&b, prod);
      assert_refused (&b, "production database");

      set_allowed (prod, NULL);
      client_check (client, &c, "system", prod, "shop", "production");
      assert_allowed (&c, client);
      client_check (client, &d, "system", plain, "shop", "staging");
      assert_refused (&d, plain);
    }
}

/* polkit gets the profile and the environment as details (the policy's
 * messages show $(profile)); dbusmock logs the call's arguments. */
static void
test_polkit_details (void)
{
  g_autoptr(Client) client = client_new ();
  g_auto(Answer) a = { 0, };
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;

  polkitd_start ();
  set_allowed (GD_ACTION_MIGRATE_PRODUCTION, NULL);
  client_check (client, &a, "system", GD_ACTION_MIGRATE_PRODUCTION,
                "detail-profile-xyz", "production");
  assert_allowed (&a, client);
  g_file_get_contents (env.polkitd_log, &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (log, "detail-profile-xyz"));
  g_assert_nonnull (strstr (log, "profile"));
  g_assert_nonnull (strstr (log, "environment"));
  g_assert_nonnull (strstr (log, client->sender));
}

/* No polkitd on the system bus: everyone but root is refused. */
static void
test_polkit_fail_closed (void)
{
  g_autoptr(Client) client = client_new ();
  g_auto(Answer) a = { 0, };
  g_auto(Answer) b = { 0, };
  g_auto(Answer) c = { 0, };

  polkitd_stop ();
  client_check (client, &a, "system", GD_ACTION_INSPECT, "closed", NULL);
  assert_refused (&a, "fail closed");
  assert_refused (&a, GD_ACTION_INSPECT);
  client_check (client, &b, "system", GD_ACTION_MIGRATE, "closed", "development");
  assert_refused (&b, "fail closed");

  /* and it recovers once polkitd is back */
  polkitd_start ();
  set_allowed (GD_ACTION_MIGRATE, NULL);
  client_check (client, &c, "system", GD_ACTION_MIGRATE, "closed", "development");
  assert_allowed (&c, client);
}

/* polkitd that never answers: refused after the timeout, also fail closed;
 * a cancelled check reports cancellation. */
static void
test_polkit_hang (void)
{
  g_autoptr(Client) client = client_new ();
  g_auto(Answer) a = { 0, };
  g_auto(Answer) b = { 0, };

  polkitd_start ();
  set_allowed (GD_ACTION_BACKUP, NULL);
  polkit_mock_call ("SimulateHang", g_variant_new ("(b)", TRUE));

  gd_auth_set_timeout (env.system_auth, 300);
  client_check (client, &a, "system", GD_ACTION_BACKUP, "hang", NULL);
  assert_refused (&a, "fail closed");
  assert_refused (&a, "did not answer");

  gd_auth_set_timeout (env.system_auth, 0);
  client_check_full (client, &b, "system", GD_ACTION_BACKUP, "hang", NULL, FALSE, 100);
  g_assert_false (b.ok);
  g_assert_cmpstr (b.error_name, ==, "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code19");

  polkit_mock_call ("ReleaseHangingCalls", NULL);
  polkit_mock_call ("SimulateHang", g_variant_new ("(b)", FALSE));
}

/* polkit's other answers, which the template never gives: replace its
 * CheckAuthorization (dbusmock's AddMethod takes precedence), then start
 * a fresh mock for the tests after this one. */
static void
override_check_authorization (const char *python_ret)
{
  g_autofree char *code = g_strdup_printf ("ret = %s", python_ret);

  polkit_mock_call ("AddMethod",
                    g_variant_new ("(sssss)", "org.freedesktop.PolicyKit1.Authority",
                                   "CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})",
                                   code));
}

static void
test_polkit_challenge (void)
{
  g_autoptr(Client) client = client_new ();
  g_auto(Answer) a = { 0, };
  g_auto(Answer) b = { 0, };
  g_auto(Answer) c = { 0, };
  g_auto(Answer) d = { 0, };

  polkitd_start ();
  /* authentication needed: without interaction the caller is told how
   * to ask for it; with interaction but no agent, that there was none */
  override_check_authorization ("(False, True, {})");
  client_check_full (client, &a, "system", GD_ACTION_MIGRATE, "auth", NULL, FALSE, 0);
  assert_refused (&a, "interactive=true");
  assert_refused (&a, GD_ACTION_MIGRATE);
  client_check_full (client, &b, "system", GD_ACTION_MIGRATE, "auth", NULL, TRUE, 0);
  assert_refused (&b, "no authentication agent");

  /* the user closed the dialog */
  override_check_authorization ("(False, False, {'polkit.dismissed': 'true'})");
  client_check_full (client, &c, "system", GD_ACTION_RESTORE, "auth", NULL, TRUE, 0);
  assert_refused (&c, "dismissed");
  assert_refused (&c, GD_ACTION_RESTORE);

  /* interaction is asked for only when the caller wants it: flags is
   * polkit's ALLOW_USER_INTERACTION (1) then, else 0 */
  override_check_authorization ("(args[3] == 1, False, {})");
  client_check_full (client, &d, "system", GD_ACTION_RESTORE, "auth", NULL, TRUE, 0);
  assert_allowed (&d, client);
  answer_clear (&d);
  client_check_full (client, &d, "system", GD_ACTION_RESTORE, "auth", NULL, FALSE, 0);
  assert_refused (&d, GD_ACTION_RESTORE);

  polkitd_stop ();
}

/* uid 0 needs no polkit, even without polkitd. */
static void
test_system_root (void)
{
  g_auto(Answer) a = { 0, };

  if (getuid () != 0)
    {
      g_test_skip ("runs as root only (CI does): uid 0 callers bypass polkit");
      return;
    }
  polkitd_stop ();
  self_check (&a, "system", GD_ACTION_RESET, "root", "production");
  g_assert_true (a.ok);
  g_assert_cmpuint (a.uid, ==, 0);
  g_assert_cmpuint (a.pid, ==, (guint32) getpid ());
  g_assert_cmpstr (a.sender, ==, g_dbus_connection_get_unique_name (env.self_client));
}

/* Session bus: only the daemon's own uid, whatever polkit says. */
static void
test_session_uid (void)
{
  g_auto(Answer) a = { 0, };

  polkitd_start ();
  polkit_mock_call ("AllowUnknown", g_variant_new ("(b)", TRUE));

  self_check (&a, "session", GD_ACTION_RESET, "mine", "production");
  g_assert_true (a.ok);
  g_assert_cmpuint (a.uid, ==, getuid ());

  /* The whole round trip of a test call whose check hits the credentials
   * cache: the cost gd_auth adds to Status on the session bus is below
   * this (a Status call is such a round trip plus the cached reply). */
  {
    gint64 p50, p99;

    time_self_checks ("session", GD_ACTION_INSPECT, 300, &p50, &p99);
    g_test_message ("session bus, cached caller: Check round trip p50 %" G_GINT64_FORMAT
                    " us, p99 %" G_GINT64_FORMAT " us", p50, p99);
    /* generous: a loaded CI machine, but never a polkit-like round trip */
    g_assert_cmpint (p50, <, 20000);
  }

  if (getuid () == 0)
    {
      g_autoptr(Client) client = client_new ();
      g_auto(Answer) b = { 0, };
      g_autofree char *needle = g_strdup_printf ("served only to uid %u", (guint) getuid ());

      client_check (client, &b, "session", GD_ACTION_INSPECT, "mine", NULL);
      assert_refused (&b, needle);
      assert_refused (&b, "uid 65534");
    }
  else
    g_test_message ("no second uid to refuse (not root): only the allowed half ran");
  polkit_mock_call ("AllowUnknown", g_variant_new ("(b)", FALSE));
}

/* The caller's credentials are cached per sender and dropped when it
 * leaves the bus; positive inspect answers are reused for a few seconds. */
static void
test_caller_cache (void)
{
  g_autoptr(Client) client = client_new ();
  g_auto(Answer) a = { 0, };
  g_auto(Answer) b = { 0, };
  g_auto(Answer) c = { 0, };
  g_auto(Answer) d = { 0, };
  guint before;
  gint64 deadline;

  polkitd_start ();
  set_allowed (GD_ACTION_INSPECT, NULL);
  before = gd_auth_get_n_cached_callers (env.system_auth);
  client_check (client, &a, "system", GD_ACTION_INSPECT, "cache", NULL);
  assert_allowed (&a, client);
  g_assert_cmpuint (gd_auth_get_n_cached_callers (env.system_auth), ==, before + 1);

  /* what the inspect cache saves: a polkit round trip per call */
  {
    gint64 t0, t_polkit, t_cached;
    g_auto(Answer) x = { 0, };
    g_auto(Answer) y = { 0, };

    t0 = g_get_monotonic_time ();
    client_check (client, &x, "system", GD_ACTION_INSPECT, "cache-timing", NULL);
    t_polkit = g_get_monotonic_time () - t0;
    assert_allowed (&x, client);
    t0 = g_get_monotonic_time ();
    client_check (client, &y, "system", GD_ACTION_INSPECT, "cache-timing", NULL);
    t_cached = g_get_monotonic_time () - t0;
    assert_allowed (&y, client);
    g_test_message ("system bus, inspect: %" G_GINT64_FORMAT " us asking polkit (dbusmock), %"
                    G_GINT64_FORMAT " us from the cache (client round trips)", t_polkit, t_cached);
  }

  /* polkit no longer allows it, but the answer is still fresh */
  set_allowed (NULL);
  client_check (client, &b, "system", GD_ACTION_INSPECT, "cache", NULL);
  assert_allowed (&b, client);
  /* … for that profile only, and never for a mutating action */
  client_check (client, &c, "system", GD_ACTION_INSPECT, "cache-other", NULL);
  assert_refused (&c, GD_ACTION_INSPECT);
  set_allowed (GD_ACTION_MIGRATE, NULL);
  client_check (client, &d, "system", GD_ACTION_MIGRATE, "cache", NULL);
  assert_allowed (&d, client);
  g_assert_cmpuint (gd_auth_get_n_cached_callers (env.system_auth), ==, before + 1);

  g_clear_pointer (&client, client_free);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (gd_auth_get_n_cached_callers (env.system_auth) != before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      sleep_ms (10);
    }
}

/* The installed policy (merged with its translations) defines exactly the
 * actions of gd-auth.h, each with a Russian description and message and
 * defaults that grow stricter with risk. */
typedef struct
{
  GHashTable *actions;  /* id → GHashTable of "element[lang]" → text */
  GHashTable *current;
  char       *element;
} PolicyParse;

static void
policy_start (GMarkupParseContext  *context,
              const char           *element,
              const char          **names,
              const char          **values,
              gpointer              user_data,
              GError              **error)
{
  PolicyParse *pp = user_data;

  if (g_str_equal (element, "action"))
    {
      const char *id = NULL;

      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "id"))
          id = values[i];
      g_assert_nonnull (id);
      g_assert_false (g_hash_table_contains (pp->actions, id));
      pp->current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (pp->actions, g_strdup (id), pp->current);
      return;
    }
  g_clear_pointer (&pp->element, g_free);
  if (pp->current == NULL)
    return;
  pp->element = g_strdup (element);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], "xml:lang"))
      {
        g_free (pp->element);
        pp->element = g_strdup_printf ("%s[%s]", element, values[i]);
      }
}

static void
policy_end (GMarkupParseContext  *context,
            const char           *element,
            gpointer              user_data,
            GError              **error)
{
  PolicyParse *pp = user_data;

  if (g_str_equal (element, "action"))
    pp->current = NULL;
  g_clear_pointer (&pp->element, g_free);
}

static void
policy_text (GMarkupParseContext  *context,
             const char           *text,
             gsize                 len,
             gpointer              user_data,
             GError              **error)
{
  PolicyParse *pp = user_data;
  g_autofree char *stripped = g_strstrip (g_strndup (text, len));

  if (pp->current != NULL && pp->element != NULL && *stripped != '\0')
    g_hash_table_insert (pp->current, g_strdup (pp->element), g_steal_pointer (&stripped));
}

static void
test_policy_file (void)
{
  static const GMarkupParser parser = { policy_start, policy_end, policy_text, NULL, NULL };
  static const struct {
    const char *id;
    const char *any, *inactive, *active;
  } expected[] = {
    { GD_ACTION_INSPECT,             "no",         "yes",        "yes" },
    { GD_ACTION_MIGRATE,             "auth_admin", "auth_admin", "auth_admin_keep" },
    { GD_ACTION_MIGRATE_PRODUCTION,  "auth_admin", "auth_admin", "auth_admin" },
    { GD_ACTION_ROLLBACK,            "auth_admin", "auth_admin", "auth_admin_keep" },
    { GD_ACTION_ROLLBACK_PRODUCTION, "auth_admin", "auth_admin", "auth_admin" },
    { GD_ACTION_RESET,               "auth_admin", "auth_admin", "auth_admin" },
    { GD_ACTION_REPAIR,              "auth_admin", "auth_admin", "auth_admin" },
    { GD_ACTION_BACKUP,              "auth_admin", "auth_admin", "auth_admin_keep" },
    { GD_ACTION_RESTORE,             "auth_admin", "auth_admin", "auth_admin" },
    { GD_ACTION_MANAGE_PROFILES,     "auth_admin", "auth_admin", "auth_admin" },
    { GD_ACTION_MANAGE_CREDENTIALS,  "auth_admin", "auth_admin", "auth_admin_keep" },
    { GD_ACTION_CANCEL_JOB,          "auth_admin", "auth_admin", "auth_admin_keep" },
    { GD_ACTION_CANCEL_JOB_OTHER,    "auth_admin", "auth_admin", "auth_admin" },
  };
  PolicyParse pp = { 0, };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, G_N_ELEMENTS (all_actions));
  path = g_build_filename (g_getenv ("GANDER_BUILD_ROOT"), "data",
                           "org.gander.Migrator1.policy", NULL);
  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);

  pp.actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_hash_table_unref);
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &pp, NULL);
  g_markup_parse_context_parse (context, text, len, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (g_hash_table_size (pp.actions), ==, G_N_ELEMENTS (expected));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GHashTable *action = g_hash_table_lookup (pp.actions, expected[i].id);
      const char *message;

      g_test_message ("%s", expected[i].id);
      g_assert_nonnull (action);
      g_assert_nonnull (g_hash_table_lookup (action, "description"));
      message = g_hash_table_lookup (action, "message");
      g_assert_nonnull (message);
      /* translated, and the translation keeps polkit's $(profile) */
      g_assert_nonnull (g_hash_table_lookup (action, "description[ru]"));
      g_assert_nonnull (g_hash_table_lookup (action, "message[ru]"));
      g_assert_cmpstr (g_hash_table_lookup (action, "description[ru]"), !=,
                       g_hash_table_lookup (action, "description"));
      if (strstr (message, "$(profile)") != NULL)
        g_assert_nonnull (strstr (g_hash_table_lookup (action, "message[ru]"), "$(profile)"));
      g_assert_cmpstr (g_hash_table_lookup (action, "allow_any"), ==, expected[i].any);
      g_assert_cmpstr (g_hash_table_lookup (action, "allow_inactive"), ==, expected[i].inactive);
      g_assert_cmpstr (g_hash_table_lookup (action, "allow_active"), ==, expected[i].active);
    }
  g_hash_table_unref (pp.actions);
}

/* ---- set-up ------------------------------------------------------------ */


static void
bus_child_setup (gpointer user_data)
{
  child_setup (NULL);
  /* the socket must be writable by uid 65534 */
  umask (0);
}

static void
env_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                               G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;

  env.tmpdir = g_dir_make_tmp ("gander-test-auth-XXXXXX", &error);
  g_assert_no_error (error);
  /* uid 65534 must reach the socket */
  g_assert_cmpint (chmod (env.tmpdir, 0755), ==, 0);
  env.polkitd_log = g_build_filename (env.tmpdir, "polkitd.log", NULL);

  /* polkit finds the system bus through this; set before any thread or
   * polkit call */
  env.address = g_strdup_printf ("unix:path=%s/system_bus_socket", env.tmpdir);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", env.address, TRUE);

  config = g_strdup_printf (
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig>\n"
      "  <listen>%s</listen>\n"
      "  <auth>EXTERNAL</auth>\n"
      "  <policy context=\"default\">\n"
      "    <allow user=\"*\"/>\n"
      "    <allow own=\"*\"/>\n"
      "    <allow send_destination=\"*\"/>\n"
      "    <allow receive_sender=\"*\"/>\n"
      "  </policy>\n"
      "</busconfig>\n", env.address);
  config_path = g_build_filename (env.tmpdir, "bus.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, bus_child_setup, NULL, NULL);
  env.bus_daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon",
                                                "--nofork", "--print-address=1",
                                                "--config-file", config_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (env.bus_daemon));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  /* "unix:path=…,guid=…": the daemon is listening */
  g_assert_true (g_str_has_prefix (line, env.address));

  env.service = g_dbus_connection_new_for_address_sync (env.address, flags, NULL, NULL, &error);
  g_assert_no_error (error);
  env.self_client = g_dbus_connection_new_for_address_sync (env.address, flags, NULL, NULL, &error);
  g_assert_no_error (error);

  node = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);
  env.registration_id = g_dbus_connection_register_object (env.service, TEST_PATH,
                                                           node->interfaces[0], &vtable,
                                                           NULL, NULL, &error);
  g_assert_no_error (error);

  env.system_auth = gd_auth_new (env.service, GD_BUS_SYSTEM);
  env.session_auth = gd_auth_new (env.service, GD_BUS_SESSION);
}

static void
env_teardown (void)
{
  polkitd_stop ();
  g_clear_object (&env.system_auth);
  g_clear_object (&env.session_auth);
  g_dbus_connection_unregister_object (env.service, env.registration_id);
  g_dbus_connection_close_sync (env.self_client, NULL, NULL);
  g_dbus_connection_close_sync (env.service, NULL, NULL);
  g_clear_object (&env.self_client);
  g_clear_object (&env.service);
  g_subprocess_send_signal (env.bus_daemon, SIGTERM);
  g_subprocess_wait (env.bus_daemon, NULL, NULL);
  g_clear_object (&env.bus_daemon);
  gander_test_rm_rf (env.tmpdir);
  g_free (env.tmpdir);
  g_free (env.address);
  g_free (env.polkitd_log);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* registers org.gander.Migrator1.Error.* */
  (void) gander_error_quark ();

  g_test_add_func ("/auth/action-for-operation", test_action_for_operation);
  g_test_add_func ("/auth/policy-file", test_policy_file);
  g_test_add_func ("/auth/system/fail-closed", test_polkit_fail_closed);
  g_test_add_func ("/auth/system/per-action", test_polkit_per_action);
  g_test_add_func ("/auth/system/production", test_polkit_production);
  g_test_add_func ("/auth/system/details", test_polkit_details);
  g_test_add_func ("/auth/system/hang", test_polkit_hang);
  g_test_add_func ("/auth/system/challenge", test_polkit_challenge);
  g_test_add_func ("/auth/system/root", test_system_root);
  g_test_add_func ("/auth/session/uid", test_session_uid);
  g_test_add_func ("/auth/caller-cache", test_caller_cache);

  env_setup ();
  ret = g_test_run ();
  env_teardown ();
  return ret;
}
