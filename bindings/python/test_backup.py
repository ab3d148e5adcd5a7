# test_backup.py: GanderBackup and GanderBackupInfo through PyGObject and
# the uninstalled typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson (suite "python"). Real SQLite files in a temporary
# directory: a backup taken and restored, the manifest's properties as
# Python values (GDateTime, gint64, guint64), list/lookup, the verify
# enum's nicks, errors in the Gander domain, and the async form with
# progress notified in the main loop's thread.

import json
import os
import shutil
import sqlite3
import tempfile
import threading
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gio, Gander  # noqa: E402


class BackupTestCase(unittest.TestCase):
    def setUp(self):
        self.tmpdir = tempfile.mkdtemp(prefix='gander-py-backup-')
        self.dbpath = os.path.join(self.tmpdir, 'app.db')
        self.backupdir = os.path.join(self.tmpdir, 'backups')
        con = sqlite3.connect(self.dbpath)
        con.executescript(
            'CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY '
            'AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER '
            'NOT NULL, tstamp TIMESTAMP DEFAULT (datetime(\'now\')));'
            'INSERT INTO goose_db_version (version_id, is_applied) '
            'VALUES (0, 1), (7, 1);'
            'CREATE TABLE t (x INTEGER, pad BLOB);')
        con.executemany('INSERT INTO t VALUES (?, randomblob(1000))',
                        [(i,) for i in range(2000)])
        con.commit()
        con.close()
        db = Gander.Database.new_for_driver('sqlite3', self.dbpath)
        self.backup = Gander.Backup.new(db, self.backupdir)

    def tearDown(self):
        shutil.rmtree(self.tmpdir)

    def count(self):
        con = sqlite3.connect(self.dbpath)
        try:
            return con.execute('SELECT count(*) FROM t').fetchone()[0]
        finally:
            con.close()

    def test_create_restore(self):
        self.backup.props.profile_name = 'app'
        self.backup.props.verify = Gander.BackupVerify.FULL
        info = self.backup.create(None)
        self.assertEqual(info.get_driver(), 'sqlite3')
        self.assertEqual(info.get_version(), 7)
        self.assertEqual(info.props.profile, 'app')
        self.assertTrue(info.get_verified())
        self.assertEqual(info.get_verify_method(), 'integrity_check')
        self.assertEqual(info.get_size(), os.path.getsize(info.get_path()))
        self.assertIsInstance(info.get_created_at(), GLib.DateTime)
        self.assertEqual(info.get_created_at().get_utc_offset(), 0)
        manifest = json.loads(info.to_json())
        self.assertEqual(manifest['id'], info.get_id())
        self.assertEqual(manifest['file'], os.path.basename(info.get_path()))
        self.assertEqual(os.stat(self.backupdir).st_mode & 0o777, 0o700)

        con = sqlite3.connect(self.dbpath)
        con.execute('DELETE FROM t WHERE x >= 10')
        con.commit()
        con.close()
        self.assertEqual(self.count(), 10)
        self.assertTrue(self.backup.restore(info, None))
        self.assertEqual(self.count(), 2000)

        listed = self.backup.list()
        self.assertEqual([i.get_id() for i in listed], [info.get_id()])
        self.assertEqual(self.backup.lookup('latest').get_id(), info.get_id())
        self.assertTrue(self.backup.verify(info, None))

    def test_errors(self):
        with self.assertRaises(GLib.Error) as caught:
            self.backup.lookup('20010101')
        self.assertTrue(caught.exception.matches(Gander.error_quark(),
                                                 Gander.Error.NOT_FOUND))
        with self.assertRaises(GLib.Error) as caught:
            Gander.BackupInfo.load(os.path.join(self.tmpdir, 'app.db'))
        self.assertTrue(caught.exception.matches(Gander.error_quark(),
                                                 Gander.Error.BACKUP))
        self.assertEqual(list(self.backup.list()), [])

    def test_default_directory(self):
        path = Gander.Backup.default_directory('billing')
        self.assertTrue(path.endswith(os.path.join('backups', 'billing')))

    def test_async_progress(self):
        loop = GLib.MainLoop()
        main_thread = threading.current_thread()
        seen = []
        got = {}

        def on_progress(obj, pspec):
            seen.append((obj.props.progress,
                         threading.current_thread() is main_thread))

        def done(obj, result):
            got['info'] = obj.create_finish(result)
            loop.quit()

        self.backup.connect('notify::progress', on_progress)
        self.backup.create_async(None, done)
        GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        # the last notifications may still be queued behind the callback
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass
        self.assertIsNotNone(got.get('info'))
        self.assertTrue(all(in_main for _, in_main in seen))
        self.assertEqual(seen[-1][0], 1.0)
        self.assertGreaterEqual(len(seen), 2)

    def test_cancelled(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as caught:
            self.backup.create(cancellable)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.CANCELLED))
        left = os.listdir(self.backupdir) if os.path.isdir(self.backupdir) else []
        self.assertEqual(left, [])


if __name__ == '__main__':
    unittest.main(verbosity=2)
