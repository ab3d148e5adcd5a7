#!/usr/bin/python3
# dbus-admin.py: a small administration tool for gander-daemon over D-Bus
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   dbus-admin.py [--system] list
#   dbus-admin.py [--system] status PROFILE
#   dbus-admin.py [--system] up PROFILE [--reason TEXT] [--confirm NAME]
#                 [--dry-run] [--queue] [--interactive]
#
# `list` shows every profile the daemon serves, from its cached properties
# (no database is opened). `status` calls Profile.Status(). `up` starts
# Profile.Up(), draws a progress bar from the job's PropertiesChanged,
# prints each migration from MigrationFinished and the result from
# Completed; Ctrl-C cancels the job (Job.Cancel) and waits for it to stop,
# a second Ctrl-C leaves without waiting.
#
# Everything is asynchronous, driven by a GLib.MainLoop with callbacks
# (PyGObject 3.42 has no awaitable D-Bus calls): the object manager client
# keeps the proxies of profiles and jobs, and their properties, current.
#
# Exit status: 0 success, 1 failure, 4 refused (policy, confirmation,
# authorisation, busy), 130 cancelled. The D-Bus error names are those of
# docs/dbus.md.

import argparse
import datetime
import os
import re
import signal
import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'org.gander.Migrator1'
MANAGER_PATH = '/org/gander/Migrator1'
MANAGER_IFACE = 'org.gander.Migrator1.Manager'
PROFILE_IFACE = 'org.gander.Migrator1.Profile'
JOB_IFACE = 'org.gander.Migrator1.Job'
ERROR_PREFIX = 'org.gander.Migrator1.Error.'
REFUSED = ('NotAuthorized', 'PolicyDenied', 'ConfirmationRequired', 'Busy',
           'CircuitOpen')


def error_text(error):
    """'Name: message' of a D-Bus error, without GDBus's prefix."""
    name = Gio.DBusError.get_remote_error(error) or ''
    message = re.sub(r'^GDBus\.Error:[^ ]+: ', '', error.message)
    if name.startswith(ERROR_PREFIX):
        name = name[len(ERROR_PREFIX):]
    return ('%s: %s' % (name, message)) if name else message, name


def prop(proxy, name, default=None):
    v = proxy.get_cached_property(name)
    return default if v is None else v.unpack()


def when(usec):
    if not usec:
        return ''
    t = datetime.datetime.fromtimestamp(usec / 1e6, datetime.timezone.utc)
    return t.astimezone().strftime('%Y-%m-%d %H:%M:%S')


