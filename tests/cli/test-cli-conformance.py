# test-cli-conformance.py: goose's own CLI expectations on goose's test data
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# shared/conformance/goose-migrations/README.md lists what upstream's
# goose_cli_test.go and integration tests require; these run the same
# sequences through gander. Skipped, with the reason, when the data is
# absent.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os

from clitest import CliTestCase, STATUS_HEADER, ANSIC, main


class GooseCliTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.copy_conformance('testdata', 'migrations')
        self.db = self.path('sql.db')

    def run_cmd(self, *args):
        return self.gander('-dir=' + self.dir, 'sqlite3', self.db, *args)

    def test_goose_cli_sequence(self):
        # goose_cli_test.go: up, version, down, version, status, reset, version
        r = self.run_cmd('up')
        self.assertSuccess(r)
        self.assertIn('goose: successfully migrated database to version: 5', r.lines)
        self.assertAllLogLinesPrefixed(r)
        self.assertOkLines(r, ['00001_users_table.sql', '00002_posts_table.sql',
                               '00003_comments_table.sql', '00004_insert_data.sql',
                               '00005_posts_view.sql'])

        r = self.run_cmd('version')
        self.assertSuccess(r)
        self.assertEqual(r.lines, ['goose: version 5'])

        r = self.run_cmd('down')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00005_posts_view.sql'])

        r = self.run_cmd('version')
        self.assertEqual(r.lines, ['goose: version 4'])

        r = self.run_cmd('status')
        self.assertSuccess(r)
        self.assertEqual(r.lines[:2], STATUS_HEADER)
        self.assertEqual(len(r.lines), 7)
        for line in r.lines[2:6]:
            self.assertRegex(line[4:28].rstrip(), ANSIC)
        self.assertEqual(r.lines[6], '    Pending                  -- 00005_posts_view.sql')

        r = self.run_cmd('reset')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00004_insert_data.sql', '00003_comments_table.sql',
                               '00002_posts_table.sql', '00001_users_table.sql'])

        r = self.run_cmd('version')
        self.assertEqual(r.lines, ['goose: version 0'])

    def test_issue_532_up_twice(self):
        self.assertSuccess(self.run_cmd('up'))
        r = self.run_cmd('up')
        self.assertSuccess(r)
        self.assertEqual(r.lines, ['goose: no migrations to run. current version: 5'])

    def test_issue_293_down_down_up(self):
        self.assertSuccess(self.run_cmd('up'))
        self.assertSuccess(self.run_cmd('down'))
        self.assertSuccess(self.run_cmd('down'))
        r = self.run_cmd('version')
        self.assertEqual(r.lines, ['goose: version 3'])
        r = self.run_cmd('up')
        self.assertSuccess(r)
        self.assertLogged(r, 'successfully migrated database to version: 5')
        self.assertOkLines(r, ['00004_insert_data.sql', '00005_posts_view.sql'])

    def test_empty_dir(self):
        empty = self.mkdir('empty')
        r = self.gander('-dir=' + empty, 'sqlite3', self.db, 'up')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: no migration files found')

    def test_validate_table(self):
        r = self.gander('-dir', self.dir, 'validate', '-v')
        self.assertSuccess(r)
        self.assertEqual(r.out.splitlines(), [
            'Type   Txn   Up   Down   Name                       ',
            '────   ───   ──   ────   ────                       ',
            'sql    ✔     1    1      00001_users_table.sql      ',
            'sql    ✔     1    1      00002_posts_table.sql      ',
            'sql    ✔     1    1      00003_comments_table.sql   ',
            'sql    ✔     3    3      00004_insert_data.sql      ',
            'sql    ✘     1    1      00005_posts_view.sql       ',
        ])
        r = self.gander('-dir', self.dir, 'validate')
        self.assertSuccess(r)
        self.assertEqual(r.out, '')


