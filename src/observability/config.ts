/**
 * The one configuration that drives memguard's memory alerts, their escalation and the dashboard (the kubernetes-mixin
 * `_config` idea): selectors, thresholds keyed by severity, `for` durations, runbook URL pattern, extra labels and the
 * escalation policy. Defaults are applied once, here, and every value is validated before any rule is built.
 */
import { ResolvedSelectors, SignalSelectors, WorkloadScope, resolveSelectors } from './queries';
import { InputError } from '../sizing/errors';

/** One severity tier of an alert: the threshold and how long the condition must hold. */
export interface AlertTier {
  /** The threshold; its unit is the alert's own (a ratio, a count, a rate). @default - the alert's default */
  readonly threshold?: number;
  /** A Prometheus duration such as `5m`, or `0m` to fire at once. @default - the alert's default */
  readonly for?: string;
}

/** Tiers keyed by severity; `false` switches a tier off. */
export interface WarningCriticalTiers {
  /** @default - the alert's warning defaults */
  readonly warning?: AlertTier | false;
  /** @default - the alert's critical defaults */
  readonly critical?: AlertTier | false;
}

/** An alert with a warning tier only; `false` switches it off. */
export interface WarningTier {
  /** @default - the alert's warning defaults */
  readonly warning?: AlertTier | false;
}

/** An alert with a critical tier only; `false` switches it off. */
export interface CriticalTier {
  /** @default - the alert's critical defaults */
  readonly critical?: AlertTier | false;
}

/** An alert with an info tier only; `false` switches it off. */
export interface InfoTier {
  /** @default - the alert's info defaults */
  readonly info?: AlertTier | false;
}

/** Thresholds and `for` durations per alert, keyed by severity (the public alert names, in camel case). */
export interface MemoryAlertThresholds {
  /** Working set / limit. @default { warning: { threshold: 0.85, for: '5m' }, critical: { threshold: 0.95, for: '2m' } } */
  readonly containerMemoryNearLimit?: WarningCriticalTiers;
  /** A running container without a memory limit (no threshold). @default { info: { for: '15m' } } */
  readonly containerMemoryLimitMissing?: InfoTier;
  /** Restarts with last reason OOMKilled within `windows.oomKill` (threshold unused). @default { warning: { for: '0m' } } */
  readonly containerOOMKilled?: WarningTier;
  /** Such restarts within `windows.oomKillRepeated`, at least `threshold`. @default { critical: { threshold: 3, for: '0m' } } */
  readonly containerOOMKilledRepeatedly?: CriticalTier;
  /** Predicted working set / limit after `windows.leakHorizon`, at least `threshold`. @default { warning: { threshold: 1, for: '30m' } } */
  readonly containerMemoryLeakSuspected?: WarningTier;
  /** 1 - MemAvailable / MemTotal. @default { warning: { threshold: 0.85, for: '5m' }, critical: { threshold: 0.95, for: '2m' } } */
  readonly nodeMemoryHigh?: WarningCriticalTiers;
  /** Kernel OOM kills within `windows.nodeOomKill`, above `threshold`. @default { warning: { threshold: 0, for: '0m' } } */
  readonly nodeOOMKillDetected?: WarningTier;
  /** Fraction of swap used (nodes with swap only). @default { warning: { threshold: 0.5, for: '10m' } } */
  readonly nodeSwapFillingUp?: WarningTier;
  /** PSI memory "some" stall fraction. @default { warning: { threshold: 0.1, for: '10m' } } */
  readonly nodeMemoryPressure?: WarningTier;
  /** Major page faults per second. @default { warning: { threshold: 500, for: '15m' } } */
  readonly nodeMemoryMajorPageFaults?: WarningTier;
}

/** The windows of the range functions. Prometheus durations. */
export interface MemoryAlertWindows {
  /** A restart counts as "recent" within this window. @default '10m' */
  readonly oomKill?: string;
  /** Window for ContainerOOMKilledRepeatedly. @default '1h' */
  readonly oomKillRepeated?: string;
  /** Regression window of the leak check. @default '1h' */
  readonly leakLookback?: string;
  /** How far ahead the leak check predicts. @default '4h' */
  readonly leakHorizon?: string;
  /** Window of `increase(node_vmstat_oom_kill[...])`. @default '5m' */
  readonly nodeOomKill?: string;
  /** Window of the `rate()`s (PSI, page faults). @default '5m' */
  readonly rate?: string;
}

