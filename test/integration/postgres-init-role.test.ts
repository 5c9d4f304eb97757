/**
 * The application-role init script (assets/postgres-init-role.sh, mounted by PostgresTuning at
 * /docker-entrypoint-initdb.d) run by Debian's /bin/sh against a real throwaway PostgreSQL, with the environment the
 * StatefulSet gives it plus PG* connection variables. The role then logs in over TCP with password (SCRAM)
 * authentication: a pg_hba.conf line for it is put in front of the helper's `trust` lines and the server reloaded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { POSTGRES_INIT_ROLE_SCRIPT_PATH } from '../../src/cdk8s/postgres-tuning';
import { findBinary } from '../helpers/binaries';
import { PostgresServer, startPostgres } from '../helpers/postgres-server';

const ROLE = 'odoo-app';
const DATABASE = 'odoo';
/** Quotes, a backslash, a semicolon and SQL: only psql's :'var' quoting makes this one literal. */
const PASSWORD = 'it\'s "a" p@ss\\; DROP ROLE postgres; --';

let server: PostgresServer;
let psql: string;

beforeAll(async () => {
  psql = findBinary('psql');
  server = await startPostgres();
  // First match wins: the role must use its password over TCP; the superuser keeps the helper's trust lines.
  const hba = path.join(server.dataDir, 'pg_hba.conf');
  fs.writeFileSync(hba, `host all "${ROLE}" 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
  await server.psql('SELECT pg_reload_conf()');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** Runs the script as the image would (its own process, `sh`), against the test server through PG* variables. */
function runScript(env: Record<string, string | undefined>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', [POSTGRES_INIT_ROLE_SCRIPT_PATH], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: `${path.dirname(psql)}:/usr/bin:/bin`,
      PGHOST: server.host,
      PGPORT: String(server.port),
      PGUSER: server.user,
      PGDATABASE: 'postgres',
      PGCONNECT_TIMEOUT: '10',
      MEMGUARD_APP_ROLE: ROLE,
      MEMGUARD_APP_DATABASE: DATABASE,
      MEMGUARD_APP_PASSWORD: PASSWORD,
      MEMGUARD_APP_CREATEDB: 'false',
      ...env,
    } as NodeJS.ProcessEnv,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Connects as the role over TCP with `password`, as Odoo (through PgBouncer) would. */
function loginAsRole(password: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(psql, [
    '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
    `host=127.0.0.1 port=${server.port} user=${ROLE} dbname=${DATABASE}`,
    '-c', 'SELECT current_user, current_database(), (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database())',
  ], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' } });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

async function roleRow(): Promise<string> {
  return server.psql(`SELECT rolname, rolcanlogin, rolcreatedb, rolsuper, count(*) OVER () FROM pg_roles WHERE rolname = '${ROLE}'`);
}

describe('postgres-init-role.sh', () => {
  test('GIVEN a fresh server WHEN the script runs THEN the role logs in over TCP with its password and owns the database', async () => {
    const run = runScript({});
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`memguard: role "${ROLE}" (LOGIN, CREATEDB off) owns database "${DATABASE}"\n`);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(await roleRow()).toBe(`${ROLE}|t|f|f|1`);

    const login = loginAsRole(PASSWORD);
    expect(login.stderr).toBe('');
    expect(login.stdout).toBe(`${ROLE}|${DATABASE}|"${ROLE}"`);
  });

  test('GIVEN the role WHEN it connects with a wrong password THEN password authentication refuses it (so the check above is real)', () => {
    const login = loginAsRole('wrong');
    expect(login.status).toBe(2);
    expect(login.stderr).toContain(`password authentication failed for user "${ROLE}"`);
  });

  test('GIVEN the role and database exist WHEN the script runs a second time THEN it succeeds and changes nothing (idempotent)', async () => {
    const run = runScript({});
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(await roleRow()).toBe(`${ROLE}|t|f|f|1`);
    expect(await server.psql(`SELECT count(*), pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${DATABASE}' GROUP BY datdba`)).toBe(`1|${ROLE}`);
    expect(loginAsRole(PASSWORD).stdout).toBe(`${ROLE}|${DATABASE}|"${ROLE}"`);
  });

  test('GIVEN MEMGUARD_APP_CREATEDB true WHEN the script runs again THEN the role gets CREATEDB, and false takes it back', async () => {
    expect(runScript({ MEMGUARD_APP_CREATEDB: 'true' }).status).toBe(0);
    expect(await roleRow()).toBe(`${ROLE}|t|t|f|1`);
    expect(runScript({ MEMGUARD_APP_CREATEDB: 'false' }).status).toBe(0);
    expect(await roleRow()).toBe(`${ROLE}|t|f|f|1`);
  });

  test.each([
    ['MEMGUARD_APP_PASSWORD unset', { MEMGUARD_APP_PASSWORD: undefined }, 'MEMGUARD_APP_PASSWORD: MEMGUARD_APP_PASSWORD must hold the role password (from a Secret)'],
    ['MEMGUARD_APP_PASSWORD empty', { MEMGUARD_APP_PASSWORD: '' }, 'MEMGUARD_APP_PASSWORD: MEMGUARD_APP_PASSWORD must hold the role password (from a Secret)'],
    ['MEMGUARD_APP_ROLE unset', { MEMGUARD_APP_ROLE: undefined }, 'MEMGUARD_APP_ROLE: MEMGUARD_APP_ROLE must name the role to create'],
    ['MEMGUARD_APP_DATABASE unset', { MEMGUARD_APP_DATABASE: undefined }, 'MEMGUARD_APP_DATABASE: MEMGUARD_APP_DATABASE must name the database to create'],
  ])('GIVEN %s WHEN the script runs THEN it fails before connecting and names the variable', (_label, env, message) => {
    const run = runScript(env);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  test('GIVEN MEMGUARD_APP_CREATEDB "yes" WHEN the script runs THEN exit 2 with the accepted values', () => {
    const run = runScript({ MEMGUARD_APP_CREATEDB: 'yes' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('MEMGUARD_APP_CREATEDB must be "true" or "false", not "yes"\n');
  });

  test('GIVEN an unreachable server WHEN the script runs THEN psql fails and so does the script (the image stops the init)', () => {
    const run = runScript({ PGPORT: '1' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('connection to server at "127.0.0.1", port 1 failed');
  });
});

describe('shellcheck', () => {
  test('GIVEN the init script WHEN shellchecked as POSIX sh THEN it is clean', () => {
    const result = spawnSync(findBinary('shellcheck'), ['--shell=sh', POSTGRES_INIT_ROLE_SCRIPT_PATH], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
