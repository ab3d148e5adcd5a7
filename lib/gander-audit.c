/* gander-audit.c: a tamper-evident audit log in JSON lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gander-audit.h"
#include "gander-audit-private.h"
#include "gander-database.h"
#include "gander-error.h"
#include "gander-sha256-private.h"

/**
 * GanderAudit:
 *
 * Writes audit records, one JSON object per line, to a log file, and
 * mirrors each to the systemd journal.
 *
 * Each line carries `ts` (when it was written, RFC 3339 UTC with
 * microseconds, unless the record has its own) and `prev_sha256`: the
 * lower-case hex SHA-256 of the previous line's bytes (without its
 * newline), or `null` on the first line. Changing, removing or inserting a
 * line breaks the chain at the next one, which
 * gander_audit_verify_file() (`gander audit verify FILE`) reports.
 *
 * The file is opened with `O_APPEND` on the first record, created with
 * mode 0640 (less if the umask says so), and kept open until
 * gander_audit_sync() or the object's end. Each record is written with one
 * write() under an exclusive flock(); under the lock the writer finds the
 * hash of the last line. When the file is still the one this object last
 * wrote to (same device, inode and size) that hash is the one of its own
 * previous line, remembered; otherwise (another #GanderAudit, thread or
 * process appended, or the file was truncated) the last line is read back
 * from the end of the file (never the whole file). So any number of
 * #GanderAudit objects, threads and processes may append to one log and
 * the chain stays whole, while a run that is the log's only writer costs
 * one write() and no read per record.
 *
 * Rotation: before each record the path is checked under the lock; when it
 * names another file than the open one (the log was renamed away, and
 * recreated or not) the old descriptor is closed and the path opened
 * again, so records always go to the file the path names. A new or empty
 * file starts a new chain (`prev_sha256` null on its first line): each
 * file verifies on its own with gander_audit_verify_file(), and nothing in
 * the new file points into the rotated one. gander_audit_sync() flushes
 * the log to disk and closes it; call it at the end of a run.
 *
 * The journal copy goes straight to journald (g_log_writer_journald(),
 * whatever writer the application installed, and never to a terminal)
 * with `MESSAGE_ID` %GANDER_AUDIT_MESSAGE_ID and the fields
 * `GANDER_EVENT`, `GANDER_RUN_ID`, `GANDER_RESULT`, `GANDER_PROFILE`,
 * `GANDER_OPERATION` and `GANDER_RECORD` (the JSON line). Without a
 * journal the copy is dropped quietly; when the journal's socket does not
 * exist the mirror is skipped for ten seconds before looking again, so a
 * system without journald pays nothing per record.
 *
 * Passwords: the caller (#GanderManager) masks DSNs before it builds a
 * record. As a second line of defence every string in the record is
 * masked again with gander_dsn_mask() before it is written; when that
 * changes anything a warning names the field (never the value), since a
 * password reached the audit code.
 *
 * Since: 0.2
 */
struct _GanderAudit
{
  GObject         parent_instance;

  char           *path;
  GLogWriterFunc  journal_writer;
  gpointer        journal_writer_data;
  gint            journal_absent_until;  /* atomic; monotonic seconds: no
                                          * journald socket was found, skip
                                          * the mirror until then */

  /* Everything below is guarded by @lock (threads sharing this object);
   * other objects and processes are kept apart by flock() on the file. */
  GMutex          lock;
  gboolean        created;    /* this object created the file: sync its directory */
  int             fd;         /* the open log, or -1 */
  pid_t           fd_pid;     /* the process that opened @fd: a forked child
                               * shares the open file, and its flock(), so it
                               * opens its own */
  /* The log as this object left it after its last write: when the open
   * file still has this device, inode and size under the lock, nobody
   * else appended and its last line is ours, whose hash is @last_hash. */
  gboolean        have_last;
  dev_t           last_dev;
  ino_t           last_ino;
  goffset         last_size;
  char            last_hash[65];
};

