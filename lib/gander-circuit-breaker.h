/* gander-circuit-breaker.h: stop a failing deployment loop
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

/**
 * GanderBreakerState:
 * @GANDER_BREAKER_STATE_CLOSED: runs are allowed (the normal state)
 * @GANDER_BREAKER_STATE_HALF_OPEN: the open period is over: one trial run
 *   is allowed; its success closes the breaker, its failure opens it again
 * @GANDER_BREAKER_STATE_OPEN: too many consecutive runs failed: runs are
 *   refused with %GANDER_ERROR_CIRCUIT_OPEN until the open period ends
 *
 * The state of a #GanderCircuitBreaker. The numeric values are the ones
 * the `gander_circuit_breaker_state` metric reports (0, 1, 2).
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_BREAKER_STATE_CLOSED = 0,
  GANDER_BREAKER_STATE_HALF_OPEN = 1,
  GANDER_BREAKER_STATE_OPEN = 2,
} GanderBreakerState;

#define GANDER_TYPE_CIRCUIT_BREAKER (gander_circuit_breaker_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderCircuitBreaker, gander_circuit_breaker, GANDER, CIRCUIT_BREAKER, GObject)

GANDER_AVAILABLE_IN_0_2
GanderCircuitBreaker *gander_circuit_breaker_new                 (const char           *key,
                                                                  const char           *state_dir,
                                                                  guint                 threshold,
                                                                  GTimeSpan             open_duration);
GANDER_AVAILABLE_IN_0_2
char                 *gander_circuit_breaker_make_key            (const char           *profile_name,
                                                                  const char           *driver,
                                                                  const char           *masked_dsn);
GANDER_AVAILABLE_IN_0_2
const char           *gander_circuit_breaker_get_key             (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
const char           *gander_circuit_breaker_get_state_dir       (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
const char           *gander_circuit_breaker_get_state_file      (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
guint                 gander_circuit_breaker_get_threshold       (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan             gander_circuit_breaker_get_open_duration   (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
gboolean              gander_circuit_breaker_allow               (GanderCircuitBreaker *self,
                                                                  GError              **error);
GANDER_AVAILABLE_IN_0_2
gboolean              gander_circuit_breaker_record_success      (GanderCircuitBreaker *self,
                                                                  GError              **error);
GANDER_AVAILABLE_IN_0_2
gboolean              gander_circuit_breaker_record_failure      (GanderCircuitBreaker *self,
                                                                  GError              **error);
GANDER_AVAILABLE_IN_0_2
gboolean              gander_circuit_breaker_reset               (GanderCircuitBreaker *self,
                                                                  GError              **error);
GANDER_AVAILABLE_IN_0_2
GanderBreakerState    gander_circuit_breaker_get_state           (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
guint                 gander_circuit_breaker_get_consecutive_failures (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
GDateTime            *gander_circuit_breaker_get_opened_at       (GanderCircuitBreaker *self);
GANDER_AVAILABLE_IN_0_2
GDateTime            *gander_circuit_breaker_get_half_open_at    (GanderCircuitBreaker *self);

G_END_DECLS