class Admin:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.status = 0
        self.om = None
        self.job = None          # the Job proxy once known
        self.job_path = None
        self.cancelling = False
        self.bar_shown = False
        self.tty = sys.stdout.isatty()

    # -- plumbing --------------------------------------------------------------

    def run(self):
        bus = Gio.BusType.SYSTEM if self.args.system else Gio.BusType.SESSION
        Gio.bus_get(bus, None, self._on_bus)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self._on_sigint)
        self.loop.run()
        return self.status

    def _on_bus(self, _source, result):
        try:
            self.conn = Gio.bus_get_finish(result)
        except GLib.Error as e:
            self.fail('cannot connect to the bus: ' + e.message)
            return
        # a Peer.Ping starts the daemon (D-Bus activation) when it is not
        # running; the object manager client then finds its objects
        self.conn.call(BUS_NAME, MANAGER_PATH, 'org.freedesktop.DBus.Peer', 'Ping',
                       None, None, Gio.DBusCallFlags.NONE, -1, None, self._on_ping)

    def _on_ping(self, conn, result):
        try:
            conn.call_finish(result)
        except GLib.Error as e:
            self.fail('cannot reach %s: %s' % (BUS_NAME, error_text(e)[0]))
            return
        Gio.DBusObjectManagerClient.new(
            conn, Gio.DBusObjectManagerClientFlags.NONE, BUS_NAME, MANAGER_PATH,
            None, None, None, self._on_manager)

    def _on_manager(self, _source, result):
        try:
            self.om = Gio.DBusObjectManagerClient.new_finish(result)
        except GLib.Error as e:
            self.fail('cannot list the objects of %s: %s' % (BUS_NAME, error_text(e)[0]))
            return
        self.start()

    def start(self):
        getattr(self, 'cmd_' + self.args.command)()

    def done(self, status=0):
        self.status = status
        self.loop.quit()

    def fail(self, message, status=1):
        self.clear_bar()
        print('dbus-admin: ' + message, file=sys.stderr)
        self.done(status)

    def profiles(self):
        out = []
        for obj in self.om.get_objects():
            p = obj.get_interface(PROFILE_IFACE)
            if p is not None:
                out.append(p)
        return sorted(out, key=lambda p: prop(p, 'Name', ''))

    def profile(self, name):
        for p in self.profiles():
            if prop(p, 'Name') == name:
                return p
        known = ', '.join(prop(p, 'Name', '?') for p in self.profiles()) or 'none'
        self.fail('no profile %r (known: %s)' % (name, known))
        return None

    # -- list ------------------------------------------------------------------

    def cmd_list(self):
        rows = [('PROFILE', 'DRIVER', 'ENVIRONMENT', 'VERSION', 'PENDING', 'STATE')]
        for p in self.profiles():
            state = []
            if prop(p, 'Busy'):
                state.append('busy')
            if prop(p, 'Dirty'):
                state.append('dirty')
            if prop(p, 'BreakerState', 'closed') != 'closed':
                state.append('breaker ' + prop(p, 'BreakerState'))
            if prop(p, 'LastError'):
                state.append('error')
            version = prop(p, 'CurrentVersion', -1)
            rows.append((prop(p, 'Name', ''), prop(p, 'Driver', ''), prop(p, 'Environment', ''),
                         '?' if version < 0 else str(version), str(prop(p, 'PendingCount', 0)),
                         ', '.join(state) or 'ok'))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        self.done(0)

    # -- status ----------------------------------------------------------------

    def cmd_status(self):
        p = self.profile(self.args.profile)
        if p is None:
            return
        p.call('Status', None, Gio.DBusCallFlags.NONE, -1, None, self._on_status)

    def _on_status(self, proxy, result):
        try:
            migrations = proxy.call_finish(result).unpack()[0]
        except GLib.Error as e:
            text, name = error_text(e)
            self.fail(text, 4 if name in REFUSED else 1)
            return
        print('%s: %s %s, version %s, %d pending%s' % (
            prop(proxy, 'Name'), prop(proxy, 'Driver'), prop(proxy, 'Environment'),
            prop(proxy, 'CurrentVersion'), prop(proxy, 'PendingCount', 0),
            ', DIRTY' if prop(proxy, 'Dirty') else ''))
        print('    %-20s %-8s %-19s %s' % ('VERSION', 'STATE', 'APPLIED', 'FILE'))
        for m in migrations:
            print('    %-20d %-8s %-19s %s' % (m.get('version', 0), m.get('state', ''),
                                                when(m.get('applied-at', 0)), m.get('name', '')))
        self.done(0)

    # -- up ----------------------------------------------------------------------

    def cmd_up(self):
        p = self.profile(self.args.profile)
        if p is None:
            return
        options = {'interactive': GLib.Variant('b', self.args.interactive)}
        if self.args.reason:
            options['reason'] = GLib.Variant('s', self.args.reason)
        if self.args.confirm:
            options['confirm'] = GLib.Variant('s', self.args.confirm)
        if self.args.dry_run:
            options['dry-run'] = GLib.Variant('b', True)
        if self.args.queue:
            options['queue'] = GLib.Variant('b', True)
        # the job is followed through the object manager: its interface
        # may be announced before or after the reply arrives
        self.om.connect('interface-added', self._on_interface_added)
        flags = Gio.DBusCallFlags.NONE
        if self.args.interactive:
            flags = Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION
        p.call('Up', GLib.Variant('(a{sv})', (options,)), flags, -1, None, self._on_up)

    def _on_up(self, proxy, result):
        try:
            self.job_path = proxy.call_finish(result).unpack()[0]
        except GLib.Error as e:
            text, name = error_text(e)
            self.fail(text, 4 if name in REFUSED else 1)
            return
        print('job %s' % self.job_path)
        iface = self.om.get_interface(self.job_path, JOB_IFACE)
        if iface is not None:
            self.follow(iface)

    def _on_interface_added(self, _om, obj, iface):
        if (self.job is None and self.job_path is not None and
                obj.get_object_path() == self.job_path and
                iface.get_interface_name() == JOB_IFACE):
            self.follow(iface)

    def follow(self, job):
        self.job = job
        job.connect('g-properties-changed', self._on_job_properties)
        job.connect('g-signal', self._on_job_signal)
        if self.cancelling:      # Ctrl-C came before the job was known
            self.cancel()
        if prop(job, 'State') == 'finished':
            self.finish(prop(job, 'Result', ''), prop(job, 'ErrorName', ''),
                        prop(job, 'ErrorMessage', ''))
        else:
            self.draw_bar()

    def _on_job_properties(self, job, _changed, _invalidated):
        self.draw_bar()

    def _on_job_signal(self, job, _sender, signal_name, params):
        args = params.unpack()
        if signal_name == 'MigrationFinished':
            version, source, direction, success, duration = args
            self.clear_bar()
            print('  %s %-5s %s (%.1f ms)' % ('OK ' if success else 'FAIL', direction,
                                              os.path.basename(source), duration / 1000.0))
            self.draw_bar()
        elif signal_name == 'Completed':
            self.finish(*args)

    def draw_bar(self):
        job = self.job
        if job is None:
            return
        pct = prop(job, 'Percentage', 101)
        phase = prop(job, 'Phase', '') or prop(job, 'State', '')
        current = os.path.basename(prop(job, 'CurrentFile', '') or '')
        width = 30
        if pct > 100:
            bar = '[' + '?' * width + ']  ?? %'
        else:
            filled = width * pct // 100
            bar = '[' + '#' * filled + '.' * (width - filled) + '] %3d %%' % pct
        line = '%s  %s %s' % (bar, phase, current)
        if self.tty:
            sys.stdout.write('\r\033[K' + line[:200])
            sys.stdout.flush()
            self.bar_shown = True

    def clear_bar(self):
        if self.bar_shown:
            sys.stdout.write('\r\033[K')
            sys.stdout.flush()
            self.bar_shown = False

    def finish(self, result, error_name, message):
        if self.loop.is_running() is False:
            return
        self.clear_bar()
        job = self.job
        versions = ''
        if job is not None:
            versions = ' (version %s → %s)' % (prop(job, 'FromVersion', 0), prop(job, 'ToVersion', 0))
        for w in prop(job, 'Warnings', []) if job is not None else []:
            print('warning: ' + w)
        if result == 'success':
            print('%s: success%s' % (self.args.profile, versions))
            self.done(0)
        elif result == 'cancelled':
            print('%s: cancelled%s' % (self.args.profile, versions))
            self.done(130)
        else:
            short = error_name[len(ERROR_PREFIX):] if error_name.startswith(ERROR_PREFIX) else error_name
            print('%s: %s: %s%s' % (self.args.profile, result, short or 'error', ': ' + message if message else ''),
                  file=sys.stderr)
            self.done(4 if result == 'refused' else 1)

    # -- Ctrl-C ------------------------------------------------------------------

    def _on_sigint(self):
        if self.args.command != 'up' or self.cancelling:
            self.clear_bar()
            print('dbus-admin: interrupted', file=sys.stderr)
            self.done(130)
            return GLib.SOURCE_REMOVE
        self.cancelling = True
        self.clear_bar()
        print('cancelling… (Ctrl-C again to leave without waiting)', file=sys.stderr)
        if self.job is not None:
            self.cancel()
        return GLib.SOURCE_CONTINUE

    def cancel(self):
        self.job.call('Cancel', None, Gio.DBusCallFlags.NONE, -1, None, self._on_cancel)

    def _on_cancel(self, job, result):
        try:
            job.call_finish(result)
        except GLib.Error as e:
            # the job may have finished meanwhile: Completed tells
            print('dbus-admin: cancel: ' + error_text(e)[0], file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description='Administer gander-daemon over D-Bus.')
    ap.add_argument('--system', action='store_true',
                    help='talk to the system bus daemon (default: the session bus)')
    sub = ap.add_subparsers(dest='command', required=True)
    sub.add_parser('list', help='every profile with its cached state')
    s = sub.add_parser('status', help="a profile's migrations (Profile.Status)")
    s.add_argument('profile')
    u = sub.add_parser('up', help='apply pending migrations with a progress bar; Ctrl-C cancels')
    u.add_argument('profile')
    u.add_argument('--reason', help='recorded in the audit log')
    u.add_argument('--confirm', metavar='NAME', help='the confirmation the environment wants')
    u.add_argument('--dry-run', action='store_true', help='plan and check only')
    u.add_argument('--queue', action='store_true', help='wait behind a running job instead of failing')
    u.add_argument('--interactive', action='store_true',
                   help='let polkit ask for a password (system bus)')
    # a line at a time even into a pipe: the job path, each migration
    sys.stdout.reconfigure(line_buffering=True)
    return Admin(ap.parse_args(argv)).run()


if __name__ == '__main__':
    sys.exit(main())
