# test-cli-manager.py: profiles, environments, policy, dry-run, confirmation
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The safety additions of issue 8 seen from the command line, against SQLite
# files: every refusal exits with status 4 and leaves the file byte for byte
# as it was; the confirmation prompt is driven through a pseudo-terminal.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import errno
import json
import os
import pty
import select
import time

from clitest import CliTestCase, GANDER, main


def file_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


class ManagerCliTestCase(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.simple_set('migrations', 3)
        self.db = self.path('app.db')
        # no configuration from the machine running the tests
        self.env['XDG_CONFIG_HOME'] = self.mkdir('xdg-config')
        self.env['XDG_STATE_HOME'] = self.mkdir('xdg-state')
        self.env['GANDER_SYSCONFDIR'] = self.mkdir('etc')
        self.env['GANDER_STATE_DIR'] = self.mkdir('state')
        for name in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                     'GANDER_METRICS_FILE'):
            self.env.pop(name, None)

    def g(self, *args, **kwargs):
        return self.gander('-dir', self.dir, 'sqlite3', self.db, *args, **kwargs)

    def on_pty(self, args, answer, timeout=30):
        """Runs gander with a pseudo-terminal as its controlling terminal,
        stdin and stdout; types @answer when asked. Returns (exit status,
        everything the terminal showed)."""
        env = dict(self.env)
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.chdir(self.tmp)
                os.execve(GANDER, [GANDER] + [str(a) for a in args], env)
            finally:
                os._exit(127)
        shown = b''
        answered = answer is None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError as e:
                        if e.errno == errno.EIO:
                            break
                        raise
                    if not chunk:
                        break
                    shown += chunk
                if not answered and b'to go on' in shown:
                    os.write(fd, answer.encode() + b'\n')
                    answered = True
            else:
                os.kill(pid, 9)
                self.fail('gander did not finish on the terminal: %r' % shown)
        finally:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), shown.decode('utf-8', 'replace')


class FlagsTest(ManagerCliTestCase):
    def test_help_documents_exit_4_and_flags(self):
        r = self.gander('--help')
        self.assertSuccess(r)
        self.assertRegex(r.out, r'\n  4 +refused by policy')
        for flag in ('--profile NAME', '--environment NAME', '--config FILE', '--dry-run',
                     '--confirm NAME', '--reason TEXT', '--metrics-file PATH',
                     '--audit-log PATH', 'GANDER_CONFIG', 'GANDER_ENVIRONMENT'):
            self.assertIn(flag, r.out)

    def test_every_spelling(self):
        self.assertSuccess(self.g('up-to', '1'))
        for spelling in (['--confirm=app.db'], ['-confirm', 'app.db'],
                         ['--confirm', 'app.db'], ['-confirm=app.db']):
            with self.subTest(spelling=spelling):
                r = self.g('--environment=production', 'redo', *spelling)
                self.assertSuccess(r)
        for spelling in (['--dry-run'], ['-dry-run'], ['-dry-run=true']):
            with self.subTest(spelling=spelling):
                r = self.g('up', *spelling)
                self.assertSuccess(r)
                self.assertIn('CREATE TABLE t2', r.out)
        r = self.g('up', '-dry-run=false')
        self.assertSuccess(r)
        self.assertEqual(r.out, '')
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])

    def test_empty_values_refused(self):
        for flag in ('--profile=', '--environment=', '--config=', '--confirm=',
                     '--metrics-file=', '--audit-log='):
            with self.subTest(flag=flag):
                r = self.g('status', flag)
                self.assertExit(r, 2)
                self.assertIn('must not be empty', r.err)

    def test_env_flag_stays_dotenv(self):
        # -env is goose's .env file, never the environment
        self.write('prod.env', 'GOOSE_TABLE=from_env_file\n')
        r = self.g('-env', 'prod.env', 'up')
        self.assertSuccess(r)
        self.assertEqual(self.versions(self.db, 'from_env_file'), [0, 1, 2, 3])
        r = self.g('-env', 'production', 'status')
        self.assertExit(r, 1)
        self.assertIn('failed to load env file', r.err)


