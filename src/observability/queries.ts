/**
 * Every PromQL expression memguard uses is written once, here, and shared by the alert rules, the dashboard panels,
 * the constructs' own signal methods and the remediation program.
 */

/** Label selectors of the three exporters, as kube-prometheus-stack scrapes them. */
export interface SignalSelectors {
  /**
   * cAdvisor series (container working set, OOM events).
   * @default 'job="kubelet", metrics_path="/metrics/cadvisor"'
   */
  readonly cadvisor?: string;
  /**
   * kube-state-metrics series (limits, restarts, last terminated reason).
   * @default 'job="kube-state-metrics"'
   */
  readonly kubeStateMetrics?: string;
  /**
   * node-exporter series (MemAvailable, swap, PSI, vmstat).
   * @default 'job="node-exporter"'
   */
  readonly nodeExporter?: string;
}

/** The selectors with every default applied. */
export type ResolvedSelectors = Required<SignalSelectors>;

/** The kube-prometheus-stack defaults. */
export const DEFAULT_SELECTORS: ResolvedSelectors = {
  cadvisor: 'job="kubelet", metrics_path="/metrics/cadvisor"',
  kubeStateMetrics: 'job="kube-state-metrics"',
  nodeExporter: 'job="node-exporter"',
};

/** Apply the defaults once. */
export function resolveSelectors(selectors: SignalSelectors = {}): ResolvedSelectors {
  return {
    cadvisor: selectors.cadvisor ?? DEFAULT_SELECTORS.cadvisor,
    kubeStateMetrics: selectors.kubeStateMetrics ?? DEFAULT_SELECTORS.kubeStateMetrics,
    nodeExporter: selectors.nodeExporter ?? DEFAULT_SELECTORS.nodeExporter,
  };
}

/** Narrows a query to some workloads. Every field is a label matcher value; regexes use `=~`. */
export interface WorkloadScope {
  /** Exact namespace. */
  readonly namespace?: string;
  /** Namespace regex (for several namespaces), used when `namespace` is not set. */
  readonly namespaceRegex?: string;
  /** Pod name regex, such as `web-.*` for a Deployment's pods. */
  readonly podRegex?: string;
  /** Exact container name. */
  readonly container?: string;
}

/** Extra matchers for a scope, each with a leading comma so it can follow a selector. */
export function scopeMatchers(scope: WorkloadScope = {}): string {
  const parts: string[] = [];
  if (scope.namespace !== undefined) parts.push(`namespace="${scope.namespace}"`);
  else if (scope.namespaceRegex !== undefined) parts.push(`namespace=~"${scope.namespaceRegex}"`);
  if (scope.podRegex !== undefined) parts.push(`pod=~"${scope.podRegex}"`);
  if (scope.container !== undefined) parts.push(`container="${scope.container}"`);
  return parts.map((p) => `, ${p}`).join('');
}

/** The cAdvisor filter that drops the pod-level (`container=""`) and pause (`POD`) series, and image-less ones. */
const REAL_CONTAINERS = 'container!="", container!="POD", image!=""';

/**
 * Working set bytes per container (what the kubelet evicts on and the OOM killer acts on; unlike
 * `container_memory_usage_bytes` it excludes reclaimable page cache), deduplicated across scrapes.
 */
export function containerWorkingSet(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (container_memory_working_set_bytes{${selectors.cadvisor}, ${REAL_CONTAINERS}${scopeMatchers(scope)}})`;
}

/**
 * Memory limit bytes per container from kube-state-metrics (kube-prometheus-stack drops cAdvisor's spec metrics).
 * Only containers that have a limit appear, so a ratio over it never divides by zero.
 */
export function containerMemoryLimit(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (kube_pod_container_resource_limits{${selectors.kubeStateMetrics}, resource="memory"${scopeMatchers(scope)}} > 0)`;
}

