/* gander-test-util.h: helpers shared by the C test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <gander.h>

G_BEGIN_DECLS

/* libsecret's file backend with a keyring file in @dir (no bus, no
 * gnome-keyring): SECRET_BACKEND and its test variables are set */
void gander_test_use_file_keyring (const char *dir);
void         gander_test_rm_rf                (const char *path);

/* Engines: "sqlite3" (a file in @tmpdir) or "postgres" (a fresh database
 * on the suite's temporary server). NULL when the engine is unavailable;
 * then gander_test_engine_skip_reason() says why. */
gboolean     gander_test_engine_wanted        (const char *engine);
char        *gander_test_new_dsn              (const char *engine,
                                               const char *tmpdir);
const char  *gander_test_engine_skip_reason   (const char *engine);

/* Direct access that bypasses libgander, to check what it did. */
void         gander_test_exec                 (const char *engine,
                                               const char *dsn,
                                               const char *sql);
gint64       gander_test_query_int            (const char *engine,
                                               const char *dsn,
                                               const char *sql);
gboolean     gander_test_table_exists         (const char *engine,
                                               const char *dsn,
                                               const char *table);
const char  *gander_test_goose_ddl            (const char *engine);

/* Runs @n copies of the built `gander` CLI (env GANDER_CLI) at once with
 * the same arguments and asserts that every one exits 0. */
void         gander_test_run_cli_concurrently (guint              n,
                                               const char * const *args);

/* Every entry of @dir (not recursive): a file's name and SHA-256, a
 * directory's name with a slash, sorted — so that "nothing written" can be
 * checked byte for byte, journal and lock files included. */
char        *gander_test_snapshot_dir         (const char *dir);

/* The records of an audit log (JSON lines), element-type JsonObject. */
GPtrArray   *gander_test_read_audit           (const char *path);
/* The index of the first record with @event from @start, or -1. */
int          gander_test_find_event           (GPtrArray  *records,
                                               const char *event,
                                               guint       start);

/* Whether a string of @strv contains @needle. */
gboolean     gander_test_strv_find            (const char * const *strv,
                                               const char         *needle);

/* GanderHealth: runs @phase (no error allowed), logging each result with
 * g_test_message(); finds a result by name; asserts one's status and
 * that its message holds @fragment (when not NULL); asserts that every
 * result is ok. */
GPtrArray   *gander_test_health_run           (GanderHealth       *health,
                                               GanderHealthPhase   phase);
GanderHealthResult *gander_test_health_find   (GPtrArray          *results,
                                               const char         *name);
void         gander_test_health_assert        (GPtrArray          *results,
                                               const char         *name,
                                               GanderHealthStatus  status,
                                               const char         *fragment);
void         gander_test_health_assert_all_ok (GPtrArray          *results);

/* Writes @text to @dir/@name (asserting success). */
void         gander_test_write_file           (const char *dir,
                                               const char *name,
                                               const char *text);

/* GanderProfile and GanderManager, asserting success: a key set with
 * origin "test"; a profile @name with driver, dbstring, dir and
 * environment; a manager for it. */
void         gander_test_profile_set          (GanderProfile *profile,
                                               const char    *key,
                                               const char    *value);
GanderProfile *gander_test_new_profile        (const char    *name,
                                               const char    *driver,
                                               const char    *dsn,
                                               const char    *dir,
                                               const char    *environment);
GanderManager *gander_test_new_manager        (GanderProfile *profile);

/* The database at @version, migrated by a plain GanderMigrator (no
 * manager: no backup, no check, no lint). */
void         gander_test_apply_with_migrator  (const char *driver,
                                               const char *dsn,
                                               const char *dir,
                                               gint64      version);

/* Whether a warning of @report contains @needle. */
gboolean     gander_test_report_has_warning   (GanderRunReport *report,
                                               const char      *needle);

/* The value of the manager's metric @name with @labels, -1 when it has
 * none. */
double       gander_test_metric               (GanderManager      *manager,
                                               const char         *name,
                                               const char * const *labels);

/* g_test_run() plus cleanup of servers the suite started. */
int          gander_test_run                  (void);

G_END_DECLS