/** One escalation step: after `after`, the alert goes to `receiver`. */
export interface EscalationTier {
  /** How long the condition must hold, a Prometheus duration such as `15m`. */
  readonly after: string;
  /** The Alertmanager receiver name (for example a team's pager). */
  readonly receiver: string;
}

/** Escalation by elapsed time, expressed as rules (Alertmanager cannot escalate by time itself). */
export interface EscalationPolicy {
  /**
   * The steps, shortest delay first; step i adds a rule with label `escalation: "<i+1>"`.
   * @default 15m infra-team, 30m platform-lead, 60m vp-engineering
   */
  readonly tiers?: readonly EscalationTier[];
  /** The alerts that escalate (public names). @default ['ContainerMemoryNearLimit', 'NodeMemoryHigh'] */
  readonly alerts?: readonly string[];
  /** Which tier of those alerts is escalated (its expression and severity are copied). @default 'critical' */
  readonly severity?: 'warning' | 'critical';
  /** Alerts paged at once, without waiting for a tier. @default ['ContainerOOMKilled', 'ContainerOOMKilledRepeatedly', 'NodeOOMKillDetected'] */
  readonly pageAtOnce?: readonly string[];
  /** The receiver paged at once. @default - the first tier's receiver */
  readonly pageReceiver?: string;
  /** The receiver of everything else memguard emits. @default 'memguard-notifications' */
  readonly defaultReceiver?: string;
}

/** The one memguard alerts configuration. Every field is optional. */
export interface MemoryAlertsConfig {
  /** Exporter selectors. @default - kube-prometheus-stack's jobs */
  readonly selectors?: SignalSelectors;
  /** Narrows the container alerts to some namespaces or pods (node alerts are never narrowed). @default - every container */
  readonly scope?: WorkloadScope;
  /** Thresholds and `for` per alert and severity. @default - the table (see each field) */
  readonly thresholds?: MemoryAlertThresholds;
  /** Range-function windows. @default - see each field */
  readonly windows?: MemoryAlertWindows;
  /**
   * The runbook URL; `{{alert}}` is replaced by the alert name and `{{anchor}}` by its lower-case form (a Markdown
   * heading anchor).
   * @default 'https://github.com/memguard/memguard#runbook-{{anchor}}'
   */
  readonly runbookUrlPattern?: string;
  /** Labels added to every rule (for routing or ownership), for example `{ team: 'platform' }`. @default {} */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** Escalation by time, or `false` for none. @default - 15/30/60 min to infra-team / platform-lead / vp-engineering */
  readonly escalation?: EscalationPolicy | false;
  /** Rule group evaluation interval, a Prometheus duration. @default - the Prometheus global interval */
  readonly interval?: string;
}

/** A tier with every default applied, or `undefined` when switched off. */
export interface ResolvedTier {
  readonly threshold: number;
  readonly for: string;
}

/** The escalation policy with every default applied. */
export interface ResolvedEscalationPolicy {
  readonly tiers: readonly EscalationTier[];
  readonly alerts: readonly string[];
  readonly severity: 'warning' | 'critical';
  readonly pageAtOnce: readonly string[];
  readonly pageReceiver: string;
  readonly defaultReceiver: string;
}

/** The configuration with every default applied, validated. */
export interface ResolvedMemoryAlertsConfig {
  readonly selectors: ResolvedSelectors;
  readonly scope: WorkloadScope;
  readonly thresholds: {
    readonly containerMemoryNearLimit: { readonly warning?: ResolvedTier; readonly critical?: ResolvedTier };
    readonly containerMemoryLimitMissing: { readonly info?: ResolvedTier };
    readonly containerOOMKilled: { readonly warning?: ResolvedTier };
    readonly containerOOMKilledRepeatedly: { readonly critical?: ResolvedTier };
    readonly containerMemoryLeakSuspected: { readonly warning?: ResolvedTier };
    readonly nodeMemoryHigh: { readonly warning?: ResolvedTier; readonly critical?: ResolvedTier };
    readonly nodeOOMKillDetected: { readonly warning?: ResolvedTier };
    readonly nodeSwapFillingUp: { readonly warning?: ResolvedTier };
    readonly nodeMemoryPressure: { readonly warning?: ResolvedTier };
    readonly nodeMemoryMajorPageFaults: { readonly warning?: ResolvedTier };
  };
  readonly windows: Required<MemoryAlertWindows>;
  readonly runbookUrlPattern: string;
  readonly extraLabels: Readonly<Record<string, string>>;
  readonly escalation?: ResolvedEscalationPolicy;
  readonly interval?: string;
}

