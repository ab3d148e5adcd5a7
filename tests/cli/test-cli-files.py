# test-cli-files.py: create, fix, validate and parse (no database involved)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import datetime
import os
import re
import time

from clitest import CliTestCase, main

SQL_TEMPLATE = ("-- +goose Up\n"
                "SELECT 'up SQL query';\n"
                "\n"
                "-- +goose Down\n"
                "SELECT 'down SQL query';\n")


class CreateTest(CliTestCase):
    def created(self, r):
        """The path of 'Created new file: <path>'."""
        for line in r.lines:
            if line.startswith('Created new file: '):
                return line[len('Created new file: '):]
        self.fail('no "Created new file" line:\n%r' % r)

    def test_create_timestamp(self):
        d = self.mkdir('m')
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        r = self.gander('-dir', 'm', 'create', 'Add Users', 'sql')
        after = datetime.datetime.now(datetime.timezone.utc)
        self.assertSuccess(r)
        path = self.created(r)
        name = os.path.basename(path)
        self.assertEqual(os.path.dirname(path), 'm')
        m = re.match(r'^(\d{14})_add_users\.sql$', name)
        self.assertIsNotNone(m, name)
        # UTC, as goose since v3.17
        stamp = datetime.datetime.strptime(m.group(1), '%Y%m%d%H%M%S').replace(
            tzinfo=datetime.timezone.utc)
        self.assertTrue(before <= stamp <= after, (before, stamp, after))
        with open(os.path.join(d, name)) as f:
            self.assertEqual(f.read(), SQL_TEMPLATE)
        # the template is a valid migration
        self.assertSuccess(self.gander('-dir', 'm', 'validate'))

    def test_create_defaults_to_sql(self):
        self.mkdir('m')
        r = self.gander('create', 'x', '-dir=m')
        self.assertSuccess(r)
        self.assertTrue(self.created(r).endswith('_x.sql'))
        # --json changes nothing for create: the line stays
        r = self.gander('create', 'y', '-dir=m', '--json')
        self.assertSuccess(r)
        self.assertTrue(self.created(r).endswith('_y.sql'))

    def test_create_in_current_dir(self):
        r = self.gander('create', 'here', 'sql')
        self.assertSuccess(r)
        self.assertRegex(self.created(r), r'^\d{14}_here\.sql$')

    def test_create_with_driver_and_dbstring(self):
        self.mkdir('m')
        r = self.gander('-dir', 'm', 'sqlite3', 'unused.db', 'create', 'y', 'sql')
        self.assertSuccess(r)
        self.assertFalse(os.path.exists(self.path('unused.db')))

    def test_create_sequential(self):
        self.mkdir('m')
        r = self.gander('-dir', 'm', '-s', 'create', 'first', 'sql')
        self.assertSuccess(r)
        self.assertEqual(self.created(r), 'm/00001_first.sql')
        r = self.gander('-dir', 'm', 'create', 'second', '-s')
        self.assertEqual(self.created(r), 'm/00002_second.sql')
        # timestamps do not count for -s
        self.write('m/20230826163141_ts.sql', SQL_TEMPLATE)
        self.write('m/00007_seven.sql', SQL_TEMPLATE)
        r = self.gander('-dir', 'm', '-s', 'create', 'third')
        self.assertEqual(self.created(r), 'm/00008_third.sql')

    def test_create_sequential_needs_dir(self):
        r = self.gander('-dir', 'nope', '-s', 'create', 'x')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: nope directory does not exist')

    def test_create_missing_dir(self):
        r = self.gander('-dir', 'nope', 'create', 'x')
        self.assertExit(r, 1)
        self.assertLogged(r, 'failed to create migration file')

    def test_create_go_is_refused(self):
        self.mkdir('m')
        r = self.gander('-dir', 'm', 'create', 'x', 'go')
        self.assertExit(r, 1)
        self.assertLogged(r, 'Go migrations are not supported')
        self.assertEqual(os.listdir(self.path('m')), [])
        r = self.gander('-dir', 'm', 'create', 'x', 'txt')
        self.assertExit(r, 2)
        self.assertIn('only sql is supported', r.err)

    def test_create_needs_name(self):
        r = self.gander('create')
        self.assertExit(r, 2)
        self.assertIn('create must be of form', r.err)

    def test_create_never_overwrites(self):
        m = self.mkdir('m')
        for attempt in range(5):
            # a retry starts afresh: the last r2 may share r1's second
            for name in os.listdir(m):
                os.unlink(os.path.join(m, name))
            r1 = self.gander('-dir', 'm', 'create', 'same')
            r2 = self.gander('-dir', 'm', 'create', 'same')
            self.assertSuccess(r1)
            if r2.rc != 0:
                break
            # the clock ticked between the two: try again
        self.assertExit(r2, 1)
        self.assertLogged(r2, 'failed to create migration file: ')
        self.assertLogged(r2, 'already exists')

    def test_snake_case_names(self):
        self.mkdir('m')
        for name, expected in [('add user', 'add_user'), ('AddUser', 'adduser'),
                               ('add-user!', 'add_user_'), ('v2.0 fix', 'v2_0_fix')]:
            with self.subTest(name=name):
                r = self.gander('-dir', 'm', '-s', 'create', name, 'sql')
                self.assertSuccess(r)
                self.assertRegex(self.created(r), r'^m/\d{5}_' + re.escape(expected) + r'\.sql$')


