# test-cli-json.py: the --json contract (docs/json.md) command by command
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every command that has --json, on success and on failure, on SQLite and
# (where the output depends on the engine: times, SQL errors, connection
# failures) on the throw-away PostgreSQL server of test-cli-postgres.py.
# Each document is validated against docs/json/COMMAND.schema.json
# (Result.json() in clitest.py) and walked for the rules the schemas
# cannot state once for all: every `*_ms` an integer, every `*_at` RFC 3339
# UTC, no fractional seconds, every error object with its code, and every
# failure with `results` and `current_version`. The schemas themselves are
# checked to reject a wrong type, a missing member and 0.1's shapes.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import copy
import importlib.util
import os
import re
import signal
import time
import types
import unittest

from clitest import CliTestCase, Result, json_schemas, main, validate_json

_spec = importlib.util.spec_from_file_location(
    'cli_postgres', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 'test-cli-postgres.py'))
pg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pg)


def tearDownModule():
    pg.tearDownModule()


RFC3339 = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$')
RFC3339_SECONDS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
CODES = set(json_schemas()['common']['$defs']['error_code']['enum'])
SLOW = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) ' \
       'SELECT count(*) FROM c;'


class JsonContract:
    """What every document must satisfy beyond its schema."""

    def walk(self, node, path=''):
        if isinstance(node, dict):
            for key, value in node.items():
                where = '%s/%s' % (path, key)
                self.assertNotIn(key, ('duration_seconds', 'open_duration', 'duration'), where)
                if key.endswith('_ms'):
                    self.assertIs(type(value), int, where)
                    self.assertGreaterEqual(value, 0, where)
                if key.endswith('_at') and value is not None:
                    self.assertRegex(value, RFC3339, where)
                if key == 'error' and value is not None:
                    self.assertIsInstance(value, dict, where)
                    self.assertIn(value['code'], CODES, where)
                    self.assertTrue(value['message'], where)
                self.walk(value, where)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.walk(value, '%s/%d' % (path, i))
        else:
            self.assertNotIsInstance(node, float, path)

    def doc(self, result, rc=0, code=None):
        """The document of @result: exit status @rc, schema-valid, walked;
        a failure (with the error code @code, when given) unless @rc is 0."""
        self.assertExit(result, rc)
        doc = result.json()
        self.walk(doc)
        self.assertEqual(doc['schema_version'], 1)
        if rc == 0:
            self.assertIsNone(doc['error'], repr(result))
        else:
            self.assertIsNotNone(doc['error'], repr(result))
            if code is not None:
                self.assertEqual(doc['error']['code'], code, repr(result))
            self.assertIsInstance(doc['results'], list)
            self.assertIn('current_version', doc)
            # the message is what stderr says
            self.assertIn(doc['error']['message'].splitlines()[0], result.err)
        return doc


