/* gander-error.h: the GANDER_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib.h>
#include "gander-version-macros.h"

G_BEGIN_DECLS

/**
 * GANDER_ERROR:
 *
 * The error domain of every error libgander reports.
 *
 * Since: 0.1
 */
#define GANDER_ERROR (gander_error_quark ())

/**
 * GanderError:
 * @GANDER_ERROR_FAILED: an error that fits no other code
 * @GANDER_ERROR_PARSE: a migration file is malformed (the message names the
 *   file and line and quotes goose's own wording); since 0.2 also a
 *   metrics text that #GanderMetrics cannot read (the message names the
 *   line)
 * @GANDER_ERROR_INVALID_FILENAME: a file name carries no valid goose version
 * @GANDER_ERROR_DUPLICATE_VERSION: two files share one version
 * @GANDER_ERROR_NO_MIGRATIONS: the migration directory holds no migrations
 * @GANDER_ERROR_NOT_FOUND: a directory, file or version does not exist
 * @GANDER_ERROR_NO_NEXT_VERSION: there is nothing to apply or roll back
 * @GANDER_ERROR_MISSING_MIGRATIONS: unapplied migrations older than the
 *   database version exist and allow-missing is off
 * @GANDER_ERROR_INVALID_ARGUMENT: a caller-supplied value is out of range
 * @GANDER_ERROR_CONNECTION: the database cannot be reached or opened
 * @GANDER_ERROR_AUTH: the database refused the credentials
 * @GANDER_ERROR_SQL: the database rejected a statement
 * @GANDER_ERROR_LOCKED: a lock could not be taken in time (the message names
 *   the holder when the database can tell)
 * @GANDER_ERROR_RETRYABLE: a serialization failure or deadlock; the same
 *   operation may succeed when run again
 * @GANDER_ERROR_TIMEOUT: a deadline or statement timeout expired
 * @GANDER_ERROR_CANCELLED: not reported since 0.2: a cancelled operation
 *   fails with %G_IO_ERROR_CANCELLED, as everywhere in GNOME. The code stays
 *   so that numbering and D-Bus names do not move, and its name,
 *   `org.gander.Migrator1.Error.Cancelled`, is the `ErrorName` of a
 *   cancelled gander-daemon job
 * @GANDER_ERROR_READ_ONLY: the database cannot be written
 * @GANDER_ERROR_NOT_A_DATABASE: the file is not a database of the driver
 * @GANDER_ERROR_DIRTY: a non-transactional migration was interrupted and may
 *   be half applied; it needs a human decision
 * @GANDER_ERROR_NOT_SUPPORTED: the driver or build cannot do this
 * @GANDER_ERROR_IO: reading or writing a file failed
 * @GANDER_ERROR_BUSY: the object is already running an operation (for
 *   example, a signal handler tried to start a second one); try again once
 *   the running operation has finished. Since: 0.2
 * @GANDER_ERROR_PERMISSION_DENIED: the database or the file system refused
 *   the operation for lack of privileges (PostgreSQL SQLSTATE 42501, SQLite
 *   `SQLITE_PERM`/`SQLITE_AUTH`, `EACCES`). Since: 0.2
 * @GANDER_ERROR_CONFIG: a configuration file or setting is malformed, names
 *   an unknown key or profile, or holds a value out of range (the message
 *   names the file, group, key and line). Since: 0.2
 * @GANDER_ERROR_POLICY_DENIED: the environment's policy does not allow this
 *   command (the message names the rule and how to proceed); nothing was
 *   written. Since: 0.2
 * @GANDER_ERROR_CONFIRMATION_REQUIRED: the command is destructive in this
 *   environment and was not confirmed with the profile or database name;
 *   nothing was written. Since: 0.2
 * @GANDER_ERROR_CIRCUIT_OPEN: the circuit breaker for this database is open
 *   after repeated failed runs; nothing was written. Wait until it half-opens
 *   or reset it. Since: 0.2
 * @GANDER_ERROR_BACKUP: taking, verifying or restoring a backup failed (the
 *   message names the backup, the tool and its output, masked); a run whose
 *   required backup failed changed nothing. Since: 0.2
 * @GANDER_ERROR_HEALTH_CHECK: a health check failed (the message names the
 *   check and what to do); before a run nothing was written. Since: 0.2
 * @GANDER_ERROR_NOT_AUTHORIZED: the caller is not authorised for this
 *   action (a D-Bus service refused it: polkit said no, or the caller is
 *   not the service's user); nothing was done. Since: 0.2
 *
 * The domain is registered with D-Bus (see gander_error_quark()): an error
 * crosses the bus as `org.gander.Migrator1.Error.<Code>`, for example
 * `org.gander.Migrator1.Error.Dirty`, and is mapped back to the same code
 * on the other side.
 *
 * Error codes of the %GANDER_ERROR domain. Errors from SQLite, libpq and GIO
 * are mapped to these at the edge that meets them; the original code
 * (SQLite result code, SQLSTATE) and text stay in the message.
 *
 * Since: 0.1
 */
typedef enum {
  GANDER_ERROR_FAILED,
  GANDER_ERROR_PARSE,
  GANDER_ERROR_INVALID_FILENAME,
  GANDER_ERROR_DUPLICATE_VERSION,
  GANDER_ERROR_NO_MIGRATIONS,
  GANDER_ERROR_NOT_FOUND,
  GANDER_ERROR_NO_NEXT_VERSION,
  GANDER_ERROR_MISSING_MIGRATIONS,
  GANDER_ERROR_INVALID_ARGUMENT,
  GANDER_ERROR_CONNECTION,
  GANDER_ERROR_AUTH,
  GANDER_ERROR_SQL,
  GANDER_ERROR_LOCKED,
  GANDER_ERROR_RETRYABLE,
  GANDER_ERROR_TIMEOUT,
  GANDER_ERROR_CANCELLED,
  GANDER_ERROR_READ_ONLY,
  GANDER_ERROR_NOT_A_DATABASE,
  GANDER_ERROR_DIRTY,
  GANDER_ERROR_NOT_SUPPORTED,
  GANDER_ERROR_IO,
  GANDER_ERROR_BUSY,
  GANDER_ERROR_PERMISSION_DENIED,
  GANDER_ERROR_CONFIG,
  GANDER_ERROR_POLICY_DENIED,
  GANDER_ERROR_CONFIRMATION_REQUIRED,
  GANDER_ERROR_CIRCUIT_OPEN,
  GANDER_ERROR_BACKUP,
  GANDER_ERROR_HEALTH_CHECK,
  GANDER_ERROR_NOT_AUTHORIZED,
} GanderError;

/**
 * GANDER_ERROR_N_CODES:
 *
 * The number of codes in #GanderError (one more than the highest).
 *
 * Since: 0.2
 */
#define GANDER_ERROR_N_CODES (GANDER_ERROR_NOT_AUTHORIZED + 1)

GANDER_AVAILABLE_IN_ALL
GQuark gander_error_quark (void);

G_END_DECLS
