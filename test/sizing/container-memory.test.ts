import * as fc from 'fast-check';
import { containerMemory } from '../../src/sizing/container-memory';
import { Memory } from '../../src/sizing/quantity';

const mi = (n: number) => Memory.mebibytes(n);

describe('containerMemory', () => {
  test('GIVEN only a limit WHEN sized THEN request == limit (Guaranteed memory QoS)', () => {
    const m = containerMemory({ limit: Memory.parse('2Gi') });
    expect(m.request.toString()).toBe('2Gi');
    expect(m.limit.toString()).toBe('2Gi');
    expect(m.guaranteed).toBe(true);
  });

  test('GIVEN a request and 25% headroom WHEN sized THEN the limit is 1.25x the request, rounded up to whole MiB', () => {
    const m = containerMemory({ request: mi(1000), headroomPercent: 25 });
    expect(m.limit.toString()).toBe('1250Mi');
    expect(m.request.toString()).toBe('1000Mi');
    expect(m.guaranteed).toBe(false);
    expect(containerMemory({ request: Memory.bytes(10_000_001), headroomPercent: 10 }).limit.toString()).toBe('11Mi');
  });

  test('GIVEN a limit and 100% headroom WHEN sized THEN the request is half the limit, rounded down to whole MiB', () => {
    const m = containerMemory({ limit: mi(1025), headroomPercent: 100 });
    expect(m.request.toString()).toBe('512Mi');
    expect(m.limit.toString()).toBe('1025Mi');
  });

  test('GIVEN only a request WHEN sized THEN the limit equals it', () => {
    expect(containerMemory({ request: mi(300) }).limit.toString()).toBe('300Mi');
  });

  test('GIVEN the smallest limit runc accepts WHEN sized THEN it passes, and one byte less fails with the whole message', () => {
    expect(containerMemory({ limit: mi(6) }).limit.toString()).toBe('6Mi');
    expect(() => containerMemory({ limit: Memory.bytes(6 * 2 ** 20 - 1) })).toThrow(
      'Invalid limit "6291455". Accepted: at least 6Mi (runc refuses smaller memory limits).');
  });

  test('GIVEN a request above the limit WHEN sized THEN it throws naming both values', () => {
    expect(() => containerMemory({ limit: mi(512), request: Memory.parse('1Gi') })).toThrow(
      'Invalid request "1Gi": it is above limit 512Mi. Accepted: at most the limit (512Mi); Kubernetes rejects a request above its limit.');
  });

  test('GIVEN neither a limit nor a request WHEN sized THEN it throws', () => {
    expect(() => containerMemory({})).toThrow('Invalid limit undefined. Accepted: a memory quantity of at least 6Mi (or a request to derive it from).');
  });

  test('GIVEN headroom with both limit and request WHEN sized THEN it throws, since the headroom is already fixed', () => {
    expect(() => containerMemory({ limit: mi(512), request: mi(256), headroomPercent: 10 })).toThrow(
      'Invalid headroomPercent 10. Accepted: no headroomPercent when both limit and request are given (the headroom would be limit / request).');
  });

  test('GIVEN headroom out of range WHEN sized THEN it throws at the boundary + 1', () => {
    expect(containerMemory({ request: mi(100), headroomPercent: 400 }).limit.toString()).toBe('500Mi');
    expect(() => containerMemory({ request: mi(100), headroomPercent: 401 })).toThrow(
      'Invalid headroomPercent 401. Accepted: a number from 0% to 400%.');
    expect(() => containerMemory({ request: mi(100), headroomPercent: -1 })).toThrow('Invalid headroomPercent -1.');
  });

  test('GIVEN custom field names WHEN an input is bad THEN the message uses them', () => {
    expect(() => containerMemory({
      limit: mi(1), fieldNames: { limit: 'containers[0].memoryLimit', request: 'containers[0].memoryRequest', headroomPercent: 'h' },
    })).toThrow('Invalid containers[0].memoryLimit "1Mi".');
  });

  test('PROPERTY: request <= limit and both >= 6Mi for any valid input', () => {
    fc.assert(fc.property(
      fc.integer({ min: 6 * 2 ** 20, max: 2 ** 40 }),
      fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
      fc.boolean(),
      (bytes, headroom, fromRequest) => {
        const m = fromRequest
          ? containerMemory({ request: Memory.bytes(bytes), headroomPercent: headroom })
          : containerMemory({ limit: Memory.bytes(bytes), headroomPercent: headroom });
        expect(m.request.bytes).toBeLessThanOrEqual(m.limit.bytes);
        expect(m.request.bytes).toBeGreaterThan(0);
        expect(m.guaranteed).toBe(m.request.equals(m.limit));
      },
    ));
  });
});
