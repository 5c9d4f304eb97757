import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { freePort, isListening, waitFor, withTempDir } from './ports';

describe('freePort', () => {
  test('GIVEN a port from freePort WHEN a server listens on it on 127.0.0.1 THEN it binds and accepts a connection', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = net.createServer((socket) => socket.end());
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      expect(await isListening(port)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await isListening(port)).toBe(false);
  });
});

describe('waitFor', () => {
  test('GIVEN a predicate that becomes true on the third call WHEN waited for THEN it resolves after three calls', async () => {
    let calls = 0;
    await waitFor(() => ++calls === 3, { timeoutMs: 5_000, intervalMs: 1 });
    expect(calls).toBe(3);
  });

  test('GIVEN a predicate that throws then resolves true WHEN waited for THEN the throw counts as not yet', async () => {
    let calls = 0;
    await waitFor(async () => {
      if (++calls < 2) throw new Error('connection refused');
      return true;
    }, { timeoutMs: 5_000, intervalMs: 1 });
    expect(calls).toBe(2);
  });

  test('GIVEN a predicate that never holds WHEN waited for THEN it rejects naming the condition and the last error', async () => {
    await expect(waitFor(() => {
      throw new Error('connection refused');
    }, { timeoutMs: 20, intervalMs: 5, description: 'redis-server on port 1 to accept connections' }))
      .rejects.toThrow('timed out after 20 ms waiting for redis-server on port 1 to accept connections; last error: connection refused');
    await expect(waitFor(() => false, { timeoutMs: 0 })).rejects.toThrow('timed out after 0 ms waiting for the condition');
  });
});

describe('withTempDir', () => {
  test('GIVEN a function that writes files WHEN it returns THEN its result is passed on and the directory is gone', async () => {
    let seen = '';
    const result = await withTempDir(async (dir) => {
      seen = dir;
      fs.mkdirSync(path.join(dir, 'data'));
      fs.writeFileSync(path.join(dir, 'data', 'x'), 'x');
      return 42;
    }, 'ports-test-');
    expect(result).toBe(42);
    expect(path.basename(seen)).toMatch(/^memguard-ports-test-/);
    expect(fs.existsSync(seen)).toBe(false);
  });

  test('GIVEN a function that throws WHEN it fails THEN the error propagates and the directory is removed anyway', async () => {
    let seen = '';
    await expect(withTempDir((dir) => {
      seen = dir;
      fs.writeFileSync(path.join(dir, 'x'), 'x');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(fs.existsSync(seen)).toBe(false);
  });
});
