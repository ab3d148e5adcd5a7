/* gander-circuit-breaker.c: stop a failing deployment loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gander-circuit-breaker.h"
#include "gander-circuit-breaker-private.h"
#include "gander-database.h"
#include "gander-enum-types.h"
#include "gander-error.h"
#include "gander-paths-private.h"
#include "gander-sha256-private.h"

/**
 * GanderCircuitBreaker:
 *
 * A circuit breaker for one database, shared by every process of the same
 * user (or by every system job, for root) through a small state file.
 *
 * After #GanderCircuitBreaker:threshold consecutive failed runs the breaker
 * opens: gander_circuit_breaker_allow() refuses runs with
 * %GANDER_ERROR_CIRCUIT_OPEN for #GanderCircuitBreaker:open-duration. Then
 * it is half-open: the next gander_circuit_breaker_allow() takes the one
 * trial run; gander_circuit_breaker_record_success() closes the breaker,
 * gander_circuit_breaker_record_failure() opens it for another period. A
 * threshold of 0 disables the breaker: every run is allowed and nothing is
 * written.
 *
 * The state lives in `STATE_DIR/<sha256 of the key>.json` (the directory
 * mode 0700, the file 0600), replaced atomically (a temporary file, fsync,
 * rename); every read-modify-write holds an exclusive flock() on a
 * `.lock` file beside it, so a cron job and a service that fail at once
 * both count. A closed breaker with no failures has no file. A state file
 * that cannot be read as one (corrupt, edited by hand) is never guessed
 * at: gander_circuit_breaker_allow() and the record calls fail with
 * %GANDER_ERROR_IO naming the file, gander_circuit_breaker_get_state()
 * reports it as open, and gander_circuit_breaker_reset() (`gander breaker
 * reset`) removes it.
 *
 * Times are wall-clock times (they must mean the same in every process,
 * across reboots); a clock set back only makes the breaker stay open longer.
 *
 * Since: 0.2
 */

typedef struct
{
  GanderBreakerState state;   /* as stored: CLOSED, OPEN or HALF_OPEN */
  guint    failures;
  gint64   opened_at;         /* µs since the epoch; 0 = unset */
  gint64   half_open_at;
  char    *trial_owner;       /* the instance making the half-open trial */
  gint64   trial_started_at;
} BreakerData;

struct _GanderCircuitBreaker
{
  GObject      parent_instance;

  char        *key;
  char        *state_dir;
  char        *state_file;
  char        *lock_file;
  guint        threshold;
  GTimeSpan    open_duration;
  char        *token;         /* identifies this instance as trial owner */
  gint64       now_override;  /* < 0: the real clock */

  BreakerData  snapshot;      /* as last read from the file */
  gboolean     snapshot_valid;
  gboolean     snapshot_corrupt;
};

G_DEFINE_FINAL_TYPE (GanderCircuitBreaker, gander_circuit_breaker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_STATE_DIR,
  PROP_THRESHOLD,
  PROP_OPEN_DURATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
breaker_data_clear (BreakerData *data)
{
  g_clear_pointer (&data->trial_owner, g_free);
  memset (data, 0, sizeof *data);
  data->state = GANDER_BREAKER_STATE_CLOSED;
}

static gint64
breaker_now (GanderCircuitBreaker *self)
{
  return self->now_override >= 0 ? self->now_override : g_get_real_time ();
}

/* RFC 3339 UTC with microseconds: exact, and readable by a human who
 * opens the file. */
static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) dt = NULL;

  if (seconds == NULL)
    return g_strdup ("?");
  dt = g_date_time_add (seconds, usec % G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* The same instant, to the second, for messages. */
static char *
format_time_human (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC");
}

static gboolean
parse_time (const char *text,
            gint64     *out)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static const char *
state_to_nick (GanderBreakerState state)
{
  switch (state)
    {
    case GANDER_BREAKER_STATE_OPEN:
      return "open";
    case GANDER_BREAKER_STATE_HALF_OPEN:
      return "half-open";
    case GANDER_BREAKER_STATE_CLOSED:
    default:
      return "closed";
    }
}

static void
set_corrupt_error (GanderCircuitBreaker  *self,
                   const char            *why,
                   GError               **error)
{
  g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
               _("The circuit breaker state file %s is corrupt (%s), so Gander "
                 "cannot tell whether the breaker for %s is open and runs "
                 "nothing. Look at the file, then close the breaker with "
                 "`gander breaker reset` (or delete the file)."),
               self->state_file, why, self->key);
}

