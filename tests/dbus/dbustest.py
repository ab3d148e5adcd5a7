# dbustest.py: fixtures for the tests of gander-daemon (suite 'dbus')
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every test gets its own temporary directory and, on demand:
# * private buses (dbus-daemon with a generated configuration): one used as
#   the session bus, one used as the SYSTEM bus; both let every uid connect
#   (EXTERNAL authentication) so that clients can run as uid 65534;
# * python-dbusmock's polkitd template on the "system" bus
#   (SetAllowed/AllowUnknown), since CI runs as root and root bypasses polkit;
# * gander-daemon from the build tree (GANDER_DAEMON), with a generated
#   gander.conf, a temporary state directory and a short job keep time;
# * a real PostgreSQL server, the one of tests/cli/test-cli-postgres.py
#   (loaded from that file, shared by the tests of one script);
# * Gio helpers: method calls, a{sv} building, properties, waiting for
#   signals and PropertiesChanged, each wait bounded with a clear message;
# * a client running as another uid (setpriv) that performs calls and
#   answers in JSON.
# Cleanup stops every process a test started (no stray dbus-daemon, daemon,
# dbusmock or postgres). Results are reported as TAP (clitest.main).
#
# A missing prerequisite (dbus-daemon, dbusmock, setpriv, the built daemon)
# skips a test on a developer machine and FAILS it in CI (CI=true).

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import importlib.util
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'cli'))

from clitest import CliTestCase, base_env, main  # noqa: E402,F401 (main: for the tests)

import gi  # noqa: E402
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

GANDER_DAEMON = os.environ.get('GANDER_DAEMON', '')
PYTHON = '/usr/bin/python3' if os.access('/usr/bin/python3', os.X_OK) else sys.executable
IN_CI = os.environ.get('CI', '') == 'true'

BUS_NAME = 'org.gander.Migrator1'
MANAGER_PATH = '/org/gander/Migrator1'
PROFILES_PATH = '/org/gander/Migrator1/profiles'
JOBS_PATH = '/org/gander/Migrator1/jobs'
MANAGER_IFACE = 'org.gander.Migrator1.Manager'
PROFILE_IFACE = 'org.gander.Migrator1.Profile'
JOB_IFACE = 'org.gander.Migrator1.Job'
ERROR_PREFIX = 'org.gander.Migrator1.Error.'
PROPS_IFACE = 'org.freedesktop.DBus.Properties'
OM_IFACE = 'org.freedesktop.DBus.ObjectManager'

POLKIT_NAME = 'org.freedesktop.PolicyKit1'
POLKIT_PATH = '/org/freedesktop/PolicyKit1/Authority'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

# the unprivileged uid/gid clients run as ("nobody" on Debian)
OTHER_UID = 65534

# polkit actions (data/org.gander.Migrator1.policy, service/gd-auth.h)
A_INSPECT = 'org.gander.migrator1.inspect'
A_MIGRATE = 'org.gander.migrator1.migrate'
A_MIGRATE_PRODUCTION = 'org.gander.migrator1.migrate-production'
A_ROLLBACK = 'org.gander.migrator1.rollback'
A_ROLLBACK_PRODUCTION = 'org.gander.migrator1.rollback-production'
A_RESET = 'org.gander.migrator1.reset'
A_REPAIR = 'org.gander.migrator1.repair'
A_BACKUP = 'org.gander.migrator1.backup'
A_RESTORE = 'org.gander.migrator1.restore'
A_MANAGE_PROFILES = 'org.gander.migrator1.manage-profiles'
A_MANAGE_CREDENTIALS = 'org.gander.migrator1.manage-credentials'
A_CANCEL_JOB = 'org.gander.migrator1.cancel-job'
A_CANCEL_JOB_OTHER = 'org.gander.migrator1.cancel-job-other-user'

DEFAULT_TIMEOUT = 15  # seconds, for every wait unless a test says otherwise
# meson's `asan` setup (the daemon and the CLI built with -Db_sanitize)
# sets ASAN_OPTIONS: everything runs several times slower
SANITIZED = 'ASAN_OPTIONS' in os.environ


# -- prerequisites -------------------------------------------------------------

def require(ok, why):
    """Skips the current test when a prerequisite is missing, but fails it
    in CI (CI=true), where every prerequisite must be installed."""
    if ok:
        return
    if IN_CI:
        raise AssertionError('missing prerequisite in CI: ' + why)
    raise unittest.SkipTest(why)


def require_daemon():
    require(GANDER_DAEMON != '' and os.access(GANDER_DAEMON, os.X_OK),
            'gander-daemon is not built (GANDER_DAEMON=%r)' % GANDER_DAEMON)


def have_dbusmock():
    spec = importlib.util.find_spec('dbusmock')
    return spec is not None and os.path.exists(
        os.path.join(os.path.dirname(spec.origin), 'templates', 'polkitd.py'))


