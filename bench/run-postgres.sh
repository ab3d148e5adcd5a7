#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PostgreSQL benchmark: `gander up` vs `psql -X -q -f script` against a
# throw-away local server (Unix socket, fsync=off), plus `gander status`.
#
#   bench/run-postgres.sh [GANDER]        (or GANDER=... bench/run-postgres.sh)
#
# Env: COUNTS (default 1000,5000), PAIRS (5), STATUS_RUNS (30), RSS_RUNS (3),
#      GOOSE (a goose binary for the comparison column; default: goose on
#      PATH, none to skip),
#      RESULTS (JSON file to append to), MANAGER=1 (issue 8: managed
#      against plain `up`, and the dry run; VIA, DRY_RUN_RUNS, INSTRUCTIONS
#      as in run-sqlite.sh). Works as root (the server then runs as the
#      `postgres` user) or as a normal user.
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

. "$here/pg-server.sh"
pg_server_start
work=$(mktemp -d /dev/shm/gander-bench.XXXXXX)
trap 'rm -rf "$work"; pg_server_stop' EXIT

echo "== PostgreSQL $(psql -X -At -c 'SHOW server_version'), socket $PGHOST" >&2
"$py" "$here/bench.py" postgres --gander "$GANDER" --workdir "$work" \
  --location "socket, fsync=off" --counts "${COUNTS:-1000,5000}" \
  --pairs "${PAIRS:-5}" --status-runs "${STATUS_RUNS:-30}" --rss-runs "${RSS_RUNS:-3}" "${json[@]}" "${mode[@]}"
