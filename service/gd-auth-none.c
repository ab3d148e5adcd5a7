/* gd-auth-none.c: the daemon built without its authorisation module
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Compiled only while service/gd-auth.c (helper "auth") is absent from the
 * tree. It fails closed: every call that needs authorisation is refused
 * with GANDER_ERROR_NOT_AUTHORIZED, so such a build can serve cached
 * properties but never inspects or changes a database.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "gd-auth.h"

struct _GdAuth
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (GdAuth, gd_auth, G_TYPE_OBJECT)

static void
gd_auth_class_init (GdAuthClass *klass)
{
}

static void
gd_auth_init (GdAuth *self)
{
}

GdAuth *
gd_auth_new (GDBusConnection *bus,
             GdBusKind        kind)
{
  return g_object_new (GD_TYPE_AUTH, NULL);
}

const char *
gd_auth_action_for_operation (GanderOperation  operation,
                              const char      *environment)
{
  return GD_ACTION_INSPECT;
}

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
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, gd_auth_check_async);
  g_task_return_new_error (task, GANDER_ERROR, GANDER_ERROR_NOT_AUTHORIZED,
                           _("%s is refused: this gander-daemon was built without "
                             "its authorisation module"), action_id);
}

GdCaller *
gd_auth_check_finish (GdAuth        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
