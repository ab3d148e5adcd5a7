# clitest.py: shared helpers for the gander command-line tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Each test runs the built `gander` (GANDER_CLI) in a fresh temporary
# directory against real SQLite files, and checks what a goose user would
# see: stderr log lines with Go's `YYYY/MM/DD HH:MM:SS ` prefix, stdout,
# JSON and exit statuses. Results are reported as TAP.

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import traceback
import unittest
import warnings

import jsonschema

GANDER = os.environ.get('GANDER_CLI', '')
CONFORMANCE = os.environ.get('GANDER_CONFORMANCE_DIR', '')
BUILD_ROOT = os.environ.get('GANDER_BUILD_ROOT', '')

LOG_PREFIX = re.compile(r'^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} ')
# Go's time.Duration.String() after goose's truncateDuration
GO_DURATION = re.compile(r'^(\d+h)?(\d+m)?(\d+(\.\d+)?(ns|µs|ms|s))$|^0s$')
OK_LINE = re.compile(r'^(OK  |EMPTY) (\S+) \((\S+)\)$')
ANSIC = re.compile(r'^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) '
                   r'(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) '
                   r'[ 123]\d \d\d:\d\d:\d\d \d{4}$')

STATUS_HEADER = [
    '    Applied At                  Migration',
    '    =======================================',
]


SOURCE_ROOT = os.environ.get('GANDER_SOURCE_ROOT') or \
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_DIR = os.path.join(SOURCE_ROOT, 'docs', 'json')
_SCHEMAS = None


def json_schemas():
    """docs/json/*.schema.json by file name without `.schema.json`."""
    global _SCHEMAS
    if _SCHEMAS is None:
        _SCHEMAS = {}
        for name in sorted(os.listdir(SCHEMA_DIR)):
            if name.endswith('.schema.json'):
                with open(os.path.join(SCHEMA_DIR, name), encoding='utf-8') as f:
                    _SCHEMAS[name[:-len('.schema.json')]] = json.load(f)
    return _SCHEMAS


def schema_name(command):
    """The schema of a document's `command` (`audit verify` → audit-verify)."""
    return command.replace(' ', '-')


def validate_json(doc, name):
    """Raises AssertionError unless doc matches docs/json/NAME.schema.json
    (draft 2020-12; the other files are reached through their $id, as
    python3-jsonschema 4.10 in Debian 12 does it). NAME `envelope`: only
    the members every document has."""
    schemas = json_schemas()
    if name == 'envelope':
        schema = {'$schema': schemas['common']['$schema'],
                  '$ref': schemas['common']['$id'] + '#/$defs/envelope'}
    else:
        schema = schemas[name]
    store = {s['$id']: s for s in schemas.values()}
    with warnings.catch_warnings():
        # newer jsonschema prefers the `referencing` package; 4.10 has none
        warnings.simplefilter('ignore', DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        validator = jsonschema.Draft202012Validator(
            schema, resolver=resolver, format_checker=jsonschema.FormatChecker())
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        raise AssertionError('--json output does not match docs/json/%s.schema.json: %s at /%s\n%s'
                             % (name, error.message, '/'.join(str(p) for p in error.absolute_path),
                                json.dumps(doc, indent=2)))


def conformance_dir(*parts):
    """A directory of the goose conformance data, or None when absent."""
    if not CONFORMANCE:
        return None
    path = os.path.join(CONFORMANCE, 'goose-migrations', *parts)
    return path if os.path.isdir(path) else None


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def lines(self):
        """stderr log lines without Go's log prefix (continuation lines of a
        multi-line message are kept as they are)."""
        out = []
        for line in self.err.splitlines():
            out.append(LOG_PREFIX.sub('', line, count=1))
        return out

    @property
    def logged_lines(self):
        """Only the stderr lines that carry the log prefix."""
        return [LOG_PREFIX.sub('', l, count=1)
                for l in self.err.splitlines() if LOG_PREFIX.match(l)]

    def json(self, schema=None):
        """stdout as JSON, checked against the schema of its `command`
        (docs/json/COMMAND.schema.json; SCHEMA names another one). A
        command without a schema file of its own is checked against the
        members every document has (common.schema.json's envelope)."""
        doc = json.loads(self.out)
        if schema is None and isinstance(doc, dict) and isinstance(doc.get('command'), str):
            schema = schema_name(doc['command'])
            if schema not in json_schemas():
                schema = 'envelope'
        if schema is not None:
            validate_json(doc, schema)
        else:
            raise AssertionError('--json output has no "command" member: %s' % self.out)
        return doc

    def ok_lines(self):
        return [l for l in self.lines if OK_LINE.match(l)]

    def __repr__(self):
        return 'rc=%d\n--- stdout\n%s--- stderr\n%s' % (self.rc, self.out, self.err)


def base_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('GOOSE_') and k not in ('NO_COLOR', 'GANDER_LOCALEDIR')}
    env['LC_ALL'] = 'C.UTF-8'
    env['LANGUAGE'] = 'C'
    env['NO_COLOR'] = '1'
    return env


class CliTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        if not GANDER or not os.access(GANDER, os.X_OK):
            self.fail('GANDER_CLI does not name the built gander: %r' % GANDER)
        self.tmp = tempfile.mkdtemp(prefix='gander-cli-')
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.env = base_env()

    # -- running ----------------------------------------------------------

    def gander(self, *args, env=None, cwd=None, timeout=120):
        run_env = dict(self.env)
        if env:
            for k, v in env.items():
                if v is None:
                    run_env.pop(k, None)
                else:
                    run_env[k] = v
        proc = subprocess.run([GANDER] + [str(a) for a in args],
                              cwd=cwd or self.tmp, env=run_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
        return Result(proc)

    def popen(self, *args, env=None):
        run_env = dict(self.env)
        run_env.update(env or {})
        return subprocess.Popen([GANDER] + [str(a) for a in args],
                                cwd=self.tmp, env=run_env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def assertSuccess(self, result):
        self.assertEqual(result.rc, 0, repr(result))

    def assertExit(self, result, rc):
        self.assertEqual(result.rc, rc, repr(result))

    def assertJsonSchema(self, result, name=None):
        """stdout is one JSON document that matches docs/json/NAME.schema.json
        (default: the schema of its `command`); returns it."""
        return result.json(schema=name)

    def assertLogged(self, result, text):
        """Some log line (prefix stripped) contains text."""
        self.assertTrue(any(text in l for l in result.lines),
                        'no stderr line contains %r:\n%r' % (text, result))

    def assertNotLogged(self, result, text):
        self.assertFalse(text in result.err, '%r found in stderr:\n%r' % (text, result))

    def assertAllLogLinesPrefixed(self, result):
        for line in result.err.splitlines():
            self.assertRegex(line, LOG_PREFIX)

    def assertOkLines(self, result, names, kinds=None):
        """The OK/EMPTY lines name exactly these files, in order, with Go
        durations."""
        found = []
        for line in result.lines:
            m = OK_LINE.match(line)
            if m:
                found.append(m.group(2))
                self.assertRegex(m.group(3), GO_DURATION)
                if kinds is not None:
                    self.assertEqual(m.group(1).strip(), kinds[len(found) - 1], line)
        self.assertEqual(found, names, repr(result))

    # -- files --------------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def mkdir(self, name):
        path = self.path(name)
        os.makedirs(path, exist_ok=True)
        return path

    def write(self, relpath, text):
        path = self.path(relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        return path

    def migration(self, dirname, filename, up, down='', notx=False):
        text = ''
        if notx:
            text += '-- +goose NO TRANSACTION\n'
        text += '-- +goose Up\n' + up + '\n-- +goose Down\n' + down + '\n'
        return self.write(os.path.join(dirname, filename), text)

    def simple_set(self, dirname='migrations', n=3):
        """n migrations creating tables t1..tn."""
        for i in range(1, n + 1):
            self.migration(dirname, '%05d_t%d.sql' % (i, i),
                           'CREATE TABLE t%d (id INTEGER);' % i,
                           'DROP TABLE t%d;' % i)
        return self.path(dirname)

    def copy_conformance(self, *parts):
        src = conformance_dir(*parts)
        if src is None:
            self.skipTest('goose conformance data not found '
                          '(GANDER_CONFORMANCE_DIR=%r)' % CONFORMANCE)
        dst = self.path('conf-' + '-'.join(parts))
        shutil.copytree(src, dst)
        return dst

    # -- databases ------------------------------------------------------------

    def dump(self, db):
        """The whole database as SQL text, or None if the file is absent."""
        if not os.path.exists(db):
            return None
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
        try:
            return list(con.iterdump())
        finally:
            con.close()

    def query(self, db, sql, *params):
        con = sqlite3.connect(db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def tables(self, db):
        return sorted(r[0] for r in self.query(
            db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"))

    def versions(self, db, table='goose_db_version'):
        return [r[0] for r in self.query(db, 'SELECT version_id FROM %s ORDER BY id' % table)]


class TapResult(unittest.TestResult):
    """unittest results as TAP, which meson reads."""

    def __init__(self):
        super().__init__()
        self.n = 0
        self.emitted = False

    def startTest(self, test):
        super().startTest(test)
        self.emitted = False

    def stopTest(self, test):
        # a test whose subtests failed gets no addSuccess/addFailure call
        if not self.emitted:
            self._emit(False, test, ' # failed subtests')
        super().stopTest(test)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            print('# subtest failed: %s' % subtest.id())
            self._diag(err)

    def _emit(self, ok, test, extra=''):
        self.emitted = True
        self.n += 1
        print('%s %d - %s%s' % ('ok' if ok else 'not ok', self.n, test.id(), extra),
              flush=True)

    def _diag(self, err):
        text = ''.join(traceback.format_exception(*err))
        for line in text.splitlines():
            print('# ' + line)
        sys.stdout.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._emit(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._emit(False, test)
        self._diag(err)

    def addError(self, test, err):
        super().addError(test, err)
        self._emit(False, test)
        self._diag(err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._emit(True, test, ' # SKIP ' + reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._emit(True, test, ' # TODO expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._emit(False, test, ' # unexpected success')


def main():
    module = sys.modules['__main__']
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    if len(sys.argv) > 1:
        # run only the tests whose id contains one of the arguments
        wanted = sys.argv[1:]
        flat = []

        def walk(s):
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    walk(t)
                elif any(w in t.id() for w in wanted):
                    flat.append(t)
        walk(suite)
        suite = unittest.TestSuite(flat)
    print('1..%d' % suite.countTestCases(), flush=True)
    result = TapResult()
    suite.run(result)
    sys.exit(0 if result.wasSuccessful() else 1)