G_DEFINE_FINAL_TYPE (GanderAudit, gander_audit, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* How far back each read goes while looking for the start of the last line. */
#define TAIL_CHUNK 65536

/* Where g_log_writer_journald() sends; without it every record would pay
 * for building the fields and a failing sendmsg(). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* How long (s) a missing journal socket is believed before looking again. */
#define JOURNAL_RECHECK_S 10

static gint
monotonic_seconds (void)
{
  return (gint) (g_get_monotonic_time () / G_USEC_PER_SEC) + 1;   /* never 0 */
}

static void
gander_audit_finalize (GObject *object)
{
  GanderAudit *self = GANDER_AUDIT (object);

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (gander_audit_parent_class)->finalize (object);
}

static void
gander_audit_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GanderAudit *self = GANDER_AUDIT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_audit_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GanderAudit *self = GANDER_AUDIT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gander_audit_class_init (GanderAuditClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_audit_finalize;
  object_class->get_property = gander_audit_get_property;
  object_class->set_property = gander_audit_set_property;

  /**
   * GanderAudit:path:
   *
   * The log file, or %NULL to mirror records to the journal only.
   *
   * Since: 0.2
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gander_audit_init (GanderAudit *self)
{
  self->journal_writer = g_log_writer_journald;
  g_mutex_init (&self->lock);
  self->fd = -1;
}

/**
 * gander_audit_new:
 * @path: (nullable) (type filename): the log file (created on the first
 *   record), or %NULL to mirror records to the journal only
 *
 * Creates an audit log writer. Nothing is opened until the first record.
 *
 * Returns: (transfer full): a new #GanderAudit
 *
 * Since: 0.2
 */
GanderAudit *
gander_audit_new (const char *path)
{
  return g_object_new (GANDER_TYPE_AUDIT, "path", path, NULL);
}

/**
 * gander_audit_get_path:
 * @self: a #GanderAudit
 *
 * Returns: (nullable) (type filename): the log file, or %NULL for a
 *   journal-only audit
 *
 * Since: 0.2
 */
const char *
gander_audit_get_path (GanderAudit *self)
{
  g_return_val_if_fail (GANDER_IS_AUDIT (self), NULL);
  return self->path;
}

void
gander_audit_set_journal_writer (GanderAudit    *self,
                                 GLogWriterFunc  writer,
                                 gpointer        user_data)
{
  g_return_if_fail (GANDER_IS_AUDIT (self));
  self->journal_writer = writer;
  self->journal_writer_data = user_data;
}

static int
errno_to_code (int saved_errno)
{
  return saved_errno == EACCES || saved_errno == EPERM
         ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO;
}

/* ts: RFC 3339, UTC, microseconds. */
static char *
audit_timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* A deep copy of @node in which every string went through
 * gander_dsn_mask(); @masked collects the names of the fields that changed. */
static JsonNode *
copy_masked (JsonNode   *node,
             const char *name,
             GPtrArray  *masked)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(JsonObject) copy = json_object_new ();
        JsonObjectIter iter;
        const char *member;
        JsonNode *child;

        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &member, &child))
          json_object_set_member (copy, member, copy_masked (child, member, masked));
        return json_node_init_object (json_node_alloc (), copy);
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        g_autoptr(JsonArray) copy = json_array_sized_new (json_array_get_length (array));

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (copy, copy_masked (json_array_get_element (array, i),
                                                     name, masked));
        return json_node_init_array (json_node_alloc (), copy);
      }

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (node);
          g_autofree char *valid = NULL;
          g_autofree char *safe = NULL;

          /* a file name in another encoding must not make the line
           * unreadable as JSON */
          if (!g_utf8_validate (text, -1, NULL))
            text = valid = g_utf8_make_valid (text, -1);
          safe = gander_dsn_mask (text);
          if (!g_str_equal (safe, text))
            {
              g_ptr_array_add (masked, g_strdup (name));
              return json_node_init_string (json_node_alloc (), safe);
            }
          if (valid != NULL)
            return json_node_init_string (json_node_alloc (), valid);
        }
      return json_node_copy (node);

    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

