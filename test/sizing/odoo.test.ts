import * as fc from 'fast-check';
import { InputError } from '../../src/sizing/errors';
import {
  ODOO_AVERAGE_PROCESS_MEMORY, ODOO_FIXED_OVERHEAD, odooSettings, toOdooConf,
} from '../../src/sizing/odoo';
import { Memory } from '../../src/sizing/quantity';

const MiB = 2 ** 20;

describe('odooSettings', () => {
  test('GIVEN the official sample (8 GiB, 4 CPU, 60 users) WHEN sized THEN 9 workers (the CPU rule), 1 cron and limits in bytes', () => {
    const result = odooSettings({ ram: Memory.parse('8GiB', 'ram', 'ram'), cpus: 4, concurrentUsers: 60 });
    expect(result.workers).toBe(9);
    expect(result.workerBounds).toEqual({ cpu: 9, users: 10, memory: 23, decidedBy: 'cpu' });
    expect(result.maxCronThreads).toBe(1);
    // (8192 - 300) MiB / 10 processes = 789.2 MiB, floored to whole MiB; hard = soft + 1 GiB.
    expect(result.limitMemorySoft.bytes).toBe(789 * MiB);
    expect(result.limitMemorySoft.bytes).toBe(827326464);
    expect(result.limitMemoryHard.bytes).toBe(1813 * MiB);
    expect(result.limitTimeCpu).toBe(600);
    expect(result.limitTimeReal).toBe(1200);
    expect(result.limitRequest).toBe(8192);
    expect(result.dbMaxconn).toBe(16);
    expect(result.pooledProcesses).toBe(11);
    expect(result.worstCaseConnections).toBe(176);
    expect(result.warnings).toEqual([]);
  });

  test('GIVEN 12 users WHEN sized THEN the users bound decides (ceil(12/6) = 2)', () => {
    const result = odooSettings({ ram: Memory.parse('8Gi'), cpus: 4, concurrentUsers: 12 });
    expect(result.workers).toBe(2);
    expect(result.workerBounds.decidedBy).toBe('users');
  });

  test.each([[48, 8], [49, 9], [54, 9], [55, 9]])('GIVEN %i users on 4 CPUs THEN %i workers', (users, workers) => {
    expect(odooSettings({ ram: Memory.parse('16Gi'), cpus: 4, concurrentUsers: users }).workers).toBe(workers);
  });

  test('GIVEN 2 GiB and 2 CPUs WHEN sized THEN memory decides and the soft limit is raised to the 600 MiB floor with a warning', () => {
    const result = odooSettings({ ram: Memory.parse('2Gi'), cpus: 2 });
    // floor((2048 - 300) MiB / 324.8 MiB) - 1 cron = 4
    expect(result.workerBounds).toEqual({ cpu: 5, memory: 4, decidedBy: 'memory' });
    expect(result.limitMemorySoft.bytes).toBe(600 * MiB);
    expect(result.limitMemoryHard.bytes).toBe(1624 * MiB);
    expect(result.warnings).toEqual([
      'limit_memory_soft is raised to the 600 MiB floor although each of the 5 worker and cron processes has only 349 MiB'
      + ' of ram 2Gi; their resident memory is expected to fit (official formula: 1.88 GiB), and the container limit stays the backstop.',
    ]);
  });

  test('GIVEN plenty of memory WHEN sized THEN the soft limit stops at Odoo\'s default 2048 MiB and hard is 1 GiB above', () => {
    const result = odooSettings({ ram: Memory.parse('64Gi'), cpus: 4 });
    expect(result.limitMemorySoft.bytes).toBe(2147483648);
    expect(result.limitMemoryHard.bytes).toBe(3 * 1024 * MiB);
  });

  test('GIVEN 3 replicas and db_maxconn 8 WHEN sized THEN worst case = (workers + cron + 1) x 8 x 3', () => {
    const result = odooSettings({ ram: Memory.parse('8Gi'), cpus: 2, replicas: 3, dbMaxconn: 8, maxCronThreads: 2 });
    expect(result.workers).toBe(5);
    expect(result.worstCaseConnections).toBe((5 + 2 + 1) * 8 * 3);
  });

  test('GIVEN the smallest memory for 1 worker and 1 cron WHEN sized THEN 1 worker; one byte less is refused', () => {
    const minimum = ODOO_FIXED_OVERHEAD.bytes + 2 * ODOO_AVERAGE_PROCESS_MEMORY.bytes;
    expect(minimum).toBe(995727770);
    const result = odooSettings({ ram: Memory.bytes(minimum), cpus: 4 });
    expect(result.workers).toBe(1);
    expect(result.limitMemoryHard.bytes).toBeGreaterThanOrEqual(result.limitMemorySoft.bytes);
    expect(() => odooSettings({ ram: Memory.bytes(minimum - 1), cpus: 4 })).toThrow(new InputError({
      field: 'ram',
      value: '',
      accepted: '',
      message: 'Invalid ram "995727769": too small for one Odoo worker and 1 cron process(es) next to the master and gevent worker. Accepted: at least 950Mi.',
    }));
  });

  test('GIVEN a worker override that does not fit WHEN sized THEN the whole message names the largest that does', () => {
    expect(odooSettings({ ram: Memory.parse('2Gi'), cpus: 8, workers: 4 }).workerBounds.decidedBy).toBe('override');
    expect(() => odooSettings({ ram: Memory.parse('2Gi'), cpus: 8, workers: 5 })).toThrow(
      'Invalid workers 5: 5 workers and 1 cron process(es) at 324.8 MiB each (the official formula) do not fit ram 2Gi next to the master and gevent worker. Accepted: a whole number from 1 to 4 for ram 2Gi.',
    );
  });

  test.each([
    [{ cpus: 0 }, 'Invalid cpus 0. Accepted: a number from 0.1 to 1024.'],
    [{ concurrentUsers: 0 }, 'Invalid concurrentUsers 0. Accepted: a whole number 1 or more.'],
    [{ replicas: 1.5 }, 'Invalid replicas 1.5. Accepted: a whole number from 1 to 1000.'],
    [{ dbMaxconn: 1 }, 'Invalid dbMaxconn 1. Accepted: a whole number from 2 to 1000.'],
    [{ maxCronThreads: -1 }, 'Invalid maxCronThreads -1. Accepted: a whole number from 0 to 64.'],
    [{ limitTimeCpu: 0 }, 'Invalid limitTimeCpu 0. Accepted: a whole number 1 or more.'],
  ])('GIVEN bad input %j THEN InputError with the whole message', (bad, message) => {
    expect(() => odooSettings({ ram: Memory.parse('8Gi'), cpus: 4, ...bad })).toThrow(message);
    expect(() => odooSettings({ ram: Memory.parse('8Gi'), cpus: 4, ...bad })).toThrow(InputError);
  });

  test('GIVEN any valid size THEN workers >= 1, the expected resident memory fits and soft <= hard <= ram', () => {
    fc.assert(fc.property(
      fc.integer({ min: 950, max: 512 * 1024 }), fc.integer({ min: 1, max: 640 }), fc.option(fc.integer({ min: 1, max: 5000 })),
      fc.integer({ min: 0, max: 4 }),
      (ramMiB, deciCpus, users, cron) => {
        const ram = Memory.mebibytes(ramMiB);
        let result;
        try {
          result = odooSettings({ ram, cpus: deciCpus / 10, concurrentUsers: users ?? undefined, maxCronThreads: cron });
        } catch (error) {
          // Only too-small memory may be refused.
          expect((error as InputError).field).toBe('ram');
          return;
        }
        expect(result.workers).toBeGreaterThanOrEqual(1);
        expect(result.workers).toBeLessThanOrEqual(result.workerBounds.cpu);
        expect(result.expectedMemory.bytes).toBeLessThanOrEqual(ram.bytes);
        expect(result.limitMemorySoft.bytes).toBeLessThanOrEqual(result.limitMemoryHard.bytes);
        expect(result.limitMemoryHard.bytes).toBeLessThanOrEqual(ram.bytes);
        expect(result.limitMemorySoft.bytes % MiB).toBe(0);
      },
    ));
  });
});