class FixTest(CliTestCase):
    def test_create_and_fix(self):
        # goose_cli_test.go create_and_fix, with SQL files (Gander creates no
        # Go migrations; a Go file that is present is renamed like goose does)
        d = self.mkdir('m')
        for name in ['00001_alpha.sql', '00003_bravo.sql', '20230826163141_charlie.sql']:
            self.write('m/' + name, SQL_TEMPLATE)
        self.write('m/20230826163151_delta.go', 'package migrations\n')
        for i, args in enumerate([('echo', 'sql'), ('foxtrot', 'sql'), ('golf',)]):
            if i:
                time.sleep(1.1)   # one version per second
            self.assertSuccess(self.gander('-dir', d, 'create', *args))
        created = sorted(os.listdir(d))
        r = self.gander('-dir', d, 'fix')
        self.assertSuccess(r)
        self.assertEqual(sorted(os.listdir(d)), [
            '00001_alpha.sql', '00003_bravo.sql', '00004_charlie.sql', '00005_delta.go',
            '00006_echo.sql', '00007_foxtrot.sql', '00008_golf.sql'])
        self.assertEqual(r.lines[0], 'RENAMED 20230826163141_charlie.sql => 00004_charlie.sql')
        self.assertEqual(r.lines[1], 'RENAMED 20230826163151_delta.go => 00005_delta.go')
        self.assertEqual(r.lines[2], 'RENAMED %s => 00006_echo.sql' % created[-3])
        self.assertEqual(len(r.lines), 5)
        # nothing left to fix
        r = self.gander('-dir', d, 'fix')
        self.assertSuccess(r)
        self.assertEqual(r.lines, [])

    def test_fix_keeps_contents(self):
        self.write('m/20240101000000_a.sql', SQL_TEMPLATE + '-- a\n')
        self.assertSuccess(self.gander('-dir', 'm', 'fix'))
        with open(self.path('m', '00001_a.sql')) as f:
            self.assertEqual(f.read(), SQL_TEMPLATE + '-- a\n')

    def test_fix_empty_dir(self):
        self.mkdir('m')
        r = self.gander('-dir', 'm', 'fix')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: no migration files found')

    def test_fix_bad_name(self):
        self.write('m/20240101000000_a.sql', SQL_TEMPLATE)
        self.write('m/schema.sql', 'CREATE TABLE x (id int);\n')
        r = self.gander('-dir', 'm', 'fix')
        self.assertExit(r, 1)
        self.assertLogged(r, 'could not parse SQL migration file "m/schema.sql"')
        self.assertEqual(sorted(os.listdir(self.path('m'))), ['20240101000000_a.sql', 'schema.sql'])

    def test_fix_duplicates(self):
        self.write('m/20240101000000_a.sql', SQL_TEMPLATE)
        self.write('m/20240101000000_b.sql', SQL_TEMPLATE)
        r = self.gander('-dir', 'm', 'fix')
        self.assertExit(r, 1)
        self.assertLogged(r, 'duplicate version 20240101000000')
        self.assertEqual(len(os.listdir(self.path('m'))), 2)


