/* gander-linter.h: dangerous and failing DDL, found before it runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <gio/gio.h>
#include "gander-version-macros.h"
#include "gander-enums.h"
#include "gander-migration.h"
#include "gander-profile.h"
#include "gander-migrator.h"
#include "gander-source.h"

G_BEGIN_DECLS

/**
 * GanderLintSeverity:
 * @GANDER_LINT_SEVERITY_OFF: the rule is not checked
 * @GANDER_LINT_SEVERITY_WARNING: reported; a reviewer should look
 * @GANDER_LINT_SEVERITY_ERROR: reported; `gander lint` exits 1
 *
 * How much a #GanderLintFinding matters. The nicks (`off`, `warning`,
 * `error`) are what `--json` prints.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_LINT_SEVERITY_OFF,
  GANDER_LINT_SEVERITY_WARNING,
  GANDER_LINT_SEVERITY_ERROR,
} GanderLintSeverity;

/**
 * GanderLintDialect:
 * @GANDER_LINT_DIALECT_POSTGRES: PostgreSQL, parsed with libpg_query
 * @GANDER_LINT_DIALECT_SQLITE3: SQLite, compiled by SQLite itself against
 *   a scratch in-memory database
 *
 * Which database engine's rules a #GanderLinter applies. The nicks
 * (`postgres`, `sqlite3`) are goose's driver names.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_LINT_DIALECT_POSTGRES,
  GANDER_LINT_DIALECT_SQLITE3,
} GanderLintDialect;

#define GANDER_TYPE_LINT_FINDING (gander_lint_finding_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderLintFinding, gander_lint_finding, GANDER, LINT_FINDING, GObject)

GANDER_AVAILABLE_IN_0_2
const char         *gander_lint_finding_get_rule               (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
GanderLintSeverity  gander_lint_finding_get_severity           (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_lint_finding_get_file               (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
guint               gander_lint_finding_get_line               (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
GanderDirection     gander_lint_finding_get_direction          (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
guint               gander_lint_finding_get_statement_index    (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_lint_finding_get_message            (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_lint_finding_get_suggestion         (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_lint_finding_get_suppressed         (GanderLintFinding *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_lint_finding_get_suppression_reason (GanderLintFinding *self);

#define GANDER_TYPE_LINTER (gander_linter_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderLinter, gander_linter, GANDER, LINTER, GObject)

GANDER_AVAILABLE_IN_0_2
GanderLinter       *gander_linter_new                   (GanderLintDialect   dialect);
GANDER_AVAILABLE_IN_0_2
GanderLintDialect   gander_linter_get_dialect           (GanderLinter       *self);
GANDER_AVAILABLE_IN_0_2
void                gander_linter_set_dialect           (GanderLinter       *self,
                                                         GanderLintDialect   dialect);
GANDER_AVAILABLE_IN_0_2
guint               gander_linter_get_server_version    (GanderLinter       *self);
GANDER_AVAILABLE_IN_0_2
void                gander_linter_set_server_version    (GanderLinter       *self,
                                                         guint               server_version);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_linter_set_rule_severity     (GanderLinter       *self,
                                                         const char         *rule,
                                                         GanderLintSeverity  severity,
                                                         GError            **error);
GANDER_AVAILABLE_IN_0_2
GanderLintSeverity  gander_linter_get_rule_severity     (GanderLinter       *self,
                                                         const char         *rule);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_linter_disable_rule          (GanderLinter       *self,
                                                         const char         *rule,
                                                         GError            **error);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_linter_apply_profile         (GanderLinter       *self,
                                                         GanderProfile      *profile,
                                                         GError            **error);
GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_linter_lint_migration        (GanderLinter       *self,
                                                         GanderMigration    *migration,
                                                         GError            **error);
GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_linter_lint_source           (GanderLinter       *self,
                                                         GanderSource       *source,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_linter_lint_pending          (GanderLinter       *self,
                                                         GanderMigrator     *migrator,
                                                         guint              *n_applied,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_linter_lint_file             (GanderLinter       *self,
                                                         GFile              *file,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

GANDER_AVAILABLE_IN_0_2
gboolean            gander_lint_dialect_is_available    (GanderLintDialect   dialect);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_lint_dialect_from_string     (const char         *name,
                                                         GanderLintDialect  *dialect);
GANDER_AVAILABLE_IN_0_2
const char * const *gander_lint_list_rules              (void);
GANDER_AVAILABLE_IN_0_2
GanderLintSeverity  gander_lint_rule_get_default_severity (const char       *rule);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_lint_rule_applies_to         (const char         *rule,
                                                         GanderLintDialect   dialect);

G_END_DECLS
