# test-cli-postgres.py: gander against a real PostgreSQL server
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One throw-away server per run (initdb + pg_ctl on a private Unix socket,
# fsync off), one database per test. Covers what only PostgreSQL has:
# --statement-timeout, --lock-timeout against goose's advisory lock, PQcancel
# on -timeout and SIGINT, and password masking in every message.

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from clitest import CliTestCase, conformance_dir, main

SERVER = None


class Server:
    def __init__(self):
        self.bindir = subprocess.check_output(['pg_config', '--bindir'], text=True).strip()
        self.dir = tempfile.mkdtemp(prefix='gander-cli-pg-')
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, 'data')
        os.mkdir(self.data, 0o700)
        self.port = 5432
        self.owner = []
        if os.geteuid() == 0:
            # initdb and pg_ctl refuse to run as root
            for path in (self.dir, self.data):
                shutil.chown(path, 'postgres', 'postgres')
            self.owner = ['setpriv', '--reuid=postgres', '--regid=postgres',
                          '--init-groups', '--']
        self.run_owner([os.path.join(self.bindir, 'initdb'), '-D', self.data, '-U', 'postgres',
                        '-A', 'trust', '-N', '-E', 'UTF8', '--locale=C'])
        self.run_owner([os.path.join(self.bindir, 'pg_ctl'), '-D', self.data, '-w',
                        '-l', os.path.join(self.dir, 'server.log'), 'start', '-o',
                        "-p %d -k %s -c listen_addresses='' -c fsync=off" % (self.port, self.dir)])
        # pg_ctl detaches the server: stop it even if this runner is killed
        # (the loop runs as ourselves: the server's owner may not signal us)
        stop = ' '.join(self.owner + [os.path.join(self.bindir, 'pg_ctl'), '-D', self.data,
                                      '-m', 'immediate', 'stop'])
        self.watchdog = subprocess.Popen(
            ['sh', '-c', 'while kill -0 %d 2>/dev/null; do sleep 1; done; exec %s'
             % (os.getpid(), stop)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.n = 0

    def run_owner(self, argv):
        subprocess.run(self.owner + argv, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def stop(self):
        subprocess.run(self.owner + [os.path.join(self.bindir, 'pg_ctl'), '-D', self.data,
                                     '-m', 'immediate', 'stop'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.watchdog.kill()
        self.watchdog.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql_argv(self, dbname):
        return [os.path.join(self.bindir, 'psql'), '-X', '-q', '-A', '-t', '-v',
                'ON_ERROR_STOP=1', '-h', self.dir, '-p', str(self.port), '-U', 'postgres',
                '-d', dbname]

    def psql(self, dbname, sql):
        return subprocess.run(self.psql_argv(dbname) + ['-c', sql], check=True, text=True,
                              stdout=subprocess.PIPE).stdout

    def new_database(self):
        self.n += 1
        name = 'cli_%d' % self.n
        self.psql('postgres', 'CREATE DATABASE %s' % name)
        return name


SERVER_ERROR = None


def server():
    """The shared server, started on first use; a test fails (never skips)
    when PostgreSQL is installed but cannot start."""
    global SERVER, SERVER_ERROR
    if shutil.which('pg_config') is None:
        raise unittest.SkipTest('PostgreSQL is not installed (no pg_config)')
    if SERVER is None and SERVER_ERROR is None:
        try:
            SERVER = Server()
        except (OSError, subprocess.CalledProcessError) as e:
            SERVER_ERROR = '%s: %s' % (e, getattr(e, 'stderr', ''))
    if SERVER is None:
        raise AssertionError('cannot start PostgreSQL: %s' % SERVER_ERROR)
    return SERVER


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()


SLOW = ('-- +goose Up\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n'
        '-- +goose Down\nDROP TABLE slow;\n')


class PostgresTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.dbname = server().new_database()
        self.dsn = 'host=%s port=%d user=postgres dbname=%s' % (SERVER.dir, SERVER.port,
                                                                self.dbname)

    def sql(self, text):
        return SERVER.psql(self.dbname, text).strip()

    def g(self, d, *args, **kwargs):
        return self.gander('-dir', d, 'postgres', self.dsn, *args, **kwargs)

    def test_goose_postgres_set(self):
        src = conformance_dir('internal', 'testing', 'integration', 'testdata',
                              'migrations', 'postgres')
        if src is None:
            self.skipTest('goose conformance data not found')
        names = sorted(f for f in os.listdir(src) if f.endswith('.sql'))
        r = self.g(src, 'up')
        self.assertSuccess(r)
        self.assertOkLines(r, names, kinds=['OK', 'OK', 'OK', 'EMPTY', 'OK', 'OK'])
        self.assertLogged(r, 'goose: successfully migrated database to version: 6')
        r = self.g(src, 'status', '--json')
        doc = r.json()
        self.assertEqual([m['state'] for m in doc['migrations']], ['applied'] * 6)
        self.assertRegex(doc['migrations'][0]['applied_at'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        r = self.g(src, 'down-to', '0')
        self.assertSuccess(r)
        self.assertOkLines(r, list(reversed(names)))
        for i in range(6):
            self.assertSuccess(self.g(src, 'up-by-one'))
        self.assertEqual(self.g(src, 'version').lines, ['goose: version 6'])
        self.assertEqual(self.sql('SELECT max(version_id) FROM goose_db_version'), '6')

    def before_slow(self):
        d = self.simple_set('m', 1)
        self.assertSuccess(self.g(d, 'up'))
        self.write('m/00002_slow.sql', SLOW)
        return d, self.sql('SELECT string_agg(version_id::text, \',\' ORDER BY id) '
                           'FROM goose_db_version')

    def assertRolledBack(self, versions):
        self.assertEqual(self.sql('SELECT string_agg(version_id::text, \',\' ORDER BY id) '
                                  'FROM goose_db_version'), versions)
        self.assertEqual(self.sql("SELECT to_regclass('slow') IS NULL"), 't')

    def test_statement_timeout(self):
        d, versions = self.before_slow()
        start = time.monotonic()
        r = self.g(d, 'up', '--statement-timeout', '300ms')
        self.assertExit(r, 1)
        self.assertLess(time.monotonic() - start, 20)
        self.assertIn('statement timeout', r.err)
        self.assertIn('00002_slow.sql:3', r.err)
        self.assertRolledBack(versions)
        r = self.g(d, 'up', '--statement-timeout=250ms')
        self.assertExit(r, 1)
        self.assertIn('statement timeout', r.err)

    def test_timeout_cancels_the_statement(self):
        d, versions = self.before_slow()
        start = time.monotonic()
        r = self.g(d, 'up', '-timeout', '500ms')
        self.assertExit(r, 1)
        self.assertLess(time.monotonic() - start, 20)
        self.assertLogged(r, 'goose run: timed out after 500ms (-timeout)')
        self.assertRolledBack(versions)

    def test_sigint_rolls_back(self):
        d, versions = self.before_slow()
        p = self.popen('-dir', d, 'postgres', self.dsn, 'up')
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' "
                        "AND pid <> pg_backend_pid()") != '0':
                break
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn('interrupted by SIGINT', err)
        self.assertRolledBack(versions)

    def test_lock_timeout(self):
        d = self.simple_set('m', 1)
        holder = subprocess.Popen(SERVER.psql_argv(self.dbname),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            holder.stdin.write('SELECT pg_advisory_lock(4097083626);\n\\echo locked\n')
            holder.stdin.flush()
            for line in holder.stdout:
                if line.strip() == 'locked':
                    break
            else:
                self.fail('psql could not take the advisory lock')
            start = time.monotonic()
            r = self.g(d, 'up', '--lock-timeout', '700ms')
            self.assertExit(r, 1)
            self.assertLess(time.monotonic() - start, 20)
            self.assertIn('lock', r.err)
            self.assertIn('4097083626', r.err)
            # a wait longer than a second is announced: who holds the
            # lock and how long the runner will wait
            self.assertNotLogged(r, 'waiting for another migration run')
            r = self.g(d, 'up', '--lock-timeout', '2s')
            self.assertExit(r, 1)
            notice = [l for l in r.lines if l.startswith('waiting for another migration run')]
            self.assertEqual(len(notice), 1, repr(r))
            self.assertIn('to release the lock on this database (held by pid ', notice[0])
            self.assertIn('application_name "psql"', notice[0])
            self.assertTrue(notice[0].endswith('; giving up after 2s (--lock-timeout, '
                                               'default 5m)'), notice[0])
            self.assertLess(r.lines.index(notice[0]), len(r.lines) - 1)
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
        self.assertNotIn('t1', self.sql("SELECT string_agg(tablename, ',') FROM pg_tables "
                                        "WHERE schemaname = 'public'") or '')
        r = self.g(d, 'up', '--lock-timeout', '700ms')
        self.assertSuccess(r)

    def test_mysql_tls_flags_point_at_libpq(self):
        d = self.simple_set('m', 1)
        r = self.g(d, 'status', '-certfile', 'ca.pem', '-ssl-cert=client.pem',
                   '--ssl-key', 'client.key')
        self.assertSuccess(r)
        self.assertIn("warning: -certfile is goose's MySQL TLS flag and does nothing with "
                      "PostgreSQL: put sslrootcert= in DBSTRING instead (libpq), for example "
                      "\"sslrootcert=ca.pem sslmode=verify-full\"", r.lines)
        self.assertLogged(r, "warning: -ssl-cert is goose's MySQL TLS flag")
        self.assertLogged(r, 'put sslcert= in DBSTRING')
        self.assertLogged(r, 'put sslkey= in DBSTRING')
        r = self.g(d, 'status')
        self.assertNotLogged(r, 'TLS flag')

    def test_password_is_never_printed(self):
        d = self.simple_set('m', 1)
        # trust authentication accepts any password
        uri = 'postgres://postgres:s3cr3tpw@/%s?host=%s&port=%d' % (self.dbname, SERVER.dir,
                                                                   SERVER.port)
        for args in (['up', '-v'], ['status', '-v'], ['version', '--json']):
            r = self.gander('-dir', d, 'postgres', uri, *args)
            self.assertSuccess(r)
            self.assertNotIn('s3cr3tpw', r.out + r.err)
        bad = 'postgres://postgres:s3cr3tpw@/no_such_db?host=%s&port=%d' % (SERVER.dir, SERVER.port)
        r = self.gander('-dir', d, 'pgx', bad, 'status')
        self.assertExit(r, 1)
        self.assertIn('no_such_db', r.err)
        self.assertNotIn('s3cr3tpw', r.out + r.err)
        kv = 'host=%s port=%d user=postgres password=s3cr3tpw dbname=no_such_db' % (
            SERVER.dir, SERVER.port)
        r = self.gander('-dir', d, 'postgres', kv, 'up')
        self.assertExit(r, 1)
        self.assertNotIn('s3cr3tpw', r.out + r.err)

    def test_schema_qualified_table(self):
        d = self.simple_set('m', 2)
        self.sql('CREATE SCHEMA app')
        r = self.g(d, '-table', 'app.versions', 'up')
        self.assertSuccess(r)
        self.assertEqual(self.sql('SELECT max(version_id) FROM app.versions'), '2')
        self.assertEqual(self.g(d, 'version', '-table=app.versions').lines, ['goose: version 2'])

    def test_lock_timeout_zero_connects(self):
        # --lock-timeout 0 (do not wait for another runner) used to be the
        # connect deadline too: "the server did not answer within 0 ms"
        d = self.simple_set('m', 1)
        r = self.g(d, '--lock-timeout', '0', 'status')
        self.assertSuccess(r)
        self.assertNotIn('did not answer', r.err)
        self.assertSuccess(self.g(d, '--lock-timeout', '0', 'up'))
        self.assertEqual(self.g(d, 'version').lines, ['goose: version 1'])

    def test_version_table_permission_denied(self):
        d = self.simple_set('m', 1)
        role = 'noperm_' + self.dbname
        self.sql('DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN; '
                 'REVOKE CREATE ON SCHEMA public FROM PUBLIC' % (role, role))
        dsn = 'host=%s port=%d user=%s dbname=%s' % (SERVER.dir, SERVER.port, role,
                                                      self.dbname)
        r = self.gander('-dir', d, 'postgres', dsn, 'up')
        self.assertExit(r, 1)
        self.assertIn('failed to create version table "goose_db_version": ', r.err)
        self.assertIn('permission denied for schema public (SQLSTATE 42501)', r.err)
        self.assertIn('GRANT CREATE ON SCHEMA public TO %s;' % role, r.err)
        self.assertIn('-table otherschema.goose_db_version', r.err)
        self.assertNotIn('of the statement', r.err)
        # a schema-qualified -table in a schema that does not exist
        r = self.g(d, '-table', 'nosuch.goose_db_version', 'up')
        self.assertExit(r, 1)
        self.assertIn('failed to create version table "nosuch.goose_db_version": ', r.err)
        self.assertIn('CREATE SCHEMA nosuch;', r.err)
        self.assertNotIn('of the statement', r.err)
        self.assertEqual(self.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                         '0')
        # a version table the role may not read: which table, then why
        self.assertSuccess(self.g(d, 'up'))
        r = self.gander('-dir', d, 'postgres', dsn, 'status')
        self.assertExit(r, 1)
        self.assertIn('goose run: failed to read version table "goose_db_version": ERROR: '
                      'permission denied for table goose_db_version (SQLSTATE 42501)', r.err)
        self.assertNotIn('of the statement', r.err)


if __name__ == '__main__':
    main()
