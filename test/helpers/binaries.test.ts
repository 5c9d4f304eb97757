import * as fs from 'fs';
import * as path from 'path';
import { findBinary } from './binaries';
import { withTempDir } from './ports';

function executable(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
}

describe('findBinary', () => {
  test('GIVEN PostgreSQL 13 and 15 under the Debian root and an initdb on PATH WHEN initdb is looked up THEN the highest version wins', async () => {
    await withTempDir((dir) => {
      executable(path.join(dir, 'pg', '13', 'bin', 'initdb'));
      executable(path.join(dir, 'pg', '15', 'bin', 'initdb'));
      executable(path.join(dir, 'usr-bin', 'initdb'));
      expect(findBinary('initdb', { postgresRoot: path.join(dir, 'pg'), pathEnv: path.join(dir, 'usr-bin') }))
        .toBe(path.join(dir, 'pg', '15', 'bin', 'initdb'));
    });
  });

  test('GIVEN a binary on PATH only WHEN looked up THEN its absolute path is returned, skipping non-executables', async () => {
    await withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, 'a'));
      fs.writeFileSync(path.join(dir, 'a', 'promtool'), 'not executable', { mode: 0o644 });
      executable(path.join(dir, 'b', 'promtool'));
      const pathEnv = [path.join(dir, 'a'), path.join(dir, 'b')].join(path.delimiter);
      expect(findBinary('promtool', { pathEnv, postgresRoot: path.join(dir, 'none') })).toBe(path.join(dir, 'b', 'promtool'));
    });
  });

  test('GIVEN nothing installed WHEN postgres is looked up THEN the error names the Debian package', () => {
    expect(() => findBinary('postgres', { pathEnv: '/nonexistent', postgresRoot: '/nonexistent' })).toThrow(
      'postgres not found on PATH or in /usr/lib/postgresql/*/bin: install the Debian package "postgresql" '
      + '(apt-get install -y --no-install-recommends postgresql), or run scripts/ensure-test-tools.sh as root');
  });

  test('GIVEN nothing installed WHEN redis-server and an unknown tool are looked up THEN the errors say what to install', () => {
    expect(() => findBinary('redis-server', { pathEnv: '' })).toThrow(
      'redis-server not found on PATH: install the Debian package "redis-server" '
      + '(apt-get install -y --no-install-recommends redis-server), or run scripts/ensure-test-tools.sh as root');
    expect(() => findBinary('frobnicate', { pathEnv: '' })).toThrow('frobnicate not found on PATH: no Debian package is known for it');
  });

  test.each(['promtool', 'redis-server', 'postgres', 'initdb', 'pg_ctl', 'pgbench', 'pgbouncer', 'shellcheck', 'python3'])(
    'GIVEN this machine after ensure-test-tools.sh WHEN %s is looked up THEN an absolute executable path is returned',
    (name) => {
      const found = findBinary(name);
      expect(path.isAbsolute(found)).toBe(true);
      expect(() => fs.accessSync(found, fs.constants.X_OK)).not.toThrow();
    },
  );
});
