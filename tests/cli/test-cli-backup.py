# test-cli-backup.py: backup, backups, backups prune, restore and health
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Issue 9's commands seen from the command line, against SQLite files: a
# backup listed as text and JSON (the manifest's keys), the database changed
# and restored with --confirm, restore refused without a confirmation (exit
# 4) and failing for an unknown id (exit 1), pruning, the backup a
# production run takes, the backup flags as profile keys at the flag layer
# (a flag never lowers a required backup: exit 4, nothing written), and
# `health` failing on a post-check-sql query.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import hashlib
import os
import re
import sqlite3
import stat

from clitest import CliTestCase, main

MANIFEST_KEYS = {'format', 'id', 'file', 'profile', 'environment', 'driver', 'dsn', 'database', 'table',
                 'version', 'created_at', 'size', 'sha256', 'tool_version', 'server_version',
                 'verified', 'verify_method', 'duration_ms', 'gander_version'}
HEALTH_KEYS = {'name', 'status', 'message', 'duration_ms', 'phase'}
BACKUP_LINE = re.compile(r'^backup (\d{8}T\d{6}\.\d{6}Z) written to (/\S+) '
                         r'\((\d+(\.\d)? [kMG]?B|\d+ bytes), verified\)$')


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
        # the default directory of an ad hoc database: named after the file
        # and the first 8 hex digits of the SHA-256 of its absolute path
        digest = hashlib.sha256(os.path.abspath(self.db).encode()).hexdigest()
        self.backups = os.path.join(self.tmp, 'state', 'backups', 'app.db-' + digest[:8])

    def g(self, *args, **kwargs):
        return self.gander('-dir', self.dir, 'sqlite3', self.db, *args, **kwargs)

    def backup_line(self, result):
        lines = [l for l in result.lines if BACKUP_LINE.match(l)]
        self.assertEqual(len(lines), 1, repr(result))
        return BACKUP_LINE.match(lines[0])

    def take(self, *args):
        r = self.g('backup', *args)
        self.assertSuccess(r)
        return self.backup_line(r).group(1)

    def listed(self):
        r = self.g('backups', '--json')
        self.assertSuccess(r)
        return r.json()['backups']

    def rows(self):
        return self.query(self.db, 'SELECT id FROM t1 ORDER BY id')

    def exec(self, sql):
        con = sqlite3.connect(self.db)
        try:
            con.execute(sql)
            con.commit()
        finally:
            con.close()