/* Parses the state file's text into @data. */
static gboolean
parse_state (GanderCircuitBreaker  *self,
             const char            *text,
             gsize                  len,
             BreakerData           *data,
             GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *state;
  gint64 failures;

  if (!json_parser_load_from_data (parser, text, (gssize) len, &local_error))
    {
      set_corrupt_error (self, local_error->message, error);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_corrupt_error (self, _("not a JSON object"), error);
      return FALSE;
    }
  object = json_node_get_object (root);

  state = json_object_get_string_member_with_default (object, "state", NULL);
  if (g_strcmp0 (state, "closed") == 0)
    data->state = GANDER_BREAKER_STATE_CLOSED;
  else if (g_strcmp0 (state, "open") == 0)
    data->state = GANDER_BREAKER_STATE_OPEN;
  else if (g_strcmp0 (state, "half-open") == 0)
    data->state = GANDER_BREAKER_STATE_HALF_OPEN;
  else
    {
      set_corrupt_error (self, _("\"state\" is not closed, open or half-open"), error);
      return FALSE;
    }

  failures = json_object_get_int_member_with_default (object, "consecutive_failures", -1);
  if (failures < 0 || failures > G_MAXUINT)
    {
      set_corrupt_error (self, _("\"consecutive_failures\" is missing or out of range"), error);
      return FALSE;
    }
  data->failures = (guint) failures;

  if (data->state != GANDER_BREAKER_STATE_CLOSED)
    {
      if (!parse_time (json_object_get_string_member_with_default (object, "opened_at", NULL),
                       &data->opened_at) ||
          !parse_time (json_object_get_string_member_with_default (object, "half_open_at", NULL),
                       &data->half_open_at))
        {
          set_corrupt_error (self, _("\"opened_at\" or \"half_open_at\" is missing or not an RFC 3339 time"), error);
          return FALSE;
        }
    }
  if (data->state == GANDER_BREAKER_STATE_HALF_OPEN)
    {
      data->trial_owner = g_strdup (json_object_get_string_member_with_default (object, "trial_owner", NULL));
      if (!parse_time (json_object_get_string_member_with_default (object, "trial_started_at", NULL),
                       &data->trial_started_at))
        data->trial_started_at = 0;
    }
  return TRUE;
}

/* Reads the state file into the snapshot. A missing file is a closed
 * breaker without failures. */
static gboolean
load_state (GanderCircuitBreaker  *self,
            GError               **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  BreakerData data = { 0, };

  breaker_data_clear (&self->snapshot);
  self->snapshot_valid = FALSE;
  self->snapshot_corrupt = FALSE;

  if (!g_file_get_contents (self->state_file, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          self->snapshot_valid = TRUE;
          return TRUE;
        }
      g_set_error (error, GANDER_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                   ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                   _("Cannot read the circuit breaker state of %s: %s"),
                   self->key, local_error->message);
      return FALSE;
    }

  breaker_data_clear (&data);
  if (!parse_state (self, text, len, &data, error))
    {
      breaker_data_clear (&data);
      self->snapshot_corrupt = TRUE;
      return FALSE;
    }
  self->snapshot = data;
  self->snapshot_valid = TRUE;
  return TRUE;
}

