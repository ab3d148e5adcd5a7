/* gander-planner-private.h: what an operation would do, from the database
 * state, the source and the options; no connection, no signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-database.h"
#include "gander-plan.h"
#include "gander-source.h"

G_BEGIN_DECLS

/* What the database says, read once per operation. */
typedef struct
{
  GArray     *rows;       /* GanderVersionRow, id DESC */
  GArray     *side_rows;  /* GanderSideRow */
  GHashTable *applied;    /* version → GanderVersionRow* (newest row) */
  GHashTable *side;       /* version → GanderSideRow* */
  gint64      max_version;
  gboolean    table_exists;
} GanderDbState;

/* The settings planning depends on. */
typedef struct
{
  gboolean    allow_missing;
  gboolean    no_versioning;
  /* up-to/down-to a version nobody knows is an error, not a bound */
  gboolean    strict_targets;
  /* for the advice on a dirty database */
  const char *side_table;
} GanderPlanOptions;

/* Takes @rows (newest first) and @side_rows (either may be NULL: empty)
 * and indexes them. Planning only reads what this builds, so tests can
 * make a state by hand. */
void      gander_db_state_init        (GanderDbState  *state,
                                       gboolean        table_exists,
                                       GArray         *rows,
                                       GArray         *side_rows);
/* Reads the version and side tables (two queries). */
gboolean  gander_db_state_load        (GanderDbState  *state,
                                       GanderDatabase *database,
                                       GError        **error);
gboolean  gander_db_state_load_full   (GanderDbState  *state,
                                       GanderDatabase *database,
                                       gboolean        with_side_rows,
                                       GError        **error);
void      gander_db_state_clear       (GanderDbState  *state);
gboolean  gander_db_state_is_applied  (GanderDbState  *state,
                                       gint64          version);
/* The highest version still marked applied (after forget). */
gint64    gander_db_state_max_applied (GanderDbState  *state);
/* Drops @version from the applied set, after it was rolled back. */
void      gander_db_state_forget      (GanderDbState  *state,
                                       gint64          version);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GanderDbState, gander_db_state_clear)

/* A non-transactional migration that never finished leaves its marker in
 * the side table (@side_table names it in the advice). */
gboolean   gander_planner_check_not_dirty     (GanderDbState            *state,
                                               const char               *side_table,
                                               GError                  **error);
/* @version is a version of a file of @source or a recorded one. */
gboolean   gander_planner_check_known_version (GanderDbState            *state,
                                               GanderSource             *source,
                                               gint64                    version,
                                               GError                  **error);
/* goose's UpVersions: missing (if allowed) and new migrations up to
 * @target, ascending; GanderMigration*. */
GPtrArray *gander_planner_plan_up             (GanderDbState            *state,
                                               GanderSource             *source,
                                               const GanderPlanOptions  *options,
                                               gint64                    target,
                                               GError                  **error);
/* The applied versions to roll back to reach @target, newest first, at most
 * @limit of them. */
GPtrArray *gander_planner_plan_down           (GanderDbState            *state,
                                               GanderSource             *source,
                                               const GanderPlanOptions  *options,
                                               gint64                    target,
                                               guint                     limit,
                                               GError                  **error);
/* The whole plan of @operation: checks, steps with their parsed running
 * section (a malformed one stops the plan, the other direction's is a
 * warning), missing versions, warnings. Never fails: what stops the plan
 * is its error (gander_plan_check()). @target as given to the operation
 * (already validated). */
GanderPlan *gander_planner_build              (GanderDbState            *state,
                                               GanderSource             *source,
                                               const GanderPlanOptions  *options,
                                               GanderPlanOperation       operation,
                                               gint64                    target);

G_END_DECLS
