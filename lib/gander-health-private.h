/* gander-health-private.h: what GanderHealth shares with its engine files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-database.h"
#include "gander-health.h"
#include "gander-health-result.h"
#include "gander-plan.h"
#include "gander-source.h"

G_BEGIN_DECLS

GanderHealthResult *gander_health_result_new (const char         *name,
                                              GanderHealthPhase   phase,
                                              GanderHealthStatus  status,
                                              const char         *message,
                                              GTimeSpan           duration);

/* One run of the checks: the settings copied from the GanderHealth when
 * the run started (so an async run never reads the object from its
 * thread), and what earlier checks learnt. */
typedef struct
{
  GanderDatabase  *database;
  GanderSource    *source;
  gboolean         allow_missing;
  GanderPlan      *plan;              /* nullable */
  gint64           target_version;    /* -1: from the plan, or not checked */
  double           free_space_factor;
  char            *backup_directory;  /* nullable */
  gboolean         integrity;
  GTimeSpan        lock_age_threshold;
  GCancellable    *cancellable;

  /* SQLite: the database file (NULL in memory), and whether it does not
   * exist yet: then nothing opens it (opening would create it). */
  char            *sqlite_path;
  gboolean         absent;

  /* The version and side tables, read once per run by the first check
   * that needs them (a GanderDbState, see gander-planner-private.h). */
  gpointer         db_state;
} GanderHealthContext;

/* What a check found. */
typedef struct
{
  GanderHealthStatus  status;
  char               *message;
} GanderHealthOutcome;

/* A check: fills @out and returns TRUE, or returns FALSE with @error only
 * when it was cancelled. Whatever else goes wrong is the outcome. */
typedef gboolean (*GanderHealthCheckFunc) (GanderHealthContext  *ctx,
                                           GanderHealthOutcome  *out,
                                           GError              **error);

/* One query of the `post-check-sql` list: zero rows is ok, a row fails
 * with its first column in the message. */
typedef gboolean (*GanderHealthQueryFunc) (GanderHealthContext  *ctx,
                                           const char           *sql,
                                           GanderHealthOutcome  *out,
                                           GError              **error);

/* The engine-specific checks; NULL where a check does not apply (it is
 * then not run and not reported). */
typedef struct
{
  GanderHealthCheckFunc connectivity;
  GanderHealthCheckFunc writable;
  GanderHealthCheckFunc privileges;
  GanderHealthCheckFunc disk_space;
  GanderHealthCheckFunc blocking_locks;
  GanderHealthCheckFunc integrity;
  GanderHealthCheckFunc foreign_keys;
  GanderHealthCheckFunc invalid_indexes;
  GanderHealthCheckFunc not_valid_constraints;
  GanderHealthQueryFunc post_check;
} GanderHealthEngine;

extern const GanderHealthEngine gander_health_sqlite_engine;
extern const GanderHealthEngine gander_health_postgres_engine;

/* Helpers for the engine files (gander-health.c). */
void     gander_health_outcome_set    (GanderHealthOutcome *out,
                                       GanderHealthStatus   status,
                                       const char          *format,
                                       ...) G_GNUC_PRINTF (3, 4);
/* The free space of the file system holding @path, or of its nearest
 * existing parent (a backup directory not made yet). FALSE with a
 * message in @why when it cannot be read. */
gboolean gander_health_free_space     (const char          *path,
                                       guint64             *free_bytes,
                                       char               **checked_path,
                                       char               **why);
/* @factor × @size in bytes, saturating (a huge factor must not wrap). */
static inline guint64
gander_health_needed_bytes (double  factor,
                            guint64 size)
{
  double wanted = factor * (double) size;

  return wanted >= 18446744073709551615.0 ? G_MAXUINT64 : (guint64) wanted;
}

/* Every identifier of the plan's statements, folded to lower case
 * (PostgreSQL folds unquoted names; quoted ones are kept as written),
 * both alone and, for a qualified name, as `schema.name`. NULL when there
 * is no plan. */
GHashTable *gander_health_plan_identifiers (GanderPlan *plan);

/* For the manager's pipeline: a run's allow-missing (run options, the
 * profile), on top of the migrator's own. */
void gander_health_set_allow_missing (GanderHealth *self,
                                      gboolean      allow_missing);

G_END_DECLS
