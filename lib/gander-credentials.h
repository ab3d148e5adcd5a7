/* gander-credentials.h: database passwords in the user's keyring
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-profile.h"

G_BEGIN_DECLS

/**
 * GANDER_SECRET_MAX:
 *
 * The longest password gander_credentials_read_secret_fd() accepts, in
 * bytes.
 *
 * Since: 0.2
 */
#define GANDER_SECRET_MAX 4096

GANDER_AVAILABLE_IN_0_2
gboolean  gander_credentials_is_supported (void);

GANDER_AVAILABLE_IN_0_2
gboolean  gander_credentials_store        (GanderProfile        *profile,
                                           const char           *password,
                                           GCancellable         *cancellable,
                                           GError              **error);
GANDER_AVAILABLE_IN_0_2
void      gander_credentials_store_async  (GanderProfile        *profile,
                                           const char           *password,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
gboolean  gander_credentials_store_finish (GAsyncResult         *result,
                                           GError              **error);

GANDER_AVAILABLE_IN_0_2
char     *gander_credentials_lookup       (GanderProfile        *profile,
                                           GCancellable         *cancellable,
                                           GError              **error);
GANDER_AVAILABLE_IN_0_2
void      gander_credentials_lookup_async (GanderProfile        *profile,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
char     *gander_credentials_lookup_finish (GAsyncResult        *result,
                                            GError             **error);

GANDER_AVAILABLE_IN_0_2
gboolean  gander_credentials_clear        (GanderProfile        *profile,
                                           GCancellable         *cancellable,
                                           GError              **error);
GANDER_AVAILABLE_IN_0_2
void      gander_credentials_clear_async  (GanderProfile        *profile,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
gboolean  gander_credentials_clear_finish (GAsyncResult         *result,
                                           GError              **error);

GANDER_AVAILABLE_IN_0_2
char     *gander_credentials_resolve      (GanderProfile        *profile,
                                           GCancellable         *cancellable,
                                           GError              **error);

GANDER_AVAILABLE_IN_0_2
char     *gander_credentials_read_secret_fd (int                  fd,
                                             const char          *what,
                                             GError             **error);
GANDER_AVAILABLE_IN_0_2
void      gander_credentials_free_secret  (char                 *secret);

G_END_DECLS
