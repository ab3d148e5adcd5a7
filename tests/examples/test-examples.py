# SPDX-License-Identifier: LGPL-2.1-or-later
"""The example migrations in migrations/, applied with the built gander.

SQLite only (a file in a temporary directory): up, status, the SQLite
trigger set with its own version table (and that the triggers work), then
everything down to 0 and up again. Prints TAP.

Environment (set by tests/meson.build): GANDER_CLI, GANDER_SOURCE_ROOT.
"""

import os
import re
import sqlite3
import subprocess
import sys
import tempfile

GANDER = os.environ.get("GANDER_CLI", "")
SRC = os.environ.get("GANDER_SOURCE_ROOT",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
MIGRATIONS = os.path.join(SRC, "migrations")
TRIGGERS = os.path.join(MIGRATIONS, "triggers", "sqlite3")
FILES = sorted(f for f in os.listdir(MIGRATIONS) if f.endswith(".sql"))

_n = 0
_failed = 0


def ok(cond, what, diag=""):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print(f"{'ok' if cond else 'not ok'} {_n} - {what}")
    if not cond and diag:
        for line in str(diag).splitlines():
            print(f"# {line}")
    sys.stdout.flush()
    return cond


def gander(*args, table=None):
    argv = [GANDER]
    if table:
        argv += ["-table", table]
    argv += list(args)
    env = dict(os.environ, NO_COLOR="1")
    for var in ("GOOSE_DRIVER", "GOOSE_DBSTRING", "GOOSE_MIGRATION_DIR",
                "GOOSE_TABLE"):
        env.pop(var, None)
    return subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=60)


def versions(db, table="goose_db_version"):
    with sqlite3.connect(db) as con:
        return [r[0] for r in con.execute(
            f"SELECT version_id FROM {table} ORDER BY id")]


def objects(db):
    """User-visible schema objects, without goose's and Gander's own."""
    with sqlite3.connect(db) as con:
        return sorted(r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'goose_db_version%' "
            "AND name NOT LIKE 'alerts_trigger_version%'"))


def main():
    if not GANDER or not os.access(GANDER, os.X_OK):
        # meson builds the tool before running tests: its absence is a bug.
        print(f"Bail out! gander binary not found ({GANDER or 'unset'})")
        return 1
    print("1..14")
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "alerts.db")
        n = len(FILES)
        main_set = ["-dir", MIGRATIONS, "sqlite3", db]
        trig_set = ["-dir", TRIGGERS, "sqlite3", db]

        r = gander(*main_set, "up")
        ok(r.returncode == 0, "up applies the example set", r.stderr)
        ok(versions(db) == list(range(0, n + 1)),
           f"version rows 0..{n}", versions(db))
        ok({"alerts", "alert_labels", "silences", "notifications",
            "active_alerts", "failed_notifications",
            "retention_policies"} <= set(objects(db)),
           "tables and views exist", objects(db))

        r = gander(*main_set, "status")
        listed = [f for f in FILES if re.search(
            r"^.*\d\d:\d\d:\d\d \d{4} -- " + re.escape(f) + "$",
            r.stdout + r.stderr, re.M)]
        ok(r.returncode == 0 and listed == FILES,
           "status lists every file as applied", r.stdout + r.stderr)

        r = gander(*main_set, "up")
        ok(r.returncode == 0 and versions(db) == list(range(0, n + 1)),
           "a second up applies nothing", r.stderr)

        r = gander(*trig_set, "up", table="alerts_trigger_version")
        ok(r.returncode == 0 and versions(db, "alerts_trigger_version")
           == [0, 1], "the SQLite trigger set applies with its own table",
           r.stderr)

        with sqlite3.connect(db) as con:
            con.execute("INSERT INTO alerts (fingerprint, alertname, "
                        "starts_at, updated_at) VALUES ('f1', 'DiskFull', "
                        "CURRENT_TIMESTAMP, '2000-01-01 00:00:00')")
            con.execute("UPDATE alerts SET status = 'resolved' "
                        "WHERE fingerprint = 'f1'")
            updated = con.execute("SELECT updated_at FROM alerts").fetchone()
            logged = con.execute("SELECT receiver FROM notifications "
                                 "WHERE fingerprint = 'f1'").fetchall()
        ok(updated[0] != "2000-01-01 00:00:00",
           "trigger refreshes alerts.updated_at", updated)
        ok(logged == [("history",)],
           "trigger logs the resolution in notifications", logged)

        r = gander(*trig_set, "down", table="alerts_trigger_version")
        with sqlite3.connect(db) as con:
            n_trig = con.execute("SELECT count(*) FROM sqlite_master "
                                 "WHERE type = 'trigger'").fetchone()[0]
        ok(r.returncode == 0 and n_trig == 0, "trigger set rolls back",
           r.stderr)

        r = gander(*main_set, "down-to", "0")
        ok(r.returncode == 0, "down-to 0 rolls everything back", r.stderr)
        ok(versions(db) == [0], "only the version-0 row is left",
           versions(db))
        ok(objects(db) == [], "no example object is left", objects(db))

        r = gander(*main_set, "up")
        ok(r.returncode == 0 and versions(db) == [0] + list(range(1, n + 1)),
           "up again after down-to 0", r.stderr)

        r = gander(*main_set, "status")
        ok(r.returncode == 0 and "Pending" not in r.stdout + r.stderr,
           "status after re-applying", r.stderr)
    return 1 if _failed else 0


if __name__ == "__main__":
    sys.exit(main())
