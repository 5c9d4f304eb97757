/**
 * The memguard alert rules: one configuration in, `RuleGroup[]` out (the alert-factory layer of cdk-monitoring-constructs:
 * each factory fixes the operator, `for`, severity and text). Names and severities are a public contract.
 */
import { MemoryAlertsConfig, ResolvedMemoryAlertsConfig, ResolvedTier, parsePrometheusDuration, resolveMemoryAlertsConfig, runbookUrl } from './config';
import { escalationRules } from './escalation';
import * as q from './queries';
import { WorkloadScope } from './queries';
import { AlertRule, RuleGroup, Severity } from './types';

/** Group names of the default set. */
export const MEMORY_RULE_GROUPS = {
  container: 'memguard-container-memory',
  node: 'memguard-node-memory',
  escalation: 'memguard-memory-escalation',
} as const;

/** What an alert factory needs besides the configuration. */
export interface AlertDefinition {
  readonly alert: string;
  readonly expr: string;
  readonly severity: Severity;
  /** A Prometheus duration; `0m` (or `0s`) emits no `for`. */
  readonly for: string;
  readonly summary: string;
  readonly description: string;
  /** More labels (merged after the configuration's `extraLabels`). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One alert rule with memguard's label and annotation conventions: severity, extra labels, summary, description, runbook_url. */
export function alertRule(config: ResolvedMemoryAlertsConfig, definition: AlertDefinition): AlertRule {
  const forSeconds = parsePrometheusDuration(`${definition.alert}.for`, definition.for);
  return {
    alert: definition.alert,
    expr: definition.expr,
    ...(forSeconds > 0 ? { for: definition.for } : {}),
    labels: { ...config.extraLabels, ...definition.labels, severity: definition.severity },
    annotations: {
      summary: definition.summary,
      description: definition.description,
      runbook_url: runbookUrl(config.runbookUrlPattern, definition.alert),
    },
  };
}

const CONTAINER = '{{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }}';
const NODE = '{{ $labels.instance }}';

/** Options of `containerMemoryNearLimitRules`. */
export interface NearLimitRuleOptions {
  /** The alert name. @default 'ContainerMemoryNearLimit' */
  readonly alertName?: string;
  /** A workload name for the text, such as `Deployment web`. @default - the container's labels only */
  readonly workload?: string;
}

/**
 * The ContainerMemoryNearLimit tiers (working set / limit, per severity) for one scope: the default set uses the
 * configuration's scope, a workload construct passes its own (`alertOnMemoryNearLimit`).
 */
export function containerMemoryNearLimitRules(
  config: ResolvedMemoryAlertsConfig, scope: WorkloadScope = config.scope, options: NearLimitRuleOptions = {},
): AlertRule[] {
  const alert = options.alertName ?? 'ContainerMemoryNearLimit';
  const what = options.workload ? `${options.workload} container ${CONTAINER}` : `Container ${CONTAINER}`;
  return tiers(config.thresholds.containerMemoryNearLimit).map(([severity, tier]) => alertRule(config, {
    alert,
    severity,
    for: tier.for,
    expr: `${q.workingSetToLimitRatio(config.selectors, scope)}\n  > ${tier.threshold}`,
    summary: `${what} uses {{ $value | humanizePercentage }} of its memory limit.`,
    description: `${what} has used more than ${percent(tier.threshold)} of its memory limit for ${tier.for} `
      + '(working set, what the kubelet evicts on and the OOM killer acts on). At the limit the kernel OOM-kills it. '
      + 'Raise the limit or find what holds the memory.',
  }));
}

/** The container alerts of the default set. */
export function containerMemoryRules(config: ResolvedMemoryAlertsConfig): AlertRule[] {
  const { selectors, scope, thresholds, windows } = config;
  const rules: AlertRule[] = [...containerMemoryNearLimitRules(config)];
  for (const [severity, tier] of tiers(thresholds.containerMemoryLimitMissing)) {
    rules.push(alertRule(config, {
      alert: 'ContainerMemoryLimitMissing',
      severity,
      for: tier.for,
      expr: q.containerMemoryLimitMissing(selectors, scope),
      summary: `Container ${CONTAINER} runs without a memory limit.`,
      description: `Container ${CONTAINER} has no memory limit, so ContainerMemoryNearLimit cannot watch it and it can `
        + 'take memory from every pod on its node until the node runs out. Set a limit (memguard sizes one).',
    }));
  }
  for (const [severity, tier] of tiers(thresholds.containerOOMKilled)) {
    rules.push(alertRule(config, {
      alert: 'ContainerOOMKilled',
      severity,
      for: tier.for,
      expr: q.containerOomKilledRestarts(selectors, scope, windows.oomKill),
      summary: `Container ${CONTAINER} was OOM-killed.`,
      description: `Container ${CONTAINER} restarted in the last ${windows.oomKill} and its last termination reason is `
        + 'OOMKilled: it reached its memory limit. Check its working set against the limit and recent changes.',
    }));
  }
  for (const [severity, tier] of tiers(thresholds.containerOOMKilledRepeatedly)) {
    rules.push(alertRule(config, {
      alert: 'ContainerOOMKilledRepeatedly',
      severity,
      for: tier.for,
      expr: q.containerOomKilledRestarts(selectors, scope, windows.oomKillRepeated, tier.threshold),
      summary: `Container ${CONTAINER} was OOM-killed {{ $value | humanize }} times in ${windows.oomKillRepeated}.`,
      description: `Container ${CONTAINER} restarted at least ${tier.threshold} times in the last ${windows.oomKillRepeated} `
        + 'and was last terminated as OOMKilled: it is in an OOM loop. Raise its memory limit now, then find the cause.',
    }));
  }
  for (const [severity, tier] of tiers(thresholds.containerMemoryLeakSuspected)) {
    const horizon = parsePrometheusDuration('windows.leakHorizon', windows.leakHorizon);
    rules.push(alertRule(config, {
      alert: 'ContainerMemoryLeakSuspected',
      severity,
      for: tier.for,
      expr: `(\n${q.containerWorkingSetPredictedToLimitRatio(selectors, scope, windows.leakLookback, horizon)}\n  >= ${tier.threshold}\n)\n  and on (namespace, pod, container)\n(${q.containerWorkingSetGrowing(selectors, scope, windows.leakLookback)})`,
      summary: `Container ${CONTAINER} is predicted to reach its memory limit within ${windows.leakHorizon}.`,
      description: `The working set of ${CONTAINER} grew over the last ${windows.leakLookback} and, at that rate, reaches `
        + `${percent(tier.threshold)} of its limit within ${windows.leakHorizon} (predicted {{ $value | humanizePercentage }}). `
        + 'A steady climb that never levels off suggests a leak: take a heap profile before it is OOM-killed.',
    }));
  }
  return rules;
}

/** The node alerts of the default set (node-exporter). */
export function nodeMemoryRules(config: ResolvedMemoryAlertsConfig): AlertRule[] {
  const { selectors, thresholds, windows } = config;
  const rules: AlertRule[] = [];
  for (const [severity, tier] of tiers(thresholds.nodeMemoryHigh)) {
    rules.push(alertRule(config, {
      alert: 'NodeMemoryHigh',
      severity,
      for: tier.for,
      expr: `${q.nodeMemoryUtilisation(selectors)} > ${tier.threshold}`,
      summary: `Node ${NODE} uses {{ $value | humanizePercentage }} of its memory.`,
      description: `Node ${NODE} has had less than ${percent(1 - tier.threshold)} of its memory available for ${tier.for}. `
        + 'The kubelet starts evicting pods under memory pressure and the kernel OOM-kills when it runs out.',
    }));
  }
  for (const [severity, tier] of tiers(thresholds.nodeOOMKillDetected)) {
    rules.push(alertRule(config, {
      alert: 'NodeOOMKillDetected',
      severity,
      for: tier.for,
      expr: `${q.nodeOomKills(selectors, windows.nodeOomKill)} > ${tier.threshold}`,
      summary: `The kernel OOM-killed processes on node ${NODE}.`,
      description: `The kernel on ${NODE} OOM-killed about {{ $value | humanize }} processes in the last ${windows.nodeOomKill}. `
        + 'This counts kills inside containers (their limit) and of node processes (the node ran out).',
    }));
  }
  for (const [severity, tier] of tiers(thresholds.nodeSwapFillingUp)) {
    rules.push(alertRule(config, {
      alert: 'NodeSwapFillingUp',
      severity,
      for: tier.for,
      expr: `${q.nodeSwapUtilisation(selectors)} > ${tier.threshold}`,
      summary: `Node ${NODE} uses {{ $value | humanizePercentage }} of its swap.`,
      description: `Node ${NODE} has used more than ${percent(tier.threshold)} of its swap for ${tier.for}. `
        + 'Memory demand exceeds RAM; latency suffers when pages are swapped back in.',
    }));
  }
  for (const [severity, tier] of tiers(thresholds.nodeMemoryPressure)) {
    rules.push(alertRule(config, {
      alert: 'NodeMemoryPressure',
      severity,
      for: tier.for,
      expr: `${q.nodeMemoryPressureWaiting(selectors, windows.rate)} > ${tier.threshold}`,
      summary: `Tasks on node ${NODE} wait on memory {{ $value | humanizePercentage }} of the time.`,
      description: `Pressure stall information on ${NODE}: some tasks have waited on memory (reclaim, swap-in, refaults) more `
        + `than ${percent(tier.threshold)} of the time for ${tier.for}. The node is short of memory even if MemAvailable looks fine.`,
    }));
  }
  for (const [severity, tier] of tiers(thresholds.nodeMemoryMajorPageFaults)) {
    rules.push(alertRule(config, {
      alert: 'NodeMemoryMajorPageFaults',
      severity,
      for: tier.for,
      expr: `${q.nodeMajorPageFaults(selectors, windows.rate)} > ${tier.threshold}`,
      summary: `Node ${NODE} has {{ $value | humanize }} major page faults per second.`,
      description: `Node ${NODE} has read more than ${tier.threshold} pages per second back from disk for ${tier.for}: `
        + 'the page cache or anonymous memory is being reclaimed and re-read, a sign of memory pressure.',
    }));
  }
  return rules;
}

/**
 * The default memguard rule groups for a configuration: container alerts, node alerts and the escalation tiers.
 * Throws InputError for a bad configuration before anything is built.
 */
export function memoryAlertRuleGroups(config: MemoryAlertsConfig = {}): RuleGroup[] {
  const resolved = resolveMemoryAlertsConfig(config);
  const interval = resolved.interval ? { interval: resolved.interval } : {};
  const container = containerMemoryRules(resolved);
  const node = nodeMemoryRules(resolved);
  const groups: RuleGroup[] = [
    { name: MEMORY_RULE_GROUPS.container, ...interval, rules: container },
    { name: MEMORY_RULE_GROUPS.node, ...interval, rules: node },
  ];
  const escalation = escalationRules(resolved, [...container, ...node]);
  if (escalation.length > 0) groups.push({ name: MEMORY_RULE_GROUPS.escalation, ...interval, rules: escalation });
  return groups.filter((g) => g.rules.length > 0);
}

function tiers<K extends Severity>(record: { readonly [S in K]?: ResolvedTier }): Array<[K, ResolvedTier]> {
  return (Object.entries(record) as Array<[K, ResolvedTier | undefined]>).filter((e): e is [K, ResolvedTier] => e[1] !== undefined);
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