class SqliteJsonTest(JsonContract, CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('migrations', 3)
        self.db = self.path('app.db')
        self.env['XDG_CONFIG_HOME'] = self.mkdir('xdg-config')
        self.env['XDG_STATE_HOME'] = self.mkdir('xdg-state')
        self.env['GANDER_SYSCONFDIR'] = self.mkdir('etc')
        self.env['GANDER_STATE_DIR'] = self.mkdir('state')
        for name in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                     'GANDER_METRICS_FILE'):
            self.env.pop(name, None)

    def g(self, *args, **kwargs):
        return self.gander('-dir', self.dir, 'sqlite3', self.db, *args, '--json', **kwargs)

    # -- the up/down family ------------------------------------------------

    def test_up_down_family(self):
        steps = [(['up-by-one'], [1], 1), (['up-to', '2'], [2], 2), (['up'], [3], 3),
                 (['redo'], [3, 3], 3), (['down'], [3], 2), (['down-to', '1'], [2], 1),
                 (['reset'], [1], 0)]
        for args, versions, current in steps:
            with self.subTest(args=args):
                doc = self.doc(self.g(*args))
                self.assertEqual(doc['command'], args[0])
                self.assertEqual([r['version'] for r in doc['results']], versions)
                self.assertEqual(doc['current_version'], current)
                for r in doc['results']:
                    self.assertIs(type(r['duration_ms']), int)
                    self.assertIsNone(r['error'])

    def test_failure_keeps_partial_results(self):
        self.migration('migrations', '00004_bad.sql',
                       'CREATE TABLE t4 (id INTEGER);\nINSERT INTO nowhere VALUES (1);',
                       'DROP TABLE t4;')
        doc = self.doc(self.g('up'), 1, 'sql')
        self.assertEqual([r['version'] for r in doc['results']], [1, 2, 3, 4])
        self.assertEqual([r['error'] is None for r in doc['results']], [True] * 3 + [False])
        self.assertEqual(doc['results'][3]['error']['code'], 'sql')
        self.assertIn('nowhere', doc['error']['message'])
        self.assertEqual(doc['current_version'], 3)
        self.assertEqual(self.doc(self.gander('-dir', self.dir, 'sqlite3', self.db, 'version',
                                              '--json'))['version'], 3)

    def test_nothing_to_do(self):
        doc = self.doc(self.g('down'), 1, 'no-next-version')
        self.assertEqual(doc['results'], [])
        self.assertEqual(doc['current_version'], 0)
        doc = self.doc(self.g('redo'), 1, 'no-next-version')
        self.assertEqual(doc['current_version'], 0)
        self.doc(self.g('up'))
        doc = self.doc(self.g('up-by-one'), 1, 'no-next-version')
        self.assertEqual(doc['current_version'], 3)
        doc = self.doc(self.g('up'))
        self.assertEqual(doc['results'], [])

    def test_missing_migrations(self):
        os.rename(self.path('migrations', '00002_t2.sql'), self.path('held-back.sql'))
        self.doc(self.g('up'))
        os.rename(self.path('held-back.sql'), self.path('migrations', '00002_t2.sql'))
        doc = self.doc(self.g('up'), 1, 'missing-migrations')
        self.assertEqual(doc['results'], [])
        self.assertEqual(doc['current_version'], 3)

    def test_database_not_reachable(self):
        doc = self.doc(self.gander('-dir', self.dir, 'sqlite3', self.path('no', 'such', 'x.db'),
                                   'up', '--json'), 1, 'connection')
        self.assertEqual(doc['results'], [])
        self.assertIsNone(doc['current_version'])

    def test_timeout(self):
        self.migration('migrations', '00004_slow.sql', SLOW, '')
        # long enough for the first three under a sanitizer, far shorter than the fourth
        r = self.gander('-dir', self.dir, '-timeout', '3s', 'sqlite3', self.db, 'up', '--json')
        doc = self.doc(r, 1, 'timeout')
        self.assertEqual([x['version'] for x in doc['results']], [1, 2, 3, 4])
        self.assertEqual(doc['results'][3]['error']['code'], 'cancelled')
        self.assertEqual(doc['current_version'], 3)

    def test_interrupted(self):
        self.migration('migrations', '00004_slow.sql', SLOW, '')
        proc = self.popen('-dir', self.dir, 'sqlite3', self.db, 'up', '--json')
        # the slow statement is running once the three others are applied
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if os.path.exists(self.db) and len(self.versions_or_empty()) == 4:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        result = Result(types.SimpleNamespace(returncode=proc.returncode, stdout=out, stderr=err))
        doc = self.doc(result, 130, 'cancelled')
        self.assertEqual(doc['results'][-1]['version'], 4)
        self.assertEqual(doc['current_version'], 3)

    def versions_or_empty(self):
        try:
            return self.versions(self.db)
        except Exception:
            return []

    # -- dry runs and the managed path ---------------------------------------

    def test_dry_run(self):
        doc = self.doc(self.g('up', '--dry-run'))
        self.assertTrue(doc['dry_run'])
        self.assertEqual([m['version'] for m in doc['migrations']], [1, 2, 3])
        doc = self.doc(self.g('down', '--dry-run'), 1, 'no-next-version')
        self.assertFalse(doc['can_run'])
        self.assertEqual(doc['current_version'], 0)
        self.assertEqual(doc['results'], [])

    def test_refusals(self):
        self.doc(self.g('up'))
        doc = self.doc(self.g('--environment', 'production', 'reset'), 4, 'confirmation-required')
        self.assertEqual(doc['results'], [])
        self.assertEqual(doc['current_version'], 3)
        doc = self.doc(self.g('--environment', 'production', '--no-backup', 'up'), 4,
                       'policy-denied')
        self.assertIsNone(doc['current_version'])

    def test_failure_creates_no_database(self):
        # current_version is read after a failure, but never by creating
        # the SQLite file the command did not create
        doc = self.doc(self.g('--environment', 'production', 'reset'), 4, 'confirmation-required')
        self.assertIsNone(doc['current_version'])
        doc = self.doc(self.gander('-dir', self.path('nowhere'), 'sqlite3', self.db, 'up',
                                   '--json'), 1, 'not-found')
        self.assertFalse(os.path.exists(self.db))

    def test_managed_run_with_backup_and_health(self):
        self.doc(self.g('up-to', '1'))
        doc = self.doc(self.g('--environment', 'staging', '--backup=required', 'up'))
        self.assertEqual(doc['current_version'], 3)
        self.assertRegex(doc['backup']['created_at'], RFC3339)
        self.assertIs(type(doc['backup']['duration_ms']), int)
        self.assertTrue(doc['health'])
        for check in doc['health']:
            self.assertIs(type(check['duration_ms']), int)

    # -- reading commands ------------------------------------------------------

    def test_status_and_version(self):
        doc = self.doc(self.g('status'))
        self.assertEqual([m['state'] for m in doc['migrations']], ['pending'] * 3)
        self.assertEqual(doc['pending'], 3)
        self.doc(self.g('up-to', '2'))
        doc = self.doc(self.g('status'))
        for m in doc['migrations'][:2]:
            self.assertRegex(m['applied_at'], RFC3339_SECONDS)
        self.assertIsNone(doc['migrations'][2]['applied_at'])
        self.assertEqual(self.doc(self.g('version'))['version'], 2)
        # an orphan that looks renamed
        os.rename(self.path('migrations', '00002_t2.sql'), self.path('migrations', '00005_t2.sql'))
        doc = self.doc(self.g('status'))
        self.assertEqual(len(doc['orphans']), 1)
        self.assertEqual(doc['orphans'][0]['version'], 2)
        self.assertRegex(doc['orphans'][0]['applied_at'], RFC3339_SECONDS)
        self.assertEqual(doc['orphans'][0]['renamed_to'], '00005_t2.sql')
        doc = self.doc(self.g('-no-versioning', 'status'))
        self.assertEqual({m['state'] for m in doc['migrations']}, {'no-versioning'})

    def test_status_failure(self):
        self.write('app.db', 'not a database, only text that is long enough to be read\n' * 20)
        doc = self.doc(self.g('status'), 1, 'not-a-database')
        self.assertEqual(doc['results'], [])
        self.assertIsNone(doc['current_version'])

    def test_parse(self):
        doc = self.doc(self.gander('parse', self.path('migrations', '00001_t1.sql'), '--json'))
        self.assertEqual(doc['command'], 'parse')
        self.assertEqual(doc['statements'][0]['line'], 2)
        doc = self.doc(self.gander('parse', self.path('missing.sql'), '--json'), 1, 'not-found')
        self.assertEqual(doc['results'], [])
        self.write('bad.sql', '-- +goose Up\nSELECT 1\n')
        doc = self.doc(self.gander('parse', 'bad.sql', '--json'), 1, 'parse')
        self.assertIn('bad.sql:2', doc['error']['message'])

    def test_validate(self):
        doc = self.doc(self.gander('-dir', self.dir, 'validate', '--json'))
        self.assertEqual(doc['command'], 'validate')
        self.assertEqual((doc['errors'], doc['warnings']), (0, 0))
        self.assertEqual([m['version'] for m in doc['migrations']], [1, 2, 3])
        self.assertEqual(doc['migrations'][0]['up_statements'], 1)
        # a warning (no Down section), then errors
        self.write('migrations/00004_nodown.sql', '-- +goose Up\nCREATE TABLE t4 (id int);\n')
        doc = self.doc(self.gander('-dir', self.dir, 'validate', '--json'))
        self.assertEqual(doc['warnings'], 1)
        self.assertEqual(doc['issues'][0]['kind'], 'missing-down')
        self.write('migrations/00005_bad.sql', '-- +goose Up\nSELECT 1\n-- +goose Down\n')
        doc = self.doc(self.gander('-dir', self.dir, 'validate', '--json'), 1, 'parse')
        self.assertEqual(doc['errors'], 1)
        bad = [i for i in doc['issues'] if i['severity'] == 'error'][0]
        self.assertEqual((bad['kind'], bad['version']), ('parse-error', 5))
        self.assertIsInstance(bad['line'], int)
        self.write('migrations/00005_dup.sql', '-- +goose Up\nSELECT 1;\n')
        doc = self.doc(self.gander('-dir', self.dir, 'validate', '--json'), 1)
        self.assertEqual(doc['errors'], 2)
        self.assertIn(doc['error']['code'], ('parse', 'duplicate-version'))
        doc = self.doc(self.gander('-dir', self.path('nowhere'), 'validate', '--json'), 1,
                       'not-found')
        self.assertEqual(doc['issues'], [])

    def test_lint(self):
        doc = self.doc(self.gander('-dir', self.dir, 'lint', '--dialect', 'sqlite3', '--json'))
        self.assertEqual(doc['command'], 'lint')
        self.assertEqual(doc['files'], 3)
        doc = self.doc(self.gander('lint', '--dialect', 'sqlite3', self.path('nowhere'), '--json'),
                       1, 'not-found')

    def test_config(self):
        doc = self.doc(self.g('config'))
        self.assertEqual(doc['settings']['driver']['value'], 'sqlite3')

    # -- Gander's own commands -----------------------------------------------

    def test_repair_and_baseline(self):
        doc = self.doc(self.g('baseline', '2'))
        self.assertEqual([r['version'] for r in doc['recorded']], [1, 2])
        self.assertEqual(doc['current_version'], 2)
        self.write('migrations/00001_t1.sql', '-- +goose Up\nCREATE TABLE t1 (id int, x int);\n')
        doc = self.doc(self.g('repair', 'accept-checksum', '1'))
        self.assertTrue(doc['accepted'])
        doc = self.doc(self.g('repair', 'clear-dirty', '2'), 1, 'invalid-argument')
        self.assertEqual(doc['command'], 'clear-dirty')
        self.assertEqual(doc['current_version'], 2)
        self.assertEqual(doc['results'], [])

    def test_breaker(self):
        self.write('migrations/00002_t2.sql',
                   '-- +goose Up\nCREATE TABLE t2 (id int);\nINSERT INTO nowhere VALUES (1);\n'
                   '-- +goose Down\nDROP TABLE t2;\n')
        staging = ['--environment', 'staging']
        doc = self.doc(self.g(*staging, 'breaker', 'status'))
        self.assertEqual(doc['state'], 'closed')
        self.assertIsNone(doc['opened_at'])
        self.assertIs(type(doc['open_duration_ms']), int)
        for _ in range(3):
            self.doc(self.g(*staging, 'up'), 1, 'sql')
        doc = self.doc(self.g(*staging, 'breaker', 'status'))
        self.assertEqual(doc['state'], 'open')
        self.assertRegex(doc['opened_at'], r'\.\d{6}Z$')
        self.assertRegex(doc['half_open_at'], r'\.\d{6}Z$')
        doc = self.doc(self.g(*staging, 'up'), 4, 'circuit-open')
        doc = self.doc(self.g(*staging, 'breaker', 'reset', '--confirm', 'app.db'))
        self.assertEqual((doc['command'], doc['state']), ('breaker-reset', 'closed'))

    def test_backups_restore_health(self):
        self.doc(self.g('up-to', '1'))
        doc = self.doc(self.g('backup'))
        first = doc['backup']
        self.assertRegex(first['created_at'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')
        self.assertIs(type(first['duration_ms']), int)
        self.doc(self.g('up'))
        doc = self.doc(self.g('backups'))
        self.assertEqual([b['id'] for b in doc['backups']], [first['id']])
        doc = self.doc(self.g('restore', first['id'], '--confirm', 'app.db'))
        self.assertEqual(doc['current_version'], 1)
        doc = self.doc(self.g('restore', 'nosuchid', '--confirm', 'app.db'), 1, 'not-found')
        doc = self.doc(self.g('backups', 'prune', '--keep', '1'))
        self.assertEqual(doc['command'], 'prune-backups')
        doc = self.doc(self.g('health'))
        self.assertEqual(doc['status'], 'ok')
        conf = self.write('gander.conf', "[gander]\npost-check-sql=SELECT 'a row'\n")
        doc = self.doc(self.g('--config', conf, 'health'), 1, 'health-check')
        self.assertEqual(doc['status'], 'fail')
        self.assertTrue(doc['checks'])

    def test_audit_verify(self):
        log = self.path('audit.jsonl')
        self.assertExit(self.gander('-dir', self.dir, '--audit-log', log, 'sqlite3', self.db, 'up'), 0)
        doc = self.doc(self.gander('audit', 'verify', log, '--json'))
        self.assertTrue(doc['ok'])
        with open(log) as f:
            text = f.read()
        self.write('tampered.jsonl', text.replace('"result":"ok"', '"result":"no"', 1))
        doc = self.doc(self.gander('audit', 'verify', self.path('tampered.jsonl'), '--json'), 1)
        self.assertFalse(doc['ok'])
        self.assertIsInstance(doc['first_bad_line'], int)


class SchemaStrictnessTest(unittest.TestCase):
    """The schemas fail on what the contract forbids."""

    GOOD_UP = {
        'command': 'up', 'schema_version': 1,
        'results': [{'version': 1, 'name': '00001_a.sql', 'direction': 'up', 'duration_ms': 3,
                     'empty': False, 'error': None}],
        'current_version': 1, 'error': None,
    }
    GOOD_STATUS = {
        'command': 'status', 'schema_version': 1,
        'migrations': [{'version': 1, 'name': '00001_a.sql', 'state': 'applied',
                        'applied_at': '2026-11-30T06:56:27Z', 'checksum_modified': False}],
        'pending': 0, 'orphans': [], 'error': None,
    }

    def rejects(self, doc, name):
        with self.assertRaises(AssertionError):
            validate_json(doc, name)

    def test_good_documents_pass(self):
        validate_json(self.GOOD_UP, 'up')
        validate_json(self.GOOD_STATUS, 'status')
        # open objects: a member added later does not fail
        validate_json(dict(self.GOOD_UP, later_member=True), 'up')

    def test_wrong_types_and_missing_members(self):
        doc = copy.deepcopy(self.GOOD_UP)
        doc['results'][0]['duration_ms'] = 3.25
        self.rejects(doc, 'up')
        doc = copy.deepcopy(self.GOOD_UP)
        del doc['current_version']
        self.rejects(doc, 'up')
        doc = copy.deepcopy(self.GOOD_UP)
        del doc['schema_version']
        self.rejects(doc, 'up')
        self.rejects(dict(self.GOOD_UP, command='down'), 'up')
        doc = copy.deepcopy(self.GOOD_STATUS)
        doc['migrations'][0]['version'] = '1'
        self.rejects(doc, 'status')
        doc = copy.deepcopy(self.GOOD_STATUS)
        del doc['orphans']
        self.rejects(doc, 'status')

    def test_old_shapes_fail(self):
        # 0.1: error as a string, times with a space, fractional milliseconds
        self.rejects(dict(self.GOOD_UP, error='boom', results=[], current_version=None), 'up')
        doc = copy.deepcopy(self.GOOD_STATUS)
        doc['migrations'][0]['applied_at'] = '2026-11-30 06:56:27'
        self.rejects(doc, 'status')
        doc = copy.deepcopy(self.GOOD_STATUS)
        doc['migrations'][0]['applied_at'] = '2026-11-30T06:56:27+01:00'
        self.rejects(doc, 'status')
        health = {'command': 'health', 'schema_version': 1, 'status': 'ok', 'error': None,
                  'checks': [{'name': 'writable', 'status': 'ok', 'message': 'fine',
                              'duration_seconds': 0.002, 'phase': 'before'}]}
        self.rejects(health, 'health')

    def test_failures_need_results_and_version(self):
        failed = dict(self.GOOD_UP, error={'code': 'sql', 'message': 'boom'})
        validate_json(failed, 'up')
        self.rejects(dict(failed, error={'code': 'no-such-code', 'message': 'boom'}), 'up')
        self.rejects(dict(failed, error={'message': 'boom'}), 'up')
        doc = {'command': 'version', 'schema_version': 1, 'error': {'code': 'sql', 'message': 'x'}}
        self.rejects(doc, 'version')
        doc.update(results=[], current_version=None)
        validate_json(doc, 'version')

    def test_every_command_has_a_schema(self):
        names = set(json_schemas())
        for command in ('up', 'up-by-one', 'up-to', 'down', 'down-to', 'redo', 'reset', 'status',
                        'version', 'parse', 'validate', 'lint', 'config', 'baseline',
                        'clear-dirty', 'accept-checksum', 'breaker-status', 'breaker-reset',
                        'audit-verify', 'backup', 'backups', 'prune-backups', 'restore',
                        'health'):
            self.assertIn(command, names)


class PostgresJsonTest(JsonContract, CliTestCase):
    def setUp(self):
        super().setUp()
        self.server = pg.server()
        self.dbname = self.server.new_database()
        self.dsn = 'host=%s port=%d user=postgres dbname=%s' % (self.server.dir, self.server.port,
                                                                self.dbname)
        self.dir = self.simple_set('migrations', 3)

    def g(self, *args, dsn=None):
        return self.gander('-dir', self.dir, 'postgres', dsn or self.dsn, *args, '--json')

    def test_times_are_rfc3339_whole_seconds(self):
        self.doc(self.g('up-to', '2'))
        recorded = self.server.psql(self.dbname, "SELECT to_char(tstamp AT TIME ZONE 'UTC', "
                                    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM goose_db_version "
                                    "WHERE version_id = 1").strip()
        doc = self.doc(self.g('status'))
        self.assertEqual(doc['migrations'][0]['applied_at'], recorded)
        self.assertRegex(doc['migrations'][1]['applied_at'], RFC3339_SECONDS)
        self.assertIsNone(doc['migrations'][2]['applied_at'])

    def test_failure_and_family(self):
        self.migration('migrations', '00004_bad.sql',
                       'CREATE TABLE t4 (id int);\nINSERT INTO nowhere VALUES (1);', 'DROP TABLE t4;')
        doc = self.doc(self.g('up'), 1, 'sql')
        self.assertEqual([r['version'] for r in doc['results']], [1, 2, 3, 4])
        self.assertIn('42P01', doc['error']['message'])
        self.assertEqual(doc['current_version'], 3)
        for args in (['down'], ['redo'], ['down-to', '0'], ['up-to', '2'], ['up-by-one'],
                     ['reset']):
            with self.subTest(args=args):
                self.doc(self.g(*args))
        self.doc(self.g('version'))

    def test_connection_failure(self):
        dsn = 'host=%s port=%d user=postgres dbname=no_such_db' % (self.server.dir,
                                                                  self.server.port)
        doc = self.doc(self.g('up', dsn=dsn), 1, 'connection')
        self.assertIsNone(doc['current_version'])
        self.assertEqual(doc['results'], [])
        doc = self.doc(self.g('status', dsn=dsn), 1, 'connection')


if __name__ == '__main__':
    main()