/** The default runbook URL pattern: the anchors of memguard's README (the "Runbooks" section). */
export const DEFAULT_RUNBOOK_URL_PATTERN = 'https://github.com/memguard/memguard#runbook-{{anchor}}';

/** The runbook's ladder: 15, 30 and 60 minutes. */
export const DEFAULT_ESCALATION_TIERS: readonly EscalationTier[] = [
  { after: '15m', receiver: 'infra-team' },
  { after: '30m', receiver: 'platform-lead' },
  { after: '60m', receiver: 'vp-engineering' },
];

/** Every alert name memguard emits by default, a public contract. */
export const MEMORY_ALERT_NAMES = [
  'ContainerMemoryNearLimit',
  'ContainerMemoryLimitMissing',
  'ContainerOOMKilled',
  'ContainerOOMKilledRepeatedly',
  'ContainerMemoryLeakSuspected',
  'NodeMemoryHigh',
  'NodeOOMKillDetected',
  'NodeSwapFillingUp',
  'NodeMemoryPressure',
  'NodeMemoryMajorPageFaults',
] as const;

/** The public alert names. */
export type MemoryAlertName = typeof MEMORY_ALERT_NAMES[number];

type Bounds = { readonly min: number; readonly max: number; readonly minExclusive?: boolean; readonly accepted: string };
const RATIO: Bounds = { min: 0, max: 1, minExclusive: true, accepted: 'a ratio in (0, 1]' };
const COUNT: Bounds = { min: 1, max: 1_000_000, accepted: 'a whole number from 1' };
const NON_NEGATIVE: Bounds = { min: 0, max: Number.MAX_SAFE_INTEGER, accepted: 'a number of 0 or more' };
const POSITIVE_RATIO_ABOVE: Bounds = { min: 0, max: 100, minExclusive: true, accepted: 'a ratio above 0 (1 = reaches the limit)' };

const DEFAULT_TIERS = {
  containerMemoryNearLimit: { warning: { threshold: 0.85, for: '5m' }, critical: { threshold: 0.95, for: '2m' } },
  containerMemoryLimitMissing: { info: { threshold: 0, for: '15m' } },
  containerOOMKilled: { warning: { threshold: 0, for: '0m' } },
  containerOOMKilledRepeatedly: { critical: { threshold: 3, for: '0m' } },
  containerMemoryLeakSuspected: { warning: { threshold: 1, for: '30m' } },
  nodeMemoryHigh: { warning: { threshold: 0.85, for: '5m' }, critical: { threshold: 0.95, for: '2m' } },
  nodeOOMKillDetected: { warning: { threshold: 0, for: '0m' } },
  nodeSwapFillingUp: { warning: { threshold: 0.5, for: '10m' } },
  nodeMemoryPressure: { warning: { threshold: 0.1, for: '10m' } },
  nodeMemoryMajorPageFaults: { warning: { threshold: 500, for: '15m' } },
} as const;

const BOUNDS: Record<keyof typeof DEFAULT_TIERS, Bounds> = {
  containerMemoryNearLimit: RATIO,
  containerMemoryLimitMissing: NON_NEGATIVE,
  containerOOMKilled: NON_NEGATIVE,
  containerOOMKilledRepeatedly: COUNT,
  containerMemoryLeakSuspected: POSITIVE_RATIO_ABOVE,
  nodeMemoryHigh: RATIO,
  nodeOOMKillDetected: NON_NEGATIVE,
  nodeSwapFillingUp: RATIO,
  nodeMemoryPressure: RATIO,
  nodeMemoryMajorPageFaults: NON_NEGATIVE,
};

const DEFAULT_WINDOWS: Required<MemoryAlertWindows> = {
  oomKill: '10m',
  oomKillRepeated: '1h',
  leakLookback: '1h',
  leakHorizon: '4h',
  nodeOomKill: '5m',
  rate: '5m',
};

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_ACCEPTED = 'a Prometheus duration such as 30s, 5m, 1h or 1h30m';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = ['severity', 'escalation', 'alertname'];

/** Seconds in a Prometheus duration; throws InputError naming `field` unless `value` is one. */
export function parsePrometheusDuration(field: string, value: string): number {
  const match = typeof value === 'string' && value !== '' ? DURATION.exec(value) : null;
  if (!match) throw new InputError({ field, value, accepted: DURATION_ACCEPTED });
  const units = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];
  return units.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0);
}

