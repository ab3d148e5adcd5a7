#!/usr/bin/python3
# test-docs.py: the `gdbus call` lines of docs/dbus.md, run against
# gander-daemon on private buses
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# docs/dbus.md's ```sh blocks that hold a `gdbus call` line are run in
# order with `bash -e -o pipefail`, against a daemon on a private session
# bus (blocks marked `system`: a daemon on a private "system" bus, polkit
# mocked and every action allowed). The profile `app` of the page's example
# is a SQLite database with three migrations; `appdb` a PostgreSQL profile
# (for SetPassword and ClearPassword, which do not connect). A block may be preceded by
# a marker line (see the page's last section):
#   <!-- test-docs: define -->        definitions, prepended to later blocks
#   <!-- test-docs: fails NAME -->    must fail with the D-Bus error NAME
#   <!-- test-docs: system -->        against the system bus daemon
#   <!-- test-docs: skip REASON -->   not run
# A failing block fails the test with the block's line number, its output
# and the daemon's log. So does a `gdbus call` line outside any ```sh block.

import os
import re
import signal
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dbustest  # noqa: E402
from dbustest import DBusTestCase, main  # noqa: E402

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs', 'dbus.md')
ADMIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bindings',
                     'python', 'dbus-admin.py')
MARKER = re.compile(r'^<!--\s*test-docs:\s*(define|fails|system|skip)\b\s*(.*?)\s*-->\s*$')
BLOCK_TIMEOUT = 60


class Block:
    def __init__(self, line, text, marker, arg):
        self.line = line      # line number of the opening fence
        self.text = text
        self.marker = marker  # None, 'define', 'fails', 'system', 'skip'
        self.arg = arg

    def gdbus_lines(self):
        return [ln for ln in self.text.splitlines() if 'gdbus call' in ln]


def parse(path=DOC):
    """The ```sh blocks of the page with their markers, and the lines that
    name `gdbus call` outside of them (with their line numbers)."""
    blocks = []
    stray = []
    marker = arg = None
    fence = None      # (line, language) while inside a fenced block
    body = []
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    for n, ln in enumerate(lines, 1):
        if fence is None:
            m = MARKER.match(ln)
            if m:
                marker, arg = m.group(1), m.group(2)
                continue
            if ln.startswith('```'):
                fence = (n, ln[3:].strip().split(' ')[0])
                body = []
                continue
            if ln.strip():
                marker = arg = None   # a marker applies to the next block only
            continue
        if ln.startswith('```'):
            start, lang = fence
            text = '\n'.join(body)
            if lang == 'sh':
                blocks.append(Block(start, text, marker, arg))
            elif re.search(r'^\s*gdbus call', text, re.M):
                stray.extend((start, x) for x in text.splitlines()
                             if x.lstrip().startswith('gdbus call'))
            fence = None
            marker = arg = None
            continue
        body.append(ln)
    return blocks, stray


