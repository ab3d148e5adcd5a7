#!/usr/bin/env python3
# test-cli-completion.py: the shell completion scripts in data/completion
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bash loads gander.bash (`complete -p gander`) and its completion function
# is run on real command lines, as readline would (COMP_WORDS split at
# COMP_WORDBREAKS), the candidates coming from compgen; fish completes the
# same lines with `complete -C`; zsh parses _gander. Every command and flag
# `gander --help` lists must be offered, so a command or flag added to the
# tool without its completion fails here.

import os
import re
import shutil
import subprocess

from clitest import CliTestCase, main

SOURCE_ROOT = os.environ.get('GANDER_SOURCE_ROOT', '')
COMPLETION = os.path.join(SOURCE_ROOT, 'data', 'completion')
BASH = os.path.join(COMPLETION, 'gander.bash')
ZSH = os.path.join(COMPLETION, '_gander')
FISH = os.path.join(COMPLETION, 'gander.fish')

# Complete each line (cursor at its end) and print the candidates, one a
# line, after a line '@@ LINE'. Words are split as readline splits them with
# the default COMP_WORDBREAKS: at blanks, and '=' is a word of its own.
BASH_DRIVER = r'''
set -u
source "$1"
shift
for line in "$@"; do
  split=${line//=/ = }
  read -ra COMP_WORDS <<<"$split"
  case $line in
    *=) ;;
    *' ') COMP_WORDS+=('') ;;
  esac
  COMP_LINE=$line COMP_POINT=${#line}
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _gander gander "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '@@ %s\n' "$line"
  [ ${#COMPREPLY[@]} -gt 0 ] && printf '%s\n' "${COMPREPLY[@]}"
done
'''

FISH_DRIVER = r'''
source $argv[1]
for line in $argv[2..-1]
  echo "@@ $line"
  complete -C "$line" | string replace -r '\t.*' ''
end
'''


def parse_driver_output(text):
    result = {}
    current = None
    for line in text.splitlines():
        if line.startswith('@@ '):
            current = line[3:]
            result[current] = []
        elif current is not None:
            result[current].append(line)
    return result


