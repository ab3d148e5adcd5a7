/* gander-audit-private.h: test hooks of GanderAudit
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-audit.h"

G_BEGIN_DECLS

/* Replaces the journal writer (g_log_writer_journald()) that mirrors each
 * record, so tests can see the fields without a journal; NULL turns the
 * mirror off. */
void             gander_audit_set_journal_writer   (GanderAudit    *self,
                                                    GLogWriterFunc  writer,
                                                    gpointer        user_data);

G_END_DECLS
