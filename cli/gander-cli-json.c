/* gander-cli-json.c: the `--json` contract (docs/json.md)
 *
 * Every `--json` document is one object with `command`, `schema_version`
 * and `error` (null, or an object with a stable `code` and a `message`).
 * Durations are integers in milliseconds in keys ending in `_ms`; times
 * are RFC 3339 in UTC with a `Z`. A failed command's document also
 * carries `results` (what ran before the failure) and `current_version`
 * (null when the database was never read). The helpers here are the only
 * place those rules are written down in code; the schemas in docs/json/
 * check them in the tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "gander.h"
#include "gander-cli.h"
#include "gander-cli-run.h"

/* Raised only when a member is removed or changes its type or meaning;
 * new members do not raise it (docs/json.md, "Stability"). */
#define CLI_JSON_SCHEMA_VERSION 1

#define HAS_RESULTS "gander-cli-json-results"
#define HAS_CURRENT_VERSION "gander-cli-json-current-version"

JsonBuilder *
cli_json_begin (const char *command)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, CLI_JSON_SCHEMA_VERSION);
  return builder;
}

/* The GanderError nick of @error (`sql`, `missing-migrations`, …); errors
 * of other domains as the GanderError code that means the same, and
 * `failed` for anything else. */
const char *
cli_json_error_code (const GError *error)
{
  if (error == NULL)
    return "failed";
  if (error->domain == GANDER_ERROR)
    {
      GEnumClass *klass = g_type_class_ref (GANDER_TYPE_ERROR);
      GEnumValue *value = g_enum_get_value (klass, error->code);
      const char *nick = value != NULL ? value->value_nick : "failed";

      /* the class of a static enum type lives as long as the program */
      g_type_class_unref (klass);
      return nick;
    }
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CANCELLED: return "cancelled";
        case G_IO_ERROR_NOT_FOUND: return "not-found";
        case G_IO_ERROR_PERMISSION_DENIED: return "permission-denied";
        case G_IO_ERROR_TIMED_OUT: return "timeout";
        case G_IO_ERROR_NOT_SUPPORTED: return "not-supported";
        case G_IO_ERROR_INVALID_ARGUMENT: return "invalid-argument";
        case G_IO_ERROR_BUSY: return "busy";
        default: return "io";
        }
    }
  if (error->domain == G_FILE_ERROR)
    {
      switch (error->code)
        {
        case G_FILE_ERROR_NOENT: return "not-found";
        case G_FILE_ERROR_ACCES:
        case G_FILE_ERROR_PERM: return "permission-denied";
        default: return "io";
        }
    }
  if (error->domain == G_KEY_FILE_ERROR)
    return "config";
  if (error->domain == JSON_PARSER_ERROR)
    return "parse";
  return "failed";
}

void
cli_json_add_error_object (JsonBuilder *builder,
                           const char  *code,
                           const char  *message)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code != NULL ? code : "failed");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message != NULL ? message : "");
  json_builder_end_object (builder);
}

/* The members every failure document carries: what ran before it and
 * the version the database was left at, unless the command set them. */
static void
add_failure_members (JsonBuilder *builder)
{
  if (g_object_get_data (G_OBJECT (builder), HAS_RESULTS) == NULL)
    {
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  if (g_object_get_data (G_OBJECT (builder), HAS_CURRENT_VERSION) == NULL)
    {
      json_builder_set_member_name (builder, "current_version");
      json_builder_add_null_value (builder);
    }
}

void
cli_json_end_error (JsonBuilder *builder,
                    const char  *code,
                    const char  *message)
{
  if (message != NULL)
    add_failure_members (builder);
  json_builder_set_member_name (builder, "error");
  if (message != NULL)
    cli_json_add_error_object (builder, code, message);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  cli_print_json (builder);
}

/* NULL @error_message: success. A message without a GError behind it
 * gets the code `failed`: callers that have the GError use
 * cli_json_end_error() or cli_json_end_gerror(). */
void
cli_json_end (JsonBuilder *builder,
              const char  *error_message)
{
  cli_json_end_error (builder, "failed", error_message);
}

void
cli_json_end_gerror (JsonBuilder  *builder,
                     const GError *error)
{
  cli_json_end_error (builder, cli_json_error_code (error),
                      error != NULL ? error->message : NULL);
}

/* RFC 3339 in UTC with a `Z`; with @microseconds six digits of fraction
 * (for the times Gander records that precisely itself). */
char *
cli_json_time (GDateTime *time,
               gboolean   microseconds)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return NULL;
  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, microseconds ? "%Y-%m-%dT%H:%M:%S.%fZ"
                                               : "%Y-%m-%dT%H:%M:%SZ");
}

