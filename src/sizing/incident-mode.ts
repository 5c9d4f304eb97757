import { checkInteger, checkOneOf, checkRange, InputError } from './errors';
import { Memory } from './quantity';
import { Runtime, RUNTIMES } from './runtime-settings';

/** The annotation that marks a workload (and its pod template) as being in incident mode, so it is not forgotten. */
export const INCIDENT_MODE_ANNOTATION = 'memguard.io/incident-mode';
/** The annotation that records the temporary limit bump factor. */
export const INCIDENT_LIMIT_FACTOR_ANNOTATION = 'memguard.io/incident-limit-factor';
/** The emptyDir volume that receives heap dumps and snapshots. */
export const INCIDENT_VOLUME_NAME = 'memguard-diagnostics';
/** Where the diagnostics volume is mounted. */
export const INCIDENT_DIAGNOSTICS_PATH = '/memguard-diagnostics';

/**
 * The default temporary limit bump per runtime: Python's `tracemalloc` costs about 1.52x peak RSS (up to 2.58x), so
 * 1.6; a Node.js heap snapshot near the heap limit needs memory inside and outside the V8 heap, so 1.5; a JVM heap
 * dump on OutOfMemoryError is written from the existing heap, so 1.0, as for runtimes without profiling toggles.
 */
export const DEFAULT_INCIDENT_LIMIT_FACTORS: Readonly<Record<Runtime, number>> = {
  python: 1.6, node: 1.5, jvm: 1, go: 1, dotnet: 1, generic: 1,
};

/** Variables whose incident flags are appended to the runtime settings' value (space-separated) instead of replacing it. */
export const APPENDED_ENV_VARIABLES: readonly string[] = ['NODE_OPTIONS', 'JAVA_TOOL_OPTIONS'];

/** Options of `incidentSettings`. */
export interface IncidentModeOptions {
  /**
   * When the incident mode was switched on (`YYYY-MM-DD` or an ISO 8601 time): it goes into the annotation so nobody
   * forgets to switch it off. Required, because a synth-time clock would change the manifests on every synth.
   */
  readonly since: string;
  /**
   * Why, such as an incident id; appended to the annotation.
   * @default - none
   */
  readonly reason?: string;
  /**
   * Temporary limit bump: the container limit (and an equal request) is multiplied by this, rounded up to whole MiB.
   * The runtime's heap settings stay those of the original limit, so the bump is headroom for the profiler.
   * @default - DEFAULT_INCIDENT_LIMIT_FACTORS[runtime]: python 1.6, node 1.5, others 1.0
   */
  readonly limitFactor?: number;
  /**
   * Python: `PYTHONTRACEMALLOC` frames per traceback. About 3.3x CPU and 1.5x peak memory (pyperformance geomean; P90
   * 8.7x CPU): incident only.
   * @default 25
   * @see https://docs.python.org/3/library/tracemalloc.html
   */
  readonly pythonTracemallocFrames?: number;
  /**
   * Node.js: how many heap snapshots `--heapsnapshot-near-heap-limit` may write.
   * @default 1
   * @see https://nodejs.org/api/cli.html#--heapsnapshot-near-heap-limitmax_count
   */
  readonly heapSnapshots?: number;
}

/** The emptyDir that receives the dumps (on disk: a `Memory` medium would count against the very limit under study). */
export interface IncidentVolume {
  readonly name: string;
  readonly mountPath: string;
  /** Room for the dumps: the original limit times the number of dumps (a heap dump is about the heap's size). */
  readonly sizeLimit: Memory;
}

/** What incident mode adds to one container. */
export interface IncidentSettings {
  readonly runtime: Runtime;
  /** Environment to merge over the runtime settings with `mergeIncidentEnv` (NODE_OPTIONS and JAVA_TOOL_OPTIONS append). */
  readonly env: Readonly<Record<string, string>>;
  /** The bump factor applied. */
  readonly limitFactor: number;
  /** The bumped limit (use it for the container's limit, and for its request when request == limit). */
  readonly limit: Memory;
  /** The emptyDir to add to the pod and mount in the container at `mountPath`. */
  readonly volume: IncidentVolume;
  /** Annotations for the workload's metadata and its pod template. */
  readonly annotations: Readonly<Record<string, string>>;
  /** What the settings cost, for a synth-time warning. */
  readonly warnings: readonly string[];
}

/** `limit` times `factor` (1.0 to 3.0), rounded up to whole MiB. */
export function bumpLimit(limit: Memory, factor: number, field = 'limitFactor'): Memory {
  checkRange(field, factor, 1, 3);
  return limit.times(factor, 'ceil').ceilTo(Memory.mebibytes(1));
}