static gboolean
ensure_state_dir (GanderCircuitBreaker  *self,
                  GError               **error)
{
  if (g_mkdir_with_parents (self->state_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR,
                   saved_errno == EACCES || saved_errno == EPERM
                   ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                   _("Cannot create the circuit breaker directory %s: %s. "
                     "Fix its permissions or point GANDER_STATE_DIR "
                     "elsewhere."),
                   self->state_dir, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Takes the exclusive lock that serialises read-modify-write of the state
 * file across processes. The lock file is never replaced (a lock on the
 * state file itself would be lost by the atomic rename). Returns the fd to
 * close, or -1. */
static int
lock_state (GanderCircuitBreaker  *self,
            GError               **error)
{
  int fd;

  if (!ensure_state_dir (self, error))
    return -1;

  fd = g_open (self->lock_file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR,
                   saved_errno == EACCES || saved_errno == EPERM
                   ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                   _("Cannot open the circuit breaker lock file %s: %s"),
                   self->lock_file, g_strerror (saved_errno));
      return -1;
    }
  while (flock (fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("Cannot lock the circuit breaker lock file %s: %s"),
                   self->lock_file, g_strerror (saved_errno));
      close (fd);
      return -1;
    }
  return fd;
}

static void
unlock_state (int fd)
{
  if (fd >= 0)
    close (fd);   /* releases the flock */
}

/* Writes @data (under the lock), or removes the file when @data is a
 * closed breaker without failures. */
static gboolean
store_state (GanderCircuitBreaker  *self,
             const BreakerData     *data,
             GError               **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *now = format_time (breaker_now (self));
  gsize len = 0;

  if (data->state == GANDER_BREAKER_STATE_CLOSED && data->failures == 0)
    {
      if (g_unlink (self->state_file) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("Cannot remove the circuit breaker state file %s: %s"),
                       self->state_file, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, self->key);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state_to_nick (data->state));
  json_builder_set_member_name (builder, "consecutive_failures");
  json_builder_add_int_value (builder, data->failures);
  if (data->state != GANDER_BREAKER_STATE_CLOSED)
    {
      g_autofree char *opened = format_time (data->opened_at);
      g_autofree char *half_open = format_time (data->half_open_at);

      json_builder_set_member_name (builder, "opened_at");
      json_builder_add_string_value (builder, opened);
      json_builder_set_member_name (builder, "half_open_at");
      json_builder_add_string_value (builder, half_open);
    }
  if (data->state == GANDER_BREAKER_STATE_HALF_OPEN && data->trial_owner != NULL)
    {
      g_autofree char *started = format_time (data->trial_started_at);

      json_builder_set_member_name (builder, "trial_owner");
      json_builder_add_string_value (builder, data->trial_owner);
      json_builder_set_member_name (builder, "trial_started_at");
      json_builder_add_string_value (builder, started);
    }
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, now);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  if (!g_file_set_contents_full (self->state_file, text, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, GANDER_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                   ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                   _("Cannot write the circuit breaker state of %s: %s"),
                   self->key, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
gander_circuit_breaker_finalize (GObject *object)
{
  GanderCircuitBreaker *self = GANDER_CIRCUIT_BREAKER (object);

  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->state_dir, g_free);
  g_clear_pointer (&self->state_file, g_free);
  g_clear_pointer (&self->lock_file, g_free);
  g_clear_pointer (&self->token, g_free);
  breaker_data_clear (&self->snapshot);

  G_OBJECT_CLASS (gander_circuit_breaker_parent_class)->finalize (object);
}

static void
gander_circuit_breaker_constructed (GObject *object)
{
  GanderCircuitBreaker *self = GANDER_CIRCUIT_BREAKER (object);
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;
  g_autofree char *lock_name = NULL;

  G_OBJECT_CLASS (gander_circuit_breaker_parent_class)->constructed (object);

  if (self->key == NULL)
    self->key = g_strdup ("");
  if (self->state_dir == NULL)
    {
      g_autofree char *base = gander_get_state_dir ();

      self->state_dir = g_build_filename (base, "breakers", NULL);
    }

  /* the key may hold any bytes (a DSN): the file is named by its hash */
  hash = gander_sha256_hex (self->key, strlen (self->key), FALSE);
  name = g_strconcat (hash, ".json", NULL);
  lock_name = g_strconcat (hash, ".lock", NULL);
  self->state_file = g_build_filename (self->state_dir, name, NULL);
  self->lock_file = g_build_filename (self->state_dir, lock_name, NULL);
}

static void
gander_circuit_breaker_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  GanderCircuitBreaker *self = GANDER_CIRCUIT_BREAKER (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_STATE_DIR:
      g_value_set_string (value, self->state_dir);
      break;
    case PROP_THRESHOLD:
      g_value_set_uint (value, self->threshold);
      break;
    case PROP_OPEN_DURATION:
      g_value_set_int64 (value, self->open_duration);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_circuit_breaker_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  GanderCircuitBreaker *self = GANDER_CIRCUIT_BREAKER (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_free (self->key);
      self->key = g_value_dup_string (value);
      break;
    case PROP_STATE_DIR:
      g_free (self->state_dir);
      self->state_dir = g_value_dup_string (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_uint (value);
      break;
    case PROP_OPEN_DURATION:
      self->open_duration = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_circuit_breaker_class_init (GanderCircuitBreakerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_circuit_breaker_finalize;
  object_class->constructed = gander_circuit_breaker_constructed;
  object_class->get_property = gander_circuit_breaker_get_property;
  object_class->set_property = gander_circuit_breaker_set_property;

  /**
   * GanderCircuitBreaker:key:
   *
   * What the breaker guards, usually from
   * gander_circuit_breaker_make_key(). Breakers with the same key and
   * state directory share one state, in any process.
   *
   * Since: 0.2
   */
  properties[PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderCircuitBreaker:state-dir:
   *
   * The directory that holds the state files (created with mode 0700 on
   * the first failure). %NULL at construction means `breakers` in the
   * directory Gander keeps its state in: `$GANDER_STATE_DIR`, else
   * `/var/lib/gander` for root, else `$XDG_STATE_HOME/gander`.
   *
   * Since: 0.2
   */
  properties[PROP_STATE_DIR] =
    g_param_spec_string ("state-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GanderCircuitBreaker:threshold:
   *
   * How many consecutive failed runs open the breaker; 0 disables it.
   *
   * Since: 0.2
   */
  properties[PROP_THRESHOLD] =
    g_param_spec_uint ("threshold", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * GanderCircuitBreaker:open-duration:
   *
   * How long the breaker stays open before it allows a trial run, in
   * microseconds (a #GTimeSpan).
   *
   * Since: 0.2
   */
  properties[PROP_OPEN_DURATION] =
    g_param_spec_int64 ("open-duration", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_circuit_breaker_init (GanderCircuitBreaker *self)
{
  self->now_override = -1;
  self->token = g_uuid_string_random ();
  breaker_data_clear (&self->snapshot);
}

/**
 * gander_circuit_breaker_new:
 * @key: what the breaker guards (see gander_circuit_breaker_make_key())
 * @state_dir: (nullable) (type filename): the directory for the state
 *   files, or %NULL for `breakers` in Gander's state directory
 * @threshold: consecutive failed runs that open the breaker; 0 disables it
 * @open_duration: how long it stays open, in microseconds
 *
 * Creates a breaker. Nothing is read or written until it is used.
 *
 * Returns: (transfer full): a new #GanderCircuitBreaker
 *
 * Since: 0.2
 */
GanderCircuitBreaker *
gander_circuit_breaker_new (const char *key,
                            const char *state_dir,
                            guint       threshold,
                            GTimeSpan   open_duration)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (open_duration >= 0, NULL);

  return g_object_new (GANDER_TYPE_CIRCUIT_BREAKER,
                       "key", key,
                       "state-dir", state_dir,
                       "threshold", threshold,
                       "open-duration", open_duration,
                       NULL);
}

/**
 * gander_circuit_breaker_make_key:
 * @profile_name: (nullable): the profile's name, or %NULL for an ad-hoc
 *   database
 * @driver: (nullable): the driver name (`sqlite3`, `postgres`, …); used
 *   when @profile_name is %NULL or empty
 * @masked_dsn: (nullable): the connection string with its password masked
 *   (see gander_dsn_mask()); used when @profile_name is %NULL or empty
 *
 * The key of the breaker for one database: `profile:NAME` for a profile,
 * else `DRIVER:DSN`. Driver aliases count as one (`sqlite` is `sqlite3`,
 * `pgx` is `postgres`), a plain SQLite file name is made absolute, and any
 * password left in @masked_dsn is masked again, so the key is safe to
 * show and to store.
 *
 * Returns: (transfer full): the key
 *
 * Since: 0.2
 */
char *
gander_circuit_breaker_make_key (const char *profile_name,
                                 const char *driver,
                                 const char *masked_dsn)
{
  g_autofree char *dsn = NULL;
  const char *canonical_driver;

  if (profile_name != NULL && *profile_name != '\0')
    return g_strconcat ("profile:", profile_name, NULL);

  canonical_driver = driver != NULL ? driver : "";
  if (g_strcmp0 (canonical_driver, "sqlite") == 0)
    canonical_driver = "sqlite3";
  else if (g_strcmp0 (canonical_driver, "pgx") == 0)
    canonical_driver = "postgres";

  dsn = gander_dsn_mask (masked_dsn != NULL ? masked_dsn : "");
  if (g_str_equal (canonical_driver, "sqlite3") && *dsn != '\0' &&
      !g_str_has_prefix (dsn, "file:") && !g_str_equal (dsn, ":memory:"))
    {
      g_autofree char *absolute = g_canonicalize_filename (dsn, NULL);

      g_free (dsn);
      dsn = g_steal_pointer (&absolute);
    }
  return g_strconcat (canonical_driver, ":", dsn, NULL);
}

/**
 * gander_circuit_breaker_get_key:
 * @self: a #GanderCircuitBreaker
 *
 * Returns: the key the breaker guards
 *
 * Since: 0.2
 */
const char *
gander_circuit_breaker_get_key (GanderCircuitBreaker *self)
{
  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), NULL);
  return self->key;
}

/**
 * gander_circuit_breaker_get_state_dir:
 * @self: a #GanderCircuitBreaker
 *
 * Returns: (type filename): the directory that holds the state file
 *
 * Since: 0.2
 */
const char *
gander_circuit_breaker_get_state_dir (GanderCircuitBreaker *self)
{
  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), NULL);
  return self->state_dir;
}

/**
 * gander_circuit_breaker_get_state_file:
 * @self: a #GanderCircuitBreaker
 *
 * The file the state is kept in; it exists only while the breaker has
 * counted failures or is open.
 *
 * Returns: (type filename): the state file's path
 *
 * Since: 0.2
 */
const char *
gander_circuit_breaker_get_state_file (GanderCircuitBreaker *self)
{
  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), NULL);
  return self->state_file;
}

/**
 * gander_circuit_breaker_get_threshold:
 * @self: a #GanderCircuitBreaker
 *
 * Returns: the consecutive failed runs that open the breaker (0: disabled)
 *
 * Since: 0.2
 */
guint
gander_circuit_breaker_get_threshold (GanderCircuitBreaker *self)
{
  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), 0);
  return self->threshold;
}

/**
 * gander_circuit_breaker_get_open_duration:
 * @self: a #GanderCircuitBreaker
 *
 * Returns: how long the breaker stays open, in microseconds
 *
 * Since: 0.2
 */
GTimeSpan
gander_circuit_breaker_get_open_duration (GanderCircuitBreaker *self)
{
  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), 0);
  return self->open_duration;
}

/* The state a reader sees: an open breaker whose period is over is
 * half-open, even before anyone has written that down. */
static GanderBreakerState
effective_state (GanderCircuitBreaker *self,
                 const BreakerData    *data)
{
  if (data->state == GANDER_BREAKER_STATE_OPEN && breaker_now (self) >= data->half_open_at)
    return GANDER_BREAKER_STATE_HALF_OPEN;
  return data->state;
}

static void
set_open_error (GanderCircuitBreaker  *self,
                const BreakerData     *data,
                GError               **error)
{
  g_autofree char *since = format_time_human (data->opened_at);
  g_autofree char *until = format_time_human (data->half_open_at);

  g_set_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN,
               g_dngettext (GETTEXT_PACKAGE, "The circuit breaker for %s has been open since %s, "
                         "after %u consecutive failed run; nothing was run. "
                         "It half-opens at %s and then allows one trial run. "
                         "Once the cause is fixed, `gander breaker reset` "
                         "closes it now.",
                         "The circuit breaker for %s has been open since %s, "
                         "after %u consecutive failed runs; nothing was run. "
                         "It half-opens at %s and then allows one trial run. "
                         "Once the cause is fixed, `gander breaker reset` "
                         "closes it now.",
                         data->failures),
               self->key, since, data->failures, until);
}

