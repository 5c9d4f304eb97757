import { Command, Option } from 'commander';
import { toOdooConf } from '../../sizing/odoo';
import { PoolMode, toPgbouncerIni } from '../../sizing/pgbouncer';
import { PostgresDbType, PostgresStorage, toPostgresqlConf } from '../../sizing/postgres';
import { Memory } from '../../sizing/quantity';
import { StackSettings, sizeStack } from '../../sizing/stack';
import type { CliOutput, CommandRegistration } from '../program';
import { parseNumber } from './limits';
import { RAM_HELP, optionalNumber, withFlag } from './odoo';

interface StackCommandOptions {
  readonly ram: string;
  readonly cpus: string;
  readonly users?: string;
  readonly odooReplicas?: string;
  readonly odooPercent?: string;
  readonly pgVersion?: string;
  readonly dbType?: string;
  readonly storage?: string;
  readonly poolMode?: string;
  readonly format: string;
}

const FLAGS: Record<string, string> = {
  cpus: '--cpus',
  concurrentUsers: '--users',
  odooReplicas: '--odoo-replicas',
  odooPercent: '--odoo-percent',
  pgVersion: '--pg-version',
  dbType: '--db-type',
  storage: '--storage',
  poolMode: '--pool-mode',
};

/** `memguard stack`: Odoo + PgBouncer + PostgreSQL sized together for one memory/CPU budget. */
export const registerStackCommand: CommandRegistration = (program: Command, out: CliOutput) => {
  program
    .command('stack')
    .description('Split one memory/CPU budget between PostgreSQL, PgBouncer and Odoo and print the split with the three '
      + 'configuration files (postgresql.conf, pgbouncer.ini, odoo.conf), consistent with each other.')
    .requiredOption('--ram <size>', `the whole stack's memory. ${RAM_HELP}`)
    .requiredOption('--cpus <n>', 'whole CPUs of the budget (shared by Odoo and PostgreSQL)')
    .option('--users <n>', 'expected concurrent Odoo users')
    .option('--odoo-replicas <n>', 'Odoo pods (default 1)')
    .option('--odoo-percent <n>', 'Odoo\'s share of the memory after PgBouncer, 10 to 90 (default 50)')
    .option('--pg-version <major>', 'PostgreSQL major version, 13 to 18 (default 16)')
    .option('--db-type <type>', 'PostgreSQL workload: web, oltp, dw, desktop or mixed (default web)')
    .option('--storage <type>', 'ssd, hdd, san or nvme (default ssd)')
    .option('--pool-mode <mode>', 'PgBouncer pool_mode for the Odoo databases: transaction (default) or session')
    .addOption(new Option('--format <format>', 'text: the split and the three files; json: the split and the settings')
      .choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExample:\n  memguard stack --ram 8GiB --cpus 4 --users 50\n')
    .action((options: StackCommandOptions) => {
      let stack: StackSettings;
      try {
        stack = sizeStack({
          ram: Memory.parse(options.ram, 'ram', 'ram'),
          cpus: parseNumber('cpus', options.cpus),
          concurrentUsers: optionalNumber('concurrentUsers', options.users),
          odooReplicas: optionalNumber('odooReplicas', options.odooReplicas),
          odooPercent: optionalNumber('odooPercent', options.odooPercent),
          pgVersion: optionalNumber('pgVersion', options.pgVersion),
          dbType: options.dbType as PostgresDbType | undefined,
          storage: options.storage as PostgresStorage | undefined,
          poolMode: options.poolMode as PoolMode | undefined,
        });
      } catch (error) {
        throw withFlag(error, FLAGS);
      }
      if (options.format === 'json') {
        out.stdout(`${JSON.stringify({
          split: stack.split.map((s) => ({
            component: s.component, memory: s.memory.toString(), replicas: s.replicas, total: s.total.toString(), reason: s.reason,
          })),
          postgres: Object.fromEntries(stack.postgres.settings.map((s) => [s.name, s.value])),
          pgbouncer: stack.pgbouncer,
          odoo: Object.fromEntries(stack.odoo.options.map((o) => [o.name, o.value])),
          warnings: stack.warnings,
        }, null, 2)}\n`);
        return;
      }
      out.stdout(stackText(stack));
    });
};

/** The split as a table, then the three files. */
export function stackText(stack: StackSettings): string {
  const rows = stack.split.map((s) => `${s.component.padEnd(10)} ${s.memory.toString().padStart(8)} x ${s.replicas}  ${s.reason}`);
  return [
    `# memguard stack: ram ${stack.ram} (${stack.ram.toHuman()}), ${stack.cpus} CPUs`,
    '# component  limit=request x pods  why',
    ...rows.map((r) => `# ${r}`),
    ...(stack.unallocated.bytes > 0 ? [`# unallocated: ${stack.unallocated}`] : []),
    ...stack.warnings.map((w) => `# WARNING: ${w}`),
    '',
    '# ---- postgresql.conf ----',
    toPostgresqlConf(stack.postgres).trimEnd(),
    '',
    '# ---- pgbouncer.ini ----',
    toPgbouncerIni(stack.pgbouncer, { databases: ['odoo'], upstreamHost: 'postgres' }).trimEnd(),
    '',
    '# ---- odoo.conf ----',
    toOdooConf(stack.odoo, { dbHost: 'pgbouncer', dbPort: 6432 }).trimEnd(),
    '',
  ].join('\n');
}
