/* gander-health-result.c: the outcome of one health check
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-enum-types.h"
#include "gander-health-result.h"
#include "gander-health-private.h"

/**
 * GanderHealthResult:
 *
 * What one health check of a #GanderHealth found: the check's stable name
 * (`writable`, `blocking-locks`, `post-check-sql#2`, …), its verdict, a
 * message that says what is wrong and what to do about it, how long the
 * check took and the phase it belongs to. Immutable.
 *
 * A failing check is a result with %GANDER_HEALTH_STATUS_FAIL, never an
 * error of gander_health_run().
 *
 * Since: 0.2
 */
struct _GanderHealthResult
{
  GObject             parent_instance;

  char               *name;
  GanderHealthStatus  status;
  char               *message;
  GTimeSpan           duration;
  GanderHealthPhase   phase;
};

G_DEFINE_FINAL_TYPE (GanderHealthResult, gander_health_result, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_STATUS,
  PROP_MESSAGE,
  PROP_DURATION,
  PROP_PHASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gander_health_result_finalize (GObject *object)
{
  GanderHealthResult *self = GANDER_HEALTH_RESULT (object);

  g_free (self->name);
  g_free (self->message);

  G_OBJECT_CLASS (gander_health_result_parent_class)->finalize (object);
}

static void
gander_health_result_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  GanderHealthResult *self = GANDER_HEALTH_RESULT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, self->duration);
      break;
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_health_result_class_init (GanderHealthResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_health_result_finalize;
  object_class->get_property = gander_health_result_get_property;

  /**
   * GanderHealthResult:name:
   *
   * The check's stable name, as gander_health_check_names() lists it;
   * the second and later `post-check-sql` queries are `post-check-sql#2`,
   * `post-check-sql#3`, ….
   *
   * Since: 0.2
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealthResult:status:
   *
   * The verdict.
   *
   * Since: 0.2
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, GANDER_TYPE_HEALTH_STATUS,
                       GANDER_HEALTH_STATUS_OK,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealthResult:message:
   *
   * What the check found, and for a warning or failure what to do next.
   *
   * Since: 0.2
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealthResult:duration:
   *
   * How long the check took, in microseconds (a #GTimeSpan).
   *
   * Since: 0.2
   */
  properties[PROP_DURATION] =
    g_param_spec_int64 ("duration", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GanderHealthResult:phase:
   *
   * The phase the check belongs to: %GANDER_HEALTH_PHASE_BEFORE or
   * %GANDER_HEALTH_PHASE_AFTER (also when it ran on demand, in
   * %GANDER_HEALTH_PHASE_ANY).
   *
   * Since: 0.2
   */
  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, GANDER_TYPE_HEALTH_PHASE,
                       GANDER_HEALTH_PHASE_BEFORE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_health_result_init (GanderHealthResult *self)
{
}

/* Private: GanderHealth makes these (gander-health-private.h). */
GanderHealthResult *
gander_health_result_new (const char         *name,
                          GanderHealthPhase   phase,
                          GanderHealthStatus  status,
                          const char         *message,
                          GTimeSpan           duration)
{
  GanderHealthResult *self = g_object_new (GANDER_TYPE_HEALTH_RESULT, NULL);

  self->name = g_strdup (name);
  self->phase = phase;
  self->status = status;
  self->message = g_strdup (message != NULL ? message : "");
  self->duration = MAX (duration, 0);
  return self;
}

/**
 * gander_health_result_get_name:
 * @self: a #GanderHealthResult
 *
 * Gets the check's stable name (see #GanderHealthResult:name).
 *
 * Returns: the name
 *
 * Since: 0.2
 */
const char *
gander_health_result_get_name (GanderHealthResult *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH_RESULT (self), NULL);
  return self->name;
}

/**
 * gander_health_result_get_status:
 * @self: a #GanderHealthResult
 *
 * Gets the verdict.
 *
 * Returns: the status
 *
 * Since: 0.2
 */
GanderHealthStatus
gander_health_result_get_status (GanderHealthResult *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH_RESULT (self), GANDER_HEALTH_STATUS_FAIL);
  return self->status;
}

/**
 * gander_health_result_get_message:
 * @self: a #GanderHealthResult
 *
 * Gets what the check found and, when it is not ok, what to do.
 *
 * Returns: the message
 *
 * Since: 0.2
 */
const char *
gander_health_result_get_message (GanderHealthResult *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH_RESULT (self), NULL);
  return self->message;
}

/**
 * gander_health_result_get_duration:
 * @self: a #GanderHealthResult
 *
 * Gets how long the check took.
 *
 * Returns: the duration in microseconds
 *
 * Since: 0.2
 */
GTimeSpan
gander_health_result_get_duration (GanderHealthResult *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH_RESULT (self), 0);
  return self->duration;
}

/**
 * gander_health_result_get_phase:
 * @self: a #GanderHealthResult
 *
 * Gets the phase the check belongs to.
 *
 * Returns: %GANDER_HEALTH_PHASE_BEFORE or %GANDER_HEALTH_PHASE_AFTER
 *
 * Since: 0.2
 */
GanderHealthPhase
gander_health_result_get_phase (GanderHealthResult *self)
{
  g_return_val_if_fail (GANDER_IS_HEALTH_RESULT (self), GANDER_HEALTH_PHASE_BEFORE);
  return self->phase;
}

/**
 * gander_health_result_to_json_object: (skip)
 * @self: a #GanderHealthResult
 *
 * The result as `gander health --json` and the audit log write it:
 * `name`, `status` (`ok`, `warn`, `fail`, `skipped`), `message`,
 * `duration_seconds` (a double) and `phase` (`before`, `after`).
 *
 * Returns: (transfer full): a new object
 *
 * Since: 0.2
 */
JsonObject *
gander_health_result_to_json_object (GanderHealthResult *self)
{
  JsonObject *object;

  g_return_val_if_fail (GANDER_IS_HEALTH_RESULT (self), NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "name", self->name);
  json_object_set_string_member (object, "status", gander_health_status_to_string (self->status));
  json_object_set_string_member (object, "message", self->message);
  json_object_set_double_member (object, "duration_seconds",
                                 (double) self->duration / G_TIME_SPAN_SECOND);
  json_object_set_string_member (object, "phase", gander_health_phase_to_string (self->phase));
  return object;
}

/**
 * gander_health_status_to_string:
 * @status: a #GanderHealthStatus
 *
 * The word Gander uses for @status in JSON, metrics and the CLI.
 *
 * Returns: `ok`, `warn`, `fail` or `skipped`
 *
 * Since: 0.2
 */
const char *
gander_health_status_to_string (GanderHealthStatus status)
{
  switch (status)
    {
    case GANDER_HEALTH_STATUS_OK:
      return "ok";
    case GANDER_HEALTH_STATUS_WARN:
      return "warn";
    case GANDER_HEALTH_STATUS_FAIL:
      return "fail";
    case GANDER_HEALTH_STATUS_SKIPPED:
      return "skipped";
    default:
      return "fail";
    }
}

/**
 * gander_health_phase_to_string:
 * @phase: a #GanderHealthPhase
 *
 * The word Gander uses for @phase in JSON and the CLI.
 *
 * Returns: `before`, `after` or `any`
 *
 * Since: 0.2
 */
const char *
gander_health_phase_to_string (GanderHealthPhase phase)
{
  switch (phase)
    {
    case GANDER_HEALTH_PHASE_BEFORE:
      return "before";
    case GANDER_HEALTH_PHASE_AFTER:
      return "after";
    case GANDER_HEALTH_PHASE_ANY:
    default:
      return "any";
    }
}
