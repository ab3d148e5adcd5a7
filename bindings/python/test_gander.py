# test_gander.py: libgander through PyGObject and the uninstalled typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson (suite "python") with GI_TYPELIB_PATH and LD_LIBRARY_PATH
# pointing at the build's lib/ directory. Every test works on a real
# SQLite file in a temporary directory, with migrations it writes itself.
#
# PyGObject 3.42 cannot await GI async methods, so the asynchronous calls
# use callbacks and a GLib.MainLoop.

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gio, Gander  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('GANDER_SOURCE_ROOT',
                             os.path.dirname(os.path.dirname(HERE)))

# A statement that would run for minutes: only an interrupt ends it.
ENDLESS_QUERY = ('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 '
                 'FROM c WHERE x < 4000000000) SELECT count(*) FROM c')

# Safety net for every main loop: a test that hangs fails instead.
LOOP_TIMEOUT_S = 60


def step_sql(version, rows=20000):
    """Migration `version` creates table t<version>: its side effect."""
    return ('-- +goose Up\n'
            f'CREATE TABLE t{version} (n INTEGER);\n'
            f'INSERT INTO t{version} SELECT count(*) FROM (WITH RECURSIVE '
            f'c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows}) '
            'SELECT x FROM c);\n'
            '\n'
            '-- +goose Down\n'
            f'DROP TABLE t{version};\n')


class GanderTestCase(unittest.TestCase):
    def setUp(self):
        self.tmpdir = tempfile.mkdtemp(prefix='gander-py-')
        self.migdir = os.path.join(self.tmpdir, 'migrations')
        os.mkdir(self.migdir)
        self.dbpath = os.path.join(self.tmpdir, 'test.db')
        self.main_thread = threading.get_ident()

    def tearDown(self):
        shutil.rmtree(self.tmpdir)

    # -- helpers -------------------------------------------------------

    def write(self, name, text):
        with open(os.path.join(self.migdir, name), 'w') as f:
            f.write(text)

    def write_steps(self, n, rows=20000):
        for v in range(1, n + 1):
            self.write(f'{v:05d}_step{v}.sql', step_sql(v, rows))

    def migrator(self):
        db = Gander.SqliteDatabase.new(self.dbpath)
        source = Gander.Source.new_for_uri(self.migdir, Gander.SourceFlags.NONE, None)
        return Gander.Migrator.new(db, source)

    def query(self, sql, *args):
        if not os.path.exists(self.dbpath):
            return []
        conn = sqlite3.connect(self.dbpath, timeout=10)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def table_exists(self, name):
        return bool(self.query("SELECT 1 FROM sqlite_master "
                               "WHERE type = 'table' AND name = ?", name))

    def assert_consistent(self, n):
        """Each version row (and side-table row) exists iff its table
        exists, and the applied versions are 1..k. Returns k."""
        applied = 0
        has_table = self.table_exists('goose_db_version')
        has_side = self.table_exists('goose_db_version_gander')
        for v in range(1, n + 1):
            row = has_table and bool(self.query(
                'SELECT 1 FROM goose_db_version WHERE version_id = ?', v))
            side = has_side and bool(self.query(
                'SELECT 1 FROM goose_db_version_gander WHERE version_id = ?', v))
            effect = self.table_exists(f't{v}')
            self.assertEqual((row, side), (effect, effect),
                             f'migration {v}: version row {row}, side row '
                             f'{side}, table t{v} exists {effect}')
            if row:
                self.assertEqual(applied, v - 1, 'applied versions have a gap')
                applied = v
        return applied

    def assert_main_thread(self):
        self.assertEqual(threading.get_ident(), self.main_thread,
                         'delivered outside the thread that called _async')

    def assert_gander_error(self, error, code):
        self.assertIsInstance(error, GLib.Error)
        self.assertEqual(error.domain, 'gander-error-quark')
        self.assertEqual(error.code, int(code), error.message)
        self.assertTrue(error.matches(Gander.Error.quark(), code))

    def assert_cancelled(self, error):
        # Cancelled operations say G_IO_ERROR_CANCELLED, sync and async alike.
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
                        f'not a cancellation: {error.domain} {error.code}: {error.message}')

    def run_async(self, start, finish, *args, cancellable=None, loop=None):
        """Calls start(*args, cancellable, callback) and runs a main loop
        until the callback has called finish(). Returns (value, error)."""
        loop = loop or GLib.MainLoop()
        outcome = {}

        def done(source, result):
            self.assert_main_thread()
            try:
                outcome['value'] = finish(result)
            except GLib.Error as e:
                outcome['error'] = e
            loop.quit()

        def too_long():
            outcome['timeout'] = True
            loop.quit()
            return GLib.SOURCE_REMOVE

        timeout = GLib.timeout_add_seconds(LOOP_TIMEOUT_S, too_long)
        start(*args, cancellable, done)
        loop.run()
        if 'timeout' in outcome:
            self.fail(f'{start.__name__} did not finish in {LOOP_TIMEOUT_S} s')
        GLib.source_remove(timeout)
        return outcome.get('value'), outcome.get('error')


