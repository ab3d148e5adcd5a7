#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Tries gander-daemon's system bus policy (org.gander.Migrator1.conf) in a
# real dbus-daemon: a private bus configured with the defaults of dbus's
# system.conf that matter (deny own, deny method calls) plus that file.
# Root must be able to own org.gander.Migrator1; uid 65534 must not, but
# may call the daemon's interfaces, Properties, ObjectManager and
# Introspectable; a foreign interface stays refused. Needs root (to switch
# uid with setpriv). Used by .ci/check-install.
#
# Usage: check-bus-policy.py POLICY_FILE

import os
import shutil
import subprocess
import sys
import tempfile

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

NAME = 'org.gander.Migrator1'
DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
OTHER_UID = 65534

CLIENT = r'''
import sys
from gi.repository import Gio, GLib
c = Gio.DBusConnection.new_for_address_sync(sys.argv[1],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
    Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
def call(dest, path, iface, method, args):
    try:
        c.call_sync(dest, path, iface, method, args, None, 0, 5000, None)
        return 'ok'
    except GLib.Error as e:
        return Gio.DBusError.get_remote_error(e) or 'local-error'
print(call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
           'RequestName', GLib.Variant('(su)', ('org.gander.Migrator1', 4))))
for iface, method, args in (
        ('org.gander.Migrator1.Manager', 'Reload', None),
        ('org.gander.Migrator1.Profile', 'Refresh', None),
        ('org.gander.Migrator1.Job', 'Cancel', None),
        ('org.freedesktop.DBus.Properties', 'GetAll',
         GLib.Variant('(s)', ('org.gander.Migrator1.Manager',))),
        ('org.freedesktop.DBus.ObjectManager', 'GetManagedObjects', None),
        ('org.freedesktop.DBus.Introspectable', 'Introspect', None),
        ('org.example.NotGander', 'Poke', None)):
    print(call('org.gander.Migrator1', '/org/gander/Migrator1', iface, method, args))
'''


def main():
    policy = sys.argv[1]
    # the socket's directory must be reachable by uid 65534
    work = tempfile.mkdtemp(prefix='gander-bus-policy.')
    os.chmod(work, 0o755)
    try:
        check(policy, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(policy, work):
    conf = os.path.join(work, 'system-bus.conf')
    with open(conf, 'w') as f:
        f.write('''<busconfig>
  <type>system</type>
  <listen>unix:path=%s/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
  </policy>
  <include>%s</include>
</busconfig>
''' % (work, policy))
    bus = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork',
                            '--print-address=1'],
                           stdout=subprocess.PIPE, text=True)
    try:
        address = bus.stdout.readline().strip()
        if not address:
            sys.exit('dbus-daemon did not start with the policy included')
        owner = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        reply = owner.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                'org.freedesktop.DBus', 'RequestName',
                                GLib.Variant('(su)', (NAME, 4)),
                                GLib.VariantType('(u)'), 0, 5000, None).unpack()[0]
        if reply != 1:
            sys.exit('root could not own %s (RequestName replied %d)' % (NAME, reply))
        # the owner exports nothing: a call that passes the bus gets GDBus's
        # UnknownMethod from it, one the bus refuses gets AccessDenied
        out = subprocess.run(['setpriv', '--reuid=%d' % OTHER_UID, '--regid=%d' % OTHER_UID,
                              '--clear-groups', '/usr/bin/python3', '-c', CLIENT, address],
                             capture_output=True, text=True, timeout=60)
        lines = out.stdout.split()
        if out.returncode != 0 or len(lines) != 8:
            sys.exit('the client as uid %d failed: %s%s' % (OTHER_UID, out.stdout, out.stderr))
        if lines[0] != DENIED:
            sys.exit('uid %d may own %s (%s)' % (OTHER_UID, NAME, lines[0]))
        if DENIED in lines[1:7]:
            sys.exit('the bus refuses a call uid %d may make: %s' % (OTHER_UID, lines[1:7]))
        if lines[7] != DENIED:
            sys.exit('the bus lets a foreign interface through (%s)' % lines[7])
        print('root owns the name; uid %d cannot, and may call Manager, Profile, Job, '
              'Properties, ObjectManager, Introspectable but no other interface' % OTHER_UID)
    finally:
        bus.terminate()
        bus.wait()


if __name__ == '__main__':
    main()