class DryRunTest(ManagerCliTestCase):
    def test_up_prints_statements_and_changes_nothing(self):
        self.migration('migrations', '00004_trigger.sql',
                       'CREATE TABLE t4 (id INTEGER);\n'
                       '-- +goose StatementBegin\n'
                       'CREATE TRIGGER t4_ins AFTER INSERT ON t4 BEGIN\n'
                       '  SELECT 1;\n'
                       'END;\n'
                       '-- +goose StatementEnd',
                       'DROP TABLE t4;')
        self.migration('migrations', '00005_notx.sql', 'CREATE TABLE t5 (id INTEGER);',
                       'DROP TABLE t5;', notx=True)
        self.assertSuccess(self.g('up-to', '2'))
        before = file_bytes(self.db)
        r = self.g('up', '--dry-run')
        self.assertSuccess(r)
        self.assertEqual(file_bytes(self.db), before)
        self.assertEqual(self.versions(self.db), [0, 1, 2])
        out = r.out.splitlines()
        self.assertEqual(out[0], '-- gander plan: up from version 2: 3 migrations')
        self.assertIn('-- 00003_t3.sql: version 3, up, transaction, 1 statement', out)
        self.assertIn('-- migrations/00003_t3.sql:2', out)
        self.assertIn('CREATE TABLE t3 (id INTEGER);', out)
        self.assertIn('-- 00004_trigger.sql: version 4, up, transaction, 2 statements', out)
        # a multi-line statement exactly as it would be sent, after its file:line
        i = out.index('-- migrations/00004_trigger.sql:4')
        self.assertEqual(out[i + 1:i + 4], ['CREATE TRIGGER t4_ins AFTER INSERT ON t4 BEGIN',
                                            '  SELECT 1;', 'END;'])
        self.assertIn('-- 00005_notx.sql: version 5, up, no transaction, 1 statement', out)
        self.assertLogged(r, 'dry run: 3 migrations would run from version 2; nothing was changed')
        # no lock file, no journal left behind
        self.assertEqual(sorted(os.listdir(self.tmp)),
                         sorted(['app.db', 'migrations', 'xdg-config', 'xdg-state', 'etc',
                                 'state']))

    def test_json(self):
        self.assertSuccess(self.g('up'))
        before = file_bytes(self.db)
        r = self.g('down-to', '1', '--dry-run', '--json')
        self.assertSuccess(r)
        self.assertEqual(file_bytes(self.db), before)
        doc = r.json()
        self.assertEqual(set(doc), {'command', 'schema_version', 'dry_run', 'current_version', 'target', 'can_run',
                                    'reason', 'missing', 'warnings', 'migrations', 'lint_findings',
                                    'error'})
        self.assertEqual(doc['lint_findings'], [])
        self.assertEqual(doc['command'], 'down-to')
        self.assertTrue(doc['dry_run'])
        self.assertEqual(doc['current_version'], 3)
        self.assertEqual(doc['target'], 1)
        self.assertTrue(doc['can_run'])
        self.assertIsNone(doc['error'])
        self.assertEqual([m['version'] for m in doc['migrations']], [3, 2])
        m = doc['migrations'][0]
        self.assertEqual(set(m), {'version', 'name', 'path', 'direction', 'transaction',
                                  'statements'})
        self.assertEqual(m['name'], '00003_t3.sql')
        self.assertEqual(m['path'], 'migrations/00003_t3.sql')
        self.assertEqual(m['direction'], 'down')
        self.assertTrue(m['transaction'])
        self.assertEqual(m['statements'], [{'line': 4, 'sql': 'DROP TABLE t3;'}])

    def test_missing_file_is_not_created(self):
        r = self.g('up', '--dry-run')
        self.assertSuccess(r)
        self.assertIn('CREATE TABLE t1 (id INTEGER);', r.out)
        self.assertFalse(os.path.exists(self.db))

    def test_every_operation(self):
        self.assertSuccess(self.g('up-to', '2'))
        before = file_bytes(self.db)
        for args, versions in ((['up'], [3]), (['up-by-one'], [3]), (['up-to', '3'], [3]),
                               (['down'], [2]), (['down-to', '0'], [2, 1]),
                               (['redo'], [2, 2]), (['reset'], [2, 1])):
            with self.subTest(args=args):
                r = self.g(*args, '--dry-run', '--json')
                self.assertSuccess(r)
                self.assertEqual([m['version'] for m in r.json()['migrations']], versions)
                self.assertEqual(file_bytes(self.db), before)

    def test_cannot_run(self):
        # nothing to roll back: the plan says why and the exit is the real one's
        r = self.g('down', '--dry-run')
        self.assertExit(r, 1)
        self.assertIn('-- cannot run: ', r.out)
        r = self.g('down', '--dry-run', '--json')
        self.assertExit(r, 1)
        doc = r.json()
        self.assertFalse(doc['can_run'])
        self.assertEqual(doc['error']['message'], doc['reason'])
        self.assertIsNotNone(doc['error'])

    def test_read_only_commands_ignore_dry_run(self):
        r = self.g('status', '--dry-run')
        self.assertSuccess(r)
        self.assertIn('    Pending                  -- 00001_t1.sql', r.lines)