/** Memory request bytes per container from kube-state-metrics. */
export function containerMemoryRequest(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (kube_pod_container_resource_requests{${selectors.kubeStateMetrics}, resource="memory"${scopeMatchers(scope)}})`;
}

/** Working set as a fraction of the limit, per container; absent (never +Inf) where no limit is set. */
export function workingSetToLimitRatio(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `${containerWorkingSet(selectors, scope)}\n  / on (namespace, pod, container)\n${containerMemoryLimit(selectors, scope)}`;
}

/** The raw cAdvisor working-set series (per cgroup, before de-duplication), for range functions. */
function rawWorkingSet(selectors: ResolvedSelectors, scope: WorkloadScope): string {
  return `container_memory_working_set_bytes{${selectors.cadvisor}, ${REAL_CONTAINERS}${scopeMatchers(scope)}}`;
}

/** A kube-state-metrics selector narrowed to a scope; `extra` is appended as more matchers. */
function ksm(selectors: ResolvedSelectors, metric: string, scope: WorkloadScope, extra = ''): string {
  return `${metric}{${selectors.kubeStateMetrics}${extra}${scopeMatchers(scope)}}`;
}

/** Working set divided by the request, per container; absent where no request is set. */
export function workingSetToRequestRatio(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `${containerWorkingSet(selectors, scope)}\n  / on (namespace, pod, container)\n(${containerMemoryRequest(selectors, scope)} > 0)`;
}

/** RSS bytes per container (anonymous memory: what the OOM killer scores), deduplicated. */
export function containerRss(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (container_memory_rss{${selectors.cadvisor}, ${REAL_CONTAINERS}${scopeMatchers(scope)}})`;
}

/** Page cache bytes per container, deduplicated (counted in usage; only its active part counts in the working set). */
export function containerCache(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (container_memory_cache{${selectors.cadvisor}, ${REAL_CONTAINERS}${scopeMatchers(scope)}})`;
}

/**
 * Container restarts in `window`, per container. `increase` handles counter resets, and a new pod (a new series)
 * starts from its own first sample, so neither counts as a restart.
 */
export function containerRestartsIncrease(selectors: ResolvedSelectors, scope: WorkloadScope = {}, window = '10m'): string {
  return `max by (namespace, pod, container) (increase(${ksm(selectors, 'kube_pod_container_status_restarts_total', scope)}[${window}]))`;
}

/**
 * 1 per container whose last termination was an OOM kill. An experimental kube-state-metrics gauge that stays 1 until
 * the next termination, so on its own it says nothing about "recently": join it with a restart increase.
 */
export function containerLastTerminatedOomKilled(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (${ksm(selectors, 'kube_pod_container_status_last_terminated_reason', scope, ', reason="OOMKilled"')}) == 1`;
}

/**
 * Restarts in `window` of containers whose last termination was an OOM kill: the value is the number of restarts
 * (`and` keeps the left-hand side). Present when there was at least one such restart, or at least `minRestarts`.
 */
export function containerOomKilledRestarts(selectors: ResolvedSelectors, scope: WorkloadScope = {}, window = '10m', minRestarts?: number): string {
  const comparison = minRestarts === undefined ? '> 0' : `>= ${minRestarts}`;
  return `(${containerRestartsIncrease(selectors, scope, window)} ${comparison})\n  and on (namespace, pod, container)\n(${containerLastTerminatedOomKilled(selectors, scope)})`;
}

/** Running containers that have no memory limit (kube-state-metrics has no limit series for them). */
export function containerMemoryLimitMissing(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `max by (namespace, pod, container) (${ksm(selectors, 'kube_pod_container_status_running', scope)} == 1)\n  unless on (namespace, pod, container)\n${ksm(selectors, 'kube_pod_container_resource_limits', scope, ', resource="memory"')}`;
}

/**
 * The working set `horizonSeconds` ahead, by linear regression over `lookback`, as a fraction of the limit (absent
 * where no limit is set). Compare it, then join with `containerWorkingSetGrowing`.
 */
export function containerWorkingSetPredictedToLimitRatio(
  selectors: ResolvedSelectors, scope: WorkloadScope = {}, lookback = '1h', horizonSeconds = 4 * 3600,
): string {
  return `max by (namespace, pod, container) (predict_linear(${rawWorkingSet(selectors, scope)}[${lookback}], ${horizonSeconds}))\n  / on (namespace, pod, container)\n${containerMemoryLimit(selectors, scope)}`;
}

/** Containers whose working set grew over `lookback` (positive regression slope): a filter for `and on`. */
export function containerWorkingSetGrowing(selectors: ResolvedSelectors, scope: WorkloadScope = {}, lookback = '1h'): string {
  return `max by (namespace, pod, container) (deriv(${rawWorkingSet(selectors, scope)}[${lookback}])) > 0`;
}