static gboolean
pread_all (int       fd,
           void     *buf,
           gsize     len,
           goffset   offset)
{
  char *p = buf;

  while (len > 0)
    {
      gssize n = pread (fd, p, len, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;   /* the file shrank under the lock: someone truncated it */
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
      offset += n;
    }
  return TRUE;
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* The hex SHA-256 of the last line of the (locked, non-empty) log, read
 * backwards from the end in chunks: a log of any size costs about one
 * line's reading. */
static char *
hash_last_line (const char  *path,
                int          fd,
                goffset      size,
                GError     **error)
{
  g_autofree char *chunk = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  goffset end, start = 0, pos;
  char last;

  if (!pread_all (fd, &last, 1, size - 1))
    goto read_error;
  if (last != '\n')
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("The audit log %s ends with an incomplete line (a write "
                     "was cut off, or the file was truncated), so the next "
                     "record cannot be chained to it; nothing was written. "
                     "Check the log with `gander audit verify %s`, then move "
                     "it aside: a new log starts a new chain."),
                   path, path);
      return NULL;
    }

  end = size - 1;   /* the last line is [start, end) */
  chunk = g_malloc (TAIL_CHUNK);
  for (pos = end; pos > 0; )
    {
      gsize n = (gsize) MIN ((goffset) TAIL_CHUNK, pos);
      gboolean found = FALSE;

      if (!pread_all (fd, chunk, n, pos - (goffset) n))
        goto read_error;
      for (gsize i = n; i > 0; i--)
        if (chunk[i - 1] == '\n')
          {
            start = pos - (goffset) n + (goffset) i;
            found = TRUE;
            break;
          }
      if (found)
        break;
      pos -= (goffset) n;
    }

  if (start == end)
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("The audit log %s ends with an empty line, which no "
                     "audit record writes; nothing was written. Check the log "
                     "with `gander audit verify %s`."),
                   path, path);
      return NULL;
    }

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  for (pos = start; pos < end; )
    {
      gsize n = (gsize) MIN ((goffset) TAIL_CHUNK, end - pos);

      if (!pread_all (fd, chunk, n, pos))
        goto read_error;
      g_checksum_update (checksum, (const guchar *) chunk, (gssize) n);
      pos += (goffset) n;
    }
  return g_strdup (g_checksum_get_string (checksum));

read_error:
  {
    int saved_errno = errno;

    g_set_error (error, GANDER_ERROR, errno_to_code (saved_errno),
                 _("Cannot read the audit log %s: %s"),
                 path, g_strerror (saved_errno));
    return NULL;
  }
}

static void
close_log (GanderAudit *self)
{
  if (self->fd >= 0)
    close (self->fd);   /* also releases our flock() */
  self->fd = -1;
}

