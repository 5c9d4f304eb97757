import { runCli } from '../../src/cli/program';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('memguard postgres', () => {
  test('GIVEN --profile pgtune THEN it prints PGTune\'s postgresql.conf text', async () => {
    const { code, stdout, stderr } = await run(['postgres', '--ram', '8GB', '--cpus', '4', '--profile', 'pgtune', '--pg-version', '16',
      '--db-type', 'oltp', '--storage', 'hdd', '--connections', '300']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.split('\n').slice(0, 14)).toEqual([
      '# WARNING', '# wal_compression = lz4 requires PostgreSQL', '# to be compiled with --with-lz4', '',
      '# DB Version: 16', '# OS Type: linux', '# DB Type: oltp', '# Total Memory (RAM): 8 GB', '# CPUs num: 4',
      '# Connections num: 300', '# Data Storage: hdd', '', 'max_connections = 300', 'shared_buffers = 2GB',
    ]);
    expect(stdout).toContain('\nwork_mem = 6898kB\n');
  });

  test('GIVEN --format json and the default container profile THEN it prints settings in output order and warnings', async () => {
    const { code, stdout } = await run(['postgres', '--ram', '2Gi', '--cpus', '2', '--format', 'json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { settings: Record<string, string>; warnings: string[] };
    expect(Object.keys(json.settings).slice(0, 3)).toEqual(['max_connections', 'shared_buffers', 'effective_cache_size']);
    expect([json.settings.max_connections, json.settings.shared_buffers, json.settings.work_mem]).toEqual(['48', '512MB', '4224kB']);
    expect(json.warnings).toEqual([]);
  });

  test('GIVEN 8GB, 8GiB, 8192MB and 8Gi THEN they are the same size, and 8G is decimal', async () => {
    const outputs = await Promise.all(['8GB', '8GiB', '8192MB', '8Gi'].map((ram) => run(['postgres', '--ram', ram, '--cpus', '4', '--format', 'json'])));
    expect(new Set(outputs.map((o) => o.stdout)).size).toBe(1);
    const decimal = JSON.parse((await run(['postgres', '--ram', '8G', '--cpus', '4', '--format', 'json'])).stdout) as { settings: Record<string, string> };
    expect(decimal.settings.shared_buffers).toBe('1907MB');
  });

  test('GIVEN --help THEN it explains GB/MB versus Kubernetes quantities', async () => {
    const { stdout } = await run(['postgres', '--help']);
    const text = stdout.replace(/\s+/g, ' ');
    expect(text).toContain('GB/MB are binary as in PostgreSQL and PGTune: 1GB = 1024MB = 2^30 bytes');
    expect(text).toContain('8Gi (binary) or 8G (decimal, 8 * 10^9 bytes)');
  });

  test.each([
    [['--ram', '100Mi', '--cpus', '1'], 'memguard: Invalid --ram 100Mi: too little memory for PostgreSQL. Accepted: at least 256Mi.\n'],
    [['--ram', '1Gi', '--cpus', '0'], 'memguard: Invalid --cpus 0. Accepted: a whole number from 1 to 999999.\n'],
    [['--ram', '1Gi', '--cpus', '1', '--db-type', 'olap'], 'memguard: Invalid --db-type "olap". Accepted: one of "web", "oltp", "dw", "desktop", "mixed".\n'],
    [['--ram', '1Gi', '--cpus', '1', '--pg-version', '12'], 'memguard: Invalid --pg-version 12. Accepted: one of 13, 14, 15, 16, 17, 18.\n'],
    [['--ram', '1Gi', '--cpus', '1', '--connections', '0'], 'memguard: Invalid --connections 0. Accepted: a whole number from 1 to 262143.\n'],
  ])('GIVEN %j THEN exit code 2 and the message names the flag', async (args, message) => {
    const { code, stdout, stderr } = await run(['postgres', ...args]);
    expect([code, stdout, stderr]).toEqual([2, '', message]);
  });
});
