/* gander-sql-parser.h: goose annotations and statement splitting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib-object.h>
#include "gander-version-macros.h"
#include "gander-enums.h"

G_BEGIN_DECLS

#define GANDER_TYPE_PARSED_SQL (gander_parsed_sql_get_type ())

/**
 * GanderParsedSql:
 *
 * One direction of one migration file, split into statements exactly as
 * goose v3.27.3 splits it. Immutable and reference counted.
 *
 * Since: 0.1
 */
typedef struct _GanderParsedSql GanderParsedSql;

GANDER_AVAILABLE_IN_ALL
GType             gander_parsed_sql_get_type            (void) G_GNUC_CONST;

GANDER_AVAILABLE_IN_ALL
GanderParsedSql  *gander_sql_parse                      (GBytes          *contents,
                                                         GanderDirection  direction,
                                                         const char      *filename,
                                                         GError         **error);
GANDER_AVAILABLE_IN_ALL
GanderParsedSql  *gander_parsed_sql_ref                 (GanderParsedSql *parsed);
GANDER_AVAILABLE_IN_ALL
void              gander_parsed_sql_unref               (GanderParsedSql *parsed);
GANDER_AVAILABLE_IN_ALL
GanderDirection   gander_parsed_sql_get_direction       (GanderParsedSql *parsed);
GANDER_AVAILABLE_IN_ALL
gboolean          gander_parsed_sql_get_use_transaction (GanderParsedSql *parsed);
GANDER_AVAILABLE_IN_ALL
guint             gander_parsed_sql_get_n_statements    (GanderParsedSql *parsed);
GANDER_AVAILABLE_IN_ALL
const char       *gander_parsed_sql_get_statement       (GanderParsedSql *parsed,
                                                         guint            index);
GANDER_AVAILABLE_IN_ALL
guint             gander_parsed_sql_get_statement_line  (GanderParsedSql *parsed,
                                                         guint            index);
GANDER_AVAILABLE_IN_ALL
const char * const *gander_parsed_sql_get_warnings      (GanderParsedSql *parsed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GanderParsedSql, gander_parsed_sql_unref)

G_END_DECLS