function checkThreshold(field: string, value: number, bounds: Bounds): number {
  const below = bounds.minExclusive ? value <= bounds.min : value < bounds.min;
  if (typeof value !== 'number' || !Number.isFinite(value) || below || value > bounds.max
    || (bounds === COUNT && !Number.isInteger(value))) {
    throw new InputError({ field, value, accepted: bounds.accepted });
  }
  return value;
}

function resolveTier(field: string, given: AlertTier | false | undefined, fallback: ResolvedTier, bounds: Bounds): ResolvedTier | undefined {
  if (given === false) return undefined;
  const tier = { threshold: given?.threshold ?? fallback.threshold, for: given?.for ?? fallback.for };
  checkThreshold(`${field}.threshold`, tier.threshold, bounds);
  parsePrometheusDuration(`${field}.for`, tier.for);
  return tier;
}

function resolveEscalation(policy: EscalationPolicy | false | undefined): ResolvedEscalationPolicy | undefined {
  if (policy === false) return undefined;
  const tiers = policy?.tiers ?? DEFAULT_ESCALATION_TIERS;
  if (tiers.length === 0) {
    throw new InputError({ field: 'escalation.tiers', value: [], accepted: 'one or more tiers, or escalation: false for none' });
  }
  let previous = 0;
  tiers.forEach((tier, i) => {
    const seconds = parsePrometheusDuration(`escalation.tiers[${i}].after`, tier.after);
    if (seconds <= previous) {
      throw new InputError({
        field: `escalation.tiers[${i}].after`,
        value: tier.after,
        reason: i === 0 ? 'must be longer than 0' : `must be longer than escalation.tiers[${i - 1}].after ${JSON.stringify(tiers[i - 1].after)}`,
        accepted: 'delays that grow from tier to tier',
      });
    }
    previous = seconds;
    checkReceiver(`escalation.tiers[${i}].receiver`, tier.receiver);
  });
  const alerts = policy?.alerts ?? ['ContainerMemoryNearLimit', 'NodeMemoryHigh'];
  const pageAtOnce = policy?.pageAtOnce ?? ['ContainerOOMKilled', 'ContainerOOMKilledRepeatedly', 'NodeOOMKillDetected'];
  const accepted = `names among ${MEMORY_ALERT_NAMES.join(', ')}`;
  alerts.forEach((a, i) => {
    if (!['ContainerMemoryNearLimit', 'NodeMemoryHigh'].includes(a)) {
      throw new InputError({ field: `escalation.alerts[${i}]`, value: a, accepted: '"ContainerMemoryNearLimit" or "NodeMemoryHigh" (the alerts with warning and critical tiers)' });
    }
  });
  pageAtOnce.forEach((a, i) => {
    if (!(MEMORY_ALERT_NAMES as readonly string[]).includes(a)) throw new InputError({ field: `escalation.pageAtOnce[${i}]`, value: a, accepted });
  });
  const severity = policy?.severity ?? 'critical';
  if (severity !== 'warning' && severity !== 'critical') {
    throw new InputError({ field: 'escalation.severity', value: severity, accepted: 'one of "warning", "critical"' });
  }
  const pageReceiver = policy?.pageReceiver ?? tiers[0].receiver;
  const defaultReceiver = policy?.defaultReceiver ?? 'memguard-notifications';
  checkReceiver('escalation.pageReceiver', pageReceiver);
  checkReceiver('escalation.defaultReceiver', defaultReceiver);
  return { tiers: tiers.map((t) => ({ after: t.after, receiver: t.receiver })), alerts, severity, pageAtOnce, pageReceiver, defaultReceiver };
}

function checkReceiver(field: string, value: string): void {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(value)) {
    throw new InputError({ field, value, accepted: 'a receiver name of letters, digits, ".", "_" and "-"' });
  }
}

