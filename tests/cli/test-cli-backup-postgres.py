# test-cli-backup-postgres.py: backup and restore on PostgreSQL from the command line
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The throw-away server of test-cli-postgres.py (its Server is loaded from
# that file) and the real pg_dump/pg_restore: a backup restored after the
# data and the schema changed gives back the same rows and the same schema
# dump, and a password in the DSN appears nowhere (output, JSON, manifest).

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import importlib.util
import os
import re
import subprocess

from clitest import CliTestCase, main

_spec = importlib.util.spec_from_file_location(
    'cli_postgres', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 'test-cli-postgres.py'))
pg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pg)


def tearDownModule():
    pg.tearDownModule()


PASSWORD = 'pw-b4ckup-s3cret'
BACKUP_LINE = re.compile(r'^backup (\d{8}T\d{6}\.\d{6}Z) written to (/\S+\.dump) \(.*, verified\)$')


class BackupPostgresTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.server = pg.server()
        self.dbname = self.server.new_database()
        self.dsn = 'host=%s port=%d user=postgres dbname=%s' % (self.server.dir, self.server.port,
                                                                self.dbname)
        # trust authentication accepts any password: one in the URI form
        self.uri = 'postgres://postgres:%s@/%s?host=%s&port=%d' % (
            PASSWORD, self.dbname, self.server.dir, self.server.port)
        self.dir = self.simple_set('migrations', 3)
        for name in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                     'GANDER_METRICS_FILE'):
            self.env.pop(name, None)
        self.env['XDG_CONFIG_HOME'] = self.mkdir('xdg-config')
        self.env['GANDER_SYSCONFDIR'] = self.mkdir('etc')
        self.env['GANDER_STATE_DIR'] = self.mkdir('state')
        self.env.pop('PGPASSWORD', None)
        self.backups = self.path('backups')

    def sql(self, text):
        return self.server.psql(self.dbname, text).strip()

    def g(self, *args, dsn=None, **kwargs):
        return self.gander('-dir', self.dir, '--backup-dir', self.backups, 'postgres',
                           dsn or self.dsn, *args, **kwargs)

    def schema_dump(self):
        dump = os.path.join(self.server.bindir, 'pg_dump')
        dump = subprocess.run(self.server.owner + [dump, '-h', self.server.dir, '-p',
                                                   str(self.server.port), '-U', 'postgres',
                                                   '--schema-only', '--no-owner', self.dbname],
                              check=True, text=True, stdout=subprocess.PIPE).stdout
        # pg_dump >= 17.6 brackets the dump with a random \restrict key
        return '\n'.join(l for l in dump.splitlines()
                         if not l.startswith(('\\restrict', '\\unrestrict')))

    def backup_id(self, result):
        found = [BACKUP_LINE.match(l) for l in result.lines if BACKUP_LINE.match(l)]
        self.assertEqual(len(found), 1, repr(result))
        return found[0].group(1)

    def test_round_trip(self):
        self.assertSuccess(self.g('up'))
        self.sql('INSERT INTO t1 SELECT generate_series(1, 100)')
        schema = self.schema_dump()
        r = self.g('backup')
        self.assertSuccess(r)
        backup_id = self.backup_id(r)
        doc = self.g('backups', '--json').json()
        self.assertEqual([b['id'] for b in doc['backups']], [backup_id])
        b = doc['backups'][0]
        self.assertEqual(b['driver'], 'postgres')
        self.assertEqual(b['version'], 3)
        self.assertTrue(b['verified'])
        self.assertEqual(b['verify_method'], 'pg_restore --list')
        self.assertTrue(b['file'].endswith('.dump'))

        self.sql('DELETE FROM t1 WHERE id > 10')
        self.sql('DROP TABLE t3')
        self.sql('ALTER TABLE t2 ADD COLUMN extra text')
        r = self.g('restore', backup_id)
        self.assertExit(r, 4)
        self.assertIn('--confirm=%s' % self.dbname, r.err)
        self.assertEqual(self.sql('SELECT count(*) FROM t1'), '10')
        r = self.g('restore', 'latest', '--confirm', self.dbname)
        self.assertSuccess(r)
        self.assertEqual(self.sql('SELECT count(*) FROM t1'), '100')
        self.assertEqual(self.sql("SELECT string_agg(version_id::text, ',' ORDER BY id) "
                                  "FROM goose_db_version"), '0,1,2,3')
        # the objects of the backup are back, as they were
        self.assertEqual(self.sql("SELECT to_regclass('t3') IS NOT NULL"), 't')
        self.assertEqual(self.schema_dump(), schema)

    def test_password_appears_nowhere(self):
        runs = [
            self.g('up', dsn=self.uri),
            self.g('backup', dsn=self.uri),
            self.g('backup', '--json', dsn=self.uri),
            self.g('backups', dsn=self.uri),
            self.g('backups', '--json', dsn=self.uri),
            self.g('restore', 'latest', '--confirm', self.dbname, dsn=self.uri),
            self.g('health', '--json', dsn=self.uri),
            self.g('restore', 'nosuch', '--confirm', self.dbname, dsn=self.uri),
        ]
        for r in runs[:6]:
            self.assertSuccess(r)
        # health may warn or fail for reasons of the machine (disk space):
        # here only its output matters
        self.assertIn(runs[6].rc, (0, 1), repr(runs[6]))
        self.assertEqual(runs[6].json()['command'], 'health')
        self.assertExit(runs[7], 1)
        for r in runs:
            self.assertNotIn(PASSWORD, r.out + r.err)
        self.assertIn('xxxxx', runs[2].json()['backup']['dsn'])
        names = os.listdir(self.backups)
        self.assertEqual(len([n for n in names if n.endswith('.json')]), 2)
        for name in names:
            with open(os.path.join(self.backups, name), 'rb') as f:
                self.assertNotIn(PASSWORD.encode(), f.read(), name)


if __name__ == '__main__':
    main()
