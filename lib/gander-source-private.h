/* gander-source-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-source.h"

G_BEGIN_DECLS

GPtrArray *gander_source_get_problems   (GanderSource *self);
GPtrArray *gander_source_get_duplicates (GanderSource *self);

G_END_DECLS
