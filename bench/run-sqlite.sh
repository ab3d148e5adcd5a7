#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SQLite benchmark: `gander up` vs `sqlite3 DB < script`, `gander status`.
#
#   bench/run-sqlite.sh [GANDER]          (or GANDER=... bench/run-sqlite.sh)
#
# Env: COUNTS (default 1000,5000), PAIRS (5), STATUS_RUNS (30), RSS_RUNS (3),
#      GOOSE (a goose binary for the comparison column; default: goose on
#      PATH, none to skip),
#      DISK_DIR (default /var/tmp: the on-disk reference run, N=1000;
#      DISK_DIR=none skips that run),
#      RESULTS (JSON file to append to; default bench/results-sqlite.json
#      is NOT written unless RESULTS is set),
#      MANAGER=1 (issue 8: managed against plain `up`, and the dry run;
#      VIA=auto|cli|library, DRY_RUN_RUNS (30), INSTRUCTIONS=1 for
#      callgrind counts; tmpfs only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GANDER=${1:-${GANDER:-}}
if [ -z "$GANDER" ] || [ ! -x "$GANDER" ]; then
  echo "usage: $0 PATH/TO/gander   (or GANDER=PATH $0)" >&2
  exit 2
fi
py=${PYTHON:-/usr/bin/python3}
json=()
[ -n "${RESULTS:-}" ] && json=(--json "$RESULTS")
# MANAGER=1: issue 8's manager overhead (managed vs plain `up`, dry run)
mode=()
if [ -n "${MANAGER:-}" ]; then
  mode=(--manager --via "${VIA:-auto}" --dry-run-runs "${DRY_RUN_RUNS:-30}")
  [ -n "${INSTRUCTIONS:-}" ] && mode+=(--instructions)
  # bench/manager-driver.py loads the library of the same build
  lib=$(cd "$(dirname "$GANDER")/../lib" 2>/dev/null && pwd || true)
  if [ -n "$lib" ]; then
    export GI_TYPELIB_PATH=$lib${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}
    export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
fi

tmpfs=$(mktemp -d /dev/shm/gander-bench.XXXXXX)
disk=
trap 'rm -rf "$tmpfs" ${disk:+"$disk"}' EXIT

echo "== SQLite, database and migrations on tmpfs ($tmpfs)" >&2
"$py" "$here/bench.py" sqlite3 --gander "$GANDER" --workdir "$tmpfs" \
  --location tmpfs --counts "${COUNTS:-1000,5000}" --pairs "${PAIRS:-5}" \
  --status-runs "${STATUS_RUNS:-30}" --rss-runs "${RSS_RUNS:-3}" "${json[@]}" "${mode[@]}"

# the manager benchmark runs on tmpfs only
[ "${DISK_DIR:-}" = none ] || [ -n "${MANAGER:-}" ] && exit 0
disk=$(mktemp -d "${DISK_DIR:-/var/tmp}/gander-bench.XXXXXX")
echo "== SQLite, database and migrations on disk ($disk), reference" >&2
"$py" "$here/bench.py" sqlite3 --gander "$GANDER" --workdir "$disk" \
  --location disk --counts 1000 --pairs "${PAIRS:-5}" \
  --status-runs "${STATUS_RUNS:-30}" --rss-runs "${RSS_RUNS:-3}" "${json[@]}" "${mode[@]}"
