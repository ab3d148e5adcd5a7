# test_i18n.py: libgander's messages in Russian through PyGObject, without
# the gander CLI binding the text domain for it
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson (suite "python") with GANDER_LOCALEDIR pointing at the build
# tree's catalogues. The language comes from the environment each child
# process gets (LC_ALL=C.UTF-8 LANGUAGE=ru), as gettext wants it: the
# library binds its domain when it is loaded, the program only calls
# setlocale() as every GTK/GLib program does.

import json
import os
import subprocess
import sys
import unittest

CHILD = r'''
import json, locale, sys
locale.setlocale(locale.LC_ALL, '')
import gi
gi.require_version('Gander', '1.0')
from gi.repository import GLib, Gander
out = {}
profile = Gander.Profile.new('p')
try:
    profile.set('allow-commands', 'uppp', 'test.conf:3')
except GLib.Error as e:
    out['config'] = [e.domain, e.code, e.message]
try:
    Gander.Source.new_for_path('/nonexistent/gander-dir', Gander.SourceFlags.NONE, None)
except GLib.Error as e:
    out['source'] = [e.domain, e.code, e.message]
print(json.dumps(out))
'''


def run_child(language):
    env = dict(os.environ)
    env['LC_ALL'] = 'C.UTF-8'
    env['LANGUAGE'] = language
    proc = subprocess.run([sys.executable, '-c', CHILD], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError('child failed: %s' % proc.stderr)
    return json.loads(proc.stdout)


class LibraryTranslationTest(unittest.TestCase):
    def test_russian_library_message(self):
        self.assertTrue(os.environ.get('GANDER_LOCALEDIR'),
                        'GANDER_LOCALEDIR must point at the built catalogues')
        ru = run_child('ru')
        en = run_child('C')
        # same error, same domain and code: only the words differ
        self.assertEqual(ru['config'][:2], en['config'][:2])
        self.assertIn('unknown command “uppp”; did you mean “up”?', en['config'][2])
        self.assertIn('неизвестная команда «uppp»; может быть, «up»?', ru['config'][2])

    def test_goose_words_stay_english(self):
        # goose's own wording is what scripts grep: never translated
        ru = run_child('ru')
        self.assertEqual(ru['source'][2],
                         '/nonexistent/gander-dir directory does not exist')


if __name__ == '__main__':
    unittest.main(verbosity=2)