class ConfirmationTest(ManagerCliTestCase):
    def setUp(self):
        super().setUp()
        self.assertSuccess(self.g('up'))
        self.before = file_bytes(self.db)

    def test_refused_without_terminal(self):
        for env in ('staging', 'production'):
            for args in (['down'], ['down-to', '0'], ['redo'], ['reset']):
                with self.subTest(env=env, args=args):
                    r = self.g('--environment', env, *args)
                    self.assertExit(r, 4)
                    self.assertIn('refused: `%s` needs confirmation in environment %s'
                                  % (args[0], env), r.err)
                    self.assertIn('--confirm=app.db', r.err)
                    self.assertEqual(file_bytes(self.db), self.before)

    def test_environment_variable(self):
        r = self.g('down', env={'GANDER_ENVIRONMENT': 'production'})
        self.assertExit(r, 4)
        self.assertEqual(file_bytes(self.db), self.before)
        # the flag wins over the variable
        r = self.g('down', '--environment', 'development',
                   env={'GANDER_ENVIRONMENT': 'production'})
        self.assertSuccess(r)

    def test_json_refusal(self):
        r = self.g('--environment', 'production', 'reset', '--json')
        self.assertExit(r, 4)
        doc = r.json()
        self.assertIn('--confirm=app.db', doc['error']['message'])
        self.assertEqual(doc['error']['code'], 'confirmation-required')
        self.assertEqual(file_bytes(self.db), self.before)

    def test_confirm_flag(self):
        r = self.g('--environment', 'production', 'down', '--confirm', 'other.db')
        self.assertExit(r, 4)
        self.assertIn('"other.db" does not match the name to confirm with; '
                      'rerun with --confirm=app.db', r.err)
        self.assertEqual(file_bytes(self.db), self.before)
        r = self.g('--environment', 'production', 'down', '--confirm', 'app.db')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql'])
        self.assertEqual(self.versions(self.db), [0, 1, 2])

    def test_up_needs_no_confirmation(self):
        self.assertSuccess(self.g('down'))
        r = self.g('--environment', 'production', 'up')
        self.assertSuccess(r)
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])

    def test_development_asks_nothing(self):
        r = self.g('--environment', 'development', 'reset')
        self.assertSuccess(r)
        self.assertEqual(self.versions(self.db), [0])

    def test_prompt_right_name(self):
        rc, shown = self.on_pty(['-dir', self.dir, 'sqlite3', self.db,
                                 '--environment', 'production', 'down'], 'app.db')
        self.assertEqual(rc, 0, shown)
        self.assertIn('needs confirmation', shown)
        self.assertIn('Type app.db to go on', shown)
        self.assertIn('OK   00003_t3.sql', shown)
        self.assertEqual(self.versions(self.db), [0, 1, 2])

    def test_prompt_wrong_name(self):
        rc, shown = self.on_pty(['-dir', self.dir, 'sqlite3', self.db,
                                 '--environment', 'staging', 'reset'], 'yes')
        self.assertEqual(rc, 4, shown)
        self.assertIn('"yes" does not match the name to confirm with', shown)
        # staging prints the plan first (dry-run-first), then asks
        self.assertLess(shown.index('-- 00003_t3.sql: version 3, down'), shown.index('Type app.db'))
        self.assertEqual(file_bytes(self.db), self.before)

    def test_prompt_not_shown_with_confirm(self):
        rc, shown = self.on_pty(['-dir', self.dir, 'sqlite3', self.db,
                                 '--environment', 'staging', 'down', '--confirm=app.db'], None)
        self.assertEqual(rc, 0, shown)
        self.assertNotIn('to go on', shown)
        self.assertEqual(self.versions(self.db), [0, 1, 2])

    def test_unknown_environment(self):
        r = self.g('--environment', 'prodution', 'down')
        self.assertExit(r, 2)
        self.assertIn('prodution', r.err)
        self.assertEqual(file_bytes(self.db), self.before)


