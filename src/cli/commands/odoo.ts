import { Command, Option } from 'commander';
import { InputError } from '../../sizing/errors';
import { odooSettings, toOdooConf } from '../../sizing/odoo';
import { Memory } from '../../sizing/quantity';
import type { CliOutput, CommandRegistration } from '../program';
import { parseNumber } from './limits';

/** The `--ram` help shared by the odoo, pgbouncer and stack commands (the same convention as `memguard postgres`). */
export const RAM_HELP = 'Accepts 8GB, 8192MB, 8GiB (GB/MB are binary as in PostgreSQL and PGTune: 1GB = 1024MB = 2^30 bytes) '
  + 'and Kubernetes quantities 8Gi (binary) or 8G (decimal, 8 * 10^9 bytes)';

/** Rewrites an InputError's field to the flag the user typed. */
export function withFlag(error: unknown, flags: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof InputError)) return error;
  const flag = flags[error.field];
  if (!flag) return error;
  return new InputError({
    field: flag,
    value: error.value,
    accepted: error.accepted,
    message: error.message.replace(`Invalid ${error.field} `, `Invalid ${flag} `),
  });
}

/** An optional number option. */
export function optionalNumber(field: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseNumber(field, text);
}

interface OdooCommandOptions {
  readonly ram: string;
  readonly cpus: string;
  readonly users?: string;
  readonly replicas?: string;
  readonly workers?: string;
  readonly cron?: string;
  readonly dbMaxconn?: string;
  readonly dbHost?: string;
  readonly dbPort?: string;
  readonly dbUser?: string;
  readonly format: string;
}

const FLAGS: Record<string, string> = {
  ram: '--ram',
  cpus: '--cpus',
  concurrentUsers: '--users',
  replicas: '--replicas',
  workers: '--workers',
  maxCronThreads: '--cron',
  dbMaxconn: '--db-maxconn',
  dbHost: '--db-host',
  dbPort: '--db-port',
  dbUser: '--db-user',
};

/** `memguard odoo`: an odoo.conf from the container's memory limit and CPUs. */
export const registerOdooCommand: CommandRegistration = (program: Command, out: CliOutput) => {
  program
    .command('odoo')
    .description('Print an odoo.conf ([options]) sized from memory and CPUs: workers = min(2 x CPU + 1, users / 6, memory), '
      + 'limit_memory_* in bytes of VIRTUAL memory, db_maxconn and the worst-case PostgreSQL connection count.')
    .requiredOption('--ram <size>', `Odoo's memory (its container limit). ${RAM_HELP}`)
    .requiredOption('--cpus <n>', 'CPU cores available to Odoo (fractions allowed)')
    .option('--users <n>', 'expected concurrent users (one worker per 6)')
    .option('--replicas <n>', 'Odoo pods sharing one PostgreSQL (default 1)')
    .option('--workers <n>', 'force the worker count (checked against the memory)')
    .option('--cron <n>', 'max_cron_threads (default 1)')
    .option('--db-maxconn <n>', 'db_maxconn per Odoo process (default 16)')
    .option('--db-host <host>', 'db_host, e.g. the PgBouncer Service')
    .option('--db-port <port>', 'db_port')
    .option('--db-user <user>', 'db_user (the password never goes in odoo.conf: pass PASSWORD from a Secret)')
    .addOption(new Option('--format <format>', 'conf: odoo.conf; json: {"settings": {...}, "worstCaseConnections": n, "warnings": [...]}')
      .choices(['conf', 'json']).default('conf'))
    .addHelpText('after', '\nExample:\n  memguard odoo --ram 8GB --cpus 4 --users 50\n')
    .action((options: OdooCommandOptions) => {
      try {
        const result = odooSettings({
          ram: Memory.parse(options.ram, 'ram', 'ram'),
          cpus: parseNumber('cpus', options.cpus),
          concurrentUsers: optionalNumber('concurrentUsers', options.users),
          replicas: optionalNumber('replicas', options.replicas),
          workers: optionalNumber('workers', options.workers),
          maxCronThreads: optionalNumber('maxCronThreads', options.cron),
          dbMaxconn: optionalNumber('dbMaxconn', options.dbMaxconn),
        });
        if (options.format === 'json') {
          const settings = Object.fromEntries(result.options.map((o) => [o.name, o.value]));
          out.stdout(`${JSON.stringify({
            settings, worstCaseConnections: result.worstCaseConnections, workerBounds: result.workerBounds, warnings: result.warnings,
          }, null, 2)}\n`);
          return;
        }
        out.stdout(toOdooConf(result, {
          dbHost: options.dbHost, dbPort: optionalNumber('dbPort', options.dbPort), dbUser: options.dbUser,
        }));
      } catch (error) {
        throw withFlag(error, FLAGS);
      }
    });
};
