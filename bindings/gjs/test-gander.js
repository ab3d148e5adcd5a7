// test-gander.js: libgander through gjs and the uninstalled typelib
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson (suite "gjs") as `gjs -m test-gander.js`, with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build's lib/
// directory. Prints TAP; exits non-zero when a test fails. Every test works
// on a real SQLite file in a temporary directory, with migrations it writes
// itself, and checks the result with the sqlite3 command-line tool.
//
// gjs refuses to run JavaScript from a thread other than the main one (it
// logs a critical and drops the call), so a signal delivered in the worker
// thread shows up here as a missing call, or as a crash under
// G_DEBUG=fatal-criticals.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gander from 'gi://Gander?version=1.0';
import System from 'system';

for (const name of ['up', 'up_by_one', 'up_to', 'down', 'down_to', 'redo', 'reset',
    'status', 'get_db_version', 'has_pending'])
    Gio._promisify(Gander.Migrator.prototype, `${name}_async`, `${name}_finish`);

const HERE = GLib.path_get_dirname(System.programPath);
const SOURCE_ROOT = GLib.getenv('GANDER_SOURCE_ROOT') ??
    GLib.path_get_dirname(GLib.path_get_dirname(HERE));
const SQLITE3 = GLib.getenv('SQLITE3') ?? 'sqlite3';
const GJS = GLib.getenv('GJS') ?? 'gjs';

// A statement that would run for minutes: only an interrupt ends it.
const ENDLESS_QUERY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 ' +
    'FROM c WHERE x < 4000000000) SELECT count(*) FROM c';

// ------------------------------------------------------------------
// A tiny harness

class AssertionError extends Error {}

function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new AssertionError(message);
}

function assertEqual(actual, expected, message = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new AssertionError(`${message} expected ${e}, got ${a}`);
}

function assertGanderError(error, code) {
    assert(error instanceof GLib.Error, `not a GLib.Error: ${error}`);
    assertEqual(GLib.quark_to_string(error.domain), 'gander-error-quark', 'domain:');
    assertEqual(error.code, code, `code (${error.message}):`);
    assert(error.matches(Gander.Error, code), 'GLib.Error.matches()');
}

// Cancelled operations say G_IO_ERROR_CANCELLED, sync and async alike.
function assertCancelled(error) {
    assert(error instanceof GLib.Error, `not a GLib.Error: ${error}`);
    assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
    `not a cancellation: ${error.message}`);
}

// Kept for the older tests: since 0.2 has_pending() and get_db_version()
// return the value itself (before, gjs saw [true, value] from the
// synchronous form); the 'values:' tests check the bare value.
function outValue(result) {
    return Array.isArray(result) ? result[result.length - 1] : result;
}

async function assertRejects(promise) {
    try {
        await promise;
    } catch (e) {
        return e;
    }
    throw new AssertionError('expected an error');
}

function sleep(ms) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

// ------------------------------------------------------------------
// Fixture

class Fixture {
    constructor() {
        this.tmpdir = GLib.dir_make_tmp('gander-gjs-XXXXXX');
        this.migdir = GLib.build_filenamev([this.tmpdir, 'migrations']);
        GLib.mkdir_with_parents(this.migdir, 0o755);
        this.dbpath = GLib.build_filenamev([this.tmpdir, 'test.db']);
    }

    destroy() {
        GLib.spawn_command_line_sync(`rm -rf ${GLib.shell_quote(this.tmpdir)}`);
    }

    write(name, text) {
        GLib.file_set_contents(GLib.build_filenamev([this.migdir, name]), text);
    }

    // Migration v creates table t<v>: its side effect.
    static stepSql(v, rows = 20000) {
        return `-- +goose Up
CREATE TABLE t${v} (n INTEGER);
INSERT INTO t${v} SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows}) SELECT x FROM c);

-- +goose Down
DROP TABLE t${v};
`;
    }

    writeSteps(n, rows = 20000) {
        for (let v = 1; v <= n; v++)
            this.write(`${String(v).padStart(5, '0')}_step${v}.sql`, Fixture.stepSql(v, rows));
    }