class BackupRestoreTest(BackupCliTestCase):
    def setUp(self):
        super().setUp()
        self.assertSuccess(self.g('up'))
        for i in range(5):
            self.exec('INSERT INTO t1 VALUES (%d)' % i)

    def test_round_trip(self):
        r = self.g('backup')
        self.assertSuccess(r)
        m = self.backup_line(r)
        backup_id, archive = m.group(1), m.group(2)
        self.assertEqual(os.path.dirname(archive), self.backups)
        self.assertTrue(os.path.isfile(archive))
        self.assertEqual(stat.S_IMODE(os.stat(archive).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.backups).st_mode), 0o700)

        # the list as a person reads it
        r = self.g('backups')
        self.assertSuccess(r)
        out = r.out.splitlines()
        self.assertEqual(out[0], '# ' + self.backups)
        self.assertEqual(out[1].split(), ['ID', 'CREATED', '(UTC)', 'VERSION', 'SIZE',
                                          'VERIFIED'])
        self.assertEqual(len(out), 3, r.out)
        self.assertTrue(out[2].startswith(backup_id + ' '), out[2])
        self.assertRegex(out[2], r' 3 +\S+ [kMG]?B +yes \(\w+\)$')

        # and as a script reads it: the manifest's keys
        r = self.g('backups', '--json')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(doc['command'], 'backups')
        self.assertIsNone(doc['error'])
        self.assertEqual(doc['directory'], self.backups)
        self.assertEqual(len(doc['backups']), 1)
        b = doc['backups'][0]
        self.assertEqual(set(b), MANIFEST_KEYS)
        self.assertEqual(b['id'], backup_id)
        self.assertEqual(b['file'], os.path.basename(archive))
        self.assertEqual(b['driver'], 'sqlite3')
        self.assertEqual(b['version'], 3)
        self.assertTrue(b['verified'])
        self.assertEqual(b['size'], os.path.getsize(archive))
        self.assertEqual(b['environment'], 'development')

        # change the data, then put the backup back
        self.exec('DELETE FROM t1')
        self.exec('DROP TABLE t3')
        r = self.g('restore', backup_id, '--confirm', 'app.db')
        self.assertSuccess(r)
        self.assertLogged(r, 'restore: backup %s' % backup_id)
        self.assertEqual(self.rows(), [(i,) for i in range(5)])
        self.assertIn('t3', self.tables(self.db))
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])

    def test_backup_json_and_latest(self):
        r = self.g('backup', '--json')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(doc['command'], 'backup')
        self.assertEqual(set(doc['backup']), MANIFEST_KEYS)
        first = doc['backup']['id']
        self.exec('DELETE FROM t1 WHERE id < 3')
        second = self.take()
        self.assertNotEqual(first, second)
        self.assertEqual([b['id'] for b in self.listed()], [second, first])
        self.exec('DELETE FROM t1')
        # "latest" is the newest; a unique prefix names one too
        r = self.g('restore', 'latest', '--confirm=app.db', '--json')
        self.assertSuccess(r)
        self.assertEqual(r.json()['backup']['id'], second)
        self.assertEqual(self.rows(), [(3,), (4,)])
        r = self.g('restore', first, '--confirm=app.db')
        self.assertSuccess(r)
        self.assertEqual(self.rows(), [(i,) for i in range(5)])

    def test_restore_needs_confirmation_everywhere(self):
        backup_id = self.take()
        self.exec('DELETE FROM t1')
        before = file_bytes(self.db)
        for env in ('development', 'staging', 'production'):
            with self.subTest(env=env):
                r = self.g('--environment', env, 'restore', backup_id)
                self.assertExit(r, 4)
                self.assertIn('refused: ', r.err)
                self.assertIn('--confirm=app.db', r.err)
                self.assertEqual(file_bytes(self.db), before)
        r = self.g('restore', backup_id, '--confirm', 'other.db')
        self.assertExit(r, 4)
        self.assertEqual(file_bytes(self.db), before)

    def test_unknown_id(self):
        self.take()
        for args in (['restore', '19990101T000000.000000Z', '--confirm', 'app.db'],
                     ['restore', 'nosuch']):
            with self.subTest(args=args):
                r = self.g(*args)
                self.assertExit(r, 1)
                self.assertIn('gander backups', r.err)
                self.assertEqual(self.rows(), [(i,) for i in range(5)])

    def test_prune_keep(self):
        ids = [self.take() for _ in range(3)]
        r = self.g('backups', 'prune', '--keep', '1')
        self.assertSuccess(r)
        self.assertLogged(r, 'backups prune: 2 backups removed')
        for backup_id in ids[:2]:
            self.assertLogged(r, 'removed backup %s' % backup_id)
        self.assertEqual([b['id'] for b in self.listed()], [ids[2]])
        self.assertEqual(sorted(os.listdir(self.backups)),
                         sorted([ids[2] + '.json', ids[2] + '.sqlite3']))
        r = self.g('backups', 'prune', '--keep=1', '--json')
        self.assertSuccess(r)
        self.assertEqual(r.json()['removed'], [])

    def test_backup_dir_flag(self):
        other = self.path('elsewhere')
        r = self.g('backup', '--backup-dir', other)
        self.assertSuccess(r)
        self.assertEqual(os.path.dirname(self.backup_line(r).group(2)), other)
        self.assertEqual(len(self.g('backups', '--json', '--backup-dir', other).json()['backups']),
                         1)
        self.assertFalse(os.path.exists(self.backups))

    def test_empty_list(self):
        r = self.g('backups')
        self.assertSuccess(r)
        self.assertEqual(r.out, '')
        self.assertLogged(r, 'no backups in %s yet' % self.backups)
        self.assertEqual(self.listed(), [])