class Recorder:
    """Everything a migrator tells about one run, with the thread it
    arrived in."""

    def __init__(self, test, migrator):
        self.test = test
        self.started = []
        self.finished = []
        self.statements = []
        self.fractions = []
        self.busy = []
        self.versions = []
        self.pending = []
        self.threads = set()
        self.handlers = [
            migrator.connect('migration-started', self.on_started),
            migrator.connect('migration-finished', self.on_finished),
            migrator.connect('executing-statement', self.on_statement),
            migrator.connect('notify::fraction', self.on_notify, self.fractions, 'fraction'),
            migrator.connect('notify::busy', self.on_notify, self.busy, 'busy'),
            migrator.connect('notify::current-version', self.on_notify, self.versions, 'current-version'),
            migrator.connect('notify::pending-count', self.on_notify, self.pending, 'pending-count'),
        ]
        self.migrator = migrator

    def disconnect(self):
        for h in self.handlers:
            self.migrator.disconnect(h)

    def on_started(self, migrator, migration, direction):
        self.threads.add(threading.get_ident())
        self.started.append((migration.get_version(), direction))

    def on_finished(self, migrator, result):
        self.threads.add(threading.get_ident())
        self.finished.append(result)

    def on_statement(self, migrator, migration, line, sql):
        self.threads.add(threading.get_ident())
        self.statements.append((migration.get_version(), line, sql))

    def on_notify(self, migrator, pspec, values, name):
        self.threads.add(threading.get_ident())
        values.append(migrator.get_property(name))


class TestSync(GanderTestCase):
    def test_up_status_down(self):
        self.write_steps(3)
        m = self.migrator()

        results = m.up(None)
        self.assertEqual([r.get_version() for r in results], [1, 2, 3])
        self.assertTrue(all(r.get_direction() == Gander.Direction.UP for r in results))
        self.assertTrue(all(r.get_error() is None for r in results))
        self.assertEqual(self.assert_consistent(3), 3)

        self.assertEqual(m.get_db_version(None), 3)
        self.assertFalse(m.has_pending(None))
        status = m.status(None)
        self.assertEqual([s.get_state() for s in status],
                         [Gander.MigrationState.APPLIED] * 3)
        self.assertEqual(status[0].props.name, '00001_step1.sql')
        self.assertIsNotNone(status[0].props.applied_at)

        down = m.down(None)
        self.assertEqual(down.get_version(), 3)
        self.assertEqual(down.get_direction(), Gander.Direction.DOWN)
        self.assertTrue(m.has_pending(None))
        self.assertEqual([r.get_version() for r in m.down_to(0, None)], [2, 1])
        self.assertEqual(self.assert_consistent(3), 0)
        self.assertEqual(m.up_by_one(None).get_version(), 1)
        self.assertEqual([r.get_version() for r in m.up_to(2, None)], [2])
        self.assertEqual([r.get_version() for r in m.get_last_results()], [2])
        self.assertEqual([(r.get_version(), r.get_direction()) for r in m.redo(None)],
                         [(2, Gander.Direction.DOWN), (2, Gander.Direction.UP)])
        self.assertEqual([r.get_version() for r in m.reset(None)], [2, 1])
        self.assertEqual(self.assert_consistent(3), 0)

    def test_properties(self):
        self.write_steps(1)
        m = self.migrator()
        self.assertIsInstance(m.props.database, Gander.SqliteDatabase)
        self.assertEqual(m.props.source.get_n_migrations(), 1)
        self.assertFalse(m.props.allow_missing)
        m.props.allow_missing = True
        self.assertTrue(m.get_allow_missing())
        self.assertEqual(m.props.database.get_dialect(), 'sqlite3')
        self.assertEqual(m.props.database.props.table_name, Gander.DEFAULT_TABLE_NAME)

    def test_sql_parse(self):
        parsed = Gander.sql_parse(GLib.Bytes.new(step_sql(1).encode()),
                                  Gander.Direction.UP, '00001_step1.sql')
        self.assertEqual(parsed.get_n_statements(), 2)
        self.assertTrue(parsed.get_use_transaction())
        self.assertEqual(parsed.get_statement_line(0), 2)
        self.assertEqual(Gander.version_from_filename('00042_x.sql'), 42)
        with self.assertRaises(GLib.Error) as cm:
            Gander.version_from_filename('x.sql')
        self.assert_gander_error(cm.exception, Gander.Error.INVALID_FILENAME)


