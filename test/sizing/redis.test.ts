import * as fc from 'fast-check';
import { Memory } from '../../src/sizing/quantity';
import { redisConfSize, redisSettings, redisSettingsJson, toRedisConf } from '../../src/sizing/redis';

const mi = (n: number) => Memory.mebibytes(n);

describe('redisSettings', () => {
  test('GIVEN a 1Gi limit WHEN sized THEN maxmemory is 768Mi (75%), request == limit, an evicting cache without persistence', () => {
    const s = redisSettings({ limit: Memory.parse('1Gi') });
    expect(s.limit.toString()).toBe('1Gi');
    expect(s.request.toString()).toBe('1Gi');
    expect(s.maxmemory.toString()).toBe('768Mi');
    expect(s.maxmemoryPolicy).toBe('allkeys-lru');
    expect(s.maxmemorySamples).toBe(10);
    expect(s.save).toBe('');
    expect(s.appendonly).toBe('no');
    expect(s.disabledCommands).toEqual(['FLUSHALL', 'FLUSHDB']);
    expect(s.warnings).toEqual([]);
  });

  test('GIVEN a limit that is not a whole MiB multiple WHEN sized THEN maxmemory rounds down to whole MiB', () => {
    expect(redisSettings({ limit: mi(1000) }).maxmemory.toString()).toBe('750Mi');
    expect(redisSettings({ limit: mi(100) }).maxmemory.toString()).toBe('75Mi');
    expect(redisSettings({ limit: mi(33) }).maxmemory.toString()).toBe('24Mi');
  });

  test('GIVEN maxmemory 1Gi alone WHEN sized THEN the limit is derived as 1366Mi (1Gi / 0.75 rounded up to whole MiB)', () => {
    const s = redisSettings({ maxmemory: Memory.parse('1Gi') });
    expect(s.limit.toString()).toBe('1366Mi');
    expect(s.request.toString()).toBe('1366Mi');
    expect(s.maxmemory.toString()).toBe('1Gi');
  });

  test('GIVEN maxmemory 1Gi at 80% WHEN sized THEN the limit is 1280Mi', () => {
    expect(redisSettings({ maxmemory: Memory.parse('1Gi'), maxmemoryPercent: 80 }).limit.toString()).toBe('1280Mi');
  });

  test('GIVEN a tiny maxmemory WHEN sized THEN the limit is raised to the 32Mi minimum', () => {
    expect(redisSettings({ maxmemory: mi(4) }).limit.toString()).toBe('32Mi');
  });

  test('GIVEN maxmemoryPercent 80 (the boundary) WHEN sized THEN it is accepted; 80.5 fails with the whole message', () => {
    expect(redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPercent: 80 }).maxmemory.toString()).toBe('819Mi');
    expect(() => redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPercent: 80.5 })).toThrow(
      'Invalid maxmemoryPercent 80.5. Accepted: a number from 10% to 80%.');
  });

  test('GIVEN maxmemoryPercent 10 (the lower boundary) WHEN sized THEN it is accepted; 9 fails', () => {
    expect(redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPercent: 10 }).maxmemory.toString()).toBe('102Mi');
    expect(() => redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPercent: 9 })).toThrow(
      'Invalid maxmemoryPercent 9. Accepted: a number from 10% to 80%.');
  });

  test('GIVEN a 32Mi limit (the boundary) WHEN sized THEN it is accepted; one byte less fails with the whole message', () => {
    expect(redisSettings({ limit: mi(32) }).maxmemory.toString()).toBe('24Mi');
    expect(() => redisSettings({ limit: Memory.bytes(32 * 2 ** 20 - 1) })).toThrow(
      'Invalid limit 33554431: too small for redis to start. Accepted: a memory quantity of at least 32Mi.');
  });

  test('GIVEN a limit and maxmemory at exactly 75% WHEN sized THEN both are kept; one byte more fails naming both', () => {
    const s = redisSettings({ limit: Memory.parse('1Gi'), maxmemory: mi(768) });
    expect(s.maxmemory.toString()).toBe('768Mi');
    expect(s.limit.toString()).toBe('1Gi');
    expect(() => redisSettings({ limit: Memory.parse('1Gi'), maxmemory: Memory.bytes(768 * 2 ** 20 + 1) })).toThrow(
      'Invalid maxmemory 805306369: is above 75% of limit 1Gi. Accepted: at most 768Mi (75% of limit 1Gi), or a higher limit, or maxmemoryPercent up to 80.');
  });

  test('GIVEN neither a limit nor maxmemory WHEN sized THEN it throws the whole message', () => {
    expect(() => redisSettings({})).toThrow(
      'Invalid limit undefined. Accepted: a memory quantity of at least 32Mi (or a maxmemory to derive it from).');
  });

  test('GIVEN noeviction WHEN sized THEN it is rejected for a cache with the reason', () => {
    expect(() => redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPolicy: 'noeviction' })).toThrow(
      'Invalid maxmemoryPolicy "noeviction": a cache must evict; noeviction turns a full cache into write errors. '
      + 'Accepted: one of "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl".');
  });

  test('GIVEN an unknown policy WHEN sized THEN it throws the whole message', () => {
    expect(() => redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPolicy: 'lru' })).toThrow(
      'Invalid maxmemoryPolicy "lru". Accepted: one of "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl".');
  });

  test('GIVEN allkeys-lfu WHEN sized THEN there is no warning; GIVEN volatile-lru THEN it warns about keys without a TTL', () => {
    expect(redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPolicy: 'allkeys-lfu' }).warnings).toEqual([]);
    expect(redisSettings({ limit: Memory.parse('1Gi'), maxmemoryPolicy: 'volatile-lru' }).warnings).toEqual([
      'maxmemory-policy volatile-lru evicts only keys with a TTL; when no key has one, redis rejects writes once maxmemory is reached (like noeviction).',
    ]);
  });

  test('GIVEN maxmemorySamples 64 (the boundary) WHEN sized THEN it is kept; 65 fails', () => {
    expect(redisSettings({ limit: Memory.parse('1Gi'), maxmemorySamples: 64 }).maxmemorySamples).toBe(64);
    expect(() => redisSettings({ limit: Memory.parse('1Gi'), maxmemorySamples: 65 })).toThrow(
      'Invalid maxmemorySamples 65. Accepted: a whole number from 1 to 64.');
  });

  test('GIVEN allowFlushAll WHEN sized THEN only FLUSHDB is disabled', () => {
    expect(redisSettings({ limit: Memory.parse('1Gi'), allowFlushAll: true }).disabledCommands).toEqual(['FLUSHDB']);
    expect(redisSettings({ limit: Memory.parse('1Gi'), allowFlushAll: true, allowFlushDb: true }).disabledCommands).toEqual([]);
  });

  test('PROPERTY: for any limit and percent, maxmemory < limit, maxmemory <= percent of the limit, request == limit', () => {
    fc.assert(fc.property(
      fc.integer({ min: 32 * 2 ** 20, max: 2 ** 40 }),
      fc.integer({ min: 10, max: 80 }),
      (bytes, percent) => {
        const s = redisSettings({ limit: Memory.bytes(bytes), maxmemoryPercent: percent });
        expect(s.maxmemory.isLessThan(s.limit)).toBe(true);
        expect(s.maxmemory.bytes).toBeLessThanOrEqual(bytes * percent / 100);
        expect(s.request.equals(s.limit)).toBe(true);
      },
    ));
  });

  test('PROPERTY: for any maxmemory, the derived limit keeps maxmemory within its share and is at most 1MiB above the minimum', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2 ** 20, max: 2 ** 40 }),
      fc.integer({ min: 10, max: 80 }),
      (bytes, percent) => {
        const s = redisSettings({ maxmemory: Memory.bytes(bytes), maxmemoryPercent: percent });
        expect(s.maxmemory.bytes).toBe(bytes);
        expect(s.maxmemory.bytes).toBeLessThanOrEqual(Math.floor(s.limit.bytes * percent / 100));
        expect(s.request.equals(s.limit)).toBe(true);
        expect(s.limit.bytes % 2 ** 20).toBe(0);
        if (s.limit.bytes > 32 * 2 ** 20) expect(s.limit.bytes - 2 ** 20).toBeLessThan(bytes * 100 / percent);
      },
    ));
  });
});

