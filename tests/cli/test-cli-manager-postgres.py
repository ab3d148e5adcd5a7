# test-cli-manager-postgres.py: issue 8's command-line additions on PostgreSQL
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The same throw-away server as test-cli-postgres.py (its Server is loaded
# from that file). Dry runs leave a schema dump identical, refusals write
# nothing, the repair commands and baseline work on PostgreSQL, and a
# password in the DSN appears nowhere: not in messages, JSON, `gander
# config`, the audit log or the metrics file.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import importlib.util
import json
import os
import subprocess

from clitest import CliTestCase, main

_spec = importlib.util.spec_from_file_location(
    'cli_postgres', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 'test-cli-postgres.py'))
pg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pg)


def tearDownModule():
    pg.tearDownModule()


PASSWORD = 's3cr3tpw'


class ManagerPostgresTest(CliTestCase):
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

    def sql(self, text):
        return self.server.psql(self.dbname, text).strip()

    def g(self, *args, dsn=None, **kwargs):
        return self.gander('-dir', self.dir, 'postgres', dsn or self.dsn, *args, **kwargs)

    def schema_dump(self):
        dump = os.path.join(self.server.bindir, 'pg_dump')
        dump = subprocess.run(self.server.owner + [dump, '-h', self.server.dir, '-p',
                                                   str(self.server.port), '-U', 'postgres',
                                                   '--no-owner', self.dbname],
                              check=True, text=True, stdout=subprocess.PIPE).stdout
        # pg_dump >= 17.6 brackets the dump with a random \restrict key
        return '\n'.join(l for l in dump.splitlines()
                         if not l.startswith(('\\restrict', '\\unrestrict')))

    def test_dry_run_leaves_the_schema(self):
        self.assertSuccess(self.g('up-to', '1'))
        before = self.schema_dump()
        r = self.g('up', '--dry-run')
        self.assertSuccess(r)
        self.assertIn('-- migrations/00002_t2.sql:2\nCREATE TABLE t2 (id INTEGER);', r.out)
        r = self.g('down', '--dry-run', '--json')
        self.assertSuccess(r)
        self.assertEqual([m['version'] for m in r.json()['migrations']], [1])
        self.assertEqual(self.schema_dump(), before)
        # a database without the version table: none is created
        other = self.server.new_database()
        dsn = self.dsn.replace('dbname=' + self.dbname, 'dbname=' + other)
        r = self.g('up', '--dry-run', dsn=dsn)
        self.assertSuccess(r)
        self.assertEqual(self.server.psql(other, "SELECT to_regclass('goose_db_version') IS NULL")
                         .strip(), 't')

    def test_refusal_writes_nothing(self):
        self.assertSuccess(self.g('up'))
        before = self.schema_dump()
        r = self.g('--environment', 'production', 'reset')
        self.assertExit(r, 4)
        self.assertIn('--confirm=%s' % self.dbname, r.err)
        self.assertEqual(self.schema_dump(), before)
        r = self.g('--environment', 'production', 'down', '--confirm', self.dbname)
        self.assertSuccess(r)
        self.assertEqual(self.sql('SELECT max(version_id) FROM goose_db_version'), '2')

    def test_repair_and_baseline(self):
        self.sql('CREATE TABLE t1 (id INTEGER)')
        r = self.g('baseline', '1')
        self.assertSuccess(r)
        self.assertLogged(r, 'recorded as applied without running it: 00001_t1.sql')
        self.assertEqual(self.sql("SELECT string_agg(version_id::text, ',' ORDER BY id) "
                                  "FROM goose_db_version"), '0,1')
        self.migration('migrations', '00004_notx.sql',
                       'CREATE TABLE t4 (id INTEGER);\nINSERT INTO nowhere VALUES (1);',
                       'DROP TABLE t4;', notx=True)
        self.assertExit(self.g('up'), 1)
        self.assertLogged(self.g('status'), 'gander repair clear-dirty 4')
        r = self.g('--environment', 'staging', 'repair', 'clear-dirty', '4')
        self.assertExit(r, 4)
        r = self.g('repair', 'clear-dirty', '4', '--mark-applied')
        self.assertSuccess(r)
        self.assertEqual(self.g('version').lines, ['goose: version 4'])
        with open(os.path.join(self.dir, '00002_t2.sql'), 'a') as f:
            f.write('-- reviewed\n')
        self.assertLogged(self.g('status'), 'was modified after it was applied')
        r = self.g('repair', 'accept-checksum', '2', '--json')
        self.assertSuccess(r)
        self.assertEqual(r.json()['version'], 2)
        self.assertNotIn('was modified', self.g('status').err)

    def test_password_appears_nowhere(self):
        audit = self.path('audit.jsonl')
        metrics = self.path('gander.prom')
        runs = [
            self.g('up', '--audit-log', audit, '--metrics-file', metrics, dsn=self.uri),
            self.g('down', '--json', '--audit-log', audit, dsn=self.uri),
            self.g('--environment', 'production', 'reset', '--audit-log', audit, dsn=self.uri),
            self.g('up', '--dry-run', '--json', dsn=self.uri),
            self.gander('config', env={'GOOSE_DRIVER': 'postgres', 'GOOSE_DBSTRING': self.uri}),
            self.gander('config', '--json',
                        env={'GOOSE_DRIVER': 'postgres', 'GOOSE_DBSTRING': self.uri}),
            self.g('breaker', 'status', '--json', dsn=self.uri),
            self.g('up', dsn=self.uri.replace(self.dbname, 'no_such_db')),
        ]
        self.assertSuccess(runs[0])
        self.assertSuccess(runs[1])
        self.assertExit(runs[2], 4)
        self.assertExit(runs[7], 1)
        for r in runs:
            self.assertNotIn(PASSWORD, r.out + r.err)
        for path in (audit, metrics):
            if os.path.exists(path):
                with open(path, encoding='utf-8') as f:
                    self.assertNotIn(PASSWORD, f.read())


if __name__ == '__main__':
    main()
