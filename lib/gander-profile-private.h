/* gander-profile-private.h: layers and checks shared with GanderConfig
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gander-profile.h"

G_BEGIN_DECLS

/* Where a value comes from, lowest precedence first. A value at a higher
 * layer hides the ones below it; each layer keeps its own value so that a
 * change of environment can replace GANDER_LAYER_ENVIRONMENT alone. */
typedef enum {
  GANDER_LAYER_BUILTIN,
  GANDER_LAYER_GLOBAL,        /* a file's [gander] group */
  GANDER_LAYER_ENVIRONMENT,   /* built-in [environment E], then the files' */
  GANDER_LAYER_PROFILE,       /* a file's [profile P] group */
  GANDER_LAYER_ENVIRON,       /* GOOSE_* and GANDER_* variables */
  GANDER_LAYER_EXPLICIT,      /* gander_profile_set(): flags, callers */
  GANDER_N_LAYERS
} GanderLayer;

gboolean gander_profile_set_at_layer        (GanderProfile  *self,
                                             GanderLayer     layer,
                                             const char     *key,
                                             const char     *value,
                                             const char     *origin,
                                             GError        **error);
/* A key of a file's [environment NAME] group; it applies (at
 * GANDER_LAYER_ENVIRONMENT, after the built-in defaults of NAME) whenever
 * NAME is the profile's environment. Registers NAME as known. */
gboolean gander_profile_add_environment_value (GanderProfile *self,
                                               const char    *environment,
                                               const char    *key,
                                               const char    *value,
                                               const char    *origin,
                                               GError       **error);
void     gander_profile_add_environment_name (GanderProfile  *self,
                                              const char     *environment);

/* Checks VALUE for KEY as it would be at LAYER, without storing it; the
 * error names ORIGIN and KEY. */
gboolean gander_profile_check_value         (const char     *key,
                                             const char     *value,
                                             GanderLayer     layer,
                                             const char     *origin,
                                             GError        **error);
gboolean gander_profile_is_known_key        (const char     *key);
const char * const *gander_profile_builtin_environments (void);

/* The candidate closest to WORD (edit distance), or NULL when none is
 * close enough to be a plausible typo. */
const char *gander_nearest_word             (const char          *word,
                                             const char * const  *candidates);

/* The name of a database from its driver (`sqlite3`, `postgres`…) and
 * connection string: the SQLite file's base name, the PostgreSQL dbname;
 * NULL when there is none (in memory, no dbname). Never the password. */
char       *gander_dsn_database_name        (const char          *driver,
                                             const char          *dsn);
/* The default backup directory's name of an ad-hoc database (no
 * profile): NAME-HASH, NAME its gander_dsn_database_name() and HASH the
 * first 8 hex digits of the SHA-256 of its identity (SQLite: the file's
 * absolute path; PostgreSQL: host:port/dbname as the DSN gives them), so
 * /srv/a/app.db and /srv/b/app.db keep their backups apart. NULL when
 * the database has no name. Never the password. */
char       *gander_dsn_backup_directory_name (const char          *driver,
                                              const char          *dsn);

/* Whether a connection string holds a password (a URI's user info or
 * query, or libpq's password= keyword). */
gboolean    gander_dsn_has_password         (const char          *dsn);

G_END_DECLS