def require_dbusmock():
    require(have_dbusmock(), 'python-dbusmock with its polkitd template is not installed')


def require_other_uid():
    require(os.geteuid() == 0 and shutil.which('setpriv') is not None,
            'clients as uid %d need root and setpriv (running as uid %d)'
            % (OTHER_UID, os.geteuid()))


def daemon_supports(path, iface, method):
    """Whether the built daemon's interface XML (the one compiled in)
    has this method: the source tree's copy is what it was built from."""
    xml = os.path.join(HERE, '..', '..', 'data', 'org.gander.Migrator1.xml')
    with open(xml, encoding='utf-8') as f:
        info = Gio.DBusNodeInfo.new_for_xml(f.read())
    i = info.lookup_interface(iface)
    return i is not None and i.lookup_method(method) is not None


# -- errors -------------------------------------------------------------------

def error_name(e):
    """The D-Bus error name of a GLib.Error from a call (registered domains
    included: Gander's errors arrive in its domain once its quark exists)."""
    name = Gio.DBusError.get_remote_error(e)
    if name:
        return name
    return Gio.DBusError.encode_gerror(e)


def error_message(e):
    """A call's error message without GDBus's "GDBus.Error:NAME: " prefix."""
    return re.sub(r'^GDBus\.Error:[^ ]+: ', '', e.message)


# -- variants -----------------------------------------------------------------

def vardict(**kw):
    """An a{sv} from keyword arguments: python bool → b, int → x, str → s,
    list of str → as, a GLib.Variant as it is. Dashes: write
    vardict(**{'allow-missing': True}) or use underscores (turned into
    dashes)."""
    out = {}
    for k, v in kw.items():
        out[k.replace('_', '-')] = variant(v)
    return out


def variant(v):
    if isinstance(v, GLib.Variant):
        return v
    if isinstance(v, bool):
        return GLib.Variant('b', v)
    if isinstance(v, int):
        return GLib.Variant('x', v)
    if isinstance(v, str):
        return GLib.Variant('s', v)
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        return GLib.Variant('as', list(v))
    raise TypeError('no variant type for %r' % (v,))


def asv(d=None):
    """A GLib.Variant of type a{sv} from a dict of python values."""
    return GLib.Variant('a{sv}', {k: variant(v) for k, v in (d or {}).items()})


def profile_path(name):
    return PROFILES_PATH + '/' + Gio.dbus_escape_object_path(name)


# -- processes ----------------------------------------------------------------

def stop_process(proc, timeout=5, group=False):
    """SIGTERM, then SIGKILL after @timeout; @group: the whole process group
    (the process was started in a new session)."""
    if proc is None or proc.poll() is not None:
        if group and proc is not None:
            _killpg(proc.pid, signal.SIGKILL)
        return
    if group:
        _killpg(proc.pid, signal.SIGTERM)
    else:
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        if group:
            _killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait()
    if group:
        # anything the process started that is still in its group
        _killpg(proc.pid, signal.SIGKILL)


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def read_line(stream, proc, timeout, what):
    """One line from a pipe within @timeout seconds."""
    deadline = time.monotonic() + timeout
    buf = b''
    fd = stream.fileno()
    while not buf.endswith(b'\n'):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError('timed out after %gs waiting for %s' % (timeout, what))
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        chunk = os.read(fd, 1)
        if not chunk:
            raise AssertionError('%s: the process ended (rc=%r) before answering'
                                 % (what, proc.poll()))
        buf += chunk
    return buf.decode('utf-8').rstrip('\n')


