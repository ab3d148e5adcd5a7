# test-fixtures.py: the fixtures of dbustest.py work (no daemon needed)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The private buses accept a client as uid 65534, the polkitd mock answers
# as configured and records what it was asked, the shared PostgreSQL server
# starts, and cleanup leaves no process behind. If one of these breaks,
# every other test of the suite would fail for the wrong reason.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import time

from dbustest import (DBusTestCase, Bus, GLib, POLKIT_NAME, POLKIT_PATH, OTHER_UID,
                      main, pg_server, require_dbusmock, tearDownModule)  # noqa: F401

AUTHORITY_IFACE = 'org.freedesktop.PolicyKit1.Authority'


def check_args(action):
    subject = ('unix-process', {'pid': GLib.Variant('u', os.getpid()),
                                'start-time': GLib.Variant('t', 0)})
    return GLib.Variant('((sa{sv})sa{ss}us)',
                        (subject, action, {'profile': 'dev'}, 0, ''))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purposes
    with open('/proc/%d/stat' % pid) as f:
        return f.read().split(')')[-1].split()[0] != 'Z'


class FixtureTest(DBusTestCase):
    def test_buses_are_private_and_distinct(self):
        s, y = self.session_bus, self.system_bus
        self.assertNotEqual(s.address, y.address)
        self.assertIn(self.tmp, s.address)
        names = y.call_bus('ListNames', reply='(as)')[0]
        self.assertIn('org.freedesktop.DBus', names)
        self.assertEqual(len([n for n in names if not n.startswith(':')]), 1, names)

    def test_other_uid_reaches_both_buses(self):
        c = self.other_client()
        for bus in (self.session_bus, self.system_bus):
            r = c.call(bus, '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'GetId',
                       dest='org.freedesktop.DBus')
            self.assertTrue(r['ok'], r)
            self.assertEqual(r['uid'], OTHER_UID)
            # the bus itself knows the client as uid 65534: every connection
            # of it but ours and the bus's
            names = bus.call_bus('ListNames', reply='(as)')[0]
            uids = {bus.call_bus('GetConnectionUnixUser', GLib.Variant('(s)', (n,)),
                                 '(u)')[0] for n in names if n.startswith(':')}
            self.assertIn(OTHER_UID, uids)

    def test_polkit_mock_answers_as_configured(self):
        require_dbusmock()
        pk = self.polkit
        c = self.other_client()

        def check(action):
            r = c.call(self.system_bus, POLKIT_PATH, AUTHORITY_IFACE, 'CheckAuthorization',
                       check_args(action), dest=POLKIT_NAME)
            self.assertTrue(r['ok'], r)
            return r['result'][0][0]

        self.assertFalse(check('org.gander.migrator1.migrate'))
        pk.set_allowed(['org.gander.migrator1.migrate'])
        self.assertTrue(check('org.gander.migrator1.migrate'))
        self.assertFalse(check('org.gander.migrator1.reset'))
        pk.allow_unknown(True)
        self.assertTrue(check('org.gander.migrator1.reset'))
        checks = pk.checks()
        self.assertEqual([a for a, _, _ in checks],
                         ['org.gander.migrator1.migrate'] * 2 +
                         ['org.gander.migrator1.reset'] * 2)
        self.assertEqual(checks[0][1], {'profile': 'dev'})
        pk.clear_checks()
        self.assertEqual(pk.checks(), [])

    def test_cleanup_leaves_no_process(self):
        require_dbusmock()
        bus = Bus(self.mkdir('extra'), 'system')
        from dbustest import Polkit
        pk = Polkit(bus, self.mkdir('extra-pk'))
        pids = [bus.proc.pid, pk.proc.pid]
        pk.stop()
        bus.stop()
        deadline = time.monotonic() + 5
        while any(alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse([p for p in pids if alive(p)])

    def test_waits_fail_with_a_message(self):
        with self.assertRaises(AssertionError) as cm:
            self.wait_for(lambda: False, 'something that never happens', timeout=0.2)
        self.assertIn('something that never happens', str(cm.exception))
        with self.assertRaises(AssertionError) as cm:
            self.session_bus.wait_for_name('org.gander.Nobody', timeout=0.2)
        self.assertIn('org.gander.Nobody', str(cm.exception))

    def test_postgres_server(self):
        settings = self.pg_profile('pg')
        self.assertEqual(self.pg_sql('pg', 'SELECT 40 + 2'), '42')
        self.assertIn('dbname=' + self.pg_dbname['pg'], settings['dbstring'])
        self.assertNotIn('password', settings['dbstring'])
        self.assertIs(pg_server(), pg_server())


if __name__ == '__main__':
    main()
