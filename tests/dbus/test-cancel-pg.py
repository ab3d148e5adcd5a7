# test-cancel-pg.py: Job.Cancel during a long PostgreSQL statement
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A migration runs `SELECT pg_sleep(30)` after creating a table. Cancel
# while the server is sleeping: the statement ends on the server (PQcancel)
# within seconds, the migration's transaction rolls back (no table, the
# version unchanged), the job finishes with Result "cancelled" and
# Completed says the same; a second Cancel of the finished job is
# InvalidArgument.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import time

from dbustest import (DBusTestCase, GLib, JOB_IFACE, PROFILE_IFACE, main,  # noqa: F401
                      profile_path, tearDownModule)

SLOW = ('CREATE TABLE slow (id int);\nSELECT pg_sleep(30);', 'DROP TABLE slow;')


class CancelPostgresTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.settings = self.pg_profile('pg', 2)
        self.migration('migrations-pg', '00003_slow.sql', *SLOW)
        self.write_config({'profile pg': self.settings})

    def sleeping(self):
        """Server sessions running pg_sleep in the profile's database."""
        return int(self.pg_sql('pg', "SELECT count(*) FROM pg_stat_activity WHERE "
                                     "datname = current_database() AND state = 'active' AND "
                                     "query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"))

    def test_cancel_rolls_back(self):
        self.cli('pg', 'up-to', '1')
        self.start_daemon()
        job = self.profile_call('pg', 'Up', GLib.Variant('(a{sv})', ({},)))
        rec = self.record(path=job, iface=JOB_IFACE)
        self.wait_for(lambda: self.sleeping() == 1, 'the migration to sleep on the server')
        self.assertEqual(self.get_property(job, JOB_IFACE, 'State'), 'running')
        self.assertEqual(self.get_property(job, JOB_IFACE, 'CurrentVersion'), 3)
        # 00002 went through before the slow one
        self.assertEqual(self.pg_sql('pg', 'SELECT max(version_id) FROM goose_db_version'), '2')

        t0 = time.monotonic()
        self.call(job, JOB_IFACE, 'Cancel')
        done = self.wait_signal(rec, 'Completed', timeout=10)
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, 5, 'Cancel took %.1f s to end a pg_sleep(30)' % elapsed)
        result, error_name, message = done[0][3]
        self.assertEqual(result, 'cancelled', done)
        props = self.wait_job(job)
        self.assertEqual(props['Result'], 'cancelled')
        self.assertEqual(props['ErrorName'], error_name)
        self.assertEqual(props['ErrorMessage'], message)
        self.assertEqual(props['ToVersion'], 2)
        self.assertEqual(props['FromVersion'], 1)

        # the server stopped sleeping; the migration's transaction is gone
        self.assertEqual(self.sleeping(), 0)
        self.assertEqual(self.pg_sql('pg', "SELECT to_regclass('public.slow') IS NULL"), 't')
        self.assertEqual(self.pg_sql('pg', 'SELECT max(version_id) FROM goose_db_version'), '2')
        # the migrations signals: 2 finished, 3 started and failed
        finished = [s[3] for s in rec.of('MigrationFinished')]
        self.assertEqual([(v, ok) for v, _src, _dir, ok, _d in finished], [(2, True), (3, False)])

        # the profile follows
        self.wait_property(profile_path('pg'), PROFILE_IFACE, 'Busy', lambda b: not b)
        self.wait_property(profile_path('pg'), PROFILE_IFACE, 'CurrentVersion', lambda v: v == 2)
        self.assertEqual(self.get_property(profile_path('pg'), PROFILE_IFACE, 'ActiveJob'), '/')

        # a finished job cannot be cancelled
        self.assertDBusError('InvalidArgument', self.call, job, JOB_IFACE, 'Cancel')

        # and the database is usable: the next run gets to the slow one again
        job = self.profile_call('pg', 'UpTo', GLib.Variant('(xa{sv})', (2, {})))
        self.assertEqual(self.wait_job(job)['Result'], 'success')


if __name__ == '__main__':
    main()