def children_of(pid):
    """Every descendant pid of @pid (from /proc)."""
    parents = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, 'rb') as f:
                stat = f.read().decode('utf-8', 'replace')
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out = []
    todo = [pid]
    while todo:
        p = todo.pop()
        for c in parents.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid):
    """A process's argv (empty when it is gone)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return [a.decode('utf-8', 'replace') for a in f.read().split(b'\0') if a]
    except OSError:
        return []


# -- buses --------------------------------------------------------------------

BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{type}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <!-- every uid may connect: clients run as uid {other} too -->
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="reply_timeout">60000</limit>
</busconfig>
'''


class Bus:
    """A private dbus-daemon. @kind "session" or "system" only names it (and
    the <type> of its configuration); both accept every uid. Services in
    @servicedir (self.servicedir) are activated with @env."""

    def __init__(self, root, kind, env=None):
        self.kind = kind
        self.dir = os.path.join(root, 'bus-' + kind)
        os.makedirs(self.dir)
        # clients as another uid must reach the socket
        os.chmod(self.dir, 0o755)
        self.servicedir = os.path.join(self.dir, 'services')
        os.mkdir(self.servicedir)
        self.socket = os.path.join(self.dir, 'socket')
        self.config = os.path.join(self.dir, 'bus.conf')
        with open(self.config, 'w', encoding='utf-8') as f:
            f.write(BUS_CONFIG.format(type=kind, socket=self.socket,
                                      servicedir=self.servicedir, other=OTHER_UID))
        self.log_path = os.path.join(self.dir, 'dbus-daemon.log')
        self._log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(
            ['dbus-daemon', '--config-file=' + self.config, '--nofork',
             '--print-address=1', '--nopidfile'],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
            env=env or base_env(), start_new_session=True)
        try:
            self.address = read_line(self.proc.stdout, self.proc, DEFAULT_TIMEOUT,
                                     'the private %s bus to print its address' % kind)
        except AssertionError as e:
            self.stop()
            raise AssertionError('%s\n%s' % (e, self.log()))
        self._conn = None

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def connect(self):
        """A new connection of this process to the bus."""
        return Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)

    @property
    def conn(self):
        """This process's shared connection to the bus."""
        if self._conn is None or self._conn.is_closed():
            self._conn = self.connect()
        return self._conn

    def name_owner(self, name):
        """The unique name owning @name, or None."""
        try:
            r = self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                    'org.freedesktop.DBus', 'GetNameOwner',
                                    GLib.Variant('(s)', (name,)), GLib.VariantType('(s)'),
                                    Gio.DBusCallFlags.NONE, 5000, None)
            return r.unpack()[0]
        except GLib.Error:
            return None

    def owner_pid(self, name):
        r = self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                                GLib.Variant('(s)', (name,)), GLib.VariantType('(u)'),
                                Gio.DBusCallFlags.NONE, 5000, None)
        return r.unpack()[0]

    def wait_for_name(self, name, timeout=DEFAULT_TIMEOUT, proc=None, what=None,
                      previous=None):
        """Waits until @name has an owner other than @previous (the unique
        name a --replace takes it from); fails early when @proc ended."""
        deadline = time.monotonic() + timeout
        while True:
            owner = self.name_owner(name)
            if owner and owner != previous:
                return
            if proc is not None and proc.poll() is not None:
                raise AssertionError('%s exited with status %d before owning %s on the %s bus'
                                     % (what or 'the service', proc.returncode, name, self.kind))
            if time.monotonic() > deadline:
                raise AssertionError('timed out after %gs waiting for %s on the private %s bus'
                                     % (timeout, name, self.kind))
            time.sleep(0.02)

    def wait_name_gone(self, name, timeout=DEFAULT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while self.name_owner(name):
            if time.monotonic() > deadline:
                raise AssertionError('timed out after %gs waiting for %s to leave the %s bus'
                                     % (timeout, name, self.kind))
            time.sleep(0.02)

    def add_service(self, name, argv):
        """A D-Bus activation file for @name running @argv."""
        path = os.path.join(self.servicedir, name + '.service')
        with open(path, 'w', encoding='utf-8') as f:
            f.write('[D-BUS Service]\nName=%s\nExec=%s\n' % (name, ' '.join(argv)))
        self.call_bus('ReloadConfig')
        return path

    def call_bus(self, method, args=None, reply='()'):
        return self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                   'org.freedesktop.DBus', method, args,
                                   GLib.VariantType(reply), Gio.DBusCallFlags.NONE,
                                   5000, None).unpack()

    def stop(self):
        if self._conn is not None and not self._conn.is_closed():
            try:
                self._conn.close_sync(None)
            except GLib.Error:
                pass
        self._conn = None
        # the whole group: services it activated included
        stop_process(self.proc, group=True)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


# -- polkit -------------------------------------------------------------------