    writeEndless() {
        this.writeSteps(1);
        this.write('00002_endless.sql',
            `-- +goose Up\nCREATE TABLE t2 (n INTEGER);\nINSERT INTO t2 ${ENDLESS_QUERY};\n` +
            '-- +goose Down\nDROP TABLE t2;\n');
        this.write('00003_step3.sql', Fixture.stepSql(3));
    }

    migrator() {
        const db = Gander.SqliteDatabase.new(this.dbpath);
        const source = Gander.Source.new_for_uri(this.migdir, Gander.SourceFlags.NONE, null);
        return Gander.Migrator.new(db, source);
    }

    // Runs SQL with the sqlite3 tool (not libgander) and returns its rows.
    query(sql) {
        if (!GLib.file_test(this.dbpath, GLib.FileTest.EXISTS))
            return [];
        const proc = Gio.Subprocess.new([SQLITE3, '-batch', '-cmd', '.timeout 10000', this.dbpath, sql],
            Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
        const [, out, err] = proc.communicate_utf8(null, null);
        if (!proc.get_successful())
            throw new Error(`sqlite3: ${sql}: ${err}`);
        return out.split('\n').filter(line => line !== '');
    }

    tableExists(name) {
        return this.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${name}'`).length > 0;
    }

    // Each version row (and side-table row) exists iff its table exists,
    // and the applied versions are 1..k. Returns k.
    assertConsistent(n) {
        const rows = this.tableExists('goose_db_version')
            ? this.query('SELECT DISTINCT version_id FROM goose_db_version').map(Number) : [];
        const side = this.tableExists('goose_db_version_gander')
            ? this.query('SELECT version_id FROM goose_db_version_gander').map(Number) : [];
        let applied = 0;
        for (let v = 1; v <= n; v++) {
            const effect = this.tableExists(`t${v}`);
            assertEqual([rows.includes(v), side.includes(v)], [effect, effect],
                `migration ${v}: [version row, side row] vs table t${v}:`);
            if (effect) {
                assertEqual(applied, v - 1, 'applied versions have a gap:');
                applied = v;
            }
        }
        return applied;
    }
}

// Everything a migrator tells about one run.
class Recorder {
    constructor(migrator) {
        this.migrator = migrator;
        this.started = [];
        this.finished = [];
        this.statements = [];
        this.fractions = [];
        this.busy = [];
        this.versions = [];
        this.handlers = [
            migrator.connect('migration-started', (m, migration, direction) =>
                this.started.push([migration.get_version(), direction])),
            migrator.connect('migration-finished', (m, result) => this.finished.push(result)),
            migrator.connect('executing-statement', (m, migration, line, sql) =>
                this.statements.push([migration.get_version(), line, sql])),
            migrator.connect('notify::fraction', m => this.fractions.push(m.fraction)),
            migrator.connect('notify::busy', m => this.busy.push(m.busy)),
            migrator.connect('notify::current-version', m => this.versions.push(m.current_version)),
        ];
    }

