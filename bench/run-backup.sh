#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Backup and health benchmark (issue 9):
#   (a) `gander backup` of a ~1 GB SQLite database vs `sqlite3 DB ".backup X"`
#       (goal <= 1.1x), with backup-verify quick, off and full;
#   (b) `gander backup` of a few-hundred-MB PostgreSQL database vs a plain
#       `pg_dump -Fc` (goal <= 1.05x), on a throw-away server (pg-server.sh);
#   (c) the time the health checks add to a run: `gander up` with nothing to
#       do and with one migration, health-before/after all vs none, SQLite
#       and the local PostgreSQL server (goal <= 30 ms each phase).
#
#   bench/run-backup.sh [GANDER]          (or GANDER=... bench/run-backup.sh)
#
# Env: SIZE_MB (SQLite database, default 1024), PG_SIZE_MB (300),
#      PAIRS (5), PG_PAIRS (5), HEALTH_RUNS (20),
#      WORKDIR (default: a new directory in /var/tmp; the SQLite database is
#      generated there once and reused when WORKDIR is given again),
#      ONLY (a space-separated subset of: sqlite postgres health-sqlite
#      health-postgres), OUT (text file to append the results to).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GANDER=${1:-${GANDER:-}}
if [ -z "$GANDER" ] || [ ! -x "$GANDER" ]; then
  echo "usage: $0 PATH/TO/gander   (or GANDER=PATH $0)" >&2
  exit 2
fi
GANDER=$(cd "$(dirname "$GANDER")" && pwd)/$(basename "$GANDER")
py=${PYTHON:-/usr/bin/python3}
only=${ONLY:-sqlite postgres health-sqlite health-postgres}

own_workdir=
if [ -z "${WORKDIR:-}" ]; then
  WORKDIR=$(mktemp -d /var/tmp/gander-bench-backup.XXXXXX)
  own_workdir=$WORKDIR
fi
mkdir -p "$WORKDIR"
# the PostgreSQL server (as root: the postgres user) writes nothing here,
# but pg_dump run by gander must be able to read the password file it makes
chmod 0755 "$WORKDIR"

. "$here/pg-server.sh"
cleanup () {
  pg_server_stop
  [ -n "$own_workdir" ] && rm -rf "$own_workdir"
}
trap cleanup EXIT

common=(--gander "$GANDER" --workdir "$WORKDIR" --size-mb "${SIZE_MB:-1024}"
        --pg-size-mb "${PG_SIZE_MB:-300}" --pairs "${PAIRS:-5}" --pg-pairs "${PG_PAIRS:-5}"
        --health-runs "${HEALTH_RUNS:-20}" --pg-bindir "$PG_BINDIR")
[ -n "${OUT:-}" ] && common+=(--out "$OUT")

echo "== $(uname -srm), $(nproc) CPUs, $(sqlite3 --version | cut -d' ' -f1-2), $("$PG_BINDIR/pg_dump" --version)" >&2
echo "== work directory $WORKDIR ($(df -h --output=fstype "$WORKDIR" | tail -1 | tr -d ' '))" >&2

sqlite_parts=()
pg_parts=()
for part in $only; do
  case $part in
    sqlite|health-sqlite) sqlite_parts+=("$part") ;;
    postgres|health-postgres) pg_parts+=("$part") ;;
    *) echo "unknown part: $part" >&2; exit 2 ;;
  esac
done
if [ ${#sqlite_parts[@]} -gt 0 ]; then
  "$py" "$here/backup.py" "${sqlite_parts[@]}" "${common[@]}"
fi
if [ ${#pg_parts[@]} -gt 0 ]; then
  pg_server_start
  "$py" "$here/backup.py" "${pg_parts[@]}" "${common[@]}"
fi
