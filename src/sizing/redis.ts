import { checkInteger, checkOneOf, checkRange, InputError } from './errors';
import { Memory } from './quantity';

/**
 * The eviction policies a cache may use. `noeviction` is deliberately absent: on a cache it turns "memory full" into
 * write errors (`OOM command not allowed`), which is the opposite of what a cache is for.
 * @see https://redis.io/docs/latest/develop/reference/eviction/
 */
export const REDIS_CACHE_POLICIES = [
  'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
] as const;

/** A `maxmemory-policy` that evicts (see {@link REDIS_CACHE_POLICIES}). */
export type RedisMaxmemoryPolicy = typeof REDIS_CACHE_POLICIES[number];

/** The share of the container limit given to `maxmemory` by default (ElastiCache reserves 25% too). */
export const DEFAULT_MAXMEMORY_PERCENT = 75;
/**
 * The highest share allowed. Above it, fragmentation, client buffers and the allocator's own overhead (all outside
 * `used_memory`) can push the process over the limit. 80 is safe only because this cache never forks for persistence.
 */
export const MAX_MAXMEMORY_PERCENT = 80;
/** The lowest share accepted: below it the limit is mostly wasted. */
export const MIN_MAXMEMORY_PERCENT = 10;
/** The smallest container limit: redis itself needs a few MiB before it stores a single key. */
export const MIN_REDIS_LIMIT = Memory.mebibytes(32);
/** `maxmemory-samples` default: 10 comes close to true LRU for a little CPU (redis's own default is 5). */
export const DEFAULT_MAXMEMORY_SAMPLES = 10;

/** What the redis cache is sized from. Give `limit`, or `maxmemory` to derive the limit, or both. */
export interface RedisSizingInput {
  /**
   * The container memory limit (the request is always equal to it).
   * @default - derived from `maxmemory`: maxmemory / (maxmemoryPercent / 100), rounded up to whole MiB
   */
  readonly limit?: Memory;
  /**
   * redis's `maxmemory`: the dataset size at which redis starts evicting.
   * @default - `maxmemoryPercent` of `limit`, rounded down to whole MiB
   */
  readonly maxmemory?: Memory;
  /**
   * `maxmemory` as a percentage of the limit, from 10 to 80. Above 75 only because persistence is always off here (no
   * fork, no copy-on-write) and there are no replicas (no replica output buffers).
   * @default 75
   */
  readonly maxmemoryPercent?: number;
  /**
   * `maxmemory-policy`. `allkeys-lru` suits the usual power-law access; `allkeys-lfu` when frequency matters more than
   * recency or scans pollute the cache. The `volatile-*` policies only evict keys with a TTL and act like
   * `noeviction` (write errors) when none has one: they are accepted with a warning. `noeviction` is rejected.
   * @default 'allkeys-lru'
   * @see https://redis.io/docs/latest/develop/reference/eviction/
   */
  readonly maxmemoryPolicy?: string;
  /**
   * `maxmemory-samples`, from 1 to 64.
   * @default 10
   */
  readonly maxmemorySamples?: number;
  /**
   * Keep `FLUSHALL` enabled (the remediation program may need it to empty a cache). Otherwise it is disabled with
   * `rename-command FLUSHALL ""`.
   * @default false
   */
  readonly allowFlushAll?: boolean;
  /**
   * Keep `FLUSHDB` enabled. Otherwise it is disabled with `rename-command FLUSHDB ""`.
   * @default false
   */
  readonly allowFlushDb?: boolean;
}

/** The validated, derived settings of a redis cache. */
export interface RedisSettings {
  /** The container memory limit. */
  readonly limit: Memory;
  /** The container memory request: always equal to the limit. */
  readonly request: Memory;
  /** `maxmemory`. */
  readonly maxmemory: Memory;
  readonly maxmemoryPolicy: RedisMaxmemoryPolicy;
  readonly maxmemorySamples: number;
  /** `save`: always empty (no RDB snapshots, so no fork doubling memory). */
  readonly save: '';
  /** `appendonly`: always `no`. */
  readonly appendonly: 'no';
  /** The commands disabled with `rename-command X ""`. */
  readonly disabledCommands: readonly string[];
  /** Things that are allowed but probably not meant (for example a `volatile-*` policy). */
  readonly warnings: readonly string[];
}

const MIB = Memory.mebibytes(1);

/**
 * Computes a redis cache's settings from its container limit or its `maxmemory`.
 *
 * - `limit` alone: maxmemory = maxmemoryPercent of it, rounded down to whole MiB.
 * - `maxmemory` alone: limit = maxmemory / maxmemoryPercent, rounded up to whole MiB.
 * - both: maxmemory must not exceed maxmemoryPercent of the limit.
 */