    disconnect() {
        this.handlers.forEach(h => this.migrator.disconnect(h));
    }
}

// ------------------------------------------------------------------
// Tests

const tests = [];
function test(name, fn) {
    tests.push([name, fn]);
}

test('sync up, status, down', f => {
    f.writeSteps(3);
    const m = f.migrator();
    const results = m.up(null);
    assertEqual(results.map(r => r.get_version()), [1, 2, 3]);
    assert(results.every(r => r.get_direction() === Gander.Direction.UP && r.get_error() === null));
    assertEqual(f.assertConsistent(3), 3);
    assertEqual(outValue(m.get_db_version(null)), 3);
    assertEqual(outValue(m.has_pending(null)), false);
    const status = m.status(null);
    assertEqual(status.map(s => s.get_state()), Array(3).fill(Gander.MigrationState.APPLIED));
    assertEqual(status[2].name, '00003_step3.sql');
    assertEqual(m.down(null).get_version(), 3);
    assertEqual(outValue(m.has_pending(null)), true);
    assertEqual(m.down_to(0, null).map(r => r.get_version()), [2, 1]);
    assertEqual(m.up_to(2, null).map(r => r.get_version()), [1, 2]);
    assertEqual(m.redo(null).map(r => [r.get_version(), r.get_direction()]),
        [[2, Gander.Direction.DOWN], [2, Gander.Direction.UP]]);
    assertEqual(m.reset(null).map(r => r.get_version()), [2, 1]);
    assertEqual(f.assertConsistent(3), 0);
});

test('async up: signals, progress properties, results', async f => {
    f.writeSteps(4);
    const m = f.migrator();
    const rec = new Recorder(m);
    const results = await m.up_async(null);
    assertEqual(results.map(r => r.get_version()), [1, 2, 3, 4]);
    // every delivery reached JavaScript, hence the main thread
    assertEqual(rec.started, [1, 2, 3, 4].map(v => [v, Gander.Direction.UP]));
    assertEqual(rec.finished.map(r => r.get_version()), [1, 2, 3, 4]);
    assertEqual(rec.statements.length, 8);
    assertEqual(rec.statements[0].slice(0, 2), [1, 2]);
    assertEqual(rec.busy[0], true);
    assertEqual(rec.busy[rec.busy.length - 1], false);
    assertEqual(rec.fractions, [...rec.fractions].sort((a, b) => a - b), 'fraction only grows:');
    assert(rec.fractions.length >= 4, 'fraction notified per migration');
    assertEqual(rec.fractions[rec.fractions.length - 1], 1);
    assertEqual(rec.versions[rec.versions.length - 1], 4);
    assertEqual([m.busy, m.current_version, m.pending_count, m.fraction], [false, 4, 0, 1]);
    assertEqual(f.assertConsistent(4), 4);
    rec.disconnect();
});

test('async up while the caller is busy', async f => {
    // Nothing may be delivered before the main loop runs again, and
    // certainly not in the worker thread.
    f.writeSteps(3);
    const m = f.migrator();
    const rec = new Recorder(m);
    const promise = m.up_async(null);
    const deadline = GLib.get_monotonic_time() + 10 * 1000000;
    // one query, not assertConsistent(): its separate reads are no
    // snapshot of a database that is changing under them
    const done = () => f.tableExists('goose_db_version') &&
        f.query('SELECT 1 FROM goose_db_version WHERE version_id = 3').length > 0;
    while (!done() && GLib.get_monotonic_time() < deadline)
        GLib.usleep(10000);
    GLib.usleep(100000);
    assertEqual([rec.started.length, rec.busy.length], [0, 0]);
    const results = await promise;
    assertEqual(results.length, 3);
    assertEqual(rec.finished.length, 3);
    assertEqual(rec.busy[rec.busy.length - 1], false);
    rec.disconnect();
});

test('every async operation', async f => {
    f.writeSteps(3);
    const m = f.migrator();
    assertEqual((await m.up_by_one_async(null)).get_version(), 1);
    assertEqual((await m.up_to_async(2, null)).map(r => r.get_version()), [2]);
    assertEqual(outValue(await m.get_db_version_async(null)), 2);
    assertEqual(outValue(await m.has_pending_async(null)), true);
    assertEqual((await m.status_async(null)).map(s => s.get_state()),
        [Gander.MigrationState.APPLIED, Gander.MigrationState.APPLIED, Gander.MigrationState.PENDING]);
    assertEqual((await m.redo_async(null)).map(r => r.get_direction()),
        [Gander.Direction.DOWN, Gander.Direction.UP]);
    assertEqual((await m.down_async(null)).get_version(), 2);
    assertEqual((await m.down_to_async(0, null)).map(r => r.get_version()), [1]);
    assertEqual((await m.up_async(null)).length, 3);
    assertEqual(outValue(await m.has_pending_async(null)), false);
    assertEqual((await m.reset_async(null)).map(r => r.get_version()), [3, 2, 1]);
    assertEqual(f.assertConsistent(3), 0);
});

test('errors: missing migrations', async f => {
    f.write('00001_a.sql', Fixture.stepSql(1));
    f.write('00003_c.sql', Fixture.stepSql(3));
    f.migrator().up(null);
    f.write('00002_b.sql', Fixture.stepSql(2));
    const m = f.migrator();
    let error = null;
    try {
        m.up(null);
    } catch (e) {
        error = e;
    }
    assertGanderError(error, Gander.Error.MISSING_MIGRATIONS);
    assert(error.message.includes('00002_b.sql'), error.message);
    assertGanderError(await assertRejects(m.up_async(null)), Gander.Error.MISSING_MIGRATIONS);
    m.allow_missing = true;
    assertEqual((await m.up_async(null)).map(r => r.get_version()), [2]);
});

test('errors: parse, not found, no next version, SQL', async f => {
    f.writeSteps(1);
    f.write('00002_bad.sql', '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n');
    let m = f.migrator();
    const parse = await assertRejects(m.up_async(null));
    assertGanderError(parse, Gander.Error.PARSE);
    assert(parse.message.includes('00002_bad.sql'), parse.message);
    assertEqual(f.assertConsistent(1), 0);

    m.strict_targets = true;
    assertGanderError(await assertRejects(m.up_to_async(9, null)), Gander.Error.NOT_FOUND);
    assertGanderError(await assertRejects(m.down_async(null)), Gander.Error.NO_NEXT_VERSION);

    f.write('00002_bad.sql', '-- +goose Up\nCREATE TABLE t2 (n INTEGER);\nINSERT INTO nowhere VALUES (1);\n' +
        '-- +goose Down\nDROP TABLE t2;\n');
    m = f.migrator();
    assertGanderError(await assertRejects(m.up_async(null)), Gander.Error.SQL);
    assertEqual(m.get_last_results().map(r => r.get_error() !== null), [false, true]);
    assertEqual(f.assertConsistent(2), 1);

    let error = null;
    try {
        Gander.Source.new_for_uri(`${f.tmpdir}/nowhere`, Gander.SourceFlags.NONE, null);
    } catch (e) {
        error = e;
    }
    assertGanderError(error, Gander.Error.NOT_FOUND);
});

test('cancelled before start', async f => {
    f.writeSteps(3);
    const m = f.migrator();
    const rec = new Recorder(m);
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    assertCancelled(await assertRejects(m.up_async(cancellable)));
    assertEqual(rec.started.length, 0);
    assertEqual(f.assertConsistent(3), 0);
    assertEqual((await m.up_async(null)).length, 3);
    rec.disconnect();
});

test('cancelled during a statement', async f => {
    // A recursive CTE that would run for minutes is interrupted; its
    // migration rolls back, including the table it created first.
    f.writeEndless();
    const m = f.migrator();
    const cancellable = new Gio.Cancellable();
    m.connect('executing-statement', (self, migration, line, sql) => {
        if (sql.includes('4000000000'))
            sleep(100).then(() => cancellable.cancel());
    });
    const rec = new Recorder(m);
    const started = GLib.get_monotonic_time();
    assertCancelled(await assertRejects(m.up_async(cancellable)));
    assert(GLib.get_monotonic_time() - started < 20 * 1000000, 'interrupted, not waited out');
    assertEqual(rec.started.map(([v]) => v), [1, 2]);
    assert(rec.finished[1].get_error() !== null, 'the interrupted migration failed');
    assertEqual(f.assertConsistent(3), 1);
    assert(!f.tableExists('t2'), 't2 rolled back');
    assertEqual(outValue(m.get_db_version(null)), 1);
    rec.disconnect();
});

test('cancelled from migration-finished', async f => {
    f.writeSteps(4, 100000);
    for (const k of [1, 2, 3]) {
        const dbpath = `${f.tmpdir}/after-${k}.db`;
        f.dbpath = dbpath;
        const m = f.migrator();
        const cancellable = new Gio.Cancellable();
        let finished = 0;
        m.connect('migration-finished', () => {
            if (++finished === k)
                cancellable.cancel();
        });
        let error = null;
        try {
            await m.up_async(cancellable);
        } catch (e) {
            error = e;
        }
        const applied = f.assertConsistent(4);
        assert(applied >= k, `at least ${k} applied, got ${applied}`);
        if (error !== null)
            assertCancelled(error);
        else
            assertEqual(applied, 4);
        assertEqual((await m.up_async(null)).length, 4 - applied);
        assertEqual(f.assertConsistent(4), 4);
    }
});

test('example.js applies the repository migrations', f => {
    const migrations = `${SOURCE_ROOT}/migrations`;
    const run = () => {
        const proc = Gio.Subprocess.new([GJS, '-m', `${HERE}/example.js`, '--database', f.dbpath, migrations],
            Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
        const [, out, err] = proc.communicate_utf8(null, null);
        assert(proc.get_successful(), `example.js failed: ${err}`);
        return out;
    };
    let out = run();
    assert(out.includes('00001_create_alerts.sql') && out.includes('100%') && out.includes('applied'), out);
    assert(f.tableExists('alerts'), 'alerts table');
    const children = Gio.File.new_for_path(migrations).enumerate_children('standard::name',
        Gio.FileQueryInfoFlags.NONE, null);
    let count = 0;
    for (let info = children.next_file(null); info !== null; info = children.next_file(null)) {
        if (info.get_name().endsWith('.sql'))
            count++;
    }
    children.close(null);
    assertEqual(f.query('SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0'),
        [String(count)]);
    out = run();
    assert(out.includes('nothing to apply'), out);
});

// Calls that answer a question return the answer itself (issue 7, item
// 10): gjs used to get [true, value] from the synchronous form.
test('values: has_pending and get_db_version return the value', async f => {
    f.writeSteps(2);
    let m = f.migrator();
    assertEqual(m.has_pending(null), true);
    assertEqual(m.get_db_version(null), 0);
    m.up(null);
    if (m.has_pending(null))
        throw new AssertionError('has_pending() is truthy on an up-to-date database');
    assertEqual(m.has_pending(null), false);
    assertEqual(m.get_db_version(null), 2);
    assertEqual(typeof m.get_db_version(null), 'number');
    assertEqual(await m.has_pending_async(null), false);
    assertEqual(await m.get_db_version_async(null), 2);

    f.write('00003_step3.sql', Fixture.stepSql(3));
    m = f.migrator();
    assert(m.has_pending(null) === true, 'has_pending() with a pending file');
    assertEqual(await m.has_pending_async(null), true);
});

test('values: errors are thrown, not returned', async f => {
    f.write('00001_a.sql', Fixture.stepSql(1));
    f.write('00003_c.sql', Fixture.stepSql(3));
    f.migrator().up(null);
    f.write('00002_b.sql', Fixture.stepSql(2));
    const m = f.migrator();
    let error = null;
    try {
        m.has_pending(null);
    } catch (e) {
        error = e;
    }
    assertGanderError(error, Gander.Error.MISSING_MIGRATIONS);
    assertGanderError(await assertRejects(m.has_pending_async(null)), Gander.Error.MISSING_MIGRATIONS);

    m.no_versioning = true;
    error = null;
    try {
        m.get_db_version(null);
    } catch (e) {
        error = e;
    }
    assertGanderError(error, Gander.Error.NOT_SUPPORTED);
    assertGanderError(await assertRejects(m.get_db_version_async(null)), Gander.Error.NOT_SUPPORTED);
});

test('values: version_from_filename and version_table_exists', f => {
    assertEqual(Gander.version_from_filename('00042_add_index.sql'), 42);
    let error = null;
    try {
        Gander.version_from_filename('add_index.sql');
    } catch (e) {
        error = e;
    }
    assertGanderError(error, Gander.Error.INVALID_FILENAME);

    f.writeSteps(1);
    const db = Gander.SqliteDatabase.new(f.dbpath);
    db.open(null);
    assertEqual(db.version_table_exists(), false);
    Gander.Migrator.new(db, Gander.Source.new_for_uri(f.migdir, Gander.SourceFlags.NONE, null)).up(null);
    assertEqual(db.version_table_exists(), true);
});

// GI-friendly results (issue 7, item 16): durations carry their unit,
// applied-at is a GLib.DateTime in UTC.
test('results: duration_us', f => {
    f.writeSteps(2);
    const m = f.migrator();
    const started = GLib.get_monotonic_time();
    const results = m.up(null);
    const elapsed = GLib.get_monotonic_time() - started;
    for (const r of results) {
        assert(r.get_duration_us() > 0, `duration_us ${r.get_duration_us()}`);
        assertEqual(r.duration_us, r.get_duration_us());
    }
    assert(results.reduce((sum, r) => sum + r.get_duration_us(), 0) <= elapsed, 'durations within the run');
    assertEqual(typeof results[0].get_duration, 'undefined');
});

test('results: applied_at is a GLib.DateTime in UTC', async f => {
    f.writeSteps(3);
    const m = f.migrator();
    m.up_to(2, null);
    f.query("UPDATE goose_db_version SET tstamp = '2026-01-02 03:04:05.678' WHERE version_id = 2");
    const [first, second, third] = m.status(null);
    const at = first.get_applied_at();
    assert(at instanceof GLib.DateTime, `not a GLib.DateTime: ${at}`);
    assertEqual(at.get_utc_offset(), 0);
    assertEqual(at.to_unix(),
        Number(f.query("SELECT strftime('%s', tstamp) FROM goose_db_version WHERE version_id = 1")[0]));
    assert(first.applied_at instanceof GLib.DateTime, 'the property is a GLib.DateTime too');
    assert(first.applied_at.equal(at), 'property and getter agree');
    const s = second.get_applied_at();
    assertEqual([s.get_year(), s.get_month(), s.get_day_of_month(), s.get_hour(), s.get_minute(),
        s.get_second(), s.get_microsecond()], [2026, 1, 2, 3, 4, 5, 678000]);
    assertEqual(third.get_applied_at(), null);
    assertEqual(third.applied_at, null);
    const again = await m.status_async(null);
    assert(again[0].get_applied_at().equal(at), 'async status gives the same time');
});

test('errors: GLib.Error carries the Gander.Error domain and code', f => {
    f.write('00001_a.sql', Fixture.stepSql(1));
    f.write('00003_c.sql', Fixture.stepSql(3));
    f.migrator().up(null);
    f.write('00002_b.sql', Fixture.stepSql(2));
    let error = null;
    try {
        f.migrator().has_pending(null);
    } catch (e) {
        error = e;
    }
    assertGanderError(error, Gander.Error.MISSING_MIGRATIONS);
    assertEqual(error.domain, Gander.Error.quark());
    assertEqual(error.domain, GLib.quark_from_string('gander-error-quark'));
    assert(!error.matches(Gander.Error, Gander.Error.PARSE), 'another code does not match');
    assert(!error.matches(Gio.IOErrorEnum, error.code), 'another domain does not match');
    assertEqual(Gio.DBusError.encode_gerror(error), 'org.gander.Migrator1.Error.MissingMigrations');
});

// current-version and pending-count are right before any operation has
// run (issue 7, item 16); the async form notifies in the main thread (gjs
// drops a notification delivered in a worker thread).
test('refresh: properties before any operation, notified in the main thread', async f => {
    Gio._promisify(Gander.Migrator.prototype, 'refresh_async', 'refresh_finish');
    f.writeSteps(3);
    f.migrator().up_to(2, null);
    let m = f.migrator();
    assertEqual([m.current_version, m.pending_count], [0, 0]);
    assertEqual(m.refresh(null), true);
    assertEqual([m.current_version, m.pending_count], [2, 1]);

    m = f.migrator();
    const seen = [];
    m.connect('notify::current-version', o => seen.push(['current-version', o.current_version]));
    m.connect('notify::pending-count', o => seen.push(['pending-count', o.pending_count]));
    assertEqual(await m.refresh_async(null), true);
    assertEqual(seen.sort(), [['current-version', 2], ['pending-count', 1]]);

    m = f.migrator();
    m.status(null);
    assertEqual([m.current_version, m.pending_count], [2, 1]);
});

// ------------------------------------------------------------------

async function main() {
    let failed = 0;
    print(`1..${tests.length}`);
    for (const [i, [name, fn]] of tests.entries()) {
        const f = new Fixture();
        try {
            // eslint-disable-next-line no-await-in-loop
            await fn(f);
            print(`ok ${i + 1} ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} ${name}`);
            for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
                print(`# ${line}`);
        } finally {
            f.destroy();
        }
    }
    return failed;
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
main().then(failed => {
    status = failed > 0 ? 1 : 0;
}).catch(e => {
    print(`Bail out! ${e}`);
}).finally(() => loop.quit());
loop.run();
System.exit(status);
