import { podSpecOf } from './limit-policy';
import { Cpu, Memory } from './quantity';

/** One workload's share of a namespace's `limits.memory` quota. */
export interface WorkloadMemoryShare {
  readonly kind: string;
  readonly name: string;
  /** The pod's effective memory limit: max(sum of app containers, largest init container), as the quota counts it. */
  readonly podLimit: Memory;
  /** How many pods can exist at once, counting rolling-update surge and an HPA's maxReplicas. */
  readonly pods: number;
  readonly total: Memory;
  /** The pod's effective CPU request in millicores (same rule as memory), as `requests.cpu` quota counts it. */
  readonly podCpuRequestMillis: number;
  /** `podCpuRequestMillis x pods`. */
  readonly cpuTotalMillis: number;
  /** How `pods` was counted, for error messages. */
  readonly podsReason: string;
  /** Containers without a memory limit (the quota would reject the pod). */
  readonly unlimitedContainers: readonly string[];
}

/**
 * How much of a namespace's `limits.memory` quota each workload can hold at its peak. A rolling update creates surge pods
 * before it removes old ones, and the quota admits them only if they fit: a Deployment whose surge does not fit gets
 * stuck mid-rollout, so the surge is counted.
 *
 * @param maxReplicas the HPA maximum per `Kind/name`, where an HPA scales the workload
 */
export function workloadMemoryShares(objects: readonly any[], maxReplicas: ReadonlyMap<string, number> = new Map()): WorkloadMemoryShare[] {
  const shares: WorkloadMemoryShare[] = [];
  for (const object of objects) {
    const spec = podSpecOf(object);
    if (!spec) continue;
    const unlimited: string[] = [];
    const limitOf = (c: any): number => {
      const text = c.resources?.limits?.memory;
      if (text === undefined) { unlimited.push(c.name); return 0; }
      return Memory.parse(String(text)).bytes;
    };
    const podLimit = Memory.bytes(effectivePodValue(spec, limitOf));
    const cpuOf = (c: any): number => {
      const text = c.resources?.requests?.cpu;
      return text === undefined ? 0 : Cpu.parse(String(text)).millis;
    };
    const podCpuRequestMillis = effectivePodValue(spec, cpuOf);
    const { pods, reason } = peakPods(object, maxReplicas.get(`${object.kind}/${object.metadata?.name}`));
    shares.push({
      kind: object.kind,
      name: object.metadata?.name ?? '<unnamed>',
      podLimit,
      pods,
      total: podLimit.times(pods),
      podCpuRequestMillis,
      cpuTotalMillis: podCpuRequestMillis * pods,
      podsReason: reason,
      unlimitedContainers: unlimited,
    });
  }
  return shares;
}

/** A pod's effective value of a per-container resource: max(sum over app containers, largest init container). */
function effectivePodValue(spec: any, valueOf: (container: any) => number): number {
  const appContainers = (spec.containers ?? []).reduce((sum: number, c: any) => sum + valueOf(c), 0);
  const largestInit = (spec.initContainers ?? []).reduce((max: number, c: any) => Math.max(max, valueOf(c)), 0);
  return Math.max(appContainers, largestInit);
}

function peakPods(object: any, hpaMaxReplicas: number | undefined): { pods: number; reason: string } {
  const replicas = hpaMaxReplicas ?? object.spec?.replicas ?? 1;
  const replicasReason = hpaMaxReplicas !== undefined ? `HPA maxReplicas ${hpaMaxReplicas}` : `${replicas} replica${replicas === 1 ? '' : 's'}`;
  switch (object.kind) {
    case 'Deployment': {
      const strategy = object.spec?.strategy;
      if (strategy?.type === 'Recreate') return { pods: replicas, reason: `${replicasReason}, Recreate` };
      const surge = resolvePercent(strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, 'ceil');
      return { pods: replicas + surge, reason: `${replicasReason} + ${surge} rolling-update surge` };
    }
    case 'StatefulSet': case 'ReplicaSet':
      return { pods: replicas, reason: replicasReason };
    case 'Job':
      return { pods: object.spec?.parallelism ?? 1, reason: 'job parallelism' };
    case 'CronJob': {
      const parallelism = object.spec?.jobTemplate?.spec?.parallelism ?? 1;
      // Without Forbid, a slow run overlaps the next one.
      const runs = object.spec?.concurrencyPolicy === 'Forbid' || object.spec?.concurrencyPolicy === 'Replace' ? 1 : 2;
      return { pods: parallelism * runs, reason: runs === 1 ? 'one run at a time' : 'two overlapping runs (concurrencyPolicy Allow)' };
    }
    default:
      return { pods: 1, reason: 'one pod' };
  }
}

/** A Kubernetes int-or-percent (`25%` or `1`) against `total`, rounded as the controller rounds it. */
function resolvePercent(value: string | number, total: number, rounding: 'ceil' | 'floor'): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return Number(value) || 0;
  const exact = (Number(match[1]) * total) / 100;
  return rounding === 'ceil' ? Math.ceil(exact) : Math.floor(exact);
}
