# test-credentials-dbus.py: SetPassword / ClearPassword / HasCredential on
# the session bus, through libsecret
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# With libsecret's file backend (SECRET_BACKEND=file, no Secret Service):
# the secret read from a file descriptor lands in the keyring under the
# schema's attributes (encrypted in the file), HasCredential follows and
# survives a restart, ClearPassword removes it, a password stored by
# `gander credentials set` is the daemon's too. Once with a real
# gnome-keyring, unlocked headless on the private session bus.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import shutil
import subprocess

from dbustest import (BUS_NAME, DBusTestCase, Gio, GLib, PROFILE_IFACE, main, 
                      profile_path, require, stop_process)
from clitest import GANDER  # noqa: E402 (dbustest puts it on the path)

SECRET = 'k3yr1ng-Secret-pw'
ATTRIBUTES = ['profile', 'db', 'driver', 'postgres', 'dbname', 'app', 'user', 'app']


class CredentialsTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.sockdir = self.mkdir('no-server')
        self.write_config({'profile db': {
            'driver': 'postgres', 'dir': self.simple_set('migrations', 1),
            'dbstring': 'host=%s port=1 user=app dbname=app' % self.sockdir,
            'password-source': 'keyring'}})
        self.path_ = profile_path('db')

    def has_credential(self):
        return self.get_property(self.path_, PROFILE_IFACE, 'HasCredential')

    def set_password(self, secret):
        r, w = os.pipe()
        os.write(w, secret.encode('utf-8'))
        os.close(w)
        fds = Gio.UnixFDList.new()
        index = fds.append(r)
        os.close(r)
        self.profile_call('db', 'SetPassword', GLib.Variant('(h)', (index,)), fds=fds)

    def lookup(self, env, *extra):
        """secret-tool's view of the keyring (None when nothing matches)."""
        require(shutil.which('secret-tool') is not None,
                'secret-tool is not installed (Debian: libsecret-tools)')
        proc = subprocess.run(['secret-tool', 'lookup'] + list(extra) + ATTRIBUTES,
                              env=env, text=True, capture_output=True, timeout=30)
        return proc.stdout if proc.returncode == 0 else None

    def test_file_backend(self):
        keyring = self.path('keyring')
        secret_env = {'SECRET_BACKEND': 'file', 'SECRET_FILE_TEST_PATH': keyring,
                      'SECRET_FILE_TEST_PASSWORD': 'test-keyring'}
        env = self.daemon_env(self.session_bus)
        env.update(secret_env)
        daemon = self.start_daemon(env=secret_env)
        self.assertFalse(self.has_credential())

        self.set_password(SECRET + '\n')
        self.assertTrue(self.has_credential())
        self.assertEqual(self.lookup(env), SECRET)
        with open(keyring, 'rb') as f:
            self.assertNotIn(SECRET.encode(), f.read())
        self.assertNotIn(SECRET, repr(self.get_all(self.path_, PROFILE_IFACE)))

        # a restarted daemon finds it
        daemon.stop()
        self.session_bus.wait_name_gone(BUS_NAME)
        daemon = self.start_daemon(env=secret_env)
        # looked up in the background at start-up
        self.wait_property(self.path_, PROFILE_IFACE, 'HasCredential', bool)

        self.profile_call('db', 'ClearPassword')
        self.assertFalse(self.has_credential())
        self.assertIsNone(self.lookup(env))
        # clearing again is no error
        self.profile_call('db', 'ClearPassword')

        # the command line's keyring is the daemon's
        self.env.update(secret_env)
        proc = subprocess.run([GANDER, 'credentials', 'set', 'db', '--password-stdin'],
                              input=SECRET + '\n', text=True, capture_output=True,
                              env=dict(self.env), timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn(SECRET, proc.stdout + proc.stderr)
        daemon.stop()
        self.session_bus.wait_name_gone(BUS_NAME)
        daemon = self.start_daemon(env=secret_env)
        # looked up in the background at start-up
        self.wait_property(self.path_, PROFILE_IFACE, 'HasCredential', bool)
        daemon.stop()
        self.assertNotIn(SECRET, daemon.log())

    def test_gnome_keyring_headless(self):
        require(shutil.which('gnome-keyring-daemon') is not None,
                'gnome-keyring-daemon is not installed (Debian: gnome-keyring)')
        bus = self.session_bus
        env = self.daemon_env(bus)
        log = open(self.path('gnome-keyring.log'), 'wb')
        self.addCleanup(log.close)
        keyring = subprocess.Popen(
            ['gnome-keyring-daemon', '--foreground', '--unlock', '--components=secrets'],
            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        self.addCleanup(stop_process, keyring, 5, True)
        keyring.stdin.write(b'keyring-unlock')
        keyring.stdin.close()
        try:
            bus.wait_for_name('org.freedesktop.secrets', proc=keyring,
                              what='gnome-keyring-daemon')
        except AssertionError as e:
            with open(self.path('gnome-keyring.log'), encoding='utf-8', errors='replace') as f:
                raise AssertionError('%s\n%s' % (e, f.read()))

        daemon = self.start_daemon()
        self.assertFalse(self.has_credential())
        self.set_password(SECRET)
        self.assertTrue(self.has_credential())
        self.assertEqual(self.lookup(env, 'xdg:schema', 'org.gander.Migrator1.Password'), SECRET)
        self.profile_call('db', 'ClearPassword')
        self.assertFalse(self.has_credential())
        self.assertIsNone(self.lookup(env))
        daemon.stop()
        self.assertNotIn(SECRET, daemon.log())


if __name__ == '__main__':
    main()
