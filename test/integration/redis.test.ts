/**
 * The generated redis.conf, scaled down to a 64 MiB maxmemory, on a real redis-server (Debian's `redis-server`): writing
 * three times maxmemory of keys evicts instead of failing, memory stays within maxmemory, and the most recently used keys
 * survive. The client speaks RESP over `net` itself (no npm package).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Memory } from '../../src/sizing/quantity';
import { redisSettings, toRedisConf } from '../../src/sizing/redis';
import { freePort } from '../helpers/ports';

type Reply = string | number | null | Reply[] | RedisError;
class RedisError { constructor(public readonly message: string) {} }

/** A minimal pipelining RESP2 client. */
class RespClient {
  public static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: '127.0.0.1', port }, () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  private buffer = Buffer.alloc(0);
  private readonly pending: Array<(reply: Reply) => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const parsed = parseReply(this.buffer, 0);
        if (!parsed) break;
        this.buffer = this.buffer.subarray(parsed.end);
        this.pending.shift()!(parsed.reply);
      }
    });
  }

  /** Sends all commands in one write and resolves with their replies, in order. */
  public pipeline(commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): Promise<Reply[]> {
    const replies = commands.map(() => new Promise<Reply>((resolve) => this.pending.push(resolve)));
    this.socket.write(Buffer.concat(commands.map(encode)));
    return Promise.all(replies);
  }

  public async call(...args: Array<string | Buffer>): Promise<Reply> {
    return (await this.pipeline([args]))[0];
  }

  public close(): void { this.socket.destroy(); }
}

function encode(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const data = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function parseReply(buf: Buffer, start: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[start]);
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+': return { reply: line, end: next };
    case '-': return { reply: new RedisError(line), end: next };
    case ':': return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { reply: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (!item) return undefined;
        items.push(item.reply);
        at = item.end;
      }
      return { reply: items, end: at };
    }
    default: throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

function redisServerBinary(): string {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0 || !which.stdout.trim()) {
    throw new Error('redis-server not found: install Debian\'s "redis-server" package (apt-get install -y --no-install-recommends redis-server).');
  }
  return which.stdout.trim();
}

