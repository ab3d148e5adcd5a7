/* gander-health-result.h: the outcome of one health check
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include "gander-version-macros.h"

G_BEGIN_DECLS

/**
 * GanderHealthStatus:
 * @GANDER_HEALTH_STATUS_OK: the check passed
 * @GANDER_HEALTH_STATUS_WARN: something deserves a look, but a run can go on
 *   (it may wait, or leave work to do later)
 * @GANDER_HEALTH_STATUS_FAIL: the database is not in a state to migrate, or
 *   a run left it unsound
 * @GANDER_HEALTH_STATUS_SKIPPED: the check did not run (no connection, or
 *   nothing it could look at); the message says why
 *
 * The verdict of one health check. The nicks (`ok`, `warn`, `fail`,
 * `skipped`) are what `gander health --json` and the metrics show.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_HEALTH_STATUS_OK,
  GANDER_HEALTH_STATUS_WARN,
  GANDER_HEALTH_STATUS_FAIL,
  GANDER_HEALTH_STATUS_SKIPPED,
} GanderHealthStatus;

/**
 * GanderHealthPhase:
 * @GANDER_HEALTH_PHASE_BEFORE: before a run: can the database be migrated
 *   now?
 * @GANDER_HEALTH_PHASE_AFTER: after a run: is the database where the run
 *   should have left it, and still sound?
 * @GANDER_HEALTH_PHASE_ANY: on demand (`gander health`): every check that
 *   needs no run, that is the before checks and the after checks except
 *   `target-version`
 *
 * When a set of health checks runs. Nicks: `before`, `after`, `any`.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_HEALTH_PHASE_BEFORE,
  GANDER_HEALTH_PHASE_AFTER,
  GANDER_HEALTH_PHASE_ANY,
} GanderHealthPhase;

#define GANDER_TYPE_HEALTH_RESULT (gander_health_result_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderHealthResult, gander_health_result, GANDER, HEALTH_RESULT, GObject)

GANDER_AVAILABLE_IN_0_2
const char         *gander_health_result_get_name        (GanderHealthResult *self);
GANDER_AVAILABLE_IN_0_2
GanderHealthStatus  gander_health_result_get_status      (GanderHealthResult *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_health_result_get_message     (GanderHealthResult *self);
GANDER_AVAILABLE_IN_0_2
GTimeSpan           gander_health_result_get_duration    (GanderHealthResult *self);
GANDER_AVAILABLE_IN_0_2
GanderHealthPhase   gander_health_result_get_phase       (GanderHealthResult *self);
GANDER_AVAILABLE_IN_0_2
JsonObject         *gander_health_result_to_json_object  (GanderHealthResult *self);

GANDER_AVAILABLE_IN_0_2
const char         *gander_health_status_to_string       (GanderHealthStatus  status);
GANDER_AVAILABLE_IN_0_2
const char         *gander_health_phase_to_string        (GanderHealthPhase   phase);

G_END_DECLS
