# test-cli-lint.py: `gander lint` on files, on the pending migrations of a
# database (read only), and lint in the runs of the pipeline
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import hashlib
import os
import sqlite3

from clitest import CliTestCase, main

DOWN = '-- +goose Down\nSELECT 1;\n'


class LintTest(CliTestCase):
    def pg_available(self):
        self.write('probe/00001_p.sql', '-- +goose Up\nSELECT 1;\n' + DOWN)
        r = self.gander('--dialect', 'postgres', 'lint', 'probe/00001_p.sql')
        if r.rc != 0 and 'libpg_query' in r.err:
            return False
        self.assertSuccess(r)
        return True

    def test_text_output_warning_exits_0(self):
        self.write('m/00001_a.sql', '-- +goose Up\nCREATE TABLE t (a int);\nDELETE FROM u;\n' + DOWN)
        r = self.gander('--dialect', 'sqlite3', 'lint', 'm/00001_a.sql')
        self.assertSuccess(r)
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 2, repr(r))
        self.assertRegex(lines[0], r'^m/00001_a\.sql:3: warning: \[unbounded-dml\] DELETE without WHERE .*"u"')
        self.assertRegex(lines[1], r'^m/00001_a\.sql:3: note: add a WHERE clause')
        self.assertIn('1 files, 0 errors, 1 warnings, 0 suppressed', r.err)

    def test_error_exits_1(self):
        self.write('m/00001_a.sql', '-- +goose Up\nVACUUM;\n' + DOWN)
        r = self.gander('--dialect', 'sqlite3', 'lint', 'm/00001_a.sql')
        self.assertExit(r, 1)
        self.assertIn('m/00001_a.sql:2: error: [needs-no-transaction]', r.out)
        # the same statement where it can run
        self.write('m/00001_a.sql', '-- +goose NO TRANSACTION\n-- +goose Up\nVACUUM;\n' + DOWN)
        r = self.gander('--dialect', 'sqlite3', 'lint', 'm/00001_a.sql')
        self.assertSuccess(r)
        self.assertEqual(r.out, '')

    def test_every_file_of_dir_and_driver(self):
        self.write('m/00001_a.sql', '-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n')
        self.write('m/00002_b.sql', '-- +goose Up\nBEGIN;\nCOMMIT;\n' + DOWN)
        self.write('m/notes.txt', 'not a migration')
        # the dialect from DRIVER; a database file that does not exist is
        # not created, and every migration is pending
        r = self.gander('-dir', 'm', 'sqlite3', 'app.db', 'lint')
        self.assertExit(r, 1)
        self.assertFalse(os.path.exists(self.path('app.db')))
        found = [l for l in r.out.splitlines() if ': error: ' in l]
        self.assertEqual(found, [
            'm/00002_b.sql:2: error: [transaction-nesting] BEGIN inside a file goose runs in a '
            "transaction: SQLite refuses to nest transactions, or it ends goose's early",
            'm/00002_b.sql:3: error: [transaction-nesting] COMMIT inside a file goose runs in a '
            "transaction: SQLite refuses to nest transactions, or it ends goose's early",
        ])
        self.assertIn('2 files, 2 errors', r.err)
        # GOOSE_DRIVER, and a directory argument
        r = self.gander('lint', 'm', env={'GOOSE_DRIVER': 'sqlite3'})
        self.assertExit(r, 1)
        self.assertIn('[transaction-nesting]', r.out)

    def test_json_lists_suppressed(self):
        self.write('m/00001_a.sql',
                   '-- +goose Up\n'
                   '-- gander:lint-ignore unbounded-dml the table has 3 rows\n'
                   'UPDATE t SET a = 1;\n'
                   'ALTER TABLE t RENAME TO u;\n'
                   + DOWN)
        r = self.gander('--dialect', 'sqlite3', 'lint', '--json', 'm/00001_a.sql')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(doc['dialect'], 'sqlite3')
        self.assertEqual((doc['files'], doc['errors'], doc['warnings'], doc['suppressed']), (1, 0, 1, 1))
        self.assertEqual([(f['rule'], f['line'], f['statement'], f['suppressed']) for f in doc['findings']],
                         [('unbounded-dml', 3, 1, True), ('rename', 4, 2, False)])
        first = doc['findings'][0]
        self.assertEqual(first['suppression_reason'], 'the table has 3 rows')
        self.assertEqual(first['severity'], 'warning')
        self.assertEqual(first['direction'], 'up')
        self.assertEqual(first['file'], 'm/00001_a.sql')
        self.assertTrue(first['message'] and first['suggestion'])
        self.assertIsNone(doc['findings'][1]['suppression_reason'])
        # text output hides it unless -v
        r = self.gander('--dialect', 'sqlite3', 'lint', 'm/00001_a.sql')
        self.assertNotIn('suppressed:', r.out)
        r = self.gander('--dialect', 'sqlite3', 'lint', '-v', 'm/00001_a.sql')
        self.assertIn('m/00001_a.sql:3: suppressed: [unbounded-dml]', r.out)
        self.assertIn('(the table has 3 rows)', r.out)

    def test_json_error_exit(self):
        self.write('m/00001_a.sql', '-- +goose Up\nSELEC 1;\n' + DOWN)
        r = self.gander('--dialect', 'sqlite3', 'lint', '--json', 'm/00001_a.sql')
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc['errors'], 1)
        self.assertEqual(doc['findings'][0]['rule'], 'parse-error')
        self.assertEqual(doc['findings'][0]['line'], 2)
        self.assertEqual(doc['error']['code'], 'policy-denied')

    def test_json_error_code_matches_a_refused_run(self):
        # the finding that refuses `up` in staging (lint=error) is the
        # same GanderError for `gander lint`
        self.write('m/00001_a.sql', '-- +goose Up\nVACUUM;\n' + DOWN)
        r = self.gander('--environment', 'staging', '-dir', 'm', 'sqlite3', 'app.db', 'up', '--json')
        self.assertExit(r, 4)
        refused = r.json()['error']['code']
        r = self.gander('-dir', 'm', 'sqlite3', 'app.db', 'lint', '--json')
        self.assertExit(r, 1)
        self.assertEqual(r.json()['error']['code'], refused)
        self.assertEqual(refused, 'policy-denied')

    def test_usage_errors(self):
        self.write('m/00001_a.sql', '-- +goose Up\nSELECT 1;\n' + DOWN)
        r = self.gander('lint', 'm/00001_a.sql')
        self.assertExit(r, 2)
        self.assertIn('--dialect', r.err)
        r = self.gander('--dialect', 'mysql', 'lint', 'm/00001_a.sql')
        self.assertExit(r, 2)
        self.assertIn('"mysql"', r.err)
        r = self.gander('--dialect', 'sqlite3', 'lint', 'm/missing.sql')
        self.assertExit(r, 1)
        self.assertIn('m/missing.sql', r.err)

    def test_postgres(self):
        if not self.pg_available():
            r = self.gander('--dialect', 'postgres', 'lint', 'probe/00001_p.sql')
            self.assertExit(r, 1)
            self.assertIn('PostgreSQL lint is not available', r.err)
            self.skipTest('this gander was built without libpg_query')
        self.write('pg/00001_a.sql',
                   '-- +goose Up\n'
                   '-- +goose StatementBegin\n'
                   'CREATE TABLE t (a int);\n'
                   'CREATE INDEX CONCURRENTLY i ON users (email);\n'
                   '-- +goose StatementEnd\n' + DOWN)
        r = self.gander('lint', 'pg/00001_a.sql', env={'GOOSE_DRIVER': 'postgres'})
        self.assertExit(r, 1)
        self.assertIn('pg/00001_a.sql:4: error: [needs-no-transaction] CREATE INDEX CONCURRENTLY', r.out)
        self.write('pg/00001_a.sql',
                   '-- +goose NO TRANSACTION\n-- +goose Up\n'
                   'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);\n' + DOWN)
        # files named: the database is not opened
        r = self.gander('pgx', 'postgres://nowhere.invalid/x', 'lint', 'pg/00001_a.sql')
        self.assertSuccess(r)
        self.assertEqual(r.out, '')

    def test_validate_prints_lint(self):
        self.write('m/00001_a.sql', '-- +goose Up\nCREATE TABLE t (a int);\nDELETE FROM u;\n'
                   '-- +goose Down\nDROP TABLE t;\n')
        self.write('m/00002_b.sql', '-- +goose Up\nVACUUM;\n' + DOWN)
        # no dialect: goose's validate, nothing more
        r = self.gander('-dir', 'm', 'validate')
        self.assertSuccess(r)
        self.assertNotIn('[unbounded-dml]', r.err)
        # with one: the findings as warnings; validate's status stays goose's
        for args, env in ((['--dialect', 'sqlite3'], None), ([], {'GOOSE_DRIVER': 'sqlite3'})):
            r = self.gander('-dir', 'm', *args, 'validate', env=env)
            self.assertSuccess(r)
            self.assertLogged(r, 'warning: m/00001_a.sql:3: [unbounded-dml] DELETE without WHERE')
            self.assertLogged(r, 'warning: m/00002_b.sql:2: [needs-no-transaction] VACUUM')
        # one file: its findings only
        r = self.gander('-dir', 'm/00002_b.sql', '--dialect', 'sqlite3', 'validate')
        self.assertSuccess(r)
        self.assertNotIn('[unbounded-dml]', r.err)
        self.assertIn('[needs-no-transaction]', r.err)

    # -- with a database: the pending migrations only -------------------

    def pending_set(self):
        # 00001: linted, it would warn (no Down section); 00002: a warning
        # (destructive); 00003: an error (VACUUM in goose's transaction)
        self.write('m/00001_a.sql', '-- +goose Up\nCREATE TABLE t (a int);\nCREATE TABLE u (a int);\n')
        self.write('m/00002_b.sql', '-- +goose Up\nDROP TABLE u;\n'
                   '-- +goose Down\nCREATE TABLE u (a int);\n')
        self.write('m/00003_c.sql', '-- +goose Up\nCREATE TABLE c (a int);\nVACUUM;\n'
                   '-- +goose Down\nDROP TABLE c;\n')

    def digest(self, name):
        with open(self.path(name), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()

    def test_database_lints_pending_only(self):
        self.pending_set()
        self.assertSuccess(self.gander('-dir', 'm', 'sqlite3', 'app.db', 'up-to', '1'))
        before = self.digest('app.db')
        r = self.gander('-dir', 'm', 'sqlite3', 'app.db', 'lint')
        self.assertExit(r, 1)
        self.assertNotIn('00001_a.sql', r.out)
        self.assertIn('m/00002_b.sql:2: warning: [destructive]', r.out)
        self.assertIn('m/00003_c.sql:3: error: [needs-no-transaction]', r.out)
        self.assertIn('gander lint: 2 files, 1 errors, 1 warnings, 0 suppressed; '
                      '1 applied migration skipped', r.err)
        self.assertEqual(self.digest('app.db'), before)
        # --json says how many were skipped
        r = self.gander('-dir', 'm', 'sqlite3', 'app.db', 'lint', '--json')
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual((doc['files'], doc['applied_skipped'], doc['errors'], doc['warnings']),
                         (2, 1, 1, 1))
        self.assertEqual({f['file'] for f in doc['findings']}, {'m/00002_b.sql', 'm/00003_c.sql'})
        # files named: those, whatever the database holds
        r = self.gander('sqlite3', 'app.db', 'lint', 'm/00001_a.sql')
        self.assertSuccess(r)
        self.assertIn('[missing-down]', r.out)
        self.assertNotIn('skipped', r.err)
        self.assertEqual(self.digest('app.db'), before)

    def test_database_without_version_table(self):
        self.pending_set()
        con = sqlite3.connect(self.path('app.db'))
        con.execute('CREATE TABLE other (a int)')
        con.commit()
        con.close()
        before = self.digest('app.db')
        r = self.gander('-dir', 'm', 'sqlite3', 'app.db', 'lint')
        self.assertExit(r, 1)
        self.assertIn('[missing-down]', r.out)
        self.assertIn('3 files, 1 errors, 2 warnings, 0 suppressed; 0 applied migrations skipped',
                      r.err)
        # no version table created, nothing written
        self.assertEqual(self.tables(self.path('app.db')), ['other'])
        self.assertEqual(self.digest('app.db'), before)
        # a file that does not exist stays so
        r = self.gander('-dir', 'm', 'sqlite3', 'new.db', 'lint')
        self.assertExit(r, 1)
        self.assertFalse(os.path.exists(self.path('new.db')))

    def test_database_from_variables_and_dotenv(self):
        self.pending_set()
        self.assertSuccess(self.gander('-dir', 'm', 'sqlite3', 'app.db', 'up-to', '2'))
        env = {'GOOSE_DRIVER': 'sqlite3', 'GOOSE_DBSTRING': 'app.db', 'GOOSE_MIGRATION_DIR': 'm'}
        r = self.gander('lint', '--json', env=env)
        self.assertExit(r, 1)
        self.assertEqual((r.json()['files'], r.json()['applied_skipped']), (1, 2))
        # GOOSE_DRIVER alone: no database, every file of -dir
        r = self.gander('-dir', 'm', 'lint', '--json', env={'GOOSE_DRIVER': 'sqlite3'})
        self.assertEqual(r.json()['files'], 3)
        self.assertNotIn('applied_skipped', r.json())
        # ./.env, as for the other commands
        self.write('.env', 'GOOSE_DRIVER=sqlite3\nGOOSE_DBSTRING=app.db\n')
        r = self.gander('-dir', 'm', 'lint')
        self.assertExit(r, 1)
        self.assertIn('2 applied migrations skipped', r.err)
        self.assertNotIn('00002_b.sql', r.out)

    def test_database_profile_rule_lists(self):
        self.pending_set()
        self.write('gander.conf', '[gander]\nlint-disable=needs-no-transaction\n'
                   'lint-error=destructive\n')
        r = self.gander('--config', 'gander.conf', '-dir', 'm', 'sqlite3', 'app.db', 'lint')
        self.assertExit(r, 1)
        self.assertNotIn('needs-no-transaction', r.out)
        self.assertIn('m/00002_b.sql:2: error: [destructive]', r.out)
        # an unknown rule: a configuration error naming it and the rules
        self.write('gander.conf', '[gander]\nlint-disable=vacuum\n')
        r = self.gander('--config', 'gander.conf', '-dir', 'm', 'sqlite3', 'app.db', 'lint')
        self.assertExit(r, 2)
        self.assertIn('gander.conf:2 [gander]: lint-disable=vacuum: unknown lint rule', r.err)
        self.assertIn('needs-no-transaction, transaction-nesting', r.err)

    # -- in the runs of the pipeline -------------------------------------------

    def test_run_refused_and_warned(self):
        self.pending_set()
        self.assertSuccess(self.gander('-dir', 'm', 'sqlite3', 'app.db', 'up-to', '1'))
        before = self.digest('app.db')
        # staging: lint=error refuses, with where, which rule and how on
        r = self.gander('-dir', 'm', '--environment', 'staging', 'sqlite3', 'app.db', 'up')
        self.assertExit(r, 4)
        self.assertIn('m/00003_c.sql:3: [needs-no-transaction]', r.err)
        self.assertIn('lint=error', r.err)
        self.assertIn('-- gander:lint-ignore needs-no-transaction REASON', r.err)
        self.assertIn('NO TRANSACTION', r.err)
        self.assertLogged(r, 'warning: m/00002_b.sql:2: lint warning [destructive]')
        self.assertEqual(self.digest('app.db'), before)
        # the dry run shows the same, and writes nothing
        r = self.gander('-dir', 'm', '--environment', 'staging', 'sqlite3', 'app.db',
                        '--dry-run', 'up')
        self.assertExit(r, 4)
        self.assertIn('[needs-no-transaction]', r.err)
        self.assertLogged(r, 'lint warning [destructive]')
        r = self.gander('-dir', 'm', '--environment', 'staging', 'sqlite3', 'app.db',
                        '--dry-run', '--json', 'up-to', '2')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual([(f['file'], f['line'], f['rule'], f['severity'])
                          for f in doc['lint_findings']],
                         [('m/00002_b.sql', 2, 'destructive', 'warning')])
        self.assertEqual(self.digest('app.db'), before)
        # a run that goes on prints its warnings
        r = self.gander('-dir', 'm', '--environment', 'staging', 'sqlite3', 'app.db',
                        'up-to', '2')
        self.assertSuccess(r)
        self.assertLogged(r, 'warning: m/00002_b.sql:2: lint warning [destructive]: table "u"')
        self.assertEqual(self.versions(self.path('app.db'))[-1], 2)

    def test_example_migrations_clean(self):
        src = os.path.join(os.environ.get('GANDER_SOURCE_ROOT', ''), 'migrations')
        r = self.gander('-dir', src, '--dialect', 'sqlite3', 'lint')
        self.assertSuccess(r)
        self.assertIn(' 0 errors', r.err)


if __name__ == '__main__':
    main()
