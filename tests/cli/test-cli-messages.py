# test-cli-messages.py: what gander says when something goes wrong
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# goose's failure words stay first on the line (operators' log alerts grep
# them), Gander's detail follows; and the messages say what to do next.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import fcntl
import os
import signal
import time

from clitest import CliTestCase, main


class GooseWordsTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.db = self.path('app.db')

    def test_failed_statement(self):
        self.migration('m', '00001_a.sql', 'CREATE TABLE a (x int);', 'DROP TABLE a;')
        self.write('m/00002_b.sql',
                   '-- +goose Up\n'
                   'CREATE TABLE b (x int);\n'
                   '-- a comment goose leaves out of the message\n'
                   '\n'
                   'INSERT INTO nosuch\n'
                   '\n'
                   '  VALUES (1);\n'
                   '-- +goose Down\nDROP TABLE b;\n')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up')
        self.assertExit(r, 1)
        self.assertOkLines(r, ['00001_a.sql'])
        last = r.lines[-1]
        # goose v3's CLI line, word for word up to the driver's error
        self.assertTrue(last.startswith(
            'goose run: ERROR 00002_b.sql: failed to run SQL migration: '
            'failed to execute SQL query "INSERT INTO nosuch\\n  VALUES (1);": '
            'no such table: nosuch'), last)
        # then where: file, line of the failing statement, which statement
        self.assertTrue(last.endswith('; at m/00002_b.sql:5, migration 2 (up), '
                                      'statement 2 of 2'), last)
        self.assertEqual(self.versions(self.db), [0, 1])

    def test_failed_statement_json(self):
        self.write('m/00001_b.sql', '-- +goose Up\nSELECT * FROM nosuch;\n')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up', '--json')
        self.assertExit(r, 1)
        self.assertTrue(r.json()['error']['message'].startswith(
            'ERROR 00001_b.sql: failed to run SQL migration: '
            'failed to execute SQL query "SELECT * FROM nosuch;": '), r.out)

    def test_parse_error(self):
        self.migration('m', '00001_a.sql', 'CREATE TABLE a (x int);', 'DROP TABLE a;')
        self.write('m/00002_c.sql', '-- +goose Up\nCREATE TABLE c (x int)\n')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up')
        self.assertExit(r, 1)
        last = r.lines[-1]
        self.assertTrue(last.startswith(
            'goose run: ERROR 00002_c.sql: failed to parse SQL migration file: '
            'failed to parse migration: state 1, direction: up: unexpected unfinished '
            'SQL query: "CREATE TABLE c (x int)": missing semicolon?'), last)
        self.assertTrue(last.endswith('; at m/00002_c.sql:2'), last)
        # validate keeps the compiler-style FILE:LINE: first
        r = self.gander('-dir', 'm', 'validate')
        self.assertExit(r, 1)
        self.assertLogged(r, 'm/00002_c.sql:2: failed to parse migration: state 1')

    def test_missing_migrations(self):
        self.migration('m', '00001_a.sql', 'CREATE TABLE a (x int);', 'DROP TABLE a;')
        self.migration('m', '00003_c.sql', 'CREATE TABLE c (x int);', 'DROP TABLE c;')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up')
        self.assertSuccess(r)
        self.migration('m', '00002_b.sql', 'CREATE TABLE b (x int);', 'DROP TABLE b;')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up-to', '3')
        self.assertExit(r, 1)
        self.assertIn('goose run: error: found 1 missing migrations before current '
                      'version 3:\n\tversion 2: m/00002_b.sql\n', r.err)



