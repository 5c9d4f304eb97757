import * as fc from 'fast-check';
import { bumpLimit, incidentSettings, mergeIncidentEnv } from '../../src/sizing/incident-mode';
import { Memory } from '../../src/sizing/quantity';
import { runtimeSettings } from '../../src/sizing/runtime-settings';

const GI = Memory.parse('1Gi');

describe('incidentSettings', () => {
  test('GIVEN python and 1Gi WHEN switched on THEN tracemalloc with 25 frames, faulthandler, a 1.6x limit (1639Mi) and the marker annotation', () => {
    const s = incidentSettings('python', GI, { since: '2025-03-01', reason: 'INC-42 OOM loop' });
    expect(s.env).toEqual({ PYTHONTRACEMALLOC: '25', PYTHONFAULTHANDLER: '1' });
    expect(s.limitFactor).toBe(1.6);
    expect(s.limit.toString()).toBe('1639Mi');
    expect(s.annotations).toEqual({ 'memguard.io/incident-mode': 'since 2025-03-01: INC-42 OOM loop', 'memguard.io/incident-limit-factor': '1.6' });
    expect(s.volume).toEqual({ name: 'memguard-diagnostics', mountPath: '/memguard-diagnostics', sizeLimit: GI });
    expect(s.warnings[0]).toBe('PYTHONTRACEMALLOC=25 costs about 3.3x CPU and 1.5x peak memory (up to 2.6x): switch incident mode off after the incident.');
  });

  test('GIVEN node with 2 snapshots THEN --heapsnapshot-near-heap-limit writes to the emptyDir, sized for both, and the limit is 1.5x', () => {
    const s = incidentSettings('node', GI, { since: '2025-03-01T10:00:00Z', heapSnapshots: 2 });
    expect(s.env).toEqual({ NODE_OPTIONS: '--heapsnapshot-near-heap-limit=2 --diagnostic-dir=/memguard-diagnostics' });
    expect(s.limit.toString()).toBe('1536Mi');
    expect(s.volume.sizeLimit.toString()).toBe('2Gi');
    expect(s.annotations['memguard.io/incident-mode']).toBe('since 2025-03-01T10:00:00Z');
  });

  test('GIVEN jvm THEN a heap dump on OutOfMemoryError goes to the emptyDir and the limit stays', () => {
    const s = incidentSettings('jvm', GI, { since: '2025-03-01' });
    expect(s.env).toEqual({ JAVA_TOOL_OPTIONS: '-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/memguard-diagnostics' });
    expect(s.limit).toEqual(GI);
  });

  test('GIVEN go with a 2.0 bump THEN no variable, a doubled limit and a warning that says so', () => {
    const s = incidentSettings('go', Memory.parse('300Mi'), { since: '2025-03-01', limitFactor: 2 });
    expect(s.env).toEqual({});
    expect(s.limit.toString()).toBe('600Mi');
    expect(s.warnings).toEqual(['No profiling toggle for go: incident mode only bumps the limit and marks the workload.']);
  });

  test('GIVEN python with a bump below tracemalloc\'s overhead THEN it warns about OOM kills', () => {
    expect(incidentSettings('python', GI, { since: '2025-03-01', limitFactor: 1.2 }).warnings[1])
      .toBe('limitFactor 1.2 is below tracemalloc\'s ~1.5x memory overhead: expect OOM kills.');
  });

  test.each<[string, any, string]>([
    ['no since', {}, 'Invalid incidentMode.since undefined. Accepted: a date "YYYY-MM-DD" or an ISO 8601 time.'],
    ['a vague since', { since: 'last week' }, 'Invalid incidentMode.since "last week". Accepted: a date "YYYY-MM-DD" or an ISO 8601 time.'],
    ['an impossible date', { since: '2025-13-45' }, 'Invalid incidentMode.since "2025-13-45". Accepted: a date "YYYY-MM-DD" or an ISO 8601 time.'],
    ['a factor of 3.01', { since: '2025-03-01', limitFactor: 3.01 }, 'Invalid incidentMode.limitFactor 3.01. Accepted: a number from 1 to 3.'],
    ['a factor of 0.9', { since: '2025-03-01', limitFactor: 0.9 }, 'Invalid incidentMode.limitFactor 0.9. Accepted: a number from 1 to 3.'],
    ['101 frames', { since: '2025-03-01', pythonTracemallocFrames: 101 }, 'Invalid incidentMode.pythonTracemallocFrames 101. Accepted: a whole number from 1 to 100.'],
    ['6 snapshots', { since: '2025-03-01', heapSnapshots: 6 }, 'Invalid incidentMode.heapSnapshots 6. Accepted: a whole number from 1 to 5.'],
    ['a two-line reason', { since: '2025-03-01', reason: 'a\nb' }, 'Invalid incidentMode.reason "a\\nb". Accepted: one line of 1 to 200 characters.'],
  ])('GIVEN %s THEN it throws the whole message', (_what, options, message) => {
    expect(() => incidentSettings('python', GI, options)).toThrow(message);
  });

  test('GIVEN an unknown runtime THEN it throws', () => {
    expect(() => incidentSettings('ruby' as any, GI, { since: '2025-03-01' }))
      .toThrow('Invalid runtime "ruby". Accepted: one of "python", "node", "jvm", "go", "dotnet", "generic".');
  });

  test('property: the bumped limit is at least limit x factor and less than one MiB more', () => {
    fc.assert(fc.property(fc.integer({ min: 6, max: 65536 }), fc.double({ min: 1, max: 3, noNaN: true }), (mib, factor) => {
      const limit = Memory.mebibytes(mib);
      const bumped = bumpLimit(limit, factor);
      expect(bumped.bytes).toBeGreaterThanOrEqual(limit.bytes * factor - 1);
      expect(bumped.bytes - limit.bytes * factor).toBeLessThan(2 ** 20);
      expect(bumped.bytes % 2 ** 20).toBe(0);
    }));
  });
});

describe('mergeIncidentEnv', () => {
  test('GIVEN node runtime settings THEN the incident flags are appended to NODE_OPTIONS so the heap size stays', () => {
    const base = runtimeSettings('node', GI).env;
    const merged = mergeIncidentEnv(base, incidentSettings('node', GI, { since: '2025-03-01' }).env);
    expect(merged).toEqual({ NODE_OPTIONS: '--max-old-space-size=768 --heapsnapshot-near-heap-limit=1 --diagnostic-dir=/memguard-diagnostics' });
  });

  test('GIVEN jvm and python settings THEN JAVA_TOOL_OPTIONS is appended and Python variables are set', () => {
    expect(mergeIncidentEnv(runtimeSettings('jvm', GI).env, incidentSettings('jvm', GI, { since: '2025-03-01' }).env)).toEqual({
      JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/memguard-diagnostics',
    });
    expect(mergeIncidentEnv(runtimeSettings('python', GI).env, incidentSettings('python', GI, { since: '2025-03-01' }).env)).toEqual({
      MALLOC_ARENA_MAX: '2', PYTHONFAULTHANDLER: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONTRACEMALLOC: '25',
    });
  });
});
