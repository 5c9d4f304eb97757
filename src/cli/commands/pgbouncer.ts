import { Command, Option } from 'commander';
import { InputError } from '../../sizing/errors';
import { odooSettings } from '../../sizing/odoo';
import { PgbouncerClientSide, PoolMode, pgbouncerSettings, toPgbouncerIni } from '../../sizing/pgbouncer';
import { Memory } from '../../sizing/quantity';
import type { CliOutput, CommandRegistration } from '../program';
import { parseNumber } from './limits';
import { RAM_HELP, optionalNumber, withFlag } from './odoo';

interface PgbouncerCommandOptions {
  readonly maxConnections: string;
  readonly workers?: string;
  readonly ram?: string;
  readonly cpus?: string;
  readonly users?: string;
  readonly cron?: string;
  readonly dbMaxconn?: string;
  readonly replicas?: string;
  readonly poolMode?: string;
  readonly pgVersion?: string;
  readonly superuserReserved?: string;
  readonly reservedConnections?: string;
  readonly directConnections?: string;
  readonly databases: string;
  readonly upstreamHost: string;
  readonly upstreamPort?: string;
  readonly listenPort?: string;
  readonly format: string;
}

const FLAGS: Record<string, string> = {
  'maxConnections': '--max-connections',
  'odoo.workers': '--workers',
  'workers': '--workers',
  'ram': '--ram',
  'cpus': '--cpus',
  'concurrentUsers': '--users',
  'odoo.maxCronThreads': '--cron',
  'maxCronThreads': '--cron',
  'odoo.dbMaxconn': '--db-maxconn',
  'dbMaxconn': '--db-maxconn',
  'odoo.replicas': '--replicas',
  'replicas': '--replicas',
  'poolMode': '--pool-mode',
  'postgresVersion': '--pg-version',
  'superuserReservedConnections': '--superuser-reserved',
  'reservedConnections': '--reserved-connections',
  'directConnections': '--direct-connections',
  'databases': '--databases',
  'upstreamHost': '--upstream-host',
  'upstreamPort': '--upstream-port',
  'listenPort': '--listen-port',
};

/** `memguard pgbouncer`: a pgbouncer.ini whose server connections fit PostgreSQL's max_connections. */
export const registerPgbouncerCommand: CommandRegistration = (program: Command, out: CliOutput) => {
  program
    .command('pgbouncer')
    .description('Print a pgbouncer.ini for Odoo: transaction pools for the Odoo databases, a session pool for the "postgres" '
      + 'database (Odoo\'s LISTEN/NOTIFY), server connections within max_connections minus the reserves. Give the Odoo side '
      + 'as --workers, or as --ram/--cpus to size Odoo first.')
    .requiredOption('--max-connections <n>', 'PostgreSQL max_connections (memguard postgres prints it)')
    .option('--workers <n>', 'Odoo workers per pod')
    .option('--ram <size>', `Odoo's memory, to compute its workers (with --cpus). ${RAM_HELP}`)
    .option('--cpus <n>', 'Odoo\'s CPU cores, to compute its workers (with --ram)')
    .option('--users <n>', 'expected concurrent Odoo users (with --ram/--cpus)')
    .option('--cron <n>', 'Odoo max_cron_threads (default 1)')
    .option('--db-maxconn <n>', 'Odoo db_maxconn (default 16)')
    .option('--replicas <n>', 'Odoo pods (default 1)')
    .option('--pool-mode <mode>', 'transaction (default) or session, for the Odoo databases')
    .option('--pg-version <major>', 'PostgreSQL major version, 13 to 18 (default 16)')
    .option('--superuser-reserved <n>', 'superuser_reserved_connections (default 3)')
    .option('--reserved-connections <n>', 'reserved_connections, PostgreSQL 16+ (default 0)')
    .option('--direct-connections <n>', 'connections that bypass PgBouncer: exporter, backups (default 2)')
    .option('--databases <names>', 'comma-separated Odoo databases', 'odoo')
    .option('--upstream-host <host>', 'PostgreSQL host', 'postgres')
    .option('--upstream-port <port>', 'PostgreSQL port (default 5432)')
    .option('--listen-port <port>', 'PgBouncer port (default 6432)')
    .addOption(new Option('--format <format>', 'ini: pgbouncer.ini; json: the computed settings').choices(['ini', 'json']).default('ini'))
    .addHelpText('after', '\nExamples:\n  memguard pgbouncer --max-connections 100 --workers 9\n'
      + '  memguard pgbouncer --max-connections 100 --ram 4GiB --cpus 4 --users 50\n')
    .action((options: PgbouncerCommandOptions) => {
      try {
        const odoo = odooSide(options);
        const databases = options.databases.split(',').map((d) => d.trim()).filter((d) => d !== '');
        const result = pgbouncerSettings({
          odoo,
          maxConnections: parseNumber('maxConnections', options.maxConnections),
          poolMode: options.poolMode as PoolMode | undefined,
          postgresVersion: optionalNumber('postgresVersion', options.pgVersion),
          superuserReservedConnections: optionalNumber('superuserReservedConnections', options.superuserReserved),
          reservedConnections: optionalNumber('reservedConnections', options.reservedConnections),
          directConnections: optionalNumber('directConnections', options.directConnections),
          odooDatabases: Math.max(1, databases.length),
        });
        const ini = toPgbouncerIni(result, {
          databases,
          upstreamHost: options.upstreamHost,
          upstreamPort: optionalNumber('upstreamPort', options.upstreamPort),
          listenPort: optionalNumber('listenPort', options.listenPort),
        });
        out.stdout(options.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : ini);
      } catch (error) {
        throw withFlag(error, FLAGS);
      }
    });
};

function odooSide(options: PgbouncerCommandOptions): PgbouncerClientSide {
  const cron = optionalNumber('maxCronThreads', options.cron);
  const dbMaxconn = optionalNumber('dbMaxconn', options.dbMaxconn);
  const replicas = optionalNumber('replicas', options.replicas);
  if (options.workers !== undefined) {
    return { workers: parseNumber('workers', options.workers), maxCronThreads: cron ?? 1, dbMaxconn: dbMaxconn ?? 16, replicas };
  }
  if (options.ram === undefined || options.cpus === undefined) {
    throw new InputError({ field: '--workers', value: undefined, accepted: '--workers <n>, or --ram and --cpus to compute it' });
  }
  return odooSettings({
    ram: Memory.parse(options.ram, 'ram', 'ram'),
    cpus: parseNumber('cpus', options.cpus),
    concurrentUsers: optionalNumber('concurrentUsers', options.users),
    maxCronThreads: cron,
    dbMaxconn,
    replicas,
  });
}