class DocsTest(DBusTestCase):

    def test_markers(self):
        """The page parses: known markers, every `gdbus call` line in a
        block that runs, and the page has enough of them to matter."""
        blocks, stray = parse()
        self.assertEqual(stray, [], 'gdbus call lines outside of ```sh blocks (they would '
                         'not be run): %r' % stray)
        run = [b for b in blocks if b.marker != 'skip' and b.gdbus_lines()]
        n = sum(len(b.gdbus_lines()) for b in run)
        self.assertGreaterEqual(n, 40, 'only %d gdbus call lines are run' % n)
        for b in blocks:
            if b.marker == 'fails':
                self.assertRegex(b.arg, r'^[A-Za-z0-9_.]+$',
                                 'line %d: fails needs an error name' % b.line)
            if b.marker == 'skip':
                self.assertNotEqual(b.arg, '', 'line %d: skip needs a reason' % b.line)
        # every method of the interface appears in a run block
        doc = '\n'.join(b.text for b in run)
        with open(os.path.join(os.path.dirname(DOC), '..', 'data',
                               'org.gander.Migrator1.xml'), encoding='utf-8') as f:
            info = dbustest.Gio.DBusNodeInfo.new_for_xml(f.read())
        missing = ['%s.%s' % (i.name, m.name) for i in info.interfaces for m in i.methods
                   if '%s.%s' % (i.name, m.name) not in doc]
        self.assertEqual(missing, [], 'methods without a gdbus call line that runs')

    def test_phase_lists_the_pipeline_steps(self):
        # Job.Phase's documented steps are exactly lib/gander-pipeline.c's
        # table, in its order, then "finish"
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
        with open(os.path.join(root, 'lib', 'gander-pipeline.c'), encoding='utf-8') as f:
            table = f.read().split('} steps[] = {', 1)[1].split('};', 1)[0]
        steps = re.findall(r'^\s*\{\s*"([a-z-]+)"', table, re.M) + ['finish']
        self.assertIn('lint', steps)
        with open(os.path.join(root, 'data', 'org.gander.Migrator1.xml'),
                  encoding='utf-8') as f:
            xml = f.read()
        comment = re.search(r'<!-- Phase:(.*?)-->', xml, re.S).group(1)
        self.assertEqual(re.findall(r'"([a-z-]+)"', comment), steps, comment)
        with open(DOC, encoding='utf-8') as f:
            doc = f.read()
        text = re.search(r'`Phase` s\s*\((.*?)\)', doc, re.S).group(1)
        self.assertEqual(re.findall(r'`([a-z-]+)`', text), steps, text)

    def test_devenv(self):
        """The build tree's session bus configuration (docs/dbus.md,
        "Running from the build tree") activates the daemon just built."""
        dbustest.require_daemon()
        build = os.path.dirname(os.path.dirname(os.path.abspath(dbustest.GANDER_DAEMON)))
        conf = os.path.join(build, 'data', 'devenv', 'session.conf')
        self.assertTrue(os.path.exists(conf), conf + ' is not generated')
        self._config()
        env = self.daemon_env(None)
        # Services the bus activates (the daemon, and a keyring the
        # daemon may ask for) inherit the bus's stdout/stderr and may
        # outlive it by a moment: read the output from a file, wait for
        # dbus-run-session alone, then end its whole process group.
        with tempfile.TemporaryFile('w+') as out:
            proc = subprocess.Popen(['dbus-run-session', '--config-file=' + conf, '--',
                                     'gdbus', 'call', '--session', '--timeout', '30',
                                     '--dest', 'org.gander.Migrator1',
                                     '--object-path', '/org/gander/Migrator1', '--method',
                                     'org.freedesktop.DBus.Properties.Get',
                                     'org.gander.Migrator1.Manager', 'Profiles'],
                                    stdout=out, stderr=subprocess.STDOUT, text=True,
                                    env=env, start_new_session=True)
            try:
                rc = proc.wait(timeout=60)
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            out.seek(0)
            text = out.read()
        self.assertEqual(rc, 0, text)
        self.assertIn('/org/gander/Migrator1/profiles/app', text)

    def _admin(self, *args, **kw):
        env = dict(self.env)
        env['DBUS_SESSION_BUS_ADDRESS'] = self.session_bus.address
        return subprocess.run([dbustest.PYTHON, ADMIN] + list(args), capture_output=True,
                              text=True, env=env, timeout=60, **kw)

    def test_dbus_admin(self):
        """bindings/python/dbus-admin.py: list, status, up."""
        self._config()
        self.start_daemon('session')
        r = self._admin('list')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r'(?m)^app +sqlite3 +development ')
        r = self._admin('status', 'app')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(re.findall(r'(?m)^ +[123] +pending ', r.stdout)), 3, r.stdout)
        r = self._admin('up', 'app', '--reason', 'test-docs')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('app: success (version 0 → 3)', r.stdout)
        self.assertEqual(len(re.findall(r'(?m)^  OK  up +0000[123]_t[123]\.sql', r.stdout)), 3,
                         r.stdout)
        r = self._admin('status', 'app')
        self.assertEqual(len(re.findall(r'(?m)^ +[123] +applied ', r.stdout)), 3, r.stdout)
        r = self._admin('status', 'nope')
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("no profile 'nope' (known: app, appdb)", r.stderr)

    def test_dbus_admin_ctrl_c(self):
        """Ctrl-C during `dbus-admin.py up` cancels the job: the long
        migration is rolled back, the tool exits 130."""
        self.migration('slow', '00001_big.sql',
                       'CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL '
                       'SELECT x + 1 FROM c WHERE x < 2000000000) SELECT x FROM c;',
                       'DROP TABLE big;')
        db = self.path('slow.db')
        self.write_config({'profile slow': {'driver': 'sqlite3', 'dbstring': db,
                                            'dir': self.path('slow'),
                                            'environment': 'development'}})
        self.start_daemon('session')
        env = dict(self.env)
        env['DBUS_SESSION_BUS_ADDRESS'] = self.session_bus.address
        p = subprocess.Popen([dbustest.PYTHON, ADMIN, 'up', 'slow'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        try:
            line = dbustest.read_line(p.stdout, p, dbustest.DEFAULT_TIMEOUT, 'dbus-admin up')
            self.assertTrue(line.startswith('job /org/gander/Migrator1/jobs/'), line)
            job = line.split()[1].strip()
            self.wait_property(job, dbustest.JOB_IFACE, 'Phase', lambda v: v == 'apply')
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 130, out + err)
        self.assertIn('slow: cancelled', out)
        self.assertEqual(self.get_property(job, dbustest.JOB_IFACE, 'Result'), 'cancelled')
        self.assertNotIn('big', self.tables(db))

    def _config(self):
        # appdb: PostgreSQL for the password examples, never connected to
        # by them (SetPassword/ClearPassword only store and forget)
        self.write_config({
            'profile app': self.sqlite_profile('app', 3),
            'profile appdb': {'driver': 'postgres',
                              'dbstring': 'host=%s dbname=app user=app' % self.path('no-server'),
                              'dir': self.simple_set('migrations-appdb', 1)},
        })

    def _run(self, block, defines, env):
        script = '\n'.join(defines + [block.text]) + '\n'
        try:
            # stdin: what `read -rs -p 'Password: ' PW` reads
            return subprocess.run(['bash', '-e', '-o', 'pipefail', '-c', script],
                                  input='not-a-real-password\n',
                                  capture_output=True, text=True, env=env,
                                  timeout=BLOCK_TIMEOUT, cwd=self.tmp)
        except subprocess.TimeoutExpired as e:
            self.fail('docs/dbus.md:%d: the block did not finish within %ds\n%s\n%s'
                      % (block.line, BLOCK_TIMEOUT, e.stdout, e.stderr))

    def test_blocks(self):
        """Every block runs as documented, in order."""
        blocks, _ = parse()
        self._config()
        # SetPassword stores in the keyring: libsecret's file backend here
        keyring = {'SECRET_BACKEND': 'file',
                   'SECRET_FILE_TEST_PATH': self.path('keyring'),
                   'SECRET_FILE_TEST_PASSWORD': 'test-docs'}
        session = self.start_daemon('session', job_keep=600, env=keyring)
        daemons = {'session': session}
        envs = {}
        env = dict(self.env)
        env['DBUS_SESSION_BUS_ADDRESS'] = self.session_bus.address
        env.pop('DBUS_SYSTEM_BUS_ADDRESS', None)
        envs['session'] = env
        defines = []
        ran = 0
        for b in blocks:
            if b.marker == 'define':
                defines.append(b.text)
                continue
            if b.marker == 'skip':
                print('# docs/dbus.md:%d skipped: %s' % (b.line, b.arg))
                continue
            if not b.gdbus_lines():
                continue
            kind = 'system' if b.marker == 'system' else 'session'
            if kind not in daemons:
                self.polkit.allow_unknown(True)
                daemons[kind] = self.start_daemon('system', job_keep=600)
                env = dict(self.env)
                env['DBUS_SYSTEM_BUS_ADDRESS'] = self.system_bus.address
                env.pop('DBUS_SESSION_BUS_ADDRESS', None)
                envs[kind] = env
            r = self._run(b, defines, envs[kind])
            where = 'docs/dbus.md:%d' % b.line
            detail = ('\n--- block\n%s\n--- stdout\n%s--- stderr\n%s--- daemon log\n%s'
                      % (b.text, r.stdout, r.stderr, daemons[kind].log()[-4000:]))
            if b.marker == 'fails':
                self.assertNotEqual(r.returncode, 0, where + ': the block should fail' + detail)
                self.assertIn('GDBus.Error:' + b.arg + ':', r.stderr,
                              where + ': not the documented error' + detail)
            else:
                self.assertEqual(r.returncode, 0, where + ': the block failed' + detail)
            ran += 1
        self.assertGreater(ran, 10)


if __name__ == '__main__':
    main()