class Polkit:
    """python-dbusmock's polkitd template on @bus (the "system" bus). By
    default every action is refused."""

    def __init__(self, bus, root):
        self.bus = bus
        env = base_env()
        env['DBUS_SYSTEM_BUS_ADDRESS'] = bus.address
        env.pop('DBUS_SESSION_BUS_ADDRESS', None)
        self.log_path = os.path.join(root, 'polkitd-mock.log')
        self._log = open(self.log_path, 'wb')
        # dbusmock logs every call on stdout: keep it out of the TAP stream
        self.proc = subprocess.Popen(
            [PYTHON, '-m', 'dbusmock', '--template', 'polkitd'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            env=env, start_new_session=True)
        try:
            bus.wait_for_name(POLKIT_NAME, proc=self.proc, what='the polkitd mock')
        except AssertionError as e:
            self.stop()
            raise AssertionError('%s\n%s' % (e, self.log()))

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def _mock(self, method, args=None, reply='()'):
        return self.bus.conn.call_sync(POLKIT_NAME, POLKIT_PATH, MOCK_IFACE, method, args,
                                       GLib.VariantType(reply), Gio.DBusCallFlags.NONE,
                                       5000, None).unpack()

    def set_allowed(self, actions):
        self._mock('SetAllowed', GLib.Variant('(as)', (list(actions),)))

    def allow_unknown(self, allow):
        self._mock('AllowUnknown', GLib.Variant('(b)', (allow,)))

    def checks(self):
        """The CheckAuthorization calls so far: [(action_id, details dict,
        flags)]."""
        calls = self._mock('GetMethodCalls', GLib.Variant('(s)', ('CheckAuthorization',)),
                           '(a(tav))')[0]
        out = []
        for _stamp, args in calls:
            out.append((args[1], dict(args[2]), args[3]))
        return out

    def clear_checks(self):
        self._mock('ClearCalls')

    def stop(self):
        stop_process(self.proc, group=True)
        self._log.close()


# -- a client as another uid ----------------------------------------------------

# Run as uid OTHER_UID through setpriv. Reads one JSON request a line from
# stdin, answers one JSON line each:
#   {"address": BUS, "dest": NAME, "path": P, "iface": I, "method": M,
#    "args": GVARIANT-TEXT or null, "password": TEXT (sent through a pipe as
#    the call's fd 0) or absent, "timeout": SECONDS}
#   → {"ok": true, "result": [...], "text": GVARIANT-TEXT, "uid": N}
#   → {"ok": false, "error": D-BUS-ERROR-NAME, "message": TEXT, "domain":
#      GERROR-DOMAIN, "code": N, "uid": N}
# With "gander": true the client first imports Gander (the typelib) and calls
# Gander.error_quark(), so Gander's errors arrive in its own domain.
# Connections are kept per address (a "disconnect" request closes them).
CLIENT_CODE = r'''
import json, os, re, sys
from gi.repository import Gio, GLib
conns = {}
def conn_for(address):
    c = conns.get(address)
    if c is None or c.is_closed():
        c = Gio.DBusConnection.new_for_address_sync(address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        conns[address] = c
    return c
def plain(v):
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (bytes, bytearray)):
        return v.decode('utf-8', 'replace')
    return v
gander_domain = None
for line in sys.stdin:
    req = json.loads(line)
    out = {'uid': os.getuid()}
    try:
        if req.get('gander') and gander_domain is None:
            import gi
            gi.require_version('Gander', '1.0')
            from gi.repository import Gander
            # registers org.gander.Migrator1.Error.* for this process
            gander_domain = GLib.quark_to_string(Gander.error_quark())
        if req.get('disconnect'):
            for c in conns.values():
                c.close_sync(None)
            conns.clear()
            out['ok'] = True
        else:
            c = conn_for(req['address'])
            args = None
            if req.get('args') is not None:
                args = GLib.Variant.parse(None, req['args'], None, None)
            timeout = int(req.get('timeout', 25) * 1000)
            if 'password' in req:
                r, w = os.pipe()
                os.write(w, req['password'].encode('utf-8'))
                os.close(w)
                fds = Gio.UnixFDList.new_from_array([r])
                res, _ = c.call_with_unix_fd_list_sync(req['dest'], req['path'], req['iface'],
                    req['method'], args, None, Gio.DBusCallFlags.NONE, timeout, fds, None)
            else:
                res = c.call_sync(req['dest'], req['path'], req['iface'], req['method'],
                                  args, None, Gio.DBusCallFlags.NONE, timeout, None)
            out['ok'] = True
            out['result'] = plain(res.unpack()) if res is not None else None
            out['text'] = res.print_(True) if res is not None else None
    except GLib.Error as e:
        out['ok'] = False
        out['error'] = Gio.DBusError.get_remote_error(e) or Gio.DBusError.encode_gerror(e)
        out['message'] = re.sub(r'^GDBus\.Error:[^ ]+: ', '', e.message)
        out['domain'] = e.domain
        out['code'] = e.code
    print(json.dumps(out), flush=True)
'''


class OtherUidClient:
    """A client process running as uid/gid OTHER_UID (setpriv, no groups):
    on the system bus polkit decides for it (root would bypass polkit); on
    the session bus it is not the daemon's uid."""

    def __init__(self, root, uid=OTHER_UID):
        require_other_uid()
        env = {'PATH': '/usr/bin:/bin', 'LC_ALL': 'C.UTF-8', 'HOME': '/',
               'GIO_USE_VFS': 'local', 'PYTHONDONTWRITEBYTECODE': '1'}
        # the uninstalled typelib, for clients that import Gander
        for k in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH'):
            if k in os.environ:
                env[k] = os.environ[k]
        self.log_path = os.path.join(root, 'client-%d.log' % uid)
        self._log = open(self.log_path, 'wb')
        self.uid = uid
        self.proc = subprocess.Popen(
            ['setpriv', '--reuid=%d' % uid, '--regid=%d' % uid, '--clear-groups', '--',
             PYTHON, '-c', CLIENT_CODE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            env=env, cwd='/', start_new_session=True)

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def request(self, req, timeout=30):
        self.proc.stdin.write((json.dumps(req) + '\n').encode('utf-8'))
        self.proc.stdin.flush()
        try:
            line = read_line(self.proc.stdout, self.proc, timeout,
                             'the uid %d client to answer %s' % (self.uid, req.get('method')))
        except AssertionError as e:
            raise AssertionError('%s\n--- client stderr\n%s' % (e, self.log()))
        return json.loads(line)

    def call(self, bus, path, iface, method, args=None, password=None, dest=BUS_NAME,
             timeout=25, gander=False):
        """One call; @args a GLib.Variant tuple (or None). Returns the JSON
        answer: {"ok", "result"/"error", "message", "uid"}."""
        req = {'address': bus.address, 'dest': dest, 'path': path, 'iface': iface,
               'method': method, 'args': args.print_(True) if args is not None else None,
               'timeout': timeout}
        if password is not None:
            req['password'] = password
        if gander:
            req['gander'] = True
        res = self.request(req, timeout + 5)
        if res.get('uid') != self.uid:
            raise AssertionError('the client did not run as uid %d: %r' % (self.uid, res))
        return res

    def disconnect(self):
        return self.request({'disconnect': True})

    def stop(self):
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        stop_process(self.proc, group=True)
        self.proc.stdout.close()
        self._log.close()


# -- the daemon ---------------------------------------------------------------

class Daemon:
    """gander-daemon from the build tree on @bus (kind "session" or
    "system"), its stdout and stderr in self.log()."""

    def __init__(self, case, bus, args=(), env=None, wait=True):
        require_daemon()
        self.bus = bus
        self.kind = bus.kind
        self.argv = [GANDER_DAEMON, '--' + bus.kind] + list(args)
        self.env = case.daemon_env(bus)
        self.env.update(env or {})
        self.log_path = os.path.join(case.tmp, 'daemon-%d.log' % len(case._daemons))
        self._log = open(self.log_path, 'wb')
        # with --replace the name has an owner already: wait for the new one,
        # or calls may still reach the daemon being replaced
        previous = bus.name_owner(BUS_NAME) if '--replace' in self.argv else None
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        case._daemons.append(self)
        if wait:
            try:
                bus.wait_for_name(BUS_NAME, proc=self.proc, what='gander-daemon',
                                  previous=previous)
            except AssertionError as e:
                raise AssertionError('%s\n--- daemon output\n%s' % (e, self.log()))

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('gander-daemon did not exit within %gs\n%s'
                                 % (timeout, self.log()))

    def children(self):
        return children_of(self.proc.pid)

    def stop(self):
        stop_process(self.proc, group=True)
        self._log.close()

    def sanitizer_report(self):
        """What AddressSanitizer, LeakSanitizer or UBSan said in the log of
        the stopped daemon (a build with -Db_sanitize), or None."""
        text = self.log()
        m = SANITIZER_RE.search(text)
        if m is None:
            return None
        return text[max(0, m.start() - 200):m.start() + 4000]


# a report of the sanitizers (.ci/run's ASan pass runs suite dbus)
SANITIZER_RE = re.compile(r'ERROR: (AddressSanitizer|LeakSanitizer)|: runtime error: ')


# -- the test case ------------------------------------------------------------

class SignalRecorder:
    """Records signals matching the given filters on @conn."""

    def __init__(self, conn, sender=None, path=None, iface=None, member=None,
                 arg0=None, namespace=False):
        self.conn = conn
        self.signals = []   # (path, iface, member, unpacked args)
        flags = Gio.DBusSignalFlags.NONE
        if namespace:
            flags = Gio.DBusSignalFlags.MATCH_ARG0_NAMESPACE
        self.id = conn.signal_subscribe(sender, iface, member, path, arg0, flags,
                                        self._on_signal)

    def _on_signal(self, _conn, _sender, path, iface, member, params):
        self.signals.append((path, iface, member, params.unpack()))

    def of(self, member, path=None):
        return [s for s in self.signals
                if s[2] == member and (path is None or s[0] == path)]

    def close(self):
        if self.id:
            self.conn.signal_unsubscribe(self.id)
            self.id = 0


class DBusTestCase(CliTestCase):
    """A temporary directory (self.tmp, CliTestCase's file helpers) and the
    fixtures above, each started on demand and stopped at cleanup."""

    def setUp(self):
        t0 = time.monotonic()
        # the time each test took, as a TAP comment (the suite must stay fast)
        self.addCleanup(lambda: print('# %s took %.2f s' % (self.id(), time.monotonic() - t0),
                                      flush=True))
        super().setUp()
        self._daemons = []
        self._session = None
        self._system = None
        self._polkit = None
        self._clients = []
        # clients as another uid reach the bus sockets below it
        os.chmod(self.tmp, 0o711)
        self.state_dir = self.mkdir('state')
        self.sysconfdir = self.mkdir('etc')
        self.xdg_config = self.mkdir('xdg-config')
        self.home = self.mkdir('home')
        # the command-line tool reads the same configuration as the daemon
        for k in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                  'GANDER_METRICS_FILE'):
            self.env.pop(k, None)
        self.env['GANDER_SYSCONFDIR'] = self.sysconfdir
        self.env['XDG_CONFIG_HOME'] = self.xdg_config
        self.env['XDG_STATE_HOME'] = self.mkdir('xdg-state')
        self.env['HOME'] = self.home
        # the library's state (default backup directories): the daemon's
        self.env['GANDER_STATE_DIR'] = self.state_dir
        self.addCleanup(self._stop_all)

    def _stop_all(self):
        for c in self._clients:
            c.stop()
        reports = []
        for d in self._daemons:
            d.stop()
            report = d.sanitizer_report()
            if report is not None:
                reports.append('%s:\n%s' % (' '.join(d.argv), report))
        if self._polkit is not None:
            self._polkit.stop()
        for b in (self._session, self._system):
            if b is not None:
                b.stop()
        # after everything stopped: no process outlives a failing test
        if reports:
            raise AssertionError('gander-daemon under a sanitizer reported:\n'
                                 + '\n'.join(reports))

    # -- fixtures, on demand ----------------------------------------------------

    def daemon_env(self, bus):
        """The environment the daemon runs in (and activation inherits)."""
        env = base_env()
        for k in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                  'GANDER_METRICS_FILE', 'DBUS_SESSION_BUS_ADDRESS',
                  'DBUS_SYSTEM_BUS_ADDRESS', 'DBUS_STARTER_ADDRESS',
                  'DBUS_STARTER_BUS_TYPE', 'STATE_DIRECTORY', 'XDG_STATE_HOME',
                  'GANDER_STATE_DIR',
                  'SECRET_BACKEND', 'SECRET_FILE_TEST_PATH', 'SECRET_FILE_TEST_PASSWORD',
                  'CREDENTIALS_DIRECTORY',
                  # the daemon finds its library through its run path; this
                  # is for the typelib of the test process
                  'LD_LIBRARY_PATH'):
            env.pop(k, None)
        if bus is not None:
            if bus.kind == 'system':
                env['DBUS_SYSTEM_BUS_ADDRESS'] = bus.address
            else:
                env['DBUS_SESSION_BUS_ADDRESS'] = bus.address
        env['GANDER_SYSCONFDIR'] = self.sysconfdir
        env['XDG_CONFIG_HOME'] = self.xdg_config
        env['STATE_DIRECTORY'] = self.state_dir
        env['XDG_STATE_HOME'] = self.mkdir('xdg-state')
        env['XDG_DATA_HOME'] = self.mkdir('xdg-data')
        env['XDG_CACHE_HOME'] = self.mkdir('xdg-cache')
        run = self.mkdir('xdg-runtime')
        os.chmod(run, 0o700)
        env['XDG_RUNTIME_DIR'] = run
        env['HOME'] = self.home
        env['GIO_USE_VFS'] = 'local'
        env['G_DEBUG'] = 'fatal-criticals'
        return env

    @property
    def session_bus(self):
        if self._session is None:
            require(shutil.which('dbus-daemon') is not None, 'dbus-daemon is not installed')
            self._session = Bus(self.tmp, 'session', env=self.daemon_env(None))
        return self._session

    @property
    def system_bus(self):
        if self._system is None:
            require(shutil.which('dbus-daemon') is not None, 'dbus-daemon is not installed')
            self._system = Bus(self.tmp, 'system', env=self.daemon_env(None))
        return self._system

    @property
    def polkit(self):
        """The polkitd mock on the system bus (started on first use)."""
        if self._polkit is None:
            require_dbusmock()
            self._polkit = Polkit(self.system_bus, self.tmp)
        return self._polkit

    def start_daemon(self, kind='session', args=None, env=None, wait=True,
                     idle_timeout=0, job_keep=2):
        """gander-daemon on the private bus of @kind, with --job-keep and
        --idle-timeout (a test may pass its own in @args)."""
        bus = self.session_bus if kind == 'session' else self.system_bus
        argv = ['--job-keep=%d' % job_keep, '--idle-timeout=%g' % idle_timeout]
        argv += list(args or [])
        return Daemon(self, bus, argv, env, wait)

    def other_client(self):
        """A client as uid OTHER_UID, stopped at cleanup."""
        c = OtherUidClient(self.tmp)
        self._clients.append(c)
        return c

    def call_as_other(self, bus, path, iface, method, args=None, password=None):
        """One call as uid OTHER_UID in a short-lived client."""
        c = self.other_client()
        try:
            return c.call(bus, path, iface, method, args, password=password)
        finally:
            c.stop()
            self._clients.remove(c)

    # -- configuration --------------------------------------------------------

    def write_config(self, groups, where='xdg'):
        """gander.conf from {group: {key: value}} (e.g. {'profile dev':
        {...}}), in $XDG_CONFIG_HOME/gander (where='xdg') or
        $GANDER_SYSCONFDIR/gander ('sysconf'). Returns its path."""
        base = self.xdg_config if where == 'xdg' else self.sysconfdir
        path = os.path.join(base, 'gander', 'gander.conf')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            for group, keys in groups.items():
                f.write('[%s]\n' % group)
                for k, v in keys.items():
                    f.write('%s=%s\n' % (k, v))
                f.write('\n')
        return path

    def sqlite_profile(self, name, n=3, environment='development', **keys):
        """Settings of a profile on a new SQLite file with n migrations
        (tables t1..tn) in their own directory."""
        d = self.simple_set('migrations-' + name, n)
        settings = {'driver': 'sqlite3', 'dbstring': self.path(name + '.db'), 'dir': d,
                    'environment': environment}
        settings.update({k.replace('_', '-'): v for k, v in keys.items()})
        return settings

    def pg_profile(self, name, n=3, environment='development', **keys):
        """Settings of a profile on an empty database of the shared
        PostgreSQL server with n migrations; self.pg_dbname[name] is the
        database (one per profile name and script, emptied for each test:
        only the public schema is kept)."""
        srv = pg_server()
        dbname = _pg_databases.pop(name, None)
        if dbname is not None:
            # a database of an earlier test of this script, emptied (faster
            # than CREATE DATABASE on a loaded machine)
            try:
                srv.psql(dbname, 'SET client_min_messages = warning; '
                                 'DROP SCHEMA public CASCADE; CREATE SCHEMA public; '
                                 'GRANT ALL ON SCHEMA public TO public')
            except subprocess.CalledProcessError:
                dbname = None   # the test dropped it
        if dbname is None:
            dbname = srv.new_database()
        _pg_databases[name] = dbname
        if not hasattr(self, 'pg_dbname'):
            self.pg_dbname = {}
        self.pg_dbname[name] = dbname
        d = self.simple_set('migrations-' + name, n)
        settings = {'driver': 'postgres',
                    'dbstring': 'host=%s port=%d user=postgres dbname=%s'
                                % (srv.dir, srv.port, dbname),
                    'dir': d, 'environment': environment}
        settings.update({k.replace('_', '-'): v for k, v in keys.items()})
        return settings

    def pg_sql(self, name, sql):
        return pg_server().psql(self.pg_dbname[name], sql).strip()

    def cli(self, profile, *args, **kw):
        """The command-line tool on a profile of the generated gander.conf
        (`gander --profile NAME ARGS`), which must succeed."""
        r = self.gander('--profile', profile, *args, **kw)
        self.assertEqual(r.rc, 0, 'gander --profile %s %s: %r' % (profile, ' '.join(args), r))
        return r

    # -- calls ----------------------------------------------------------------

    def bus_for(self, bus):
        if bus is None or bus == 'session':
            return self.session_bus
        if bus == 'system':
            return self.system_bus
        return bus

    def call(self, path, iface, method, args=None, reply=None, bus=None, fds=None,
             timeout=DEFAULT_TIMEOUT):
        """A method call of the daemon; @args a GLib.Variant tuple or a
        (signature, python tuple) pair. Returns the unpacked reply: the value
        itself when the reply has one value, None when it has none. Raises
        GLib.Error (see error_name())."""
        conn = self.bus_for(bus).conn
        if isinstance(args, tuple) and len(args) == 2 and isinstance(args[0], str):
            args = GLib.Variant(args[0], args[1])
        rtype = GLib.VariantType(reply) if reply else None
        if fds is not None:
            res, _ = conn.call_with_unix_fd_list_sync(BUS_NAME, path, iface, method, args,
                                                      rtype, Gio.DBusCallFlags.NONE,
                                                      int(timeout * 1000), fds, None)
        else:
            res = conn.call_sync(BUS_NAME, path, iface, method, args, rtype,
                                 Gio.DBusCallFlags.NONE, int(timeout * 1000), None)
        if res is None:
            return None
        v = res.unpack()
        if len(v) == 0:
            return None
        if len(v) == 1:
            return v[0]
        return v

    def manager_call(self, method, args=None, bus=None, **kw):
        return self.call(MANAGER_PATH, MANAGER_IFACE, method, args, bus=bus, **kw)

    def profile_call(self, name, method, args=None, bus=None, **kw):
        return self.call(profile_path(name), PROFILE_IFACE, method, args, bus=bus, **kw)

    def get_property(self, path, iface, name, bus=None):
        """One property read through org.freedesktop.DBus.Properties.Get
        (asks the daemon, not a proxy's cache)."""
        return self.call(path, PROPS_IFACE, 'Get', GLib.Variant('(ss)', (iface, name)),
                         '(v)', bus=bus)

    def get_all(self, path, iface, bus=None):
        return self.call(path, PROPS_IFACE, 'GetAll', GLib.Variant('(s)', (iface,)),
                         '(a{sv})', bus=bus)

    def managed_objects(self, bus=None):
        return self.call(MANAGER_PATH, OM_IFACE, 'GetManagedObjects', None,
                         '(a{oa{sa{sv}}})', bus=bus)

    def proxy(self, path, iface, bus=None):
        """A Gio.DBusProxy (properties cached and kept up to date from
        PropertiesChanged)."""
        return Gio.DBusProxy.new_sync(self.bus_for(bus).conn, Gio.DBusProxyFlags.NONE, None,
                                      BUS_NAME, path, iface, None)

    def assertDBusError(self, name, fn, *args, **kw):
        """fn(*args, **kw) fails with the D-Bus error @name (a short name such
        as "NotFound" means org.gander.Migrator1.Error.NotFound). Returns the
        GLib.Error."""
        if '.' not in name:
            name = ERROR_PREFIX + name
        try:
            fn(*args, **kw)
        except GLib.Error as e:
            self.assertEqual(error_name(e), name, 'message: %s' % e.message)
            return e
        self.fail('%s did not fail (expected %s)' % (getattr(fn, '__name__', fn), name))

    # -- waiting ----------------------------------------------------------------

    def wait_for(self, predicate, what, timeout=DEFAULT_TIMEOUT):
        """Runs the default main context until predicate() is true (returns
        its value); fails naming @what after @timeout seconds."""
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while True:
            while ctx.pending():
                ctx.iteration(False)
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail('timed out after %gs waiting for %s' % (timeout, what))
            tick = GLib.timeout_source_new(20)
            tick.set_callback(lambda *a: False)
            tick.attach(ctx)
            ctx.iteration(True)
            tick.destroy()

    def spin(self, seconds):
        """Runs the main context for @seconds (to let signals arrive)."""
        end = time.monotonic() + seconds
        self.wait_for(lambda: time.monotonic() >= end, 'nothing', seconds + 5)

    def record(self, bus=None, path=None, iface=None, member=None, **kw):
        """A SignalRecorder of the daemon's signals, closed at cleanup."""
        conn = self.bus_for(bus).conn
        rec = SignalRecorder(conn, BUS_NAME, path, iface, member, **kw)
        self.addCleanup(rec.close)
        return rec

    def wait_signal(self, rec, member, path=None, timeout=DEFAULT_TIMEOUT, count=1):
        """Waits until @rec has @count signals @member (of @path); returns
        them."""
        self.wait_for(lambda: len(rec.of(member, path)) >= count,
                      '%d %s signal(s)%s' % (count, member, ' from ' + path if path else ''),
                      timeout)
        return rec.of(member, path)

    def wait_property(self, path, iface, name, predicate, bus=None, timeout=DEFAULT_TIMEOUT):
        """Polls a property (Properties.Get) until predicate(value); returns
        the value."""
        last = []

        def check():
            last[:] = [self.get_property(path, iface, name, bus=bus)]
            return predicate(last[0])
        try:
            self.wait_for(check, '%s.%s of %s' % (iface, name, path), timeout)
        except AssertionError as e:
            raise AssertionError('%s (last value %r)' % (e, last[0] if last else None))
        return last[0]

    def wait_job(self, job_path, bus=None, timeout=DEFAULT_TIMEOUT):
        """Waits until the job is finished; returns its properties."""
        self.wait_property(job_path, JOB_IFACE, 'State', lambda s: s == 'finished',
                           bus=bus, timeout=timeout)
        return self.get_all(job_path, JOB_IFACE, bus=bus)


# -- PostgreSQL ---------------------------------------------------------------

_pg = None
_pg_databases = {}   # profile name → database of the shared server


def pg_module():
    """tests/cli/test-cli-postgres.py, loaded once (its Server class and
    server() fixture)."""
    global _pg
    if _pg is None:
        spec = importlib.util.spec_from_file_location(
            'cli_postgres', os.path.join(HERE, '..', 'cli', 'test-cli-postgres.py'))
        _pg = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_pg)
    return _pg


def pg_server():
    """The shared PostgreSQL server of this test script (started on first
    use; stopped by tearDownModule)."""
    require(shutil.which('pg_config') is not None, 'PostgreSQL is not installed (no pg_config)')
    return pg_module().server()


def tearDownModule():
    """Stops the PostgreSQL server if a test started it: test scripts using
    pg_profile() do `from dbustest import tearDownModule`."""
    if _pg is not None:
        _pg.tearDownModule()
