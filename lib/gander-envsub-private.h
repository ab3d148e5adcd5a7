/* gander-envsub-private.h: goose's ENVSUB expansion and the Go string
 * rules the goose parser depends on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* bufio.Scanner's limit in goose's parser (scanBufSize). */
#define GANDER_GO_SCAN_BUF_SIZE (4 * 1024 * 1024)

/* The rune utf8.DecodeRune reports for invalid input. */
#define GANDER_GO_RUNE_ERROR 0xFFFD

/**
 * GanderEnvsubLookup:
 * @name: a NUL-terminated variable name
 * @user_data: the data passed to gander_envsub_expand()
 *
 * Looks up one variable, like Go's os.LookupEnv.
 *
 * Returns: (nullable): the value, or %NULL if @name is unset
 */
typedef const char *(*GanderEnvsubLookup) (const char *name,
                                           gpointer    user_data);

gboolean  gander_envsub_expand       (const char          *text,
                                      gsize                len,
                                      GanderEnvsubLookup   lookup,
                                      gpointer             user_data,
                                      GString             *out,
                                      gboolean            *collapsed_dollars,
                                      GError             **error);

gboolean  gander_envsub_expand_full  (const char          *text,
                                      gsize                len,
                                      GanderEnvsubLookup   lookup,
                                      gpointer             user_data,
                                      GString             *out,
                                      gboolean            *collapsed_dollars,
                                      GPtrArray           *unset,
                                      GError             **error);

gint32    gander_go_decode_rune      (const char          *s,
                                      gsize                len,
                                      gsize               *size);
gsize     gander_go_space_width      (const char          *s,
                                      gsize                len);
void      gander_go_trim_space       (const char         **s,
                                      gsize               *len);
void      gander_go_quote_append     (GString             *out,
                                      const char          *s,
                                      gsize                len);
char     *gander_go_quote            (const char          *s,
                                      gsize                len);
gboolean  gander_go_atoi             (const char          *s,
                                      gsize                len,
                                      gint64              *value,
                                      char               **error_text);

G_END_DECLS
