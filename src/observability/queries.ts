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
