#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lint benchmark (issue 10): `gander lint` over N generated migrations,
# PostgreSQL rules (libpg_query) and SQLite rules (SQLite's compiler), the
# goal being at most 1 s for N = 1000 on 2 cores.
#
#   bench/run-lint.sh [GANDER]          (or GANDER=... bench/run-lint.sh)
#
# Env: COUNT (default 1000), RUNS (default 7): the median and the best of
# RUNS runs are printed, wall clock and CPU (user + sys), per dialect.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GANDER=${1:-${GANDER:-}}
if [ -z "$GANDER" ] || [ ! -x "$GANDER" ]; then
  echo "usage: $0 PATH/TO/gander   (or GANDER=PATH $0)" >&2
  exit 2
fi
py=${PYTHON:-/usr/bin/python3}
count=${COUNT:-1000}
runs=${RUNS:-7}

work=$(mktemp -d /dev/shm/gander-lint-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$py" "$here/gen-migrations.py" --count "$count" --seed 42 "$work/m" >/dev/null

echo "gander lint, $count migrations (gen-migrations.py, seed 42), $runs runs, $(nproc) cores"
echo "$("$GANDER" -version)"
for dialect in postgres sqlite3; do
  # a build without libpg_query says so instead of linting
  if ! "$GANDER" --dialect "$dialect" lint --json -dir "$work/m" >"$work/out.json" 2>"$work/err"; then
    if grep -q libpg_query "$work/err"; then
      echo "$dialect: not available in this build ($(cat "$work/err"))"
      continue
    fi
  fi
  summary=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("files %d, errors %d, warnings %d" % (d["files"], d["errors"], d["warnings"]))' "$work/out.json")
  "$py" - "$GANDER" "$dialect" "$work/m" "$runs" "$summary" <<'PY'
import os, resource, statistics, subprocess, sys, time
gander, dialect, d, runs, summary = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
walls, cpus = [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run([gander, '--dialect', dialect, 'lint', '-dir', d],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls.append(time.perf_counter() - t)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    assert p.returncode in (0, 1), p.returncode
print("%-8s wall median %.3f s (best %.3f), CPU median %.3f s; %s" %
      (dialect, statistics.median(walls), min(walls), statistics.median(cpus), summary))
PY
done

# The manager's lint step (issue 10): a dry run of `up` with every
# migration pending, on a SQLite file that does not exist (so no health
# check runs): the configuration's lint=off against lint=warn.
printf '[gander]\nlint=off\n' >"$work/off.conf"
printf '[gander]\nlint=warn\n' >"$work/warn.conf"
"$py" - "$GANDER" "$work" "$runs" <<'PY'
import statistics, subprocess, sys, time
gander, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
med = {}
for mode in ('off', 'warn'):
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run([gander, '--config', '%s/%s.conf' % (work, mode), '-dir', '%s/m' % work,
                            'sqlite3', '%s/absent.db' % work, '--dry-run', 'up'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
        assert p.returncode == 0, (mode, p.returncode)
    med[mode] = statistics.median(walls)
    print("dry-run up, lint=%-4s wall median %.3f s (best %.3f)" % (mode, med[mode], min(walls)))
print("lint step: +%.3f s for the pending migrations" % (med['warn'] - med['off']))
PY
