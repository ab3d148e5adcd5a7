/* gd-variant.h: libgander's result objects as D-Bus dictionaries (aa{sv})
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Owner: helper "daemon".
 *
 * Each function builds exactly the dictionaries that
 * data/org.gander.Migrator1.xml documents for its method; keys are
 * lower-case and dash-separated, times and durations microseconds.
 * Every returned GVariant is floating.
 */
#pragma once

#include <gander.h>

G_BEGIN_DECLS

/* Status and StatusColumns: see gd-status.h */
/* Plan: the plan's steps */
GVariant *gd_variant_new_plan         (GanderPlan   *plan);
/* Health: @results of GanderHealthResult */
GVariant *gd_variant_new_health       (GPtrArray    *results);
/* ListBackups: @backups of GanderBackupInfo, newest first */
GVariant *gd_variant_new_backups      (GPtrArray    *backups);

/* Validate: one finding each; add them to a builder of type aa{sv} */
void      gd_variant_add_issue        (GVariantBuilder        *builder,
                                       GanderValidationIssue  *issue);
void      gd_variant_add_lint_finding (GVariantBuilder        *builder,
                                       GanderLintFinding      *finding);
void      gd_variant_add_finding      (GVariantBuilder        *builder,
                                       const char             *severity,
                                       const char             *rule,
                                       const char             *message,
                                       const char             *source,
                                       guint                   line,
                                       gint64                  version,
                                       const char             *suggestion);

/* µs since the epoch, 0 for NULL */
gint64    gd_variant_time             (GDateTime    *time);

/* Parses an operation nick of Plan ("up", "up-by-one", "up-to", "down",
 * "down-to", "redo", "reset"); FALSE for anything else. */
gboolean  gd_plan_operation_from_nick (const char          *nick,
                                       GanderPlanOperation *operation);

G_END_DECLS
