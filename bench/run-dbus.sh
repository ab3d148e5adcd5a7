#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gander-daemon over D-Bus (issue 11): Status round trip with 1000 applied
# migrations, 50 clients polling Status during a job, job throughput
# against the CLI. Everything on a private session bus and tmpfs.
#
#   bench/run-dbus.sh BUILD_DIR      (BUILD_DIR/service/gander-daemon and
#                                     BUILD_DIR/cli/gander of one build)
#
# Env: COUNT (1000), CALLS (2000), CLIENTS (50), POLL_INTERVAL (0.1 s),
#      POLL_METHOD (StatusColumns, or Status), PAIRS (3),
#      RESULTS (append the raw numbers as JSON to this file).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-}
if [ -z "$build" ] || [ ! -x "$build/service/gander-daemon" ] || [ ! -x "$build/cli/gander" ]; then
  echo "usage: $0 BUILD_DIR   (with service/gander-daemon and cli/gander built)" >&2
  exit 2
fi
build=$(cd "$build" && pwd)
py=${PYTHON:-/usr/bin/python3}
json=()
[ -n "${RESULTS:-}" ] && json=(--results "$RESULTS")

work=$(mktemp -d /dev/shm/gander-bench-dbus.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$py" "$here/dbus.py" --daemon "$build/service/gander-daemon" --gander "$build/cli/gander" \
  --workdir "$work" --count "${COUNT:-1000}" --calls "${CALLS:-2000}" \
  --clients "${CLIENTS:-50}" --poll-interval "${POLL_INTERVAL:-0.1}" \
  --poll-method "${POLL_METHOD:-StatusColumns}" \
  --pairs "${PAIRS:-3}" "${json[@]}"
