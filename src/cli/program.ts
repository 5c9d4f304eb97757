import { Command, CommanderError } from 'commander';
import { InputError } from '../sizing/errors';
import { registerLimitsCommand } from './commands/limits';
import { registerOdooCommand } from './commands/odoo';
import { registerPgbouncerCommand } from './commands/pgbouncer';
import { registerPostgresCommand } from './commands/postgres';
import { registerRedisCommand } from './commands/redis';
import { registerStackCommand } from './commands/stack';

/** Where a command writes; tests pass their own. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Each command file exports one of these; `buildProgram` calls them in order. */
export type CommandRegistration = (program: Command, out: CliOutput) => void;

const COMMANDS: readonly CommandRegistration[] = [
  registerLimitsCommand,
  registerRedisCommand,
  registerPostgresCommand,
  registerOdooCommand,
  registerPgbouncerCommand,
  registerStackCommand,
];

/** The `memguard` command line, with every calculator registered. */
export function buildProgram(out: CliOutput): Command {
  const program = new Command('memguard')
    .description('Memory sizing calculators for Kubernetes workloads, PostgreSQL, PgBouncer, Odoo and redis.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of COMMANDS) register(program, out);
  return program;
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and returns the exit code: 0 on success, 2 for bad
 * input (the message names the field, the value and what is accepted), 1 otherwise.
 */
export async function runCli(argv: readonly string[], out: CliOutput): Promise<number> {
  const program = buildProgram(out);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      out.stderr(`memguard: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    out.stderr(`memguard: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