class RepairTest(ManagerCliTestCase):
    def make_dirty(self):
        self.migration('migrations', '00004_notx.sql',
                       'CREATE TABLE t4 (id INTEGER);\nINSERT INTO nowhere VALUES (1);',
                       'DROP TABLE t4;', notx=True)
        self.assertExit(self.g('up'), 1)

    def side_state(self, version):
        return self.query(self.db, 'SELECT state FROM goose_db_version_gander '
                          'WHERE version_id = ?', version)

    def test_status_points_at_clear_dirty(self):
        self.make_dirty()
        r = self.g('status')
        self.assertSuccess(r)
        self.assertLogged(r, 'clear the marker with: gander repair clear-dirty 4 '
                             '(add --mark-applied if you completed it)')
        self.assertNotIn('DELETE FROM', r.err)

    def test_clear_dirty_pending_again(self):
        self.make_dirty()
        r = self.g('repair', 'clear-dirty', '4')
        self.assertSuccess(r)
        self.assertEqual(r.logged_lines, ['repair: cleared the running marker of 00004_notx.sql '
                                          '(version 4); it is pending again'])
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])
        self.assertIn('    Pending                  -- 00004_notx.sql', self.g('status').lines)
        # nothing to clear any more: an error, nothing written
        before = file_bytes(self.db)
        r = self.g('repair', 'clear-dirty', '4')
        self.assertExit(r, 1)
        self.assertEqual(file_bytes(self.db), before)

    def test_clear_dirty_mark_applied_json(self):
        self.make_dirty()
        r = self.g('repair', 'clear-dirty', '4', '--mark-applied', '--json')
        self.assertSuccess(r)
        self.assertEqual(r.json(), {'command': 'clear-dirty', 'schema_version': 1, 'version': 4,
                                    'mark_applied': True, 'error': None})
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3, 4])
        self.assertEqual(self.g('version').lines, ['goose: version 4'])

    def test_clear_dirty_confirmed_in_production(self):
        self.make_dirty()
        before = file_bytes(self.db)
        r = self.g('--environment', 'production', 'repair', 'clear-dirty', '4')
        self.assertExit(r, 4)
        self.assertIn('refused: `clear-dirty` needs confirmation in environment production',
                      r.err)
        self.assertEqual(file_bytes(self.db), before)
        r = self.g('--environment', 'production', 'repair', 'clear-dirty', '4',
                   '--confirm=app.db')
        self.assertSuccess(r)

    def test_accept_checksum(self):
        self.assertSuccess(self.g('up'))
        with open(os.path.join(self.dir, '00002_t2.sql'), 'a') as f:
            f.write('-- reviewed\n')
        self.assertLogged(self.g('status'), 'was modified after it was applied')
        before = file_bytes(self.db)
        r = self.g('--environment', 'staging', 'repair', 'accept-checksum', '2')
        self.assertExit(r, 4)
        self.assertEqual(file_bytes(self.db), before)
        r = self.g('repair', 'accept-checksum', '2')
        self.assertSuccess(r)
        self.assertEqual(r.logged_lines, ['repair: recorded the current checksum of '
                                          '00002_t2.sql (version 2)'])
        self.assertNotLogged(self.g('status'), 'was modified')
        self.assertFalse(self.g('status', '--json').json()['migrations'][1]['checksum_modified'])

    def test_baseline(self):
        # an existing database whose schema already has t1 and t2
        self.query(self.db, 'CREATE TABLE t1 (id INTEGER)')
        self.query(self.db, 'CREATE TABLE t2 (id INTEGER)')
        r = self.g('baseline', '2')
        self.assertSuccess(r)
        self.assertEqual(r.logged_lines, [
            'recorded as applied without running it: 00001_t1.sql',
            'recorded as applied without running it: 00002_t2.sql',
            'baseline: 2 migrations recorded; current version: 2'])
        self.assertEqual(self.versions(self.db), [0, 1, 2])
        r = self.g('up')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00003_t3.sql'])
        # again: nothing to record
        doc = self.g('baseline', '2', '--json').json()
        self.assertEqual(doc, {'command': 'baseline', 'schema_version': 1, 'version': 2, 'recorded': [],
                               'current_version': 3, 'error': None})

    def test_baseline_refusals(self):
        r = self.g('--environment', 'production', 'baseline', '2')
        self.assertExit(r, 4)
        self.assertFalse(os.path.exists(self.db))
        self.query(self.db, 'CREATE TABLE t1 (id INTEGER)')
        before = file_bytes(self.db)
        r = self.g('baseline', '9')
        self.assertExit(r, 1)
        self.assertIn('9', r.err)
        self.assertEqual(file_bytes(self.db), before)

    def test_usage(self):
        for args in (['repair'], ['repair', 'bogus', '1'], ['repair', 'clear-dirty'],
                     ['repair', 'accept-checksum', 'x'], ['baseline'], ['breaker'],
                     ['breaker', 'open']):
            with self.subTest(args=args):
                r = self.g(*args)
                self.assertExit(r, 2)
                self.assertFalse(os.path.exists(self.db))
        r = self.g('baseline', '1', '--dry-run')
        self.assertExit(r, 2)
        self.assertIn('--dry-run is for up', r.err)
        self.assertFalse(os.path.exists(self.db))


class BreakerTest(ManagerCliTestCase):
    def test_status_and_reset(self):
        r = self.g('breaker', 'status', '--json')
        self.assertSuccess(r)
        doc = r.json()
        self.assertEqual(doc['command'], 'breaker-status')
        self.assertEqual(doc['state'], 'closed')
        self.assertEqual(doc['consecutive_failures'], 0)
        self.assertEqual(doc['key'], 'sqlite3:' + self.db)
        self.assertIsNone(doc['opened_at'])
        self.assertFalse(os.path.exists(self.db))
        r = self.g('--environment', 'production', 'breaker', 'reset')
        self.assertExit(r, 4)
        self.assertIn('refused: `breaker-reset` needs confirmation in environment production', r.err)
        r = self.g('--environment', 'production', 'breaker', 'reset', '--confirm', 'app.db')
        self.assertSuccess(r)
        self.assertLogged(r, 'breaker reset: runs are allowed again')


