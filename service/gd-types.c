/* gd-types.c: the small value types shared by gander-daemon's objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gd-types.h"

GdCaller *
gd_caller_copy (const GdCaller *caller)
{
  GdCaller *copy;

  if (caller == NULL)
    return NULL;
  copy = g_new0 (GdCaller, 1);
  copy->sender = g_strdup (caller->sender);
  copy->uid = caller->uid;
  copy->pid = caller->pid;
  return copy;
}

void
gd_caller_free (GdCaller *caller)
{
  if (caller == NULL)
    return;
  g_free (caller->sender);
  g_free (caller);
}
