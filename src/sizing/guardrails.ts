import { checkInteger, checkRange, InputError } from './errors';
import { Cpu, Memory } from './quantity';

/** What a namespace's memory guardrails are computed from. Every value has a default. */
export interface NamespaceGuardrailsOptions {
  /**
   * The namespace's memory budget: the ResourceQuota's `requests.memory` and `limits.memory`, and the base of the
   * defaults below.
   * @default - no ResourceQuota (unless `quotaPods` is set)
   */
  readonly memoryBudget?: Memory;
  /**
   * The memory limit a container gets when it sets none (LimitRange `default`).
   * @default - 1/16 of the budget rounded down to whole 64Mi, between 128Mi and 1Gi; 512Mi without a budget
   */
  readonly defaultMemoryLimit?: Memory;
  /**
   * The memory request a container gets when it sets none (LimitRange `defaultRequest`). Equal to the default limit so
   * that defaulted containers are not overcommitted.
   * @default - the default limit
   */
  readonly defaultMemoryRequest?: Memory;
  /**
   * The largest memory limit one container may have (LimitRange `max`). Keep it at or below the smallest node's
   * allocatable memory, or a pod may be unschedulable.
   * @default - half the budget; 8Gi without a budget
   */
  readonly maxMemory?: Memory;
  /**
   * The smallest memory limit or request (LimitRange `min`).
   * @default 16Mi
   */
  readonly minMemory?: Memory;
  /**
   * The largest memory limit/request ratio. 1 forces request == limit: memory cannot be reclaimed without a kill, so any
   * overcommit is paid for by an OOM kill or an eviction.
   * @default 1
   */
  readonly maxLimitRequestRatio?: number;
  /**
   * The CPU request a container gets when it sets none.
   * @default 100m
   */
  readonly defaultCpuRequest?: Cpu;
  /**
   * The CPU limit a container gets when it sets none. CPU is compressible and a limit throttles, so none by default.
   * @default - none
   */
  readonly defaultCpuLimit?: Cpu;
  /**
   * The ResourceQuota's `requests.cpu`.
   * @default - no CPU quota
   */
  readonly cpuBudget?: Cpu;
  /**
   * The ResourceQuota's pod count.
   * @default - no pod count
   */
  readonly quotaPods?: number;
}

/** Guardrail values with every default applied and checked. */
export interface ResolvedGuardrails {
  readonly defaultMemoryLimit: Memory;
  readonly defaultMemoryRequest: Memory;
  readonly maxMemory: Memory;
  readonly minMemory: Memory;
  readonly maxLimitRequestRatio: number;
  readonly defaultCpuRequest: Cpu;
  readonly defaultCpuLimit?: Cpu;
  readonly quota?: {
    readonly requestsMemory: Memory;
    readonly limitsMemory: Memory;
    readonly requestsCpu?: Cpu;
    readonly pods?: number;
  };
}

const MIN_BUDGET = Memory.mebibytes(256);

/**
 * Computes a namespace's LimitRange and ResourceQuota values and checks that they are consistent:
 * `min <= defaultRequest <= default <= max <= budget`, and `default / defaultRequest <= maxLimitRequestRatio`.
 */
export function namespaceGuardrails(options: NamespaceGuardrailsOptions = {}): ResolvedGuardrails {
  const budget = options.memoryBudget;
  if (budget && budget.isLessThan(MIN_BUDGET)) {
    throw new InputError({ field: 'memoryBudget', value: budget.toString(), accepted: `at least ${MIN_BUDGET}` });
  }
  const step = Memory.mebibytes(64);
  const derivedDefault = budget
    ? Memory.min(Memory.max(budget.times(1 / 16).floorTo(step), Memory.mebibytes(128)), Memory.gibibytes(1))
    : Memory.mebibytes(512);
  const defaultMemoryLimit = options.defaultMemoryLimit ?? derivedDefault;
  const defaultMemoryRequest = options.defaultMemoryRequest ?? defaultMemoryLimit;
  const maxMemory = options.maxMemory ?? (budget ? budget.times(1 / 2).floorTo(Memory.mebibytes(1)) : Memory.gibibytes(8));
  const minMemory = options.minMemory ?? Memory.mebibytes(16);
  const maxLimitRequestRatio = checkRange('maxLimitRequestRatio', options.maxLimitRequestRatio ?? 1, 1, 100);
  const quotaPods = options.quotaPods === undefined ? undefined : checkInteger('quotaPods', options.quotaPods, 1);

  const order: Array<[string, Memory, string, Memory]> = [
    ['minMemory', minMemory, 'defaultMemoryRequest', defaultMemoryRequest],
    ['defaultMemoryRequest', defaultMemoryRequest, 'defaultMemoryLimit', defaultMemoryLimit],
    ['defaultMemoryLimit', defaultMemoryLimit, 'maxMemory', maxMemory],
  ];
  if (budget) order.push(['maxMemory', maxMemory, 'memoryBudget', budget]);
  for (const [lowName, low, highName, high] of order) {
    if (low.isGreaterThan(high)) {
      throw new InputError({
        field: lowName,
        value: low.toString(),
        reason: `it is above ${highName} ${high}`,
        accepted: `at most ${highName} (${high}); the order must be minMemory <= defaultMemoryRequest <= defaultMemoryLimit <= maxMemory <= memoryBudget`,
      });
    }
  }
  const defaultRatio = defaultMemoryLimit.ratioTo(defaultMemoryRequest);
  if (defaultRatio > maxLimitRequestRatio + 1e-9) {
    throw new InputError({
      field: 'defaultMemoryLimit',
      value: defaultMemoryLimit.toString(),
      reason: `it is ${Number(defaultRatio.toFixed(3))}x defaultMemoryRequest ${defaultMemoryRequest}, above maxLimitRequestRatio ${maxLimitRequestRatio}`,
      accepted: `at most ${maxLimitRequestRatio}x defaultMemoryRequest, or raise maxLimitRequestRatio (the API server would reject every defaulted pod)`,
    });
  }
  if (options.defaultCpuLimit && options.defaultCpuRequest && options.defaultCpuRequest.millis > options.defaultCpuLimit.millis) {
    throw new InputError({
      field: 'defaultCpuRequest',
      value: options.defaultCpuRequest.toString(),
      reason: `it is above defaultCpuLimit ${options.defaultCpuLimit}`,
      accepted: 'at most defaultCpuLimit',
    });
  }
  const defaultCpuRequest = options.defaultCpuRequest ?? Cpu.millis(100);
  const wantsQuota = budget !== undefined || quotaPods !== undefined || options.cpuBudget !== undefined;
  if (wantsQuota && !budget) {
    throw new InputError({ field: 'memoryBudget', value: undefined, accepted: 'a memory quantity whenever a quota (quotaPods or cpuBudget) is asked for' });
  }
  return {
    defaultMemoryLimit,
    defaultMemoryRequest,
    maxMemory,
    minMemory,
    maxLimitRequestRatio,
    defaultCpuRequest,
    defaultCpuLimit: options.defaultCpuLimit,
    quota: budget ? { requestsMemory: budget, limitsMemory: budget, requestsCpu: options.cpuBudget, pods: quotaPods } : undefined,
  };
}
