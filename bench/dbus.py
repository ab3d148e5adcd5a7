#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gander-daemon over D-Bus: Status latency and a job under polling load.

Issue 11's benchmark, on a private session bus (its own dbus-daemon) with
gander-daemon from a build tree and SQLite databases on tmpfs:

1. **Status round trip**: a profile with N (1000) applied migrations;
   after a warm-up, `Profile.Status()` (a dictionary per migration) and
   `Profile.StatusColumns()` (the same table as arrays) called back to
   back by one client (a Gio connection in this process, synchronous
   calls, no unpacking into Python); p50, p90, p99 and max of the round
   trips. Goal: p50 <= 2 ms.
2. **50 clients polling while a job runs**: 50 client processes, each on
   its own connection, call --poll-method (StatusColumns; Status can be
   chosen) on the profile being migrated every --poll-interval seconds
   (default 0.1 s: 500 calls/s in all) while `Profile.Up()` applies N
   migrations to a fresh database. Goal: no call over 50 ms.
3. **Job throughput**: the same `up` of N migrations through the CLI
   (`gander --profile job up`, the same profile and pipeline) and through
   the daemon (Up() until Completed), with and without the 50 pollers,
   as pairs on fresh databases, alternating which goes first; the median
   of the per-pair ratios daemon / CLI. Goal: within 5 %.

    bench/dbus.py --daemon BUILD/service/gander-daemon --gander BUILD/cli/gander \\
        --workdir /dev/shm/w [--count 1000] [--calls 2000] [--clients 50]
        [--poll-interval 0.1] [--poll-method StatusColumns] [--pairs 3]
        [--results FILE]

