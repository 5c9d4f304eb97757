import * as fs from 'fs';
import * as path from 'path';

/** The Debian package that provides each binary the tests run (kept in line with scripts/ensure-test-tools.sh). */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  'promtool': 'prometheus',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  'postgres': 'postgresql',
  'initdb': 'postgresql',
  'pg_ctl': 'postgresql',
  'psql': 'postgresql-client',
  'pgbench': 'postgresql-contrib',
  'pgbouncer': 'pgbouncer',
  'shellcheck': 'shellcheck',
  'python3': 'python3',
};

/** Binaries that must all come from one PostgreSQL version, so they are looked up in its directory first. */
const POSTGRES_BINARIES = new Set(['postgres', 'initdb', 'pg_ctl', 'psql', 'pgbench', 'pg_isready', 'pg_config']);

/** Where Debian installs PostgreSQL's binaries: `/usr/lib/postgresql/<major>/bin`, off PATH. */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

/** Options of {@link findBinary}; the defaults are the real environment, tests of this helper pass their own. */
export interface FindBinaryOptions {
  /** @default process.env.PATH */
  readonly pathEnv?: string;
  /** @default '/usr/lib/postgresql' */
  readonly postgresRoot?: string;
}

/**
 * The absolute path of an executable: for PostgreSQL binaries first `/usr/lib/postgresql/<highest version>/bin`
 * (so initdb, postgres and pg_ctl are one version), then PATH. Throws naming the Debian package to install.
 */
export function findBinary(name: string, options: FindBinaryOptions = {}): string {
  const postgresDirs = POSTGRES_BINARIES.has(name) ? postgresBinDirs(options.postgresRoot ?? DEBIAN_POSTGRES_ROOT) : [];
  const pathDirs = (options.pathEnv ?? process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of [...postgresDirs, ...pathDirs]) {
    const candidate = path.resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  const pkg = DEBIAN_PACKAGES[name];
  const install = pkg
    ? `install the Debian package "${pkg}" (apt-get install -y --no-install-recommends ${pkg}), or run scripts/ensure-test-tools.sh as root`
    : 'no Debian package is known for it';
  throw new Error(`${name} not found on PATH${POSTGRES_BINARIES.has(name) ? ' or in /usr/lib/postgresql/*/bin' : ''}: ${install}`);
}

/** `<root>/<major>/bin` directories, highest major version first. */
function postgresBinDirs(root: string): string[] {
  let versions: string[];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    return [];
  }
  return versions.sort((a, b) => Number(b) - Number(a)).map((v) => path.join(root, v, 'bin'));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
