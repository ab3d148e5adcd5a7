/* gander-sql-parser-private.h: pieces of the goose parser, for tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-sql-parser.h"

G_BEGIN_DECLS

typedef enum {
  GANDER_ANNOTATION_UP,
  GANDER_ANNOTATION_DOWN,
  GANDER_ANNOTATION_STATEMENT_BEGIN,
  GANDER_ANNOTATION_STATEMENT_END,
  GANDER_ANNOTATION_NO_TRANSACTION,
  GANDER_ANNOTATION_ENVSUB_ON,
  GANDER_ANNOTATION_ENVSUB_OFF,
} GanderAnnotation;

gboolean  gander_sql_ends_with_semicolon   (const char        *line,
                                            gsize              len);
gboolean  gander_sql_extract_annotation    (const char        *line,
                                            gsize              len,
                                            GanderAnnotation  *annotation,
                                            char             **error_text);
void      gander_sql_parse_both            (GBytes            *contents,
                                            const char        *filename,
                                            GanderParsedSql  **up,
                                            GError           **up_error,
                                            GanderParsedSql  **down,
                                            GError           **down_error);

guint     gander_parsed_sql_get_warning_line    (GanderParsedSql  *parsed,
                                                guint             index);
gboolean  gander_parsed_sql_has_down_annotation (GanderParsedSql  *parsed);
const char * const *
          gander_parsed_sql_peek_statements     (GanderParsedSql  *parsed);
const char * const *
          gander_parsed_sql_get_unset_variables (GanderParsedSql  *parsed,
                                                 GArray          **lines);

G_END_DECLS
