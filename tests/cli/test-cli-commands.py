# test-cli-commands.py: every database command, its output, JSON and exit
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import re
import signal
import socket
import subprocess
import time

from clitest import CliTestCase, STATUS_HEADER, ANSIC, GO_DURATION, GANDER, LOG_PREFIX, main

# A statement SQLite needs several seconds for: room to time out or to be
# interrupted while it runs.
SLOW_SQL = ('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c '
            'WHERE x < 2000000000) SELECT count(*) FROM c;')


class CommandsTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('migrations', 3)
        self.db = self.path('c.db')

    def g(self, *args, **kwargs):
        return self.gander('-dir', self.dir, 'sqlite3', self.db, *args, **kwargs)

    def test_ok_line_format(self):
        r = self.g('up')
        self.assertSuccess(r)
        ok = r.ok_lines()
        self.assertEqual(len(ok), 3)
        for line in ok:
            # three spaces after OK, a Go duration in parentheses
            self.assertRegex(line, r'^OK   0000\d_t\d\.sql \((.+)\)$')
            self.assertRegex(re.search(r'\((.+)\)', line).group(1), GO_DURATION)
        self.assertEqual(r.lines[-1], 'goose: successfully migrated database to version: 3')
        self.assertAllLogLinesPrefixed(r)
        self.assertEqual(r.out, '')

    def test_up_json(self):
        r = self.g('up', '--json')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(doc['command'], 'up')
        self.assertIsNone(doc['error'])
        self.assertEqual(doc['current_version'], 3)
        self.assertEqual([x['version'] for x in doc['results']], [1, 2, 3])
        for x in doc['results']:
            self.assertEqual(set(x), {'version', 'name', 'direction', 'duration_ms',
                                      'empty', 'error'})
            self.assertEqual(x['direction'], 'up')
            self.assertFalse(x['empty'])
            self.assertIsNone(x['error'])
            self.assertIsInstance(x['duration_ms'], int)
            self.assertGreaterEqual(x['duration_ms'], 0)
        self.assertEqual(doc['results'][0]['name'], '00001_t1.sql')
        # nothing more to do
        doc = self.g('up', '--json').json()
        self.assertEqual(doc['results'], [])
        self.assertEqual(doc['current_version'], 3)

    def test_up_by_one(self):
        r = self.g('up-by-one')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql'])
        self.assertEqual(len(r.lines), 1)
        doc = self.g('up-by-one', '--json').json()
        self.assertEqual([x['version'] for x in doc['results']], [2])
        self.assertEqual(doc['current_version'], 2)

    def test_up_by_one_nothing_pending(self):
        self.assertSuccess(self.g('up'))
        r = self.g('up-by-one')
        self.assertExit(r, 1)
        self.assertEqual(r.lines, ['goose: no migrations to run. current version: 3',
                                   'goose run: no next version found'])
        r = self.g('up-by-one', '--json')
        self.assertExit(r, 1)
        self.assertEqual(r.json()['error'], {'code': 'no-next-version',
                                             'message': 'no next version found'})

    def test_up_to_and_down_to(self):
        r = self.g('up-to', '2')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql', '00002_t2.sql'])
        self.assertEqual(r.lines[-1], 'goose: successfully migrated database to version: 2')
        r = self.g('up-to', '2')
        self.assertEqual(r.lines, ['goose: no migrations to run. current version: 2'])
        self.assertSuccess(self.g('up'))

        r = self.g('down-to', '1')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql', '00002_t2.sql'])
        self.assertEqual(r.lines[-1], 'goose: no migrations to run. current version: 1')
        self.assertEqual(self.tables(self.db),
                         ['goose_db_version', 'goose_db_version_gander', 'sqlite_sequence', 't1'])

        doc = self.g('down-to', '0', '--json').json()
        self.assertEqual([(x['version'], x['direction']) for x in doc['results']], [(1, 'down')])
        self.assertEqual(doc['current_version'], 0)

        doc = self.g('up-to', '3', '--json').json()
        self.assertEqual([x['version'] for x in doc['results']], [1, 2, 3])

    def test_down(self):
        self.assertSuccess(self.g('up'))
        r = self.g('down')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql'])
        self.assertEqual(len(r.lines), 1)
        doc = self.g('down', '--json').json()
        self.assertEqual([(x['version'], x['direction']) for x in doc['results']], [(2, 'down')])
        self.assertEqual(doc['current_version'], 1)

    def test_down_at_zero(self):
        r = self.g('down')
        self.assertExit(r, 1)
        self.assertEqual(r.lines, ['goose run: migration 0: no current version found',
                                   'Nothing to roll back: no migration is applied to this '
                                   'database.'])

    def test_redo(self):
        self.assertSuccess(self.g('up'))
        r = self.g('redo')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql', '00003_t3.sql'])
        doc = self.g('redo', '--json').json()
        self.assertEqual([(x['version'], x['direction']) for x in doc['results']],
                         [(3, 'down'), (3, 'up')])
        self.assertEqual(self.versions(self.db)[-1], 3)

    def test_redo_at_zero(self):
        r = self.g('redo')
        self.assertExit(r, 1)
        self.assertEqual(r.lines, ['goose run: no current version found',
                                   'Nothing to roll back: no migration is applied to this '
                                   'database.'])

    def test_reset(self):
        self.assertSuccess(self.g('up'))
        r = self.g('reset')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql', '00002_t2.sql', '00001_t1.sql'])
        self.assertEqual(len(r.lines), 3)
        self.assertEqual(self.versions(self.db), [0])
        doc = self.g('reset', '--json').json()
        self.assertEqual(doc['results'], [])
        self.assertEqual(doc['current_version'], 0)

    def test_version(self):
        r = self.g('version')
        self.assertEqual(r.lines, ['goose: version 0'])
        self.g('up-to', '2')
        r = self.g('version')
        self.assertEqual(r.lines, ['goose: version 2'])
        self.assertEqual(self.g('version', '--json').json(),
                         {'command': 'version', 'schema_version': 1, 'version': 2,
                          'error': None})

    def test_status_table(self):
        self.g('up-to', '2')
        r = self.g('status')
        self.assertSuccess(r)
        self.assertEqual(r.lines[:2], STATUS_HEADER)
        self.assertEqual(len(r.lines), 5)
        for line, name in zip(r.lines[2:4], ['00001_t1.sql', '00002_t2.sql']):
            self.assertRegex(line, r'^    .{24} -- ' + re.escape(name) + '$')
            self.assertRegex(line[4:28].rstrip(), ANSIC)
        self.assertEqual(r.lines[4], '    Pending                  -- 00003_t3.sql')
        # the stored UTC tstamp, as goose prints it
        stamp = self.query(self.db, 'SELECT tstamp FROM goose_db_version WHERE version_id = 1')[0][0]
        expected = time.strftime('%a %b %e %H:%M:%S %Y', time.strptime(stamp, '%Y-%m-%d %H:%M:%S'))
        self.assertEqual(r.lines[2][4:28].rstrip(), expected)

    def stderr_writes(self, *args):
        """Runs gander with stderr on a SOCK_SEQPACKET socket, where every
        write() arrives as one record: returns the records, decoded."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with ours:
            with theirs:
                proc = subprocess.Popen([GANDER, '-dir', self.dir, 'sqlite3', self.db] + list(args),
                                        cwd=self.tmp, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=theirs)
            records = []
            while True:
                record = ours.recv(1 << 20)
                if not record:
                    break
                records.append(record.decode())
        self.assertEqual(proc.wait(timeout=120), 0, records)
        return records

    def test_status_table_is_one_write(self):
        # 1000 migrations used to be 1002 write() calls; the bytes are the
        # same as line by line: each line keeps its own log prefix.
        for i in range(4, 41):
            self.migration('migrations', '%05d_t%d.sql' % (i, i),
                           'CREATE TABLE t%d (id INTEGER);' % i, 'DROP TABLE t%d;' % i)
        self.assertSuccess(self.g('up-to', '30'))
        for args in (['status'], ['status', '-no-versioning']):
            records = self.stderr_writes(*args)
            self.assertEqual(len(records), 1, records)
            lines = records[0].splitlines()
            self.assertEqual(len(lines), 42)
            for line in lines:
                self.assertRegex(line, LOG_PREFIX)
            lines = [LOG_PREFIX.sub('', l, count=1) for l in lines]
            self.assertEqual(lines[:2], STATUS_HEADER)
            self.assertTrue(lines[-1].endswith(' -- 00040_t40.sql'), lines[-1])
        self.assertTrue(lines[2].startswith('    no versioning '), lines[2])

    def test_long_status_table_in_whole_lines(self):
        # A long table is written in blocks of whole lines, so memory does
        # not grow with the number of migrations, and still in few writes.
        for i in range(4, 2501):
            self.write('migrations/%05d_m.sql' % i, '-- +goose Up\nSELECT 1;\n')
        records = self.stderr_writes('status', '-no-versioning')
        # ~190 KB: more than one block, as few writes as blocks
        self.assertIn(len(records), (2, 3), [len(r) for r in records])
        for record in records:
            self.assertTrue(record.endswith('\n'), record[-80:])
        lines = ''.join(records).splitlines()
        self.assertEqual(len(lines), 2502)
        for line in lines:
            self.assertRegex(line, LOG_PREFIX)
        self.assertTrue(lines[-1].endswith(' -- 02500_m.sql'), lines[-1])

    def test_status_json_and_exit_code(self):
        r = self.g('status', '--exit-code')
        self.assertExit(r, 3)
        self.g('up-to', '1')
        r = self.g('status', '--json', '--exit-code')
        self.assertExit(r, 3)
        doc = r.json()
        self.assertEqual(doc['command'], 'status')
        self.assertEqual(doc['pending'], 2)
        self.assertEqual(len(doc['migrations']), 3)
        first = doc['migrations'][0]
        self.assertEqual(set(first), {'version', 'name', 'state', 'applied_at', 'checksum_modified'})
        self.assertEqual((first['version'], first['name'], first['state']),
                         (1, '00001_t1.sql', 'applied'))
        self.assertRegex(first['applied_at'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertFalse(first['checksum_modified'])
        self.assertEqual([m['state'] for m in doc['migrations']], ['applied', 'pending', 'pending'])
        self.assertIsNone(doc['migrations'][1]['applied_at'])
        self.g('up')
        self.assertSuccess(self.g('status', '--exit-code'))
        # without --exit-code pending migrations are not an error (goose)
        self.g('down')
        self.assertSuccess(self.g('status'))

    def test_empty_migration(self):
        self.write('migrations/00004_empty.sql', '-- +goose Up\n')
        r = self.g('up')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql', '00002_t2.sql', '00003_t3.sql', '00004_empty.sql'],
                           kinds=['OK', 'OK', 'OK', 'EMPTY'])
        doc = self.g('down', '--json').json()
        self.assertTrue(doc['results'][0]['empty'])
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])

    def test_missing_migrations(self):
        os.rename(os.path.join(self.dir, '00002_t2.sql'), self.path('t2.sql'))
        self.assertSuccess(self.g('up'))
        os.rename(self.path('t2.sql'), os.path.join(self.dir, '00002_t2.sql'))
        before = self.dump(self.db)
        r = self.g('up')
        self.assertExit(r, 1)
        self.assertLogged(r, 'missing')
        self.assertIn('found 1 missing migrations before current version 3:\n\tversion 2: ', r.err)
        # the advice names the CLI's flag, not the library's run option
        self.assertIn('\nthey are older than the database version: run again with -allow-missing '
                      'to apply them out of order, or renumber them', r.err)
        self.assertNotIn('run option', r.err)
        self.assertEqual(self.dump(self.db), before)
        r = self.g('up', '-allow-missing')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00002_t2.sql'])
        self.assertEqual(self.versions(self.db), [0, 1, 3, 2])
        # Provider semantics: the current version is the highest applied
        self.assertEqual(self.g('version').lines, ['goose: version 3'])

    def test_failed_migration_stops_the_run(self):
        self.write('migrations/00002_t2.sql',
                   '-- +goose Up\nCREATE TABLE t2 (id int);\nINSERT INTO nowhere VALUES (1);\n'
                   '-- +goose Down\nDROP TABLE t2;\n')
        r = self.g('up')
        self.assertExit(r, 1)
        self.assertOkLines(r, ['00001_t1.sql'])
        self.assertLogged(r, 'goose run: ')
        self.assertIn('00002_t2.sql:3', r.err)
        self.assertIn('nowhere', r.err)
        # the failed migration rolled back alone
        self.assertEqual(self.versions(self.db), [0, 1])
        self.assertNotIn('t2', self.tables(self.db))

        r = self.g('up', '--json')
        self.assertExit(r, 1)
        doc = r.json()
        self.assertIn('nowhere', doc['error']['message'])
        self.assertEqual(doc['error']['code'], 'sql')
        self.assertEqual(len(doc['results']), 1)
        self.assertEqual(doc['results'][0]['version'], 2)
        self.assertIn('nowhere', doc['results'][0]['error']['message'])

    def test_running_marker_and_checksum(self):
        self.migration('migrations', '00004_notx.sql',
                       'CREATE TABLE t4 (id int);\nINSERT INTO nowhere VALUES (1);',
                       'DROP TABLE t4;', notx=True)
        r = self.g('up')
        self.assertExit(r, 1)
        r = self.g('status')
        self.assertSuccess(r)
        self.assertIn('    Running (interrupted)    -- 00004_notx.sql', r.lines)
        self.assertLogged(r, 'warning: 00004_notx.sql (version 4) runs without a transaction')
        doc = self.g('status', '--json').json()
        self.assertEqual(doc['migrations'][3]['state'], 'running')
        self.assertEqual(self.g('status', '--exit-code').rc, 3)
        # the next up refuses to run over a half-applied migration
        before = self.dump(self.db)
        r = self.g('up')
        self.assertExit(r, 1)
        self.assertLogged(r, 'did not finish')
        self.assertEqual(self.dump(self.db), before)

        # an applied file edited afterwards
        with open(os.path.join(self.dir, '00001_t1.sql'), 'a') as f:
            f.write('-- edited\n')
        r = self.g('status')
        self.assertLogged(r, 'warning: 00001_t1.sql (version 1) was modified after it was applied')
        self.assertTrue(self.g('status', '--json').json()['migrations'][0]['checksum_modified'])

    def test_parser_warnings_while_running(self):
        self.write('migrations/00004_w.sql',
                   '-- +goose Up\nCREATE TABLE w (id int);\n-- +GOOSE Down\nSELECT 1;\n')
        r = self.g('up')
        self.assertSuccess(r)
        # the file under -dir as typed (an absolute path here)
        self.assertLogged(r, 'warning: %s/00004_w.sql:3: "-- +GOOSE Down" is not an annotation'
                          % self.dir)
        # only for the migration that runs
        self.assertEqual(len([l for l in r.lines if l.startswith('warning: ')]), 1)

    def test_verbose(self):
        r = self.g('up', '-v')
        self.assertSuccess(r)
        # goose's -v trace: the transaction around each migration's
        # statements, and nothing of Gander's own queries
        lines = r.lines
        i = lines.index('Executing statement: CREATE TABLE t1 (id INTEGER);')
        self.assertEqual(lines[i - 1], 'Begin transaction')
        self.assertEqual(lines[i + 1], 'Commit transaction')
        self.assertNotLogged(r, 'opened SQLite database')
        self.assertNotIn('DEBUG', r.err)
        self.assertNotIn('\033[', r.err)
        r = self.g('down', '-v')
        self.assertLogged(r, 'Executing statement: DROP TABLE t3;')
        # Gander's internal queries only under G_MESSAGES_DEBUG
        env = dict(os.environ, G_MESSAGES_DEBUG='Gander')
        r = self.g('up', env=env)
        self.assertSuccess(r)
        self.assertIn('opened SQLite database', r.err)
        self.assertNotLogged(r, 'Begin transaction')
        # and never on stdout, where --json goes
        r = self.g('status', '--json', env=env)
        self.assertEqual(r.json()['command'], 'status')

    def test_timeout(self):
        self.migration('migrations', '00004_slow.sql',
                       'CREATE TABLE t4 (id int);\n' + SLOW_SQL, 'DROP TABLE t4;')
        self.assertSuccess(self.g('up-to', '3'))
        before = self.dump(self.db)
        start = time.monotonic()
        r = self.g('up', '-timeout', '300ms')
        elapsed = time.monotonic() - start
        self.assertExit(r, 1)
        self.assertLess(elapsed, 20)
        self.assertLogged(r, 'goose run: timed out after 300ms (-timeout)')
        self.assertIn('00004_slow.sql', r.err)
        self.assertEqual(self.dump(self.db), before)

        r = self.g('up', '--timeout=300ms', '--json')
        self.assertExit(r, 1)
        self.assertIn('timed out', r.json()['error']['message'])
        self.assertEqual(r.json()['error']['code'], 'timeout')

    def interrupt(self, sig, expected_rc):
        self.migration('migrations', '00004_slow.sql',
                       'CREATE TABLE t4 (id int);\n' + SLOW_SQL, 'DROP TABLE t4;')
        self.assertSuccess(self.g('up-to', '3'))
        before = self.dump(self.db)
        p = self.popen('-dir', self.dir, 'sqlite3', self.db, 'up')
        # wait until the slow migration holds the database
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if os.path.exists(self.db + '-journal') or os.path.exists(self.db + '-wal'):
                break
            time.sleep(0.02)
        time.sleep(0.2)
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, expected_rc, err)
        self.assertIn('interrupted by %s' % sig.name, err)
        self.assertEqual(self.dump(self.db), before)

    def test_sigint(self):
        self.interrupt(signal.SIGINT, 130)

    def test_sigterm(self):
        self.interrupt(signal.SIGTERM, 143)

    def test_no_versioning(self):
        r = self.g('up', '-no-versioning')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql', '00002_t2.sql', '00003_t3.sql'])
        self.assertIn('goose: up to current file version: 3', r.lines)
        self.assertNotIn('goose_db_version', self.tables(self.db))
        self.assertEqual(self.g('version', '-no-versioning').lines, ['goose: file version 3'])
        r = self.g('down', '-no-versioning')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql'])
        self.assertNotIn('goose_db_version', self.tables(self.db))

    def test_postgres_bad_dsn_is_masked(self):
        r = self.gander('-dir', self.dir, 'postgres',
                        'postgres://alice:pa55word@127.0.0.1:1/db?connect_timeout=5', 'status',
                        timeout=60)
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: ')
        self.assertNotLogged(r, 'pa55word')


if __name__ == '__main__':
    main()