class TestErrors(GanderTestCase):
    def test_missing_migrations(self):
        self.write('00001_a.sql', step_sql(1))
        self.write('00003_c.sql', step_sql(3))
        self.migrator().up(None)
        self.write('00002_b.sql', step_sql(2))
        m = self.migrator()
        with self.assertRaises(GLib.Error) as cm:
            m.up(None)
        self.assert_gander_error(cm.exception, Gander.Error.MISSING_MIGRATIONS)
        self.assertIn('00002_b.sql', cm.exception.message)

        # the same through _async/_finish
        _, error = self.run_async(m.up_async, m.up_finish)
        self.assert_gander_error(error, Gander.Error.MISSING_MIGRATIONS)

        m.props.allow_missing = True
        self.assertEqual([r.get_version() for r in m.up(None)], [2])

    def test_parse_error(self):
        self.write_steps(1)
        self.write('00002_bad.sql',
                   '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n')
        m = self.migrator()
        _, error = self.run_async(m.up_async, m.up_finish)
        self.assert_gander_error(error, Gander.Error.PARSE)
        self.assertIn('00002_bad.sql', error.message)
        # every file is parsed before the first one runs
        self.assertEqual(self.assert_consistent(1), 0)

    def test_not_found(self):
        self.write_steps(2)
        m = self.migrator()
        # goose's bound by default; the strict mode refuses unknown targets
        self.assertEqual([r.get_version() for r in m.up_to(7, None)], [1, 2])
        m.props.strict_targets = True
        with self.assertRaises(GLib.Error) as cm:
            m.up_to(7, None)
        self.assert_gander_error(cm.exception, Gander.Error.NOT_FOUND)
        with self.assertRaises(GLib.Error) as cm:
            Gander.Source.new_for_uri(os.path.join(self.tmpdir, 'nowhere'),
                                      Gander.SourceFlags.NONE, None)
        self.assert_gander_error(cm.exception, Gander.Error.NOT_FOUND)

    def test_no_next_version(self):
        self.write_steps(1)
        m = self.migrator()
        _, error = self.run_async(m.down_async, m.down_finish)
        self.assert_gander_error(error, Gander.Error.NO_NEXT_VERSION)

    def test_sql_error_rolls_back(self):
        self.write_steps(1)
        self.write('00002_broken.sql',
                   '-- +goose Up\nCREATE TABLE t2 (n INTEGER);\n'
                   'INSERT INTO nowhere VALUES (1);\n'
                   '-- +goose Down\nDROP TABLE t2;\n')
        m = self.migrator()
        _, error = self.run_async(m.up_async, m.up_finish)
        self.assert_gander_error(error, Gander.Error.SQL)
        self.assertIn('00002_broken.sql', error.message)
        last = m.get_last_results()
        self.assertEqual([r.get_version() for r in last], [1, 2])
        self.assertIsNone(last[0].get_error())
        self.assertIsNotNone(last[1].get_error())
        self.assertEqual(self.assert_consistent(2), 1)

    def test_unknown_driver(self):
        with self.assertRaises(GLib.Error) as cm:
            Gander.Database.new_for_driver('mysql', 'x')
        self.assert_gander_error(cm.exception, Gander.Error.NOT_SUPPORTED)


class TestAsync(GanderTestCase):
    def test_up_signals_in_main_thread(self):
        self.write_steps(4)
        m = self.migrator()
        rec = Recorder(self, m)
        results, error = self.run_async(m.up_async, m.up_finish)
        self.assertIsNone(error)
        self.assertEqual([r.get_version() for r in results], [1, 2, 3, 4])

        self.assertEqual(rec.threads, {self.main_thread})
        self.assertEqual(rec.started, [(v, Gander.Direction.UP) for v in range(1, 5)])
        self.assertEqual([r.get_version() for r in rec.finished], [1, 2, 3, 4])
        self.assertEqual(len(rec.statements), 8)
        self.assertEqual(rec.statements[0][:2], (1, 2))
        self.assertEqual(rec.busy[0], True)
        self.assertEqual(rec.busy[-1], False)
        self.assertEqual(rec.fractions, sorted(rec.fractions))
        self.assertGreaterEqual(len(rec.fractions), 4)
        self.assertEqual(rec.fractions[-1], 1.0)
        self.assertEqual(rec.versions[-1], 4)
        self.assertEqual(m.props.current_version, 4)
        self.assertEqual(m.props.pending_count, 0)
        self.assertFalse(m.props.busy)
        self.assertEqual(self.assert_consistent(4), 4)
        rec.disconnect()

    def test_caller_busy_before_loop(self):
        # The caller does other work before it runs its loop: nothing may
        # be delivered meanwhile, in any thread.
        self.write_steps(3)
        m = self.migrator()
        rec = Recorder(self, m)
        loop = GLib.MainLoop()
        outcome = {}

        def done(source, result):
            self.assert_main_thread()
            outcome['results'] = source.up_finish(result)
            loop.quit()

        m.up_async(None, done)
        deadline = time.monotonic() + 10
        # one query, not assert_consistent(): its separate reads are no
        # snapshot of a database that is changing under them
        while time.monotonic() < deadline and not (
                self.table_exists('goose_db_version') and
                self.query('SELECT 1 FROM goose_db_version WHERE version_id = 3')):
            time.sleep(0.01)
        time.sleep(0.1)
        self.assertEqual(rec.threads, set())
        self.assertEqual(rec.started, [])
        loop.run()
        self.assertEqual(len(outcome['results']), 3)
        self.assertEqual(rec.threads, {self.main_thread})
        self.assertEqual(len(rec.finished), 3)
        rec.disconnect()

    def test_other_operations(self):
        self.write_steps(3)
        m = self.migrator()
        r, _ = self.run_async(m.up_by_one_async, m.up_by_one_finish)
        self.assertEqual(r.get_version(), 1)
        rs, _ = self.run_async(m.up_to_async, m.up_to_finish, 2)
        self.assertEqual([x.get_version() for x in rs], [2])
        version, error = self.run_async(m.get_db_version_async, m.get_db_version_finish)
        self.assertIsNone(error)
        self.assertEqual(version, 2)
        pending, _ = self.run_async(m.has_pending_async, m.has_pending_finish)
        self.assertIs(pending, True)
        status, _ = self.run_async(m.status_async, m.status_finish)
        self.assertEqual([s.get_state() for s in status],
                         [Gander.MigrationState.APPLIED, Gander.MigrationState.APPLIED,
                          Gander.MigrationState.PENDING])
        rs, _ = self.run_async(m.redo_async, m.redo_finish)
        self.assertEqual([x.get_direction() for x in rs],
                         [Gander.Direction.DOWN, Gander.Direction.UP])
        r, _ = self.run_async(m.down_async, m.down_finish)
        self.assertEqual(r.get_version(), 2)
        rs, _ = self.run_async(m.down_to_async, m.down_to_finish, 0)
        self.assertEqual([x.get_version() for x in rs], [1])
        rs, _ = self.run_async(m.up_async, m.up_finish)
        self.assertEqual(len(rs), 3)
        rs, _ = self.run_async(m.reset_async, m.reset_finish)
        self.assertEqual([x.get_version() for x in rs], [3, 2, 1])
        self.assertEqual(self.assert_consistent(3), 0)

    def test_drop_reference(self):
        # The caller keeps no reference: the callback still comes.
        self.write_steps(2)
        loop = GLib.MainLoop()
        outcome = {}

        def done(source, result):
            self.assert_main_thread()
            outcome['n'] = len(source.up_finish(result))
            loop.quit()

        self.migrator().up_async(None, done)
        import gc
        gc.collect()
        loop.run()
        self.assertEqual(outcome['n'], 2)
        self.assertEqual(self.assert_consistent(2), 2)


