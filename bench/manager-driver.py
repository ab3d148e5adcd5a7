#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One side of bench.py --manager through the library (GObject
introspection), for when the CLI does not take the issue 8 flags yet.

  manager-driver.py plain|managed|dry-run|none --dir DIR --driver DRIVER
      --dsn DSN --result FILE [--environment ENV --confirm NAME
      --audit-log PATH --metrics-file PATH]

Times the operation alone, from opening the database to the end of the
run (and, on the managed side, the audit and metrics files written), and
writes {"seconds": wall, "cpu_seconds": CPU of the process, "how": ...}
to FILE. Python's start-up and the import of the typelib are outside the
timed part, on both sides alike.

The managed side runs GanderManager when the library has it (the manager
writes the audit log and the metrics file the profile names). Without it
the driver puts the pipeline together from the parts that exist, in the
manager's order: circuit breaker check, validation of every file, the
plan (the dry-run-first output, printed to /dev/null), the run with
metrics (and audit records when GanderAudit exists) per migration, the
breaker's success, gauges, the textfile write and the audit sync. "how"
in the result says which.

Needs GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build's lib/
(bench.py passes its environment through).
"""

import argparse
import json
import os
import sys
import time

import gi

gi.require_version("Gander", "1.0")
from gi.repository import Gander, GLib  # noqa: E402


def open_migrator(args, dsn=None):
    database = Gander.Database.new_for_driver(args.driver, dsn or args.dsn)
    source = Gander.Source.new_for_path(args.dir, Gander.SourceFlags.STRICT,
                                        None)
    database.open(None)
    return Gander.Migrator.new(database, source)


def plain(args):
    open_migrator(args).up(None)
    return "GanderMigrator up"


def print_plan(migrator):
    """The plan's statements, written where nobody reads them: the work of
    printing the plan without a terminal's cost."""
    plan = migrator.plan(Gander.PlanOperation.UP, 0, None)
    with open(os.devnull, "w") as out:
        for step in plan.get_steps():
            for statement in step.get_statements() or []:
                out.write(statement)


def dry_run_with_manager(args):
    manager = Gander.Manager.new(make_profile(args))
    options = Gander.RunOptions.new()
    options.props.dry_run = True
    options.props.via = "library"
    report = manager.execute(Gander.Operation.UP, -1, options, None)
    with open(os.devnull, "w") as out:
        for step in report.get_plan().get_steps():
            for statement in step.get_statements() or []:
                out.write(statement)
    return "GanderManager execute up, dry-run"


def dry_run(args):
    dsn = args.dsn
    # as the CLI does: opening a SQLite file that does not exist would
    # create it, and an empty database plans alike
    if args.driver.startswith("sqlite") and not os.path.exists(dsn):
        dsn = ":memory:"
    print_plan(open_migrator(args, dsn))
    return "GanderMigrator plan"


def make_profile(args):
    """As the CLI does for DRIVER DBSTRING without --profile: an ad-hoc
    profile in the chosen environment."""
    if hasattr(Gander, "Config"):
        config = Gander.Config.new()
        config.load_standard()
        profile = config.resolve(None, args.environment)
    else:
        profile = Gander.Profile.new(None)
        profile.set("environment", args.environment, "bench")
    for key, value in (("driver", args.driver), ("dbstring", args.dsn),
                       ("dir", args.dir), ("audit-log", args.audit_log),
                       ("metrics-file", args.metrics_file)):
        if value is not None:
            profile.set(key, value, "bench")
    return profile


def managed_with_manager(args):
    # the manager opens the audit log and writes the metrics file the
    # profile names
    manager = Gander.Manager.new(make_profile(args))
    options = Gander.RunOptions.new()
    options.props.confirmation = args.confirm
    options.props.via = "library"
    manager.execute(Gander.Operation.UP, -1, options, None)
    return "GanderManager execute up"


def managed_from_parts(args):
    labels = ["profile", "", "environment", args.environment]
    breaker = Gander.CircuitBreaker.new(
        Gander.CircuitBreaker.make_key(None, args.driver, args.dsn),
        None, 3, 10 * 60 * GLib.USEC_PER_SEC)
    breaker.allow()
    audit = Gander.Audit.new(args.audit_log) if hasattr(Gander, "Audit") else None
    metrics = Gander.Metrics.new()
    started = time.time()

    migrator = open_migrator(args)
    migrator.get_source().validate(Gander.ValidateFlags.NONE, None)
    print_plan(migrator)

    def on_finished(_migrator, result):
        direction = ("up" if result.props.direction == Gander.Direction.UP
                     else "down")
        metrics.inc("gander_migrations_applied_total",
                    labels + ["direction", direction], 1)
        metrics.observe("gander_migration_duration_seconds",
                        labels + ["direction", direction],
                        result.props.duration_us / 1e6)
        if audit is not None:
            from gi.repository import Json
            record = Json.Object()
            record.set_string_member("event", "migration.applied")
            record.set_int_member("version", result.props.version)
            audit.append(record)

    migrator.connect("migration-finished", on_finished)
    migrator.up(None)
    breaker.record_success()
    metrics.set("gander_schema_version", labels, migrator.props.current_version)
    metrics.set("gander_migrations_pending", labels, 0)
    metrics.set("gander_dirty", labels, 0)
    metrics.set("gander_circuit_breaker_state", labels, 0)
    now = time.time()
    metrics.set("gander_last_success_timestamp_seconds", labels, now)
    metrics.set("gander_last_run_timestamp_seconds", labels + ["result", "ok"], now)
    metrics.observe("gander_run_duration_seconds",
                    labels + ["operation", "up", "result", "ok"], now - started)
    metrics.write_textfile(args.metrics_file)
    if audit is not None:
        audit.sync()
    return ("parts: breaker, validation, plan, migrator up, metrics"
            + (", audit" if audit is not None else " (no GanderAudit yet)"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("plain", "managed", "dry-run", "none"))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--environment", default="production")
    ap.add_argument("--confirm")
    ap.add_argument("--audit-log")
    ap.add_argument("--metrics-file")
    args = ap.parse_args()

    t0, c0 = time.perf_counter(), time.process_time()
    if args.mode == "none":
        how = "nothing: the start-up the other modes share"
    elif args.mode == "plain":
        how = plain(args)
    elif args.mode == "dry-run":
        how = (dry_run_with_manager(args) if hasattr(Gander, "Manager")
               else dry_run(args))
    elif hasattr(Gander, "Manager"):
        how = managed_with_manager(args)
    else:
        how = managed_from_parts(args)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(args.result, "w") as f:
        json.dump({"seconds": wall, "cpu_seconds": cpu, "how": how}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