function info(text: Reply, field: string): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(String(text));
  if (!match) throw new Error(`INFO has no ${field}`);
  return Number(match[1]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connectWhenReady(port: number, server: ChildProcess, log: () => string): Promise<RespClient> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}:\n${log()}`);
    try {
      const client = await RespClient.connect(port);
      if (await client.call('PING') === 'PONG') return client;
      client.close();
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`redis-server did not answer PING on port ${port}:\n${log()}`);
}

describe('the generated redis.conf on a real redis-server', () => {
  test('GIVEN a 64 MiB maxmemory cache WHEN 3x maxmemory of keys are written THEN redis evicts, stays within maxmemory, rejects no write and keeps the most recently used keys', async () => {
    // GIVEN the generated configuration for a 64 MiB maxmemory, with only bind, port, dir and daemonize overridden
    const binary = redisServerBinary();
    const settings = redisSettings({ maxmemory: Memory.mebibytes(64) });
    const conf = toRedisConf(settings);
    expect(conf).toContain('maxmemory 64mb\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-redis-'));
    const confPath = path.join(dir, 'redis.conf');
    fs.writeFileSync(confPath, conf);
    const port = await freePort();
    let output = '';
    const server = spawn(binary, [confPath, '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => { output += d; });
    server.stderr!.on('data', (d) => { output += d; });
    let client: RespClient | undefined;
    try {
      client = await connectWhenReady(port, server, () => output);
      expect(await client.call('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', String(settings.maxmemory.bytes)]);
      expect(await client.call('CONFIG', 'GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
      expect(await client.call('CONFIG', 'GET', 'save')).toEqual(['save', '']);
      expect(await client.call('FLUSHALL')).toEqual(new RedisError("ERR unknown command 'FLUSHALL', with args beginning with: "));

      // WHEN 2.75x maxmemory of 4 KiB values are written (old keys)...
      const value = Buffer.alloc(4096, 'x');
      const batch = 512;
      const writeKeys = async (prefix: string, count: number) => {
        for (let start = 0; start < count; start += batch) {
          const commands = [];
          for (let i = start; i < Math.min(count, start + batch); i++) commands.push(['SET', `${prefix}:${i}`, value]);
          const replies = await client!.pipeline(commands);
          const errors = replies.filter((r) => r !== 'OK');
          expect(errors).toEqual([]);
        }
      };
      const maxmemory = settings.maxmemory.bytes;
      const oldCount = Math.ceil((2.75 * maxmemory) / value.length);
      await writeKeys('old', oldCount);
      // Eviction can lag the last write by a little (it is time-boxed per command); wait until it has caught up, so that
      // reading keys below cannot itself trigger evictions.
      const usedMemory = async () => info(await client!.call('INFO', 'memory'), 'used_memory');
      for (let i = 0; i < 50 && await usedMemory() > maxmemory; i++) await sleep(100);
      // ...then, one LRU clock tick later (redis keeps idle time in whole seconds), 100 surviving old keys are read
      await sleep(1100);
      const candidates = Array.from({ length: Math.floor(oldCount / 7) }, (_, i) => `old:${oldCount - 1 - 7 * i}`);
      const survivors: string[] = [];
      for (let start = 0; start < candidates.length && survivors.length < 100; start += 50) {
        const keys = candidates.slice(start, start + 50);
        const reads = await client.pipeline(keys.map((key) => ['GET', key]));
        reads.forEach((r, i) => {
          if (r !== null && survivors.length < 100) {
            expect(r).toBe(value.toString());
            survivors.push(keys[i]);
          }
        });
      }
      expect(survivors).toHaveLength(100);
      // ...and another 0.25x maxmemory of new keys is written: 3x maxmemory in all
      const recentCount = Math.ceil((0.25 * maxmemory) / value.length);
      await writeKeys('recent', recentCount);
      expect((oldCount + recentCount) * value.length).toBeGreaterThanOrEqual(3 * maxmemory);

      // THEN memory stays within maxmemory (eviction may finish just after the last write), keys were evicted...
      let memoryInfo = await client.call('INFO', 'memory');
      for (let i = 0; i < 20 && info(memoryInfo, 'used_memory') > maxmemory; i++) {
        await sleep(100);
        memoryInfo = await client.call('INFO', 'memory');
      }
      expect(info(memoryInfo, 'used_memory')).toBeLessThanOrEqual(maxmemory);
      expect(info(memoryInfo, 'maxmemory')).toBe(maxmemory);
      const stats = await client.call('INFO', 'stats');
      expect(info(stats, 'evicted_keys')).toBeGreaterThan(0);
      // ...and the most recently used keys survived: the keys written last and the old keys read last. redis's LRU is an
      // approximation (it evicts the idlest of `maxmemory-samples` 10 sampled keys, idle time in whole seconds), so
      // allow 1% of them to go; untouched old keys, by contrast, mostly went.
      const recentKeys = Array.from({ length: recentCount }, (_, i) => `recent:${i}`);
      const recentExists = await client.pipeline(recentKeys.map((key) => ['EXISTS', key]));
      expect(recentExists.filter((r) => r === 1).length).toBeGreaterThanOrEqual(Math.floor(recentCount * 0.99));
      // The read survivors are idle one LRU tick longer than the recent keys, and once most untouched old keys are gone the
      // 10-key samples hold mostly survivors and recent keys, so a few survivors can go too (98 of 100 seen). What LRU
      // promises, and what is asserted, is the comparison: recently read keys survive far more often than untouched ones.
      const survivorsExist = await client.pipeline(survivors.map((key) => ['EXISTS', key]));
      const survivorRate = survivorsExist.filter((r) => r === 1).length / survivors.length;
      expect(survivorRate).toBeGreaterThanOrEqual(0.9);
      // while most of the old keys that nobody read again were evicted
      const oldExists = await client.pipeline(Array.from({ length: oldCount }, (_, i) => ['EXISTS', `old:${i}`]));
      const oldRate = oldExists.filter((r) => r === 1).length / oldCount;
      expect(oldRate).toBeLessThan(0.5);
      expect(survivorRate).toBeGreaterThan(oldRate * 1.8);
    } finally {
      client?.close();
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