describe('toOdooConf', () => {
  test('GIVEN 8 GiB / 4 CPU WHEN rendered THEN an [options] section with integer bytes and no password', () => {
    const conf = toOdooConf(odooSettings({ ram: Memory.parse('8Gi'), cpus: 4 }), { dbHost: 'pgbouncer', dbPort: 6432, dbUser: 'odoo' });
    expect(conf.split('\n').filter((l) => !l.startsWith(';'))).toEqual([
      '[options]',
      'db_host = pgbouncer',
      'db_port = 6432',
      'db_user = odoo',
      'proxy_mode = True',
      'workers = 9',
      'max_cron_threads = 1',
      'limit_memory_soft = 827326464',
      'limit_memory_hard = 1901068288',
      'limit_time_cpu = 600',
      'limit_time_real = 1200',
      'limit_request = 8192',
      'db_maxconn = 16',
      'list_db = False',
      '',
    ]);
    expect(conf).not.toMatch(/db_password\s*=/);
    expect(conf).not.toMatch(/admin_passwd\s*=/);
  });

  test('GIVEN dbName "odoo.prod" WHEN rendered THEN db_name, an anchored dbfilter with the dot escaped, and the manager off', () => {
    const conf = toOdooConf(odooSettings({ ram: Memory.parse('8Gi'), cpus: 4 }), { dbName: 'odoo.prod' });
    expect(conf.split('\n').slice(-5)).toEqual(['db_maxconn = 16', 'db_name = odoo.prod', 'dbfilter = ^odoo\\.prod$', 'list_db = False', '']);
  });

  test('GIVEN listDb true WHEN rendered THEN list_db = True (the database manager is on)', () => {
    const conf = toOdooConf(odooSettings({ ram: Memory.parse('8Gi'), cpus: 4 }), { listDb: true });
    expect(conf).toMatch(/\nlist_db = True\n$/);
    expect(conf).not.toContain('db_name');
  });

  test.each([
    ['', 'Invalid dbName "". Accepted: 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit.'],
    ['.odoo', 'Invalid dbName ".odoo". Accepted: 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit.'],
    ['a'.repeat(64), `Invalid dbName "${'a'.repeat(64)}". Accepted: 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit.`],
    ['odoo$|.*', 'Invalid dbName "odoo$|.*". Accepted: 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit.'],
  ])('GIVEN dbName %j WHEN rendered THEN InputError', (dbName, message) => {
    expect(() => toOdooConf(odooSettings({ ram: Memory.parse('8Gi'), cpus: 4 }), { dbName })).toThrow(message);
  });

  test('GIVEN a host with a space WHEN rendered THEN InputError', () => {
    expect(() => toOdooConf(odooSettings({ ram: Memory.parse('8Gi'), cpus: 4 }), { dbHost: 'a b' })).toThrow(
      'Invalid dbHost "a b". Accepted: a non-empty value without spaces, "=", ";" or "#".',
    );
  });
});
