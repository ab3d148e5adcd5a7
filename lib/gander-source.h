/* gander-source.h: the set of migrations in a directory or GResource
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-migration.h"

G_BEGIN_DECLS

#define GANDER_TYPE_SOURCE (gander_source_get_type ())

GANDER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GanderSource, gander_source, GANDER, SOURCE, GObject)

/**
 * GanderSourceFlags:
 * @GANDER_SOURCE_FLAGS_NONE: goose's Provider behaviour: `.sql` files whose
 *   names carry no version are skipped
 * @GANDER_SOURCE_FLAGS_STRICT: goose's CLI behaviour: every `.sql` file must
 *   carry a valid version
 * @GANDER_SOURCE_FLAGS_ALLOW_EMPTY: an empty directory is not an error
 * @GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS: for validation (since 0.2): what
 *   listing finds wrong (duplicate versions, names without a version under
 *   %GANDER_SOURCE_FLAGS_STRICT, directories or FIFOs named like
 *   migrations, Go migrations) does not fail construction; the offending
 *   entries are left out (of a duplicate version, all but the first file
 *   by path) and gander_source_validate() reports them. Such a source is
 *   meant for validation only: do not run it.
 *
 * How a #GanderSource collects files.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  GANDER_SOURCE_FLAGS_NONE        = 0,
  GANDER_SOURCE_FLAGS_STRICT      = 1 << 0,
  GANDER_SOURCE_FLAGS_ALLOW_EMPTY = 1 << 1,
  GANDER_SOURCE_FLAGS_COLLECT_PROBLEMS = 1 << 2,
} GanderSourceFlags;

GANDER_AVAILABLE_IN_ALL
GanderSource    *gander_source_new_for_file      (GFile              *directory,
                                                  GanderSourceFlags   flags,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
GANDER_AVAILABLE_IN_ALL
GanderSource    *gander_source_new_for_uri       (const char         *uri_or_path,
                                                  GanderSourceFlags   flags,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
GANDER_AVAILABLE_IN_0_2
GanderSource    *gander_source_new_for_path      (const char         *path,
                                                  GanderSourceFlags   flags,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
GANDER_AVAILABLE_IN_ALL
GFile           *gander_source_get_directory     (GanderSource       *self);
GANDER_AVAILABLE_IN_ALL
guint            gander_source_get_n_migrations  (GanderSource       *self);
GANDER_AVAILABLE_IN_ALL
GanderMigration *gander_source_get_migration     (GanderSource       *self,
                                                  guint               index);
GANDER_AVAILABLE_IN_ALL
GPtrArray       *gander_source_get_migrations    (GanderSource       *self);
GANDER_AVAILABLE_IN_ALL
GanderMigration *gander_source_lookup            (GanderSource       *self,
                                                  gint64              version);
GANDER_AVAILABLE_IN_ALL
gint64           gander_source_get_max_version   (GanderSource       *self);

G_END_DECLS