class ConfigTest(ManagerCliTestCase):
    def write_config(self, text, name='gander.conf'):
        return self.write(name, text)

    def app_config(self, extra=''):
        return self.write_config('[profile app]\n'
                                 'driver=sqlite3\n'
                                 'dbstring=%s\n'
                                 'dir=%s\n'
                                 'environment=staging\n'
                                 'lock-timeout=5s\n%s' % (self.db, self.dir, extra))

    def settings(self, *args, env=None):
        r = self.gander(*args, 'config', '--json', env=env)
        self.assertSuccess(r)
        return r.json()['settings']

    def test_plain_is_goose(self):
        r = self.gander('config')
        self.assertSuccess(r)
        self.assertIn('# profile: (none)', r.out)
        self.assertRegex(r.out, r'\nenvironment=development +# built-in\n')
        doc = self.gander('config', '--json').json()
        self.assertIsNone(doc['profile'])
        self.assertEqual(doc['files'], [])
        self.assertEqual(doc['settings']['require-confirmation'],
                         {'value': '', 'origin': 'built-in [environment development]'})

    def test_precedence(self):
        conf = self.app_config()
        st = self.settings('--config', conf, '--profile', 'app')
        self.assertEqual(st['environment'], {'value': 'staging',
                                             'origin': '%s:5 [profile app]' % conf})
        self.assertEqual(st['lock-timeout']['origin'], '%s:6 [profile app]' % conf)
        self.assertEqual(st['checksum-drift'], {'value': 'error',
                                                'origin': 'built-in [environment staging]'})
        # variables over the profile
        st = self.settings('--config', conf, '--profile', 'app',
                           env={'GANDER_ENVIRONMENT': 'production', 'GOOSE_TABLE': 'other'})
        self.assertEqual(st['environment'], {'value': 'production', 'origin': 'GANDER_ENVIRONMENT'})
        self.assertEqual(st['timeout'], {'value': '30m',
                                         'origin': 'built-in [environment production]'})
        self.assertEqual(st['table'], {'value': 'other', 'origin': 'GOOSE_TABLE'})
        # the profile's explicit key stays above the environment's default
        self.assertEqual(st['lock-timeout']['value'], '5s')
        # flags over the variables
        st = self.settings('--config', conf, '--profile', 'app', '--environment', 'development',
                           '--lock-timeout', '250ms', '-table', 'mine',
                           env={'GANDER_ENVIRONMENT': 'production', 'GOOSE_TABLE': 'other'})
        self.assertEqual(st['environment'], {'value': 'development', 'origin': '--environment'})
        self.assertEqual(st['lock-timeout'], {'value': '250ms', 'origin': '--lock-timeout'})
        self.assertEqual(st['table'], {'value': 'mine', 'origin': '-table'})
        # GANDER_CONFIG names the file too
        st = self.settings('--profile', 'app', env={'GANDER_CONFIG': conf})
        self.assertEqual(st['environment']['value'], 'staging')
        # the standard places: $XDG_CONFIG_HOME/gander/gander.conf, then --config
        self.write('xdg-config/gander/gander.conf',
                   '[profile app]\ndriver=sqlite3\ndbstring=%s\ndir=%s\n'
                   'environment=production\n' % (self.db, self.dir))
        st = self.settings('--profile', 'app')
        self.assertEqual(st['environment']['value'], 'production')
        st = self.settings('--profile', 'app', '--config', conf)
        self.assertEqual(st['environment']['value'], 'staging')

    def test_profile_commands(self):
        conf = self.app_config()
        r = self.gander('--config', conf, '--profile', 'app', 'up')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql', '00002_t2.sql', '00003_t3.sql'])
        # staging prints the plan first
        self.assertIn('-- gander plan: up from version 0: 3 migrations', r.out)
        self.assertEqual(self.versions(self.db), [0, 1, 2, 3])
        before = file_bytes(self.db)
        r = self.gander('--config', conf, '--profile', 'app', 'down')
        self.assertExit(r, 4)
        self.assertIn('--confirm=app', r.err)
        self.assertEqual(file_bytes(self.db), before)
        r = self.gander('--config', conf, '--profile', 'app', 'down', '--confirm', 'app.db')
        self.assertExit(r, 4)
        self.assertEqual(file_bytes(self.db), before)
        r = self.gander('--config', conf, '--profile', 'app', 'down', '--confirm', 'app')
        self.assertSuccess(r)
        self.assertEqual(self.versions(self.db), [0, 1, 2])
        # DRIVER DBSTRING on the command line win over the profile's
        other = self.path('other.db')
        r = self.gander('--config', conf, '--profile', 'app', 'sqlite3', other, 'up')
        self.assertSuccess(r)
        self.assertEqual(self.versions(other), [0, 1, 2, 3])

    def test_allow_commands(self):
        conf = self.app_config('\n[environment staging]\nallow-commands=status;version;up\n')
        self.assertSuccess(self.gander('--config', conf, '--profile', 'app', 'up'))
        before = file_bytes(self.db)
        r = self.gander('--config', conf, '--profile', 'app', 'reset', '--confirm', 'app')
        self.assertExit(r, 4)
        self.assertIn('`reset` is not allowed in environment staging', r.err)
        self.assertEqual(file_bytes(self.db), before)
        # a dry run of it is refused too: the rule is about the command
        r = self.gander('--config', conf, '--profile', 'app', 'reset', '--dry-run')
        self.assertExit(r, 4)
        self.assertEqual(file_bytes(self.db), before)

    def test_checksum_drift_refused(self):
        conf = self.app_config()
        self.assertSuccess(self.gander('--config', conf, '--profile', 'app', 'up-to', '2'))
        with open(os.path.join(self.dir, '00001_t1.sql'), 'a') as f:
            f.write('-- edited\n')
        before = file_bytes(self.db)
        r = self.gander('--config', conf, '--profile', 'app', 'up')
        self.assertExit(r, 4)
        self.assertIn('gander repair accept-checksum 1', r.err)
        self.assertEqual(file_bytes(self.db), before)
        # development only warns (goose's behaviour)
        r = self.g('up')
        self.assertSuccess(r)

    def test_dirty_refused_in_staging(self):
        self.migration('migrations', '00004_notx.sql',
                       'CREATE TABLE t4 (id INTEGER);\nINSERT INTO nowhere VALUES (1);',
                       'DROP TABLE t4;', notx=True)
        self.assertExit(self.g('up'), 1)
        before = file_bytes(self.db)
        r = self.g('--environment', 'staging', 'up')
        self.assertExit(r, 4)
        self.assertIn('gander repair clear-dirty 4', r.err)
        self.assertEqual(file_bytes(self.db), before)
        # the plain path fails as before (exit 1)
        self.assertExit(self.g('up'), 1)

    def test_bad_files(self):
        # (the last: the file is fine, the profile that uses it is not)
        cases = [
            ('[profile app]\ndriver=sqlite3\nlock-timout=5s\n',
             ['bad.conf:3', '[profile app]', 'lock-timout', 'did you mean', 'lock-timeout'], True),
            ('[profile app\ndriver=sqlite3\n', ['bad.conf:1', 'not a group header'], True),
            ('[environment staging]\nlock-timeout=5\n',
             ['bad.conf:2', '[environment staging]', 'lock-timeout', 'unit'], True),
            ('[profile app]\nenvironment=prodution\n', ['prodution', 'production'], False),
        ]
        for text, needles, whole_file in cases:
            with self.subTest(text=text):
                conf = self.write_config(text, 'bad.conf')
                r = self.gander('--config', conf, '--profile', 'app', 'status')
                self.assertExit(r, 2)
                for needle in needles:
                    self.assertIn(needle, r.err)
                if whole_file:
                    r = self.g('--config', conf, 'up')
                    self.assertExit(r, 2)
                    self.assertFalse(os.path.exists(self.db))
        r = self.g('--config', self.path('missing.conf'), 'up')
        self.assertExit(r, 2)
        self.assertIn('missing.conf', r.err)
        r = self.gander('--profile', 'nope', 'status')
        self.assertExit(r, 2)
        self.assertIn('unknown profile', r.err)
        r = self.g('--environment', 'prodution', 'up')
        self.assertExit(r, 2)
        self.assertIn('production', r.err)
        self.assertFalse(os.path.exists(self.db))

    def test_no_password(self):
        conf = self.write_config('[profile pg]\ndriver=postgres\n'
                                 'dbstring=postgres://app:s3cret@localhost/app\n')
        r = self.gander('--config', conf, '--profile', 'pg', 'config')
        self.assertExit(r, 2)
        self.assertIn('pgpass', r.err)
        self.assertNotIn('s3cret', r.err)
        # goose's variable may hold one: shown masked
        env = {'GOOSE_DRIVER': 'postgres',
               'GOOSE_DBSTRING': 'postgres://app:s3cret@localhost/app'}
        for args in (['config'], ['config', '--json']):
            r = self.gander(*args, env=env)
            self.assertSuccess(r)
            self.assertNotIn('s3cret', r.out + r.err)
            self.assertIn('postgres://app:xxxxx@localhost/app', r.out)


