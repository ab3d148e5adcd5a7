# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the benchmark scripts: a throw-away PostgreSQL server on a Unix
# socket, fsync off, stopped again when the calling shell exits.
#
#   . bench/pg-server.sh
#   pg_server_start          # exports PGHOST PGPORT PGUSER PGDATABASE
#   ...
#   (pg_server_stop runs from the EXIT trap)
#
# initdb and pg_ctl refuse to run as root, so as root they run as the
# `postgres` user, in a 0755 directory that user can reach.

PG_BINDIR=${PG_BINDIR:-$(pg_config --bindir)}
PG_SERVER_DIR=
PG_SERVER_WATCHDOG=

_pg_as_owner () {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

pg_server_stop () {
  if [ -n "$PG_SERVER_DIR" ] && [ -d "$PG_SERVER_DIR/data" ]; then
    _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_SERVER_DIR/data" -m immediate \
      stop >/dev/null 2>&1 || true
  fi
  if [ -n "$PG_SERVER_WATCHDOG" ]; then
    kill "$PG_SERVER_WATCHDOG" 2>/dev/null || true
    PG_SERVER_WATCHDOG=
  fi
  if [ -n "$PG_SERVER_DIR" ]; then
    rm -rf "$PG_SERVER_DIR"
    PG_SERVER_DIR=
  fi
}

pg_server_start () {
  local port=${1:-$((20000 + RANDOM % 20000))}
  PG_SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gander-bench-pg.XXXXXX")
  chmod 0755 "$PG_SERVER_DIR"
  mkdir -m 0700 "$PG_SERVER_DIR/data"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$PG_SERVER_DIR"
  fi
  trap pg_server_stop EXIT
  _pg_as_owner "$PG_BINDIR/initdb" -D "$PG_SERVER_DIR/data" -U postgres \
    -A trust -N -E UTF8 --locale=C >"$PG_SERVER_DIR/initdb.log" 2>&1 \
    || { cat "$PG_SERVER_DIR/initdb.log" >&2; return 1; }
  _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_SERVER_DIR/data" \
    -l "$PG_SERVER_DIR/server.log" -w start \
    -o "-p $port -k $PG_SERVER_DIR -c listen_addresses='' -c fsync=off" \
    >/dev/null || { cat "$PG_SERVER_DIR/server.log" >&2; return 1; }
  export PGHOST=$PG_SERVER_DIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
  # pg_ctl puts the server in its own process group: if this shell is
  # killed, the watchdog still stops the server.
  local parent=$$ data=$PG_SERVER_DIR/data
  (
    trap '' INT HUP
    while kill -0 "$parent" 2>/dev/null; do sleep 1; done
    _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$data" -m immediate stop \
      >/dev/null 2>&1
  ) </dev/null >/dev/null 2>&1 &
  PG_SERVER_WATCHDOG=$!
}
