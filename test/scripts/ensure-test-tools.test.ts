import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { findBinary } from '../helpers/binaries';
import { withTempDir } from '../helpers/ports';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'ensure-test-tools.sh');

/** A PATH directory holding only the given real tools and a fake `id` that reports a non-root user. */
function restrictedBin(dir: string, tools: string[]): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const tool of tools) fs.symlinkSync(findBinary(tool), path.join(bin, tool));
  fs.writeFileSync(path.join(bin, 'id'), '#!/bin/sh\necho 1000\n', { mode: 0o755 });
  return bin;
}

describe('scripts/ensure-test-tools.sh', () => {
  test('GIVEN the script WHEN shellcheck reads it THEN it reports nothing', () => {
    const result = spawnSync(findBinary('shellcheck'), [SCRIPT], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('GIVEN every tool installed WHEN the script runs THEN it is silent and exits 0', () => {
    const result = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
    expect([result.status, result.stdout, result.stderr]).toEqual([0, '', '']);
  });

  test('GIVEN a non-root user without the tools WHEN the script runs THEN it exits 1 naming exactly the Debian packages', async () => {
    await withTempDir((dir) => {
      const bin = restrictedBin(dir, ['bash', 'sort', 'shellcheck']);
      const result = spawnSync(path.join(bin, 'bash'), [SCRIPT], {
        encoding: 'utf8',
        // PostgreSQL is found in /usr/lib/postgresql/*/bin whatever PATH says, so it is not named.
        env: { PATH: bin },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        'ensure-test-tools: missing Debian packages: pgbouncer prometheus python3 redis-server\n'
        + 'ensure-test-tools: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends '
        + 'pgbouncer prometheus python3 redis-server\n');
    });
  });
});
