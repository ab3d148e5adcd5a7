#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# backup.py: issue 9's benchmark, driven by run-backup.sh.
#
#   sqlite   `gander backup` of a SIZE_MB SQLite database against
#            `sqlite3 DB ".backup COPY"` (goal <= 1.1x)
#   postgres `gander backup` of a few-hundred-MB database against a plain
#            `pg_dump -Fc` (goal <= 1.05x); PGHOST/PGPORT/PGUSER set by
#            pg-server.sh
#   health   what the health checks add to a run: `gander up` with nothing
#            to do and a one-migration `up` (rolled back between rounds),
#            health-before/health-after all against none (goal <= 30 ms each)
#
# Each comparison runs in pairs, alternating which side goes first, and
# reports the median wall time of each side and the median of the pairwise
# ratios. CPU is the child's own (wait4).

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time


def run(argv, env=None, check=True):
    """Wall seconds and CPU seconds (user + sys) of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode('utf-8', 'replace')
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if check and proc.returncode != 0:
        sys.exit('failed (%d): %s\n%s' % (proc.returncode, ' '.join(argv), err))
    return wall, usage.ru_utime + usage.ru_stime


def pairs(n, a, b, before=None):
    """n rounds of a() and b() (alternating order); each returns (wall, cpu)."""
    rows = []
    for i in range(n):
        if before:
            before()
        if i % 2 == 0:
            ra = a()
            if before:
                before()
            rb = b()
        else:
            rb = b()
            if before:
                before()
            ra = a()
        rows.append((ra, rb))
    return rows


def report(out, title, rows, names, goal=None, unit='s'):
    wa = [r[0][0] for r in rows]
    wb = [r[1][0] for r in rows]
    ca = [r[0][1] for r in rows]
    cb = [r[1][1] for r in rows]
    ratios = [x / y for x, y in zip(wa, wb)]
    lines = [
        '%s (%d pairs)' % (title, len(rows)),
        '  %-40s wall median %8.3f s  (min %.3f, max %.3f)  CPU median %.3f s'
        % (names[0], statistics.median(wa), min(wa), max(wa), statistics.median(ca)),
        '  %-40s wall median %8.3f s  (min %.3f, max %.3f)  CPU median %.3f s'
        % (names[1], statistics.median(wb), min(wb), max(wb), statistics.median(cb)),
        '  ratio (median of pairwise wall ratios): %.3fx' % statistics.median(ratios),
    ]
    if goal is not None:
        verdict = 'met' if statistics.median(ratios) <= goal else 'NOT met'
        lines.append('  goal <= %.2fx: %s' % (goal, verdict))
    text = '\n'.join(lines)
    print(text, flush=True)
    out.append(text)
    return statistics.median(ratios)


def migrations(workdir, n=2):
    mig = os.path.join(workdir, 'migrations')
    os.makedirs(mig, exist_ok=True)
    with open(os.path.join(mig, '00001_big.sql'), 'w') as f:
        f.write('-- +goose Up\nCREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT);\n'
                '-- +goose Down\nDROP TABLE big;\n')
    with open(os.path.join(mig, '00002_small.sql'), 'w') as f:
        f.write('-- +goose Up\nCREATE TABLE small (id INTEGER);\n'
                '-- +goose Down\nDROP TABLE small;\n')
    return mig


def config(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def gander_env(workdir):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(('GOOSE_', 'GANDER_')):
            del env[k]
    env['XDG_CONFIG_HOME'] = os.path.join(workdir, 'xdg')
    env['GANDER_SYSCONFDIR'] = os.path.join(workdir, 'etc')
    env['GANDER_STATE_DIR'] = os.path.join(workdir, 'state')
    env['LC_ALL'] = 'C.UTF-8'
    return env


def clean(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def bench_sqlite(args, out):
    work = args.workdir
    env = gander_env(work)
    mig = migrations(work)
    db = os.path.join(work, 'big.db')
    if not os.path.exists(db):
        print('generating a %d MB SQLite database in %s ...' % (args.size_mb, db), flush=True)
        run([args.gander, '-dir', mig, 'sqlite3', db, 'up'], env=env)
        con = sqlite3.connect(db)
        rows = args.size_mb * 1024 * 1024 // 1100
        con.execute('PRAGMA journal_mode=OFF')
        con.execute('PRAGMA synchronous=OFF')
        con.execute('BEGIN')
        con.execute('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) '
                    'INSERT INTO big (payload) SELECT hex(randomblob(500)) FROM n', (rows,))
        con.execute('COMMIT')
        con.close()
    size = os.path.getsize(db)
    out.append('SQLite database: %s, %.1f MB (SQLite %s)' % (db, size / 1e6,
                                                            sqlite3.sqlite_version))
    print(out[-1], flush=True)
    copies = os.path.join(work, 'copies')
    gdir = os.path.join(work, 'gander-backups')

    def reset():
        clean(copies)
        clean(gdir)

    def raw():
        return run(['sqlite3', db, '.backup %s' % os.path.join(copies, 'copy.db')])

    def gander(conf=None):
        argv = [args.gander, '-dir', mig, '--backup-dir', gdir]
        if conf:
            argv += ['--config', conf]
        return lambda: run(argv + ['sqlite3', db, 'backup'], env=env)

    off = config(work, 'verify-off.conf', '[gander]\nbackup-verify=off\n')
    full = config(work, 'verify-full.conf', '[gander]\nbackup-verify=full\n')
    results = {}
    results['quick'] = report(out, 'SQLite backup, backup-verify=quick (the development/staging default)',
                              pairs(args.pairs, gander(), raw, reset),
                              ['gander backup', 'sqlite3 DB ".backup COPY"'], goal=1.1)
    results['off'] = report(out, 'SQLite backup, backup-verify=off (copy + SHA-256 only)',
                            pairs(args.pairs, gander(off), raw, reset),
                            ['gander backup (verify off)', 'sqlite3 DB ".backup COPY"'], goal=1.1)
    results['full'] = report(out, 'SQLite backup, backup-verify=full (the production default)',
                             pairs(args.pairs, gander(full), raw, reset),
                             ['gander backup (verify full)', 'sqlite3 DB ".backup COPY"'])
    reset()
    return results


def psql(args, dbname, sql):
    subprocess.run([os.path.join(args.pg_bindir, 'psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1',
                    '-d', dbname, '-c', sql], check=True, stdout=subprocess.DEVNULL)


def bench_postgres(args, out):
    work = args.workdir
    env = gander_env(work)
    mig = migrations(work)
    dbname = 'backup_bench'
    psql(args, 'postgres', 'DROP DATABASE IF EXISTS %s' % dbname)
    psql(args, 'postgres', 'CREATE DATABASE %s' % dbname)
    dsn = 'host=%s port=%s user=%s dbname=%s' % (os.environ['PGHOST'], os.environ['PGPORT'],
                                                 os.environ['PGUSER'], dbname)
    run([args.gander, '-dir', mig, 'postgres', dsn, 'up'], env=env)
    rows = args.pg_size_mb * 1024 * 1024 // 140
    print('generating a ~%d MB PostgreSQL database ...' % args.pg_size_mb, flush=True)
    psql(args, dbname, "INSERT INTO big (id, payload) SELECT g, md5(g::text) || md5((g * 7)::text) "
                       "|| md5((g * 13)::text) FROM generate_series(1, %d) g" % rows)
    psql(args, dbname, 'VACUUM ANALYZE')
    size = subprocess.run([os.path.join(args.pg_bindir, 'psql'), '-X', '-A', '-t', '-d', dbname,
                           '-c', 'SELECT pg_database_size(current_database())'],
                          check=True, text=True, stdout=subprocess.PIPE).stdout.strip()
    version = subprocess.run([os.path.join(args.pg_bindir, 'pg_dump'), '--version'],
                             check=True, text=True, stdout=subprocess.PIPE).stdout.strip()
    out.append('PostgreSQL database: %s, %.1f MB (%s)' % (dbname, int(size) / 1e6, version))
    print(out[-1], flush=True)
    copies = os.path.join(work, 'pg-copies')
    gdir = os.path.join(work, 'pg-gander-backups')

    def reset():
        clean(copies)
        clean(gdir)

    def raw():
        return run([os.path.join(args.pg_bindir, 'pg_dump'), '-Fc', '--no-password',
                    '--file', os.path.join(copies, 'plain.dump'), '--dbname', dsn])

    def gander():
        return run([args.gander, '-dir', mig, '--backup-dir', gdir, 'postgres', dsn, 'backup'],
                   env=env)

    r = report(out, 'PostgreSQL backup (verify: pg_restore --list)',
               pairs(args.pg_pairs, gander, raw, reset),
               ['gander backup', 'pg_dump -Fc'], goal=1.05)
    reset()
    psql(args, 'postgres', 'DROP DATABASE %s' % dbname)
    return r


def bench_health(args, out, driver):
    work = os.path.join(args.workdir, 'health-' + driver)
    clean(work)
    env = gander_env(work)
    mig = migrations(work)
    # both sides managed, no backup: the difference is the checks alone
    conf_all = config(work, 'all.conf', '[gander]\nbackup=off\nhealth-before=all\n'
                      'health-after=all\n')
    conf_none = config(work, 'none.conf', '[gander]\nbackup=off\nhealth-before=none\n'
                       'health-after=none\n')
    if driver == 'sqlite3':
        dsn = os.path.join(work, 'h.db')
    else:
        dbname = 'health_bench'
        psql(args, 'postgres', 'DROP DATABASE IF EXISTS %s' % dbname)
        psql(args, 'postgres', 'CREATE DATABASE %s' % dbname)
        dsn = 'host=%s port=%s user=%s dbname=%s' % (os.environ['PGHOST'], os.environ['PGPORT'],
                                                     os.environ['PGUSER'], dbname)
    base = [args.gander, '-dir', mig]
    run(base + [driver, dsn, 'up-to', '1'], env=env)

    def empty(conf):
        return lambda: run(base + ['--config', conf, driver, dsn, 'up-to', '1'], env=env)

    def down():
        run(base + ['--config', conf_none, driver, dsn, 'down-to', '1'], env=env)

    def one(conf):
        return lambda: run(base + ['--config', conf, driver, dsn, 'up'], env=env)

    result = {}
    for name, a, b, before in (('empty plan', empty(conf_all), empty(conf_none), None),
                               ('one migration', one(conf_all), one(conf_none), down)):
        rows = pairs(args.health_runs, a, b, before)
        wa = statistics.median(r[0][0] for r in rows)
        wb = statistics.median(r[1][0] for r in rows)
        diffs = [(r[0][0] - r[1][0]) * 1000 for r in rows]
        added = statistics.median(diffs)
        text = ('%s health checks, `gander up` with %s (%d pairs)\n'
                '  health-before/after=all   wall median %7.1f ms\n'
                '  health-before/after=none  wall median %7.1f ms\n'
                '  added (median of pairwise differences): %.1f ms  goal <= 30 ms each '
                'phase, <= 60 ms both: %s'
                % (driver, name, len(rows), wa * 1000, wb * 1000, added,
                   'met' if added <= 60 else 'NOT met'))
        print(text, flush=True)
        out.append(text)
        result[name] = added
    if driver == 'postgres':
        psql(args, 'postgres', 'DROP DATABASE %s' % dbname)
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=['sqlite', 'postgres', 'health-sqlite', 'health-postgres'],
                   nargs='+')
    p.add_argument('--gander', required=True)
    p.add_argument('--workdir', required=True)
    p.add_argument('--size-mb', type=int, default=1024)
    p.add_argument('--pg-size-mb', type=int, default=300)
    p.add_argument('--pairs', type=int, default=5)
    p.add_argument('--pg-pairs', type=int, default=5)
    p.add_argument('--health-runs', type=int, default=20)
    p.add_argument('--pg-bindir', default='')
    p.add_argument('--out', default='')
    args = p.parse_args()
    if not args.pg_bindir:
        args.pg_bindir = subprocess.run(['pg_config', '--bindir'], check=True, text=True,
                                        stdout=subprocess.PIPE).stdout.strip()
    out = []
    for what in args.what:
        if what == 'sqlite':
            bench_sqlite(args, out)
        elif what == 'postgres':
            bench_postgres(args, out)
        elif what == 'health-sqlite':
            bench_health(args, out, 'sqlite3')
        else:
            bench_health(args, out, 'postgres')
    if args.out:
        with open(args.out, 'a') as f:
            f.write('\n\n'.join(out) + '\n\n')


if __name__ == '__main__':
    main()
