# test-cli-bad-input.py: what users feed in by mistake
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Malformed files, duplicate versions, unknown target versions, a missing
# directory, a read-only database, a file that is not a database, a wrong
# DSN: each must give a clear error that says where (file, line, version),
# exit non-zero, and leave the database exactly as it was (compared as a
# full SQL dump before and after).

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os

from clitest import CliTestCase, main

MALFORMED = ('-- +goose Up\n'
             'CREATE TABLE b (id int)\n'
             '-- +goose Down\n'
             'DROP TABLE b;\n')


class BadInputTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('migrations', 2)
        self.db = self.path('bad.db')
        # a database that already went through goose's table creation
        self.assertSuccess(self.gander('-dir', self.dir, 'sqlite3', self.db, 'up-to', '1'))

    def g(self, *args, **kwargs):
        return self.gander('-dir', self.dir, 'sqlite3', self.db, *args, **kwargs)

    def assertUnchanged(self, before, *commands):
        """Runs each command; each must fail and leave the database as it
        was. Returns their results."""
        results = []
        for cmd in commands:
            r = self.g(*cmd)
            self.assertEqual(r.rc, 1, '%s: %r' % (cmd, r))
            self.assertEqual(self.dump(self.db), before, cmd)
            results.append(r)
        return results

    def test_malformed_file(self):
        self.write('migrations/00003_broken.sql', MALFORMED)
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up'], ['up-to', '3'], ['up', '--json']):
            # file and line, and goose's own wording
            self.assertIn('migrations/00003_broken.sql:3', r.err)
            self.assertIn('missing semicolon', r.err)
        # the pending migration 2 did not run either: parse before running
        self.assertNotIn('t2', self.tables(self.db))

    def test_malformed_down_section(self):
        self.write('migrations/00003_broken.sql',
                   '-- +goose Up\nSELECT 1;\n-- +goose Down\n-- +goose StatementBegin\nSELECT 2;\n')
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up']):
            self.assertIn('00003_broken.sql', r.err)

    def test_malformed_file_fresh_database(self):
        self.write('migrations/00003_broken.sql', MALFORMED)
        fresh = self.path('fresh.db')
        r = self.gander('-dir', self.dir, 'sqlite3', fresh, 'up')
        self.assertExit(r, 1)
        self.assertIn('00003_broken.sql:3', r.err)
        # Nothing at all was written: the tables are created only once every
        # file of the plan has parsed.
        tables = self.tables(fresh) if os.path.exists(fresh) else []
        self.assertEqual(tables, [])

    def test_duplicate_versions(self):
        self.write('migrations/00002_again.sql', '-- +goose Up\nCREATE TABLE again (id int);\n')
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up'], ['status'], ['down'], ['version']):
            self.assertLogged(r, 'goose run: ')
            self.assertIn('duplicate', r.err)
            self.assertIn('00002_again.sql', r.err)
            self.assertIn('00002_t2.sql', r.err)

    def test_bad_file_name(self):
        self.write('migrations/schema.sql', 'CREATE TABLE s (id int);\n')
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up'], ['status']):
            self.assertIn('schema.sql', r.err)

    def test_missing_dir(self):
        fresh = self.path('never.db')
        r = self.gander('-dir', 'nope', 'sqlite3', fresh, 'up')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: ')
        self.assertIn('nope', r.err)
        self.assertIn('does not exist', r.err)
        # the database file was not even created
        self.assertFalse(os.path.exists(fresh))
        before = self.dump(self.db)
        r = self.gander('-dir', 'nope', 'sqlite3', self.db, 'down')
        self.assertExit(r, 1)
        self.assertEqual(self.dump(self.db), before)

    def test_read_only_database(self):
        before = self.dump(self.db)
        # root ignores file modes: open the file read-only through SQLite
        dsn = 'file:%s?mode=ro' % self.db
        r = self.gander('-dir', self.dir, 'sqlite3', dsn, 'up')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: ')
        self.assertRegex(r.err.lower(), r'read.?only')
        self.assertEqual(self.dump(self.db), before)
        if os.geteuid() != 0:
            os.chmod(self.db, 0o444)
            self.addCleanup(os.chmod, self.db, 0o644)
            r = self.g('up')
            self.assertExit(r, 1)
            self.assertRegex(r.err.lower(), r'read.?only')
            self.assertEqual(self.dump(self.db), before)

    def test_not_a_database(self):
        junk = self.write('junk.db', 'this is not a database, just text\n' * 100)
        with open(junk, 'rb') as f:
            content = f.read()
        for cmd in (['up'], ['status'], ['version'], ['down']):
            with self.subTest(cmd=cmd):
                r = self.gander('-dir', self.dir, 'sqlite3', junk, *cmd)
                self.assertExit(r, 1)
                self.assertIn('not a database', r.err)
                self.assertIn('junk.db', r.err)
                with open(junk, 'rb') as f:
                    self.assertEqual(f.read(), content)

    def test_wrong_sqlite_dsn(self):
        r = self.gander('-dir', self.dir, 'sqlite3', self.path('no', 'such', 'dir', 'x.db'), 'up')
        self.assertExit(r, 1)
        self.assertLogged(r, 'goose run: ')
        self.assertIn('does not exist', r.err)
        self.assertFalse(os.path.exists(self.path('no')))

    def test_failed_statement_names_file_line_version(self):
        self.write('migrations/00003_fails.sql',
                   '-- +goose Up\nSELECT 1;\n\nINSERT INTO nowhere VALUES (1);\n')
        self.assertSuccess(self.g('up-to', '2'))
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up']):
            self.assertIn('00003_fails.sql:4', r.err)
            self.assertIn('migration 3', r.err)
            self.assertIn('no such table: nowhere', r.err)

    def test_nul_byte(self):
        # A NUL byte inside a statement used to cut the statement short
        # without a word (exit 0); now every command that reads the file
        # refuses it, naming file, line and column.
        path = self.path('migrations', '00003_nul.sql')
        with open(path, 'wb') as f:
            f.write(b'-- +goose Up\nCREATE TABLE n (id int);\n'
                    b'INSERT INTO n VALUES (1);\x00 DROP TABLE t1;\n')
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up'], ['up-to', '3']):
            # goose's words first, then where
            self.assertIn('ERROR 00003_nul.sql: failed to parse SQL migration file: '
                          'a NUL byte (column 26) inside a statement', r.err)
            self.assertIn('; at %s/00003_nul.sql:3\n' % self.dir, r.err)
        self.assertNotIn('n', self.tables(self.db))
        for cmd in (['parse', 'migrations/00003_nul.sql'], ['-dir', 'migrations', 'validate']):
            with self.subTest(cmd=cmd):
                r = self.gander(*cmd)
                self.assertExit(r, 1)
                self.assertIn('00003_nul.sql:3: a NUL byte (column 26)', r.err)

    def test_fifo_named_like_migration(self):
        # open() on a FIFO waits for a writer: `up` and `status` used to
        # hang. Refused at listing, quickly, naming the file.
        os.mkfifo(self.path('migrations', '00003_f.sql'))
        before = self.dump(self.db)
        r = self.gander('parse', 'migrations/00003_f.sql', timeout=20)
        self.assertExit(r, 1)
        self.assertIn('migrations/00003_f.sql is not a regular file', r.err)
        r = self.gander('-dir', 'migrations', 'validate', timeout=20)
        self.assertExit(r, 1)
        self.assertIn('migrations/00003_f.sql is named like a migration but is a FIFO', r.err)
        for cmd in (['status'], ['up'], ['version'], ['down']):
            with self.subTest(cmd=cmd):
                r = self.g(*cmd, timeout=20)
                self.assertExit(r, 1)
                self.assertIn('migrations/00003_f.sql is named like a migration but is '
                              'a FIFO (named pipe)', r.err)
                self.assertIn('remove it, or rename it', r.err)
                self.assertEqual(self.dump(self.db), before)

    def test_directory_named_like_migration(self):
        # used to be skipped silently; a link to a directory too
        os.mkdir(self.path('migrations', '00003_x.sql'))
        os.mkdir(self.path('elsewhere'))
        before = self.dump(self.db)
        for r in self.assertUnchanged(before, ['up'], ['status']):
            self.assertIn('migrations/00003_x.sql is named like a migration but is '
                          'a directory', r.err)
        os.rmdir(self.path('migrations', '00003_x.sql'))
        os.symlink(self.path('elsewhere'), self.path('migrations', '00004_l.sql'))
        for r in self.assertUnchanged(before, ['up']):
            self.assertIn('migrations/00004_l.sql is named like a migration but is '
                          'a directory', r.err)
        # a link to a regular file is a migration, as in goose
        os.unlink(self.path('migrations', '00004_l.sql'))
        self.write('real.txt', '-- +goose Up\nCREATE TABLE linked (id int);\n')
        os.symlink(self.path('real.txt'), self.path('migrations', '00004_l.sql'))
        self.assertSuccess(self.g('up'))
        self.assertIn('linked', self.tables(self.db))

    def test_dangling_link_named_like_migration(self):
        # status used to list it as Pending and exit 0 while validate failed
        os.symlink('/nonexistent', self.path('migrations', '00005_x.sql'))
        before = self.dump(self.db)
        message = ('migrations/00005_x.sql is named like a migration but is a '
                   'symbolic link to a missing file (/nonexistent): remove it, '
                   'or fix the link')
        for r in self.assertUnchanged(before, ['status'], ['up'], ['version']):
            self.assertIn(message, r.err)
            self.assertNotIn('Pending', r.out)
        r = self.gander('-dir', 'migrations', 'validate', timeout=20)
        self.assertExit(r, 1)
        self.assertIn(message, r.err)


if __name__ == '__main__':
    main()
