/* gander-validation.h: every problem of a set of migrations
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
#include "gander-source.h"

G_BEGIN_DECLS

/**
 * GanderIssueSeverity:
 * @GANDER_ISSUE_SEVERITY_ERROR: goose or Gander would refuse the file, or
 *   run something other than what it says
 * @GANDER_ISSUE_SEVERITY_WARNING: the file runs, but probably not as its
 *   author meant
 *
 * How bad a #GanderValidationIssue is.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_ISSUE_SEVERITY_ERROR,
  GANDER_ISSUE_SEVERITY_WARNING,
} GanderIssueSeverity;

/**
 * GanderIssueKind:
 * @GANDER_ISSUE_KIND_PARSE_ERROR: a section does not parse (error)
 * @GANDER_ISSUE_KIND_READ_ERROR: the file cannot be read (error)
 * @GANDER_ISSUE_KIND_INVALID_FILENAME: a `.sql` or `.go` name without a
 *   version, under %GANDER_SOURCE_FLAGS_STRICT (error)
 * @GANDER_ISSUE_KIND_DUPLICATE_VERSION: two files carry one version (error)
 * @GANDER_ISSUE_KIND_NOT_REGULAR_FILE: a directory, FIFO, socket or device
 *   named like a migration (error)
 * @GANDER_ISSUE_KIND_UNSUPPORTED_GO: a Go migration, which Gander cannot
 *   run (warning)
 * @GANDER_ISSUE_KIND_GOOSE_QUIRK: goose reads the file differently from
 *   how it looks (warning; the parser's warnings)
 * @GANDER_ISSUE_KIND_MISSING_DOWN: no `-- +goose Down` section, so `down`
 *   cannot undo the migration (warning)
 * @GANDER_ISSUE_KIND_ENVSUB_UNSET: an `-- +goose ENVSUB ON` region uses a
 *   variable that is not set and expands to nothing (warning)
 *
 * What a #GanderValidationIssue is about. The nicks of this enumeration
 * (`parse-error`, `duplicate-version`, …) are stable names for scripts.
 *
 * Since: 0.2
 */
typedef enum {
  GANDER_ISSUE_KIND_PARSE_ERROR,
  GANDER_ISSUE_KIND_READ_ERROR,
  GANDER_ISSUE_KIND_INVALID_FILENAME,
  GANDER_ISSUE_KIND_DUPLICATE_VERSION,
  GANDER_ISSUE_KIND_NOT_REGULAR_FILE,
  GANDER_ISSUE_KIND_UNSUPPORTED_GO,
  GANDER_ISSUE_KIND_GOOSE_QUIRK,
  GANDER_ISSUE_KIND_MISSING_DOWN,
  GANDER_ISSUE_KIND_ENVSUB_UNSET,
} GanderIssueKind;

/**
 * GanderValidateFlags:
 * @GANDER_VALIDATE_FLAGS_NONE: report errors and warnings
 * @GANDER_VALIDATE_FLAGS_ERRORS_ONLY: leave the warnings out
 *
 * What gander_source_validate() reports.
 *
 * Since: 0.2
 */
typedef enum /*< flags >*/ {
  GANDER_VALIDATE_FLAGS_NONE        = 0,
  GANDER_VALIDATE_FLAGS_ERRORS_ONLY = 1 << 0,
} GanderValidateFlags;

#define GANDER_TYPE_VALIDATION_ISSUE (gander_validation_issue_get_type ())

GANDER_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (GanderValidationIssue, gander_validation_issue,
                      GANDER, VALIDATION_ISSUE, GObject)

GANDER_AVAILABLE_IN_0_2
GanderIssueSeverity gander_validation_issue_get_severity      (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
GanderIssueKind     gander_validation_issue_get_kind          (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_validation_issue_get_path          (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
guint               gander_validation_issue_get_line          (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
gint64              gander_validation_issue_get_version       (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
gboolean            gander_validation_issue_get_has_direction (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
GanderDirection     gander_validation_issue_get_direction     (GanderValidationIssue *self);
GANDER_AVAILABLE_IN_0_2
const char         *gander_validation_issue_get_message       (GanderValidationIssue *self);

GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_source_validate        (GanderSource         *self,
                                                   GanderValidateFlags   flags,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
GANDER_AVAILABLE_IN_0_2
void                gander_source_validate_async  (GanderSource         *self,
                                                   GanderValidateFlags   flags,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GANDER_AVAILABLE_IN_0_2
GPtrArray          *gander_source_validate_finish (GanderSource         *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
