/* gander-error.c: the GANDER_ERROR domain, registered for D-Bus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "gander-error.h"
#include "gander-error-private.h"

/* One entry per GanderError code, in enum order. The names are part of the
 * D-Bus API of gander-daemon: never rename one, only append. */
static const GDBusErrorEntry gander_error_entries[] = {
  { GANDER_ERROR_FAILED,              "org.gander.Migrator1.Error.Failed" },
  { GANDER_ERROR_PARSE,               "org.gander.Migrator1.Error.Parse" },
  { GANDER_ERROR_INVALID_FILENAME,    "org.gander.Migrator1.Error.InvalidFilename" },
  { GANDER_ERROR_DUPLICATE_VERSION,   "org.gander.Migrator1.Error.DuplicateVersion" },
  { GANDER_ERROR_NO_MIGRATIONS,       "org.gander.Migrator1.Error.NoMigrations" },
  { GANDER_ERROR_NOT_FOUND,           "org.gander.Migrator1.Error.NotFound" },
  { GANDER_ERROR_NO_NEXT_VERSION,     "org.gander.Migrator1.Error.NoNextVersion" },
  { GANDER_ERROR_MISSING_MIGRATIONS,  "org.gander.Migrator1.Error.MissingMigrations" },
  { GANDER_ERROR_INVALID_ARGUMENT,    "org.gander.Migrator1.Error.InvalidArgument" },
  { GANDER_ERROR_CONNECTION,          "org.gander.Migrator1.Error.Connection" },
  { GANDER_ERROR_AUTH,                "org.gander.Migrator1.Error.Auth" },
  { GANDER_ERROR_SQL,                 "org.gander.Migrator1.Error.Sql" },
  { GANDER_ERROR_LOCKED,              "org.gander.Migrator1.Error.Locked" },
  { GANDER_ERROR_RETRYABLE,           "org.gander.Migrator1.Error.Retryable" },
  { GANDER_ERROR_TIMEOUT,             "org.gander.Migrator1.Error.Timeout" },
  { GANDER_ERROR_CANCELLED,           "org.gander.Migrator1.Error.Cancelled" },
  { GANDER_ERROR_READ_ONLY,           "org.gander.Migrator1.Error.ReadOnly" },
  { GANDER_ERROR_NOT_A_DATABASE,      "org.gander.Migrator1.Error.NotADatabase" },
  { GANDER_ERROR_DIRTY,               "org.gander.Migrator1.Error.Dirty" },
  { GANDER_ERROR_NOT_SUPPORTED,       "org.gander.Migrator1.Error.NotSupported" },
  { GANDER_ERROR_IO,                  "org.gander.Migrator1.Error.Io" },
  { GANDER_ERROR_BUSY,                "org.gander.Migrator1.Error.Busy" },
  { GANDER_ERROR_PERMISSION_DENIED,   "org.gander.Migrator1.Error.PermissionDenied" },
  { GANDER_ERROR_CONFIG,              "org.gander.Migrator1.Error.Config" },
  { GANDER_ERROR_POLICY_DENIED,       "org.gander.Migrator1.Error.PolicyDenied" },
  { GANDER_ERROR_CONFIRMATION_REQUIRED, "org.gander.Migrator1.Error.ConfirmationRequired" },
  { GANDER_ERROR_CIRCUIT_OPEN,        "org.gander.Migrator1.Error.CircuitOpen" },
  { GANDER_ERROR_BACKUP,              "org.gander.Migrator1.Error.Backup" },
  { GANDER_ERROR_HEALTH_CHECK,        "org.gander.Migrator1.Error.HealthCheck" },
  { GANDER_ERROR_NOT_AUTHORIZED,      "org.gander.Migrator1.Error.NotAuthorized" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (gander_error_entries) == GANDER_ERROR_N_CODES);

/**
 * gander_error_quark:
 *
 * The quark of the %GANDER_ERROR domain.
 *
 * The first call registers the domain with GDBus, so an error of this domain
 * returned by a D-Bus method arrives at the caller as the same domain and
 * code (`org.gander.Migrator1.Error.<Code>` on the wire).
 *
 * Returns: the error quark
 *
 * Since: 0.1
 */
GQuark
gander_error_quark (void)
{
  static gsize quark = 0;

  gander_i18n_ensure ();
  g_dbus_error_register_error_domain ("gander-error-quark",
                                      &quark,
                                      gander_error_entries,
                                      G_N_ELEMENTS (gander_error_entries));
  return (GQuark) quark;
}

/*
 * gander_set_cancelled_error:
 * @error: (nullable): where to store the error, or %NULL
 * @format: printf-style text saying what was cancelled
 *
 * Sets the error every cancelled libgander call reports:
 * %G_IO_ERROR_CANCELLED, the GNOME convention (applications ignore it
 * quietly; GTask's own helpers produce the same). Safe with @error == %NULL.
 */
void
gander_set_cancelled_error (GError     **error,
                            const char  *format,
                            ...)
{
  va_list args;
  g_autofree char *message = NULL;

  if (error == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, message);
}

/*
 * gander_error_is_cancelled:
 * @error: (nullable): an error
 *
 * Returns: whether @error means the operation was cancelled
 * (%G_IO_ERROR_CANCELLED, or the older %GANDER_ERROR_CANCELLED)
 */
gboolean
gander_error_is_cancelled (const GError *error)
{
  return error != NULL &&
         (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, GANDER_ERROR, GANDER_ERROR_CANCELLED));
}