class TestRepair(GanderTestCase):
    def test_baseline_accept_clear_dirty(self):
        self.write_steps(3, rows=1)
        self.write('00004_notx.sql', '-- +goose NO TRANSACTION\n-- +goose Up\n'
                   'CREATE TABLE t4 (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n')
        m = self.migrator()
        options = Gander.RunOptions.new()
        options.set_applied_by('py@test')

        # baseline returns the migrations it recorded, as plain objects
        recorded = m.baseline(2, options, None)
        self.assertEqual([x.get_version() for x in recorded], [1, 2])
        self.assertEqual(m.props.current_version, 2)
        self.assertEqual(self.query('SELECT applied_by FROM goose_db_version_gander '
                                    'WHERE version_id = 2'), [('py@test',)])
        self.assertEqual(m.baseline(2, None, None), [])
        with self.assertRaises(GLib.Error) as cm:
            m.baseline(9, None, None)
        self.assert_gander_error(cm.exception, Gander.Error.NOT_FOUND)

        # the NO TRANSACTION migration fails half-way: dirty
        with self.assertRaises(GLib.Error) as cm:
            m.up(None)
        self.assertEqual([s.get_state() for s in m.status(None)][3],
                         Gander.MigrationState.RUNNING)
        with self.assertRaises(GLib.Error) as cm:
            m.up(None)
        self.assert_gander_error(cm.exception, Gander.Error.DIRTY)
        self.assertIn('gander repair clear-dirty 4', cm.exception.message)

        ok, error = self.run_async(m.clear_dirty_async, m.clear_dirty_finish, 4, True, options)
        self.assertIsNone(error)
        self.assertTrue(ok)
        self.assertEqual(m.get_db_version(None), 4)

        # an edited applied file, accepted
        self.write('00001_step1.sql', step_sql(1, 1) + '-- edited\n')
        m = self.migrator()
        self.assertTrue(m.status(None)[0].get_modified())
        self.assertTrue(m.accept_checksum(1, None, None))
        self.assertFalse(m.status(None)[0].get_modified())
        with self.assertRaises(GLib.Error) as cm:
            m.clear_dirty(1, False, None, None)
        self.assert_gander_error(cm.exception, Gander.Error.INVALID_ARGUMENT)


