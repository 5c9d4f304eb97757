/**
 * Throwaway PostgreSQL servers for tests and benchmarks: initdb into a temp dir, start on 127.0.0.1 and a free port,
 * run as an unprivileged OS user (PostgreSQL refuses to run as root), stop and remove everything afterwards.
 *
 * Nothing here touches system services: the cluster lives in its own temp dir, with its unix socket there too.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './ports';

/** The Debian package that provides the server binaries, named in every "missing binary" message. */
export const POSTGRES_DEBIAN_PACKAGE = 'postgresql';

/** The database superuser every throwaway cluster is created with (trust authentication, local only). */
export const POSTGRES_SUPERUSER = 'postgres';

/** Options for {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Text included from `postgresql.conf` (e.g. a memguard fragment). Listening settings always win over it. */
  readonly confFragment?: string;
  /** The TCP port; default: a free port chosen by the OS. */
  readonly port?: number;
  /** Seconds `pg_ctl` waits for the server to start. @default 60 */
  readonly startTimeoutSeconds?: number;
}

/** A running throwaway server. */
export interface PostgresServer {
  readonly port: number;
  /** Always `127.0.0.1`. */
  readonly host: string;
  readonly dataDir: string;
  /** The directory holding the unix socket. */
  readonly socketDir: string;
  /** The database superuser (trust authentication). */
  readonly user: string;
  /** The postmaster's process id. */
  readonly pid: number;
  /** Stops the server (`pg_ctl stop -m fast`) and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Runs `sql` through `psql` (unaligned, tuples only) and returns its output without the trailing newline. */
  psql(sql: string): Promise<string>;
}

/** The result of a finished child process. */
export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Path of a PostgreSQL binary (`postgres`, `initdb`, `pg_ctl`, `psql`, `pgbench`), newest installed major first. */
export function postgresBinary(name: string): string {
  const override = process.env.MEMGUARD_PG_BINDIR;
  const dirs: string[] = [];
  if (override) dirs.push(override);
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const majors = fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    for (const major of majors) dirs.push(path.join(root, major, 'bin'));
  }
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`PostgreSQL binary "${name}" not found in ${dirs.join(', ') || root}: install the Debian package `
    + `"${POSTGRES_DEBIAN_PACKAGE}" (apt-get install ${POSTGRES_DEBIAN_PACKAGE}) or set MEMGUARD_PG_BINDIR`);
}

/** The installed server's major version (e.g. 15). */
export async function postgresMajorVersion(): Promise<number> {
  const result = await run(postgresBinary('postgres'), ['--version']);
  const match = /(\d+)(?:\.\d+)?/.exec(result.stdout);
  if (!match) throw new Error(`cannot read the PostgreSQL version from "${result.stdout.trim()}"`);
  return Number(match[1]);
}

/** The unprivileged OS user the server runs as when we are root; `undefined` when we are not root. */
export interface OsUser { readonly name: string; readonly uid: number; readonly gid: number }

/**
 * Who runs the server: ourselves when not root; when root, `MEMGUARD_PG_OS_USER`, else the Debian `postgres` account,
 * else `nobody`.
 */
export function serverOsUser(): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const wanted = process.env.MEMGUARD_PG_OS_USER ? [process.env.MEMGUARD_PG_OS_USER] : ['postgres', 'nobody'];
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const name of wanted) {
    const entry = passwd.find((fields) => fields[0] === name);
    if (entry && Number(entry[2]) !== 0) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error(`running as root and none of the users ${wanted.join(', ')} exists to run PostgreSQL as`);
}

/** Runs `file args` and collects its output; never rejects on a non-zero exit. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
        reject(new Error(`${file}: ${error.message}`));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Runs a PostgreSQL binary as the server's OS user (through `setpriv` when we are root). */
export function runAsServerUser(
  binary: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const user = serverOsUser();
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  delete env.PGDATA;
  if (!user) return run(binary, args, { ...options, env });
  env.HOME = os.tmpdir();
  env.USER = user.name;
  env.LOGNAME = user.name;
  return run('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', binary, ...args], { ...options, env });
}

/** Makes a temp dir owned by the server's OS user (mode 0700, as PostgreSQL wants for a data dir's parent too). */
export function makeServerTempDir(prefix = 'memguard-pg-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const user = serverOsUser();
  if (user) fs.chownSync(dir, user.uid, user.gid);
  return dir;
}

/** Writes a file the server's OS user can read. */
export function writeServerFile(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  const user = serverOsUser();
  if (user) fs.chownSync(file, user.uid, user.gid);
}

let template: Promise<string> | undefined;
/** Every template dir made and not yet removed (one at a time, unless a removal raced a running initdb). */
const templateParents = new Set<string>();

function removeTemplate(): void {
  for (const parent of templateParents) fs.rmSync(parent, { recursive: true, force: true });
  templateParents.clear();
  template = undefined;
}