(bench/run-dbus.sh does this with a temporary tmpfs directory.) The client
side of 2. is this same script with --client.
"""

import argparse
import json
import os
import platform
import select
import shutil
import statistics
import subprocess
import sys
import time

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUS_NAME = 'org.gander.Migrator1'
PROFILE_IFACE = 'org.gander.Migrator1.Profile'
JOB_IFACE = 'org.gander.Migrator1.Job'
PROFILES = '/org/gander/Migrator1/profiles/'

BUS_CONFIG = '''<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <limit name="max_connections_per_user">1000</limit>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''


def connect(address):
    return Gio.DBusConnection.new_for_address_sync(
        address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)


# Ping (org.freedesktop.DBus.Peer) is the floor of any call: the bus and
# GDBus alone, no daemon code
REPLY_TYPES = {'Status': '(aa{sv})', 'StatusColumns': '(a{sv})', 'Ping': '()'}


def status_call(conn, path, method='Status'):
    iface = 'org.freedesktop.DBus.Peer' if method == 'Ping' else PROFILE_IFACE
    return conn.call_sync(BUS_NAME, path, iface, method, None,
                          GLib.VariantType(REPLY_TYPES[method]), Gio.DBusCallFlags.NONE,
                          30000, None)


def pct(values, p):
    """The p-th percentile (nearest rank) of @values, sorted or not."""
    v = sorted(values)
    if not v:
        return float('nan')
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def summary(ms):
    return {'n': len(ms), 'p50': pct(ms, 50), 'p90': pct(ms, 90), 'p99': pct(ms, 99),
            'max': max(ms) if ms else float('nan'),
            'mean': statistics.fmean(ms) if ms else float('nan')}


def fmt(s):
    text = 'n=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f ms' % (
        s['n'], s['p50'], s['p90'], s['p99'], s['max'])
    if 'daemon_cpu_ms' in s:
        text += ' (daemon CPU %.3f ms/call)' % s['daemon_cpu_ms']
    return text


# -- the client processes ------------------------------------------------------

def client_main(address, path, interval, method):
    """Waits for a line on stdin, then calls @method every @interval seconds
    until stdin closes; prints its round trips (ms) as JSON."""
    conn = connect(address)
    status_call(conn, path, method)  # connected and warm
    print('ready', flush=True)
    sys.stdin.readline()             # "go"
    cpu0 = time.process_time()
    out = []
    errors = 0
    nxt = time.monotonic()
    while True:
        delay = max(0.0, nxt - time.monotonic())
        r, _, _ = select.select([sys.stdin], [], [], delay)
        if r:
            break                    # stop (EOF or a line)
        t0 = time.perf_counter()
        try:
            status_call(conn, path, method)
        except GLib.Error:
            errors += 1
        out.append((time.perf_counter() - t0) * 1000.0)
        nxt += interval
        if nxt < time.monotonic():   # a slow call: no burst to catch up
            nxt = time.monotonic()
    json.dump({"ms": out, "errors": errors, "cpu": time.process_time() - cpu0}, sys.stdout)
    sys.stdout.flush()


class Clients:
    def __init__(self, n, address, path, interval, method):
        self.procs = []
        for _ in range(n):
            self.procs.append(subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), '--client', address, path,
                 str(interval), method],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for p in self.procs:
            line = p.stdout.readline()
            if line.strip() != 'ready':
                raise SystemExit('a polling client did not start: %r' % line)

    def go(self):
        for p in self.procs:
            p.stdin.write('go\n')
            p.stdin.flush()

    def stop(self):
        ms, errors, cpu = [], 0, 0.0
        for p in self.procs:
            p.stdin.close()
        for p in self.procs:
            data = json.loads(p.stdout.read())
            p.wait()
            ms.extend(data['ms'])
            errors += data['errors']
            cpu += data['cpu']
        self.cpu = cpu
        return ms, errors


# -- the benchmark ---------------------------------------------------------------

def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit('%s failed (%d):\n%s%s' % (' '.join(cmd), r.returncode, r.stdout, r.stderr))
    return r


def cpu_seconds(pid):
    """User + system CPU time of process @pid so far."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def loadavg():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def machine_facts(args):
    facts = {'date': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()),
             'kernel': platform.release(), 'cpus': os.cpu_count()}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    facts['cpu'] = line.split(':', 1)[1].strip()
                    break
        with open('/proc/meminfo') as f:
            facts['memory'] = f.readline().split(':', 1)[1].strip()
    except OSError:
        pass
    facts['glib'] = '%d.%d.%d' % (GLib.MAJOR_VERSION, GLib.MINOR_VERSION, GLib.MICRO_VERSION)
    facts['sqlite'] = subprocess.run(['sqlite3', '--version'], capture_output=True,
                                     text=True).stdout.split(' ')[0] if shutil.which('sqlite3') else '?'
    try:
        facts['commit'] = subprocess.run(['git', '-C', HERE, 'rev-parse', '--short', 'HEAD'],
                                         capture_output=True, text=True).stdout.strip()
    except OSError:
        facts['commit'] = '?'
    build = os.path.dirname(os.path.dirname(os.path.abspath(args.daemon)))
    try:
        opts = json.loads(subprocess.run(['meson', 'introspect', '--buildoptions', build],
                                         capture_output=True, text=True).stdout)
        facts['buildtype'] = next(o['value'] for o in opts if o['name'] == 'buildtype')
    except Exception:
        facts['buildtype'] = '?'
    facts['workdir'] = args.workdir
    return facts


