#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A smoke test of gander-daemon from the build tree, run inside
# `dbus-run-session` (a private session bus): the daemon owns
# org.gander.Migrator1, exports the Manager and one object per configured
# profile with its cached properties, answers GetProfile, hands over to
# --replace and exits after its idle timeout. The full D-Bus suites live
# in tests/dbus/.
#
# Usage: test-daemon-smoke.py GANDER_DAEMON HAVE_AUTH(0|1)

import os
import subprocess
import sys
import tempfile
import time

from gi.repository import Gio, GLib

DAEMON = sys.argv[1]
HAVE_AUTH = sys.argv[2] == '1'
NAME = 'org.gander.Migrator1'
ROOT = '/org/gander/Migrator1'

n_tests = 0


def ok(cond, what):
    global n_tests
    n_tests += 1
    print(('ok' if cond else 'not ok') + ' %d - %s' % (n_tests, what), flush=True)
    if not cond:
        sys.exit(1)


def call(bus, path, iface, method, args=None, reply=None):
    return bus.call_sync(NAME, path, iface, method, args,
                         GLib.VariantType(reply) if reply else None,
                         Gio.DBusCallFlags.NONE, 10000, None)


def name_owner(bus):
    try:
        r = bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', 'GetNameOwner',
                          GLib.Variant('(s)', (NAME,)), None,
                          Gio.DBusCallFlags.NONE, -1, None)
        return r.unpack()[0]
    except GLib.Error:
        return None


def wait_for(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def start(env, *args):
    return subprocess.Popen([DAEMON, '--session'] + list(args), env=env)


def main():
    print('TAP version 13')
    tmp = tempfile.TemporaryDirectory(prefix='gander-daemon-smoke-')
    cfg = os.path.join(tmp.name, 'config', 'gander')
    migrations = os.path.join(tmp.name, 'migrations')
    os.makedirs(cfg)
    os.makedirs(migrations)
    with open(os.path.join(migrations, '00001_init.sql'), 'w') as f:
        f.write('-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n')
    with open(os.path.join(cfg, 'gander.conf'), 'w') as f:
        f.write('[profile app-1]\ndriver = sqlite3\ndbstring = %s\ndir = %s\n'
                'environment = staging\n' % (os.path.join(tmp.name, 'app.db'), migrations))
    env = dict(os.environ,
               XDG_CONFIG_HOME=os.path.join(tmp.name, 'config'),
               GANDER_SYSCONFDIR=os.path.join(tmp.name, 'no-sysconf'),
               STATE_DIRECTORY=os.path.join(tmp.name, 'state'),
               LC_ALL='C.UTF-8')

    out = subprocess.run([DAEMON, '--version'], capture_output=True, text=True)
    ok(out.returncode == 0 and out.stdout.startswith('gander-daemon '), '--version')
    out = subprocess.run([DAEMON, '--session', '--system'], capture_output=True, text=True)
    ok(out.returncode == 2 and 'exclude' in out.stderr, '--session with --system is refused')

    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    daemon = start(env, '--idle-timeout=0')
    ok(wait_for(lambda: name_owner(bus) is not None, 10), 'the daemon owns ' + NAME)

    objects = call(bus, ROOT, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects',
                   reply='(a{oa{sa{sv}}})').unpack()[0]
    path = ROOT + '/profiles/' + Gio.dbus_escape_object_path('app-1')
    ok(path == ROOT + '/profiles/app_2d1', 'the object path escapes the name')
    ok(path in objects and 'org.gander.Migrator1.Profile' in objects[path],
       'the object manager exports the profile')
    props = objects[path]['org.gander.Migrator1.Profile']
    ok(props['Name'] == 'app-1' and props['Driver'] == 'sqlite3' and
       props['Environment'] == 'staging' and props['Dir'] == migrations and
       props['Source'] == 'config', 'the profile\'s settings are its properties')
    ok(props['CurrentVersion'] == -1 and props['RefreshedAt'] == 0 and not props['Busy'] and
       props['ActiveJob'] == '/' and props['BreakerState'] == 'closed',
       'the cached properties say "never read" without touching the database')
    ok(not os.path.exists(os.path.join(tmp.name, 'app.db')), 'no database was opened')

    manager = call(bus, ROOT, 'org.freedesktop.DBus.Properties', 'GetAll',
                   GLib.Variant('(s)', ('org.gander.Migrator1.Manager',)),
                   '(a{sv})').unpack()[0]
    ok(manager['BusType'] == 'session' and manager['Profiles'] == [path] and
       manager['Jobs'] == [] and manager['DaemonVersion'] != '', 'Manager properties')

    try:
        result = call(bus, ROOT, 'org.gander.Migrator1.Manager', 'GetProfile',
                      GLib.Variant('(s)', ('app-1',)), '(o)').unpack()[0]
        error = None
    except GLib.Error as e:
        result, error = None, Gio.dbus_error_get_remote_error(e)
    if HAVE_AUTH:
        ok(result == path, 'GetProfile answers the profile\'s path')
        try:
            call(bus, ROOT, 'org.gander.Migrator1.Manager', 'GetProfile',
                 GLib.Variant('(s)', ('nope',)), '(o)')
            ok(False, 'GetProfile of an unknown name fails')
        except GLib.Error as e:
            ok(Gio.dbus_error_get_remote_error(e) == 'org.gander.Migrator1.Error.NotFound'
               and 'app-1' in e.message, 'GetProfile of an unknown name: NotFound listing the known')
        status = call(bus, path, 'org.gander.Migrator1.Profile', 'Status',
                      reply='(aa{sv})').unpack()[0]
        ok(len(status) == 1 and status[0]['version'] == 1 and status[0]['state'] == 'pending',
           'Status lists the pending migration')
        props = call(bus, path, 'org.freedesktop.DBus.Properties', 'GetAll',
                     GLib.Variant('(s)', ('org.gander.Migrator1.Profile',)),
                     '(a{sv})').unpack()[0]
        ok(props['CurrentVersion'] == 0 and props['PendingCount'] == 1 and
           props['RefreshedAt'] > 0, 'Status refreshed the cached properties')
    else:
        ok(error == 'org.gander.Migrator1.Error.NotAuthorized',
           'built without gd-auth.c, GetProfile is refused (fails closed)')

    # --replace: the new daemon takes the name, the old one exits 0
    first_owner = name_owner(bus)
    second = start(env, '--replace', '--idle-timeout=1')
    ok(daemon.wait(timeout=10) == 0, 'a replaced daemon exits 0')
    ok(wait_for(lambda: name_owner(bus) not in (None, first_owner), 10),
       'the replacing daemon owns the name')

    # idle exit: no calls for 1 s, nothing running
    t0 = time.monotonic()
    ok(second.wait(timeout=15) == 0, 'the idle daemon exits 0')
    ok(time.monotonic() - t0 < 10, 'within its idle timeout (%.1f s)' % (time.monotonic() - t0))
    ok(wait_for(lambda: name_owner(bus) is None, 5), 'and releases the name')
    print('1..%d' % n_tests)


if __name__ == '__main__':
    main()