/* Opens the log (self->fd) unless this process has it open already. */
static gboolean
open_log (GanderAudit  *self,
          GError      **error)
{
  if (self->fd >= 0 && self->fd_pid == getpid ())
    return TRUE;
  close_log (self);   /* a descriptor inherited across fork(): ours to close */

  self->fd = g_open (self->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
  if (self->fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR, errno_to_code (saved_errno),
                   _("Cannot open the audit log %s: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }
  self->fd_pid = getpid ();
  return TRUE;
}

/* Opens the log if needed and takes the flock(); fills @st for the locked
 * file, which is the one the path names at that moment (if the log was
 * rotated since the last record, the old file is let go and the path
 * opened again). */
static gboolean
lock_log (GanderAudit  *self,
          struct stat  *st,
          GError      **error)
{
  /* A rotation racing with every attempt is not a thing a log does; after
   * a few the record goes to the file we hold, as when the log was opened
   * for each record. */
  for (guint attempt = 0; ; attempt++)
    {
      struct stat at_path;

      if (!open_log (self, error))
        return FALSE;
      while (flock (self->fd, LOCK_EX) != 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("Cannot lock the audit log %s: %s"),
                       self->path, g_strerror (saved_errno));
          close_log (self);
          return FALSE;
        }
      if (fstat (self->fd, st) != 0 || !S_ISREG (st->st_mode))
        {
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                       _("The audit log %s is not a regular file"), self->path);
          close_log (self);
          return FALSE;
        }
      if (attempt >= 3 ||
          (g_stat (self->path, &at_path) == 0 &&
           at_path.st_dev == st->st_dev && at_path.st_ino == st->st_ino))
        return TRUE;
      close_log (self);   /* renamed away or replaced: follow the path */
    }
}

/* Under self->lock: appends @object (with the chain member set from the
 * current last line) as one line, under the file lock. */
static gboolean
append_to_file (GanderAudit  *self,
                JsonObject   *object,
                char        **out_line,
                GError      **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *prev = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) line = NULL;
  struct stat st;
  gboolean ok = FALSE;

  if (!lock_log (self, &st, error))
    {
      self->have_last = FALSE;
      return FALSE;
    }

  if (st.st_size == 0)
    {
      json_object_set_null_member (object, "prev_sha256");
      self->created = TRUE;
    }
  else if (self->have_last && st.st_dev == self->last_dev &&
           st.st_ino == self->last_ino && st.st_size == self->last_size)
    json_object_set_string_member (object, "prev_sha256", self->last_hash);
  else
    {
      prev = hash_last_line (self->path, self->fd, st.st_size, error);
      if (prev == NULL)
        goto out;
      json_object_set_string_member (object, "prev_sha256", prev);
    }
  self->have_last = FALSE;

  root = json_node_init_object (json_node_alloc (), object);
  text = json_to_string (root, FALSE);
  line = g_string_new (text);
  g_string_append_c (line, '\n');

  /* one write() per line: O_APPEND puts it at the end, the lock keeps the
   * chain in order */
  if (!write_all (self->fd, line->str, line->len))
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR, errno_to_code (saved_errno),
                   _("Cannot write to the audit log %s: %s"),
                   self->path, g_strerror (saved_errno));
      goto out;
    }

  /* Nobody else writes while we hold the lock: the file now ends with our
   * line, at the size it had plus the line. */
  {
    g_autofree char *hash = gander_sha256_hex (line->str, line->len - 1, FALSE);

    g_assert (strlen (hash) == sizeof self->last_hash - 1);
    memcpy (self->last_hash, hash, sizeof self->last_hash);
    self->last_dev = st.st_dev;
    self->last_ino = st.st_ino;
    self->last_size = st.st_size + (goffset) line->len;
    self->have_last = TRUE;
  }
  if (out_line != NULL)
    *out_line = g_steal_pointer (&text);
  ok = TRUE;

out:
  (void) flock (self->fd, LOCK_UN);
  if (!ok)
    close_log (self);   /* the next record starts afresh */
  return ok;
}

static const char *
get_string_or_null (JsonObject *object,
                    const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
mirror_to_journal (GanderAudit *self,
                   JsonObject  *object,
                   const char  *line)
{
  g_autofree char *message = NULL;
  g_autofree char *json = NULL;
  const char *event = get_string_or_null (object, "event");
  const char *run_id = get_string_or_null (object, "run_id");
  const char *result = get_string_or_null (object, "result");
  const char *profile = get_string_or_null (object, "profile");
  const char *operation = get_string_or_null (object, "operation");
  gboolean notice = result != NULL && !g_str_equal (result, "ok");
  GLogField fields[12];
  gsize n = 0;

  if (self->journal_writer == NULL)
    return;
  if (self->journal_writer == g_log_writer_journald)
    {
      gint until = g_atomic_int_get (&self->journal_absent_until);

      if (until != 0 && monotonic_seconds () < until)
        return;   /* no journal here: the copy would be dropped anyway */
    }

  if (line == NULL)
    {
      g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), object);

      json = json_to_string (root, FALSE);
      line = json;
    }

  message = g_strdup_printf ("gander audit: %s%s%s%s%s%s%s", event,
                             operation != NULL ? " " : "", operation != NULL ? operation : "",
                             profile != NULL ? " profile " : "", profile != NULL ? profile : "",
                             result != NULL ? ": " : "", result != NULL ? result : "");

#define ADD_FIELD(k, v) \
  G_STMT_START { fields[n].key = (k); fields[n].value = (v); fields[n].length = -1; n++; } G_STMT_END
  ADD_FIELD ("MESSAGE", message);
  ADD_FIELD ("MESSAGE_ID", GANDER_AUDIT_MESSAGE_ID);
  ADD_FIELD ("PRIORITY", notice ? "5" : "6");
  ADD_FIELD ("GLIB_DOMAIN", G_LOG_DOMAIN);
  ADD_FIELD ("GANDER_EVENT", event);
  if (run_id != NULL)
    ADD_FIELD ("GANDER_RUN_ID", run_id);
  if (result != NULL)
    ADD_FIELD ("GANDER_RESULT", result);
  if (profile != NULL)
    ADD_FIELD ("GANDER_PROFILE", profile);
  if (operation != NULL)
    ADD_FIELD ("GANDER_OPERATION", operation);
  if (self->path != NULL)
    ADD_FIELD ("GANDER_AUDIT_LOG", self->path);
  ADD_FIELD ("GANDER_RECORD", line);
