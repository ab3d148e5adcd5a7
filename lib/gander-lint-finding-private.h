/* gander-lint-finding-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-linter.h"

G_BEGIN_DECLS

GanderLintFinding *gander_lint_finding_new (const char         *rule,
                                            GanderLintSeverity  severity,
                                            const char         *file,
                                            guint               line,
                                            GanderDirection     direction,
                                            guint               statement_index,
                                            const char         *message,
                                            const char         *suggestion,
                                            gboolean            suppressed,
                                            const char         *suppression_reason);

G_END_DECLS