/**
 * The runbook's incident profiling for one container, off by default and always marked:
 * - python: `PYTHONTRACEMALLOC=<frames>` (about 3.3x CPU, 1.5x memory) and `PYTHONFAULTHANDLER=1`;
 * - node: `NODE_OPTIONS=--heapsnapshot-near-heap-limit=<n> --diagnostic-dir=/memguard-diagnostics`;
 * - jvm: `JAVA_TOOL_OPTIONS=-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/memguard-diagnostics`;
 * - go, dotnet, generic: no profiling variable, only the limit bump and the marker;
 * plus a temporary limit bump, an emptyDir for the dumps and the `memguard.io/incident-mode` annotation.
 */
export function incidentSettings(runtime: Runtime, limit: Memory, options: IncidentModeOptions): IncidentSettings {
  checkOneOf('runtime', runtime, RUNTIMES);
  const since = options?.since;
  if (typeof since !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(since) || Number.isNaN(Date.parse(since))) {
    throw new InputError({ field: 'incidentMode.since', value: since, accepted: 'a date "YYYY-MM-DD" or an ISO 8601 time' });
  }
  const reason = options.reason?.trim();
  if (options.reason !== undefined && (!reason || /[\r\n]/.test(reason) || reason.length > 200)) {
    throw new InputError({ field: 'incidentMode.reason', value: options.reason, accepted: 'one line of 1 to 200 characters' });
  }
  const limitFactor = checkRange('incidentMode.limitFactor', options.limitFactor ?? DEFAULT_INCIDENT_LIMIT_FACTORS[runtime], 1, 3);
  const frames = checkInteger('incidentMode.pythonTracemallocFrames', options.pythonTracemallocFrames ?? 25, 1, 100);
  const snapshots = checkInteger('incidentMode.heapSnapshots', options.heapSnapshots ?? 1, 1, 5);
  const bumped = bumpLimit(limit, limitFactor, 'incidentMode.limitFactor');

  const env: Record<string, string> = {};
  const warnings: string[] = [];
  let dumps = 1;
  switch (runtime) {
    case 'python':
      env.PYTHONTRACEMALLOC = String(frames);
      env.PYTHONFAULTHANDLER = '1';
      warnings.push(`PYTHONTRACEMALLOC=${frames} costs about 3.3x CPU and 1.5x peak memory (up to 2.6x): switch incident mode off after the incident.`);
      if (limitFactor < 1.5) warnings.push(`limitFactor ${limitFactor} is below tracemalloc's ~1.5x memory overhead: expect OOM kills.`);
      break;
    case 'node':
      env.NODE_OPTIONS = `--heapsnapshot-near-heap-limit=${snapshots} --diagnostic-dir=${INCIDENT_DIAGNOSTICS_PATH}`;
      dumps = snapshots;
      warnings.push('A heap snapshot pauses the process and needs extra memory inside and outside the V8 heap.');
      break;
    case 'jvm':
      env.JAVA_TOOL_OPTIONS = `-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=${INCIDENT_DIAGNOSTICS_PATH}`;
      warnings.push('A heap dump on OutOfMemoryError is about the heap\'s size on disk and pauses the JVM while written.');
      break;
    default:
      warnings.push(`No profiling toggle for ${runtime}: incident mode only bumps the limit and marks the workload.`);
  }
  const annotation = `since ${since}${reason ? `: ${reason}` : ''}`;
  return {
    runtime,
    env,
    limitFactor,
    limit: bumped,
    volume: { name: INCIDENT_VOLUME_NAME, mountPath: INCIDENT_DIAGNOSTICS_PATH, sizeLimit: limit.times(dumps, 'ceil').ceilTo(Memory.mebibytes(1)) },
    annotations: { [INCIDENT_MODE_ANNOTATION]: annotation, [INCIDENT_LIMIT_FACTOR_ANNOTATION]: String(limitFactor) },
    warnings,
  };
}

/**
 * The runtime settings' environment with incident mode's merged over it: `NODE_OPTIONS` and `JAVA_TOOL_OPTIONS` are
 * appended (so `--max-old-space-size` and `MaxRAMPercentage` stay), every other variable is set.
 */
export function mergeIncidentEnv(base: Readonly<Record<string, string>>, incident: Readonly<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = { ...base };
  for (const [name, value] of Object.entries(incident)) {
    merged[name] = APPENDED_ENV_VARIABLES.includes(name) && base[name] ? `${base[name]} ${value}` : value;
  }
  return merged;
}
