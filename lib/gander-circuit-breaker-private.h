/* gander-circuit-breaker-private.h: test hooks of GanderCircuitBreaker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-circuit-breaker.h"

G_BEGIN_DECLS

/* Replaces the wall clock (g_get_real_time()) with @now_us, microseconds
 * since the Unix epoch, for every later call on @self; a negative value
 * goes back to the real clock. Tests walk through the open period without
 * sleeping. */
void             gander_circuit_breaker_set_now    (GanderCircuitBreaker *self,
                                                    gint64                now_us);

/* gander_circuit_breaker_allow() without taking the half-open trial. */
gboolean         gander_circuit_breaker_peek       (GanderCircuitBreaker  *self,
                                                    GError               **error);

/* Gives back the half-open trial @self holds (a refused or cancelled
 * run); does nothing when it holds none. */
gboolean         gander_circuit_breaker_release_trial (GanderCircuitBreaker  *self,
                                                       GError               **error);

G_END_DECLS