// Cleanup is registered here, at import, never on first use: Jest refuses hooks added once tests run ("Cannot add a
// hook after tests have started running"), so `startPostgres` may be called from `beforeAll` or a test. Each test file
// that imports this removes its template after its tests; 'exit' covers scripts (bench/) and workers ended early.
if (typeof afterAll === 'function') afterAll(removeTemplate);
process.once('exit', removeTemplate);

/** One initdb per process (`-A trust`, `--no-sync`), copied for each new cluster: initdb is the slow part. */
function templateDataDir(): Promise<string> {
  template ??= (async () => {
    const parent = makeServerTempDir('memguard-pg-template-');
    // Tracked before initdb runs, so neither a failed initdb nor a cleanup that comes during it leaves the dir behind.
    templateParents.add(parent);
    const dataDir = path.join(parent, 'data');
    try {
      const result = await runAsServerUser(postgresBinary('initdb'), [
        '-D', dataDir, '-U', POSTGRES_SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync',
      ], { cwd: parent });
      if (result.code !== 0) throw new Error(`initdb failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
    } catch (error) {
      fs.rmSync(parent, { recursive: true, force: true });
      templateParents.delete(parent);
      throw error;
    }
    return dataDir;
  })();
  return template;
}

/**
 * A fresh, initialised data dir `<parent>/data` in a new temp dir owned by the server's OS user. Remove `parent`
 * afterwards (`fs.rmSync(parent, { recursive: true, force: true })`).
 */
export async function createDataDir(): Promise<{ parent: string; dataDir: string }> {
  const source = await templateDataDir();
  const parent = makeServerTempDir();
  const dataDir = path.join(parent, 'data');
  const copy = await run('cp', ['-a', source, dataDir]);
  if (copy.code !== 0) throw new Error(`cannot copy the template data dir: ${copy.stderr}`);
  return { parent, dataDir };
}

/**
 * `postgres -C <parameter> -D <dataDir> -c config_file=<configFile>`: the value the server would run with, after
 * reading and validating the whole file. Rejects with postgres's own message when the file is not accepted.
 */
export async function postgresShow(dataDir: string, configFile: string, parameter: string): Promise<string> {
  const result = await runAsServerUser(postgresBinary('postgres'), ['-C', parameter, '-D', dataDir, '-c', `config_file=${configFile}`], { cwd: path.dirname(dataDir) });
  if (result.code !== 0) {
    throw new Error(`postgres -C ${parameter} rejected ${configFile} (exit ${result.code}):\n${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/**
 * Starts a throwaway PostgreSQL on 127.0.0.1 (a free port unless `port` is given), in a temp dir, as an unprivileged
 * OS user. Call it anywhere (module scope, `beforeAll`, a test) and call `stop()` in `finally`/`afterAll`; the shared
 * initdb template is removed by the hooks this module registers when imported.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? await freePort();
    try {
      return await startOnce(port, options);
    } catch (error) {
      lastError = error;
      // Another process may have taken the port between our probe and the start: try another one.
      if (!/could not bind|Address already in use/i.test(String(error))) break;
    }
  }
  throw lastError;
}

async function startOnce(port: number, options: StartPostgresOptions): Promise<PostgresServer> {
  const { parent, dataDir } = await createDataDir();
  const socketDir = parent;
  const logFile = path.join(parent, 'server.log');
  writeServerFile(path.join(dataDir, 'memguard.conf'), options.confFragment ?? '');
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), [
    '',
    "include 'memguard.conf'",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    '',
  ].join('\n'));
  const pgCtl = postgresBinary('pg_ctl');
  const start = await runAsServerUser(pgCtl, [
    '-D', dataDir, '-l', logFile, '-w', '-t', String(options.startTimeoutSeconds ?? 60), 'start',
  ], { cwd: parent });
  if (start.code !== 0) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    await runAsServerUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { cwd: parent }).catch(() => undefined);
    fs.rmSync(parent, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start on 127.0.0.1:${port} (exit ${start.code}):\n${start.stderr}${start.stdout}\n${log}`);
  }
  const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let stopped = false;
  const psqlBinary = postgresBinary('psql');
  return {
    port,
    host: '127.0.0.1',
    dataDir,
    socketDir,
    user: POSTGRES_SUPERUSER,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        const stop = await runAsServerUser(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { cwd: parent });
        if (stop.code !== 0) {
          await runAsServerUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { cwd: parent });
        }
      } finally {
        fs.rmSync(parent, { recursive: true, force: true });
      }
    },
    async psql(sql: string) {
      const result = await run(psqlBinary, [
        '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
        '-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_SUPERUSER, '-d', 'postgres', '-c', sql,
      ], { env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '' } });
      if (result.code !== 0) throw new Error(`psql failed (exit ${result.code}) on ${JSON.stringify(sql)}:\n${result.stderr}`);
      return result.stdout.replace(/\n$/, '');
    },
  };
}