#undef ADD_FIELD
  g_assert (n <= G_N_ELEMENTS (fields));

  if (self->journal_writer (notice ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_INFO,
                            fields, n, self->journal_writer_data) == G_LOG_WRITER_UNHANDLED &&
      self->journal_writer == g_log_writer_journald)
    {
      /* Only a missing socket is remembered; any other failure (a full
       * journal, an oversized record) is retried with the next record. */
      g_atomic_int_set (&self->journal_absent_until,
                        access (JOURNAL_SOCKET, F_OK) != 0
                        ? monotonic_seconds () + JOURNAL_RECHECK_S : 0);
    }
}

/**
 * gander_audit_append:
 * @self: a #GanderAudit
 * @record: the record: a JSON object with at least a string `event`
 * @error: return location for a #GError
 *
 * Writes @record as one line of the log and mirrors it to the journal.
 * The line is a copy of @record (which is not modified) with `ts` first
 * (now, unless @record has one), every string masked with
 * gander_dsn_mask(), and `prev_sha256` last (any value @record has for it
 * is replaced).
 *
 * Fails with %GANDER_ERROR_INVALID_ARGUMENT without a string `event`, and
 * with %GANDER_ERROR_IO or %GANDER_ERROR_PERMISSION_DENIED when the log
 * cannot be written, or ends with an incomplete line (nothing is written
 * then: a record chained to a broken line would prove nothing).
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
gander_audit_append (GanderAudit  *self,
                     JsonObject   *record,
                     GError      **error)
{
  g_autoptr(GPtrArray) masked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *line = NULL;
  JsonObjectIter iter;
  const char *member;
  JsonNode *child;
  JsonNode *ts;

  g_return_val_if_fail (GANDER_IS_AUDIT (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (get_string_or_null (record, "event") == NULL)
    {
      g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_INVALID_ARGUMENT,
                           _("An audit record needs a string \"event\" member"));
      return FALSE;
    }

  object = json_object_new ();
  ts = json_object_get_member (record, "ts");
  if (ts != NULL)
    json_object_set_member (object, "ts", copy_masked (ts, "ts", masked));
  else
    {
      g_autofree char *now = audit_timestamp_now ();

      json_object_set_string_member (object, "ts", now);
    }
  json_object_iter_init_ordered (&iter, record);
  while (json_object_iter_next_ordered (&iter, &member, &child))
    {
      if (g_str_equal (member, "ts") || g_str_equal (member, "prev_sha256"))
        continue;
      json_object_set_member (object, member, copy_masked (child, member, masked));
    }
  for (guint i = 0; i < masked->len; i++)
    g_warning ("Audit record field \"%s\" held what looks like a password; "
               "it was masked before writing (the caller should mask it)",
               (const char *) g_ptr_array_index (masked, i));

  if (self->path != NULL)
    {
      gboolean ok;

      g_mutex_lock (&self->lock);
      ok = append_to_file (self, object, &line, error);
      g_mutex_unlock (&self->lock);
      if (!ok)
        return FALSE;
    }
  if (self->path == NULL)
    json_object_set_null_member (object, "prev_sha256");

  mirror_to_journal (self, object, line);
  return TRUE;
}

/**
 * gander_audit_sync:
 * @self: a #GanderAudit
 * @error: return location for a #GError
 *
 * Flushes the log to disk (fsync(), and the directory's entry if this
 * object created the file) and closes it: the next record opens it again.
 * Does nothing for a journal-only audit or before the first record.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
gander_audit_sync (GanderAudit  *self,
                   GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean created;
  int fd;

  g_return_val_if_fail (GANDER_IS_AUDIT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->path == NULL)
    return TRUE;

  locker = g_mutex_locker_new (&self->lock);
  if (self->fd >= 0 && self->fd_pid == getpid ())
    {
      /* the file our records went to, even if it was rotated since */
      fd = self->fd;
      self->fd = -1;
    }
  else
    {
      close_log (self);
      fd = g_open (self->path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
    }
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return TRUE;   /* nothing written yet */
      g_set_error (error, GANDER_ERROR, errno_to_code (saved_errno),
                   _("Cannot open the audit log %s: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_IO,
                   _("Cannot flush the audit log %s to disk: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  created = self->created;
  self->created = FALSE;
  if (created)
    {
      g_autofree char *dir = g_path_get_dirname (self->path);
      int dirfd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

      if (dirfd >= 0)
        {
          (void) fsync (dirfd);   /* best effort: some file systems refuse */
          close (dirfd);
        }
    }
  return TRUE;
}

static void
set_bad_line (GError     **error,
              int          code,
              const char  *path,
              guint        line_no,
              const char  *why)
{
  g_set_error (error, GANDER_ERROR, code, "%s:%u: %s", path, line_no, why);
}

/* Checks one line (without its newline); @prev is the hash of the line
 * before, NULL for the first. */
static gboolean
check_line (const char  *path,
            guint        line_no,
            const char  *text,
            gsize        len,
            const char  *prev,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDateTime) ts_time = NULL;
  JsonObject *object;
  JsonNode *root, *chain;
  const char *ts;

  if (len == 0)
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("empty line: not an audit record"));
      return FALSE;
    }
  if (memchr (text, '\0', len) != NULL ||
      !json_parser_load_from_data (parser, text, (gssize) len, &local_error))
    {
      g_autofree char *why = g_strdup_printf (_("not JSON: %s"),
                                              local_error != NULL
                                              ? local_error->message
                                              : _("a NUL byte"));

      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no, why);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("not a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);

  ts = get_string_or_null (object, "ts");
  if (ts == NULL)
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("the \"ts\" field is missing or not a string"));
      return FALSE;
    }
  ts_time = g_date_time_new_from_iso8601 (ts, NULL);
  if (ts_time == NULL)
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("the \"ts\" field is not an RFC 3339 time"));
      return FALSE;
    }
  if (get_string_or_null (object, "event") == NULL)
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("the \"event\" field is missing or not a string"));
      return FALSE;
    }

  chain = json_object_get_member (object, "prev_sha256");
  if (chain == NULL)
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("the \"prev_sha256\" field is missing"));
      return FALSE;
    }
  if (prev == NULL)
    {
      if (!JSON_NODE_HOLDS_NULL (chain))
        {
          set_bad_line (error, GANDER_ERROR_FAILED, path, line_no,
                        _("the first line's \"prev_sha256\" is not null: the "
                          "lines before it are missing (the beginning of the "
                          "log was cut off)"));
          return FALSE;
        }
      return TRUE;
    }
  if (JSON_NODE_HOLDS_NULL (chain))
    {
      set_bad_line (error, GANDER_ERROR_FAILED, path, line_no,
                    _("\"prev_sha256\" is null, as on a first line, but lines "
                      "come before it: a log was appended to another, or lines "
                      "were inserted"));
      return FALSE;
    }
  if (get_string_or_null (object, "prev_sha256") == NULL)
    {
      set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                    _("the \"prev_sha256\" field is not a string or null"));
      return FALSE;
    }
  if (!g_str_equal (get_string_or_null (object, "prev_sha256"), prev))
    {
      g_autofree char *why =
        g_strdup_printf (_("hash mismatch: \"prev_sha256\" is %s but the line "
                           "before hashes to %s: that line was changed, or "
                           "lines were removed or inserted before this one"),
                         get_string_or_null (object, "prev_sha256"), prev);

      set_bad_line (error, GANDER_ERROR_FAILED, path, line_no, why);
      return FALSE;
    }
  return TRUE;
}

