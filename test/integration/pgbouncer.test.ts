/**
 * A real PgBouncer (Debian's /usr/sbin/pgbouncer) runs the generated pgbouncer.ini in front of a real PostgreSQL that
 * runs the generated postgresql.conf, both from one `sizeStack`, and client queries go through both pools.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { toPgbouncerIni } from '../../src/sizing/pgbouncer';
import { toPostgresqlConf } from '../../src/sizing/postgres';
import { Memory } from '../../src/sizing/quantity';
import { sizeStack } from '../../src/sizing/stack';
import { findBinary } from '../helpers/binaries';
import { freePort, isListening, waitFor } from '../helpers/ports';
import {
  makeServerTempDir, postgresBinary, postgresMajorVersion, PostgresServer, run, serverOsUser, startPostgres, writeServerFile,
} from '../helpers/postgres-server';

jest.setTimeout(60_000);

const TEST_USER = 'odoo';
// A throwaway password for a throwaway server: generated here, never by the library.
const TEST_PASSWORD = `memguard-${process.pid}`;

describe('pgbouncer with the generated pgbouncer.ini in front of a real PostgreSQL', () => {
  const stackPromise = postgresMajorVersion().then((version) => sizeStack({ ram: Memory.parse('4Gi'), cpus: 2, pgVersion: version }));
  let stack: Awaited<typeof stackPromise>;
  let server: PostgresServer | undefined;
  let bouncer: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  let dir: string | undefined;
  let port = 0;
  let log = '';

  // The throwaway servers start in beforeAll and stop in afterAll, also when a test fails. The PostgreSQL helper
  // registers its template cleanup when imported, so starting a server here needs no workaround.
  beforeAll(async () => {
    const pgbouncerBinary = findBinary('pgbouncer');
    stack = await stackPromise;
    server = await startPostgres({ confFragment: toPostgresqlConf(stack.postgres) });
    await server.psql(`CREATE ROLE ${TEST_USER} LOGIN`);
    await server.psql(`CREATE DATABASE odoo OWNER ${TEST_USER}`);

    dir = makeServerTempDir('memguard-pgbouncer-');
    port = await freePort();
    const userlist = path.join(dir, 'userlist.txt');
    writeServerFile(userlist, `"${TEST_USER}" "${TEST_PASSWORD}"\n`);
    const ini = toPgbouncerIni(stack.pgbouncer, {
      databases: ['odoo'], upstreamHost: '127.0.0.1', upstreamPort: server.port, listenAddress: '127.0.0.1', listenPort: port, authFile: userlist,
    });
    expect(ini).not.toContain(TEST_PASSWORD);
    const iniFile = path.join(dir, 'pgbouncer.ini');
    writeServerFile(iniFile, ini);

    // PgBouncer refuses to run as root: run it as the same unprivileged user as PostgreSQL.
    const user = serverOsUser();
    const [file, args] = user
      ? ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', pgbouncerBinary, iniFile]]
      : [pgbouncerBinary, [iniFile]];
    bouncer = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    bouncer.stdout!.on('data', (d) => { log += String(d); });
    bouncer.stderr!.on('data', (d) => { log += String(d); });
    exited = new Promise<void>((resolve) => bouncer!.once('exit', () => resolve()));
    await waitFor(() => isListening(port), { timeoutMs: 15_000, description: `pgbouncer on 127.0.0.1:${port}` })
      .catch((error) => { throw new Error(`${error}\npgbouncer log:\n${log}`); });
  });

  afterAll(async () => {
    try {
      if (bouncer && bouncer.exitCode === null) {
        bouncer.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (bouncer.exitCode === null) bouncer.kill('SIGKILL');
      }
    } finally {
      await server?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const psql = async (database: string, sql: string): Promise<string> => {
    const result = await run(postgresBinary('psql'), [
      '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', TEST_USER, '-d', database, '-c', sql,
    ], { env: { ...process.env, PGPASSWORD: TEST_PASSWORD, PGCONNECT_TIMEOUT: '10' } });
    if (result.code !== 0) throw new Error(`psql via pgbouncer failed: ${result.stderr}\npgbouncer log:\n${log}`);
    return result.stdout.trim();
  };

  test('GIVEN the 4 GiB / 2 CPU stack WHEN PostgreSQL runs its postgresql.conf THEN max_connections is the one PgBouncer was sized for', async () => {
    expect(await server!.psql('SHOW max_connections')).toBe(String(stack.postgres.maxConnections));
    expect(log).toMatch(/process up: PgBouncer/);
  });

  test('GIVEN pgbouncer runs the generated ini WHEN a client queries the Odoo database THEN it goes through the transaction pool', async () => {
    expect(await psql('odoo', "SELECT current_database() || ' ' || current_user")).toBe('odoo odoo');
    expect(await psql('odoo', 'BEGIN; CREATE TABLE t (x int); INSERT INTO t VALUES (42); COMMIT; SELECT x FROM t')).toBe('42');
  });

  test('GIVEN pgbouncer runs the generated ini WHEN a client LISTENs and NOTIFYs on "postgres" THEN the session pool delivers it', async () => {
    const output = await psql('postgres', "LISTEN imbus; NOTIFY imbus, 'x'; SELECT 1");
    expect(output).toContain('Asynchronous notification "imbus" with payload "x"');
  });

  test('GIVEN the queries went through WHEN PostgreSQL counts the backends THEN no more than PgBouncer\'s server connections', async () => {
    await psql('odoo', 'SELECT 1');
    const backends = Number(await server!.psql(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${TEST_USER}'`));
    expect(backends).toBeGreaterThanOrEqual(1);
    expect(backends).toBeLessThanOrEqual(stack.pgbouncer.serverConnections);
  });
});
