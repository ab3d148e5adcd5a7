/* example.vala: apply goose migrations to a SQLite file with libgander
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   gander-vala-example DATABASE MIGRATIONS_DIR
 *
 * Runs `up` asynchronously, prints progress from the migrator's signals and
 * its `fraction` property, then `status` as a table. Built and run by the
 * Python test suite, so that gander-1.vapi is checked against the library.
 */

async int run (string database, string directory) {
    Gander.Source source;
    try {
        source = new Gander.Source.for_uri (directory, Gander.SourceFlags.NONE);
    } catch (Error e) {
        stderr.printf ("example: %s\n", e.message);
        return 1;
    }

    var migrator = new Gander.Migrator (new Gander.SqliteDatabase (database), source);
    /* delivered in this thread's main context, not in the worker */
    var started = migrator.migration_started.connect ((migration, direction) => {
        stdout.printf ("applying %s\n", migration.name);
    });
    var progress = migrator.notify["fraction"].connect (() => {
        stdout.printf ("%3.0f%%\n", migrator.fraction * 100);
    });

    try {
        var results = yield migrator.up_async (null);
        stdout.printf ("applied %u migration(s); database is at version %lld\n",
                       results.length, migrator.current_version);
    } catch (Gander.Error.MISSING_MIGRATIONS e) {
        stderr.printf ("example: %s\n(set allow-missing to apply them)\n", e.message);
        return 1;
    } catch (Error e) {
        stderr.printf ("example: %s\n", e.message);
        return 1;
    } finally {
        migrator.disconnect (started);
        migrator.disconnect (progress);
    }

    try {
        stdout.printf ("\n%-8s %-40s %-10s %s\n", "VERSION", "MIGRATION", "STATE", "APPLIED AT (UTC)");
        foreach (var s in migrator.status ()) {
            /* a GLib.DateTime in UTC, null when pending */
            unowned DateTime? at = s.get_applied_at ();
            stdout.printf ("%-8lld %-40s %-10s %s\n", s.version, s.name, s.state.to_string (),
                           at != null ? at.format ("%Y-%m-%d %H:%M:%S") : "-");
        }
        /* both answer with their value; failures are thrown */
        int64 version = migrator.get_db_version ();
        bool pending = yield migrator.has_pending_async (null);
        stdout.printf ("version %lld, pending: %s\n", version, pending ? "yes" : "no");
    } catch (Error e) {
        stderr.printf ("example: %s\n", e.message);
        return 1;
    }
    return 0;
}

int main (string[] args) {
    if (args.length != 3) {
        stderr.printf ("usage: %s DATABASE MIGRATIONS_DIR\n", args[0]);
        return 2;
    }
    var loop = new MainLoop ();
    int status = 1;
    run.begin (args[1], args[2], (obj, res) => {
        status = run.end (res);
        loop.quit ();
    });
    loop.run ();
    return status;
}
