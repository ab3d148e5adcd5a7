#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Time `gander up` / `gander status` against the engine's own shell.

Not a test: run it by hand through bench/run-sqlite.sh or
bench/run-postgres.sh, which set things up and call this script.

For every N it generates N migrations (bench/gen-migrations.py), builds the
equivalent plain SQL script (bench/goose2sql.py: version table, then
BEGIN; <up statements>; INSERT version row; COMMIT; per migration) and runs

  * PAIRS pairs of `gander up` and `sqlite3 DB < script` (or `psql -f`),
    each on a fresh database, alternating which side goes first;
  * `gander status` on the migrated database STATUS_RUNS times.

Every process is reaped with wait4(), so wall time and user+sys CPU are
those of that one process. Peak RSS comes from /usr/bin/time (package
`time`) wrapped around the command: a process forked from Python keeps
Python's own high-water mark in ru_maxrss across exec (even /bin/true
would show ~14 MiB), while /usr/bin/time is a small C program. Results go to stdout as a table and, with
--json, to a file.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Run:
    def __init__(self, wall, cpu, rss_kib):
        self.wall, self.cpu, self.rss_kib = wall, cpu, rss_kib


def run(argv, stdin_path=None, env=None):
    """Run ARGV to completion; return a Run. stdout is discarded."""
    # stderr goes to a file, not a pipe: reading a pipe would make the
    # child wait for this script, and gander logs one line per migration.
    with tempfile.TemporaryFile() as err, \
         tempfile.NamedTemporaryFile("r") as rss_file, \
         open(stdin_path or os.devnull, "rb") as stdin:
        if not os.access("/usr/bin/time", os.X_OK):
            raise SystemExit("bench.py: /usr/bin/time is needed (apt-get install time)")
        timed = ["/usr/bin/time", "-f", "%M", "-o", rss_file.name] + list(argv)
        t0 = time.perf_counter()
        proc = subprocess.Popen(timed, stdin=stdin, stdout=subprocess.DEVNULL,
                                stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace")[-4000:])
            raise SystemExit(f"bench.py: {' '.join(argv)} exited with "
                             f"{proc.returncode}")
        rss_file.seek(0)
        rss_kib = int(rss_file.read().split()[-1])
    return Run(wall, ru.ru_utime + ru.ru_stime, rss_kib)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


class Engine:
    """What differs between SQLite and PostgreSQL."""

    def __init__(self, args):
        self.args = args

    def prepare_n(self, n, migdir, workdir):
        pass


class SqliteEngine(Engine):
    name = "sqlite3"

    def __init__(self, args, dbdir):
        super().__init__(args)
        self.dbdir = dbdir

    def fresh(self, tag):
        path = os.path.join(self.dbdir, f"bench-{tag}.db")
        for suffix in ("", "-journal", "-wal", "-shm", ".gander-lock"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        return path

    def gander_dsn(self, db):
        return db

    def raw(self, db, script):
        return run([self.args.sqlite3, "-bail", db], stdin_path=script)

    def count_versions(self, db):
        out = subprocess.run([self.args.sqlite3, db,
                              "SELECT count(*) FROM goose_db_version"],
                             check=True, capture_output=True, text=True)
        return int(out.stdout.strip())

    def schema(self, db):
        out = subprocess.run(
            [self.args.sqlite3, db,
             "SELECT type, name, sql FROM sqlite_master "
             "WHERE name NOT LIKE '%gander%' AND name NOT LIKE 'sqlite_%' "
             "ORDER BY type, name"],
            check=True, capture_output=True, text=True)
        return out.stdout


class PostgresEngine(Engine):
    name = "postgres"

    def _psql(self, *argv, db="postgres"):
        return subprocess.run([self.args.psql, "-X", "-q", "-At",
                               "-v", "ON_ERROR_STOP=1", "-d", db, *argv],
                              check=True, capture_output=True, text=True)

    def fresh(self, tag):
        db = f"bench_{tag}"
        self._psql("-c", f"DROP DATABASE IF EXISTS {db}")
        self._psql("-c", f"CREATE DATABASE {db} TEMPLATE template0")
        return db

    def gander_dsn(self, db):
        return (f"host={os.environ['PGHOST']} port={os.environ['PGPORT']} "
                f"user={os.environ.get('PGUSER', 'postgres')} dbname={db}")

    def raw(self, db, script):
        return run([self.args.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-d", db, "-f", script])

    def count_versions(self, db):
        out = self._psql("-c", "SELECT count(*) FROM goose_db_version", db=db)
        return int(out.stdout.strip())

    def schema(self, db):
        out = self._psql(
            "-c", "SELECT table_name, column_name, data_type "
                  "FROM information_schema.columns "
                  "WHERE table_schema = 'public' "
                  "AND table_name NOT LIKE '%gander%' "
                  "ORDER BY 1, 2", db=db)
        idx = self._psql(
            "-c", "SELECT indexname, indexdef FROM pg_indexes "
                  "WHERE schemaname = 'public' "
                  "AND tablename NOT LIKE '%gander%' ORDER BY 1", db=db)
        return out.stdout + idx.stdout


def bench_n(engine, n, args, results):
    work = os.path.join(args.workdir, f"n{n}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    migdir = os.path.join(work, "migrations")
    script = os.path.join(work, "raw.sql")
    subprocess.run([sys.executable, os.path.join(HERE, "gen-migrations.py"),
                    "--count", str(n), "--seed", str(args.seed), migdir],
                   check=True)
    with open(script, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "goose2sql.py"),
                        "--dialect", engine.name, migdir],
                       check=True, stdout=f)

    gander = [args.gander, "-dir", migdir, engine.name]
    env = dict(os.environ, NO_COLOR="1")
    load_before = os.getloadavg()[0]
    g_runs, r_runs, ratios = [], [], []
    for i in range(args.pairs):
        order = ("gander", "raw") if i % 2 == 0 else ("raw", "gander")
        for side in order:
            db = engine.fresh(side)
            if side == "gander":
                res = run(gander + [engine.gander_dsn(db), "up"], env=env)
                g_runs.append(res)
            else:
                res = engine.raw(db, script)
                r_runs.append(res)
            got = engine.count_versions(db)
            if got != n + 1:
                raise SystemExit(f"bench.py: {side} left {got} version rows, "
                                 f"expected {n + 1}")
            if i == 0 and side == order[1]:
                # Both sides must build the same schema, or the times mean
                # nothing.
                other = engine.fresh("check")
                if side == "gander":
                    engine.raw(other, script)
                else:
                    run(gander + [engine.gander_dsn(other), "up"], env=env)
                if engine.schema(db) != engine.schema(other):
                    raise SystemExit("bench.py: gander and the raw script "
                                     "built different schemas")
        ratios.append(g_runs[-1].wall / r_runs[-1].wall)
        print(f"  N={n} pair {i + 1}/{args.pairs}: gander "
              f"{g_runs[-1].wall:.3f}s raw {r_runs[-1].wall:.3f}s "
              f"ratio {ratios[-1]:.3f}", file=sys.stderr, flush=True)

    # status on a database that gander migrated
    db_status = engine.fresh("status")
    run(gander + [engine.gander_dsn(db_status), "up"], env=env)
    s_runs = [run(gander + [engine.gander_dsn(db_status), "status"], env=env)
              for _ in range(args.status_runs)]

    row = {
        "engine": engine.name, "n": n, "location": args.location,
        "pairs": args.pairs,
        "gander_up_wall_s": median([r.wall for r in g_runs]),
        "raw_up_wall_s": median([r.wall for r in r_runs]),
        "ratio_median": median(ratios),
        "ratios": ratios,
        "gander_up_cpu_s": median([r.cpu for r in g_runs]),
        "raw_up_cpu_s": median([r.cpu for r in r_runs]),
        "cpu_ratio_median": median([g.cpu / r.cpu if r.cpu else float("nan")
                                    for g, r in zip(g_runs, r_runs)]),
        "gander_up_rss_kib": max(r.rss_kib for r in g_runs),
        "raw_up_rss_kib": max(r.rss_kib for r in r_runs),
        "status_runs": args.status_runs,
        "status_wall_ms": median([r.wall for r in s_runs]) * 1000,
        "status_wall_min_ms": min(r.wall for r in s_runs) * 1000,
        "status_rss_kib": max(r.rss_kib for r in s_runs),
        # Other work on the machine shows up as noise in every wall time.
        "loadavg_1min": [load_before, os.getloadavg()[0]],
    }
    results.append(row)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return row


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "memory": mem,
            "kernel": platform.release(), "python": platform.python_version()}


def print_table(rows):
    print("| engine | N | db on | gander up | raw up | ratio (median of "
          "pairs) | CPU gander / raw | status (median) | RSS up / status "
          "| load |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")
    for r in rows:
        print(f"| {r['engine']} | {r['n']} | {r['location']} "
              f"| {r['gander_up_wall_s']:.3f} s | {r['raw_up_wall_s']:.3f} s "
              f"| {r['ratio_median']:.3f} "
              f"| {r['gander_up_cpu_s']:.3f} s / {r['raw_up_cpu_s']:.3f} s "
              f"({r['cpu_ratio_median']:.2f}×) "
              f"| {r['status_wall_ms']:.1f} ms "
              f"| {r['gander_up_rss_kib'] / 1024:.1f} / "
              f"{r['status_rss_kib'] / 1024:.1f} MiB "
              f"| {r['loadavg_1min'][0]:.1f}–{r['loadavg_1min'][1]:.1f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("engine", choices=("sqlite3", "postgres"))
    ap.add_argument("--gander", default=os.environ.get("GANDER"),
                    help="path of the gander binary (default: $GANDER)")
    ap.add_argument("--sqlite3", default=shutil.which("sqlite3"))
    ap.add_argument("--psql", default=shutil.which("psql"))
    ap.add_argument("--counts", default="1000,5000")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--status-runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", required=True,
                    help="where migrations, scripts and SQLite files go")
    ap.add_argument("--location", default="",
                    help="label for the table (tmpfs, disk, ...)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", help="append the results to this JSON file")
    args = ap.parse_args()
    if not args.gander or not os.access(args.gander, os.X_OK):
        ap.error("give the gander binary with --gander or GANDER=")
    args.gander = os.path.abspath(args.gander)
    if args.pairs < 1 or args.status_runs < 1:
        ap.error("--pairs and --status-runs must be positive")

    engine = (SqliteEngine(args, args.workdir) if args.engine == "sqlite3"
              else PostgresEngine(args))
    info = machine()
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True)
    info["gander_commit"] = commit.stdout.strip() or "unknown"
    print(f"machine: {info['cpu']}, {info['cpus']} CPUs, {info['memory']}, "
          f"Linux {info['kernel']}; gander at {info['gander_commit']}",
          file=sys.stderr)
    rows = []
    for n in [int(x) for x in args.counts.split(",")]:
        bench_n(engine, n, args, rows)
    print_table(rows)
    if args.json:
        data = {"machine": info, "results": []}
        if os.path.exists(args.json):
            with open(args.json) as f:
                data = json.load(f)
        data["results"] += rows
        with open(args.json, "w") as f:
            json.dump(data, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
