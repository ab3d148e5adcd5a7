# test-cli-backup.py: backup, backups, backups prune, restore and health
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Issue 9 seen from the command line, against SQLite files: the backup
# flags are profile keys at the flag layer (`gander config` shows them),
# and a flag never lowers a backup the configuration requires (exit 4,
# nothing written).

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os

from clitest import CliTestCase, main


def file_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


class BackupCliTestCase(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('migrations', 3)
        self.db = self.path('app.db')
        # no configuration or state from the machine running the tests
        self.env['XDG_CONFIG_HOME'] = self.mkdir('xdg-config')
        self.env['XDG_STATE_HOME'] = self.mkdir('xdg-state')
        self.env['GANDER_SYSCONFDIR'] = self.mkdir('etc')
        self.env['GANDER_STATE_DIR'] = self.mkdir('state')
        for name in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                     'GANDER_METRICS_FILE'):
            self.env.pop(name, None)

    def g(self, *args, **kwargs):
        return self.gander('-dir', self.dir, 'sqlite3', self.db, *args, **kwargs)


class FlagsTest(BackupCliTestCase):
    def test_flags_are_profile_keys(self):
        r = self.g('--environment', 'staging', 'config', '--no-backup', '--backup-dir',
                   self.path('bk'), '--keep', '3', '--max-age', '720h')
        self.assertSuccess(r)
        settings = dict(line.split('#', 1)[0].strip().split('=', 1)
                        for line in r.out.splitlines() if not line.startswith('#'))
        self.assertEqual(settings['backup'], 'off')
        self.assertEqual(settings['backup-dir'], self.path('bk'))
        self.assertEqual(settings['backup-keep'], '3')
        self.assertEqual(settings['backup-max-age'], '720h')
        self.assertIn('# --no-backup', r.out)
        r = self.g('--environment', 'development', 'config', '--json', '--backup=required')
        self.assertSuccess(r)
        self.assertEqual(r.json()['settings']['backup'], {'value': 'required',
                                                          'origin': '--backup'})

    def test_no_backup_refused_in_production(self):
        self.assertSuccess(self.g('up-to', '1'))
        before = file_bytes(self.db)
        for flag in (['--no-backup'], ['--backup=off'], ['--backup', 'optional']):
            with self.subTest(flag=flag):
                r = self.g('--environment', 'production', 'up', *flag)
                self.assertExit(r, 4)
                self.assertIn('refused: ', r.err)
                self.assertIn('rule backup', r.err)
                self.assertIn('backup=required', r.err)
                self.assertEqual(file_bytes(self.db), before)
        r = self.g('--environment', 'production', 'up', '--no-backup', '--json')
        self.assertExit(r, 4)
        self.assertIn('rule backup', r.json()['error'])
        # where the configuration asks for no more, it is a plain choice
        r = self.g('--environment', 'staging', 'up', '--no-backup')
        self.assertSuccess(r)
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])

    def test_configuration_may_lower_it(self):
        conf = self.write('gander.conf', '[environment production]\nbackup=off\n')
        r = self.g('--config', conf, '--environment', 'production', 'up', '--no-backup')
        self.assertSuccess(r)

    def test_usage_errors(self):
        for args in (['--backup=maybe', 'status'], ['status', '--keep', 'x'],
                     ['status', '--keep=-1'], ['status', '--max-age', '3 days'],
                     ['status', '--backup-dir='], ['--no-backup', '--backup=required', 'up']):
            with self.subTest(args=args):
                r = self.g(*args)
                self.assertExit(r, 2)
        self.assertFalse(os.path.exists(self.db))


if __name__ == '__main__':
    main()
