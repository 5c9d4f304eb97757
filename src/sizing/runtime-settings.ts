import { checkInteger, checkOneOf, checkRange, InputError } from './errors';
import { Memory } from './quantity';

/** The runtimes memguard knows how to size to a container limit. */
export const RUNTIMES = ['python', 'node', 'jvm', 'go', 'dotnet', 'generic'] as const;
/** A runtime memguard knows how to size to a container limit. */
export type Runtime = typeof RUNTIMES[number];

/** Tuning knobs of `runtimeSettings`; every default is the reference practice. */
export interface RuntimeSettingsOptions {
  /**
   * The share of the limit the managed heap may use (Node.js `--max-old-space-size`, JVM `MaxRAMPercentage`, .NET
   * `GCHeapHardLimitPercent`). The rest is for stacks, code, native buffers and the runtime itself.
   * @default 75
   */
  readonly heapPercent?: number;
  /**
   * `GOMEMLIMIT` as a share of the limit. Go does not read the cgroup limit itself; the GC guide suggests leaving
   * 5-10% of headroom.
   * @default 90
   * @see https://go.dev/doc/gc-guide#Suggested_uses
   */
  readonly goMemoryLimitPercent?: number;
  /**
   * `MALLOC_ARENA_MAX` for glibc-heavy runtimes (python, generic). glibc's default is 8 arenas per host core, which
   * inflates RSS in a container that sees the host's cores.
   * @default 2
   */
  readonly mallocArenaMax?: number;
  /**
   * Turn on Python's `tracemalloc` with this many frames. It costs about 3.3x CPU and 1.5x peak memory (pyperformance),
   * so it is only for an incident, never a default.
   * @default - off
   */
  readonly pythonTracemallocFrames?: number;
}

/** Environment variables derived from a container's memory limit. */
export interface RuntimeSettings {
  readonly runtime: Runtime;
  /** The variables, in a stable order. */
  readonly env: Readonly<Record<string, string>>;
  /** The heap (or soft memory) bound the settings give the runtime, when it has one. */
  readonly heapLimit?: Memory;
}

/**
 * Environment for `runtime` that keeps it inside `limit` (computed at synth time: the downward API would give 100% of
 * the limit, not the share wanted):
 * - go: `GOMEMLIMIT` = 90% of the limit, in whole MiB;
 * - jvm: `JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError`;
 * - node: `NODE_OPTIONS=--max-old-space-size=<75% of the limit in MiB>`;
 * - dotnet: `DOTNET_GCHeapHardLimitPercent=0x4B` (the environment variable is read as hexadecimal: 75 = 0x4B);
 * - python: `MALLOC_ARENA_MAX=2`, `PYTHONFAULTHANDLER=1`, `PYTHONUNBUFFERED=1`, `PYTHONDONTWRITEBYTECODE=1`
 *   (never `PYTHONHASHSEED=random`: it is already the default);
 * - generic: `MALLOC_ARENA_MAX=2`.
 */
export function runtimeSettings(runtime: Runtime, limit: Memory, options: RuntimeSettingsOptions = {}): RuntimeSettings {
  checkOneOf('runtime', runtime, RUNTIMES);
  const heapPercent = checkRange('heapPercent', options.heapPercent ?? 75, 10, 95, '%');
  const goPercent = checkRange('goMemoryLimitPercent', options.goMemoryLimitPercent ?? 90, 50, 100, '%');
  const arenas = checkInteger('mallocArenaMax', options.mallocArenaMax ?? 2, 1, 64);
  const mebibyte = Memory.mebibytes(1);
  const heapOf = (percent: number, field: string): Memory => {
    const heap = limit.times(percent / 100, 'floor').floorTo(mebibyte);
    if (heap.bytes === 0) {
      throw new InputError({ field, value: limit.toString(), accepted: `a limit large enough for ${percent}% of it to be at least 1Mi` });
    }
    return heap;
  };

  switch (runtime) {
    case 'go': {
      const heapLimit = heapOf(goPercent, 'limit');
      return { runtime, env: { GOMEMLIMIT: `${heapLimit.toMebibytes('floor')}MiB` }, heapLimit };
    }
    case 'jvm':
      return {
        runtime,
        env: { JAVA_TOOL_OPTIONS: `-XX:MaxRAMPercentage=${heapPercent.toFixed(1)} -XX:+ExitOnOutOfMemoryError` },
        heapLimit: heapOf(heapPercent, 'limit'),
      };
    case 'node': {
      const heapLimit = heapOf(heapPercent, 'limit');
      return { runtime, env: { NODE_OPTIONS: `--max-old-space-size=${heapLimit.toMebibytes('floor')}` }, heapLimit };
    }
    case 'dotnet': {
      const percent = Math.round(heapPercent);
      return {
        runtime,
        env: { DOTNET_GCHeapHardLimitPercent: `0x${percent.toString(16).toUpperCase()}` },
        heapLimit: heapOf(percent, 'limit'),
      };
    }
    case 'python': {
      const env: Record<string, string> = {
        MALLOC_ARENA_MAX: String(arenas),
        PYTHONFAULTHANDLER: '1',
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      };
      if (options.pythonTracemallocFrames !== undefined) {
        env.PYTHONTRACEMALLOC = String(checkInteger('pythonTracemallocFrames', options.pythonTracemallocFrames, 1, 100));
      }
      return { runtime, env };
    }
    case 'generic':
      return { runtime, env: { MALLOC_ARENA_MAX: String(arenas) } };
  }
}