class AuditVerifyTest(ManagerCliTestCase):
    def chain(self, records):
        import hashlib
        lines, prev = [], None
        for i, rec in enumerate(records):
            rec = dict(rec, ts='2026-11-30T12:00:0%dZ' % i, prev_sha256=prev)
            line = json.dumps(rec, separators=(',', ':'))
            lines.append(line)
            prev = hashlib.sha256(line.encode()).hexdigest()
        return ''.join(l + '\n' for l in lines)

    def test_good_and_tampered(self):
        text = self.chain([{'event': 'run.start', 'run_id': 'a'},
                           {'event': 'migration.applied', 'run_id': 'a'},
                           {'event': 'run.end', 'run_id': 'a', 'result': 'ok'}])
        good = self.write('audit.jsonl', text)
        r = self.gander('audit', 'verify', good)
        self.assertSuccess(r)
        self.assertLogged(r, 'audit: %s: 3 records, the chain is whole' % good)
        doc = self.gander('audit', 'verify', good, '--json').json()
        self.assertEqual(doc, {'command': 'audit verify', 'schema_version': 1, 'file': good, 'ok': True,
                               'records': 3, 'first_bad_line': None, 'error': None})
        bad = self.write('tampered.jsonl', text.replace('"result":"ok"', '"result":"no"', 1)
                         .replace('migration.applied', 'migration.failed'))
        r = self.gander('audit', 'verify', bad)
        self.assertExit(r, 1)
        self.assertIn('tampered.jsonl:3', r.err)
        doc = self.gander('audit', 'verify', bad, '--json').json()
        self.assertFalse(doc['ok'])
        self.assertEqual(doc['first_bad_line'], 3)
        self.assertEqual(doc['records'], 2)
        # with GOOSE_DRIVER and GOOSE_DBSTRING set, and after them
        r = self.gander('audit', 'verify', good, env={'GOOSE_DRIVER': 'sqlite3',
                                                      'GOOSE_DBSTRING': self.db})
        self.assertSuccess(r)
        r = self.gander('sqlite3', self.db, 'audit', 'verify', good)
        self.assertSuccess(r)
        self.assertFalse(os.path.exists(self.db))
        for args in (['audit'], ['audit', 'verify'], ['audit', 'check', good]):
            self.assertExit(self.gander(*args), 2)


