import * as fc from 'fast-check';
import { Cpu, Memory } from '../../src/sizing/quantity';

describe('Memory.parse', () => {
  test.each([
    ['512Mi', 512 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2G', 2e9],
    ['1e9', 1e9],
    ['1.1e9', 1.1e9],
    ['123', 123],
    ['100k', 100_000],
    ['1Ki', 1024],
    ['0.5Ti', 2 ** 39],
    ['1P', 1e15],
    [' 64Mi ', 64 * 2 ** 20],
  ])('GIVEN %s WHEN parsed THEN it is %d bytes', (text, bytes) => {
    expect(Memory.parse(text).bytes).toBe(bytes);
  });

  test('GIVEN a fraction of a byte WHEN parsed THEN it rounds up, as the API server does', () => {
    expect(Memory.parse('0.1Gi').bytes).toBe(107374183);
  });

  test.each([
    ['8GB', 8 * 2 ** 30],
    ['8192MB', 8 * 2 ** 30],
    ['8GiB', 8 * 2 ** 30],
    ['8Gi', 8 * 2 ** 30],
    ['8G', 8e9],
    ['512kB', 512 * 1024],
  ])('GIVEN the ram notation WHEN %s is parsed THEN GB and MB are binary like PostgreSQL (%d bytes)', (text, bytes) => {
    expect(Memory.parse(text, 'ram', 'ram').bytes).toBe(bytes);
  });

  test('GIVEN a PostgreSQL unit WHEN parsed as a Kubernetes quantity THEN it is rejected naming the unit', () => {
    expect(() => Memory.parse('8GB', 'limit')).toThrow(
      'Invalid limit "8GB": unknown unit "GB". Accepted: a Kubernetes memory quantity such as 512Mi, 1.5Gi, 2G, 1e9 or 1073741824 (bytes).');
  });

  test('GIVEN the milli suffix WHEN parsed THEN it is rejected as a probable typo for Mi', () => {
    expect(() => Memory.parse('500m', 'limit')).toThrow(
      'Invalid limit "500m": "m" means thousandths of a byte; did you mean "Mi"? Accepted: a Kubernetes memory quantity such as 512Mi, 1.5Gi, 2G, 1e9 or 1073741824 (bytes).');
  });

  test.each([
    ['-1Gi', 'memory cannot be negative'],
    ['abc', 'not a size'],
    ['', 'not a size'],
    ['1.2.3Gi', 'not a size'],
    ['1 Gi', 'not a size'],
  ])('GIVEN %j WHEN parsed THEN it throws "%s"', (text, reason) => {
    expect(() => Memory.parse(text, 'memoryLimit')).toThrow(`Invalid memoryLimit ${JSON.stringify(text)}: ${reason}.`);
  });

  test('GIVEN a quantity beyond 2^53 bytes WHEN parsed THEN it is rejected as too large', () => {
    expect(() => Memory.parse('100Ei')).toThrow('Invalid memory "100Ei": too large.');
  });
});

describe('Memory formatting and arithmetic', () => {
  test.each([
    [0, '0'],
    [1024, '1Ki'],
    [1536 * 2 ** 20, '1536Mi'],
    [2 ** 30, '1Gi'],
    [2e9, '2G'],
    [1000, '1k'],
    [1023, '1023'],
    [3 * 2 ** 40, '3Ti'],
  ])('GIVEN %d bytes WHEN formatted THEN it is %s', (bytes, text) => {
    expect(Memory.bytes(bytes).toString()).toBe(text);
  });

  test('GIVEN 1.5Gi WHEN converted to MiB THEN rounding is explicit', () => {
    const m = Memory.parse('1.5Gi');
    expect(m.toMebibytes('floor')).toBe(1536);
    expect(Memory.bytes(1536 * 2 ** 20 + 1).toMebibytes('floor')).toBe(1536);
    expect(Memory.bytes(1536 * 2 ** 20 + 1).toMebibytes('ceil')).toBe(1537);
    expect(Memory.bytes(1025).toKibibytes('ceil')).toBe(2);
  });

  test('GIVEN two sizes WHEN combined THEN the arithmetic is exact', () => {
    const a = Memory.parse('1Gi');
    const b = Memory.parse('256Mi');
    expect(a.plus(b).toString()).toBe('1280Mi');
    expect(a.minus(b).toString()).toBe('768Mi');
    expect(a.times(0.75).toString()).toBe('768Mi');
    expect(a.ratioTo(b)).toBe(4);
    expect(() => b.minus(a)).toThrow('cannot subtract 1Gi from 256Mi');
    expect(Memory.bytes(1000).floorTo(Memory.bytes(300)).bytes).toBe(900);
    expect(Memory.bytes(1000).ceilTo(Memory.bytes(300)).bytes).toBe(1200);
    expect(Memory.parse('1.5Gi').toHuman()).toBe('1.5 GiB');
    expect(Memory.bytes(12).toHuman()).toBe('12 B');
  });

  test('GIVEN a negative or fractional byte count WHEN constructed THEN it throws naming the field', () => {
    expect(() => Memory.bytes(-1, 'ram')).toThrow('Invalid ram -1. Accepted: a whole, non-negative number of bytes.');
    expect(() => Memory.bytes(1.5, 'ram')).toThrow('Invalid ram 1.5. Accepted: a whole, non-negative number of bytes.');
  });

  test('PROPERTY: parse(format(x)) == x for every byte count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
      const m = Memory.bytes(bytes);
      expect(Memory.parse(m.toString()).bytes).toBe(bytes);
    }), { numRuns: 2000 });
  });

  test('PROPERTY: any binary quantity a user writes round-trips through bytes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('Ki', 'Mi', 'Gi'), (n, unit) => {
      const text = `${n}${unit}`;
      expect(Memory.parse(Memory.parse(text).toString()).equals(Memory.parse(text))).toBe(true);
    }));
  });
});

describe('Cpu', () => {
  test.each([
    ['250m', 250],
    ['0.5', 500],
    ['2', 2000],
    ['1.5', 1500],
    ['1e0', 1000],
    ['0.0001', 1],
  ])('GIVEN %s WHEN parsed THEN it is %d millicores', (text, millis) => {
    expect(Cpu.parse(text).millis).toBe(millis);
  });

  test('GIVEN millicores WHEN formatted THEN whole cores drop the suffix', () => {
    expect(Cpu.millis(2000).toString()).toBe('2');
    expect(Cpu.millis(250).toString()).toBe('250m');
    expect(Cpu.cores(1.5).toCores('floor')).toBe(1);
    expect(Cpu.cores(1.5).toCores('ceil')).toBe(2);
  });

  test('GIVEN a bad CPU quantity WHEN parsed THEN the message names the field and the accepted forms', () => {
    expect(() => Cpu.parse('2Gi', 'cpus')).toThrow(
      'Invalid cpus "2Gi": unknown unit "Gi". Accepted: a Kubernetes CPU quantity such as 250m, 0.5, 2 or 1.5 (cores).');
    expect(() => Cpu.parse('-1', 'cpus')).toThrow('Invalid cpus "-1": CPU cannot be negative.');
  });

  test('PROPERTY: parse(format(x)) == x for every millicore count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (millis) => {
      expect(Cpu.parse(Cpu.millis(millis).toString()).millis).toBe(millis);
    }));
  });
});
