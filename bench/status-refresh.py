#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The cost of one status refresh the way gander-daemon does it: a new
GanderManager for the profile (a new GanderSource, new GanderMigration
objects), then gander_migrator_status_full (ORPHANS).

  status-refresh.py --gander build/cli/gander [--count 1000]
      [--applied 900] [--renamed 20] [--refreshes 30] [--workdir DIR]
      [--json FILE]

Writes COUNT migrations with gen-migrations.py, applies the first APPLIED
with `gander up-to`, then renames RENAMED applied files to new versions
after the last one (what a wrong `goose fix` does): each leaves an orphan
whose recorded checksum matches a pending file, so the rename check has
work to do. The files are made older than a few seconds (their ctime is
what counts: the script waits) so that a cache of checksums, if the
library has one, may trust them. Then REFRESHES refreshes, each timed
alone (wall and the process's CPU, worker threads included); prints the
median and the first refresh.

Needs GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build's lib/.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Gander", "1.0")
from gi.repository import Gander  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def refresh(profile):
    manager = Gander.Manager.new(profile)
    migrator = manager.get_migrator()
    statuses = migrator.status_full(Gander.StatusFlags.ORPHANS, None)
    migrator.get_database().close()
    return statuses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gander", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--applied", type=int, default=900)
    ap.add_argument("--renamed", type=int, default=20)
    ap.add_argument("--refreshes", type=int, default=30)
    ap.add_argument("--workdir")
    ap.add_argument("--json")
    args = ap.parse_args()

    work = args.workdir or tempfile.mkdtemp(prefix="gander-status-refresh-",
                                            dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    mig = os.path.join(work, "m")
    db = os.path.join(work, "app.db")
    shutil.rmtree(mig, ignore_errors=True)
    if os.path.exists(db):
        os.unlink(db)
    subprocess.run([sys.executable, os.path.join(HERE, "gen-migrations.py"),
                    "--count", str(args.count), "--seed", "42", mig], check=True,
                   stdout=subprocess.DEVNULL)
    files = sorted(os.listdir(mig))
    last_applied = int(files[args.applied - 1].split("_", 1)[0])
    subprocess.run([args.gander, "-dir", mig, "sqlite3", db, "up-to", str(last_applied)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = int(files[-1].split("_", 1)[0])
    for i, name in enumerate(files[args.applied - args.renamed:args.applied]):
        os.rename(os.path.join(mig, name),
                  os.path.join(mig, "%05d_%s" % (last + 1 + i, name.split("_", 1)[1])))
    time.sleep(3)

    profile = Gander.Profile.new("bench")
    for key, value in (("driver", "sqlite3"), ("dbstring", db), ("dir", mig)):
        profile.set(key, value, "bench")

    walls, cpus = [], []
    orphans = renamed = 0
    for _ in range(args.refreshes):
        c0, t0 = time.process_time(), time.perf_counter()
        statuses = refresh(profile)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        orphans = sum(1 for s in statuses if s.get_state() == Gander.MigrationState.MISSING)
        renamed = sum(1 for s in statuses if s.get_renamed_to() is not None)
    result = {
        "count": args.count, "applied": args.applied, "renamed": args.renamed,
        "refreshes": args.refreshes, "orphans_seen": orphans, "renamed_seen": renamed,
        "first_ms": round(walls[0] * 1000, 2), "first_cpu_ms": round(cpus[0] * 1000, 2),
        "median_ms": round(statistics.median(walls) * 1000, 2),
        "median_cpu_ms": round(statistics.median(cpus) * 1000, 2),
        "min_ms": round(min(walls) * 1000, 2),
    }
    print(json.dumps(result))
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps(result) + "\n")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    if orphans != args.renamed or renamed != args.renamed:
        sys.exit("expected %d orphans found renamed, saw %d orphans, %d renamed"
                 % (args.renamed, orphans, renamed))


if __name__ == "__main__":
    main()