/**
 * gander_audit_verify_file:
 * @path: (type filename): an audit log
 * @n_records: (out) (optional): the number of good records read before
 *   the first bad line (all of them when the log is whole)
 * @first_bad_line: (out) (optional): the 1-based number of the first bad
 *   line, or 0 when none is bad (and on errors opening or reading the file)
 * @error: return location for a #GError
 *
 * Checks that every line of @path is an audit record (a JSON object with
 * a string `event`, an RFC 3339 `ts` and `prev_sha256`), that the first
 * line's `prev_sha256` is null, that every other line's is the SHA-256 of
 * the line before it, and that the file ends with a newline. Stops at the
 * first bad line, with an error saying `FILE:LINE:` and why:
 * %GANDER_ERROR_PARSE for a line that is not a whole record (not JSON, a
 * missing field, the incomplete last line of a truncated file),
 * %GANDER_ERROR_FAILED for a broken chain (a changed, removed or inserted
 * line). An empty file is a whole log of 0 records.
 *
 * Returns: %TRUE if the whole log checks out
 *
 * Since: 0.2
 */
gboolean
gander_audit_verify_file (const char  *path,
                          guint       *n_records,
                          guint       *first_bad_line,
                          GError     **error)
{
  g_autofree char *prev = NULL;
  char *buf = NULL;
  size_t cap = 0;
  guint line_no = 0;
  gboolean ok = TRUE;
  FILE *file;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_records != NULL)
    *n_records = 0;
  if (first_bad_line != NULL)
    *first_bad_line = 0;

  file = g_fopen (path, "rbe");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, GANDER_ERROR,
                   saved_errno == ENOENT ? GANDER_ERROR_NOT_FOUND : errno_to_code (saved_errno),
                   _("Cannot open the audit log %s: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  for (;;)
    {
      ssize_t len;

      errno = 0;
      len = getline (&buf, &cap, file);
      if (len < 0)
        {
          if (ferror (file))
            {
              int saved_errno = errno;

              g_set_error (error, GANDER_ERROR, errno_to_code (saved_errno),
                           _("Cannot read the audit log %s: %s"),
                           path, g_strerror (saved_errno));
              ok = FALSE;
            }
          break;
        }
      line_no++;
      if (buf[len - 1] != '\n')
        {
          set_bad_line (error, GANDER_ERROR_PARSE, path, line_no,
                        _("incomplete last line (no newline at the end): the "
                          "file was truncated or a write was cut off"));
          ok = FALSE;
        }
      else if (!check_line (path, line_no, buf, (gsize) len - 1, prev, error))
        ok = FALSE;
      if (!ok)
        {
          if (first_bad_line != NULL)
            *first_bad_line = line_no;
          break;
        }
      g_free (prev);
      prev = gander_sha256_hex (buf, (gsize) len - 1, FALSE);
      if (n_records != NULL)
        (*n_records)++;
    }

  free (buf);
  fclose (file);
  return ok;
}

