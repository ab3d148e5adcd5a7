# test-daemon-smoke.py: gander-daemon starts, serves and goes
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The daemon from the build tree on a private session bus owns
# org.gander.Migrator1, exports the Manager and one object per configured
# profile with its cached properties (without opening any database),
# answers GetProfile and Status, hands over to --replace and exits after
# its idle timeout. The interfaces in depth: test-manager-iface.py,
# test-profile.py and the others.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import subprocess
import time

from dbustest import (DBusTestCase, BUS_NAME, GANDER_DAEMON, MANAGER_IFACE, PROFILE_IFACE,
                      GLib, main, profile_path, require_daemon, tearDownModule)  # noqa: F401


class SmokeTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        require_daemon()
        self.settings = self.sqlite_profile('app-1', n=2, environment='staging')
        self.write_config({'profile app-1': self.settings})

    def test_command_line(self):
        out = subprocess.run([GANDER_DAEMON, '--version'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r'^gander-daemon \d+\.\d+')
        out = subprocess.run([GANDER_DAEMON, '--session', '--system'],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn('--system', out.stderr)
        out = subprocess.run([GANDER_DAEMON, '--idle-timeout=-1'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)

    def test_exports_cached_profiles(self):
        self.start_daemon()
        path = profile_path('app-1')
        self.assertTrue(path.endswith('/app_2d1'), path)

        objects = self.managed_objects()
        self.assertIn(path, objects)
        props = objects[path][PROFILE_IFACE]
        self.assertEqual(props['Name'], 'app-1')
        self.assertEqual(props['Driver'], 'sqlite3')
        self.assertEqual(props['Environment'], 'staging')
        self.assertEqual(props['Dir'], self.settings['dir'])
        self.assertEqual(props['Table'], 'goose_db_version')
        self.assertEqual(props['Dsn'], self.settings['dbstring'])
        self.assertEqual(props['Source'], 'config')
        # never read: the properties are a cache and nothing opened the file
        self.assertEqual(props['CurrentVersion'], -1)
        self.assertEqual(props['RefreshedAt'], 0)
        self.assertFalse(props['Busy'])
        self.assertEqual(props['ActiveJob'], '/')
        self.assertEqual(props['BreakerState'], 'closed')
        self.assertFalse(os.path.exists(self.settings['dbstring']))

        manager = self.get_all('/org/gander/Migrator1', MANAGER_IFACE)
        self.assertEqual(manager['BusType'], 'session')
        self.assertEqual(manager['Profiles'], [path])
        self.assertEqual(manager['Jobs'], [])
        self.assertNotEqual(manager['DaemonVersion'], '')

    def test_get_profile_and_status(self):
        self.start_daemon()
        path = profile_path('app-1')
        self.assertEqual(self.manager_call('GetProfile', ('(s)', ('app-1',)), reply='(o)'), path)
        e = self.assertDBusError('NotFound', self.manager_call, 'GetProfile', ('(s)', ('nope',)))
        self.assertIn('app-1', e.message)

        status = self.profile_call('app-1', 'Status', reply='(aa{sv})')
        self.assertEqual([m['version'] for m in status], [1, 2])
        self.assertEqual({m['state'] for m in status}, {'pending'})
        props = self.get_all(path, PROFILE_IFACE)
        self.assertEqual(props['CurrentVersion'], 0)
        self.assertEqual(props['PendingCount'], 2)
        self.assertGreater(props['RefreshedAt'], 0)
        self.assertEqual(props['LastError'], '')

    def test_replace_and_idle_exit(self):
        first = self.start_daemon()
        owner = self.session_bus.name_owner(BUS_NAME)
        second = self.start_daemon(args=['--replace'], idle_timeout=1, wait=False)
        self.assertEqual(first.wait_exit(), 0, first.log())
        self.wait_for(lambda: self.session_bus.name_owner(BUS_NAME) not in (None, owner),
                      'the replacing daemon to own the name')
        t0 = time.monotonic()
        self.assertEqual(second.wait_exit(), 0, second.log())
        self.assertLess(time.monotonic() - t0, 10)
        self.session_bus.wait_name_gone(BUS_NAME)

    def test_broken_configuration_keeps_the_daemon_up(self):
        with open(self.write_config({'profile app-1': self.settings}), 'a') as f:
            f.write('[profile bad]\nlock-timeout = soon\n')
        d = self.start_daemon()
        self.assertEqual(self.get_all('/org/gander/Migrator1', MANAGER_IFACE)['Profiles'], [])
        self.assertIn('lock-timeout', d.log())
        # fixed, Reload brings the profiles
        self.write_config({'profile app-1': self.settings})
        self.manager_call('Reload')
        self.assertEqual(self.get_all('/org/gander/Migrator1', MANAGER_IFACE)['Profiles'],
                         [profile_path('app-1')])

    def test_profile_store(self):
        self.start_daemon()
        settings = self.sqlite_profile('added', n=1)
        args = GLib.Variant('(sa{sv})', ('added', {k: GLib.Variant('s', v)
                                                   for k, v in settings.items()}))
        path = self.manager_call('AddProfile', args, reply='(o)')
        self.assertEqual(path, profile_path('added'))
        store = os.path.join(self.state_dir, 'profiles')
        conf = os.path.join(store, 'added.conf')
        self.assertEqual(os.stat(store).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(conf).st_mode & 0o777, 0o600)
        self.assertEqual(self.get_all(path, PROFILE_IFACE)['Source'], 'daemon')
        self.assertDBusError('InvalidArgument', self.manager_call, 'AddProfile', args)

        def add(name, **keys):
            return self.manager_call('AddProfile', GLib.Variant(
                '(sa{sv})', (name, {k.replace('_', '-'): GLib.Variant('s', v)
                                    for k, v in keys.items()})))
        e = self.assertDBusError('Config', add, 'typo', driver='sqlite3', dbstrin='x.db')
        self.assertIn('dbstrin', e.message)
        e = self.assertDBusError('Config', add, 'slow', driver='sqlite3', dbstring='x.db',
                                 lock_timeout='soon')
        self.assertIn('lock-timeout', e.message)
        e = self.assertDBusError('Config', add, 'pw', driver='postgres',
                                 dbstring='postgres://u:s3cret@localhost/db')
        self.assertNotIn('s3cret', e.message)
        self.assertDBusError('InvalidArgument', add, 'bad name', driver='sqlite3', dbstring='x')
        self.assertEqual(sorted(os.listdir(store)), ['added.conf'])

        # a new daemon finds it in the store
        self.start_daemon(args=['--replace'])
        self.assertIn(path, self.managed_objects())
        self.assertDBusError('PolicyDenied', self.manager_call, 'RemoveProfile',
                             ('(o)', (profile_path('app-1'),)))
        self.manager_call('RemoveProfile', ('(o)', (path,)))
        self.assertFalse(os.path.exists(conf))
        self.assertNotIn(path, self.managed_objects())
        self.assertDBusError('NotFound', self.manager_call, 'RemoveProfile', ('(o)', (path,)))


if __name__ == '__main__':
    main()
