import { runCli } from '../../src/cli/program';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('memguard odoo', () => {
  test('GIVEN --ram 8GB --cpus 4 --users 50 WHEN run THEN odoo.conf with 9 workers and integer bytes', async () => {
    const { code, stdout } = await cli('odoo', '--ram', '8GB', '--cpus', '4', '--users', '50', '--db-host', 'pgbouncer');
    expect(code).toBe(0);
    expect(stdout).toContain('[options]\ndb_host = pgbouncer\nproxy_mode = True\nworkers = 9\nmax_cron_threads = 1\n'
      + 'limit_memory_soft = 827326464\nlimit_memory_hard = 1901068288\n');
  });

  test('GIVEN 8GiB, 8192MB and 8Gi WHEN run THEN the same output (binary GB as in PostgreSQL)', async () => {
    const outputs = await Promise.all(['8GiB', '8192MB', '8Gi'].map(async (ram) => (await cli('odoo', '--ram', ram, '--cpus', '4')).stdout));
    expect(new Set(outputs).size).toBe(1);
  });

  test('GIVEN --format json WHEN run THEN settings, the worst case and the bounds', async () => {
    const { stdout } = await cli('odoo', '--ram', '8Gi', '--cpus', '4', '--format', 'json');
    expect(JSON.parse(stdout)).toMatchObject({
      settings: { workers: 9, max_cron_threads: 1, limit_memory_soft: 827326464, db_maxconn: 16 },
      worstCaseConnections: 176,
      workerBounds: { cpu: 9, memory: 23, decidedBy: 'cpu' },
    });
  });

  test('GIVEN --users 0 WHEN run THEN exit 2 and the message names the flag', async () => {
    const { code, stderr } = await cli('odoo', '--ram', '8Gi', '--cpus', '4', '--users', '0');
    expect(code).toBe(2);
    expect(stderr).toBe('memguard: Invalid --users 0. Accepted: a whole number 1 or more.\n');
  });

  test('GIVEN --help WHEN run THEN it explains the GB convention', async () => {
    const { stdout } = await cli('odoo', '--help');
    expect(stdout.replace(/\s+/g, ' ')).toContain('GB/MB are binary as in PostgreSQL and PGTune: 1GB = 1024MB = 2^30 bytes');
  });
});

describe('memguard pgbouncer', () => {
  test('GIVEN --max-connections 100 --workers 9 WHEN run THEN the ini with pools that fit', async () => {
    const { code, stdout } = await cli('pgbouncer', '--max-connections', '100', '--workers', '9');
    expect(code).toBe(0);
    expect(stdout).toContain('odoo = host=postgres port=5432 dbname=odoo\n');
    expect(stdout).toContain('default_pool_size = 22\nreserve_pool_size = 5\nmax_db_connections = 27\nmax_client_conn = 186\n');
  });

  test('GIVEN --ram/--cpus instead of --workers WHEN run THEN Odoo is sized first', async () => {
    const { stdout } = await cli('pgbouncer', '--max-connections', '100', '--ram', '8GB', '--cpus', '4', '--format', 'json');
    expect(JSON.parse(stdout)).toMatchObject({ clientConnections: 176, serverConnections: 40 });
  });

  test('GIVEN neither --workers nor --ram WHEN run THEN exit 2', async () => {
    const { code, stderr } = await cli('pgbouncer', '--max-connections', '100');
    expect(code).toBe(2);
    expect(stderr).toBe('memguard: Invalid --workers undefined. Accepted: --workers <n>, or --ram and --cpus to compute it.\n');
  });

  test('GIVEN --max-connections 18 WHEN run THEN exit 2 naming the flag', async () => {
    const { code, stderr } = await cli('pgbouncer', '--max-connections', '18', '--workers', '9');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^memguard: Invalid --max-connections 18: 18 max_connections - 3 superuser_reserved_connections/);
  });
});

describe('memguard stack', () => {
  test('GIVEN --ram 8GiB --cpus 4 WHEN run THEN the split and the three files', async () => {
    const { code, stdout } = await cli('stack', '--ram', '8GiB', '--cpus', '4');
    expect(code).toBe(0);
    expect(stdout).toMatch(/# postgres {5}4064Mi x 1 {2}the rest/);
    expect(stdout).toMatch(/# pgbouncer {6}64Mi x 1/);
    expect(stdout).toMatch(/# odoo {9}4064Mi x 1/);
    expect(stdout).toContain('max_connections = 45\n');
    expect(stdout).toContain('default_pool_size = 22\n');
    expect(stdout).toContain('db_host = pgbouncer\ndb_port = 6432\n');
  });

  test('GIVEN --format json WHEN run THEN the split in Kubernetes quantities', async () => {
    const { stdout } = await cli('stack', '--ram', '8GiB', '--cpus', '4', '--format', 'json');
    expect(JSON.parse(stdout).split.map((s: { component: string; memory: string }) => [s.component, s.memory])).toEqual([
      ['postgres', '4064Mi'], ['pgbouncer', '64Mi'], ['odoo', '4064Mi'],
    ]);
  });

  test('GIVEN --odoo-percent 95 WHEN run THEN exit 2 naming the flag', async () => {
    const { code, stderr } = await cli('stack', '--ram', '8GiB', '--cpus', '4', '--odoo-percent', '95');
    expect(code).toBe(2);
    expect(stderr).toBe('memguard: Invalid --odoo-percent 95. Accepted: a whole number from 10 to 90.\n');
  });
});