class LockWaitTest(CliTestCase):
    def test_second_runner_is_told(self):
        self.simple_set('m', 1)
        db = self.path('app.db')
        # another runner holds the run lock file, as gander writes it
        with open(db + '.gander-lock', 'w') as lock:
            lock.write('pid 4242 on host db1, since 2026-11-30 10:00:00 UTC\n')
            lock.flush()
            fcntl.flock(lock, fcntl.LOCK_EX)
            start = time.monotonic()
            r = self.gander('-dir', 'm', 'sqlite3', db, 'up', '--lock-timeout', '2500ms')
            self.assertGreaterEqual(time.monotonic() - start, 2.4)
        self.assertExit(r, 1)
        self.assertEqual(r.lines[0],
                         'waiting for another migration run to release the lock on this '
                         'database (held by pid 4242 on host db1, since 2026-11-30 10:00:00 '
                         'UTC); giving up after 2.5s (--lock-timeout, default 5m)')
        self.assertIn('locked by another migration run', r.lines[-1])
        # a short wait stays silent
        with open(db + '.gander-lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            r = self.gander('-dir', 'm', 'sqlite3', db, 'up', '--lock-timeout', '300ms')
        self.assertExit(r, 1)
        self.assertNotLogged(r, 'waiting for another')
        self.assertSuccess(self.gander('-dir', 'm', 'sqlite3', db, 'up'))

    def test_help_states_the_default(self):
        r = self.gander('-h')
        self.assertSuccess(r)
        self.assertIn("--lock-timeout T     how long to wait for another runner's lock "
                      "(default\n                       5m;", r.out)



class NothingToUndoTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.db = self.path('app.db')

    def test_down_and_redo_with_nothing_applied(self):
        self.simple_set('m', 2)
        for cmd, goose in (('down', 'goose run: migration 0: no current version found'),
                           ('redo', 'goose run: no current version found')):
            with self.subTest(cmd=cmd):
                r = self.gander('-dir', 'm', 'sqlite3', self.db, cmd)
                self.assertExit(r, 1)
                # goose's line as goose prints it, then a plain sentence
                self.assertEqual(r.lines[-2:], [
                    goose,
                    'Nothing to roll back: no migration is applied to this database.'])

    def test_down_without_down_section(self):
        self.migration('m', '00001_a.sql', 'CREATE TABLE a (x int);', 'DROP TABLE a;')
        self.write('m/00002_b.sql', '-- +goose Up\nCREATE TABLE b (x int);\n')
        r = self.gander('-dir', 'm', 'validate')
        self.assertSuccess(r)
        self.assertLogged(r, "warning: m/00002_b.sql: no '-- +goose Down' section: down "
                             "cannot undo migration 2")
        self.assertSuccess(self.gander('-dir', 'm', 'sqlite3', self.db, 'up'))
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'down')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00002_b.sql'], ['EMPTY'])
        self.assertEqual(r.lines[-1],
                         "warning: m/00002_b.sql has no '-- +goose Down' section: only the "
                         "version row of migration 2 was removed; the database's schema is "
                         "unchanged")
        self.assertIn('b', self.tables(self.db))
        # a migration with a Down section: no warning
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'down')
        self.assertSuccess(r)
        self.assertNotLogged(r, 'warning')



