# test-cli-migrator.py: what the migrator decides, as the CLI shows it:
# warnings that do not stop a run, and the runs they do not stop
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from clitest import CliTestCase, main


class OtherDirectionTest(CliTestCase):
    """Only the direction being run may stop a run, as in goose."""

    def g(self, *args):
        return self.gander('-dir', self.path('m'), 'sqlite3', self.path('k.db'), *args)

    def test_up_with_malformed_down(self):
        self.write('m/001_a.sql',
                   '-- +goose Up\nCREATE TABLE a (id int);\n\n-- +goose Down\nDROP TABLE a\n')
        r = self.g('up')
        self.assertSuccess(r)
        self.assertOkLines(r, ['001_a.sql'])
        self.assertLogged(r, 'warning: the down section of 001_a.sql is malformed')
        self.assertLogged(r, 'missing semicolon')
        # the warning ends by saying where to see every problem
        self.assertLogged(r, 'validate the migrations to see every problem')
        self.assertIn('a', self.tables(self.path('k.db')))
        # rolling back needs that section: refused, nothing changes
        r = self.g('down')
        self.assertExit(r, 1)
        self.assertLogged(r, 'missing semicolon')
        self.assertEqual(self.versions(self.path('k.db')), [0, 1])

    def test_down_with_malformed_up(self):
        self.write('m/001_a.sql',
                   '-- +goose Up\nCREATE TABLE a (id int);\n\n-- +goose Down\nDROP TABLE a;\n')
        self.assertSuccess(self.g('up'))
        self.write('m/001_a.sql',
                   '-- +goose Up\nCREATE TABLE a (id int)\n\n-- +goose Down\nDROP TABLE a;\n')
        r = self.g('down')
        self.assertSuccess(r)
        self.assertLogged(r, 'warning: the up section of 001_a.sql is malformed')
        self.assertNotIn('a', self.tables(self.path('k.db')))

    def test_malformed_running_direction_refuses_everything(self):
        self.write('m/001_a.sql',
                   '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n')
        self.write('m/002_b.sql',
                   '-- +goose Up\nCREATE TABLE b (id int)\n-- +goose Down\nDROP TABLE b;\n')
        r = self.g('up')
        self.assertExit(r, 1)
        self.assertLogged(r, '002_b.sql')
        self.assertEqual(self.tables(self.path('k.db')), [])


class UnknownTargetTest(CliTestCase):
    """up-to/down-to a version no file carries: a bound, as in goose, with
    a warning naming the nearest versions."""

    def setUp(self):
        super().setUp()
        for v in (1, 2, 5):
            self.migration('m', '%05d_t%d.sql' % (v, v),
                           'CREATE TABLE t%d (id INTEGER);' % v, 'DROP TABLE t%d;' % v)
        self.db = self.path('k.db')

    def g(self, *args):
        return self.gander('-dir', self.path('m'), 'sqlite3', self.db, *args)

    def test_up_to_and_down_to(self):
        r = self.g('up-to', '3')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql', '00002_t2.sql'])
        self.assertLogged(r, 'warning: no migration has version 3')
        self.assertLogged(r, '2 below, 5 above')
        self.assertEqual(self.versions(self.db), [0, 1, 2])

        r = self.g('up-to', '99')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00005_t5.sql'])
        self.assertLogged(r, '5 below, none above')

        r = self.g('down-to', '4')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00005_t5.sql'])
        self.assertLogged(r, 'rolling back every migration above it')
        self.assertEqual(self.versions(self.db), [0, 1, 2])

    def test_json_keeps_stdout_clean(self):
        r = self.g('up-to', '3', '--json')
        self.assertSuccess(r)
        self.assertEqual([x['version'] for x in r.json()['results']], [1, 2])
        self.assertLogged(r, 'warning: no migration has version 3')


if __name__ == '__main__':
    main()