/* Another run holds the half-open breaker's one trial, and its period has
 * not lapsed. */
static gboolean
trial_taken_by_other (GanderCircuitBreaker *self,
                      const BreakerData    *data,
                      gint64                now,
                      GTimeSpan             period)
{
  return data->state == GANDER_BREAKER_STATE_HALF_OPEN &&
         data->trial_owner != NULL &&
         g_strcmp0 (data->trial_owner, self->token) != 0 &&
         now < data->trial_started_at + period;
}

static void
set_trial_taken_error (GanderCircuitBreaker  *self,
                       const BreakerData     *data,
                       GError               **error)
{
  g_autofree char *started = format_time_human (data->trial_started_at);

  g_set_error (error, GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN,
               _("The circuit breaker for %s is half-open and another "
                 "run, started at %s, is making the one trial run it "
                 "allows; nothing was run. Try again when that run "
                 "has finished, or close the breaker with `gander "
                 "breaker reset` once the cause is fixed."),
               self->key, started);
}

/**
 * gander_circuit_breaker_allow:
 * @self: a #GanderCircuitBreaker
 * @error: return location for a #GError
 *
 * Asks whether a run may start now. Closed: yes. Open: no, with
 * %GANDER_ERROR_CIRCUIT_OPEN saying since when, after how many failures,
 * when it half-opens and how to reset it. Once the open period is over,
 * the first caller takes the one trial run (the state becomes half-open)
 * and other breakers on the same key are refused until the trial is
 * recorded, or until another open period has passed without a record (the
 * trial's process died). Asking again on the breaker that holds the trial
 * answers yes.
 *
 * Call it right before a real run, and report the run's outcome with
 * gander_circuit_breaker_record_success() or
 * gander_circuit_breaker_record_failure(). A disabled breaker (threshold
 * 0) allows every run without reading anything.
 *
 * Returns: %TRUE if the run may start
 *
 * Since: 0.2
 */
