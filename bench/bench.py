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
  * `gander status`, `gander version` (the database's version: needs the
    file names only) and `gander -version` (the program alone, the floor
    of any command) STATUS_RUNS times each, interleaved, on a migrated
    database;
  * goose, when a `goose` binary is on PATH or given by GOOSE=...: a third
    side of every `up` round (ratio goose / raw) and `goose status` in the
    same interleaved loop, so that `gander status` / `goose status` is
    measured in one run on one machine.

The ratios are printed against the targets of issue 7: `up` <= 1.02x the
raw client, `status` <= 0.25x goose's, `version` <= 1.5x `gander
-version`, peak RSS of `up` and `status` <= 8 MiB on SQLite and flat as N
grows.

With --manager it measures issue 8's manager overhead instead: pairs of
`gander up` as goose runs it (no environment, no extra flags) and `gander
--environment production --confirm DB --audit-log A --metrics-file M up`
(every safety step but backups: policy gate, dry-run plan first,
validation, retry and circuit breaker from the environment, audit lines and
metrics written), each on a fresh database; and `gander --dry-run up` of
the same N migrations on a database without a version table. Goals: the
managed `up` <= 1.03x the plain one, the dry run <= 50 ms. With
--instructions each side of `up` also runs once under callgrind, whose
instruction counts do not depend on the machine's load. When the CLI does
not accept the flags yet (`--via auto`), bench/manager-driver.py runs both
sides through the library instead (GObject introspection) and times the
operation inside the process.

Every process is reaped with wait4(), so wall time and user+sys CPU are
those of that one process. Peak RSS comes from /usr/bin/time (package
`time`) wrapped around the command: a process forked from Python keeps
Python's own high-water mark in ru_maxrss across exec (even /bin/true
would show ~14 MiB), while /usr/bin/time is a small C program. The short
commands (status, version) are timed without that wrapper (its fork and
exec would be a visible share of a few milliseconds) and their RSS comes
from separate wrapped runs. Results go to stdout as tables and, with
--json, to a file.
"""

import argparse
import json
import os
import platform
import re
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


def run(argv, stdin_path=None, env=None, rss=True, ok_codes=(0,),
        stdout_path=None):
    """Run ARGV to completion; return a Run. stdout is discarded, or
    written to STDOUT_PATH.

    With rss=False the command runs without /usr/bin/time around it and
    rss_kib is None: for timing commands that take a few milliseconds."""
    # stderr goes to a file, not a pipe: reading a pipe would make the
    # child wait for this script, and gander logs one line per migration.
    with tempfile.TemporaryFile() as err, \
         tempfile.NamedTemporaryFile("r") as rss_file, \
         open(stdin_path or os.devnull, "rb") as stdin, \
         open(stdout_path or os.devnull, "wb") as stdout:
        timed = list(argv)
        if rss:
            if not os.access("/usr/bin/time", os.X_OK):
                raise SystemExit("bench.py: /usr/bin/time is needed "
                                 "(apt-get install time)")
            timed = ["/usr/bin/time", "-f", "%M", "-o", rss_file.name] + timed
        t0 = time.perf_counter()
        proc = subprocess.Popen(timed, stdin=stdin, stdout=stdout,
                                stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok_codes:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace")[-4000:])
            raise SystemExit(f"bench.py: {' '.join(argv)} exited with "
                             f"{proc.returncode}")
        rss_kib = None
        if rss:
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

    def confirm_name(self, db):
        return os.path.basename(db)

    def untouched(self, db):
        """A dry run on a database that did not exist leaves no file."""
        return not os.path.exists(db)

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

    def confirm_name(self, db):
        return db

    def untouched(self, db):
        out = self._psql("-c", "SELECT count(*) FROM pg_tables "
                         "WHERE schemaname = 'public'", db=db)
        return int(out.stdout.strip()) == 0

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


def rounds_order(i, sides):
    """Rotate which side goes first, so no side always runs on a warm or a
    cold machine."""
    k = i % len(sides)
    return sides[k:] + sides[:k]


def prepare_n(engine, n, args):
    """A fresh work directory with N generated migrations and the raw
    script doing the same work; returns (work, migdir, script)."""
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
    return work, migdir, script


def bench_n(engine, n, args, results):
    work, migdir, script = prepare_n(engine, n, args)

    gander = [args.gander, "-dir", migdir, engine.name]
    goose = ([args.goose, "-dir", migdir, engine.name] if args.goose
             else None)
    env = dict(os.environ, NO_COLOR="1")
    load_before = os.getloadavg()[0]
    sides = ["gander", "raw"] + (["goose"] if goose else [])
    runs = {side: [] for side in sides}
    ratios, goose_ratios = [], []
    for i in range(args.pairs):
        order = rounds_order(i, sides)
        for side in order:
            db = engine.fresh(side)
            if side == "gander":
                res = run(gander + [engine.gander_dsn(db), "up"], env=env)
            elif side == "goose":
                res = run(goose + [engine.gander_dsn(db), "up"], env=env)
            else:
                res = engine.raw(db, script)
            runs[side].append(res)
            got = engine.count_versions(db)
            if got != n + 1:
                raise SystemExit(f"bench.py: {side} left {got} version rows, "
                                 f"expected {n + 1}")
            if i == 0 and side != "raw":
                # Every side must build the same schema, or the times mean
                # nothing.
                other = engine.fresh("check")
                engine.raw(other, script)
                if engine.schema(db) != engine.schema(other):
                    raise SystemExit(f"bench.py: {side} and the raw script "
                                     "built different schemas")
        ratios.append(runs["gander"][-1].wall / runs["raw"][-1].wall)
        line = (f"  N={n} round {i + 1}/{args.pairs}: gander "
                f"{runs['gander'][-1].wall:.3f}s raw {runs['raw'][-1].wall:.3f}s "
                f"ratio {ratios[-1]:.3f}")
        if goose:
            goose_ratios.append(runs["goose"][-1].wall / runs["raw"][-1].wall)
            line += (f"; goose {runs['goose'][-1].wall:.3f}s "
                     f"ratio {goose_ratios[-1]:.3f}")
        print(line, file=sys.stderr, flush=True)
    g_runs, r_runs = runs["gander"], runs["raw"]

    # The read-only commands on a database that gander migrated, interleaved
    # so that a busy moment of the machine hits all of them alike.
    db_status = engine.fresh("status")
    run(gander + [engine.gander_dsn(db_status), "up"], env=env)
    dsn = engine.gander_dsn(db_status)
    commands = {
        "status": gander + [dsn, "status"],
        "version": gander + [dsn, "version"],
        "self_version": [args.gander, "-version"],
    }
    if goose:
        commands["goose_status"] = goose + [dsn, "status"]
        commands["goose_version"] = goose + [dsn, "version"]
    quick = {name: [] for name in commands}
    for i in range(args.status_runs):
        for name in rounds_order(i, list(commands)):
            quick[name].append(run(commands[name], env=env, rss=False))
    quick_rss = {name: max(run(argv, env=env).rss_kib
                           for _ in range(args.rss_runs))
                 for name, argv in commands.items()}

    def per_run_ratio(a, b):
        return median([x.wall / y.wall for x, y in zip(quick[a], quick[b])])

    def ms(name):
        return median([r.wall for r in quick[name]]) * 1000

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
        "status_wall_ms": ms("status"),
        "status_wall_min_ms": min(r.wall for r in quick["status"]) * 1000,
        "status_rss_kib": quick_rss["status"],
        "version_wall_ms": ms("version"),
        "version_rss_kib": quick_rss["version"],
        "self_version_wall_ms": ms("self_version"),
        "self_version_rss_kib": quick_rss["self_version"],
        "version_ratio_median": per_run_ratio("version", "self_version"),
        "goose": args.goose,
        # Other work on the machine shows up as noise in every wall time.
        "loadavg_1min": [load_before, os.getloadavg()[0]],
    }
    if goose:
        row.update({
            "goose_up_wall_s": median([r.wall for r in runs["goose"]]),
            "goose_ratio_median": median(goose_ratios),
            "goose_ratios": goose_ratios,
            "goose_up_rss_kib": max(r.rss_kib for r in runs["goose"]),
            "goose_status_wall_ms": ms("goose_status"),
            "goose_status_rss_kib": quick_rss["goose_status"],
            "goose_version_wall_ms": ms("goose_version"),
            "status_goose_ratio_median": per_run_ratio("status",
                                                       "goose_status"),
        })
    results.append(row)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return row


# Issue 8's goals for the manager, each a ratio or time within one run on
# one machine.
MANAGED_UP_MAX = 1.03
DRY_RUN_MAX_MS = 50


def callgrind_instructions(commands, env):
    """Instructions executed by each of COMMANDS ({name: argv}) under
    callgrind, one run each, all at once: unlike times, the counts do not
    depend on what else the machine is doing."""
    with tempfile.TemporaryDirectory() as tmp:
        procs = {}
        for name, argv in commands.items():
            err = open(os.path.join(tmp, f"{name}.err"), "w+")
            procs[name] = (subprocess.Popen(
                ["valgrind", "--tool=callgrind",
                 f"--callgrind-out-file={tmp}/{name}.out", *argv],
                env=env, stdout=subprocess.DEVNULL, stderr=err), err)
        counts = {}
        for name, (proc, err) in procs.items():
            proc.wait()
            err.seek(0)
            text = err.read()
            err.close()
            m = re.search(r"Collected : (\d+)", text)
            if proc.returncode != 0 or not m:
                sys.stderr.write(text[-4000:])
                raise SystemExit(f"bench.py: callgrind of {name} failed")
            counts[name] = int(m.group(1))
    return counts


def metrics_applied_up(path):
    """gander_migrations_applied_total{direction="up"} summed over the
    file's series, or None without the file."""
    if not os.path.exists(path):
        return None
    total = 0.0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if (line.startswith("gander_migrations_applied_total{")
                    and 'direction="up"' in line):
                total += float(line.rsplit(" ", 1)[1])
    return total


def count_lines(path, needle=""):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if needle in line)


class ManagerSides:
    """The commands of the manager benchmark: through the CLI, or through
    the library with bench/manager-driver.py."""

    def __init__(self, engine, args, migdir, work):
        self.engine, self.args, self.migdir = engine, args, migdir
        self.audit = os.path.join(work, "audit.jsonl")
        self.metrics = os.path.join(work, "gander.prom")
        self.state = os.path.join(work, "state")
        os.makedirs(self.state, exist_ok=True)
        self.result = os.path.join(work, "driver-result.json")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("GANDER_", "GOOSE_"))}
        self.env.update(NO_COLOR="1", GANDER_STATE_DIR=self.state)
        self.via = args.via
        self.how = {}    # library: what the driver ran for each mode

    def argv(self, mode, db):
        dsn = self.engine.gander_dsn(db)
        safety = ["--environment", self.args.environment,
                  "--confirm", self.engine.confirm_name(db),
                  "--audit-log", self.audit, "--metrics-file", self.metrics]
        if self.via == "cli":
            g = [self.args.gander, "-dir", self.migdir]
            if mode == "plain":
                return g + [self.engine.name, dsn, "up"]
            if mode == "managed":
                return g + safety + [self.engine.name, dsn, "up"]
            return g + [self.engine.name, dsn, "--dry-run", "up"]
        return ([sys.executable, os.path.join(HERE, "manager-driver.py"),
                 mode, "--dir", self.migdir, "--driver", self.engine.name,
                 "--dsn", dsn, "--result", self.result]
                + (safety if mode == "managed" else []))

    def cli_accepts_flags(self):
        """Whether this gander takes the issue 8 flags (exit 2 while they
        are parsed but not wired)."""
        db = self.engine.fresh("probe")
        proc = subprocess.run(
            [self.args.gander, "-dir", self.migdir,
             "--environment", self.args.environment,
             "--audit-log", os.path.join(self.state, "probe.jsonl"),
             "--metrics-file", os.path.join(self.state, "probe.prom"),
             self.engine.name, self.engine.gander_dsn(db), "version"],
            env=self.env, capture_output=True, text=True)
        if proc.returncode == 2:
            print(f"  the CLI does not take the issue 8 flags yet: "
                  f"{proc.stderr.strip()}", file=sys.stderr)
        return proc.returncode != 2

    def run(self, mode, db, rss=True, stdout_path=None):
        res = run(self.argv(mode, db), env=self.env, rss=rss,
                  stdout_path=stdout_path)
        if self.via == "library":
            # the operation alone, timed inside the process
            with open(self.result) as f:
                inner = json.load(f)
            res.wall, res.cpu = inner["seconds"], inner["cpu_seconds"]
            self.how[mode] = inner["how"]
        return res


def bench_manager_n(engine, n, args, results):
    work, migdir, _ = prepare_n(engine, n, args)
    sides = ManagerSides(engine, args, migdir, work)
    if sides.via == "auto":
        sides.via = "cli"
        if not sides.cli_accepts_flags():
            sides.via = "library"
    print(f"  N={n}: through the {sides.via}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    runs = {"plain": [], "managed": []}
    ratios, cpu_ratios = [], []
    verified = {"metrics_file": True, "audit_log": True}
    for i in range(args.pairs):
        for side in rounds_order(i, ["plain", "managed"]):
            db = engine.fresh(side)
            runs[side].append(sides.run(side, db))
            got = engine.count_versions(db)
            if got != n + 1:
                raise SystemExit(f"bench.py: {side} left {got} version rows, "
                                 f"expected {n + 1}")
            if side == "managed":
                # the safety steps really ran: the metrics file carries
                # every run's migrations over, the audit log grows
                k = len(runs["managed"])
                applied = metrics_applied_up(sides.metrics)
                if applied != k * n:
                    verified["metrics_file"] = False
                    print(f"  warning: {sides.metrics} counts {applied} "
                          f"applied migrations after {k} runs, expected "
                          f"{k * n}", file=sys.stderr)
                lines = count_lines(sides.audit)
                if not lines or lines < k * n:
                    verified["audit_log"] = False
                    print(f"  warning: {sides.audit} has {lines} lines after "
                          f"{k} runs of {n} migrations", file=sys.stderr)
        ratios.append(runs["managed"][-1].wall / runs["plain"][-1].wall)
        cpu_ratios.append(runs["managed"][-1].cpu / runs["plain"][-1].cpu)
        print(f"  N={n} round {i + 1}/{args.pairs}: plain "
              f"{runs['plain'][-1].wall:.3f}s managed "
              f"{runs['managed'][-1].wall:.3f}s ratio {ratios[-1]:.3f} "
              f"(CPU {cpu_ratios[-1]:.3f})", file=sys.stderr, flush=True)

    instructions = None
    if args.instructions:
        commands = {side: sides.argv(side, engine.fresh(side))
                    for side in ("plain", "managed")}
        if sides.via == "library":
            # Python's start-up and the typelib, to take off both sides
            commands["baseline"] = sides.argv("none", engine.fresh("none"))
        counts = callgrind_instructions(commands, sides.env)
        base = counts.get("baseline", 0)
        counts["ratio"] = (counts["managed"] - base) / (counts["plain"] - base)
        instructions = counts
        print(f"  N={n} instructions: plain {counts['plain'] / 1e9:.3f} G, "
              f"managed {counts['managed'] / 1e9:.3f} G"
              + (f", driver baseline {base / 1e9:.3f} G" if base else "")
              + f", ratio {counts['ratio']:.4f}", file=sys.stderr, flush=True)

    # The dry run plans from a database without a version table: the
    # whole plan, every statement printed.
    db = engine.fresh("dry")
    plan = os.path.join(work, "plan.txt")
    sides.run("dry-run", db, rss=False, stdout_path=plan)
    plan_bytes = os.path.getsize(plan)
    dry = [sides.run("dry-run", db, rss=False)
           for _ in range(args.dry_run_runs)]
    dry_rss = max(sides.run("dry-run", db).rss_kib
                  for _ in range(args.rss_runs))
    if not engine.untouched(db):
        raise SystemExit("bench.py: the dry run changed the database")

    row = {
        "kind": "manager", "engine": engine.name, "n": n,
        "location": args.location, "via": sides.via,
        "environment": args.environment, "pairs": args.pairs,
        "plain_up_wall_s": median([r.wall for r in runs["plain"]]),
        "managed_up_wall_s": median([r.wall for r in runs["managed"]]),
        "ratio_median": median(ratios), "ratios": ratios,
        "plain_up_cpu_s": median([r.cpu for r in runs["plain"]]),
        "managed_up_cpu_s": median([r.cpu for r in runs["managed"]]),
        "cpu_ratio_median": median(cpu_ratios), "cpu_ratios": cpu_ratios,
        "plain_up_rss_kib": max(r.rss_kib for r in runs["plain"]),
        "managed_up_rss_kib": max(r.rss_kib for r in runs["managed"]),
        "instructions": instructions,
        "steps_verified": verified,
        "driver": sides.how or None,
        "dry_run_runs": args.dry_run_runs,
        "dry_run_wall_ms": median([r.wall for r in dry]) * 1000,
        "dry_run_wall_min_ms": min(r.wall for r in dry) * 1000,
        "dry_run_cpu_ms": median([r.cpu for r in dry]) * 1000,
        "dry_run_rss_kib": dry_rss,
        "dry_run_plan_bytes": plan_bytes,
        "loadavg_1min": [load_before, os.getloadavg()[0]],
    }
    results.append(row)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return row


def print_manager_table(rows):
    print("| engine | N | db on | via | plain up | managed up | ratio "
          "(median of pairs) | CPU plain / managed | instructions ratio "
          "| dry run (median, min, CPU) | RSS plain / managed / dry run "
          "| load |")
    print("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: "
          "| ---: | ---: | ---: |")
    for r in rows:
        ins = (f"{r['instructions']['ratio']:.4f}" if r["instructions"]
               else "–")
        print(f"| {r['engine']} | {r['n']} | {r['location']} | {r['via']} "
              f"| {r['plain_up_wall_s']:.3f} s | {r['managed_up_wall_s']:.3f} s "
              f"| {r['ratio_median']:.3f} "
              f"| {r['plain_up_cpu_s']:.3f} s / {r['managed_up_cpu_s']:.3f} s "
              f"({r['cpu_ratio_median']:.3f}×) | {ins} "
              f"| {r['dry_run_wall_ms']:.1f} ms, {r['dry_run_wall_min_ms']:.1f} "
              f"ms, {r['dry_run_cpu_ms']:.1f} ms "
              f"| {r['plain_up_rss_kib'] / 1024:.1f} / "
              f"{r['managed_up_rss_kib'] / 1024:.1f} / "
              f"{r['dry_run_rss_kib'] / 1024:.1f} MiB "
              f"| {r['loadavg_1min'][0]:.1f}–{r['loadavg_1min'][1]:.1f} |")


def check_manager_targets(rows):
    checks = []

    def add(what, value, limit, text):
        verdict = "met" if value <= limit else "MISSED"
        checks.append({"what": what, "measured": value, "target": limit,
                       "verdict": verdict, "text": text})

    for r in rows:
        tag = f"{r['engine']} N={r['n']} {r['location']} ({r['via']})"
        add(f"{tag}: managed up / plain up, wall", r["ratio_median"],
            MANAGED_UP_MAX, f"{r['ratio_median']:.3f}×")
        add(f"{tag}: managed up / plain up, CPU", r["cpu_ratio_median"],
            MANAGED_UP_MAX, f"{r['cpu_ratio_median']:.3f}×")
        if r["instructions"]:
            add(f"{tag}: managed up / plain up, instructions",
                r["instructions"]["ratio"], MANAGED_UP_MAX,
                f"{r['instructions']['ratio']:.4f}×")
        add(f"{tag}: dry run, wall (ms)", r["dry_run_wall_ms"],
            DRY_RUN_MAX_MS, f"{r['dry_run_wall_ms']:.1f} ms (fastest "
            f"{r['dry_run_wall_min_ms']:.1f})")
        add(f"{tag}: dry run, CPU (ms)", r["dry_run_cpu_ms"], DRY_RUN_MAX_MS,
            f"{r['dry_run_cpu_ms']:.1f} ms")
    return checks


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
          "rounds) | CPU gander / raw | status | version | gander -version "
          "| RSS up / status / version | load |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['engine']} | {r['n']} | {r['location']} "
              f"| {r['gander_up_wall_s']:.3f} s | {r['raw_up_wall_s']:.3f} s "
              f"| {r['ratio_median']:.3f} "
              f"| {r['gander_up_cpu_s']:.3f} s / {r['raw_up_cpu_s']:.3f} s "
              f"({r['cpu_ratio_median']:.2f}×) "
              f"| {r['status_wall_ms']:.1f} ms "
              f"| {r['version_wall_ms']:.1f} ms "
              f"| {r['self_version_wall_ms']:.1f} ms "
              f"| {r['gander_up_rss_kib'] / 1024:.1f} / "
              f"{r['status_rss_kib'] / 1024:.1f} / "
              f"{r['version_rss_kib'] / 1024:.1f} MiB "
              f"| {r['loadavg_1min'][0]:.1f}–{r['loadavg_1min'][1]:.1f} |")
    goose_rows = [r for r in rows if r.get("goose")]
    if goose_rows:
        print()
        print("| engine | N | goose up | goose / raw | goose status "
              "| goose version | goose RSS up / status |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in goose_rows:
            print(f"| {r['engine']} | {r['n']} | {r['goose_up_wall_s']:.3f} s "
                  f"| {r['goose_ratio_median']:.3f} "
                  f"| {r['goose_status_wall_ms']:.1f} ms "
                  f"| {r['goose_version_wall_ms']:.1f} ms "
                  f"| {r['goose_up_rss_kib'] / 1024:.1f} / "
                  f"{r['goose_status_rss_kib'] / 1024:.1f} MiB |")


# Issue 7's goals, each a ratio within one run on one machine.
UP_MAX = 1.02
STATUS_VS_GOOSE_MAX = 0.25
VERSION_VS_SELF_MAX = 1.5
RSS_MAX_KIB = 8 * 1024
# "flat as N grows": what N = 5000 may add to N = 1000's peak
RSS_GROWTH_MAX_KIB = 512


def check_targets(rows):
    """One line per goal and row: measured, target, verdict."""
    checks = []

    def add(what, value, limit, text):
        verdict = ("n/a" if value is None
                   else "met" if value <= limit else "MISSED")
        checks.append({"what": what, "measured": value, "target": limit,
                       "verdict": verdict, "text": text})

    raw = {"sqlite3": "sqlite3", "postgres": "psql"}
    for r in rows:
        tag = f"{r['engine']} N={r['n']} {r['location']}".strip()
        add(f"{tag}: up / {raw[r['engine']]}", r["ratio_median"], UP_MAX,
            f"{r['ratio_median']:.3f}×")
        if r.get("goose"):
            add(f"{tag}: status / goose status",
                r["status_goose_ratio_median"], STATUS_VS_GOOSE_MAX,
                f"{r['status_goose_ratio_median']:.3f}× "
                f"({r['status_wall_ms']:.1f} / "
                f"{r['goose_status_wall_ms']:.1f} ms)")
        else:
            add(f"{tag}: status / goose status", None, STATUS_VS_GOOSE_MAX,
                f"no goose binary; gander status {r['status_wall_ms']:.1f} ms")
        add(f"{tag}: version / gander -version", r["version_ratio_median"],
            VERSION_VS_SELF_MAX,
            f"{r['version_ratio_median']:.3f}× ({r['version_wall_ms']:.1f} / "
            f"{r['self_version_wall_ms']:.1f} ms)")
        if r["engine"] == "sqlite3":
            for what in ("up", "status"):
                kib = r[f"gander_up_rss_kib" if what == "up"
                        else "status_rss_kib"]
                add(f"{tag}: peak RSS {what}", kib / 1024, RSS_MAX_KIB / 1024,
                    f"{kib / 1024:.1f} MiB")
    by_place = {}
    for r in rows:
        if r["engine"] == "sqlite3":
            by_place.setdefault(r["location"], []).append(r)
    for place, rs in by_place.items():
        if len(rs) < 2:
            continue
        rs = sorted(rs, key=lambda r: r["n"])
        lo, hi = rs[0], rs[-1]
        for what, key in (("up", "gander_up_rss_kib"),
                          ("status", "status_rss_kib")):
            grow = hi[key] - lo[key]
            add(f"sqlite3 {place}: RSS {what} N={lo['n']}→{hi['n']}",
                grow / 1024, RSS_GROWTH_MAX_KIB / 1024,
                f"+{grow / 1024:.1f} MiB ({lo[key] / 1024:.1f} → "
                f"{hi[key] / 1024:.1f})")
    return checks


def print_targets(checks):
    print()
    print("| goal | measured | target | verdict |")
    print("| --- | ---: | ---: | --- |")
    for c in checks:
        print(f"| {c['what']} | {c['text']} | ≤ {c['target']:g} "
              f"| {c['verdict']} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("engine", choices=("sqlite3", "postgres"))
    ap.add_argument("--gander", default=os.environ.get("GANDER"),
                    help="path of the gander binary (default: $GANDER)")
    ap.add_argument("--sqlite3", default=shutil.which("sqlite3"))
    ap.add_argument("--psql", default=shutil.which("psql"))
    ap.add_argument("--counts", default="1000,5000")
    ap.add_argument("--pairs", default="5",
                    help="rounds of up per N: a number, or N:ROUNDS,... "
                         "(e.g. 1000:5,5000:1 on a busy machine)")
    ap.add_argument("--status-runs", type=int, default=30)
    ap.add_argument("--rss-runs", type=int, default=3,
                    help="runs under /usr/bin/time for the peak RSS of the "
                         "short commands")
    ap.add_argument("--goose", default=os.environ.get("GOOSE") or
                    shutil.which("goose"),
                    help="goose binary for the comparison column "
                         "(default: $GOOSE, else goose on PATH; none: skip)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", required=True,
                    help="where migrations, scripts and SQLite files go")
    ap.add_argument("--location", default="",
                    help="label for the table (tmpfs, disk, ...)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", help="append the results to this JSON file")
    ap.add_argument("--commit", help="the commit the gander binary was built "
                    "from, for the record (default: this checkout's HEAD)")
    ap.add_argument("--manager", action="store_true",
                    help="issue 8: the managed `up` against the plain one, "
                         "and the dry run")
    ap.add_argument("--environment", default="production",
                    help="--manager: environment of the managed side "
                         "(staging or production)")
    ap.add_argument("--via", choices=("auto", "cli", "library"),
                    default="auto",
                    help="--manager: through the CLI, through the library "
                         "(bench/manager-driver.py), or the CLI when it "
                         "takes the flags (default)")
    ap.add_argument("--dry-run-runs", type=int, default=30)
    ap.add_argument("--instructions", action="store_true",
                    help="--manager: also count instructions with callgrind "
                         "(one run per side)")
    args = ap.parse_args()
    if not args.gander or not os.access(args.gander, os.X_OK):
        ap.error("give the gander binary with --gander or GANDER=")
    args.gander = os.path.abspath(args.gander)
    counts = [int(x) for x in args.counts.split(",")]
    if ":" in args.pairs:
        pairs = {int(k): int(v) for k, v in
                 (item.split(":") for item in args.pairs.split(","))}
    else:
        pairs = {n: int(args.pairs) for n in counts}
    if (any(pairs.get(n, 0) < 1 for n in counts) or args.status_runs < 1
            or args.rss_runs < 1):
        ap.error("--pairs (for every N), --status-runs and --rss-runs must "
                 "be positive")
    if args.goose in ("", "none"):
        args.goose = None
    if args.goose:
        if not os.access(args.goose, os.X_OK):
            ap.error(f"goose binary {args.goose} is not executable")
        args.goose = os.path.abspath(args.goose)

    engine = (SqliteEngine(args, args.workdir) if args.engine == "sqlite3"
              else PostgresEngine(args))
    info = machine()
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True)
    info["gander_commit"] = (args.commit or commit.stdout.strip()
                             or "unknown")
    if args.goose:
        goose_v = subprocess.run([args.goose, "--version"],
                                 capture_output=True, text=True)
        info["goose"] = (goose_v.stdout + goose_v.stderr).strip()
    else:
        info["goose"] = None
    print(f"machine: {info['cpu']}, {info['cpus']} CPUs, {info['memory']}, "
          f"Linux {info['kernel']}; gander at {info['gander_commit']}; "
          f"goose: {info['goose'] or 'not available (no column)'}",
          file=sys.stderr)
    rows = []
    for n in counts:
        args.pairs = pairs[n]
        if args.manager:
            bench_manager_n(engine, n, args, rows)
        else:
            bench_n(engine, n, args, rows)
    if args.manager:
        print_manager_table(rows)
        checks = check_manager_targets(rows)
    else:
        print_table(rows)
        checks = check_targets(rows)
    print_targets(checks)
    if args.json:
        data = {"machine": info, "results": [], "targets": []}
        if os.path.exists(args.json):
            with open(args.json) as f:
                data = json.load(f)
        data["results"] += rows
        data.setdefault("targets", []).extend(checks)
        with open(args.json, "w") as f:
            json.dump(data, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