describe('toRedisConf', () => {
  test('GIVEN a 1Gi limit WHEN rendered THEN the redis.conf is exactly this text', () => {
    expect(toRedisConf(redisSettings({ limit: Memory.parse('1Gi') }))).toBe([
      '# Generated by memguard: a redis LRU cache sized from its memory limit.',
      '# Container limit 1Gi (request == limit). maxmemory leaves the',
      '# rest for fragmentation, client buffers and the allocator.',
      'port 6379',
      'bind * -::*',
      '# Access: the Service, NetworkPolicies, optional --requirepass from a Secret.',
      'protected-mode no',
      'maxmemory 768mb',
      'maxmemory-policy allkeys-lru',
      'maxmemory-samples 10',
      '# A cache: no RDB snapshots (a fork can double memory), no AOF.',
      'save ""',
      'appendonly no',
      'rename-command FLUSHALL ""',
      'rename-command FLUSHDB ""',
      '',
    ].join('\n'));
  });

  test('GIVEN allowFlushAll and allowFlushDb WHEN rendered THEN no rename-command line is written', () => {
    expect(toRedisConf(redisSettings({ limit: Memory.parse('1Gi'), allowFlushAll: true, allowFlushDb: true }))).not.toContain('rename-command');
  });

  test('GIVEN sizes WHEN written for redis THEN whole MiB use "mb" (1024*1024 in redis) and others plain bytes', () => {
    expect(redisConfSize(mi(768))).toBe('768mb');
    expect(redisConfSize(Memory.bytes(1_000_000))).toBe('1000000');
  });

  test('GIVEN settings WHEN turned into JSON THEN the values are plain', () => {
    expect(redisSettingsJson(redisSettings({ limit: Memory.parse('1Gi') }))).toEqual({
      'limit': '1Gi',
      'request': '1Gi',
      'limitBytes': 1073741824,
      'maxmemory': '768mb',
      'maxmemoryBytes': 805306368,
      'maxmemory-policy': 'allkeys-lru',
      'maxmemory-samples': 10,
      'save': '',
      'appendonly': 'no',
      'disabledCommands': ['FLUSHALL', 'FLUSHDB'],
      'warnings': [],
    });
  });
});