gboolean
gander_circuit_breaker_allow (GanderCircuitBreaker  *self,
                              GError               **error)
{
  int fd;
  gint64 now;
  gboolean ok = FALSE;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->threshold == 0)
    return TRUE;

  /* the common case, a closed breaker, needs neither the lock nor the
   * directory: the file is replaced atomically, so a read is consistent */
  if (!load_state (self, error))
    return FALSE;
  if (self->snapshot.state == GANDER_BREAKER_STATE_CLOSED)
    return TRUE;

  fd = lock_state (self, error);
  if (fd < 0)
    return FALSE;
  if (!load_state (self, error))
    goto out;

  now = breaker_now (self);
  switch (effective_state (self, &self->snapshot))
    {
    case GANDER_BREAKER_STATE_CLOSED:
      ok = TRUE;
      break;

    case GANDER_BREAKER_STATE_OPEN:
      set_open_error (self, &self->snapshot, error);
      break;

    case GANDER_BREAKER_STATE_HALF_OPEN:
      {
        BreakerData *data = &self->snapshot;
        GTimeSpan period = MAX (data->half_open_at - data->opened_at, 0);

        if (data->state == GANDER_BREAKER_STATE_HALF_OPEN &&
            g_strcmp0 (data->trial_owner, self->token) == 0)
          {
            ok = TRUE;
            break;
          }
        if (trial_taken_by_other (self, data, now, period))
          {
            set_trial_taken_error (self, data, error);
            break;
          }
        /* take the trial (a stale owner's trial lapses after a period) */
        data->state = GANDER_BREAKER_STATE_HALF_OPEN;
        g_free (data->trial_owner);
        data->trial_owner = g_strdup (self->token);
        data->trial_started_at = now;
        ok = store_state (self, data, error);
      }
      break;

    default:
      g_assert_not_reached ();
    }

