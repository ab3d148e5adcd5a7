# test-cli-credentials.py: `gander credentials set|clear PROFILE` with
# libsecret's file backend (no bus), and once with a real gnome-keyring in
# a private, headless D-Bus session. The secret never reaches argv
# (/proc/PID/cmdline), stdout or stderr.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import pty
import select
import shutil
import signal
import subprocess
import time

from clitest import GANDER, CliTestCase, main

SECRET = 'pw-Zx81-Пароль'

CONFIG = '''[profile alerts]
driver=postgres
dbstring=host=db.example port=5433 dbname=alerts user=alice
password-source=keyring

[profile plain]
driver=postgres
dbstring=postgres://bob@db2.example/plain

[profile local]
driver=sqlite3
dbstring=local.db
'''


class CredentialsTests(CliTestCase):
    def setUp(self):
        super().setUp()
        self.write('gander.conf', CONFIG)
        os.makedirs(self.path('etc'))
        self.env.update({
            'GANDER_CONFIG': self.path('gander.conf'),
            'GANDER_SYSCONFDIR': self.path('etc'),
            'XDG_CONFIG_HOME': self.path('config'),
            'SECRET_BACKEND': 'file',
            'SECRET_FILE_TEST_PATH': self.path('keyring'),
            'SECRET_FILE_TEST_PASSWORD': 'test-keyring',
        })

    def run_gander(self, *args, stdin=None, env=None, new_session=False):
        run_env = dict(self.env)
        run_env.update(env or {})
        proc = subprocess.run([GANDER] + list(args), cwd=self.tmp, env=run_env,
                              input=stdin, text=True, capture_output=True, timeout=60,
                              start_new_session=new_session)
        return proc

    def lookup(self, *attributes, env=None):
        """secret-tool's view of the keyring (None when nothing matches)."""
        run_env = dict(self.env)
        run_env.update(env or {})
        proc = subprocess.run(['secret-tool', 'lookup'] + list(attributes),
                              env=run_env, text=True, capture_output=True, timeout=30)
        return proc.stdout if proc.returncode == 0 else None

    def assertNoSecret(self, proc):
        self.assertNotIn(SECRET, proc.stdout)
        self.assertNotIn(SECRET, proc.stderr)

    def test_set_and_clear(self):
        proc = self.run_gander('credentials', 'set', 'alerts', '--password-stdin',
                               stdin=SECRET + '\n')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('password of profile alerts stored in the keyring', proc.stderr)
        self.assertNotIn('note:', proc.stderr)
        self.assertNoSecret(proc)
        # the item: the DSN's attributes, trailing newline dropped (the
        # file backend keeps no xdg:schema; the gnome-keyring test checks it)
        self.assertEqual(self.lookup('profile', 'alerts', 'driver', 'postgres',
                                     'host', 'db.example', 'port', '5433',
                                     'dbname', 'alerts', 'user', 'alice'), SECRET)
        # the keyring file keeps it encrypted
        with open(self.path('keyring'), 'rb') as f:
            self.assertNotIn(SECRET.encode(), f.read())

        # `config` shows the source, never the secret
        proc = self.run_gander('--profile', 'alerts', 'config')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('keyring', proc.stdout)
        self.assertNoSecret(proc)

        proc = self.run_gander('credentials', 'clear', 'alerts')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('password of profile alerts removed from the keyring', proc.stderr)
        self.assertIsNone(self.lookup('profile', 'alerts'))
        proc = self.run_gander('credentials', 'clear', 'alerts')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('holds no password for profile alerts', proc.stderr)

    def test_note_when_the_profile_does_not_read_the_keyring(self):
        proc = self.run_gander('credentials', 'set', 'plain', '--password-stdin',
                               stdin=SECRET)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('password-source=none', proc.stderr)
        self.assertIn('password-source=keyring', proc.stderr)
        self.assertEqual(self.lookup('profile', 'plain', 'host', 'db2.example',
                                     'user', 'bob', 'dbname', 'plain'), SECRET)

    def test_secret_never_in_cmdline(self):
        run_env = dict(self.env)
        child = subprocess.Popen([GANDER, 'credentials', 'set', 'alerts', '--password-stdin'],
                                 cwd=self.tmp, env=run_env, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        try:
            # while it waits for the secret (once exec'd), and once it has it
            deadline = time.monotonic() + 10
            cmdline = b''
            while b'--password-stdin' not in cmdline and time.monotonic() < deadline:
                time.sleep(0.01)
                with open('/proc/%d/cmdline' % child.pid, 'rb') as f:
                    cmdline = f.read()
            self.assertIn(b'--password-stdin', cmdline)
            child.stdin.write(SECRET)
            child.stdin.flush()
            time.sleep(0.1)
            try:
                with open('/proc/%d/cmdline' % child.pid, 'rb') as f:
                    cmdline += f.read()
                with open('/proc/%d/environ' % child.pid, 'rb') as f:
                    self.assertNotIn(SECRET.encode(), f.read())
            except (FileNotFoundError, ProcessLookupError):
                pass
            self.assertNotIn(SECRET.encode(), cmdline)
            out, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.assertEqual(child.returncode, 0, err)
        self.assertNotIn(SECRET, out + err)

    def test_refusals(self):
        cases = [
            # (arguments, stdin, exit status, words of the message)
            (['credentials'], None, 2, 'usage: gander credentials set PROFILE'),
            (['credentials', 'frobnicate', 'alerts'], None, 2, 'usage'),
            (['credentials', 'set'], None, 2, 'needs the PROFILE'),
            # a password given as an argument is refused, never stored
            (['credentials', 'set', 'alerts', SECRET], None, 2, 'never an argument'),
            (['credentials', 'set', 'nosuch', '--password-stdin'], SECRET, 2, 'nosuch'),
            (['credentials', 'set', 'local', '--password-stdin'], SECRET, 2,
             'only PostgreSQL profiles'),
            (['credentials', 'set', 'alerts', '--password-stdin'], '', 1, 'empty'),
            (['credentials', 'set', 'alerts', '--password-stdin'], '\n', 1, 'empty'),
            (['credentials', 'set', 'alerts', '--password-stdin'], 'x' * 5000, 1,
             'longer than 4096'),
            (['credentials', 'clear', 'alerts', '--password-stdin'], None, 2,
             'reads no password'),
            (['--profile', 'plain', 'credentials', 'set', 'alerts'], None, 2,
             'names another profile'),
        ]
        for args, stdin, rc, words in cases:
            with self.subTest(args=args):
                proc = self.run_gander(*args, stdin=stdin if stdin is not None else '')
                self.assertEqual(proc.returncode, rc, proc.stderr)
                self.assertIn(words, proc.stderr)
                self.assertNoSecret(proc)
                self.assertNotIn('xxxxxxxx', proc.stderr)
        self.assertIsNone(self.lookup('profile', 'alerts'))

    def test_no_terminal(self):
        # a new session has no controlling terminal: nothing to prompt on
        proc = self.run_gander('credentials', 'set', 'alerts', new_session=True)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn('no terminal', proc.stderr)
        self.assertIn('--password-stdin', proc.stderr)

    def tty_session(self, prompts_and_answers):
        """Runs `credentials set alerts` on a pseudo-terminal, typing each
        answer once its prompt is shown; returns (exit status, everything
        the terminal showed)."""
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(self.tmp)
            os.execve(GANDER, [GANDER, 'credentials', 'set', 'alerts'], self.env)
        shown = b''

        def read_some(timeout):
            nonlocal shown
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return False
            try:
                chunk = os.read(fd, 4096)
            except OSError:   # EIO: the child is gone
                return False
            shown += chunk
            return bool(chunk)

        try:
            seen = 0
            for prompt, answer in prompts_and_answers:
                deadline = time.monotonic() + 30
                while prompt.encode() not in shown[seen:] and time.monotonic() < deadline:
                    read_some(0.5)
                self.assertIn(prompt.encode(), shown[seen:], shown)
                seen = len(shown)
                os.write(fd, answer.encode() + b'\n')
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and read_some(1):
                pass
        finally:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
            os.close(fd)
        return os.waitstatus_to_exitcode(status), shown.decode(errors='replace')

    def test_terminal_prompt(self):
        rc, shown = self.tty_session([('Password for profile alerts:', SECRET),
                                      ('Again, to check:', SECRET)])
        self.assertEqual(rc, 0, shown)
        self.assertIn('Password for profile alerts:', shown)
        self.assertIn('Again, to check:', shown)
        self.assertNotIn(SECRET, shown)   # echo was off
        self.assertEqual(self.lookup('profile', 'alerts'), SECRET)

        rc, shown = self.tty_session([('Password for profile alerts:', SECRET),
                                      ('Again, to check:', SECRET + 'x')])
        self.assertEqual(rc, 1, shown)
        self.assertIn('the two passwords differ: nothing stored', shown)
        self.assertNotIn(SECRET, shown)

    def test_help(self):
        proc = self.run_gander('help', 'credentials')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('credentials set PROFILE [--password-stdin]', proc.stdout)
        self.assertIn('credentials clear PROFILE', proc.stdout)
        proc = self.run_gander('--help')
        self.assertIn('credentials set PROFILE', proc.stdout)

    def test_gnome_keyring_headless(self):
        """The real Secret Service: gnome-keyring in a private session bus,
        unlocked without a prompt (ENVIRONMENT.md's recipe)."""
        needed = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool', 'gdbus']
        missing = [p for p in needed if shutil.which(p) is None]
        if missing:
            if os.environ.get('CI'):
                self.fail('CI must run this test; missing: %s' % ' '.join(missing))
            self.skipTest('not installed: %s (Debian: dbus, gnome-keyring, '
                          'libsecret-tools, libglib2.0-bin)' % ' '.join(missing))
        home = self.path('home')
        for d in ('', '.cache', '.local/share', '.config', 'run'):
            os.makedirs(os.path.join(home, d), exist_ok=True)
        os.chmod(os.path.join(home, 'run'), 0o700)
        env = {k: v for k, v in self.env.items()
               if not k.startswith('SECRET_') and k != 'DBUS_SESSION_BUS_ADDRESS'}
        env.update({
            'HOME': home,
            'XDG_DATA_HOME': os.path.join(home, '.local/share'),
            'XDG_CACHE_HOME': os.path.join(home, '.cache'),
            'XDG_RUNTIME_DIR': os.path.join(home, 'run'),
            'GANDER': GANDER,
            'TEST_SECRET': SECRET,
        })
        script = r'''
set -e
printf 'keyring-unlock' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
timeout 20 gdbus wait --session org.freedesktop.secrets
printf '%s\n' "$TEST_SECRET" | "$GANDER" credentials set alerts --password-stdin
echo "lookup=$(secret-tool lookup xdg:schema org.gander.Migrator1.Password profile alerts user alice)"
"$GANDER" credentials clear alerts
echo "after=$(secret-tool lookup profile alerts || true)"
'''
        proc = subprocess.run(['dbus-run-session', '--', 'sh', '-c', script],
                              cwd=self.tmp, env=env, text=True, capture_output=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn('lookup=%s\n' % SECRET, proc.stdout)
        self.assertIn('after=\n', proc.stdout)
        self.assertIn('stored in the keyring', proc.stderr)
        self.assertIn('removed from the keyring', proc.stderr)
        self.assertNotIn(SECRET, proc.stderr)


if __name__ == '__main__':
    main()
