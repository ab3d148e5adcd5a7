# test-errors.py: Gander's errors cross the bus intact
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A PyGObject client that imported Gander (the uninstalled typelib) and
# called Gander.error_quark() gets the daemon's refusals as GLib.Error in
# Gander's own domain with the right code (the remote name still readable
# with Gio.DBusError.get_remote_error()): NotFound, InvalidArgument, Config, PolicyDenied, NotAuthorized
# (another uid on the session bus), Busy and ConfirmationRequired. A client
# that did not import Gander still sees the names
# org.gander.Migrator1.Error.<Code>.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import gi
gi.require_version('Gander', '1.0')
from gi.repository import Gander  # noqa: E402

from dbustest import (DBusTestCase, ERROR_PREFIX, Gio, GLib, JOB_IFACE, MANAGER_IFACE,  # noqa: E402
                      MANAGER_PATH, PROFILE_IFACE, main, profile_path, vardict)

# registers the domain's D-Bus names in this process, as a client must
QUARK = Gander.error_quark()
DOMAIN = GLib.quark_to_string(QUARK)

# a statement SQLite needs seconds for: a job that stays running until
# cancelled
SLOW_SQLITE = ('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c '
               'LIMIT 2000000000) SELECT count(*) FROM c;')


class ErrorsTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.write_config({
            'profile dev': self.sqlite_profile('dev'),
            'profile prod': self.sqlite_profile('prod', environment='production'),
        })

    def assertGanderError(self, code, fn, *args, **kw):
        with self.assertRaises(GLib.Error) as cm:
            fn(*args, **kw)
        e = cm.exception
        self.assertEqual(e.domain, DOMAIN, '%s (%d): %s' % (e.domain, e.code, e.message))
        self.assertEqual(e.code, int(code), e.message)
        self.assertTrue(e.matches(QUARK, code))
        # GDBus keeps the name in front of the message (for
        # g_dbus_error_strip_remote_error()), the registered one
        name = Gio.DBusError.get_remote_error(e)
        self.assertTrue(name and name.startswith(ERROR_PREFIX), e.message)
        self.assertEqual(Gio.DBusError.encode_gerror(e), name)
        return e

    def test_not_found(self):
        self.start_daemon()
        e = self.assertGanderError(Gander.Error.NOT_FOUND, self.manager_call, 'GetProfile',
                                   ('(s)', ('nope',)))
        self.assertIn('nope', e.message)

    def test_invalid_argument_and_config(self):
        self.start_daemon()
        good = {k: GLib.Variant('s', v) for k, v in self.sqlite_profile('x').items()}
        self.assertGanderError(Gander.Error.INVALID_ARGUMENT, self.manager_call, 'AddProfile',
                               GLib.Variant('(sa{sv})', ('bad name', good)))
        e = self.assertGanderError(Gander.Error.CONFIG, self.manager_call, 'AddProfile',
                                   GLib.Variant('(sa{sv})', (
                                       'x', dict(good, bogus=GLib.Variant('s', '1')))))
        self.assertIn('bogus', e.message)

    def test_policy_denied(self):
        self.start_daemon()
        self.assertGanderError(Gander.Error.POLICY_DENIED, self.manager_call, 'RemoveProfile',
                               ('(o)', (profile_path('dev'),)))

    def test_not_authorized_for_another_uid(self):
        self.start_daemon()
        client = self.other_client()
        args = GLib.Variant('(s)', ('dev',))
        r = client.call(self.session_bus, MANAGER_PATH, MANAGER_IFACE, 'GetProfile', args,
                        gander=True)
        self.assertFalse(r['ok'], r)
        self.assertEqual(r['domain'], DOMAIN, r)
        self.assertEqual(r['code'], int(Gander.Error.NOT_AUTHORIZED), r)
        # a client without the typelib: the name tells the same
        plain = self.call_as_other(self.session_bus, MANAGER_PATH, MANAGER_IFACE,
                                   'GetProfile', args)
        self.assertEqual(plain['error'], ERROR_PREFIX + 'NotAuthorized', plain)
        self.assertEqual(plain['domain'], 'g-io-error-quark', plain)

    def test_busy(self):
        self.migration('migrations-dev', '00004_slow.sql', SLOW_SQLITE, '')
        self.start_daemon()
        job = self.profile_call('dev', 'Up', GLib.Variant('(a{sv})', ({},)))
        try:
            self.wait_property(job, JOB_IFACE, 'State', lambda s: s == 'running')
            e = self.assertGanderError(Gander.Error.BUSY, self.profile_call, 'dev', 'Up',
                                       GLib.Variant('(a{sv})', ({},)))
            self.assertIn('dev', e.message)
            self.assertEqual(self.get_property(profile_path('dev'), PROFILE_IFACE,
                                               'ActiveJob'), job)
        finally:
            self.call(job, JOB_IFACE, 'Cancel')
        props = self.wait_job(job)
        self.assertEqual(props['Result'], 'cancelled')

    def test_cancelled_job_names_gander_cancelled(self):
        # GIO's cancellation has no D-Bus name: a job reports
        # org.gander.Migrator1.Error.Cancelled, which this client (Gander
        # registered) turns back into Gander.Error.CANCELLED
        self.migration('migrations-dev', '00004_slow.sql', SLOW_SQLITE, '')
        self.start_daemon()
        rec = self.record()
        job = self.profile_call('dev', 'Up', GLib.Variant('(a{sv})', ({},)))
        self.wait_for(lambda: [s for s in rec.of('MigrationStarted', job)
                               if s[3][1].endswith('_slow.sql')],
                      'the slow migration to start')
        self.call(job, JOB_IFACE, 'Cancel')
        self.wait_signal(rec, 'Completed', job)
        props = self.get_all(job, JOB_IFACE)
        self.assertEqual((props['Result'], props['ErrorName']),
                         ('cancelled', ERROR_PREFIX + 'Cancelled'))
        self.assertNotEqual(props['ErrorMessage'], '')
        self.assertEqual(rec.of('Completed', job)[0][3],
                         ('cancelled', ERROR_PREFIX + 'Cancelled', props['ErrorMessage']))
        e = Gio.DBusError.new_for_dbus_error(props['ErrorName'], props['ErrorMessage'])
        self.assertTrue(e.matches(QUARK, Gander.Error.CANCELLED), (e.domain, e.code))

    def test_confirmation_required(self):
        self.cli('prod', 'up', '--confirm', 'prod')
        self.start_daemon()
        jobs_before = self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Jobs')
        e = self.assertGanderError(Gander.Error.CONFIRMATION_REQUIRED, self.profile_call,
                                   'prod', 'Down', GLib.Variant('(a{sv})', ({},)))
        self.assertIn('prod', e.message)
        # refused before any job was made, the database untouched
        self.assertEqual(self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Jobs'), jobs_before)
        self.assertEqual(self.versions(self.path('prod.db')), [0, 1, 2, 3])
        # a wrong confirmation is no confirmation
        self.assertGanderError(Gander.Error.CONFIRMATION_REQUIRED, self.profile_call,
                               'prod', 'Down',
                               GLib.Variant('(a{sv})', (vardict(confirm='dev'),)))
        self.assertEqual(self.versions(self.path('prod.db')), [0, 1, 2, 3])

    def test_unknown_option_names_it(self):
        self.start_daemon()
        e = self.assertGanderError(Gander.Error.INVALID_ARGUMENT, self.profile_call, 'dev',
                                   'Up', GLib.Variant('(a{sv})', (vardict(hurry=True),)))
        self.assertIn('hurry', e.message)
        e = self.assertGanderError(Gander.Error.INVALID_ARGUMENT, self.profile_call, 'dev',
                                   'Up', GLib.Variant('(a{sv})', (
                                       {'dry-run': GLib.Variant('s', 'yes')},)))
        self.assertIn('dry-run', e.message)
        self.assertEqual(self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Jobs'), [])


if __name__ == '__main__':
    main()