class TestCancel(GanderTestCase):
    def test_cancelled_before_start(self):
        self.write_steps(3)
        m = self.migrator()
        rec = Recorder(self, m)
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        _, error = self.run_async(m.up_async, m.up_finish, cancellable=cancellable)
        self.assert_cancelled(error)
        self.assertEqual(rec.started, [])
        self.assertEqual(self.assert_consistent(3), 0)
        # nothing stays locked: a second run works
        results, _ = self.run_async(m.up_async, m.up_finish)
        self.assertEqual(len(results), 3)
        rec.disconnect()

    def write_endless(self):
        self.write_steps(1)
        self.write('00002_endless.sql',
                   '-- +goose Up\nCREATE TABLE t2 (n INTEGER);\n'
                   f'INSERT INTO t2 {ENDLESS_QUERY};\n'
                   '-- +goose Down\nDROP TABLE t2;\n')
        self.write('00003_step3.sql', step_sql(3))

    def test_cancelled_during_statement(self):
        # A recursive CTE that would run for minutes is interrupted; its
        # migration rolls back, including the table it created first.
        self.write_endless()
        m = self.migrator()
        cancellable = Gio.Cancellable()

        def on_statement(migrator, migration, line, sql):
            self.assert_main_thread()
            if '4000000000' in sql:
                # let it really start before pulling the plug
                GLib.timeout_add(100, lambda: cancellable.cancel() and False)

        m.connect('executing-statement', on_statement)
        rec = Recorder(self, m)
        started = time.monotonic()
        _, error = self.run_async(m.up_async, m.up_finish, cancellable=cancellable)
        self.assert_cancelled(error)
        self.assertLess(time.monotonic() - started, 20)
        self.assertEqual([v for v, _ in rec.started], [1, 2])
        self.assertIsNotNone(rec.finished[-1].get_error())
        self.assertEqual(self.assert_consistent(3), 1)
        self.assertFalse(self.table_exists('t2'))
        self.assertEqual(rec.threads, {self.main_thread})
        self.assertEqual(m.get_db_version(None), 1)
        rec.disconnect()

    def test_cancelled_sync_from_thread(self):
        # The synchronous call blocks this thread (PyGObject releases the
        # GIL), another thread cancels.
        self.write_endless()
        m = self.migrator()
        cancellable = Gio.Cancellable()
        timer = threading.Timer(0.3, cancellable.cancel)
        timer.start()
        try:
            with self.assertRaises(GLib.Error) as cm:
                m.up(cancellable)
        finally:
            timer.join()
        self.assert_cancelled(cm.exception)
        self.assertEqual(self.assert_consistent(3), 1)

    def test_cancelled_from_migration_finished(self):
        for k in (1, 2, 3):
            with self.subTest(after=k):
                self.tearDown()
                self.setUp()
                self.write_steps(4, rows=100000)
                m = self.migrator()
                cancellable = Gio.Cancellable()
                finished = []

                def on_finished(migrator, result):
                    self.assert_main_thread()
                    finished.append(result.get_version())
                    if len(finished) == k:
                        cancellable.cancel()

                m.connect('migration-finished', on_finished)
                _, error = self.run_async(m.up_async, m.up_finish,
                                          cancellable=cancellable)
                applied = self.assert_consistent(4)
                self.assertGreaterEqual(applied, k)
                if error is not None:
                    self.assert_cancelled(error)
                else:
                    self.assertEqual(applied, 4)
                rest, _ = self.run_async(m.up_async, m.up_finish)
                self.assertEqual(len(rest), 4 - applied)
                self.assertEqual(self.assert_consistent(4), 4)