export function redisSettings(input: RedisSizingInput): RedisSettings {
  const percent = input.maxmemoryPercent ?? DEFAULT_MAXMEMORY_PERCENT;
  checkRange('maxmemoryPercent', percent, MIN_MAXMEMORY_PERCENT, MAX_MAXMEMORY_PERCENT, '%');
  const samples = checkInteger('maxmemorySamples', input.maxmemorySamples ?? DEFAULT_MAXMEMORY_SAMPLES, 1, 64);
  const maxmemoryPolicy = checkPolicy(input.maxmemoryPolicy ?? 'allkeys-lru');
  const fraction = percent / 100;

  let limit: Memory;
  let maxmemory: Memory;
  if (input.limit !== undefined) {
    limit = input.limit;
    if (limit.isLessThan(MIN_REDIS_LIMIT)) {
      throw new InputError({ field: 'limit', value: limit, accepted: `a memory quantity of at least ${MIN_REDIS_LIMIT}`, reason: 'too small for redis to start' });
    }
    const ceiling = limit.times(fraction, 'floor');
    if (input.maxmemory === undefined) {
      maxmemory = ceiling.floorTo(MIB);
    } else {
      maxmemory = input.maxmemory;
      if (maxmemory.isGreaterThan(ceiling)) {
        throw new InputError({
          field: 'maxmemory',
          value: maxmemory,
          accepted: `at most ${ceiling} (${percent}% of limit ${limit}), or a higher limit, or maxmemoryPercent up to ${MAX_MAXMEMORY_PERCENT}`,
          reason: `is above ${percent}% of limit ${limit}`,
        });
      }
    }
  } else if (input.maxmemory !== undefined) {
    maxmemory = input.maxmemory;
    limit = maxmemory.times(1 / fraction, 'ceil').ceilTo(MIB);
    // 1/fraction is inexact in binary; make sure the derived limit really leaves the share it promises.
    while (limit.times(fraction, 'floor').isLessThan(maxmemory)) limit = limit.plus(MIB);
    limit = Memory.max(limit, MIN_REDIS_LIMIT);
  } else {
    throw new InputError({ field: 'limit', value: undefined, accepted: `a memory quantity of at least ${MIN_REDIS_LIMIT} (or a maxmemory to derive it from)` });
  }
  if (maxmemory.bytes < MIB.bytes) {
    throw new InputError({ field: 'maxmemory', value: maxmemory, accepted: 'at least 1Mi', reason: 'redis reads 0 as "no limit"' });
  }

  const warnings: string[] = [];
  if (maxmemoryPolicy.startsWith('volatile-')) {
    warnings.push(`maxmemory-policy ${maxmemoryPolicy} evicts only keys with a TTL; when no key has one, redis rejects writes once maxmemory is reached (like noeviction).`);
  }
  const disabledCommands: string[] = [];
  if (!(input.allowFlushAll ?? false)) disabledCommands.push('FLUSHALL');
  if (!(input.allowFlushDb ?? false)) disabledCommands.push('FLUSHDB');
  return {
    limit,
    request: limit,
    maxmemory,
    maxmemoryPolicy,
    maxmemorySamples: samples,
    save: '',
    appendonly: 'no',
    disabledCommands,
    warnings,
  };
}

function checkPolicy(policy: string): RedisMaxmemoryPolicy {
  if (policy === 'noeviction') {
    throw new InputError({
      field: 'maxmemoryPolicy',
      value: policy,
      accepted: `one of ${REDIS_CACHE_POLICIES.map((p) => JSON.stringify(p)).join(', ')}`,
      reason: 'a cache must evict; noeviction turns a full cache into write errors',
    });
  }
  return checkOneOf('maxmemoryPolicy', policy, REDIS_CACHE_POLICIES);
}

/** A size as redis.conf writes it: whole MiB as `<n>mb` (redis's `mb` is 1024*1024), anything else in bytes. */
export function redisConfSize(size: Memory): string {
  return size.bytes % MIB.bytes === 0 ? `${size.bytes / MIB.bytes}mb` : String(size.bytes);
}

/** The port redis listens on in the generated configuration. */
export const REDIS_PORT = 6379;
/**
 * redis's working directory in the pod (an emptyDir: nothing is written there while persistence is off). It is the
 * container's `workingDir` rather than a `dir` line, because redis changes into `dir` while parsing the file.
 */
export const REDIS_DATA_DIR = '/data';

/**
 * The `redis.conf` for a cache with these settings, exactly as the RedisCache ConfigMap holds it (and as
 * `memguard redis` prints it). The password is never part of it: it comes from a Secret at start-up.
 */
export function toRedisConf(settings: RedisSettings): string {
  const lines = [
    '# Generated by memguard: a redis LRU cache sized from its memory limit.',
    `# Container limit ${settings.limit} (request == limit). maxmemory leaves the`,
    '# rest for fragmentation, client buffers and the allocator.',
    `port ${REDIS_PORT}`,
    'bind * -::*',
    '# Access: the Service, NetworkPolicies, optional --requirepass from a Secret.',
    'protected-mode no',
    `maxmemory ${redisConfSize(settings.maxmemory)}`,
    `maxmemory-policy ${settings.maxmemoryPolicy}`,
    `maxmemory-samples ${settings.maxmemorySamples}`,
    '# A cache: no RDB snapshots (a fork can double memory), no AOF.',
    'save ""',
    `appendonly ${settings.appendonly}`,
    ...settings.disabledCommands.map((command) => `rename-command ${command} ""`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The settings as plain JSON values (what `memguard redis --format json` prints). */
export function redisSettingsJson(settings: RedisSettings): Record<string, unknown> {
  return {
    'limit': settings.limit.toString(),
    'request': settings.request.toString(),
    'limitBytes': settings.limit.bytes,
    'maxmemory': redisConfSize(settings.maxmemory),
    'maxmemoryBytes': settings.maxmemory.bytes,
    'maxmemory-policy': settings.maxmemoryPolicy,
    'maxmemory-samples': settings.maxmemorySamples,
    'save': settings.save,
    'appendonly': settings.appendonly,
    'disabledCommands': [...settings.disabledCommands],
    'warnings': [...settings.warnings],
  };
}
