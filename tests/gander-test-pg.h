/* gander-test-pg.h: a temporary PostgreSQL server for the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One server per test program, started on first use and stopped at exit
 * (also when the program is killed: a watchdog process notices and stops
 * it). Nothing starts until one of these functions is called.
 *
 * The server listens on a private Unix socket directory and on
 * 127.0.0.1:<port>. Local (socket) connections are trusted for every role;
 * TCP connections need a password (scram-sha-256), so tests can exercise
 * authentication. Once started, PGHOST, PGPORT, PGUSER=postgres and
 * PGDATABASE=postgres are exported, so libpq with an empty connection
 * string (and psql, and child processes such as the CLI) reach it.
 *
 * Set GANDER_PG_BINDIR to choose the PostgreSQL binaries; otherwise
 * `pg_config --bindir`, then the newest /usr/lib/postgresql/N/bin.
 * As root, initdb and pg_ctl run as the `postgres` user.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether a server can exist here at all: the binaries are installed (and,
 * as root, a postgres user exists). Cheap; starts nothing. */
gboolean     gander_test_pg_available        (void);

/* Why gander_test_pg_available() is FALSE, for g_test_skip(). */
const char  *gander_test_pg_skip_reason      (void);

/* Starts the server (once); FALSE with the reason when it cannot. */
gboolean     gander_test_pg_start            (GError    **error);

/* Creates a fresh, empty database owned by `postgres` and returns a libpq
 * key=value DSN for it (socket connection, superuser). Starts the server
 * on first use.
 * Returns NULL only when PostgreSQL is not installed and $CI is unset: the
 * caller then skips with gander_test_pg_skip_reason(). When the server
 * cannot start, or under CI, it aborts the test program with the reason:
 * a PostgreSQL test must never silently pass. */
char        *gander_test_pg_create_database  (void);

/* The database name in a DSN returned by gander_test_pg_create_database(). */
char        *gander_test_pg_dbname_from_dsn  (const char *dsn);

/* Socket directory and port of the running server (NULL / 0 if none). */
const char  *gander_test_pg_get_socket_dir   (void);
guint        gander_test_pg_get_port         (void);

/* The path of the server's client program @name (pg_dump, psql), from
 * the server's bindir, else PATH; NULL if neither has it. Starts the
 * server on first use. */
char        *gander_test_pg_find_program     (const char *name);
/* Runs @sql with psql as the superuser in @dbname (NULL: "postgres"). */
gboolean     gander_test_pg_exec             (const char *dbname,
                                              const char *sql,
                                              GError    **error);

/* Newer pg_dump brackets its output with \restrict KEY / \unrestrict KEY
 * lines, a random key each time: not part of the database. Drops them
 * from @text (consumed) and returns the rest. */
char        *gander_test_pg_strip_restrict   (char       *text);

/* Stops the server and removes its files. Safe to call more than once;
 * also runs at exit. */
void         gander_test_pg_stop             (void);

G_END_DECLS
