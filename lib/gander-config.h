/* gander-config.h: Gander's configuration files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"
#include "gander-profile.h"

G_BEGIN_DECLS

#define GANDER_TYPE_CONFIG (gander_config_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderConfig, gander_config, GANDER, CONFIG, GObject)

GANDER_AVAILABLE_IN_0_2
GanderConfig        *gander_config_new                (void);
GANDER_AVAILABLE_IN_0_2
gboolean             gander_config_load_standard      (GanderConfig  *self,
                                                       GError       **error);
GANDER_AVAILABLE_IN_0_2
gboolean             gander_config_load_file          (GanderConfig  *self,
                                                       const char    *path,
                                                       GError       **error);
GANDER_AVAILABLE_IN_0_2
const char * const  *gander_config_get_files          (GanderConfig  *self);
GANDER_AVAILABLE_IN_0_2
char               **gander_config_list_profiles      (GanderConfig  *self);
GANDER_AVAILABLE_IN_0_2
char               **gander_config_list_environments  (GanderConfig  *self);
GANDER_AVAILABLE_IN_0_2
GanderProfile       *gander_config_resolve            (GanderConfig  *self,
                                                       const char    *profile_name,
                                                       const char    *environment,
                                                       GError       **error);

G_END_DECLS