class BreakerRunsTest(ManagerCliTestCase):
    def test_opens_after_failures_and_survives(self):
        self.write('migrations/00002_t2.sql',
                   '-- +goose Up\nCREATE TABLE t2 (id int);\nINSERT INTO nowhere VALUES (1);\n'
                   '-- +goose Down\nDROP TABLE t2;\n')
        staging = ['--environment', 'staging']
        for i in range(3):
            r = self.g(*staging, 'up')
            self.assertExit(r, 1)
            self.assertIn('nowhere', r.err)
        doc = self.g(*staging, 'breaker', 'status', '--json').json()
        self.assertEqual(doc['state'], 'open')
        self.assertEqual(doc['consecutive_failures'], 3)
        self.assertIsNotNone(doc['opened_at'])
        before = file_bytes(self.db)
        # a new process sees it open: refused before any write
        r = self.g(*staging, 'up')
        self.assertExit(r, 4)
        self.assertIn('gander breaker reset', r.err)
        self.assertEqual(file_bytes(self.db), before)
        # reading and dry runs stay possible
        self.assertSuccess(self.g(*staging, 'status'))
        self.assertSuccess(self.g(*staging, 'up', '--dry-run'))
        # the goose path has no breaker
        self.assertExit(self.g('up'), 1)
        r = self.g(*staging, 'breaker', 'reset')
        self.assertExit(r, 4)
        r = self.g(*staging, 'breaker', 'reset', '--confirm', 'app.db')
        self.assertSuccess(r)
        self.assertEqual(self.g(*staging, 'breaker', 'status', '--json').json()['state'],
                         'closed')
        self.write('migrations/00002_t2.sql',
                   '-- +goose Up\nCREATE TABLE t2 (id int);\n-- +goose Down\nDROP TABLE t2;\n')
        self.assertSuccess(self.g(*staging, 'up'))


    def test_plan_failures_count_in_dry_run_first_environments(self):
        # production prints the plan before applying; when the plan itself
        # fails (not a database), the run must still be audited, counted
        # and seen by the breaker, or a crash loop never stops
        with open(self.db, 'wb') as f:
            f.write(b'this is not a database, just text ' * 200)
        before = file_bytes(self.db)
        audit = self.path('audit.jsonl')
        prom = self.path('gander.prom')
        for i in range(3):
            r = self.g('--environment', 'production', '--audit-log', audit,
                       '--metrics-file', prom, 'up')
            self.assertExit(r, 1)
        self.assertEqual(file_bytes(self.db), before)
        with open(audit) as f:
            results = [json.loads(line).get('result') for line in f if line.strip()]
        self.assertIn('failed', results)
        with open(prom) as f:
            self.assertIn('gander_run_duration_seconds', f.read())
        doc = self.g('--environment', 'production', 'breaker', 'status', '--json').json()
        self.assertEqual(doc['state'], 'open')
        r = self.g('--environment', 'production', 'up')
        self.assertExit(r, 4)