/** Applies every default once and validates; throws InputError before anything is built. */
export function resolveMemoryAlertsConfig(config: MemoryAlertsConfig = {}): ResolvedMemoryAlertsConfig {
  const given = config.thresholds ?? {};
  const tiers = (key: keyof typeof DEFAULT_TIERS): Record<string, ResolvedTier | undefined> => {
    const defaults = DEFAULT_TIERS[key] as Record<string, ResolvedTier>;
    const user = (given[key] ?? {}) as Record<string, AlertTier | false | undefined>;
    for (const severity of Object.keys(user)) {
      if (!(severity in defaults)) {
        throw new InputError({
          field: `thresholds.${key}.${severity}`,
          value: user[severity],
          accepted: `the severities ${Object.keys(defaults).map((s) => JSON.stringify(s)).join(', ')}`,
        });
      }
    }
    const out: Record<string, ResolvedTier | undefined> = {};
    for (const severity of Object.keys(defaults)) {
      out[severity] = resolveTier(`thresholds.${key}.${severity}`, user[severity], defaults[severity], BOUNDS[key]);
    }
    return out;
  };
  for (const key of Object.keys(given)) {
    if (!(key in DEFAULT_TIERS)) {
      throw new InputError({ field: `thresholds.${key}`, value: (given as Record<string, unknown>)[key], accepted: `one of ${Object.keys(DEFAULT_TIERS).join(', ')}` });
    }
  }
  const thresholds = Object.fromEntries(
    (Object.keys(DEFAULT_TIERS) as Array<keyof typeof DEFAULT_TIERS>).map((key) => [key, tiers(key)]),
  ) as unknown as ResolvedMemoryAlertsConfig['thresholds'];

  const nearLimit = thresholds.containerMemoryNearLimit;
  if (nearLimit.warning && nearLimit.critical && nearLimit.warning.threshold >= nearLimit.critical.threshold) {
    throw new InputError({
      field: 'thresholds.containerMemoryNearLimit.warning.threshold',
      value: nearLimit.warning.threshold,
      reason: `must be below thresholds.containerMemoryNearLimit.critical.threshold ${nearLimit.critical.threshold}`,
      accepted: 'a warning ratio below the critical ratio',
    });
  }
  const nodeHigh = thresholds.nodeMemoryHigh;
  if (nodeHigh.warning && nodeHigh.critical && nodeHigh.warning.threshold >= nodeHigh.critical.threshold) {
    throw new InputError({
      field: 'thresholds.nodeMemoryHigh.warning.threshold',
      value: nodeHigh.warning.threshold,
      reason: `must be below thresholds.nodeMemoryHigh.critical.threshold ${nodeHigh.critical.threshold}`,
      accepted: 'a warning ratio below the critical ratio',
    });
  }

  const windows = { ...DEFAULT_WINDOWS, ...stripUndefined(config.windows ?? {}) } as Required<MemoryAlertWindows>;
  for (const [key, value] of Object.entries(windows)) {
    if (parsePrometheusDuration(`windows.${key}`, value) <= 0) {
      throw new InputError({ field: `windows.${key}`, value, accepted: 'a Prometheus duration longer than 0' });
    }
  }

  const runbookUrlPattern = config.runbookUrlPattern ?? DEFAULT_RUNBOOK_URL_PATTERN;
  if (typeof runbookUrlPattern !== 'string' || !/^https?:\/\/\S+$/.test(runbookUrlPattern)) {
    throw new InputError({ field: 'runbookUrlPattern', value: runbookUrlPattern, accepted: 'an http(s) URL, optionally with {{alert}} or {{anchor}}' });
  }

  const extraLabels = config.extraLabels ?? {};
  for (const [name, value] of Object.entries(extraLabels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new InputError({ field: `extraLabels.${name}`, value: name, accepted: 'a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)' });
    }
    if (RESERVED_LABELS.includes(name)) {
      throw new InputError({ field: `extraLabels.${name}`, value: name, reason: 'memguard sets this label itself', accepted: `any label name but ${RESERVED_LABELS.join(', ')}` });
    }
    if (typeof value !== 'string') {
      throw new InputError({ field: `extraLabels.${name}`, value, accepted: 'a string label value' });
    }
  }

  if (config.interval !== undefined && parsePrometheusDuration('interval', config.interval) <= 0) {
    throw new InputError({ field: 'interval', value: config.interval, accepted: 'a Prometheus duration longer than 0' });
  }

  return {
    selectors: resolveSelectors(config.selectors),
    scope: config.scope ?? {},
    thresholds,
    windows,
    runbookUrlPattern,
    extraLabels,
    escalation: resolveEscalation(config.escalation),
    interval: config.interval,
  };
}

/** The runbook URL of one alert. */
export function runbookUrl(pattern: string, alert: string): string {
  return pattern.split('{{alert}}').join(alert).split('{{anchor}}').join(alert.toLowerCase());
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
