# test-polkit.py: who may call what
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# System bus (python-dbusmock's polkitd, clients as uid 65534 since root
# bypasses polkit): every mutating method is refused without its action
# (NotAuthorized naming the action, no job made) and allowed with it; the
# polkit check carries the profile and environment as details; production
# profiles need the -production actions, distinct from the ordinary ones;
# the Manager's methods and the read-only ones need manage-profiles /
# inspect; Cancel needs cancel-job for one's own job and
# cancel-job-other-user for another's; without polkitd every call of
# another uid is refused (fail closed) while root is still served.
# Session bus: a caller of another uid is refused, polkit or not.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import time

from dbustest import (DBusTestCase, ERROR_PREFIX, GLib, JOB_IFACE, MANAGER_IFACE,  # noqa: F401
                      MANAGER_PATH, PROFILE_IFACE, A_BACKUP, A_CANCEL_JOB, A_CANCEL_JOB_OTHER,
                      A_INSPECT, A_MANAGE_PROFILES, A_MIGRATE, A_MIGRATE_PRODUCTION, A_REPAIR,
                      A_RESET, A_RESTORE, A_ROLLBACK, A_ROLLBACK_PRODUCTION, main, 
                      profile_path, vardict)

NOT_AUTHORIZED = ERROR_PREFIX + 'NotAuthorized'

SLOW_SQLITE = ('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c '
               'LIMIT 2000000000) SELECT count(*) FROM c;')

# method, its arguments before the options, the action on a development
# profile, the action on a production one
MUTATING = [
    ('Up', (), A_MIGRATE, A_MIGRATE_PRODUCTION),
    ('UpByOne', (), A_MIGRATE, A_MIGRATE_PRODUCTION),
    ('UpTo', (3,), A_MIGRATE, A_MIGRATE_PRODUCTION),
    ('Down', (), A_ROLLBACK, A_ROLLBACK_PRODUCTION),
    ('DownTo', (0,), A_ROLLBACK, A_ROLLBACK_PRODUCTION),
    ('Redo', (), A_ROLLBACK, A_ROLLBACK_PRODUCTION),
    ('Reset', (), A_RESET, A_RESET),
    ('Backup', (), A_BACKUP, A_BACKUP),
    ('PruneBackups', (), A_BACKUP, A_BACKUP),
    ('Restore', ('latest',), A_RESTORE, A_RESTORE),
    ('Baseline', (1,), A_REPAIR, A_REPAIR),
    ('ClearDirty', (1,), A_REPAIR, A_REPAIR),
    ('AcceptChecksum', (1,), A_REPAIR, A_REPAIR),
    ('ResetBreaker', (), A_REPAIR, A_REPAIR),
]


def margs(args, options):
    sig = '(' + ''.join('x' if isinstance(a, int) else 's' for a in args) + 'a{sv})'
    return GLib.Variant(sig, tuple(args) + (options,))


class SystemBusTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.write_config({
            'profile dev': self.sqlite_profile('dev'),
            'profile prod': self.sqlite_profile('prod', environment='production'),
        })

    def start(self, polkit=True):
        if polkit:
            self.pk = self.polkit
        self.daemon = self.start_daemon('system')
        self.client = self.other_client()

    def ocall(self, path, iface, method, args=None, client=None):
        return (client or self.client).call(self.system_bus, path, iface, method, args)

    def pcall(self, profile, method, args, options, client=None):
        return self.ocall(profile_path(profile), PROFILE_IFACE, method, margs(args, options),
                          client)

    def jobs(self):
        return self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Jobs', bus='system')

    def assertRefused(self, r, action):
        self.assertFalse(r['ok'], r)
        self.assertEqual(r['error'], NOT_AUTHORIZED, r)
        self.assertIn(action, r['message'])

    def assertAllowed(self, r, what):
        # allowed: a job, or a refusal that is not about authorisation
        self.assertTrue(r['ok'] or r['error'] != NOT_AUTHORIZED, '%s: %r' % (what, r))

    def assertAsked(self, actions, profile=None, environment=None):
        checks = self.pk.checks()
        self.assertEqual([c[0] for c in checks], actions, checks)
        for _action, details, _flags in checks:
            if profile is not None:
                self.assertEqual(details.get('profile'), profile, details)
            if environment is not None:
                self.assertEqual(details.get('environment'), environment, details)

    def finish(self, r):
        if r['ok']:
            job = r['result'][0]
            self.assertTrue(job.startswith('/org/gander/Migrator1/jobs/'), r)
            props = self.wait_job(job, bus='system')
            self.assertEqual(props['StartedByUid'], self.client.uid)
            return props
        return None

    def test_each_mutating_method_needs_its_action(self):
        self.start()
        # dry runs where the library has them (the repairs have none: they
        # really run, harmlessly, on this database)
        for method, args, action, _prod in MUTATING:
            options = vardict(confirm='dev')
            if action not in (A_REPAIR,):
                options['dry-run'] = GLib.Variant('b', True)
            with self.subTest(method=method):
                # everything but this action
                self.pk.set_allowed([a for _, _, a, _ in MUTATING if a != action] + [A_INSPECT])
                self.pk.clear_checks()
                # by path: a finished job may go (--job-keep) meanwhile
                jobs = set(self.jobs())
                r = self.pcall('dev', method, args, options)
                self.assertRefused(r, action)
                self.assertAsked([action], 'dev', 'development')
                self.assertEqual(set(self.jobs()) - jobs, set(), 'a refused call made a job')

                self.pk.set_allowed([action])
                self.pk.clear_checks()
                r = self.pcall('dev', method, args, options)
                self.assertAllowed(r, method)
                self.assertAsked([action], 'dev', 'development')
                self.finish(r)

    def test_production_actions_are_distinct(self):
        self.start()
        options = vardict(dry_run=True, confirm='prod')
        for method, args, action, prod_action in MUTATING:
            if action == prod_action:
                continue
            with self.subTest(method=method):
                # the ordinary action does not open production
                self.pk.set_allowed([action])
                self.pk.clear_checks()
                r = self.pcall('prod', method, args, options)
                self.assertRefused(r, prod_action)
                self.assertAsked([prod_action], 'prod', 'production')
                # nor the production action a development profile
                self.pk.set_allowed([prod_action])
                self.pk.clear_checks()
                r = self.pcall('dev', method, args, vardict(dry_run=True))
                self.assertRefused(r, action)
                # the production action opens production
                self.pk.clear_checks()
                r = self.pcall('prod', method, args, options)
                self.assertAllowed(r, method)
                self.assertAsked([prod_action], 'prod', 'production')
                self.finish(r)

    def test_a_real_run_as_another_uid(self):
        self.start()
        self.pk.set_allowed([A_MIGRATE])
        r = self.pcall('dev', 'Up', (), vardict(reason='test'))
        self.assertTrue(r['ok'], r)
        props = self.finish(r)
        self.assertEqual(props['Result'], 'success', props)
        self.assertEqual(self.versions(self.path('dev.db')), [0, 1, 2, 3])

    def test_manager_and_read_only_methods(self):
        self.start()
        settings = {k: GLib.Variant('s', v) for k, v in self.sqlite_profile('new').items()}
        manager_calls = [
            ('AddProfile', GLib.Variant('(sa{sv})', ('new', settings)), A_MANAGE_PROFILES),
            ('Reload', None, A_MANAGE_PROFILES),
            ('GetProfile', GLib.Variant('(s)', ('dev',)), A_INSPECT),
            ('GetMetrics', None, A_INSPECT),
        ]
        profile_calls = [
            ('Refresh', None),
            ('Status', None),
            ('Plan', GLib.Variant('(sxa{sv})', ('up', 0, {}))),
            ('Validate', GLib.Variant('(a{sv})', ({},))),
            ('Health', GLib.Variant('(a{sv})', ({},))),
            ('ListBackups', None),
        ]
        # nothing allowed: all refused, nothing stored
        self.pk.set_allowed([])
        for method, args, action in manager_calls:
            with self.subTest(method=method, allowed=False):
                r = self.ocall(MANAGER_PATH, MANAGER_IFACE, method, args)
                self.assertRefused(r, action)
        for method, args in profile_calls:
            with self.subTest(method=method, allowed=False):
                r = self.ocall(profile_path('dev'), PROFILE_IFACE, method, args)
                self.assertRefused(r, A_INSPECT)
        self.assertFalse(os.path.exists(os.path.join(self.state_dir, 'profiles', 'new.conf')))
        # details of a profile's check
        self.pk.clear_checks()
        self.ocall(profile_path('prod'), PROFILE_IFACE, 'Status')
        self.assertAsked([A_INSPECT], 'prod', 'production')

        # inspect does not manage profiles
        self.pk.set_allowed([A_INSPECT])
        r = self.ocall(MANAGER_PATH, MANAGER_IFACE, 'AddProfile', manager_calls[0][1])
        self.assertRefused(r, A_MANAGE_PROFILES)

        self.pk.set_allowed([A_INSPECT, A_MANAGE_PROFILES])
        for method, args, action in manager_calls:
            with self.subTest(method=method, allowed=True):
                r = self.ocall(MANAGER_PATH, MANAGER_IFACE, method, args)
                self.assertTrue(r['ok'], r)
        for method, args in profile_calls:
            with self.subTest(method=method, allowed=True):
                r = self.ocall(profile_path('dev'), PROFILE_IFACE, method, args)
                self.assertTrue(r['ok'], r)
        self.assertTrue(os.path.exists(os.path.join(self.state_dir, 'profiles', 'new.conf')))
        r = self.ocall(MANAGER_PATH, MANAGER_IFACE, 'RemoveProfile',
                       GLib.Variant('(o)', (profile_path('new'),)))
        self.assertTrue(r['ok'], r)

    def test_cancel_own_and_other_users_jobs(self):
        self.migration('migrations-dev', '00004_slow.sql', SLOW_SQLITE, '')
        self.start()
        # root's job: another user's job for the client
        job = self.profile_call('dev', 'Up', GLib.Variant('(a{sv})', ({},)), bus='system')
        self.wait_property(job, JOB_IFACE, 'State', lambda s: s == 'running', bus='system')
        self.pk.set_allowed([A_CANCEL_JOB])
        self.pk.clear_checks()
        r = self.ocall(job, JOB_IFACE, 'Cancel')
        self.assertRefused(r, A_CANCEL_JOB_OTHER)
        self.assertIn(A_CANCEL_JOB_OTHER, [c[0] for c in self.pk.checks()])
        self.assertEqual(self.get_property(job, JOB_IFACE, 'State', bus='system'), 'running')
        # (the daemon asks for cancel-job too: both granted)
        self.pk.set_allowed([A_CANCEL_JOB, A_CANCEL_JOB_OTHER])
        r = self.ocall(job, JOB_IFACE, 'Cancel')
        self.assertTrue(r['ok'], r)
        props = self.wait_job(job, bus='system')
        self.assertEqual(props['Result'], 'cancelled')

        # the client's own job
        self.pk.set_allowed([A_MIGRATE])
        r = self.pcall('dev', 'Up', (), {})
        self.assertTrue(r['ok'], r)
        job = r['result'][0]
        self.wait_property(job, JOB_IFACE, 'State', lambda s: s == 'running', bus='system')
        self.pk.set_allowed([])
        r = self.ocall(job, JOB_IFACE, 'Cancel')
        self.assertRefused(r, A_CANCEL_JOB)
        self.pk.set_allowed([A_CANCEL_JOB])
        self.pk.clear_checks()
        r = self.ocall(job, JOB_IFACE, 'Cancel')
        self.assertTrue(r['ok'], r)
        self.assertAsked([A_CANCEL_JOB])
        props = self.wait_job(job, bus='system')
        self.assertEqual(props['Result'], 'cancelled')
        self.assertEqual(props['StartedByUid'], self.client.uid)

    def test_fail_closed_without_polkitd(self):
        self.start(polkit=False)
        t0 = time.monotonic()
        r = self.ocall(MANAGER_PATH, MANAGER_IFACE, 'GetProfile', GLib.Variant('(s)', ('dev',)))
        self.assertRefused(r, A_INSPECT)
        self.assertIn('polkit', r['message'])
        r = self.ocall(profile_path('dev'), PROFILE_IFACE, 'Status')
        self.assertRefused(r, A_INSPECT)
        self.assertLess(time.monotonic() - t0, 10, 'refusals should not wait for a timeout')
        # root is still served
        self.assertEqual(self.manager_call('GetProfile', ('(s)', ('dev',)), bus='system'),
                         profile_path('dev'))
        self.assertIsInstance(self.profile_call('dev', 'Status', bus='system'), list)

    def test_fail_closed_when_polkitd_goes_away(self):
        self.start()
        self.pk.set_allowed([A_MIGRATE, A_INSPECT])
        r = self.pcall('dev', 'Up', (), vardict(dry_run=True))
        self.assertTrue(r['ok'], r)
        self.finish(r)
        self.pk.stop()
        self.system_bus.wait_name_gone('org.freedesktop.PolicyKit1')
        r = self.pcall('dev', 'Up', (), vardict(dry_run=True))
        self.assertRefused(r, A_MIGRATE)
        self.assertIn('polkit', r['message'])


class SessionBusTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.write_config({'profile dev': self.sqlite_profile('dev')})

    def test_another_uid_is_refused(self):
        self.start_daemon('session')
        client = self.other_client()
        bus = self.session_bus
        calls = [
            (MANAGER_PATH, MANAGER_IFACE, 'GetProfile', GLib.Variant('(s)', ('dev',))),
            (MANAGER_PATH, MANAGER_IFACE, 'Reload', None),
            (profile_path('dev'), PROFILE_IFACE, 'Status', None),
            (profile_path('dev'), PROFILE_IFACE, 'Refresh', None),
        ]
        for path, iface, method, args in calls:
            with self.subTest(method=method):
                r = client.call(bus, path, iface, method, args)
                self.assertEqual(r.get('error'), NOT_AUTHORIZED, r)
        # the daemon's own uid is served
        self.assertEqual(self.manager_call('GetProfile', ('(s)', ('dev',))), profile_path('dev'))

    def test_another_uid_cannot_run_anything(self):
        self.start_daemon('session')
        client = self.other_client()
        for method, args, action, _prod in MUTATING:
            with self.subTest(method=method):
                r = client.call(self.session_bus, profile_path('dev'), PROFILE_IFACE, method,
                                margs(args, vardict(confirm='dev')))
                self.assertEqual(r.get('error'), NOT_AUTHORIZED, r)
        self.assertEqual(self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Jobs'), [])
        self.assertFalse(os.path.exists(self.path('dev.db')) and
                         self.versions(self.path('dev.db')) != [0])


if __name__ == '__main__':
    main()
