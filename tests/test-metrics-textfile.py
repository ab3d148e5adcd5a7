#!/usr/bin/python3
# test-metrics-textfile.py: the files gander_metrics_write_textfile()
# leaves, read by python3-prometheus-client's parser and checked line by
# line against the text exposition format 0.0.4, across runs of separate
# processes (counters and histograms carried over, gauges replaced).
#
#   test-metrics-textfile.py METRICS_WRITER
#
# METRICS_WRITER is tests/metrics-writer (PATH SCHEMA_VERSION [ROUNDS]).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import math
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cli'))
from clitest import TapResult  # noqa: E402

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    text_string_to_metric_families = None

WRITER = sys.argv[1] if len(sys.argv) > 1 else ''

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r'(?:[+-]?Inf|NaN|-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)'
HELP_RE = re.compile(r'^# HELP (%s) (.*)$' % NAME)
TYPE_RE = re.compile(r'^# TYPE (%s) (counter|gauge|histogram)$' % NAME)
SAMPLE_RE = re.compile(r'^(%s)(\{%s(?:,%s)*\})? (%s)$' % (NAME, LABEL, LABEL, VALUE))

BUCKETS = ['0.01', '0.05', '0.1', '0.5', '1', '5', '10', '30', '60', '300', '900', '+Inf']
PROFILES = [('app', 'production'), ('we"ird\\pro\nfile', 'staging'), ('', 'development')]

# One round of metrics-writer, per profile
PER_ROUND = {
    ('gander_migrations_applied_total', (('direction', 'up'),)): 3,
    ('gander_migrations_applied_total', (('direction', 'down'),)): 1,
    ('gander_migrations_failed_total', (('direction', 'up'), ('error', 'sql'))): 1,
    ('gander_migrations_rolled_back_total', ()): 1,
    ('gander_retries_total', (('reason', 'locked'),)): 2,
}


def check_strictly(test, text):
    """Every line in the grammar of the format; each family one block of
    HELP, TYPE and samples, sorted by name; histograms complete and
    cumulative. Returns {family: type}."""
    test.assertTrue(text.endswith('\n'))
    types = {}
    order = []
    seen = set()
    family = None
    kind = None
    for number, line in enumerate(text[:-1].split('\n'), 1):
        where = 'line %d: %r' % (number, line)
        m = HELP_RE.match(line)
        if m:
            family = m.group(1)
            test.assertNotIn(family, types, where)
            test.assertTrue(m.group(2), where)
            order.append(family)
            kind = None
            continue
        m = TYPE_RE.match(line)
        if m:
            test.assertEqual(m.group(1), family, where + ': TYPE right after HELP')
            kind = types[family] = m.group(2)
            continue
        m = SAMPLE_RE.match(line)
        test.assertIsNotNone(m, where + ': not a sample line')
        test.assertIsNotNone(kind, where + ': sample before TYPE')
        name = m.group(1)
        if kind == 'histogram':
            test.assertIn(name, [family + s for s in ('_bucket', '_sum', '_count')], where)
        else:
            test.assertEqual(name, family, where)
        key = (name, m.group(2))
        test.assertNotIn(key, seen, where + ': duplicate series')
        seen.add(key)
    test.assertEqual(order, sorted(order))
    return types


