# test-manager-iface.py: org.gander.Migrator1.Manager on a private session bus
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# DaemonVersion, BusType, Profiles, Jobs; GetProfile and NotFound;
# AddProfile persisted in the daemon's store (0700/0600, back after a
# restart), refused with Config naming a bad key or a dbstring holding a
# password; RemoveProfile (InterfacesRemoved; gander.conf profiles refused);
# Reload (a new profile appears, a malformed file keeps the old ones);
# GetMetrics read by python3-prometheus-client's strict parser, with the
# profiles' metric files (a CLI run shows up, a daemon run counts once); the
# ObjectManager's view; idle exit and re-activation through a .service file.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import re
import stat
import subprocess
import time

from dbustest import (DBusTestCase, GANDER_DAEMON, GLib, MANAGER_IFACE, MANAGER_PATH, OM_IFACE,
                      PROFILE_IFACE, PROFILES_PATH, BUS_NAME, error_message, main,
                      profile_path, require)


class ManagerTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.conf = self.write_config({
            'profile beta': self.sqlite_profile('beta', environment='staging'),
            'profile alpha': self.sqlite_profile('alpha'),
        })

    def mprop(self, name):
        return self.get_property(MANAGER_PATH, MANAGER_IFACE, name)

    def test_properties(self):
        self.start_daemon()
        version = self.mprop('DaemonVersion')
        self.assertRegex(version, r'^\d+\.\d+(\.\d+)?')
        cli = self.gander('--version')
        self.assertIn(version, cli.out + cli.err)
        self.assertEqual(self.mprop('BusType'), 'session')
        self.assertEqual(self.mprop('Profiles'), [profile_path('alpha'), profile_path('beta')])
        self.assertEqual(self.mprop('Jobs'), [])
        props = self.get_all(MANAGER_PATH, MANAGER_IFACE)
        self.assertEqual(set(props), {'DaemonVersion', 'BusType', 'Profiles', 'Jobs'})

    def test_get_profile(self):
        self.start_daemon()
        self.assertEqual(self.manager_call('GetProfile', ('(s)', ('alpha',))),
                         PROFILES_PATH + '/alpha')
        e = self.assertDBusError('NotFound', self.manager_call, 'GetProfile',
                                 ('(s)', ('gamma',)))
        msg = error_message(e)
        self.assertIn('gamma', msg)
        # the message lists the known profiles
        self.assertIn('alpha', msg)
        self.assertIn('beta', msg)

    def test_escaped_object_path(self):
        self.write_config({'profile my-app.v2': self.sqlite_profile('odd')})
        self.start_daemon()
        path = self.manager_call('GetProfile', ('(s)', ('my-app.v2',)))
        self.assertEqual(path, profile_path('my-app.v2'))
        self.assertNotIn('-', path.rsplit('/', 1)[1])
        self.assertEqual(self.get_property(path, PROFILE_IFACE, 'Name'), 'my-app.v2')

    def test_add_profile_persisted(self):
        daemon = self.start_daemon()
        settings = self.sqlite_profile('added', environment='staging')
        path = self.manager_call('AddProfile', GLib.Variant('(sa{sv})', (
            'added', {k: GLib.Variant('s', v) for k, v in settings.items()})))
        self.assertEqual(path, profile_path('added'))
        self.assertEqual(self.get_property(path, PROFILE_IFACE, 'Source'), 'daemon')
        self.assertEqual(self.get_property(path, PROFILE_IFACE, 'Environment'), 'staging')
        self.assertEqual(self.get_property(path, PROFILE_IFACE, 'Dir'), settings['dir'])
        self.assertIn(path, self.mprop('Profiles'))
        self.assertEqual(self.get_property(profile_path('alpha'), PROFILE_IFACE, 'Source'),
                         'config')

        store = os.path.join(self.state_dir, 'profiles')
        f = os.path.join(store, 'added.conf')
        self.assertEqual(stat.S_IMODE(os.stat(store).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(f).st_mode), 0o600)
        with open(f, encoding='utf-8') as fh:
            text = fh.read()
        self.assertIn('[profile added]', text)
        self.assertIn(settings['dbstring'], text)
        # gander.conf itself is never written
        with open(self.conf, encoding='utf-8') as fh:
            self.assertNotIn('added', fh.read())

        # the same name again
        self.assertDBusError('InvalidArgument', self.manager_call, 'AddProfile',
                             GLib.Variant('(sa{sv})', ('added', {
                                 k: GLib.Variant('s', v) for k, v in settings.items()})))

        # a restarted daemon finds it again
        daemon.stop()
        self.session_bus.wait_name_gone(BUS_NAME)
        self.start_daemon()
        self.assertIn(path, self.mprop('Profiles'))
        self.assertEqual(self.get_property(path, PROFILE_IFACE, 'Source'), 'daemon')

    def test_add_profile_refusals(self):
        self.start_daemon()
        good = {k: GLib.Variant('s', v) for k, v in self.sqlite_profile('x').items()}

        def add(name, settings):
            return self.manager_call('AddProfile', GLib.Variant('(sa{sv})', (name, settings)))

        e = self.assertDBusError('Config', add, 'x', dict(good, **{
            'no-such-key': GLib.Variant('s', 'on')}))
        self.assertIn('no-such-key', error_message(e))
        e = self.assertDBusError('Config', add, 'x', dict(good, **{
            'backup-keep': GLib.Variant('s', 'many')}))
        self.assertIn('backup-keep', error_message(e))

        # a password in the dbstring: refused, and not repeated
        for dsn in ('postgres://bob:hunter2secret@localhost/app',
                    'host=localhost user=bob password=hunter2secret dbname=app'):
            e = self.assertDBusError('Config', add, 'x', dict(good, **{
                'driver': GLib.Variant('s', 'postgres'), 'dbstring': GLib.Variant('s', dsn)}))
            self.assertNotIn('hunter2secret', e.message)
            self.assertIn('dbstring', error_message(e))

        # a non-string value names its key
        e = self.assertDBusError('InvalidArgument', add, 'x', dict(good, **{
            'table': GLib.Variant('x', 3)}))
        self.assertIn('table', error_message(e))
        # a bad name
        self.assertDBusError('InvalidArgument', add, 'no spaces/here', good)
        self.assertDBusError('InvalidArgument', add, 'a' * 65, good)
        # nothing was stored by any of them
        store = os.path.join(self.state_dir, 'profiles')
        self.assertEqual(os.listdir(store) if os.path.isdir(store) else [], [])
        self.assertEqual(self.mprop('Profiles'), [profile_path('alpha'), profile_path('beta')])

    def test_remove_profile(self):
        self.start_daemon()
        rec = self.record(iface=OM_IFACE, member='InterfacesRemoved')
        path = self.manager_call('AddProfile', GLib.Variant('(sa{sv})', (
            'gone', {k: GLib.Variant('s', v)
                     for k, v in self.sqlite_profile('gone').items()})))
        f = os.path.join(self.state_dir, 'profiles', 'gone.conf')
        self.assertTrue(os.path.exists(f))
        self.manager_call('RemoveProfile', ('(o)', (path,)))
        self.assertFalse(os.path.exists(f))
        self.assertNotIn(path, self.mprop('Profiles'))
        sig = self.wait_signal(rec, 'InterfacesRemoved')
        self.assertEqual(sig[0][3][0], path)
        self.assertIn(PROFILE_IFACE, sig[0][3][1])
        self.assertDBusError('NotFound', self.manager_call, 'GetProfile', ('(s)', ('gone',)))
        # profiles of gander.conf stay
        self.assertDBusError('PolicyDenied', self.manager_call, 'RemoveProfile',
                             ('(o)', (profile_path('alpha'),)))
        self.assertIn(profile_path('alpha'), self.mprop('Profiles'))
        # an unknown path
        self.assertDBusError('NotFound', self.manager_call, 'RemoveProfile',
                             ('(o)', (profile_path('nobody'),)))

    def test_reload(self):
        self.start_daemon()
        rec = self.record(iface=OM_IFACE)
        self.write_config({
            'profile alpha': self.sqlite_profile('alpha', environment='production'),
            'profile delta': self.sqlite_profile('delta'),
        })
        self.manager_call('Reload')
        self.assertEqual(self.mprop('Profiles'), [profile_path('alpha'), profile_path('delta')])
        self.assertEqual(self.get_property(profile_path('alpha'), PROFILE_IFACE, 'Environment'),
                         'production')
        self.wait_signal(rec, 'InterfacesAdded')
        self.wait_signal(rec, 'InterfacesRemoved')
        self.assertEqual([s[3][0] for s in rec.of('InterfacesAdded')], [profile_path('delta')])
        self.assertEqual([s[3][0] for s in rec.of('InterfacesRemoved')], [profile_path('beta')])

        # a malformed file: Config, naming the file; the profiles stay
        with open(self.conf, 'a', encoding='utf-8') as f:
            f.write('[profile broken\ndriver=sqlite3\n')
        e = self.assertDBusError('Config', self.manager_call, 'Reload')
        self.assertIn('gander.conf', error_message(e))
        self.assertEqual(self.mprop('Profiles'), [profile_path('alpha'), profile_path('delta')])
        self.assertEqual(self.get_property(profile_path('delta'), PROFILE_IFACE, 'Name'),
                         'delta')

    def test_metrics_parse_as_prometheus_text(self):
        try:
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError:
            require(False, 'python3-prometheus-client is not installed')
        self.start_daemon()
        text = self.manager_call('GetMetrics')
        self.assertIsInstance(text, str)
        families = list(text_string_to_metric_families(text))
        for fam in families:
            self.assertTrue(fam.name.startswith('gander_'), fam.name)
        # a refresh reads the databases: the text stays valid
        self.profile_call('alpha', 'Refresh')
        text = self.manager_call('GetMetrics')
        list(text_string_to_metric_families(text))
        self.assertTrue(text == '' or text.endswith('\n'), repr(text[-40:]))

    def parse_metrics(self, text):
        """A small strict reader of the text format: one HELP and one TYPE
        per family, before its samples; every sample of a declared family;
        no (name, labels) twice. Returns {(name, labels as a frozenset): value}."""
        helps, types, samples = set(), {}, {}
        sample_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
        label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')
        for line in text.splitlines():
            if line.startswith('# HELP '):
                name = line.split()[2]
                self.assertNotIn(name, helps, 'a second HELP for ' + name)
                helps.add(name)
            elif line.startswith('# TYPE '):
                _, _, name, kind = line.split()
                self.assertNotIn(name, types, 'a second TYPE for ' + name)
                self.assertIn(kind, ('counter', 'gauge', 'histogram'), line)
                types[name] = kind
            else:
                m = sample_re.match(line)
                self.assertIsNotNone(m, 'not a sample: %r' % line)
                name, labels, value = m.groups()
                family = re.sub(r'_(bucket|sum|count)$', '', name)
                if family not in types or types[family] != 'histogram':
                    family = name
                self.assertIn(family, types, 'a sample before its TYPE: %r' % line)
                self.assertIn(family, helps, 'a sample before its HELP: %r' % line)
                pairs = label_re.findall(labels or '')
                self.assertEqual(len({k for k, _ in pairs}), len(pairs), line)
                key = (name, frozenset(pairs))
                self.assertNotIn(key, samples, 'a series twice: %r' % line)
                samples[key] = float(value)
        return samples

    def applied_total(self, samples, profile):
        return sum(v for (name, labels), v in samples.items()
                   if name == 'gander_migrations_applied_total' and
                   ('profile', profile) in labels and ('direction', 'up') in labels)

    def test_metrics_include_the_profiles_files(self):
        # m1 and m2 share a metrics file, plain has none: the CLI's run of
        # m1 is in GetMetrics; the daemon's run of m2 (written to the file
        # too) is counted once
        shared = self.path('metrics', 'gander.prom')
        self.write_config({
            'profile m1': self.sqlite_profile('m1', 2, metrics_file=shared),
            'profile m2': self.sqlite_profile('m2', 2, metrics_file=shared),
            'profile plain': self.sqlite_profile('plain', 2),
        })
        os.makedirs(os.path.dirname(shared), exist_ok=True)
        self.cli('m1', 'up')
        self.assertTrue(os.path.exists(shared))
        self.start_daemon()
        samples = self.parse_metrics(self.manager_call('GetMetrics'))
        self.assertEqual(self.applied_total(samples, 'm1'), 2, samples)
        self.assertEqual(self.applied_total(samples, 'm2'), 0)

        for name in ('m2', 'plain'):
            job = self.profile_call(name, 'Up', GLib.Variant('(a{sv})', ({},)))
            self.assertEqual(self.wait_job(job)['Result'], 'success')
        text = self.manager_call('GetMetrics')
        samples = self.parse_metrics(text)
        self.assertEqual([self.applied_total(samples, n) for n in ('m1', 'm2', 'plain')],
                         [2, 2, 2], text)
        build = [k for k in samples if k[0] == 'gander_build_info']
        self.assertEqual(len(build), 1, build)
        try:
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError:
            return
        list(text_string_to_metric_families(text))

    def test_object_manager(self):
        self.start_daemon()
        objects = self.managed_objects()
        self.assertIn(profile_path('alpha'), objects)
        self.assertIn(profile_path('beta'), objects)
        props = objects[profile_path('beta')][PROFILE_IFACE]
        self.assertEqual(props['Name'], 'beta')
        self.assertEqual(props['Driver'], 'sqlite3')
        self.assertEqual(props['Environment'], 'staging')
        self.assertEqual(props['Source'], 'config')
        # nothing but profiles (and jobs) below the manager
        for path in objects:
            self.assertTrue(path.startswith(PROFILES_PATH + '/') or
                            path.startswith('/org/gander/Migrator1/jobs/'), path)

    def test_idle_exit_and_activation(self):
        t0 = time.monotonic()
        daemon = self.start_daemon(idle_timeout=1)
        self.assertEqual(daemon.wait_exit(timeout=15), 0, daemon.log())
        # not at once: the daemon counts idle time in whole seconds
        # (g_timeout_add_seconds), so "1 s" may end a little earlier
        self.assertGreaterEqual(time.monotonic() - t0, 0.5)
        self.session_bus.wait_name_gone(BUS_NAME)

        # a call to the name starts it again through the bus
        bus = self.session_bus
        bus.add_service(BUS_NAME, [GANDER_DAEMON, '--session', '--idle-timeout=2',
                                   '--job-keep=2'])
        self.assertEqual(self.get_property(MANAGER_PATH, MANAGER_IFACE, 'Profiles'),
                         [profile_path('alpha'), profile_path('beta')])
        pid = bus.owner_pid(BUS_NAME)
        self.assertNotEqual(pid, daemon.pid)
        # and it goes away again when idle
        bus.wait_name_gone(BUS_NAME, timeout=15)
        deadline = time.monotonic() + 10
        while os.path.exists('/proc/%d' % pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists('/proc/%d' % pid) and
                         open('/proc/%d/stat' % pid).read().split(')')[-1].split()[0] != 'Z')

    def test_fractional_idle_timeout(self):
        # --idle-timeout=0.5: the daemon goes after half a second, not after
        # a whole one rounded either way
        t0 = time.monotonic()
        daemon = self.start_daemon(idle_timeout=0.5)
        self.assertEqual(daemon.wait_exit(timeout=15), 0, daemon.log())
        took = time.monotonic() - t0
        self.assertGreaterEqual(took, 0.5)
        self.assertLess(took, 5, 'exited after %.2f s' % took)
        self.assertIn('no call for 0.5 s', daemon.log())
        self.session_bus.wait_name_gone(BUS_NAME)
        for bad in ('-0.5', 'nan', 'soon', '1e9'):
            out = subprocess.run([GANDER_DAEMON, '--idle-timeout=' + bad],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 2, (bad, out.stderr))
            self.assertIn('idle-timeout', out.stderr)

    def test_calls_keep_it_alive(self):
        self.start_daemon(idle_timeout=2)
        # calls every half second for 3 s: longer than the idle timeout
        for _ in range(6):
            self.manager_call('GetProfile', ('(s)', ('alpha',)))
            time.sleep(0.5)
        self.assertIsNotNone(self.session_bus.name_owner(BUS_NAME))


if __name__ == '__main__':
    main()