class PipelineBackupTest(BackupCliTestCase):
    def test_production_up_takes_a_backup(self):
        self.assertSuccess(self.g('up-to', '1'))
        r = self.g('--environment', 'production', 'up')
        self.assertSuccess(r)
        m = self.backup_line(r)
        listed = self.listed()
        self.assertEqual([b['id'] for b in listed], [m.group(1)])
        # the copy was taken before the migrations ran
        self.assertEqual(listed[0]['version'], 1)
        self.assertEqual(listed[0]['environment'], 'production')
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])
        # nothing to do: no backup
        r = self.g('--environment', 'production', 'up')
        self.assertSuccess(r)
        self.assertFalse(any(BACKUP_LINE.match(l) for l in r.lines), repr(r))
        self.assertEqual(len(self.listed()), 1)

    def test_development_takes_none(self):
        r = self.g('--environment', 'development', 'up')
        self.assertSuccess(r)
        self.assertFalse(any(BACKUP_LINE.match(l) for l in r.lines), repr(r))
        self.assertEqual(self.listed(), [])

    def test_backup_flag_asks_for_one(self):
        self.assertSuccess(self.g('up-to', '1'))
        r = self.g('--backup=required', 'up', '--json')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(set(doc['backup']), MANIFEST_KEYS)
        self.assertEqual(doc['backup']['version'], 1)
        self.assertEqual(doc['current_version'], 3)
        self.assertIsInstance(doc['health'], list)

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

    def test_configuration_may_lower_it(self):
        conf = self.write('gander.conf', '[environment production]\nbackup=off\n')
        r = self.g('--config', conf, '--environment', 'production', 'up', '--no-backup')
        self.assertSuccess(r)
        self.assertEqual(self.listed(), [])

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
        self.assertIn('rule backup', r.json()['error']['message'])
        self.assertEqual(self.listed(), [])
        # where no backup is required it is a plain choice
        r = self.g('--environment', 'staging', 'up', '--no-backup')
        self.assertSuccess(r)
        self.assertEqual(self.listed(), [])

    def test_usage_errors(self):
        for args in (['--backup=maybe', 'backup'], ['backup', '--keep', 'x'],
                     ['backups', '--max-age', '3 days'], ['backups', 'list'],
                     ['restore'], ['restore', 'a', 'b'], ['backup', 'now'],
                     ['health', 'all'], ['--no-backup', '--backup=required', 'up'],
                     ['backup', '--dry-run'], ['status', '--keep=-1'],
                     ['status', '--backup-dir=']):
            with self.subTest(args=args):
                r = self.g(*args)
                self.assertExit(r, 2)
        self.assertFalse(os.path.exists(self.db))


class HealthTest(BackupCliTestCase):
    def test_health_ok(self):
        self.assertSuccess(self.g('up'))
        r = self.g('health')
        self.assertSuccess(r)
        lines = [line.split() for line in r.out.splitlines() if not line.startswith(' ')]
        names = [line[1] for line in lines]
        for name in ('connectivity', 'writable', 'version-table', 'integrity'):
            self.assertIn(name, names)
        self.assertTrue(all(line[0] in ('ok', 'warn', 'skipped') for line in lines), r.out)
        self.assertLogged(r, 'health: ')

    def test_failing_post_check_sql(self):
        self.assertSuccess(self.g('up'))
        conf = self.write('gander.conf', "[gander]\n"
                          "post-check-sql=SELECT 'orphan row ' || 42;SELECT 1 WHERE 0\n")
        r = self.g('--config', conf, 'health', '--json')
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc['command'], 'health')
        self.assertEqual(doc['status'], 'fail')
        self.assertIsNotNone(doc['error'])
        checks = {c['name']: c for c in doc['checks']}
        for c in doc['checks']:
            self.assertEqual(set(c), HEALTH_KEYS)
        self.assertEqual(checks['post-check-sql']['status'], 'fail')
        self.assertIn('orphan row 42', checks['post-check-sql']['message'])
        self.assertEqual(checks['post-check-sql#2']['status'], 'ok')
        self.assertEqual(checks['connectivity']['status'], 'ok')
        # as text: the failing line, exit 1
        r = self.g('--config', conf, 'health')
        self.assertExit(r, 1)
        self.assertRegex(r.out, r'(?m)^fail +post-check-sql +\S+ +.*orphan row 42')


if __name__ == '__main__':
    main()