class ValidateTest(CliTestCase):
    def test_validate_ok(self):
        self.simple_set('m', 2)
        r = self.gander('-dir', 'm', 'validate')
        self.assertSuccess(r)
        self.assertEqual((r.out, r.err), ('', ''))

    def test_validate_verbose_table(self):
        self.simple_set('m', 2)
        self.migration('m', '00003_long_name_here.sql', 'SELECT 1;\nSELECT 2;', '', notx=True)
        r = self.gander('-dir', 'm', 'validate', '-v')
        self.assertSuccess(r)
        self.assertEqual(r.out.splitlines(), [
            'Type   Txn   Up   Down   Name                       ',
            '────   ───   ──   ────   ────                       ',
            'sql    ✔     1    1      00001_t1.sql               ',
            'sql    ✔     1    1      00002_t2.sql               ',
            'sql    ✘     2    0      00003_long_name_here.sql   ',
        ])

    def test_validate_single_file(self):
        self.simple_set('m', 2)
        r = self.gander('-dir', 'm/00002_t2.sql', 'validate', '-v')
        self.assertSuccess(r)
        self.assertEqual(len(r.out.splitlines()), 3)

    def test_validate_errors(self):
        self.simple_set('m', 1)
        self.write('m/00002_broken.sql', '-- +goose Up\nCREATE TABLE b (id int)\n'
                                         '-- +goose Down\nDROP TABLE b;\n')
        self.write('m/00003_downbroken.sql', '-- +goose Up\nSELECT 1;\n'
                                             '-- +goose Down\n-- +goose StatementBegin\nSELECT 2;\n')
        self.write('m/notaversion.sql', 'SELECT 1;\n')
        self.write('m/00001_dup.sql', '-- +goose Up\nSELECT 1;\n')
        r = self.gander('-dir', 'm', 'validate')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose validate: m/00002_broken.sql:3:')
        self.assertLogged(r, 'goose validate: m/00003_downbroken.sql')
        self.assertLogged(r, 'goose validate: failed to get version from file "m/notaversion.sql"')
        self.assertLogged(r, 'goose validate: duplicate version 1')

    def test_validate_warnings(self):
        self.write('m/00001_w.sql', '-- +goose Up\nCREATE TABLE w (id int);\n'
                                    '-- +GOOSE Down\nSELECT 1;\n')
        r = self.gander('-dir', 'm', 'validate')
        self.assertSuccess(r)
        warnings = [l for l in r.lines if l.startswith('warning: ')]
        self.assertEqual(len(warnings), 2, repr(r))
        self.assertIn('m/00001_w.sql:3', warnings[0])
        self.assertIn('+GOOSE', warnings[0])
        # so goose never sees a Down section
        self.assertIn("m/00001_w.sql: no '-- +goose Down' section", warnings[1])

    def test_validate_skips_go(self):
        self.simple_set('m', 1)
        self.write('m/00002_x.go', 'package m\n')
        r = self.gander('-dir', 'm', 'validate', '-v')
        self.assertSuccess(r)
        self.assertLogged(r, 'warning: m/00002_x.go: Go migrations are not supported')
        self.assertEqual(len(r.out.splitlines()), 3)

    def test_validate_missing_dir(self):
        r = self.gander('-dir', 'nope', 'validate')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose validate: nope directory does not exist')

    def test_validate_reports_every_problem_at_once(self):
        # One run names every problem, in file order, and still prints the
        # table of the files that are fine.
        self.simple_set('m', 1)
        self.write('m/00001_twin.sql', '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n')
        self.write('m/00002_both.sql', '-- +goose Up\nSELECT 1\n-- +goose Down\nSELECT 2\n')
        self.write('m/00003_quirk.sql', '-- +goose Up\nSELECT 1;--x\nSELECT 2;\n')
        os.mkdir(self.path('m', '00004_dir.sql'))
        os.mkfifo(self.path('m', '00005_pipe.sql'))
        self.write('m/zz.sql', 'SELECT 1;\n')
        r = self.gander('-dir', 'm', 'validate', '-v', timeout=20)
        self.assertExit(r, 1)
        problems = [l for l in r.lines
                    if l.startswith('goose validate: ') or l.startswith('warning: ')]
        expected = [
            'goose validate: duplicate version 1: m/00001_t1.sql and m/00001_twin.sql',
            'goose validate: m/00002_both.sql:3: ',
            'goose validate: m/00002_both.sql:4: ',
            "warning: m/00003_quirk.sql:2: ';' followed directly by '--'",
            "warning: m/00003_quirk.sql: no '-- +goose Down' section",
            'goose validate: m/00004_dir.sql is named like a migration but is a directory',
            'goose validate: m/00005_pipe.sql is named like a migration but is a FIFO',
            'goose validate: failed to get version from file "m/zz.sql"',
        ]
        self.assertEqual(len(problems), len(expected), repr(r))
        for line, start in zip(problems, expected):
            self.assertTrue(line.startswith(start), (line, start))
        self.assertEqual([l.split()[-1] for l in r.out.splitlines()[2:]],
                         ['00001_t1.sql', '00003_quirk.sql'])
        # a missing Down section is mentioned without -v too
        r = self.gander('-dir', 'm', 'validate', timeout=20)
        self.assertExit(r, 1)
        self.assertLogged(r, "warning: m/00003_quirk.sql: no '-- +goose Down' section")