class CompletionTests(CliTestCase):

    def setUp(self):
        super().setUp()
        if not os.path.isfile(BASH):
            self.fail('GANDER_SOURCE_ROOT does not hold data/completion/gander.bash: %r'
                      % SOURCE_ROOT)
        os.mkdir(os.path.join(self.tmp, 'migs'))
        for name in ('00001_init.sql', '00002_users.sql',
                     '20240101120000_stamp.sql', 'README.txt'):
            self.write('migs/' + name, '-- +goose Up\n')
        os.mkdir(os.path.join(self.tmp, 'other'))
        self.write('other/00007_seven.sql', '-- +goose Up\n')
        self.write('app.db', '')
        os.makedirs(os.path.join(self.tmp, 'xdg', 'gander'))
        self.write('xdg/gander/gander.conf',
                   '[profile alerts]\ndriver=sqlite3\n\n[profile billing]  \n'
                   '[environment qa]\n')
        self.write('extra.conf', '[profile extra]\n')
        self.env['XDG_CONFIG_HOME'] = os.path.join(self.tmp, 'xdg')
        self.env['HOME'] = self.tmp

    def write(self, rel, text):
        with open(os.path.join(self.tmp, rel), 'w') as f:
            f.write(text)

    def bash(self, *lines, env=None):
        run_env = dict(self.env)
        run_env.update(env or {})
        proc = subprocess.run(['bash', '--norc', '--noprofile', '-c', BASH_DRIVER,
                               'bash', BASH] + list(lines),
                              cwd=self.tmp, env=run_env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, '')
        return parse_driver_output(proc.stdout)

    def complete(self, line, env=None):
        return self.bash(line, env=env)[line]

    def help_text(self):
        r = self.gander('--help')
        self.assertSuccess(r)
        return r.out

    # -- loading ------------------------------------------------------------

    def test_bash_registers_gander(self):
        proc = subprocess.run(['bash', '--norc', '--noprofile', '-c',
                               'source "$1" && complete -p gander', 'bash', BASH],
                              env=self.env, text=True, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), 'complete -F _gander gander')

    def test_bash_with_bash_completion_loaded(self):
        """The script also works inside bash-completion's own framework."""
        main_script = '/usr/share/bash-completion/bash_completion'
        if not os.path.isfile(main_script):
            self.skipTest('bash-completion is not installed (%s)' % main_script)
        proc = subprocess.run(
            ['bash', '--norc', '--noprofile', '-c',
             'source "$1" && source "$2" && complete -p gander && '
             'COMP_WORDS=(gander -dir migs sqlite3 app.db up-to "") COMP_CWORD=6 '
             'COMP_LINE="gander -dir migs sqlite3 app.db up-to " COMP_POINT=38 && '
             '_gander && printf "%s\\n" "${COMPREPLY[@]}"',
             'bash', main_script, BASH],
            cwd=self.tmp, env=self.env, text=True, capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split(),
                         ['complete', '-F', '_gander', 'gander', '1', '2', '20240101120000'])

    # -- the scripts against gander --help -----------------------------------

    def help_commands(self, text):
        commands = set()
        section = False
        for line in text.splitlines():
            if re.match(r'^(Gander )?[Cc]ommands\b.*:$', line):
                section = True
                continue
            if section and not line.startswith(' '):
                section = False
            if section:
                m = re.match(r'^  ([a-z][a-z-]*)( |$)', line)
                if m:
                    commands.add(m.group(1))
        return commands

    def help_flags(self, text):
        flags = set()
        for line in text.splitlines():
            m = re.match(r'^  (-[-a-z]+(?:, -[-a-z]+)*)(?: |$)', line)
            if m:
                flags.update(f.lstrip('-') for f in m.group(1).split(', '))
        # flags named inside a command's description, as [--mark-applied]
        flags.update(re.findall(r'\[--([a-z][-a-z]*)\]', text))
        return flags

    def test_commands_match_help(self):
        helped = self.help_commands(self.help_text())
        self.assertIn('up-to', helped)
        offered = set(self.complete('gander sqlite3 app.db '))
        self.assertEqual(helped - offered, set(),
                         'gander --help lists commands data/completion/gander.bash does not offer')

    def test_flags_match_help(self):
        helped = self.help_flags(self.help_text())
        self.assertIn('dir', helped)
        self.assertIn('json', helped)
        offered = {f.lstrip('-') for f in self.complete('gander -')}
        self.assertEqual(helped - offered, set(),
                         'gander --help lists flags data/completion/gander.bash does not offer')
        # two dashes offer every flag with two dashes
        self.assertEqual({f[2:] for f in self.complete('gander --')}, offered)

    def test_drivers_match_help(self):
        text = self.help_text()
        block = text.split('Drivers:', 1)[1].split('\n\n', 1)[0]
        helped = set(re.findall(r'\b(sqlite3|sqlite|postgres|pgx)\b', block))
        offered = set(self.complete('gander ')) - set(self.complete('gander sqlite3 app.db '))
        self.assertEqual(offered, helped)

    # -- bash -------------------------------------------------------------

    def test_bash_positions(self):
        r = self.bash('gander sq', 'gander sqlite3 ap', 'gander postgres ',
                      'gander sqlite3 app.db up-', 'gander sqlite3 app.db status ',
                      'gander create add_users ', 'gander repair ',
                      'gander breaker ', 'gander parse migs/0',
                      'gander audit ', 'gander audit verify ap')
        self.assertEqual(r['gander sq'], ['sqlite3', 'sqlite'])
        self.assertEqual(r['gander sqlite3 ap'], ['app.db'])
        self.assertEqual(r['gander postgres '], [])
        self.assertEqual(r['gander sqlite3 app.db up-'], ['up-by-one', 'up-to'])
        self.assertEqual(r['gander sqlite3 app.db status '], [])
        self.assertEqual(r['gander create add_users '], ['sql'])
        self.assertEqual(r['gander repair '], ['clear-dirty', 'accept-checksum'])
        self.assertEqual(r['gander breaker '], ['status', 'reset'])
        self.assertEqual(r['gander audit '], ['verify'])
        self.assertEqual(r['gander audit verify ap'], ['app.db'])
        self.assertEqual(sorted(r['gander parse migs/0']),
                         ['migs/00001_init.sql', 'migs/00002_users.sql'])

    def test_bash_versions_from_dir(self):
        r = self.bash('gander -dir migs sqlite3 app.db up-to ',
                      'gander -dir=migs sqlite3 app.db down-to ',
                      'gander --dir migs sqlite3 app.db up-to 2',
                      'gander -dir other sqlite3 app.db baseline ',
                      'gander -dir migs -v sqlite3 app.db repair clear-dirty ',
                      'gander sqlite3 app.db up-to ',
                      'gander -dir ~/migs sqlite3 app.db up-to ')
        self.assertEqual(sorted(r['gander -dir migs sqlite3 app.db up-to ']),
                         ['1', '2', '20240101120000'])
        self.assertEqual(sorted(r['gander -dir=migs sqlite3 app.db down-to ']),
                         ['0', '1', '2', '20240101120000'])
        self.assertEqual(r['gander --dir migs sqlite3 app.db up-to 2'], ['2', '20240101120000'])
        self.assertEqual(r['gander -dir other sqlite3 app.db baseline '], ['7'])
        self.assertEqual(sorted(r['gander -dir migs -v sqlite3 app.db repair clear-dirty ']),
                         ['1', '2', '20240101120000'])
        # no -dir: the current directory, which holds no migration
        self.assertEqual(r['gander sqlite3 app.db up-to '], [])
        self.assertEqual(sorted(r['gander -dir ~/migs sqlite3 app.db up-to ']),
                         ['1', '2', '20240101120000'])

    def test_bash_versions_from_goose_migration_dir(self):
        line = 'gander up-to '
        self.assertEqual(self.complete(line, env={'GOOSE_MIGRATION_DIR': 'other',
                                                   'GOOSE_DRIVER': 'sqlite3'}), ['7'])

    def test_bash_flag_values(self):
        r = self.bash('gander -dir ', 'gander -dir=o', 'gander --direction ',
                      'gander --profile ', 'gander --config extra.conf --confirm ',
                      'gander --environment ', 'gander -env n', 'gander --audit-log ap')
        self.assertEqual(sorted(r['gander -dir ']), ['migs', 'other', 'xdg'])
        self.assertEqual(r['gander -dir=o'], ['other'])
        self.assertEqual(r['gander --direction '], ['up', 'down'])
        self.assertEqual(r['gander --profile '], ['alerts', 'billing'])
        self.assertEqual(r['gander --config extra.conf --confirm '],
                         ['alerts', 'billing', 'extra'])
        self.assertEqual(r['gander --environment '],
                         ['development', 'staging', 'production', 'qa'])
        self.assertEqual(r['gander -env n'], ['none'])
        self.assertEqual(r['gander --audit-log ap'], ['app.db'])

    def test_bash_profile_means_no_driver(self):
        r = self.bash('gander --profile alerts ', 'gander --profile=alerts st')
        self.assertNotIn('sqlite3', r['gander --profile alerts '])
        self.assertIn('up', r['gander --profile alerts '])
        self.assertEqual(r['gander --profile=alerts st'], ['status'])
        self.assertEqual(self.complete('gander ', env={'GOOSE_DRIVER': 'sqlite3'}),
                         self.complete('gander sqlite3 app.db '))

    def test_bash_backup_words(self):
        # (the driver exits with the status of its last line: a non-empty one)
        r = self.bash('gander sqlite3 app.db health ', 'gander sqlite3 app.db b',
                      'gander sqlite3 app.db backups ', 'gander --profile alerts restore ',
                      'gander --backup ', 'gander --backup=o', 'gander --backup-dir o',
                      'gander --max-age 7', 'gander --no-b')
        self.assertEqual(sorted(r['gander sqlite3 app.db b']),
                         ['backup', 'backups', 'baseline', 'breaker'])
        self.assertEqual(r['gander sqlite3 app.db backups '], ['prune'])
        self.assertEqual(r['gander --profile alerts restore '], ['latest'])
        self.assertEqual(r['gander sqlite3 app.db health '], [])
        self.assertEqual(r['gander --backup '], ['off', 'optional', 'required'])
        self.assertEqual(r['gander --backup=o'], ['off', 'optional'])
        self.assertEqual(r['gander --backup-dir o'], ['other'])
        self.assertEqual(r['gander --max-age 7'], ['720h'])
        self.assertEqual(r['gander --no-b'], ['--no-backup'])

    # -- fish and zsh -------------------------------------------------------

    def test_fish(self):
        if not shutil.which('fish'):
            self.skipTest('fish is not installed (Debian package fish)')
        lines = ['gander ', 'gander -dir migs sqlite3 app.db up-to ',
                 'gander -dir=migs sqlite3 app.db down-to ', 'gander --profile ',
                 'gander --environment ', 'gander repair ', 'gander --dire',
                 'gander sqlite3 app.db ', 'gander --backup ',
                 'gander sqlite3 app.db backups ']
        proc = subprocess.run(['fish', '--no-config', '-c', FISH_DRIVER, FISH] + lines,
                              cwd=self.tmp, env=self.env, text=True,
                              capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, '')
        r = parse_driver_output(proc.stdout)
        # the same commands as bash offers, which test_commands_match_help
        # compares with gander --help
        commands = set(self.complete('gander sqlite3 app.db '))
        self.assertEqual(set(r['gander sqlite3 app.db ']), commands)
        self.assertEqual(set(r['gander ']), commands | {'sqlite3', 'sqlite', 'postgres', 'pgx'})
        self.assertEqual(sorted(r['gander -dir migs sqlite3 app.db up-to ']),
                         ['1', '2', '20240101120000'])
        self.assertEqual(sorted(r['gander -dir=migs sqlite3 app.db down-to ']),
                         ['0', '1', '2', '20240101120000'])
        self.assertEqual(sorted(r['gander --profile ']), ['alerts', 'billing'])
        self.assertEqual(sorted(r['gander --environment ']),
                         ['development', 'production', 'qa', 'staging'])
        self.assertEqual(sorted(r['gander repair ']), ['accept-checksum', 'clear-dirty'])
        self.assertEqual(r['gander --dire'], ['--direction'])
        self.assertEqual(sorted(r['gander --backup ']), ['off', 'optional', 'required'])
        self.assertEqual(r['gander sqlite3 app.db backups '], ['prune'])

    def test_zsh_parses(self):
        if not shutil.which('zsh'):
            self.skipTest('zsh is not installed (Debian package zsh)')
        proc = subprocess.run(['zsh', '-n', ZSH], text=True, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(ZSH) as f:
            text = f.read()
        self.assertTrue(text.startswith('#compdef gander\n'))
        # the same commands as bash offers
        offered = set(re.findall(r"^    '([a-z][a-z-]*):", text.split('drivers=(')[0], re.M))
        self.assertEqual(offered, set(self.complete('gander sqlite3 app.db ')))


if __name__ == '__main__':
    main()