def parse(test, path):
    """{(sample name, labels tuple): value} and the families, from the
    prometheus_client parser, after the strict checks."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    types = check_strictly(test, text)
    samples = {}
    families = {}
    for fam in text_string_to_metric_families(text):
        families[fam.name] = fam
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            test.assertNotIn(key, samples)
            samples[key] = s.value
        if fam.type == 'histogram':
            check_histogram(test, fam)
    # the parser names counters without _total
    for name, kind in types.items():
        short = name[:-len('_total')] if kind == 'counter' else name
        test.assertIn(short, families)
        test.assertEqual(families[short].type, kind)
        test.assertTrue(families[short].documentation)
    return samples, families


def check_histogram(test, fam):
    series = {}
    for s in fam.samples:
        labels = dict(s.labels)
        le = labels.pop('le', None)
        entry = series.setdefault(tuple(sorted(labels.items())), {'buckets': []})
        if s.name.endswith('_bucket'):
            entry['buckets'].append((le, s.value))
        elif s.name.endswith('_count'):
            entry['count'] = s.value
        else:
            entry['sum'] = s.value
    for labels, entry in series.items():
        les = [le for le, _ in entry['buckets']]
        test.assertEqual([float(le) for le in les], [float(le) for le in BUCKETS], labels)
        values = [v for _, v in entry['buckets']]
        test.assertEqual(values, sorted(values), labels)
        test.assertEqual(values[-1], entry['count'], labels)
        test.assertIn('sum', entry)


def key(name, profile, environment, extra=()):
    labels = dict(extra)
    labels.update(profile=profile, environment=environment)
    return (name, tuple(sorted(labels.items())))


class TextfileTest(unittest.TestCase):
    def setUp(self):
        if text_string_to_metric_families is None:
            self.skipTest('python3-prometheus-client is not installed: '
                          'the strict parser is what this test checks against')
        self.tmp = tempfile.TemporaryDirectory(prefix='gander-metrics-')
        self.path = os.path.join(self.tmp.name, 'gander.prom')

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, schema_version, rounds=1, check=True):
        proc = subprocess.run([WRITER, self.path, str(schema_version), str(rounds)],
                              capture_output=True, text=True)
        if check:
            self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc

    def test_two_runs(self):
        self.write(20260101000001)
        first, _ = parse(self, self.path)
        self.write(20260101000002)
        second, families = parse(self, self.path)

        self.assertEqual(set(first), set(second))
        self.assertEqual(os.listdir(self.tmp.name), ['gander.prom'])
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o644)

        for profile, environment in PROFILES:
            # counters carried over
            for (name, extra), amount in PER_ROUND.items():
                k = key(name, profile, environment, extra)
                self.assertEqual(first[k], amount, k)
                self.assertEqual(second[k], 2 * amount, k)
            # histograms summed bucket by bucket
            for direction, count, total in (('up', 3, 42.253), ('down', 1, 1000)):
                extra = (('direction', direction),)
                k = key('gander_migration_duration_seconds_count', profile, environment, extra)
                self.assertEqual(second[k], 2 * count)
                k = key('gander_migration_duration_seconds_sum', profile, environment, extra)
                self.assertTrue(math.isclose(second[k], 2 * total), second[k])
                for le in BUCKETS:
                    k = key('gander_migration_duration_seconds_bucket', profile, environment,
                            extra + (('le', le),))
                    self.assertEqual(second[k], 2 * first[k], k)
            k = key('gander_migration_duration_seconds_bucket', profile, environment,
                    (('direction', 'up'), ('le', '0.01')))
            self.assertEqual(second[k], 2)
            k = key('gander_run_duration_seconds_count', profile, environment,
                    (('operation', 'up'), ('result', 'ok')))
            self.assertEqual(second[k], 2)
            # gauges replaced
            k = key('gander_schema_version', profile, environment)
            self.assertEqual(first[k], 20260101000001)
            self.assertEqual(second[k], 20260101000002)
            k = key('gander_last_run_timestamp_seconds', profile, environment, (('result', 'ok'),))
            self.assertEqual(second[k], 1764500000.5)

        build = [s for s in families['gander_build_info'].samples]
        self.assertEqual(len(build), 1)
        self.assertEqual(build[0].value, 1)

    def test_processes_at_once(self):
        """Writers in separate processes take turns: no count is lost."""
        procs = [subprocess.Popen([WRITER, self.path, '7', '5'], stderr=subprocess.PIPE,
                                  text=True) for _ in range(4)]
        for p in procs:
            _, err = p.communicate()
            self.assertEqual(p.returncode, 0, err)
        samples, _ = parse(self, self.path)
        for profile, environment in PROFILES:
            for (name, extra), amount in PER_ROUND.items():
                self.assertEqual(samples[key(name, profile, environment, extra)], 20 * amount)
        self.assertEqual(os.listdir(self.tmp.name), ['gander.prom'])

    def test_corrupt_file_is_kept(self):
        self.write(1)
        with open(self.path, 'a', encoding='utf-8') as f:
            f.write('gander_retries_total{profile="app" 3\n')
        with open(self.path, 'rb') as f:
            before = f.read()
        lines = before.count(b'\n')
        proc = self.write(2, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('%s:%d: ' % (self.path, lines), proc.stderr)
        self.assertIn('move it aside or delete it', proc.stderr)
        with open(self.path, 'rb') as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(os.listdir(self.tmp.name), ['gander.prom'])

    def test_file_of_another_program_is_kept(self):
        text = '# HELP node_cpu_seconds_total CPU time.\n# TYPE node_cpu_seconds_total counter\n'
        with open(self.path, 'w', encoding='utf-8') as f:
            f.write(text)
        proc = self.write(1, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('%s:1: ' % self.path, proc.stderr)
        self.assertIn('belongs to another program', proc.stderr)
        with open(self.path, encoding='utf-8') as f:
            self.assertEqual(f.read(), text)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TextfileTest)
    print('1..%d' % suite.countTestCases(), flush=True)
    result = TapResult()
    suite.run(result)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
