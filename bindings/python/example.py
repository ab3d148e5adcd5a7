#!/usr/bin/env python3
# example.py: apply goose migrations to a SQLite file with libgander
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   example.py [--database FILE] [MIGRATIONS_DIR]
#
# Runs `up` asynchronously, draws a progress bar from the migrator's
# signals and its `fraction` property while the worker thread applies the
# migrations, then prints `status` as a table. Ctrl+C cancels the run: the
# migration in progress rolls back, the ones before it stay applied.
#
# From a build tree: meson devenv -C BUILD python3 bindings/python/example.py

import argparse
import os
import signal
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gio, Gander  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MIGRATIONS = os.path.join(HERE, os.pardir, os.pardir, 'migrations')


class ProgressBar:
    """One line redrawn in place on a terminal; one line per update
    otherwise, so that logs stay readable."""

    WIDTH = 30

    def __init__(self, out):
        self.out = out
        self.tty = out.isatty()
        self.fraction = 0.0
        self.label = ''
        self.drawn = 0

    def update(self, fraction=None, label=None):
        changed = fraction is not None and fraction != self.fraction
        if fraction is not None:
            self.fraction = fraction
        if label is not None:
            self.label = label
        if not self.tty and not changed:
            return
        filled = round(self.fraction * self.WIDTH)
        line = '[{}{}] {:3d}%  {}'.format('#' * filled, '.' * (self.WIDTH - filled),
                                         round(self.fraction * 100), self.label)
        if self.tty:
            self.out.write('\r' + line.ljust(self.drawn))
            self.out.flush()
            self.drawn = len(line)
        else:
            print(line, file=self.out)

    def finish(self):
        if self.tty and self.drawn:
            self.out.write('\n')
            self.out.flush()


def print_table(rows, headers, out=sys.stdout):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    for i, row in enumerate([headers] + rows):
        print('  '.join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip(), file=out)
        if i == 0:
            print('  '.join('-' * w for w in widths), file=out)


def print_status(migrator):
    rows = []
    for s in migrator.status(None):
        state = s.get_state().value_nick
        if s.get_modified():
            state += ' (file changed since)'
        applied_at = s.get_applied_at()  # a GLib.DateTime in UTC, None when pending
        rows.append([s.get_version(), s.get_name(), state,
                     applied_at.format('%Y-%m-%d %H:%M:%S') if applied_at else '-'])
    print_table(rows, ['VERSION', 'MIGRATION', 'STATE', 'APPLIED AT (UTC)'])


def apply_pending(migrator, args):
    """Runs up_async() with a progress bar; returns the exit status."""
    bar = ProgressBar(sys.stdout)
    # Every handler runs in this thread: libgander delivers signals and
    # notifications in the main context of the caller of up_async(), while
    # the SQL runs in a worker thread.
    handlers = [
        migrator.connect('migration-started',
                         lambda m, migration, direction: bar.update(
                             label='applying ' + migration.get_name())),
        migrator.connect('migration-finished',
                         lambda m, result: bar.update(label='{} {} ({:.1f} ms)'.format(
                             result.get_name(), 'FAILED' if result.get_error() else 'done',
                             result.get_duration_us() / 1000))),
        migrator.connect('notify::fraction',
                         lambda m, pspec: bar.update(fraction=m.props.fraction)),
    ]

    loop = GLib.MainLoop()
    cancellable = Gio.Cancellable()
    outcome = {}

    def on_sigint():
        cancellable.cancel()
        return GLib.SOURCE_CONTINUE

    def on_done(m, result):
        try:
            outcome['results'] = m.up_finish(result)
        except GLib.Error as e:
            outcome['error'] = e
        loop.quit()

    sigint = GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, on_sigint)
    print(f'Applying {args.migrations} to {args.database}')
    migrator.up_async(cancellable, on_done)
    loop.run()
    GLib.source_remove(sigint)
    for handler in handlers:
        migrator.disconnect(handler)
    bar.finish()

    if 'error' in outcome:
        print(f'example: {outcome["error"].message}', file=sys.stderr)
        return 1
    print(f'applied {len(outcome["results"])} migration(s); '
          f'database is at version {migrator.props.current_version}')
    return 0


def main():
    parser = argparse.ArgumentParser(description='Apply goose migrations to a SQLite file.')
    parser.add_argument('migrations', nargs='?', default=os.path.normpath(DEFAULT_MIGRATIONS),
                        help='directory of NNNNN_name.sql files (default: %(default)s)')
    parser.add_argument('--database', default='gander-example.db',
                        help='SQLite file, created if missing (default: %(default)s)')
    args = parser.parse_args()

    try:
        source = Gander.Source.new_for_uri(args.migrations, Gander.SourceFlags.NONE, None)
    except GLib.Error as e:
        print(f'example: {e.message}', file=sys.stderr)
        return 1
    database = Gander.SqliteDatabase.new(args.database)
    migrator = Gander.Migrator.new(database, source)

    try:
        # the properties hold the database's state before anything has run
        migrator.refresh(None)
        print(f'{args.database}: version {migrator.props.current_version}, '
              f'{migrator.props.pending_count} file(s) not applied')
        # plain values in every language: a bool and an int, errors raise
        pending = migrator.has_pending(None)
        if not pending:
            print(f'nothing to apply: database is at version {migrator.get_db_version(None)}')
    except GLib.Error as e:
        print(f'example: {e.message}', file=sys.stderr)
        return 1
    status = apply_pending(migrator, args) if pending else 0
    print()

    try:
        print_status(migrator)
    except GLib.Error as e:
        print(f'example: {e.message}', file=sys.stderr)
        status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
