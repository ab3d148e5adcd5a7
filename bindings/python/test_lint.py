# test_lint.py: GanderLinter through PyGObject and the uninstalled typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson (suite "python"). Real migration files in a temporary
# directory: findings as Python objects with their properties, the enums'
# nicks, rule lists, severities set per rule and from a profile, a
# suppression, and the findings of a manager run's report.

import os
import shutil
import tempfile
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gio, Gander  # noqa: E402

# line 3: VACUUM inside goose's transaction (error); line 4: a drop of a
# table the file did not create (warning)
BAD = ('-- +goose Up\n'
       'CREATE TABLE c (x INTEGER);\n'
       'VACUUM;\n'
       'DROP TABLE a;\n'
       '-- +goose Down\n'
       'DROP TABLE c;\n')
IGNORED = ('-- +goose Up\n'
           '-- gander:lint-ignore destructive the table is empty\n'
           'DROP TABLE a;\n'
           '-- +goose Down\n'
           'CREATE TABLE a (x INTEGER);\n')


class LintTestCase(unittest.TestCase):
    def setUp(self):
        self.tmpdir = tempfile.mkdtemp(prefix='gander-py-lint-')
        self.migdir = os.path.join(self.tmpdir, 'migrations')
        os.mkdir(self.migdir)
        os.environ['GANDER_STATE_DIR'] = os.path.join(self.tmpdir, 'state')

    def tearDown(self):
        shutil.rmtree(self.tmpdir)

    def write(self, name, text):
        path = os.path.join(self.migdir, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_rules(self):
        rules = Gander.lint_list_rules()
        self.assertEqual(len(rules), 16)
        self.assertEqual(rules[0], 'needs-no-transaction')
        self.assertIn('parse-error', rules)
        self.assertEqual(Gander.lint_rule_get_default_severity('destructive'),
                         Gander.LintSeverity.WARNING)
        self.assertEqual(
            Gander.lint_rule_get_default_severity('needs-no-transaction'),
            Gander.LintSeverity.ERROR)
        self.assertTrue(Gander.lint_rule_applies_to(
            'fk-pragma-in-tx', Gander.LintDialect.SQLITE3))
        self.assertFalse(Gander.lint_rule_applies_to(
            'require-concurrent-index', Gander.LintDialect.SQLITE3))
        ok, dialect = Gander.lint_dialect_from_string('pgx')
        self.assertTrue(ok)
        self.assertEqual(dialect, Gander.LintDialect.POSTGRES)
        self.assertTrue(Gander.lint_dialect_is_available(
            Gander.LintDialect.SQLITE3))

    def test_findings_bind_naturally(self):
        path = self.write('00003_c.sql', BAD)
        linter = Gander.Linter.new(Gander.LintDialect.SQLITE3)
        self.assertEqual(linter.props.dialect, Gander.LintDialect.SQLITE3)
        findings = linter.lint_file(Gio.File.new_for_path(path), None)
        self.assertEqual([(f.props.rule, f.props.line) for f in findings],
                         [('needs-no-transaction', 3), ('destructive', 4)])
        first = findings[0]
        self.assertIsInstance(first, Gander.LintFinding)
        self.assertEqual(first.props.severity, Gander.LintSeverity.ERROR)
        self.assertEqual(first.props.direction, Gander.Direction.UP)
        self.assertEqual(first.props.statement_index, 2)
        self.assertTrue(first.props.file.endswith('00003_c.sql'))
        self.assertIn('VACUUM', first.props.message)
        self.assertIn('NO TRANSACTION', first.props.suggestion)
        self.assertFalse(first.props.suppressed)
        self.assertIsNone(first.props.suppression_reason)
        # the getters and the properties agree
        self.assertEqual(first.get_rule(), first.props.rule)
        self.assertEqual(first.get_line(), 3)
        self.assertEqual(findings[1].props.severity,
                         Gander.LintSeverity.WARNING)

    def test_severities(self):
        path = self.write('00003_c.sql', BAD)
        gfile = Gio.File.new_for_path(path)
        linter = Gander.Linter(dialect=Gander.LintDialect.SQLITE3)
        self.assertTrue(linter.set_rule_severity(
            'destructive', Gander.LintSeverity.ERROR))
        self.assertTrue(linter.disable_rule('needs-no-transaction'))
        findings = linter.lint_file(gfile, None)
        self.assertEqual([(f.props.rule, f.props.severity) for f in findings],
                         [('destructive', Gander.LintSeverity.ERROR)])
        with self.assertRaises(GLib.Error) as caught:
            linter.disable_rule('no-such-rule')
        self.assertTrue(caught.exception.matches(
            Gander.error_quark(), Gander.Error.INVALID_ARGUMENT))
        self.assertIn('parse-error', caught.exception.message)

        # from a profile's lint-disable / lint-warn
        profile = Gander.Profile.new(None)
        self.assertTrue(profile.set('lint-disable', 'destructive', 'py'))
        self.assertTrue(profile.set('lint-warn', 'needs-no-transaction',
                                    'py'))
        self.assertEqual(profile.get_lint_disable(), ['destructive'])
        self.assertEqual(profile.get_lint(), Gander.LintMode.WARN)
        linter = Gander.Linter.new(Gander.LintDialect.SQLITE3)
        self.assertTrue(linter.apply_profile(profile))
        findings = linter.lint_file(gfile, None)
        self.assertEqual([(f.props.rule, f.props.severity) for f in findings],
                         [('needs-no-transaction',
                           Gander.LintSeverity.WARNING)])
        with self.assertRaises(GLib.Error) as caught:
            profile.set('lint-disable', 'destructiv', 'py')
        self.assertTrue(caught.exception.matches(
            Gander.error_quark(), Gander.Error.CONFIG))
        self.assertIn('destructive', caught.exception.message)

    def test_suppression_and_source(self):
        self.write('00001_a.sql', '-- +goose Up\nCREATE TABLE a (x INTEGER);\n'
                                  '-- +goose Down\nDROP TABLE a;\n')
        self.write('00002_b.sql', IGNORED)
        source = Gander.Source.new_for_path(self.migdir,
                                            Gander.SourceFlags.NONE, None)
        linter = Gander.Linter.new(Gander.LintDialect.SQLITE3)
        findings = linter.lint_source(source, None)
        self.assertEqual(len(findings), 1)
        self.assertTrue(findings[0].props.suppressed)
        self.assertEqual(findings[0].props.suppression_reason,
                         'the table is empty')

    def test_run_report(self):
        self.write('00001_a.sql', '-- +goose Up\nCREATE TABLE a (x INTEGER);\n'
                                  '-- +goose Down\nDROP TABLE a;\n')
        self.write('00002_c.sql', BAD)
        profile = Gander.Profile.new('alerts')
        for key, value in (('driver', 'sqlite3'),
                           ('dbstring', os.path.join(self.tmpdir, 'a.db')),
                           ('dir', self.migdir),
                           ('environment', 'staging')):
            self.assertTrue(profile.set(key, value, 'test_lint.py'))
        self.assertEqual(profile.get_lint(), Gander.LintMode.ERROR)
        manager = Gander.Manager.new(profile)
        with self.assertRaises(GLib.Error) as caught:
            manager.execute(Gander.Operation.UP, 0, None, None)
        self.assertTrue(caught.exception.matches(
            Gander.error_quark(), Gander.Error.POLICY_DENIED))
        self.assertIn('00002_c.sql:3', caught.exception.message)
        report = manager.get_last_report()
        self.assertEqual(report.get_refused_rule(), 'lint')
        rules = [(f.props.rule, f.props.line)
                 for f in report.get_lint_findings()]
        self.assertEqual(rules, [('needs-no-transaction', 3),
                                 ('destructive', 4)])
        # nothing was written: the database file was not even created
        self.assertFalse(os.path.exists(os.path.join(self.tmpdir, 'a.db')))


if __name__ == '__main__':
    unittest.main(verbosity=2)