class ParseTest(CliTestCase):
    FILE = ('-- +goose Up\n'
            'CREATE TABLE p (id int);\n'
            '\n'
            '-- +goose StatementBegin\n'
            'INSERT INTO p VALUES (1);\n'
            'INSERT INTO p VALUES (2);\n'
            '-- +goose StatementEnd\n'
            '-- +goose Down\n'
            'DROP TABLE p;\n')

    def test_parse_json_up(self):
        self.write('p.sql', self.FILE)
        r = self.gander('parse', 'p.sql', '--json')
        self.assertSuccess(r)
        self.assertEqual(r.json(), {
            'command': 'parse',
            'schema_version': 1,
            'file': 'p.sql',
            'direction': 'up',
            'use_tx': True,
            'statements': [
                {'line': 2, 'sql': 'CREATE TABLE p (id int);'},
                {'line': 5, 'sql': 'INSERT INTO p VALUES (1);\nINSERT INTO p VALUES (2);'},
            ],
            'warnings': [],
            'error': None,
        })

    def test_parse_json_down_and_notx(self):
        self.write('p.sql', '-- +goose NO TRANSACTION\n' + self.FILE)
        for spelling in (['--direction', 'down'], ['-direction=down'], ['--direction=down']):
            with self.subTest(spelling=spelling):
                r = self.gander('--json', 'parse', *spelling, 'p.sql')
                self.assertSuccess(r)
                doc = r.json()
                self.assertEqual(doc['direction'], 'down')
                self.assertFalse(doc['use_tx'])
                self.assertEqual(doc['statements'], [{'line': 10, 'sql': 'DROP TABLE p;'}])

    def test_parse_warnings(self):
        self.write('w.sql', '-- +goose Up\nSELECT 1;\n-- +GOOSE Down\n')
        r = self.gander('parse', 'w.sql', '--json')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(len(doc['warnings']), 1)
        self.assertIn('w.sql:3', doc['warnings'][0])
        self.assertLogged(r, 'warning: w.sql:3')

    def test_parse_error(self):
        self.write('bad.sql', '-- +goose Up\nSELECT 1\n')
        r = self.gander('parse', 'bad.sql', '--json')
        self.assertExit(r, 1)
        doc = r.json()
        self.assertIn('error', doc)
        self.assertIn('bad.sql', doc['error']['message'])
        self.assertEqual(doc['error']['code'], 'parse')
        self.assertNotIn('statements', doc)
        r = self.gander('parse', 'missing.sql', '--json')
        self.assertExit(r, 1)
        self.assertIn('missing.sql', r.json()['error']['message'])

    def test_parse_listing(self):
        self.write('p.sql', self.FILE)
        r = self.gander('parse', 'p.sql')
        self.assertSuccess(r)
        self.assertEqual(r.out.splitlines(), [
            'File: p.sql',
            'Direction: up',
            'Transaction: yes',
            '2 statements',
            '',
            '-- statement 1, line 2',
            'CREATE TABLE p (id int);',
            '',
            '-- statement 2, line 5',
            'INSERT INTO p VALUES (1);',
            'INSERT INTO p VALUES (2);',
        ])

    def test_parse_usage(self):
        r = self.gander('parse')
        self.assertExit(r, 2)
        self.write('p.sql', self.FILE)
        r = self.gander('parse', 'p.sql', '--direction', 'sideways')
        self.assertExit(r, 2)
        self.assertIn('--direction must be up or down', r.err)


if __name__ == '__main__':
    main()
