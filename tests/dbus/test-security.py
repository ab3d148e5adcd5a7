# test-security.py: a database password stays secret in the daemon
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A PostgreSQL profile takes its password from a 0600 file
# (password-source=file:PATH; the test server trusts any password). While
# the daemon's Backup job runs pg_dump (held on a table lock another
# session keeps), no process's /proc/PID/cmdline holds the password and
# neither does the environment of the daemon's children; afterwards it is
# in no property (daemon, profile, job), no method's answer, not in the
# daemon's verbose output and not in the audit log. On the system bus,
# SetPassword with a file descriptor (Gio.UnixFDList) writes the `store`
# file 0600 in a 0700 directory, for root and for uid 65534 holding
# manage-credentials (refused without it), and ClearPassword removes it.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import stat
import subprocess

from dbustest import (DBusTestCase, Gio, GLib, MANAGER_IFACE, MANAGER_PATH,  # noqa
                      PROFILE_IFACE, A_INSPECT, A_MANAGE_CREDENTIALS, ERROR_PREFIX, cmdline,
                      main, pg_server, profile_path, tearDownModule)

PASSWORD = 'Zq9-s3cret-pw'


def environ(pid):
    try:
        with open('/proc/%d/environ' % pid, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def all_cmdlines():
    out = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            argv = cmdline(int(entry))
            if argv:
                out[int(entry)] = argv
    return out


def pipe_with(secret):
    r, w = os.pipe()
    os.write(w, secret.encode('utf-8'))
    os.close(w)
    return r


class PasswordTest(DBusTestCase):
    def test_password_never_visible_during_a_backup(self):
        pwfile = self.write('secret/pw', PASSWORD + '\n')
        os.chmod(pwfile, 0o600)
        audit = self.path('audit.jsonl')
        backups = self.mkdir('backups')
        settings = self.pg_profile('pg', 2, password_source='file:' + pwfile,
                                   audit_log=audit, backup_dir=backups)
        self.write_config({'profile pg': settings})
        daemon = self.start_daemon(args=['--verbose'], env={'G_MESSAGES_DEBUG': 'all'})
        path = profile_path('pg')

        job = self.profile_call('pg', 'Up', GLib.Variant('(a{sv})', (
            {'reason': GLib.Variant('s', 'security test')},)))
        self.assertEqual(self.wait_job(job)['Result'], 'success')

        # another session holds t1: pg_dump waits for its lock
        srv = pg_server()
        locker = subprocess.Popen(
            srv.psql_argv(self.pg_dbname['pg']) +
            ['-c', 'BEGIN; LOCK TABLE t1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (locker.kill(), locker.wait()))
        self.wait_for(lambda: self.pg_sql('pg', "SELECT count(*) FROM pg_locks l JOIN "
                                               "pg_class c ON c.oid = l.relation WHERE "
                                               "c.relname = 't1' AND l.mode = "
                                               "'AccessExclusiveLock' AND l.granted") == '1',
                      'the other session to lock t1')

        job = self.profile_call('pg', 'Backup', GLib.Variant('(a{sv})', ({},)))

        def pg_dump_running():
            return [p for p in daemon.children() if 'pg_dump' in ' '.join(cmdline(p))]
        dumps = self.wait_for(pg_dump_running, 'pg_dump to run as a child of the daemon')
        self.wait_for(lambda: self.pg_sql('pg', "SELECT count(*) FROM pg_stat_activity WHERE "
                                               "application_name = 'pg_dump' AND "
                                               "wait_event_type = 'Lock'") == '1',
                      'pg_dump to wait for the lock')
        # the password is in no command line of the machine, nor in the
        # environment of any of the daemon's children
        for pid, argv in all_cmdlines().items():
            self.assertNotIn(PASSWORD, ' '.join(argv), 'pid %d: %r' % (pid, argv))
        for pid in daemon.children():
            env = environ(pid)
            self.assertNotIn(PASSWORD, env, 'environment of pid %d %r' % (pid, cmdline(pid)))
            self.assertNotIn('PGPASSWORD=', env, 'pid %d %r' % (pid, cmdline(pid)))
        self.assertTrue(dumps)

        # the lock goes, the backup ends
        locker.kill()
        locker.wait()
        srv.psql('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                             "query LIKE '%LOCK TABLE t1%' AND pid <> pg_backend_pid()")
        props = self.wait_job(job, timeout=60)
        self.assertEqual(props['Result'], 'success', props)
        self.assertTrue(props['BackupId'])
        self.assertTrue(os.listdir(backups))

        # nowhere on the bus
        seen = [
            repr(props),
            repr(self.get_all(path, PROFILE_IFACE)),
            repr(self.get_all(MANAGER_PATH, MANAGER_IFACE)),
            repr(self.managed_objects()),
            repr(self.profile_call('pg', 'Status')),
            repr(self.profile_call('pg', 'ListBackups')),
            repr(self.profile_call('pg', 'Health', GLib.Variant('(a{sv})', ({},)))),
            repr(self.profile_call('pg', 'Plan', GLib.Variant('(sxa{sv})', ('down', 0, {})))),
            self.manager_call('GetMetrics'),
        ]
        for text in seen:
            self.assertNotIn(PASSWORD, text)
        self.assertTrue(self.get_property(path, PROFILE_IFACE, 'HasCredential'))
        # nor in the daemon's output (debug messages included) or the audit
        daemon.stop()
        log = daemon.log()
        self.assertTrue(log.strip(), 'the daemon logged nothing with --verbose')
        self.assertNotIn(PASSWORD, log)
        with open(audit, encoding='utf-8') as f:
            text = f.read()
        self.assertIn('security test', text)
        self.assertNotIn(PASSWORD, text)
        # nothing of it in the backup directory's manifests either
        for root, _dirs, files in os.walk(backups):
            for name in files:
                if name.endswith('.json') or name.endswith('.manifest'):
                    with open(os.path.join(root, name), encoding='utf-8',
                              errors='replace') as f:
                        self.assertNotIn(PASSWORD, f.read())


class StoreTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        # PostgreSQL (SQLite has no password); no server is needed to store one
        self.write_config({'profile db': {
            'driver': 'postgres', 'dir': self.simple_set('migrations', 1),
            'dbstring': 'host=%s port=1 user=app dbname=app' % self.mkdir('no-server'),
            'password-source': 'store'}})

    def store_file(self):
        return os.path.join(self.state_dir, 'credentials', 'db')

    def set_password(self, secret):
        fds = Gio.UnixFDList.new()
        fd = pipe_with(secret)
        index = fds.append(fd)
        os.close(fd)
        self.profile_call('db', 'SetPassword', GLib.Variant('(h)', (index,)), bus='system',
                          fds=fds)

    def assertPrivate(self):
        d = os.path.dirname(self.store_file())
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
        st = os.stat(self.store_file())
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_uid, os.geteuid())

    def test_store_modes_and_clear(self):
        daemon = self.start_daemon('system')
        path = profile_path('db')
        self.assertFalse(self.get_property(path, PROFILE_IFACE, 'HasCredential', bus='system'))
        self.set_password(PASSWORD + '\n')
        self.assertPrivate()
        with open(self.store_file(), encoding='utf-8') as f:
            self.assertEqual(f.read().rstrip('\n'), PASSWORD)   # one newline dropped
        self.assertTrue(self.get_property(path, PROFILE_IFACE, 'HasCredential', bus='system'))
        self.assertNotIn(PASSWORD, repr(self.get_all(path, PROFILE_IFACE, bus='system')))

        # replaced, still private
        self.set_password('another-one')
        self.assertPrivate()
        with open(self.store_file(), encoding='utf-8') as f:
            self.assertEqual(f.read().rstrip('\n'), 'another-one')

        # an empty secret is refused, the stored one stays
        self.assertDBusError('InvalidArgument', self.set_password, '')
        self.assertTrue(os.path.exists(self.store_file()))

        self.profile_call('db', 'ClearPassword', bus='system')
        self.assertFalse(os.path.exists(self.store_file()))
        self.assertFalse(self.get_property(path, PROFILE_IFACE, 'HasCredential', bus='system'))
        daemon.stop()
        self.assertNotIn(PASSWORD, daemon.log())
        self.assertNotIn('another-one', daemon.log())

    def test_another_uid_needs_manage_credentials(self):
        pk = self.polkit
        self.start_daemon('system')
        client = self.other_client()
        path = profile_path('db')
        pk.set_allowed([A_INSPECT])
        r = client.call(self.system_bus, path, PROFILE_IFACE, 'SetPassword',
                        GLib.Variant('(h)', (0,)), password=PASSWORD)
        self.assertEqual(r.get('error'), ERROR_PREFIX + 'NotAuthorized', r)
        self.assertIn(A_MANAGE_CREDENTIALS, r['message'])
        self.assertFalse(os.path.exists(self.store_file()))

        pk.set_allowed([A_MANAGE_CREDENTIALS])
        r = client.call(self.system_bus, path, PROFILE_IFACE, 'SetPassword',
                        GLib.Variant('(h)', (0,)), password=PASSWORD)
        self.assertTrue(r['ok'], r)
        # written by the daemon: its user's file, not the caller's
        self.assertPrivate()
        pk.set_allowed([])
        r = client.call(self.system_bus, path, PROFILE_IFACE, 'ClearPassword')
        self.assertEqual(r.get('error'), ERROR_PREFIX + 'NotAuthorized', r)
        self.assertTrue(os.path.exists(self.store_file()))
        pk.set_allowed([A_MANAGE_CREDENTIALS])
        r = client.call(self.system_bus, path, PROFILE_IFACE, 'ClearPassword')
        self.assertTrue(r['ok'], r)
        self.assertFalse(os.path.exists(self.store_file()))


if __name__ == '__main__':
    main()
