# test_health.py: GanderHealth through PyGObject and the uninstalled
# typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson (suite "python"). Real SQLite files in a temporary
# directory: the checks' results as Python objects, the enums' nicks, the
# string-list properties, and the async form in a GLib main loop.

import os
import shutil
import tempfile
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gio, Gander  # noqa: E402

MIGRATIONS = {
    '00001_a.sql': '-- +goose Up\nCREATE TABLE a (x INTEGER);\n'
                   '-- +goose Down\nDROP TABLE a;\n',
    '00002_b.sql': '-- +goose Up\nCREATE TABLE b (x INTEGER);\n'
                   '-- +goose Down\nDROP TABLE b;\n',
}


class HealthTestCase(unittest.TestCase):
    def setUp(self):
        self.tmpdir = tempfile.mkdtemp(prefix='gander-py-health-')
        migdir = os.path.join(self.tmpdir, 'migrations')
        os.mkdir(migdir)
        for name, text in MIGRATIONS.items():
            with open(os.path.join(migdir, name), 'w') as f:
                f.write(text)
        self.dbpath = os.path.join(self.tmpdir, 'app.db')
        db = Gander.Database.new_for_driver('sqlite3', self.dbpath)
        source = Gander.Source.new_for_path(migdir, Gander.SourceFlags.NONE, None)
        self.migrator = Gander.Migrator.new(db, source)

    def tearDown(self):
        shutil.rmtree(self.tmpdir)

    def test_names(self):
        names = Gander.Health.check_names(Gander.HealthPhase.BEFORE)
        self.assertEqual(names[0], 'connectivity')
        self.assertIn('blocking-locks', names)
        self.assertNotIn('target-version',
                         Gander.Health.check_names(Gander.HealthPhase.ANY))

    def test_run(self):
        self.migrator.up(None)
        health = Gander.Health.new(self.migrator)
        health.props.target_version = 2
        health.props.post_check_sql = ['SELECT x FROM a', 'SELECT 1 WHERE 0']
        self.assertEqual(list(health.props.post_check_sql),
                         ['SELECT x FROM a', 'SELECT 1 WHERE 0'])
        results = health.run(Gander.HealthPhase.AFTER, None)
        by_name = {r.get_name(): r for r in results}
        self.assertEqual(by_name['target-version'].get_status(),
                         Gander.HealthStatus.OK)
        self.assertEqual(by_name['integrity'].props.status,
                         Gander.HealthStatus.OK)
        self.assertEqual(by_name['post-check-sql'].get_status(),
                         Gander.HealthStatus.OK)
        self.assertEqual(by_name['post-check-sql#2'].get_phase(),
                         Gander.HealthPhase.AFTER)
        self.assertGreaterEqual(by_name['integrity'].get_duration(), 0)
        self.assertEqual(Gander.health_status_to_string(Gander.HealthStatus.WARN), 'warn')

        # a row is a failure, with the value in the message
        self.migrator.get_database().exec('INSERT INTO a VALUES (7)', None)
        health.props.checks = ['post-check-sql']
        results = health.run(Gander.HealthPhase.AFTER, None)
        self.assertEqual([r.get_name() for r in results],
                         ['post-check-sql', 'post-check-sql#2'])
        self.assertEqual(results[0].get_status(), Gander.HealthStatus.FAIL)
        self.assertIn('returned a row: 7', results[0].get_message())

    def test_unknown_check(self):
        health = Gander.Health.new(self.migrator)
        health.set_checks(['writeable'])
        with self.assertRaises(GLib.Error) as caught:
            health.run(Gander.HealthPhase.BEFORE, None)
        self.assertTrue(caught.exception.matches(Gander.error_quark(),
                                                 Gander.Error.INVALID_ARGUMENT))

    def test_async(self):
        health = Gander.Health.new(self.migrator)
        loop = GLib.MainLoop()
        got = {}

        def done(obj, result):
            got['results'] = obj.run_finish(result)
            loop.quit()

        health.run_async(Gander.HealthPhase.BEFORE, None, done)
        GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        names = [r.get_name() for r in got['results']]
        self.assertEqual(names, ['connectivity', 'writable', 'version-table',
                                 'disk-space'])
        # the database did not exist: the checks did not create it
        self.assertFalse(os.path.exists(self.dbpath))

    def test_cancelled(self):
        health = Gander.Health.new(self.migrator)
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as caught:
            health.run(Gander.HealthPhase.ANY, cancellable)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.CANCELLED))


if __name__ == '__main__':
    unittest.main(verbosity=2)