out:
  unlock_state (fd);
  return ok;
}

/**
 * gander_circuit_breaker_record_success:
 * @self: a #GanderCircuitBreaker
 * @error: return location for a #GError
 *
 * Reports a successful run: the breaker closes and its failure count goes
 * back to 0 (the state file is removed). Does nothing on a disabled
 * breaker.
 *
 * Returns: %TRUE on success, %FALSE if the state could not be written
 *
 * Since: 0.2
 */
gboolean
gander_circuit_breaker_record_success (GanderCircuitBreaker  *self,
                                       GError               **error)
{
  BreakerData closed = { 0, };
  int fd;
  gboolean ok = FALSE;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->threshold == 0)
    return TRUE;
  if (!load_state (self, error))
    return FALSE;
  if (self->snapshot.state == GANDER_BREAKER_STATE_CLOSED && self->snapshot.failures == 0)
    return TRUE;

  fd = lock_state (self, error);
  if (fd < 0)
    return FALSE;
  if (load_state (self, error))
    {
      breaker_data_clear (&closed);
      ok = store_state (self, &closed, error);
      if (ok)
        {
          breaker_data_clear (&self->snapshot);
          self->snapshot_valid = TRUE;
        }
    }
  unlock_state (fd);
  return ok;
}

/**
 * gander_circuit_breaker_record_failure:
 * @self: a #GanderCircuitBreaker
 * @error: return location for a #GError
 *
 * Reports a failed run. The consecutive failure count goes up; when it
 * reaches the threshold the breaker opens for the open duration. A failed
 * half-open trial opens it again for another period. Does nothing on a
 * disabled breaker.
 *
 * Returns: %TRUE on success, %FALSE if the state could not be written
 *
 * Since: 0.2
 */
