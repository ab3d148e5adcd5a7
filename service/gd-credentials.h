/* gd-credentials.h: where the daemon keeps and finds database passwords
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "creds".
 *
 * Session bus: the user's keyring through libgander's
 * gander_credentials_*() (libsecret, schema org.gander.Migrator1.Password).
 * System bus: the profile's `password-source` chain — none,
 * credential:NAME ($CREDENTIALS_DIRECTORY/NAME), store
 * (STATE_DIR/credentials/PROFILE, dir 0700, file 0600, written only by
 * SetPassword), file:PATH (refused unless 0600 and owned by the daemon's
 * user). All blocking work runs in a worker thread (GTask). A password is
 * never logged or put in an error message.
 */
#pragma once

#include <gio/gio.h>
#include "gd-types.h"

G_BEGIN_DECLS

#define GD_TYPE_CREDENTIALS (gd_credentials_get_type ())
G_DECLARE_FINAL_TYPE (GdCredentials, gd_credentials, GD, CREDENTIALS, GObject)

/* @state_dir: the daemon's state directory (/var/lib/gander on the system
 * bus; $XDG_STATE_HOME/gander on the session bus). */
GdCredentials *gd_credentials_new           (GdBusKind       kind,
                                             const char     *state_dir);

/* gander_credentials_read_secret_fd() naming "the file descriptor": at
 * most 4096 bytes, one trailing "\n" (or "\r\n") dropped; empty or longer
 * → GANDER_ERROR_INVALID_ARGUMENT. Returns memory to be freed with
 * gd_credentials_free_secret() (gander_credentials_free_secret()). */
char          *gd_credentials_read_fd       (int             fd,
                                             GError        **error);
void           gd_credentials_free_secret   (char           *secret);

/* Finds @profile's password. Returns NULL with no error when the profile
 * has none (password-source=none, nothing stored). */
void           gd_credentials_lookup_async  (GdCredentials  *self,
                                             GanderProfile  *profile,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
char          *gd_credentials_lookup_finish (GdCredentials  *self,
                                             GAsyncResult   *result,
                                             GError        **error);

/* Stores / forgets @profile's password in the writable store (keyring on
 * the session bus, `store` on the system bus). */
void           gd_credentials_store_async   (GdCredentials  *self,
                                             GanderProfile  *profile,
                                             const char     *password,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
gboolean       gd_credentials_store_finish  (GdCredentials  *self,
                                             GAsyncResult   *result,
                                             GError        **error);
void           gd_credentials_clear_async   (GdCredentials  *self,
                                             GanderProfile  *profile,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
gboolean       gd_credentials_clear_finish  (GdCredentials  *self,
                                             GAsyncResult   *result,
                                             GError        **error);

G_END_DECLS
