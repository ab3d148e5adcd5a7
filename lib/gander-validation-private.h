/* gander-validation-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-validation.h"

G_BEGIN_DECLS

GanderValidationIssue *gander_validation_issue_new (GanderIssueSeverity  severity,
                                                    GanderIssueKind      kind,
                                                    const char          *path,
                                                    guint                line,
                                                    gint64               version,
                                                    gboolean             has_direction,
                                                    GanderDirection      direction,
                                                    const char          *message);

G_END_DECLS