gboolean
gander_circuit_breaker_record_failure (GanderCircuitBreaker  *self,
                                       GError               **error)
{
  BreakerData *data;
  int fd;
  gint64 now;
  gboolean ok = FALSE;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->threshold == 0)
    return TRUE;

  fd = lock_state (self, error);
  if (fd < 0)
    return FALSE;
  if (!load_state (self, error))
    goto out;

  data = &self->snapshot;
  now = breaker_now (self);
  if (data->failures < G_MAXUINT)
    data->failures++;

  switch (effective_state (self, data))
    {
    case GANDER_BREAKER_STATE_CLOSED:
      if (data->failures < self->threshold)
        break;
      G_GNUC_FALLTHROUGH;
    case GANDER_BREAKER_STATE_HALF_OPEN:
      /* opens, or a failed trial opens again for a whole period */
      data->state = GANDER_BREAKER_STATE_OPEN;
      data->opened_at = now;
      data->half_open_at = now + self->open_duration;
      g_clear_pointer (&data->trial_owner, g_free);
      data->trial_started_at = 0;
      break;
    case GANDER_BREAKER_STATE_OPEN:
      /* a run that started before the breaker opened: count it, keep the
       * period */
      break;
    default:
      g_assert_not_reached ();
    }
  ok = store_state (self, data, error);

out:
  unlock_state (fd);
  return ok;
}

/**
 * gander_circuit_breaker_reset:
 * @self: a #GanderCircuitBreaker
 * @error: return location for a #GError
 *
 * Closes the breaker and forgets its failures, whatever its state file
 * holds (a corrupt file too): what `gander breaker reset` does. Works on a
 * disabled breaker as well.
 *
 * Returns: %TRUE on success, %FALSE if the state file could not be removed
 *
 * Since: 0.2
 */
gboolean
gander_circuit_breaker_reset (GanderCircuitBreaker  *self,
                              GError               **error)
{
  BreakerData closed = { 0, };
  int fd;
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_test (self->state_file, G_FILE_TEST_EXISTS))
    {
      breaker_data_clear (&self->snapshot);
      self->snapshot_valid = TRUE;
      self->snapshot_corrupt = FALSE;
      return TRUE;
    }

  fd = lock_state (self, error);
  if (fd < 0)
    return FALSE;
  breaker_data_clear (&closed);
  ok = store_state (self, &closed, error);
  if (ok)
    {
      breaker_data_clear (&self->snapshot);
      self->snapshot_valid = TRUE;
      self->snapshot_corrupt = FALSE;
    }
  unlock_state (fd);
  return ok;
}

/* The snapshot for the getters; read if no call has read it yet. */
static const BreakerData *
get_snapshot (GanderCircuitBreaker *self)
{
  if (!self->snapshot_valid && !self->snapshot_corrupt)
    {
      g_autoptr(GError) error = NULL;

      if (!load_state (self, &error))
        g_warning ("%s", error->message);
    }
  return &self->snapshot;
}

/**
 * gander_circuit_breaker_get_state:
 * @self: a #GanderCircuitBreaker
 *
 * Reads the state file again and returns the state every process sees now:
 * an open breaker whose open period is over is reported half-open. A
 * state file that cannot be read is reported as open, with a warning
 * naming it. The other getters return what this call read.
 *
 * Returns: the breaker's state
 *
 * Since: 0.2
 */
GanderBreakerState
gander_circuit_breaker_get_state (GanderCircuitBreaker *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), GANDER_BREAKER_STATE_CLOSED);

  if (!load_state (self, &error))
    {
      g_warning ("%s", error->message);
      return GANDER_BREAKER_STATE_OPEN;
    }
  return effective_state (self, &self->snapshot);
}

/**
 * gander_circuit_breaker_get_consecutive_failures:
 * @self: a #GanderCircuitBreaker
 *
 * The consecutive failed runs counted, as last read from the state file
 * (by gander_circuit_breaker_get_state() or any other call that reads it;
 * read now if none has).
 *
 * Returns: the number of consecutive failed runs
 *
 * Since: 0.2
 */
