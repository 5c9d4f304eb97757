import * as fc from 'fast-check';
import { Memory } from '../../src/sizing/quantity';
import { RUNTIMES, runtimeSettings } from '../../src/sizing/runtime-settings';

const limit = Memory.parse('1Gi');

describe('runtimeSettings', () => {
  test('GIVEN go and 1Gi WHEN derived THEN GOMEMLIMIT is 90% in whole MiB', () => {
    const s = runtimeSettings('go', limit);
    expect(s.env).toEqual({ GOMEMLIMIT: '921MiB' });
    expect(s.heapLimit?.toString()).toBe('921Mi');
  });

  test('GIVEN the jvm WHEN derived THEN MaxRAMPercentage is 75.0 and the JVM exits on OOM', () => {
    expect(runtimeSettings('jvm', Memory.parse('2Gi')).env).toEqual({
      JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError',
    });
  });

  test('GIVEN node and 1Gi WHEN derived THEN the old space is 75% of the limit in MiB', () => {
    expect(runtimeSettings('node', limit).env).toEqual({ NODE_OPTIONS: '--max-old-space-size=768' });
    expect(runtimeSettings('node', Memory.parse('1000Mi')).env.NODE_OPTIONS).toBe('--max-old-space-size=750');
  });

  test('GIVEN dotnet WHEN derived THEN the heap percent is written in hexadecimal, as the runtime reads it', () => {
    expect(runtimeSettings('dotnet', limit).env).toEqual({ DOTNET_GCHeapHardLimitPercent: '0x4B' });
    expect(runtimeSettings('dotnet', limit, { heapPercent: 80 }).env).toEqual({ DOTNET_GCHeapHardLimitPercent: '0x50' });
  });

  test('GIVEN python WHEN derived THEN glibc arenas are capped and the safe flags are set, never PYTHONHASHSEED', () => {
    const env = runtimeSettings('python', limit).env;
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2', PYTHONFAULTHANDLER: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' });
    expect(env).not.toHaveProperty('PYTHONTRACEMALLOC');
    expect(env).not.toHaveProperty('PYTHONHASHSEED');
  });

  test('GIVEN python with profiling asked for WHEN derived THEN PYTHONTRACEMALLOC is set to the frame count', () => {
    expect(runtimeSettings('python', limit, { pythonTracemallocFrames: 25 }).env.PYTHONTRACEMALLOC).toBe('25');
    expect(() => runtimeSettings('python', limit, { pythonTracemallocFrames: 0 })).toThrow(
      'Invalid pythonTracemallocFrames 0. Accepted: a whole number from 1 to 100.');
  });

  test('GIVEN generic WHEN derived THEN only MALLOC_ARENA_MAX is set', () => {
    expect(runtimeSettings('generic', limit).env).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(runtimeSettings('generic', limit, { mallocArenaMax: 4 }).env).toEqual({ MALLOC_ARENA_MAX: '4' });
  });

  test('GIVEN an unknown runtime WHEN derived THEN it throws listing the runtimes', () => {
    expect(() => runtimeSettings('ruby' as any, limit)).toThrow(
      'Invalid runtime "ruby". Accepted: one of "python", "node", "jvm", "go", "dotnet", "generic".');
  });

  test('GIVEN heap percents at and past the boundaries WHEN derived THEN only the range 10-95 is accepted', () => {
    expect(runtimeSettings('node', limit, { heapPercent: 95 }).env.NODE_OPTIONS).toBe('--max-old-space-size=972');
    expect(() => runtimeSettings('node', limit, { heapPercent: 96 })).toThrow('Invalid heapPercent 96. Accepted: a number from 10% to 95%.');
    expect(() => runtimeSettings('go', limit, { goMemoryLimitPercent: 101 })).toThrow('Invalid goMemoryLimitPercent 101. Accepted: a number from 50% to 100%.');
  });

  test('GIVEN a limit too small for a 1Mi heap WHEN derived THEN it throws', () => {
    expect(() => runtimeSettings('node', Memory.parse('1Mi'))).toThrow(
      'Invalid limit "1Mi". Accepted: a limit large enough for 75% of it to be at least 1Mi.');
  });

  test('PROPERTY: the derived heap is always below the limit (from 16Mi, where 10% is still a whole MiB)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 16 * 2 ** 20, max: 2 ** 40 }),
      fc.constantFrom(...RUNTIMES),
      fc.integer({ min: 10, max: 95 }),
      (bytes, runtime, heapPercent) => {
        const s = runtimeSettings(runtime, Memory.bytes(bytes), { heapPercent });
        if (s.heapLimit) expect(s.heapLimit.bytes).toBeLessThan(bytes);
        if (runtime === 'node') {
          expect(Number(s.env.NODE_OPTIONS.split('=')[1]) * 2 ** 20).toBeLessThan(bytes);
        }
      },
    ));
  });
});
