/* gander-migrator-private.h: what the migrator's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-migrator.h"

G_BEGIN_DECLS

/* Runs @op (validated here) under the run lock. Signals and property notifications go to
 * @signal_context, in order (NULL: at once, in the calling thread).
 * Returns the results of the run (for UP_BY_ONE and DOWN, one). */
GPtrArray *gander_migrator_execute (GanderMigrator    *self,
                                    GanderPlanOperation op,
                                    gint64             version,
                                    GMainContext      *signal_context,
                                    GCancellable      *cancellable,
                                    GError           **error);

G_END_DECLS
