# test-cli-args.py: flags, positional arguments, GOOSE_* variables and .env
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# goose reads its command line with Go's flag package through
# xflag.ParseToEnd (flags anywhere, `-f`, `--f`, `-f=v`, `-f v`) and merges
# GOOSE_DRIVER / GOOSE_DBSTRING into the positional arguments (GOOSE_SPEC
# §4.1–4.3). gander must accept every command line goose accepts.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os

from clitest import CliTestCase, json_schemas, main


class FlagSpellingTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('mig', 2)
        self.db = self.path('a.db')

    def assertSeesMigrations(self, r):
        self.assertSuccess(r)
        self.assertEqual([l.split(' -- ')[1] for l in r.lines[2:]], ['00001_t1.sql', '00002_t2.sql'],
                         repr(r))

    def test_dir_every_spelling_and_position(self):
        spellings = [['-dir=' + self.dir], ['-dir', self.dir],
                     ['--dir', self.dir], ['--dir=' + self.dir]]
        for flag in spellings:
            for pos in range(4):
                args = ['sqlite3', self.db, 'status']
                args[pos:pos] = flag
                with self.subTest(args=args):
                    self.assertSeesMigrations(self.gander(*args))

    def test_flags_after_command_arguments(self):
        r = self.gander('sqlite3', self.db, 'up-to', '1', '-dir', self.dir, '--json')
        self.assertSuccess(r)
        self.assertEqual([x['version'] for x in r.json()['results']], [1])

    def test_bool_flag_values(self):
        # Go bool flags: -f, -f=true/false/1/0/t/f/TRUE/False...
        for spelling in ['--json', '-json', '-json=true', '--json=1', '-json=T', '-json=True']:
            with self.subTest(spelling=spelling):
                r = self.gander('-dir', self.dir, 'sqlite3', self.db, 'version', spelling)
                self.assertSuccess(r)
                self.assertEqual(r.json()['version'], 0)
        for spelling in ['-json=false', '--json=0', '-json=F', '-json=FALSE']:
            with self.subTest(spelling=spelling):
                r = self.gander('-dir', self.dir, 'sqlite3', self.db, 'version', spelling)
                self.assertSuccess(r)
                self.assertEqual(r.out, '')
                self.assertEqual(r.lines, ['goose: version 0'])

    def test_bool_flag_does_not_take_next_argument(self):
        # `-v false` means -v, then a positional "false" (Go semantics)
        r = self.gander('-v', 'false', '-dir', self.dir, 'sqlite3', self.db, 'status')
        self.assertExit(r, 1)
        self.assertLogged(r, '-dbstring="sqlite3": "false": unknown dialect')

    def test_bad_bool_value(self):
        r = self.gander('-v=yes', 'sqlite3', self.db, 'status')
        self.assertExit(r, 2)
        self.assertIn('invalid boolean value "yes" for -v', r.err)

    def test_unknown_flag(self):
        r = self.gander('sqlite3', self.db, 'status', '-bogus')
        self.assertExit(r, 2)
        self.assertIn('flag provided but not defined: -bogus', r.err)
        self.assertIn('gander -h', r.err)

    def test_flag_needs_argument(self):
        r = self.gander('sqlite3', self.db, 'status', '-dir')
        self.assertExit(r, 2)
        self.assertIn('flag needs an argument: -dir', r.err)

    def test_bad_flag_syntax(self):
        for bad in ['---dir', '-=x', '--=x']:
            with self.subTest(bad=bad):
                r = self.gander(bad, 'sqlite3', self.db, 'status')
                self.assertExit(r, 2)
                self.assertIn('bad flag syntax', r.err)

    def test_double_dash_ends_flags(self):
        # after `--` a "-x" is an argument: here the name given to create
        r = self.gander('-dir', self.dir, '-s', 'create', '--', '-x-', 'sql')
        self.assertSuccess(r)
        self.assertTrue(os.path.exists(os.path.join(self.dir, '00003_x_.sql')), repr(r))

    def test_timeout_values(self):
        r = self.gander('-timeout', '5', '-dir', self.dir, 'sqlite3', self.db, 'status')
        self.assertExit(r, 2)
        self.assertIn('invalid value "5" for flag -timeout: time: missing unit in duration "5"', r.err)
        r = self.gander('-timeout=1x', '-dir', self.dir, 'sqlite3', self.db, 'status')
        self.assertExit(r, 2)
        self.assertIn('unknown unit "x"', r.err)
        for good in ['30s', '1h13m', '1.5m', '0']:
            with self.subTest(good=good):
                self.assertSeesMigrations(
                    self.gander('-timeout', good, '-dir', self.dir, 'sqlite3', self.db, 'status'))

    def test_lock_and_statement_timeouts(self):
        r = self.gander('--lock-timeout', '1500ms', '--statement-timeout=2s',
                        '-dir', self.dir, 'sqlite3', self.db, 'up')
        self.assertSuccess(r)
        self.assertLogged(r, 'warning: --statement-timeout applies to PostgreSQL only')
        self.assertLogged(r, 'successfully migrated database to version: 2')
        r = self.gander('--lock-timeout', 'soon', '-dir', self.dir, 'sqlite3', self.db, 'up')
        self.assertExit(r, 2)
        self.assertIn('invalid value "soon" for flag -lock-timeout', r.err)
        # the same syntax as -timeout: a bare number needs a unit
        for flag in ('--lock-timeout', '--statement-timeout'):
            with self.subTest(flag=flag):
                r = self.gander(flag, '1500', '-dir', self.dir, 'sqlite3', self.db, 'up')
                self.assertExit(r, 2)
                self.assertIn('invalid value "1500" for flag -%s: time: missing unit in '
                              'duration "1500" (add a unit, as for -timeout: 1500ms or 1500s)'
                              % flag.lstrip('-'), r.err)

    def test_mysql_tls_flags_are_accepted(self):
        self.assertSeesMigrations(self.gander('-certfile', 'x.pem', '-ssl-cert=a', '--ssl-key', 'b',
                                              '-dir', self.dir, 'sqlite3', self.db, 'status'))


