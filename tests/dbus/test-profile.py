# test-profile.py: org.gander.Migrator1.Profile's cached properties and
# read-only methods, on SQLite and on PostgreSQL
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Reading a property never opens the database (the SQLite file is deleted
# and not created again by reading; a dropped PostgreSQL database still
# reads); Refresh updates them in one PropertiesChanged; Status, Plan,
# Validate, Health and ListBackups return dictionaries with exactly the keys
# and types data/org.gander.Migrator1.xml documents, and change nothing.
# Migrations are applied with the command-line tool, on the same profiles.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import time

from dbustest import (DBusTestCase, GLib, JOB_IFACE, PROFILE_IFACE, PROPS_IFACE, error_message, vardict,
                      main, pg_server, profile_path,
                      tearDownModule)  # noqa: F401

# key → python type of the unpacked value; (required, optional)
STATUS_KEYS = ({'version': int, 'name': str, 'source': str, 'state': str,
                'no-transaction': bool},
               {'applied-at': int, 'checksum-drift': bool})
PLAN_KEYS = ({'version': int, 'name': str, 'source': str, 'direction': str,
              'no-transaction': bool, 'statements': list, 'lines': list}, {})
FINDING_KEYS = ({'severity': str, 'rule': str, 'message': str, 'source': str, 'line': int,
                 'version': int}, {'suggestion': str})
HEALTH_KEYS = ({'name': str, 'status': str, 'message': str, 'duration': int, 'phase': str}, {})
BACKUP_KEYS = ({'id': str, 'file': str, 'created-at': int, 'version': int, 'size': int,
                'verified': bool, 'driver': str, 'environment': str, 'sha256': str}, {})

# the cached properties, their D-Bus types
PROPERTIES = {'Name': 's', 'Driver': 's', 'Environment': 's', 'Dir': 's', 'Table': 's',
              'Dsn': 's', 'Source': 's', 'CurrentVersion': 'x', 'PendingCount': 'u',
              'Dirty': 'b', 'Busy': 'b', 'ActiveJob': 'o', 'BreakerState': 's',
              'HasCredential': 'b', 'RefreshedAt': 'x', 'LastError': 's'}


def now_us():
    return int(time.time() * 1e6)


class ProfileTests:
    """Run once per driver (see the two classes at the end)."""

    driver = None

    def setUp(self):
        super().setUp()
        self.settings = self.make_profile('app', 3)
        self.write_config({'profile app': self.settings})
        self.path_ = profile_path('app')
        self.files = sorted(os.listdir(self.settings['dir']))

    def prop(self, name):
        return self.get_property(self.path_, PROFILE_IFACE, name)

    def props(self):
        return self.get_all(self.path_, PROFILE_IFACE)

    def pcall(self, method, args=None, **kw):
        return self.profile_call('app', method, args, **kw)

    def assertDicts(self, dicts, keys, what):
        required, optional = keys
        self.assertIsInstance(dicts, list)
        for d in dicts:
            missing = set(required) - set(d)
            extra = set(d) - set(required) - set(optional)
            self.assertFalse(missing, '%s lacks %s: %r' % (what, sorted(missing), d))
            self.assertFalse(extra, '%s has undocumented keys %s: %r' % (what, sorted(extra), d))
            for k, v in d.items():
                t = required.get(k) or optional.get(k)
                self.assertIsInstance(v, t, '%s: %s=%r' % (what, k, v))

    # -- properties --------------------------------------------------------------

    def test_properties_types_and_values(self):
        self.start_daemon()
        self.pcall('Refresh')
        # every property, with its documented type
        r = self.bus_for(None).conn.call_sync(
            'org.gander.Migrator1', self.path_, PROPS_IFACE, 'GetAll',
            GLib.Variant('(s)', (PROFILE_IFACE,)), GLib.VariantType('(a{sv})'), 0, 5000, None)
        raw = r.get_child_value(0)
        types = {}
        for i in range(raw.n_children()):
            entry = raw.get_child_value(i)
            types[entry.get_child_value(0).get_string()] = \
                entry.get_child_value(1).get_variant().get_type_string()
        self.assertEqual(types, PROPERTIES)
        p = self.props()
        self.assertEqual(p['Name'], 'app')
        self.assertEqual(p['Driver'], self.settings['driver'])
        self.assertEqual(p['Environment'], 'development')
        self.assertEqual(p['Dir'], self.settings['dir'])
        self.assertEqual(p['Table'], 'goose_db_version')
        # gander.conf and AddProfile refuse passwords: the DSN is shown whole
        self.assertEqual(p['Dsn'], self.settings['dbstring'])
        self.assertEqual(p['Source'], 'config')
        self.assertEqual(p['CurrentVersion'], 0)
        self.assertEqual(p['PendingCount'], 3)
        self.assertFalse(p['Dirty'])
        self.assertFalse(p['Busy'])
        self.assertEqual(p['ActiveJob'], '/')
        self.assertEqual(p['BreakerState'], 'closed')
        self.assertFalse(p['HasCredential'])
        self.assertEqual(p['LastError'], '')
        self.assertLessEqual(abs(p['RefreshedAt'] - now_us()), 60 * 10**6)

    def test_refresh_updates_in_one_signal(self):
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        self.pcall('Refresh')
        self.assertEqual(self.prop('CurrentVersion'), 2)
        self.assertEqual(self.prop('PendingCount'), 1)
        before = self.prop('RefreshedAt')
        rec = self.record(path=self.path_, iface=PROPS_IFACE, member='PropertiesChanged')
        self.cli('app', 'up')
        # the cache does not follow the database by itself
        self.assertEqual(self.prop('CurrentVersion'), 2)
        time.sleep(0.01)
        self.pcall('Refresh')
        self.assertEqual(self.prop('CurrentVersion'), 3)
        self.assertEqual(self.prop('PendingCount'), 0)
        self.assertGreater(self.prop('RefreshedAt'), before)
        sigs = self.wait_signal(rec, 'PropertiesChanged')
        self.spin(0.2)
        sigs = rec.of('PropertiesChanged')
        self.assertEqual(len(sigs), 1, sigs)
        iface, changed, _invalidated = sigs[0][3]
        self.assertEqual(iface, PROFILE_IFACE)
        self.assertEqual(changed['CurrentVersion'], 3)
        self.assertEqual(changed['PendingCount'], 0)
        self.assertIn('RefreshedAt', changed)

    def test_status(self):
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        t0 = now_us()
        status = self.pcall('Status')
        self.assertDicts(status, STATUS_KEYS, 'Status')
        self.assertEqual([s['version'] for s in status], [1, 2, 3])
        self.assertEqual([s['state'] for s in status], ['applied', 'applied', 'pending'])
        self.assertEqual([s['name'] for s in status], self.files)
        self.assertEqual([s['source'] for s in status],
                         [os.path.join(self.settings['dir'], f) for f in self.files])
        self.assertEqual([s['no-transaction'] for s in status], [False] * 3)
        for s in status[:2]:
            self.assertIn('applied-at', s)
            self.assertLess(abs(s['applied-at'] - t0), 120 * 10**6, s)
        self.assertNotIn('applied-at', status[2])

        # an applied migration whose file is gone, and a NO TRANSACTION one
        os.unlink(os.path.join(self.settings['dir'], self.files[0]))
        self.migration(os.path.basename(self.settings['dir']), '00004_notx.sql',
                       'CREATE TABLE t4 (id INTEGER);', 'DROP TABLE t4;', notx=True)
        # Status is cached until Refresh (or a job's end)
        self.assertEqual(self.pcall('Status'), status)
        self.pcall('Refresh')
        status = self.pcall('Status')
        self.assertDicts(status, STATUS_KEYS, 'Status')
        by_version = {s['version']: s for s in status}
        self.assertEqual(by_version[1]['state'], 'missing')
        self.assertEqual(by_version[4]['state'], 'pending')
        self.assertTrue(by_version[4]['no-transaction'])
        self.assertEqual(by_version[4]['name'], '00004_notx.sql')

    def assertColumnsMatch(self, columns, status):
        """StatusColumns is Status's table, column by column."""
        self.assertEqual(sorted(columns), ['applied-at', 'flags', 'name', 'state', 'version'])
        n = len(status)
        for key, values in columns.items():
            self.assertEqual(len(values), n, key)
        states = ['pending', 'applied', 'running', 'missing']   # Gander.MigrationState
        for i, row in enumerate(status):
            self.assertEqual(columns['version'][i], row['version'])
            self.assertEqual(columns['name'][i], row['name'])
            self.assertEqual(states[columns['state'][i]], row['state'], row)
            self.assertEqual(columns['applied-at'][i], row.get('applied-at', 0), row)
            flags = columns['flags'][i]
            self.assertEqual(bool(flags & 1), row['no-transaction'], row)
            self.assertEqual(bool(flags & 4), 'checksum-drift' in row, row)
            self.assertEqual(bool(flags & 2), row.get('checksum-drift', False), row)
            self.assertEqual(flags & ~7, 0, row)

    def test_status_columns(self):
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        columns = self.pcall('StatusColumns')
        status = self.pcall('Status')
        self.assertColumnsMatch(columns, status)
        self.assertEqual(columns['state'], [1, 1, 0])
        self.assertEqual(columns['name'], self.files)
        self.assertTrue(all(columns['applied-at'][:2]))
        self.assertTrue(all(f & 4 for f in columns['flags'][:2]), columns)   # checksums recorded

        # a file gone, a NO TRANSACTION one, an applied file edited
        os.unlink(os.path.join(self.settings['dir'], self.files[0]))
        self.migration(os.path.basename(self.settings['dir']), '00004_notx.sql',
                       'CREATE TABLE t4 (id INTEGER);', 'DROP TABLE t4;', notx=True)
        with open(os.path.join(self.settings['dir'], self.files[1]), 'a') as f:
            f.write('-- edited after it was applied\n')
        self.assertEqual(self.pcall('StatusColumns'), columns)    # cached until Refresh
        self.pcall('Refresh')
        columns = self.pcall('StatusColumns')
        status = self.pcall('Status')
        self.assertColumnsMatch(columns, status)
        self.assertEqual(columns['version'], [1, 2, 3, 4])
        self.assertEqual(columns['state'], [3, 1, 0, 0])
        self.assertEqual(columns['flags'][3], 1)
        self.assertEqual(columns['flags'][1], 2 | 4)

    def test_status_after_a_baseline_job(self):
        # a baseline writes versions that no MigrationFinished reported:
        # Status must not answer from the table the job kept
        self.start_daemon()
        self.assertEqual(self.pcall('StatusColumns')['state'], [0, 0, 0])
        job = self.profile_call('app', 'Baseline', GLib.Variant('(xa{sv})', (2, {})))
        self.assertEqual(self.wait_job(job)['Result'], 'success')
        self.assertEqual(self.pcall('StatusColumns')['state'], [1, 1, 0])
        self.assertEqual([r['state'] for r in self.pcall('Status')],
                         ['applied', 'applied', 'pending'])
        # a successful up keeps its table until the refresh: it is right
        job = self.profile_call('app', 'Up', GLib.Variant('(a{sv})', ({},)))
        self.assertEqual(self.wait_job(job)['Result'], 'success')
        self.assertEqual(self.pcall('StatusColumns')['state'], [1, 1, 1])

    def test_plan(self):
        self.cli('app', 'up-to', '1')
        self.start_daemon()
        before = self.pcall('Status')
        steps = self.pcall('Plan', GLib.Variant('(sxa{sv})', ('up', 0, {})))
        self.assertDicts(steps, PLAN_KEYS, 'Plan')
        self.assertEqual([(s['version'], s['direction']) for s in steps], [(2, 'up'), (3, 'up')])
        self.assertEqual(steps[0]['statements'], ['CREATE TABLE t2 (id INTEGER);'])
        self.assertEqual(steps[0]['lines'], [2])
        self.assertEqual(steps[0]['name'], self.files[1])
        self.assertEqual(steps[0]['source'], os.path.join(self.settings['dir'], self.files[1]))
        self.assertFalse(steps[0]['no-transaction'])

        steps = self.pcall('Plan', GLib.Variant('(sxa{sv})', ('up-to', 2, {})))
        self.assertEqual([s['version'] for s in steps], [2])
        steps = self.pcall('Plan', GLib.Variant('(sxa{sv})', ('down', 0, {})))
        self.assertEqual([(s['version'], s['direction']) for s in steps], [(1, 'down')])
        self.assertEqual(steps[0]['statements'], ['DROP TABLE t1;'])
        self.assertEqual(steps[0]['lines'], [4])
        self.assertEqual(self.pcall('Plan', GLib.Variant('(sxa{sv})', ('up-to', 1, {}))), [])
        # nothing ran
        self.assertEqual(self.pcall('Status'), before)

        e = self.assertDBusError('InvalidArgument', self.pcall, 'Plan',
                                 GLib.Variant('(sxa{sv})', ('sideways', 0, {})))
        self.assertIn('sideways', error_message(e))
        e = self.assertDBusError('InvalidArgument', self.pcall, 'Plan',
                                 GLib.Variant('(sxa{sv})', ('up', 0, vardict(no_such=True))))
        self.assertIn('no-such', error_message(e))

    def test_validate(self):
        self.start_daemon()
        self.assertEqual(self.pcall('Validate', GLib.Variant('(a{sv})', ({},))), [])
        # a Down section whose StatementBegin never ends
        self.write(os.path.join(os.path.basename(self.settings['dir']), '00004_broken.sql'),
                   '-- +goose Up\nCREATE TABLE t4 (id INTEGER);\n-- +goose Down\n'
                   '-- +goose StatementBegin\nDROP TABLE t4;\n')
        findings = self.pcall('Validate', GLib.Variant('(a{sv})', ({},)))
        self.assertDicts(findings, FINDING_KEYS, 'Validate')
        errors = [f for f in findings if f['severity'] == 'error']
        self.assertTrue(errors, findings)
        self.assertTrue(all(f['severity'] in ('error', 'warning', 'info') for f in findings))
        broken = [f for f in errors if f['source'].endswith('00004_broken.sql')]
        self.assertTrue(broken, findings)
        self.assertEqual(broken[0]['version'], 4)
        self.assertIsInstance(self.pcall('Validate', GLib.Variant('(a{sv})', (
            {'lint': GLib.Variant('b', False), 'pending-only': GLib.Variant('b', True)},))), list)
        self.assertDBusError('InvalidArgument', self.pcall, 'Validate',
                             GLib.Variant('(a{sv})', ({'lint': GLib.Variant('s', 'yes')},)))

    def test_health(self):
        self.cli('app', 'up')
        self.start_daemon()
        checks = self.pcall('Health', GLib.Variant('(a{sv})', ({},)))
        self.assertDicts(checks, HEALTH_KEYS, 'Health')
        self.assertTrue(checks)
        for c in checks:
            self.assertIn(c['status'], ('ok', 'warn', 'skipped'), c)
            self.assertGreaterEqual(c['duration'], 0)
        self.assertFalse([c for c in checks if c['status'] == 'fail'], checks)
        names = [c['name'] for c in checks]
        one = self.pcall('Health', GLib.Variant('(a{sv})', (
            {'checks': GLib.Variant('as', [names[0]])},)))
        self.assertEqual([c['name'] for c in one], [names[0]])

    def test_health_allow_missing(self):
        # 1 and 3 applied, then 2 appears: a missing (out-of-order)
        # migration fails version-table, unless the call allows it
        d = self.settings['dir']
        second = [f for f in self.files if f.startswith('00002_')][0]
        os.rename(os.path.join(d, second), self.path(second))
        self.cli('app', 'up')
        os.rename(self.path(second), os.path.join(d, second))
        self.start_daemon()

        def version_table(options):
            checks = self.pcall('Health', GLib.Variant('(a{sv})', (
                dict({'checks': GLib.Variant('as', ['version-table'])}, **options),)))
            self.assertEqual([c['name'] for c in checks], ['version-table'], checks)
            return checks[0]

        plain = version_table({})
        self.assertEqual(plain['status'], 'fail', plain)
        self.assertIn('2', plain['message'])
        allowed = version_table({'allow-missing': GLib.Variant('b', True)})
        self.assertEqual(allowed['status'], 'ok', allowed)
        self.assertIn('allow-missing', allowed['message'])
        self.assertEqual(version_table({'allow-missing': GLib.Variant('b', False)})['status'],
                         'fail')
        self.assertDBusError('InvalidArgument', self.pcall, 'Health', GLib.Variant(
            '(a{sv})', ({'allow-missing': GLib.Variant('s', 'yes')},)))

    def test_list_backups(self):
        backups = self.mkdir('backups')
        self.settings['backup-dir'] = backups
        self.write_config({'profile app': self.settings})
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        self.assertEqual(self.pcall('ListBackups'), [])
        self.cli('app', 'backup')
        self.cli('app', 'up')
        self.cli('app', 'backup')
        listed = self.pcall('ListBackups')
        self.assertDicts(listed, BACKUP_KEYS, 'ListBackups')
        self.assertEqual([b['version'] for b in listed], [3, 2])   # newest first
        self.assertGreaterEqual(listed[0]['created-at'], listed[1]['created-at'])
        for b in listed:
            self.assertTrue(b['file'].startswith(backups + '/'), b)
            self.assertTrue(os.path.isfile(b['file']), b)
            self.assertEqual(b['size'], os.path.getsize(b['file']))
            self.assertEqual(b['driver'], self.settings['driver'])
            self.assertEqual(b['environment'], 'development')
            self.assertRegex(b['sha256'], r'^[0-9a-f]{64}$')
            self.assertLess(abs(b['created-at'] - now_us()), 300 * 10**6)


    def test_backups_default_to_the_state_directory(self):
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        job = self.pcall('Backup', GLib.Variant('(a{sv})', ({},)))
        props = self.wait_job(job, timeout=60)
        self.assertEqual(props['Result'], 'success', props)
        listed = self.pcall('ListBackups')
        self.assertEqual([b['id'] for b in listed], [props['BackupId']])
        # under the daemon's STATE_DIRECTORY, nowhere else
        self.assertTrue(listed[0]['file'].startswith(self.state_dir + '/'), listed[0])
        self.assertTrue(os.path.isfile(listed[0]['file']))
        self.assertEqual(listed[0]['version'], 2)


class SqliteProfileTest(ProfileTests, DBusTestCase):
    driver = 'sqlite3'

    def make_profile(self, name, n):
        return self.sqlite_profile(name, n)

    def test_properties_never_open_the_database(self):
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        self.pcall('Refresh')
        before = self.props()
        os.unlink(self.settings['dbstring'])
        for _ in range(3):
            self.assertEqual(self.props(), before)
            self.assertEqual(self.prop('CurrentVersion'), 2)
        self.managed_objects()
        # reading did not open (and so create) the file
        self.assertFalse(os.path.exists(self.settings['dbstring']))
        # Refresh does read it; the values follow
        self.cli('app', 'up-to', '1')
        self.pcall('Refresh')
        self.assertEqual(self.prop('CurrentVersion'), 1)

    def test_refresh_failure_sets_last_error(self):
        self.start_daemon()
        self.pcall('Refresh')
        self.assertEqual(self.prop('LastError'), '')
        # a directory where the database file should be
        os.unlink(self.settings['dbstring'])
        os.mkdir(self.settings['dbstring'])
        try:
            self.pcall('Refresh')
        except GLib.Error:
            pass   # the method may fail too; the property must say why
        self.assertNotEqual(self.prop('LastError'), '')


class PostgresProfileTest(ProfileTests, DBusTestCase):
    driver = 'postgres'

    def make_profile(self, name, n):
        return self.pg_profile(name, n)

    def test_status_follows_a_job(self):
        # 00004 sleeps on the server: the job is still running after 00003
        self.migration(os.path.basename(self.settings['dir']), '00004_slow.sql',
                       'CREATE TABLE slow (id int);\nSELECT pg_sleep(3);', 'DROP TABLE slow;')
        self.cli('app', 'up-to', '1')
        self.start_daemon()
        self.assertEqual(self.pcall('StatusColumns')['state'], [1, 0, 0, 0])
        job = self.profile_call('app', 'Up', GLib.Variant('(a{sv})', ({},)))
        rec = self.record(path=job, iface=JOB_IFACE)
        self.wait_for(lambda: any(s[3][0] == 3 for s in rec.of('MigrationFinished')),
                      'migration 3 to finish', timeout=20)
        self.spin(0.25)     # answers may be 0.1 s behind during a job
        self.assertEqual(self.get_property(job, JOB_IFACE, 'State'), 'running')
        columns = self.pcall('StatusColumns')
        self.assertEqual(columns['state'], [1, 1, 1, 0])
        self.assertTrue(all(columns['applied-at'][:3]))
        self.assertEqual([r['state'] for r in self.pcall('Status')],
                         ['applied', 'applied', 'applied', 'pending'])
        self.assertEqual(self.wait_job(job)['Result'], 'success')
        # the job's end refreshes them from the database
        self.wait_property(self.path_, PROFILE_IFACE, 'Busy', lambda b: not b)
        self.assertEqual(self.pcall('StatusColumns')['state'], [1, 1, 1, 1])
        self.assertColumnsMatch(self.pcall('StatusColumns'), self.pcall('Status'))

    def test_properties_never_open_the_database(self):
        self.cli('app', 'up-to', '2')
        self.start_daemon()
        self.pcall('Refresh')
        before = self.props()
        # the database is gone: properties still read (from the cache)
        dbname = self.pg_dbname['app']
        pg_server().psql('postgres', 'DROP DATABASE %s WITH (FORCE)' % dbname)
        for _ in range(3):
            self.assertEqual(self.props(), before)
        # Refresh fails, and says why without a password
        try:
            self.pcall('Refresh')
        except GLib.Error:
            pass
        err = self.prop('LastError')
        self.assertIn(dbname, err)


if __name__ == '__main__':
    main()
