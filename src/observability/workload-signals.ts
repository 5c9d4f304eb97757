import { containerWorkingSet, resolveSelectors, SignalSelectors, WorkloadScope, workingSetToLimitRatio } from './queries';
import { AlertRule, MemorySignals, PanelSection, Severity } from './types';
import { checkOneOf, checkRange, InputError } from '../sizing/errors';

/** The kinds whose pod names memguard knows how to match. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job';

/** A regex matching the pods a controller names after `name` (Deployment pods carry a ReplicaSet hash and a suffix). */
export function podNameRegex(kind: WorkloadKind, name: string): string {
  switch (kind) {
    case 'Deployment': return `${name}-[a-z0-9]+-[a-z0-9]{5}`;
    case 'StatefulSet': return `${name}-[0-9]+`;
    case 'DaemonSet': case 'Job': return `${name}-[a-z0-9]{5}`;
  }
}

/** Options of a workload's memory-near-limit alert. */
export interface MemoryNearLimitAlertOptions {
  /**
   * Alert when the working set exceeds this share of the limit.
   * @default 85
   */
  readonly thresholdPercent?: number;
  /**
   * How long the condition must hold, as a Prometheus duration.
   * @default '5m'
   */
  readonly forDuration?: string;
  /** @default 'warning' */
  readonly severity?: Severity;
  /** @default - kube-prometheus-stack's selectors */
  readonly selectors?: SignalSelectors;
}

/** One workload, as its signals see it. */
export interface WorkloadIdentity {
  readonly kind: WorkloadKind;
  /** The controller's `metadata.name`. */
  readonly name: string;
  readonly namespace?: string;
  /** The short name used for rule groups and dashboard sections. */
  readonly signalName: string;
}

const PROMETHEUS_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** The scope of a workload's pods, for the shared queries. */
export function workloadScope(workload: WorkloadIdentity): WorkloadScope {
  return { namespace: workload.namespace, podRegex: podNameRegex(workload.kind, workload.name) };
}

/** An alert that fires when a container of the workload stays above `thresholdPercent` of its memory limit. */
export function workloadMemoryNearLimitRule(workload: WorkloadIdentity, options: MemoryNearLimitAlertOptions = {}): AlertRule {
  const threshold = checkRange('thresholdPercent', options.thresholdPercent ?? 85, 1, 100, '%');
  const forDuration = options.forDuration ?? '5m';
  if (!PROMETHEUS_DURATION.test(forDuration)) {
    throw new InputError({ field: 'forDuration', value: forDuration, accepted: 'a Prometheus duration such as 30s, 5m or 1h' });
  }
  const severity = checkOneOf('severity', options.severity ?? 'warning', ['info', 'warning', 'critical'] as const);
  return {
    alert: 'WorkloadMemoryNearLimit',
    expr: `${workingSetToLimitRatio(resolveSelectors(options.selectors), workloadScope(workload))}\n> ${threshold / 100}`,
    for: forDuration,
    labels: { severity, workload: workload.name },
    annotations: {
      summary: `${workload.kind} ${workload.name} is above ${threshold}% of its memory limit.`,
      description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit.',
      runbook_url: 'https://github.com/memguard/memguard#runbook-containermemorynearlimit',
    },
  };
}

/** A dashboard row for one workload: its working set by container, and the same as a share of the limit. */
export function workloadDashboardSection(workload: WorkloadIdentity, selectors?: SignalSelectors): PanelSection {
  const resolved = resolveSelectors(selectors);
  const scope = workloadScope(workload);
  return {
    title: `${workload.kind} ${workload.name}`,
    panels: [
      { title: 'Working set by container', unit: 'bytes', queries: [{ expr: containerWorkingSet(resolved, scope), legendFormat: '{{pod}}/{{container}}' }] },
      {
        title: 'Working set / limit',
        unit: 'percentunit',
        queries: [{ expr: workingSetToLimitRatio(resolved, scope), legendFormat: '{{pod}}/{{container}}' }],
        thresholds: [0.85, 0.95],
      },
    ],
  };
}

/** The default signals of a workload that has no signals of its own: the near-limit alert and its dashboard row. */
export function workloadMemorySignals(workload: WorkloadIdentity, options: MemoryNearLimitAlertOptions = {}): MemorySignals {
  const rule = workloadMemoryNearLimitRule(workload, options);
  return {
    signalName: workload.signalName,
    alertRules: () => [rule],
    dashboardSection: () => workloadDashboardSection(workload, options.selectors),
  };
}
