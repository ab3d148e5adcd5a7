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


if __name__ == '__main__':
    main()
