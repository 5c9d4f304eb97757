import { Command, Option } from 'commander';
import { InputError } from '../../sizing/errors';
import { postgresSettings, toJson, toPostgresqlConf } from '../../sizing/postgres';
import type { PostgresDbType, PostgresDbSize, PostgresOs, PostgresProfile, PostgresStorage } from '../../sizing/postgres';
import { Memory } from '../../sizing/quantity';
import type { CliOutput, CommandRegistration } from '../program';

interface PostgresCommandOptions {
  readonly ram: string;
  readonly cpus: string;
  readonly dbType?: string;
  readonly storage?: string;
  readonly os?: string;
  readonly dbSize?: string;
  readonly pgVersion?: string;
  readonly connections?: string;
  readonly profile?: string;
  readonly hugePages?: string;
  readonly format: string;
}

/** Input fields named as the command line spells them, so that an error names the flag the user typed. */
const FLAG_NAMES: Record<string, string> = {
  ram: '--ram',
  cpus: '--cpus',
  dbType: '--db-type',
  storage: '--storage',
  os: '--os',
  dbSize: '--db-size',
  pgVersion: '--pg-version',
  maxConnections: '--connections',
  profile: '--profile',
  hugePages: '--huge-pages',
};

/** `memguard postgres`: a postgresql.conf fragment from RAM (or a container limit) and CPUs, like PGTune on the command line. */
export const registerPostgresCommand: CommandRegistration = (program: Command, out: CliOutput) => {
  program
    .command('postgres')
    .description('Print a postgresql.conf fragment sized from RAM and CPUs: profile "container" (default) makes the worst case '
      + 'fit a container memory limit; profile "pgtune" prints exactly what PGTune prints.')
    .requiredOption('--ram <size>', 'memory: with --profile container the container\'s memory limit. Accepts 8GB, 8192MB, 8GiB '
      + '(GB/MB are binary as in PostgreSQL and PGTune: 1GB = 1024MB = 2^30 bytes) and Kubernetes quantities 8Gi (binary) '
      + 'or 8G (decimal, 8 * 10^9 bytes)')
    .requiredOption('--cpus <n>', 'whole CPUs (the container\'s CPU limit, rounded down)')
    .option('--db-type <type>', 'web, oltp, dw, desktop or mixed (default web)')
    .option('--storage <type>', 'ssd, hdd, san or nvme (default ssd)')
    .option('--os <os>', 'linux, windows or mac (default linux)')
    .option('--db-size <size>', 'database size vs RAM: less_ram, mid_ram or greater_ram (default mid_ram)')
    .option('--pg-version <major>', 'PostgreSQL major version, 13 to 18 (default 16)')
    .option('--connections <n>', 'max_connections (default: per db type; profile container lowers it to fit the limit)')
    .option('--profile <profile>', 'container (default) or pgtune')
    .option('--huge-pages <size>', 'the pod\'s hugepages-2Mi request (profile container): shared memory goes there, huge_pages = on')
    .addOption(new Option('--format <format>', 'conf: the postgresql.conf fragment; json: {"settings": {...}, "warnings": [...]}')
      .choices(['conf', 'json']).default('conf'))
    .action((options: PostgresCommandOptions) => {
      let result;
      try {
        result = postgresSettings({
          ram: Memory.parse(options.ram, 'ram', 'ram'),
          cpus: parseNumber('cpus', options.cpus),
          pgVersion: options.pgVersion === undefined ? undefined : parseNumber('pgVersion', options.pgVersion),
          dbType: options.dbType as PostgresDbType | undefined,
          storage: options.storage as PostgresStorage | undefined,
          os: options.os as PostgresOs | undefined,
          dbSize: options.dbSize as PostgresDbSize | undefined,
          maxConnections: options.connections === undefined ? undefined : parseNumber('maxConnections', options.connections),
          profile: options.profile as PostgresProfile | undefined,
          hugePages: options.hugePages === undefined ? undefined : Memory.parse(options.hugePages, 'hugePages'),
        });
      } catch (error) {
        throw error instanceof InputError ? withFlagName(error) : error;
      }
      if (options.format === 'json') {
        out.stdout(`${JSON.stringify(toJson(result), null, 2)}\n`);
      } else {
        out.stdout(toPostgresqlConf(result));
      }
    });
};

function parseNumber(field: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InputError({ field, value: text, accepted: 'a number' });
  return value;
}

function withFlagName(error: InputError): InputError {
  const flag = FLAG_NAMES[error.field];
  if (!flag) return error;
  const message = error.message.replace(`Invalid ${error.field} `, `Invalid ${flag} `);
  return new InputError({ field: flag, value: error.value, accepted: error.accepted, message });
}