/**
 * gander_audit_make_actor:
 * @via: (nullable): how the request came: `cli`, `library` (the default
 *   for %NULL) or `dbus`
 * @uid: the user id, or -1 for this process's
 * @pid: the process id, or -1 for this process's
 *
 * Builds the `actor` member of an audit record: `{uid, user, pid, via}`,
 * `user` being the account name of @uid (null when the system has none).
 * C code may call it by its other name, gander_audit_actor_new() (a macro:
 * a function of that name would be taken by GObject Introspection for a
 * constructor of #GanderAudit).
 *
 * Returns: (transfer full): a new JSON object
 *
 * Since: 0.2
 */
JsonObject *
gander_audit_make_actor (const char *via,
                         gint64      uid,
                         gint64      pid)
{
  JsonObject *actor = json_object_new ();
  g_autofree char *user = NULL;
  struct passwd pwd, *result = NULL;
  char buf[4096];

  if (uid < 0)
    uid = (gint64) getuid ();
  if (pid < 0)
    pid = (gint64) getpid ();
  if (getpwuid_r ((uid_t) uid, &pwd, buf, sizeof buf, &result) == 0 && result != NULL)
    user = g_strdup (result->pw_name);

  json_object_set_int_member (actor, "uid", uid);
  if (user != NULL)
    json_object_set_string_member (actor, "user", user);
  else
    json_object_set_null_member (actor, "user");
  json_object_set_int_member (actor, "pid", pid);
  json_object_set_string_member (actor, "via", via != NULL ? via : "library");
  return actor;
}
