// example.js: apply goose migrations to a SQLite file with libgander
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
//   gjs -m example.js [--database FILE] [MIGRATIONS_DIR]
//
// Runs `up` asynchronously, draws a progress bar from the migrator's
// signals and its `fraction` property while the worker thread applies the
// migrations, then prints `status` as a table. Ctrl+C cancels the run: the
// migration in progress rolls back, the ones before it stay applied.
//
// From a build tree: meson devenv -C BUILD gjs -m bindings/gjs/example.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gander from 'gi://Gander?version=1.0';
import System from 'system';

Gio._promisify(Gander.Migrator.prototype, 'up_async', 'up_finish');

const HERE = GLib.path_get_dirname(System.programPath);
const stdout = new Gio.DataOutputStream({
    base_stream: new Gio.UnixOutputStream({fd: 1, close_fd: false}),
});

function write(text) {
    stdout.put_string(text, null);
    stdout.flush(null);
}

// One line redrawn in place on a terminal; one line per step otherwise,
// so that logs stay readable.
class ProgressBar {
    static WIDTH = 30;

    constructor() {
        this.tty = isatty();
        this.fraction = 0;
        this.label = '';
        this.drawn = 0;
    }

    update({fraction, label}) {
        const changed = fraction !== undefined && fraction !== this.fraction;
        if (fraction !== undefined)
            this.fraction = fraction;
        if (label !== undefined)
            this.label = label;
        if (!this.tty && !changed)
            return;
        const filled = Math.round(this.fraction * ProgressBar.WIDTH);
        const percent = String(Math.round(this.fraction * 100)).padStart(3);
        const line = `[${'#'.repeat(filled)}${'.'.repeat(ProgressBar.WIDTH - filled)}] ${percent}%  ${this.label}`;
        if (this.tty) {
            write(`\r${line.padEnd(this.drawn)}`);
            this.drawn = line.length;
        } else {
            write(`${line}\n`);
        }
    }

    finish() {
        if (this.tty && this.drawn)
            write('\n');
    }
}

// Whether stdout is a terminal: /proc/self/fd/1 points to a tty device.
function isatty() {
    try {
        const target = GLib.file_read_link('/proc/self/fd/1');
        return target.startsWith('/dev/pts/') || target.startsWith('/dev/tty');
    } catch (e) {
        return false;
    }
}

function printTable(rows, headers) {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)));
    const format = row => row.map((x, i) => String(x).padEnd(widths[i])).join('  ').trimEnd();
    print(format(headers));
    print(widths.map(w => '-'.repeat(w)).join('  '));
    rows.forEach(row => print(format(row)));
}

function printStatus(migrator) {
    const rows = migrator.status(null).map(s => {
        let state = Gander.migration_state_to_string(s.get_state());
        if (s.get_modified())
            state += ' (file changed since)';
        // a GLib.DateTime in UTC, null when pending
        return [s.get_version(), s.get_name(), state, s.get_applied_at()?.format('%Y-%m-%d %H:%M:%S') ?? '-'];
    });
    printTable(rows, ['VERSION', 'MIGRATION', 'STATE', 'APPLIED AT (UTC)']);
}

function parseArgs(argv) {
    const args = {
        database: 'gander-example.db',
        migrations: GLib.canonicalize_filename(`${HERE}/../../migrations`, null),
    };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--database' && i + 1 < argv.length) {
            args.database = argv[++i];
        } else if (argv[i] === '--help' || argv[i] === '-h') {
            print('usage: gjs -m example.js [--database FILE] [MIGRATIONS_DIR]');
            System.exit(0);
        } else if (argv[i].startsWith('-')) {
            printerr(`example: unknown option ${argv[i]}`);
            System.exit(2);
        } else {
            args.migrations = argv[i];
        }
    }
    return args;
}

// Runs up_async() with a progress bar; returns the exit status.
async function applyPending(migrator, args) {
    // Every handler runs in this (the main) thread: libgander delivers
    // signals and notifications in the main context of the caller of
    // up_async(), while the SQL runs in a worker thread.
    const bar = new ProgressBar();
    const handlers = [
        migrator.connect('migration-started', (m, migration) =>
            bar.update({label: `applying ${migration.get_name()}`})),
        migrator.connect('migration-finished', (m, result) =>
            bar.update({
                label: `${result.get_name()} ${result.get_error() ? 'FAILED' : 'done'} ` +
                    `(${(result.get_duration_us() / 1000).toFixed(1)} ms)`,
            })),
        migrator.connect('notify::fraction', m => bar.update({fraction: m.fraction})),
    ];

    const cancellable = new Gio.Cancellable();
    const sigint = GLib.unix_signal_add(GLib.PRIORITY_HIGH, 2 /* SIGINT */, () => {
        cancellable.cancel();
        return GLib.SOURCE_CONTINUE;
    });

    print(`Applying ${args.migrations} to ${args.database}`);
    let status = 0;
    try {
        const results = await migrator.up_async(cancellable);
        bar.finish();
        print(`applied ${results.length} migration(s); database is at version ${migrator.current_version}`);
    } catch (e) {
        bar.finish();
        printerr(`example: ${e.message}`);
        status = 1;
    } finally {
        GLib.source_remove(sigint);
        handlers.forEach(h => migrator.disconnect(h));
    }
    return status;
}

async function main(argv) {
    const args = parseArgs(argv);
    let source;
    try {
        source = Gander.Source.new_for_uri(args.migrations, Gander.SourceFlags.NONE, null);
    } catch (e) {
        printerr(`example: ${e.message}`);
        return 1;
    }
    const migrator = Gander.Migrator.new(Gander.SqliteDatabase.new(args.database), source);

    // Plain values in every language: a boolean and a number; errors throw.
    let pending;
    try {
        // the properties hold the database's state before anything has run
        migrator.refresh(null);
        print(`${args.database}: version ${migrator.current_version}, ` +
            `${migrator.pending_count} file(s) not applied`);
        pending = migrator.has_pending(null);
        if (!pending)
            print(`nothing to apply: database is at version ${migrator.get_db_version(null)}`);
    } catch (e) {
        printerr(`example: ${e.message}`);
        return 1;
    }
    let status = pending ? await applyPending(migrator, args) : 0;
    print('');

    try {
        printStatus(migrator);
    } catch (e) {
        printerr(`example: ${e.message}`);
        status = 1;
    }
    return status;
}

const loop = new GLib.MainLoop(null, false);
let exitStatus = 1;
main(ARGV).then(status => {
    exitStatus = status;
}).catch(e => {
    printerr(`example: ${e}`);
}).finally(() => loop.quit());
loop.run();
System.exit(exitStatus);
