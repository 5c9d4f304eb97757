import { Command, Option } from 'commander';
import { InputError } from '../../sizing/errors';
import { Memory } from '../../sizing/quantity';
import { redisSettings, redisSettingsJson, toRedisConf } from '../../sizing/redis';
import type { CliOutput, CommandRegistration } from '../program';

interface RedisCommandOptions {
  readonly limit?: string;
  readonly maxmemory?: string;
  readonly maxmemoryPercent?: string;
  readonly policy?: string;
  readonly allowFlushall?: boolean;
  readonly allowFlushdb?: boolean;
  readonly format: string;
}

/** `memguard redis`: the redis.conf of a cache sized from its container limit, exactly as RedisCache's ConfigMap holds it. */
export const registerRedisCommand: CommandRegistration = (program: Command, out: CliOutput) => {
  program
    .command('redis')
    .description('Print the redis.conf of an LRU cache sized from its container memory limit (as the RedisCache ConfigMap holds it).')
    .option('--limit <quantity>', 'container memory limit (request == limit), such as 1Gi')
    .option('--maxmemory <quantity>', 'redis maxmemory; the limit is derived from it when --limit is not given')
    .option('--maxmemory-percent <percent>', 'maxmemory as a percentage of the limit, 10 to 80 (default 75)')
    .option('--policy <policy>', 'maxmemory-policy (default allkeys-lru; noeviction is rejected)')
    .option('--allow-flushall', 'keep FLUSHALL enabled')
    .option('--allow-flushdb', 'keep FLUSHDB enabled')
    .addOption(new Option('--format <format>', 'conf: the redis.conf text; json: the values').choices(['conf', 'json']).default('conf'))
    .action((options: RedisCommandOptions) => {
      const settings = redisSettings({
        limit: options.limit === undefined ? undefined : Memory.parse(options.limit, 'limit'),
        maxmemory: options.maxmemory === undefined ? undefined : Memory.parse(options.maxmemory, 'maxmemory'),
        maxmemoryPercent: options.maxmemoryPercent === undefined ? undefined : parseNumber('maxmemoryPercent', options.maxmemoryPercent),
        maxmemoryPolicy: options.policy,
        allowFlushAll: options.allowFlushall,
        allowFlushDb: options.allowFlushdb,
      });
      if (options.format === 'json') {
        out.stdout(`${JSON.stringify(redisSettingsJson(settings), null, 2)}\n`);
      } else {
        out.stdout(toRedisConf(settings));
      }
      for (const warning of settings.warnings) out.stderr(`memguard: warning: ${warning}\n`);
    });
};

function parseNumber(field: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InputError({ field, value: text, accepted: 'a number' });
  return value;
}
