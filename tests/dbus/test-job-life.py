# test-job-life.py: the life of a job object of gander-daemon
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One job from its creation to its removal: the progress properties and
# the signals in the order a client sees them, Completed with the
# properties already set, removal after the keep time, ids never reused;
# Busy and the queue; Cancel of a running and of a queued job; the deadline
# option; a caller that disconnects; options checked before anything runs.
# On the session bus (the caller is the daemon's uid), SQLite files.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import sqlite3
import time

from dbustest import (A_CANCEL_JOB, A_CANCEL_JOB_OTHER, DBusTestCase, GLib, JOB_IFACE,
                      JOBS_PATH, MANAGER_IFACE, MANAGER_PATH, OM_IFACE, PROFILE_IFACE,
                      PROPS_IFACE, SANITIZED, error_message, main, profile_path, variant)

# A statement SQLite needs minutes for: only a cancellation ends it.
ENDLESS = ('CREATE TABLE slow AS WITH RECURSIVE c(x) AS '
           '(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000) '
           'SELECT count(*) AS n FROM c;')
CANCELLED = 'org.gander.Migrator1.Error.Cancelled'


class JobLifeTest(DBusTestCase):

    def setup_profiles(self, n=5, slow=False, where='xdg', **keys):
        """Profile "life" on a SQLite file with @n migrations; with @slow a
        last migration that only a cancellation ends."""
        settings = self.sqlite_profile('life', n, **keys)
        if slow:
            self.migration('migrations-life', '%05d_slow.sql' % (n + 1), ENDLESS,
                           'DROP TABLE slow;')
        self.write_config({'profile life': settings}, where=where)
        self.db = settings['dbstring']
        return settings

    def applied(self):
        if not os.path.exists(self.db):
            return []
        with sqlite3.connect(self.db) as db:
            try:
                rows = db.execute('SELECT version_id FROM goose_db_version '
                                  'WHERE is_applied ORDER BY id').fetchall()
            except sqlite3.OperationalError:
                return []
        return [r[0] for r in rows if r[0] != 0]

    def tables(self):
        with sqlite3.connect(self.db) as db:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def start(self, method='Up', options=None, args=(), bus=None):
        sig = '(' + 'x' * len(args) + 'a{sv})' if method != 'Restore' else '(sa{sv})'
        opts = {k: variant(v) for k, v in (options or {}).items()}
        return self.profile_call('life', method, GLib.Variant(sig, tuple(args) + (opts,)),
                                 bus=bus)

    def job_prop(self, job, name, bus=None):
        return self.get_property(job, JOB_IFACE, name, bus=bus)

    def jobs(self):
        return self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Jobs')

    def wait_running_slow(self, rec, job):
        """Waits until @job runs its endless migration."""
        def started():
            return [s for s in rec.of('MigrationStarted', job) if s[3][1].endswith('_slow.sql')]
        self.wait_for(started, 'the slow migration to start in ' + job)

    # -- the whole life ---------------------------------------------------------

    def test_life_in_order(self):
        self.setup_profiles(5)
        self.start_daemon(job_keep=2)
        rec = self.record()
        before = self.jobs()

        job = self.start('Up')
        self.assertTrue(job.startswith(JOBS_PATH + '/'), job)
        self.assertIn(job, self.jobs())
        self.assertNotIn(job, before)
        self.wait_signal(rec, 'Completed', job)

        mine = [s for s in rec.signals if s[0] == job]
        members = [s[2] for s in mine if s[1] == JOB_IFACE]
        # one Started/Finished pair per migration, in version order, then
        # Completed last
        self.assertEqual(members, ['MigrationStarted', 'MigrationFinished'] * 5 + ['Completed'],
                         members)
        started = [s[3] for s in mine if s[2] == 'MigrationStarted']
        finished = [s[3] for s in mine if s[2] == 'MigrationFinished']
        self.assertEqual([s[0] for s in started], [1, 2, 3, 4, 5])
        self.assertTrue(all(s[2] == 'up' and s[1].endswith('_t%d.sql' % s[0]) for s in started),
                        started)
        self.assertEqual([(f[0], f[2], f[3]) for f in finished],
                         [(v, 'up', True) for v in range(1, 6)])
        self.assertTrue(all(f[4] > 0 for f in finished), finished)

        # PropertiesChanged, replayed: the state a proxy sees at each signal
        state = {}
        seen_at_completed = None
        percentages = []
        states = []
        for path, iface, member, args in mine:
            if iface == PROPS_IFACE and member == 'PropertiesChanged':
                state.update(args[1])
                if 'Percentage' in args[1]:
                    percentages.append(args[1]['Percentage'])
                if 'State' in args[1]:
                    states.append(args[1]['State'])
            elif member == 'MigrationStarted':
                # the migration's version and file are set before its signal
                self.assertEqual(state.get('CurrentVersion'), args[0])
                self.assertEqual(state.get('CurrentFile'), args[1])
            elif member == 'Completed':
                seen_at_completed = dict(state)
        self.assertEqual(states[-1], 'finished')
        self.assertIn('running', states)
        self.assertEqual(seen_at_completed['State'], 'finished')
        self.assertEqual(seen_at_completed['Result'], 'success')
        self.assertEqual(seen_at_completed['Percentage'], 100)
        self.assertEqual(percentages, sorted(percentages), percentages)
        self.assertTrue(all(0 <= p <= 100 for p in percentages), percentages)
        self.assertEqual(rec.of('Completed', job)[0][3], ('success', '', ''))

        props = self.get_all(job, JOB_IFACE)
        self.assertEqual(props['Operation'], 'up')
        self.assertEqual(props['Profile'], profile_path('life'))
        self.assertEqual(props['ProfileName'], 'life')
        self.assertEqual(props['Target'], 0)
        self.assertEqual(props['State'], 'finished')
        self.assertEqual(props['Result'], 'success')
        self.assertEqual((props['ErrorName'], props['ErrorMessage']), ('', ''))
        self.assertEqual((props['FromVersion'], props['ToVersion']), (0, 5))
        self.assertEqual(props['CurrentVersion'], 5)
        self.assertEqual(props['CurrentFile'], '')
        self.assertEqual(props['Phase'], 'finish')
        self.assertEqual(props['StartedByUid'], os.getuid())
        now = GLib.get_real_time()
        self.assertTrue(0 < props['CreatedAt'] <= props['FinishedAt'] <= now, props)
        self.assertEqual(self.applied(), [1, 2, 3, 4, 5])
        # the profile is free again and says so
        self.wait_property(profile_path('life'), PROFILE_IFACE, 'Busy', lambda b: not b)
        self.assertEqual(self.get_property(profile_path('life'), PROFILE_IFACE, 'ActiveJob'), '/')

        # removed after the keep time (2 s), not before
        finished_at = time.monotonic()
        self.wait_for(lambda: any(s[2] == 'InterfacesRemoved' and s[3][0] == job
                                  for s in rec.signals), 'InterfacesRemoved of ' + job, 10)
        self.assertGreater(time.monotonic() - finished_at, 1.0)
        self.assertNotIn(job, self.jobs())
        self.assertNotIn(job, self.call(MANAGER_PATH, OM_IFACE, 'GetManagedObjects', None,
                                        '(a{oa{sa{sv}}})'))

        # ids are never reused
        second = self.start('Down')
        self.assertGreater(int(second.rsplit('/', 1)[1]), int(job.rsplit('/', 1)[1]))
        props = self.wait_job(second)
        self.assertEqual((props['Result'], props['FromVersion'], props['ToVersion']),
                         ('success', 5, 4))

    def test_backup_progress_rate_limited(self):
        # a SQLite backup reports its progress after every chunk of pages:
        # ~50 changes a second on a 40 MB file, which the job passes on at
        # ~20 a second at most
        self.setup_profiles(1, backup_dir=self.path('backups'))
        self.start_daemon()
        self.wait_job(self.start('Up'))
        with sqlite3.connect(self.db) as db:
            db.execute('CREATE TABLE big (x TEXT)')
            db.execute("INSERT INTO big WITH RECURSIVE c(i) AS "
                       "(SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000) "
                       "SELECT printf('%.400c', 'x') FROM c")
        rec = self.record()
        t0 = time.monotonic()
        job = self.start('Backup')
        self.wait_signal(rec, 'Completed', job, timeout=60)
        took = time.monotonic() - t0
        self.assertEqual(rec.of('Completed', job)[0][3], ('success', '', ''))
        changes = [s[3][1] for s in rec.of('PropertiesChanged', job)]
        percentage_only = [c for c in changes
                           if 'Percentage' in c and set(c) <= {'Percentage', 'Phase'}]
        self.assertLessEqual(len(percentage_only), 20 * took + 3,
                             '%d Percentage updates in %.2f s' % (len(percentage_only), took))
        percentages = [c['Percentage'] for c in changes if 'Percentage' in c]
        self.assertEqual(percentages, sorted(percentages))
        self.assertEqual(percentages[-1], 100)
        props = self.get_all(job, JOB_IFACE)
        self.assertEqual(props['Operation'], 'backup')
        self.assertNotEqual(props['BackupId'], '')
        files = []
        for _root, _dirs, names in os.walk(self.path('backups')):
            files += names
        self.assertTrue(any(props['BackupId'] in f for f in files), (props['BackupId'], files))

    # -- failures ---------------------------------------------------------------

    def test_failed_migration(self):
        self.setup_profiles(2)
        self.migration('migrations-life', '00003_bad.sql', 'CREATE TABLEX oops;', 'SELECT 1;')
        self.start_daemon()
        rec = self.record()
        job = self.start('Up')
        self.wait_signal(rec, 'Completed', job)
        result, name, message = rec.of('Completed', job)[0][3]
        self.assertEqual((result, name), ('failed', 'org.gander.Migrator1.Error.Sql'))
        self.assertIn('00003_bad.sql', message)
        props = self.get_all(job, JOB_IFACE)
        self.assertEqual((props['Result'], props['ErrorName'], props['ErrorMessage']),
                         (result, name, message))
        self.assertEqual((props['FromVersion'], props['ToVersion'], props['CurrentVersion']),
                         (0, 2, 2))
        finished = rec.of('MigrationFinished', job)
        self.assertEqual([(f[3][0], f[3][3]) for f in finished], [(1, True), (2, True), (3, False)])
        self.assertEqual(self.applied(), [1, 2])

    def test_options_checked_before_any_job(self):
        self.setup_profiles(1)
        self.start_daemon()
        rec = self.record()
        e = self.assertDBusError('InvalidArgument', self.start, 'Up', {'dryrun': True})
        self.assertIn('dryrun', error_message(e))
        e = self.assertDBusError('InvalidArgument', self.start, 'Up',
                                 {'timeout': GLib.Variant('i', 5)})
        self.assertIn('timeout', error_message(e))
        e = self.assertDBusError('InvalidArgument', self.start, 'Up', {'timeout': -1})
        self.assertIn('timeout', error_message(e))
        self.assertDBusError('InvalidArgument', self.start, 'UpTo', None, (-2,))
        self.assertDBusError('InvalidArgument', self.start, 'Restore', None, ('',))
        self.spin(0.2)
        self.assertEqual(self.jobs(), [])
        self.assertEqual(rec.of('InterfacesAdded'), [])
        self.assertEqual(self.applied(), [])

    def test_policy_refusal_makes_no_job(self):
        self.setup_profiles(2, environment='production')
        self.start_daemon()
        self.assertEqual(self.wait_job(self.start('Up'))['Result'], 'success')
        e = self.assertDBusError('ConfirmationRequired', self.start, 'Reset')
        self.assertIn('confirm', error_message(e))
        self.assertEqual(len(self.jobs()), 1)
        self.assertEqual(self.applied(), [1, 2])
        job = self.start('Reset', {'confirm': 'life', 'reason': 'test reset'})
        self.assertEqual(self.wait_job(job)['Result'], 'success')
        self.assertEqual(self.applied(), [])

    def test_dry_run_changes_nothing(self):
        self.setup_profiles(3)
        self.start_daemon()
        props = self.wait_job(self.start('Up', {'dry-run': True}))
        self.assertEqual(props['Result'], 'success')
        self.assertEqual(self.applied(), [])

    # -- busy, queue, cancel ------------------------------------------------------

    def test_busy_queue_and_cancel(self):
        self.setup_profiles(1, slow=True)
        self.start_daemon()
        rec = self.record()
        first = self.start('Up')
        self.wait_running_slow(rec, first)
        self.assertEqual(self.job_prop(first, 'State'), 'running')
        self.assertEqual(self.get_property(profile_path('life'), PROFILE_IFACE, 'ActiveJob'), first)

        e = self.assertDBusError('Busy', self.start, 'Down')
        self.assertIn(first, error_message(e))

        queued = self.start('Down', {'queue': True})
        dropped = self.start('Redo', {'queue': True})
        self.assertEqual(self.job_prop(queued, 'State'), 'queued')
        self.assertEqual(self.job_prop(dropped, 'State'), 'queued')
        self.assertEqual(self.job_prop(queued, 'Percentage'), 101)

        # a queued job is dropped at once, without running
        self.call(dropped, JOB_IFACE, 'Cancel')
        self.wait_signal(rec, 'Completed', dropped)
        self.assertEqual(rec.of('Completed', dropped)[0][3][0], 'cancelled')
        self.assertEqual(self.job_prop(first, 'State'), 'running')

        # the running one: its statement is interrupted, its migration
        # rolled back; the queue moves on
        self.call(first, JOB_IFACE, 'Cancel')
        self.wait_signal(rec, 'Completed', first)
        result, name, _ = rec.of('Completed', first)[0][3]
        self.assertEqual((result, name), ('cancelled', CANCELLED))
        props = self.wait_job(queued)
        self.assertEqual((props['Result'], props['FromVersion'], props['ToVersion']),
                         ('success', 1, 0))
        self.assertEqual(rec.of('MigrationStarted', dropped), [])
        self.assertNotIn('slow', self.tables())
        self.assertEqual(self.applied(), [])
        # a finished job cannot be cancelled
        e = self.assertDBusError('InvalidArgument', self.call, first, JOB_IFACE, 'Cancel')
        self.assertIn('finished', error_message(e))

    def percentages(self, rec, job):
        """Every Percentage the job's PropertiesChanged carried, in order."""
        return [s[3][1]['Percentage'] for s in rec.of('PropertiesChanged', job)
                if s[1] == PROPS_IFACE and 'Percentage' in s[3][1]]

    def test_percentage_stays_below_100_when_a_run_fails(self):
        # migration 3 of 3 fails: the run stops in apply, and Percentage
        # keeps what it had reached (100 is for a successful run only)
        self.setup_profiles(2)
        self.migration('migrations-life', '00003_bad.sql', 'CREATE TABLE t1 (id INTEGER);', '')
        self.start_daemon()
        rec = self.record()
        job = self.start('Up')
        self.wait_signal(rec, 'Completed', job)
        props = self.get_all(job, JOB_IFACE)
        self.assertEqual(props['Result'], 'failed')
        seen = self.percentages(rec, job)
        self.assertNotIn(100, seen, seen)
        self.assertLess(props['Percentage'], 100)
        self.assertGreater(props['Percentage'], 0)
        self.assertEqual(props['Percentage'], seen[-1], seen)
        self.assertEqual(self.applied(), [1, 2])

    def test_percentage_and_error_of_a_cancelled_run(self):
        self.setup_profiles(1, slow=True)
        self.start_daemon()
        rec = self.record()
        job = self.start('Up')
        self.wait_running_slow(rec, job)
        reached = self.job_prop(job, 'Percentage')
        self.call(job, JOB_IFACE, 'Cancel')
        self.wait_signal(rec, 'Completed', job)
        props = self.get_all(job, JOB_IFACE)
        self.assertEqual((props['Result'], props['ErrorName']), ('cancelled', CANCELLED))
        self.assertNotEqual(props['ErrorMessage'], '')
        self.assertEqual(rec.of('Completed', job)[0][3],
                         ('cancelled', CANCELLED, props['ErrorMessage']))
        seen = self.percentages(rec, job)
        self.assertNotIn(100, seen, seen)
        self.assertEqual(props['Percentage'], reached, seen)
        self.assertEqual(self.applied(), [1])

    def test_deadline(self):
        self.setup_profiles(1, slow=True)
        daemon = self.start_daemon()
        # long enough for the first migration, under a sanitizer too
        timeout = 15 if SANITIZED else 1
        t0 = time.monotonic()
        props = self.wait_job(self.start('Up', {'timeout': timeout}), timeout=timeout + 15)
        self.assertLess(time.monotonic() - t0, timeout + 9)
        self.assertEqual((props['Result'], props['ErrorName']),
                         ('failed', 'org.gander.Migrator1.Error.Timeout'))
        self.assertIn('%d s' % timeout, props['ErrorMessage'])
        self.assertEqual(self.applied(), [1], daemon.log())
        self.assertNotIn('slow', self.tables())

    def test_job_outlives_its_caller(self):
        self.setup_profiles(1, slow=True)
        daemon = self.start_daemon()
        rec = self.record()
        conn = self.session_bus.connect()
        reply = conn.call_sync('org.gander.Migrator1', profile_path('life'), PROFILE_IFACE, 'Up',
                               GLib.Variant('(a{sv})', ({},)), None, 0, 10000, None)
        job = reply.unpack()[0]
        self.wait_running_slow(rec, job)
        conn.close_sync(None)
        self.spin(0.5)
        # still there and still running without its caller
        self.assertEqual(self.job_prop(job, 'State'), 'running')
        self.assertIsNone(daemon.proc.poll())
        self.call(job, JOB_IFACE, 'Cancel')
        self.assertEqual(self.wait_job(job)['Result'], 'cancelled')

    def test_cancel_other_users_job(self):
        # system bus: the job is root's, the canceller uid 65534 needs
        # cancel-job and then cancel-job-other-user from polkit
        self.setup_profiles(1, slow=True, where='sysconf')
        pk = self.polkit
        self.start_daemon('system')
        rec = self.record(bus='system')
        job = self.start('Up', bus='system')
        self.wait_running_slow(rec, job)
        client = self.other_client()

        pk.set_allowed([A_CANCEL_JOB])
        r = client.call(self.system_bus, job, JOB_IFACE, 'Cancel')
        self.assertFalse(r['ok'], r)
        self.assertEqual(r['error'], 'org.gander.Migrator1.Error.NotAuthorized')
        self.assertIn(A_CANCEL_JOB_OTHER, r['message'])
        actions = [a for a, _, _ in pk.checks()]
        self.assertEqual(actions, [A_CANCEL_JOB, A_CANCEL_JOB_OTHER])
        self.assertEqual(pk.checks()[0][1].get('profile'), 'life')
        self.assertEqual(self.job_prop(job, 'State', bus='system'), 'running')

        pk.set_allowed([A_CANCEL_JOB, A_CANCEL_JOB_OTHER])
        r = client.call(self.system_bus, job, JOB_IFACE, 'Cancel')
        self.assertTrue(r['ok'], r)
        props = self.wait_job(job, bus='system')
        self.assertEqual((props['Result'], props['StartedByUid']), ('cancelled', os.getuid()))


if __name__ == '__main__':
    main()
