import { runCli } from '../../src/cli/program';
import { Memory } from '../../src/sizing/quantity';
import { redisSettings, toRedisConf } from '../../src/sizing/redis';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('memguard redis', () => {
  test('GIVEN --limit 1Gi WHEN run THEN it prints the redis.conf toRedisConf renders, exit 0', async () => {
    const result = await run(['redis', '--limit', '1Gi']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(toRedisConf(redisSettings({ limit: Memory.parse('1Gi') })));
    expect(result.stdout).toContain('maxmemory 768mb\nmaxmemory-policy allkeys-lru\nmaxmemory-samples 10\n');
    expect(result.stderr).toBe('');
  });

  test('GIVEN --maxmemory-percent 80 --policy allkeys-lfu --allow-flushall WHEN run THEN the conf reflects each', async () => {
    const result = await run(['redis', '--limit', '1Gi', '--maxmemory-percent', '80', '--policy', 'allkeys-lfu', '--allow-flushall']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('maxmemory 819mb\nmaxmemory-policy allkeys-lfu\n');
    expect(result.stdout).not.toContain('rename-command FLUSHALL');
    expect(result.stdout).toContain('rename-command FLUSHDB ""\n');
  });

  test('GIVEN --format json WHEN run THEN it prints the values', async () => {
    const result = await run(['redis', '--maxmemory', '1Gi', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ 'limit': '1366Mi', 'request': '1366Mi', 'maxmemory': '1024mb', 'maxmemory-policy': 'allkeys-lru' });
  });

  test('GIVEN a volatile policy WHEN run THEN the conf is printed and the warning goes to stderr', async () => {
    const result = await run(['redis', '--limit', '1Gi', '--policy', 'volatile-ttl']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('memguard: warning: maxmemory-policy volatile-ttl evicts only keys with a TTL; when no key has one, redis rejects writes once maxmemory is reached (like noeviction).\n');
  });

  test('GIVEN --maxmemory-percent 81 WHEN run THEN exit 2 with the whole message', async () => {
    const result = await run(['redis', '--limit', '1Gi', '--maxmemory-percent', '81']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('memguard: Invalid maxmemoryPercent 81. Accepted: a number from 10% to 80%.\n');
  });

  test('GIVEN --maxmemory-percent abc WHEN run THEN exit 2 with the whole message', async () => {
    const result = await run(['redis', '--limit', '1Gi', '--maxmemory-percent', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('memguard: Invalid maxmemoryPercent "abc". Accepted: a number.\n');
  });

  test('GIVEN --policy noeviction WHEN run THEN exit 2', async () => {
    const result = await run(['redis', '--limit', '1Gi', '--policy', 'noeviction']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^memguard: Invalid maxmemoryPolicy "noeviction": a cache must evict/);
  });

  test('GIVEN no --limit and no --maxmemory WHEN run THEN exit 2 naming the limit', async () => {
    const result = await run(['redis']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('memguard: Invalid limit undefined. Accepted: a memory quantity of at least 32Mi (or a maxmemory to derive it from).\n');
  });
});
