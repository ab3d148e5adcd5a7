# test_manager.py: GanderManager through PyGObject and the uninstalled
# typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson (suite "python") like test_gander.py. Each test works on a
# real SQLite file in a temporary directory, with the breaker state kept
# there too (GANDER_STATE_DIR).

import hashlib
import os
import shutil
import tempfile
import threading
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gio, Gander  # noqa: E402

LOOP_TIMEOUT_S = 60

MIGRATIONS = {
    '00001_a.sql': '-- +goose Up\nCREATE TABLE a (x INTEGER);\n'
                   '-- +goose Down\nDROP TABLE a;\n',
    '00002_b.sql': '-- +goose Up\nCREATE TABLE b (x INTEGER);\n'
                   'INSERT INTO b VALUES (1);\n'
                   '-- +goose Down\nDROP TABLE b;\n',
}


class ManagerTestCase(unittest.TestCase):
    def setUp(self):
        self.tmpdir = tempfile.mkdtemp(prefix='gander-py-manager-')
        self.migdir = os.path.join(self.tmpdir, 'migrations')
        os.mkdir(self.migdir)
        for name, text in MIGRATIONS.items():
            with open(os.path.join(self.migdir, name), 'w') as f:
                f.write(text)
        self.dbpath = os.path.join(self.tmpdir, 'alerts.db')
        os.environ['GANDER_STATE_DIR'] = os.path.join(self.tmpdir, 'state')

    def tearDown(self):
        shutil.rmtree(self.tmpdir)

    def profile(self, environment, name='alerts'):
        profile = Gander.Profile.new(name)
        for key, value in (('driver', 'sqlite3'), ('dbstring', self.dbpath),
                           ('dir', self.migdir),
                           ('environment', environment)):
            self.assertTrue(profile.set(key, value, 'test_manager.py'))
        return profile

    def digest(self):
        with open(self.dbpath, 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()


class TestManager(ManagerTestCase):
    def test_up_report(self):
        manager = Gander.Manager.new(self.profile('development'))
        report = manager.execute(Gander.Operation.UP, 0, None, None)
        self.assertEqual(report.get_outcome(), Gander.RunOutcome.OK)
        self.assertEqual(report.get_operation(), 'up')
        self.assertEqual(report.get_from_version(), 0)
        self.assertEqual(report.get_to_version(), 2)
        self.assertEqual([r.get_version() for r in report.get_results()],
                         [1, 2])
        self.assertEqual(len(report.get_run_id()), 36)
        self.assertIsInstance(report.get_started_at(), GLib.DateTime)
        self.assertGreater(report.get_duration(), 0)
        self.assertEqual(report.get_warnings(), [])
        self.assertIsNone(report.get_refused_rule())
        self.assertEqual(manager.get_last_report().get_run_id(),
                         report.get_run_id())

    def test_refusal_is_an_exception_with_a_report(self):
        Gander.Manager.new(self.profile('development')).execute(
            Gander.Operation.UP, 0, None, None)
        manager = Gander.Manager.new(self.profile('production'))
        before = self.digest()
        with self.assertRaises(GLib.Error) as caught:
            manager.execute(Gander.Operation.DOWN, 0, None, None)
        self.assertTrue(caught.exception.matches(
            Gander.error_quark(), Gander.Error.CONFIRMATION_REQUIRED))
        self.assertIn('--confirm=alerts', caught.exception.message)
        report = manager.get_last_report()
        self.assertEqual(report.get_outcome(), Gander.RunOutcome.REFUSED)
        self.assertEqual(report.get_refused_rule(), 'require-confirmation')
        self.assertEqual(self.digest(), before)

        options = Gander.RunOptions(confirmation='alerts',
                                    reason='test rollback')
        self.assertEqual(options.props.via, 'library')
        report = manager.execute(Gander.Operation.DOWN, 0, options, None)
        self.assertEqual(report.get_to_version(), 1)

    def test_dry_run_plan(self):
        manager = Gander.Manager.new(self.profile('production'))
        options = Gander.RunOptions(dry_run=True)
        report = manager.execute(Gander.Operation.UP_TO, 2, options, None)
        self.assertTrue(report.get_dry_run())
        plan = report.get_plan()
        self.assertEqual(plan.get_n_steps(), 2)
        step = plan.get_step(1)
        self.assertEqual(list(step.get_statements()),
                         ['CREATE TABLE b (x INTEGER);',
                          'INSERT INTO b VALUES (1);'])
        self.assertEqual(step.get_statement_line(1), 3)
        self.assertFalse(os.path.exists(self.dbpath))

    def test_backup_report(self):
        manager = Gander.Manager.new(self.profile('development'))
        manager.execute(Gander.Operation.UP_TO, 1, None, None)
        report = manager.execute(Gander.Operation.BACKUP, 0, None, None)
        backup = report.get_backup()
        self.assertIsInstance(backup, Gander.BackupInfo)
        self.assertTrue(backup.get_verified())
        self.assertEqual(backup.get_version(), 1)
        self.assertTrue(os.path.isfile(backup.get_path()))
        store = manager.get_backup_store()
        self.assertTrue(backup.get_path().startswith(store.get_directory()))
        self.assertEqual([b.get_id() for b in manager.list_backups()],
                         [backup.get_id()])

        manager.execute(Gander.Operation.UP, 0, None, None)
        options = Gander.RunOptions(backup_id=backup.get_id()[:12],
                                    confirmation='alerts')
        report = manager.execute(Gander.Operation.RESTORE, 0, options, None)
        self.assertEqual(report.get_backup().get_id(), backup.get_id())
        self.assertEqual(report.get_to_version(), 1)
        health = manager.execute(Gander.Operation.HEALTH, 0, None,
                                 None).get_health()
        self.assertIn('connectivity', [r.get_name() for r in health])

    def test_auto_migrate(self):
        production = Gander.Manager.new(self.profile('production'))
        with self.assertRaises(GLib.Error) as caught:
            production.auto_migrate(None, None)
        self.assertTrue(caught.exception.matches(
            Gander.error_quark(), Gander.Error.POLICY_DENIED))
        self.assertIn('2 migrations are pending', caught.exception.message)
        self.assertEqual(production.get_last_report().get_refused_rule(),
                         'auto-migrate')

        development = Gander.Manager.new(self.profile('development'))
        report = development.auto_migrate(None, None)
        self.assertEqual(report.get_to_version(), 2)

    def test_operation_names(self):
        self.assertEqual(
            Gander.operation_to_string(Gander.Operation.ACCEPT_CHECKSUM),
            'accept-checksum')
        ok, op = Gander.operation_from_string('down-to')
        self.assertTrue(ok)
        self.assertEqual(op, Gander.Operation.DOWN_TO)


class TestManagerAsync(ManagerTestCase):
    def test_signals_in_main_context(self):
        manager = Gander.Manager.new(self.profile('development'))
        loop = GLib.MainLoop()
        main_thread = threading.get_ident()
        steps = []
        fractions = []
        migrations = []
        result = {}

        def on_step(m, step, fraction):
            self.assertEqual(threading.get_ident(), main_thread)
            steps.append(step)
            fractions.append(fraction)

        def on_started(migrator, migration, direction):
            migrations.append(migration.get_version())

        def done(m, res):
            try:
                result['report'] = m.execute_finish(res)
            except GLib.Error as e:
                result['error'] = e
            loop.quit()

        manager.connect('step-changed', on_step)
        manager.get_migrator().connect('migration-started', on_started)
        manager.execute_async(Gander.Operation.UP, 0, None, None, done)
        GLib.timeout_add_seconds(LOOP_TIMEOUT_S, loop.quit)
        loop.run()

        self.assertNotIn('error', result)
        # no checks before on a file that does not exist yet
        self.assertEqual(steps,
                         ['policy', 'validate', 'plan', 'lint', 'apply',
                          'health-post', 'finish'])
        self.assertEqual(fractions, sorted(fractions))
        self.assertEqual(migrations, [1, 2])
        self.assertFalse(manager.props.busy)
        self.assertEqual(manager.props.fraction, 1.0)
        self.assertEqual(manager.props.step, 'finish')

    def test_cancel(self):
        manager = Gander.Manager.new(self.profile('development'))
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as caught:
            manager.execute(Gander.Operation.UP, 0, None, cancellable)
        self.assertTrue(caught.exception.matches(
            Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertEqual(manager.get_last_report().get_outcome(),
                         Gander.RunOutcome.CANCELLED)


if __name__ == '__main__':
    unittest.main(verbosity=2)