class Bench:
    def __init__(self, args):
        self.args = args
        self.w = os.path.abspath(args.workdir)
        os.makedirs(self.w, exist_ok=True)
        self.procs = []
        self.env = dict(os.environ)
        for k in ('GANDER_CONFIG', 'GANDER_ENVIRONMENT', 'GANDER_AUDIT_LOG',
                  'GANDER_METRICS_FILE', 'STATE_DIRECTORY', 'G_MESSAGES_DEBUG'):
            self.env.pop(k, None)
        self.env['XDG_CONFIG_HOME'] = os.path.join(self.w, 'xdg-config')
        self.env['XDG_STATE_HOME'] = os.path.join(self.w, 'xdg-state')
        self.env['GANDER_SYSCONFDIR'] = os.path.join(self.w, 'etc')
        for d in ('xdg-config/gander', 'xdg-state', 'etc'):
            os.makedirs(os.path.join(self.w, d), exist_ok=True)

    def db(self, name):
        return os.path.join(self.w, name + '.db')

    def setup(self):
        a = self.args
        self.mig = os.path.join(self.w, 'migrations')
        if not os.path.isdir(self.mig):
            run([sys.executable, os.path.join(HERE, 'gen-migrations.py'), '--count',
                 str(a.count), '--seed', '42', self.mig])
        with open(os.path.join(self.w, 'xdg-config', 'gander', 'gander.conf'), 'w') as f:
            for name in ('status', 'job'):
                f.write('[profile %s]\ndriver=sqlite3\ndbstring=%s\ndir=%s\n'
                        'environment=development\n\n' % (name, self.db(name), self.mig))
        for name in ('status', 'job'):
            if os.path.exists(self.db(name)):
                os.unlink(self.db(name))
        run([a.gander, '--profile', 'status', 'up'], env=self.env)

        sock = os.path.join(self.w, 'bus.socket')
        conf = os.path.join(self.w, 'bus.conf')
        with open(conf, 'w') as f:
            f.write(BUS_CONFIG.format(socket=sock))
        bus = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork',
                                '--print-address=1', '--nopidfile'],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.procs.append(bus)
        self.address = bus.stdout.readline().strip()
        self.env['DBUS_SESSION_BUS_ADDRESS'] = self.address
        self.daemon_log = open(os.path.join(self.w, 'daemon.log'), 'w')
        daemon = subprocess.Popen([a.daemon, '--session', '--idle-timeout=0', '--job-keep=600'],
                                  env=self.env, stdout=self.daemon_log, stderr=subprocess.STDOUT)
        self.procs.append(daemon)
        self.daemon = daemon
        self.conn = connect(self.address)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                    'org.freedesktop.DBus', 'GetNameOwner',
                                    GLib.Variant('(s)', (BUS_NAME,)), None, 0, 1000, None)
                break
            except GLib.Error:
                if time.monotonic() > deadline or daemon.poll() is not None:
                    raise SystemExit('gander-daemon did not come up: see %s/daemon.log' % self.w)
                time.sleep(0.05)

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()

    # 1. Status round trip
    def status_latency(self):
        path = PROFILES + 'status'
        self.conn.call_sync(BUS_NAME, path, PROFILE_IFACE, 'Refresh', None, None, 0, 60000, None)
        rows = status_call(self.conn, path).unpack()[0]
        applied = sum(1 for r in rows if r.get('state') == 'applied')
        if applied != self.args.count:
            raise SystemExit('Status shows %d applied migrations, expected %d'
                             % (applied, self.args.count))
        columns = status_call(self.conn, path, 'StatusColumns').unpack()[0]
        if columns['version'] != [r['version'] for r in rows]:
            raise SystemExit('StatusColumns and Status disagree')
        latency = {}
        for method in ('Status', 'StatusColumns'):
            for _ in range(50):
                status_call(self.conn, path, method)
            ms = []
            cpu0 = cpu_seconds(self.daemon.pid)
            for _ in range(self.args.calls):
                t0 = time.perf_counter()
                status_call(self.conn, path, method)
                ms.append((time.perf_counter() - t0) * 1000.0)
            latency[method] = summary(ms)
            latency[method]['daemon_cpu_ms'] = ((cpu_seconds(self.daemon.pid) - cpu0) * 1000.0
                                                / self.args.calls)
        # the bus alone: a Peer.Ping to the daemon (floor of any call)
        ping = []
        for _ in range(min(self.args.calls, 1000)):
            t0 = time.perf_counter()
            self.conn.call_sync(BUS_NAME, path, 'org.freedesktop.DBus.Peer', 'Ping',
                                None, None, 0, 5000, None)
            ping.append((time.perf_counter() - t0) * 1000.0)
        reply_bytes = len(status_call(self.conn, path).get_data_as_bytes().get_data())
        columns_bytes = len(status_call(self.conn, path, 'StatusColumns')
                            .get_data_as_bytes().get_data())
        return {'status': latency['Status'], 'status_columns': latency['StatusColumns'],
                'ping': summary(ping), 'rows': len(rows),
                'reply_bytes': reply_bytes, 'columns_bytes': columns_bytes}

    # 3. one `up` of N migrations through the CLI
    def cli_up(self):
        if os.path.exists(self.db('job')):
            os.unlink(self.db('job'))
        t0 = time.perf_counter()
        run([self.args.gander, '--profile', 'job', 'up'], env=self.env)
        return time.perf_counter() - t0

    # 2./3. one `up` through the daemon, with @clients polling meanwhile
    def dbus_up(self, clients=None):
        if os.path.exists(self.db('job')):
            os.unlink(self.db('job'))
        path = PROFILES + 'job'
        loop = GLib.MainLoop()
        state = {'job': None, 'completed': None}

        def on_signal(_c, _s, obj_path, _i, _m, params):
            if obj_path == state['job'] or state['job'] is None:
                state['completed'] = (obj_path, params.unpack())
                if state['job'] is not None:
                    loop.quit()
        sub = self.conn.signal_subscribe(BUS_NAME, JOB_IFACE, 'Completed', None, None,
                                         Gio.DBusSignalFlags.NONE, on_signal)
        cpu0 = (cpu_seconds(self.daemon.pid), cpu_seconds(self.procs[0].pid))
        if clients is not None:
            clients.go()
        t0 = time.perf_counter()
        job = self.conn.call_sync(BUS_NAME, path, PROFILE_IFACE, 'Up',
                                  GLib.Variant('(a{sv})', ({},)), GLib.VariantType('(o)'),
                                  0, 60000, None).unpack()[0]
        state['job'] = job
        if state['completed'] is None or state['completed'][0] != job:
            state['completed'] = None
            timeout = GLib.timeout_add_seconds(600, loop.quit)
            loop.run()
            GLib.source_remove(timeout)
        elapsed = time.perf_counter() - t0
        polls = None
        self.cpu = {'daemon': cpu_seconds(self.daemon.pid) - cpu0[0],
                    'bus': cpu_seconds(self.procs[0].pid) - cpu0[1]}
        if clients is not None:
            polls = clients.stop()
            self.cpu['clients'] = clients.cpu
        self.conn.signal_unsubscribe(sub)
        if state['completed'] is None:
            raise SystemExit('job %s did not complete' % job)
        result = state['completed'][1]
        if result[0] != 'success':
            raise SystemExit('job %s: %s %s %s' % (job, *result))
        props = self.conn.call_sync(BUS_NAME, job, 'org.freedesktop.DBus.Properties', 'GetAll',
                                    GLib.Variant('(s)', (JOB_IFACE,)), None, 0, 5000,
                                    None).unpack()[0]
        run_s = (props['FinishedAt'] - props['CreatedAt']) / 1e6
        return elapsed, run_s, polls

    def main(self):
        a = self.args
        facts = machine_facts(a)
        facts['load_before'] = loadavg()
        out = {'facts': facts, 'count': a.count, 'clients': a.clients,
               'poll_interval': a.poll_interval, 'poll_method': a.poll_method}
        self.setup()
        print('== %d migrations, SQLite on %s; gander-daemon %s' % (a.count, self.w, a.daemon),
              flush=True)
        lat = self.status_latency()
        out['latency'] = lat
        print('Status round trip (1 client, %d calls, %d rows, %d bytes): %s'
              % (a.calls, lat['rows'], lat['reply_bytes'], fmt(lat['status'])), flush=True)
        print('StatusColumns round trip (1 client, %d calls, %d rows, %d bytes): %s'
              % (a.calls, lat['rows'], lat['columns_bytes'], fmt(lat['status_columns'])),
              flush=True)
        print('Peer.Ping round trip (the bus alone): %s' % fmt(lat['ping']), flush=True)

        pairs = []
        polled = []
        errors = 0
        for i in range(a.pairs):
            order = ['cli', 'dbus-polled', 'dbus'] if i % 2 == 0 else ['dbus', 'dbus-polled', 'cli']
            r = {}
            for side in order:
                if side == 'cli':
                    r['cli'] = self.cli_up()
                elif side == 'dbus':
                    r['dbus'], r['dbus_job'], _ = self.dbus_up()
                else:
                    clients = Clients(a.clients, self.address, PROFILES + 'job', a.poll_interval,
                                      a.poll_method)
                    r['dbus_polled'], r['dbus_polled_job'], (ms, err) = self.dbus_up(clients)
                    r['cpu_polled'] = self.cpu
                    polled.extend(ms)
                    errors += err
                    r['polls'] = summary(ms)
            pairs.append(r)
            print('pair %d: cli %.2f s, dbus %.2f s (job %.2f s), dbus + %d %s pollers %.2f s '
                  '(job %.2f s; polls %s)' % (i + 1, r['cli'], r['dbus'], r['dbus_job'],
                                              a.clients, a.poll_method, r['dbus_polled'],
                                              r['dbus_polled_job'], fmt(r['polls'])), flush=True)
            print('        CPU during the polled job: daemon %.2f s, bus %.2f s, pollers %.2f s'
                  % (r['cpu_polled']['daemon'], r['cpu_polled']['bus'],
                     r['cpu_polled']['clients']), flush=True)
        out['pairs'] = pairs
        out['polls'] = summary(polled)
        out['poll_errors'] = errors
        ratio = statistics.median(p['dbus'] / p['cli'] for p in pairs)
        ratio_polled = statistics.median(p['dbus_polled'] / p['cli'] for p in pairs)
        out['ratio_dbus_cli'] = ratio
        out['ratio_dbus_polled_cli'] = ratio_polled
        facts['load_after'] = loadavg()
        over = sum(1 for x in polled if x > 50.0)
        out['polls_over_50ms'] = over

        print()
        print('goal                                     measured                         verdict')
        for key, name in (('status', 'Status'), ('status_columns', 'StatusColumns')):
            print('%-40s p50 %.3f ms, p99 %.3f ms        %s' % (
                '%s p50 <= 2 ms (%d applied)' % (name, lat['rows']),
                lat[key]['p50'], lat[key]['p99'],
                'met' if lat[key]['p50'] <= 2.0 else 'MISSED'))
        print('%-40s max %.1f ms, %d of %d over 50 ms  %s' % (
            '%d pollers (%s): no call over 50 ms' % (a.clients, a.poll_method),
            out['polls']['max'], over, len(polled),
            'met' if over == 0 and errors == 0 else 'MISSED'))
        print('job throughput within 5 %% of the CLI     dbus/cli %.3f; with pollers %.3f   %s' % (
            ratio, ratio_polled, 'met' if ratio_polled <= 1.05 else 'MISSED'))
        print('load average (1 min) before %.2f, after %.2f, %d CPUs'
              % (facts['load_before'], facts['load_after'], facts['cpus']))
        if a.results:
            with open(a.results, 'a') as f:
                json.dump(out, f)
                f.write('\n')
        return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--client':
        client_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--daemon', required=True, help='BUILD/service/gander-daemon')
    ap.add_argument('--gander', required=True, help='BUILD/cli/gander (same build)')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--calls', type=int, default=2000)
    ap.add_argument('--clients', type=int, default=50)
    ap.add_argument('--poll-interval', type=float, default=0.1)
    ap.add_argument('--poll-method', choices=sorted(REPLY_TYPES), default='StatusColumns',
                    help='what the pollers call (default StatusColumns)')
    ap.add_argument('--pairs', type=int, default=3)
    ap.add_argument('--results', help='append the raw numbers as one JSON line')
    args = ap.parse_args()
    b = Bench(args)
    try:
        return b.main()
    finally:
        b.close()


if __name__ == '__main__':
    sys.exit(main())