class NoVersioningTest(CliTestCase):
    """testdata/no-versioning: seeds applied with -no-versioning."""

    def setUp(self):
        super().setUp()
        self.migrations = self.copy_conformance('testdata', 'no-versioning', 'migrations')
        self.seed = self.copy_conformance('testdata', 'no-versioning', 'seed')
        self.db = self.path('nv.db')

    def count(self, where):
        return self.query(self.db, 'SELECT count(*) FROM owners WHERE ' + where)[0][0]

    def test_seed_without_versioning(self):
        r = self.gander('-dir', self.migrations, 'sqlite3', self.db, 'up')
        self.assertSuccess(r)
        self.assertLogged(r, 'goose: successfully migrated database to version: 3')
        rows = self.versions(self.db)

        r = self.gander('-dir', self.seed, '-no-versioning', 'sqlite3', self.db, 'up')
        self.assertSuccess(r)
        self.assertLogged(r, 'goose: up to current file version: 2')
        self.assertEqual(self.count("owner_name LIKE 'seed-user-%'"), 250)
        self.assertEqual(self.versions(self.db), rows)

        r = self.gander('-dir', self.seed, '-no-versioning', 'sqlite3', self.db, 'version')
        self.assertEqual(r.lines, ['goose: file version 2'])

        r = self.gander('-dir', self.seed, '-no-versioning', 'sqlite3', self.db, 'status')
        self.assertSuccess(r)
        self.assertEqual(r.lines[2:], [
            '    no versioning            -- 00001_a.sql',
            '    no versioning            -- 00002_b.sql',
        ])

        r = self.gander('-dir', self.seed, '-no-versioning', 'sqlite3', self.db, 'down-to', '0')
        self.assertSuccess(r)
        self.assertEqual(self.count("owner_name LIKE 'seed-user-%'"), 0)
        self.assertEqual(self.count("owner_name NOT LIKE 'seed-user-%'"), 4)
        self.assertEqual(self.versions(self.db), rows)

        r = self.gander('-dir', self.migrations, 'sqlite3', self.db, 'version')
        self.assertEqual(r.lines, ['goose: version 3'])


class IntegrationSetTest(CliTestCase):
    """The integration harness: up all, down-to 0, up-by-one per file."""

    def check_set(self, *parts, expected_files):
        d = self.copy_conformance(*parts)
        db = self.path('set.db')
        names = sorted(f for f in os.listdir(d) if f.endswith('.sql'))
        self.assertEqual(len(names), expected_files)
        n = len(names)

        r = self.gander('-dir', d, 'sqlite3', db, 'up')
        self.assertSuccess(r)
        self.assertOkLines(r, names)
        self.assertLogged(r, 'goose: successfully migrated database to version: %d' % n)

        r = self.gander('-dir', d, 'sqlite3', db, 'down-to', '0')
        self.assertSuccess(r)
        self.assertOkLines(r, list(reversed(names)))
        self.assertIn('goose: no migrations to run. current version: 0', r.lines)

        for i, name in enumerate(names):
            r = self.gander('-dir', d, 'sqlite3', db, 'up-by-one')
            self.assertSuccess(r)
            self.assertOkLines(r, [name])
            self.assertNotLogged(r, 'successfully migrated')
            r = self.gander('-dir', d, 'sqlite3', db, 'version')
            self.assertEqual(r.lines, ['goose: version %d' % (i + 1)])

        r = self.gander('-dir', d, 'sqlite3', db, 'up-by-one')
        self.assertExit(r, 1)
        self.assertIn('goose: no migrations to run. current version: %d' % n, r.lines)
        self.assertLogged(r, 'goose run: no next version found')

    def test_turso_set(self):
        self.check_set('internal', 'testing', 'integration', 'testdata',
                       'migrations', 'turso', expected_files=5)

    def test_turso_empty_migration(self):
        d = self.copy_conformance('internal', 'testing', 'integration', 'testdata',
                                  'migrations', 'turso')
        db = self.path('e.db')
        r = self.gander('-dir', d, 'sqlite3', db, 'up-to', '4')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_table.sql', '00002_insert.sql', '00003_alter.sql',
                               '00004_empty.sql'], kinds=['OK', 'OK', 'OK', 'EMPTY'])
        self.assertLogged(r, 'goose: successfully migrated database to version: 4')

    def test_examples_set(self):
        d = self.copy_conformance('examples', 'sql-migrations')
        db = self.path('ex.db')
        r = self.gander('-dir', d, 'sqlite3', db, 'up')
        self.assertSuccess(r)
        self.assertLogged(r, 'goose: successfully migrated database to version: 3')
        r = self.gander('-dir', d, 'validate', '-v')
        self.assertSuccess(r)
        self.assertEqual([l.split()[:4] for l in r.out.splitlines()[2:]],
                         [['sql', '✔', '2', '1'], ['sql', '✔', '1', '1'],
                          ['sql', '✘', '1', '1']])


if __name__ == '__main__':
    main()