class TestExample(GanderTestCase):
    def test_example_applies_repo_migrations(self):
        example = os.path.join(HERE, 'example.py')
        migrations = os.path.join(SOURCE_ROOT, 'migrations')
        out = subprocess.run([sys.executable, example, '--database', self.dbpath, migrations],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('00001_create_alerts.sql', out.stdout)
        self.assertIn('applied', out.stdout)
        self.assertIn('100%', out.stdout)
        self.assertTrue(self.table_exists('alerts'))
        n_files = len([f for f in os.listdir(migrations) if f.endswith('.sql')])
        self.assertEqual(len(self.query('SELECT DISTINCT version_id FROM goose_db_version '
                                        'WHERE version_id > 0')), n_files)

        # a second run has nothing to do and says so
        out = subprocess.run([sys.executable, example, '--database', self.dbpath, migrations],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('nothing to apply', out.stdout)

    def test_example_reports_errors(self):
        example = os.path.join(HERE, 'example.py')
        out = subprocess.run([sys.executable, example, '--database', self.dbpath,
                              os.path.join(self.tmpdir, 'nowhere')],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1)
        self.assertIn('nowhere', out.stderr)

    def test_vala_example(self):
        # Built from bindings/vala/example.vala with gander-1.vapi.
        example = os.environ.get('GANDER_VALA_EXAMPLE')
        if example is None:
            self.skipTest('the Vala example was not built (no valac or vapigen)')
        self.write_steps(3)
        out = subprocess.run([example, self.dbpath, self.migdir],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('applied 3 migration(s); database is at version 3', out.stdout)
        self.assertIn('100%', out.stdout)
        self.assertIn('version 3, pending: no', out.stdout)
        self.assertEqual(self.assert_consistent(3), 3)

        self.write('00004_bad.sql', '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n')
        out = subprocess.run([example, self.dbpath, self.migdir],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1)
        self.assertIn('00004_bad.sql', out.stderr)


class TestValues(GanderTestCase):
    """Calls that answer a question return the answer itself (issue 7,
    item 10): no success flag, no tuple, errors raise GLib.Error."""

    def test_has_pending_and_db_version(self):
        self.write_steps(2)
        m = self.migrator()
        self.assertIs(m.has_pending(None), True)
        self.assertEqual(m.get_db_version(None), 0)
        m.up(None)
        # reads naturally: false on an up-to-date database
        if m.has_pending(None):
            self.fail('has_pending() is true on an up-to-date database')
        self.assertIs(m.has_pending(None), False)
        version = m.get_db_version(None)
        self.assertIsInstance(version, int)
        self.assertEqual(version, 2)

        pending, error = self.run_async(m.has_pending_async, m.has_pending_finish)
        self.assertIsNone(error)
        self.assertIs(pending, False)
        version, error = self.run_async(m.get_db_version_async, m.get_db_version_finish)
        self.assertIsNone(error)
        self.assertEqual(version, 2)

        self.write('00003_step3.sql', step_sql(3))
        m = self.migrator()
        self.assertIs(m.has_pending(None), True)
        pending, _ = self.run_async(m.has_pending_async, m.has_pending_finish)
        self.assertIs(pending, True)

    def test_errors_raise(self):
        self.write('00001_a.sql', step_sql(1))
        self.write('00003_c.sql', step_sql(3))
        self.migrator().up(None)
        self.write('00002_b.sql', step_sql(2))
        m = self.migrator()
        with self.assertRaises(GLib.Error) as cm:
            m.has_pending(None)
        self.assert_gander_error(cm.exception, Gander.Error.MISSING_MIGRATIONS)
        _, error = self.run_async(m.has_pending_async, m.has_pending_finish)
        self.assert_gander_error(error, Gander.Error.MISSING_MIGRATIONS)

        m.props.no_versioning = True
        with self.assertRaises(GLib.Error) as cm:
            m.get_db_version(None)
        self.assert_gander_error(cm.exception, Gander.Error.NOT_SUPPORTED)
        _, error = self.run_async(m.get_db_version_async, m.get_db_version_finish)
        self.assert_gander_error(error, Gander.Error.NOT_SUPPORTED)

    def test_version_from_filename(self):
        self.assertEqual(Gander.version_from_filename('00042_add_index.sql'), 42)
        self.assertEqual(Gander.version_from_filename('20260101120000_x.sql'), 20260101120000)
        with self.assertRaises(GLib.Error) as cm:
            Gander.version_from_filename('add_index.sql')
        self.assert_gander_error(cm.exception, Gander.Error.INVALID_FILENAME)

    def test_version_table_exists(self):
        self.write_steps(1)
        db = Gander.SqliteDatabase.new(self.dbpath)
        db.open(None)
        self.assertIs(db.version_table_exists(), False)
        Gander.Migrator.new(db, Gander.Source.new_for_uri(
            self.migdir, Gander.SourceFlags.NONE, None)).up(None)
        self.assertIs(db.version_table_exists(), True)
        db.props.table_name = 'nosuchschema.goose_db_version'
        with self.assertRaises(GLib.Error) as cm:
            db.version_table_exists()
        self.assert_gander_error(cm.exception, Gander.Error.SQL)


class TestValidation(GanderTestCase):
    def test_validate_reports_every_problem(self):
        # GanderValidationIssue binds as a plain object with properties;
        # its enums come through as Gander.IssueKind / Gander.IssueSeverity.
        self.write('00001_ok.sql', '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n')
        self.write('00001_twin.sql', '-- +goose Up\nSELECT 1;\n')
        self.write('00002_bad.sql', '-- +goose Up\nSELECT 1\n-- +goose Down\nSELECT 2;\n')
        flags = Gander.SourceFlags.STRICT | Gander.SourceFlags.COLLECT_PROBLEMS
        source = Gander.Source.new_for_uri(self.migdir, flags, None)
        issues = source.validate(Gander.ValidateFlags.NONE, None)
        found = [(i.props.kind, i.props.severity, os.path.basename(i.props.path),
                  i.props.line, i.props.version) for i in issues]
        self.assertEqual(found, [
            (Gander.IssueKind.DUPLICATE_VERSION, Gander.IssueSeverity.ERROR,
             '00001_twin.sql', 0, 1),
            (Gander.IssueKind.MISSING_DOWN, Gander.IssueSeverity.WARNING,
             '00001_twin.sql', 0, 1),
            (Gander.IssueKind.PARSE_ERROR, Gander.IssueSeverity.ERROR,
             '00002_bad.sql', 3, 2),
        ])
        bad = issues[2]
        self.assertTrue(bad.get_has_direction())
        self.assertEqual(bad.props.direction, Gander.Direction.UP)
        self.assertIn('00002_bad.sql:3: ', bad.props.message)

        # the async form, delivered in this thread's main context
        loop = GLib.MainLoop()
        got = []

        def done(src, result):
            got.append((threading.get_ident(), src.validate_finish(result)))
            loop.quit()

        source.validate_async(Gander.ValidateFlags.ERRORS_ONLY, None, done)
        loop.run()
        self.assertEqual(got[0][0], self.main_thread)
        self.assertEqual([i.props.kind for i in got[0][1]],
                         [Gander.IssueKind.DUPLICATE_VERSION, Gander.IssueKind.PARSE_ERROR])


class TestResults(GanderTestCase):
    """GI-friendly results (issue 7, item 16): durations carry their unit,
    applied-at is a GLib.DateTime in UTC."""

    def test_duration_us(self):
        self.write_steps(2)
        m = self.migrator()
        started = time.monotonic()
        results = m.up(None)
        elapsed_us = (time.monotonic() - started) * 1e6
        for r in results:
            self.assertGreater(r.get_duration_us(), 0)
            self.assertEqual(r.props.duration_us, r.get_duration_us())
        self.assertLessEqual(sum(r.get_duration_us() for r in results), elapsed_us)
        self.assertFalse(hasattr(results[0].props, 'duration'))
        self.assertFalse(hasattr(results[0], 'get_duration'))

    def test_applied_at_is_utc_datetime(self):
        self.write_steps(3)
        m = self.migrator()
        m.up_to(2, None)
        # a row with a fraction, as another writer may leave it
        conn = sqlite3.connect(self.dbpath)
        conn.execute("UPDATE goose_db_version SET tstamp = '2026-01-02 03:04:05.678' "
                     "WHERE version_id = 2")
        conn.commit()
        conn.close()
        status = m.status(None)
        first, second, third = status
        at = first.get_applied_at()
        self.assertIsInstance(at, GLib.DateTime)
        self.assertEqual(at.get_utc_offset(), 0)
        (epoch,), = self.query("SELECT strftime('%s', tstamp) FROM goose_db_version "
                               "WHERE version_id = 1")
        self.assertEqual(at.to_unix(), int(epoch))
        self.assertIsInstance(first.props.applied_at, GLib.DateTime)
        self.assertTrue(first.props.applied_at.equal(at))
        at = second.get_applied_at()
        self.assertEqual((at.get_year(), at.get_month(), at.get_day_of_month(),
                          at.get_hour(), at.get_minute(), at.get_second(),
                          at.get_microsecond()),
                         (2026, 1, 2, 3, 4, 5, 678000))
        self.assertIsNone(third.get_applied_at())
        self.assertIsNone(third.props.applied_at)

        _, error = self.run_async(m.status_async, m.status_finish)
        self.assertIsNone(error)


class TestErrorDomain(GanderTestCase):
    """GLib.Error from libgander carries the Gander.Error domain and code,
    and the domain is the one registered for D-Bus."""

    def test_error_matches_domain_and_code(self):
        self.write('00001_a.sql', step_sql(1))
        self.write('00003_c.sql', step_sql(3))
        self.migrator().up(None)
        self.write('00002_b.sql', step_sql(2))
        with self.assertRaises(GLib.Error) as cm:
            self.migrator().has_pending(None)
        e = cm.exception
        self.assertEqual(GLib.quark_from_string(e.domain), Gander.Error.quark())
        self.assertEqual(Gander.Error(e.code), Gander.Error.MISSING_MIGRATIONS)
        self.assertTrue(e.matches(Gander.Error.quark(), Gander.Error.MISSING_MIGRATIONS))
        self.assertFalse(e.matches(Gander.Error.quark(), Gander.Error.PARSE))
        self.assertFalse(e.matches(Gio.io_error_quark(), e.code))
        self.assertEqual(Gio.DBusError.encode_gerror(e),
                         'org.gander.Migrator1.Error.MissingMigrations')


class TestMetrics(GanderTestCase):
    """GanderMetrics: labels as a flat list, lookup's out value, the
    textfile carried over between objects, parse errors as GLib.Error."""

    def test_record_write_merge(self):
        app = ['profile', 'app', 'environment', 'production']
        path = os.path.join(self.tmpdir, 'gander.prom')
        for _ in range(2):
            metrics = Gander.Metrics.new()
            metrics.inc('gander_migrations_applied_total', app + ['direction', 'up'], 2)
            metrics.set('gander_schema_version', app, 20260101000000)
            metrics.observe('gander_run_duration_seconds',
                            app + ['operation', 'up', 'result', 'ok'], 0.2)
            self.assertTrue(metrics.write_textfile(path))
        self.assertEqual(metrics.lookup('gander_migrations_applied_total',
                                        app + ['direction', 'up']), (True, 2.0))
        self.assertEqual(metrics.lookup('gander_dirty', app), (False, 0.0))

        with open(path, encoding='utf-8') as f:
            text = f.read()
        back = Gander.Metrics.new()
        self.assertTrue(back.merge_text(text))
        self.assertEqual(back.lookup('gander_migrations_applied_total',
                                     app + ['direction', 'up']), (True, 4.0))
        self.assertEqual(back.lookup('gander_run_duration_seconds',
                                     app + ['operation', 'up', 'result', 'ok']), (True, 2.0))
        self.assertIn('gander_schema_version{profile="app",environment="production"} '
                      '20260101000000\n', back.to_text())

        with self.assertRaises(GLib.Error) as cm:
            back.merge_text('gander_dirty{profile="app" 1\n')
        self.assertTrue(cm.exception.matches(Gander.Error.quark(), Gander.Error.PARSE))
        self.assertIn('line 1:', cm.exception.message)


class TestRefresh(GanderTestCase):
    """current-version and pending-count are right before any operation
    has run (issue 7, item 16)."""

    def test_refresh(self):
        self.write_steps(3)
        self.migrator().up_to(2, None)
        m = self.migrator()
        self.assertEqual((m.props.current_version, m.props.pending_count), (0, 0))
        self.assertTrue(m.refresh(None))
        self.assertEqual((m.props.current_version, m.props.pending_count), (2, 1))

        # the first read-only operation does it too
        m = self.migrator()
        self.assertTrue(m.has_pending(None))
        self.assertEqual((m.props.current_version, m.props.pending_count), (2, 1))

    def test_refresh_async_notifies_in_main_thread(self):
        self.write_steps(3)
        self.migrator().up_to(2, None)
        m = self.migrator()
        rec = Recorder(self, m)
        ok, error = self.run_async(m.refresh_async, m.refresh_finish)
        self.assertIsNone(error)
        self.assertIs(ok, True)
        self.assertEqual(rec.versions, [2])
        self.assertEqual(rec.pending, [1])
        self.assertEqual(rec.threads, {self.main_thread})
        rec.disconnect()

    def test_refresh_creates_nothing(self):
        self.write_steps(2)
        m = self.migrator()
        self.assertTrue(m.refresh(None))
        self.assertEqual((m.props.current_version, m.props.pending_count), (0, 2))
        self.assertFalse(self.table_exists('goose_db_version'))


class TestProfile(unittest.TestCase):
    """A Python application builds a profile and reads it back."""

    def test_build_and_read(self):
        p = Gander.Profile.new('alerts')
        self.assertEqual(p.get_name(), 'alerts')
        self.assertIsNone(Gander.Profile.new(None).props.name)
        self.assertTrue(p.set('driver', 'sqlite3', 'my-app'))
        self.assertTrue(p.set('dbstring', '/tmp/alerts.db', 'my-app'))
        self.assertTrue(p.set('environment', 'production', None))
        self.assertEqual(p.get_driver(), 'sqlite3')
        self.assertEqual(p.get_environment(), 'production')
        self.assertEqual(p.get_origin('environment'), 'gander_profile_set()')
        self.assertEqual(p.get_lock_timeout(), 10 * GLib.TIME_SPAN_SECOND)
        self.assertEqual(p.get_origin('lock-timeout'),
                         'built-in [environment production]')
        self.assertEqual(p.get_timeout(), 30 * 60 * GLib.TIME_SPAN_SECOND)
        self.assertEqual(p.get_checksum_drift(), Gander.PolicyLevel.ERROR)
        self.assertEqual(p.get_retry_multiplier(), 2.0)
        self.assertTrue(p.command_needs_confirmation('clear-dirty'))
        self.assertTrue(p.command_allowed('up'))
        keys = p.list_keys()
        self.assertIn('breaker-open', keys)
        self.assertEqual(keys, sorted(keys))
        self.assertTrue(p.apply_environ(['GOOSE_TABLE=t1']))
        self.assertEqual(p.get('table'), 't1')
        self.assertEqual(p.get_origin('table'), 'GOOSE_TABLE')

    def test_config_files(self):
        tmp = tempfile.mkdtemp(prefix='gander-py-config-')
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, 'gander.conf')
        with open(path, 'w') as f:
            f.write('[gander]\ndefault-environment=staging\n'
                    '[profile alerts]\ndriver=sqlite3\ndbstring=a.db\n'
                    'lock-timeout=3s\n')
        config = Gander.Config.new()
        self.assertTrue(config.load_file(path))
        self.assertEqual(config.get_files(), [path])
        self.assertEqual(config.list_profiles(), ['alerts'])
        self.assertEqual(config.list_environments(),
                         ['development', 'staging', 'production'])
        p = config.resolve('alerts', None)
        self.assertEqual(p.get_environment(), 'staging')
        self.assertEqual(p.get_lock_timeout(), 3 * GLib.TIME_SPAN_SECOND)
        self.assertEqual(p.get_origin('lock-timeout'),
                         path + ':6 [profile alerts]')
        with self.assertRaises(GLib.Error) as cm:
            config.resolve('alert', None)
        self.assertIn('alerts', cm.exception.message)

    def test_bad_value_raises(self):
        p = Gander.Profile.new(None)
        with self.assertRaises(GLib.Error) as cm:
            p.set('lock-timout', '5s', '--lock-timout')
        self.assertTrue(cm.exception.matches(Gander.error_quark(),
                                             Gander.Error.CONFIG))
        self.assertIn('lock-timeout', cm.exception.message)


if __name__ == '__main__':
    unittest.main(verbosity=2)