void
cli_json_add_time (JsonBuilder *builder,
                   const char  *member,
                   GDateTime   *time,
                   gboolean     microseconds)
{
  g_autofree char *text = cli_json_time (time, microseconds);

  json_builder_set_member_name (builder, member);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

/* Whole milliseconds, rounded down, as the audit log writes them. */
gint64
cli_json_ms (GTimeSpan span)
{
  return span > 0 ? span / G_TIME_SPAN_MILLISECOND : 0;
}

void
cli_json_add_current_version (JsonBuilder *builder,
                              gboolean     known,
                              gint64       version)
{
  g_object_set_data (G_OBJECT (builder), HAS_CURRENT_VERSION, GINT_TO_POINTER (1));
  json_builder_set_member_name (builder, "current_version");
  if (known)
    json_builder_add_int_value (builder, version);
  else
    json_builder_add_null_value (builder);
}

static void
add_result (JsonBuilder           *builder,
            GanderMigrationResult *result)
{
  const GError *error = gander_migration_result_get_error (result);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, gander_migration_result_get_version (result));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, gander_migration_result_get_name (result));
  json_builder_set_member_name (builder, "direction");
  json_builder_add_string_value (builder,
                                 gander_direction_to_string (gander_migration_result_get_direction (result)));
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_int_value (builder, cli_json_ms (gander_migration_result_get_duration_us (result)));
  json_builder_set_member_name (builder, "empty");
  json_builder_add_boolean_value (builder, gander_migration_result_get_empty (result));
  json_builder_set_member_name (builder, "error");
  if (error != NULL)
    cli_json_add_error_object (builder, cli_json_error_code (error), error->message);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

void
cli_json_add_results (JsonBuilder *builder,
                      GPtrArray   *results)
{
  g_object_set_data (G_OBJECT (builder), HAS_RESULTS, GINT_TO_POINTER (1));
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; results != NULL && i < results->len; i++)
    add_result (builder, g_ptr_array_index (results, i));
  json_builder_end_array (builder);
}

/* A copy of @object (transfer full) in which `duration_seconds` (a
 * double, as the library's manifests and health results write it)
 * becomes `duration_ms` (@duration: the exact span), at the same place,
 * and `created_at` is @created_at when given. */
static JsonNode *
contract_node (JsonObject *object,
               GTimeSpan   duration,
               const char *created_at)
{
  g_autoptr(JsonObject) owned = object;
  JsonObject *copy = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, owned);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      if (g_str_equal (name, "duration_seconds"))
        json_object_set_int_member (copy, "duration_ms", cli_json_ms (duration));
      else if (g_str_equal (name, "created_at") && created_at != NULL)
        json_object_set_string_member (copy, name, created_at);
      else
        json_object_set_member (copy, name, json_node_copy (value));
    }
  json_node_take_object (node, copy);
  return node;
}

JsonNode *
cli_json_backup_node (GanderBackupInfo *info)
{
  g_autofree char *created_at = cli_json_time (gander_backup_info_get_created_at (info), TRUE);

  return contract_node (gander_backup_info_to_json_object (info),
                        gander_backup_info_get_duration (info), created_at);
}

JsonNode *
cli_json_health_node (GanderHealthResult *result)
{
  return contract_node (gander_health_result_to_json_object (result),
                        gander_health_result_get_duration (result), NULL);
}
