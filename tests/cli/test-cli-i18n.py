# test-cli-i18n.py: the Russian translation, and the lines that must never
# be translated
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Help, errors and warnings follow the user's language. The lines scripts
# parse (OK/EMPTY, "goose: ...", the status table, "goose run:") stay as
# goose prints them in every language. Only C, C.UTF-8 and POSIX locales
# exist on the test machines, so Russian is selected with
# LC_ALL=C.UTF-8 LANGUAGE=ru, and GANDER_LOCALEDIR points at the build
# tree's compiled catalogue.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import glob
import os
import re
import shutil
import subprocess

from clitest import CliTestCase, BUILD_ROOT, SOURCE_ROOT, STATUS_HEADER, main

LOCALEDIR = os.path.join(BUILD_ROOT, 'po')
CATALOGUE = os.path.join(LOCALEDIR, 'ru', 'LC_MESSAGES', 'gander.mo')


class RussianTest(CliTestCase):
    def setUp(self):
        super().setUp()
        if not os.path.exists(CATALOGUE):
            self.fail('the Russian catalogue was not built: %s' % CATALOGUE)
        self.env.update({'LC_ALL': 'C.UTF-8', 'LANGUAGE': 'ru', 'GANDER_LOCALEDIR': LOCALEDIR})

    def test_help_in_russian(self):
        r = self.gander('--help')
        self.assertSuccess(r)
        self.assertIn('Использование: gander [ПАРАМЕТРЫ] ДРАЙВЕР СТРОКА_БД КОМАНДА', r.out)
        for text in ('Команды:', 'Применить все миграции', 'Переменные окружения:',
                     'Код завершения:', 'Примеры:', 'неприменённые миграции'):
            self.assertIn(text, r.out)
        # command and flag names are not translated
        for text in ('up-by-one', '-allow-missing', '--json', 'GOOSE_DBSTRING'):
            self.assertIn(text, r.out)
        self.assertNotIn('Usage:', r.out)

    def test_errors_in_russian(self):
        r = self.gander('-bogus')
        self.assertExit(r, 2)
        self.assertIn('указан неизвестный флаг: -bogus', r.err)
        self.assertIn('Запустите «gander -h»', r.err)
        r = self.gander('sqlite3', 'x.db', 'up-to', 'abc')
        self.assertIn('версия должна быть числом', r.err)
        r = self.gander('-dir', 'nope', '-s', 'create', 'x')
        self.assertExit(r, 1)
        # goose's fatal prefix stays, the explanation is translated
        self.assertLogged(r, 'goose run: каталог nope не существует')

    def test_warnings_in_russian(self):
        self.write('m/00001_w.sql', '-- +goose Up\nSELECT 1;\n-- +GOOSE Down\n')
        r = self.gander('-dir', 'm', 'validate')
        self.assertSuccess(r)
        self.assertLogged(r, 'предупреждение: m/00001_w.sql:3')

    def test_machine_lines_stay_english(self):
        self.simple_set('m', 2)
        self.write('m/00003_empty.sql', '-- +goose Up\n')
        r = self.gander('-dir', 'm', 'sqlite3', 'ru.db', 'up')
        self.assertSuccess(r)
        self.assertOkLines(r, ['00001_t1.sql', '00002_t2.sql', '00003_empty.sql'],
                           kinds=['OK', 'OK', 'EMPTY'])
        self.assertEqual(r.lines[-1], 'goose: successfully migrated database to version: 3')
        r = self.gander('-dir', 'm', 'sqlite3', 'ru.db', 'up')
        self.assertEqual(r.lines, ['goose: no migrations to run. current version: 3'])
        r = self.gander('-dir', 'm', 'sqlite3', 'ru.db', 'version')
        self.assertEqual(r.lines, ['goose: version 3'])
        r = self.gander('-dir', 'm', 'sqlite3', 'ru.db', 'down')
        r = self.gander('-dir', 'm', 'sqlite3', 'ru.db', 'status')
        self.assertEqual(r.lines[:2], STATUS_HEADER)
        self.assertEqual(r.lines[-1], '    Pending                  -- 00003_empty.sql')
        self.assertRegex(r.lines[2], r'^    (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ')
        r = self.gander('-dir', 'm', 'create', 'x', 'sql')
        self.assertRegex(r.lines[0], r'^Created new file: m/\d{14}_x\.sql$')
        r = self.gander('env')
        self.assertIn('GOOSE_MIGRATION_DIR="."', r.out)

    def test_english_without_language(self):
        self.env['LANGUAGE'] = 'C'
        r = self.gander('--help')
        self.assertIn('Usage: gander', r.out)


class SourcesTest(CliTestCase):
    """What xgettext sees of the C sources."""

    def potfiles(self):
        with open(os.path.join(SOURCE_ROOT, 'po', 'POTFILES.in')) as f:
            return [line.strip() for line in f
                    if line.strip() and not line.startswith('#')]

    def test_every_source_with_strings_is_listed(self):
        listed = set(self.potfiles())
        for pattern in ('lib/*.c', 'cli/*.c', 'service/*.c'):
            for path in sorted(glob.glob(os.path.join(SOURCE_ROOT, pattern))):
                with open(path, encoding='utf-8') as f:
                    if '_("' not in f.read():
                        continue
                name = os.path.relpath(path, SOURCE_ROOT)
                with self.subTest(name=name):
                    self.assertIn(name, listed)

    def test_format_macros_are_extractable(self):
        # "%" G_GINT64_FORMAT inside _() cuts the msgid at the macro (only
        # "%" PRId64 is understood); such a msgid ends in a lone '%'
        if shutil.which('xgettext') is None:
            self.fail('xgettext (gettext) is not installed')
        pot = self.path('gander.pot')
        sources = [p for p in self.potfiles() if p.endswith('.c')]
        subprocess.run(['xgettext', '--from-code=UTF-8', '-LC', '-k_', '-kN_', '-kC_:1c,2',
                        '-kNC_:1c,2', '-kg_dngettext:2,3', '-kngettext:1,2', '-o', pot,
                        '-D', SOURCE_ROOT] + sources, check=True)
        with open(pot, encoding='utf-8') as f:
            text = f.read()
        cut = []
        for m in re.finditer(r'^msgid((?:\s*"(?:[^"\\]|\\.)*")+)', text, re.M):
            msgid = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
            if re.search(r'(?<!%)(%%)*%$', msgid):
                cut.append(msgid)
        self.assertEqual(cut, [])
        self.assertIn('version %<PRId64>) would be restored', text)


if __name__ == '__main__':
    main()