guint
gander_circuit_breaker_get_consecutive_failures (GanderCircuitBreaker *self)
{
  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), 0);
  return get_snapshot (self)->failures;
}

static GDateTime *
date_time_from_usec (gint64 usec)
{
  g_autoptr(GDateTime) seconds = NULL;

  if (usec == 0)
    return NULL;
  seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (seconds == NULL)
    return NULL;
  return g_date_time_add (seconds, usec % G_USEC_PER_SEC);
}

/**
 * gander_circuit_breaker_get_opened_at:
 * @self: a #GanderCircuitBreaker
 *
 * When the breaker last opened, as last read from the state file.
 *
 * Returns: (transfer full) (nullable): the time (UTC), or %NULL while the
 *   breaker is closed
 *
 * Since: 0.2
 */
GDateTime *
gander_circuit_breaker_get_opened_at (GanderCircuitBreaker *self)
{
  const BreakerData *data;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), NULL);
  data = get_snapshot (self);
  if (data->state == GANDER_BREAKER_STATE_CLOSED)
    return NULL;
  return date_time_from_usec (data->opened_at);
}

/**
 * gander_circuit_breaker_get_half_open_at:
 * @self: a #GanderCircuitBreaker
 *
 * When the open breaker allows its trial run, as last read from the state
 * file.
 *
 * Returns: (transfer full) (nullable): the time (UTC), or %NULL while the
 *   breaker is closed
 *
 * Since: 0.2
 */
GDateTime *
gander_circuit_breaker_get_half_open_at (GanderCircuitBreaker *self)
{
  const BreakerData *data;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), NULL);
  data = get_snapshot (self);
  if (data->state == GANDER_BREAKER_STATE_CLOSED)
    return NULL;
  return date_time_from_usec (data->half_open_at);
}

void
gander_circuit_breaker_set_now (GanderCircuitBreaker *self,
                                gint64                now_us)
{
  g_return_if_fail (GANDER_IS_CIRCUIT_BREAKER (self));
  self->now_override = now_us;
}

/* Whether gander_circuit_breaker_allow() would let a run through now,
 * without taking the half-open trial: for a policy check before the run. */
gboolean
gander_circuit_breaker_peek (GanderCircuitBreaker  *self,
                             GError               **error)
{
  const BreakerData *data;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->threshold == 0)
    return TRUE;
  if (!load_state (self, error))
    return FALSE;
  data = &self->snapshot;
  switch (effective_state (self, data))
    {
    case GANDER_BREAKER_STATE_OPEN:
      set_open_error (self, data, error);
      return FALSE;

    case GANDER_BREAKER_STATE_HALF_OPEN:
      if (trial_taken_by_other (self, data, breaker_now (self),
                                MAX (data->half_open_at - data->opened_at, 0)))
        {
          set_trial_taken_error (self, data, error);
          return FALSE;
        }
      return TRUE;

    case GANDER_BREAKER_STATE_CLOSED:
    default:
      return TRUE;
    }
}

/* Hands back the half-open trial this breaker took, when the trial run
 * was refused or cancelled and so says nothing about the database: the
 * next run may take it at once. Does nothing otherwise. */
gboolean
gander_circuit_breaker_release_trial (GanderCircuitBreaker  *self,
                                      GError               **error)
{
  gboolean ok = TRUE;
  int fd;

  g_return_val_if_fail (GANDER_IS_CIRCUIT_BREAKER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->threshold == 0)
    return TRUE;
  if (!load_state (self, error))
    return FALSE;
  if (self->snapshot.state != GANDER_BREAKER_STATE_HALF_OPEN ||
      g_strcmp0 (self->snapshot.trial_owner, self->token) != 0)
    return TRUE;

  fd = lock_state (self, error);
  if (fd < 0)
    return FALSE;
  ok = load_state (self, error);
  if (ok && self->snapshot.state == GANDER_BREAKER_STATE_HALF_OPEN &&
      g_strcmp0 (self->snapshot.trial_owner, self->token) == 0)
    {
      g_clear_pointer (&self->snapshot.trial_owner, g_free);
      self->snapshot.trial_started_at = 0;
      ok = store_state (self, &self->snapshot, error);
    }
  unlock_state (fd);
  return ok;
}