class MetricsAuditTest(ManagerCliTestCase):
    def families(self, path):
        from prometheus_client.parser import text_string_to_metric_families
        with open(path, encoding='utf-8') as f:
            text = f.read()
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                key = (sample.name, tuple(sorted(sample.labels.items())))
                samples[key] = sample.value
        return samples

    def value(self, samples, name, **labels):
        return samples.get((name, tuple(sorted(labels.items()))))

    def test_metrics_file_across_runs(self):
        prom = self.path('gander.prom')
        self.assertSuccess(self.g('up-to', '1', '--metrics-file', prom))
        first = self.families(prom)
        self.assertEqual(self.value(first, 'gander_migrations_applied_total', profile='',
                                    environment='development', direction='up'), 1)
        self.assertSuccess(self.g('up', '--metrics-file', prom))
        second = self.families(prom)
        # counters carried over from the first file
        self.assertEqual(self.value(second, 'gander_migrations_applied_total', profile='',
                                    environment='development', direction='up'), 3)
        self.assertEqual(self.value(second, 'gander_schema_version', profile='',
                                    environment='development'), 3)
        self.assertEqual(self.value(second, 'gander_migrations_pending', profile='',
                                    environment='development'), 0)
        self.assertEqual(oct(os.stat(prom).st_mode & 0o777), '0o644')
        # the variable names it too
        self.assertSuccess(self.g('down', env={'GANDER_METRICS_FILE': prom}))
        third = self.families(prom)
        self.assertEqual(self.value(third, 'gander_migrations_rolled_back_total', profile='',
                                    environment='development'), 1)
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith('gander.prom')],
                         ['gander.prom'])

    def read_audit(self, path):
        with open(path, encoding='utf-8') as f:
            return [json.loads(line) for line in f]

    def test_audit_log(self):
        log = self.path('audit.jsonl')
        r = self.g('up-to', '2', '--audit-log', log, '--reason', 'deploy 42')
        self.assertSuccess(r)
        records = self.read_audit(log)
        events = [rec['event'] for rec in records]
        self.assertEqual(events, ['run.start', 'migration.applied', 'migration.applied',
                                  'run.end'])
        run_ids = {rec['run_id'] for rec in records}
        self.assertEqual(len(run_ids), 1)
        self.assertRegex(run_ids.pop(), r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                                        r'[0-9a-f]{12}$')
        self.assertIsNone(records[0]['prev_sha256'])
        for rec in records:
            self.assertRegex(rec['ts'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')
            self.assertEqual(rec['actor']['via'], 'cli')
            self.assertEqual(rec['actor']['pid'] > 0, True)
            self.assertEqual(rec['actor']['uid'], os.getuid())
            self.assertEqual(rec['operation'], 'up-to')
            self.assertEqual(rec['environment'], 'development')
            self.assertEqual(rec['driver'], 'sqlite3')
            self.assertFalse(rec['dry_run'])
        end = records[-1]
        self.assertEqual(end['result'], 'ok')
        self.assertEqual(end['reason'], 'deploy 42')
        self.assertEqual(end['from_version'], 0)
        self.assertEqual(end['to_version'], 2)
        self.assertEqual(end['target_version'], 2)
        applied = records[1]
        m = applied['migrations'][0] if 'migrations' in applied else applied
        self.assertEqual(m['version'], 1)
        self.assertEqual(m['direction'], 'up')
        self.assertRegex(m['sha256'], r'^[0-9a-f]{64}$')

        # a refusal is recorded too, and the chain stays whole
        r = self.g('--environment', 'production', 'down', '--audit-log', log)
        self.assertExit(r, 4)
        records = self.read_audit(log)
        self.assertEqual(records[-1]['event'], 'policy.refused')
        self.assertEqual(records[-1]['result'], 'refused')
        self.assertEqual(records[-1]['environment'], 'production')
        r = self.gander('audit', 'verify', log)
        self.assertSuccess(r)
        self.assertLogged(r, '%d records, the chain is whole' % len(records))
        mode = os.stat(log).st_mode & 0o777
        self.assertEqual(mode & 0o137, 0, oct(mode))
        # tampering is found
        with open(log, encoding='utf-8') as f:
            lines = f.readlines()
        lines[1] = lines[1].replace('"up"', '"down"')
        with open(log, 'w', encoding='utf-8') as f:
            f.writelines(lines)
        r = self.gander('audit', 'verify', log)
        self.assertExit(r, 1)
        self.assertIn('audit.jsonl:', r.err)


if __name__ == '__main__':
    main()
