# test-cli-messages.py: what gander says when something goes wrong
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# goose's failure words stay first on the line (operators' log alerts grep
# them), Gander's detail follows; and the messages say what to do next.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import fcntl
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
        self.assertTrue(r.json()['error'].startswith(
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


if __name__ == '__main__':
    main()
