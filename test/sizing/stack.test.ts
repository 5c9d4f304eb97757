import * as fc from 'fast-check';
import { InputError } from '../../src/sizing/errors';
import { Memory } from '../../src/sizing/quantity';
import { sizeStack } from '../../src/sizing/stack';

describe('sizeStack', () => {
  test('GIVEN 8 GiB / 4 CPU WHEN sized THEN PgBouncer 64Mi, Odoo and PostgreSQL 4064Mi each, consistent connections', () => {
    const stack = sizeStack({ ram: Memory.parse('8GiB', 'ram', 'ram'), cpus: 4 });
    expect(stack.split.map((s) => [s.component, s.memory.toString(), s.replicas])).toEqual([
      ['postgres', '4064Mi', 1],
      ['pgbouncer', '64Mi', 1],
      ['odoo', '4064Mi', 1],
    ]);
    expect(stack.unallocated.bytes).toBe(0);
    expect(stack.odoo.workers).toBe(9);
    expect(stack.odoo.worstCaseConnections).toBe(176);
    // 13 (session pool) + 22 + 5 (Odoo database) + 3 superuser + 2 direct
    expect(stack.postgres.maxConnections).toBe(45);
    expect(stack.pgbouncer.serverConnections).toBe(40);
    expect(stack.pgbouncer.availableServerConnections).toBe(40);
    expect(stack.pgbouncer.maxClientConn).toBe(186);
    expect(stack.postgres.settings.find((s) => s.name === 'idle_session_timeout')?.value).toBe('0');
    expect(stack.postgres.budget?.fits).toBe(true);
  });

  test('GIVEN 2 Odoo replicas WHEN sized THEN the Odoo half is split per pod and the connections double', () => {
    const stack = sizeStack({ ram: Memory.parse('16Gi'), cpus: 4, odooReplicas: 2 });
    const odoo = stack.split.find((s) => s.component === 'odoo')!;
    expect([odoo.memory.toString(), odoo.total.toString()]).toEqual(['4080Mi', '8160Mi']);
    expect(stack.odoo.worstCaseConnections).toBe(2 * 11 * 16);
  });

  test('GIVEN 1 GiB WHEN sized THEN the Odoo share is too small and the whole message says so', () => {
    expect(() => sizeStack({ ram: Memory.parse('1Gi'), cpus: 2 })).toThrow(
      'Odoo share 480Mi of ram 1Gi: Invalid ram "480Mi": too small for one Odoo worker and 1 cron process(es) next to the master and gevent worker. Accepted: at least 950Mi.',
    );
  });

  test.each([
    [{ cpus: 0 }, 'Invalid cpus 0. Accepted: a whole number from 1 to 1024.'],
    [{ odooPercent: 95 }, 'Invalid odooPercent 95. Accepted: a whole number from 10 to 90.'],
    [{ pgbouncerMemory: Memory.parse('8Mi') }, 'Invalid pgbouncerMemory "8Mi". Accepted: whole MiB, at least 16Mi.'],
  ])('GIVEN %j THEN InputError with the whole message', (bad, message) => {
    expect(() => sizeStack({ ram: Memory.parse('8Gi'), cpus: 4, ...bad })).toThrow(message);
  });

  test('GIVEN any budget WHEN accepted THEN the split sums to at most the budget and PgBouncer fits max_connections', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2048, max: 128 * 1024 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 30, max: 70 }),
      (ramMiB, cpus, odooReplicas, odooPercent) => {
        let stack;
        try {
          stack = sizeStack({ ram: Memory.mebibytes(ramMiB), cpus, odooReplicas, odooPercent });
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          return;
        }
        const total = Memory.sum(stack.split.map((s) => s.total));
        expect(total.plus(stack.unallocated).bytes).toBe(ramMiB * 2 ** 20);
        const p = stack.pgbouncer;
        const reserves = p.reserves.superuser + p.reserves.reserved + p.reserves.direct;
        expect(p.serverConnections).toBeLessThanOrEqual(stack.postgres.maxConnections - reserves);
        expect(stack.odoo.worstCaseConnections).toBeLessThanOrEqual(p.maxClientConn);
      },
    ), { numRuns: 60 });
  });
});