class UsageTest(CliTestCase):
    def test_help(self):
        for flag in ['-h', '--h', '-help', '--help', '-h=true']:
            with self.subTest(flag=flag):
                r = self.gander(flag)
                self.assertSuccess(r)
                self.assertIn('Usage: gander [OPTIONS] DRIVER DBSTRING COMMAND [ARGS]', r.out)
                self.assertEqual(r.err, '')

    def test_help_content(self):
        out = self.gander('--help').out
        for word in ['up', 'up-by-one', 'up-to VERSION', 'down', 'down-to VERSION', 'redo',
                     'reset', 'status', 'version', 'create NAME', 'fix', 'validate', 'env',
                     'parse FILE',
                     '-dir', '-table', '-env', '-allow-missing', '-no-versioning', '-timeout',
                     '-version', '-no-color', '--json', '--exit-code', '--lock-timeout',
                     '--statement-timeout',
                     'GOOSE_DRIVER', 'GOOSE_DBSTRING', 'GOOSE_MIGRATION_DIR', 'GOOSE_TABLE',
                     'NO_COLOR', 'Exit status', 'Examples', 'sqlite3', 'postgres', 'pgx']:
            self.assertIn(word, out)
        for code in ['  0 ', '  1 ', '  2 ', '  3 ']:
            self.assertIn(code, out)

    def test_help_json_commands(self):
        # the --json line lists every command with a document schema in
        # docs/json/ (two schemas per `repair` and `breaker`), no other
        out = self.gander('--help').out
        start = out.index('  --json ')
        block = out[start:out.index('  --exit-code', start)]
        listed = block.split('(docs/json.md):', 1)[1]
        listed = {w.strip() for w in ' '.join(listed.split()).split(',')}
        by_schema = {'accept-checksum': 'repair', 'clear-dirty': 'repair',
                     'breaker-reset': 'breaker', 'breaker-status': 'breaker',
                     'audit-verify': 'audit verify', 'prune-backups': 'backups'}
        schemas = {by_schema.get(name, name) for name in json_schemas() if name != 'common'}
        self.assertEqual(listed, schemas)

    def test_no_arguments(self):
        r = self.gander()
        self.assertExit(r, 2)
        self.assertIn('Usage:', r.err)

    def test_missing_positionals(self):
        for args in (['sqlite3'], ['sqlite3', 'x.db']):
            with self.subTest(args=args):
                r = self.gander(*args)
                self.assertExit(r, 2)
                self.assertIn('expected DRIVER DBSTRING COMMAND', r.err)
        self.assertFalse(os.path.exists(self.path('x.db')))

    def test_unknown_command(self):
        r = self.gander('sqlite3', 'x.db', 'bogus')
        self.assertExit(r, 2)
        self.assertIn('"bogus": no such command', r.err)
        self.assertFalse(os.path.exists(self.path('x.db')))

    def test_version_flag(self):
        r = self.gander('-version')
        self.assertSuccess(r)
        self.assertRegex(r.out, r'^gander version: \d+\.\d+\.\d+\n$')

    def test_target_arguments(self):
        self.simple_set('migrations', 1)
        r = self.gander('-dir', 'migrations', 'sqlite3', 'x.db', 'up-to')
        self.assertExit(r, 2)
        self.assertIn('up-to must be of form', r.err)
        r = self.gander('-dir', 'migrations', 'sqlite3', 'x.db', 'down-to', 'abc')
        self.assertExit(r, 2)
        self.assertIn("version must be a number (got 'abc')", r.err)
        self.assertFalse(os.path.exists(self.path('x.db')))

    def test_unknown_driver(self):
        r = self.gander('mysql', 'user:secret@tcp(h)/db', 'status')
        self.assertExit(r, 1)
        self.assertLogged(r, '"mysql": unknown dialect')
        self.assertRegex(r.lines[0], r'^-dbstring=".*": "mysql": unknown dialect')

    def test_unknown_driver_masks_password(self):
        r = self.gander('oracle', 'postgres://bob:s3cr3t@db.example/app', 'up')
        self.assertExit(r, 1)
        self.assertNotLogged(r, 's3cr3t')
        self.assertLogged(r, 'postgres://bob:xxxxx@db.example/app')

    def test_sqlite_driver_aliases(self):
        self.simple_set('migrations', 1)
        for driver in ['sqlite3', 'sqlite']:
            with self.subTest(driver=driver):
                r = self.gander('-dir', 'migrations', driver, driver + '.db', 'up')
                self.assertSuccess(r)
                self.assertEqual(self.versions(self.path(driver + '.db')), [0, 1])


class EnvironmentTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('migrations', 2)
        self.db = self.path('env.db')

    def test_driver_and_dbstring_from_env(self):
        r = self.gander('-dir', self.dir, 'up',
                        env={'GOOSE_DRIVER': 'sqlite3', 'GOOSE_DBSTRING': self.db})
        self.assertSuccess(r)
        self.assertLogged(r, 'goose: successfully migrated database to version: 2')

    def test_only_dbstring_from_env(self):
        r = self.gander('-dir', self.dir, 'sqlite3', 'version', env={'GOOSE_DBSTRING': self.db})
        self.assertSuccess(r)
        self.assertEqual(r.lines, ['goose: version 0'])

    def test_only_driver_from_env(self):
        r = self.gander('-dir', self.dir, self.db, 'version', env={'GOOSE_DRIVER': 'sqlite3'})
        self.assertSuccess(r)
        self.assertEqual(r.lines, ['goose: version 0'])

    def test_env_plus_explicit_arguments_shift(self):
        # goose's mergeArgs: the explicit DRIVER becomes the COMMAND
        r = self.gander('-dir', self.dir, 'sqlite3', self.db, 'up',
                        env={'GOOSE_DRIVER': 'sqlite3', 'GOOSE_DBSTRING': self.db})
        self.assertExit(r, 2)
        self.assertIn('"sqlite3": no such command', r.err)

    def test_empty_env_counts_as_unset(self):
        r = self.gander('-dir', self.dir, 'sqlite3', self.db, 'version',
                        env={'GOOSE_DRIVER': '', 'GOOSE_DBSTRING': '', 'GOOSE_TABLE': ''})
        self.assertSuccess(r)
        self.assertEqual(r.lines, ['goose: version 0'])

    def test_migration_dir_from_env(self):
        env = {'GOOSE_MIGRATION_DIR': self.dir}
        r = self.gander('sqlite3', self.db, 'up', env=env)
        self.assertSuccess(r)
        self.assertLogged(r, 'version: 2')
        # goose: it also wins over an explicit -dir=.
        r = self.gander('-dir=.', 'sqlite3', self.db, 'status', env=env)
        self.assertEqual(len(r.lines), 4, repr(r))
        # but not over another -dir
        other = self.simple_set('other', 1)
        r = self.gander('-dir', other, 'sqlite3', self.db, 'status', env=env)
        # goose's table of the one file, then Gander's note on version 2,
        # applied from the other directory
        self.assertEqual(len(r.lines), 4, repr(r))
        self.assertIn('warning: version 2 (00002_t2.sql) is recorded as applied', r.lines[3])

    def test_table_flag_and_env(self):
        r = self.gander('-dir', self.dir, '-table', 'flag_versions', 'sqlite3', self.db, 'up',
                        env={'GOOSE_TABLE': 'env_versions'})
        self.assertSuccess(r)
        self.assertIn('flag_versions', self.tables(self.db))
        self.assertNotIn('env_versions', self.tables(self.db))
        self.assertNotIn('goose_db_version', self.tables(self.db))

        other = self.path('other.db')
        r = self.gander('-dir', self.dir, 'sqlite3', other, 'up',
                        env={'GOOSE_TABLE': 'env_versions'})
        self.assertSuccess(r)
        self.assertEqual(self.versions(other, 'env_versions'), [0, 1, 2])

    def test_bad_table_name(self):
        r = self.gander('-dir', self.dir, '-table', 'x; DROP TABLE t1', 'sqlite3', self.db, 'up')
        self.assertExit(r, 2)
        self.assertIn('invalid version table name', r.err)
        self.assertFalse(os.path.exists(self.db))

    def test_env_command(self):
        r = self.gander('env')
        self.assertSuccess(r)
        self.assertEqual(r.out.splitlines(), [
            'GOOSE_DRIVER=""',
            'GOOSE_DBSTRING=""',
            'GOOSE_MIGRATION_DIR="."',
            'GOOSE_TABLE="goose_db_version"',
            'NO_COLOR="1"',
        ])
        r = self.gander('env', env={'GOOSE_DRIVER': 'postgres', 'NO_COLOR': None,
                                    'GOOSE_DBSTRING': 'postgres://u:hunter2@h/db?sslmode="x"',
                                    'GOOSE_MIGRATION_DIR': 'db/m', 'GOOSE_TABLE': 's.v'})
        self.assertSuccess(r)
        self.assertEqual(r.out.splitlines(), [
            'GOOSE_DRIVER="postgres"',
            'GOOSE_DBSTRING="postgres://u:xxxxx@h/db?sslmode=\\"x\\""',
            'GOOSE_MIGRATION_DIR="db/m"',
            'GOOSE_TABLE="s.v"',
            'NO_COLOR="false"',
        ])

    def test_dotenv_loaded_from_cwd(self):
        self.write('.env', '# goose settings\n'
                           'export GOOSE_DRIVER=sqlite3\n'
                           'GOOSE_DBSTRING="%s"\n'
                           "GOOSE_MIGRATION_DIR='%s' # where\n" % (self.db, self.dir))
        r = self.gander('up')
        self.assertSuccess(r)
        self.assertLogged(r, 'goose: successfully migrated database to version: 2')
        r = self.gander('env')
        self.assertIn('GOOSE_MIGRATION_DIR="%s"' % self.dir, r.out)

    def test_dotenv_does_not_override(self):
        self.write('.env', 'GOOSE_TABLE=from_dotenv\nGOOSE_DRIVER=sqlite3\n')
        r = self.gander('env', env={'GOOSE_TABLE': 'from_env'})
        self.assertIn('GOOSE_TABLE="from_env"', r.out)
        self.assertIn('GOOSE_DRIVER="sqlite3"', r.out)
        # set but empty still counts as set for godotenv
        r = self.gander('env', env={'GOOSE_TABLE': ''})
        self.assertIn('GOOSE_TABLE="goose_db_version"', r.out)

    def test_dotenv_none_and_file(self):
        self.write('.env', 'GOOSE_DRIVER=from_dotenv\n')
        self.write('other.env', 'GOOSE_DRIVER=from_other\nGOOSE_TABLE=${GOOSE_DRIVER}_t\n')
        self.assertIn('GOOSE_DRIVER="from_dotenv"', self.gander('env').out)
        self.assertIn('GOOSE_DRIVER=""', self.gander('-env=none', 'env').out)
        r = self.gander('env', '-env', 'other.env')
        self.assertIn('GOOSE_DRIVER="from_other"', r.out)
        self.assertIn('GOOSE_TABLE="from_other_t"', r.out)

    def test_dotenv_missing_file(self):
        r = self.gander('-env', 'missing.env', 'env')
        self.assertExit(r, 1)
        self.assertLogged(r, 'failed to load env file: ')
        self.assertLogged(r, 'missing.env')

    def test_dotenv_broken_default_is_ignored(self):
        # goose loads ./.env on a best-effort basis
        self.write('.env', 'BAD NAME-\n')
        r = self.gander('env')
        self.assertSuccess(r)

    def test_dotenv_feeds_envsub(self):
        self.write('.env', 'GANDER_TEST_TABLE=from_env_file\n')
        self.write('m/00001_envsub.sql',
                   '-- +goose ENVSUB ON\n-- +goose Up\nCREATE TABLE ${GANDER_TEST_TABLE} (id int);\n'
                   '-- +goose Down\nDROP TABLE ${GANDER_TEST_TABLE};\n')
        r = self.gander('-dir', 'm', 'sqlite3', self.db, 'up')
        self.assertSuccess(r)
        self.assertIn('from_env_file', self.tables(self.db))


if __name__ == '__main__':
    main()
