import fc from 'fast-check';
import { InputError } from '../../src/sizing/errors';
import { PostgresInput, postgresSettings, toJson, toPostgresqlConf } from '../../src/sizing/postgres';
import { Memory } from '../../src/sizing/quantity';

/** PGTune's input, as memguard spells it; ram in PGTune's binary GB/MB. */
function pgtune(ram: string, cpus: number, rest: Partial<PostgresInput> = {}): Record<string, string> {
  return toJson(postgresSettings({ ram: Memory.parse(ram, 'ram', 'ram'), cpus, profile: 'pgtune', ...rest })).settings;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const PARALLEL = ['max_worker_processes', 'max_parallel_workers_per_gather', 'max_parallel_workers', 'max_parallel_maintenance_workers'];

describe('postgresSettings, profile pgtune (PGTune parity, values derived by hand from configurationSlice.js)', () => {
  // Group 1: web, ssd, linux, PG16, 4GB, connections unset (200). mem = 4194304 kB.
  // shared_buffers = mem/4 = 1048576 -> 1GB; effective_cache_size = 3mem/4 = 3145728 -> 3GB;
  // maintenance_work_mem = mem/16 = 262144 -> 256MB; wal_buffers = floor(3*1048576/100) = 31457 -> capped 16MB.
  // work_mem = (mem - sb) / ((200 + W) * 3) with W = cpus when cpus >= 4, else 8:
  //   W=8: 3145728/624 = 5041.2 -> 5041kB; W=4: 3145728/612 = 5140.1 -> 5140kB; W=16: 3145728/648 = 4854.5 -> 4854kB.
  // Parallel lines only from 4 CPUs: per_gather = min(ceil(cpus/2), 4), maintenance = min(ceil(cpus/2), 4).
  describe.each([
    [1, '5041kB', undefined],
    [2, '5041kB', undefined],
    [3, '5041kB', undefined],
    [4, '5140kB', ['4', '2', '4', '2']],
    [5, '5115kB', ['5', '3', '5', '3']], // 3145728/615 = 5115.005 -> 5115kB
    [8, '5041kB', ['8', '4', '8', '4']],
    [12, '4946kB', ['12', '4', '12', '4']], // 3145728/636 = 4946.1
    [16, '4854kB', ['16', '4', '16', '4']],
  ])('GIVEN web 4GB with %d CPUs', (cpus, workMem, parallel) => {
    const s = pgtune('4GB', cpus, { pgVersion: 16 });
    test('THEN memory values follow RAM and work_mem divides by connections + workers', () => {
      expect(s.max_connections).toBe('200');
      expect(s.shared_buffers).toBe('1GB');
      expect(s.effective_cache_size).toBe('3GB');
      expect(s.maintenance_work_mem).toBe('256MB');
      expect(s.wal_buffers).toBe('16MB');
      expect(s.work_mem).toBe(workMem);
      expect(s.huge_pages).toBe('off');
    });
    test('THEN parallel settings appear from 4 CPUs only', () => {
      if (parallel === undefined) {
        for (const key of PARALLEL) expect(s[key]).toBeUndefined();
      } else {
        expect(PARALLEL.map((key) => s[key])).toEqual(parallel);
      }
      // autovacuum_max_workers: 4 from 16 CPUs, else not printed.
      expect(s.autovacuum_max_workers).toBe(cpus >= 16 ? '4' : undefined);
    });
  });

  // Group 2: PG17, 8GB, 4 CPUs, ssd. mem = 8388608, W = 4.
  // web: sb 2097152 -> 2GB (>= 2GB: huge_pages try), work_mem 6291456/612 = 10280.2 -> 10280kB.
  // oltp: 300 conn, 6291456/912 = 6898.5 -> 6898kB; WAL 2GB/8GB.
  // dw: 40 conn, floor(6291456/132/2) = floor(23831.3) -> 23831kB; maintenance mem/8 = 1GB; statistics 500;
  //     random_page_cost 4 (dw on ssd) plus the cost warning; no jit; WAL 4GB/16GB.
  // desktop: sb mem/16 = 524288 -> 512MB (huge off); ecs mem/4 = 2GB; wal_buffers 15728 is in (14MB, 16MB) -> 16MB;
  //     work_mem floor(7864320/72/6) = floor(18204.4) -> 18204kB; wal_level minimal, max_wal_senders 0.
  // mixed: 100 conn, floor(6291456/312/2) = floor(10082.5) -> 10082kB.
  test.each([
    ['web', { max_connections: '200', shared_buffers: '2GB', effective_cache_size: '6GB', maintenance_work_mem: '512MB', work_mem: '10280kB', huge_pages: 'try', jit: 'off', min_wal_size: '1GB', max_wal_size: '4GB', random_page_cost: '1.1' }],
    ['oltp', { max_connections: '300', work_mem: '6898kB', min_wal_size: '2GB', max_wal_size: '8GB', jit: 'off' }],
    ['dw', { max_connections: '40', maintenance_work_mem: '1GB', work_mem: '23831kB', default_statistics_target: '500', random_page_cost: '4', jit: undefined, min_wal_size: '4GB', max_wal_size: '16GB', max_parallel_workers_per_gather: '2' }],
    ['desktop', { max_connections: '20', shared_buffers: '512MB', effective_cache_size: '2GB', wal_buffers: '16MB', work_mem: '18204kB', huge_pages: 'off', jit: undefined, min_wal_size: '100MB', max_wal_size: '2GB', wal_level: 'minimal', max_wal_senders: '0' }],
    ['mixed', { max_connections: '100', work_mem: '10082kB', jit: 'off', wal_level: undefined }],
  ] as const)('GIVEN db type %s on 8GB, 4 CPUs, PG17 THEN the type-specific values match PGTune', (dbType, expected) => {
    const s = pgtune('8GB', 4, { pgVersion: 17, dbType });
    for (const [key, value] of Object.entries(expected)) expect([key, s[key]]).toEqual([key, value]);
  });

  // Group 3: versions at 2GB web 2 CPUs ssd. mem 2097152: sb 512MB, ecs 1536MB, maintenance 128MB,
  // wal_buffers 15728 -> 16MB, work_mem 1572864/624 = 2520 -> raised to the 4MB floor.
  // wal_compression: on for 13/14, lz4 from 15; io_method io_uring on 18 (linux); jit off for web (>= 12).
  test.each([
    [13, 'on', undefined],
    [14, 'on', undefined],
    [15, 'lz4', undefined],
    [16, 'lz4', undefined],
    [17, 'lz4', undefined],
    [18, 'lz4', 'io_uring'],
  ])('GIVEN PG%d on 2GB THEN wal_compression is %s and io_method %s', (pgVersion, walCompression, ioMethod) => {
    const s = pgtune('2GB', 2, { pgVersion });
    expect([s.shared_buffers, s.effective_cache_size, s.maintenance_work_mem, s.wal_buffers, s.work_mem])
      .toEqual(['512MB', '1536MB', '128MB', '16MB', '4MB']);
    expect(s.wal_compression).toBe(walCompression);
    expect(s.io_method).toBe(ioMethod);
    expect(s.io_workers).toBeUndefined();
    expect(s.jit).toBe('off');
  });

  // Group 4: storage at PG16 web 16GB 8 CPUs. random_page_cost hdd 4 else 1.1; effective_io_concurrency
  // hdd 2, ssd 200, san 300, nvme 1000. work_mem 12582912/624 = 20164.9 -> 20164kB; sb 4GB -> huge_pages try.
  test.each([
    ['hdd', '4', '2'],
    ['ssd', '1.1', '200'],
    ['san', '1.1', '300'],
    ['nvme', '1.1', '1000'],
  ] as const)('GIVEN %s storage THEN random_page_cost %s and effective_io_concurrency %s', (storage, rpc, eio) => {
    const s = pgtune('16GB', 8, { pgVersion: 16, storage });
    expect([s.random_page_cost, s.effective_io_concurrency, s.work_mem, s.huge_pages]).toEqual([rpc, eio, '20164kB', 'try']);
  });

  // Group 5: explicit connections. web 4GB 2 CPUs (W = 8): 20 -> 3145728/84 = 37449.1 -> 37449kB;
  // 50 -> 3145728/174 = 18078.9 -> 18078kB; 9999 at 4 CPUs -> 102.8 -> 4MB floor.
  test.each([
    [20, 2, '37449kB'],
    [50, 2, '18078kB'],
    [9999, 4, '4MB'],
  ])('GIVEN %d connections and %d CPUs on 4GB THEN work_mem is %s', (maxConnections, cpus, workMem) => {
    const s = pgtune('4GB', cpus, { pgVersion: 16, maxConnections });
    expect([s.max_connections, s.work_mem]).toEqual([String(maxConnections), workMem]);
  });
  test('GIVEN oltp 8GB 4 CPUs hdd 300 connections PG16 THEN work_mem 6898kB, huge_pages try, io concurrency 2', () => {
    const s = pgtune('8GB', 4, { pgVersion: 16, dbType: 'oltp', storage: 'hdd', maxConnections: 300 });
    expect([s.work_mem, s.huge_pages, s.effective_io_concurrency, s.random_page_cost]).toEqual(['6898kB', 'try', '2', '4']);
  });

  // Group 6: formatting and caps.
  test('GIVEN 1000MB THEN values print in MB only when exact, else kB', () => {
    // mem 1024000: sb 256000 = 250MB exactly; ecs 768000 = 750MB; maintenance 64000 (62.5MB) -> 64000kB;
    // wal_buffers floor(3*256000/100) = 7680 (7.5MB) -> 7680kB.
    const s = pgtune('1000MB', 1, { pgVersion: 16 });
    expect([s.shared_buffers, s.effective_cache_size, s.maintenance_work_mem, s.wal_buffers])
      .toEqual(['250MB', '750MB', '64000kB', '7680kB']);
  });
  test('GIVEN 512MB (PGTune\'s minimum) THEN wal_buffers is 3932kB', () => {
    // mem 524288: sb 131072 -> 128MB; ecs 393216 -> 384MB; maintenance 32768 -> 32MB; wal floor(3932.16) -> 3932kB.
    const s = pgtune('512MB', 1, { pgVersion: 16 });
    expect([s.shared_buffers, s.effective_cache_size, s.maintenance_work_mem, s.wal_buffers, s.work_mem])
      .toEqual(['128MB', '384MB', '32MB', '3932kB', '4MB']);
  });
  test('GIVEN desktop 3GB THEN shared_buffers 192MB, wal_buffers 5898kB, work_mem 5851kB', () => {
    // mem 3145728: sb/16 = 196608 -> 192MB; ecs/4 = 786432 -> 768MB; wal floor(5898.24); work_mem floor(2949120/84/6) = 5851.
    const s = pgtune('3GB', 2, { pgVersion: 16, dbType: 'desktop' });
    expect([s.shared_buffers, s.effective_cache_size, s.wal_buffers, s.work_mem]).toEqual(['192MB', '768MB', '5898kB', '5851kB']);
  });
  test('GIVEN mixed 1500MB THEN shared_buffers 375MB and maintenance_work_mem 96000kB', () => {
    // mem 1536000: sb 384000 = 375MB; ecs 1152000 = 1125MB; maintenance 96000 (93.75MB) -> kB; wal 11520 (11.25MB) -> kB.
    const s = pgtune('1500MB', 1, { pgVersion: 16, dbType: 'mixed' });
    expect([s.shared_buffers, s.effective_cache_size, s.maintenance_work_mem, s.wal_buffers])
      .toEqual(['375MB', '1125MB', '96000kB', '11520kB']);
  });
  test('GIVEN web 32GB THEN maintenance_work_mem reaches 2GB and autovacuum_work_mem is printed as 2GB', () => {
    const s = pgtune('32GB', 4, { pgVersion: 16 });
    expect([s.shared_buffers, s.maintenance_work_mem, s.autovacuum_work_mem, s.huge_pages]).toEqual(['8GB', '2GB', '2GB', 'try']);
  });
  test('GIVEN web 128GB THEN maintenance_work_mem is capped at exactly 8GB', () => {
    const s = pgtune('128GB', 8, { pgVersion: 16 });
    expect([s.maintenance_work_mem, s.autovacuum_work_mem]).toEqual(['8GB', '2GB']);
  });
  test('GIVEN dw 256GB 32 CPUs THEN per-gather workers are uncapped (16) and autovacuum_max_workers is 5', () => {
    const s = pgtune('256GB', 32, { pgVersion: 17, dbType: 'dw', storage: 'hdd' });
    expect(PARALLEL.map((k) => s[k])).toEqual(['32', '16', '32', '4']);
    expect([s.autovacuum_max_workers, s.maintenance_work_mem, s.random_page_cost]).toEqual(['5', '8GB', '4']);
  });
  test('GIVEN windows PG16 64GB 8 CPUs THEN maintenance_work_mem is 2047MB, no autovacuum_work_mem, no io concurrency', () => {
    // mem/16 = 4194304 >= 2GB windows cap -> 2GB - 1MB = 2096128 -> 2047MB; work_mem 50331648/624 = 80659.7.
    const s = pgtune('64GB', 8, { pgVersion: 16, os: 'windows' });
    expect([s.maintenance_work_mem, s.autovacuum_work_mem, s.effective_io_concurrency, s.work_mem, s.huge_pages])
      .toEqual(['2047MB', undefined, undefined, '80659kB', 'try']);
  });
  test('GIVEN windows PG18 64GB THEN maintenance_work_mem 4GB, io_method worker, io_workers only from 16 CPUs', () => {
    const s8 = pgtune('64GB', 8, { pgVersion: 18, os: 'windows' });
    expect([s8.maintenance_work_mem, s8.autovacuum_work_mem, s8.io_method, s8.io_workers]).toEqual(['4GB', '2GB', 'worker', undefined]);
    // 16 CPUs: floor(16/4) = 4 > 3 -> io_workers 4.
    expect(pgtune('64GB', 16, { pgVersion: 18, os: 'windows' }).io_workers).toBe('4');
    // linux uses io_uring, where io_workers does not apply.
    expect(pgtune('64GB', 16, { pgVersion: 18 }).io_workers).toBeUndefined();
  });
  test('GIVEN mac 16GB THEN huge_pages is off and effective_io_concurrency is left out', () => {
    const s = pgtune('16GB', 4, { pgVersion: 16, os: 'mac' });
    expect([s.huge_pages, s.effective_io_concurrency, s.shared_buffers]).toEqual(['off', undefined, '4GB']);
  });

  // Group 7: database size vs RAM. web 8GB 4 CPUs PG17: base work_mem 10280kB.
  test.each([
    ['less_ram', '13364kB', '1.1'], // floor(10280 * 1.3)
    ['mid_ram', '10280kB', '1.1'],
    ['greater_ram', '9252kB', '1.1'], // floor(10280 * 0.9)
  ] as const)('GIVEN db size %s THEN work_mem %s', (dbSize, workMem, rpc) => {
    const s = pgtune('8GB', 4, { pgVersion: 17, dbSize });
    expect([s.work_mem, s.random_page_cost]).toEqual([workMem, rpc]);
  });
  test('GIVEN dw on hdd with less_ram THEN random_page_cost is 1.1 (less_ram wins)', () => {
    expect(pgtune('8GB', 4, { pgVersion: 17, dbType: 'dw', storage: 'hdd', dbSize: 'less_ram' }).random_page_cost).toBe('1.1');
  });

  describe('the whole text, as PGTune\'s "Copy configuration" gives it', () => {
    test('GIVEN PG15 web 1GB 1 CPU ssd THEN the file matches PGTune line for line', () => {
      const text = toPostgresqlConf(postgresSettings({ ram: Memory.parse('1GB', 'ram', 'ram'), cpus: 1, pgVersion: 15, profile: 'pgtune' }));
      expect(text).toBe([
        '# WARNING',
        '# wal_compression = lz4 requires PostgreSQL',
        '# to be compiled with --with-lz4',
        '',
        '# DB Version: 15',
        '# OS Type: linux',
        '# DB Type: web',
        '# Total Memory (RAM): 1 GB',
        '# CPUs num: 1',
        '# Data Storage: ssd',
        '',
        'max_connections = 200',
        'shared_buffers = 256MB',
        'effective_cache_size = 768MB',
        'maintenance_work_mem = 64MB',
        'checkpoint_completion_target = 0.9',
        'wal_buffers = 7864kB',
        'default_statistics_target = 100',
        'random_page_cost = 1.1',
        'effective_io_concurrency = 200',
        'work_mem = 4MB',
        'huge_pages = off',
        'jit = off',
        'wal_compression = lz4',
        'min_wal_size = 1GB',
        'max_wal_size = 4GB',
        '',
      ].join('\n'));
    });
    test('GIVEN PG18 dw 128GB 16 CPUs nvme THEN every warning group is printed, separated by "# "', () => {
      const result = postgresSettings({ ram: Memory.parse('128GB', 'ram', 'ram'), cpus: 16, pgVersion: 18, dbType: 'dw', storage: 'nvme', profile: 'pgtune' });
      expect(toPostgresqlConf(result).split('\n').slice(0, 20)).toEqual([
        '# WARNING',
        '# this tool not being optimal',
        '# for very high memory systems',
        '# ',
        '# wal_compression = lz4 requires PostgreSQL',
        '# to be compiled with --with-lz4',
        '# ',
        '# io_method = io_uring requires PostgreSQL',
        '# to be compiled with --with-liburing',
        '# ',
        '# Cost parameters for Data Warehouses on NVMe drives are left at defaults',
        '# to avoid catastrophic index scan selections',
        '# Monitor query planner behavior and adjust random_page_cost if necessary',
        '',
        '# DB Version: 18',
        '# OS Type: linux',
        '# DB Type: dw',
        '# Total Memory (RAM): 128 GB',
        '# CPUs num: 16',
        '# Data Storage: nvme',
      ]);
      expect(result.warnings).toEqual([
        'this tool not being optimal for very high memory systems',
        'wal_compression = lz4 requires PostgreSQL to be compiled with --with-lz4',
        'io_method = io_uring requires PostgreSQL to be compiled with --with-liburing',
        'Cost parameters for Data Warehouses on NVMe drives are left at defaults to avoid catastrophic index scan selections '
          + 'Monitor query planner behavior and adjust random_page_cost if necessary',
      ]);
      // Key order: PGTune's fixed order, parallel settings after the WAL sizes.
      expect(result.settings.map((s) => s.name)).toEqual([
        'max_connections', 'shared_buffers', 'effective_cache_size', 'maintenance_work_mem', 'checkpoint_completion_target',
        'wal_buffers', 'default_statistics_target', 'random_page_cost', 'effective_io_concurrency', 'work_mem', 'huge_pages',
        'wal_compression', 'autovacuum_max_workers', 'autovacuum_work_mem', 'io_method', 'min_wal_size', 'max_wal_size',
        ...PARALLEL,
      ]);
      // 128GB dw: work_mem floor((134217728 - 33554432) / ((40 + 16) * 3) / 2) = floor(299593.1) -> 299593kB.
      expect(toJson(result).settings.work_mem).toBe('299593kB');
    });
    test('GIVEN PG14 web 4GB 4 CPUs 100 connections THEN there is no warning block and the header names the connections', () => {
      const text = toPostgresqlConf(postgresSettings({ ram: Memory.parse('4GB', 'ram', 'ram'), cpus: 4, pgVersion: 14, maxConnections: 100, profile: 'pgtune' }));
      expect(text.split('\n').slice(0, 9)).toEqual([
        '# DB Version: 14', '# OS Type: linux', '# DB Type: web', '# Total Memory (RAM): 4 GB', '# CPUs num: 4',
        '# Connections num: 100', '# Data Storage: ssd', '', 'max_connections = 100',
      ]);
    });
  });

  describe('input limits', () => {
    test('GIVEN 511MB THEN PGTune\'s 512MB minimum rejects it', () => {
      expect(errorOf(() => pgtune('511MB', 1)).message)
        .toBe('Invalid ram 511Mi. Accepted: a whole number of MB, at least 512MB (PGTune\'s form limits).');
    });
    test('GIVEN 19 connections THEN PGTune\'s minimum of 20 rejects it, and 20 passes', () => {
      expect(errorOf(() => pgtune('4GB', 1, { maxConnections: 19 })).message)
        .toBe('Invalid maxConnections 19. Accepted: a whole number from 20 to 999999.');
      expect(pgtune('4GB', 1, { maxConnections: 20 }).max_connections).toBe('20');
    });
    test('GIVEN a hugepages request THEN profile pgtune rejects it', () => {
      expect(errorOf(() => pgtune('4GB', 1, { hugePages: Memory.parse('1Gi') })).message)
        .toBe('Invalid hugePages 1Gi. Accepted: only with profile "container".');
    });
  });
});

describe('postgresSettings, bad input (any profile)', () => {
  const ram = Memory.parse('1Gi');
  test.each([
    [{ ram: Memory.parse('255Mi'), cpus: 1 }, 'Invalid ram 255Mi: too little memory for PostgreSQL. Accepted: at least 256Mi.'],
    [{ ram, cpus: 0 }, 'Invalid cpus 0. Accepted: a whole number from 1 to 999999.'],
    [{ ram, cpus: -2 }, 'Invalid cpus -2. Accepted: a whole number from 1 to 999999.'],
    [{ ram, cpus: 1.5 }, 'Invalid cpus 1.5. Accepted: a whole number from 1 to 999999.'],
    [{ ram, cpus: 1, pgVersion: 12 }, 'Invalid pgVersion 12. Accepted: one of 13, 14, 15, 16, 17, 18.'],
    [{ ram, cpus: 1, pgVersion: 19 }, 'Invalid pgVersion 19. Accepted: one of 13, 14, 15, 16, 17, 18.'],
    [{ ram, cpus: 1, dbType: 'olap' }, 'Invalid dbType "olap". Accepted: one of "web", "oltp", "dw", "desktop", "mixed".'],
    [{ ram, cpus: 1, storage: 'tape' }, 'Invalid storage "tape". Accepted: one of "ssd", "hdd", "san", "nvme".'],
    [{ ram, cpus: 1, os: 'bsd' }, 'Invalid os "bsd". Accepted: one of "linux", "windows", "mac".'],
    [{ ram, cpus: 1, profile: 'fast' }, 'Invalid profile "fast". Accepted: one of "pgtune", "container".'],
    [{ ram, cpus: 1, maxConnections: 0 }, 'Invalid maxConnections 0. Accepted: a whole number from 1 to 262143.'],
    [{ ram, cpus: 1, hugePages: Memory.parse('3Mi') }, 'Invalid hugePages 3Mi. Accepted: a whole number of 2Mi pages, at least 32Mi.'],
    [{ ram, cpus: 1, maxConnections: 500 }, 'Invalid maxConnections 500: the worst case would not fit the memory limit. Accepted: at most 53 within a 1Gi limit.'],
  ])('GIVEN %o THEN the whole message names the field, the value and what is accepted', (input, message) => {
    expect(errorOf(() => postgresSettings(input as PostgresInput)).message).toBe(message);
  });
  test('GIVEN exactly 256Mi and 1 CPU THEN the container profile fits', () => {
    const result = postgresSettings({ ram: Memory.parse('256Mi'), cpus: 1 });
    expect(result.budget?.fits).toBe(true);
    expect(result.maxConnections).toBe(10);
  });
  test('GIVEN at most 53 connections in 1Gi THEN 53 passes (the boundary, work_mem 64kB) and 54 is rejected', () => {
    const result = postgresSettings({ ram: Memory.parse('1Gi'), cpus: 1, maxConnections: 53 });
    expect(result.budget?.fits).toBe(true);
    expect(toJson(result).settings.work_mem).toBe('64kB');
    expect(result.warnings).toEqual(['work_mem is 64kB, below 4MB: sorts and hashes will spill to disk; lower max_connections or raise the memory limit']);
    expect(errorOf(() => postgresSettings({ ram: Memory.parse('1Gi'), cpus: 1, maxConnections: 54 })).message)
      .toBe('Invalid maxConnections 54: the worst case would not fit the memory limit. Accepted: at most 53 within a 1Gi limit.');
  });
});

describe('postgresSettings, profile container', () => {
  test('GIVEN a 2Gi limit and 2 CPUs (web, PG16) THEN the worst case fits with 48 connections', () => {
    const result = postgresSettings({ ram: Memory.parse('2Gi'), cpus: 2 });
    expect(result.profile).toBe('container');
    expect(toJson(result)).toEqual({
      settings: {
        max_connections: '48',
        shared_buffers: '512MB',
        effective_cache_size: '1252MB',
        maintenance_work_mem: '128MB',
        checkpoint_completion_target: '0.9',
        wal_buffers: '16MB',
        default_statistics_target: '100',
        random_page_cost: '1.1',
        effective_io_concurrency: '200',
        work_mem: '4224kB',
        hash_mem_multiplier: '2',
        huge_pages: 'off',
        jit: 'off',
        wal_compression: 'lz4',
        autovacuum_max_workers: '3',
        autovacuum_work_mem: '32MB',
        min_wal_size: '1GB',
        max_wal_size: '4GB',
        max_worker_processes: '8',
        max_parallel_workers_per_gather: '1',
        max_parallel_workers: '2',
        max_parallel_maintenance_workers: '1',
        idle_in_transaction_session_timeout: '10min',
        idle_session_timeout: '30min',
      },
      warnings: [],
    });
    const b = result.budget!;
    expect(b.total.bytes).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(b.backends.bytes).toBe(50 * 10 * 2 ** 20);
    expect(b.queryMemory.bytes).toBe(50 * 4224 * 1024 * 3);
  });
  test('GIVEN a 512Mi limit and 1 CPU THEN shared_buffers is 64MB, 14 connections and no parallel workers', () => {
    const s = toJson(postgresSettings({ ram: Memory.parse('512Mi'), cpus: 1 })).settings;
    expect([s.max_connections, s.shared_buffers, s.wal_buffers, s.work_mem, s.max_parallel_workers, s.effective_cache_size])
      .toEqual(['14', '64MB', '2MB', '4352kB', '0', '270MB']);
  });
  test('GIVEN an 8Gi limit and 4 CPUs THEN web keeps its 200 connections at 4416kB work_mem', () => {
    const s = toJson(postgresSettings({ ram: Memory.parse('8Gi'), cpus: 4 })).settings;
    expect([s.max_connections, s.shared_buffers, s.work_mem, s.maintenance_work_mem, s.autovacuum_work_mem])
      .toEqual(['200', '2GB', '4416kB', '512MB', '128MB']);
  });
  test('GIVEN a 2Gi hugepages request THEN shared memory fits the hugepages and huge_pages is on', () => {
    const result = postgresSettings({ ram: Memory.parse('8Gi'), cpus: 4, hugePages: Memory.parse('2Gi') });
    const s = toJson(result).settings;
    expect([s.huge_pages, s.shared_buffers]).toEqual(['on', '1964MB']);
    expect(result.budget!.sharedMemory.bytes).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(result.budget!.sharedMemoryInHugePages).toBe(true);
  });
  test('GIVEN PG13 THEN idle_session_timeout is left out (it needs 14) and a set value warns', () => {
    const result = postgresSettings({ ram: Memory.parse('1Gi'), cpus: 1, pgVersion: 13, idleSessionTimeoutMs: 60_000 });
    expect(toJson(result).settings.idle_session_timeout).toBeUndefined();
    expect(toJson(result).settings.idle_in_transaction_session_timeout).toBe('10min');
    expect(result.warnings).toEqual(['idle_session_timeout needs PostgreSQL 14 or later: not emitted']);
  });
  test('GIVEN custom timeouts THEN they print in the largest exact unit', () => {
    const s = toJson(postgresSettings({ ram: Memory.parse('1Gi'), cpus: 1, idleSessionTimeoutMs: 90_000, idleInTransactionSessionTimeoutMs: 1500 })).settings;
    expect([s.idle_session_timeout, s.idle_in_transaction_session_timeout]).toEqual(['90s', '1500ms']);
  });
  test('GIVEN PG18 THEN io_method is worker (io_uring is blocked by the runtime default seccomp profile)', () => {
    expect(toJson(postgresSettings({ ram: Memory.parse('4Gi'), cpus: 2, pgVersion: 18 })).settings.io_method).toBe('worker');
  });
  test('GIVEN the 2Gi result THEN the conf fragment starts with the memguard header', () => {
    const text = toPostgresqlConf(postgresSettings({ ram: Memory.parse('2Gi'), cpus: 2 }));
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# memguard profile: container',
      '# PostgreSQL 16, web, ssd, linux; container memory limit 2Gi, 2 CPUs',
    ]);
    expect(text).toMatchSnapshot();
  });

  test('PROPERTY: for every limit 512Mi..256Gi, 1..64 CPUs and each db type, the worst case fits and every value is positive', () => {
    fc.assert(fc.property(
      fc.integer({ min: 512, max: 256 * 1024 }),
      fc.integer({ min: 1, max: 64 }),
      fc.constantFrom('web', 'oltp', 'dw', 'desktop', 'mixed' as const),
      fc.constantFrom(13, 14, 15, 16, 17, 18),
      (mebibytes, cpus, dbType, pgVersion) => {
        const result = postgresSettings({ ram: Memory.mebibytes(mebibytes), cpus, dbType, pgVersion });
        const b = result.budget!;
        expect(b.total.bytes).toBeLessThanOrEqual(mebibytes * 2 ** 20);
        expect(b.fits).toBe(true);
        expect(result.maxConnections).toBeGreaterThanOrEqual(10);
        for (const { name, value } of result.settings) {
          if (name.startsWith('max_parallel') || name === 'max_wal_senders' || name.endsWith('timeout')) continue;
          const number = parseFloat(value);
          if (!Number.isNaN(number)) expect([name, number > 0]).toEqual([name, true]);
        }
        const s = toJson(result).settings;
        expect(kb(s.work_mem)).toBeGreaterThanOrEqual(64);
        expect(kb(s.wal_buffers) % 8).toBe(0);
        expect(kb(s.effective_cache_size)).toBeGreaterThanOrEqual(kb(s.shared_buffers));
      },
    ), { numRuns: 300 });
  });
});

function kb(value: string): number {
  const match = /^(\d+)(kB|MB|GB)$/.exec(value);
  if (!match) throw new Error(`not a memory value: ${value}`);
  return Number(match[1]) * { kB: 1, MB: 1024, GB: 1048576 }[match[2] as 'kB' | 'MB' | 'GB'];
}