class OrphanTest(CliTestCase):
    """status names applied versions whose file is gone (goose shows
    nothing), and a renamed file by its recorded checksum."""

    def setUp(self):
        super().setUp()
        self.db = self.path('app.db')
        self.migration('m', '00001_a.sql', 'CREATE TABLE a (x int);', 'DROP TABLE a;')
        self.migration('m', '00002_b.sql', 'CREATE TABLE b (x int);', 'DROP TABLE b;')
        self.assertSuccess(self.gander('-dir', 'm', 'sqlite3', self.db, 'up'))

    def status(self, *extra):
        return self.gander('-dir', 'm', 'sqlite3', self.db, 'status', *extra)

    def test_renamed_file(self):
        # the `goose fix` slip: the applied file gets a new version
        os.rename(self.path('m', '00002_b.sql'), self.path('m', '00003_b.sql'))
        r = self.status()
        self.assertSuccess(r)
        # goose's table is unchanged: files only, version 3 pending
        self.assertLogged(r, 'Pending                  -- 00003_b.sql')
        self.assertNotLogged(r, '-- 00002_b.sql')
        self.assertLogged(r, 'warning: version 2 (00002_b.sql) is recorded as applied, '
                             'but no file in m has that version; 00003_b.sql has the '
                             'same content, so it looks renamed after it ran')
        self.assertLogged(r, 'rename it back to 00002_b.sql')
        j = self.status('--json').json()
        self.assertEqual([m['version'] for m in j['migrations']], [1, 3])
        self.assertEqual(j['orphans'], [{
            'version': 2, 'name': '00002_b.sql',
            'applied_at': j['migrations'][0]['applied_at'],
            'renamed_to': '00003_b.sql'}])
        # pending because of the renamed file, not because of the orphan
        self.assertExit(self.status('--exit-code'), 3)

    def test_deleted_file(self):
        os.unlink(self.path('m', '00002_b.sql'))
        r = self.status()
        self.assertSuccess(r)
        self.assertLogged(r, 'warning: version 2 (00002_b.sql) is recorded as applied, '
                             'but no file in m has that version (deleted or renamed)')
        self.assertNotLogged(r, 'looks renamed')
        j = self.status('--json').json()
        self.assertEqual(j['pending'], 0)
        self.assertEqual(j['orphans'][0]['renamed_to'], None)
        # orphans alone do not make --exit-code report work to do
        self.assertSuccess(self.status('--exit-code'))

    def test_no_orphans(self):
        r = self.status('--json')
        self.assertSuccess(r)
        self.assertEqual(r.json()['orphans'], [])
        self.assertNotLogged(r, 'warning')


SLOW_SQL = ('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c '
            'WHERE x < 2000000000) SELECT count(*) FROM c;')


class InterruptedNoTransactionTest(CliTestCase):
    NOTE = ('m/00002_slow.sql runs without a transaction (-- +goose NO TRANSACTION), so it '
            'was not rolled back and may be half applied: run status (it shows the '
            'migration as running), check the database by hand, then repair clear-dirty 2')

    def setUp(self):
        super().setUp()
        self.db = self.path('app.db')
        self.migration('m', '00001_a.sql', 'CREATE TABLE a (x int);', 'DROP TABLE a;')

    def test_timeout(self):
        self.migration('m', '00002_slow.sql', 'CREATE TABLE half (x int);\n' + SLOW_SQL,
                       'DROP TABLE half;', notx=True)
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up', '-timeout', '700ms')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: timed out after 700ms (-timeout)')
        self.assertEqual(r.lines[-1], self.NOTE)
        self.assertIn('half', self.tables(self.db))
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'status')
        self.assertLogged(r, 'Running (interrupted)    -- 00002_slow.sql')

    def test_sigint(self):
        self.migration('m', '00002_slow.sql', 'CREATE TABLE half (x int);\n' + SLOW_SQL,
                       'DROP TABLE half;', notx=True)
        p = self.popen('-dir', 'm', 'sqlite3', self.db, 'up')
        # the first statement has run once the table exists
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if os.path.exists(self.db) and 'half' in self.tables(self.db):
                break
            time.sleep(0.05)
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn('interrupted by SIGINT', err)
        self.assertTrue(err.rstrip('\n').endswith(self.NOTE), err)

    def test_transactional_migration_has_no_note(self):
        self.migration('m', '00002_slow.sql', 'CREATE TABLE half (x int);\n' + SLOW_SQL,
                       'DROP TABLE half;')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up', '-timeout', '700ms')
        self.assertExit(r, 1)
        self.assertNotLogged(r, 'half applied')
        self.assertNotIn('half', self.tables(self.db))



