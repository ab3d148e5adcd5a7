/* gander-paths.c: where libgander keeps its own state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <unistd.h>

#include "gander-paths-private.h"

char *
gander_get_state_dir (void)
{
  const char *env = g_getenv ("GANDER_STATE_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* root runs system jobs (cron, system services): the FHS place, not
   * /root/.local/state, so that a service and an administrator's shell
   * see the same breaker */
  if (geteuid () == 0)
    return g_strdup ("/var/lib/gander");
  return g_build_filename (g_get_user_state_dir (), "gander", NULL);
}