/** Fraction of time a container's tasks waited on memory (PSI "some"; cAdvisor, cgroup v2, Kubernetes >= 1.34). */
export function containerMemoryPressure(selectors: ResolvedSelectors, scope: WorkloadScope = {}, window = '5m'): string {
  return `max by (namespace, pod, container) (rate(container_pressure_memory_waiting_seconds_total{${selectors.cadvisor}, ${REAL_CONTAINERS}${scopeMatchers(scope)}}[${window}]))`;
}

/** The `count` pods with the largest working set, summed over their containers. */
export function topMemoryConsumers(selectors: ResolvedSelectors, scope: WorkloadScope = {}, count = 10): string {
  return `topk(${count}, sum by (namespace, pod) (${containerWorkingSet(selectors, scope)}))`;
}

/** Working set summed per namespace. */
export function namespaceWorkingSet(selectors: ResolvedSelectors, scope: WorkloadScope = {}): string {
  return `sum by (namespace) (${containerWorkingSet(selectors, scope)})`;
}

/** Fraction of node memory in use: 1 - MemAvailable / MemTotal (MemAvailable counts reclaimable cache as free). */
export function nodeMemoryUtilisation(selectors: ResolvedSelectors): string {
  return `1 - node_memory_MemAvailable_bytes{${selectors.nodeExporter}} / node_memory_MemTotal_bytes{${selectors.nodeExporter}}`;
}

/** Bytes in use per node: MemTotal - MemAvailable. */
export function nodeMemoryUsed(selectors: ResolvedSelectors): string {
  return `node_memory_MemTotal_bytes{${selectors.nodeExporter}} - node_memory_MemAvailable_bytes{${selectors.nodeExporter}}`;
}

/** Total memory per node. */
export function nodeMemoryTotal(selectors: ResolvedSelectors): string {
  return `node_memory_MemTotal_bytes{${selectors.nodeExporter}}`;
}

/** Kernel OOM kills per node in `window` (vmstat counters reset on reboot, so `increase`, never `delta`). */
export function nodeOomKills(selectors: ResolvedSelectors, window = '5m'): string {
  return `increase(node_vmstat_oom_kill{${selectors.nodeExporter}}[${window}])`;
}

/** Fraction of swap in use, only on nodes that have swap (no series, never NaN, where SwapTotal is 0). */
export function nodeSwapUtilisation(selectors: ResolvedSelectors): string {
  return `1 - node_memory_SwapFree_bytes{${selectors.nodeExporter}} / (node_memory_SwapTotal_bytes{${selectors.nodeExporter}} > 0)`;
}

/** Swap bytes in use, only on nodes that have swap. */
export function nodeSwapUsed(selectors: ResolvedSelectors): string {
  return `(node_memory_SwapTotal_bytes{${selectors.nodeExporter}} > 0) - node_memory_SwapFree_bytes{${selectors.nodeExporter}}`;
}

/** Pages swapped in plus out per second: swap activity, the thrash signal. */
export function nodeSwapActivity(selectors: ResolvedSelectors, window = '5m'): string {
  return `rate(node_vmstat_pswpin{${selectors.nodeExporter}}[${window}]) + rate(node_vmstat_pswpout{${selectors.nodeExporter}}[${window}])`;
}

/** Fraction of time some task on the node waited on memory (PSI "some"; kernel >= 4.20). */
export function nodeMemoryPressureWaiting(selectors: ResolvedSelectors, window = '5m'): string {
  return `rate(node_pressure_memory_waiting_seconds_total{${selectors.nodeExporter}}[${window}])`;
}

/** Fraction of time all non-idle tasks on the node stalled on memory (PSI "full"). */
export function nodeMemoryPressureStalled(selectors: ResolvedSelectors, window = '5m'): string {
  return `rate(node_pressure_memory_stalled_seconds_total{${selectors.nodeExporter}}[${window}])`;
}

/**
 * 1 per node whose kubelet reports the MemoryPressure condition (kube-state-metrics, labelled by Kubernetes `node`
 * name, unlike node-exporter's PSI series, which carry `instance`): the node is evicting pods for memory.
 */
export function nodeMemoryPressureCondition(selectors: ResolvedSelectors): string {
  return `max by (node) (kube_node_status_condition{${selectors.kubeStateMetrics}, condition="MemoryPressure", status="true"}) == 1`;
}

/** Major page faults per second per node (pages read back from disk: reclaim pressure). */
export function nodeMajorPageFaults(selectors: ResolvedSelectors, window = '5m'): string {
  return `rate(node_vmstat_pgmajfault{${selectors.nodeExporter}}[${window}])`;
}