class UsageTest(CliTestCase):
    def usage(self, *args, env=None):
        r = self.gander(*args, env=env)
        self.assertExit(r, 2)
        self.assertIn('Run “gander -h” for usage.', r.err)
        return r.err.splitlines()

    def test_did_you_mean(self):
        self.assertEqual(self.usage('-dri', 'm', 'sqlite3', 'x.db', 'status')[0],
                         'flag provided but not defined: -dri (did you mean -dir?)')
        self.assertEqual(self.usage('--lock-timout', '1s', 'sqlite3', 'x.db', 'up')[0],
                         'flag provided but not defined: -lock-timout '
                         '(did you mean -lock-timeout?)')
        # nothing close: goose's line alone
        self.assertEqual(self.usage('-frobnicate', 'sqlite3', 'x.db', 'up')[0],
                         'flag provided but not defined: -frobnicate')
        self.assertEqual(self.usage('sqlite3', 'x.db', 'stauts')[0],
                         '"stauts": no such command; did you mean status?')
        self.assertEqual(self.usage('sqlite3', 'x.db', 'dwon')[0],
                         '"dwon": no such command; did you mean down?')
        self.assertEqual(self.usage('valdate')[0],
                         '"valdate": no such command; did you mean validate?')
        self.assertEqual(self.usage('sqlite3', 'x.db', 'bogus')[0], '"bogus": no such command')
        self.assertFalse(os.path.exists(self.path('x.db')))

    def test_help_command(self):
        r = self.gander('help')
        self.assertSuccess(r)
        self.assertTrue(r.out.startswith('Usage: gander'), r.out)
        self.assertEqual(r.out, self.gander('-h').out)
        r = self.gander('help', 'status')
        self.assertSuccess(r)
        self.assertEqual(r.out.splitlines(),
                         ['  status               Dump the migration status for the current DB'])
        r = self.gander('help', 'repair')
        self.assertSuccess(r)
        self.assertIn('  repair clear-dirty VERSION [--mark-applied]', r.out)
        self.assertIn('  repair accept-checksum VERSION', r.out)
        self.assertEqual(self.usage('help', 'stauts')[0],
                         '"stauts": no such command; did you mean status?')

    def test_missing_dbstring(self):
        self.assertEqual(self.usage('status', env={'GOOSE_DRIVER': 'sqlite3'})[0],
                         'missing DBSTRING: GOOSE_DRIVER is set (sqlite3) but GOOSE_DBSTRING '
                         'is not; set GOOSE_DBSTRING, or give DRIVER DBSTRING COMMAND')
        self.assertEqual(self.usage('sqlite3', 'status')[0],
                         'missing DBSTRING after DRIVER sqlite3: expected DRIVER DBSTRING '
                         'COMMAND')

    def test_driver_from_dotenv(self):
        self.write('.env', 'GOOSE_DRIVER=sqlite3\nGOOSE_DBSTRING=a.db\n')
        err = self.usage('sqlite3', 'b.db', 'status')
        self.assertEqual(err[0], '"sqlite3": no such command')
        self.assertEqual(err[1], 'note: GOOSE_DRIVER=sqlite3 came from ./.env and goes in '
                                 'front of the arguments, so the DRIVER DBSTRING given here '
                                 'are read as COMMAND; leave them out, or run with -env none')
        # -env none: the command line alone
        self.simple_set('.', 1)
        self.assertSuccess(self.gander('-env', 'none', 'sqlite3', 'b.db', 'status'))
        os.unlink(self.path('.env'))
        err = self.usage('sqlite3', 'b.db', 'status',
                         env={'GOOSE_DRIVER': 'sqlite3', 'GOOSE_DBSTRING': 'a.db'})
        self.assertIn('note: GOOSE_DRIVER=sqlite3 is set and goes in front', err[1])

    def test_broken_dotenv_is_named(self):
        self.write('.env', 'GOOSE_DRIVER="sqlite3\nGOOSE_DBSTRING=a.db\n')
        err = self.usage('status')
        self.assertIn('note: ./.env was not loaded: .env: ', '\n'.join(err))
        # as goose, a broken .env does not stop a command that needs nothing from it
        self.simple_set('.', 1)
        self.assertSuccess(self.gander('sqlite3', 'b.db', 'status'))


if __name__ == '__main__':
    main()
