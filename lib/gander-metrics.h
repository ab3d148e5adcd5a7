/* gander-metrics.h: Prometheus metrics of migration runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"

G_BEGIN_DECLS

#define GANDER_TYPE_METRICS (gander_metrics_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderMetrics, gander_metrics, GANDER, METRICS, GObject)

GANDER_AVAILABLE_IN_0_2
GanderMetrics *gander_metrics_new            (void);
GANDER_AVAILABLE_IN_0_2
void           gander_metrics_inc            (GanderMetrics      *self,
                                              const char         *name,
                                              const char * const *labels,
                                              double              value);
GANDER_AVAILABLE_IN_0_2
void           gander_metrics_set            (GanderMetrics      *self,
                                              const char         *name,
                                              const char * const *labels,
                                              double              value);
GANDER_AVAILABLE_IN_0_2
void           gander_metrics_observe        (GanderMetrics      *self,
                                              const char         *name,
                                              const char * const *labels,
                                              double              value);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_metrics_lookup         (GanderMetrics      *self,
                                              const char         *name,
                                              const char * const *labels,
                                              double             *value);
GANDER_AVAILABLE_IN_0_2
char          *gander_metrics_to_text        (GanderMetrics      *self);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_metrics_merge_text     (GanderMetrics      *self,
                                              const char         *previous,
                                              GError            **error);
GANDER_AVAILABLE_IN_0_2
gboolean       gander_metrics_write_textfile (GanderMetrics      *self,
                                              const char         *path,
                                              GError            **error);

G_END_DECLS
